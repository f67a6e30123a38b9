/*
 * sms_hook.c: the programs run for messages (sms.on_receive, sms.on_send;
 * smstools3's eventhandler, gammu-smsd's RunOnReceive).  Each event is a
 * row of sms_hooks, added in the transaction that gives the message its
 * status, so none is lost and none is added twice; the rows run one at a
 * time, oldest first, through the spawn module (no shell), with a clean
 * environment and the log's text (an incoming message's redacted since
 * its receipt) on standard input; what it writes on standard error is
 * logged escaped, line by line, up to SMS_HOOK_STDERR_MAX bytes a run.  Exit 0 marks
 * the row done; a failure or a timeout is tried again after 1 min,
 * doubling to 1 h, 10 tries at most; a row that was running when the
 * daemon stopped runs again at the next start.  A later row waits for
 * the one before it: the program sees the messages in their order.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* explicit_bzero */
#endif
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "gsm7.h"
#include "log.h"
#include "settings.h"
#include "spawn.h"
#include "store.h"
#include "util.h"

#include "sms_int.h"

#define SMS_HOOK_TRIES		10
#define SMS_HOOK_BACKOFF_S	60
#define SMS_HOOK_BACKOFF_MAX_S	3600
#define SMS_HOOK_STDERR_MAX	4096
#define SMS_HOOK_LINE_MAX	200

static struct event_base *sms_hook_base;
static struct event *sms_hook_ev;		/* the next row's turn */
static struct event *sms_hook_timeout_ev;	/* the running one's end */
static struct event *sms_hook_write_ev;		/* its standard input */
static struct event *sms_hook_read_ev;		/* its standard error */
static int sms_hook_on;

/* The row running now (pid 0: none). */
static struct {
	pid_t		 pid;
	long long	 row;
	int		 tries;
	int		 timed_out;
	int		 infd, errfd;
	char		*input;
	size_t		 len, off;
	const char	*what;		/* the setting, for the log */
	char		 line[SMS_HOOK_LINE_MAX + 1];
	size_t		 linelen, logged, dropped;
} sms_hook_cur = { .infd = -1, .errfd = -1 };

int
sms_hook_check_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc > 0 ? argv[0] : "";
	struct stat sb;

	if (argc > 1 || strchr(v, ' ') != NULL) {
		snprintf(err, errlen, "one program path, no arguments");
		return -1;
	}
	if (*v == '\0')
		return util_strlcpy(out, "", outlen), 0;
	if (*v != '/') {
		snprintf(err, errlen, "%s is not an absolute path", v);
		return -1;
	}
	if (spawn_check_setting(1, (char **)&v, out, outlen, err, errlen) ==
	    -1)
		return -1;
	if (stat(v, &sb) == -1) {
		snprintf(err, errlen, "%s: %s", v, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || access(v, X_OK) == -1) {
		snprintf(err, errlen, "%s is not an executable file", v);
		return -1;
	}
	return 0;
}

/* The setting that names the program for an event. */
static const struct setting_def *
sms_hook_setting(const char *event)
{
	return strcmp(event, "received") == 0 ? sms_set.on_receive :
	    sms_set.on_send;
}

void
sms_hook_add(long long sms_id, const char *event)
{
	if (*settings_value(sms_hook_setting(event)) == '\0')
		return;
	if (store_done(store_stmt("INSERT OR IGNORE INTO sms_hooks(sms_id, "
	    "event, updated) VALUES (?1, ?2, ?3)", "iti", sms_id, event,
	    (long long)time(NULL))) == -1)
		log_warnx("sms: hook for message %lld not queued: %s", sms_id,
		    store_errmsg());
	else if (sms_hook_ev != NULL)
		event_active(sms_hook_ev, EV_TIMEOUT, 0);
}

/* Record how row `row` ended: state, next try, result. */
static void
sms_hook_set(long long row, const char *state, long long next_try,
    const char *result)
{
	if (store_done(store_stmt("UPDATE sms_hooks SET state = ?2, next_try "
	    "= ?3, result = ?4, updated = ?5 WHERE id = ?1", "ititi", row,
	    state, next_try, result, (long long)time(NULL))) == -1)
		log_warnx("sms: hook %lld: state %s not saved: %s", row, state,
		    store_errmsg());
}

