/*
 * at.c: the AT interpreter's front end.  It owns the bytes coming from the
 * pty: echo, line framing (CR, CRLF or LF; backspace; 1024-byte limit),
 * the PDU entry state after "> " (ended by ^Z, cancelled by ESC), the
 * recording of every command line, command-line parsing (basic commands,
 * extended commands chained with ';'), dispatch through the vendor and
 * 3GPP tables, the "fail" rules (a result, or a fault of fault.c: no
 * answer, a lost answer, garbage, a dropped port), final result codes
 * (+CME ERROR under AT+CMEE) and the optional response delay.  The
 * commands themselves are in at_cmds.c, at_sms.c and vendor.c.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sim.h"

#define AT_CTRL_Z	0x1a
#define AT_ESC		0x1b

/* Verbose texts for AT+CMEE=2 (27.007 9.2.1). */
static const struct {
	int		 code;
	const char	*text;
} at_cme_texts[] = {
	{ CME_NOT_ALLOWED, "operation not allowed" },
	{ CME_NOT_SUPPORTED, "operation not supported" },
	{ CME_SIM_PIN, "SIM PIN required" },
	{ CME_SIM_PUK, "SIM PUK required" },
	{ CME_SIM_FAILURE, "SIM failure" },
	{ CME_INCORRECT_PASSWORD, "incorrect password" },
	{ CME_INVALID_INDEX, "invalid index" },
	{ CME_NO_NETWORK, "no network service" },
	{ CME_INVALID_PARAM, "Incorrect parameters" },
	{ 0, NULL }
};

static void	at_record(struct sim *, const char *);

void
at_init(struct sim *sim)
{
	CG_TAILQ_INIT(&sim->delayed);
	at_reset(sim);
}

static void
at_delayed_free(struct sim_delayed *d)
{
	CG_TAILQ_REMOVE(&d->sim->delayed, d, entry);
	event_free(d->ev);
	evbuffer_free(d->buf);
	free(d);
}

/* Forget responses still waiting for their delay. */
void
at_free_pending(struct sim *sim)
{
	while (!CG_TAILQ_EMPTY(&sim->delayed))
		at_delayed_free(CG_TAILQ_FIRST(&sim->delayed));
}

void
at_free(struct sim *sim)
{
	size_t	i;

	at_free_pending(sim);
	for (i = 0; i < sim->ncmds; i++)
		free(sim->cmds[i]);
	free(sim->cmds);
	sim->cmds = NULL;
	sim->ncmds = 0;
	for (i = 0; i < sim->nsent; i++)
		free(sim->sent[i].pdu);
	free(sim->sent);
	sim->sent = NULL;
	sim->nsent = 0;
}

/* ATZ, AT&F and reboot: volatile settings back to the profile defaults. */
void
at_reset(struct sim *sim)
{
	const struct profile	*p = sim->profile;
	int			 i;

	sim->echo = p->echo;
	sim->cmee = 0;
	sim->cmgf = 0;
	sim->clip = 0;
	sim->crc = 0;
	sim->creg_n = 0;
	sim->cgreg_n = 0;
	sim->cereg_n = 0;
	sim->cops_format = 0;
	sim->curc = 1;
	memset(sim->cnmi, 0, sizeof sim->cnmi);
	for (i = 0; i < 3; i++)
		snprintf(sim->mem[i], sizeof sim->mem[i], "%s", p->storage);
	snprintf(sim->cscs, sizeof sim->cscs, "IRA");
	snprintf(sim->smsc, sizeof sim->smsc, "%s", p->smsc);
}

