// SPDX-License-Identifier: GPL-2.0
/*
 * The host backend runs one kernel-version profile: the host's own. A
 * scenario that asks for another (kernel=, or a tool's --kernel) is
 * refused before anything runs, since the host cannot behave as another
 * release; the model can (gupsim run without --backend host).
 */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>

#include <gupsim/profile.h>

#include "host_kernel.h"

/* "6.18.44-foo" -> the profile point of 6.18; NULL if not modelled. */
static const struct kernel_profile *host_profile(char *release, size_t len)
{
	const struct kernel_profile *p = NULL;
	struct utsname u;
	size_t n;
	char *dot;

	release[0] = 0;
	if (uname(&u))
		return NULL;
	snprintf(release, len, "%s", u.release);
	/* MAJOR.MINOR: up to the second dot or the first non-digit. */
	dot = strchr(u.release, '.');
	if (!dot)
		return NULL;
	n = dot + 1 - u.release;
	while (u.release[n] >= '0' && u.release[n] <= '9')
		n++;
	if (kernel_profile_parse(u.release, n, &p))
		return NULL;
	return p;
}

int host_kernel_check(const char *cmd, const struct program *prog,
		      const struct kernel_profile *forced)
{
	const struct kernel_profile *want = forced ? forced : prog->kernel;
	const struct kernel_profile *host;
	char release[65];

	if (!want)
		return 0;
	host = host_profile(release, sizeof(release));
	if (host == want)
		return 0;
	fprintf(stderr,
		"gupsim %s: %s: the host backend runs only the host's own kernel (%s, profile %s), not the %s profile%s; run it on the model instead\n",
		cmd, prog->filename, release[0] ? release : "unknown",
		host ? kernel_profile_name(host) : "none",
		kernel_profile_name(want),
		forced ? " asked by --kernel" : " asked by kernel=");
	return 2;
}
