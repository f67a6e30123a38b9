/*
 * at_parse.h: classification and parsing of AT response lines.
 *
 * at_result_*: is a line a final result code (OK, ERROR, +CME ERROR: ...)?
 * at_urc_*:    is a line unsolicited, and which URC is it?
 * at_params_*: split a parameter list ("a",1,,(0-2)) into fields.
 * at_parse_*:  strict, bounded parsers of single response lines into
 *              structs.  Each returns 0 on success, -1 on malformed input
 *              with *cause (when cause is not NULL) set to a static
 *              string; on failure the output struct is left untouched.
 *
 * All functions take (line, len) as delivered by at_lexer and never look
 * past len.  Pure code: no I/O, no malloc.
 */
#ifndef AT_PARSE_H
#define AT_PARSE_H

#include <stddef.h>

/* ---- final result codes (at_result.c) ---- */

enum at_result_kind {
	AT_RESULT_NONE,		/* not a final result code */
	AT_RESULT_OK,
	AT_RESULT_CONNECT,
	AT_RESULT_ERROR,
	AT_RESULT_CME_ERROR,
	AT_RESULT_CMS_ERROR,
	AT_RESULT_EXT_ERROR,
	AT_RESULT_NO_CARRIER,
	AT_RESULT_BUSY,
	AT_RESULT_NO_ANSWER,
	AT_RESULT_NO_DIALTONE,
	AT_RESULT_MAX
};

#define AT_RESULT_V0		0x01	/* also accept numeric (ATV0) codes */
#define AT_RESULT_TEXT_MAX	128

struct at_result {
	enum at_result_kind	 kind;
	int			 ok;	/* OK or CONNECT */
	long			 code;	/* CME/CMS/EXT number, CONNECT rate; -1 */
	char			 text[AT_RESULT_TEXT_MAX];
};

int		 at_result_classify(const char *, size_t, unsigned int,
		     struct at_result *);
const char	*at_result_kind_name(enum at_result_kind);
const char	*at_cme_error_text(long);
const char	*at_cms_error_text(long);
long		 at_cme_error_code(const char *, size_t);

/* CME ERROR codes the engine acts on (3GPP TS 27.007 9.2). */
#define AT_CME_NOT_SUPPORTED	4	/* operation not supported */
#define AT_CME_SIM_NOT_INSERTED	10
#define AT_CME_SIM_PIN_REQUIRED	11
#define AT_CME_SIM_PUK_REQUIRED	12
#define AT_CME_SIM_FAILURE	13
#define AT_CME_SIM_BUSY		14
#define AT_CME_SIM_WRONG	15
#define AT_CME_INCORRECT_PASSWORD 16
#define AT_CME_SIM_PIN2_REQUIRED 17
#define AT_CME_SIM_PUK2_REQUIRED 18
#define AT_CME_MEMORY_FULL	20
#define AT_CME_INVALID_INDEX	21
#define AT_CME_NOT_FOUND	22

/* ---- unsolicited result codes (at_urc.c) ---- */

enum at_urc_id {
	AT_URC_NONE,
	AT_URC_RING,
	AT_URC_CRING,
	AT_URC_CLIP,
	AT_URC_CCWA,
	AT_URC_CMTI,
	AT_URC_CMT,
	AT_URC_CDSI,
	AT_URC_CDS,
	AT_URC_CBMI,
	AT_URC_CBM,
	AT_URC_CUSD,
	AT_URC_CREG,
	AT_URC_CGREG,
	AT_URC_CEREG,
	AT_URC_C5GREG,
	AT_URC_CGEV,
	AT_URC_CPIN,
	AT_URC_CFUN,
	AT_URC_CIEV,
	AT_URC_CTZV,
	AT_URC_CTZE,
	AT_URC_RDY,
	AT_URC_CALL_READY,
	AT_URC_SMS_READY,
	AT_URC_PB_DONE,
	AT_URC_NORMAL_POWER_DOWN,
	AT_URC_UNDER_VOLTAGE_WARNING,
	AT_URC_UNDER_VOLTAGE_POWER_DOWN,
	AT_URC_OVER_VOLTAGE_WARNING,
	AT_URC_OVER_VOLTAGE_POWER_DOWN,
	AT_URC_PSUTTZ,
	AT_URC_HW_RSSI,
	AT_URC_HW_HCSQ,
	AT_URC_HW_MODE,
	AT_URC_HW_BOOT,
	AT_URC_HW_SRVST,
	AT_URC_HW_SIMST,
	AT_URC_HW_DSFLOWRPT,
	AT_URC_HW_ORIG,
	AT_URC_HW_CONF,
	AT_URC_HW_CONN,
	AT_URC_HW_CEND,
	AT_URC_QIND,
	AT_URC_QUSIM,
	AT_URC_QIURC,
	AT_URC_POWERED_DOWN,
	AT_URC_UUSORD,
	AT_URC_UUSORF,
	AT_URC_UUSOCL,
	AT_URC_UUPSDD,
	AT_URC_UUSIMSTAT,
	AT_URC_WIND,
	AT_URC_ZTE_HANGUP,
	AT_URC_MAX
};

