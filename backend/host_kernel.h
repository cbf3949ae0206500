/* SPDX-License-Identifier: GPL-2.0 */
/* The host backend's one profile (backend/host_kernel.c). */
#ifndef GUPSIM_BACKEND_HOST_KERNEL_H
#define GUPSIM_BACKEND_HOST_KERNEL_H

#include "../scenario/scenario.h"

/*
 * The host backend can run a scenario only under the host's own profile:
 * 0 when prog (its kernel=, or forced, a tool's --kernel) asks for none
 * or for the host's; otherwise prints why and returns 2 (a usage error,
 * nothing ran). cmd names the command in the message.
 */
int host_kernel_check(const char *cmd, const struct program *prog,
		      const struct kernel_profile *forced);

#endif /* GUPSIM_BACKEND_HOST_KERNEL_H */
