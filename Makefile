# SPDX-License-Identifier: GPL-2.0
#
# gupsim build, kernel-tools style.
#   make            library, tools and tests (never installs anything)
#   make deps       install the build dependencies (see below)
#   make test       build and run every test (TAP, under prove)
#   make asan       the test suite under ASan + UBSan
#   make tsan       the test suite under ThreadSanitizer
#   make clean
#
# Build dependencies (liburcu-dev) are installed by `make deps` when missing
# and it runs as root; otherwise it stops and prints the command to run.
# `make test`, `make demo` and the other targets that run something call it
# first (the README's two commands work on a fresh machine); a plain `make`
# does not.

CC	?= gcc
BUILD	?= build
Q	:= $(if $(V),,@)

URCU_CFLAGS := $(shell pkg-config --cflags liburcu 2>/dev/null)
URCU_LIBS   := $(shell pkg-config --libs liburcu 2>/dev/null || echo -lurcu -lurcu-common)

OPT	?= -O2 -g
CFLAGS	?=
CFLAGS	+= $(OPT) -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter \
	   -Iinclude $(URCU_CFLAGS) -pthread -MMD -MP $(EXTRA_CFLAGS)
LDLIBS	+= $(URCU_LIBS) -pthread $(EXTRA_LDLIBS)

LIB_SRCS  := $(wildcard mm/*.c lib/*.c drivers/*.c explore/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libgupsim.a

TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_BINS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HARNESS   := $(BUILD)/tests/unit/harness.o

.PHONY: all deps test check asan tsan clean
.DEFAULT_GOAL := all
.SECONDARY:

# Further parts of the build (the gupsim command, scenarios) add to
# ALL_EXTRA (things `make` builds) and PROVE_EXTRA (TAP programs `make test`
# runs after the unit tests).
ALL_EXTRA   :=
PROVE_EXTRA :=
# The gupsim command (built by mk/cmd.mk); scripts find it through the
# exported absolute path in $GUPSIM.
GUPSIM_BIN  := $(BUILD)/gupsim
export GUPSIM := $(abspath $(GUPSIM_BIN))
# The parts, in the order their variables need: each may use the objects
# of those before it (drivers, backends, the language, the command, then
# what runs the command). A part not listed comes after, alphabetically.
MK_ORDER := mk/drivers.mk mk/backend.mk mk/scenario.mk mk/cmd.mk \
	    mk/host.mk mk/bench.mk mk/fuzz.mk
include $(MK_ORDER) $(filter-out $(MK_ORDER),$(sort $(wildcard mk/*.mk)))

all: $(LIB) $(TEST_BINS) $(ALL_EXTRA)

deps:
	$(Q)./tools/ensure-deps

# With one of these goals, deps comes before any compilation (order-only:
# it never makes an object out of date).
DEPS_GOALS := test check demo bench difftest fuzz fuzz-build asan tsan
DEPS_FIRST := $(if $(filter $(DEPS_GOALS),$(MAKECMDGOALS)),deps)

$(BUILD)/%.o: %.c | $(DEPS_FIRST)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(HARNESS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(HARNESS) $(LIB) $(LDLIBS)

test: all
	$(Q)prove -f $(TEST_BINS) $(PROVE_EXTRA)

check: test

asan:
	$(Q)$(MAKE) --no-print-directory BUILD=build-asan \
		EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		EXTRA_LDLIBS="-fsanitize=address,undefined" OPT="-O1 -g" test

tsan:
	$(Q)TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan.supp halt_on_error=1 second_deadlock_stack=1" \
		$(MAKE) --no-print-directory BUILD=build-tsan \
		EXTRA_CFLAGS="-fsanitize=thread" EXTRA_LDLIBS="-fsanitize=thread" \
		OPT="-O1 -g" test

clean:
	rm -rf build build-asan build-tsan

-include $(LIB_OBJS:.o=.d) $(TEST_BINS:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d) $(HARNESS:.o=.d)
