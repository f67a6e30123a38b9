/*
 * sms_tx.c: the send side: one message in flight, its state committed at
 * every step (queued -> sending -> sent, or back to queued with a later
 * try after +CMS ERROR, or failed after sms.retries, or uncertain when
 * the modem went silent after the PDU was written).  How far the current
 * part got is committed where it matters: "its prompt may come" before
 * AT+CMGS (a command's reply taken in the command's own transaction,
 * sms_tx_claim(), so both wait for the disk once), and "the PDU may now
 * go out" in the "> " prompt hook, without waiting for the disk, just
 * before the PDU is written, so a command
 * that never got that far (still queued, flushed by a recovery or a port
 * loss, no prompt, a kill before the PDU) is simply sent again and never
 * called uncertain.  A PDU written before a stop waits for the modem's
 * answer until the modem is ready again: "+CMGS:" makes it sent.  With
 * sms.send_via_storage the part goes through the modem's storage
 * (AT+CMGW, its slot committed, AT+CMSS, AT+CMGD): a lost answer or a
 * restart is then resolved by reading the slot back (STO SENT: sent; STO
 * UNSENT: AT+CMSS again; gone: uncertain); a copy written whose slot is
 * not known is looked for among the unsent ones (AT+CMGL=2) and sent
 * from there, or written again; a sent or failed part's copy is deleted
 * (sms_tx_copies.c).  Concatenated parts are sent
 * in order and a retry resumes at the first part not yet accepted, so no
 * part goes out twice.  Nothing polls: a deferred event runs when a
 * message is queued or the modem becomes ready, a timer when a retry is
 * due.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "at_parse.h"
#include "events.h"
#include "hex.h"
#include "log.h"
#include "cmd.h"
#include "ctl.h"
#include "modem.h"
#include "pdu.h"
#include "settings.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"

#define SMS_TX_TIMEOUT_MS	60000
#define SMS_TX_STORE_TIMEOUT_MS	30000
#define SMS_CMS_INVALID_INDEX	321

/* What the prompt hook commits: the PDU goes out (AT+CMGS) or into the
 * modem's storage (AT+CMGW). */
enum sms_tx_via { SMS_TX_SEND, SMS_TX_WRITE };
static const char *const sms_tx_via_progress[] = {
	[SMS_TX_SEND] = "sent-pdu",
	[SMS_TX_WRITE] = "write-pdu",
};

static struct event *sms_tx_ev;
static int sms_tx_busy;
static int sms_tx_waiting;	/* for the answer to a PDU written before */
/* the current message was taken inside another transaction, with its
 * "prompt" record (sms_tx_claim()); its first part goes out at
 * sms_tx_go_ev */
static int sms_tx_claimed;
static struct event *sms_tx_go_ev;
static struct sms_out sms_tx_cur;
static struct pdu_encoded *sms_tx_enc;

static void sms_tx_part(void);
static void sms_tx_part_at(int recorded);
static int sms_tx_commit_part(const char *status, const char *error,
    int index, const char *hex);

static void
sms_tx_event(const char *status, const char *error)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "direction", json_object_new_string("out"));
	json_object_object_add(o, "id", json_object_new_int64(sms_tx_cur.id));
	json_object_object_add(o, "number",
	    json_object_new_string(sms_tx_cur.number));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (error != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(error));
	events_publish("sms", o);
}

static void
sms_tx_set_progress(const char *progress, int store_index)
{
	util_strlcpy(sms_tx_cur.progress, progress,
	    sizeof sms_tx_cur.progress);
	sms_tx_cur.store_index = store_index;
}

/* The message leaves the send side with `status`: 0, or -1 when that
 * could not be committed. */
static int
sms_tx_finish(const char *status, long long next_try, const char *error)
{
	/* "sent" is a replayable mark (sms_store_out_mark()) */
	int rc = strcmp(status, "sent") == 0 ?
	    sms_store_out_mark(&sms_tx_cur, status, next_try, error) :
	    sms_store_out_update(&sms_tx_cur, status, next_try, error);

	if (rc == -1)
		log_warnx("sms: message %lld: status %s not saved (%s)",
		    sms_tx_cur.id, status, store_errmsg());
	log_info("sms: message %lld to %s: %s%s%s", sms_tx_cur.id,
	    sms_tx_cur.number, status, error ? ": " : "", error ? error : "");
	sms_tx_event(status, error);
	free(sms_tx_cur.text);
	sms_tx_cur.text = NULL;
	sms_tx_busy = 0;
	sms_tx_claimed = 0;
	sms_tx_kick();
	return rc;
}

