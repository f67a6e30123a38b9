/*
 * datalink_pppunit.c: ppp mode without a root daemon.  pppd must run as
 * root (the interface, the routes, /dev/ppp); under the shipped unit the
 * daemon is not, so it asks systemd (D-Bus, sysbus.h; allowed by the
 * package's polkit rule only while the config file sets ppp mode) to
 * start cellgate-ppp.service, whose program is `cellgated --ppp-run` as
 * root.  What passes from the daemon to root is data only: the request
 * file (the APN and the credentials, one a line, mode 0600 in the
 * daemon's runtime directory), checked again as root by the AT+APN
 * parser (datalink_apn_parse).  The port and every pppd option come from
 * the root-owned config file and this code, never from the daemon.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "datalink.h"
#include "usb_sel.h"
#include "util.h"

#define PPPUNIT_REQUEST	"ppp-request"
#define PPPUNIT_DIR	RUNSTATEDIR "/cellgate-ppp"	/* RuntimeDirectory= */

/* Write text to path, mode 0600, replacing what is there. */
static int
pppunit_write(const char *path, const char *text, char *err, size_t errlen)
{
	size_t n = strlen(text);
	int fd, ok;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	ok = write(fd, text, n) == (ssize_t)n;
	if (close(fd) == -1 || !ok) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

int
datalink_ppp_request_path(const char *rundir, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s/%s", rundir, PPPUNIT_REQUEST);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
datalink_ppp_request_text(const struct datalink_apn *a, char *out,
    size_t outlen)
{
	int n;

	if (!datalink_apn_ok(a->apn) || !datalink_cred_ok(a->user) ||
	    !datalink_cred_ok(a->password))
		return -1;
	n = snprintf(out, outlen, "%s\n%s\n%s\n%s\n", a->apn, a->user,
	    a->password, a->auth[0] != '\0' ? a->auth : "NONE");
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
datalink_ppp_request_parse(char *text, struct datalink_apn *a, char *err,
    size_t errlen)
{
	char *argv[4], *p = text;
	int argc = 0;

	while (argc < 4 && p != NULL && *p != '\0') {
		argv[argc++] = p;
		if ((p = strchr(p, '\n')) != NULL)
			*p++ = '\0';
	}
	if (argc != 4 || (p != NULL && *p != '\0')) {
		snprintf(err, errlen, "the request is not 4 lines");
		return -1;
	}
	return datalink_apn_parse(4, argv, a, err, errlen);
}

/* Read the daemon's request: a small regular file, never a link. */
static int
pppunit_read(const char *path, char *text, size_t size, char *err,
    size_t errlen)
{
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size >= size) {
		close(fd);
		snprintf(err, errlen, "%s: not a small regular file", path);
		return -1;
	}
	n = read(fd, text, size - 1);
	close(fd);
	if (n != st.st_size) {
		snprintf(err, errlen, "%s: short read", path);
		return -1;
	}
	text[n] = '\0';
	return 0;
}

int
datalink_ppp_run(const struct conf *c, char *err, size_t errlen)
{
	const char *argv[DATALINK_PPP_ARGV_MAX], *port = c->data_ppp_port;
	struct datalink_ppp_files f;
	struct datalink_apn a;
	char rundir[sizeof c->control_socket], req[300], text[1024];
	char tty[256];
	int creds;

	err[0] = '\0';
	if (port[0] == '\0') {
		snprintf(err, errlen, "data.ppp_port is not set in %s", c->path);
		return -1;
	}
	if (modem_usb_is_selector(port)) {
		if (modem_usb_resolve(MODEM_SYSFS_ROOT, port, tty, sizeof tty,
		    err, errlen) == -1)
			return -1;
		port = tty;
	}
	util_strlcpy(rundir, c->control_socket, sizeof rundir);
	if (datalink_ppp_request_path(dirname(rundir), req, sizeof req) ==
	    -1 || pppunit_read(req, text, sizeof text, err, errlen) == -1)
		return -1;
	if (datalink_ppp_request_parse(text, &a, err, errlen) == -1)
		return -1;
	creds = a.user[0] != '\0' || a.password[0] != '\0';
	snprintf(f.chat, sizeof f.chat, "%s/chat", PPPUNIT_DIR);
	snprintf(f.options, sizeof f.options, "%s/options", PPPUNIT_DIR);
	snprintf(f.connect, sizeof f.connect, DATALINK_CHAT " -v -f %s",
	    f.chat);
	if (datalink_ppp_chat_text(a.apn, text, sizeof text) == -1 ||
	    pppunit_write(f.chat, text, err, errlen) == -1 ||
	    (creds && (datalink_ppp_options_text(&a, text, sizeof text) ==
	    -1 || pppunit_write(f.options, text, err, errlen) == -1))) {
		explicit_bzero(&a, sizeof a);
		explicit_bzero(text, sizeof text);
		if (err[0] == '\0')
			snprintf(err, errlen, "bad APN or credentials");
		return -1;
	}
	explicit_bzero(&a, sizeof a);
	explicit_bzero(text, sizeof text);
	if (datalink_ppp_argv(port, &f, creds, 0, argv, nitems(argv)) == -1) {
		snprintf(err, errlen, "too many pppd arguments");
		return -1;
	}
	execv(argv[0], (char *const *)argv);
	snprintf(err, errlen, "%s: %s", argv[0], strerror(errno));
	return -1;
}
