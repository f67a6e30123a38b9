/*
 * fake_modem.c: a fake of include/modem.h for the SMS module's unit tests
 * (test_sms_state, test_sms_rx): no pty, no wall clock.  It records every
 * command the module submits; the test answers them (answer), raises
 * readiness (ready) and URCs (urc), and plays the "> " prompt (prompt).
 * Also the daemon's rows for these tests (core + sms: the real modem
 * module stays out of the link) and a fresh store per test (setup,
 * teardown).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <event2/event.h>
#include <sqlite3.h>

#include "auth.h"
#include "cmd.h"
#include "conf.h"
#include "ctl.h"
#include "modem.h"
#include "module.h"
#include "pdu.h"
#include "settings.h"
#include "sms.h"
#include "store.h"
#include "util.h"

#include "config.h"
#include "fake_modem.h"

/* ---- the daemon's rows for this test: no modem module ---- */

const struct module modules[] = {
	{ .name = "core", .settings = MODULE_TABLE(settings_core_table),
	  .commands = MODULE_TABLE(cmd_system_table) },
	{ .name = "sms", .settings = MODULE_TABLE(sms_settings_table),
	  .commands = MODULE_TABLE(sms_cmd_table),
	  .requests = MODULE_TABLE(sms_ctl_requests) },
};
const size_t modules_len = nitems(modules);

/* ---- the fake modem ---- */

struct fcmd fq[F_MAX];
int fn;
enum modem_state f_state = MODEM_READY;
int f_unsub_all;

static struct {
	char		 prefix[32];
	modem_urc_fn	*fn;
	void		*arg;
	const char	*owner;
} f_urcs[16];
static struct {
	void		(*fn)(void *);
	void		*arg;
	const char	*owner;
} f_readies[8];

long long
count(const char *sql)
{
	return store_scalar(store_stmt(sql, ""), -1);
}

modem_cmd
modem_submit_h(const char *owner, const char *cmd, const char *pdu,
    int timeout_ms, modem_done_fn *done, void *arg)
{
	struct fcmd *c;

	if (fn == F_MAX || f_state != MODEM_READY)
		return 0;
	c = &fq[fn++];
	memset(c, 0, sizeof *c);
	util_strlcpy(c->cmd, cmd, sizeof c->cmd);
	util_strlcpy(c->pdu, pdu != NULL ? pdu : "", sizeof c->pdu);
	c->owner = owner;
	c->done = done;
	c->arg = arg;
	c->stage = pdu != NULL ? MODEM_STAGE_PDU : MODEM_STAGE_WRITTEN;
	if (strncmp(cmd, "AT+CMGD=", 8) == 0)
		c->stored_in = count("SELECT count(*) FROM sms WHERE "
		    "direction = 'in'");
	c->commits = f_commits;
	return (modem_cmd)fn;
}

int
modem_submit(const char *cmd, const char *pdu, int timeout_ms,
    modem_done_fn *done, void *arg)
{
	return modem_submit_h(NULL, cmd, pdu, timeout_ms, done, arg) != 0 ?
	    0 : -1;
}

int
modem_cancel(modem_cmd id)
{
	if (id == 0 || id > (modem_cmd)fn || fq[id - 1].cancelled ||
	    fq[id - 1].answered)
		return -1;
	fq[id - 1].cancelled = 1;
	return 0;
}

int
modem_cmd_on_prompt(modem_cmd id, modem_prompt_fn *f, void *arg)
{
	if (id == 0 || id > (modem_cmd)fn || fq[id - 1].cancelled ||
	    fq[id - 1].answered)
		return -1;
	fq[id - 1].prompt = f;
	fq[id - 1].prompt_arg = arg;
	return 0;
}

int
modem_cmd_is_storage(const char *cmd)
{
	return strncmp(cmd, "AT+CMGR", 7) == 0 ||
	    strncmp(cmd, "AT+CMGD", 7) == 0 ||
	    strncmp(cmd, "AT+CMGL", 7) == 0 || strncmp(cmd, "AT+CPMS", 7) == 0;
}

int
modem_urc_subscribe_as(const char *owner, const char *prefix,
    modem_urc_fn *f, void *arg)
{
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].fn == NULL) {
			util_strlcpy(f_urcs[i].prefix, prefix,
			    sizeof f_urcs[i].prefix);
			f_urcs[i].fn = f;
			f_urcs[i].arg = arg;
			f_urcs[i].owner = owner;
			return 0;
		}
	return -1;
}