/* Back to the queue, no attempt counted: nothing went out. */
static void
sms_tx_requeue(int delay, const char *why)
{
	sms_tx_finish("queued", (long long)time(NULL) + delay, why);
}

static void
sms_tx_why(const struct modem_response *r, char *why, size_t len)
{
	if (r->final == MODEM_CMS_ERROR)
		snprintf(why, len, "%s (%s)", r->final_line,
		    at_cms_error_text((int)r->code));
	else
		snprintf(why, len, "%s", r->final_line);
}

/* The modem refused (an error answer): another try later, or failed
 * after sms.retries (then its stored copy, if any, is deleted). */
static void
sms_tx_refused(const struct modem_response *r)
{
	char why[160];
	int index = sms_tx_cur.store_index;

	sms_tx_why(r, why, sizeof why);
	sms_tx_cur.attempts++;
	if (sms_tx_cur.attempts > settings_int(sms_set.retries)) {
		sms_tx_set_progress("none", -1);
		(void)sms_tx_commit_part("failed", why, index,
		    sms_tx_enc->parts[sms_tx_cur.parts_sent].hex);
		return;
	}
	sms_tx_finish("queued", (long long)time(NULL) +
	    (settings_int(sms_set.retry_delay) << (sms_tx_cur.attempts - 1)),
	    why);
}

/* A command whose PDU never reached the modem and that the modem did not
 * refuse: never written, flushed by a recovery or a port loss, no
 * prompt, or cancelled by the prompt hook.  Queued again, no attempt
 * counted: 1, or 0 when r is not such an end. */
static int
sms_tx_unsent(const struct modem_response *r)
{
	char why[160];
	int delay = settings_int(sms_set.retry_delay);

	if (r->stage == MODEM_STAGE_PDU)
		return 0;
	if (r->final == MODEM_GONE) {
		snprintf(why, sizeof why, "not written: the modem went away "
		    "(%s); sent again", r->stage == MODEM_STAGE_QUEUED ?
		    "still queued" : "before the prompt");
		delay = 0;	/* when the modem is ready again */
	} else if (r->final == MODEM_TIMEOUT)
		snprintf(why, sizeof why, "no prompt from the modem (%s); "
		    "sent again", r->final_line);
	else if (r->final == MODEM_ERROR &&
	    strcmp(r->final_line, "ABORTED") == 0)
		snprintf(why, sizeof why, "not sent: its progress could not "
		    "be saved");
	else
		return 0;
	sms_tx_requeue(delay, why);	/* its progress is as before */
	return 1;
}

/* The current part went out (mr -1: not known): the next part, or sent.
 * A stored copy is deleted once that is committed. */
/*
 * Commit the message's status ("sending": the next part follows; else it
 * leaves the send side) together with the record that its stored copy in
 * slot `index` (-1: none), PDU `hex`, is to be deleted, then queue that
 * delete (sms_tx_copies.c tries again until the modem confirms it); a
 * failed part's slot, which the modem may have refused as empty, is read
 * back first.  0 or -1 (not committed; no delete).
 */
static int
sms_tx_commit_part(const char *status, const char *error, int index,
    const char *hex)
{
	/* the marks after a part went out are replayable */
	int tracked = index >= 0 && (strcmp(status, "failed") == 0 ?
	    store_begin() : store_begin_replayable()) == 0, rc;

	if (tracked && sms_tx_copies_add(index, hex) == -1) {
		log_warnx("sms: stored copy %d not recorded: %s", index,
		    store_errmsg());
		store_rollback();
		tracked = 0;
	}
	rc = strcmp(status, "sending") == 0 ?
	    sms_store_out_mark(&sms_tx_cur, "sending", 0, NULL) :
	    sms_tx_finish(status, 0, error);
	if (tracked) {
		if (rc == -1)
			store_rollback();
		else if (store_commit() == -1)
			rc = -1;
	}
	if (rc == 0 && index >= 0) {
		if (strcmp(status, "failed") == 0)
			sms_tx_copies_check(index);	/* may be gone */
		else
			sms_tx_copies_delete(index);	/* just sent from */
	}
	return rc;
}

