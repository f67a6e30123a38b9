/*
 * control.c: the simulator's control socket.  It owns the Unix stream
 * listener at --control (a stale socket is replaced, a live one refused),
 * the clients (many at once, each request one '\n'-terminated line of at
 * most 8 KiB, each reply one line of JSON), and the table of control
 * commands that inject SMS, calls, URCs and faults into the modem and
 * read back what the client did.  A bad request changes nothing.
 */

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/listener.h>

#include "sim.h"

#define CONTROL_CLIENTS_MAX	64

struct control_client {
	struct sim			*sim;
	struct bufferevent		*bev;
	int				 closing;
	CG_LIST_ENTRY(control_client)	 entry;
};

static CG_LIST_HEAD(, control_client) control_clients =
    CG_LIST_HEAD_INITIALIZER(control_clients);

struct control_cmd {
	const char	*name;
	const char	*usage;
	int		(*fn)(struct sim *, char *, struct json *, char *,
			    size_t);
};

static const struct control_cmd control_table[];

/* Next space-separated word of *pp, or NULL. */
static char *
control_word(char **pp)
{
	char	*p = *pp, *w;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0') {
		*pp = p;
		return (NULL);
	}
	w = p;
	while (*p != '\0' && *p != ' ' && *p != '\t')
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return (w);
}

static int
control_no_more(char *p)
{
	return (control_word(&p) == NULL);
}

/* Strict decimal in [min, max]. */
static int
control_number(const char *s, long min, long max, long *v)
{
	char	*end;
	long	 n;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return (-1);
	*v = n;
	return (0);
}

/* Text that can go into a quoted AT string: printable, no '"'. */
static int
control_text_ok(const char *s, size_t max)
{
	size_t	n = strlen(s);

	if (n == 0 || n > max)
		return (0);
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == 0x7f)
			return (0);
	}
	return (1);
}

static char *
control_rest(char *p)
{
	size_t	n;

	while (*p == ' ' || *p == '\t')
		p++;
	n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = '\0';
	return (p);
}

#define ERR(...) do {						\
	snprintf(err, errlen, __VA_ARGS__);			\
	return (-1);						\
} while (0)

static int
control_inject(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen, int indicate)
{
	char		 pdu[SIM_PDU_HEX_MAX + 1];
	const char	*why, *hex;
	long		 stat = 0;
	int		 idx;

	if ((hex = control_word(&args)) == NULL)
		ERR("missing PDU hex");
	if (!indicate) {
		const char	*s = control_word(&args);

		if (s != NULL && control_number(s, 0, 3, &stat) != 0)
			ERR("bad stat (0-3): %s", s);
	}
	if (!control_no_more(args))
		ERR("too many arguments");
	if ((why = storage_check_hex(hex, pdu, sizeof pdu)) != NULL)
		ERR("%s", why);
	if (indicate && sim->cnmi[0] != 0 &&
	    (sim->cnmi[1] == 2 || sim->cnmi[1] == 3)) {
		urc_cmt(sim, pdu);
		json_null(j, "index");
		json_bool(j, "cmt", 1);
		return (0);
	}
	if ((idx = storage_put(sim, pdu, (int)stat)) < 0 && indicate) {
		/* the network holds it and retries once space frees */
		if (held_add(sim, pdu) != 0)
			ERR("storage full and %d messages held", SIM_HELD_MAX);
		json_null(j, "index");
		json_bool(j, "held", 1);
		return (0);
	}
	if (idx < 0)
		ERR("storage full (%d messages)", sim->nslots);
	if (indicate)
		urc_cmti(sim, idx);
	json_int(j, "index", idx);
	return (0);
}

static int
control_sms(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	return (control_inject(sim, args, j, err, errlen, 1));
}

static int
control_store(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	return (control_inject(sim, args, j, err, errlen, 0));
}

static int
control_urc(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*text = control_rest(args);
	const char	*p;

	if (*text == '\0')
		ERR("missing URC text");
	if (strlen(text) > SIM_LINE_MAX)
		ERR("URC text longer than %d bytes", SIM_LINE_MAX);
	for (p = text; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n')
			ERR("URC text contains CR or LF");
	}
	if (!sim->plugged)
		ERR("modem is unplugged");
	urc_emit(sim, text);
	return (0);
}

