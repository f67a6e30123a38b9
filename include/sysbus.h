/*
 * sysbus.h: the daemon's requests to the system's managers over D-Bus
 * (src/core/sysbus.c): logind's Reboot for REBOOT# (system.reboot_command
 * = logind), systemd's StartUnit/StopUnit for the package's own
 * privileged units.  Asynchronous on the loop; each request is allowed or
 * refused by polkit (the package's rule, 60-cellgate.rules).  A build
 * without libsystemd refuses every request with a clear reason.
 */
#ifndef CG_SYSBUS_H
#define CG_SYSBUS_H

#include <stddef.h>

struct event_base;

/* The outcome: error NULL on success, else the manager's reason. */
typedef void sysbus_cb(const char *error, void *arg);

/* Ask logind to reboot the machine (not interactive). */
int sysbus_reboot(struct event_base *, sysbus_cb *, void *arg, char *err,
    size_t errlen);
/* Ask systemd to start or stop (verb "start" or "stop") a unit, job mode
 * "replace". */
int sysbus_unit(struct event_base *, const char *verb, const char *unit,
    sysbus_cb *, void *arg, char *err, size_t errlen);
/* Close the connection (at the daemon's stop). */
void sysbus_shutdown(void);

#endif
