#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every scenario listed in tests/scenarios/PASSING (one file name a
# line; all of tests/scenarios/*.scn when the list is absent) must run
# with exit status 0: every expectation held, the model's invariants held
# and nothing leaked. GUPSIM_ALL=1 runs every scenario regardless.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ -f "$dir/PASSING" ] && [ -z "$GUPSIM_ALL" ]; then
	list=$(grep -v '^#' "$dir/PASSING" | grep -v '^$')
else
	list=$(cd "$dir" && ls *.scn)
fi
n=$(echo "$list" | grep -c .)
echo "1..$n"
i=0
for name in $list; do
	i=$((i + 1))
	(cd "$dir" && timeout 60 "$gupsim" run --quiet "$name" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - $name"
	else
		echo "not ok $i - $name (exit $rc)"
		sed 's/^/#   /' "$tmp/err" "$tmp/out" | head -n 30
	fi
done
