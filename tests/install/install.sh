#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `make install` into a temporary DESTDIR (never the real system),
# then what a user of the installed tree does: the installed gupsim runs,
# pkg-config finds gupsim (PKG_CONFIG_SYSROOT_DIR points it into the
# DESTDIR), the installed example builds with nothing but pkg-config,
# shared and static, and its test passes; the man pages format cleanly;
# `make uninstall` takes every file away again.
# In a sanitizer build the example is built with the same sanitizer (a
# sanitized library needs its runtime first) and the static variant is
# skipped: the sanitizers have no fully static runtime.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${GUPSIM_BUILD:-$top/build}
case $build in "$top"/*) build=${build#"$top"/} ;; esac
version=$(cat "$top/VERSION")
prefix=/usr/local
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/dest
# The outer make's jobserver and command line are not ours.
unset MAKEFLAGS MFLAGS MAKELEVEL

echo "1..9"
if ! command -v pkg-config >/dev/null 2>&1; then
	for i in 1 2 3 4 5 6 7 8 9; do echo "ok $i # SKIP no pkg-config"; done
	exit 0
fi

i=0
# result NAME: prints the TAP line for the last command's status, and on
# failure the start of $tmp/log.
result() {
	rc=$?
	i=$((i + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $i - $1"
	else
		echo "not ok $i - $1"
		sed 's/^/#   /' "$tmp/log" | head -n 30
	fi
}

make -C "$top" --no-print-directory -s install BUILD="$build" \
	OPT="${GUPSIM_OPT:--O2 -g}" EXTRA_CFLAGS="$GUPSIM_EXTRA_CFLAGS" \
	EXTRA_LDLIBS="$GUPSIM_EXTRA_LDLIBS" DESTDIR="$dest" prefix=$prefix >"$tmp/log" 2>&1
result "make install DESTDIR=... prefix=$prefix"

lib=$dest$prefix/lib
missing=""
for f in bin/gupsim lib/libgupsim.a lib/libgupsim.so.$version \
	 lib/libgupsim.so.${version%%.*} lib/libgupsim.so \
	 lib/pkgconfig/gupsim.pc include/gupsim/gup.h \
	 include/gupsim/machine.h include/gupsim/driver.h \
	 include/gupsim/types.h include/gupsim/version.h \
	 share/man/man1/gupsim.1 share/man/man3/gupsim.3 \
	 share/man/man5/gupsim-scenario.5 \
	 share/bash-completion/completions/gupsim \
	 share/doc/gupsim/examples/memreg/Makefile; do
	[ -e "$dest$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] >"$tmp/log" 2>&1 || echo "missing:$missing" >"$tmp/log"
[ -z "$missing" ]
result "the installed tree has every file"

{ "$dest$prefix/bin/gupsim" --version | grep -qx "gupsim $version" &&
  "$dest$prefix/bin/gupsim" demo --print |
	"$dest$prefix/bin/gupsim" run --quiet -; } >"$tmp/log" 2>&1
result "installed gupsim: --version says $version, runs the demo from stdin"

export PKG_CONFIG_SYSROOT_DIR="$dest"
export PKG_CONFIG_PATH="$lib/pkgconfig"
[ "$(pkg-config --modversion gupsim 2>"$tmp/log")" = "$version" ]
result "pkg-config --modversion gupsim is $version"

# example VAR=VALUE...: builds a fresh copy of the installed example, with
# those variables in make's environment (so the example's Makefile still
# adds its own flags), and runs its test.
example() {
	rm -rf "$tmp/ex" && cp -R "$dest$prefix/share/doc/gupsim/examples/memreg" "$tmp/ex" &&
	env "$@" make -C "$tmp/ex" --no-print-directory -s >"$tmp/log" 2>&1 &&
	LD_LIBRARY_PATH="$lib" "$tmp/ex/test_memreg" >>"$tmp/log" 2>&1
}

san=""
case $GUPSIM_EXTRA_CFLAGS in *-fsanitize=*) san=1 ;; esac
if example CFLAGS="-O1 -g $GUPSIM_EXTRA_CFLAGS" LDFLAGS="$GUPSIM_EXTRA_LDLIBS" &&
   readelf -d "$tmp/ex/test_memreg" | grep -q 'NEEDED.*libgupsim\.so\.'; then
	true
else
	false
fi
result "example (shared): builds with pkg-config alone, its test passes"

if [ -n "$san" ]; then
	i=$((i + 1))
	echo "ok $i # SKIP static example: sanitizer build"
else
	example STATIC=1 && ! readelf -d "$tmp/ex/test_memreg" 2>/dev/null | grep -q NEEDED
	result "example (static): builds with pkg-config --static, its test passes"
fi

: >"$tmp/log"
if command -v man >/dev/null 2>&1; then
	for m in man1/gupsim.1 man3/gupsim.3 man5/gupsim-scenario.5; do
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 \
			-l -Tutf8 -Z "$dest$prefix/share/man/$m" 2>>"$tmp/log" >/dev/null
	done
	[ ! -s "$tmp/log" ]
	result "man pages format without warnings"
else
	i=$((i + 1))
	echo "ok $i # SKIP no man"
fi

make -C "$top" --no-print-directory -s uninstall BUILD="$build" \
	OPT="${GUPSIM_OPT:--O2 -g}" EXTRA_CFLAGS="$GUPSIM_EXTRA_CFLAGS" \
	EXTRA_LDLIBS="$GUPSIM_EXTRA_LDLIBS" DESTDIR="$dest" prefix=$prefix >"$tmp/log" 2>&1 &&
	[ -z "$(find "$dest" ! -type d)" ] >>"$tmp/log" 2>&1 ||
	find "$dest" ! -type d >>"$tmp/log"
[ -z "$(find "$dest" ! -type d)" ]
result "make uninstall removes every file"

# dpkg-parsechangelog is not needed: the first line says the version.
sed -n '1s/^gupsim (\([^)]*\)).*/\1/p' "$top/debian/changelog" >"$tmp/log"
[ "$(cat "$tmp/log")" = "$version" ]
result "debian/changelog is at VERSION ($version)"
