/*
 * io_gpio.h: the gpio backend's one interface, whatever libgpiod the
 * build found (io_gpio_v1.c for 1.6, io_gpio_v2.c for 2.x, io_gpio_none.c
 * without it).  A spec is "CHIP:LINE": the chip by name (gpiochip0),
 * label (pinctrl-rp1) or path (/dev/gpiochip0), the line by offset or by
 * name (GPIO17).
 */
#ifndef CG_IO_GPIO_H
#define CG_IO_GPIO_H

#include <stddef.h>

/* Split "CHIP:LINE" at the last ':' (0, or -1 when malformed). */
int io_gpio_split(const char *spec, char *chip, size_t chiplen, char *line,
    size_t linelen);
/* Does the chip exist and does it have that line?  0, or -1 with why. */
int io_gpio_probe(const char *spec, char *err, size_t errlen);

#endif
