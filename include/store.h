/*
 * store.h: the SQLite state database: opened once at start with WAL,
 * synchronous=FULL (replayable commits aside) and a quick_check; schema kept by numbered migrations.
 * Owns the tables of runtime settings, user defaults and device facts;
 * other modules add their own tables through migrations here.
 */
#ifndef CG_STORE_H
#define CG_STORE_H

#include <stddef.h>

struct sqlite3;

int store_open(const char *path, char *err, size_t errlen);
void store_close(void);
struct sqlite3 *store_db(void);
int store_schema_version(void);

/* One statement binding up to two text parameters (?1, ?2; NULL = none);
 * -1 with store_errmsg() on failure. */
int store_run(const char *sql, const char *a, const char *b,
    const char *what);

/* The one prepared-statement helper: prepare sql and bind ?1, ?2, ... by
 * types ('t' text, NULL binds NULL; 'i' long long; 'd' int); NULL on
 * failure.  store_done() steps a statement that returns no rows and
 * finalizes it (0 or -1); store_scalar() the first column of the first
 * row (dflt when none or NULL), finalized.  Both accept NULL (failed
 * prepare) and then fail / give dflt.  Errors in store_errmsg(). */
struct sqlite3_stmt;
struct sqlite3_stmt *store_stmt(const char *sql, const char *types, ...);
int store_done(struct sqlite3_stmt *);
long long store_scalar(struct sqlite3_stmt *, long long dflt);
/* For hot paths: the same, but prepared once and kept, sql being a string
 * constant (its address names it).  Finish it with store_done(),
 * store_scalar() or store_release() (never sqlite3_finalize()), before
 * the next use of the same sql. */
struct sqlite3_stmt *store_cached(const char *sql, const char *types, ...);
/* Finish a statement: a kept one is reset for its next use, any other
 * finalized. */
void store_release(struct sqlite3_stmt *);

/* Transactions, which nest (inner ones are savepoints); store_commit
 * returns -1 (and rolls back that level) on failure.  A transaction that
 * SQLite rolled back by itself (disk full, I/O error) runs no further
 * statement: each fails until the caller's commit or rollback. */
int store_begin(void);
/* A transaction that a restart can replay or repair when a power cut
 * loses it (never a kill of the process): committed without waiting for
 * the disk, made durable by the next durable commit or checkpoint.
 * Inside another transaction, a savepoint of that one. */
int store_begin_replayable(void);
int store_commit(void);
void store_rollback(void);
/* The current nesting level: 0 none, 1 the outermost transaction, 2 and
 * more its savepoints. */
int store_txn_level(void);

/*
 * Memory that mirrors rows (a module's cache of what it wrote) follows
 * the transactions: a module that changes such memory while a
 * transaction is open records how to undo the change.  If the level the
 * record was made at is rolled back (a savepoint, or the whole
 * transaction, also by a failed commit), fn(data, 1) runs, newest record
 * first; when the outermost transaction commits, fn(data, 0) runs (the
 * change stays: free data).  A released savepoint's records belong to
 * the level around it.  fn runs after the database's rollback, and may
 * change memory and write to the store (at the level left open).
 * 0 recorded; 1 no transaction is open (nothing to undo: the change is
 * final, and data stays the caller's).
 */
typedef void store_undo_fn(void *data, int undo);
int store_undo_push(store_undo_fn *fn, void *data);
/* Write the log into the database file and truncate the log. */
int store_checkpoint(void);
/* What a change removes is zeroed: full (1) also in pages it frees, which
 * costs writes (for content that reached the disk and must not linger
 * there); else (0, the default) only in pages written anyway. */
int store_secure_delete(int full);
/* 1 when the disk holding the database is nearly full (less than 256 KiB
 * free): work that can wait should. */
int store_room_low(void);
/* Last error as text (names disk full and read-only cases plainly). */
const char *store_errmsg(void);

/* Runtime settings (name -> canonical value text). */
int store_setting_put(const char *name, const char *value);
int store_setting_del(const char *name);
int store_settings_foreach(int (*cb)(const char *name, const char *value,
    void *arg), void *arg);

/* User defaults (AT+CFGTF saves them, AT+RELD restores them). */
int store_userdef_clear(void);
int store_userdef_put(const char *name, const char *value);
int store_userdefs_foreach(int (*cb)(const char *name, const char *value,
    void *arg), void *arg);

/* Device facts, e.g. the generated serial number. */
int store_meta_get(const char *key, char *out, size_t outlen);
int store_meta_put(const char *key, const char *value);

/* Password hashes by role name ("superadmin", "admin"). */
int store_password_get(const char *role, char *out, size_t outlen);
int store_password_put(const char *role, const char *hash);

#endif
