/*
 * climset.c: parser of the µPanel seed's remote-lock commands
 * ($AP-CLIMSET[:sum], $APP-CLIM, $APP-CFULL); see climset.h.
 */
#include <string.h>

#include "climset.h"
#include "util.h"

int
climset_parse(const char *line, size_t len, int max, struct climset *out,
    const char **err)
{
	static const char set[] = "$AP-CLIMSET", lim[] = "$APP-CLIM",
	    full[] = "$APP-CFULL";
	char num[8];
	size_t n;

	if (len == 0 || line[0] != '$')
		return 0;
	/* the seed writes each command followed by " |" */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '|'))
		len--;
	if (len == sizeof lim - 1 && util_strncaseeq(line, lim, len)) {
		out->op = CLIMSET_LIM;
		out->sum = 1;
		return 1;
	}
	if (len == sizeof full - 1 && util_strncaseeq(line, full, len)) {
		out->op = CLIMSET_FULL;
		out->sum = 0;
		return 1;
	}
	n = sizeof set - 1;
	if (len < n || !util_strncaseeq(line, set, n)) {
		*err = "unknown $ command";
		return -1;
	}
	if (len == n) {
		out->op = CLIMSET_QUERY;
		out->sum = 0;
		return 1;
	}
	if (line[n] != ':' || len - n - 1 == 0 || len - n - 1 >= sizeof num) {
		*err = "expected $AP-CLIMSET:<sum of groups>";
		return -1;
	}
	memcpy(num, line + n + 1, len - n - 1);
	num[len - n - 1] = '\0';
	out->sum = (int)util_strtonum(num, 0, max, err);
	if (*err != NULL) {
		*err = "the sum of groups is out of range";
		return -1;
	}
	out->op = CLIMSET_SET;
	return 1;
}
