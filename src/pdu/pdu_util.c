/*
 * pdu_util.c: the small pieces around the PDU codec: hex conversion, ISO
 * 8601 time stamps, TP-VP relative encoding, names for types, codings and
 * TP-ST values, and the plain-text view of a decoded message (see pdu.h).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "pdu.h"

static bool
pdu_isblank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int
pdu_hex_to_bin(const char *hex, size_t len, uint8_t *out, size_t outsz,
    size_t *outlen, const char **reason)
{
	size_t i, n;

	while (len > 0 && pdu_isblank(hex[0])) {
		hex++;
		len--;
	}
	while (len > 0 && pdu_isblank(hex[len - 1]))
		len--;
	if (len == 0) {
		*reason = "empty PDU";
		return -1;
	}
	for (i = 0; i < len; i++) {
		if (hex_val(hex[i]) < 0) {
			*reason = "not hex: invalid character";
			return -1;
		}
	}
	if (len % 2 != 0) {
		*reason = "not hex: odd number of digits";
		return -1;
	}
	n = len / 2;
	if (n > outsz) {
		*reason = "PDU too long";
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = (uint8_t)(hex_val(hex[2 * i]) << 4 |
		    hex_val(hex[2 * i + 1]));
	*outlen = n;
	return 0;
}

int
pdu_bin_to_hex(const uint8_t *in, size_t len, char *out, size_t outsz)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (outsz < 2 * len + 1)
		return -1;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
	return (int)(2 * len);
}

int
pdu_time_iso(const struct pdu_time *t, char *buf, size_t size)
{
	int tz = t->tz < 0 ? -t->tz : t->tz, n;

	if (size > 0)
		buf[0] = '\0';
	if (!t->valid)
		return -1;
	n = snprintf(buf, size, "%04u-%02u-%02uT%02u:%02u:%02u%c%02d:%02d",
	    t->year, t->month, t->day, t->hour, t->minute, t->second,
	    t->tz < 0 ? '-' : '+', tz / 4, (tz % 4) * 15);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

uint8_t
pdu_vp_relative_encode(uint32_t s)
{
	if (s <= 12 * 3600)
		return (uint8_t)(s <= 300 ? 0 : (s + 299) / 300 - 1);
	if (s <= 24 * 3600)
		return (uint8_t)(143 + (s - 12 * 3600 + 1799) / 1800);
	if (s <= 30 * 86400)
		return (uint8_t)(166 + (s + 86399) / 86400);
	if (s >= 63 * 7 * 86400)
		return 255;
	return (uint8_t)(192 + (s + 7 * 86400 - 1) / (7 * 86400));
}

const char *
pdu_type_name(enum pdu_type t)
{
	switch (t) {
	case PDU_DELIVER:
		return "deliver";
	case PDU_SUBMIT:
		return "submit";
	case PDU_STATUS_REPORT:
		return "status-report";
	default:
		return "unknown";
	}
}

const char *
pdu_coding_name(enum pdu_coding c)
{
	switch (c) {
	case PDU_CODING_GSM7:
		return "gsm7";
	case PDU_CODING_8BIT:
		return "8bit";
	case PDU_CODING_UCS2:
		return "ucs2";
	default:
		return "unknown";
	}
}

int
pdu_status_class(uint8_t st)
{
	st &= 0x7f;
	if (st < 0x20)
		return 0;
	if (st < 0x40)
		return 1;
	if (st < 0x60)
		return 2;
	return 3;
}

/* 23.040 9.2.3.15. */
const char *
pdu_status_name(uint8_t st)
{
	switch (st) {
	case 0x00:
		return "delivered";
	case 0x01:
		return "forwarded, delivery unconfirmed";
	case 0x02:
		return "replaced";
	case 0x20:
		return "pending: congestion";
	case 0x21:
		return "pending: recipient busy";
	case 0x22:
		return "pending: no response from recipient";
	case 0x23:
		return "pending: service rejected";
	case 0x24:
		return "pending: quality of service not available";
	case 0x25:
		return "pending: error in recipient";
	case 0x40:
		return "failed: remote procedure error";
	case 0x41:
		return "failed: incompatible destination";
	case 0x42:
		return "failed: connection rejected by recipient";
	case 0x43:
		return "failed: not obtainable";
	case 0x44:
		return "failed: quality of service not available";
	case 0x45:
		return "failed: no interworking available";
	case 0x46:
		return "failed: validity period expired";
	case 0x47:
		return "failed: deleted by originating SME";
	case 0x48:
		return "failed: deleted by SC administration";
	case 0x49:
		return "failed: message does not exist";
	case 0x60:
		return "failed: congestion";
	case 0x61:
		return "failed: recipient busy";
	case 0x62:
		return "failed: no response from recipient";
	case 0x63:
		return "failed: service rejected";
	case 0x64:
		return "failed: quality of service not available";
	case 0x65:
		return "failed: error in recipient";
	}
	switch (pdu_status_class(st)) {
	case 0:
		return "completed";
	case 1:
		return "pending";
	default:
		return "failed";
	}
}

