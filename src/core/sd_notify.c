/*
 * sd_notify.c: systemd's notification protocol for a build without
 * libsystemd (--without-systemd; include/sd_compat.h): a datagram with
 * the state lines to the AF_UNIX socket named by $NOTIFY_SOCKET (an
 * abstract one when it starts with '@'), and the watchdog interval from
 * $WATCHDOG_USEC when $WATCHDOG_PID is unset or ours.  Without those
 * variables every call is a no-op.  Compiled empty with libsystemd.
 */
#include "config.h"

#ifndef HAVE_SYSTEMD
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sd_compat.h"

int
sd_notify(int unset_environment, const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa;
	socklen_t len;
	size_t n;
	int fd, rc = 0;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    (n = strlen(path)) >= sizeof sa.sun_path)
		goto out;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		rc = -errno;
		goto out;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sa, len) == -1)
		rc = -errno;
	else
		rc = 1;
	close(fd);
out:
	if (unset_environment)
		unsetenv("NOTIFY_SOCKET");
	return rc;
}

int
sd_notifyf(int unset_environment, const char *format, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, format);
	vsnprintf(buf, sizeof buf, format, ap);
	va_end(ap);
	return sd_notify(unset_environment, buf);
}

int
sd_watchdog_enabled(int unset_environment, uint64_t *usec)
{
	const char *us = getenv("WATCHDOG_USEC"), *pid =
	    getenv("WATCHDOG_PID");
	unsigned long long v;
	char *end;
	int rc = 0;

	if (us == NULL)
		goto out;
	errno = 0;
	v = strtoull(us, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0)
		goto out;
	if (pid != NULL && strtol(pid, NULL, 10) != (long)getpid())
		goto out;
	if (usec != NULL)
		*usec = v;
	rc = 1;
out:
	if (unset_environment) {
		unsetenv("WATCHDOG_USEC");
		unsetenv("WATCHDOG_PID");
	}
	return rc;
}
#endif