static int
control_raw(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	char		*hex;
	unsigned char	 buf[SIM_LINE_MAX];
	size_t		 n, i;
	int		 o;

	if ((hex = control_word(&args)) == NULL || !control_no_more(args))
		ERR("usage: raw HEX");
	n = strlen(hex);
	if (n % 2 != 0 || n / 2 > sizeof buf)
		ERR("bad hex length");
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)hex[i]))
			ERR("not hex");
	}
	for (i = 0; i < n / 2; i++) {
		if ((o = storage_octet(hex, (int)i)) < 0)
			ERR("not hex");
		buf[i] = (unsigned char)o;
	}
	if (!sim->plugged)
		ERR("modem is unplugged");
	pty_write(sim, buf, n / 2);
	json_int(j, "bytes", (long long)(n / 2));
	return (0);
}

static int
control_call_number(const char *num)
{
	const char	*p = num + (*num == '+');

	if (*p == '\0' || strlen(num) > 20)
		return (-1);
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p))
			return (-1);
	return (0);
}

static int
control_ring(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*num;

	if ((num = control_word(&args)) == NULL || !control_no_more(args))
		ERR("usage: ring NUMBER");
	if (control_call_number(num) != 0)
		ERR("bad number: %s", num);
	if (sim->call != SIM_CALL_IDLE)
		ERR("a call is in progress");
	urc_ring_start(sim, num);
	return (0);
}

/* nettime [OFFSET [TZ]]: the network's time runs OFFSET seconds from
 * the host's, in zone TZ (quarter hours); the zone is sent as AT+CTZR
 * asked. */
static int
control_nettime(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*o, *z;
	long		 off = sim->time_offset, tz = sim->tz;

	if ((o = control_word(&args)) != NULL) {
		if (*o == '-' ? control_number(o + 1, 0, 2000000000L, &off) :
		    control_number(o, 0, 2000000000L, &off))
			ERR("usage: nettime [OFFSET [TZ]]");
		if (*o == '-')
			off = -off;
		if ((z = control_word(&args)) != NULL && (*z == '-' ?
		    control_number(z + 1, 0, 56, &tz) :
		    control_number(z, 0, 56, &tz)))
			ERR("bad zone (quarter hours, -56..56): %s", z);
		if (z != NULL && *z == '-')
			tz = -tz;
	}
	if (!control_no_more(args))
		ERR("too many arguments");
	sim->time_offset = off;
	sim->tz = (int)tz;
	urc_zone(sim);
	json_int(j, "offset", sim->time_offset);
	json_int(j, "tz", sim->tz);
	return (0);
}

/* waiting NUMBER: a second call arrives during one in progress (+CCWA
 * when AT+CCWA=1). */
static int
control_waiting(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*num;

	if ((num = control_word(&args)) == NULL || !control_no_more(args))
		ERR("usage: waiting NUMBER");
	if (control_call_number(num) != 0)
		ERR("bad number: %s", num);
	if (sim->call == SIM_CALL_IDLE)
		ERR("no call in progress");
	snprintf(sim->waiting, sizeof sim->waiting, "%s", num);
	if (sim->ccwa)
		urc_emitf(sim, "+CCWA: \"%s\",%d,1", num,
		    num[0] == '+' ? 145 : 129);
	return (0);
}

static int
control_hangup(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: hangup");
	if (sim->call == SIM_CALL_IDLE)
		ERR("no call");
	urc_call_end(sim, 1);
	return (0);
}

static int
control_reg(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*s, *a;
	long		 stat, act = sim->act;
	int		 changed;

	if ((s = control_word(&args)) == NULL ||
	    control_number(s, 0, 5, &stat) != 0)
		ERR("usage: reg STAT(0-5) [ACT(0-7)]");
	if ((a = control_word(&args)) != NULL &&
	    control_number(a, 0, 7, &act) != 0)
		ERR("bad access technology (0-7): %s", a);
	if (!control_no_more(args))
		ERR("too many arguments");
	changed = act != sim->act;
	sim->net_stat = (int)stat;
	sim->act = (int)act;
	urc_reg_update(sim, changed);
	json_int(j, "registration", sim_reg_stat(sim));
	return (0);
}

