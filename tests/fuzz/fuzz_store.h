/*
 * fuzz_store.h: a store in a fresh temporary directory ($TMPDIR, else
 * /tmp) for harnesses that run code needing one, made once per process
 * with the settings registry on it (durability off: it is thrown away),
 * removed with everything in it at exit.
 */
#ifndef CG_FUZZ_STORE_H
#define CG_FUZZ_STORE_H

/* Make it (aborts on failure); the directory, for files of the caller's.
 * `cleanup` (may be NULL) runs at exit before the store is closed. */
const char *fuzz_store_open(const char *name, void (*cleanup)(void));

#endif
