/*
 * sms_store.c: the message log and outbox in SQLite.  Incoming messages
 * are inserted with a fingerprint that makes a second copy a no-op;
 * concatenated parts wait in sms_parts (kept after assembly, so a part
 * seen again is still recognised) until all are there or they expire;
 * outgoing messages walk their statuses here, each step committed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"
#include "sms_slots.h"

/* 1 inserted (*id set), 0 a duplicate, -1 error.  sms.text holds what
 * the log shows from the start; text_clear the text as received, only
 * when it differs (a password in it) and only until it is processed. */
int
sms_store_in(const char *fp, const char *number, const char *scts,
    const char *text, const char *shown, const char *data_hex,
    const char *coding, const char *kind, const char *status, long long *id)
{
	long long now = util_wall_time(), n;
	int apart = shown != NULL && text != NULL && strcmp(shown, text) != 0;

	/* one message per fingerprint, looked up by its key (sms_slots.h) */
	n = store_scalar(store_cached("SELECT count(*) FROM sms WHERE "
	    SMS_FP_KEY("scts") " = " SMS_FP_KEY("?2") " AND fingerprint = ?1",
	    "tt", fp, scts), -1);
	if (n != 0)
		return n < 0 ? -1 : 0;
	if (store_done(store_cached("INSERT INTO sms(direction, number, "
	    "text, data_hex, coding, kind, status, time, updated, scts, "
	    "fingerprint, text_clear) VALUES ('in', ?1, ?2, ?3, ?4, ?5, ?6, "
	    "?7, ?7, ?8, ?9, ?10)", "ttttttittt", number,
	    shown != NULL ? shown : text, data_hex, coding, kind, status, now,
	    scts, fp, apart ? text : NULL)) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db());
	return 1;
}

/* Join the parts of (number, ref, parts) into one message; gaps marked.
 * The log shows it redacted; the text as received is kept (apart) only
 * for a message that will be processed (status "new"). */
static int
sms_store_assemble(const char *number, int ref, int parts, const char *kind,
    const char *status, sms_redact_fn *redact, long long *id)
{
	sqlite3_stmt *st;
	struct buf text, red;
	char fp[128], scts[40] = "";
	long long first = 0;
	int next = 1, rc;

	st = store_stmt("SELECT part, text, scts, rowid FROM sms_parts "
	    "WHERE number = ?1 "
	    "AND ref = ?2 AND parts = ?3 AND msg_id IS NULL ORDER BY part",
	    "tdd", number, ref, parts);
	if (st == NULL)
		return -1;
	buf_init(&text, SMS_TEXT_MAX);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int part = sqlite3_column_int(st, 0);

		if (first == 0 || sqlite3_column_int64(st, 3) < first)
			first = sqlite3_column_int64(st, 3);
		if (part < next)
			continue;
		if (part > next)
			buf_puts(&text, SMS_GAP_MARKER);
		if (part == 1 || scts[0] == '\0')
			util_strlcpy(scts, sqlite3_column_type(st, 2) ==
			    SQLITE_NULL ? "" : (const char *)
			    sqlite3_column_text(st, 2), sizeof scts);
		/* keep what fits of a part that does not (item 6) */
		buf_add_cut(&text, sqlite3_column_text(st, 1), strlen(
		    (const char *)sqlite3_column_text(st, 1)));
		next = part + 1;
	}
	sqlite3_finalize(st);
	if (next <= parts)
		buf_puts(&text, SMS_GAP_MARKER);
	buf_mark_cut(&text, SMS_CUT_MARKER);	/* a cut is never silent */
	/* a repeat of the message, assembled in the same second, has parts
	 * of its own: their first row tells them apart */
	snprintf(fp, sizeof fp, "concat|%s|%d|%d|%s|%lld|%lld", number, ref,
	    parts, scts, (long long)time(NULL), first);
	buf_init(&red, 4 * text.max);
	redact(buf_str(&text), text.len, &red);
	rc = sms_store_in(fp, number, scts[0] ? scts : NULL,
	    strcmp(status, "new") == 0 ? buf_str(&text) : buf_str(&red),
	    buf_str(&red), NULL, "text", kind, status, id);
	buf_free(&red);
	buf_free(&text);
	if (rc != 1)
		return -1;
	/* the parts' text is in the message now: keep only fingerprints */
	return store_done(store_stmt("UPDATE sms_parts SET msg_id = ?4, text = '' "
	    "WHERE number = ?1 AND ref = ?2 AND parts = ?3 AND msg_id IS NULL",
	    "tddi", number, ref, parts, *id));
}

