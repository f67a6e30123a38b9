/*
 * modem_port.c: the modem port on the event loop: opening it (OPENING,
 * then the bring-up), reading it into the AT engine, writing what the
 * engine could not write at once, noticing that it vanished (read error
 * EIO, end of file, HUP: USB unplug) and watching for it to come back
 * (inotify on the device's directory, so a by-id symlink reappearing,
 * maybe for another ttyUSB number, is seen at once; plus a 1 s timer
 * while the directory itself is missing).  A USB selector
 * ("usb:VID:PID[:IF]", modem_usb.c) is resolved to a tty at each open
 * and each try; its watch is inotify on /dev (a new tty node), with the
 * same slow timer as a backup.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "modem_int.h"
#include "util.h"

#define MODEM_WATCH_MS	1000

static void
modem_port_read_cb(evutil_socket_t fd, short what, void *arg)
{
	uint8_t buf[4096];
	ssize_t n;
	int i;

	/* a bounded amount of work per wakeup */
	for (i = 0; i < 16 && mdm.port != NULL; i++) {
		n = serial_read(mdm.port, buf, sizeof buf);
		if (n > 0) {
			atchan_feed(mdm.ch, buf, (size_t)n);
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n == -1 && errno == EINTR)
			continue;
		modem_port_lost(n == 0 ? "end of file on the port" :
		    strerror(errno));
		return;
	}
}

static void
modem_port_write_cb(evutil_socket_t fd, short what, void *arg)
{
	int r;

	if (mdm.port == NULL)
		return;
	if ((r = serial_flush(mdm.port)) == 1)
		event_add(mdm.ev_write, NULL);
	else if (r == -1)
		modem_port_lost(strerror(errno));
}

/*
 * The path to open now: the configured one, or the tty the USB selector
 * resolves to (noting in the log, unless quiet, that it is ambiguous).
 * 0, or -1 with err.
 */
static int
modem_port_path(char *path, size_t pathlen, int quiet, char *err,
    size_t errlen)
{
	int n;

	if (!modem_usb_is_selector(mdm.device)) {
		if (util_strlcpy(path, mdm.device, pathlen) >= pathlen) {
			snprintf(err, errlen, "device path too long");
			return -1;
		}
		return 0;
	}
	n = modem_usb_resolve(MODEM_SYSFS_ROOT, mdm.device, path, pathlen,
	    err, errlen);
	if (n == -1)
		return -1;
	if (n > 1 && !quiet)
		log_warnx("modem: %s", err);
	return 0;
}

int
modem_port_open(void)
{
	char err[PATH_MAX + 128], path[PATH_MAX];
	struct serial *s;
	int fd;

	modem_set_state(MODEM_OPENING, "opening %s", mdm.device);
	if (modem_port_path(path, sizeof path, 0, err, sizeof err) == -1) {
		modem_set_state(MODEM_ABSENT, "%s", err);
		return -1;
	}
	if ((s = serial_open(path, mdm.baud, err, sizeof err)) == NULL) {
		if (modem_usb_is_selector(mdm.device))
			modem_set_state(MODEM_ABSENT, "%s: %s", mdm.device, err);
		else
			modem_set_state(MODEM_ABSENT, "%s", err);
		return -1;
	}
	fd = serial_fd(s);
	mdm.ev_read = event_new(mdm.base, fd, EV_READ | EV_PERSIST,
	    modem_port_read_cb, NULL);
	mdm.ev_write = event_new(mdm.base, fd, EV_WRITE, modem_port_write_cb,
	    NULL);
	if (mdm.ev_read == NULL || mdm.ev_write == NULL ||
	    event_add(mdm.ev_read, NULL) == -1) {
		serial_close(s);
		if (mdm.ev_read != NULL)
			event_free(mdm.ev_read);
		if (mdm.ev_write != NULL)
			event_free(mdm.ev_write);
		mdm.ev_read = mdm.ev_write = NULL;
		modem_set_state(MODEM_ABSENT, "cannot watch the port");
		return -1;
	}
	mdm.port = s;
	modem_port_unwatch();
	if (mdm.lost_ms != 0) {
		log_info("modem: %s is back after %llu ms", mdm.device,
		    (unsigned long long)(util_now_ms() - mdm.lost_ms));
		mdm.lost_ms = 0;
	}
	log_info("modem: opened %s (%s, %s, %d baud 8N1)", mdm.device,
	    serial_name(s), serial_backend(s), mdm.baud);
	modem_seq_begin("port opened");
	return 0;
}