void
at_info(struct evbuffer *out, const char *fmt, ...)
{
	va_list	ap;

	evbuffer_add(out, "\r\n", 2);
	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

/* A continuation line of a multi-line information response. */
void
at_more(struct evbuffer *out, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	evbuffer_add_vprintf(out, fmt, ap);
	va_end(ap);
	evbuffer_add(out, "\r\n", 2);
}

void
at_final(struct sim *sim, struct evbuffer *out, int r)
{
	int	i;

	if (r == AT_OK)
		at_info(out, "OK");
	else if (r == AT_NOCARRIER)
		at_info(out, "NO CARRIER");
	else if (r == AT_SILENT || r == AT_PROMPT)
		return;
	else if (AT_IS_CMS(r))
		at_info(out, "+CMS ERROR: %d", AT_CODE(r));
	else if (AT_IS_CME(r) && sim->cmee == 1)
		at_info(out, "+CME ERROR: %d", AT_CODE(r));
	else if (AT_IS_CME(r) && sim->cmee == 2) {
		for (i = 0; at_cme_texts[i].text != NULL; i++) {
			if (at_cme_texts[i].code == AT_CODE(r))
				break;
		}
		if (at_cme_texts[i].text != NULL)
			at_info(out, "+CME ERROR: %s", at_cme_texts[i].text);
		else
			at_info(out, "+CME ERROR: %d", AT_CODE(r));
	} else
		at_info(out, "ERROR");
}

static void
at_delayed_cb(evutil_socket_t fd, short events, void *arg)
{
	struct sim_delayed	*d = arg;
	struct sim		*sim = d->sim;
	size_t			 len = evbuffer_get_length(d->buf);

	pty_write(sim, evbuffer_pullup(d->buf, -1), len);
	at_delayed_free(d);
}

/* Send a response now, or after the "delay" set from the control socket. */
static void
at_respond(struct sim *sim, struct evbuffer *resp)
{
	struct sim_delayed	*d;
	struct timeval		 tv;
	struct timespec		 now;
	long long		 now_ms, due;

	if (sim->delay_ms <= 0 || evbuffer_get_length(resp) == 0) {
		pty_write(sim, evbuffer_pullup(resp, -1),
		    evbuffer_get_length(resp));
		evbuffer_free(resp);
		return;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		evbuffer_free(resp);
		return;
	}
	/* one command at a time, as a modem works: an answer comes the
	 * delay after the one before it, so two commands in one read (an
	 * ESC that leaves a prompt, then AT) get their answers apart */
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	due = now_ms > sim->delay_due_ms ? now_ms : sim->delay_due_ms;
	due += sim->delay_ms;
	sim->delay_due_ms = due;
	d->sim = sim;
	d->buf = resp;
	d->ev = evtimer_new(sim->base, at_delayed_cb, d);
	CG_TAILQ_INSERT_TAIL(&sim->delayed, d, entry);
	tv.tv_sec = (time_t)((due - now_ms) / 1000);
	tv.tv_usec = (suseconds_t)((due - now_ms) % 1000) * 1000;
	evtimer_add(d->ev, &tv);
}

static void
at_record(struct sim *sim, const char *line)
{
	char	**n;
	size_t	  cap;

	if (sim->ncmds == SIM_CMDS_MAX) {
		free(sim->cmds[0]);
		memmove(sim->cmds, sim->cmds + 1,
		    (sim->ncmds - 1) * sizeof *sim->cmds);
		sim->ncmds--;
		sim->cmds_dropped++;
	}
	cap = sim->ncmds + 1;
	if ((n = reallocarray(sim->cmds, cap, sizeof *n)) == NULL)
		return;
	sim->cmds = n;
	if ((sim->cmds[sim->ncmds] = strdup(line)) != NULL)
		sim->ncmds++;
}

/*
 * "fail" rules from the control socket.  A rule answers the next COUNT
 * command lines starting with PREFIX with RESULT, or does what its fault
 * kind says (fault.c).
 */
int
at_fail_add(struct sim *sim, const char *prefix, const char *result,
    enum sim_fault kind, int count)
{
	struct sim_fail	*f;

	if (sim->nfails == SIM_FAIL_MAX)
		return (-1);
	f = &sim->fails[sim->nfails++];
	snprintf(f->prefix, sizeof f->prefix, "%s", prefix);
	snprintf(f->result, sizeof f->result, "%s", result);
	f->kind = kind;
	f->count = count;
	return (0);
}

static struct sim_fail *
at_fail_match(struct sim *sim, const char *line, char *result, size_t len,
    enum sim_fault *kind)
{
	struct sim_fail	*f;
	int		 i;

	for (i = 0; i < sim->nfails; i++) {
		f = &sim->fails[i];
		if (strncasecmp(line, f->prefix, strlen(f->prefix)) != 0)
			continue;
		snprintf(result, len, "%s", f->result);
		*kind = f->kind;
		if (--f->count <= 0) {
			memmove(f, f + 1, (sim->nfails - i - 1) * sizeof *f);
			sim->nfails--;
		}
		return (f);
	}
	return (NULL);
}

/* Argument helpers for the command handlers. */
int
sim_parse_int(const char **pp, int min, int max, int *v)
{
	const char	*p = *pp;
	long		 n = 0;
	int		 digits = 0;

	while (*p == ' ')
		p++;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (*p++ - '0');
		if (n > 1000000)
			return (-1);
		digits++;
	}
	if (digits == 0 || n < min || n > max)
		return (-1);
	while (*p == ' ')
		p++;
	*v = (int)n;
	*pp = p;
	return (0);
}

