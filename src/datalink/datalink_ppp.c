/*
 * datalink_ppp.c: the ppp mode (SPEC §6.1): the system's pppd on
 * data.ppp_port as a supervised child (spawn.c: no shell, nodetach), its
 * chat script and credentials in files of the runtime directory (mode
 * 0600), never on its command line.  pppd says it is up through its link
 * pid file (RUNSTATEDIR/ppp-cellgate.pid: its pid, then the interface
 * once the link is established) and the interface's address, checked on
 * a short timer; it says why it stopped with its exit status (pppd(8)),
 * shown as the detail of "Network connection error".  Restarted with
 * backoff.  A service of systemd's without root (the shipped unit)
 * cannot run pppd: it writes its request and has systemd start
 * cellgate-ppp.service (datalink_pppunit.c); pppd's pid file says it is
 * up, and that its pid is gone says it ended (its exit status is in that
 * unit's journal).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "datalink_int.h"
#include "log.h"
#include "spawn.h"
#include "sysbus.h"
#include "usb_sel.h"
#include "util.h"

#define DLP_POLL_MS	1000
#define DLP_UNIT	"cellgate-ppp.service"
#define DLP_UNIT_WAIT_MS 120000	/* for the link pid file, at most */
#define DLP_PIDFILE	RUNSTATEDIR "/ppp-" DATALINK_PPP_LINKNAME ".pid"

static struct {
	int				 active;
	pid_t				 pid;
	unsigned			 failures;
	int				 up;
	int				 unit;		/* pppd is DLP_UNIT's */
	pid_t				 unit_pid;	/* from its pid file */
	uint64_t			 unit_since;	/* ms, started */
	struct event			*ev_poll;
	struct event			*ev_restart;
	struct datalink_ppp_files	 files;
} dlp;

static void dlp_spawn(void);
static void dlp_unit_ended(const char *why);

