/*
 * sms_slots.c: the ledger of storage slots (table sms_rx_slots): for each
 * (storage, slot) the fingerprint of the message last committed from it,
 * the fingerprint it was stored under and whether the modem confirmed
 * its delete; direct deliveries (+CMT, +CDS) get a row each (storage '',
 * negative slot numbers).  A copy of a saved message can only be the same
 * slot read again before its delete was confirmed, or a direct delivery
 * and its stored copy; any other message with a known fingerprint is a
 * genuine repeat and is stored under fp#2, fp#3, ...
 *
 * A direct delivery's row serves only to recognise its stored copy, which
 * the modem lists at once or at the next start: a paired one is done and
 * goes, an unpaired one goes after SMS_SLOTS_DIRECT_KEEP_S unless it is
 * among the newest SMS_SLOTS_DIRECT_KEEP_MIN (a clock set at boot, from
 * 1970, makes every row look old), and at most SMS_SLOTS_DIRECT_MAX are
 * kept (a modem that stores no copies, the usual
 * +CNMI=2,2, would otherwise add a row for every message).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

#include "sms_slots.h"

#define SMS_SLOTS_REPEAT_MAX	10000
#define SMS_SLOTS_DIRECT_MAX	1000
#define SMS_SLOTS_DIRECT_KEEP_S	(30 * 86400)
#define SMS_SLOTS_DIRECT_KEEP_MIN 100	/* kept whatever the clock says */

/* A slot of a storage whose name is unknown (AT+CPMS? not understood)
 * is still a slot, never a direct delivery. */
static const char *
sms_slots_mem(const char *mem)
{
	return mem != NULL && mem[0] != '\0' ? mem : "?";
}

/* Is fp (time stamp scts) taken in the message log or among the parts?
 * 1, 0, -1. */
static int
sms_slots_taken(const char *fp, const char *scts)
{
	long long n = store_scalar(store_cached("SELECT (SELECT count(*) FROM "
	    "sms WHERE " SMS_FP_KEY("scts") " = " SMS_FP_KEY("?2") " AND "
	    "fingerprint = ?1) + (SELECT count(*) FROM sms_parts WHERE "
	    "fingerprint = ?1)", "tt", fp, scts), -1);

	return n < 0 ? -1 : n > 0;
}

/* The fingerprint a new message fp is stored under. */
static int
sms_slots_free_fp(const char *fp, const char *scts, char *stored,
    size_t len)
{
	int t;

	if (strlen(fp) + 8 > len)
		return -1;
	util_strlcpy(stored, fp, len);
	for (int n = 2; n < SMS_SLOTS_REPEAT_MAX; n++) {
		if ((t = sms_slots_taken(stored, scts)) != 1)
			return t;
		snprintf(stored, len, "%s#%d", fp, n);
	}
	return -1;
}

/* Committed before this ledger existed (the database was upgraded):
 * stored under fp itself, with a row id from before the upgrade. */
static int
sms_slots_legacy(const char *fp, const char *scts)
{
	return store_scalar(store_stmt("SELECT (SELECT count(*) FROM sms "
	    "WHERE " SMS_FP_KEY("scts") " = " SMS_FP_KEY("?2") " AND "
	    "fingerprint = ?1 AND id <= (SELECT CAST(value AS INTEGER) "
	    "FROM meta WHERE key = 'sms_rx_slots_sms'))"
	    " + (SELECT count(*) FROM sms_parts WHERE fingerprint = ?1 AND "
	    "rowid <= (SELECT CAST(value AS INTEGER) FROM meta WHERE key = "
	    "'sms_rx_slots_parts'))", "tt", fp, scts), -1);
}