static void
sms_hook_close_input(void)
{
	if (sms_hook_write_ev != NULL) {
		event_free(sms_hook_write_ev);
		sms_hook_write_ev = NULL;
	}
	if (sms_hook_cur.infd != -1) {
		close(sms_hook_cur.infd);
		sms_hook_cur.infd = -1;
	}
	if (sms_hook_cur.input != NULL) {
		explicit_bzero(sms_hook_cur.input, sms_hook_cur.len);
		free(sms_hook_cur.input);
		sms_hook_cur.input = NULL;
	}
}

/* One line of the program's standard error into the log, escaped (it
 * may repeat the text of an SMS). */
static void
sms_hook_log_line(void)
{
	char esc[4 * SMS_HOOK_LINE_MAX + 8];

	if (sms_hook_cur.linelen == 0)
		return;
	if (sms_hook_cur.logged < SMS_HOOK_STDERR_MAX) {
		util_escape(esc, sizeof esc, sms_hook_cur.line,
		    sms_hook_cur.linelen);
		log_info("%s: %s", sms_hook_cur.what, esc);
		sms_hook_cur.logged += sms_hook_cur.linelen;
	} else
		sms_hook_cur.dropped += sms_hook_cur.linelen;
	sms_hook_cur.linelen = 0;
}

/* Done with its standard error: the last line, what was not logged. */
static void
sms_hook_close_err(void)
{
	if (sms_hook_read_ev == NULL)
		return;
	sms_hook_log_line();
	if (sms_hook_cur.dropped > 0)
		log_info("%s: %zu more bytes on standard error not logged",
		    sms_hook_cur.what, sms_hook_cur.dropped);
	event_free(sms_hook_read_ev);
	sms_hook_read_ev = NULL;
	close(sms_hook_cur.errfd);
	sms_hook_cur.errfd = -1;
}

/* Its standard error: read what is there; at its end, the last line and
 * what was not logged. */
static void
sms_hook_read_cb(evutil_socket_t fd, short what, void *arg)
{
	char chunk[512];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (chunk[i] == '\n' ||
			    sms_hook_cur.linelen == SMS_HOOK_LINE_MAX)
				sms_hook_log_line();
			if (chunk[i] != '\n')
				sms_hook_cur.line[sms_hook_cur.linelen++] =
				    chunk[i];
		}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	sms_hook_close_err();
}

