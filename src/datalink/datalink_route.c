/*
 * datalink_route.c: the OS's default route, from the text of
 * /proc/net/route (IPv4) and /proc/net/ipv6_route (IPv6) (pure), and
 * which interfaces are a modem's: WWAN (wwan0, wwp0s20u4i4, wwx<MAC>),
 * RNDIS/ECM gadgets (usb0) and PPP links.  The module reads the files
 * when rtnetlink says something changed (datalink_watch.c); a missing or
 * unreadable file is "no route".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datalink.h"
#include "util.h"

int
datalink_route_is_modem_if(const char *ifname)
{
	return strncmp(ifname, "ww", 2) == 0 ||
	    strncmp(ifname, "usb", 3) == 0 || strncmp(ifname, "ppp", 3) == 0;
}

#define RTF_UP_FLAG	0x0001
#define RTF_REJECT_FLAG	0x0200	/* the kernel's unreachable ::/0 on lo */

/* One line of /proc/net/route: 1 if it is a default route that is up. */
static int
route_line4(const char *buf, char *ifn, unsigned long *metric)
{
	char dst[16], gw[16], mask[16];
	unsigned flags, refcnt, use;

	return sscanf(buf, "%31s %15s %15s %x %u %u %lu %15s", ifn, dst, gw,
	    &flags, &refcnt, &use, metric, mask) == 8 &&
	    strcmp(dst, "00000000") == 0 && strcmp(mask, "00000000") == 0 &&
	    (flags & RTF_UP_FLAG) != 0;
}

/* One line of /proc/net/ipv6_route: the same for ::/0. */
static int
route_line6(const char *buf, char *ifn, unsigned long *metric)
{
	static const char zero[] = "00000000000000000000000000000000";
	char dst[33], dplen[3], src[33], splen[3], hop[33];
	unsigned refcnt, use, flags;

	return sscanf(buf, "%32s %2s %32s %2s %32s %lx %x %x %x %31s", dst,
	    dplen, src, splen, hop, metric, &refcnt, &use, &flags, ifn) ==
	    10 && strcmp(dst, zero) == 0 && strcmp(dplen, "00") == 0 &&
	    (flags & RTF_UP_FLAG) != 0 && (flags & RTF_REJECT_FLAG) == 0 &&
	    strcmp(ifn, "lo") != 0;
}

/* The default route with the lowest metric among the lines (after a
 * header line when there is one) that line_ok() accepts. */
static int
route_best(const char *text, int header,
    int (*line_ok)(const char *, char *, unsigned long *),
    int (*skip)(const char *), char *ifname, size_t iflen)
{
	const char *line = text, *nl;
	unsigned long best = (unsigned long)-1;
	int found = 0;

	for (; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 :
	    NULL) {
		char buf[256], ifn[32];
		unsigned long metric;
		size_t n;

		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (header) {
			header = 0;
			continue;
		}
		if (n == 0 || n >= sizeof buf)
			continue;
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (!line_ok(buf, ifn, &metric) ||
		    (skip != NULL && skip(ifn)))
			continue;
		if (!found || metric < best) {
			best = metric;
			found = 1;
			util_strlcpy(ifname, ifn, iflen);
		}
	}
	return found;
}

int
datalink_route_default(const char *text, int (*skip)(const char *),
    char *ifname, size_t iflen)
{
	return route_best(text, 1, route_line4, skip, ifname, iflen);
}

int
datalink_route_default6(const char *text, int (*skip)(const char *),
    char *ifname, size_t iflen)
{
	return route_best(text, 0, route_line6, skip, ifname, iflen);
}
