// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_COLLAPSE (mm/khugepaged.c): 512 PTEs become one PMD leaf mapping a
 * new, exclusive THP with the same bytes; a pinned page refuses it with
 * -EAGAIN and leaves the PTE table as it was; a forked child keeps the
 * pages it shares, so the parent's collapse is invisible to it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

#define PG(n)		((unsigned long)(n) * PAGE_SIZE)
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif

/* A 2 MiB-aligned private anonymous area, PTE-mapped, page i = i + 1. */
static unsigned long t_ptes(struct task_struct *t)
{
	unsigned long a = t_mmap_anon(t, 2 * MiB);

	ASSERT_TRUE(IS_ALIGNED(a, PMD_SIZE));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		t_fill(t, a + PG(i), (int)((i + 1) & 0xff), PAGE_SIZE);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, a)));
	return a;
}

static bool t_pattern(struct task_struct *t, unsigned long a)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		if (!t_holds(t, a + PG(i), (int)((i + 1) & 0xff), PAGE_SIZE))
			return false;
	return true;
}

TEST_CFG(collapse_maps_one_exclusive_thp, .thp = THP_NEVER)
{
	struct task_struct *t = t_task("collapse");
	unsigned long a = t_ptes(t);
	long thps = vmstat_get("nr_anon_transparent_hugepages");
	pmd_t e;

	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_COLLAPSE), 0);
	e = t_pmd(t, a);
	ASSERT_TRUE(pmd_leaf(e));
	ASSERT_TRUE(pmd_write(e));
	ASSERT_TRUE(PageAnonExclusive(pfn_to_page(pmd_pfn(e))));
	ASSERT_EQ(vmstat_get("nr_anon_transparent_hugepages"), thps + 1);
	ASSERT_TRUE(t_pattern(t, a));
	/* already a PMD leaf: nothing to do, and no error */
	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_COLLAPSE), 0);
	ASSERT_INVARIANTS();
}

TEST(collapse_refused_by_a_pin)
{
	struct task_struct *t = t_task("collapse");
	unsigned long a = t_ptes(t);
	struct page *page;
	uint64_t pte = t_pte(t, a + PG(7));

	ASSERT_EQ(t_pin(t, a + PG(7), 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_COLLAPSE), -EAGAIN);
	/* the table is back as it was: same page, same entry */
	ASSERT_EQ(t_pte(t, a + PG(7)), pte);
	ASSERT_TRUE(t_normal_page(t, a + PG(7)) == page);
	unpin_user_pages(&page, 1);
	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_COLLAPSE), 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, a)));
	ASSERT_TRUE(t_pattern(t, a));
	ASSERT_INVARIANTS();
}

TEST(collapse_after_fork_leaves_the_child_its_pages)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long a = t_ptes(t);
	struct page *old = t_normal_page(t, a);

	c = task_fork(t, "child");
	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_COLLAPSE), 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, a)));
	ASSERT_TRUE(t_normal_page(c, a) == old);
	t_fill(t, a, 0xff, 2 * MiB);
	ASSERT_TRUE(t_pattern(c, a));
	task_exit(c);
	ASSERT_INVARIANTS();
}

/*
 * Collapse against GUP-fast: pinners take and drop R/O pins on the block
 * while it is collapsed and PTE-mapped again. A collapse answers 0 or
 * -EAGAIN (a pin caught in the refcount, or a walker that grabbed a page
 * before the PMD was cleared); no pin may be lost, the bytes survive, and
 * the invariants hold afterwards.
 */
#define COLLAPSE_PINNERS	2
#define COLLAPSE_LOOPS		60

TEST(collapse_races_gup_fast)
{
	struct t_pinner s = { .task = t_task("collapse"),
			      .pages = HPAGE_PMD_NR, .byte = -1 };
	pthread_t th[COLLAPSE_PINNERS];
	long collapsed = 0;

	s.addr = t_ptes(s.task);
	for (int i = 0; i < COLLAPSE_PINNERS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, t_pinner_thread, &s), 0);
	/* start once the pinners are at work */
	while (!atomic_load(&s.pinned) && !atomic_load(&s.errors))
		sched_yield();
	for (int i = 0; i < COLLAPSE_LOOPS; i++) {
		int r = -EAGAIN;

		/* EAGAIN says "try again": a caller would */
		for (int try = 0; try < 50 && r == -EAGAIN; try++) {
			r = vm_madvise(s.task, s.addr, 2 * MiB, MADV_COLLAPSE);
			if (r == -EAGAIN)
				sched_yield();
		}
		if (r == 0)
			collapsed++;
		else if (r != -EAGAIN)
			atomic_fetch_add(&s.errors, 1);
		/* PTE-map it again, as cow.c does */
		vm_mprotect(s.task, s.addr + PG(1), PG(1), PROT_READ);
		vm_mprotect(s.task, s.addr + PG(1), PG(1),
			    PROT_READ | PROT_WRITE);
	}
	atomic_store(&s.stop, 1);
	for (int i = 0; i < COLLAPSE_PINNERS; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	current = s.task;
	harness_note("%ld of %d collapses done, %ld pages pinned meanwhile",
		     collapsed, COLLAPSE_LOOPS,
		     atomic_load(&s.pinned));
	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_GT(collapsed, 0);
	ASSERT_GT(atomic_load(&s.pinned), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	ASSERT_TRUE(t_pattern(s.task, s.addr));
	ASSERT_INVARIANTS();
}
