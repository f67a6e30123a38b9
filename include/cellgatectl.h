/*
 * cellgatectl.h: what the CLI's source files share: printing and failing
 * in one style, and the offline `pdu` helpers.
 */
#ifndef CG_CELLGATECTL_H
#define CG_CELLGATECTL_H

struct json_object;

int ctl_die(const char *what, const char *err);
void ctl_print_json(struct json_object *);
int ctl_pdu_main(int argc, char **argv, int json);

#endif
