/*
 * bridge.h: the serial-to-network bridge (doc/bridge.md, usr-gprs232 seed
 * chapters 3-4).  It owns the data port (a serial device or a pty the
 * daemon creates), the work modes NET (sockets A and B), HTTPD (libcurl),
 * SMS and CMD, the serial command mode (`+++`, UATEN) and the network
 * command channel (NATEN), the register and heartbeat packets and the
 * "similar RFC2217" frames.  This header is what the rest of the daemon
 * sees: the module hooks, its registry tables and the hooks other modules
 * provide or call.
 */
#ifndef CG_BRIDGE_H
#define CG_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

int bridge_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void bridge_reload(const struct conf *);
void bridge_shutdown(void);
struct json_object *bridge_status(void);

/* For STATUS#: the work mode ("NET", "HTTPD", "SMS", "CMD") and the state
 * of socket 0 (A) or 1 (B): "stopped" while the bridge does not run. */
const char *bridge_mode_name(void);
const char *bridge_socket_state(int id);

extern const struct setting_def bridge_settings_table[];
extern const size_t bridge_settings_table_len;
extern const struct cmd_entry bridge_cmd_table[];
extern const size_t bridge_cmd_table_len;

/*
 * SMS work mode: bridge_sms_out() is called with each framed message
 * read from the data port: it is queued as an SMS to DSTNUM.  Messages
 * from DSTNUM come in through sms_in_subscribe().
 */
void bridge_sms_out(const char *number, const uint8_t *data, size_t len);

#endif
