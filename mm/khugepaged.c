// SPDX-License-Identifier: GPL-2.0
/*
 * Collapsing 512 PTEs into one PMD-mapped THP: the synchronous half of
 * khugepaged, MADV_COLLAPSE (madvise_collapse()).
 *
 * For every 2 MiB-aligned block of the range that lies wholly inside an
 * eligible anonymous VMA, the PTE table is scanned; if every mapped page
 * is an anonymous page that nobody else holds a reference on, their bytes
 * are copied into a freshly allocated order-9 folio, the PTEs and their
 * references go, and one PMD leaf (writable if the VMA is) maps the new
 * folio, exclusive to this mm (a page a forked child still maps stays the
 * child's). Empty
 * PTEs and the zero page become zeroes: MADV_COLLAPSE is not held to
 * khugepaged's max_ptes_none, max_ptes_shared nor to the "referenced"
 * rule, and it ignores the sysfs THP mode (only VM_NOHUGEPAGE refuses).
 * Read-only PTEs (PROT_READ, or write-protected by fork) are collapsed
 * too, as since 6.18 (before, a block without a writable PTE was
 * SCAN_PAGE_RO, -EINVAL); a block with no page at all is -EINVAL.
 *
 * Why a pinned page stops it: the pin is an extra reference, so the
 * refcount no longer equals the mapcount (SCAN_PAGE_COUNT, -EAGAIN). The
 * check is made after the PMD was cleared, under the page table lock: a
 * GUP-fast walker that grabbed a page before then either shows in the
 * refcount or finds the PMD changed on its re-check and lets go.
 *
 * Left out: file and shmem collapse (-EINVAL here; the kernel collapses
 * those too), swap entries in the block (-EINVAL here; the kernel reads
 * them back first), khugepaged itself.
 */
#include <string.h>

#include "vma.h"
#include "explain.h"
#include "../lib/sched_point.h"

/* The kernel's scan results the model can meet, and their errnos. */
enum scan_result {
	SCAN_SUCCEED,
	SCAN_PMD_MAPPED,	/* already a PMD leaf: counts as done */
	SCAN_PMD_NULL,		/* no PTE table at all */
	SCAN_PTE_NON_PRESENT,	/* a migration entry */
	SCAN_PAGE_NULL,		/* no page at all: only none or zero PTEs */
	SCAN_PAGE_RO,		/* no writable PTE (before 6.18) */
	SCAN_PAGE_ANON,		/* a page cache page in an anonymous VMA */
	SCAN_PAGE_COUNT,	/* a reference beyond the mappings: a pin */
	SCAN_PAGE_LOCK,
	SCAN_ALLOC_HUGE_PAGE_FAIL,
};

/*
 * Why a block was not collapsed, said where the scan decides. A range of
 * many blocks says the first few: the record keeps room for the errno's
 * own rule (madvise_collapse_errno()).
 */
#define explain_scan(fmt, ...)						\
	do {								\
		if (explain_on() &&					\
		    explain_current->nr_lines < EXPLAIN_LINES - 4)	\
			__explain_line(EXPLAIN_RULE, fmt, ##__VA_ARGS__); \
	} while (0)

static int madvise_collapse_errno(enum scan_result r, unsigned long failed,
				  unsigned long blocks)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return explain_err(-ENOMEM, "madvise_collapse", "%lu of %lu PMD block(s) not collapsed, no huge page to collapse into",
				   failed, blocks);
	/* transient: trying again may succeed (a pin: EINVAL before 6.2) */
	case SCAN_PAGE_COUNT:
		if (kernel_has(COLLAPSE_PIN_EAGAIN))
			return explain_err_since(-EAGAIN, "COLLAPSE_PIN_EAGAIN",
						 "madvise_collapse",
						 "%lu of %lu PMD block(s) not collapsed, the last failure (SCAN_PAGE_COUNT) is transient",
						 failed, blocks);
		return explain_err_until(-EINVAL, "COLLAPSE_PIN_EAGAIN",
					 "madvise_collapse",
					 "%lu of %lu PMD block(s) not collapsed, the last failure (SCAN_PAGE_COUNT) is not yet counted transient",
					 failed, blocks);
	case SCAN_PAGE_LOCK:
		return explain_err(-EAGAIN, "madvise_collapse", "%lu of %lu PMD block(s) not collapsed, the last failure (SCAN_PAGE_LOCK) is transient",
				   failed, blocks);
	default:
		return explain_err(-EINVAL, "madvise_collapse",
				   "%lu of %lu PMD block(s) not collapsed, the last failure decides",
				   failed, blocks);
	}
}

