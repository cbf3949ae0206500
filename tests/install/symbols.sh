#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: libgupsim.so exports the public API and nothing else. What the
# headers declare (functions, as gcc -aux-info lists them, and extern
# variables) must be exactly what `nm -D` shows defined; its soname is
# libgupsim.so.MAJOR of VERSION.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${GUPSIM_BUILD:-$top/build}
cc=${CC:-cc}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

version=$(cat "$top/VERSION")
so=$build/libgupsim.so.$version
echo "1..3"
if [ ! -e "$so" ] || ! command -v nm >/dev/null 2>&1; then
	for i in 1 2 3; do echo "not ok $i - $so and nm are there"; done
	exit 0
fi

# What the headers declare.
for h in "$top"/include/gupsim/*.h; do
	echo "#include <gupsim/$(basename "$h")>"
done >"$tmp/all.c"
"$cc" -std=gnu11 -I"$top/include" -I"$build/include" -fsyntax-only \
	-aux-info "$tmp/aux" "$tmp/all.c"
grep 'include/gupsim/' "$tmp/aux" | grep -v '\*/ static ' |
	sed -E 's/^[^*]*\*\/ //; s/ \(.*$//; s/^.*[ *]//' >"$tmp/want"
sed -n 's/^extern .*[ *]\([A-Za-z_][A-Za-z0-9_]*\)\(\[\]\)\{0,1\};$/\1/p' \
	"$top"/include/gupsim/*.h >>"$tmp/want"
sort -u "$tmp/want" -o "$tmp/want"

nm -D --defined-only "$so" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
	sort -u >"$tmp/have"

extra=$(comm -13 "$tmp/want" "$tmp/have")
missing=$(comm -23 "$tmp/want" "$tmp/have")
if [ -z "$extra" ]; then
	echo "ok 1 - nm -D shows only symbols the public headers declare ($(wc -l <"$tmp/have"))"
else
	echo "not ok 1 - nm -D shows only symbols the public headers declare"
	echo "$extra" | sed 's/^/#   exported, not public: /'
fi
if [ -z "$missing" ]; then
	echo "ok 2 - every declared symbol is exported ($(wc -l <"$tmp/want"))"
else
	echo "not ok 2 - every declared symbol is exported"
	echo "$missing" | sed 's/^/#   declared, not exported: /'
fi
soname=$(readelf -d "$so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ "$soname" = "libgupsim.so.${version%%.*}" ]; then
	echo "ok 3 - soname $soname"
else
	echo "not ok 3 - soname '$soname' is libgupsim.so.${version%%.*}"
fi
