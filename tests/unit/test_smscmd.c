/*
 * test_smscmd.c: the SMS command language.  The parser with the seeds'
 * own examples and malformed or overlong input; the engine against a real
 * store: who gets a reply and who gets silence, passwords, the phonebook
 * filter, the always-password groups, RISP, and the persisted lockout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth.h"
#include "conf.h"
#include "phonebook.h"
#include "settings.h"
#include "smscmd.h"
#include "store.h"

static struct smscmd_msg m;
static const char *err;

static int
parse(const char *s)
{
	err = NULL;
	return smscmd_parse(s, strlen(s), &m, &err);
}

static void
test_parse_seed_examples(void **state)
{
	/* cloud-connect seed */
	assert_int_equal(parse("CONNECT,PWD=1234#"), 0);
	assert_int_equal(m.form, SMSCMD_FORM_VERB);
	assert_string_equal(m.cmds[0].name, "CONNECT");
	assert_int_equal(m.cmds[0].op, ATFORM_EXEC);
	assert_true(m.has_password);
	assert_string_equal(m.password, "1234");
	assert_int_equal(parse("status#"), 0);
	assert_string_equal(m.cmds[0].name, "STATUS");
	assert_false(m.has_password);
	/* remote-control seed */
	assert_int_equal(parse("NUM8+111222111;pwd"), 0);
	assert_int_equal(m.form, SMSCMD_FORM_SHORT);
	assert_string_equal(m.cmds[0].name, "NUM");
	assert_int_equal(m.cmds[0].argc, 2);
	assert_string_equal(m.cmds[0].argv[0], "8");
	assert_string_equal(m.cmds[0].argv[1], "+111222111");
	assert_string_equal(m.password, "pwd");
	assert_int_equal(parse("NUM3;pwd"), 0);
	assert_int_equal(m.cmds[0].argc, 1);
	assert_int_equal(parse("NUM?;pwd"), 0);
	assert_int_equal(m.cmds[0].op, ATFORM_QUERY);
	assert_int_equal(parse("PWD54321;12345"), 0);
	assert_string_equal(m.cmds[0].name, "PWD");
	assert_string_equal(m.cmds[0].argv[0], "54321");
	assert_int_equal(parse("SMS1367:ON;1234,VOC12:OFF;1234,OUT?,RISP"), 0);
	assert_int_equal(m.ncmds, 3);
	assert_true(m.risp);
	assert_string_equal(m.cmds[0].argv[0], "1367");
	assert_string_equal(m.cmds[0].argv[1], "ON");
	assert_int_equal(m.cmds[2].op, ATFORM_QUERY);
	assert_int_equal(parse("TSU:hello there"), 0);
	assert_string_equal(m.cmds[0].argv[0], "hello there");
	/* USR seed */
	assert_int_equal(parse("usr.cn#AT+VER"), 0);
	assert_int_equal(m.form, SMSCMD_FORM_AT);
	assert_string_equal(m.password, "usr.cn");
	assert_string_equal(m.cmds[0].name, "VER");
	assert_int_equal(parse("usr.cn#AT+SOCKA=\"TCP\",\"test.usr.cn\",10000"),
	    0);
	assert_int_equal(m.cmds[0].argc, 3);
	assert_int_equal(parse("AT+STMSG=a#b"), 0);
	assert_false(m.has_password);
	assert_string_equal(m.cmds[0].argv[0], "a#b");
	assert_int_equal(parse("  usr.cn#at+ver?\r\n"), 0);
	assert_int_equal(m.cmds[0].op, ATFORM_QUERY);
}

