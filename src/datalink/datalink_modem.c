/*
 * datalink_modem.c: the modem's own data call (SPEC §6.1 `modem` mode):
 * runs the state machine of datalink_sm.c against the modem module:
 * sends the commands it asks for (AT+CGEREP=2,1, AT+CGDCONT=1,"IP","apn",
 * AT+CGAUTH when credentials are set, or the vendor's command from the
 * modem's quirks when the modem refuses it, the vendor's dial of
 * datalink_dial.c, AT+CGPADDR=1, AT+CGACT? while up, the hang-up), feeds
 * it their answers, +CGEV drops, every modem (re)initialisation and its
 * timer, and reports its states.  The OS configures the network interface
 * itself (DHCP on wwan0/usb0, see cellgated(8)).
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <event2/event.h>

#include "at_parse.h"
#include "datalink_int.h"
#include "log.h"
#include "modem.h"
#include "util.h"

#define DLM_DIAL_TIMEOUT_MS	60000	/* activation may take a while */
#define DLM_CID			1	/* the context the call uses */

static struct {
	int				 active;
	int				 subscribed;
	int				 vendor_auth;	/* sent in this step */
	struct datalink_sm		 sm;
	uintptr_t			 gen;	/* answers to older commands: ignored */
	const struct datalink_dial	*dial;
	struct event			*ev_timer;
	char				 address[64];
	char				 ifname[32];
	char				 detail[UPLINK_TEXT_MAX];
} dlm;

static void dlm_event(enum datalink_event);
static void dlm_done(const struct modem_response *, void *);

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

/* The inputs of the state machine, as they are now. */
static void
dlm_inputs(void)
{
	struct datalink_apn a;

	datalink_apn_current(&a);
	dlm.dial = datalink_dial_find(modem_identity("manufacturer"),
	    modem_identity("model"));
	dlm.sm.has_apn = a.apn[0] != '\0';
	dlm.sm.modem_ready = modem_state() == MODEM_READY;
	dlm.sm.no_call = dlm.dial->no_call;
	dlm.sm.need_auth = a.has_credentials && !dlm.dial->dial_has_apn;
	explicit_bzero(&a, sizeof a);
}

static int
auth_code(const char *auth)
{
	return strcmp(auth, "PAP") == 0 ? 1 : strcmp(auth, "CHAP") == 0 ? 2 : 0;
}

/* The text of a command the state machine asks for. */
static int
dlm_command(enum datalink_cmd c, char *cmd, size_t len)
{
	struct datalink_apn a;
	size_t n;
	int rc = 0;

	datalink_apn_current(&a);
	switch (c) {
	case DL_CMD_CGEREP:
		util_strlcpy(cmd, "AT+CGEREP=2,1", len);
		break;
	case DL_CMD_DEFINE:
		snprintf(cmd, len, "AT+CGDCONT=1,\"IP\",\"%s\"", a.apn);
		break;
	case DL_CMD_AUTH:
		snprintf(cmd, len, "AT+CGAUTH=1,%d,\"%s\",\"%s\"",
		    auth_code(a.auth), a.user, a.password);
		break;
	case DL_CMD_DIAL:
		rc = datalink_dial_command(dlm.dial, a.apn, cmd, len);
		/* Huawei takes the credentials in the dial itself */
		n = strlen(cmd);
		if (rc == 0 && dlm.dial->dial_has_apn && a.has_credentials)
			snprintf(cmd + n, len - n, ",\"%s\",\"%s\",%d", a.user,
			    a.password, auth_code(a.auth));
		break;
	case DL_CMD_ADDRESS:
		util_strlcpy(cmd, "AT+CGPADDR=1", len);
		break;
	case DL_CMD_CHECK:
		util_strlcpy(cmd, "AT+CGACT?", len);
		break;
	case DL_CMD_HANGUP:
		util_strlcpy(cmd, dlm.dial->hangup != NULL ?
		    dlm.dial->hangup : "AT+CGACT=0,1", len);
		break;
	default:
		rc = -1;
	}
	explicit_bzero(&a, sizeof a);
	return rc;
}

/* Send the vendor's authentication command in place of the refused
 * AT+CGAUTH; its answer comes to dlm_done in the same step.  -1 when the
 * vendor has none. */
