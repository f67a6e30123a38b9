/*
 * cellgatectl.c: the command-line client.  Parses the subcommand, sends
 * one request to cellgated over the control socket and prints the result
 * as text or, with --json, as the JSON the daemon returned.  Exit status:
 * 0 success, 1 failure (one line on stderr), 2 usage error.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "ctl_client.h"
#include "util.h"

#include "config.h"

#define DEFAULT_SOCKET RUNSTATEDIR "/cellgate/control.sock"

#define opt_json cli_json
static const char *opt_socket;

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: cellgatectl [-s|--socket PATH] [--json] SUBCOMMAND ...\n"
	    "  status                     daemon, modem, SMS and bridge state\n"
	    "  settings list              every setting with value and source\n"
	    "  settings get NAME          one setting (canonical name or alias)\n"
	    "  settings set NAME VALUE    change a setting (persists)\n"
	    "  settings reset NAME        back to the config file or default\n"
	    "  at 'AT+CMD...'             run one AT-form command as superadmin\n"
	    "  monitor                    print events until interrupted\n"
	    "  events [--limit N]         the latest events (default 50)\n"
	    "  reload                     re-read the config file\n"
	    "  passwd superadmin|admin    set a password (read from the terminal\n"
	    "                             or one line of standard input)\n"
	    "  modem at 'AT...'           raw command to the modem (superadmin)\n"
	    "  sms send NUMBER TEXT       queue an SMS\n"
	    "  sms list [--limit N]       the message log (in and out)\n"
	    "  sms show ID                one message with all its fields\n"
	    "  sms retry ID               run its waiting or failed hooks now\n"
	    "  phonebook list             the phonebook\n"
	    "  phonebook add [POS] NUMBER [key=value...]   store a number\n"
	    "  phonebook set POS key=value...   change an entry\n"
	    "  phonebook del POS          delete an entry\n"
	    "      keys: name, role=user|admin|superadmin,\n"
	    "      password=required|not-required,\n"
	    "      call=ignore|hangup|hangup-reply|temperature, alarm_sms=on|off, alarm_call=on|off\n"
	    "  cloud connect|disconnect   open / end an on-demand cloud session\n"
	    "  io list                    outputs, inputs, sensors: backend, state,\n"
	    "                             last change, last error\n"
	    "  io set NAME on|off         switch an output\n"
	    "  pdu decode [--no-smsc] HEX...   decode SMS PDUs (no daemon)\n"
	    "  pdu encode [--ucs2] [--class N] [--smsc N] [--status-report]\n"
	    "             [--ref N] [--deliver [--time ISO-8601]] NUMBER TEXT\n"
	    "                             encode (no daemon)\n"
	    "socket: --socket, else $CELLGATE_SOCKET, else %s\n",
	    DEFAULT_SOCKET);
}

/* What each subcommand takes, for the error a wrong use gets: its verbs
 * (NULL: none) and their arguments, as in usage(). */
static const struct {
	const char	*sub, *verb, *args;
} cli_usages[] = {
	{ "status", NULL, "" },
	{ "settings", "list", "" },
	{ "settings", "get", "NAME" },
	{ "settings", "set", "NAME VALUE" },
	{ "settings", "reset", "NAME" },
	{ "at", NULL, "'AT+CMD...'" },
	{ "monitor", NULL, "" },
	{ "events", NULL, "[--limit N]" },
	{ "reload", NULL, "" },
	{ "passwd", NULL, "superadmin|admin" },
	{ "modem", "at", "'AT...'" },
	{ "sms", "send", "NUMBER TEXT" },
	{ "sms", "list", "[--limit N]" },
	{ "sms", "show", "ID" },
	{ "sms", "retry", "ID" },
	{ "phonebook", "list", "" },
	{ "phonebook", "add", "[POS] NUMBER [key=value...]" },
	{ "phonebook", "set", "POS key=value..." },
	{ "phonebook", "del", "POS" },
	{ "cloud", "connect", "" },
	{ "cloud", "disconnect", "" },
	{ "io", "list", "" },
	{ "io", "set", "NAME on|off" },
	{ "pdu", "decode", "[--no-smsc] HEX..." },
	{ "pdu", "encode", "[options] NUMBER TEXT" },
};

