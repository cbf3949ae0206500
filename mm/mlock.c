// SPDX-License-Identifier: GPL-2.0
/*
 * Locked and pinned memory accounting: the per-user struct, CAP_IPC_LOCK,
 * RLIMIT_MEMLOCK and the mm counters drivers charge long-term pins to
 * (account_locked_vm() for vfio and friends, pinned_vm for ib_umem); and
 * mlock(2)/munlock(2) themselves, VM_LOCKED and mm->locked_vm.
 */
#include <stdlib.h>

#include "internal.h"
#include "explain.h"

struct user_struct *alloc_uid(unsigned int uid)
{
	struct user_struct *user = calloc(1, sizeof(*user));

	if (!user)
		return NULL;
	atomic_init(&user->refcount, 1);
	atomic_init(&user->locked_vm, 0);
	user->uid = uid;
	return user;
}

struct user_struct *get_uid(struct user_struct *user)
{
	atomic_fetch_add(&user->refcount, 1);
	return user;
}

void free_uid(struct user_struct *user)
{
	if (!user)
		return;
	if (atomic_fetch_sub(&user->refcount, 1) != 1)
		return;
	/* io_uring and others must have uncharged everything by now. */
	VM_WARN(atomic_load(&user->locked_vm),
		"free_uid: uid %u still has %ld locked pages", user->uid,
		atomic_load(&user->locked_vm));
	free(user);
}

bool capable_ipc_lock(void)
{
	return current && current->cap_ipc_lock;
}

/* RLIMIT_MEMLOCK of current, in bytes (RLIM_INFINITY: no limit). */
unsigned long rlimit_memlock(void)
{
	if (VM_WARN(!current, "rlimit_memlock without a current task"))
		return 0;
	return current->rlimit_memlock;
}

/*
 * __account_locked_vm(): charging fails with -ENOMEM when the new total
 * would pass RLIMIT_MEMLOCK (in pages) and current lacks CAP_IPC_LOCK;
 * uncharging never fails and clamps at zero (warning on underflow). The
 * kernel serialises with mmap_write_lock; a compare-and-swap gives the
 * same all-or-nothing result without making callers care about the lock.
 */
int account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc)
{
	if (!pages || !mm)
		return 0;
	if (VM_WARN(inc && !current, "account_locked_vm without a task"))
		return -ENOMEM;
	return __account_locked_vm(mm, pages, inc, current,
				   inc && capable_ipc_lock());
}

/*
 * The general form vfio uses: the limit is RLIMIT_MEMLOCK of `task` (the
 * task that mapped the memory, not necessarily current), and bypass_rlim
 * is the CAP_IPC_LOCK the caller sampled when the mapping was made.
 */
int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim)
{
	long old, new;

	if (!pages || !mm)
		return 0;
	old = atomic_load(&mm->locked_vm);
	do {
		if (inc) {
			if (!bypass_rlim &&
			    (unsigned long)old + pages >
			    (task_rlimit_memlock(task) >> PAGE_SHIFT))
				return explain_err(-ENOMEM, "__account_locked_vm",
						   "mm->locked_vm %ld + %lu pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK",
						   old, pages,
						   task_rlimit_memlock(task) >> PAGE_SHIFT);
			new = old + (long)pages;
		} else {
			VM_WARN((unsigned long)old < pages,
				"account_locked_vm: uncharging %lu of %ld pages",
				pages, old);
			new = (unsigned long)old > pages ? old - (long)pages : 0;
		}
	} while (!atomic_compare_exchange_weak(&mm->locked_vm, &old, new));
	return 0;
}

long mm_pinned_vm_add(struct mm_struct *mm, long pages)
{
	return atomic_fetch_add(&mm->pinned_vm, pages) + pages;
}

long mm_locked_vm(struct mm_struct *mm)
{
	return atomic_load(&mm->locked_vm);
}

long mm_pinned_vm(struct mm_struct *mm)
{
	return atomic_load(&mm->pinned_vm);
}

unsigned long task_rlimit_memlock(struct task_struct *task)
{
	return task ? task->rlimit_memlock : 0;
}

/* ---- the per-user locked_vm that io_uring and AF_XDP charge ---- */

struct user_struct *get_current_user(void)
{
	if (VM_WARN(!current || !current->user,
		    "get_current_user without a task"))
		return NULL;
	return get_uid(current->user);
}

