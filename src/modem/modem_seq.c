/*
 * modem_seq.c: the bring-up of the modem as const step tables run by one
 * small sequencer (as ModemManager's { "+CGMI", 3, TRUE, processor }):
 * probe (AT with retries, ATE0, AT+CMEE=1, +CFUN? and the radio turned
 * on where it was left off) -> identify (+CGMI, +CGMM,
 * +CGMR, +CGSN; the quirk is chosen; vendor setup; ICCID) -> SIM
 * (+CPIN?, the configured PIN tried at most once per ICCID, remembered
 * in the store) -> subscriber (+CIMI, ICCID, else AT+CRSM's, +CNUM) ->
 * configure (+CREG/+CGREG/+CEREG=2, +COPS=3,0, +CMGF=0, +CNMI, +CLIP=1,
 * +CCWA=1, +CTZR=1, then the registration queries) -> REGISTERING, READY
 * when the network says so.
 * Also the modem's restart signs, which start it all again.  Every
 * callback carries the generation it was started in: answers from an
 * abandoned bring-up are ignored.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "at_parse.h"
#include "log.h"
#include "modem_int.h"
#include "store.h"
#include "util.h"

#define SEQ_OPT		0x01	/* a failure (ERROR) is not fatal */
#define SEQ_SECRET	0x02

#define SEQ_NEXT	0
#define SEQ_STOP	1	/* the step's handler took over */
#define SEQ_FAIL	(-1)

#define SEQ_SIM_RETRY_MS	1000	/* SIM busy / not ready */
#define SEQ_SIM_BUSY_MAX	20
#define SEQ_SIM_RECHECK_MS	30000	/* locked, missing: look again */
#define SEQ_PIN_TIMEOUT_MS	20000
#define SEQ_BOOT_QUIET_MS	500	/* restart signs come in bursts */
#define SEQ_RADIO_ON_MS		15000	/* AT+CFUN=1 can take seconds */
#define SEQ_OWN_SIGN_MS		10000	/* our own PIN entry's, radio's signs */

struct seq_step {
	const char	*cmd;		/* or NULL: build() */
	int		(*build)(char *, size_t);	/* 1: skip the step */
	int		 timeout_ms;	/* 0: modem.at_timeout */
	int		 tries;		/* on timeout; 0 means 2 */
	unsigned	 flags;
	int		(*done)(const struct modem_response *);
};

struct seq {
	const char		*name;
	const struct seq_step	*steps;
	size_t			 nsteps;
	void			(*finish)(void);
};

static const struct seq	*seq_cur;
static size_t		 seq_idx;
static int		 seq_try;
static int		 seq_sim_busy;
static void		(*seq_later_fn)(void);
static char		 seq_boot_what[96];
static uint64_t		 seq_own_ms;	/* our PIN entry or radio on */
static int		 seq_radio_off = -1;	/* the +CFUN? found, if off */

static void seq_run(const struct seq *);
static void seq_step(void);
static void seq_sim(void);

/* ---- helpers ---- */

static void
seq_later_cb(evutil_socket_t fd, short what, void *arg)
{
	void (*fn)(void) = seq_later_fn;

	seq_later_fn = NULL;
	if (fn != NULL)
		fn();
}

static void
seq_later(int ms, void (*fn)(void))
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (mdm.ev_step == NULL)
		mdm.ev_step = evtimer_new(mdm.base, seq_later_cb, NULL);
	seq_later_fn = fn;
	evtimer_add(mdm.ev_step, &tv);
}

static const char *
seq_first_line(const struct modem_response *r)
{
	return r->nlines > 0 ? r->lines[0] : "";
}

static void
seq_info(const struct modem_response *r, char *dst, size_t dstlen)
{
	char v[AT_INFO_MAX];
	const char *l;

	if (r->final != MODEM_OK || r->nlines == 0)
		return;
	l = seq_first_line(r);
	if (at_parse_info(l, strlen(l), v, sizeof v, NULL) == 0)
		modem_keep_printable(dst, dstlen, v);
}

/* ---- the sequencer ---- */

