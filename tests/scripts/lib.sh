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

# One TAP test, number i + 1: `gupsim run --quiet ARGS` in dir must exit 0
# (every expectation held, invariants held, nothing leaked). A failure
# shows the start of what the run printed.
i=0
run_scenario() {	# label dir args...
	label=$1 rdir=$2
	shift 2
	i=$((i + 1))
	(cd "$rdir" && timeout 60 "$gupsim" run --quiet "$@" \
		>"$tmp/out" 2>"$tmp/err")
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $i - $label"
	else
		echo "not ok $i - $label (exit $rc)"
		sed 's/^/#   /' "$tmp/err" "$tmp/out" | head -n 30
	fi
}

# The TAP plan, then one test a scenario (run_scenario).
run_scenarios() {	# label-prefix dir name...
	prefix=$1 dir=$2
	shift 2
	echo "1..$#"
	for name; do
		run_scenario "$prefix$name" "$dir" "$name"
	done
}
