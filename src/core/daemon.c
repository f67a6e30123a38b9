/*
 * daemon.c: the daemon's life cycle.  Opens the store, fills the
 * registries (defaults, then the config file, then runtime values from the
 * store), starts the control socket, handles signals on the loop, talks to
 * systemd (READY, STATUS, STOPPING, and a watchdog ping from a loop timer,
 * so a wedged loop stops the pings), reloads on SIGHUP and restarts in
 * place for AT+Z.
 */
#include <sys/random.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "auth.h"
#include "conf.h"
#include "ctl.h"
#include "daemon.h"
#include "events.h"
#include "log.h"
#include "module.h"
#include "sd_compat.h"
#include "settings.h"
#include "spawn.h"
#include "status.h"
#include "store.h"
#include "sysbus.h"
#include "util.h"

static struct event_base *daemon_evbase;
static struct conf *daemon_cf;
static time_t daemon_start;
static long long daemon_start_ms;	/* wall clock, tells two starts apart */
static char daemon_sn[32];
static struct status_daemon daemon_facts;	/* for the status report */
static int daemon_restart_wanted;
static uint64_t daemon_restart_deadline;
static int daemon_reboot_wanted;
static struct event *daemon_ev_deferred, *daemon_ev_watchdog;
static struct event *daemon_ev_sig[4];
static int daemon_reload_wanted;
static size_t daemon_nstarted;		/* modules started, in order */
static char daemon_exe[PATH_MAX];
static const struct setting_def *daemon_s_reboot;

/* Who waits for the outcome of the deferred reload (control requests). */
#define DAEMON_RELOAD_WAITERS	16
static struct {
	daemon_reload_fn	*fn;
	void			*arg;
} daemon_reload_waiters[DAEMON_RELOAD_WAITERS];
static size_t daemon_nreload_waiters;

struct event_base *
daemon_base(void)
{
	return daemon_evbase;
}

const struct conf *
daemon_conf(void)
{
	return daemon_cf;
}

time_t
daemon_started(void)
{
	return daemon_start;
}

long long
daemon_started_ms(void)
{
	return daemon_start_ms;
}

const char *
daemon_serial(void)
{
	return daemon_sn;
}

/* The status report's daemon section follows the running config. */
static void
daemon_facts_update(void)
{
	daemon_facts.config = daemon_cf->path;
	daemon_facts.database = daemon_cf->database;
	daemon_facts.serial = daemon_sn;
	daemon_facts.started = daemon_start;
	daemon_facts.started_ms = daemon_start_ms;
}

/* The board's serial number where the firmware gives one (Raspberry Pi
 * and other device-tree boards), else one generated at first start and
 * kept in the database. */
static void
daemon_serial_init(void)
{
	FILE *f = fopen("/sys/firmware/devicetree/base/serial-number", "r");
	uint8_t rnd[8];
	size_t n = 0;

	if (f != NULL) {
		n = fread(daemon_sn, 1, sizeof daemon_sn - 1, f);
		fclose(f);
		daemon_sn[n] = '\0';
		n = strspn(daemon_sn, "0123456789abcdefABCDEF");
		daemon_sn[n] = '\0';
		while (daemon_sn[0] == '0' && daemon_sn[1] != '\0')
			memmove(daemon_sn, daemon_sn + 1, strlen(daemon_sn));
	}
	if (n > 0)
		return;
	if (store_meta_get("serial", daemon_sn, sizeof daemon_sn) == 0)
		return;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		fatal("getrandom");
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(daemon_sn + 2 * i, 3, "%02X", rnd[i]);
	if (store_meta_put("serial", daemon_sn) == -1)
		log_warnx("serial number not saved: %s", store_errmsg());
}

static void
daemon_log_event(enum log_level l, const char *line)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "level",
	    json_object_new_string(log_level_name(l)));
	json_object_object_add(o, "message", json_object_new_string(line));
	events_publish("log", o);
}

static void
daemon_setting_event(const struct setting_def *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(d->name));
	json_object_object_add(o, "value", (d->flags & SETTING_SECRET) ?
	    json_object_new_string("***") :
	    json_object_new_string(settings_value(d)));
	json_object_object_add(o, "source", json_object_new_string(
	    settings_source_name(settings_source(d))));
	events_publish("setting", o);
}

