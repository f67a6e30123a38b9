/*
 * cloud_dns.c: the broker's name resolved without blocking the loop, the
 * way the bridge does it (bridge_dns.c): glibc's getaddrinfo_a() resolves
 * in the background and signals completion with its own real-time signal,
 * blocked and read from a signalfd the loop watches.  One request at a
 * time (the link resolves one name); numeric addresses are answered from
 * the loop at once.  A cancelled request that glibc is still running is
 * kept until it finishes, so its memory is never freed under glibc's feet.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "cloud_int.h"
#include "util.h"

#define CLOUD_DNS_SIGNAL	(SIGRTMIN + 4)

struct cloud_dns_req {
	struct gaicb		 cb;
	struct addrinfo		 hints;
	struct sigevent		 sev;
	char			 host[256];
	int			 numeric;
	struct addrinfo		*numeric_res;
	int			 cancelled;
	struct cloud_dns_req	*next;	/* cancelled ones still running */
};

static int cloud_dns_sfd = -1;
static struct event *cloud_dns_ev, *cloud_dns_now_ev;
static struct cloud_dns_req *cloud_dns_cur;
static struct cloud_dns_req *cloud_dns_zombies;
static cloud_dns_cb *cloud_dns_done;
static void *cloud_dns_arg;

static void
cloud_dns_free(struct cloud_dns_req *d)
{
	if (d->numeric) {
		if (d->numeric_res != NULL)
			freeaddrinfo(d->numeric_res);
	} else if (d->cb.ar_result != NULL)
		freeaddrinfo(d->cb.ar_result);
	free(d);
}

static void
cloud_dns_reap(void)
{
	struct cloud_dns_req **pp = &cloud_dns_zombies, *d;

	while ((d = *pp) != NULL) {
		if (gai_error(&d->cb) != EAI_INPROGRESS) {
			*pp = d->next;
			cloud_dns_free(d);
		} else
			pp = &d->next;
	}
}

static void
cloud_dns_finish(void)
{
	struct cloud_dns_req *d = cloud_dns_cur;
	int rc;

	if (d == NULL)
		return;
	rc = d->numeric ? 0 : gai_error(&d->cb);
	if (rc == EAI_INPROGRESS)
		return;
	cloud_dns_cur = NULL;
	if (cloud_dns_done != NULL)
		cloud_dns_done(rc, rc == 0 ? (d->numeric ? d->numeric_res :
		    d->cb.ar_result) : NULL, cloud_dns_arg);
	cloud_dns_free(d);
}

static void
cloud_dns_sig_cb(evutil_socket_t fd, short what, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	cloud_dns_reap();
	cloud_dns_finish();
}

static void
cloud_dns_now_cb(evutil_socket_t fd, short what, void *arg)
{
	cloud_dns_finish();
}

int
cloud_dns_init(struct event_base *base, char *err, size_t errlen)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, CLOUD_DNS_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (cloud_dns_sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1) {
		snprintf(err, errlen, "cloud: signalfd: %s", strerror(errno));
		return -1;
	}
	cloud_dns_ev = event_new(base, cloud_dns_sfd, EV_READ | EV_PERSIST,
	    cloud_dns_sig_cb, NULL);
	cloud_dns_now_ev = event_new(base, -1, 0, cloud_dns_now_cb, NULL);
	if (cloud_dns_ev == NULL || cloud_dns_now_ev == NULL ||
	    event_add(cloud_dns_ev, NULL) == -1) {
		snprintf(err, errlen, "cloud: cannot watch the resolver");
		return -1;
	}
	return 0;
}

void
cloud_dns_cancel(void)
{
	struct cloud_dns_req *d = cloud_dns_cur;

	if (d == NULL)
		return;
	cloud_dns_cur = NULL;
	if (d->numeric || gai_cancel(&d->cb) == EAI_CANCELED ||
	    gai_error(&d->cb) != EAI_INPROGRESS) {
		cloud_dns_free(d);
		return;
	}
	d->next = cloud_dns_zombies;
	cloud_dns_zombies = d;
}

void
cloud_dns_shutdown(void)
{
	struct cloud_dns_req *d;

	cloud_dns_done = NULL;
	cloud_dns_cancel();
	for (d = cloud_dns_zombies; d != NULL; d = d->next) {
		const struct gaicb *l[1] = { &d->cb };
		struct timespec ts = { 2, 0 };

		gai_suspend(l, 1, &ts);	/* bounded: glibc may still run it */
	}
	cloud_dns_reap();	/* what still runs is left to the exit */
	cloud_dns_zombies = NULL;
	if (cloud_dns_ev != NULL)
		event_free(cloud_dns_ev);
	if (cloud_dns_now_ev != NULL)
		event_free(cloud_dns_now_ev);
	cloud_dns_ev = cloud_dns_now_ev = NULL;
	if (cloud_dns_sfd != -1)
		close(cloud_dns_sfd);
	cloud_dns_sfd = -1;
}

int
cloud_dns_start(const char *host, cloud_dns_cb *done, void *arg, char *err,
    size_t errlen)
{
	struct cloud_dns_req *d;
	struct gaicb *list[1];
	int rc;

	cloud_dns_cancel();
	if ((d = calloc(1, sizeof *d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (util_strlcpy(d->host, host, sizeof d->host) >= sizeof d->host) {
		snprintf(err, errlen, "host name too long");
		free(d);
		return -1;
	}
	cloud_dns_done = done;
	cloud_dns_arg = arg;
	d->hints.ai_family = AF_UNSPEC;
	d->hints.ai_socktype = SOCK_STREAM;
	d->hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(d->host, NULL, &d->hints, &d->numeric_res) == 0) {
		d->numeric = 1;
		cloud_dns_cur = d;
		event_active(cloud_dns_now_ev, EV_TIMEOUT, 0);
		return 0;
	}
	d->numeric_res = NULL;
	d->hints.ai_flags = 0;
	d->cb.ar_name = d->host;
	d->cb.ar_request = &d->hints;
	d->sev.sigev_notify = SIGEV_SIGNAL;
	d->sev.sigev_signo = CLOUD_DNS_SIGNAL;
	list[0] = &d->cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &d->sev)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(rc));
		free(d);
		return -1;
	}
	cloud_dns_cur = d;
	return 0;
}
