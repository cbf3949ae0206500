// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks, address spaces and VMAs: mm_struct life cycle, the mmap_lock,
 * and mmap / munmap / mprotect / mremap / madvise.
 *
 * Model choices:
 *  - an mm's VMAs live on one list sorted by address (no maple tree, no
 *    merging); lookups are linear, which is plenty for tests and scenarios;
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

#include "internal.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE		1
#define MREMAP_FIXED		2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif

/* vm.max_map_count and vm.mmap_min_addr, at their usual defaults. */
#define MAX_MAP_COUNT		65530
#define MMAP_MIN_ADDR		0x10000UL
#define MMAP_BASE		0x7f0000000000UL

__thread struct task_struct *current;

/* ---- mmap_lock ---- */

void mmap_read_lock(struct mm_struct *mm)
{
	pthread_rwlock_rdlock(&mm->mmap_lock);
	atomic_fetch_add(&mm->mmap_lock_readers, 1);
}

void mmap_read_unlock(struct mm_struct *mm)
{
	VM_WARN(atomic_fetch_sub(&mm->mmap_lock_readers, 1) <= 0,
		"mmap_read_unlock without a reader");
	pthread_rwlock_unlock(&mm->mmap_lock);
}

void mmap_write_lock(struct mm_struct *mm)
{
	pthread_rwlock_wrlock(&mm->mmap_lock);
	atomic_store(&mm->mmap_lock_writer, 1);
}

void mmap_write_unlock(struct mm_struct *mm)
{
	VM_WARN(!atomic_exchange(&mm->mmap_lock_writer, 0),
		"mmap_write_unlock without the writer");
	pthread_rwlock_unlock(&mm->mmap_lock);
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

/* ---- mm_struct ---- */

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));
	pthread_rwlockattr_t attr;

	if (!mm)
		return NULL;
	if (pgd_alloc(mm)) {
		free(mm);
		return NULL;
	}
	/*
	 * The kernel's rwsem lets a waiting writer block new readers; glibc
	 * prefers readers by default and would starve munmap under a storm
	 * of GUP callers. Like the rwsem, it must not be read-locked twice.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&mm->mmap_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&mm->page_table_lock, NULL);
	INIT_LIST_HEAD(&mm->mmap);
	mm->mmap_base = MMAP_BASE;
	atomic_init(&mm->mm_users, 1);
	pthread_mutex_lock(&machine->lists_lock);
	list_add_tail(&mm->mm_list, &machine->mms);
	pthread_mutex_unlock(&machine->lists_lock);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->mm_users, 1);
}

void mmput(struct mm_struct *mm)
{
	int old;

	if (!mm)
		return;
	old = atomic_fetch_sub(&mm->mm_users, 1);
	if (VM_WARN(old <= 0, "mmput: mm_users was %d", old))
		return;
	if (old > 1)
		return;
	exit_mmap(mm);
	pthread_mutex_lock(&machine->lists_lock);
	list_del(&mm->mm_list);
	pthread_mutex_unlock(&machine->lists_lock);
	pthread_rwlock_destroy(&mm->mmap_lock);
	pthread_mutex_destroy(&mm->page_table_lock);
	free(mm);
}

/* ---- tasks ---- */

struct task_struct *task_alloc(const char *comm, struct mm_struct *mm)
{
	struct task_struct *task = calloc(1, sizeof(*task));

	if (!task)
		return NULL;
	snprintf(task->comm, sizeof(task->comm), "%s", comm ? comm : "");
	task->mm = mm;
	task->rlimit_memlock = RLIM_INFINITY;
	INIT_LIST_HEAD(&task->tasks);
	pthread_mutex_lock(&machine->lists_lock);
	task->pid = ++machine->next_pid;
	pthread_mutex_unlock(&machine->lists_lock);
	if (mm && !mm->owner)
		mm->owner = task;
	return task;
}

