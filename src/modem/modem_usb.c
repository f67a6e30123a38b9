/*
 * modem_usb.c: the USB selector of modem.device, "usb:VID:PID[:IF]"
 * (lsusb's hex vendor and product ids, and the interface's
 * bInterfaceNumber), resolved at each open to the tty of that USB device
 * and interface by walking sysfs.  <root>/class/tty/<name> links to the
 * tty's directory, whose "device" link is either the usb-serial port
 * directory (ttyUSB: option, qcserial, ftdi_sio...; its parent is the
 * interface) or the interface itself (ttyACM: cdc-acm).  The interface
 * has bInterfaceNumber; its parent, the USB device, has idVendor and
 * idProduct.  Exactly two symbolic links are followed per tty (the class
 * entry and its device link), each read with readlink(2) and joined
 * lexically; attribute files are opened with O_NOFOLLOW, must be regular
 * files and are read with one bounded read.  No state and no logging
 * here: the caller (modem_port.c) logs, and the unit test passes a fake
 * sysfs root.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modem_int.h"
#include "util.h"

#define USB_TTY_NAME_MAX	32	/* longest tty name considered */
#define USB_SCAN_MAX		4096	/* class/tty entries looked at */
#define USB_NAMES_MAX		8	/* matches named in the note */
#define USB_ATTR_MAX		32	/* bytes read from an attribute */

static const char usb_hexdigits[] = "0123456789abcdefABCDEF";
static const char usb_namechars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.:";

int
modem_usb_is_selector(const char *device)
{
	return strncmp(device, MODEM_USB_PREFIX, strlen(MODEM_USB_PREFIX)) == 0;
}

/* One hex field of exactly n digits, lower-cased into out[n + 1]. */
static const char *
usb_parse_hex(const char *s, size_t n, char *out)
{
	size_t i;

	if (strspn(s, usb_hexdigits) != n)
		return NULL;
	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'F') ? s[i] - 'A' + 'a' : s[i];
	out[n] = '\0';
	return s + n;
}

int
modem_usb_parse(const char *selector, struct modem_usb_sel *sel)
{
	const char *s = selector;

	memset(sel, 0, sizeof *sel);
	if (!modem_usb_is_selector(s))
		return -1;
	s += strlen(MODEM_USB_PREFIX);
	if ((s = usb_parse_hex(s, 4, sel->vid)) == NULL || *s++ != ':' ||
	    (s = usb_parse_hex(s, 4, sel->pid)) == NULL)
		return -1;
	if (*s == '\0')
		return 0;
	if (*s++ != ':' || (s = usb_parse_hex(s, 2, sel->iface)) == NULL ||
	    *s != '\0')
		return -1;
	return 0;
}

/*
 * Lexical normalisation of an absolute path in place: repeated slashes,
 * "." and ".." removed (".." at the root stays at the root).  sysfs
 * directories below /sys/devices are real directories, so this is what
 * the kernel would resolve, without following anything.
 */
static void
usb_normalize(char *p)
{
	char *out = p;
	const char *s = p, *e;
	size_t o = 0, len;

	while (*s != '\0') {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		if ((e = strchr(s, '/')) == NULL)
			e = s + strlen(s);
		len = (size_t)(e - s);
		if (len == 1 && s[0] == '.')
			;
		else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else {
			/* o + 1 <= s - p: writing never overtakes reading */
			out[o++] = '/';
			memmove(out + o, s, len);
			o += len;
		}
		s = e;
	}
	if (o == 0)
		out[o++] = '/';
	out[o] = '\0';
}