static int
dlp_write_file(const char *path, const char *text)
{
	size_t n = strlen(text);
	int fd, ok;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		log_warn("data: %s", path);
		return -1;
	}
	ok = write(fd, text, n) == (ssize_t)n;
	if (close(fd) == -1 || !ok) {
		log_warn("data: %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

static void
dlp_remove_files(void)
{
	if (dlp.files.chat[0] != '\0')
		unlink(dlp.files.chat);
	if (dlp.files.options[0] != '\0')
		unlink(dlp.files.options);
}

static void
dlp_timer(struct event *ev, int ms)
{
	struct timeval tv = { ms / 1000, ms % 1000 * 1000 };

	evtimer_add(ev, &tv);
}

int
datalink_ppp_pidfile_ifname(const char *text, char ifname[32])
{
	const char *nl = strchr(text, '\n');

	ifname[0] = '\0';
	return nl != NULL && sscanf(nl + 1, "%31s", ifname) == 1;
}

/* pppd's link pid file: "pid\nifname\n" once the link is there. */
static void
dlp_poll_cb(evutil_socket_t fd_, short what, void *arg)
{
	char text[128], ifname[32] = "", address[64] = "";
	ssize_t n = -1;
	int fd;

	if (!dlp.active || (dlp.pid <= 0 && !dlp.unit))
		return;
	if ((fd = open(DLP_PIDFILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) !=
	    -1) {
		n = read(fd, text, sizeof text - 1);
		close(fd);
	}
	if (n > 0) {
		text[n] = '\0';
		if (datalink_ppp_pidfile_ifname(text, ifname))
			datalink_if_address(ifname, address, sizeof address);
		if (dlp.unit && dlp.unit_pid <= 0)
			dlp.unit_pid = (pid_t)atoi(text);
	}
	if (dlp.unit) {
		/* root's pppd: alive answers EPERM, gone ESRCH */
		if (dlp.unit_pid > 0 && (n <= 0 || (kill(dlp.unit_pid, 0) ==
		    -1 && errno == ESRCH))) {
			dlp_unit_ended("pppd ended");
			return;
		}
		if (dlp.unit_pid <= 0 && util_now_ms() - dlp.unit_since >
		    DLP_UNIT_WAIT_MS) {
			dlp_unit_ended("no link from pppd in time");
			return;
		}
	}
	if (address[0] != '\0' && !dlp.up) {
		dlp.up = 1;
		dlp.failures = 0;
		datalink_engine_report(UPLINK_UP, "pppd link", address,
		    ifname, NULL);
	} else if (address[0] == '\0' && dlp.up) {
		dlp.up = 0;
		datalink_engine_report(UPLINK_CONNECTING, "pppd negotiating",
		    NULL, ifname, NULL);
	}
	dlp_timer(dlp.ev_poll, DLP_POLL_MS);
}

static void
dlp_restart_cb(evutil_socket_t fd, short what, void *arg)
{
	if (dlp.active && dlp.pid <= 0 && !dlp.unit)
		dlp_spawn();
}

static void
dlp_failed(const char *detail)
{
	dlp.failures++;
	log_warnx("data: %s; restarting it in %d s", detail,
	    datalink_backoff_ms(dlp.failures) / 1000);
	dlp_timer(dlp.ev_restart, datalink_backoff_ms(dlp.failures));
	datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL, NULL,
	    detail);
}

static void
dlp_unit_stopped(const char *error, void *arg)
{
	if (error != NULL)
		log_warnx("data: stopping %s: %s", DLP_UNIT, error);
}

static void
dlp_unit_stop(void)
{
	char err[256];

	dlp.unit = 0;
	dlp.unit_pid = -1;
	if (sysbus_unit(dl.base, "stop", DLP_UNIT, dlp_unit_stopped, NULL, err,
	    sizeof err) == -1)
		log_warnx("data: stopping %s: %s", DLP_UNIT, err);
}

static void
dlp_unit_ended(const char *why)
{
	char detail[UPLINK_TEXT_MAX];

	snprintf(detail, sizeof detail, "%s (journalctl -u %s says why)",
	    why, DLP_UNIT);
	dlp_unit_stop();
	dlp.up = 0;
	evtimer_del(dlp.ev_poll);
	dlp_failed(detail);
}

static void
dlp_unit_started(const char *error, void *arg)
{
	char detail[UPLINK_TEXT_MAX];

	if (error == NULL || !dlp.active || !dlp.unit)
		return;
	snprintf(detail, sizeof detail, "%s not started: %s (the package's "
	    "polkit rule allows it only while the config file sets ppp mode)",
	    DLP_UNIT, error);
	dlp.unit = 0;
	evtimer_del(dlp.ev_poll);
	dlp_failed(detail);
}

/* Not root: the request for cellgated --ppp-run, then the unit. */
static void
dlp_unit_start(const struct datalink_apn *a, const char *port)
{
	char path[300], text[512], err[256];

	if (datalink_ppp_request_path(dl.rundir, path, sizeof path) == -1 ||
	    datalink_ppp_request_text(a, text, sizeof text) == -1 ||
	    dlp_write_file(path, text) == -1) {
		explicit_bzero(text, sizeof text);
		datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL,
		    NULL, "cannot write the ppp request in the runtime "
		    "directory");
		return;
	}
	explicit_bzero(text, sizeof text);
	util_strlcpy(dlp.files.options, path, sizeof dlp.files.options);
	dlp.unit = 1;
	dlp.unit_pid = -1;
	dlp.unit_since = util_now_ms();
	if (sysbus_unit(dl.base, "start", DLP_UNIT, dlp_unit_started, NULL,
	    err, sizeof err) == -1) {
		dlp.unit = 0;
		dlp_failed(err);
		return;
	}
	log_info("data: not root: pppd through %s", DLP_UNIT);
	dlp_timer(dlp.ev_poll, DLP_POLL_MS);
	datalink_engine_report(UPLINK_CONNECTING, "pppd dialling", NULL, NULL,
	    port);
}

static void
dlp_exit_cb(pid_t pid, int status, void *arg)
{
	char detail[UPLINK_TEXT_MAX];
	const char *text;
	int net;

	if (!dlp.active || pid != dlp.pid)
		return;
	dlp.pid = -1;
	dlp.up = 0;
	evtimer_del(dlp.ev_poll);
	text = status == 127 ? "it could not be run" :
	    datalink_ppp_exit_text(status, &net);
	snprintf(detail, sizeof detail, "pppd exited with %d: %s", status,
	    text);
	dlp_failed(detail);
}

static void
dlp_spawn(void)
{
	const char *argv[DATALINK_PPP_ARGV_MAX], *port = dl.ppp_port;
	struct datalink_apn a;
	char text[1024], err[256], tty[256];
	int creds;

	datalink_apn_current(&a);
	if (dl.ppp_port[0] == '\0') {
		explicit_bzero(&a, sizeof a);
		datalink_engine_report(UPLINK_FAILED, "data.ppp_port is not "
		    "set in the config file", NULL, NULL, NULL);
		return;
	}
	if (a.apn[0] == '\0') {
		explicit_bzero(&a, sizeof a);
		datalink_engine_report(UPLINK_FAILED, DATALINK_MISSING_APN,
		    NULL, NULL, "set it with AT+APN=code");
		return;
	}
	/* a USB selector names the port where it is now (re-read at each
	 * start: ttyUSBn numbers move) */
	if (modem_usb_is_selector(port)) {
		if (modem_usb_resolve(MODEM_SYSFS_ROOT, port, tty, sizeof tty,
		    err, sizeof err) == -1) {
			explicit_bzero(&a, sizeof a);
			dlp.failures++;
			dlp_timer(dlp.ev_restart,
			    datalink_backoff_ms(dlp.failures));
			datalink_engine_report(UPLINK_FAILED,
			    DATALINK_NET_ERROR, NULL, NULL, err);
			return;
		}
		port = tty;
	}
	/* a service of systemd's (INVOCATION_ID) without root */
	if (geteuid() != 0 && getenv("INVOCATION_ID") != NULL) {
		dlp_unit_start(&a, port);
		explicit_bzero(&a, sizeof a);
		return;
	}
	creds = a.has_credentials;
	snprintf(dlp.files.chat, sizeof dlp.files.chat, "%s/ppp-chat",
	    dl.rundir);
	snprintf(dlp.files.options, sizeof dlp.files.options,
	    "%s/ppp-options", dl.rundir);
	snprintf(dlp.files.connect, sizeof dlp.files.connect,
	    DATALINK_CHAT " -v -f %s", dlp.files.chat);
	if (datalink_ppp_chat_text(a.apn, text, sizeof text) == -1 ||
	    dlp_write_file(dlp.files.chat, text) == -1 ||
	    (creds && (datalink_ppp_options_text(&a, text, sizeof text) ==
	    -1 || dlp_write_file(dlp.files.options, text) == -1))) {
		explicit_bzero(&a, sizeof a);
		explicit_bzero(text, sizeof text);
		datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL,
		    NULL, "cannot write pppd's files in the runtime directory");
		return;
	}
	explicit_bzero(&a, sizeof a);
	explicit_bzero(text, sizeof text);
	datalink_ppp_argv(port, &dlp.files, creds, 0, argv,
	    nitems(argv));
	if ((dlp.pid = spawn_argv(argv, "data: pppd", NULL, dlp_exit_cb, NULL,
	    err, sizeof err)) == -1) {
		dlp.failures++;
		dlp_timer(dlp.ev_restart, datalink_backoff_ms(dlp.failures));
		datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL,
		    NULL, err);
		return;
	}
	dlp_timer(dlp.ev_poll, DLP_POLL_MS);
	datalink_engine_report(UPLINK_CONNECTING, "pppd dialling", NULL, NULL,
	    port);
}

