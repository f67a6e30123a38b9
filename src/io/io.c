/*
 * io.c: the io module's running state: it opens every configured item
 * (outputs first, driven to their restored or off state before anything
 * else), watches inputs on the loop (debounced by a timer), reads sensors
 * in child processes every thermo.interval seconds, keeps the temperature
 * memory (TEMP/TRES), runs the thermostat of relay 1 and decides alarms
 * (inhibition, rate cap), publishing "io" events.  Output states and the
 * temperature memory are kept in the store's meta table.
 */
#include <sys/types.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "conf.h"
#include "events.h"
#include "io.h"
#include "io_int.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define IO_SENSOR_TIMEOUT_S	10

struct io_handles io_h;
struct io_item io_items[IO_ITEMS_MAX];
size_t io_nitems;
int io_running;

static struct event_base *io_base;
static struct event *io_sensor_timer;
static struct io_item *io_thermo_in;		/* thermostat_input */
static struct io_rate io_rates[IO_ITEMS_MAX];
static time_t io_thermo_inhibit;
static struct {
	int	has;
	double	min, max;
} io_mem;

struct io_item *
io_find(const char *name)
{
	for (size_t i = 0; i < io_nitems; i++)
		if (util_strcaseeq(io_items[i].c.name, name))
			return &io_items[i];
	return NULL;
}

struct io_item *
io_nth(enum io_kind kind, int index)
{
	for (size_t i = 0; i < io_nitems; i++)
		if (io_items[i].c.kind == kind && io_items[i].index == index)
			return &io_items[i];
	return NULL;
}

static const struct io_backend *
io_backend_of(enum io_btype b)
{
	switch (b) {
	case IO_B_FILE:
		return &io_backend_file;
	case IO_B_W1:
		return &io_backend_w1;
	case IO_B_COMMAND:
		return &io_backend_command;
	case IO_B_GPIO:
		return io_backend_gpio;
	default:
		return NULL;
	}
}

struct json_object *
io_item_json(const struct io_item *it)
{
	struct json_object *o = json_object_new_object();
	char when[UTIL_RFC3339_LEN];

	json_object_object_add(o, "name", json_object_new_string(it->c.name));
	json_object_object_add(o, "kind",
	    json_object_new_string(io_kind_name(it->c.kind)));
	json_object_object_add(o, "index", json_object_new_int(it->index));
	json_object_object_add(o, "backend",
	    json_object_new_string(io_btype_name(it->c.backend)));
	json_object_object_add(o, "target", json_object_new_string(
	    it->c.backend == IO_B_COMMAND ? it->c.argv[0] : it->c.target));
	if (it->c.kind == IO_SENSOR) {
		json_object_object_add(o, "state", json_object_new_string(
		    it->error[0] ? "error" : it->has_temp ? "ok" : "unknown"));
		json_object_object_add(o, "value", it->has_temp ?
		    json_object_new_double(it->temp) : NULL);
	} else {
		json_object_object_add(o, "state", json_object_new_string(
		    it->value < 0 ? "unknown" : it->value ? "on" : "off"));
		json_object_object_add(o, "value", it->value < 0 ? NULL :
		    json_object_new_int(it->value));
	}
	json_object_object_add(o, "last_change", it->changed == 0 ? NULL :
	    json_object_new_string(util_rfc3339(when, sizeof when,
	    (long long)it->changed, -1)));
	json_object_object_add(o, "error", json_object_new_string(it->error));
	return o;
}

static void
io_publish(const struct io_item *it)
{
	events_publish("io", io_item_json(it));
}

static void
io_set_error(struct io_item *it, const char *err)
{
	int was = it->error[0] != '\0';

	util_strlcpy(it->error, err, sizeof it->error);
	if (!was || it->c.kind == IO_SENSOR) {
		char esc[2 * sizeof it->error];

		util_escape(esc, sizeof esc, err, strlen(err));
		log_warnx("io: %s: %s", it->c.name, esc);
	}
	if (!was)
		io_publish(it);
}

/* The stored state of an output ("io.out.NAME" in meta): 0/1, or -1. */
static int
io_stored(const struct io_item *it)
{
	char key[64], v[8];

	snprintf(key, sizeof key, "io.out.%s", it->c.name);
	if (store_meta_get(key, v, sizeof v) == -1)
		return -1;
	return strcmp(v, "1") == 0 ? 1 : strcmp(v, "0") == 0 ? 0 : -1;
}

