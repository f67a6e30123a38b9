/*
 * sms_tx.c: the send side: one message in flight, its state committed at
 * every step (queued -> sending -> sent, or back to queued with a later
 * try after +CMS ERROR, or failed after sms.retries, or uncertain when the
 * modem went silent after the PDU was written).  Concatenated parts are
 * sent in order and a retry resumes at the first part not yet accepted,
 * so no part goes out twice.  Nothing polls: a deferred event runs when a
 * message is queued or the modem becomes ready, a timer when a retry is
 * due.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "at_parse.h"
#include "events.h"
#include "log.h"
#include "cmd.h"
#include "ctl.h"
#include "settings.h"
#include "modem.h"
#include "pdu.h"
#include "settings.h"
#include "util.h"

#include "sms_int.h"

#define SMS_TX_TIMEOUT_MS	60000

static struct event *sms_tx_ev;
static int sms_tx_busy;
static struct sms_out sms_tx_cur;
static struct pdu_encoded *sms_tx_enc;

static void sms_tx_part(void);

static void
sms_tx_event(const char *status, const char *error)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "direction", json_object_new_string("out"));
	json_object_object_add(o, "id", json_object_new_int64(sms_tx_cur.id));
	json_object_object_add(o, "number",
	    json_object_new_string(sms_tx_cur.number));
	json_object_object_add(o, "status", json_object_new_string(status));
	if (error != NULL)
		json_object_object_add(o, "error",
		    json_object_new_string(error));
	events_publish("sms", o);
}

static void
sms_tx_finish(const char *status, int attempts, long long next_try,
    const char *error)
{
	if (sms_store_out_update(sms_tx_cur.id, status, attempts, next_try,
	    sms_tx_cur.parts_sent, sms_tx_cur.mr, error) == -1)
		log_warnx("sms: message %lld: status %s not saved",
		    sms_tx_cur.id, status);
	log_info("sms: message %lld to %s: %s%s%s", sms_tx_cur.id,
	    sms_tx_cur.number, status, error ? ": " : "", error ? error : "");
	sms_tx_event(status, error);
	free(sms_tx_cur.text);
	sms_tx_cur.text = NULL;
	sms_tx_busy = 0;
	sms_tx_kick();
}

static void
sms_tx_done(const struct modem_response *r, void *arg)
{
	char why[160];
	int attempts = sms_tx_cur.attempts + 1;

	if (r->final == MODEM_OK) {
		const char *err;
		int mr = -1, v;

		for (size_t i = 0; i < r->nlines; i++)
			if (at_parse_cmgs(r->lines[i], strlen(r->lines[i]), &v,
			    &err) == 0)
				mr = v;
		sms_tx_cur.parts_sent++;
		snprintf(sms_tx_cur.mr + strlen(sms_tx_cur.mr),
		    sizeof sms_tx_cur.mr - strlen(sms_tx_cur.mr), "%s%d",
		    sms_tx_cur.mr[0] ? " " : "", mr);
		if (sms_tx_cur.parts_sent < (int)sms_tx_enc->nparts) {
			if (sms_store_out_update(sms_tx_cur.id, "sending",
			    sms_tx_cur.attempts, 0, sms_tx_cur.parts_sent,
			    sms_tx_cur.mr, NULL) == -1)
				log_warnx("sms: progress of %lld not saved",
				    sms_tx_cur.id);
			sms_tx_part();
			return;
		}
		sms_tx_finish("sent", sms_tx_cur.attempts, 0, NULL);
		return;
	}
	if (r->final == MODEM_TIMEOUT || r->final == MODEM_GONE) {
		/* the PDU may have gone out: never send it again */
		snprintf(why, sizeof why, "no answer from the modem (%s)",
		    r->final_line);
		sms_tx_finish("uncertain", attempts, 0, why);
		return;
	}
	if (r->final == MODEM_CMS_ERROR)
		snprintf(why, sizeof why, "%s (%s)", r->final_line,
		    at_cms_error_text((int)r->code));
	else
		snprintf(why, sizeof why, "%s", r->final_line);
	if (attempts > settings_int(sms_set.retries)) {
		sms_tx_finish("failed", attempts, 0, why);
		return;
	}
	sms_tx_finish("queued", attempts, (long long)time(NULL) +
	    (settings_int(sms_set.retry_delay) << (attempts - 1)), why);
}

