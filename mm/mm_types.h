/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The structures of the memory-manager model (the kernel's
 * include/linux/mm_types.h and its neighbours): pages and folios, zones,
 * the machine, address spaces, tasks, VMAs, files, faults and anon_vmas.
 * Above each structure: what it models and the invariants that hold of it
 * (the invariant checker in debug.c tests most of them).
 */
#ifndef GUPSIM_MM_MM_TYPES_H
#define GUPSIM_MM_MM_TYPES_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>
#include <gupsim/types.h>

#include "../lib/compiler.h"
#include "../lib/list.h"

/*
 * Page flags live in struct page's flags word and change with atomic
 * bit operations only: GUP-fast, the compaction scan and the invariant
 * checker read them without any lock (page-flags.h).
 */
enum pageflags {
	PG_locked,		/* folio lock (migration, page cache) */
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,			/* on an LRU: may be isolated for migration */
	PG_head,		/* first page of a large folio */
	PG_reserved,		/* never freed (the zero page) */
	PG_writeback,
	PG_swapbacked,		/* anon or shmem */
	PG_anon_exclusive,	/* per page: mapped by exactly one process */
	PG_buddy,		/* free, head of a buddy block of order private */
	PG_table,		/* a page-table page */
	PG_hugetlb,		/* a hugetlb folio (head) */
	PG_zero,		/* the shared zero page */
	PG_swapcache,		/* anon folio in the swap cache (swapfile.c) */
	NR_PAGEFLAGS
};

struct address_space;
struct anon_vma;

/*
 * struct page: one per page frame (RAM and device), in machine->mem_map.
 * Invariants (debug.c checks them):
 *  - a frame is either free in the buddy allocator (the head of its free
 *    block has PG_buddy, private == the block's order and refcount 0, the
 *    other pages are untouched) or allocated with _refcount > 0;
 *  - refcount >= mappings + pin references (GUP_PIN_COUNTING_BIAS per pin
 *    of a small folio, one per pin of a large one) + the page cache's;
 *  - a tail page's compound_head is its head's address | 1, and only the
 *    head's counts (_refcount, _debug_pins, _pincount...) are used;
 *  - _debug_lt_pins <= _debug_pins, and no frame in CMA or ZONE_MOVABLE
 *    holds a long-term pin;
 *  - an untouched (all-zero) struct page is a valid unused one, which is
 *    why the mapcounts are 0-based.
 */
struct page {
	/*
	 * The fields every pin and unpin touches come first, so that on most
	 * pages they share one cache line: flags, compound_head, the
	 * reference and pin counts, _mapcount and mapping (GUP-fast checks
	 * it for long-term write pins).
	 */
	atomic_ulong flags;
	unsigned long compound_head;	/* tail page: head address | 1 */
	/*
	 * _refcount and the model-only exact pin count (_debug_pins, head
	 * page) share one 64-bit word, so that a pin or an unpin updates both
	 * with one atomic read-modify-write (_ref_pins, see
	 * folio_ref_pins_try_add()) instead of two: each locked instruction
	 * on a struct page that is not in the cache costs several ns. Either
	 * half may still be used on its own as an atomic_int.
	 */
	union {
		atomic_ullong _ref_pins;	/* _refcount | _debug_pins << 32 */
		struct {
			atomic_int _refcount;
			atomic_int _debug_pins;
		};
	};
	/* head page: model-only, how many of _debug_pins are long-term */
	atomic_int _debug_lt_pins;
	atomic_int _mapcount;		/* PTE mappings of this page, 0-based */
	/* file page: its address_space; anon: anon_vma | PAGE_MAPPING_ANON */
	void *mapping;
	struct list_head lru;		/* buddy free list, LRU isolation, pool */
	pgoff_t index;			/* offset in mapping, in pages */
	unsigned long private;		/* buddy: order of the free block */
	/* head page of a large folio only */
	atomic_int _entire_mapcount;	/* PMD mappings of the folio */
	atomic_int _large_mapcount;	/* all mappings of the folio (PTE+PMD) */
	atomic_int _pincount;		/* exact pins of a large folio */
	unsigned int _folio_order;
};

/* _ref_pins keeps _refcount in its low half: a little-endian layout. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "struct page: _ref_pins needs a little-endian machine");
_Static_assert(__builtin_offsetof(struct page, _ref_pins) % 8 == 0,
	       "struct page: _ref_pins must be 8-byte aligned");

/* A folio is its head page; the cast is the whole conversion. */
struct folio {
	struct page page;
};

#define PAGE_MAPPING_ANON	0x1UL

