/*
 * bridge_http.c: the HTTPD work mode (seed §3.2.2): each framed piece of
 * serial data becomes one HTTP request to HTPSV + HTPURL with the HTPHD
 * headers: GET appends the data to the URL, POST sends it as the body.
 * The response body (HTPPK on) or the whole response with its status line
 * and headers (HTPPK off) goes back to the data port.  libcurl's multi
 * interface runs on the daemon's loop (CURLMOPT_SOCKETFUNCTION and
 * TIMERFUNCTION); one request at a time, the next ones queue (bounded).
 * Failures reach the data port as one line "+HTTPERR:<reason>" and the
 * log.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "bridge_int.h"
#include "log.h"
#include "settings.h"
#include "util.h"

#define BRIDGE_HTTP_QUEUE	16
#define BRIDGE_HTTP_RESP_MAX	(1024 * 1024)
#define BRIDGE_HTTP_URL_MAX	(8192 * 3 + 1024)

struct bridge_http_req {
	struct bridge_http_req	*next;
	size_t			 len;
	uint8_t			 data[];
};

static struct event_base *bridge_http_base;
static CURLM *bridge_http_multi;
static struct event *bridge_http_timer;
static CURL *bridge_http_easy;			/* the request in flight */
static struct curl_slist *bridge_http_hdrs;
static struct evbuffer *bridge_http_resp;
static int bridge_http_toolong;
static char bridge_http_errbuf[CURL_ERROR_SIZE];
static struct bridge_http_req *bridge_http_head, **bridge_http_tail =
    &bridge_http_head;
static size_t bridge_http_queued;
static uint64_t bridge_http_ok, bridge_http_failed;
static char bridge_http_last_error[160];

static void bridge_http_next(void);

static void
bridge_http_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Report a failure on the data port and in the log. */
static void
bridge_http_error(const char *fmt, ...)
{
	char why[160], line[200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	bridge_http_failed++;
	util_strlcpy(bridge_http_last_error, why, sizeof bridge_http_last_error);
	log_warnx("bridge: HTTP request failed: %s", why);
	n = snprintf(line, sizeof line, "+HTTPERR:%s\r\n", why);
	if (n > 0)
		bridge_port_send(line, (size_t)n < sizeof line ? (size_t)n :
		    sizeof line - 1);
}

static size_t
bridge_http_write_cb(char *p, size_t size, size_t n, void *arg)
{
	size_t len = size * n;

	if (evbuffer_get_length(bridge_http_resp) + len >
	    BRIDGE_HTTP_RESP_MAX) {
		bridge_http_toolong = 1;
		return 0;	/* aborts the transfer */
	}
	evbuffer_add(bridge_http_resp, p, len);
	return len;
}

static void
bridge_http_finish(CURLcode rc)
{
	long code = 0;

	curl_easy_getinfo(bridge_http_easy, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK) {
		if (bridge_http_toolong)
			bridge_http_error("response longer than %d bytes",
			    BRIDGE_HTTP_RESP_MAX);
		else
			bridge_http_error("%s", bridge_http_errbuf[0] != '\0' ?
			    bridge_http_errbuf : curl_easy_strerror(rc));
	} else if (code >= 400 && settings_bool(bridge_set.http_body_only))
		bridge_http_error("HTTP %ld", code);
	else {
		size_t len = evbuffer_get_length(bridge_http_resp);
		uint8_t *p = evbuffer_pullup(bridge_http_resp, -1);

		bridge_http_ok++;
		log_debug("bridge: HTTP %ld, %zu bytes to the data port", code,
		    len);
		if (len > 0)
			bridge_port_send(p, len);
	}
	curl_multi_remove_handle(bridge_http_multi, bridge_http_easy);
	curl_easy_cleanup(bridge_http_easy);
	bridge_http_easy = NULL;
	evbuffer_drain(bridge_http_resp, evbuffer_get_length(bridge_http_resp));
	bridge_http_next();
}

static void
bridge_http_check(void)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(bridge_http_multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE && m->easy_handle ==
		    bridge_http_easy) {
			bridge_http_finish(m->data.result);
			return;	/* the next request changed the handles */
		}
}