/* "a, b or c" of the verbs of `sub` into buf; their count. */
static int
cli_verbs(const char *sub, const char **verbs, char *buf, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < nitems(cli_usages); i++)
		if (strcmp(cli_usages[i].sub, sub) == 0 &&
		    cli_usages[i].verb != NULL)
			verbs[n++] = cli_usages[i].verb;
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(buf);

		snprintf(buf + l, len - l, "%s%s", i == 0 ? "" : i == n - 1 ?
		    " or " : ", ", verbs[i]);
	}
	return n;
}

/* A subcommand used wrongly: what is missing or wrong, and its usage;
 * exit status 2. */
static int
cli_usage(int argc, char **argv)
{
	const char *verbs[8], *near;
	char list[128];
	int n = cli_verbs(argv[0], verbs, list, sizeof list);

	if (n > 0 && argc < 2)
		return cli_fail(2, "%s: missing verb: %s", argv[0], list);
	for (size_t i = 0; i < nitems(cli_usages); i++) {
		if (strcmp(cli_usages[i].sub, argv[0]) != 0 ||
		    (n > 0 && strcmp(cli_usages[i].verb, argv[1]) != 0))
			continue;
		return cli_fail(2, "usage: cellgatectl %s%s%s%s%s", argv[0],
		    n > 0 ? " " : "", n > 0 ? argv[1] : "",
		    *cli_usages[i].args ? " " : "", cli_usages[i].args);
	}
	if ((near = util_suggest(argv[1], verbs, (size_t)n)) != NULL)
		return cli_fail(2, "%s: unknown verb %s (did you mean %s?)",
		    argv[0], argv[1], near);
	return cli_fail(2, "%s: unknown verb %s: %s", argv[0], argv[1], list);
}

/* Text from the daemon made safe for the terminal (it may hold what a
 * stranger wrote: an SMS, a network's USSD answer); each call gets its
 * own buffer of a small ring, so several may stand in one printf. */
static const char *
term_safe(const char *s, unsigned flags)
{
	static char ring[8][4 * 16384];
	static unsigned next;
	char *b = ring[next++ % 8];

	util_escape_text(b, sizeof ring[0], s, strlen(s), flags);
	return b;
}

/* A string member as safe text (JSON output stays exact: it is JSON). */
static const char *
str_or(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	return term_safe(json_object_get_string(v), 0);
}

/* The same, keeping line breaks (replies of several lines). */
static const char *
lines_or(struct json_object *o, const char *key, const char *dflt)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return dflt;
	return term_safe(json_object_get_string(v), UTIL_TEXT_NEWLINES);
}

/* Nested objects as indented "key: value" lines. */
static void
print_tree(struct json_object *o, int depth)
{
	json_object_object_foreach(o, k, v) {
		if (v != NULL && json_object_is_type(v, json_type_object)) {
			printf("%*s%s:\n", depth * 2, "", k);
			print_tree(v, depth + 1);
		} else
			printf("%*s%s: %s\n", depth * 2, "", k, v == NULL ? "-" :
			    term_safe(json_object_get_string(v), 0));
	}
}

static void
print_setting(struct json_object *s)
{
	const char *alias = str_or(s, "alias", NULL);
	struct json_object *set;
	const char *value = str_or(s, "value", NULL);

	if (value == NULL)	/* a secret: only whether it is set */
		value = json_object_object_get_ex(s, "set", &set) &&
		    json_object_get_boolean(set) ? "(set)" : "(not set)";
	printf("%s%s%s%s = %s (%s)\n", str_or(s, "name", "?"),
	    alias ? " [AT+" : "", alias ? alias : "", alias ? "]" : "",
	    value, str_or(s, "source", "?"));
}

static int
call(int fd, const char *cmd, struct json_object *args,
    struct json_object **res)
{
	char err[512];

	if (ctl_client_call(fd, cmd, args, res, err, sizeof err) == -1)
		return cli_die("", err);
	return 0;
}

