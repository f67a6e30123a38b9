/*
 * modules.c: the daemon's modules, one row each: the tables the settings,
 * command and control registries serve, and the hooks run at start (in
 * row order), reload, shutdown (reverse order) and for the status report.
 * Adding a module is one row here, nothing else.
 */
#include "bridge.h"
#include "calls.h"
#include "datalink.h"
#include "cloud.h"
#include "cmd.h"
#include "io.h"
#include "ctl.h"
#include "modem.h"
#include "module.h"
#include "settings.h"
#include "sms.h"
#include "util.h"

const struct module modules[] = {
	{ .name = "core",
	  .settings = MODULE_TABLE(settings_core_table),
	  .commands = MODULE_TABLE(cmd_system_table),
	  .requests = MODULE_TABLE(ctl_core_requests) },
	{ .name = "phonebook",
	  .commands = MODULE_TABLE(cmd_phonebook_table) },
	{ .name = "modem",
	  .settings = MODULE_TABLE(modem_settings_table),
	  .commands = MODULE_TABLE(modem_cmd_table),
	  .requests = MODULE_TABLE(modem_ctl_requests),
	  .init = modem_init, .reload = modem_reload,
	  .shutdown = modem_shutdown, .status = modem_status },
	{ .name = "sms",
	  .settings = MODULE_TABLE(sms_settings_table),
	  .commands = MODULE_TABLE(sms_cmd_table),
	  .requests = MODULE_TABLE(sms_ctl_requests),
	  .init = sms_init, .shutdown = sms_shutdown,
	  .status = sms_status, .busy = sms_busy },
	{ .name = "calls",
	  .settings = MODULE_TABLE(calls_settings_table),
	  .commands = MODULE_TABLE(calls_cmd_table),
	  .init = calls_init, .shutdown = calls_shutdown },
	{ .name = "bridge",
	  .settings = MODULE_TABLE(bridge_settings_table),
	  .commands = MODULE_TABLE(bridge_cmd_table),
	  .init = bridge_init, .reload = bridge_reload,
	  .shutdown = bridge_shutdown, .status = bridge_status },
	{ .name = "data",
	  .settings = MODULE_TABLE(datalink_settings_table),
	  .commands = MODULE_TABLE(datalink_cmd_table),
	  .init = datalink_init, .reload = datalink_reload,
	  .shutdown = datalink_shutdown, .status = datalink_status },
	{ .name = "io",
	  .settings = MODULE_TABLE(io_settings_table),
	  .commands = MODULE_TABLE(io_cmd_table),
	  .requests = MODULE_TABLE(io_ctl_requests),
	  .init = io_init, .reload = io_reload,
	  .shutdown = io_shutdown, .status = io_status },
	{ .name = "cloud",
	  .settings = MODULE_TABLE(cloud_settings_table),
	  .commands = MODULE_TABLE(cloud_cmd_table),
	  .requests = MODULE_TABLE(cloud_ctl_requests),
	  .init = cloud_init, .shutdown = cloud_shutdown,
	  .status = cloud_status },
};
const size_t modules_len = nitems(modules);