static void
sms_hook_write_cb(evutil_socket_t fd, short what, void *arg)
{
	ssize_t n;

	while (sms_hook_cur.off < sms_hook_cur.len) {
		n = write(fd, sms_hook_cur.input + sms_hook_cur.off,
		    sms_hook_cur.len - sms_hook_cur.off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;		/* when the pipe has room */
		if (n == -1)
			break;		/* it did not read it all: its call */
		sms_hook_cur.off += (size_t)n;
	}
	sms_hook_close_input();
}

static void
sms_hook_done(pid_t pid, int status, void *arg)
{
	char result[96];
	long long delay;

	event_del(sms_hook_timeout_ev);
	sms_hook_close_input();
	/* what is left (a program it started may keep the pipe open: the
	 * run is over all the same) */
	if (sms_hook_read_ev != NULL)
		sms_hook_read_cb(sms_hook_cur.errfd, EV_READ, NULL);
	sms_hook_close_err();
	sms_hook_cur.pid = 0;
	if (status == 0) {
		sms_hook_set(sms_hook_cur.row, "done", 0, "exit 0");
		log_info("sms: hook %lld done", sms_hook_cur.row);
	} else {
		if (sms_hook_cur.timed_out)
			snprintf(result, sizeof result, "killed after %lld s "
			    "(sms.hook_timeout)",
			    settings_int(sms_set.hook_timeout));
		else if (status > 128)
			snprintf(result, sizeof result, "killed by signal %d",
			    status - 128);
		else if (status == 127)
			snprintf(result, sizeof result, "exit 127 (could not "
			    "be run?)");
		else
			snprintf(result, sizeof result, "exit %d", status);
		if (sms_hook_cur.tries >= SMS_HOOK_TRIES) {
			sms_hook_set(sms_hook_cur.row, "failed", 0, result);
			log_warnx("sms: hook %lld: %s; given up after %d "
			    "tries", sms_hook_cur.row, result,
			    sms_hook_cur.tries);
		} else {
			delay = (long long)SMS_HOOK_BACKOFF_S <<
			    (sms_hook_cur.tries - 1);
			if (delay > SMS_HOOK_BACKOFF_MAX_S)
				delay = SMS_HOOK_BACKOFF_MAX_S;
			sms_hook_set(sms_hook_cur.row, "pending",
			    (long long)time(NULL) + delay, result);
			log_warnx("sms: hook %lld: %s; tried again in %lld s",
			    sms_hook_cur.row, result, delay);
		}
	}
	event_active(sms_hook_ev, EV_TIMEOUT, 0);
}

static void
sms_hook_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	if (sms_hook_cur.pid == 0)
		return;
	log_warnx("sms: hook %lld still running after %lld s: killed",
	    sms_hook_cur.row, settings_int(sms_set.hook_timeout));
	sms_hook_cur.timed_out = 1;
	spawn_kill(sms_hook_cur.pid);
}

/* UTC time in RFC 3339. */
static void
sms_hook_time(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The coding a message went out in: "auto" is GSM 7-bit when every
 * character has a septet, else UCS-2 (as the encoder decides). */
static const char *
sms_hook_coding(const char *coding, const char *text)
{
	size_t pos = 0, len;
	uint32_t cp;
	uint8_t sep[2];

	if (strcmp(coding, "auto") != 0 || text == NULL)
		return coding;
	len = strlen(text);
	while (pos < len)
		if (ucs2_utf8_next(text, len, &pos, &cp) == -1 ||
		    gsm7_encode_char(cp, sep) == 0)
			return "ucs2";
	return "gsm7";
}

/* Start the program for row `row` (the message's fields read now):
 * 0 started, -1 not (result says why), -2 the message is gone. */
static int
sms_hook_spawn(long long row, long long sms_id, const char *event,
    char *result, size_t rlen)
{
	char e_event[32], e_id[40], e_number[80], e_time[64], e_coding[40],
	    when[32];
	const char *argv[2], *envp[6], *text, *hex;
	struct buf in;
	sqlite3_stmt *st;
	pid_t pid;

	st = store_stmt("SELECT number, text, data_hex, coding, CASE direction "
	    "WHEN 'in' THEN time ELSE updated END FROM sms WHERE id = ?1",
	    "i", sms_id);
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		snprintf(result, rlen, "message %lld not found", sms_id);
		return -2;
	}
	snprintf(e_event, sizeof e_event, "CELLGATE_EVENT=%s", event);
	snprintf(e_id, sizeof e_id, "CELLGATE_SMS_ID=%lld", sms_id);
	snprintf(e_number, sizeof e_number, "CELLGATE_SMS_NUMBER=%s",
	    (const char *)sqlite3_column_text(st, 0));
	sms_hook_time(sqlite3_column_int64(st, 4), when, sizeof when);
	snprintf(e_time, sizeof e_time, "CELLGATE_SMS_TIME=%s", when);
	text = (const char *)sqlite3_column_text(st, 1);
	hex = (const char *)sqlite3_column_text(st, 2);
	snprintf(e_coding, sizeof e_coding, "CELLGATE_SMS_CODING=%s",
	    sms_hook_coding((const char *)sqlite3_column_text(st, 3), text));
	/* the log's text, a data message as its hex */
	buf_init(&in, 4 * (SMS_TEXT_MAX + 16));
	if (text != NULL)
		buf_puts(&in, text);
	else if (hex != NULL)
		buf_puts(&in, hex);
	sqlite3_finalize(st);

	argv[0] = settings_value(sms_hook_setting(event));
	argv[1] = NULL;
	envp[0] = e_event;
	envp[1] = e_id;
	envp[2] = e_number;
	envp[3] = e_time;
	envp[4] = e_coding;
	envp[5] = NULL;
	sms_hook_cur.what = strcmp(event, "received") == 0 ?
	    "sms.on_receive" : "sms.on_send";
	sms_hook_cur.linelen = sms_hook_cur.logged = sms_hook_cur.dropped = 0;
	pid = spawn_argv_env(argv, envp, sms_hook_cur.what, &sms_hook_cur.infd,
	    &sms_hook_cur.errfd, sms_hook_done, NULL, result, rlen);
	if (pid == -1) {
		buf_free(&in);
		return -1;
	}
	sms_hook_cur.pid = pid;
	sms_hook_cur.len = in.len;
	sms_hook_cur.off = 0;
	sms_hook_cur.input = malloc(in.len + 1);
	if (sms_hook_cur.input == NULL)
		fatal("malloc");
	memcpy(sms_hook_cur.input, buf_str(&in), in.len);
	explicit_bzero(in.data, in.len);
	buf_free(&in);
	sms_hook_write_ev = event_new(sms_hook_base, sms_hook_cur.infd,
	    EV_WRITE | EV_PERSIST, sms_hook_write_cb, NULL);
	event_add(sms_hook_write_ev, NULL);
	sms_hook_read_ev = event_new(sms_hook_base, sms_hook_cur.errfd,
	    EV_READ | EV_PERSIST, sms_hook_read_cb, NULL);
	event_add(sms_hook_read_ev, NULL);
	return 0;
}

