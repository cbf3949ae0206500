#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the race scenarios under `gupsim explore` (run by `make test`,
# mk/races.mk). NAME.finds.scn must find a failing
# schedule (exit 1, or 3 when the invariant checker sees it); NAME.scn
# must hold in every schedule within 2 preemptions (exit 0). The files in
# RANDOM run N random schedules with a fixed seed instead of the whole
# bounded space; each test's diagnostic is explore's own summary.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
RANDOM_FILES=${RANDOM_FILES:-"split-gup-fast-6.18.scn split-gup-fast-5.13.finds.scn"}
RANDOM_ARGS=${RANDOM_ARGS:-"--random 2000 --seed 13"}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

files=$(cd "$here" && ls *.scn)
echo "1..$(echo "$files" | wc -l)"
n=0
for f in $files; do
	n=$((n + 1))
	args="--preemptions 2"
	case " $RANDOM_FILES " in *" $f "*) args=$RANDOM_ARGS ;; esac
	# shellcheck disable=SC2086
	"$gupsim" explore $args "$here/$f" >"$tmp/out" 2>&1
	rc=$?
	case "$f" in
	*.finds.scn) [ "$rc" = 1 ] || [ "$rc" = 3 ]; ok=$? ;;
	*) [ "$rc" = 0 ]; ok=$? ;;
	esac
	if [ "$ok" = 0 ]; then
		echo "ok $n - $f ($args, exit $rc)"
	else
		echo "not ok $n - $f ($args, exit $rc)"
		sed 's/^/#   /' "$tmp/out" | head -n 40
	fi
	# the summary (how many schedules, how many failed), the first failure
	grep -E ": [0-9]+ schedules|^schedule s-" "$tmp/out" | head -n 2 |
		sed 's/^/# /'
done
