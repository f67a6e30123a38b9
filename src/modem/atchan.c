/*
 * atchan.c: the AT engine.  Owns the command queue (one command in
 * flight), its timeout timer, the lexer of src/at fed with the port's
 * bytes, the classification of each line (final result, URC, response
 * line; gatchat's order, see include/at_lexer.h), the "> " prompt flow
 * (PDU then Ctrl-Z; ESC on timeout) and the delivery of finished
 * commands to their callbacks from the loop.  No I/O: bytes leave
 * through ops->write and arrive through atchan_feed().
 */

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "at_lexer.h"
#include "at_parse.h"
#include "cg_queue.h"
#include "log.h"
#include "modem_atchan.h"
#include "util.h"

struct atcmd {
	CG_TAILQ_ENTRY(atcmd)	 entry;
	uint64_t		 id;
	int			 cancelled;	/* never call done */
	char			 cmd[MODEM_CMD_MAX + 1];
	char			 logname[80];	/* as logged */
	char			*pdu;
	char			 prefix[32];	/* response prefix, "" none */
	int			 timeout_ms;
	unsigned		 flags;
	modem_done_fn		*done;
	void			*arg;
	modem_prompt_fn		*prompt;
	void			*prompt_arg;
	enum modem_stage	 stage;
	int			 aborted;	/* ESC written at the prompt */
	/* the response */
	enum modem_final	 final;
	long			 code;
	char			 final_line[AT_RESULT_TEXT_MAX + 16];
	struct buf		 data;		/* lines, NUL after each */
	size_t			 nlines;
	int			 broken;	/* overflow: lines were lost */
};
CG_TAILQ_HEAD(atcmd_list, atcmd);

struct atchan {
	struct event_base	*base;
	const struct atchan_ops	*ops;
	void			*arg;
	struct at_lexer		 lx;
	struct atcmd_list	 queue;		/* waiting */
	struct atcmd_list	 done;		/* finished, callback due */
	struct atcmd		*cur;		/* in flight */
	int			 pdu_sent;
	struct event		*ev_timer;
	struct event		*ev_kick;
	int			 echo_off;
	/* a URC whose PDU line is still to come */
	int			 urc_wait;
	int			 urc_id;
	char			 urc_line[AT_LINE_MAX + 1];
	unsigned long		 nsent, ntimeouts;
	int			 in_feed;
	uint64_t		 last_id;
};

static const char *const modem_final_names[MODEM_FINAL_MAX] = {
	"OK", "ERROR", "CME ERROR", "CMS ERROR", "NO CARRIER", "CONNECT",
	"TIMEOUT", "GONE"
};

const char *
modem_final_name(enum modem_final f)
{
	if ((unsigned)f >= MODEM_FINAL_MAX)
		return "?";
	return modem_final_names[f];
}

static void atchan_start(struct atchan *);
static void atchan_timeout_cb(evutil_socket_t, short, void *);
static void atchan_kick_cb(evutil_socket_t, short, void *);

static void
atchan_kick(struct atchan *ch)
{
	event_active(ch->ev_kick, EV_TIMEOUT, 0);
}

/* Escape untrusted bytes for the log. */
static const char *
atchan_esc(const char *s, size_t len, char *out, size_t outlen)
{
	util_escape(out, outlen, s, len);
	return out;
}

void
atchan_response_prefix(const char *cmd, char *out, size_t outlen)
{
	size_t n = 0;
	const char *p;

	out[0] = '\0';
	if (strlen(cmd) < 3 || !util_strncaseeq(cmd, "AT", 2))
		return;
	p = cmd + 2;
	if (*p != '+' && *p != '^' && *p != '$' && *p != '*' && *p != '%')
		return;
	while (p[n] != '\0' && p[n] != '=' && p[n] != '?' && p[n] != ';' &&
	    n + 2 < outlen)
		n++;
	/* AT+CUSD=1,...: the answer comes later as a URC */
	if (n == 5 && util_strncaseeq(p, "+CUSD", 5))
		return;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)toupper((unsigned char)p[i]);
	out[n] = ':';
	out[n + 1] = '\0';
}

static void
atchan_logname(struct atcmd *c)
{
	const char *eq;

	if ((c->flags & ATCHAN_SECRET) && (eq = strchr(c->cmd, '=')) != NULL)
		snprintf(c->logname, sizeof c->logname, "%.*s=***",
		    (int)(eq - c->cmd), c->cmd);
	else
		util_escape(c->logname, sizeof c->logname, c->cmd,
		    strlen(c->cmd));
}

