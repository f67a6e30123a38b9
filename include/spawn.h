/*
 * spawn.h: running a program named in a setting: the modem's power-cycle
 * hook, the system reboot command.  Never through a shell, never with data
 * from outside (those settings are SETTING_LOCAL: only the config file and
 * cellgatectl change them); the program must be given by absolute path;
 * the daemon reaps children on SIGCHLD and logs how they ended.
 */
#ifndef CG_SPAWN_H
#define CG_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#define SPAWN_ARGV_MAX	16

/* The parse hook of such a setting: empty, or "/path arg ...", printable
 * ASCII only. */
int spawn_check_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen);

/* Start `cmdline` (split on blanks) with standard input and output on
 * /dev/null; `what` names it in the log.  The pid, or -1 with err. */
pid_t spawn_command(const char *cmdline, const char *what, char *err,
    size_t errlen);
/* A supervised child (pppd for the data link): argv as given (argv[0]
 * an absolute path), standard input and output on /dev/null, standard
 * error the daemon's.  done (may be NULL) is called from the loop when it
 * ended: its exit status, or 128 + the signal.  The pid, or -1 with err. */
typedef void spawn_exit_fn(pid_t, int status, void *arg);
pid_t spawn_argv(const char *const *argv, const char *what,
    spawn_exit_fn *done, void *arg, char *err, size_t errlen);
/* No callback for this child any more (its owner stopped). */
void spawn_forget(pid_t);
/* Is this child still running (not reaped yet)? */
int spawn_running(pid_t);
/* Reap every finished child (on SIGCHLD). */
void spawn_reap(void);

#endif
