/*
 * calls.c: incoming calls and USSD.  RING / +CLIP from the modem (or
 * the call list, AT+CLCC, asked at the first RING for modems that send
 * no +CLIP): the caller's number (normalised) selects its phonebook
 * entry's action; a call is acted on once, however often it rings; a
 * waiting call (+CCWA) gets its own caller's action.  Unknown callers
 * are hung up.  A reply SMS (hangup-reply, temperature) goes to one
 * number at most once per calls.reply_interval.  BALANCE sends AT+CUSD
 * with ussd.balance and forwards the +CUSD answer (decoded from UCS-2
 * where the network used it) as an SMS to the sender, or as an event and
 * log line for local callers.  Outgoing
 * alarm calls (calls_dial): ATD, ring, ATH, one at a time.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "at_parse.h"
#include "calls.h"
#include "daemon.h"
#include "events.h"
#include "log.h"
#include "modem.h"
#include "phonebook.h"
#include "sms.h"
#include "util.h"

#define CALLS_QUIET_MS	8000	/* no RING for this long: the call ended */

static struct event *calls_end_ev;
static int calls_acted;		/* this call was handled */
static int calls_rings;
static int calls_waiting;	/* acting on a waiting call (+CCWA) */
static char calls_ussd_to[32];	/* who asked for the balance */
static const struct setting_def *calls_s_enable, *calls_s_balance,
    *calls_s_reboot;		/* resolved at init */

/* The outgoing call under way (calls_dial). */
static struct {
	int		 active;
	char		 number[PHONEBOOK_NUMBER_MAX + 1];
	int		 seconds;
	calls_dial_fn	*done;
	void		*arg;
	struct event	*timer;
} calls_out;

static void
calls_event(const char *number, const char *action)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "number", json_object_new_string(number));
	json_object_object_add(o, "action", json_object_new_string(action));
	events_publish("call", o);
}

static void
calls_end_cb(evutil_socket_t fd, short what, void *arg)
{
	calls_acted = 0;
	calls_rings = 0;
}

/* Our hang-up ends the call: the next RING is a new call. */
static void
calls_hungup(const struct modem_response *r, void *arg)
{
	if (r->final == MODEM_OK) {
		event_del(calls_end_ev);
		calls_end_cb(-1, 0, NULL);
	}
}

/* A waiting call is released with AT+CHLD=0, leaving the call in
 * progress; any other with ATH. */
static void
calls_hangup(void)
{
	if (modem_submit_h("calls", calls_waiting ? "AT+CHLD=0" : "ATH",
	    NULL, 10000, calls_waiting ? NULL : calls_hungup, NULL) == 0)
		log_warnx("calls: cannot hang up now");
}

/* The last reply to each of the latest callers: a caller id can be
 * spoofed, so each number gets one reply per calls.reply_interval (the
 * oldest entry makes room). */
#define CALLS_REPLIED_MAX	64

static struct {
	char		 number[PHONEBOOK_NUMBER_MAX + 1];
	uint64_t	 at;		/* monotonic ms */
} calls_replied[CALLS_REPLIED_MAX];
static const struct setting_def *calls_s_reply_interval;

static int
calls_reply_allowed(const char *number)
{
	uint64_t now = util_now_ms(), gap = (uint64_t)settings_int(
	    calls_s_reply_interval) * 1000;
	size_t i, oldest = 0;

	for (i = 0; i < CALLS_REPLIED_MAX; i++) {
		if (strcmp(calls_replied[i].number, number) == 0)
			break;
		if (calls_replied[i].at < calls_replied[oldest].at)
			oldest = i;
	}
	if (i < CALLS_REPLIED_MAX && calls_replied[i].at != 0 &&
	    now - calls_replied[i].at < gap) {
		log_info("calls: no reply to %s: one was sent less than %llu s "
		    "ago (calls.reply_interval)", number,
		    (unsigned long long)(gap / 1000));
		return 0;
	}
	if (i == CALLS_REPLIED_MAX)
		i = oldest;
	util_strlcpy(calls_replied[i].number, number,
	    sizeof calls_replied[i].number);
	calls_replied[i].at = now;
	return 1;
}

