#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the plan of the kernel's selftests mm/cow.c and mm/gup_longterm.c,
# one test per case, as they would run on this machine (the THP sizes and
# hugetlb page sizes in /sys/kernel/mm, or KSELFTEST_THP_SIZES and
# KSELFTEST_HUGETLB_SIZES in kB). A case is mirrored when a section of a
# scenario here is headed `# TAP: DESCRIPTION`, with the description the
# selftest prints on the case's TAP line; it passes when its scenario
# passes on the model and, where the host backend runs (Linux), `gupsim
# diff` finds no statement on which the host disagrees. A case with no
# scenario fails (all of this machine's plan is mirrored); the files of
# 1 GiB pages are SKIPs under ThreadSanitizer. `cases.sh --list` prints the plan as a table instead.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# dir file default: the N of each dir/hugepages-NkB holding file,
# ascending. cow.c counts a THP size only where .../enabled exists: an
# 8 kB directory there is for shmem alone (anonymous THPs start at 16 kB).
sizes_in() {
	s=$(ls -d "$1"/hugepages-*kB/"$2" 2>/dev/null |
	    sed 's|.*/hugepages-\([0-9]*\)kB/.*|\1|' | sort -n | tr '\n' ' ')
	echo "${s:-$3}"
}
thp=${KSELFTEST_THP_SIZES:-$(sizes_in /sys/kernel/mm/transparent_hugepage \
	enabled 2048)}
huge=${KSELFTEST_HUGETLB_SIZES:-$(sizes_in /sys/kernel/mm/hugepages \
	nr_hugepages "2048 1048576")}
pmd=2048

# ---- the plan: "selftest<TAB>case" lines, in the selftests' order ----
anon='Basic COW after fork()
Basic COW after fork() with mprotect() optimization
vmsplice() + unmap in child
vmsplice() + unmap in child with mprotect() optimization
vmsplice() before fork(), unmap in parent after fork()
vmsplice() + unmap in parent after fork()
R/O-mapping a page registered as iouring fixed buffer
fork() with an iouring fixed buffer
R/O GUP pin on R/O-mapped shared page
R/O GUP-fast pin on R/O-mapped shared page
R/O GUP pin on R/O-mapped previously-shared page
R/O GUP-fast pin on R/O-mapped previously-shared page
R/O GUP pin on R/O-mapped exclusive page
R/O GUP-fast pin on R/O-mapped exclusive page'
anon_thp='Basic COW after fork() when collapsing before fork()
Basic COW after fork() when collapsing after fork() (fully shared)
Basic COW after fork() when collapsing after fork() (lower shared)
Basic COW after fork() when collapsing after fork() (upper shared)'
non_anon='Basic COW
R/O longterm GUP pin
R/O longterm GUP-fast pin'
longterm='R/W longterm GUP pin in MAP_SHARED file mapping
R/W longterm GUP-fast pin in MAP_SHARED file mapping
R/O longterm GUP pin in MAP_SHARED file mapping
R/O longterm GUP-fast pin in MAP_SHARED file mapping
R/W longterm GUP pin in MAP_PRIVATE file mapping
R/W longterm GUP-fast pin in MAP_PRIVATE file mapping
R/O longterm GUP pin in MAP_PRIVATE file mapping
R/O longterm GUP-fast pin in MAP_PRIVATE file mapping
io_uring fixed buffer with MAP_SHARED file mapping
io_uring fixed buffer with MAP_PRIVATE file mapping'

plan() {
	echo "$anon" | while IFS= read -r d; do
		printf 'cow.c\t%s ... with base page\n' "$d"
		printf 'cow.c\t%s ... with swapped out base page\n' "$d"
		for s in $thp; do
			if [ "$s" = $pmd ]; then
				printf 'cow.c\t%s ... with THP (%s kB)\n' "$d" "$s"
				printf 'cow.c\t%s ... with swapped-out THP (%s kB)\n' "$d" "$s"
			fi
			for v in 'PTE-mapped THP' 'swapped-out, PTE-mapped THP' \
				 'single PTE of THP' 'single PTE of swapped-out THP' \
				 "partially mremap()'ed THP" 'partially shared THP'; do
				printf 'cow.c\t%s ... with %s (%s kB)\n' "$d" "$v" "$s"
			done
		done
		for h in $huge; do
			printf 'cow.c\t%s ... with hugetlb (%s kB)\n' "$d" "$h"
		done
	done
	echo "$anon_thp" | sed 's/^/cow.c\t/'
	echo "$non_anon" | while IFS= read -r d; do
		for v in 'shared zeropage' memfd tmpfile 'huge zeropage'; do
			printf 'cow.c\t%s ... with %s\n' "$d" "$v"
		done
		for h in $huge; do
			printf 'cow.c\t%s ... with memfd hugetlb (%s kB)\n' "$d" "$h"
		done
	done
	echo "$longterm" | while IFS= read -r d; do
		for v in memfd tmpfile 'local tmpfile'; do
			printf 'gup_longterm.c\t%s ... with %s\n' "$d" "$v"
		done
		for h in $huge; do
			printf 'gup_longterm.c\t%s ... with memfd hugetlb (%s kB)\n' \
				"$d" "$h"
		done
	done
}

