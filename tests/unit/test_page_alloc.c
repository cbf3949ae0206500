// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of physical memory: machine layouts, the buddy allocator (split,
 * merge, free counts, fallback and stealing), CMA and ZONE_MOVABLE
 * placement, the memalloc_pin scope, placement hints, vmstat, and the
 * cost of a large sparse machine.
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

#define GiB	(1UL << 30)

static unsigned long free_blocks[NR_PAGE_ORDERS];

static void snapshot_free_area(struct zone *zone)
{
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		free_blocks[o] = zone->free_area[o].nr_free;
}

static bool free_area_unchanged(struct zone *zone)
{
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		if (free_blocks[o] != zone->free_area[o].nr_free)
			return false;
	return true;
}

/* Allocates until the allocator says no; returns the count. */
static unsigned long alloc_all(gfp_t gfp, struct page **pages,
			       unsigned long max)
{
	unsigned long n = 0;

	while (n < max && (pages[n] = alloc_pages(gfp, 0)))
		n++;
	return n;
}

static void free_all(struct page **pages, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (pages[i])
			__free_pages(pages[i], 0);
}

TEST_NO_MACHINE(layout_checks)
{
	struct machine_config bad_align = { .mem = 130 * MiB };
	struct machine_config bad_cma = { .mem = 64 * MiB, .cma = 36 * MiB,
					  .movable = 16 * MiB };
	struct machine_config bad_dev = { .mem = 64 * MiB, .device = 6 * MiB };
	struct machine_config ok = { .mem = 64 * MiB, .cma = 24 * MiB,
				     .movable = 24 * MiB };
	char buf[256];

	ASSERT_EQ(machine_create(&bad_align), -EINVAL);
	ASSERT_EQ(machine_create(&bad_cma), -EINVAL);
	ASSERT_EQ(machine_create(&bad_dev), -EINVAL);
	ASSERT_FALSE(machine_exists());
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
	ASSERT_EQ(machine_create(&ok), 0);
	ASSERT_EQ(machine_create(&ok), -EBUSY);
	ASSERT_EQ(machine->ram_pages, 64 * MiB / PAGE_SIZE);
	ASSERT_EQ(machine->zones[ZONE_NORMAL].spanned_pages,
		  40 * MiB / PAGE_SIZE);
	ASSERT_EQ(machine->zones[ZONE_MOVABLE].zone_start_pfn,
		  40 * MiB / PAGE_SIZE);
	ASSERT_EQ(machine->mmio_start_pfn, machine->ram_pages);
	ASSERT_EQ(machine->dax_start_pfn, machine->ram_pages + 2048);
	ASSERT_EQ(machine->dax_pages, 64 * MiB / PAGE_SIZE);
	/* CMA is the last 24 MiB of ZONE_NORMAL: pfns [4096, 10240). */
	ASSERT_EQ(page_zone_kind(pfn_to_page(4095)), PZ_NORMAL);
	ASSERT_EQ(page_zone_kind(pfn_to_page(4096)), PZ_CMA);
	ASSERT_EQ(page_zone_kind(pfn_to_page(10239)), PZ_CMA);
	ASSERT_EQ(page_zone_kind(pfn_to_page(10240)), PZ_MOVABLE);
	ASSERT_EQ(page_zone_kind(pfn_to_page(machine->ram_pages)), PZ_DEVICE);
	ASSERT_EQ(page_zone_kind(pfn_to_page(machine->dax_start_pfn)),
		  PZ_DEVICE);
	ASSERT_EQ(vmstat_get("nr_free_cma"), 24 * MiB / PAGE_SIZE);
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
	ASSERT_FALSE(machine_exists());
}

TEST_NO_MACHINE(leak_check_reports_leaked_page)
{
	struct machine_config cfg = { .mem = 32 * MiB };
	char buf[4096];
	struct page *page;

	ASSERT_EQ(machine_create(&cfg), 0);
	page = alloc_pages(GFP_KERNEL, 1);
	ASSERT_NOT_NULL(page);
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), -EUCLEAN);
	ASSERT_TRUE(strstr(buf, "2 pages leaked") != NULL);
	ASSERT_FALSE(machine_exists());
	/* The next machine starts clean. */
	ASSERT_EQ(machine_create(&cfg), 0);
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
}

