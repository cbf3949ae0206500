// SPDX-License-Identifier: GPL-2.0
/*
 * FOLL_LONGTERM as releases before 5.13 had it (kernel-version profiles,
 * gupsim/profile.h). Today's loop lives in gup.c; this file is the one
 * that 5.1 (get_user_pages_longterm()) through 5.12 ran:
 *
 *  - the whole range is taken first (allocations avoiding CMA and
 *    ZONE_MOVABLE while it faults: PF_MEMALLOC_NOCMA);
 *  - until the fs-DAX check moved into check_vma_flags(), any page of the
 *    range in an fs-DAX VMA fails the whole call with -EOPNOTSUPP, every
 *    reference dropped (check_dax_vmas());
 *  - then check_and_migrate_cma_pages(): only CMA pages count as
 *    unpinnable (ZONE_MOVABLE pages stay where they are); if any was
 *    isolated, every reference of the range is dropped, the isolated
 *    pages are migrated, and the whole range is taken again. When a page
 *    would not move (someone else holds it), the range is taken once more
 *    without migrating and the call succeeds with that page pinned in CMA.
 *
 * What is not modelled: the v5.2 bug where a failing re-take (a negative
 * count stored in an unsigned nr_pages) looped over pages[] out of bounds;
 * here a failing re-take returns its error. The 5.9-5.12 migration target
 * that could land in ZONE_MOVABLE is modelled as today's (never movable).
 */
#include "internal.h"
#include "gup_legacy.h"
#include "explain.h"

/* Rounds of migration before giving up; the kernel loops while it can. */
#define LEGACY_MAX_ROUNDS	32

/*
 * Where a long-term pin may stay, as the selected release decides: from
 * 5.13 neither CMA nor ZONE_MOVABLE (folio_is_longterm_pinnable()), before
 * only CMA was checked.
 */
bool gup_folio_longterm_pinnable(struct folio *folio)
{
	/* What may be pinned today could always be (the common case). */
	if (folio_is_longterm_pinnable(folio))
		return true;
	if (kernel_has(LONGTERM_MIGRATE_MOVABLE))
		return false;
	return !is_migrate_cma_page(&folio->page);
}

/* Drops what GUP took for pages[0..nr), of the kind gup_flags says. */
static void legacy_put_pages(struct page **pages, unsigned long nr,
			     unsigned int gup_flags)
{
	for (unsigned long i = 0; i < nr; i++)
		gup_put_folio(page_folio(pages[i]), 1, gup_flags);
}

/*
 * check_dax_vmas(): true if a page of the range lies in an fs-DAX VMA.
 * The caller holds mmap_lock, so the VMAs of the pages just taken are
 * still there.
 */
static bool legacy_range_has_dax(struct mm_struct *mm, unsigned long start,
				 unsigned long nr)
{
	struct vm_area_struct *vma = NULL;

	for (unsigned long i = 0; i < nr; i++) {
		unsigned long addr = (start & PAGE_MASK) + (i << PAGE_SHIFT);

		if (!vma || addr >= vma->vm_end)
			vma = vma_lookup(mm, addr);
		if (vma && vma_is_fsdax(vma))
			return true;
	}
	return false;
}

/*
 * Isolates the CMA folios of pages[] onto list. A folio that cannot be
 * isolated stays pinned where it is, silently, as in those releases.
 */
static void legacy_collect_cma(struct list_head *list, struct page **pages,
			       unsigned long nr)
{
	struct folio *prev = NULL;

	for (unsigned long i = 0; i < nr; i++) {
		struct folio *folio = page_folio(pages[i]);

		if (folio == prev)
			continue;
		prev = folio;
		if (!is_migrate_cma_page(&folio->page))
			continue;
		if (folio_isolate_lru(folio))
			list_add_tail(&folio->page.lru, list);
	}
}

/*
 * check_and_migrate_cma_pages() of 5.2 .. 5.12: returns the number of
 * pages held (the whole range, possibly with pages left in CMA when
 * migration failed) or the error of a re-take.
 */
