#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: what the command line promises beyond the scenario language:
# --version / -V, '-' as standard input for run and diff, and the bash
# completion (commands, options, option values).
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
version=$(cat "$top/VERSION")
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "1..7"
i=0
result() {
	rc=$?
	i=$((i + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $i - $1"
	else
		echo "not ok $i - $1"
		sed 's/^/#   /' "$tmp/out" | head -n 20
	fi
}

for opt in --version -V; do
	"$gupsim" $opt >"$tmp/out" 2>&1 &&
	printf 'gupsim %s\ndefault kernel profile 6.18\n' "$version" |
		cmp -s - "$tmp/out"
	result "gupsim $opt prints the version and the default kernel profile"
done

"$gupsim" demo --print | "$gupsim" run - >"$tmp/out" 2>&1 &&
	grep -q '^<stdin>: .* 0 failed; invariants hold' "$tmp/out"
result "run - runs the scenario on standard input"

printf 'task A\nA frob x\n' | "$gupsim" run - >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q '^<stdin>:2:3: error: ' "$tmp/out"
result "run -: a syntax error is <stdin>:LINE:COL, exit 2"

printf 'task A\nA frob x\n' | "$gupsim" diff - >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q '^<stdin>:2:3: error: ' "$tmp/out"
result "diff - reads standard input too"

"$gupsim" run - - </dev/null >"$tmp/out" 2>&1
[ $? -eq 2 ] && grep -q "standard input) given twice" "$tmp/out"
result "run - -: a usage error"

if command -v bash >/dev/null 2>&1; then
	bash -c '
		. "$1"
		c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gupsim
		      echo "${COMPREPLY[*]}"; }
		[ "$(c gupsim r)" = run ] &&
		[ "$(c gupsim run --ba)" = --backend ] &&
		[ "$(c gupsim run --backend "")" = "model host" ] &&
		[ "$(c gupsim demo --p)" = --print ]
	' sh "$top/tools/gupsim.bash-completion" >"$tmp/out" 2>&1
	result "bash completion: commands, options, option values"
else
	i=$((i + 1))
	echo "ok $i # SKIP no bash"
fi
