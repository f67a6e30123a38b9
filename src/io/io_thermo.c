/*
 * io_thermo.c: the thermostat and alarm decisions (see io_thermo.h).
 */
#include <string.h>

#include "io_thermo.h"

int
io_thermo_relay(char mode, int has_temp, double t, double setpoint,
    double hysteresis, int input_level, int relay)
{
	switch (mode) {
	case 'M':
		return 1;
	case 'T':
		return input_level < 0 ? -1 : input_level != 0;
	case 'A':
		if (!has_temp)
			return -1;
		/* heating: on below the band, off above it */
		if (t <= setpoint - hysteresis)
			return 1;
		if (t >= setpoint + hysteresis)
			return 0;
		return -1;
	default:
		return -1;
	}
	(void)relay;
}

enum io_thermo_alarm
io_thermo_alarm(const struct io_thermo_limits *l, double t, time_t now,
    time_t *inhibit_until, int inhibit_s)
{
	enum io_thermo_alarm a = THERMO_NONE;

	if (!l->enabled)
		return THERMO_NONE;
	if (l->has_max && t > l->max)
		a = THERMO_HIGH;
	else if (l->has_min && t < l->min)
		a = THERMO_LOW;
	if (a == THERMO_NONE || now < *inhibit_until)
		return THERMO_NONE;
	*inhibit_until = now + inhibit_s;
	return a;
}

int
io_rate_allow(struct io_rate *r, int max_per_hour, time_t now)
{
	int n = 0;

	if (max_per_hour > IO_RATE_SLOTS)
		max_per_hour = IO_RATE_SLOTS;
	for (int i = 0; i < IO_RATE_SLOTS; i++)
		if (r->at[i] != 0 && r->at[i] > now - 3600 && r->at[i] <= now)
			n++;
	if (n >= max_per_hour)
		return 0;
	r->at[r->next] = now;
	r->next = (r->next + 1) % IO_RATE_SLOTS;
	return 1;
}
