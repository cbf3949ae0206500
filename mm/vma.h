/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMA operations shared by the files that change an address space
 * (vma.c, mmap.c, mprotect.c, mremap.c, madvise.c), as the kernel's
 * mm/vma.h. Every call here expects the mmap_lock held for write unless it
 * says otherwise.
 */
#ifndef GUPSIM_MM_VMA_H
#define GUPSIM_MM_VMA_H

#include "internal.h"

/* vm.max_map_count and vm.mmap_min_addr, at their usual defaults. */
#define MAX_MAP_COUNT		65530
#define MMAP_MIN_ADDR		0x10000UL

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT		21
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

/* vma.c: neighbours on the address-sorted list (NULL at either end). */
struct vm_area_struct *vma_next(struct mm_struct *mm,
				struct vm_area_struct *vma);
struct vm_area_struct *vma_prev(struct mm_struct *mm,
				struct vm_area_struct *vma);
/* Excludes reverse-map walkers while a linked VMA's range changes. */
void vma_rmap_lock(struct vm_area_struct *vma);
void vma_rmap_unlock(struct vm_area_struct *vma);
/* Unlinks a VMA (rmap, file, mm list) and frees it. */
void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma);
/* A linked VMA over [start, end) mapping what vma maps from src (mremap). */
struct vm_area_struct *copy_vma(struct vm_area_struct *vma,
				unsigned long src, unsigned long start,
				unsigned long end);
/* VMA boundaries at start and end; the VMA now starting at start, or NULL
 * with *err set. */
struct vm_area_struct *split_range(struct vm_area_struct *vma,
				   unsigned long start, unsigned long end,
				   int *err);
/*
 * After a change of vma's flags: joins it with the neighbours it can no
 * longer be told apart from, and returns the VMA that now holds its range.
 */
struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *vma);
/* The task's mm, or NULL with a warning (no task, or one without an mm). */
struct mm_struct *task_mm_checked(struct task_struct *task);

/* mmap.c */
unsigned long calc_vm_prot_bits(unsigned long prot);
bool range_is_free(struct mm_struct *mm, unsigned long addr,
		   unsigned long len);
/* A free range of len bytes aligned to align (a power of two), or -ENOMEM. */
long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
		       unsigned long len, unsigned long align);
/* Removes every VMA inside [start, end) (the caller split at both ends). */
void unmap_region(struct mm_struct *mm, unsigned long start,
		  unsigned long end);
/* Faults [start, end) of vma in (mmap_lock held, read is enough). */
int populate_vma_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, bool write);

#endif /* GUPSIM_MM_VMA_H */
