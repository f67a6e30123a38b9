/*
 * pdu.h: the SMS PDU codec (3GPP TS 23.040 / 23.038).  Decodes SMS-DELIVER,
 * SMS-SUBMIT and SMS-STATUS-REPORT from the hex modems print (with or
 * without the leading SMSC field) into a fixed-size struct pdu_msg, and
 * encodes SMS-SUBMIT (and SMS-DELIVER, for tests and the simulator) from
 * UTF-8 text, splitting into concatenated parts.  Pure code: bytes in,
 * results out, bounded buffers, no allocation; errors come back as a static
 * reason string.  The json-c view lives in pdu_json.c (libcgpdujson.a).
 */
#ifndef CG_PDU_H
#define CG_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gsm7.h"

#define PDU_SMSC_MAX		12	/* SMSC field: length octet + 11 */
#define PDU_TPDU_MAX		164	/* SUBMIT: 7+12+1+1+7+1+140 octets */
#define PDU_OCTETS_MAX		(PDU_SMSC_MAX + PDU_TPDU_MAX)
#define PDU_HEX_MAX		(2 * PDU_OCTETS_MAX)	/* without the NUL */
#define PDU_UD_MAX		140	/* user data octets */
#define PDU_SEPTETS_MAX		160	/* user data septets */
#define PDU_ADDR_DIGITS_MAX	20
/* '+' and 20 digits, or 11 alphanumeric septets of up to 3 UTF-8 bytes. */
#define PDU_ADDR_MAX		(11 * GSM7_UTF8_MAX + 1)
/* 160 septets of up to 3 UTF-8 bytes; 70 UCS-2 units need less. */
#define PDU_TEXT_MAX		(PDU_SEPTETS_MAX * GSM7_UTF8_MAX + 1)
#define PDU_UDH_IE_MAX		16	/* IEs listed in struct pdu_udh */
#define PDU_PARTS_MAX		10	/* cap on concatenated parts */

/* Decode flags. */
#define PDU_F_NO_SMSC		0x01	/* input starts at the TPDU (+CMGS) */
/* Accept user data shorter than TP-UDL (or TP-UDL past its maximum) and
 * decode what is there, setting ud_short; some phones store such PDUs. */
#define PDU_F_LENIENT		0x02

enum pdu_type {
	PDU_DELIVER,
	PDU_SUBMIT,
	PDU_STATUS_REPORT,
	PDU_TYPE_MAX
};

enum pdu_coding {
	PDU_CODING_GSM7,
	PDU_CODING_8BIT,
	PDU_CODING_UCS2,
	PDU_CODING_MAX
};

enum pdu_vpf {
	PDU_VPF_NONE,
	PDU_VPF_RELATIVE,
	PDU_VPF_ENHANCED,
	PDU_VPF_ABSOLUTE
};

/* An address (SMSC, originator, destination or recipient). */
struct pdu_addr {
	char		str[PDU_ADDR_MAX];	/* "+4912…", "0171…", "Megafon" */
	uint8_t		toa;			/* type-of-address octet */
	bool		alpha;			/* alphanumeric (TON 5) */
};

/* A service-centre time stamp (or absolute validity, discharge time). */
struct pdu_time {
	bool		valid;		/* all fields in range */
	uint16_t	year;		/* 1990..2089 */
	uint8_t		month, day, hour, minute, second;
	int8_t		tz;		/* offset in quarter hours, signed */
};

/* TP-VP in any of its three forms. */
struct pdu_validity {
	enum pdu_vpf	format;
	uint8_t		raw;		/* relative: the TP-VP octet */
	uint32_t	seconds;	/* relative and enhanced */
	bool		single_shot;	/* enhanced */
	struct pdu_time	abs;		/* absolute */
	uint8_t		enhanced[7];	/* enhanced: the octets as sent */
};

struct pdu_udh {
	bool		present;
	uint8_t		len;		/* UDHL (without itself) */
	unsigned	ie_count;	/* all IEs seen */
	struct {
		uint8_t	iei;
		uint8_t	len;
	}		ies[PDU_UDH_IE_MAX];
	bool		concat;		/* IE 0x00 or 0x08 */
	bool		concat16;
	uint16_t	concat_ref;
	uint8_t		concat_parts;
	uint8_t		concat_seq;
	bool		ports;		/* IE 0x04 or 0x05 */
	bool		ports16;
	uint16_t	port_dst;
	uint16_t	port_src;
	enum gsm7_lang	lang_single;	/* IE 0x24 */
	enum gsm7_lang	lang_lock;	/* IE 0x25 */
};

