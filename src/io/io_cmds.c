/*
 * io_cmds.c: the io module's rows of the command registry: every I/O and
 * thermostat command of the gsm-remote-control seed (OUT, RIP, SMSxxxx,
 * VOCxxxx, INC, ALLMIN, ALLMAX, ALL, INT, TEMP, TRES, NOR, FUN, AVV, TSU,
 * TIN1A, THI, TLO).  The short form (OUT2:ON) and the AT form
 * (AT+OUT=2,ON) reach the same row.  Each reply line repeats the value in
 * the seed's spelling ("OUT1:ON", "RIP1", "ALLMIN:+02").  Queries need
 * the user role; changes other than OUT, FUN, NOR and TRES need admin.
 * A bad argument changes nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "io.h"
#include "io_int.h"
#include "phonebook.h"
#include "settings.h"
#include "util.h"

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))
#define ALLOPS	(QUERY | CMD_OP(ATFORM_SET))

static int
io_is_set(const struct atform *f)
{
	return f->op == ATFORM_SET;
}

static int
io_admin(const struct atform *f, const struct cmd_ctx *ctx,
    struct cmd_reply *r)
{
	if (io_is_set(f) && ctx->role < ROLE_ADMIN)
		return cmd_reply_error(r, "%s needs the admin role", f->name);
	return 0;
}

static int
io_onoff(const char *s, int *on)
{
	if (util_strcaseeq(s, "ON"))
		*on = 1;
	else if (util_strcaseeq(s, "OFF"))
		*on = 0;
	else
		return -1;
	return 0;
}

/* Set a setting from text; the error reply names the command. */
static int
io_set(const struct setting_def *d, const char *name, const char *v,
    struct cmd_reply *r)
{
	char err[256];

	if (settings_set_text(d, v, err, sizeof err) == -1)
		return cmd_reply_error(r, "%s: %s", name, err);
	return 0;
}

/* OUT:ON, OUT2:OFF, OUT?, OUT2? ; AT+OUT=ON, AT+OUT=2,ON, AT+OUT? */
static int
io_cmd_out(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	struct io_item *it;
	const char *v = NULL, *errstr;
	long long idx = 1;
	char err[256];
	int on;

	if (!io_is_set(f)) {
		int any = 0;

		for (int i = 1; (it = io_nth(IO_OUTPUT, i)) != NULL; i++) {
			cmd_reply_line(r, "OUT%d:%s", i, it->value == 1 ? "ON" :
			    it->value == 0 ? "OFF" : "UNKNOWN");
			any = 1;
		}
		return any ? 0 : cmd_reply_error(r, "OUT: no output "
		    "configured");
	}
	if (f->argc == 2) {
		idx = util_strtonum(f->argv[0], 1, IO_ITEMS_MAX, &errstr);
		if (errstr != NULL)
			return cmd_reply_error(r, "OUT: bad output number");
		v = f->argv[1];
	} else if (strlen(f->argv[0]) == 2 && isdigit((unsigned char)
	    f->argv[0][0]) && f->argv[0][1] == '?') {
		idx = f->argv[0][0] - '0';
		if ((it = io_nth(IO_OUTPUT, (int)idx)) == NULL)
			return cmd_reply_error(r, "OUT: no output %lld", idx);
		cmd_reply_line(r, "OUT%lld:%s", idx, it->value == 1 ? "ON" :
		    it->value == 0 ? "OFF" : "UNKNOWN");
		return 0;
	} else
		v = f->argv[0];
	if (io_onoff(v, &on) == -1)
		return cmd_reply_error(r, "OUT: ON or OFF");
	if ((it = io_nth(IO_OUTPUT, (int)idx)) == NULL)
		return cmd_reply_error(r, "OUT: no output %lld", idx);
	if (io_output_set(it, on, "command", err, sizeof err) == -1)
		return cmd_reply_error(r, "OUT: %s", err);
	cmd_reply_line(r, "OUT%lld:%s", idx, on ? "ON" : "OFF");
	return 0;
}

/* RIP1, RIP0, RIP? */
static int
io_cmd_rip(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (io_is_set(f)) {
		if (strcmp(f->argv[0], "0") != 0 &&
		    strcmp(f->argv[0], "1") != 0)
			return cmd_reply_error(r, "RIP: 1 or 0");
		if (io_set(io_h.restore, "RIP", f->argv[0][0] == '1' ? "on" :
		    "off", r) == -1)
			return -1;
	}
	cmd_reply_line(r, "RIP%d", settings_bool(io_h.restore));
	return 0;
}

