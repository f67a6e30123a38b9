/*
 * bridge.c: the bridge module's core.  It opens the data port, routes its
 * bytes by work mode (NET to the sockets, HTTPD to libcurl, SMS framed
 * into messages, CMD to the command registry), runs the serial command
 * mode (`+++` / `a` / `+ok`, AT+ENTM, echo), hands the data of UATEN
 * (data port) and NATEN (servers) to bridge_inline.c, the "similar
 * RFC2217" frames, the heartbeat to the data port, the welcome message
 * and the RSTIM idle restart, and it applies every bridge setting live.
 * Backpressure both ways: serial reads pause while every connected socket
 * is above its high-water mark; socket reads pause while the data port's
 * output is.  Reports its status and publishes "bridge" events.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "auth.h"
#include "bridge_int.h"
#include "dns.h"
#include "climset.h"
#include "phonebook.h"
#include "sms.h"
#include "cmd.h"
#include "conf.h"
#include "events.h"
#include "log.h"
#include "settings.h"
#include "util.h"

enum bridge_mode {
	BRIDGE_NET,
	BRIDGE_HTTPD,
	BRIDGE_SMS,
	BRIDGE_CMD,
	BRIDGE_MODE_MAX
};

static const char *const bridge_mode_names[BRIDGE_MODE_MAX] = {
	"NET", "HTTPD", "SMS", "CMD"
};

#define BRIDGE_LINE_MAX		ATFORM_MAX_LEN

static struct {
	struct event_base	*base;
	int			 running;
	struct bufferevent	*port;		/* NULL: no data port */
	struct event		*port_rev;	/* the port is readable */
	enum bridge_mode	 mode;
	int			 cmdmode;	/* +++ command mode */
	int			 entm;		/* AT+ENTM seen */
	int			 reads_paused;
	int			 port_full;
	int			 held;
	struct bridge_esc	 esc;
	struct event		*esc_ev;
	char			 line[BRIDGE_LINE_MAX + 1];
	size_t			 linelen;
	int			 line_over;
	uint8_t			 last_eol;
	struct buf		 frame;		/* HTTPD and SMS framing */
	struct event		*frame_ev;
	struct event		*hb_ev;		/* heartbeat to the data port */
	struct event		*rst_ev;	/* RSTIM */
	uint64_t		 last_activity, last_port_tx;
	struct bridge_uart	 uart;		/* in effect */
	int			 uart_rfc;	/* changed by an RFC2217 frame */
	char			 uart_error[160];
	uint64_t		 serial_rx, serial_tx, restarts;
} bridge;

struct bridge_cfg bridge_cfg;


static void bridge_hold_update(void);
static void bridge_esc_schedule(void);
static const struct bridge_esc_cb bridge_esc_cbs;
static void bridge_hb_schedule(void);
static void bridge_rst_schedule(void);

void
bridge_cfg_load(void)
{
	const char *rs = settings_value(bridge_set.reg_send);
	const char *rt = settings_value(bridge_set.reg_type);
	int reg = settings_bool(bridge_set.reg_enable);
	char err[128];

	bridge_cfg.serial_cmds = settings_bool(bridge_set.serial_commands);
	bridge_cfg.net_cmds = settings_bool(bridge_set.net_commands);
	bridge_cfg.rfc = settings_bool(bridge_set.uart_rfc2217);
	bridge_cfg.sock_id = settings_bool(bridge_set.socket_id);
	bridge_cfg.echo = settings_bool(bridge_set.echo);
	bridge_cfg.cache = settings_bool(bridge_set.cache);
	bridge_cfg.reg_link = reg && strcmp(rs, "data") != 0;
	bridge_cfg.reg_data = reg && strcmp(rs, "link") != 0;
	bridge_cfg.reg_identity = NULL;
	bridge_cfg.reg_len = 0;
	if (!util_strcaseeq(rt, "REGDT"))
		bridge_cfg.reg_identity = util_strcaseeq(rt, "ICCID") ?
		    "iccid" : "imei";
	else if (bridge_hex_decode(settings_value(bridge_set.reg_data),
	    bridge_cfg.reg, sizeof bridge_cfg.reg, &bridge_cfg.reg_len, err,
	    sizeof err) == -1)
		bridge_cfg.reg_len = 0;
	bridge_cfg.high_water = (size_t)settings_int(bridge_set.high_water);
	bridge_cfg.buffer_max = (size_t)settings_int(bridge_set.buffer_max);
	bridge_cfg.cache_size = (size_t)settings_int(bridge_set.cache_size);
	bridge_cfg.http_max = (size_t)settings_int(bridge_set.http_max);
	bridge_cfg.http_gap = settings_int(bridge_set.http_gap);
	bridge_cfg.sms_max = (size_t)settings_int(bridge_set.sms_max);
	bridge_cfg.sms_gap = settings_int(bridge_set.sms_gap);
}