TEST(zero_page_and_initial_counts)
{
	struct page *zp = machine->zero_page;

	ASSERT_NOT_NULL(zp);
	ASSERT_TRUE(is_zero_page(zp));
	ASSERT_TRUE(is_zero_pfn(page_to_pfn(zp)));
	ASSERT_TRUE(Pagereserved(zp));
	ASSERT_EQ(page_ref_count(zp), 1);
	ASSERT_TRUE(page_holds(zp, 0));
	ASSERT_EQ(page_zone_kind(zp), PZ_NORMAL);
	ASSERT_TRUE(folio_is_longterm_pinnable(page_folio(zp)));
	ASSERT_EQ(get_pageblock_migratetype(zp), MIGRATE_UNMOVABLE);
	/* Everything but the zero page is free (no hugetlb pool here). */
	ASSERT_EQ(nr_free_pages(), machine->ram_pages - 1);
	ASSERT_EQ(vmstat_get("nr_free_pages"), machine->ram_pages - 1);
}

TEST(buddy_split_and_merge)
{
	struct zone *zone = &machine->zones[ZONE_NORMAL];
	unsigned long before = nr_free_pages();
	struct page *a, *b, *c;

	snapshot_free_area(zone);
	a = alloc_pages(GFP_KERNEL, 0);
	b = alloc_pages(GFP_KERNEL, 3);
	c = alloc_pages(GFP_KERNEL, MAX_PAGE_ORDER);
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_NOT_NULL(c);
	ASSERT_TRUE(IS_ALIGNED(page_to_pfn(b), 8));
	ASSERT_TRUE(IS_ALIGNED(page_to_pfn(c), 1024));
	ASSERT_EQ(page_ref_count(a), 1);
	ASSERT_FALSE(Pagebuddy(a));
	ASSERT_EQ(nr_free_pages(), before - 1 - 8 - 1024);
	ASSERT_FALSE(free_area_unchanged(zone));
	__free_pages(b, 3);
	__free_pages(a, 0);
	__free_pages(c, MAX_PAGE_ORDER);
	ASSERT_EQ(nr_free_pages(), before);
	/* Every split block merged back with its buddy. */
	ASSERT_TRUE(free_area_unchanged(zone));
	/* pgalloc also counts the zero page. */
	ASSERT_EQ(vmstat_get("pgalloc"), 1 + 8 + 1024 + 1);
	ASSERT_EQ(vmstat_get("pgfree"), 1 + 8 + 1024);
}

TEST_CFG(free_counts_many_orders, .mem = 32 * MiB)
{
	struct zone *zone = &machine->zones[ZONE_NORMAL];
	struct page *pages[64];
	unsigned long before = nr_free_pages(), used = 0;
	int i;

	snapshot_free_area(zone);
	for (i = 0; i < 64; i++) {
		gfp_t gfp = i & 1 ? GFP_HIGHUSER_MOVABLE : GFP_KERNEL;

		pages[i] = alloc_pages(gfp, i % 5);
		ASSERT_NOT_NULL(pages[i]);
		used += 1UL << (i % 5);
	}
	ASSERT_EQ(nr_free_pages(), before - used);
	/* Free in a scrambled order: merging must not depend on it. */
	for (i = 0; i < 64; i++) {
		int j = (i * 37) % 64;

		__free_pages(pages[j], j % 5);
	}
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(zone->free_area[MAX_PAGE_ORDER].nr_free,
		  free_blocks[MAX_PAGE_ORDER]);
}

TEST(unmovable_steals_whole_pageblocks)
{
	struct page *k = alloc_pages(GFP_KERNEL, 0);
	struct page *m = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);

	ASSERT_NOT_NULL(k);
	ASSERT_NOT_NULL(m);
	/* Boot memory is all MOVABLE; the first kernel block claimed one. */
	ASSERT_EQ(get_pageblock_migratetype(k), MIGRATE_UNMOVABLE);
	ASSERT_EQ(get_pageblock_migratetype(m), MIGRATE_MOVABLE);
	ASSERT_NE(page_to_pfn(k) >> pageblock_order,
		  page_to_pfn(m) >> pageblock_order);
	__free_pages(k, 0);
	__free_pages(m, 0);
}

