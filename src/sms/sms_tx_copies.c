/*
 * sms_tx_copies.c: the stored copies of parts sent through the modem's
 * storage (sms.send_via_storage), from the moment their fate is
 * committed until the modem confirms their delete (table
 * sms_tx_copies).  A delete that fails, gets no answer or is cut short by
 * a stop is tried again after the next ready, or SMS_COPIES_RETRY_S
 * later, whichever comes first: the slot is read back first
 * (AT+CMGR) and deleted only while it still holds that copy (STO SENT,
 * or STO UNSENT for a part that failed); a slot that is empty or holds
 * anything else is forgotten,
 * so a message the network put into a freed slot is never deleted.  A
 * slot has at most one read or delete in flight, so it is never deleted
 * twice for one read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "at_parse.h"
#include "log.h"
#include "modem.h"
#include "store.h"

#include "sms_int.h"

#define SMS_COPIES_TIMEOUT_MS	30000
#define SMS_COPIES_MAX		64	/* slots handled at once */
#define SMS_CMS_INVALID_INDEX	321
#define SMS_COPIES_RETRY_S	300	/* a refused read or delete */

static struct event *sms_copies_retry_ev;

/* Slots with an AT+CMGR or AT+CMGD of this file in flight. */
static int sms_copies_busy[SMS_COPIES_MAX];
static size_t sms_copies_nbusy;

static int
sms_copies_is_busy(int slot)
{
	for (size_t i = 0; i < sms_copies_nbusy; i++)
		if (sms_copies_busy[i] == slot)
			return 1;
	return 0;
}

static int
sms_copies_take(int slot)
{
	if (sms_copies_is_busy(slot) || sms_copies_nbusy == SMS_COPIES_MAX)
		return -1;
	sms_copies_busy[sms_copies_nbusy++] = slot;
	return 0;
}

static void
sms_copies_release(int slot)
{
	for (size_t i = 0; i < sms_copies_nbusy; i++)
		if (sms_copies_busy[i] == slot) {
			sms_copies_busy[i] = sms_copies_busy[--sms_copies_nbusy];
			return;
		}
}

/* Read the copies back again later (a read or delete was refused). */
static void
sms_copies_retry(void)
{
	struct timeval tv = { SMS_COPIES_RETRY_S, 0 };

	if (sms_copies_retry_ev != NULL &&
	    !evtimer_pending(sms_copies_retry_ev, NULL))
		evtimer_add(sms_copies_retry_ev, &tv);
}

static void
sms_copies_forget(int slot)
{
	if (store_done(store_stmt("DELETE FROM sms_tx_copies WHERE slot = ?1",
	    "d", slot)) == -1)
		log_warnx("sms: stored copy %d not forgotten: %s", slot,
		    store_errmsg());
}

int
sms_tx_copies_add(int slot, const char *hex)
{
	return store_done(store_stmt("INSERT OR REPLACE INTO sms_tx_copies"
	    "(slot, pdu, time) VALUES (?1, ?2, ?3)", "dti", slot, hex,
	    (long long)time(NULL)));
}

static void
sms_copies_deleted(const struct modem_response *r, void *arg)
{
	int slot = (int)(intptr_t)arg;

	sms_copies_release(slot);
	if (r->final == MODEM_OK || (r->final == MODEM_CMS_ERROR &&
	    r->code == SMS_CMS_INVALID_INDEX)) {
		sms_copies_forget(slot);
		return;
	}
	log_warnx("sms: deleting the stored copy in slot %d failed (%s): "
	    "tried again later", slot, r->final_line);
	if (r->final != MODEM_GONE)
		sms_copies_retry();	/* GONE: the next ready does */
}

/* "<verb>=<slot>" (AT+CMGR, AT+CMGD), unless the slot has one of ours
 * in flight already. */
