/*
 * test_settings.c: the settings registry and the command registry against
 * a real SQLite store in a scratch directory: checking and canonical
 * values, sources (default < config < runtime), persistence across a
 * reopen, user defaults and factory reset, AT-form queries, sets, tests,
 * roles, remote_lock and passwords; memory (settings, password hashes)
 * following the store's transactions and savepoints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "auth.h"
#include "cmd.h"
#include "conf.h"
#include "settings.h"
#include "store.h"

#include "config.h"

static char dir[] = "/tmp/cgtest-settings-XXXXXX";
static char dbpath[256];

static void
open_all(void)
{
	char err[256];

	assert_int_equal(store_open(dbpath, err, sizeof err), 0);
	settings_init();
	assert_int_equal(settings_load_store(), 0);
}

static void
close_all(void)
{
	settings_shutdown();
	store_close();
}

static int
setup(void **state)
{
	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/cellgate.db", dir);
	open_all();
	return 0;
}

static int
teardown(void **state)
{
	char path[300];

	close_all();
	snprintf(path, sizeof path, "%s-wal", dbpath);
	unlink(path);
	snprintf(path, sizeof path, "%s-shm", dbpath);
	unlink(path);
	unlink(dbpath);
	rmdir(dir);
	return 0;
}

static const struct setting_def *
S(const char *n)
{
	const struct setting_def *d = settings_find(n);

	assert_non_null(d);
	return d;
}

static void
test_check(void **state)
{
	char out[SETTING_VALUE_MAX + 1], err[256];
	const struct setting_def *e = S("E");

	assert_ptr_equal(S("command.echo"), e);
	assert_ptr_equal(S("wkmod"), S("bridge.mode"));
	assert_null(settings_find("nosuch"));
	assert_int_equal(settings_check_text(e, "TRUE", out, sizeof out, err,
	    sizeof err), 0);
	assert_string_equal(out, "on");
	assert_int_equal(settings_check_text(e, "maybe", out, sizeof out, err,
	    sizeof err), -1);
	assert_non_null(strstr(err, "on|off"));
	assert_int_equal(settings_check_text(S("WKMOD"), "httpd", out,
	    sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "HTTPD");
	assert_int_equal(settings_check_text(S("auth.remote_lock"), "16", out,
	    sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "0..15"));
	assert_int_equal(settings_check_text(S("auth.remote_lock"), "3x", out,
	    sizeof out, err, sizeof err), -1);
	assert_int_equal(settings_check_text(S("SOCKA"), "udp,example.com,7",
	    out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "UDP,example.com,7");
	assert_int_equal(settings_check_text(S("SOCKA"), "TCP,ex ample,7",
	    out, sizeof out, err, sizeof err), -1);
	assert_int_equal(settings_check_text(S("SOCKA"), "TCP,host", out,
	    sizeof out, err, sizeof err), -1);
	assert_int_equal(settings_check_text(S("STMSG"), "caf\xc3\xa9", out,
	    sizeof out, err, sizeof err), 0);
	assert_int_equal(settings_check_text(S("STMSG"), "bad\xc3", out,
	    sizeof out, err, sizeof err), -1);
	assert_int_equal(settings_check_text(S("STMSG"), "a\nb", out,
	    sizeof out, err, sizeof err), -1);
	assert_int_equal(settings_check_text(S("STMSG"),
	    "0123456789012345678901234567890123456789012345678901234567890123456789",
	    out, sizeof out, err, sizeof err), -1);
}

/* The settings of hooks, Home Assistant and mutual TLS: malformed values
 * refused with the reason. */
