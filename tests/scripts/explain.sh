#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: `gupsim run --explain` names the rule behind every errno and skip
# the model answers anywhere in the corpus: the scenarios
# (tests/scenarios/**, the malformed ones aside), the kernel selftests'
# mirrors (tests/kselftest/*.scn), and the kernel-version scenarios
# (tests/scenarios/versions/) under every profile point `gupsim versions`
# knows. After such a statement comes at least one "because FUNCTION():
# CHECK" line, written where the model decided; nothing writes one for a
# call as a whole, so a new errno path without its own explanation fails
# here. One test per scenario (a versions scenario: all its points); a
# failure lists the statements left unexplained.
. "$(dirname "$0")/lib.sh"
dir=${SCN_DIR:-$top/tests/scenarios}
kself=$top/tests/kselftest

files=$(cd "$dir" && find . -name '*.scn' ! -path './bad/*' |
	sed 's|^\./||' | sort)
kfiles=$(cd "$kself" && ls *.scn 2>/dev/null)
vfiles=$(cd "$dir" && ls versions/*.scn 2>/dev/null)
# the profile points, from the last line of `versions --json`
points=$(printf 'machine\n' | "$gupsim" versions --json - 2>/dev/null |
	tail -n 1 | sed 's/.*\[//; s/\].*//; s/"//g; s/,/ /g')
count() { echo "$1" | grep -c .; }
echo "1..$(($(count "$files") + $(count "$kfiles") + $(count "$vfiles") + 3))"

# Prints every statement line whose errno or skip has no rule line after it.
unexplained() {
	awk '
	function flush() { if (pending != "") print pending; pending = "" }
	/^ *[0-9]+  / {
		flush()
		if (match($0, /=> (E[A-Z0-9]+|skip)/))
			pending = $0
		next
	}
	/^      because [A-Za-z_0-9]+\(\): / { pending = "" }
	END { flush() }'
}

i=0
# check LABEL DIR FILE [RUN-ARGS]: one run, its unexplained lines to $tmp/bad
check_run() {
	(cd "$1" && timeout "${limit:-60}" "$gupsim" run --explain $3 "$2" \
		>"$tmp/out" 2>/dev/null)
	unexplained <"$tmp/out" | sed "s|^|${3:+$3 }|" >>"$tmp/bad"
}
verdict() {	# label
	i=$((i + 1))
	if [ -s "$tmp/bad" ]; then
		echo "not ok $i - explain/$1"
		sed 's/^/#   no rule: /' "$tmp/bad"
	else
		echo "ok $i - explain/$1"
	fi
}

for f in $files; do
	: >"$tmp/bad"
	check_run "$dir" "$f"
	verdict "$f"
done
# ThreadSanitizer shadows every byte the model writes with four: the
# files of 1 GiB pages are skipped under it (as tests/kselftest/cases.sh
# does), and given more time otherwise (they copy gigabytes).
tsan=no
grep -q __tsan_init "$gupsim" 2>/dev/null && tsan=yes
for f in $kfiles; do
	: >"$tmp/bad"
	case $f in *1048576kB.scn)
		if [ $tsan = yes ]; then
			i=$((i + 1))
			echo "ok $i - explain/kselftest/$f # SKIP 1 GiB pages under ThreadSanitizer"
			continue
		fi
		limit=600
	esac
	check_run "$kself" "$f"
	limit=
	verdict "kselftest/$f"
done
for f in $vfiles; do
	: >"$tmp/bad"
	for p in $points; do
		check_run "$dir" "$f" "--kernel $p"
	done
	verdict "$f under every profile point"
done

# The points must have been found, or the loop above checked nothing.
i=$((i + 1))
n=$(echo $points | wc -w)
if [ "$n" -ge 10 ]; then
	echo "ok $i - $n profile points ($(echo $points | cut -d' ' -f1) .. ${points##* })"
else
	echo "not ok $i - profile points from gupsim versions --json: '$points'"
fi

# The checker must be able to fail: each of these outputs is reported.
must_catch() {	# label output
	i=$((i + 1))
	printf '%s\n' "$2" | unexplained >"$tmp/bad"
	if [ -s "$tmp/bad" ]; then
		echo "ok $i - $1"
	else
		echo "not ok $i - $1"
	fi
}
must_catch "an errno without a rule is reported" \
	'   7  A pin p buf longterm                        => EFAULT     ok'
must_catch "an errno with only an object line is reported" \
	"$(printf '   7  A madvise p dontneed                        => EINVAL     ok\n        vma 0x1000-0x2000 rw-p\n      note: something')"
