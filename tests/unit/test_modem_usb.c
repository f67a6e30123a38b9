/*
 * test_modem_usb.c: the USB selector of modem.device (modem_usb.c)
 * against a fake sysfs tree built in a temporary directory, laid out as
 * the kernel does it: class/tty/<tty> links into devices/, usb-serial
 * ttys (ttyUSB) whose "device" link is the port directory below the
 * interface, cdc-acm ttys (ttyACM) whose "device" link is the interface,
 * virtual and platform ttys with no USB parent, and broken entries
 * (missing files, garbage, oversized files, a FIFO, a directory, link
 * loops).  Checks syntax, matches, interface selection, ambiguity (the
 * lowest-numbered tty, numerically), no match, and the USB device
 * directory used by the USB reset rung.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/modem/modem_int.h"

static char root[] = "/tmp/cgtest-usb-XXXXXX";

#define USB	"devices/pci0000:00/0000:00:14.0/usb1"

/* snprintf into a PATH_MAX buffer, failing the test on truncation */
static void __attribute__((format(printf, 2, 3)))
fmt(char *dst, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(dst, PATH_MAX, f, ap);
	va_end(ap);
	assert_true(n >= 0 && n < PATH_MAX);
}

/* mkdir -p root/rel */
static void
mkdirs(const char *rel)
{
	char p[PATH_MAX];
	char *s;

	fmt(p, "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
		*s = '/';
	}
	assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
}

static void
put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	fmt(p, "%s/%s", root, rel);
	assert_non_null(f = fopen(p, "w"));
	fputs(text, f);
	fclose(f);
}

static void
link_at(const char *rel, const char *target)
{
	char p[PATH_MAX];

	fmt(p, "%s/%s", root, rel);
	assert_int_equal(symlink(target, p), 0);
}

/* A USB device dev ("1-1.2") with its ids. */
static void
usb_device(const char *dev, const char *vid, const char *pid)
{
	char rel[PATH_MAX];

	fmt(rel, USB "/1-1/%s", dev);
	mkdirs(rel);
	fmt(rel, USB "/1-1/%s/idVendor", dev);
	put(rel, vid);
	fmt(rel, USB "/1-1/%s/idProduct", dev);
	put(rel, pid);
	fmt(rel, USB "/1-1/%s/authorized", dev);
	put(rel, "1\n");
}

/*
 * usb-serial: devices/.../1-1.2/1-1.2:1.N/ttyUSBn/tty/ttyUSBn, its
 * "device" -> ../../../ttyUSBn (the port dir, below the interface);
 * class/tty/ttyUSBn -> ../../devices/.../tty/ttyUSBn.  ifnum NULL: no
 * bInterfaceNumber file.
 */
static void
usb_serial(const char *dev, int intf, const char *ifnum, const char *tty)
{
	char idir[PATH_MAX], rel[PATH_MAX], tgt[PATH_MAX];

	fmt(idir, USB "/1-1/%s/%s:1.%d", dev, dev, intf);
	mkdirs(idir);
	if (ifnum != NULL) {
		fmt(rel, "%s/bInterfaceNumber", idir);
		put(rel, ifnum);
	}
	fmt(rel, "%s/%s/tty/%s", idir, tty, tty);
	mkdirs(rel);
	fmt(rel, "%s/%s/tty/%s/device", idir, tty, tty);
	fmt(tgt, "../../../%s", tty);
	link_at(rel, tgt);
	fmt(rel, "class/tty/%s", tty);
	fmt(tgt, "../../%s/%s/tty/%s", idir, tty, tty);
	link_at(rel, tgt);
}

/*
 * cdc-acm: devices/.../1-1.3/1-1.3:1.N/tty/ttyACMn, its "device" ->
 * ../../../1-1.3:1.N (the interface itself).
 */
static void
usb_acm(const char *dev, int intf, const char *ifnum, const char *tty)
{
	char idir[PATH_MAX], rel[PATH_MAX], tgt[PATH_MAX];

	fmt(idir, USB "/1-1/%s/%s:1.%d", dev, dev, intf);
	mkdirs(idir);
	fmt(rel, "%s/bInterfaceNumber", idir);
	put(rel, ifnum);
	fmt(rel, "%s/tty/%s", idir, tty);
	mkdirs(rel);
	fmt(rel, "%s/tty/%s/device", idir, tty);
	fmt(tgt, "../../../%s:1.%d", dev, intf);
	link_at(rel, tgt);
	fmt(rel, "class/tty/%s", tty);
	fmt(tgt, "../../%s/tty/%s", idir, tty);
	link_at(rel, tgt);
}

