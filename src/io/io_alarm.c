/*
 * io_alarm.c: what an alarm does (SPEC section 7): its text by SMS to
 * every phonebook position with alarm_sms (queued through sms_send, so
 * the daily cap applies), then a call to every position with alarm_call,
 * one after another (calls_dial: ring alarm.ring_time seconds, hang up; a
 * busy or failed call moves on), and an "alarm" event.  Inhibition and
 * the rate cap are decided before (io.c).
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "calls.h"
#include "events.h"
#include "io_int.h"
#include "log.h"
#include "util.h"
#include "phonebook.h"
#include "sms.h"
#include "util.h"

#define IO_CALLQ_MAX	32
#define IO_DIAL_RETRIES	5

static struct {
	char		 q[IO_CALLQ_MAX][PHONEBOOK_NUMBER_MAX + 1];
	size_t		 head, len;
	int		 dialling;
	int		 retries;
	struct event	*retry;
	long long	 alarms, sms, calls_rang, calls_busy, calls_failed;
	char		 last_text[IO_TEXT_MAX + 1];
	char		 last_source[IO_NAME_MAX + 1];
	time_t		 last_at;
} ia;

struct io_bcast {
	const char	*text;
	const char	*origin;
	int		 sms, calls;	/* what to do */
	int		 nsms, ncalls;
};

static void io_alarm_next(void);

static void
io_alarm_dialled(const char *number, enum calls_dial_result res, void *arg)
{
	ia.dialling = 0;
	if (res == CALLS_DIAL_RANG)
		ia.calls_rang++;
	else if (res == CALLS_DIAL_BUSY)
		ia.calls_busy++;
	else
		ia.calls_failed++;
	io_alarm_next();
}

static void
io_alarm_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	io_alarm_next();
}

/* Dial the next queued number, unless a call is under way. */
static void
io_alarm_next(void)
{
	struct timeval tv = { 5, 0 };

	if (ia.dialling || ia.len == 0 || !io_running)
		return;
	if (calls_dial(ia.q[ia.head], (int)settings_int(io_h.ring_time),
	    io_alarm_dialled, NULL) == 0) {
		ia.dialling = 1;
		ia.retries = 0;
		ia.head = (ia.head + 1) % IO_CALLQ_MAX;
		ia.len--;
		return;
	}
	/* the modem is busy or not ready: try again, then give up on it */
	if (++ia.retries > IO_DIAL_RETRIES) {
		log_warnx("io: alarm call to %s not possible, skipped",
		    ia.q[ia.head]);
		ia.calls_failed++;
		ia.retries = 0;
		ia.head = (ia.head + 1) % IO_CALLQ_MAX;
		ia.len--;
		if (ia.len > 0)
			event_add(ia.retry, &tv);
		return;
	}
	event_add(ia.retry, &tv);
}

static int
io_alarm_entry(const struct phonebook_entry *e, void *arg)
{
	struct io_bcast *b = arg;
	char err[256];

	if (b->sms && e->alarm_sms) {
		if (sms_send(e->number, b->text, strlen(b->text), "auto",
		    b->origin, err, sizeof err) == -1)
			log_warnx("io: %s SMS to position %d not queued: %s",
			    b->origin, e->pos, err);
		else
			b->nsms++;
	}
	if (b->calls && e->alarm_call) {
		if (ia.len == IO_CALLQ_MAX)
			log_warnx("io: alarm call queue full, position %d "
			    "not called", e->pos);
		else {
			util_strlcpy(ia.q[(ia.head + ia.len) % IO_CALLQ_MAX],
			    e->number, sizeof ia.q[0]);
			ia.len++;
			b->ncalls++;
		}
	}
	return 0;
}

void
io_alarm_raise(const char *source, const char *kind, const char *text)
{
	struct io_bcast b = { text, "alarm", 1, 1, 0, 0 };
	struct json_object *o;
	char esc[2 * IO_TEXT_MAX];

	util_escape(esc, sizeof esc, text, strlen(text));
	if (phonebook_foreach(io_alarm_entry, &b) == -1)
		log_warnx("io: phonebook not readable for the alarm");
	ia.alarms++;
	ia.sms += b.nsms;
	util_strlcpy(ia.last_text, text, sizeof ia.last_text);
	util_strlcpy(ia.last_source, source, sizeof ia.last_source);
	ia.last_at = time(NULL);
	log_info("io: alarm from %s (%s): \"%s\": %d SMS, %d calls", source,
	    kind, esc, b.nsms, b.ncalls);
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string(source));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "text", json_object_new_string(text));
	json_object_object_add(o, "sms", json_object_new_int(b.nsms));
	json_object_object_add(o, "calls", json_object_new_int(b.ncalls));
	events_publish("alarm", o);
	io_alarm_next();
}

void
io_alarm_broadcast(const char *text, const char *origin)
{
	struct io_bcast b = { text, origin, 1, 0, 0, 0 };

	if (phonebook_foreach(io_alarm_entry, &b) == -1)
		log_warnx("io: phonebook not readable");
	log_info("io: %s SMS to %d positions", origin, b.nsms);
}

struct json_object *
io_alarm_status(void)
{
	struct json_object *o = json_object_new_object();
	char when[UTIL_RFC3339_LEN];

	json_object_object_add(o, "count", json_object_new_int64(ia.alarms));
	json_object_object_add(o, "sms", json_object_new_int64(ia.sms));
	json_object_object_add(o, "calls_rang",
	    json_object_new_int64(ia.calls_rang));
	json_object_object_add(o, "calls_busy",
	    json_object_new_int64(ia.calls_busy));
	json_object_object_add(o, "calls_failed",
	    json_object_new_int64(ia.calls_failed));
	json_object_object_add(o, "calls_queued",
	    json_object_new_int((int)ia.len + ia.dialling));
	json_object_object_add(o, "last_source",
	    json_object_new_string(ia.last_source));
	json_object_object_add(o, "last_text",
	    json_object_new_string(ia.last_text));
	json_object_object_add(o, "last_at", ia.last_at == 0 ? NULL :
	    json_object_new_string(util_rfc3339(when, sizeof when,
	    (long long)ia.last_at, -1)));
	return o;
}

void
io_alarm_init(struct event_base *base)
{
	memset(&ia, 0, sizeof ia);
	ia.retry = evtimer_new(base, io_alarm_retry_cb, NULL);
}

void
io_alarm_shutdown(void)
{
	if (ia.dialling)
		calls_dial_cancel();
	ia.dialling = 0;
	ia.len = 0;
	if (ia.retry != NULL) {
		event_free(ia.retry);
		ia.retry = NULL;
	}
}
