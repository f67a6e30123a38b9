/*
 * io_gpio_v2.c: the gpio backend on libgpiod 2.x (Debian 13).  Chip by
 * path (/dev/gpiochip0), or by name or label found among /dev/gpiochip*
 * (a Pi 5's header is "pinctrl-rp1" whatever its number); line by offset
 * or name.  One request per item: outputs with their start value (no
 * glitch), inputs for both edges with bias, active-low and the kernel's
 * debounce (gpiolib-cdev debounces in software where the chip cannot), so
 * the io module's timer is not needed.  The loop watches the request's fd.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_backend.h"
#include "io_gpio.h"
#include "io_gpio_compat.h"
#include "util.h"

_Static_assert(IO_GPIO_API == 2, "io_gpio_v2.c needs libgpiod 2.x");

#define IO_GPIO_CONSUMER	"cellgated"

struct io_gpio_priv {
	struct gpiod_chip		*chip;
	struct gpiod_line_request	*req;
	struct gpiod_edge_event_buffer	*events;
	unsigned int			 offset;
};

/* Does this chip answer to `want` by name or label? */
static int
io_gpio_chip_is(struct gpiod_chip *c, const char *want)
{
	struct gpiod_chip_info *info = gpiod_chip_get_info(c);
	int yes;

	if (info == NULL)
		return 0;
	yes = strcmp(gpiod_chip_info_get_name(info), want) == 0 ||
	    strcmp(gpiod_chip_info_get_label(info), want) == 0;
	gpiod_chip_info_free(info);
	return yes;
}

static struct gpiod_chip *
io_gpio_open_chip(const char *want)
{
	struct gpiod_chip *c = NULL;
	struct dirent *de;
	DIR *d;
	char path[300];

	if (want[0] == '/')
		return gpiod_chip_open(want);
	if ((d = opendir("/dev")) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "gpiochip", 8) != 0)
			continue;
		snprintf(path, sizeof path, "/dev/%s", de->d_name);
		if (!gpiod_is_gpiochip_device(path) ||
		    (c = gpiod_chip_open(path)) == NULL)
			continue;
		if (io_gpio_chip_is(c, want))
			break;
		gpiod_chip_close(c);
		c = NULL;
	}
	closedir(d);
	return c;
}

static int
io_gpio_lookup(const char *spec, struct gpiod_chip **chipp,
    unsigned int *offset, char *err, size_t errlen)
{
	char chip[IO_PATH_MAX + 1], line[64];
	struct gpiod_chip_info *info;
	struct gpiod_chip *c;
	long off = -1;

	if (io_gpio_split(spec, chip, sizeof chip, line, sizeof line) == -1) {
		snprintf(err, errlen, "want CHIP:LINE (e.g. gpiochip0:17)");
		return -1;
	}
	if ((c = io_gpio_open_chip(chip)) == NULL) {
		snprintf(err, errlen, "unknown chip \"%s\" (by name, label or "
		    "path)", chip);
		return -1;
	}
	if (strspn(line, "0123456789") == strlen(line)) {
		off = strtol(line, NULL, 10);
		if ((info = gpiod_chip_get_info(c)) == NULL ||
		    (size_t)off >= gpiod_chip_info_get_num_lines(info))
			off = -1;
		if (info != NULL)
			gpiod_chip_info_free(info);
	} else
		off = gpiod_chip_get_line_offset_from_name(c, line);
	if (off < 0) {
		snprintf(err, errlen, "chip \"%s\" has no line \"%s\"", chip,
		    line);
		gpiod_chip_close(c);
		return -1;
	}
	*chipp = c;
	*offset = (unsigned int)off;
	return 0;
}

int
io_gpio_probe(const char *spec, char *err, size_t errlen)
{
	struct gpiod_chip *c;
	unsigned int off;

	if (io_gpio_lookup(spec, &c, &off, err, errlen) == -1)
		return -1;
	gpiod_chip_close(c);
	return 0;
}

static enum gpiod_line_bias
io_gpio_bias(enum io_bias b)
{
	switch (b) {
	case IO_BIAS_DISABLE:
		return GPIOD_LINE_BIAS_DISABLED;
	case IO_BIAS_PULL_UP:
		return GPIOD_LINE_BIAS_PULL_UP;
	case IO_BIAS_PULL_DOWN:
		return GPIOD_LINE_BIAS_PULL_DOWN;
	default:
		return GPIOD_LINE_BIAS_AS_IS;
	}
}

