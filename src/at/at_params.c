/*
 * at_params.c: splitting an AT parameter list into fields, and bounded
 * conversion of one field.  A field is a double-quoted string (commas and
 * CR/LF allowed inside), a parenthesised list as in test responses
 * ("(0-2),(\"SM\",\"ME\")", nesting allowed), or bare text up to the next
 * comma (trimmed).  Fields point into the caller's line: nothing is
 * copied, nothing allocated.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"

static int
at_params_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
at_params_fail(const char **cause, const char *why)
{
	if (cause != NULL)
		*cause = why;
	return -1;
}

/*
 * After "prefix" (e.g. "+CREG:") skip blanks; return the rest of the line
 * and its length, or NULL when line does not start with prefix.
 */
const char *
at_parse_prefix(const char *line, size_t len, const char *prefix,
    size_t *restlen)
{
	size_t	n = strlen(prefix);

	if (len < n || memcmp(line, prefix, n) != 0)
		return NULL;
	line += n;
	len -= n;
	while (len > 0 && at_params_blank(*line)) {
		line++;
		len--;
	}
	*restlen = len;
	return line;
}

/* End of a parenthesised list starting at s[i] == '(', or len. */
static size_t
at_params_close(const char *s, size_t len, size_t i, int raw)
{
	int	depth = 0, inq = 0;

	for (; i < len; i++) {
		if (raw && s[i] == '"')
			continue;
		if (inq) {
			if (s[i] == '"')
				inq = 0;
			continue;
		}
		if (s[i] == '"')
			inq = 1;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
	}
	return len;
}

int
at_params_split(const char *s, size_t len, unsigned int flags,
    struct at_params *out, const char **cause)
{
	struct at_params	 tmp;
	struct at_param		*p;
	size_t			 i = 0, start, end;
	const char		*q;