/* ---- physical memory: zones and pageblocks (mm/page_alloc.c) ---- */

enum zone_type { ZONE_NORMAL, ZONE_MOVABLE, ZONE_DEVICE, MAX_NR_ZONES };

enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_RECLAIMABLE,
	MIGRATE_CMA,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES
};

#define MAX_PAGE_ORDER		10
#define NR_PAGE_ORDERS		(MAX_PAGE_ORDER + 1)
#define pageblock_order		HPAGE_PMD_ORDER
#define pageblock_nr_pages	(1UL << pageblock_order)

struct free_area {
	struct list_head free_list[MIGRATE_TYPES];
	unsigned long nr_free;
};

/*
 * A zone: a pfn range [zone_start_pfn, + spanned_pages) and its buddy
 * allocator. Invariants, all under lock: a free block of order o is
 * naturally aligned, lies in this zone and sits on free_area[o] of its
 * pageblock's migratetype; nr_free counts every free page (the deferred
 * ones too), nr_free_cma those in MIGRATE_CMA pageblocks.
 */
struct zone {
	const char *name;
	enum zone_type idx;
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;
	pthread_mutex_t lock;		/* free lists and pageblock types */
	struct free_area free_area[NR_PAGE_ORDERS];
	atomic_long nr_free;		/* free pages in the buddy allocator */
	atomic_long nr_free_cma;	/* of them, in MIGRATE_CMA pageblocks */
	unsigned long managed_pages;
	/*
	 * Deferred initialisation (the kernel's DEFERRED_STRUCT_PAGE_INIT):
	 * boot memory of each migratetype not yet put on the free lists,
	 * [start, end) in MAX_PAGE_ORDER blocks whose struct pages were never
	 * written. They count in nr_free (and nr_free_cma) and are free for
	 * every purpose; the allocator hands them out from the top down
	 * when the MAX_PAGE_ORDER list of their type runs empty, which is
	 * the order a fully initialised free list would give. Under lock.
	 */
	struct {
		unsigned long start, end;
	} deferred[MIGRATE_TYPES];
};

/* ---- page-table entries (accessors in mm/pgtable.h) ---- */

typedef uint64_t pte_t;
typedef uint64_t pmd_t;
typedef uint64_t pud_t;
typedef uint64_t pgd_t;

/* ---- address spaces, tasks and VMAs (mm/vma.c, mm/fork.c) ---- */

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_PFNMAP	0x00000400UL
#define VM_LOCKED	0x00002000UL
#define VM_IO		0x00004000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL
#define VM_WIPEONFORK	0x02000000UL
#define VM_DONTDUMP	0x04000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL
#define VM_NOHUGEPAGE	0x40000000UL
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)

/* mm->flags bits */
#define MMF_HAS_PINNED	0	/* FOLL_PIN was used on this mm: fork checks */

/*
 * The per-user accounting io_uring and AF_XDP charge (mm/mlock.c): shared
 * by a task and the children it forks, freed when refcount drops to 0;
 * locked_vm only grows by a compare-and-swap that keeps it within the
 * caller's limit.
 */
struct user_struct {
	atomic_long locked_vm;		/* io_uring and others charge the user */
	atomic_int refcount;
	unsigned int uid;
};

/*
 * An address space. Invariants:
 *  - the VMAs on mmap are sorted by address and do not overlap, and
 *    map_count is their number; both change only with mmap_lock held for
 *    write;
 *  - every PTE and PMD update holds page_table_lock; GUP-fast reads the
 *    tables without it, through the atomic accessors of pgtable.h;
 *  - mm_users counts the tasks using it and the mmget() references; the
 *    last mmput() tears it down (exit_mmap), so a walker that holds
 *    neither may not touch it;
 *  - the rss counters, pinned_vm and locked_vm are atomics: drivers and
 *    GUP change them without the mmap_lock.
 */
struct mm_struct {
	pgd_t *pgd;
	struct page *pgd_page;
	pthread_rwlock_t mmap_lock;
	atomic_int mmap_lock_readers;	/* lockdep-lite: asserts only */
	atomic_int mmap_lock_writer;
	pthread_mutex_t page_table_lock; /* every PTE/PMD update of this mm */
	struct list_head mmap;		/* VMAs sorted by address */
	int map_count;
	unsigned long mmap_base;	/* top-down search starts here */
	/* bumped (odd while in progress) by fork around its COW protection */
	atomic_uint write_protect_seq;
	atomic_ulong flags;		/* MMF_* */
	atomic_long pinned_vm;
	atomic_long locked_vm;
	atomic_long rss_anon, rss_file, rss_shmem;
	atomic_int mm_users;
	struct list_head mm_list;	/* machine->mms */
	struct task_struct *owner;
};