/*
 * All or nothing, as the compare-and-swap loops of io_uring and xdp do:
 * the charge is refused (-ENOMEM; callers translate) when the user's new
 * total would pass limit pages. Racing chargers never both squeeze in.
 */
int user_locked_vm_charge(struct user_struct *user, unsigned long pages,
			  unsigned long limit)
{
	long old = atomic_load(&user->locked_vm), new;

	do {
		new = old + (long)pages;
		if ((unsigned long)new > limit)
			return explain_err(-ENOMEM, "user_locked_vm_charge",
					   "user %u: locked_vm %ld + %lu pages > limit %lu pages (RLIMIT_MEMLOCK, charged to the user)",
					   user->uid, old, pages, limit);
	} while (!atomic_compare_exchange_weak(&user->locked_vm, &old, new));
	return 0;
}

void user_locked_vm_uncharge(struct user_struct *user, unsigned long pages)
{
	long old = atomic_fetch_sub(&user->locked_vm, (long)pages);

	VM_WARN(old < (long)pages, "uid %u: uncharging %lu of %ld locked pages",
		user->uid, pages, old);
}

long user_locked_vm(struct user_struct *user)
{
	return user ? atomic_load(&user->locked_vm) : 0;
}

/* ---- mlock(2), munlock(2) ---- */

/*
 * What the model keeps of mlock: VM_LOCKED on the VMAs of the range (split
 * at its ends), mm->locked_vm counting their pages against RLIMIT_MEMLOCK,
 * and the pages faulted in. It leaves out the unevictable LRU (nothing is
 * ever reclaimed here) and VM_LOCKONFAULT. A locked page is not pinned: it
 * keeps no extra reference, so migration (CMA, compaction) still moves it,
 * which is what tells mlock from FOLL_LONGTERM.
 */

/* can_do_mlock(): RLIMIT_MEMLOCK 0 locks nothing without CAP_IPC_LOCK. */
static bool can_do_mlock(struct task_struct *task)
{
	return task_rlimit_memlock(task) != 0 || task->cap_ipc_lock;
}

/* VMAs mlock leaves alone: no VM_LOCKED, not counted (mlock_fixup()). */
static bool vma_mlock_ignored(const struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_IO | VM_DONTEXPAND | VM_PFNMAP |
				 VM_MIXEDMAP)) ||
	       is_vm_hugetlb_page(vma) || vma_is_fsdax(vma);
}

/* count_mm_mlocked_page_nr(): pages of [start, end) already locked. */
static unsigned long count_mm_mlocked_page_nr(struct mm_struct *mm,
					      unsigned long start,
					      unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long count = 0;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = find_vma(mm, vma->vm_end)) {
		if (vma->vm_flags & VM_LOCKED)
			count += (min(end, vma->vm_end) -
				  max(start, vma->vm_start)) >> PAGE_SHIFT;
	}
	return count;
}

/*
 * mlock_fixup(): VM_LOCKED set (lock) or cleared on [start, end) of vma,
 * which it splits off; mm->locked_vm follows the pages that changed.
 */
static int mlock_fixup(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, bool lock)
{
	struct mm_struct *mm = vma->vm_mm;
	long nr_pages = (end - start) >> PAGE_SHIFT;
	int err;

	if (!!(vma->vm_flags & VM_LOCKED) == lock || vma_mlock_ignored(vma))
		return 0;
	if (start > vma->vm_start) {
		err = split_vma(vma, start);
		if (err)
			return err;
		vma = find_vma(mm, start);
	}
	if (end < vma->vm_end) {
		err = split_vma(vma, end);
		if (err)
			return err;
	}
	if (lock)
		vm_flags_set(vma, VM_LOCKED);
	else
		vm_flags_clear(vma, VM_LOCKED);
	atomic_fetch_add(&mm->locked_vm, lock ? nr_pages : -nr_pages);
	return 0;
}

/* apply_vma_lock_flags(): the whole range, which must have no hole. */
static int apply_vma_lock_flags(struct mm_struct *mm, unsigned long start,
				unsigned long end, bool lock)
{
	struct vm_area_struct *vma = find_vma(mm, start);
	unsigned long nstart = start;
	int err;

	mmap_assert_write_locked(mm);
	if (!vma || vma->vm_start > start)
		return explain_err(-ENOMEM, "apply_vma_lock_flags",
				   "no VMA at %#lx: the range has a hole", start);
	for (;;) {
		unsigned long tmp = min(vma->vm_end, end);

		err = mlock_fixup(vma, nstart, tmp, lock);
		if (err)
			return err;
		nstart = tmp;
		if (nstart >= end)
			return 0;
		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start != nstart)
			return explain_err(-ENOMEM, "apply_vma_lock_flags",
					   "no VMA at %#lx: the range has a hole",
					   nstart);
	}
}