static void
sms_tx_part_sent(int mr)
{
	int index = sms_tx_cur.store_index;
	size_t n = strlen(sms_tx_cur.mr);
	const char *hex;

	snprintf(sms_tx_cur.mr + n, sizeof sms_tx_cur.mr - n, "%s%d",
	    n > 0 ? " " : "", mr);
	sms_tx_cur.parts_sent++;
	sms_tx_set_progress("none", -1);
	hex = sms_tx_enc->parts[sms_tx_cur.parts_sent - 1].hex;
	if (sms_tx_cur.parts_sent < (int)sms_tx_enc->nparts) {
		if (sms_tx_commit_part("sending", NULL, index, hex) == -1)
			log_warnx("sms: progress of %lld not saved",
			    sms_tx_cur.id);
		sms_tx_part();
		return;
	}
	(void)sms_tx_commit_part("sent", NULL, index, hex);
}

/* At the "> " prompt, before the PDU is written: commit that it may now
 * go out (or into storage).  -1 cancels it when that cannot be saved. */
static int
sms_tx_prompt(void *arg)
{
	enum sms_tx_via via = (enum sms_tx_via)(intptr_t)arg;
	char was[sizeof sms_tx_cur.progress];

	util_strlcpy(was, sms_tx_cur.progress, sizeof was);
	sms_tx_set_progress(sms_tx_via_progress[via], -1);
	/* AT+CMGS: the PDU follows at once, with no wait for the disk in
	 * between (a kill there would leave it uncertain, never sent);
	 * the "prompt" record committed before tells a restart of the
	 * system apart.  AT+CMGW: a copy not found is written again.  The
	 * status stays "sending" (NULL: its index entry is not rewritten). */
	if ((via == SMS_TX_SEND ?
	    sms_store_out_mark(&sms_tx_cur, NULL, 0, NULL) :
	    sms_store_out_update(&sms_tx_cur, NULL, 0, NULL)) == -1) {
		log_warnx("sms: message %lld: cannot record that its PDU goes "
		    "out (%s): not sent now", sms_tx_cur.id, store_errmsg());
		util_strlcpy(sms_tx_cur.progress, was,
		    sizeof sms_tx_cur.progress);
		return -1;
	}
	return 0;
}

/* Queue one command of the current part; pdu (not NULL) goes out at the
 * prompt once its progress is committed.  0, or -1 nothing queued. */
static int
sms_tx_submit(const char *cmd, const char *pdu, int timeout_ms,
    modem_done_fn *done, enum sms_tx_via via)
{
	modem_cmd h;

	h = modem_submit_h("sms", cmd, pdu, timeout_ms, done, NULL);
	if (h == 0)
		return -1;
	if (pdu != NULL && modem_cmd_on_prompt(h, sms_tx_prompt,
	    (void *)(intptr_t)via) == -1) {
		/* just queued: cannot happen; never send it unrecorded */
		modem_cancel(h);
		return -1;
	}
	return 0;
}

static void
sms_tx_not_queued(void)
{
	/* not written: safe to try again later */
	sms_tx_requeue(settings_int(sms_set.retry_delay),
	    "the modem is not available");
}

static void
sms_tx_send_done(const struct modem_response *r, void *arg)
{
	char why[160];
	const char *err;
	int mr = -1, v;

	if (r->final == MODEM_OK) {
		for (size_t i = 0; i < r->nlines; i++)
			if (at_parse_cmgs(r->lines[i], strlen(r->lines[i]), &v,
			    &err) == 0)
				mr = v;
		sms_tx_part_sent(mr);
		return;
	}
	if (r->stage == MODEM_STAGE_PDU && (r->final == MODEM_TIMEOUT ||
	    r->final == MODEM_GONE)) {
		/* the PDU may have gone out: never send it again */
		snprintf(why, sizeof why, "no answer from the modem after "
		    "the PDU was written (%s)", r->final_line);
		sms_tx_cur.attempts++;
		sms_tx_finish("uncertain", 0, why);
		return;
	}
	if (sms_tx_unsent(r))
		return;
	sms_tx_set_progress("none", -1);
	sms_tx_refused(r);
}

