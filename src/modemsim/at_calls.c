/*
 * at_calls.c: the simulator's record of outgoing calls, for tests of
 * alarm calls: every ATD<number>; is logged with how it ended (ATH,
 * AT+CHUP, or the far end: busy, no answer), and the outcome of the next
 * dials can be injected from the control socket ("dialmode busy 2").
 * A busy or unanswered call answers OK to the ATD, then BUSY or NO ANSWER
 * as the network would, a moment later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "sim.h"

#define CALLS_LOG_MAX	64

enum dial_mode { DIAL_RING, DIAL_BUSY, DIAL_NOANSWER };

static struct {
	struct {
		char	number[32];
		char	end[16];	/* "", "ATH", "CHUP", "busy", ... */
	}		 log[CALLS_LOG_MAX];
	int		 n;
	enum dial_mode	 mode;
	int		 count;		/* dials left in that mode */
	struct event	*ev;
	struct sim	*sim;
} cl;

static void
at_calls_end(const char *how)
{
	if (cl.n > 0 && cl.log[cl.n - 1].end[0] == '\0')
		snprintf(cl.log[cl.n - 1].end, sizeof cl.log[0].end, "%s",
		    how);
}

static void
at_calls_refuse_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim *sim = arg;

	if (sim->call != SIM_CALL_DIALING)
		return;
	sim->call = SIM_CALL_IDLE;
	at_calls_end(cl.mode == DIAL_BUSY ? "busy" : "noanswer");
	urc_emit(sim, cl.mode == DIAL_BUSY ? "BUSY" : "NO ANSWER");
	if (cl.count > 0 && --cl.count == 0)
		cl.mode = DIAL_RING;
}

/* After a successful ATD: log it, and let the far end refuse it. */
int
at_calls_dialled(struct sim *sim)
{
	struct timeval tv = { 0, 200000 };

	if (cl.n == CALLS_LOG_MAX) {
		memmove(cl.log, cl.log + 1, sizeof cl.log[0] *
		    (CALLS_LOG_MAX - 1));
		cl.n--;
	}
	memset(&cl.log[cl.n], 0, sizeof cl.log[0]);
	snprintf(cl.log[cl.n].number, sizeof cl.log[0].number, "%s",
	    sim->call_number);
	cl.n++;
	if (cl.mode != DIAL_RING) {
		if (cl.ev == NULL || cl.sim != sim) {
			if (cl.ev != NULL)
				event_free(cl.ev);
			cl.ev = evtimer_new(sim->base, at_calls_refuse_cb, sim);
			cl.sim = sim;
		}
		evtimer_add(cl.ev, &tv);
	}
	return (AT_OK);
}

/* ATH / AT+CHUP. */
void
at_calls_hangup(struct sim *sim, const char *name)
{
	if (sim->call == SIM_CALL_DIALING || sim->call == SIM_CALL_ACTIVE)
		at_calls_end(strcmp(name, "H") == 0 ? "ATH" : "CHUP");
}

void
at_calls_clear(void)
{
	cl.n = 0;
}

/* calls: [{"number": "+49...", "end": "ATH"}, ...] */
int
at_calls_control_list(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	json_arr(j, "calls");
	for (int i = 0; i < cl.n; i++) {
		json_obj(j, NULL);
		json_str(j, "number", cl.log[i].number);
		json_str(j, "end", cl.log[i].end);
		json_close(j, '}');
	}
	json_close(j, ']');
	return (0);
}

/* dialmode ring|busy|noanswer [COUNT]: how the next dials end. */
int
at_calls_control_mode(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	char *mode = strtok(args, " "), *count = strtok(NULL, " "), *end;
	long c = 0;

	if (count != NULL) {
		c = strtol(count, &end, 10);
		if (*end != '\0' || c < 1 || c > 100 || strtok(NULL, " ")) {
			snprintf(err, errlen, "usage: dialmode MODE [COUNT]");
			return (-1);
		}
	}
	if (mode != NULL && strcmp(mode, "ring") == 0)
		cl.mode = DIAL_RING;
	else if (mode != NULL && strcmp(mode, "busy") == 0)
		cl.mode = DIAL_BUSY;
	else if (mode != NULL && strcmp(mode, "noanswer") == 0)
		cl.mode = DIAL_NOANSWER;
	else {
		snprintf(err, errlen, "usage: dialmode ring|busy|noanswer "
		    "[COUNT]");
		return (-1);
	}
	cl.count = (int)c;
	return (0);
}

void
at_calls_free(void)
{
	if (cl.ev != NULL)
		event_free(cl.ev);
	cl.ev = NULL;
}
