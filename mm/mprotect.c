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
#include "vma.h"
#include "../lib/sched_point.h"

#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif

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
	/* Before 6.0 a private entry always took the write fault first. */
	if (!kernel_has(MPROTECT_ANON_WRITABLE))
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
		SCHED_POINT("pte protection changed");
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
	SCHED_POINT("pmd protection changed");
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

/* ---- mprotect ---- */

static int mprotect_fixup(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, unsigned long newflags)
{
	int err;

	if (newflags == vma->vm_flags)
		return 0;
	vma = split_range(vma, start, end, &err);
	if (!vma)
		return err;
	/* Private memory made writable is committed (VM_ACCOUNT). */
	if ((newflags & (VM_WRITE | VM_SHARED | VM_NORESERVE | VM_HUGETLB))
	    == VM_WRITE)
		newflags |= VM_ACCOUNT;
	vm_flags_reset(vma, newflags);
	change_protection(vma, start, end, newflags);
	vma_merge_neighbours(vma);
	return 0;
}

int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long prot)
{
	const unsigned long known = PROT_READ | PROT_WRITE | PROT_EXEC |
				    PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP;
	struct vm_area_struct *vma;
	unsigned long end, nstart;
	int err;

	mmap_assert_write_locked(mm);
	if (prot & ~known)
		return -EINVAL;
	if ((prot & (PROT_GROWSDOWN | PROT_GROWSUP)) ==
	    (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	if (!len)
		return 0;
	len = PAGE_ALIGN(len);
	end = start + len;
	if (end <= start)
		return -ENOMEM;

	vma = find_vma(mm, start);
	if (!vma || vma->vm_start > start)
		return -ENOMEM;
	for (nstart = start; ; ) {
		unsigned long newflags, tmp;

		newflags = (vma->vm_flags & ~VM_ACCESS_FLAGS) |
			   calc_vm_prot_bits(prot);
		/* Each VM_MAY* bit sits four above the bit it allows. */
		if ((newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS)
			return -EACCES;
		tmp = min(vma->vm_end, end);
		err = mprotect_fixup(vma, nstart, tmp, newflags);
		if (err)
			return err;
		nstart = tmp;
		if (nstart >= end)
			return 0;
		/* a merge may have made the VMA we did reach past nstart */
		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start > nstart)
			return -ENOMEM;
	}
}


int vm_mprotect(struct task_struct *task, unsigned long start, size_t len,
		unsigned long prot)
{
	struct mm_struct *mm = task_mm_checked(task);
	int ret;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_mprotect(mm, start, len, prot);
	mmap_write_unlock(mm);
	return ret;
}