# Why a case has no scenario; empty when nothing explains it (every case
# of the plan has one now: a new case of the selftests fails here).
reason() {
	:
}

# Under ThreadSanitizer the files of 1 GiB pages do not run: its shadow
# of every byte the model writes is four, gigabytes here. Their cases
# are SKIPs then, with this reason.
tsan=no
grep -q __tsan_init "$gupsim" 2>/dev/null && tsan=yes
gigantic_skip() {
	[ $tsan = yes ] && case $1 in *1048576kB.scn)
		echo "1 GiB pages are not run under ThreadSanitizer (a shadow of 4 GiB a page)"
	esac
}

# The plan with a third field: the scenario whose section is headed
# `# TAP: case`, or "-".
awk 'sub(/^# TAP: /, "") { f = FILENAME; sub(/.*\//, "", f)
			     print $0 "\t" f }' "$here"/*.scn >"$tmp/index"
plan | awk -F '\t' '
	FNR == NR { if (!($1 in at)) at[$1] = $2; next }
	{ print $1 "\t" $2 "\t" ($2 in at ? at[$2] : "-") }
' "$tmp/index" - >"$tmp/plan"
if [ "${1:-}" = --list ]; then
	printf 'selftest\tcase\tscenario or reason\n'
	while IFS="$(printf '\t')" read -r st c f; do
		[ "$f" = - ] && f="not mirrored: $(reason "$c")"
		printf '%s\t%s\t%s\n' "$st" "$c" "$f"
	done <"$tmp/plan"
	exit 0
fi

# Each scenario once on the model, and against the host where there is one.
# The host maps 1 GiB pages only from free ones in its pool (the host
# backend does not raise it): with none, every statement on them is
# skipped there, and the diff (the model once more) is spared.
huge1g_free=/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages
host_runs() {
	case $1 in
	*1048576kB.scn) [ "$(cat "$huge1g_free" 2>/dev/null || echo 0)" -gt 0 ] ;;
	*) true ;;
	esac
}
host=no
[ "$(uname -s)" = Linux ] && [ "${GUPSIM_NO_HOST:-}" = "" ] && host=yes
for f in "$here"/*.scn; do
	b=$(basename "$f")
	[ -n "$(gigantic_skip "$b")" ] && continue
	# a file of 1 GiB pages copies gigabytes: slow under ASan
	if (cd "$here" && timeout 600 "$gupsim" run --quiet "$b" \
		>"$tmp/$b.run" 2>&1); then
		echo ok >"$tmp/$b.model"
	fi
	if [ $host = yes ] && ! host_runs "$b"; then
		echo ok >"$tmp/$b.host"	# the host would skip all that matters
	elif [ $host = yes ] && (cd "$here" && timeout 300 "$gupsim" diff \
		--quiet "$b" >"$tmp/$b.diff" 2>&1); then
		echo ok >"$tmp/$b.host"
	fi
done

n=$(wc -l <"$tmp/plan")
echo "1..$n"
i=0
: >"$tmp/counts"
while IFS="$(printf '\t')" read -r st c f; do
	i=$((i + 1))
	if [ "$f" = - ]; then
		why=$(reason "$c")
		if [ -n "$why" ]; then
			echo "ok $i - $st: $c # SKIP $why"
			printf '%s\tskip\n' "$st" >>"$tmp/counts"
		else
			echo "not ok $i - $st: $c has no scenario and no reason"
		fi
		continue
	fi
	why=$(gigantic_skip "$f")
	if [ -n "$why" ]; then
		echo "ok $i - $st: $c # SKIP $why"
		printf '%s\tskip\n' "$st" >>"$tmp/counts"
		continue
	fi
	if [ ! -f "$tmp/$f.model" ]; then
		echo "not ok $i - $st: $c ($f fails on the model)"
		sed 's/^/#   /' "$tmp/$f.run" | head -n 10
	elif [ $host = yes ] && [ ! -f "$tmp/$f.host" ]; then
		echo "not ok $i - $st: $c ($f: the host disagrees)"
		grep -v ' agree' "$tmp/$f.diff" | sed 's/^/#   /' | head -n 10
	else
		echo "ok $i - $st: $c ($f)"
		printf '%s\tmirrored\n' "$st" >>"$tmp/counts"
	fi
done <"$tmp/plan"
for st in cow.c gup_longterm.c; do
	echo "# $st: $(grep -c "^$st	" "$tmp/plan") cases in the plan," \
	     "$(grep -c "^$st	mirrored" "$tmp/counts") mirrored and passing" \
	     "(host: $host), $(grep -c "^$st	skip" "$tmp/counts") not mirrored"
done
