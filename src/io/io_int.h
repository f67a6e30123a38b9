/*
 * io_int.h: what the io module's files share: the running items, output
 * switching, the temperature memory, settings handles and alarms.
 */
#ifndef CG_IO_INT_H
#define CG_IO_INT_H

#include <stddef.h>

#include "io_backend.h"
#include "io_thermo.h"
#include "settings.h"

#define IO_TEXT_MAX	100	/* seed: texts of up to 100 characters */

struct event_base;
struct json_object;

/* Settings handles (resolved at init). */
struct io_handles {
	const struct setting_def *restore, *input_inhibit, *startup_sms,
	    *startup_text, *input_text[4], *alarm, *alarm_min, *alarm_max,
	    *alarm_inhibit, *setpoint, *hysteresis, *mode, *text_high,
	    *text_low, *interval, *ring_time, *max_per_hour;
};
extern struct io_handles io_h;

extern struct io_item io_items[IO_ITEMS_MAX];
extern size_t io_nitems;
extern int io_running;

struct io_item *io_find(const char *name);
/* The index-th (1-based) item of a kind, or NULL. */
struct io_item *io_nth(enum io_kind, int index);
/* Drive an output; persists its state.  0, or -1 with err. */
int io_output_set(struct io_item *, int on, const char *why, char *err,
    size_t errlen);
/* The TEMP message: "TEMP:+21.5C MIN:+19.0C MAX:+23.0C"; -1 without a
 * sensor. */
int io_temp_message(char *out, size_t outlen);
void io_temp_reset(void);
struct json_object *io_item_json(const struct io_item *);
void io_setting_changed(const struct setting_def *);
int io_parse_threshold(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen);

/* io_alarm.c: SMS to the alarm_sms positions, then one call after another
 * to the alarm_call positions; an "alarm" event. */
void io_alarm_init(struct event_base *);
void io_alarm_shutdown(void);
void io_alarm_raise(const char *source, const char *kind, const char *text);
/* The startup SMS to the alarm_sms positions. */
void io_alarm_broadcast(const char *text, const char *origin);
struct json_object *io_alarm_status(void);

#endif
