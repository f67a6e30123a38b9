/*
 * util.c: bounded number parsing, bounded copies, the capped byte buffer,
 * escaping of untrusted bytes and monotonic time (see util.h).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

long long
util_strtonum(const char *s, long long min, long long max, const char **errstr)
{
	char *end;
	long long v;

	*errstr = "invalid";
	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0')
		return 0;
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		*errstr = "too small";
		return 0;
	}
	if ((errno == ERANGE && v == LLONG_MAX) || v > max) {
		*errstr = "too large";
		return 0;
	}
	*errstr = NULL;
	return v;
}

size_t
util_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}

int
util_strcaseeq(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

int
util_strncaseeq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
		if (a[i] == '\0')
			return 1;
	}
	return 1;
}

void
util_escape(char *dst, size_t dstlen, const void *src, size_t len)
{
	const unsigned char *p = src;
	size_t o = 0;

	if (dstlen == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		char tmp[5];
		size_t n;

		if (p[i] == '\\') {
			tmp[0] = tmp[1] = '\\';
			n = 2;
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			tmp[0] = (char)p[i];
			n = 1;
		} else if (p[i] == '\r' || p[i] == '\n') {
			tmp[0] = '\\';
			tmp[1] = p[i] == '\r' ? 'r' : 'n';
			n = 2;
		} else {
			snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
			n = 4;
		}
		if (o + n + 4 > dstlen) {
			if (dstlen >= 4) {
				o = o + 4 > dstlen ? dstlen - 4 : o;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, n);
		o += n;
	}
	dst[o < dstlen ? o : dstlen - 1] = '\0';
}

/* Length of the UTF-8 sequence at p (1..4) and its code point, or 0
 * when it is not valid UTF-8 (overlong, surrogate, past U+10FFFF). */
static size_t
util_utf8_seq(const unsigned char *p, size_t len, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		n = 2; c = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; c = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; c = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

size_t
util_escape_text(char *dst, size_t dstlen, const char *src, size_t len,
    unsigned flags)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t o = 0, i = 0;

	if (dstlen == 0)
		return 0;
	while (i < len) {
		char tmp[12];
		uint32_t cp = 0;
		size_t n = util_utf8_seq(p + i, len - i, &cp), w;

		if (n == 0) {			/* not UTF-8 */
			w = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
			n = 1;
		} else if ((cp == '\n' && (flags & UTIL_TEXT_NEWLINES)) ||
		    (cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp < 0xa0) &&
		    !(cp >= 0x202a && cp <= 0x202e) &&
		    !(cp >= 0x2066 && cp <= 0x2069))) {
			memcpy(tmp, p + i, n);	/* printable: as it is */
			w = n;
		} else if (cp < 0x80)
			w = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x",
			    (unsigned)cp);
		else
			w = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x",
			    (unsigned)cp);
		if (o + w + 4 > dstlen) {
			if (dstlen >= 4) {
				o = o + 4 > dstlen ? dstlen - 4 : o;
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, tmp, w);
		o += w;
		i += n;
	}
	if (o >= dstlen)
		o = dstlen - 1;
	dst[o] = '\0';
	return o;
}

uint64_t
util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The compiler's date of this file ("Dec  7 2026", SOURCE_DATE_EPOCH
 * when set) as midnight UTC. */
time_t
util_build_time(void)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char date[] = __DATE__;
	const char *m = strstr(months, (char[4]){ date[0], date[1], date[2],
	    '\0' });
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	tm.tm_mon = m != NULL ? (int)(m - months) / 3 : 0;
	tm.tm_mday = atoi(date + 4);
	tm.tm_year = atoi(date + 7) - 1900;
	return timegm(&tm);
}

static struct {
	int		 set;
	time_t		 network;	/* the network's time ... */
	uint64_t	 at_ms;		/* ... at this monotonic instant */
} util_clock_hint;

void
util_wall_time_hint(time_t network_now)
{
	util_clock_hint.set = 1;
	util_clock_hint.network = network_now;
	util_clock_hint.at_ms = util_now_ms();
}

int
util_wall_time_wrong(void)
{
	return time(NULL) < util_build_time();
}

