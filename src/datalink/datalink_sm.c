/*
 * datalink_sm.c: the state machine of the modem's data call (SPEC §6.1
 * `modem` mode), pure: a step, an event (started, the modem ready, a
 * command's answer, a drop, a timer, stop) and the inputs (an APN set,
 * the modem ready, a 2G modem, credentials to send separately) give the
 * next step and one action: the command to send, the timer to arm, the
 * state and reason to report.  datalink_modem.c runs it against the
 * modem module.
 */
#include <string.h>

#include "datalink.h"

#define SM_CHECK_MS	60000	/* AT+CGACT? while up */

static void
sm_report(struct datalink_action *a, enum uplink_state st, const char *why)
{
	a->report = 1;
	a->state = st;
	a->reason = why;
}

/* From the start: as the APN, the modem and its kind allow. */
static void
sm_begin(struct datalink_sm *sm, struct datalink_action *a)
{
	if (!sm->has_apn) {
		sm->step = DL_STEP_IDLE;
		sm_report(a, UPLINK_FAILED, DATALINK_MISSING_APN);
	} else if (!sm->modem_ready) {
		sm->step = DL_STEP_WAIT_MODEM;
		sm_report(a, UPLINK_CONNECTING, "Waiting for the modem");
	} else if (sm->no_call) {
		sm->step = DL_STEP_NO_CALL;
		sm_report(a, UPLINK_FAILED, DATALINK_REASON_2G);
	} else {
		sm->step = DL_STEP_CGEREP;
		a->cmd = DL_CMD_CGEREP;
		sm_report(a, UPLINK_CONNECTING, "Dialling");
	}
}

static void
sm_fail(struct datalink_sm *sm, struct datalink_action *a)
{
	sm->failures++;
	sm->step = DL_STEP_BACKOFF;
	a->timer_ms = datalink_backoff_ms(sm->failures);
	sm_report(a, UPLINK_FAILED, DATALINK_NET_ERROR);
}

static int
sm_calling(enum datalink_step s)
{
	return s == DL_STEP_DIAL || s == DL_STEP_ADDR || s == DL_STEP_UP ||
	    s == DL_STEP_CHECK;
}

void
datalink_sm_step(struct datalink_sm *sm, enum datalink_event ev,
    struct datalink_action *a)
{
	enum datalink_step s = sm->step;

	memset(a, 0, sizeof *a);
	a->cmd = DL_CMD_NONE;
	switch (ev) {
	case DL_EV_START:
		sm->failures = 0;
		sm_begin(sm, a);
		return;
	case DL_EV_MODEM_READY:
		/* a (re)initialised modem forgot the call */
		if (s == DL_STEP_IDLE && !sm->has_apn)
			return;
		sm->failures = 0;
		sm_begin(sm, a);
		return;
	case DL_EV_MODEM_GONE:
		if (s == DL_STEP_IDLE || s == DL_STEP_NO_CALL)
			return;
		sm->step = DL_STEP_WAIT_MODEM;
		sm_report(a, UPLINK_CONNECTING, "Waiting for the modem");
		return;
	case DL_EV_STOP:
		if (sm_calling(s))
			a->cmd = DL_CMD_HANGUP;
		sm->step = DL_STEP_IDLE;
		return;
	case DL_EV_DROP:
		if (s != DL_STEP_UP && s != DL_STEP_CHECK)
			return;
		sm->failures++;
		sm->step = DL_STEP_BACKOFF;
		a->timer_ms = datalink_backoff_ms(sm->failures);
		sm_report(a, UPLINK_CONNECTING, "Redialling after a drop");
		return;
	case DL_EV_TIMER:
		if (s == DL_STEP_BACKOFF)
			sm_begin(sm, a);
		else if (s == DL_STEP_UP) {
			sm->step = DL_STEP_CHECK;
			a->cmd = DL_CMD_CHECK;
		}
		return;
	case DL_EV_OK:
	case DL_EV_ERROR:
	case DL_EV_INACTIVE:
		break;
	}
	/* a command's answer */
	switch (s) {
	case DL_STEP_CGEREP:
		/* no +CGEV is no reason to stop: the slow check remains */
		sm->step = DL_STEP_DEFINE;
		a->cmd = DL_CMD_DEFINE;
		break;
	case DL_STEP_DEFINE:
	case DL_STEP_AUTH:
		if (ev != DL_EV_OK) {
			sm_fail(sm, a);
			break;
		}
		if (s == DL_STEP_DEFINE && sm->need_auth) {
			sm->step = DL_STEP_AUTH;
			a->cmd = DL_CMD_AUTH;
		} else {
			sm->step = DL_STEP_DIAL;
			a->cmd = DL_CMD_DIAL;
		}
		break;
	case DL_STEP_DIAL:
		if (ev != DL_EV_OK) {
			sm_fail(sm, a);
			break;
		}
		sm->step = DL_STEP_ADDR;
		a->cmd = DL_CMD_ADDRESS;
		break;
	case DL_STEP_ADDR:
		if (ev != DL_EV_OK) {
			sm_fail(sm, a);
			break;
		}
		sm->failures = 0;
		sm->step = DL_STEP_UP;
		a->timer_ms = SM_CHECK_MS;
		sm_report(a, UPLINK_UP, "modem data call");
		break;
	case DL_STEP_CHECK:
		if (ev == DL_EV_INACTIVE) {
			sm->step = DL_STEP_UP;
			datalink_sm_step(sm, DL_EV_DROP, a);
			break;
		}
		/* active, or the check itself failed: still up */
		sm->step = DL_STEP_UP;
		a->timer_ms = SM_CHECK_MS;
		break;
	default:
		break;		/* a late answer: nothing to do */
	}
}