static int
dlm_vendor_auth(void)
{
	struct datalink_apn a;
	char cmd[MODEM_CMD_MAX];
	int rc;

	datalink_apn_current(&a);
	rc = modem_pdp_auth_command(DLM_CID, a.apn, a.user, a.password,
	    auth_code(a.auth), cmd, sizeof cmd);
	explicit_bzero(&a, sizeof a);
	if (rc != 0)
		return -1;
	dlm.vendor_auth = 1;
	dlm.gen++;
	log_info("data: the modem refuses AT+CGAUTH: setting the credentials "
	    "the %s way", dlm.dial->vendor);
	rc = modem_submit(cmd, NULL, 0, dlm_done, (void *)dlm.gen);
	explicit_bzero(cmd, sizeof cmd);
	if (rc == -1)
		dlm_event(DL_EV_MODEM_GONE);
	return 0;
}

static void
dlm_done(const struct modem_response *res, void *arg)
{
	enum datalink_event ev = res->final == MODEM_OK ? DL_EV_OK :
	    DL_EV_ERROR;
	char line[64];
	int act = -1;

	if (!dlm.active || (uintptr_t)arg != dlm.gen)
		return;
	if (ev == DL_EV_OK && dlm.sm.step == DL_STEP_ADDR) {
		struct at_cgpaddr pa;

		dlm.address[0] = '\0';
		for (size_t i = 0; i < res->nlines; i++)
			if (at_parse_cgpaddr(res->lines[i],
			    strlen(res->lines[i]), &pa, NULL) == 0 &&
			    pa.cid == DLM_CID && pa.addr[0] != '\0') {
				util_strlcpy(dlm.address, pa.addr,
				    sizeof dlm.address);
				break;
			}
		dlm_find_if();
	}
	if (ev == DL_EV_OK && dlm.sm.step == DL_STEP_CHECK) {
		struct at_cgact ca;

		for (size_t i = 0; i < res->nlines && act != 1; i++)
			if (at_parse_cgact(res->lines[i],
			    strlen(res->lines[i]), &ca, NULL) == 0 &&
			    ca.cid == DLM_CID)
				act = ca.state;
		if (act == 0) {
			ev = DL_EV_INACTIVE;
			util_strlcpy(dlm.detail, "AT+CGACT?: context 1 "
			    "inactive", sizeof dlm.detail);
		}
	}
	/* AT+CGAUTH refused as not supported: the vendor's own command */
	if (ev == DL_EV_ERROR && dlm.sm.step == DL_STEP_AUTH &&
	    res->final == MODEM_CME_ERROR && res->code == AT_CME_NOT_SUPPORTED &&
	    !dlm.vendor_auth && dlm_vendor_auth() == 0)
		return;
	if (ev == DL_EV_ERROR) {
		char shown[MODEM_CMD_MAX];
		const char *eq = strchr(res->command, '=');

		/* AT+CGAUTH=, AT^NDISDUP= and the vendors' authentication
		 * commands carry the password */
		if (eq != NULL && modem_cmd_is_secret(res->command))
			snprintf(shown, sizeof shown, "%.*s=***",
			    (int)(eq - res->command), res->command);
		else
			util_escape(shown, sizeof shown, res->command,
			    strlen(res->command));
		util_escape(line, sizeof line, res->final_line,
		    strlen(res->final_line));
		snprintf(dlm.detail, sizeof dlm.detail, "%.60s: %s", shown,
		    line);
	}
	dlm_event(ev);
}

