/*
 * pdu_encode.c: the SMS PDU encoder: SMS-SUBMIT (what we send) and
 * SMS-DELIVER (what tests and the modem simulator inject).  Chooses GSM 7
 * (default alphabet + extension table) when every character fits, else
 * UCS-2; splits into concatenated parts without cutting an escape sequence
 * or a surrogate pair; writes each part as hex with its TPDU length.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gsm7.h"
#include "pdu.h"

/* Longest text we look at: more could never fit in PDU_PARTS_MAX parts. */
#define PDU_ENC_CHARS_MAX	(PDU_PARTS_MAX * PDU_SEPTETS_MAX)

struct pdu_wr {
	uint8_t	*p;
	size_t	 size;
	size_t	 len;
	bool	 err;
};

static void
pdu_wr_u8(struct pdu_wr *w, uint8_t v)
{
	if (w->len >= w->size) {
		w->err = true;
		return;
	}
	w->p[w->len++] = v;
}

static void
pdu_wr_bytes(struct pdu_wr *w, const uint8_t *p, size_t n)
{
	if (n > w->size - w->len) {
		w->err = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

/* Digits we send: 0-9, '*' and '#'.  The semi-octets 'a'..'c' exist
 * (23.040 9.1.2.3) but a string of them is taken as an alphanumeric name. */
static int
pdu_digit_val(char c)
{
	static const char digit[] = "0123456789*#";
	const char *p;

	if (c == '\0' || (p = strchr(digit, c)) == NULL)
		return -1;
	return (int)(p - digit);
}

/* Digits of s (after an optional '+'), or -1 if s is not a number. */
static int
pdu_digits(const char *s, uint8_t *nib, size_t max)
{
	size_t n = 0;

	if (*s == '+')
		s++;
	for (; *s != '\0'; s++) {
		int d = pdu_digit_val(*s);

		if (d < 0 || n >= max)
			return -1;
		nib[n++] = (uint8_t)d;
	}
	return (int)n;
}

static void
pdu_wr_semi(struct pdu_wr *w, const uint8_t *nib, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 2)
		pdu_wr_u8(w, (uint8_t)(nib[i] |
		    (i + 1 < n ? nib[i + 1] << 4 : 0xf0)));
}

static uint8_t
pdu_toa(const char *s, uint8_t national)
{
	if (*s == '+')
		return 0x91;
	return national != 0 ? national : 0x81;
}

/* SMSC field: "00" for none. */
static int
pdu_enc_smsc(struct pdu_wr *w, const char *smsc, uint8_t national,
    const char **reason)
{
	uint8_t nib[PDU_ADDR_DIGITS_MAX];
	int n;

	if (smsc == NULL || *smsc == '\0') {
		pdu_wr_u8(w, 0);
		return 0;
	}
	if ((n = pdu_digits(smsc, nib, sizeof(nib))) <= 0) {
		*reason = "invalid SMSC number";
		return -1;
	}
	pdu_wr_u8(w, (uint8_t)(1 + (n + 1) / 2));
	pdu_wr_u8(w, pdu_toa(smsc, national));
	pdu_wr_semi(w, nib, (size_t)n);
	return 0;
}

/* TP address; alphanumeric (GSM 7, at most 11 septets) if allowed. */
static int
pdu_enc_addr(struct pdu_wr *w, const char *s, uint8_t national,
    bool alpha_ok, const char **reason)
{
	uint8_t nib[PDU_ADDR_DIGITS_MAX], sept[12], packed[11], two[2];
	size_t len, pos = 0, ns = 0;
	uint32_t cp;
	int n, k, o;

	if (s == NULL || *s == '\0') {
		*reason = "empty number";
		return -1;
	}
	if ((n = pdu_digits(s, nib, sizeof(nib))) > 0) {
		pdu_wr_u8(w, (uint8_t)n);
		pdu_wr_u8(w, pdu_toa(s, national));
		pdu_wr_semi(w, nib, (size_t)n);
		return 0;
	}
	if (!alpha_ok) {
		*reason = "invalid number: digits with an optional '+', "
		    "at most 20";
		return -1;
	}
	len = strlen(s);
	while (pos < len) {
		if (ucs2_utf8_next(s, len, &pos, &cp) != 0 ||
		    (k = gsm7_encode_char(cp, two)) == 0) {
			*reason = "invalid alphanumeric address";
			return -1;
		}
		if (ns + (size_t)k > 11) {
			*reason = "alphanumeric address longer than 11 "
			    "characters";
			return -1;
		}
		memcpy(sept + ns, two, (size_t)k);
		ns += (size_t)k;
	}
	o = gsm7_pack(sept, ns, 0, packed, sizeof(packed));
	pdu_wr_u8(w, (uint8_t)((ns * 7 + 3) / 4));
	pdu_wr_u8(w, 0xd0);
	pdu_wr_bytes(w, packed, (size_t)o);
	return 0;
}

static uint8_t
pdu_bcd_swap(unsigned v)
{
	return (uint8_t)(((v % 10) << 4) | ((v / 10) % 10));
}

static int
pdu_enc_time(struct pdu_wr *w, const struct pdu_time *t, const char **reason)
{
	unsigned tz = (unsigned)(t->tz < 0 ? -t->tz : t->tz);

	if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 ||
	    t->hour > 23 || t->minute > 59 || t->second > 59 || tz > 79) {
		*reason = "invalid time stamp";
		return -1;
	}
	pdu_wr_u8(w, pdu_bcd_swap(t->year % 100));
	pdu_wr_u8(w, pdu_bcd_swap(t->month));
	pdu_wr_u8(w, pdu_bcd_swap(t->day));
	pdu_wr_u8(w, pdu_bcd_swap(t->hour));
	pdu_wr_u8(w, pdu_bcd_swap(t->minute));
	pdu_wr_u8(w, pdu_bcd_swap(t->second));
	pdu_wr_u8(w, (uint8_t)(pdu_bcd_swap(tz) | (t->tz < 0 ? 0x08 : 0)));
	return 0;
}