#define AT_URCF_PDU	0x01	/* a PDU line follows (in PDU mode) */
#define AT_URCF_BOOT	0x02	/* modem (re)started: re-initialise */
#define AT_URCF_POWER	0x04	/* power warning or power down */
#define AT_URCF_REG	0x08	/* registration state (+CREG and co.) */
#define AT_URCF_CALL	0x10	/* call progress */
#define AT_URCF_SMS	0x20	/* SMS arrival or status report */

enum at_urc_id	 at_urc_classify(const char *, size_t, const char *);
const char	*at_urc_name(enum at_urc_id);
unsigned int	 at_urc_flags(enum at_urc_id);

/* ---- parameter lists (at_params.c) ---- */

#define AT_PARAMS_MAX	32

struct at_param {
	const char	*s;	/* inside quotes or parentheses, trimmed */
	size_t		 len;
	int		 quoted;
	int		 list;	/* "(...)" */
};

struct at_params {
	size_t		 n;
	struct at_param	 v[AT_PARAMS_MAX];
};

#define AT_PARAMS_OPEN_QUOTE	0x01	/* accept an unclosed final quote */
#define AT_PARAMS_LIST_RAW	0x02	/* quotes do not hide ( ) in lists */

int	 at_params_split(const char *, size_t, unsigned int,
	     struct at_params *, const char **);
const char *at_parse_prefix(const char *, size_t, const char *, size_t *);
int	 at_param_empty(const struct at_param *);
int	 at_param_int(const struct at_param *, long, long, long *);
int	 at_param_hex(const struct at_param *, size_t, unsigned long long *);
int	 at_param_str(const struct at_param *, char *, size_t);
int	 at_param_eq(const struct at_param *, const char *);
int	 at_param_range_mask(const struct at_param *, unsigned long *);

/* ---- registration: +CREG, +CGREG, +CEREG, +C5GREG (at_parse_net.c) ---- */

enum at_reg_cmd {
	AT_REG_CREG,
	AT_REG_CGREG,
	AT_REG_CEREG,
	AT_REG_C5GREG,
	AT_REG_CMD_MAX
};

/* The better-fitting reading wins (field count and types); the hint
 * breaks a tie, and AT_REG_SOLICITED reads nothing else. */
enum at_reg_hint {
	AT_REG_ANY,		/* guess from the shape; solicited on a tie */
	AT_REG_SOLICITED,	/* answer to AT+CREG?: "n,stat[,lac,ci[,act]]" */
	AT_REG_UNSOLICITED	/* URC: "stat[,lac,ci[,act]]" on a tie */
};

enum at_reg_shape {
	AT_REG_SHAPE_INVALID = -1,
	AT_REG_SHAPE_SOLICITED,
	AT_REG_SHAPE_UNSOLICITED,
	AT_REG_SHAPE_AMBIGUOUS
};

/* <stat> values (27.007 7.2) */
#define AT_REG_NOT_SEARCHING	0
#define AT_REG_HOME		1
#define AT_REG_SEARCHING	2
#define AT_REG_DENIED		3
#define AT_REG_UNKNOWN		4
#define AT_REG_ROAMING		5

struct at_reg {
	enum at_reg_cmd	 cmd;
	int		 solicited;
	int		 n;		/* -1 in a URC */
	int		 stat;
	int		 has_lac;	/* lac (tac for +CEREG) present */
	unsigned long	 lac;
	int		 has_ci;
	unsigned long long ci;		/* 36 bits for NR */
	int		 act;		/* access technology, -1 absent */
};

enum at_reg_shape at_parse_reg_shape(const char *, size_t);
int	 at_parse_reg(const char *, size_t, enum at_reg_hint, struct at_reg *,
	     const char **);

/* ---- signal: +CSQ, Huawei ^RSSI and ^HCSQ ---- */

struct at_csq {
	int	 rssi;	/* 0..31, 99 unknown (100..191 TD-SCDMA) */
	int	 ber;	/* 0..7, 99 unknown */
};

