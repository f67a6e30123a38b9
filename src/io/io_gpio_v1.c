/*
 * io_gpio_v1.c: the gpio backend on libgpiod 1.6 (Debian 12).  Chip by
 * name, label, number or path (gpiod_chip_open_lookup), line by offset or
 * name; outputs requested with their start value (no glitch), inputs for
 * both edges with bias and active-low flags; the loop watches the line's
 * event fd.  libgpiod 1.6 has no debounce: the io module's timer does it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_backend.h"
#include "io_gpio.h"
#include "io_gpio_compat.h"

_Static_assert(IO_GPIO_API == 1, "io_gpio_v1.c needs libgpiod 1.x");

#define IO_GPIO_CONSUMER	"cellgated"

struct io_gpio_priv {
	struct gpiod_chip	*chip;
	struct gpiod_line	*line;
};

static int
io_gpio_lookup(const char *spec, struct gpiod_chip **chipp,
    struct gpiod_line **linep, char *err, size_t errlen)
{
	char chip[IO_PATH_MAX + 1], line[64];
	struct gpiod_chip *c;
	struct gpiod_line *l;

	if (io_gpio_split(spec, chip, sizeof chip, line, sizeof line) == -1) {
		snprintf(err, errlen, "want CHIP:LINE (e.g. gpiochip0:17)");
		return -1;
	}
	if ((c = gpiod_chip_open_lookup(chip)) == NULL) {
		snprintf(err, errlen, "unknown chip \"%s\" (by name, label or "
		    "path)", chip);
		return -1;
	}
	if (strspn(line, "0123456789") == strlen(line)) {
		unsigned long off = strtoul(line, NULL, 10);

		l = off < gpiod_chip_num_lines(c) ?
		    gpiod_chip_get_line(c, (unsigned)off) : NULL;
	} else
		l = gpiod_chip_find_line(c, line);
	if (l == NULL) {
		snprintf(err, errlen, "chip \"%s\" has no line \"%s\"", chip,
		    line);
		gpiod_chip_close(c);
		return -1;
	}
	*chipp = c;
	if (linep != NULL)
		*linep = l;
	return 0;
}

int
io_gpio_probe(const char *spec, char *err, size_t errlen)
{
	struct gpiod_chip *c;

	if (io_gpio_lookup(spec, &c, NULL, err, errlen) == -1)
		return -1;
	gpiod_chip_close(c);
	return 0;
}

static int
io_gpio_flags(const struct io_item *it)
{
	int f = it->c.active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;

	switch (it->c.bias) {
	case IO_BIAS_DISABLE:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE;
		break;
	case IO_BIAS_PULL_UP:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
		break;
	case IO_BIAS_PULL_DOWN:
		f |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN;
		break;
	default:
		break;
	}
	return f;
}

static int
io_gpio_open(struct io_item *it, int initial, char *err, size_t errlen)
{
	struct io_gpio_priv *p = calloc(1, sizeof *p);
	struct gpiod_line_request_config rc = { IO_GPIO_CONSUMER, 0, 0 };

	it->fd = -1;
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	it->priv = p;
	if (io_gpio_lookup(it->c.target, &p->chip, &p->line, err,
	    errlen) == -1)
		return -1;
	rc.flags = io_gpio_flags(it);
	rc.request_type = it->c.kind == IO_OUTPUT ?
	    GPIOD_LINE_REQUEST_DIRECTION_OUTPUT :
	    GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES;
	if (gpiod_line_request(p->line, &rc, initial ? 1 : 0) == -1) {
		snprintf(err, errlen, "%s: request failed: %s", it->c.target,
		    strerror(errno));
		return -1;
	}
	if (it->c.kind == IO_INPUT)
		it->fd = gpiod_line_event_get_fd(p->line);
	return 0;
}

static int
io_gpio_write(struct io_item *it, int on, char *err, size_t errlen)
{
	struct io_gpio_priv *p = it->priv;

	if (gpiod_line_set_value(p->line, on ? 1 : 0) == -1) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	return 0;
}

static int
io_gpio_read(struct io_item *it, int *on, char *err, size_t errlen)
{
	struct io_gpio_priv *p = it->priv;
	int v = gpiod_line_get_value(p->line);

	if (v == -1) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	*on = v;
	return 0;
}

static void
io_gpio_drain(struct io_item *it)
{
	struct io_gpio_priv *p = it->priv;
	struct gpiod_line_event ev[16];

	(void)gpiod_line_event_read_fd_multiple(it->fd, ev, 16);
	(void)p;
}

static void
io_gpio_close(struct io_item *it)
{
	struct io_gpio_priv *p = it->priv;

	if (p != NULL) {
		if (p->line != NULL)
			gpiod_line_release(p->line);
		if (p->chip != NULL)
			gpiod_chip_close(p->chip);
		free(p);
	}
	it->priv = NULL;
	it->fd = -1;
}

static const struct io_backend io_backend_gpio_v1 = {
	.name = "gpio",
	.open = io_gpio_open,
	.write = io_gpio_write,
	.read = io_gpio_read,
	.drain = io_gpio_drain,
	.close = io_gpio_close,
};
const struct io_backend *const io_backend_gpio = &io_backend_gpio_v1;
