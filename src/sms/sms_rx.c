/*
 * sms_rx.c: the receive side's AT work.  No polling: +CMTI (and +CDSI)
 * indications make us read that one slot; everything stored is listed
 * with AT+CMGL=4 at each modem (re)initialisation, when the storage
 * reports itself full, and again whenever something may have been
 * missed (a read or delete that failed, an indication that could not be
 * queued): then after a short delay that doubles while it keeps failing.
 * A return to MODEM_READY that ran no initialisation (a recovery that
 * found the modem only slow) lists too: the modem event says so.
 * Listings are coalesced: one queued or in flight at a time, one more
 * afterwards if something was missed meanwhile.  Each PDU is handed to
 * sms_rx_save.c (decoded, committed to SQLite or recognised as a copy)
 * and only then deleted from the modem; a message that cannot be
 * committed stays on the modem, and so does one command whose password
 * check has no turn yet, read again at its turn.  Per slot we keep
 * whether a delete is pending and how many deletes completed (its
 * generation): a slot is deleted only if no delete of it is pending and
 * none completed since its content was read, so a message the network
 * put into a freed slot is never deleted unread.  sms_rx_run.c runs what was committed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "at_parse.h"
#include "events.h"
#include "log.h"
#include "modem.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"
#include "sms_slots.h"

#define SMS_RX_TIMEOUT_MS	30000
#define SMS_RX_SLOTS_MAX	256	/* slots tracked at once */
#define SMS_RX_LISTED_MAX	512	/* slots one listing reconciles */
#define SMS_RX_RETRY_MIN_S	1	/* listing again after a miss */
#define SMS_RX_RETRY_MAX_S	60

/* The storage AT+CMGR/AT+CMGL/AT+CMGD use (CPMS <mem1>, <mem2>): kept
 * equal to where the modem stores new messages (<mem3>, or the storage a
 * +CMTI names), so a message is read and deleted where it arrived. */
static char sms_rx_mem[AT_MEM_MAX];

/* One storage slot's bookkeeping. */
struct sms_rx_slot {
	char		mem[AT_MEM_MAX];
	int		index;		/* -1: entry free */
	int		del_pending;	/* an AT+CMGD not ended yet */
	int		reads;		/* AT+CMGR not ended yet */
	unsigned	gen;		/* deletes of it completed */
};
static struct sms_rx_slot sms_rx_slots[SMS_RX_SLOTS_MAX];

/* The listing: at most one queued or in flight; owed: one more is
 * needed (something was missed); delay_s: the next retry's delay,
 * doubling until a delete succeeds again. */
static struct {
	int		 busy;
	int		 owed;
	int		 delay_s;
	char		 mem[AT_MEM_MAX];	/* the storage listed */
	struct event	*ev_retry;
	struct event	*ev_ready;	/* the state became ready */
} sms_rx_list_st;

static void sms_rx_list(const char *why);

/* The command left in its storage slot for its password check's turn
 * (sms_rx_save() SMS_RX_HELD), read again at the turn: at most one, so
 * a stranger's guess held there never stands before the owner's
 * command, which is then saved and runs first (phonebook numbers go
 * first), and a flood of guesses never fills the modem's storage.  A
 * phonebook number's held command keeps the next turn for itself
 * (sms_rx_held_reserves()): no other command takes it while it is read
 * again. */
static struct {
	char	mem[AT_MEM_MAX];
	int	index;		/* -1: none */
	int	listed;		/* its sender is in the phonebook */
	int	reading;	/* read again, the answer not in yet */
} sms_rx_held = { "", -1, 0, 0 };

