// SPDX-License-Identifier: GPL-2.0
/*
 * struct page / struct folio: reference counting, the folio lock, compound
 * (large) folios, and the small page accessors drivers may use.
 *
 * A folio is freed exactly once: by whoever drops its refcount from one to
 * zero. Nothing else may free it, and nothing may touch its refcount once
 * it is zero except through folio_try_get() (which refuses a zero count),
 * so a put on an already-free page is reported and ignored rather than
 * allowed to corrupt the buddy allocator.
 */
#include <sched.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "api_check.h"

void folio_put_refs(struct folio *folio, int nr)
{
	int old = atomic_load(&folio->page._refcount);

	if (VM_WARN(nr <= 0, "folio_put_refs: nr %d", nr))
		return;
	do {
		if (VM_WARN(old < nr,
			    "put of pfn %#lx: refcount %d, dropping %d",
			    folio_pfn(folio), old, nr))
			return;
	} while (!atomic_compare_exchange_weak(&folio->page._refcount, &old,
					       old - nr));
	if (old == nr)
		__folio_put(folio);
}

int folio_put_ref_pins(struct folio *folio, int nr, int pins)
{
	unsigned long long old = atomic_load(&folio->page._ref_pins);
	unsigned long long delta = ref_pins_delta(nr, pins);

	do {
		if (ref_pins_pins(old) < pins)
			return -ENOENT;
		if (VM_WARN(ref_pins_refcount(old) < nr,
			    "put of pfn %#lx: refcount %d, dropping %d",
			    folio_pfn(folio), ref_pins_refcount(old), nr))
			return -ERANGE;
	} while (!atomic_compare_exchange_weak(&folio->page._ref_pins, &old,
					       old - delta));
	if (ref_pins_refcount(old) != nr)
		return 0;
	__folio_put(folio);
	return 1;
}

/* Gives a large folio's pages back their order-0 identity. */
static void undo_compound_page(struct folio *folio, unsigned int order)
{
	struct page *head = &folio->page;
	unsigned long i;

	for (i = 1; i < (1UL << order); i++)
		WRITE_ONCE(head[i].compound_head, 0UL);
	atomic_store(&head->_entire_mapcount, 0);
	atomic_store(&head->_large_mapcount, 0);
	atomic_store(&head->_pincount, 0);
	head->_folio_order = 0;
}

/*
 * The last reference is gone. Mapped or pinned folios reaching zero are
 * model bugs (a PTE or a pin must hold a reference), so they are reported;
 * the folio is freed anyway since nobody can legally reach it any more.
 */
void __folio_put(struct folio *folio)
{
	struct page *page = &folio->page;
	unsigned int order = folio_order(folio);

	VM_WARN(folio_mapped(folio), "freeing mapped pfn %#lx (mapcount %d)",
		folio_pfn(folio), folio_mapcount(folio));
	VM_WARN(atomic_load(&page->_debug_pins) != 0,
		"freeing pinned pfn %#lx (%d pins)", folio_pfn(folio),
		atomic_load(&page->_debug_pins));
	if (Pagereserved(page)) {
		/* The zero page (and any reserved page) lives forever. */
		mm_warn(__FILE__, __LINE__, "last put of reserved pfn %#lx",
			folio_pfn(folio));
		atomic_store(&page->_refcount, 1);
		return;
	}
	if (folio_test_hugetlb(folio)) {
		free_huge_folio(folio);
		return;
	}
	if (page_zonenum(page) == ZONE_DEVICE) {
		/* An idle device page: dax.c still owns the pfn range. */
		WRITE_ONCE(page->mapping, NULL);
		page->index = 0;
		atomic_store(&page->flags, 0UL);
		return;
	}
	/*
	 * No reference is left, so no one else may write the page: relaxed
	 * stores (a seq_cst store is a locked xchg on x86); the zone lock of
	 * the free publishes them.
	 */
	WRITE_ONCE(page->mapping, NULL);
	page->index = 0;
	WRITE_ONCE(page->private, 0UL);
	if (atomic_load_explicit(&page->_debug_pins, memory_order_relaxed))
		atomic_store_explicit(&page->_debug_pins, 0,
				      memory_order_relaxed);
	if (atomic_load_explicit(&page->_debug_lt_pins, memory_order_relaxed))
		atomic_store_explicit(&page->_debug_lt_pins, 0,
				      memory_order_relaxed);
	if (order)
		undo_compound_page(folio, order);
	atomic_store_explicit(&page->flags, 0UL, memory_order_relaxed);
	free_pages_prepared(page, order);
}

