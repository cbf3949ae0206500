#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the list of profile entries and its documentation agree.
#  1. docs/profiles.md holds the table `gupsim versions --entries` prints
#     (between the "entries:begin" and "entries:end" markers), so the
#     table in the docs is the one in the code;
#  2. every entry is asked for somewhere (kernel_has(NAME) or
#     profile_has(p, NAME)): an entry no code asks about would claim a
#     behaviour change the model does not make.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
doc=$top/docs/profiles.md
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "1..2"
"$gupsim" versions --entries >"$tmp/code" 2>&1
sed -n '/<!-- entries:begin -->/,/<!-- entries:end -->/p' "$doc" |
	sed '1d;$d' >"$tmp/doc"
if diff -u "$tmp/doc" "$tmp/code" >"$tmp/diff"; then
	echo "ok 1 - docs/profiles.md shows the entries of the code"
else
	echo "not ok 1 - docs/profiles.md differs from gupsim versions --entries"
	sed 's/^/#   /' "$tmp/diff" | head -n 40
fi

names=$(sed -n 's/^| [0-9.]* | \([A-Z0-9_]*\) |.*/\1/p' "$tmp/code")
unused=
for n in $names; do
	grep -rqE "(kernel_has\(|profile_has\([^,]*, *)$n\)" \
		"$top/mm" "$top/drivers" "$top/backend" "$top/scenario" \
		"$top/cmd" || unused="$unused $n"
done
if [ -z "$unused" ] && [ -n "$names" ]; then
	echo "ok 2 - every entry is asked for by the code"
else
	echo "not ok 2 - entries no code asks for:$unused"
fi