struct event_base *
bridge_base(void)
{
	return bridge.base;
}

long long
bridge_restart_time(void)
{
	const char *errstr;

	/* a custom row (0, or 60..65535), canonical decimal */
	return util_strtonum(settings_value(bridge_set.restart_time), 0,
	    65535, &errstr);
}

void
bridge_event(const char *what, struct json_object *fields)
{
	if (fields == NULL)
		fields = json_object_new_object();
	json_object_object_add(fields, "what", json_object_new_string(what));
	events_publish("bridge", fields);
}

static void
bridge_event_str(const char *what, const char *key, const char *value)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, key, json_object_new_string(value));
	bridge_event(what, o);
}

void
bridge_activity(void)
{
	bridge.last_activity = util_now_ms();
}

/*
 * Write through a bufferevent's output queue.  While nothing is queued
 * the bytes go to the descriptor at once, in one writev() from where
 * they are: no copy into the queue, no write event armed and disarmed,
 * no wait for the next loop turn (what socat does).  What the
 * descriptor does not take, and everything while something is queued
 * (order), is appended to the queue, which the bufferevent writes when
 * the descriptor is writable.  An error other than EAGAIN is left for
 * the bufferevent to meet on its own write and report.
 */
int
bridge_bev_writev(struct bufferevent *bev, const struct iovec *iov, int cnt)
{
	struct evbuffer *out = bufferevent_get_output(bev);
	ssize_t w = 0;
	size_t done;

	if (evbuffer_get_length(out) == 0 &&
	    (w = writev(bufferevent_getfd(bev), iov, cnt)) == -1)
		w = 0;
	done = (size_t)w;
	for (int i = 0; i < cnt; i++) {
		size_t len = iov[i].iov_len, skip = done < len ? done : len;

		done -= skip;
		if (len > skip && evbuffer_add(out,
		    (const uint8_t *)iov[i].iov_base + skip, len - skip) == -1)
			return -1;
	}
	return 0;
}

void
bridge_port_sendv(const struct iovec *iov, int cnt)
{
	size_t n = 0;

	for (int i = 0; i < cnt; i++)
		n += iov[i].iov_len;
	if (bridge.port == NULL || n == 0)
		return;
	bridge_bev_writev(bridge.port, iov, cnt);
	bridge.serial_tx += n;
	bridge.last_port_tx = util_now_ms();
	if (!bridge.port_full && evbuffer_get_length(bufferevent_get_output(
	    bridge.port)) >= bridge_cfg.high_water) {
		bridge.port_full = 1;
		bridge_hold_update();
	}
}

void
bridge_port_send(const void *p, size_t n)
{
	struct iovec iov = { (void *)p, n };

	bridge_port_sendv(&iov, 1);
}

static void
bridge_hold_update(void)
{
	int hold = bridge.port_full || bridge.cmdmode;

	if (hold != bridge.held) {
		bridge.held = hold;
		bridge_sock_hold(hold);
	}
}

/* --- serial reads and their backpressure ----------------------------- */

/*
 * Serial reads pause between two reads: the bytes of the read that
 * crossed the high-water mark are all passed on (at most one read more
 * than high_water; buffer_max is the hard limit).
 */
static void
bridge_reads_check(void)
{
	if (bridge.port == NULL)
		return;
	if (!bridge.reads_paused && bridge.mode == BRIDGE_NET &&
	    !bridge.cmdmode && bridge_sock_blocked()) {
		bridge.reads_paused = 1;
		event_del(bridge.port_rev);
	}
}

void
bridge_net_drained(void)
{
	if (bridge.port == NULL || !bridge.reads_paused)
		return;
	if (bridge_sock_blocked() && bridge.mode == BRIDGE_NET &&
	    !bridge.cmdmode)
		return;
	bridge.reads_paused = 0;
	event_add(bridge.port_rev, NULL);
}

/* --- command mode ---------------------------------------------------- */

void
bridge_request_entm(void)
{
	bridge.entm = 1;
}

static void
bridge_cmdmode_set(int on)
{
	if (bridge.cmdmode == on)
		return;
	bridge.cmdmode = on;
	bridge.linelen = 0;
	bridge.line_over = 0;
	log_info("bridge: data port %s command mode", on ? "entered" :
	    "left");
	bridge_event(on ? "command_mode" : "data_mode", NULL);
	bridge_hold_update();
	if (!on)
		bridge_net_drained();
}

