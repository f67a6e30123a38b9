/*
 * cellgatectl_pdu.c: the offline helpers `cellgatectl pdu decode HEX...`
 * and `cellgatectl pdu encode [options] NUMBER TEXT`, on the PDU codec;
 * they need no daemon.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "pdu.h"
#include "util.h"

static int
pdu_usage(void)
{
	return cli_fail(2, "usage: cellgatectl pdu decode [--no-smsc] HEX... | "
	    "pdu encode [--ucs2] [--class N] [--smsc NUMBER] "
	    "[--status-report] [--ref N] [--deliver [--time ISO-8601]] "
	    "NUMBER TEXT");
}

/* With the SMSC field first (as modems list messages); without it (as
 * given to AT+CMGS) when asked, or when only that reading works.  Strict:
 * user data shorter than its header says is an invalid PDU here (the
 * daemon itself keeps such messages, marked truncated). */
static int
pdu_decode_one(const char *hex, int no_smsc, struct pdu_msg *m,
    const char **reason)
{
	size_t n = strlen(hex);
	const char *r2;

	if (no_smsc)
		return pdu_decode_hex(hex, n, PDU_F_NO_SMSC, m,
		    reason);
	if (pdu_decode_hex(hex, n, 0, m, reason) == 0)
		return 0;
	if (pdu_decode_hex(hex, n, PDU_F_NO_SMSC, m, &r2) == 0)
		return 0;
	return -1;
}


/* The sender's name and the text are anybody's: make them safe for the
 * terminal (one line each) before they are shown. */
static int
pdu_make_safe(struct pdu_msg *m)
{
	char *raw = strdup(m->text);
	char addr[sizeof m->addr.str];

	if (raw == NULL)
		return -1;
	util_escape_text(m->text, sizeof m->text, raw, strlen(raw), 0);
	free(raw);
	util_strlcpy(addr, m->addr.str, sizeof addr);
	util_escape_text(m->addr.str, sizeof m->addr.str, addr, strlen(addr),
	    0);
	return 0;
}

static int
pdu_decode_cmd(int argc, char **argv, int json)
{
	struct json_object *all = NULL;
	struct pdu_msg *m = malloc(sizeof *m);
	const char *reason;
	char *view;
	int no_smsc = 0, i = 1;

	if (m == NULL || (view = malloc(8192)) == NULL) {
		free(m);
		return cli_die("pdu", "out of memory");
	}
	if (i < argc && strcmp(argv[i], "--no-smsc") == 0) {
		no_smsc = 1;
		i++;
	}
	if (i == argc) {
		free(m);
		free(view);
		return pdu_usage();
	}
	if (json && argc - i > 1)
		all = json_object_new_array();
	for (int first = i; i < argc; i++) {
		if (pdu_decode_one(argv[i], no_smsc, m, &reason) == -1) {
			char esc[64];

			util_escape(esc, sizeof esc, argv[i], strlen(argv[i]));
			cli_fail(1, "invalid PDU %s: %s", esc, reason);
			json_object_put(all);
			free(m);
			free(view);
			return 1;
		}
		if (all != NULL)
			json_object_array_add(all, pdu_json(m));
		else if (json) {
			struct json_object *o = pdu_json(m);

			cli_print_json(o);
			json_object_put(o);
		} else {
			if (pdu_make_safe(m) == -1) {
				free(m);
				free(view);
				return cli_die("pdu", "out of memory");
			}
			pdu_text_view(m, view, 8192);
			printf("%s%s", i > first ? "\n" : "", view);
		}
	}
	if (all != NULL) {
		cli_print_json(all);
		json_object_put(all);
	}
	free(m);
	free(view);
	return 0;
}

