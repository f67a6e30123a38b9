/*
 * fuzz_smscmd.c: the SMS command language parser on arbitrary text: it
 * refuses with a reason or yields commands whose names and arguments hold
 * no control characters and whose password is bounded (and a form that
 * has a name for the log).  Its masking by shape (smscmd_redact_shape),
 * for text that does not parse, never grows the text by more than its
 * marks.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smscmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct smscmd_msg m;
	const char *err = NULL;

	if (smscmd_parse((const char *)data, size, &m, &err) == -1) {
		struct buf out;

		if (err == NULL)
			abort();
		/* "***" for at most every other byte */
		buf_init(&out, 4 * size + 16);
		smscmd_redact_shape((const char *)data, size, &out);
		if (out.overflow)
			abort();
		buf_free(&out);
		return 0;
	}
	if (m.ncmds < 1 || m.ncmds > SMSCMD_MAX_CMDS || m.form >= SMSCMD_FORM_MAX ||
	    strlen(m.password) > SMSCMD_PASSWORD_MAX)
		abort();
	if (smscmd_form_name(m.form) == NULL)
		abort();
	for (int i = 0; i < m.ncmds; i++) {
		if (m.cmds[i].name[0] == '\0')
			abort();
		for (int a = 0; a < m.cmds[i].argc; a++)
			for (const char *p = m.cmds[i].argv[a]; *p; p++)
				if ((unsigned char)*p < 0x20)
					abort();
	}
	return 0;
}
