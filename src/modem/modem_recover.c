/*
 * modem_recover.c: the recovery ladder (doc/modem.md).  Each failure (a
 * command with no answer after its retry, a bring-up step that fails)
 * climbs one rung, waiting a backoff first (doubling from 1 s up to
 * modem.recovery_max seconds): retry (is the modem just slow? probe with
 * AT) -> re-init -> radio off/on (+CFUN=0/1) -> modem reset (+CFUN=1,1
 * or the quirk's) -> close and reopen the port -> USB deauthorize and
 * authorize (modem.usb_reset) -> power-cycle hook
 * (modem.power_cycle_command, run with fork/exec, no shell).  After the
 * top rung it starts again at re-init, at the capped backoff, forever: a
 * gateway must come back by itself.  Reaching REGISTERING/READY (or a
 * SIM verdict) ends the recovery and resets the ladder.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "modem_int.h"
#include "settings.h"
#include "spawn.h"
#include "sysbus.h"
#include "util.h"

#define RECOVER_RESET_WAIT_MS	15000	/* after a reset, before re-init */
#define RECOVER_RADIO_MS	15000
#define RECOVER_USB_UNIT	"cellgate-usb-reset@.service"
#define RECOVER_USB_UNIT_FMT	"cellgate-usb-reset@%s.service"

static const char *const modem_rung_names[RUNG_MAX] = {
	"retry", "re-init", "radio off/on", "modem reset", "reopen port",
	"usb reset", "power cycle"
};

static enum modem_state recover_prev;	/* state the trouble began in */
static unsigned recover_gen;

const char *
modem_rung_name(enum modem_rung r)
{
	if (r < 0 || r >= RUNG_MAX)
		return "none";
	return modem_rung_names[r];
}

static void recover_run(void);

static int
recover_rung_enabled(enum modem_rung r)
{
	switch (r) {
	case RUNG_USB:
		return settings_bool(modem_set.usb_reset);
	case RUNG_POWER:
		return settings_value(modem_set.power_cycle)[0] != '\0';
	default:
		return 1;
	}
}

static void
recover_cb(evutil_socket_t fd, short what, void *arg)
{
	recover_run();
}

static void
recover_schedule(int delay_s)
{
	struct timeval tv = { delay_s, 0 };

	if (mdm.ev_recover == NULL)
		mdm.ev_recover = evtimer_new(mdm.base, recover_cb, NULL);
	evtimer_add(mdm.ev_recover, &tv);
}

void
modem_recover_fail(const char *why)
{
	int cap = (int)settings_int(modem_set.recovery_max);
	char esc[120];
	int delay;

	if (!mdm.running)
		return;
	util_escape(esc, sizeof esc, why, strlen(why));
	modem_seq_abort();
	modem_net_poll_stop();
	if (mdm.rung == RUNG_NONE) {
		recover_prev = mdm.state;
		mdm.rung = RUNG_RETRY;
		mdm.backoff_s = 0;
		mdm.recoveries++;
		util_strlcpy(mdm.recovery_why, esc, sizeof mdm.recovery_why);
		log_warnx("modem: trouble (%s): starting recovery", esc);
	} else {
		do {
			mdm.rung++;
			if (mdm.rung >= RUNG_MAX)
				mdm.rung = RUNG_REINIT;
		} while (!recover_rung_enabled(mdm.rung));
		mdm.backoff_s = mdm.backoff_s == 0 ? 1 : mdm.backoff_s * 2;
		if (mdm.backoff_s > cap)
			mdm.backoff_s = cap;
	}
	delay = mdm.backoff_s;
	if (mdm.ch != NULL)
		atchan_flush(mdm.ch, MODEM_GONE);
	modem_set_state(MODEM_RECOVERING, "%s in %d s (after: %s)",
	    modem_rung_name(mdm.rung), delay, esc);
	recover_schedule(delay);
}

void
modem_recover_done(void)
{
	if (mdm.rung == RUNG_NONE)
		return;
	log_info("modem: recovered (rung: %s)", modem_rung_name(mdm.rung));
	mdm.rung = RUNG_NONE;
	mdm.backoff_s = 0;
	if (mdm.ev_recover != NULL)
		evtimer_del(mdm.ev_recover);
}

void
modem_recover_stop(void)
{
	mdm.rung = RUNG_NONE;
	mdm.backoff_s = 0;
	recover_gen++;
	if (mdm.ev_recover != NULL)
		evtimer_del(mdm.ev_recover);
}

/* ---- rung actions ---- */

static int
recover_current(void *arg)
{
	return (unsigned)(uintptr_t)arg == recover_gen && mdm.running;
}

static void
recover_probe_cb(const struct modem_response *r, void *arg)
{
	if (!recover_current(arg) || r->final == MODEM_GONE)
		return;
	if (r->final != MODEM_OK) {
		modem_recover_fail("no answer to AT");
		return;
	}
	/* only slow: carry on where we were, if that was a settled state */
	if (recover_prev == MODEM_READY || recover_prev == MODEM_REGISTERING) {
		log_info("modem: answers again; no re-init needed");
		modem_recover_done();
		modem_set_state(MODEM_REGISTERING, "answers again");
		modem_net_check_state();
		modem_net_poll_schedule();
	} else
		modem_seq_begin("recovery: re-init");
}

static void
recover_radio_cb(const struct modem_response *r, void *arg)
{
	if (!recover_current(arg) || r->final == MODEM_GONE)
		return;
	if (r->final != MODEM_OK) {
		modem_recover_fail(r->command);
		return;
	}
	if (strcmp(r->command, "AT+CFUN=0") == 0) {
		if (modem_send("AT+CFUN=1", RECOVER_RADIO_MS, 0,
		    recover_radio_cb, arg) == -1)
			modem_recover_fail("cannot queue AT+CFUN=1");
		return;
	}
	modem_seq_begin("recovery: radio cycled");
}