static void
bridge_http_sock_ev(evutil_socket_t fd, short what, void *arg)
{
	int flags = 0, running;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(bridge_http_multi, fd, flags, &running);
	bridge_http_check();
}

static void
bridge_http_timer_ev(evutil_socket_t fd, short what, void *arg)
{
	int running;

	curl_multi_socket_action(bridge_http_multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	bridge_http_check();
}

static int
bridge_http_socket_cb(CURL *e, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct event *ev = socketp;
	short kind = EV_PERSIST;

	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL)
			event_free(ev);
		curl_multi_assign(bridge_http_multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		kind |= EV_READ;
	if (what & CURL_POLL_OUT)
		kind |= EV_WRITE;
	if (ev != NULL)
		event_free(ev);
	ev = event_new(bridge_http_base, s, kind, bridge_http_sock_ev, NULL);
	if (ev == NULL)
		return -1;
	event_add(ev, NULL);
	curl_multi_assign(bridge_http_multi, s, ev);
	return 0;
}

static int
bridge_http_timer_cb(CURLM *m, long ms, void *arg)
{
	struct timeval tv;

	if (ms < 0) {
		evtimer_del(bridge_http_timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(bridge_http_timer, &tv);
	return 0;
}

static int
bridge_http_add_header(void *arg, const char *line, size_t n)
{
	char h[SETTING_VALUE_MAX + 1];
	struct curl_slist *l;

	if (n >= sizeof h)
		return -1;
	memcpy(h, line, n);
	h[n] = '\0';
	if ((l = curl_slist_append(bridge_http_hdrs, h)) == NULL)
		return -1;
	bridge_http_hdrs = l;
	return 0;
}

static int
bridge_http_start(struct bridge_http_req *r)
{
	char dec[SETTING_VALUE_MAX + 1], err[200];
	int post = strcmp(settings_value(bridge_set.http_method), "POST") == 0;
	long tmo = (long)settings_int(bridge_set.http_timeout) * 1000;
	struct buf url;
	size_t n;
	CURL *e;

	buf_init(&url, BRIDGE_HTTP_URL_MAX);
	if (bridge_http_url(&url, settings_value(bridge_set.http_server),
	    settings_value(bridge_set.http_url), post ? NULL : r->data, r->len,
	    err, sizeof err) == -1) {
		buf_free(&url);
		bridge_http_error("%s", err);
		return -1;
	}
	curl_slist_free_all(bridge_http_hdrs);
	bridge_http_hdrs = NULL;
	if (bridge_htphd_decode(settings_value(bridge_set.http_headers), dec,
	    sizeof dec, &n, err, sizeof err) == -1 ||
	    bridge_htphd_lines(dec, n, bridge_http_add_header, NULL, err,
	    sizeof err) == -1) {
		buf_free(&url);
		bridge_http_error("HTPHD: %s", err);
		return -1;
	}
	if (post)
		bridge_http_hdrs = curl_slist_append(bridge_http_hdrs,
		    "Expect:");
	if ((e = curl_easy_init()) == NULL) {
		buf_free(&url);
		bridge_http_error("out of memory");
		return -1;
	}
	bridge_http_errbuf[0] = '\0';
	bridge_http_toolong = 0;
	curl_easy_setopt(e, CURLOPT_URL, buf_str(&url));
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, tmo);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, tmo);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, bridge_http_errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, bridge_http_write_cb);
	curl_easy_setopt(e, CURLOPT_HEADER,
	    settings_bool(bridge_set.http_body_only) ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, bridge_http_hdrs);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
#endif
	if (post) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)r->len);
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS,
		    (const char *)r->data);
	}
	log_debug("bridge: HTTP %s %s (%zu bytes)", post ? "POST" : "GET",
	    buf_str(&url), r->len);
	buf_free(&url);
	bridge_http_easy = e;
	if (curl_multi_add_handle(bridge_http_multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		bridge_http_easy = NULL;
		bridge_http_error("cannot start the request");
		return -1;
	}
	return 0;
}

