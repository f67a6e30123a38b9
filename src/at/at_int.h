/*
 * at_int.h: helpers shared by the response parsers (at_parse_*.c),
 * defined in at_params.c.
 */
#ifndef CG_AT_INT_H
#define CG_AT_INT_H

#include <stddef.h>

struct at_params;

/* Set *cause (if wanted) and return -1. */
int at_fail(const char **cause, const char *why);
/* Split the parameters after `prefix` (which the line must start with). */
int at_split_after(const char *line, size_t len, const char *prefix,
    struct at_params *pp, const char **cause);

#endif