/* Run one command and write the reply in the USR wire format. */
void
bridge_run_command(const char *text, const struct cmd_ctx *ctx,
    void (*out)(void *, const void *, size_t), void *arg)
{
	struct cmd_reply r;
	struct buf b;

	cmd_reply_init(&r);
	buf_init(&b, CMD_REPLY_MAX + 64);
	cmd_run(text, strlen(text), ctx, &r);
	cmd_reply_format(&r, CMD_STYLE_SERIAL, &b);
	out(arg, b.data, b.len);
	buf_free(&b);
	cmd_reply_free(&r);
}

void
bridge_out_port(void *arg, const void *p, size_t n)
{
	bridge_port_send(p, n);
}

/* The µPanel seed's remote-lock spellings (climset.h), answered as the
 * seed answers them; the lock is the setting auth.remote_lock, changed
 * through the registry as any setting is. */
static void
bridge_climset(const char *l, const struct cmd_ctx *ctx)
{
	const struct setting_def *lock = settings_find("auth.remote_lock");
	struct climset c;
	struct cmd_reply r;
	const char *err;
	char text[64];

	if (climset_parse(l, strlen(l), GROUP_ALL, &c, &err) != 1) {
		log_info("bridge: data port: %s", err);
		bridge_port_send("\r\nERROR\r\n", 9);
		return;
	}
	if (c.op != CLIMSET_QUERY) {
		cmd_reply_init(&r);
		snprintf(text, sizeof text, "AT+%s=%d", lock->name, c.sum);
		if (cmd_run(text, strlen(text), ctx, &r) == -1) {
			cmd_reply_free(&r);
			bridge_port_send("$ERR-DENIED\r\n", 13);
			return;
		}
		cmd_reply_free(&r);
	}
	if (c.op == CLIMSET_LIM)
		snprintf(text, sizeof text, "$OK-APPLIM\r\n");
	else if (c.op == CLIMSET_FULL)
		snprintf(text, sizeof text, "$OK-APPFULL\r\n");
	else
		snprintf(text, sizeof text, "$AP-CLIMSET:%s\r\n",
		    settings_value(lock));
	bridge_port_send(text, strlen(text));
}

static void
bridge_cmd_line(void)
{
	static const struct cmd_ctx ctx = { CHAN_SERIAL, ROLE_ADMIN,
	    "data port" };
	char *l = bridge.line;

	bridge.line[bridge.linelen] = '\0';
	bridge.linelen = 0;
	if (bridge.line_over) {
		bridge.line_over = 0;
		log_warnx("bridge: command line longer than %d bytes refused",
		    BRIDGE_LINE_MAX);
		bridge_port_send("\r\nERROR\r\n", 9);
		return;
	}
	while (*l == ' ')
		l++;
	if (*l == '\0')
		return;
	if (util_strcaseeq(l, "AT")) {
		bridge_port_send("\r\nOK\r\n", 6);
		return;
	}
	if (*l == '$') {
		bridge_climset(l, &ctx);
		return;
	}
	bridge.entm = 0;
	bridge_run_command(l, &ctx, bridge_out_port, NULL);
	if (bridge.entm) {
		bridge.entm = 0;
		if (bridge.mode != BRIDGE_CMD)
			bridge_cmdmode_set(0);
	}
}

/* Bytes typed in command mode (or in the CMD work mode). */
static void
bridge_cmd_input(const uint8_t *p, size_t n)
{
	if (bridge_cfg.echo)
		bridge_port_send(p, n);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == '\r' || c == '\n') {
			/* CR LF is one end of line */
			if (bridge.linelen == 0 && !bridge.line_over &&
			    bridge.last_eol == '\r' && c == '\n') {
				bridge.last_eol = 0;
				continue;
			}
			bridge.last_eol = c;
			bridge_cmd_line();
			if (!bridge.cmdmode && bridge.mode != BRIDGE_CMD) {
				/* AT+ENTM: the rest is data again */
				if (i + 1 < n) {
					bridge_esc_feed(&bridge.esc, p + i + 1,
					    n - i - 1, util_now_ms(),
					    &bridge_esc_cbs);
					bridge_esc_schedule();
				}
				return;
			}
			continue;
		}
		bridge.last_eol = 0;
		if (c == '\b' || c == 0x7f) {
			if (bridge.linelen > 0)
				bridge.linelen--;
			continue;
		}
		if (bridge.linelen >= BRIDGE_LINE_MAX) {
			bridge.line_over = 1;
			continue;
		}
		bridge.line[bridge.linelen++] = (char)c;
	}
}

/* --- framing for HTTPD and SMS --------------------------------------- */

