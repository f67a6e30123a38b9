/*
 * fuzz_ctl.c: the control socket end to end.  The frame header and request
 * parsers get the whole input; then each line of the input after its
 * first byte (the peer's role: user, admin, superadmin) goes, framed, to a
 * connection served by ctl.c (ctl_serve on a bufferevent pair), so the
 * request handlers run: settings, phonebook, sms and io arguments, events,
 * status, monitor, reload.  They run against what is made once per
 * process (fuzz_store.c): a store in memory, emptied again before each
 * input; one io output, a file in a directory of the harness's own; and
 * a listening socket there (ctl_init: the event stream's sink and the
 * reload hook, a stand-in that succeeds, fails or cannot queue in turn).  Requests that run programs, hash passwords or
 * need the modem, the cloud link or the AT path are not sent; a line
 * starting with '!' sends at most a frame header's bytes unframed (the
 * framing errors), so no request can hide in it.
 *
 * Checks: every answer is a response frame holding an object with "id"
 * and "ok"; a valid request gets exactly one answer, with its id, in
 * order, "result" when ok and a non-empty "error" otherwise; an invalid one
 * gets an error with id 0 and nothing after it; a secret setting's value
 * is never in an answer; the events a `monitor` connection gets are
 * objects naming their event.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <json-c/json.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_proto.h"
#include "fuzz_store.h"
#include "io.h"
#include "phonebook.h"
#include "settings.h"
#include "sms.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_REQUESTS	64

static struct event_base *fz_base;
static unsigned fz_reloads;

/* The daemon's reload, as ctl_params has it: done at once (as after a
 * good or a bad config) or not queued, in turn. */
static int
fz_reload(ctl_reload_done_fn *done, void *arg)
{
	switch (fz_reloads++ % 3) {
	case 0:
		done(0, "", arg);
		return 0;
	case 1:
		done(-1, "bad config", arg);
		return 0;
	default:
		return -1;
	}
}

static void
fz_cleanup(void)
{
	ctl_shutdown();
	io_shutdown();
}

static void
fz_init(void)
{
	const char *dir;
	struct ctl_params params;
	char cwd[PATH_MAX], p[256], err[512];
	struct conf c;
	FILE *f;

	fuzz_store_open("fuzz-ctl");
	dir = fuzz_store_dir("fuzz-ctl", fz_cleanup);
	snprintf(p, sizeof p, "%s/cellgate.conf", dir);
	if ((f = fopen(p, "w")) == NULL)
		abort();
	if (getcwd(cwd, sizeof cwd) == NULL)
		abort();
	fprintf(f, "io = {\n  outputs = ( { name = \"relay1\"; "
	    "file = \"%s/%s/relay1\"; } );\n};\n", cwd, dir);
	fclose(f);
	if (conf_load(p, &c, err, sizeof err) == -1) {
		fprintf(stderr, "conf_load: %s\n", err);
		abort();
	}
	if ((fz_base = event_base_new()) == NULL)
		abort();
	if (io_init(fz_base, &c, err, sizeof err) == -1) {
		fprintf(stderr, "io_init: %s\n", err);
		abort();
	}
	conf_free(&c);
	/* the listening socket, never connected to: the event stream and
	 * the reload go through ctl.c as in the daemon */
	snprintf(p, sizeof p, "%s/ctl.sock", dir);
	params.path = p;
	params.group = "cellgate-fuzz-nogroup";
	params.max_clients = 4;
	params.max_per_uid = 4;
	params.reload = fz_reload;
	if (ctl_init(fz_base, &params, err, sizeof err) == -1) {
		fprintf(stderr, "ctl_init: %s\n", err);
		abort();
	}
}

/* Back to a fresh store: defaults, no phonebook, no messages. */
static void
fz_reset(void)
{
	char err[256];

	for (size_t i = 0; i < settings_count(); i++)
		if (settings_source(settings_at(i)) != SOURCE_DEFAULT)
			settings_reset(settings_at(i), err, sizeof err);
	phonebook_clear(err, sizeof err);
	fz_reloads = 0;
	store_run("DELETE FROM sms", NULL, NULL, "fuzz reset");
}

/* Requests left out: the AT path (it reaches the modem and may run a
 * configured program), password hashing (slow by design) and the modules
 * this harness does not start. */
static int
fz_blocked(const char *cmd)
{
	return strcmp(cmd, "at") == 0 || strcmp(cmd, "passwd") == 0 ||
	    strncmp(cmd, "modem.", 6) == 0 || strncmp(cmd, "cloud.", 6) == 0;
}

