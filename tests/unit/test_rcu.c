// SPDX-License-Identifier: GPL-2.0
/*
 * RCU (rcu.c) and the RCU-deferred freeing of page tables (pgtable.c).
 *
 * How the "free at once" variant was checked: with -DRCU_TEST_FREE_AT_ONCE
 * rcu_reader_sees_deferred_free frees the object with free() instead of
 * mm_call_rcu(). This file was built with that define and
 * -fsanitize=address,undefined, linked with the ASan build of libgupsim
 * (build-asan/libgupsim.a) and the harness, and run as
 * `test_rcu rcu_reader_sees_deferred_free`: ASan stops with
 * "heap-use-after-free ... READ of size 1 ... in rcu_reader" (the reader's
 * read after the writer's free). Without the define it passes clean.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "../../mm/testing.h"

struct shared_obj {
	unsigned char bytes[256];
};

static struct shared_obj *_Atomic published;
static atomic_int stage;
static atomic_int callback_ran;

static void wait_stage(int s)
{
	while (atomic_load(&stage) < s)
		usleep(100);
}

static void obj_free_cb(void *arg)
{
	memset(arg, 0x6b, sizeof(struct shared_obj));	/* poison */
	free(arg);
	atomic_store(&callback_ran, 1);
}

static void *rcu_reader(void *arg)
{
	struct shared_obj *obj;
	long sum = 0;

	mm_rcu_read_lock();
	obj = atomic_load_explicit(&published, memory_order_acquire);
	atomic_store(&stage, 1);
	/* the writer unpublishes and queues the free meanwhile */
	wait_stage(2);
	usleep(20000);
	for (size_t i = 0; i < sizeof(obj->bytes); i++)
		sum += obj->bytes[i];
	mm_rcu_read_unlock();
	return (void *)sum;
}

TEST(rcu_reader_sees_deferred_free)
{
	struct shared_obj *obj = malloc(sizeof(*obj));
	pthread_t th;
	void *sum;

	ASSERT_NOT_NULL(obj);
	memset(obj, 0x11, sizeof(*obj));
	atomic_store(&stage, 0);
	atomic_store(&callback_ran, 0);
	atomic_store(&published, obj);
	ASSERT_EQ(pthread_create(&th, NULL, rcu_reader, NULL), 0);
	wait_stage(1);
	atomic_store(&published, NULL);
#ifdef RCU_TEST_FREE_AT_ONCE
	obj_free_cb(obj);
#else
	mm_call_rcu(obj_free_cb, obj);
#endif
	atomic_store(&stage, 2);
	pthread_join(th, &sum);
	/* the reader saw the object whole, never the poison */
	ASSERT_EQ((long)sum, 0x11L * 256);
	mm_rcu_barrier();
	ASSERT_EQ(atomic_load(&callback_ran), 1);
}

static atomic_int sync_done;

static void *rcu_syncer(void *arg)
{
	mm_synchronize_rcu();
	atomic_store(&sync_done, 1);
	return NULL;
}

TEST(synchronize_rcu_waits_for_readers)
{
	pthread_t th;

	atomic_store(&sync_done, 0);
	mm_rcu_read_lock();
	ASSERT_EQ(pthread_create(&th, NULL, rcu_syncer, NULL), 0);
	usleep(50000);
	/* a grace period cannot end while we are in a read-side section */
	ASSERT_EQ(atomic_load(&sync_done), 0);
	mm_rcu_read_unlock();
	pthread_join(th, NULL);
	ASSERT_EQ(atomic_load(&sync_done), 1);
}

static void *short_lived_reader(void *arg)
{
	for (int i = 0; i < 100; i++) {
		mm_rcu_read_lock();
		mm_rcu_read_unlock();
	}
	return NULL;
}

/* Threads register on first use and unregister when they exit. */
TEST(rcu_threads_come_and_go)
{
	for (int round = 0; round < 20; round++) {
		pthread_t th[4];

		for (int i = 0; i < 4; i++)
			ASSERT_EQ(pthread_create(&th[i], NULL,
						 short_lived_reader, NULL), 0);
		for (int i = 0; i < 4; i++)
			pthread_join(th[i], NULL);
	}
	/* a grace period must not wait for threads that are gone */
	mm_synchronize_rcu();
	mm_rcu_barrier();
}

/* ---- page tables freed under a lockless walker ---- */

static pte_t *walker_pte;
static uint64_t walker_seen;

/* A GUP-fast-style walk: no locks, only the RCU read side. */
static void *table_walker(void *arg)
{
	struct mm_struct *mm = arg;
	const unsigned long addr = 0x7f0000400000UL;

	mm_rcu_read_lock();
	walker_pte = pte_offset(mm_find_pmd(mm, addr), addr);
	atomic_store(&stage, 1);
	wait_stage(2);		/* the tables are unlinked and freed now */
	usleep(20000);
	walker_seen = ptep_get(walker_pte);
	atomic_store(&stage, 3);
	wait_stage(4);
	mm_rcu_read_unlock();
	return NULL;
}

