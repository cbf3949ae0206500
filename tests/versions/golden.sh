#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `gupsim versions` of every scenario in tests/scenarios/versions/
# must print exactly its checked-in table, tests/versions/golden/NAME.txt:
# a change of behaviour at some release shows as a diff of that table.
# After a deliberate change, regenerate with `tests/versions/golden.sh
# --update` and review the diff before committing it.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

list=$(cd "$dir" && ls versions/*.scn)
echo "1..$(echo "$list" | grep -c .)"
i=0
for name in $list; do
	i=$((i + 1))
	golden=$here/golden/$(basename "$name" .scn).txt
	(cd "$dir" && timeout 120 "$gupsim" versions "$name" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ "$1" = --update ] && [ $rc -eq 0 ]; then
		cp "$tmp/out" "$golden"
	fi
	if [ $rc -ne 0 ]; then
		echo "not ok $i - $name (gupsim versions exit $rc)"
		sed 's/^/#   /' "$tmp/err" | head -n 30
	elif ! [ -f "$golden" ]; then
		echo "not ok $i - $name (no golden table $golden)"
	elif diff -u "$golden" "$tmp/out" >"$tmp/diff"; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name (the table changed)"
		sed 's/^/#   /' "$tmp/diff" | head -n 40
	fi
done
