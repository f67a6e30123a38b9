#!/bin/bash
# shellcheck disable=SC2016  # ${Status}, $(REPO_URI): dpkg/apt formats
# tests/package/run.sh: build the Debian package and test it the way a user
# meets it.  Run as root on a Debian 12 machine (CI runs it from .ci/run):
#
#   1. build: dpkg-buildpackage -us -uc -b from a clean copy of the tracked
#      tree, then lintian (fails on errors, prints warnings and info);
#   2. unit:  systemd-analyze verify and security on systemd/cellgate.service;
#   3. root:  a clean Debian 12 root (debootstrap --variant=minbase), where
#      the .deb is installed with apt (which resolves its dependencies), its
#      files, user, conffile and state directory are checked, the installed
#      daemon runs as _cellgate against the installed simulator, and the
#      package is reinstalled, upgraded, removed and purged, each step
#      checked;
#   4. boot: a second clean root with systemd-sysv, dbus, polkitd and the
#      .deb, booted with systemd-nspawn --register=no --keep-unit -b; the
#      service checked under real systemd (tests/package/boot_test.py:
#      readiness, watchdog, crashes, reload, journal, SMS, bridge, MQTT,
#      REBOOT through logind); a skip fails it (this script runs as root);
#   5. prints a PASS/FAIL line per check and "package: N passed, N failed";
#      exits non-zero if anything failed.
#
# The debootstrap root is cached as a tarball in $CELLGATE_CI_CACHE
# (default /var/cache/cellgate-ci), with the .debs apt downloaded into it,
# so a second run on the same machine needs the network only for
# `apt-get update`.  Without the cache it builds everything from the
# Debian mirror the machine's apt uses.
#
# Environment:
#   CELLGATE_CI_CACHE          cache directory (outside the repository)
#   PKGTEST_INCLUDE_UNTRACKED  1: also copy untracked, not ignored files
#                              (a developer's new files not yet added)
#   PKGTEST_KEEP               1: keep the scratch directory for inspection
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
suite=bookworm			# Debian 12
cache=${CELLGATE_CI_CACHE:-/var/cache/cellgate-ci}
cache_days=30			# rebuild the cached root when older
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
start=$SECONDS

passed=0
failed=0
work=""
root=""
mounts=()	# mount points to unmount, in mount order
pids=()		# processes started in the root

# ---------------------------------------------------------------- helpers

say() { printf '\n== %s  [%ss]\n' "$*" $((SECONDS - start)); }

pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$1"; }

# check DESCRIPTION COMMAND...: run COMMAND, count and print the result
check() {
	local desc=$1
	shift
	if "$@"; then pass "$desc"; else fail "$desc"; fi
}

summary() {
	printf '\npackage: total time %ss\n' $((SECONDS - start))
	printf 'package: %d passed, %d failed\n' "$passed" "$failed"
}

# die DESCRIPTION [LOG]: a step the rest depends on failed: count it, show
# the end of its log, and stop
die() {
	fail "$1"
	if [ -n "${2:-}" ] && [ -f "$2" ]; then
		echo "---- last lines of $2"
		tail -n 40 "$2"
	fi
	summary
	exit 1
}

cleanup() {
	local i
	for i in "${pids[@]}"; do
		kill "$i" 2>/dev/null || true
	done
	for i in "${pids[@]}"; do
		wait "$i" 2>/dev/null || true
	done
	# anything else still running in the root (a test that failed half-way)
	if [ -n "$root" ]; then
		for i in /proc/[0-9]*; do
			[ "$(readlink "$i/root" 2>/dev/null)" = "$root" ] &&
			    kill -KILL "${i#/proc/}" 2>/dev/null || true
		done
	fi
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" ||
		    true
	done
	[ -n "$work" ] && [ -d "$work" ] || return 0
	# never delete through a mount point that is still there
	if grep -qF " $work/" /proc/self/mounts; then
		echo "package: mounts left under $work, not removing it" >&2
	elif [ "${PKGTEST_KEEP:-0}" = 1 ]; then
		echo "package: scratch directory kept: $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# need PACKAGE...: apt-get install the Debian packages that are missing
apt_updated=0
need() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	echo "package: installing: ${missing[*]}"
	if [ $apt_updated = 0 ]; then
		apt-get update -qq
		apt_updated=1
	fi
	apt-get install -y -qq --no-install-recommends "${missing[@]}" \
	    >/dev/null
}