static void
test_check_new(void **state)
{
	static const struct { const char *name, *value, *why; } bad[] = {
		{ "sms.on_receive", "hook.sh", "not an absolute path" },
		{ "sms.on_receive", "/bin/sh -c x", "no arguments" },
		{ "sms.on_receive", "/nonexistent/hook", "No such file" },
		{ "sms.on_receive", "/tmp", "not an executable" },
		{ "sms.on_send", "/bin/\x01", "" },
		{ "sms.hook_timeout", "0", "1..3600" },
		{ "sms.hook_timeout", "3601", "1..3600" },
		{ "cloud.ha_prefix", "", "topic prefix" },
		{ "cloud.ha_prefix", "ha/+", "no MQTT wildcards" },
		{ "cloud.ha_prefix", "ha#", "no MQTT wildcards" },
		{ "cloud.ha_prefix", "/ha", "no empty topic level" },
		{ "cloud.ha_prefix", "a//b", "no empty topic level" },
		{ "cloud.ha_notify_to", "101", "0..100" },
		{ "cloud.ha_notify_to", "-1", "" },
		{ "cloud.cert_file", "client.pem", "not an absolute path" },
		{ "cloud.key_file", "/nonexistent.key", "No such file" },
		{ "cloud.key_file", "/tmp", "not a regular file" },
	};
	char out[SETTING_VALUE_MAX + 1], err[256];
	char plain[] = "/tmp/cg-test-plainXXXXXX";
	int fd = mkstemp(plain);

	assert_true(fd != -1 && fchmod(fd, 0644) == 0);
	close(fd);
	assert_int_equal(settings_check_text(S("sms.on_receive"), plain, out,
	    sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "not an executable file"));
	assert_int_equal(settings_check_text(S("cloud.key_file"), plain, out,
	    sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "may be read by others (mode 0644)"));
	assert_int_equal(settings_check_text(S("cloud.cert_file"), plain, out,
	    sizeof out, err, sizeof err), 0);
	unlink(plain);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		assert_int_equal(settings_check_text(S(bad[i].name),
		    bad[i].value, out, sizeof out, err, sizeof err), -1);
		assert_non_null(strstr(err, bad[i].why));
	}
	assert_int_equal(settings_check_text(S("sms.on_receive"), "/bin/true",
	    out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "/bin/true");
	assert_int_equal(settings_check_text(S("sms.on_receive"), "", out,
	    sizeof out, err, sizeof err), 0);
	assert_int_equal(settings_check_text(S("cloud.ha_prefix"), "site/ha-2",
	    out, sizeof out, err, sizeof err), 0);
	assert_string_equal(out, "site/ha-2");
	assert_int_equal(settings_check_text(S("cloud.key_file"), "", out,
	    sizeof out, err, sizeof err), 0);
}

static void
test_sources_and_persistence(void **state)
{
	const struct setting_def *w = S("bridge.welcome");
	char err[256];

	assert_string_equal(settings_value(w), w->def);
	assert_int_equal(settings_source(w), SOURCE_DEFAULT);
	settings_config_begin();
	settings_config_put(w, "from config");
	settings_config_end();
	assert_string_equal(settings_value(w), "from config");
	assert_int_equal(settings_source(w), SOURCE_CONFIG);
	assert_int_equal(settings_set_text(w, "at runtime", err, sizeof err), 0);
	assert_int_equal(settings_source(w), SOURCE_RUNTIME);
	/* a bad value changes nothing */
	assert_int_equal(settings_set_text(S("E"), "2", err, sizeof err), -1);
	assert_string_equal(settings_get("command.echo"), "on");
	/* reopen: the runtime value comes back and wins over the config */
	close_all();
	open_all();
	settings_config_begin();
	settings_config_put(w, "from config");
	settings_config_end();
	assert_string_equal(settings_value(w), "at runtime");
	assert_int_equal(settings_source(w), SOURCE_RUNTIME);
	assert_int_equal(settings_reset(w, err, sizeof err), 0);
	assert_string_equal(settings_value(w), "from config");
	close_all();
	open_all();
	assert_int_equal(settings_source(w), SOURCE_DEFAULT);
}

static void
test_user_defaults(void **state)
{
	const struct setting_def *m = S("WKMOD");
	char err[256];

	assert_int_equal(settings_set_text(m, "SMS", err, sizeof err), 0);
	assert_int_equal(settings_save_user_defaults(err, sizeof err), 0);
	assert_int_equal(settings_set_text(m, "CMD", err, sizeof err), 0);
	assert_int_equal(settings_restore_user_defaults(NULL, NULL, err,
	    sizeof err), 0);
	assert_string_equal(settings_value(m), "SMS");
	assert_int_equal(settings_factory_reset(NULL, NULL, err, sizeof err), 0);
	assert_string_equal(settings_value(m), "NET");
	assert_int_equal(settings_source(m), SOURCE_DEFAULT);
	/* user defaults were forgotten too */
	assert_int_equal(settings_restore_user_defaults(NULL, NULL, err,
	    sizeof err), 0);
	assert_string_equal(settings_value(m), "NET");
}

