// SPDX-License-Identifier: GPL-2.0
/* --color for gupsim's commands (see color.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "color.h"

bool color_auto(int fd)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no_color && *no_color)
		return false;
	if (term && !strcmp(term, "dumb"))
		return false;
	return isatty(fd);
}

int color_parse(const char *prefix, const char *value, int fd, bool *on)
{
	if (!value || !strcmp(value, "always")) {
		*on = true;
	} else if (!strcmp(value, "never")) {
		*on = false;
	} else if (!strcmp(value, "auto")) {
		*on = color_auto(fd);
	} else {
		fprintf(stderr, "%s: --color takes auto, always or never, not '%s'\n",
			prefix, value);
		return -1;
	}
	return 0;
}