int
modem_urc_subscribe(const char *prefix, modem_urc_fn *f, void *arg)
{
	return modem_urc_subscribe_as(NULL, prefix, f, arg);
}

void
modem_urc_unsubscribe(const char *prefix, modem_urc_fn *f, void *arg)
{
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].fn == f && f_urcs[i].arg == arg &&
		    strcmp(f_urcs[i].prefix, prefix) == 0)
			f_urcs[i].fn = NULL;
}

int
modem_ready_subscribe_as(const char *owner, void (*f)(void *), void *arg)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn == NULL) {
			f_readies[i].fn = f;
			f_readies[i].arg = arg;
			f_readies[i].owner = owner;
			return 0;
		}
	return -1;
}

int
modem_ready_subscribe(void (*f)(void *), void *arg)
{
	return modem_ready_subscribe_as(NULL, f, arg);
}

void
modem_ready_unsubscribe(void (*f)(void *), void *arg)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn == f && f_readies[i].arg == arg)
			f_readies[i].fn = NULL;
}

void
modem_unsubscribe_all(const char *owner)
{
	f_unsub_all++;
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].owner != NULL &&
		    strcmp(f_urcs[i].owner, owner) == 0)
			f_urcs[i].fn = NULL;
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].owner != NULL &&
		    strcmp(f_readies[i].owner, owner) == 0)
			f_readies[i].fn = NULL;
	for (int i = 0; i < fn; i++)
		if (fq[i].owner != NULL && strcmp(fq[i].owner, owner) == 0)
			fq[i].cancelled = 1;
}

int
f_subscriptions(void)
{
	int n = 0;

	for (size_t i = 0; i < nitems(f_urcs); i++)
		n += f_urcs[i].fn != NULL;
	for (size_t i = 0; i < nitems(f_readies); i++)
		n += f_readies[i].fn != NULL;
	return n;
}

enum modem_state
modem_state(void)
{
	return f_state;
}

const char *
modem_state_name(enum modem_state s)
{
	return s == MODEM_READY ? "ready" : "not ready";
}

/* ---- driving it ---- */

struct event_base *base;
static char dir[] = "/tmp/cgtest-smsstate-XXXXXX";

void
run(void)
{
	event_base_loop(base, EVLOOP_NONBLOCK);
}

/* The index of the last command starting with `prefix`, or -1. */
int
last(const char *prefix)
{
	for (int i = fn - 1; i >= 0; i--)
		if (strncmp(fq[i].cmd, prefix, strlen(prefix)) == 0)
			return i;
	return -1;
}

int
nsent(const char *prefix)
{
	int n = 0;

	for (int i = 0; i < fn; i++)
		n += strncmp(fq[i].cmd, prefix, strlen(prefix)) == 0;
	return n;
}

/* Answer command i (lines NULL-ended), unless its owner cancelled it. */
void
answer(int i, enum modem_final f, long code, const char *final_line, ...)
{
	const char *lines[8];
	struct modem_response r;
	va_list ap;
	size_t n = 0;

	assert_true(i >= 0 && i < fn);
	assert_false(fq[i].answered);
	va_start(ap, final_line);
	while (n < nitems(lines) && (lines[n] = va_arg(ap, const char *)) !=
	    NULL)
		n++;
	va_end(ap);
	fq[i].answered = 1;
	memset(&r, 0, sizeof r);
	r.command = fq[i].cmd;
	r.final = f;
	r.code = code;
	r.final_line = final_line;
	r.stage = fq[i].stage;
	r.nlines = n;
	r.lines = lines;
	if (!fq[i].cancelled && fq[i].done != NULL)
		fq[i].done(&r, fq[i].arg);
	run();
}

/* The "> " prompt of command i: its hook's answer (0 with none); the
 * command's stage follows (PDU written, or only the line). */
int
prompt(int i)
{
	int r = 0;

	assert_true(i >= 0 && i < fn);
	if (fq[i].prompt != NULL && !fq[i].cancelled)
		r = fq[i].prompt(fq[i].prompt_arg);
	fq[i].stage = r == 0 ? MODEM_STAGE_PDU : MODEM_STAGE_WRITTEN;
	return r;
}

