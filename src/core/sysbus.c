/*
 * sysbus.c: requests to logind and systemd over the system bus (sd-bus),
 * never blocking the loop: the connection's socket and timeout are
 * watched by libevent and sd_bus_process() runs when they fire.  The
 * connection opens at the first request and stays (it costs nothing
 * while idle).  Without libsystemd every request is refused.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "config.h"
#include "log.h"
#include "sysbus.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-bus.h>

struct sysbus_req {
	sysbus_cb	*done;
	void		*arg;
	sd_bus_slot	*slot;
};

static sd_bus *sysbus;
static struct event *sysbus_io_ev, *sysbus_timer_ev;
static struct event_base *sysbus_base;

static void sysbus_arm(void);

static void
sysbus_run(evutil_socket_t fd, short what, void *arg)
{
	int r;

	while ((r = sd_bus_process(sysbus, NULL)) > 0)
		;
	if (r < 0) {
		log_warnx("system bus: %s", strerror(-r));
		sysbus_shutdown();
		return;
	}
	sysbus_arm();
}

/* Watch what sd-bus waits for now. */
static void
sysbus_arm(void)
{
	int fd = sd_bus_get_fd(sysbus), ev = sd_bus_get_events(sysbus);
	uint64_t until;
	short what = 0;

	if (sysbus_io_ev != NULL)
		event_free(sysbus_io_ev);
	sysbus_io_ev = NULL;
	evtimer_del(sysbus_timer_ev);
	if (ev > 0 && (ev & POLLIN))
		what |= EV_READ;
	if (ev > 0 && (ev & POLLOUT))
		what |= EV_WRITE;
	if (fd >= 0 && what != 0 && (sysbus_io_ev = event_new(sysbus_base,
	    fd, what, sysbus_run, NULL)) != NULL)
		event_add(sysbus_io_ev, NULL);
	if (sd_bus_get_timeout(sysbus, &until) > 0 && until != UINT64_MAX) {
		struct timespec now;
		uint64_t now_us, d;
		struct timeval tv;

		clock_gettime(CLOCK_MONOTONIC, &now);
		now_us = (uint64_t)now.tv_sec * 1000000 +
		    (uint64_t)now.tv_nsec / 1000;
		d = until > now_us ? until - now_us : 0;
		tv.tv_sec = (time_t)(d / 1000000);
		tv.tv_usec = (suseconds_t)(d % 1000000);
		evtimer_add(sysbus_timer_ev, &tv);
	}
}

static int
sysbus_open(struct event_base *base, char *err, size_t errlen)
{
	int r;

	if (sysbus != NULL)
		return 0;
	if ((r = sd_bus_open_system(&sysbus)) < 0) {
		snprintf(err, errlen, "cannot reach the system bus: %s",
		    strerror(-r));
		sysbus = NULL;
		return -1;
	}
	sysbus_base = base;
	if ((sysbus_timer_ev = evtimer_new(base, sysbus_run, NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		sysbus_shutdown();
		return -1;
	}
	return 0;
}

static int
sysbus_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret)
{
	struct sysbus_req *q = userdata;
	const sd_bus_error *e = sd_bus_message_get_error(m);

	if (q->done != NULL)
		q->done(e != NULL ? (e->message != NULL ? e->message :
		    e->name) : NULL, q->arg);
	return 1;		/* the bus frees the slot, and q with it */
}

static struct sysbus_req *
sysbus_req_new(sysbus_cb *done, void *arg, char *err, size_t errlen)
{
	struct sysbus_req *q = calloc(1, sizeof *q);

	if (q == NULL)
		snprintf(err, errlen, "out of memory");
	else {
		q->done = done;
		q->arg = arg;
	}
	return q;
}

static int
sysbus_sent(struct sysbus_req *q, int r, const char *what, char *err,
    size_t errlen)
{
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", what, strerror(-r));
		free(q);
		return -1;
	}
	/* the bus owns the slot; q goes when the slot does (after the
	 * reply, or when the connection closes first) */
	sd_bus_slot_set_destroy_callback(q->slot, free);
	sd_bus_slot_set_floating(q->slot, 1);
	sysbus_arm();
	return 0;
}

int
sysbus_reboot(struct event_base *base, sysbus_cb *done, void *arg,
    char *err, size_t errlen)
{
	struct sysbus_req *q;
	int r;

	if (sysbus_open(base, err, errlen) == -1 ||
	    (q = sysbus_req_new(done, arg, err, errlen)) == NULL)
		return -1;
	r = sd_bus_call_method_async(sysbus, &q->slot,
	    "org.freedesktop.login1", "/org/freedesktop/login1",
	    "org.freedesktop.login1.Manager", "Reboot", sysbus_reply, q, "b",
	    0);
	return sysbus_sent(q, r, "logind Reboot", err, errlen);
}

int
sysbus_unit(struct event_base *base, const char *verb, const char *unit,
    sysbus_cb *done, void *arg, char *err, size_t errlen)
{
	struct sysbus_req *q;
	const char *method;
	int r;

	if (strcmp(verb, "start") == 0)
		method = "StartUnit";
	else if (strcmp(verb, "stop") == 0)
		method = "StopUnit";
	else {
		snprintf(err, errlen, "unknown unit verb %s", verb);
		return -1;
	}
	if (sysbus_open(base, err, errlen) == -1 ||
	    (q = sysbus_req_new(done, arg, err, errlen)) == NULL)
		return -1;
	r = sd_bus_call_method_async(sysbus, &q->slot,
	    "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
	    "org.freedesktop.systemd1.Manager", method, sysbus_reply, q, "ss",
	    unit, "replace");
	return sysbus_sent(q, r, method, err, errlen);
}

void
sysbus_shutdown(void)
{
	if (sysbus_io_ev != NULL)
		event_free(sysbus_io_ev);
	if (sysbus_timer_ev != NULL)
		event_free(sysbus_timer_ev);
	sysbus_io_ev = sysbus_timer_ev = NULL;
	/* pending requests' slots go with the bus (their callbacks never
	 * run; their memory is freed by the slots' destroy callbacks) */
	if (sysbus != NULL)
		sysbus = sd_bus_flush_close_unref(sysbus);
	sysbus_base = NULL;
}

#else	/* !HAVE_SYSTEMD */

static int
sysbus_none(char *err, size_t errlen)
{
	snprintf(err, errlen, "built without systemd (--without-systemd)");
	return -1;
}

int
sysbus_reboot(struct event_base *base, sysbus_cb *done, void *arg,
    char *err, size_t errlen)
{
	return sysbus_none(err, errlen);
}

int
sysbus_unit(struct event_base *base, const char *verb, const char *unit,
    sysbus_cb *done, void *arg, char *err, size_t errlen)
{
	return sysbus_none(err, errlen);
}

void
sysbus_shutdown(void)
{
}

#endif
