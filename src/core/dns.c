/*
 * dns.c: name resolution without ever blocking the loop, for every module
 * that needs it (the bridge's sockets, the cloud link's broker), through
 * libevent's own resolver (evdns: /etc/hosts, then the name servers of
 * /etc/resolv.conf over UDP on the loop).  Portable: no threads, no
 * signals, nothing glibc-only, so a musl build works the same.  Numeric
 * addresses, and names evdns answers at once (the hosts file), are
 * delivered from the loop, never from inside the caller.  resolv.conf is
 * read again when it changed (pppd's usepeerdns, DHCP on a new uplink),
 * which also opens fresh sockets to the servers on the current route.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/dns.h>
#include <event2/event.h>
#include <event2/util.h>

#include "dns.h"
#include "log.h"
#include "util.h"

#define DNS_HOST_MAX	256
#define DNS_RESOLV_CONF	"/etc/resolv.conf"

struct dns_req {
	char			 host[DNS_HOST_MAX];
	char			 port[8];
	struct evdns_getaddrinfo_request *pending;	/* evdns working */
	int			 finished;	/* rc and res are the answer */
	int			 rc;
	struct addrinfo		*res;
	int			 from_evdns;	/* res freed by evutil */
	int			 orphan;	/* nobody waits: free on answer */
	dns_cb			*done;		/* NULL: cancelled */
	void			*arg;
	struct dns_req		*next;
};

static struct event_base *dns_base;
static struct evdns_base *dns_evb;
static int dns_users;		/* modules that started the resolver */
static struct event *dns_now_ev;	/* deliver finished requests */
static struct dns_req *dns_list;
static struct timespec dns_conf_mtime;	/* resolv.conf as last read */
static ino_t dns_conf_ino;

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
	if (d->res != NULL) {
		if (d->from_evdns)
			evutil_freeaddrinfo(d->res);
		else
			freeaddrinfo(d->res);
	}
	free(d);
}

/* Deliver every finished request. */
static void
dns_scan(void)
{
	struct dns_req *d, *next;

	for (d = dns_list; d != NULL; d = next) {
		next = d->next;
		if (!d->finished)
			continue;
		dns_unlink(d);
		if (d->done != NULL)
			d->done(d->rc, d->rc == 0 ? d->res : NULL, d->arg);
		dns_free(d);
		next = dns_list;	/* the callback may have changed it */
	}
}

static void
dns_now_cb(evutil_socket_t fd, short what, void *arg)
{
	dns_scan();
}

/* evdns's answer: may come from inside evdns_getaddrinfo() (the hosts
 * file), so it is only recorded here and delivered from the loop. */
static void
dns_evdns_cb(int rc, struct evutil_addrinfo *res, void *arg)
{
	struct dns_req *d = arg;

	d->pending = NULL;
	if (d->orphan) {		/* after dns_shutdown() */
		if (res != NULL)
			evutil_freeaddrinfo(res);
		free(d);
		return;
	}
	d->finished = 1;
	d->rc = rc == EVUTIL_EAI_CANCEL ? EAI_FAIL : rc;
	d->res = res;
	d->from_evdns = 1;
	event_active(dns_now_ev, EV_TIMEOUT, 0);
}

/* (Re)read resolv.conf when it is not the one last read.  Without the
 * file evdns asks 127.0.0.1, as the C library does. */
static void
dns_conf_refresh(int force)
{
	struct stat st;
	int r;

	memset(&st, 0, sizeof st);
	(void)stat(DNS_RESOLV_CONF, &st);
	if (!force && st.st_ino == dns_conf_ino &&
	    st.st_mtim.tv_sec == dns_conf_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == dns_conf_mtime.tv_nsec)
		return;
	dns_conf_ino = st.st_ino;
	dns_conf_mtime = st.st_mtim;
	if (!force)
		evdns_base_clear_nameservers_and_suspend(dns_evb);
	r = evdns_base_resolv_conf_parse(dns_evb, DNS_OPTIONS_ALL,
	    DNS_RESOLV_CONF);
	if (!force)
		evdns_base_resume(dns_evb);
	if (r != 0)
		log_debug("dns: %s unreadable or empty (%d): asking "
		    "127.0.0.1", DNS_RESOLV_CONF, r);
}

int
dns_init(struct event_base *base, char *err, size_t errlen)
{
	if (dns_users++ > 0)
		return 0;
	dns_base = base;
	/* no open socket and no timer while nothing is being resolved */
	dns_evb = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	dns_now_ev = event_new(base, -1, 0, dns_now_cb, NULL);
	if (dns_evb == NULL || dns_now_ev == NULL) {
		snprintf(err, errlen, "cannot start the resolver");
		dns_users = 1;
		dns_shutdown();
		return -1;
	}
	dns_conf_refresh(1);
	return 0;
}

void
dns_shutdown(void)
{
	struct dns_req *d;
	int inflight = 0;

	if (dns_users == 0 || --dns_users > 0)
		return;
	/* Requests evdns still holds are cancelled and orphaned: its
	 * callback, if it ever comes, frees them. */
	while ((d = dns_list) != NULL) {
		dns_list = d->next;
		if (d->pending != NULL) {
			d->orphan = 1;
			inflight = 1;
			evdns_getaddrinfo_cancel(d->pending);
		} else
			dns_free(d);
	}
	/* With a cancelled request still queued, the evdns base stays for
	 * the process's exit (its deferred callbacks point at it). */
	if (dns_evb != NULL && !inflight)
		evdns_base_free(dns_evb, 0);
	dns_evb = NULL;
	if (dns_now_ev != NULL)
		event_free(dns_now_ev);
	dns_now_ev = NULL;
	dns_base = NULL;
	dns_conf_ino = 0;
	memset(&dns_conf_mtime, 0, sizeof dns_conf_mtime);
}

struct dns_req *
dns_start(const char *host, const char *port, int socktype,
    dns_cb *done, void *arg, char *err, size_t errlen)
{
	struct evutil_addrinfo hints;
	struct dns_req *d;

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
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	d->next = dns_list;
	dns_list = d;

	/* Numeric first: the C library answers without any lookup. */
	if (getaddrinfo(d->host, d->port, (struct addrinfo *)&hints,
	    &d->res) == 0) {
		d->finished = 1;
		event_active(dns_now_ev, EV_TIMEOUT, 0);
		return d;
	}
	d->res = NULL;
	dns_conf_refresh(0);
	hints.ai_flags = EVUTIL_AI_NUMERICSERV | EVUTIL_AI_ADDRCONFIG;
	d->pending = evdns_getaddrinfo(dns_evb, d->host, d->port, &hints,
	    dns_evdns_cb, d);
	/* NULL: answered already (dns_evdns_cb ran) or failed at once,
	 * which evdns also reports through the callback */
	if (d->pending == NULL && !d->finished) {
		dns_unlink(d);
		free(d);
		snprintf(err, errlen, "cannot resolve %s", host);
		return NULL;
	}
	return d;
}

void
dns_cancel(struct dns_req *d)
{
	if (d == NULL)
		return;
	d->done = NULL;
	if (d->pending != NULL)
		evdns_getaddrinfo_cancel(d->pending);	/* answers later */
}
