/*
 * modem.c: the modem module's front: the one context (struct modem),
 * the state enum's names and its ONE setter (logs old -> new, publishes
 * a "modem" event), the module's life cycle (init, reload, shutdown),
 * the status section, the identity getters, the public command and URC
 * interfaces of modem.h, and the routing of every unsolicited line
 * (subscribers, restart signs, registration and vendor lines).
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "at_cmdline.h"
#include "at_parse.h"
#include "cg_queue.h"
#include "conf.h"
#include "events.h"
#include "log.h"
#include "modem_int.h"
#include "settings.h"
#include "util.h"

struct modem mdm;
struct modem_set modem_set;

static const char *const modem_state_names[MODEM_STATE_MAX] = {
	"absent", "opening", "probing", "identifying", "sim", "registering",
	"ready", "recovering"
};

const char *
modem_state_name(enum modem_state s)
{
	if ((unsigned)s >= MODEM_STATE_MAX)
		return "?";
	return modem_state_names[s];
}

enum modem_state
modem_state(void)
{
	return mdm.state;
}

void
modem_publish(const char *what)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state",
	    json_object_new_string(modem_state_name(mdm.state)));
	json_object_object_add(o, "reason", json_object_new_string(mdm.reason));
	json_object_object_add(o, "registration",
	    json_object_new_string(modem_net_registration()));
	if (what != NULL)
		json_object_object_add(o, "change", json_object_new_string(what));
	events_publish("modem", o);
}

/* The only writer of mdm.state. */
void
modem_set_state(enum modem_state s, const char *fmt, ...)
{
	enum modem_state old = mdm.state;
	char why[sizeof mdm.reason];
	va_list ap;

	if ((unsigned)s >= MODEM_STATE_MAX)
		fatalx("modem_set_state: bad state %d", (int)s);
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (old == s && strcmp(why, mdm.reason) == 0)
		return;
	util_strlcpy(mdm.reason, why, sizeof mdm.reason);
	if (old == s) {
		log_debug("modem: %s (%s)", modem_state_name(s), why);
		modem_publish(NULL);
		return;
	}
	mdm.state = s;
	mdm.state_since = util_now_ms();
	if (s == MODEM_READY || s == MODEM_ABSENT || s == MODEM_RECOVERING ||
	    old == MODEM_READY)
		log_info("modem: %s -> %s (%s)", modem_state_name(old),
		    modem_state_name(s), why);
	else
		log_debug("modem: %s -> %s (%s)", modem_state_name(old),
		    modem_state_name(s), why);
	modem_publish("state");
}

int
modem_at_timeout(void)
{
	return (int)settings_int(modem_set.at_timeout);
}

void
modem_keep_printable(char *dst, size_t dstlen, const char *src)
{
	size_t j = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0; src[i] != '\0' && j + 1 < dstlen; i++)
		if (src[i] >= 0x20 && src[i] < 0x7f)
			dst[j++] = src[i];
	dst[j] = '\0';
}

/* ---- commands ---- */

int
modem_cmd_check(const char *cmd, char *err, size_t errlen)
{
	size_t n = strlen(cmd);

	if (n < 2 || !util_strncaseeq(cmd, "AT", 2)) {
		snprintf(err, errlen, "a modem command starts with AT");
		return -1;
	}
	if (n > MODEM_CMD_MAX) {
		snprintf(err, errlen, "command too long (at most %d bytes)",
		    MODEM_CMD_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)cmd[i] < 0x20 ||
		    (unsigned char)cmd[i] > 0x7e) {
			snprintf(err, errlen, "control or non-ASCII byte "
			    "0x%02x at offset %zu refused",
			    (unsigned char)cmd[i], i);
			return -1;
		}
	return 0;
}

/* The one list of commands whose arguments are secret (PIN, PUK,
 * facility passwords, the data call's credentials, also in the vendors'
 * commands), judged by name anywhere in a chained line; a line that
 * cannot be read as commands counts as secret (logged up to its first
 * '=' only). */
int
modem_cmd_is_secret(const char *cmd)
{
	/* from +CGAUTH on: the data call's credentials */
	static const char *const secret[] = { "+CPIN", "+CPWD", "+CLCK",
	    "+CGAUTH", "^NDISDUP", "+QICSGP", "+UAUTHREQ", NULL };
	struct at_cmdline cl;
	const char *err;

	if (at_cmdline_parse(cmd, strlen(cmd), &cl, &err) == -1)
		return 1;
	return at_cmdline_find(&cl, secret) != -1;
}

