/*
 * sms_rx.c: the receive side.  No polling: +CMTI (and +CDSI) indications
 * make us read that one slot; at each modem (re)initialisation everything
 * already stored is listed with AT+CMGL=4.  Each PDU is decoded, committed
 * to SQLite (or recognised as a duplicate), and only then deleted from the
 * modem; a message that cannot be committed stays on the modem.  Complete
 * text messages then run as commands (smscmd), or go to the data port in
 * the bridge's SMS mode; status reports update the outbox; WAP push and
 * other data messages are logged and kept out of the command path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "at_parse.h"
#include "events.h"
#include "log.h"
#include "cmd.h"
#include "ctl.h"
#include "settings.h"
#include "modem.h"
#include "pdu.h"
#include "settings.h"
#include "smscmd.h"
#include "store.h"
#include "util.h"

#include <json-c/json.h>

#include "sms.h"
#include "sms_int.h"

#define SMS_RX_TIMEOUT_MS	30000
#define SMS_WAP_PORT		2948

static int sms_rx_offer(const char *, const uint8_t *, size_t);

static struct event *sms_rx_expire_ev;
static int sms_rx_running;
/* item 3: a failed begin/commit pauses processing; a timer retries it
 * with a doubling backoff (1 s .. 60 s) until a commit works */
#define SMS_RX_RETRY_MAX_S	60
static struct event *sms_rx_retry_ev;
static int sms_rx_paused;
static int sms_rx_backoff_s;
/* The storage AT+CMGR/AT+CMGL/AT+CMGD use (CPMS <mem1>, <mem2>): kept
 * equal to where the modem stores new messages (<mem3>, or the storage a
 * +CMTI names), so a message is read and deleted where it arrived. */
static char sms_rx_mem[AT_MEM_MAX];

static void sms_rx_schedule_expiry(void);

static void
sms_rx_event(long long id, const char *number, const char *kind)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "direction", json_object_new_string("in"));
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "number", json_object_new_string(number));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	events_publish("sms", o);
}

static void
sms_rx_delete(int index)
{
	char cmd[32];

	if (index < 0)
		return;
	snprintf(cmd, sizeof cmd, "AT+CMGD=%d", index);
	if (modem_submit(cmd, NULL, SMS_RX_TIMEOUT_MS, NULL, NULL) == -1)
		log_warnx("sms: cannot queue the delete of slot %d", index);
}

/* The fingerprint of one part or message: who, when, which part and,
 * for a whole message, what (with passwords redacted: the fingerprint is
 * kept, and must not keep a password).  A part needs no text: its
 * sender, time stamp, reference and number identify it. */
static void
sms_rx_fingerprint(char *fp, size_t len, const struct pdu_msg *m,
    const char *scts, const char *what)
{
	struct buf red;

	buf_init(&red, 4 * SMSCMD_MAX_LEN);
	if (what != NULL)
		smscmd_redact(what, strlen(what), &red);
	snprintf(fp, len, "%s%s|%s|%u|%u|%u|%s", m->addr.alpha ? "alpha:" : "",
	    m->addr.str, scts,
	    m->udh.concat ? m->udh.concat_ref : 0,
	    m->udh.concat ? m->udh.concat_seq : 0,
	    m->udh.concat ? m->udh.concat_parts : 0, buf_str(&red));
	buf_free(&red);
}

/* Commit one DELIVER or STATUS-REPORT: 1 new, 0 a duplicate, 2 not ours
 * (a message the user stored to send), -1 not committed (keep it on the
 * modem). */
