/*
 * fuzz_redact.c: the redaction of what is stored, logged and published
 * (smscmd_redact: the message log, the log, the cloud's event/sms; its
 * fallback by shape, smscmd_redact_shape; and the arguments as shown,
 * cmd_args_shown) on arbitrary text in which byte 0x01 stands for the
 * superadmin's password and 0x02 for the admin's, both set once per
 * process (in a store in memory).
 *
 * Checks: neither password ever appears in smscmd_redact's output (a text
 * that contains a valid password is redacted whatever surrounds it); the
 * arguments of an AT-form command are shown as given (escaped) unless its
 * row is secret, then as "***", or the first argument then ",***".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atform.h"
#include "auth.h"
#include "cmd.h"
#include "fuzz_store.h"
#include "settings.h"
#include "smscmd.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_PW_SUPER	"Fz-Super.Pw7"
#define FZ_PW_ADMIN	"Fz-Admin.Pw7"

static int fz_ready;

static void
fz_init(void)
{
	char err[512];

	fuzz_store_open("fuzz-redact");
	if (auth_password_set(ROLE_SUPERADMIN, FZ_PW_SUPER, err,
	    sizeof err) == -1 ||
	    auth_password_set(ROLE_ADMIN, FZ_PW_ADMIN, err, sizeof err) == -1) {
		fprintf(stderr, "auth_password_set: %s\n", err);
		abort();
	}
	fz_ready = 1;
}

static void
fz_shown(const char *text, size_t len)
{
	const struct cmd_entry *e;
	const struct setting_def *d;
	struct atform f;
	const char *why;
	char out[ATFORM_MAX_LEN * 4 + 1], want[ATFORM_MAX_LEN * 4 + 1];
	unsigned secret = 0;
	int hid;

	if (atform_parse(text, len, &f, &why) == -1)
		return;
	hid = cmd_args_shown(&f, out, sizeof out);
	if ((e = cmd_find(f.name)) != NULL)
		secret = e->flags & (CMD_SECRET_ARGS | CMD_SECRET_TAIL);
	else if ((d = settings_find(f.name)) != NULL &&
	    (d->flags & (SETTING_SECRET | SETTING_SECRET_ARGS)))
		secret = CMD_SECRET_ARGS;
	if (f.op != ATFORM_SET) {
		if (out[0] != '\0' || hid)
			abort();
	} else if (secret & CMD_SECRET_ARGS || (secret && f.argc < 1)) {
		if (strcmp(out, "***") != 0 || !hid)
			abort();
	} else if (secret) {
		char first[128];

		util_escape(first, sizeof first, f.argv[0], strlen(f.argv[0]));
		snprintf(want, sizeof want, "%s%s", first,
		    f.argc > 1 ? ",***" : "");
		if (strcmp(out, want) != 0 || hid != (f.argc > 1))
			abort();
	} else {
		util_escape(want, sizeof want, f.raw, strlen(f.raw));
		if (strcmp(out, want) != 0 || hid)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[SMSCMD_MAX_LEN * 2 + 1];
	struct buf out;
	size_t n = 0;

	if (size > SMSCMD_MAX_LEN)
		return 0;
	if (!fz_ready)
		fz_init();
	for (size_t i = 0; i < size; i++) {
		const char *pw = data[i] == 1 ? FZ_PW_SUPER :
		    data[i] == 2 ? FZ_PW_ADMIN : NULL;

		if (pw == NULL)
			text[n++] = (char)data[i];
		else if (n + strlen(pw) < SMSCMD_MAX_LEN) {
			memcpy(text + n, pw, strlen(pw));
			n += strlen(pw);
		}
		if (n >= SMSCMD_MAX_LEN)
			break;
	}
	text[n] = '\0';

	buf_init(&out, 4 * SMSCMD_MAX_LEN + 64);
	smscmd_redact(text, n, &out);
	if (out.len > 0 && (memmem(out.data, out.len, FZ_PW_SUPER,
	    strlen(FZ_PW_SUPER)) != NULL || memmem(out.data, out.len,
	    FZ_PW_ADMIN, strlen(FZ_PW_ADMIN)) != NULL)) {
		fprintf(stderr, "password in the redacted text: \"%.*s\"\n",
		    (int)out.len, out.data);
		abort();
	}
	buf_free(&out);

	buf_init(&out, 4 * SMSCMD_MAX_LEN + 64);
	smscmd_redact_shape(text, n, &out);
	buf_free(&out);

	fz_shown(text, n);
	return 0;
}
