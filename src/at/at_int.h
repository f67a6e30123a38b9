/*
 * at_int.h: helpers shared by the response parsers (at_parse_*.c),
 * defined in at_params.c.
 */
#ifndef CG_AT_INT_H
#define CG_AT_INT_H

#include <stddef.h>

struct at_params;
struct at_param;

/* Set *cause (if wanted) and return -1. */
int at_fail(const char **cause, const char *why);
/* Split the parameters after `prefix` (which the line must start with). */
int at_split_after(const char *line, size_t len, const char *prefix,
    struct at_params *pp, const char **cause);

/* A phone number field (dialling characters, or UCS2 hex of them) and
 * a text field (no control characters) into dst (at_parse_misc.c). */
int at_number_copy(const struct at_param *p, char *dst, size_t dstsz);
int at_text_copy(const struct at_param *p, char *dst, size_t dstsz);

#endif