static void
seq_cb(const struct modem_response *r, void *arg)
{
	unsigned gen = (unsigned)(uintptr_t)arg;
	const struct seq_step *st;
	int rc, tries;

	if (gen != mdm.gen || seq_cur == NULL || r->final == MODEM_GONE)
		return;
	st = &seq_cur->steps[seq_idx];
	if (r->final == MODEM_TIMEOUT) {
		tries = st->tries > 0 ? st->tries : 2;
		if (++seq_try < tries) {
			seq_step();
			return;
		}
		modem_recover_fail(r->command);
		return;
	}
	if (st->done != NULL)
		rc = st->done(r);
	else
		rc = r->final == MODEM_OK || (st->flags & SEQ_OPT) ?
		    SEQ_NEXT : SEQ_FAIL;
	if (rc == SEQ_STOP)
		return;
	if (rc == SEQ_FAIL) {
		char why[160];

		snprintf(why, sizeof why, "%s: %s", r->command,
		    modem_final_name(r->final));
		modem_recover_fail(why);
		return;
	}
	seq_idx++;
	seq_try = 0;
	seq_step();
}

static void
seq_step(void)
{
	const struct seq_step *st;
	char cmd[MODEM_CMD_MAX + 1];
	unsigned flags;

	while (seq_idx < seq_cur->nsteps) {
		st = &seq_cur->steps[seq_idx];
		if (st->cmd != NULL)
			util_strlcpy(cmd, st->cmd, sizeof cmd);
		else if (st->build(cmd, sizeof cmd) != 0) {
			seq_idx++;
			continue;
		}
		flags = (st->flags & SEQ_SECRET) ? ATCHAN_SECRET : 0;
		if (st->flags & SEQ_OPT)
			flags |= ATCHAN_QUIET;
		if (modem_send(cmd, st->timeout_ms, flags, seq_cb,
		    (void *)(uintptr_t)mdm.gen) == -1)
			modem_recover_fail("cannot queue a command");
		return;
	}
	if (seq_cur->finish != NULL) {
		const struct seq *s = seq_cur;

		seq_cur = NULL;
		s->finish();
	}
}

static void
seq_run(const struct seq *s)
{
	seq_cur = s;
	seq_idx = 0;
	seq_try = 0;
	seq_step();
}

/* ---- configure: registration reports, SMS and caller id ---- */

static int
seq_build_cereg(char *out, size_t len)
{
	if (mdm.quirk != NULL && mdm.quirk->no_cereg)
		return 1;
	util_strlcpy(out, "AT+CEREG=2", len);
	return 0;
}

static int
seq_build_cereg_q(char *out, size_t len)
{
	if (mdm.quirk != NULL && mdm.quirk->no_cereg)
		return 1;
	util_strlcpy(out, "AT+CEREG?", len);
	return 0;
}

static int
seq_build_cnmi(char *out, size_t len)
{
	util_strlcpy(out, mdm.quirk != NULL ? mdm.quirk->cnmi :
	    quirk_generic.cnmi, len);
	return 0;
}

static int
seq_cmgf(const struct modem_response *r)
{
	if (r->final != MODEM_OK)
		log_warnx("modem: AT+CMGF=0 (SMS PDU mode) refused: SMS will "
		    "not work");
	return SEQ_NEXT;
}

static int
seq_reg_answer(const struct modem_response *r)
{
	if (r->final == MODEM_OK)
		(void)modem_net_parse_reg_answer(r);
	return SEQ_NEXT;
}

static void
seq_configured(void)
{
	modem_set_state(MODEM_REGISTERING, "waiting for the network (%s)",
	    modem_net_registration());
	modem_recover_done();
	modem_net_check_state();
	modem_net_poll_schedule();
}