/* Reads and deletes of stored messages (and the storage they use) go
 * ahead of sends: storage drains even while slow sends wait. */
int
modem_cmd_is_storage(const char *cmd)
{
	static const char *const storage[] = { "+CMGR", "+CMGD", "+CMGL",
	    "+CPMS", NULL };
	struct at_cmdline cl;
	const char *err;

	if (at_cmdline_parse(cmd, strlen(cmd), &cl, &err) == -1)
		return 0;
	return at_cmdline_find(&cl, storage) != -1;
}

static int
modem_pdu_check(const char *pdu)
{
	size_t n = strlen(pdu);

	if (n == 0 || n > MODEM_PDU_MAX || n % 2 != 0)
		return -1;
	return strspn(pdu, "0123456789abcdefABCDEF") == n ? 0 : -1;
}

/* Internal sends (bring-up, polls): no validation needed. */
int
modem_send(const char *cmd, int timeout_ms, unsigned flags,
    modem_done_fn *done, void *arg)
{
	if (mdm.ch == NULL)
		return -1;
	return atchan_send(mdm.ch, cmd, NULL,
	    timeout_ms > 0 ? timeout_ms : modem_at_timeout(), flags, done, arg);
}

/*
 * Commands from other modules, each with its handle and owner, kept
 * until the engine is done with them: a timeout also starts the
 * recovery, even for a command whose owner cancelled it.
 */
struct modem_ext {
	CG_TAILQ_ENTRY(modem_ext)	 entry;
	modem_cmd		 id;
	uint64_t		 atid;		/* the engine's handle */
	const char		*owner;
	modem_done_fn		*done;		/* NULL once cancelled */
	void			*arg;
	unsigned		 gen;
};
static CG_TAILQ_HEAD(, modem_ext) modem_exts =
    CG_TAILQ_HEAD_INITIALIZER(modem_exts);
static modem_cmd modem_last_cmd;

static void
modem_ext_done(const struct modem_response *r, void *arg)
{
	struct modem_ext *x = arg;
	unsigned gen = x->gen;

	CG_TAILQ_REMOVE(&modem_exts, x, entry);
	if (x->done != NULL)
		x->done(r, x->arg);
	free(x);
	if (r->final == MODEM_TIMEOUT && gen == mdm.gen && mdm.running &&
	    mdm.port != NULL && mdm.state != MODEM_RECOVERING)
		modem_recover_fail(r->command);
}

modem_cmd
modem_submit_h(const char *owner, const char *cmd, const char *pdu,
    int timeout_ms, modem_done_fn *done, void *arg)
{
	struct modem_ext *x;
	char err[128];
	unsigned flags = 0;

	if (cmd == NULL || modem_cmd_check(cmd, err, sizeof err) == -1) {
		log_warnx("modem: command refused: %s", cmd ? err : "NULL");
		return 0;
	}
	if (pdu != NULL && modem_pdu_check(pdu) == -1) {
		log_warnx("modem: PDU refused (hex digits only, at most %d)",
		    MODEM_PDU_MAX);
		return 0;
	}
	if (mdm.ch == NULL || mdm.port == NULL)
		return 0;
	if (modem_cmd_is_secret(cmd))
		flags |= ATCHAN_SECRET;
	if (modem_cmd_is_storage(cmd))
		flags |= ATCHAN_STORAGE;
	if ((x = calloc(1, sizeof *x)) == NULL)
		return 0;
	x->id = ++modem_last_cmd;
	x->owner = owner;
	x->done = done;
	x->arg = arg;
	x->gen = mdm.gen;
	CG_TAILQ_INSERT_TAIL(&modem_exts, x, entry);
	x->atid = atchan_submit(mdm.ch, cmd, pdu, timeout_ms > 0 ? timeout_ms :
	    modem_at_timeout(), flags, modem_ext_done, x);
	if (x->atid == 0) {
		CG_TAILQ_REMOVE(&modem_exts, x, entry);
		free(x);
		return 0;
	}
	return x->id;
}

