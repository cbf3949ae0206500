#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the whole scenario corpus (tests/scenarios, recursively, but not
# bad/, nor the files that choose their own release with kernel=) still
# passes under `--kernel 6.18`, the default profile named explicitly, and
# the versions scenarios pass under the default profile (their
# expectations are today's answers; run-good.sh runs the rest of the
# corpus under the default).
. "$(dirname "$0")/../scripts/lib.sh"
dir=$top/tests/scenarios

all=$(cd "$dir" && find . -name '*.scn' ! -path './bad/*' |
	sed 's|^\./||' | sort | while read -r f; do
		grep -q '^machine.*kernel=' "$f" || echo "$f"
	done)
versions=$(cd "$dir" && ls versions/*.scn)
echo "1..$(( $(echo "$all" | grep -c .) + $(echo "$versions" | grep -c .) ))"
for name in $all; do
	run_scenario "--kernel 6.18 $name" "$dir" --kernel 6.18 "$name"
done
for name in $versions; do
	run_scenario "$name" "$dir" "$name"
done
