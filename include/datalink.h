/*
 * datalink.h: the data link module (SPEC §6.1): how the device reaches
 * the internet, and bringing that uplink up when it is the modem.  Modes
 * (setting data.mode): os (observe the OS's default route), modem (the
 * modem's own data call on its USB network interface), ppp (pppd on a
 * second port), auto (the OS's route first, the modem only as fallback).
 * It is the provider of uplink.h: every state change is published there
 * and as the event "data".
 *
 * The pure helpers below (the AT+APN arguments, the vendors' dial
 * commands, the backoff, the route table, pppd's arguments and exit
 * status) are what the unit tests and the fuzzer exercise.
 */
#ifndef CG_DATALINK_H
#define CG_DATALINK_H

#include <stddef.h>

#include "cmd.h"
#include "settings.h"
#include "uplink.h"

struct conf;
struct event_base;
struct json_object;

/* The reasons other modules rely on (the cloud-connect seed's texts). */
#define DATALINK_MISSING_APN	"Missing APN"
#define DATALINK_NET_ERROR	"Network connection error"

/* ---- AT+APN=code[,user,password,auth] (datalink_apn.c) ---- */
#define DATALINK_APN_MAX	63	/* 3GPP TS 23.003 §9.1: labels, 100 */
#define DATALINK_CRED_MAX	63

struct datalink_apn {
	char	apn[DATALINK_APN_MAX + 1];
	char	user[DATALINK_CRED_MAX + 1];
	char	password[DATALINK_CRED_MAX + 1];
	char	auth[8];		/* "NONE", "PAP", "CHAP" */
	int	has_credentials;	/* the four-field form */
};

/* argv as the AT form split it.  0, or -1 with a clear reason (and *out
 * unspecified). */
int datalink_apn_parse(int argc, char *const *argv, struct datalink_apn *out,
    char *err, size_t errlen);
/* An APN (may be empty: "the network's default"), a user name or a
 * password: 1 if acceptable. */
int datalink_apn_ok(const char *apn);
int datalink_cred_ok(const char *s);

/* ---- the vendors' data call (datalink_dial.c) ---- */
struct datalink_dial {
	const char	*vendor;	/* for the log */
	int		 no_call;	/* 2G only: no data call, use ppp */
	/* the dial (followed by the quoted APN when dial_has_apn) and the
	 * hang-up command */
	const char	*dial;
	const char	*hangup;
	int		 dial_has_apn;
};

const struct datalink_dial *datalink_dial_find(const char *manufacturer,
    const char *model);
/* The dial command for an APN into out: 0, or -1 when it does not fit. */
int datalink_dial_command(const struct datalink_dial *, const char *apn,
    char *out, size_t outlen);

/* Redial delay after `failures` failures in a row, milliseconds. */
int datalink_backoff_ms(unsigned failures);

/* ---- the modem's data call, as a state machine (datalink_sm.c) ---- */
#define DATALINK_REASON_2G	"2G modem: no data call on a USB network " \
				"interface; use data.mode ppp with data.ppp_port"

enum datalink_step {
	DL_STEP_IDLE,		/* stopped, or no APN */
	DL_STEP_WAIT_MODEM,	/* until the modem is ready */
	DL_STEP_CGEREP,		/* AT+CGEREP=2,1 */
	DL_STEP_DEFINE,		/* AT+CGDCONT=1,"IP","apn" */
	DL_STEP_AUTH,		/* AT+CGAUTH=1,... */
	DL_STEP_DIAL,		/* the vendor's dial */
	DL_STEP_ADDR,		/* AT+CGPADDR=1 */
	DL_STEP_UP,
	DL_STEP_CHECK,		/* AT+CGACT? while up */
	DL_STEP_BACKOFF,	/* waiting to redial */
	DL_STEP_NO_CALL		/* a 2G modem */
};

enum datalink_event {
	DL_EV_START,		/* (re)started: settings changed */
	DL_EV_MODEM_READY,	/* every modem initialisation */
	DL_EV_MODEM_GONE,	/* a command could not be queued */
	DL_EV_OK,		/* the command in flight answered OK */
	DL_EV_ERROR,		/* ... an error or no answer */
	DL_EV_INACTIVE,		/* AT+CGACT? says context 1 is down */
	DL_EV_DROP,		/* +CGEV: the network dropped it */
	DL_EV_TIMER,
	DL_EV_STOP
};

