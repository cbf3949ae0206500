// SPDX-License-Identifier: GPL-2.0
/*
 * The one definition of sched_hooks (lib/sched_point.h): NULL while no
 * explorer runs. It lives in the library with the model, whose points
 * read it; the explorer in the same library (explore/) is its only
 * writer. It is not part of libgupsim.so's interface: programs drive the
 * explorer through <gupsim/explore.h>.
 */
#include <stddef.h>

#include "sched_point.h"

const struct sched_hooks *sched_hooks;