/* Transactions nest: an inner rollback keeps the outer work, an outer
 * rollback undoes the inner commit too. */
static void
test_nested_transactions(void **state)
{
	char err[256];

	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_setting_put("bridge.welcome", "outer"), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_setting_put("bridge.mode", "SMS"), 0);
	store_rollback();
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_meta_put("nested", "kept"), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(store_commit(), 0);
	{
		char v[32];

		assert_int_equal(store_meta_get("nested", v, sizeof v), 0);
		assert_string_equal(v, "kept");
	}
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_meta_put("gone", "x"), 0);
	assert_int_equal(store_commit(), 0);
	store_rollback();
	{
		char v[32];

		assert_int_equal(store_meta_get("gone", v, sizeof v), -1);
	}
	/* an inner commit that fails (SQLite rolled the transaction back
	 * by itself) undoes its level; the caller's rollback right after it
	 * is a no-op, and a rollback of the level around, when the inner
	 * caller did not roll back, still ends that one */
	for (int inner_rolls_back = 0; inner_rolls_back < 2;
	    inner_rolls_back++) {
		assert_int_equal(store_begin(), 0);
		assert_int_equal(store_begin(), 0);
		assert_int_equal(sqlite3_exec(store_db(), "ROLLBACK", NULL, NULL,
		    NULL), SQLITE_OK);
		assert_int_equal(store_commit(), -1);
		assert_int_equal(store_txn_level(), 1);
		if (inner_rolls_back)
			store_rollback();
		assert_int_equal(store_txn_level(), 1);
		assert_int_equal(store_meta_put("lost", "x"), -1);
		store_rollback();
		assert_int_equal(store_txn_level(), 0);
		assert_int_equal(store_meta_put("after", "y"), 0);
	}
	close_all();
	open_all();
	assert_string_equal(settings_get("bridge.welcome"), "outer");
	assert_string_equal(settings_get("bridge.mode"), "NET");
	assert_int_equal(settings_reset(settings_find("STMSG"), err,
	    sizeof err), 0);
}

static char reply_text[CMD_REPLY_MAX + 512];

static int
run(const char *text, enum auth_channel ch, enum auth_role role)
{
	struct cmd_ctx ctx = { ch, role, "test" };
	struct cmd_reply r;
	struct buf b;
	int rc;

	cmd_reply_init(&r);
	rc = cmd_run(text, strlen(text), &ctx, &r);
	buf_init(&b, sizeof reply_text - 1);
	cmd_reply_format(&r, CMD_STYLE_TEXT, &b);
	snprintf(reply_text, sizeof reply_text, "%s", buf_str(&b));
	buf_free(&b);
	cmd_reply_free(&r);
	return rc;
}

