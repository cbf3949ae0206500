#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: a host run killed with SIGKILL together with its janitor and its
# worker leaves its scratch directories and (as root) a raised
# nr_hugepages; the next run finds the record the dead janitor kept,
# undoes both and says so on stderr. A private state directory keeps
# other runs on this machine from doing the undoing first.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
tmp=$(mktemp -d) || exit 1
pid=
export GUPSIM_STATE_DIR=$tmp/state
# whatever fails, leave nothing: a last run undoes a record still there
finish() {
	[ -n "$pid" ] && kill -KILL -"$pid" 2>/dev/null
	ls "$GUPSIM_STATE_DIR"/run.* >/dev/null 2>&1 &&
		"$gupsim" run --backend host "$here/probe.scn" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap finish EXIT INT TERM

echo "1..4"
tag=k$$
lock=/run/gupsim-hugetlb.lock
[ -w /run ] || lock=/tmp/gupsim-hugetlb.lock
pool() { flock -w 150 "$lock" cat /proc/sys/vm/nr_hugepages 2>/dev/null || cat /proc/sys/vm/nr_hugepages; }
dirs() { ls -d /var/tmp/gupsim-host.$tag.* /dev/shm/gupsim-host.$tag.* 2>/dev/null; }
before=$(pool)

# Every worker request waits 30 s: the run stops at task A's setup, after
# the machine (and its huge pages) and the directories. setsid: the
# controller leads a process group that its workers join.
(cd "$here" && GUPSIM_HOST_TAG=$tag GUPSIM_HOST_WORKER_DELAY_MS=30000 \
	exec setsid "$gupsim" run --backend host cleanup.scn >"$tmp/out1" 2>&1) &
pid=$!
record=
for i in $(seq 100); do
	record=$(ls "$GUPSIM_STATE_DIR"/run.* 2>/dev/null | head -n 1)
	[ -n "$record" ] && [ "$(pgrep -g "$pid" | wc -l)" -ge 2 ] && break
	sleep 0.1
done
jpid=${record##*/run.}
# the dead run holds the pool lock: read without it
raised=$(cat /proc/sys/vm/nr_hugepages)
# the janitor first: once the controller is gone it would clean up
[ -n "$jpid" ] && kill -KILL "$jpid" 2>/dev/null
kill -KILL -"$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
# a killed process lets go of its files a moment after kill returns: wait
# for the janitor's lock (any later run would find the record then)
[ -n "$record" ] && flock -w 10 "$record" true
left=$(dirs)
if [ -n "$record" ] && [ -n "$left" ] && [ -f "$record" ]; then
	echo "ok 1 - the killed run left its directories and its record"
else
	echo "not ok 1 - the killed run left its directories and its record (record '$record', dirs '$left')"
	sed 's/^/#   /' "$tmp/out1"
fi

"$gupsim" run --backend host "$here/probe.scn" >"$tmp/out2" 2>"$tmp/err2"
if [ -n "$left" ] && [ -z "$(dirs)" ] &&
   grep -q "died and left /var/tmp/gupsim-host.$tag" "$tmp/err2"; then
	echo "ok 2 - the next run removes the directories and says so"
else
	echo "not ok 2 - the next run removes the directories and says so (left: $(dirs))"
	sed 's/^/#   /' "$tmp/err2"
fi
after=$(pool)
if [ "$raised" = "$before" ]; then
	echo "ok 3 # SKIP the killed run could not raise nr_hugepages (not root, or no memory for huge pages)"
elif [ "$after" = "$before" ] && grep -q "nr_hugepages raised: set back" "$tmp/err2"; then
	echo "ok 3 - nr_hugepages back from $raised to $before, and said so"
else
	echo "not ok 3 - nr_hugepages $before before, $raised raised, $after after"
	sed 's/^/#   /' "$tmp/err2"
fi
if [ -z "$(ls "$GUPSIM_STATE_DIR")" ]; then
	echo "ok 4 - no record left"
else
	echo "not ok 4 - records left: $(ls "$GUPSIM_STATE_DIR")"
fi
