/*
 * test_modem_quirk.c: each vendor quirk: selection from the identify
 * answers (as the simulator's profiles and real modems give them) and
 * its line parser (boot signs, signal, technology, noise, not-mine).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/modem/modem_int.h"

static enum quirk_ev
P(const struct quirk *q, const char *line, struct quirk_event *ev)
{
	return q->parse(line, strlen(line), ev);
}

static void
test_generic(void **state)
{
	assert_ptr_equal(quirk_select("Cellgate", "GSM-LTE-SIM"),
	    &quirk_generic);
	assert_ptr_equal(quirk_select("", ""), &quirk_generic);
	assert_ptr_equal(quirk_select("Telit", "LE910"), &quirk_generic);
	assert_string_equal(quirk_generic.iccid_cmd, "AT+CCID");
	assert_null(quirk_generic.parse);
	assert_int_equal(quirk_csq_from_dbm(-113), 0);
	assert_int_equal(quirk_csq_from_dbm(-73), 20);
	assert_int_equal(quirk_csq_from_dbm(-40), 31);
}

/* SIMCom SIM800 / SIM7600 */
static void
test_simcom(void **state)
{
	struct quirk_event ev;

	assert_ptr_equal(quirk_select("SIMCOM_Ltd", "SIMCOM_SIM800"),
	    &quirk_simcom);
	assert_ptr_equal(quirk_select("SIMCOM INCORPORATED", "SIMCOM_SIM7600E"),
	    &quirk_simcom);
	assert_int_equal(P(&quirk_simcom, "UNDER-VOLTAGE WARNING", &ev),
	    QUIRK_EV_BOOT);
	assert_int_equal(P(&quirk_simcom, "Call Ready", &ev), QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_simcom, "SMS Ready", &ev), QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_simcom, "*PSUTTZ: 2024,1,1,\"+4\",0", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_simcom, "+CMTI: \"SM\",1", &ev),
	    QUIRK_EV_NOT_MINE);
	assert_int_equal(P(&quirk_simcom, "Call Ready now", &ev),
	    QUIRK_EV_NOT_MINE);
}

/* Quectel EC25 / EG25 / BG96 / M95 */
static void
test_quectel(void **state)
{
	struct quirk_event ev;

	assert_ptr_equal(quirk_select("Quectel", "EC25"), &quirk_quectel);
	assert_string_equal(quirk_quectel.iccid_cmd, "AT+QCCID");
	assert_int_equal(P(&quirk_quectel, "+QIND: SMS DONE", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_quectel, "+QIND: \"csq\",20,99", &ev),
	    QUIRK_EV_SIGNAL);
	assert_int_equal(ev.csq, 20);
	assert_int_equal(ev.dbm, -73);
	assert_int_equal(P(&quirk_quectel, "+QIND: \"csq\",99,99", &ev),
	    QUIRK_EV_SIGNAL);
	assert_int_equal(ev.csq, 99);
	assert_int_equal(P(&quirk_quectel, "+QIND: \"csq\",x", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_quectel, "+QUSIM: 1", &ev), QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_quectel, "POWERED DOWN", &ev),
	    QUIRK_EV_BOOT);
	assert_int_equal(P(&quirk_quectel, "RING", &ev), QUIRK_EV_NOT_MINE);
}

/* Huawei E3372 / ME909 */
static void
test_huawei(void **state)
{
	struct quirk_event ev;

	assert_ptr_equal(quirk_select("huawei", "E3372"), &quirk_huawei);
	assert_ptr_equal(quirk_select("Huawei Technologies Co., Ltd.",
	    "ME909s-120"), &quirk_huawei);
	assert_true(quirk_huawei.signal_urc);
	assert_true(quirk_huawei.iccid_needs_sim);
	assert_int_equal(P(&quirk_huawei, "^RSSI:20", &ev), QUIRK_EV_SIGNAL);
	assert_int_equal(ev.csq, 20);
	assert_int_equal(ev.dbm, -73);
	assert_int_equal(P(&quirk_huawei, "^RSSI:99", &ev), QUIRK_EV_SIGNAL);
	assert_int_equal(ev.csq, 99);
	assert_int_equal(P(&quirk_huawei, "^HCSQ:\"LTE\",40,35,80,30", &ev),
	    QUIRK_EV_SIGNAL);
	assert_int_equal(ev.dbm, -81);
	assert_int_equal(ev.csq, 16);
	assert_int_equal(P(&quirk_huawei, "^HCSQ:\"NOSERVICE\"", &ev),
	    QUIRK_EV_SIGNAL);
	assert_int_equal(ev.csq, 99);
	assert_int_equal(P(&quirk_huawei, "^MODE:7,17", &ev), QUIRK_EV_TECH);
	assert_string_equal(ev.tech, "LTE");
	assert_int_equal(P(&quirk_huawei, "^MODE:3,4", &ev), QUIRK_EV_TECH);
	assert_string_equal(ev.tech, "GSM");
	assert_int_equal(P(&quirk_huawei, "^MODE:99", &ev), QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_huawei, "^BOOT:20952743,0,0,0,72", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_huawei, "^SIMST: 1", &ev), QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_huawei, "^SYSSTART", &ev), QUIRK_EV_BOOT);
	assert_int_equal(P(&quirk_huawei, "^RSSI:garbage", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_huawei, "+CREG: 1", &ev), QUIRK_EV_NOT_MINE);
}

/* u-blox TOBY-L2 / LARA-R2 / SARA */
static void
test_ublox(void **state)
{
	struct quirk_event ev;

	assert_ptr_equal(quirk_select("u-blox", "TOBY-L201"), &quirk_ublox);
	assert_string_equal(quirk_ublox.reset_cmd, "AT+CFUN=16");
	assert_int_equal(P(&quirk_ublox, "+UUSIMSTAT: 1", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_ublox, "+UUSORD: 0,12", &ev),
	    QUIRK_EV_IGNORE);
	assert_int_equal(P(&quirk_ublox, "+CLIP: \"123\",129", &ev),
	    QUIRK_EV_NOT_MINE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_simcom),
		cmocka_unit_test(test_quectel),
		cmocka_unit_test(test_huawei),
		cmocka_unit_test(test_ublox),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
