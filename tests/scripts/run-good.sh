#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP: every scenario of tests/scenarios/*.scn must run with exit status 0:
# every expectation held, the model's invariants held and nothing leaked.
# (drivers/ has run-drivers.sh, host/ and bad/ their own scripts.)
. "$(dirname "$0")/lib.sh"
dir=$top/tests/scenarios

run_scenarios "" "$dir" $(cd "$dir" && ls *.scn)