/* "2024-03-01T12:34:56+01:00" (offset in quarter hours, as SMS carry). */
static int
pdu_time_parse(const char *s, struct pdu_time *t)
{
	int y, mo, d, h, mi, se, oh, om, n = 0;
	char sign;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d%n", &y, &mo, &d, &h,
	    &mi, &se, &sign, &oh, &om, &n) != 9 || s[n] != '\0' ||
	    (sign != '+' && sign != '-') || y < 2000 || y > 2089 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59 ||
	    oh > 15 || om % 15 != 0 || om > 45)
		return -1;
	memset(t, 0, sizeof *t);
	t->valid = true;
	t->year = (uint16_t)y;
	t->month = (uint8_t)mo;
	t->day = (uint8_t)d;
	t->hour = (uint8_t)h;
	t->minute = (uint8_t)mi;
	t->second = (uint8_t)se;
	t->tz = (int8_t)((sign == '-' ? -1 : 1) * (oh * 4 + om / 15));
	return 0;
}

static int
pdu_encode_cmd(int argc, char **argv, int json)
{
	static const struct option opts[] = {
		{ "ucs2", no_argument, NULL, 'u' },
		{ "class", required_argument, NULL, 'c' },
		{ "smsc", required_argument, NULL, 's' },
		{ "status-report", no_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "deliver", no_argument, NULL, 'd' },
		{ "time", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	struct pdu_time scts;
	struct pdu_encode_opts o;
	struct pdu_encoded *out;
	const char *errstr, *reason;
	int ch, deliver = 0, rc;

	memset(&o, 0, sizeof o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o.force_ucs2 = true;
			break;
		case 'c':
			o.has_class = true;
			o.msg_class = (int)util_strtonum(optarg, 0, 3, &errstr);
			if (errstr != NULL)
				return cli_die("pdu encode", "class is 0..3");
			break;
		case 's':
			o.smsc = optarg;
			break;
		case 'r':
			o.status_report = true;
			break;
		case 'f':
			o.concat_ref = (uint16_t)util_strtonum(optarg, 0, 255,
			    &errstr);
			if (errstr != NULL)
				return cli_die("pdu encode", "ref is 0..255");
			break;
		case 'd':
			deliver = 1;
			break;
		case 't':
			if (pdu_time_parse(optarg, &scts) == -1)
				return cli_die("pdu encode", "--time is "
				    "YYYY-MM-DDTHH:MM:SS+HH:MM");
			o.scts = &scts;
			break;
		default:
			return pdu_usage();
		}
	}
	if (argc - optind != 2)
		return pdu_usage();
	if ((out = malloc(sizeof *out)) == NULL)
		return cli_die("pdu", "out of memory");
	if (deliver)
		rc = pdu_encode_deliver(argv[optind], argv[optind + 1],
		    strlen(argv[optind + 1]), &o, out, &reason);
	else
		rc = pdu_encode_submit(argv[optind], argv[optind + 1],
		    strlen(argv[optind + 1]), &o, out, &reason);
	if (rc == -1) {
		free(out);
		return cli_die("pdu encode", reason);
	}
	if (json) {
		struct json_object *j = json_object_new_object(), *parts;

		json_object_object_add(j, "coding",
		    json_object_new_string(pdu_coding_name(out->coding)));
		parts = json_object_new_array();
		for (unsigned i = 0; i < out->nparts; i++) {
			struct json_object *p = json_object_new_object();

			json_object_object_add(p, "pdu",
			    json_object_new_string(out->parts[i].hex));
			json_object_object_add(p, "length",
			    json_object_new_int((int)out->parts[i].tpdu_len));
			json_object_array_add(parts, p);
		}
		json_object_object_add(j, "parts", parts);
		cli_print_json(j);
		json_object_put(j);
	} else
		for (unsigned i = 0; i < out->nparts; i++)
			printf("%u %s\n", out->parts[i].tpdu_len,
			    out->parts[i].hex);
	free(out);
	return 0;
}

int
cellgatectl_pdu_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "decode") == 0)
		return pdu_decode_cmd(argc - 1, argv + 1, cli_json);
	if (argc >= 2 && strcmp(argv[1], "encode") == 0)
		return pdu_encode_cmd(argc - 1, argv + 1, cli_json);
	if (argc < 2)
		return cli_fail(2, "pdu: missing verb: decode or encode");
	return pdu_usage();
}
