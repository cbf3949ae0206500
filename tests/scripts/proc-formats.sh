#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `show buddyinfo`, `show pagetypeinfo` and `show status` print the
# kernel's /proc formats, and their numbers agree with the model's own
# counters: the free pages of buddyinfo add up to nr_free_pages, the free
# blocks of pagetypeinfo to the same, its pageblock counts to each zone's
# size, and VmPin/VmLck to `stat pinned_vm`/`stat locked_vm`.
. "$(dirname "$0")/lib.sh"
echo "1..6"

cat >"$tmp/p.scn" <<'SCN'
machine mem=128M cma=32M movable=32M
task A memlock=64M
A mmap buf 1M anon populate
A mlock buf len=256K
A driver ib_umem mr buf write
A mmap big 4M anon thp populate
stat nr_free_pages
stat pinned_vm A
stat locked_vm A
show buddyinfo
show pagetypeinfo
show status A
SCN
"$gupsim" run "$tmp/p.scn" >"$tmp/out" 2>&1 || echo "# run failed: $?"

ok() {	# n status description
	if [ "$2" = 0 ]; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fi
}
stat_of() {	# statement words -> its result
	awk -v s="$1" 'index($0, s) && /=>/ { sub(/.*=> */, ""); print $1 }' \
		"$tmp/out" | head -n 1
}
free=$(stat_of "stat nr_free_pages")

grep -E '^      Node 0, zone +(Normal|Movable)( +[0-9]+){11} *$' "$tmp/out" \
	>"$tmp/buddy"
[ "$(wc -l <"$tmp/buddy")" -eq 2 ]
ok 1 $? "buddyinfo: one line a zone, eleven orders"

sum=$(awk '{ for (o = 0; o <= 10; o++) s += $(5 + o) * 2 ^ o } END { print s }' \
	"$tmp/buddy")
[ "$sum" = "$free" ]
ok 2 $? "buddyinfo's free pages ($sum) are nr_free_pages ($free)"

awk '/zone .*, type / { for (o = 0; o <= 10; o++) s += $(7 + o) * 2 ^ o }
     END { print s }' "$tmp/out" >"$tmp/ptfree"
[ "$(cat "$tmp/ptfree")" = "$free" ]
ok 3 $? "pagetypeinfo's free pages ($(cat "$tmp/ptfree")) are nr_free_pages"

# 128M: Normal 96M = 48 pageblocks, Movable 32M = 16
blocks=$(awk '/^      Node 0, zone +[A-Za-z]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ *$/ {
	printf "%s=%d ", $4, $5 + $6 + $7 + $8 + $9 }' "$tmp/out")
[ "$blocks" = "Normal=48 Movable=16 " ]
ok 4 $? "pagetypeinfo's pageblocks per zone: $blocks"

pin=$(stat_of "stat pinned_vm A")
lck=$(stat_of "stat locked_vm A")
grep -q "VmPin:	 *$((pin * 4)) kB$" "$tmp/out"
ok 5 $? "status: VmPin is pinned_vm ($pin pages) in kB"
grep -q "VmLck:	 *$((lck * 4)) kB$" "$tmp/out" && [ "$lck" = 64 ]
ok 6 $? "status: VmLck is locked_vm ($lck pages, mlock of 256K) in kB"
