// SPDX-License-Identifier: GPL-2.0
/*
 * The VMA list of an address space and its operations: the mmap_lock,
 * lookup, linking, splitting. The calls that change an address space use
 * them from mmap.c (mmap, munmap, exit), mprotect.c, mremap.c and
 * madvise.c; the mm_struct and task life cycle is in fork.c.
 *
 * Model choices:
 *  - an mm's VMAs live on one list sorted by address (no maple tree);
 *    lookups are linear, which is plenty for tests and scenarios. A VMA
 *    whose flags mprotect or madvise changed merges with neighbours that
 *    became identical to it (the kernel's vma_modify_flags()); mmap and
 *    mremap do not merge;
 *  - every change to the VMA list or to a VMA's range happens with the
 *    mmap_lock held for write. Reverse-map walkers (migration) do not take
 *    the mmap_lock, so a linked VMA's range only changes while its
 *    anon_vma->lock and its file's i_mmap_rwsem are held (vma_rmap_lock);
 *  - a VMA being split is published empty first and then grown, so a
 *    walker never sees a page in two VMAs nor in none.
 * Lock order: mmap_lock -> anon_vma->lock / i_mmap_rwsem -> page_table_lock.
 */
#include <stdlib.h>
#include <string.h>

#include "api_check.h"
#include "vma.h"
#include "explain.h"

/* ---- mmap_lock ---- */

/*
 * The lock calls are where a caller first touches an mm it got from
 * task_mm(): a NULL or torn-down one is reported there, and not locked.
 * Each is a schedule point (before taking, after releasing) and, under an
 * explorer, waits with SCHED_BLOCK rather than in pthread (mm/lock.h).
 */
void mmap_read_lock(struct mm_struct *mm)
{
	if (!mm_usable(mm, "mmap_read_lock"))
		return;
	SCHED_POINT("lock");
	down_read(&mm->mmap_lock);
	atomic_fetch_add(&mm->mmap_lock_readers, 1);
}

void mmap_read_unlock(struct mm_struct *mm)
{
	if (!mm_usable(mm, "mmap_read_unlock"))
		return;
	VM_WARN(atomic_fetch_sub(&mm->mmap_lock_readers, 1) <= 0,
		"mmap_read_unlock without a reader");
	up_read(&mm->mmap_lock);
	SCHED_POINT("unlocked");
}

void mmap_write_lock(struct mm_struct *mm)
{
	if (!mm_usable(mm, "mmap_write_lock"))
		return;
	SCHED_POINT("lock");
	down_write(&mm->mmap_lock);
	atomic_store(&mm->mmap_lock_writer, 1);
}

void mmap_write_unlock(struct mm_struct *mm)
{
	if (!mm_usable(mm, "mmap_write_unlock"))
		return;
	VM_WARN(!atomic_exchange(&mm->mmap_lock_writer, 0),
		"mmap_write_unlock without the writer");
	up_write(&mm->mmap_lock);
	SCHED_POINT("unlocked");
}

/* Lockdep-lite: someone holds it; we cannot tell whether it is us. */
void mmap_assert_locked(struct mm_struct *mm)
{
	VM_WARN(!atomic_load(&mm->mmap_lock_readers) &&
		!atomic_load(&mm->mmap_lock_writer),
		"mmap_lock not held");
}

void mmap_assert_write_locked(struct mm_struct *mm)
{
	VM_WARN(!atomic_load(&mm->mmap_lock_writer),
		"mmap_lock not held for write");
}


/* ---- VMA list ---- */

struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma;

	list_for_each_entry(vma, &mm->mmap, vm_list)
		if (vma->vm_end > addr)
			return vma;
	return NULL;
}

struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	if (vma && vma->vm_start <= addr)
		return vma;
	return NULL;
}

struct vm_area_struct *vma_next(struct mm_struct *mm,
				struct vm_area_struct *vma)
{
	if (vma->vm_list.next == &mm->mmap)
		return NULL;
	return list_next_entry(vma, vm_list);
}

struct vm_area_struct *vma_prev(struct mm_struct *mm,
				struct vm_area_struct *vma)
{
	if (vma->vm_list.prev == &mm->mmap)
		return NULL;
	return list_prev_entry(vma, vm_list);
}

struct vm_area_struct *vm_area_alloc(struct mm_struct *mm)
{
	struct vm_area_struct *vma = calloc(1, sizeof(*vma));