int
sms_slots_classify(const char *mem, int slot, const char *fp,
    const char *scts, char *stored, size_t storedlen)
{
	long long n;

	if (slot < 0) {
		/* direct: the copy of a stored message still on the modem
		 * that no direct delivery was paired with yet */
		n = store_scalar(store_stmt("SELECT rowid FROM sms_rx_slots "
		    "WHERE mem <> '' AND fingerprint = ?1 AND deleted = 0 AND "
		    "paired = 0 LIMIT 1", "t", fp), 0);
		if (n < 0)
			return -1;
		if (n > 0)
			return store_done(store_stmt("UPDATE sms_rx_slots SET "
			    "paired = 1 WHERE rowid = ?1", "i", n)) == -1 ?
			    -1 : 1;
		return sms_slots_free_fp(fp, scts, stored, storedlen);
	}
	mem = sms_slots_mem(mem);
	/* the same slot read again before its delete was confirmed */
	n = store_scalar(store_stmt("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = ?1 AND slot = ?2 AND fingerprint = ?3 AND deleted = 0",
	    "tdt", mem, slot, fp), -1);
	if (n != 0)
		return n < 0 ? -1 : 1;
	/* the stored copy of a direct delivery not paired yet */
	n = store_scalar(store_stmt("SELECT rowid FROM sms_rx_slots WHERE "
	    "mem = '' AND fingerprint = ?1 AND paired = 0 ORDER BY slot DESC "
	    "LIMIT 1", "t", fp), 0);
	if (n < 0)
		return -1;
	if (n > 0) {
		if (store_done(store_stmt("UPDATE sms_rx_slots SET paired = 1 "
		    "WHERE rowid = ?1", "i", n)) == -1 ||
		    store_done(store_stmt("INSERT OR REPLACE INTO sms_rx_slots"
		    "(mem, slot, fingerprint, stored, deleted, paired, time) "
		    "SELECT ?1, ?2, fingerprint, stored, 0, 1, ?3 FROM "
		    "sms_rx_slots WHERE rowid = ?4", "tdii", mem, slot,
		    (long long)time(NULL), n)) == -1)
			return -1;
		return 1;
	}
	n = store_scalar(store_stmt("SELECT count(*) FROM sms_rx_slots WHERE "
	    "mem = ?1 AND slot = ?2", "td", mem, slot), -1);
	if (n < 0)
		return -1;
	if (n == 0 && (n = sms_slots_legacy(fp, scts)) != 0)
		return n < 0 ? -1 : 1;
	return sms_slots_free_fp(fp, scts, stored, storedlen);
}

int
sms_slots_record(const char *mem, int slot, const char *fp,
    const char *stored)
{
	long long now = time(NULL);

	if (slot < 0)
		/* direct deliveries: 0 down to -N, newest lowest */
		return store_done(store_stmt("DELETE FROM sms_rx_slots WHERE "
		    "mem = '' AND (paired = 1 OR slot > (SELECT min(slot) "
		    "FROM sms_rx_slots WHERE mem = '') + (CASE WHEN time < ?1 "
		    "THEN ?2 ELSE ?3 END))", "iii",
		    now - SMS_SLOTS_DIRECT_KEEP_S,
		    (long long)SMS_SLOTS_DIRECT_KEEP_MIN - 1,
		    (long long)SMS_SLOTS_DIRECT_MAX - 2)) == -1 ||
		    store_done(store_stmt("INSERT INTO sms_rx_slots(mem, "
		    "slot, fingerprint, stored, time) SELECT '', coalesce("
		    "min(slot), 0) - 1, ?1, ?2, ?3 FROM sms_rx_slots WHERE "
		    "mem = ''", "tti", fp, stored, now)) == -1 ? -1 : 0;
	/* the slot's row changed in place (a replaced row would move, and
	 * its key's index entry with it: two more pages written) */
	return store_done(store_cached("INSERT INTO sms_rx_slots(mem, slot, "
	    "fingerprint, stored, time) VALUES (?1, ?2, ?3, ?4, ?5) ON "
	    "CONFLICT(mem, slot) DO UPDATE SET fingerprint = "
	    "excluded.fingerprint, stored = excluded.stored, deleted = 0, "
	    "paired = 0, time = excluded.time", "tdtti", sms_slots_mem(mem),
	    slot, fp, stored, now));
}

/* A replayable commit: if a power cut loses it, the slot still counts
 * as holding its message until a listing does not show it
 * (sms_slots_reconcile()), and a new message read from it differs. */
int
sms_slots_deleted(const char *mem, int slot)
{
	if (store_begin_replayable() == -1)
		return -1;
	if (store_done(store_stmt("UPDATE sms_rx_slots SET deleted = 1 "
	    "WHERE mem = ?1 AND slot = ?2", "td", sms_slots_mem(mem),
	    slot)) == -1) {
		store_rollback();
		return -1;
	}
	return store_commit();
}

int
sms_slots_reconcile(const char *mem, const int *listed, size_t n)
{
	sqlite3_stmt *st;
	int slots[512], ns = 0, rc = 0;

	st = store_stmt("SELECT slot FROM sms_rx_slots WHERE mem = ?1 AND "
	    "deleted = 0", "t", sms_slots_mem(mem));
	if (st == NULL)
		return -1;
	while (ns < (int)nitems(slots) && sqlite3_step(st) == SQLITE_ROW) {
		int s = sqlite3_column_int(st, 0);
		size_t i;

		for (i = 0; i < n && listed[i] != s; i++)
			;
		if (i == n)
			slots[ns++] = s;
	}
	sqlite3_finalize(st);
	for (int i = 0; i < ns && rc == 0; i++)
		rc = sms_slots_deleted(mem, slots[i]);
	return rc;
}
