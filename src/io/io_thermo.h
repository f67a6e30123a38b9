/*
 * io_thermo.h: the thermostat's and the alarms' decisions, pure and
 * clock-free (the caller passes the time): relay 1 for the modes of FUN
 * (T follows the thermostat input, A keeps the setpoint with hysteresis,
 * M forces it on), the thermal alarm with its thresholds and inhibition,
 * and the per-alarm rate cap.
 */
#ifndef CG_IO_THERMO_H
#define CG_IO_THERMO_H

#include <time.h>

#define IO_RATE_SLOTS	100

enum io_thermo_alarm { THERMO_NONE, THERMO_HIGH, THERMO_LOW };

struct io_thermo_limits {
	int	enabled;		/* ALL:ON */
	int	has_min, has_max;
	int	min, max;		/* degrees C */
};

struct io_rate {
	time_t	at[IO_RATE_SLOTS];	/* ring of recent alarm times */
	int	next;
};

/* Relay 1 for mode 'T', 'A' or 'M': 1 on, 0 off, -1 leave it as it is. */
int io_thermo_relay(char mode, int has_temp, double t, double setpoint,
    double hysteresis, int input_level, int relay);

/* A thermal alarm now?  Outside [min, max] and not inhibited: the alarm,
 * and *inhibit_until moves to now + inhibit_s. */
enum io_thermo_alarm io_thermo_alarm(const struct io_thermo_limits *,
    double t, time_t now, time_t *inhibit_until, int inhibit_s);

/* May this alarm go out (fewer than max_per_hour in the last hour)?  A
 * yes is counted. */
int io_rate_allow(struct io_rate *, int max_per_hour, time_t now);

#endif
