/*
 * util.h: small helpers used everywhere: bounded number parsing, bounded
 * string copies, a growable byte buffer with a hard cap, escaping of
 * untrusted bytes for logs, and monotonic time.
 */
#ifndef CG_UTIL_H
#define CG_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Parse a whole decimal string into [min, max]; *errstr is NULL on success,
 * else "invalid", "too small" or "too large" (like OpenBSD strtonum). */
long long util_strtonum(const char *s, long long min, long long max,
    const char **errstr);

/* Copy with truncation; returns strlen(src) so callers detect truncation
 * with `>= size` and reject the input instead of acting on it. */
size_t util_strlcpy(char *dst, const char *src, size_t size);

/* Case-insensitive ASCII comparisons. */
int util_strcaseeq(const char *a, const char *b);
int util_strncaseeq(const char *a, const char *b, size_t n);
/* "on", "1", "true", "yes" (any case): 1; "off", "0", "false", "no": 0;
 * else -1.  The one boolean parser (settings, control requests). */
int util_parse_bool(const char *);

/* Escape untrusted bytes (non-printables as \xNN, backslash doubled) into
 * dst; always NUL-terminates, marks truncation with "...". */
void util_escape(char *dst, size_t dstlen, const void *src, size_t len);

/* Make text safe for a terminal or a log line, keeping valid UTF-8:
 * control characters (C0, DEL, C1), bidirectional overrides and bytes
 * that are not UTF-8 become \xNN or \uNNNN; with UTIL_TEXT_NEWLINES a
 * '\n' stays.  Backslashes are kept as they are.  Always NUL-terminates,
 * marks truncation with "...".  Returns the length written. */
#define UTIL_TEXT_NEWLINES	0x1
size_t util_escape_text(char *dst, size_t dstlen, const char *src,
    size_t len, unsigned flags);

/* A time (seconds since the epoch; ms 0..999 its milliseconds, -1 none)
 * as RFC 3339 in UTC, the one form of every time the daemon and
 * cellgatectl show: "2026-12-07T09:30:00Z", "2026-12-07T09:30:00.123Z".
 * Returns buf (at least UTIL_RFC3339_LEN bytes). */
#define UTIL_RFC3339_LEN	32
const char *util_rfc3339(char *buf, size_t len, long long sec, int ms);

/* The closest of n candidates to a mistyped word (case-insensitive edit
 * distance at most 2, and less than half the word), or NULL: the
 * "did you mean" of cellgatectl and the settings registry. */
const char *util_suggest(const char *word, const char *const *cands,
    size_t n);

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t util_now_ms(void);
/* The wall clock for time stamps: the system clock, except while it is
 * obviously wrong (before util_build_time(): a board without an RTC
 * before NTP) and the network gave its time (util_wall_time_hint, the
 * network's UTC now): then that time, running on. */
time_t util_wall_time(void);
void util_wall_time_hint(time_t network_now);
int util_wall_time_wrong(void);
time_t util_build_time(void);
/* util_wall_time() for a system clock reading and monotonic now (tests) */
time_t util_wall_time_from(time_t sys, uint64_t now_ms);

/* A byte buffer that grows up to `max` bytes and refuses to go past it. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 overflow;	/* set once an append was refused */
};

void buf_init(struct buf *, size_t max);
void buf_free(struct buf *);
void buf_reset(struct buf *);
int buf_add(struct buf *, const void *, size_t);
int buf_puts(struct buf *, const char *);
int buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
/* NUL-terminated view (the terminator is not counted in len). */
const char *buf_str(struct buf *);
/* Append what fits, cut at a UTF-8 boundary: 0 all of it, 1 cut. */
int buf_add_cut(struct buf *, const void *, size_t);
/* After an overflow, end the text with marker (within max): 1 if so. */
int buf_mark_cut(struct buf *, const char *marker);

#endif
