/*
 * cmd_system.c: the system commands of the USR command set: VER, SN, H,
 * S (save), CFGTF (save as user defaults), RELD (restore user defaults),
 * CLEAR (factory settings) and Z (restart).  Settings persist the moment
 * they change, so S only forces the write-ahead log into the database
 * file (after the transaction it runs in, when it runs in one: an SMS);
 * Z restarts the daemon in place (same PID) after the reply is out.
 */

#include "cmd.h"
#include "daemon.h"
#include "log.h"
#include "settings.h"
#include "store.h"

#include "config.h"

static int
cmd_ver(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	cmd_reply_line(r, "+VER:%s", PACKAGE_VERSION);
	return 0;
}

static int
cmd_sn(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	cmd_reply_line(r, "+SN:%s", daemon_serial());
	return 0;
}

/* AT+H: every command and setting by the name to use, two lines (the
 * man pages cellgate-sms(7) and cellgate.conf(5) hold the details). */
static int
cmd_help(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	const struct cmd_entry *c;
	struct buf b;
	size_t pos = 0;

	buf_init(&b, CMD_REPLY_MAX / 2);
	buf_puts(&b, "+H:commands:");
	while ((c = cmd_iter(&pos)) != NULL)
		buf_printf(&b, " %s", c->name);
	cmd_reply_line(r, "%s", buf_str(&b));
	buf_reset(&b);
	buf_puts(&b, "+H:settings:");
	for (size_t i = 0; i < settings_count(); i++) {
		const struct setting_def *d = settings_at(i);

		buf_printf(&b, " %s", d->alias != NULL ? d->alias : d->name);
	}
	cmd_reply_line(r, "%s", buf_str(&b));
	buf_free(&b);
	return 0;
}

/* The checkpoint AT+S asked for, once the transaction it ran in (an
 * SMS and its commands) committed: SQLite cannot write the log out
 * while a transaction is open.  A rollback drops it. */
static void
cmd_save_later(void *data, int undo)
{
	if (!undo && store_checkpoint() == -1)
		log_warnx("AT+S: %s", store_errmsg());
}

static int
cmd_save(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	/* every change is committed already: inside a transaction the
	 * checkpoint follows its commit */
	if (store_undo_push(cmd_save_later, NULL) == 0)
		return 0;
	if (store_checkpoint() == -1)
		return cmd_reply_error(r, "save failed: %s", store_errmsg());
	return 0;
}

static int
cmd_cfgtf(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char err[256];

	if (settings_save_user_defaults(err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

static int
cmd_reld(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char err[256];

	if (settings_restore_user_defaults(cmd_may_change,
	    (void *)ctx, err, sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

static int
cmd_clear(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	char err[256];

	if (settings_factory_reset(cmd_may_change, (void *)ctx, err,
	    sizeof err) == -1)
		return cmd_reply_error(r, "%s", err);
	return 0;
}

static int
cmd_restart(const struct cmd_entry *e, const struct atform *f,
    const struct cmd_ctx *ctx, struct cmd_reply *r)
{
	daemon_request_restart("AT+Z");
	return 0;
}

#define QUERY	(CMD_OP(ATFORM_EXEC) | CMD_OP(ATFORM_QUERY))
#define ACTION	(CMD_OP(ATFORM_EXEC))

const struct cmd_entry cmd_system_table[] = {
	{ "VER", NULL, QUERY, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+VER", "software version", cmd_ver },
	{ "SN", NULL, QUERY, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+SN", "device serial number", cmd_sn },
	{ "H", NULL, ACTION, 0, 0, ROLE_USER, GROUP_SYSTEM, 0,
	  "AT+H", "list the commands", cmd_help },
	{ "S", NULL, ACTION, 0, 0, ROLE_ADMIN, GROUP_SYSTEM, 0,
	  "AT+S", "save settings (they are also saved at every change)",
	  cmd_save },
	{ "CFGTF", NULL, ACTION, 0, 0, ROLE_ADMIN, GROUP_SYSTEM, 0,
	  "AT+CFGTF", "save the current settings as user defaults",
	  cmd_cfgtf },
	{ "RELD", NULL, ACTION, 0, 0, ROLE_ADMIN, GROUP_SYSTEM, 0,
	  "AT+RELD", "restore the user defaults", cmd_reld },
	{ "CLEAR", NULL, ACTION, 0, 0, ROLE_SUPERADMIN, GROUP_SYSTEM, 0,
	  "AT+CLEAR", "restore factory settings (forgets user defaults)",
	  cmd_clear },
	{ "Z", NULL, ACTION, 0, 0, ROLE_ADMIN, GROUP_SYSTEM, 0,
	  "AT+Z", "restart the daemon", cmd_restart },
};

const size_t cmd_system_table_len = nitems(cmd_system_table);
