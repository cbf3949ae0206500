// SPDX-License-Identifier: GPL-2.0
/*
 * The one definition of sched_hooks (lib/sched_point.h). It lives in the
 * library with the model, whose points read it; an explorer linked into
 * the same library (lib/explore*.c) is the only writer. It is not part
 * of libgupsim.so's interface: programs drive the explorer through
 * <gupsim/explore.h>.
 */
#include "sched_point.h"

const struct sched_hooks *sched_hooks;
