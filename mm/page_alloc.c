// SPDX-License-Identifier: GPL-2.0
/*
 * Physical memory: zones, pageblock migratetypes, the buddy allocator, gfp
 * handling and the memalloc_pin scope, and contiguous range allocation (the
 * engine under CMA). mm_init.c lays the machine out and boots it.
 *
 * Layout, in page frame numbers:
 *
 *	[0, ram_pages)		RAM
 *	    ZONE_NORMAL		[0, ram_pages - movable)
 *	        CMA area	the last `cma` bytes of ZONE_NORMAL
 *	    ZONE_MOVABLE	the last `movable` bytes of RAM
 *	[mmio_start_pfn, +8M)	MMIO window		ZONE_DEVICE
 *	[dax_start_pfn, +dev)	fs-DAX device memory	ZONE_DEVICE
 *
 * Invariants of the buddy allocator (all under zone->lock):
 *  - a free block of order o is naturally aligned, lies in one zone, has
 *    PG_buddy and private == o on its head and refcount 0 on every page;
 *  - it sits on free_area[o].free_list[mt] where mt is the migratetype of
 *    its pageblock (a block larger than a pageblock has all its pageblocks
 *    of that one type);
 *  - zone->nr_free counts every page on the zone's free lists, and
 *    zone->nr_free_cma those on MIGRATE_CMA lists.
 * The struct pages of a free block other than its head are not touched,
 * so untouched memory stays untouched (mem_map is MAP_NORESERVE).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "explain.h"
#include "trace.h"

struct machine *machine;

/* memalloc_pin scope of a thread that runs without a simulated task. */
static __thread unsigned int memalloc_flags_no_task;

/* ---- zones and pageblocks ---- */

enum zone_type page_zonenum(const struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (pfn >= machine->ram_pages)
		return ZONE_DEVICE;
	if (pfn >= machine->zones[ZONE_MOVABLE].zone_start_pfn &&
	    machine->zones[ZONE_MOVABLE].spanned_pages)
		return ZONE_MOVABLE;
	return ZONE_NORMAL;
}

struct zone *page_zone(const struct page *page)
{
	return &machine->zones[page_zonenum(page)];
}

static int pfn_migratetype(unsigned long pfn)
{
	if (pfn >= machine->ram_pages)
		return MIGRATE_MOVABLE;
	return READ_ONCE(machine->pageblock_mt[pfn >> pageblock_order]);
}

int get_pageblock_migratetype(const struct page *page)
{
	return pfn_migratetype(page_to_pfn(page));
}

/* Callers hold zone->lock and move the block's free pages themselves. */
static void set_pfn_migratetype(unsigned long pfn, int mt)
{
	WRITE_ONCE(machine->pageblock_mt[pfn >> pageblock_order],
		   (unsigned char)mt);
}

void set_pageblock_migratetype(struct page *page, int migratetype)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *zone;

	if (VM_WARN(pfn >= machine->ram_pages ||
		    (unsigned int)migratetype >= MIGRATE_TYPES,
		    "set_pageblock_migratetype: pfn %#lx mt %d", pfn,
		    migratetype))
		return;
	/* A deferred block's list is its range's type: settle them first. */
	zone = page_zone(page);
	spin_lock(&zone->lock);
	deferred_init_zone(zone);
	set_pfn_migratetype(pfn, migratetype);
	spin_unlock(&zone->lock);
}

bool is_migrate_cma_page(const struct page *page)
{
	return get_pageblock_migratetype(page) == MIGRATE_CMA;
}

/*
 * A long-term pin must not sit where memory has to stay movable: CMA and
 * isolated pageblocks, ZONE_MOVABLE, and device (fs-DAX) memory. The zero
 * page is shared and never migrated, so "pinning" it is harmless.
 */
bool folio_is_longterm_pinnable(struct folio *folio)
{
	/* GUP-fast asks for every page: one pfn, no calls. */
	unsigned long pfn = (unsigned long)(&folio->page - machine->mem_map);
	const struct zone *movable = &machine->zones[ZONE_MOVABLE];
	int mt;

	if (unlikely(pfn >= machine->ram_pages))
		return false;		/* ZONE_DEVICE */
	mt = READ_ONCE(machine->pageblock_mt[pfn >> pageblock_order]);
	if (mt == MIGRATE_CMA || mt == MIGRATE_ISOLATE)
		return false;
	if (unlikely(&folio->page == machine->zero_page))
		return true;
	return !(movable->spanned_pages && pfn >= movable->zone_start_pfn);
}

enum page_zone_kind page_zone_kind(struct page *page)
{
	if (!machine || !page)
		return PZ_NONE;
	switch (page_zonenum(page)) {
	case ZONE_DEVICE:
		return PZ_DEVICE;
	case ZONE_MOVABLE:
		return PZ_MOVABLE;
	default:
		return is_migrate_cma_page(page) ? PZ_CMA : PZ_NORMAL;
	}
}

