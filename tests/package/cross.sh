#!/bin/bash
# tests/package/cross.sh: the Raspberry Pi builds.  Run as root on a
# Debian 12 machine (CI runs it from .ci/run, after tests/package/run.sh,
# whose cached bookworm root it reuses):
#
#   in a clean bookworm root with the foreign architectures added (so the
#   host's own -dev packages are never touched: Debian 12's arm64 -dev
#   packages cannot be installed beside the amd64 ones), for arm64 and
#   armhf in turn:
#   1. apt-get build-dep -a ARCH -Pcross,nocheck resolves the source
#      package's Build-Depends (test-only ones are <!nocheck>) and
#      installs them;
#   2. dpkg-buildpackage -a ARCH -Pcross,nocheck -us -uc -b builds the
#      .deb, whose daemon is an ARCH binary;
#   3. the unit tests, cross-built (./configure --host), run under
#      qemu-user (qemu-aarch64-static, qemu-arm-static) against the ARCH
#      libraries of the root.
#   Prints a PASS/FAIL line per check, the time of each step and
#   "cross: N passed, N failed"; exits non-zero if anything failed.
#
# Environment: CELLGATE_CI_CACHE (as run.sh: the root tarball and the
# downloaded .debs are kept there), PKGTEST_INCLUDE_UNTRACKED=1 (also copy
# untracked files), CROSS_ARCHS (default "arm64 armhf").
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
suite=bookworm
cache=${CELLGATE_CI_CACHE:-/var/cache/cellgate-ci}
tarball=$cache/$suite-minbase.tar.gz
archs=${CROSS_ARCHS:-arm64 armhf}
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8
start=$SECONDS
passed=0
failed=0
work=""
mounts=()

say() { printf '\n== %s  [%ss]\n' "$*" $((SECONDS - start)); }
pass() { passed=$((passed + 1)); printf 'PASS: %s\n' "$1"; }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$1"; }
summary() {
	printf '\ncross: total time %ss\n' $((SECONDS - start))
	printf 'cross: %d passed, %d failed\n' "$passed" "$failed"
}
show() { [ -f "$1" ] && { echo "---- last lines of $1"; tail -n 40 "$1"; }; }