static void
recover_reset_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!recover_current(arg))
		return;
	if (mdm.port != NULL)
		modem_seq_begin("recovery: after modem reset");
}

static void
recover_reset_cb(const struct modem_response *r, void *arg)
{
	struct timeval tv = { RECOVER_RESET_WAIT_MS / 1000, 0 };

	if (!recover_current(arg) || r->final == MODEM_GONE)
		return;
	if (r->final != MODEM_OK) {
		modem_recover_fail(r->command);
		return;
	}
	/* a USB modem vanishes and comes back (the port watch takes it
	 * from there); a UART one says RDY (a restart sign) or not: then
	 * this timer starts the bring-up */
	event_base_once(mdm.base, -1, EV_TIMEOUT, recover_reset_wait_cb, arg,
	    &tv);
}

static void
recover_usb_unit_done(const char *error, void *arg)
{
	if (error != NULL)
		log_warnx("modem: usb reset through %s refused: %s (the "
		    "package's polkit rule allows it only while the config "
		    "file sets modem.usb_reset)", RECOVER_USB_UNIT, error);
}

/* USB: the tty's USB device (modem_usb.c: /sys/class/tty/ttyUSB2/device
 * is the usb-serial port, below the interface 1-1.2:1.2; ttyACM0's is the
 * interface), whose "authorized" file we toggle; under the shipped unit
 * (/sys read-only, no root) the package's unit
 * cellgate-usb-reset@DEVICE.service does it, started through systemd's
 * D-Bus API. */
static int
recover_usb(char *err, size_t errlen)
{
	char dev[PATH_MAX], path[PATH_MAX + 32], unit[128];
	const char *name, *base;
	int fd;

	if (mdm.port == NULL) {
		snprintf(err, errlen, "port not open");
		return -1;
	}
	name = strrchr(serial_name(mdm.port), '/');
	name = name != NULL ? name + 1 : serial_name(mdm.port);
	if (modem_usb_device_dir(MODEM_SYSFS_ROOT, name, dev, sizeof dev, err,
	    errlen) == -1)
		return -1;
	snprintf(path, sizeof path, "%s/authorized", dev);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1) {
		if (errno != EACCES && errno != EROFS && errno != EPERM) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		base = strrchr(dev, '/') != NULL ? strrchr(dev, '/') + 1 : dev;
		if (strlen(base) > 64) {
			snprintf(err, errlen, "%s: device name too long", dev);
			return -1;
		}
		snprintf(unit, sizeof unit, RECOVER_USB_UNIT_FMT, base);
		log_info("modem: %s not writable: starting %s", path, unit);
		return sysbus_unit(mdm.base, "start", unit,
		    recover_usb_unit_done, NULL, err, errlen);
	}
	if (write(fd, "0", 1) != 1 || write(fd, "1", 1) != 1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The hook is the setting's text split on blanks (spawn.c); it never
 * contains data from outside the settings registry. */
static int
recover_power(char *err, size_t errlen)
{
	pid_t pid;

	if (spawn_running(mdm.hook_pid)) {
		snprintf(err, errlen, "the previous hook is still running");
		return -1;
	}
	pid = spawn_command(settings_value(modem_set.power_cycle),
	    "modem: power-cycle hook", err, errlen);
	if (pid == -1)
		return -1;
	mdm.hook_pid = pid;
	return 0;
}

static void
recover_run(void)
{
	void *g;
	char err[PATH_MAX + 64];

	recover_gen++;
	g = (void *)(uintptr_t)recover_gen;
	log_info("modem: recovery: %s (attempt %lu)", modem_rung_name(mdm.rung),
	    mdm.recoveries);
	modem_set_state(MODEM_RECOVERING, "%s", modem_rung_name(mdm.rung));
	if (mdm.port == NULL && mdm.rung < RUNG_REOPEN &&
	    mdm.rung != RUNG_POWER) {
		/* nothing to talk to: reopen */
		if (modem_port_open() == -1)
			modem_port_watch();
		return;
	}
	switch (mdm.rung) {
	case RUNG_RETRY:
		if (modem_send("AT", 1000, ATCHAN_FRONT, recover_probe_cb,
		    g) == -1)
			modem_recover_fail("cannot queue AT");
		break;
	case RUNG_REINIT:
		modem_seq_begin("recovery: re-init");
		break;
	case RUNG_RADIO:
		if (modem_send("AT+CFUN=0", RECOVER_RADIO_MS, 0,
		    recover_radio_cb, g) == -1)
			modem_recover_fail("cannot queue AT+CFUN=0");
		break;
	case RUNG_RESET:
		if (modem_send(mdm.quirk != NULL ? mdm.quirk->reset_cmd :
		    quirk_generic.reset_cmd, 0, 0, recover_reset_cb, g) == -1)
			modem_recover_fail("cannot queue the reset");
		break;
	case RUNG_REOPEN:
		modem_port_close();
		if (modem_port_open() == -1)
			modem_port_watch();
		break;
	case RUNG_USB:
		if (recover_usb(err, sizeof err) == -1) {
			log_warnx("modem: USB reset: %s", err);
			modem_recover_fail("USB reset failed");
			return;
		}
		log_info("modem: USB device reset; waiting for the port");
		break;
	case RUNG_POWER:
		if (recover_power(err, sizeof err) == -1) {
			log_warnx("modem: power cycle: %s", err);
			modem_recover_fail("power cycle failed");
			return;
		}
		modem_port_close();
		modem_set_state(MODEM_ABSENT, "power cycled; waiting for the "
		    "port");
		modem_port_watch();
		break;
	default:
		break;
	}
}
