# SPDX-License-Identifier: GPL-2.0
#
# The pageblock map's picture test (read after mk/backend.mk, which finds
# cairo): tests/scripts/map.sh renders `show map FILE.svg` with
# rsvg-convert and reads pixels with $(BUILD)/tests/pngpixel. Without
# cairo or rsvg-convert the script skips, saying why.
PNGPIXEL := $(BUILD)/tests/pngpixel

ifneq ($(CAIRO_LIBS),)
$(PNGPIXEL): tests/tools/pngpixel.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(shell pkg-config --cflags cairo) -o $@ $< \
		$(CAIRO_LIBS)

ALL_EXTRA += $(PNGPIXEL)
endif
export PNGPIXEL := $(abspath $(PNGPIXEL))
PROVE_EXTRA += tests/scripts/map.sh

# The README's picture: the end state of tests/scenarios/tour-map.scn.
.PHONY: tour-map
tour-map: $(GUPSIM_BIN)
	$(Q)$(GUPSIM_BIN) run --quiet --map docs/tour-map.svg \
		tests/scenarios/tour-map.scn