static const struct seq_step seq_configure_steps[] = {
	{ "AT+CREG=2", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CGREG=2", NULL, 0, 0, SEQ_OPT, NULL },
	{ NULL, seq_build_cereg, 0, 0, SEQ_OPT, NULL },
	{ "AT+COPS=3,0", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CMGF=0", NULL, 0, 0, SEQ_OPT, seq_cmgf },
	{ NULL, seq_build_cnmi, 0, 0, SEQ_OPT, NULL },
	{ "AT+CLIP=1", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CCWA=1", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CTZR=1", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CREG?", NULL, 0, 0, SEQ_OPT, seq_reg_answer },
	{ "AT+CGREG?", NULL, 0, 0, SEQ_OPT, seq_reg_answer },
	{ NULL, seq_build_cereg_q, 0, 0, SEQ_OPT, seq_reg_answer },
};
static const struct seq seq_configure = { "configure", seq_configure_steps,
    nitems(seq_configure_steps), seq_configured };

/* ---- subscriber: IMSI, ICCID, own number ---- */

static int
seq_build_iccid(char *out, size_t len)
{
	if (mdm.iccid[0] != '\0')
		return 1;
	util_strlcpy(out, mdm.quirk != NULL ? mdm.quirk->iccid_cmd :
	    quirk_generic.iccid_cmd, len);
	return 0;
}

static int
seq_build_iccid_early(char *out, size_t len)
{
	if (mdm.quirk != NULL && mdm.quirk->iccid_needs_sim)
		return 1;
	return seq_build_iccid(out, len);
}

static int
seq_iccid(const struct modem_response *r)
{
	char v[AT_IDENT_LEN_MAX + 1];

	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_ident(r->lines[i], strlen(r->lines[i]),
		    AT_IDENT_ICCID, v, sizeof v, NULL) == 0) {
			util_strlcpy(mdm.iccid, v, sizeof mdm.iccid);
			break;
		}
	return SEQ_NEXT;
}

/* The vendor's command gave none: the SIM's EF_ICCID itself, read by
 * AT+CRSM (BCD digit order, un-swapped by the parser). */
static int
seq_build_crsm_iccid(char *out, size_t len)
{
	if (mdm.iccid[0] != '\0')
		return 1;
	util_strlcpy(out, "AT+CRSM=176,12258,0,0,10", len);
	return 0;
}

static int
seq_crsm_iccid(const struct modem_response *r)
{
	char v[AT_IDENT_LEN_MAX + 1];

	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_crsm_iccid(r->lines[i], strlen(r->lines[i]), v,
		    sizeof v, NULL) == 0) {
			util_strlcpy(mdm.iccid, v, sizeof mdm.iccid);
			break;
		}
	return SEQ_NEXT;
}

static int
seq_imsi(const struct modem_response *r)
{
	char v[AT_IDENT_LEN_MAX + 1];

	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_ident(r->lines[i], strlen(r->lines[i]),
		    AT_IDENT_IMSI, v, sizeof v, NULL) == 0) {
			util_strlcpy(mdm.imsi, v, sizeof mdm.imsi);
			break;
		}
	return SEQ_NEXT;
}

static int
seq_cnum(const struct modem_response *r)
{
	struct at_cnum c;

	mdm.number[0] = '\0';
	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_cnum(r->lines[i], strlen(r->lines[i]), &c,
		    NULL) == 0 && c.number[0] != '\0') {
			modem_keep_printable(mdm.number, sizeof mdm.number,
			    c.number);
			break;
		}
	return SEQ_NEXT;
}

static void
seq_subscriber_done(void)
{
	log_info("modem: SIM ready: IMSI %s, ICCID %s, number %s",
	    mdm.imsi[0] ? mdm.imsi : "?", mdm.iccid[0] ? mdm.iccid : "?",
	    mdm.number[0] ? mdm.number : "unknown");
	seq_run(&seq_configure);
}

static const struct seq_step seq_subscriber_steps[] = {
	{ "AT+CIMI", NULL, 0, 0, SEQ_OPT, seq_imsi },
	{ NULL, seq_build_iccid, 0, 0, SEQ_OPT, seq_iccid },
	{ NULL, seq_build_crsm_iccid, 0, 0, SEQ_OPT, seq_crsm_iccid },
	{ "AT+CNUM", NULL, 0, 0, SEQ_OPT, seq_cnum },
};
static const struct seq seq_subscriber = { "subscriber",
    seq_subscriber_steps, nitems(seq_subscriber_steps),
    seq_subscriber_done };

/* ---- SIM ---- */

