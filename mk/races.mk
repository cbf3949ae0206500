# SPDX-License-Identifier: GPL-2.0
#
# The races of GUP-fast that kernel fixes closed, and GUP-fast against the
# operations it races with, under gupsim explore (tests/races/README.md):
#   tests/races/run.sh   each *.finds.scn fails in some schedule, each
#                        other file holds in every one (TAP)
PROVE_EXTRA += tests/races/run.sh
