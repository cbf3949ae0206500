# SPDX-License-Identifier: GPL-2.0
#
# gupsim as a library others build against (included by the Makefile):
#   $(BUILD)/libgupsim.so.*     the shared library (public API only,
#                               mk/libgupsim.map); libgupsim.a is $(LIB)
#   make install                PREFIX=/usr/local, DESTDIR, GNU directory
#                               variables (prefix, bindir, libdir, ...)
#   make uninstall              removes what install put there
# The version is the one line in VERSION: the soname, gupsim.pc,
# <gupsim/version.h>, `gupsim --version` and debian/changelog use it.
VERSION       := $(shell cat VERSION)
VERSION_MAJOR := $(word 1,$(subst ., ,$(VERSION)))
VERSION_MINOR := $(word 2,$(subst ., ,$(VERSION)))
VERSION_PATCH := $(word 3,$(subst ., ,$(VERSION)))

SONAME     := libgupsim.so.$(VERSION_MAJOR)
SHLIB      := $(BUILD)/libgupsim.so.$(VERSION)
SHLIB_MAP  := mk/libgupsim.map
VERSION_H  := $(BUILD)/include/gupsim/version.h

# One set of library objects serves both libraries: position-independent,
# and without semantic interposition so calls inside the library still
# inline and bind locally (the static gupsim command loses nothing).
# Objects an older tree compiled without -fPIC would fail the shared link:
# the stamp, new to such a build folder, makes them older than it.
LIB_PIC_CFLAGS := -fPIC -fno-semantic-interposition
LIB_PIC_STAMP  := $(BUILD)/.lib-pic
$(LIB_OBJS): CFLAGS += $(LIB_PIC_CFLAGS)
$(LIB_OBJS): $(LIB_PIC_STAMP)
CFLAGS += -I$(BUILD)/include

$(LIB_PIC_STAMP):
	@mkdir -p $(dir $@)
	@echo '$(LIB_PIC_CFLAGS)' > $@

$(VERSION_H): VERSION mk/install.mk
	@mkdir -p $(dir $@)
	$(Q)printf '%s\n' '/* SPDX-License-Identifier: GPL-2.0 */' \
		'/* Generated from VERSION by the build. */' \
		'#ifndef GUPSIM_VERSION_H' '#define GUPSIM_VERSION_H' \
		'#define GUPSIM_VERSION "$(VERSION)"' \
		'#define GUPSIM_VERSION_MAJOR $(VERSION_MAJOR)' \
		'#define GUPSIM_VERSION_MINOR $(VERSION_MINOR)' \
		'#define GUPSIM_VERSION_PATCH $(VERSION_PATCH)' \
		'#endif /* GUPSIM_VERSION_H */' > $@.tmp && mv $@.tmp $@

# Whatever includes <gupsim/version.h> needs it made first.
$(BUILD)/cmd/gupsim.o: $(VERSION_H)

$(SHLIB): $(LIB_OBJS) $(SHLIB_MAP)
	$(Q)$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) \
		-Wl,--version-script=$(SHLIB_MAP) -Wl,--no-undefined \
		-o $@ $(LIB_OBJS) $(LDLIBS)
	$(Q)ln -sf $(notdir $@) $(BUILD)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(BUILD)/libgupsim.so

ALL_EXTRA += $(VERSION_H) $(SHLIB)

# ---- installation directories (GNU coding standards) ----
PREFIX       ?= /usr/local
prefix       ?= $(PREFIX)
exec_prefix  ?= $(prefix)
bindir       ?= $(exec_prefix)/bin
libdir       ?= $(exec_prefix)/lib
includedir   ?= $(prefix)/include
datarootdir  ?= $(prefix)/share
datadir      ?= $(datarootdir)
mandir       ?= $(datarootdir)/man
man1dir      ?= $(mandir)/man1
man3dir      ?= $(mandir)/man3
man5dir      ?= $(mandir)/man5
docdir       ?= $(datarootdir)/doc/gupsim
pkgconfigdir ?= $(libdir)/pkgconfig
bashcompdir  ?= $(datarootdir)/bash-completion/completions

INSTALL      ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 755
INSTALL_DATA ?= $(INSTALL) -m 644