static void
test_parse_malformed(void **state)
{
	char big[SMSCMD_MAX_LEN + 10];

	assert_int_equal(parse(""), -1);
	assert_int_equal(parse("   \r\n"), -1);
	assert_int_equal(parse("NUM3;pwd\x1a"), -1);
	assert_string_equal(err, "control character in message");
	assert_int_equal(parse("usr.cn#AT+STMSG=x\rAT+CLEAR"), -1);
	assert_int_equal(parse("pw#AT+E=\x1b"), -1);
	assert_int_equal(parse("NUM3;a,NUM4;b"), -1);
	assert_string_equal(err, "different passwords in one message");
	assert_int_equal(parse(",,"), -1);
	assert_int_equal(parse("3NUM"), -1);
	assert_int_equal(parse("NUM+391234"), -1);
	assert_int_equal(parse("CON NECT#"), -1);
	assert_int_equal(parse("CONNECT,a#b#"), -1);
	assert_int_equal(parse("#"), -1);
	assert_int_equal(parse("pw#AT+"), -1);
	memset(big, 'A', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(parse(big), -1);
	assert_string_equal(err, "message too long");
	{
		char many[400] = "";

		for (int i = 0; i < SMSCMD_MAX_CMDS + 1; i++)
			strcat(many, "OUT?,");
		strcat(many, "OUT?");
		assert_int_equal(parse(many), -1);
	}
	{
		char pw[200] = "CONNECT,PWD=";

		memset(pw + 12, 'x', 100);
		strcpy(pw + 112, "#");
		assert_int_equal(parse(pw), -1);
		assert_string_equal(err, "password too long");
	}
}

/* ---- the engine, with a real store ---- */

static char dir[] = "/tmp/cgtest-smscmd-XXXXXX";
static char dbpath[256];
static char out[2048];

static int
setup(void **state)
{
	char e[256];
	struct conf c;

	assert_non_null(mkdtemp(dir));
	snprintf(dbpath, sizeof dbpath, "%s/cellgate.db", dir);
	assert_int_equal(store_open(dbpath, e, sizeof e), 0);
	settings_init();
	memset(&c, 0, sizeof c);
	auth_password_init(&c, e, sizeof e);
	assert_int_equal(settings_set_text(settings_find("auth.country_code"),
	    "49", e, sizeof e), 0);
	assert_int_equal(auth_password_set(ROLE_SUPERADMIN, "super-pw", e,
	    sizeof e), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "12345", e, sizeof e),
	    0);
	return 0;
}

static int
teardown(void **state)
{
	char p[300];

	settings_shutdown();
	store_close();
	snprintf(p, sizeof p, "rm -rf %s", dir);
	(void)!system(p);
	return 0;
}

/* Returns 1 and the reply in out, or 0 for silence. */
static int
sms(const char *from, const char *text)
{
	struct buf b;
	int r;

	buf_init(&b, sizeof out - 1);
	r = smscmd_handle(from, text, strlen(text), &b);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_free(&b);
	return r;
}

static void
test_normalise(void **state)
{
	char n[32];

	assert_int_equal(phonebook_normalise("+39 123-456", "49", n, sizeof n),
	    0);
	assert_string_equal(n, "+39123456");
	assert_int_equal(phonebook_normalise("0049171123", "", n, sizeof n), 0);
	assert_string_equal(n, "+49171123");
	assert_int_equal(phonebook_normalise("0171 123", "49", n, sizeof n), 0);
	assert_string_equal(n, "+49171123");
	assert_int_equal(phonebook_normalise("0171123", "", n, sizeof n), -1);
	assert_int_equal(phonebook_normalise("Vodafone", "49", n, sizeof n),
	    -1);
	assert_int_equal(phonebook_normalise("+", "49", n, sizeof n), -1);
	assert_int_equal(phonebook_normalise("+12345678901234567890123", "", n,
	    sizeof n), -1);
}

