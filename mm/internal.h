/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm/: the memory-manager model, laid out as the kernel's mm/ is.
 *
 * Headers (no file outside mm/ includes them; tests use mm/testing.h):
 *   internal.h    this file: the calls between mm/ files, by section,
 *                 each naming the file that implements it; includes the
 *                 headers below
 *   mm_types.h    the structures (page, folio, zone, machine, mm_struct,
 *                 task, VMA, file, fault, anon_vma) and their invariants
 *   page-flags.h  page flags, compound_head(), folio accessors
 *   page_ref.h    reference, mapping and pin counts; the model's exact pin
 *                 bookkeeping behind try_grab_folio() / gup_put_folio()
 *   pgtable.h     page-table entries, their accessors, walkers
 *   mmdebug.h     VM_WARN() / VM_WARN_MISUSE()
 *   vma.h         what vma.c, mmap.c, mprotect.c, mremap.c, madvise.c share
 *   ../lib/compiler.h  READ_ONCE/WRITE_ONCE, min/max, likely, ARRAY_SIZE
 *
 * Files:
 *   mm_init.c     machine boot and teardown (layout, leak check)
 *   page_alloc.c  zones, pageblocks, the buddy allocator, gfp, contiguous
 *                 ranges; compaction.c collects a range's folios for it
 *   cma.c         the CMA area on top of alloc_contig_range()
 *   folio.c       folio life cycle, locks, put, compound pages, geometry
 *   pgtable.c     page-table pages; memory.c faults, zap, PMD walks
 *   huge_memory.c THP; hugetlb.c the pool and hugetlbfs
 *   filemap.c, shmem.c, dax.c   page cache, tmpfs, fs-DAX
 *   vma.c         the VMA list, mmap_lock, split; mmap.c mmap/munmap/exit;
 *                 mprotect.c, mremap.c, madvise.c: the syscalls, both the
 *                 VMA half and the page-table half
 *   fork.c        mm_struct and task life cycle, dup_mmap/copy_page_range
 *   rmap.c        anon_vma, mapcounts, rmap walks; migrate.c migration
 *   gup.c         GUP slow path, FOLL_LONGTERM, unpin; gup_fast.c GUP-fast
 *   gup_legacy.c  FOLL_LONGTERM of 5.1 .. 5.12 (gup_legacy.h), for the
 *                 kernel-version profiles of kernel_profile.c (.h: what
 *                 mm_init.c sets); vma_backing.c what backs a VMA
 *   mlock.c       mlock/munlock, locked and pinned memory accounting;
 *                 uaccess.c user loads and stores
 *   rcu.c, vmstat.c, debug.c    RCU glue, counters, invariant checker
 *
 * Concurrency: a field read without the lock that serialises its writers
 * is read with READ_ONCE() and written with WRITE_ONCE() (or is atomic):
 * page-table entries (ptep_get/set_pte), page flags, counts, ->mapping,
 * ->private and a VMA's vm_flags (vm_flags_read_once()).
 *
 * Model conventions that differ from the kernel, and why:
 *  - _mapcount, _entire_mapcount and _large_mapcount are 0-based (0 means
 *    unmapped), so that an untouched, zero-filled struct page is a valid
 *    unused one and simulating 64 GiB costs nothing until it is used.
 *  - struct page carries two debug counters (_debug_pins, _debug_lt_pins)
 *    that the kernel does not have: they let the invariant checker know the
 *    exact number of pins and whether any is long-term, and let
 *    unpin_user_page() report unpinning a page that was not pinned.
 */
#ifndef GUPSIM_MM_INTERNAL_H
#define GUPSIM_MM_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>
#include <gupsim/types.h>

#include "../lib/compiler.h"
#include "../lib/list.h"
#include "lock.h"
#include "mmdebug.h"
#include "mm_types.h"
#include "page-flags.h"
#include "page_ref.h"
#include "pgtable.h"

/* ======================================================================
 * struct page / struct folio                              (mm/folio.c)
 * ====================================================================== */

/* Locks for folios: a bit lock (PG_locked); trylock never sleeps. */
bool folio_trylock(struct folio *folio);
void folio_lock(struct folio *folio);
void folio_unlock(struct folio *folio);