static int
control_signal(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*r, *b;
	long		 rssi, ber = sim->ber;

	if ((r = control_word(&args)) == NULL ||
	    control_number(r, 0, 99, &rssi) != 0 ||
	    (rssi > 31 && rssi != 99))
		ERR("usage: signal RSSI(0-31,99) [BER(0-7,99)]");
	if ((b = control_word(&args)) != NULL &&
	    (control_number(b, 0, 99, &ber) != 0 || (ber > 7 && ber != 99)))
		ERR("bad BER (0-7,99): %s", b);
	if (!control_no_more(args))
		ERR("too many arguments");
	sim->rssi = (int)rssi;
	sim->ber = (int)ber;
	return (0);
}

static int
control_lte(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*p, *q;
	long		 rsrp, rsrq;

	if ((p = control_word(&args)) == NULL ||
	    control_number(p, 0, 97, &rsrp) != 0 ||
	    (q = control_word(&args)) == NULL ||
	    control_number(q, 0, 34, &rsrq) != 0 || !control_no_more(args))
		ERR("usage: lte RSRP(0-97) RSRQ(0-34)");
	sim->rsrp = (int)rsrp;
	sim->rsrq = (int)rsrq;
	return (0);
}

static int
control_operator(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*name = control_rest(args);

	if (!control_text_ok(name, sizeof sim->operator_name - 1))
		ERR("usage: operator NAME (1-%zu printable characters, "
		    "no '\"')", sizeof sim->operator_name - 1);
	snprintf(sim->operator_name, sizeof sim->operator_name, "%s", name);
	return (0);
}

static int
control_delay(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*s;
	long		 ms;

	if ((s = control_word(&args)) == NULL || !control_no_more(args) ||
	    control_number(s, 0, 60000, &ms) != 0)
		ERR("usage: delay MS(0-60000)");
	sim->delay_ms = (int)ms;
	return (0);
}

/*
 * fail PREFIX RESULT [COUNT]: RESULT is ERROR, a "+CME ERROR: n" /
 * "+CMS ERROR: n", any other word, a "quoted text", or a fault (fault.c):
 * silent (no answer), lost (runs, no answer), garbage, drop (the port).
 */
static int
control_fail(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	char		 result[64], *prefix, *p, *q, *w;
	long		 count = 1, code;
	const char	*s;
	enum sim_fault	 kind = SIM_FAULT_TEXT;

	if ((prefix = control_word(&args)) == NULL)
		ERR("usage: fail PREFIX RESULT [COUNT]");
	if (strncasecmp(prefix, "AT", 2) != 0 || strlen(prefix) >= 64)
		ERR("PREFIX must start with AT (at most 63 characters)");
	p = args;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		if ((q = strchr(p + 1, '"')) == NULL)
			ERR("unterminated quoted RESULT");
		*q = '\0';
		if (!control_text_ok(p + 1, sizeof result - 1) &&
		    *(p + 1) != '\0')
			ERR("bad RESULT text");
		snprintf(result, sizeof result, "%s", p + 1);
		p = q + 1;
	} else if (strncasecmp(p, "+CME ERROR:", 11) == 0 ||
	    strncasecmp(p, "+CMS ERROR:", 11) == 0) {
		q = p + 11;
		if ((w = control_word(&q)) == NULL ||
		    control_number(w, 0, 65535, &code) != 0)
			ERR("bad error code in RESULT");
		snprintf(result, sizeof result, "+CM%c ERROR: %ld",
		    toupper((unsigned char)p[3]), code);
		p = q;
	} else {
		if ((w = control_word(&p)) == NULL)
			ERR("usage: fail PREFIX RESULT [COUNT]");
		if (fault_parse(w, &kind) == 0)
			result[0] = '\0';
		else if (!control_text_ok(w, sizeof result - 1))
			ERR("bad RESULT");
		else
			snprintf(result, sizeof result, "%s", w);
	}
	if ((s = control_word(&p)) != NULL &&
	    control_number(s, 1, 10000, &count) != 0)
		ERR("bad COUNT (1-10000): %s", s);
	if (!control_no_more(p))
		ERR("too many arguments");
	if (at_fail_add(sim, prefix, result, kind, (int)count) != 0)
		ERR("too many pending fail rules (%d)", SIM_FAIL_MAX);
	json_str(j, "prefix", prefix);
	json_str(j, "result", result);
	json_str(j, "fault", fault_name(kind));
	json_int(j, "count", count);
	return (0);
}