/* The folios of one block, each locked once while it is looked at. */
struct collapse_control {
	struct folio *locked[HPAGE_PMD_NR];
	int nr_locked;
};

static enum scan_result collapse_lock_folio(struct collapse_control *cc,
					    struct folio *folio)
{
	for (int i = 0; i < cc->nr_locked; i++)
		if (cc->locked[i] == folio)
			return SCAN_SUCCEED;
	if (!folio_trylock(folio)) {
		explain_scan("__collapse_huge_page_isolate(): folio at pfn %#lx is locked by another task (SCAN_PAGE_LOCK)",
			     folio_pfn(folio));
		return SCAN_PAGE_LOCK;
	}
	cc->locked[cc->nr_locked++] = folio;
	/* every reference must be one of the folio's mappings */
	if (folio_maybe_dma_pinned(folio) ||
	    folio_ref_count(folio) != folio_mapcount(folio)) {
		explain_scan("__collapse_huge_page_isolate(): refcount %d, mapcount %d%s: a reference beyond the mappings holds the page (SCAN_PAGE_COUNT)",
			     folio_ref_count(folio), folio_mapcount(folio),
			     folio_maybe_dma_pinned(folio) ?
			     ", maybe DMA-pinned" : "");
		if (explain_on() &&
		    explain_current->nr_lines < EXPLAIN_LINES - 4)
			__explain_page("held page", &folio->page);
		return SCAN_PAGE_COUNT;
	}
	return SCAN_SUCCEED;
}

static void collapse_unlock_folios(struct collapse_control *cc)
{
	for (int i = 0; i < cc->nr_locked; i++)
		folio_unlock(cc->locked[i]);
	cc->nr_locked = 0;
}

/*
 * __collapse_huge_page_isolate(): may the pages of this PTE table (whose
 * PMD is cleared, ptl held) be replaced? Locks every folio it accepts.
 */
static enum scan_result collapse_scan_table(struct vm_area_struct *vma,
					    pte_t *table, unsigned long haddr,
					    struct collapse_control *cc)
{
	bool found = false, writable = false;

	for (int i = 0; i < (int)HPAGE_PMD_NR; i++) {
		unsigned long addr = haddr + ((unsigned long)i << PAGE_SHIFT);
		pte_t pte = ptep_get(&table[i]);
		struct page *page;
		enum scan_result r;

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			explain_scan("__collapse_huge_page_isolate(): a non-present PTE at %#lx (SCAN_PTE_NON_PRESENT)",
				     addr);
			return SCAN_PTE_NON_PRESENT;
		}
		if (pte_write(pte))
			writable = true;
		page = vm_normal_page(vma, addr, pte);
		if (!page)
			continue;	/* the zero page: becomes zeroes */
		if (!folio_test_anon(page_folio(page))) {
			explain_scan("__collapse_huge_page_isolate(): a page cache page at %#lx in an anonymous VMA (SCAN_PAGE_ANON)",
				     addr);
			return SCAN_PAGE_ANON;
		}
		r = collapse_lock_folio(cc, page_folio(page));
		if (r != SCAN_SUCCEED)
			return r;
		found = true;
	}
	if (!found) {
		explain_scan("__collapse_huge_page_isolate(): the block at %#lx maps no page, only none or zero PTEs (SCAN_PAGE_NULL)",
			     haddr);
		return SCAN_PAGE_NULL;
	}
	if (writable || kernel_has(COLLAPSE_READ_ONLY))
		return SCAN_SUCCEED;
	explain_scan("__collapse_huge_page_isolate(): the block at %#lx has no writable PTE (SCAN_PAGE_RO)",
		     haddr);
	if (explain_on() && explain_current->nr_lines < EXPLAIN_LINES - 4)
		__explain_until("COLLAPSE_READ_ONLY");
	return SCAN_PAGE_RO;
}

