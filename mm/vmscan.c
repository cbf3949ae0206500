// SPDX-License-Identifier: GPL-2.0
/*
 * Reclaim, as far as MADV_PAGEOUT needs it: anonymous pages of the range
 * that only this page table maps are written to the swap device and their
 * PTEs replaced by swap entries (mm/swapfile.c), which remember whether
 * the page was PageAnonExclusive.
 *
 * A page is left alone when another mm maps it too (the kernel's
 * madvise_cold_or_pageout_pte_range() skips shared folios), when it may
 * be pinned, or when anything holds a reference beyond its mappings (a
 * GUP reference): reclaim cannot free such a page. The refcount is judged
 * after the PTE was cleared, under the ptl, so a GUP-fast walker either
 * shows in it (the PTE is put back) or finds the PTE changed and lets go.
 *
 * Left out: file and shmem pages (the model has no writeback to disk, and
 * their bytes stay in the page cache), LRU aging, THP swap-out in one
 * piece (a PMD-mapped THP's PMD is split, then the folio, and its pages
 * are paged out one by one).
 */
#include "vma.h"
#include "explain.h"

#define PAGEOUT_BATCH	64

struct pageout_batch {
	struct folio *folios[PAGEOUT_BATCH];
	int nr;
	bool full;		/* the swap device is full: stop */
};

/* References of folio the batch still has to put (pages of one folio). */
static int batch_refs(const struct pageout_batch *b, struct folio *folio)
{
	int n = 0;

	for (int i = 0; i < b->nr; i++)
		n += b->folios[i] == folio;
	return n;
}

/* Pages one PTE out (ptl held); false if it must stay. */
static bool pageout_one(struct vm_area_struct *vma, unsigned long addr,
			pte_t *ptep, struct pageout_batch *b)
{
	pte_t pte = ptep_get(ptep);
	struct page *page;
	struct folio *folio;
	long slot;

	if (!pte_present(pte))
		return false;
	page = vm_normal_page(vma, addr, pte);
	if (!page || !folio_test_anon(page_folio(page)))
		return false;
	folio = page_folio(page);
	if (page_mapcount(page) != 1 || folio_maybe_dma_pinned(folio))
		return false;
	slot = get_swap_slot();
	if (slot < 0) {
		b->full = true;
		return false;
	}
	ptep_get_and_clear(ptep);
	if (folio_maybe_dma_pinned(folio) ||
	    folio_ref_count(folio) !=
	    folio_mapcount(folio) + batch_refs(b, folio)) {
		set_pte(ptep, pte);
		swap_free((unsigned long)slot);
		return false;
	}
	swap_writepage((unsigned long)slot, page);
	set_pte(ptep, make_swap_entry((unsigned long)slot,
				      PageAnonExclusive(page)));
	ClearPageAnonExclusive(page);
	folio_remove_rmap_ptes(folio, page, 1, vma);
	atomic_fetch_sub(&vma->vm_mm->rss_anon, 1);
	b->folios[b->nr++] = folio;	/* the PTE's reference */
	return true;
}

/* The next large anon folio mapped in [*addr, end), with a reference. */
static struct folio *next_large_folio(struct vm_area_struct *vma, pmd_t *pmd,
				      unsigned long *addr, unsigned long end,
				      struct folio *last)
{
	pte_t *pte = pte_offset_map_lock(vma->vm_mm, pmd, *addr);
	struct folio *found = NULL;

	if (!pte)
		return NULL;
	for (; *addr < end; *addr += PAGE_SIZE, pte++) {
		pte_t entry = ptep_get(pte);
		struct page *page = pte_present(entry) ?
				    vm_normal_page(vma, *addr, entry) : NULL;
		struct folio *folio = page ? page_folio(page) : NULL;

		if (folio && folio != last && folio_test_large(folio) &&
		    folio_test_anon(folio) && folio_try_get(folio)) {
			found = folio;
			break;
		}
	}
	ptl_unlock(vma->vm_mm);
	return found;
}

/*
 * madvise_cold_or_pageout_pte_range() splits each large anon folio it
 * meets (split_huge_page(), without the ptl) before paging out its pages.
 * One it cannot split (a pin, a locked folio) is left whole, and its
 * pages are judged as they are.
 */
static void pageout_split_folios(struct vm_area_struct *vma, pmd_t *pmd,
				 unsigned long addr, unsigned long end)
{
	struct folio *folio = NULL;

	while ((folio = next_large_folio(vma, pmd, &addr, end, folio))) {
		if (folio_trylock(folio)) {
			split_huge_page(folio);
			folio_unlock(folio);
		}
		folio_put(folio);
	}
}

static void pageout_pte_range(struct vm_area_struct *vma, pmd_t *pmd,
			      unsigned long addr, unsigned long end,
			      void *private)
{
	struct pageout_batch *b = private;
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pte;

	pageout_split_folios(vma, pmd, addr, end);

	while (addr < end && !b->full) {
		pte = pte_offset_map_lock(mm, pmd, addr);
		if (!pte)
			return;
		for (; addr < end && b->nr < PAGEOUT_BATCH && !b->full;
		     addr += PAGE_SIZE, pte++)
			pageout_one(vma, addr, pte, b);
		ptl_unlock(mm);
		for (int i = 0; i < b->nr; i++)
			folio_put(b->folios[i]);
		b->nr = 0;
	}
}

/* A whole PMD-mapped THP in the range: split, then page by page. */
static bool pageout_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long haddr, void *private)
{
	split_huge_pmd(vma, pmd, haddr);
	return false;
}

static const struct pmd_walk_ops pageout_walk_ops = {
	.huge_entry	= pageout_huge_pmd,
	.pte_range	= pageout_pte_range,
};

int madvise_pageout(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end)
{
	struct pageout_batch b = { .nr = 0 };

	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
		return explain_vma_err(-EINVAL, vma, "can_madv_lru_vma",
				       "MADV_PAGEOUT on a VM_LOCKED, VM_PFNMAP or hugetlb VMA");
	if (!vma_is_anonymous(vma) || !swap_enabled())
		return 0;
	walk_pmd_range(vma, start, end, &pageout_walk_ops, &b);
	return 0;
}
