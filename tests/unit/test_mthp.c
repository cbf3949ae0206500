// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of multi-size anonymous THP (mTHP): a write fault allocates the
 * largest enabled order below the PMD's whose aligned range lies in the
 * VMA with no PTE yet, maps it with one PTE per page (per-page mapcount
 * and PageAnonExclusive), and COW, GUP, swap-out and fork then treat it
 * page by page, as the kernel does with a PTE-mapped large folio.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

#define ORDER(n)	(1u << (n))
#define SZ(order)	(PAGE_SIZE << (order))
#define KiB		(1UL << 10)

/* A 2 MiB-aligned anonymous rw area of 2 MiB, THP-advised. */
static unsigned long t_area(struct task_struct *t)
{
	unsigned long addr = t_mmap_anon(t, 2 * MiB);

	ASSERT_TRUE(IS_ALIGNED(addr, PMD_SIZE));
	return addr;
}

static struct folio *t_folio(struct task_struct *t, unsigned long addr)
{
	struct page *page = t_page(t, addr);

	return page ? page_folio(page) : NULL;
}

TEST_CFG(mthp_write_fault_maps_the_largest_enabled_order,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(4) | ORDER(2))
{
	struct task_struct *t = t_task("mthp");
	unsigned long addr = t_area(t);
	long pmd_allocs = vmstat_get("thp_fault_alloc");
	struct folio *folio;

	/* a write in the middle of the first 64 KiB brings all of it */
	t_fill(t, addr + 5 * PAGE_SIZE, 0x11, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	folio = t_folio(t, addr);
	ASSERT_NOT_NULL(folio);
	ASSERT_EQ(folio_order(folio), 4);
	ASSERT_TRUE(folio_test_anon(folio));
	ASSERT_EQ(folio_ref_count(folio), 16);
	ASSERT_EQ(folio_mapcount(folio), 16);
	ASSERT_EQ(folio_entire_mapcount(folio), 0);
	for (unsigned long i = 0; i < 16; i++) {
		uint64_t pte = t_pte(t, addr + i * PAGE_SIZE);

		ASSERT_TRUE(pte_present(pte) && pte_write(pte));
		ASSERT_TRUE(t_page(t, addr + i * PAGE_SIZE) ==
			    folio_page(folio, i));
		ASSERT_EQ(page_mapcount(folio_page(folio, i)), 1);
		ASSERT_TRUE(PageAnonExclusive(folio_page(folio, i)));
	}
	ASSERT_TRUE(pte_none(t_pte(t, addr + SZ(4))));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 16);
	ASSERT_EQ(vmstat_get("thp_fault_alloc"), pmd_allocs);
	ASSERT_TRUE(t_holds(t, addr, 0, 5 * PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, addr + 5 * PAGE_SIZE, 0x11, 1));
	ASSERT_INVARIANTS();
}

TEST_CFG(mthp_falls_back_to_a_range_that_is_empty_and_inside_the_vma,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(4) | ORDER(2))
{
	struct task_struct *t = t_task("mthp");
	unsigned long addr = t_area(t);

	/* the VMA ends 48 KiB in: no 64 KiB folio fits, a 16 KiB one does */
	ASSERT_EQ(vm_munmap(t, addr + 48 * KiB, 2 * MiB - 48 * KiB), 0);
	t_fill(t, addr + 40 * KiB, 1, 1);
	ASSERT_EQ(folio_order(t_folio(t, addr + 40 * KiB)), 2);
	ASSERT_TRUE(t_folio(t, addr + 32 * KiB) ==
		    t_folio(t, addr + 44 * KiB));
	/* a read left the zero page at 8 KiB: [0, 16K) is not empty */
	ASSERT_TRUE(t_holds(t, addr + 8 * KiB, 0, 1));
	t_fill(t, addr, 2, 1);
	ASSERT_EQ(folio_order(t_folio(t, addr)), 0);
	t_fill(t, addr + 16 * KiB, 3, 1);
	ASSERT_EQ(folio_order(t_folio(t, addr + 16 * KiB)), 2);
	ASSERT_INVARIANTS();
}

