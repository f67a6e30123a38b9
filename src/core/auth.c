/*
 * auth.c: role and channel names, and the control socket's peer check by
 * credentials (SO_PEERCRED uid/gid and the peer user's group list).
 */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "util.h"

static const char *const auth_role_names[ROLE_MAX] = {
	"none", "user", "admin", "superadmin"
};
static const char *const auth_channel_names[CHAN_MAX] = {
	"local", "sms", "serial", "net", "mqtt"
};

const char *
auth_role_name(enum auth_role r)
{
	return r < ROLE_MAX ? auth_role_names[r] : "?";
}

int
auth_role_parse(const char *s, enum auth_role *out)
{
	for (int i = 0; i < ROLE_MAX; i++) {
		if (util_strcaseeq(s, auth_role_names[i])) {
			*out = (enum auth_role)i;
			return 0;
		}
	}
	return -1;
}

const char *
auth_channel_name(enum auth_channel c)
{
	return c < CHAN_MAX ? auth_channel_names[c] : "?";
}

int
auth_channel_is_remote(enum auth_channel c)
{
	return c == CHAN_SMS || c == CHAN_NET || c == CHAN_MQTT;
}

enum auth_role
auth_peer_role(uid_t uid, gid_t gid, const char *group)
{
	struct group gr, *grp = NULL;
	struct passwd pw, *pwp = NULL;
	char grbuf[4096], pwbuf[4096];
	gid_t groups[256];
	int ngroups = (int)nitems(groups);

	if (uid == 0 || uid == geteuid())
		return ROLE_SUPERADMIN;
	if (group == NULL || *group == '\0')
		return ROLE_NONE;
	if (getgrnam_r(group, &gr, grbuf, sizeof grbuf, &grp) != 0 ||
	    grp == NULL)
		return ROLE_NONE;
	if (gid == grp->gr_gid)
		return ROLE_SUPERADMIN;
	if (getpwuid_r(uid, &pw, pwbuf, sizeof pwbuf, &pwp) != 0 ||
	    pwp == NULL)
		return ROLE_NONE;
	if (getgrouplist(pwp->pw_name, pwp->pw_gid, groups, &ngroups) == -1)
		return ROLE_NONE;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == grp->gr_gid)
			return ROLE_SUPERADMIN;
	return ROLE_NONE;
}
