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
/* system.reboot_command's: the same, or the word SPAWN_LOGIND (REBOOT#
 * asks logind over D-Bus, sysbus.h). */
#define SPAWN_LOGIND	"logind"
int spawn_check_reboot(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen);

/* Start `cmdline` (split on blanks) with standard input and output on
 * /dev/null; `what` names it in the log.  The pid, or -1 with err. */
pid_t spawn_command(const char *cmdline, const char *what, char *err,
    size_t errlen);
/* Start argv[0] (an absolute path) with argv, no shell, standard input
 * on /dev/null; with outfd, its standard output is a pipe whose
 * non-blocking read end goes there (the caller closes it), else
 * /dev/null; standard error is the daemon's.  done (may be NULL) is called
 * from the loop when it ended, with its exit status or 128 + the signal.
 * The pid, or -1 with err. */
typedef void spawn_exit_fn(pid_t, int status, void *arg);
pid_t spawn_argv(const char *const *argv, const char *what, int *outfd,
    spawn_exit_fn *done, void *arg, char *err, size_t errlen);
/* As spawn_argv, but with only the environment envp (NULL-ended
 * "NAME=value" strings), standard output on /dev/null, standard input a
 * pipe whose non-blocking write end goes to *infd (the caller writes and
 * closes it) and standard error a pipe whose non-blocking read end goes
 * to *errfd (the caller reads, escapes and closes it). */
pid_t spawn_argv_env(const char *const *argv, const char *const *envp,
    const char *what, int *infd, int *errfd, spawn_exit_fn *done, void *arg,
    char *err, size_t errlen);
/* Kill a running child and whatever it started (each child leads its own
 * process group); its done callback follows when it is reaped. */
void spawn_kill(pid_t);
/* Run fn(arg) in a child (no exec; fn only reads a file and writes to
 * its stdout, then returns the exit code), stdout as for spawn_argv. */
pid_t spawn_fn(int (*fn)(void *), void *arg, const char *what, int *outfd,
    char *err, size_t errlen);
/* No callback for this child any more (its owner stopped). */
void spawn_forget(pid_t);
/* Is this child still running (not reaped yet)? */
int spawn_running(pid_t);
/* Reap every finished child (on SIGCHLD). */
void spawn_reap(void);

#endif