static void
test_commands(void **state)
{
	char err[256];

	assert_int_equal(run("AT+VER", CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_string_equal(reply_text, "+VER:" PACKAGE_VERSION "\nOK");
	assert_int_equal(run("AT+WKMOD?", CHAN_SMS, ROLE_USER), 0);
	assert_string_equal(reply_text, "+WKMOD:NET\nOK");
	assert_int_equal(run("AT+WKMOD=?", CHAN_SMS, ROLE_USER), 0);
	/* =? in the seed's form where it gives one (4.2.1.1, 4.2.1.25) */
	assert_string_equal(reply_text,
	    "+WKMOD:<\"CMD\",\"SMS\",\"NET\",\"HTTPD\">\nOK");
	assert_int_equal(run("AT+SOCKA=?", CHAN_SMS, ROLE_USER), 0);
	assert_string_equal(reply_text,
	    "+SOCKA:<\"TCP\",\"UDP\">,<\"address\">,<port>\nOK");
	assert_int_equal(run("AT+SOCKASL=short", CHAN_LOCAL, ROLE_SUPERADMIN),
	    0);
	assert_int_equal(run("AT+SOCKASL?", CHAN_SMS, ROLE_USER), 0);
	assert_string_equal(reply_text, "+SOCKASL:short\nOK");
	assert_int_equal(run("AT+SOCKASL=long", CHAN_LOCAL, ROLE_SUPERADMIN),
	    0);
	assert_int_equal(run("AT+WKMOD=HTTPD", CHAN_SMS, ROLE_USER), -1);
	assert_string_equal(reply_text, "ERROR: WKMOD needs the admin role");
	assert_int_equal(run("AT+WKMOD=HTTPD", CHAN_SMS, ROLE_ADMIN), 0);
	assert_string_equal(settings_get("bridge.mode"), "HTTPD");
	assert_int_equal(run("AT+WKMOD=FAX", CHAN_SMS, ROLE_ADMIN), -1);
	assert_string_equal(settings_get("bridge.mode"), "HTTPD");
	assert_int_equal(run("AT+SOCKA=\"TCP\",\"test.usr.cn\",10000",
	    CHAN_SMS, ROLE_ADMIN), 0);
	assert_int_equal(run("AT+SOCKA", CHAN_SMS, ROLE_USER), 0);
	assert_string_equal(reply_text, "+SOCKA:TCP,test.usr.cn,10000\nOK");
	assert_int_equal(run("AT+bridge.welcome=\"a, b\"", CHAN_LOCAL,
	    ROLE_SUPERADMIN), 0);
	assert_string_equal(settings_get("bridge.welcome"), "a, b");
	assert_int_equal(run("AT+NOSUCH", CHAN_LOCAL, ROLE_SUPERADMIN), -1);
	assert_string_equal(reply_text, "ERROR: unknown command NOSUCH");
	assert_int_equal(run("AT+VER=1", CHAN_LOCAL, ROLE_SUPERADMIN), -1);
	assert_int_equal(run("AT+CLEAR", CHAN_SMS, ROLE_ADMIN), -1);
	/* remote_lock 2 (network) refuses WKMOD from SMS, not locally */
	assert_int_equal(run("AT+auth.remote_lock=2", CHAN_LOCAL,
	    ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+WKMOD=NET", CHAN_SMS, ROLE_SUPERADMIN), -1);
	assert_string_equal(reply_text,
	    "ERROR: WKMOD is locked for remote channels");
	assert_int_equal(run("AT+WKMOD=NET", CHAN_SERIAL, ROLE_ADMIN), 0);
	assert_int_equal(settings_set_text(S("auth.remote_lock"), "0", err,
	    sizeof err), 0);
	/* the serial style */
	{
		struct cmd_ctx ctx = { CHAN_SERIAL, ROLE_ADMIN, "t" };
		struct cmd_reply r;
		struct buf b;

		cmd_reply_init(&r);
		cmd_run("AT+E?", 5, &ctx, &r);
		buf_init(&b, 256);
		cmd_reply_format(&r, CMD_STYLE_SERIAL, &b);
		assert_string_equal(buf_str(&b), "\r\n+E:on\r\n\r\nOK\r\n");
		buf_free(&b);
		cmd_reply_free(&r);
	}
}

/* RELD, CLEAR and RES change only what their caller may change one by one:
 * an admin's restore leaves superadmin-only and local-only settings. */
static void
test_bulk_changes_respect_rights(void **state)
{
	char err[256];

	assert_int_equal(run("AT+auth.remote_lock=0", CHAN_LOCAL,
	    ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+CFGTF", CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+auth.remote_lock=4", CHAN_LOCAL,
	    ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+system.reboot_command=\"/bin/true\"",
	    CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+WKMOD=CMD", CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+sms.daily_limit=7", CHAN_LOCAL,
	    ROLE_SUPERADMIN), 0);
	/* an admin by SMS restores the user defaults: WKMOD only (the lock
	 * keeps group 4, the role the daily cap, local-only the command) */
	assert_int_equal(run("AT+RELD", CHAN_SMS, ROLE_ADMIN), 0);
	assert_string_equal(settings_get("bridge.mode"), "NET");
	assert_string_equal(settings_get("auth.remote_lock"), "4");
	assert_string_equal(settings_get("system.reboot_command"), "/bin/true");
	assert_string_equal(settings_get("sms.daily_limit"), "7");
	/* the data port's command mode: local-only stays too */
	assert_int_equal(run("AT+WKMOD=CMD", CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_int_equal(run("AT+CLEAR", CHAN_SERIAL, ROLE_SUPERADMIN), 0);
	assert_string_equal(settings_get("bridge.mode"), "NET");
	assert_string_equal(settings_get("system.reboot_command"), "/bin/true");
	assert_int_equal(settings_source(S("system.reboot_command")),
	    SOURCE_RUNTIME);
	/* what was kept survives a reload from the store */
	settings_shutdown();
	settings_init();
	assert_int_equal(settings_load_store(), 0);
	assert_string_equal(settings_get("system.reboot_command"), "/bin/true");
	/* locally, everything */
	assert_int_equal(run("AT+CLEAR", CHAN_LOCAL, ROLE_SUPERADMIN), 0);
	assert_string_equal(settings_get("auth.remote_lock"), "0");
	assert_string_equal(settings_get("system.reboot_command"), "");
	(void)err;
}

static void
test_passwords(void **state)
{
	struct conf c;
	char err[256];

	memset(&c, 0, sizeof c);
	assert_int_equal(auth_password_init(&c, err, sizeof err), 0);
	assert_int_equal(auth_password_role("usr.cn"), ROLE_NONE);
	assert_int_equal(auth_password_role(""), ROLE_NONE);
	c.allow_default_password = 1;
	auth_password_init(&c, err, sizeof err);
	assert_int_equal(auth_password_role("usr.cn"), ROLE_ADMIN);
	assert_int_equal(auth_password_role("1234"), ROLE_SUPERADMIN);
	assert_int_equal(auth_password_set(ROLE_SUPERADMIN, "s3cret-S", err,
	    sizeof err), 0);
	assert_int_equal(auth_password_role("1234"), ROLE_NONE);
	assert_int_equal(auth_password_role("s3cret-S"), ROLE_SUPERADMIN);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "adm;in", err,
	    sizeof err), -1);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "abc", err,
	    sizeof err), -1);
	assert_int_equal(auth_password_set(ROLE_USER, "abcdef", err,
	    sizeof err), -1);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "admin-pw", err,
	    sizeof err), 0);
	assert_int_equal(auth_password_role("usr.cn"), ROLE_NONE);
	/* the hashes persist, the clear text does not */
	c.allow_default_password = 0;
	close_all();
	open_all();
	auth_password_init(&c, err, sizeof err);
	assert_int_equal(auth_password_role("admin-pw"), ROLE_ADMIN);
	assert_int_equal(auth_password_role("s3cret-S"), ROLE_SUPERADMIN);
	assert_int_equal(auth_password_role("s3cret-s"), ROLE_NONE);
	{
		char hash[256];

		assert_int_equal(store_password_get("admin", hash,
		    sizeof hash), 0);
		assert_null(strstr(hash, "admin-pw"));
		assert_memory_equal(hash, "$y$", 3);
	}
}