/* ---- free lists (zone->lock held) ---- */

static void account_free(struct zone *zone, long nr, int mt)
{
	atomic_fetch_add_explicit(&zone->nr_free, nr, memory_order_relaxed);
	if (mt == MIGRATE_CMA)
		atomic_fetch_add_explicit(&zone->nr_free_cma, nr,
					  memory_order_relaxed);
}

static void add_to_free_list(struct zone *zone, struct page *page,
			     unsigned int order, int mt)
{
	/* Read locklessly by the range scan, hence WRITE_ONCE. */
	WRITE_ONCE(page->private, order);
	SetPagebuddy(page);
	list_add(&page->lru, &zone->free_area[order].free_list[mt]);
	zone->free_area[order].nr_free++;
	account_free(zone, 1L << order, mt);
}

static void del_from_free_list(struct zone *zone, struct page *page,
			       unsigned int order, int mt)
{
	list_del_init(&page->lru);
	ClearPagebuddy(page);
	WRITE_ONCE(page->private, 0UL);
	zone->free_area[order].nr_free--;
	account_free(zone, -(1L << order), mt);
}

/*
 * Deferred initialisation: the boot blocks of a type sit below every block
 * freed since on its MAX_PAGE_ORDER list (frees go on at the head), in
 * descending pfn order. Keeping them as a pfn range instead, and putting
 * the highest one on the list's tail when the list runs empty, hands out
 * exactly what the full list would, without writing a struct page per 4
 * MiB at start-up (64 MiB of mem_map for a 64 GiB machine). They are
 * counted in nr_free and free_area[].nr_free from the start.
 */
static bool deferred_pop(struct zone *zone, int mt)
{
	unsigned long pfn;
	struct page *page;

	if (zone->deferred[mt].end <= zone->deferred[mt].start)
		return false;
	pfn = zone->deferred[mt].end - (1UL << MAX_PAGE_ORDER);
	zone->deferred[mt].end = pfn;
	page = pfn_to_page(pfn);
	WRITE_ONCE(page->private, (unsigned long)MAX_PAGE_ORDER);
	SetPagebuddy(page);
	list_add_tail(&page->lru,
		      &zone->free_area[MAX_PAGE_ORDER].free_list[mt]);
	return true;
}

void deferred_init_zone(struct zone *zone)
{
	int mt;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		while (deferred_pop(zone, mt))
			;
}

/* An empty list of type mt at order o: may a deferred block refill it? */
static bool free_list_empty(struct zone *zone, unsigned int o, int mt)
{
	struct list_head *list = &zone->free_area[o].free_list[mt];

	if (!list_empty(list))
		return false;
	return o != MAX_PAGE_ORDER || !deferred_pop(zone, mt);
}

/* The list a free block is on: its pageblock's type (see the top). */
static int free_block_mt(unsigned long pfn)
{
	return pfn_migratetype(pfn);
}

static bool pfn_in_zone(struct zone *zone, unsigned long pfn)
{
	return pfn >= zone->zone_start_pfn &&
	       pfn < zone->zone_start_pfn + zone->spanned_pages;
}

static bool mt_mergeable(int mt)
{
	return mt == MIGRATE_UNMOVABLE || mt == MIGRATE_MOVABLE ||
	       mt == MIGRATE_RECLAIMABLE;
}

static void set_range_migratetype(unsigned long pfn, unsigned int order,
				  int mt)
{
	unsigned long end = pfn + (1UL << order);

	for (; pfn < end; pfn += pageblock_nr_pages)
		set_pfn_migratetype(pfn, mt);
}

/*
 * Frees a block and merges it with its buddies. Blocks of a pageblock or
 * more only merge across different types when both are ordinary types
 * (never CMA or ISOLATE): the merged block then takes the freed one's type,
 * which keeps "a block has one type" true.
 */
static void __free_one_page(struct zone *zone, unsigned long pfn,
			    unsigned int order)
{
	int mt = free_block_mt(pfn);

	while (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = pfn_to_page(buddy_pfn);
		int buddy_mt;

		if (!pfn_in_zone(zone, buddy_pfn) || !Pagebuddy(buddy) ||
		    buddy->private != order)
			break;
		buddy_mt = free_block_mt(buddy_pfn);
		if (buddy_mt != mt &&
		    (!mt_mergeable(mt) || !mt_mergeable(buddy_mt)))
			break;
		del_from_free_list(zone, buddy, order, buddy_mt);
		if (buddy_mt != mt)
			set_range_migratetype(buddy_pfn, order, mt);
		pfn &= ~(1UL << order);
		order++;
	}
	add_to_free_list(zone, pfn_to_page(pfn), order, mt);
}

