// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of batched migration (several batches in one call, pages copied
 * side by side) and of alloc_pages_bulk(), the targets' allocator.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../../mm/testing.h"

#define BATCH_CFG	.mem = 256 << 20, .cma = 64 << 20

/*
 * Every page of the range gets a content of its own: its index in the
 * first word and a byte derived from it in the rest, so a page copied to
 * the wrong place, or only partly, shows.
 */
static void fill_distinct(struct task_struct *t, unsigned long addr,
			  unsigned long nr)
{
	static unsigned char buf[PAGE_SIZE];
	unsigned long i;

	for (i = 0; i < nr; i++) {
		memset(buf, (int)(i * 7 + 1) & 0xff, sizeof(buf));
		memcpy(buf, &i, sizeof(i));
		if (user_write(t, addr + i * PAGE_SIZE, buf, sizeof(buf)) !=
		    UACCESS_OK)
			harness_fail(__FILE__, __LINE__, "write at page %lu", i);
	}
}

static bool holds_distinct(struct task_struct *t, unsigned long addr,
			   unsigned long nr)
{
	static unsigned char buf[PAGE_SIZE];
	unsigned long i, j, idx;

	for (i = 0; i < nr; i++) {
		if (user_read(t, addr + i * PAGE_SIZE, buf, sizeof(buf)) !=
		    UACCESS_OK)
			return false;
		memcpy(&idx, buf, sizeof(idx));
		if (idx != i)
			return false;
		for (j = sizeof(idx); j < PAGE_SIZE; j++)
			if (buf[j] != ((i * 7 + 1) & 0xff))
				return false;
	}
	return true;
}

/* Isolates the folio at addr onto list, unless it is already there. */
static void isolate_at(struct task_struct *t, unsigned long addr,
		       struct list_head *list)
{
	struct folio *folio = page_folio(t_normal_page(t, addr));

	folio_get(folio);
	if (folio_isolate_lru(folio))
		list_add_tail(&folio->page.lru, list);
	folio_put(folio);
}

/*
 * 1100 pages: three batches of 512 pages or less, with three pinned pages
 * spread over them. The pinned pages stay mapped where they were; every
 * other page moves out of CMA with its own content, and the counters say
 * so.
 */
TEST_CFG(batches_move_all_but_the_pinned, BATCH_CFG)
{
	static const unsigned long pinned_at[] = { 0, 511, 1099 };
	const unsigned long nr = 1100;
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, nr * PAGE_SIZE), i;
	long ok = vmstat_get("pgmigrate_success");
	long fail = vmstat_get("pgmigrate_fail");
	struct page *pins[ARRAY_SIZE(pinned_at)];
	unsigned int moved = 0;
	LIST_HEAD(list);

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	fill_distinct(t, addr, nr);
	ASSERT_EQ(user_range_zone(t, addr, nr * PAGE_SIZE), PZ_CMA);
	for (i = 0; i < ARRAY_SIZE(pinned_at); i++)
		ASSERT_EQ(t_pin(t, addr + pinned_at[i] * PAGE_SIZE, 1,
				FOLL_WRITE, &pins[i]), 1);
	for (i = 0; i < nr; i++)
		isolate_at(t, addr + i * PAGE_SIZE, &list);

	ASSERT_EQ(migrate_pages(&list, alloc_migration_target_pinnable, 0,
				MR_LONGTERM_PIN, &moved),
		  (long)ARRAY_SIZE(pinned_at));
	ASSERT_EQ(moved, nr - ARRAY_SIZE(pinned_at));
	ASSERT_EQ(vmstat_get("pgmigrate_success"),
		  ok + (long)(nr - ARRAY_SIZE(pinned_at)));
	/* a busy folio is tried on every pass, but fails once */
	ASSERT_EQ(vmstat_get("pgmigrate_fail"),
		  fail + (long)ARRAY_SIZE(pinned_at));
	for (i = 0; i < ARRAY_SIZE(pinned_at); i++) {
		unsigned long a = addr + pinned_at[i] * PAGE_SIZE;

		ASSERT_PTR_EQ(t_normal_page(t, a), pins[i]);
		ASSERT_TRUE(pte_write(t_entry(t, a)));
		ASSERT_FALSE(folio_test_locked(page_folio(pins[i])));
	}
	for (i = 0; i < nr; i++) {
		struct page *page = t_normal_page(t, addr + i * PAGE_SIZE);
		bool pinned = i == 0 || i == 511 || i == 1099;

		ASSERT_EQ(folio_is_longterm_pinnable(page_folio(page)),
			  !pinned);
		ASSERT_TRUE(PageAnonExclusive(page));
	}
	ASSERT_TRUE(holds_distinct(t, addr, nr));
	putback_movable_pages(&list);
	for (i = 0; i < ARRAY_SIZE(pinned_at); i++)
		unpin_user_page(pins[i]);
	ASSERT_INVARIANTS();
	task_exit(t);
}

