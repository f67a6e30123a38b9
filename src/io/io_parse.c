/*
 * io_parse.c: the pure parsers of what sensors and input files hold: a
 * DS18B20 w1_slave (two lines: nine bytes, "crc=xx YES"; nine bytes,
 * "t=MILLIDEGREES"), a number in millidegrees (or another scale), degrees
 * C on a first line (the command backend), a 0/1 level.  Bounded, no
 * allocation; anything unexpected is an error, never a temperature.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_backend.h"

/* Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, reflected). */
static unsigned
io_crc8(const unsigned char *p, size_t n)
{
	unsigned crc = 0;

	while (n-- > 0) {
		crc ^= *p++;
		for (int i = 0; i < 8; i++)
			crc = crc & 1 ? (crc >> 1) ^ 0x8c : crc >> 1;
	}
	return crc;
}

/* Nine "xx " hex bytes at the start of a line; returns the rest. */
static const char *
io_w1_bytes(const char *p, const char *end, unsigned char b[9])
{
	for (int i = 0; i < 9; i++) {
		unsigned v = 0;

		for (int k = 0; k < 2; k++, p++) {
			if (p >= end || !isxdigit((unsigned char)*p))
				return NULL;
			v = v * 16 + (unsigned)(isdigit((unsigned char)*p) ?
			    *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
		}
		if (p >= end || *p != ' ')
			return NULL;
		p++;
		b[i] = (unsigned char)v;
	}
	return p;
}

/* A decimal integer (optional sign) filling [p, end) up to blanks. */
static int
io_int_field(const char *p, const char *end, long *out)
{
	char tmp[24];
	size_t n;
	char *e;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && strchr(" \t\r\n", end[-1]) != NULL)
		end--;
	n = (size_t)(end - p);
	if (n == 0 || n >= sizeof tmp)
		return -1;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (!isdigit((unsigned char)tmp[tmp[0] == '-' || tmp[0] == '+']))
		return -1;
	errno = 0;
	*out = strtol(tmp, &e, 10);
	return errno != 0 || *e != '\0' ? -1 : 0;
}