/* The reply SMS of the remote-control seed: the status message (the
 * STATUS command) or the temperature message (the io module's TEMP),
 * run through the registry, so calls knows nothing of either; at most
 * one per number per calls.reply_interval. */
static void
calls_reply_status(const char *number, const char *command)
{
	struct cmd_ctx ctx = { CHAN_LOCAL, ROLE_SUPERADMIN, "call" };
	struct cmd_reply r;
	char err[256];
	size_t n;

	if (!calls_reply_allowed(number))
		return;
	cmd_reply_init(&r);
	if (cmd_run(command, strlen(command), &ctx, &r) == 0) {
		n = r.lines.len;
		if (n > 0 && r.lines.data[n - 1] == '\n')
			r.lines.data[--n] = '\0';
		if (sms_send(number, buf_str(&r.lines), n, "auto", "call",
		    err, sizeof err) == -1)
			log_warnx("calls: status SMS to %s not queued: %s",
			    number, err);
	}
	cmd_reply_free(&r);
}

static void
calls_act(const char *raw)
{
	struct phonebook_entry pb;
	char number[PHONEBOOK_NUMBER_MAX + 1], esc[64];
	enum phonebook_call action = CALL_HANGUP;
	int known = 0;

	calls_acted = 1;
	util_escape(esc, sizeof esc, raw, strlen(raw));
	if (phonebook_normalise(raw, phonebook_country_code(), number,
	    sizeof number) == 0 && phonebook_find(number, &pb) == 0) {
		known = 1;
		action = pb.call;
	}
	if (!settings_bool(calls_s_enable))
		action = CALL_HANGUP;
	log_info("calls: call from %s (%s): %s", esc, known ?
	    "in the phonebook" : "unknown", phonebook_call_name(action));
	calls_event(known ? number : esc, phonebook_call_name(action));
	if (action == CALL_IGNORE)
		return;
	calls_hangup();
	if (action == CALL_HANGUP_REPLY)
		calls_reply_status(number, "AT+STATUS");
	else if (action == CALL_TEMPERATURE)
		calls_reply_status(number, "AT+TEMP");
}

static void
calls_arm_end(void)
{
	struct timeval tv = { CALLS_QUIET_MS / 1000, 0 };

	event_add(calls_end_ev, &tv);
}

static void
calls_clip(const char *line, const char *pdu, void *arg)
{
	struct at_clip c;
	const char *err;

	calls_arm_end();
	if (calls_acted)
		return;
	if (at_parse_clip(line, strlen(line), &c, &err) == -1) {
		log_warnx("calls: unreadable caller id: %s", err);
		return;
	}
	calls_act(c.number);
}

/* The call list (27.007 +CLCC), for modems that send no +CLIP: the
 * incoming (or waiting) call's number; a malformed line is logged once
 * and changes nothing. */
static void
calls_clcc_line(const char *line)
{
	struct at_clcc c;
	const char *err;
	char esc[96];

	if (at_parse_clcc(line, strlen(line), &c, &err) == -1) {
		util_escape(esc, sizeof esc, line, strlen(line));
		log_warnx("calls: call list line not understood (%s): %s", err,
		    esc);
		return;
	}
	if (calls_acted || c.dir != 1 || c.number[0] == '\0' ||
	    (c.stat != AT_CLCC_INCOMING && c.stat != AT_CLCC_WAITING))
		return;
	calls_arm_end();
	calls_act(c.number);
}

static void
calls_clcc_done(const struct modem_response *r, void *arg)
{
	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (strncmp(r->lines[i], "+CLCC:", 6) == 0)
			calls_clcc_line(r->lines[i]);
}

static void
calls_clcc_urc(const char *line, const char *pdu, void *arg)
{
	calls_clcc_line(line);
}

static void
calls_ring(const char *line, const char *pdu, void *arg)
{
	calls_arm_end();
	/* the first RING: ask the call list too, in case no +CLIP comes */
	if (!calls_acted && calls_rings == 0 && modem_submit_h("calls",
	    "AT+CLCC", NULL, 0, calls_clcc_done, NULL) == 0)
		log_debug("calls: cannot ask the call list now");
	/* +CLIP follows RING; a second RING without it: withheld number */
	if (!calls_acted && ++calls_rings >= 2)
		calls_act("");
}

