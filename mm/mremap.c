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
#include "vma.h"
#include "explain.h"
#include "../lib/sched_point.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

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
		if (!new_pmd || (!pmd_is_huge(e) &&
				 !pte_alloc(new_vma->vm_mm, new_pmd, new_addr)))
			return explain_err(-ENOMEM, "move_page_tables",
					   "no memory for a page table at %#lx",
					   new_addr);
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

		SCHED_POINT("old pte cleared");
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
			SCHED_POINT("pmd moved");
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

/* ---- mremap ---- */

/*
 * Moves [old_addr, old_addr + old_len) of vma to new_addr with new_len
 * (>= old_len): a new VMA with the same pgoff (anon rmap indexes stay
 * valid), the entries moved under the ptl, then the old range unmapped
 * (nothing left to zap there) unless MREMAP_DONTUNMAP.
 */
static long move_vma(struct vm_area_struct *vma, unsigned long old_addr,
		     unsigned long old_len, unsigned long new_len,
		     unsigned long new_addr, unsigned long flags)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new_vma;
	int err;

	if (mm->map_count >= MAX_MAP_COUNT - 3)
		return explain_vma_err(-ENOMEM, vma, "move_vma",
				       "map_count %d leaves no room below sysctl_max_map_count (%d)",
				       mm->map_count, MAX_MAP_COUNT);
	new_vma = copy_vma(vma, old_addr, new_addr, new_addr + new_len);
	if (!new_vma)
		return explain_err(-ENOMEM, "copy_vma",
				   "no memory for the VMA at %#lx", new_addr);
	/* VM_LOCKED: unmapping either range uncharges it; charge the new */
	vma_locked_vm_add(new_vma, (long)(new_len >> PAGE_SHIFT));

	/* Walkers must not see a page in neither VMA while it moves. */
	vma_rmap_lock(vma);
	err = move_page_tables(vma, old_addr, new_vma, new_addr, old_len);
	vma_rmap_unlock(vma);
	if (err) {
		unmap_region(mm, new_addr, new_addr + new_len);
		return err;
	}
	if (!(flags & MREMAP_DONTUNMAP))
		do_munmap(mm, old_addr, old_len);
	return new_addr;
}

/*
 * mremap_to(): MREMAP_FIXED, the range moves to new_addr, whatever was
 * mapped there is unmapped first (and a shrinking range's tail too).
 */
static long mremap_to(struct vm_area_struct *vma, unsigned long addr,
		      unsigned long old_len, unsigned long new_len,
		      unsigned long flags, unsigned long new_addr)
{
	struct mm_struct *mm = vma->vm_mm;
	long ret;

	if (!IS_ALIGNED(new_addr, is_vm_hugetlb_page(vma) ?
			huge_page_size(vma) : PAGE_SIZE))
		return explain_vma_err(-EINVAL, vma, "mremap_to",
				       "new address %#lx is not %s aligned",
				       new_addr, is_vm_hugetlb_page(vma) ?
				       "huge-page" : "page");
	if (new_addr > TASK_SIZE - new_len || new_addr < MMAP_MIN_ADDR)
		return explain_err(-EINVAL, "mremap_to",
				   "[%#lx, +%#lx) is outside the user address space",
				   new_addr, new_len);
	if (new_addr < addr + old_len && addr < new_addr + new_len)
		return explain_err(-EINVAL, "mremap_to",
				   "the new range [%#lx, %#lx) overlaps the old [%#lx, %#lx)",
				   new_addr, new_addr + new_len, addr,
				   addr + old_len);
	ret = do_munmap(mm, new_addr, new_len);
	if (ret)
		return ret;
	if (old_len > new_len) {
		ret = do_munmap(mm, addr + new_len, old_len - new_len);
		if (ret)
			return ret;
		old_len = new_len;
	}
	/* the unmaps may have split or freed it */
	vma = vma_lookup(mm, addr);
	if (!vma || addr + old_len > vma->vm_end)
		return explain_err(-EFAULT, "mremap_to",
				   "after the unmaps, [%#lx, %#lx) is no longer one VMA",
				   addr, addr + old_len);
	return move_vma(vma, addr, old_len, new_len, new_addr, flags);
}

/*
 * check_mremap_params(): the checks that need no VMA. old_len and new_len
 * come page aligned. (old_len 0 duplicates a shared mapping: not
 * modelled, refused as the model's own limit.)
 */
