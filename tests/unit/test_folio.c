// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of struct page / struct folio: reference counting and freeing,
 * misuse reporting, the folio lock, compound folios, folio_copy and the
 * driver-facing page calls.
 */
#include <pthread.h>
#include <stdlib.h>

#include "harness.h"
#include "../../mm/testing.h"

static int warnings(void)
{
	char buf[1024];

	return mm_warnings(buf, sizeof(buf));
}

TEST(refcount_get_put_frees_at_zero)
{
	unsigned long before = nr_free_pages();
	struct page *p = alloc_pages(GFP_KERNEL, 0);

	ASSERT_NOT_NULL(p);
	ASSERT_EQ(page_ref_count(p), 1);
	get_page(p);
	ASSERT_EQ(page_ref_count(p), 2);
	put_page(p);
	ASSERT_EQ(page_ref_count(p), 1);
	ASSERT_FALSE(Pagebuddy(p));
	ASSERT_EQ(nr_free_pages(), before - 1);
	put_page(p);
	ASSERT_EQ(page_ref_count(p), 0);
	ASSERT_TRUE(Pagebuddy(p) || nr_free_pages() == before);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(warnings(), 0);
}

TEST(put_of_free_page_warns_and_keeps_allocator_sane)
{
	unsigned long before = nr_free_pages();
	struct page *p = alloc_pages(GFP_KERNEL, 0), *q;

	put_page(p);
	ASSERT_EQ(nr_free_pages(), before);
	put_page(p);			/* misuse: already free */
	get_page(p);			/* misuse: a ref on a free page */
	ASSERT_GE(warnings(), 2);
	ASSERT_EQ(page_ref_count(p), 0);
	ASSERT_EQ(nr_free_pages(), before);
	/* The allocator still hands the page out exactly once. */
	q = alloc_pages(GFP_KERNEL, 0);
	ASSERT_PTR_EQ(q, p);
	ASSERT_EQ(nr_free_pages(), before - 1);
	put_page(q);
	ASSERT_EQ(nr_free_pages(), before);
	mm_warnings_clear();
}

TEST(zero_page_is_never_freed)
{
	struct page *zp = machine->zero_page;
	unsigned long before = nr_free_pages();

	get_page(zp);
	ASSERT_EQ(page_ref_count(zp), 2);
	put_page(zp);
	ASSERT_EQ(page_ref_count(zp), 1);
	/* The last reference of a reserved page is refused. */
	put_page(zp);
	ASSERT_EQ(page_ref_count(zp), 1);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_GE(warnings(), 1);
	mm_warnings_clear();
}

TEST(page_address_and_pfn)
{
	struct page *p = alloc_pages(GFP_KERNEL, 1);
	unsigned long pfn = page_to_pfn(p);
	unsigned char *a = page_address(p);

	ASSERT_PTR_EQ(pfn_to_page(pfn), p);
	ASSERT_PTR_EQ(a, machine->phys_base + pfn * PAGE_SIZE);
	ASSERT_PTR_EQ(page_address(p + 1), a + PAGE_SIZE);
	memset(a, 0x3c, 2 * PAGE_SIZE);
	ASSERT_TRUE(page_holds(p + 1, 0x3c));
	__free_pages(p, 1);
}

TEST(maybe_dma_pinned_small_and_large)
{
	struct folio *small = folio_alloc(GFP_KERNEL, 0);
	struct folio *large = folio_alloc(GFP_KERNEL, 4);

	ASSERT_FALSE(page_maybe_dma_pinned(&small->page));
	folio_ref_add(small, GUP_PIN_COUNTING_BIAS - 2);
	ASSERT_FALSE(page_maybe_dma_pinned(&small->page));
	folio_ref_add(small, 1);	/* 1024 references look like a pin */
	ASSERT_TRUE(page_maybe_dma_pinned(&small->page));
	folio_put_refs(small, GUP_PIN_COUNTING_BIAS - 1);
	ASSERT_EQ(folio_ref_count(small), 1);

	/* Large folios count pins exactly. */
	folio_ref_add(large, GUP_PIN_COUNTING_BIAS);
	ASSERT_FALSE(page_maybe_dma_pinned(folio_page(large, 3)));
	atomic_fetch_add(&large->page._pincount, 1);
	ASSERT_TRUE(page_maybe_dma_pinned(folio_page(large, 3)));
	atomic_fetch_sub(&large->page._pincount, 1);
	folio_put_refs(large, GUP_PIN_COUNTING_BIAS);
	folio_put(small);
	folio_put(large);
	ASSERT_EQ(nr_free_pages(), machine->ram_pages - 1);
}

TEST(prep_compound_and_free)
{
	struct page *p = alloc_pages(GFP_KERNEL, 3);
	struct folio *f;

	prep_compound_page(p, 3);
	f = page_folio(p + 7);
	ASSERT_PTR_EQ(f, p);
	ASSERT_EQ(folio_order(f), 3);
	ASSERT_EQ(folio_size(f), 8 * PAGE_SIZE);
	for (int i = 1; i < 8; i++)
		ASSERT_PTR_EQ(compound_head(p + i), p);
	/* A tail's own state is wiped when the folio is freed. */
	SetPageAnonExclusive(p + 5);
	folio_put(f);
	ASSERT_FALSE(PageAnonExclusive(p + 5));
	ASSERT_FALSE(PageTail(p + 5));
	ASSERT_EQ(nr_free_pages(), machine->ram_pages - 1);
}