static void
bridge_frame_emit(void)
{
	if (bridge.frame.len == 0)
		return;
	if (bridge.mode == BRIDGE_HTTPD)
		bridge_http_submit((const uint8_t *)bridge.frame.data,
		    bridge.frame.len);
	else if (bridge.mode == BRIDGE_SMS)
		bridge_sms_out(settings_value(bridge_set.sms_number),
		    (const uint8_t *)bridge.frame.data, bridge.frame.len);
	buf_reset(&bridge.frame);
	event_del(bridge.frame_ev);
}

static void
bridge_frame_cb(evutil_socket_t fd, short what, void *arg)
{
	bridge_frame_emit();
}

static void
bridge_frame_add(const uint8_t *p, size_t n)
{
	int http = bridge.mode == BRIDGE_HTTPD;
	size_t max = http ? bridge_cfg.http_max : bridge_cfg.sms_max;
	long long gap = http ? bridge_cfg.http_gap : bridge_cfg.sms_gap;
	struct timeval tv = { (time_t)(gap / 1000),
	    (suseconds_t)(gap % 1000) * 1000 };

	while (n > 0) {
		size_t room = max > bridge.frame.len ? max - bridge.frame.len :
		    0, k = n < room ? n : room;

		buf_add(&bridge.frame, p, k);
		p += k;
		n -= k;
		if (bridge.frame.len >= max)
			bridge_frame_emit();
	}
	if (bridge.frame.len > 0)
		event_add(bridge.frame_ev, &tv);
}

/* --- data from the data port ----------------------------------------- */

void
bridge_serial_pass(void *arg, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	switch (bridge.mode) {
	case BRIDGE_NET:
		bridge_sock_send(p, n);
		bridge_reads_check();
		break;
	case BRIDGE_HTTPD:
	case BRIDGE_SMS:
		bridge_frame_add(p, n);
		break;
	default:
		break;
	}
}

static void
bridge_serial_data(void *arg, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (bridge_cfg.serial_cmds)
		bridge_inline_in(BRIDGE_SRC_PORT, p, n);
	else
		bridge_serial_pass(NULL, p, n);
}

static void
bridge_esc_send_a(void *arg)
{
	bridge_port_send("a", 1);
}

static void
bridge_esc_enter(void *arg, const uint8_t *rest, size_t n)
{
	bridge_port_send("+ok", 3);
	bridge_frame_emit();
	bridge_cmdmode_set(1);
	if (n > 0)
		bridge_cmd_input(rest, n);
}

static const struct bridge_esc_cb bridge_esc_cbs = {
	bridge_serial_data, bridge_esc_send_a, bridge_esc_enter, NULL
};

static void
bridge_esc_schedule(void)
{
	uint64_t d = bridge_esc_deadline(&bridge.esc), now = util_now_ms();
	struct timeval tv;

	if (d == 0) {
		event_del(bridge.esc_ev);
		return;
	}
	d = d > now ? d - now + 1 : 1;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	event_add(bridge.esc_ev, &tv);
}

static void
bridge_esc_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	enum bridge_esc_state was = bridge.esc.state;

	bridge_esc_tick(&bridge.esc, util_now_ms(), &bridge_esc_cbs);
	if (was == BRIDGE_ESC_WAIT_A && bridge.esc.state == BRIDGE_ESC_IDLE)
		log_info("bridge: no 'a' within 3 s after +++: data mode");
	bridge_esc_schedule();
}

static void
bridge_serial_input(const uint8_t *p, size_t n)
{
	bridge.serial_rx += n;
	bridge_activity();
	if (bridge.mode == BRIDGE_CMD || bridge.cmdmode) {
		bridge_cmd_input(p, n);
		return;
	}
	bridge_esc_feed(&bridge.esc, p, n, util_now_ms(), &bridge_esc_cbs);
	bridge_esc_schedule();
}

/* A serial device went away (USB unplugged, socat gone): stop using it;
 * bridge_port.c closes it and reopens it when it is back. */
static void
bridge_port_failed(const char *why)
{
	log_warnx("bridge: data port %s: %s; waiting for it to come back",
	    bridge_port_name() != NULL ? bridge_port_name() : "?", why);
	event_del(bridge.port_rev);
	bufferevent_disable(bridge.port, EV_READ | EV_WRITE);
	bridge_event_str("port_error", "port", bridge_port_name() != NULL ?
	    bridge_port_name() : "?");
	bridge_port_lost(why);
}

/* bridge_port.c is about to free the vanished port's bufferevent. */
static void
bridge_port_down(void)
{
	if (bridge.port_rev != NULL)
		event_free(bridge.port_rev);
	bridge.port_rev = NULL;
	bridge.port = NULL;
	bridge.port_full = 0;
}