struct atchan *
atchan_new(struct event_base *base, const struct atchan_ops *ops, void *arg)
{
	struct atchan *ch = calloc(1, sizeof *ch);

	if (ch == NULL)
		return NULL;
	ch->base = base;
	ch->ops = ops;
	ch->arg = arg;
	at_lexer_init(&ch->lx);
	CG_TAILQ_INIT(&ch->queue);
	CG_TAILQ_INIT(&ch->done);
	ch->ev_timer = evtimer_new(base, atchan_timeout_cb, ch);
	ch->ev_kick = event_new(base, -1, 0, atchan_kick_cb, ch);
	if (ch->ev_timer == NULL || ch->ev_kick == NULL) {
		if (ch->ev_timer != NULL)
			event_free(ch->ev_timer);
		if (ch->ev_kick != NULL)
			event_free(ch->ev_kick);
		free(ch);
		return NULL;
	}
	return ch;
}

static void
atcmd_free(struct atcmd *c)
{
	buf_free(&c->data);
	free(c->pdu);
	free(c);
}

/* Call the command's callback with its response, then free it. */
static void
atchan_deliver(struct atcmd *c)
{
	const char *lines[ATCHAN_LINES_MAX];
	struct modem_response r;
	size_t off = 0;

	memset(&r, 0, sizeof r);
	for (size_t i = 0; i < c->nlines && i < ATCHAN_LINES_MAX; i++) {
		lines[i] = c->data.data + off;
		off += strlen(lines[i]) + 1;
	}
	r.command = c->cmd;
	r.final = c->final;
	r.code = c->code;
	r.final_line = c->final_line;
	r.stage = c->stage;
	r.nlines = c->nlines;
	r.lines = lines;
	if (c->done != NULL && !c->cancelled)
		c->done(&r, c->arg);
	atcmd_free(c);
}

static void
atchan_kick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct atchan *ch = arg;
	struct atcmd *c;

	/* deliver one at a time: a callback may flush or free nothing of
	 * ours but may queue more commands */
	while ((c = CG_TAILQ_FIRST(&ch->done)) != NULL) {
		CG_TAILQ_REMOVE(&ch->done, c, entry);
		atchan_deliver(c);
	}
	if (ch->cur == NULL)
		atchan_start(ch);
}

void
atchan_free(struct atchan *ch)
{
	struct atcmd *c;

	if (ch == NULL)
		return;
	atchan_flush(ch, MODEM_GONE);
	while ((c = CG_TAILQ_FIRST(&ch->done)) != NULL) {
		CG_TAILQ_REMOVE(&ch->done, c, entry);
		atchan_deliver(c);
	}
	event_free(ch->ev_timer);
	event_free(ch->ev_kick);
	free(ch);
}

/* The command in flight is finished: move it to the done list. */
static void
atchan_finish(struct atchan *ch, enum modem_final f, long code,
    const char *line)
{
	struct atcmd *c = ch->cur;
	int lvl_debug;

	if (c == NULL)
		return;
	evtimer_del(ch->ev_timer);
	ch->cur = NULL;
	ch->pdu_sent = 0;
	at_lexer_clear_echo(&ch->lx);
	c->final = f;
	c->code = code;
	util_strlcpy(c->final_line, line, sizeof c->final_line);
	if (c->aborted) {
		/* ESC at the prompt: the modem's answer to it is not the
		 * message's */
		c->final = MODEM_ERROR;
		c->code = -1;
		util_strlcpy(c->final_line, "ABORTED", sizeof c->final_line);
	} else if (c->broken && f == MODEM_OK) {
		/* an overlong line was lost: never act on a partial answer */
		c->final = MODEM_ERROR;
		util_strlcpy(c->final_line, "ERROR (response line too long)",
		    sizeof c->final_line);
	}
	lvl_debug = (c->flags & ATCHAN_QUIET) && f != MODEM_TIMEOUT;
	if (f == MODEM_OK || lvl_debug)
		log_debug("modem: %s -> %s (%zu lines)", c->logname,
		    c->final_line, c->nlines);
	else {
		char esc[160];

		log_info("modem: %s -> %s", c->logname,
		    atchan_esc(c->final_line, strlen(c->final_line), esc,
		    sizeof esc));
	}
	/* the engine follows the modem's echo setting itself */
	if (f == MODEM_OK && util_strcaseeq(c->cmd, "ATE0"))
		ch->echo_off = 1;
	else if (f == MODEM_OK && (util_strcaseeq(c->cmd, "ATE1") ||
	    util_strcaseeq(c->cmd, "ATE") || util_strcaseeq(c->cmd, "ATZ") ||
	    util_strcaseeq(c->cmd, "AT&F")))
		ch->echo_off = 0;
	CG_TAILQ_INSERT_TAIL(&ch->done, c, entry);
	atchan_kick(ch);
}

