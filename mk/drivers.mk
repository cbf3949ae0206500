# SPDX-License-Identifier: GPL-2.0
#
# The driver models (drivers/*.c, linked into gupsim by mk/cmd.mk) and
# their tests. Read first of the parts (see the Makefile):
#   tests/scripts/run-drivers.sh      every tests/scenarios/drivers/*.scn
#   $(BUILD)/tests/test_drivers       C tests of the driver API (vfio's
#                                     external pins from another context)
#   $(BUILD)/tests/io_uring_cases     io_uring on the host kernel vs the
#                                     model, case by case (TAP; cases the
#                                     host cannot run are skipped)
DRV_SRCS := $(wildcard drivers/*.c)
DRV_OBJS := $(DRV_SRCS:%.c=$(BUILD)/%.o)
DRV_TEST := $(BUILD)/tests/test_drivers
HOST_IOU := $(BUILD)/tests/io_uring_cases

$(DRV_TEST): $(BUILD)/tests/drivers/test_drivers.o $(HARNESS) $(DRV_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(HARNESS) $(DRV_OBJS) $(LIB) $(LDLIBS)

$(HOST_IOU): $(BUILD)/tests/host/io_uring_cases.o $(DRV_OBJS) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(DRV_OBJS) $(LIB) $(LDLIBS)

ALL_EXTRA   += $(DRV_TEST) $(HOST_IOU)
PROVE_EXTRA += $(DRV_TEST) $(HOST_IOU) tests/scripts/run-drivers.sh

-include $(BUILD)/tests/drivers/test_drivers.d $(BUILD)/tests/host/io_uring_cases.d