static void
seq_pin_key(char *key, size_t len)
{
	if (mdm.iccid[0] != '\0')
		snprintf(key, len, "pin_tried:%s", mdm.iccid);
	else	/* ICCID unreadable while locked: the modem stands for it */
		snprintf(key, len, "pin_tried:imei:%s", mdm.imei);
}

static void
seq_sim_problem(const char *text, int recheck_ms)
{
	if (strcmp(mdm.sim, text) != 0) {
		util_strlcpy(mdm.sim, text, sizeof mdm.sim);
		log_error("modem: SIM: %s", text);
	}
	modem_set_state(MODEM_SIM, "SIM: %s", text);
	modem_recover_done();
	if (recheck_ms > 0)
		seq_later(recheck_ms, seq_sim);
}

static void
seq_pin_cb(const struct modem_response *r, void *arg)
{
	unsigned gen = (unsigned)(uintptr_t)arg;
	char key[80];

	if (gen != mdm.gen || r->final == MODEM_GONE)
		return;
	seq_pin_key(key, sizeof key);
	if (r->final == MODEM_OK) {
		(void)store_meta_put(key, "ok");
		log_info("modem: SIM PIN accepted");
		util_strlcpy(mdm.sim, "PIN accepted", sizeof mdm.sim);
		seq_own_ms = util_now_ms();
		seq_later(SEQ_SIM_RETRY_MS, seq_sim);
		return;
	}
	if (r->final == MODEM_TIMEOUT) {
		/* outcome unknown: the "trying" mark stays, no second try */
		seq_sim_problem("PIN entry got no answer; not retried",
		    SEQ_SIM_RECHECK_MS);
		return;
	}
	(void)store_meta_put(key, "failed");
	log_error("modem: SIM PIN refused (%s); it will not be tried again "
	    "for this SIM", modem_final_name(r->final));
	util_strlcpy(mdm.sim, "", sizeof mdm.sim);
	/* ask again: the SIM may now want its PUK */
	seq_later(SEQ_SIM_RETRY_MS, seq_sim);
}

static void
seq_pin(void)
{
	char key[80], mark[32], cmd[40];

	seq_pin_key(key, sizeof key);
	if (mdm.pin[0] == '\0') {
		seq_sim_problem("PIN required, and no modem.pin configured",
		    SEQ_SIM_RECHECK_MS);
		return;
	}
	if (store_meta_get(key, mark, sizeof mark) == 0 &&
	    strcmp(mark, "ok") != 0) {
		seq_sim_problem(strcmp(mark, "failed") == 0 ?
		    "PIN required; the configured PIN was refused before and "
		    "is not retried" : "PIN required; an earlier PIN entry had "
		    "no answer and is not retried", SEQ_SIM_RECHECK_MS);
		return;
	}
	/* remember the attempt before making it: a crash in between must
	 * not lead to a second try */
	if (store_meta_put(key, "trying") == -1) {
		seq_sim_problem("PIN required; cannot record the attempt in "
		    "the database, so not trying", SEQ_SIM_RECHECK_MS);
		return;
	}
	util_strlcpy(mdm.sim, "entering PIN", sizeof mdm.sim);
	snprintf(cmd, sizeof cmd, "AT+CPIN=\"%s\"", mdm.pin);
	if (modem_send(cmd, SEQ_PIN_TIMEOUT_MS, ATCHAN_SECRET, seq_pin_cb,
	    (void *)(uintptr_t)mdm.gen) == -1)
		modem_recover_fail("cannot queue the PIN");
	explicit_bzero(cmd, sizeof cmd);
}

