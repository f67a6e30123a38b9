/*
 * fuzz_modem.c: libFuzzer harness for the modem module's parsers: every
 * line of the input goes through each vendor quirk's parser (the parsed
 * values must stay in range), and the whole input is fed to the AT engine
 * with five commands queued (one with a PDU for the prompt flow, whose
 * hook sends or cancels it; one secret, one ahead of the others), in
 * chunks whose sizes come from the input; between chunks the input also
 * expires the command in flight, cancels or unqueues one, or flushes
 * them all, as the modem module does.  Every command not cancelled is
 * answered exactly once (by atchan_free at the latest), a cancelled one
 * never; the counters stay consistent.  No I/O: the engine's writes go
 * nowhere.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "../../src/modem/modem_int.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct quirk *const fuzz_quirks[] = {
	&quirk_simcom, &quirk_quectel, &quirk_huawei, &quirk_ublox
};

static int
fuzz_write(const void *p, size_t n, void *arg)
{
	return 0;
}

static void
fuzz_urc(int id, const char *line, const char *pdu, void *arg)
{
	if (strlen(line) > 4096)
		abort();
}

static int
fuzz_is_urc(const char *line, size_t len, void *arg)
{
	struct quirk_event ev;

	return quirk_huawei_parse(line, len, &ev) != QUIRK_EV_NOT_MINE;
}

static const struct atchan_ops fuzz_ops = {
	fuzz_write, fuzz_urc, fuzz_is_urc, NULL
};

/* A queued command as the harness sees it. */
struct fuzz_cmd {
	uint64_t	id;
	int		gone;		/* cancelled, or dropped unsent */
	int		done;		/* its callback ran */
};

static void
fuzz_done(const struct modem_response *r, void *arg)
{
	struct fuzz_cmd *c = arg;

	if (r->final >= MODEM_FINAL_MAX || r->nlines > ATCHAN_LINES_MAX ||
	    modem_final_name(r->final) == NULL)
		abort();
	if (c->gone || c->done)	/* at most once, never after a cancel */
		abort();
	c->done = 1;
}

static int
fuzz_prompt(void *arg)
{
	return *(const uint8_t *)arg & 1 ? -1 : 0;
}

/* Between two chunks, what the modem module may do (chosen by a byte). */
static void
fuzz_drive(struct atchan *ch, uint8_t op, struct fuzz_cmd *cmds, size_t n)
{
	struct fuzz_cmd *c = &cmds[(op >> 4) % n];
	int r;

	switch (op % 16) {
	case 0:
		atchan_expire(ch);
		break;
	case 1:
		if ((r = atchan_cancel(ch, c->id)) == 1 || (r == 0 && !c->done))
			c->gone = 1;
		break;
	case 2:
		if (atchan_unqueue(ch, c->id) == 1)
			c->gone = 1;
		break;
	case 3:
		atchan_flush(ch, MODEM_GONE);
		break;
	}
	if (atchan_queued(ch) > MODEM_QUEUE_MAX ||
	    atchan_timeout_count(ch) > atchan_sent_count(ch))
		abort();
	(void)atchan_busy(ch);
	(void)atchan_echo_off(ch);
}

static void
fuzz_lines(const uint8_t *data, size_t size)
{
	struct quirk_event ev;
	size_t start = 0;

	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n' && data[i] != '\r')
			continue;
		for (size_t q = 0; q < nitems(fuzz_quirks); q++) {
			enum quirk_ev t = fuzz_quirks[q]->parse(
			    (const char *)data + start, i - start, &ev);

			if (t < QUIRK_EV_NOT_MINE || t >= QUIRK_EV_MAX)
				abort();
			if (t == QUIRK_EV_SIGNAL && (ev.csq < 0 ||
			    (ev.csq > 31 && ev.csq != 99)))
				abort();
			if (t == QUIRK_EV_TECH &&
			    memchr(ev.tech, '\0', sizeof ev.tech) == NULL)
				abort();
		}
		start = i + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event_base *base = event_base_new();
	struct fuzz_cmd cmds[5];
	struct atchan *ch;
	size_t off = 0, n;

	log_set_level(LOG_LVL_ERROR);	/* the engine's info lines */
	fuzz_lines(data, size);
	if (base == NULL)
		return 0;
	memset(cmds, 0, sizeof cmds);
	ch = atchan_new(base, &fuzz_ops, NULL);
	cmds[0].id = atchan_submit(ch, "AT+CMGL=4", NULL, 1000, 0, fuzz_done,
	    &cmds[0]);
	cmds[1].id = atchan_submit(ch, "AT+CMGS=10", "0011000B91", 1000, 0,
	    fuzz_done, &cmds[1]);
	cmds[2].id = atchan_submit(ch, "AT+CPIN=1234", NULL, 1000,
	    ATCHAN_SECRET | ATCHAN_STORAGE, fuzz_done, &cmds[2]);
	cmds[3].id = atchan_submit(ch, "ATE0", NULL, 1000, ATCHAN_FRONT,
	    fuzz_done, &cmds[3]);
	/* one without a handle (it cannot be cancelled) */
	if (atchan_send(ch, "AT+CSQ", NULL, 1000, ATCHAN_QUIET, fuzz_done,
	    &cmds[4]) == -1)
		abort();
	for (size_t i = 0; i < nitems(cmds) - 1; i++)
		if (cmds[i].id == 0)
			abort();
	if (size > 0)
		atchan_set_prompt_hook(ch, cmds[1].id, fuzz_prompt,
		    (void *)&data[0]);
	event_base_loop(base, EVLOOP_NONBLOCK);
	while (off < size) {
		n = 1 + data[off] % 64;
		if (n > size - off)
			n = size - off;
		atchan_feed(ch, data + off, n);
		event_base_loop(base, EVLOOP_NONBLOCK);
		fuzz_drive(ch, data[off + n - 1], cmds, nitems(cmds));
		event_base_loop(base, EVLOOP_NONBLOCK);
		off += n;
	}
	atchan_free(ch);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	/* every command not cancelled is answered, once */
	for (size_t i = 0; i < nitems(cmds); i++)
		if (!cmds[i].gone && !cmds[i].done)
			abort();
	return 0;
}
