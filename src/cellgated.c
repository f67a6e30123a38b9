/*
 * cellgated.c: the daemon's entry point: command line (cellgated(8)),
 * config loading and --check-config; then daemon_run().
 * Never forks: systemd (Type=notify) or the user's shell supervises it.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "daemon.h"
#include "datalink.h"
#include "log.h"
#include "privileges.h"

#include "config.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: cellgated [-c FILE] [-f] [-d] [--check-config] "
	    "[--privileges] [--ppp-run] [--version]\n"
	    "  -c, --config FILE  config file (default %s)\n"
	    "  -f, --foreground   log to stderr instead of syslog\n"
	    "  -d, --debug        debug log level\n"
	    "      --check-config check the config file and exit\n"
	    "      --privileges   print the features of the config file that "
	    "need a\n"
	    "                     privilege (see cellgated(8)) and exit\n"
	    "      --ppp-run      as root: run pppd for ppp mode (the "
	    "package's\n"
	    "                     cellgate-ppp.service)\n"
	    "      --version      print the version and exit\n",
	    CONF_DEFAULT_PATH);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "privileges", no_argument, NULL, 'P' },
		{ "ppp-run", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *path = CONF_DEFAULT_PATH;
	int ch, foreground = 0, debug = 0, check = 0, privs = 0, ppp = 0;
	struct conf *c;
	char err[512], abspath[PATH_MAX];

	while ((ch = getopt_long(argc, argv, "c:fdh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'd':
			debug = 1;
			break;
		case 'C':
			check = 1;
			break;
		case 'P':
			privs = 1;
			break;
		case 'R':
			ppp = 1;
			break;
		case 'V':
			printf("cellgated %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if ((c = calloc(1, sizeof *c)) == NULL)
		return 1;
	/* an absolute path, so SIGHUP and AT+Z find the same file */
	if (realpath(path, abspath) != NULL)
		path = abspath;
	if (conf_load(path, c, err, sizeof err) == -1) {
		fprintf(stderr, "cellgated: %s\n", err);
		free(c);
		return 1;
	}
	if (ppp) {
		datalink_ppp_run(c, err, sizeof err);	/* returns on error */
		fprintf(stderr, "cellgated: ppp: %s\n", err);
		conf_free(c);
		free(c);
		return 1;
	}
	if (privs) {
		privileges_print(c, stdout);
		conf_free(c);
		free(c);
		return 0;
	}
	if (check && conf_check_paths(c, err, sizeof err) == -1) {
		fprintf(stderr, "cellgated: %s: %s\n", path, err);
		conf_free(c);
		free(c);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK\n", path);
		conf_free(c);
		free(c);
		return 0;
	}
	log_init("cellgated", foreground);
	log_set_level(debug ? LOG_LVL_DEBUG : c->log_level);
	if (debug)
		c->log_level = LOG_LVL_DEBUG;
	return daemon_run(c, argv);
}
