/*
 * cli.c: cellgatectl's output conventions shared by its subcommands: a
 * failure is one line "cellgatectl: ..." on stderr, or with --json the
 * object {"error": "...", "exit": N} on stdout, and the exit status N
 * (1 failure, 2 usage error); JSON is printed as the daemon sent it.
 */
#include <stdarg.h>
#include <stdio.h>

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
