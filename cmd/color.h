/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Colour on a terminal (cmd/color.c): --color=auto|always|never. auto
 * colours only a terminal, never when NO_COLOR is set (https://no-color.org
 * convention) or TERM is dumb; piped output is never coloured unless
 * --color=always.
 */
#ifndef GUPSIM_CMD_COLOR_H
#define GUPSIM_CMD_COLOR_H

#include <stdbool.h>

/* The default: colour for auto on file descriptor fd. */
bool color_auto(int fd);
/*
 * Parses the value of --color (NULL for a bare --color: always) into *on;
 * 0, or -1 after printing what is wrong (prefix names the command).
 */
int color_parse(const char *prefix, const char *value, int fd, bool *on);

#endif /* GUPSIM_CMD_COLOR_H */