/* Reads back the first word of each page: fill_distinct's index. */
static bool first_words_are(struct task_struct *t, unsigned long addr,
			    unsigned long nr, unsigned long first_idx)
{
	unsigned long i, got;

	for (i = 0; i < nr; i++) {
		if (user_read(t, addr + i * PAGE_SIZE, &got, sizeof(got)) !=
		    UACCESS_OK || got != first_idx + i)
			return false;
	}
	return true;
}

/*
 * Small folios, a PMD-mapped THP and a PTE-mapped one in one list: the
 * batches are cut at folio boundaries (a THP fills one alone), and each
 * folio keeps its order, its mapping and its data.
 */
TEST_CFG(thp_and_small_folios_in_one_call, BATCH_CFG, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long thps = t_mmap_anon(t, 2 * HPAGE_PMD_SIZE);
	unsigned long small = t_mmap_anon(t, 32 * PAGE_SIZE), i;
	unsigned long split = thps + HPAGE_PMD_SIZE + 16 * PAGE_SIZE;
	struct folio *thp, *pte_thp;
	LIST_HEAD(list);

	ASSERT_EQ(vm_set_place(t, thps, PLACE_CMA), 0);
	ASSERT_EQ(vm_set_place(t, small, PLACE_CMA), 0);
	fill_distinct(t, thps, 2 * HPAGE_PMD_NR);
	fill_distinct(t, small, 32);
	thp = page_folio(t_normal_page(t, thps));
	ASSERT_EQ(folio_order(thp), HPAGE_PMD_ORDER);
	ASSERT_FALSE(folio_test_large(page_folio(t_normal_page(t, small))));
	/* a hole in the second THP's mapping leaves it PTE-mapped */
	ASSERT_EQ(vm_munmap(t, thps + HPAGE_PMD_SIZE, 16 * PAGE_SIZE), 0);
	pte_thp = page_folio(t_normal_page(t, split));
	ASSERT_EQ(folio_order(pte_thp), HPAGE_PMD_ORDER);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, split)));

	for (i = 0; i < 16; i++)
		isolate_at(t, small + i * PAGE_SIZE, &list);
	isolate_at(t, thps, &list);
	for (i = 16; i < 32; i++)
		isolate_at(t, small + i * PAGE_SIZE, &list);
	isolate_at(t, split, &list);

	ASSERT_EQ(migrate_pages(&list, alloc_migration_target_pinnable, 0,
				MR_LONGTERM_PIN, NULL), 0);
	ASSERT_TRUE(list_empty(&list));
	ASSERT_TRUE(page_folio(t_normal_page(t, thps)) != thp);
	ASSERT_EQ(folio_order(page_folio(t_normal_page(t, thps))),
		  HPAGE_PMD_ORDER);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, thps)));
	ASSERT_TRUE(page_folio(t_normal_page(t, split)) != pte_thp);
	ASSERT_EQ(folio_order(page_folio(t_normal_page(t, split))),
		  HPAGE_PMD_ORDER);
	ASSERT_EQ(user_range_zone(t, thps, HPAGE_PMD_SIZE), PZ_NORMAL);
	ASSERT_EQ(user_range_zone(t, split, HPAGE_PMD_SIZE - 16 * PAGE_SIZE),
		  PZ_NORMAL);
	ASSERT_EQ(user_range_zone(t, small, 32 * PAGE_SIZE), PZ_NORMAL);
	ASSERT_TRUE(holds_distinct(t, thps, HPAGE_PMD_NR));
	ASSERT_TRUE(holds_distinct(t, small, 32));
	ASSERT_TRUE(first_words_are(t, split, HPAGE_PMD_NR - 16,
				    HPAGE_PMD_NR + 16));
	ASSERT_INVARIANTS();
	task_exit(t);
}

static int targets_left;

static struct folio *few_targets(struct folio *src, unsigned long priv)
{
	if (targets_left <= 0)
		return NULL;
	targets_left--;
	return alloc_migration_target(src, priv);
}

/*
 * The allocator runs dry in the middle of a batch: what was unmapped by
 * then still moves, the rest stays mapped where it was, on the list, and
 * counts as failed.
 */
