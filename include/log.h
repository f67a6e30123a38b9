/*
 * log.h: the daemon's log: stderr in the foreground, syslog (the journal)
 * otherwise; four levels; a hook so the control socket's monitor stream
 * sees log lines too.  Untrusted bytes must go through util_escape() or
 * log_escaped() before they reach a format string's arguments.
 */
#ifndef CG_LOG_H
#define CG_LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
	LOG_LVL_MAX
};

void log_init(const char *ident, int foreground);
void log_set_level(enum log_level);
int log_level_parse(const char *, enum log_level *);
const char *log_level_name(enum log_level);
void log_set_hook(void (*)(enum log_level, const char *));

void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