	if (!vma)
		return NULL;
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->vm_list);
	INIT_LIST_HEAD(&vma->shared);
	INIT_LIST_HEAD(&vma->anon_node);
	return vma;
}

/*
 * A copy that is linked nowhere: no anon_vma (anon_vma_fork() makes it
 * join the original's) and no file reference (the caller takes one).
 */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig)
{
	struct vm_area_struct *vma = malloc(sizeof(*vma));

	if (!vma)
		return NULL;
	/*
	 * Field by field, not *vma = *orig: the list nodes of orig belong
	 * to lists other mms change under their own locks (a neighbour on
	 * the anon_vma or i_mmap list unlinking itself writes them), so
	 * they must not be read here; the copy gets fresh ones anyway.
	 */
	vma->vm_start = orig->vm_start;
	vma->vm_end = orig->vm_end;
	vm_flags_init(vma, orig->vm_flags);
	vma->vm_pgoff = orig->vm_pgoff;
	vma->vm_file = orig->vm_file;
	vma->vm_ops = orig->vm_ops;
	vma->vm_mm = orig->vm_mm;
	vma->place = orig->place;
	vma->anon_vma = NULL;
	INIT_LIST_HEAD(&vma->vm_list);
	INIT_LIST_HEAD(&vma->shared);
	INIT_LIST_HEAD(&vma->anon_node);
	return vma;
}

void vm_area_free(struct vm_area_struct *vma)
{
	free(vma);
}

void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct list_head *pos = &mm->mmap;
	struct vm_area_struct *cur;

	list_for_each_entry(cur, &mm->mmap, vm_list) {
		if (cur->vm_start > vma->vm_start) {
			pos = &cur->vm_list;
			break;
		}
	}
	list_add_tail(&vma->vm_list, pos);	/* before pos */
	mm->map_count++;
	if (vma->vm_file) {
		struct address_space *mapping = &vma->vm_file->f_mapping;

		down_write(&mapping->i_mmap_rwsem);
		list_add_tail(&vma->shared, &mapping->i_mmap);
		up_write(&mapping->i_mmap_rwsem);
	}
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	list_del_init(&vma->vm_list);
	mm->map_count--;
	if (vma->vm_file) {
		struct address_space *mapping = &vma->vm_file->f_mapping;

		down_write(&mapping->i_mmap_rwsem);
		list_del_init(&vma->shared);
		up_write(&mapping->i_mmap_rwsem);
	}
}

/* Excludes reverse-map walkers while a linked VMA's range changes. */
void vma_rmap_lock(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		down_write(&vma->vm_file->f_mapping.i_mmap_rwsem);
	if (vma->anon_vma)
		mutex_lock(&vma->anon_vma->lock);
}

void vma_rmap_unlock(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		mutex_unlock(&vma->anon_vma->lock);
	if (vma->vm_file)
		up_write(&vma->vm_file->f_mapping.i_mmap_rwsem);
}

/* Undoes a VMA's links: rmap, file; then frees it (remove_vma()). */
void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	vma_unlink(mm, vma);
	if (vma->anon_vma)
		unlink_anon_vmas(vma);
	if (vma->vm_file)
		fput(vma->vm_file);
	vm_area_free(vma);
}

/*
 * copy_vma(): a new VMA over [start, end) that maps what vma maps from src
 * on (the same file offset, the same anon index), sharing vma's anon_vma
 * family and file, and linked into the mm.
 */
struct vm_area_struct *copy_vma(struct vm_area_struct *vma,
				unsigned long src, unsigned long start,
				unsigned long end)
{
	struct vm_area_struct *new = vm_area_dup(vma);

	if (!new)
		return NULL;
	new->vm_start = start;
	new->vm_end = end;
	new->vm_pgoff = vma->vm_pgoff + ((src - vma->vm_start) >> PAGE_SHIFT);
	if (vma->anon_vma && anon_vma_fork(new, vma)) {
		vm_area_free(new);
		return NULL;
	}
	if (new->vm_file)
		get_file(new->vm_file);
	vma_link(vma->vm_mm, new);
	return new;
}