int
io_output_set(struct io_item *it, int on, const char *why, char *err,
    size_t errlen)
{
	char key[64];

	if (it->c.kind != IO_OUTPUT) {
		snprintf(err, errlen, "%s is not an output", it->c.name);
		return -1;
	}
	if (!it->opened) {
		snprintf(err, errlen, "%s is not available: %s", it->c.name,
		    it->error);
		return -1;
	}
	if (it->be->write(it, on, err, errlen) == -1) {
		io_set_error(it, err);
		return -1;
	}
	it->error[0] = '\0';
	snprintf(key, sizeof key, "io.out.%s", it->c.name);
	if (store_meta_put(key, on ? "1" : "0") == -1)
		log_warnx("io: %s: state not stored: %s", it->c.name,
		    store_errmsg());
	if (it->value != on) {
		it->value = on;
		it->changed = time(NULL);
		log_info("io: %s %s (%s)", it->c.name, on ? "on" : "off", why);
		io_publish(it);
	}
	return 0;
}

/* Relay 1 as the thermostat mode wants it. */
static void
io_thermo_eval(const char *why)
{
	struct io_item *relay = io_nth(IO_OUTPUT, 1), *s = io_nth(IO_SENSOR, 1);
	double h = strtod(settings_value(io_h.hysteresis), NULL);
	int want;
	char err[256];

	if (relay == NULL || !io_running)
		return;
	want = io_thermo_relay(settings_value(io_h.mode)[0],
	    s != NULL && s->has_temp, s != NULL ? s->temp : 0,
	    (double)settings_int(io_h.setpoint), h,
	    io_thermo_in != NULL ? io_thermo_in->value : -1, relay->value);
	if (want >= 0 && want != relay->value)
		(void)io_output_set(relay, want, why, err, sizeof err);
}

/* ---- temperature memory ---- */

static void
io_mem_store(void)
{
	char v[64];

	if (io_mem.has)
		snprintf(v, sizeof v, "%.2f %.2f", io_mem.min, io_mem.max);
	else
		v[0] = '\0';
	if (store_meta_put("io.temp_memory", v) == -1)
		log_warnx("io: temperature memory not stored: %s",
		    store_errmsg());
}

static void
io_mem_load(void)
{
	char v[64];

	io_mem.has = 0;
	if (store_meta_get("io.temp_memory", v, sizeof v) == 0 &&
	    sscanf(v, "%lf %lf", &io_mem.min, &io_mem.max) == 2)
		io_mem.has = 1;
}

void
io_temp_reset(void)
{
	struct io_item *s = io_nth(IO_SENSOR, 1);

	io_mem.has = s != NULL && s->has_temp;
	if (io_mem.has)
		io_mem.min = io_mem.max = s->temp;
	io_mem_store();
}

int
io_temp_message(char *out, size_t outlen)
{
	struct io_item *s = io_nth(IO_SENSOR, 1);
	char cur[48], mn[16] = "--", mx[16] = "--";

	if (s == NULL)
		return -1;
	if (s->has_temp)
		snprintf(cur, sizeof cur, "%+.1fC", s->temp);
	else
		snprintf(cur, sizeof cur, "ERROR");
	if (io_mem.has) {
		snprintf(mn, sizeof mn, "%+.1fC", io_mem.min);
		snprintf(mx, sizeof mx, "%+.1fC", io_mem.max);
	}
	snprintf(out, outlen, "TEMP:%s MIN:%s MAX:%s", cur, mn, mx);
	return 0;
}

/* ---- sensors ---- */

