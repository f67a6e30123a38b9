/*
 * test_sms_rx.c: the SMS receive side (src/sms/sms_rx.c, sms_rx_save.c,
 * sms_slots.c) against the fake modem of fake_modem.c.
 *
 * Shown: a slot is never deleted twice for one read (a listing that saw
 * a message whose delete is pending queues no second delete, so a
 * message the network puts into the freed slot is read, not deleted);
 * a read that fails or an indication that cannot be queued lists the
 * storage again after a short delay, and only when the modem is ready;
 * listings are coalesced; the four memory-full indications drain the
 * storage; identical messages in two slots are both stored (a repeat),
 * a slot read again before its delete was confirmed (also after a
 * restart) is a copy, and so is the stored copy of a +CMT; a listing
 * that shows a slot empty confirms its delete; a return to ready with
 * no initialisation (the modem event only) lists too, once; a message
 * from before the ledger (an upgraded database) listed again is a copy;
 * the direct deliveries' rows of the ledger stay bounded; a PDU on the
 * header's line is read like one on its own; a read still in flight when
 * the modem becomes ready keeps its slot.
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
#include <json-c/json.h>
#include <sqlite3.h>

#include "events.h"
#include "modem.h"
#include "pdu.h"
#include "sms.h"
#include "store.h"
#include "util.h"

#include "fake_modem.h"

#define IN_ROWS	"SELECT count(*) FROM sms WHERE direction = 'in'"

static void
hdr_pdu(int slot, const char *from, const char *text, char *hdr,
    size_t hdrlen, char *hex, size_t hexlen, int cmgl)
{
	unsigned len;

	deliver_pdu(from, text, hex, hexlen, &len);
	if (cmgl)
		snprintf(hdr, hdrlen, "+CMGL: %d,0,,%u", slot, len);
	else
		snprintf(hdr, hdrlen, "+CMGR: 0,,%u", len);
}

/* Answer the listing's AT+CPMS? (used of 30). */
static void
answer_cpms(int used)
{
	char line[80];
	int i = last("AT+CPMS?");

	assert_true(i >= 0);
	snprintf(line, sizeof line, "+CPMS: \"SM\",%d,30,\"SM\",%d,30,"
	    "\"SM\",%d,30", used, used, used);
	answer(i, MODEM_OK, -1, "OK", line, NULL);
}

/* Let timers run until a command starting with prefix has been sent n
 * times (a deadline of 10 s of loop time). */
static void
wait_sent(const char *prefix, int n)
{
	time_t end = time(NULL) + 10;

	while (nsent(prefix) < n && time(NULL) < end)
		event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(nsent(prefix), n);
}

/* Only commands queued and not answered yet count as pending. */
static int
pending(const char *prefix)
{
	int n = 0;

	for (int i = 0; i < fn; i++)
		n += strncmp(fq[i].cmd, prefix, strlen(prefix)) == 0 &&
		    !fq[i].answered && !fq[i].cancelled;
	return n;
}

/* The listing saw the message a +CMTI read had read, while its delete
 * was pending: no second AT+CMGD, and the message the network then puts
 * into the freed slot survives to be read. */
static void
test_no_second_delete(void **state)
{
	char hdr[64], hex[PDU_HEX_MAX + 1], hdr2[64], hex2[PDU_HEX_MAX + 1];
	int list, read;

	ready();
	answer_cpms(1);
	list = last("AT+CMGL=4");
	assert_true(list >= 0);
	urc("+CMTI: \"SM\",3", NULL);
	read = last("AT+CMGR=3");
	assert_true(read >= 0);
	hdr_pdu(3, "+491701234567", "first", hdr, sizeof hdr, hex, sizeof hex,
	    0);
	answer(read, MODEM_OK, -1, "OK", hdr, hex, NULL);
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(nsent("AT+CMGD=3"), 1);
	/* the listing ran before that delete: it shows the same message */
	hdr_pdu(3, "+491701234567", "first", hdr, sizeof hdr, hex, sizeof hex,
	    1);
	answer(list, MODEM_OK, -1, "OK", hdr, hex, NULL);
	assert_int_equal(nsent("AT+CMGD=3"), 1);
	assert_int_equal(count(IN_ROWS), 1);
	answer(last("AT+CMGD=3"), MODEM_OK, -1, "OK", NULL);
	/* a held message arrives in the freed slot: read and deleted once */
	urc("+CMTI: \"SM\",3", NULL);
	hdr_pdu(3, "+491701234567", "second", hdr2, sizeof hdr2, hex2,
	    sizeof hex2, 0);
	answer(last("AT+CMGR=3"), MODEM_OK, -1, "OK", hdr2, hex2, NULL);
	assert_int_equal(count(IN_ROWS), 2);
	assert_int_equal(nsent("AT+CMGD=3"), 2);
}