/* The text (or data) cut into units, and where each part starts. */
struct pdu_split {
	enum pdu_coding	coding;
	size_t		nchars;
	uint32_t	cps[PDU_ENC_CHARS_MAX];
	uint8_t		units[PDU_ENC_CHARS_MAX];	/* per char */
	size_t		start[PDU_PARTS_MAX + 1];	/* char index */
	unsigned	nparts;
	unsigned	total;
};

static unsigned
pdu_capacity(enum pdu_coding c, size_t udhlen)
{
	switch (c) {
	case PDU_CODING_GSM7:
		return (unsigned)((PDU_UD_MAX - udhlen) * 8 / 7);
	case PDU_CODING_UCS2:
		return (unsigned)((PDU_UD_MAX - udhlen) / 2);
	default:
		return (unsigned)(PDU_UD_MAX - udhlen);
	}
}

static size_t
pdu_udh_len(const struct pdu_encode_opts *o, bool concat)
{
	size_t n = 0;

	if (o->ports)
		n += 6;
	if (concat)
		n += o->concat16 ? 6 : 5;
	return n > 0 ? n + 1 : 0;
}

static int
pdu_split_text(const char *text, size_t len, const struct pdu_encode_opts *o,
    struct pdu_split *sp, const char **reason)
{
	size_t pos = 0, i;
	unsigned cap, acc, maxp;
	bool gsm7 = !o->force_ucs2;
	uint8_t two[2];

	sp->nchars = 0;
	sp->total = 0;
	if (o->binary) {
		if (o->data_len > PDU_ENC_CHARS_MAX ||
		    (o->data == NULL && o->data_len > 0)) {
			*reason = "data too long";
			return -1;
		}
		sp->coding = PDU_CODING_8BIT;
		for (i = 0; i < o->data_len; i++) {
			sp->cps[i] = o->data[i];
			sp->units[i] = 1;
		}
		sp->nchars = o->data_len;
		sp->total = (unsigned)o->data_len;
	} else {
		if (text == NULL && len > 0) {
			*reason = "no text";
			return -1;
		}
		while (pos < len) {
			uint32_t cp;

			if (sp->nchars >= PDU_ENC_CHARS_MAX) {
				*reason = "text too long";
				return -1;
			}
			if (ucs2_utf8_next(text, len, &pos, &cp) != 0) {
				*reason = "invalid UTF-8 in text";
				return -1;
			}
			if (cp == 0) {
				*reason = "NUL character in text";
				return -1;
			}
			sp->cps[sp->nchars++] = cp;
			if (gsm7 && gsm7_encode_char(cp, two) == 0)
				gsm7 = false;
		}
		sp->coding = gsm7 ? PDU_CODING_GSM7 : PDU_CODING_UCS2;
		for (i = 0; i < sp->nchars; i++) {
			if (gsm7)
				sp->units[i] =
				    (uint8_t)gsm7_encode_char(sp->cps[i], two);
			else
				sp->units[i] = sp->cps[i] > 0xffff ? 2 : 1;
			sp->total += sp->units[i];
		}
	}

