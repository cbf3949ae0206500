/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mm-internal declarations: the structures of the memory-manager model and
 * the calls between its files. No file outside mm/ includes this.
 *
 * Each section names the file that implements it. Declarations a file needs
 * to share are added to its own section.
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

#include "../lib/list.h"

#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * Reports a broken rule of the model (a bug, or API misuse such as unpinning
 * a page that was not pinned). It prints once per site and records the
 * message so check_invariants() fails; it never aborts, as WARN_ON_ONCE().
 */
void mm_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define VM_WARN(cond, ...)						\
	({ bool __c = !!(cond);						\
	   if (unlikely(__c)) mm_warn(__FILE__, __LINE__, __VA_ARGS__); \
	   __c; })

/*
 * Reports a caller's misuse of the API that the kernel answers with a
 * warning and an errno (bad gup_flags, say): printed once per site, but
 * not a broken invariant, so check_invariants() still passes.
 */
void mm_warn_misuse(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* How many misuse reports there were (tests assert on it). */
int mm_misuse_count(void);
#define VM_WARN_MISUSE(cond, ...)					\
	({ bool __c = !!(cond);						\
	   if (unlikely(__c))						\
		mm_warn_misuse(__FILE__, __LINE__, __VA_ARGS__);	\
	   __c; })

/* ======================================================================
 * struct page / struct folio                              (mm/folio.c)
 * ====================================================================== */

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
	NR_PAGEFLAGS
};

struct address_space;
struct anon_vma;

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

static inline bool page_flag_test(const struct page *page, int bit)
{
	return atomic_load_explicit((atomic_ulong *)&page->flags,
				    memory_order_acquire) & (1UL << bit);
}

static inline void page_flag_set(struct page *page, int bit)
{
	atomic_fetch_or_explicit(&page->flags, 1UL << bit,
				 memory_order_release);
}

static inline void page_flag_clear(struct page *page, int bit)
{
	atomic_fetch_and_explicit(&page->flags, ~(1UL << bit),
				  memory_order_release);
}

static inline bool page_flag_test_and_set(struct page *page, int bit)
{
	return atomic_fetch_or(&page->flags, 1UL << bit) & (1UL << bit);
}

static inline bool page_flag_test_and_clear(struct page *page, int bit)
{
	return atomic_fetch_and(&page->flags, ~(1UL << bit)) & (1UL << bit);
}

#define PAGEFLAG(Name, bit)						\
static inline bool Page##Name(const struct page *p)			\
	{ return page_flag_test(p, bit); }				\
static inline void SetPage##Name(struct page *p) { page_flag_set(p, bit); } \
static inline void ClearPage##Name(struct page *p)			\
	{ page_flag_clear(p, bit); }					\
static inline bool folio_test_##Name(const struct folio *f)		\
	{ return page_flag_test(&f->page, bit); }			\
static inline void folio_set_##Name(struct folio *f)			\
	{ page_flag_set(&f->page, bit); }				\
static inline void folio_clear_##Name(struct folio *f)		\
	{ page_flag_clear(&f->page, bit); }

PAGEFLAG(locked, PG_locked)
PAGEFLAG(referenced, PG_referenced)
PAGEFLAG(uptodate, PG_uptodate)
PAGEFLAG(dirty, PG_dirty)
PAGEFLAG(lru, PG_lru)
PAGEFLAG(head, PG_head)
PAGEFLAG(reserved, PG_reserved)
PAGEFLAG(writeback, PG_writeback)
PAGEFLAG(swapbacked, PG_swapbacked)
PAGEFLAG(AnonExclusive, PG_anon_exclusive)
PAGEFLAG(buddy, PG_buddy)
PAGEFLAG(table, PG_table)
PAGEFLAG(hugetlb, PG_hugetlb)
PAGEFLAG(zero, PG_zero)

