# SPDX-License-Identifier: GPL-2.0
#
# libFuzzer target for the scenario parser and interpreter (model backend).
#   make fuzz                   build build-fuzz/fuzz/fuzz_scenario and run it
#                               for FUZZ_SECONDS (default 600)
#   make fuzz-build             only build it
#   make fuzz-clean             remove build-fuzz (and its corpus)
# Not part of `make test`. Needs clang with libFuzzer (clang 14 and
# libclang-rt-14-dev on Debian 12). The seed corpus is tests/scenarios
# (good and bad); new inputs go to build-fuzz/corpus, findings (crash,
# leak, timeout, out-of-memory) to fuzz/crashes/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
# A timeout stands for a hang (a deadlock, a loop that never ends). The
# slowest legitimate inputs are the kernel's own quadratic paths at the
# 1 GiB machine cap, e.g. a cma_alloc() that retries every aligned offset
# of a big area around a pinned page (alloc_contig_range() per attempt, as
# the kernel does): 10-13 s under ASan on a loaded 2-core machine.
FUZZ_TIMEOUT ?= 30
FUZZ_RSS_MB  ?= 2048
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer
FUZZ_BIN     := build-fuzz/fuzz/fuzz_scenario

.PHONY: fuzz fuzz-build fuzz-clean

fuzz-clean:
	rm -rf build-fuzz

# A separate build tree compiled by clang with coverage instrumentation;
# the link (in the sub-make) adds the libFuzzer runtime.
fuzz-build: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		EXTRA_LDLIBS="-fsanitize=fuzzer $(FUZZ_SAN)" \
		OPT="-O1 -g" $(FUZZ_BIN)

fuzz: fuzz-build
	@mkdir -p build-fuzz/corpus fuzz/crashes
	$(Q)ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		./$(FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) \
		-timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) \
		-max_len=8192 \
		-artifact_prefix=fuzz/crashes/ -print_final_stats=1 \
		-dict=fuzz/scenario.dict \
		build-fuzz/corpus tests/scenarios tests/scenarios/bad

# Only defined in the fuzz build: the objects come from the sub-make's
# $(BUILD) = build-fuzz.
ifeq ($(BUILD),build-fuzz)
# Only the model backend: the host backend talks to the real kernel and
# has no place in a fuzzer. (Read after mk/scenario.mk: see the Makefile.)
FUZZ_OBJS := $(BUILD)/fuzz/fuzz_scenario.o $(MODEL_OBJS) \
	     $(SCN_OBJS) $(DRV_OBJS)

$(FUZZ_BIN): $(FUZZ_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CAIRO_LIBS)

-include $(FUZZ_OBJS:.o=.d)
endif

# ---- make fuzz-api: the C API fuzzer (fuzz/fuzz_api.c) ----
#   make fuzz-api       build build-fuzz/fuzz/fuzz_api and run it for
#                       FUZZ_SECONDS; seeds fuzz/api-seeds (hand-made
#                       call sequences), new inputs build-fuzz/corpus-api,
#                       findings in fuzz/crashes/ (prefix api-)
FUZZ_API_BIN := build-fuzz/fuzz/fuzz_api

.PHONY: fuzz-api fuzz-api-build

fuzz-api-build: deps
	$(Q)$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) \
		EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		EXTRA_LDLIBS="-fsanitize=fuzzer $(FUZZ_SAN)" \
		OPT="-O1 -g" $(FUZZ_API_BIN)

fuzz-api: fuzz-api-build
	@mkdir -p build-fuzz/corpus-api fuzz/crashes
	$(Q)ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		./$(FUZZ_API_BIN) -max_total_time=$(FUZZ_SECONDS) \
		-timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=$(FUZZ_RSS_MB) \
		-max_len=4096 \
		-artifact_prefix=fuzz/crashes/api- -print_final_stats=1 \
		build-fuzz/corpus-api fuzz/api-seeds

ifeq ($(BUILD),build-fuzz)
$(FUZZ_API_BIN): $(BUILD)/fuzz/fuzz_api.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

-include $(BUILD)/fuzz/fuzz_api.d
endif