static void
test_authorisation(void **state)
{
	char e[256];
	struct phonebook_entry pb;

	/* unknown number, no password: silence */
	assert_int_equal(sms("+4915100000001", "STATUS#"), 0);
	assert_int_equal(sms("+4915100000001", "usr.cn#AT+VER"), 0);
	/* right password: replies, USR format */
	assert_int_equal(sms("+4915100000001", "12345#AT+WKMOD?"), 1);
	assert_string_equal(out, "+WKMOD:NET\nOK");
	assert_int_equal(sms("+4915100000001", "CONNECT,PWD=super-pw#"), 1);
	assert_string_equal(out, "ERROR: CONNECT: cloud link not running");
	/* unknown command from an authorised sender: named in the error */
	assert_int_equal(sms("+4915100000001", "FOO;12345"), 1);
	assert_string_equal(out, "ERROR: unknown command FOO");
	/* a listed number that need not send a password */
	assert_int_equal(sms("+4915100000001", "NUM3+4915100000002;12345"), 1);
	assert_string_equal(out, "OK");
	assert_int_equal(phonebook_get(3, &pb), 0);
	assert_string_equal(pb.number, "+4915100000002");
	assert_int_equal(pb.require_password, 0);
	assert_int_equal(sms("015100000002", "STATUS#"), 1);
	assert_non_null(strstr(out, "Modem: "));
	/* ... but a user role cannot change settings */
	assert_int_equal(sms("+4915100000002", "AT+WKMOD=CMD"), 1);
	assert_string_equal(out, "ERROR: WKMOD needs the admin role");
	/* a spoofed listed number, even an admin, without the password,
	 * cannot touch passwords, the phonebook, or system commands */
	pb.role = ROLE_SUPERADMIN;
	assert_int_equal(phonebook_put(&pb, e, sizeof e), 0);
	assert_int_equal(sms("+4915100000002", "PWD99999"), 1);
	assert_string_equal(out, "ERROR: PWD needs a password");
	assert_int_equal(sms("+4915100000002", "NUM5+4915100000009"), 1);
	assert_int_equal(phonebook_get(5, &pb), -1);
	assert_int_equal(sms("+4915100000002", "AT+CLEAR"), 1);
	assert_int_equal(sms("+4915100000002", "AT+auth.remote_lock=0"), 1);
	assert_string_equal(out,
	    "ERROR: AUTH.REMOTE_LOCK needs a password");
	assert_int_equal(auth_password_role("99999"), ROLE_NONE);
	/* with the password it can */
	assert_int_equal(sms("+4915100000002", "PWD67890;12345"), 1);
	assert_string_equal(out, "OK");
	assert_int_equal(auth_password_role("67890"), ROLE_ADMIN);
	/* RISP: the commands run, no reply */
	assert_int_equal(sms("+4915100000002",
	    "NUM4+4915100000004;67890,NUM?;67890,RISP"), 0);
	assert_int_equal(phonebook_get(4, &pb), 0);
	/* several commands: one reply */
	assert_int_equal(sms("+4915100000002", "NUM?;67890,STATUS"), 1);
	assert_non_null(strstr(out, "+NUM:3,+4915100000002,superadmin"));
	assert_non_null(strstr(out, "+NUM:4,+4915100000004,user"));
	/* the password is never echoed */
	assert_null(strstr(out, "67890"));
	/* requires-password entries get nothing without it */
	pb.pos = 6;
	util_strlcpy(pb.number, "+4915100000006", sizeof pb.number);
	pb.require_password = 1;
	assert_int_equal(phonebook_put(&pb, e, sizeof e), 0);
	assert_int_equal(sms("+4915100000006", "STATUS#"), 0);
	/* a malformed message from a listed number gets the reason */
	assert_int_equal(sms("+4915100000002", "NUM3;a,NUM4;b"), 1);
	assert_string_equal(out, "ERROR: different passwords in one message");
	assert_int_equal(sms("+4915100000001", "NUM3;a,NUM4;b"), 0);
}

static void
test_lockout(void **state)
{
	char e[256];
	const char *n = "+4915100000099";

	assert_int_equal(settings_set_text(settings_find(
	    "auth.lockout_failures"), "3", e, sizeof e), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad1#"), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad2#"), 0);
	/* a right password in between resets the count */
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 1);
	assert_int_equal(sms(n, "STATUS,PWD=bad3#"), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad4#"), 0);
	assert_int_equal(auth_lockout_until(n), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad5#"), 0);
	assert_true(auth_lockout_until(n) > 0);
	/* locked: even the right password gets nothing, nothing runs */
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 0);
	assert_int_equal(sms(n, "PWD11111;67890"), 0);
	assert_int_equal(auth_password_role("11111"), ROLE_NONE);
	/* the lockout survives a restart (the store is reopened) */
	settings_shutdown();
	store_close();
	assert_int_equal(store_open(dbpath, e, sizeof e), 0);
	settings_init();
	assert_int_equal(settings_load_store(), 0);
	assert_true(auth_lockout_until(n) > 0);
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 0);
	/* other numbers are not affected */
	assert_int_equal(sms("+4915100000098", "STATUS,PWD=67890#"), 1);
}

int
main(void)
{
	const struct CMUnitTest parser[] = {
		cmocka_unit_test(test_parse_seed_examples),
		cmocka_unit_test(test_parse_malformed),
	};
	const struct CMUnitTest engine[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_authorisation),
		cmocka_unit_test(test_lockout),
	};
	int rc = cmocka_run_group_tests(parser, NULL, NULL);

	return rc + cmocka_run_group_tests(engine, setup, teardown);
}
