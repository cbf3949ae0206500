// SPDX-License-Identifier: GPL-2.0
/*
 * mremap's half in the page tables: moving entries from one range of an mm
 * to another. The folios do not change, nor do their mapcounts or anon
 * exclusivity: only the place of the entry that maps them.
 *
 * Callers hold the mmap_lock for write (no fault can run) and the rmap
 * locks of the old VMA (no reverse-map walker sees an entry half moved).
 * GUP-fast still runs: it re-reads an entry after taking its reference,
 * and an entry moved away reads as none there, so it backs off.
 */
#include "internal.h"

/* Bytes from addr to the next PMD boundary, at most len. */
static unsigned long pmd_extent(unsigned long old, unsigned long new,
				unsigned long len)
{
	unsigned long a = ALIGN_DOWN(old, PMD_SIZE) + PMD_SIZE - old;
	unsigned long b = ALIGN_DOWN(new, PMD_SIZE) + PMD_SIZE - new;

	return min(min(a, b), len);
}

static bool whole_pmd(unsigned long old, unsigned long new,
		      unsigned long extent)
{
	return extent == PMD_SIZE && IS_ALIGNED(old, PMD_SIZE) &&
	       IS_ALIGNED(new, PMD_SIZE);
}

/*
 * First pass: everything that can fail or that changes the shape of the
 * old tables happens here, so the second pass cannot fail half-way. Huge
 * entries that do not move whole are split to PTEs; destination tables
 * are allocated.
 */
static int prepare_move(struct vm_area_struct *vma, unsigned long old_addr,
			struct vm_area_struct *new_vma, unsigned long new_addr,
			unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;

	while (len) {
		unsigned long extent = pmd_extent(old_addr, new_addr, len);
		pmd_t *old_pmd = mm_find_pmd(mm, old_addr), *new_pmd;
		pmd_t e = old_pmd ? pmdp_get(old_pmd) : 0;

		if (pmd_none(e))
			goto next;
		if (pmd_is_huge(e) &&
		    !whole_pmd(old_addr, new_addr, extent)) {
			split_huge_pmd(vma, old_pmd, old_addr);
			e = pmdp_get(old_pmd);
			if (VM_WARN(pmd_is_huge(e),
				    "mremap: huge pmd at %#lx not split",
				    old_addr))
				return -EINVAL;
		}
		new_pmd = mm_alloc_pmd(new_vma->vm_mm, new_addr);
		if (!new_pmd)
			return -ENOMEM;
		if (!pmd_is_huge(e) &&
		    !pte_alloc(new_vma->vm_mm, new_pmd, new_addr))
			return -ENOMEM;
next:
		old_addr += extent;
		new_addr += extent;
		len -= extent;
	}
	return 0;
}

static void move_ptes(struct mm_struct *mm, pmd_t *old_pmd,
		      unsigned long old_addr, pmd_t *new_pmd,
		      unsigned long new_addr, unsigned long extent)
{
	pte_t *old_pte = pte_offset(old_pmd, old_addr);
	pte_t *new_pte = pte_offset(new_pmd, new_addr);

	if (VM_WARN(!old_pte || !new_pte, "mremap: no PTE table at %#lx",
		    new_addr))
		return;
	for (unsigned long n = extent >> PAGE_SHIFT; n; n--) {
		pte_t pte = ptep_get_and_clear(old_pte);

		if (!pte_none(pte)) {
			VM_WARN(!pte_none(ptep_get(new_pte)),
				"mremap: destination %#lx already mapped",
				new_addr);
			set_pte(new_pte, pte);
		}
		old_pte++;
		new_pte++;
		new_addr += PAGE_SIZE;
	}
}

int move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		     struct vm_area_struct *new_vma, unsigned long new_addr,
		     unsigned long len)
{
	struct mm_struct *mm = vma->vm_mm;
	int err;

	mmap_assert_write_locked(mm);
	if (VM_WARN(mm != new_vma->vm_mm, "mremap across mms"))
		return -EINVAL;
	err = prepare_move(vma, old_addr, new_vma, new_addr, len);
	if (err)
		return err;

	ptl_lock(mm);
	while (len) {
		unsigned long extent = pmd_extent(old_addr, new_addr, len);
		pmd_t *old_pmd = mm_find_pmd(mm, old_addr), *new_pmd;
		pmd_t e = old_pmd ? pmdp_get(old_pmd) : 0;

		if (pmd_none(e))
			goto next;
		new_pmd = mm_find_pmd(mm, new_addr);
		if (VM_WARN(!new_pmd, "mremap: no PMD at %#lx", new_addr))
			goto next;
		if (pmd_is_huge(e)) {
			/* prepare_move() made sure it moves whole */
			VM_WARN(!pmd_none(pmdp_get(new_pmd)),
				"mremap: destination pmd %#lx in use", new_addr);
			set_pmd(new_pmd, pmdp_get_and_clear(old_pmd));
		} else {
			move_ptes(mm, old_pmd, old_addr, new_pmd, new_addr,
				  extent);
		}
next:
		old_addr += extent;
		new_addr += extent;
		len -= extent;
	}
	ptl_unlock(mm);
	return 0;
}
