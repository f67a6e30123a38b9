/*
 * fuzz_ctlreply.c: cellgatectl's reading of the daemon's answers
 * (ctl_client_call and ctl_client_read, src/cli/ctl_client.c) on arbitrary
 * bytes: the input is what the daemon sends on the socket before it
 * hangs up; the client sends one request and reads until it has a
 * response (events before it are skipped).
 *
 * Checks: the call gives a result only for a well-framed response with
 * "ok": true, else it fails with a reason; the reason, which cellgatectl
 * prints on the terminal, holds no control character.
 */
#include <sys/socket.h>

#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../src/cli/ctl_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object *res = NULL;
	char err[512];
	int sv[2], rc;

	if (size > 64 * 1024)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	/* the socket buffer holds the whole input and the request */
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size)
		abort();
	shutdown(sv[1], SHUT_WR);
	err[0] = '\0';
	rc = ctl_client_call(sv[0], "status", NULL, &res, err, sizeof err);
	if (rc == 0) {
		json_object_put(res);
	} else {
		if (rc != -1 || err[0] == '\0')
			abort();
		for (const char *p = err; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				abort();
	}
	close(sv[0]);
	close(sv[1]);
	return 0;
}
