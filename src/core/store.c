/*
 * store.c: the SQLite database.  Opening it checks integrity, turns on WAL
 * with synchronous=FULL (a committed row survives power loss; a commit
 * begun with store_begin_replayable() is written without waiting for the
 * disk, see there), and brings the schema up to date with the numbered
 * migrations below, each applied in its own transaction and recorded in
 * PRAGMA user_version.  Hot statements are prepared once and kept
 * (store_cached()).  Errors carry plain words for the two cases users
 * meet: a full disk and a database that cannot be written.
 *
 * The integrity check at the open runs after an unclean stop only
 * (store_stopped_unclean()).
 *
 * Storage wear: a new database gets 512-byte pages (a commit writes each
 * page it changed to the write-ahead log, so small pages write less for
 * the few rows a message changes); the log is copied into the file when
 * it reaches STORE_WAL_BYTES, so a page changed by many commits is
 * written there once.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "util.h"

static sqlite3 *store;
static char store_err[256];

#define STORE_PAGE_SIZE	512	/* for a database created now */
#define STORE_WAL_BYTES	(4 << 20)	/* automatic checkpoint */
#define STORE_CACHED_MAX 64	/* statements kept prepared */
#define STORE_ROOM_MIN	(256 * 1024)	/* see store_room_low() */
#define STORE_STR_(x)	#x
#define STORE_STR(x)	STORE_STR_(x)

static char *store_path;

/* Migration N brings the schema from version N to N + 1.  Never edit a
 * released migration: append a new one. */