static long legacy_migrate_cma(struct mm_struct *mm, unsigned long start,
			       long nr_pinned, struct page **pages,
			       int *locked, unsigned int gup_flags)
{
	bool migrate_allow = true;
	unsigned long nr = nr_pinned;

	for (int round = 0; round < LEGACY_MAX_ROUNDS; round++) {
		LIST_HEAD(cma);
		long got;

		legacy_collect_cma(&cma, pages, nr);
		if (list_empty(&cma))
			return nr;
		/* Every reference goes, not only the CMA pages' ones. */
		legacy_put_pages(pages, nr, gup_flags);
		if (migrate_pages(&cma, alloc_migration_target_pinnable, 0,
				  MR_LONGTERM_PIN, NULL))
			migrate_allow = false;
		putback_movable_pages(&cma);
		got = __get_user_pages_locked(mm, start, nr, pages, locked,
					      gup_flags);
		if (got <= 0 || !migrate_allow)
			return got;
		nr = got;
		count_vm_event(GUPSIM_LONGTERM_MIGRATE_RETRY);
	}
	VM_WARN(true, "FOLL_LONGTERM (legacy): %d rounds of migration at %#lx",
		LEGACY_MAX_ROUNDS, start);
	return nr;
}

/* The long-term call of 5.1 .. 5.12, mmap_read_lock held (*locked 1). */
static long legacy_longterm_range(struct mm_struct *mm, unsigned long start,
				  unsigned long nr_pages, struct page **pages,
				  int *locked, unsigned int gup_flags)
{
	unsigned int pin_flags;
	long rc;

	mmap_assert_locked(mm);
	pin_flags = memalloc_pin_save();
	rc = __get_user_pages_locked(mm, start, nr_pages, pages, locked,
				     gup_flags);
	memalloc_pin_restore(pin_flags);
	if (rc <= 0)
		return rc;

	if (!kernel_has(DAX_CHECK_VMA_FLAGS) &&
	    legacy_range_has_dax(mm, start, rc)) {
		legacy_put_pages(pages, rc, gup_flags);
		return explain_err(-EOPNOTSUPP, "__gup_longterm_locked",
				   "FOLL_LONGTERM on fs-DAX: before check_vma_flags() refused it, the VMAs of the whole range were checked after the walk and every page taken was dropped");
	}
	return legacy_migrate_cma(mm, start, rc, pages, locked, gup_flags);
}

/*
 * __gup_longterm_locked() before 5.13, for a FOLL_LONGTERM call. The
 * caller has validated the flags as its release did. The whole call runs
 * under one mmap_read_lock (taken here when *locked is 0, as GUP-fast's
 * fall-back did with __gup_longterm_unlocked()): the VMAs checked for
 * fs-DAX are those the pages were taken from.
 */
long legacy_gup_longterm_locked(struct mm_struct *mm, unsigned long start,
				unsigned long nr_pages, struct page **pages,
				int *locked, unsigned int gup_flags)
{
	bool must_unlock = false;
	long rc;

	if (!pages)
		return -EINVAL;
	if (!*locked) {
		mmap_read_lock(mm);
		*locked = 1;
		must_unlock = true;
	}
	rc = legacy_longterm_range(mm, start, nr_pages, pages, locked,
				   gup_flags);
	if (must_unlock && *locked) {
		mmap_read_unlock(mm);
		*locked = 0;
	}
	return rc;
}

/*
 * get_user_pages_longterm() - the long-term call of 5.1 (FOLL_LONGTERM
 * did not exist yet): get_user_pages() that refuses fs-DAX and moves the
 * pages out of CMA first. Caller holds mmap_read_lock(current->mm).
 * From 5.2 on it is gone (get_user_pages() with FOLL_LONGTERM replaced
 * it): calling it under a later profile is refused with a warning.
 */
long get_user_pages_longterm(unsigned long start, unsigned long nr_pages,
			     unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = current ? current->mm : NULL;
	int locked = 1;

	if (VM_WARN_MISUSE(kernel_has(FOLL_LONGTERM),
		    "get_user_pages_longterm() exists only in the 5.1 profile (running %s): use FOLL_LONGTERM",
		    kernel_profile_name(machine_kernel())))
		return -ENOSYS;
	if (VM_WARN_MISUSE(gup_flags & (INTERNAL_GUP_FLAGS | FOLL_LONGTERM),
		    "get_user_pages_longterm: flags %#x not allowed",
		    gup_flags & (INTERNAL_GUP_FLAGS | FOLL_LONGTERM)))
		return -EINVAL;
	if (VM_WARN_MISUSE(!mm, "get_user_pages_longterm without a current mm"))
		return -EFAULT;
	mmap_assert_locked(mm);
	return legacy_gup_longterm_locked(mm, start, nr_pages, pages, &locked,
					  gup_flags | FOLL_TOUCH | FOLL_GET |
					  FOLL_LONGTERM);
}