static void
sms_copies_submit(const char *verb, int slot, modem_done_fn *done)
{
	char cmd[32];

	if (sms_copies_take(slot) == -1)
		return;
	snprintf(cmd, sizeof cmd, "%s=%d", verb, slot);
	if (modem_submit_h("sms", cmd, NULL, SMS_COPIES_TIMEOUT_MS, done,
	    (void *)(intptr_t)slot) == 0) {
		sms_copies_release(slot);
		log_warnx("sms: cannot queue %s for stored copy %d", verb,
		    slot);
	}
}

void
sms_tx_copies_delete(int slot)
{
	sms_copies_submit("AT+CMGD", slot, sms_copies_deleted);
}

/* The copy's PDU as committed, or NULL. */
static char *
sms_copies_pdu(int slot)
{
	sqlite3_stmt *st = store_stmt("SELECT pdu FROM sms_tx_copies WHERE "
	    "slot = ?1", "d", slot);
	char *pdu = NULL;

	if (st == NULL)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		pdu = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return pdu;
}

static void
sms_copies_read(const struct modem_response *r, void *arg)
{
	int slot = (int)(intptr_t)arg, stat = -1;
	const char *err, *got = NULL;
	struct at_sms_hdr h;
	char *want;

	sms_copies_release(slot);
	if (r->final == MODEM_CMS_ERROR && r->code == SMS_CMS_INVALID_INDEX) {
		sms_copies_forget(slot);	/* empty: deleted before */
		return;
	}
	if (r->final != MODEM_OK) {
		if (r->final != MODEM_GONE)
			sms_copies_retry();	/* GONE: the next ready does */
		return;
	}
	for (size_t i = 0; i + 1 < r->nlines; i++)
		if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]), 0, &h,
		    &err) == 0 && h.kind == AT_SMS_CMGR) {
			stat = h.stat;
			got = r->lines[i + 1];
			break;
		}
	if ((want = sms_copies_pdu(slot)) == NULL)
		return;
	if (got != NULL && (stat == 2 || stat == 3) &&
	    sms_tx_same_pdu(got, want))
		sms_tx_copies_delete(slot);
	else {
		log_info("sms: slot %d no longer holds the sent copy: "
		    "forgotten", slot);
		sms_copies_forget(slot);
	}
	free(want);
}

/* Read slot back, and delete it if it still holds the copy. */
void
sms_tx_copies_check(int slot)
{
	sms_copies_submit("AT+CMGR", slot, sms_copies_read);
}

/* After a ready: the copies whose delete is not confirmed, read back. */
void
sms_tx_copies_ready(void *arg)
{
	sqlite3_stmt *st;
	int slots[SMS_COPIES_MAX], n = 0;

	/* not a slot an unfinished message's copy is in (the send side
	 * reads that one back itself) */
	st = store_stmt("SELECT slot FROM sms_tx_copies WHERE slot NOT IN "
	    "(SELECT store_index FROM sms WHERE direction = 'out' AND status "
	    "IN ('queued', 'sending') AND progress = 'stored' AND "
	    "store_index IS NOT NULL) ORDER BY time LIMIT ?1", "d",
	    SMS_COPIES_MAX);
	if (st == NULL)
		return;
	while (n < SMS_COPIES_MAX && sqlite3_step(st) == SQLITE_ROW)
		slots[n++] = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	for (int i = 0; i < n; i++)
		sms_tx_copies_check(slots[i]);
}

static void
sms_copies_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	if (modem_state() == MODEM_READY)
		sms_tx_copies_ready(NULL);
}

void
sms_tx_copies_start(struct event_base *base)
{
	sms_copies_nbusy = 0;
	sms_copies_retry_ev = evtimer_new(base, sms_copies_retry_cb, NULL);
}

void
sms_tx_copies_stop(void)
{
	if (sms_copies_retry_ev != NULL) {
		event_free(sms_copies_retry_ev);
		sms_copies_retry_ev = NULL;
	}
	sms_copies_nbusy = 0;
}
