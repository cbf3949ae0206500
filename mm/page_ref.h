/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference, mapping and pin counts of a folio (the kernel's
 * include/linux/page_ref.h and the counting helpers of mm.h), with the
 * model's exact pin bookkeeping packed into the same atomic word as the
 * refcount (_ref_pins).
 */
#ifndef GUPSIM_MM_PAGE_REF_H
#define GUPSIM_MM_PAGE_REF_H

#include <errno.h>

#include "../lib/sched_point.h"
#include "kernel_profile.h"
#include "page-flags.h"

/*
 * ---- reference counts (atomic; see DESIGN.md "Invariants") ----
 * Who holds references: each PTE mapping a page of a folio holds one, each
 * PMD mapping one; the page cache holds folio_nr_pages() for a folio it
 * contains; a FOLL_GET holds one per page; a FOLL_PIN holds
 * GUP_PIN_COUNTING_BIAS on a small folio (one before 5.7:
 * folio_pin_refs()), one (plus _pincount) on a large one; an isolated
 * folio (migration) holds one; the allocator hands out a folio with one,
 * which its user keeps or drops.
 */

static inline int folio_ref_count(const struct folio *folio)
{
	return atomic_load((atomic_int *)&folio->page._refcount);
}

static inline int page_ref_count(const struct page *page)
{
	return folio_ref_count(page_folio(page));
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	atomic_fetch_add(&folio->page._refcount, nr);
}

static inline void folio_get(struct folio *folio)
{
	folio_ref_add(folio, 1);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return atomic_fetch_sub(&folio->page._refcount, nr) == nr;
}

/* Takes nr references unless the count is zero (a freed folio). */
static inline bool folio_ref_try_add(struct folio *folio, int nr)
{
	int old = atomic_load(&folio->page._refcount);

	do {
		if (old <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&folio->page._refcount, &old,
					       old + nr));
	return true;
}

static inline bool folio_try_get(struct folio *folio)
{
	return folio_ref_try_add(folio, 1);
}

/* Drops nr references; frees the folio when the last one goes. */
void folio_put_refs(struct folio *folio, int nr);

static inline void folio_put(struct folio *folio)
{
	folio_put_refs(folio, 1);
}

/*
 * ---- references and pins in one atomic (_ref_pins) ----
 * A pin is GUP_PIN_COUNTING_BIAS references (one on a large folio) plus
 * one in the model's _debug_pins; taking or dropping both with a single
 * 64-bit read-modify-write halves the locked instructions of the pin and
 * unpin hot paths. The refcount half never carries into the pin half: it
 * stays a positive int, and nothing is subtracted from either half
 * without checking that it holds that much.
 */
static inline unsigned long long ref_pins_delta(int nr, int pins)
{
	return (unsigned long long)(unsigned int)nr |
	       ((unsigned long long)(unsigned int)pins << 32);
}

static inline int ref_pins_refcount(unsigned long long v)
{
	return (int)(unsigned int)v;
}

static inline int ref_pins_pins(unsigned long long v)
{
	return (int)(unsigned int)(v >> 32);
}

/* Adds nr references and pins debug pins (the caller holds a reference). */
static inline void folio_ref_pins_add(struct folio *folio, int nr, int pins)
{
	atomic_fetch_add(&folio->page._ref_pins, ref_pins_delta(nr, pins));
}

/* The same unless the refcount is zero (a freed folio): GUP-fast. */
static inline bool folio_ref_pins_try_add(struct folio *folio, int nr,
					  int pins)
{
	unsigned long long old = atomic_load(&folio->page._ref_pins);

	do {
		if (ref_pins_refcount(old) <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&folio->page._ref_pins, &old,
					       old + ref_pins_delta(nr, pins)));
	return true;
}

/*
 * Drops nr references and pins debug pins in one atomic and frees the
 * folio when the last reference goes. 0 done, 1 done and freed;
 * -ENOENT: the folio holds fewer than pins pins (nothing changed, the
 * caller reports the bad unpin); -ERANGE: fewer than nr references
 * (reported here, nothing changed).
 */
int folio_put_ref_pins(struct folio *folio, int nr, int pins);

/*
 * ---- pins: what try_grab_folio() and gup_put_folio() take and drop ----
 * The kernel's pin is GUP_PIN_COUNTING_BIAS references on a small folio,
 * and one reference plus one _pincount on a large one. The model adds an
 * exact pin count (_debug_pins, taken in the same atomic as the
 * references) and how many of those pins are long-term (_debug_lt_pins,
 * a lower bound when plain and long-term pins of one folio mix: see
 * folio_debug_unpin_longterm()):
 * the invariant checker compares them with the folio's state, and an
 * unpin of a folio that holds no pin is reported instead of corrupting
 * the refcount. Invariants: _debug_lt_pins <= _debug_pins at every moment,
 * and on a large folio _pincount == _debug_pins once every pin and unpin
 * in flight is done.
 */

/*
 * The references refs pins hold on a folio that is (not) large. A small
 * folio's pin is GUP_PIN_COUNTING_BIAS references from 5.7 ("mm/gup:
 * track FOLL_PIN pages"); 5.6's FOLL_PIN took one, as FOLL_GET does
 * (machine_pin_refs). Every pin asks, so the entry is not noted as
 * consulted here; what reads a refcount (user_page_counts()) notes it.
 */
