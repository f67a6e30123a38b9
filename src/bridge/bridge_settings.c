/*
 * bridge_settings.c: the bridge's rows of the settings registry (the USR
 * names of seed §4.2.1 where one exists) with their value checks, and its
 * rows of the command registry (SOCKALK, SOCKBLK, ENTM).  Every row's
 * apply hook is bridge_apply(), which reconfigures the running bridge at
 * once.  Defaults are harmless: both sockets are off, nothing connects
 * anywhere until configured.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "bridge_int.h"
#include "settings.h"
#include "util.h"

static const char *const bridge_workmodes[] = {
	"NET", "HTTPD", "SMS", "CMD", NULL
};

/* A host name or address: letters, digits, '.', '-', ':' (IPv6), '_'. */
static int
bridge_host_ok(const char *h)
{
	size_t n = strlen(h);

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-:_", h[i]) == NULL)
			return 0;
	return 1;
}

/* SOCKA/SOCKB: protocol,host,port (seed §4.2.2: AT+SOCKA="TCP","host",port). */
static int
bridge_parse_socket(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *proto, *errstr;
	long long port;

	if (argc != 3) {
		snprintf(err, errlen, "expected protocol,host,port");
		return -1;
	}
	if (util_strcaseeq(argv[0], "TCP"))
		proto = "TCP";
	else if (util_strcaseeq(argv[0], "UDP"))
		proto = "UDP";
	else {
		snprintf(err, errlen, "protocol must be TCP or UDP");
		return -1;
	}
	if (!bridge_host_ok(argv[1])) {
		snprintf(err, errlen, "invalid host name");
		return -1;
	}
	port = util_strtonum(argv[2], 1, 65535, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "port %s (allowed 1..65535)", errstr);
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "%s,%s,%lld", proto, argv[1], port) >=
	    outlen) {
		snprintf(err, errlen, "value too long");
		return -1;
	}
	return 0;
}

/* Free text that may hold commas: the fields are joined back. */
static int
bridge_join(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	struct buf b;
	int rc = 0;

	buf_init(&b, outlen > 0 ? outlen - 1 : 0);
	for (int i = 0; i < argc; i++)
		if ((i > 0 && buf_add(&b, ",", 1) == -1) ||
		    buf_puts(&b, argv[i]) == -1)
			rc = -1;
	if (rc == -1 || b.overflow) {
		snprintf(err, errlen, "value too long");
		buf_free(&b);
		return -1;
	}
	util_strlcpy(out, buf_str(&b), outlen);
	buf_free(&b);
	return 0;
}

static int
bridge_parse_uart(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	struct bridge_uart u;

	if (bridge_uart_parse(argc, argv, &u, err, errlen) == -1)
		return -1;
	if (bridge_uart_format(&u, out, outlen) == -1) {
		snprintf(err, errlen, "value too long");
		return -1;
	}
	return 0;
}

static int
bridge_parse_link(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	int is_short, tmo;

	if (bridge_link_parse(argc, argv, &is_short, &tmo, err, errlen) == -1)
		return -1;
	/* "short" as the seed answers AT+SOCKASL?; the idle timeout, our
	 * extension, shown only when it is not the default */
	if (is_short && tmo == BRIDGE_SHORT_DEF)
		snprintf(out, outlen, "short");
	else if (is_short)
		snprintf(out, outlen, "short,%d", tmo);
	else
		snprintf(out, outlen, "long");
	return 0;
}

static int
bridge_parse_hex(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	size_t n, len;

	if (argc != 1) {
		snprintf(err, errlen, "expected one hex string");
		return -1;
	}
	if (bridge_hex_decode(argv[0], NULL, 80, &n, err, errlen) == -1)
		return -1;
	len = strlen(argv[0]);
	if (len >= outlen) {
		snprintf(err, errlen, "value too long");
		return -1;
	}
	for (size_t i = 0; i <= len; i++)
		out[i] = (char)toupper((unsigned char)argv[0][i]);
	return 0;
}

static int
bridge_parse_htphd(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	char text[SETTING_VALUE_MAX + 1], dec[SETTING_VALUE_MAX + 1];
	size_t n;

	if (bridge_join(argc, argv, text, sizeof text, err, errlen) == -1)
		return -1;
	if (strlen(text) > 255) {
		snprintf(err, errlen, "headers longer than 255 characters");
		return -1;
	}
	if (bridge_htphd_decode(text, dec, sizeof dec, &n, err, errlen) == -1 ||
	    bridge_htphd_lines(dec, n, NULL, NULL, err, errlen) == -1)
		return -1;
	util_strlcpy(out, text, outlen);
	return 0;
}