static int
sms_rx_commit(const struct pdu_msg *m, const char *hex)
{
	char from[PDU_ADDR_MAX + 16];
	char scts[40] = "", fp[2048], data[2 * PDU_SEPTETS_MAX + 1];
	const char *kind = "text", *status = "new", *text = m->text;
	long long id = 0;
	int r;

	pdu_time_iso(&m->scts, scts, sizeof scts);
	/* an alphanumeric sender is a name anyone can choose, even one that
	 * reads "+4917...": marked, it never matches the phonebook */
	snprintf(from, sizeof from, "%s%s", m->addr.alpha ? "alpha:" : "",
	    m->addr.str);
	if (m->type == PDU_STATUS_REPORT) {
		const char *st = pdu_status_name(m->status);

		snprintf(fp, sizeof fp, "report|%s|%s|%u|%s", from, scts,
		    m->mr, st);
		r = sms_store_in(fp, from, scts[0] ? scts : NULL, st,
		    NULL, "gsm7", "status-report", "processed", &id);
		if (r == 1) {
			sms_store_delivery(m->mr, from, st);
			log_info("sms: status report for message reference %u "
			    "to %s: %s", m->mr, from, st);
			sms_rx_event(id, from, "status-report");
		}
		return r;
	}
	if (m->type != PDU_DELIVER)
		return 2;	/* a stored SUBMIT: the user's, not ours */
	pdu_bin_to_hex(m->data, m->data_len, data, sizeof data);
	if (m->udh.ports && m->udh.port_dst == SMS_WAP_PORT) {
		kind = "wap";
		status = "ignored";
	} else if (m->coding == PDU_CODING_8BIT) {
		kind = "data";
		status = "ignored";
		text = NULL;
	} else if (m->msg_class == 0)
		kind = "class0";
	if (m->udh.concat && m->udh.concat_parts > 1 && text != NULL &&
	    strcmp(status, "new") == 0) {
		sms_rx_fingerprint(fp, sizeof fp, m, scts, NULL);
		r = sms_store_part(fp, from, m->udh.concat_ref,
		    m->udh.concat_parts, m->udh.concat_seq, text,
		    scts[0] ? scts : NULL, &id);
		if (r == 1) {
			log_info("sms: part %u of %u from %s stored%s",
			    m->udh.concat_seq, m->udh.concat_parts, from,
			    id > 0 ? ": message complete" : "");
			if (id > 0)
				sms_rx_event(id, from, kind);
			sms_rx_schedule_expiry();
		}
		return r;
	}
	sms_rx_fingerprint(fp, sizeof fp, m, scts, text != NULL ? text : data);
	r = sms_store_in(fp, from, scts[0] ? scts : NULL, text,
	    text == NULL || strcmp(kind, "wap") == 0 ? data : NULL,
	    pdu_coding_name(m->coding), kind, status, &id);
	if (r == 1) {
		log_info("sms: message %lld from %s stored (%s)", id,
		    from, kind);
		sms_rx_event(id, from, kind);
	}
	(void)hex;
	return r;
}

/* One PDU read from slot `index` (-1: delivered directly, not stored). */
static void
sms_rx_pdu(int index, const char *hex)
{
	struct pdu_msg *m = malloc(sizeof *m);
	const char *reason;
	char fp[1024], esc[64];
	long long id;
	int r;

	if (m == NULL)
		return;
	if (pdu_decode_hex(hex, strlen(hex), PDU_F_LENIENT, m, &reason) == -1) {
		/* keep what cannot be decoded: nothing is lost */
		util_escape(esc, sizeof esc, hex, strlen(hex));
		log_warnx("sms: slot %d holds an undecodable PDU (%s): %s",
		    index, reason, esc);
		snprintf(fp, sizeof fp, "raw|%.900s", hex);
		r = sms_store_in(fp, "", NULL, NULL, hex, "raw", "invalid",
		    "ignored", &id);
	} else
		r = sms_rx_commit(m, hex);
	free(m);
	if (r == -1) {
		log_warnx("sms: slot %d not saved (%s): left on the modem",
		    index, store_errmsg());
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
	sms_rx_delete(index);
}

/* The PDU line that follows each +CMGL:/+CMGR: header (kind); a +CMGL
 * header names its slot, a +CMGR answer is for `index`. */
static void
sms_rx_lines(const struct modem_response *r, enum at_sms_hdr_kind kind,
    int index)
{
	struct at_sms_hdr h;
	const char *err;
	char esc[64];

	for (size_t i = 0; i + 1 < r->nlines; i++) {
		int idx = index;

		if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]), 0, &h,
		    &err) == -1) {
			if (strncmp(r->lines[i], kind == AT_SMS_CMGL ?
			    "+CMGL:" : "+CMGR:", 6) == 0) {
				util_escape(esc, sizeof esc, r->lines[i],
				    strlen(r->lines[i]));
				log_warnx("sms: header not understood (%s), "
				    "left on the modem: %s", err, esc);
				i++;
			}
			continue;
		}
		if (h.kind != kind)
			continue;
		if (kind == AT_SMS_CMGL)
			idx = (int)h.index;
		sms_rx_pdu(idx, r->lines[i + 1]);
		i++;
	}
}

static void
sms_rx_list_done(const struct modem_response *r, void *arg)
{
	if (r->final != MODEM_OK) {
		log_warnx("sms: listing stored messages failed: %s",
		    r->final_line);
		return;
	}
	sms_rx_lines(r, AT_SMS_CMGL, -1);
	sms_rx_process_new();
}