/* The kernel's spellings of the same tests (PageBuddy, SetPageDirty...). */
#define PAGEFLAG_ALIAS(Kname, name)					\
static inline bool Page##Kname(const struct page *p)			\
	{ return Page##name(p); }					\
static inline void SetPage##Kname(struct page *p) { SetPage##name(p); } \
static inline void ClearPage##Kname(struct page *p) { ClearPage##name(p); }

PAGEFLAG_ALIAS(Locked, locked)
PAGEFLAG_ALIAS(Referenced, referenced)
PAGEFLAG_ALIAS(Uptodate, uptodate)
PAGEFLAG_ALIAS(Dirty, dirty)
PAGEFLAG_ALIAS(LRU, lru)
PAGEFLAG_ALIAS(Head, head)
PAGEFLAG_ALIAS(Reserved, reserved)
PAGEFLAG_ALIAS(Writeback, writeback)
PAGEFLAG_ALIAS(SwapBacked, swapbacked)
PAGEFLAG_ALIAS(Buddy, buddy)
PAGEFLAG_ALIAS(Table, table)
PAGEFLAG_ALIAS(Zero, zero)

static inline bool PageTail(const struct page *page)
{
	return READ_ONCE(page->compound_head) & 1;
}

static inline struct page *compound_head(const struct page *page)
{
	unsigned long head = READ_ONCE(page->compound_head);

	if (head & 1)
		return (struct page *)(head - 1);
	return (struct page *)page;
}

static inline struct folio *page_folio(const struct page *page)
{
	return (struct folio *)compound_head(page);
}

static inline struct page *folio_page(struct folio *folio, unsigned long n)
{
	return &folio->page + n;
}

static inline bool folio_test_large(const struct folio *folio)
{
	return folio_test_head(folio);
}

static inline unsigned int folio_order(const struct folio *folio)
{
	return folio_test_large(folio) ? folio->page._folio_order : 0;
}

static inline unsigned long folio_nr_pages(const struct folio *folio)
{
	return 1UL << folio_order(folio);
}

static inline size_t folio_size(const struct folio *folio)
{
	return PAGE_SIZE << folio_order(folio);
}

static inline bool folio_test_anon(const struct folio *folio)
{
	return ((unsigned long)READ_ONCE(((struct folio *)folio)->page.mapping)
		& PAGE_MAPPING_ANON) != 0;
}

static inline struct anon_vma *folio_anon_vma(const struct folio *folio)
{
	unsigned long m = (unsigned long)folio->page.mapping;

	if (!(m & PAGE_MAPPING_ANON))
		return NULL;
	return (struct anon_vma *)(m - PAGE_MAPPING_ANON);
}

static inline struct address_space *folio_mapping(const struct folio *folio)
{
	unsigned long m = (unsigned long)folio->page.mapping;

	if (m & PAGE_MAPPING_ANON)
		return NULL;
	return (struct address_space *)m;
}

/*
 * ---- reference counts (atomic; see DESIGN.md "Invariants") ----
 * Who holds references: each PTE mapping a page of a folio holds one, each
 * PMD mapping one; the page cache holds folio_nr_pages() for a folio it
 * contains; a FOLL_GET holds one per page; a FOLL_PIN holds
 * GUP_PIN_COUNTING_BIAS on a small folio, one (plus _pincount) on a large
 * one; an isolated folio (migration) holds one; the allocator hands out
 * a folio with one, which its user keeps or drops.
 */

static inline int folio_ref_count(const struct folio *folio)
{
	return atomic_load((atomic_int *)&folio->page._refcount);
}

static inline int page_ref_count(const struct page *page)
{
	return folio_ref_count(page_folio(page));
}

static inline void folio_ref_add(struct folio *folio, int nr)
{
	atomic_fetch_add(&folio->page._refcount, nr);
}

static inline void folio_get(struct folio *folio)
{
	folio_ref_add(folio, 1);
}

static inline bool folio_ref_sub_and_test(struct folio *folio, int nr)
{
	return atomic_fetch_sub(&folio->page._refcount, nr) == nr;
}

/* Takes nr references unless the count is zero (a freed folio). */
static inline bool folio_ref_try_add(struct folio *folio, int nr)
{
	int old = atomic_load(&folio->page._refcount);

	do {
		if (old <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&folio->page._refcount, &old,
					       old + nr));
	return true;
}

static inline bool folio_try_get(struct folio *folio)
{
	return folio_ref_try_add(folio, 1);
}

/* Drops nr references; frees the folio when the last one goes. */
void folio_put_refs(struct folio *folio, int nr);

static inline void folio_put(struct folio *folio)
{
	folio_put_refs(folio, 1);
}

/*
 * ---- references and pins in one atomic (_ref_pins) ----
 * A pin is GUP_PIN_COUNTING_BIAS references (one on a large folio) plus
 * one in the model's _debug_pins; taking or dropping both with a single
 * 64-bit read-modify-write halves the locked instructions of the pin and
 * unpin hot paths. The refcount half never carries into the pin half: it
 * stays a positive int, and nothing is subtracted from either half
 * without checking that it holds that much.
 */
static inline unsigned long long ref_pins_delta(int nr, int pins)
{
	return (unsigned long long)(unsigned int)nr |
	       ((unsigned long long)(unsigned int)pins << 32);
}

static inline int ref_pins_refcount(unsigned long long v)
{
	return (int)(unsigned int)v;
}

static inline int ref_pins_pins(unsigned long long v)
{
	return (int)(unsigned int)(v >> 32);
}

/* Adds nr references and pins debug pins (the caller holds a reference). */
static inline void folio_ref_pins_add(struct folio *folio, int nr, int pins)
{
	atomic_fetch_add(&folio->page._ref_pins, ref_pins_delta(nr, pins));
}

/* The same unless the refcount is zero (a freed folio): GUP-fast. */
static inline bool folio_ref_pins_try_add(struct folio *folio, int nr,
					  int pins)
{
	unsigned long long old = atomic_load(&folio->page._ref_pins);

	do {
		if (ref_pins_refcount(old) <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&folio->page._ref_pins, &old,
					       old + ref_pins_delta(nr, pins)));
	return true;
}

/*
 * Drops nr references and pins debug pins in one atomic and frees the
 * folio when the last reference goes. 0 done, 1 done and freed;
 * -ENOENT: the folio holds fewer than pins pins (nothing changed, the
 * caller reports the bad unpin); -ERANGE: fewer than nr references
 * (reported here, nothing changed).
 */
int folio_put_ref_pins(struct folio *folio, int nr, int pins);

/* The refcount of a frozen folio (migration): expected -> 0 or fail. */
static inline bool folio_ref_freeze(struct folio *folio, int expected)
{
	return atomic_compare_exchange_strong(&folio->page._refcount,
					      &expected, 0);
}

static inline void folio_ref_unfreeze(struct folio *folio, int count)
{
	atomic_store(&folio->page._refcount, count);
}

/* ---- mapcounts (0-based in the model) ---- */

static inline int page_mapcount(const struct page *page)
{
	return atomic_load((atomic_int *)&page->_mapcount);
}

static inline int folio_entire_mapcount(const struct folio *folio)
{
	return atomic_load((atomic_int *)&folio->page._entire_mapcount);
}

/* Every mapping of the folio: each PTE of a page and each PMD counts one. */
static inline int folio_mapcount(const struct folio *folio)
{
	if (!folio_test_large(folio))
		return page_mapcount(&folio->page);
	return atomic_load((atomic_int *)&folio->page._large_mapcount);
}

static inline bool folio_mapped(const struct folio *folio)
{
	return folio_mapcount(folio) > 0;
}

/* ---- pins ---- */

/*
 * True if the folio may have a FOLL_PIN pin: exact for large folios, and for
 * small ones a refcount of GUP_PIN_COUNTING_BIAS or more (1024 plain
 * references look like a pin: false positives are allowed, false negatives
 * never).
 */
static inline bool folio_maybe_dma_pinned(const struct folio *folio)
{
	if (folio_test_large(folio))
		return atomic_load((atomic_int *)&folio->page._pincount) > 0;
	return (unsigned int)folio_ref_count(folio) >= GUP_PIN_COUNTING_BIAS;
}

/* Locks for folios: a bit lock (PG_locked); trylock never sleeps. */
bool folio_trylock(struct folio *folio);
void folio_lock(struct folio *folio);
void folio_unlock(struct folio *folio);

/* Prepares pages [0, 1 << order) as one compound folio with head page. */
void prep_compound_page(struct page *page, unsigned int order);
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

/* Task flags. */
#define PF_EXITING		0x0004u
#define PF_MEMALLOC_PIN		0x10000000u	/* allocations avoid CMA/MOVABLE */

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
	struct machine_config cfg;
	pthread_mutex_t lists_lock;	/* tasks, mms and files below */
	struct list_head tasks;
	struct list_head mms;
	struct list_head files;
	int next_pid;
};

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

