/*
 * held.c: the network's side of a full SIM.  A message that arrives while
 * every storage slot is used is not lost: the network holds it (as a real
 * SMSC does after the "memory capacity exceeded" answer), the modem emits
 * its profile's storage-overflow URC once, and the network retries
 * SIM_HELD_RETRY_MS after space frees (an AT+CMGD, a larger capacity),
 * delivering the held messages in order with +CMTI (or +CMT when the
 * client asked for direct routing meanwhile).
 */

#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Hold a checked PDU; -1 when the network's queue is full too. */
int
held_add(struct sim *sim, const char *pdu)
{
	char	**n, *p;

	if (sim->nheld >= SIM_HELD_MAX)
		return (-1);
	if ((p = strdup(pdu)) == NULL)
		return (-1);
	if ((n = reallocarray(sim->held, sim->nheld + 1, sizeof *n)) == NULL) {
		free(p);
		return (-1);
	}
	sim->held = n;
	sim->held[sim->nheld++] = p;
	sim_log(sim, "storage full: message held by the network (%zu held)",
	    sim->nheld);
	if (!sim->memfull && sim->plugged) {
		sim->memfull = 1;
		if (sim->profile->memfull_urc != NULL)
			urc_emit(sim, sim->profile->memfull_urc);
	}
	return (0);
}

static void
held_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim	*sim = arg;
	size_t		 done = 0;
	int		 idx;

	if (!sim->plugged)
		return;		/* retried after the next delete */
	while (done < sim->nheld) {
		if (sim->cnmi[0] != 0 && (sim->cnmi[1] == 2 ||
		    sim->cnmi[1] == 3))
			urc_cmt(sim, sim->held[done]);
		else if ((idx = storage_put(sim, sim->held[done], 0)) > 0)
			urc_cmti(sim, idx);
		else
			break;
		free(sim->held[done++]);
	}
	memmove(sim->held, sim->held + done,
	    (sim->nheld - done) * sizeof *sim->held);
	sim->nheld -= done;
	if (done > 0)
		sim_log(sim, "network retry: %zu delivered, %zu still held",
		    done, sim->nheld);
}

/* Space may have freed: let the network retry soon. */
void
held_kick(struct sim *sim)
{
	struct timeval	tv;

	if (storage_used(sim) < sim->nslots)
		sim->memfull = 0;
	if (sim->nheld == 0)
		return;
	if (sim->ev_held == NULL &&
	    (sim->ev_held = evtimer_new(sim->base, held_cb, sim)) == NULL)
		return;
	if (evtimer_pending(sim->ev_held, NULL))
		return;
	tv.tv_sec = SIM_HELD_RETRY_MS / 1000;
	tv.tv_usec = (SIM_HELD_RETRY_MS % 1000) * 1000;
	evtimer_add(sim->ev_held, &tv);
}

void
held_free(struct sim *sim)
{
	size_t	i;

	if (sim->ev_held != NULL)
		event_free(sim->ev_held);
	sim->ev_held = NULL;
	for (i = 0; i < sim->nheld; i++)
		free(sim->held[i]);
	free(sim->held);
	sim->held = NULL;
	sim->nheld = 0;
}