/* A "quoted" string or a bare token up to ',' or the end. */
int
sim_parse_str(const char **pp, char *buf, size_t len)
{
	const char	*p = *pp;
	size_t		 n = 0;

	while (*p == ' ')
		p++;
	if (*p == '"') {
		p++;
		while (*p != '"') {
			if (*p == '\0' || n + 1 >= len)
				return (-1);
			buf[n++] = *p++;
		}
		p++;
	} else {
		while (*p != ',' && *p != '\0') {
			if (n + 1 >= len)
				return (-1);
			buf[n++] = *p++;
		}
		while (n > 0 && buf[n - 1] == ' ')
			n--;
	}
	buf[n] = '\0';
	while (*p == ' ')
		p++;
	*pp = p;
	return (0);
}

/* Skip one ',' (and spaces); 1 if there was one. */
int
at_comma(const char **pp)
{
	const char	*p = *pp;

	while (*p == ' ')
		p++;
	if (*p != ',')
		return (0);
	p++;
	while (*p == ' ')
		p++;
	*pp = p;
	return (1);
}

int
at_args_end(const char *p)
{
	while (*p == ' ')
		p++;
	return (*p == '\0');
}

int
at_run(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const struct at_entry	*tables[4], *e;
	int			 i;

	tables[0] = sim->profile->vendor;
	tables[1] = at_cmds_table;
	tables[2] = at_sms_table;
	tables[3] = at_data_table;
	for (i = 0; i < 4; i++) {
		if (tables[i] == NULL)
			continue;
		for (e = tables[i]; e->name != NULL; e++) {
			if (strcmp(e->name, req->name) == 0)
				goto found;
		}
	}
	return (AT_ERROR);

found:
	if (e->fn == NULL)
		return (AT_ERROR);	/* masked by the vendor table */
	if (sim->pin != SIM_PIN_READY) {
		if (e->flags & AT_F_SIM_CME)
			return (AT_CME(sim->pin == SIM_PIN_PIN ?
			    CME_SIM_PIN : CME_SIM_PUK));
		if (e->flags & AT_F_SIM_CMS)
			return (AT_CMS(sim->pin == SIM_PIN_PIN ?
			    CMS_SIM_PIN : CMS_SIM_PUK));
	}
	return (e->fn(sim, req, out));
}

/*
 * Parse and run one command line ("AT" already checked).  Basic commands
 * (E0, Z, &F, I, A, H, V1, Q0, D...) may follow each other; extended ones
 * (+X, ^X) end at ';'.  The first failing command ends the line.
 */
