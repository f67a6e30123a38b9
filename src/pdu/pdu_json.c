/*
 * pdu_json.c: the JSON view of a decoded PDU for `cellgatectl --json pdu
 * decode` (cellgatectl(1)): type, smsc, number, timestamp, coding, text, data_hex,
 * class, concat, plus pid, dcs, reference, validity, ports, status,
 * discharge, udh, mwi, truncated (PDU_F_LENIENT took short user data)
 * and tpdu_len.  Kept apart from the codec (in
 * libcgpdujson.a) so the codec itself needs no library.
 */
#include <json-c/json.h>

#include "pdu.h"

static struct json_object *
pdu_json_time(const struct pdu_time *t)
{
	char buf[40];

	if (pdu_time_iso(t, buf, sizeof(buf)) < 0)
		return NULL;
	return json_object_new_string(buf);
}

static struct json_object *
pdu_json_validity(const struct pdu_validity *v)
{
	struct json_object *o;
	const char *fmt;

	switch (v->format) {
	case PDU_VPF_RELATIVE:
		fmt = "relative";
		break;
	case PDU_VPF_ENHANCED:
		fmt = "enhanced";
		break;
	case PDU_VPF_ABSOLUTE:
		fmt = "absolute";
		break;
	default:
		return NULL;
	}
	o = json_object_new_object();
	json_object_object_add(o, "format", json_object_new_string(fmt));
	if (v->format == PDU_VPF_ABSOLUTE)
		json_object_object_add(o, "until", pdu_json_time(&v->abs));
	else {
		json_object_object_add(o, "seconds",
		    json_object_new_int64((int64_t)v->seconds));
		if (v->format == PDU_VPF_ENHANCED)
			json_object_object_add(o, "single_shot",
			    json_object_new_boolean(v->single_shot));
	}
	return o;
}

struct json_object *
pdu_json(const struct pdu_msg *m)
{
	struct json_object *o, *c, *a;
	char hex[2 * PDU_SEPTETS_MAX + 1];
	unsigned i;

	o = json_object_new_object();
	json_object_object_add(o, "type",
	    json_object_new_string(pdu_type_name(m->type)));
	json_object_object_add(o, "smsc", m->has_smsc ?
	    json_object_new_string(m->smsc.str) : NULL);
	json_object_object_add(o, "number",
	    json_object_new_string(m->addr.str));
	json_object_object_add(o, "timestamp", m->type == PDU_SUBMIT ? NULL :
	    pdu_json_time(&m->scts));
	json_object_object_add(o, "coding",
	    json_object_new_string(pdu_coding_name(m->coding)));
	json_object_object_add(o, "text", m->coding == PDU_CODING_8BIT ? NULL :
	    json_object_new_string_len(m->text, (int)m->text_len));
	pdu_bin_to_hex(m->data, m->data_len, hex, sizeof(hex));
	json_object_object_add(o, "data_hex", json_object_new_string(hex));
	json_object_object_add(o, "class", m->msg_class < 0 ? NULL :
	    json_object_new_int(m->msg_class));
	if (m->udh.concat) {
		c = json_object_new_object();
		json_object_object_add(c, "ref",
		    json_object_new_int(m->udh.concat_ref));
		json_object_object_add(c, "part",
		    json_object_new_int(m->udh.concat_seq));
		json_object_object_add(c, "parts",
		    json_object_new_int(m->udh.concat_parts));
		json_object_object_add(c, "ref16",
		    json_object_new_boolean(m->udh.concat16));
	} else
		c = NULL;
	json_object_object_add(o, "concat", c);

	/* Extras. */
	json_object_object_add(o, "reference", m->has_mr ?
	    json_object_new_int(m->mr) : NULL);
	json_object_object_add(o, "pid", m->has_pid ?
	    json_object_new_int(m->pid) : NULL);
	json_object_object_add(o, "dcs", m->has_dcs ?
	    json_object_new_int(m->dcs) : NULL);
	if (m->udh.ports) {
		c = json_object_new_object();
		json_object_object_add(c, "dst",
		    json_object_new_int(m->udh.port_dst));
		json_object_object_add(c, "src",
		    json_object_new_int(m->udh.port_src));
	} else
		c = NULL;
	json_object_object_add(o, "ports", c);
	if (m->udh.present) {
		a = json_object_new_array();
		for (i = 0; i < m->udh.ie_count && i < PDU_UDH_IE_MAX; i++) {
			c = json_object_new_object();
			json_object_object_add(c, "iei",
			    json_object_new_int(m->udh.ies[i].iei));
			json_object_object_add(c, "len",
			    json_object_new_int(m->udh.ies[i].len));
			json_object_array_add(a, c);
		}
	} else
		a = NULL;
	json_object_object_add(o, "udh", a);
	if (m->type == PDU_SUBMIT) {
		json_object_object_add(o, "validity",
		    pdu_json_validity(&m->vp));
		json_object_object_add(o, "status_report_requested",
		    json_object_new_boolean(m->srr));
	}
	if (m->type == PDU_STATUS_REPORT) {
		json_object_object_add(o, "discharge",
		    pdu_json_time(&m->discharge));
		c = json_object_new_object();
		json_object_object_add(c, "code",
		    json_object_new_int(m->status));
		json_object_object_add(c, "text",
		    json_object_new_string(pdu_status_name(m->status)));
		json_object_object_add(c, "final", json_object_new_boolean(
		    pdu_status_class(m->status) != 1));
		json_object_object_add(o, "status", c);
	}
	if (m->mwi >= 0) {
		c = json_object_new_object();
		json_object_object_add(c, "type", json_object_new_int(m->mwi));
		json_object_object_add(c, "active",
		    json_object_new_boolean(m->mwi_active));
		json_object_object_add(o, "mwi", c);
	}
	json_object_object_add(o, "truncated",
	    json_object_new_boolean(m->ud_short));
	json_object_object_add(o, "tpdu_len",
	    json_object_new_int((int)m->tpdu_len));
	return o;
}
