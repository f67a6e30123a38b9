/*
 * cli.h: what cellgatectl's source files share: failing and printing JSON
 * in one style and the requests' arguments from the command line (cli.c),
 * and the offline `pdu` helpers
 * (cellgatectl_pdu.c).  Nothing outside src/cli/ includes it.
 */
#ifndef CG_CLI_H
#define CG_CLI_H

struct json_object;

/* --json given: failures are JSON on stdout as well. */
extern int cli_json;
/* A failure with exit status `status`: one line "cellgatectl: MSG" on
 * stderr, or {"error": MSG, "exit": status} on stdout with --json;
 * returns status. */
int cli_fail(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* cli_fail(1, "WHAT: ERR") (just ERR when what is empty). */
int cli_die(const char *what, const char *err);
/* The JSON as the daemon sent it, pretty-printed on stdout. */
void cli_print_json(struct json_object *);
/* The arguments of `phonebook SUB ...` (argv[1] is SUB): list; add [POS]
 * NUMBER [key=value...]; set POS key=value...; del POS.  0 with *args
 * (NULL for list; each key=value's '=' in argv becomes a NUL), 2 for a
 * usage error, -1 with *err when a field is not key=value. */
int cli_phonebook_args(int argc, char **argv, struct json_object **args,
    const char **err);

int cellgatectl_pdu_main(int argc, char **argv);

#endif
