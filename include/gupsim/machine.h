/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Setting up a simulated machine: physical memory, tasks, files, mappings,
 * user-space loads and stores, CMA, counters and the invariant checker.
 * This is what a test, a scenario backend or a driver model calls; the GUP
 * API itself is in gupsim/gup.h.
 *
 * The model is a kernel: one machine exists at a time (machine_create() ..
 * machine_destroy()), and `current` is a thread-local task pointer.
 */
#ifndef GUPSIM_MACHINE_H
#define GUPSIM_MACHINE_H

#include <gupsim/profile.h>
#include <gupsim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

enum thp_mode { THP_MADVISE = 0, THP_ALWAYS, THP_NEVER };

struct machine_config {
	size_t mem;		/* RAM bytes; default 256M */
	size_t cma;		/* bytes of it that form the CMA area */
	size_t movable;		/* bytes of it that form ZONE_MOVABLE */
	size_t device;		/* fs-DAX device memory; default 64M */
	unsigned long hugetlb;	/* 2 MiB pages reserved in the hugetlb pool */
	unsigned long hugetlb_1g;	/* 1 GiB pages in their pool */
	enum thp_mode thp;
	/* the release the model behaves as; NULL: the newest (6.18) */
	const struct kernel_profile *kernel;
	/*
	 * Back all of RAM and its struct pages with host memory at creation
	 * (the kernel's memory is there before anything runs), so that no
	 * host page fault lands inside what a benchmark times. Costs the
	 * host the machine's whole size; scenarios leave it off.
	 */
	bool prefault;
	size_t swap;		/* bytes of swap device; 0: no swap */
	/*
	 * The anonymous THP sizes that may be allocated, as the kernel's
	 * /sys/kernel/mm/transparent_hugepage/hugepages-<size>kB/enabled
	 * set to "inherit" (each follows thp) or "never": bit N enables
	 * folios of order N (4 KiB << N), N from 2 to 9. 0: order 9 only
	 * (2 MiB, PMD-mapped), the kernel's default.
	 */
	unsigned int thp_orders;
};

/* 0 or -errno (-EINVAL for a bad layout, -ENOMEM, -EBUSY if one exists). */
int machine_create(const struct machine_config *cfg);
/*
 * Tears everything down: every task exits, every file goes, the pools are
 * emptied. Returns 0 when all memory went back to the allocator, or
 * -EUCLEAN with what leaked in buf. Safe to call when no machine exists.
 */
int machine_destroy(char *buf, size_t len);
bool machine_exists(void);

/* ---- tasks ---- */

extern __thread struct task_struct *current;

/* As <sys/resource.h> has it (the same value on 64-bit Linux). */
#ifndef RLIM_INFINITY
#define RLIM_INFINITY	((unsigned long)-1)
#endif

struct task_struct *task_create(const char *comm, unsigned long memlock,
				bool cap_ipc_lock);
/* fork(): the child gets a copy of the address space. NULL on -ENOMEM. */
struct task_struct *task_fork(struct task_struct *parent, const char *comm);
/* exit(): the address space is torn down and the task freed. */
void task_exit(struct task_struct *task);
struct mm_struct *task_mm(struct task_struct *task);
const char *task_comm(const struct task_struct *task);

/* ---- files ---- */

enum fs_type { FS_EXT4, FS_TMPFS, FS_DAX, FS_HUGETLBFS };

/* A file of `size` bytes on a filesystem of that kind. NULL on failure. */
struct file *file_create(const char *name, enum fs_type fs, size_t size);
/*
 * A hugetlbfs file whose pages are page_size bytes (2 MiB or 1 GiB, as
 * the mount option pagesize= or memfd_create()'s MFD_HUGE_*): NULL for
 * another size. file_create(FS_HUGETLBFS) is the 2 MiB one.
 */
struct file *hugetlbfs_file_create(const char *name, size_t size,
				   unsigned long page_size);
