# SPDX-License-Identifier: GPL-2.0
#
# The backends (backend/*.c: model*.c, the model; host*.c, the running
# kernel), linked into gupsim and the parser tests. Read after
# mk/drivers.mk, before mk/scenario.mk (see the Makefile).
#
# `show map FILE.svg` draws with cairo's SVG surface (libcairo2-dev,
# installed by tools/ensure-deps); without cairo the rest builds and that
# one form says it cannot draw. Whatever links $(BACKEND_OBJS) or
# $(MODEL_OBJS) adds $(CAIRO_LIBS).
BACKEND_SRCS := $(wildcard backend/*.c)
BACKEND_OBJS := $(BACKEND_SRCS:%.c=$(BUILD)/%.o)
MODEL_OBJS   := $(patsubst %.c,$(BUILD)/%.o,$(wildcard backend/model*.c))

CAIRO_LIBS   := $(shell pkg-config --libs cairo fontconfig 2>/dev/null)
ifneq ($(CAIRO_LIBS),)
$(BUILD)/backend/model_map.o: CFLAGS += \
	$(shell pkg-config --cflags cairo fontconfig) -DHAVE_CAIRO
endif

-include $(BACKEND_OBJS:.o=.d)