int
modem_cmd_on_prompt(modem_cmd id, modem_prompt_fn *fn, void *arg)
{
	struct modem_ext *x;

	CG_TAILQ_FOREACH(x, &modem_exts, entry)
		if (x->id == id && x->done != NULL)
			return atchan_set_prompt_hook(mdm.ch, x->atid, fn, arg);
	return -1;
}

int
modem_submit(const char *cmd, const char *pdu, int timeout_ms,
    modem_done_fn *done, void *arg)
{
	return modem_submit_h(NULL, cmd, pdu, timeout_ms, done, arg) != 0 ?
	    0 : -1;
}

/* Its callback never runs; unsent, it is not sent at all. */
static void
modem_ext_cancel(struct modem_ext *x)
{
	x->done = NULL;
	x->owner = NULL;
	if (atchan_unqueue(mdm.ch, x->atid) == 1) {
		CG_TAILQ_REMOVE(&modem_exts, x, entry);
		free(x);
	}
}

int
modem_cancel(modem_cmd id)
{
	struct modem_ext *x;

	if (id == 0)
		return -1;
	CG_TAILQ_FOREACH(x, &modem_exts, entry)
		if (x->id == id) {
			if (x->done == NULL && x->owner == NULL)
				return -1;	/* cancelled already */
			modem_ext_cancel(x);
			return 0;
		}
	return -1;
}

/* ---- subscriptions ---- */

int
modem_urc_subscribe(const char *prefix, modem_urc_fn *fn, void *arg)
{
	return modem_urc_subscribe_as(NULL, prefix, fn, arg);
}

int
modem_urc_subscribe_as(const char *owner, const char *prefix,
    modem_urc_fn *fn, void *arg)
{
	struct modem_urc_sub *s;

	if (mdm.nurcs >= MODEM_URC_SUBS || prefix == NULL || *prefix == '\0')
		return -1;
	s = &mdm.urcs[mdm.nurcs];
	if (util_strlcpy(s->prefix, prefix, sizeof s->prefix) >=
	    sizeof s->prefix)
		return -1;
	s->fn = fn;
	s->arg = arg;
	s->owner = owner;
	mdm.nurcs++;
	return 0;
}

void
modem_urc_unsubscribe(const char *prefix, modem_urc_fn *fn, void *arg)
{
	for (size_t i = 0; i < mdm.nurcs; i++)
		if (mdm.urcs[i].fn == fn && mdm.urcs[i].arg == arg &&
		    strcmp(mdm.urcs[i].prefix, prefix) == 0) {
			memmove(&mdm.urcs[i], &mdm.urcs[i + 1],
			    (mdm.nurcs - i - 1) * sizeof mdm.urcs[0]);
			mdm.nurcs--;
			return;
		}
}

int
modem_ready_subscribe(void (*fn)(void *), void *arg)
{
	return modem_ready_subscribe_as(NULL, fn, arg);
}

int
modem_ready_subscribe_as(const char *owner, void (*fn)(void *), void *arg)
{
	if (mdm.nreadies >= MODEM_READY_SUBS)
		return -1;
	mdm.readies[mdm.nreadies].fn = fn;
	mdm.readies[mdm.nreadies].arg = arg;
	mdm.readies[mdm.nreadies].owner = owner;
	mdm.nreadies++;
	return 0;
}

void
modem_unsubscribe_all(const char *owner)
{
	struct modem_ext *x, *next;
	size_t i;

	if (owner == NULL)
		return;
	for (i = 0; i < mdm.nurcs;)
		if (mdm.urcs[i].owner != NULL &&
		    strcmp(mdm.urcs[i].owner, owner) == 0) {
			memmove(&mdm.urcs[i], &mdm.urcs[i + 1],
			    (mdm.nurcs - i - 1) * sizeof mdm.urcs[0]);
			mdm.nurcs--;
		} else
			i++;
	for (i = 0; i < mdm.nreadies;)
		if (mdm.readies[i].owner != NULL &&
		    strcmp(mdm.readies[i].owner, owner) == 0) {
			memmove(&mdm.readies[i], &mdm.readies[i + 1],
			    (mdm.nreadies - i - 1) * sizeof mdm.readies[0]);
			mdm.nreadies--;
		} else
			i++;
	for (x = CG_TAILQ_FIRST(&modem_exts); x != NULL; x = next) {
		next = CG_TAILQ_NEXT(x, entry);
		if (x->owner != NULL && strcmp(x->owner, owner) == 0)
			modem_ext_cancel(x);
	}
}

