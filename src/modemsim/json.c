/*
 * json.c: the tiny JSON writer of the control socket.  It owns comma
 * placement and string escaping; the caller opens and closes objects and
 * arrays in order and the writer appends to an evbuffer.  Every byte that
 * is not printable ASCII is escaped as \u00XX, so any input (including
 * invalid UTF-8 from the pty) gives valid one-line JSON.
 */

#include <stdio.h>
#include <string.h>

#include "sim.h"

void
json_escape(struct evbuffer *b, const char *s)
{
	const unsigned char	*p;

	evbuffer_add(b, "\"", 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			evbuffer_add(b, "\\\"", 2);
			break;
		case '\\':
			evbuffer_add(b, "\\\\", 2);
			break;
		case '\n':
			evbuffer_add(b, "\\n", 2);
			break;
		case '\r':
			evbuffer_add(b, "\\r", 2);
			break;
		case '\t':
			evbuffer_add(b, "\\t", 2);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				evbuffer_add_printf(b, "\\u%04x", *p);
			else
				evbuffer_add(b, p, 1);
			break;
		}
	}
	evbuffer_add(b, "\"", 1);
}

static void
json_sep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		evbuffer_add(j->buf, ",", 1);
	j->first[j->depth] = 0;
	if (key != NULL) {
		json_escape(j->buf, key);
		evbuffer_add(j->buf, ":", 1);
	}
}

void
json_begin(struct json *j, struct evbuffer *b)
{
	memset(j, 0, sizeof *j);
	j->buf = b;
	evbuffer_add(b, "{", 1);
	j->first[0] = 1;
}

void
json_end(struct json *j)
{
	while (j->depth > 0)
		json_close(j, '}');
	evbuffer_add(j->buf, "}\n", 2);
}

static void
json_open(struct json *j, const char *key, const char *c)
{
	json_sep(j, key);
	evbuffer_add(j->buf, c, 1);
	if (j->depth < (int)(sizeof j->first / sizeof j->first[0]) - 1)
		j->depth++;
	j->first[j->depth] = 1;
}

void
json_obj(struct json *j, const char *key)
{
	json_open(j, key, "{");
}

void
json_arr(struct json *j, const char *key)
{
	json_open(j, key, "[");
}

void
json_close(struct json *j, int c)
{
	char	ch = (char)c;

	evbuffer_add(j->buf, &ch, 1);
	if (j->depth > 0)
		j->depth--;
}

void
json_str(struct json *j, const char *key, const char *v)
{
	json_sep(j, key);
	json_escape(j->buf, v);
}

void
json_int(struct json *j, const char *key, long long v)
{
	json_sep(j, key);
	evbuffer_add_printf(j->buf, "%lld", v);
}

void
json_bool(struct json *j, const char *key, int v)
{
	json_sep(j, key);
	if (v)
		evbuffer_add(j->buf, "true", 4);
	else
		evbuffer_add(j->buf, "false", 5);
}

void
json_null(struct json *j, const char *key)
{
	json_sep(j, key);
	evbuffer_add(j->buf, "null", 4);
}