/*
 * The point of no return (ptl held, table detached from the PMD): copy
 * every page into the new folio, drop the PTEs' mappings and return the
 * folios whose references the caller puts after the lock, then map the
 * new folio with one PMD.
 */
static int collapse_replace(struct vm_area_struct *vma, pmd_t *pmd,
			    pte_t *table, unsigned long haddr,
			    struct folio *new, struct folio **put)
{
	struct mm_struct *mm = vma->vm_mm;
	int nr_put = 0;
	pmd_t entry;

	/* one point for the copy: 512 would swamp an explorer's search */
	SCHED_POINT("__collapse_huge_page_copy()");
	for (int i = 0; i < (int)HPAGE_PMD_NR; i++) {
		unsigned long addr = haddr + ((unsigned long)i << PAGE_SHIFT);
		void *dst = page_address(folio_page(new, i));
		pte_t pte = ptep_get(&table[i]);
		struct page *page = pte_none(pte) ? NULL :
				    vm_normal_page(vma, addr, pte);
		struct folio *folio;

		if (!page) {
			memset(dst, 0, PAGE_SIZE);
			continue;
		}
		memcpy(dst, page_address(page), PAGE_SIZE);
		/* the old PTE goes once its page is copied (ptep_clear()) */
		ptep_get_and_clear(&table[i]);
		folio = page_folio(page);
		folio_remove_rmap_ptes(folio, page, 1, vma);
		atomic_fetch_sub(mm_counter(mm, folio), 1);
		put[nr_put++] = folio;
	}
	folio_add_new_anon_rmap(new, vma, haddr, RMAP_EXCLUSIVE);
	atomic_fetch_add(&mm->rss_anon, HPAGE_PMD_NR);
	entry = pmd_mkhuge(pte_mkyoung(mk_pte(&new->page, vma->vm_flags)));
	set_pmd(pmd, maybe_mkwrite(pte_mkdirty(entry), vma));
	SCHED_POINT("huge pmd installed");
	folio_set_lru(new);
	return nr_put;
}

