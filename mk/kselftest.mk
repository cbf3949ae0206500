# SPDX-License-Identifier: GPL-2.0
#
# The kernel's mm selftests cow.c and gup_longterm.c as the bar
# (included by the Makefile).
#   tests/kselftest/cases.sh   one TAP test per case of their plan on this
#                              machine: mirrored cases pass on the model
#                              and agree with the host, the rest say why
#   tests/kselftest/cases.sh --list   the plan as a table
PROVE_EXTRA += tests/kselftest/cases.sh
