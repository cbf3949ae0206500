/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page flags and the folio accessors built on them (the kernel's
 * include/linux/page-flags.h and the folio helpers of mm.h): flag tests
 * and updates are atomic (other CPUs read them without a lock), and a tail
 * page finds its head through compound_head (head address | 1).
 */
#ifndef GUPSIM_MM_PAGE_FLAGS_H
#define GUPSIM_MM_PAGE_FLAGS_H

#include "mm_types.h"

static inline bool page_flag_test(const struct page *page, int bit)
{
	return atomic_load_explicit((atomic_ulong *)&page->flags,
				    memory_order_acquire) & (1UL << bit);
}

static inline void page_flag_set(struct page *page, int bit)
{
	atomic_fetch_or_explicit(&page->flags, 1UL << bit,
				 memory_order_release);
}

static inline void page_flag_clear(struct page *page, int bit)
{
	atomic_fetch_and_explicit(&page->flags, ~(1UL << bit),
				  memory_order_release);
}

static inline bool page_flag_test_and_set(struct page *page, int bit)
{
	return atomic_fetch_or(&page->flags, 1UL << bit) & (1UL << bit);
}

static inline bool page_flag_test_and_clear(struct page *page, int bit)
{
	return atomic_fetch_and(&page->flags, ~(1UL << bit)) & (1UL << bit);
}

#define PAGEFLAG(Name, bit)						\
static inline bool Page##Name(const struct page *p)			\
	{ return page_flag_test(p, bit); }				\
static inline void SetPage##Name(struct page *p) { page_flag_set(p, bit); } \
static inline void ClearPage##Name(struct page *p)			\
	{ page_flag_clear(p, bit); }					\
static inline bool folio_test_##Name(const struct folio *f)		\
	{ return page_flag_test(&f->page, bit); }			\
static inline void folio_set_##Name(struct folio *f)			\
	{ page_flag_set(&f->page, bit); }				\
static inline void folio_clear_##Name(struct folio *f)		\
	{ page_flag_clear(&f->page, bit); }

PAGEFLAG(locked, PG_locked)
PAGEFLAG(referenced, PG_referenced)
PAGEFLAG(uptodate, PG_uptodate)
PAGEFLAG(dirty, PG_dirty)
PAGEFLAG(lru, PG_lru)
PAGEFLAG(head, PG_head)
PAGEFLAG(reserved, PG_reserved)
PAGEFLAG(writeback, PG_writeback)
PAGEFLAG(swapbacked, PG_swapbacked)
PAGEFLAG(AnonExclusive, PG_anon_exclusive)
PAGEFLAG(buddy, PG_buddy)
PAGEFLAG(table, PG_table)
PAGEFLAG(hugetlb, PG_hugetlb)
PAGEFLAG(zero, PG_zero)
PAGEFLAG(swapcache, PG_swapcache)

/* The kernel's spellings of the same tests (PageBuddy, SetPageDirty...). */
#define PAGEFLAG_ALIAS(Kname, name)					\
static inline bool Page##Kname(const struct page *p)			\
	{ return Page##name(p); }					\
static inline void SetPage##Kname(struct page *p) { SetPage##name(p); } \
static inline void ClearPage##Kname(struct page *p) { ClearPage##name(p); }

PAGEFLAG_ALIAS(Locked, locked)
PAGEFLAG_ALIAS(Referenced, referenced)
PAGEFLAG_ALIAS(Uptodate, uptodate)
PAGEFLAG_ALIAS(Dirty, dirty)
PAGEFLAG_ALIAS(LRU, lru)
PAGEFLAG_ALIAS(Head, head)
PAGEFLAG_ALIAS(Reserved, reserved)
PAGEFLAG_ALIAS(Writeback, writeback)
PAGEFLAG_ALIAS(SwapBacked, swapbacked)
PAGEFLAG_ALIAS(Buddy, buddy)
PAGEFLAG_ALIAS(Table, table)
PAGEFLAG_ALIAS(Zero, zero)

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline struct folio *page_folio(const struct page *page)
{
	return (struct folio *)compound_head(page);
}

static inline struct page *folio_page(struct folio *folio, unsigned long n)
{
	return &folio->page + n;
}

static inline bool folio_test_large(const struct folio *folio)
{
	return folio_test_head(folio);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return folio_test_large(folio) ? folio->page._folio_order : 0;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return 1UL << folio_order(folio);
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline bool folio_test_anon(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(((struct folio *)folio)->page.mapping)
		& PAGE_MAPPING_ANON) != 0;
}

static inline struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	unsigned long m = (unsigned long)READ_ONCE(folio->page.mapping);

	if (!(m & PAGE_MAPPING_ANON))
		return NULL;
	return (struct anon_vma *)(m - PAGE_MAPPING_ANON);
}

static inline struct address_space *folio_mapping(const struct folio *folio)
{
	unsigned long m = (unsigned long)READ_ONCE(folio->page.mapping);

	if (m & PAGE_MAPPING_ANON)
		return NULL;
	return (struct address_space *)m;
}

#endif /* GUPSIM_MM_PAGE_FLAGS_H */
