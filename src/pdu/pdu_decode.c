/*
 * pdu_decode.c: the SMS PDU decoder (23.040 9.2): SMSC field, SMS-DELIVER,
 * SMS-SUBMIT and SMS-STATUS-REPORT, addresses, TP-DCS, time stamps,
 * validity periods, the user data header and the user data itself.  Every
 * read goes through struct pdu_rd, which refuses to step past the input;
 * every failure returns a static reason.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gsm7.h"
#include "pdu.h"

struct pdu_rd {
	const uint8_t	*p;
	size_t		 len;
	size_t		 pos;
	int		 flags;
};

static int
pdu_rd_u8(struct pdu_rd *r, uint8_t *v)
{
	if (r->pos >= r->len)
		return -1;
	*v = r->p[r->pos++];
	return 0;
}

static const uint8_t *
pdu_rd_take(struct pdu_rd *r, size_t n)
{
	const uint8_t *p;

	if (n > r->len - r->pos)
		return NULL;
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

/* Semi-octet digits of an address; 0xF as the last nibble is filler. */
static int
pdu_addr_digits(const uint8_t *p, size_t ndigits, struct pdu_addr *a,
    const char **reason)
{
	static const char digit[] = "0123456789*#abc";
	size_t i, pos = 0;

	if ((a->toa & 0x70) == 0x10)
		a->str[pos++] = '+';
	for (i = 0; i < ndigits; i++) {
		unsigned d = (i % 2 == 0) ? (p[i / 2] & 0x0f) : (p[i / 2] >> 4);

		if (d == 0xf) {
			if (i + 1 == ndigits)
				break;
			*reason = "address: filler digit inside the number";
			return -1;
		}
		a->str[pos++] = digit[d];
	}
	a->str[pos] = '\0';
	return 0;
}

/* TP address: length in useful semi-octets, type, value (23.040 9.1.2.5). */
static int
pdu_rd_addr(struct pdu_rd *r, struct pdu_addr *a, const char **reason)
{
	uint8_t n, septets[11];
	const uint8_t *p;

	memset(a, 0, sizeof(*a));
	if (pdu_rd_u8(r, &n) != 0 || pdu_rd_u8(r, &a->toa) != 0) {
		*reason = "truncated: address";
		return -1;
	}
	if (n > PDU_ADDR_DIGITS_MAX) {
		*reason = "address longer than 20 digits";
		return -1;
	}
	if ((p = pdu_rd_take(r, (n + 1) / 2)) == NULL) {
		*reason = "truncated: address";
		return -1;
	}
	if ((a->toa & 0x70) == 0x50) {
		size_t ns = (size_t)n * 4 / 7;

		a->alpha = true;
		if (gsm7_unpack(p, (n + 1) / 2, 0, ns, septets) != 0 ||
		    gsm7_decode(septets, ns, GSM7_LANG_DEFAULT,
		    GSM7_LANG_DEFAULT, a->str, sizeof(a->str)) < 0) {
			*reason = "address: bad alphanumeric value";
			return -1;
		}
		return 0;
	}
	return pdu_addr_digits(p, n, a, reason);
}

/* SMSC field: length in octets (type + value), 0 = none (24.011 8.2.5.1). */
static int
pdu_rd_smsc(struct pdu_rd *r, struct pdu_addr *a, bool *has,
    const char **reason)
{
	uint8_t n;
	const uint8_t *p;

	memset(a, 0, sizeof(*a));
	*has = false;
	if (pdu_rd_u8(r, &n) != 0) {
		*reason = "truncated: SMSC";
		return -1;
	}
	if (n == 0)
		return 0;
	if (n > PDU_SMSC_MAX - 1) {
		*reason = "SMSC field longer than 11 octets";
		return -1;
	}
	if (pdu_rd_u8(r, &a->toa) != 0 ||
	    (p = pdu_rd_take(r, n - 1u)) == NULL) {
		*reason = "truncated: SMSC";
		return -1;
	}
	*has = true;
	if ((a->toa & 0x70) == 0x50) {
		*reason = "SMSC: alphanumeric address";
		return -1;
	}
	return pdu_addr_digits(p, 2 * (n - 1u), a, reason);
}