void
modem_ready_unsubscribe(void (*fn)(void *), void *arg)
{
	for (size_t i = 0; i < mdm.nreadies; i++)
		if (mdm.readies[i].fn == fn && mdm.readies[i].arg == arg) {
			memmove(&mdm.readies[i], &mdm.readies[i + 1],
			    (mdm.nreadies - i - 1) * sizeof mdm.readies[0]);
			mdm.nreadies--;
			return;
		}
}

void
modem_run_ready_hooks(void)
{
	if (mdm.ready_done)
		return;
	mdm.ready_done = 1;
	for (size_t i = 0; i < mdm.nreadies; i++)
		mdm.readies[i].fn(mdm.readies[i].arg);
}

const char *
modem_identity(const char *what)
{
	const char *v = NULL;

	if (what == NULL)
		return NULL;
	if (strcmp(what, "iccid") == 0)
		v = mdm.iccid;
	else if (strcmp(what, "imei") == 0)
		v = mdm.imei;
	else if (strcmp(what, "imsi") == 0)
		v = mdm.imsi;
	else if (strcmp(what, "number") == 0)
		v = mdm.number;
	else if (strcmp(what, "manufacturer") == 0)
		v = mdm.manufacturer;
	else if (strcmp(what, "model") == 0)
		v = mdm.model;
	else if (strcmp(what, "revision") == 0)
		v = mdm.revision;
	else if (strcmp(what, "operator") == 0)
		v = mdm.oper;
	return v != NULL && *v != '\0' ? v : NULL;
}

static int
modem_registered_known(void)
{
	return mdm.state >= MODEM_REGISTERING && mdm.state != MODEM_RECOVERING;
}

int
modem_signal(void)
{
	return modem_registered_known() && mdm.csq >= 0 && mdm.csq <= 31 ?
	    mdm.csq : -1;
}

int
modem_pdp_auth_command(int cid, const char *apn, const char *user,
    const char *pass, int auth, char *out, size_t outlen)
{
	return quirk_pdp_auth_command(mdm.quirk, cid, apn, user, pass, auth,
	    out, outlen);
}

int
modem_signal_quality(void)
{
	return at_csq_quality(modem_signal());
}

int
modem_lte_signal(int *rsrp_dbm, int *rsrq_db10)
{
	if (!modem_registered_known() || !mdm.has_lte)
		return -1;
	*rsrp_dbm = mdm.rsrp;
	*rsrq_db10 = mdm.rsrq10;
	return 0;
}

const char *
modem_operator(void)
{
	return modem_registered_known() && mdm.oper[0] != '\0' ? mdm.oper :
	    NULL;
}

/* ---- the AT engine's callbacks ---- */

static int
modem_ch_write(const void *p, size_t n, void *arg)
{
	int r;

	if (mdm.port == NULL)
		return -1;
	if ((r = serial_write(mdm.port, p, n)) == 1)
		event_add(mdm.ev_write, NULL);
	return r == -1 ? -1 : 0;
}

static enum quirk_ev
modem_quirk_parse(const char *line, size_t len, struct quirk_event *ev)
{
	if (mdm.quirk != NULL) {
		if (mdm.quirk->parse == NULL)
			return QUIRK_EV_NOT_MINE;
		return mdm.quirk->parse(line, len, ev);
	}
	/* not identified yet: any vendor's boot lines count */
	return quirk_parse_any(line, len, ev);
}

static int
modem_sub_match(const char *line, size_t len)
{
	for (size_t i = 0; i < mdm.nurcs; i++)
		if (quirk_has_prefix(line, len, mdm.urcs[i].prefix))
			return 1;
	return 0;
}

static int
modem_ch_is_urc(const char *line, size_t len, void *arg)
{
	struct quirk_event ev;

	return modem_sub_match(line, len) ||
	    modem_quirk_parse(line, len, &ev) != QUIRK_EV_NOT_MINE;
}

