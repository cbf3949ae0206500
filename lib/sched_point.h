/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Schedule points: the places where `gupsim explore` may switch from one
 * thread of a race block to another.
 *
 * The model's threads are real threads. Without an explorer they run as
 * the machine schedules them, and a point costs one relaxed load and a
 * branch predicted not taken (sched_hooks is NULL). Under an explorer
 * exactly one registered thread runs at a time, and control passes only
 * at a point: the explorer decides, at each point, which thread runs next,
 * so a schedule is the sequence of those decisions and replays exactly.
 *
 * A point is placed where the kernel's code has a race window: a page-table
 * entry loaded without its lock, a grab and its re-check in GUP-fast, the
 * write_protect_seq section of fork, the pin check of copy_present_pte(),
 * migration's unmap/freeze/copy/remap, zap and the page-table free, split
 * and collapse, the lock and unlock of mmap_lock and the ptl, the RCU read
 * section and the grace period.
 *
 * A thread that cannot go on until another runs (a lock held by a
 * descheduled thread, a grace period, a reference to be dropped) must not
 * spin: it calls sched_block(obj) and the explorer runs another thread
 * until someone calls sched_wake(obj). Switching at such a point is not a
 * preemption (the thread could not go on), which is what makes the
 * preemption bound of the search meaningful.
 *
 * Threads the explorer did not register (liburcu's worker, the host
 * backend, tests) pass through every hook unchanged: the hooks themselves
 * check registration.
 */
#ifndef GUPSIM_LIB_SCHED_POINT_H
#define GUPSIM_LIB_SCHED_POINT_H

#include "compiler.h"

/* One static instance per call site: its address names the point. */
struct sched_point {
	const char *func;	/* the kernel function whose step this is */
	const char *step;	/* what it just did or is about to do */
};

struct sched_hooks {
	/* The running thread reached @sp; returns when it runs again. */
	void (*point)(const struct sched_point *sp);
	/*
	 * The running thread cannot proceed until @obj changes; it is not
	 * runnable again until sched_wake(@obj). Returns when it runs again;
	 * the caller re-checks its condition (a wake is a hint, not a grant).
	 */
	void (*block)(const void *obj, const struct sched_point *sp);
	/* @obj changed: threads blocked on it are runnable again. */
	void (*wake)(const void *obj);
};

/* NULL unless an explorer runs; set and cleared only with no thread in a point. */
extern const struct sched_hooks *sched_hooks;

static inline const struct sched_hooks *sched_hooks_active(void)
{
	return __atomic_load_n(&sched_hooks, __ATOMIC_ACQUIRE);
}

#define SCHED_POINT_DEFINE(name, step_)					\
	static const struct sched_point name = { __func__, step_ }

#ifdef GUPSIM_NO_SCHED_POINTS
/*
 * A build without points, the baseline `gupsim bench --explore` measures
 * their cost against (A B A B): no point, block or wake is compiled in.
 */
#define SCHED_POINT(step_)		do { } while (0)
#define SCHED_BLOCK(obj, step_)		do { (void)(obj); } while (0)
#else
/* A point in the current function: SCHED_POINT("read pte"). */
#define SCHED_POINT(step_) do {						\
	const struct sched_hooks *__h = sched_hooks_active();		\
	if (unlikely(__h)) {						\
		SCHED_POINT_DEFINE(__sp, step_);			\
		__h->point(&__sp);					\
	}								\
} while (0)

/*
 * Give up the CPU until @obj is woken: the caller loops on its condition.
 * @obj NULL waits for no object in particular but for any other thread to
 * make progress (pass a point or finish): for a wait whose waker does not
 * know it has waiters (a folio being freed, a migration entry replaced).
 */
#define SCHED_BLOCK(obj, step_) do {					\
	const struct sched_hooks *__h = sched_hooks_active();		\
	if (unlikely(__h)) {						\
		SCHED_POINT_DEFINE(__sp, step_);			\
		__h->block((obj), &__sp);				\
	}								\
} while (0)
#endif

/* SCHED_BLOCK(NULL): let the other threads run before retrying. */
#define SCHED_YIELD(step_)	SCHED_BLOCK(NULL, step_)

static inline void sched_wake(const void *obj)
{
#ifdef GUPSIM_NO_SCHED_POINTS
	const struct sched_hooks *h = (const struct sched_hooks *)0;
#else
	const struct sched_hooks *h = sched_hooks_active();
#endif

	if (unlikely(h))
		h->wake(obj);
}

#endif /* GUPSIM_LIB_SCHED_POINT_H */
