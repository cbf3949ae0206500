// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's threads: real threads, of which exactly one runs at a
 * time while a schedule is explored.
 *
 * The threads are a pool, started by the first explore_threads() that
 * needs them and ended by explore_destroy(): a schedule costs no thread
 * creation. A pool thread waits for a job (ex->job newer than the last it
 * took, its id below ex->nr_threads), runs fn(ctx, id) and waits again.
 *
 * Each thread waits on its own condition variable until ex->running names
 * it. At a schedule point the running thread records the point, asks the
 * search which thread runs next (search.c) and, if that is another one,
 * hands ex->running over and waits. A thread that cannot go on
 * (SCHED_BLOCK) leaves the runnable set until sched_wake() of its object,
 * or, blocked on NULL, until another thread passes a point or ends.
 *
 * Invariants (under ex->mu): at most one thread is outside a wait, and it
 * is ex->running, unless ex->freerun; a thread is XT_BLOCKED only while it
 * waits.
 *
 * When no thread is runnable, every blocked thread is woken once to
 * re-check its condition (a wake may come from a thread the explorer does
 * not control, e.g. liburcu's worker releasing a lock); if that makes no
 * progress the schedule has deadlocked. A schedule longer than max_steps
 * livelocks. Either is recorded as the schedule's anomaly, and control is
 * given up (freerun): the threads then run as the machine schedules them,
 * so they can finish and the run can be reported rather than hang.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"

static __thread struct xthread *xself;
/* The explorer whose threads run (explore_threads), for sched_wake(). */
static struct explore *xactive;

static unsigned int runnable_mask(const struct explore *ex)
{
	unsigned int m = 0;

	for (int i = 0; i < ex->nr_threads; i++)
		if (ex->th[i].state == XT_RUNNABLE)
			m |= 1u << i;
	return m;
}

static bool all_done(const struct explore *ex)
{
	for (int i = 0; i < ex->nr_threads; i++)
		if (ex->th[i].state != XT_DONE)
			return false;
	return true;
}

static void record(struct explore *ex, struct xthread *x,
		   const struct sched_point *sp, bool blocked)
{
	if (ex->nr_trace == ex->cap_trace) {
		int cap = ex->cap_trace ? ex->cap_trace * 2 : 256;
		struct xstep *t = realloc(ex->trace, cap * sizeof(*t));

		if (!t)
			return;		/* the drawing loses rows, nothing else */
		ex->trace = t;
		ex->cap_trace = cap;
	}
	ex->trace[ex->nr_trace++] = (struct xstep){
		.sp = sp, .block = ex->block_no, .thread = x->id,
		.blocked = blocked,
	};
}

/* x passed a point or ended: threads waiting for any progress may go on. */
static void progress(struct explore *ex, struct xthread *x)
{
	for (int i = 0; i < ex->nr_threads; i++) {
		struct xthread *t = &ex->th[i];

		if (t != x && t->state == XT_BLOCKED && !t->obj)
			t->state = XT_RUNNABLE;
	}
	ex->retried = false;
}

/* Gives up control for the rest of this block: every thread runs. */
static void go_free(struct explore *ex, const char *why)
{
	if (!ex->anomaly)
		ex->anomaly = why;
	ex->freerun = true;
	for (int i = 0; i < ex->nr_threads; i++) {
		if (ex->th[i].state == XT_BLOCKED)
			ex->th[i].state = XT_RUNNABLE;
		pthread_cond_signal(&ex->th[i].cv);
	}
}

static void wait_turn(struct explore *ex, struct xthread *x)
{
	while (x->state != XT_DONE && ex->running != x->id && !ex->freerun)
		pthread_cond_wait(&x->cv, &ex->mu);
}

/*
 * x is at a point, blocked or done: the search picks who runs next; x
 * waits until it is picked (at once if it is picked now). Under ex->mu.
 */
static void switch_from(struct explore *ex, struct xthread *x)
{
	unsigned int en = runnable_mask(ex);
	int next, cur;

	if (!en && !all_done(ex)) {
		if (!ex->retried) {
			for (int i = 0; i < ex->nr_threads; i++)
				if (ex->th[i].state == XT_BLOCKED)
					ex->th[i].state = XT_RUNNABLE;
			ex->retried = true;
			en = runnable_mask(ex);
		}
		if (!en) {
			go_free(ex, "deadlock");
			return;
		}
	}
	if (!en)
		return;			/* x was the last one */
	if (++ex->steps > ex->cfg.max_steps) {
		go_free(ex, "livelock");
		return;
	}
	cur = x->state == XT_RUNNABLE ? x->id : -1;
	next = en & (en - 1) ? search_decide(ex, en, cur, x->id) :
	       __builtin_ctz(en);
	if (next != x->id) {
		ex->running = next;
		pthread_cond_signal(&ex->th[next].cv);
	}
	wait_turn(ex, x);
}

static void hook_point(const struct sched_point *sp)
{
	struct xthread *x = xself;
	struct explore *ex;

	if (!x)
		return;		/* a thread the explorer does not run */
	ex = x->ex;
	pthread_mutex_lock(&ex->mu);
	if (!ex->freerun) {
		record(ex, x, sp, false);
		progress(ex, x);
		switch_from(ex, x);
	}
	pthread_mutex_unlock(&ex->mu);
}

static void hook_block(const void *obj, const struct sched_point *sp)
{
	struct xthread *x = xself;
	struct explore *ex;

	if (!x) {
		sched_yield();	/* runs beside the explored thread */
		return;
	}
	ex = x->ex;
	pthread_mutex_lock(&ex->mu);
	if (ex->freerun) {
		pthread_mutex_unlock(&ex->mu);
		sched_yield();
		return;
	}
	record(ex, x, sp, true);
	x->state = XT_BLOCKED;
	x->obj = obj;
	switch_from(ex, x);
	pthread_mutex_unlock(&ex->mu);
}

static void hook_wake(const void *obj)
{
	struct explore *ex = __atomic_load_n(&xactive, __ATOMIC_ACQUIRE);

	if (!ex || !obj)
		return;
	pthread_mutex_lock(&ex->mu);
	for (int i = 0; i < ex->nr_threads; i++) {
		struct xthread *t = &ex->th[i];

		if (t->state == XT_BLOCKED && t->obj == obj)
			t->state = XT_RUNNABLE;
	}
	pthread_mutex_unlock(&ex->mu);
}

static const struct sched_hooks explore_hooks = {
	.point = hook_point,
	.block = hook_block,
	.wake = hook_wake,
};

/* A pool thread: one fn(ctx, id) per job, each begun on its first turn. */
static void *xthread_main(void *arg)
{
	struct xthread *x = arg;
	struct explore *ex = x->ex;

	xself = x;
	pthread_mutex_lock(&ex->mu);
	for (;;) {
		while ((x->job_seen == ex->job || x->id >= ex->nr_threads) &&
		       !ex->quit)
			pthread_cond_wait(&x->cv, &ex->mu);
		if (ex->quit)
			break;
		x->job_seen = ex->job;
		wait_turn(ex, x);
		pthread_mutex_unlock(&ex->mu);
		x->fn(x->ctx, x->id);
		pthread_mutex_lock(&ex->mu);
		x->state = XT_DONE;
		progress(ex, x);
		if (!ex->freerun)
			switch_from(ex, x);
		if (++ex->nr_done == ex->nr_threads)
			pthread_cond_signal(&ex->done_cv);
	}
	pthread_mutex_unlock(&ex->mu);
	xself = NULL;
	return NULL;
}

/* The pool has n threads: 0, or -errno when one cannot be started. */
static int grow_pool(struct explore *ex, int n)
{
	for (int i = 0; i < n; i++) {
		struct xthread *x = &ex->th[i];

		if (x->started)
			continue;
		x->ex = ex;
		x->id = i;
		x->job_seen = ex->job;
		if (pthread_create(&x->tid, NULL, xthread_main, x))
			return -EAGAIN;
		x->started = true;
	}
	return 0;
}

void explore_threads(struct explore *ex, int n, void (*fn)(void *ctx, int i),
		     void *ctx)
{
	if (n < 1 || n > EXPLORE_THREADS_MAX)
		return;
	if (grow_pool(ex, n)) {
		/* no explorer without threads: run them one after another */
		ex->anomaly = "no thread";
		for (int i = 0; i < n; i++)
			fn(ctx, i);
		return;
	}
	search_block_start(ex, n);
	__atomic_store_n(&xactive, ex, __ATOMIC_RELEASE);
	__atomic_store_n(&sched_hooks, &explore_hooks, __ATOMIC_RELEASE);
	pthread_mutex_lock(&ex->mu);
	ex->block_no++;
	ex->nr_threads = n;
	ex->nr_done = 0;
	ex->running = -1;
	ex->freerun = false;
	ex->retried = false;
	ex->job++;
	for (int i = 0; i < n; i++) {
		ex->th[i].state = XT_RUNNABLE;
		ex->th[i].obj = NULL;
		ex->th[i].fn = fn;
		ex->th[i].ctx = ctx;
	}
	/* who runs first is a choice too, and a free one */
	ex->running = n > 1 ? search_decide(ex, (1u << n) - 1, -1, -1) : 0;
	for (int i = 0; i < n; i++)
		pthread_cond_signal(&ex->th[i].cv);
	while (ex->nr_done < n)
		pthread_cond_wait(&ex->done_cv, &ex->mu);
	ex->nr_threads = 0;
	pthread_mutex_unlock(&ex->mu);
	/* no thread is in a point any more: the hooks can go */
	__atomic_store_n(&sched_hooks, NULL, __ATOMIC_RELEASE);
	__atomic_store_n(&xactive, NULL, __ATOMIC_RELEASE);
}

struct explore *explore_create(const struct explore_config *cfg, char *err,
			       size_t len)
{
	struct explore *ex = calloc(1, sizeof(*ex));

	if (!ex) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	ex->cfg = *cfg;
	if (ex->cfg.max_steps <= 0)
		ex->cfg.max_steps = 200000;
	if (ex->cfg.nr_shards <= 0) {
		ex->cfg.nr_shards = 1;
		ex->cfg.shard = 0;
	}
	pthread_mutex_init(&ex->mu, NULL);
	pthread_cond_init(&ex->done_cv, NULL);
	for (int i = 0; i < EXPLORE_THREADS_MAX; i++)
		pthread_cond_init(&ex->th[i].cv, NULL);
	if (search_create(ex, err, len)) {
		explore_destroy(ex);
		return NULL;
	}
	return ex;
}

void explore_destroy(struct explore *ex)
{
	if (!ex)
		return;
	pthread_mutex_lock(&ex->mu);
	ex->quit = true;
	for (int i = 0; i < EXPLORE_THREADS_MAX; i++)
		pthread_cond_signal(&ex->th[i].cv);
	pthread_mutex_unlock(&ex->mu);
	for (int i = 0; i < EXPLORE_THREADS_MAX; i++)
		if (ex->th[i].started)
			pthread_join(ex->th[i].tid, NULL);
	search_destroy(ex);
	pthread_cond_destroy(&ex->done_cv);
	for (int i = 0; i < EXPLORE_THREADS_MAX; i++)
		pthread_cond_destroy(&ex->th[i].cv);
	pthread_mutex_destroy(&ex->mu);
	free(ex->trace);
	free(ex);
}

bool explore_begin(struct explore *ex)
{
	ex->nr_trace = 0;
	ex->steps = 0;
	ex->block_no = 0;
	ex->anomaly = NULL;
	return search_begin(ex);
}

void explore_end(struct explore *ex)
{
	search_end(ex);
}

const char *explore_anomaly(const struct explore *ex)
{
	return ex->anomaly;
}

int explore_nr_steps(const struct explore *ex)
{
	return ex->nr_trace;
}

void explore_get_step(const struct explore *ex, int i, struct explore_step *s)
{
	const struct xstep *t = &ex->trace[i];

	*s = (struct explore_step){
		.block = t->block, .thread = t->thread,
		.func = t->sp ? t->sp->func : "?",
		.step = t->sp ? t->sp->step : "?", .blocked = t->blocked,
	};
}