/* Modems that put the PDU on the header's line after a blank
 * ("+CMGR: 0,,24 0791..."; "+CMGL: 1,0,,24 0791..." in a listing): the
 * message is read, stored and deleted as with the PDU on its own line. */
static void
test_pdu_on_header_line(void **state)
{
	char hdr[64], hex[PDU_HEX_MAX + 1], line[64 + PDU_HEX_MAX + 2];
	int list;

	ready();
	answer_cpms(1);
	list = last("AT+CMGL=4");
	assert_true(list >= 0);
	hdr_pdu(4, "+491701234567", "joined", hdr, sizeof hdr, hex,
	    sizeof hex, 1);
	snprintf(line, sizeof line, "%s %s", hdr, hex);
	answer(list, MODEM_OK, -1, "OK", line, NULL);
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(nsent("AT+CMGD=4"), 1);
	urc("+CMTI: \"SM\",5", NULL);
	hdr_pdu(5, "+491701234567", "joined too", hdr, sizeof hdr, hex,
	    sizeof hex, 0);
	snprintf(line, sizeof line, "%s %s", hdr, hex);
	answer(last("AT+CMGR=5"), MODEM_OK, -1, "OK", line, NULL);
	assert_int_equal(count(IN_ROWS), 2);
	assert_int_equal(nsent("AT+CMGD=5"), 1);
}

/* A listing after a completed delete sees the slot's new content: that
 * one is deleted (its own read). */
static void
test_delete_after_new_content(void **state)
{
	char hdr[64], hex[PDU_HEX_MAX + 1];

	list_one(2, "+491701234567", "one");
	assert_int_equal(nsent("AT+CMGD=2"), 1);
	answer(last("AT+CMGD=2"), MODEM_OK, -1, "OK", NULL);
	ready();
	answer_cpms(1);
	hdr_pdu(2, "+491701234567", "two", hdr, sizeof hdr, hex, sizeof hex,
	    1);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", hdr, hex, NULL);
	assert_int_equal(count(IN_ROWS), 2);
	assert_int_equal(nsent("AT+CMGD=2"), 2);
}

/* A read cut off by a recovery is made good by a listing, once the
 * modem is ready again (a recovery that ends without a ready call). */
static void
test_failed_read_lists_again(void **state)
{
	ready();
	answer_cpms(0);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	assert_int_equal(nsent("AT+CPMS?"), 1);
	urc("+CMTI: \"SM\",7", NULL);
	f_state = MODEM_RECOVERING;
	answer(last("AT+CMGR=7"), MODEM_GONE, -1, "GONE", NULL);
	/* not ready: the retry waits (no submit is even tried) */
	event_base_loop(base, EVLOOP_ONCE);
	assert_int_equal(nsent("AT+CPMS?"), 1);
	f_state = MODEM_READY;
	wait_sent("AT+CPMS?", 2);
	answer_cpms(1);
	assert_int_equal(pending("AT+CMGL=4"), 1);
}

/* An indication that cannot be queued is not dropped. */
static void
test_unqueued_indication(void **state)
{
	ready();
	answer_cpms(0);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	f_state = MODEM_REGISTERING;	/* submits refused */
	urc("+CMTI: \"SM\",9", NULL);
	assert_int_equal(nsent("AT+CMGR=9"), 0);
	f_state = MODEM_READY;
	wait_sent("AT+CPMS?", 2);
	answer_cpms(1);
	list_one(9, "+491701234567", "was missed");
	assert_int_equal(count(IN_ROWS), 1);
}

/* At most one listing at a time; one more after it when asked for
 * meanwhile, however often. */