static void
io_sensor_result(struct io_item *it)
{
	struct io_thermo_limits l;
	enum io_thermo_alarm a;
	double c;
	char err[160];
	const char *errstr;

	if (it->be->sensor_parse(it, it->out, it->outlen, &c, err,
	    sizeof err) == -1) {
		it->has_temp = 0;
		io_set_error(it, err);
		return;
	}
	if (it->error[0] != '\0')
		log_info("io: %s reads again", it->c.name);
	it->error[0] = '\0';
	if (!it->has_temp || it->temp != c) {
		it->changed = time(NULL);
		it->temp = c;
		it->has_temp = 1;
		io_publish(it);
	}
	if (it->index != 1)
		return;
	if (!io_mem.has || c < io_mem.min || c > io_mem.max) {
		if (!io_mem.has)
			io_mem.min = io_mem.max = c;
		io_mem.has = 1;
		if (c < io_mem.min)
			io_mem.min = c;
		if (c > io_mem.max)
			io_mem.max = c;
		io_mem_store();
	}
	/* a reading moves relay 1 only in automatic mode */
	if (settings_value(io_h.mode)[0] == 'A')
		io_thermo_eval("thermostat");
	memset(&l, 0, sizeof l);
	l.enabled = settings_bool(io_h.alarm);
	if (settings_value(io_h.alarm_min)[0] != '\0') {
		l.has_min = 1;
		l.min = (int)util_strtonum(settings_value(io_h.alarm_min), -10,
		    99, &errstr);
	}
	if (settings_value(io_h.alarm_max)[0] != '\0') {
		l.has_max = 1;
		l.max = (int)util_strtonum(settings_value(io_h.alarm_max), -10,
		    99, &errstr);
	}
	a = io_thermo_alarm(&l, c, time(NULL), &io_thermo_inhibit,
	    (int)settings_int(io_h.alarm_inhibit) * 60);
	if (a == THERMO_NONE)
		return;
	if (!io_rate_allow(&io_rates[it - io_items],
	    (int)settings_int(io_h.max_per_hour), time(NULL))) {
		log_warnx("io: %s: thermal alarm over the rate cap, not sent",
		    it->c.name);
		return;
	}
	io_alarm_raise(it->c.name, a == THERMO_HIGH ? "high" : "low",
	    settings_value(a == THERMO_HIGH ? io_h.text_high : io_h.text_low));
}

static void
io_sensor_end(struct io_item *it)
{
	if (it->child_ev != NULL) {
		event_free(it->child_ev);
		it->child_ev = NULL;
	}
	if (it->child_timer != NULL)
		evtimer_del(it->child_timer);
	if (it->child_fd != -1)
		close(it->child_fd);
	it->child_fd = -1;
	it->child = 0;
}

static void
io_sensor_readable(evutil_socket_t fd, short what, void *arg)
{
	struct io_item *it = arg;
	ssize_t r;

	for (;;) {
		if (it->outlen >= IO_READ_MAX) {
			/* too much: the parser decides on what came */
			r = 0;
			break;
		}
		r = read(fd, it->out + it->outlen, IO_READ_MAX - it->outlen);
		if (r > 0) {
			it->outlen += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		break;
	}
	it->out[it->outlen] = '\0';
	io_sensor_end(it);
	io_sensor_result(it);
}

static void
io_sensor_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct io_item *it = arg;

	if (it->child > 0)
		kill(it->child, SIGKILL);
	io_sensor_end(it);
	it->has_temp = 0;
	io_set_error(it, "read timed out");
}

static void
io_sensor_start(struct io_item *it)
{
	struct timeval tv = { IO_SENSOR_TIMEOUT_S, 0 };
	char err[160];
	int fd = -1;
	pid_t pid;

	if (it->child != 0)
		return;		/* the last read is still running */
	if ((pid = it->be->sensor_start(it, &fd, err, sizeof err)) == -1) {
		it->has_temp = 0;
		io_set_error(it, err);
		return;
	}
	it->child = pid;
	it->child_fd = fd;
	it->outlen = 0;
	it->child_ev = event_new(io_base, fd, EV_READ | EV_PERSIST,
	    io_sensor_readable, it);
	event_add(it->child_ev, NULL);
	evtimer_add(it->child_timer, &tv);
}

static void
io_sensor_arm(void)
{
	struct timeval tv = { settings_int(io_h.interval), 0 };

	if (io_sensor_timer != NULL)
		evtimer_add(io_sensor_timer, &tv);
}

static void
io_sensor_tick(evutil_socket_t fd, short what, void *arg)
{
	for (size_t i = 0; i < io_nitems; i++)
		if (io_items[i].c.kind == IO_SENSOR)
			io_sensor_start(&io_items[i]);
	io_sensor_arm();
}

/* ---- inputs ---- */

static void
io_input_accept(struct io_item *it, int level)
{
	time_t now = time(NULL);
	char text[IO_TEXT_MAX + 1];

	it->value = level;
	it->changed = now;
	log_info("io: input %s %s", it->c.name, level ? "active" : "idle");
	io_publish(it);
	if (it == io_thermo_in) {
		if (settings_value(io_h.mode)[0] == 'T')
			io_thermo_eval("thermostat input");
		return;
	}
	if (!level)
		return;
	if (now < it->inhibit_until) {
		log_info("io: input %s inhibited for %lld s more", it->c.name,
		    (long long)(it->inhibit_until - now));
		return;
	}
	it->inhibit_until = now + settings_int(io_h.input_inhibit) * 60;
	if (!io_rate_allow(&io_rates[it - io_items],
	    (int)settings_int(io_h.max_per_hour), now)) {
		log_warnx("io: input %s: alarm over the rate cap, not sent",
		    it->c.name);
		return;
	}
	if (it->index >= 1 && it->index <= 4)
		util_strlcpy(text, settings_value(io_h.input_text[it->index -
		    1]), sizeof text);
	else
		snprintf(text, sizeof text, "ALARM INPUT %s", it->c.name);
	io_alarm_raise(it->c.name, "input", text);
}

