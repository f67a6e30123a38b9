/*
 * cloud_queue.c: the lossless uplink.  An events sink takes the events
 * the cloud carries (sms received, call, alarm, io, modem, data) and
 * commits each to the cloud_events table (its seq is the row id, never
 * reused); when the link is up they are published QoS 1 in seq order on
 * cellgate/<id>/event/<kind> and each row is deleted on its PUBACK.  After
 * a reconnect or a restart, everything not acknowledged is sent again from
 * the oldest (at least once; `seq` lets a consumer drop repeats).  Beyond
 * cloud.queue_max rows the oldest not yet sent are deleted and one
 * `dropped` event counts them.  cloud.mintime > 0 opens at most one
 * upload per interval.
 *
 * Also the retained `status` topic: published after CONNACK, then on a
 * change at most every CLOUD_STATUS_MIN_S seconds, and only when its
 * payload differs from the one last published (the modem's command
 * counters and state age are left out of it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "cloud.h"
#include "cloud_int.h"
#include "events.h"
#include "log.h"
#include "settings.h"
#include "smscmd.h"
#include "status.h"
#include "store.h"
#include "util.h"

#define CLOUD_INFLIGHT		16	/* unacknowledged publishes */
#define CLOUD_STATUS_MIN_S	10

struct cloud_inflight {
	int		mid;
	long long	seq;
};

static struct {
	int			 running;
	struct event		*flush_ev, *status_ev;
	struct cloud_inflight	 inflight[CLOUD_INFLIGHT];
	int			 ninflight;
	long long		 last_seq;	/* highest seq published */
	long long		 count;		/* rows in the table */
	long long		 dropped;	/* since the database began */
	uint64_t		 next_upload;	/* ms: cloud.mintime */
	int			 batch;		/* an upload is under way */
	long long		 drop_seq;	/* newest `dropped` row */
	long long		 drop_count;	/* its count */
	int			 drop_open;	/* unpublished: updatable */
	uint64_t		 status_last;
	char			*status_sent;
} q;

static const char *const cloud_kinds[] = {
	"sms", "call", "alarm", "io", "modem", "data", NULL
};

