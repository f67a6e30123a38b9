/*
 * sim.h: internal interfaces of cellgate-modemsim, the simulated GSM/LTE
 * modem.  It owns the one modem state structure (struct sim) shared by the
 * files of the simulator: profiles (profile.c, vendor.c), the pty
 * (pty.c), the AT interpreter (at.c, at_cmds.c, at_sms.c), SMS storage
 * (storage.c), the network's hold of messages the full SIM refused
 * (held.c), injected faults (fault.c), unsolicited result codes (urc.c),
 * the control socket (control.c) and the JSON writer (json.c).
 */

#ifndef MODEMSIM_SIM_H
#define MODEMSIM_SIM_H

#include <sys/types.h>

#include <stddef.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "cg_queue.h"

#define SIM_LINE_MAX	1024	/* longest AT command line accepted */
#define SIM_TPDU_MAX	176	/* longest PDU (SMSC part + TPDU), octets */
#define SIM_PDU_HEX_MAX	(2 * SIM_TPDU_MAX)
#define SIM_CTL_LINE_MAX 8192	/* longest control request line */
#define SIM_FAIL_MAX	16	/* pending "fail" rules */
#define SIM_CMDS_MAX	10000	/* recorded AT lines kept */
#define SIM_OUT_MAX	(64 * 1024) /* pty output kept when nobody reads */
#define SIM_RING_MS	3000	/* RING repeat period */

/* Result of one AT command handler. */
#define AT_OK		0
#define AT_ERROR	1
#define AT_PROMPT	2	/* "> " sent, waiting for a PDU */
#define AT_NOCARRIER	3
#define AT_SILENT	4	/* no final result at all */
#define AT_CME(n)	(0x10000 | (n))
#define AT_CMS(n)	(0x20000 | (n))
#define AT_IS_CME(r)	(((r) & 0x30000) == 0x10000)
#define AT_IS_CMS(r)	(((r) & 0x30000) == 0x20000)
#define AT_CODE(r)	((r) & 0xffff)

/* 27.007 +CME ERROR and 27.005 +CMS ERROR codes used here. */
#define CME_NOT_ALLOWED		3
#define CME_NOT_SUPPORTED	4
#define CME_SIM_PIN		11
#define CME_SIM_PUK		12
#define CME_SIM_FAILURE		13
#define CME_INCORRECT_PASSWORD	16
#define CME_INVALID_INDEX	21
#define CME_INVALID_PARAM	50
#define CME_NO_NETWORK		30
#define CMS_NOT_ALLOWED		302
#define CMS_NOT_SUPPORTED	303
#define CMS_INVALID_PDU_PARAM	304
#define CMS_SIM_PIN		311
#define CMS_SIM_PUK		316
#define CMS_INVALID_INDEX	321
#define CMS_MEMORY_FULL		322
#define CMS_NO_NETWORK		331

enum at_type {
	AT_TYPE_EXEC,		/* AT+X */
	AT_TYPE_READ,		/* AT+X? */
	AT_TYPE_TEST,		/* AT+X=? */
	AT_TYPE_SET		/* AT+X=args, or ATXn for basic commands */
};

struct sim;
struct json;

/* One parsed command of a command line. */
struct at_req {
	const char	*name;	/* "+CMGS", "E", "&F", "^ICCID" (upper case) */
	enum at_type	 type;
	const char	*args;	/* after '=' (or the digits of a basic one) */
};

#define AT_F_SIM_CME	0x1	/* needs an unlocked SIM (+CME ERROR) */
#define AT_F_SIM_CMS	0x2	/* needs an unlocked SIM (+CMS ERROR) */

/* One row of an AT command table. */
struct at_entry {
	const char	*name;
	int		 flags;
	int		(*fn)(struct sim *, struct at_req *, struct evbuffer *);
};

