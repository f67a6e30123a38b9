/*
 * at_data.c: packet data of the simulated modem (3GPP TS 27.007 §10):
 * context 1 defined with +CGDCONT, attach (+CGATT), activation (+CGACT,
 * and the vendors' dials: Quectel AT+QNETDEVCTL, Huawei AT^NDISDUP),
 * credentials (+CGAUTH, or where the profile's firmware refuses it,
 * Quectel AT+QICSGP and u-blox AT+UAUTHREQ; Huawei's in AT^NDISDUP),
 * the address (+CGPADDR), +CGEV reporting
 * (+CGEREP) and the control socket's "data" request that shows the state
 * or drops the call as the network would.  Activation is refused (+CME
 * ERROR: 30) while the modem is not registered.  Profiles with
 * no_data_call (the 2G SIM800) answer ERROR to all of it.  A reboot
 * forgets the call (at_data_reset).
 */

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sim.h"

/* The address the network gives: one per profile, so a test can tell. */
static void
at_data_address(struct sim *sim, char *buf, size_t len)
{
	unsigned	h = 0;
	const char	*p;

	for (p = sim->profile->name; *p != '\0'; p++)
		h = h * 31 + (unsigned char)*p;
	snprintf(buf, len, "10.%u.%u.%u", 64 + h % 64, h / 64 % 250 + 1,
	    h / 16000 % 250 + 2);
}

void
at_data_reset(struct sim *sim)
{
	sim->pdp_defined = 0;
	sim->pdp_active = 0;
	sim->pdp_apn[0] = '\0';
	sim->pdp_auth_by[0] = '\0';
	sim->pdp_user[0] = '\0';
	sim->cgerep = 0;
	sim->cgatt = 1;
}

static int
at_data_registered(struct sim *sim)
{
	int	st = sim_reg_stat(sim);

	return (st == 1 || st == 5);
}

static int
at_data_activate(struct sim *sim, int on)
{
	if (!on) {
		sim->pdp_active = 0;
		return (AT_OK);
	}
	if (!at_data_registered(sim) || !sim->cgatt)
		return (AT_CME(CME_NO_NETWORK));
	if (!sim->pdp_defined)
		return (AT_CME(CME_INVALID_PARAM));
	sim->pdp_active = 1;
	sim_log(sim, "data: context 1 active, APN \"%s\"", sim->pdp_apn);
	return (AT_OK);
}

