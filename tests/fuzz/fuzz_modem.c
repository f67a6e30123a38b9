/*
 * fuzz_modem.c: libFuzzer harness for the modem module's parsers: every
 * line of the input goes through each vendor quirk's parser (the parsed
 * values must stay in range), and the whole input is fed to the AT engine
 * with two commands queued (one with a PDU for the prompt flow), in
 * chunks whose sizes come from the input.  No I/O: the engine's writes
 * go to a bounded buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "../../src/modem/modem_int.h"
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

static void
fuzz_done(const struct modem_response *r, void *arg)
{
	if (r->final >= MODEM_FINAL_MAX || r->nlines > ATCHAN_LINES_MAX)
		abort();
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
	struct atchan *ch;
	size_t off = 0, n;

	fuzz_lines(data, size);
	if (base == NULL)
		return 0;
	ch = atchan_new(base, &fuzz_ops, NULL);
	atchan_send(ch, "AT+CMGL=4", NULL, 1000, 0, fuzz_done, NULL);
	atchan_send(ch, "AT+CMGS=10", "0011000B91", 1000, 0, fuzz_done, NULL);
	event_base_loop(base, EVLOOP_NONBLOCK);
	while (off < size) {
		n = 1 + data[off] % 64;
		if (n > size - off)
			n = size - off;
		atchan_feed(ch, data + off, n);
		event_base_loop(base, EVLOOP_NONBLOCK);
		off += n;
	}
	atchan_free(ch);
	event_base_free(base);
	return 0;
}
