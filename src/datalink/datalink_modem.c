/*
 * datalink_modem.c: the modem's own data call (SPEC §6.1 `modem` mode),
 * through the modem module's queue: +CGEV reporting on, the context
 * (AT+CGDCONT=1,"IP","apn"), credentials (AT+CGAUTH) when set, the
 * vendor's dial (datalink_dial.c), the address (AT+CGPADDR=1); then
 * supervision: a +CGEV drop or a slow AT+CGACT? check finding the context
 * inactive redials with backoff, and every modem (re)initialisation
 * redials, since the modem forgot the call.  The OS configures the
 * network interface itself (DHCP on wwan0/usb0, see cellgated(8)).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "datalink_int.h"
#include "log.h"
#include "modem.h"
#include "util.h"

#define DLM_DIAL_TIMEOUT_MS	60000	/* activation may take a while */
#define DLM_CHECK_MS		60000	/* AT+CGACT? while up */

enum dlm_step {
	DLM_IDLE,
	DLM_WAIT_MODEM,		/* until modem_ready */
	DLM_CGEREP,
	DLM_DEFINE,
	DLM_AUTH,
	DLM_DIAL,
	DLM_ADDR,
	DLM_UP,
	DLM_CHECK,		/* AT+CGACT? in flight while up */
	DLM_BACKOFF,
	DLM_NO_CALL		/* 2G modem */
};

static struct {
	int				 active;
	int				 subscribed;
	enum dlm_step			 step;
	uintptr_t			 gen;	/* callbacks of older runs: ignored */
	unsigned			 failures;
	const struct datalink_dial	*dial;
	struct event			*ev_timer;
	char				 address[64];
	char				 ifname[32];
} dlm;

static void dlm_begin(void);

/* The modem's network interface, if the OS has one (wwan0, usb0, ...). */
static void
dlm_find_if(void)
{
	struct dirent *e;
	DIR *d;

	dlm.ifname[0] = '\0';
	if ((d = opendir("/sys/class/net")) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (datalink_route_is_modem_if(e->d_name) &&
		    strncmp(e->d_name, "ppp", 3) != 0) {
			util_strlcpy(dlm.ifname, e->d_name, sizeof dlm.ifname);
			break;
		}
	closedir(d);
}

static void
dlm_timer(int ms)
{
	struct timeval tv = { ms / 1000, ms % 1000 * 1000 };

	if (dlm.ev_timer != NULL)
		evtimer_add(dlm.ev_timer, &tv);
}

static void
dlm_fail(const char *what, const struct modem_response *res)
{
	char detail[UPLINK_TEXT_MAX], line[64];

	util_escape(line, sizeof line, res->final_line,
	    strlen(res->final_line));
	snprintf(detail, sizeof detail, "%s: %s", what, line);
	dlm.failures++;
	dlm.step = DLM_BACKOFF;
	dlm_timer(datalink_backoff_ms(dlm.failures));
	log_warnx("data: the data call failed (%s); redialling in %d s",
	    detail, datalink_backoff_ms(dlm.failures) / 1000);
	datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL, NULL,
	    detail);
}

/* The call is gone (+CGEV, AT+CGACT? says so): redial. */
static void
dlm_dropped(const char *why)
{
	if (dlm.step != DLM_UP && dlm.step != DLM_CHECK)
		return;
	dlm.gen++;
	dlm.failures++;
	dlm.step = DLM_BACKOFF;
	evtimer_del(dlm.ev_timer);
	dlm_timer(datalink_backoff_ms(dlm.failures));
	log_warnx("data: the data call dropped (%s); redialling", why);
	datalink_engine_report(UPLINK_CONNECTING, "Redialling after a drop",
	    NULL, NULL, why);
}

static int
dlm_send(const char *cmd, int timeout, modem_done_fn *fn)
{
	if (modem_submit(cmd, NULL, timeout, fn, (void *)dlm.gen) == 0)
		return 0;
	/* the port is closed or the queue full: wait for the modem */
	dlm.step = DLM_WAIT_MODEM;
	datalink_engine_report(UPLINK_CONNECTING, "Waiting for the modem",
	    NULL, NULL, NULL);
	return -1;
}

static int
dlm_mine(void *arg)
{
	return dlm.active && (uintptr_t)arg == dlm.gen;
}

static void
dlm_check_cb(const struct modem_response *res, void *arg)
{
	int act = -1;

	if (!dlm_mine(arg) || dlm.step != DLM_CHECK)
		return;
	for (size_t i = 0; i < res->nlines && act != 1; i++)
		if (datalink_parse_cgact(res->lines[i]) != -1)
			act = datalink_parse_cgact(res->lines[i]);
	dlm.step = DLM_UP;
	if (res->final == MODEM_OK && act == 0) {
		dlm_dropped("AT+CGACT?: context 1 inactive");
		return;
	}
	dlm_timer(DLM_CHECK_MS);
}