int
daemon_reload(char *err, size_t errlen)
{
	struct conf *next = calloc(1, sizeof *next);

	if (next == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	sd_notify(0, "RELOADING=1");
	if (conf_load(daemon_cf->path, next, err, errlen) == -1) {
		log_warnx("reload refused, keeping the running config: %s",
		    err);
		free(next);
		sd_notify(0, "READY=1");
		return -1;
	}
	if (strcmp(next->database, daemon_cf->database) != 0 ||
	    strcmp(next->control_socket, daemon_cf->control_socket) != 0)
		log_warnx("reload: database and control socket paths take "
		    "effect at the next start");
	log_set_level(next->log_level);
	conf_apply_settings(next);
	for (size_t i = 0; i < daemon_nstarted; i++)
		if (modules[i].reload != NULL)
			modules[i].reload(next);
	conf_free(daemon_cf);
	free(daemon_cf);
	daemon_cf = next;
	daemon_facts_update();
	log_info("configuration reloaded from %s", daemon_cf->path);
	sd_notify(0, "READY=1");
	return 0;
}

/* Is a started module in the middle of work a restart would cut short? */
static int
daemon_modules_busy(void)
{
	for (size_t i = 0; i < daemon_nstarted; i++)
		if (modules[i].busy != NULL && modules[i].busy())
			return 1;
	return 0;
}

/* Tell those waiting for a reload how it went (they may ask again). */
static void
daemon_reload_answer(int rc, const char *err)
{
	size_t n = daemon_nreload_waiters;

	daemon_nreload_waiters = 0;
	for (size_t i = 0; i < n; i++)
		daemon_reload_waiters[i].fn(rc, err,
		    daemon_reload_waiters[i].arg);
}

static void
daemon_reboot_done(const char *error, void *arg)
{
	if (error != NULL)
		log_warnx("system reboot refused by logind: %s (the package's "
		    "polkit rule allows it only while the config file sets "
		    "system.reboot_command = logind)", error);
	else
		log_info("system reboot: logind is rebooting the machine");
}

/* REBOOT#: through logind, or the configured program. */
static void
daemon_reboot(void)
{
	const char *cmd = settings_value(daemon_s_reboot);
	char err[256];

	if (strcmp(cmd, SPAWN_LOGIND) == 0) {
		log_info("system reboot: asking logind");
		if (sysbus_reboot(daemon_evbase, daemon_reboot_done, NULL, err,
		    sizeof err) == -1)
			log_warnx("system reboot not started: %s", err);
		return;
	}
	if (spawn_command(cmd, "system reboot", err, sizeof err) == -1)
		log_warnx("system reboot not started: %s", err);
}

static void
daemon_deferred_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, 250000 };
	char err[512];

	if (daemon_reload_wanted) {
		int rc;

		daemon_reload_wanted = 0;
		err[0] = '\0';
		rc = daemon_reload(err, sizeof err);
		daemon_reload_answer(rc, err);
	}
	if (!daemon_restart_wanted && !daemon_reboot_wanted)
		return;
	/* let the reply to AT+Z / REBOOT# (and any message being sent) go
	 * out first, checking again every quarter second, not for ever */
	if (daemon_modules_busy() &&
	    util_now_ms() < daemon_restart_deadline) {
		event_add(daemon_ev_deferred, &tv);
		return;
	}
	if (daemon_reboot_wanted) {
		daemon_reboot_wanted = 0;
		daemon_reboot();
		return;
	}
	event_base_loopexit(daemon_evbase, NULL);
}

/* A request made by a command inside a transaction (an SMS's) is
 * withdrawn when the transaction is rolled back: the command runs again
 * at the retry, and asks again then. */
static void
daemon_request_undo(void *data, int undo)
{
	int *wanted = data;

	if (undo && *wanted) {
		*wanted = 0;
		log_info("%s request withdrawn: the command that made it was "
		    "not saved", wanted == &daemon_reboot_wanted ?
		    "system reboot" : "restart");
	}
}

void
daemon_request_reboot(const char *why)
{
	log_info("system reboot requested by %s", why);
	(void)store_undo_push(daemon_request_undo, &daemon_reboot_wanted);
	daemon_reboot_wanted = 1;
	daemon_restart_deadline = util_now_ms() + MODULE_BUSY_WAIT_MS;
	if (daemon_ev_deferred != NULL)
		event_active(daemon_ev_deferred, EV_TIMEOUT, 0);
}

void
daemon_request_restart(const char *why)
{
	log_info("restart requested by %s", why);
	(void)store_undo_push(daemon_request_undo, &daemon_restart_wanted);
	daemon_restart_wanted = 1;
	daemon_restart_deadline = util_now_ms() + MODULE_BUSY_WAIT_MS;
	if (daemon_ev_deferred != NULL)
		event_active(daemon_ev_deferred, EV_TIMEOUT, 0);
}

int
daemon_restart_pending(void)
{
	return daemon_restart_wanted || daemon_reboot_wanted;
}

void
daemon_request_reload(void)
{
	daemon_reload_wanted = 1;
	event_active(daemon_ev_deferred, EV_TIMEOUT, 0);
}

int
daemon_request_reload_then(daemon_reload_fn *fn, void *arg)
{
	if (daemon_nreload_waiters == DAEMON_RELOAD_WAITERS)
		return -1;
	daemon_reload_waiters[daemon_nreload_waiters].fn = fn;
	daemon_reload_waiters[daemon_nreload_waiters].arg = arg;
	daemon_nreload_waiters++;
	daemon_request_reload();
	return 0;
}

static void
daemon_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	switch (sig) {
	case SIGCHLD:
		spawn_reap();
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading the configuration");
		daemon_request_reload();
		break;
	default:
		log_info("%s: stopping", strsignal((int)sig));
		event_base_loopexit(daemon_evbase, NULL);
	}
}

