# SPDX-License-Identifier: GPL-2.0
#
# The scenario language (scenario/*.c: lexer, parser, interpreter) and its
# tests. Read after mk/backend.mk (the parser tests run on the backends).
#   $(BUILD)/tests/scenario_parser  parser unit tests (TAP)
#   tests/scripts/run-bad.sh        every malformed scenario gives its error
#   tests/scripts/run-good.sh       the scenario corpus runs clean
#   tests/scripts/coverage.sh       the corpus uses every form of the contract
#   tests/scripts/explain.sh        every errno of the corpus names its rule
#   tests/scripts/trace.sh          --trace shows mm_migrate_pages with its counts
#   tests/scripts/json.sh           the JSON outputs match docs/json.md
#   tests/scripts/proc-formats.sh   show buddyinfo/pagetypeinfo/status agree with the counters
SCN_SRCS := $(wildcard scenario/*.c)
SCN_OBJS := $(SCN_SRCS:%.c=$(BUILD)/%.o)
SCN_TEST := $(BUILD)/tests/scenario_parser

$(SCN_TEST): $(BUILD)/tests/parser/test_parser.o $(HARNESS) $(SCN_OBJS) \
	     $(BACKEND_OBJS) $(DRV_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CAIRO_LIBS)

ALL_EXTRA   += $(SCN_TEST)
PROVE_EXTRA += $(SCN_TEST) tests/scripts/run-bad.sh tests/scripts/run-good.sh \
	       tests/scripts/coverage.sh tests/scripts/explain.sh \
	       tests/scripts/trace.sh tests/scripts/json.sh \
	       tests/scripts/proc-formats.sh

-include $(SCN_OBJS:.o=.d) $(BUILD)/tests/parser/test_parser.d