static struct sms_rx_slot *
sms_rx_slot(const char *mem, int index)
{
	struct sms_rx_slot *s, *idle = NULL;

	for (size_t i = 0; i < nitems(sms_rx_slots); i++) {
		s = &sms_rx_slots[i];
		if (s->index == index && strcmp(s->mem, mem) == 0)
			return s;
		if (idle == NULL && (s->index == -1 ||
		    (s->del_pending == 0 && s->reads == 0)))
			idle = s;
	}
	if (idle == NULL)
		return NULL;
	/* an idle entry's generation is needed by no read in flight */
	memset(idle, 0, sizeof *idle);
	util_strlcpy(idle->mem, mem, sizeof idle->mem);
	idle->index = index;
	return idle;
}

/* Something may have been missed: list again soon (never at once, so a
 * fault that persists is retried at a falling rate, not in a loop). */
static void
sms_rx_missed(const char *what)
{
	struct timeval tv;

	sms_rx_list_st.owed = 1;
	if (sms_rx_list_st.ev_retry == NULL ||
	    evtimer_pending(sms_rx_list_st.ev_retry, NULL))
		return;
	if (sms_rx_list_st.delay_s == 0)
		sms_rx_list_st.delay_s = SMS_RX_RETRY_MIN_S;
	log_info("sms: %s: storage is listed again in %d s", what,
	    sms_rx_list_st.delay_s);
	tv.tv_sec = sms_rx_list_st.delay_s;
	tv.tv_usec = 0;
	evtimer_add(sms_rx_list_st.ev_retry, &tv);
	sms_rx_list_st.delay_s *= 2;
	if (sms_rx_list_st.delay_s > SMS_RX_RETRY_MAX_S)
		sms_rx_list_st.delay_s = SMS_RX_RETRY_MAX_S;
}

static void
sms_rx_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { SMS_RX_RETRY_MAX_S, 0 };

	if (!sms_rx_list_st.owed)
		return;
	if (modem_state() != MODEM_READY) {
		/* the ready hook lists; this is for a recovery without one */
		if (sms_rx_list_st.delay_s < SMS_RX_RETRY_MAX_S)
			tv.tv_sec = sms_rx_list_st.delay_s > 0 ?
			    sms_rx_list_st.delay_s : SMS_RX_RETRY_MIN_S;
		evtimer_add(sms_rx_list_st.ev_retry, &tv);
		return;
	}
	sms_rx_list("retry");
}

static void
sms_rx_delete_done(const struct modem_response *r, void *arg)
{
	struct sms_rx_slot *s = arg;

	s->del_pending = 0;
	if (r->final != MODEM_OK) {
		log_warnx("sms: deleting %s slot %d failed: %s", s->mem,
		    s->index, r->final_line);
		sms_rx_missed("a delete failed");
		return;
	}
	s->gen++;
	sms_rx_list_st.delay_s = 0;	/* progress: retry soon again */
	if (sms_slots_deleted(s->mem, s->index) == -1)
		log_warnx("sms: the delete of %s slot %d not recorded: %s",
		    s->mem, s->index, store_errmsg());
}

/* Delete slot `index` of mem whose content was read at generation gen
 * and committed, unless a delete of it is pending (that one removes the
 * same content) or completed since (the slot may hold a new message). */
static void
sms_rx_delete(const char *mem, int index, unsigned gen)
{
	struct sms_rx_slot *s;
	char cmd[32];

	if (index < 0)
		return;
	if ((s = sms_rx_slot(mem, index)) == NULL) {
		log_warnx("sms: too many slots in use: slot %d left on the "
		    "modem for now", index);
		sms_rx_missed("a delete could not be tracked");
		return;
	}
	if (s->del_pending || s->gen != gen) {
		log_debug("sms: %s slot %d: delete already %s", mem, index,
		    s->del_pending ? "pending" : "done since it was read");
		return;
	}
	snprintf(cmd, sizeof cmd, "AT+CMGD=%d", index);
	if (modem_submit_h("sms", cmd, NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_delete_done, s) == 0) {
		log_warnx("sms: cannot queue the delete of slot %d", index);
		sms_rx_missed("a delete could not be queued");
		return;
	}
	s->del_pending = 1;
}

