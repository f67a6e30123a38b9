/*
 * uplink.c: the meeting point between the module that provides the
 * internet uplink and the modules that use it: the current state, its
 * subscribers, and who needs the uplink now (uplink.h).
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "uplink.h"
#include "util.h"

#define UPLINK_SUBS_MAX		8
#define UPLINK_WANTERS_MAX	8

static const char *const uplink_state_names[UPLINK_STATE_MAX] = {
	"down", "connecting", "up", "failed"
};

static struct uplink_info uplink_info;
static int uplink_info_set;

static struct {
	uplink_fn	*fn;
	void		*arg;
} uplink_subs[UPLINK_SUBS_MAX];

static struct {
	uplink_demand_fn *fn;
	void		 *arg;
} uplink_demand_subs[UPLINK_SUBS_MAX];

static const char *uplink_wanters[UPLINK_WANTERS_MAX];

const char *
uplink_state_name(enum uplink_state s)
{
	return s < UPLINK_STATE_MAX ? uplink_state_names[s] : "?";
}

const struct uplink_info *
uplink_current(void)
{
	if (!uplink_info_set) {
		memset(&uplink_info, 0, sizeof uplink_info);
		uplink_info.state = UPLINK_UP;
		util_strlcpy(uplink_info.mode, "os", sizeof uplink_info.mode);
		uplink_info_set = 1;
	}
	return &uplink_info;
}

void
uplink_publish(const struct uplink_info *in)
{
	uplink_current();
	if (memcmp(&uplink_info, in, sizeof uplink_info) == 0)
		return;
	uplink_info = *in;
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_subs[i].fn != NULL)
			uplink_subs[i].fn(&uplink_info, uplink_subs[i].arg);
}

int
uplink_subscribe(uplink_fn *fn, void *arg)
{
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_subs[i].fn == NULL) {
			uplink_subs[i].fn = fn;
			uplink_subs[i].arg = arg;
			return 0;
		}
	return -1;
}

void
uplink_unsubscribe(uplink_fn *fn, void *arg)
{
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_subs[i].fn == fn && uplink_subs[i].arg == arg)
			uplink_subs[i].fn = NULL;
}

int
uplink_wanted(void)
{
	for (size_t i = 0; i < UPLINK_WANTERS_MAX; i++)
		if (uplink_wanters[i] != NULL)
			return 1;
	return 0;
}

void
uplink_want(const char *who, int on)
{
	int before = uplink_wanted(), slot = -1;

	for (size_t i = 0; i < UPLINK_WANTERS_MAX; i++) {
		if (uplink_wanters[i] != NULL &&
		    strcmp(uplink_wanters[i], who) == 0) {
			if (!on)
				uplink_wanters[i] = NULL;
			slot = -2;
			break;
		}
		if (uplink_wanters[i] == NULL && slot == -1)
			slot = (int)i;
	}
	if (on && slot >= 0)
		uplink_wanters[slot] = who;
	else if (on && slot == -1)
		fatalx("internal error: too many users of the uplink");
	if (uplink_wanted() == before)
		return;
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_demand_subs[i].fn != NULL)
			uplink_demand_subs[i].fn(!before,
			    uplink_demand_subs[i].arg);
}

int
uplink_demand_subscribe(uplink_demand_fn *fn, void *arg)
{
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_demand_subs[i].fn == NULL) {
			uplink_demand_subs[i].fn = fn;
			uplink_demand_subs[i].arg = arg;
			return 0;
		}
	return -1;
}

void
uplink_demand_unsubscribe(uplink_demand_fn *fn, void *arg)
{
	for (size_t i = 0; i < UPLINK_SUBS_MAX; i++)
		if (uplink_demand_subs[i].fn == fn &&
		    uplink_demand_subs[i].arg == arg)
			uplink_demand_subs[i].fn = NULL;
}

void
uplink_reset(void)
{
	uplink_info_set = 0;
	memset(uplink_subs, 0, sizeof uplink_subs);
	memset(uplink_demand_subs, 0, sizeof uplink_demand_subs);
	memset(uplink_wanters, 0, sizeof uplink_wanters);
}