static void
sms_tx_cmss_done(const struct modem_response *r, void *arg)
{
	char why[160];
	const char *err;
	int mr = -1, v;

	if (r->final == MODEM_OK) {
		for (size_t i = 0; i < r->nlines; i++)
			if (at_parse_cmgs(r->lines[i], strlen(r->lines[i]), &v,
			    &err) == 0)
				mr = v;
		sms_tx_part_sent(mr);
		return;
	}
	if (r->final == MODEM_TIMEOUT || r->final == MODEM_GONE) {
		/* written, it may have gone out: the stored copy says,
		 * read back before anything else is done with it */
		snprintf(why, sizeof why, "no answer to AT+CMSS (%s); the "
		    "stored copy is read back", r->final_line);
		sms_tx_requeue(r->final == MODEM_GONE ? 0 :
		    settings_int(sms_set.retry_delay), why);
		return;
	}
	sms_tx_refused(r);
}

/* Send the stored copy of the current part. */
static void
sms_tx_cmss(void)
{
	char cmd[32];

	snprintf(cmd, sizeof cmd, "AT+CMSS=%d", sms_tx_cur.store_index);
	if (sms_tx_submit(cmd, NULL, SMS_TX_TIMEOUT_MS, sms_tx_cmss_done,
	    SMS_TX_SEND) == -1)
		sms_tx_not_queued();
}

/* The slot of "+CMGW: <index>", or -1. */
static int
sms_tx_cmgw_index(const struct modem_response *r)
{
	const char *err;
	int v;

	for (size_t i = 0; i < r->nlines; i++)
		if (at_parse_cmgw(r->lines[i], strlen(r->lines[i]), &v,
		    &err) == 0)
			return v;
	return -1;
}

static void
sms_tx_write_done(const struct modem_response *r, void *arg)
{
	char why[160];
	int index;

	if (r->final == MODEM_OK && (index = sms_tx_cmgw_index(r)) >= 0) {
		sms_tx_set_progress("stored", index);
		if (sms_store_out_update(&sms_tx_cur, "sending", 0, NULL) ==
		    -1) {
			/* never send a copy whose slot is not on record */
			snprintf(why, sizeof why, "its slot %d in the modem's "
			    "storage could not be saved (%s)", index,
			    store_errmsg());
			sms_tx_set_progress("none", -1);
			sms_tx_requeue(settings_int(sms_set.retry_delay), why);
			return;
		}
		sms_tx_cmss();
		return;
	}
	if (r->final == MODEM_OK || (r->stage == MODEM_STAGE_PDU &&
	    (r->final == MODEM_TIMEOUT || r->final == MODEM_GONE))) {
		/* a copy may be in storage at a slot not known; it never
		 * goes out by itself: looked for at the next try (an
		 * attempt, unless the modem went away) */
		snprintf(why, sizeof why, "AT+CMGW gave no slot (%s); "
		    "looked for in storage", r->final_line);
		log_warnx("sms: message %lld: %s", sms_tx_cur.id, why);
		sms_tx_set_progress("write-pdu", -1);
		if (r->final == MODEM_GONE) {
			sms_tx_requeue(0, why);
			return;
		}
		sms_tx_refused(r);
		return;
	}
	if (sms_tx_unsent(r))
		return;
	sms_tx_set_progress("none", -1);
	sms_tx_refused(r);
}

/* The byte of the two hex digits at s, or -1. */
static int
sms_tx_hexval(const char *s)
{
	int hi = hex_val((unsigned char)s[0]);
	int lo = hi >= 0 ? hex_val((unsigned char)s[1]) : -1;

	return lo >= 0 ? hi * 16 + lo : -1;
}

/* Is the stored PDU `got` the part's PDU `want` (hex, SMSC part first)?
 * The SMSC part is not compared (the modem may fill it in), nor TP-MR
 * (the modem may set it when it sends). */