# The prefixes that run a command in the test root with a clean
# environment, and there with the identity the unit gives the daemon
# (User=_cellgate, SupplementaryGroups=dialout cellgate).  Arrays, not
# functions, so that `"${in_root[@]}" CMD &` leaves the command's own pid
# in $! (a function run in the background is a subshell).
in_root=()
as_daemon=()
set_root() {
	root=$1
	in_root=(chroot "$root" /usr/bin/env -i
	    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
	# shellcheck disable=SC2054  # dialout,cellgate is one argument
	as_daemon=("${in_root[@]}" setpriv --reuid=_cellgate
	    --regid=_cellgate --groups=dialout,cellgate --no-new-privs --)
}
inroot() { "${in_root[@]}" "$@"; }

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds or the
# deadline passes
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}

# a few predicates for the checks below
absent() {	# absent PATH...: none of the paths exists in the root
	local f
	for f; do
		[ ! -e "$root$f" ] && [ ! -L "$root$f" ] || return 1
	done
}
not() { ! "$@"; }
quiet() { "$@" >/dev/null; }
system_id() { [ -n "$1" ] && [ "$1" -gt 0 ] && [ "$1" -lt 1000 ]; }
owner() { [ "$(inroot stat -c '%U:%G' "$1")" = "$2" ]; }
owner_mode() { [ "$(inroot stat -c '%U:%G %a' "$1")" = "$2" ]; }
pkg_status() {
	[ "$(inroot dpkg-query -W -f='${Status}' cellgate 2>/dev/null)" = "$1" ]
}
has_line() { grep -qxF -- "$2" "$root$1"; }

# ------------------------------------------------------- host prerequisites

[ "$(id -u)" -eq 0 ] || { echo "package: must run as root" >&2; exit 1; }
need git dpkg-dev debhelper lintian debootstrap systemd man-db util-linux \
    tar gzip systemd-container mosquitto python3
mkdir -p "$cache"
work=$(mktemp -d /var/tmp/cellgate-pkg.XXXXXX)
chmod 0755 "$work"

# ---------------------------------------------------------- 1. build + lint

say "1. dpkg-buildpackage -us -uc -b from a clean copy of the tracked tree"
mkdir "$work/src"
ls_files=(ls-files -z)
[ "${PKGTEST_INCLUDE_UNTRACKED:-0}" = 1 ] &&
    ls_files=(ls-files -z --cached --others --exclude-standard)
git -C "$top" "${ls_files[@]}" | tar -C "$top" --null -T - -cf - |
    tar -xf - -C "$work/src"
if ! (cd "$work/src" && dpkg-checkbuilddeps) >/dev/null 2>&1; then
	echo "package: installing the build dependencies"
	[ $apt_updated = 1 ] || apt-get update -qq
	apt_updated=1
	apt-get build-dep -y -qq --no-install-recommends "$work/src" \
	    >"$work/build-dep.log" 2>&1 ||
	    die "build dependencies install" "$work/build-dep.log"
