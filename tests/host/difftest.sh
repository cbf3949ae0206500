#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `gupsim diff` over every scenario in tests/scenarios (recursively,
# but not bad/, whose files must not parse): every statement the host
# kernel runs must agree with the model. What the host lacks (io_uring,
# huge pages, a disk filesystem, privileges) is skipped by the backend
# with the reason, never failed. A disagreement listed in
# tests/host/known-differences is reported as TODO. A file that does not
# parse belongs to run-good/run-bad, and is skipped here.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios
known=$here/known-differences
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ "$(uname -s)" != Linux ]; then
	echo "1..0 # SKIP the host backend needs Linux"
	exit 0
fi
list=$(cd "$dir" && find . -name '*.scn' ! -path './bad/*' | sed 's|^\./||' | sort)
n=$(echo "$list" | grep -c .)
echo "1..$n"
i=0 agreed=0 skipped=0
for name in $list; do
	i=$((i + 1))
	(cd "$dir" && timeout -k 5 300 "$gupsim" diff --quiet "$name" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	sum=$(tail -n 1 "$tmp/out")
	a=$(echo "$sum" | sed -n 's|^\([0-9]*\) agreed.*|\1|p')
	s=$(echo "$sum" | sed -n 's|.* \([0-9]*\) skipped$|\1|p')
	agreed=$((agreed + ${a:-0}))
	skipped=$((skipped + ${s:-0}))
	case $rc in
	0)
		echo "ok $i - $name ($sum)" ;;
	1)
		# every disagreement known?
		grep -o "^$name:[0-9]*" "$tmp/err" | sort -u >"$tmp/lines"
		unknown=$(grep -v -x -F -f "$known" "$tmp/lines")
		if [ -s "$tmp/lines" ] && [ -z "$unknown" ]; then
			echo "ok $i - $name # TODO known model difference: $(tr '\n' ' ' <"$tmp/lines")"
		else
			echo "not ok $i - $name (the model and the host disagree)"
			sed 's/^/#   /' "$tmp/err" | head -n 30
		fi ;;
	2)
		echo "ok $i - $name # SKIP does not parse (run-good/run-bad judge it)" ;;
	*)
		echo "not ok $i - $name (exit $rc)"
		sed 's/^/#   /' "$tmp/err" | head -n 30 ;;
	esac
done
echo "# $agreed statements agreed, $skipped skipped by the host"