static const char *const store_migrations[] = {
	/* 0 -> 1: settings, user defaults, device facts */
	"CREATE TABLE settings ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL,"
	"  changed INTEGER NOT NULL DEFAULT (strftime('%s','now')));"
	"CREATE TABLE settings_user_default ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 1 -> 2: password hashes (auth_password.c) */
	"CREATE TABLE passwords ("
	"  role TEXT PRIMARY KEY,"
	"  hash TEXT NOT NULL,"
	"  changed INTEGER NOT NULL DEFAULT (strftime('%s','now')));",
	/* 2 -> 3: phonebook and lockout (phonebook.c, auth_lockout.c) */
	"CREATE TABLE phonebook ("
	"  pos INTEGER PRIMARY KEY,"
	"  number TEXT NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT 'user',"
	"  require_password INTEGER NOT NULL DEFAULT 1,"
	"  call_action TEXT NOT NULL DEFAULT 'hangup',"
	"  alarm_sms INTEGER NOT NULL DEFAULT 1,"
	"  alarm_call INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX phonebook_number ON phonebook(number);"
	"CREATE TABLE auth_failures ("
	"  number TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX auth_failures_number ON auth_failures(number);"
	"CREATE TABLE auth_lockouts ("
	"  number TEXT PRIMARY KEY,"
	"  until INTEGER NOT NULL);",
	/* 3 -> 4: the message log and outbox, and concatenation parts
	 * (src/sms/sms_store.c) */
	"CREATE TABLE sms ("
	"  id INTEGER PRIMARY KEY,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  number TEXT NOT NULL,"
	"  text TEXT,"
	"  data_hex TEXT,"
	"  coding TEXT NOT NULL DEFAULT 'auto',"
	"  kind TEXT NOT NULL DEFAULT 'text',"
	"  status TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  scts TEXT,"
	"  fingerprint TEXT UNIQUE,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL DEFAULT 0,"
	"  parts INTEGER NOT NULL DEFAULT 1,"
	"  parts_sent INTEGER NOT NULL DEFAULT 0,"
	"  mr TEXT NOT NULL DEFAULT '',"
	"  error TEXT,"
	"  delivery TEXT,"
	"  origin TEXT);"
	"CREATE INDEX sms_status ON sms(direction, status);"
	"CREATE TABLE sms_parts ("
	"  fingerprint TEXT PRIMARY KEY,"
	"  number TEXT NOT NULL,"
	"  ref INTEGER NOT NULL,"
	"  parts INTEGER NOT NULL,"
	"  part INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  scts TEXT,"
	"  received INTEGER NOT NULL,"
	"  msg_id INTEGER);"
	"CREATE INDEX sms_parts_msg ON sms_parts(number, ref, parts, msg_id);",
	/* 4 -> 5: the cloud link's uplink event queue, kept until the
	 * broker acknowledged each (src/cloud/cloud_queue.c) */
	"CREATE TABLE cloud_events ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL,"
	"  payload TEXT NOT NULL,"
	"  time INTEGER NOT NULL);",
	/* 5 -> 6: the message log shows an incoming message redacted from
	 * its receipt; the text as received, needed to run its commands, is
	 * kept apart until it is processed (src/sms/sms_store.c) */
	"ALTER TABLE sms ADD COLUMN text_clear TEXT;",
	/* 6 -> 7: the ledger of storage slots: what was committed from
	 * each and whether its delete was confirmed, so that a slot read
	 * again is a copy and an identical new message a repeat
	 * (src/sms/sms_slots.c); rows committed before it are remembered
	 * by their last ids */
	"CREATE TABLE sms_rx_slots ("
	"  mem TEXT NOT NULL,"
	"  slot INTEGER NOT NULL,"
	"  fingerprint TEXT NOT NULL,"
	"  stored TEXT NOT NULL,"
	"  deleted INTEGER NOT NULL DEFAULT 0,"
	"  paired INTEGER NOT NULL DEFAULT 0,"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (mem, slot));"
	"CREATE INDEX sms_rx_slots_fp ON sms_rx_slots(fingerprint);"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'sms_rx_slots_sms', "
	"  coalesce(max(id), 0) FROM sms;"
	"INSERT OR REPLACE INTO meta(key, value) SELECT 'sms_rx_slots_parts', "
	"  coalesce(max(rowid), 0) FROM sms_parts;",
	/* 7 -> 8: how far an outgoing message's current part got
	 * (src/sms/sms_tx.c): 'none' nothing of it written, 'sent-pdu'
	 * its PDU written after AT+CMGS, 'write-pdu' written after
	 * AT+CMGW (slot not known yet), 'stored' in the modem's storage
	 * at store_index */
	"ALTER TABLE sms ADD COLUMN progress TEXT NOT NULL DEFAULT 'none';"
	"ALTER TABLE sms ADD COLUMN store_index INTEGER;",
	/* 8 -> 9: stored copies of sent (or failed) parts whose delete the
	 * modem has not confirmed yet (src/sms/sms_tx_copies.c) */
	"CREATE TABLE sms_tx_copies ("
	"  slot INTEGER PRIMARY KEY,"
	"  pdu TEXT NOT NULL,"
	"  time INTEGER NOT NULL);",
	/* 9 -> 10: the programs run for messages, one row per message and
	 * event: 'pending' (waiting for its turn or its next try),
	 * 'running', 'done', 'failed' (tries used up), 'skipped' (no
	 * program set when its turn came) (src/sms/sms_hook.c) */
	"CREATE TABLE sms_hooks ("
	"  id INTEGER PRIMARY KEY,"
	"  sms_id INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'pending',"
	"  tries INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL DEFAULT 0,"
	"  result TEXT,"
	"  updated INTEGER NOT NULL,"
	"  UNIQUE (sms_id, event));"
	"CREATE INDEX sms_hooks_state ON sms_hooks(state, id);",
	/* 10 -> 11: the message log indexes only messages still open or
	 * to be shown as failed or uncertain, by direction: a message
	 * processed or sent leaves the index and one going from queued to
	 * sending stays where it is (before, each step of a message moved
	 * its entry between pages of their own); and the time of each
	 * message, for the daily count (src/sms/sms_store.c) */
	"DROP INDEX sms_status;"
	"CREATE INDEX sms_open ON sms(direction) WHERE "
	"  status = 'new' OR status = 'queued' OR status = 'sending' OR "
	"  status = 'uncertain' OR status = 'failed';"
	"CREATE INDEX sms_time ON sms(time);"
	/* the ledger is small (a row per slot, and at most 1000 for
	 * direct deliveries): looked up by fingerprint it is read through,
	 * and a message's row costs no index page */
	"DROP INDEX sms_rx_slots_fp;",
	/* 11 -> 12: a message is found by its fingerprint through the
	 * second of its service-centre time stamp (scts), the key
	 * SMS_FP_KEY() in src/sms/sms_int.h, not through the fingerprint
	 * itself: a small number that grows with time, so a new message's
	 * entry goes at the end of the index, where the last one went,
	 * instead of among its sender's older ones in a tree of keys of
	 * some 60 bytes that each new entry splits further as the log
	 * grows.  The fingerprint stays one per message (the store checks
	 * before it inserts), no longer a UNIQUE constraint, whose index
	 * cannot be dropped but with its table: the table is copied once. */
	"CREATE TABLE sms_new ("
	"  id INTEGER PRIMARY KEY,"
	"  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	"  number TEXT NOT NULL,"
	"  text TEXT,"
	"  data_hex TEXT,"
	"  coding TEXT NOT NULL DEFAULT 'auto',"
	"  kind TEXT NOT NULL DEFAULT 'text',"
	"  status TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  scts TEXT,"
	"  fingerprint TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL DEFAULT 0,"
	"  parts INTEGER NOT NULL DEFAULT 1,"
	"  parts_sent INTEGER NOT NULL DEFAULT 0,"
	"  mr TEXT NOT NULL DEFAULT '',"
	"  error TEXT,"
	"  delivery TEXT,"
	"  origin TEXT,"
	"  text_clear TEXT,"
	"  progress TEXT NOT NULL DEFAULT 'none',"
	"  store_index INTEGER);"
	"INSERT INTO sms_new SELECT id, direction, number, text, data_hex, "
	"  coding, kind, status, time, updated, scts, fingerprint, attempts, "
	"  next_try, parts, parts_sent, mr, error, delivery, origin, "
	"  text_clear, progress, store_index FROM sms;"
	"DROP TABLE sms;"
	"ALTER TABLE sms_new RENAME TO sms;"
	"CREATE INDEX sms_open ON sms(direction) WHERE "
	"  status = 'new' OR status = 'queued' OR status = 'sending' OR "
	"  status = 'uncertain' OR status = 'failed';"
	"CREATE INDEX sms_time ON sms(time);"
	"CREATE INDEX sms_fp ON sms(coalesce(CAST(strftime('%s', scts) AS "
	"  INTEGER), 0)) WHERE fingerprint IS NOT NULL;",
};

