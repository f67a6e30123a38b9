/*
 * serial.c: the modem's serial port.  Opens the configured path (a
 * symlink such as /dev/serial/by-id/... is resolved at each open, so a
 * renumbered ttyUSB is found again) with libserialport: raw 8N1, no flow
 * control, the configured baud rate.  libserialport 0.1.1 refuses ttys
 * that have no /sys/class/tty entry (ptys such as the simulator's), so
 * those are opened with open(2) and set up with termios the same way.
 * The descriptor is non-blocking and close-on-exec; the event loop reads
 * it.  Writes that would block are kept (bounded) until POLLOUT.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>

#include "modem_int.h"
#include "util.h"

#define SERIAL_OUT_MAX	(64 * 1024)

struct serial {
	struct sp_port	*sp;		/* NULL: termios backend */
	int		 fd;
	char		 name[PATH_MAX];
	struct buf	 out;
};

static speed_t
serial_speed(int baud)
{
	static const struct {
		int	baud;
		speed_t	speed;
	} speeds[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },
	};

	for (size_t i = 0; i < nitems(speeds); i++)
		if (speeds[i].baud == baud)
			return speeds[i].speed;
	return B115200;
}

static int
serial_open_termios(struct serial *s, int baud, char *err, size_t errlen)
{
	struct termios t;

	s->fd = open(s->name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd == -1) {
		snprintf(err, errlen, "%s: %s", s->name, strerror(errno));
		return -1;
	}
	if (!isatty(s->fd) || tcgetattr(s->fd, &t) == -1) {
		snprintf(err, errlen, "%s: not a terminal", s->name);
		return -1;
	}
	cfmakeraw(&t);
	t.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
	t.c_cflag |= CS8 | CLOCAL | CREAD;
	t.c_iflag &= ~(IXON | IXOFF | IXANY);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, serial_speed(baud));
	cfsetospeed(&t, serial_speed(baud));
	if (tcsetattr(s->fd, TCSANOW, &t) == -1) {
		snprintf(err, errlen, "%s: tcsetattr: %s", s->name,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static int
serial_open_sp(struct serial *s, int baud, char *err, size_t errlen)
{
	struct sp_port_config *cfg = NULL;
	int fl;

	if (sp_open(s->sp, SP_MODE_READ_WRITE) != SP_OK ||
	    sp_get_port_handle(s->sp, &s->fd) != SP_OK ||
	    sp_new_config(&cfg) != SP_OK ||
	    sp_set_config_baudrate(cfg, baud) != SP_OK ||
	    sp_set_config_bits(cfg, 8) != SP_OK ||
	    sp_set_config_parity(cfg, SP_PARITY_NONE) != SP_OK ||
	    sp_set_config_stopbits(cfg, 1) != SP_OK ||
	    sp_set_config_flowcontrol(cfg, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_set_config(s->sp, cfg) != SP_OK) {
		char *m = sp_last_error_message();

		snprintf(err, errlen, "%s: %s", s->name, m != NULL ? m : "?");
		sp_free_error_message(m);
		if (cfg != NULL)
			sp_free_config(cfg);
		return -1;
	}
	sp_free_config(cfg);
	if ((fl = fcntl(s->fd, F_GETFL)) == -1 ||
	    fcntl(s->fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(s->fd, F_SETFD, FD_CLOEXEC) == -1) {
		snprintf(err, errlen, "%s: fcntl: %s", s->name, strerror(errno));
		return -1;
	}
	return 0;
}

struct serial *
serial_open(const char *path, int baud, char *err, size_t errlen)
{
	struct serial *s;

	if ((s = calloc(1, sizeof *s)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->fd = -1;
	buf_init(&s->out, SERIAL_OUT_MAX);
	/* a by-id symlink points at whatever ttyUSB the device got now */
	if (realpath(path, s->name) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(s);
		return NULL;
	}
	if (sp_get_port_by_name(s->name, &s->sp) != SP_OK) {
		s->sp = NULL;
		if (serial_open_termios(s, baud, err, errlen) == -1)
			goto fail;
	} else if (serial_open_sp(s, baud, err, errlen) == -1)
		goto fail;
	/* what the modem said while nobody had the port open is read, not
	 * discarded: the answer to a stopped daemon's last AT+CMGS tells
	 * whether its message went out (the bring-up begins only once
	 * such leftovers have passed, as strays) */
	tcflush(s->fd, TCOFLUSH);
	return s;
fail:
	serial_close(s);
	return NULL;
}

int
serial_fd(const struct serial *s)
{
	return s->fd;
}

const char *
serial_name(const struct serial *s)
{
	return s->name;
}

const char *
serial_backend(const struct serial *s)
{
	return s->sp != NULL ? "libserialport" : "termios";
}

ssize_t
serial_read(struct serial *s, void *p, size_t n)
{
	return read(s->fd, p, n);
}

int
serial_flush(struct serial *s)
{
	ssize_t n;

	while (s->out.len > 0) {
		n = write(s->fd, s->out.data, s->out.len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		if (n <= 0)
			return -1;
		memmove(s->out.data, s->out.data + n, s->out.len - (size_t)n);
		s->out.len -= (size_t)n;
	}
	return 0;
}

int
serial_write(struct serial *s, const void *p, size_t n)
{
	if (buf_add(&s->out, p, n) == -1)
		return -1;
	return serial_flush(s);
}

void
serial_close(struct serial *s)
{
	if (s == NULL)
		return;
	if (s->sp != NULL) {
		if (s->fd != -1)
			sp_close(s->sp);
		sp_free_port(s->sp);
	} else if (s->fd != -1)
		close(s->fd);
	buf_free(&s->out);
	free(s);
}