TEST_CFG(small_steal_keeps_pageblock, .mem = 16 * MiB)
{
	unsigned long max = machine->ram_pages, n, i, victim = 0;
	struct page **pages = calloc(max, sizeof(*pages));
	struct page *p;

	ASSERT_NOT_NULL(pages);
	n = alloc_all(GFP_HIGHUSER_MOVABLE, pages, max);
	ASSERT_EQ(n, machine->ram_pages - 1);
	ASSERT_EQ(nr_free_pages(), 0);
	ASSERT_NULL(alloc_pages(GFP_KERNEL, 0));
	/* A lone free page in a MOVABLE pageblock: stolen, block kept. */
	for (i = 0; i < n; i++)
		if (get_pageblock_migratetype(pages[i]) == MIGRATE_MOVABLE &&
		    IS_ALIGNED(page_to_pfn(pages[i]), 32) &&
		    (page_to_pfn(pages[i]) >> pageblock_order) !=
		    (page_to_pfn(machine->zero_page) >> pageblock_order)) {
			victim = i;
			break;
		}
	ASSERT_LT(victim, n);
	p = pages[victim];
	__free_pages(p, 0);
	pages[victim] = alloc_pages(GFP_KERNEL, 0);
	ASSERT_PTR_EQ(pages[victim], p);
	ASSERT_EQ(get_pageblock_migratetype(p), MIGRATE_MOVABLE);
	/* 16 free pages (order 4 = pageblock_order / 2): block claimed. */
	for (i = 0; i < n; i++) {
		unsigned long pfn = page_to_pfn(pages[i]);

		if (pfn >= page_to_pfn(p) + 16 && pfn < page_to_pfn(p) + 32) {
			__free_pages(pages[i], 0);
			pages[i] = NULL;
		}
	}
	ASSERT_EQ(nr_free_pages(), 16);
	p = alloc_pages(GFP_KERNEL, 0);
	ASSERT_NOT_NULL(p);
	ASSERT_EQ(get_pageblock_migratetype(p), MIGRATE_UNMOVABLE);
	__free_pages(p, 0);
	free_all(pages, n);
	free(pages);
	ASSERT_EQ(nr_free_pages(), machine->ram_pages - 1);
}

TEST_CFG(cma_only_for_movable, .mem = 64 * MiB, .cma = 16 * MiB)
{
	unsigned long max = machine->ram_pages, n, i;
	unsigned long cma_pages = 16 * MiB / PAGE_SIZE;
	struct page **pages = calloc(max, sizeof(*pages));
	struct page *m;

	ASSERT_NOT_NULL(pages);
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_pages);
	n = alloc_all(GFP_KERNEL, pages, max);
	ASSERT_EQ(n, machine->ram_pages - 1 - cma_pages);
	for (i = 0; i < n; i++)
		ASSERT_NE(page_zone_kind(pages[i]), PZ_CMA);
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_pages);
	/* A movable request still finds memory: in CMA. */
	m = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	ASSERT_NOT_NULL(m);
	ASSERT_EQ(page_zone_kind(m), PZ_CMA);
	ASSERT_FALSE(folio_is_longterm_pinnable(page_folio(m)));
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_pages - 1);
	__free_pages(m, 0);
	free_all(pages, n);
	free(pages);
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_pages);
}

TEST_CFG(cma_used_first_when_it_holds_most_free, .mem = 64 * MiB,
	 .cma = 40 * MiB)
{
	struct page *m = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	struct page *k = alloc_pages(GFP_KERNEL, 0);

	ASSERT_EQ(page_zone_kind(m), PZ_CMA);
	ASSERT_EQ(page_zone_kind(k), PZ_NORMAL);
	__free_pages(m, 0);
	__free_pages(k, 0);
}

TEST_CFG(movable_prefers_zone_movable, .mem = 64 * MiB, .cma = 8 * MiB,
	 .movable = 16 * MiB)
{
	struct page *m = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	struct page *k = alloc_pages(GFP_KERNEL, 0);

	ASSERT_EQ(page_zone_kind(m), PZ_MOVABLE);
	ASSERT_FALSE(folio_is_longterm_pinnable(page_folio(m)));
	ASSERT_EQ(page_zone_kind(k), PZ_NORMAL);
	ASSERT_TRUE(folio_is_longterm_pinnable(page_folio(k)));
	__free_pages(m, 0);
	__free_pages(k, 0);
}

