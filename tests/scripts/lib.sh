# SPDX-License-Identifier: GPL-2.0
#
# What the scenario TAP scripts share; sourced by them, never run alone.
# Sets here (the scripts' folder), top (the tree), gupsim (GUPSIM names the
# binary, mk/scenario.mk exports it; default build/gupsim) and tmp, a
# scratch folder removed on exit.
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
gupsim=${GUPSIM:-$top/build/gupsim}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The TAP plan, then one test a scenario: `gupsim run --quiet` must exit 0
# (every expectation held, invariants held, nothing leaked). A failure
# shows the start of what the run printed.
run_scenarios() {	# label-prefix dir name...
	prefix=$1 dir=$2
	shift 2
	echo "1..$#"
	i=0
	for name; do
		i=$((i + 1))
		(cd "$dir" && timeout 60 "$gupsim" run --quiet "$name" \
			>"$tmp/out" 2>"$tmp/err")
		rc=$?
		if [ $rc -eq 0 ]; then
			echo "ok $i - $prefix$name"
		else
			echo "not ok $i - $prefix$name (exit $rc)"
			sed 's/^/#   /' "$tmp/err" "$tmp/out" | head -n 30
		fi
	done
}
