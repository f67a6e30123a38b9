/*
 * datalink.c: the data link module's core (SPEC §6.1): the mode, the
 * OS's default route (IPv4 or IPv6), read again whenever rtnetlink says
 * links, addresses or routes changed (never on a timer), the choice between the
 * OS's uplink and a cellular engine (the modem's call or pppd), and the
 * uplink state published through uplink.h and as the event "data".
 * Its settings and commands are in datalink_settings.c.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <json-c/json.h>

#include "conf.h"
#include "datalink_int.h"
#include "events.h"
#include "log.h"
#include "settings.h"
#include "util.h"

/* through /proc/self: the unit's ProcSubset=pid hides /proc/net */
#define DATALINK_ROUTE_FILE	"/proc/self/net/route"
#define DATALINK_ROUTE6_FILE	"/proc/self/net/ipv6_route"

struct datalink dl;

static const char *const datalink_mode_names[] = {
	"os", "modem", "ppp", "auto", NULL
};

enum datalink_mode
datalink_mode(void)
{
	const char *v = settings_value(dl.s_mode);

	for (int i = 0; datalink_mode_names[i] != NULL; i++)
		if (util_strcaseeq(v, datalink_mode_names[i]))
			return (enum datalink_mode)i;
	return DL_OS;
}

void
datalink_apn_current(struct datalink_apn *a)
{
	memset(a, 0, sizeof *a);
	util_strlcpy(a->apn, settings_value(dl.s_apn), sizeof a->apn);
	util_strlcpy(a->user, settings_value(dl.s_user), sizeof a->user);
	util_strlcpy(a->password, settings_value(dl.s_password),
	    sizeof a->password);
	util_strlcpy(a->auth, settings_value(dl.s_auth), sizeof a->auth);
	a->has_credentials = a->user[0] != '\0' || a->password[0] != '\0';
}

void
datalink_if_address(const char *ifname, char *out, size_t outlen)
{
	struct ifaddrs *ifa, *i;
	int v6 = 0;

	out[0] = '\0';
	if (ifname[0] == '\0' || getifaddrs(&ifa) == -1)
		return;
	/* its IPv4 address, else a global IPv6 one */
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || strcmp(i->ifa_name, ifname) != 0)
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)
			    i->ifa_addr)->sin_addr, out, (socklen_t)outlen);
			break;
		}
		if (i->ifa_addr->sa_family == AF_INET6 && !v6) {
			const struct in6_addr *a = &((struct sockaddr_in6 *)
			    (void *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue;
			inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
			v6 = 1;
		}
	}
	freeifaddrs(ifa);
}

/* Publish when anything changed: uplink.h, the event, the log. */
static void
datalink_publish(const struct uplink_info *in, const char *detail)
{
	struct json_object *ev;

	if (dl.published && memcmp(&dl.shown, in, sizeof *in) == 0 &&
	    strcmp(dl.shown_detail, detail) == 0)
		return;
	dl.shown = *in;
	util_strlcpy(dl.shown_detail, detail, sizeof dl.shown_detail);
	dl.published = 1;
	log_info("data: %s %s%s%s%s%s%s%s", in->mode,
	    uplink_state_name(in->state), in->reason[0] ? ": " : "",
	    in->reason, in->interface[0] ? ", interface " : "", in->interface,
	    in->address[0] ? ", address " : "", in->address);
	if (detail[0] != '\0')
		log_info("data: %s", detail);
	uplink_publish(in);
	ev = json_object_new_object();
	json_object_object_add(ev, "mode", json_object_new_string(in->mode));
	json_object_object_add(ev, "state",
	    json_object_new_string(uplink_state_name(in->state)));
	json_object_object_add(ev, "reason",
	    json_object_new_string(in->reason));
	json_object_object_add(ev, "address",
	    json_object_new_string(in->address));
	json_object_object_add(ev, "interface",
	    json_object_new_string(in->interface));
	if (detail[0] != '\0')
		json_object_object_add(ev, "detail",
		    json_object_new_string(detail));
	events_publish("data", ev);
}

static int
datalink_engine_running(void)
{
	return datalink_modem_running() || datalink_ppp_running();
}

