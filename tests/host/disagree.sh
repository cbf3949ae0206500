#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: a disagreement is shown as FILE:LINE, the statement and both
# results, and makes `gupsim diff` exit 1 (ring-charge.scn: a statement
# whose expectation the host cannot meet); a run leaves nothing behind:
# no directories, no processes, nr_hugepages as it was.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "1..5"
if ! "$gupsim" run --backend host "$here/probe.scn" >"$tmp/probe" 2>&1 ||
   grep -q skip "$tmp/probe"; then
	for t in 1 2; do
		echo "ok $t # SKIP the host backend cannot pin here: $(grep -o '#.*' "$tmp/probe" | head -n 1)"
	done
else
	(cd "$here" && timeout -k 5 60 "$gupsim" diff ring-charge.scn \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 1 ]; then echo "ok 1 - diff exits 1"; else
		echo "not ok 1 - diff exits 1 (got $rc)"; fi
	if grep -q '^ring-charge.scn:11: B driver io_uring g a+4K len=4K write: model ENOMEM, host ENOMEM, expected ok' "$tmp/err" &&
	   grep -q 'DIFFER' "$tmp/out" &&
	   grep -q '^5 agreed / 1 disagreed / 0 skipped' "$tmp/out"; then
		echo "ok 2 - the disagreement names file, line, statement, both results"
	else
		echo "not ok 2 - the disagreement report"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
fi

# cleanup: a tagged run with files and (when possible) huge pages
tag=t$$
lock=/run/gupsim-hugetlb.lock
[ -w /run ] || lock=/tmp/gupsim-hugetlb.lock
pool() { flock -w 150 "$lock" cat /proc/sys/vm/nr_hugepages 2>/dev/null || cat /proc/sys/vm/nr_hugepages; }
before=$(pool)
(cd "$here" && GUPSIM_HOST_TAG=$tag timeout -k 5 60 "$gupsim" run --backend host cleanup.scn \
	>"$tmp/out" 2>&1)
left=$(ls -d /var/tmp/gupsim-host.$tag.* /dev/shm/gupsim-host.$tag.* 2>/dev/null)
if [ -z "$left" ]; then echo "ok 3 - no directories left"; else
	echo "not ok 3 - left behind: $left"; fi
after=$(pool)
if [ "$before" = "$after" ]; then echo "ok 4 - nr_hugepages back to $before"; else
	echo "not ok 4 - nr_hugepages $before before, $after after"; fi
# the workers' users are 1000000 + pid; none may outlive the run
sleep 0.2
procs=$(ps -eo uid=,pid=,args= | awk '$1 >= 1000000 && $1 < 6000000' | grep -v awk)
# a concurrent run may own some: only ours (parented by nobody left) count
if [ -z "$procs" ] || ! ps -eo ppid=,args= | grep -q "[g]upsim run --backend host cleanup.scn"; then
	echo "ok 5 - no worker process left"
else
	echo "not ok 5 - workers left: $procs"
fi