struct task_struct *task_create(const char *comm, unsigned long memlock,
				bool cap_ipc_lock)
{
	struct task_struct *task;
	struct mm_struct *mm;

	if (VM_WARN(!machine, "task_create without a machine"))
		return NULL;
	mm = mm_alloc();
	if (!mm)
		return NULL;
	task = task_alloc(comm, mm);
	if (!task)
		goto out_mm;
	/* Each task is its own user: charges to one never limit another. */
	task->user = alloc_uid(1000 + task->pid);
	if (!task->user)
		goto out_task;
	task->rlimit_memlock = memlock;
	task->cap_ipc_lock = cap_ipc_lock;
	pthread_mutex_lock(&machine->lists_lock);
	list_add_tail(&task->tasks, &machine->tasks);
	pthread_mutex_unlock(&machine->lists_lock);
	return task;
out_task:
	free(task);
out_mm:
	mmput(mm);
	return NULL;
}

void task_exit(struct task_struct *task)
{
	struct mm_struct *mm;

	if (!task)
		return;
	pthread_mutex_lock(&machine->lists_lock);
	list_del_init(&task->tasks);
	pthread_mutex_unlock(&machine->lists_lock);
	task->flags |= PF_EXITING;
	mm = task->mm;
	if (mm && mm->owner == task)
		mm->owner = NULL;
	task->mm = NULL;
	mmput(mm);
	free_uid(task->user);
	if (current == task)
		current = NULL;
	free(task);
}

struct mm_struct *task_mm(struct task_struct *task)
{
	return task ? task->mm : NULL;
}

const char *task_comm(const struct task_struct *task)
{
	return task ? task->comm : "";
}

void exit_all_tasks(void)
{
	for (;;) {
		struct task_struct *task = NULL;

		pthread_mutex_lock(&machine->lists_lock);
		if (!list_empty(&machine->tasks))
			task = list_first_entry(&machine->tasks,
						struct task_struct, tasks);
		pthread_mutex_unlock(&machine->lists_lock);
		if (!task)
			break;
		task_exit(task);
	}
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

static struct vm_area_struct *vma_next(struct mm_struct *mm,
				       struct vm_area_struct *vma)
{
	if (vma->vm_list.next == &mm->mmap)
		return NULL;
	return list_next_entry(vma, vm_list);
}

static struct vm_area_struct *vma_prev(struct mm_struct *mm,
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
	*vma = *orig;
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

		pthread_rwlock_wrlock(&mapping->i_mmap_rwsem);
		list_add_tail(&vma->shared, &mapping->i_mmap);
		pthread_rwlock_unlock(&mapping->i_mmap_rwsem);
	}
}

void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	list_del_init(&vma->vm_list);
	mm->map_count--;
	if (vma->vm_file) {
		struct address_space *mapping = &vma->vm_file->f_mapping;

		pthread_rwlock_wrlock(&mapping->i_mmap_rwsem);
		list_del_init(&vma->shared);
		pthread_rwlock_unlock(&mapping->i_mmap_rwsem);
	}
}

/* Excludes reverse-map walkers while a linked VMA's range changes. */
static void vma_rmap_lock(struct vm_area_struct *vma)
{
	if (vma->vm_file)
		pthread_rwlock_wrlock(&vma->vm_file->f_mapping.i_mmap_rwsem);
	if (vma->anon_vma)
		pthread_mutex_lock(&vma->anon_vma->lock);
}

static void vma_rmap_unlock(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		pthread_mutex_unlock(&vma->anon_vma->lock);
	if (vma->vm_file)
		pthread_rwlock_unlock(&vma->vm_file->f_mapping.i_mmap_rwsem);
}