static void
atchan_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct atchan *ch = arg;

	if (ch->cur == NULL)
		return;
	ch->ntimeouts++;
	if (ch->cur->pdu != NULL) {
		/* waiting at the prompt or for the send result: ESC cancels
		 * a half-written message rather than sending it later */
		(void)ch->ops->write("\x1b", 1, ch->arg);
	}
	log_warnx("modem: %s: no answer within %d ms", ch->cur->logname,
	    ch->cur->timeout_ms);
	atchan_finish(ch, MODEM_TIMEOUT, -1, "TIMEOUT");
}

void
atchan_expire(struct atchan *ch)
{
	if (ch != NULL && ch->cur != NULL) {
		evtimer_del(ch->ev_timer);
		atchan_timeout_cb(-1, EV_TIMEOUT, ch);
	}
}

static void
atchan_start(struct atchan *ch)
{
	struct atcmd *c;
	char line[MODEM_CMD_MAX + 2];
	struct timeval tv;
	size_t n;

	if (ch->cur != NULL || (c = CG_TAILQ_FIRST(&ch->queue)) == NULL)
		return;
	CG_TAILQ_REMOVE(&ch->queue, c, entry);
	ch->cur = c;
	ch->pdu_sent = 0;
	n = strlen(c->cmd);
	memcpy(line, c->cmd, n);
	line[n] = '\r';
	at_lexer_set_echo(&ch->lx, c->cmd, n);
	log_debug("modem: > %s", c->logname);
	tv.tv_sec = c->timeout_ms / 1000;
	tv.tv_usec = (c->timeout_ms % 1000) * 1000;
	evtimer_add(ch->ev_timer, &tv);
	ch->nsent++;
	if (ch->ops->write(line, n + 1, ch->arg) == -1)
		atchan_finish(ch, MODEM_GONE, -1, "GONE");
	else
		c->stage = MODEM_STAGE_WRITTEN;
}

/* Queue order: ATCHAN_FRONT first (newest first), then ATCHAN_STORAGE,
 * then the rest, each class in the order submitted. */
static int
atcmd_class(const struct atcmd *c)
{
	return (c->flags & ATCHAN_FRONT) ? 0 :
	    (c->flags & ATCHAN_STORAGE) ? 1 : 2;
}

static void
atchan_enqueue(struct atchan *ch, struct atcmd *c)
{
	struct atcmd *after = NULL, *q;
	int cls = atcmd_class(c);

	if (cls == 0) {
		CG_TAILQ_INSERT_HEAD(&ch->queue, c, entry);
		return;
	}
	CG_TAILQ_FOREACH(q, &ch->queue, entry) {
		if (atcmd_class(q) > cls)
			break;
		after = q;
	}
	if (after == NULL)
		CG_TAILQ_INSERT_HEAD(&ch->queue, c, entry);
	else
		CG_TAILQ_INSERT_AFTER(&ch->queue, after, c, entry);
}

uint64_t
atchan_submit(struct atchan *ch, const char *cmd, const char *pdu,
    int timeout_ms, unsigned flags, modem_done_fn *done, void *arg)
{
	struct atcmd *c;
	size_t n = 0;

	if (ch == NULL || cmd == NULL)
		return 0;
	CG_TAILQ_FOREACH(c, &ch->queue, entry)
		n++;
	if (n >= MODEM_QUEUE_MAX)
		return 0;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return 0;
	if (util_strlcpy(c->cmd, cmd, sizeof c->cmd) >= sizeof c->cmd ||
	    (pdu != NULL && (c->pdu = strdup(pdu)) == NULL)) {
		free(c->pdu);
		free(c);
		return 0;
	}
	c->id = ++ch->last_id;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 5000;
	c->flags = flags;
	c->done = done;
	c->arg = arg;
	c->code = -1;
	buf_init(&c->data, ATCHAN_RESP_MAX);
	atchan_response_prefix(cmd, c->prefix, sizeof c->prefix);
	atchan_logname(c);
	atchan_enqueue(ch, c);
	if (ch->cur == NULL)
		atchan_kick(ch);
	return c->id;
}

int
atchan_send(struct atchan *ch, const char *cmd, const char *pdu,
    int timeout_ms, unsigned flags, modem_done_fn *done, void *arg)
{
	return atchan_submit(ch, cmd, pdu, timeout_ms, flags, done, arg) != 0 ?
	    0 : -1;
}