unsigned long nr_free_pages(void);

/* ======================================================================
 * CMA                                                      (mm/cma.c)
 * ====================================================================== */

struct cma {
	unsigned long base_pfn;
	unsigned long count;
	unsigned long *bitmap;		/* one bit per page: allocated */
	pthread_mutex_t lock;
};

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
 * page tables                                           (mm/pgtable.c)
 * ====================================================================== */

/*
 * Entries are 64-bit words in page-table pages that live in simulated
 * memory. All access goes through the accessors below (atomic loads and
 * stores), since GUP-fast reads them without a lock.
 */
typedef uint64_t pte_t;
typedef uint64_t pmd_t;
typedef uint64_t pud_t;
typedef uint64_t pgd_t;

#define _PAGE_PRESENT	(1ULL << 0)
#define _PAGE_RW	(1ULL << 1)
#define _PAGE_USER	(1ULL << 2)
#define _PAGE_ACCESSED	(1ULL << 5)
#define _PAGE_DIRTY	(1ULL << 6)
#define _PAGE_PSE	(1ULL << 7)	/* pmd: maps a 2 MiB folio */
#define _PAGE_PROTNONE	(1ULL << 8)	/* present for the kernel, not user */
#define _PAGE_SPECIAL	(1ULL << 9)	/* no struct page to refcount (VM_PFNMAP) */
#define _PAGE_DEVMAP	(1ULL << 10)	/* fs-DAX device page */
#define _PAGE_PFN_SHIFT	12
#define _PAGE_PFN_MASK	(((1ULL << 40) - 1) << _PAGE_PFN_SHIFT)

