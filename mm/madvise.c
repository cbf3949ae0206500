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
		/* whole huge pages only: the start must be aligned */
		if (!IS_ALIGNED(start, PMD_SIZE))
			return explain_vma_err(-EINVAL, vma,
					       "madvise_dontneed_free_valid_vma",
					       "MADV_DONTNEED on hugetlb at %#lx, not huge-page aligned",
					       start);
		end = min(ALIGN_UP(end, PMD_SIZE), vma->vm_end);
	}
	zap_page_range_single(vma, start, end);
	return 0;
}

static int madvise_populate(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, bool write)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EINVAL;
	if (!(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return -EINVAL;
	return populate_vma_range(vma, start, end, write);
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
		return vma_is_anonymous(vma) ? 0 : -EINVAL;
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
			return -EINVAL;
		return madvise_update_flags(vma, start, end, 0, VM_DONTCOPY);
	case MADV_WIPEONFORK:
		if (vma->vm_file || (vma->vm_flags & VM_SHARED))
			return -EINVAL;
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
	if (!madvise_behavior_valid(advice))
		return -EINVAL;
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (len && end <= start)
		return -EINVAL;
	if (end == start)
		return 0;

	/* madvise_walk_vmas(): do the mapped parts, report the holes. */
	vma = find_vma(mm, start);
	for (;;) {
		unsigned long tmp;

		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
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
