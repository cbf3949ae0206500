// SPDX-License-Identifier: GPL-2.0
/*
 * madvise(2): advice that changes VMAs (flags, splits) and advice that
 * works on the page tables only (MADV_DONTNEED, MADV_POPULATE_*).
 */
#include "vma.h"
#include "explain.h"

/* ---- madvise ---- */

static bool madvise_behavior_valid(int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_DONTFORK:
	case MADV_DOFORK:
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_PAGEOUT:
		return true;
	case MADV_COLLAPSE:
		return kernel_has(MADV_COLLAPSE);
	default:
		return false;
	}
}

static int madvise_dontneed(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
		return explain_vma_err(-EINVAL, vma, "madvise_dontneed_free_valid_vma",
				       "MADV_DONTNEED on a VM_LOCKED or VM_PFNMAP VMA");
	if (is_vm_hugetlb_page(vma)) {
		unsigned long hsize = huge_page_size(vma);

		/* whole huge pages only: the start must be aligned */
		if (!IS_ALIGNED(start, hsize))
			return explain_vma_err(-EINVAL, vma,
					       "madvise_dontneed_free_valid_vma",
					       "MADV_DONTNEED on hugetlb at %#lx, not huge-page aligned",
					       start);
		end = min(ALIGN_UP(end, hsize), vma->vm_end);
	}
	zap_page_range_single(vma, start, end);
	return 0;
}