static int
pdu_bcd(uint8_t o, bool *ok)
{
	unsigned lo = o & 0x0f, hi = o >> 4;

	if (lo > 9 || hi > 9)
		*ok = false;
	return (int)(lo * 10 + hi);
}

/* 7-octet time stamp (23.040 9.2.3.11); out-of-range values leave the
 * stamp marked invalid rather than failing the whole message. */
static int
pdu_rd_time(struct pdu_rd *r, struct pdu_time *t, const char **reason)
{
	const uint8_t *p;
	bool ok = true;
	int y, tz;

	memset(t, 0, sizeof(*t));
	if ((p = pdu_rd_take(r, 7)) == NULL) {
		*reason = "truncated: time stamp";
		return -1;
	}
	y = pdu_bcd(p[0], &ok);
	t->year = (uint16_t)(y >= 90 ? 1900 + y : 2000 + y);
	t->month = (uint8_t)pdu_bcd(p[1], &ok);
	t->day = (uint8_t)pdu_bcd(p[2], &ok);
	t->hour = (uint8_t)pdu_bcd(p[3], &ok);
	t->minute = (uint8_t)pdu_bcd(p[4], &ok);
	t->second = (uint8_t)pdu_bcd(p[5], &ok);
	tz = pdu_bcd(p[6] & 0xf7, &ok);
	if (tz > 4 * 14)
		ok = false;
	t->tz = (int8_t)((p[6] & 0x08) ? -tz : tz);
	if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > 31 ||
	    t->hour > 23 || t->minute > 59 || t->second > 59)
		ok = false;
	t->valid = ok;
	return 0;
}

uint32_t
pdu_vp_relative_seconds(uint8_t vp)
{
	if (vp <= 143)
		return ((uint32_t)vp + 1) * 300;
	if (vp <= 167)
		return 12 * 3600 + ((uint32_t)vp - 143) * 1800;
	if (vp <= 196)
		return ((uint32_t)vp - 166) * 86400;
	return ((uint32_t)vp - 192) * 7 * 86400;
}

/* Enhanced validity period (23.040 9.2.3.12.3). */
static int
pdu_vp_enhanced(struct pdu_validity *v, const char **reason)
{
	const uint8_t *e = v->enhanced;
	bool ok = true;

	v->single_shot = (e[0] & 0x40) != 0;
	switch (e[0] & 0x07) {
	case 0:
		v->seconds = 0;
		break;
	case 1:
		v->seconds = pdu_vp_relative_seconds(e[1]);
		break;
	case 2:
		v->seconds = e[1];
		break;
	case 3:
		v->seconds = (uint32_t)pdu_bcd(e[1], &ok) * 3600 +
		    (uint32_t)pdu_bcd(e[2], &ok) * 60 +
		    (uint32_t)pdu_bcd(e[3], &ok);
		if (!ok) {
			*reason = "enhanced validity: bad semi-octets";
			return -1;
		}
		break;
	default:
		*reason = "enhanced validity: reserved format";
		return -1;
	}
	return 0;
}

/* TP-DCS (23.038 4). */
static int
pdu_dcs(struct pdu_msg *m, const char **reason)
{
	uint8_t d = m->dcs;

	m->coding = PDU_CODING_GSM7;
	m->msg_class = -1;
	m->mwi = -1;
	switch (d >> 4) {
	case 0x0: case 0x1: case 0x2: case 0x3:	/* general data coding */
	case 0x4: case 0x5: case 0x6: case 0x7:	/* … marked for deletion */
		if (d & 0x20) {
			*reason = "compressed not supported";
			return -1;
		}
		if (d & 0x10)
			m->msg_class = d & 0x03;
		switch ((d >> 2) & 0x03) {
		case 1:
			m->coding = PDU_CODING_8BIT;
			break;
		case 2:
			m->coding = PDU_CODING_UCS2;
			break;
		default:	/* 3 is reserved: treat as GSM7 */
			break;
		}
		break;
	case 0xc: case 0xd: case 0xe:		/* message waiting */
		m->mwi = d & 0x03;
		m->mwi_active = (d & 0x08) != 0;
		if ((d >> 4) == 0xe)
			m->coding = PDU_CODING_UCS2;
		break;
	case 0xf:				/* data coding / class */
		m->msg_class = d & 0x03;
		if (d & 0x04)
			m->coding = PDU_CODING_8BIT;
		break;
	default:				/* 1000..1011 reserved */
		break;
	}
	return 0;
}