static int
at_execute(struct sim *sim, char *line, struct evbuffer *out)
{
	struct at_req	 req;
	char		 name[32], digits[16], *p, *start;
	size_t		 n;
	int		 r, quoted;

	p = line + 2;
	if (*p == '\0')
		return (AT_OK);
	while (*p != '\0') {
		n = 0;
		memset(&req, 0, sizeof req);
		if (*p == '+' || *p == '^' || *p == '$' || *p == '%') {
			name[n++] = *p++;
			while (isalnum((unsigned char)*p) || *p == '_') {
				if (n + 1 >= sizeof name)
					return (AT_ERROR);
				name[n++] = toupper((unsigned char)*p++);
			}
			name[n] = '\0';
			if (p[0] == '=' && p[1] == '?') {
				req.type = AT_TYPE_TEST;
				p += 2;
			} else if (p[0] == '?') {
				req.type = AT_TYPE_READ;
				p++;
			} else if (p[0] == '=') {
				req.type = AT_TYPE_SET;
				p++;
			} else
				req.type = AT_TYPE_EXEC;
			start = p;
			for (quoted = 0; *p != '\0'; p++) {
				if (*p == '"')
					quoted = !quoted;
				else if (*p == ';' && !quoted)
					break;
			}
			if (*p == ';')
				*p++ = '\0';
			req.args = start;
			if (req.type != AT_TYPE_SET && !at_args_end(start))
				return (AT_ERROR);
		} else if (toupper((unsigned char)*p) == 'D') {
			/* ATD: the rest of the line is the dial string. */
			snprintf(name, sizeof name, "D");
			req.type = AT_TYPE_SET;
			req.args = p + 1;
			p += strlen(p);
		} else if (isalpha((unsigned char)*p) || *p == '&') {
			if (*p == '&')
				name[n++] = *p++;
			if (!isalpha((unsigned char)*p))
				return (AT_ERROR);
			name[n++] = toupper((unsigned char)*p++);
			name[n] = '\0';
			start = p;
			while (isdigit((unsigned char)*p))
				p++;
			if (*p == '?' && p == start) {
				req.type = AT_TYPE_READ;
				p++;
				req.args = "";
			} else {
				req.type = p == start ? AT_TYPE_EXEC :
				    AT_TYPE_SET;
				req.args = start;
			}
		} else
			return (AT_ERROR);
		req.name = name;
		if (name[0] != '+' && name[0] != '^' && name[0] != '$' &&
		    name[0] != '%' && req.type == AT_TYPE_SET &&
		    name[0] != 'D') {
			/* Basic command: its argument is the digits only. */
			for (n = 0; isdigit((unsigned char)req.args[n]) &&
			    n + 1 < sizeof digits; n++)
				digits[n] = req.args[n];
			digits[n] = '\0';
			req.args = digits;
		}
		r = at_run(sim, &req, out);
		if (r != AT_OK)
			return (r);
		while (*p == ' ')
			p++;
	}
	return (AT_OK);
}

/* One complete command line. */
static void
at_line(struct sim *sim)
{
	struct evbuffer	*resp;
	struct sim_fail	*f;
	enum sim_fault	 kind;
	char		 result[64];
	int		 r;

	sim->line[sim->line_len] = '\0';
	if (sim->line_overflow) {
		sim_log(sim, "<- (line longer than %d bytes discarded)",
		    SIM_LINE_MAX);
		at_record(sim, "(overlong line)");
		sim->line_len = 0;
		sim->line_overflow = 0;
		if (!sim->hang) {
			resp = evbuffer_new();
			at_final(sim, resp, AT_ERROR);
			at_respond(sim, resp);
		}
		return;
	}
	if (sim->line_len == 0)
		return;
	sim->line_len = 0;
	sim_log_bytes(sim, "<- ", sim->line, strlen(sim->line));
	at_record(sim, sim->line);
	if (sim->hang)
		return;

	resp = evbuffer_new();
	if (strncasecmp(sim->line, "AT", 2) != 0) {
		at_final(sim, resp, AT_ERROR);
		at_respond(sim, resp);
		return;
	}
	if (strncasecmp(sim->line, "AT+CMGS=", 8) == 0 ||
	    strncasecmp(sim->line, "AT+CMGW=", 8) == 0) {
		/* fail rules for +CMGS/+CMGW apply once the PDU is in. */
		snprintf(sim->cmgs_line, sizeof sim->cmgs_line, "%.63s",
		    sim->line);
	} else if ((f = at_fail_match(sim, sim->line, result,
	    sizeof result, &kind)) != NULL) {
		switch (kind) {
		case SIM_FAULT_TEXT:
			if (result[0] != '\0')
				at_info(resp, "%s", result);
			break;
		case SIM_FAULT_LOST:
			/* it runs; its answer never arrives */
			if (at_execute(sim, sim->line, resp) == AT_PROMPT) {
				sim->input = SIM_INPUT_PDU;
				sim->pdu_len = 0;
				sim->pdu_overflow = 0;
			}
			evbuffer_drain(resp, evbuffer_get_length(resp));
			break;
		case SIM_FAULT_GARBAGE:
			fault_garbage(resp);
			break;
		case SIM_FAULT_DROP:
			fault_drop(sim);
			break;
		case SIM_FAULT_SILENT:
			break;
		}
		at_respond(sim, resp);
		return;
	}
	r = at_execute(sim, sim->line, resp);
	if (r == AT_PROMPT) {
		evbuffer_add(resp, "\r\n> ", 4);
		sim->input = SIM_INPUT_PDU;
		sim->pdu_len = 0;
		sim->pdu_overflow = 0;
	} else
		at_final(sim, resp, r);
	at_respond(sim, resp);
}