static int
control_nofail(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: nofail");
	json_int(j, "removed", sim->nfails);
	sim->nfails = 0;
	return (0);
}

static int
control_onoff(char *args, int *v)
{
	const char	*w;

	if ((w = control_word(&args)) == NULL || !control_no_more(args))
		return (-1);
	if (strcmp(w, "on") == 0)
		*v = 1;
	else if (strcmp(w, "off") == 0)
		*v = 0;
	else
		return (-1);
	return (0);
}

/* capacity N: the SIM's number of message slots (1-255). */
static int
control_capacity(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*s;
	long		 n;

	if ((s = control_word(&args)) == NULL || !control_no_more(args) ||
	    control_number(s, 1, 255, &n) != 0)
		ERR("usage: capacity SLOTS(1-255)");
	if (storage_resize(sim, (int)n) != 0)
		ERR("a message is stored past slot %ld: delete it first", n);
	held_kick(sim);
	json_int(j, "total", sim->nslots);
	json_int(j, "used", storage_used(sim));
	return (0);
}

static int
control_hang(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	int	v;

	if (control_onoff(args, &v) != 0)
		ERR("usage: hang on|off");
	sim->hang = v;
	return (0);
}

static int
control_unplug(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: unplug");
	if (!sim->plugged)
		ERR("already unplugged");
	sim_unplug(sim);
	return (0);
}

static int
control_replug(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: replug");
	if (sim->plugged)
		ERR("already plugged");
	if (sim_replug(sim, err, errlen) != 0)
		return (-1);
	json_str(j, "device", sim->slave_name);
	return (0);
}

static int
control_reboot(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: reboot");
	sim_reboot(sim);
	return (0);
}

static int
control_pin(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*code, *p;

	if ((code = control_word(&args)) == NULL || !control_no_more(args))
		ERR("usage: pin CODE|none");
	if (strcmp(code, "none") == 0) {
		sim->pin_code[0] = '\0';
		sim->pin = SIM_PIN_READY;
	} else {
		if (strlen(code) < 4 || strlen(code) > 8)
			ERR("PIN must be 4 to 8 digits");
		for (p = code; *p != '\0'; p++) {
			if (!isdigit((unsigned char)*p))
				ERR("PIN must be 4 to 8 digits");
		}
		snprintf(sim->pin_code, sizeof sim->pin_code, "%s", code);
		sim->pin = SIM_PIN_PIN;
	}
	sim->pin_attempts = 3;
	sim->puk_attempts = 10;
	urc_reg_update(sim, 0);
	return (0);
}

static int
control_puk(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	if (!control_no_more(args))
		ERR("usage: puk");
	sim->pin = SIM_PIN_PUK;
	sim->pin_attempts = 0;
	urc_reg_update(sim, 0);
	return (0);
}

static int
control_ussd(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	const char	*text = control_rest(args);

	if (!control_text_ok(text, sizeof sim->ussd - 1))
		ERR("usage: ussd TEXT (1-160 printable characters, no '\"')");
	snprintf(sim->ussd, sizeof sim->ussd, "%s", text);
	return (0);
}

