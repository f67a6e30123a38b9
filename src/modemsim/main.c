/*
 * main.c: cellgate-modemsim, a simulated GSM/LTE modem on a
 * pseudo-terminal.  This file owns the command line, the event loop and
 * signals, logging (--verbose, with non-printable bytes escaped), and the
 * modem-wide transitions: registration as the client sees it, reboot,
 * unplug and replug.  See cellgate-modemsim(1).
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.1.0"
#endif

#define SIM_DEFAULT_USSD "Your balance is 10.00 EUR. Valid until 31/12/2030."

void
sim_log(struct sim *sim, const char *fmt, ...)
{
	va_list	ap;

	if (!sim->verbose)
		return;
	fprintf(stderr, "modemsim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Log bytes from or to the pty, escaping everything not printable. */
void
sim_log_bytes(struct sim *sim, const char *prefix, const void *buf,
    size_t len)
{
	const unsigned char	*p = buf;
	size_t			 i;

	if (!sim->verbose)
		return;
	fprintf(stderr, "modemsim: %s", prefix);
	for (i = 0; i < len; i++) {
		if (p[i] == '\r')
			fputs("\\r", stderr);
		else if (p[i] == '\n')
			fputs("\\n", stderr);
		else if (p[i] == '\\')
			fputs("\\\\", stderr);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			fprintf(stderr, "\\x%02x", p[i]);
		else
			fputc(p[i], stderr);
	}
	fputc('\n', stderr);
}

/* Registration as reported: none without radio or with a locked SIM. */
int
sim_reg_stat(struct sim *sim)
{
	if (sim->cfun != 1 || sim->pin != SIM_PIN_READY)
		return (0);
	return (sim->net_stat);
}

/* Drop what the modem was doing: pending responses, partial input. */
static void
sim_abort(struct sim *sim)
{
	at_free_pending(sim);
	sim->input = SIM_INPUT_CMD;
	sim->line_len = 0;
	sim->line_overflow = 0;
	sim->last_cr = 0;
	sim->defer = 0;
	evtimer_del(sim->ev_defer);
	urc_call_end(sim, 0);
}

/* Power cycle: volatile settings lost, SIM locked again, boot URCs. */
void
sim_reboot(struct sim *sim)
{
	sim_log(sim, "reboot");
	sim_abort(sim);
	at_reset(sim);
	at_data_reset(sim);
	sim->cfun = 1;
	sim->cusd = 0;
	sim->ccwa = 0;
	sim->ctzr = 0;
	if (sim->pin_code[0] != '\0' && sim->pin == SIM_PIN_READY)
		sim->pin = SIM_PIN_PIN;
	sim->last_stat = sim_reg_stat(sim);
	urc_spray_set(sim, sim->profile->spray != NULL);
	urc_boot(sim);
}

void
sim_unplug(struct sim *sim)
{
	sim_log(sim, "unplug");
	sim_abort(sim);
	pty_close(sim);
}

/* A replugged USB modem has power-cycled: new pty, then reboot. */
int
sim_replug(struct sim *sim, char *err, size_t errlen)
{
	if (pty_open(sim, err, errlen) != 0)
		return (-1);
	sim_reboot(sim);
	return (0);
}

static void
sim_signal_cb(evutil_socket_t sig, short events, void *arg)
{
	struct sim	*sim = arg;

	sim_log(sim, "signal %d: exiting", (int)sig);
	event_base_loopbreak(sim->base);
}

static void
usage(FILE *f)
{
	int	i;

	fprintf(f, "usage: cellgate-modemsim --profile NAME --link PATH "
	    "--control PATH [--verbose]\n"
	    "       cellgate-modemsim --help | --version\n"
	    "profiles:");
	for (i = 0; profile_table[i] != NULL; i++)
		fprintf(f, " %s", profile_table[i]->name);
	fputc('\n', f);
}

static void __attribute__((noreturn))
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "cellgate-modemsim: %s %s (try --help)\n", what, arg);
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "link", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct sim	 sim;
	struct event	*ev_term, *ev_int;
	const char	*profile = NULL;
	char		 err[512];
	int		 ch;

	memset(&sim, 0, sizeof sim);
	sim.master = sim.slave_hold = -1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":p:l:c:vhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'p':
			profile = optarg;
			break;
		case 'l':
			sim.link_path = optarg;
			break;
		case 'c':
			sim.control_path = optarg;
			break;
		case 'v':
			sim.verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return (0);
		case 'V':
			printf("cellgate-modemsim %s\n", PACKAGE_VERSION);
			return (0);
		case ':':
			usage_error("missing argument for option",
			    argv[optind - 1]);
			break;
		default:
			usage_error("unknown option", argv[optind - 1]);
			break;
		}
	}
	if (optind < argc)
		usage_error("unexpected argument", argv[optind]);
	if (profile == NULL)
		usage_error("missing option", "--profile");
	if (sim.link_path == NULL || *sim.link_path == '\0')
		usage_error("missing option", "--link");
	if (sim.control_path == NULL || *sim.control_path == '\0')
		usage_error("missing option", "--control");
	if ((sim.profile = profile_find(profile)) == NULL)
		usage_error("unknown profile", profile);

	signal(SIGPIPE, SIG_IGN);
	if ((sim.base = event_base_new()) == NULL) {
		fprintf(stderr, "cellgate-modemsim: event_base_new failed\n");
		return (1);
	}
	sim.cfun = 1;
	sim.cmgw_stat = -1;
	sim.net_stat = 1;
	sim.act = sim.profile->act;
	sim.rssi = 20;
	sim.rsrp = 50;		/* -91 dBm */
	sim.tz = sim.profile->tz;
	sim.rsrq = 20;		/* -10 dB */
	sim.ber = 0;
	snprintf(sim.operator_name, sizeof sim.operator_name, "%s",
	    sim.profile->operator_name);
	sim.lac = 0x1A2B;
	sim.ci = 0x01B2C3D4;
	sim.pin = SIM_PIN_READY;
	sim.pin_attempts = 3;
	sim.puk_attempts = 10;
	snprintf(sim.ussd, sizeof sim.ussd, "%s", SIM_DEFAULT_USSD);
	if (storage_init(&sim, sim.profile->slots) != 0) {
		fprintf(stderr, "cellgate-modemsim: out of memory\n");
		return (1);
	}
	at_init(&sim);
	at_data_reset(&sim);
	urc_init(&sim);
	sim.last_stat = sim_reg_stat(&sim);

	if (pty_open(&sim, err, sizeof err) != 0) {
		fprintf(stderr, "cellgate-modemsim: %s\n", err);
		return (1);
	}
	if (control_open(&sim) != 0) {
		pty_close(&sim);
		return (1);
	}
	urc_spray_set(&sim, sim.profile->spray != NULL);
	ev_term = evsignal_new(sim.base, SIGTERM, sim_signal_cb, &sim);
	ev_int = evsignal_new(sim.base, SIGINT, sim_signal_cb, &sim);
	evsignal_add(ev_term, NULL);
	evsignal_add(ev_int, NULL);
	sim_log(&sim, "profile %s, control %s", sim.profile->name,
	    sim.control_path);

	event_base_dispatch(sim.base);

	control_close(&sim);
	pty_close(&sim);
	event_free(ev_term);
	event_free(ev_int);
	at_free(&sim);
	urc_free(&sim);
	at_calls_free();
	storage_free(&sim);
	held_free(&sim);
	fault_free(&sim);
	event_base_free(sim.base);
	return (0);
}
