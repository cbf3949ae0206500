/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The schedule explorer: runs a few threads of model code once per
 * interleaving, one thread at a time, passing control only at the model's
 * schedule points (SCHED_POINT in mm/), the way CHESS or loom explore a
 * program's threads.
 *
 * A caller (gupsim explore, a test) loops:
 *
 *	while (explore_begin(ex)) {
 *		set up; explore_threads(ex, n, fn, ctx); check;
 *		explore_end(ex);
 *	}
 *
 * explore_threads() may be called more than once between begin and end
 * (several race blocks); the schedule is the sequence of every choice
 * made in them. Everything the threads run must be deterministic given
 * the schedule: the same choices must meet the same points.
 *
 * Search: depth-first over every schedule with at most `preemptions`
 * preemptions (a switch away from a thread that could have gone on; a
 * switch where it blocks or ends is free), or `random` schedules drawn
 * with PCT-style priorities, or the one schedule named by an id. A shard
 * I of N runs a part of the space; the N parts are disjoint and their
 * union is the whole.
 */
#ifndef GUPSIM_EXPLORE_H
#define GUPSIM_EXPLORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPLORE_THREADS_MAX	8	/* threads of one explore_threads() */

struct explore_config {
	int preemptions;	/* DFS: the bound; random: PCT depth - 1 */
	long random;		/* > 0: that many random schedules */
	uint64_t seed;		/* of the random schedules */
	int shard, nr_shards;	/* part shard (0-based) of nr_shards; 0: all */
	const char *schedule;	/* replay this schedule id, once */
	long max_steps;		/* points in one schedule (0: 200000) */
};

struct explore;

/* NULL with a message in err (a malformed schedule id, no memory). */
struct explore *explore_create(const struct explore_config *cfg, char *err,
			       size_t len);
void explore_destroy(struct explore *ex);

/* Begins the next schedule: false once there is none left. */
bool explore_begin(struct explore *ex);
/*
 * Whether the schedule begun is this shard's own: a shard runs a few
 * schedules of other shards to find its way through the space, which it
 * must neither count nor report.
 */
bool explore_counted(const struct explore *ex);
/* Runs fn(ctx, i) for i < n (n <= EXPLORE_THREADS_MAX) under the schedule. */
void explore_threads(struct explore *ex, int n, void (*fn)(void *ctx, int i),
		     void *ctx);
/* Ends the schedule begun and chooses the next. */
void explore_end(struct explore *ex);

/* Schedules counted so far. */
long explore_nr_schedules(const struct explore *ex);
/* DFS only: every schedule of the bounded space (of this shard) ran. */
bool explore_covered(const struct explore *ex);

/* ---- the schedule last run (valid until the next explore_begin) ---- */

/* Replays it with explore_config.schedule ("s" and its choices). */
const char *explore_schedule_id(const struct explore *ex);
int explore_preemptions(const struct explore *ex);
/* "deadlock", "livelock", "nondeterministic" or NULL. */
const char *explore_anomaly(const struct explore *ex);

struct explore_step {
	int block;		/* which explore_threads() call, from 1 */
	int thread;		/* i of fn(ctx, i) */
	const char *func, *step;	/* the schedule point */
	bool blocked;		/* the thread could not go on there */
};
int explore_nr_steps(const struct explore *ex);
void explore_get_step(const struct explore *ex, int i,
		      struct explore_step *s);

#endif /* GUPSIM_EXPLORE_H */
