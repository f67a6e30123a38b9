/*
 * modules.c: the daemon's modules in one place: the settings tables,
 * command tables and control requests the registries serve, and the
 * modules started in order
 * at start (stopped in reverse) with their status sections.  Adding a
 * module is a row in each list here, nothing else.
 */
#include "bridge.h"
#include "calls.h"
#include "cmd.h"
#include "ctl.h"
#include "modem.h"
#include "module.h"
#include "settings.h"
#include "sms.h"
#include "status.h"
#include "util.h"

const struct settings_table_ref settings_tables[] = {
	{ settings_core_table, &settings_core_table_len },
	{ modem_settings_table, &modem_settings_table_len },
	{ sms_settings_table, &sms_settings_table_len },
	{ calls_settings_table, &calls_settings_table_len },
	{ bridge_settings_table, &bridge_settings_table_len },
};
const size_t settings_tables_len = nitems(settings_tables);

const struct cmd_table_ref cmd_tables[] = {
	{ cmd_system_table, &cmd_system_table_len },
	{ modem_cmd_table, &modem_cmd_table_len },
	{ cmd_phonebook_table, &cmd_phonebook_table_len },
	{ sms_cmd_table, &sms_cmd_table_len },
	{ calls_cmd_table, &calls_cmd_table_len },
	{ bridge_cmd_table, &bridge_cmd_table_len },
};
const size_t cmd_tables_len = nitems(cmd_tables);

const struct ctl_table_ref ctl_tables[] = {
	{ ctl_core_requests, &ctl_core_requests_len },
	{ modem_ctl_requests, &modem_ctl_requests_len },
	{ sms_ctl_requests, &sms_ctl_requests_len },
};
const size_t ctl_tables_len = nitems(ctl_tables);

const struct module modules[] = {
	{ "modem", modem_init, modem_reload, modem_shutdown, modem_status,
	  NULL },
	{ "sms", sms_init, NULL, sms_shutdown, sms_status, sms_busy },
	{ "calls", calls_init, NULL, calls_shutdown, NULL, NULL },
	{ "bridge", bridge_init, bridge_reload, bridge_shutdown,
	  bridge_status, NULL },
};
const size_t modules_len = nitems(modules);