static enum gsm7_lang
pdu_lang(uint8_t id)
{
	return id < GSM7_LANG_MAX ? (enum gsm7_lang)id : GSM7_LANG_DEFAULT;
}

/* The user data header (23.040 9.2.3.24): h = UDH octets incl. UDHL. */
static int
pdu_udh(struct pdu_msg *m, const uint8_t *h, size_t hlen,
    const char **reason)
{
	struct pdu_udh *u = &m->udh;
	size_t i = 1;

	u->present = true;
	u->len = h[0];
	while (i < hlen) {
		uint8_t iei, len;
		const uint8_t *d;

		if (i + 2 > hlen) {
			*reason = "malformed UDH: truncated IE";
			return -1;
		}
		iei = h[i];
		len = h[i + 1];
		if (i + 2 + len > hlen) {
			*reason = "malformed UDH: IE longer than the header";
			return -1;
		}
		d = h + i + 2;
		if (u->ie_count < PDU_UDH_IE_MAX) {
			u->ies[u->ie_count].iei = iei;
			u->ies[u->ie_count].len = len;
		}
		u->ie_count++;
		switch (iei) {
		case 0x00:
		case 0x08:
			if (len != (iei == 0x00 ? 3 : 4)) {
				*reason = "malformed UDH: concatenation IE length";
				return -1;
			}
			/* 23.040 9.2.3.24.1: ignore an IE with 0 values. */
			if (d[len - 2] == 0 || d[len - 1] == 0 ||
			    d[len - 1] > d[len - 2]) {
				u->concat = false;
				break;
			}
			u->concat = true;
			u->concat16 = iei == 0x08;
			u->concat_ref = iei == 0x00 ? d[0] :
			    (uint16_t)((d[0] << 8) | d[1]);
			u->concat_parts = d[len - 2];
			u->concat_seq = d[len - 1];
			break;
		case 0x04:
		case 0x05:
			if (len != (iei == 0x04 ? 2 : 4)) {
				*reason = "malformed UDH: port IE length";
				return -1;
			}
			u->ports = true;
			u->ports16 = iei == 0x05;
			if (iei == 0x04) {
				u->port_dst = d[0];
				u->port_src = d[1];
			} else {
				u->port_dst = (uint16_t)((d[0] << 8) | d[1]);
				u->port_src = (uint16_t)((d[2] << 8) | d[3]);
			}
			break;
		case 0x24:
		case 0x25:
			if (len != 1) {
				*reason = "malformed UDH: language IE length";
				return -1;
			}
			if (iei == 0x24)
				u->lang_single = pdu_lang(d[0]);
			else
				u->lang_lock = pdu_lang(d[0]);
			break;
		default:	/* skipped, but listed */
			break;
		}
		i += 2 + (size_t)len;
	}
	return 0;
}

