/*
 * climset.h: the µPanel seed's spellings of the remote lock, accepted on
 * the data port's command mode (a local line, as the seed's serial line):
 * `$AP-CLIMSET` (query), `$AP-CLIMSET:<sum>`, and the legacy `$APP-CLIM`
 * (= `$AP-CLIMSET:1`) and `$APP-CFULL` (= `$AP-CLIMSET:0`).  Pure parsing;
 * the bridge runs the result through the command registry.
 */
#ifndef CG_CLIMSET_H
#define CG_CLIMSET_H

#include <stddef.h>

enum climset_op {
	CLIMSET_QUERY,		/* $AP-CLIMSET */
	CLIMSET_SET,		/* $AP-CLIMSET:<sum> */
	CLIMSET_LIM,		/* $APP-CLIM */
	CLIMSET_FULL		/* $APP-CFULL */
};

struct climset {
	enum climset_op	op;
	int		sum;	/* the groups to lock (SET, LIM, FULL) */
};

/* 1 and *out filled when line (without CR/LF) is one of the spellings
 * (keywords case-insensitive, an optional trailing " |"); 0 when it does
 * not start with '$' at all; -1 with a reason when it starts with '$' but
 * is malformed (an unknown keyword, a sum outside 0..max). */
int climset_parse(const char *line, size_t len, int max, struct climset *out,
    const char **err);

#endif
