/*
 * phonebook.c: the phonebook table in the store, E.164 normalisation of
 * numbers, and lookups by position and by number.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "phonebook.h"
#include "settings.h"
#include "store.h"
#include "util.h"

static const char *const phonebook_call_names[CALL_ACTION_MAX] = {
	"ignore", "hangup", "hangup-reply", "temperature"
};

const char *
phonebook_call_name(enum phonebook_call c)
{
	return c < CALL_ACTION_MAX ? phonebook_call_names[c] : "?";
}

int
phonebook_call_parse(const char *s, enum phonebook_call *out)
{
	for (int i = 0; i < CALL_ACTION_MAX; i++)
		if (util_strcaseeq(s, phonebook_call_names[i])) {
			*out = (enum phonebook_call)i;
			return 0;
		}
	return -1;
}

static const struct setting_def *phonebook_s_size, *phonebook_s_cc;

int
phonebook_size(void)
{
	return (int)settings_int(SETTINGS_ONCE(phonebook_s_size,
	    "auth.phonebook_size", SETTING_INT));
}

const char *
phonebook_country_code(void)
{
	return settings_value(SETTINGS_ONCE(phonebook_s_cc,
	    "auth.country_code", SETTING_CUSTOM));
}

int
phonebook_normalise(const char *in, const char *cc, char *out, size_t outlen)
{
	char digits[64];
	size_t n = 0;
	int plus = 0;
	const char *p = in;

	while (*p == ' ')
		p++;
	if (*p == '+') {
		plus = 1;
		p++;
	}
	for (; *p != '\0'; p++) {
		if (isdigit((unsigned char)*p)) {
			if (n + 1 >= sizeof digits)
				return -1;
			digits[n++] = *p;
		} else if (strchr(" -.()/", *p) == NULL)
			return -1;
	}
	digits[n] = '\0';
	if (n == 0)
		return -1;
	if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
		memmove(digits, digits + 2, n - 1);	/* 00CC... */
		n -= 2;
		plus = 1;
	}
	if (!plus) {
		if (cc == NULL || *cc == '\0' || digits[0] != '0' || n < 2)
			return -1;
		if ((size_t)snprintf(out, outlen, "+%s%s", cc, digits + 1) >=
		    outlen)
			return -1;
	} else if ((size_t)snprintf(out, outlen, "+%s", digits) >= outlen)
		return -1;
	return strlen(out) - 1 > PHONEBOOK_NUMBER_MAX - 1 ? -1 : 0;
}

static void
phonebook_row(sqlite3_stmt *st, struct phonebook_entry *e)
{
	memset(e, 0, sizeof *e);
	e->pos = sqlite3_column_int(st, 0);
	util_strlcpy(e->number, (const char *)sqlite3_column_text(st, 1),
	    sizeof e->number);
	util_strlcpy(e->name, (const char *)sqlite3_column_text(st, 2),
	    sizeof e->name);
	if (auth_role_parse((const char *)sqlite3_column_text(st, 3),
	    &e->role) == -1)
		e->role = ROLE_USER;
	e->require_password = sqlite3_column_int(st, 4);
	if (phonebook_call_parse((const char *)sqlite3_column_text(st, 5),
	    &e->call) == -1)
		e->call = CALL_HANGUP;
	e->alarm_sms = sqlite3_column_int(st, 6);
	e->alarm_call = sqlite3_column_int(st, 7);
}

#define PHONEBOOK_COLS "pos, number, name, role, require_password, " \
	"call_action, alarm_sms, alarm_call"

static int
phonebook_query1(const char *sql, int pos, const char *number,
    struct phonebook_entry *e)
{
	sqlite3_stmt *st;
	int r = -1;

	if (number != NULL)
		st = store_stmt(sql, "t", number);
	else
		st = store_stmt(sql, "d", pos);
	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		phonebook_row(st, e);
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

int
phonebook_get(int pos, struct phonebook_entry *e)
{
	return phonebook_query1("SELECT " PHONEBOOK_COLS " FROM phonebook "
	    "WHERE pos = ?1", pos, NULL, e);
}

int
phonebook_find(const char *number, struct phonebook_entry *e)
{
	/* the lowest position wins if a number is stored twice; entries
	 * past auth.phonebook_size (it was made smaller) grant nothing */
	if (phonebook_query1("SELECT " PHONEBOOK_COLS " FROM phonebook "
	    "WHERE number = ?1 ORDER BY pos LIMIT 1", 0, number, e) == -1)
		return -1;
	return e->pos <= phonebook_size() ? 0 : -1;
}

int
phonebook_put(const struct phonebook_entry *e, char *err, size_t errlen)
{
	if (e->pos < 1 || e->pos > phonebook_size()) {
		snprintf(err, errlen, "position must be 1..%d",
		    phonebook_size());
		return -1;
	}
	if (store_done(store_stmt("INSERT OR REPLACE INTO phonebook"
	    "(" PHONEBOOK_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	    "dtttdtdd", e->pos, e->number, e->name, auth_role_name(e->role),
	    e->require_password != 0, phonebook_call_name(e->call),
	    e->alarm_sms != 0, e->alarm_call != 0)) == -1) {
		snprintf(err, errlen, "phonebook not saved: %s",
		    store_errmsg());
		return -1;
	}
	return 0;
}

int
phonebook_del(int pos, char *err, size_t errlen)
{
	if (store_done(store_stmt("DELETE FROM phonebook WHERE pos = ?1", "d",
	    pos)) == -1) {
		snprintf(err, errlen, "%s", store_errmsg());
		return -1;
	}
	return 0;
}

int
phonebook_clear(char *err, size_t errlen)
{
	if (store_run("DELETE FROM phonebook", NULL, NULL, "phonebook") == -1) {
		snprintf(err, errlen, "%s", store_errmsg());
		return -1;
	}
	return 0;
}

int
phonebook_foreach(int (*cb)(const struct phonebook_entry *, void *),
    void *arg)
{
	struct phonebook_entry e;
	sqlite3_stmt *st;
	int r = 0;

	if ((st = store_stmt("SELECT " PHONEBOOK_COLS
	    " FROM phonebook ORDER BY pos", "")) == NULL)
		return -1;
	while (r == 0 && sqlite3_step(st) == SQLITE_ROW) {
		phonebook_row(st, &e);
		r = cb(&e, arg);
	}
	sqlite3_finalize(st);
	return r;
}
