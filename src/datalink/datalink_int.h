/*
 * datalink_int.h: what the files of the datalink module share: the
 * module's state (datalink.c), and the two engines that bring a
 * cellular uplink up, the modem's own call (datalink_modem.c) and pppd
 * (datalink_ppp.c).  An engine reports through datalink_engine_report();
 * datalink.c decides what the uplink's state is and publishes it.
 */
#ifndef CG_DATALINK_INT_H
#define CG_DATALINK_INT_H

#include "datalink.h"
#include "uplink.h"

struct event_base;

enum datalink_mode { DL_OS, DL_MODEM, DL_PPP, DL_AUTO };

struct datalink {
	struct event_base		*base;
	const struct setting_def	*s_mode, *s_apn, *s_user, *s_password,
					*s_auth;
	const struct setting_def	*s_cloud;	/* NULL: no cloud module */
	char				 ppp_port[256];
	char				 rundir[256];
	int				 running;
	int				 batch;		/* AT+APN: apply once */
	char				 os_if[32];	/* other default route */
	int				 wanted;
	/* what the engine last reported */
	enum uplink_state		 eng_state;
	char				 eng_reason[UPLINK_TEXT_MAX];
	char				 eng_address[64];
	char				 eng_if[32];
	char				 detail[UPLINK_TEXT_MAX];
	struct uplink_info		 shown;		/* last published */
	char				 shown_detail[UPLINK_TEXT_MAX];
	int				 published;
};

extern struct datalink dl;

enum datalink_mode datalink_mode(void);
/* The current APN settings. */
void datalink_apn_current(struct datalink_apn *);
/* An engine's news; detail (may be NULL) goes to the log and status. */
void datalink_engine_report(enum uplink_state, const char *reason,
    const char *address, const char *ifname, const char *detail);
/* Settings changed: stop and start what the mode needs. */
void datalink_apply(const struct setting_def *);
/* The IPv4 address of an interface into out ("" none). */
void datalink_if_address(const char *ifname, char *out, size_t outlen);

/* datalink_watch.c: changed() runs on the loop after rtnetlink news. */
int datalink_watch_start(struct event_base *, void (*changed)(void),
    char *err, size_t errlen);
void datalink_watch_stop(void);

/* datalink_modem.c */
int datalink_modem_start(void);
void datalink_modem_stop(void);
int datalink_modem_running(void);
void datalink_modem_shutdown(void);

/* datalink_ppp.c */
/* The interface named in pppd's link pid file ("pid\nifname\n"): the
 * first word of its second line into ifname; 1, or 0 (no link yet). */
int datalink_ppp_pidfile_ifname(const char *text, char ifname[32]);
int datalink_ppp_start(void);
void datalink_ppp_stop(void);
int datalink_ppp_running(void);

#endif
