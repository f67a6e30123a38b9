/*
 * fuzz_http.c: the HTTPD request URL (bridge_http_url): HTPSV, HTPURL and
 * the serial data of a GET become one URL.  Checks it exactly: it fails
 * only for a server without ",port" or a URL over its cap, with a reason;
 * otherwise it is http://HOST:PORT (IPv6 host in brackets) + HTPURL + the
 * data, each byte as it is when a URL may carry it, else %XX, so no
 * blank, control, 8-bit byte or '#' from the data reaches the URL.
 *
 * Input: cap byte, flags byte, then "server\npath\n" and the data.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge_proto.h"
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char server[300], path[300], err[200], prefix[700];
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
	body = p;
	n = (size_t)(end - p);

	buf_init(&b, cap);
	err[0] = '\0';
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