	maxp = o->max_parts == 0 || o->max_parts > PDU_PARTS_MAX ?
	    PDU_PARTS_MAX : o->max_parts;
	sp->start[0] = 0;
	if (sp->total <= pdu_capacity(sp->coding, pdu_udh_len(o, false))) {
		sp->nparts = 1;
		sp->start[1] = sp->nchars;
		return 0;
	}
	cap = pdu_capacity(sp->coding, pdu_udh_len(o, true));
	sp->nparts = 0;
	acc = 0;
	for (i = 0; i < sp->nchars; i++) {
		if (acc + sp->units[i] > cap) {
			if (++sp->nparts >= maxp) {
				*reason = "text too long: more parts than "
				    "allowed";
				return -1;
			}
			sp->start[sp->nparts] = i;
			acc = 0;
		}
		acc += sp->units[i];
	}
	sp->nparts++;
	sp->start[sp->nparts] = sp->nchars;
	return 0;
}

/* TP-DCS for the chosen coding and class. */
static int
pdu_enc_dcs(struct pdu_wr *w, const struct pdu_split *sp,
    const struct pdu_encode_opts *o, const char **reason)
{
	uint8_t dcs;

	if (o->has_class && (o->msg_class < 0 || o->msg_class > 3)) {
		*reason = "invalid message class";
		return -1;
	}
	dcs = sp->coding == PDU_CODING_GSM7 ? 0x00 :
	    sp->coding == PDU_CODING_8BIT ? 0x04 : 0x08;
	if (o->has_class)
		dcs |= (uint8_t)(0x10 | o->msg_class);
	pdu_wr_u8(w, dcs);
	return 0;
}

/* TP-UDL and TP-UD (with the UDH) of part k. */
static int
pdu_enc_ud(struct pdu_wr *w, const struct pdu_split *sp, unsigned k,
    const struct pdu_encode_opts *o, const char **reason)
{
	uint8_t ud[PDU_UD_MAX], sept[PDU_SEPTETS_MAX], two[2];
	size_t h = 0, i, n = 0, udl, fill;
	bool concat = sp->nparts > 1;
	int packed;

	if (concat || o->ports) {
		ud[h++] = (uint8_t)(pdu_udh_len(o, concat) - 1);
		if (concat && o->concat16) {
			ud[h++] = 0x08;
			ud[h++] = 4;
			ud[h++] = (uint8_t)(o->concat_ref >> 8);
			ud[h++] = (uint8_t)(o->concat_ref & 0xff);
		} else if (concat) {
			ud[h++] = 0x00;
			ud[h++] = 3;
			ud[h++] = (uint8_t)(o->concat_ref & 0xff);
		}
		if (concat) {
			ud[h++] = (uint8_t)sp->nparts;
			ud[h++] = (uint8_t)(k + 1);
		}
		if (o->ports) {
			ud[h++] = 0x05;
			ud[h++] = 4;
			ud[h++] = (uint8_t)(o->port_dst >> 8);
			ud[h++] = (uint8_t)(o->port_dst & 0xff);
			ud[h++] = (uint8_t)(o->port_src >> 8);
			ud[h++] = (uint8_t)(o->port_src & 0xff);
		}
	}

	if (sp->coding == PDU_CODING_GSM7) {
		for (i = sp->start[k]; i < sp->start[k + 1]; i++) {
			int c = gsm7_encode_char(sp->cps[i], two);

			if (c == 0 || n + (size_t)c > sizeof(sept)) {
				*reason = "internal: GSM 7 part overflow";
				return -1;
			}
			memcpy(sept + n, two, (size_t)c);
			n += (size_t)c;
		}
		fill = (7 - (h * 8) % 7) % 7;
		udl = (h * 8 + fill) / 7 + n;
		packed = gsm7_pack(sept, n, (unsigned)fill, ud + h,
		    sizeof(ud) - h);
		if (packed < 0 || udl > PDU_SEPTETS_MAX) {
			*reason = "internal: GSM 7 part overflow";
			return -1;
		}
		pdu_wr_u8(w, (uint8_t)udl);
		pdu_wr_bytes(w, ud, h + (size_t)packed);
		return 0;
	}
	n = h;
	for (i = sp->start[k]; i < sp->start[k + 1]; i++) {
		uint32_t cp = sp->cps[i];

		if (n + sp->units[i] * (sp->coding == PDU_CODING_8BIT ? 1 : 2)
		    > sizeof(ud)) {
			*reason = "internal: part overflow";
			return -1;
		}
		if (sp->coding == PDU_CODING_8BIT)
			ud[n++] = (uint8_t)cp;
		else if (cp > 0xffff) {
			uint32_t v = cp - 0x10000;
			uint32_t hi = 0xd800 + (v >> 10), lo = 0xdc00 +
			    (v & 0x3ff);

			ud[n++] = (uint8_t)(hi >> 8);
			ud[n++] = (uint8_t)(hi & 0xff);
			ud[n++] = (uint8_t)(lo >> 8);
			ud[n++] = (uint8_t)(lo & 0xff);
		} else {
			ud[n++] = (uint8_t)(cp >> 8);
			ud[n++] = (uint8_t)(cp & 0xff);
		}
	}
	pdu_wr_u8(w, (uint8_t)n);
	pdu_wr_bytes(w, ud, n);
	return 0;
}