/*
 * A task: current is the one the calling thread runs as (a thread-local
 * pointer). It owns one mm_users reference on mm and one reference on
 * user; only its own thread changes flags (the memalloc_pin scope).
 */
struct task_struct {
	char comm[32];
	int pid;
	unsigned int flags;		/* PF_* */
	struct mm_struct *mm;
	unsigned long rlimit_memlock;
	bool cap_ipc_lock;
	struct user_struct *user;
	struct list_head tasks;		/* machine->tasks */
};

struct vm_operations_struct;

/*
 * A VMA: [vm_start, vm_end), page aligned and not empty (PMD aligned for
 * hugetlb). Invariants:
 *  - while linked, its range changes only with the mmap_lock held for
 *    write and the rmap locks (anon_vma->lock, i_mmap_rwsem) held, since
 *    reverse-map walkers take those and not the mmap_lock;
 *  - vm_flags of a linked VMA change only with the mmap_lock held for
 *    write, through vm_flags_reset() and friends (WRITE_ONCE); lockless
 *    readers use vm_flags_read_once() (internal.h);
 *  - anonymous (vm_ops NULL) or file backed (vm_file referenced, vm_ops
 *    its file's); anon_vma is set once, by the first anonymous fault or
 *    at fork, and then stays until the VMA is unlinked.
 */
struct vm_area_struct {
	unsigned long vm_start, vm_end;
	unsigned long vm_flags;
	unsigned long vm_pgoff;		/* in pages; anon: vm_start >> PAGE_SHIFT
					 * at creation, kept by mremap */
	struct file *vm_file;
	const struct vm_operations_struct *vm_ops;
	struct anon_vma *anon_vma;
	struct mm_struct *vm_mm;
	enum place_hint place;
	struct list_head vm_list;	/* mm->mmap */
	struct list_head shared;	/* address_space->i_mmap */
	struct list_head anon_node;	/* anon_vma->vmas */
};

/* ---- the machine (mm/mm_init.c) and its CMA area (mm/cma.c) ---- */

/* Task flags. */
#define PF_EXITING		0x0004u
#define PF_MEMALLOC_PIN		0x10000000u	/* allocations avoid CMA/MOVABLE */

/*
 * The one simulated machine (the global machine, NULL when none):
 * mem_map and phys_base cover [0, total_pfns) and are reserved, not
 * touched, at boot (mm_init.c); zero_page is PG_reserved and never freed;
 * the lists are changed under lists_lock. machine_destroy() ends every
 * task and file and then expects every RAM frame to be free.
 */
struct machine {
	unsigned long ram_pages;	/* pfns [0, ram_pages) are RAM */
	unsigned long mmio_start_pfn;	/* VM_IO mappings map this window */
	unsigned long mmio_pages;
	unsigned long dax_start_pfn;	/* fs-DAX device pages */
	unsigned long dax_pages;
	unsigned long total_pfns;	/* RAM + device */
	struct page *mem_map;		/* sparse: MAP_NORESERVE */
	unsigned char *phys_base;	/* page contents, MAP_NORESERVE */
	size_t mem_map_bytes, phys_bytes;
	struct zone zones[MAX_NR_ZONES];
	unsigned char *pageblock_mt;	/* migratetype of each RAM pageblock */
	struct page *zero_page;
	enum thp_mode thp;
	unsigned int thp_orders;	/* anon THP orders allowed (bit N) */
	struct machine_config cfg;
	pthread_mutex_t lists_lock;	/* tasks, mms and files below */
	struct list_head tasks;
	struct list_head mms;
	struct list_head files;
	int next_pid;
};

/*
 * The CMA area: [base_pfn, base_pfn + count), MIGRATE_CMA pageblocks at
 * the end of ZONE_NORMAL. A bitmap bit is set exactly for the pages
 * cma_alloc() handed out and cma_release() has not taken back (under
 * lock); the other pages are free or lent to movable allocations.
 */
struct cma {
	unsigned long base_pfn;
	unsigned long count;
	unsigned long *bitmap;		/* one bit per page: allocated */
	pthread_mutex_t lock;
};

/* ---- files and their page cache (mm/filemap.c and friends) ---- */

struct vm_fault;
typedef unsigned int vm_fault_t;

