/*
 * bridge_port.c: the bridge's data port.  Either a serial device opened
 * with libserialport (UART parameters from AT+UART, RS485 through
 * TIOCSRS485 when the driver supports it), any other tty (a pty
 * /dev/pts/N, a socat link) opened with plain termios where libserialport
 * refuses it, or a pseudo-terminal the daemon creates, whose slave is
 * linked at data_port.pty for local programs (the link is removed at
 * shutdown).  The daemon keeps the pty's slave open too, so the master
 * never sees a hang-up while no program has it open.
 *
 * data_port.device may be a path (a by-id link, a socat link) or a USB
 * selector "usb:VID:PID[:IF]", resolved at each try with the modem's
 * resolver (modem_usb.c).  A device that is missing at start, or that
 * vanishes (EIO, HUP, end of file), leaves the port "absent": the
 * daemon runs on, and the port is tried again whenever its directory
 * changes (inotify; /dev for a USB selector) and on a slow timer (1 s
 * while the directory is missing, else 10 s as a backup).  Owns the
 * port's descriptor, its bufferevent and the watch; bridge.c gets the
 * bufferevent through the up/down callbacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <linux/serial.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <libserialport.h>

#include "bridge_int.h"
#include "conf.h"
#include "log.h"
#include "usb_sel.h"
#include "util.h"

#define BRIDGE_WATCH_MS		1000	/* retry while the directory is gone */
#define BRIDGE_BACKUP_MS	10000	/* retry besides inotify */

static struct sp_port *bridge_sp;
static int bridge_port_fd = -1;		/* serial fd, or pty master */
static int bridge_pty_slave = -1;
static int bridge_tty_fd = -1;		/* a tty opened without libserialport */
static char bridge_pty_link[CONF_PATH_MAX];
static char bridge_port_path[CONF_PATH_MAX];
static struct bufferevent *bridge_port_bev;

/* the configured device and its watch */
static char bridge_dev[CONF_PATH_MAX];
static char bridge_dev_error[256];
static struct event_base *bridge_port_base;
static void (*bridge_port_up_cb)(struct bufferevent *);
static void (*bridge_port_down_cb)(void);
static int bridge_watch_fd = -1;
static struct event *bridge_watch_ev;	/* inotify readable */
static struct event *bridge_retry_ev;	/* slow timer, or "now" */
static int bridge_port_lost_now;

static void bridge_port_try(void);

const char *
bridge_port_name(void)
{
	return bridge_port_fd == -1 ? NULL : bridge_port_path;
}

const char *
bridge_port_state(void)
{
	if (bridge_port_fd != -1)
		return "open";
	return bridge_dev[0] != '\0' ? "absent" : "none";
}

const char *
bridge_port_device(void)
{
	return bridge_dev[0] != '\0' ? bridge_dev : NULL;
}

const char *
bridge_port_error(void)
{
	return bridge_port_fd == -1 && bridge_dev_error[0] != '\0' ?
	    bridge_dev_error : NULL;
}

int
bridge_port_is_pty(void)
{
	return bridge_pty_slave != -1;
}

static speed_t
bridge_port_speed(unsigned baud)
{
	switch (baud) {
	case 1200: return B1200;
	case 2400: return B2400;
	case 4800: return B4800;
	case 9600: return B9600;
	case 19200: return B19200;
	case 38400: return B38400;
	case 57600: return B57600;
	case 115200: return B115200;
	case 230400: return B230400;
	case 460800: return B460800;
	case 921600: return B921600;
	default: return B0;
	}
}

/* termios for a pty (its settings change nothing on the wire, but the
 * program on the other side sees them, as with a real UART). */