TEST_CFG(place_hints, .mem = 64 * MiB, .cma = 8 * MiB, .movable = 16 * MiB)
{
	struct page *c = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, 0);
	struct page *mv = alloc_pages(GFP_HIGHUSER_MOVABLE |
				      __GFP_PLACE_MOVABLE, 0);
	struct page *n = alloc_pages(GFP_HIGHUSER_MOVABLE |
				     __GFP_PLACE_NORMAL, 0);
	struct page *k = alloc_pages(GFP_KERNEL | __GFP_PLACE_CMA, 0);
	struct page *big = alloc_pages(GFP_TRANSHUGE | __GFP_PLACE_CMA,
				       HPAGE_PMD_ORDER);

	ASSERT_EQ(page_zone_kind(c), PZ_CMA);
	ASSERT_EQ(page_zone_kind(mv), PZ_MOVABLE);
	ASSERT_EQ(page_zone_kind(n), PZ_NORMAL);
	/* A hint never makes an unmovable allocation movable. */
	ASSERT_EQ(page_zone_kind(k), PZ_NORMAL);
	ASSERT_EQ(page_zone_kind(big), PZ_CMA);
	ASSERT_TRUE(folio_test_large(page_folio(big)));
	__free_pages(c, 0);
	__free_pages(mv, 0);
	__free_pages(n, 0);
	__free_pages(k, 0);
	folio_put(page_folio(big));
}

static void check_pin_scope_allocations(void)
{
	static const gfp_t gfps[] = {
		GFP_HIGHUSER_MOVABLE,
		GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA,
		GFP_HIGHUSER_MOVABLE | __GFP_PLACE_MOVABLE,
		GFP_TRANSHUGE | __GFP_PLACE_CMA,
	};
	struct page *pages[ARRAY_SIZE(gfps)];
	size_t i;

	ASSERT_EQ(current_gfp_context(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA),
		  GFP_USER);
	for (i = 0; i < ARRAY_SIZE(gfps); i++) {
		unsigned int order = gfps[i] & __GFP_COMP ? HPAGE_PMD_ORDER : 0;

		pages[i] = alloc_pages(gfps[i], order);
		ASSERT_NOT_NULL(pages[i]);
		ASSERT_EQ(page_zone_kind(pages[i]), PZ_NORMAL);
		ASSERT_TRUE(folio_is_longterm_pinnable(page_folio(pages[i])));
	}
	for (i = 0; i < ARRAY_SIZE(gfps); i++)
		folio_put(page_folio(pages[i]));
}

TEST_CFG(memalloc_pin_scope_avoids_cma_and_movable, .mem = 64 * MiB,
	 .cma = 40 * MiB, .movable = 8 * MiB)
{
	struct task_struct task = { .flags = 0 };
	struct task_struct *saved = current;
	unsigned int flags, inner;
	struct page *p;

	/* Without a task (a bare thread) ... */
	current = NULL;
	flags = memalloc_pin_save();
	ASSERT_EQ(flags, 0);
	check_pin_scope_allocations();
	memalloc_pin_restore(flags);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, 0);
	ASSERT_EQ(page_zone_kind(p), PZ_CMA);
	__free_pages(p, 0);

	/* ... and in a task's scope, nested. */
	current = &task;
	flags = memalloc_pin_save();
	ASSERT_TRUE(task.flags & PF_MEMALLOC_PIN);
	inner = memalloc_pin_save();
	ASSERT_EQ(inner, PF_MEMALLOC_PIN);
	check_pin_scope_allocations();
	memalloc_pin_restore(inner);
	ASSERT_TRUE(task.flags & PF_MEMALLOC_PIN);
	check_pin_scope_allocations();
	memalloc_pin_restore(flags);
	ASSERT_FALSE(task.flags & PF_MEMALLOC_PIN);
	p = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	ASSERT_NE(page_zone_kind(p), PZ_NORMAL);
	__free_pages(p, 0);
	current = saved;
}