/* A modem model: every difference between simulated modems is a field. */
struct profile {
	const char		*name;
	const char		*description;
	const char		*manufacturer;
	const char		*model;
	const char		*revision;
	const char *const	*ati;		/* ATI lines */
	const char		*imei;
	const char		*imsi;
	const char		*iccid;
	const char		*number;	/* own number, +CNUM */
	const char		*smsc;
	const char		*operator_name;
	const char		*operator_numeric;
	int			 act;		/* 0 GSM, 2 UTRAN, 7 E-UTRAN */
	int			 echo;		/* echo after boot/ATZ */
	const char		*storage;	/* SMS storage name ("SM") */
	int			 slots;		/* SMS storage size */
	int			 has_cereg;	/* AT+CEREG exists */
	int			 creg_act;	/* +CREG mode 2 carries AcT */
	int			 cmgr_empty_ok;	/* CMGR of an empty slot: OK */
	int			 cmgf_text_ok;	/* AT+CMGF=1 accepted (no-op) */
	const char *const	*boot_urcs;	/* after power-on/reboot */
	const char *const	*ready_urcs;	/* after the SIM is unlocked */
	const struct at_entry	*vendor;	/* vendor commands, first */
	int			 cpin_urc;	/* "+CPIN: x" at boot */
	/* periodic unsolicited line number n (Huawei), into buf */
	void			(*spray)(struct sim *, int, char *, size_t);
	int			 spray_ms;
	/* storage overflow URC (a whole line), NULL for none */
	const char		*memfull_urc;
	int			 no_data_call;	/* 2G: no +CGACT & co. */
	int			 cgauth_refused; /* +CGAUTH: +CME ERROR: 4 */
	int			 no_clip;	/* RING without +CLIP: the
						 * caller only by AT+CLCC */
	int			 tz;		/* the network's zone, quarter
						 * hours east of UTC */
};

struct sim_slot {
	int	used;
	int	stat;			/* 0 unread, 1 read, 2 unsent, 3 sent */
	char	pdu[SIM_PDU_HEX_MAX + 1];
};

struct sim_sent {
	char	*pdu;
	int	 length;
	int	 mr;
};

/* What a "fail" rule does to the command it matches (fault.c). */
enum sim_fault {
	SIM_FAULT_TEXT,		/* answer result[] instead (ERROR, +CMS...) */
	SIM_FAULT_SILENT,	/* no answer, not run (+CMGS PDU: run) */
	SIM_FAULT_LOST,		/* run, but its answer is lost */
	SIM_FAULT_GARBAGE,	/* line noise instead of the answer, not run */
	SIM_FAULT_DROP		/* the port drops (as "unplug"), not run */
};

struct sim_fail {
	char		prefix[64];
	char		result[64];
	enum sim_fault	kind;
	int		count;
};

struct sim_delayed {
	struct sim		*sim;
	struct event		*ev;
	struct evbuffer		*buf;
	CG_TAILQ_ENTRY(sim_delayed) entry;
};

enum sim_pin {
	SIM_PIN_READY,
	SIM_PIN_PIN,
	SIM_PIN_PUK,
	SIM_PIN_MAX
};

enum sim_call {
	SIM_CALL_IDLE,
	SIM_CALL_RINGING,
	SIM_CALL_ACTIVE,
	SIM_CALL_DIALING,
	SIM_CALL_MAX
};

enum sim_input {
	SIM_INPUT_CMD,		/* reading an AT command line */
	SIM_INPUT_PDU		/* after "> ": reading PDU hex until ^Z */
};

struct sim {
	struct event_base	*base;
	const struct profile	*profile;
	const char		*link_path;
	const char		*control_path;
	int			 verbose;

	/* pty.c */
	int			 master;
	int			 slave_hold;	/* keeps the master readable */
	struct event		*ev_read;
	struct event		*ev_write;
	struct evbuffer		*out;
	char			 slave_name[128];
	int			 plugged;

	/* at.c: input state */
	enum sim_input		 input;
	char			 line[SIM_LINE_MAX + 1];
	size_t			 line_len;
	int			 line_overflow;
	int			 last_cr;
	char			 pdu_in[SIM_PDU_HEX_MAX + 1];
	size_t			 pdu_len;
	int			 pdu_overflow;
	int			 cmgs_len;
	int			 cmgw_stat;	/* -1: PDU for +CMGS, else
						 * +CMGW with this stat */
	char			 cmgs_line[64];
	/* "> " prompts that ended with no well-formed PDU (ESC, too long,
	 * not a PDU of the announced length): a client that stopped at
	 * the prompt */
	int			 prompts_abandoned;
	CG_TAILQ_HEAD(, sim_delayed) delayed;

