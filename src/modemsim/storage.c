/*
 * storage.c: the simulated SIM's SMS storage.  It owns a fixed number of
 * slots (per profile), each holding one PDU in hex as the modem lists it
 * (SMSC part first) and its 27.005 status (0 unread, 1 read, 2 unsent,
 * 3 sent), its capacity (set from the control socket), and the PDU hex
 * checks shared by the control socket and AT+CMGS.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

int
storage_init(struct sim *sim, int n)
{
	if ((sim->slots = calloc(n, sizeof *sim->slots)) == NULL)
		return (-1);
	sim->nslots = n;
	return (0);
}

void
storage_free(struct sim *sim)
{
	free(sim->slots);
	sim->slots = NULL;
	sim->nslots = 0;
}

/*
 * Check PDU hex: hex digits, even length, 2..SIM_TPDU_MAX octets, an SMSC
 * length that leaves a TPDU.  Copies it upper-cased into out (which may
 * be in).  Returns NULL, or the reason it is refused.
 */
const char *
storage_check_hex(const char *in, char *out, size_t outlen)
{
	size_t	len = strlen(in), i;

	if (len == 0)
		return ("empty PDU");
	if (len % 2 != 0)
		return ("PDU hex has an odd length");
	if (len / 2 > SIM_TPDU_MAX || len + 1 > outlen)
		return ("PDU longer than 176 octets");
	for (i = 0; i < len; i++) {
		if (!isxdigit((unsigned char)in[i]))
			return ("PDU is not hex");
	}
	for (i = 0; i < len; i++)
		out[i] = toupper((unsigned char)in[i]);
	out[len] = '\0';
	if (storage_tpdu_len(out) < 1)
		return ("PDU SMSC length leaves no TPDU");
	return (NULL);
}

/* Octet i of checked hex, or -1 past the end. */
int
storage_octet(const char *hex, int i)
{
	static const char	 digits[] = "0123456789ABCDEF";
	const char		*hi, *lo;

	if (i < 0 || (size_t)i >= strlen(hex) / 2)
		return (-1);
	hi = strchr(digits, toupper((unsigned char)hex[2 * i]));
	lo = strchr(digits, toupper((unsigned char)hex[2 * i + 1]));
	if (hi == NULL || lo == NULL || *hi == '\0' || *lo == '\0')
		return (-1);
	return ((int)((hi - digits) * 16 + (lo - digits)));
}

/* TPDU length (what +CMGS/+CMGL count): octets minus the SMSC part. */
int
storage_tpdu_len(const char *hex)
{
	int	total = (int)(strlen(hex) / 2), smsc;

	if ((smsc = storage_octet(hex, 0)) < 0 || smsc > 12)
		return (-1);
	return (total - 1 - smsc);
}

/* Store in the lowest free slot; its index (1-based), or -1 when full. */
int
storage_put(struct sim *sim, const char *hex, int stat)
{
	struct sim_slot	*s;
	int		 i;

	for (i = 0; i < sim->nslots; i++) {
		s = &sim->slots[i];
		if (s->used)
			continue;
		s->used = 1;
		s->stat = stat;
		snprintf(s->pdu, sizeof s->pdu, "%s", hex);
		return (i + 1);
	}
	return (-1);
}

int
storage_used(struct sim *sim)
{
	int	i, n = 0;

	for (i = 0; i < sim->nslots; i++)
		n += sim->slots[i].used;
	return (n);
}

/*
 * AT+CMGD=idx,flag (27.005 3.5.4): 0 that index; 1 all read; 2 read and
 * sent; 3 read, sent and unsent; 4 all.
 */
void
storage_delete(struct sim *sim, int idx, int flag)
{
	static const int	 maxstat[5] = { -1, 1, 3, 3, 3 };
	struct sim_slot		*s;
	int			 i;

	if (flag == 0) {
		if (idx >= 1 && idx <= sim->nslots)
			memset(&sim->slots[idx - 1], 0, sizeof *s);
		return;
	}
	for (i = 0; i < sim->nslots; i++) {
		s = &sim->slots[i];
		if (!s->used || s->stat > maxstat[flag])
			continue;
		if (s->stat == 0 && flag != 4)
			continue;
		if (s->stat == 2 && flag < 3)
			continue;
		memset(s, 0, sizeof *s);
	}
}

/* A new capacity; refused (-1) while a slot past it is in use. */
int
storage_resize(struct sim *sim, int n)
{
	struct sim_slot	*s;
	int		 i;

	for (i = n; i < sim->nslots; i++) {
		if (sim->slots[i].used)
			return (-1);
	}
	if ((s = reallocarray(sim->slots, n, sizeof *s)) == NULL)
		return (-1);
	for (i = sim->nslots; i < n; i++)
		memset(&s[i], 0, sizeof *s);
	sim->slots = s;
	sim->nslots = n;
	return (0);
}
