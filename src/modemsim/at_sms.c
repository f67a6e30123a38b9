/*
 * at_sms.c: the 3GPP TS 27.005 SMS commands of the simulated modem, PDU
 * mode: message format, service centre, preferred storage, new message
 * indications, list/read/delete, send (+CMGS with its "> " prompt;
 * at.c collects the PDU and calls at_sms_pdu_done()), and send through
 * storage: +CMGW stores an SMS-SUBMIT ("STO UNSENT", stat 2, by default),
 * +CMSS sends a stored one and marks it "STO SENT" (stat 3), which
 * +CMGL/+CMGR then show.  Text mode is not
 * simulated: profiles that accept AT+CMGF=1 answer the SMS commands with
 * +CMS ERROR: 303 while it is set.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

/* Storage names accepted by AT+CPMS; all name the one simulated store. */
static const char *const at_sms_mems[] = { "SM", "ME", "MT", NULL };

static int
at_cmd_cmgf(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CMGF: %d", sim->cmgf);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CMGF: %s", sim->profile->cmgf_text_ok ?
		    "(0,1)" : "(0)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		sim->cmgf = 0;
		return (AT_OK);
	}
	if (sim_parse_int(&p, 0, 1, &v) != 0 || !at_args_end(p))
		return (AT_ERROR);
	if (v == 1 && !sim->profile->cmgf_text_ok)
		return (AT_ERROR);
	sim->cmgf = v;
	return (AT_OK);
}

static int
at_cmd_csca(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 num[32];
	int		 type;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CSCA: \"%s\",%d", sim->smsc,
		    sim->smsc[0] == '+' ? 145 : 129);
		return (AT_OK);
	case AT_TYPE_TEST:
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_str(&p, num, sizeof num) != 0 || num[0] == '\0')
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (at_comma(&p) && sim_parse_int(&p, 128, 255, &type) != 0)
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (!at_args_end(p))
		return (AT_CMS(CMS_NOT_ALLOWED));
	snprintf(sim->smsc, sizeof sim->smsc, "%s", num);
	return (AT_OK);
}

static int
at_cmd_csms(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CSMS: 0,1,1,1");
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CSMS: (0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 1, &v) != 0 || !at_args_end(p))
			return (AT_CMS(CMS_NOT_ALLOWED));
		at_info(out, "+CSMS: 1,1,1");
		return (AT_OK);
	default:
		return (AT_ERROR);
	}
}

static int
at_cmd_cpms(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 mem[3][8];
	int		 i, j, n, used, total;

	used = storage_used(sim);
	total = sim->nslots;
	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CPMS: \"%s\",%d,%d,\"%s\",%d,%d,\"%s\",%d,%d",
		    sim->mem[0], used, total, sim->mem[1], used, total,
		    sim->mem[2], used, total);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CPMS: (\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\","
		    "\"MT\"),(\"SM\",\"ME\",\"MT\")");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	for (n = 0; n < 3; n++) {
		if (n > 0 && !at_comma(&p))
			break;
		if (sim_parse_str(&p, mem[n], sizeof mem[n]) != 0)
			return (AT_CMS(CMS_NOT_ALLOWED));
		for (j = 0; at_sms_mems[j] != NULL; j++) {
			if (strcasecmp(mem[n], at_sms_mems[j]) == 0)
				break;
		}
		if (at_sms_mems[j] == NULL)
			return (AT_CMS(CMS_NOT_ALLOWED));
		snprintf(mem[n], sizeof mem[n], "%s", at_sms_mems[j]);
	}
	if (!at_args_end(p))
		return (AT_CMS(CMS_NOT_ALLOWED));
	for (i = 0; i < n; i++)
		snprintf(sim->mem[i], sizeof sim->mem[i], "%.3s", mem[i]);
	at_info(out, "+CPMS: %d,%d,%d,%d,%d,%d", used, total, used, total,
	    used, total);
	return (AT_OK);
}

static int
at_cmd_cnmi(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	static const int	 max[5] = { 3, 3, 3, 2, 1 };
	const char		*p = req->args;
	int			 v[5] = { 0, 0, 0, 0, 0 }, i;

	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CNMI: %d,%d,%d,%d,%d", sim->cnmi[0],
		    sim->cnmi[1], sim->cnmi[2], sim->cnmi[3], sim->cnmi[4]);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CNMI: (0-3),(0-3),(0-3),(0-2),(0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	for (i = 0; i < 5; i++) {
		if (i > 0 && !at_comma(&p))
			break;
		if (sim_parse_int(&p, 0, max[i], &v[i]) != 0)
			return (AT_CMS(CMS_NOT_ALLOWED));
	}
	if (!at_args_end(p))
		return (AT_CMS(CMS_NOT_ALLOWED));
	memcpy(sim->cnmi, v, sizeof sim->cnmi);
	return (AT_OK);
}