/* Run one event through the state machine and do what it says. */
static void
dlm_event(enum datalink_event ev)
{
	struct datalink_action a;
	enum datalink_step before = dlm.sm.step;
	char cmd[MODEM_CMD_MAX];
	const char *model;
	int timeout;

	if (ev == DL_EV_START || ev == DL_EV_MODEM_READY ||
	    ev == DL_EV_TIMER)
		dlm_inputs();
	if (ev == DL_EV_START || ev == DL_EV_MODEM_READY)
		dlm.detail[0] = '\0';
	datalink_sm_step(&dlm.sm, ev, &a);
	if (a.cmd == DL_CMD_AUTH)
		dlm.vendor_auth = 0;
	if (dlm.sm.step != before && dlm.ev_timer != NULL)
		evtimer_del(dlm.ev_timer);
	if (a.timer_ms > 0 && dlm.ev_timer != NULL) {
		struct timeval tv = { a.timer_ms / 1000,
		    a.timer_ms % 1000 * 1000 };

		evtimer_add(dlm.ev_timer, &tv);
	}
	if (a.cmd != DL_CMD_NONE && dlm_command(a.cmd, cmd, sizeof cmd) ==
	    0) {
		dlm.gen++;
		timeout = a.cmd == DL_CMD_DIAL ? DLM_DIAL_TIMEOUT_MS : 0;
		if (a.cmd == DL_CMD_HANGUP) {
			log_info("data: hanging up the data call");
			modem_submit(cmd, NULL, 0, NULL, NULL);
		} else if (modem_submit(cmd, NULL, timeout, dlm_done,
		    (void *)dlm.gen) == -1) {
			/* the port is closed or the queue full */
			explicit_bzero(cmd, sizeof cmd);
			dlm_event(DL_EV_MODEM_GONE);
			return;
		}
		explicit_bzero(cmd, sizeof cmd);
	}
	if (!a.report || !dlm.active)
		return;
	/* the detail: what went wrong, or how it dials */
	if (strcmp(a.reason, DATALINK_NET_ERROR) == 0)
		log_warnx("data: the data call failed (%s); redialling in "
		    "%d s", dlm.detail, a.timer_ms / 1000);
	else if (dlm.sm.step == DL_STEP_BACKOFF)
		log_warnx("data: the data call dropped (%s); redialling",
		    dlm.detail);
	else if (strcmp(a.reason, DATALINK_REASON_2G) == 0) {
		model = modem_identity("model");
		snprintf(dlm.detail, sizeof dlm.detail, "%s has no data call",
		    model != NULL ? model : "this modem");
	} else if (strcmp(a.reason, DATALINK_MISSING_APN) == 0)
		util_strlcpy(dlm.detail, "set it with AT+APN=code",
		    sizeof dlm.detail);
	else if (dlm.sm.step == DL_STEP_CGEREP)
		snprintf(dlm.detail, sizeof dlm.detail,
		    "dialling the %s way (%s%s)", dlm.dial->vendor,
		    dlm.dial->dial, dlm.dial->dial_has_apn ? "\"apn\"" : "");
	else
		dlm.detail[0] = '\0';
	datalink_engine_report(a.state, a.reason, a.state == UPLINK_UP ?
	    dlm.address : NULL, a.state == UPLINK_UP ? dlm.ifname : NULL,
	    dlm.detail);
}

static void
dlm_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	if (dlm.active)
		dlm_event(DL_EV_TIMER);
}

static void
dlm_ready_cb(void *arg)
{
	if (!dlm.active)
		return;
	if (dlm.sm.step == DL_STEP_UP || dlm.sm.step == DL_STEP_CHECK)
		log_info("data: the modem was re-initialised: redialling");
	dlm_event(DL_EV_MODEM_READY);
}

/* +CGEV: the network or the modem deactivated our context, or
 * detached (27.007 10.1.19); a malformed line is logged and ignored. */
static void
dlm_cgev_cb(const char *line, const char *pdu, void *arg)
{
	struct at_cgev_ev e;
	char esc[96];

	if (!dlm.active)
		return;
	if (at_parse_cgev(line, strlen(line), &e, NULL) != 0) {
		util_escape(esc, sizeof esc, line, strlen(line));
		log_info("data: +CGEV not understood: %s", esc);
		return;
	}
	if (e.kind != AT_CGEV_DETACH && (e.kind != AT_CGEV_DEACT ||
	    (e.cid != -1 && e.cid != DLM_CID)))
		return;
	util_escape(dlm.detail, sizeof dlm.detail, line, strlen(line));
	dlm_event(DL_EV_DROP);
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
	dlm.address[0] = '\0';
	memset(&dlm.sm, 0, sizeof dlm.sm);
	dlm_event(DL_EV_START);
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
	dlm_event(DL_EV_STOP);
	dlm.active = 0;
	dlm.gen++;
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
