/*
 * spawn.c: fork/exec of a program named in a setting (see spawn.h), and
 * the reaping of those children.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* pipe2 */
#endif
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "settings.h"
#include "spawn.h"
#include "util.h"

#define SPAWN_MAX	16

static struct {
	pid_t		 pid;
	char		 what[32];
	spawn_exit_fn	*done;
	void		*arg;
} spawn_children[SPAWN_MAX];

int
spawn_check_setting(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *v = argc > 0 ? argv[0] : "";

	if (argc > 1) {
		snprintf(err, errlen, "one text expected");
		return -1;
	}
	if (*v != '\0' && *v != '/') {
		snprintf(err, errlen, "must start with an absolute path");
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e) {
			snprintf(err, errlen, "control characters refused");
			return -1;
		}
	/* the stored text is read back as comma-separated fields */
	if (strchr(v, ',') != NULL) {
		snprintf(err, errlen, "a comma is not allowed in a command");
		return -1;
	}
	if (util_strlcpy(out, v, outlen) >= outlen) {
		snprintf(err, errlen, "too long");
		return -1;
	}
	return 0;
}

int
spawn_check_reboot(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	if (argc == 1 && strcmp(argv[0], SPAWN_LOGIND) == 0) {
		util_strlcpy(out, SPAWN_LOGIND, outlen);
		return 0;
	}
	return spawn_check_setting(argc, argv, out, outlen, err, errlen);
}

/* A free slot, or -1 with err. */
static int
spawn_slot(char *err, size_t errlen)
{
	for (int slot = 0; slot < SPAWN_MAX; slot++)
		if (spawn_children[slot].pid == 0)
			return slot;
	snprintf(err, errlen, "too many programs running");
	return -1;
}

/* Fork with stdout on a pipe whose read end (non-blocking,
 * close-on-exec) goes to *outfd (or /dev/null when outfd is NULL),
 * stdin on a pipe whose write end goes to *infd likewise (or /dev/null),
 * and, with errfd, stderr on a pipe whose read end goes there (else the
 * daemon's).
 * The child gets the signal dispositions and mask a program expects (the
 * daemon ignores SIGPIPE) and leads its own process group.  The pid in
 * the parent, 0 in the child, -1 with err. */
static pid_t
spawn_fork(const char *what, int *outfd, int *infd, int *errfd,
    spawn_exit_fn *done, void *arg, char *err, size_t errlen)
{
	int slot, p[2] = { -1, -1 }, q[2] = { -1, -1 }, e[2] = { -1, -1 };
	sigset_t none;
	pid_t pid;

	if ((slot = spawn_slot(err, errlen)) == -1)
		return -1;
	if ((outfd != NULL && pipe2(p, O_CLOEXEC) == -1) ||
	    (infd != NULL && pipe2(q, O_CLOEXEC) == -1) ||
	    (errfd != NULL && pipe2(e, O_CLOEXEC) == -1)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		pid = -1;
		goto close;
	}
	if ((pid = fork()) == -1) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto close;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null != -1) {
			dup2(infd != NULL ? q[0] : null, 0);
			dup2(outfd != NULL ? p[1] : null, 1);
		}
		if (errfd != NULL)
			dup2(e[1], 2);
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0);
		return 0;
	}
	if (outfd != NULL) {
		close(p[1]);
		fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
		*outfd = p[0];
	}
	if (infd != NULL) {
		close(q[0]);
		fcntl(q[1], F_SETFL, fcntl(q[1], F_GETFL) | O_NONBLOCK);
		*infd = q[1];
	}
	if (errfd != NULL) {
		close(e[1]);
		fcntl(e[0], F_SETFL, fcntl(e[0], F_GETFL) | O_NONBLOCK);
		*errfd = e[0];
	}
	setpgid(pid, pid);	/* also here: a kill may come before the child's */
	spawn_children[slot].pid = pid;
	spawn_children[slot].done = done;
	spawn_children[slot].arg = arg;
	util_strlcpy(spawn_children[slot].what, what,
	    sizeof spawn_children[slot].what);
	return pid;
