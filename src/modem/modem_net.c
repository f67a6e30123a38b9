/*
 * modem_net.c: the network side of the modem: registration from the
 * +CREG/+CGREG/+CEREG answers and URCs (home, roaming, searching,
 * denied), the REGISTERING <-> READY moves they cause, the operator
 * (+COPS?), the access technology, and signal quality: from a vendor
 * URC where the quirk has one (Huawei ^RSSI/^HCSQ), else a slow +CSQ
 * poll every modem.signal_poll seconds (0: off), which doubles as the
 * liveness check of an idle modem; LTE RSRP/RSRQ from +CESQ with the
 * same poll, where the modem answers it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "at_parse.h"
#include "log.h"
#include "modem_int.h"
#include "settings.h"
#include "util.h"

void
modem_net_reset(void)
{
	for (int i = 0; i < AT_REG_CMD_MAX; i++)
		mdm.reg[i] = -1;
	mdm.act = -1;
	mdm.csq = 99;
	mdm.dbm = 0;
	mdm.cesq = 0;
	mdm.has_lte = 0;
	mdm.tech[0] = '\0';
	modem_time_reset();
}

static int
modem_net_best(void)
{
	/* the most useful of the three reports wins */
	static const int rank[] = { 1, 5, 4, 2, 3, 0 };	/* by stat */
	int best = -1, r = -1;

	for (int i = 0; i < AT_REG_CMD_MAX; i++) {
		int s = mdm.reg[i];

		if (s < 0 || s > 5)
			continue;
		if (rank[s] > r) {
			r = rank[s];
			best = s;
		}
	}
	return best;
}

int
modem_net_registered(void)
{
	int s = modem_net_best();

	return s == AT_REG_HOME || s == AT_REG_ROAMING;
}

const char *
modem_net_registration(void)
{
	switch (modem_net_best()) {
	case AT_REG_NOT_SEARCHING:
		return "not registered";
	case AT_REG_HOME:
		return "home";
	case AT_REG_SEARCHING:
		return "searching";
	case AT_REG_DENIED:
		return "denied";
	case AT_REG_ROAMING:
		return "roaming";
	default:
		return "unknown";
	}
}

/* 27.007 7.3 <AcT> */
const char *
modem_net_technology(void)
{
	static const char *const names[] = { "GSM", "GSM compact", "UMTS",
	    "EDGE", "HSDPA", "HSUPA", "HSPA", "LTE", "EC-GSM-IoT", "LTE-M",
	    "LTE (5GCN)", "NR", "NR (NG-RAN)", "EN-DC" };

	if (mdm.act >= 0 && (size_t)mdm.act < nitems(names))
		return names[mdm.act];
	if (mdm.tech[0] != '\0')
		return mdm.tech;
	if (mdm.quirk != NULL && mdm.quirk->no_cereg &&
	    modem_net_registered())
		return "GSM";
	return NULL;
}

static void
modem_net_cops_cb(const struct modem_response *r, void *arg)
{
	struct at_cops c;
	const char *l;

	if ((unsigned)(uintptr_t)arg != mdm.gen || r->final != MODEM_OK)
		return;
	for (size_t i = 0; i < r->nlines; i++) {
		l = r->lines[i];
		if (at_parse_cops(l, strlen(l), &c, NULL) == 0) {
			char old[sizeof mdm.oper];

			util_strlcpy(old, mdm.oper, sizeof old);
			modem_keep_printable(mdm.oper, sizeof mdm.oper, c.oper);
			if (c.act >= 0 && mdm.act < 0)
				mdm.act = c.act;
			if (strcmp(old, mdm.oper) != 0)
				log_info("modem: operator \"%s\"", mdm.oper);
			return;
		}
	}
}

