/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gupsim explore (cmd/explore.c): every interleaving of a scenario's race
 * blocks at the model's schedule points; cmd/explore_draw.c draws one.
 */
#ifndef GUPSIM_CMD_EXPLORE_H
#define GUPSIM_CMD_EXPLORE_H

#include <stdbool.h>
#include <stdio.h>

struct explore;
struct program;

int cmd_explore(int argc, char **argv);

/*
 * Draws the schedule ex last ran as kernel commit messages draw a race:
 * one column per thread of each race block of prog, one row per point.
 */
void explore_draw(FILE *out, const struct program *prog,
		  const struct explore *ex);
/* The same steps as a JSON array of {"block","thread","func","step"}. */
void explore_draw_json(FILE *out, const struct explore *ex);

/*
 * Schedules per second of one scenario text (its first schedules, up to
 * max or secs seconds): for `gupsim bench`. -1 if it does not parse.
 */
double explore_rate(const char *text, long max, double secs, long *ran);

/* gupsim bench --explore (cmd/bench_explore.c). */
int cmd_bench_explore(int argc, char **argv);

#endif /* GUPSIM_CMD_EXPLORE_H */