/* AVV1, AVV0, AVV? */
static int
io_cmd_avv(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (io_is_set(f)) {
		if (strcmp(f->argv[0], "0") != 0 &&
		    strcmp(f->argv[0], "1") != 0)
			return cmd_reply_error(r, "AVV: 1 or 0");
		if (io_set(io_h.startup_sms, "AVV", f->argv[0][0] == '1' ?
		    "on" : "off", r) == -1)
			return -1;
	}
	cmd_reply_line(r, "AVV%d", settings_bool(io_h.startup_sms));
	return 0;
}

/* SMSxxxx:ON/OFF and VOCxxxx:ON/OFF: alarm flags of phonebook positions;
 * SMS? / VOC? list the positions that have the flag. */
struct io_flag_list {
	int	voc;
	char	buf[32];
	size_t	n;
};

static int
io_flag_row(const struct phonebook_entry *e, void *arg)
{
	struct io_flag_list *l = arg;

	if ((l->voc ? e->alarm_call : e->alarm_sms) && e->pos < 10 &&
	    l->n + 1 < sizeof l->buf)
		l->buf[l->n++] = (char)('0' + e->pos);
	l->buf[l->n] = '\0';
	return 0;
}

static int
io_cmd_flags(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	int voc = ce->name[0] == 'V', on, size = phonebook_size();
	const char *pos;
	struct phonebook_entry e[10];
	char err[256];
	size_t n;

	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (!io_is_set(f)) {
		struct io_flag_list l = { voc, "", 0 };

		if (phonebook_foreach(io_flag_row, &l) == -1)
			return cmd_reply_error(r, "phonebook not readable");
		cmd_reply_line(r, "%s:%s", ce->name, l.buf);
		return 0;
	}
	if (f->argc != 2 || io_onoff(f->argv[1], &on) == -1)
		return cmd_reply_error(r, "%s: %sxxxx:ON or %sxxxx:OFF "
		    "(positions 1..%d)", ce->name, ce->name, ce->name, size);
	pos = f->argv[0];
	n = strlen(pos);
	if (n == 0 || n > 9 || strspn(pos, "0123456789") != n)
		return cmd_reply_error(r, "%s: positions are digits 1..%d",
		    ce->name, size > 9 ? 9 : size);
	/* check every position first: all or nothing */
	for (size_t i = 0; i < n; i++) {
		int p = pos[i] - '0';

		if (p < 1 || p > size || p > 9)
			return cmd_reply_error(r, "%s: no position %d (1..%d)",
			    ce->name, p, size > 9 ? 9 : size);
		if (phonebook_get(p, &e[i]) == -1)
			return cmd_reply_error(r, "%s: position %d is empty",
			    ce->name, p);
	}
	for (size_t i = 0; i < n; i++) {
		if (voc)
			e[i].alarm_call = on;
		else
			e[i].alarm_sms = on;
		if (phonebook_put(&e[i], err, sizeof err) == -1)
			return cmd_reply_error(r, "%s: %s", ce->name, err);
	}
	cmd_reply_line(r, "%s%s:%s", ce->name, pos, on ? "ON" : "OFF");
	return 0;
}

/* INC:mm and INT:mm: minutes 00..59, digits only. */
static int
io_cmd_minutes(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct setting_def *d = ce->name[2] == 'C' ? io_h.input_inhibit :
	    io_h.alarm_inhibit;
	const char *errstr;
	size_t n;

	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (io_is_set(f)) {
		n = strlen(f->argv[0]);
		if (n < 1 || n > 2 || strspn(f->argv[0], "0123456789") != n ||
		    (util_strtonum(f->argv[0], 0, 59, &errstr), errstr != NULL))
			return cmd_reply_error(r, "%s: minutes are 00..59",
			    ce->name);
		if (io_set(d, ce->name, f->argv[0], r) == -1)
			return -1;
	}
	cmd_reply_line(r, "%s:%02lld", ce->name, settings_int(d));
	return 0;
}

static const char *
io_threshold_text(const struct setting_def *d)
{
	const char *v = settings_value(d);

	return v[0] != '\0' ? v : "--";
}