static void
store_set_err(int rc, const char *what)
{
	const char *msg = store != NULL ? sqlite3_errmsg(store) :
	    sqlite3_errstr(rc);
	int sys = store != NULL ? sqlite3_system_errno(store) : 0;

	/* a write refused for lack of space comes back as an I/O error */
	if ((rc & 0xff) == SQLITE_IOERR &&
	    (sys == ENOSPC || sys == EFBIG || sys == EDQUOT))
		rc = SQLITE_FULL;
	switch (rc & 0xff) {
	case SQLITE_FULL:
		snprintf(store_err, sizeof store_err,
		    "%s: disk full (%s)", what, msg);
		break;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		snprintf(store_err, sizeof store_err,
		    "%s: database cannot be written (%s)", what, msg);
		break;
	default:
		snprintf(store_err, sizeof store_err, "%s: %s", what, msg);
	}
}

const char *
store_errmsg(void)
{
	return store_err;
}

static int
store_exec(const char *sql, const char *what)
{
	int rc = sqlite3_exec(store, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		store_set_err(rc, what);
		return -1;
	}
	return 0;
}

/* Transactions nest: the outermost is BEGIN IMMEDIATE ... COMMIT, inner
 * ones are savepoints, so a caller can wrap work that itself uses
 * transactions (e.g. an SMS and the commands it runs) into one. */
static int store_depth;
/* A failed commit undid its level: the caller's store_rollback() right
 * after it has nothing left to do.  Any other use of the store comes
 * first clears it, so that a rollback of the level around is not taken
 * for that one. */
static int store_rolled_back;

/* Undo records of memory changed inside the open levels, oldest first. */
struct store_undo {
	int		 level;
	store_undo_fn	*fn;
	void		*data;
};
static struct store_undo *store_undos;
static size_t store_nundo, store_undo_cap;
/* The open transaction was begun with store_begin_replayable(). */
static int store_replayable;

/* Statements prepared once (store_cached()), by the address of their
 * text: a string constant of the caller's. */
static struct {
	const char	*sql;
	sqlite3_stmt	*st;
} store_cache[STORE_CACHED_MAX];
static size_t store_ncached;

