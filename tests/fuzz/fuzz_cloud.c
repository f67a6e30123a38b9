/*
 * fuzz_cloud.c: the cloud link's downlink checks on arbitrary bytes: the
 * payload text check, the sms/send JSON parser and the server parser
 * either refuse with a reason or yield bounded, NUL-free fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cloud.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cloud_sms_send m;
	char host[256], text[512];
	const char *err = NULL;
	int port;

	if (cloud_payload_text_ok(data, size, &err) == -1 && err == NULL)
		abort();
	err = NULL;
	if (cloud_payload_sms_send(data, size, &m, &err) == -1) {
		if (err == NULL)
			abort();
	} else if (m.to[0] == '\0' || strlen(m.to) > CLOUD_NUMBER_MAX ||
	    m.text_len == 0 || m.text_len > CLOUD_TEXT_MAX ||
	    strlen(m.text) != m.text_len ||
	    strlen(m.password) > CLOUD_PASSWORD_MAX)
		abort();
	if (size < sizeof text) {
		memcpy(text, data, size);
		text[size] = '\0';
		err = NULL;
		if (cloud_parse_server(text, host, sizeof host, &port, &err) ==
		    -1) {
			if (err == NULL)
				abort();
		} else if (host[0] == '\0' || port < 0 || port > 65535)
			abort();
	}
	return 0;
}
