/* SPDX-License-Identifier: GPL-2.0 */
/* --kernel VERSION (cmd/kernel_opt.c). */
#ifndef GUPSIM_CMD_KERNEL_OPT_H
#define GUPSIM_CMD_KERNEL_OPT_H

struct kernel_profile;

/* The profile --kernel names, or NULL after printing why not. */
const struct kernel_profile *kernel_opt_parse(const char *cmd,
					      const char *arg);

#endif /* GUPSIM_CMD_KERNEL_OPT_H */