static int
control_spray(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	int	v;

	if (sim->profile->spray == NULL)
		ERR("profile %s has no periodic URCs", sim->profile->name);
	if (control_no_more(args)) {
		if (!sim->plugged)
			ERR("modem is unplugged");
		urc_spray_once(sim);
		return (0);
	}
	if (control_onoff(args, &v) != 0)
		ERR("usage: spray [on|off]");
	urc_spray_set(sim, v);
	return (0);
}

static int
control_commands(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	size_t	i;

	if (!control_no_more(args))
		ERR("usage: commands");
	json_arr(j, "commands");
	for (i = 0; i < sim->ncmds; i++)
		json_str(j, NULL, sim->cmds[i]);
	json_close(j, ']');
	json_int(j, "dropped", (long long)sim->cmds_dropped);
	return (0);
}

static int
control_sent(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	size_t	i;

	if (!control_no_more(args))
		ERR("usage: sent");
	json_arr(j, "sent");
	for (i = 0; i < sim->nsent; i++) {
		json_obj(j, NULL);
		json_str(j, "pdu", sim->sent[i].pdu);
		json_int(j, "length", sim->sent[i].length);
		json_int(j, "mr", sim->sent[i].mr);
		json_close(j, '}');
	}
	json_close(j, ']');
	return (0);
}

static int
control_storage(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	int	i;

	if (!control_no_more(args))
		ERR("usage: storage");
	json_int(j, "total", sim->nslots);
	json_int(j, "used", storage_used(sim));
	json_int(j, "held", (long long)sim->nheld);
	json_arr(j, "slots");
	for (i = 0; i < sim->nslots; i++) {
		if (!sim->slots[i].used)
			continue;
		json_obj(j, NULL);
		json_int(j, "index", i + 1);
		json_int(j, "stat", sim->slots[i].stat);
		json_str(j, "pdu", sim->slots[i].pdu);
		json_close(j, '}');
	}
	json_close(j, ']');
	return (0);
}

static int
control_state(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	static const char *const pins[SIM_PIN_MAX] = { "READY", "SIM PIN",
	    "SIM PUK" };
	static const char *const calls[SIM_CALL_MAX] = { "idle", "ringing",
	    "active", "dialing" };
	int	i;

	if (!control_no_more(args))
		ERR("usage: state");
	json_str(j, "profile", sim->profile->name);
	json_bool(j, "plugged", sim->plugged);
	json_str(j, "device", sim->plugged ? sim->slave_name : "");
	json_bool(j, "echo", sim->echo);
	json_int(j, "cmee", sim->cmee);
	json_int(j, "cmgf", sim->cmgf);
	json_arr(j, "cnmi");
	for (i = 0; i < 5; i++)
		json_int(j, NULL, sim->cnmi[i]);
	json_close(j, ']');
	json_int(j, "creg", sim->creg_n);
	json_int(j, "cgreg", sim->cgreg_n);
	json_int(j, "cereg", sim->cereg_n);
	json_int(j, "registration", sim_reg_stat(sim));
	json_int(j, "network", sim->net_stat);
	json_int(j, "act", sim->act);
	json_str(j, "operator", sim->operator_name);
	json_int(j, "rssi", sim->rssi);
	json_int(j, "rsrp", sim->rsrp);
	json_int(j, "rsrq", sim->rsrq);
	json_int(j, "ber", sim->ber);
	json_str(j, "pin", sim->puk_attempts == 0 ? "BLOCKED" :
	    pins[sim->pin]);
	json_int(j, "pin_attempts", sim->pin_attempts);
	json_int(j, "cfun", sim->cfun);
	json_str(j, "call", calls[sim->call]);
	json_bool(j, "in_call", sim->call != SIM_CALL_IDLE);
	json_str(j, "call_number", sim->call != SIM_CALL_IDLE ?
	    sim->call_number : "");
	json_bool(j, "clip", sim->clip);
	json_bool(j, "hang", sim->hang);
	json_int(j, "delay", sim->delay_ms);
	json_int(j, "fail_rules", sim->nfails);
	json_bool(j, "spray", sim->spray_on && sim->curc);
	json_str(j, "ussd", sim->ussd);
	json_int(j, "storage_used", storage_used(sim));
	json_int(j, "storage_total", sim->nslots);
	json_int(j, "held", (long long)sim->nheld);
	json_bool(j, "memfull", sim->memfull);
	json_int(j, "prompts_abandoned", sim->prompts_abandoned);
	return (0);
}

