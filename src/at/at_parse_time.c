/*
 * at_parse_time.c: the network's time and zone: the answer to AT+CCLK?
 * ("yy/MM/dd,hh:mm:ss±zz", 27.007 8.15; some firmwares print a four-digit
 * year or no zone) and the zone URCs +CTZV: <tz> and
 * +CTZE: <tz>,<dst>[,"yyyy/MM/dd,hh:mm:ss"] (8.41), zones in quarter
 * hours.  Pure; output untouched on error.
 */
#include <string.h>

#include "at_parse.h"
#include "at_int.h"

/* n digits at s[*i] into *v. */
static int
at_digits(const char *s, size_t len, size_t *i, int n, int *v)
{
	int	k;

	*v = 0;
	for (k = 0; k < n; k++, (*i)++) {
		if (*i >= len || s[*i] < '0' || s[*i] > '9')
			return -1;
		*v = *v * 10 + (s[*i] - '0');
	}
	return 0;
}

/* A zone "+08", "-4", "32" (quarter hours east of UTC) at s[*i]. */
static int
at_zone(const char *s, size_t len, size_t *i, int *tz)
{
	int	neg = 0, v = 0, n = 0;

	if (*i < len && (s[*i] == '+' || s[*i] == '-')) {
		neg = s[*i] == '-';
		(*i)++;
	}
	while (*i < len && s[*i] >= '0' && s[*i] <= '9' && n < 3) {
		v = v * 10 + (s[(*i)++] - '0');
		n++;
	}
	if (n == 0 || v > 56)		/* UTC+14:00 is the furthest */
		return -1;
	*tz = neg ? -v : v;
	return 0;
}

static int
at_mdays(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* "yy/MM/dd,hh:mm:ss[±zz]" or with "yyyy"; the whole of s. */
static int
at_datetime(const char *s, size_t len, int zone_ok, struct at_nettime *t)
{
	size_t	i = 0, y;
	int	v;

	for (y = 0; y < len && s[y] >= '0' && s[y] <= '9'; y++)
		;
	if ((y != 2 && y != 4) || at_digits(s, len, &i, (int)y, &t->year))
		return -1;
	/* two digits as POSIX %y: 69..99 the 1900s ("80/01/06" is the
	 * unset clock of many modems, 1980), 00..68 the 2000s */
	if (y == 2)
		t->year += t->year >= 69 ? 1900 : 2000;
	if (i >= len || s[i++] != '/' || at_digits(s, len, &i, 2, &t->mon) ||
	    i >= len || s[i++] != '/' || at_digits(s, len, &i, 2, &t->day) ||
	    i >= len || s[i++] != ',' || at_digits(s, len, &i, 2, &t->hour) ||
	    i >= len || s[i++] != ':' || at_digits(s, len, &i, 2, &t->min) ||
	    i >= len || s[i++] != ':' || at_digits(s, len, &i, 2, &t->sec))
		return -1;
	if (t->mon < 1 || t->mon > 12 || t->day < 1 ||
	    t->day > at_mdays(t->year, t->mon) || t->hour > 23 ||
	    t->min > 59 || t->sec > 60)
		return -1;
	if (i < len && zone_ok && (s[i] == '+' || s[i] == '-')) {
		if (at_zone(s, len, &i, &v) != 0)
			return -1;
		t->tz = v;
	}
	if (i != len)
		return -1;
	t->has_time = 1;
	return 0;
}

static void
at_nettime_clear(struct at_nettime *t)
{
	memset(t, 0, sizeof *t);
	t->tz = AT_TZ_NONE;
	t->dst = -1;
}

/* +CCLK: "24/05/17,10:11:12+08" */
int
at_parse_cclk(const char *line, size_t len, struct at_nettime *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_nettime	t;

	if (at_split_after(line, len, "+CCLK:", &pp, cause) != 0)
		return -1;
	at_nettime_clear(&t);
	if (pp.n != 1 || !pp.v[0].quoted ||
	    at_datetime(pp.v[0].s, pp.v[0].len, 1, &t) != 0)
		return at_fail(cause, "bad +CCLK time");
	*out = t;
	return 0;
}

static int
at_zone_field(const struct at_param *p, int *tz)
{
	size_t	i = 0;

	if (p->list || at_zone(p->s, p->len, &i, tz) != 0 || i != p->len)
		return -1;
	return 0;
}

/* +CTZV: <tz>[,<dst>] (the zone only; some firmwares add the DST) */
int
at_parse_ctzv(const char *line, size_t len, struct at_nettime *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_nettime	t;
	long			v;

	if (at_split_after(line, len, "+CTZV:", &pp, cause) != 0)
		return -1;
	at_nettime_clear(&t);
	if (pp.n < 1 || at_zone_field(&pp.v[0], &t.tz) != 0)
		return at_fail(cause, "bad +CTZV zone");
	if (pp.n >= 2 && !pp.v[1].quoted &&
	    at_param_int(&pp.v[1], 0, 2, &v) == 0)
		t.dst = (int)v;
	*out = t;
	return 0;
}

/* +CTZE: <tz>,<dst>[,"yyyy/MM/dd,hh:mm:ss"] */
int
at_parse_ctze(const char *line, size_t len, struct at_nettime *out,
    const char **cause)
{
	struct at_params	pp;
	struct at_nettime	t;
	long			v;

	if (at_split_after(line, len, "+CTZE:", &pp, cause) != 0)
		return -1;
	at_nettime_clear(&t);
	if (pp.n < 2 || at_zone_field(&pp.v[0], &t.tz) != 0)
		return at_fail(cause, "bad +CTZE zone");
	if (pp.v[1].quoted || at_param_int(&pp.v[1], 0, 2, &v) != 0)
		return at_fail(cause, "bad +CTZE daylight saving");
	t.dst = (int)v;
	if (pp.n >= 3 && !at_param_empty(&pp.v[2]) &&
	    (!pp.v[2].quoted || at_datetime(pp.v[2].s, pp.v[2].len, 0,
	    &t) != 0))
		return at_fail(cause, "bad +CTZE time");
	*out = t;
	return 0;
}

/* Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long long
at_days(int y, int m, int d)
{
	long long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long long
at_nettime_epoch(const struct at_nettime *t)
{
	if (!t->has_time || t->tz == AT_TZ_NONE)
		return -1;
	return at_days(t->year, t->mon, t->day) * 86400LL + t->hour * 3600LL +
	    t->min * 60LL + t->sec - t->tz * 900LL;
}