static int madvise_populate(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, bool write)
{
	const char *advice = write ? "MADV_POPULATE_WRITE" :
				     "MADV_POPULATE_READ";
	int ret;

	/* check_vma_flags()'s refusals become -EINVAL here, not -EFAULT */
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return explain_vma_err(-EINVAL, vma, "faultin_vma_page_range",
				       "check_vma_flags() refuses %s on a VM_IO|VM_PFNMAP VMA",
				       advice);
	if (!(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return explain_vma_err(-EINVAL, vma, "faultin_vma_page_range",
				       "check_vma_flags() refuses %s on a VMA without %s",
				       advice, write ? "VM_WRITE" : "VM_READ");
	ret = populate_vma_range(vma, start, end, write);
	if (ret)
		explain_vma_err(ret, vma, "madvise_populate",
				"a fault in [%#lx, %#lx) failed", start, end);
	return ret;
}

/* Advice that changes vm_flags of [start, end): split, then set. */
static int madvise_update_flags(struct vm_area_struct *vma,
				unsigned long start, unsigned long end,
				unsigned long set, unsigned long clear)
{
	unsigned long newflags = (vma->vm_flags & ~clear) | set;
	int err;

	/* madvise_need_mmap_write() must have said so for this advice */
	mmap_assert_write_locked(vma->vm_mm);
	if (newflags == vma->vm_flags)
		return 0;
	vma = split_range(vma, start, end, &err);
	if (!vma)
		return err;
	vm_flags_reset(vma, newflags);
	vma_merge_neighbours(vma);
	return 0;
}

static int madvise_vma(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, int advice)
{
	switch (advice) {
	case MADV_DONTNEED:
		return madvise_dontneed(vma, start, end);
	case MADV_FREE:
		/* lazy free: keeping the data is always allowed */
		if (vma_is_anonymous(vma))
			return 0;
		return explain_vma_err(-EINVAL, vma, "madvise_free_single_vma",
				       "MADV_FREE on a VMA that is not anonymous");
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
		return madvise_populate(vma, start, end,
					advice == MADV_POPULATE_WRITE);
	case MADV_DONTFORK:
		return madvise_update_flags(vma, start, end, VM_DONTCOPY, 0);
	case MADV_DOFORK:
		/*
		 * Only the way back is refused for VM_IO: a driver may have
		 * set VM_DONTCOPY on its I/O mapping for a reason, and user
		 * space must not undo it; hiding one from a child is fine.
		 */
		if (vma->vm_flags & VM_IO)
			return explain_vma_err(-EINVAL, vma, "madvise_vma_behavior",
					       "MADV_DOFORK on a VM_IO VMA: the driver's VM_DONTCOPY stays");
		return madvise_update_flags(vma, start, end, 0, VM_DONTCOPY);
	case MADV_WIPEONFORK:
		if (vma->vm_file || (vma->vm_flags & VM_SHARED))
			return explain_vma_err(-EINVAL, vma, "madvise_vma_behavior",
					       "MADV_WIPEONFORK on a file-backed or shared VMA");
		return madvise_update_flags(vma, start, end, VM_WIPEONFORK, 0);
	case MADV_KEEPONFORK:
		return madvise_update_flags(vma, start, end, 0, VM_WIPEONFORK);
	case MADV_HUGEPAGE:
		return madvise_update_flags(vma, start, end, VM_HUGEPAGE,
					    VM_NOHUGEPAGE);
	case MADV_NOHUGEPAGE:
		return madvise_update_flags(vma, start, end, VM_NOHUGEPAGE,
					    VM_HUGEPAGE);
	case MADV_COLLAPSE:
		return madvise_collapse(vma, start, end);
	case MADV_PAGEOUT:
		return madvise_pageout(vma, start, end);
	default:
		return 0;	/* hints the model has nothing to do for */
	}
}

int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
	       int advice)
{
	struct vm_area_struct *vma;
	unsigned long end;
	int unmapped_error = 0, err;

	mmap_assert_locked(mm);
	if (!madvise_behavior_valid(advice)) {
		if (advice == MADV_COLLAPSE)
			return explain_err_until(-EINVAL, "MADV_COLLAPSE",
						 "madvise_behavior_valid",
						 "MADV_COLLAPSE is advice this release does not know");
		return explain_err(-EINVAL, "madvise_behavior_valid",
				   "advice %d is not one the kernel knows", advice);
	}
	if (!PAGE_ALIGNED(start))
		return explain_err(-EINVAL, "do_madvise",
				   "start %#lx is not page aligned", start);
	end = start + PAGE_ALIGN(len);
	if (len && end <= start)
		return explain_err(-EINVAL, "do_madvise",
				   "start %#lx + len %#lx wraps around", start, len);
	if (end == start)
		return 0;

	/* madvise_walk_vmas(): do the mapped parts, report the holes. */
	vma = find_vma(mm, start);
	for (;;) {
		unsigned long tmp;

		if (!vma)
			return explain_err(-ENOMEM, "madvise_walk_vmas",
					   "nothing mapped in [%#lx, %#lx)",
					   start, end);
		if (start < vma->vm_start) {
			unmapped_error = explain_err(-ENOMEM, "madvise_walk_vmas",
				"hole [%#lx, %#lx) in the range: the mapped parts are advised, the call answers",
				start, min(vma->vm_start, end));
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(vma->vm_end, end);
		err = madvise_vma(vma, start, tmp, advice);
		if (err)
			return err;
		start = tmp;
		if (start >= end)
			break;
		vma = find_vma(mm, start);
	}
	return unmapped_error;
}


/*
 * Advice that changes VMAs (splits them, sets vm_flags) needs the mmap_lock
 * for write; the rest only walks the VMAs and works on the page tables
 * under the ptl, so it takes it for read and faults and GUP go on
 * meanwhile (the kernel's get_lock_mode(); where that takes only the VMA
 * lock, for MADV_DONTNEED and MADV_FREE, the model, which has no per-VMA
 * locks, takes the mmap read lock). Unknown advice gets the write lock,
 * to be safe, and -EINVAL from do_madvise().
 */
static bool madvise_need_mmap_write(int advice)
{
	switch (advice) {
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_PAGEOUT:
		return false;
	default:
		return true;
	}
}

int vm_madvise(struct task_struct *task, unsigned long start, size_t len,
	       int advice)
{
	struct mm_struct *mm = task_mm_checked(task);
	bool write = madvise_need_mmap_write(advice);
	int ret;

	if (!mm)
		return -EINVAL;
	if (write)
		mmap_write_lock(mm);
	else
		mmap_read_lock(mm);
	ret = do_madvise(mm, start, len, advice);
	if (write)
		mmap_write_unlock(mm);
	else
		mmap_read_unlock(mm);
	return ret;
}

int vm_populate(struct task_struct *task, unsigned long start, size_t len,
		bool write)
{
	return vm_madvise(task, start, len,
			  write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}
