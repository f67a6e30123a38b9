/*
 * datalink_watch.c: the data link learns that the OS's uplink may have
 * changed from the kernel's rtnetlink notifications (links, IPv4 and IPv6
 * addresses and routes), read on the loop: no timer, so an idle daemon
 * does not wake for it.  A burst of messages is drained and reported
 * once; an overrun (ENOBUFS: messages were lost) is reported the same
 * way, since the caller reads the current table, not the messages.
 */
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "datalink_int.h"
#include "log.h"

#define DLW_GROUPS	(RTMGRP_LINK | RTMGRP_IPV4_IFADDR | \
	RTMGRP_IPV6_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE)

static struct {
	int		 fd;
	struct event	*ev;
	void		(*changed)(void);
} dlw = { -1, NULL, NULL };

static void
dlw_read_cb(evutil_socket_t fd, short what, void *arg)
{
	char buf[8192];
	int news = 0;
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n > 0) {
			news = 1;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == ENOBUFS) {	/* overrun */
			news = 1;
			continue;
		}
		break;
	}
	if (news && dlw.changed != NULL)
		dlw.changed();
}

int
datalink_watch_start(struct event_base *base, void (*changed)(void),
    char *err, size_t errlen)
{
	struct sockaddr_nl sa;

	memset(&sa, 0, sizeof sa);
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = DLW_GROUPS;
	if ((dlw.fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, NETLINK_ROUTE)) == -1 ||
	    bind(dlw.fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		snprintf(err, errlen, "data: cannot watch the routes "
		    "(rtnetlink): %s", strerror(errno));
		datalink_watch_stop();
		return -1;
	}
	dlw.changed = changed;
	if ((dlw.ev = event_new(base, dlw.fd, EV_READ | EV_PERSIST,
	    dlw_read_cb, NULL)) == NULL || event_add(dlw.ev, NULL) == -1) {
		snprintf(err, errlen, "data: cannot watch the routes");
		datalink_watch_stop();
		return -1;
	}
	return 0;
}

void
datalink_watch_stop(void)
{
	if (dlw.ev != NULL)
		event_free(dlw.ev);
	dlw.ev = NULL;
	if (dlw.fd != -1)
		close(dlw.fd);
	dlw.fd = -1;
	dlw.changed = NULL;
}
