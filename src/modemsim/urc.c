/*
 * urc.c: unsolicited result codes of the simulated modem.  It owns what
 * the modem says without being asked: boot and SIM-ready lines per
 * profile, registration changes (+CREG/+CGREG/+CEREG per their n modes),
 * RING/+CRING with +CLIP repeating on a timer, NO CARRIER, +CMTI/+CMT for
 * new messages, the +CUSD answer, the periodic vendor lines (Huawei
 * ^RSSI...), and "deferred" actions that must follow the current
 * command's final result (a 1 ms timer after any response delay).
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sim.h"

void
urc_emit(struct sim *sim, const char *text)
{
	pty_write(sim, "\r\n", 2);
	pty_write(sim, text, strlen(text));
	pty_write(sim, "\r\n", 2);
}

void
urc_emitf(struct sim *sim, const char *fmt, ...)
{
	char	buf[SIM_LINE_MAX + 1];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	urc_emit(sim, buf);
}

static void
urc_lines(struct sim *sim, const char *const *l)
{
	for (; l != NULL && *l != NULL; l++)
		urc_emit(sim, *l);
}

void
urc_ready(struct sim *sim)
{
	if (sim->profile->cpin_urc)
		urc_emit(sim, "+CPIN: READY");
	urc_lines(sim, sim->profile->ready_urcs);
}

void
urc_boot(struct sim *sim)
{
	urc_lines(sim, sim->profile->boot_urcs);
	if (sim->pin == SIM_PIN_READY)
		urc_ready(sim);
	else if (sim->profile->cpin_urc)
		urc_emitf(sim, "+CPIN: %s", sim->pin == SIM_PIN_PIN ?
		    "SIM PIN" : "SIM PUK");
}

/*
 * One registration line: read form "+CREG: n,stat[,...]" or URC form
 * "+CREG: stat[,...]".  Location (and AcT) in mode 2 when registered.
 */
void
urc_reg_text(struct sim *sim, char *buf, size_t len, const char *name,
    int n, int stat, int read)
{
	int	off, with_act;

	if (read)
		off = snprintf(buf, len, "%s: %d,%d", name, n, stat);
	else
		off = snprintf(buf, len, "%s: %d", name, stat);
	if (n != 2 || (stat != 1 && stat != 5) || off < 0 ||
	    (size_t)off >= len)
		return;
	with_act = strcmp(name, "+CREG") != 0 || sim->profile->creg_act;
	snprintf(buf + off, len - off, sim->act == 0 ? ",\"%04X\",\"%04X\"" :
	    ",\"%04X\",\"%08X\"", sim->lac & 0xffff, sim->act == 0 ?
	    sim->ci & 0xffff : sim->ci);
	off = strlen(buf);
	if (with_act)
		snprintf(buf + off, len - off, ",%d", sim->act);
}

/* Report the effective registration if it changed (or force). */
void
urc_reg_update(struct sim *sim, int force)
{
	char	line[128];
	int	stat = sim_reg_stat(sim);

	if (stat == sim->last_stat && !force)
		return;
	/* registering, the network sends its time zone */
	if ((stat == 1 || stat == 5) && sim->last_stat != 1 &&
	    sim->last_stat != 5)
		urc_zone(sim);
	sim->last_stat = stat;
	if (sim->creg_n > 0) {
		urc_reg_text(sim, line, sizeof line, "+CREG", sim->creg_n,
		    stat, 0);
		urc_emit(sim, line);
	}
	if (sim->cgreg_n > 0) {
		urc_reg_text(sim, line, sizeof line, "+CGREG", sim->cgreg_n,
		    stat, 0);
		urc_emit(sim, line);
	}
	if (sim->cereg_n > 0 && sim->profile->has_cereg) {
		urc_reg_text(sim, line, sizeof line, "+CEREG", sim->cereg_n,
		    stat, 0);
		urc_emit(sim, line);
	}
}

