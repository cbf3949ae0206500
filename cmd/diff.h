/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GUPSIM_CMD_DIFF_H
#define GUPSIM_CMD_DIFF_H

/*
 * `gupsim diff FILE...` (cmd/diff.c): every file on both backends, each
 * run in a process of its own; 0 all agree, 1 a disagreement, 2 usage.
 */
int host_diff_main(int argc, char **argv);

#endif /* GUPSIM_CMD_DIFF_H */