static int
bridge_parse_url(int argc, char **argv, char *out, size_t outlen, char *err,
    size_t errlen)
{
	char text[SETTING_VALUE_MAX + 1];

	if (bridge_join(argc, argv, text, sizeof text, err, errlen) == -1)
		return -1;
	if (text[0] != '/' || strlen(text) > 255) {
		snprintf(err, errlen, "the URL path starts with '/' and has "
		    "at most 255 characters");
		return -1;
	}
	for (const char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f ||
		    *p == '#') {
			snprintf(err, errlen, "no spaces, '#' or non-ASCII "
			    "characters in the URL path (use %%XX)");
			return -1;
		}
	util_strlcpy(out, text, outlen);
	return 0;
}

static int
bridge_parse_server(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *errstr;
	long long port;

	if (argc != 2) {
		snprintf(err, errlen, "expected address,port");
		return -1;
	}
	if (!bridge_host_ok(argv[0])) {
		snprintf(err, errlen, "invalid host name");
		return -1;
	}
	port = util_strtonum(argv[1], 1, 65535, &errstr);
	if (errstr != NULL) {
		snprintf(err, errlen, "port %s (allowed 1..65535)", errstr);
		return -1;
	}
	snprintf(out, outlen, "%s,%lld", argv[0], port);
	return 0;
}

static int
bridge_parse_rstim(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *errstr;
	long long n;

	if (argc != 1) {
		snprintf(err, errlen, "expected a time in seconds");
		return -1;
	}
	n = util_strtonum(argv[0], 0, 65535, &errstr);
	if (errstr != NULL || (n > 0 && n < 60)) {
		snprintf(err, errlen, "restart time must be 0 (off) or "
		    "60..65535 s");
		return -1;
	}
	snprintf(out, outlen, "%lld", n);
	return 0;
}

static int
bridge_parse_number(int argc, char **argv, char *out, size_t outlen,
    char *err, size_t errlen)
{
	const char *p;

	if (argc != 1) {
		snprintf(err, errlen, "expected one phone number");
		return -1;
	}
	p = argv[0];
	if (*p == '+')
		p++;
	for (const char *q = p; *q != '\0'; q++)
		if (!isdigit((unsigned char)*q)) {
			snprintf(err, errlen, "a phone number is digits with "
			    "an optional leading '+'");
			return -1;
		}
	if (strlen(p) > 20 || (*argv[0] != '\0' && *p == '\0')) {
		snprintf(err, errlen, "a phone number has 1 to 20 digits");
		return -1;
	}
	util_strlcpy(out, argv[0], outlen);
	return 0;
}

static const char *const bridge_regtypes[] = { "ICCID", "IMEI", "REGDT",
    NULL };
static const char *const bridge_regsend[] = { "link", "data", "link&data",
    NULL };
static const char *const bridge_hbto[] = { "NET", "COM", NULL };
static const char *const bridge_methods[] = { "GET", "POST", NULL };

#define ROW	.group = GROUP_NET, .role = ROLE_ADMIN, .apply = bridge_apply