static int
pdu_enc_finish(struct pdu_wr *w, size_t tpdu_start, struct pdu_part *part,
    const char **reason)
{
	if (w->err || pdu_bin_to_hex(w->p, w->len, part->hex,
	    sizeof(part->hex)) < 0) {
		*reason = "internal: PDU buffer overflow";
		return -1;
	}
	part->tpdu_len = (unsigned)(w->len - tpdu_start);
	return 0;
}

enum pdu_enc_kind {
	PDU_ENC_SUBMIT,
	PDU_ENC_DELIVER
};

static int
pdu_encode(enum pdu_enc_kind kind, const char *addr, const char *text,
    size_t textlen, const struct pdu_encode_opts *o, struct pdu_encoded *out,
    const char **reason)
{
	static const struct pdu_encode_opts defaults;
	static const struct pdu_time epoch = { true, 2000, 1, 1, 0, 0, 0, 0 };
	struct pdu_split sp;
	uint8_t buf[PDU_OCTETS_MAX];
	const char *dummy;
	unsigned k;

	if (reason == NULL)
		reason = &dummy;
	if (o == NULL)
		o = &defaults;
	memset(out, 0, sizeof(*out));
	if (pdu_split_text(text, textlen, o, &sp, reason) != 0)
		return -1;
	out->coding = sp.coding;
	out->units = sp.total;
	out->nparts = sp.nparts;
	for (k = 0; k < sp.nparts; k++) {
		struct pdu_wr w = { buf, sizeof(buf), 0, false };
		size_t tpdu;
		uint8_t fo;

		if (pdu_enc_smsc(&w, o->smsc, o->national_toa, reason) != 0)
			return -1;
		tpdu = w.len;
		if (kind == PDU_ENC_SUBMIT) {
			fo = 0x01;
			if (o->reject_dup)
				fo |= 0x04;
			if (o->validity_abs != NULL)
				fo |= 0x18;
			else if (o->validity != 0)
				fo |= 0x10;
			if (o->status_report)
				fo |= 0x20;
		} else {
			fo = 0x00;
			if (!o->more)
				fo |= 0x04;
			if (o->sri)
				fo |= 0x20;
		}
		if (sp.nparts > 1 || o->ports)
			fo |= 0x40;
		pdu_wr_u8(&w, fo);
		if (kind == PDU_ENC_SUBMIT)
			pdu_wr_u8(&w, o->mr);
		if (pdu_enc_addr(&w, addr, o->national_toa,
		    kind == PDU_ENC_DELIVER, reason) != 0)
			return -1;
		pdu_wr_u8(&w, o->pid);
		if (pdu_enc_dcs(&w, &sp, o, reason) != 0)
			return -1;
		if (kind == PDU_ENC_SUBMIT) {
			if (o->validity_abs != NULL) {
				if (pdu_enc_time(&w, o->validity_abs,
				    reason) != 0)
					return -1;
			} else if (o->validity != 0)
				pdu_wr_u8(&w,
				    pdu_vp_relative_encode(o->validity));
		} else if (pdu_enc_time(&w, o->scts != NULL ? o->scts :
		    &epoch, reason) != 0)
			return -1;
		if (pdu_enc_ud(&w, &sp, k, o, reason) != 0)
			return -1;
		if (pdu_enc_finish(&w, tpdu, &out->parts[k], reason) != 0)
			return -1;
	}
	return 0;
}

int
pdu_encode_submit(const char *number, const char *text, size_t textlen,
    const struct pdu_encode_opts *o, struct pdu_encoded *out,
    const char **reason)
{
	return pdu_encode(PDU_ENC_SUBMIT, number, text, textlen, o, out,
	    reason);
}

int
pdu_encode_deliver(const char *sender, const char *text, size_t textlen,
    const struct pdu_encode_opts *o, struct pdu_encoded *out,
    const char **reason)
{
	return pdu_encode(PDU_ENC_DELIVER, sender, text, textlen, o, out,
	    reason);
}
