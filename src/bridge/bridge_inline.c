/*
 * bridge_inline.c: the inline `password#AT+CMD` commands of UATEN (the
 * data port) and NATEN (the servers of sockets A and B), seed §4.1.2 and
 * §4.1.3.  Each source's bytes are framed by line (bridge_lines_feed):
 * every command line is taken out of the stream and never passed on,
 * the rest goes on as data; a tail that may still grow into a command
 * waits BRIDGE_INLINE_GAP_MS for the rest.  Each command goes through the
 * authorisation gate; one whose password check has no turn yet waits in
 * its source's queue (BRIDGE_INLINE_WAIT_MAX lines, in order) and runs
 * in its turn.  Wrong passwords, lockouts and store errors: no reply,
 * nothing runs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "auth.h"
#include "cmd.h"
#include "log.h"
#include "util.h"

#include "bridge_int.h"

#define BRIDGE_INLINE_GAP_MS	200
#define BRIDGE_INLINE_WAIT_MAX	8
#define BRIDGE_CMD_MAX		(BRIDGE_INLINE_MAX - BRIDGE_PW_MAX - 2)

static struct bridge_net_ctx bridge_inline_ctx[2] = { { 0 }, { 1 } };
static struct bridge_inline_src {
	struct bridge_lines	 lines;
	struct event		*gap_ev;
	struct event		*turn_ev;	/* the queue's next turn */
	char			*wait[BRIDGE_INLINE_WAIT_MAX];
	int			 nwait;
} bridge_inl[BRIDGE_SRC_MAX];

static const char *const bridge_inline_origin[BRIDGE_SRC_MAX] = {
	"data port (UATEN)", "socket A", "socket B"
};

/* Judge and run one command line: 0 done (run or refused), -1 no turn
 * for its password check yet (nothing judged). */
static int
bridge_inline_run(int src, const char *line)
{
	char pw[BRIDGE_PW_MAX + 1], cmd[BRIDGE_CMD_MAX];
	const char *origin = bridge_inline_origin[src];
	struct cmd_ctx ctx;
	enum auth_result res;

	if (!bridge_inline_parse((const uint8_t *)line, strlen(line), pw,
	    sizeof pw, cmd, sizeof cmd))
		return 0;
	ctx.channel = src == BRIDGE_SRC_PORT ? CHAN_SERIAL : CHAN_NET;
	ctx.origin = origin;
	res = auth_gate(ctx.channel, origin, pw, &ctx.role);
	explicit_bzero(pw, sizeof pw);
	if (res == AUTH_RATIONED) {
		explicit_bzero(cmd, sizeof cmd);
		return -1;
	}
	if (res != AUTH_OK) {
		/* wrong, locked out, or none set: no reply, nothing runs */
		log_warnx("bridge: inline command from %s refused: %s%s",
		    origin, auth_gate_result_name(res),
		    auth_password_is_set(ROLE_ADMIN) ||
		    auth_password_is_set(ROLE_SUPERADMIN) ? "" :
		    " (no password is set)");
		explicit_bzero(cmd, sizeof cmd);
		return 0;
	}
	if (src == BRIDGE_SRC_PORT)
		bridge_run_command(cmd, &ctx, bridge_out_port, NULL);
	else
		bridge_run_command(cmd, &ctx, bridge_out_sock,
		    &bridge_inline_ctx[src == BRIDGE_SRC_B]);
	explicit_bzero(cmd, sizeof cmd);
	return 0;
}

static void
bridge_inline_wait_turn(int src)
{
	struct timeval tv;

	auth_gate_turn_timeval(&tv);
	event_add(bridge_inl[src].turn_ev, &tv);
}

static void
bridge_inline_pop(struct bridge_inline_src *s)
{
	explicit_bzero(s->wait[0], strlen(s->wait[0]));
	free(s->wait[0]);
	memmove(s->wait, s->wait + 1, (size_t)--s->nwait * sizeof s->wait[0]);
}