/* A secret setting's value never leaves the daemon. */
static void
fz_check_secrets(struct json_object *o)
{
	struct json_object *n, *v;
	const struct setting_def *d;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			fz_check_secrets(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if (json_object_object_get_ex(o, "name", &n) &&
	    json_object_is_type(n, json_type_string) &&
	    (d = settings_find(json_object_get_string(n))) != NULL &&
	    (d->flags & SETTING_SECRET) &&
	    json_object_object_get_ex(o, "value", &v) && v != NULL)
		abort();
	json_object_object_foreach(o, k, c) {
		(void)k;
		fz_check_secrets(c);
	}
}

/* Take the next whole response out of `in` (events of a monitoring
 * connection are checked and skipped): its object, or NULL if none. */
static struct json_object *
fz_next_answer(struct evbuffer *in)
{
	uint8_t hdr[CTL_HDR_LEN];
	struct ctl_hdr h;
	struct json_object *o;
	char *p;

	for (;;) {
		if (evbuffer_copyout(in, hdr, sizeof hdr) != CTL_HDR_LEN)
			return NULL;
		if (ctl_hdr_parse(hdr, sizeof hdr, &h) != CTL_OK ||
		    (h.type != CTL_T_RESPONSE && h.type != CTL_T_EVENT))
			abort();
		if (evbuffer_get_length(in) < CTL_HDR_LEN + h.len)
			return NULL;
		evbuffer_drain(in, CTL_HDR_LEN);
		if ((p = malloc(h.len + 1)) == NULL)
			abort();
		evbuffer_remove(in, p, h.len);
		p[h.len] = '\0';
		o = json_tokener_parse(p);
		free(p);
		if (o == NULL || !json_object_is_type(o, json_type_object))
			abort();
		if (h.type == CTL_T_RESPONSE)
			return o;
		if (!json_object_object_get_ex(o, "event", NULL))
			abort();
		fz_check_secrets(o);
		json_object_put(o);
	}
}

static void
fz_check_answer(struct json_object *a, int64_t want_id)
{
	struct json_object *id, *ok, *v;

	if (!json_object_object_get_ex(a, "id", &id) ||
	    !json_object_is_type(id, json_type_int) ||
	    json_object_get_int64(id) != want_id ||
	    !json_object_object_get_ex(a, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean))
		abort();
	if (json_object_get_boolean(ok)) {
		if (!json_object_object_get_ex(a, "result", NULL))
			abort();
		json_object_object_get_ex(a, "result", &v);
		fz_check_secrets(v);
	} else if (!json_object_object_get_ex(a, "error", &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) == 0)
		abort();
}

static void
fz_headers(const uint8_t *data, size_t size)
{
	struct ctl_hdr h;
	struct json_object *req, *args;
	const char *cmd, *err;
	int64_t id;
	enum ctl_status st;

	for (size_t n = 0; n <= size && n <= CTL_HDR_LEN; n++)
		st = ctl_hdr_parse(data, n, &h);
	if (size >= CTL_HDR_LEN) {
		st = ctl_hdr_parse(data, size, &h);
		if (st == CTL_OK && h.len > CTL_MAX_PAYLOAD)
			abort();
	}
	st = ctl_request_parse((const char *)data, size, &req, &id, &cmd,
	    &args, &err);
	if (st == CTL_OK) {
		if (req == NULL || cmd == NULL || id < 0)
			abort();
		json_object_put(req);
	} else if (err == NULL || req != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum auth_role roles[] = { ROLE_USER, ROLE_ADMIN,
	    ROLE_SUPERADMIN };
	struct bufferevent *pair[2];
	struct evbuffer *in;
	struct json_object *a;
	int64_t want[FZ_MAX_REQUESTS + 1];
	size_t nwant = 0, got = 0;
	const uint8_t *p, *end = data + size;
	int closed = 0;

	fz_headers(data, size);
	if (size < 1)
		return 0;
	if (fz_base == NULL)
		fz_init();
	fz_reset();
	if (bufferevent_pair_new(fz_base, BEV_OPT_DEFER_CALLBACKS, pair) == -1)
		abort();
	if (ctl_serve(fz_base, pair[0], roles[data[0] % 3], "fuzz") == -1)
		abort();
	bufferevent_enable(pair[1], EV_READ | EV_WRITE);
	in = bufferevent_get_input(pair[1]);
	for (p = data + 1; p < end && !closed && nwant < FZ_MAX_REQUESTS;) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);
		struct json_object *req, *args;
		const char *cmd, *why;
		uint8_t hdr[CTL_HDR_LEN];
		int64_t id;

		if (n > 0 && p[0] == '!') {
			/* a raw header (no more: no request can hide in
			 * it): the framing errors */
			bufferevent_write(pair[1], p + 1, n - 1 < CTL_HDR_LEN ?
			    n - 1 : CTL_HDR_LEN);
			want[nwant++] = -1;	/* maybe an error, then closed */
			closed = 1;
		} else if (ctl_request_parse((const char *)p, n, &req, &id,
		    &cmd, &args, &why) != CTL_OK) {
			ctl_hdr_write(hdr, CTL_T_REQUEST, (uint32_t)n);
			bufferevent_write(pair[1], hdr, sizeof hdr);
			bufferevent_write(pair[1], p, n);
			want[nwant++] = 0;
			closed = 1;
		} else {
			if (!fz_blocked(cmd)) {
				ctl_hdr_write(hdr, CTL_T_REQUEST, (uint32_t)n);
				bufferevent_write(pair[1], hdr, sizeof hdr);
				bufferevent_write(pair[1], p, n);
				want[nwant++] = id;
			}
			json_object_put(req);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	/* run the loop until every answer is in (or nothing moves) */
	for (int idle = 0; idle < 4 && got < nwant;) {
		event_base_loop(fz_base, EVLOOP_NONBLOCK);
		if ((a = fz_next_answer(in)) == NULL) {
			idle++;
			continue;
		}
		idle = 0;
		if (want[got] == -1) {	/* after raw bytes: only an error */
			struct json_object *ok;

			if (!json_object_object_get_ex(a, "ok", &ok) ||
			    json_object_get_boolean(ok))
				abort();
		} else
			fz_check_answer(a, want[got]);
		json_object_put(a);
		got++;
	}
	/* raw bytes may be a partial frame, answered by nothing */
	if (got < nwant && !(got + 1 == nwant && want[got] == -1))
		abort();
	event_base_loop(fz_base, EVLOOP_NONBLOCK);
	if (evbuffer_get_length(in) > 0 && (a = fz_next_answer(in)) != NULL)
		abort();	/* nothing after a closing error */
	/* hang up: the connection is freed (its EOF) */
	bufferevent_flush(pair[1], EV_WRITE, BEV_FINISHED);
	event_base_loop(fz_base, EVLOOP_NONBLOCK);
	bufferevent_free(pair[1]);
	return 0;
}