enum datalink_cmd {
	DL_CMD_NONE, DL_CMD_CGEREP, DL_CMD_DEFINE, DL_CMD_AUTH, DL_CMD_DIAL,
	DL_CMD_ADDRESS, DL_CMD_CHECK, DL_CMD_HANGUP
};

struct datalink_sm {
	enum datalink_step	 step;
	unsigned		 failures;	/* in a row */
	/* inputs, kept current by the caller */
	int			 has_apn;
	int			 modem_ready;
	int			 no_call;	/* 2G */
	int			 need_auth;	/* AT+CGAUTH before the dial */
};

struct datalink_action {
	enum datalink_cmd	 cmd;		/* to send, or DL_CMD_NONE */
	int			 timer_ms;	/* > 0: arm the timer */
	int			 report;	/* a new state: */
	enum uplink_state	 state;
	const char		*reason;
};

void datalink_sm_step(struct datalink_sm *, enum datalink_event,
    struct datalink_action *);

/* ---- the OS's routes (datalink_route.c) ---- */
/* From the text of /proc/net/route: the interface of the default route
 * with the lowest metric, skipping interfaces for which skip(ifname)
 * returns 1 (may be NULL).  1 found (ifname filled), 0 none. */
int datalink_route_default(const char *text, int (*skip)(const char *),
    char *ifname, size_t iflen);
/* The same from the text of /proc/net/ipv6_route (::/0, up, not the
 * kernel's unreachable route on lo). */
int datalink_route_default6(const char *text, int (*skip)(const char *),
    char *ifname, size_t iflen);
/* Is this the name of a modem's network interface (wwan*, ww*, usb*,
 * ppp*)? */
int datalink_route_is_modem_if(const char *ifname);

/* ---- pppd (datalink_pppargs.c) ---- */
#define DATALINK_PPPD		"/usr/sbin/pppd"
#define DATALINK_CHAT		"/usr/sbin/chat"
#define DATALINK_PPP_ARGV_MAX	40
#define DATALINK_PPP_LINKNAME	"cellgate"

struct datalink_ppp_files {
	char	chat[300];		/* the chat script */
	char	options[300];		/* user/password, mode 0600 */
	char	connect[340];		/* the connect option's value */
};

/* The argument vector into argv (pointers into `port`, `files` and static
 * strings; NULL-terminated), `dryrun` added for the tests.  The count,
 * or -1. */
int datalink_ppp_argv(const char *port, const struct datalink_ppp_files *,
    int with_options, int dryrun, const char **argv, size_t max);
/* The chat script and the options file's text. */
int datalink_ppp_chat_text(const char *apn, char *out, size_t outlen);
int datalink_ppp_options_text(const struct datalink_apn *, char *out,
    size_t outlen);
/* ppp mode through the package's unit (datalink_pppunit.c): the request
 * file's path in the runtime directory, its text (the APN, user, password
 * and auth, one a line) and its parser (through datalink_apn_parse; text
 * is modified); -1 with err when refused. */
int datalink_ppp_request_path(const char *rundir, char *out, size_t outlen);
int datalink_ppp_request_text(const struct datalink_apn *, char *out,
    size_t outlen);
int datalink_ppp_request_parse(char *text, struct datalink_apn *,
    char *err, size_t errlen);
/* cellgated --ppp-run, as root: pppd for the config file's data.ppp_port
 * with the daemon's request; returns only on failure (-1 with err). */
int datalink_ppp_run(const struct conf *, char *err, size_t errlen);
/* pppd(8) EXIT STATUS: the meaning, and whether it is a failure to
 * connect (reason "Network connection error"). */
const char *datalink_ppp_exit_text(int status, int *net_error);

/* ---- the module row (modules.c) ---- */
int datalink_init(struct event_base *, const struct conf *, char *err,
    size_t errlen);
void datalink_reload(const struct conf *);
void datalink_shutdown(void);
struct json_object *datalink_status(void);

extern const struct setting_def datalink_settings_table[];
extern const size_t datalink_settings_table_len;
extern const struct cmd_entry datalink_cmd_table[];
extern const size_t datalink_cmd_table_len;

#endif
