// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of FOLL_LONGTERM: migration out of CMA and ZONE_MOVABLE, refusal
 * when migration is impossible, and what pins mean across fork() and
 * MADV_DONTNEED.
 */
#include <pthread.h>
#include <sched.h>

#include "harness.h"
#include "../../mm/testing.h"

#define CMA_BYTES	(64UL << 20)
#define CMA_PAGES	(CMA_BYTES >> PAGE_SHIFT)

/* nr anon pages placed in place, page i filled with 0x10 + i. */
static unsigned long placed_pages(struct task_struct *t, int nr,
				  enum place_hint place)
{
	unsigned long addr = t_mmap_anon(t, nr * PAGE_SIZE);

	ASSERT_EQ(vm_set_place(t, addr, place), 0);
	for (int i = 0; i < nr; i++)
		t_fill(t, addr + i * PAGE_SIZE, 0x10 + i, PAGE_SIZE);
	return addr;
}

static long pins_outstanding(void)
{
	return vmstat_read(NR_FOLL_PIN_ACQUIRED) -
	       vmstat_read(NR_FOLL_PIN_RELEASED);
}

/*
 * A long-term pin of pages in zone kind `kind` moves them to pinnable
 * memory; the process keeps its data and maps the new pages.
 */
static void longterm_pin_moves(enum place_hint place, enum page_zone_kind kind,
			       bool fast)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = placed_pages(t, 4, place);
	long retries = vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY);
	unsigned long old_pfn[4];
	struct page *pages[4];

	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), kind);
	for (int i = 0; i < 4; i++)
		old_pfn[i] = page_to_pfn(t_page(t, addr + i * PAGE_SIZE));

	if (fast)
		ASSERT_EQ(pin_user_pages_fast(addr, 4, FOLL_LONGTERM |
					      FOLL_WRITE, pages), 4);
	else
		ASSERT_EQ(t_pin(t, addr, 4, FOLL_LONGTERM | FOLL_WRITE, pages),
			  4);

	ASSERT_GT(vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY), retries);
	for (int i = 0; i < 4; i++) {
		ASSERT_NE(page_to_pfn(pages[i]), old_pfn[i]);
		ASSERT_EQ(page_zone_kind(pages[i]), PZ_NORMAL);
		ASSERT_TRUE(page_is_longterm_pinnable(pages[i]));
		ASSERT_TRUE(page_holds(pages[i], 0x10 + i));
		ASSERT_PTR_EQ(t_page(t, addr + i * PAGE_SIZE), pages[i]);
		ASSERT_EQ(atomic_load(&pages[i]->_debug_lt_pins), 1);
	}
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_NORMAL);
	/* The pin and the process still share the page. */
	t_fill(t, addr, 0x66, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x66));
	ASSERT_EQ(pins_outstanding(), 4);
	ASSERT_INVARIANTS();

	if (kind == PZ_CMA) {
		unsigned long pfn;

		/* Nothing is left pinned in CMA: all of it can be had. */
		ASSERT_EQ(cma_alloc_range(CMA_PAGES, &pfn), 0);
		ASSERT_EQ(cma_release_range(pfn, CMA_PAGES), 0);
	}
	unpin_user_pages(pages, 4);
	ASSERT_EQ(pins_outstanding(), 0);
	task_exit(t);
}

TEST_CFG(longterm_pin_moves_cma_page, .mem = 256 << 20, .cma = CMA_BYTES)
{
	longterm_pin_moves(PLACE_CMA, PZ_CMA, false);
}

TEST_CFG(longterm_fast_pin_moves_cma_page, .mem = 256 << 20,
	 .cma = CMA_BYTES)
{
	long fb = vmstat_read(GUPSIM_GUP_FAST_FALLBACK);

	longterm_pin_moves(PLACE_CMA, PZ_CMA, true);
	ASSERT_GT(vmstat_read(GUPSIM_GUP_FAST_FALLBACK), fb);
}

TEST_CFG(longterm_pin_moves_movable_page, .mem = 256 << 20,
	 .movable = 64 << 20)
{
	longterm_pin_moves(PLACE_MOVABLE, PZ_MOVABLE, false);
}

TEST_CFG(longterm_fast_pin_moves_movable_page, .mem = 256 << 20,
	 .movable = 64 << 20)
{
	longterm_pin_moves(PLACE_MOVABLE, PZ_MOVABLE, true);
}

TEST_CFG(shortterm_pin_keeps_cma_busy, .mem = 256 << 20, .cma = CMA_BYTES)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = placed_pages(t, 2, PLACE_CMA);
	struct page *pages[2];
	unsigned long pfn;

	ASSERT_EQ(t_pin(t, addr, 2, FOLL_WRITE, pages), 2);
	ASSERT_EQ(page_zone_kind(pages[0]), PZ_CMA);
	ASSERT_PTR_EQ(t_page(t, addr), pages[0]);
	ASSERT_EQ(cma_alloc_range(CMA_PAGES, &pfn), -EBUSY);
	/* The pinned pages did not move and still hold the data. */
	ASSERT_PTR_EQ(t_page(t, addr), pages[0]);
	ASSERT_TRUE(page_holds(pages[1], 0x11));
	ASSERT_INVARIANTS();
	unpin_user_pages(pages, 2);
	/* Unpinned, they can be migrated away. */
	ASSERT_EQ(cma_alloc_range(CMA_PAGES, &pfn), 0);
	ASSERT_EQ(cma_release_range(pfn, CMA_PAGES), 0);
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0x11, PAGE_SIZE));
	task_exit(t);
}

