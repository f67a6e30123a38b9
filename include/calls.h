/*
 * calls.h: incoming calls (gsm-remote-control seed) and USSD balance
 * checks.  A call is identified by +CLIP; what happens depends on the
 * caller's phonebook entry (ignore, hang up, or hang up and reply with the
 * status SMS) and on CALEN (off: every call is hung up).  BALANCE# sends
 * the USSD code of the setting ussd.balance and forwards the network's
 * answer by SMS to whoever asked.
 */
#ifndef CG_CALLS_H
#define CG_CALLS_H

#include "cmd.h"
#include "ctl.h"
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

int calls_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void calls_shutdown(void);

/*
 * Outgoing alarm calls: dial `number` (E.164), let it ring `seconds`,
 * hang up, then done(result) from the loop.  One call at a time: -1 while
 * another is under way or the modem is not ready (done not called).
 * calls_dial_cancel() hangs up and forgets the callback.
 */
enum calls_dial_result {
	CALLS_DIAL_RANG,	/* rang (or was answered) and hung up */
	CALLS_DIAL_BUSY,	/* BUSY, NO ANSWER, NO CARRIER */
	CALLS_DIAL_FAILED	/* ERROR, timeout, modem gone */
};
typedef void calls_dial_fn(const char *number, enum calls_dial_result,
    void *arg);
int calls_dial(const char *number, int seconds, calls_dial_fn *, void *arg);
void calls_dial_cancel(void);
const char *calls_dial_result_name(enum calls_dial_result);

extern const struct setting_def calls_settings_table[];
extern const size_t calls_settings_table_len;
extern const struct cmd_entry calls_cmd_table[];
extern const size_t calls_cmd_table_len;

#endif
