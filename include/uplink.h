/*
 * uplink.h: the internet uplink as the modules see it, kept in the core so
 * that the module that provides it (datalink: the OS's route, the modem's
 * own data call or pppd) and the modules that use it (cloud, bridge) meet
 * here and never call into each other.
 *
 * The provider publishes the state; users subscribe to changes and say
 * when they need the uplink (an on-demand session: CONNECT# with
 * cloud.enable=off, uplink events due).  The provider subscribes to that
 * demand and dials a fallback only while someone needs it.
 */
#ifndef CG_UPLINK_H
#define CG_UPLINK_H

enum uplink_state {
	UPLINK_DOWN,
	UPLINK_CONNECTING,
	UPLINK_UP,
	UPLINK_FAILED,
	UPLINK_STATE_MAX
};

const char *uplink_state_name(enum uplink_state);

#define UPLINK_TEXT_MAX		128

struct uplink_info {
	enum uplink_state	state;
	char			mode[16];	/* data.mode: os, modem, ppp, auto */
	/* Why it is not up ("Missing APN", "Network connection error", ...),
	 * or which way it is up ("OS route", "modem data call"); "" none. */
	char			reason[UPLINK_TEXT_MAX];
	char			address[64];	/* "" while unknown */
	char			interface[32];	/* "" while unknown */
};

/* The current state.  Until a provider publishes one: mode "os", up
 * (the operating system is trusted to have a route). */
const struct uplink_info *uplink_current(void);

/* For the provider: a new state, announced to the subscribers when it
 * differs from the current one. */
void uplink_publish(const struct uplink_info *);

typedef void uplink_fn(const struct uplink_info *, void *arg);
int uplink_subscribe(uplink_fn *, void *arg);
void uplink_unsubscribe(uplink_fn *, void *arg);

/* For users: `who` (a module name) needs the uplink (on) or no longer
 * (off).  The provider's demand subscribers hear when the overall demand
 * changes between none and some. */
void uplink_want(const char *who, int on);
int uplink_wanted(void);
typedef void uplink_demand_fn(int wanted, void *arg);
int uplink_demand_subscribe(uplink_demand_fn *, void *arg);
void uplink_demand_unsubscribe(uplink_demand_fn *, void *arg);

/* Back to the initial state with no subscribers (daemon stop, tests). */
void uplink_reset(void);

#endif
