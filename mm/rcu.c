// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the model, over liburcu's memb flavour.
 *
 * The kernel's GUP-fast walk runs with interrupts disabled, and page-table
 * pages are freed only after every CPU has passed through a point where
 * interrupts were on (tlb_remove_table() + an IPI or an RCU grace period).
 * Here a read-side section stands for the interrupts-off window,
 * mm_call_rcu() for tlb_remove_table() and mm_synchronize_rcu() for the IPI.
 *
 * Threads register with liburcu lazily, the first time they use RCU, and
 * unregister when they exit (a pthread key destructor), so callers never
 * have to know about registration.
 *
 * Under an explorer (lib/sched_point.h) only one registered thread runs
 * at a time, so liburcu's grace period would wait forever for a reader
 * that the explorer has descheduled. There a read-side section is counted
 * in the model's own two-phase counters instead (SRCU's scheme: a grace
 * period flips the phase and waits, with SCHED_BLOCK, until the old
 * phase's readers are gone), and a thread remembers which kind of section
 * it entered, so a section begun before the explorer starts or ends is
 * closed the way it was opened.
 *
 * ThreadSanitizer: liburcu 0.13 carries no annotations, so TSan cannot see
 * that a grace period orders a reader's last access before the free. One
 * sync object models that edge: every read_unlock and every call_rcu
 * releases it, every callback and every return from synchronize_rcu
 * acquires it; the end of each callback releases it again for
 * mm_rcu_barrier(), which acquires it. It is coarser than the truth (it
 * may hide a real race between two readers' sections), but never reports
 * a false one.
 */
#include <stdlib.h>
#include <urcu/urcu-memb.h>

#include "internal.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif

#if defined(__SANITIZE_THREAD__) || __has_feature(thread_sanitizer)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
static char rcu_tsan_sync;
#define rcu_tsan_acquire()	__tsan_acquire(&rcu_tsan_sync)
#define rcu_tsan_release()	__tsan_release(&rcu_tsan_sync)
#else
#define rcu_tsan_acquire()	do { } while (0)
#define rcu_tsan_release()	do { } while (0)
#endif

static __thread bool rcu_registered;
static pthread_key_t rcu_key;
static pthread_once_t rcu_key_once = PTHREAD_ONCE_INIT;

/* Runs at thread exit for every thread that registered. */
static void rcu_thread_exit(void *unused)
{
	if (rcu_registered) {
		urcu_memb_unregister_thread();
		rcu_registered = false;
	}
}

static void rcu_key_init(void)
{
	if (pthread_key_create(&rcu_key, rcu_thread_exit))
		mm_warn(__FILE__, __LINE__, "rcu: no pthread key");
}

/*
 * liburcu needs every thread that reads, queues callbacks or waits to be
 * registered; call_rcu() and rcu_barrier() take the read lock internally.
 */
static inline void rcu_ensure_registered(void)
{
	if (likely(rcu_registered))
		return;
	pthread_once(&rcu_key_once, rcu_key_init);
	urcu_memb_register_thread();
	rcu_registered = true;
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(rcu_key, (void *)1);
}

/*
 * The explorer's read sections: rcu_sched_readers[p] counts the threads in
 * a section entered in phase p (rcu_sched_phase & 1). Only the running
 * thread touches them under an explorer; they are atomic for threads the
 * explorer did not register.
 */
static atomic_long rcu_sched_readers[2];
static atomic_uint rcu_sched_phase;
static __thread int rcu_sched_nesting;
static __thread unsigned int rcu_sched_my_phase;

static bool rcu_read_ongoing(void)
{
	return rcu_sched_nesting || urcu_memb_read_ongoing();
}

void mm_rcu_read_lock(void)
{
	if (unlikely(rcu_sched_nesting || sched_hooks_active())) {
		if (!rcu_sched_nesting++) {
			rcu_sched_my_phase = atomic_load(&rcu_sched_phase) & 1;
			atomic_fetch_add(&rcu_sched_readers[rcu_sched_my_phase],
					 1);
		}
		return;
	}
	rcu_ensure_registered();
	urcu_memb_read_lock();
}

void mm_rcu_read_unlock(void)
{
	rcu_tsan_release();
	if (unlikely(rcu_sched_nesting)) {
		unsigned int p = rcu_sched_my_phase;

		if (!--rcu_sched_nesting &&
		    atomic_fetch_sub(&rcu_sched_readers[p], 1) == 1)
			sched_wake(&rcu_sched_readers[p]);
		return;
	}
	urcu_memb_read_unlock();
}

/* A grace period of the explorer's sections: every older reader left. */
static void rcu_sched_synchronize(void)
{
	unsigned int p = atomic_fetch_add(&rcu_sched_phase, 1) & 1;

	while (atomic_load(&rcu_sched_readers[p]))
		SCHED_BLOCK(&rcu_sched_readers[p], "wait for a grace period");
}

struct mm_rcu_cb {
	void (*fn)(void *arg);
	void *arg;
};

/*
 * Deferred frees are collected in batches, as the kernel's
 * tlb_remove_table() collects table pages in a page of pointers: one
 * grace period covers a whole batch. A full batch goes to liburcu's
 * call_rcu worker (one callback for RCU_BATCH_MAX frees); a partial one
 * waits in rcu_pending until mm_rcu_barrier() (the invariant checker,
 * machine_destroy()) or an allocation that would fail reclaims it. Those
 * run a grace period in the calling thread (synchronize_rcu(): a few
 * microseconds when no reader is inside a section) and then the
 * callbacks, instead of waking the worker and sleeping until it has
 * batched, waited and run them (~10 ms a round: the worker polls).
 *
 * Invariants: a callback in rcu_pending or in a queued batch was queued
 * after its object was unpublished, and runs only after a grace period
 * that began after it was queued; rcu_batches_queued counts the batches
 * handed to the worker whose callbacks have not all run yet.
 */
#define RCU_BATCH_MAX	510

struct rcu_batch {
	struct rcu_head head;
	unsigned int nr;
	struct mm_rcu_cb cb[RCU_BATCH_MAX];
};

static pthread_mutex_t rcu_pending_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_batch *rcu_pending;		/* under rcu_pending_lock */
static atomic_long rcu_batches_queued;

/* Runs a batch whose grace period has ended. */
static void rcu_batch_run(struct rcu_batch *b)
{
	unsigned int i;

	rcu_tsan_acquire();
	for (i = 0; i < b->nr; i++)
		b->cb[i].fn(b->cb[i].arg);
	free(b);
	/* what the callbacks did happens before rcu_barrier() returns */
	rcu_tsan_release();
}

static void rcu_batch_worker_cb(struct rcu_head *head)
{
	rcu_batch_run(container_of(head, struct rcu_batch, head));
	atomic_fetch_sub_explicit(&rcu_batches_queued, 1,
				  memory_order_release);
}

static void rcu_batch_queue(struct rcu_batch *b)
{
	rcu_ensure_registered();
	atomic_fetch_add(&rcu_batches_queued, 1);
	rcu_tsan_release();
	urcu_memb_call_rcu(&b->head, rcu_batch_worker_cb);
}

/* Takes the partial batch, if any, away from the queueing side. */
static struct rcu_batch *rcu_pending_take(void)
{
	struct rcu_batch *b;

	pthread_mutex_lock(&rcu_pending_lock);
	b = rcu_pending;
	rcu_pending = NULL;
	pthread_mutex_unlock(&rcu_pending_lock);
	return b;
}

void mm_call_rcu(void (*fn)(void *arg), void *arg)
{
	struct rcu_batch *b, *full = NULL;

	rcu_tsan_release();
	pthread_mutex_lock(&rcu_pending_lock);
	b = rcu_pending;
	if (!b) {
		b = malloc(sizeof(*b));
		if (!b) {
			pthread_mutex_unlock(&rcu_pending_lock);
			/* No memory for a batch: wait for readers here. */
			mm_synchronize_rcu();
			fn(arg);
			return;
		}
		b->nr = 0;
		rcu_pending = b;
	}
	b->cb[b->nr].fn = fn;
	b->cb[b->nr].arg = arg;
	if (++b->nr == RCU_BATCH_MAX) {
		full = b;
		rcu_pending = NULL;
	}
	pthread_mutex_unlock(&rcu_pending_lock);
	if (!full)
		return;
	/* liburcu's worker would not wait for the explorer's readers */
	if (sched_hooks_active() && !rcu_sched_nesting) {
		mm_synchronize_rcu();
		rcu_batch_run(full);
		return;
	}
	rcu_batch_queue(full);
}

void mm_synchronize_rcu(void)
{
	rcu_ensure_registered();
	VM_WARN(rcu_read_ongoing(),
		"synchronize_rcu inside an RCU read-side section");
	if (sched_hooks_active())
		rcu_sched_synchronize();
	urcu_memb_synchronize_rcu();
	rcu_tsan_acquire();
}

/*
 * Runs the partial batch after a grace period, in the calling thread.
 * rcu_reclaim_lock is held from taking the batch until its callbacks have
 * run, so a second caller cannot return (and believe everything queued
 * before it ran) while the first is still waiting. It is never taken
 * inside a read-side section, and mm_call_rcu() does not take it: a
 * reader that queues a free cannot wait on a reclaimer waiting for it.
 */
static pthread_mutex_t rcu_reclaim_lock = PTHREAD_MUTEX_INITIALIZER;

bool mm_rcu_reclaim(void)
{
	struct rcu_batch *b;

	rcu_ensure_registered();
	/* A grace period cannot end inside our own read-side section. */
	if (rcu_read_ongoing())
		return false;
	mutex_lock(&rcu_reclaim_lock);
	b = rcu_pending_take();
	if (b) {
		mm_synchronize_rcu();
		rcu_batch_run(b);
	}
	mutex_unlock(&rcu_reclaim_lock);
	return b != NULL;
}

void mm_rcu_barrier(void)
{
	rcu_ensure_registered();
	if (VM_WARN(rcu_read_ongoing(),
		    "rcu_barrier inside an RCU read-side section"))
		return;
	mm_rcu_reclaim();
	/* Batches that went to the worker: wait for it only if there are. */
	if (atomic_load_explicit(&rcu_batches_queued, memory_order_acquire)) {
		urcu_memb_barrier();
		rcu_tsan_acquire();
	}
}