/* Undoes a VMA's links: rmap, file; then frees it (remove_vma()). */
static void remove_vma(struct mm_struct *mm, struct vm_area_struct *vma)
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
static struct vm_area_struct *copy_vma(struct vm_area_struct *vma,
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
	if (is_vm_hugetlb_page(vma) && !IS_ALIGNED(addr, PMD_SIZE))
		return -EINVAL;
	if (mm->map_count >= MAX_MAP_COUNT)
		return -ENOMEM;
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
static struct vm_area_struct *split_range(struct vm_area_struct *vma,
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

/* ---- page population ---- */

/* Is addr mapped the way a fault would leave it (writable if write)? */
static bool addr_populated(struct mm_struct *mm, unsigned long addr,
			   bool write, bool *huge)
{
	pmd_t *pmd = mm_find_pmd(mm, addr);
	pte_t *pte, e;

	*huge = false;
	if (!pmd)
		return false;
	e = pmdp_get(pmd);
	if (pmd_leaf(e)) {
		*huge = true;
		return !pmd_protnone(e) && (!write || pmd_write(e));
	}
	pte = pte_offset(pmd, addr);
	if (!pte)
		return false;
	e = ptep_get(pte);
	return pte_present(e) && !pte_protnone(e) && (!write || pte_write(e));
}

static int fault_to_errno(vm_fault_t ret)
{
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON))
		return -EFAULT;
	return 0;
}

/*
 * populate_vma_page_range(): faults every page of [start, end) in. Private
 * writable mappings get write faults (COW is broken now, not later), all
 * others read faults. Caller holds the mmap_lock.
 */
static int populate_vma_range(struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, bool write)
{
	unsigned long addr = start;

	while (addr < end) {
		bool huge;
		vm_fault_t ret;

		if (!addr_populated(vma->vm_mm, addr, write, &huge)) {
			ret = handle_mm_fault(vma, addr,
					      write ? FAULT_FLAG_WRITE : 0);
			if (ret & VM_FAULT_ERROR)
				return fault_to_errno(ret);
			addr_populated(vma->vm_mm, addr, write, &huge);
		}
		addr = huge ? ALIGN_DOWN(addr, PMD_SIZE) + PMD_SIZE
			    : addr + PAGE_SIZE;
	}
	return 0;
}

/* MAP_POPULATE: errors are ignored, as mm_populate() does. */
static void mm_populate(struct mm_struct *mm, unsigned long start,
			unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = vma_next(mm, vma)) {
		bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) ==
			     VM_WRITE;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (!(vma->vm_flags & VM_ACCESS_FLAGS))
			continue;
		populate_vma_range(vma, max(start, vma->vm_start),
				   min(end, vma->vm_end), write);
	}
}

/* ---- mmap ---- */

static unsigned long calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

static bool range_is_free(struct mm_struct *mm, unsigned long addr,
			  unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return !vma || vma->vm_start >= addr + len;
}

/*
 * Top-down first fit below mmap_base (the kernel's
 * arch_get_unmapped_area_topdown), align a power of two.
 */
static long unmapped_area_topdown(struct mm_struct *mm, unsigned long len,
				  unsigned long align)
{
	unsigned long high = mm->mmap_base;
	struct vm_area_struct *vma;

	list_for_each_entry_reverse(vma, &mm->mmap, vm_list) {
		if (vma->vm_start >= high)
			continue;
		if (vma->vm_end < high && high - vma->vm_end >= len) {
			unsigned long cand = ALIGN_DOWN(high - len, align);

			if (cand >= vma->vm_end && cand >= MMAP_MIN_ADDR)
				return cand;
		}
		high = vma->vm_start;
	}
	if (high >= MMAP_MIN_ADDR + len) {
		unsigned long cand = ALIGN_DOWN(high - len, align);

		if (cand >= MMAP_MIN_ADDR)
			return cand;
	}
	return -ENOMEM;
}

static long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
			      unsigned long len, unsigned long align)
{
	if (len > TASK_SIZE - MMAP_MIN_ADDR)
		return -ENOMEM;
	/* A hint is honoured when it is free (and suitably aligned). */
	if (hint) {
		hint = PAGE_ALIGN(hint);
		if (IS_ALIGNED(hint, align) && hint >= MMAP_MIN_ADDR &&
		    hint <= TASK_SIZE - len && range_is_free(mm, hint, len))
			return hint;
	}
	return unmapped_area_topdown(mm, len, align);
}