/* The parent directory of a normalised absolute path, in place. */
static void
usb_parent(char *p)
{
	char *slash = strrchr(p, '/');

	if (slash == p)
		p[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
}

/*
 * Follow one symbolic link, path (normalised, absolute), into out: its
 * target joined to the link's directory, normalised; a path that is not
 * a link is copied.  -1 when it does not exist or is too long.
 */
static int
usb_follow(const char *path, char *out, size_t outlen)
{
	char target[PATH_MAX], dir[PATH_MAX];
	ssize_t n;

	n = readlink(path, target, sizeof target - 1);
	if (n == -1) {
		if (errno != EINVAL)
			return -1;
		if (util_strlcpy(out, path, outlen) >= outlen)
			return -1;
		usb_normalize(out);
		return 0;
	}
	target[n] = '\0';
	if (target[0] == '/') {
		if (util_strlcpy(out, target, outlen) >= outlen)
			return -1;
	} else {
		if (util_strlcpy(dir, path, sizeof dir) >= sizeof dir)
			return -1;
		usb_parent(dir);
		if ((size_t)snprintf(out, outlen, "%s/%s", dir, target) >=
		    outlen)
			return -1;
	}
	usb_normalize(out);
	return 0;
}

/*
 * One sysfs attribute, dir/name: a regular file (no link followed), one
 * bounded read, trailing white space removed.  It must then be exactly
 * n hex digits; out[n + 1] gets them lower-cased.  0 or -1.
 */
static int
usb_attr_hex(const char *dir, const char *name, size_t n, char *out)
{
	char path[PATH_MAX], buf[USB_ATTR_MAX + 1];
	struct stat st;
	ssize_t len;
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
	    sizeof path)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	len = read(fd, buf, USB_ATTR_MAX);
	close(fd);
	if (len <= 0)
		return -1;
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' ' ||
	    buf[len - 1] == '\t' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	if ((size_t)len != n || usb_parse_hex(buf, n, out) == NULL)
		return -1;
	return 0;
}

struct usb_ids {
	char	vid[5];
	char	pid[5];
	char	iface[3];
};

/*
 * The USB identity of tty `name` under root: fills ids and, when devdir
 * is not NULL, the USB device's directory.  0, or -1 (not a USB tty, or
 * sysfs content not as expected) with err.
 */
static int
usb_tty_walk(const char *root, const char *name, struct usb_ids *ids,
    char *devdir, size_t devdirlen, char *err, size_t errlen)
{
	char path[PATH_MAX], tty[PATH_MAX], dev[PATH_MAX];

	if (name[0] == '\0' || name[0] == '.' ||
	    strlen(name) > USB_TTY_NAME_MAX ||
	    strspn(name, usb_namechars) != strlen(name)) {
		snprintf(err, errlen, "not a tty name");
		return -1;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/class/tty/%s", root,
	    name) >= sizeof path || usb_follow(path, tty, sizeof tty) == -1) {
		snprintf(err, errlen, "%s: not in sysfs", name);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof path, "%s/device", tty) >=
	    sizeof path || usb_follow(path, dev, sizeof dev) == -1) {
		snprintf(err, errlen, "%s: no device in sysfs", name);
		return -1;
	}
	/* cdc-acm: the interface; usb-serial: a port below it */
	if (usb_attr_hex(dev, "bInterfaceNumber", 2, ids->iface) == -1) {
		usb_parent(dev);
		if (usb_attr_hex(dev, "bInterfaceNumber", 2, ids->iface) ==
		    -1) {
			snprintf(err, errlen, "%s: not a USB interface's tty",
			    name);
			return -1;
		}
	}
	usb_parent(dev);
	if (usb_attr_hex(dev, "idVendor", 4, ids->vid) == -1 ||
	    usb_attr_hex(dev, "idProduct", 4, ids->pid) == -1) {
		snprintf(err, errlen, "%s: no USB vendor and product ids",
		    name);
		return -1;
	}
	if (devdir != NULL && util_strlcpy(devdir, dev, devdirlen) >=
	    devdirlen) {
		snprintf(err, errlen, "%s: path too long", name);
		return -1;
	}
	return 0;
}

/* The root, absolute and normalised. */
static int
usb_root(const char *sysfs_root, char *out, size_t outlen, char *err,
    size_t errlen)
{
	if (sysfs_root[0] != '/' ||
	    util_strlcpy(out, sysfs_root, outlen) >= outlen) {
		snprintf(err, errlen, "bad sysfs root");
		return -1;
	}
	usb_normalize(out);
	return 0;
}

/*
 * tty order: by the number at the end of the name (numerically: ttyUSB9
 * before ttyUSB10), then by name.  <0, 0, >0.
 */
