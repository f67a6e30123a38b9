/*
 * sms_rx_save.c: one received PDU into the message log.  Decoded (what
 * cannot be decoded is kept raw), fingerprinted (sender, service-centre
 * time, concatenation reference and part, text with passwords redacted),
 * committed to SQLite or recognised as a copy already saved (the slot
 * ledger of sms_slots.c tells a copy from a genuine repeat, which is
 * stored under a fingerprint of its own).  Parts of a
 * concatenated message wait in SQLite for the rest; status reports update
 * the outbox; WAP push and other data messages are kept out of the
 * command path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "events.h"
#include "log.h"
#include "pdu.h"
#include "smscmd.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"
#include "sms_slots.h"

#define SMS_WAP_PORT		2948

/* The "sms" event of the message being saved: published once its
 * transaction committed (NULL: none). */
static struct json_object *sms_rx_pending_event;
/* The message just saved with status "new", to be run (0: none), and
 * whether it was joined from parts, whose text was committed before. */
static long long sms_rx_new_id;
static int sms_rx_new_joined;
static char sms_rx_new_from[PDU_ADDR_MAX + 16];	/* its sender */

static void
sms_rx_event(long long id, const char *number, const char *kind)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "direction", json_object_new_string("in"));
	json_object_object_add(o, "id", json_object_new_int64(id));
	json_object_object_add(o, "number", json_object_new_string(number));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_put(sms_rx_pending_event);
	sms_rx_pending_event = o;
}

static void
sms_rx_event_flush(int publish)
{
	struct json_object *o = sms_rx_pending_event, *id, *num, *kind;

	sms_rx_pending_event = NULL;
	if (publish && o != NULL) {
		if (json_object_object_get_ex(o, "id", &id) &&
		    json_object_object_get_ex(o, "number", &num) &&
		    json_object_object_get_ex(o, "kind", &kind) &&
		    strcmp(json_object_get_string(kind), "status-report") != 0)
			log_info("sms: message %lld from %s stored (%s)",
			    (long long)json_object_get_int64(id),
			    json_object_get_string(num),
			    json_object_get_string(kind));
		events_publish("sms", o);
	} else
		json_object_put(o);
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

/* Where a PDU came from: a storage slot (mem "" when the storage's name
 * is not known), or (slot -1) a direct delivery. */
struct sms_rx_src {
	const char	*mem;
	int		 slot;
};

/* Before storing fp (time stamp scts, "" or NULL: none): 1 a copy of a
 * message saved before (store nothing), 0 new (stored: the fingerprint
 * to store it under), -1. */
static int
sms_rx_place(const struct sms_rx_src *src, const char *fp, const char *scts,
    char *stored, size_t len)
{
	int r = sms_slots_classify(src->mem, src->slot, fp,
	    scts != NULL && scts[0] != '\0' ? scts : NULL, stored, len);

	if (r == 1)
		log_debug("sms: %s slot %d: a copy of a message saved before",
		    src->slot >= 0 ? src->mem : "direct", src->slot);
	else if (r == 0 && strcmp(fp, stored) != 0)
		log_info("sms: an identical message again (%s slot %d): "
		    "a repeat, stored as such", src->slot >= 0 ? src->mem :
		    "direct", src->slot);
	return r;
}

/* After storing: r as the store gave it (1 new: recorded in the ledger,
 * 0 a copy, -1). */
static int
sms_rx_placed(const struct sms_rx_src *src, const char *fp,
    const char *stored, int r)
{
	if (r == 1 && sms_slots_record(src->mem, src->slot, fp, stored) == -1)
		return -1;
	return r;
}

/* Commit one DELIVER or STATUS-REPORT: 1 new, 0 a duplicate, 2 not ours
 * (a message the user stored to send), -1 not committed (keep it on the
 * modem). */
static int
sms_rx_commit(const struct sms_rx_src *src, const struct pdu_msg *m)
{
	char from[PDU_ADDR_MAX + 16];
	char scts[40] = "", fp[SMS_FP_MAX - 16], stored[SMS_FP_MAX];
	char data[2 * PDU_SEPTETS_MAX + 1];
	const char *kind = "text", *status = "new", *text = m->text;
	struct buf shown;
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
		if ((r = sms_rx_place(src, fp, scts, stored, sizeof stored)) != 0)
			return r == 1 ? 0 : -1;
		r = sms_rx_placed(src, fp, stored, sms_store_in(stored, from,
		    scts[0] ? scts : NULL, st, NULL, NULL, "gsm7",
		    "status-report", "processed", &id));
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
		if ((r = sms_rx_place(src, fp, scts, stored, sizeof stored)) != 0)
			return r == 1 ? 0 : -1;
		r = sms_rx_placed(src, fp, stored, sms_store_part(stored, from,
		    m->udh.concat_ref, m->udh.concat_parts, m->udh.concat_seq,
		    text, scts[0] ? scts : NULL, smscmd_redact, &id));
		if (r == 1) {
			log_info("sms: part %u of %u from %s stored%s",
			    m->udh.concat_seq, m->udh.concat_parts, from,
			    id > 0 ? ": message complete" : "");
			if (id > 0) {
				sms_rx_event(id, from, kind);
				sms_rx_new_id = id;
				sms_rx_new_joined = 1;
			}
			sms_rx_schedule_expiry();
		}
		return r;
	}
	sms_rx_fingerprint(fp, sizeof fp, m, scts, text != NULL ? text : data);
	if ((r = sms_rx_place(src, fp, scts, stored, sizeof stored)) != 0)
		return r == 1 ? 0 : -1;
	/* the log shows a message to be processed redacted from now on */
	buf_init(&shown, 4 * SMSCMD_MAX_LEN);
	if (text != NULL && strcmp(status, "new") == 0)
		smscmd_redact(text, strlen(text), &shown);
	r = sms_rx_placed(src, fp, stored, sms_store_in(stored, from,
	    scts[0] ? scts : NULL, text,
	    shown.len > 0 ? buf_str(&shown) : NULL,
	    text == NULL || strcmp(kind, "wap") == 0 ? data : NULL,
	    pdu_coding_name(m->coding), kind, status, &id));
	buf_free(&shown);
	if (r == 1) {
		sms_rx_event(id, from, kind);	/* logged once committed */
		if (strcmp(status, "new") == 0) {
			sms_rx_new_id = id;
			util_strlcpy(sms_rx_new_from, from,
			    sizeof sms_rx_new_from);
		}
	}
	return r;
}