void folio_undo_compound(struct folio *folio)
{
	unsigned int order = folio_order(folio);

	ClearPagehead(&folio->page);
	undo_compound_page(folio, order);
}

bool folio_trylock(struct folio *folio)
{
	return !page_flag_test_and_set(&folio->page, PG_locked);
}

/*
 * Lock holders never sleep for long (no I/O in the model), so spinning with
 * a yield is enough and keeps the lock a plain flag bit, as in the kernel.
 * Under an explorer the holder may be descheduled: wait for its unlock.
 */
void folio_lock(struct folio *folio)
{
	while (!folio_trylock(folio)) {
		SCHED_BLOCK(folio, "wait for the folio lock");
		sched_yield();
	}
}

void folio_unlock(struct folio *folio)
{
	if (!page_flag_test_and_clear(&folio->page, PG_locked))
		mm_warn(__FILE__, __LINE__, "unlock of unlocked pfn %#lx",
			folio_pfn(folio));
	sched_wake(folio);
}

/*
 * The tails are linked to the head before the head is marked PG_head, so a
 * lockless reader that sees a large folio also sees its tails point home.
 */
void prep_compound_page(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	if (!order)
		return;
	for (i = 1; i < nr; i++) {
		atomic_store(&page[i]._refcount, 0);
		WRITE_ONCE(page[i].compound_head, (unsigned long)page | 1UL);
	}
	page->_folio_order = order;
	atomic_store(&page->_entire_mapcount, 0);
	atomic_store(&page->_large_mapcount, 0);
	atomic_store(&page->_pincount, 0);
	SetPagehead(page);
}

/*
 * The bytes of a folio copy, with non-temporal stores: a page-sized
 * memcpy() writes through the cache, reading every destination line
 * first (read for ownership) only to overwrite it whole, and leaves the
 * destination in the cache although migration never reads it again. The
 * stores are fenced, so the copy is complete before the caller remaps.
 */
static void copy_folio_data(void *dst, const void *src, size_t len)
{
#if defined(__x86_64__)
	__m128i *d = dst;
	const __m128i *s = src;
	size_t i;

	for (i = 0; i < len / sizeof(*d); i += 4) {
		__m128i a = _mm_load_si128(s + i);
		__m128i b = _mm_load_si128(s + i + 1);
		__m128i c = _mm_load_si128(s + i + 2);
		__m128i e = _mm_load_si128(s + i + 3);

		_mm_stream_si128(d + i, a);
		_mm_stream_si128(d + i + 1, b);
		_mm_stream_si128(d + i + 2, c);
		_mm_stream_si128(d + i + 3, e);
	}
	_mm_sfence();
#else
	memcpy(dst, src, len);
#endif
}

/*
 * Copies the contents. The state bits that describe the data (uptodate,
 * dirty, referenced, swapbacked) come along; identity and mapping state
 * (anon-exclusive, mapping, lru) are the migration code's business.
 */
void folio_copy(struct folio *dst, struct folio *src)
{
	static const int data_flags[] = {
		PG_uptodate, PG_dirty, PG_referenced, PG_swapbacked,
	};
	size_t i;

	VM_WARN(folio_nr_pages(dst) != folio_nr_pages(src),
		"folio_copy: order %u to order %u", folio_order(src),
		folio_order(dst));
	copy_folio_data(folio_address(dst), folio_address(src),
			min(folio_size(dst), folio_size(src)));
	for (i = 0; i < ARRAY_SIZE(data_flags); i++)
		if (page_flag_test(&src->page, data_flags[i]))
			page_flag_set(&dst->page, data_flags[i]);
}

void folio_mark_dirty(struct folio *folio)
{
	folio_set_dirty(folio);
}

bool is_zero_page(const struct page *page)
{
	return machine && page == machine->zero_page;
}

bool is_zero_pfn(unsigned long pfn)
{
	return machine && machine->zero_page &&
	       pfn == page_to_pfn(machine->zero_page);
}