int
sms_tx_same_pdu(const char *got, const char *want)
{
	size_t gl = strlen(got), wl = strlen(want), go, wo;
	int g0 = gl >= 2 ? sms_tx_hexval(got) : -1;
	int w0 = wl >= 2 ? sms_tx_hexval(want) : -1;

	if (g0 < 0 || w0 < 0)
		return 0;
	go = 2 + 2 * (size_t)g0;
	wo = 2 + 2 * (size_t)w0;
	if (go > gl || wo > wl || gl - go != wl - wo || wl - wo < 4)
		return 0;
	for (size_t i = 0; i < wl - wo; i++)
		if (i != 2 && i != 3 && tolower((unsigned char)got[go + i]) !=
		    tolower((unsigned char)want[wo + i]))
			return 0;
	return 1;
}

/* The stored copy is gone or is another message: it may have gone out. */
static void
sms_tx_copy_gone(const char *what)
{
	char why[160];

	snprintf(why, sizeof why, "the stored copy in slot %d %s: it may "
	    "have been sent", sms_tx_cur.store_index, what);
	sms_tx_set_progress("none", -1);	/* not ours any more */
	sms_tx_cur.attempts++;
	sms_tx_finish("uncertain", 0, why);
}

/* AT+CMGR=<slot> of the current part's stored copy. */
static void
sms_tx_check_done(const struct modem_response *r, void *arg)
{
	const struct pdu_part *p = &sms_tx_enc->parts[sms_tx_cur.parts_sent];
	struct at_sms_hdr h;
	const char *err, *pdu = NULL;
	char why[160];
	int stat = -1;

	if (r->final == MODEM_OK) {
		for (size_t i = 0; i + 1 < r->nlines; i++)
			if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]),
			    0, &h, &err) == 0 && h.kind == AT_SMS_CMGR) {
				stat = h.stat;
				pdu = r->lines[i + 1];
				break;
			}
		if (pdu == NULL) {
			sms_tx_copy_gone("is empty");
			return;
		}
		if (!sms_tx_same_pdu(pdu, p->hex)) {
			sms_tx_copy_gone("holds another message");
			return;
		}
		if (stat == 3) {
			log_info("sms: message %lld: the stored copy in slot "
			    "%d says sent (STO SENT)", sms_tx_cur.id,
			    sms_tx_cur.store_index);
			sms_tx_part_sent(-1);
		} else if (stat == 2)
			sms_tx_cmss();		/* STO UNSENT: send it now */
		else
			sms_tx_copy_gone("is not a message to send");
		return;
	}
	if (r->final == MODEM_CMS_ERROR && r->code == SMS_CMS_INVALID_INDEX) {
		sms_tx_copy_gone("is empty");
		return;
	}
	sms_tx_why(r, why, sizeof why);
	if (r->final == MODEM_TIMEOUT || r->final == MODEM_GONE) {
		sms_tx_requeue(r->final == MODEM_GONE ? 0 :
		    settings_int(sms_set.retry_delay), why);
		return;
	}
	if (++sms_tx_cur.attempts > settings_int(sms_set.retries)) {
		sms_tx_copy_gone("cannot be read");
		return;
	}
	sms_tx_finish("queued", (long long)time(NULL) +
	    (settings_int(sms_set.retry_delay) << (sms_tx_cur.attempts - 1)),
	    why);
}

/* AT+CMGL=2 (STO UNSENT) after an AT+CMGW whose slot is not known: the
 * copy found is sent from there; none found, the part is written again. */
static void
sms_tx_find_done(const struct modem_response *r, void *arg)
{
	const struct pdu_part *p = &sms_tx_enc->parts[sms_tx_cur.parts_sent];
	struct at_sms_hdr h;
	const char *err;
	char why[160];

	if (r->final == MODEM_TIMEOUT || r->final == MODEM_GONE) {
		sms_tx_why(r, why, sizeof why);
		sms_tx_requeue(r->final == MODEM_GONE ? 0 :
		    settings_int(sms_set.retry_delay), why);
		return;
	}
	for (size_t i = 0; r->final == MODEM_OK && i + 1 < r->nlines; i++) {
		if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]), 0, &h,
		    &err) == -1 || h.kind != AT_SMS_CMGL)
			continue;
		if (h.stat != 2 || h.index < 0 ||
		    !sms_tx_same_pdu(r->lines[i + 1], p->hex)) {
			i++;
			continue;
		}
		sms_tx_set_progress("stored", (int)h.index);
		if (sms_store_out_update(&sms_tx_cur, "sending", 0, NULL) ==
		    -1)
			break;		/* never send an unrecorded slot */
		log_info("sms: message %lld: its copy is in slot %ld",
		    sms_tx_cur.id, h.index);
		sms_tx_cmss();
		return;
	}
	sms_tx_set_progress("none", -1);
	sms_tx_part();
}