static int
bridge_port_apply_tty(int fd, const struct bridge_uart *u, char *err,
    size_t errlen)
{
	struct termios t;
	speed_t sp = bridge_port_speed(u->baud);

	if (sp == B0) {
		snprintf(err, errlen, "baud rate %u is not supported by this "
		    "port", u->baud);
		return -1;
	}
	if (u->flow == BRIDGE_FLOW_RS485) {
		snprintf(err, errlen, "RS485 is not available on a pty");
		return -1;
	}
	if (tcgetattr(fd, &t) == -1) {
		snprintf(err, errlen, "tcgetattr: %s", strerror(errno));
		return -1;
	}
	cfmakeraw(&t);
	cfsetispeed(&t, sp);
	cfsetospeed(&t, sp);
	t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CMSPAR | CSTOPB |
	    CRTSCTS);
	t.c_cflag |= CLOCAL | CREAD;
	switch (u->data_bits) {
	case 5: t.c_cflag |= CS5; break;
	case 6: t.c_cflag |= CS6; break;
	case 7: t.c_cflag |= CS7; break;
	default: t.c_cflag |= CS8; break;
	}
	switch (u->parity) {
	case BRIDGE_PARITY_ODD: t.c_cflag |= PARENB | PARODD; break;
	case BRIDGE_PARITY_EVEN: t.c_cflag |= PARENB; break;
	case BRIDGE_PARITY_MARK: t.c_cflag |= PARENB | PARODD | CMSPAR; break;
	case BRIDGE_PARITY_SPACE: t.c_cflag |= PARENB | CMSPAR; break;
	default: break;
	}
	if (u->stop_bits == 2)
		t.c_cflag |= CSTOPB;
	if (u->flow == BRIDGE_FLOW_CRTS)
		t.c_cflag |= CRTSCTS;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t) == -1) {
		snprintf(err, errlen, "tcsetattr: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
bridge_port_apply_sp(const struct bridge_uart *u, char *err, size_t errlen)
{
	enum sp_parity par;
	enum sp_return rc;
	struct serial_rs485 rs;

	switch (u->parity) {
	case BRIDGE_PARITY_ODD: par = SP_PARITY_ODD; break;
	case BRIDGE_PARITY_EVEN: par = SP_PARITY_EVEN; break;
	case BRIDGE_PARITY_MARK: par = SP_PARITY_MARK; break;
	case BRIDGE_PARITY_SPACE: par = SP_PARITY_SPACE; break;
	default: par = SP_PARITY_NONE; break;
	}
	if ((rc = sp_set_baudrate(bridge_sp, (int)u->baud)) != SP_OK ||
	    (rc = sp_set_bits(bridge_sp, u->data_bits)) != SP_OK ||
	    (rc = sp_set_parity(bridge_sp, par)) != SP_OK ||
	    (rc = sp_set_stopbits(bridge_sp, u->stop_bits)) != SP_OK ||
	    (rc = sp_set_flowcontrol(bridge_sp, u->flow == BRIDGE_FLOW_CRTS ?
	    SP_FLOWCONTROL_RTSCTS : SP_FLOWCONTROL_NONE)) != SP_OK) {
		char *m = sp_last_error_message();

		snprintf(err, errlen, "cannot set %u,%s,%d,%d: %s", u->baud,
		    bridge_parity_name(u->parity), u->data_bits, u->stop_bits,
		    rc == SP_ERR_FAIL && m != NULL ? m : "not supported");
		sp_free_error_message(m);
		return -1;
	}
	memset(&rs, 0, sizeof rs);
	if (u->flow == BRIDGE_FLOW_RS485)
		rs.flags = SER_RS485_ENABLED | SER_RS485_RTS_ON_SEND;
	if (ioctl(bridge_port_fd, TIOCSRS485, &rs) == -1 &&
	    u->flow == BRIDGE_FLOW_RS485) {
		snprintf(err, errlen, "%s does not support RS485 "
		    "(TIOCSRS485: %s)", bridge_port_path, strerror(errno));
		return -1;
	}
	return 0;
}

int
bridge_port_apply(const struct bridge_uart *u, char *err, size_t errlen)
{
	if (bridge_port_fd == -1) {
		snprintf(err, errlen, "no data port");
		return -1;
	}
	if (bridge_sp != NULL)
		return bridge_port_apply_sp(u, err, errlen);
	if (bridge_tty_fd != -1 && u->flow == BRIDGE_FLOW_RS485) {
		snprintf(err, errlen, "RS485 is not available on %s",
		    bridge_port_path);
		return -1;
	}
	return bridge_port_apply_tty(bridge_tty_fd != -1 ? bridge_tty_fd :
	    bridge_pty_slave, u, err, errlen);
}

static int
bridge_port_open_pty(const char *link, char *err, size_t errlen)
{
	char name[128];
	struct stat st;
	int m;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK)) == -1 ||
	    grantpt(m) == -1 || unlockpt(m) == -1 ||
	    ptsname_r(m, name, sizeof name) != 0) {
		snprintf(err, errlen, "cannot create a pty: %s",
		    strerror(errno));
		if (m != -1)
			close(m);
		return -1;
	}
	fcntl(m, F_SETFD, FD_CLOEXEC);
	if ((bridge_pty_slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		snprintf(err, errlen, "cannot open %s: %s", name,
		    strerror(errno));
		close(m);
		return -1;
	}
	if (lstat(link, &st) == 0) {
		if (!S_ISLNK(st.st_mode)) {
			snprintf(err, errlen, "%s exists and is not a "
			    "symbolic link: not replacing it", link);
			goto fail;
		}
		unlink(link);
	}
	if (symlink(name, link) == -1) {
		snprintf(err, errlen, "cannot link %s to %s: %s", link, name,
		    strerror(errno));
		goto fail;
	}
	util_strlcpy(bridge_pty_link, link, sizeof bridge_pty_link);
	util_strlcpy(bridge_port_path, link, sizeof bridge_port_path);
	bridge_port_fd = m;
	log_info("bridge: data port is pty %s, linked at %s", name, link);
	return 0;
fail:
	close(bridge_pty_slave);
	bridge_pty_slave = -1;
	close(m);
	return -1;
}