TEST_CFG(mthp_follows_thp_mode_and_leaves_the_pmd_size_alone,
	 .thp_orders = ORDER(5))
{
	struct task_struct *t = t_task("mthp");
	unsigned long addr = t_area(t);

	/* thp=madvise: nothing large without MADV_HUGEPAGE */
	t_fill(t, addr, 1, 1);
	ASSERT_EQ(folio_order(t_folio(t, addr)), 0);
	ASSERT_EQ(vm_madvise(t, addr, 2 * MiB, MADV_HUGEPAGE), 0);
	t_fill(t, addr + 1 * MiB, 1, 1);
	/* 2 MiB is not enabled: a 128 KiB folio, mapped by PTEs */
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr + 1 * MiB)));
	ASSERT_EQ(folio_order(t_folio(t, addr + 1 * MiB)), 5);
	ASSERT_EQ(vm_madvise(t, addr, 2 * MiB, MADV_NOHUGEPAGE), 0);
	t_fill(t, addr + 512 * KiB, 1, 1);
	ASSERT_EQ(folio_order(t_folio(t, addr + 512 * KiB)), 0);
	ASSERT_INVARIANTS();
}

TEST_CFG(mthp_cow_after_fork_copies_only_the_written_page,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(3))
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_area(p);
	struct folio *folio;

	t_fill(p, addr, 'a', SZ(3));
	folio = t_folio(p, addr);
	ASSERT_EQ(folio_order(folio), 3);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(folio_mapcount(folio), 16);
	ASSERT_FALSE(PageAnonExclusive(folio_page(folio, 2)));
	t_fill(p, addr + 2 * PAGE_SIZE, 'p', PAGE_SIZE);
	ASSERT_TRUE(t_folio(p, addr + 2 * PAGE_SIZE) != folio);
	ASSERT_EQ(folio_order(t_folio(p, addr + 2 * PAGE_SIZE)), 0);
	ASSERT_TRUE(t_folio(p, addr + 3 * PAGE_SIZE) == folio);
	ASSERT_EQ(folio_mapcount(folio), 15);
	ASSERT_EQ(page_mapcount(folio_page(folio, 2)), 1);
	ASSERT_TRUE(t_holds(c, addr, 'a', SZ(3)));
	task_exit(c);
	ASSERT_INVARIANTS();
}

TEST_CFG(mthp_ro_longterm_pin_unshares_page_by_page,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(2))
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_area(p);
	struct folio *folio;
	struct page *pages[4];

	t_fill(p, addr, 'a', SZ(2));
	folio = t_folio(p, addr);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	/* a R/O long-term pin of a shared page must not see a stale copy */
	ASSERT_EQ(t_pin(p, addr, 4, FOLL_LONGTERM, pages), 4);
	for (int i = 0; i < 4; i++) {
		ASSERT_TRUE(page_folio(pages[i]) != folio);
		ASSERT_TRUE(PageAnonExclusive(pages[i]));
	}
	t_fill(p, addr, 'b', SZ(2));
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(page_holds(pages[i], 'b'));
	unpin_user_pages(pages, 4);
	ASSERT_TRUE(t_holds(c, addr, 'a', SZ(2)));
	task_exit(c);
	ASSERT_INVARIANTS();
}