static void
dlm_addr_cb(const struct modem_response *res, void *arg)
{
	if (!dlm_mine(arg) || dlm.step != DLM_ADDR)
		return;
	dlm.address[0] = '\0';
	for (size_t i = 0; i < res->nlines; i++)
		if (datalink_parse_cgpaddr(res->lines[i], dlm.address,
		    sizeof dlm.address) == 0)
			break;
	if (res->final != MODEM_OK) {
		dlm_fail("AT+CGPADDR=1", res);
		return;
	}
	dlm.failures = 0;
	dlm.step = DLM_UP;
	dlm_find_if();
	dlm_timer(DLM_CHECK_MS);
	datalink_engine_report(UPLINK_UP, "modem data call", dlm.address,
	    dlm.ifname, NULL);
}

static void
dlm_dial_cb(const struct modem_response *res, void *arg)
{
	if (!dlm_mine(arg) || dlm.step != DLM_DIAL)
		return;
	if (res->final != MODEM_OK) {
		dlm_fail(res->command, res);
		return;
	}
	dlm.step = DLM_ADDR;
	dlm_send("AT+CGPADDR=1", 0, dlm_addr_cb);
}

static void
dlm_dial(void)
{
	struct datalink_apn a;
	char cmd[MODEM_CMD_MAX];
	size_t n;

	datalink_apn_current(&a);
	if (datalink_dial_command(dlm.dial, a.apn, cmd, sizeof cmd) == -1) {
		dlm.step = DLM_IDLE;
		datalink_engine_report(UPLINK_FAILED, DATALINK_NET_ERROR, NULL,
		    NULL, "the dial command does not fit");
		return;
	}
	/* Huawei takes the credentials in the dial itself */
	n = strlen(cmd);
	if (dlm.dial->dial_has_apn && a.has_credentials)
		snprintf(cmd + n, sizeof cmd - n, ",\"%s\",\"%s\",%d", a.user,
		    a.password, strcmp(a.auth, "PAP") == 0 ? 1 :
		    strcmp(a.auth, "CHAP") == 0 ? 2 : 0);
	explicit_bzero(&a, sizeof a);
	dlm.step = DLM_DIAL;
	dlm_send(cmd, DLM_DIAL_TIMEOUT_MS, dlm_dial_cb);
	explicit_bzero(cmd, sizeof cmd);
}

static void
dlm_auth_cb(const struct modem_response *res, void *arg)
{
	if (!dlm_mine(arg) || dlm.step != DLM_AUTH)
		return;
	if (res->final != MODEM_OK) {
		dlm_fail("AT+CGAUTH", res);
		return;
	}
	dlm_dial();
}

static void
dlm_define_cb(const struct modem_response *res, void *arg)
{
	struct datalink_apn a;
	char cmd[MODEM_CMD_MAX];

	if (!dlm_mine(arg) || dlm.step != DLM_DEFINE)
		return;
	if (res->final != MODEM_OK) {
		dlm_fail("AT+CGDCONT", res);
		return;
	}
	datalink_apn_current(&a);
	if (!a.has_credentials || dlm.dial->dial_has_apn) {
		explicit_bzero(&a, sizeof a);
		dlm_dial();
		return;
	}
	snprintf(cmd, sizeof cmd, "AT+CGAUTH=1,%d,\"%s\",\"%s\"",
	    strcmp(a.auth, "PAP") == 0 ? 1 : strcmp(a.auth, "CHAP") == 0 ?
	    2 : 0, a.user, a.password);
	explicit_bzero(&a, sizeof a);
	dlm.step = DLM_AUTH;
	dlm_send(cmd, 0, dlm_auth_cb);
	explicit_bzero(cmd, sizeof cmd);
}

static void
dlm_cgerep_cb(const struct modem_response *res, void *arg)
{
	struct datalink_apn a;
	char cmd[MODEM_CMD_MAX];

	if (!dlm_mine(arg) || dlm.step != DLM_CGEREP)
		return;
	/* an error is no reason to stop: the slow check still works */
	datalink_apn_current(&a);
	snprintf(cmd, sizeof cmd, "AT+CGDCONT=1,\"IP\",\"%s\"", a.apn);
	explicit_bzero(&a, sizeof a);
	dlm.step = DLM_DEFINE;
	dlm_send(cmd, 0, dlm_define_cb);
}