int
atchan_set_prompt_hook(struct atchan *ch, uint64_t id, modem_prompt_fn *fn,
    void *arg)
{
	struct atcmd *c;

	if (ch == NULL || id == 0)
		return -1;
	CG_TAILQ_FOREACH(c, &ch->queue, entry)
		if (c->id == id) {
			c->prompt = fn;
			c->prompt_arg = arg;
			return 0;
		}
	return -1;
}

int
atchan_unqueue(struct atchan *ch, uint64_t id)
{
	struct atcmd *c;

	if (ch == NULL || id == 0)
		return 0;
	CG_TAILQ_FOREACH(c, &ch->queue, entry)
		if (c->id == id) {
			CG_TAILQ_REMOVE(&ch->queue, c, entry);
			atcmd_free(c);
			return 1;
		}
	return 0;
}

int
atchan_cancel(struct atchan *ch, uint64_t id)
{
	struct atcmd *c;

	if (atchan_unqueue(ch, id) == 1)
		return 1;
	if (ch == NULL || id == 0)
		return -1;
	if (ch->cur != NULL && ch->cur->id == id) {
		ch->cur->cancelled = 1;
		return 0;
	}
	CG_TAILQ_FOREACH(c, &ch->done, entry)
		if (c->id == id) {
			c->cancelled = 1;
			return 0;
		}
	return -1;
}

void
atchan_flush(struct atchan *ch, enum modem_final why)
{
	struct atcmd *c;
	const char *line = why == MODEM_TIMEOUT ? "TIMEOUT" : "GONE";

	if (ch->cur != NULL)
		atchan_finish(ch, why, -1, line);
	while ((c = CG_TAILQ_FIRST(&ch->queue)) != NULL) {
		CG_TAILQ_REMOVE(&ch->queue, c, entry);
		c->final = why;
		c->code = -1;
		util_strlcpy(c->final_line, line, sizeof c->final_line);
		CG_TAILQ_INSERT_TAIL(&ch->done, c, entry);
	}
	ch->urc_wait = 0;
	ch->pdu_sent = 0;
	if (!ch->in_feed)
		at_lexer_reset(&ch->lx);
	if (!CG_TAILQ_EMPTY(&ch->done))
		atchan_kick(ch);
}

int
atchan_echo_off(const struct atchan *ch)
{
	return ch->echo_off;
}

size_t
atchan_queued(const struct atchan *ch)
{
	const struct atcmd *c;
	size_t n = ch->cur != NULL;

	CG_TAILQ_FOREACH(c, &ch->queue, entry)
		n++;
	return n;
}

int
atchan_busy(const struct atchan *ch)
{
	return ch->cur != NULL || !CG_TAILQ_EMPTY(&ch->queue);
}

unsigned long
atchan_sent_count(const struct atchan *ch)
{
	return ch->nsent;
}

unsigned long
atchan_timeout_count(const struct atchan *ch)
{
	return ch->ntimeouts;
}

static void
atchan_add_line(struct atcmd *c, const char *s, size_t len)
{
	if (c->nlines >= ATCHAN_LINES_MAX ||
	    buf_add(&c->data, s, len) == -1 || buf_add(&c->data, "", 1) == -1) {
		c->broken = 1;
		return;
	}
	c->nlines++;
}

/* A URC waiting for its PDU gets none: deliver it alone. */
static void
atchan_urc_flush(struct atchan *ch)
{
	if (!ch->urc_wait)
		return;
	ch->urc_wait = 0;
	ch->ops->urc(ch->urc_id, ch->urc_line, NULL, ch->arg);
}

static void
atchan_urc(struct atchan *ch, int id, const char *line, size_t len)
{
	atchan_urc_flush(ch);
	if (id != AT_URC_NONE && (at_urc_flags(id) & AT_URCF_PDU)) {
		ch->urc_wait = 1;
		ch->urc_id = id;
		util_strlcpy(ch->urc_line, line, sizeof ch->urc_line);
		(void)len;
		return;
	}
	ch->ops->urc(id, line, NULL, ch->arg);
}

static enum modem_final
atchan_final_kind(enum at_result_kind k)
{
	switch (k) {
	case AT_RESULT_OK:
		return MODEM_OK;
	case AT_RESULT_CONNECT:
		return MODEM_CONNECT;
	case AT_RESULT_CME_ERROR:
		return MODEM_CME_ERROR;
	case AT_RESULT_CMS_ERROR:
		return MODEM_CMS_ERROR;
	case AT_RESULT_NO_CARRIER:
	case AT_RESULT_BUSY:
	case AT_RESULT_NO_ANSWER:
	case AT_RESULT_NO_DIALTONE:
		return MODEM_NO_CARRIER;
	default:
		return MODEM_ERROR;
	}
}

