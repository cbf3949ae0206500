# SPDX-License-Identifier: GPL-2.0
#
# The host backend (backend/host*.c, built by mk/backend.mk):
#   make difftest   gupsim diff over every scenario: the model against
#                   the running kernel (TAP; also part of make test)
HOST_TESTS := tests/host/difftest.sh tests/host/disagree.sh \
	      tests/host/janitor-killed.sh tests/host/race.sh
PROVE_EXTRA += $(HOST_TESTS)

.PHONY: difftest
difftest: deps $(GUPSIM_BIN)
	$(Q)prove -f $(HOST_TESTS)
