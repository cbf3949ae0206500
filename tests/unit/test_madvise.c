// SPDX-License-Identifier: GPL-2.0
/*
 * madvise's locking (vma.c vm_madvise): advice that only zaps or populates
 * (MADV_DONTNEED, MADV_FREE, MADV_WILLNEED, MADV_POPULATE_*) takes the
 * mmap_lock for read, as the kernel does, so it runs alongside faults and
 * GUP; advice that changes VMAs (MADV_HUGEPAGE, MADV_DONTFORK...) still
 * takes it for write. A zap under the read lock must then be safe against
 * faults, GUP and other zaps of the same range, THP splits included.
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "harness.h"
#include "../../mm/testing.h"

#define PG(n)		((unsigned long)(n) * PAGE_SIZE)

struct advice_call {
	struct task_struct *task;
	unsigned long addr;
	size_t len;
	int advice;
	int ret;
	atomic_int done;
};

static void *call_madvise(void *arg)
{
	struct advice_call *c = arg;

	c->ret = vm_madvise(c->task, c->addr, c->len, c->advice);
	atomic_store(&c->done, 1);
	return NULL;
}

/*
 * Runs the advice on another thread while this one holds the mmap read
 * lock, as a fault or a GUP caller would. True if it finished within ms
 * milliseconds; either way it has finished when this returns.
 */
static bool advice_passes_reader(struct advice_call *c, int ms)
{
	struct timespec tick = { .tv_nsec = 1000 * 1000 };
	struct mm_struct *mm = task_mm(c->task);
	pthread_t th;
	bool passed;

	atomic_store(&c->done, 0);
	mmap_read_lock(mm);
	ASSERT_EQ(pthread_create(&th, NULL, call_madvise, c), 0);
	while (!atomic_load(&c->done) && ms-- > 0)
		nanosleep(&tick, NULL);
	passed = atomic_load(&c->done);
	mmap_read_unlock(mm);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	return passed;
}

TEST(madvise_lock_mode_follows_the_advice)
{
	struct task_struct *t = t_task("madvlock");
	unsigned long a = t_mmap_anon(t, PG(8));
	struct advice_call c = { .task = t, .addr = a, .len = PG(8) };

	t_fill(t, a, 0x5a, PG(8));
	c.advice = MADV_DONTNEED;
	ASSERT_TRUE(advice_passes_reader(&c, 5000));
	ASSERT_EQ(c.ret, 0);
	ASSERT_TRUE(t_holds(t, a, 0, PG(8)));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);

	c.advice = MADV_POPULATE_WRITE;
	ASSERT_TRUE(advice_passes_reader(&c, 5000));
	ASSERT_EQ(c.ret, 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 8);

	/* vm_flags change: it has to wait until the reader is gone */
	c.advice = MADV_HUGEPAGE;
	ASSERT_FALSE(advice_passes_reader(&c, 50));
	ASSERT_EQ(c.ret, 0);
	ASSERT_TRUE(vma_lookup(task_mm(t), a)->vm_flags & VM_HUGEPAGE);

	/* unknown advice: the write lock, to be safe, and -EINVAL */
	c.advice = 12345;
	ASSERT_FALSE(advice_passes_reader(&c, 50));
	ASSERT_EQ(c.ret, -EINVAL);
	ASSERT_INVARIANTS();
}

/* ---- zaps racing with faults, GUP and each other ---- */

#define RACE_PMDS	3
#define RACE_LEN	(RACE_PMDS * PMD_SIZE)
#define RACE_LOOPS	300

struct zap_race {
	struct task_struct *task;
	unsigned long addr;
	atomic_long errors;
	atomic_long pinned;
};

/*
 * A random range of the area: every fourth one a whole PMD (zapped as a
 * leaf), the others a few pages anywhere (a THP under them is split). The
 * first is never whole: a zapper's first zap splits one of the THPs the
 * area starts with.
 */
static void random_range(unsigned int *seed, int i, unsigned long *off,
			 size_t *len)
{
	if (i % 4 == 3) {
		*off = (rand_r(seed) % RACE_PMDS) * PMD_SIZE;
		*len = PMD_SIZE;
		return;
	}
	*len = PG(1 + rand_r(seed) % 16);
	*off = PG(rand_r(seed) % ((RACE_LEN - *len) / PAGE_SIZE));
}

struct racer {
	struct zap_race *race;
	bool writes;		/* user writes; else MADV_DONTNEED */
};

