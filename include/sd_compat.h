/*
 * sd_compat.h: the daemon's one door to systemd's notification protocol
 * (sd_notify(3), sd_watchdog_enabled(3)).  With libsystemd (the default
 * build) these are libsystemd's own; a build configured
 * --without-systemd (OpenWrt, musl, no systemd) gets inline no-ops: no
 * service manager is listening there, so there is nothing to tell.
 */
#ifndef CG_SD_COMPAT_H
#define CG_SD_COMPAT_H

#include "config.h"

#ifdef HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
#include <stdint.h>

static inline int
sd_notify(int unset_environment, const char *state)
{
	(void)unset_environment;
	(void)state;
	return 0;
}

#define sd_notifyf(unset, ...)	sd_notify((unset), "")

static inline int
sd_watchdog_enabled(int unset_environment, uint64_t *usec)
{
	(void)unset_environment;
	(void)usec;
	return 0;
}
#endif

#endif