fi
# nocheck: CI has already run the whole test suite (make check, the
# sanitizer build and distcheck) on this tree; running it again inside
# dpkg-buildpackage would only cost time.
if (cd "$work/src" && DEB_BUILD_OPTIONS=nocheck \
    dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	pass "dpkg-buildpackage -us -uc -b builds the package"
else
	die "dpkg-buildpackage -us -uc -b builds the package" "$work/build.log"
fi
deb=$(echo "$work"/cellgate_*.deb)
changes=$(echo "$work"/cellgate_*.changes)
[ -f "$deb" ] && [ -f "$changes" ] || die "one cellgate .deb and .changes"

say "lintian"
# Errors fail the test; warnings and info tags are printed (a warning that
# cannot be fixed is explained in the report, not overridden blindly).
lint_rc=0
lintian --display-info --pedantic --fail-on error "$changes" \
    >"$work/lintian.log" 2>&1 || lint_rc=$?
grep -v '^running with root privileges' "$work/lintian.log" || true
lint_e=$(grep -c '^E: ' "$work/lintian.log" || true)
lint_w=$(grep -c '^W: ' "$work/lintian.log" || true)
echo "lintian: $lint_e errors, $lint_w warnings"
check "lintian: no errors" test "$lint_rc" -eq 0 -a "$lint_e" -eq 0

# ------------------------------------------------------------ 2. the unit

say "2. systemd-analyze verify / security on systemd/cellgate.service"
unit=$work/src/systemd/cellgate.service
# The man pages named by Documentation= are resolved from the package just
# built.  The messages tolerated are about the unit's programs, which are
# not installed on the build host (they are checked in the root below).
verify_out=$(MANPATH=$work/src/debian/cellgate/usr/share/man \
    SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$unit" \
    "$work/src/systemd/cellgate-usb-reset@.service" \
    "$work/src/systemd/cellgate-ppp.service" 2>&1) || true
for prog in /usr/sbin/cellgated /usr/libexec/cellgate/cellgate-grant \
    /usr/libexec/cellgate/cellgate-usb-reset; do
	[ -e "$prog" ] && continue
	verify_out=$(grep -vE "^cellgate(-usb-reset@[a-z]*|-ppp)?\.service: Command $prog is not executable: No such file or directory\$" <<<"$verify_out" || true)
done
[ -z "$verify_out" ] || printf '%s\n' "$verify_out"
check "systemd-analyze verify: no complaints" [ -z "$verify_out" ]

security=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1 |
    grep 'Overall exposure level' || true)
echo "systemd-analyze security: ${security:-no score}"
# systemd's scale: PERFECT, SAFE, OK, MEDIUM, EXPOSED, UNSAFE
check "systemd-analyze security rates the unit OK or better" \
    grep -qE ': [0-9.]+ (PERFECT|SAFE|OK)' <<<"$security"

# ---------------------------------------------------- 3. the Debian 12 root

say "3. a clean Debian 12 root (debootstrap --variant=minbase $suite)"
# The mirror is the one the machine's apt uses for $suite: apt itself reads
# /etc/apt/sources.list and sources.list.d/ (one-line and deb822 formats);
# an entry may name the suite by codename or, once its Release file is
# known, as "oldstable" etc.
apt_sources() {	# URI|SUITE-AS-CONFIGURED|CODENAME|COMPONENT of the deb entries
	apt-get indextargets 'Created-By: Packages' --format \
	    '$(REPO_URI)|$(RELEASE)|$(CODENAME)|$(COMPONENT)|$(TARGET_OF)' |
	    awk -F'|' '$5 == "deb"' | sort -u
}
mirror=$(apt_sources | awk -F'|' -v s="$suite" '$2 == s || $3 == s {
    print $1; exit }')
[ -n "$mirror" ] || die "a Debian mirror for $suite in the apt sources"
echo "mirror: $mirror"
set_root "$work/root"
mkdir "$root"
tarball=$cache/$suite-minbase.tar.gz
exec 9>"$cache/lock"
flock -w 900 9 || die "lock $cache/lock"
if [ -f "$tarball" ] && [ "$(cat "$tarball.mirror" 2>/dev/null)" = "$mirror" ] &&
    [ -z "$(find "$tarball" -mtime +$cache_days)" ]; then
	echo "root: from the cache $tarball"
	tar -C "$root" --numeric-owner -xzpf "$tarball"
else
	echo "root: debootstrap --variant=minbase $suite $root $mirror"
	debootstrap --variant=minbase "$suite" "$root" "$mirror" \
	    >"$work/debootstrap.log" 2>&1 ||
	    die "debootstrap --variant=minbase $suite (mirror $mirror)" \
	    "$work/debootstrap.log"
	rm -f "$root"/var/cache/apt/archives/*.deb	# not worth caching
	tar -C "$root" --numeric-owner -czpf "$tarball.tmp" . &&
	    echo "$mirror" >"$tarball.mirror" && mv "$tarball.tmp" "$tarball"
fi
flock -u 9
pass "a clean Debian 12 root"

# Set the root up for apt and maintainer scripts: the host's apt sources
# for $suite (so the package's dependencies resolve to the versions it was
# built against), name resolution, no service starts (nothing runs systemd
# in the root anyway), and the mounts: /proc and a private /dev/pts (the
# simulator opens a pty; debootstrap made the other device nodes).
apt_sources | awk -F'|' -v s="$suite" '$2 == s || $3 == s ||
    index($2, s "-") == 1 || index($3, s "-") == 1 {
    print "deb " $1 " " $2 " " $4 }' >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts \
    "$root/dev/pts" && mounts+=("$root/dev/pts")
ln -sf pts/ptmx "$root/dev/ptmx"

# ------------------------------------------------------------- install

say "install: apt-get install ./$(basename "$deb") in the root"
mkdir -p "$cache/archives"
cp "$cache"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
cp "$deb" "$root/tmp/"
debname=/tmp/$(basename "$deb")
inroot apt-get update -qq >"$work/apt-update.log" 2>&1 ||
    die "apt-get update in the root" "$work/apt-update.log"
if inroot apt-get install -y --no-install-recommends "$debname" \
    >"$work/install.log" 2>&1; then
	pass "apt-get install installs the package and its dependencies"
else
	die "apt-get install installs the package and its dependencies" \
	    "$work/install.log"
fi
# keep exactly the dependencies this run used for the next run
flock -w 900 9 || die "lock $cache/lock"
rm -f "$cache"/archives/*.deb
cp "$root"/var/cache/apt/archives/*.deb "$cache/archives/" 2>/dev/null || true
flock -u 9

check "first installation prints how to set the passwords" \
    grep -q 'cellgatectl passwd superadmin' "$work/install.log"
check "dpkg: cellgate is installed" pkg_status "install ok installed"

say "files"
for f in /usr/sbin/cellgated /usr/bin/cellgatectl /usr/bin/cellgate-modemsim
do
	check "installed, executable: $f" test -x "$root$f"
done
for f in /usr/share/man/man8/cellgated.8.gz \
    /usr/share/man/man1/cellgatectl.1.gz \
    /usr/share/man/man1/cellgate-modemsim.1.gz \
    /usr/share/man/man5/cellgate.conf.5.gz \
    /usr/share/man/man7/cellgate-sms.7.gz \
    /lib/systemd/system/cellgate.service \
    /lib/systemd/system/cellgate-usb-reset@.service \
    /lib/systemd/system/cellgate-ppp.service \
    /usr/share/polkit-1/rules.d/60-cellgate.rules \
    /usr/libexec/cellgate/cellgate-grant \
    /usr/libexec/cellgate/cellgate-usb-reset \
    /usr/share/doc/cellgate/examples/60-cellgate.rules \
    /usr/share/bash-completion/completions/cellgatectl \
    /usr/lib/sysusers.d/cellgate.conf \
    /usr/lib/tmpfiles.d/cellgate.conf \
    /usr/share/doc/cellgate/copyright
do
	check "installed: $f" test -f "$root$f"
done
check "the installed unit is systemd/cellgate.service" \
    cmp -s "$root/lib/systemd/system/cellgate.service" "$unit"
check "the unit is enabled (multi-user.target.wants)" \
    test -L "$root/etc/systemd/system/multi-user.target.wants/cellgate.service"
for f in README.md modem.md bridge.md; do	# dh_compress: .gz when large
	check "installed as documentation: $f" \
	    test -f "$root/usr/share/doc/cellgate/$f" -o \
	    -f "$root/usr/share/doc/cellgate/$f.gz"
done
check "no udev rule is active by default (the example is opt-in)" \
    absent /lib/udev/rules.d/60-cellgate.rules
check "the example udev rule sets ID_MM_DEVICE_IGNORE for one serial" \
    grep -q 'ATTRS{serial}==.*ENV{ID_MM_DEVICE_IGNORE}="1"' \
    "$root/usr/share/doc/cellgate/examples/60-cellgate.rules"

say "user and groups"
IFS=: read -r u_name _ u_uid _ _ u_home u_shell \
    <<<"$(inroot getent passwd _cellgate || true)"
check "user _cellgate exists" [ "${u_name:-}" = _cellgate ]
check "_cellgate is a system user (uid ${u_uid:-none})" system_id "${u_uid:-}"
check "_cellgate has no login shell ($u_shell)" \
    grep -qE '^(/usr/sbin/nologin|/sbin/nologin|/bin/false|/usr/bin/false)$' \
    <<<"${u_shell:-}"
check "_cellgate's home is /var/lib/cellgate" [ "${u_home:-}" = /var/lib/cellgate ]
check "_cellgate's password is locked" \
    grep -qE '^_cellgate:[!*]' <<<"$(inroot getent shadow _cellgate || true)"
check "_cellgate's primary group is _cellgate" \
    [ "$(inroot id -gn _cellgate 2>/dev/null)" = _cellgate ]
check "_cellgate is a member of dialout" \
    grep -qw dialout <<<"$(inroot id -nG _cellgate 2>/dev/null)"
IFS=: read -r g_name _ g_gid _ <<<"$(inroot getent group cellgate || true)"
check "group cellgate exists" [ "${g_name:-}" = cellgate ]
check "cellgate is a system group (gid ${g_gid:-none})" system_id "${g_gid:-}"

say "configuration and state"
conf=/etc/cellgate/cellgate.conf
check "$conf is a conffile" grep -q "^ $conf [0-9a-f]\{32\}\$" \
    <<<"$(inroot dpkg-query -W -f='${Conffiles}\n' cellgate)"
check "$conf is root:root 644" owner_mode "$conf" "root:root 644"
# No secret is set in the shipped file: every pin/password/secret/token/key
# assignment is commented out.
no_secrets() {
	! grep -Ev '^[[:space:]]*(#|//)' "$root$conf" |
	    grep -Eiq '(pin|pass(word)?|secret|token|api_?key)[[:space:]]*[=:]'
}
check "$conf sets no secret" no_secrets
check "the installed daemon accepts the shipped configuration" \
    "${as_daemon[@]}" cellgated --check-config
check "/var/lib/cellgate is _cellgate:_cellgate 750" \
    owner_mode /var/lib/cellgate "_cellgate:_cellgate 750"
check "/run/cellgate is not shipped (RuntimeDirectory= makes it)" \
    absent /run/cellgate

# ------------------------------------------------- the installed daemon

say "the installed daemon, as _cellgate, against the installed simulator"
s=/tmp/cellgate-smoke
mkdir -p "$root$s"
inroot chown _cellgate:_cellgate "$s"
chmod 0755 "$root$s"
cat >"$root$s/cellgate.conf" <<CONF
# scratch configuration: the package's state directory, the rest here
modem = { device = "$s/modem"; baud = 115200; };
database = "/var/lib/cellgate/cellgate.db";
control = { socket = "$s/control.sock"; };
log = { level = "debug"; };
CONF
"${as_daemon[@]}" cellgate-modemsim --profile generic --link "$s/modem" \
    --control "$s/sim.sock" >"$work/sim.log" 2>&1 &
pids+=($!)
sim=$!
# (the link points at /dev/pts/N inside the root: test it from there)
check "cellgate-modemsim makes its pty link" \
    wait_for 10 inroot test -c "$s/modem"
"${as_daemon[@]}" cellgated -f -c "$s/cellgate.conf" >"$work/cellgated.log" 2>&1 &
pids+=($!)
daemon=$!
ctl() { inroot cellgatectl -s "$s/control.sock" "$@"; }
daemon_up() {	# poll until the daemon answers; give up if it died
	local deadline=$((SECONDS + 15))
	until ctl status >/dev/null 2>&1; do
		kill -0 "$daemon" 2>/dev/null || return 1
		[ $SECONDS -lt $deadline ] || return 1
		sleep 0.1
	done
}
# ctl_as USER ARGS...: cellgatectl as USER (with USER's groups)
ctl_as() {
	local user=$1
	shift
	inroot setpriv --reuid="$user" --regid="$user" --init-groups \
	    cellgatectl -s "$s/control.sock" "$@"
}
refused() {	# refused USER: the socket's permissions turn USER away
	local out
	out=$(ctl_as "$1" status 2>&1) && return 1
	grep -q 'Permission denied' <<<"$out"
}
if daemon_up; then
	pass "cellgatectl status answers"
	ctl status | sed 's/^/    /'
else
	fail "cellgatectl status answers"
	sed 's/^/    /' "$work/cellgated.log" | tail -n 30
fi
check "cellgatectl --json status has the modem" \
    grep -q '"modem"' <<<"$(ctl --json status 2>&1)"
check "cellgatectl at AT+VER answers +VER:" \
    grep -q '^+VER:' <<<"$(ctl at 'AT+VER' 2>&1)"
check "the control socket is _cellgate:cellgate 660" \
    owner_mode "$s/control.sock" "_cellgate:cellgate 660"
inroot useradd --no-create-home -G cellgate pkgtest-member
inroot useradd --no-create-home pkgtest-other
check "a member of group cellgate may use cellgatectl" \
    quiet ctl_as pkgtest-member status
check "a user outside group cellgate is refused" refused pkgtest-other
check "the daemon keeps its database in /var/lib/cellgate" \
    owner /var/lib/cellgate/cellgate.db _cellgate:_cellgate
kill -TERM "$daemon" 2>/dev/null || true	# (it may have died already)
rc=0
wait "$daemon" || rc=$?
check "cellgated exits 0 on SIGTERM (exit $rc)" [ "$rc" -eq 0 ] ||
    sed 's/^/    /' "$work/cellgated.log" | tail -n 30
kill -TERM "$sim" 2>/dev/null || true
wait "$sim" 2>/dev/null || true
pids=()
inroot userdel pkgtest-member
inroot userdel pkgtest-other

# ----------------------------------------------- reinstall and upgrade

say "reinstall over itself (dpkg -i the same .deb), conffile edited locally"
marker="# local change kept by the package test"
echo "$marker" >>"$root$conf"
uid_before=$u_uid
if inroot dpkg -i --force-confold "$debname" >"$work/reinstall.log" 2>&1
then
	pass "dpkg -i the same .deb again"
else
	fail "dpkg -i the same .deb again"
	tail -n 30 "$work/reinstall.log"
fi
check "dpkg: cellgate is installed" pkg_status "install ok installed"
check "the local change to $conf is kept" has_line "$conf" "$marker"
check "no .dpkg-dist/.dpkg-new beside the conffile" \
    absent "$conf.dpkg-dist" "$conf.dpkg-new"
check "reinstalling does not print the first-install message" \
    not grep -q 'cellgatectl passwd superadmin' "$work/reinstall.log"
check "_cellgate keeps its uid" \
    [ "$(inroot id -u _cellgate 2>/dev/null)" = "$uid_before" ]
check "the database is kept" test -f "$root/var/lib/cellgate/cellgate.db"
check "/var/lib/cellgate is still _cellgate:_cellgate 750" \
    owner_mode /var/lib/cellgate "_cellgate:_cellgate 750"

say "upgrade to a newer version whose shipped conffile changed"
# The same package repacked as version 0.1.0+pkgtest1 with one more line in
# the shipped conffile: both sides changed, so --force-confold keeps the
# local file and dpkg leaves the new one beside it as .dpkg-dist.
rp=$work/repack
dpkg-deb -R "$deb" "$rp"
old_version=$(dpkg-deb -f "$deb" Version)
sed -i "s/^Version: .*/Version: $old_version+pkgtest1/" "$rp/DEBIAN/control"
echo "# shipped by the newer package" >>"$rp$conf"
sed -i "s|^[0-9a-f]\{32\}  ${conf#/}\$|$(md5sum <"$rp$conf" | cut -d' ' -f1)  ${conf#/}|" \
    "$rp/DEBIAN/md5sums"
dpkg-deb --root-owner-group -b "$rp" "$root/tmp/cellgate-newer.deb" >/dev/null
if inroot dpkg -i --force-confold /tmp/cellgate-newer.deb \
    >"$work/upgrade.log" 2>&1; then
	pass "dpkg -i --force-confold upgrades to $old_version+pkgtest1"
else
	fail "dpkg -i --force-confold upgrades to $old_version+pkgtest1"
	tail -n 30 "$work/upgrade.log"
fi
check "dpkg: version $old_version+pkgtest1 installed" \
    [ "$(inroot dpkg-query -W -f='${Version}' cellgate)" = "$old_version+pkgtest1" ]
check "the local change to $conf is kept" has_line "$conf" "$marker"
check "the new shipped conffile is left as $conf.dpkg-dist" \
    has_line "$conf.dpkg-dist" "# shipped by the newer package"
rm -f "$root$conf.dpkg-dist"
check "the database is kept" test -f "$root/var/lib/cellgate/cellgate.db"

# ------------------------------------------------------ remove and purge

say "apt-get remove"
if inroot apt-get remove -y cellgate >"$work/remove.log" 2>&1; then
	pass "apt-get remove cellgate"
else
	fail "apt-get remove cellgate"
	tail -n 30 "$work/remove.log"
fi
check "dpkg: only the configuration files are left" \
    pkg_status "deinstall ok config-files"
for f in /usr/sbin/cellgated /usr/bin/cellgatectl /usr/bin/cellgate-modemsim \
    /lib/systemd/system/cellgate.service \
    /usr/share/man/man8/cellgated.8.gz /usr/lib/sysusers.d/cellgate.conf
do
	check "removed: $f" absent "$f"
done
check "the conffile stays, with the local change" has_line "$conf" "$marker"
check "/var/lib/cellgate stays, with the database" \
    test -f "$root/var/lib/cellgate/cellgate.db"

say "apt-get purge"
if inroot apt-get purge -y cellgate >"$work/purge.log" 2>&1; then
	pass "apt-get purge cellgate"
else
	fail "apt-get purge cellgate"
	tail -n 30 "$work/purge.log"
fi
check "dpkg: cellgate is gone" \
    [ -z "$(inroot dpkg-query -W -f='${Status}' cellgate 2>/dev/null |
    grep -v 'not-installed')" ]
check "purged: /etc/cellgate" absent /etc/cellgate
check "purged: /var/lib/cellgate" absent /var/lib/cellgate
# Anything else named after the package (an enablement symlink, a dpkg or
# deb-systemd-helper state file, ...) is a leftover.  /tmp holds the test's
# own files; /proc and /dev are mounts.
leftovers=$(cd "$root" && find . -xdev \( -path ./proc -o -path ./dev \
    -o -path ./tmp \) -prune -o -name '*cellgate*' -print)
[ -z "$leftovers" ] || sed 's/^/    left over: /' <<<"$leftovers"
check "nothing named *cellgate* is left in the root" [ -z "$leftovers" ]
# debhelper's sysusers integration only creates: no maintainer script
# removes the user or the groups (Debian leaves system users in place on
# purge, so files they owned elsewhere never get a reused uid).
check "the system user _cellgate stays after purge (debhelper sysusers)" \
    inroot getent passwd _cellgate
check "the group cellgate stays after purge" inroot getent group cellgate

# ------------------------------------------- 4. booted under real systemd

say "4. booted under systemd (systemd-nspawn --register=no --keep-unit -b)"
# A second clean root from the cached tarball, with systemd-sysv, dbus and
# polkitd, the .deb installed by apt, and the test's configuration: the
# simulator as a unit of its own (so it outlives the daemon's restarts),
# a pty data port, REBOOT# through logind, a shorter watchdog.  The checks
# are tests/package/boot_test.py's (run on the host, against the booted
# container); it exits 77 where nspawn cannot boot, which fails this test
# when it runs as root (CI).
boot_pkgs=(systemd-sysv dbus polkitd)
broot=$work/boot
mkdir "$broot"
tar -C "$broot" --numeric-owner -xzpf "$tarball"
cp "$root/etc/apt/sources.list" "$broot/etc/apt/sources.list"
cp -L /etc/resolv.conf "$broot/etc/resolv.conf"
mkdir -p "$cache/boot-archives"
cp "$cache"/boot-archives/*.deb "$broot/var/cache/apt/archives/" \
    2>/dev/null || true
cp "$deb" "$broot/tmp/"
in_boot=(chroot "$broot" /usr/bin/env -i
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive)
mount -t proc proc "$broot/proc" && mounts+=("$broot/proc")
printf '#!/bin/sh\nexit 101\n' >"$broot/usr/sbin/policy-rc.d"
chmod 0755 "$broot/usr/sbin/policy-rc.d"
if "${in_boot[@]}" apt-get update -qq >"$work/boot-apt.log" 2>&1 &&
    "${in_boot[@]}" apt-get install -y --no-install-recommends \
    "${boot_pkgs[@]}" "$debname" >>"$work/boot-apt.log" 2>&1; then
	pass "the root for booting: ${boot_pkgs[*]} and the .deb installed"
else
	fail "the root for booting: ${boot_pkgs[*]} and the .deb installed"
	tail -n 30 "$work/boot-apt.log"
fi
flock -w 900 9 || die "lock $cache/lock"
rm -f "$cache"/boot-archives/*.deb
cp "$broot"/var/cache/apt/archives/*.deb "$cache/boot-archives/" \
    2>/dev/null || true
flock -u 9
umount "$broot/proc" && unset 'mounts[${#mounts[@]}-1]'
rm -f "$broot/usr/sbin/policy-rc.d"
cat >"$broot/etc/cellgate/cellgate.conf" <<'CONF'
# the package test's configuration (tests/package/boot_test.py)
modem = { device = "/run/modemsim/modem.link"; signal_poll = 60; };
data_port = { pty = "/run/cellgate/data"; };
system = { reboot_command = "logind"; };
cloud = { enable = true; id = "boot"; password = "boot-pw";
    server = "127.0.0.1:@BROKER_PORT@"; };
log = { level = "debug"; };
CONF
cat >"$broot/etc/systemd/system/cellgate-modemsim.service" <<'UNIT'
[Unit]
Description=simulated modem for the package test
Before=cellgate.service

[Service]
User=_cellgate
RuntimeDirectory=modemsim
RuntimeDirectoryMode=0755
ExecStart=/usr/bin/cellgate-modemsim --profile generic --link /run/modemsim/modem.link --control /run/modemsim/sim.sock
UNIT
mkdir -p "$broot/etc/systemd/system/cellgate.service.d"
cat >"$broot/etc/systemd/system/cellgate.service.d/pkgtest.conf" <<'UNIT'
[Unit]
Wants=cellgate-modemsim.service
After=cellgate-modemsim.service

[Service]
WatchdogSec=6
RestartSec=1
UNIT
# the container shares the host's network: no network setup of its own
for u in systemd-networkd.service systemd-resolved.service \
    systemd-timesyncd.service; do
	ln -sf /dev/null "$broot/etc/systemd/system/$u"
done
echo "cellgate-pkgtest" >"$broot/etc/hostname"
boot_rc=0
# (cellgatectl from the package just built, to talk to the container)
CG_BUILDDIR=$work/src/debian/cellgate/usr/bin \
    python3 "$top/tests/package/boot_test.py" "$broot" \
    >"$work/boot.log" 2>&1 || boot_rc=$?
sed 's/^/    /' "$work/boot.log"
while read -r line; do
	case $line in
	"ok - "*) pass "boot: ${line#ok - }" ;;
	"not ok - "*) fail "boot: ${line#not ok - }" ;;
	esac
done <"$work/boot.log"
if [ "$boot_rc" -eq 77 ]; then
	# run.sh runs as root: a skip here means the test did not run
	fail "boot: skipped (77) although run as root"
elif [ "$boot_rc" -ne 0 ]; then
	fail "boot: boot_test.py exited with $boot_rc"
fi

summary
[ "$failed" -eq 0 ]