int
datalink_ppp_start(void)
{
	if (dlp.active)
		return 0;
	if (dlp.ev_poll == NULL &&
	    (dlp.ev_poll = evtimer_new(dl.base, dlp_poll_cb, NULL)) == NULL)
		return -1;
	if (dlp.ev_restart == NULL && (dlp.ev_restart = evtimer_new(dl.base,
	    dlp_restart_cb, NULL)) == NULL)
		return -1;
	dlp.active = 1;
	dlp.failures = 0;
	dlp.pid = -1;
	dlp.up = 0;
	dlp_spawn();
	return 0;
}

int
datalink_ppp_running(void)
{
	return dlp.active;
}

void
datalink_ppp_stop(void)
{
	if (!dlp.active)
		return;
	dlp.active = 0;
	if (dlp.pid > 0) {
		spawn_forget(dlp.pid);
		if (kill(dlp.pid, SIGTERM) == -1 && errno != ESRCH)
			log_warn("data: kill pppd %d", (int)dlp.pid);
		else
			log_info("data: pppd %d stopped", (int)dlp.pid);
	}
	dlp.pid = -1;
	if (dlp.unit)
		dlp_unit_stop();
	dlp_remove_files();
	if (dlp.ev_poll != NULL) {
		event_free(dlp.ev_poll);
		dlp.ev_poll = NULL;
	}
	if (dlp.ev_restart != NULL) {
		event_free(dlp.ev_restart);
		dlp.ev_restart = NULL;
	}
}