/* One stored message: "+CMGx: ..." then the PDU line. */
static void
at_sms_entry(struct evbuffer *out, int *first, const char *head,
    struct sim_slot *s)
{
	if (*first)
		at_info(out, "%s", head);
	else
		at_more(out, "%s", head);
	*first = 0;
	at_more(out, "%s", s->pdu);
}

static int
at_cmd_cmgl(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 head[64];
	int		 stat = 0, i, first = 1;

	if (sim->cmgf != 0)
		return (AT_CMS(CMS_NOT_SUPPORTED));
	switch (req->type) {
	case AT_TYPE_TEST:
		at_info(out, "+CMGL: (0-4)");
		return (AT_OK);
	case AT_TYPE_EXEC:
		break;
	case AT_TYPE_SET:
		if (sim_parse_int(&p, 0, 4, &stat) != 0 || !at_args_end(p))
			return (AT_CMS(CMS_NOT_ALLOWED));
		break;
	default:
		return (AT_ERROR);
	}
	for (i = 0; i < sim->nslots; i++) {
		struct sim_slot	*s = &sim->slots[i];

		if (!s->used || (stat != 4 && s->stat != stat))
			continue;
		snprintf(head, sizeof head, "+CMGL: %d,%d,,%d", i + 1, s->stat,
		    storage_tpdu_len(s->pdu));
		at_sms_entry(out, &first, head, s);
		if (s->stat == 0)
			s->stat = 1;
	}
	return (AT_OK);
}

static int
at_cmd_cmgr(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	struct sim_slot	*s;
	char		 head[64];
	int		 idx, first = 1;

	if (sim->cmgf != 0)
		return (AT_CMS(CMS_NOT_SUPPORTED));
	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET)
		return (AT_ERROR);
	if (sim_parse_int(&p, 0, 100000, &idx) != 0 || !at_args_end(p))
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (idx < 1 || idx > sim->nslots)
		return (AT_CMS(CMS_INVALID_INDEX));
	s = &sim->slots[idx - 1];
	if (!s->used)
		return (sim->profile->cmgr_empty_ok ? AT_OK :
		    AT_CMS(CMS_INVALID_INDEX));
	snprintf(head, sizeof head, "+CMGR: %d,,%d", s->stat,
	    storage_tpdu_len(s->pdu));
	at_sms_entry(out, &first, head, s);
	if (s->stat == 0)
		s->stat = 1;
	return (AT_OK);
}

static int
at_cmd_cmgd(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 idx, flag = 0, i, n = 0;

	if (req->type == AT_TYPE_TEST) {
		evbuffer_add(out, "\r\n+CMGD: (", 10);
		for (i = 0; i < sim->nslots; i++) {
			if (!sim->slots[i].used)
				continue;
			evbuffer_add_printf(out, "%s%d", n++ ? "," : "",
			    i + 1);
		}
		evbuffer_add_printf(out, "),(0-4)\r\n");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET)
		return (AT_ERROR);
	if (sim_parse_int(&p, 0, 100000, &idx) != 0)
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (at_comma(&p) && sim_parse_int(&p, 0, 4, &flag) != 0)
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (!at_args_end(p))
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (flag == 0 && (idx < 1 || idx > sim->nslots))
		return (AT_CMS(CMS_INVALID_INDEX));
	if (flag != 0 && idx > sim->nslots)
		return (AT_CMS(CMS_INVALID_INDEX));
	storage_delete(sim, idx, flag);
	held_kick(sim);
	return (AT_OK);
}

static int
at_cmd_cmgs(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 len;

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET)
		return (AT_ERROR);
	if (sim->cmgf != 0)
		return (AT_CMS(CMS_NOT_SUPPORTED));
	if (sim_parse_int(&p, 1, SIM_TPDU_MAX, &len) != 0 || !at_args_end(p))
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	sim->cmgs_len = len;
	sim->cmgw_stat = -1;
	return (AT_PROMPT);
}

/* AT+CMGW=length[,stat]: store an SMS-SUBMIT (stat 2 or 3). */
static int
at_cmd_cmgw(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 len, stat = 2;

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET)
		return (AT_ERROR);
	if (sim->cmgf != 0)
		return (AT_CMS(CMS_NOT_SUPPORTED));
	if (sim_parse_int(&p, 1, SIM_TPDU_MAX, &len) != 0)
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	if (at_comma(&p) && sim_parse_int(&p, 2, 3, &stat) != 0)
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	if (!at_args_end(p))
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	sim->cmgs_len = len;
	sim->cmgw_stat = stat;
	return (AT_PROMPT);
}

/*
 * AT+CMSS=index: send a stored SMS-SUBMIT, mark it sent.  A new
 * destination address (the optional second argument) is not simulated.
 */