static vm_fault_t io_fault(struct vm_fault *vmf)
{
	/* Every PTE was installed at mmap time; a hole is a bus error. */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct io_vm_ops = {
	.name = "gupsim_io",
	.fault = io_fault,
};

/* remap_pfn_range(): special PTEs, no refcounts, no rmap. */
static int remap_io_range(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = machine->mmio_start_pfn + vma->vm_pgoff;

	for (unsigned long addr = vma->vm_start; addr < vma->vm_end;
	     addr += PAGE_SIZE, pfn++) {
		pmd_t *pmd = mm_alloc_pmd(mm, addr);
		pte_t *pte = pmd ? pte_alloc(mm, pmd, addr) : NULL;

		if (!pte)
			return -ENOMEM;
		ptl_lock(mm);
		set_pte(pte, pfn_pte(pfn, vma->vm_flags) | _PAGE_SPECIAL);
		ptl_unlock(mm);
	}
	return 0;
}

/* What backs the new VMA; vm_file / vm_ops / vm_pgoff are set here. */
static int mmap_setup_backing(struct vm_area_struct *vma, unsigned long flags,
			      struct file *file, unsigned long pgoff,
			      bool hugetlb)
{
	if (flags & MAP_GUPSIM_IO) {
		vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND |
				 VM_DONTDUMP | VM_SHARED | VM_MAYSHARE;
		vma->vm_ops = &io_vm_ops;
		vma->vm_pgoff = pgoff;
		return 0;
	}
	if (hugetlb && !file) {
		file = hugetlb_file_setup("anon_hugepage",
					  vma->vm_end - vma->vm_start);
		if (!file)
			return -ENOMEM;
		vma->vm_file = file;	/* the setup's reference */
		vma->vm_pgoff = 0;
		return file_mmap(file, vma);
	}
	if (file) {
		vma->vm_file = get_file(file);
		vma->vm_pgoff = pgoff;
		return file_mmap(file, vma);
	}
	/* anonymous, or /dev/zero (which is anonymous memory too) */
	if (vma->vm_flags & VM_SHARED)
		return shmem_zero_setup(vma);
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	return 0;
}

static unsigned long mmap_vm_flags(unsigned long prot, unsigned long flags,
				   bool shared)
{
	unsigned long vm_flags = calc_vm_prot_bits(prot) |
				 VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (shared)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	/* accountable_mapping(): private writable memory is committed. */
	if (!(flags & MAP_HUGETLB) &&
	    (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE)
		vm_flags |= VM_ACCOUNT;
	return vm_flags;
}

long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long pgoff)
{
	unsigned long align = PAGE_SIZE;
	struct vm_area_struct *vma;
	bool shared, hugetlb;
	long ret;

	mmap_assert_write_locked(mm);
	if (!len)
		return -EINVAL;
	switch (flags & MAP_SHARED_VALIDATE) {
	case MAP_SHARED_VALIDATE:
		/* validated sharing is for files (/dev/zero is one) only */
		if (flags & (MAP_ANONYMOUS | MAP_GUPSIM_IO))
			return -EINVAL;
		shared = true;
		break;
	case MAP_SHARED:
		shared = true;
		break;
	case MAP_PRIVATE:
		shared = false;
		break;
	default:
		return -EINVAL;
	}
	if (flags & (MAP_ANONYMOUS | MAP_GUPSIM_DEVZERO | MAP_GUPSIM_IO))
		file = NULL;	/* the fd is ignored, as for MAP_ANONYMOUS */
	else if (!file)
		return -EBADF;
	if (file && is_file_hugepages(file))
		hugetlb = true;
	else if (flags & MAP_HUGETLB)
		hugetlb = !file && (flags & MAP_ANONYMOUS);
	else
		hugetlb = false;
	if ((flags & MAP_HUGETLB) && file && !hugetlb)
		return -EINVAL;
	if (hugetlb) {
		len = ALIGN_UP(len, PMD_SIZE);
		align = PMD_SIZE;
	} else {
		len = PAGE_ALIGN(len);
	}
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if ((flags & MAP_GUPSIM_IO) &&
	    pgoff + (len >> PAGE_SHIFT) > machine->mmio_pages)
		return -EINVAL;
	if (mm->map_count >= MAX_MAP_COUNT)
		return -ENOMEM;
	/* thp_get_unmapped_area(): big mappings start on a PMD boundary. */
	if (len >= PMD_SIZE)
		align = PMD_SIZE;

	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!IS_ALIGNED(addr, hugetlb ? PMD_SIZE : PAGE_SIZE))
			return -EINVAL;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if (!(flags & MAP_FIXED)) {
			if (!range_is_free(mm, addr, len))
				return -EEXIST;
		} else {
			ret = do_munmap(mm, addr, len);
			if (ret)
				return ret;
		}
	} else {
		ret = get_unmapped_area(mm, addr, len, align);
		if (ret < 0)
			return ret;
		addr = ret;
	}

	vma = vm_area_alloc(mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = mmap_vm_flags(prot, flags, shared);
	ret = mmap_setup_backing(vma, flags, file, pgoff, hugetlb);
	if (ret) {
		if (vma->vm_file)
			fput(vma->vm_file);
		vm_area_free(vma);
		return ret;
	}
	vma_link(mm, vma);
	if ((flags & MAP_GUPSIM_IO) && remap_io_range(vma)) {
		do_munmap(mm, addr, len);
		return -ENOMEM;
	}
	return addr;
}

