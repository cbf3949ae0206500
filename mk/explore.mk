# SPDX-License-Identifier: GPL-2.0
#
# gupsim explore (cmd/explore*.c over explore/, the schedule explorer in
# the library). Its unit tests are tests/unit/test_explore.c (built with
# the others); the command's:
#   tests/scripts/explore.sh   exit codes, drawing, replay, shards, random
PROVE_EXTRA += tests/scripts/explore.sh