/* Splits a block of order high down to low, freeing the upper halves. */
static void expand(struct zone *zone, unsigned long pfn, unsigned int low,
		   unsigned int high, int mt)
{
	while (high > low) {
		high--;
		add_to_free_list(zone, pfn_to_page(pfn + (1UL << high)), high,
				 mt);
	}
}

static struct page *__rmqueue_smallest(struct zone *zone, unsigned int order,
				       int mt)
{
	unsigned int o;

	for (o = order; o <= MAX_PAGE_ORDER; o++) {
		struct list_head *list = &zone->free_area[o].free_list[mt];
		struct page *page;
		unsigned long pfn;

		if (free_list_empty(zone, o, mt))
			continue;
		page = container_of(list->next, struct page, lru);
		pfn = page_to_pfn(page);
		del_from_free_list(zone, page, o, mt);
		expand(zone, pfn, order, o, mt);
		return page;
	}
	return NULL;
}

/*
 * The next free buddy block in [*pfn, end): its head page, with *pfn at it
 * and its order in *order; NULL when there is none. Caller holds
 * zone->lock, so the blocks cannot change under the walk.
 */
static struct page *next_free_block(unsigned long *pfn, unsigned long end,
				    unsigned int *order)
{
	for (; *pfn < end; (*pfn)++) {
		struct page *page = pfn_to_page(*pfn);

		if (Pagebuddy(page)) {
			*order = page->private;
			return page;
		}
	}
	return NULL;
}

/*
 * Moves every free block of the pageblock at pfn from list type `from` to
 * `to` and retypes the pageblock. The caller made sure no free block
 * larger than a pageblock covers it (split_free_above_pageblock()).
 */
static void move_freepages_block(struct zone *zone, unsigned long pfn, int to)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);
	unsigned long end = start + pageblock_nr_pages;
	int from = free_block_mt(start);
	struct page *page;
	unsigned int order;

	if (from == to)
		return;
	for (pfn = start; (page = next_free_block(&pfn, end, &order));
	     pfn += 1UL << order) {
		del_from_free_list(zone, page, order, from);
		add_to_free_list(zone, page, order, to);
	}
	set_pfn_migratetype(start, to);
}

/* The free block containing pfn (its head pfn and order), if any. */
static bool find_free_block(unsigned long pfn, unsigned long *head,
			    unsigned int *order)
{
	unsigned int o;

	for (o = 0; o <= MAX_PAGE_ORDER; o++) {
		unsigned long h = pfn & ~((1UL << o) - 1);
		struct page *page = pfn_to_page(h);

		if (Pagebuddy(page) && page->private == o) {
			*head = h;
			*order = o;
			return true;
		}
	}
	return false;
}

/*
 * Cuts the free block that straddles pfn (if any) so that pfn starts a
 * block. The pieces stay on their lists, all of one type, unmerged.
 */
static void split_free_block_at(struct zone *zone, unsigned long pfn)
{
	unsigned long head, end, p;
	unsigned int order;
	int mt;

	if (!pfn_in_zone(zone, pfn) || !find_free_block(pfn, &head, &order) ||
	    head == pfn)
		return;
	mt = free_block_mt(head);
	end = head + (1UL << order);
	del_from_free_list(zone, pfn_to_page(head), order, mt);
	/* Largest aligned pieces of [head, pfn) and of [pfn, end). */
	for (p = head; p < end;) {
		unsigned int o = 0;

		while (o < order && IS_ALIGNED(p, 1UL << (o + 1)) &&
		       p + (1UL << (o + 1)) <= (p < pfn ? pfn : end))
			o++;
		add_to_free_list(zone, pfn_to_page(p), o, mt);
		p += 1UL << o;
	}
}

/* Makes sure no free block spans more than the pageblock at pfn. */
static void split_free_above_pageblock(struct zone *zone, unsigned long pfn)
{
	unsigned long start = ALIGN_DOWN(pfn, pageblock_nr_pages);

	split_free_block_at(zone, start);
	split_free_block_at(zone, start + pageblock_nr_pages);
}

/*
 * Fallback order when a type has no free block of its own: steal from the
 * other ordinary types. CMA and ISOLATE blocks are never stolen.
 */
static const int fallbacks[MIGRATE_CMA][2] = {
	[MIGRATE_UNMOVABLE]	= { MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE },
	[MIGRATE_MOVABLE]	= { MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE },
	[MIGRATE_RECLAIMABLE]	= { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE },
};

/*
 * Steals the largest free block of a fallback type, as the kernel does to
 * limit fragmentation. A big enough steal claims whole pageblocks for the
 * allocating type; a small one only takes the pages it needs.
 */
