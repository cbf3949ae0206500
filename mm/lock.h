/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's sleeping and spinning locks, named as the kernel names them
 * (spin_lock(), mutex_lock(), down_read(), ...), over pthread mutexes and
 * rwlocks.
 *
 * Without an explorer (sched_hooks NULL) each is the pthread call it
 * replaces plus one load and a branch predicted not taken.
 *
 * Under `gupsim explore` exactly one registered thread runs at a time and
 * control passes only at schedule points (lib/sched_point.h). A thread
 * descheduled at a point may hold a lock; if the running thread then
 * blocked in pthread, no thread would ever run again. So under an explorer
 * a lock is taken with trylock, and a failed trylock gives up the CPU with
 * SCHED_BLOCK(lock) until the holder's unlock calls sched_wake(lock): a
 * free switch, not a preemption, as the kernel's thread would sleep or
 * spin there.
 *
 * Invariant: every lock a race path may hold across a schedule point (or
 * across a SCHED_BLOCK, e.g. a grace period) is taken through these
 * helpers. A pure leaf lock, inside whose sections no point can lie (the
 * warning and trace locks), may stay a raw pthread call.
 *
 * The ptl and mmap_lock are also schedule points themselves (before the
 * lock is taken, after it is released): that is where the kernel's paths
 * interleave. The other locks switch only when they must wait.
 */
#ifndef GUPSIM_MM_LOCK_H
#define GUPSIM_MM_LOCK_H

#include <pthread.h>

#include "../lib/compiler.h"
#include "../lib/sched_point.h"

/* Under an explorer: never sleep in pthread while another thread runs. */
static inline void __sched_mutex_lock(pthread_mutex_t *lock,
				      const struct sched_hooks *h,
				      const struct sched_point *sp)
{
	if (likely(!h)) {
		pthread_mutex_lock(lock);
		return;
	}
	while (pthread_mutex_trylock(lock))
		h->block(lock, sp);
}

static inline void __sched_mutex_unlock(pthread_mutex_t *lock)
{
	pthread_mutex_unlock(lock);
	sched_wake(lock);
}

static inline void __sched_rwlock_read(pthread_rwlock_t *lock,
				       const struct sched_hooks *h,
				       const struct sched_point *sp)
{
	if (likely(!h)) {
		pthread_rwlock_rdlock(lock);
		return;
	}
	while (pthread_rwlock_tryrdlock(lock))
		h->block(lock, sp);
}

static inline void __sched_rwlock_write(pthread_rwlock_t *lock,
					const struct sched_hooks *h,
					const struct sched_point *sp)
{
	if (likely(!h)) {
		pthread_rwlock_wrlock(lock);
		return;
	}
	while (pthread_rwlock_trywrlock(lock))
		h->block(lock, sp);
}

static inline void __sched_rwlock_unlock(pthread_rwlock_t *lock)
{
	pthread_rwlock_unlock(lock);
	sched_wake(lock);
}

/*
 * The call site's point (its function, "wait for <what>") names where a
 * thread waited, in a drawn schedule.
 */
#define __SCHED_LOCK(fn, lock, what) do {				\
	SCHED_POINT_DEFINE(__lsp, "wait for " what);			\
	fn((lock), sched_hooks_active(), &__lsp);			\
} while (0)

/* Spinlocks of the kernel (zone->lock, the xarray lock, hugetlb_lock). */
#define spin_lock(lock)		__SCHED_LOCK(__sched_mutex_lock, lock, #lock)
#define spin_unlock(lock)	__sched_mutex_unlock(lock)
/* Sleeping mutexes (cma_mutex, hugetlb_fault_mutex, the model's own). */
#define mutex_lock(lock)	__SCHED_LOCK(__sched_mutex_lock, lock, #lock)
#define mutex_unlock(lock)	__sched_mutex_unlock(lock)
/* Read-write semaphores (i_mmap_rwsem). */
#define down_read(lock)		__SCHED_LOCK(__sched_rwlock_read, lock, #lock)
#define up_read(lock)		__sched_rwlock_unlock(lock)
#define down_write(lock)	__SCHED_LOCK(__sched_rwlock_write, lock, #lock)
#define up_write(lock)		__sched_rwlock_unlock(lock)

/*
 * A lock that is also a schedule point: a switch may come just before the
 * lock is tried and just after it is released, in the caller's function.
 */
#define spin_lock_point(lock, step) do {				\
	SCHED_POINT("lock " step);					\
	spin_lock(lock);						\
} while (0)
#define spin_unlock_point(lock, step) do {				\
	spin_unlock(lock);						\
	SCHED_POINT("unlocked " step);					\
} while (0)

#endif /* GUPSIM_MM_LOCK_H */