TEST(folio_lock_excludes)
{
	struct folio *f = folio_alloc(GFP_KERNEL, 0);

	ASSERT_TRUE(folio_trylock(f));
	ASSERT_FALSE(folio_trylock(f));
	folio_unlock(f);
	folio_lock(f);
	ASSERT_TRUE(folio_test_locked(f));
	folio_unlock(f);
	ASSERT_FALSE(folio_test_locked(f));
	ASSERT_EQ(warnings(), 0);
	folio_unlock(f);		/* misuse */
	ASSERT_EQ(warnings(), 1);
	mm_warnings_clear();
	folio_put(f);
}

TEST(folio_copy_data_and_state)
{
	struct folio *src = folio_alloc(GFP_KERNEL, 2);
	struct folio *dst = folio_alloc(GFP_KERNEL | __GFP_ZERO, 2);

	for (int i = 0; i < 4; i++)
		memset(page_address(folio_page(src, i)), 0x10 + i, PAGE_SIZE);
	folio_set_dirty(src);
	folio_set_uptodate(src);
	SetPageAnonExclusive(&src->page);
	folio_copy(dst, src);
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(page_holds(folio_page(dst, i), 0x10 + i));
	ASSERT_TRUE(folio_test_dirty(dst));
	ASSERT_TRUE(folio_test_uptodate(dst));
	ASSERT_FALSE(PageAnonExclusive(&dst->page));
	folio_put(src);
	folio_put(dst);
}

TEST(set_page_dirty_lock_marks_folio)
{
	struct folio *f = folio_alloc(GFP_KERNEL, 2);

	ASSERT_TRUE(set_page_dirty_lock(folio_page(f, 1)));
	ASSERT_TRUE(folio_test_dirty(f));
	ASSERT_FALSE(set_page_dirty_lock(folio_page(f, 2)));
	ASSERT_FALSE(folio_test_locked(f));
	folio_put(f);
}

TEST_CFG(longterm_pinnable_by_place, .mem = 64 << 20, .cma = 8 << 20,
	 .movable = 8 << 20)
{
	struct page *n = alloc_pages(GFP_KERNEL, 0);
	struct page *c = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_PLACE_CMA, 0);
	struct page *m = alloc_pages(GFP_HIGHUSER_MOVABLE |
				     __GFP_PLACE_MOVABLE, 0);
	struct page *d = pfn_to_page(machine->dax_start_pfn);

	ASSERT_TRUE(page_is_longterm_pinnable(n));
	ASSERT_FALSE(page_is_longterm_pinnable(c));
	ASSERT_FALSE(page_is_longterm_pinnable(m));
	ASSERT_FALSE(page_is_longterm_pinnable(d));
	ASSERT_TRUE(page_is_longterm_pinnable(machine->zero_page));
	put_page(n);
	put_page(c);
	put_page(m);
}

#define NR_THREADS	4
#define ROUNDS		20000

static struct page *shared_page;

/* Racing gets and puts never drop the count to zero early. */
static void *get_put_worker(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		get_page(shared_page);
		put_page(shared_page);
	}
	return arg;
}

/* Racing allocations never hand one page to two threads. */
static void *alloc_free_worker(void *arg)
{
	struct page *mine[16];
	unsigned char tag = (unsigned char)(unsigned long)arg;

	for (int r = 0; r < ROUNDS / 16; r++) {
		for (int i = 0; i < 16; i++) {
			mine[i] = alloc_pages(i & 1 ? GFP_KERNEL :
					      GFP_HIGHUSER_MOVABLE, i % 3);
			if (!mine[i])
				return (void *)1;
			memset(page_address(mine[i]), tag, PAGE_SIZE);
		}
		for (int i = 0; i < 16; i++) {
			if (!page_holds(mine[i], tag))
				return (void *)1;
			__free_pages(mine[i], i % 3);
		}
	}
	return NULL;
}

TEST(concurrent_refcount_and_allocation)
{
	pthread_t th[NR_THREADS];
	unsigned long before = nr_free_pages();
	void *ret;
	int i, bad = 0;

	shared_page = alloc_pages(GFP_KERNEL, 0);
	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&th[i], NULL, get_put_worker, NULL);
	for (i = 0; i < NR_THREADS; i++)
		pthread_join(th[i], NULL);
	ASSERT_EQ(page_ref_count(shared_page), 1);
	put_page(shared_page);

	for (i = 0; i < NR_THREADS; i++)
		pthread_create(&th[i], NULL, alloc_free_worker,
			       (void *)(unsigned long)(i + 1));
	for (i = 0; i < NR_THREADS; i++) {
		pthread_join(th[i], &ret);
		bad += ret != NULL;
	}
	ASSERT_EQ(bad, 0);
	ASSERT_EQ(nr_free_pages(), before);
	ASSERT_EQ(warnings(), 0);
}