/* The oldest pending row: run it when its time has come. */
static void
sms_hook_next_cb(evutil_socket_t fd, short what, void *arg)
{
	long long row, sms_id, next_try, now = time(NULL);
	char event[16], result[160];
	struct timeval tv = { 0, 0 };
	sqlite3_stmt *st;
	int tries;

	if (!sms_hook_on || sms_hook_cur.pid != 0)
		return;
	st = store_stmt("SELECT id, sms_id, event, tries, next_try FROM "
	    "sms_hooks WHERE state = 'pending' ORDER BY id LIMIT 1", "");
	if (st == NULL || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return;
	}
	row = sqlite3_column_int64(st, 0);
	sms_id = sqlite3_column_int64(st, 1);
	util_strlcpy(event, (const char *)sqlite3_column_text(st, 2),
	    sizeof event);
	tries = sqlite3_column_int(st, 3);
	next_try = sqlite3_column_int64(st, 4);
	sqlite3_finalize(st);
	if (next_try > now) {
		tv.tv_sec = (time_t)(next_try - now);
		event_add(sms_hook_ev, &tv);
		return;
	}
	if (*settings_value(sms_hook_setting(event)) == '\0') {
		sms_hook_set(row, "skipped", 0, strcmp(event, "received") ==
		    0 ? "sms.on_receive is empty" : "sms.on_send is empty");
		event_active(sms_hook_ev, EV_TIMEOUT, 0);
		return;
	}
	/* counted before it runs: a stop while it runs is a try */
	if (store_done(store_stmt("UPDATE sms_hooks SET state = 'running', "
	    "tries = tries + 1, updated = ?2 WHERE id = ?1", "ii", row,
	    now)) == -1) {
		log_warnx("sms: hook %lld not started: %s", row,
		    store_errmsg());
		tv.tv_sec = SMS_HOOK_BACKOFF_S;
		event_add(sms_hook_ev, &tv);
		return;
	}
	sms_hook_cur.row = row;
	sms_hook_cur.tries = tries + 1;
	sms_hook_cur.timed_out = 0;
	switch (sms_hook_spawn(row, sms_id, event, result, sizeof result)) {
	case -2:	/* nothing to run it for, ever: not tried again */
		log_warnx("sms: hook %lld: %s", row, result);
		sms_hook_set(row, "failed", 0, result);
		event_active(sms_hook_ev, EV_TIMEOUT, 0);
		return;
	case -1:
		log_warnx("sms: hook %lld: %s", row, result);
		sms_hook_done(0, 126, NULL);
		return;
	}
	tv.tv_sec = (time_t)settings_int(sms_set.hook_timeout);
	event_add(sms_hook_timeout_ev, &tv);
}

