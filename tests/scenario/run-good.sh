#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every scenario listed in tests/scenarios/PASSING (one file name a
# line; all of tests/scenarios/*.scn when the list is absent) must run
# with exit status 0: every expectation held, the model's invariants held
# and nothing leaked. GUPSIM_ALL=1 runs every scenario regardless.
. "$(dirname "$0")/lib.sh"
dir=$top/tests/scenarios

if [ -f "$dir/PASSING" ] && [ -z "$GUPSIM_ALL" ]; then
	list=$(list_file "$dir/PASSING")
else
	list=$(cd "$dir" && ls *.scn)
fi
run_scenarios "" "$dir" $list
