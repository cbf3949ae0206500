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

static inline void ptl_lock(struct mm_struct *mm)
{
	pthread_mutex_lock(&mm->page_table_lock);
}

static inline void ptl_unlock(struct mm_struct *mm)
{
	pthread_mutex_unlock(&mm->page_table_lock);
}

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
			     unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t *pte, entry;

	ptl_lock(mm);
	if (!pmd_is_table(pmdp_get(pmd))) {
		ptl_unlock(mm);
		return;
	}
	pte = pte_offset(pmd, addr);
	for (; addr < end; addr += PAGE_SIZE, pte++) {
		entry = ptep_get(pte);
		if (pte_none(entry))
			continue;
		set_pte(pte, change_entry(vma, addr, entry, newflags, false));
	}
	ptl_unlock(mm);
}

static void change_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
			    unsigned long addr, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t entry;

	ptl_lock(mm);
	entry = pmdp_get(pmd);
	if (pmd_leaf(entry) || is_pmd_migration_entry(entry))
		set_pmd(pmd, change_entry(vma, addr, entry, newflags, true));
	ptl_unlock(mm);
}

void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, unsigned long newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr, next;
	pmd_t *pmd, entry;

	start = max(start, vma->vm_start);
	end = min(end, vma->vm_end);
	for (addr = start; addr < end; addr = next) {
		next = min((addr & PMD_MASK) + PMD_SIZE, end);
		pmd = mm_find_pmd(mm, addr);
		if (!pmd)
			continue;
		entry = pmdp_get(pmd);
		if (pmd_none(entry))
			continue;
		if (pmd_leaf(entry) || is_pmd_migration_entry(entry)) {
			bool whole = IS_ALIGNED(addr, PMD_SIZE) &&
				     next - addr == PMD_SIZE;

			if (whole || is_vm_hugetlb_page(vma)) {
				change_huge_pmd(vma, pmd, addr & PMD_MASK,
						newflags);
				continue;
			}
			split_huge_pmd(vma, pmd, addr);
		}
		change_pte_range(vma, pmd, addr, next, newflags);
	}
}
