#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: the JSON outputs match docs/json.md. For `gupsim run --json
# --explain --trace` over the corpus, `gupsim diff --json` on a scenario,
# `gupsim versions --json` on the versions scenarios and `--trace-json`: every member an object has is listed in the
# document's tables for that output, and every `always` member of the
# object's table is there. One test per output and rule.
. "$(dirname "$0")/lib.sh"
doc=$top/docs/json.md
dir=$top/tests/scenarios

# "OUTPUT OBJECT MEMBER PRESENCE" for every table row of docs/json.md.
awk '
/^## / { split(substr($0, 4), h, ": "); out = h[1]; obj = h[2]; gsub(/ /, "_", obj); next }
/^\| `/ {
	split($0, c, "|")
	m = c[2]; gsub(/[ `]/, "", m)
	p = c[4]; gsub(/ /, "", p)
	print out, obj, m, p
}' "$doc" >"$tmp/schema"

# Members of each line of a JSON-lines file: "LINE MEMBER" (any depth).
members() {
	awk '{
		s = $0
		while (match(s, /[{,]"[a-z_]+":/)) {
			print NR, substr(s, RSTART + 2, RLENGTH - 4)
			s = substr(s, RSTART + RLENGTH)
		}
	}' "$1"
}

# unknown OUTPUT FILE: members of FILE no table of OUTPUT lists.
unknown() {
	members "$2" | awk -v out="$1" '
	NR == FNR { if ($1 == out) known[$3] = 1; next }
	!($2 in known) { print "line " $1 ": " $2 }' "$tmp/schema" - |
		sort -u | head -n 5
}

# missing OUTPUT OBJECT PATTERN FILE: lines matching PATTERN (objects of
# that kind) that lack an always member of OBJECT.
missing() {
	awk -v out="$1" -v obj="$2" -v pat="$3" '
	NR == FNR {
		if ($1 == out && $2 == obj && $4 == "always")
			need[$3] = 1
		next
	}
	$0 ~ pat {
		for (m in need)
			if (index($0, "\"" m "\":") == 0)
				print "line " FNR ": no " m
	}' "$tmp/schema" "$4" | head -n 5
}

i=0
check() {	# description output-of-a-check
	i=$((i + 1))
	if [ -z "$2" ]; then
		echo "ok $i - $1"
	else
		echo "not ok $i - $1"
		echo "$2" | sed 's/^/#   /'
	fi
}

echo "1..12"
for f in $(cd "$dir" && find . -name '*.scn' ! -path './bad/*' | sort); do
	(cd "$dir" && "$gupsim" run --json --explain --trace "$f" 2>/dev/null)
done >"$tmp/run.json"
[ -s "$tmp/run.json" ] || echo '{"nothing":1}' >"$tmp/run.json"
check "run --json: every member is documented" "$(unknown run "$tmp/run.json")"
check "run --json: statements have every always member" \
	"$(missing run statement '"statement":' "$tmp/run.json")"
check "run --json: summaries have every always member" \
	"$(missing run summary '"summary":' "$tmp/run.json")"
grep -o '"explain":\[[^]]*\]' "$tmp/run.json" | sed 's/},{/}\n{/g' |
	sed 's/^"explain":\[//; s/\]$//' >"$tmp/explain.json"
check "run --json: explain items have kind and text" \
	"$(missing run explain_item '"kind":' "$tmp/explain.json")"

"$gupsim" diff --json "$dir/tour.scn" >"$tmp/diff.json" 2>/dev/null
[ -s "$tmp/diff.json" ] || echo '{"nothing":1}' >"$tmp/diff.json"
check "diff --json: every member is documented" "$(unknown diff "$tmp/diff.json")"
check "diff --json: statements have every always member" \
	"$(missing diff statement '"verdict":' "$tmp/diff.json")"
check "diff --json: the summary has every always member" \
	"$(missing diff summary '"agreed":' "$tmp/diff.json")"

"$gupsim" run --trace-json "$tmp/trace.json" "$dir/tour.scn" >/dev/null 2>&1
# one event a line; only the top level of an event is checked for members
grep '^{' "$tmp/trace.json" | sed 's/,"args":{.*}}/}/; s/,$//' >"$tmp/events.json"
[ -s "$tmp/events.json" ] || echo '{"nothing":1}' >"$tmp/events.json"
check "trace-json: every member of an event is documented" \
	"$(unknown trace-json "$tmp/events.json")"
check "trace-json: every event has every always member but args" \
	"$(missing trace-json event '"ph":' "$tmp/events.json" | grep -v ': no args$')"

(cd "$dir" && "$gupsim" versions --json versions/*.scn 2>/dev/null) \
	>"$tmp/versions.json"
[ -s "$tmp/versions.json" ] || echo '{"nothing":1}' >"$tmp/versions.json"
check "versions --json: every member is documented" \
	"$(unknown versions "$tmp/versions.json")"
check "versions --json: statements have every always member" \
	"$(missing versions statement '"results":' "$tmp/versions.json")"
check "versions --json: the points object has every always member" \
	"$(missing versions points '^{"profile_points":' "$tmp/versions.json";
	   grep -q '^{"profile_points":\["5.1",.*"6.18"\]}$' \
		"$tmp/versions.json" || echo "no profile_points line")"