/* One transaction: the PDU saved, and (run set) the message it
 * completes run in a savepoint of it (*ran: it was).  Results as for
 * sms_rx_save(). */
static int
sms_rx_save_txn(const struct sms_rx_src *src, const char *hex, int run,
    int may_hold, int *listed, int *ran)
{
	struct pdu_msg *m = malloc(sizeof *m);
	const char *reason;
	char fp[SMS_FP_MAX - 16], stored[SMS_FP_MAX], esc[64];
	long long id;
	int r;

	*ran = 0;
	if (m == NULL)
		return -1;
	sms_rx_event_flush(0);
	sms_rx_new_id = 0;
	sms_rx_new_joined = 0;
	if (store_begin() == -1) {
		free(m);
		return -1;
	}
	if (pdu_decode_hex(hex, strlen(hex), PDU_F_LENIENT, m, &reason) == -1) {
		/* keep what cannot be decoded: nothing is lost */
		util_escape(esc, sizeof esc, hex, strlen(hex));
		log_warnx("sms: slot %d holds an undecodable PDU (%s): %s",
		    src->slot, reason, esc);
		snprintf(fp, sizeof fp, "raw|%.900s", hex);
		if ((r = sms_rx_place(src, fp, NULL, stored,
		    sizeof stored)) == 0)
			r = sms_rx_placed(src, fp, stored, sms_store_in(stored,
			    "", NULL, NULL, NULL, hex, "raw", "invalid",
			    "ignored", &id));
		else if (r == 1)
			r = 0;
	} else
		r = sms_rx_commit(src, m);
	free(m);
	if (r == -1) {
		store_rollback();
		sms_rx_event_flush(0);
		return -1;
	}
	/* its run fails alone (a savepoint): the message is still saved */
	if (r == 1 && run && sms_rx_new_id > 0) {
		int w = sms_rx_run_saved(sms_rx_new_id);

		*ran = w == 1;
		/* no turn for its password check yet: a message in storage
		 * stays there until its turn, nothing of it written (its
		 * text as received would have to be, to run it later);
		 * parts committed before, or a direct delivery, are saved */
		if (w == 2 && may_hold && src->slot >= 0 &&
		    !sms_rx_new_joined) {
			const char *number = sms_rx_new_from;

			*listed = store_scalar(store_cached("SELECT count(*) "
			    "FROM phonebook WHERE number = ?1", "t", number),
			    0) > 0;
			store_rollback();
			sms_rx_event_flush(0);
			if (may_hold != SMS_RX_HOLD_AGAIN)
				log_info("sms: a command from %s waits for its "
				    "password check's turn: left in the modem's "
				    "storage (slot %d) until then", number,
				    src->slot);
			return SMS_RX_HELD;
		}
	}
	if (store_commit() == -1) {
		sms_rx_event_flush(0);
		return -1;
	}
	sms_rx_event_flush(1);
	/* the parts' text as received, committed while they waited, is
	 * erased from the file by now: out of the write-ahead log too */
	if (*ran && sms_rx_new_joined && store_checkpoint() == -1)
		log_warnx("sms: %s", store_errmsg());
	if (r == 1)
		sms_retain_kick();
	return r;
}

/* One PDU read from slot `index` of storage `mem` (index -1: delivered
 * directly, not stored): 1 saved, 0 a copy of one saved before, 2 not
 * ours (a message the user stored to send), SMS_RX_HELD a command whose
 * password check has no turn yet, left on the modem (only with may_hold
 * set, SMS_RX_HOLD_AGAIN when it was before: *listed tells whether its
 * sender is in the phonebook), -1 not saved (keep it on the modem).  The
 * message, its ledger row and, when it is a message to run and nothing
 * waits before it, its run (commands, reply, the "processed" mark) in one
 * transaction: the text as received never reaches the disk.  If that
 * cannot be committed, or a command waits for its turn that cannot be
 * left on the modem, the message is saved alone and run later. */
int
sms_rx_save(const char *mem, int index, const char *hex, int may_hold,
    int *listed)
{
	struct sms_rx_src src = { mem != NULL ? mem : "",
	    index < 0 ? -1 : index };
	int r, ran;

	*listed = 0;
	/* the text as received is in the row until its run clears it:
	 * pages that frees (a long row's overflow) are zeroed, not left
	 * with it in the log (the row's own page is written anyway) */
	store_secure_delete(1);
	r = sms_rx_save_txn(&src, hex, 1, may_hold, listed, &ran);
	if (r == -1 && ran) {
		sms_rx_run_later(store_errmsg());
		r = sms_rx_save_txn(&src, hex, 0, 0, listed, &ran);
	}
	store_secure_delete(0);
	return r;
}
