/*
 * cli.c: cellgatectl's output conventions shared by its subcommands: a
 * failure is one line "cellgatectl: ..." on stderr, or with --json the
 * object {"error": "...", "exit": N} on stdout, and the exit status N
 * (1 failure, 2 usage error); JSON is printed as the daemon sent it; the
 * arguments of requests built from the command line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

int cli_json;

int
cli_fail(int status, const char *fmt, ...)
{
	struct json_object *o;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!cli_json) {
		fprintf(stderr, "cellgatectl: %s\n", msg);
		return status;
	}
	o = json_object_new_object();
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "exit", json_object_new_int(status));
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return status;
}

int
cli_die(const char *what, const char *err)
{
	return cli_fail(1, "%s%s%s", what, *what ? ": " : "", err);
}

void
cli_print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
cli_phonebook_args(int argc, char **argv, struct json_object **args,
    const char **err)
{
	const char *sub = argc > 1 ? argv[1] : "";
	int i = 2;

	*args = NULL;
	if (strcmp(sub, "list") == 0 && argc == 2)
		;
	else if (strcmp(sub, "add") == 0 && argc >= 3) {
		*args = json_object_new_object();
		if (argc >= 4 && strchr(argv[2], '=') == NULL &&
		    strchr(argv[3], '=') == NULL)
			json_object_object_add(*args, "pos",
			    json_object_new_string(argv[i++]));
		json_object_object_add(*args, "number",
		    json_object_new_string(argv[i++]));
	} else if ((strcmp(sub, "set") == 0 && argc >= 4) ||
	    (strcmp(sub, "del") == 0 && argc == 3)) {
		*args = json_object_new_object();
		json_object_object_add(*args, "pos",
		    json_object_new_string(argv[i++]));
	} else
		return 2;
	for (; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL || eq == argv[i]) {
			json_object_put(*args);
			*args = NULL;
			*err = "fields are key=value (name, role, password, "
			    "call, alarm_sms, alarm_call)";
			return -1;
		}
		*eq = '\0';
		json_object_object_add(*args, argv[i],
		    json_object_new_string(eq + 1));
	}
	return 0;
}