static void *zap_or_write(void *arg)
{
	struct racer *me = arg;
	struct zap_race *r = me->race;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	unsigned long off;
	size_t len;
	bool ok;

	current = r->task;
	for (int i = 0; i < RACE_LOOPS; i++) {
		random_range(&seed, i + me->writes, &off, &len);
		if (me->writes)
			ok = user_memset(r->task, r->addr + off, 0x33, len) ==
			     UACCESS_OK;
		else
			ok = !vm_madvise(r->task, r->addr + off, len,
					 MADV_DONTNEED);
		if (!ok)
			atomic_fetch_add(&r->errors, 1);
	}
	return NULL;
}

/* Pins with a task of its own: per-task GUP state belongs to one thread. */
static void *pinner(void *arg)
{
	struct zap_race *r = arg;
	unsigned int seed = (unsigned int)(uintptr_t)&seed;
	struct page *pages[16];
	struct task_struct *me;
	unsigned long off;
	size_t len;

	mmget(task_mm(r->task));
	me = task_alloc("pinner", task_mm(r->task));
	if (!me) {
		mmput(task_mm(r->task));
		atomic_fetch_add(&r->errors, 1);
		return NULL;
	}
	current = me;
	for (int i = 0; i < RACE_LOOPS; i++) {
		unsigned int flags = FOLL_WRITE | (i % 3 ? 0 : FOLL_LONGTERM);
		long n;

		random_range(&seed, i + 2, &off, &len);
		len = min(len, PG(16));
		if (i & 1)
			n = t_pin(me, r->addr + off, len >> PAGE_SHIFT, flags,
				  pages);
		else
			n = pin_user_pages_fast(r->addr + off,
						len >> PAGE_SHIFT, flags,
						pages);
		if (n < 0 && n != -ENOMEM) {
			atomic_fetch_add(&r->errors, 1);
			continue;
		}
		for (long j = 0; j < n; j++)
			if (!page_maybe_dma_pinned(pages[j]))
				atomic_fetch_add(&r->errors, 1);
		if (n > 0) {
			atomic_fetch_add(&r->pinned, n);
			unpin_user_pages(pages, n);
		}
	}
	task_exit(me);
	current = NULL;
	return NULL;
}

TEST_CFG(madvise_dontneed_races_faults_and_gup, .thp = THP_ALWAYS)
{
	struct zap_race r = { .task = t_task("zaprace") };
	struct racer racers[] = {
		{ &r, false }, { &r, false }, { &r, true },
	};
	struct mm_struct *mm = task_mm(r.task);
	pthread_t th[ARRAY_SIZE(racers) + 1];

	r.addr = t_mmap_anon(r.task, RACE_LEN);
	ASSERT_TRUE(IS_ALIGNED(r.addr, PMD_SIZE));
	t_fill(r.task, r.addr, 0x33, RACE_LEN);
	ASSERT_TRUE(pmd_leaf(t_pmd(r.task, r.addr)));

	for (size_t i = 0; i < ARRAY_SIZE(racers); i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, zap_or_write,
					 &racers[i]), 0);
	ASSERT_EQ(pthread_create(&th[ARRAY_SIZE(racers)], NULL, pinner, &r),
		  0);
	for (size_t i = 0; i < ARRAY_SIZE(th); i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);

	harness_note("%ld pages pinned, %ld THPs faulted in, %ld split",
		     atomic_load(&r.pinned), vmstat_read(THP_FAULT_ALLOC),
		     vmstat_read(THP_SPLIT_PMD));
	ASSERT_EQ(atomic_load(&r.errors), 0);
	ASSERT_GT(atomic_load(&r.pinned), 0);
	/* the race covered both paths of the walker: leaves and splits */
	ASSERT_GT(vmstat_read(THP_SPLIT_PMD), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	ASSERT_INVARIANTS();
	/* what the writer left, or zeroes: nothing else */
	for (unsigned long off = 0; off < RACE_LEN; off += PAGE_SIZE)
		ASSERT_TRUE(t_holds(r.task, r.addr + off, 0x33, PAGE_SIZE) ||
			    t_holds(r.task, r.addr + off, 0, PAGE_SIZE));
	/* the racing zaps kept rss exact: one more leaves nothing */
	ASSERT_EQ(vm_madvise(r.task, r.addr, RACE_LEN, MADV_DONTNEED), 0);
	ASSERT_EQ(atomic_load(&mm->rss_anon), 0);
	ASSERT_TRUE(t_holds(r.task, r.addr, 0, RACE_LEN));
	ASSERT_INVARIANTS();
}