static void
test_listings_coalesced(void **state)
{
	ready();
	assert_int_equal(nsent("AT+CPMS?"), 1);
	urc("+CIEV: \"smsfull\",1", NULL);
	urc("^SMMEMFULL: \"SM\"", NULL);
	assert_int_equal(nsent("AT+CPMS?"), 1);
	answer_cpms(30);
	urc("+QIND: \"smsfull\",\"SM\"", NULL);
	assert_int_equal(nsent("AT+CPMS?"), 1);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	assert_int_equal(nsent("AT+CPMS?"), 2);
	answer_cpms(0);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	assert_int_equal(nsent("AT+CPMS?"), 2);
}

/* Each memory-full shape lists the storage; other indicators do not. */
static void
test_memory_full_shapes(void **state)
{
	const char *full[] = { "+CIEV: \"smsfull\",1", "+CIEV: \"SMSFULL\",1",
	    "+QIND: \"smsfull\",\"ME\"", "^SMMEMFULL: \"SM\"" };
	const char *other[] = { "+CIEV: \"smsfull\",0", "+CIEV: \"signal\",3",
	    "+QIND: \"csq\",20,99" };
	int n = 0;

	for (size_t i = 0; i < nitems(full); i++) {
		urc(full[i], NULL);
		assert_int_equal(nsent("AT+CPMS?"), ++n);
		answer_cpms(30);
		answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	}
	for (size_t i = 0; i < nitems(other); i++)
		urc(other[i], NULL);
	assert_int_equal(nsent("AT+CPMS?"), n);
}

/* Two identical messages (same sender, time stamp and text) in two
 * slots are two messages; both slots read again before their deletes
 * were confirmed are copies; the same message after a confirmed delete
 * is a third. */
static void
test_identical_messages(void **state)
{
	char h1[64], h2[64], hex[PDU_HEX_MAX + 1];

	hdr_pdu(1, "+491701234567", "same text", h1, sizeof h1, hex,
	    sizeof hex, 1);
	hdr_pdu(2, "+491701234567", "same text", h2, sizeof h2, hex,
	    sizeof hex, 1);
	ready();
	answer_cpms(2);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", h1, hex, h2, hex, NULL);
	assert_int_equal(count(IN_ROWS), 2);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE fingerprint "
	    "LIKE '%#2'"), 1);
	/* the deletes fail: the copies are listed again */
	answer(last("AT+CMGD=1"), MODEM_ERROR, -1, "ERROR", NULL);
	answer(last("AT+CMGD=2"), MODEM_ERROR, -1, "ERROR", NULL);
	wait_sent("AT+CPMS?", 2);
	answer_cpms(2);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", h1, hex, h2, hex, NULL);
	assert_int_equal(count(IN_ROWS), 2);
	assert_int_equal(nsent("AT+CMGD=1"), 2);
	answer(last("AT+CMGD=1"), MODEM_OK, -1, "OK", NULL);
	/* a confirmed delete: the same message in slot 1 again is new */
	ready();
	answer_cpms(2);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", h1, hex, h2, hex, NULL);
	assert_int_equal(count(IN_ROWS), 3);
}

/* Stopped after the commit, before the delete: the slot listed at the
 * next start is a copy. */
static void
test_restart_copy(void **state)
{
	list_one(4, "+491701234567", "before the crash");
	assert_int_equal(count(IN_ROWS), 1);
	sms_shutdown();
	fn = 0;
	start();
	list_one(4, "+491701234567", "before the crash");
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(nsent("AT+CMGD=4"), 1);
}

/* A +CMT and its stored copy are one message; a second +CMT of the same
 * is a repeat. */
static void
test_direct_and_stored(void **state)
{
	char hex[PDU_HEX_MAX + 1];
	unsigned len;

	deliver_pdu("+491701234567", "direct", hex, sizeof hex, &len);
	urc("+CMT: ,20", hex);
	assert_int_equal(count(IN_ROWS), 1);
	list_one(6, "+491701234567", "direct");
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(nsent("AT+CMGD=6"), 1);
	urc("+CMT: ,20", hex);
	assert_int_equal(count(IN_ROWS), 2);
}

#define DIRECT_ROWS "SELECT count(*) FROM sms_rx_slots WHERE mem = ''"

