/*
 * bridge_int.h: what the bridge's own files share and nobody else uses:
 * the data port (bridge_port.c), sockets A and B (bridge_sock.c, named
 * hosts through the shared resolver, dns.h), the HTTPD client
 * (bridge_http.c), and the core (bridge.c) they report back to.
 */
#ifndef CG_BRIDGE_INT_H
#define CG_BRIDGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "bridge.h"
#include "bridge_proto.h"

struct addrinfo;
struct bufferevent;
struct iovec;
struct cmd_ctx;
struct conf;
struct event_base;
struct json_object;

#define BRIDGE_NSOCK	2
/* Largest read from the data port or a TCP server, in one read() into a
 * buffer of the reader's own; bytes are handed on from there in place.
 * (libevent 2.1's bufferevents read at most 4096 bytes at a time.) */
#define BRIDGE_READ_MAX	65536
#define BRIDGE_REG_MAX	80	/* register packet */

/* --- bridge.c ------------------------------------------------------- */

/* Every setting the bridge reads, resolved once by bridge_set_resolve()
 * at init (bridge_settings.c). */
struct bridge_set {
	const struct setting_def *mode,
				 *uart_params,
				 *uart_rfc2217,
				 *echo,
				 *welcome,
				 *serial_commands,
				 *net_commands,
				 *socket_id,
				 *cache,
				 *cache_size,
				 *high_water,
				 *buffer_max,
				 *reg_enable,
				 *reg_send,
				 *reg_type,
				 *reg_data,
				 *heartbeat_enable,
				 *heartbeat_to,
				 *heartbeat_data,
				 *heartbeat_time,
				 *restart_time,
				 *nodata_timeout,
				 *reconnect_min,
				 *reconnect_max,
				 *http_method,
				 *http_server,
				 *http_url,
				 *http_headers,
				 *http_timeout,
				 *http_body_only,
				 *http_max,
				 *http_gap,
				 *sms_number,
				 *sms_max,
				 *sms_gap,
				 *socket_addr[2], *socket_enable[2],
				 *socket_link[2];
};
extern struct bridge_set bridge_set;
void bridge_set_resolve(void);
/* RSTIM in seconds (0: off). */
long long bridge_restart_time(void);

/* What the byte paths use, derived from the settings (flags, the decoded
 * register packet); reloaded whenever a setting changes. */
struct bridge_cfg {
	int		 serial_cmds;	/* UATEN */
	int		 net_cmds;	/* NATEN */
	int		 rfc;		/* RFCEN */
	int		 sock_id;	/* SOCKIDEN */
	int		 echo;		/* E */
	int		 cache;		/* CACHEN */
	int		 reg_link;	/* REGEN and REGSND link or link&data */
	int		 reg_data;	/* REGEN and REGSND data or link&data */
	/* REGTP: the modem identity to send ("iccid", "imei"), or NULL
	 * for REGDT, whose decoded bytes are reg[0..reg_len) */
	const char	*reg_identity;
	uint8_t		 reg[BRIDGE_REG_MAX];
	size_t		 reg_len;
	size_t		 high_water, buffer_max, cache_size;
	size_t		 http_max, sms_max;	/* HTTPD and SMS framing */
	long long	 http_gap, sms_gap;	/* ms */
};
extern struct bridge_cfg bridge_cfg;
void bridge_cfg_load(void);

struct event_base *bridge_base(void);
/* Bytes from socket `id` (0 = A, 1 = B) for the data port. */
void bridge_net_input(int id, const uint8_t *, size_t);
/* A socket's output drained below the low-water mark. */
void bridge_net_drained(void);
/* Something moved (RSTIM idle restart timer). */
void bridge_activity(void);
/* Write to the data port (counts bytes; no-op when it is closed). */
void bridge_port_send(const void *, size_t);
void bridge_port_sendv(const struct iovec *, int);
/* Write through a bufferevent's queue: straight to its descriptor while
 * nothing is queued, the rest queued.  -1 if it cannot be queued. */