TEST(gfp_zero_and_compound)
{
	struct page *p = alloc_pages(GFP_KERNEL, 2);
	struct folio *f;
	unsigned long pfn;

	ASSERT_NOT_NULL(p);
	memset(page_address(p), 0xa5, 4 * PAGE_SIZE);
	pfn = page_to_pfn(p);
	/* Non-compound high order: four independent pages. */
	ASSERT_FALSE(folio_test_large(page_folio(p)));
	ASSERT_PTR_EQ(page_folio(p + 1), p + 1);
	__free_pages(p, 2);

	p = alloc_pages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, 2);
	ASSERT_EQ(page_to_pfn(p), pfn);		/* the same, reused block */
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(page_holds(p + i, 0));
	f = page_folio(p + 3);
	ASSERT_PTR_EQ(f, p);
	ASSERT_TRUE(folio_test_large(f));
	ASSERT_EQ(folio_order(f), 2);
	ASSERT_EQ(folio_nr_pages(f), 4);
	ASSERT_TRUE(PageTail(p + 1));
	ASSERT_EQ(page_ref_count(p + 2), 1);	/* the folio's count */
	folio_put(f);
	/* The layout is undone: the tails are plain pages again. */
	ASSERT_FALSE(PageTail(p + 1));
	ASSERT_FALSE(Pagehead(p));
	ASSERT_EQ(nr_free_pages(), machine->ram_pages - 1);
}

TEST(order_too_large_fails)
{
	ASSERT_NULL(alloc_pages(GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER + 1));
}

TEST_CFG(alloc_contig_range_free_range, .mem = 64 * MiB, .cma = 16 * MiB)
{
	struct zone *zone = &machine->zones[ZONE_NORMAL];
	unsigned long base = cma_area->base_pfn, before = nr_free_pages();
	unsigned long start = base + 100, end = base + 1700, pfn;

	snapshot_free_area(zone);
	ASSERT_EQ(alloc_contig_range(start, end, MIGRATE_CMA), 0);
	ASSERT_EQ(nr_free_pages(), before - (end - start));
	for (pfn = start; pfn < end; pfn++) {
		ASSERT_EQ(page_ref_count(pfn_to_page(pfn)), 1);
		ASSERT_FALSE(Pagebuddy(pfn_to_page(pfn)));
	}
	/* The neighbours stay free and the pageblocks are CMA again. */
	ASSERT_EQ(page_ref_count(pfn_to_page(start - 1)), 0);
	ASSERT_EQ(page_ref_count(pfn_to_page(end)), 0);
	for (pfn = ALIGN_DOWN(start, pageblock_nr_pages); pfn < end;
	     pfn += pageblock_nr_pages)
		ASSERT_EQ(get_pageblock_migratetype(pfn_to_page(pfn)),
			  MIGRATE_CMA);
	/* Nothing in the range is handed out while it is taken. */
	for (int i = 0; i < 64; i++) {
		struct page *p = alloc_pages(GFP_HIGHUSER_MOVABLE |
					     __GFP_PLACE_CMA, 0);

		ASSERT_TRUE(page_to_pfn(p) < start || page_to_pfn(p) >= end);
		__free_pages(p, 0);
	}
	free_contig_range(start, end - start);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_TRUE(free_area_unchanged(zone));
}

TEST_CFG(alloc_contig_range_busy_unmovable, .mem = 64 * MiB, .cma = 16 * MiB)
{
	unsigned long base = cma_area->base_pfn, before;
	struct page *p;

	/* A kernel-held page in CMA (no LRU): the range cannot be emptied. */
	p = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, 0);
	ASSERT_EQ(page_zone_kind(p), PZ_CMA);
	before = nr_free_pages();
	ASSERT_EQ(alloc_contig_range(base, base + cma_area->count, MIGRATE_CMA),
		  -EBUSY);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(get_pageblock_migratetype(p), MIGRATE_CMA);
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_area->count - 1);
	__free_pages(p, 0);
	/* Once it is gone the same range is taken. */
	ASSERT_EQ(alloc_contig_range(base, base + cma_area->count, MIGRATE_CMA),
		  0);
	ASSERT_EQ(vmstat_get("nr_free_cma"), 0);
	free_contig_range(base, cma_area->count);
	ASSERT_EQ(vmstat_get("nr_free_cma"), cma_area->count);
}

