/*
 * sms.c: the SMS module's face: start and stop, sms_send() (the one way
 * anything queues a message: command replies, AT+SMSSEND, the bridge's
 * SMS mode, cellgatectl sms send), its settings, the SMSSEND command, the
 * control requests sms.send/list/show and the status section.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "cmd.h"
#include "ctl.h"
#include "log.h"
#include "modem.h"
#include "pdu.h"
#include "phonebook.h"
#include "settings.h"
#include "store.h"
#include "util.h"

#include "sms.h"
#include "sms_int.h"

struct sms_set sms_set;

/* Local midnight, for the daily cap. */
static long long
sms_today(void)
{
	time_t now = util_wall_time();
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return (long long)mktime(&tm);
}

/* The module's setting handles (once). */
static void
sms_set_resolve(void)
{
	if (sms_set.daily_limit != NULL)
		return;
	sms_set.retries = settings_ref("sms.retries", SETTING_INT);
	sms_set.retry_delay = settings_ref("sms.retry_delay", SETTING_INT);
	sms_set.status_report = settings_ref("sms.status_report",
	    SETTING_BOOL);
	sms_set.concat_timeout = settings_ref("sms.concat_timeout",
	    SETTING_INT);
	sms_set.daily_limit = settings_ref("sms.daily_limit", SETTING_INT);
	sms_set.send_via_storage = settings_ref("sms.send_via_storage",
	    SETTING_BOOL);
	sms_set.on_receive = settings_ref("sms.on_receive", SETTING_CUSTOM);
	sms_set.on_send = settings_ref("sms.on_send", SETTING_CUSTOM);
	sms_set.hook_timeout = settings_ref("sms.hook_timeout", SETTING_INT);
	sms_set.keep_messages = settings_ref("sms.keep_messages",
	    SETTING_INT);
	sms_set.keep_days = settings_ref("sms.keep_days", SETTING_INT);
}

long long
sms_send(const char *number, const char *text, size_t len,
    const char *coding, const char *origin, char *err, size_t errlen)
{
	struct pdu_encoded *enc;
	char to[PHONEBOOK_NUMBER_MAX + 1];
	const char *reason;
	long long id, limit;
	size_t n = strlen(number);

	sms_set_resolve();	/* callable before the module's init */
	limit = settings_int(sms_set.daily_limit);
	if (phonebook_normalise(number, phonebook_country_code(), to,
	    sizeof to) == -1) {
		/* short codes and national numbers as given */
		if (n < 3 || n > PHONEBOOK_NUMBER_MAX ||
		    strspn(number, "0123456789") != n) {
			snprintf(err, errlen, "not a phone number");
			return -1;
		}
		util_strlcpy(to, number, sizeof to);
	}
	if (len == 0 || len != strlen(text)) {
		snprintf(err, errlen, "empty text or NUL in text");
		return -1;
	}
	if (sms_store_out_count_since(sms_today()) >= limit) {
		snprintf(err, errlen, "daily limit of %lld messages reached "
		    "(sms.daily_limit)", limit);
		log_warnx("sms: message to %s refused: %s", to, err);
		return -1;
	}
	if ((enc = malloc(sizeof *enc)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sms_tx_encode(to, text, coding, 0, enc, &reason) == -1) {
		snprintf(err, errlen, "%s", reason);
		free(enc);
		return -1;
	}
	id = sms_store_out_add(to, text, coding, (int)enc->nparts, origin);
	free(enc);
	if (id == -1) {
		snprintf(err, errlen, "not queued: %s", store_errmsg());
		return -1;
	}
	log_info("sms: message %lld to %s queued (%s)", id, to, origin);
	sms_tx_kick();
	return id;
}

int
sms_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	int waiting;

	sms_set_resolve();
	if ((waiting = sms_store_out_recover()) == -1) {
		snprintf(err, errlen, "outbox: %s", store_errmsg());
		return -1;
	}
	sms_rx_start(base);
	sms_tx_start(base, waiting);
	sms_hook_start(base);
	sms_retain_start(base);
	return 0;
}

void
sms_shutdown(void)
{
	/* no callback of ours after this: not even for a message in
	 * flight (it stays "sending": at the next start it is queued
	 * again, or uncertain if its PDU was written after AT+CMGS) */
	modem_unsubscribe_all("sms");
	sms_retain_stop();
	sms_hook_stop();
	sms_tx_stop();
	sms_rx_stop();
}

int
sms_busy(void)
{
	return sms_tx_busy_now() || (modem_state() == MODEM_READY &&
	    sms_store_out_due((long long)time(NULL)) > 0);
}