/* ---- munmap ---- */

/*
 * Removes every VMA inside [start, end) (the caller split at both ends):
 * mappings first, then the links, then the page tables of the hole.
 */
static void unmap_region(struct mm_struct *mm, unsigned long start,
			 unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start), *next, *prev;
	unsigned long floor, ceiling;

	if (!vma || vma->vm_start >= end)
		return;
	prev = vma_prev(mm, vma);
	for (next = vma; next && next->vm_start < end;
	     next = vma_next(mm, next))
		zap_page_range_single(next, next->vm_start, next->vm_end);
	while (vma && vma->vm_start < end) {
		next = vma_next(mm, vma);
		remove_vma(mm, vma);
		vma = next;
	}
	floor = prev ? prev->vm_end : 0;
	ceiling = vma ? vma->vm_start : TASK_SIZE;
	free_pgtables(mm, floor, ceiling);
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma, *last;
	unsigned long end;
	int err;

	mmap_assert_write_locked(mm);
	if (!PAGE_ALIGNED(start) || start > TASK_SIZE ||
	    len > TASK_SIZE - start)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (!len)
		return -EINVAL;
	end = start + len;

	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	/* Cutting a hole in one VMA makes one more of them. */
	if (start > vma->vm_start && end < vma->vm_end &&
	    mm->map_count >= MAX_MAP_COUNT)
		return -ENOMEM;
	if (start > vma->vm_start) {
		err = split_vma(vma, start);
		if (err)
			return err;
	}
	last = find_vma(mm, end - 1);
	if (last && last->vm_start < end && end < last->vm_end) {
		err = split_vma(last, end);
		if (err)
			return err;
	}
	unmap_region(mm, start, end);
	return 0;
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
	WRITE_ONCE(vma->vm_flags, newflags);
	change_protection(vma, start, end, newflags);
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
		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start != nstart)
			return -ENOMEM;
	}
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
		return -ENOMEM;
	new_vma = copy_vma(vma, old_addr, new_addr, new_addr + new_len);
	if (!new_vma)
		return -ENOMEM;

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