static int
at_data_cgdcont(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 type[16], apn[sizeof sim->pdp_apn];
	int		 cid;

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	switch (req->type) {
	case AT_TYPE_READ:
		if (sim->pdp_defined)
			at_info(out, "+CGDCONT: 1,\"IP\",\"%s\",\"0.0.0.0\","
			    "0,0", sim->pdp_apn);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CGDCONT: (1-16),\"IP\",,,(0-2),(0-4)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_int(&p, 1, 16, &cid) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (at_args_end(p)) {		/* AT+CGDCONT=1: undefine */
		if (cid == 1)
			sim->pdp_defined = 0;
		return (AT_OK);
	}
	if (!at_comma(&p) || sim_parse_str(&p, type, sizeof type) != 0 ||
	    (strcmp(type, "IP") != 0 && strcmp(type, "IPV4V6") != 0 &&
	    strcmp(type, "IPV6") != 0))
		return (AT_CME(CME_INVALID_PARAM));
	apn[0] = '\0';
	if (at_comma(&p) && sim_parse_str(&p, apn, sizeof apn) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (cid == 1) {
		snprintf(sim->pdp_apn, sizeof sim->pdp_apn, "%s", apn);
		sim->pdp_defined = 1;
	}
	return (AT_OK);
}

static int
at_data_cgact(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 state, cid = 1;

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	switch (req->type) {
	case AT_TYPE_READ:
		at_info(out, "+CGACT: 1,%d", sim->pdp_active);
		return (AT_OK);
	case AT_TYPE_TEST:
		at_info(out, "+CGACT: (0,1)");
		return (AT_OK);
	case AT_TYPE_SET:
		break;
	default:
		return (AT_ERROR);
	}
	if (sim_parse_int(&p, 0, 1, &state) != 0 ||
	    (at_comma(&p) && sim_parse_int(&p, 1, 16, &cid) != 0) ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (cid != 1)
		return (AT_CME(CME_INVALID_PARAM));
	return (at_data_activate(sim, state));
}

static int
at_data_cgpaddr(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	char	addr[32];

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CGPADDR: (1)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET && req->type != AT_TYPE_EXEC)
		return (AT_ERROR);
	if (req->type == AT_TYPE_SET && strcmp(req->args, "1") != 0)
		return (AT_CME(CME_INVALID_PARAM));
	if (sim->pdp_active)
		at_data_address(sim, addr, sizeof addr);
	else
		snprintf(addr, sizeof addr, "0.0.0.0");
	at_info(out, "+CGPADDR: 1,\"%s\"", addr);
	return (AT_OK);
}

static int
at_data_cgatt(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 v;

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	if (req->type == AT_TYPE_READ) {
		at_info(out, "+CGATT: %d", sim->cgatt &&
		    at_data_registered(sim));
		return (AT_OK);
	}
	if (req->type == AT_TYPE_TEST) {
		at_info(out, "+CGATT: (0,1)");
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 1, &v) != 0 ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (v && !at_data_registered(sim))
		return (AT_CME(CME_NO_NETWORK));
	sim->cgatt = v;
	if (!v)
		sim->pdp_active = 0;
	return (AT_OK);
}

static int
at_data_cgerep(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 mode, bfr = 0;

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	if (req->type == AT_TYPE_READ) {
		at_info(out, "+CGEREP: %d,0", sim->cgerep);
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 2, &mode) != 0 ||
	    (at_comma(&p) && sim_parse_int(&p, 0, 1, &bfr) != 0) ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	sim->cgerep = mode;
	return (AT_OK);
}

/* Context 1's credentials were set by `how` for `user`. */
static void
at_data_auth_set(struct sim *sim, const char *how, const char *user)
{
	snprintf(sim->pdp_auth_by, sizeof sim->pdp_auth_by, "%s", how);
	snprintf(sim->pdp_user, sizeof sim->pdp_user, "%s", user);
}

/* +CGAUTH=<cid>,<auth>[,"user"[,"pwd"]]; refused as not supported
 * (+CME ERROR: 4) on profiles whose firmware wants the vendor's own
 * command (Quectel +QICSGP, u-blox +UAUTHREQ). */
static int
at_data_cgauth(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 s[64], user[64] = "";
	int		 cid, prot, n = 0;

	if (sim->profile->no_data_call)
		return (AT_ERROR);
	if (sim->profile->cgauth_refused)
		return (AT_CME(CME_NOT_SUPPORTED));
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 1, 16, &cid) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 2, &prot) != 0)
		return (AT_CME(CME_INVALID_PARAM));
	while (at_comma(&p)) {
		if (sim_parse_str(&p, s, sizeof s) != 0)
			return (AT_CME(CME_INVALID_PARAM));
		if (n++ == 0)
			snprintf(user, sizeof user, "%s", s);
	}
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (cid == 1)
		at_data_auth_set(sim, "+CGAUTH", user);
	return (AT_OK);
}

/* Quectel: AT+QICSGP=<cid>,<type>,"apn","user","pwd",<auth> (TCP/IP AT
 * manual): context 1's APN and credentials. */
static int
at_data_qicsgp(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 apn[sizeof sim->pdp_apn], user[64], pwd[64];
	int		 cid, type, auth;

	if (strcasecmp(sim->profile->manufacturer, "Quectel") != 0 ||
	    sim->profile->no_data_call)
		return (AT_ERROR);
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 1, 16, &cid) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 1, 3, &type) != 0 ||
	    !at_comma(&p) || sim_parse_str(&p, apn, sizeof apn) != 0 ||
	    !at_comma(&p) || sim_parse_str(&p, user, sizeof user) != 0 ||
	    !at_comma(&p) || sim_parse_str(&p, pwd, sizeof pwd) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 3, &auth) != 0 ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (cid == 1) {
		snprintf(sim->pdp_apn, sizeof sim->pdp_apn, "%s", apn);
		sim->pdp_defined = 1;
		at_data_auth_set(sim, "+QICSGP", user);
	}
	return (AT_OK);
}

/* u-blox: AT+UAUTHREQ=<cid>,<auth>[,"user","pwd"] (AT commands manual). */
static int
at_data_uauthreq(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 user[64] = "", pwd[64];
	int		 cid, auth;

	if (strcasecmp(sim->profile->manufacturer, "u-blox") != 0)
		return (AT_ERROR);
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 16, &cid) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 3, &auth) != 0 ||
	    (at_comma(&p) && (sim_parse_str(&p, user, sizeof user) != 0 ||
	    !at_comma(&p) || sim_parse_str(&p, pwd, sizeof pwd) != 0)) ||
	    !at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	if (cid == 1)
		at_data_auth_set(sim, "+UAUTHREQ", user);
	return (AT_OK);
}