static void
modem_ch_urc(int id, const char *line, const char *pdu, void *arg)
{
	struct quirk_event ev;
	enum quirk_ev t;
	char esc[160];
	size_t len = strlen(line);
	int taken = 0;

	for (size_t i = 0; i < mdm.nurcs; i++)
		if (quirk_has_prefix(line, len, mdm.urcs[i].prefix)) {
			mdm.urcs[i].fn(line, pdu, mdm.urcs[i].arg);
			taken = 1;
		}
	t = modem_quirk_parse(line, len, &ev);
	if (t == QUIRK_EV_BOOT) {
		util_escape(esc, sizeof esc, line, len);
		modem_seq_boot_sign(esc);
		return;
	}
	if (t == QUIRK_EV_SIGNAL || t == QUIRK_EV_TECH) {
		modem_net_apply_quirk_event(&ev);
		return;
	}
	if (t == QUIRK_EV_IGNORE)
		goto quiet;
	if (id != AT_URC_NONE && (at_urc_flags(id) & AT_URCF_BOOT)) {
		util_escape(esc, sizeof esc, line, len);
		modem_seq_boot_sign(esc);
		return;
	}
	if (modem_net_urc(id, line) || modem_time_urc(id, line))
		return;
	if (taken)
		return;
quiet:
	util_escape(esc, sizeof esc, line, len);
	log_debug("modem: URC %s", esc);
}

static void
modem_ch_echo_back(void *arg)
{
	modem_seq_boot_sign("echo is back on");
}

const struct atchan_ops modem_atchan_ops = {
	.write = modem_ch_write,
	.urc = modem_ch_urc,
	.is_urc = modem_ch_is_urc,
	.echo_back = modem_ch_echo_back,
};

/* ---- life cycle ---- */

static void
modem_take_conf(const struct conf *c)
{
	util_strlcpy(mdm.device, c->modem_device, sizeof mdm.device);
	mdm.baud = (int)c->modem_baud;
	util_strlcpy(mdm.pin, c->modem_pin, sizeof mdm.pin);
}

static void
modem_clear_identity(void)
{
	mdm.manufacturer[0] = mdm.model[0] = mdm.revision[0] = '\0';
	mdm.imei[0] = mdm.imsi[0] = mdm.iccid[0] = mdm.number[0] = '\0';
	mdm.sim[0] = '\0';
	mdm.quirk = NULL;
}

static void
modem_start(void)
{
	if (mdm.device[0] == '\0') {
		modem_set_state(MODEM_ABSENT, "no modem.device configured");
		return;
	}
	if (modem_port_open() == -1)
		modem_port_watch();
}

int
modem_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	size_t nurcs = mdm.nurcs, nreadies = mdm.nreadies;
	struct modem_urc_sub urcs[MODEM_URC_SUBS];
	struct modem_ready_sub readies[MODEM_READY_SUBS];

	/* subscriptions made before init (by modules started earlier)
	 * survive the reset of the context */
	memcpy(urcs, mdm.urcs, sizeof urcs);
	memcpy(readies, mdm.readies, sizeof readies);
	modem_set.at_timeout = settings_ref("modem.at_timeout", SETTING_INT);
	modem_set.signal_poll = settings_ref("modem.signal_poll", SETTING_INT);
	modem_set.usb_reset = settings_ref("modem.usb_reset", SETTING_BOOL);
	modem_set.power_cycle = settings_ref("modem.power_cycle_command",
	    SETTING_CUSTOM);
	modem_set.recovery_max = settings_ref("modem.recovery_max",
	    SETTING_INT);
	memset(&mdm, 0, sizeof mdm);
	memcpy(mdm.urcs, urcs, sizeof urcs);
	memcpy(mdm.readies, readies, sizeof readies);
	mdm.nurcs = nurcs;
	mdm.nreadies = nreadies;
	mdm.base = base;
	mdm.state = MODEM_ABSENT;
	mdm.watch_fd = -1;
	mdm.rung = RUNG_NONE;
	mdm.running = 1;
	modem_net_reset();
	modem_take_conf(c);
	if ((mdm.ch = atchan_new(base, &modem_atchan_ops, NULL)) == NULL) {
		snprintf(err, errlen, "cannot create the AT channel");
		return -1;
	}
	modem_start();
	return 0;
}

void
modem_reload(const struct conf *c)
{
	if (strcmp(c->modem_device, mdm.device) == 0 &&
	    (int)c->modem_baud == mdm.baud && strcmp(c->modem_pin, mdm.pin) == 0)
		return;
	log_info("modem: port settings changed: reopening");
	modem_seq_abort();
	modem_recover_stop();
	modem_port_unwatch();
	modem_port_close();
	modem_take_conf(c);
	modem_clear_identity();
	modem_start();
}