/* ALLMIN:+02, ALLMAX:+35, ALLMIN? ; ALLMIN: (empty) unsets it. */
static int
io_cmd_threshold(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct setting_def *d = ce->name[4] == 'I' ? io_h.alarm_min :
	    io_h.alarm_max;

	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (io_is_set(f) && io_set(d, ce->name, f->argv[0], r) == -1)
		return -1;
	cmd_reply_line(r, "%s:%s", ce->name, io_threshold_text(d));
	return 0;
}

/* ALL:ON, ALL:OFF, ALL?: the thermal alarm and its thresholds. */
static int
io_cmd_all(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	int on;

	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (io_is_set(f)) {
		if (io_onoff(f->argv[0], &on) == -1)
			return cmd_reply_error(r, "ALL: ON or OFF");
		if (io_set(io_h.alarm, "ALL", on ? "on" : "off", r) == -1)
			return -1;
	}
	cmd_reply_line(r, "ALL:%s MIN:%s MAX:%s", settings_bool(io_h.alarm) ?
	    "ON" : "OFF", io_threshold_text(io_h.alarm_min),
	    io_threshold_text(io_h.alarm_max));
	return 0;
}

/* TEMP: current, min and max; TRES resets min and max. */
static int
io_cmd_temp(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char msg[128];

	if (ce->name[1] == 'R')
		io_temp_reset();
	if (io_temp_message(msg, sizeof msg) == -1)
		return cmd_reply_error(r, "%s: no sensor configured",
		    ce->name);
	cmd_reply_line(r, "%s", msg);
	return 0;
}

/* NOR:xx: the setpoint, -10..99 C. */
static int
io_cmd_nor(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const char *v;
	size_t n;

	if (io_is_set(f)) {
		v = f->argv[0];
		n = strlen(v);
		if (n == 0 || n > 3 || strspn(v + (*v == '+' || *v == '-'),
		    "0123456789") != n - (*v == '+' || *v == '-') ||
		    n == (size_t)(*v == '+' || *v == '-'))
			return cmd_reply_error(r, "NOR: a temperature -10..99");
		if (io_set(io_h.setpoint, "NOR", v, r) == -1)
			return -1;
	}
	cmd_reply_line(r, "NOR:%lld", settings_int(io_h.setpoint));
	return 0;
}

/* FUN:T, FUN:A, FUN:M, FUN? */
static int
io_cmd_fun(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (io_is_set(f)) {
		if (strlen(f->argv[0]) != 1 ||
		    strchr("TAMtam", f->argv[0][0]) == NULL)
			return cmd_reply_error(r, "FUN: T, A or M");
		if (io_set(io_h.mode, "FUN", f->argv[0], r) == -1)
			return -1;
	}
	cmd_reply_line(r, "FUN:%s", settings_value(io_h.mode));
	return 0;
}

/* TSU:text, THI:text, TLO:text, TIN1A:text (AT+TIN1A=text, AT+TIN=1A,text):
 * up to 100 characters. */
static int
io_cmd_text(const struct cmd_entry *ce, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct setting_def *d;
	const char *text = f->raw, *label = ce->name;
	char lbl[16];

	if (io_admin(f, ctx, r) == -1)
		return -1;
	if (strcmp(ce->name, "TSU") == 0)
		d = io_h.startup_text;
	else if (strcmp(ce->name, "THI") == 0)
		d = io_h.text_high;
	else if (strcmp(ce->name, "TLO") == 0)
		d = io_h.text_low;
	else {
		/* TIN: by the alias TIN1A, or TIN with "1A" first */
		int idx = 1;

		if (!util_strcaseeq(f->name, "TIN1A")) {
			const char *a = f->argc > 0 ? f->argv[0] : "";

			if (strlen(a) != 2 || a[0] < '1' || a[0] > '4' ||
			    toupper((unsigned char)a[1]) != 'A')
				return cmd_reply_error(r, "TIN: TIN1A:text "
				    "(inputs 1..4)");
			idx = a[0] - '0';
			text = strchr(f->raw, ',');
			text = text != NULL ? text + 1 : "";
			if (!io_is_set(f) || f->argc < 2)
				text = NULL;
		}
		d = io_h.input_text[idx - 1];
		snprintf(lbl, sizeof lbl, "TIN%dA", idx);
		label = lbl;
	}
	if (io_is_set(f) && text != NULL) {
		if (strlen(text) > IO_TEXT_MAX)
			return cmd_reply_error(r, "%s: at most %d characters",
			    label, IO_TEXT_MAX);
		if (io_set(d, label, text, r) == -1)
			return -1;
	}
	cmd_reply_line(r, "%s:%s", label, settings_value(d));
	return 0;
}

