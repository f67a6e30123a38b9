/*
 * sd_compat.h: the daemon's one door to systemd's notification protocol
 * (sd_notify(3), sd_watchdog_enabled(3)).  With libsystemd (the default
 * build) these are libsystemd's own; a build configured
 * --without-systemd (OpenWrt, musl) gets the small implementation of
 * src/core/sd_notify.c: the same datagrams to $NOTIFY_SOCKET, the same
 * $WATCHDOG_USEC, so a service manager speaking the protocol is still
 * told, and without one nothing happens.
 */
#ifndef CG_SD_COMPAT_H
#define CG_SD_COMPAT_H

#include "config.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
#include <stdint.h>

int sd_notify(int unset_environment, const char *state);
int sd_notifyf(int unset_environment, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
int sd_watchdog_enabled(int unset_environment, uint64_t *usec);
#endif

#endif
