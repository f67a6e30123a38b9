/*
 * dns.c: name resolution without ever blocking the loop, for every module
 * that needs it (the bridge's sockets, the cloud link's broker).  glibc's getaddrinfo_a() resolves in the background
 * and signals completion with a real-time signal, which is blocked and
 * read from a signalfd watched by the loop; each completion scans the
 * pending requests.  Numeric addresses are answered at once (from the
 * loop, never from inside the caller).  A cancelled request stays in the
 * list, silent, until glibc is done with its memory.
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

#include "dns.h"
#include "log.h"
#include "util.h"

#define DNS_SIGNAL	(SIGRTMIN + 3)
#define DNS_HOST_MAX	256

struct dns_req {
	struct gaicb		 cb;
	struct addrinfo		 hints;
	struct sigevent		 sev;
	char			 host[DNS_HOST_MAX];
	char			 port[8];
	int			 numeric;	/* resolved at once */
	int			 numeric_rc;
	struct addrinfo		*numeric_res;
	dns_cb		*done;
	void			*arg;
	struct dns_req	*next;
};

static struct event_base *dns_base;
static int dns_users;		/* modules that started the resolver */
static int dns_sfd = -1;
static struct event *dns_ev;
static struct event *dns_now_ev;	/* numeric answers */
static struct dns_req *dns_list;

static void
dns_unlink(struct dns_req *d)
{
	struct dns_req **pp;

	for (pp = &dns_list; *pp != NULL; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			return;
		}
}

static void
dns_free(struct dns_req *d)
{
	if (d->numeric) {
		if (d->numeric_res != NULL)
			freeaddrinfo(d->numeric_res);
	} else if (d->cb.ar_result != NULL)
		freeaddrinfo(d->cb.ar_result);
	free(d);
}

/* Deliver every finished request. */
static void
dns_scan(void)
{
	struct dns_req *d, *next;

	for (d = dns_list; d != NULL; d = next) {
		int rc;

		next = d->next;
		if (d->numeric)
			rc = d->numeric_rc;
		else if ((rc = gai_error(&d->cb)) == EAI_INPROGRESS)
			continue;
		dns_unlink(d);
		if (d->done != NULL)
			d->done(rc, rc == 0 ? (d->numeric ? d->numeric_res :
			    d->cb.ar_result) : NULL, d->arg);
		dns_free(d);
		next = dns_list;	/* the callback may have changed it */
	}
}

static void
dns_sig_cb(evutil_socket_t fd, short what, void *arg)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	dns_scan();
}

static void
dns_now_cb(evutil_socket_t fd, short what, void *arg)
{
	dns_scan();
}

int
dns_init(struct event_base *base, char *err, size_t errlen)
{
	sigset_t set;

	if (dns_users++ > 0)
		return 0;
	dns_base = base;
	sigemptyset(&set);
	sigaddset(&set, DNS_SIGNAL);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (dns_sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1) {
		snprintf(err, errlen, "signalfd: %s", strerror(errno));
		return -1;
	}
	dns_ev = event_new(base, dns_sfd, EV_READ | EV_PERSIST,
	    dns_sig_cb, NULL);
	dns_now_ev = event_new(base, -1, 0, dns_now_cb, NULL);
	if (dns_ev == NULL || dns_now_ev == NULL ||
	    event_add(dns_ev, NULL) == -1) {
		snprintf(err, errlen, "cannot watch the resolver");
		return -1;
	}
	return 0;
}

void
dns_shutdown(void)
{
	struct dns_req *d;

	if (dns_users == 0 || --dns_users > 0)
		return;
	/* Cancel what glibc still holds; wait (bounded) for what it can't
	 * cancel, so its memory is not freed under its feet. */
	for (d = dns_list; d != NULL; d = d->next) {
		d->done = NULL;
		if (!d->numeric && gai_cancel(&d->cb) == EAI_NOTCANCELED) {
			const struct gaicb *l[1] = { &d->cb };
			struct timespec ts = { 2, 0 };

			gai_suspend(l, 1, &ts);
		}
	}
	while ((d = dns_list) != NULL) {
		dns_list = d->next;
		if (d->numeric || gai_error(&d->cb) != EAI_INPROGRESS)
			dns_free(d);
		/* else: still running after the wait; left to the exit */
	}
	if (dns_ev != NULL)
		event_free(dns_ev);
	if (dns_now_ev != NULL)
		event_free(dns_now_ev);
	dns_ev = dns_now_ev = NULL;
	if (dns_sfd != -1)
		close(dns_sfd);
	dns_sfd = -1;
	dns_base = NULL;
}

struct dns_req *
dns_start(const char *host, const char *port, int socktype,
    dns_cb *done, void *arg, char *err, size_t errlen)
{
	struct dns_req *d;
	struct gaicb *list[1];
	int rc;

	if (dns_base == NULL) {
		snprintf(err, errlen, "resolver not started");
		return NULL;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (util_strlcpy(d->host, host, sizeof d->host) >= sizeof d->host ||
	    util_strlcpy(d->port, port, sizeof d->port) >= sizeof d->port) {
		snprintf(err, errlen, "host name too long");
		free(d);
		return NULL;
	}
	d->done = done;
	d->arg = arg;
	d->hints.ai_family = AF_UNSPEC;
	d->hints.ai_socktype = socktype;
	d->hints.ai_flags = AI_NUMERICSERV;

	/* Numeric first: no thread, no signal. */
	d->hints.ai_flags |= AI_NUMERICHOST;
	rc = getaddrinfo(d->host, d->port, &d->hints, &d->numeric_res);
	d->hints.ai_flags &= ~AI_NUMERICHOST;
	if (rc == 0) {
		d->numeric = 1;
		d->next = dns_list;
		dns_list = d;
		event_active(dns_now_ev, EV_TIMEOUT, 0);
		return d;
	}
	d->numeric_res = NULL;
	d->cb.ar_name = d->host;
	d->cb.ar_service = d->port;
	d->cb.ar_request = &d->hints;
	d->sev.sigev_notify = SIGEV_SIGNAL;
	d->sev.sigev_signo = DNS_SIGNAL;
	d->sev.sigev_value.sival_ptr = d;
	list[0] = &d->cb;
	if ((rc = getaddrinfo_a(GAI_NOWAIT, list, 1, &d->sev)) != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
		    gai_strerror(rc));
		free(d);
		return NULL;
	}
	d->next = dns_list;
	dns_list = d;
	return d;
}

void
dns_cancel(struct dns_req *d)
{
	if (d == NULL)
		return;
	d->done = NULL;
	if (!d->numeric)
		gai_cancel(&d->cb);
}