/* TP-UDL and TP-UD, interpreted by coding. */
static int
pdu_rd_ud(struct pdu_rd *r, struct pdu_msg *m, const char **reason)
{
	uint8_t udl;
	size_t octets, avail, max, hlen = 0;
	const uint8_t *ud;

	if (pdu_rd_u8(r, &udl) != 0) {
		*reason = "truncated: TP-UDL";
		return -1;
	}
	m->udl = udl;
	if (m->coding == PDU_CODING_GSM7) {
		max = PDU_SEPTETS_MAX;
		octets = ((size_t)udl * 7 + 7) / 8;
	} else {
		max = PDU_UD_MAX;
		octets = udl;
	}
	avail = r->len - r->pos;
	if (udl > max || octets > avail) {
		if (!(r->flags & PDU_F_LENIENT)) {
			*reason = udl > max ? (max == PDU_UD_MAX ?
			    "TP-UDL exceeds 140 octets" :
			    "TP-UDL exceeds 160 septets") :
			    "truncated: user data shorter than TP-UDL";
			return -1;
		}
		/* Take what is there (seen from real phones). */
		m->ud_short = true;
		if (octets > avail)
			octets = avail;
		if (octets > PDU_UD_MAX)
			octets = PDU_UD_MAX;
		if (m->coding == PDU_CODING_GSM7) {
			if (udl > octets * 8 / 7)
				udl = (uint8_t)(octets * 8 / 7);
		} else
			udl = (uint8_t)octets;
	}
	ud = pdu_rd_take(r, octets);
	/* UDHI with no user data at all: nothing to parse (seen on phones). */
	if (m->udhi && udl > 0) {
		hlen = (size_t)ud[0] + 1;
		if (hlen > octets || (m->coding == PDU_CODING_GSM7 &&
		    hlen * 8 > (size_t)udl * 7)) {
			*reason = "malformed UDH: longer than the user data";
			return -1;
		}
		if (pdu_udh(m, ud, hlen, reason) != 0)
			return -1;
	}
	if (m->coding == PDU_CODING_GSM7) {
		size_t skip = (hlen * 8 + 6) / 7;	/* UDH + fill, septets */
		size_t n = udl - skip;

		if (gsm7_unpack(ud, octets, skip * 7, n, m->data) != 0) {
			*reason = "truncated: user data";
			return -1;
		}
		m->data_len = n;
		if (gsm7_decode(m->data, n, m->udh.lang_lock,
		    m->udh.lang_single, m->text, sizeof(m->text)) < 0) {
			*reason = "text does not fit";
			return -1;
		}
	} else {
		m->data_len = octets - hlen;
		memcpy(m->data, ud + hlen, m->data_len);
		if (m->coding == PDU_CODING_UCS2) {
			if (m->data_len % 2 != 0 &&
			    (r->flags & PDU_F_LENIENT)) {
				m->ud_short = true;
				m->data_len--;
			} else if (m->data_len % 2 != 0) {
				*reason = "UCS-2 user data of odd length";
				return -1;
			}
			if (ucs2_decode(m->data, m->data_len, m->text,
			    sizeof(m->text)) < 0) {
				*reason = "text does not fit";
				return -1;
			}
		}
	}
	m->text_len = strlen(m->text);
	return 0;
}

static int
pdu_rd_pid_dcs(struct pdu_rd *r, struct pdu_msg *m, const char **reason)
{
	if (pdu_rd_u8(r, &m->pid) != 0 || pdu_rd_u8(r, &m->dcs) != 0) {
		*reason = "truncated: TP-PID/TP-DCS";
		return -1;
	}
	m->has_pid = m->has_dcs = true;
	return pdu_dcs(m, reason);
}

static int
pdu_deliver(struct pdu_rd *r, struct pdu_msg *m, const char **reason)
{
	m->more = (m->fo & 0x04) == 0;
	m->srr = (m->fo & 0x20) != 0;
	if (pdu_rd_addr(r, &m->addr, reason) != 0 ||
	    pdu_rd_pid_dcs(r, m, reason) != 0 ||
	    pdu_rd_time(r, &m->scts, reason) != 0)
		return -1;
	return pdu_rd_ud(r, m, reason);
}

static int
pdu_submit(struct pdu_rd *r, struct pdu_msg *m, const char **reason)
{
	const uint8_t *p;

	m->reject_dup = (m->fo & 0x04) != 0;
	m->srr = (m->fo & 0x20) != 0;
	m->has_mr = true;
	if (pdu_rd_u8(r, &m->mr) != 0) {
		*reason = "truncated: TP-MR";
		return -1;
	}
	if (pdu_rd_addr(r, &m->addr, reason) != 0 ||
	    pdu_rd_pid_dcs(r, m, reason) != 0)
		return -1;
	switch ((m->fo >> 3) & 0x03) {
	case 0:
		m->vp.format = PDU_VPF_NONE;
		break;
	case 2:
		m->vp.format = PDU_VPF_RELATIVE;
		if (pdu_rd_u8(r, &m->vp.raw) != 0) {
			*reason = "truncated: TP-VP";
			return -1;
		}
		m->vp.seconds = pdu_vp_relative_seconds(m->vp.raw);
		break;
	case 1:
		m->vp.format = PDU_VPF_ENHANCED;
		if ((p = pdu_rd_take(r, 7)) == NULL) {
			*reason = "truncated: TP-VP";
			return -1;
		}
		memcpy(m->vp.enhanced, p, 7);
		if (pdu_vp_enhanced(&m->vp, reason) != 0)
			return -1;
		break;
	case 3:
		m->vp.format = PDU_VPF_ABSOLUTE;
		if (pdu_rd_time(r, &m->vp.abs, reason) != 0)
			return -1;
		break;
	}
	return pdu_rd_ud(r, m, reason);
}