/* Prepares pages [0, 1 << order) as one compound folio with head page. */
void prep_compound_page(struct page *page, unsigned int order);
/* The reverse, for a folio the page allocator does not free (gigantic). */
void folio_undo_compound(struct folio *folio);
/* Frees a folio whose refcount reached zero (buddy, hugetlb pool, device). */
void __folio_put(struct folio *folio);
/* Copies contents (folio_size bytes) and the flags that follow the data. */
void folio_copy(struct folio *dst, struct folio *src);
void folio_mark_dirty(struct folio *folio);
bool is_zero_page(const struct page *page);
bool is_zero_pfn(unsigned long pfn);

/* ======================================================================
 * physical memory, zones, buddy allocator, gfp       (mm/page_alloc.c)
 * ====================================================================== */

/*
 * Puts every deferred block of the zone on its free list (zone->lock
 * held): before anything looks at free memory by pfn (range isolation,
 * contiguous allocation) rather than through the free lists.
 */
void deferred_init_zone(struct zone *zone);

/* gfp flags (only what the model uses; values are the model's own). */
#define __GFP_MOVABLE		0x0008u	/* may live in ZONE_MOVABLE / CMA */
#define __GFP_RECLAIMABLE	0x0010u
#define __GFP_ZERO		0x0100u
#define __GFP_NOWARN		0x0200u
#define __GFP_COMP		0x0400u	/* large folio */
#define __GFP_NORETRY		0x0800u
#define __GFP_PLACE_NORMAL	0x1000u	/* model: prefer ZONE_NORMAL, not CMA */
#define __GFP_PLACE_MOVABLE	0x2000u	/* model: prefer ZONE_MOVABLE */
#define __GFP_PLACE_CMA		0x4000u	/* model: prefer CMA pageblocks */
#define __GFP_PLACE_MASK	(__GFP_PLACE_NORMAL | __GFP_PLACE_MOVABLE | \
				 __GFP_PLACE_CMA)
#define GFP_KERNEL		0x0001u
#define GFP_USER		(GFP_KERNEL | 0x0002u)
#define GFP_HIGHUSER_MOVABLE	(GFP_USER | __GFP_MOVABLE)
#define GFP_TRANSHUGE		(GFP_HIGHUSER_MOVABLE | __GFP_COMP | \
				 __GFP_NOWARN | __GFP_NORETRY)

extern struct machine *machine;

static inline struct page *pfn_to_page(unsigned long pfn)
{
	return machine->mem_map + pfn;
}

static inline bool pfn_valid(unsigned long pfn)
{
	return pfn < machine->total_pfns;
}

static inline struct folio *pfn_folio(unsigned long pfn)
{
	return page_folio(pfn_to_page(pfn));
}

static inline unsigned long folio_pfn(const struct folio *folio)
{
	return page_to_pfn(&folio->page);
}

static inline void *folio_address(const struct folio *folio)
{
	return page_address(&folio->page);
}

enum zone_type page_zonenum(const struct page *page);
struct zone *page_zone(const struct page *page);
int get_pageblock_migratetype(const struct page *page);
void set_pageblock_migratetype(struct page *page, int migratetype);
bool is_migrate_cma_page(const struct page *page);
/* folio_is_longterm_pinnable(): not CMA, ISOLATE, ZONE_MOVABLE or device. */
bool folio_is_longterm_pinnable(struct folio *folio);

/* Returns a refcount-1 page (a folio with __GFP_COMP), or NULL. */
struct page *alloc_pages(gfp_t gfp, unsigned int order);
struct folio *folio_alloc(gfp_t gfp, unsigned int order);
/* Fills the NULL slots of pages[nr] with order-0 pages, one lock round
 * per zone; returns how many slots are filled (may be fewer than nr). */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr,
			       struct page **pages);
void __free_pages(struct page *page, unsigned int order);
/* Frees a buddy block without refcount checks (the folio is already 0). */
void free_pages_prepared(struct page *page, unsigned int order);
/*
 * Between these (they nest), this thread's order-0 frees reach the buddy
 * allocator in batches, as through the kernel's per-CPU lists. The caller
 * allocates nothing and runs no checker meanwhile (see page_alloc.c).
 */