close:
	for (int i = 0; i < 2; i++) {
		if (p[i] != -1)
			close(p[i]);
		if (q[i] != -1)
			close(q[i]);
		if (e[i] != -1)
			close(e[i]);
	}
	return pid;
}

/* The program's path is absolute: 0, or -1 with err. */
static int
spawn_check_path(const char *path, char *err, size_t errlen)
{
	if (path == NULL || path[0] != '/') {
		snprintf(err, errlen, "the command must start with an "
		    "absolute path");
		return -1;
	}
	return 0;
}

pid_t
spawn_argv_env(const char *const *argv, const char *const *envp,
    const char *what, int *infd, int *errfd, spawn_exit_fn *done, void *arg,
    char *err, size_t errlen)
{
	pid_t pid;

	if (spawn_check_path(argv[0], err, errlen) == -1)
		return -1;
	if ((pid = spawn_fork(what, NULL, infd, errfd, done, arg, err,
	    errlen)) == 0) {
		execve(argv[0], (char *const *)argv, (char *const *)envp);
		_exit(127);
	}
	if (pid > 0)
		log_info("%s: %s started (pid %d)", what, argv[0], (int)pid);
	return pid;
}

void
spawn_kill(pid_t pid)
{
	if (spawn_running(pid))
		kill(-pid, SIGKILL);
}

pid_t
spawn_argv(const char *const *argv, const char *what, int *outfd,
    spawn_exit_fn *done, void *arg, char *err, size_t errlen)
{
	pid_t pid;

	if (spawn_check_path(argv[0], err, errlen) == -1)
		return -1;
	if ((pid = spawn_fork(what, outfd, NULL, NULL, done, arg, err,
	    errlen)) == 0) {
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid > 0)
		log_info("%s: %s started (pid %d)", what, argv[0], (int)pid);
	return pid;
}

pid_t
spawn_fn(int (*fn)(void *), void *arg, const char *what, int *outfd,
    char *err, size_t errlen)
{
	pid_t pid;

	if ((pid = spawn_fork(what, outfd, NULL, NULL, NULL, NULL, err,
	    errlen)) == 0)
		_exit(fn(arg));
	return pid;
}

pid_t
spawn_command(const char *cmdline, const char *what, char *err,
    size_t errlen)
{
	char cmd[SETTING_VALUE_MAX + 1], *argv[SPAWN_ARGV_MAX + 1], *p, *save;
	int argc = 0;

	util_strlcpy(cmd, cmdline, sizeof cmd);
	for (p = strtok_r(cmd, " \t", &save); p != NULL &&
	    argc < SPAWN_ARGV_MAX; p = strtok_r(NULL, " \t", &save))
		argv[argc++] = p;
	argv[argc] = NULL;
	return spawn_argv((const char *const *)argv, what, NULL, NULL, NULL,
	    err, errlen);
}

void
spawn_forget(pid_t pid)
{
	for (int i = 0; i < SPAWN_MAX; i++)
		if (pid > 0 && spawn_children[i].pid == pid)
			spawn_children[i].done = NULL;
}

int
spawn_running(pid_t pid)
{
	for (int i = 0; i < SPAWN_MAX; i++)
		if (pid > 0 && spawn_children[i].pid == pid)
			return 1;
	return 0;
}

void
spawn_reap(void)
{
	spawn_exit_fn *done;
	void *arg;
	pid_t pid;
	int st, code;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < SPAWN_MAX; i++) {
			if (spawn_children[i].pid != pid)
				continue;
			code = WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st);
			log_info("%s: exited with %d", spawn_children[i].what,
			    code);
			done = spawn_children[i].done;
			arg = spawn_children[i].arg;
			spawn_children[i].pid = 0;
			spawn_children[i].done = NULL;
			if (done != NULL)
				done(pid, code, arg);
		}
	}
}