static int
setup(void **state)
{
	char p[PATH_MAX], big[8192];

	if (mkdtemp(root) == NULL)
		return -1;
	mkdirs("class/tty");

	/* SIMCom SIM7600 (option): four ports, AT on interface 02 */
	usb_device("1-1.2", "1e0e\n", "9001\n");
	usb_serial("1-1.2", 0, "00\n", "ttyUSB0");
	usb_serial("1-1.2", 1, "01\n", "ttyUSB1");
	usb_serial("1-1.2", 2, "02\n", "ttyUSB2");
	usb_serial("1-1.2", 3, "03\n", "ttyUSB3");

	/* Quectel EC25 numbered 9 and 10: numeric order, not by name */
	usb_device("1-1.4", "2c7c\n", "0125\n");
	usb_serial("1-1.4", 3, "03\n", "ttyUSB10");
	usb_serial("1-1.4", 2, "02\n", "ttyUSB9");

	/* u-blox (cdc-acm): ttyACM0 on interface 00, ttyACM1 on 02;
	 * upper-case ids and no newline are read the same */
	usb_device("1-1.3", "1546", "1141\n");
	usb_acm("1-1.3", 0, "00\n", "ttyACM0");
	usb_acm("1-1.3", 2, "02", "ttyACM1");

	/* a virtual tty: no device link */
	mkdirs("devices/virtual/tty/tty0");
	link_at("class/tty/tty0", "../../devices/virtual/tty/tty0");
	/* a platform UART: device is not a USB interface */
	mkdirs("devices/platform/serial8250/tty/ttyS0");
	link_at("devices/platform/serial8250/tty/ttyS0/device",
	    "../../../serial8250");
	link_at("class/tty/ttyS0",
	    "../../devices/platform/serial8250/tty/ttyS0");

	/* broken entries, all "1e0e:9001" or close to it */
	/* garbage vendor id */
	usb_device("1-1.5", "zzzz\n", "9001\n");
	usb_serial("1-1.5", 2, "02\n", "ttyUSB20");
	/* no bInterfaceNumber */
	usb_device("1-1.6", "1e0e\n", "9001\n");
	usb_serial("1-1.6", 2, NULL, "ttyUSB21");
	/* bInterfaceNumber garbage, then too long */
	usb_device("1-1.7", "1e0e\n", "9001\n");
	usb_serial("1-1.7", 2, "x2\n", "ttyUSB22");
	usb_serial("1-1.7", 3, "002\n", "ttyUSB23");
	/* idProduct missing, idVendor oversized */
	mkdirs(USB "/1-1/1-1.8");
	memset(big, 'e', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	put(USB "/1-1/1-1.8/idVendor", big);
	usb_serial("1-1.8", 2, "02\n", "ttyUSB24");
	/* idVendor a FIFO, idProduct a directory */
	mkdirs(USB "/1-1/1-1.9/idProduct");
	fmt(p, "%s/" USB "/1-1/1-1.9/idVendor", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	usb_serial("1-1.9", 2, "02\n", "ttyUSB25");
	/* idVendor a symlink to a good file: not followed */
	usb_device("1-1.10", "1e0e\n", "9001\n");
	fmt(p, "%s/" USB "/1-1/1-1.10/idVendor", root);
	unlink(p);
	link_at(USB "/1-1/1-1.10/idVendor", "../1-1.2/idVendor");
	usb_serial("1-1.10", 2, "02\n", "ttyUSB26");
	/* empty files */
	usb_device("1-1.11", "", "");
	usb_serial("1-1.11", 2, "", "ttyUSB27");
	/* link loops: the class entry to itself, a device link to itself */
	link_at("class/tty/ttyUSB28", "ttyUSB28");
	mkdirs("devices/virtual/tty/ttyUSB29");
	link_at("devices/virtual/tty/ttyUSB29/device", "device");
	link_at("class/tty/ttyUSB29", "../../devices/virtual/tty/ttyUSB29");
	/* dangling class entry, and a plain file in class/tty */
	link_at("class/tty/ttyUSB30", "../../devices/nowhere/ttyUSB30");
	put("class/tty/ttyUSB31", "not a directory\n");
	/* a device link escaping upwards far beyond the root */
	mkdirs("devices/virtual/tty/ttyUSB32");
	link_at("devices/virtual/tty/ttyUSB32/device",
	    "../../../../../../../../../../../../../../../../../..");
	link_at("class/tty/ttyUSB32", "../../devices/virtual/tty/ttyUSB32");
	return 0;
}

static int
remove_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	return remove(path);
}

static int
teardown(void **state)
{
	return nftw(root, remove_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static char out[PATH_MAX], err[512];

static int
resolve(const char *sel)
{
	out[0] = '\0';
	return modem_usb_resolve(root, sel, out, sizeof out, err, sizeof err);
}

static void
test_syntax(void **state)
{
	static const char *const bad[] = {
		"", "usb:", "usb:1e0e", "usb:1e0e:", "usb:1e0e:900",
		"usb:1e0e:90011", "usb:1e0e:9001:", "usb:1e0e:9001:2",
		"usb:1e0e:9001:002", "usb:1e0e:9001:02:", "usb:xyz1:9001",
		"usb:1e0e-9001", "USB:1e0e:9001", "/dev/ttyUSB2",
		"usb: 1e0e:9001", "usb:1e0e:9001:0g", "usb:1e0e:9001\n",
	};
	struct modem_usb_sel sel;

	assert_int_equal(modem_usb_parse("usb:1e0e:9001:02", &sel), 0);
	assert_string_equal(sel.vid, "1e0e");
	assert_string_equal(sel.pid, "9001");
	assert_string_equal(sel.iface, "02");
	assert_int_equal(modem_usb_parse("usb:2C7C:0125", &sel), 0);
	assert_string_equal(sel.vid, "2c7c");
	assert_string_equal(sel.pid, "0125");
	assert_string_equal(sel.iface, "");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (modem_usb_parse(bad[i], &sel) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_int_equal(resolve(bad[i]), -1);
		assert_non_null(strstr(err, "malformed USB selector"));
	}
	assert_true(modem_usb_is_selector("usb:1e0e:9001"));
	assert_false(modem_usb_is_selector("/dev/serial/by-id/usb-x"));
}

/* usb-serial (ttyUSB): the interface is the port's parent */
static void
test_usb_serial(void **state)
{
	assert_int_equal(resolve("usb:1e0e:9001:02"), 1);
	assert_string_equal(out, "/dev/ttyUSB2");
	assert_string_equal(err, "");
	assert_int_equal(resolve("usb:1e0e:9001:00"), 1);
	assert_string_equal(out, "/dev/ttyUSB0");
	assert_int_equal(resolve("usb:1E0E:9001:03"), 1);
	assert_string_equal(out, "/dev/ttyUSB3");
	assert_int_equal(resolve("usb:2c7c:0125:02"), 1);
	assert_string_equal(out, "/dev/ttyUSB9");
	assert_int_equal(resolve("usb:2c7c:0125:03"), 1);
	assert_string_equal(out, "/dev/ttyUSB10");
}

/* cdc-acm (ttyACM): the device link is the interface itself */
static void
test_cdc_acm(void **state)
{
	assert_int_equal(resolve("usb:1546:1141:02"), 1);
	assert_string_equal(out, "/dev/ttyACM1");
	assert_int_equal(resolve("usb:1546:1141:00"), 1);
	assert_string_equal(out, "/dev/ttyACM0");
}

/* no interface and several ttys: the lowest-numbered, and a note */
static void
test_ambiguous(void **state)
{
	assert_int_equal(resolve("usb:1e0e:9001"), 4);
	assert_string_equal(out, "/dev/ttyUSB0");
	assert_non_null(strstr(err, "usb:1e0e:9001 is ambiguous"));
	assert_non_null(strstr(err, "(ttyUSB0 ttyUSB1 ttyUSB2 ttyUSB3)"));
	assert_non_null(strstr(err, "using ttyUSB0"));
	assert_non_null(strstr(err, "usb:1e0e:9001:IF"));
	assert_int_equal(resolve("usb:2c7c:0125"), 2);
	assert_string_equal(out, "/dev/ttyUSB9");
	assert_non_null(strstr(err, "(ttyUSB9 ttyUSB10)"));
	/* cdc-acm alike */
	assert_int_equal(resolve("usb:1546:1141"), 2);
	assert_string_equal(out, "/dev/ttyACM0");
	/* a short err buffer: truncated, still terminated */
	assert_int_equal(modem_usb_resolve(root, "usb:1e0e:9001", out,
	    sizeof out, err, 20), 4);
	assert_int_equal(strlen(err), 19);
}

static void
test_no_match(void **state)
{
	assert_int_equal(resolve("usb:1e0e:9001:07"), -1);
	assert_string_equal(err, "usb:1e0e:9001:07: no tty of USB device "
	    "1e0e:9001 interface 07");
	assert_int_equal(resolve("usb:dead:beef"), -1);
	assert_string_equal(err, "usb:dead:beef: no tty of USB device "
	    "dead:beef");
	assert_int_equal(resolve("usb:1e0e:9002:02"), -1);
	/* no sysfs at all */
	assert_int_equal(modem_usb_resolve("/nonexistent/sys",
	    "usb:1e0e:9001:02", out, sizeof out, err, sizeof err), -1);
	assert_non_null(strstr(err, "usb:1e0e:9001:02: "));
	assert_non_null(strstr(err, "class/tty"));
	assert_int_equal(modem_usb_resolve("relative/sys",
	    "usb:1e0e:9001:02", out, sizeof out, err, sizeof err), -1);
	/* output too small */
	assert_int_equal(modem_usb_resolve(root, "usb:1e0e:9001:02", out, 8,
	    err, sizeof err), -1);
}

/* the broken entries above never match, never crash, never leak into
 * an answer: 1e0e:9001 interface 02 is still exactly ttyUSB2 */
static void
test_malformed_sysfs(void **state)
{
	char dev[PATH_MAX];
	static const char *const broken[] = {
		"ttyUSB20", "ttyUSB21", "ttyUSB22", "ttyUSB23", "ttyUSB24",
		"ttyUSB25", "ttyUSB26", "ttyUSB27", "ttyUSB28", "ttyUSB29",
		"ttyUSB30", "ttyUSB31", "ttyUSB32", "tty0", "ttyS0", "ttyUSB99",
		"../ttyUSB2", "", ".", "..",
	};

	assert_int_equal(resolve("usb:1e0e:9001:02"), 1);
	assert_string_equal(out, "/dev/ttyUSB2");
	for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
		err[0] = '\0';
		if (modem_usb_device_dir(root, broken[i], dev, sizeof dev, err,
		    sizeof err) != -1)
			fail_msg("%s: %s", broken[i], dev);
		assert_true(err[0] != '\0');
	}
}

/* the USB device directory (the reset rung's "authorized" file) */
static void
test_device_dir(void **state)
{
	char dev[PATH_MAX], want[PATH_MAX];

	assert_int_equal(modem_usb_device_dir(root, "ttyUSB2", dev,
	    sizeof dev, err, sizeof err), 0);
	fmt(want, "%s/" USB "/1-1/1-1.2", root);
	assert_string_equal(dev, want);
	assert_int_equal(modem_usb_device_dir(root, "ttyACM1", dev,
	    sizeof dev, err, sizeof err), 0);
	fmt(want, "%s/" USB "/1-1/1-1.3", root);
	assert_string_equal(dev, want);
	/* a root given with redundant parts comes out the same */
	fmt(want, "%s//./class/../", root);
	assert_int_equal(modem_usb_device_dir(want, "ttyUSB9", dev,
	    sizeof dev, err, sizeof err), 0);
	fmt(want, "%s/" USB "/1-1/1-1.4", root);
	assert_string_equal(dev, want);
	assert_int_equal(modem_usb_device_dir(root, "ttyS0", dev, sizeof dev,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "ttyS0: not a USB interface's tty"));
	assert_int_equal(modem_usb_device_dir(root, "tty0", dev, sizeof dev,
	    err, sizeof err), -1);
	assert_non_null(strstr(err, "tty0: no device"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_usb_serial),
		cmocka_unit_test(test_cdc_acm),
		cmocka_unit_test(test_ambiguous),
		cmocka_unit_test(test_no_match),
		cmocka_unit_test(test_malformed_sysfs),
		cmocka_unit_test(test_device_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