static void
datalink_engines_stop(void)
{
	datalink_modem_stop();
	datalink_ppp_stop();
	dl.eng_state = UPLINK_DOWN;
	dl.eng_reason[0] = dl.eng_address[0] = dl.eng_if[0] = '\0';
	dl.detail[0] = '\0';
}

/* Is this interface ours (the engine's), not another uplink? */
static int
datalink_skip_if(const char *ifname)
{
	return datalink_route_is_modem_if(ifname) ||
	    (dl.eng_if[0] != '\0' && strcmp(ifname, dl.eng_if) == 0);
}

/* Read a small procfs file (never blocks): 0 with text, -1 none. */
static int
datalink_read_proc(const char *path, char *text, size_t size)
{
	ssize_t n = -1;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) != -1) {
		n = read(fd, text, size - 1);
		close(fd);
	}
	if (n <= 0)
		return -1;
	text[n] = '\0';
	return 0;
}

/* The OS's default route: IPv4's, else IPv6's. */
static void
datalink_route_read(void)
{
	int (*skip)(const char *) = datalink_mode() == DL_AUTO ?
	    datalink_skip_if : NULL;
	char text[16384];

	dl.os_if[0] = '\0';
	if (datalink_read_proc(DATALINK_ROUTE_FILE, text, sizeof text) == 0 &&
	    datalink_route_default(text, skip, dl.os_if, sizeof dl.os_if))
		return;
	if (datalink_read_proc(DATALINK_ROUTE6_FILE, text, sizeof text) == 0)
		datalink_route_default6(text, skip, dl.os_if,
		    sizeof dl.os_if);
}

static int
datalink_cloud_on(void)
{
	return dl.s_cloud != NULL && settings_bool(dl.s_cloud);
}

/* Decide and publish: the heart of the module. */
static void
datalink_evaluate(void)
{
	enum datalink_mode mode = datalink_mode();
	struct uplink_info u;
	const char *detail = "";
	int fallback;

	memset(&u, 0, sizeof u);
	util_strlcpy(u.mode, datalink_mode_names[mode], sizeof u.mode);
	if (mode == DL_OS || mode == DL_AUTO)
		datalink_route_read();
	if (mode == DL_OS || (mode == DL_AUTO && dl.os_if[0] != '\0')) {
		if (datalink_engine_running()) {
			log_info("data: an uplink through %s works again: "
			    "hanging up the modem", dl.os_if);
			datalink_engines_stop();
		}
		if (dl.os_if[0] != '\0') {
			u.state = UPLINK_UP;
			util_strlcpy(u.reason, "OS route", sizeof u.reason);
			util_strlcpy(u.interface, dl.os_if,
			    sizeof u.interface);
			datalink_if_address(dl.os_if, u.address,
			    sizeof u.address);
		} else {
			u.state = UPLINK_DOWN;
			util_strlcpy(u.reason, "No default route",
			    sizeof u.reason);
		}
		datalink_publish(&u, detail);
		return;
	}
	if (mode == DL_AUTO) {
		fallback = datalink_cloud_on() || dl.wanted;
		if (!fallback) {
			if (datalink_engine_running())
				datalink_engines_stop();
			u.state = UPLINK_DOWN;
			util_strlcpy(u.reason, "No other uplink; the modem is "
			    "dialled when there is data to send",
			    sizeof u.reason);
			datalink_publish(&u, detail);
			return;
		}
		if (!datalink_engine_running()) {
			log_info("data: no other uplink: dialling the modem");
			if (dl.ppp_port[0] != '\0')
				datalink_ppp_start();
			else
				datalink_modem_start();
		}
	} else if (mode == DL_MODEM && !datalink_modem_running()) {
		datalink_ppp_stop();
		datalink_modem_start();
	} else if (mode == DL_PPP && !datalink_ppp_running()) {
		datalink_modem_stop();
		datalink_ppp_start();
	}
	u.state = dl.eng_state;
	util_strlcpy(u.reason, dl.eng_reason, sizeof u.reason);
	util_strlcpy(u.address, dl.eng_address, sizeof u.address);
	util_strlcpy(u.interface, dl.eng_if, sizeof u.interface);
	datalink_publish(&u, dl.detail);
}