static inline int folio_pin_refs(bool large, int refs)
{
	return large ? refs : refs * (int)machine_pin_refs;
}

/* Takes refs pins' references and exact pins (a reference is held). */
static inline void folio_ref_add_pins(struct folio *folio, int refs)
{
	folio_ref_pins_add(folio, folio_pin_refs(folio_test_large(folio), refs),
			   refs);
}

/*
 * The same unless the refcount is zero (GUP-fast, which holds nothing):
 * large is the size the caller read before, which it checks again once the
 * references hold the folio, and undoes with folio_put_ref_pins() with
 * folio_pin_refs(large, refs) if it changed.
 */
static inline bool folio_ref_try_add_pins(struct folio *folio, bool large,
					  int refs)
{
	return folio_ref_pins_try_add(folio, folio_pin_refs(large, refs), refs);
}

/*
 * The rest of taking refs pins, once their references are held: the
 * _pincount of a large folio and the model's long-term count.
 */
static inline void folio_add_pincount(struct folio *folio, int refs,
				      bool longterm)
{
	if (folio_test_large(folio))
		atomic_fetch_add(&folio->page._pincount, refs);
	if (longterm)
		atomic_fetch_add(&folio->page._debug_lt_pins, refs);
}

/* Reports an unpin of a folio that holds fewer pins (debug.c). */
void report_bad_unpin(struct folio *folio);

/*
 * Model-only: the long-term count before refs pins go. An unpin does not
 * say which pins it drops (unpin_user_page() cannot tell a long-term pin
 * from a plain one), so it takes long-term ones first: the count is a
 * lower bound of the long-term pins held, never above them. Because every
 * pinner adds its pins before its long-term count and every unpin lowers
 * the long-term count before its pins (while they still hold the folio),
 * long-term <= all at every moment, whatever runs concurrently. A count
 * that only shrank to fit the pins left (as this once did) was wrong when
 * two unpins each saw the other's pin and both kept the long-term one.
 * Most unpins only read; dropping the last long-term pins is a plain
 * store, since a racing pinner's count lost to it only makes the bound
 * lower. Inline: it runs on every unpin.
 */
static inline void folio_debug_unpin_longterm(struct folio *folio, int refs)
{
	atomic_int *ltp = &folio->page._debug_lt_pins;
	int lt = atomic_load_explicit(ltp, memory_order_relaxed);

	while (lt > refs) {
		if (atomic_compare_exchange_weak(ltp, &lt, lt - refs))
			return;
	}
	if (lt)
		atomic_store_explicit(ltp, 0, memory_order_relaxed);
}

/*
 * Drops refs pins (not of the zero page): the long-term count first, the
 * _pincount of a large folio, then the references and exact pins in one
 * atomic, which frees the folio when they were the last references.
 * Returns how many pins were released: refs, or 0 when the folio holds
 * fewer (reported; the _pincount is given back, the long-term count, a
 * lower bound, may have dropped).
 */
static inline int folio_put_pins(struct folio *folio, int refs)
{
	int pins = atomic_load(&folio->page._debug_pins);
	bool large;
	int ret;

	if (unlikely(pins < refs))
		goto not_pinned;
	SCHED_POINT("read pins");
	folio_debug_unpin_longterm(folio, refs);
	/* Before the references go: the last one may free the folio. */
	large = folio_test_large(folio);
	if (large)
		atomic_fetch_sub(&folio->page._pincount, refs);
	ret = folio_put_ref_pins(folio, folio_pin_refs(large, refs), refs);
	if (likely(ret >= 0))
		return refs;
	if (large)
		atomic_fetch_add(&folio->page._pincount, refs);
	if (ret == -ENOENT)
		goto not_pinned;
	return 0;
not_pinned:
	report_bad_unpin(folio);
	return 0;
}

/* The refcount of a frozen folio (migration): expected -> 0 or fail. */
static inline bool folio_ref_freeze(struct folio *folio, int expected)
{
	return atomic_compare_exchange_strong(&folio->page._refcount,
					      &expected, 0);
}

static inline void folio_ref_unfreeze(struct folio *folio, int count)
{
	atomic_store(&folio->page._refcount, count);
}

/* ---- mapcounts (0-based in the model) ---- */

static inline int page_mapcount(const struct page *page)
{
	return atomic_load((atomic_int *)&page->_mapcount);
}

static inline int folio_entire_mapcount(const struct folio *folio)
{
	return atomic_load((atomic_int *)&folio->page._entire_mapcount);
}

/* Every mapping of the folio: each PTE of a page and each PMD counts one. */
static inline int folio_mapcount(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return page_mapcount(&folio->page);
	return atomic_load((atomic_int *)&folio->page._large_mapcount);
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) > 0;
}

/* ---- pins ---- */

/*
 * True if the folio may have a FOLL_PIN pin: exact for large folios, and for
 * small ones a refcount of GUP_PIN_COUNTING_BIAS or more (1024 plain
 * references look like a pin: false positives are allowed, false negatives
 * never).
 */
static inline bool folio_maybe_dma_pinned(const struct folio *folio)
{
	if (folio_test_large(folio))
		return atomic_load((atomic_int *)&folio->page._pincount) > 0;
	return (unsigned int)folio_ref_count(folio) >= GUP_PIN_COUNTING_BIAS;
}

#endif /* GUPSIM_MM_PAGE_REF_H */
