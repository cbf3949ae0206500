// SPDX-License-Identifier: GPL-2.0
/*
 * Transparent huge pages: PMD-mapped order-9 anonymous folios. (The
 * smaller, PTE-mapped sizes, "mTHP", are born in do_anonymous_page().)
 *
 * A THP is born on a write fault into an empty, suitably aligned 2 MiB
 * range of an anonymous VMA that THP is enabled for. Its PMD holds one
 * reference and counts in _entire_mapcount (and _large_mapcount). When
 * something needs 4 KiB granularity (a partial munmap, mprotect or zap, a
 * COW of a shared THP) the PMD is split: the folio stays large, and a PTE
 * table maps its 512 pages, each PTE holding its own reference and
 * mapcount. The model has no huge zero page and no khugepaged.
 *
 * Hugetlb PMD leaves live in VM_HUGETLB VMAs and are never split here.
 */
#include <string.h>

#include "internal.h"
#include "../lib/sched_point.h"

/*
 * The anonymous THP orders a page fault in vma may allocate (the kernel's
 * thp_vma_allowable_orders() for a fault): the machine's enabled sizes
 * (hugepages-<size>kB/enabled "inherit" for each, "never" for the rest),
 * when thp= allows THPs in this VMA at all. 0: base pages only.
 */
unsigned int thp_vma_allowable_orders(const struct vm_area_struct *vma)
{
	if (!vma_is_anonymous(vma))
		return 0;
	if (vma->vm_flags & (VM_PFNMAP | VM_IO | VM_HUGETLB | VM_NOHUGEPAGE))
		return 0;
	switch (machine->thp) {
	case THP_ALWAYS:
		break;
	case THP_MADVISE:
		if (!(vma->vm_flags & VM_HUGEPAGE))
			return 0;
		break;
	default:
		return 0;
	}
	return machine->thp_orders;
}

bool vma_thp_allowed(const struct vm_area_struct *vma, unsigned long addr)
{
	unsigned long haddr = addr & PMD_MASK;

	if (!(thp_vma_allowable_orders(vma) & (1u << HPAGE_PMD_ORDER)))
		return false;
	return haddr >= vma->vm_start && haddr + HPAGE_PMD_SIZE <= vma->vm_end;
}

vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = vmf->address & PMD_MASK;
	struct folio *folio;
	pmd_t entry;

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = folio_alloc(GFP_TRANSHUGE | __GFP_ZERO | vma_place_gfp(vma),
			    HPAGE_PMD_ORDER);
	if (!folio) {
		count_vm_event(THP_FAULT_FALLBACK);
		return VM_FAULT_FALLBACK;
	}

	ptl_lock(mm);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		/* raced with another fault: let the walk look again */
		ptl_unlock(mm);
		folio_put(folio);
		return VM_FAULT_FALLBACK;
	}
	folio_set_swapbacked(folio);
	folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE);
	atomic_fetch_add(&mm->rss_anon, HPAGE_PMD_NR);
	entry = pmd_mkhuge(pte_mkyoung(mk_pte(&folio->page, vma->vm_flags)));
	entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	set_pmd(vmf->pmd, entry);
	folio_set_lru(folio);
	ptl_unlock(mm);
	count_vm_event(THP_FAULT_ALLOC);
	return 0;
}

static void folio_set_anon_exclusive_all(struct folio *folio)
{
	unsigned long i, nr = folio_nr_pages(folio);

	for (i = 0; i < nr; i++)
		SetPageAnonExclusive(folio_page(folio, i));
}

/*
 * Write or unshare fault on a read-only PMD leaf (vmf->orig_pte holds the
 * PMD). An exclusive THP is reused; a shared one only if this PMD is its
 * only reference (then it becomes exclusive). Anything else is split and
 * handled page by page: VM_FAULT_FALLBACK tells the caller to walk again.
 */
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct folio *folio;
	struct page *page;
	pmd_t orig = vmf->orig_pte, entry;

	ptl_lock(mm);
	if (!pte_same(pmdp_get(vmf->pmd), orig)) {
		ptl_unlock(mm);
		return 0;	/* changed under us: the caller retries */
	}
	folio = pfn_folio(pmd_pfn(orig));
	page = &folio->page;
	if (!folio_test_anon(folio))
		goto fallback;
	if (PageAnonExclusive(page) && kernel_has(ANON_EXCLUSIVE))
		goto reuse;
	/*
	 * Until 5.18 a THP mapped only here was reused, whoever else held
	 * it (a GUP reference of a child that unmapped it: the vmsplice
	 * leak, CVE-2020-29374, for THP).
	 */
	if (!kernel_has(THP_COW_FIX)) {
		if (folio_mapcount(folio) != 1)
			goto fallback;
		folio_set_anon_exclusive_all(folio);
		goto reuse;
	}
	if (folio_ref_count(folio) != 1 || !folio_trylock(folio))
		goto fallback;
	if (folio_ref_count(folio) != 1) {
		folio_unlock(folio);
		goto fallback;
	}
	folio_set_anon_exclusive_all(folio);
	folio_unlock(folio);