/* +CCWA: a second call while one is in progress gets its caller's
 * action too (released with AT+CHLD=0 rather than ending ours). */
static void
calls_ccwa(const char *line, const char *pdu, void *arg)
{
	struct at_ccwa w;
	const char *err;
	char esc[96];

	if (at_parse_ccwa(line, strlen(line), &w, &err) == -1) {
		util_escape(esc, sizeof esc, line, strlen(line));
		log_warnx("calls: waiting call not understood (%s): %s", err,
		    esc);
		return;
	}
	calls_waiting = 1;
	calls_act(w.clip.number);
	calls_waiting = 0;
}

static const char *const calls_dial_names[] = { "rang", "busy", "failed" };

const char *
calls_dial_result_name(enum calls_dial_result r)
{
	return (unsigned)r < nitems(calls_dial_names) ? calls_dial_names[r] :
	    "?";
}

static void
calls_dial_finish(enum calls_dial_result res)
{
	calls_dial_fn *done = calls_out.done;
	void *arg = calls_out.arg;
	char number[sizeof calls_out.number];

	if (!calls_out.active)
		return;
	calls_out.active = 0;
	calls_out.done = NULL;
	event_del(calls_out.timer);
	util_strlcpy(number, calls_out.number, sizeof number);
	log_info("calls: alarm call to %s: %s", number,
	    calls_dial_result_name(res));
	calls_event(number, res == CALLS_DIAL_RANG ? "alarm-call" :
	    res == CALLS_DIAL_BUSY ? "alarm-call-busy" : "alarm-call-failed");
	if (done != NULL)
		done(number, res, arg);
}

static void
calls_dial_hungup(const struct modem_response *r, void *arg)
{
	calls_dial_finish(CALLS_DIAL_RANG);
}

/* Rang long enough: hang up. */
static void
calls_dial_timer(evutil_socket_t fd, short what, void *arg)
{
	if (modem_submit_h("calls", "ATH", NULL, 10000, calls_dial_hungup,
	    NULL) == 0)
		calls_dial_finish(CALLS_DIAL_FAILED);
}

static void
calls_dialled(const struct modem_response *r, void *arg)
{
	struct timeval tv = { calls_out.seconds, 0 };

	if (!calls_out.active)
		return;
	if (r->final == MODEM_OK) {
		event_add(calls_out.timer, &tv);
		return;
	}
	calls_dial_finish(r->final == MODEM_NO_CARRIER ? CALLS_DIAL_BUSY :
	    CALLS_DIAL_FAILED);
}

int
calls_dial(const char *number, int seconds, calls_dial_fn *done, void *arg)
{
	char cmd[48];
	size_t n = strlen(number);

	if (calls_out.active || calls_out.timer == NULL || n < 2 ||
	    n > PHONEBOOK_NUMBER_MAX || strspn(number + (number[0] == '+'),
	    "0123456789") != n - (number[0] == '+'))
		return -1;
	snprintf(cmd, sizeof cmd, "ATD%s;", number);
	if (modem_submit_h("calls", cmd, NULL, 30000, calls_dialled,
	    NULL) == 0)
		return -1;
	calls_out.active = 1;
	util_strlcpy(calls_out.number, number, sizeof calls_out.number);
	calls_out.seconds = seconds > 0 ? seconds : 1;
	calls_out.done = done;
	calls_out.arg = arg;
	log_info("calls: alarm call to %s, ringing %d s", number,
	    calls_out.seconds);
	return 0;
}

void
calls_dial_cancel(void)
{
	if (!calls_out.active)
		return;
	calls_out.done = NULL;
	calls_out.active = 0;
	event_del(calls_out.timer);
	(void)modem_submit_h("calls", "ATH", NULL, 10000, NULL, NULL);
}

/* BUSY / NO ANSWER after the ATD's OK: the callee refused. */
static void
calls_dial_refused(const char *line, const char *pdu, void *arg)
{
	if (calls_out.active && evtimer_pending(calls_out.timer, NULL))
		calls_dial_finish(CALLS_DIAL_BUSY);
}