static struct page *__rmqueue_fallback(struct zone *zone, unsigned int order,
				       int start_mt)
{
	int o, i;

	for (o = MAX_PAGE_ORDER; o >= (int)order; o--) {
		for (i = 0; i < 2; i++) {
			int mt = fallbacks[start_mt][i];
			struct list_head *list =
				&zone->free_area[o].free_list[mt];
			struct page *page;
			unsigned long pfn;

			if (free_list_empty(zone, o, mt))
				continue;
			page = container_of(list->next, struct page, lru);
			pfn = page_to_pfn(page);
			if (o >= (int)pageblock_order) {
				del_from_free_list(zone, page, o, mt);
				set_range_migratetype(pfn, o, start_mt);
				add_to_free_list(zone, page, o, start_mt);
			} else if (o >= (int)pageblock_order / 2) {
				move_freepages_block(zone, pfn, start_mt);
			} else {
				del_from_free_list(zone, page, o, mt);
				expand(zone, pfn, order, o, mt);
				return page;
			}
			return __rmqueue_smallest(zone, order, start_mt);
		}
	}
	return NULL;
}

/*
 * One zone's allocation. Movable allocations may use CMA: first when CMA
 * holds more than half of the zone's free pages (so CMA memory gets used
 * before the rest runs low), else only after their own type.
 */
static struct page *__rmqueue(struct zone *zone, unsigned int order, int mt,
			      bool alloc_cma, bool cma_first)
{
	struct page *page = NULL;

	if (alloc_cma && (cma_first ||
			  atomic_load(&zone->nr_free_cma) >
			  atomic_load(&zone->nr_free) / 2))
		page = __rmqueue_smallest(zone, order, MIGRATE_CMA);
	if (!page && !cma_first)
		page = __rmqueue_smallest(zone, order, mt);
	if (!page && alloc_cma && !cma_first)
		page = __rmqueue_smallest(zone, order, MIGRATE_CMA);
	if (!page && !cma_first)
		page = __rmqueue_fallback(zone, order, mt);
	return page;
}

static struct page *rmqueue(struct zone *zone, unsigned int order, int mt,
			    bool alloc_cma, bool cma_first)
{
	struct page *page;

	spin_lock(&zone->lock);
	page = __rmqueue(zone, order, mt, alloc_cma, cma_first);
	spin_unlock(&zone->lock);
	return page;
}

/*
 * Up to nr order-0 blocks of one zone under one round of its lock, with
 * the same choice per block as rmqueue(): the CMA-first test is made
 * again for every block, as the free counts move. Returns how many.
 */
static unsigned long rmqueue_bulk(struct zone *zone, int mt, bool alloc_cma,
				  bool cma_first, unsigned long nr,
				  struct page **pages)
{
	unsigned long got = 0;

	spin_lock(&zone->lock);
	while (got < nr) {
		struct page *page = __rmqueue(zone, 0, mt, alloc_cma,
					      cma_first);

		if (!page)
			break;
		pages[got++] = page;
	}
	spin_unlock(&zone->lock);
	return got;
}

/* ---- gfp and the memalloc_pin scope ---- */

static unsigned int *memalloc_flags(void)
{
	return current ? &current->flags : &memalloc_flags_no_task;
}

/*
 * Enters a scope where allocations must be long-term pinnable: what is
 * allocated here (migration targets of FOLL_LONGTERM) avoids CMA and
 * ZONE_MOVABLE. Returns the old state for memalloc_pin_restore().
 */
unsigned int memalloc_pin_save(void)
{
	unsigned int *flags = memalloc_flags();
	unsigned int old = *flags & PF_MEMALLOC_PIN;

	*flags |= PF_MEMALLOC_PIN;
	return old;
}

void memalloc_pin_restore(unsigned int flags)
{
	unsigned int *cur = memalloc_flags();

	*cur = (*cur & ~PF_MEMALLOC_PIN) | (flags & PF_MEMALLOC_PIN);
}

gfp_t current_gfp_context(gfp_t gfp)
{
	if (*memalloc_flags() & PF_MEMALLOC_PIN)
		gfp &= ~(__GFP_MOVABLE | __GFP_PLACE_MOVABLE | __GFP_PLACE_CMA);
	return gfp;
}

static int gfp_migratetype(gfp_t gfp)
{
	if (gfp & __GFP_MOVABLE)
		return MIGRATE_MOVABLE;
	if (gfp & __GFP_RECLAIMABLE)
		return MIGRATE_RECLAIMABLE;
	return MIGRATE_UNMOVABLE;
}

