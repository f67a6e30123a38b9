/*
 * fuzz_setval.c: the setting-value parsers on arbitrary text: every
 * setting of the registry (the first byte picks one) checks the rest as
 * one text (settings_check_text, what the control socket and the config
 * file give) and as AT-form fields split on commas (settings_check, what
 * the SMS and serial channels give); the spawn-command parser
 * (spawn_check_setting) gets the same fields.  Nothing is stored.
 *
 * Checks: a value is refused with a reason, or its canonical form is
 * free of control characters, within the type's bounds (numbers within
 * min..max, on/off, one of the choices, text within its length) and a
 * fixed point: checking the canonical form again gives it back.  A
 * program to run is empty or an absolute path of printable ASCII.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "settings.h"
#include "spawn.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_canonical(const struct setting_def *d, const char *out)
{
	char again[SETTING_VALUE_MAX + 1], err[256];
	const char *errstr;
	long long n;
	int found = 0;

	for (const char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	switch (d->type) {
	case SETTING_INT:
		n = util_strtonum(out, d->min, d->max, &errstr);
		if (errstr != NULL || n < d->min || n > d->max)
			abort();
		break;
	case SETTING_BOOL:
		if (strcmp(out, "on") != 0 && strcmp(out, "off") != 0)
			abort();
		break;
	case SETTING_ENUM:
		for (int i = 0; d->choices[i] != NULL; i++)
			found |= strcmp(out, d->choices[i]) == 0;
		if (!found)
			abort();
		break;
	default:
		break;
	}
	err[0] = '\0';
	if (settings_check_text(d, out, again, sizeof again, err,
	    sizeof err) == -1 || strcmp(again, out) != 0)
		abort();
}

static void
fz_fields(const struct setting_def *d, char *text, size_t n)
{
	char copy[SETTING_VALUE_MAX + 1], out[SETTING_VALUE_MAX + 1];
	char err[256], *argv[16], *p;
	int argc = 0;

	if (n >= sizeof copy)
		return;
	memcpy(copy, text, n + 1);
	for (p = copy; argc < 16; p++) {
		argv[argc++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p = '\0';
	}
	err[0] = '\0';
	if (settings_check(d, argc, argv, text, out, sizeof out, err,
	    sizeof err) == 0)
		fz_canonical(d, out);
	else if (err[0] == '\0')
		abort();
	err[0] = '\0';
	if (spawn_check_setting(argc, argv, out, sizeof out, err,
	    sizeof err) == 0) {
		if (out[0] != '\0' && out[0] != '/')
			abort();
		for (p = out; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
				abort();
	} else if (err[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct setting_def *d;
	char text[SETTING_VALUE_MAX + 64], out[SETTING_VALUE_MAX + 1];
	char err[256];
	size_t n;

	if (size < 1 || settings_count() == 0)
		return 0;
	d = settings_at(data[0] % settings_count());
	n = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
	memcpy(text, data + 1, n);
	text[n] = '\0';		/* a NUL inside ends the text, as in C */
	n = strlen(text);
	err[0] = '\0';
	if (settings_check_text(d, text, out, sizeof out, err,
	    sizeof err) == 0)
		fz_canonical(d, out);
	else if (err[0] == '\0')
		abort();
	fz_fields(d, text, n);
	return 0;
}
