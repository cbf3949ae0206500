#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the whole scenario corpus (tests/scenarios, recursively, but not
# bad/, nor the files that choose their own release with kernel=) still
# passes under `--kernel 6.18`, the default profile named explicitly, and
# the versions scenarios pass under the default profile (their
# expectations are today's answers; run-good.sh runs the rest of the
# corpus under the default).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
dir=$top/tests/scenarios
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

all=$(cd "$dir" && find . -name '*.scn' ! -path './bad/*' |
	sed 's|^\./||' | sort | while read -r f; do
		grep -q '^machine.*kernel=' "$f" || echo "$f"
	done)
versions=$(cd "$dir" && ls versions/*.scn)
echo "1..$(( $(echo "$all" | grep -c .) + $(echo "$versions" | grep -c .) ))"
i=0
check() {	# label args...
	label=$1
	shift
	i=$((i + 1))
	(cd "$dir" && timeout 60 "$gupsim" run --quiet "$@" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - $label"
	else
		echo "not ok $i - $label (exit $rc)"
		sed 's/^/#   /' "$tmp/err" "$tmp/out" | head -n 30
	fi
}
for name in $all; do
	check "--kernel 6.18 $name" --kernel 6.18 "$name"
done
for name in $versions; do
	check "$name" "$name"
done