long do_mremap(struct mm_struct *mm, unsigned long addr,
	       unsigned long old_len, unsigned long new_len,
	       unsigned long flags, unsigned long new_addr)
{
	struct vm_area_struct *vma;
	unsigned long align;
	long ret;

	mmap_assert_write_locked(mm);
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
	    !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if (!PAGE_ALIGNED(addr))
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	/* old_len 0 duplicates a shared mapping: not modelled. */
	if (!new_len || !old_len)
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && old_len != new_len)
		return -EINVAL;
	if (addr > TASK_SIZE - old_len)
		return -EINVAL;

	vma = vma_lookup(mm, addr);
	if (!vma || addr + old_len > vma->vm_end)
		return -EFAULT;
	if (is_vm_hugetlb_page(vma)) {
		/* hugetlb: same size, whole huge pages, moves only */
		if (old_len != new_len || !IS_ALIGNED(addr | old_len, PMD_SIZE))
			return -EINVAL;
	}
	if (new_len > old_len && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EFAULT;
	if ((flags & MREMAP_DONTUNMAP) &&
	    (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;

	if (flags & MREMAP_FIXED) {
		if (!IS_ALIGNED(new_addr, is_vm_hugetlb_page(vma) ?
				PMD_SIZE : PAGE_SIZE))
			return -EINVAL;
		if (new_addr > TASK_SIZE - new_len || new_addr < MMAP_MIN_ADDR)
			return -EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -EINVAL;
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
			return -EFAULT;
		return move_vma(vma, addr, old_len, new_len, new_addr, flags);
	}

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
		return addr;
	}
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	align = (new_len >= PMD_SIZE || is_vm_hugetlb_page(vma)) ?
		PMD_SIZE : PAGE_SIZE;
	ret = get_unmapped_area(mm, 0, new_len, align);
	if (ret < 0)
		return ret;
	return move_vma(vma, addr, old_len, new_len, ret, flags);
}

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
		return true;
	default:
		return false;
	}
}

static int madvise_dontneed(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
		return -EINVAL;
	if (is_vm_hugetlb_page(vma)) {
		/* whole huge pages only: the start must be aligned */
		if (!IS_ALIGNED(start, PMD_SIZE))
			return -EINVAL;
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
	WRITE_ONCE(vma->vm_flags, newflags);
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
		if (vma->vm_flags & VM_IO)
			return -EINVAL;
		return madvise_update_flags(vma, start, end, VM_DONTCOPY, 0);
	case MADV_DOFORK:
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

/* ---- exit ---- */

void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next;

	mmap_write_lock(mm);
	list_for_each_entry(vma, &mm->mmap, vm_list)
		zap_page_range_single(vma, vma->vm_start, vma->vm_end);
	list_for_each_entry_safe(vma, next, &mm->mmap, vm_list)
		remove_vma(mm, vma);
	free_pgtables(mm, 0, TASK_SIZE);
	pgd_free(mm);
	mmap_write_unlock(mm);
}

/* ---- the calls a test or a backend makes (they take the lock) ---- */

static struct mm_struct *task_mm_checked(struct task_struct *task)
{
	if (VM_WARN(!task || !task->mm, "address-space call without a task"))
		return NULL;
	return task->mm;
}

long vm_mmap(struct task_struct *task, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long off)
{
	struct mm_struct *mm = task_mm_checked(task);
	long ret;

	if (!mm)
		return -EINVAL;
	if (!PAGE_ALIGNED(off) || off + PAGE_ALIGN(len) < off)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, prot, flags, file, off >> PAGE_SHIFT);
	mmap_write_unlock(mm);
	if (ret >= 0 && (flags & MAP_POPULATE)) {
		/* like the kernel: populate after the write lock is gone */
		mmap_read_lock(mm);
		mm_populate(mm, ret, PAGE_ALIGN(len));
		mmap_read_unlock(mm);
	}
	return ret;
}

int vm_set_place(struct task_struct *task, unsigned long addr,
		 enum place_hint place)
{
	struct mm_struct *mm = task_mm_checked(task);
	struct vm_area_struct *vma;
	int ret = -ENOMEM;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		vma->place = place;
		ret = 0;
	}
	mmap_write_unlock(mm);
	return ret;
}

int vm_munmap(struct task_struct *task, unsigned long start, size_t len)
{
	struct mm_struct *mm = task_mm_checked(task);
	int ret;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_munmap(mm, start, len);
	mmap_write_unlock(mm);
	return ret;
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
