#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `gupsim run --trace` shows the kernel's tracepoints with the counts
# the model acted on. A FOLL_LONGTERM pin of 512 CMA pages migrates all
# 512 (mm_migrate_pages nr_succeeded=512 nr_failed=0 reason=longterm_pin)
# and allocates their 512 targets, each traced as mm_page_alloc order=0
# (the bulk allocator traces as the single-page path does);
# a cma_alloc over a short-term pinned buffer leaves its pinned pages in
# place, as the kernel's scanner does (no contig_range migration moves
# them, cma_alloc_finish says EBUSY); --trace-json writes the same
# events as a JSON array a trace viewer opens.
. "$(dirname "$0")/lib.sh"
echo "1..7"

cat >"$tmp/t.scn" <<'SCN'
machine mem=256M cma=64M
task A
A mmap buf 2M anon place=cma
A write buf 'x'
A pin dio buf write            => ok
cma_alloc big 64M              => EBUSY
unpin dio
A pin mr buf longterm write    => ok
A where buf                    => normal
SCN

"$gupsim" run --trace --trace-json "$tmp/t.json" "$tmp/t.scn" >"$tmp/out" 2>&1
rc=$?
ok() {	# n cond description
	if [ "$2" = 0 ]; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fi
}
ok 1 $rc "the traced run passes (exit $rc)"
grep -q 'mm_migrate_pages: nr_succeeded=512 nr_failed=0 .*reason=longterm_pin' "$tmp/out"
ok 2 $? "FOLL_LONGTERM: mm_migrate_pages nr_succeeded=512 nr_failed=0"
! grep -q 'mm_migrate_pages: nr_succeeded=[1-9].*reason=contig_range' "$tmp/out" &&
	grep -q 'cma_alloc_start: name=cma count=16384' "$tmp/out"
ok 3 $? "cma_alloc over a pin: the pinned pages are not migrated"
grep -Eq '^ +A-[0-9]+ +\[[0-9]{3}\] +[0-9]+\.[0-9]{6}: gupsim_gup_slow: start=0x' "$tmp/out"
ok 4 $? "ftrace's line format: comm-pid [cpu] seconds.micros: event: fields"
grep -q 'cma_alloc_finish: name=cma .*errorno=-16' "$tmp/out"
ok 5 $? "cma_alloc_finish says errorno=-16 (EBUSY)"
head -n 1 "$tmp/t.json" | grep -q '^\[$' && tail -n 1 "$tmp/t.json" | grep -q '^\]$' &&
	grep -q '"name":"mm_migrate_pages","cat":"kernel","ph":"i"' "$tmp/t.json"
ok 6 $? "--trace-json: a JSON array of trace events"
# the migration's targets: one mm_page_alloc each under the long-term pin
n=$(awk '/^ *[0-9]+  /{ st = $0 } /mm_page_alloc: .* order=0 / && st ~ /pin mr buf longterm/ { n++ } END { print n + 0 }' "$tmp/out")
[ "$n" = 512 ]
ok 7 $? "the migration's 512 targets are traced as mm_page_alloc ($n)"