static void
calls_no_carrier(const char *line, const char *pdu, void *arg)
{
	calls_dial_refused(line, pdu, arg);
	calls_acted = 0;
	calls_rings = 0;
	event_del(calls_end_ev);
}

/* A UCS-2 hex string to UTF-8 (surrogate pairs joined); -1 if not hex. */
static int
calls_ucs2_hex(const char *hex, char *out, size_t outlen)
{
	size_t n = strlen(hex), o = 0;

	if (n % 4 != 0 || strspn(hex, "0123456789abcdefABCDEF") != n)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		unsigned long u = strtoul((char[5]){ hex[i], hex[i + 1],
		    hex[i + 2], hex[i + 3], 0 }, NULL, 16);
		char tmp[4];
		size_t k;

		if (u >= 0xd800 && u < 0xdc00 && i + 8 <= n) {
			unsigned long lo = strtoul((char[5]){ hex[i + 4],
			    hex[i + 5], hex[i + 6], hex[i + 7], 0 }, NULL, 16);

			if (lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 4;
			}
		}
		if (u < 0x80) {
			tmp[0] = (char)u;
			k = 1;
		} else if (u < 0x800) {
			tmp[0] = (char)(0xc0 | u >> 6);
			tmp[1] = (char)(0x80 | (u & 0x3f));
			k = 2;
		} else if (u < 0x10000) {
			tmp[0] = (char)(0xe0 | u >> 12);
			tmp[1] = (char)(0x80 | (u >> 6 & 0x3f));
			tmp[2] = (char)(0x80 | (u & 0x3f));
			k = 3;
		} else {
			tmp[0] = (char)(0xf0 | u >> 18);
			tmp[1] = (char)(0x80 | (u >> 12 & 0x3f));
			tmp[2] = (char)(0x80 | (u >> 6 & 0x3f));
			tmp[3] = (char)(0x80 | (u & 0x3f));
			k = 4;
		}
		if (o + k + 1 > outlen)
			return -1;
		memcpy(out + o, tmp, k);
		o += k;
	}
	out[o] = '\0';
	return 0;
}

static void
calls_cusd(const char *line, const char *pdu, void *arg)
{
	struct at_cusd c;
	struct json_object *o;
	const char *err, *text;
	char utf8[AT_CUSD_MAX * 2], e[256];

	if (at_parse_cusd(line, strlen(line), &c, &err) == -1) {
		log_warnx("ussd: unreadable answer: %s", err);
		return;
	}
	text = c.has_str ? c.str : "(no text)";
	if (c.has_str && (c.dcs == 72 || (c.dcs >= 0 && (c.dcs & 0x0c) == 0x08))
	    && calls_ucs2_hex(c.str, utf8, sizeof utf8) == 0)
		text = utf8;
	log_info("ussd: answer (%d): %s", c.m, text);
	o = json_object_new_object();
	json_object_object_add(o, "text", json_object_new_string(text));
	events_publish("ussd", o);
	if (calls_ussd_to[0] != '\0') {
		if (sms_send(calls_ussd_to, text, strlen(text), "auto", "ussd",
		    e, sizeof e) == -1)
			log_warnx("ussd: answer to %s not queued: %s",
			    calls_ussd_to, e);
		calls_ussd_to[0] = '\0';
	}
}

/* The request failed: no answer will come, forget who asked. */
static void
calls_ussd_sent(const struct modem_response *r, void *arg)
{
	if (r->final != MODEM_OK) {
		log_warnx("ussd: request failed: %s", r->final_line);
		calls_ussd_to[0] = '\0';
	}
}

static int
calls_balance(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char cmd[96];

	snprintf(cmd, sizeof cmd, "AT+CUSD=1,\"%s\",15",
	    settings_value(calls_s_balance));
	if (modem_submit_h("calls", cmd, NULL, 30000, calls_ussd_sent,
	    NULL) == 0)
		return cmd_reply_error(r, "BALANCE: the modem is not ready");
	if (ctx->channel == CHAN_SMS)
		util_strlcpy(calls_ussd_to, ctx->origin, sizeof calls_ussd_to);
	else
		calls_ussd_to[0] = '\0';
	cmd_reply_line(r, "+BALANCE:requested %s; the answer follows",
	    settings_value(calls_s_balance));
	return 0;
}