int	 at_parse_csq(const char *, size_t, struct at_csq *, const char **);
int	 at_csq_rssi_dbm(int, int *);
int	 at_parse_hw_rssi(const char *, size_t, int *, const char **);

struct at_hcsq {
	char	 sysmode[16];	/* "NOSERVICE", "GSM", "WCDMA", "LTE", ... */
	int	 nval;
	int	 val[4];	/* raw values, 255 = unknown */
};

int	 at_parse_hcsq(const char *, size_t, struct at_hcsq *, const char **);
/* percent as ModemManager shows it (rssi * 100 / 31), -1 unknown */
int	 at_csq_quality(int);

/* +CESQ (27.007 8.69): raw values, 99/255 unknown */
struct at_cesq {
	int	 rxlev;		/* 0..63, 99 */
	int	 ber;		/* 0..7, 99 */
	int	 rscp;		/* 0..96, 255 */
	int	 ecno;		/* 0..49, 255 */
	int	 rsrq;		/* 0..34, 255 */
	int	 rsrp;		/* 0..97, 255 */
};

int	 at_parse_cesq(const char *, size_t, struct at_cesq *, const char **);
int	 at_cesq_rsrp_dbm(int, int *);
int	 at_cesq_rsrq_db10(int, int *);	/* tenths of a dB */

/* ---- operator: +COPS? ---- */

#define AT_OPER_MAX	64

struct at_cops {
	int	 mode;
	int	 format;	/* -1 absent: 0 long, 1 short, 2 numeric */
	char	 oper[AT_OPER_MAX];
	int	 act;		/* -1 absent */
};

int	 at_parse_cops(const char *, size_t, struct at_cops *, const char **);

/* ---- SMS storage and indications (at_parse_sms.c) ---- */

#define AT_MEM_MAX	8	/* "SM", "ME", "MT", "SR", ... with NUL */

struct at_cpms {
	int	 nmem;		/* 1..3 */
	int	 has_names;	/* answer to AT+CPMS? (names given) */
	struct {
		char	 name[AT_MEM_MAX];
		long	 used;
		long	 total;
	} mem[3];
};

int	 at_parse_cpms(const char *, size_t, struct at_cpms *, const char **);

/* AT+CPMS=? answer: which memories each of <mem1>,<mem2>,<mem3> accepts */
enum at_mem {
	AT_MEM_SM,
	AT_MEM_ME,
	AT_MEM_MT,
	AT_MEM_SR,
	AT_MEM_BM,
	AT_MEM_TA,
	AT_MEM_OTHER,
	AT_MEM_ID_MAX
};

struct at_cpms_test {
	int		 nslot;		/* 0: empty answer, assume defaults */
	unsigned int	 mask[3];	/* bit (1 << enum at_mem) */
};

int	 at_parse_cpms_test(const char *, size_t, struct at_cpms_test *,
	     const char **);
enum at_mem at_mem_from_name(const char *, size_t);

/* AT+CNMI=? answer: supported values of <mode>,<mt>,<bm>,<ds>,<bfr> */
struct at_cnmi_test {
	int		 n;
	unsigned long	 mask[5];	/* bit v set: value v supported */
};

int	 at_parse_cnmi_test(const char *, size_t, struct at_cnmi_test *,
	     const char **);

/* +CMTI: "SM",3 / +CDSI: "SR",57 / +CBMI: "BM",1 */
struct at_msgind {
	char	 mem[AT_MEM_MAX];
	long	 index;
};

int	 at_parse_msgind(const char *, size_t, struct at_msgind *,
	     const char **);

/* +CMGS: <mr>[,<scts>] and +CMSS: <mr> */
int	 at_parse_cmgs(const char *, size_t, int *, const char **);
/* +CMGW: <index> */
int	 at_parse_cmgw(const char *, size_t, int *, const char **);

/* SMS headers: +CMGL, +CMGR, +CMT, +CDS, +CBM (PDU or text mode) */
enum at_sms_hdr_kind {
	AT_SMS_CMGL,
	AT_SMS_CMGR,
	AT_SMS_CMT,
	AT_SMS_CDS,
	AT_SMS_CBM,
	AT_SMS_HDR_MAX
};

#define AT_NUMBER_MAX	64
#define AT_ALPHA_MAX	64
#define AT_SCTS_MAX	32