static void
daemon_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	sd_notify(0, "WATCHDOG=1");
}

static int
daemon_start_modules(char *err, size_t errlen)
{
	const struct conf *c = daemon_cf;
	struct ctl_params ctl;

	if (store_open(c->database, err, errlen) == -1)
		return -1;
	settings_init();
	daemon_s_reboot = settings_ref("system.reboot_command",
	    SETTING_CUSTOM);
	conf_apply_settings(c);
	if (settings_load_store() == -1) {
		snprintf(err, errlen, "reading settings: %s", store_errmsg());
		return -1;
	}
	settings_set_observer(daemon_setting_event);
	daemon_serial_init();
	daemon_facts_update();
	status_init(&daemon_facts);
	if (auth_password_init(c, err, errlen) == -1)
		return -1;
	for (daemon_nstarted = 0; daemon_nstarted < modules_len;
	    daemon_nstarted++) {
		const struct module *m = &modules[daemon_nstarted];
		char why[400];

		if (m->init != NULL && m->init(daemon_evbase, c, why,
		    sizeof why) == -1) {
			snprintf(err, errlen, "%s: %s", m->name, why);
			return -1;
		}
	}
	ctl.path = c->control_socket;
	ctl.group = c->control_group;
	ctl.max_clients = (int)c->control_max_clients;
	ctl.max_per_uid = (int)c->control_max_per_uid;
	ctl.reload = daemon_request_reload_then;
	if (ctl_init(daemon_evbase, &ctl, err, errlen) == -1)
		return -1;
	return 0;
}

static void
daemon_stop_modules(void)
{
	daemon_reload_answer(-1, "the daemon is stopping");
	ctl_shutdown();
	while (daemon_nstarted > 0) {
		const struct module *m = &modules[--daemon_nstarted];

		if (m->shutdown != NULL)
			m->shutdown();
	}
	sysbus_shutdown();
	settings_set_observer(NULL);
	settings_shutdown();
	store_close();
	events_clear();
}

int
daemon_run(struct conf *c, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	char err[512];
	uint64_t wd_usec = 0;
	int status = 0;
	ssize_t n;

	daemon_cf = c;
	daemon_start = time(NULL);
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		daemon_start_ms = (long long)ts.tv_sec * 1000 +
		    ts.tv_nsec / 1000000;
	}
	/* the binary's own path (exec of /proc/self/exe would rename the
	 * process "exe" for ps and pkill) */
	n = readlink("/proc/self/exe", daemon_exe, sizeof daemon_exe - 1);
	if (n < 0 || (size_t)n >= sizeof daemon_exe - 1)
		util_strlcpy(daemon_exe, argv[0], sizeof daemon_exe);
	else
		daemon_exe[n] = '\0';
	signal(SIGPIPE, SIG_IGN);
	if ((daemon_evbase = event_base_new()) == NULL)
		fatalx("cannot create the event loop");
	daemon_ev_deferred = event_new(daemon_evbase, -1, 0,
	    daemon_deferred_cb, NULL);
	for (size_t i = 0; i < nitems(sigs); i++) {
		daemon_ev_sig[i] = evsignal_new(daemon_evbase, sigs[i],
		    daemon_signal_cb, NULL);
		event_add(daemon_ev_sig[i], NULL);
	}
	log_set_hook(daemon_log_event);

	if (daemon_start_modules(err, sizeof err) == -1) {
		log_error("cannot start: %s", err);
		sd_notifyf(0, "STATUS=cannot start: %s", err);
		status = 1;
		goto out;
	}
	if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec > 0) {
		struct timeval tv = { (time_t)(wd_usec / 2000000),
		    (suseconds_t)(wd_usec / 2 % 1000000) };

		daemon_ev_watchdog = event_new(daemon_evbase, -1, EV_PERSIST,
		    daemon_watchdog_cb, NULL);
		event_add(daemon_ev_watchdog, &tv);
	}
	log_info("cellgated started (config %s, database %s)", c->path,
	    c->database);
	sd_notify(0, "READY=1\nSTATUS=running");
	event_base_dispatch(daemon_evbase);
	sd_notify(0, daemon_restart_wanted ? "RELOADING=1" : "STOPPING=1");
	if (daemon_restart_wanted)
		ctl_flush_all();
out:
	log_set_hook(NULL);
	daemon_stop_modules();
	if (daemon_ev_watchdog != NULL)
		event_free(daemon_ev_watchdog);
	for (size_t i = 0; i < nitems(sigs); i++)
		event_free(daemon_ev_sig[i]);
	event_free(daemon_ev_deferred);
	event_base_free(daemon_evbase);
	daemon_evbase = NULL;
	if (status == 0 && daemon_restart_wanted) {
		log_info("restarting");
		execv(daemon_exe, argv);
		log_warn("restart failed (exec)");
		status = 1;
	}
	log_info("cellgated stopped");
	conf_free(daemon_cf);
	free(daemon_cf);
	daemon_cf = NULL;
	return status;
}