/* The generation of a slot as its content is read now. */
static unsigned
sms_rx_gen(const char *mem, int index)
{
	struct sms_rx_slot *s = sms_rx_slot(mem, index);

	return s != NULL ? s->gen : 0;
}

/* One PDU read from slot `index` of mem (-1: delivered directly, not
 * stored) at generation gen: saved (sms_rx_save.c), then deleted from
 * the modem unless it could not be saved or is not ours. */
static void
sms_rx_pdu(const char *mem, int index, unsigned gen, const char *hex)
{
	int held = sms_rx_held.index == index && index >= 0 &&
	    strcmp(sms_rx_held.mem, mem != NULL ? mem : "") == 0;
	int listed, r;

	if (held)	/* its turn is its own now */
		sms_rx_held.index = -1;
	r = sms_rx_save(mem, index, hex, held ? SMS_RX_HOLD_AGAIN :
	    sms_rx_held.index == -1, &listed);
	if (r == SMS_RX_HELD) {
		util_strlcpy(sms_rx_held.mem, mem != NULL ? mem : "",
		    sizeof sms_rx_held.mem);
		sms_rx_held.index = index;
		sms_rx_held.listed = listed;
		sms_rx_held.reading = 0;
		sms_rx_turn_wanted();
		return;
	}
	if (r == -1) {
		log_warnx("sms: slot %d not saved (%s): left on the modem",
		    index, store_errmsg());
		if (index >= 0)
			sms_rx_missed("a message could not be saved");
		return;
	}
	if (r == 2) {
		log_debug("sms: slot %d holds a message to send, not ours: "
		    "left on the modem", index);
		return;
	}
	if (r == 0)
		log_debug("sms: slot %d is a copy of a message already saved",
		    index);
	sms_rx_delete(mem, index, gen);
}

/* The PDU line that follows each +CMGL:/+CMGR: header (kind); a +CMGL
 * header names its slot, a +CMGR answer is for `index`.  The slots a
 * listing showed go to listed (NULL: not wanted); -1 when a header was
 * not understood (the listing is then not complete), else their count. */
static int
sms_rx_lines(const struct modem_response *r, enum at_sms_hdr_kind kind,
    const char *mem, int index, int *listed, size_t maxlisted)
{
	struct at_sms_hdr h;
	const char *err;
	char esc[64];
	size_t n = 0;
	int complete = 1;

	for (size_t i = 0; i < r->nlines; i++) {
		int idx = index;

		if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]), 0, &h,
		    &err) == -1) {
			if (strncmp(r->lines[i], kind == AT_SMS_CMGL ?
			    "+CMGL:" : "+CMGR:", 6) == 0) {
				util_escape(esc, sizeof esc, r->lines[i],
				    strlen(r->lines[i]));
				log_warnx("sms: header not understood (%s), "
				    "left on the modem: %s", err, esc);
				complete = 0;
				i++;
			}
			continue;
		}
		/* the PDU on the header's line ("+CMGR: 0,,24 0791...") or
		 * the next */
		if (h.kind != kind || (h.pdu_len == 0 && i + 1 == r->nlines))
			continue;
		if (kind == AT_SMS_CMGL)
			idx = (int)h.index;
		if (listed != NULL) {
			if (n < maxlisted)
				listed[n++] = idx;
			else
				complete = 0;
		}
		sms_rx_pdu(mem, idx, sms_rx_gen(mem, idx), h.pdu_len > 0 ?
		    r->lines[i] + h.pdu_off : r->lines[++i]);
	}
	return complete ? (int)n : -1;
}