/* <stat> (27.005 3.1): numeric in PDU mode, a string in text mode */
#define AT_SMS_REC_UNREAD	0
#define AT_SMS_REC_READ		1
#define AT_SMS_STO_UNSENT	2
#define AT_SMS_STO_SENT		3
#define AT_SMS_ALL		4

struct at_sms_hdr {
	enum at_sms_hdr_kind	 kind;
	int			 text_mode;
	long			 index;		/* +CMGL only, else -1 */
	int			 stat;		/* -1 absent */
	long			 length;	/* PDU mode: TPDU octets, -1 */
	char			 alpha[AT_ALPHA_MAX];
	/* text mode */
	int			 is_report;	/* status report (fo,mr,...) */
	char			 addr[AT_NUMBER_MAX];	/* oa/da/ra */
	char			 scts[AT_SCTS_MAX];
	char			 dt[AT_SCTS_MAX];	/* report: discharge time */
	long			 mr;		/* report: message reference */
	long			 st;		/* report: status */
	/* PDU mode: the PDU on the header's own line after a blank
	 * ("+CMGR: 0,,24 0791..."), as an offset into the line; 0 none */
	size_t			 pdu_off;
	size_t			 pdu_len;
};

int	 at_parse_sms_hdr(const char *, size_t, int, struct at_sms_hdr *,
	     const char **);
int	 at_sms_stat_from_text(const char *, size_t);

/* ---- calls, USSD, SIM, identity (at_parse_misc.c) ---- */

struct at_clip {
	char	 number[AT_NUMBER_MAX];
	int	 type;		/* 129, 145, ...; -1 absent */
	char	 alpha[AT_ALPHA_MAX];
	int	 validity;	/* CLI validity, -1 absent */
};

int	 at_parse_clip(const char *, size_t, struct at_clip *, const char **);

#define AT_CUSD_MAX	1024

struct at_cusd {
	int	 m;		/* 0 done, 1 more, 2 network end, 3..5 */
	int	 has_str;
	char	 str[AT_CUSD_MAX];	/* as sent: may be hex (UCS2, GSM7) */
	int	 dcs;		/* -1 absent */
};

int	 at_parse_cusd(const char *, size_t, struct at_cusd *, const char **);

enum at_cpin {
	AT_CPIN_READY,
	AT_CPIN_SIM_PIN,
	AT_CPIN_SIM_PUK,
	AT_CPIN_SIM_PIN2,
	AT_CPIN_SIM_PUK2,
	AT_CPIN_PH_SIM_PIN,
	AT_CPIN_PH_FSIM_PIN,
	AT_CPIN_PH_FSIM_PUK,
	AT_CPIN_PH_NET_PIN,
	AT_CPIN_PH_NET_PUK,
	AT_CPIN_PH_NETSUB_PIN,
	AT_CPIN_PH_NETSUB_PUK,
	AT_CPIN_PH_SP_PIN,
	AT_CPIN_PH_SP_PUK,
	AT_CPIN_PH_CORP_PIN,
	AT_CPIN_PH_CORP_PUK,
	AT_CPIN_NOT_READY,	/* SIMCom, Quectel */
	AT_CPIN_NOT_INSERTED,	/* SIMCom, Quectel */
	AT_CPIN_MAX
};

int		 at_parse_cpin(const char *, size_t, enum at_cpin *,
		     const char **);
const char	*at_cpin_name(enum at_cpin);

struct at_cnum {
	char	 alpha[AT_ALPHA_MAX];
	char	 number[AT_NUMBER_MAX];
	int	 type;
};

int	 at_parse_cnum(const char *, size_t, struct at_cnum *, const char **);

struct at_csca {
	char	 number[AT_NUMBER_MAX];
	int	 type;		/* -1 absent */
};

int	 at_parse_csca(const char *, size_t, struct at_csca *, const char **);

enum at_ident {
	AT_IDENT_IMEI,		/* AT+CGSN: 14..17 digits */
	AT_IDENT_IMSI,		/* AT+CIMI: 6..15 digits */
	AT_IDENT_ICCID,		/* AT+CCID / +ICCID / +QCCID / ^ICCID */
	AT_IDENT_MAX
};

#define AT_IDENT_LEN_MAX	24
#define AT_INFO_MAX		128

int	 at_parse_ident(const char *, size_t, enum at_ident, char *, size_t,
	     const char **);
/* ICCID from the answer to AT+CRSM=176,12258,0,0,10 (EF_ICCID, BCD) */
int	 at_parse_crsm_iccid(const char *, size_t, char *, size_t,
	     const char **);
