/*
 * io.h: the io module (SPEC section 7, gsm-remote-control seed): relays
 * (outputs), alarm inputs, temperature sensors, the thermostat of relay 1,
 * alarm SMS and calls, and the seed's I/O commands.  Hardware comes from
 * the config file's io group (io_conf.h); behaviour from settings.  Other
 * modules learn about it only through the "io" and "alarm" events and the
 * registry's commands (TEMP, OUT, ...).
 */
#ifndef CG_IO_H
#define CG_IO_H

#include <stddef.h>

#include "cmd.h"
#include "ctl.h"
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

int io_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void io_reload(const struct conf *);
void io_shutdown(void);
struct json_object *io_status(void);

extern const struct setting_def io_settings_table[];
extern const size_t io_settings_table_len;
extern const struct cmd_entry io_cmd_table[];
extern const size_t io_cmd_table_len;
extern const struct ctl_request io_ctl_requests[];
extern const size_t io_ctl_requests_len;

#endif