void free_pages_batch_begin(void);
void free_pages_batch_end(void);
/*
 * Boot (mm_init.c): every RAM page of m to the buddy allocator, as
 * deferred MAX_PAGE_ORDER blocks (the kernel's memblock_free_all()).
 */
void free_all_ram(struct machine *m);

unsigned int memalloc_pin_save(void);
void memalloc_pin_restore(unsigned int flags);
/* The gfp an allocation really gets in the current task's scope. */
gfp_t current_gfp_context(gfp_t gfp);

/*
 * Isolates [start_pfn, end_pfn), migrates every in-use page out of it and
 * takes the whole range out of the allocator: 0, or -EBUSY / -ENOMEM with
 * the range given back. The caller frees it with free_contig_range().
 */
int alloc_contig_range(unsigned long start_pfn, unsigned long end_pfn,
		       int migratetype);
void free_contig_range(unsigned long pfn, unsigned long nr_pages);
/*
 * Isolates from the LRU every in-use folio of [start, end) onto list
 * (compaction.c): 0, or -EBUSY when one cannot move at all.
 */
int isolate_migratepages_range(unsigned long start, unsigned long end,
			       struct list_head *list);

unsigned long nr_free_pages(void);

/* ======================================================================
 * CMA                                                      (mm/cma.c)
 * ====================================================================== */

extern struct cma *cma_area;		/* NULL: no CMA on this machine */

int cma_init_area(unsigned long base_pfn, unsigned long count);
void cma_destroy_area(void);
/* cma_alloc(): a page or NULL; *err says -EBUSY or -ENOMEM on failure. */
struct page *cma_alloc(struct cma *cma, unsigned long count,
		       unsigned int align, int *err);
bool cma_release(struct cma *cma, const struct page *pages,
		 unsigned long count);

/* ======================================================================
 * vmstat                                                 (mm/vmstat.c)
 * ====================================================================== */

enum vm_stat_item {
	NR_FREE_PAGES,
	NR_FREE_CMA_PAGES,
	NR_ANON_MAPPED,
	NR_FILE_PAGES,
	NR_SHMEM,
	NR_PAGETABLE,
	NR_ANON_THPS,
	NR_FOLL_PIN_ACQUIRED,
	NR_FOLL_PIN_RELEASED,
	PGALLOC,
	PGFREE,
	PGFAULT,
	PGMIGRATE_SUCCESS,
	PGMIGRATE_FAIL,
	THP_FAULT_ALLOC,
	THP_FAULT_FALLBACK,
	THP_SPLIT_PMD,
	CMA_ALLOC_SUCCESS,
	CMA_ALLOC_FAIL,
	HTLB_BUDDY_ALLOC_SUCCESS,
	PSWPIN,				/* pages read from swap */
	PSWPOUT,			/* pages written to swap */
	/* model-only counters, named gupsim_* in /proc/vmstat order */
	GUPSIM_GUP_FAST_FALLBACK,	/* GUP-fast left pages to the slow path */
	GUPSIM_LONGTERM_MIGRATE_RETRY,	/* __gup_longterm_locked retries */
	GUPSIM_UNSHARE_FAULT,		/* FAULT_FLAG_UNSHARE faults */
	GUPSIM_COW_COPY,		/* write faults that copied */
	GUPSIM_COW_REUSE,		/* write faults that reused */
	GUPSIM_FORK_EARLY_COPY,		/* pinned anon pages copied at fork */
	GUPSIM_ZERO_PAGE_PIN,		/* pins of the zero page (no-ops) */
	NR_VM_STAT_ITEMS
};

void mod_vmstat(enum vm_stat_item item, long delta);
static inline void count_vm_event(enum vm_stat_item item)
{
	mod_vmstat(item, 1);
}
long vmstat_read(enum vm_stat_item item);
void vmstat_reset(void);

/* ======================================================================
 * RCU (liburcu memb flavour, TSan annotations)              (mm/rcu.c)
 * ====================================================================== */

/* Threads register themselves on first use; nothing else to call. */
void mm_rcu_read_lock(void);
void mm_rcu_read_unlock(void);
/*
 * Runs fn(arg) after a grace period: batched, run by liburcu's worker when
 * a batch fills, else by the next mm_rcu_reclaim() or mm_rcu_barrier().
 */
