# SPDX-License-Identifier: GPL-2.0
#
# Debian packages (included by the Makefile):
#   make deb    gupsim, libgupsim0 and libgupsim-dev .debs in $(DEB_DIR),
#               built by dpkg-buildpackage -us -uc -b from a copy of the
#               tree, then checked by lintian (an error fails the target).
# Needs dpkg-dev, debhelper and lintian: installed by tools/ensure-deps deb
# when run as root, and only for this target.
DEB_DIR  := $(BUILD)/deb
DEB_SRC   = $(DEB_DIR)/gupsim-$(VERSION)
DEB_ARCH  = $(shell dpkg-architecture -qDEB_HOST_ARCH)
DEB_BUILD_OPTIONS ?= parallel=2

.PHONY: deb
deb:
	$(Q)./tools/ensure-deps deb
	$(Q)v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog is at $$v, VERSION at $(VERSION)" >&2; exit 1; }
	$(Q)rm -rf $(DEB_DIR) && mkdir -p $(DEB_SRC)
	$(Q)if [ -d .git ] && command -v git >/dev/null; then \
		git ls-files -co --exclude-standard -z | \
			xargs -0 tar cf - --no-recursion; \
	else \
		tar cf - --exclude='./build*' .; \
	fi | tar xf - -C $(DEB_SRC)
	$(Q)cd $(DEB_SRC) && DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -us -uc -b
	$(Q)lintian --fail-on error --info $(DEB_DIR)/gupsim_$(VERSION)_$(DEB_ARCH).changes
	@ls -1 $(DEB_DIR)/*.deb
