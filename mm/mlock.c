// SPDX-License-Identifier: GPL-2.0
/*
 * Locked and pinned memory accounting: the per-user struct, CAP_IPC_LOCK,
 * RLIMIT_MEMLOCK and the mm counters drivers charge long-term pins to
 * (account_locked_vm() for vfio and friends, pinned_vm for ib_umem).
 */
#include <stdlib.h>

#include "internal.h"

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
				return -ENOMEM;
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
			return -ENOMEM;
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