	/* volatile modem settings (reset by ATZ, reboot) */
	int			 echo;
	int			 cmee;
	int			 cmgf;
	int			 clip;
	int			 crc;
	int			 creg_n;
	int			 cgreg_n;
	int			 cereg_n;
	int			 cops_format;
	int			 curc;
	int			 cnmi[5];
	char			 mem[3][4];
	char			 cscs[8];
	int			 cfun;
	char			 smsc[32];

	/* network */
	int			 net_stat;	/* what the network gives */
	int			 last_stat;	/* last stat reported */
	int			 act;
	int			 rssi;
	int			 ber;
	int			 rsrp;		/* +CESQ raw, 0..97 */
	int			 rsrq;		/* +CESQ raw, 0..34 */
	char			 operator_name[64];
	unsigned int		 lac;
	unsigned int		 ci;

	/* SIM */
	enum sim_pin		 pin;
	char			 pin_code[16];
	int			 pin_attempts;
	int			 puk_attempts;

	/* calls and USSD */
	enum sim_call		 call;
	char			 call_number[32];
	int			 call_mt;	/* incoming call */
	struct event		*ev_ring;
	char			 ussd[161];
	int			 cusd;		/* AT+CUSD=n */
	int			 ccwa;		/* AT+CCWA=n */

	/* network time (urc.c) */
	int			 ctzr;		/* AT+CTZR=n */
	int			 tz;		/* zone, quarter hours */
	long			 time_offset;	/* seconds from the host */
	char			 waiting[32];	/* a waiting call's number */

	/* at_data.c: packet data, context 1 */
	int			 cgatt;
	int			 cgerep;
	int			 pdp_defined;
	int			 pdp_active;
	char			 pdp_apn[101];
	char			 pdp_auth_by[16];	/* "+CGAUTH", ... */
	char			 pdp_user[64];

	/* urc.c: actions run just after the current response */
	struct event		*ev_defer;
	int			 defer;

	/* behaviour set from the control socket */
	int			 hang;
	int			 delay_ms;
	long long		 delay_due_ms;	/* the last delayed answer's */
	struct sim_fail		 fails[SIM_FAIL_MAX];
	int			 nfails;
	int			 spray_on;
	int			 spray_idx;
	struct event		*ev_spray;

	/* storage.c */
	struct sim_slot		*slots;
	int			 nslots;

	/* held.c: messages the network holds while the SIM is full */
	char			**held;
	size_t			 nheld;
	int			 memfull;	/* overflow URC sent */
	struct event		*ev_held;

	/* fault.c */
	struct event		*ev_drop;

	/* records */
	char			**cmds;
	size_t			 ncmds;
	size_t			 cmds_dropped;
	struct sim_sent		*sent;
	size_t			 nsent;
	int			 mr;

	/* control.c */
	struct evconnlistener	*listener;
	int			 nclients;
};

