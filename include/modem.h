/*
 * modem.h: the modem module (doc/modem.md): the serial port, the AT engine
 * (one command in flight, per-command timeout, URCs never mixed into a
 * response, the "> " prompt flow), the modem state machine (probe →
 * identify → SIM → registration → ready, recovery ladder) and vendor
 * quirks.  This header is what other modules use: submit a command,
 * subscribe to URCs, learn when the modem is (again) ready, read its
 * identity.  Everything runs on the daemon's libevent loop.
 */
#ifndef CG_MODEM_H
#define CG_MODEM_H

#include <stddef.h>
#include <stdint.h>

#include "cmd.h"
#include "ctl.h"
#include "modem_atchan.h"	/* the engine's types: modem_response, ... */
#include "settings.h"

struct conf;
struct event_base;
struct json_object;

enum modem_state {
	MODEM_ABSENT,		/* no device configured, or the port is gone */
	MODEM_OPENING,		/* opening and configuring the port */
	MODEM_PROBING,		/* AT until it answers, ATE0, AT+CMEE=1 */
	MODEM_IDENTIFYING,	/* +CGMI/+CGMM/+CGMR/+CGSN, quirk chosen */
	MODEM_SIM,		/* +CPIN?, PIN entry; stays here if locked */
	MODEM_REGISTERING,	/* set up; waiting for the network */
	MODEM_READY,		/* registered, SMS indications on */
	MODEM_RECOVERING,	/* climbing the recovery ladder */
	MODEM_STATE_MAX
};

const char *modem_state_name(enum modem_state);
enum modem_state modem_state(void);

/*
 * Queue one command.  cmd: printable ASCII starting with "AT", no CR
 * (added here); pdu: NULL, or the hex PDU (SMSC part first) written
 * after the "> " prompt and ended by Ctrl-Z (for AT+CMGS=<len>, AT+CMGW).
 * timeout_ms: 0 for the default (setting modem.at_timeout); the clock
 * starts when the command is written.  done (may be NULL) is called
 * exactly once, later, from the loop, never from inside modem_submit().
 * Returns 0, or -1 (nothing queued, done not called) when the command is
 * invalid, the port is not open, or the queue is full.
 */
int modem_submit(const char *cmd, const char *pdu, int timeout_ms,
    modem_done_fn *done, void *arg);

/*
 * The same, for a module that must be able to take it back: the
 * command's handle (0: nothing queued, done not called).  owner is the
 * module's name ("sms"), for modem_unsubscribe_all(); may be NULL.
 * modem_cancel(): done is never called for it; a command not yet written
 * is not sent at all, one in flight still runs to its end (the channel
 * waits for its answer).  0, or -1 when done already ran or the handle
 * is unknown.
 */
typedef uint64_t modem_cmd;
modem_cmd modem_submit_h(const char *owner, const char *cmd, const char *pdu,
    int timeout_ms, modem_done_fn *done, void *arg);
int modem_cancel(modem_cmd);
/* Call fn at the "> " prompt of a queued command, just before its PDU is
 * written (see modem_prompt_fn); 0, or -1 when it is no longer queued.
 * A done callback tells by r->stage how far the command got. */
int modem_cmd_on_prompt(modem_cmd, modem_prompt_fn *, void *arg);

/*
 * URC subscription by prefix ("+CMTI:", "RING", "+CLIP:"), compared
 * case-sensitively at the start of the line.  fn gets the line and, for
 * URCs followed by a PDU (+CMT, +CDS, +CBM), the PDU line (else NULL).
 * A line matching a subscription is never part of a command's response,
 * except when it carries the response prefix of the command in flight.
 */
typedef void modem_urc_fn(const char *line, const char *pdu, void *arg);
int modem_urc_subscribe(const char *prefix, modem_urc_fn *, void *arg);
void modem_urc_unsubscribe(const char *prefix, modem_urc_fn *, void *arg);

/* Called each time an initialisation (first, or after a recovery or a
 * modem restart) reaches MODEM_READY: the modem forgot everything since. */
int modem_ready_subscribe(void (*fn)(void *), void *arg);
void modem_ready_unsubscribe(void (*fn)(void *), void *arg);

/* Subscriptions made in the name of a module (owner as for
 * modem_submit_h), and what a module calls in its shutdown: drop all of
 * its URC and ready subscriptions and cancel every command it submitted,
 * so that none of its callbacks runs after it stopped. */
int modem_urc_subscribe_as(const char *owner, const char *prefix,
    modem_urc_fn *, void *arg);
int modem_ready_subscribe_as(const char *owner, void (*fn)(void *),
    void *arg);
void modem_unsubscribe_all(const char *owner);

/* "iccid", "imei", "imsi", "number", "manufacturer", "model",
 * "revision", "operator": the value, or NULL while unknown. */
const char *modem_identity(const char *what);

/* While the modem is registered (else -1 / NULL): the signal quality
 * (+CSQ 0..31, -1 also while unknown) and the operator's name. */
int modem_signal(void);
const char *modem_operator(void);
/* While registered: the quality in percent as mmcli shows it (-1
 * unknown), and on LTE, where the modem answers +CESQ, RSRP in dBm and
 * RSRQ in tenths of a dB (0 when known, else -1). */
int modem_signal_quality(void);
/* For a modem that refuses AT+CGAUTH: its vendor's command setting the
 * credentials of context cid (auth 0 none, 1 PAP, 2 CHAP) into out; -1
 * when the vendor has none.  modem_cmd_is_secret() knows it. */
int modem_pdp_auth_command(int cid, const char *apn, const char *user,
    const char *pass, int auth, char *out, size_t outlen);
int modem_lte_signal(int *rsrp_dbm, int *rsrq_db10);

/* The module row (modules.c). */
int modem_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void modem_reload(const struct conf *);
void modem_shutdown(void);
struct json_object *modem_status(void);

/* Tables for the registries (modules.c). */
extern const struct setting_def modem_settings_table[];
extern const size_t modem_settings_table_len;
extern const struct cmd_entry modem_cmd_table[];
extern const size_t modem_cmd_table_len;
extern const struct ctl_request modem_ctl_requests[];
extern const size_t modem_ctl_requests_len;

/* Check a raw command for modem_submit() and the modem.at request:
 * printable ASCII, "AT" first, bounded.  0, or -1 with a reason. */
int modem_cmd_check(const char *cmd, char *err, size_t errlen);
/* Does the command carry a secret (AT+CPIN=, AT+CPWD=, AT+CLCK=, also
 * chained)?  Then it is logged as "AT+CPIN=***". */
int modem_cmd_is_secret(const char *cmd);
/* Is it a read or delete of stored messages (AT+CMGR, +CMGD, +CMGL,
 * +CPMS)?  Then it is queued ahead of other modules' commands. */
int modem_cmd_is_storage(const char *cmd);

#endif