/* A request whose one argument is a command text ("at", "modem.at"). */
static int
call_command(int fd, const char *req, const char *text,
    struct json_object **res)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "command", json_object_new_string(text));
	return call(fd, req, args, res);
}

static int
cmd_status(int fd, int argc, char **argv)
{
	struct json_object *res;

	if (argc != 1)
		return cli_usage(argc, argv);
	if (call(fd, "status", NULL, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		print_tree(res, 0);
	json_object_put(res);
	return 0;
}

static int
cmd_settings(int fd, int argc, char **argv)
{
	struct json_object *args = NULL, *res;
	const char *sub = argc > 1 ? argv[1] : "";
	const char *req;
	size_t i, n;

	if (strcmp(sub, "list") == 0 && argc == 2)
		req = "settings.list";
	else if (strcmp(sub, "get") == 0 && argc == 3)
		req = "settings.get";
	else if (strcmp(sub, "set") == 0 && argc == 4)
		req = "settings.set";
	else if (strcmp(sub, "reset") == 0 && argc == 3)
		req = "settings.reset";
	else
		return cli_usage(argc, argv);
	if (argc >= 3) {
		args = json_object_new_object();
		json_object_object_add(args, "name",
		    json_object_new_string(argv[2]));
		if (argc == 4)
			json_object_object_add(args, "value",
			    json_object_new_string(argv[3]));
	}
	if (call(fd, req, args, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else if (json_object_is_type(res, json_type_array)) {
		n = json_object_array_length(res);
		for (i = 0; i < n; i++)
			print_setting(json_object_array_get_idx(res, i));
	} else {
		print_setting(res);
		if (strcmp(sub, "get") == 0)
			printf("  %s; allowed: %s; default: %s\n",
			    str_or(res, "help", ""), str_or(res, "range", ""),
			    str_or(res, "default", ""));
	}
	json_object_put(res);
	return 0;
}

static int
cmd_at(int fd, int argc, char **argv)
{
	struct json_object *res, *ok;
	int rc;

	if (argc != 2)
		return cli_usage(argc, argv);
	if (call_command(fd, "at", argv[1], &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		printf("%s\n", lines_or(res, "reply", ""));
	rc = json_object_object_get_ex(res, "ok", &ok) &&
	    json_object_get_boolean(ok) ? 0 : 1;
	json_object_put(res);
	return rc;
}

/* One logfmt value: as it is when it is a plain word, else in double
 * quotes with '"' and '\\' escaped (text from outside made safe first). */
static void
print_logfmt_value(const char *s)
{
	const char *t = term_safe(s, 0);

	if (*t != '\0' && strpbrk(t, " =\"") == NULL) {
		fputs(t, stdout);
		return;
	}
	putchar('"');
	for (; *t != '\0'; t++) {
		if (*t == '"' || *t == '\\')
			putchar('\\');
		putchar(*t);
	}
	putchar('"');
}

/* An event as one logfmt line (time=... event=... key=value ...), or
 * with --json as one JSON line. */
static void
print_event(struct json_object *ev)
{
	if (opt_json) {
		printf("%s\n", json_object_to_json_string_ext(ev,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		struct json_object *name;

		printf("time=%s event=", str_or(ev, "time", "?"));
		print_logfmt_value(json_object_object_get_ex(ev, "event",
		    &name) && name != NULL ? json_object_get_string(name) :
		    "?");
		json_object_object_foreach(ev, k, v) {
			if (strcmp(k, "time") == 0 || strcmp(k, "event") == 0)
				continue;
			printf(" %s=", k);
			if (v == NULL)
				continue;	/* "key=": no value */
			print_logfmt_value(json_object_is_type(v,
			    json_type_object) || json_object_is_type(v,
			    json_type_array) ? json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE) :
			    json_object_get_string(v));
		}
		printf("\n");
	}
	fflush(stdout);
}

static int
cmd_monitor(int fd, int argc, char **argv)
{
	struct json_object *res, *ev;
	enum ctl_type t;
	char err[512];

	if (argc != 1)
		return cli_usage(argc, argv);
	if (call(fd, "monitor", NULL, &res) != 0)
		return 1;
	json_object_put(res);
	for (;;) {
		if (ctl_client_read(fd, -1, &t, &ev, err, sizeof err) == -1)
			return cli_die("monitor", err);
		if (t == CTL_T_EVENT)
			print_event(ev);
		json_object_put(ev);
	}
}

/* events [--limit N]: the latest events, oldest first */
static int
cmd_events(int fd, int argc, char **argv)
{
	struct json_object *args = NULL, *res;
	const char *errstr;
	long long n;

	if (argc == 3 && strcmp(argv[1], "--limit") == 0) {
		n = util_strtonum(argv[2], 1, 1000, &errstr);
		if (errstr != NULL)
			return cli_die("events", "--limit is 1..1000");
		args = json_object_new_object();
		json_object_object_add(args, "limit",
		    json_object_new_int((int)n));
	} else if (argc != 1)
		return cli_usage(argc, argv);
	if (call(fd, "events", args, &res) != 0)
		return 1;
	for (size_t i = 0; i < json_object_array_length(res); i++)
		print_event(json_object_array_get_idx(res, i));
	json_object_put(res);
	return 0;
}

static int
cmd_reload(int fd, int argc, char **argv)
{
	struct json_object *res;

	if (argc != 1)
		return cli_usage(argc, argv);
	if (call(fd, "reload", NULL, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		printf("configuration reloaded\n");
	json_object_put(res);
	return 0;
}

/* The new password from the terminal (twice, no echo) or one stdin line. */
static int
read_password(char *pw, size_t len)
{
	char again[256];
	struct termios t, quiet;
	int tty = isatty(STDIN_FILENO);
	size_t n;

	for (int round = 0; round < (tty ? 2 : 1); round++) {
		char *dst = round == 0 ? pw : again;
		size_t dlen = round == 0 ? len : sizeof again;

		if (tty) {
			fprintf(stderr, round == 0 ? "New password: " :
			    "Repeat it: ");
			tcgetattr(STDIN_FILENO, &t);
			quiet = t;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		}
		if (fgets(dst, (int)dlen, stdin) == NULL)
			dst[0] = '\0';
		if (tty) {
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
			fprintf(stderr, "\n");
		}
		n = strlen(dst);
		if (n > 0 && dst[n - 1] == '\n')
			dst[--n] = '\0';
		else if (n + 1 >= dlen)
			return cli_die("passwd", "password too long");
	}
	if (tty && strcmp(pw, again) != 0)
		return cli_die("passwd", "the passwords differ");
	explicit_bzero(again, sizeof again);
	if (pw[0] == '\0')
		return cli_die("passwd", "empty password");
	return 0;
}

static int
cmd_passwd(int fd, int argc, char **argv)
{
	struct json_object *args, *res;
	char pw[256];

	if (argc != 2 || (strcmp(argv[1], "superadmin") != 0 &&
	    strcmp(argv[1], "admin") != 0))
		return cli_usage(argc, argv);
	if (read_password(pw, sizeof pw) != 0)
		return 1;
	args = json_object_new_object();
	json_object_object_add(args, "role", json_object_new_string(argv[1]));
	json_object_object_add(args, "password", json_object_new_string(pw));
	explicit_bzero(pw, sizeof pw);
	if (call(fd, "passwd", args, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		printf("%s password changed\n", argv[1]);
	json_object_put(res);
	return 0;
}

static void
print_entry(struct json_object *e)
{
	struct json_object *v;

	printf("%s: %s", str_or(e, "pos", "?"), str_or(e, "number", "?"));
	if (*str_or(e, "name", ""))
		printf(" (%s)", str_or(e, "name", ""));
	printf(" role=%s password=%s call=%s alarm_sms=%s alarm_call=%s\n",
	    str_or(e, "role", "?"),
	    json_object_object_get_ex(e, "require_password", &v) &&
	    json_object_get_boolean(v) ? "required" : "not-required",
	    str_or(e, "call", "?"),
	    json_object_object_get_ex(e, "alarm_sms", &v) &&
	    json_object_get_boolean(v) ? "on" : "off",
	    json_object_object_get_ex(e, "alarm_call", &v) &&
	    json_object_get_boolean(v) ? "on" : "off");
}

/* phonebook list | add [POS] NUMBER [key=value...] | set POS key=value... |
 * del POS */
static int
cmd_phonebook(int fd, int argc, char **argv)
{
	struct json_object *args, *res;
	const char *sub = argc > 1 ? argv[1] : "", *err;
	char req[32];

	switch (cli_phonebook_args(argc, argv, &args, &err)) {
	case 0:
		break;
	case 2:
		return cli_usage(argc, argv);
	default:
		return cli_die("phonebook", err);
	}
	snprintf(req, sizeof req, "phonebook.%s", sub);
	if (call(fd, req, args, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else if (json_object_is_type(res, json_type_array))
		for (size_t k = 0; k < json_object_array_length(res); k++)
			print_entry(json_object_array_get_idx(res, k));
	else
		print_entry(res);
	json_object_put(res);
	return 0;
}

/* "hook received: pending, 2 tries, exit 3, next try 2026-...Z" */
static void
print_hooks(struct json_object *hooks)
{
	for (size_t i = 0; i < json_object_array_length(hooks); i++) {
		struct json_object *h = json_object_array_get_idx(hooks, i);

		printf("hook %s: %s, %s tries", str_or(h, "event", "?"),
		    str_or(h, "state", "?"), str_or(h, "tries", "0"));
		if (*str_or(h, "result", "") != '\0')
			printf(", %s", term_safe(str_or(h, "result", ""), 0));
		if (*str_or(h, "next_try", "") != '\0')
			printf(", next try %s", str_or(h, "next_try", ""));
		printf(" (%s)\n", str_or(h, "updated", "?"));
	}
}

static void
print_sms(struct json_object *m, int full)
{
	if (!full) {
		struct json_object *t;
		const char *text = json_object_object_get_ex(m, "text", &t) &&
		    t != NULL ? json_object_get_string(t) : "(data)";
		char first[4 * 60 + 4];
		size_t n = strcspn(text, "\n");

		/* the first line, at most 60 bytes, cut between characters */
		if (n > 60)
			for (n = 60; n > 0 && ((unsigned char)text[n] & 0xc0) ==
			    0x80; n--)
				;
		util_escape_text(first, sizeof first, text, n, 0);
		printf("%s %s %-3s %-16s %-9s %s%s\n", str_or(m, "id", "?"),
		    str_or(m, "time", "?"), str_or(m, "direction", "?"),
		    str_or(m, "number", "?"), str_or(m, "status", "?"),
		    first, n < strlen(text) ? "..." : "");
		return;
	}
	json_object_object_foreach(m, k, v) {
		if (v != NULL && strcmp(k, "hooks") == 0)
			print_hooks(v);
		else if (v != NULL)
			printf("%s: %s\n", k,
			    term_safe(json_object_get_string(v), 0));
	}
}

/* sms.list page after page (each fits a control frame), older ones
 * first in *res, until args' limit (else 50) or the oldest message. */
static int
sms_list_pages(int fd, struct json_object *args, struct json_object **res)
{
	struct json_object *v, *page, *all = json_object_new_array();
	long long want = 50, before = 0;
	size_t n;

	if (json_object_object_get_ex(args, "limit", &v))
		want = json_object_get_int64(v);
	json_object_put(args);
	while (want > 0) {
		args = json_object_new_object();
		json_object_object_add(args, "limit",
		    json_object_new_int((int)want));
		if (before > 0)
			json_object_object_add(args, "before",
			    json_object_new_int64(before));
		if (call(fd, "sms.list", args, &page) != 0) {
			json_object_put(all);
			return 1;
		}
		if (!json_object_is_type(page, json_type_array) ||
		    (n = json_object_array_length(page)) == 0) {
			json_object_put(page);
			break;
		}
		/* this page is older than what came before it */
		for (size_t i = 0; i < json_object_array_length(all); i++)
			json_object_array_add(page, json_object_get(
			    json_object_array_get_idx(all, i)));
		json_object_put(all);
		all = page;
		want -= (long long)n;
		before = json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(page, 0), "id"));
		if (before <= 1)
			break;
	}
	*res = all;
	return 0;
}

/* sms send NUMBER TEXT | list [--limit N] | show ID | retry ID */
static int
cmd_sms(int fd, int argc, char **argv)
{
	struct json_object *args = json_object_new_object(), *res;
	const char *sub = argc > 1 ? argv[1] : "", *errstr;
	char req[16];
	long long n;

	if (strcmp(sub, "send") == 0 && argc == 4) {
		json_object_object_add(args, "number",
		    json_object_new_string(argv[2]));
		json_object_object_add(args, "text",
		    json_object_new_string(argv[3]));
	} else if (strcmp(sub, "list") == 0 && (argc == 2 || (argc == 4 &&
	    strcmp(argv[2], "--limit") == 0))) {
		if (argc == 4) {
			n = util_strtonum(argv[3], 1, 10000, &errstr);
			if (errstr != NULL) {
				json_object_put(args);
				return cli_die("sms list", "--limit is 1..10000");
			}
			json_object_object_add(args, "limit",
			    json_object_new_int((int)n));
		}
	} else if ((strcmp(sub, "show") == 0 || strcmp(sub, "retry") == 0) &&
	    argc == 3) {
		n = util_strtonum(argv[2], 1, INT64_MAX, &errstr);
		if (errstr != NULL) {
			json_object_put(args);
			return cli_die(strcmp(sub, "show") == 0 ? "sms show" :
			    "sms retry", "ID is a message number");
		}
		json_object_object_add(args, "id", json_object_new_int64(n));
	} else {
		json_object_put(args);
		return cli_usage(argc, argv);
	}
	snprintf(req, sizeof req, "sms.%s", sub);
	if (strcmp(sub, "list") == 0) {
		if (sms_list_pages(fd, args, &res) != 0)
			return 1;
	} else if (call(fd, req, args, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else if (json_object_is_type(res, json_type_array))
		for (size_t k = 0; k < json_object_array_length(res); k++)
			print_sms(json_object_array_get_idx(res, k), 0);
	else
		print_sms(res, strcmp(sub, "send") != 0);
	json_object_put(res);
	return 0;
}

/* One io item: "relay1  output file  on  (changed 1700000000)". */
static void
print_io_item(struct json_object *it)
{
	struct json_object *v;
	const char *err = str_or(it, "error", "");

	printf("%-12s %-6s %-7s %-8s", str_or(it, "name", "?"),
	    str_or(it, "kind", "?"), str_or(it, "backend", "?"),
	    str_or(it, "state", "?"));
	if (strcmp(str_or(it, "kind", ""), "sensor") == 0 &&
	    json_object_object_get_ex(it, "value", &v) && v != NULL)
		printf(" %.2f C", json_object_get_double(v));
	if (json_object_object_get_ex(it, "last_change", &v) && v != NULL)
		printf(" changed %s", str_or(it, "last_change", "?"));
	if (*err != '\0')
		printf(" error: %s", err);
	printf("\n");
}

/* io list | io set NAME on|off */
static int
cmd_io(int fd, int argc, char **argv)
{
	struct json_object *args = NULL, *res, *items;
	const char *sub = argc > 1 ? argv[1] : "list";

	if (strcmp(sub, "set") == 0 && argc == 4) {
		if (strcmp(argv[3], "on") != 0 && strcmp(argv[3], "off") != 0)
			return cli_die("io set", "the value is on or off");
		args = json_object_new_object();
		json_object_object_add(args, "name",
		    json_object_new_string(argv[2]));
		json_object_object_add(args, "value",
		    json_object_new_string(argv[3]));
	} else if (strcmp(sub, "list") != 0 || argc > 2)
		return cli_usage(argc, argv);
	if (call(fd, args != NULL ? "io.set" : "io.list", args, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else if (args != NULL)
		print_io_item(res);
	else {
		if (json_object_object_get_ex(res, "items", &items))
			for (size_t k = 0; k < json_object_array_length(items);
			    k++)
				print_io_item(json_object_array_get_idx(items,
				    k));
		printf("thermostat: mode %s, setpoint %s, %s\n",
		    str_or(res, "mode", "?"), str_or(res, "setpoint", "?"),
		    str_or(res, "temp", "no sensor"));
	}
	json_object_put(res);
	return 0;
}

static int
cmd_modem(int fd, int argc, char **argv)
{
	struct json_object *res;

	if (argc != 3 || strcmp(argv[1], "at") != 0)
		return cli_usage(argc, argv);
	if (call_command(fd, "modem.at", argv[2], &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		printf("%s\n", lines_or(res, "response", ""));
	json_object_put(res);
	return 0;
}

static int
cmd_cloud(int fd, int argc, char **argv)
{
	struct json_object *res;
	const char *req;

	if (argc == 2 && strcmp(argv[1], "connect") == 0)
		req = "cloud.connect";
	else if (argc == 2 && strcmp(argv[1], "disconnect") == 0)
		req = "cloud.disconnect";
	else
		return cli_usage(argc, argv);
	if (call(fd, req, NULL, &res) != 0)
		return 1;
	if (opt_json)
		cli_print_json(res);
	else
		print_tree(res, 0);
	json_object_put(res);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(int, int, char **);
} subcommands[] = {
	{ "status", cmd_status },
	{ "settings", cmd_settings },
	{ "at", cmd_at },
	{ "monitor", cmd_monitor },
	{ "events", cmd_events },
	{ "reload", cmd_reload },
	{ "passwd", cmd_passwd },
	{ "modem", cmd_modem },
	{ "phonebook", cmd_phonebook },
	{ "sms", cmd_sms },
	{ "io", cmd_io },
	{ "cloud", cmd_cloud },
};

/* --json is taken before or after the subcommand (up to a "--", which
 * is dropped unless the offline pdu helpers, which parse their own
 * options, follow); the arguments left, their count. */
static int
cli_take_json(int argc, char **argv)
{
	int n = 0, end = 0;

	for (int i = 0; i < argc; i++) {
		if (!end && strcmp(argv[i], "--json") == 0) {
			opt_json = 1;
			continue;
		}
		if (!end && strcmp(argv[i], "--") == 0) {
			end = 1;
			if (n > 0 && strcmp(argv[0], "pdu") != 0)
				continue;
		}
		argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *names[nitems(subcommands) + 1], *near;
	char err[512];
	int ch, fd, rc;

	opterr = 0;	/* ours says it, in JSON with --json */
	opt_socket = getenv("CELLGATE_SOCKET");
	if (opt_socket == NULL || *opt_socket == '\0')
		opt_socket = DEFAULT_SOCKET;
	while ((ch = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			opt_socket = optarg;
			break;
		case 'j':
			opt_json = 1;
			break;
		case 'V':
			printf("cellgatectl %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return cli_fail(2, "unknown option (see cellgatectl "
			    "--help)");
		}
	}
	argc -= optind;
	argv += optind;
	argc = cli_take_json(argc, argv);
	if (argc < 1) {
		if (opt_json)
			return cli_fail(2, "missing subcommand (see "
			    "cellgatectl --help)");
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[0], "pdu") == 0)	/* offline: no daemon */
		return cellgatectl_pdu_main(argc, argv);
	for (size_t i = 0; i < nitems(subcommands); i++) {
		if (strcmp(argv[0], subcommands[i].name) != 0)
			continue;
		if ((fd = ctl_client_connect(opt_socket, err, sizeof err)) == -1)
			return cli_die("", err);
		rc = subcommands[i].fn(fd, argc, argv);
		close(fd);
		return rc;
	}
	for (size_t i = 0; i < nitems(subcommands); i++)
		names[i] = subcommands[i].name;
	names[nitems(subcommands)] = "pdu";
	if ((near = util_suggest(argv[0], names, nitems(names))) != NULL)
		return cli_fail(2, "unknown subcommand %s (did you mean %s?)",
		    argv[0], near);
	return cli_fail(2, "unknown subcommand %s (see cellgatectl --help)",
	    argv[0]);
}