struct pdu_out {
	char	*buf;
	size_t	 size;
	size_t	 len;
	bool	 full;
};

static void pdu_out_printf(struct pdu_out *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
pdu_out_printf(struct pdu_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = true;
		o->len = o->size - 1;
		if (o->size >= 5)
			memcpy(o->buf + o->size - 5, "...\n", 5);
		return;
	}
	o->len += (size_t)n;
}

size_t
pdu_text_view(const struct pdu_msg *m, char *buf, size_t size)
{
	struct pdu_out o = { buf, size, 0, false };
	char ts[40], hex[2 * PDU_SEPTETS_MAX + 1];
	const char *who;
	unsigned i;

	if (size == 0)
		return 0;
	buf[0] = '\0';
	pdu_out_printf(&o, "Type: %s\n", pdu_type_name(m->type));
	pdu_out_printf(&o, "SMSC: %s\n", m->has_smsc ? m->smsc.str :
	    "(default)");
	who = m->type == PDU_DELIVER ? "From" :
	    m->type == PDU_SUBMIT ? "To" : "Recipient";
	pdu_out_printf(&o, "%s: %s\n", who, m->addr.str);
	if (m->has_mr)
		pdu_out_printf(&o, "Reference: %u\n", m->mr);
	if (m->type != PDU_SUBMIT) {
		pdu_time_iso(&m->scts, ts, sizeof(ts));
		pdu_out_printf(&o, "Time: %s\n", ts[0] ? ts : "(invalid)");
	}
	if (m->type == PDU_STATUS_REPORT) {
		pdu_time_iso(&m->discharge, ts, sizeof(ts));
		pdu_out_printf(&o, "Discharge: %s\n", ts[0] ? ts :
		    "(invalid)");
		pdu_out_printf(&o, "Status: 0x%02x (%s)\n", m->status,
		    pdu_status_name(m->status));
	}
	if (m->type == PDU_SUBMIT) {
		switch (m->vp.format) {
		case PDU_VPF_RELATIVE:
		case PDU_VPF_ENHANCED:
			pdu_out_printf(&o, "Validity: %lu s\n",
			    (unsigned long)m->vp.seconds);
			break;
		case PDU_VPF_ABSOLUTE:
			pdu_time_iso(&m->vp.abs, ts, sizeof(ts));
			pdu_out_printf(&o, "Validity: until %s\n", ts);
			break;
		default:
			break;
		}
		if (m->srr)
			pdu_out_printf(&o, "Status report: requested\n");
	}
	if (m->has_pid && m->pid != 0)
		pdu_out_printf(&o, "PID: 0x%02x\n", m->pid);
	if (m->has_dcs || m->type != PDU_STATUS_REPORT) {
		pdu_out_printf(&o, "Coding: %s\n", pdu_coding_name(m->coding));
		if (m->msg_class >= 0)
			pdu_out_printf(&o, "Class: %d\n", m->msg_class);
	}
	if (m->mwi >= 0)
		pdu_out_printf(&o, "Message waiting: type %d, %s\n", m->mwi,
		    m->mwi_active ? "active" : "inactive");
	if (m->udh.present) {
		pdu_out_printf(&o, "UDH:");
		for (i = 0; i < m->udh.ie_count && i < PDU_UDH_IE_MAX; i++)
			pdu_out_printf(&o, " %02x(%u)", m->udh.ies[i].iei,
			    m->udh.ies[i].len);
		pdu_out_printf(&o, "\n");
	}
	if (m->udh.concat)
		pdu_out_printf(&o, "Concatenation: ref %u, part %u of %u\n",
		    m->udh.concat_ref, m->udh.concat_seq, m->udh.concat_parts);
	if (m->udh.ports)
		pdu_out_printf(&o, "Ports: to %u from %u\n", m->udh.port_dst,
		    m->udh.port_src);
	if (m->coding == PDU_CODING_8BIT) {
		pdu_bin_to_hex(m->data, m->data_len, hex, sizeof(hex));
		pdu_out_printf(&o, "Data: %s\n", hex);
	} else if (m->type != PDU_STATUS_REPORT || m->udl > 0)
		pdu_out_printf(&o, "Text: %s\n", m->text);
	return o.len;
}
