/*
 * datalink_route.c: the OS's default route, from the text of
 * /proc/net/route (pure), and which interfaces are a modem's: WWAN
 * (wwan0, wwp0s20u4i4, wwx<MAC>), RNDIS/ECM gadgets (usb0) and PPP
 * links.  The module reads the file on a slow timer; a missing or
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

int
datalink_route_default(const char *text, int (*skip)(const char *),
    char *ifname, size_t iflen)
{
	const char *line = text, *nl;
	unsigned long best = (unsigned long)-1;
	int found = 0, first = 1;

	for (; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 :
	    NULL) {
		char buf[256], ifn[32], dst[16], gw[16], mask[16];
		unsigned flags, refcnt, use;
		unsigned long metric;
		size_t n;

		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (first) {		/* the header line */
			first = 0;
			continue;
		}
		if (n == 0 || n >= sizeof buf)
			continue;
		memcpy(buf, line, n);
		buf[n] = '\0';
		if (sscanf(buf, "%31s %15s %15s %x %u %u %lu %15s", ifn, dst,
		    gw, &flags, &refcnt, &use, &metric, mask) != 8)
			continue;
		if (strcmp(dst, "00000000") != 0 ||
		    strcmp(mask, "00000000") != 0 || (flags & 0x1) == 0)
			continue;
		if (skip != NULL && skip(ifn))
			continue;
		if (!found || metric < best) {
			best = metric;
			found = 1;
			util_strlcpy(ifname, ifn, iflen);
		}
	}
	return found;
}