static int
io_gpio_open(struct io_item *it, int initial, char *err, size_t errlen)
{
	struct io_gpio_priv *p = calloc(1, sizeof *p);
	struct gpiod_line_settings *ls = NULL;
	struct gpiod_line_config *lc = NULL;
	struct gpiod_request_config *rc = NULL;
	int ok = 0;

	it->fd = -1;
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	it->priv = p;
	if (io_gpio_lookup(it->c.target, &p->chip, &p->offset, err,
	    errlen) == -1)
		return -1;
	if ((ls = gpiod_line_settings_new()) == NULL ||
	    (lc = gpiod_line_config_new()) == NULL ||
	    (rc = gpiod_request_config_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	gpiod_request_config_set_consumer(rc, IO_GPIO_CONSUMER);
	gpiod_line_settings_set_active_low(ls, it->c.active_low != 0);
	gpiod_line_settings_set_bias(ls, io_gpio_bias(it->c.bias));
	if (it->c.kind == IO_OUTPUT) {
		gpiod_line_settings_set_direction(ls,
		    GPIOD_LINE_DIRECTION_OUTPUT);
		gpiod_line_settings_set_output_value(ls, initial ?
		    GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE);
	} else {
		gpiod_line_settings_set_direction(ls,
		    GPIOD_LINE_DIRECTION_INPUT);
		gpiod_line_settings_set_edge_detection(ls,
		    GPIOD_LINE_EDGE_BOTH);
		if (it->c.debounce_ms > 0) {
			gpiod_line_settings_set_debounce_period_us(ls,
			    (unsigned long)it->c.debounce_ms * 1000);
			it->hw_debounce = 1;
		}
	}
	if (gpiod_line_config_add_line_settings(lc, &p->offset, 1, ls) == -1 ||
	    (p->req = gpiod_chip_request_lines(p->chip, rc, lc)) == NULL) {
		snprintf(err, errlen, "%s: request failed: %s", it->c.target,
		    strerror(errno));
		it->hw_debounce = 0;
		goto out;
	}
	if (it->c.kind == IO_INPUT) {
		if ((p->events = gpiod_edge_event_buffer_new(16)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		it->fd = gpiod_line_request_get_fd(p->req);
	}
	ok = 1;
out:
	if (ls != NULL)
		gpiod_line_settings_free(ls);
	if (lc != NULL)
		gpiod_line_config_free(lc);
	if (rc != NULL)
		gpiod_request_config_free(rc);
	return ok ? 0 : -1;
}

static int
io_gpio_write(struct io_item *it, int on, char *err, size_t errlen)
{
	struct io_gpio_priv *p = it->priv;

	if (gpiod_line_request_set_value(p->req, p->offset, on ?
	    GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE) == -1) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	return 0;
}

static int
io_gpio_read(struct io_item *it, int *on, char *err, size_t errlen)
{
	struct io_gpio_priv *p = it->priv;
	enum gpiod_line_value v = gpiod_line_request_get_value(p->req,
	    p->offset);

	if (v == GPIOD_LINE_VALUE_ERROR) {
		snprintf(err, errlen, "%s: %s", it->c.target, strerror(errno));
		return -1;
	}
	*on = v == GPIOD_LINE_VALUE_ACTIVE;
	return 0;
}

static void
io_gpio_drain(struct io_item *it)
{
	struct io_gpio_priv *p = it->priv;

	(void)gpiod_line_request_read_edge_events(p->req, p->events, 16);
}

static void
io_gpio_close(struct io_item *it)
{
	struct io_gpio_priv *p = it->priv;

	if (p != NULL) {
		if (p->events != NULL)
			gpiod_edge_event_buffer_free(p->events);
		if (p->req != NULL)
			gpiod_line_request_release(p->req);
		if (p->chip != NULL)
			gpiod_chip_close(p->chip);
		free(p);
	}
	it->priv = NULL;
	it->fd = -1;
}

static const struct io_backend io_backend_gpio_v2 = {
	.name = "gpio",
	.open = io_gpio_open,
	.write = io_gpio_write,
	.read = io_gpio_read,
	.drain = io_gpio_drain,
	.close = io_gpio_close,
};
const struct io_backend *const io_backend_gpio = &io_backend_gpio_v2;
