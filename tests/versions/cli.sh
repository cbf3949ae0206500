#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the command-line contract of the kernel-version profiles.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$top/tests/scenarios" || exit 1

echo "1..9"
i=0
result() {	# condition-status description
	i=$((i + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $i - $2"
	else
		echo "not ok $i - $2"
		sed 's/^/#   /' "$tmp/out" "$tmp/err" | head -n 20
	fi
}

# --json: one object per statement with a result per point, then the points.
"$gupsim" versions --json versions/vmsplice.scn >"$tmp/out" 2>"$tmp/err"
rc=$?
first=$(head -n 1 "$tmp/out")
last=$(tail -n 1 "$tmp/out")
case $first in
'{"file":"versions/vmsplice.scn","line":'*',"statement":"machine hugetlb=2","results":{"5.1":"ok","5.2":"ok",'*'"6.18":"ok"}}') ok1=0 ;;
*) ok1=1 ;;
esac
result $((rc + ok1)) "versions --json: one object per statement"
case $last in
'{"profile_points":["5.1","5.2",'*'"6.18"]}') ok1=0 ;;
*) ok1=1 ;;
esac
result $ok1 "versions --json: the profile points last"
grep -q '"line":27,"statement":"dev v read","results":{"5.1":"'"'s'"'"' \
	"$tmp/out"
result $? "versions --json: results spelled as the language spells them"

# --kernel overrides the file's kernel=.
"$gupsim" run -q --kernel 5.2 kernel-5.2.scn >"$tmp/out" 2>"$tmp/err"
result $? "run --kernel 5.2 of a kernel=5.2 file holds"
"$gupsim" run -q --kernel 6.18 kernel-5.2.scn >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] && grep -q 'expected normal, got' "$tmp/err"
result $? "run --kernel 6.18 overrides kernel=5.2"

# Bad versions: usage errors, nothing runs.
"$gupsim" run --kernel 5.20 tour.scn >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q 'is no release' "$tmp/err"
result $? "run --kernel 5.20: no such release, exit 2"
"$gupsim" run --kernel 4.19 tour.scn >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && grep -q 'out of range' "$tmp/err"
result $? "run --kernel 4.19: out of range, exit 2"

# The host backend runs its own release only, and says so first.
if [ "$(uname -s)" != Linux ]; then
	i=$((i + 2))
	echo "ok $((i - 1)) # SKIP the host backend needs Linux"
	echo "ok $i # SKIP the host backend needs Linux"
	exit 0
fi
"$gupsim" run --backend host kernel-5.2.scn >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ] &&
	grep -q "runs only the host's own kernel" "$tmp/err"
result $? "run --backend host of a kernel=5.2 file: exit 2, nothing ran"
"$gupsim" diff kernel-5.2.scn >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "runs only the host's own kernel" "$tmp/err"
result $? "diff of a kernel=5.2 file: exit 2"
