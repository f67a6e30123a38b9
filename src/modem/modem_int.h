/*
 * modem_int.h: what the files of src/modem share: the one modem context
 * (struct modem, owned by modem.c), the serial port (serial.c), the port
 * and its events (modem_port.c), the bring-up sequences (modem_seq.c),
 * registration and signal (modem_net.c), the recovery ladder
 * (modem_recover.c), the USB selector (modem_usb.c) and the vendor
 * quirks (quirk*.c).
 */
#ifndef CG_MODEM_INT_H
#define CG_MODEM_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "at_parse.h"
#include "modem.h"
#include "modem_atchan.h"

struct event;
struct event_base;

#define MODEM_PATH_MAX		256
#define MODEM_URC_SUBS		32
#define MODEM_READY_SUBS	8

/* ---- serial.c: the port (libserialport; plain termios for ptys) ---- */
struct serial;
/* Open path (symlinks resolved now), raw 8N1, no flow control, baud,
 * non-blocking, close-on-exec, input flushed. */
struct serial *serial_open(const char *path, int baud, char *err,
    size_t errlen);
int serial_fd(const struct serial *);
const char *serial_name(const struct serial *);	/* resolved path */
const char *serial_backend(const struct serial *);
/* read(2) semantics: >0 bytes, 0 end of file, -1 with errno. */
ssize_t serial_read(struct serial *, void *, size_t);
/* Write or buffer (up to 64 KiB): 0 all written, 1 some buffered (wait
 * for POLLOUT and call serial_flush), -1 error or buffer full. */
int serial_write(struct serial *, const void *, size_t);
int serial_flush(struct serial *);
void serial_close(struct serial *);

/* ---- modem_usb.c: the USB selector, see usb_sel.h ---- */
#include "usb_sel.h"

/* ---- quirk*.c: vendor differences ---- */
enum quirk_ev {
	QUIRK_EV_NOT_MINE = -1,	/* not a line of this vendor */
	QUIRK_EV_IGNORE,	/* known noise: log at debug level only */
	QUIRK_EV_SIGNAL,	/* csq (0..31, 99) and dbm are set */
	QUIRK_EV_TECH,		/* tech is set ("" = no service) */
	QUIRK_EV_BOOT,		/* the modem restarted: re-initialise */
	QUIRK_EV_MAX
};

struct quirk_event {
	enum quirk_ev	 type;
	int		 csq;
	int		 dbm;
	char		 tech[16];
};

/* How a vendor takes the data call's credentials when it refuses
 * AT+CGAUTH (+CME ERROR: 4). */
enum quirk_auth {
	QUIRK_AUTH_CGAUTH,	/* 27.007 AT+CGAUTH only */
	QUIRK_AUTH_QICSGP,	/* Quectel AT+QICSGP=cid,1,apn,user,pass,auth */
	QUIRK_AUTH_UAUTHREQ,	/* u-blox AT+UAUTHREQ=cid,auth,user,pass */
	QUIRK_AUTH_NDISDUP	/* Huawei: in the ^NDISDUP dial itself */
};

struct quirk {
	const char	 *name;		/* "simcom", shown in status */
	const char	 *modems;	/* what it is for */
	int		(*match)(const char *manufacturer, const char *model);
	const char	 *iccid_cmd;	/* vendor command reading the ICCID */
	int		  iccid_needs_sim;	/* only once the SIM is unlocked */
	const char *const *setup;	/* after identify; failures ignored */
	const char	 *cnmi;		/* new-message indications */
	int		  no_cereg;	/* 2G only: no AT+CEREG */
	int		  signal_urc;	/* reports signal by URC: no +CSQ poll */
	const char	 *reset_cmd;	/* modem reset (recovery ladder) */
	enum quirk_auth	  pdp_auth;	/* vendor PDP authentication */
	/* Vendor lines (pure; fuzzed): fill ev, return its type. */
	enum quirk_ev	(*parse)(const char *line, size_t len,
			    struct quirk_event *ev);
};

extern const struct quirk quirk_generic;
extern const struct quirk quirk_simcom;
extern const struct quirk quirk_quectel;
extern const struct quirk quirk_huawei;
extern const struct quirk quirk_ublox;
/* The one list of vendors (quirk.c): the match for an identity, and any
 * vendor's parse before the modem is identified. */
const struct quirk *quirk_select(const char *manufacturer,
    const char *model);
enum quirk_ev quirk_parse_any(const char *, size_t, struct quirk_event *);
/* The vendor's PDP authentication command (quirk.c): 0, or -1. */
int quirk_pdp_auth_command(const struct quirk *, int cid, const char *apn,
    const char *user, const char *pass, int auth, char *out, size_t outlen);
/* Helpers for the parsers (quirk.c). */
int quirk_csq_from_dbm(int dbm);
int quirk_has_prefix(const char *line, size_t len, const char *prefix);
enum quirk_ev quirk_simcom_parse(const char *, size_t, struct quirk_event *);
enum quirk_ev quirk_quectel_parse(const char *, size_t, struct quirk_event *);
enum quirk_ev quirk_huawei_parse(const char *, size_t, struct quirk_event *);
enum quirk_ev quirk_ublox_parse(const char *, size_t, struct quirk_event *);

/* ---- the context (modem.c) ---- */
struct modem_urc_sub {
	char		 prefix[32];
	modem_urc_fn	*fn;
	void		*arg;
	const char	*owner;		/* for modem_unsubscribe_all, or NULL */
};