/* REBOOT#: the system when system.reboot_command allows it, else the
 * daemon and with it the modem session. */
static int
calls_restart(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (settings_value(calls_s_reboot)[0] != '\0')
		daemon_request_reboot("REBOOT");
	else
		daemon_request_restart("REBOOT");
	return 0;
}

/* A USSD code: digits, '*' and '#' only (it goes inside AT+CUSD). */
static int
calls_parse_ussd(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	size_t n = argc == 1 ? strlen(argv[0]) : 0;

	if (argc != 1 || n < 2 || n > 30 ||
	    strspn(argv[0], "0123456789*#") != n) {
		snprintf(err, errlen, "a USSD code is digits, * and # "
		    "(e.g. *100#)");
		return -1;
	}
	util_strlcpy(out, argv[0], outlen);
	return 0;
}

const struct setting_def calls_settings_table[] = {
	{ .name = "calls.enable", .alias = "CALEN", .type = SETTING_BOOL,
	  .def = "on", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .help = "act on calls per phonebook entry; off: hang up every "
	  "call" },
	{ .name = "calls.reply_interval", .type = SETTING_INT, .min = 60,
	  .max = 86400, .def = "600", .group = GROUP_HW, .role = ROLE_ADMIN,
	  .help = "seconds between two replies to one caller (call actions "
	  "hangup-reply and temperature): caller ids can be spoofed" },
	{ .name = "ussd.balance", .type = SETTING_CUSTOM,
	  .parse = calls_parse_ussd, .def = "*100#", .group = GROUP_SECURITY,
	  .role = ROLE_ADMIN, .help = "USSD code that BALANCE# sends (a "
	  "security setting: a code can transfer credit, so it always needs "
	  "a password remotely)" },
};
const size_t calls_settings_table_len = nitems(calls_settings_table);

const struct cmd_entry calls_cmd_table[] = {
	{ "BALANCE", NULL, CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY), 0, 0,
	  ROLE_USER, GROUP_NET, 0, "BALANCE#",
	  "ask the network for the balance (USSD); the answer follows by SMS",
	  calls_balance },
	{ "REBOOT", NULL, CMD_OP(ATFORM_EXEC), 0, 0, ROLE_ADMIN, GROUP_SYSTEM,
	  0, "REBOOT#", "reboot the machine (system.reboot_command) or "
	  "restart the daemon and the modem session",
	  calls_restart },
};
const size_t calls_cmd_table_len = nitems(calls_cmd_table);

int
calls_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	calls_s_enable = settings_ref("calls.enable", SETTING_BOOL);
	calls_s_balance = settings_ref("ussd.balance", SETTING_CUSTOM);
	calls_s_reply_interval = settings_ref("calls.reply_interval",
	    SETTING_INT);
	calls_s_reboot = settings_ref("system.reboot_command",
	    SETTING_CUSTOM);
	calls_end_ev = evtimer_new(base, calls_end_cb, NULL);
	calls_out.timer = evtimer_new(base, calls_dial_timer, NULL);
	modem_urc_subscribe_as("calls", "BUSY", calls_dial_refused, NULL);
	modem_urc_subscribe_as("calls", "NO ANSWER", calls_dial_refused, NULL);
	modem_urc_subscribe_as("calls", "RING", calls_ring, NULL);
	modem_urc_subscribe_as("calls", "+CLIP:", calls_clip, NULL);
	modem_urc_subscribe_as("calls", "+CLCC:", calls_clcc_urc, NULL);
	modem_urc_subscribe_as("calls", "+CCWA:", calls_ccwa, NULL);
	modem_urc_subscribe_as("calls", "NO CARRIER", calls_no_carrier,
	    NULL);
	modem_urc_subscribe_as("calls", "+CUSD:", calls_cusd, NULL);
	return 0;
}

void
calls_shutdown(void)
{
	modem_unsubscribe_all("calls");
	calls_out.active = 0;
	calls_out.done = NULL;
	if (calls_out.timer != NULL) {
		event_free(calls_out.timer);
		calls_out.timer = NULL;
	}
	if (calls_end_ev != NULL) {
		event_free(calls_end_ev);
		calls_end_ev = NULL;
	}
}