/* Run fn in a child; its exit status (fatalx exits 1, a return 0). */
static int
in_child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void ref_wrong_type(void) { settings_ref("sms.retries", SETTING_BOOL); }
static void ref_unknown(void) { settings_ref("sms.no_such", SETTING_INT); }
static void int_of_bool(void)
{
	settings_int(settings_ref("command.echo", SETTING_BOOL));
}
static void bool_of_int(void)
{
	settings_bool(settings_ref("sms.retries", SETTING_INT));
}
static void ref_right(void) { settings_ref("sms.retries", SETTING_INT); }

/* Typed handles: a wrong type or name stops the program; the kept parsed
 * value follows every change of source. */
static void
test_handles(void **state)
{
	static const struct setting_def *once;
	const struct setting_def *n, *b, *w;
	char err[256];

	assert_int_equal(in_child(ref_wrong_type), 1);
	assert_int_equal(in_child(ref_unknown), 1);
	assert_int_equal(in_child(int_of_bool), 1);
	assert_int_equal(in_child(bool_of_int), 1);
	assert_int_equal(in_child(ref_right), 0);

	n = settings_ref("sms.retries", SETTING_INT);
	b = settings_ref("command.echo", SETTING_BOOL);
	w = SETTINGS_ONCE(once, "bridge.welcome", SETTING_STRING);
	assert_ptr_equal(SETTINGS_ONCE(once, "no.such", SETTING_INT), w);
	assert_ptr_equal(n, S("sms.retries"));
	assert_ptr_equal(w, S("bridge.welcome"));
	assert_int_equal(settings_int(n), strtoll(n->def, NULL, 10));
	assert_int_equal(settings_bool(b), 1);
	/* config */
	settings_config_begin();
	settings_config_put(n, "7");
	settings_config_put(b, "off");
	settings_config_end();
	assert_int_equal(settings_int(n), 7);
	assert_int_equal(settings_bool(b), 0);
	/* runtime (accepted spellings are canonicalised) */
	assert_int_equal(settings_set_text(n, "2", err, sizeof err), 0);
	assert_int_equal(settings_set_text(b, "yes", err, sizeof err), 0);
	assert_int_equal(settings_int(n), 2);
	assert_int_equal(settings_bool(b), 1);
	/* a refused value keeps the kept one */
	assert_int_equal(settings_set_text(n, "x", err, sizeof err), -1);
	assert_int_equal(settings_int(n), 2);
	/* AT+CFGTF then a change then AT+RELD */
	assert_int_equal(settings_save_user_defaults(err, sizeof err), 0);
	assert_int_equal(settings_set_text(n, "4", err, sizeof err), 0);
	assert_int_equal(settings_int(n), 4);
	assert_int_equal(settings_restore_user_defaults(NULL, NULL, err,
	    sizeof err), 0);
	assert_int_equal(settings_int(n), 2);
	assert_int_equal(settings_bool(b), 1);
	/* reset: back to the config file's value */
	assert_int_equal(settings_reset(n, err, sizeof err), 0);
	assert_int_equal(settings_int(n), 7);
	/* persisted: a reopen reads the runtime value back */
	assert_int_equal(settings_set_text(n, "3", err, sizeof err), 0);
	close_all();
	open_all();
	assert_int_equal(settings_int(n), 3);
	/* factory: the defaults */
	assert_int_equal(settings_factory_reset(NULL, NULL, err, sizeof err), 0);
	assert_int_equal(settings_int(n), strtoll(n->def, NULL, 10));
	assert_int_equal(settings_bool(b), 1);
}

