/*
 * sms_rx.c: the receive side's AT work.  No polling: +CMTI (and +CDSI)
 * indications make us read that one slot; at each modem (re)initialisation
 * everything already stored is listed with AT+CMGL=4.  Each PDU is handed
 * to sms_rx_save.c (decoded, committed to SQLite or recognised as a
 * duplicate) and only then deleted from the modem; a message that cannot
 * be committed stays on the modem.  sms_rx_run.c runs what was committed.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "at_parse.h"
#include "log.h"
#include "modem.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"

#define SMS_RX_TIMEOUT_MS	30000

/* The storage AT+CMGR/AT+CMGL/AT+CMGD use (CPMS <mem1>, <mem2>): kept
 * equal to where the modem stores new messages (<mem3>, or the storage a
 * +CMTI names), so a message is read and deleted where it arrived. */
static char sms_rx_mem[AT_MEM_MAX];

static void
sms_rx_delete(int index)
{
	char cmd[32];

	if (index < 0)
		return;
	snprintf(cmd, sizeof cmd, "AT+CMGD=%d", index);
	if (modem_submit(cmd, NULL, SMS_RX_TIMEOUT_MS, NULL, NULL) == -1)
		log_warnx("sms: cannot queue the delete of slot %d", index);
}

/* One PDU read from slot `index` (-1: delivered directly, not stored):
 * saved (sms_rx_save.c), then deleted from the modem unless it could not
 * be saved or is not ours. */
static void
sms_rx_pdu(int index, const char *hex)
{
	int r = sms_rx_save(index, hex);

	if (r == -1) {
		log_warnx("sms: slot %d not saved (%s): left on the modem",
		    index, store_errmsg());
		return;
	}
	if (r == 2) {
		log_debug("sms: slot %d holds a message to send, not ours: "
		    "left on the modem", index);
		return;
	}
	if (r == 0)
		log_debug("sms: slot %d is a copy of a message already saved",
		    index);
	sms_rx_delete(index);
}

/* The PDU line that follows each +CMGL:/+CMGR: header (kind); a +CMGL
 * header names its slot, a +CMGR answer is for `index`. */
static void
sms_rx_lines(const struct modem_response *r, enum at_sms_hdr_kind kind,
    int index)
{
	struct at_sms_hdr h;
	const char *err;
	char esc[64];

	for (size_t i = 0; i + 1 < r->nlines; i++) {
		int idx = index;

		if (at_parse_sms_hdr(r->lines[i], strlen(r->lines[i]), 0, &h,
		    &err) == -1) {
			if (strncmp(r->lines[i], kind == AT_SMS_CMGL ?
			    "+CMGL:" : "+CMGR:", 6) == 0) {
				util_escape(esc, sizeof esc, r->lines[i],
				    strlen(r->lines[i]));
				log_warnx("sms: header not understood (%s), "
				    "left on the modem: %s", err, esc);
				i++;
			}
			continue;
		}
		if (h.kind != kind)
			continue;
		if (kind == AT_SMS_CMGL)
			idx = (int)h.index;
		sms_rx_pdu(idx, r->lines[i + 1]);
		i++;
	}
}

static void
sms_rx_list_done(const struct modem_response *r, void *arg)
{
	if (r->final != MODEM_OK) {
		log_warnx("sms: listing stored messages failed: %s",
		    r->final_line);
		return;
	}
	sms_rx_lines(r, AT_SMS_CMGL, -1);
	sms_rx_process_new();
}

static void
sms_rx_read_done(const struct modem_response *r, void *arg)
{
	int index = (int)(intptr_t)arg;

	if (r->final != MODEM_OK) {
		log_warnx("sms: reading slot %d failed: %s", index,
		    r->final_line);
		return;
	}
	sms_rx_lines(r, AT_SMS_CMGR, index);
	sms_rx_process_new();
}

/* Make `mem` the storage read and deleted in (a name of letters only). */
static void
sms_rx_use_mem(const char *mem)
{
	char cmd[64];

	if (mem[0] == '\0' || strcmp(mem, sms_rx_mem) == 0 ||
	    strspn(mem, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(mem))
		return;
	snprintf(cmd, sizeof cmd, "AT+CPMS=\"%s\",\"%s\",\"%s\"", mem, mem,
	    mem);
	if (modem_submit(cmd, NULL, SMS_RX_TIMEOUT_MS, NULL, NULL) == 0)
		util_strlcpy(sms_rx_mem, mem, sizeof sms_rx_mem);
}

/* +CMTI: "SM",3 and +CDSI: "SM",4: read that slot of that storage. */
static void
sms_rx_indication(const char *line, const char *pdu, void *arg)
{
	struct at_msgind ind;
	const char *err;
	char cmd[32];
	long long index;

	if (at_parse_msgind(line, strlen(line), &ind, &err) == -1) {
		log_warnx("sms: bad indication ignored: %s", err);
		return;
	}
	index = ind.index;
	sms_rx_use_mem(ind.mem);
	snprintf(cmd, sizeof cmd, "AT+CMGR=%lld", index);
	if (modem_submit_h("sms", cmd, NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_read_done, (void *)(intptr_t)index) == 0)
		log_warnx("sms: cannot read slot %lld now; it is read at the "
		    "next initialisation", index);
}

/* +CMT / +CDS: delivered directly with the PDU. */
static void
sms_rx_direct(const char *line, const char *pdu, void *arg)
{
	if (pdu != NULL) {
		sms_rx_pdu(-1, pdu);
		sms_rx_process_new();
	}
}

static void
sms_rx_cpms_done(const struct modem_response *r, void *arg)
{
	struct at_cpms c;
	const char *err;

	if (r->final == MODEM_OK && r->nlines > 0 &&
	    at_parse_cpms(r->lines[0], strlen(r->lines[0]), &c, &err) == 0 &&
	    c.has_names && c.nmem == 3) {
		util_strlcpy(sms_rx_mem, c.mem[0].name, sizeof sms_rx_mem);
		if (strcmp(c.mem[0].name, c.mem[2].name) != 0 ||
		    strcmp(c.mem[1].name, c.mem[2].name) != 0) {
			sms_rx_mem[0] = '\0';
			sms_rx_use_mem(c.mem[2].name);
		}
	}
	if (modem_submit_h("sms", "AT+CMGL=4", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_list_done, NULL) == 0)
		log_warnx("sms: cannot list stored messages now");
}

/* At each (re)initialisation: read and delete where messages arrive,
 * then everything already stored. */
void
sms_rx_ready(void *arg)
{
	sms_rx_mem[0] = '\0';
	if (modem_submit_h("sms", "AT+CPMS?", NULL, SMS_RX_TIMEOUT_MS,
	    sms_rx_cpms_done, NULL) == 0)
		log_warnx("sms: cannot list stored messages now");
}

void
sms_rx_start(struct event_base *base)
{
	sms_rx_run_start(base);
	modem_urc_subscribe_as("sms", "+CMTI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CDSI:", sms_rx_indication, NULL);
	modem_urc_subscribe_as("sms", "+CMT:", sms_rx_direct, NULL);
	modem_urc_subscribe_as("sms", "+CDS:", sms_rx_direct, NULL);
	modem_ready_subscribe_as("sms", sms_rx_ready, NULL);
	sms_rx_process_new();	/* left by a stop before processing */
}

void
sms_rx_stop(void)
{
	sms_rx_run_stop();
}