/* collapse_huge_page() for the block at haddr (mmap_lock held for write). */
static enum scan_result collapse_huge_page(struct vm_area_struct *vma,
					   unsigned long haddr)
{
	struct mm_struct *mm = vma->vm_mm;
	static _Thread_local struct collapse_control cc;
	static _Thread_local struct folio *put[HPAGE_PMD_NR];
	pmd_t *pmd = mm_find_pmd(mm, haddr), entry;
	enum scan_result r;
	struct folio *new;
	int nr_put;

	if (!pmd || pmd_none(pmdp_get(pmd))) {
		explain_scan("find_pmd_or_thp_or_none(): no page table for the block at %#lx (SCAN_PMD_NULL)",
			     haddr);
		return SCAN_PMD_NULL;
	}
	if (pmd_leaf(pmdp_get(pmd)))
		return SCAN_PMD_MAPPED;
	if (!pte_offset(pmd, haddr)) {
		explain_scan("find_pmd_or_thp_or_none(): a PMD migration entry at %#lx (SCAN_PMD_NULL)",
			     haddr);
		return SCAN_PMD_NULL;
	}
	new = folio_alloc(GFP_TRANSHUGE | vma_place_gfp(vma), HPAGE_PMD_ORDER);
	if (!new) {
		explain_scan("alloc_charge_folio(): no free order-%d folio for the block at %#lx (SCAN_ALLOC_HUGE_PAGE_FAIL)",
			     HPAGE_PMD_ORDER, haddr);
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	}

	vma_rmap_lock(vma);
	ptl_lock(mm);
	/*
	 * pmdp_collapse_flush(): GUP-fast re-checks the PMD after each grab
	 * (since 6.0) and lets go from here. The model's GUP-fast walks
	 * under RCU, as on architectures whose TLB flush sends no IPI, so
	 * the flush does not wait for a walker that already read the PMD.
	 */
	entry = pmdp_get_and_clear(pmd);
	SCHED_POINT("pmdp_collapse_flush()");
	r = collapse_scan_table(vma, table_entry_target(entry), haddr, &cc);
	SCHED_POINT("isolated: refcount == mapcount");
	if (r != SCAN_SUCCEED) {
		set_pmd(pmd, entry);
		ptl_unlock(mm);
		vma_rmap_unlock(vma);
		collapse_unlock_folios(&cc);
		folio_put(new);
		return r;
	}
	nr_put = collapse_replace(vma, pmd, table_entry_target(entry), haddr,
				  new, put);
	ptl_unlock(mm);
	vma_rmap_unlock(vma);
	/*
	 * GUP-fast may still walk the old table: it goes after a grace
	 * period (tlb_remove_table_sync_one() and the deferred free,
	 * 2ba99c5e0881), never at once.
	 */
	pte_free_deferred(pfn_to_page(pte_pfn(entry)));
	collapse_unlock_folios(&cc);
	for (int i = 0; i < nr_put; i++)
		folio_put(put[i]);
	return SCAN_SUCCEED;
}

/*
 * thp_vma_allowable_order() for a forced collapse (sysfs does not count):
 * NULL when the VMA may hold a THP, else what forbids it.
 */
static const char *collapse_vma_refused(const struct vm_area_struct *vma)
{
	if (!vma_is_anonymous(vma))
		return "not anonymous (file and shmem collapse are not modelled)";
	if (vma->vm_flags & VM_NOHUGEPAGE)
		return "VM_NOHUGEPAGE (MADV_NOHUGEPAGE)";
	if (vma->vm_flags & (VM_HUGETLB | VM_IO | VM_PFNMAP | VM_MIXEDMAP |
			     VM_DONTEXPAND))
		return "hugetlb, VM_IO, VM_PFNMAP, VM_MIXEDMAP or VM_DONTEXPAND";
	return NULL;
}

int madvise_collapse(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	unsigned long hstart = ALIGN_UP(start, HPAGE_PMD_SIZE);
	unsigned long hend = ALIGN_DOWN(end, HPAGE_PMD_SIZE);
	enum scan_result last_fail = SCAN_SUCCEED;
	unsigned long addr, thps = 0, blocks;
	const char *refused = collapse_vma_refused(vma);

	mmap_assert_write_locked(vma->vm_mm);
	if (refused)
		return explain_vma_err(-EINVAL, vma, "thp_vma_allowable_order",
				       "the VMA may not hold a THP: %s", refused);
	for (addr = hstart; addr < hend; addr += HPAGE_PMD_SIZE) {
		enum scan_result r = collapse_huge_page(vma, addr);

		if (r == SCAN_SUCCEED || r == SCAN_PMD_MAPPED)
			thps++;
		else
			last_fail = r;
		/* an allocation failure ends the walk, as in the kernel */
		if (r == SCAN_ALLOC_HUGE_PAGE_FAIL)
			break;
	}
	blocks = hend > hstart ? (hend - hstart) >> HPAGE_PMD_SHIFT : 0;
	if (thps == blocks)
		return 0;
	return madvise_collapse_errno(last_fail, blocks - thps, blocks);
}