time_t
util_wall_time_from(time_t sys, uint64_t now_ms)
{
	if (!util_clock_hint.set || sys >= util_build_time())
		return sys;
	return util_clock_hint.network + (time_t)((now_ms -
	    util_clock_hint.at_ms) / 1000);
}

time_t
util_wall_time(void)
{
	return util_wall_time_from(time(NULL), util_now_ms());
}

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->overflow = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->overflow || n > b->max - b->len) {
		b->overflow = 1;
		return -1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		if ((d = realloc(b->data, cap)) == NULL) {
			b->overflow = 1;
			return -1;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_puts(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	char small[256];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof small, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof small)
		return buf_add(b, small, (size_t)n);
	{
		char *big = malloc((size_t)n + 1);
		int r;

		if (big == NULL)
			return -1;
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		r = buf_add(b, big, (size_t)n);
		free(big);
		return r;
	}
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

const char *
buf_str(struct buf *b)
{
	if (b->data == NULL)
		return "";
	return b->data;
}

int
util_parse_bool(const char *s)
{
	static const char *const on[] = { "on", "1", "true", "yes" };
	static const char *const off[] = { "off", "0", "false", "no" };

	for (size_t i = 0; i < nitems(on); i++) {
		if (util_strcaseeq(s, on[i]))
			return 1;
		if (util_strcaseeq(s, off[i]))
			return 0;
	}
	return -1;
}

/* Length of s[0..n) without an incomplete UTF-8 sequence at its end. */
static size_t
buf_utf8_whole(const char *s, size_t n)
{
	size_t i = n, need;
	unsigned char c;

	/* back to the last lead byte, at most 3 continuation bytes */
	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
		i--;
	if (i == 0)
		return n;
	c = (unsigned char)s[i - 1];
	if (c < 0x80)
		return n;
	need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
	return n - (i - 1) >= need ? n : i - 1;
}

/* Append what fits of p[0..n), cut at a UTF-8 character boundary; 0
 * when all of it fitted, 1 when it was cut (overflow is then set). */
int
buf_add_cut(struct buf *b, const void *p, size_t n)
{
	size_t room;

	if (b->overflow)
		return 1;
	room = b->max - b->len;
	if (n <= room)
		return buf_add(b, p, n) == 0 ? 0 : 1;
	(void)buf_add(b, p, buf_utf8_whole(p, room));
	b->overflow = 1;
	return 1;
}

/*
 * If something was refused (overflow), end the text with marker, within
 * max: the tail is cut back, at a UTF-8 character boundary, to make room.
 * 1 when the text was marked.  overflow stays set.
 */
int
buf_mark_cut(struct buf *b, const char *marker)
{
	size_t m = strlen(marker);

	if (!b->overflow)
		return 0;
	if (m > b->max)
		return 1;
	if (b->len + m > b->max)
		b->len = b->max - m;
	b->len = buf_utf8_whole(b->data != NULL ? b->data : "", b->len);
	if (b->data != NULL)
		b->data[b->len] = '\0';
	b->overflow = 0;
	(void)buf_add(b, marker, m);
	b->overflow = 1;
	return 1;
}

const char *
util_rfc3339(char *buf, size_t len, long long sec, int ms)
{
	time_t t = (time_t)sec;
	struct tm tm;
	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms >= 0)
		snprintf(buf + n, len - n, ".%03dZ", ms);
	else
		snprintf(buf + n, len - n, "Z");
	return buf;
}

/* Levenshtein distance, case-insensitive, of words up to 63 bytes (longer
 * ones count as far apart). */
static size_t
util_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], prev, tmp;

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 1]) ? prev :
			    1 + (prev < row[j] ? (prev < row[j - 1] ? prev :
			    row[j - 1]) : (row[j] < row[j - 1] ? row[j] :
			    row[j - 1]));
			prev = tmp;
		}
	}
	return row[lb];
}

const char *
util_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bestd = 3, d, len = strlen(word);

	for (size_t i = 0; i < n; i++) {
		if (cands[i] == NULL)
			continue;
		d = util_distance(word, cands[i]);
		if (d < bestd && 2 * d < len) {
			best = cands[i];
			bestd = d;
		}
	}
	return best;
}
