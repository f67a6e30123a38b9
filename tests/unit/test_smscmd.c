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
#include <sqlite3.h>

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

/* Issue 11 item 9: chained AT commands, RISP with the password, PWD with
 * a password that starts with a letter. */
static void
test_parse_oddities(void **state)
{
	/* V.250 chaining: one AT-form message, two commands, one password */
	assert_int_equal(parse("12345#AT+VER;+CSQ"), 0);
	assert_int_equal(m.form, SMSCMD_FORM_AT);
	assert_string_equal(m.password, "12345");
	assert_int_equal(m.ncmds, 2);
	assert_string_equal(m.cmds[0].name, "VER");
	assert_string_equal(m.cmds[1].name, "CSQ");
	assert_int_equal(m.cmds[1].op, ATFORM_EXEC);
	assert_int_equal(parse("pw#AT+VER; AT+WKMOD?;+SOCKA=\"TCP\",h,1"), 0);
	assert_int_equal(m.ncmds, 3);
	assert_int_equal(m.cmds[1].op, ATFORM_QUERY);
	assert_string_equal(m.cmds[2].name, "SOCKA");
	assert_int_equal(m.cmds[2].argc, 3);
	/* a ';' in quotes, or not followed by '+', is text */
	assert_int_equal(parse("pw#AT+STMSG=\"a;+b\""), 0);
	assert_int_equal(m.ncmds, 1);
	assert_string_equal(m.cmds[0].argv[0], "a;+b");
	assert_int_equal(parse("AT+STMSG=a;b"), 0);
	assert_int_equal(m.ncmds, 1);
	assert_string_equal(m.cmds[0].argv[0], "a;b");
	/* malformed chains are AT-form errors, never a short form with
	 * a password */
	assert_int_equal(parse("12345#AT+VER;+"), -1);
	assert_string_equal(err, "missing command name");
	assert_int_equal(parse("12345#AT+VER;"), -1);
	assert_int_equal(parse("12345#AT+VER;+C SQ"), -1);
	{
		char many[400] = "pw#AT+VER";

		for (int i = 0; i < SMSCMD_MAX_CMDS; i++)
			strcat(many, ";+VER");
		assert_int_equal(parse(many), -1);
		assert_string_equal(err, "too many commands in one message");
	}
	/* RISP may carry the password */
	assert_int_equal(parse("WKMOD:NET,CSQ,RISP;12345"), 0);
	assert_int_equal(m.form, SMSCMD_FORM_SHORT);
	assert_int_equal(m.ncmds, 2);
	assert_true(m.risp);
	assert_string_equal(m.password, "12345");
	assert_int_equal(parse("WKMOD:NET,risp ;12345"), 0);
	assert_true(m.risp);
	assert_int_equal(parse("WKMOD:NET;1,RISP;2"), -1);
	assert_string_equal(err, "different passwords in one message");
	assert_int_equal(parse("RISP;12345"), -1);
	assert_string_equal(err, "no command");
	/* RISP elsewhere than last stays a command (unknown to the
	 * registry) */
	assert_int_equal(parse("RISP,CSQ;1"), 0);
	assert_false(m.risp);
	assert_string_equal(m.cmds[0].name, "RISP");
	/* PWD takes the whole rest as the new password */
	assert_int_equal(parse("PWDabc12;12345"), 0);
	assert_string_equal(m.cmds[0].name, "PWD");
	assert_int_equal(m.cmds[0].op, ATFORM_SET);
	assert_int_equal(m.cmds[0].argc, 1);
	assert_string_equal(m.cmds[0].argv[0], "abc12");
	assert_int_equal(parse("pwdX9:y;12345"), 0);
	assert_string_equal(m.cmds[0].argv[0], "X9:y");
	assert_int_equal(parse("PWD:secret;12345"), 0);
	assert_string_equal(m.cmds[0].argv[0], "secret");
	assert_int_equal(parse("PWD54321;12345"), 0);
	assert_string_equal(m.cmds[0].argv[0], "54321");
	assert_int_equal(parse("PWD?;12345"), 0);
	assert_int_equal(m.cmds[0].op, ATFORM_QUERY);
	assert_int_equal(parse("PWD:;12345"), -1);
	assert_string_equal(err, "PWD needs the new password");
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

/* Returns 1 and the reply in out, or 0 for silence; a message whose
 * password check has no turn yet runs again in its turn, as the SMS
 * module does. */
static int
sms(const char *from, const char *text)
{
	struct buf b;
	int r;

	for (;;) {
		buf_init(&b, sizeof out - 1);
		r = smscmd_handle(from, text, strlen(text), &b);
		snprintf(out, sizeof out, "%s", buf_str(&b));
		buf_free(&b);
		if (r != -1)
			return r;
		assert_int_equal(b.len, 0);
		usleep((useconds_t)auth_gate_next_turn_ms() * 1000 + 1000);
	}
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
	const char *n = "+4915100000099", *key = "sms:pw:+4915100000099";

	auth_gate_reset();
	assert_int_equal(settings_set_text(settings_find(
	    "auth.lockout_failures"), "3", e, sizeof e), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad1#"), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad2#"), 0);
	/* a right password in between resets the count */
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 1);
	assert_int_equal(sms(n, "STATUS,PWD=bad3#"), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad4#"), 0);
	assert_int_equal(auth_lockout_until(key), 0);
	assert_int_equal(sms(n, "STATUS,PWD=bad5#"), 0);
	assert_true(auth_lockout_until(key) > 0);
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
	assert_true(auth_lockout_until(key) > 0);
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 0);
	/* other numbers are not affected */
	assert_int_equal(sms("+4915100000098", "STATUS,PWD=67890#"), 1);
}

static const char *
redacted(const char *text)
{
	static char r[512];
	struct buf b;

	buf_init(&b, sizeof r - 1);
	smscmd_redact(text, strlen(text), &b);
	snprintf(r, sizeof r, "%s", buf_str(&b));
	buf_free(&b);
	return r;
}

/* Redaction follows the parsed command: the password and every argument
 * of a secret row, in every form; nothing else changes. */
static void
test_redaction(void **state)
{
	assert_string_equal(redacted("Sup3r#AT+CMDPW=new1"),
	    "***#AT+CMDPW=***");
	assert_string_equal(redacted("CMDPW,new2,PWD=old2#"),
	    "CMDPW,***,PWD=***#");
	assert_string_equal(redacted("CMDPW:new3;old3"), "CMDPW=***;***");
	assert_string_equal(redacted("PWD,new4,PWD=old4#"),
	    "PWD,***,PWD=***#");
	assert_string_equal(redacted("PWD77777;N3w"), "PWD=***;***");
	assert_string_equal(redacted("pw#AT+WKMOD=NET;+CSQ"),
	    "***#AT+WKMOD=NET;+CSQ");
	assert_string_equal(redacted("CONNECT,PWD=abc#"), "CONNECT,PWD=***#");
	/* nothing secret: as it came */
	assert_string_equal(redacted("NUM3+391239567"), "NUM3+391239567");
	/* a password seen by this process goes wherever it stands, even
	 * inside a number (the admin's here is 12345) */
	assert_string_equal(redacted("hello super-pw"), "hello ***");
	assert_string_equal(redacted("Sup3r#AT\xa0Csuper-pw"), "***#AT\xa0C***");
	assert_string_equal(redacted("NUM3+391234567"), "NUM3+39***67");
	assert_string_equal(redacted("Meeting at 10:30"), "Meeting at 10:30");
	/* does not parse: masked by shape */
	assert_string_equal(redacted("x#AT+SOCKA=\"TCP"), "***#AT+SOCKA=\"TCP");
	/* a password before '#' goes whatever follows it */
	assert_string_equal(redacted("Sup3r#ATVER"), "***#ATVER");
	assert_string_equal(redacted("Sup3r#"), "***#");
	assert_string_equal(redacted("Sup3r#AT"), "***#AT");
	assert_string_equal(redacted("Sup3r#VER"), "***#VER");
	assert_string_equal(redacted("hi Sup3r#AT+VER"), "***#AT+VER");
	assert_string_equal(redacted("hi Sup3r# x"), "hi ***# x");
	assert_string_equal(redacted("a#b Sup3r#VER"), "***#b ***#VER");
	assert_string_equal(redacted("VER;Sup3r"), "VER;***");
	/* a known verb stays */
	assert_string_equal(redacted("STATUS#"), "STATUS#");
	assert_string_equal(redacted("CONNECT#"), "CONNECT#");
}

/* The gate fails closed: a lockout store that cannot be read refuses
 * even the right password.  (Run last: it breaks the database.) */
static void
test_gate_fails_closed(void **state)
{
	enum auth_role role;

	auth_gate_reset();
	assert_int_equal(sqlite3_exec(store_db(), "DROP TABLE auth_lockouts",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(auth_gate(CHAN_SMS, "+4915100000300", "67890",
	    &role), AUTH_STORE_ERROR);
	assert_int_equal(role, ROLE_NONE);
	assert_int_equal(sms("+4915100000300", "STATUS,PWD=67890#"), 0);
}

/* A spoofer sending password-less messages under a number locks only
 * that class: the owner's password still works from the number. */
static void
test_spoofed_number_keeps_password_use(void **state)
{
	char e[256];
	const char *n = "+4915100000097";

	auth_gate_reset();
	assert_int_equal(settings_set_text(settings_find(
	    "auth.lockout_failures"), "3", e, sizeof e), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(sms(n, "STATUS#"), 0);
	assert_true(auth_lockout_until("sms:nopw:+4915100000097") > 0);
	assert_int_equal(auth_lockout_until("sms:pw:+4915100000097"), 0);
	assert_int_equal(sms(n, "STATUS,PWD=67890#"), 1);
}

/* Strangers without a password never count toward auth.failure_cap:
 * however many, the right password is checked at once.  Past the cap
 * of wrong passwords, checks are rationed across all sources (the right
 * password waits its turn, is not refused), and nothing is judged or
 * counted for a check without a turn. */
static void
test_failure_cap(void **state)
{
	char e[256], num[32];
	enum auth_role role;
	uint64_t wait;
	struct buf b;

	auth_gate_reset();
	assert_int_equal(settings_set_text(settings_find("auth.failure_cap"),
	    "4", e, sizeof e), 0);
	for (int i = 0; i < 40; i++) {
		snprintf(num, sizeof num, "+49151000003%02d", i);
		assert_int_equal(sms(num, "STATUS#"), 0);
	}
	assert_int_equal(sms("+4915100000200", "STATUS,PWD=67890#"), 1);
	for (int i = 0; i < 4; i++) {
		snprintf(num, sizeof num, "+49151000001%02d", i);
		assert_int_equal(sms(num, "STATUS,PWD=wrong#"), 0);
	}
	/* past the cap: one guess now, then the next waits its turn */
	assert_int_equal(sms("+4915100000104", "STATUS,PWD=wrong#"), 0);
	assert_int_equal(auth_gate(CHAN_NET, "socket A", "67890", &role),
	    AUTH_RATIONED);
	assert_int_equal(role, ROLE_NONE);
	wait = auth_gate_next_turn_ms();
	assert_true(wait > 5000 && wait <= 60000 / 6);
	assert_int_equal(auth_lockout_until("net:pw:socket A"), 0);
	/* over SMS the message is handed back, nothing ran */
	buf_init(&b, 256);
	assert_int_equal(smscmd_handle("+4915100000201", "PWD77777;67890", 14,
	    &b), -1);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	assert_int_equal(auth_password_role("77777"), ROLE_NONE);
	auth_gate_reset();
	assert_int_equal(auth_gate(CHAN_NET, "socket A", "67890", &role),
	    AUTH_OK);
	assert_int_equal(settings_set_text(settings_find("auth.failure_cap"),
	    "30", e, sizeof e), 0);
}

/* Checks take turns even below the cap: a burst, then paced, so a
 * flood of right passwords cannot keep the loop hashing either. */
static void
test_checks_paced(void **state)
{
	enum auth_role role;
	int granted = 0, paced = 0;

	auth_gate_reset();
	for (int i = 0; i < 10 && !paced; i++) {
		enum auth_result r = auth_gate(CHAN_NET, "socket B", "67890",
		    &role);

		if (r == AUTH_RATIONED) {
			paced = 1;
			assert_int_equal(role, ROLE_NONE);
			assert_true(auth_gate_next_turn_ms() > 0);
		} else {
			assert_int_equal(r, AUTH_OK);
			granted++;
		}
	}
	assert_true(paced);
	assert_true(granted >= 4);	/* the burst */
	usleep((useconds_t)auth_gate_next_turn_ms() * 1000 + 1000);
	assert_int_equal(auth_gate(CHAN_NET, "socket B", "67890", &role),
	    AUTH_OK);
	auth_gate_reset();
}

static long long
rows(const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(), sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Failure rows expire with the window whatever their key, ended
 * lockouts go, and the table is bounded. */
static void
test_failures_expire(void **state)
{
	long long n;

	assert_int_equal(sqlite3_exec(store_db(), "DELETE FROM auth_failures;"
	    "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i "
	    "WHERE x < 190) INSERT INTO auth_failures(number, at) "
	    "SELECT 'sms:nopw:+49170' || x, strftime('%s', 'now') - 100000 "
	    "FROM i;"
	    "INSERT INTO auth_lockouts VALUES ('sms:pw:+49171', 1000)",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(auth_lockout_failure("sms:pw:+4915100000400", &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(rows("SELECT count(*) FROM auth_failures"), 1);
	assert_int_equal(rows("SELECT count(*) FROM auth_lockouts WHERE "
	    "number = 'sms:pw:+49171'"), 0);
	/* a flood within the window: the newest AUTH_FAILURES_MAX stay */
	assert_int_equal(sqlite3_exec(store_db(),
	    "WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i "
	    "WHERE x < 10100) INSERT INTO auth_failures(number, at) "
	    "SELECT 'sms:nopw:+49172' || x, strftime('%s', 'now') FROM i",
	    NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(auth_lockout_failure("sms:pw:+4915100000400", &n), 0);
	assert_true(n >= 1);
	assert_int_equal(rows("SELECT count(*) FROM auth_failures"),
	    AUTH_FAILURES_MAX);
	assert_int_equal(sqlite3_exec(store_db(), "DELETE FROM auth_failures",
	    NULL, NULL, NULL), SQLITE_OK);
}

/* The three fixed cases through the engine (the superadmin password
 * never changes in this group). */
static void
test_oddities_engine(void **state)
{
	const char *n = "+4915100000077";

	/* both chained commands run, both answer, no failure counted */
	assert_int_equal(sms(n, "super-pw#AT+VER;+WKMOD?"), 1);
	assert_non_null(strstr(out, "+VER:"));
	assert_non_null(strstr(out, "+WKMOD:"));
	assert_int_equal(auth_lockout_until("sms:pw:+4915100000077"), 0);
	/* RISP;pwd: the commands run, no reply */
	assert_int_equal(sms(n, "AT+WKMOD?"), 0);	/* unknown: silence */
	assert_int_equal(sms(n, "WKMOD:CMD,RISP;super-pw"), 0);
	assert_int_equal(sms(n, "super-pw#AT+WKMOD?"), 1);
	assert_string_equal(out, "+WKMOD:CMD\nOK");
	/* PWD sets a password that starts with a letter */
	assert_int_equal(sms(n, "PWDabc12;super-pw"), 1);
	assert_string_equal(out, "OK");
	assert_int_equal(auth_password_role("abc12"), ROLE_ADMIN);
	assert_int_equal(sms(n, "WKMOD:NET;abc12"), 1);
	assert_string_equal(out, "OK");
}

/* A reply longer than one message splits between lines, or between
 * characters inside a line longer than a message. */
static void
test_next_msg(void **state)
{
	char text[4000];
	size_t n;

	assert_int_equal(smscmd_next_msg("short\nOK", 9), 9);
	memset(text, 'a', sizeof text);
	text[200] = '\n';
	text[1700] = '\n';
	assert_int_equal(smscmd_next_msg(text, 2000), 201);
	n = smscmd_next_msg(text + 201, 1799);
	assert_int_equal(n, SMSCMD_REPLY_MAX);	/* no break within a message */
	/* never inside a UTF-8 sequence */
	memset(text, 'b', sizeof text);
	for (size_t i = 0; i + 1 < 2000; i += 2) {
		text[i] = (char)0xc3;
		text[i + 1] = (char)0xa9;
	}
	n = smscmd_next_msg(text, 2000);
	assert_true(n <= SMSCMD_REPLY_MAX && n % 2 == 0);
}

int
main(void)
{
	const struct CMUnitTest parser[] = {
		cmocka_unit_test(test_parse_seed_examples),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_oddities),
	};
	const struct CMUnitTest engine[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_authorisation),
		cmocka_unit_test(test_redaction),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_spoofed_number_keeps_password_use),
		cmocka_unit_test(test_failure_cap),
		cmocka_unit_test(test_failures_expire),
		cmocka_unit_test(test_checks_paced),
		cmocka_unit_test(test_oddities_engine),
		cmocka_unit_test(test_gate_fails_closed),
		cmocka_unit_test(test_next_msg),
	};
	int rc = cmocka_run_group_tests(parser, NULL, NULL);

	return rc + cmocka_run_group_tests(engine, setup, teardown);
}