/* Turns a block fresh off a free list into an allocated page or folio. */
static void prep_new_page(struct page *page, unsigned int order, gfp_t gfp)
{
	WRITE_ONCE(page->private, 0UL);
	WRITE_ONCE(page->mapping, NULL);
	page->index = 0;
	atomic_store(&page->flags, 0UL);
	if (gfp & __GFP_ZERO)
		memset(page_address(page), 0, PAGE_SIZE << order);
	if ((gfp & __GFP_COMP) && order)
		prep_compound_page(page, order);
	atomic_store_explicit(&page->_refcount, 1, memory_order_release);
	mod_vmstat(PGALLOC, 1L << order);
}

static struct page *get_page_from_freelist(gfp_t gfp, unsigned int order)
{
	struct zone *normal = &machine->zones[ZONE_NORMAL];
	struct zone *movable = &machine->zones[ZONE_MOVABLE];
	int mt = gfp_migratetype(gfp);
	bool is_movable = mt == MIGRATE_MOVABLE;
	struct page *page = NULL;

	if (is_movable && (gfp & __GFP_PLACE_CMA))
		page = rmqueue(normal, order, mt, true, true);
	if (!page && is_movable && (gfp & __GFP_PLACE_MOVABLE) &&
	    movable->spanned_pages)
		page = rmqueue(movable, order, mt, false, false);
	if (!page && (gfp & __GFP_PLACE_NORMAL))
		page = rmqueue(normal, order, mt, false, false);
	if (page)
		return page;
	/* The zonelist: ZONE_MOVABLE first for movable requests. */
	if (is_movable && movable->spanned_pages)
		page = rmqueue(movable, order, mt, true, false);
	if (!page)
		page = rmqueue(normal, order, mt, is_movable, false);
	return page;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page;

	if (VM_WARN(!machine, "alloc_pages without a machine"))
		return NULL;
	if (order > MAX_PAGE_ORDER) {
		VM_WARN(!(gfp & __GFP_NOWARN), "alloc_pages: order %u",
			order);
		return NULL;
	}
	gfp = current_gfp_context(gfp);
	page = get_page_from_freelist(gfp, order);
	/*
	 * Table pages freed by munmap or exit wait in a batch for their grace
	 * period (mm/rcu.c). The kernel's grace periods end by themselves
	 * within milliseconds; the model's batch waits for a reclaim point,
	 * so an allocation that would fail takes it here instead.
	 */
	if (!page && mm_rcu_reclaim())
		page = get_page_from_freelist(gfp, order);
	if (page) {
		prep_new_page(page, order, gfp);
		trace_mm_page_alloc(page, order, gfp_migratetype(gfp), gfp);
	}
	return page;
}

/*
 * alloc_pages_bulk() - order-0 pages for every NULL slot of pages[nr]
 * (slots already filled are kept, as the kernel's caller may retry with a
 * half-filled array). The pages are those alloc_pages(gfp, 0) would give
 * one by one, in the same order, but each zone's lock is taken once for
 * the lot instead of once per page. Returns how many slots are filled.
 */
unsigned long alloc_pages_bulk(gfp_t gfp, unsigned long nr,
			       struct page **pages)
{
	struct zone *normal = &machine->zones[ZONE_NORMAL];
	struct zone *movable = &machine->zones[ZONE_MOVABLE];
	struct page **want;
	unsigned long i, n = 0, got = 0, filled = 0;
	int mt;
	bool is_movable;

	if (VM_WARN(!machine, "alloc_pages_bulk without a machine"))
		return 0;
	want = malloc(nr * sizeof(*want));
	if (!want)
		return 0;
	gfp = current_gfp_context(gfp);
	mt = gfp_migratetype(gfp);
	is_movable = mt == MIGRATE_MOVABLE;
	for (i = 0; i < nr; i++)
		n += !pages[i];
	/*
	 * The zones in get_page_from_freelist()'s order: when one runs dry
	 * for a block, alloc_pages() would go on to the next for every
	 * later block as well, so each zone is drained in one round.
	 */
	if (is_movable && (gfp & __GFP_PLACE_CMA))
		got += rmqueue_bulk(normal, mt, true, true, n - got,
				    want + got);
	if (is_movable && (gfp & __GFP_PLACE_MOVABLE) &&
	    movable->spanned_pages)
		got += rmqueue_bulk(movable, mt, false, false, n - got,
				    want + got);
	if (gfp & __GFP_PLACE_NORMAL)
		got += rmqueue_bulk(normal, mt, false, false, n - got,
				    want + got);
	if (is_movable && movable->spanned_pages)
		got += rmqueue_bulk(movable, mt, true, false, n - got,
				    want + got);
	got += rmqueue_bulk(normal, mt, is_movable, false, n - got,
			    want + got);

	for (i = 0, n = 0; i < nr; i++) {
		if (!pages[i] && n < got) {
			prep_new_page(want[n], 0, gfp);
			trace_mm_page_alloc(want[n], 0, mt, gfp);
			pages[i] = want[n++];
		}
		filled += !!pages[i];
	}
	free(want);
	return filled;
}

