/*
 * fuzz_pdu.c: libFuzzer harness for the SMS PDU codec.  Feeds the input to
 * the decoder as binary octets and as hex text, with and without the SMSC
 * field and in lenient mode; renders the text view; and when a decode
 * succeeds, re-encodes the text (or 8-bit data) and checks that decoding
 * every part and joining them gives it back; its type, coding and status
 * have names for the log, and its relative validity period survives being
 * encoded again from its seconds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_roundtrip(const struct pdu_msg *m)
{
	static struct pdu_encoded e;
	static char joined[PDU_PARTS_MAX * PDU_TEXT_MAX];
	struct pdu_encode_opts o;
	struct pdu_msg p;
	const char *reason;
	size_t jl = 0, dl = 0;
	unsigned k;
	uint8_t data[PDU_PARTS_MAX * PDU_UD_MAX];

	memset(&o, 0, sizeof(o));
	o.concat_ref = 7;
	if (m->coding == PDU_CODING_8BIT) {
		o.binary = true;
		o.data = m->data;
		o.data_len = m->data_len;
	}
	if ((m->type == PDU_DELIVER ? pdu_encode_deliver("+4912345",
	    m->text, m->text_len, &o, &e, &reason) :
	    pdu_encode_submit("+4912345", m->text, m->text_len, &o, &e,
	    &reason)) != 0)
		abort();	/* decoded text always re-encodes */
	for (k = 0; k < e.nparts; k++) {
		if (pdu_decode_hex(e.parts[k].hex, strlen(e.parts[k].hex), 0,
		    &p, &reason) != 0)
			abort();
		if (p.tpdu_len != e.parts[k].tpdu_len)
			abort();
		if (p.coding == PDU_CODING_8BIT) {
			memcpy(data + dl, p.data, p.data_len);
			dl += p.data_len;
		} else {
			memcpy(joined + jl, p.text, p.text_len);
			jl += p.text_len;
		}
	}
	if (m->coding == PDU_CODING_8BIT) {
		if (dl != m->data_len || memcmp(data, m->data, dl) != 0)
			abort();
	} else if (jl != m->text_len || memcmp(joined, m->text, jl) != 0)
		abort();
}

static void
fuzz_check(const struct pdu_msg *m)
{
	char view[2048];
	size_t n;

	if (m->text_len != strlen(m->text) || m->text_len >= PDU_TEXT_MAX)
		abort();
	n = pdu_text_view(m, view, sizeof(view));
	if (n != strlen(view))
		abort();
	/* what the message log and the status report say of it */
	if (pdu_type_name(m->type) == NULL ||
	    pdu_coding_name(m->coding) == NULL ||
	    pdu_status_name(m->status) == NULL)
		abort();
	(void)pdu_status_class(m->status);
	/* a relative validity period encoded again from its seconds names
	 * at least as long a period */
	if (pdu_vp_relative_seconds(pdu_vp_relative_encode(
	    pdu_vp_relative_seconds(m->vp.raw))) <
	    pdu_vp_relative_seconds(m->vp.raw))
		abort();
	if (m->type != PDU_STATUS_REPORT)
		fuzz_roundtrip(m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int flags[] = { 0, PDU_F_NO_SMSC, PDU_F_LENIENT,
	    PDU_F_NO_SMSC | PDU_F_LENIENT };
	struct pdu_msg m;
	const char *reason;
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		reason = NULL;
		if (pdu_decode(data, size, flags[i], &m, &reason) == 0)
			fuzz_check(&m);
		else if (reason == NULL)
			abort();
		reason = NULL;
		if (pdu_decode_hex((const char *)data, size, flags[i], &m,
		    &reason) == 0)
			fuzz_check(&m);
		else if (reason == NULL)
			abort();
	}
	return 0;
}