static void
sms_rx_list_done(const struct modem_response *r, void *arg)
{
	int listed[SMS_RX_LISTED_MAX], n;

	sms_rx_list_st.busy = 0;
	if (r->final != MODEM_OK) {
		log_warnx("sms: listing stored messages failed: %s",
		    r->final_line);
		sms_rx_missed("the listing failed");
		return;
	}
	n = sms_rx_lines(r, AT_SMS_CMGL, sms_rx_list_st.mem, -1, listed,
	    nitems(listed));
	/* what is recorded in a slot the listing did not show is gone */
	if (n >= 0 && sms_slots_reconcile(sms_rx_list_st.mem, listed,
	    (size_t)n) == -1)
		log_warnx("sms: the slot ledger not updated: %s",
		    store_errmsg());
	sms_rx_process_new();
	if (sms_rx_list_st.owed && !evtimer_pending(sms_rx_list_st.ev_retry,
	    NULL))
		sms_rx_list("something was missed meanwhile");
}

/* A read of slot s ended: if it was the held message read again and
 * its answer did not hold it again (no PDU in it, or the read failed),
 * nothing is held any more (a listing finds it if it is still there). */
static void
sms_rx_held_gone(const struct sms_rx_slot *s)
{
	if (sms_rx_held.reading && sms_rx_held.index == s->index &&
	    strcmp(sms_rx_held.mem, s->mem) == 0)
		sms_rx_held.index = -1;
}

static void
sms_rx_read_done(const struct modem_response *r, void *arg)
{
	struct sms_rx_slot *s = arg;

	if (s->reads > 0)
		s->reads--;
	if (r->final != MODEM_OK) {
		log_warnx("sms: reading slot %d failed: %s", s->index,
		    r->final_line);
		sms_rx_held_gone(s);
		sms_rx_missed("a read failed");
		return;
	}
	sms_rx_lines(r, AT_SMS_CMGR, s->mem, s->index, NULL, 0);
	sms_rx_held_gone(s);
	sms_rx_process_new();
}

/* Read slot `index` of the storage in use (the one AT+CMGR reads):
 * 0, or -1 not queued. */
static int
sms_rx_read(int index)
{
	struct sms_rx_slot *s;
	char cmd[32];

	if ((s = sms_rx_slot(sms_rx_mem, index)) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "AT+CMGR=%d", index);
	if (modem_submit_h("sms", cmd, NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_read_done, s) == 0)
		return -1;
	s->reads++;
	return 0;
}

int
sms_rx_held_reserves(void)
{
	return sms_rx_held.index != -1 && sms_rx_held.listed;
}

int
sms_rx_held_waiting(void)
{
	return sms_rx_held.index != -1 && !sms_rx_held.reading;
}

int
sms_rx_held_reread(int listed_only)
{
	if (!sms_rx_held_waiting() || (listed_only && !sms_rx_held.listed))
		return 0;
	if (strcmp(sms_rx_held.mem, sms_rx_mem) != 0 ||
	    modem_state() != MODEM_READY) {
		/* another storage in use, or the modem away: the next
		 * listing reads it */
		sms_rx_held.index = -1;
		sms_rx_missed("a message left for its turn");
		return 0;
	}
	if (sms_rx_read(sms_rx_held.index) == -1) {
		sms_rx_held.index = -1;
		sms_rx_missed("a message left for its turn could not be read");
		return 0;
	}
	sms_rx_held.reading = 1;
	return 1;
}

