#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every driver scenario (tests/scenarios/drivers/*.scn) runs with exit
# status 0: every expectation held, the model's invariants held at the
# end, every driver registration was released and nothing leaked.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios/drivers
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

list=$(cd "$dir" && ls *.scn)
n=$(echo "$list" | grep -c .)
echo "1..$n"
i=0
for name in $list; do
	i=$((i + 1))
	(cd "$dir" && timeout 60 "$gupsim" run --quiet "$name" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - drivers/$name"
	else
		echo "not ok $i - drivers/$name (exit $rc)"
		sed 's/^/#   /' "$tmp/err" "$tmp/out" | head -n 30
	fi
done