/* 1 a new part (*id set to the assembled message's id when this part
 * completed it, else 0), 0 a duplicate, -1 error.  One transaction. */
int
sms_store_part(const char *fp, const char *number, int ref, int parts,
    int part, const char *text, const char *scts, sms_redact_fn *redact,
    long long *id)
{
	long long have;

	*id = 0;
	if (store_begin() == -1)
		return -1;
	if (store_done(store_stmt("INSERT OR IGNORE INTO sms_parts(fingerprint, "
	    "number, ref, parts, part, text, scts, received) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", "ttdddtti", fp, number, ref,
	    parts, part, text, scts, (long long)time(NULL))) == -1)
		goto fail;
	if (sqlite3_changes(store_db()) == 0) {
		store_rollback();
		return 0;
	}
	have = store_scalar(store_stmt("SELECT count(DISTINCT part) FROM sms_parts "
	    "WHERE number = ?1 AND ref = ?2 AND parts = ?3 AND msg_id IS NULL",
	    "tdd", number, ref, parts), 0);
	if (have == parts && sms_store_assemble(number, ref, parts, "text",
	    "new", redact, id) == -1)
		goto fail;
	if (store_commit() == -1)
		return -1;
	return 1;
fail:
	store_rollback();
	return -1;
}

/* Deliver incomplete messages whose first part came before `before`. */
int
sms_store_expire_parts(long long before, sms_redact_fn *redact, int *n)
{
	sqlite3_stmt *st;
	struct { char number[32]; int ref, parts; } grp[32];
	int ng = 0;
	long long id;

	*n = 0;
	st = store_stmt("SELECT number, ref, parts FROM sms_parts WHERE msg_id "
	    "IS NULL GROUP BY number, ref, parts HAVING min(received) < ?1 "
	    "LIMIT 32", "i", before);
	if (st == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW && ng < 32) {
		util_strlcpy(grp[ng].number, (const char *)
		    sqlite3_column_text(st, 0), sizeof grp[ng].number);
		grp[ng].ref = sqlite3_column_int(st, 1);
		grp[ng].parts = sqlite3_column_int(st, 2);
		ng++;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < ng; i++) {
		if (store_begin() == -1)
			return -1;
		/* kept in the log, never run: a command with a gap in it
		 * is not the command that was sent */
		if (sms_store_assemble(grp[i].number, grp[i].ref,
		    grp[i].parts, "partial", "ignored", redact, &id) == -1 ||
		    store_commit() == -1) {
			store_rollback();
			return -1;
		}
		(*n)++;
	}
	/* assembled parts are kept a week to recognise late copies */
	store_done(store_stmt("DELETE FROM sms_parts WHERE msg_id IS NOT NULL "
	    "AND received < ?1", "i", (long long)time(NULL) - 7 * 86400));
	return 0;
}

long long
sms_store_oldest_part(void)
{
	return store_scalar(store_stmt("SELECT min(received) FROM sms_parts "
	    "WHERE msg_id IS NULL", ""), 0);
}

/* The oldest incoming message after `after` not yet processed (with
 * listed_only, from a number in the phonebook): 1, 0 none, -1 error.
 * *text, as received, is malloc'ed (NULL for data messages). */
int
sms_store_next_new(long long after, int listed_only, long long *id,
    char *number, size_t numlen, char **text)
{
	sqlite3_stmt *st = store_cached("SELECT id, number, coalesce("
	    "text_clear, text) FROM sms WHERE direction = 'in' AND status = "
	    "'new' AND id > ?1 AND (?2 = 0 OR number IN (SELECT number FROM "
	    "phonebook)) ORDER BY id LIMIT 1", "ii", after,
	    (long long)listed_only);
	int r = 0;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		util_strlcpy(number, (const char *)sqlite3_column_text(st, 1),
		    numlen);
		*text = sqlite3_column_type(st, 2) == SQLITE_NULL ? NULL :
		    strdup((const char *)sqlite3_column_text(st, 2));
		r = 1;
	}
	store_release(st);
	return r;
}