static int
seq_cpin(const struct modem_response *r)
{
	enum at_cpin c = AT_CPIN_MAX;
	const char *l;

	if (r->final == MODEM_CME_ERROR) {
		switch (r->code) {
		case AT_CME_SIM_NOT_INSERTED:
			mdm.imsi[0] = mdm.iccid[0] = mdm.number[0] = '\0';
			seq_sim_problem("not inserted", SEQ_SIM_RECHECK_MS);
			return SEQ_STOP;
		case AT_CME_SIM_PIN_REQUIRED:
			c = AT_CPIN_SIM_PIN;
			break;
		case AT_CME_SIM_PUK_REQUIRED:
			c = AT_CPIN_SIM_PUK;
			break;
		case AT_CME_SIM_BUSY:
			c = AT_CPIN_NOT_READY;
			break;
		case AT_CME_SIM_FAILURE:
		case AT_CME_SIM_WRONG:
			seq_sim_problem("SIM failure", SEQ_SIM_RECHECK_MS);
			return SEQ_STOP;
		default:
			break;
		}
	} else if (r->final == MODEM_OK && r->nlines > 0) {
		l = seq_first_line(r);
		if (at_parse_cpin(l, strlen(l), &c, NULL) != 0)
			c = AT_CPIN_MAX;
	}
	switch (c) {
	case AT_CPIN_READY:
		seq_sim_busy = 0;
		util_strlcpy(mdm.sim, "ready", sizeof mdm.sim);
		seq_run(&seq_subscriber);
		return SEQ_STOP;
	case AT_CPIN_SIM_PIN:
		seq_pin();
		return SEQ_STOP;
	case AT_CPIN_SIM_PUK:
		seq_sim_problem("PUK required: the SIM is blocked; unblock it "
		    "with its PUK (cellgatectl modem at 'AT+CPIN=\"PUK\","
		    "\"NEWPIN\"')", SEQ_SIM_RECHECK_MS);
		return SEQ_STOP;
	case AT_CPIN_NOT_READY:
		if (++seq_sim_busy < SEQ_SIM_BUSY_MAX) {
			seq_later(SEQ_SIM_RETRY_MS, seq_sim);
			return SEQ_STOP;
		}
		seq_sim_problem("not ready", SEQ_SIM_RECHECK_MS);
		return SEQ_STOP;
	case AT_CPIN_NOT_INSERTED:
		seq_sim_problem("not inserted", SEQ_SIM_RECHECK_MS);
		return SEQ_STOP;
	case AT_CPIN_MAX:
		seq_sim_problem("no usable answer to AT+CPIN?",
		    SEQ_SIM_RECHECK_MS);
		return SEQ_STOP;
	default:
		{
			char t[64];

			snprintf(t, sizeof t, "%s required (not handled)",
			    at_cpin_name(c));
			seq_sim_problem(t, SEQ_SIM_RECHECK_MS);
		}
		return SEQ_STOP;
	}
}

static const struct seq_step seq_sim_steps[] = {
	{ "AT+CPIN?", NULL, 0, 0, SEQ_OPT, seq_cpin },
};
static const struct seq seq_sim_seq = { "sim", seq_sim_steps,
    nitems(seq_sim_steps), NULL };

static void
seq_sim(void)
{
	if (mdm.port == NULL)
		return;
	if (mdm.state != MODEM_SIM)
		modem_set_state(MODEM_SIM, "checking the SIM");
	seq_run(&seq_sim_seq);
}

/* ---- identify ---- */

static int
seq_cgmi(const struct modem_response *r)
{
	seq_info(r, mdm.manufacturer, sizeof mdm.manufacturer);
	return SEQ_NEXT;
}

static int
seq_cgmm(const struct modem_response *r)
{
	const struct quirk *q;

	seq_info(r, mdm.model, sizeof mdm.model);
	q = quirk_select(mdm.manufacturer, mdm.model);
	if (q != mdm.quirk)
		log_info("modem: %s %s: using the %s quirks", mdm.manufacturer,
		    mdm.model, q->name);
	mdm.quirk = q;
	return SEQ_NEXT;
}

static int
seq_cgmr(const struct modem_response *r)
{
	seq_info(r, mdm.revision, sizeof mdm.revision);
	return SEQ_NEXT;
}

static int
seq_cgsn(const struct modem_response *r)
{
	char v[AT_IDENT_LEN_MAX + 1];

	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_ident(r->lines[i], strlen(r->lines[i]),
		    AT_IDENT_IMEI, v, sizeof v, NULL) == 0) {
			util_strlcpy(mdm.imei, v, sizeof mdm.imei);
			break;
		}
	return SEQ_NEXT;
}

