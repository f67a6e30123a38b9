/*
 * io_gpio.c: what all gpio implementations share: splitting the
 * "CHIP:LINE" spec.
 */
#include <string.h>

#include "io_gpio.h"
#include "util.h"

int
io_gpio_split(const char *spec, char *chip, size_t chiplen, char *line,
    size_t linelen)
{
	const char *colon = strrchr(spec, ':');
	size_t n;

	if (colon == NULL || colon == spec || colon[1] == '\0')
		return -1;
	n = (size_t)(colon - spec);
	if (n >= chiplen || util_strlcpy(line, colon + 1, linelen) >= linelen)
		return -1;
	memcpy(chip, spec, n);
	chip[n] = '\0';
	return 0;
}