struct json_object *
sms_status(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "unread",
	    json_object_new_int(sms_store_count("in", "new")));
	json_object_object_add(o, "outbox",
	    json_object_new_int(sms_store_count("out", "queued") +
	    sms_store_count("out", "sending")));
	json_object_object_add(o, "uncertain",
	    json_object_new_int(sms_store_count("out", "uncertain")));
	json_object_object_add(o, "failed",
	    json_object_new_int(sms_store_count("out", "failed")));
	json_object_object_add(o, "sent_today", json_object_new_int64(
	    sms_store_out_count_since(sms_today())));
	return o;
}

const struct setting_def sms_settings_table[] = {
	{ .name = "sms.daily_limit", .type = SETTING_INT, .min = 0,
	  .max = 10000, .def = "100", .group = GROUP_SYSTEM,
	  .role = ROLE_SUPERADMIN,
	  .help = "outgoing messages per day at most (a loop cannot run up "
	  "a bill)" },
	{ .name = "sms.retries", .type = SETTING_INT, .min = 0, .max = 10,
	  .def = "3", .group = GROUP_SYSTEM, .role = ROLE_ADMIN,
	  .help = "new tries after the modem refused a message" },
	{ .name = "sms.retry_delay", .type = SETTING_INT, .min = 1,
	  .max = 3600, .def = "30", .group = GROUP_SYSTEM, .role = ROLE_ADMIN,
	  .help = "seconds before the first retry (doubled each time)" },
	{ .name = "sms.concat_timeout", .type = SETTING_INT, .min = 10,
	  .max = 604800, .def = "1800", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN,
	  .help = "seconds to wait for missing parts before delivering a "
	  "long message with gaps" },
	{ .name = "sms.status_report", .type = SETTING_BOOL, .def = "off",
	  .group = GROUP_SYSTEM, .role = ROLE_ADMIN,
	  .help = "request delivery reports for outgoing messages" },
	{ .name = "sms.send_via_storage", .type = SETTING_BOOL, .def = "off",
	  .group = GROUP_SYSTEM, .role = ROLE_ADMIN,
	  .help = "send through the modem's storage (AT+CMGW, then AT+CMSS): "
	  "after a crash or a lost answer the stored copy's STO SENT / "
	  "STO UNSENT status says whether it went out, so a message is "
	  "uncertain only when that copy is gone; uses one storage slot "
	  "while sending" },
	{ .name = "sms.on_receive", .type = SETTING_CUSTOM, .def = "",
	  .group = GROUP_SYSTEM, .role = ROLE_SUPERADMIN, .flags = SETTING_LOCAL,
	  .parse = sms_hook_check_setting,
	  .help = "program (absolute path, no arguments, no shell) run once "
	  "for each received message, after its commands ran; the text "
	  "(passwords redacted) on its standard input, CELLGATE_* variables "
	  "in its environment; empty: none" },
	{ .name = "sms.on_send", .type = SETTING_CUSTOM, .def = "",
	  .group = GROUP_SYSTEM, .role = ROLE_SUPERADMIN, .flags = SETTING_LOCAL,
	  .parse = sms_hook_check_setting,
	  .help = "program run when an outgoing message ends as sent, failed "
	  "or uncertain (as sms.on_receive); empty: none" },
	{ .name = "sms.hook_timeout", .type = SETTING_INT, .min = 1,
	  .max = 3600, .def = "30", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN,
	  .help = "seconds a hook program may run before it is killed (and "
	  "tried again later)" },
	{ .name = "sms.keep_messages", .type = SETTING_INT, .min = 0,
	  .max = 10000000, .def = "10000", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN, .apply = sms_retain_apply,
	  .help = "messages kept in the log, the newest (0: no limit); "
	  "older ones are trimmed unless still open" },
	{ .name = "sms.keep_days", .type = SETTING_INT, .min = 0,
	  .max = 36500, .def = "365", .group = GROUP_SYSTEM,
	  .role = ROLE_ADMIN, .apply = sms_retain_apply,
	  .help = "days a message is kept in the log (0: no limit); older "
	  "ones are trimmed unless still open" },
};
const size_t sms_settings_table_len = nitems(sms_settings_table);

/* AT+SMSSEND=number,type,data (seed 4.2.1.48): type 1 GSM 7-bit (UCS-2
 * when the text needs it), 2 8-bit data, 3 UCS-2. */