/* ---- the page calls drivers make ---- */

void get_page(struct page *page)
{
	struct folio *folio;

	if (VM_WARN(!page, "get_page(NULL)") ||
	    !page_of_machine(page, "get_page"))
		return;
	folio = page_folio(page);
	if (VM_WARN(folio_ref_count(folio) <= 0,
		    "get_page on free pfn %#lx", page_to_pfn(page)))
		return;
	folio_get(folio);
}

static void warn_put_of_pin(struct folio *folio, struct page *page,
			    unsigned long long ref_pins)
{
	VM_WARN_MISUSE(true, "put_page() of pfn %#lx whose references all "
		       "belong to FOLL_PIN pins (refcount %d, %d pins): "
		       "refused; unpin_user_page() releases a pin (the kernel "
		       "would drop it and silently corrupt the pin count)",
		       page_to_pfn(page), ref_pins_refcount(ref_pins),
		       ref_pins_pins(ref_pins));
	(void)folio;
}

/*
 * put_page() drops a plain reference (FOLL_GET, get_page()). One that
 * would leave the folio with fewer references than its pins hold has no
 * plain reference to drop: the caller meant unpin_user_page(). The check
 * and the drop are one atomic on _ref_pins, so a concurrent pin or unpin
 * cannot slip between them.
 */
void put_page(struct page *page)
{
	struct folio *folio;
	unsigned long long old;
	int refs;

	if (VM_WARN(!page, "put_page(NULL)") ||
	    !page_of_machine(page, "put_page"))
		return;
	folio = page_folio(page);
	old = atomic_load(&folio->page._ref_pins);
	do {
		int pins = ref_pins_pins(old);
		int pin_refs = folio_pin_refs(folio_test_large(folio), pins);

		refs = ref_pins_refcount(old);
		if (VM_WARN(refs <= 0, "put of pfn %#lx: refcount %d, "
			    "dropping 1", folio_pfn(folio), refs))
			return;
		if (unlikely(pins > 0 && refs - 1 < pin_refs)) {
			warn_put_of_pin(folio, page, old);
			return;
		}
	} while (!atomic_compare_exchange_weak(&folio->page._ref_pins, &old,
					       old - 1));
	if (refs == 1)
		__folio_put(folio);
}

void *page_address(const struct page *page)
{
	return machine->phys_base + page_to_pfn(page) * PAGE_SIZE;
}

unsigned long page_to_pfn(const struct page *page)
{
	return (unsigned long)(page - machine->mem_map);
}

bool page_maybe_dma_pinned(struct page *page)
{
	return folio_maybe_dma_pinned(page_folio(page));
}

/* Returns true if this call made the folio dirty. */
bool set_page_dirty_lock(struct page *page)
{
	struct folio *folio = page_folio(page);
	bool was_dirty;

	folio_lock(folio);
	was_dirty = folio_test_dirty(folio);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	return !was_dirty;
}

bool page_is_longterm_pinnable(struct page *page)
{
	return folio_is_longterm_pinnable(page_folio(page));
}

/* ---- page geometry and raw frames, for the driver models ---- */

bool page_is_compound(const struct page *page)
{
	return PageHead(page) || PageTail(page);
}

struct page *page_compound_head(const struct page *page)
{
	return compound_head(page);
}

unsigned long page_compound_nr(const struct page *page)
{
	return folio_nr_pages(page_folio(page));
}

/*
 * No struct page a driver may take a reference on: outside RAM (the MMIO
 * window, where a BAR has no memmap in the kernel) or PG_reserved.
 * fs-DAX frames are ZONE_DEVICE pages with refcounts: not "invalid".
 */
bool is_invalid_reserved_pfn(unsigned long pfn)
{
	if (!machine || pfn >= machine->total_pfns)
		return true;
	if (pfn >= machine->mmio_start_pfn &&
	    pfn < machine->mmio_start_pfn + machine->mmio_pages)
		return true;
	return PageReserved(pfn_to_page(pfn));
}

void *pfn_to_virt(unsigned long pfn)
{
	if (!machine || pfn >= machine->total_pfns)
		return NULL;
	return machine->phys_base + pfn * PAGE_SIZE;
}