/* Does the current part go out by AT+CMGS, nothing of it in storage? */
static int
sms_tx_direct(void)
{
	return !(strcmp(sms_tx_cur.progress, "stored") == 0 &&
	    sms_tx_cur.store_index >= 0) &&
	    strcmp(sms_tx_cur.progress, "write-pdu") != 0 &&
	    !settings_bool(sms_set.send_via_storage);
}

static void
sms_tx_part(void)
{
	sms_tx_part_at(0);
}

/* The current part; recorded: sent directly, its "prompt" record was
 * committed with the transaction that took it (sms_tx_claim()). */
static void
sms_tx_part_at(int recorded)
{
	const struct pdu_part *p = &sms_tx_enc->parts[sms_tx_cur.parts_sent];
	char cmd[32];
	int r;

	if (strcmp(sms_tx_cur.progress, "stored") == 0 &&
	    sms_tx_cur.store_index >= 0) {
		/* in storage since before: what does the copy say? */
		snprintf(cmd, sizeof cmd, "AT+CMGR=%d", sms_tx_cur.store_index);
		r = sms_tx_submit(cmd, NULL, SMS_TX_STORE_TIMEOUT_MS,
		    sms_tx_check_done, SMS_TX_SEND);
	} else if (strcmp(sms_tx_cur.progress, "write-pdu") == 0)
		r = sms_tx_submit("AT+CMGL=2", NULL, SMS_TX_STORE_TIMEOUT_MS,
		    sms_tx_find_done, SMS_TX_SEND);
	else if (settings_bool(sms_set.send_via_storage)) {
		snprintf(cmd, sizeof cmd, "AT+CMGW=%u", p->tpdu_len);
		r = sms_tx_submit(cmd, p->hex, SMS_TX_STORE_TIMEOUT_MS,
		    sms_tx_write_done, SMS_TX_WRITE);
	} else {
		/* committed (waiting for the disk) before the AT+CMGS: its
		 * prompt may come, so the record made there without waiting
		 * is the one a power loss may lose (sms_store_out_recover);
		 * with the status "sending" (a first part: from queued) */
		sms_tx_set_progress("prompt", -1);
		if (!recorded && sms_store_out_update(&sms_tx_cur, "sending",
		    0, NULL) == -1) {
			sms_tx_set_progress("none", -1);
			sms_tx_requeue(settings_int(sms_set.retry_delay),
			    "its progress could not be saved");
			return;
		}
		snprintf(cmd, sizeof cmd, "AT+CMGS=%u", p->tpdu_len);
		r = sms_tx_submit(cmd, p->hex, SMS_TX_TIMEOUT_MS,
		    sms_tx_send_done, SMS_TX_SEND);
	}
	if (r == -1)
		sms_tx_not_queued();
}

/* Encode for sending; the concatenation reference comes from the id. */
int
sms_tx_encode(const char *number, const char *text, const char *coding,
    long long id, struct pdu_encoded *out, const char **reason)
{
	struct pdu_encode_opts o;

	memset(&o, 0, sizeof o);
	o.concat_ref = (uint16_t)(id & 0xff);
	o.status_report = settings_bool(sms_set.status_report);
	if (strcmp(coding, "ucs2") == 0)
		o.force_ucs2 = true;
	else if (strcmp(coding, "8bit") == 0) {
		o.binary = true;
		o.data = (const uint8_t *)text;
		o.data_len = strlen(text);
	}
	return pdu_encode_submit(number, text, strlen(text), &o, out, reason);
}

