/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A scenario file a command was given, read and parsed before anything
 * runs: `gupsim run`, `demo` and `versions` share it.
 */
#ifndef GUPSIM_CMD_SOURCE_H
#define GUPSIM_CMD_SOURCE_H

#include <stddef.h>

struct program;

struct source {
	const char *name;	/* as given; "-" is standard input */
	char *buf;		/* NULL: read from name by sources_parse() */
	size_t len;
	struct program *prog;	/* set by sources_parse() */
};

/*
 * Reads (where buf is NULL) and parses every source, so a syntax error in
 * any file stops the command before one statement runs. 0, or 2 after
 * printing each error as FILE:LINE:COL.
 */
int sources_parse(struct source *src, int n);

#endif /* GUPSIM_CMD_SOURCE_H */