void mm_call_rcu(void (*fn)(void *arg), void *arg);
/*
 * Runs the callbacks still batched after a grace period, in this thread;
 * false when there were none or the caller is in a read-side section.
 * Callers hold no zone lock (the callbacks free pages).
 */
bool mm_rcu_reclaim(void);
void mm_synchronize_rcu(void);
/* Runs every callback queued so far (the checker, machine_destroy()). */
void mm_rcu_barrier(void);

/* ======================================================================
 * tasks, mm_struct, VMAs    (mm/vma.c, mm/fork.c, mm/mmap.c, mm/mprotect.c,
 *                             mm/mremap.c, mm/madvise.c)
 * ====================================================================== */

/*
 * vm_flags discipline (the kernel's vm_flags_*() helpers). The flags of a
 * linked VMA change only with the mmap_lock held for write, and always as
 * one WRITE_ONCE() of the whole word (vm_flags_reset/_set/_clear), since
 * reverse-map walkers (migration putting an entry back) read them without
 * the mmap_lock, with vm_flags_read_once(). Code that holds the mmap_lock
 * reads vma->vm_flags directly; a VMA not yet linked is set up with
 * vm_flags_init().
 */
static inline void vm_flags_init(struct vm_area_struct *vma,
				 unsigned long flags)
{
	vma->vm_flags = flags;
}

static inline void vm_flags_reset(struct vm_area_struct *vma,
				  unsigned long flags)
{
	WRITE_ONCE(vma->vm_flags, flags);
}

static inline void vm_flags_set(struct vm_area_struct *vma,
				unsigned long flags)
{
	WRITE_ONCE(vma->vm_flags, vma->vm_flags | flags);
}

static inline void vm_flags_clear(struct vm_area_struct *vma,
				  unsigned long flags)
{
	WRITE_ONCE(vma->vm_flags, vma->vm_flags & ~flags);
}

static inline unsigned long vm_flags_read_once(const struct vm_area_struct *vma)
{
	return READ_ONCE(vma->vm_flags);
}

static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