PUB_HEADERS  := $(wildcard include/gupsim/*.h)
MAN_PAGES    := man/gupsim.1 man/gupsim.3 man/gupsim-scenario.5
EXAMPLE_DIRS := $(patsubst %/,%,$(dir $(wildcard examples/*/Makefile)))
EXAMPLE_FILES := $(foreach d,$(EXAMPLE_DIRS),$(wildcard $(d)/*.c $(d)/*.h $(d)/Makefile $(d)/README))

# The .pc file holds the directories chosen at install time.
$(BUILD)/gupsim.pc: mk/gupsim.pc.in VERSION FORCE
	@mkdir -p $(dir $@)
	$(Q)sed -e 's|@VERSION@|$(VERSION)|' -e 's|@prefix@|$(prefix)|' \
		-e 's|@libdir@|$(libdir)|' -e 's|@includedir@|$(includedir)|' \
		$< > $@

.PHONY: install uninstall FORCE
FORCE:

install: $(GUPSIM_BIN) $(LIB) $(SHLIB) $(VERSION_H) $(BUILD)/gupsim.pc
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(libdir) \
		$(DESTDIR)$(includedir)/gupsim $(DESTDIR)$(pkgconfigdir) \
		$(DESTDIR)$(man1dir) $(DESTDIR)$(man3dir) $(DESTDIR)$(man5dir) \
		$(DESTDIR)$(bashcompdir)
	$(INSTALL_PROGRAM) $(GUPSIM_BIN) $(DESTDIR)$(bindir)/gupsim
	$(INSTALL_DATA) $(LIB) $(DESTDIR)$(libdir)/libgupsim.a
	$(INSTALL_PROGRAM) $(SHLIB) $(DESTDIR)$(libdir)/$(notdir $(SHLIB))
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(libdir)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(libdir)/libgupsim.so
	$(INSTALL_DATA) $(PUB_HEADERS) $(VERSION_H) $(DESTDIR)$(includedir)/gupsim/
	$(INSTALL_DATA) $(BUILD)/gupsim.pc $(DESTDIR)$(pkgconfigdir)/gupsim.pc
	$(INSTALL_DATA) man/gupsim.1 $(DESTDIR)$(man1dir)/
	$(INSTALL_DATA) man/gupsim.3 $(DESTDIR)$(man3dir)/
	$(INSTALL_DATA) man/gupsim-scenario.5 $(DESTDIR)$(man5dir)/
	$(INSTALL_DATA) tools/gupsim.bash-completion $(DESTDIR)$(bashcompdir)/gupsim
	$(foreach d,$(EXAMPLE_DIRS),$(INSTALL) -d $(DESTDIR)$(docdir)/$(d) && \
		$(INSTALL_DATA) $(filter $(d)/%,$(EXAMPLE_FILES)) $(DESTDIR)$(docdir)/$(d)/ &&) true

uninstall:
	rm -f $(DESTDIR)$(bindir)/gupsim $(DESTDIR)$(libdir)/libgupsim.a \
		$(DESTDIR)$(libdir)/libgupsim.so $(DESTDIR)$(libdir)/$(SONAME) \
		$(DESTDIR)$(libdir)/libgupsim.so.$(VERSION) \
		$(DESTDIR)$(pkgconfigdir)/gupsim.pc \
		$(DESTDIR)$(man1dir)/gupsim.1 $(DESTDIR)$(man3dir)/gupsim.3 \
		$(DESTDIR)$(man5dir)/gupsim-scenario.5 \
		$(DESTDIR)$(bashcompdir)/gupsim
	rm -rf $(DESTDIR)$(includedir)/gupsim $(DESTDIR)$(docdir)/examples
	-rmdir $(DESTDIR)$(docdir) 2>/dev/null

# The install test (tests/install/*.sh, in make test) reinstalls the build
# tree into a temporary DESTDIR; it finds the tree, and the flags it was
# built with (a sanitizer build's), here.
export GUPSIM_BUILD := $(abspath $(BUILD))
export GUPSIM_EXTRA_CFLAGS := $(EXTRA_CFLAGS)
export GUPSIM_EXTRA_LDLIBS := $(EXTRA_LDLIBS)
export GUPSIM_OPT := $(OPT)
PROVE_EXTRA += tests/install/cli.sh tests/install/headers.sh \
	       tests/install/symbols.sh \
	       tests/install/install.sh
