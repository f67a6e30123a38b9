/*
 * sms.h: the SMS module (cellgated(8), cellgate-sms(7)): receiving by
 * +CMTI with no polling (and everything already stored at each modem
 * (re)initialisation), committing each message to SQLite before deleting
 * it from the modem, recognising duplicates by fingerprint, joining
 * concatenated parts (kept in SQLite until complete, or delivered with a
 * gap marker after sms.concat_timeout), running messages as commands;
 * and the persistent outbox: queued -> sending -> sent | failed |
 * uncertain, with retries, a daily cap and optional status reports.
 */
#ifndef CG_SMS_H
#define CG_SMS_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "ctl.h"
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

/* Queue a message.  coding: "auto" (GSM 7-bit when possible, else
 * UCS-2), "ucs2", or "8bit" (the text's bytes as data).  Returns the new
 * message's id, or -1 with err (bad number, empty or invalid text, too
 * long, daily limit reached, store error); nothing is queued then. */
long long sms_send(const char *number, const char *text, size_t len,
    const char *coding, const char *origin, char *err, size_t errlen);

/*
 * Incoming messages for other modules (the bridge's SMS mode): each
 * message that is not a command carrying a password is offered to the
 * subscribers in turn; one that returns 1 takes it, and it is then not
 * run as commands (its status is "bridged").  Called inside the
 * message's transaction, from the loop.
 */
typedef int sms_in_fn(const char *number, const uint8_t *data, size_t len,
    void *arg);
int sms_in_subscribe(sms_in_fn *, void *arg);
void sms_in_unsubscribe(sms_in_fn *, void *arg);

/* The module row (modules.c). */
int sms_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void sms_shutdown(void);
struct json_object *sms_status(void);
/* A message is being sent, or one is due and the modem is ready. */
int sms_busy(void);

extern const struct setting_def sms_settings_table[];
extern const size_t sms_settings_table_len;
extern const struct cmd_entry sms_cmd_table[];
extern const size_t sms_cmd_table_len;
extern const struct ctl_request sms_ctl_requests[];
extern const size_t sms_ctl_requests_len;

#endif