/* A decoded PDU. */
struct pdu_msg {
	enum pdu_type	type;
	bool		has_smsc;
	struct pdu_addr	smsc;
	uint8_t		fo;		/* first octet */
	bool		udhi;
	bool		reply_path;
	bool		srr;		/* SUBMIT: status report requested;
					   DELIVER: indication; STATUS: qualifier */
	bool		more;		/* DELIVER/STATUS: TP-MMS = 0 */
	bool		reject_dup;	/* SUBMIT: TP-RD */
	bool		has_mr;
	uint8_t		mr;		/* SUBMIT / STATUS-REPORT */
	struct pdu_addr	addr;		/* originator / destination / recipient */
	bool		has_pid, has_dcs;
	uint8_t		pid;
	uint8_t		dcs;
	enum pdu_coding	coding;
	int		msg_class;	/* -1 none, else 0..3 */
	int		mwi;		/* -1 none, 0 voicemail, 1 fax, 2 email,
					   3 other (DCS groups 1100-1110) */
	bool		mwi_active;
	struct pdu_time	scts;		/* DELIVER / STATUS-REPORT */
	struct pdu_time	discharge;	/* STATUS-REPORT */
	uint8_t		status;		/* STATUS-REPORT TP-ST */
	struct pdu_validity vp;		/* SUBMIT */
	struct pdu_udh	udh;
	unsigned	udl;		/* TP-UDL as sent */
	/* User data after the UDH: septet values (GSM7) or octets. */
	uint8_t		data[PDU_SEPTETS_MAX];
	size_t		data_len;
	char		text[PDU_TEXT_MAX];	/* UTF-8; empty for 8-bit */
	size_t		text_len;
	size_t		tpdu_len;	/* octets without the SMSC field */
	size_t		extra;		/* octets after the TPDU (ignored) */
	bool		ud_short;	/* PDU_F_LENIENT took a short UD */
};

/* Decode binary octets; 0 on success, else -1 and *reason. */
int pdu_decode(const uint8_t *buf, size_t len, int flags, struct pdu_msg *m,
    const char **reason);
/* Decode hex text (either case; surrounding blanks ignored). */
int pdu_decode_hex(const char *hex, size_t len, int flags, struct pdu_msg *m,
    const char **reason);

/* Hex helpers: -1 on odd length, a non-hex digit or a small buffer. */
int pdu_hex_to_bin(const char *hex, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen, const char **reason);
int pdu_bin_to_hex(const uint8_t *in, size_t len, char *out, size_t outsz);

/* "2024-03-01T12:34:56+01:00"; "" (and -1) if t is not valid. */
int pdu_time_iso(const struct pdu_time *t, char *buf, size_t size);
/* TP-VP relative: octet to seconds, and seconds to the smallest octet that
 * covers them (capped at 255 = 63 weeks). */
uint32_t pdu_vp_relative_seconds(uint8_t vp);
uint8_t pdu_vp_relative_encode(uint32_t seconds);

const char *pdu_type_name(enum pdu_type);	/* "deliver", … */
const char *pdu_coding_name(enum pdu_coding);	/* "gsm7", "ucs2", "8bit" */
/* TP-ST: "delivered", "forwarded", "replaced", "pending", "failed",
 * "expired-trying-stopped"… in short words. */
const char *pdu_status_name(uint8_t st);
/* TP-ST classes: 0 complete, 1 still trying, 2 permanent error,
 * 3 temporary error (SC stopped trying). */
int pdu_status_class(uint8_t st);

/*
 * Human-readable view ("Type: deliver\nSMSC: …\nFrom: …\n"), one field per
 * line, text last.  Returns the length written (truncated output ends in
 * "...\n"), always NUL-terminated.
 */
size_t pdu_text_view(const struct pdu_msg *m, char *buf, size_t size);

/*
 * JSON view (libcgpdujson.a, needs json-c): the object of `cellgatectl
 * --json pdu decode` plus extras.  The caller owns the returned reference.
 */
struct json_object;
struct json_object *pdu_json(const struct pdu_msg *m);

/* One encoded part: the hex PDU with the SMSC field, and the TPDU length
 * for AT+CMGS=<len>. */
struct pdu_part {
	char		hex[PDU_HEX_MAX + 1];
	unsigned	tpdu_len;
};

struct pdu_encoded {
	enum pdu_coding	coding;
	unsigned	nparts;
	unsigned	units;		/* septets or UCS-2 units of the text */
	struct pdu_part	parts[PDU_PARTS_MAX];
};

/* Options common to SUBMIT and DELIVER encoding.  Zeroed = defaults. */
struct pdu_encode_opts {
	const char	*smsc;		/* NULL/"" = "00" (the SIM's SMSC) */
	uint8_t		national_toa;	/* TOA without '+': 0 = 0x81 */
	bool		force_ucs2;
	bool		binary;		/* 8-bit: encode data/data_len */
	const uint8_t	*data;
	size_t		data_len;
	bool		has_class;	/* set TP-DCS message class */
	int		msg_class;	/* 0..3, used when has_class */
	uint8_t		pid;
	uint16_t	concat_ref;	/* used when split */
	bool		concat16;	/* 16-bit reference IE 0x08 */
	unsigned	max_parts;	/* 0 = PDU_PARTS_MAX */
	bool		ports;		/* add a port IE (16-bit) */
	uint16_t	port_dst, port_src;

	/* SUBMIT */
	uint8_t		mr;
	bool		status_report;
	bool		reject_dup;
	uint32_t	validity;	/* relative seconds; 0 = no TP-VP */
	const struct pdu_time *validity_abs;	/* absolute TP-VP */

	/* DELIVER */
	const struct pdu_time *scts;	/* NULL = 2000-01-01 00:00:00 +00 */
	bool		more;		/* TP-MMS = 0: more messages waiting */
	bool		sri;		/* status report indication */
};

/* Encode SMS-SUBMIT to `number` ("+49…" or national digits). */
int pdu_encode_submit(const char *number, const char *text, size_t textlen,
    const struct pdu_encode_opts *o, struct pdu_encoded *out,
    const char **reason);
/* Encode SMS-DELIVER from `sender` (digits, "+digits", or alphanumeric up
 * to 11 GSM characters). */
int pdu_encode_deliver(const char *sender, const char *text, size_t textlen,
    const struct pdu_encode_opts *o, struct pdu_encoded *out,
    const char **reason);

#endif