static void
modem_net_csq_cb(const struct modem_response *r, void *arg)
{
	struct at_csq q;
	const char *l;
	int dbm;

	if ((unsigned)(uintptr_t)arg != mdm.gen || r->final == MODEM_GONE)
		return;
	if (r->final == MODEM_TIMEOUT) {
		modem_recover_fail("no answer to the signal poll");
		return;
	}
	for (size_t i = 0; r->final == MODEM_OK && i < r->nlines; i++) {
		l = r->lines[i];
		if (at_parse_csq(l, strlen(l), &q, NULL) == 0) {
			mdm.csq = q.rssi <= 31 ? q.rssi : 99;
			mdm.dbm = at_csq_rssi_dbm(q.rssi, &dbm) == 0 ? dbm : 0;
			return;
		}
	}
}

/* +CESQ: RSRP and RSRQ while on LTE (255 elsewhere: not known).  A
 * modem that refuses the command is not asked again until re-init. */
static void
modem_net_cesq_cb(const struct modem_response *r, void *arg)
{
	struct at_cesq c;
	const char *l;
	int rsrp, rsrq10;

	if ((unsigned)(uintptr_t)arg != mdm.gen || r->final == MODEM_GONE ||
	    r->final == MODEM_TIMEOUT)
		return;
	if (r->final != MODEM_OK) {
		mdm.cesq = -1;
		mdm.has_lte = 0;
		return;
	}
	for (size_t i = 0; i < r->nlines; i++) {
		l = r->lines[i];
		if (at_parse_cesq(l, strlen(l), &c, NULL) == 0) {
			mdm.cesq = 1;
			mdm.has_lte = at_cesq_rsrp_dbm(c.rsrp, &rsrp) == 0 &&
			    at_cesq_rsrq_db10(c.rsrq, &rsrq10) == 0;
			if (mdm.has_lte) {
				mdm.rsrp = rsrp;
				mdm.rsrq10 = rsrq10;
			}
			return;
		}
	}
}

static void
modem_net_ask_cesq(void)
{
	if (mdm.cesq >= 0 && (mdm.quirk == NULL || !mdm.quirk->no_cereg))
		(void)modem_send("AT+CESQ", 0, ATCHAN_QUIET,
		    modem_net_cesq_cb, (void *)(uintptr_t)mdm.gen);
}

void
modem_net_after_registration(void)
{
	void *g = (void *)(uintptr_t)mdm.gen;

	(void)modem_send("AT+COPS?", 0, ATCHAN_QUIET, modem_net_cops_cb, g);
	if (mdm.quirk == NULL || !mdm.quirk->signal_urc || mdm.csq == 99)
		(void)modem_send("AT+CSQ", 0, ATCHAN_QUIET, modem_net_csq_cb,
		    g);
	modem_net_ask_cesq();
	modem_time_ask();
}

void
modem_net_check_state(void)
{
	if (mdm.state != MODEM_REGISTERING && mdm.state != MODEM_READY)
		return;
	if (modem_net_registered()) {
		if (mdm.state == MODEM_READY)
			return;
		modem_set_state(MODEM_READY, "registered (%s)",
		    modem_net_registration());
		modem_net_after_registration();
		modem_run_ready_hooks();
	} else if (mdm.state == MODEM_READY)
		modem_set_state(MODEM_REGISTERING, "registration lost (%s)",
		    modem_net_registration());
	else
		modem_set_state(MODEM_REGISTERING, "waiting for the network "
		    "(%s)", modem_net_registration());
}

static void
modem_net_reg_update(const struct at_reg *r)
{
	const char *before = modem_net_registration();
	char old[32];

	util_strlcpy(old, before, sizeof old);
	mdm.reg[r->cmd] = r->stat;
	if (r->act >= 0 && (r->stat == AT_REG_HOME ||
	    r->stat == AT_REG_ROAMING))
		mdm.act = r->act;
	if (r->has_lac)
		mdm.lac = r->lac;
	if (r->has_ci)
		mdm.ci = r->ci;
	if (strcmp(old, modem_net_registration()) != 0) {
		log_info("modem: registration %s -> %s", old,
		    modem_net_registration());
		modem_publish("registration");
		if (modem_net_registered() && mdm.state == MODEM_READY)
			modem_net_after_registration();
	}
}