reuse:
	if (!unshare) {
		entry = pte_mkdirty(pte_mkyoung(orig));
		set_pmd(vmf->pmd, maybe_mkwrite(entry, vma));
		count_vm_event(GUPSIM_COW_REUSE);
	}
	ptl_unlock(mm);
	return 0;
fallback:
	ptl_unlock(mm);
	split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* The struct page of a table page from a pointer into it. */
static struct page *table_page(uint64_t *table)
{
	unsigned long off = (unsigned char *)table - machine->phys_base;

	return pfn_to_page(off >> PAGE_SHIFT);
}

/*
 * Fills a fresh PTE table with the 512 entries that replace a PMD leaf or
 * PMD migration entry. The PTEs keep the PMD's protection and state bits.
 */
static void fill_split_table(pte_t *table, pmd_t entry)
{
	unsigned long pfn = pmd_pfn(entry), i;
	uint64_t bits;

	if (is_migration_entry(entry)) {
		for (i = 0; i < HPAGE_PMD_NR; i++)
			set_pte(&table[i],
				make_migration_entry(pfn + i, swp_type(entry)));
		return;
	}
	bits = entry & ~(_PAGE_PSE | _PAGE_PFN_MASK);
	for (i = 0; i < HPAGE_PMD_NR; i++)
		set_pte(&table[i], bits | ((uint64_t)(pfn + i) << _PAGE_PFN_SHIFT));
}

/*
 * The rmap and reference side of a split (ptl held): every PTE gets its
 * own reference and mapcount, then the PMD's mapping goes. Exclusivity is
 * per page and stays as it was.
 */
static void split_huge_pmd_rmap(struct vm_area_struct *vma,
				struct folio *folio, unsigned long haddr)
{
	folio_ref_add(folio, HPAGE_PMD_NR - 1);
	if (folio_test_anon(folio)) {
		int flags = PageAnonExclusive(&folio->page) ? RMAP_EXCLUSIVE : 0;

		folio_add_anon_rmap_ptes(folio, &folio->page, HPAGE_PMD_NR,
					 vma, haddr, flags);
	} else {
		folio_add_file_rmap_ptes(folio, &folio->page, HPAGE_PMD_NR,
					 vma);
	}
	folio_remove_rmap_pmd(folio, vma);
}

void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		    unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long haddr = address & PMD_MASK;
	pmd_t entry, table_entry = 0;
	pte_t *table;

	if (is_vm_hugetlb_page(vma))
		return;		/* hugetlb leaves are always whole */
	entry = pmdp_get(pmd);
	if (!pmd_is_huge(entry))
		return;

	/*
	 * A table that is not installed yet: pte_alloc() on a PMD value of
	 * our own hands us a zeroed, accounted table page without touching
	 * the real page tables (the ptl must not be held here).
	 */
	table = pte_alloc(mm, &table_entry, haddr);
	if (!table) {
		VM_WARN(true, "split_huge_pmd: no memory for a PTE table");
		return;
	}

	ptl_lock(mm);
	entry = pmdp_get(pmd);
	if (!pmd_is_huge(entry)) {
		ptl_unlock(mm);
		pte_free_deferred(table_page(table));
		return;
	}
	count_vm_event(THP_SPLIT_PMD);
	fill_split_table(table, entry);
	if (pmd_leaf(entry))
		split_huge_pmd_rmap(vma, pfn_folio(pmd_pfn(entry)), haddr);
	/*
	 * Publish the full table at once: a GUP-fast walker that grabbed
	 * references through the old leaf sees the PMD change and backs off.
	 */
	set_pmd(pmd, table_entry);
	SCHED_POINT("pmd now a pte table");
	ptl_unlock(mm);
}

void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address)
{
	pmd_t *pmd = mm_find_pmd(vma->vm_mm, address);

	/* split_huge_pmd() looks at the entry itself */
	if (pmd)
		split_huge_pmd(vma, pmd, address);
}