/* main.c */
void	 sim_log(struct sim *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sim_log_bytes(struct sim *, const char *, const void *, size_t);
int	 sim_reg_stat(struct sim *);
void	 sim_reboot(struct sim *);
void	 sim_unplug(struct sim *);
int	 sim_replug(struct sim *, char *, size_t);

/* profile.c */
const struct profile *profile_find(const char *);
extern const struct profile *const profile_table[];

/* vendor.c */
extern const struct at_entry vendor_generic[];
extern const struct at_entry vendor_simcom[];
extern const struct at_entry vendor_quectel[];
extern const struct at_entry vendor_huawei[];
extern const struct at_entry vendor_ublox[];
void	 vendor_huawei_spray(struct sim *, int, char *, size_t);

/* pty.c */
int	 pty_open(struct sim *, char *, size_t);
void	 pty_close(struct sim *);
void	 pty_write(struct sim *, const void *, size_t);

/* at.c */
void	 at_init(struct sim *);
void	 at_free(struct sim *);
void	 at_free_pending(struct sim *);
void	 at_reset(struct sim *);
void	 at_input(struct sim *, const unsigned char *, size_t);
void	 at_final(struct sim *, struct evbuffer *, int);
void	 at_info(struct evbuffer *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 at_more(struct evbuffer *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 at_comma(const char **);
int	 at_fail_add(struct sim *, const char *, const char *,
	    enum sim_fault, int);
int	 at_run(struct sim *, struct at_req *, struct evbuffer *);
int	 sim_parse_int(const char **, int, int, int *);
int	 sim_parse_str(const char **, char *, size_t);
int	 at_args_end(const char *);

/* at_cmds.c */
extern const struct at_entry at_cmds_table[];

/* at_calls.c */
int	 at_calls_dialled(struct sim *);
void	 at_calls_hangup(struct sim *, const char *);
void	 at_calls_clear(void);
void	 at_calls_free(void);
struct json;
int	 at_calls_control_list(struct sim *, char *, struct json *, char *,
	    size_t);
int	 at_calls_control_mode(struct sim *, char *, struct json *, char *,
	    size_t);

/* at_sms.c */
extern const struct at_entry at_sms_table[];
int	 at_sms_pdu_done(struct sim *, const char *, size_t, struct evbuffer *);
int	 at_sms_record_sent(struct sim *, const char *, int);

/* at_data.c */
extern const struct at_entry at_data_table[];
void	 at_data_reset(struct sim *);
int	 at_data_control(struct sim *, char *, struct json *, char *, size_t);

/* storage.c */
int	 storage_init(struct sim *, int);
void	 storage_free(struct sim *);
const char *storage_check_hex(const char *, char *, size_t);
int	 storage_tpdu_len(const char *);
int	 storage_octet(const char *, int);
int	 storage_put(struct sim *, const char *, int);
int	 storage_used(struct sim *);
void	 storage_delete(struct sim *, int, int);
int	 storage_resize(struct sim *, int);

/* held.c */
#define SIM_HELD_MAX		1000	/* messages the network holds */
#define SIM_HELD_RETRY_MS	200	/* network retry once space frees */
int	 held_add(struct sim *, const char *);
void	 held_kick(struct sim *);
void	 held_free(struct sim *);

/* fault.c */
int	 fault_parse(const char *, enum sim_fault *);
const char *fault_name(enum sim_fault);
void	 fault_garbage(struct evbuffer *);
void	 fault_drop(struct sim *);
void	 fault_free(struct sim *);

/* urc.c */
void	 urc_init(struct sim *);
void	 urc_free(struct sim *);
void	 urc_emit(struct sim *, const char *);
void	 urc_emitf(struct sim *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 urc_zone(struct sim *);
void	 sim_nettime(struct sim *, char *, size_t, int);
void	 urc_boot(struct sim *);
void	 urc_ready(struct sim *);
#define URC_DEFER_REBOOT	0x1
#define URC_DEFER_READY		0x2
#define URC_DEFER_REG		0x4
#define URC_DEFER_USSD		0x8
void	 urc_defer(struct sim *, int);
void	 urc_reg_update(struct sim *, int);
void	 urc_reg_text(struct sim *, char *, size_t, const char *, int, int,
	    int);
void	 urc_ring_start(struct sim *, const char *);
void	 urc_call_end(struct sim *, int);
void	 urc_cmti(struct sim *, int);
void	 urc_cmt(struct sim *, const char *);
void	 urc_spray_set(struct sim *, int);
void	 urc_spray_once(struct sim *);

/* control.c */
int	 control_open(struct sim *);
void	 control_close(struct sim *);

/* json.c */
struct json {
	struct evbuffer	*buf;
	int		 depth;
	int		 first[16];
};
void	 json_begin(struct json *, struct evbuffer *);
void	 json_end(struct json *);
void	 json_obj(struct json *, const char *);
void	 json_arr(struct json *, const char *);
void	 json_close(struct json *, int);
void	 json_str(struct json *, const char *, const char *);
void	 json_int(struct json *, const char *, long long);
void	 json_bool(struct json *, const char *, int);
void	 json_null(struct json *, const char *);
void	 json_escape(struct evbuffer *, const char *);

#endif /* MODEMSIM_SIM_H */