static long long
cloud_queue_scalar(const char *sql)
{
	sqlite3_stmt *st;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

long long
cloud_queue_count(void)
{
	return q.count;
}

long long
cloud_queue_dropped(void)
{
	return q.dropped;
}

int
cloud_queue_due(void)
{
	return q.running && q.count > 0 && util_now_ms() >= q.next_upload;
}

static void
cloud_queue_kick(void)
{
	if (q.flush_ev != NULL)
		event_active(q.flush_ev, EV_TIMEOUT, 0);
}

/* The received message's text, from the message log. */
static char *
cloud_sms_text(long long id)
{
	sqlite3_stmt *st;
	char *t = NULL;

	if (sqlite3_prepare_v2(store_db(), "SELECT text FROM sms WHERE id = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) == SQLITE_TEXT)
		t = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return t;
}

static int
cloud_queue_insert(const char *kind, const char *payload, long long ms)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(store_db(), "INSERT INTO cloud_events (kind, "
	    "payload, time) VALUES (?1, ?2, ?3)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, payload, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * Beyond cloud.queue_max: the oldest events not yet sent go, and one
 * `dropped` event waiting in the queue counts them: {"count": dropped
 * since the last such event was sent, "total": since the database began,
 * "last_seq": the newest seq dropped}.  While it is not yet published it
 * is updated in place (it is never dropped itself); once published, the
 * next overflow starts a new one.
 */
static int
cloud_queue_drop_put(long long n, long long last, long long ms)
{
	sqlite3_stmt *st;
	char payload[128];
	long long count = n;
	int rc;

	if (q.drop_open) {		/* not published yet: updated */
		count += q.drop_count;
		snprintf(payload, sizeof payload, "{\"count\":%lld,\"total\":"
		    "%lld,\"last_seq\":%lld}", count, q.dropped + n, last);
		if (sqlite3_prepare_v2(store_db(), "UPDATE cloud_events SET "
		    "payload = ?1 WHERE seq = ?2", -1, &st, NULL) != SQLITE_OK)
			return -1;
		sqlite3_bind_text(st, 1, payload, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, q.drop_seq);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return -1;
		if (sqlite3_changes(store_db()) == 1) {
			q.drop_count = count;
			return 0;
		}
		count = n;		/* gone meanwhile: a new one */
	}
	snprintf(payload, sizeof payload, "{\"count\":%lld,\"total\":%lld,"
	    "\"last_seq\":%lld}", count, q.dropped + n, last);
	if (cloud_queue_insert("dropped", payload, ms) == -1)
		return -1;
	q.drop_seq = sqlite3_last_insert_rowid(store_db());
	q.drop_count = count;
	q.drop_open = 1;
	q.count++;
	return 0;
}

static void
cloud_queue_cap(long long ms)
{
	long long max = settings_int(cloud_s_queue_max), n, last;
	int fresh = !q.drop_open;
	char sql[256], num[32];

	if (q.count <= max)
		return;
	n = q.count - max + fresh;	/* room for a new dropped event */
	snprintf(sql, sizeof sql, "SELECT max(seq) FROM (SELECT seq FROM "
	    "cloud_events WHERE seq > %lld AND kind != 'dropped' ORDER BY seq "
	    "LIMIT %lld)", q.last_seq, n);
	if ((last = cloud_queue_scalar(sql)) <= 0)
		return;		/* nothing that may go (all in flight) */
	snprintf(sql, sizeof sql, "DELETE FROM cloud_events WHERE seq > %lld "
	    "AND seq <= %lld AND kind != 'dropped'", q.last_seq, last);
	if (store_run(sql, NULL, NULL, "cloud queue cap") == -1)
		return;
	n = sqlite3_changes(store_db());
	q.count -= n;
	if (cloud_queue_drop_put(n, last, ms) == -1) {
		log_warnx("cloud: dropped event not queued: %s",
		    store_errmsg());
		return;
	}
	q.dropped += n;
	snprintf(num, sizeof num, "%lld", q.dropped);
	store_meta_put("cloud.dropped", num);
	log_warnx("cloud: uplink queue full (%lld): %lld oldest events "
	    "dropped (up to seq %lld)", max, n, last);
}

/* What the queue's memory was before an event went in: a rollback of
 * the transaction it went in with (its own, or the one of the SMS or
 * setting that raised it) takes the row away again, so the count is
 * read back and the dropped event's state put back. */
struct cloud_queue_before {
	long long	dropped, drop_seq, drop_count;
	int		drop_open;
};

static void
cloud_queue_undo(void *data, int undo)
{
	struct cloud_queue_before *b = data;

	if (undo) {
		q.count = cloud_queue_scalar("SELECT count(*) FROM "
		    "cloud_events");
		if (q.count < 0)
			q.count = 0;
		q.dropped = b->dropped;
		q.drop_seq = b->drop_seq;
		q.drop_count = b->drop_count;
		q.drop_open = b->drop_open;
	}
	free(b);
}

static void
cloud_queue_sink(struct json_object *ev, void *arg)
{
	struct cloud_queue_before *b;
	struct json_object *name, *p, *v;
	const char *kind;
	struct timespec ts;
	long long ms;
	int i;

	if (!q.running || !json_object_object_get_ex(ev, "event", &name))
		return;
	if (settings_value(cloud_s_server)[0] == '\0')
		return;		/* no cloud configured: nothing to keep */
	kind = json_object_get_string(name);
	for (i = 0; cloud_kinds[i] != NULL; i++)
		if (strcmp(kind, cloud_kinds[i]) == 0)
			break;
	if (cloud_kinds[i] == NULL)
		return;
	/* the status report's sections that follow these events (an SMS
	 * in or out moves the sms section's counts) */
	if (strcmp(kind, "modem") == 0 || strcmp(kind, "data") == 0 ||
	    strcmp(kind, "io") == 0 || strcmp(kind, "sms") == 0)
		cloud_status_changed();
	p = json_object_new_object();
	if (strcmp(kind, "sms") == 0) {
		struct json_object *dir = NULL, *k = NULL, *id = NULL, *num = NULL;
		char *text;

		/* received messages only, and not status reports */
		if (!json_object_object_get_ex(ev, "direction", &dir) ||
		    strcmp(json_object_get_string(dir), "in") != 0 ||
		    (json_object_object_get_ex(ev, "kind", &k) &&
		    strcmp(json_object_get_string(k), "status-report") == 0)) {
			json_object_put(p);
			return;
		}
		json_object_object_get_ex(ev, "id", &id);
		json_object_object_get_ex(ev, "number", &num);
		text = cloud_sms_text(json_object_get_int64(id));
		if (text != NULL) {	/* a command's password never leaves */
			struct buf r;

			buf_init(&r, 8192);
			smscmd_redact(text, strlen(text), &r);
			free(text);
			text = strdup(buf_str(&r));
			buf_free(&r);
		}
		json_object_object_add(p, "time", json_object_get(
		    json_object_object_get(ev, "time")));
		json_object_object_add(p, "from", json_object_get(num));
		json_object_object_add(p, "text", text != NULL ?
		    json_object_new_string(text) : NULL);
		json_object_object_add(p, "id", json_object_get(id));
		free(text);
	} else {
		json_object_object_foreach(ev, key, val) {
			if (strcmp(key, "event") != 0)
				json_object_object_add(p, key,
				    json_object_get(val));
		}
	}
	(void)v;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (store_begin() == -1) {
		log_warnx("cloud: event %s not queued: %s", kind,
		    store_errmsg());
		json_object_put(p);
		return;
	}
	if (cloud_queue_insert(kind, json_object_to_json_string_ext(p,
	    JSON_C_TO_STRING_PLAIN), ms) == -1) {
		log_warnx("cloud: event %s not queued: %s", kind,
		    store_errmsg());
		store_rollback();
		json_object_put(p);
		return;
	}
	if ((b = malloc(sizeof *b)) == NULL)
		fatal("malloc");
	b->dropped = q.dropped;
	b->drop_seq = q.drop_seq;
	b->drop_count = q.drop_count;
	b->drop_open = q.drop_open;
	(void)store_undo_push(cloud_queue_undo, b);	/* a level is open */
	q.count++;
	cloud_queue_cap(ms);
	if (store_commit() == -1) {
		log_warnx("cloud: event %s not queued: %s", kind,
		    store_errmsg());
		store_rollback();	/* done by the commit: ends it */
	}
	json_object_put(p);
	cloud_queue_kick();
}

char *
cloud_queue_payload(long long seq, const char *stored)
{
	struct json_object *o = json_tokener_parse(stored), *out;
	char *s;

	out = json_object_new_object();
	json_object_object_add(out, "seq", json_object_new_int64(seq));
	if (o != NULL && json_object_is_type(o, json_type_object)) {
		json_object_object_foreach(o, k, v)
			if (strcmp(k, "seq") != 0)	/* the queue's, only */
				json_object_object_add(out, k,
				    json_object_get(v));
	}
	json_object_put(o);
	s = strdup(json_object_to_json_string_ext(out,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(out);
	return s;
}

static void
cloud_queue_flush(void)
{
	sqlite3_stmt *st;
	uint64_t now = util_now_ms();
	long long mintime = settings_int(cloud_s_mintime) * 60000;
	int room = CLOUD_INFLIGHT - q.ninflight;

	if (!q.running)
		return;
	if (!cloud_link_up()) {
		if (cloud_queue_due())
			cloud_link_update(0);	/* an upload session */
		else if (q.count > 0 && now < q.next_upload) {
			struct timeval tv;
			uint64_t d = q.next_upload - now;

			tv.tv_sec = (time_t)(d / 1000);
			tv.tv_usec = (suseconds_t)(d % 1000 * 1000);
			event_add(q.flush_ev, &tv);
		}
		return;
	}
	if (q.count == 0) {
		if (q.batch) {
			q.batch = 0;
			cloud_link_update(0);	/* the upload is done */
		}
		return;
	}
	if (!q.batch) {
		if (now < q.next_upload) {
			struct timeval tv;
			uint64_t d = q.next_upload - now;

			tv.tv_sec = (time_t)(d / 1000);
			tv.tv_usec = (suseconds_t)(d % 1000 * 1000);
			event_add(q.flush_ev, &tv);
			return;
		}
		q.batch = 1;
		q.next_upload = now + (uint64_t)mintime;
	}
	if (room <= 0)
		return;
	if (sqlite3_prepare_v2(store_db(), "SELECT seq, kind, payload FROM "
	    "cloud_events WHERE seq > ?1 ORDER BY seq LIMIT ?2", -1, &st,
	    NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, q.last_seq);
	sqlite3_bind_int(st, 2, room);
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long seq = sqlite3_column_int64(st, 0);
		const char *kind = (const char *)sqlite3_column_text(st, 1);
		char topic[CLOUD_TOPIC_MAX], sub[48];
		char *payload = cloud_queue_payload(seq,
		    (const char *)sqlite3_column_text(st, 2));
		int mid;

		snprintf(sub, sizeof sub, "event/%s", kind);
		cloud_topic(topic, sizeof topic, sub);
		mid = payload != NULL ? cloud_link_publish(topic, payload,
		    strlen(payload), 0, NULL, 0, NULL) : -1;
		free(payload);
		if (mid < 0)
			break;
		if (seq == q.drop_seq)
			q.drop_open = 0;	/* its text is out now */
		q.inflight[q.ninflight].mid = mid;
		q.inflight[q.ninflight].seq = seq;
		q.ninflight++;
		q.last_seq = seq;
	}
	sqlite3_finalize(st);
}

static void
cloud_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	cloud_queue_flush();
}

void
cloud_queue_acked(int mid)
{
	char seq[32];

	for (int i = 0; i < q.ninflight; i++) {
		if (q.inflight[i].mid != mid)
			continue;
		snprintf(seq, sizeof seq, "%lld", q.inflight[i].seq);
		if (store_run("DELETE FROM cloud_events WHERE seq = ?1", seq,
		    NULL, "cloud event acknowledged") == 0 &&
		    sqlite3_changes(store_db()) > 0 && q.count > 0)
			q.count--;
		q.inflight[i] = q.inflight[--q.ninflight];
		cloud_link_touch();
		cloud_queue_kick();
		return;
	}
}

void
cloud_queue_link(int up)
{
	/* everything unacknowledged goes again, from the oldest; an upload
	 * cut short goes on as soon as the link is back */
	if (!up && q.batch && q.count > 0)
		q.next_upload = 0;
	q.ninflight = 0;
	q.last_seq = 0;
	q.batch = 0;
	free(q.status_sent);
	q.status_sent = NULL;
	if (up)
		cloud_queue_kick();
}

/* ---- retained status ---- */

/* Fields of the modem section left out of the retained status: its
 * command counters, the age of its state and the network's clock (stale
 * as soon as retained, and different every second). */
static const char *const cloud_status_volatile[] = {
	"commands", "queue", "since", "network_time", NULL
};

static void
cloud_status_send(void)
{
	static const char *const sections[] = {
		"modem", "sms", "bridge", "data", "io", "cloud", NULL
	};
	struct json_object *st, *o, *v;
	char topic[CLOUD_TOPIC_MAX];
	const char *s;

	if (!cloud_link_up())
		return;
	st = status_json();
	o = json_object_new_object();
	for (int i = 0; sections[i] != NULL; i++)
		if (json_object_object_get_ex(st, sections[i], &v))
			json_object_object_add(o, sections[i],
			    json_object_get(v));
	/* the link's own section would change with every publish, and the
	 * modem's counters and state age all the time: none is a change
	 * worth a retained message */
	json_object_object_del(o, "cloud");
	if (json_object_object_get_ex(o, "modem", &v))
		for (int i = 0; cloud_status_volatile[i] != NULL; i++)
			json_object_object_del(v, cloud_status_volatile[i]);
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (q.status_sent != NULL && strcmp(q.status_sent, s) == 0)
		log_debug("cloud: status unchanged, not published again");
	else {
		cloud_topic(topic, sizeof topic, "status");
		if (cloud_link_publish(topic, s, strlen(s), 1, NULL, 0,
		    NULL) >= 0) {
			free(q.status_sent);
			q.status_sent = strdup(s);
			q.status_last = util_now_ms();
		}
	}
	json_object_put(o);
	json_object_put(st);
}

static void
cloud_status_cb(evutil_socket_t fd, short what, void *arg)
{
	cloud_status_send();
}

void
cloud_status_changed(void)
{
	uint64_t now = util_now_ms(), next;
	struct timeval tv = { 0, 0 };

	if (!q.running || !cloud_link_up() ||
	    evtimer_pending(q.status_ev, NULL))
		return;
	next = q.status_last + CLOUD_STATUS_MIN_S * 1000;
	if (next > now) {
		tv.tv_sec = (time_t)((next - now) / 1000);
		tv.tv_usec = (suseconds_t)((next - now) % 1000 * 1000);
	}
	evtimer_add(q.status_ev, &tv);
}

void
cloud_status_publish_now(void)
{
	if (q.running)
		cloud_status_send();
}

int
cloud_queue_init(struct event_base *base, char *err, size_t errlen)
{
	char num[32];

	memset(&q, 0, sizeof q);
	q.flush_ev = evtimer_new(base, cloud_flush_cb, NULL);
	q.status_ev = evtimer_new(base, cloud_status_cb, NULL);
	if (q.flush_ev == NULL || q.status_ev == NULL) {
		snprintf(err, errlen, "cloud: out of memory");
		return -1;
	}
	q.count = cloud_queue_scalar("SELECT count(*) FROM cloud_events");
	if (q.count < 0) {
		snprintf(err, errlen, "cloud: cannot read the event queue: %s",
		    sqlite3_errmsg(store_db()));
		return -1;
	}
	if (store_meta_get("cloud.dropped", num, sizeof num) == 0)
		q.dropped = atoll(num);
	if (q.count > 0)
		log_info("cloud: %lld uplink events waiting from before",
		    q.count);
	if (events_add_sink(cloud_queue_sink, NULL) == -1) {
		snprintf(err, errlen, "cloud: no room for an events sink");
		return -1;
	}
	q.running = 1;
	return 0;
}

void
cloud_queue_shutdown(void)
{
	events_remove_sink(cloud_queue_sink, NULL);
	q.running = 0;
	if (q.flush_ev != NULL)
		event_free(q.flush_ev);
	if (q.status_ev != NULL)
		event_free(q.status_ev);
	q.flush_ev = q.status_ev = NULL;
	free(q.status_sent);
	q.status_sent = NULL;
}