/* Quectel: AT+QNETDEVCTL=<op>,<cid>,<urc_en> (1 connect, 0 disconnect). */
static int
at_data_qnetdevctl(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	int		 op, cid, urc = 0;

	if (strcasecmp(sim->profile->manufacturer, "Quectel") != 0 ||
	    sim->profile->no_data_call)
		return (AT_ERROR);
	if (req->type == AT_TYPE_READ) {
		at_info(out, "+QNETDEVCTL: %d,1,1,%d", sim->pdp_active,
		    sim->pdp_active);
		return (AT_OK);
	}
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 0, 1, &op) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 1, 16, &cid) != 0 ||
	    (at_comma(&p) && sim_parse_int(&p, 0, 1, &urc) != 0) ||
	    !at_args_end(p) || cid != 1)
		return (AT_CME(CME_INVALID_PARAM));
	return (at_data_activate(sim, op));
}

/* Huawei: AT^NDISDUP=<cid>,<connect>[,"apn"[,"user","pwd",auth]]. */
static int
at_data_ndisdup(struct sim *sim, struct at_req *req, struct evbuffer *out)
{
	const char	*p = req->args;
	char		 apn[sizeof sim->pdp_apn], s[64], user[64];
	int		 cid, on, auth;

	if (strcasecmp(sim->profile->manufacturer, "huawei") != 0)
		return (AT_ERROR);
	if (req->type != AT_TYPE_SET || sim_parse_int(&p, 1, 16, &cid) != 0 ||
	    !at_comma(&p) || sim_parse_int(&p, 0, 1, &on) != 0 || cid != 1)
		return (AT_CME(CME_INVALID_PARAM));
	if (at_comma(&p)) {
		if (sim_parse_str(&p, apn, sizeof apn) != 0)
			return (AT_CME(CME_INVALID_PARAM));
		snprintf(sim->pdp_apn, sizeof sim->pdp_apn, "%s", apn);
		sim->pdp_defined = 1;
		if (at_comma(&p)) {
			if (sim_parse_str(&p, user, sizeof user) != 0 ||
			    !at_comma(&p) || sim_parse_str(&p, s, sizeof s) != 0 ||
			    !at_comma(&p) || sim_parse_int(&p, 0, 3, &auth) != 0)
				return (AT_CME(CME_INVALID_PARAM));
			at_data_auth_set(sim, "^NDISDUP", user);
		}
	}
	if (!at_args_end(p))
		return (AT_CME(CME_INVALID_PARAM));
	return (at_data_activate(sim, on));
}

/* control socket: "data" (the state) or "data drop [silent]" (the
 * network deactivates the context; +CGEV unless silent). */
int
at_data_control(struct sim *sim, char *args, struct json *j, char *err,
    size_t errlen)
{
	char	addr[32];

	while (*args == ' ')
		args++;
	if (strncmp(args, "drop", 4) == 0) {
		const char *rest = args + 4;

		while (*rest == ' ')
			rest++;
		if (*rest != '\0' && strcmp(rest, "silent") != 0) {
			snprintf(err, errlen, "usage: data [drop [silent]]");
			return (-1);
		}
		if (!sim->pdp_active) {
			snprintf(err, errlen, "no active data call");
			return (-1);
		}
		sim->pdp_active = 0;
		sim_log(sim, "data: context 1 dropped by the network");
		if (*rest == '\0' && sim->cgerep != 0)
			urc_emit(sim, "+CGEV: NW PDN DEACT 1");
	} else if (*args != '\0') {
		snprintf(err, errlen, "usage: data [drop [silent]]");
		return (-1);
	}
	at_data_address(sim, addr, sizeof addr);
	json_bool(j, "supported", !sim->profile->no_data_call);
	json_bool(j, "defined", sim->pdp_defined);
	json_str(j, "apn", sim->pdp_apn);
	json_bool(j, "active", sim->pdp_active);
	json_bool(j, "attached", sim->cgatt && at_data_registered(sim));
	json_int(j, "cgerep", sim->cgerep);
	json_str(j, "address", addr);
	json_str(j, "auth_by", sim->pdp_auth_by);
	json_str(j, "user", sim->pdp_user);
	return (0);
}

const struct at_entry at_data_table[] = {
	{ "+CGDCONT", AT_F_SIM_CME, at_data_cgdcont },
	{ "+CGACT", AT_F_SIM_CME, at_data_cgact },
	{ "+CGPADDR", AT_F_SIM_CME, at_data_cgpaddr },
	{ "+CGATT", AT_F_SIM_CME, at_data_cgatt },
	{ "+CGEREP", 0, at_data_cgerep },
	{ "+CGAUTH", AT_F_SIM_CME, at_data_cgauth },
	{ "+QNETDEVCTL", AT_F_SIM_CME, at_data_qnetdevctl },
	{ "+QICSGP", AT_F_SIM_CME, at_data_qicsgp },
	{ "+UAUTHREQ", AT_F_SIM_CME, at_data_uauthreq },
	{ "^NDISDUP", AT_F_SIM_CME, at_data_ndisdup },
	{ NULL, 0, NULL }
};