/* Make `mem` the storage read and deleted in (a name of letters only). */
static void
sms_rx_use_mem(const char *mem)
{
	char cmd[64];

	if (mem[0] == '\0' || strcmp(mem, sms_rx_mem) == 0 ||
	    strspn(mem, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(mem))
		return;
	snprintf(cmd, sizeof cmd, "AT+CPMS=\"%s\",\"%s\",\"%s\"", mem, mem,
	    mem);
	if (modem_submit(cmd, NULL, SMS_RX_TIMEOUT_MS, NULL, NULL) == 0)
		util_strlcpy(sms_rx_mem, mem, sizeof sms_rx_mem);
}

/* +CMTI: "SM",3 and +CDSI: "SM",4: read that slot of that storage. */
static void
sms_rx_indication(const char *line, const char *pdu, void *arg)
{
	struct at_msgind ind;
	const char *err;
	long long index;

	if (at_parse_msgind(line, strlen(line), &ind, &err) == -1) {
		log_warnx("sms: bad indication ignored: %s", err);
		sms_rx_missed("an indication not understood");
		return;
	}
	index = ind.index;
	sms_rx_use_mem(ind.mem);
	if (index < 0 || index > INT32_MAX) {
		sms_rx_missed("an indication could not be tracked");
		return;
	}
	if (sms_rx_read((int)index) == -1) {
		log_warnx("sms: cannot read slot %lld now", index);
		sms_rx_missed("an indication could not be queued");
	}
}

/* +CMT / +CDS: delivered directly with the PDU. */
static void
sms_rx_direct(const char *line, const char *pdu, void *arg)
{
	if (pdu != NULL) {
		sms_rx_pdu(NULL, -1, 0, pdu);
		sms_rx_process_new();
	}
}

/* The memory-full indications: +CIEV: "smsfull",1 (generic, u-blox;
 * "SMSFULL" SIMCom), +QIND: "smsfull","ME" (Quectel), ^SMMEMFULL: "SM"
 * (Huawei).  Drain the storage at once. */
static void
sms_rx_full(const char *line, const char *pdu, void *arg)
{
	char esc[64];
	const char *p = line + strcspn(line, ":");

	if (*p == ':')
		p++;
	p += strspn(p, " ");
	if (strncmp(line, "+CIEV:", 6) == 0) {
		if (strncasecmp(p, "\"smsfull\",", 10) != 0 ||
		    strtol(p + 10, NULL, 10) != 1)
			return;	/* another indicator, or cleared */
	} else if (strncmp(line, "+QIND:", 6) == 0 &&
	    strncasecmp(p, "\"smsfull\"", 9) != 0)
		return;
	util_escape(esc, sizeof esc, line, strlen(line));
	log_warnx("sms: the modem says its message storage is full (%s): "
	    "draining it", esc);
	sms_rx_list("storage full");
}

static void
sms_rx_cpms_done(const struct modem_response *r, void *arg)
{
	struct at_cpms c;
	const char *err;

	if (r->final == MODEM_GONE) {
		sms_rx_list_st.busy = 0;
		sms_rx_missed("the listing was cut off");
		return;
	}
	if (r->final == MODEM_OK && r->nlines > 0 &&
	    at_parse_cpms(r->lines[0], strlen(r->lines[0]), &c, &err) == 0 &&
	    c.has_names && c.nmem == 3) {
		util_strlcpy(sms_rx_mem, c.mem[0].name, sizeof sms_rx_mem);
		if (strcmp(c.mem[0].name, c.mem[2].name) != 0 ||
		    strcmp(c.mem[1].name, c.mem[2].name) != 0) {
			sms_rx_mem[0] = '\0';
			sms_rx_use_mem(c.mem[2].name);
		}
		if (c.mem[2].total > 0 && c.mem[2].used >= c.mem[2].total)
			log_warnx("sms: message storage %s is full (%ld of "
			    "%ld): draining it", c.mem[2].name,
			    c.mem[2].used, c.mem[2].total);
	}
	util_strlcpy(sms_rx_list_st.mem, sms_rx_mem,
	    sizeof sms_rx_list_st.mem);
	if (modem_submit_h("sms", "AT+CMGL=4", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_list_done, NULL) == 0) {
		sms_rx_list_st.busy = 0;
		sms_rx_missed("the listing could not be queued");
	}
}

/* List everything stored (after learning where: AT+CPMS?), or, with a
 * listing already under way, once more after it. */
static void
sms_rx_list(const char *why)
{
	if (sms_rx_list_st.busy) {
		sms_rx_list_st.owed = 1;
		return;
	}
	sms_rx_list_st.owed = 0;
	if (sms_rx_list_st.ev_retry != NULL)
		evtimer_del(sms_rx_list_st.ev_retry);
	log_debug("sms: listing stored messages (%s)", why);
	if (modem_submit_h("sms", "AT+CPMS?", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_cpms_done, NULL) == 0) {
		sms_rx_missed("the listing could not be queued");
		return;
	}
	sms_rx_list_st.busy = 1;
}

/* Just after the modem became ready: unless its ready hook (an
 * initialisation) started a listing, a recovery skipped it; list. */
static void
sms_rx_ready_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!sms_rx_list_st.busy && modem_state() == MODEM_READY)
		sms_rx_list("modem ready again");
}