int
sms_hook_retry(long long sms_id)
{
	int n;

	if (store_done(store_stmt("UPDATE sms_hooks SET next_try = 0, tries "
	    "= CASE state WHEN 'failed' THEN 0 ELSE tries END, state = "
	    "'pending' WHERE sms_id = ?1 AND state IN ('pending', 'failed')",
	    "i", sms_id)) == -1)
		return -1;
	if ((n = sqlite3_changes(store_db())) > 0 && sms_hook_ev != NULL)
		event_active(sms_hook_ev, EV_TIMEOUT, 0);
	return n;
}

struct json_object *
sms_hook_json(long long sms_id)
{
	struct json_object *a = json_object_new_array(), *o;
	sqlite3_stmt *st = store_stmt("SELECT event, state, tries, next_try, "
	    "result, updated FROM sms_hooks WHERE sms_id = ?1 ORDER BY id",
	    "i", sms_id);
	char when[32];

	while (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		o = json_object_new_object();
		json_object_object_add(o, "event", json_object_new_string(
		    (const char *)sqlite3_column_text(st, 0)));
		json_object_object_add(o, "state", json_object_new_string(
		    (const char *)sqlite3_column_text(st, 1)));
		json_object_object_add(o, "tries",
		    json_object_new_int(sqlite3_column_int(st, 2)));
		if (strcmp((const char *)sqlite3_column_text(st, 1),
		    "pending") == 0 && sqlite3_column_int64(st, 3) > 0) {
			sms_hook_time(sqlite3_column_int64(st, 3), when,
			    sizeof when);
			json_object_object_add(o, "next_try",
			    json_object_new_string(when));
		}
		if (sqlite3_column_type(st, 4) != SQLITE_NULL)
			json_object_object_add(o, "result",
			    json_object_new_string((const char *)
			    sqlite3_column_text(st, 4)));
		sms_hook_time(sqlite3_column_int64(st, 5), when, sizeof when);
		json_object_object_add(o, "updated",
		    json_object_new_string(when));
		json_object_array_add(a, o);
	}
	sqlite3_finalize(st);
	return a;
}

void
sms_hook_start(struct event_base *base)
{
	sms_hook_base = base;
	sms_hook_on = 1;
	sms_hook_ev = evtimer_new(base, sms_hook_next_cb, NULL);
	sms_hook_timeout_ev = evtimer_new(base, sms_hook_timeout_cb, NULL);
	/* a program that ran when the daemon stopped runs again now */
	if (store_done(store_stmt("UPDATE sms_hooks SET state = 'pending', "
	    "next_try = 0, result = 'the daemon stopped while it ran' WHERE "
	    "state = 'running'", "")) == -1)
		log_warnx("sms: hooks: %s", store_errmsg());
	else if (sqlite3_changes(store_db()) > 0)
		log_info("sms: a hook was running when the daemon stopped: "
		    "it runs again");
	event_active(sms_hook_ev, EV_TIMEOUT, 0);
}

void
sms_hook_stop(void)
{
	sms_hook_on = 0;
	if (sms_hook_cur.pid != 0) {
		/* its row stays "running": it runs again at the next start */
		spawn_forget(sms_hook_cur.pid);
		spawn_kill(sms_hook_cur.pid);
		sms_hook_cur.pid = 0;
	}
	sms_hook_close_input();
	sms_hook_close_err();
	if (sms_hook_ev != NULL) {
		event_free(sms_hook_ev);
		sms_hook_ev = NULL;
	}
	if (sms_hook_timeout_ev != NULL) {
		event_free(sms_hook_timeout_ev);
		sms_hook_timeout_ev = NULL;
	}
}