/* Set an incoming message's status and forget its text as received
 * (and replace the shown text, e.g. with the password redacted, when
 * text is not NULL). */
int
sms_store_set_status(long long id, const char *status, const char *text)
{
	if (text != NULL)
		return store_done(store_cached("UPDATE sms SET status = ?2, "
		    "text = ?3, text_clear = NULL, updated = ?4 WHERE id = ?1",
		    "itti", id, status, text, (long long)time(NULL)));
	return store_done(store_cached("UPDATE sms SET status = ?2, "
	    "text_clear = NULL, updated = ?3 WHERE id = ?1", "iti", id, status,
	    (long long)time(NULL)));
}

long long
sms_store_out_add(const char *number, const char *text, const char *coding,
    int parts, const char *origin)
{
	long long now = util_wall_time();

	if (store_done(store_cached("INSERT INTO sms(direction, number, text, "
	    "coding, status, time, updated, parts, origin) VALUES ('out', ?1, "
	    "?2, ?3, 'queued', ?4, ?4, ?5, ?6)", "tttidt", number, text,
	    coding, now, parts, origin)) == -1)
		return -1;
	return sqlite3_last_insert_rowid(store_db());
}

/* The next queued message due by `now`: 1 (out filled, out->text
 * malloc'ed), 0 none, -1 error. */
int
sms_store_out_next(long long now, struct sms_out *o)
{
	sqlite3_stmt *st = store_cached("SELECT id, number, text, coding, "
	    "attempts, parts, parts_sent, mr, progress, store_index FROM sms "
	    "WHERE direction = 'out' AND status = 'queued' AND next_try <= ?1 "
	    "ORDER BY id LIMIT 1", "i", now);
	int r = 0;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		memset(o, 0, sizeof *o);
		o->id = sqlite3_column_int64(st, 0);
		util_strlcpy(o->number, (const char *)sqlite3_column_text(st, 1),
		    sizeof o->number);
		o->text = strdup((const char *)sqlite3_column_text(st, 2));
		util_strlcpy(o->coding, (const char *)sqlite3_column_text(st,
		    3), sizeof o->coding);
		o->attempts = sqlite3_column_int(st, 4);
		o->parts = sqlite3_column_int(st, 5);
		o->parts_sent = sqlite3_column_int(st, 6);
		util_strlcpy(o->mr, (const char *)sqlite3_column_text(st, 7),
		    sizeof o->mr);
		util_strlcpy(o->progress, (const char *)sqlite3_column_text(st,
		    8), sizeof o->progress);
		o->store_index = sqlite3_column_type(st, 9) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(st, 9);
		r = o->text != NULL ? 1 : -1;
	}
	store_release(st);
	return r;
}

/* How many queued messages are due by `now`. */
int
sms_store_out_due(long long now)
{
	return (int)store_scalar(store_cached("SELECT count(*) FROM sms WHERE "
	    "direction = 'out' AND status = 'queued' AND next_try <= ?1", "i",
	    now), 0);
}

/* When the earliest queued message is due (0: none queued, or due). */
long long
sms_store_out_next_try(void)
{
	return store_scalar(store_cached("SELECT min(next_try) FROM sms WHERE "
	    "direction = 'out' AND status = 'queued'", ""), 0);
}

static int sms_store_out_set(const struct sms_out *, const char *,
    long long, const char *);

int
sms_store_out_update(const struct sms_out *o, const char *status,
    long long next_try, const char *error)
{
	int final = status != NULL && (strcmp(status, "sent") == 0 ||
	    strcmp(status, "failed") == 0 || strcmp(status, "uncertain") == 0);

	if (final) {
		/* the end and its hook (sms.on_send) together */
		if (store_begin() == -1)
			return -1;
		if (sms_store_out_set(o, status, next_try, error) == -1) {
			store_rollback();
			return -1;
		}
		sms_hook_add(o->id, status);
		return store_commit();
	}
	return sms_store_out_set(o, status, next_try, error);
}

/* status NULL keeps the status: the row's entry in the index of open
 * messages (whose condition names the status) is then not rewritten. */