static int
usb_tty_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), da = la, db = lb;

	while (da > 0 && a[da - 1] >= '0' && a[da - 1] <= '9')
		da--;
	while (db > 0 && b[db - 1] >= '0' && b[db - 1] <= '9')
		db--;
	while (da < la - 1 && a[da] == '0')
		da++;
	while (db < lb - 1 && b[db] == '0')
		db++;
	if (la - da != lb - db)
		return la - da < lb - db ? -1 : 1;
	if (strcmp(a + da, b + db) != 0)
		return strcmp(a + da, b + db);
	return strcmp(a, b);
}

static int
usb_name_cmp(const void *a, const void *b)
{
	return usb_tty_cmp(a, b);
}

int
modem_usb_resolve(const char *sysfs_root, const char *selector, char *out,
    size_t outlen, char *err, size_t errlen)
{
	char root[PATH_MAX], dir[PATH_MAX + 16], why[128];
	char best[USB_TTY_NAME_MAX + 1] = "";
	char names[USB_NAMES_MAX][USB_TTY_NAME_MAX + 1];
	struct modem_usb_sel sel;
	struct usb_ids ids;
	struct dirent *de;
	size_t nnames = 0, scanned = 0, i, o;
	int count = 0;
	DIR *d;

	if (errlen > 0)
		err[0] = '\0';
	if (modem_usb_parse(selector, &sel) == -1) {
		snprintf(err, errlen, "malformed USB selector (want "
		    "usb:VID:PID or usb:VID:PID:IF in hex, e.g. "
		    "usb:1e0e:9001:02)");
		return -1;
	}
	if (usb_root(sysfs_root, root, sizeof root, err, errlen) == -1)
		return -1;
	snprintf(dir, sizeof dir, "%s/class/tty", root);
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s: %s", selector, dir,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && scanned++ < USB_SCAN_MAX) {
		if (usb_tty_walk(root, de->d_name, &ids, NULL, 0, why,
		    sizeof why) == -1)
			continue;
		if (strcmp(ids.vid, sel.vid) != 0 ||
		    strcmp(ids.pid, sel.pid) != 0 ||
		    (sel.iface[0] != '\0' && strcmp(ids.iface, sel.iface) != 0))
			continue;
		if (count++ == 0 || usb_tty_cmp(de->d_name, best) < 0)
			util_strlcpy(best, de->d_name, sizeof best);
		if (nnames < USB_NAMES_MAX)
			util_strlcpy(names[nnames++], de->d_name,
			    sizeof names[0]);
	}
	closedir(d);
	if (count == 0) {
		if (sel.iface[0] != '\0')
			snprintf(err, errlen, "%s: no tty of USB device %s:%s "
			    "interface %s", selector, sel.vid, sel.pid,
			    sel.iface);
		else
			snprintf(err, errlen, "%s: no tty of USB device %s:%s",
			    selector, sel.vid, sel.pid);
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "/dev/%s", best) >= outlen) {
		snprintf(err, errlen, "%s: path too long", selector);
		return -1;
	}
	if (count > 1) {
		/* a note for the log, the tty names in order */
		qsort(names, nnames, sizeof names[0], usb_name_cmp);
		o = (size_t)snprintf(err, errlen, "%s is ambiguous: %d ttys "
		    "match (", selector, count);
		for (i = 0; i < nnames && o < errlen; i++)
			o += (size_t)snprintf(err + o, errlen - o, "%s%s",
			    i > 0 ? " " : "", names[i]);
		if (o < errlen)
			snprintf(err + o, errlen - o, "%s); using %s; add the "
			    "interface number (usb:%s:%s:IF) to choose",
			    (size_t)count > nnames ? " ..." : "", best,
			    sel.vid, sel.pid);
	}
	return count;
}

int
modem_usb_device_dir(const char *sysfs_root, const char *tty, char *out,
    size_t outlen, char *err, size_t errlen)
{
	char root[PATH_MAX];
	struct usb_ids ids;

	if (usb_root(sysfs_root, root, sizeof root, err, errlen) == -1)
		return -1;
	return usb_tty_walk(root, tty, &ids, out, outlen, err, errlen);
}