/* The current message is dropped, not sent now (still queued). */
static void
sms_tx_drop(void)
{
	free(sms_tx_cur.text);
	sms_tx_cur.text = NULL;
	sms_tx_busy = 0;
	sms_tx_claimed = 0;
}

/* Take the next queued message due by now as the current one, encoded,
 * its progress as the send side finds it: 1, 0 none, 2 one that cannot
 * be encoded (finished as failed with finish_bad set, else left), -1. */
static int
sms_tx_take(long long now, int finish_bad)
{
	const char *reason;
	int r;

	if ((r = sms_store_out_next(now, &sms_tx_cur)) != 1)
		return r;
	sms_tx_busy = 1;
	if (sms_tx_encode(sms_tx_cur.number, sms_tx_cur.text,
	    sms_tx_cur.coding, sms_tx_cur.id, sms_tx_enc, &reason) == -1) {
		if (!finish_bad) {
			sms_tx_drop();
			return 2;
		}
		sms_tx_set_progress("none", -1);
		sms_tx_finish("failed", 0, reason);	/* kicks the next */
		return 2;
	}
	if (sms_tx_cur.parts_sent >= (int)sms_tx_enc->nparts) {
		sms_tx_cur.parts_sent = 0;	/* the encoding changed */
		sms_tx_set_progress("none", -1);
	}
	if ((strcmp(sms_tx_cur.progress, "stored") != 0 ||
	    sms_tx_cur.store_index < 0) &&
	    strcmp(sms_tx_cur.progress, "write-pdu") != 0)
		sms_tx_set_progress("none", -1);	/* nothing written */
	return 1;
}

static void
sms_tx_cb(evutil_socket_t fd, short what, void *arg)
{
	long long now = time(NULL), next;
	struct timeval tv = { 0, 0 };
	int r;

	if (sms_tx_busy || modem_state() != MODEM_READY)
		return;		/* the modem's ready hook kicks us again */
	if ((r = sms_tx_take(now, 1)) != 1) {
		if (r == 2)
			return;
		if ((next = sms_store_out_next_try()) > now) {
			tv.tv_sec = (time_t)(next - now);
			event_add(sms_tx_ev, &tv);
		}
		return;
	}
	/* replayable: nothing is written yet.  Sent directly, its first
	 * part's durable "prompt" record (sms_tx_part()) marks it sending
	 * in the same commit */
	if (!sms_tx_direct() &&
	    sms_store_out_mark(&sms_tx_cur, "sending", 0, NULL) == -1) {
		log_warnx("sms: message %lld not marked sending; not sent",
		    sms_tx_cur.id);
		sms_tx_drop();
		return;
	}
	sms_tx_part();
}

/* The transaction that took the current message (sms_tx_claim()) ended:
 * committed, its first part goes out (its "prompt" record is durable);
 * rolled back, the message is queued as before. */
static void
sms_tx_claim_end(void *data, int undo)
{
	if (!sms_tx_claimed)
		return;
	if (undo) {
		sms_tx_claimed = 0;
		sms_tx_drop();
		return;
	}
	event_active(sms_tx_go_ev, EV_TIMEOUT, 0);
}

static void
sms_tx_go_cb(evutil_socket_t fd, short what, void *arg)
{
	int claimed = sms_tx_claimed;

	sms_tx_claimed = 0;
	/* still sent directly (a setting may have changed since) */
	if (claimed && sms_tx_busy)
		sms_tx_part_at(sms_tx_direct() &&
		    strcmp(sms_tx_cur.progress, "prompt") == 0);
}

/*
 * Inside the transaction that queued a message (an incoming command's
 * reply): with the send side idle, take the next message to send
 * directly now and commit its first part's durable "prompt" record
 * (sms_tx_part()) with that transaction, which waits for the disk
 * anyway: one sync instead of two for a command and its reply.  The
 * AT+CMGS follows the commit at once, behind the delete of the command
 * from the modem's storage (deletes go first): that round trip is all
 * the record's window for a power cut grows by (a reply whose prompt
 * may have come is uncertain after a system restart, never sent twice).
 */