	memset(&tmp, 0, sizeof tmp);
	while (len > 0 && (at_params_blank(s[len - 1]) ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	while (i < len && at_params_blank(s[i]))
		i++;
	if (i == len) {
		*out = tmp;
		return 0;
	}
	for (;;) {
		while (i < len && at_params_blank(s[i]))
			i++;
		if (tmp.n == AT_PARAMS_MAX)
			return at_params_fail(cause, "too many parameters");
		p = &tmp.v[tmp.n++];
		if (i < len && s[i] == '"') {
			start = i + 1;
			q = memchr(s + start, '"', len - start);
			if (q == NULL) {
				if (!(flags & AT_PARAMS_OPEN_QUOTE))
					return at_params_fail(cause,
					    "unterminated string");
				end = len;
				i = len;
			} else {
				end = (size_t)(q - s);
				i = end + 1;
			}
			p->s = s + start;
			p->len = end - start;
			p->quoted = 1;
		} else if (i < len && s[i] == '(') {
			end = at_params_close(s, len, i,
			    (flags & AT_PARAMS_LIST_RAW) != 0);
			if (end == len)
				return at_params_fail(cause,
				    "unterminated list");
			start = i + 1;
			i = end + 1;
			while (start < end && at_params_blank(s[start]))
				start++;
			while (end > start && at_params_blank(s[end - 1]))
				end--;
			p->s = s + start;
			p->len = end - start;
			p->list = 1;
		} else {
			start = i;
			for (; i < len && s[i] != ','; i++) {
				if (s[i] == '"')
					return at_params_fail(cause,
					    "stray quote");
				if ((unsigned char)s[i] < 0x20)
					return at_params_fail(cause,
					    "control character");
			}
			end = i;
			while (end > start && at_params_blank(s[end - 1]))
				end--;
			p->s = s + start;
			p->len = end - start;
		}
		while (i < len && at_params_blank(s[i]))
			i++;
		if (i >= len)
			break;
		if (s[i] != ',')
			return at_params_fail(cause, "junk after field");
		i++;
	}
	*out = tmp;
	return 0;
}

int
at_param_empty(const struct at_param *p)
{
	return p->len == 0 && !p->quoted && !p->list;
}

/* Decimal integer in [min, max]; quoted digits accepted. */
int
at_param_int(const struct at_param *p, long min, long max, long *out)
{
	size_t	i = 0;
	int	neg = 0;
	long	v = 0, d;

	if (p->list || p->len == 0)
		return -1;
	if (p->s[0] == '-' && min < 0) {
		neg = 1;
		i = 1;
	}
	if (i == p->len)
		return -1;
	for (; i < p->len; i++) {
		if (p->s[i] < '0' || p->s[i] > '9')
			return -1;
		d = p->s[i] - '0';
		if (v > (2147483647L - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg)
		v = -v;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* 1..maxdigits hex digits (leading zeros count), quoted or not. */
int
at_param_hex(const struct at_param *p, size_t maxdigits,
    unsigned long long *out)
{
	unsigned long long	v = 0;
	size_t			i;
	int			d;

	if (p->list || p->len == 0 || p->len > maxdigits || maxdigits > 16)
		return -1;
	for (i = 0; i < p->len; i++) {
		if (p->s[i] >= '0' && p->s[i] <= '9')
			d = p->s[i] - '0';
		else if (p->s[i] >= 'A' && p->s[i] <= 'F')
			d = p->s[i] - 'A' + 10;
		else if (p->s[i] >= 'a' && p->s[i] <= 'f')
			d = p->s[i] - 'a' + 10;
		else
			return -1;
		v = (v << 4) | (unsigned)d;
	}
	*out = v;
	return 0;
}

/* Copy the field into dst; fails (dst untouched) when it does not fit. */
int
at_param_str(const struct at_param *p, char *dst, size_t dstsz)
{
	if (p->list || p->len >= dstsz || memchr(p->s, '\0', p->len) != NULL)
		return -1;
	memcpy(dst, p->s, p->len);
	dst[p->len] = '\0';
	return 0;
}

int
at_param_eq(const struct at_param *p, const char *str)
{
	return !p->list && p->len == strlen(str) &&
	    memcmp(p->s, str, p->len) == 0;
}

/*
 * A test-response range list such as "0-1,3" or "2" (the inside of
 * "(...)", or a bare value) as a bit mask of values 0..31.
 */
int
at_param_range_mask(const struct at_param *p, unsigned long *mask)
{
	unsigned long	m = 0;
	size_t		i = 0;
	long		a, b;
	int		have;

	if (p->quoted)
		return -1;
	if (p->len == 0) {
		*mask = 0;
		return p->list ? 0 : -1;
	}
	while (i < p->len) {
		while (i < p->len && at_params_blank(p->s[i]))
			i++;
		a = 0;
		have = 0;
		while (i < p->len && p->s[i] >= '0' && p->s[i] <= '9') {
			a = a * 10 + (p->s[i++] - '0');
			if (a > 31)
				return -1;
			have = 1;
		}
		if (!have)
			return -1;
		b = a;
		while (i < p->len && at_params_blank(p->s[i]))
			i++;
		if (i < p->len && p->s[i] == '-') {
			i++;
			while (i < p->len && at_params_blank(p->s[i]))
				i++;
			b = 0;
			have = 0;
			while (i < p->len && p->s[i] >= '0' &&
			    p->s[i] <= '9') {
				b = b * 10 + (p->s[i++] - '0');
				if (b > 31)
					return -1;
				have = 1;
			}
			if (!have || b < a)
				return -1;
			while (i < p->len && at_params_blank(p->s[i]))
				i++;
		}
		for (; a <= b; a++)
			m |= 1UL << a;
		if (i < p->len) {
			if (p->s[i] != ',')
				return -1;
			i++;
			if (i == p->len)
				return -1;
		}
	}
	*mask = m;
	return 0;
}

int
at_fail(const char **cause, const char *why)
{
	if (cause != NULL)
		*cause = why;
	return -1;
}

int
at_split_after(const char *line, size_t len, const char *prefix,
    struct at_params *pp, const char **cause)
{
	const char	*rest;
	size_t		 rlen;

	if ((rest = at_parse_prefix(line, len, prefix, &rlen)) == NULL)
		return at_fail(cause, "wrong prefix");
	return at_params_split(rest, rlen, 0, pp, cause);
}