const struct cmd_entry io_cmd_table[] = {
	{ "OUT", NULL, ALLOPS, 1, 2, ROLE_USER, GROUP_HW, 0,
	  "OUT:ON | OUT2:OFF | OUT? (AT+OUT=2,ON)",
	  "switch an output (relay) on or off, or read them", io_cmd_out },
	{ "RIP", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "RIP1 | RIP0 | RIP?", "restore the outputs after a restart "
	  "(io.restore)", io_cmd_rip },
	{ "SMS", NULL, ALLOPS, 2, 2, ROLE_USER, GROUP_HW, 0,
	  "SMS1367:ON | SMS24:OFF | SMS?", "phonebook positions that get "
	  "alarm SMS", io_cmd_flags },
	{ "VOC", NULL, ALLOPS, 2, 2, ROLE_USER, GROUP_HW, 0,
	  "VOC12:ON | VOC3:OFF | VOC?", "phonebook positions that get "
	  "alarm calls", io_cmd_flags },
	{ "INC", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0, "INC:05",
	  "input alarm inhibition, minutes 00..59 (io.input_inhibit)",
	  io_cmd_minutes },
	{ "INT", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0, "INT:10",
	  "thermal alarm inhibition, minutes 00..59 (thermo.alarm_inhibit)",
	  io_cmd_minutes },
	{ "ALLMIN", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "ALLMIN:+02", "low thermal alarm threshold -10..+99 "
	  "(thermo.alarm_min)", io_cmd_threshold },
	{ "ALLMAX", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "ALLMAX:+35", "high thermal alarm threshold -10..+99 "
	  "(thermo.alarm_max)", io_cmd_threshold },
	{ "ALL", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "ALL:ON | ALL:OFF | ALL?", "thermal alarm on/off; ALL? replies the "
	  "thresholds", io_cmd_all },
	{ "TEMP", NULL, QUERY, 0, 0, ROLE_USER, GROUP_HW, 0, "TEMP",
	  "current, minimum and maximum temperature", io_cmd_temp },
	{ "TRES", NULL, CMD_OP(ATFORM_EXEC), 0, 0, ROLE_USER, GROUP_HW, 0,
	  "TRES", "reset the minimum and maximum temperature", io_cmd_temp },
	{ "NOR", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0, "NOR:24",
	  "automatic mode's setpoint, C (thermo.setpoint)", io_cmd_nor },
	{ "FUN", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "FUN:T | FUN:A | FUN:M | FUN?", "relay 1: follow the thermostat "
	  "input, automatic, forced on (thermo.mode)", io_cmd_fun },
	{ "AVV", NULL, ALLOPS, 1, 1, ROLE_USER, GROUP_HW, 0,
	  "AVV1 | AVV0 | AVV?", "startup SMS on/off (io.startup_sms)",
	  io_cmd_avv },
	{ "TSU", NULL, ALLOPS, 1, ATFORM_MAX_ARGS, ROLE_USER, GROUP_HW, 0,
	  "TSU:text", "startup SMS text, up to 100 characters "
	  "(io.startup_text)", io_cmd_text },
	{ "TIN", "TIN1A", ALLOPS, 1, ATFORM_MAX_ARGS, ROLE_USER, GROUP_HW, 0,
	  "TIN1A:text", "alarm text of input 1 (..4), up to 100 characters "
	  "(io.input_text.N)", io_cmd_text },
	{ "THI", NULL, ALLOPS, 1, ATFORM_MAX_ARGS, ROLE_USER, GROUP_HW, 0,
	  "THI:text", "text of the high thermal alarm (thermo.text_high)",
	  io_cmd_text },
	{ "TLO", NULL, ALLOPS, 1, ATFORM_MAX_ARGS, ROLE_USER, GROUP_HW, 0,
	  "TLO:text", "text of the low thermal alarm (thermo.text_low)",
	  io_cmd_text },
};
const size_t io_cmd_table_len = nitems(io_cmd_table);