struct folio *folio_alloc(gfp_t gfp, unsigned int order)
{
	return (struct folio *)alloc_pages(gfp | __GFP_COMP, order);
}

/*
 * Resets the per-page state of a block about to be freed. Tails carry
 * state of their own (anon-exclusive, dirty, a mapcount), which must not
 * leak into the next user; a leftover mapcount is a model bug.
 *
 * The block has no reference left, so no one else may write these words
 * now: relaxed stores do (a seq_cst store is a locked xchg on x86, several
 * per page). The zone lock the free takes next publishes them to the next
 * allocator; a speculative folio_try_get() only ever sees refcount 0.
 */
#define store_relaxed(p, v) atomic_store_explicit(p, v, memory_order_relaxed)

static void free_pages_prepare(struct page *page, unsigned int order)
{
	unsigned long i, nr = 1UL << order;

	for (i = 0; i < nr; i++) {
		struct page *p = page + i;
		int mapcount = atomic_load_explicit(&p->_mapcount,
						    memory_order_relaxed);

		VM_WARN(mapcount != 0, "freeing pfn %#lx with mapcount %d",
			page_to_pfn(p), mapcount);
		if (mapcount)
			store_relaxed(&p->_mapcount, 0);
		if (!i)
			continue;
		store_relaxed(&p->_refcount, 0);
		store_relaxed(&p->flags, 0UL);
		WRITE_ONCE(p->mapping, NULL);
		p->index = 0;
		WRITE_ONCE(p->private, 0UL);
		WRITE_ONCE(p->compound_head, 0UL);
	}
}

/*
 * A per-thread batch of order-0 frees, the model's per-CPU page lists: the
 * kernel's __free_page() puts a page on its CPU's list, and the lists
 * reach the buddy allocator in batches under one zone lock. Between
 * free_pages_batch_begin() and free_pages_batch_end() (they nest) this
 * thread's order-0 frees are
 * checked and reset at once, as always, but only collected; the flush
 * frees them in the order they came, each run of consecutive pfns as its
 * largest aligned blocks (never above a pageblock: __free_one_page()
 * merges on from there). That leaves every free list exactly as freeing
 * the pages one by one would: inside an aligned block the page-by-page
 * merges only pair pages of the block, and each list entry they add is
 * taken off again before the block is whole.
 *
 * A page in a batch has refcount 0 and is not PageBuddy yet: nothing may
 * look at the free lists for it (no allocation, no checker) in between,
 * which is why only callers that allocate nothing while the batch is open
 * use it.
 */
#define FREE_BATCH_MAX	1024

struct free_batch {
	unsigned int nr;
	unsigned long pfn[FREE_BATCH_MAX];
};

static __thread struct free_batch free_batch_tls;
static __thread unsigned int free_batch_depth;

/* The largest aligned block of the run of n pfns starting at pfn. */
static unsigned int run_block_order(unsigned long pfn, unsigned long n)
{
	unsigned int order = 0;

	while (order < pageblock_order && IS_ALIGNED(pfn, 2UL << order) &&
	       (2UL << order) <= n)
		order++;
	return order;
}

static void free_batch_flush(struct free_batch *fb)
{
	struct zone *zone = NULL;
	unsigned int i = 0;

	while (i < fb->nr) {
		unsigned long pfn = fb->pfn[i], run = 1;
		struct zone *z = page_zone(pfn_to_page(pfn));

		while (i + run < fb->nr && fb->pfn[i + run] == pfn + run &&
		       run < pageblock_nr_pages)
			run++;
		if (z != zone) {
			if (zone)
				spin_unlock(&zone->lock);
			zone = z;
			spin_lock(&zone->lock);
		}
		i += run;
		while (run) {
			unsigned int order = run_block_order(pfn, run);

			__free_one_page(zone, pfn, order);
			pfn += 1UL << order;
			run -= 1UL << order;
		}
	}
	if (zone)
		spin_unlock(&zone->lock);
	mod_vmstat(PGFREE, fb->nr);
	fb->nr = 0;
}

void free_pages_batch_begin(void)
{
	if (!free_batch_depth++)
		free_batch_tls.nr = 0;
}

void free_pages_batch_end(void)
{
	if (VM_WARN(!free_batch_depth, "free_pages_batch_end without begin"))
		return;
	if (!--free_batch_depth)
		free_batch_flush(&free_batch_tls);
}