/* Non-present, non-zero entries are swap-style entries: type and pfn. */
#define SWP_TYPE_SHIFT	1
#define SWP_TYPE_MASK	(0xfULL << SWP_TYPE_SHIFT)
enum swp_type {
	SWP_NONE = 0,
	SWP_MIGRATION_READ,
	SWP_MIGRATION_READ_EXCLUSIVE,	/* anon page was PageAnonExclusive */
	SWP_MIGRATION_WRITE,		/* was writable (implies exclusive) */
};

static inline uint64_t entry_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void entry_set(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint64_t entry_xchg(uint64_t *p, uint64_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL);
}

#define ptep_get(p)		entry_get(p)
#define pmdp_get(p)		entry_get(p)
#define set_pte(p, v)		entry_set(p, v)
#define set_pmd(p, v)		entry_set(p, v)
#define ptep_get_and_clear(p)	entry_xchg(p, 0)
#define pmdp_get_and_clear(p)	entry_xchg(p, 0)

static inline bool pte_none(pte_t pte) { return pte == 0; }
static inline bool pte_present(pte_t pte)
{
	return pte & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline bool pte_protnone(pte_t pte)
{
	return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline bool pte_write(pte_t pte) { return pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t pte) { return pte & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t pte) { return pte & _PAGE_SPECIAL; }
static inline bool pte_devmap(pte_t pte) { return pte & _PAGE_DEVMAP; }
static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT;
}
static inline pte_t pte_mkwrite(pte_t pte) { return pte | _PAGE_RW; }
static inline pte_t pte_wrprotect(pte_t pte) { return pte & ~_PAGE_RW; }
static inline pte_t pte_mkdirty(pte_t pte) { return pte | _PAGE_DIRTY; }
static inline pte_t pte_mkclean(pte_t pte) { return pte & ~_PAGE_DIRTY; }
static inline pte_t pte_mkyoung(pte_t pte) { return pte | _PAGE_ACCESSED; }

/*
 * A present entry for pfn with the protection vm_get_page_prot() gives
 * vm_flags: no access bit -> PROT_NONE entry; writable only for a shared
 * writable mapping (private writable mappings start read-only: COW; the
 * fault path makes exclusive pages writable, and write-protects shared
 * mappings that want write-notify).
 */
pte_t pfn_pte(unsigned long pfn, unsigned long vm_flags);
static inline pte_t mk_pte(struct page *page, unsigned long vm_flags)
{
	return pfn_pte(page_to_pfn(page), vm_flags);
}
/* Rewrites the protection bits of a present entry for new vm_flags. */
pte_t pte_modify(pte_t pte, unsigned long vm_flags);

static inline bool pmd_none(pmd_t pmd) { return pmd == 0; }
static inline bool pmd_present(pmd_t pmd)
{
	return pmd & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline bool pmd_leaf(pmd_t pmd)
{
	return pmd_present(pmd) && (pmd & _PAGE_PSE);
}
static inline bool pmd_trans_huge(pmd_t pmd) { return pmd_leaf(pmd); }
static inline unsigned long pmd_pfn(pmd_t pmd) { return pte_pfn(pmd); }
#define pmd_write(p)	pte_write(p)
#define pmd_dirty(p)	pte_dirty(p)
#define pmd_protnone(p)	pte_protnone(p)
#define pmd_devmap(p)	pte_devmap(p)
static inline pmd_t pmd_mkhuge(pmd_t pmd) { return pmd | _PAGE_PSE; }

static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}
static inline enum swp_type swp_type(pte_t pte)
{
	return (enum swp_type)((pte & SWP_TYPE_MASK) >> SWP_TYPE_SHIFT);
}
static inline unsigned long swp_offset_pfn(pte_t pte) { return pte_pfn(pte); }
static inline bool is_migration_entry(pte_t pte)
{
	return is_swap_pte(pte) && swp_type(pte) != SWP_NONE;
}
static inline bool is_writable_migration_entry(pte_t pte)
{
	return is_migration_entry(pte) && swp_type(pte) == SWP_MIGRATION_WRITE;
}
static inline pte_t make_migration_entry(unsigned long pfn, enum swp_type type)
{
	return ((uint64_t)pfn << _PAGE_PFN_SHIFT) |
	       ((uint64_t)type << SWP_TYPE_SHIFT);
}
/* A PMD-level migration entry carries _PAGE_PSE too. */

static inline unsigned long pgd_index(unsigned long a)
{
	return (a >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}
static inline unsigned long pud_index(unsigned long a)
{
	return (a >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}
static inline unsigned long pmd_index(unsigned long a)
{
	return (a >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}
static inline unsigned long pte_index(unsigned long a)
{
	return (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* A table entry (pgd/pud/pmd) pointing at the next-level table page. */
uint64_t mk_table_entry(struct page *table);
/* The table page an upper entry points at (entry must be present). */
uint64_t *table_entry_target(uint64_t entry);

int pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm);
/*
 * Walks to the PMD entry for addr: NULL if an upper level is missing (the
 * _alloc variant allocates missing tables, NULL then means -ENOMEM).
 * Callers hold mmap_lock; allocation takes mm->page_table_lock.
 */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr);
pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr);
/* The PTE for addr under a PMD that points at a PTE table, or NULL. */
pte_t *pte_offset(pmd_t *pmd, unsigned long addr);
/* Same, allocating the PTE table when the PMD is none (NULL: -ENOMEM). */
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
/* Frees page tables wholly inside [floor, ceiling) that map nothing. */
void free_pgtables(struct mm_struct *mm, unsigned long floor,
		   unsigned long ceiling);
/* Frees a table page after every lockless walker is done (call_rcu). */
void pte_free_deferred(struct page *table);

/* ---- page-table walking helpers                         (mm/memory.c) ---- */

/*
 * The ptl: the model has one page-table lock per mm (the kernel's split
 * PTE/PMD locks collapse into mm->page_table_lock). Macros, because
 * struct mm_struct is only defined further down this header.
 */
#define ptl_lock(mm)	pthread_mutex_lock(&(mm)->page_table_lock)
#define ptl_unlock(mm)	pthread_mutex_unlock(&(mm)->page_table_lock)

/* A PMD entry handled as one unit: a huge leaf or its migration entry. */
static inline bool pmd_is_huge(pmd_t pmd)
{
	return pmd_leaf(pmd) || (is_migration_entry(pmd) && (pmd & _PAGE_PSE));
}

/*
 * Takes the ptl and returns the PTE for addr if *pmd still points at a PTE
 * table; otherwise (none, or a huge entry installed or split meanwhile)
 * returns NULL with the ptl not held. Callers hold mmap_lock, so the table
 * cannot be freed while they use the pointer.
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr);

/*
 * What walk_pmd_range() does at each PMD step of a VMA's range.
 * ->huge_entry: a huge PMD entry covers the whole step (or the VMA is
 *   hugetlb, whose leaves are never split); haddr is the step's PMD-aligned
 *   start; the ptl is not held. It returns false when, under the ptl, the
 *   entry was no longer huge: the step is then walked at PTE level.
 * ->pte_range: [addr, end) within one PTE table (or where one may be: it
 *   must look under the ptl, pte_offset_map_lock()).
 */
struct pmd_walk_ops {
	bool (*huge_entry)(struct vm_area_struct *vma, pmd_t *pmd,
			   unsigned long haddr, void *private);
	void (*pte_range)(struct vm_area_struct *vma, pmd_t *pmd,
			  unsigned long addr, unsigned long end, void *private);
};

/*
 * Walks [start, end), clamped to vma, one PMD at a time: empty steps are
 * skipped, a huge entry that covers only part of a step is split first.
 * Callers hold mmap_lock (read is enough: every decision is re-checked
 * under the ptl by the ops, and tables go only under the write lock).
 */
void walk_pmd_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, const struct pmd_walk_ops *ops,
		    void *private);

/* ======================================================================
 * RCU (liburcu memb flavour, TSan annotations)              (mm/rcu.c)
 * ====================================================================== */

/* Threads register themselves on first use; nothing else to call. */
void mm_rcu_read_lock(void);
void mm_rcu_read_unlock(void);
/* Runs fn(arg) after a grace period. */
void mm_call_rcu(void (*fn)(void *arg), void *arg);
void mm_synchronize_rcu(void);
/* Waits for every callback queued so far (machine_destroy()). */
void mm_rcu_barrier(void);

/* ======================================================================
 * tasks, mm_struct, VMAs, mmap/munmap/mprotect/mremap/madvise (mm/vma.c)
 * ====================================================================== */

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

struct user_struct {
	atomic_long locked_vm;		/* io_uring and others charge the user */
	atomic_int refcount;
	unsigned int uid;
};

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
int do_madvise(struct mm_struct *mm, unsigned long start, unsigned long len,
	       int advice);
/* Unmaps everything and frees the page tables (last mmput). */
void exit_mmap(struct mm_struct *mm);
/* machine_destroy(): every task still alive exits. */
void exit_all_tasks(void);

/* Accounting (mm/mlock.c): see the public header. */
struct user_struct *alloc_uid(unsigned int uid);
void free_uid(struct user_struct *user);
/* Takes a reference on user (fork: the child shares the parent's). */
struct user_struct *get_uid(struct user_struct *user);

/* ======================================================================
 * files, page cache, shmem, fs-DAX, hugetlbfs
 *        (mm/filemap.c, mm/shmem.c, mm/dax.c, mm/hugetlb.c)
 * ====================================================================== */

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

struct file {
	char name[64];
	enum fs_type fs;
	size_t size;
	atomic_int f_count;
	struct address_space f_mapping;
	const struct vm_operations_struct *vm_ops;
	unsigned long dax_pfn;		/* fs-DAX: first device pfn */
	bool anon_hugetlb;		/* MAP_HUGETLB|MAP_ANONYMOUS backing */
	struct list_head files;		/* machine->files */
};

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
int shmem_zero_setup(struct vm_area_struct *vma);

/* fs-DAX (dax.c): device pages outside the buddy, handed out to files. */
int dax_alloc_range(unsigned long nr_pages, unsigned long *pfn);
void dax_free_range(unsigned long pfn, unsigned long nr_pages);

/* hugetlb (hugetlb.c): the pool of 2 MiB folios. */
/* The hidden hugetlbfs file behind MAP_HUGETLB|MAP_ANONYMOUS. */
struct file *hugetlb_file_setup(const char *name, size_t size);
bool is_file_hugepages(const struct file *file);
int hugetlb_pool_init(unsigned long nr);
void hugetlb_pool_destroy(void);
struct folio *alloc_hugetlb_folio(void);
void free_huge_folio(struct folio *folio);
unsigned long hugetlb_free_pages(void);
unsigned long hugetlb_total_pages(void);
/* Reserves nr huge pages for a mapping at mmap time: 0 or -ENOMEM. */
int hugetlb_reserve_pages(unsigned long nr);
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
/* Makes the entry writable if the VMA has VM_WRITE. */
static inline pte_t maybe_mkwrite(pte_t pte, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}
/* The page a present entry maps, NULL for special ones (zero page, PFN). */
struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);
/* An upper entry that points at a lower table (not none, not a leaf). */
static inline bool pmd_is_table(pmd_t pmd)
{
	return pmd_present(pmd) && !(pmd & _PAGE_PSE);
}
static inline bool is_pmd_migration_entry(pmd_t pmd)
{
	return is_migration_entry(pmd) && (pmd & _PAGE_PSE);
}
static inline bool pte_same(pte_t a, pte_t b) { return a == b; }

/* THP (mm/huge_memory.c) */
bool vma_thp_allowed(const struct vm_area_struct *vma, unsigned long addr);
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

struct anon_vma {
	struct anon_vma *root;
	atomic_int refcount;
	pthread_mutex_t lock;		/* the vmas list */
	struct list_head vmas;		/* every VMA of the fork family */
};

#define RMAP_EXCLUSIVE	0x1

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
 * The bookkeeping of refs pins whose references and debug pins the caller
 * already took in one atomic (folio_ref_pins_add(), or its try variant in
 * GUP-fast): _pincount of a large folio, nr_foll_pin_acquired and the
 * model's long-term debug pin count.
 */
void gup_account_pin(struct folio *folio, int refs, unsigned int flags);
/*
 * The same without nr_foll_pin_acquired, for a caller that counts a whole
 * batch at once (GUP-fast: one shared counter per page would make threads
 * pinning disjoint memory contend on one cache line).
 */
void __gup_account_pin(struct folio *folio, int refs, unsigned int flags);
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