/* A private mapping that may be written: COW applies (is_cow_mapping()). */
static inline bool is_cow_mapping(unsigned long vm_flags)
{
	return (vm_flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

static inline unsigned long linear_page_index(const struct vm_area_struct *vma,
					      unsigned long addr)
{
	return ((addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

static inline unsigned long vma_address_of(const struct vm_area_struct *vma,
					   pgoff_t pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

void mmap_assert_locked(struct mm_struct *mm);
void mmap_assert_write_locked(struct mm_struct *mm);

struct mm_struct *mm_alloc(void);
void mmget(struct mm_struct *mm);
/* Drops a user; the last one tears the address space down (exit_mmap). */
void mmput(struct mm_struct *mm);
/*
 * A task using mm (the task owns the mm reference passed in), with pid and
 * comm set, not yet on machine->tasks, no user. The caller sets ->user to a
 * referenced user_struct (alloc_uid() or get_uid(parent->user)), the limits,
 * and adds it to machine->tasks under lists_lock; task_exit() drops the mm
 * reference and the user reference.
 */
struct task_struct *task_alloc(const char *comm, struct mm_struct *mm);

/* The first VMA ending above addr, or NULL. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/* The VMA containing addr, or NULL. */
struct vm_area_struct *vma_lookup(struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *vm_area_alloc(struct mm_struct *mm);
/* A copy linked nowhere: no anon_vma (anon_vma_fork() joins the
 * original's), no file reference taken (the caller get_file()s). */
struct vm_area_struct *vm_area_dup(struct vm_area_struct *orig);
void vm_area_free(struct vm_area_struct *vma);
/* Inserts a VMA in mm's list and in its file's i_mmap / anon_vma list. */
void vma_link(struct mm_struct *mm, struct vm_area_struct *vma);
void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma);
/* Splits vma at addr (page aligned, strictly inside): 0 or -ENOMEM. */
int split_vma(struct vm_area_struct *vma, unsigned long addr);

/* Callers hold mmap_write_lock(mm). Values are <sys/mman.h>'s. */
long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long pgoff);
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
		unsigned long prot);
long do_mremap(struct mm_struct *mm, unsigned long addr,
	       unsigned long old_len, unsigned long new_len,
	       unsigned long flags, unsigned long new_addr);
/*
 * MADV_COLLAPSE on [start, end) of one VMA (mm/khugepaged.c; mmap_lock
 * held for write): 0, -EINVAL, -EAGAIN (a pinned or locked page), -ENOMEM.
 */
int madvise_collapse(struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
	       int advice);
/* Unmaps everything and frees the page tables (last mmput). */
void exit_mmap(struct mm_struct *mm);
/* machine_destroy(): every task still alive exits. */
void exit_all_tasks(void);

/*
 * The swap device and its swap cache (mm/swapfile.c). A slot's count is
 * the swap entries referring to it; the swap cache keeps the folio read
 * back for a slot (one reference) while entries remain.
 */
int swap_init(size_t bytes);
unsigned long swap_destroy(void);	/* returns the slots still in use */
bool swap_enabled(void);
long get_swap_slot(void);		/* a slot, or -ENOSPC */
void swap_writepage(unsigned long slot, struct page *page);
void swap_duplicate(unsigned long slot);
void swap_free(unsigned long slot);
struct folio *swap_cache_lookup(unsigned long slot);
bool swap_cache_is(unsigned long slot, struct folio *folio);
struct folio *swap_cache_add_read(unsigned long slot, struct folio *new);
int swap_count(unsigned long slot);
/* MADV_PAGEOUT of [start, end) of vma (mm/vmscan.c); mmap_lock held. */
int madvise_pageout(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end);
/* Swap-in of the entry at vmf->pte (mm/memory.c). */
vm_fault_t do_swap_page(struct vm_fault *vmf);

/* Accounting (mm/mlock.c): see the public header. */
/* mm->locked_vm += pages when vma is VM_LOCKED (munmap, mremap). */
void vma_locked_vm_add(struct vm_area_struct *vma, long pages);
struct user_struct *alloc_uid(unsigned int uid);
void free_uid(struct user_struct *user);
/* Takes a reference on user (fork: the child shares the parent's). */
struct user_struct *get_uid(struct user_struct *user);

/* ======================================================================
 * files, page cache, shmem, fs-DAX, hugetlbfs
 *        (mm/filemap.c, mm/shmem.c, mm/dax.c, mm/hugetlb.c)
 * ====================================================================== */

/* A file's mmap hook: sets vma->vm_ops and flags; 0 or -errno. */
int file_mmap(struct file *file, struct vm_area_struct *vma);
bool vma_is_shmem(const struct vm_area_struct *vma);
bool vma_is_fsdax(const struct vm_area_struct *vma);
bool is_vm_hugetlb_page(const struct vm_area_struct *vma);
/* vma_needs_dirty_tracking(): shared, writable, and the fs tracks dirt. */
bool vma_needs_dirty_tracking(const struct vm_area_struct *vma);
bool vma_wants_writenotify(const struct vm_area_struct *vma,
			   unsigned long vm_flags);

/* Page cache (filemap.c); lookups return the folio with a reference. */
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index);
/*
 * Finds or creates (zero-filled, uptodate) the folio at index; returned
 * unlocked, with a reference (NULL: beyond EOF or no memory). hugetlbfs
 * always gets a 2 MiB pool folio whatever the order asked.
 */
struct folio *filemap_grab_folio(struct address_space *mapping,
				 pgoff_t index, unsigned int order);
/*
 * Replaces old by new in the page cache (migration); both locked. new takes
 * old's slots, mapping and index and gets the cache's folio_nr_pages()
 * references added here; old's cache references are the caller's to drop
 * (migration unfreezes old at its expected count minus them).
 */
void filemap_replace_folio(struct address_space *mapping, struct folio *old,
			   struct folio *new);
void filemap_drop_all(struct address_space *mapping);
/* machine_destroy(): every file still open is dropped with its cache. */
void destroy_all_files(void);

/* shmem (shmem.c): also the backing of shared anonymous and /dev/zero. */
struct file *shmem_file_setup(const char *name, size_t size);
int shmem_fallocate(struct file *file, unsigned long off, unsigned long len);
int shmem_zero_setup(struct vm_area_struct *vma);

/* fs-DAX (dax.c): device pages outside the buddy, handed out to files. */
int dax_alloc_range(unsigned long nr_pages, unsigned long *pfn);
void dax_free_range(unsigned long pfn, unsigned long nr_pages);

/* hugetlb (hugetlb.c): the pools of 2 MiB and 1 GiB folios. */
#define HUGETLB_NR_SIZES	2
#define HPAGE_PUD_ORDER		(PUD_SHIFT - PAGE_SHIFT)
#define HPAGE_PUD_NR		(1UL << HPAGE_PUD_ORDER)
/* file_create() with the page order of a hugetlbfs file. */
struct file *__file_create(const char *name, enum fs_type fs, size_t size,
			   unsigned int huge_order);
/* The hidden hugetlbfs file behind MAP_HUGETLB|MAP_ANONYMOUS. */
struct file *hugetlb_file_setup(const char *name, size_t size,
				unsigned int order);
int hugetlbfs_fallocate(struct file *file, unsigned long off,
			unsigned long len);
bool is_file_hugepages(const struct file *file);
/* Is there a hugetlb page size of that order (9 or 18)? */
bool hugetlb_order_valid(unsigned int order);
/* The huge page order and size of a hugetlb VMA (its file's). */
unsigned int huge_page_order(const struct vm_area_struct *vma);
unsigned long huge_page_size(const struct vm_area_struct *vma);
/*
 * The pools: nr 1 GiB pages from ZONE_NORMAL below end_pfn (first, on the
 * empty machine), then nr 2 MiB pages. 0, or -ENOMEM and no pool at all.
 */
int hugetlb_gigantic_init(unsigned long nr, unsigned long end_pfn);
int hugetlb_pool_init(unsigned long nr);
void hugetlb_pool_destroy(void);
struct folio *alloc_hugetlb_folio_order(unsigned int order);
/* The 2 MiB pool (the default size, as HugePages_* counts it). */
struct folio *alloc_hugetlb_folio(void);
void free_huge_folio(struct folio *folio);
/* Zeroes its bytes (a 1 GiB one's without writing them). */
void hugetlb_zero_folio(struct folio *folio);
unsigned long hugetlb_free_pages_order(unsigned int order);
unsigned long hugetlb_total_pages_order(unsigned int order);
unsigned long hugetlb_free_pages(void);
unsigned long hugetlb_total_pages(void);
/* Reserves nr huge pages for a mapping at mmap time: 0 or -ENOMEM. */
int hugetlb_reserve_pages(unsigned long nr);
int hugetlb_reserve_pages_order(unsigned int order, unsigned long nr);
void hugetlb_unreserve_pages(unsigned long nr);
vm_fault_t hugetlb_fault(struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags);

/* Between the backing-store files (filemap.c, shmem.c, dax.c, hugetlb.c). */
extern const struct vm_operations_struct shmem_vm_ops;
extern const struct vm_operations_struct dax_vm_ops;
extern const struct vm_operations_struct hugetlb_vm_ops;
/* The page-cache ->fault of ext4 and shmem. */
vm_fault_t filemap_fault(struct vm_fault *vmf);
/* Pages of the file, EOF rounded up. */
static inline unsigned long file_nr_pages(const struct file *file)
{
	return PAGE_ALIGN(file->size) >> PAGE_SHIFT;
}
/* Gives a fs-DAX file its device pages (zeroed) / takes them back. */
int dax_file_setup(struct file *file);
void dax_file_release(struct file *file);
/* machine teardown: forgets the device-page bitmap. */
void dax_release_all(void);
/* hugetlbfs ->mmap: alignment, VM_HUGETLB, reservation check. */
int hugetlbfs_file_mmap(struct file *file, struct vm_area_struct *vma);
/* The PMD leaf entry mapping a hugetlb (or THP-sized) folio in vma. */
pmd_t make_huge_pmd(struct folio *folio, struct vm_area_struct *vma,
		    bool writable);

/* ======================================================================
 * faults, zap, user access                 (mm/memory.c, mm/uaccess.c)
 * ====================================================================== */

/* Callers hold mmap_read_lock (or write). Never returns VM_FAULT_RETRY. */
vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags);
/* Removes every mapping in [start, end) of vma; pins keep their folios. */
void zap_page_range_single(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end);
/* mprotect's page-table half: new protection for [start, end). */
void change_protection(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, unsigned long newflags);
/* Moves the entries of [old_addr, old_addr+len) to new_addr (mremap.c). */
int move_page_tables(struct vm_area_struct *vma, unsigned long old_addr,
		     struct vm_area_struct *new_vma, unsigned long new_addr,
		     unsigned long len);
/* Waits until the migration entry at ptep is gone (ptl not held). */
void migration_entry_wait(struct mm_struct *mm, pte_t *ptep);

/*
 * How memory.c calls a file's vm_ops (the ptl is never held across them):
 *  ->fault(vmf): vmf->vma, address, pgoff, flags, pmd and pte (the slot
 *    for address, in an allocated PTE table) are set; vmf->folio is NULL.
 *  ->page_mkwrite(vmf): vmf->folio holds a reference and is NOT locked;
 *    vmf->flags is FAULT_FLAG_WRITE|FAULT_FLAG_MKWRITE. It returns 0 (folio
 *    unlocked) or VM_FAULT_LOCKED (it locked the folio), or an error.
 */

/* Helpers shared by memory.c, huge_memory.c, mprotect.c, uaccess.c. */
/* The model's placement gfp bit for the VMA's place hint (0 for ANY). */
gfp_t vma_place_gfp(const struct vm_area_struct *vma);
/* The rss counter (anon, file or shmem) a mapping of folio counts in. */
atomic_long *mm_counter(struct mm_struct *mm, const struct folio *folio);
/* The page a present entry maps, NULL for special ones (zero page, PFN). */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);

/* THP (mm/huge_memory.c) */
bool vma_thp_allowed(const struct vm_area_struct *vma, unsigned long addr);
unsigned int thp_vma_allowable_orders(const struct vm_area_struct *vma);
vm_fault_t do_huge_pmd_anonymous_page(struct vm_fault *vmf);
vm_fault_t do_huge_pmd_wp_page(struct vm_fault *vmf);
/* Remaps a PMD-mapped THP with a PTE table; the folio stays large. */
void split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
		    unsigned long address);
