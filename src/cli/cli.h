/*
 * cli.h: what cellgatectl's source files share: failing and printing JSON
 * in one style (cli.c), and the offline `pdu` helpers
 * (cellgatectl_pdu.c).  Nothing outside src/cli/ includes it.
 */
#ifndef CG_CLI_H
#define CG_CLI_H

struct json_object;

/* One line "cellgatectl: WHAT: ERR" on stderr; returns the exit status 1. */
int cli_die(const char *what, const char *err);
/* The JSON as the daemon sent it, pretty-printed on stdout. */
void cli_print_json(struct json_object *);

int cellgatectl_pdu_main(int argc, char **argv, int json);

#endif
