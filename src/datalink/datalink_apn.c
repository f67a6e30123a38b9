/*
 * datalink_apn.c: the arguments of AT+APN (usr-gprs232 seed §4.2.1.24,
 * SPEC §6.1): `code` or `code,user,password,auth`.  Pure: fields in, a
 * struct or a clear reason out.  An APN is what 3GPP TS 23.003 §9.1
 * allows (labels of letters, digits and '-', joined by '.'); a user name
 * or password is printable ASCII without quotes or backslashes, so it
 * can go into an AT command's quoted string and pppd's options file as
 * it is.  An empty code clears the APN (the network's default).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "datalink.h"
#include "util.h"

int
datalink_apn_ok(const char *apn)
{
	size_t n = strlen(apn), label = 0;

	if (n > DATALINK_APN_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)apn[i];

		if (c == '.') {
			if (label == 0 || i + 1 == n)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		label++;
	}
	return 1;
}

int
datalink_cred_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > DATALINK_CRED_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || c == '"' || c == '\'' || c == '\\')
			return 0;
	}
	return 1;
}

static int
datalink_apn_error(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "APN: %s", why);
	return -1;
}

int
datalink_apn_parse(int argc, char *const *argv, struct datalink_apn *out,
    char *err, size_t errlen)
{
	static const char *const auths[] = { "NONE", "PAP", "CHAP" };
	size_t i;

	memset(out, 0, sizeof *out);
	util_strlcpy(out->auth, "NONE", sizeof out->auth);
	if (argc != 1 && argc != 4)
		return datalink_apn_error(err, errlen, "expected code or "
		    "code,user,password,auth");
	if (strlen(argv[0]) > DATALINK_APN_MAX)
		return datalink_apn_error(err, errlen, "the code is longer "
		    "than 63 characters");
	if (!datalink_apn_ok(argv[0]))
		return datalink_apn_error(err, errlen, "the code may hold "
		    "letters, digits, '-' and '.' between labels");
	util_strlcpy(out->apn, argv[0], sizeof out->apn);
	if (argc == 1)
		return 0;
	for (int k = 1; k <= 2; k++) {
		if (strlen(argv[k]) > DATALINK_CRED_MAX)
			return datalink_apn_error(err, errlen, k == 1 ?
			    "the user name is longer than 63 characters" :
			    "the password is longer than 63 characters");
		if (!datalink_cred_ok(argv[k]))
			return datalink_apn_error(err, errlen, k == 1 ?
			    "the user name may not hold quotes, backslashes "
			    "or control characters" : "the password may not "
			    "hold quotes, backslashes or control characters");
	}
	for (i = 0; i < nitems(auths); i++)
		if (util_strcaseeq(argv[3], auths[i]))
			break;
	if (i == nitems(auths))
		return datalink_apn_error(err, errlen, "auth must be NONE, "
		    "PAP or CHAP");
	if (i != 0 && argv[1][0] == '\0')
		return datalink_apn_error(err, errlen, "PAP and CHAP need a "
		    "user name");
	util_strlcpy(out->user, argv[1], sizeof out->user);
	util_strlcpy(out->password, argv[2], sizeof out->password);
	util_strlcpy(out->auth, auths[i], sizeof out->auth);
	out->has_credentials = 1;
	return 0;
}
