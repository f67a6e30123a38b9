/*
 * privileges.c: the features of a config file that need a privilege the
 * unit does not give by default: REBOOT# through logind
 * (system.reboot_command = logind), pppd (data.mode ppp, or auto with
 * data.ppp_port), the recovery ladder's USB reset (modem.usb_reset) and
 * GPIO lines (an io item with the gpio backend).  Only the config file
 * counts: it is root's, so the daemon cannot widen its own privileges.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "io_conf.h"
#include "privileges.h"
#include "spawn.h"
#include "util.h"

static const char *
privileges_value(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nvalues; i++)
		if (strcmp(c->values[i].def->name, name) == 0)
			return c->values[i].value;
	return "";
}

static int
privileges_on(const char *v)
{
	return util_strcaseeq(v, "on") || util_strcaseeq(v, "true") ||
	    util_strcaseeq(v, "yes") || strcmp(v, "1") == 0;
}

void
privileges_print(const struct conf *c, FILE *f)
{
	const char *mode = privileges_value(c, "data.mode");
	int gpio = 0;

	if (strcmp(privileges_value(c, "system.reboot_command"),
	    SPAWN_LOGIND) == 0)
		fprintf(f, "reboot\n");
	if (util_strcaseeq(mode, "ppp") || (util_strcaseeq(mode, "auto") &&
	    c->data_ppp_port[0] != '\0'))
		fprintf(f, "ppp\n");
	if (privileges_on(privileges_value(c, "modem.usb_reset")))
		fprintf(f, "usb-reset\n");
	for (size_t i = 0; c->io != NULL && i < c->io->n; i++)
		if (c->io->items[i].backend == IO_B_GPIO)
			gpio = 1;
	if (gpio)
		fprintf(f, "gpio\n");
}
