/*
 * io_gpio_none.c: the gpio backend of a build without libgpiod: every
 * gpio item is refused when the config is checked.
 */
#include <stdio.h>

#include "io_backend.h"
#include "io_gpio.h"
#include "io_gpio_compat.h"

_Static_assert(IO_GPIO_API == 0, "io_gpio_none.c is for builds without "
    "libgpiod");

const struct io_backend *const io_backend_gpio = NULL;

int
io_gpio_probe(const char *spec, char *err, size_t errlen)
{
	snprintf(err, errlen, "this build has no GPIO support (libgpiod "
	    "was not found)");
	return -1;
}