const struct setting_def bridge_settings_table[] = {
	{ .name = "command.echo", .alias = "E", .type = SETTING_BOOL,
	  .def = "on", ROW,
	  .help = "echo of commands typed in the data port's command mode" },
	{ .name = "bridge.mode", .alias = "WKMOD", .type = SETTING_ENUM,
	  .choices = bridge_workmodes, .def = "NET", ROW,
	  .help = "work mode of the data port" },
	{ .name = "bridge.welcome", .alias = "STMSG", .type = SETTING_STRING,
	  .min = 0, .max = 64, .def = "cellgate", ROW,
	  .help = "welcome message written to the data port at start" },
	{ .name = "bridge.socket_a", .alias = "SOCKA", .type = SETTING_CUSTOM,
	  .parse = bridge_parse_socket, .def = "TCP,localhost,2317", ROW,
	  .help = "TCP|UDP,host,port of socket A" },
	{ .name = "bridge.socket_b", .alias = "SOCKB", .type = SETTING_CUSTOM,
	  .parse = bridge_parse_socket, .def = "TCP,localhost,2318", ROW,
	  .help = "TCP|UDP,host,port of socket B" },
	/* sockets (seed 4.2.1.25-33) */
	{ .name = "bridge.socket_a_enable", .alias = "SOCKAEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "socket A on or off" },
	{ .name = "bridge.socket_b_enable", .alias = "SOCKBEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "socket B on or off" },
	{ .name = "bridge.socket_a_link", .alias = "SOCKASL",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_link, .def = "long",
	  ROW, .help = "long, or short[,idle timeout 2..255 s] connection "
	  "of socket A" },
	{ .name = "bridge.socket_b_link", .alias = "SOCKBSL",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_link, .def = "long",
	  ROW, .help = "long, or short[,idle timeout 2..255 s] connection "
	  "of socket B" },
	{ .name = "bridge.socket_id", .alias = "SOCKIDEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "prefix data from a socket with [A] or [B]" },
	{ .name = "bridge.cache", .alias = "CACHEN", .type = SETTING_BOOL,
	  .def = "on", ROW,
	  .help = "keep serial data while a socket is down, send it on "
	  "connect" },
	{ .name = "bridge.cache_size", .type = SETTING_INT, .min = 256,
	  .max = 1048576, .def = "4096", ROW,
	  .help = "bytes kept per socket while it is down" },
	{ .name = "bridge.high_water", .type = SETTING_INT, .min = 4096,
	  .max = 16777216, .def = "65536", ROW,
	  .help = "bytes queued for a server before serial reads pause" },
	{ .name = "bridge.buffer_max", .type = SETTING_INT, .min = 65536,
	  .max = 67108864, .def = "1048576", ROW,
	  .help = "bytes queued for a server that does not read while the "
	  "other socket flows; beyond it that server's data is dropped" },
	{ .name = "bridge.nodata_timeout", .type = SETTING_INT, .min = 0,
	  .max = 86400, .def = "0", ROW,
	  .help = "seconds without data from a server before reconnecting "
	  "(0 = off)" },
	{ .name = "bridge.reconnect_min", .type = SETTING_INT, .min = 100,
	  .max = 60000, .def = "1000", ROW,
	  .help = "first reconnect delay (ms), doubled at each failure" },
	{ .name = "bridge.reconnect_max", .type = SETTING_INT, .min = 1000,
	  .max = 3600000, .def = "60000", ROW,
	  .help = "longest reconnect delay (ms)" },
	/* register packet (4.2.1.34-38) */
	{ .name = "bridge.reg_enable", .alias = "REGEN", .type = SETTING_BOOL,
	  .def = "off", ROW, .help = "send a register packet" },
	{ .name = "bridge.reg_type", .alias = "REGTP", .type = SETTING_ENUM,
	  .choices = bridge_regtypes, .def = "IMEI", ROW,
	  .help = "register packet content: ICCID, IMEI or REGDT data" },
	{ .name = "bridge.reg_data", .alias = "REGDT", .type = SETTING_CUSTOM,
	  .parse = bridge_parse_hex, .def = "", ROW,
	  .help = "user register data, hex, up to 80 bytes" },
	{ .name = "bridge.reg_send", .alias = "REGSND", .type = SETTING_ENUM,
	  .choices = bridge_regsend, .def = "link", ROW,
	  .help = "register packet on link, as head of every packet, or "
	  "both" },
	/* heartbeat (4.2.1.39-42) */
	{ .name = "bridge.heartbeat_enable", .alias = "HEARTEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "send a heartbeat packet when idle" },
	{ .name = "bridge.heartbeat_data", .alias = "HEARTDT",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_hex, .def = "", ROW,
	  .help = "heartbeat data, hex, up to 80 bytes" },
	{ .name = "bridge.heartbeat_to", .alias = "HEARTTP",
	  .type = SETTING_ENUM, .choices = bridge_hbto, .def = "NET", ROW,
	  .help = "heartbeat to the servers (NET) or the data port (COM)" },
	{ .name = "bridge.heartbeat_time", .alias = "HEARTTM",
	  .type = SETTING_INT, .min = 1, .max = 65535, .def = "30", ROW,
	  .help = "seconds of idleness before a heartbeat" },
	/* HTTPD (4.2.1.43-46, HTPPK) */
	{ .name = "bridge.http_method", .alias = "HTPTP", .type = SETTING_ENUM,
	  .choices = bridge_methods, .def = "GET", ROW,
	  .help = "HTTPD request type" },
	{ .name = "bridge.http_url", .alias = "HTPURL", .type = SETTING_CUSTOM,
	  .parse = bridge_parse_url, .def = "/", ROW,
	  .help = "HTTPD URL path; GET appends the serial data" },
	{ .name = "bridge.http_server", .alias = "HTPSV",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_server,
	  .def = "localhost,80", ROW,
	  .help = "HTTPD server address,port" },
	{ .name = "bridge.http_headers", .alias = "HTPHD",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_htphd, .def = "",
	  ROW, .help = "HTTPD request headers, [0D][0A] between lines" },
	{ .name = "bridge.http_body_only", .alias = "HTPPK",
	  .type = SETTING_BOOL, .def = "on", ROW,
	  .help = "HTTPD: on = response body only, off = status line, "
	  "headers and body" },
	{ .name = "bridge.http_timeout", .type = SETTING_INT, .min = 1,
	  .max = 300, .def = "10", ROW,
	  .help = "HTTPD request timeout (s)" },
	{ .name = "bridge.http_gap", .type = SETTING_INT, .min = 10,
	  .max = 10000, .def = "50", ROW,
	  .help = "HTTPD: serial silence (ms) that ends a request's data" },
	{ .name = "bridge.http_max", .type = SETTING_INT, .min = 1,
	  .max = 8192, .def = "1024", ROW,
	  .help = "HTTPD: bytes of serial data per request at most" },
	/* UART (4.2.1.22-23) */
	{ .name = "uart.params", .alias = "UART", .type = SETTING_CUSTOM,
	  .parse = bridge_parse_uart, .def = "115200,NONE,8,1,NONE", ROW,
	  .help = "baud,parity,data bits,stop bits,flow control "
	  "(NONE|CRTS|RS485) of the data port" },
	{ .name = "uart.rfc2217", .alias = "RFCEN", .type = SETTING_BOOL,
	  .def = "off", ROW,
	  .help = "servers may change the UART with 55 AA 55 frames" },
	/* command channels (4.2.1.7-8), restart (4.2.1.12) */
	{ .name = "bridge.net_commands", .alias = "NATEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "password#AT+ commands from the servers" },
	{ .name = "bridge.serial_commands", .alias = "UATEN",
	  .type = SETTING_BOOL, .def = "off", ROW,
	  .help = "password#AT+ commands from the data port" },
	{ .name = "bridge.restart_time", .alias = "RSTIM",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_rstim, .def = "0",
	  ROW, .help = "restart the bridge after this many seconds without "
	  "data (0 = off, else 60..65535)" },
	/* SMS mode (3.2.3, 4.2.1.47) */
	{ .name = "bridge.sms_number", .alias = "DSTNUM",
	  .type = SETTING_CUSTOM, .parse = bridge_parse_number, .def = "",
	  ROW, .help = "SMS work mode: the phone number data goes to and "
	  "comes from" },
	{ .name = "bridge.sms_gap", .type = SETTING_INT, .min = 50,
	  .max = 60000, .def = "1000", ROW,
	  .help = "SMS mode: serial silence (ms) that ends a message" },
	{ .name = "bridge.sms_max", .type = SETTING_INT, .min = 1,
	  .max = 1530, .def = "160", ROW,
	  .help = "SMS mode: bytes per message at most" },
};
const size_t bridge_settings_table_len = nitems(bridge_settings_table);

/* --- commands ------------------------------------------------------- */

static int
bridge_cmd_link(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	int id = strcmp(e->name, "SOCKBLK") == 0;

	cmd_reply_line(r, "+%s:%s", e->name, bridge_sock_connected(id) ?
	    "connected" : "disconnected");
	return 0;
}

static int
bridge_cmd_entm(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	if (ctx->channel != CHAN_SERIAL)
		return cmd_reply_error(r, "ENTM only leaves the data port's "
		    "command mode");
	bridge_request_entm();
	return 0;
}

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))

const struct cmd_entry bridge_cmd_table[] = {
	{ "SOCKALK", NULL, QUERY, 0, 0, ROLE_USER, GROUP_NET, 0,
	  "AT+SOCKALK", "socket A connection status", bridge_cmd_link },
	{ "SOCKBLK", NULL, QUERY, 0, 0, ROLE_USER, GROUP_NET, 0,
	  "AT+SOCKBLK", "socket B connection status", bridge_cmd_link },
	{ "ENTM", NULL, CMD_OP(ATFORM_EXEC), 0, 0, ROLE_USER, GROUP_NET, 0,
	  "AT+ENTM", "leave the data port's command mode", bridge_cmd_entm },
};
const size_t bridge_cmd_table_len = nitems(bridge_cmd_table);

/* --- handles --------------------------------------------------------- */

struct bridge_set bridge_set;

static const struct {
	const struct setting_def	**h;
	const char			 *name;
	enum setting_type		  type;
} bridge_set_refs[] = {
	{ &bridge_set.mode, "bridge.mode", SETTING_ENUM },
	{ &bridge_set.uart_params, "uart.params", SETTING_CUSTOM },
	{ &bridge_set.uart_rfc2217, "uart.rfc2217", SETTING_BOOL },
	{ &bridge_set.echo, "command.echo", SETTING_BOOL },
	{ &bridge_set.welcome, "bridge.welcome", SETTING_STRING },
	{ &bridge_set.serial_commands, "bridge.serial_commands", SETTING_BOOL },
	{ &bridge_set.net_commands, "bridge.net_commands", SETTING_BOOL },
	{ &bridge_set.socket_id, "bridge.socket_id", SETTING_BOOL },
	{ &bridge_set.cache, "bridge.cache", SETTING_BOOL },
	{ &bridge_set.cache_size, "bridge.cache_size", SETTING_INT },
	{ &bridge_set.high_water, "bridge.high_water", SETTING_INT },
	{ &bridge_set.buffer_max, "bridge.buffer_max", SETTING_INT },
	{ &bridge_set.reg_enable, "bridge.reg_enable", SETTING_BOOL },
	{ &bridge_set.reg_send, "bridge.reg_send", SETTING_ENUM },
	{ &bridge_set.reg_type, "bridge.reg_type", SETTING_ENUM },
	{ &bridge_set.reg_data, "bridge.reg_data", SETTING_CUSTOM },
	{ &bridge_set.heartbeat_enable, "bridge.heartbeat_enable", SETTING_BOOL },
	{ &bridge_set.heartbeat_to, "bridge.heartbeat_to", SETTING_ENUM },
	{ &bridge_set.heartbeat_data, "bridge.heartbeat_data", SETTING_CUSTOM },
	{ &bridge_set.heartbeat_time, "bridge.heartbeat_time", SETTING_INT },
	{ &bridge_set.restart_time, "bridge.restart_time", SETTING_CUSTOM },
	{ &bridge_set.nodata_timeout, "bridge.nodata_timeout", SETTING_INT },
	{ &bridge_set.reconnect_min, "bridge.reconnect_min", SETTING_INT },
	{ &bridge_set.reconnect_max, "bridge.reconnect_max", SETTING_INT },
	{ &bridge_set.http_method, "bridge.http_method", SETTING_ENUM },
	{ &bridge_set.http_server, "bridge.http_server", SETTING_CUSTOM },
	{ &bridge_set.http_url, "bridge.http_url", SETTING_CUSTOM },
	{ &bridge_set.http_headers, "bridge.http_headers", SETTING_CUSTOM },
	{ &bridge_set.http_timeout, "bridge.http_timeout", SETTING_INT },
	{ &bridge_set.http_body_only, "bridge.http_body_only", SETTING_BOOL },
	{ &bridge_set.http_max, "bridge.http_max", SETTING_INT },
	{ &bridge_set.http_gap, "bridge.http_gap", SETTING_INT },
	{ &bridge_set.sms_number, "bridge.sms_number", SETTING_CUSTOM },
	{ &bridge_set.sms_max, "bridge.sms_max", SETTING_INT },
	{ &bridge_set.sms_gap, "bridge.sms_gap", SETTING_INT },
	{ &bridge_set.socket_addr[0], "bridge.socket_a", SETTING_CUSTOM },
	{ &bridge_set.socket_enable[0], "bridge.socket_a_enable", SETTING_BOOL },
	{ &bridge_set.socket_link[0], "bridge.socket_a_link", SETTING_CUSTOM },
	{ &bridge_set.socket_addr[1], "bridge.socket_b", SETTING_CUSTOM },
	{ &bridge_set.socket_enable[1], "bridge.socket_b_enable", SETTING_BOOL },
	{ &bridge_set.socket_link[1], "bridge.socket_b_link", SETTING_CUSTOM },
};

/* At init; also from the status hook, which may run for a bridge that
 * was never started (once resolved, nothing more to do). */
void
bridge_set_resolve(void)
{
	if (bridge_set.mode != NULL)
		return;
	for (size_t i = 0; i < nitems(bridge_set_refs); i++)
		*bridge_set_refs[i].h = settings_ref(bridge_set_refs[i].name,
		    bridge_set_refs[i].type);
}