cleanup() {
	local i
	for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
		umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" ||
		    true
	done
	[ -n "$work" ] && [ -d "$work" ] || return 0
	if grep -qF " $work/" /proc/self/mounts; then
		echo "cross: mounts left under $work, not removing it" >&2
	else
		rm -rf --one-file-system "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "cross: must run as root" >&2; exit 1; }
if [ ! -f "$tarball" ]; then
	echo "cross: no cached root $tarball: run tests/package/run.sh first" >&2
	exit 1
fi
work=$(mktemp -d /var/tmp/cellgate-cross.XXXXXX)
root=$work/root
mkdir "$root"
inroot() {
	chroot "$root" /usr/bin/env -i \
	    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

say "a clean $suite root with the foreign architectures"
tar -C "$root" --numeric-owner -xzpf "$tarball"
mirror=$(cat "$tarball.mirror")
printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" \
    "$mirror" "$suite" >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc" && mounts+=("$root/proc")
# a private /dev/pts: the modem's unit tests open ptys
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts \
    "$root/dev/pts" && mounts+=("$root/dev/pts")
ln -sf pts/ptmx "$root/dev/ptmx"
# /tmp on tmpfs: a 32-bit program under qemu-user reads directories of a
# 64-bit-hash file system (ext4) with EOVERFLOW; the unit tests' scratch
# trees (a fake sysfs) are made there
mount -t tmpfs tmpfs "$root/tmp" && mounts+=("$root/tmp")
mkdir -p "$cache/cross-archives"
cp "$cache"/cross-archives/*.deb "$root/var/cache/apt/archives/" \
    2>/dev/null || true
for a in $archs; do inroot dpkg --add-architecture "$a"; done
crossgcc=()
for a in $archs; do crossgcc+=("crossbuild-essential-$a"); done
t0=$SECONDS
if inroot apt-get update -qq >"$work/apt.log" 2>&1 &&
    inroot apt-get install -y -qq --no-install-recommends build-essential \
    dpkg-dev debhelper autoconf automake qemu-user-static file \
    "${crossgcc[@]}" >>"$work/apt.log" 2>&1; then
	pass "cross toolchains and qemu-user installed ($((SECONDS - t0))s)"
else
	fail "cross toolchains and qemu-user installed"
	show "$work/apt.log"
	summary
	exit 1
fi

mkdir "$root/src"
ls_files=(ls-files -z)
[ "${PKGTEST_INCLUDE_UNTRACKED:-0}" = 1 ] &&
    ls_files=(ls-files -z --cached --others --exclude-standard)
git -C "$top" "${ls_files[@]}" | tar -C "$top" --null -T - -cf - |
    tar -xf - -C "$root/src"
units=$(grep -ho 'tests/unit/test_[a-z0-9_]*' "$root"/src/tests/unit/unit.am \
    "$root"/src/src/*/*.am | sort -u | tr '\n' ' ')

for a in $archs; do
	case $a in
	arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64-static ;;
	armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm-static ;;
	*) fail "$a: unknown architecture"; continue ;;
	esac
	say "$a: build dependencies (apt-get build-dep -a $a -Pcross,nocheck)"
	t0=$SECONDS
	if inroot apt-get build-dep -y -qq --no-install-recommends -a "$a" \
	    -Pcross,nocheck /src >"$work/bd-$a.log" 2>&1; then
		pass "$a: the Build-Depends resolve and install ($((SECONDS - t0))s)"
	else
		fail "$a: the Build-Depends resolve and install"
		show "$work/bd-$a.log"
		continue
	fi

	say "$a: dpkg-buildpackage -a $a -Pcross,nocheck"
	rm -rf "$root/build-$a"
	cp -a "$root/src" "$root/build-$a"
	t0=$SECONDS
	if inroot sh -c "cd /build-$a && dpkg-buildpackage -a $a \
	    -Pcross,nocheck -us -uc -b" >"$work/build-$a.log" 2>&1; then
		pass "$a: dpkg-buildpackage builds the package ($((SECONDS - t0))s)"
	else
		fail "$a: dpkg-buildpackage builds the package"
		show "$work/build-$a.log"
		continue
	fi
	deb=$(echo "$root"/cellgate_*_"$a".deb)
	if [ -f "$deb" ] &&
	    [ "$(dpkg-deb -f "$deb" Architecture)" = "$a" ] &&
	    dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/sbin/cellgated |
	    file - | grep -q "ELF.*$( [ "$a" = arm64 ] && echo aarch64 || echo ARM)"
	then
		pass "$a: the .deb holds an $a cellgated"
	else
		fail "$a: the .deb holds an $a cellgated"
	fi
	rm -f "$root"/cellgate_*"_$a".* "$root"/cellgate-dbgsym_*"_$a".*
	rm -rf "$root/unit-$a"

	say "$a: unit tests cross-built, run under $qemu"
	t0=$SECONDS
	rm -rf "$root/build-$a" "$root/unit-$a"
	cp -a "$root/src" "$root/unit-$a"
	if inroot apt-get install -y -qq --no-install-recommends \
	    "libcmocka-dev:$a" >>"$work/bd-$a.log" 2>&1 &&
	    inroot sh -c "cd /unit-$a &&
	    autoreconf -fi && ./configure --host=$triplet &&
	    make -j$(nproc) check TESTS='$units' LOG_COMPILER=$qemu" \
	    >"$work/unit-$a.log" 2>&1; then
		n=$(sed -n 's/^# PASS: *//p' "$root/unit-$a/test-suite.log" |
		    head -1)
		pass "$a: $n unit tests pass under $qemu ($((SECONDS - t0))s)"
	else
		fail "$a: unit tests under $qemu"
		show "$work/unit-$a.log"
		grep -l '^:test-result: FAIL' "$root/unit-$a"/tests/unit/*.trs \
		    2>/dev/null | while read -r t; do show "${t%.trs}.log"; done
	fi
done

# keep the downloaded packages for the next run
rm -f "$cache"/cross-archives/*.deb
cp "$root"/var/cache/apt/archives/*.deb "$cache/cross-archives/" \
    2>/dev/null || true

summary
[ "$failed" -eq 0 ]