TEST(pte_table_outlives_lockless_walker)
{
	struct task_struct *t = t_task("rcu");
	struct mm_struct *mm = task_mm(t);
	const unsigned long addr = 0x7f0000400000UL;
	struct page *table;
	pmd_t *pmd;
	pthread_t th;

	atomic_store(&stage, 0);
	mmap_write_lock(mm);
	pmd = mm_alloc_pmd(mm, addr);
	ASSERT_NOT_NULL(pte_alloc(mm, pmd, addr));
	table = pfn_to_page(pte_pfn(pmdp_get(pmd)));
	mmap_write_unlock(mm);

	ASSERT_EQ(pthread_create(&th, NULL, table_walker, mm), 0);
	wait_stage(1);
	ASSERT_NOT_NULL(walker_pte);
	mmap_write_lock(mm);
	free_pgtables(mm, 0, TASK_SIZE);
	mmap_write_unlock(mm);
	ASSERT_TRUE(pmd_none(pmdp_get(pmd)) || mm_find_pmd(mm, addr) == NULL);
	atomic_store(&stage, 2);
	wait_stage(3);
	/* unlinked, but not given back while the walker may look at it */
	ASSERT_EQ(walker_seen, 0);
	ASSERT_EQ(page_ref_count(table), 1);
	ASSERT_FALSE(PageBuddy(table));
	atomic_store(&stage, 4);
	pthread_join(th, NULL);
	mm_rcu_barrier();
	ASSERT_EQ(page_ref_count(table), 0);
}

/* ---- lockless walkers against munmap, many times over ---- */

#define STRESS_ADDR	0x7e0000000000UL

static atomic_int stress_stop, stress_bad, stress_seen;

static void *stress_walker(void *arg)
{
	struct mm_struct *mm = arg;

	while (!atomic_load(&stress_stop)) {
		pmd_t *pmd;

		mm_rcu_read_lock();
		pmd = mm_find_pmd(mm, STRESS_ADDR);
		if (pmd) {
			pmd_t e = pmdp_get(pmd);

			if ((e & _PAGE_PRESENT) && !(e & _PAGE_PSE)) {
				struct page *table = pfn_to_page(pte_pfn(e));
				pte_t *pte = table_entry_target(e);

				(void)ptep_get(pte + pte_index(STRESS_ADDR));
				/* still ours: not back in the allocator */
				if (page_ref_count(table) <= 0)
					atomic_fetch_add(&stress_bad, 1);
				atomic_fetch_add(&stress_seen, 1);
			}
		}
		mm_rcu_read_unlock();
	}
	return NULL;
}

TEST(walkers_race_munmap)
{
	struct task_struct *t = t_task("stress");
	struct mm_struct *mm = task_mm(t);
	pthread_t th[2];
	int bad, seen;

	atomic_store(&stress_stop, 0);
	atomic_store(&stress_bad, 0);
	atomic_store(&stress_seen, 0);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, stress_walker, mm), 0);
	/* ~0.2 s of churn, at least until the walkers saw some tables */
	for (int i = 0; i < 100000; i++) {
		if (i >= 2000 && atomic_load(&stress_seen) > 1000)
			break;
		long r = vm_mmap(t, STRESS_ADDR, 1UL << 20,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);

		if (r != (long)STRESS_ADDR)
			break;
		t_fill(t, STRESS_ADDR, i, PAGE_SIZE);
		if (vm_munmap(t, STRESS_ADDR, 1UL << 20))
			break;
	}
	atomic_store(&stress_stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	bad = atomic_load(&stress_bad);
	seen = atomic_load(&stress_seen);
	/* with pte_free_deferred() freeing at once, bad is > 0 here */
	ASSERT_EQ(bad, 0);
	ASSERT_GT(seen, 0);
	ASSERT_FALSE(vma_lookup(mm, STRESS_ADDR));
}

/* ---- batched deferred frees ---- */

static long nr_pagetables_now(void)
{
	return vmstat_get("nr_page_table_pages");
}

/*
 * Table pages freed by exit wait in a batch for a reclaim point; an
 * allocation that finds memory exhausted must reclaim them rather than
 * fail while they are about to come back.
 */
TEST_CFG(alloc_reclaims_deferred_tables, .mem = 16UL << 20)
{
	struct task_struct *t = t_task("tables");
	struct mm_struct *mm = task_mm(t);
	struct page *page, *held = NULL;
	long tables, free_after_exit, got = 0;

	mmap_write_lock(mm);
	for (unsigned long a = 1UL << 30; a < (1UL << 46); a <<= 1)
		ASSERT_NOT_NULL(pte_alloc(mm, mm_alloc_pmd(mm, a), a));
	mmap_write_unlock(mm);
	tables = nr_pagetables_now();
	ASSERT_GT(tables, 20);
	task_exit(t);
	free_after_exit = vmstat_get("nr_free_pages");
	/* take every page there is, chained through page->private */
	while ((page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, 0))) {
		page->private = (unsigned long)held;
		held = page;
		got++;
	}
	ASSERT_GE(got, free_after_exit + tables);
	while (held) {
		page = (struct page *)held->private;
		held->private = 0;
		__free_pages(held, 0);
		held = page;
	}
}

/* ---- two barriers at once ---- */

static atomic_int slow_cb_started, slow_cb_done;

static void slow_cb(void *arg)
{
	atomic_store(&slow_cb_started, 1);
	usleep(100000);
	atomic_store(&slow_cb_done, 1);
}

static void *first_barrier(void *arg)
{
	mm_rcu_barrier();
	return NULL;
}

/*
 * A barrier returns only after every callback queued before it ran, even
 * when another barrier took those callbacks and is still running them.
 */
TEST(rcu_barrier_waits_for_a_concurrent_barrier)
{
	pthread_t th;

	atomic_store(&slow_cb_started, 0);
	atomic_store(&slow_cb_done, 0);
	mm_call_rcu(slow_cb, NULL);
	ASSERT_EQ(pthread_create(&th, NULL, first_barrier, NULL), 0);
	while (!atomic_load(&slow_cb_started))
		usleep(100);
	/* the first barrier is inside slow_cb now */
	mm_rcu_barrier();
	ASSERT_EQ(atomic_load(&slow_cb_done), 1);
	pthread_join(th, NULL);
}