static void
atchan_line(struct atchan *ch, const struct at_token *t)
{
	struct atcmd *c = ch->cur;
	struct at_result res;
	char esc[160];
	int id;

	if (at_result_classify(t->data, t->len, 0, &res) &&
	    res.kind != AT_RESULT_NONE) {
		atchan_urc_flush(ch);
		if (c != NULL) {
			atchan_finish(ch, atchan_final_kind(res.kind),
			    (res.kind == AT_RESULT_CME_ERROR ||
			    res.kind == AT_RESULT_CMS_ERROR) ? res.code : -1,
			    t->data);
			return;
		}
		if (res.kind == AT_RESULT_NO_CARRIER ||
		    res.kind == AT_RESULT_BUSY ||
		    res.kind == AT_RESULT_NO_ANSWER) {
			/* with nothing in flight: a call event */
			ch->ops->urc(AT_URC_NONE, t->data, NULL, ch->arg);
			return;
		}
		log_debug("modem: stray final result %s dropped",
		    atchan_esc(t->data, t->len, esc, sizeof esc));
		return;
	}
	id = at_urc_classify(t->data, t->len,
	    c != NULL && c->prefix[0] != '\0' ? c->prefix : NULL);
	if (id != AT_URC_NONE) {
		atchan_urc(ch, id, t->data, t->len);
		return;
	}
	if ((c == NULL || c->prefix[0] == '\0' ||
	    strncmp(t->data, c->prefix, strlen(c->prefix)) != 0) &&
	    ch->ops->is_urc != NULL && ch->ops->is_urc(t->data, t->len,
	    ch->arg)) {
		atchan_urc(ch, AT_URC_NONE, t->data, t->len);
		return;
	}
	atchan_urc_flush(ch);
	if (c == NULL) {
		log_debug("modem: unsolicited line ignored: %s",
		    atchan_esc(t->data, t->len, esc, sizeof esc));
		return;
	}
	atchan_add_line(c, t->data, t->len);
}

static void
atchan_token(const struct at_token *t, void *arg)
{
	struct atchan *ch = arg;
	struct atcmd *c = ch->cur;
	char esc[160];

	switch (t->type) {
	case AT_TOK_ECHO:
		if (ch->echo_off && ch->ops->echo_back != NULL)
			ch->ops->echo_back(ch->arg);
		break;
	case AT_TOK_PROMPT:
		if (c == NULL || c->pdu == NULL || ch->pdu_sent) {
			log_debug("modem: unexpected \"> \" prompt");
			break;
		}
		ch->pdu_sent = 1;
		if (c->prompt != NULL && !c->cancelled &&
		    c->prompt(c->prompt_arg) == -1) {
			/* the owner cannot record the send: do not send */
			c->aborted = 1;
			if (ch->ops->write("\x1b", 1, ch->arg) == -1)
				atchan_finish(ch, MODEM_GONE, -1, "GONE");
			break;
		}
		at_lexer_set_echo(&ch->lx, c->pdu, strlen(c->pdu));
		c->stage = MODEM_STAGE_PDU;
		if (ch->ops->write(c->pdu, strlen(c->pdu), ch->arg) == -1 ||
		    ch->ops->write("\x1a", 1, ch->arg) == -1)
			atchan_finish(ch, MODEM_GONE, -1, "GONE");
		break;
	case AT_TOK_PDU:
		if (ch->urc_wait) {
			ch->urc_wait = 0;
			ch->ops->urc(ch->urc_id, ch->urc_line, t->data, ch->arg);
		} else if (c != NULL)
			atchan_add_line(c, t->data, t->len);
		else
			log_debug("modem: stray PDU line ignored");
		break;
	case AT_TOK_OVERFLOW:
		log_warnx("modem: line longer than %d bytes discarded: %s",
		    AT_LINE_MAX, atchan_esc(t->data, t->len, esc, sizeof esc));
		if (c != NULL)
			c->broken = 1;
		break;
	case AT_TOK_LINE:
		atchan_line(ch, t);
		break;
	default:
		break;
	}
}

void
atchan_feed(struct atchan *ch, const uint8_t *data, size_t len)
{
	ch->in_feed = 1;
	at_lexer_feed(&ch->lx, data, len, atchan_token, ch);
	ch->in_feed = 0;
}
