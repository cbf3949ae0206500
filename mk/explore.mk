# SPDX-License-Identifier: GPL-2.0
#
# gupsim explore (cmd/explore*.c over explore/, the schedule explorer in
# the library). Its unit tests are tests/unit/test_explore.c (built with
# the others); the command's:
#   tests/scripts/explore.sh   exit codes, drawing, replay, shards, random
PROVE_EXTRA += tests/scripts/explore.sh

# make bench-explore: the explorer's rows of the benchmark, appended to
# $(BENCH_OUT) (`make bench` ends with it): schedules per second, and the
# cost of schedule points A B A B against the same tree built without
# them (-DGUPSIM_NO_SCHED_POINTS) in $(BUILD)/nopoints.
NOPOINTS_BIN := $(BUILD)/nopoints/gupsim

.PHONY: bench-explore
bench-explore: deps $(GUPSIM_BIN)
	$(Q)$(MAKE) --no-print-directory BUILD=$(BUILD)/nopoints \
		EXTRA_CFLAGS=-DGUPSIM_NO_SCHED_POINTS $(NOPOINTS_BIN)
	@mkdir -p $(dir $(BENCH_OUT))
	$(Q)$(GUPSIM_BIN) bench --explore --baseline $(NOPOINTS_BIN) \
		-o $(BENCH_OUT)