static void
sms_rx_on_event(struct json_object *ev, void *arg)
{
	struct json_object *v;

	if (!json_object_object_get_ex(ev, "event", &v) ||
	    strcmp(json_object_get_string(v), "modem") != 0 ||
	    !json_object_object_get_ex(ev, "change", &v) ||
	    strcmp(json_object_get_string(v), "state") != 0 ||
	    !json_object_object_get_ex(ev, "state", &v) ||
	    strcmp(json_object_get_string(v), "ready") != 0)
		return;
	if (sms_rx_list_st.ev_ready != NULL)
		event_active(sms_rx_list_st.ev_ready, 0, 0);
}

/* At each (re)initialisation: read and delete where messages arrive,
 * then everything already stored.  The slots' marks (reads, del_pending)
 * and the generations stay: every command ends exactly once, through its
 * callback, which clears its mark.  Those queued before the
 * initialisation ended with it (MODEM_GONE); those queued during it (a
 * +CMTI read while the modem registered: the port takes commands in
 * every state) are still in flight.  Cleared here, such a read's entry
 * would be idle and could be given to another slot before its answer
 * came, which would then be saved as that slot's, and listed again from
 * its own slot as a repeat and run twice. */
void
sms_rx_ready(void *arg)
{
	sms_rx_mem[0] = '\0';
	sms_rx_held.index = -1;	/* the listing reads it */
	sms_rx_list_st.busy = 0;
	sms_rx_list_st.delay_s = 0;
	sms_rx_list("modem ready");
}

void
sms_rx_start(struct event_base *base)
{
	for (size_t i = 0; i < nitems(sms_rx_slots); i++)
		sms_rx_slots[i].index = -1;
	sms_rx_held.index = -1;
	memset(&sms_rx_list_st, 0, sizeof sms_rx_list_st);
	sms_rx_list_st.ev_retry = evtimer_new(base, sms_rx_retry_cb, NULL);
	sms_rx_list_st.ev_ready = event_new(base, -1, 0, sms_rx_ready_cb,
	    NULL);
	if (sms_rx_list_st.ev_retry == NULL ||
	    sms_rx_list_st.ev_ready == NULL ||
	    events_add_sink(sms_rx_on_event, NULL) == -1)
		log_warnx("sms: no retry timer or modem events: a missed "
		    "message waits for the next initialisation");
	sms_rx_run_start(base);
	modem_urc_subscribe_as("sms", "+CMTI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CDSI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CMT:", sms_rx_direct, NULL);
	modem_urc_subscribe_as("sms", "+CDS:", sms_rx_direct, NULL);
	modem_urc_subscribe_as("sms", "+CIEV:", sms_rx_full, NULL);
	modem_urc_subscribe_as("sms", "+QIND:", sms_rx_full, NULL);
	modem_urc_subscribe_as("sms", "^SMMEMFULL:", sms_rx_full, NULL);
	modem_ready_subscribe_as("sms", sms_rx_ready, NULL);
	sms_rx_process_new();	/* left by a stop before processing */
}

void
sms_rx_stop(void)
{
	events_remove_sink(sms_rx_on_event, NULL);
	if (sms_rx_list_st.ev_retry != NULL) {
		event_free(sms_rx_list_st.ev_retry);
		sms_rx_list_st.ev_retry = NULL;
	}
	if (sms_rx_list_st.ev_ready != NULL) {
		event_free(sms_rx_list_st.ev_ready);
		sms_rx_list_st.ev_ready = NULL;
	}
	sms_rx_run_stop();
}