static void
direct(const char *text)
{
	char hex[PDU_HEX_MAX + 1];
	unsigned len;

	deliver_pdu("+491701234567", text, hex, sizeof hex, &len);
	urc("+CMT: ,20", hex);
}

/* n more direct deliveries in the ledger, newer than any there, made
 * age_s seconds ago. */
static void
add_direct_rows(int n, long long age_s)
{
	char sql[512];

	snprintf(sql, sizeof sql, "WITH RECURSIVE n(i) AS (SELECT 1 UNION "
	    "ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO sms_rx_slots"
	    "(mem, slot, fingerprint, stored, time) SELECT '', (SELECT "
	    "min(slot) FROM sms_rx_slots WHERE mem = '') - i, 'bulk' || i, "
	    "'bulk' || i, strftime('%%s', 'now') - %lld FROM n", n, age_s);
	assert_int_equal(sqlite3_exec(store_db(), sql, NULL, NULL, NULL),
	    SQLITE_OK);
}

/* The direct deliveries' ledger stays bounded: a row whose stored copy
 * was seen goes, so does one older than 30 days unless among the newest
 * 100, and at most 1000 are kept; a copy listed while its row is kept is
 * still a copy. */
static void
test_direct_ledger_bounded(void **state)
{
	direct("d1");
	direct("d2");
	assert_int_equal(count(DIRECT_ROWS), 2);
	list_one(6, "+491701234567", "d1");	/* d1's stored copy */
	assert_int_equal(count(IN_ROWS), 2);
	direct("d3");
	assert_int_equal(count(DIRECT_ROWS), 2);	/* d2, d3 */
	assert_int_equal(count("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = '' AND paired = 1"), 0);
	/* a month old, with 150 more as old: all but the newest 100 go */
	assert_int_equal(sqlite3_exec(store_db(), "UPDATE sms_rx_slots SET "
	    "time = time - 31 * 86400 WHERE mem = ''", NULL, NULL, NULL),
	    SQLITE_OK);
	add_direct_rows(150, 31 * 86400);
	direct("d4");
	assert_int_equal(count(DIRECT_ROWS), 101);
	assert_int_equal(count("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = '' AND fingerprint IN (SELECT fingerprint FROM sms WHERE "
	    "text IN ('d2', 'd3'))"), 0);
	/* a long run of messages the modem never stored */
	add_direct_rows(1500, 0);
	direct("d5");
	assert_int_equal(count(DIRECT_ROWS), 1000);
	list_one(7, "+491701234567", "d5");	/* the newest: still paired */
	assert_int_equal(count(IN_ROWS), 5);
}

/* A delete whose answer was lost: a listing that shows the slot empty
 * confirms it, so the same message in that slot later is a repeat. */
static void
test_listing_confirms_delete(void **state)
{
	list_one(5, "+491701234567", "again and again");
	answer(last("AT+CMGD=5"), MODEM_GONE, -1, "GONE", NULL);
	ready();
	answer_cpms(0);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	assert_int_equal(count("SELECT deleted FROM sms_rx_slots WHERE "
	    "mem = 'SM' AND slot = 5"), 1);
	list_one(5, "+491701234567", "again and again");
	assert_int_equal(count(IN_ROWS), 2);
}

/* A message committed before the ledger existed (an upgraded database)
 * and listed again is a copy; one committed after it is not. */
static void
test_upgraded_database(void **state)
{
	list_one(3, "+491701234567", "from before the upgrade");
	assert_int_equal(store_done(store_stmt("DELETE FROM sms_rx_slots",
	    "")), 0);
	assert_int_equal(store_done(store_stmt("UPDATE meta SET value = "
	    "(SELECT max(id) FROM sms) WHERE key = 'sms_rx_slots_sms'", "")),
	    0);
	list_one(3, "+491701234567", "from before the upgrade");
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(store_done(store_stmt("UPDATE meta SET value = '0' "
	    "WHERE key = 'sms_rx_slots_sms'", "")), 0);
	assert_int_equal(store_done(store_stmt("DELETE FROM sms_rx_slots",
	    "")), 0);
	list_one(3, "+491701234567", "from before the upgrade");
	assert_int_equal(count(IN_ROWS), 2);
}

/* A modem whose AT+CPMS? answer is not understood: its slots are still
 * slots (a re-read is a copy), not direct deliveries. */