static int vmstat_seen;
static bool vmstat_order_ok = true;

static void vmstat_cb(const char *name, long value, void *arg)
{
	static const char *const expect[] = {
		"nr_free_pages", "nr_free_cma", "nr_anon_pages",
	};

	if (vmstat_seen < (int)ARRAY_SIZE(expect) &&
	    strcmp(name, expect[vmstat_seen]))
		vmstat_order_ok = false;
	if (vmstat_get(name) != value)
		vmstat_order_ok = false;
	(*(long *)arg)++;
	vmstat_seen++;
}

TEST(vmstat_names)
{
	long n = 0;

	ASSERT_EQ(vmstat_get("no_such_counter"), -1);
	ASSERT_EQ(vmstat_get("cma_alloc_fail"), 0);
	mod_vmstat(GUPSIM_ZERO_PAGE_PIN, 3);
	ASSERT_EQ(vmstat_get("gupsim_zero_page_pin"), 3);
	count_vm_event(THP_SPLIT_PMD);
	ASSERT_EQ(vmstat_get("thp_split_pmd"), 1);
	vmstat_seen = 0;
	vmstat_for_each(vmstat_cb, &n);
	ASSERT_EQ(n, NR_VM_STAT_ITEMS);
	ASSERT_TRUE(vmstat_order_ok);
	mod_vmstat(GUPSIM_ZERO_PAGE_PIN, -3);
}

static long rss_bytes(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &resident) != 2)
		resident = -1;
	fclose(f);
	return resident * sysconf(_SC_PAGESIZE);
}

/*
 * A 64 GiB machine costs only what is used: creating it touches one
 * struct page per 4 MiB block, and 1 GiB of written pages costs 1 GiB.
 */
TEST_CFG(big_sparse_machine, .mem = 64 * GiB, .cma = 1 * GiB,
	 .movable = 4 * GiB)
{
	unsigned long n = GiB / PAGE_SIZE, i;
	struct page **pages = calloc(n, sizeof(*pages));
	long rss;

	ASSERT_NOT_NULL(pages);
	ASSERT_EQ(nr_free_pages(), 64 * GiB / PAGE_SIZE - 1);
	for (i = 0; i < n; i++) {
		pages[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
		ASSERT_NOT_NULL(pages[i]);
		memset(page_address(pages[i]), (int)(i & 0xff), PAGE_SIZE);
	}
	rss = rss_bytes();
	harness_note("64 GiB machine, 1 GiB written: RSS %ld MiB",
		     rss >> 20);
	ASSERT_GT(rss, (long)GiB);
#ifndef __SANITIZE_THREAD__
	/* (ThreadSanitizer's shadow of the written memory counts too.) */
	ASSERT_LT(rss, (long)(13 * GiB / 10));
#endif
	ASSERT_TRUE(page_holds(pages[n - 1], (int)((n - 1) & 0xff)));
	for (i = 0; i < n; i++)
		__free_pages(pages[i], 0);
	free(pages);
	ASSERT_EQ(nr_free_pages(), 64 * GiB / PAGE_SIZE - 1);
}

/* Every free list, in list order, folded into one number. */
static unsigned long free_lists_hash(void)
{
	unsigned long h = 1469598103934665603UL;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			for (int mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct list_head *head, *pos;

				head = &machine->zones[z].free_area[o].free_list[mt];
				for (pos = head->next; pos != head; pos = pos->next) {
					struct page *p = container_of(pos, struct page, lru);

					h = (h ^ page_to_pfn(p)) * 1099511628211UL;
				}
				h = (h ^ 0xff) * 1099511628211UL;
			}
	return h;
}

/*
 * Frees [base + 3, base + 3 + 1500) of a fresh 32 MiB machine, leaving
 * every 97th page held, either page by page or with free_contig_range()
 * (which batches); seq[0] is then a hash of every free list, and the rest
 * where the next 3000 order-0 and 40 order-2 allocations land.
 */
static int contig_free_then_allocate(bool batched, unsigned long *seq)
{
	struct machine_config cfg = { .mem = 32 * MiB };
	const unsigned long base = 2048, start = base + 3, nr = 1500;
	unsigned long pfn, n = 0;
	struct page *kept[32];
	unsigned int kept_order[32];
	int nkept = 0;

	if (machine_create(&cfg))
		return -1;
	/* some churn first, so the lists are not pristine */
	for (int i = 0; i < 64; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, i % 3);

		if (p && i % 2)
			__free_pages(p, i % 3);
		else if (p && nkept < 32) {
			kept_order[nkept] = i % 3;
			kept[nkept++] = p;
		}
		else if (p)
			__free_pages(p, i % 3);
	}
	if (alloc_contig_range(start, start + nr, MIGRATE_MOVABLE))
		return -1;
	for (pfn = start; pfn < start + nr; pfn += 97)
		get_page(pfn_to_page(pfn));
	if (batched) {
		/* it warns about the held pages, as the kernel does */
		free_contig_range(start, nr);
		mm_warnings_clear();
	} else {
		for (pfn = start; pfn < start + nr; pfn++)
			put_page(pfn_to_page(pfn));
	}
	seq[n++] = free_lists_hash();
	for (pfn = start; pfn < start + nr; pfn += 97)
		put_page(pfn_to_page(pfn));
	for (int i = 0; i < 3040; i++) {
		struct page *p = alloc_pages(GFP_KERNEL, i < 3000 ? 0 : 2);

		seq[n++] = p ? page_to_pfn(p) : ~0UL;
	}
	for (unsigned long i = 1; i < n; i++)
		if (seq[i] != ~0UL)
			__free_pages(pfn_to_page(seq[i]), i <= 3000 ? 0 : 2);
	while (nkept--)
		__free_pages(kept[nkept], kept_order[nkept]);
	return 0;
}