/*
 * A long-term pin of a page some short-term pin holds cannot migrate it:
 * -ENOMEM, and no pin of ours stays behind.
 */
static void longterm_of_pinned_fails(enum place_hint place, bool fast)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = placed_pages(t, 2, place);
	struct page *st[1], *lt[2];
	int ref0, ref1;
	long ret;

	ref1 = page_ref_count(t_page(t, addr + PAGE_SIZE));
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, st), 1);
	ref0 = page_ref_count(st[0]);
	ASSERT_EQ(pins_outstanding(), 1);

	if (fast)
		ret = pin_user_pages_fast(addr, 2, FOLL_LONGTERM, lt);
	else
		ret = t_pin(t, addr, 2, FOLL_LONGTERM, lt);
	ASSERT_EQ(ret, -ENOMEM);
	ASSERT_EQ(pins_outstanding(), 1);
	ASSERT_EQ(page_ref_count(st[0]), ref0);
	ASSERT_EQ(atomic_load(&st[0]->_debug_pins), 1);
	ASSERT_EQ(atomic_load(&st[0]->_debug_lt_pins), 0);
	ASSERT_PTR_EQ(t_page(t, addr), st[0]);
	/* The second page moved (or not), but holds no pin either way. */
	ASSERT_FALSE(page_maybe_dma_pinned(t_page(t, addr + PAGE_SIZE)));
	ASSERT_LE(page_ref_count(t_page(t, addr + PAGE_SIZE)), ref1);
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0x11, PAGE_SIZE));
	ASSERT_INVARIANTS();

	unpin_user_page(st[0]);
	ASSERT_EQ(pins_outstanding(), 0);
	ASSERT_EQ(page_ref_count(t_page(t, addr)),
		  ref0 - (int)GUP_PIN_COUNTING_BIAS);
	task_exit(t);
}

TEST_CFG(longterm_pin_of_pinned_cma_page_fails, .mem = 256 << 20,
	 .cma = CMA_BYTES)
{
	longterm_of_pinned_fails(PLACE_CMA, false);
	longterm_of_pinned_fails(PLACE_CMA, true);
}

TEST_CFG(longterm_pin_of_pinned_movable_page_fails, .mem = 256 << 20,
	 .movable = 64 << 20)
{
	longterm_of_pinned_fails(PLACE_MOVABLE, false);
	longterm_of_pinned_fails(PLACE_MOVABLE, true);
}

TEST(longterm_pin_of_normal_page_stays)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = placed_pages(t, 2, PLACE_NORMAL);
	long retries = vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY);
	struct page *old = t_page(t, addr), *pages[2];

	ASSERT_EQ(t_pin(t, addr, 2, FOLL_LONGTERM | FOLL_WRITE, pages), 2);
	ASSERT_PTR_EQ(pages[0], old);
	ASSERT_EQ(vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY), retries);
	unpin_user_pages(pages, 2);
	task_exit(t);
}

TEST_CFG(longterm_pin_moves_cma_thp, .mem = 256 << 20, .cma = CMA_BYTES,
	 .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long map = t_mmap_anon(t, 2 * HPAGE_PMD_SIZE);
	unsigned long addr = ALIGN_UP(map, HPAGE_PMD_SIZE);
	static struct page *pages[HPAGE_PMD_NR];
	struct folio *folio;
	unsigned long pfn;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 0x5d, HPAGE_PMD_SIZE);
	ASSERT_EQ(user_range_zone(t, addr, HPAGE_PMD_SIZE), PZ_CMA);
	ASSERT_EQ(t_pin(t, addr, HPAGE_PMD_NR, FOLL_LONGTERM | FOLL_WRITE,
		      pages), HPAGE_PMD_NR);
	folio = page_folio(pages[0]);
	ASSERT_EQ(page_zone_kind(pages[0]), PZ_NORMAL);
	ASSERT_EQ(user_range_zone(t, addr, HPAGE_PMD_SIZE), PZ_NORMAL);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i += 97)
		ASSERT_TRUE(page_holds(pages[i], 0x5d));
	if (folio_test_large(folio))
		ASSERT_EQ(atomic_load(&folio->page._pincount), HPAGE_PMD_NR);
	ASSERT_EQ(cma_alloc_range(CMA_PAGES, &pfn), 0);
	ASSERT_EQ(cma_release_range(pfn, CMA_PAGES), 0);
	unpin_user_pages(pages, HPAGE_PMD_NR);
	ASSERT_EQ(pins_outstanding(), 0);
	task_exit(t);
}

