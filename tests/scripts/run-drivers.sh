#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every driver scenario (tests/scenarios/drivers/*.scn) runs with exit
# status 0: every expectation held, the model's invariants held at the
# end, every driver registration was released and nothing leaked.
. "$(dirname "$0")/lib.sh"
dir=$top/tests/scenarios/drivers

run_scenarios drivers/ "$dir" $(cd "$dir" && ls *.scn)