/* +CFUN: <fun>[,...] (some modems add a second value) */
int	 at_parse_cfun(const char *, size_t, int *, const char **);
int	 at_parse_info(const char *, size_t, char *, size_t, const char **);

/* a single integer after a prefix, e.g. ("+CFUN:", 0, 127) */
int	 at_parse_int_line(const char *, size_t, const char *, long, long,
	     long *, const char **);

/* ---- calls: +CLCC, +CCWA (at_parse_call.c) ---- */

/* <stat> of +CLCC (27.007 7.18) */
#define AT_CLCC_ACTIVE		0
#define AT_CLCC_HELD		1
#define AT_CLCC_DIALING		2
#define AT_CLCC_ALERTING	3
#define AT_CLCC_INCOMING	4
#define AT_CLCC_WAITING		5

struct at_clcc {
	int	 id;
	int	 dir;		/* 0 outgoing, 1 incoming */
	int	 stat;
	int	 mode;		/* 0 voice, 1 data, 2 fax, ... */
	int	 mpty;
	char	 number[AT_NUMBER_MAX];
	int	 type;		/* -1 absent */
	char	 alpha[AT_ALPHA_MAX];
};

int	 at_parse_clcc(const char *, size_t, struct at_clcc *, const char **);

/* +CCWA: <number>,<type>,<class>[,<alpha>[,<CLI validity>]] */
struct at_ccwa {
	struct at_clip	 clip;
	int		 cls;	/* 1 voice, ... */
};

int	 at_parse_ccwa(const char *, size_t, struct at_ccwa *, const char **);

/* ---- network time: +CCLK, +CTZV, +CTZE (at_parse_time.c) ---- */

#define AT_TZ_NONE	(-1000)

struct at_nettime {
	int	 has_time;
	int	 year, mon, day, hour, min, sec;	/* local time */
	int	 tz;		/* quarter hours east of UTC, AT_TZ_NONE */
	int	 dst;		/* hours of daylight saving, -1 absent */
};

int	 at_parse_cclk(const char *, size_t, struct at_nettime *,
	     const char **);
int	 at_parse_ctzv(const char *, size_t, struct at_nettime *,
	     const char **);
int	 at_parse_ctze(const char *, size_t, struct at_nettime *,
	     const char **);
/* seconds since the epoch (UTC) of a time with its zone; -1 none */
long long at_nettime_epoch(const struct at_nettime *);

/* ---- packet data: +CGEV, +CGACT, +CGPADDR, +CGDCONT (at_parse_data.c) -- */

enum at_cgev {
	AT_CGEV_OTHER,		/* an event the data call does not act on */
	AT_CGEV_ACT,		/* a context was activated */
	AT_CGEV_DEACT,		/* a context was deactivated */
	AT_CGEV_DETACH		/* packet domain detach */
};

struct at_cgev_ev {
	enum at_cgev	 kind;
	int		 by_network;	/* NW ..., else ME ... */
	int		 cid;		/* -1 not given */
};

int	 at_parse_cgev(const char *, size_t, struct at_cgev_ev *,
	     const char **);

/* +CGACT: <cid>,<state> */
struct at_cgact {
	int	 cid;
	int	 state;
};

int	 at_parse_cgact(const char *, size_t, struct at_cgact *, const char **);

#define AT_ADDR_MAX	64

/* +CGPADDR: <cid>[,<addr>[,<addr2>]]: addr "" when none (0.0.0.0) */
struct at_cgpaddr {
	int	 cid;
	char	 addr[AT_ADDR_MAX];
	char	 addr2[AT_ADDR_MAX];
};

int	 at_parse_cgpaddr(const char *, size_t, struct at_cgpaddr *,
	     const char **);

#define AT_PDP_TYPE_MAX	16
#define AT_APN_MAX	101

/* +CGDCONT: <cid>,<type>,<apn>[,...] (answer to AT+CGDCONT?) */
struct at_cgdcont {
	int	 cid;
	char	 type[AT_PDP_TYPE_MAX];
	char	 apn[AT_APN_MAX];
};

int	 at_parse_cgdcont(const char *, size_t, struct at_cgdcont *,
	     const char **);

/* +CGDCONT: (1-16),"IP",... (answer to AT+CGDCONT=?): cid range per
 * PDP type; min_cid -1 when the list is empty */
struct at_cgdcont_test {
	int	 min_cid;
	int	 max_cid;
	char	 type[AT_PDP_TYPE_MAX];
};

int	 at_parse_cgdcont_test(const char *, size_t, struct at_cgdcont_test *,
	     const char **);

#endif /* AT_PARSE_H */