/*
 * __mm_populate() for mlock: faults every page of the range in through
 * GUP without taking references, as populate_vma_page_range() does:
 * writes for private writable memory (breaking COW), FOLL_FORCE for any
 * accessible VMA, so that only PROT_NONE fails (-EFAULT). VM_IO and
 * VM_PFNMAP VMAs are skipped. The errno is mlock's: EFAULT becomes
 * ENOMEM, ENOMEM becomes EAGAIN (__mlock_posix_error_return()).
 */
static int mlock_populate(struct mm_struct *mm, unsigned long start,
			  unsigned long end)
{
	struct vm_area_struct *vma;
	unsigned long nstart;
	long ret = 0;

	mmap_read_lock(mm);
	for (nstart = start; nstart < end; nstart = vma->vm_end) {
		unsigned int flags = 0;
		unsigned long nend;

		vma = find_vma(mm, nstart);
		if (!vma || vma->vm_start >= end)
			break;
		nstart = max(nstart, vma->vm_start);
		nend = min(end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
			flags |= FOLL_WRITE;
		if (vma->vm_flags & VM_ACCESS_FLAGS)
			flags |= FOLL_FORCE;
		ret = get_user_pages_remote(mm, nstart,
					    (nend - nstart) >> PAGE_SHIFT,
					    flags, NULL, NULL);
		if (ret < 0)
			break;
		ret = 0;
	}
	mmap_read_unlock(mm);
	if (ret == -EFAULT || ret == -ENOMEM)
		explain_rule("__mlock_posix_error_return",
			     "populating failed with %s: mlock says %s",
			     explain_errno_name((int)ret),
			     ret == -EFAULT ? "ENOMEM" : "EAGAIN");
	return ret == -EFAULT ? -ENOMEM : ret == -ENOMEM ? -EAGAIN : (int)ret;
}

/*
 * do_mlock(): the limit is checked against mm->locked_vm plus the whole
 * range (pages already locked in it are forgiven when that passes the
 * limit); CAP_IPC_LOCK lifts it. VM_LOCKED stays set when populating
 * fails afterwards, as in the kernel.
 */
int vm_mlock(struct task_struct *task, unsigned long start, size_t len)
{
	struct mm_struct *mm = task ? task->mm : NULL;
	unsigned long end, locked, limit;
	int err;

	if (VM_WARN(!mm, "mlock without a task"))
		return -EINVAL;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!can_do_mlock(task))
		return explain_err(-EPERM, "can_do_mlock",
				   "RLIMIT_MEMLOCK is 0 and no CAP_IPC_LOCK");
	if (!len)
		return 0;
	limit = task_rlimit_memlock(task) >> PAGE_SHIFT;
	mmap_write_lock(mm);
	locked = (len >> PAGE_SHIFT) + mm_locked_vm(mm);
	if (locked > limit && !task->cap_ipc_lock)
		locked -= count_mm_mlocked_page_nr(mm, start, end);
	err = locked <= limit || task->cap_ipc_lock ?
	      apply_vma_lock_flags(mm, start, end, true) :
	      explain_err(-ENOMEM, "do_mlock",
			  "locked_vm would be %lu pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK",
			  locked, limit);
	mmap_write_unlock(mm);
	if (err)
		return err;
	return mlock_populate(mm, start, end);
}

/* munlock(2): clears VM_LOCKED and uncharges; needs no limit or CAP. */
int vm_munlock(struct task_struct *task, unsigned long start, size_t len)
{
	struct mm_struct *mm = task ? task->mm : NULL;
	unsigned long end;
	int err;

	if (VM_WARN(!mm, "munlock without a task"))
		return -EINVAL;
	len = PAGE_ALIGN(len + (start & ~PAGE_MASK));
	start &= PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (!len)
		return 0;
	mmap_write_lock(mm);
	err = apply_vma_lock_flags(mm, start, end, false);
	mmap_write_unlock(mm);
	return err;
}

/* mm->locked_vm follows a VM_LOCKED VMA unmapped, moved or grown. */
void vma_locked_vm_add(struct vm_area_struct *vma, long pages)
{
	if (vma->vm_flags & VM_LOCKED)
		atomic_fetch_add(&vma->vm_mm->locked_vm, pages);
}