TEST_CFG(mthp_pageout_swaps_every_page_and_frees_the_folio,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(4), .swap = 16 << 20)
{
	struct task_struct *t = t_task("mthp");
	unsigned long addr = t_area(t);

	t_fill(t, addr, 'z', SZ(4));
	ASSERT_EQ(folio_order(t_folio(t, addr)), 4);
	ASSERT_EQ(vm_madvise(t, addr, SZ(4), MADV_PAGEOUT), 0);
	ASSERT_EQ(vmstat_get("pswpout"), 16);
	for (unsigned long i = 0; i < 16; i++)
		ASSERT_NULL(t_page(t, addr + i * PAGE_SIZE));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
	/* swap-in reads base pages back, exclusive again */
	ASSERT_TRUE(t_holds(t, addr, 'z', SZ(4)));
	ASSERT_EQ(folio_order(t_folio(t, addr + PAGE_SIZE)), 0);
	ASSERT_TRUE(PageAnonExclusive(t_page(t, addr + PAGE_SIZE)));
	ASSERT_INVARIANTS();
}

/* ---- concurrency: mTHP faults racing each other and zaps ---- */

struct mthp_race {
	struct task_struct *task;
	unsigned long addr;
	int id;
	int bad;
};

#define MTHP_RACE_LEN	(2 * MiB)
#define MTHP_RACE_ITERS	800

/*
 * Writers store their id in random pages (racing faults into one empty
 * 64 KiB range: one maps a folio, the others find a PTE and retry) and
 * read pages of the upper half back (a read maps the zero page, which
 * leaves only base pages for its range), which hold 0 (zapped) or some
 * writer's id.
 */
static void *mthp_writer(void *p)
{
	struct mthp_race *a = p;
	unsigned int seed = (unsigned int)a->id * 104729u + 3;
	unsigned char c;

	current = a->task;
	for (int i = 0; i < MTHP_RACE_ITERS; i++) {
		unsigned long off = (rand_r(&seed) % (MTHP_RACE_LEN /
						      PAGE_SIZE)) * PAGE_SIZE;

		if (rand_r(&seed) & 1)
			user_memset(a->task, a->addr + off, a->id, 1);
		else if (off >= MTHP_RACE_LEN / 2 &&	/* zero pages block */
			 user_read(a->task, a->addr + off, &c, 1) ==
			 UACCESS_OK && c > 3)
			a->bad++;
	}
	return NULL;
}

/* Zaps random parts of folios, so later faults find ranges part-full. */
static void *mthp_zapper(void *p)
{
	struct mthp_race *a = p;
	unsigned int seed = 777;

	current = a->task;
	for (int i = 0; i < MTHP_RACE_ITERS / 16; i++) {
		unsigned long off = (rand_r(&seed) % (MTHP_RACE_LEN /
						      PAGE_SIZE)) * PAGE_SIZE;
		size_t len = (1 + rand_r(&seed) % 20) * PAGE_SIZE;

		if (off + len > MTHP_RACE_LEN)
			len = MTHP_RACE_LEN - off;
		vm_madvise(a->task, a->addr + off, len, MADV_DONTNEED);
	}
	return NULL;
}

TEST_CFG(mthp_faults_race_with_each_other_and_zap,
	 .thp = THP_ALWAYS, .thp_orders = ORDER(4) | ORDER(2))
{
	struct task_struct *t = t_task("race");
	unsigned long addr = t_area(t);
	struct mthp_race args[4];
	pthread_t th[4];
	unsigned long large = 0;

	for (int i = 0; i < 4; i++) {
		args[i] = (struct mthp_race){ .task = t, .addr = addr,
					      .id = i + 1 };
		pthread_create(&th[i], NULL, i == 3 ? mthp_zapper : mthp_writer,
			       &args[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	current = t;
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(args[i].bad, 0);
	for (unsigned long off = 0; off < MTHP_RACE_LEN; off += PAGE_SIZE) {
		struct folio *folio = t_folio(t, addr + off);

		large += folio && folio_test_large(folio);
	}
	harness_note("pages of large folios still mapped: %lu", large);
	ASSERT_GT(large, 0);
	ASSERT_INVARIANTS();
	ASSERT_EQ(vm_munmap(t, addr, MTHP_RACE_LEN), 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
}
