// SPDX-License-Identifier: GPL-2.0
/*
 * Swap (mm/swapfile.c, mm/vmscan.c, do_swap_page()): MADV_PAGEOUT writes
 * anonymous pages only this mm maps to the swap device and leaves swap
 * entries that remember PageAnonExclusive; a fault reads the page back.
 * A pinned page, or one another mm maps, is not paged out. Entries a fork
 * shared are not exclusive: a write after swap-in copies, the swap cache
 * gives both sides the same page until then.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

#define PG(n)		((unsigned long)(n) * PAGE_SIZE)
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

TEST_CFG(pageout_and_swapin_keep_the_bytes_and_exclusivity, .swap = 16 << 20)
{
	struct task_struct *t = t_task("swap");
	unsigned long a = t_mmap_anon(t, PG(4));
	uint64_t pte;

	t_fill(t, a, 'x', PG(4));
	ASSERT_EQ(vm_madvise(t, a, PG(4), MADV_PAGEOUT), 0);
	ASSERT_EQ(vmstat_get("pswpout"), 4);
	ASSERT_TRUE(t_page(t, a) == NULL);
	ASSERT_TRUE(t_holds(t, a, 'x', PG(1)));
	ASSERT_EQ(vmstat_get("pswpin"), 1);
	/* the read fault mapped it exclusive: a write reuses it in place */
	ASSERT_TRUE(PageAnonExclusive(t_page(t, a)));
	pte = t_pte(t, a);
	t_fill(t, a, 'y', PG(1));
	ASSERT_EQ(pte_pfn(t_pte(t, a)), pte_pfn(pte));
	ASSERT_INVARIANTS();
}

TEST_CFG(pageout_skips_a_pinned_page, .swap = 16 << 20)
{
	struct task_struct *t = t_task("swap");
	unsigned long a = t_mmap_anon(t, PG(2));
	struct page *page;

	t_fill(t, a, 'x', PG(2));
	ASSERT_EQ(t_pin(t, a, 1, FOLL_WRITE | FOLL_LONGTERM, &page), 1);
	ASSERT_EQ(vm_madvise(t, a, PG(2), MADV_PAGEOUT), 0);
	ASSERT_EQ(vmstat_get("pswpout"), 1);
	ASSERT_TRUE(t_page(t, a) == page);
	ASSERT_TRUE(t_page(t, a + PG(1)) == NULL);
	unpin_user_pages(&page, 1);
	ASSERT_INVARIANTS();
}

TEST_CFG(swap_entries_shared_by_fork_copy_on_write, .swap = 16 << 20)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long a = t_mmap_anon(p, PG(1));

	t_fill(p, a, 'x', PG(1));
	ASSERT_EQ(vm_madvise(p, a, PG(1), MADV_PAGEOUT), 0);
	c = task_fork(p, "child");
	ASSERT_TRUE(c != NULL);
	/* both read the one page the swap cache holds */
	ASSERT_TRUE(t_holds(c, a, 'x', PG(1)));
	ASSERT_TRUE(t_holds(p, a, 'x', PG(1)));
	ASSERT_TRUE(t_page(p, a) == t_page(c, a));
	ASSERT_EQ(vmstat_get("pswpin"), 1);
	ASSERT_FALSE(PageAnonExclusive(t_page(p, a)));
	t_fill(p, a, 'p', PG(1));
	ASSERT_TRUE(t_page(p, a) != t_page(c, a));
	ASSERT_TRUE(t_holds(c, a, 'x', PG(1)));
	task_exit(c);
	ASSERT_INVARIANTS();
}

TEST_CFG(pageout_of_a_shared_page_does_nothing, .swap = 16 << 20)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long a = t_mmap_anon(p, PG(1));

	t_fill(p, a, 'x', PG(1));
	c = task_fork(p, "child");
	ASSERT_TRUE(c != NULL);
	ASSERT_EQ(vm_madvise(p, a, PG(1), MADV_PAGEOUT), 0);
	ASSERT_EQ(vmstat_get("pswpout"), 0);
	ASSERT_TRUE(t_page(p, a) != NULL);
	task_exit(c);
	ASSERT_INVARIANTS();
}

TEST(pageout_without_swap_keeps_the_pages)
{
	struct task_struct *t = t_task("noswap");
	unsigned long a = t_mmap_anon(t, PG(2));

	t_fill(t, a, 'x', PG(2));
	ASSERT_EQ(vm_madvise(t, a, PG(2), MADV_PAGEOUT), 0);
	ASSERT_TRUE(t_page(t, a) != NULL);
	ASSERT_EQ(vmstat_get("pswpout"), 0);
	ASSERT_INVARIANTS();
}

TEST_CFG(pageout_of_a_thp_swaps_every_page, .swap = 16 << 20,
	 .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("swap");
	unsigned long a = t_mmap_anon(t, 2 * MiB);

	ASSERT_TRUE(IS_ALIGNED(a, PMD_SIZE));
	t_fill(t, a, 't', 2 * MiB);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, a)));
	ASSERT_EQ(vm_madvise(t, a, 2 * MiB, MADV_PAGEOUT), 0);
	ASSERT_EQ(vmstat_get("pswpout"), (long)HPAGE_PMD_NR);
	ASSERT_TRUE(t_page(t, a + MiB) == NULL);
	ASSERT_TRUE(t_holds(t, a, 't', 2 * MiB));
	ASSERT_INVARIANTS();
}

/*
 * Pageout against GUP-fast: pinners pin and unpin pages of the range
 * while it is paged out and read back over and over. A pinned page is
 * skipped, a page a walker grabbed before its PTE was cleared is put
 * back; no pin is lost, no byte changes, nothing leaks.
 */
#define SWAP_PINNERS	2
#define SWAP_LOOPS	40
#define SWAP_PAGES	64

TEST_CFG(pageout_races_gup_fast, .swap = 16 << 20)
{
	struct t_pinner s = { .task = t_task("swap"), .pages = SWAP_PAGES,
			      .byte = 's' };
	pthread_t th[SWAP_PINNERS];

	s.addr = t_mmap_anon(s.task, PG(SWAP_PAGES));
	t_fill(s.task, s.addr, 's', PG(SWAP_PAGES));
	for (int i = 0; i < SWAP_PINNERS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, t_pinner_thread, &s), 0);
	while (!atomic_load(&s.pinned) && !atomic_load(&s.errors))
		sched_yield();
	for (int i = 0; i < SWAP_LOOPS; i++) {
		if (vm_madvise(s.task, s.addr, PG(SWAP_PAGES), MADV_PAGEOUT))
			atomic_fetch_add(&s.errors, 1);
		if (!t_holds(s.task, s.addr, 's', PG(SWAP_PAGES)))
			atomic_fetch_add(&s.errors, 1);
	}
	atomic_store(&s.stop, 1);
	for (int i = 0; i < SWAP_PINNERS; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	current = s.task;
	harness_note("%ld pages swapped out, %ld pinned meanwhile",
		     vmstat_get("pswpout"), atomic_load(&s.pinned));
	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_GT(vmstat_get("pswpout"), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	ASSERT_INVARIANTS();
}
