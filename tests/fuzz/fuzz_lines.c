/*
 * fuzz_lines.c: small line parsers on arbitrary bytes: the text escaper
 * (util_escape_text: output terminated, bounded, free of control
 * characters), the µPanel remote-lock parser (climset_parse: refuses with
 * a reason or gives a sum in range) and the AT command-line splitter
 * (at_cmdline_parse: refuses with a reason or names commands whose
 * arguments lie inside the line).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "at_cmdline.h"
#include "climset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[512];
	struct climset c;
	struct at_cmdline cl;
	const char *err = NULL;
	size_t n;
	int r;

	n = util_escape_text(out, sizeof out, (const char *)data, size,
	    size > 0 && (data[0] & 1) ? UTIL_TEXT_NEWLINES : 0);
	if (n >= sizeof out || strlen(out) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)out[i] < 0x20 && out[i] != '\n') ||
		    out[i] == 0x7f)
			abort();
	r = climset_parse((const char *)data, size, 15, &c, &err);
	if ((r == -1 && err == NULL) || (r == 1 && (c.sum < 0 || c.sum > 15)))
		abort();
	err = NULL;
	if (at_cmdline_parse((const char *)data, size, &cl, &err) == -1) {
		if (err == NULL)
			abort();
		return 0;
	}
	if (cl.ncmds < 0 || cl.ncmds > AT_CMDLINE_MAX)
		abort();
	for (int i = 0; i < cl.ncmds; i++)
		if (cl.cmds[i].name[0] == '\0' ||
		    cl.cmds[i].args_off + cl.cmds[i].args_len > size)
			abort();
	/* the first of the names looked for (as the modem module does) */
	if (cl.ncmds > 0) {
		const char *const names[] = { cl.cmds[cl.ncmds - 1].name, NULL };
		int k = at_cmdline_find(&cl, names);

		if (k < 0 || k >= cl.ncmds ||
		    strcmp(cl.cmds[k].name, names[0]) != 0)
			abort();
		for (int i = 0; i < k; i++)
			if (strcmp(cl.cmds[i].name, names[0]) == 0)
				abort();
	}
	return 0;
}