/* The batched free leaves the free lists as page-by-page frees do. */
TEST_NO_MACHINE(free_contig_range_batch_matches_one_by_one)
{
	static unsigned long one[3041], batch[3041];
	char buf[512];

	ASSERT_EQ(contig_free_then_allocate(false, one), 0);
	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	machine_destroy(buf, sizeof(buf));
	ASSERT_EQ(contig_free_then_allocate(true, batch), 0);
	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	machine_destroy(buf, sizeof(buf));
	ASSERT_EQ(memcmp(one, batch, sizeof(one)), 0);
}

/* A prefaulted machine has every host page of its RAM there already. */
TEST_NO_MACHINE(prefault_backs_all_ram)
{
	struct machine_config cfg = { .mem = 32 * MiB, .prefault = true };
	size_t host_pages = 32 * MiB / 4096, resident = 0;
	unsigned char *vec = malloc(host_pages);
	char buf[256];

	ASSERT_NOT_NULL(vec);
	ASSERT_EQ(machine_create(&cfg), 0);
	ASSERT_EQ(mincore(machine->phys_base, 32 * MiB, vec), 0);
	for (size_t i = 0; i < host_pages; i++)
		resident += vec[i] & 1;
	free(vec);
	ASSERT_EQ(resident, host_pages);
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
}

/*
 * The next machine of the same size gets the last one's page contents
 * (mm_init.c keeps them, as RAM keeps what its last user left): what a
 * task reads of fresh anonymous memory must still be zeroes, cleared by
 * the fault, never the last machine's bytes.
 */
TEST_NO_MACHINE(reused_ram_reads_zero_where_fresh)
{
	struct machine_config cfg = { .mem = 32 * MiB };
	size_t len = 16 * MiB;
	char buf[256];

	for (int round = 0; round < 2; round++) {
		struct task_struct *t;
		unsigned long addr;

		ASSERT_EQ(machine_create(&cfg), 0);
		t = t_task("reuse");
		addr = t_mmap_anon(t, len);
		/*
		 * A write fault per page (a read would map the zero page),
		 * then the rest of the page must read as zeroes.
		 */
		for (size_t off = 0; off < len; off += PAGE_SIZE) {
			t_fill(t, addr + off, 0x11, 1);
			ASSERT_TRUE(t_holds(t, addr + off + 1, 0,
					    PAGE_SIZE - 1));
		}
		/* what the next machine's RAM will hold */
		t_fill(t, addr, 0xa5, len);
		task_exit(t);
		current = NULL;
		ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
	}
}