int bridge_bev_writev(struct bufferevent *, const struct iovec *, int);
/* Publish a "bridge" event {what, fields...}; fields may be NULL. */
void bridge_event(const char *what, struct json_object *fields);
/* The apply hook of every bridge setting (bridge_settings.c). */
void bridge_apply(const struct setting_def *);
/* AT+ENTM from the data port's command mode: leave it after the reply. */
void bridge_request_entm(void);

/* The output of a command reply: the data port, or (arg: a struct
 * bridge_net_ctx) the server of a socket. */
struct bridge_net_ctx {
	int	id;		/* 0 = A, 1 = B */
};
void bridge_out_port(void *arg, const void *, size_t);
void bridge_out_sock(void *arg, const void *, size_t);
/* Run one command and write the reply in the USR wire format. */
void bridge_run_command(const char *text, const struct cmd_ctx *,
    void (*out)(void *, const void *, size_t), void *arg);
/* Data that is not an inline command: from the data port (arg NULL),
 * from a server (arg: its struct bridge_net_ctx). */
void bridge_serial_pass(void *arg, const uint8_t *, size_t);
void bridge_net_pass(void *arg, const uint8_t *, size_t);

/* --- bridge_inline.c ------------------------------------------------- */

/* where inline commands come from */
enum { BRIDGE_SRC_PORT, BRIDGE_SRC_A, BRIDGE_SRC_B, BRIDGE_SRC_MAX };
void bridge_inline_init(struct event_base *);
void bridge_inline_shutdown(void);
/* Bytes of a source with inline commands on (UATEN, NATEN). */
void bridge_inline_in(int src, const uint8_t *, size_t);

/* --- bridge_port.c -------------------------------------------------- */

/* Open the configured data port, or wait for it: up() gets its
 * bufferevent each time it opens (now, or later when it appears), down()
 * is called before a vanished one is freed.  A missing device is not an
 * error (the port is "absent"); -1 only for a bad selector or a pty
 * that cannot be made. */
int bridge_port_open(const struct conf *, struct event_base *,
    void (*up)(struct bufferevent *), void (*down)(void), char *err,
    size_t errlen);
/* The open port failed (EIO, HUP, EOF): close it, wait for it. */
void bridge_port_lost(const char *why);
void bridge_port_close(void);
/* "open", "absent" (configured, not there) or "none". */
const char *bridge_port_state(void);
const char *bridge_port_device(void);	/* data_port.device, or NULL */
const char *bridge_port_error(void);	/* why it is absent, or NULL */
/* Apply UART parameters to the open port (serial device or pty). */
int bridge_port_apply(const struct bridge_uart *, char *err, size_t errlen);
const char *bridge_port_name(void);	/* for status, or NULL */
int bridge_port_is_pty(void);

/* --- bridge_sock.c -------------------------------------------------- */

void bridge_sock_init(void);
/* (Re)read the socket settings; restart what changed.  active = the work
 * mode is NET. */
void bridge_sock_configure(int active);
void bridge_sock_shutdown(void);
/* Serial data for every enabled socket (caches for those down). */
void bridge_sock_send(const uint8_t *, size_t);
/* Serial reads must pause: every live socket is above high water. */
int bridge_sock_blocked(void);
/* Stop (1) or resume (0) reading from the sockets (data port full,
 * command mode). */
void bridge_sock_hold(int hold);
/* A command reply to the server of socket `id` (NATEN). */
void bridge_sock_reply(int id, const void *, size_t);
/* Send the heartbeat packet on every connected socket now. */
void bridge_sock_heartbeat(void);
const char *bridge_sock_state_name(int id);
int bridge_sock_connected(int id);
struct json_object *bridge_sock_status(int id);

/* --- bridge_http.c -------------------------------------------------- */

int bridge_http_init(struct event_base *, char *err, size_t errlen);
void bridge_http_shutdown(void);
/* One framed piece of serial data becomes one request. */
void bridge_http_submit(const uint8_t *, size_t);
struct json_object *bridge_http_status(void);

#endif