/* memfd_create(2)'s file: an unnamed tmpfs file (named apart from glibc's). */
struct file *memfd_file_create(const char *name, size_t size);
void fput(struct file *file);
struct file *get_file(struct file *file);
/*
 * fallocate(2) with mode 0 on [off, off + len) of the file, which must lie
 * inside its size (the model's files do not grow: -EFBIG past it). tmpfs
 * and memfd put zeroed pages in the page cache (-ENOMEM when memory runs
 * out, pages already added stay); hugetlbfs takes huge pages from the pool
 * (-ENOSPC when it is empty); ext4 and fs-DAX allocate blocks, which the
 * model has not, so nothing changes there.
 */
int vfs_fallocate(struct file *file, unsigned long off, unsigned long len);

/* ---- mappings (each takes mmap_lock itself; values as in <sys/mman.h>) ---- */

/* Model-only placement hints for the pages a mapping faults in. */
enum place_hint { PLACE_ANY = 0, PLACE_NORMAL, PLACE_MOVABLE, PLACE_CMA };

/*
 * Above the kernel's flags, out of bits 26-31 too, where MAP_HUGETLB takes
 * the page size (MAP_HUGE_1GB is 30 << 26): flags is an unsigned long.
 */
#define MAP_GUPSIM_DEVZERO	(1UL << 40)	/* a mapping of /dev/zero */
#define MAP_GUPSIM_IO		(1UL << 41)	/* a VM_IO|VM_PFNMAP mapping */

/* Returns the address or -errno (as a negative long). */
long vm_mmap(struct task_struct *task, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long off);
int vm_set_place(struct task_struct *task, unsigned long addr,
		 enum place_hint place);
int vm_munmap(struct task_struct *task, unsigned long start, size_t len);
int vm_mprotect(struct task_struct *task, unsigned long start, size_t len,
		unsigned long prot);
/* MREMAP_MAYMOVE|MREMAP_FIXED style move; returns new address or -errno. */
long vm_mremap(struct task_struct *task, unsigned long addr,
	       unsigned long old_len, unsigned long new_len,
	       unsigned long flags, unsigned long new_addr);
int vm_madvise(struct task_struct *task, unsigned long start, size_t len,
	       int advice);
/* MAP_POPULATE / MADV_POPULATE_WRITE equivalent: fault every page in. */
int vm_populate(struct task_struct *task, unsigned long start, size_t len,
		bool write);
/*
 * mlock(2) / munlock(2) of [start, start + len) (mm/mlock.c): VM_LOCKED,
 * mm->locked_vm against RLIMIT_MEMLOCK (-ENOMEM over it, -EPERM when it
 * is 0; CAP_IPC_LOCK lifts both), pages faulted in by mlock. A hole in
 * the range: -ENOMEM.
 */
int vm_mlock(struct task_struct *task, unsigned long start, size_t len);
int vm_munlock(struct task_struct *task, unsigned long start, size_t len);

/* ---- user-space access: loads and stores that fault like a CPU ---- */

enum uaccess_result { UACCESS_OK = 0, UACCESS_SIGSEGV, UACCESS_SIGBUS };

enum uaccess_result user_write(struct task_struct *task, unsigned long addr,
			       const void *buf, size_t len);
enum uaccess_result user_read(struct task_struct *task, unsigned long addr,
			      void *buf, size_t len);
enum uaccess_result user_memset(struct task_struct *task, unsigned long addr,
				int byte, size_t len);

/* ---- where pages live ---- */

enum page_zone_kind { PZ_NONE = 0, PZ_NORMAL, PZ_MOVABLE, PZ_CMA, PZ_DEVICE,
		      PZ_MIXED };
/* The zone of every page mapped in [start, start+len): PZ_NONE if none is. */
enum page_zone_kind user_range_zone(struct task_struct *task,
				    unsigned long start, size_t len);
enum page_zone_kind page_zone_kind(struct page *page);

/*
 * The counts of the page task maps at addr: its folio's refcount
 * (page_count()) and the page's mapcount (page_mapcount(); 0 for the zero
 * page, which mappings do not count). The zero page's refcount is 1 plus
 * what pins of it hold in the running release. 0, -ENOENT when no page is
 * mapped there, -ESRCH when the task has no mm.
 */
struct user_page_counts {
	int refcount;
	int mapcount;
};
int user_page_counts(struct task_struct *task, unsigned long addr,
		     struct user_page_counts *out);

