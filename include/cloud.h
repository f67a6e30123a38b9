/*
 * cloud.h: the cloud link (SPEC §6.2): an MQTT v5 session with a broker
 * through libmosquitto, driven by the one libevent loop.  Uplink events
 * are queued in SQLite until acknowledged; the topics `cmd`,
 * `cellgate/all/cmd` and `sms/send` are command channels like SMS;
 * CONNECT# opens an on-demand session and answers by SMS.
 *
 * The module row's hooks and tables, and the pure payload checks the
 * downlink uses (unit tested and fuzzed).
 */
#ifndef CG_CLOUD_H
#define CG_CLOUD_H

#include <stddef.h>

#include "cmd.h"
#include "ctl.h"
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

int cloud_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void cloud_shutdown(void);
struct json_object *cloud_status(void);

extern const struct setting_def cloud_settings_table[];
extern const size_t cloud_settings_table_len;
extern const struct cmd_entry cloud_cmd_table[];
extern const size_t cloud_cmd_table_len;
extern const struct ctl_request cloud_ctl_requests[];
extern const size_t cloud_ctl_requests_len;

/*
 * Downlink payloads (cloud_payload.c, pure).  Every payload is checked
 * before use: at most CLOUD_PAYLOAD_MAX bytes, valid UTF-8, no NUL nor
 * control characters other than tab, CR and LF.
 */
#define CLOUD_PAYLOAD_MAX	2048
#define CLOUD_NUMBER_MAX	32
#define CLOUD_TEXT_MAX		1600
#define CLOUD_PASSWORD_MAX	64

int cloud_payload_text_ok(const void *data, size_t len, const char **err);

/* sms/send: {"to": "+49...", "text": "...", "password": "..."}; "password"
 * may be missing (has_password 0).  Unknown keys are refused. */
struct cloud_sms_send {
	char	to[CLOUD_NUMBER_MAX + 1];
	char	text[CLOUD_TEXT_MAX + 1];
	size_t	text_len;
	int	has_password;
	char	password[CLOUD_PASSWORD_MAX + 1];
};
int cloud_payload_sms_send(const void *data, size_t len,
    struct cloud_sms_send *, const char **err);

/* "host", "host:port", "[v6]:port" -> host and port (0 when absent). */
int cloud_parse_server(const char *text, char *host, size_t hostlen,
    int *port, const char **err);

#endif
