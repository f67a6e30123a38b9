/*
 * datalink_pppargs.c: what the ppp mode hands to pppd (SPEC §6.1): the
 * argument vector (no shell: each argument one string; nodetach so the
 * daemon supervises it), the chat script that defines the context with
 * the APN and dials *99***1#, the options file holding the credentials
 * (mode 0600 in the runtime directory; never on the command line, where
 * ps shows them), and the meaning of pppd's exit status (pppd(8) EXIT
 * STATUS).  Pure.
 */
#include <stdio.h>
#include <string.h>

#include "datalink.h"
#include "util.h"

int
datalink_ppp_argv(const char *port, const struct datalink_ppp_files *f,
    int with_options, int dryrun, const char **argv, size_t max)
{
	static const char *const fixed[] = {
		"115200", "nodetach", "noauth", "lock", "crtscts", "modem",
		"defaultroute", "usepeerdns", "noipdefault", "maxfail", "1",
		"lcp-echo-interval", "30", "lcp-echo-failure", "4",
		"linkname", DATALINK_PPP_LINKNAME,
		"ipparam", DATALINK_PPP_LINKNAME,
	};
	size_t n = 0;

	if (max < nitems(fixed) + 8)
		return -1;
	argv[n++] = DATALINK_PPPD;
	argv[n++] = port;
	for (size_t i = 0; i < nitems(fixed); i++)
		argv[n++] = fixed[i];
	argv[n++] = "connect";
	argv[n++] = f->connect;
	if (with_options) {
		argv[n++] = "file";
		argv[n++] = f->options;
	}
	if (dryrun)
		argv[n++] = "dryrun";
	argv[n] = NULL;
	return (int)n;
}

int
datalink_ppp_chat_text(const char *apn, char *out, size_t outlen)
{
	int n;

	if (!datalink_apn_ok(apn))
		return -1;
	n = snprintf(out, outlen,
	    "ABORT BUSY\n"
	    "ABORT 'NO CARRIER'\n"
	    "ABORT ERROR\n"
	    "ABORT 'NO DIALTONE'\n"
	    "TIMEOUT 30\n"
	    "'' AT\n"
	    "OK 'AT+CGDCONT=1,\"IP\",\"%s\"'\n"
	    "OK ATD*99***1#\n"
	    "CONNECT ''\n", apn);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
datalink_ppp_options_text(const struct datalink_apn *a, char *out,
    size_t outlen)
{
	const char *refuse = "";
	int n;

	if (!datalink_cred_ok(a->user) || !datalink_cred_ok(a->password))
		return -1;
	if (strcmp(a->auth, "PAP") == 0)
		refuse = "refuse-chap\nrefuse-mschap\nrefuse-mschap-v2\n"
		    "refuse-eap\n";
	else if (strcmp(a->auth, "CHAP") == 0)
		refuse = "refuse-pap\n";
	n = snprintf(out, outlen, "# written by cellgated: the data link's "
	    "credentials\nuser \"%s\"\npassword \"%s\"\n%s", a->user,
	    a->password, refuse);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

const char *
datalink_ppp_exit_text(int status, int *net_error)
{
	static const struct {
		int		 net;
		const char	*text;
	} codes[] = {
		{ 1, "the link ended" },
		{ 0, "fatal error" },
		{ 0, "error in the options" },
		{ 0, "not setuid root and not run by root" },
		{ 0, "the kernel does not support PPP" },
		{ 0, "terminated by a signal" },
		{ 0, "the serial port could not be locked" },
		{ 0, "the serial port could not be opened" },
		{ 1, "the connect script failed" },
		{ 0, "the pty command could not be run" },
		{ 1, "the PPP negotiation failed" },
		{ 0, "the peer failed to authenticate itself" },
		{ 1, "the link was idle" },
		{ 1, "the connect time limit was reached" },
		{ 0, "callback negotiated" },
		{ 1, "the peer stopped answering echo requests" },
		{ 1, "the modem hung up" },
		{ 1, "a loopback was detected" },
		{ 0, "the init script failed" },
		{ 1, "authentication to the peer failed" },
	};

	if (status < 0 || (size_t)status >= nitems(codes)) {
		*net_error = 1;
		return "unknown exit status";
	}
	*net_error = codes[status].net;
	return codes[status].text;
}