int split_vma(struct vm_area_struct *vma, unsigned long addr)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new;

	if (VM_WARN(addr <= vma->vm_start || addr >= vma->vm_end ||
		    !PAGE_ALIGNED(addr), "split_vma at %#lx outside [%#lx, %#lx)",
		    addr, vma->vm_start, vma->vm_end))
		return -EINVAL;
	/* hugetlb_vm_op_split(): a huge page cannot be cut. */
	if (is_vm_hugetlb_page(vma) && !IS_ALIGNED(addr, huge_page_size(vma)))
		return explain_vma_err(-EINVAL, vma, "hugetlb_vm_op_split",
				       "cut at %#lx inside a huge page", addr);
	if (mm->map_count >= MAX_MAP_COUNT)
		return explain_vma_err(-ENOMEM, vma, "__split_vma",
				       "map_count %d reached sysctl_max_map_count (%d)",
				       mm->map_count, MAX_MAP_COUNT);
	/* A PMD-mapped THP across the cut must become PTE-mapped first. */
	if (!is_vm_hugetlb_page(vma) && !IS_ALIGNED(addr, PMD_SIZE))
		split_huge_pmd_address(vma, addr);

	new = copy_vma(vma, addr, addr, addr);	/* empty until published */
	if (!new)
		return -ENOMEM;

	vma_rmap_lock(vma);
	new->vm_end = vma->vm_end;
	vma->vm_end = addr;
	vma_rmap_unlock(vma);
	return 0;
}

/*
 * Makes VMA boundaries at start and end (either may be a no-op) and returns
 * the VMA that now begins at start, or an ERR-style NULL with *err set.
 */
struct vm_area_struct *split_range(struct vm_area_struct *vma,
				   unsigned long start,
				   unsigned long end, int *err)
{
	struct mm_struct *mm = vma->vm_mm;

	*err = 0;
	if (start > vma->vm_start) {
		*err = split_vma(vma, start);
		if (*err)
			return NULL;
		vma = vma_next(mm, vma);
	}
	if (end < vma->vm_end) {
		*err = split_vma(vma, end);
		if (*err)
			return NULL;
	}
	return vma;
}


/* ---- merging ---- */

/*
 * Could a and b (a just below b) be one VMA? Same flags, file, operations
 * and anon_vma, and b's offset continues a's: then nothing but the cut
 * tells them apart. (The kernel also merges a VMA without an anon_vma
 * into one that has it; the model's split pieces always share theirs.)
 */
static bool vma_can_merge(const struct vm_area_struct *a,
			  const struct vm_area_struct *b)
{
	/* VM_SPECIAL: a driver's mapping is never merged */
	if (a->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP | VM_DONTEXPAND))
		return false;
	return a->vm_end == b->vm_start && a->vm_flags == b->vm_flags &&
	       a->vm_file == b->vm_file && a->vm_ops == b->vm_ops &&
	       a->anon_vma == b->anon_vma && a->place == b->place &&
	       a->vm_pgoff + ((a->vm_end - a->vm_start) >> PAGE_SHIFT) ==
	       b->vm_pgoff;
}

/*
 * b's range goes to a. Under the rmap lock (one for both: they share file
 * and anon_vma) a grows over b and b becomes empty, so a walker sees each
 * page in exactly one of them; the empty b is then freed.
 */
static void vma_absorb(struct mm_struct *mm, struct vm_area_struct *a,
		       struct vm_area_struct *b)
{
	vma_rmap_lock(a);
	a->vm_end = b->vm_end;
	b->vm_start = b->vm_end;
	vma_rmap_unlock(a);
	remove_vma(mm, b);
}

struct vm_area_struct *vma_merge_neighbours(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev = vma_prev(mm, vma);
	struct vm_area_struct *next = vma_next(mm, vma);

	mmap_assert_write_locked(mm);
	if (next && vma_can_merge(vma, next))
		vma_absorb(mm, vma, next);
	if (prev && vma_can_merge(prev, vma)) {
		vma_absorb(mm, prev, vma);
		vma = prev;
	}
	return vma;
}

/* ---- the calls a test or a backend makes (they take the lock) ---- */

struct mm_struct *task_mm_checked(struct task_struct *task)
{
	if (VM_WARN_MISUSE(!task, "address-space call without a task"))
		return NULL;
	if (VM_WARN_MISUSE(task_is_dead(task),
			   "address-space call on task %p, which has exited",
			   (void *)task))
		return NULL;
	if (VM_WARN(!task->mm, "address-space call on a task without an mm"))
		return NULL;
	return task->mm;
}