void free_pages_prepared(struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);
	struct zone *zone;

	if (VM_WARN(pfn >= machine->ram_pages || order > MAX_PAGE_ORDER ||
		    !IS_ALIGNED(pfn, 1UL << order),
		    "free of pfn %#lx order %u: not a RAM block", pfn, order))
		return;
	if (VM_WARN(Pagebuddy(page), "double free of pfn %#lx", pfn))
		return;
	trace_mm_page_free(pfn, order);
	free_pages_prepare(page, order);
	store_relaxed(&page->flags, 0UL);
	store_relaxed(&page->_refcount, 0);
	if (!order && free_batch_depth) {
		struct free_batch *fb = &free_batch_tls;

		fb->pfn[fb->nr++] = pfn;
		if (fb->nr == FREE_BATCH_MAX)
			free_batch_flush(fb);
		return;
	}
	zone = page_zone(page);
	spin_lock(&zone->lock);
	__free_one_page(zone, pfn, order);
	spin_unlock(&zone->lock);
	mod_vmstat(PGFREE, 1L << order);
}

/*
 * Drops the caller's reference on a block from alloc_pages(). A compound
 * folio goes the folio way; for a non-compound block whose head is still
 * referenced elsewhere, the tail part is freed now and the head page is
 * freed by its last put, as the kernel does.
 */
void __free_pages(struct page *page, unsigned int order)
{
	struct folio *folio;

	if (VM_WARN(!page, "__free_pages(NULL)"))
		return;
	folio = (struct folio *)page;
	if (Pagehead(page) || !order) {
		folio_put(page_folio(page));
		return;
	}
	if (VM_WARN(folio_ref_count(folio) <= 0,
		    "__free_pages of free pfn %#lx", page_to_pfn(page)))
		return;
	if (folio_ref_sub_and_test(folio, 1)) {
		/* Not a folio: the block is order pages of one allocation. */
		WRITE_ONCE(page->mapping, NULL);
		page->index = 0;
		free_pages_prepared(page, order);
		return;
	}
	while (order-- > 0)
		free_pages_prepared(page + (1UL << order), order);
}

unsigned long nr_free_pages(void)
{
	return vmstat_read(NR_FREE_PAGES);
}

/* ---- contiguous ranges ---- */

/*
 * Isolates the pageblocks of [start, end): their free pages move to the
 * ISOLATE lists, and pages freed into them later stay there, so nothing in
 * the range can be allocated while we empty it. -EBUSY if another range
 * allocation holds one of them.
 */
static int isolate_range(struct zone *zone, unsigned long start,
			 unsigned long end)
{
	unsigned long pfn;
	int ret = 0;

	spin_lock(&zone->lock);
	/* What follows finds free blocks by pfn: no deferred ones left. */
	deferred_init_zone(zone);
	for (pfn = start; pfn < end; pfn += pageblock_nr_pages)
		if (pfn_migratetype(pfn) == MIGRATE_ISOLATE)
			ret = -EBUSY;
	if (!ret) {
		for (pfn = start; pfn < end; pfn += pageblock_nr_pages) {
			split_free_above_pageblock(zone, pfn);
			move_freepages_block(zone, pfn, MIGRATE_ISOLATE);
		}
	}
	spin_unlock(&zone->lock);
	return ret;
}

/*
 * Gives isolated pageblocks the type mt again. Their free blocks are
 * freed once more so that they merge back into large blocks.
 */
static void unisolate_range(struct zone *zone, unsigned long start,
			    unsigned long end, int mt)
{
	unsigned long pfn;
	struct page *page;
	unsigned int order;
	LIST_HEAD(blocks);

	spin_lock(&zone->lock);
	for (pfn = start; (page = next_free_block(&pfn, end, &order));
	     pfn += 1UL << order) {
		del_from_free_list(zone, page, order, free_block_mt(pfn));
		WRITE_ONCE(page->private, order);
		list_add_tail(&page->lru, &blocks);
	}
	for (pfn = start; pfn < end; pfn += pageblock_nr_pages)
		set_pfn_migratetype(pfn, mt);
	while (!list_empty(&blocks)) {
		page = container_of(blocks.next, struct page, lru);
		order = page->private;
		list_del_init(&page->lru);
		WRITE_ONCE(page->private, 0UL);
		__free_one_page(zone, page_to_pfn(page), order);
	}
	spin_unlock(&zone->lock);
}

/* True when every page of [start, end) is free in the allocator. */
static bool range_is_free(unsigned long start, unsigned long end)
{
	unsigned long pfn = start, head;
	unsigned int order;

	while (pfn < end) {
		if (!find_free_block(pfn, &head, &order))
			return false;
		pfn = head + (1UL << order);
	}
	return true;
}

/* Takes every page of [start, end) off the free lists, refcount 1 each. */
static void take_free_range(struct zone *zone, unsigned long start,
			    unsigned long end)
{
	unsigned long pfn, i;

	split_free_block_at(zone, start);
	split_free_block_at(zone, end);
	for (pfn = start; pfn < end;) {
		struct page *page = pfn_to_page(pfn);
		unsigned int order = page->private;

		del_from_free_list(zone, page, order, free_block_mt(pfn));
		/* Free pages are ours under the zone lock, which publishes. */
		for (i = 0; i < (1UL << order); i++) {
			struct page *p = page + i;

			p->mapping = NULL;
			p->index = 0;
			store_relaxed(&p->flags, 0UL);
			store_relaxed(&p->_refcount, 1);
		}
		pfn += 1UL << order;
	}
}