void
modem_shutdown(void)
{
	if (!mdm.running)
		return;
	mdm.running = 0;
	modem_seq_abort();
	modem_recover_stop();
	modem_net_poll_stop();
	modem_port_unwatch();
	modem_port_close();
	atchan_free(mdm.ch);
	mdm.ch = NULL;
	modem_seq_free();
	if (mdm.ev_poll != NULL)
		event_free(mdm.ev_poll);
	if (mdm.ev_recover != NULL)
		event_free(mdm.ev_recover);
	mdm.ev_poll = mdm.ev_recover = NULL;
}

/* ---- status ---- */

static struct json_object *
modem_jstr(const char *s)
{
	return s != NULL && *s != '\0' ? json_object_new_string(s) : NULL;
}

struct json_object *
modem_status(void)
{
	struct json_object *o = json_object_new_object();
	int registered_known = modem_registered_known();
	int rsrp, rsrq10;

	json_object_object_add(o, "state",
	    json_object_new_string(modem_state_name(mdm.state)));
	json_object_object_add(o, "reason", modem_jstr(mdm.reason));
	json_object_object_add(o, "since", json_object_new_int64((int64_t)
	    ((util_now_ms() - mdm.state_since) / 1000)));
	json_object_object_add(o, "device", modem_jstr(mdm.device));
	json_object_object_add(o, "port", mdm.port != NULL ?
	    json_object_new_string(serial_name(mdm.port)) : NULL);
	json_object_object_add(o, "manufacturer", modem_jstr(mdm.manufacturer));
	json_object_object_add(o, "model", modem_jstr(mdm.model));
	json_object_object_add(o, "revision", modem_jstr(mdm.revision));
	json_object_object_add(o, "imei", modem_jstr(mdm.imei));
	json_object_object_add(o, "imsi", modem_jstr(mdm.imsi));
	json_object_object_add(o, "iccid", modem_jstr(mdm.iccid));
	json_object_object_add(o, "own_number", modem_jstr(mdm.number));
	json_object_object_add(o, "sim", modem_jstr(mdm.sim));
	json_object_object_add(o, "quirk", mdm.quirk != NULL ?
	    json_object_new_string(mdm.quirk->name) : NULL);
	json_object_object_add(o, "operator", registered_known ?
	    modem_jstr(mdm.oper) : NULL);
	json_object_object_add(o, "registration", registered_known ?
	    json_object_new_string(modem_net_registration()) : NULL);
	json_object_object_add(o, "technology", registered_known ?
	    modem_jstr(modem_net_technology()) : NULL);
	json_object_object_add(o, "signal", mdm.csq >= 0 && mdm.csq <= 31 &&
	    registered_known ? json_object_new_int(mdm.csq) : NULL);
	json_object_object_add(o, "signal_dbm", mdm.dbm != 0 &&
	    registered_known ? json_object_new_int(mdm.dbm) : NULL);
	json_object_object_add(o, "signal_quality", modem_signal_quality() >=
	    0 ? json_object_new_int(modem_signal_quality()) : NULL);
	json_object_object_add(o, "rsrp", modem_lte_signal(&rsrp, &rsrq10) ==
	    0 ? json_object_new_int(rsrp) : NULL);
	json_object_object_add(o, "rsrq", modem_lte_signal(&rsrp, &rsrq10) ==
	    0 ? json_object_new_double(rsrq10 / 10.0) : NULL);
	modem_time_status(o);
	json_object_object_add(o, "recoveries",
	    json_object_new_int64((int64_t)mdm.recoveries));
	json_object_object_add(o, "recovery", mdm.rung != RUNG_NONE ?
	    json_object_new_string(modem_rung_name(mdm.rung)) : NULL);
	json_object_object_add(o, "last_recovery",
	    modem_jstr(mdm.recovery_why));
	json_object_object_add(o, "commands", json_object_new_int64(
	    mdm.ch != NULL ? (int64_t)atchan_sent_count(mdm.ch) : 0));
	json_object_object_add(o, "timeouts", json_object_new_int64(
	    mdm.ch != NULL ? (int64_t)atchan_timeout_count(mdm.ch) : 0));
	json_object_object_add(o, "queue", json_object_new_int64(
	    mdm.ch != NULL ? (int64_t)atchan_queued(mdm.ch) : 0));
	return o;
}