void split_huge_pmd_address(struct vm_area_struct *vma, unsigned long address);

/* ======================================================================
 * fork                                                     (mm/fork.c)
 * ====================================================================== */

/* dup_mmap's page-table copy: COW protection, early copy of pinned anon. */
int copy_page_range(struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma);

/* ======================================================================
 * reverse mapping                                          (mm/rmap.c)
 * ====================================================================== */

/* Gives vma an anon_vma if it has none: 0 or -ENOMEM. */
int anon_vma_prepare(struct vm_area_struct *vma);
/*
 * At fork: the child's VMA joins the parent's anon_vma (its anon_node is
 * reinitialised first, so a vm_area_dup() copy is fine). It is also the
 * model's anon_vma_clone(): split_vma() and mremap() call it for the new
 * VMA so it finds the same anonymous folios. vma_link() does not touch the
 * anon_vma list; unlink_anon_vmas() takes the VMA off it (idempotent).
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct vm_area_struct *vma);

/* Mapcount and mapping bookkeeping; callers hold the ptl. */
void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags);
void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, int flags);
void folio_add_anon_rmap_pmd(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags);
void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma);
void folio_add_file_rmap_pmd(struct folio *folio, struct vm_area_struct *vma);
void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma);
void folio_remove_rmap_pmd(struct folio *folio, struct vm_area_struct *vma);

