# SPDX-License-Identifier: GPL-2.0
#
# Kernel-version profiles (included by the Makefile), run by `make test`:
#   tests/versions/golden.sh   `gupsim versions` of every scenario in
#                              tests/scenarios/versions/ against its
#                              checked-in table (tests/versions/golden/)
#   tests/versions/corpus.sh   the corpus under --kernel 6.18
#   tests/versions/entries.sh  docs/profiles.md shows the code's entries
#   tests/versions/cli.sh      kernel=, --kernel, versions --json, the host
PROVE_EXTRA += tests/versions/golden.sh tests/versions/corpus.sh \
	       tests/versions/cli.sh \
	       tests/versions/entries.sh
