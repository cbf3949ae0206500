# SPDX-License-Identifier: GPL-2.0
#
# The gupsim command (cmd/*.c) over the scenario language, the backends
# and the driver models. Read after mk/scenario.mk (see the Makefile).
#   $(BUILD)/gupsim                 the command
#   make demo                       runs the built-in demo
CMD_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/*.c))

$(GUPSIM_BIN): $(CMD_OBJS) $(SCN_OBJS) $(BACKEND_OBJS) $(DRV_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS) $(CAIRO_LIBS)

ALL_EXTRA += $(GUPSIM_BIN)

.PHONY: demo
demo: deps $(GUPSIM_BIN)
	$(Q)$(GUPSIM_BIN) demo

-include $(CMD_OBJS:.o=.d)