void
datalink_engine_report(enum uplink_state st, const char *reason,
    const char *address, const char *ifname, const char *detail)
{
	dl.eng_state = st;
	util_strlcpy(dl.eng_reason, reason != NULL ? reason : "",
	    sizeof dl.eng_reason);
	util_strlcpy(dl.eng_address, address != NULL ? address : "",
	    sizeof dl.eng_address);
	util_strlcpy(dl.eng_if, ifname != NULL ? ifname : "",
	    sizeof dl.eng_if);
	util_strlcpy(dl.detail, detail != NULL ? detail : "",
	    sizeof dl.detail);
	if (dl.running)
		datalink_evaluate();
}

/* rtnetlink: a link, an address or a route changed. */
static void
datalink_routes_changed(void)
{
	if (dl.running)
		datalink_evaluate();
}

static void
datalink_demand_cb(int wanted, void *arg)
{
	dl.wanted = wanted;
	if (dl.running)
		datalink_evaluate();
}

void
datalink_apply(const struct setting_def *d)
{
	if (!dl.running || dl.batch)
		return;
	log_info("data: %s changed: restarting the data link", d->name);
	datalink_engines_stop();
	datalink_evaluate();
}

static void
datalink_rundir(const struct conf *c)
{
	char path[sizeof c->control_socket];

	util_strlcpy(path, c->control_socket, sizeof path);
	util_strlcpy(dl.rundir, dirname(path), sizeof dl.rundir);
}

int
datalink_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	const struct setting_def *cloud;

	memset(&dl, 0, sizeof dl);
	dl.base = base;
	dl.s_mode = settings_ref("data.mode", SETTING_ENUM);
	dl.s_apn = settings_ref("data.apn", SETTING_CUSTOM);
	dl.s_user = settings_ref("data.user", SETTING_CUSTOM);
	dl.s_password = settings_ref("data.password", SETTING_CUSTOM);
	dl.s_auth = settings_ref("data.auth", SETTING_ENUM);
	/* the cloud module's switch, when this build has one */
	if ((cloud = settings_find("cloud.enable")) != NULL &&
	    cloud->type == SETTING_BOOL)
		dl.s_cloud = cloud;
	util_strlcpy(dl.ppp_port, c->data_ppp_port, sizeof dl.ppp_port);
	datalink_rundir(c);
	if (datalink_watch_start(base, datalink_routes_changed, err,
	    errlen) == -1)
		return -1;
	if (uplink_demand_subscribe(datalink_demand_cb, NULL) == -1) {
		snprintf(err, errlen, "data: cannot subscribe to the demand");
		datalink_watch_stop();
		return -1;
	}
	dl.wanted = uplink_wanted();
	dl.running = 1;
	datalink_evaluate();
	return 0;
}

void
datalink_reload(const struct conf *c)
{
	if (strcmp(dl.ppp_port, c->data_ppp_port) == 0)
		return;
	util_strlcpy(dl.ppp_port, c->data_ppp_port, sizeof dl.ppp_port);
	log_info("data: data.ppp_port changed: restarting the data link");
	datalink_engines_stop();
	datalink_evaluate();
}

void
datalink_shutdown(void)
{
	if (!dl.running)
		return;
	dl.running = 0;
	uplink_demand_unsubscribe(datalink_demand_cb, NULL);
	datalink_engines_stop();
	datalink_modem_shutdown();
	datalink_watch_stop();
}

struct json_object *
datalink_status(void)
{
	struct json_object *o = json_object_new_object();
	const struct uplink_info *u = &dl.shown;
	char mode[16];

	util_strlcpy(mode, dl.published ? u->mode : "os", sizeof mode);
	json_object_object_add(o, "mode", json_object_new_string(mode));
	json_object_object_add(o, "state", json_object_new_string(
	    uplink_state_name(dl.published ? u->state : UPLINK_DOWN)));
	json_object_object_add(o, "reason", json_object_new_string(u->reason));
	json_object_object_add(o, "address",
	    json_object_new_string(u->address));
	json_object_object_add(o, "interface",
	    json_object_new_string(u->interface));
	if (dl.shown_detail[0] != '\0')
		json_object_object_add(o, "detail",
		    json_object_new_string(dl.shown_detail));
	json_object_object_add(o, "wanted",
	    json_object_new_boolean(dl.wanted));
	return o;
}