static int
control_clear(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	size_t	i;

	if (!control_no_more(args))
		ERR("usage: clear");
	for (i = 0; i < sim->ncmds; i++)
		free(sim->cmds[i]);
	sim->ncmds = 0;
	sim->cmds_dropped = 0;
	for (i = 0; i < sim->nsent; i++)
		free(sim->sent[i].pdu);
	sim->nsent = 0;
	at_calls_clear();
	return (0);
}

static int
control_help(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	int	i;

	json_arr(j, "commands");
	for (i = 0; control_table[i].name != NULL; i++)
		json_str(j, NULL, control_table[i].usage);
	json_close(j, ']');
	return (0);
}

static const struct control_cmd control_table[] = {
	{ "sms", "sms PDUHEX", control_sms },
	{ "store", "store PDUHEX [STAT]", control_store },
	{ "urc", "urc TEXT", control_urc },
	{ "raw", "raw HEX", control_raw },
	{ "ring", "ring NUMBER", control_ring },
	{ "waiting", "waiting NUMBER (a call waiting)", control_waiting },
	{ "nettime", "nettime [OFFSET [TZ]] (the network's time)",
	  control_nettime },
	{ "hangup", "hangup", control_hangup },
	{ "reg", "reg STAT [ACT]", control_reg },
	{ "signal", "signal RSSI [BER]", control_signal },
	{ "lte", "lte RSRP RSRQ (+CESQ raw values)", control_lte },
	{ "operator", "operator NAME", control_operator },
	{ "delay", "delay MS", control_delay },
	{ "fail", "fail PREFIX RESULT [COUNT]", control_fail },
	{ "nofail", "nofail", control_nofail },
	{ "capacity", "capacity SLOTS", control_capacity },
	{ "hang", "hang on|off", control_hang },
	{ "unplug", "unplug", control_unplug },
	{ "replug", "replug", control_replug },
	{ "reboot", "reboot", control_reboot },
	{ "pin", "pin CODE|none", control_pin },
	{ "puk", "puk", control_puk },
	{ "ussd", "ussd TEXT", control_ussd },
	{ "spray", "spray [on|off]", control_spray },
	{ "commands", "commands", control_commands },
	{ "sent", "sent", control_sent },
	{ "storage", "storage", control_storage },
	{ "state", "state", control_state },
	{ "data", "data [drop [silent]]", at_data_control },
	{ "calls", "calls", at_calls_control_list },
	{ "dialmode", "dialmode ring|busy|noanswer [COUNT]",
	  at_calls_control_mode },
	{ "clear", "clear", control_clear },
	{ "help", "help", control_help },
	{ NULL, NULL, NULL }
};

static void
control_error(struct evbuffer *out, const char *why)
{
	struct json	j;

	json_begin(&j, out);
	json_bool(&j, "ok", 0);
	json_str(&j, "error", why);
	json_end(&j);
}

static void
control_request(struct sim *sim, char *line, struct evbuffer *out)
{
	const struct control_cmd	*c;
	struct evbuffer			*reply;
	struct json			 j;
	char				 err[256], *p = line, *name;

	sim_log_bytes(sim, "control: ", line, strlen(line) > 200 ? 200 :
	    strlen(line));
	if ((name = control_word(&p)) == NULL) {
		control_error(out, "empty request");
		return;
	}
	for (c = control_table; c->name != NULL; c++) {
		if (strcmp(c->name, name) == 0)
			break;
	}
	if (c->name == NULL) {
		snprintf(err, sizeof err, "unknown command: %.64s", name);
		control_error(out, err);
		return;
	}
	reply = evbuffer_new();
	json_begin(&j, reply);
	json_bool(&j, "ok", 1);
	err[0] = '\0';
	if (c->fn(sim, p, &j, err, sizeof err) != 0) {
		evbuffer_free(reply);
		control_error(out, err[0] != '\0' ? err : "failed");
		return;
	}
	json_end(&j);
	evbuffer_add_buffer(out, reply);
	evbuffer_free(reply);
}