static int
sms_store_out_set(const struct sms_out *o, const char *status,
    long long next_try, const char *error)
{
	char index[16];
	const char *idx = NULL;

	if (o->store_index >= 0) {
		snprintf(index, sizeof index, "%d", o->store_index);
		idx = index;
	}
	if (status == NULL)
		return store_done(store_cached("UPDATE sms SET attempts = ?2, "
		    "next_try = ?3, parts_sent = ?4, mr = ?5, error = ?6, "
		    "updated = ?7, progress = ?8, store_index = CAST(?9 AS "
		    "INTEGER) WHERE id = ?1", "ididttitt", o->id, o->attempts,
		    next_try, o->parts_sent, o->mr, error,
		    (long long)time(NULL), o->progress, idx));
	return store_done(store_cached("UPDATE sms SET status = ?2, "
	    "attempts = ?3, next_try = ?4, parts_sent = ?5, mr = ?6, "
	    "error = ?7, updated = ?8, progress = ?9, store_index = CAST(?10 "
	    "AS INTEGER) WHERE id = ?1", "itdidttitt", o->id, status,
	    o->attempts, next_try, o->parts_sent, o->mr, error,
	    (long long)time(NULL), o->progress, idx));
}

/* The same, committed as a replayable step (store_begin_replayable()):
 * for the marks whose loss to a power cut a restart repairs by itself
 * ("sending" before anything is written: queued again; "sent-pdu" at the
 * "> " prompt, and "sent" after the part went out: the durable "prompt"
 * mark made before AT+CMGS makes it uncertain after a system restart,
 * never sent twice).  The record at the prompt must not wait for the
 * disk: a kill in that wait found the message recorded as written
 * although it never was.  Inside a transaction, part of that one. */
int
sms_store_out_mark(const struct sms_out *o, const char *status,
    long long next_try, const char *error)
{
	if (store_begin_replayable() == -1)
		return -1;
	if (sms_store_out_update(o, status, next_try, error) == -1) {
		store_rollback();
		return -1;
	}
	return store_commit();
}