/* SQLite rolls a transaction back by itself on some errors (a full disk,
 * an I/O error); what the caller runs next would then commit on its own,
 * apart from the work it belongs with.  Refuse it instead. */
static int
store_txn_lost(const char *what)
{
	if (store_depth == 0 || store == NULL || !sqlite3_get_autocommit(store))
		return 0;
	snprintf(store_err, sizeof store_err, "%s: the transaction was "
	    "rolled back by an earlier error", what);
	return 1;
}

int
store_txn_level(void)
{
	return store_depth;
}

int
store_undo_push(store_undo_fn *fn, void *data)
{
	struct store_undo *u;

	if (store_depth == 0)
		return 1;
	if (store_nundo == store_undo_cap) {
		size_t cap = store_undo_cap == 0 ? 16 : 2 * store_undo_cap;

		if ((u = realloc(store_undos, cap * sizeof *u)) == NULL)
			fatal("realloc");
		store_undos = u;
		store_undo_cap = cap;
	}
	u = &store_undos[store_nundo++];
	u->level = store_depth;
	u->fn = fn;
	u->data = data;
	return 0;
}

/* Level `level` ended, rolled back (undo) or committed.  A committed
 * savepoint's records move to the level around it; the others run, taken
 * out first, so that one which changes memory again records it at the
 * level still open. */
static void
store_undo_end(int level, int undo)
{
	struct store_undo *tail;
	size_t from = store_nundo, n;

	while (from > 0 && store_undos[from - 1].level >= level)
		from--;
	if ((n = store_nundo - from) == 0)
		return;
	if (!undo && level > 1) {
		for (size_t i = from; i < store_nundo; i++)
			store_undos[i].level = level - 1;
		return;
	}
	if ((tail = calloc(n, sizeof *tail)) == NULL)
		fatal("calloc");
	memcpy(tail, store_undos + from, n * sizeof *tail);
	store_nundo = from;
	if (undo)
		for (size_t i = n; i-- > 0;)
			tail[i].fn(tail[i].data, 1);
	else
		for (size_t i = 0; i < n; i++)
			tail[i].fn(tail[i].data, 0);
	free(tail);
}

int
store_begin(void)
{
	char sql[32];

	store_rolled_back = 0;
	if (store_depth == 0) {
		if (store_exec("BEGIN IMMEDIATE", "begin transaction") == -1)
			return -1;
	} else {
		/* a savepoint outside a transaction would start one */
		if (store_txn_lost("begin transaction"))
			return -1;
		snprintf(sql, sizeof sql, "SAVEPOINT sp%d", store_depth);
		if (store_exec(sql, "begin transaction") == -1)
			return -1;
	}
	store_depth++;
	return 0;
}