static int
pdu_status_report(struct pdu_rd *r, struct pdu_msg *m, const char **reason)
{
	uint8_t pi;

	m->more = (m->fo & 0x04) == 0;
	m->srr = (m->fo & 0x20) != 0;
	m->has_mr = true;
	m->coding = PDU_CODING_GSM7;
	m->msg_class = -1;
	m->mwi = -1;
	if (pdu_rd_u8(r, &m->mr) != 0) {
		*reason = "truncated: TP-MR";
		return -1;
	}
	if (pdu_rd_addr(r, &m->addr, reason) != 0 ||
	    pdu_rd_time(r, &m->scts, reason) != 0 ||
	    pdu_rd_time(r, &m->discharge, reason) != 0)
		return -1;
	if (pdu_rd_u8(r, &m->status) != 0) {
		*reason = "truncated: TP-ST";
		return -1;
	}
	/*
	 * Optional TP-PI and what it announces.  Modems pad status reports
	 * with 0xFF; a TP-PI with reserved bits set is taken as padding.
	 */
	if (r->pos >= r->len || (r->p[r->pos] & 0x78) != 0)
		return 0;
	pi = r->p[r->pos++];
	if (pi & 0x01) {
		if (pdu_rd_u8(r, &m->pid) != 0) {
			*reason = "truncated: TP-PID";
			return -1;
		}
		m->has_pid = true;
	}
	if (pi & 0x02) {
		if (pdu_rd_u8(r, &m->dcs) != 0) {
			*reason = "truncated: TP-DCS";
			return -1;
		}
		m->has_dcs = true;
		if (pdu_dcs(m, reason) != 0)
			return -1;
	}
	if (pi & 0x04)
		return pdu_rd_ud(r, m, reason);
	return 0;
}

int
pdu_decode(const uint8_t *buf, size_t len, int flags, struct pdu_msg *m,
    const char **reason)
{
	struct pdu_rd r = { buf, len, 0, flags };
	size_t start;
	const char *dummy;
	int rc;

	if (reason == NULL)
		reason = &dummy;
	memset(m, 0, sizeof(*m));
	m->msg_class = -1;
	m->mwi = -1;
	if (len == 0) {
		*reason = "empty PDU";
		return -1;
	}
	if (!(flags & PDU_F_NO_SMSC) &&
	    pdu_rd_smsc(&r, &m->smsc, &m->has_smsc, reason) != 0)
		return -1;
	start = r.pos;
	if (pdu_rd_u8(&r, &m->fo) != 0) {
		*reason = "truncated: no TPDU after the SMSC field";
		return -1;
	}
	m->udhi = (m->fo & 0x40) != 0;
	m->reply_path = (m->fo & 0x80) != 0;
	switch (m->fo & 0x03) {
	case 0:
		m->type = PDU_DELIVER;
		rc = pdu_deliver(&r, m, reason);
		break;
	case 1:
		m->type = PDU_SUBMIT;
		rc = pdu_submit(&r, m, reason);
		break;
	case 2:
		m->type = PDU_STATUS_REPORT;
		rc = pdu_status_report(&r, m, reason);
		break;
	default:
		*reason = "reserved message type (TP-MTI 3)";
		return -1;
	}
	if (rc != 0)
		return -1;
	m->tpdu_len = r.pos - start;
	m->extra = len - r.pos;
	return 0;
}

int
pdu_decode_hex(const char *hex, size_t len, int flags, struct pdu_msg *m,
    const char **reason)
{
	uint8_t buf[512];	/* room for padded dumps */
	size_t n;
	const char *dummy;

	if (reason == NULL)
		reason = &dummy;
	if (pdu_hex_to_bin(hex, len, buf, sizeof(buf), &n, reason) != 0) {
		memset(m, 0, sizeof(*m));
		return -1;
	}
	return pdu_decode(buf, n, flags, m, reason);
}