static void
control_free(struct control_client *c)
{
	CG_LIST_REMOVE(c, entry);
	bufferevent_free(c->bev);
	c->sim->nclients--;
	free(c);
}

static void
control_drained_cb(struct bufferevent *bev, void *arg)
{
	control_free(arg);
}

static void
control_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		control_free(arg);
}

/* Reply with an error, then close once it is written. */
static void
control_fatal(struct control_client *c, const char *why)
{
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	control_error(bufferevent_get_output(c->bev), why);
	bufferevent_setcb(c->bev, NULL, control_drained_cb, control_event_cb,
	    c);
}

static void
control_read_cb(struct bufferevent *bev, void *arg)
{
	struct control_client	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct evbuffer_ptr	 eol;
	size_t			 eollen, len;
	char			*line;

	while (!c->closing) {
		eol = evbuffer_search_eol(in, NULL, &eollen, EVBUFFER_EOL_LF);
		if (eol.pos < 0) {
			if (evbuffer_get_length(in) > SIM_CTL_LINE_MAX)
				control_fatal(c, "request line too long");
			return;
		}
		len = (size_t)eol.pos;
		if (len > SIM_CTL_LINE_MAX) {
			control_fatal(c, "request line too long");
			return;
		}
		if ((line = malloc(len + 1)) == NULL) {
			control_fatal(c, "out of memory");
			return;
		}
		evbuffer_remove(in, line, len);
		evbuffer_drain(in, eollen);
		line[len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != len)
			control_error(bufferevent_get_output(bev),
			    "NUL byte in request");
		else
			control_request(c->sim, line,
			    bufferevent_get_output(bev));
		free(line);
	}
}

static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct sim		*sim = arg;
	struct control_client	*c;

	if (sim->nclients >= CONTROL_CLIENTS_MAX ||
	    (c = calloc(1, sizeof *c)) == NULL) {
		sim_log(sim, "control: connection refused");
		close(fd);
		return;
	}
	c->sim = sim;
	c->bev = bufferevent_socket_new(sim->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	sim->nclients++;
	CG_LIST_INSERT_HEAD(&control_clients, c, entry);
	bufferevent_setcb(c->bev, control_read_cb, NULL, control_event_cb, c);
	bufferevent_enable(c->bev, EV_READ);
}

int
control_open(struct sim *sim)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sim->control_path) >= sizeof sun.sun_path) {
		fprintf(stderr, "cellgate-modemsim: %s: path too long\n",
		    sim->control_path);
		return (-1);
	}
	memcpy(sun.sun_path, sim->control_path, strlen(sim->control_path));
	if (lstat(sim->control_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			fprintf(stderr, "cellgate-modemsim: %s exists and is "
			    "not a socket\n", sim->control_path);
			return (-1);
		}
		/* A live simulator answers: do not steal its socket. */
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0) {
			if (connect(fd, (struct sockaddr *)&sun,
			    sizeof sun) == 0) {
				close(fd);
				fprintf(stderr, "cellgate-modemsim: %s is in "
				    "use\n", sim->control_path);
				return (-1);
			}
			close(fd);
		}
		unlink(sim->control_path);
	}
	sim->listener = evconnlistener_new_bind(sim->base, control_accept_cb,
	    sim, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 16,
	    (struct sockaddr *)&sun, sizeof sun);
	if (sim->listener == NULL) {
		fprintf(stderr, "cellgate-modemsim: %s: %s\n",
		    sim->control_path, strerror(errno));
		return (-1);
	}
	return (0);
}

void
control_close(struct sim *sim)
{
	while (!CG_LIST_EMPTY(&control_clients))
		control_free(CG_LIST_FIRST(&control_clients));
	if (sim->listener != NULL) {
		evconnlistener_free(sim->listener);
		sim->listener = NULL;
		unlink(sim->control_path);
	}
}