/* From the start: the modem is ready (again). */
static void
dlm_begin(void)
{
	struct datalink_apn a;
	const char *model = modem_identity("model");
	char reason[UPLINK_TEXT_MAX];

	dlm.gen++;
	evtimer_del(dlm.ev_timer);
	datalink_apn_current(&a);
	explicit_bzero(a.password, sizeof a.password);
	if (a.apn[0] == '\0') {
		dlm.step = DLM_IDLE;
		datalink_engine_report(UPLINK_FAILED, DATALINK_MISSING_APN,
		    NULL, NULL, "set it with AT+APN=code");
		return;
	}
	if (modem_state() != MODEM_READY) {
		dlm.step = DLM_WAIT_MODEM;
		datalink_engine_report(UPLINK_CONNECTING,
		    "Waiting for the modem", NULL, NULL, NULL);
		return;
	}
	dlm.dial = datalink_dial_find(modem_identity("manufacturer"), model);
	if (dlm.dial->no_call) {
		dlm.step = DLM_NO_CALL;
		snprintf(reason, sizeof reason, "2G modem (%s) has no data "
		    "call: use data.mode ppp with data.ppp_port",
		    model != NULL ? model : "?");
		datalink_engine_report(UPLINK_FAILED, reason, NULL, NULL,
		    NULL);
		return;
	}
	dlm.step = DLM_CGEREP;
	snprintf(reason, sizeof reason, "dialling the %s way (%s)",
	    dlm.dial->vendor, dlm.dial->dial);
	datalink_engine_report(UPLINK_CONNECTING, "Dialling", NULL, NULL,
	    reason);
	dlm_send("AT+CGEREP=2,1", 0, dlm_cgerep_cb);
}

static void
dlm_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!dlm.active)
		return;
	if (dlm.step == DLM_BACKOFF) {
		dlm_begin();
		return;
	}
	if (dlm.step == DLM_UP) {
		dlm.step = DLM_CHECK;
		if (modem_submit("AT+CGACT?", NULL, 0, dlm_check_cb,
		    (void *)dlm.gen) == -1) {
			dlm.step = DLM_UP;
			dlm_timer(DLM_CHECK_MS);
		}
	}
}

static void
dlm_ready_cb(void *arg)
{
	if (!dlm.active)
		return;
	if (dlm.step == DLM_UP || dlm.step == DLM_CHECK)
		log_info("data: the modem was re-initialised: redialling");
	dlm.failures = 0;
	dlm_begin();
}

static void
dlm_cgev_cb(const char *line, const char *pdu, void *arg)
{
	char shown[128];

	if (!dlm.active || !datalink_cgev_is_drop(line))
		return;
	util_escape(shown, sizeof shown, line, strlen(line));
	dlm_dropped(shown);
}

int
datalink_modem_start(void)
{
	if (dlm.active)
		return 0;
	if (dlm.ev_timer == NULL &&
	    (dlm.ev_timer = evtimer_new(dl.base, dlm_timer_cb, NULL)) == NULL)
		return -1;
	if (!dlm.subscribed) {
		if (modem_ready_subscribe(dlm_ready_cb, NULL) == -1 ||
		    modem_urc_subscribe("+CGEV:", dlm_cgev_cb, NULL) == -1)
			log_warnx("data: cannot subscribe to the modem");
		dlm.subscribed = 1;
	}
	dlm.active = 1;
	dlm.failures = 0;
	dlm.address[0] = '\0';
	dlm_begin();
	return 0;
}

int
datalink_modem_running(void)
{
	return dlm.active;
}

void
datalink_modem_stop(void)
{
	if (!dlm.active)
		return;
	if (dlm.step >= DLM_DIAL && dlm.step <= DLM_CHECK && dlm.dial != NULL &&
	    dlm.dial->hangup != NULL) {
		log_info("data: hanging up the data call");
		modem_submit(dlm.dial->hangup, NULL, 0, NULL, NULL);
	}
	dlm.active = 0;
	dlm.gen++;
	dlm.step = DLM_IDLE;
	if (dlm.ev_timer != NULL)
		evtimer_del(dlm.ev_timer);
}

void
datalink_modem_shutdown(void)
{
	datalink_modem_stop();
	if (dlm.subscribed) {
		modem_ready_unsubscribe(dlm_ready_cb, NULL);
		modem_urc_unsubscribe("+CGEV:", dlm_cgev_cb, NULL);
		dlm.subscribed = 0;
	}
	if (dlm.ev_timer != NULL)
		event_free(dlm.ev_timer);
	dlm.ev_timer = NULL;
}