#define SEQ_SETUP(n)							\
static int								\
seq_build_setup##n(char *out, size_t len)				\
{									\
	const char *const *s = mdm.quirk->setup;			\
									\
	for (int i = 0; i < (n); i++)					\
		if (s[i] == NULL)					\
			return 1;					\
	if (s[(n)] == NULL)						\
		return 1;						\
	util_strlcpy(out, s[(n)], len);					\
	return 0;							\
}
SEQ_SETUP(0)
SEQ_SETUP(1)
SEQ_SETUP(2)
SEQ_SETUP(3)

static void
seq_identified(void)
{
	log_info("modem: %s %s rev %s, IMEI %s",
	    mdm.manufacturer[0] ? mdm.manufacturer : "?",
	    mdm.model[0] ? mdm.model : "?",
	    mdm.revision[0] ? mdm.revision : "?",
	    mdm.imei[0] ? mdm.imei : "?");
	seq_sim_busy = 0;
	seq_sim();
}

static const struct seq_step seq_identify_steps[] = {
	{ "AT+CGMI", NULL, 0, 0, SEQ_OPT, seq_cgmi },
	{ "AT+CGMM", NULL, 0, 0, SEQ_OPT, seq_cgmm },
	{ "AT+CGMR", NULL, 0, 0, SEQ_OPT, seq_cgmr },
	{ "AT+CGSN", NULL, 0, 0, SEQ_OPT, seq_cgsn },
	{ NULL, seq_build_setup0, 0, 0, SEQ_OPT, NULL },
	{ NULL, seq_build_setup1, 0, 0, SEQ_OPT, NULL },
	{ NULL, seq_build_setup2, 0, 0, SEQ_OPT, NULL },
	{ NULL, seq_build_setup3, 0, 0, SEQ_OPT, NULL },
	{ NULL, seq_build_iccid_early, 0, 0, SEQ_OPT, seq_iccid },
};
static const struct seq seq_identify = { "identify", seq_identify_steps,
    nitems(seq_identify_steps), seq_identified };

/* ---- probe ---- */

static void
seq_probed(void)
{
	modem_set_state(MODEM_IDENTIFYING, "modem answers");
	seq_run(&seq_identify);
}

/*
 * A modem keeps its functionality level while powered: one that a program
 * disabled (ModemManager leaves AT+CFUN=4 behind), or whose radio cycle
 * was cut short (a daemon killed between the recovery ladder's AT+CFUN=0
 * and its AT+CFUN=1), answers everything but never registers.  The
 * levels 27.007 defines as radio off (0 minimum, 4 flight mode) and
 * u-blox's 19 (minimum, SIM off) are turned back to 1 before the SIM is
 * asked; vendors' other levels (Telit's power-saving 5, 7, 9 keep the
 * radio) are left alone, and so is a modem that refuses AT+CFUN?.
 */
static int
seq_cfun(const struct modem_response *r)
{
	int fun;

	seq_radio_off = -1;
	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++)
		if (at_parse_cfun(r->lines[i], strlen(r->lines[i]), &fun,
		    NULL) == 0) {
			if (fun == 0 || fun == 4 || fun == 19) {
				seq_radio_off = fun;
				log_warnx("modem: the radio is off (+CFUN: %d), "
				    "as another program or an interrupted "
				    "radio cycle leaves it: turning it on",
				    fun);
			}
			break;
		}
	return SEQ_NEXT;
}

static int
seq_build_radio_on(char *out, size_t len)
{
	if (seq_radio_off < 0)
		return 1;
	util_strlcpy(out, "AT+CFUN=1", len);
	return 0;
}

static int
seq_radio_on(const struct modem_response *r)
{
	if (r->final == MODEM_OK) {
		log_info("modem: radio on");
		seq_own_ms = util_now_ms();
	} else
		log_warnx("modem: AT+CFUN=1 refused (%s): the radio stays off "
		    "(+CFUN: %d) and the modem cannot register",
		    modem_final_name(r->final), seq_radio_off);
	seq_radio_off = -1;
	return SEQ_NEXT;
}