struct modem_ready_sub {
	void		(*fn)(void *);
	void		*arg;
	const char	*owner;
};

enum modem_rung {
	RUNG_NONE = -1,
	RUNG_RETRY,		/* probe with AT: a slow answer, not a hang */
	RUNG_REINIT,		/* the whole bring-up again */
	RUNG_RADIO,		/* AT+CFUN=0, AT+CFUN=1 */
	RUNG_RESET,		/* modem reset (AT+CFUN=1,1 or vendor) */
	RUNG_REOPEN,		/* close and reopen the port */
	RUNG_USB,		/* USB deauthorize/authorize (modem.usb_reset) */
	RUNG_POWER,		/* modem.power_cycle_command */
	RUNG_MAX
};

struct modem {
	struct event_base	*base;
	enum modem_state	 state;
	char			 reason[128];
	uint64_t		 state_since;	/* ms */
	char			 device[MODEM_PATH_MAX];	/* path or usb: */
	int			 baud;
	char			 pin[16];
	int			 running;

	/* modem_port.c */
	struct serial		*port;
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_watch;	/* waiting for the device */
	int			 watch_fd;	/* inotify, -1 */
	struct event		*ev_inotify;
	uint64_t		 lost_ms;	/* when the port vanished */
	struct atchan		*ch;

	/* modem_seq.c */
	unsigned		 gen;		/* bring-up generation */
	const struct quirk	*quirk;
	struct event		*ev_step;	/* delayed steps */
	struct event		*ev_boot;	/* restart sign debounce */
	int			 ready_done;	/* hooks ran for this gen */

	/* identity (printable ASCII only) */
	char			 manufacturer[AT_INFO_MAX];
	char			 model[AT_INFO_MAX];
	char			 revision[AT_INFO_MAX];
	char			 imei[AT_IDENT_LEN_MAX + 1];
	char			 imsi[AT_IDENT_LEN_MAX + 1];
	char			 iccid[AT_IDENT_LEN_MAX + 1];
	char			 number[AT_NUMBER_MAX];
	char			 sim[96];	/* "ready", "PIN required", ... */

	/* modem_net.c */
	int			 reg[AT_REG_CMD_MAX];	/* stat, -1 unknown */
	int			 act;
	unsigned long		 lac;
	unsigned long long	 ci;
	char			 oper[AT_OPER_MAX];
	int			 csq;		/* 0..31, 99 unknown */
	int			 dbm;		/* 0 unknown */
	int			 cesq;		/* +CESQ: 0 untried, 1 works,
						 * -1 refused */
	int			 has_lte;	/* rsrp/rsrq10 known */
	int			 rsrp;		/* dBm */
	int			 rsrq10;	/* tenths of a dB */
	char			 tech[16];	/* from a vendor URC */
	struct event		*ev_poll;

	/* modem_recover.c */
	enum modem_rung		 rung;
	int			 backoff_s;
	unsigned long		 recoveries;
	char			 recovery_why[128];
	struct event		*ev_recover;
	pid_t			 hook_pid;

	struct modem_urc_sub	 urcs[MODEM_URC_SUBS];
	size_t			 nurcs;
	struct modem_ready_sub	 readies[MODEM_READY_SUBS];
	size_t			 nreadies;
};

extern struct modem mdm;

/* The modem's settings, resolved once by modem_init(). */
struct modem_set {
	const struct setting_def *at_timeout, *signal_poll, *usb_reset,
				 *power_cycle, *recovery_max;
};
extern struct modem_set modem_set;

/* modem.c */
void modem_set_state(enum modem_state, const char *reason, ...)
    __attribute__((format(printf, 2, 3)));
void modem_publish(const char *what);
void modem_run_ready_hooks(void);
int modem_send(const char *cmd, int timeout_ms, unsigned flags,
    modem_done_fn *, void *arg);
int modem_at_timeout(void);
extern const struct atchan_ops modem_atchan_ops;
void modem_keep_printable(char *dst, size_t dstlen, const char *src);

/* modem_port.c */
int modem_port_open(void);
void modem_port_close(void);
/* The port failed (EIO, HUP, unplug): close, ABSENT, watch for it. */
void modem_port_lost(const char *why);
void modem_port_watch(void);
void modem_port_unwatch(void);

/* modem_seq.c */
void modem_seq_begin(const char *why);
void modem_seq_abort(void);
void modem_seq_boot_sign(const char *what);
void modem_seq_free(void);

/* modem_net.c */
void modem_net_reset(void);
/* A registration, signal or vendor line; 1 if it was taken. */
int modem_net_urc(int id, const char *line);
int modem_net_parse_reg_answer(const struct modem_response *);
int modem_net_registered(void);
const char *modem_net_registration(void);
const char *modem_net_technology(void);
void modem_net_after_registration(void);
void modem_net_poll_schedule(void);
void modem_net_poll_stop(void);
void modem_net_check_state(void);
void modem_net_apply_quirk_event(const struct quirk_event *);

/* modem_time.c: the network's time and zone */
struct json_object;
void modem_time_reset(void);
void modem_time_ask(void);
int modem_time_urc(int id, const char *line);	/* 1 taken */
void modem_time_status(struct json_object *);

/* modem_recover.c */
void modem_recover_fail(const char *why);
void modem_recover_done(void);
void modem_recover_stop(void);
const char *modem_rung_name(enum modem_rung);

#endif