/*
 * The data port is readable.  One read() per wake-up, straight into a
 * buffer the bytes are then handled from (one copy, the kernel's);
 * the bufferevent only queues the port's output.
 */
static void
bridge_port_read_cb(evutil_socket_t fd, short what, void *arg)
{
	static uint8_t buf[BRIDGE_READ_MAX];
	ssize_t n;

	if ((n = read(fd, buf, sizeof buf)) > 0)
		bridge_serial_input(buf, (size_t)n);
	else if (n == 0)
		bridge_port_failed("end of file");
	else if (errno != EAGAIN && errno != EINTR)
		bridge_port_failed(strerror(errno));
}

static void
bridge_port_write_cb(struct bufferevent *bev, void *arg)
{
	if (bridge.port_full) {
		bridge.port_full = 0;
		bridge_hold_update();
	}
}

static void
bridge_port_event_cb(struct bufferevent *bev, short what, void *arg)
{
	bridge_port_failed((what & BEV_EVENT_EOF) ? "end of file" : "error");
}

/* --- data from the servers ------------------------------------------- */

static void
bridge_net_data(void *arg, const uint8_t *p, size_t n)
{
	const struct bridge_net_ctx *c = arg;
	char tag[3] = { '[', c->id ? 'B' : 'A', ']' };
	/* the tag and the bytes in one write */
	struct iovec iov[2] = { { tag, sizeof tag }, { (void *)p, n } };

	if (n == 0)
		return;
	if (bridge_cfg.sock_id)
		bridge_port_sendv(iov, 2);
	else
		bridge_port_sendv(iov + 1, 1);
}

static void
bridge_net_frame(void *arg, const struct bridge_uart *u)
{
	const struct bridge_net_ctx *c = arg;
	struct bridge_uart nu = *u;
	char err[160], text[64];

	nu.flow = bridge.uart.flow;	/* the frame does not carry it */
	bridge_uart_format(&nu, text, sizeof text);
	if (bridge_port_apply(&nu, err, sizeof err) == -1) {
		log_warnx("bridge: RFC2217 frame from socket %c (%s) not "
		    "applied: %s", c->id ? 'B' : 'A', text, err);
		return;
	}
	bridge.uart = nu;
	bridge.uart_rfc = 1;
	log_info("bridge: socket %c set the data port to %s (until restart)",
	    c->id ? 'B' : 'A', text);
	bridge_event_str("uart", "uart", text);
}

static void
bridge_net_bad(void *arg, enum bridge_rfc_result r)
{
	const struct bridge_net_ctx *c = arg;

	if (r == BRIDGE_RFC_BADPARAM)
		log_warnx("bridge: RFC2217 frame from socket %c with "
		    "unsupported values dropped", c->id ? 'B' : 'A');
	else
		log_debug("bridge: 55 AA 55 with a bad checksum from socket "
		    "%c passed on as data", c->id ? 'B' : 'A');
}

void
bridge_out_sock(void *arg, const void *p, size_t n)
{
	const struct bridge_net_ctx *c = arg;

	bridge_sock_reply(c->id, p, n);
}

/* Server data that is not an inline command. */
void
bridge_net_pass(void *arg, const uint8_t *p, size_t n)
{
	struct bridge_rfc_cb cb = { bridge_net_data, bridge_net_frame,
	    bridge_net_bad, arg };

	if (n == 0)
		return;
	if (bridge_cfg.rfc)
		bridge_rfc_scan(p, n, &cb);
	else
		bridge_net_data(arg, p, n);
}

void
bridge_net_input(int id, const uint8_t *p, size_t n)
{
	struct bridge_net_ctx c = { id };

	bridge_activity();
	if (bridge_cfg.net_cmds)
		bridge_inline_in(id ? BRIDGE_SRC_B : BRIDGE_SRC_A, p, n);
	else
		bridge_net_pass(&c, p, n);
}

/* --- heartbeat to the data port, RSTIM ------------------------------- */

static void
bridge_hb_cb(evutil_socket_t fd, short what, void *arg)
{
	uint8_t d[80];
	size_t n;
	char err[64];
	uint64_t now = util_now_ms();
	uint64_t period = (uint64_t)settings_int(bridge_set.heartbeat_time) *
	    1000;

	if (now >= bridge.last_port_tx + period &&
	    bridge_hex_decode(settings_value(bridge_set.heartbeat_data), d,
	    sizeof d, &n, err, sizeof err) == 0 && n > 0 && !bridge.cmdmode)
		bridge_port_send(d, n);
	if (now >= bridge.last_port_tx + period)
		bridge.last_port_tx = now;
	bridge_hb_schedule();
}