static void
io_input_sample(struct io_item *it)
{
	char err[160];
	int level;

	if (!it->opened)
		return;
	if (it->be->read(it, &level, err, sizeof err) == -1) {
		io_set_error(it, err);
		return;
	}
	if (it->error[0] != '\0') {
		it->error[0] = '\0';
		log_info("io: %s reads again", it->c.name);
	}
	if (level != it->value)
		io_input_accept(it, level);
}

static void
io_debounce_cb(evutil_socket_t fd, short what, void *arg)
{
	io_input_sample(arg);
}

static void
io_input_cb(evutil_socket_t fd, short what, void *arg)
{
	struct io_item *it = arg;
	struct timeval tv = { it->c.debounce_ms / 1000,
	    (it->c.debounce_ms % 1000) * 1000 };

	it->be->drain(it);
	if (it->c.debounce_ms > 0 && !it->hw_debounce)
		evtimer_add(it->debounce_ev, &tv);	/* restarts it */
	else
		io_input_sample(it);
}

/* ---- settings ---- */

void
io_setting_changed(const struct setting_def *d)
{
	if (!io_running)
		return;
	if (d == io_h.interval) {
		evtimer_del(io_sensor_timer);
		io_sensor_arm();
	} else if (d == io_h.mode || d == io_h.setpoint ||
	    d == io_h.hysteresis)
		io_thermo_eval("thermostat setting");
	else if (d == io_h.alarm_min || d == io_h.alarm_max ||
	    d == io_h.alarm)
		io_thermo_inhibit = 0;
}

static void
io_resolve(void)
{
	char n[32];

	io_h.restore = settings_ref("io.restore", SETTING_BOOL);
	io_h.input_inhibit = settings_ref("io.input_inhibit", SETTING_INT);
	io_h.startup_sms = settings_ref("io.startup_sms", SETTING_BOOL);
	io_h.startup_text = settings_ref("io.startup_text", SETTING_STRING);
	for (int i = 0; i < 4; i++) {
		snprintf(n, sizeof n, "io.input_text.%d", i + 1);
		io_h.input_text[i] = settings_ref(n, SETTING_STRING);
	}
	io_h.alarm = settings_ref("thermo.alarm", SETTING_BOOL);
	io_h.alarm_min = settings_ref("thermo.alarm_min", SETTING_CUSTOM);
	io_h.alarm_max = settings_ref("thermo.alarm_max", SETTING_CUSTOM);
	io_h.alarm_inhibit = settings_ref("thermo.alarm_inhibit", SETTING_INT);
	io_h.setpoint = settings_ref("thermo.setpoint", SETTING_INT);
	io_h.hysteresis = settings_ref("thermo.hysteresis", SETTING_CUSTOM);
	io_h.mode = settings_ref("thermo.mode", SETTING_ENUM);
	io_h.text_high = settings_ref("thermo.text_high", SETTING_STRING);
	io_h.text_low = settings_ref("thermo.text_low", SETTING_STRING);
	io_h.interval = settings_ref("thermo.interval", SETTING_INT);
	io_h.ring_time = settings_ref("alarm.ring_time", SETTING_INT);
	io_h.max_per_hour = settings_ref("alarm.max_per_hour", SETTING_INT);
}

/* ---- module ---- */

static int
io_open_item(struct io_item *it, char *err, size_t errlen)
{
	int initial = 0, stored;

	if (it->c.kind == IO_OUTPUT) {
		stored = io_stored(it);
		if (settings_bool(io_h.restore) && stored >= 0)
			initial = stored;
		if (it->index == 1 && settings_value(io_h.mode)[0] == 'M')
			initial = 1;
	}
	if (it->be->open(it, initial, err, errlen) == -1)
		return -1;
	it->opened = 1;
	if (it->c.kind == IO_OUTPUT) {
		char key[64];

		it->value = initial;
		it->changed = time(NULL);
		snprintf(key, sizeof key, "io.out.%s", it->c.name);
		(void)store_meta_put(key, initial ? "1" : "0");
	} else if (it->c.kind == IO_INPUT) {
		char why[160];
		int level;

		if (it->be->read(it, &level, why, sizeof why) == 0)
			it->value = level;
		else
			util_strlcpy(it->error, why, sizeof it->error);
		it->changed = time(NULL);
		if (it->fd != -1) {
			it->ev = event_new(io_base, it->fd,
			    EV_READ | EV_PERSIST, io_input_cb, it);
			event_add(it->ev, NULL);
		}
		it->debounce_ev = evtimer_new(io_base, io_debounce_cb, it);
	} else
		it->child_timer = evtimer_new(io_base, io_sensor_timeout, it);
	return 0;
}

