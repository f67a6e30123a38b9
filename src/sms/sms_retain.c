/*
 * sms_retain.c: retention of the message log.  sms.keep_messages keeps the
 * newest N messages, sms.keep_days those of the last N days (0: no limit
 * of that kind); a message beyond either goes, unless it is still open
 * (new, queued, sending).  Trimming starts once SMS_RETAIN_SLACK
 * messages are beyond the limits (so that the rows and index entries it
 * deletes share pages, rather than costing pages for a row or two at
 * every message), or one is a month beyond sms.keep_days; it then goes
 * down to the limits.  A timer, run after each message saved and every
 * SMS_RETAIN_PERIOD_S, trims at most SMS_RETAIN_BATCH rows a turn of the
 * loop, oldest first, each batch one replayable transaction (a batch lost
 * to a power cut is trimmed again); deleted rows leave free pages that
 * new rows reuse, so the file stops growing at the limit and is never
 * rewritten.
 */
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "log.h"
#include "settings.h"
#include "store.h"

#include "sms_int.h"

#define SMS_RETAIN_BATCH	200	/* rows per turn */
#define SMS_RETAIN_SLACK	50	/* rows beyond the limits to start, */
#define SMS_RETAIN_SLACK_DIV	20	/* or 1/20 of sms.keep_messages */
#define SMS_RETAIN_LATE_S	(30 * 86400)
#define SMS_RETAIN_PERIOD_S	600	/* between checks when within limits */
#define SMS_RETAIN_FIRST_S	5	/* the first check after start */

static struct event *sms_retain_ev;
/* Trimming until within the limits (started by the slack). */
static int sms_retain_busy;

static void
sms_retain_at(int seconds)
{
	struct timeval tv = { seconds, 0 };

	if (sms_retain_ev != NULL)
		evtimer_add(sms_retain_ev, &tv);
}

/* Are enough messages beyond the limits to start trimming? */
static int
sms_retain_due(long long keep, long long below, long long before)
{
	long long oldest_id = store_scalar(store_cached("SELECT min(id) FROM "
	    "sms", ""), 0);

	if (keep > 0 && below - oldest_id >= SMS_RETAIN_SLACK &&
	    below - oldest_id >= keep / SMS_RETAIN_SLACK_DIV)
		return 1;
	if (before == 0)
		return 0;
	return store_scalar(store_cached("SELECT count(*) FROM (SELECT 1 "
	    "FROM sms WHERE time < ?1 LIMIT ?2)", "id", before,
	    SMS_RETAIN_SLACK), 0) >= SMS_RETAIN_SLACK ||
	    store_scalar(store_cached("SELECT min(time) FROM sms", ""),
	    LLONG_MAX) < before - SMS_RETAIN_LATE_S;
}

/* Trim one batch: the number of rows deleted (SMS_RETAIN_BATCH: there
 * may be more), or -1. */
int
sms_retain_step(long long now)
{
	long long keep = settings_int(sms_set.keep_messages);
	long long days = settings_int(sms_set.keep_days);
	long long below = 0, before = 0, ids[SMS_RETAIN_BATCH];
	sqlite3_stmt *st;
	int n = 0;

	/* ids are given in order and only trimming deletes rows: the
	 * newest keep messages are those from max(id) - keep + 1 */
	if (keep > 0)
		below = store_scalar(store_cached("SELECT max(id) FROM sms",
		    ""), 0) - keep + 1;
	if (days > 0)
		before = now - days * 86400;
	if (!sms_retain_busy && !sms_retain_due(keep, below, before))
		return 0;
	st = store_cached("SELECT id, time FROM sms WHERE NOT (status = 'new' "
	    "OR status = 'queued' OR status = 'sending') ORDER BY id LIMIT "
	    "?1", "d", SMS_RETAIN_BATCH);
	if (st == NULL)
		return -1;
	while (n < SMS_RETAIN_BATCH && sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0);

		if (id >= below && sqlite3_column_int64(st, 1) >= before)
			break;		/* the rest is newer */
		ids[n++] = id;
	}
	store_release(st);
	sms_retain_busy = n == SMS_RETAIN_BATCH;
	if (n == 0)
		return 0;
	if (store_begin_replayable() == -1)
		return -1;
	for (int i = 0; i < n; i++)
		if (store_done(store_cached("DELETE FROM sms WHERE id = ?1",
		    "i", ids[i])) == -1) {
			store_rollback();
			return -1;
		}
	if (store_commit() == -1)
		return -1;
	return n;
}

static void
sms_retain_cb(evutil_socket_t fd, short what, void *arg)
{
	int n = sms_retain_step((long long)time(NULL));

	if (n == -1)
		log_warnx("sms: the message log not trimmed now: %s",
		    store_errmsg());
	else if (n > 0)
		log_debug("sms: %d old message(s) trimmed from the log", n);
	/* a full batch: the next one at the loop's next turn */
	sms_retain_at(n == SMS_RETAIN_BATCH ? 0 : SMS_RETAIN_PERIOD_S);
}

/* A message was saved: check at the loop's next turn. */
void
sms_retain_kick(void)
{
	sms_retain_at(0);
}

/* A retention setting changed: check now. */
void
sms_retain_apply(const struct setting_def *d)
{
	sms_retain_at(0);
}

void
sms_retain_start(struct event_base *base)
{
	sms_retain_ev = evtimer_new(base, sms_retain_cb, NULL);
	sms_retain_at(SMS_RETAIN_FIRST_S);
}

void
sms_retain_stop(void)
{
	if (sms_retain_ev != NULL) {
		event_free(sms_retain_ev);
		sms_retain_ev = NULL;
	}
}
