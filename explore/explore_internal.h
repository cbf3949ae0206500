/* SPDX-License-Identifier: GPL-2.0 */
/*
 * explore/: the schedule explorer behind <gupsim/explore.h>.
 *
 *   sched.c	the threads: one runs at a time; the schedule-point hooks
 *		(lib/sched_point.h) hand the CPU over as the search decides
 *   search.c	the decisions: depth-first with a preemption bound, PCT
 *		random, replay of an id, shards; schedule ids
 *
 * A decision is taken at every hook where more than one thread could run;
 * a schedule is the sequence of those decisions, and its id lists only
 * the ones that differ from the default (keep running the thread that
 * runs, else the lowest-numbered runnable one).
 */
#ifndef GUPSIM_EXPLORE_INTERNAL_H
#define GUPSIM_EXPLORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <gupsim/explore.h>

#include "../lib/sched_point.h"

enum xstate { XT_RUNNABLE, XT_BLOCKED, XT_DONE };

struct xthread {
	struct explore *ex;
	pthread_t tid;
	bool started;		/* in the pool: runs job after job */
	long job_seen;		/* the last job it took */
	int id;
	pthread_cond_t cv;	/* signalled when it may run */
	enum xstate state;	/* under ex->mu */
	const void *obj;	/* XT_BLOCKED: woken by sched_wake(obj); NULL:
				 * by any other thread's progress */
	void (*fn)(void *ctx, int i);
	void *ctx;
};

/* A decision: more than one thread was runnable. */
struct xdecision {
	uint8_t enabled;	/* runnable threads, a mask */
	int8_t cur;		/* the thread that could go on, or -1 */
	int8_t chosen;
	uint8_t tried;		/* DFS: the choices taken here so far */
	int preempts_before;	/* preemptions of the schedule before it */
};

struct xstep {
	const struct sched_point *sp;
	uint16_t block;
	uint8_t thread;
	bool blocked;
};

struct explore {
	struct explore_config cfg;
	/* ---- the threads (sched.c); under mu while they run ---- */
	pthread_mutex_t mu;
	struct xthread th[EXPLORE_THREADS_MAX];
	int nr_threads;		/* of the job (explore_threads) that runs */
	long job;		/* explore_threads() calls so far */
	int nr_done;		/* threads of the job that have finished */
	pthread_cond_t done_cv;	/* signalled when the last one finishes */
	bool quit;		/* explore_destroy(): the pool ends */
	int running;		/* the thread that may run, -1: none yet */
	bool freerun;		/* control given up: every thread runs */
	bool retried;		/* the blocked were woken since the last progress */
	long steps;		/* hooks passed in this schedule */
	int block_no;
	struct xstep *trace;
	int nr_trace, cap_trace;
	const char *anomaly;
	/* ---- the search (search.c) ---- */
	struct xdecision *stack;	/* this schedule's decisions */
	int depth, cap;		/* decisions made; room */
	int replay_len;		/* the first ones repeat the last schedule's */
	int preempts;		/* this schedule's, so far */
	bool started, done, covered, counted;
	long nr_counted;	/* schedules of this shard */
	long run_no;		/* random: the schedule's number */
	long keyno;		/* shards: the subtree the schedule is in */
	int key_depth;		/* shards: decisions that pick the subtree */
	uint64_t rng;
	int prio[EXPLORE_THREADS_MAX];
	int *change;		/* PCT: decisions where priority drops */
	int nr_change;
	int est_depth;		/* PCT: decisions of a schedule, estimated */
	struct { int at, thread; } *dev;	/* replay: the id's choices */
	int nr_dev;
	char *id;
	size_t id_cap;
};

/* search.c */
int search_decide(struct explore *ex, unsigned int enabled, int cur, int self);
void search_block_start(struct explore *ex, int n);
int search_create(struct explore *ex, char *err, size_t len);
bool search_begin(struct explore *ex);
void search_end(struct explore *ex);
void search_destroy(struct explore *ex);

#endif /* GUPSIM_EXPLORE_INTERNAL_H */
