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
	else if (ret == -ENOENT)
		fprintf(stderr, "gupsim %s: --kernel %s: there is no such release (5.19 was followed by 6.0)\n",
			cmd, arg);
	else if (ret == -ERANGE)
		fprintf(stderr, "gupsim %s: --kernel %s is out of range: releases 5.1 to 6.18 are modelled\n",
			cmd, arg);
	else
		fprintf(stderr, "gupsim %s: --kernel %s is not a version: expected MAJOR.MINOR, e.g. 5.2\n",
			cmd, arg);
	return NULL;
}
