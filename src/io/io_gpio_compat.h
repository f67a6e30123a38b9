/*
 * io_gpio_compat.h: the one place that looks at which libgpiod the build
 * found (config.h: HAVE_GPIOD_API 1 for libgpiod 1.6, 2 for 2.x).  The
 * automake conditionals GPIOD_V1 / GPIOD_V2 pick io_gpio_v1.c,
 * io_gpio_v2.c or io_gpio_none.c; each checks here that it matches.
 */
#ifndef CG_IO_GPIO_COMPAT_H
#define CG_IO_GPIO_COMPAT_H

#include "config.h"

#ifdef HAVE_GPIOD_API
#include <gpiod.h>
#define IO_GPIO_API	HAVE_GPIOD_API
#else
#define IO_GPIO_API	0
#endif

#endif