/* What the settings observer announced, in order. */
static char announced[16][80];
static int nannounced;

static void
announce(const struct setting_def *d)
{
	if (nannounced < (int)(sizeof announced / sizeof announced[0]))
		snprintf(announced[nannounced++], sizeof announced[0],
		    "%s=%s", d->name, settings_value(d));
}

/* The database's runtime value of a setting ("" when it has none). */
static const char *
db_value(const char *name)
{
	static char v[SETTING_VALUE_MAX + 1];
	sqlite3_stmt *st = store_stmt("SELECT value FROM settings WHERE "
	    "name = ?1", "t", name);

	assert_non_null(st);
	v[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(v, sizeof v, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

/* A row that breaks a deferred foreign key: the next COMMIT fails. */
static void
break_commit(void)
{
	assert_int_equal(sqlite3_exec(store_db(), "CREATE TABLE IF NOT EXISTS "
	    "t_parent(id INTEGER PRIMARY KEY); CREATE TABLE IF NOT EXISTS "
	    "t_child(p INTEGER REFERENCES t_parent(id) DEFERRABLE INITIALLY "
	    "DEFERRED)", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_done(store_stmt("INSERT INTO t_child VALUES "
	    "(1)", "")), 0);
}

/* Memory follows the store's transactions: a change inside one that is
 * rolled back (a savepoint, the whole, by a failed commit or by SQLite
 * itself) is undone in memory too and announced again (apply hook and
 * observer); what is committed stays, in memory as on disk. */
static void
test_memory_follows_transactions(void **state)
{
	const struct setting_def *n = S("sms.retries"), *dl =
	    S("sms.retry_delay");
	char err[256];

	settings_set_observer(announce);
	nannounced = 0;
	assert_int_equal(store_txn_level(), 0);
	/* a rolled-back savepoint inside a committed transaction */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(settings_set_text(n, "5", err, sizeof err), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_txn_level(), 2);
	assert_int_equal(settings_set_text(dl, "77", err, sizeof err), 0);
	assert_int_equal(settings_set_text(n, "6", err, sizeof err), 0);
	store_rollback();
	assert_int_equal(settings_int(n), 5);
	assert_string_equal(settings_value(dl), dl->def);
	assert_int_equal(settings_source(dl), SOURCE_DEFAULT);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(settings_int(n), 5);
	assert_string_equal(db_value("sms.retries"), "5");
	assert_string_equal(db_value("sms.retry_delay"), "");
	assert_int_equal(nannounced, 5);
	assert_string_equal(announced[0], "sms.retries=5");
	assert_string_equal(announced[1], "sms.retry_delay=77");
	assert_string_equal(announced[2], "sms.retries=6");
	assert_string_equal(announced[3], "sms.retries=5");	/* newest first */
	assert_string_equal(announced[4], "sms.retry_delay=30");
	/* a released savepoint belongs to the transaction around it */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(settings_set_text(dl, "88", err, sizeof err), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(settings_int(dl), 88);
	store_rollback();
	assert_int_equal(settings_int(dl), 30);
	assert_string_equal(db_value("sms.retry_delay"), "");
	/* a failed commit; the caller's rollback after it changes nothing */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(settings_set_text(n, "7", err, sizeof err), 0);
	break_commit();
	assert_int_equal(store_commit(), -1);
	assert_int_equal(store_txn_level(), 0);
	assert_int_equal(settings_int(n), 5);
	store_rollback();
	assert_int_equal(settings_int(n), 5);
	assert_string_equal(db_value("sms.retries"), "5");
	/* a reset and a bulk change, rolled back */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(settings_reset(n, err, sizeof err), 0);
	assert_int_equal(settings_source(n), SOURCE_DEFAULT);
	assert_int_equal(settings_set_text(dl, "99", err, sizeof err), 0);
	assert_int_equal(settings_factory_reset(NULL, NULL, err, sizeof err),
	    0);
	assert_int_equal(settings_int(dl), 30);
	store_rollback();
	assert_int_equal(settings_int(n), 5);
	assert_int_equal(settings_source(n), SOURCE_RUNTIME);
	assert_int_equal(settings_int(dl), 30);
	assert_int_equal(settings_source(dl), SOURCE_DEFAULT);
	/* SQLite rolled the transaction back by itself: nothing more runs
	 * in it (it would commit on its own), and memory follows */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(settings_set_text(n, "8", err, sizeof err), 0);
	assert_int_equal(sqlite3_exec(store_db(), "ROLLBACK", NULL, NULL,
	    NULL), SQLITE_OK);
	assert_int_equal(settings_set_text(dl, "66", err, sizeof err), -1);
	assert_non_null(strstr(err, "rolled back"));
	assert_int_equal(store_begin(), -1);
	assert_int_equal(store_commit(), -1);
	assert_int_equal(store_txn_level(), 0);
	assert_int_equal(settings_int(n), 5);
	assert_int_equal(settings_int(dl), 30);
	assert_string_equal(db_value("sms.retry_delay"), "");
	/* outside a transaction a change is final at once */
	assert_int_equal(settings_set_text(dl, "45", err, sizeof err), 0);
	store_rollback();
	assert_int_equal(settings_int(dl), 45);
	/* the database agrees after a reopen */
	close_all();
	open_all();
	assert_int_equal(settings_int(n), 5);
	assert_int_equal(settings_int(dl), 45);
	assert_int_equal(settings_reset(n, err, sizeof err), 0);
	assert_int_equal(settings_reset(dl, err, sizeof err), 0);
	settings_set_observer(NULL);
}

/* The password hashes kept in memory follow a rollback too. */
static void
test_password_follows_rollback(void **state)
{
	struct conf c;
	char err[256];

	memset(&c, 0, sizeof c);
	assert_int_equal(auth_password_init(&c, err, sizeof err), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "before-pw", err,
	    sizeof err), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(store_begin(), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "after-pw", err,
	    sizeof err), 0);
	assert_int_equal(store_commit(), 0);
	assert_int_equal(auth_password_role("after-pw"), ROLE_ADMIN);
	store_rollback();
	assert_int_equal(auth_password_role("after-pw"), ROLE_NONE);
	assert_int_equal(auth_password_role("before-pw"), ROLE_ADMIN);
	/* committed: it stays, and persists */
	assert_int_equal(store_begin(), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "after-pw", err,
	    sizeof err), 0);
	assert_int_equal(store_commit(), 0);
	close_all();
	open_all();
	assert_int_equal(auth_password_init(&c, err, sizeof err), 0);
	assert_int_equal(auth_password_role("after-pw"), ROLE_ADMIN);
	assert_int_equal(auth_password_role("before-pw"), ROLE_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_check_new),
		cmocka_unit_test(test_sources_and_persistence),
		cmocka_unit_test(test_user_defaults),
		cmocka_unit_test(test_nested_transactions),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_bulk_changes_respect_rights),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_memory_follows_transactions),
		cmocka_unit_test(test_password_follows_rollback),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