/* An unsolicited line (pdu NULL or the PDU line after it) to every
 * subscription whose prefix it starts with. */
void
urc(const char *line, const char *pdu)
{
	for (size_t i = 0; i < nitems(f_urcs); i++)
		if (f_urcs[i].fn != NULL && strncmp(line, f_urcs[i].prefix,
		    strlen(f_urcs[i].prefix)) == 0)
			f_urcs[i].fn(line, pdu, f_urcs[i].arg);
	run();
}

void
ready(void)
{
	for (size_t i = 0; i < nitems(f_readies); i++)
		if (f_readies[i].fn != NULL)
			f_readies[i].fn(f_readies[i].arg);
	run();
}

void
deliver_pdu(const char *from, const char *text, char *hex, size_t hexlen,
    unsigned *tpdu_len)
{
	struct pdu_encode_opts o;
	struct pdu_encoded e;
	const char *why;

	memset(&o, 0, sizeof o);
	assert_int_equal(pdu_encode_deliver(from, text, strlen(text), &o, &e,
	    &why), 0);
	assert_int_equal(e.nparts, 1);
	util_strlcpy(hex, e.parts[0].hex, hexlen);
	*tpdu_len = e.parts[0].tpdu_len;
}

/* A ready modem lists its storage: one message in slot `slot`. */
void
list_one(int slot, const char *from, const char *text)
{
	char hex[PDU_HEX_MAX + 1], hdr[64];
	unsigned len;
	int i;

	deliver_pdu(from, text, hex, sizeof hex, &len);
	snprintf(hdr, sizeof hdr, "+CMGL: %d,0,,%u", slot, len);
	ready();
	i = last("AT+CPMS?");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK",
	    "+CPMS: \"SM\",1,30,\"SM\",1,30,\"SM\",1,30", NULL);
	i = last("AT+CMGL=4");
	assert_true(i >= 0);
	answer(i, MODEM_OK, -1, "OK", hdr, hex, NULL);
}

char in_number[64], in_text[256];
int in_calls;

int
on_sms_in(const char *number, const uint8_t *data, size_t len, void *arg)
{
	in_calls++;
	util_strlcpy(in_number, number, sizeof in_number);
	snprintf(in_text, sizeof in_text, "%.*s", (int)len, (const char *)data);
	return arg != NULL;
}

void
out_row(long long id, char *status, size_t slen, int *attempts, char *mr,
    size_t mrlen)
{
	sqlite3_stmt *st = store_stmt("SELECT status, attempts, mr FROM sms "
	    "WHERE id = ?1", "i", id);

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	util_strlcpy(status, (const char *)sqlite3_column_text(st, 0), slen);
	*attempts = sqlite3_column_int(st, 1);
	if (mr != NULL)
		util_strlcpy(mr, (const char *)sqlite3_column_text(st, 2),
		    mrlen);
	sqlite3_finalize(st);
}

void
start(void)
{
	char err[256];
	struct conf c;

	memset(&c, 0, sizeof c);
	assert_int_equal(sms_init(base, &c, err, sizeof err), 0);
	run();
}

long long f_commits;

static int
count_commit(void *arg)
{
	f_commits++;
	return 0;
}

int
setup(void **state)
{
	char db[300], e[256];
	struct conf c;

	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof db, "%s/cellgate.db", dir);
	base = event_base_new();
	assert_int_equal(store_open(db, e, sizeof e), 0);
	sqlite3_commit_hook(store_db(), count_commit, NULL);
	settings_init();
	memset(&c, 0, sizeof c);
	assert_int_equal(auth_password_init(&c, e, sizeof e), 0);
	assert_int_equal(auth_password_set(ROLE_ADMIN, "12345", e, sizeof e),
	    0);
	assert_int_equal(settings_set_text(settings_find("sms.retries"), "1",
	    e, sizeof e), 0);
	fn = 0;
	start();
	return 0;
}

int
teardown(void **state)
{
	char p[300];

	sms_shutdown();
	settings_shutdown();
	store_close();
	event_base_free(base);
	snprintf(p, sizeof p, "rm -rf %s", dir);
	(void)!system(p);
	memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
	return 0;
}
