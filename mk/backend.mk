# SPDX-License-Identifier: GPL-2.0
#
# The backends (backend/*.c: model.c, the model; host*.c, the running
# kernel), linked into gupsim and the parser tests. Read after
# mk/drivers.mk, before mk/scenario.mk (see the Makefile).
BACKEND_SRCS := $(wildcard backend/*.c)
BACKEND_OBJS := $(BACKEND_SRCS:%.c=$(BUILD)/%.o)

-include $(BACKEND_OBJS:.o=.d)
