/*
 * privileges.h: which of the daemon's features that need a privilege
 * beyond the unit's base set the config file turns on (cellgated
 * --privileges, read by the package's grant helper as root before the
 * daemon starts; see cellgated(8), PRIVILEGES).
 */
#ifndef CG_PRIVILEGES_H
#define CG_PRIVILEGES_H

#include <stdio.h>

struct conf;

/* One feature a line: reboot, ppp, usb-reset, gpio. */
void privileges_print(const struct conf *, FILE *);

#endif
