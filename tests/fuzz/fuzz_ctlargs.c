/*
 * fuzz_ctlargs.c: the control requests' arguments from both ends: the
 * input's lines are a `cellgatectl phonebook SUB ...` command line, made
 * into the request's arguments by cli_phonebook_args (key=value fields),
 * which the daemon then applies to an entry (ctl_phonebook_fields, what
 * phonebook.add and phonebook.set do before storing); then `settings set
 * NAME VALUE` from the first two lines: the value checked by the named
 * setting (settings_check_text, what settings.set does before storing).
 *
 * Checks: the CLI gives exactly the fields of the command line (each
 * key=value as a string member, the position and number where the
 * grammar has them) or a usage error or a reason; the daemon refuses with
 * a reason or leaves an entry a phonebook may hold: an E.164 number, a
 * name within bounds free of control characters, a real role, call
 * action and flags.  A setting's value is refused with a reason or has a
 * canonical form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/cli/cli.h"
#include "ctl.h"
#include "phonebook.h"
#include "settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ARGS_MAX	12

static void
fz_entry(const struct phonebook_entry *e)
{
	size_t n = strlen(e->number);

	if (n < 2 || n > PHONEBOOK_NUMBER_MAX || e->number[0] != '+' ||
	    strspn(e->number + 1, "0123456789") != n - 1)
		abort();
	if (strlen(e->name) > PHONEBOOK_NAME_MAX)
		abort();
	for (const char *p = e->name; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20)
			abort();
	if (e->role != ROLE_USER && e->role != ROLE_ADMIN &&
	    e->role != ROLE_SUPERADMIN)
		abort();
	if ((unsigned)e->call >= CALL_ACTION_MAX ||
	    (e->require_password & ~1) != 0 || (e->alarm_sms & ~1) != 0 ||
	    (e->alarm_call & ~1) != 0)
		abort();
}

/* The members the command line must give, checked against args. */
static void
fz_cli(int argc, char **orig, struct json_object *args)
{
	struct json_object *v;
	int i = 2, fields, add;

	if (strcmp(orig[1], "list") == 0) {
		if (args != NULL)
			abort();
		return;
	}
	add = strcmp(orig[1], "add") == 0;
	if (!add || (argc >= 4 && strchr(orig[2], '=') == NULL &&
	    strchr(orig[3], '=') == NULL)) {
		int later = 0;	/* a pos=... field replaces it */

		for (int k = 3; k < argc; k++)
			later |= strncmp(orig[k], "pos=", 4) == 0;
		if (!json_object_object_get_ex(args, "pos", &v) ||
		    (!later && strcmp(json_object_get_string(v), orig[2]) != 0))
			abort();
		i++;
	}
	if (add) {
		/* the number (a later number=... field replaces it) */
		if (!json_object_object_get_ex(args, "number", NULL))
			abort();
		i++;
	}
	fields = argc - i;
	for (; i < argc; i++) {
		const char *eq = strchr(orig[i], '=');
		char key[1024];

		if (eq == NULL || eq == orig[i])
			abort();
		memcpy(key, orig[i], (size_t)(eq - orig[i]));
		key[eq - orig[i]] = '\0';
		if (!json_object_object_get_ex(args, key, &v))
			abort();
	}
	/* no member that no argument gave */
	if (json_object_object_length(args) > 2 + fields)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	char text[1024], *argv[FZ_ARGS_MAX + 2], *orig[FZ_ARGS_MAX + 2];
	char copy[1024], out[SETTING_VALUE_MAX + 1], err[512], *p;
	struct json_object *args;
	struct phonebook_entry e;
	const struct setting_def *d;
	const char *why;
	int argc = 1, rc;

	if (!ready) {
		settings_init();
		ready = 1;
	}
	if (size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memcpy(copy, text, size + 1);
	argv[0] = orig[0] = "phonebook";
	for (p = text; argc < FZ_ARGS_MAX + 1; p++) {
		argv[argc] = p;
		orig[argc] = copy + (p - text);
		argc++;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		*p = '\0';
		copy[p - text] = '\0';
	}
	argv[argc] = orig[argc] = NULL;

	rc = cli_phonebook_args(argc, argv, &args, &why);
	if (rc == -1 && (why == NULL || args != NULL))
		abort();
	if (rc == 0) {
		fz_cli(argc, orig, args);
		memset(&e, 0, sizeof e);
		strcpy(e.number, "+41790000000");
		e.role = ROLE_USER;
		e.require_password = 1;
		e.call = CALL_HANGUP;
		e.alarm_sms = 1;
		err[0] = '\0';
		if (args != NULL && ctl_phonebook_fields(args, &e, err,
		    sizeof err) == -1) {
			if (err[0] == '\0')
				abort();
		} else
			fz_entry(&e);
		json_object_put(args);
	}

	/* settings set NAME VALUE */
	if (argc >= 3 && (d = settings_find(orig[1])) != NULL) {
		err[0] = '\0';
		if (settings_check_text(d, orig[2], out, sizeof out, err,
		    sizeof err) == -1 && err[0] == '\0')
			abort();
	}
	return 0;
}
