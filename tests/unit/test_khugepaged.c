// SPDX-License-Identifier: GPL-2.0
/*
 * MADV_COLLAPSE (mm/khugepaged.c): 512 PTEs become one PMD leaf mapping a
 * new, exclusive THP with the same bytes; a pinned page refuses it with
 * -EAGAIN and leaves the PTE table as it was; a forked child keeps the
 * pages it shares, so the parent's collapse is invisible to it.
 */
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