/* Commits are durable again (after a replayable transaction ended). */
static void
store_durable_again(void)
{
	if (!store_replayable)
		return;
	store_replayable = 0;
	sqlite3_exec(store, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
}

/*
 * A transaction whose loss to a power cut a restart repairs by itself
 * (bookkeeping such as "sent" or a confirmed delete, see cellgated(8)):
 * its commit is written to the log without waiting for the disk
 * (synchronous=NORMAL).  A kill of the process loses nothing of it; a
 * power cut loses it only until the next durable commit or checkpoint,
 * which syncs the log with everything before it.  Inside another
 * transaction it is a savepoint of that one, durable as that one.
 */
int
store_begin_replayable(void)
{
	/* SQLite takes the setting at the start of a transaction only */
	if (store_depth == 0) {
		if (store_exec("PRAGMA synchronous=NORMAL", "begin") == -1)
			return -1;
		store_replayable = 1;
	}
	if (store_begin() == -1) {
		store_durable_again();
		return -1;
	}
	return 0;
}

int
store_commit(void)
{
	char sql[32];

	store_rolled_back = 0;
	if (store_depth <= 1) {
		if (store_exec("COMMIT", "commit") == -1) {
			store_rollback();
			store_rolled_back = 1;
			return -1;
		}
		store_durable_again();
		store_depth = 0;
		store_undo_end(1, 0);
		return 0;
	}
	snprintf(sql, sizeof sql, "RELEASE sp%d", store_depth - 1);
	if (store_txn_lost("commit") || store_exec(sql, "commit") == -1) {
		store_rollback();
		store_rolled_back = 1;
		return -1;
	}
	store_undo_end(store_depth--, 0);
	return 0;
}

void
store_rollback(void)
{
	char sql[64];

	if (store_rolled_back) {
		/* the caller's rollback after a failed commit: done already */
		store_rolled_back = 0;
		return;
	}
	if (store_depth > 1) {
		store_depth--;
		snprintf(sql, sizeof sql, "ROLLBACK TO sp%d; RELEASE sp%d",
		    store_depth, store_depth);
		if (!store_txn_lost("rollback"))
			sqlite3_exec(store, sql, NULL, NULL, NULL);
		store_undo_end(store_depth + 1, 1);
		return;
	}
	store_depth = 0;
	if (!sqlite3_get_autocommit(store))
		sqlite3_exec(store, "ROLLBACK", NULL, NULL, NULL);
	store_durable_again();
	store_undo_end(1, 1);
}

int
store_secure_delete(int full)
{
	return store_exec(full ? "PRAGMA secure_delete=ON" :
	    "PRAGMA secure_delete=FAST", "secure delete");
}

/* Copy the write-ahead log into the database file and empty the log
 * (also erasing content that was replaced, with secure_delete on). */
int
store_checkpoint(void)
{
	int rc = sqlite3_wal_checkpoint_v2(store, NULL,
	    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

	if (rc != SQLITE_OK) {
		store_set_err(rc, "checkpoint");
		return -1;
	}
	return 0;
}

/* Is the disk nearly full: less than STORE_ROOM_MIN bytes free where the
 * database is (and its write-ahead log grows)?  Work that can wait
 * (running commands) then waits, so that what cannot (saving messages,
 * recording what was sent) keeps the room.  0 when it cannot be told. */
int
store_room_low(void)
{
	struct statvfs sv;

	if (store_path == NULL || statvfs(store_path, &sv) == -1)
		return 0;
	return (unsigned long long)sv.f_bavail * sv.f_frsize < STORE_ROOM_MIN;
}

int
store_schema_version(void)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(store, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
store_migrate(void)
{
	int v = store_schema_version();
	int n = (int)nitems(store_migrations);
	char sql[64];

	if (v < 0) {
		store_set_err(SQLITE_ERROR, "read schema version");
		return -1;
	}
	if (v > n) {
		snprintf(store_err, sizeof store_err, "database schema version "
		    "%d is newer than this program knows (%d)", v, n);
		return -1;
	}
	for (; v < n; v++) {
		if (store_begin() == -1)
			return -1;
		if (store_exec(store_migrations[v], "migration") == -1) {
			store_rollback();
			return -1;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if (store_exec(sql, "migration") == -1 || store_commit() == -1) {
			store_rollback();
			return -1;
		}
		log_info("database schema migrated to version %d", v + 1);
	}
	return 0;
}

/* Did the last process to use the database stop without closing it (a
 * kill, a crash, a power cut)?  Its write-ahead log is then still there:
 * the last connection to close copies it into the file and removes it.
 * Only then is the file checked (PRAGMA quick_check) at the open: the
 * check reads every page, and a clean stop left nothing half done. */
static int
store_stopped_unclean(const char *path)
{
	char wal[4096];
	struct stat sb;

	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", path) >= sizeof wal)
		return 1;
	return stat(wal, &sb) == 0 || errno != ENOENT;
}

int
store_open(const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	char stamp[64];
	int rc, unclean;

	free(store_path);
	if ((store_path = strdup(path)) == NULL)
		fatal("strdup");
	unclean = store_stopped_unclean(path);
	rc = sqlite3_open_v2(path, &store, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(rc, path);
		goto fail;
	}
	sqlite3_busy_timeout(store, 2000);
	sqlite3_extended_result_codes(store, 1);
	rc = SQLITE_DONE;
	if (unclean && (rc = sqlite3_prepare_v2(store, "PRAGMA quick_check",
	    -1, &st, NULL)) == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW && strcmp((const char *)
		    sqlite3_column_text(st, 0), "ok") != 0) {
			snprintf(store_err, sizeof store_err,
			    "%s: integrity check failed: %s", path,
			    sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			goto unchecked;
		}
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_err(rc, path);
		goto unchecked;
	}
	if (store_exec("PRAGMA page_size=" STORE_STR(STORE_PAGE_SIZE),
	    path) == -1 ||
	    store_exec("PRAGMA journal_mode=WAL", path) == -1 ||
	    store_exec("PRAGMA synchronous=FULL", path) == -1 ||
	    store_exec("PRAGMA foreign_keys=ON", path) == -1 ||
	    /* zero what a change removes from a page it writes anyway:
	     * text replaced by its redacted form does not linger there
	     * (store_secure_delete(1) for content already on the disk) */
	    store_secure_delete(0) == -1 ||
	    store_migrate() == -1)
		goto fail;
	/* the log's size in bytes, whatever the pages (an older database
	 * keeps bigger ones) */
	snprintf(stamp, sizeof stamp, "PRAGMA wal_autocheckpoint=%lld",
	    STORE_WAL_BYTES / store_scalar(store_stmt("PRAGMA page_size", ""),
	    STORE_PAGE_SIZE));
	if (store_exec(stamp, path) == -1)
		goto fail;
	/* prove the file is writable now rather than at the first SMS */
	snprintf(stamp, sizeof stamp, "%lld", (long long)time(NULL));
	if (store_meta_put("last_start", stamp) == -1)
		goto fail;
	return 0;
unchecked:
	/* the close must leave the log (emptied) behind, so that the next
	 * start checks again */
	rc = 1;
	sqlite3_file_control(store, "main", SQLITE_FCNTL_PERSIST_WAL, &rc);
fail:
	snprintf(err, errlen, "%s", store_err);
	store_close();
	return -1;
}

void
store_close(void)
{
	/* closing rolls an open transaction back; the memory it changed is
	 * being dropped too, so its records are only freed */
	store_depth = 0;
	store_rolled_back = 0;
	store_replayable = 0;
	store_undo_end(1, 0);
	for (size_t i = 0; i < store_ncached; i++)
		sqlite3_finalize(store_cache[i].st);
	store_ncached = 0;
	free(store_path);
	store_path = NULL;
	free(store_undos);
	store_undos = NULL;
	store_nundo = store_undo_cap = 0;
	if (store != NULL) {
		sqlite3_close_v2(store);
		store = NULL;
	}
}

struct sqlite3 *
store_db(void)
{
	return store;
}

/* Run one statement binding up to two text parameters. */
int
store_run(const char *sql, const char *a, const char *b, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	store_rolled_back = 0;
	if (store_txn_lost(what))
		return -1;
	rc = sqlite3_prepare_v2(store, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(rc, what);
		return -1;
	}
	if (a != NULL)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		store_set_err(rc, what);
		return -1;
	}
	return 0;
}

/* Bind ?1, ?2, ... by types: 't' text (NULL binds NULL), 'i' long long,
 * 'd' int. */
static void
store_bind(sqlite3_stmt *st, const char *types, va_list ap)
{
	int i = 1;

	for (const char *t = types; *t != '\0'; t++, i++) {
		switch (*t) {
		case 't': {
			const char *s = va_arg(ap, const char *);

			if (s == NULL)
				sqlite3_bind_null(st, i);
			else
				sqlite3_bind_text(st, i, s, -1,
				    SQLITE_TRANSIENT);
			break;
		}
		case 'i':
			sqlite3_bind_int64(st, i, va_arg(ap, long long));
			break;
		default:
			sqlite3_bind_int(st, i, va_arg(ap, int));
		}
	}
}

/* The statement for sql (kept prepared when cache is set), or NULL. */
static sqlite3_stmt *
store_prepare(const char *sql, int cache)
{
	sqlite3_stmt *st;
	int rc;

	store_rolled_back = 0;
	if (store_txn_lost("query")) {
		log_warnx("store: %s", store_err);
		return NULL;
	}
	if (cache)
		for (size_t i = 0; i < store_ncached; i++)
			if (store_cache[i].sql == sql)
				return store_cache[i].st;
	if ((rc = sqlite3_prepare_v3(store, sql, -1, cache ?
	    SQLITE_PREPARE_PERSISTENT : 0, &st, NULL)) != SQLITE_OK) {
		store_set_err(rc, "query");
		log_warnx("store: %s", store_err);
		return NULL;
	}
	if (cache && store_ncached < STORE_CACHED_MAX) {
		store_cache[store_ncached].sql = sql;
		store_cache[store_ncached++].st = st;
	}
	return st;
}

/* Prepare sql (or take it kept) and bind: NULL on failure
 * (store_errmsg() says why). */
static sqlite3_stmt *
store_vstmt(const char *sql, int cache, const char *types, va_list ap)
{
	sqlite3_stmt *st = store_prepare(sql, cache);

	if (st != NULL)
		store_bind(st, types, ap);
	return st;
}

struct sqlite3_stmt *
store_stmt(const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = store_vstmt(sql, 0, types, ap);
	va_end(ap);
	return st;
}

struct sqlite3_stmt *
store_cached(const char *sql, const char *types, ...)
{
	sqlite3_stmt *st;
	va_list ap;

	va_start(ap, types);
	st = store_vstmt(sql, 1, types, ap);
	va_end(ap);
	return st;
}

void
store_release(struct sqlite3_stmt *st)
{
	for (size_t i = 0; i < store_ncached; i++)
		if (store_cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	sqlite3_finalize(st);
}

int
store_done(struct sqlite3_stmt *st)
{
	int rc;

	if (st == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_set_err(rc, "write");
	store_release(st);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", store_err);
		return -1;
	}
	return 0;
}

long long
store_scalar(struct sqlite3_stmt *st, long long dflt)
{
	long long v = dflt;

	if (st == NULL)
		return dflt;
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	store_release(st);
	return v;
}

static int
store_foreach(const char *sql, int (*cb)(const char *, const char *, void *),
    void *arg)
{
	sqlite3_stmt *st;
	int rc, r = 0;

	rc = sqlite3_prepare_v2(store, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		store_set_err(rc, "read");
		return -1;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = cb((const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1), arg);
		if (r != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_err(rc, "read");
		r = -1;
	}
	sqlite3_finalize(st);
	return r;
}

int
store_setting_put(const char *name, const char *value)
{
	return store_run("INSERT INTO settings(name, value) VALUES (?1, ?2) "
	    "ON CONFLICT(name) DO UPDATE SET value = excluded.value, "
	    "changed = strftime('%s','now')", name, value, "save setting");
}

int
store_setting_del(const char *name)
{
	return store_run("DELETE FROM settings WHERE name = ?1", name, NULL,
	    "reset setting");
}

int
store_settings_foreach(int (*cb)(const char *, const char *, void *),
    void *arg)
{
	return store_foreach("SELECT name, value FROM settings ORDER BY name",
	    cb, arg);
}

int
store_userdef_clear(void)
{
	return store_run("DELETE FROM settings_user_default", NULL, NULL,
	    "clear user defaults");
}

int
store_userdef_put(const char *name, const char *value)
{
	return store_run("INSERT OR REPLACE INTO settings_user_default"
	    "(name, value) VALUES (?1, ?2)", name, value, "save user default");
}

int
store_userdefs_foreach(int (*cb)(const char *, const char *, void *),
    void *arg)
{
	return store_foreach("SELECT name, value FROM settings_user_default "
	    "ORDER BY name", cb, arg);
}

int
store_password_get(const char *role, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int r = -1;

	if (sqlite3_prepare_v2(store, "SELECT hash FROM passwords WHERE "
	    "role = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    util_strlcpy(out, (const char *)sqlite3_column_text(st, 0),
	    outlen) < outlen)
		r = 0;
	sqlite3_finalize(st);
	return r;
}

int
store_password_put(const char *role, const char *hash)
{
	return store_run("INSERT OR REPLACE INTO passwords(role, hash) "
	    "VALUES (?1, ?2)", role, hash, "save password");
}

int
store_meta_get(const char *key, char *out, size_t outlen)
{
	sqlite3_stmt *st;
	int rc, r = -1;

	if (sqlite3_prepare_v2(store, "SELECT value FROM meta WHERE key = ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		util_strlcpy(out, (const char *)sqlite3_column_text(st, 0),
		    outlen);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int
store_meta_put(const char *key, const char *value)
{
	return store_run("INSERT OR REPLACE INTO meta(key, value) "
	    "VALUES (?1, ?2)", key, value, "save device facts");
}