/* Run the waiting commands of a source, in order, while they have turns. */
static void
bridge_inline_turn_cb(evutil_socket_t fd, short what, void *arg)
{
	int src = (int)(intptr_t)arg;
	struct bridge_inline_src *s = &bridge_inl[src];

	while (s->nwait > 0) {
		if (bridge_inline_run(src, s->wait[0]) == -1) {
			bridge_inline_wait_turn(src);
			return;
		}
		bridge_inline_pop(s);
	}
}

/* A command line from the framer: run now, or wait behind the others. */
static void
bridge_inline_cmd(int src, const uint8_t *p, size_t n)
{
	struct bridge_inline_src *s = &bridge_inl[src];
	char line[BRIDGE_INLINE_MAX + 1];

	if (n > BRIDGE_INLINE_MAX)
		return;		/* the framer gives no such line */
	memcpy(line, p, n);
	line[n] = '\0';
	if (s->nwait == 0 && bridge_inline_run(src, line) == 0) {
		explicit_bzero(line, sizeof line);
		return;
	}
	if (s->nwait == BRIDGE_INLINE_WAIT_MAX)
		log_warnx("bridge: inline command from %s dropped: %d "
		    "commands already wait for a password check",
		    bridge_inline_origin[src], BRIDGE_INLINE_WAIT_MAX);
	else if ((s->wait[s->nwait] = strdup(line)) != NULL) {
		if (s->nwait++ == 0)
			log_info("bridge: inline command from %s waits its "
			    "turn for a password check",
			    bridge_inline_origin[src]);
		bridge_inline_wait_turn(src);
	}
	explicit_bzero(line, sizeof line);
}

static void
bridge_inline_port_cmd(void *arg, const uint8_t *p, size_t n)
{
	bridge_inline_cmd(BRIDGE_SRC_PORT, p, n);
}

static void
bridge_inline_net_cmd(void *arg, const uint8_t *p, size_t n)
{
	const struct bridge_net_ctx *c = arg;

	bridge_inline_cmd(c->id ? BRIDGE_SRC_B : BRIDGE_SRC_A, p, n);
}

static struct bridge_lines_cb
bridge_inline_cb(int src)
{
	struct bridge_lines_cb cb = { bridge_serial_pass,
	    bridge_inline_port_cmd, NULL };

	if (src != BRIDGE_SRC_PORT) {
		cb.data = bridge_net_pass;
		cb.cmd = bridge_inline_net_cmd;
		cb.arg = &bridge_inline_ctx[src == BRIDGE_SRC_B];
	}
	return cb;
}

static void
bridge_inline_gap_cb(evutil_socket_t fd, short what, void *arg)
{
	int src = (int)(intptr_t)arg;
	struct bridge_lines_cb cb = bridge_inline_cb(src);

	bridge_lines_flush(&bridge_inl[src].lines, &cb);
}

void
bridge_inline_in(int src, const uint8_t *p, size_t n)
{
	struct bridge_lines_cb cb = bridge_inline_cb(src);
	struct timeval tv = { 0, BRIDGE_INLINE_GAP_MS * 1000 };

	if (bridge_lines_feed(&bridge_inl[src].lines, p, n, &cb))
		event_add(bridge_inl[src].gap_ev, &tv);
	else
		event_del(bridge_inl[src].gap_ev);
}

void
bridge_inline_init(struct event_base *base)
{
	for (int i = 0; i < BRIDGE_SRC_MAX; i++) {
		bridge_inl[i].gap_ev = evtimer_new(base, bridge_inline_gap_cb,
		    (void *)(intptr_t)i);
		bridge_inl[i].turn_ev = evtimer_new(base,
		    bridge_inline_turn_cb, (void *)(intptr_t)i);
	}
}

void
bridge_inline_shutdown(void)
{
	for (int i = 0; i < BRIDGE_SRC_MAX; i++) {
		struct bridge_inline_src *s = &bridge_inl[i];

		while (s->nwait > 0)
			bridge_inline_pop(s);
		if (s->gap_ev != NULL)
			event_free(s->gap_ev);
		if (s->turn_ev != NULL)
			event_free(s->turn_ev);
		s->gap_ev = s->turn_ev = NULL;
		explicit_bzero(&s->lines, sizeof s->lines);
	}
}