void
sms_tx_claim(void)
{
	if (sms_tx_busy || sms_tx_waiting || sms_tx_go_ev == NULL ||
	    store_txn_level() == 0 || modem_state() != MODEM_READY ||
	    settings_bool(sms_set.send_via_storage))
		return;
	if (sms_tx_take(time(NULL), 0) != 1)
		return;		/* the send side sees to it */
	if (!sms_tx_direct()) {
		sms_tx_drop();
		return;
	}
	sms_tx_set_progress("prompt", -1);
	if (sms_store_out_update(&sms_tx_cur, "sending", 0, NULL) == -1) {
		log_warnx("sms: message %lld: not taken with its transaction "
		    "(%s)", sms_tx_cur.id, store_errmsg());
		sms_tx_drop();
		return;
	}
	sms_tx_claimed = 1;
	if (store_undo_push(sms_tx_claim_end, NULL) != 0)
		sms_tx_claim_end(NULL, 0);
}

int
sms_tx_busy_now(void)
{
	return sms_tx_busy;
}

void
sms_tx_kick(void)
{
	if (sms_tx_ev != NULL)
		event_active(sms_tx_ev, EV_TIMEOUT, 0);
}

/* A message whose PDU a stopped daemon wrote waits for the modem's
 * answer until the modem is ready: then it is uncertain. */
static void
sms_tx_waiting_end(void)
{
	int n;

	if (!sms_tx_waiting)
		return;
	sms_tx_waiting = 0;
	if ((n = sms_store_out_unanswered()) == -1)
		log_warnx("sms: the messages written before the stop not "
		    "marked uncertain: %s", store_errmsg());
	else if (n > 0)
		log_warnx("sms: %d message(s) written to the modem before the "
		    "stop got no answer: marked uncertain", n);
}

/* "+CMGS: <mr>" with no AT+CMGS of ours in flight: the answer to the PDU
 * a stopped daemon wrote (a modem answers after its network did, often
 * seconds later; what it said while nobody had the port open may also
 * wait in the port).  That part went out. */
static void
sms_tx_late_answer(const char *line, const char *pdu, void *arg)
{
	const char *err;
	int mr, r;

	if (!sms_tx_waiting || sms_tx_busy ||
	    at_parse_cmgs(line, strlen(line), &mr, &err) == -1)
		return;
	if ((r = sms_store_out_answered(mr)) == -1) {
		log_warnx("sms: the modem's answer %d to the PDU written before "
		    "the stop not saved: %s", mr, store_errmsg());
		return;
	}
	if (r == 1) {
		log_info("sms: the PDU written before the stop went out "
		    "(message reference %d)", mr);
		sms_tx_waiting = 0;
		sms_tx_kick();
	}
}

static void
sms_tx_ready(void *arg)
{
	sms_tx_waiting_end();
	sms_tx_kick();
}

/* waiting: messages whose PDU a stopped daemon wrote, left 'sending' by
 * sms_store_out_recover for the modem's answer. */
void
sms_tx_start(struct event_base *base, int waiting)
{
	if ((sms_tx_enc = calloc(1, sizeof *sms_tx_enc)) == NULL)
		fatal("calloc");
	sms_tx_ev = evtimer_new(base, sms_tx_cb, NULL);
	sms_tx_go_ev = evtimer_new(base, sms_tx_go_cb, NULL);
	sms_tx_waiting = waiting > 0;
	if (modem_state() == MODEM_READY)
		sms_tx_waiting_end();	/* a restart in place: too late */
	modem_urc_subscribe_as("sms", "+CMGS:", sms_tx_late_answer, NULL);
	modem_ready_subscribe_as("sms", sms_tx_ready, NULL);
	sms_tx_copies_start(base);
	modem_ready_subscribe_as("sms", sms_tx_copies_ready, NULL);
	sms_tx_kick();
}

void
sms_tx_stop(void)
{
	if (sms_tx_ev != NULL) {
		event_free(sms_tx_ev);
		sms_tx_ev = NULL;
	}
	if (sms_tx_go_ev != NULL) {
		event_free(sms_tx_go_ev);
		sms_tx_go_ev = NULL;
	}
	sms_tx_claimed = 0;
	free(sms_tx_cur.text);
	sms_tx_cur.text = NULL;
	free(sms_tx_enc);
	sms_tx_enc = NULL;
	sms_tx_busy = 0;
	sms_tx_copies_stop();
}