static void
sms_rx_read_done(const struct modem_response *r, void *arg)
{
	int index = (int)(intptr_t)arg;

	if (r->final != MODEM_OK) {
		log_warnx("sms: reading slot %d failed: %s", index,
		    r->final_line);
		return;
	}
	sms_rx_lines(r, AT_SMS_CMGR, index);
	sms_rx_process_new();
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
	char cmd[32];
	long long index;

	if (at_parse_msgind(line, strlen(line), &ind, &err) == -1) {
		log_warnx("sms: bad indication ignored: %s", err);
		return;
	}
	index = ind.index;
	sms_rx_use_mem(ind.mem);
	snprintf(cmd, sizeof cmd, "AT+CMGR=%lld", index);
	if (modem_submit_h("sms", cmd, NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_read_done, (void *)(intptr_t)index) == 0)
		log_warnx("sms: cannot read slot %lld now; it is read at the "
		    "next initialisation", index);
}

/* +CMT / +CDS: delivered directly with the PDU. */
static void
sms_rx_direct(const char *line, const char *pdu, void *arg)
{
	if (pdu != NULL) {
		sms_rx_pdu(-1, pdu);
		sms_rx_process_new();
	}
}

static void
sms_rx_cpms_done(const struct modem_response *r, void *arg)
{
	struct at_cpms c;
	const char *err;

	if (r->final == MODEM_OK && r->nlines > 0 &&
	    at_parse_cpms(r->lines[0], strlen(r->lines[0]), &c, &err) == 0 &&
	    c.has_names && c.nmem == 3) {
		util_strlcpy(sms_rx_mem, c.mem[0].name, sizeof sms_rx_mem);
		if (strcmp(c.mem[0].name, c.mem[2].name) != 0 ||
		    strcmp(c.mem[1].name, c.mem[2].name) != 0) {
			sms_rx_mem[0] = '\0';
			sms_rx_use_mem(c.mem[2].name);
		}
	}
	if (modem_submit_h("sms", "AT+CMGL=4", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_list_done, NULL) == 0)
		log_warnx("sms: cannot list stored messages now");
}

/* At each (re)initialisation: read and delete where messages arrive,
 * then everything already stored. */
void
sms_rx_ready(void *arg)
{
	sms_rx_mem[0] = '\0';
	if (modem_submit_h("sms", "AT+CPMS?", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_cpms_done, NULL) == 0)
		log_warnx("sms: cannot list stored messages now");
}

static void
sms_rx_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	sms_rx_paused = 0;
	sms_rx_process_new();
}

/* Pause processing and retry later, with a doubling backoff. */
static void
sms_rx_pause(void)
{
	struct timeval tv = { 0, 0 };

	sms_rx_paused = 1;
	sms_rx_backoff_s = sms_rx_backoff_s == 0 ? 1 :
	    sms_rx_backoff_s >= SMS_RX_RETRY_MAX_S / 2 ? SMS_RX_RETRY_MAX_S :
	    sms_rx_backoff_s * 2;
	tv.tv_sec = sms_rx_backoff_s;
	if (sms_rx_retry_ev != NULL)
		event_add(sms_rx_retry_ev, &tv);
	log_info("sms: processing retried in %d s", sms_rx_backoff_s);
}

/* Run every committed, not yet processed message. */
void
sms_rx_process_new(void)
{
	long long id;
	char number[64];
	char *text;
	int done = 0;

	while (sms_rx_running && !sms_rx_paused &&
	    sms_store_next_new(&id, number, sizeof number, &text) == 1) {
		struct buf reply, redacted;
		struct smscmd_msg *probe;
		const char *err;
		char e[256];
		size_t len = text != NULL ? strlen(text) : 0;
		int send = 0, to_port = 0;

		/* one transaction for the message, the commands it runs,
		 * its reply and its "processed" mark: a stop anywhere in
		 * between leaves all undone, and it runs again at start,
		 * so its commands take effect once */
		if (store_begin() == -1) {
			log_warnx("sms: message %lld not processed now: %s",
			    id, store_errmsg());
			free(text);
			sms_rx_pause();
			break;
		}
		buf_init(&reply, SMSCMD_MAX_LEN);
		/* "***" can stand for one byte: room for 4x the longest text
		 * (item 6: it was cut at 6400 bytes, unmarked) */
		buf_init(&redacted, 4 * (SMS_TEXT_MAX + sizeof SMS_CUT_MARKER));
		/* the bridge's SMS mode takes DSTNUM's messages, except
		 * commands that carry a password */
		if (text != NULL && (probe = malloc(sizeof *probe)) != NULL) {
			int cmd = smscmd_parse(text, len, probe, &err) == 0 &&
			    probe->has_password;

			explicit_bzero(probe, sizeof *probe);
			free(probe);
			if (!cmd)
				to_port = sms_rx_offer(number,
				    (const uint8_t *)text, len);
		}
		if (text != NULL && !to_port)
			send = smscmd_handle(number, text, len, &reply);
		if (text != NULL) {
			smscmd_redact(text, len, &redacted);
			buf_mark_cut(&redacted, SMS_CUT_MARKER);
		}
		/* a reply that needs UCS-2 fits fewer characters in ten
		 * parts: cut it further if it must */
		if (send && sms_send(number, buf_str(&reply), reply.len, "auto",
		    "reply", e, sizeof e) == -1) {
			smscmd_cut(&reply, 600);
			if (sms_send(number, buf_str(&reply), reply.len, "auto",
			    "reply", e, sizeof e) == -1)
				log_warnx("sms: reply to %s not queued: %s",
				    number, e);
		}
		if (sms_store_set_status(id, to_port ? "bridged" : "processed",
		    text != NULL ? buf_str(&redacted) : NULL) == -1 ||
		    store_commit() == -1) {
			store_rollback();
			log_warnx("sms: message %lld not processed: %s", id,
			    store_errmsg());
			sms_rx_pause();
		} else
			sms_rx_backoff_s = 0;
		buf_free(&reply);
		buf_free(&redacted);
		free(text);
		done++;
	}
	/* the raw text (with its password) is only in the write-ahead log
	 * now: write the log out and truncate it */
	if (done > 0 && store_checkpoint() == -1)
		log_warnx("sms: %s", store_errmsg());
	sms_tx_kick();
}