void
modem_port_close(void)
{
	if (mdm.ev_read != NULL) {
		event_free(mdm.ev_read);
		mdm.ev_read = NULL;
	}
	if (mdm.ev_write != NULL) {
		event_free(mdm.ev_write);
		mdm.ev_write = NULL;
	}
	if (mdm.port != NULL) {
		serial_close(mdm.port);
		mdm.port = NULL;
	}
	if (mdm.ch != NULL)
		atchan_flush(mdm.ch, MODEM_GONE);
}

void
modem_port_lost(const char *why)
{
	char esc[160];

	util_escape(esc, sizeof esc, why, strlen(why));
	log_warnx("modem: port %s lost: %s", mdm.device, esc);
	mdm.lost_ms = util_now_ms();
	modem_seq_abort();
	modem_net_poll_stop();
	modem_port_close();
	modem_set_state(MODEM_ABSENT, "port vanished (%s)", esc);
	modem_port_watch();
}

/* ---- waiting for the device to (re)appear ---- */

static void
modem_port_try(void)
{
	char err[PATH_MAX + 128], path[PATH_MAX];
	struct stat st;

	if (mdm.port != NULL || mdm.device[0] == '\0')
		return;
	if (modem_port_path(path, sizeof path, 1, err, sizeof err) == -1 ||
	    stat(path, &st) == -1)
		return;
	if (modem_port_open() == -1)
		modem_port_watch();
}

static void
modem_port_inotify_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* drain; any change in the directory is worth a stat() */
	while (read(fd, buf, sizeof buf) > 0)
		;
	modem_port_try();
}

static void
modem_port_watch_cb(evutil_socket_t fd, short what, void *arg)
{
	modem_port_try();
	if (mdm.port == NULL && mdm.running)
		modem_port_watch();
}

void
modem_port_watch(void)
{
	char dir[PATH_MAX];
	struct timeval tv = { MODEM_WATCH_MS / 1000,
	    (MODEM_WATCH_MS % 1000) * 1000 };

	if (!mdm.running || mdm.device[0] == '\0')
		return;
	if (mdm.ev_watch == NULL)
		mdm.ev_watch = evtimer_new(mdm.base, modem_port_watch_cb, NULL);
	if (mdm.watch_fd == -1) {
		/* a USB selector's tty appears in /dev */
		util_strlcpy(dir, modem_usb_is_selector(mdm.device) ?
		    "/dev/tty" : mdm.device, sizeof dir);
		mdm.watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (mdm.watch_fd != -1 && inotify_add_watch(mdm.watch_fd,
		    dirname(dir), IN_CREATE | IN_MOVED_TO | IN_ATTRIB) == -1) {
			close(mdm.watch_fd);
			mdm.watch_fd = -1;
		}
		if (mdm.watch_fd != -1) {
			mdm.ev_inotify = event_new(mdm.base, mdm.watch_fd,
			    EV_READ | EV_PERSIST, modem_port_inotify_cb, NULL);
			event_add(mdm.ev_inotify, NULL);
		}
	}
	/* the directory may be missing (/dev/serial/by-id goes away with
	 * the last USB serial device): the timer covers that, at 1 Hz
	 * only while the modem is away; with inotify it is a slow backup */
	if (mdm.watch_fd == -1)
		evtimer_add(mdm.ev_watch, &tv);
	else {
		tv.tv_sec = 10;
		tv.tv_usec = 0;
		evtimer_add(mdm.ev_watch, &tv);
	}
}

void
modem_port_unwatch(void)
{
	if (mdm.ev_watch != NULL) {
		event_free(mdm.ev_watch);
		mdm.ev_watch = NULL;
	}
	if (mdm.ev_inotify != NULL) {
		event_free(mdm.ev_inotify);
		mdm.ev_inotify = NULL;
	}
	if (mdm.watch_fd != -1) {
		close(mdm.watch_fd);
		mdm.watch_fd = -1;
	}
}
