# SPDX-License-Identifier: GPL-2.0
#
# gupsim bench (included by the Makefile). The command itself is part of
# $(BUILD)/gupsim (cmd/*.c); this adds
#   make bench    the standard set, written to docs/bench-results.md
# It is never part of `make test`: it takes a few minutes, needs the
# host's io_uring and measures this machine, not the model's correctness.
# BENCH_STATEMENTS: N of the long-scenario row (N and 10 N statements;
# 0 leaves the row out).
# BENCH_FUZZ_SECONDS: how long the fuzz-rate row runs the plain scenario
# fuzzer (built with `make fuzz-build`; without clang the row says "not
# measured"); 0 leaves the row out.
BENCH_OUT          ?= docs/bench-results.md
BENCH_REPEATS      ?= 7
BENCH_STATEMENTS   ?= 100000
BENCH_FUZZ_SECONDS ?= 30

.PHONY: bench
bench: deps $(BUILD)/gupsim
	@mkdir -p $(dir $(BENCH_OUT))
	$(Q)$(BUILD)/gupsim bench --standard -r $(BENCH_REPEATS) \
		--statements $(BENCH_STATEMENTS) -o $(BENCH_OUT)
ifneq ($(BENCH_FUZZ_SECONDS),0)
	$(Q)if $(MAKE) --no-print-directory fuzz-build >/dev/null; then \
		tools/bench-fuzz $(FUZZ_BIN) $(BENCH_FUZZ_SECONDS) $(BENCH_OUT); \
	else \
		echo "| fuzz executions per second (plain scenario fuzzer) >= 2000 | not measured (no fuzz build) | **not met** |" >>$(BENCH_OUT); \
	fi
endif
	$(Q)$(MAKE) --no-print-directory bench-explore
