/*
 * pty.c: the simulated modem's port.  It owns the pseudo-terminal: the
 * master (read into the AT interpreter, written from an output buffer),
 * a descriptor of the slave kept open by the simulator itself (so the
 * master never sees EIO/HUP when the client closes the port, and a
 * client can close and reopen it), raw mode on the slave, and the
 * symlink at --link that points to the slave (replacing a stale link,
 * removed again on close/unplug).
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* ptsname_r */
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

static void
pty_flush(struct sim *sim)
{
	int	n;

	if (!sim->plugged)
		return;
	while (evbuffer_get_length(sim->out) > 0) {
		n = evbuffer_write(sim->out, sim->master);
		if (n > 0)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			sim_log(sim, "pty write: %s", strerror(errno));
		break;
	}
	if (evbuffer_get_length(sim->out) > 0)
		event_add(sim->ev_write, NULL);
}

static void
pty_write_cb(evutil_socket_t fd, short events, void *arg)
{
	pty_flush(arg);
}

static void
pty_read_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sim	*sim = arg;
	unsigned char	 buf[4096];
	ssize_t		 n;

	n = read(fd, buf, sizeof buf);
	if (n > 0) {
		at_input(sim, buf, (size_t)n);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* Cannot happen while slave_hold is open; do not spin on it. */
	sim_log(sim, "pty read: %s", n == 0 ? "end of file" :
	    strerror(errno));
	event_del(sim->ev_read);
}

/* Queue bytes for the client; dropped while unplugged or nobody reads. */
void
pty_write(struct sim *sim, const void *buf, size_t len)
{
	if (!sim->plugged || len == 0)
		return;
	if (evbuffer_get_length(sim->out) + len > SIM_OUT_MAX) {
		sim_log(sim, "pty output full: %zu bytes dropped", len);
		return;
	}
	sim_log_bytes(sim, "-> ", buf, len);
	evbuffer_add(sim->out, buf, len);
	pty_flush(sim);
}

static int
pty_link(struct sim *sim, char *err, size_t errlen)
{
	struct stat	st;
	char		tmp[PATH_MAX];

	if (lstat(sim->link_path, &st) == 0 && !S_ISLNK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a symlink",
		    sim->link_path);
		return (-1);
	}
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.%ld.tmp", sim->link_path,
	    (long)getpid()) >= sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", sim->link_path);
		return (-1);
	}
	unlink(tmp);
	if (symlink(sim->slave_name, tmp) != 0 ||
	    rename(tmp, sim->link_path) != 0) {
		snprintf(err, errlen, "%s: %s", sim->link_path,
		    strerror(errno));
		unlink(tmp);
		return (-1);
	}
	return (0);
}

/* Create the pty, put the slave in raw mode, point the link at it. */
int
pty_open(struct sim *sim, char *err, size_t errlen)
{
	struct termios	tio;

	sim->slave_hold = -1;
	if ((sim->master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK)) < 0 ||
	    grantpt(sim->master) != 0 || unlockpt(sim->master) != 0 ||
	    ptsname_r(sim->master, sim->slave_name,
	    sizeof sim->slave_name) != 0) {
		snprintf(err, errlen, "pty: %s", strerror(errno));
		goto fail;
	}
	if ((sim->slave_hold = open(sim->slave_name,
	    O_RDWR | O_NOCTTY | O_NONBLOCK)) < 0 ||
	    tcgetattr(sim->slave_hold, &tio) != 0) {
		snprintf(err, errlen, "%s: %s", sim->slave_name,
		    strerror(errno));
		goto fail;
	}
	cfmakeraw(&tio);
	cfsetispeed(&tio, B115200);
	cfsetospeed(&tio, B115200);
	if (tcsetattr(sim->slave_hold, TCSANOW, &tio) != 0) {
		snprintf(err, errlen, "%s: %s", sim->slave_name,
		    strerror(errno));
		goto fail;
	}
	if (pty_link(sim, err, errlen) != 0)
		goto fail;
	sim->out = evbuffer_new();
	sim->ev_read = event_new(sim->base, sim->master, EV_READ | EV_PERSIST,
	    pty_read_cb, sim);
	sim->ev_write = event_new(sim->base, sim->master, EV_WRITE,
	    pty_write_cb, sim);
	event_add(sim->ev_read, NULL);
	sim->plugged = 1;
	sim_log(sim, "pty %s linked at %s", sim->slave_name, sim->link_path);
	return (0);

fail:
	if (sim->slave_hold >= 0)
		close(sim->slave_hold);
	if (sim->master >= 0)
		close(sim->master);
	sim->master = sim->slave_hold = -1;
	return (-1);
}

/* Close the pty and remove the link if it still points at our slave. */
void
pty_close(struct sim *sim)
{
	char	target[sizeof sim->slave_name];
	ssize_t	n;

	if (!sim->plugged)
		return;
	sim->plugged = 0;
	event_free(sim->ev_read);
	event_free(sim->ev_write);
	evbuffer_free(sim->out);
	sim->ev_read = sim->ev_write = NULL;
	sim->out = NULL;
	n = readlink(sim->link_path, target, sizeof target - 1);
	if (n >= 0) {
		target[n] = '\0';
		if (strcmp(target, sim->slave_name) == 0)
			unlink(sim->link_path);
	}
	close(sim->master);
	close(sim->slave_hold);
	sim->master = sim->slave_hold = -1;
	sim_log(sim, "pty %s closed", sim->slave_name);
}
