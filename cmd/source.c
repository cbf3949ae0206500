// SPDX-License-Identifier: GPL-2.0
/* Reading and parsing the scenario files a command was given. */
#include <stdio.h>
#include <string.h>

#include "../scenario/scenario.h"
#include "source.h"

int sources_parse(struct source *src, int n)
{
	int status = 0;

	for (int i = 0; i < n; i++) {
		const char *shown = strcmp(src[i].name, "-") ? src[i].name :
				    "<stdin>";
		struct scn_error err;

		if (!src[i].buf) {
			int ret = scn_read_file(src[i].name, &src[i].buf,
						&src[i].len);

			if (ret) {
				fprintf(stderr, "gupsim: %s: %s\n", src[i].name,
					strerror(-ret));
				status = 2;
				continue;
			}
		}
		src[i].prog = scn_parse(shown, src[i].buf, src[i].len, &err);
		if (!src[i].prog) {
			scn_print_error(stderr, shown, src[i].buf,
					src[i].len, &err);
			status = 2;
		}
	}
	return status;
}
