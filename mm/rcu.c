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

void mm_rcu_read_lock(void)
{
	rcu_ensure_registered();
	urcu_memb_read_lock();
}

void mm_rcu_read_unlock(void)
{
	rcu_tsan_release();
	urcu_memb_read_unlock();
}

/*
 * Deferred callbacks wait in a local batch first and go to liburcu's
 * call_rcu thread RCU_BATCH_MAX at a time. mm_rcu_barrier() runs what is
 * still in the batch itself, after one synchronize_rcu(): liburcu's own
 * barrier costs 10-20 ms (its thread sleeps 10 ms after each wake-up to
 * gather work), which machine_destroy() and check_invariants() would pay
 * on every run, and the fuzzers run thousands of machines. Callbacks
 * never run in mm_call_rcu()'s caller, which may hold locks (unless
 * memory for the bookkeeping runs out, as before).
 */
#define RCU_BATCH_MAX	1024

struct mm_rcu_cb {
	struct mm_rcu_cb *next;
	void (*fn)(void *arg);
	void *arg;
};

struct mm_rcu_batch {
	struct rcu_head head;
	struct mm_rcu_cb *first;
};

static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mm_rcu_cb *batch_first;	/* under batch_lock */
static unsigned long batch_len;		/* under batch_lock */
/* A batch went to liburcu since the last mm_rcu_barrier(). */
static atomic_bool batch_handed_off;

/* Runs a chain of callbacks whose grace period has passed. */
static void run_callbacks(struct mm_rcu_cb *cb)
{
	while (cb) {
		struct mm_rcu_cb *next = cb->next;

		cb->fn(cb->arg);
		free(cb);
		cb = next;
	}
}

static void mm_rcu_batch_run(struct rcu_head *head)
{
	struct mm_rcu_batch *b = container_of(head, struct mm_rcu_batch, head);

	rcu_tsan_acquire();
	run_callbacks(b->first);
	free(b);
	/* what the callbacks did happens before rcu_barrier() returns */
	rcu_tsan_release();
}

/* Takes the whole local batch (NULL if empty). */
static struct mm_rcu_cb *batch_take(void)
{
	struct mm_rcu_cb *first;

	pthread_mutex_lock(&batch_lock);
	first = batch_first;
	batch_first = NULL;
	batch_len = 0;
	pthread_mutex_unlock(&batch_lock);
	return first;
}

static void batch_hand_off(struct mm_rcu_cb *first)
{
	struct mm_rcu_batch *b = malloc(sizeof(*b));

	if (!b) {
		/* No memory for the wrapper: wait for readers ourselves. */
		mm_synchronize_rcu();
		run_callbacks(first);
		return;
	}
	b->first = first;
	rcu_ensure_registered();
	urcu_memb_call_rcu(&b->head, mm_rcu_batch_run);
	/* After the call_rcu: a barrier that sees the flag covers it. */
	atomic_store(&batch_handed_off, true);
}

void mm_call_rcu(void (*fn)(void *arg), void *arg)
{
	struct mm_rcu_cb *cb = malloc(sizeof(*cb)), *full = NULL;

	if (!cb) {
		mm_synchronize_rcu();
		fn(arg);
		return;
	}
	cb->fn = fn;
	cb->arg = arg;
	rcu_tsan_release();
	pthread_mutex_lock(&batch_lock);
	cb->next = batch_first;
	batch_first = cb;
	if (++batch_len >= RCU_BATCH_MAX) {
		full = batch_first;
		batch_first = NULL;
		batch_len = 0;
	}
	pthread_mutex_unlock(&batch_lock);
	if (full)
		batch_hand_off(full);
}

void mm_synchronize_rcu(void)
{
	rcu_ensure_registered();
	VM_WARN(urcu_memb_read_ongoing(),
		"synchronize_rcu inside an RCU read-side section");
	urcu_memb_synchronize_rcu();
	rcu_tsan_acquire();
}

void mm_rcu_barrier(void)
{
	struct mm_rcu_cb *first = batch_take();

	if (first) {
		mm_synchronize_rcu();
		run_callbacks(first);
	}
	if (atomic_exchange(&batch_handed_off, false)) {
		rcu_ensure_registered();
		urcu_memb_barrier();
		rcu_tsan_acquire();
	}
}