static int check_mremap_params(unsigned long addr, unsigned long old_len,
			       unsigned long new_len, unsigned long flags)
{
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return explain_err(-EINVAL, "check_mremap_params",
				   "unknown flags %#lx", flags);
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
	    !(flags & MREMAP_MAYMOVE))
		return explain_err(-EINVAL, "check_mremap_params",
				   "MREMAP_FIXED or MREMAP_DONTUNMAP without MREMAP_MAYMOVE");
	if (!PAGE_ALIGNED(addr))
		return explain_err(-EINVAL, "check_mremap_params",
				   "old address %#lx is not page aligned", addr);
	if (!new_len)
		return explain_err(-EINVAL, "check_mremap_params",
				   "new length 0");
	if (!old_len)
		return explain_err(-EINVAL, "do_mremap",
				   "old length 0 (duplicating a shared mapping) is not modelled");
	if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
		return explain_err(-EINVAL, "check_mremap_params",
				   "MREMAP_DONTUNMAP may not resize (%#lx to %#lx)",
				   old_len, new_len);
	if (addr > TASK_SIZE - old_len)
		return explain_err(-EINVAL, "check_mremap_params",
				   "[%#lx, +%#lx) goes past TASK_SIZE", addr,
				   old_len);
	return 0;
}

/* vma_to_resize(): may [addr, addr + old_len) of the VMA there change? */
static int vma_to_resize(struct vm_area_struct *vma, unsigned long addr,
			 unsigned long old_len, unsigned long new_len,
			 unsigned long flags)
{
	if (!vma || addr + old_len > vma->vm_end)
		return explain_err(-EFAULT, "vma_to_resize",
				   "[%#lx, %#lx) is not inside one VMA", addr,
				   addr + old_len);
	/* hugetlb: same size, whole huge pages, moves only */
	if (is_vm_hugetlb_page(vma) &&
	    (old_len != new_len ||
	     !IS_ALIGNED(addr | old_len, huge_page_size(vma))))
		return explain_vma_err(-EINVAL, vma, "do_mremap",
				       "hugetlb ranges move whole huge pages and keep their size");
	/* model: its page-table moves are PMD-level ones */
	if (is_vm_hugetlb_page(vma) && huge_page_size(vma) == PUD_SIZE)
		return explain_vma_err(-EINVAL, vma, "do_mremap",
				       "the model does not move 1 GiB hugetlb mappings");
	if (new_len > old_len && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return explain_vma_err(-EFAULT, vma, "vma_to_resize",
				       "a VM_DONTEXPAND or VM_PFNMAP VMA may not grow");
	if ((flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return explain_vma_err(-EINVAL, vma, "vma_to_resize",
				       "MREMAP_DONTUNMAP of a VM_DONTEXPAND or VM_PFNMAP VMA");
	return 0;
}

long do_mremap(struct mm_struct *mm, unsigned long addr,
	       unsigned long old_len, unsigned long new_len,
	       unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	unsigned long align;
	long ret;

	mmap_assert_write_locked(mm);
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	ret = check_mremap_params(addr, old_len, new_len, flags);
	if (ret)
		return ret;
	vma = vma_lookup(mm, addr);
	ret = vma_to_resize(vma, addr, old_len, new_len, flags);
	if (ret)
		return ret;

	if (flags & MREMAP_FIXED)
		return mremap_to(vma, addr, old_len, new_len, flags, new_addr);

	if (old_len >= new_len && !(flags & MREMAP_DONTUNMAP)) {
		if (old_len > new_len) {
			ret = do_munmap(mm, addr + new_len, old_len - new_len);
			if (ret)
				return ret;
		}
		return addr;
	}

	/* Grow in place when the range ends the VMA and room follows. */
	if (!(flags & MREMAP_DONTUNMAP) && addr + old_len == vma->vm_end &&
	    vma->vm_end <= TASK_SIZE - (new_len - old_len) &&
	    range_is_free(mm, vma->vm_end, new_len - old_len)) {
		vma_rmap_lock(vma);
		vma->vm_end = addr + new_len;
		vma_rmap_unlock(vma);
		vma_locked_vm_add(vma, (long)((new_len - old_len) >> PAGE_SHIFT));
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return explain_vma_err(-ENOMEM, vma, "do_mremap",
				       "no room to grow [%#lx, %#lx) in place, and no MREMAP_MAYMOVE",
				       addr, addr + old_len);
	align = (new_len >= PMD_SIZE || is_vm_hugetlb_page(vma)) ?
		PMD_SIZE : PAGE_SIZE;
	if (is_vm_hugetlb_page(vma))
		align = huge_page_size(vma);
	ret = get_unmapped_area(mm, 0, new_len, align);
	if (ret < 0)
		return ret;
	return move_vma(vma, addr, old_len, new_len, ret, flags);
}


long vm_mremap(struct task_struct *task, unsigned long addr,
	       unsigned long old_len, unsigned long new_len,
	       unsigned long flags, unsigned long new_addr)
{
	struct mm_struct *mm = task_mm_checked(task);
	long ret;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_mremap(mm, addr, old_len, new_len, flags, new_addr);
	mmap_write_unlock(mm);
	return ret;
}