static int
sms_cmd_smssend(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	static const char *const codings[] = { NULL, "auto", "8bit", "ucs2" };
	const char *errstr, *text;
	char err[256], origin[64];
	long long type, id;

	type = util_strtonum(f->argv[1], 1, 3, &errstr);
	if (errstr != NULL)
		return cmd_reply_error(r, "SMSSEND: type is 1 (GSM), 2 (8-bit) "
		    "or 3 (UCS-2)");
	/* the data is the rest: commas belong to the text */
	text = strchr(strchr(f->raw, ',') + 1, ',') + 1;
	if (f->argc == 3)
		text = f->argv[2];
	snprintf(origin, sizeof origin, "%s %s", auth_channel_name(ctx->channel),
	    ctx->origin);
	id = sms_send(f->argv[0], text, strlen(text), codings[type], origin,
	    err, sizeof err);
	if (id == -1)
		return cmd_reply_error(r, "SMSSEND: %s", err);
	return 0;
}

const struct cmd_entry sms_cmd_table[] = {
	{ "SMSSEND", NULL, CMD_OP(ATFORM_SET), 3, ATFORM_MAX_ARGS, ROLE_ADMIN,
	  GROUP_SYSTEM, 0, "AT+SMSSEND=number,type,data",
	  "send an SMS (type 1 GSM, 2 8-bit, 3 UCS-2)", sms_cmd_smssend },
};
const size_t sms_cmd_table_len = nitems(sms_cmd_table);

static int
sms_req_send(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	const char *number = ctl_arg_string(args, "number", err, errlen);
	const char *text = ctl_arg_string(args, "text", err, errlen);
	long long id;

	if (number == NULL || text == NULL)
		return -1;
	id = sms_send(number, text, strlen(text), "auto",
	    ctl_conn_origin(c), err, errlen);
	if (id == -1)
		return -1;
	if ((*res = sms_store_show(id)) == NULL) {
		snprintf(err, errlen, "queued as %lld, but not readable", id);
		return -1;
	}
	return 0;
}

static int
sms_req_list(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	struct json_object *v;
	long long before = 0;
	int limit = 50;

	if (args != NULL && json_object_object_get_ex(args, "limit", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1 ||
		    json_object_get_int64(v) > 10000) {
			snprintf(err, errlen, "limit is 1..10000");
			return -1;
		}
		limit = json_object_get_int(v);
	}
	/* the next page: messages below that id */
	if (args != NULL && json_object_object_get_ex(args, "before", &v)) {
		if (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 1) {
			snprintf(err, errlen, "before is a message id");
			return -1;
		}
		before = json_object_get_int64(v);
	}
	*res = sms_store_page(limit, before);
	return 0;
}

/* The message id argument: 0, or -1 with err. */
static int
sms_req_id(struct json_object *args, long long *id, char *err, size_t errlen)
{
	struct json_object *v;

	if (args == NULL || !json_object_object_get_ex(args, "id", &v) ||
	    !json_object_is_type(v, json_type_int)) {
		snprintf(err, errlen, "missing integer argument \"id\"");
		return -1;
	}
	*id = json_object_get_int64(v);
	return 0;
}

static int sms_req_show(struct ctl_conn *, struct json_object *,
    struct json_object **, char *, size_t);

static int
sms_req_retry(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	long long id;
	int n;

	if (sms_req_id(args, &id, err, errlen) == -1)
		return -1;
	if ((n = sms_hook_retry(id)) == -1) {
		snprintf(err, errlen, "%s", store_errmsg());
		return -1;
	}
	if (n == 0) {
		snprintf(err, errlen, "message %lld has no hook waiting or "
		    "failed", id);
		return -1;
	}
	return sms_req_show(c, args, res, err, errlen);
}

static int
sms_req_show(struct ctl_conn *c, struct json_object *args,
    struct json_object **res, char *err, size_t errlen)
{
	long long id;

	if (sms_req_id(args, &id, err, errlen) == -1)
		return -1;
	if ((*res = sms_store_show(id)) == NULL) {
		snprintf(err, errlen, "no message %lld", id);
		return -1;
	}
	json_object_object_add(*res, "hooks", sms_hook_json(id));
	return 0;
}

const struct ctl_request sms_ctl_requests[] = {
	{ "sms.send", ROLE_ADMIN, sms_req_send },
	{ "sms.list", ROLE_USER, sms_req_list },
	{ "sms.show", ROLE_USER, sms_req_show },
	{ "sms.retry", ROLE_ADMIN, sms_req_retry },
};
const size_t sms_ctl_requests_len = nitems(sms_ctl_requests);
