/*
 * fault.c: what a "fail" rule from the control socket can do to the AT
 * command it matches, besides answering a chosen result (at.c): no answer
 * ("silent"), run it and lose the answer ("lost"), answer line noise
 * ("garbage"), or drop the port as a USB unplug does ("drop", done from a
 * zero timer so the AT interpreter finishes its input first; "replug"
 * brings the modem back).
 */

#include <string.h>
#include <strings.h>

#include "sim.h"

static const char *const fault_names[] = {
	[SIM_FAULT_TEXT] = "text",
	[SIM_FAULT_SILENT] = "silent",
	[SIM_FAULT_LOST] = "lost",
	[SIM_FAULT_GARBAGE] = "garbage",
	[SIM_FAULT_DROP] = "drop",
};

/* A fault keyword; -1 when the word is a result text instead. */
int
fault_parse(const char *word, enum sim_fault *kind)
{
	int	i;

	for (i = SIM_FAULT_SILENT; i <= SIM_FAULT_DROP; i++) {
		if (strcasecmp(word, fault_names[i]) == 0) {
			*kind = (enum sim_fault)i;
			return (0);
		}
	}
	return (-1);
}

const char *
fault_name(enum sim_fault kind)
{
	return (fault_names[kind]);
}

/* Line noise: a broken line with bytes a parser must survive, no final
 * result code. */
void
fault_garbage(struct evbuffer *out)
{
	static const unsigned char noise[] = {
		'\r', '\n', '+', 'C', 0xff, 'S', ':', ' ', 0x00, 0x1b, '[',
		'0', 'm', 0xfe, '\r', '\r', '\n', 'O', 0x80, 'K', '>', ' ',
		'\n', 0x7f, '~', 0xc3, '\r', '\n'
	};

	evbuffer_add(out, noise, sizeof noise);
}

static void
fault_drop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim	*sim = arg;

	if (sim->plugged)
		sim_unplug(sim);
}

void
fault_drop(struct sim *sim)
{
	struct timeval	tv = { 0, 0 };

	sim_log(sim, "fault: dropping the port");
	if (sim->ev_drop == NULL &&
	    (sim->ev_drop = evtimer_new(sim->base, fault_drop_cb, sim)) ==
	    NULL)
		return;
	evtimer_add(sim->ev_drop, &tv);
}

void
fault_free(struct sim *sim)
{
	if (sim->ev_drop != NULL)
		event_free(sim->ev_drop);
	sim->ev_drop = NULL;
}
