#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: gupsim explore from the command line. A munmap racing a pin of the
# same buffer gives EFAULT in some schedules (the pin's mmap_read_lock
# after the munmap's mmap_write_unlock) and ok in others: an expectation
# of ok fails, exit 1, with the first failing schedule drawn and its id;
# replaying the id prints the same, every time; shards add up to the
# whole; a random run is reproducible from its seed; bad usage exits 2.
. "$(dirname "$0")/lib.sh"
echo "1..12"
ok() {	# n status description
	if [ "$2" = 0 ]; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fi
}

cat >"$tmp/race.scn" <<'SCN'
machine mem=16M
task A
A mmap buf 4K anon
A write buf 'x'
race
  A pin p buf write    => ok
  A munmap buf
end
SCN
cat >"$tmp/clean.scn" <<'SCN'
machine mem=16M
task A
A mmap buf 8K anon
A write buf 'x'
race
  A pin p buf len=4K write fast  => ok
  A fork B
end
B read buf                       => 'x'
dev p read                       => 'x'
SCN

"$gupsim" explore "$tmp/clean.scn" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q 'schedules (at most 2 preemptions), the bounded space covered; 0 failed' "$tmp/out"
ok 1 $? "a race whose every schedule holds: exit 0, covered (exit $rc)"

"$gupsim" explore "$tmp/race.scn" >"$tmp/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '1 distinct' "$tmp/out" &&
	grep -q 'expected ok, got EFAULT' "$tmp/out"
ok 2 $? "munmap against pin: the EFAULT schedules fail, exit 1 (exit $rc)"
# the drawing: a header per thread, the munmap's column at the right
grep -q '^  A pin p buf write  *A munmap buf$' "$tmp/out" &&
	grep -q '^      *mmap_write_lock: lock' "$tmp/out" &&
	grep -q '^  mmap_read_lock: lock' "$tmp/out"
ok 3 $? "the failing schedule is drawn, one column per thread"

id=$(sed -n 's/^replay: gupsim explore --schedule \([^ ]*\) .*/\1/p' "$tmp/out" | head -n 1)
[ -n "$id" ]
ok 4 $? "a failure comes with its schedule id ($id)"

"$gupsim" explore --schedule "$id" "$tmp/race.scn" >"$tmp/first" 2>&1
rc=$?
same=0
for i in $(seq 100); do
	"$gupsim" explore --schedule "$id" "$tmp/race.scn" >"$tmp/again" 2>&1
	cmp -s "$tmp/first" "$tmp/again" || same=1
done
[ $rc = 1 ] && [ $same = 0 ] && grep -q 'got EFAULT' "$tmp/first"
ok 5 $? "--schedule $id replays it: 100 runs, the same output, exit 1"

total=$("$gupsim" explore --json "$tmp/race.scn" 2>/dev/null |
	sed -n 's/.*"schedules":\([0-9]*\).*/\1/p')
sum=0 failed=0
for i in 1 2 3; do
	"$gupsim" explore --json --shard $i/3 "$tmp/race.scn" >"$tmp/s$i" 2>/dev/null
	n=$(sed -n 's/.*"schedules":\([0-9]*\).*/\1/p' "$tmp/s$i")
	f=$(sed -n 's/.*"failed":\([0-9]*\).*/\1/p' "$tmp/s$i")
	sum=$((sum + n)) failed=$((failed + f))
done
all_failed=$("$gupsim" explore --json "$tmp/race.scn" 2>/dev/null |
	sed -n 's/.*"failed":\([0-9]*\).*/\1/p')
[ -n "$total" ] && [ "$sum" = "$total" ] && [ "$failed" = "$all_failed" ]
ok 6 $? "--shard 1/3 .. 3/3: $sum schedules, $failed failed; unsharded $total, $all_failed"

"$gupsim" explore --random 30 --seed 5 "$tmp/race.scn" 2>&1 |
	sed 's/; [0-9]* schedules\/s$//' >"$tmp/r1"
"$gupsim" explore --random 30 --seed 5 "$tmp/race.scn" 2>&1 |
	sed 's/; [0-9]* schedules\/s$//' >"$tmp/r2"
cmp -s "$tmp/r1" "$tmp/r2" && grep -q '30 schedules (random, seed 5' "$tmp/r1"
ok 7 $? "--random 30 --seed 5: the same schedules twice"

"$gupsim" explore --preemptions 0 "$tmp/clean.scn" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^.*: 2 schedules (at most 0 preemptions)' "$tmp/out"
ok 8 $? "--preemptions 0: only the two serial orders"

if command -v python3 >/dev/null 2>&1; then
	"$gupsim" explore --json "$tmp/race.scn" 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["exit"] == 1 and d["failures"][0]["steps"]'
	ok 9 $? "--json: one object, with the failing schedule's steps"
else
	echo "ok 9 - --json (skipped: no python3)"
fi

bad=0
for args in "--preemptions x" "--preemptions -1" "--shard 0/2" "--shard 3/2" \
	    "--shard 2" "--schedule bogus" "--random 0" "--frob" \
	    "--kernel 5.20"; do
	# shellcheck disable=SC2086
	"$gupsim" explore $args "$tmp/race.scn" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ $rc != 2 ] || [ ! -s "$tmp/err" ]; then
		echo "#   explore $args: exit $rc"
		bad=1
	fi
done
ok 10 $bad "bad options: exit 2 with a message"

"$gupsim" explore >/dev/null 2>&1; a=$?
"$gupsim" explore "$tmp/race.scn" "$tmp/clean.scn" >/dev/null 2>&1; b=$?
printf 'task A\n' >"$tmp/norace.scn"
"$gupsim" explore "$tmp/norace.scn" >/dev/null 2>&1; c=$?
[ $a = 2 ] && [ $b = 2 ] && [ $c = 2 ]
ok 11 $? "no file, two files, no race block: exit 2 ($a $b $c)"

printf 'task A\nrace\n' >"$tmp/syntax.scn"
"$gupsim" explore "$tmp/syntax.scn" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q "syntax.scn:2:1: error: race block without 'end'" "$tmp/err"
ok 12 $? "a syntax error: FILE:LINE:COL, exit 2"