/* The kernel's id of this boot, "" when not known. */
static void
sms_store_boot_id(char *out, size_t len)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	out[0] = '\0';
	if (f == NULL)
		return;
	if (fgets(out, (int)len, f) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* Did the system restart since the last start of the daemon (or is that
 * not known)?  Remembers this boot for the next start.  1, 0, -1. */
static int
sms_store_rebooted(void)
{
	char boot[64], last[64];

	sms_store_boot_id(boot, sizeof boot);
	if (store_meta_get("sms_boot_id", last, sizeof last) == -1)
		last[0] = '\0';	/* first start with this record */
	if (store_meta_put("sms_boot_id", boot) == -1)
		return -1;
	return boot[0] == '\0' || (last[0] != '\0' && strcmp(boot, last) != 0);
}

/* Queue the sms.on_send hook (event) of the messages left 'sending' at
 * `progress`, before they end (with last_part: only those whose part in
 * flight is their last). */
static void
sms_store_hook_sending(const char *event, const char *progress,
    int last_part)
{
	sqlite3_stmt *st;

	st = store_stmt("SELECT id FROM sms WHERE direction = 'out' AND "
	    "status = 'sending' AND progress = ?1 AND (?2 = 0 OR "
	    "parts_sent + 1 >= parts) ORDER BY id", "ti", progress,
	    (long long)last_part);
	while (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		sms_hook_add(sqlite3_column_int64(st, 0), event);
	sqlite3_finalize(st);
}

/* At start, for each message left 'sending' (the daemon stopped with it
 * in flight), by how far its current part got: nothing written, or only
 * written to the modem's storage with its slot unknown: queued again (it
 * never went out; a copy in storage is looked for first); its AT+CMGS
 * queued ('prompt'): the record of the PDU, made without waiting for the
 * disk, would be there had it been written, so queued again, unless the
 * system restarted meanwhile (a power loss may have lost that record):
 * then uncertain; its PDU written after AT+CMGS ('sent-pdu'): left
 * 'sending' until the modem is ready, for the modem's answer may still
 * come (sms_store_out_answered; else sms_store_out_unanswered); in
 * storage at a known slot: queued, and the send side reads the slot back
 * before anything else (sent, or sent from storage now, or uncertain
 * when the copy is gone).  The number of messages left waiting for an
 * answer, or -1. */
int
sms_store_out_recover(void)
{
	long long now = time(NULL);
	int requeued, unsure, stored, rebooted, waiting;

	if (store_begin() == -1)
		return -1;
	if ((rebooted = sms_store_rebooted()) == -1)
		goto fail;
	if (rebooted)
		sms_store_hook_sending("uncertain", "prompt", 0);
	if (store_done(store_stmt("UPDATE sms SET status = 'uncertain', "
	    "error = 'the system restarted while its PDU may have been "
	    "written', updated = ?1 WHERE direction = 'out' AND status = "
	    "'sending' AND progress = 'prompt' AND ?2", "ii", now,
	    (long long)rebooted)) == -1)
		goto fail;
	unsure = sqlite3_changes(store_db());
	if (store_done(store_stmt("UPDATE sms SET status = 'queued', "
	    "next_try = 0, updated = ?1 WHERE direction = 'out' AND "
	    "status = 'sending' AND progress = 'stored' AND store_index IS "
	    "NOT NULL", "i", now)) == -1)
		goto fail;
	stored = sqlite3_changes(store_db());
	if (store_done(store_stmt("UPDATE sms SET status = 'queued', "
	    "next_try = 0, progress = CASE progress WHEN 'write-pdu' THEN "
	    "'write-pdu' ELSE 'none' END, store_index = NULL, updated = ?1 "
	    "WHERE direction = 'out' AND status = 'sending' AND progress <> "
	    "'sent-pdu'", "i", now)) == -1)
		goto fail;
	requeued = sqlite3_changes(store_db());
	waiting = (int)store_scalar(store_stmt("SELECT count(*) FROM sms "
	    "WHERE direction = 'out' AND status = 'sending'", ""), -1);
	if (waiting == -1 || store_commit() == -1)
		goto fail;
	if (requeued > 0)
		log_info("sms: %d message(s) were about to be sent when the "
		    "daemon stopped, none written: queued again", requeued);
	if (stored > 0)
		log_info("sms: %d message(s) were in the modem's storage when "
		    "the daemon stopped: read back before sending", stored);
	if (unsure > 0)
		log_warnx("sms: %d message(s) waited for the modem's prompt "
		    "when the system restarted: marked uncertain", unsure);
	if (waiting > 0)
		log_info("sms: %d message(s) were written to the modem when "
		    "the daemon stopped: uncertain unless the modem's answer "
		    "comes before it is ready", waiting);
	return waiting;
fail:
	store_rollback();
	return -1;
}

/* The modem's answer (+CMGS: mr) to the PDU a stopped daemon wrote came
 * to this one: that part of the message left waiting by
 * sms_store_out_recover went out; the message is sent, or queued for its
 * next part.  1 resolved, 0 none waiting, -1. */
int
sms_store_out_answered(int mr)
{
	char m[16];

	snprintf(m, sizeof m, "%d", mr);
	sms_store_hook_sending("sent", "sent-pdu", 1);
	if (store_done(store_stmt("UPDATE sms SET parts_sent = parts_sent + "
	    "1, mr = ltrim(coalesce(mr, '') || ' ' || ?1), progress = "
	    "'none', store_index = NULL, next_try = 0, error = NULL, status = "
	    "CASE WHEN parts_sent + 1 >= parts THEN 'sent' ELSE 'queued' END, "
	    "updated = ?2 WHERE direction = 'out' AND status = 'sending' AND "
	    "progress = 'sent-pdu'", "ti", m, (long long)time(NULL))) == -1)
		return -1;
	return sqlite3_changes(store_db()) > 0;
}

/* The modem is ready and no answer came: what sms_store_out_recover left
 * waiting is uncertain.  The number, or -1. */
int
sms_store_out_unanswered(void)
{
	sms_store_hook_sending("uncertain", "sent-pdu", 0);
	if (store_done(store_stmt("UPDATE sms SET status = 'uncertain', "
	    "error = 'the daemon stopped after the PDU was written', "
	    "updated = ?1 WHERE direction = 'out' AND status = 'sending' AND "
	    "progress = 'sent-pdu'", "i", (long long)time(NULL))) == -1)
		return -1;
	return sqlite3_changes(store_db());
}

/* Outgoing messages counted against the daily cap since `since`. */
long long
sms_store_out_count_since(long long since)
{
	return store_scalar(store_cached("SELECT count(*) FROM sms WHERE "
	    "time >= ?1 AND direction = 'out' AND status != 'failed'", "i",
	    since), 0);
}

/* A status report for message reference mr to number. */
int
sms_store_delivery(int mr, const char *number, const char *delivery)
{
	char pat[16];

	snprintf(pat, sizeof pat, "%% %d %%", mr);
	return store_done(store_stmt("UPDATE sms SET delivery = ?3, updated = ?4 "
	    "WHERE id = (SELECT id FROM sms WHERE direction = 'out' AND "
	    "number = ?1 AND (' ' || mr || ' ') LIKE ?2 ORDER BY id DESC "
	    "LIMIT 1)", "ttti", number, pat, delivery, (long long)time(NULL)));
}

/* The statuses the index sms_open holds (store.c's migration 9 -> 10):
 * a query names them as written there to be answered from it. */
#define SMS_OPEN_STATUS "(status = 'new' OR status = 'queued' OR " \
	"status = 'sending' OR status = 'uncertain' OR status = 'failed')"

int
sms_store_count(const char *direction, const char *status)
{
	return (int)store_scalar(store_cached("SELECT count(*) FROM sms WHERE "
	    SMS_OPEN_STATUS " AND direction = ?1 AND status = ?2", "tt",
	    direction, status), 0);
}

static struct json_object *
sms_col(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return NULL;
	case SQLITE_INTEGER:
		return json_object_new_int64(sqlite3_column_int64(st, i));
	default:
		return json_object_new_string((const char *)
		    sqlite3_column_text(st, i));
	}
}

static struct json_object *
sms_time(long long t)
{
	char s[UTIL_RFC3339_LEN];

	return json_object_new_string(util_rfc3339(s, sizeof s, t, -1));
}

/* Listings name their columns: the text as received (text_clear) is
 * never among them. */
#define SMS_LIST_COLS "id, direction, number, text, status, time"

static struct json_object *
sms_row(sqlite3_stmt *st, int full)
{
	struct json_object *o = json_object_new_object();
	int n = sqlite3_column_count(st);

	for (int i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		if (strcmp(name, "time") == 0 || strcmp(name, "updated") == 0)
			json_object_object_add(o, name,
			    sms_time(sqlite3_column_int64(st, i)));
		else if (full || strcmp(name, "fingerprint") != 0)
			json_object_object_add(o, name, sms_col(st, i));
	}
	return o;
}

struct json_object *
sms_store_list(int limit)
{
	return sms_store_page(limit, 0);
}

/* The newest messages below id `before` (0: the newest of all), at most
 * `limit` and SMS_PAGE_BYTES of JSON (one at least), oldest first. */
struct json_object *
sms_store_page(int limit, long long before)
{
	struct json_object *a = json_object_new_array(), *row;
	sqlite3_stmt *st = store_cached("SELECT " SMS_LIST_COLS " FROM sms "
	    "WHERE id < ?2 ORDER BY id DESC LIMIT ?1", "di", limit,
	    before > 0 ? before : INT64_MAX);
	size_t bytes = 0, n;

	if (st == NULL)
		return a;
	while (sqlite3_step(st) == SQLITE_ROW) {
		row = sms_row(st, 0);
		json_object_to_json_string_length(row, JSON_C_TO_STRING_PLAIN,
		    &n);
		if (json_object_array_length(a) > 0 &&
		    bytes + n + 1 > SMS_PAGE_BYTES) {
			json_object_put(row);
			break;
		}
		bytes += n + 1;
		json_object_array_add(a, row);
	}
	store_release(st);
	/* newest first from the query: the list reads oldest first */
	for (size_t i = 0, j = json_object_array_length(a); i + 1 < j;
	    i++, j--) {
		row = json_object_get(json_object_array_get_idx(a, i));
		json_object_array_put_idx(a, i, json_object_get(
		    json_object_array_get_idx(a, j - 1)));
		json_object_array_put_idx(a, j - 1, row);
	}
	return a;
}

struct json_object *
sms_store_show(long long id)
{
	struct json_object *o = NULL;
	sqlite3_stmt *st = store_stmt("SELECT id, direction, number, text, "
	    "status, time, updated, data_hex, coding, kind, scts, attempts, "
	    "parts, parts_sent, mr, error, delivery, origin, progress, "
	    "store_index FROM sms WHERE "
	    "id = ?1", "i", id);

	if (st == NULL)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW)
		o = sms_row(st, 1);
	sqlite3_finalize(st);
	return o;
}
