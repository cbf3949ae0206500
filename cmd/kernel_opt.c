// SPDX-License-Identifier: GPL-2.0
/*
 * Choosing a kernel-version profile from the command line (--kernel).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <gupsim/profile.h>

#include "kernel_opt.h"

const struct kernel_profile *kernel_opt_parse(const char *cmd,
					      const char *arg)
{
	const struct kernel_profile *p = NULL;
	int ret = arg ? kernel_profile_parse(arg, strlen(arg), &p) : -EINVAL;

	if (!ret)
		return p;
	if (!arg)
		fprintf(stderr, "gupsim %s: --kernel needs a version (5.1 .. 6.18)\n",
			cmd);
	else
		fprintf(stderr, "gupsim %s: --kernel %s %s\n", cmd, arg,
			kernel_profile_strerror(ret));
	return NULL;
}
