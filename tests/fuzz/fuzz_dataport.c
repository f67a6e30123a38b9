/*
 * fuzz_dataport.c: the data port's byte path (bridge_proto.c): the `+++`
 * escape detector, driven by reads whose sizes and arrival times come
 * from the input, and the inline `password#AT+...` frame.  Checks them
 * exactly: the escape detector hands every byte on once and in order
 * (data, or the "+++" and 'a' of a command-mode entry followed by the rest
 * of that read), holds at most three bytes, needs no timer once idle, and
 * only answers 'a' to "+++" ending a read; an inline frame is exactly
 * PASSWORD#AT+COMMAND[CR][LF] with a printable password without '#' and a
 * command free of control bytes.
 *
 * Input: a sequence of steps {delay, flags, length, bytes...}; the
 * inline parser also sees the whole input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bridge_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX	8192

static uint8_t fz_fed[FZ_MAX], fz_out[FZ_MAX];
static size_t fz_nfed, fz_nout;
static int fz_sent_a;

static void
fz_put(const uint8_t *p, size_t n)
{
	if (fz_nout + n > FZ_MAX)
		abort();	/* more out than in */
	memcpy(fz_out + fz_nout, p, n);
	fz_nout += n;
}

static void
fz_data(void *arg, const uint8_t *p, size_t n)
{
	fz_put(p, n);
}

static void
fz_send_a(void *arg)
{
	/* only once "+++" was held: the last three bytes fed */
	if (fz_nfed < 3 || memcmp(fz_fed + fz_nfed - 3, "+++", 3) != 0)
		abort();
	fz_sent_a++;
}

static void
fz_enter(void *arg, const uint8_t *rest, size_t n)
{
	if (fz_sent_a == 0)
		abort();	/* no 'a' asked for */
	fz_sent_a = 0;
	fz_put((const uint8_t *)"+++a", 4);
	fz_put(rest, n);
}

static void
fz_esc(const uint8_t *data, size_t size)
{
	static const struct bridge_esc_cb cb = { fz_data, fz_send_a, fz_enter,
	    NULL };
	struct bridge_esc e;
	uint64_t now = 1000000;
	size_t i = 0;

	bridge_esc_reset(&e);
	fz_nfed = fz_nout = 0;
	fz_sent_a = 0;
	while (i + 3 <= size) {
		size_t n = data[i + 2] % 16;
		uint64_t dl;

		now += (uint64_t)data[i] * 4;
		if (data[i + 1] & 1) {
			/* the loop's timer: at the deadline (time moves on
			 * to it), or a tick now */
			dl = bridge_esc_deadline(&e);
			if ((data[i + 1] & 2) && dl > now)
				now = dl;
			if (dl != 0)
				bridge_esc_tick(&e, now, &cb);
		}
		i += 3;
		if (n > size - i)
			n = size - i;
		memcpy(fz_fed + fz_nfed, data + i, n);
		fz_nfed += n;
		bridge_esc_feed(&e, data + i, n, now, &cb);
		i += n;
		if (e.state >= BRIDGE_ESC_STATE_MAX ||
		    bridge_esc_state_name(e.state) == NULL)
			abort();
		if (e.state == BRIDGE_ESC_IDLE && bridge_esc_deadline(&e) != 0)
			abort();
		if (e.state != BRIDGE_ESC_IDLE && bridge_esc_deadline(&e) == 0)
			abort();
		/* at most the three '+' are held back */
		if (fz_nout > fz_nfed || fz_nfed - fz_nout > 3)
			abort();
		if (fz_nfed - fz_nout > 0 && memcmp(fz_fed + fz_nout, "+++",
		    fz_nfed - fz_nout) != 0)
			abort();
	}
	/* silence long enough ends any sequence: everything is out */
	bridge_esc_tick(&e, now + BRIDGE_ESC_T5_MS + 1, &cb);
	if (e.state != BRIDGE_ESC_IDLE || fz_nout != fz_nfed ||
	    memcmp(fz_out, fz_fed, fz_nfed) != 0)
		abort();
}

static void
fz_inline(const uint8_t *data, size_t size)
{
	char pw[BRIDGE_PW_MAX + 1], cmd[513];
	size_t pl, cl, end = size;

	if (!bridge_inline_parse(data, size, pw, sizeof pw, cmd, sizeof cmd))
		return;
	pl = strlen(pw);
	cl = strlen(cmd);
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (pl == 0 || pl > BRIDGE_PW_MAX || cl < 3 || cl > 512 ||
	    strncasecmp(cmd, "AT+", 3) != 0 || strchr(pw, '#') != NULL ||
	    pl + 1 + cl != end || memcmp(data, pw, pl) != 0 ||
	    data[pl] != '#' || memcmp(data + pl + 1, cmd, cl) != 0)
		abort();
	for (size_t i = 0; i < pl; i++)
		if ((unsigned char)pw[i] <= 0x20 || (unsigned char)pw[i] >= 0x7f)
			abort();
	for (size_t i = 0; i < cl; i++)
		if ((unsigned char)cmd[i] < 0x20 || cmd[i] == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	fz_esc(data, size);
	fz_inline(data, size);
	return 0;
}