static int
at_cmd_cmss(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	struct sim_slot	*s;
	int		 idx, stat, mr;

	if (req->type == AT_TYPE_TEST)
		return (AT_OK);
	if (req->type != AT_TYPE_SET)
		return (AT_ERROR);
	if (sim->cmgf != 0)
		return (AT_CMS(CMS_NOT_SUPPORTED));
	if (sim_parse_int(&p, 0, 100000, &idx) != 0)
		return (AT_CMS(CMS_NOT_ALLOWED));
	if (!at_args_end(p))
		return (AT_CMS(CMS_NOT_SUPPORTED));
	if (idx < 1 || idx > sim->nslots || !sim->slots[idx - 1].used)
		return (AT_CMS(CMS_INVALID_INDEX));
	s = &sim->slots[idx - 1];
	if (s->stat != 2 && s->stat != 3)
		return (AT_CMS(CMS_NOT_ALLOWED));	/* not an SMS-SUBMIT */
	stat = sim_reg_stat(sim);
	if (stat != 1 && stat != 5)
		return (AT_CMS(CMS_NO_NETWORK));
	if ((mr = at_sms_record_sent(sim, s->pdu, storage_tpdu_len(s->pdu))) <
	    0)
		return (AT_CMS(500));
	s->stat = 3;
	at_info(out, "+CMSS: %d", mr);
	return (AT_OK);
}

/* Record a PDU that went to the network; its message reference. */
int
at_sms_record_sent(struct sim *sim, const char *pdu, int length)
{
	struct sim_sent	*n;

	if ((n = reallocarray(sim->sent, sim->nsent + 1, sizeof *n)) == NULL)
		return (-1);
	sim->sent = n;
	n = &sim->sent[sim->nsent];
	if ((n->pdu = strdup(pdu)) == NULL)
		return (-1);
	n->length = length;
	n->mr = sim->mr;
	sim->nsent++;
	sim->mr = (sim->mr + 1) & 0xff;
	return (n->mr);
}

/*
 * The PDU after AT+CMGS=len: check it, "send" it and record it; after
 * AT+CMGW=len,stat: store it.  With out NULL (a "fail ... silent" or
 * "lost" rule), do it without answering.
 */
int
at_sms_pdu_done(struct sim *sim, const char *hex, size_t hexlen,
    struct evbuffer *out)
{
	char		 pdu[SIM_PDU_HEX_MAX + 1];
	int		 first, stat, idx, mr;

	if (hexlen > SIM_PDU_HEX_MAX) {
		sim->prompts_abandoned++;
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	}
	memcpy(pdu, hex, hexlen);
	pdu[hexlen] = '\0';
	if (storage_check_hex(pdu, pdu, sizeof pdu) != NULL ||
	    storage_tpdu_len(pdu) != sim->cmgs_len) {
		sim->prompts_abandoned++;
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	}
	/* The first TPDU octet must say SMS-SUBMIT (MTI 01). */
	first = storage_octet(pdu, 1 + storage_octet(pdu, 0));
	if (first < 0 || (first & 0x3) != 1)
		return (AT_CMS(CMS_INVALID_PDU_PARAM));
	if (sim->cmgw_stat >= 0) {
		if ((idx = storage_put(sim, pdu, sim->cmgw_stat)) < 0)
			return (AT_CMS(CMS_MEMORY_FULL));
		if (out != NULL)
			at_info(out, "+CMGW: %d", idx);
		return (AT_OK);
	}
	stat = sim_reg_stat(sim);
	if (stat != 1 && stat != 5)
		return (AT_CMS(CMS_NO_NETWORK));
	if ((mr = at_sms_record_sent(sim, pdu, sim->cmgs_len)) < 0)
		return (AT_CMS(500));
	if (out != NULL)
		at_info(out, "+CMGS: %d", mr);
	return (AT_OK);
}

const struct at_entry at_sms_table[] = {
	{ "+CMGF", 0, at_cmd_cmgf },
	{ "+CSCA", AT_F_SIM_CMS, at_cmd_csca },
	{ "+CSMS", 0, at_cmd_csms },
	{ "+CPMS", AT_F_SIM_CMS, at_cmd_cpms },
	{ "+CNMI", 0, at_cmd_cnmi },
	{ "+CMGL", AT_F_SIM_CMS, at_cmd_cmgl },
	{ "+CMGR", AT_F_SIM_CMS, at_cmd_cmgr },
	{ "+CMGD", AT_F_SIM_CMS, at_cmd_cmgd },
	{ "+CMGS", AT_F_SIM_CMS, at_cmd_cmgs },
	{ "+CMGW", AT_F_SIM_CMS, at_cmd_cmgw },
	{ "+CMSS", AT_F_SIM_CMS, at_cmd_cmss },
	{ NULL, 0, NULL }
};
