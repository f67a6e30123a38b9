/*
 * cloud_payload.c: checks of what arrives from the broker, before any of
 * it is used: size, UTF-8, control characters; the sms/send JSON object;
 * the cloud.server value.  Pure code (no loop, no store): unit tested in
 * tests/unit/test_cloud_payload.c and fuzzed by tests/fuzz/fuzz_cloud.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cloud.h"
#include "util.h"

int
cloud_payload_text_ok(const void *data, size_t len, const char **err)
{
	const unsigned char *p = data;
	size_t i = 0;

	if (len == 0) {
		*err = "empty payload";
		return -1;
	}
	if (len > CLOUD_PAYLOAD_MAX) {
		*err = "payload too long";
		return -1;
	}
	while (i < len) {
		unsigned c = p[i];
		size_t n;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
			    c == 0x7f) {
				*err = "control character in payload";
				return -1;
			}
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else {
			*err = "payload is not UTF-8";
			return -1;
		}
		for (size_t k = 1; k <= n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80) {
				*err = "payload is not UTF-8";
				return -1;
			}
		/* overlong three- and four-byte forms, surrogates, > U+10FFFF */
		if ((c == 0xe0 && p[i + 1] < 0xa0) ||
		    (c == 0xed && p[i + 1] > 0x9f) ||
		    (c == 0xf0 && p[i + 1] < 0x90) ||
		    (c == 0xf4 && p[i + 1] > 0x8f)) {
			*err = "payload is not UTF-8";
			return -1;
		}
		i += n + 1;
	}
	return 0;
}

static int
cloud_json_string(struct json_object *o, char *out, size_t outlen,
    size_t *lenp, const char *what, const char **err)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(o, json_type_string)) {
		*err = what;
		return -1;
	}
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	if (n >= outlen || memchr(s, '\0', n) != NULL) {
		*err = what;
		return -1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	if (lenp != NULL)
		*lenp = n;
	return 0;
}

int
cloud_payload_sms_send(const void *data, size_t len,
    struct cloud_sms_send *m, const char **err)
{
	struct json_tokener *tok;
	struct json_object *o;
	int have_to = 0, have_text = 0, rc = -1;

	memset(m, 0, sizeof *m);
	if (cloud_payload_text_ok(data, len, err) == -1)
		return -1;
	if ((tok = json_tokener_new_ex(8)) == NULL) {
		*err = "out of memory";
		return -1;
	}
	o = json_tokener_parse_ex(tok, data, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		*err = "not a JSON object";
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		*err = "not a JSON object";
		goto out;
	}
	json_object_object_foreach(o, k, v) {
		if (strcmp(k, "to") == 0) {
			if (cloud_json_string(v, m->to, sizeof m->to, NULL,
			    "\"to\" must be a phone number", err) == -1)
				goto out;
			have_to = 1;
		} else if (strcmp(k, "text") == 0) {
			if (cloud_json_string(v, m->text, sizeof m->text,
			    &m->text_len, "\"text\" must be a string of at most "
			    "1600 bytes", err) == -1)
				goto out;
			have_text = 1;
		} else if (strcmp(k, "password") == 0) {
			if (cloud_json_string(v, m->password,
			    sizeof m->password, NULL, "\"password\" must be a "
			    "string", err) == -1)
				goto out;
			m->has_password = 1;
		} else {
			*err = "unknown key (expected to, text, password)";
			goto out;
		}
	}
	if (!have_to || m->to[0] == '\0') {
		*err = "\"to\" is missing";
		goto out;
	}
	if (!have_text || m->text_len == 0) {
		*err = "\"text\" is missing";
		goto out;
	}
	for (const char *p = m->to; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && !(p == m->to && *p == '+')) {
			*err = "\"to\" must be a phone number";
			goto out;
		}
	rc = 0;
out:
	if (rc == -1)
		explicit_bzero(m, sizeof *m);
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

int
cloud_parse_server(const char *text, char *host, size_t hostlen, int *port,
    const char **err)
{
	const char *colon, *h = text, *errstr;
	size_t n;

	*port = 0;
	if (text[0] == '[') {		/* [v6]:port */
		const char *close = strchr(text, ']');

		if (close == NULL) {
			*err = "missing ']'";
			return -1;
		}
		h = text + 1;
		n = (size_t)(close - h);
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] != '\0' && colon == NULL) {
			*err = "junk after ']'";
			return -1;
		}
	} else {
		colon = strrchr(text, ':');
		if (colon != NULL && strchr(text, ':') != colon) {
			*err = "an IPv6 address needs brackets: [addr]:port";
			return -1;
		}
		n = colon != NULL ? (size_t)(colon - text) : strlen(text);
	}
	if (n == 0 || n > 253 || n >= hostlen) {
		*err = "invalid host name";
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) &&
		    strchr(".-_:", h[i]) == NULL) {
			*err = "invalid host name";
			return -1;
		}
	memcpy(host, h, n);
	host[n] = '\0';
	if (colon != NULL) {
		*port = (int)util_strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr != NULL) {
			*err = "invalid port";
			return -1;
		}
	}
	return 0;
}
