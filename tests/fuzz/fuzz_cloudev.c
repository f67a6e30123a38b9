/*
 * fuzz_cloudev.c: the stored cloud events (cloud_queue_payload): the text
 * the uplink queue keeps in SQLite, whatever it became, is turned into the
 * payload published on event/<kind>.  The first 8 bytes of the input are
 * the queue's sequence number, the rest the stored text.
 *
 * Checks: the payload is one JSON object whose first member is "seq" with
 * the queue's number (a stored "seq" never replaces it), followed by
 * exactly the stored object's other members, unchanged; a stored text that
 * is not an object gives "seq" alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../../src/cloud/cloud_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *in, *out, *v;
	struct json_object_iterator it, end;
	long long seq = 0;
	size_t nin = 0, nout;
	char *text, *payload;

	if (size < 8)
		return 0;
	for (int i = 0; i < 8; i++)
		seq = (long long)((unsigned long long)seq << 8 | data[i]);
	if ((text = malloc(size - 8 + 1)) == NULL)
		abort();
	memcpy(text, data + 8, size - 8);
	text[size - 8] = '\0';
	if ((payload = cloud_queue_payload(seq, text)) == NULL)
		abort();
	in = json_tokener_parse(text);
	out = json_tokener_parse(payload);
	if (out == NULL || !json_object_is_type(out, json_type_object))
		abort();
	it = json_object_iter_begin(out);
	end = json_object_iter_end(out);
	if (json_object_iter_equal(&it, &end) ||
	    strcmp(json_object_iter_peek_name(&it), "seq") != 0 ||
	    json_object_get_int64(json_object_iter_peek_value(&it)) != seq)
		abort();
	nout = (size_t)json_object_object_length(out);
	if (in != NULL && json_object_is_type(in, json_type_object)) {
		json_object_object_foreach(in, k, val) {
			if (strcmp(k, "seq") == 0)
				continue;
			nin++;
			if (!json_object_object_get_ex(out, k, &v) ||
			    strcmp(json_object_to_json_string_ext(v,
			    JSON_C_TO_STRING_PLAIN),
			    json_object_to_json_string_ext(val,
			    JSON_C_TO_STRING_PLAIN)) != 0)
				abort();
		}
	}
	if (nout != nin + 1)
		abort();
	json_object_put(in);
	json_object_put(out);
	free(payload);
	free(text);
	return 0;
}
