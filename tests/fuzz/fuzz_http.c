/*
 * fuzz_http.c: the HTTPD request URL (bridge_http_url): HTPSV, HTPURL and
 * the serial data of a GET become one URL.  Checks it exactly: it fails
 * only for a server without ",port" or a URL over its cap, with a reason;
 * otherwise it is http://HOST:PORT (IPv6 host in brackets) + HTPURL + the
 * data, each byte as it is when a URL may carry it, else %XX, so no
 * blank, control, 8-bit byte or '#' from the data reaches the URL.
 *
 * Then the request as the HTTPD mode builds it from its settings: the
 * same server, path and a third line as the values of HTPSV, HTPURL and
 * HTPHD, each checked by its setting's parser, and the accepted values
 * made into the URL and the header lines (bridge_htphd_decode, then
 * bridge_htphd_lines).  What the settings accept never fails later: an
 * accepted server always has its port, accepted headers always decode
 * and split into "Name: value" lines.
 *
 * Input: cap byte, flags byte, then "server\npath\nheaders\n" and the
 * data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proto.h"
#include "settings.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fz_safe(uint8_t c)
{
	return c > 0x20 && c < 0x7f && strchr("\"<>\\^`{|}#", c) == NULL;
}

static void
fz_field(const uint8_t **p, const uint8_t *end, char *out, size_t outlen)
{
	const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
	size_t n = (size_t)((nl != NULL ? nl : end) - *p);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, *p, n);
	out[n] = '\0';	/* a NUL inside ends the string, as in a setting */
	*p = nl != NULL ? nl + 1 : end;
}

static int
fz_header_line(void *arg, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);

	if (n == 0 || colon == NULL || colon == line ||
	    memchr(line, '\r', n) != NULL || memchr(line, '\n', n) != NULL)
		abort();
	(*(int *)arg)++;
	return 0;
}

/* The request from the settings' values, as bridge_http_start makes it. */
static void
fz_request(const char *server, const char *path, const char *headers,
    const uint8_t *body, size_t n)
{
	static const struct setting_def *s_server, *s_url, *s_headers;
	char sv[SETTING_VALUE_MAX + 1], url[SETTING_VALUE_MAX + 1];
	char hd[SETTING_VALUE_MAX + 1], dec[SETTING_VALUE_MAX + 1], err[256];
	size_t decn;
	struct buf b;
	int lines = 0;

	if (s_server == NULL) {
		settings_init();
		s_server = settings_find("bridge.http_server");
		s_url = settings_find("bridge.http_url");
		s_headers = settings_find("bridge.http_headers");
		if (s_server == NULL || s_url == NULL || s_headers == NULL)
			abort();
	}
	if (settings_check_text(s_server, server, sv, sizeof sv, err,
	    sizeof err) == -1 || settings_check_text(s_url, path, url,
	    sizeof url, err, sizeof err) == -1)
		return;
	buf_init(&b, 32 * 1024);	/* above any URL of the mode */
	if (bridge_http_url(&b, sv, url, body, n, err, sizeof err) == -1 &&
	    strcmp(err, "URL too long") != 0)
		abort();	/* an accepted server has its port */
	buf_free(&b);
	if (settings_check_text(s_headers, headers, hd, sizeof hd, err,
	    sizeof err) == -1)
		return;
	if (bridge_htphd_decode(hd, dec, sizeof dec, &decn, err,
	    sizeof err) == -1 ||
	    bridge_htphd_lines(dec, decn, fz_header_line, &lines, err,
	    sizeof err) == -1)
		abort();	/* accepted headers are usable */
	if (decn > 0 && lines == 0 && strspn(dec, "\r\n") != decn)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char server[300], path[300], headers[300], err[200], prefix[700];
	const uint8_t *p = data + 2, *end = data + size, *body;
	const char *comma, *u;
	size_t cap, n, hostlen, plen, want, j;
	struct buf b;
	int post, r;

	if (size < 2 || size > 4096)
		return 0;
	cap = 16 + (size_t)data[0] * 8;
	post = data[1] & 1;
	fz_field(&p, end, server, sizeof server);
	fz_field(&p, end, path, sizeof path);
	fz_field(&p, end, headers, sizeof headers);
	body = p;
	n = (size_t)(end - p);

	buf_init(&b, cap);
	err[0] = '\0';
	fz_request(server, path, headers, post ? NULL : body, n);
	r = bridge_http_url(&b, server, path, post ? NULL : body, n, err,
	    sizeof err);
	if ((comma = strrchr(server, ',')) == NULL) {
		if (r != -1 || strcmp(err, "bad HTPSV") != 0)
			abort();
		buf_free(&b);
		return 0;
	}
	hostlen = (size_t)(comma - server);
	snprintf(prefix, sizeof prefix, memchr(server, ':', hostlen) != NULL ?
	    "http://[%.*s]:%s%s" : "http://%.*s:%s%s", (int)hostlen, server,
	    comma + 1, path);
	plen = strlen(prefix);
	want = plen;
	if (!post)
		for (size_t i = 0; i < n; i++)
			want += fz_safe(body[i]) ? 1 : 3;
	if (want > cap) {
		if (r != -1 || strcmp(err, "URL too long") != 0)
			abort();
		buf_free(&b);
		return 0;
	}
	u = buf_str(&b);
	if (r != 0 || b.len != want || strlen(u) != want ||
	    memcmp(u, prefix, plen) != 0)
		abort();
	j = plen;
	for (size_t i = 0; !post && i < n; i++) {
		char hex[4];

		if (fz_safe(body[i])) {
			if ((uint8_t)u[j++] != body[i])
				abort();
			continue;
		}
		snprintf(hex, sizeof hex, "%%%02X", body[i]);
		if (memcmp(u + j, hex, 3) != 0)
			abort();
		j += 3;
	}
	buf_free(&b);
	return 0;
}
