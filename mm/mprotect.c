// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect's page-table half: give every entry of a range the protection
 * of new vm_flags.
 *
 * pte_modify() rewrites the protection bits; the write bit is then decided
 * here, as the kernel's can_change_pte_writable() does, so that mprotect
 * never makes writable what a write fault would have to see first:
 *  - private mappings: only an entry mapping a PageAnonExclusive page (a
 *    shared anon page, the zero page or a page-cache page must COW);
 *  - shared mappings that want write-notify: only a dirty entry (a clean
 *    one must reach ->page_mkwrite first);
 *  - other shared mappings: whenever the VMA is writable.
 * Hugetlb entries of private mappings stay read-only (the kernel's
 * hugetlb_change_protection() does not upgrade them; a write fault reuses
 * an exclusive page).
 */
#include "internal.h"

static bool can_change_writable(struct vm_area_struct *vma,
				unsigned long addr, uint64_t entry,
				unsigned long newflags, bool huge)
{
	struct page *page;

	if (!(newflags & VM_WRITE) || pte_protnone(entry))
		return false;
	if (newflags & VM_SHARED) {
		if (!vma_wants_writenotify(vma, newflags))
			return true;
		return pte_dirty(entry);
	}
	if (huge && is_vm_hugetlb_page(vma))
		return false;
	page = vm_normal_page(vma, addr, entry & ~_PAGE_PSE);
	return page && folio_test_anon(page_folio(page)) &&
	       PageAnonExclusive(page);
}

/* The new value of one entry (PTE or PMD leaf or migration entry). */
static uint64_t change_entry(struct vm_area_struct *vma, unsigned long addr,
			     uint64_t entry, unsigned long newflags, bool huge)
{
	/* state pte_modify() has no business changing */
	uint64_t keep = entry & (_PAGE_PSE | _PAGE_SPECIAL | _PAGE_DEVMAP |
				 _PAGE_DIRTY | _PAGE_ACCESSED);
	uint64_t new;

	if (!pte_present(entry)) {
		/* a migration entry may not turn writable on restore */
		if (is_writable_migration_entry(entry) && !(newflags & VM_WRITE)) {
			struct folio *folio = pfn_folio(swp_offset_pfn(entry));
			enum swp_type t = folio_test_anon(folio) ?
				SWP_MIGRATION_READ_EXCLUSIVE : SWP_MIGRATION_READ;

			return make_migration_entry(swp_offset_pfn(entry), t) |
			       (entry & _PAGE_PSE);
		}
		return entry;
	}
	new = pte_wrprotect(pte_modify(entry, newflags)) | keep;
	/* judged on the new entry: PROT_NONE -> RW may upgrade at once */
	if (can_change_writable(vma, addr, new, newflags, huge))
		new = pte_mkwrite(new);
	return new;
}

static void change_pte_range(struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long addr, unsigned long end,
			     void *private)
{
	unsigned long newflags = *(unsigned long *)private;
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pte, entry;

	pte = pte_offset_map_lock(mm, pmd, addr);
	if (!pte)
		return;
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		entry = ptep_get(pte);
		if (pte_none(entry))
			continue;
		set_pte(pte, change_entry(vma, addr, entry, newflags, false));
	}
	ptl_unlock(mm);
}

/* False if the entry stopped being huge (split) before we took the ptl. */
static bool change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
			    unsigned long haddr, void *private)
{
	unsigned long newflags = *(unsigned long *)private;
	struct mm_struct *mm = vma->vm_mm;
	bool huge;
	pmd_t entry;

	ptl_lock(mm);
	entry = pmdp_get(pmd);
	huge = pmd_is_huge(entry);
	if (huge)
		set_pmd(pmd, change_entry(vma, haddr, entry, newflags, true));
	ptl_unlock(mm);
	return huge;
}

static const struct pmd_walk_ops change_walk_ops = {
	.huge_entry	= change_huge_pmd,
	.pte_range	= change_pte_range,
};

void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, unsigned long newflags)
{
	walk_pmd_range(vma, start, end, &change_walk_ops, &newflags);
}
