/*
 * fuzz_store.h: what harnesses running daemon code need around it, made
 * once per process: the store (in memory: nothing is written) with the
 * settings registry on it, and, for code that needs files, a fresh
 * directory inside the working directory (where libFuzzer also leaves
 * its findings; nothing is written elsewhere), removed at exit.
 */
#ifndef CG_FUZZ_STORE_H
#define CG_FUZZ_STORE_H

/* The store and the settings; the log quiet but for errors.  Aborts on
 * failure. */
void fuzz_store_open(const char *name);
/* The directory, relative to the working directory.  `cleanup` (may be
 * NULL) runs at exit before it is removed with everything in it. */
const char *fuzz_store_dir(const char *name, void (*cleanup)(void));

#endif