struct vm_operations_struct {
	const char *name;
	/*
	 * ->fault either returns the folio in vmf->folio (locked, with a
	 * reference; memory.c maps it) or installs the entry itself and
	 * returns VM_FAULT_NOPAGE (fs-DAX, hugetlb).
	 */
	vm_fault_t (*fault)(struct vm_fault *vmf);
	/* a shared writable mapping's first write: dirty tracking */
	vm_fault_t (*page_mkwrite)(struct vm_fault *vmf);
};

/*
 * A file's page cache. A cached folio fills every slot it covers
 * (i_pages[index + i] for each of its pages), has mapping pointing here
 * and each page's index its slot; the cache holds folio_nr_pages()
 * references on it. The slots change under i_pages_lock, the VMA list
 * under i_mmap_rwsem.
 */
struct address_space {
	struct file *host;
	enum fs_type fs;
	pthread_mutex_t i_pages_lock;	/* the page cache slots */
	struct folio **i_pages;		/* one slot per page index */
	unsigned long nr_slots;
	pthread_rwlock_t i_mmap_rwsem;
	struct list_head i_mmap;	/* VMAs mapping this file */
	bool can_writeback;		/* mapping_can_writeback() */
	unsigned long nrpages;
};

/*
 * An open file of one of the model's filesystems: f_count references
 * (each VMA mapping it holds one); the last fput() drops its page cache.
 */
struct file {
	char name[64];
	enum fs_type fs;
	size_t size;
	atomic_int f_count;
	struct address_space f_mapping;
	const struct vm_operations_struct *vm_ops;
	unsigned long dax_pfn;		/* fs-DAX: first device pfn */
	bool anon_hugetlb;		/* MAP_HUGETLB|MAP_ANONYMOUS backing */
	unsigned int huge_order;	/* hugetlbfs: its page size's order */
	struct list_head files;		/* machine->files */
};

/* ---- faults (mm/memory.c) ---- */

enum fault_flag {
	FAULT_FLAG_WRITE	= 1 << 0,
	FAULT_FLAG_MKWRITE	= 1 << 1,
	FAULT_FLAG_ALLOW_RETRY	= 1 << 2,
	FAULT_FLAG_RETRY_NOWAIT	= 1 << 3,
	FAULT_FLAG_KILLABLE	= 1 << 4,
	FAULT_FLAG_TRIED	= 1 << 5,
	FAULT_FLAG_USER		= 1 << 6,
	FAULT_FLAG_REMOTE	= 1 << 7,
	FAULT_FLAG_INSTRUCTION	= 1 << 8,
	FAULT_FLAG_INTERRUPTIBLE = 1 << 9,
	FAULT_FLAG_UNSHARE	= 1 << 10,	/* never with FAULT_FLAG_WRITE */
	FAULT_FLAG_ORIG_PTE_VALID = 1 << 11,
};

#define VM_FAULT_OOM		0x000001
#define VM_FAULT_SIGBUS		0x000002
#define VM_FAULT_MAJOR		0x000004
#define VM_FAULT_HWPOISON	0x000010
#define VM_FAULT_SIGSEGV	0x000040
#define VM_FAULT_NOPAGE		0x000100
#define VM_FAULT_LOCKED		0x000200
#define VM_FAULT_RETRY		0x000400
#define VM_FAULT_FALLBACK	0x000800
#define VM_FAULT_DONE_COW	0x001000
#define VM_FAULT_ERROR	(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
			 VM_FAULT_HWPOISON)

/*
 * One fault being handled (memory.c): the fields above folio are set
 * before ->fault is called; pte points into an allocated PTE table, and
 * orig_pte is what the fault saw there, rechecked under the ptl before
 * anything is installed.
 */
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned long address;		/* page aligned */
	unsigned int flags;		/* FAULT_FLAG_* */
	pgoff_t pgoff;
	pmd_t *pmd;
	pte_t *pte;
	pte_t orig_pte;
	struct folio *folio;		/* set by ->fault: locked, referenced */
};

/* ---- reverse mapping (mm/rmap.c) ---- */

/*
 * The reverse map of anonymous memory: every VMA of a fork family that may
 * map its folios is on vmas (under lock). A mapped anonymous folio's
 * mapping points at its anon_vma (| PAGE_MAPPING_ANON); the anon_vma lives
 * while a VMA or a reference (folio_get_anon_vma()) holds it, and is freed
 * after an RCU grace period, since walkers read ->mapping without a lock.
 */
struct anon_vma {
	struct anon_vma *root;
	atomic_int refcount;
	pthread_mutex_t lock;		/* the vmas list */
	struct list_head vmas;		/* every VMA of the fork family */
};

#define RMAP_EXCLUSIVE	0x1

#endif /* GUPSIM_MM_MM_TYPES_H */
