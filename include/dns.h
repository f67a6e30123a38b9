/*
 * dns.h: asynchronous name resolution on the loop (src/core/dns.c), shared by
 * the modules that connect to named hosts.  Each user calls dns_init() at
 * its start and dns_shutdown() at its stop (the resolver lives while one
 * user does), and cancels its own requests.
 */
#ifndef CG_DNS_H
#define CG_DNS_H

#include <stddef.h>

struct addrinfo;
struct event_base;
struct dns_req;

/* res is only valid during the call; rc is 0 or a getaddrinfo error. */
typedef void dns_cb(int rc, const struct addrinfo *res, void *arg);

int dns_init(struct event_base *, char *err, size_t errlen);
void dns_shutdown(void);
/* Resolve asynchronously (numeric addresses answer at once, from the
 * loop).  port may be a number as text; NULL with err on failure to
 * start. */
struct dns_req *dns_start(const char *host, const char *port, int socktype,
    dns_cb *, void *arg, char *err, size_t errlen);
/* The callback will not be called; memory is freed when glibc is done.
 * NULL is allowed. */
void dns_cancel(struct dns_req *);

#endif