TEST(enomem_in_a_batch_moves_what_it_has)
{
	const unsigned long nr = 40;
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, nr * PAGE_SIZE), i;
	long fail = vmstat_get("pgmigrate_fail");
	struct page *old[40];
	unsigned int moved = 0;
	LIST_HEAD(list);

	fill_distinct(t, addr, nr);
	for (i = 0; i < nr; i++) {
		old[i] = t_normal_page(t, addr + i * PAGE_SIZE);
		isolate_at(t, addr + i * PAGE_SIZE, &list);
	}
	targets_left = 25;
	ASSERT_EQ(migrate_pages(&list, few_targets, 0, MR_SYSCALL, &moved),
		  -ENOMEM);
	ASSERT_EQ(moved, 25);
	ASSERT_EQ(vmstat_get("pgmigrate_fail"), fail + 15);
	for (i = 0; i < nr; i++) {
		struct page *now = t_normal_page(t, addr + i * PAGE_SIZE);

		if (i < 25)
			ASSERT_TRUE(now != old[i]);
		else
			ASSERT_PTR_EQ(now, old[i]);
	}
	ASSERT_PTR_EQ(list_first_entry(&list, struct folio, page.lru),
		      page_folio(old[25]));
	putback_movable_pages(&list);
	ASSERT_TRUE(holds_distinct(t, addr, nr));
	ASSERT_INVARIANTS();
	task_exit(t);
}

/* ---- alloc_pages_bulk() ---- */

/* The bulk gives the pages one-by-one allocation gives, in that order. */
TEST(bulk_is_one_by_one_under_one_lock)
{
	enum { NR = 300 };
	static struct page *bulk[NR], *single[NR];
	unsigned long free_before = nr_free_pages();
	int i;

	ASSERT_EQ(alloc_pages_bulk(GFP_HIGHUSER_MOVABLE, NR, bulk), NR);
	ASSERT_EQ(nr_free_pages(), free_before - NR);
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(folio_ref_count(page_folio(bulk[i])), 1);
		ASSERT_FALSE(Pagebuddy(bulk[i]));
	}
	for (i = NR - 1; i >= 0; i--)
		__free_pages(bulk[i], 0);
	ASSERT_EQ(nr_free_pages(), free_before);
	for (i = 0; i < NR; i++)
		single[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	for (i = 0; i < NR; i++)
		ASSERT_PTR_EQ(single[i], bulk[i]);
	for (i = 0; i < NR; i++)
		__free_pages(single[i], 0);
	ASSERT_INVARIANTS();
}

/* Filled slots are kept; only the NULL ones get pages. */
TEST(bulk_fills_only_empty_slots)
{
	struct page *pages[8] = { 0 };
	struct page *mine = alloc_pages(GFP_KERNEL, 0);
	int i;

	pages[3] = mine;
	ASSERT_EQ(alloc_pages_bulk(GFP_KERNEL, 8, pages), 8);
	ASSERT_PTR_EQ(pages[3], mine);
	for (i = 0; i < 8; i++) {
		ASSERT_NOT_NULL(pages[i]);
		__free_pages(pages[i], 0);
	}
	ASSERT_INVARIANTS();
}

/* Inside memalloc_pin_save() nothing comes from CMA, even when asked. */
TEST_CFG(bulk_pinnable_avoids_cma, BATCH_CFG)
{
	enum { NR = 64 };
	static struct page *pages[NR];
	unsigned int flags;
	int i;

	ASSERT_EQ(alloc_pages_bulk(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, NR,
				   pages), NR);
	for (i = 0; i < NR; i++) {
		ASSERT_TRUE(is_migrate_cma_page(pages[i]));
		__free_pages(pages[i], 0);
		pages[i] = NULL;
	}
	flags = memalloc_pin_save();
	ASSERT_EQ(alloc_pages_bulk(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, NR,
				   pages), NR);
	memalloc_pin_restore(flags);
	for (i = 0; i < NR; i++) {
		ASSERT_FALSE(is_migrate_cma_page(pages[i]));
		__free_pages(pages[i], 0);
	}
	ASSERT_INVARIANTS();
}

/* Out of memory: as many as there were, the rest of the slots NULL. */
TEST_CFG(bulk_partial_when_memory_runs_out, .mem = 16 << 20)
{
	unsigned long nr = nr_free_pages() + 10, got, i;
	struct page **pages = calloc(nr, sizeof(*pages));

	ASSERT_NOT_NULL(pages);
	got = alloc_pages_bulk(GFP_KERNEL, nr, pages);
	ASSERT_EQ(got, nr - 10);
	ASSERT_EQ(nr_free_pages(), 0);
	for (i = got; i < nr; i++)
		ASSERT_NULL(pages[i]);
	for (i = 0; i < got; i++)
		__free_pages(pages[i], 0);
	free(pages);
	ASSERT_INVARIANTS();
}