#define CONTIG_MIGRATE_PASSES	5

int alloc_contig_range(unsigned long start_pfn, unsigned long end_pfn,
		       int migratetype)
{
	unsigned long pb_start, pb_end;
	struct zone *zone;
	int pass, ret;

	if (VM_WARN(!machine || start_pfn >= end_pfn ||
		    end_pfn > machine->ram_pages ||
		    (unsigned int)migratetype >= MIGRATE_ISOLATE,
		    "alloc_contig_range: [%#lx, %#lx) mt %d", start_pfn,
		    end_pfn, migratetype))
		return -EINVAL;
	zone = page_zone(pfn_to_page(start_pfn));
	if (VM_WARN(page_zone(pfn_to_page(end_pfn - 1)) != zone,
		    "alloc_contig_range: [%#lx, %#lx) spans zones", start_pfn,
		    end_pfn))
		return -EINVAL;
	pb_start = ALIGN_DOWN(start_pfn, pageblock_nr_pages);
	pb_end = ALIGN_UP(end_pfn, pageblock_nr_pages);
	ret = isolate_range(zone, pb_start, pb_end);
	if (ret)
		return ret;

	/*
	 * Pages of the range may still be in flight (a migrated folio is
	 * freed when its last transient reference goes), so empty it in a
	 * few passes before calling it busy.
	 */
	for (pass = 0; pass < CONTIG_MIGRATE_PASSES; pass++) {
		LIST_HEAD(list);

		spin_lock(&zone->lock);
		if (range_is_free(start_pfn, end_pfn)) {
			take_free_range(zone, start_pfn, end_pfn);
			spin_unlock(&zone->lock);
			unisolate_range(zone, pb_start, pb_end, migratetype);
			return 0;
		}
		spin_unlock(&zone->lock);

		ret = isolate_migratepages_range(start_pfn, end_pfn, &list);
		if (!ret && !list_empty(&list)) {
			ret = migrate_pages(&list, alloc_migration_target, 0,
					    MR_CONTIG_RANGE, NULL);
			/* A folio that stayed (a pin) makes the range busy. */
			if (ret > 0)
				ret = -EBUSY;
		}
		if (!list_empty(&list))
			putback_movable_pages(&list);
		if (ret)
			break;
		mm_synchronize_rcu();
	}
	unisolate_range(zone, pb_start, pb_end, migratetype);
	ret = ret ? ret : -EBUSY;
	return explain_err(ret, "alloc_contig_range",
			   "pfns [%#lx, %#lx) did not empty: a page in it could not be migrated",
			   start_pfn, end_pfn);
}

/* Each page's reference goes, as __free_page() each; frees in batches. */
void free_contig_range(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages, busy = 0;

	free_pages_batch_begin();
	for (; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);

		if (folio_ref_count((struct folio *)page) != 1)
			busy++;
		put_page(page);
	}
	free_pages_batch_end();
	VM_WARN(busy, "free_contig_range: %lu pages still in use", busy);
}

/* ---- boot: every RAM page to the allocator ---- */

/*
 * Hands all RAM to the buddy allocator in MAX_PAGE_ORDER blocks, deferred
 * (see deferred_pop()): each zone holds at most one run of each type (the
 * CMA area ends ZONE_NORMAL), which becomes that type's deferred range.
 */
void free_all_ram(struct machine *m)
{
	unsigned long pfn, nr_block = 1UL << MAX_PAGE_ORDER;
	int z;

	for (z = ZONE_NORMAL; z <= ZONE_MOVABLE; z++) {
		struct zone *zone = &m->zones[z];
		unsigned long end = zone->zone_start_pfn + zone->spanned_pages;

		for (pfn = zone->zone_start_pfn; pfn < end; pfn += nr_block) {
			int mt = free_block_mt(pfn);

			if (zone->deferred[mt].end == pfn) {
				zone->deferred[mt].end += nr_block;
			} else if (zone->deferred[mt].end ==
				   zone->deferred[mt].start) {
				zone->deferred[mt].start = pfn;
				zone->deferred[mt].end = pfn + nr_block;
			} else {
				/* A second run of a type (no layout has one) */
				add_to_free_list(zone, pfn_to_page(pfn),
						 MAX_PAGE_ORDER, mt);
				continue;
			}
			zone->free_area[MAX_PAGE_ORDER].nr_free++;
			account_free(zone, nr_block, mt);
		}
	}
}
