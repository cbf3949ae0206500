# SPDX-License-Identifier: GPL-2.0
#
# gupsim bench (included by the Makefile). The command itself is part of
# $(BUILD)/gupsim (cmd/*.c); this adds
#   make bench    the standard set, written to bench/results.md, with
#                 bench/ns-per-page.dat (ns per page against buffer
#                 size) and its picture bench/ns-per-page.svg beside it
# It is never part of `make test`: it takes a few minutes, needs the
# host's io_uring and measures this machine, not the model's correctness.
# BENCH_STATEMENTS: N of the long-scenario row (N and 10 N statements;
# 0 leaves the row out).
# BENCH_FUZZ_SECONDS: how long the fuzz-rate row runs the plain scenario
# fuzzer (built with `make fuzz-build`; without clang the row says "not
# measured"); 0 leaves the row out.
# The picture is drawn with gnuplot (Debian's gnuplot-nox), which `make
# bench` installs as root (tools/ensure-deps bench) and otherwise asks
# for; without it the data and results are still written, and the
# results say the picture was not drawn.
# The row of what --explain and --trace cost when off compares this
# gupsim with $(NOHOOKS_BIN), the same tree built with -DGUPSIM_NO_HOOKS
# (every explain and trace site compiled out) in $(BUILD)/nohooks.
BENCH_OUT          ?= bench/results.md
BENCH_REPEATS      ?= 7
BENCH_STATEMENTS   ?= 100000
BENCH_FUZZ_SECONDS ?= 30
BENCH_DIR          := $(patsubst %/,%,$(dir $(BENCH_OUT)))
BENCH_DATA         := $(BENCH_DIR)/ns-per-page.dat
BENCH_SVG          := $(BENCH_DIR)/ns-per-page.svg
NOHOOKS_BIN        := $(BUILD)/nohooks/gupsim

# A second build tree: its own objects, the same sources and flags.
.PHONY: $(NOHOOKS_BIN)
$(NOHOOKS_BIN): | $(DEPS_FIRST)
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/nohooks \
		EXTRA_CFLAGS="$(EXTRA_CFLAGS) -DGUPSIM_NO_HOOKS" $@

.PHONY: bench bench-plot
bench: deps $(BUILD)/gupsim $(NOHOOKS_BIN)
	@mkdir -p $(dir $(BENCH_OUT))
	$(Q)$(BUILD)/gupsim bench --standard -r $(BENCH_REPEATS) \
		--statements $(BENCH_STATEMENTS) \
		--hooks-off $(NOHOOKS_BIN) -o $(BENCH_OUT)
ifneq ($(BENCH_FUZZ_SECONDS),0)
	$(Q)if $(MAKE) --no-print-directory fuzz-build >/dev/null; then \
		tools/bench-fuzz $(FUZZ_BIN) $(BENCH_FUZZ_SECONDS) $(BENCH_OUT); \
	else \
		echo "| fuzz executions per second (plain scenario fuzzer) >= 2000 | not measured (no fuzz build) | **not met** |" >>$(BENCH_OUT); \
	fi
endif
	$(Q)$(MAKE) --no-print-directory bench-explore
	$(Q)$(MAKE) --no-print-directory bench-plot

# Draws $(BENCH_SVG) from the data of the last `make bench`.
bench-plot:
	$(Q)tools/ensure-deps bench || true
	$(Q)if command -v gnuplot >/dev/null 2>&1; then \
		gnuplot -e "data='$(BENCH_DATA)'; out='$(BENCH_SVG)'" \
			tools/bench-plot.gp && echo "wrote $(BENCH_SVG)"; \
	else \
		echo "gupsim: gnuplot not installed (Debian: gnuplot-nox): $(BENCH_SVG) not drawn" >&2; \
		printf '\n(%s was not drawn: gnuplot, Debian package gnuplot-nox, is not installed.)\n' \
			"$(notdir $(BENCH_SVG))" >>$(BENCH_OUT); \
	fi

# The drawing itself is tested with `make test` (skips without gnuplot).
PROVE_EXTRA += tests/scripts/bench-plot.sh
