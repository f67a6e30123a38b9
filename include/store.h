/*
 * store.h: the SQLite state database: opened once at start with WAL,
 * synchronous=FULL and a quick_check; schema kept by numbered migrations.
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

/* Transactions, which nest (inner ones are savepoints); store_commit
 * returns -1 (and rolls back that level) on failure. */
int store_begin(void);
int store_commit(void);
void store_rollback(void);
/* Write the log into the database file and truncate the log. */
int store_checkpoint(void);
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