static void
sms_tx_part(void)
{
	const struct pdu_part *p = &sms_tx_enc->parts[sms_tx_cur.parts_sent];
	char cmd[32];

	snprintf(cmd, sizeof cmd, "AT+CMGS=%u", p->tpdu_len);
	if (modem_submit_h("sms", cmd, p->hex, SMS_TX_TIMEOUT_MS,
	    sms_tx_done, NULL) == 0) {
		/* not written: safe to try again later */
		sms_tx_finish("queued", sms_tx_cur.attempts,
		    (long long)time(NULL) + settings_int(sms_set.retry_delay),
		    "the modem is not available");
	}
}

/* Encode for sending; the concatenation reference comes from the id. */
int
sms_tx_encode(const char *number, const char *text, const char *coding,
    long long id, struct pdu_encoded *out, const char **reason)
{
	struct pdu_encode_opts o;

	memset(&o, 0, sizeof o);
	o.concat_ref = (uint16_t)(id & 0xff);
	o.status_report = settings_bool(sms_set.status_report);
	if (strcmp(coding, "ucs2") == 0)
		o.force_ucs2 = true;
	else if (strcmp(coding, "8bit") == 0) {
		o.binary = true;
		o.data = (const uint8_t *)text;
		o.data_len = strlen(text);
	}
	return pdu_encode_submit(number, text, strlen(text), &o, out, reason);
}

static void
sms_tx_cb(evutil_socket_t fd, short what, void *arg)
{
	long long now = time(NULL), next;
	const char *reason;
	struct timeval tv = { 0, 0 };
	int r;

	if (sms_tx_busy || modem_state() != MODEM_READY)
		return;		/* the modem's ready hook kicks us again */
	r = sms_store_out_next(now, &sms_tx_cur);
	if (r != 1) {
		if ((next = sms_store_out_next_try()) > now) {
			tv.tv_sec = (time_t)(next - now);
			event_add(sms_tx_ev, &tv);
		}
		return;
	}
	sms_tx_busy = 1;
	if (sms_tx_encode(sms_tx_cur.number, sms_tx_cur.text,
	    sms_tx_cur.coding, sms_tx_cur.id, sms_tx_enc, &reason) == -1) {
		sms_tx_finish("failed", sms_tx_cur.attempts, 0, reason);
		return;
	}
	if (sms_tx_cur.parts_sent >= (int)sms_tx_enc->nparts)
		sms_tx_cur.parts_sent = 0;	/* the encoding changed */
	if (sms_store_out_update(sms_tx_cur.id, "sending", sms_tx_cur.attempts,
	    0, sms_tx_cur.parts_sent, sms_tx_cur.mr, NULL) == -1) {
		log_warnx("sms: message %lld not marked sending; not sent",
		    sms_tx_cur.id);
		free(sms_tx_cur.text);
		sms_tx_cur.text = NULL;
		sms_tx_busy = 0;
		return;
	}
	sms_tx_part();
}

int
sms_tx_busy_now(void)
{
	return sms_tx_busy;
}

void
sms_tx_kick(void)
{
	if (sms_tx_ev != NULL)
		event_active(sms_tx_ev, EV_TIMEOUT, 0);
}

static void
sms_tx_ready(void *arg)
{
	sms_tx_kick();
}

void
sms_tx_start(struct event_base *base)
{
	if ((sms_tx_enc = calloc(1, sizeof *sms_tx_enc)) == NULL)
		fatal("calloc");
	sms_tx_ev = evtimer_new(base, sms_tx_cb, NULL);
	modem_ready_subscribe_as("sms", sms_tx_ready, NULL);
	sms_tx_kick();
}

void
sms_tx_stop(void)
{
	if (sms_tx_ev != NULL) {
		event_free(sms_tx_ev);
		sms_tx_ev = NULL;
	}
	free(sms_tx_cur.text);
	sms_tx_cur.text = NULL;
	free(sms_tx_enc);
	sms_tx_enc = NULL;
	sms_tx_busy = 0;
}