static void
io_close_all(void)
{
	for (size_t i = 0; i < io_nitems; i++) {
		struct io_item *it = &io_items[i];

		if (it->child > 0)
			kill(it->child, SIGKILL);
		io_sensor_end(it);
		if (it->child_timer != NULL)
			event_free(it->child_timer);
		if (it->ev != NULL)
			event_free(it->ev);
		if (it->debounce_ev != NULL)
			event_free(it->debounce_ev);
		it->child_timer = it->ev = it->debounce_ev = NULL;
		if (it->be != NULL && it->be->close != NULL)
			it->be->close(it);
		it->be = NULL;
	}
	io_nitems = 0;
}

int
io_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	const struct io_conf *ioc = c->io;
	int count[IO_KIND_MAX] = { 0 };
	char why[192];

	io_base = base;
	io_resolve();
	io_nitems = 0;
	memset(io_rates, 0, sizeof io_rates);
	io_thermo_inhibit = 0;
	io_thermo_in = NULL;
	io_mem_load();
	io_alarm_init(base);
	/* outputs first: they are driven before anything else runs */
	for (int pass = 0; pass < IO_KIND_MAX && ioc != NULL; pass++) {
		for (size_t i = 0; i < ioc->n; i++) {
			struct io_item *it = &io_items[io_nitems];

			if ((int)ioc->items[i].kind != pass)
				continue;
			memset(it, 0, sizeof *it);
			it->c = ioc->items[i];
			it->fd = it->child_fd = -1;
			it->value = -1;
			it->index = ++count[pass];
			it->be = io_backend_of(it->c.backend);
			io_nitems++;
			if (it->be == NULL) {
				snprintf(err, errlen, "io: %s: no %s support "
				    "in this build", it->c.name,
				    io_btype_name(it->c.backend));
				io_close_all();
				return -1;
			}
			/* a broken item is an error state, reported; the
			 * rest of the daemon still runs */
			if (io_open_item(it, why, sizeof why) == -1) {
				if (it->be->close != NULL)
					it->be->close(it);
				io_set_error(it, why);
			}
		}
	}
	if (ioc != NULL && ioc->thermostat_input[0] != '\0')
		io_thermo_in = io_find(ioc->thermostat_input);
	io_sensor_timer = evtimer_new(base, io_sensor_tick, NULL);
	io_running = 1;
	/* the first reads at once; then every thermo.interval */
	if (count[IO_SENSOR] > 0)
		io_sensor_tick(-1, 0, NULL);
	/* no thermostat decision here: relay 1 keeps its restored state
	 * until the thermostat input changes or a reading asks otherwise
	 * (FUN:M was applied as the start value) */
	if (settings_bool(io_h.startup_sms))
		io_alarm_broadcast(settings_value(io_h.startup_text),
		    "startup");
	log_info("io: %d outputs, %d inputs, %d sensors", count[IO_OUTPUT],
	    count[IO_INPUT], count[IO_SENSOR]);
	return 0;
}

void
io_reload(const struct conf *c)
{
	/* hardware is fixed while running: a change needs a restart */
}

void
io_shutdown(void)
{
	io_running = 0;
	io_alarm_shutdown();
	io_close_all();
	if (io_sensor_timer != NULL) {
		event_free(io_sensor_timer);
		io_sensor_timer = NULL;
	}
}

struct json_object *
io_status(void)
{
	struct json_object *o = json_object_new_object(), *a;
	char msg[128];

	a = json_object_new_array();
	for (size_t i = 0; i < io_nitems; i++)
		json_object_array_add(a, io_item_json(&io_items[i]));
	json_object_object_add(o, "items", a);
	if (io_h.mode == NULL)		/* not started */
		return o;
	json_object_object_add(o, "mode",
	    json_object_new_string(settings_value(io_h.mode)));
	json_object_object_add(o, "setpoint",
	    json_object_new_int64(settings_int(io_h.setpoint)));
	if (io_temp_message(msg, sizeof msg) == 0)
		json_object_object_add(o, "temp", json_object_new_string(msg));
	json_object_object_add(o, "alarms", io_alarm_status());
	return o;
}
