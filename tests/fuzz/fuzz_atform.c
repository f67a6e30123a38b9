/*
 * fuzz_atform.c: the AT-form command parser on arbitrary text: it must
 * either refuse with a reason or give a name of letters/digits/dots and
 * arguments free of control characters.  Then what every channel does
 * next with a parsed command, short of running it: the registry finds the
 * command or setting by name or alias (and its group), a setting's
 * arguments are checked by its parser (AT+NAME=args), its range described
 * (AT+NAME=?), and the arguments shown in the log (cmd_args_shown).  A
 * setting's accepted arguments give a canonical value free of control
 * characters that its parser accepts again unchanged.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "atform.h"
#include "cmd.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fz_registry(const struct atform *f)
{
	static int ready;
	const struct setting_def *d;
	char out[SETTING_VALUE_MAX + 1], again[SETTING_VALUE_MAX + 1];
	char shown[ATFORM_MAX_LEN * 4 + 1], err[256];

	if (!ready) {
		settings_init();
		ready = 1;
	}
	(void)cmd_group(f->name);
	cmd_args_shown(f, shown, sizeof shown);
	if (cmd_find(f->name) != NULL || (d = settings_find(f->name)) == NULL)
		return;
	if (f->op == ATFORM_TEST)
		settings_describe_range(d, out, sizeof out);
	if (f->op != ATFORM_SET)
		return;
	err[0] = '\0';
	if (settings_check(d, f->argc, (char **)f->argv, f->raw, out,
	    sizeof out, err, sizeof err) == -1) {
		if (err[0] == '\0')
			abort();
		return;
	}
	for (const char *p = out; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
	if (settings_check_text(d, out, again, sizeof again, err,
	    sizeof err) == -1 || strcmp(again, out) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct atform f;
	const char *err = NULL;

	if (atform_parse((const char *)data, size, &f, &err) == -1) {
		if (err == NULL)
			abort();
		return 0;
	}
	if (f.name[0] == '\0' || strlen(f.name) > ATFORM_NAME_MAX ||
	    f.op >= ATFORM_OP_MAX || f.argc > ATFORM_MAX_ARGS)
		abort();
	for (int i = 0; i < f.argc; i++)
		for (const char *p = f.argv[i]; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20)
				abort();
	fz_registry(&f);
	return 0;
}