struct rmap_walk_control {
	void *arg;
	/* Called for each VMA that may map the folio; false stops the walk. */
	bool (*rmap_one)(struct folio *folio, struct vm_area_struct *vma,
			 unsigned long address, void *arg);
};
/*
 * rmap_one gets the address of the folio's first page in the VMA; for a
 * large folio mapped only in part, that address may lie outside the VMA.
 * An anonymous folio that is not mapped is not walked.
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc);
/* The anon_vma of a mapped anon folio with a reference held, or NULL. */
struct anon_vma *folio_get_anon_vma(struct folio *folio);
void anon_vma_put(struct anon_vma *av);
/* rmap_walk() over a held anon_vma, even once the folio is unmapped. */
void rmap_walk_anon_vma(struct folio *folio, struct anon_vma *av,
			struct rmap_walk_control *rwc);

/*
 * page_vma_mapped_walk() reduced to what the model needs: the PTE or PMD
 * of vma that maps page at address, with mm->page_table_lock taken; NULL
 * (lock not held) when it is not mapped there. Migration entries for the
 * page are found too when migration is true.
 */
uint64_t *page_vma_mapped(struct page *page, struct vm_area_struct *vma,
			  unsigned long address, bool migration,
			  bool *is_pmd);

/* ======================================================================
 * migration                                              (mm/migrate.c)
 * ====================================================================== */