/* ---- pins across fork and MADV_DONTNEED ---- */

TEST(fork_keeps_pinned_page_with_parent)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, 2 * PAGE_SIZE);
	struct page *pages[1];

	t_fill(p, addr, 0x01, 2 * PAGE_SIZE);
	ASSERT_EQ(t_pin(p, addr, 1, FOLL_LONGTERM | FOLL_WRITE, pages), 1);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	current = p;
	/* The parent keeps the pinned page; the child got a copy. */
	ASSERT_PTR_EQ(t_page(p, addr), pages[0]);
	ASSERT_TRUE(t_page(c, addr) != pages[0]);
	ASSERT_TRUE(t_holds(c, addr, 0x01, PAGE_SIZE));
	/* The device writes through the pin: the parent sees it. */
	memset(page_address(pages[0]), 0xd1, PAGE_SIZE);
	ASSERT_TRUE(t_holds(p, addr, 0xd1, PAGE_SIZE));
	ASSERT_TRUE(t_holds(c, addr, 0x01, PAGE_SIZE));
	/* The parent's writes reach the device, not the child. */
	t_fill(p, addr, 0xd2, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0xd2));
	ASSERT_TRUE(t_holds(c, addr, 0x01, PAGE_SIZE));
	ASSERT_PTR_EQ(t_page(p, addr), pages[0]);
	ASSERT_INVARIANTS();
	unpin_user_page(pages[0]);
	task_exit(c);
	task_exit(p);
}

TEST(dontneed_separates_pin_and_process)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];

	t_fill(t, addr, 0xab, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM | FOLL_WRITE, pages), 1);
	ASSERT_EQ(vm_madvise(t, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	/* The process reads zeroes from a new page... */
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_TRUE(t_page(t, addr) != pages[0]);
	/* ...the device still sees the old bytes, and writes go nowhere. */
	ASSERT_TRUE(page_holds(pages[0], 0xab));
	memset(page_address(pages[0]), 0xac, PAGE_SIZE);
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_INVARIANTS();
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(ro_longterm_pin_after_fork_sees_parent_writes)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct page *pages[1];

	t_fill(p, addr, 0x71, PAGE_SIZE);
	c = task_fork(p, "child");
	current = p;
	ASSERT_PTR_EQ(t_page(c, addr), t_page(p, addr));
	ASSERT_EQ(t_pin(p, addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_PTR_EQ(t_page(p, addr), pages[0]);
	ASSERT_TRUE(t_page(c, addr) != pages[0]);
	t_fill(p, addr, 0x72, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x72));
	ASSERT_TRUE(t_holds(c, addr, 0x71, PAGE_SIZE));
	unpin_user_page(pages[0]);
	task_exit(c);
	task_exit(p);
}

/*
 * Contention: while another thread holds a CMA folio isolated (as a
 * concurrent cma_alloc() or compaction would), FOLL_LONGTERM cannot
 * migrate it and pins the range again, round after round. The kernel
 * loops for as long as that lasts (check_and_migrate_movable_pages()
 * answers -EAGAIN); the pin must succeed once the folio is put back,
 * however many rounds that took, and nothing counts as a broken invariant.
 */
struct contended_pin {
	struct task_struct *t;
	unsigned long addr;
	struct page *page;
	atomic_long ret;
};

static void *contended_pinner(void *arg)
{
	struct contended_pin *c = arg;

	current = c->t;
	atomic_store(&c->ret, t_pin(c->t, c->addr, 1,
				    FOLL_LONGTERM | FOLL_WRITE, &c->page));
	current = NULL;
	return NULL;
}

TEST_CFG(longterm_pin_outlasts_isolation_contention, .mem = 256 << 20,
	 .cma = CMA_BYTES)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = placed_pages(t, 1, PLACE_CMA);
	struct folio *folio = page_folio(t_page(t, addr));
	long rounds0 = vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY);
	struct contended_pin c = { .t = t, .addr = addr };
	char log[1024];
	pthread_t th;

	ASSERT_EQ(page_zone_kind(&folio->page), PZ_CMA);
	ASSERT_TRUE(folio_isolate_lru(folio));	/* the other side holds it */
	atomic_init(&c.ret, 1000);
	ASSERT_EQ(pthread_create(&th, NULL, contended_pinner, &c), 0);
	/* Far more rounds than any fixed bound a model might pick. */
	while (vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY) - rounds0 < 200 &&
	       atomic_load(&c.ret) == 1000)
		sched_yield();
	folio_putback_lru(folio);
	ASSERT_EQ(pthread_join(th, NULL), 0);
	current = t;

	ASSERT_EQ(atomic_load(&c.ret), 1);
	ASSERT_GE(vmstat_read(GUPSIM_LONGTERM_MIGRATE_RETRY) - rounds0, 200);
	ASSERT_EQ(page_zone_kind(c.page), PZ_NORMAL);
	ASSERT_TRUE(page_holds(c.page, 0x10));
	ASSERT_EQ(mm_warnings(log, sizeof(log)), 0);
	unpin_user_page(c.page);
	task_exit(t);
}