static void
sms_rx_expire_cb(evutil_socket_t fd, short what, void *arg)
{
	long long timeout = settings_int(sms_set.concat_timeout);
	int n;

	if (sms_store_expire_parts((long long)time(NULL) - timeout,
	    smscmd_redact, &n) == 0 && n > 0) {
		log_info("sms: %d incomplete message(s) kept with gaps after "
		    "%lld s (not run as commands)", n, timeout);
		sms_rx_process_new();
	}
	sms_rx_schedule_expiry();
}

/* A timer for the oldest waiting part, only while parts wait. */
static void
sms_rx_schedule_expiry(void)
{
	long long oldest = sms_store_oldest_part(), due;
	struct timeval tv = { 0, 0 };

	if (oldest == 0) {
		event_del(sms_rx_expire_ev);
		return;
	}
	due = oldest + settings_int(sms_set.concat_timeout) -
	    (long long)time(NULL) + 1;
	tv.tv_sec = due > 0 ? (time_t)due : 0;
	event_add(sms_rx_expire_ev, &tv);
}

/* --- subscribers to incoming messages -------------------------------- */

#define SMS_IN_SUBS_MAX	4

static struct {
	sms_in_fn	*fn;
	void		*arg;
} sms_in_subs[SMS_IN_SUBS_MAX];

int
sms_in_subscribe(sms_in_fn *fn, void *arg)
{
	for (size_t i = 0; i < SMS_IN_SUBS_MAX; i++)
		if (sms_in_subs[i].fn == NULL) {
			sms_in_subs[i].fn = fn;
			sms_in_subs[i].arg = arg;
			return 0;
		}
	return -1;
}

void
sms_in_unsubscribe(sms_in_fn *fn, void *arg)
{
	for (size_t i = 0; i < SMS_IN_SUBS_MAX; i++)
		if (sms_in_subs[i].fn == fn && sms_in_subs[i].arg == arg)
			sms_in_subs[i].fn = NULL;
}

/* Offer a message to each subscriber in turn: 1 if one took it. */
static int
sms_rx_offer(const char *number, const uint8_t *data, size_t len)
{
	for (size_t i = 0; i < SMS_IN_SUBS_MAX; i++)
		if (sms_in_subs[i].fn != NULL &&
		    sms_in_subs[i].fn(number, data, len, sms_in_subs[i].arg))
			return 1;
	return 0;
}

void
sms_rx_start(struct event_base *base)
{
	sms_rx_running = 1;
	sms_rx_paused = 0;
	sms_rx_backoff_s = 0;
	sms_rx_expire_ev = evtimer_new(base, sms_rx_expire_cb, NULL);
	sms_rx_retry_ev = evtimer_new(base, sms_rx_retry_cb, NULL);
	modem_urc_subscribe_as("sms", "+CMTI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CDSI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CMT:", sms_rx_direct, NULL);
	modem_urc_subscribe_as("sms", "+CDS:", sms_rx_direct, NULL);
	modem_ready_subscribe_as("sms", sms_rx_ready, NULL);
	sms_rx_schedule_expiry();
	sms_rx_process_new();	/* left by a stop before processing */
}

void
sms_rx_stop(void)
{
	sms_rx_running = 0;
	if (sms_rx_expire_ev != NULL) {
		event_free(sms_rx_expire_ev);
		sms_rx_expire_ev = NULL;
	}
	if (sms_rx_retry_ev != NULL) {
		event_free(sms_rx_retry_ev);
		sms_rx_retry_ev = NULL;
	}
}
