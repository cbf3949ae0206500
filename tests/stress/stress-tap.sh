#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Five seconds of the stress under `make test` (TAP). The binary sits in
# the build tree beside $GUPSIM (build/, build-asan/ or build-tsan/).
exec "$(dirname "$GUPSIM")/tests/stress/stress" -t "${STRESS_TEST_SECONDS:-5}" --tap