enum migrate_reason { MR_LONGTERM_PIN, MR_CONTIG_RANGE, MR_SYSCALL };

/* Takes a reference and clears PG_lru: false if not on an LRU. */
bool folio_isolate_lru(struct folio *folio);
/* Undoes folio_isolate_lru(). */
void folio_putback_lru(struct folio *folio);
void putback_movable_pages(struct list_head *l);

typedef struct folio *(*new_folio_t)(struct folio *src, unsigned long priv);

/*
 * split_huge_page(): a PTE-mapped large anon folio (locked, a reference
 * held) becomes small folios, each mapped where its page was; 0, or
 * -EAGAIN when something beyond its mappings holds it (a pin), -EINVAL
 * when it is not such a folio. Lock and reference stay with the head.
 */
int split_huge_page(struct folio *folio);
/*
 * Migrates every isolated folio on `from` (linked through page.lru) to a
 * folio from get_new_folio. Folios that could not move (extra references:
 * a pin) stay on the list. Returns the number that failed (0: all moved)
 * or -ENOMEM (get_new_folio gave nothing: the unprocessed folios stay on
 * the list too). Busy folios (locked, extra references) are retried for up
 * to 10 passes, as in the kernel; hugetlb and device folios never move.
 * Callers put back what is left with putback_movable_pages().
 */
int migrate_pages(struct list_head *from, new_folio_t get_new_folio,
		  unsigned long priv, enum migrate_reason reason,
		  unsigned int *nr_succeeded);
/* The references a folio has when only mappings and the caches hold it. */
int folio_expected_ref_count(struct folio *folio);
/* Allocation callback that keeps order and avoids CMA/ZONE_MOVABLE. */
struct folio *alloc_migration_target_pinnable(struct folio *src,
					      unsigned long priv);
/* Plain movable target of the same order (alloc_contig_range()). */
struct folio *alloc_migration_target(struct folio *src, unsigned long priv);

/* ======================================================================
 * invariants and dumps                                     (mm/debug.c)
 * ====================================================================== */

/*
 * One line of page state: "page pfn=0x.. refcount=N mapcount=N pins=N
 * (lt N) mapping=anon|file|none index=0x.. order=N zone=.. mt=.. flags=..".
 * Refcount, pins, mapping and order are the folio's; mapcount is the
 * page's own (the folio's total for the head of a large folio).
 */
int dump_page(char *buf, size_t len, struct page *page);
/*
 * Writes the model-warning log (mm_warn), one message a line, into buf
 * (from its start); returns how many warnings were recorded since the last
 * mm_warnings_clear() (the log keeps the first 64).
 */
int mm_warnings(char *buf, size_t len);
void mm_warnings_clear(void);

/* ======================================================================
 * GUP                                          (mm/gup.c, mm/gup_fast.c)
 * ====================================================================== */

/* try_grab_folio(): refs references of the kind flags says (GET or PIN). */
int try_grab_folio(struct folio *folio, int refs, unsigned int flags);
/* Undoes it. */
void gup_put_folio(struct folio *folio, int refs, unsigned int flags);
/*
 * Refuses (with a warning) flag combinations no caller may pass; adds
 * to_set to *gup_flags (and FOLL_UNLOCKABLE when locked is given).
 */
bool is_valid_gup_args(struct page **pages, int *locked,
		       unsigned int *gup_flags, unsigned int to_set);
bool gup_must_unshare(struct vm_area_struct *vma, unsigned int flags,
		      struct page *page);
/* Test-only: runs after the GUP-fast walk, before its fork check. */
extern void (*gup_fast_after_walk_hook)(struct mm_struct *mm);
long __gup_longterm_locked(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, struct page **pages,
			   int *locked, unsigned int gup_flags);

#endif /* GUPSIM_MM_INTERNAL_H */