static void
test_storage_name_unknown(void **state)
{
	char hdr[64], hex[PDU_HEX_MAX + 1];

	hdr_pdu(2, "+491701234567", "where am I", hdr, sizeof hdr, hex,
	    sizeof hex, 1);
	for (int round = 0; round < 2; round++) {
		ready();
		answer(last("AT+CPMS?"), MODEM_ERROR, -1, "ERROR", NULL);
		answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", hdr, hex, NULL);
	}
	assert_int_equal(count(IN_ROWS), 1);
	assert_int_equal(count("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = '?' AND slot = 2"), 1);
}

static void
modem_event(const char *state)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "change", json_object_new_string("state"));
	events_publish("modem", o);
}

/* Ready again after a recovery that ran no initialisation: listed; with
 * the ready hook as well (an initialisation): listed once. */
static void
test_ready_without_init(void **state)
{
	modem_event("ready");
	run();
	assert_int_equal(nsent("AT+CPMS?"), 1);
	answer_cpms(0);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", NULL);
	modem_event("recovering");
	run();
	assert_int_equal(nsent("AT+CPMS?"), 1);
	modem_event("ready");
	ready();
	assert_int_equal(nsent("AT+CPMS?"), 2);
}

/* A read queued while the modem was still initialising (a +CMTI before
 * the ready hook: the port takes commands in every state) is still in
 * flight after that hook.  Its slot's entry must stay its own: given to
 * another slot meanwhile, the message would be saved as that slot's and
 * then listed again from its own slot as a repeat, run twice. */
static void
test_read_across_ready(void **state)
{
	char h1[64], x1[PDU_HEX_MAX + 1], h2[64], x2[PDU_HEX_MAX + 1];
	char l1[64], l2[64];
	int read1;

	/* slot 1 held a message before, deleted: the ledger has a row */
	list_one(1, "+491701234567", "earlier");
	answer(last("AT+CMGD=1"), MODEM_OK, -1, "OK", NULL);
	urc("+CMTI: \"SM\",1", NULL);
	read1 = last("AT+CMGR=1");
	assert_true(read1 >= 0);
	ready();			/* the read is still in flight */
	urc("+CMTI: \"SM\",2", NULL);
	hdr_pdu(1, "+491701234567", "once only", h1, sizeof h1, x1,
	    sizeof x1, 0);
	answer(read1, MODEM_OK, -1, "OK", h1, x1, NULL);
	hdr_pdu(2, "+491707654321", "second", h2, sizeof h2, x2, sizeof x2,
	    0);
	answer(last("AT+CMGR=2"), MODEM_OK, -1, "OK", h2, x2, NULL);
	assert_int_equal(count(IN_ROWS), 3);
	assert_int_equal(count("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = 'SM' AND slot = 1 AND deleted = 0 AND fingerprint IN "
	    "(SELECT fingerprint FROM sms WHERE text = 'once only')"), 1);
	/* the listing ran before those deletes: both are copies */
	answer_cpms(2);
	hdr_pdu(1, "+491701234567", "once only", l1, sizeof l1, x1,
	    sizeof x1, 1);
	hdr_pdu(2, "+491707654321", "second", l2, sizeof l2, x2, sizeof x2,
	    1);
	answer(last("AT+CMGL=4"), MODEM_OK, -1, "OK", l1, x1, l2, x2, NULL);
	assert_int_equal(count(IN_ROWS), 3);
	assert_int_equal(count("SELECT count(*) FROM sms WHERE fingerprint "
	    "LIKE '%#2'"), 0);
	assert_int_equal(nsent("AT+CMGD=1"), 2);
	assert_int_equal(nsent("AT+CMGD=2"), 1);
}

static int
setup_rx(void **state)
{
	f_state = MODEM_READY;
	return setup(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_second_delete,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_pdu_on_header_line,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_delete_after_new_content,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_failed_read_lists_again,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_unqueued_indication,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_listings_coalesced,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_memory_full_shapes,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_identical_messages,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_restart_copy,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_direct_and_stored,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_direct_ledger_bounded,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_listing_confirms_delete,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_ready_without_init,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_upgraded_database,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_storage_name_unknown,
		    setup_rx, teardown),
		cmocka_unit_test_setup_teardown(test_read_across_ready,
		    setup_rx, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