static void
bridge_hb_schedule(void)
{
	uint64_t period, now = util_now_ms(), at, d;
	struct timeval tv;

	event_del(bridge.hb_ev);
	if (bridge.port == NULL || bridge.mode != BRIDGE_NET ||
	    !settings_bool(bridge_set.heartbeat_enable) ||
	    strcmp(settings_value(bridge_set.heartbeat_to), "COM") != 0)
		return;
	period = (uint64_t)settings_int(bridge_set.heartbeat_time) * 1000;
	at = bridge.last_port_tx + period;
	d = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	event_add(bridge.hb_ev, &tv);
}

static void bridge_restart(void);

static void
bridge_rst_cb(evutil_socket_t fd, short what, void *arg)
{
	uint64_t t = (uint64_t)bridge_restart_time() * 1000;

	if (t > 0 && util_now_ms() >= bridge.last_activity + t) {
		log_info("bridge: no data for %llu s (RSTIM): restarting the "
		    "bridge", (unsigned long long)(t / 1000));
		bridge_restart();
	}
	bridge_rst_schedule();
}

static void
bridge_rst_schedule(void)
{
	uint64_t t = (uint64_t)bridge_restart_time() * 1000;
	uint64_t now = util_now_ms(), at, d;
	struct timeval tv;

	event_del(bridge.rst_ev);
	if (t == 0 || !bridge.running)
		return;
	at = bridge.last_activity + t;
	d = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	event_add(bridge.rst_ev, &tv);
}

/* --- settings -------------------------------------------------------- */

static enum bridge_mode
bridge_mode_get(void)
{
	const char *m = settings_value(bridge_set.mode);

	for (int i = 0; i < BRIDGE_MODE_MAX; i++)
		if (util_strcaseeq(m, bridge_mode_names[i]))
			return (enum bridge_mode)i;
	return BRIDGE_NET;
}

static void
bridge_uart_from_setting(void)
{
	char copy[SETTING_VALUE_MAX + 1], *f[5], *p;
	struct bridge_uart u;
	int n = 0;

	util_strlcpy(copy, settings_value(bridge_set.uart_params), sizeof copy);
	for (p = copy; p != NULL && n < 5; n++) {
		f[n] = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
	}
	bridge.uart_error[0] = '\0';
	if (bridge_uart_parse(n, f, &u, bridge.uart_error,
	    sizeof bridge.uart_error) == -1)
		return;
	bridge.uart = u;
	bridge.uart_rfc = 0;
	if (bridge.port != NULL && bridge_port_apply(&u, bridge.uart_error,
	    sizeof bridge.uart_error) == -1)
		log_warnx("bridge: data port: %s", bridge.uart_error);
}

static void
bridge_mode_apply(void)
{
	enum bridge_mode m = bridge_mode_get();

	if (m == bridge.mode)
		return;
	log_info("bridge: work mode %s -> %s", bridge_mode_names[bridge.mode],
	    bridge_mode_names[m]);
	bridge_frame_emit();
	bridge.mode = m;
	bridge_esc_reset(&bridge.esc);
	event_del(bridge.esc_ev);
	if (m == BRIDGE_CMD)
		bridge_cmdmode_set(0);
	bridge_event_str("mode", "mode", bridge_mode_names[m]);
}

void
bridge_apply(const struct setting_def *d)
{
	if (!bridge.running)
		return;
	bridge_cfg_load();
	if (d == bridge_set.uart_params)
		bridge_uart_from_setting();
	if (d == bridge_set.mode)
		bridge_mode_apply();
	bridge_sock_configure(bridge.mode == BRIDGE_NET);
	bridge_sock_heartbeat();
	bridge_hb_schedule();
	bridge_rst_schedule();
	bridge_reads_check();
	bridge_net_drained();
}

/* --- SMS mode -------------------------------------------------------- */

void
bridge_sms_out(const char *number, const uint8_t *data, size_t len)
{
	char err[256];

	if (number[0] == '\0') {
		log_warnx("bridge: SMS mode: %zu bytes dropped: DSTNUM is not "
		    "set", len);
		return;
	}
	/* the framed data as the message text (UCS-2 if it needs it) */
	if (memchr(data, '\0', len) != NULL ||
	    sms_send(number, (const char *)data, len, "auto", "data port",
	    err, sizeof err) == -1)
		log_warnx("bridge: SMS mode: %zu bytes for %s not sent: %s",
		    len, number, memchr(data, '\0', len) != NULL ?
		    "NUL byte in the data" : err);
}

