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

struct mm_rcu_cb {
	struct rcu_head head;
	void (*fn)(void *arg);
	void *arg;
};

static void mm_rcu_cb_run(struct rcu_head *head)
{
	struct mm_rcu_cb *cb = container_of(head, struct mm_rcu_cb, head);

	rcu_tsan_acquire();
	cb->fn(cb->arg);
	free(cb);
	/* what the callback did happens before rcu_barrier() returns */
	rcu_tsan_release();
}

void mm_call_rcu(void (*fn)(void *arg), void *arg)
{
	struct mm_rcu_cb *cb = malloc(sizeof(*cb));

	if (!cb) {
		/* No memory for the wrapper: wait for readers ourselves. */
		mm_synchronize_rcu();
		fn(arg);
		return;
	}
	cb->fn = fn;
	cb->arg = arg;
	rcu_ensure_registered();
	rcu_tsan_release();
	urcu_memb_call_rcu(&cb->head, mm_rcu_cb_run);
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
	rcu_ensure_registered();
	urcu_memb_barrier();
	rcu_tsan_acquire();
}
