/*
 * cli.c: cellgatectl's output conventions shared by its subcommands:
 * a failure is one line on stderr and exit status 1; JSON is printed as
 * the daemon sent it.
 */
#include <stdio.h>

#include <json-c/json.h>

#include "cli.h"

int
cli_die(const char *what, const char *err)
{
	fprintf(stderr, "cellgatectl: %s%s%s\n", what, *what ? ": " : "", err);
	return 1;
}

void
cli_print_json(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}
