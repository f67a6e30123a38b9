/*
 * daemon.h: the daemon's life cycle around the one libevent loop: start
 * (config, store, registries, control socket), signals (SIGTERM/SIGINT
 * stop, SIGHUP reload), systemd notification and watchdog, restart
 * (AT+Z) and orderly shutdown.
 */
#ifndef CG_DAEMON_H
#define CG_DAEMON_H

#include <time.h>

struct event_base;
struct conf;

/* Run until stopped; returns the process exit status.  Takes ownership
 * of the config (a calloc'ed struct conf, replaced at each reload). */
int daemon_run(struct conf *, char **argv);

/* The loop, for the daemon's own parts (control socket); modules get it
 * at init and never call this. */
struct event_base *daemon_base(void);
const struct conf *daemon_conf(void);
time_t daemon_started(void);
/* Start time in milliseconds of the wall clock (changes at every start,
 * also a restart in place). */
long long daemon_started_ms(void);
/* The device serial number (AT+SN). */
const char *daemon_serial(void);

/* Deferred actions, run from the loop after the current reply is out. */
void daemon_request_restart(const char *why);
/* Is a restart or reboot requested and not yet carried out (a request
 * from a command whose transaction rolled back is withdrawn)? */
int daemon_restart_pending(void);
void daemon_request_reload(void);
/* The same, and fn(0 or -1, why, arg) once the reload ran (from the
 * loop, never from inside this call), or with -1 if the daemon stops
 * first.  -1 if too many are waiting already (fn is not called). */
typedef void daemon_reload_fn(int rc, const char *err, void *arg);
int daemon_request_reload_then(daemon_reload_fn *, void *arg);
/* Run system.reboot_command once pending messages are out. */
void daemon_request_reboot(const char *why);
/* Re-read the config file now; 0 on success, else the old one stays.
 * Runs from the loop only (daemon_request_reload*), never inside a
 * request or a module's callback. */
int daemon_reload(char *err, size_t errlen);

#endif
