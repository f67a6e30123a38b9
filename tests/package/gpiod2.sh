#!/bin/bash
# tests/package/gpiod2.sh: build cellgate against libgpiod 2.x and run the
# io module's tests there.  This machine is Debian 12 (libgpiod 1.6, the
# v1 API); Debian 13 (trixie) ships libgpiod 2.x (libgpiod3, the v2 API).
# Run as root: a Debian 13 root made with debootstrap (cached as a tarball
# in $CELLGATE_CI_CACHE, default /var/cache/cellgate-ci, like run.sh's
# Debian 12 root) gets the build dependencies; a copy of the tracked tree
# is configured there (config.h must say HAVE_GPIOD_API 2, so
# src/io/io_gpio_v2.c is built), built warning-free, and the io tests
# run: the unit tests (including the real v2 backend's lookup and error
# paths), the fuzz harness and the SMS integration test.  gpio-sim needs
# the host kernel's configfs, so test_io_gpiosim.py skips where it is
# missing.  Prints PASS/FAIL lines and "gpiod2: N passed, N failed".
#
# Environment: CELLGATE_CI_CACHE, GPIOD2_KEEP=1 keeps the scratch root.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
suite=trixie
cache=${CELLGATE_CI_CACHE:-/var/cache/cellgate-ci}
mirror=${GPIOD2_MIRROR:-http://deb.debian.org/debian}
deps=build-essential,autoconf,automake,libtool,pkgconf,libgpiod-dev,\
libevent-dev,libserialport-dev,libconfig-dev,libsqlite3-dev,\
libcurl4-openssl-dev,libjson-c-dev,libsystemd-dev,libcrypt-dev,\
libcmocka-dev,libmosquitto-dev,python3
export LC_ALL=C.UTF-8
passed=0
failed=0
mounts=()

pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$1"; }
not_grep() { ! grep -q "$@"; }
check() { local d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[$i]}" 2>/dev/null || true
	done
	[ "${GPIOD2_KEEP:-0}" = 1 ] || rm -rf "$work"
}

[ "$(id -u)" -eq 0 ] || { echo "gpiod2: must run as root" >&2; exit 1; }
command -v debootstrap >/dev/null ||
    apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
mkdir -p "$cache"
work=$(mktemp -d /tmp/cellgate-gpiod2.XXXXXX)
trap cleanup EXIT
root=$work/root
mkdir "$root"
tarball=$cache/$suite-gpiod2.tar.gz
exec 9>"$cache/lock"
flock -w 900 9
if [ -f "$tarball" ] && [ "$(cat "$tarball.mirror" 2>/dev/null)" = "$mirror" ] &&
    [ -z "$(find "$tarball" -mtime +30)" ]; then
	echo "root: from the cache $tarball"
	tar -C "$root" --numeric-owner -xzpf "$tarball"
else
	echo "root: debootstrap --variant=minbase $suite (with the build deps)"
	debootstrap --variant=minbase --include="$deps" "$suite" "$root" \
	    "$mirror" >"$work/debootstrap.log" 2>&1 ||
	    { tail -20 "$work/debootstrap.log"; exit 1; }
	rm -f "$root"/var/cache/apt/archives/*.deb
	tar -C "$root" --numeric-owner -czpf "$tarball.tmp" . &&
	    echo "$mirror" >"$tarball.mirror" && mv "$tarball.tmp" "$tarball"
fi
flock -u 9
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts \
    "$root/dev/pts" && mounts+=("$root/dev/pts")
ln -sf pts/ptmx "$root/dev/ptmx"
in_root=(chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
    HOME=/root LC_ALL=C.UTF-8)

mkdir "$root/src"
git -C "$top" ls-files -z | (cd "$top" && xargs -0 tar -cf - --no-recursion) |
    tar -C "$root/src" -xf -
ver=$("${in_root[@]}" dpkg-query -W -f='${Version}' libgpiod-dev)
echo "libgpiod-dev $ver"
check "libgpiod 2.x in the root ($ver)" test "${ver%%.*}" -ge 2
check "configure" "${in_root[@]}" sh -c 'cd /src && autoreconf -fi \
    >/tmp/autoreconf.log 2>&1 && ./configure -q >/tmp/configure.log 2>&1'
check "config.h: HAVE_GPIOD_API 2" grep -q '^#define HAVE_GPIOD_API 2' \
    "$root/src/config.h"
check "build" "${in_root[@]}" sh -c 'cd /src && make -j"$(nproc)" \
    >/tmp/build.log 2>&1'
check "build without warnings" not_grep warning "$root/tmp/build.log"
check "io_gpio_v2.o built, not v1" test -f \
    "$root/src/src/io/libcgcore_a-io_gpio_v2.o" -a ! -f \
    "$root/src/src/io/libcgcore_a-io_gpio_v1.o"
tests="tests/unit/test_io tests/unit/test_io_gpio tests/unit/test_conf"
tests="$tests tests/fuzz/run_io.sh tests/integration/test_io.py"
tests="$tests tests/integration/test_io_gpiosim.py"
"${in_root[@]}" sh -c "cd /src && make -j\"\$(nproc)\" check \
    TESTS='$tests' >/tmp/check.log 2>&1" || true
for t in $tests; do
	r=$(grep -E "^(PASS|FAIL|SKIP|ERROR): $t\$" "$root/tmp/check.log" |
	    cut -d: -f1 || true)
	case $r in
	PASS|SKIP) pass "$t: $r" ;;
	*) fail "$t: ${r:-not run}"
	   tail -30 "$root/src/$t.log" 2>/dev/null || true ;;
	esac
done
printf 'gpiod2: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