static void
bridge_http_next(void)
{
	struct bridge_http_req *r;

	while (bridge_http_easy == NULL && (r = bridge_http_head) != NULL) {
		if ((bridge_http_head = r->next) == NULL)
			bridge_http_tail = &bridge_http_head;
		bridge_http_queued--;
		bridge_http_start(r);
		free(r);
	}
}

/* libcurl (and the TLS library under it) is started at the first request,
 * not at start: a daemon that never uses the HTTPD mode never pays for
 * initialising TLS (a few MB of resident memory). */
static int
bridge_http_open(void)
{
	if (bridge_http_multi != NULL)
		return 0;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	if ((bridge_http_multi = curl_multi_init()) == NULL) {
		curl_global_cleanup();
		return -1;
	}
	bridge_http_timer = evtimer_new(bridge_http_base, bridge_http_timer_ev,
	    NULL);
	bridge_http_resp = evbuffer_new();
	curl_multi_setopt(bridge_http_multi, CURLMOPT_SOCKETFUNCTION,
	    bridge_http_socket_cb);
	curl_multi_setopt(bridge_http_multi, CURLMOPT_TIMERFUNCTION,
	    bridge_http_timer_cb);
	log_debug("bridge: libcurl started for the HTTPD mode");
	return 0;
}

void
bridge_http_submit(const uint8_t *p, size_t n)
{
	struct bridge_http_req *r;

	if (bridge_http_open() == -1) {
		bridge_http_error("cannot start libcurl");
		return;
	}
	if (bridge_http_queued >= BRIDGE_HTTP_QUEUE) {
		bridge_http_error("busy: %d requests waiting",
		    BRIDGE_HTTP_QUEUE);
		return;
	}
	if ((r = malloc(sizeof *r + n + 1)) == NULL) {
		bridge_http_error("out of memory");
		return;
	}
	r->next = NULL;
	r->len = n;
	memcpy(r->data, p, n);
	r->data[n] = 0;
	*bridge_http_tail = r;
	bridge_http_tail = &r->next;
	bridge_http_queued++;
	bridge_http_next();
}

int
bridge_http_init(struct event_base *base, char *err, size_t errlen)
{
	bridge_http_base = base;
	return 0;
}

void
bridge_http_shutdown(void)
{
	struct bridge_http_req *r;

	while ((r = bridge_http_head) != NULL) {
		bridge_http_head = r->next;
		free(r);
	}
	bridge_http_tail = &bridge_http_head;
	bridge_http_queued = 0;
	if (bridge_http_multi == NULL)
		return;
	if (bridge_http_easy != NULL) {
		curl_multi_remove_handle(bridge_http_multi, bridge_http_easy);
		curl_easy_cleanup(bridge_http_easy);
		bridge_http_easy = NULL;
	}
	curl_multi_cleanup(bridge_http_multi);
	bridge_http_multi = NULL;
	curl_slist_free_all(bridge_http_hdrs);
	bridge_http_hdrs = NULL;
	if (bridge_http_timer != NULL)
		event_free(bridge_http_timer);
	bridge_http_timer = NULL;
	if (bridge_http_resp != NULL)
		evbuffer_free(bridge_http_resp);
	bridge_http_resp = NULL;
	curl_global_cleanup();
}

struct json_object *
bridge_http_status(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "busy",
	    json_object_new_boolean(bridge_http_easy != NULL));
	json_object_object_add(o, "queued",
	    json_object_new_int((int)bridge_http_queued));
	json_object_object_add(o, "ok",
	    json_object_new_int64((int64_t)bridge_http_ok));
	json_object_object_add(o, "failed",
	    json_object_new_int64((int64_t)bridge_http_failed));
	if (bridge_http_last_error[0] != '\0')
		json_object_object_add(o, "last_error",
		    json_object_new_string(bridge_http_last_error));
	return o;
}
