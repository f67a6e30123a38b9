/*
 * usb_sel.h: a serial device named by where it is on USB rather than by
 * its changing ttyUSBn: "usb:VID:PID[:IF]" (modem.device, data_port.device,
 * data.ppp_port), resolved in sysfs at each open (src/modem/modem_usb.c).
 * Pure file reads, no event loop: the modem, the bridge and the data link
 * use it alike.
 */
#ifndef CG_USB_SEL_H
#define CG_USB_SEL_H

#include <stddef.h>

#define MODEM_USB_PREFIX	"usb:"
#define MODEM_SYSFS_ROOT	"/sys"	/* the daemon's; tests pass another */
struct modem_usb_sel {
	char	 vid[5];	/* 4 hex digits, lower case */
	char	 pid[5];
	char	 iface[3];	/* bInterfaceNumber, 2 hex digits; "" any */
};
int modem_usb_is_selector(const char *device);	/* starts with "usb:" */
/* Syntax only: "usb:" 4 hex ":" 4 hex, optionally ":" 2 hex.  0 or -1. */
int modem_usb_parse(const char *selector, struct modem_usb_sel *);
/*
 * Find the tty of the selector under sysfs_root (the daemon: "/sys"):
 * out gets "/dev/<tty>".  Returns the number of matching ttys; when it
 * is more than one the lowest-numbered is chosen and err holds a note
 * saying so, for the log.  -1 with err (naming the selector) when the
 * selector is malformed or nothing matches.  Reads sysfs only.
 */
int modem_usb_resolve(const char *sysfs_root, const char *selector,
    char *out, size_t outlen, char *err, size_t errlen);
/* The sysfs directory of the USB device a tty ("ttyUSB2") belongs to
 * (the one with idVendor and "authorized").  0, or -1 with err. */
int modem_usb_device_dir(const char *sysfs_root, const char *tty,
    char *out, size_t outlen, char *err, size_t errlen);

#endif