static const struct seq_step seq_probe_steps[] = {
	{ "AT", NULL, 1000, 5, 0, NULL },
	{ "ATE0", NULL, 0, 0, 0, NULL },
	{ "AT+CMEE=1", NULL, 0, 0, SEQ_OPT, NULL },
	{ "AT+CFUN?", NULL, 0, 0, SEQ_OPT, seq_cfun },
	{ NULL, seq_build_radio_on, SEQ_RADIO_ON_MS, 1, SEQ_OPT,
	    seq_radio_on },
};
static const struct seq seq_probe = { "probe", seq_probe_steps,
    nitems(seq_probe_steps), seq_probed };

/* The probe waits this long after the ESC that leaves a "> " prompt a
 * previous run may have left open.  What the modem says to that ESC (OK,
 * or an error) or to a command written by a killed predecessor then
 * arrives with nothing in flight and is dropped as a stray result.
 * Probed at once, such an answer was taken for the probe's, and every
 * answer of the bring-up for the command before it: identity garbled,
 * the SIM check failed, the modem not ready for half a minute. */
#define SEQ_ESC_SETTLE_MS	200

static void
seq_probe_start(void)
{
	seq_run(&seq_probe);
}

void
modem_seq_begin(const char *why)
{
	modem_seq_abort();
	if (mdm.port == NULL || mdm.ch == NULL)
		return;
	mdm.ready_done = 0;
	modem_net_reset();
	modem_net_poll_stop();
	atchan_flush(mdm.ch, MODEM_GONE);
	modem_set_state(MODEM_PROBING, "%s", why);
	/* ESC: leave a "> " prompt a previous run may have left open */
	(void)serial_write(mdm.port, "\x1b", 1);
	seq_later(SEQ_ESC_SETTLE_MS, seq_probe_start);
}

void
modem_seq_abort(void)
{
	mdm.gen++;
	seq_cur = NULL;
	seq_later_fn = NULL;
	if (mdm.ev_step != NULL)
		evtimer_del(mdm.ev_step);
	if (mdm.ev_boot != NULL)
		evtimer_del(mdm.ev_boot);
}

void
modem_seq_free(void)
{
	if (mdm.ev_step != NULL)
		event_free(mdm.ev_step);
	if (mdm.ev_boot != NULL)
		event_free(mdm.ev_boot);
	mdm.ev_step = mdm.ev_boot = NULL;
	seq_cur = NULL;
}

/* ---- restart signs ---- */

static void
seq_boot_cb(evutil_socket_t fd, short what, void *arg)
{
	log_info("modem: the modem restarted (%s): initialising again",
	    seq_boot_what);
	modem_seq_begin("modem restarted");
}

void
modem_seq_boot_sign(const char *what)
{
	struct timeval tv = { 0, SEQ_BOOT_QUIET_MS * 1000 };
	int weak = strncmp(what, "+CPIN:", 6) == 0 ||
	    strncmp(what, "+CFUN:", 6) == 0;
	int fun;

	if (mdm.port == NULL)
		return;
	if (weak) {
		/* our own PIN entry or radio cycle, or still starting */
		if (mdm.state != MODEM_REGISTERING && mdm.state != MODEM_READY)
			goto ignore;
		/* the SIM and the radio coming up after our PIN entry or
		 * our AT+CFUN=1 say so late on some modems */
		if ((strcmp(what, "+CPIN: READY") == 0 ||
		    (at_parse_cfun(what, strlen(what), &fun, NULL) == 0 &&
		    fun == 1)) && seq_own_ms != 0 &&
		    util_now_ms() - seq_own_ms < SEQ_OWN_SIGN_MS)
			goto ignore;
	} else if (mdm.state == MODEM_OPENING || mdm.state == MODEM_PROBING)
		goto ignore;
	if (mdm.ev_boot == NULL)
		mdm.ev_boot = evtimer_new(mdm.base, seq_boot_cb, NULL);
	/* name the first sign of a burst */
	if (!evtimer_pending(mdm.ev_boot, NULL))
		util_strlcpy(seq_boot_what, what, sizeof seq_boot_what);
	evtimer_add(mdm.ev_boot, &tv);
	return;
ignore:
	log_debug("modem: %s (expected here)", what);
}
