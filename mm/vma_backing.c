// SPDX-License-Identifier: GPL-2.0
/*
 * What backs a VMA, for the modelled callers that looked at the VMAs of
 * a range themselves in older releases (io_uring refused file-backed
 * buffers by their vm_file until 6.5; see gupsim/machine.h).
 */
#include "internal.h"

enum vma_backing vma_backing(struct mm_struct *mm, unsigned long addr,
			     unsigned long *vm_end)
{
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, addr);
	if (!vma)
		return VMA_BACKING_NONE;
	if (vm_end)
		*vm_end = vma->vm_end;
	if (!vma->vm_file)
		return VMA_BACKING_ANON;
	switch (vma->vm_file->fs) {
	case FS_HUGETLBFS:
		return VMA_BACKING_HUGETLBFS;
	case FS_TMPFS:
		return VMA_BACKING_SHMEM;
	case FS_DAX:
		return VMA_BACKING_DAX;
	default:
		return VMA_BACKING_FILE;
	}
}

const void *vma_file_identity(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	mmap_assert_locked(mm);
	vma = vma_lookup(mm, addr);
	return vma ? (const void *)vma->vm_file : NULL;
}
