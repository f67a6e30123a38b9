/*
 * sms_rx_run.c: what happens to a committed message.  Each one not yet
 * processed runs in one transaction with the commands it carries, its
 * reply and its "processed" mark: as a command (smscmd), or offered to
 * the sms_in_subscribe() subscribers (the bridge's SMS mode).  Normally
 * that transaction is a savepoint of the one that saves the message
 * (sms_rx_run_saved()), so the text as received never reaches the disk.
 * A failed transaction pauses processing and a timer retries it; it
 * leaves nothing behind, in the database or in memory (settings and
 * password hashes changed by its commands are put back by the store's
 * undo records).  A command whose password check has no turn yet (the
 * authorisation gate paces and rations checks) is rolled back: a new one
 * in the modem's storage stays there, unsaved (sms_rx.c reads it again
 * at its turn), another is left "new"; the messages after it go on, and
 * a timer runs them in their turn (the phonebook's numbers first while
 * some wait).  The log has shown
 * the message redacted since its receipt; the text as received of a
 * message saved but not run comes from sms_store_next_new() and is
 * forgotten by the "processed" mark.  Also the timer that delivers
 * incomplete concatenated messages with gaps.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "auth.h"
#include "log.h"
#include "settings.h"
#include "smscmd.h"
#include "store.h"
#include "util.h"

#include "sms.h"
#include "sms_int.h"

static int sms_rx_offer(const char *, const uint8_t *, size_t);

static struct event *sms_rx_expire_ev;
static int sms_rx_running;
/* a failed begin/commit pauses processing; a timer retries it with a
 * doubling backoff (1 s .. 60 s) until a commit works */
#define SMS_RX_RETRY_MAX_S	60
static struct event *sms_rx_retry_ev;
static int sms_rx_paused;
static int sms_rx_backoff_s;
/* messages left for their password check's turn */
static struct event *sms_rx_turn_ev;
static int sms_rx_waiting;

static void sms_rx_process(int turn);

static void
sms_rx_turn_cb(evutil_socket_t fd, short what, void *arg)
{
	sms_rx_process(1);
}

/* Say once per message that it waits (ids only grow). */
static long long sms_rx_wait_logged;

static void
sms_rx_note_waiting(long long id, const char *number)
{
	if (id <= sms_rx_wait_logged)
		return;
	log_info("sms: message %lld from %s waits for its password check's "
	    "turn (not processed yet)", id, number);
	sms_rx_wait_logged = id;
}