int
modem_net_parse_reg_answer(const struct modem_response *resp)
{
	struct at_reg r;
	const char *l;

	for (size_t i = 0; i < resp->nlines; i++) {
		l = resp->lines[i];
		if (at_parse_reg(l, strlen(l), AT_REG_SOLICITED, &r,
		    NULL) == 0) {
			modem_net_reg_update(&r);
			return 0;
		}
	}
	return -1;
}

int
modem_net_urc(int id, const char *line)
{
	struct at_reg r;
	struct at_csq q;
	char esc[160];
	int dbm;

	switch (id) {
	case AT_URC_CREG:
	case AT_URC_CGREG:
	case AT_URC_CEREG:
	case AT_URC_C5GREG:
		if (at_parse_reg(line, strlen(line), AT_REG_UNSOLICITED, &r,
		    NULL) != 0) {
			util_escape(esc, sizeof esc, line, strlen(line));
			log_info("modem: registration line not understood: %s",
			    esc);
			return 1;
		}
		modem_net_reg_update(&r);
		modem_net_check_state();
		return 1;
	default:
		break;
	}
	if (strncmp(line, "+CSQ:", 5) == 0 &&
	    at_parse_csq(line, strlen(line), &q, NULL) == 0) {
		mdm.csq = q.rssi <= 31 ? q.rssi : 99;
		mdm.dbm = at_csq_rssi_dbm(q.rssi, &dbm) == 0 ? dbm : 0;
		return 1;
	}
	return 0;
}

void
modem_net_apply_quirk_event(const struct quirk_event *ev)
{
	switch (ev->type) {
	case QUIRK_EV_SIGNAL:
		mdm.csq = ev->csq;
		mdm.dbm = ev->dbm;
		break;
	case QUIRK_EV_TECH:
		util_strlcpy(mdm.tech, ev->tech, sizeof mdm.tech);
		break;
	default:
		break;
	}
}

/* ---- the poll ---- */

static void
modem_net_alive_cb(const struct modem_response *r, void *arg)
{
	if ((unsigned)(uintptr_t)arg != mdm.gen || r->final != MODEM_TIMEOUT)
		return;
	modem_recover_fail("no answer to the liveness check");
}

static void
modem_net_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	void *g = (void *)(uintptr_t)mdm.gen;

	if (mdm.state != MODEM_READY && mdm.state != MODEM_REGISTERING)
		return;
	/* something in flight proves the modem alive well enough */
	if (!atchan_busy(mdm.ch)) {
		if (mdm.quirk != NULL && mdm.quirk->signal_urc)
			(void)modem_send("AT", 0, ATCHAN_QUIET,
			    modem_net_alive_cb, g);
		else
			(void)modem_send("AT+CSQ", 0, ATCHAN_QUIET,
			    modem_net_csq_cb, g);
		if (mdm.state == MODEM_READY)
			modem_net_ask_cesq();
	}
	modem_net_poll_schedule();
}

void
modem_net_poll_schedule(void)
{
	struct timeval tv = { 0, 0 };
	long long s;

	if (mdm.base == NULL || !mdm.running)
		return;
	s = settings_int(modem_set.signal_poll);
	tv.tv_sec = (time_t)s;
	if (mdm.ev_poll == NULL)
		mdm.ev_poll = evtimer_new(mdm.base, modem_net_poll_cb, NULL);
	evtimer_del(mdm.ev_poll);
	if (s > 0 && (mdm.state == MODEM_READY ||
	    mdm.state == MODEM_REGISTERING))
		evtimer_add(mdm.ev_poll, &tv);
}

void
modem_net_poll_stop(void)
{
	if (mdm.ev_poll != NULL)
		evtimer_del(mdm.ev_poll);
}
