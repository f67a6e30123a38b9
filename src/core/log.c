/*
 * log.c: levelled logging to stderr (foreground) or syslog, with an
 * optional hook that forwards each formatted line (the monitor stream).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"
#include "util.h"

static int log_foreground = 1;
static enum log_level log_level = LOG_LVL_INFO;
static void (*log_hook)(enum log_level, const char *);
static int log_in_hook;

static const char *const log_names[LOG_LVL_MAX] = {
	"error", "warning", "info", "debug"
};
static const int log_prio[LOG_LVL_MAX] = {
	LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG
};

void
log_init(const char *ident, int foreground)
{
	log_foreground = foreground;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level l)
{
	if (l < LOG_LVL_MAX)
		log_level = l;
}

const char *
log_level_name(enum log_level l)
{
	return l < LOG_LVL_MAX ? log_names[l] : "?";
}

int
log_level_parse(const char *s, enum log_level *out)
{
	for (int i = 0; i < LOG_LVL_MAX; i++) {
		if (util_strcaseeq(s, log_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (util_strcaseeq(s, "warn")) {
		*out = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

void
log_set_hook(void (*hook)(enum log_level, const char *))
{
	log_hook = hook;
}

static void
log_vwrite(enum log_level l, int with_errno, const char *fmt, va_list ap)
{
	char line[1024], safe[2048];
	int saved = errno, n;

	if (l > log_level)
		return;
	n = vsnprintf(line, sizeof line, fmt, ap);
	if (n < 0)
		return;
	if (with_errno && (size_t)n < sizeof line)
		snprintf(line + n, sizeof line - (size_t)n, ": %s",
		    strerror(saved));
	/* whatever a field held (a sender's name, a network's text), no
	 * line can forge another line or reach a terminal's controls */
	util_escape_text(safe, sizeof safe, line, strlen(line), 0);
	if (log_foreground) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_names[l], safe);
	} else
		syslog(log_prio[l], "%s", safe);
	if (log_hook != NULL && !log_in_hook) {
		log_in_hook = 1;
		log_hook(l, safe);
		log_in_hook = 0;
	}
	errno = saved;
}

#define LOG_FN(name, lvl, err)				\
void							\
name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite(lvl, err, fmt, ap);			\
	va_end(ap);					\
}
LOG_FN(log_error, LOG_LVL_ERROR, 0)
LOG_FN(log_warn, LOG_LVL_WARN, 1)
LOG_FN(log_warnx, LOG_LVL_WARN, 0)
LOG_FN(log_info, LOG_LVL_INFO, 0)
LOG_FN(log_debug, LOG_LVL_DEBUG, 0)

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERROR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