/* Subscribed to incoming SMS: DSTNUM's messages go to the data port. */
static int
bridge_sms_in(const char *number, const uint8_t *data, size_t len,
    void *arg)
{
	const char *want, *cc = phonebook_country_code();
	char a[PHONEBOOK_NUMBER_MAX + 1], b[PHONEBOOK_NUMBER_MAX + 1];

	if (!bridge.running || bridge.port == NULL ||
	    bridge.mode != BRIDGE_SMS)
		return 0;
	/* only DSTNUM's messages, whichever way the number is written */
	want = settings_value(bridge_set.sms_number);
	if (want[0] == '\0')
		return 0;
	if (phonebook_normalise(want, cc, a, sizeof a) == -1)
		util_strlcpy(a, want, sizeof a);
	if (phonebook_normalise(number, cc, b, sizeof b) == -1)
		util_strlcpy(b, number, sizeof b);
	if (strcmp(a, b) != 0)
		return 0;
	bridge_port_send(data, len);
	return 1;
}

/* --- life cycle ------------------------------------------------------ */

static void
bridge_welcome(void)
{
	const char *m = settings_value(bridge_set.welcome);

	if (m[0] != '\0') {
		bridge_port_send(m, strlen(m));
		bridge_port_send("\r\n", 2);
	}
}

/* RSTIM: a fresh start of the bridge, not of the daemon.  Sockets are
 * closed and reopened, RFC2217 changes are undone, command mode and
 * framing are reset; the data port stays open (a pty keeps its link). */
static void
bridge_restart(void)
{
	bridge.restarts++;
	bridge_event(bridge.running ? "restart" : "start", NULL);
	bridge_frame_emit();
	bridge_cmdmode_set(0);
	bridge_esc_reset(&bridge.esc);
	bridge_sock_shutdown();
	bridge_sock_init();
	bridge_uart_from_setting();
	bridge_activity();
	bridge_welcome();
	bridge_sock_configure(bridge.mode == BRIDGE_NET);
	bridge_hb_schedule();
}

static void bridge_port_up(struct bufferevent *);

int
bridge_init(struct event_base *base, const struct conf *c, char *err,
    size_t errlen)
{
	memset(&bridge, 0, sizeof bridge);
	bridge_set_resolve();
	bridge.base = base;
	bridge.mode = bridge_mode_get();
	bridge_cfg_load();
	buf_init(&bridge.frame, 8192);
	bridge_esc_reset(&bridge.esc);
	if (dns_init(base, err, errlen) == -1 ||
	    bridge_http_init(base, err, errlen) == -1)
		goto fail;
	bridge.esc_ev = evtimer_new(base, bridge_esc_timer_cb, NULL);
	bridge.frame_ev = evtimer_new(base, bridge_frame_cb, NULL);
	bridge_inline_init(base);
	bridge.hb_ev = evtimer_new(base, bridge_hb_cb, NULL);
	bridge.rst_ev = evtimer_new(base, bridge_rst_cb, NULL);
	bridge_sock_init();
	if (sms_in_subscribe(bridge_sms_in, NULL) == -1) {
		snprintf(err, errlen, "cannot subscribe to incoming SMS");
		goto fail;
	}
	bridge.running = 1;
	bridge_activity();
	if (bridge_port_open(c, base, bridge_port_up, bridge_port_down, err,
	    errlen) == -1)
		goto fail;
	if (bridge_port_device() == NULL && bridge.port == NULL)
		log_info("bridge: no data_port in the configuration: the "
		    "bridge is stopped");
	return 0;
fail:
	bridge_shutdown();
	return -1;
}

/* The data port opened (at start, or when it came back). */
static void
bridge_port_up(struct bufferevent *bev)
{
	bridge.port = bev;
	bridge.port_rev = event_new(bridge.base, bufferevent_getfd(bev),
	    EV_READ | EV_PERSIST, bridge_port_read_cb, NULL);
	if (bridge.port_rev == NULL) {
		log_warnx("bridge: cannot watch the data port");
		bridge.port = NULL;
		bridge_port_lost("cannot watch it");
		return;
	}
	event_add(bridge.port_rev, NULL);
	bufferevent_set_max_single_write(bridge.port, BRIDGE_READ_MAX);
	bufferevent_setcb(bridge.port, NULL, bridge_port_write_cb,
	    bridge_port_event_cb, NULL);
	bufferevent_setwatermark(bridge.port, EV_WRITE,
	    bridge_cfg.high_water / 2, 0);
	bufferevent_enable(bridge.port, EV_WRITE);
	bridge_uart_from_setting();
	bridge_welcome();
	bridge_sock_configure(bridge.mode == BRIDGE_NET);
	bridge_hb_schedule();
	bridge_rst_schedule();
	log_info("bridge: running in %s mode", bridge_mode_names[bridge.mode]);
}