/* ---- CMA ---- */

/* Allocates nr_pages contiguous pages from the CMA area: 0 and *pfn, or
 * -EBUSY (a page could not be migrated) / -ENOMEM (no free range). */
int cma_alloc_range(unsigned long nr_pages, unsigned long *pfn);
int cma_release_range(unsigned long pfn, unsigned long nr_pages);

/* ---- counters and checks ---- */

/* A vmstat counter by its /proc/vmstat name; -1 if there is no such name. */
long vmstat_get(const char *name);
/* Calls fn for every counter, in /proc/vmstat order. */
void vmstat_for_each(void (*fn)(const char *name, long value, void *arg),
		     void *arg);

/*
 * Checks every model invariant. 0 if they hold; otherwise -EUCLEAN and a
 * description of the first violation (page, mapping) in buf.
 */
int check_invariants(char *buf, size_t len);

/* ---- accounting helpers drivers use (mm/mlock.c) ---- */

bool capable_ipc_lock(void);
unsigned long rlimit_memlock(void);
/* account_locked_vm(): charges mm->locked_vm, honouring RLIMIT_MEMLOCK. */
int account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc);
/* atomic pinned_vm of an mm, as ib_umem and others account it. */
long mm_pinned_vm_add(struct mm_struct *mm, long pages);
long mm_locked_vm(struct mm_struct *mm);
long mm_pinned_vm(struct mm_struct *mm);
/* RLIMIT_MEMLOCK of a task in bytes (0 for none). */
unsigned long task_rlimit_memlock(struct task_struct *task);
/* account_locked_vm() with task's limit and a sampled CAP_IPC_LOCK (vfio). */
int __account_locked_vm(struct mm_struct *mm, unsigned long pages, bool inc,
			struct task_struct *task, bool bypass_rlim);

/* Per-user locked_vm (io_uring, AF_XDP): current's user, referenced. */
struct user_struct;
struct user_struct *get_current_user(void);
void free_uid(struct user_struct *user);
/* 0, or -ENOMEM when the user's total would pass limit pages. */
int user_locked_vm_charge(struct user_struct *user, unsigned long pages,
			  unsigned long limit);
void user_locked_vm_uncharge(struct user_struct *user, unsigned long pages);
long user_locked_vm(struct user_struct *user);

/* ---- page geometry and raw frames (mm/folio.c, mm/memory.c) ---- */

/* Compound geometry: PageCompound(), compound_head(), compound_nr(). */
bool page_is_compound(const struct page *page);
struct page *page_compound_head(const struct page *page);
unsigned long page_compound_nr(const struct page *page);

/*
 * What backs the VMA at addr (NONE: no VMA there), and in *vm_end where
 * it ends: for callers that checked the VMAs of a range themselves in
 * older releases (io_uring before 6.5). Caller holds mmap_lock of mm.
 * A mapping of /dev/zero counts as anonymous here.
 */
enum vma_backing { VMA_BACKING_NONE = 0, VMA_BACKING_ANON,
		   VMA_BACKING_FILE, VMA_BACKING_SHMEM,
		   VMA_BACKING_HUGETLBFS, VMA_BACKING_DAX };
enum vma_backing vma_backing(struct mm_struct *mm, unsigned long addr,
			     unsigned long *vm_end);
/*
 * The VMA's file as an identity to compare (its vm_file), NULL for an
 * anonymous VMA or none: io_uring in 6.3 refused a buffer whose VMAs
 * did not all have the same one. Caller holds mmap_lock of mm.
 */
const void *vma_file_identity(struct mm_struct *mm, unsigned long addr);

/* Raw frames for vfio's VM_PFNMAP fall-back (caller holds mmap_lock). */
int follow_pfnmap_pfn(struct mm_struct *mm, unsigned long addr, bool write,
		      unsigned long *pfn);
bool is_invalid_reserved_pfn(unsigned long pfn);
/* The bytes of frame pfn as a device sees them (RAM, MMIO, DAX). */
void *pfn_to_virt(unsigned long pfn);

#ifdef __cplusplus
}
#endif

#endif /* GUPSIM_MACHINE_H */