/* Any tty, with termios only (a pty, a socat link, a driver
 * libserialport does not know). */
static int
bridge_port_open_tty(const char *path, char *err, size_t errlen)
{
	int fd;

	if ((fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	if (!isatty(fd)) {
		snprintf(err, errlen, "%s is not a tty", path);
		close(fd);
		return -1;
	}
	bridge_port_fd = bridge_tty_fd = fd;
	util_strlcpy(bridge_port_path, path, sizeof bridge_port_path);
	log_info("bridge: data port is %s (a tty, set with termios)", path);
	return 0;
}

static int
bridge_port_open_serial(const char *path, char *err, size_t errlen)
{
	char m0[256];
	int fd;

	if (sp_get_port_by_name(path, &bridge_sp) != SP_OK) {
		bridge_sp = NULL;
		return bridge_port_open_tty(path, err, errlen);
	}
	if (sp_open(bridge_sp, SP_MODE_READ_WRITE) != SP_OK) {
		char *m = sp_last_error_message();

		snprintf(m0, sizeof m0, "%s", m != NULL ? m : "error");
		sp_free_error_message(m);
		sp_free_port(bridge_sp);
		bridge_sp = NULL;
		/* libserialport refuses ptys and some drivers: termios */
		if (bridge_port_open_tty(path, err, errlen) == 0)
			return 0;
		if (errno != ENOENT)
			log_debug("bridge: libserialport: %s: %s", path, m0);
		return -1;
	}
	if (sp_get_port_handle(bridge_sp, &fd) != SP_OK) {
		snprintf(err, errlen, "%s: no descriptor", path);
		sp_close(bridge_sp);
		sp_free_port(bridge_sp);
		bridge_sp = NULL;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	bridge_port_fd = fd;
	util_strlcpy(bridge_port_path, path, sizeof bridge_port_path);
	log_info("bridge: data port is %s", path);
	return 0;
}

/* Close the descriptors (not the configuration, not the watch). */
static void
bridge_port_close_fds(void)
{
	if (bridge_port_bev != NULL) {
		bufferevent_free(bridge_port_bev);
		bridge_port_bev = NULL;
	}
	if (bridge_sp != NULL) {
		sp_close(bridge_sp);
		sp_free_port(bridge_sp);
		bridge_sp = NULL;
	} else if (bridge_port_fd != -1)
		close(bridge_port_fd);
	bridge_port_fd = -1;
	bridge_tty_fd = -1;
	if (bridge_pty_slave != -1) {
		close(bridge_pty_slave);
		bridge_pty_slave = -1;
	}
	bridge_port_path[0] = '\0';
}

/* Wrap the open descriptor and hand it to bridge.c. */
static int
bridge_port_attach(char *err, size_t errlen)
{
	bridge_port_bev = bufferevent_socket_new(bridge_port_base,
	    bridge_port_fd, 0);
	if (bridge_port_bev == NULL) {
		snprintf(err, errlen, "cannot watch the data port");
		bridge_port_close_fds();
		return -1;
	}
	bridge_dev_error[0] = '\0';
	bridge_port_up_cb(bridge_port_bev);
	return 0;
}

static void
bridge_port_unwatch(void)
{
	if (bridge_watch_ev != NULL) {
		event_free(bridge_watch_ev);
		bridge_watch_ev = NULL;
	}
	if (bridge_watch_fd != -1) {
		close(bridge_watch_fd);
		bridge_watch_fd = -1;
	}
	if (bridge_retry_ev != NULL)
		evtimer_del(bridge_retry_ev);
}

static void
bridge_port_inotify_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	/* drain; any change in the directory is worth a try */
	while (read(fd, buf, sizeof buf) > 0)
		;
	bridge_port_try();
}

static void
bridge_port_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	if (bridge_port_lost_now) {
		/* after the callback that saw the loss has returned */
		bridge_port_lost_now = 0;
		bridge_port_down_cb();
		bridge_port_close_fds();
	}
	bridge_port_try();
}

/* Watch for the device: inotify on its directory, and the timer. */
static void
bridge_port_watch(void)
{
	char dir[PATH_MAX];
	struct timeval tv;
	int ms;

	if (bridge_watch_fd == -1) {
		util_strlcpy(dir, modem_usb_is_selector(bridge_dev) ?
		    "/dev/tty" : bridge_dev, sizeof dir);
		bridge_watch_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (bridge_watch_fd != -1 && inotify_add_watch(bridge_watch_fd,
		    dirname(dir), IN_CREATE | IN_MOVED_TO | IN_ATTRIB) == -1) {
			close(bridge_watch_fd);
			bridge_watch_fd = -1;
		}
		if (bridge_watch_fd != -1) {
			bridge_watch_ev = event_new(bridge_port_base,
			    bridge_watch_fd, EV_READ | EV_PERSIST,
			    bridge_port_inotify_cb, NULL);
			if (bridge_watch_ev != NULL)
				event_add(bridge_watch_ev, NULL);
		}
	}
	ms = bridge_watch_fd == -1 ? BRIDGE_WATCH_MS : BRIDGE_BACKUP_MS;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(bridge_retry_ev, &tv);
}

/* One try at the configured device; on failure, watch for it. */
static void
bridge_port_try(void)
{
	char err[PATH_MAX + 128], path[PATH_MAX];
	int n;

	if (bridge_port_fd != -1 || bridge_port_lost_now ||
	    bridge_dev[0] == '\0')
		return;
	err[0] = '\0';
	if (modem_usb_is_selector(bridge_dev)) {
		n = modem_usb_resolve(MODEM_SYSFS_ROOT, bridge_dev, path,
		    sizeof path, err, sizeof err);
		if (n > 1)
			log_warnx("bridge: %s", err);
	} else
		n = util_strlcpy(path, bridge_dev, sizeof path) < sizeof path ?
		    1 : -1;
	if (n >= 1 && bridge_port_open_serial(path, err, sizeof err) == 0 &&
	    bridge_port_attach(err, sizeof err) == 0) {
		bridge_port_unwatch();
		return;
	}
	if (strcmp(err, bridge_dev_error) != 0) {
		log_warnx("bridge: data port %s absent: %s", bridge_dev,
		    err[0] != '\0' ? err : "cannot resolve it");
		util_strlcpy(bridge_dev_error, err[0] != '\0' ? err :
		    "cannot resolve it", sizeof bridge_dev_error);
	}
	bridge_port_watch();
}

int
bridge_port_open(const struct conf *c, struct event_base *base,
    void (*up)(struct bufferevent *), void (*down)(void), char *err,
    size_t errlen)
{
	struct modem_usb_sel sel;

	bridge_port_base = base;
	bridge_port_up_cb = up;
	bridge_port_down_cb = down;
	bridge_dev[0] = bridge_dev_error[0] = '\0';
	if (c->data_port_device[0] != '\0') {
		if (modem_usb_is_selector(c->data_port_device) &&
		    modem_usb_parse(c->data_port_device, &sel) == -1) {
			snprintf(err, errlen, "data_port.device %s: not "
			    "usb:VID:PID[:IF] (4, 4 and 2 hex digits)",
			    c->data_port_device);
			return -1;
		}
		util_strlcpy(bridge_dev, c->data_port_device,
		    sizeof bridge_dev);
		if ((bridge_retry_ev = evtimer_new(base, bridge_port_retry_cb,
		    NULL)) == NULL) {
			snprintf(err, errlen, "cannot watch the data port");
			return -1;
		}
		bridge_port_try();
		return 0;
	}
	if (c->data_port_pty[0] == '\0')
		return 0;
	if (bridge_port_open_pty(c->data_port_pty, err, errlen) == -1)
		return -1;
	return bridge_port_attach(err, errlen);
}

/*
 * The open device failed (EIO, HUP, end of file: unplugged, socat
 * gone).  bridge.c has stopped using it; close it from a zero timer
 * (not inside the callback that saw it) and watch for it to return.
 */
void
bridge_port_lost(const char *why)
{
	struct timeval tv = { 0, 0 };

	if (bridge_dev[0] == '\0' || bridge_retry_ev == NULL)
		return;		/* the daemon's own pty: nothing to wait for */
	util_strlcpy(bridge_dev_error, why, sizeof bridge_dev_error);
	bridge_port_lost_now = 1;
	evtimer_add(bridge_retry_ev, &tv);
}

void
bridge_port_close(void)
{
	bridge_port_unwatch();
	if (bridge_retry_ev != NULL) {
		event_free(bridge_retry_ev);
		bridge_retry_ev = NULL;
	}
	bridge_port_lost_now = 0;
	bridge_port_close_fds();
	if (bridge_pty_link[0] != '\0') {
		struct stat st;

		if (lstat(bridge_pty_link, &st) == 0 && S_ISLNK(st.st_mode))
			unlink(bridge_pty_link);
		bridge_pty_link[0] = '\0';
	}
	bridge_dev[0] = '\0';
	bridge_dev_error[0] = '\0';
}