/* The network's local time: "yy/MM/dd,hh:mm:ss" (long: "yyyy/..."). */
void
sim_nettime(struct sim *sim, char *buf, size_t len, int long_year)
{
	time_t		t = time(NULL) + sim->time_offset + sim->tz * 900;
	struct tm	tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%0*d/%02d/%02d,%02d:%02d:%02d", long_year ? 4 : 2,
	    long_year ? tm.tm_year + 1900 : tm.tm_year % 100, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* The network's zone (NITZ), as AT+CTZR asks: +CTZV or +CTZE. */
void
urc_zone(struct sim *sim)
{
	char	t[32];
	int	tz = sim->tz;

	if (sim->ctzr == 1)
		urc_emitf(sim, "+CTZV: %c%02d", tz < 0 ? '-' : '+',
		    tz < 0 ? -tz : tz);
	else if (sim->ctzr == 2) {
		sim_nettime(sim, t, sizeof t, 1);
		urc_emitf(sim, "+CTZE: \"%c%02d\",0,\"%s\"", tz < 0 ? '-' :
		    '+', tz < 0 ? -tz : tz, t);
	}
}

static void
urc_ring_once(struct sim *sim)
{
	const char	*n = sim->call_number;

	urc_emit(sim, sim->crc ? "+CRING: VOICE" : "RING");
	if (sim->clip && !sim->profile->no_clip)
		urc_emitf(sim, "+CLIP: \"%s\",%d", n, n[0] == '+' ? 145 : 129);
}

static void
urc_ring_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sim	*sim = arg;

	if (sim->call == SIM_CALL_RINGING)
		urc_ring_once(sim);
}

void
urc_ring_start(struct sim *sim, const char *number)
{
	struct timeval	tv;

	tv.tv_sec = SIM_RING_MS / 1000;
	tv.tv_usec = (SIM_RING_MS % 1000) * 1000;
	snprintf(sim->call_number, sizeof sim->call_number, "%s", number);
	sim->call = SIM_CALL_RINGING;
	sim->call_mt = 1;
	urc_ring_once(sim);
	evtimer_add(sim->ev_ring, &tv);
}

void
urc_call_end(struct sim *sim, int notify)
{
	evtimer_del(sim->ev_ring);
	if (sim->call != SIM_CALL_IDLE && notify)
		urc_emit(sim, "NO CARRIER");
	sim->call = SIM_CALL_IDLE;
	sim->waiting[0] = '\0';
}

void
urc_cmti(struct sim *sim, int idx)
{
	if (sim->cnmi[0] != 0 && sim->cnmi[1] == 1)
		urc_emitf(sim, "+CMTI: \"%s\",%d", sim->mem[2], idx);
}

/* +CNMI mt=2/3: the message is routed to the port, not stored. */
void
urc_cmt(struct sim *sim, const char *hex)
{
	urc_emitf(sim, "+CMT: ,%d", storage_tpdu_len(hex));
	pty_write(sim, hex, strlen(hex));
	pty_write(sim, "\r\n", 2);
}

void
urc_spray_once(struct sim *sim)
{
	char	line[128];

	if (sim->profile->spray == NULL)
		return;
	sim->profile->spray(sim, sim->spray_idx++, line, sizeof line);
	urc_emit(sim, line);
}

static void
urc_spray_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sim	*sim = arg;

	if (sim->curc && sim->plugged)
		urc_spray_once(sim);
}

void
urc_spray_set(struct sim *sim, int on)
{
	struct timeval	tv;

	sim->spray_on = on && sim->profile->spray != NULL;
	if (!sim->spray_on) {
		event_del(sim->ev_spray);
		return;
	}
	tv.tv_sec = sim->profile->spray_ms / 1000;
	tv.tv_usec = (sim->profile->spray_ms % 1000) * 1000;
	event_add(sim->ev_spray, &tv);
}

static void
urc_defer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sim	*sim = arg;
	int		 what = sim->defer;

	sim->defer = 0;
	if (what & URC_DEFER_REBOOT) {
		sim_reboot(sim);
		return;
	}
	if (what & URC_DEFER_READY)
		urc_ready(sim);
	if (what & URC_DEFER_REG)
		urc_reg_update(sim, 0);
	if (what & URC_DEFER_USSD)
		urc_emitf(sim, "+CUSD: 0,\"%s\",15", sim->ussd);
}

/* Run actions just after the response being built (and its delay). */
void
urc_defer(struct sim *sim, int what)
{
	struct timeval	tv;
	int		ms = sim->delay_ms + 1;

	sim->defer |= what;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (!evtimer_pending(sim->ev_defer, NULL))
		evtimer_add(sim->ev_defer, &tv);
}

void
urc_init(struct sim *sim)
{
	sim->ev_ring = event_new(sim->base, -1, EV_PERSIST, urc_ring_cb, sim);
	sim->ev_spray = event_new(sim->base, -1, EV_PERSIST, urc_spray_cb,
	    sim);
	sim->ev_defer = evtimer_new(sim->base, urc_defer_cb, sim);
}

void
urc_free(struct sim *sim)
{
	if (sim->ev_ring != NULL)
		event_free(sim->ev_ring);
	if (sim->ev_spray != NULL)
		event_free(sim->ev_spray);
	if (sim->ev_defer != NULL)
		event_free(sim->ev_defer);
}
