// SPDX-License-Identifier: GPL-2.0
/*
 * The GUP calls of a driver as its release had them (driver.h,
 * struct drv_gup): pin_user_pages*() from 5.6, get_user_pages*() with
 * FOLL_LONGTERM in 5.2 .. 5.5 (and for some drivers later), and in 5.1
 * get_user_pages_longterm() or a plain get_user_pages_fast().
 */
#include "driver.h"

static long __drv_gup_pages(const struct drv_gup *g, unsigned long start,
			    unsigned long nr_pages, unsigned int gup_flags,
			    struct page **pages)
{
	if (g->pin)
		return g->fast ? pin_user_pages_fast(start, (int)nr_pages,
						     gup_flags, pages) :
				 pin_user_pages(start, nr_pages, gup_flags,
						pages);
	/* 5.1: get_user_pages_fast() took a write flag, no gup_flags. */
	if (g->fast && !kernel_has(GUP_FAST_FLAGS))
		return get_user_pages_fast(start, (int)nr_pages,
					   gup_flags & FOLL_WRITE, pages);
	/* 5.1: no FOLL_LONGTERM yet, the long-term call of its own. */
	if (!kernel_has(FOLL_LONGTERM) && (gup_flags & FOLL_LONGTERM))
		return get_user_pages_longterm(start, nr_pages,
					       gup_flags & ~FOLL_LONGTERM,
					       pages);
	return g->fast ? get_user_pages_fast(start, (int)nr_pages, gup_flags,
					     pages) :
			 get_user_pages(start, nr_pages, gup_flags, pages);
}

long drv_gup_pages(const struct drv_gup *g, unsigned long start,
		   unsigned long nr_pages, unsigned int gup_flags,
		   struct page **pages)
{
	struct mm_struct *mm = task_mm(current);
	long ret;

	if (g->fast || !g->lock)
		return __drv_gup_pages(g, start, nr_pages, gup_flags, pages);
	mmap_read_lock(mm);
	ret = __drv_gup_pages(g, start, nr_pages, gup_flags, pages);
	mmap_read_unlock(mm);
	return ret;
}

void drv_gup_release(const struct drv_gup *g, struct page **pages,
		     unsigned long nr_pages, bool dirty)
{
	if (g->pin) {
		unpin_user_pages_dirty_lock(pages, nr_pages, dirty);
		return;
	}
	for (unsigned long i = 0; i < nr_pages; i++) {
		if (!pages[i])
			continue;
		if (dirty)
			set_page_dirty_lock(pages[i]);
		put_page(pages[i]);
	}
}
