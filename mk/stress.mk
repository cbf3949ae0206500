# SPDX-License-Identifier: GPL-2.0
#
# The concurrency stress (tests/stress/stress.c):
#   make stress        build and run it for STRESS_SECONDS (default 60)
#   make stress-asan   the same under ASan + UBSan (build-asan)
#   make stress-tsan   the same under ThreadSanitizer (build-tsan)
# Not part of `make test`, which runs five seconds of it as a TAP program.
STRESS_SECONDS ?= 60
STRESS_BIN     := $(BUILD)/tests/stress/stress

.PHONY: stress stress-asan stress-tsan
ALL_EXTRA   += $(STRESS_BIN)
PROVE_EXTRA += tests/stress/stress-tap.sh

$(STRESS_BIN): $(BUILD)/tests/stress/stress.o $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

stress: deps $(STRESS_BIN)
	$(Q)STRESS_SECONDS=$(STRESS_SECONDS) ./$(STRESS_BIN)

# The sanitizer builds use the same trees and flags as make asan / tsan.
stress-asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		EXTRA_LDLIBS="-fsanitize=address,undefined" OPT="-O1 -g" stress

stress-tsan:
	$(Q)TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
		$(MAKE) --no-print-directory BUILD=build-tsan \
		EXTRA_CFLAGS="-fsanitize=thread" EXTRA_LDLIBS="-fsanitize=thread" \
		OPT="-O1 -g" stress

-include $(BUILD)/tests/stress/stress.d