/* ^Z or ESC after "> ". */
static void
at_pdu_end(struct sim *sim, int cancelled)
{
	struct evbuffer	*resp;
	enum sim_fault	 kind;
	char		 result[64];
	int		 r;

	sim->input = SIM_INPUT_CMD;
	sim->pdu_in[sim->pdu_len] = '\0';
	sim_log(sim, "<- PDU %s (%zu chars%s)", cancelled ? "cancelled" :
	    "sent", sim->pdu_len, sim->pdu_overflow ? ", too long" : "");
	if (sim->hang)
		return;
	if (cancelled || sim->pdu_overflow)
		sim->prompts_abandoned++;
	resp = evbuffer_new();
	if (cancelled)
		r = AT_OK;
	else if (sim->pdu_overflow)
		r = AT_CMS(CMS_INVALID_PDU_PARAM);
	else if (at_fail_match(sim, sim->cmgs_line, result,
	    sizeof result, &kind) != NULL) {
		switch (kind) {
		case SIM_FAULT_TEXT:
			if (result[0] != '\0')
				at_info(resp, "%s", result);
			break;
		case SIM_FAULT_SILENT:
		case SIM_FAULT_LOST:
			/* No answer, but the network (or storage) got it. */
			at_sms_pdu_done(sim, sim->pdu_in, sim->pdu_len, NULL);
			break;
		case SIM_FAULT_GARBAGE:
			fault_garbage(resp);
			break;
		case SIM_FAULT_DROP:
			fault_drop(sim);
			break;
		}
		r = AT_SILENT;
	} else
		r = at_sms_pdu_done(sim, sim->pdu_in, sim->pdu_len, resp);
	at_final(sim, resp, r);
	at_respond(sim, resp);
}

/* Echo bytes as received (one write per line, not per byte). */
static void
at_echo(struct sim *sim, const unsigned char *buf, size_t len)
{
	if (sim->echo && !sim->hang && len > 0)
		pty_write(sim, buf, len);
}

void
at_input(struct sim *sim, const unsigned char *buf, size_t len)
{
	size_t		i, es = 0;
	unsigned char	c;

	for (i = 0; i < len; i++) {
		c = buf[i];
		if (sim->input == SIM_INPUT_PDU) {
			if (c == AT_CTRL_Z || c == AT_ESC) {
				at_echo(sim, buf + es, i + (c == AT_CTRL_Z) -
				    es);
				es = i + 1;
				at_pdu_end(sim, c == AT_ESC);
			} else if (c == '\r' || c == '\n' || c == ' ')
				continue;
			else if (sim->pdu_len < SIM_PDU_HEX_MAX)
				sim->pdu_in[sim->pdu_len++] = c;
			else
				sim->pdu_overflow = 1;
			continue;
		}
		if (c == '\n' && sim->last_cr) {
			sim->last_cr = 0;
			continue;
		}
		sim->last_cr = (c == '\r');
		if (c == '\r' || c == '\n') {
			at_echo(sim, buf + es, i + 1 - es);
			es = i + 1;
			at_line(sim);
		} else if (c == 0x08 || c == 0x7f) {
			if (sim->line_len > 0 && !sim->line_overflow)
				sim->line_len--;
		} else if (c < 0x20)
			continue;
		else if (sim->line_len < SIM_LINE_MAX)
			sim->line[sim->line_len++] = c;
		else
			sim->line_overflow = 1;
	}
	at_echo(sim, buf + es, len - es);
}