void
bridge_reload(const struct conf *c)
{
	/* The data port is a machine fact: a change needs a restart. */
	if (bridge.running && ((c->data_port_pty[0] != '\0' ||
	    c->data_port_device[0] != '\0') != (bridge.port != NULL ||
	    bridge_port_device() != NULL)))
		log_warnx("bridge: data_port changes take effect at the next "
		    "start");
}

void
bridge_shutdown(void)
{
	bridge.running = 0;
	sms_in_unsubscribe(bridge_sms_in, NULL);
	bridge_sock_shutdown();
	bridge_http_shutdown();
	if (bridge.port != NULL) {
		/* give the data port what is still queued, if it takes it */
		evbuffer_write(bufferevent_get_output(bridge.port),
		    bufferevent_getfd(bridge.port));
	}
	if (bridge.port_rev != NULL)
		event_free(bridge.port_rev);
	bridge.port_rev = NULL;
	bridge_port_close();
	bridge.port = NULL;
	dns_shutdown();
	if (bridge.esc_ev != NULL)
		event_free(bridge.esc_ev);
	if (bridge.frame_ev != NULL)
		event_free(bridge.frame_ev);
	bridge_inline_shutdown();
	if (bridge.hb_ev != NULL)
		event_free(bridge.hb_ev);
	if (bridge.rst_ev != NULL)
		event_free(bridge.rst_ev);
	bridge.esc_ev = bridge.frame_ev = bridge.hb_ev = bridge.rst_ev = NULL;
	buf_free(&bridge.frame);
}

const char *
bridge_mode_name(void)
{
	bridge_set_resolve();
	return settings_value(bridge_set.mode);
}

const char *
bridge_socket_state(int id)
{
	if (!bridge.running || bridge.port == NULL || id < 0 ||
	    id >= BRIDGE_NSOCK)
		return "stopped";
	return bridge_sock_state_name(id);
}

struct json_object *
bridge_status(void)
{
	struct json_object *o = json_object_new_object();
	char uart[64];
	int live = bridge.running && bridge.port != NULL;

	bridge_set_resolve();
	json_object_object_add(o, "mode",
	    json_object_new_string(settings_value(bridge_set.mode)));
	json_object_object_add(o, "state", json_object_new_string(!live ?
	    (bridge.running && bridge_port_device() != NULL ? "absent" :
	    "stopped") : bridge.cmdmode || bridge.mode == BRIDGE_CMD ?
	    "command" : "running"));
	json_object_object_add(o, "port", bridge_port_name() != NULL ?
	    json_object_new_string(bridge_port_name()) :
	    bridge_port_device() != NULL ?
	    json_object_new_string(bridge_port_device()) : NULL);
	json_object_object_add(o, "port_state",
	    json_object_new_string(bridge_port_state()));
	if (bridge_port_error() != NULL)
		json_object_object_add(o, "port_error",
		    json_object_new_string(bridge_port_error()));
	if (live) {
		json_object_object_add(o, "port_type", json_object_new_string(
		    bridge_port_is_pty() ? "pty" : "serial"));
		bridge_uart_format(&bridge.uart, uart, sizeof uart);
		json_object_object_add(o, "uart", json_object_new_string(uart));
		json_object_object_add(o, "uart_from_rfc2217",
		    json_object_new_boolean(bridge.uart_rfc));
		if (bridge.uart_error[0] != '\0')
			json_object_object_add(o, "uart_error",
			    json_object_new_string(bridge.uart_error));
		json_object_object_add(o, "serial_rx_bytes",
		    json_object_new_int64((int64_t)bridge.serial_rx));
		json_object_object_add(o, "serial_tx_bytes",
		    json_object_new_int64((int64_t)bridge.serial_tx));
		json_object_object_add(o, "serial_reads_paused",
		    json_object_new_boolean(bridge.reads_paused));
		json_object_object_add(o, "restarts",
		    json_object_new_int64((int64_t)bridge.restarts));
	}
	for (int i = 0; i < BRIDGE_NSOCK; i++) {
		struct json_object *s;

		if (live)
			s = bridge_sock_status(i);
		else {
			s = json_object_new_object();
			json_object_object_add(s, "state",
			    json_object_new_string("stopped"));
		}
		json_object_object_add(o, i ? "socket_b" : "socket_a", s);
	}
	if (live)
		json_object_object_add(o, "http", bridge_http_status());
	return o;
}
