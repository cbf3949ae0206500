# SPDX-License-Identifier: GPL-2.0
#
# The scenario language and the gupsim command (included by the Makefile).
#   $(BUILD)/gupsim                 the command
#   $(BUILD)/tests/scenario_parser  parser unit tests (TAP)
#   tests/scripts/run-bad.sh        every malformed scenario gives its error
#   tests/scripts/run-good.sh       the scenario corpus runs clean
#   tests/scripts/coverage.sh       the corpus uses every form of the contract
#   make demo                       runs the built-in demo
SCN_SRCS := $(wildcard scenario/*.c backend/*.c drivers/*.c)
SCN_OBJS := $(SCN_SRCS:%.c=$(BUILD)/%.o)
SCN_TEST := $(BUILD)/tests/scenario_parser

CMD_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/*.c))

$(GUPSIM_BIN): $(CMD_OBJS) $(SCN_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $(CMD_OBJS) $(SCN_OBJS) $(LIB) $(LDLIBS)

$(SCN_TEST): $(BUILD)/tests/parser/test_parser.o $(HARNESS) $(SCN_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(HARNESS) $(SCN_OBJS) $(LIB) $(LDLIBS)

ALL_EXTRA   += $(GUPSIM_BIN) $(SCN_TEST)
PROVE_EXTRA += $(SCN_TEST) tests/scripts/run-bad.sh tests/scripts/run-good.sh \
	       tests/scripts/coverage.sh

.PHONY: demo
demo: deps $(GUPSIM_BIN)
	$(Q)$(GUPSIM_BIN) demo

-include $(SCN_OBJS:.o=.d) $(CMD_OBJS:.o=.d) $(BUILD)/tests/parser/test_parser.d
