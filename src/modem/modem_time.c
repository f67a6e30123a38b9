/*
 * modem_time.c: the network's time and zone.  AT+CCLK? once the modem
 * is registered and again after every +CTZV/+CTZE (the network sent its
 * zone, and with NITZ its time); +CTZE's own time is taken too.  A clock
 * answer before this build's date is the modem's unset RTC, not the
 * network's.  Shown in status as network_time (RFC 3339, the network's
 * offset) and network_zone; when the system clock is obviously wrong
 * (before the build date: no RTC, no NTP yet) it is logged once and the
 * network's time stamps messages until the clock is set
 * (util_wall_time).  The system clock itself is never set.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "at_parse.h"
#include "log.h"
#include "modem_int.h"
#include "util.h"

static struct {
	int		 has_time;
	time_t		 utc;		/* the network's UTC time ... */
	uint64_t	 at_ms;		/* ... at this monotonic instant */
	int		 tz;		/* quarter hours, AT_TZ_NONE */
	int		 warned;	/* the system clock is wrong: said */
} mt = { 0, 0, 0, AT_TZ_NONE, 0 };

void
modem_time_reset(void)
{
	mt.has_time = 0;
	mt.tz = AT_TZ_NONE;
}

/* A time from the modem: keep it if it is the network's. */
static void
modem_time_take(const struct at_nettime *t)
{
	char now[32], net[32];
	struct tm tm;
	time_t sys = time(NULL);
	long long e;

	if (!t->has_time) {
		if (t->tz != AT_TZ_NONE)
			mt.tz = t->tz;
		return;
	}
	/* +CTZE's time is in its own zone; +CCLK's carries one */
	e = at_nettime_epoch(t);
	if (e < 0 || (time_t)e < util_build_time())
		return;		/* no zone, or the modem's unset clock */
	mt.tz = t->tz;
	mt.has_time = 1;
	mt.utc = (time_t)e;
	mt.at_ms = util_now_ms();
	util_wall_time_hint(mt.utc);
	if (util_wall_time_wrong() && !mt.warned) {
		mt.warned = 1;
		gmtime_r(&sys, &tm);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
		gmtime_r(&mt.utc, &tm);
		strftime(net, sizeof net, "%Y-%m-%dT%H:%M:%SZ", &tm);
		log_warnx("modem: the system clock says %s, before this "
		    "build: message times follow the network's (%s) until "
		    "the clock is set", now, net);
	}
}

static void
modem_time_cclk_cb(const struct modem_response *r, void *arg)
{
	struct at_nettime t;
	char esc[96];

	if ((unsigned)(uintptr_t)arg != mdm.gen || r->final != MODEM_OK)
		return;
	for (size_t i = 0; i < r->nlines; i++) {
		if (strncmp(r->lines[i], "+CCLK:", 6) != 0)
			continue;
		if (at_parse_cclk(r->lines[i], strlen(r->lines[i]), &t,
		    NULL) == 0)
			modem_time_take(&t);
		else {
			util_escape(esc, sizeof esc, r->lines[i],
			    strlen(r->lines[i]));
			log_info("modem: clock answer not understood: %s",
			    esc);
		}
		return;
	}
}

void
modem_time_ask(void)
{
	(void)modem_send("AT+CCLK?", 0, ATCHAN_QUIET, modem_time_cclk_cb,
	    (void *)(uintptr_t)mdm.gen);
}

int
modem_time_urc(int id, const char *line)
{
	struct at_nettime t;
	char esc[96];
	int rc;

	if (id != AT_URC_CTZV && id != AT_URC_CTZE)
		return 0;
	rc = id == AT_URC_CTZV ? at_parse_ctzv(line, strlen(line), &t, NULL) :
	    at_parse_ctze(line, strlen(line), &t, NULL);
	if (rc != 0) {
		util_escape(esc, sizeof esc, line, strlen(line));
		log_info("modem: time zone line not understood: %s", esc);
		return 1;
	}
	modem_time_take(&t);
	if (mdm.state == MODEM_READY)
		modem_time_ask();
	return 1;
}

/* "+01:00" of a zone in quarter hours. */
static void
modem_time_zone_text(int tz, char *out, size_t len)
{
	int m = (tz < 0 ? -tz : tz) * 15;

	snprintf(out, len, "%c%02d:%02d", tz < 0 ? '-' : '+', m / 60, m % 60);
}

void
modem_time_status(struct json_object *o)
{
	char buf[48], zone[16];
	struct tm tm;
	time_t now;

	if (mt.tz != AT_TZ_NONE)
		modem_time_zone_text(mt.tz, zone, sizeof zone);
	json_object_object_add(o, "network_zone", mt.tz != AT_TZ_NONE ?
	    json_object_new_string(zone) : NULL);
	if (!mt.has_time) {
		json_object_object_add(o, "network_time", NULL);
		return;
	}
	now = mt.utc + (time_t)((util_now_ms() - mt.at_ms) / 1000);
	if (mt.tz != AT_TZ_NONE)
		now += mt.tz * 900;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
	if (mt.tz != AT_TZ_NONE)
		util_strlcpy(buf + strlen(buf), zone, sizeof buf - strlen(buf));
	else
		util_strlcpy(buf + strlen(buf), "Z", sizeof buf - strlen(buf));
	json_object_object_add(o, "network_time", json_object_new_string(buf));
}