static int
io_err(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* The power-on value, and a plausible DS18B20 range (-55..+125 C). */
static int
io_milli_ok(long m, char *err, size_t errlen)
{
	if (m == 85000)
		return io_err(err, errlen, "85000: the power-on value, no "
		    "conversion happened");
	if (m < -55000 || m > 125000)
		return io_err(err, errlen, "temperature out of range");
	return 0;
}

int
io_w1_parse(const char *buf, size_t n, double *celsius, char *err,
    size_t errlen)
{
	const char *end = buf + n, *nl, *p, *l2, *l2end;
	unsigned char b1[9], b2[9];
	int zero = 1;
	long m;

	if ((nl = memchr(buf, '\n', n)) == NULL)
		return io_err(err, errlen, "w1_slave: no second line");
	if ((p = io_w1_bytes(buf, nl, b1)) == NULL)
		return io_err(err, errlen, "w1_slave: unreadable bytes");
	if ((size_t)(nl - p) < 11 || strncmp(p, ": crc=", 6) != 0 ||
	    !isxdigit((unsigned char)p[6]) || !isxdigit((unsigned char)p[7]))
		return io_err(err, errlen, "w1_slave: no crc field");
	p += 8;
	while (p < nl && (*p == ' ' || *p == '\r'))
		p++;
	if ((size_t)(nl - p) < 3 || strncmp(p, "YES", 3) != 0)
		return io_err(err, errlen, "w1_slave: CRC check failed (NO)");
	for (int i = 0; i < 9; i++)
		if (b1[i] != 0)
			zero = 0;
	if (zero)
		return io_err(err, errlen, "w1_slave: all-zero reading (no "
		    "sensor answered)");
	if (io_crc8(b1, 8) != b1[8])
		return io_err(err, errlen, "w1_slave: CRC does not match the "
		    "bytes");
	l2 = nl + 1;
	l2end = memchr(l2, '\n', (size_t)(end - l2));
	if (l2end == NULL)
		l2end = end;
	if ((p = io_w1_bytes(l2, l2end, b2)) == NULL ||
	    memcmp(b1, b2, sizeof b1) != 0)
		return io_err(err, errlen, "w1_slave: second line does not "
		    "repeat the bytes");
	if ((size_t)(l2end - p) < 3 || strncmp(p, "t=", 2) != 0 ||
	    io_int_field(p + 2, l2end, &m) == -1)
		return io_err(err, errlen, "w1_slave: no t= value");
	if (io_milli_ok(m, err, errlen) == -1)
		return -1;
	*celsius = (double)m / 1000.0;
	return 0;
}

int
io_milli_parse(const char *buf, size_t n, double scale, double *celsius,
    char *err, size_t errlen)
{
	const char *nl = memchr(buf, '\n', n);
	const char *end = nl != NULL ? nl : buf + n;
	long m;

	/* only blanks after the first line (buf is not NUL-terminated) */
	for (const char *q = nl; q != NULL && q < buf + n; q++)
		if (strchr(" \t\r\n", *q) == NULL || *q == '\0')
			return io_err(err, errlen, "more than one line");
	if (io_int_field(buf, end, &m) == -1) {
		double c;

		/* a scale other than millidegrees may come with decimals */
		if (scale != 0.001 && io_celsius_parse(buf, n, &c, err,
		    errlen) == 0) {
			*celsius = c * scale;
			return 0;
		}
		return io_err(err, errlen, "not a number");
	}
	if (scale == 0.001) {
		if (m == 0)
			return io_err(err, errlen, "all-zero reading");
		if (io_milli_ok(m, err, errlen) == -1)
			return -1;
	}
	*celsius = scale == 0.001 ? (double)m / 1000.0 : (double)m * scale;
	if (*celsius < -100 || *celsius > 1000)
		return io_err(err, errlen, "temperature out of range");
	return 0;
}

int
io_celsius_parse(const char *buf, size_t n, double *celsius, char *err,
    size_t errlen)
{
	const char *nl = memchr(buf, '\n', n);
	size_t l = nl != NULL ? (size_t)(nl - buf) : n;
	char tmp[32], *e;
	double v;

	while (l > 0 && strchr(" \t\r", buf[l - 1]) != NULL)
		l--;
	while (l > 0 && (*buf == ' ' || *buf == '\t')) {
		buf++;
		l--;
	}
	if (l == 0 || l >= sizeof tmp)
		return io_err(err, errlen, "no temperature on the first line");
	memcpy(tmp, buf, l);
	tmp[l] = '\0';
	if (strspn(tmp, "+-0123456789.") != l ||
	    !isdigit((unsigned char)tmp[strspn(tmp, "+-")]))
		return io_err(err, errlen, "the first line is not a number");
	errno = 0;
	v = strtod(tmp, &e);
	if (errno != 0 || *e != '\0' || !isfinite(v) || v < -100 ||
	    v > 1000)
		return io_err(err, errlen, "not a plausible temperature");
	*celsius = v;
	return 0;
}

int
io_level_parse(const char *buf, size_t n, int *level)
{
	while (n > 0 && strchr(" \t\r\n", buf[n - 1]) != NULL)
		n--;
	while (n > 0 && (*buf == ' ' || *buf == '\t')) {
		buf++;
		n--;
	}
	if (n != 1 || (buf[0] != '0' && buf[0] != '1'))
		return -1;
	*level = buf[0] == '1';
	return 0;
}

int
io_read_child_result(const char *buf, size_t n, const char **data,
    size_t *len, char *err, size_t errlen)
{
	if (n == 0)
		return io_err(err, errlen, "the reader wrote nothing");
	if (buf[0] == 'E') {
		snprintf(err, errlen, "%.*s", (int)(n - 1 > 150 ? 150 : n - 1),
		    buf + 1);
		return -1;
	}
	if (buf[0] != 'O')
		return io_err(err, errlen, "garbled reader output");
	*data = buf + 1;
	*len = n - 1;
	return 0;
}