/* Handle the messages left waiting when the next check has a turn. */
void
sms_rx_turn_wanted(void)
{
	struct timeval tv;

	if (sms_rx_turn_ev == NULL || evtimer_pending(sms_rx_turn_ev, NULL))
		return;
	auth_gate_turn_timeval(&tv);
	event_add(sms_rx_turn_ev, &tv);
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

/* Queue a reply: one message, or (AT+H) up to SMSCMD_REPLY_MSGS, split
 * between lines, the last cut with [...] when more is left; a part that
 * needs UCS-2 fits fewer characters in ten SMS parts: it is
 * cut further if it must. */
static void
sms_rx_reply(const char *number, const char *text, size_t len)
{
	struct buf msg;
	char e[256];
	size_t n;

	buf_init(&msg, SMSCMD_REPLY_MAX + 16);
	for (int i = 0; len > 0; text += n, len -= n, i++) {
		n = smscmd_next_msg(text, len);
		buf_reset(&msg);
		if (i == SMSCMD_REPLY_MSGS - 1 && n < len) {
			/* the last one allowed: the rest, cut with [...] */
			n = len;
			buf_add(&msg, text, len > SMSCMD_REPLY_MAX ?
			    SMSCMD_REPLY_MAX + 1 : len);
			smscmd_cut(&msg, SMSCMD_REPLY_MAX);
		} else	/* a line break that ends a message is not sent */
			buf_add(&msg, text, n < len && text[n - 1] == '\n' ?
			    n - 1 : n);
		if (sms_send(number, buf_str(&msg), msg.len, "auto", "reply", e,
		    sizeof e) != -1)
			continue;
		smscmd_cut(&msg, 600);
		if (sms_send(number, buf_str(&msg), msg.len, "auto", "reply", e,
		    sizeof e) == -1) {
			log_warnx("sms: reply to %s not queued: %s", number, e);
			break;
		}
	}
	buf_free(&msg);
}

/* Run message id (its text as received, NULL for data) in one
 * transaction with the commands it carries, its reply and its
 * "processed" mark: a stop anywhere in between leaves all undone, and it
 * runs again at start, so its commands take effect once.  0; 1 when its
 * password check has no turn yet (nothing ran: it stays "new", and waits
 * without a transaction, so a flood of waiting guesses costs a parse
 * each); or -1 (all of it rolled back, processing paused). */
static int
sms_rx_run_one(long long id, const char *number, const char *text, int note)
{
	struct buf reply, redacted;
	struct smscmd_msg *probe;
	const char *err;
	size_t len = text != NULL ? strlen(text) : 0;
	int send = 0, to_port = 0, cmd = 0, rc = 0;

	/* a command that carries a password: the bridge's SMS mode does not
	 * take it, and while no password check has a turn it waits */
	if (text != NULL && (probe = malloc(sizeof *probe)) != NULL) {
		cmd = smscmd_parse(text, len, probe, &err) == 0 &&
		    probe->has_password;
		explicit_bzero(probe, sizeof *probe);
		free(probe);
	}
	if (cmd && (auth_gate_next_turn_ms() > 0 || sms_rx_held_reserves())) {
		if (note)
			sms_rx_note_waiting(id, number);
		return 1;
	}
	/* commands wait for room: what they change, their reply and the
	 * bookkeeping after it then always commit */
	if (store_room_low()) {
		log_warnx("sms: message %lld not processed now: the disk is "
		    "nearly full", id);
		sms_rx_pause();
		return -1;
	}
	if (store_begin() == -1) {
		log_warnx("sms: message %lld not processed now: %s", id,
		    store_errmsg());
		sms_rx_pause();
		return -1;
	}
	buf_init(&reply, SMSCMD_REPLY_MSGS * SMSCMD_REPLY_MAX + 16);
	/* "***" can stand for one byte: room for 4x the longest text */
	buf_init(&redacted, 4 * (SMS_TEXT_MAX + sizeof SMS_CUT_MARKER));
	/* the bridge's SMS mode takes DSTNUM's messages, except commands
	 * that carry a password */
	if (text != NULL && !cmd)
		to_port = sms_rx_offer(number, (const uint8_t *)text, len);
	if (text != NULL && !to_port &&
	    (send = smscmd_handle(number, text, len, &reply)) == -1) {
		/* no turn for its password check yet: nothing ran */
		if (note)
			sms_rx_note_waiting(id, number);
		store_rollback();
		buf_free(&reply);
		buf_free(&redacted);
		return 1;
	}
	if (text != NULL) {
		smscmd_redact(text, len, &redacted);
		buf_mark_cut(&redacted, SMS_CUT_MARKER);
	}
	if (send) {
		sms_rx_reply(number, buf_str(&reply), reply.len);
		sms_tx_claim();	/* its "prompt" record durable with this */
	}
	sms_hook_add(id, "received");
	if (sms_store_set_status(id, to_port ? "bridged" : "processed",
	    text != NULL ? buf_str(&redacted) : NULL) == -1 ||
	    store_commit() == -1) {
		store_rollback();
		log_warnx("sms: message %lld not processed: %s", id,
		    store_errmsg());
		sms_rx_pause();
		rc = -1;
	} else
		sms_rx_backoff_s = 0;
	buf_free(&reply);
	buf_free(&redacted);
	return rc;
}

int
sms_rx_run_saved(long long id)
{
	long long next;
	char number[64];
	char *text;
	int r;

	if (!sms_rx_running || sms_rx_paused ||
	    sms_store_next_new(0, 0, &next, number, sizeof number, &text) != 1)
		return 0;
	/* waiting, it is left on the modem or saved alone: the caller
	 * says which */
	r = next != id ? 0 : sms_rx_run_one(id, number, text, 0);
	free(text);
	return next != id ? 0 : r == 1 ? 2 : r == 0 ? 1 : -1;
}

void
sms_rx_run_later(const char *why)
{
	log_warnx("sms: a message not processed now (%s): saved alone, "
	    "processed later", why);
	if (!sms_rx_paused)
		sms_rx_pause();
}

/* Run the committed, not yet processed messages (listed_only: of
 * phonebook numbers only): those that could not run in the transaction
 * that saved them.  Counts them in *done; returns how many wait for their
 * password check's turn.  Their text as received was committed apart:
 * full secure_delete (on from the first) erases it from the pages the
 * "processed" mark frees. */
static int
sms_rx_pass(int listed_only, int *done, int *secure)
{
	long long id = 0;
	char number[64];
	char *text;
	int waiting = 0;

	while (sms_rx_running && !sms_rx_paused &&
	    sms_store_next_new(id, listed_only, &id, number, sizeof number,
	    &text) == 1) {
		int r;

		if (!*secure)
			*secure = store_secure_delete(1) == 0;
		r = sms_rx_run_one(id, number, text, 1);
		free(text);
		if (r == -1)
			break;
		if (r == 1)
			waiting++;
		else
			(*done)++;
	}
	return waiting;
}

/* Run every committed, not yet processed message.  While some wait for
 * their password check's turn, turns are scarce: the messages of
 * phonebook numbers go first (a filter, as always: their commands are
 * still judged by the gate), so strangers' guesses cannot queue ahead of
 * the owner.  At a turn (the timer's), the command left on the modem for
 * it (sms_rx.c) comes next, a phonebook number's before those saved:
 * read again, it runs with the answer. */
static void
sms_rx_process(int turn)
{
	int done = 0, secure = 0;

	/* libevent's clock is the coarse one: its timer may fire a few
	 * milliseconds before the gate's turn.  Nothing could run yet, and
	 * a command read again now would find no turn and be saved to wait:
	 * wait on instead. */
	if (turn && auth_gate_next_turn_ms() > 0) {
		sms_rx_turn_wanted();
		return;
	}
	if (turn && sms_rx_held_reread(1))
		return;
	if (sms_rx_waiting > 0 || turn)	/* the rest: seen again below */
		(void)sms_rx_pass(1, &done, &secure);
	if (turn && auth_gate_next_turn_ms() == 0 && sms_rx_held_reread(0))
		turn = 2;	/* the saved strangers' after it */
	else
		sms_rx_waiting = sms_rx_pass(0, &done, &secure);
	if (secure)
		store_secure_delete(0);
	if (done > 0) {
		/* the text as received is only in the write-ahead log
		 * now: write the log out and truncate it */
		if (store_checkpoint() == -1)
			log_warnx("sms: %s", store_errmsg());
	}
	if ((sms_rx_waiting > 0 && turn != 2) || sms_rx_held_waiting())
		sms_rx_turn_wanted();
	sms_tx_kick();
}

void
sms_rx_process_new(void)
{
	sms_rx_process(0);
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
void
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
sms_rx_run_start(struct event_base *base)
{
	sms_rx_running = 1;
	sms_rx_paused = 0;
	sms_rx_backoff_s = 0;
	sms_rx_waiting = 0;
	sms_rx_expire_ev = evtimer_new(base, sms_rx_expire_cb, NULL);
	sms_rx_retry_ev = evtimer_new(base, sms_rx_retry_cb, NULL);
	sms_rx_turn_ev = evtimer_new(base, sms_rx_turn_cb, NULL);
	sms_rx_schedule_expiry();
}

void
sms_rx_run_stop(void)
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
	if (sms_rx_turn_ev != NULL) {
		event_free(sms_rx_turn_ev);
		sms_rx_turn_ev = NULL;
	}
}
