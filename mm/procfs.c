// SPDX-License-Identifier: GPL-2.0
/*
 * What /proc shows of memory: a task's accounting (fs/proc's status
 * lines), the free lists per order and migratetype (mm/vmstat.c's
 * buddyinfo and pagetypeinfo), and one pageblock at a time for a map of
 * physical memory. Read-only; nothing here changes the machine.
 *
 * Free memory is found as the allocator keeps it: through the free lists
 * and the deferred boot ranges (page_alloc.c), never by touching the
 * struct pages of a free block other than its head, so reading a large
 * machine does not fault its untouched mem_map in.
 */
#include <string.h>

#include "internal.h"

#include <gupsim/inspect.h>

_Static_assert(INSPECT_NR_ORDERS == NR_PAGE_ORDERS, "orders");
_Static_assert(INSPECT_NR_MT == MIGRATE_TYPES, "migratetypes");

int task_status_get(struct task_struct *task, struct task_status *st)
{
	struct mm_struct *mm = task ? task->mm : NULL;

	if (!mm)
		return -ESRCH;
	st->locked_vm = atomic_load(&mm->locked_vm);
	st->pinned_vm = atomic_load(&mm->pinned_vm);
	st->rss_anon = atomic_load(&mm->rss_anon);
	st->rss_file = atomic_load(&mm->rss_file);
	st->rss_shmem = atomic_load(&mm->rss_shmem);
	st->user_locked_vm = user_locked_vm(task->user);
	return 0;
}

const char *migratetype_name(int mt)
{
	static const char *const names[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = "Unmovable",
		[MIGRATE_MOVABLE] = "Movable",
		[MIGRATE_RECLAIMABLE] = "Reclaimable",
		[MIGRATE_CMA] = "CMA",
		[MIGRATE_ISOLATE] = "Isolate",
	};

	return mt >= 0 && mt < MIGRATE_TYPES ? names[mt] : "?";
}

unsigned int inspect_pageblock_order(void)
{
	return pageblock_order;
}

/* ZONE_NORMAL and ZONE_MOVABLE: the zones with free lists. */
int inspect_nr_buddy_zones(void)
{
	return ZONE_DEVICE;
}

static unsigned long list_length(const struct list_head *head)
{
	const struct list_head *pos;
	unsigned long n = 0;

	for (pos = head->next; pos != head; pos = pos->next)
		n++;
	return n;
}

int zone_freeinfo_get(int i, struct zone_freeinfo *zi)
{
	struct zone *zone;
	unsigned long b;

	if (!machine || i < 0 || i >= ZONE_DEVICE)
		return -ENOENT;
	zone = &machine->zones[i];
	if (!zone->spanned_pages)
		return -ENOENT;
	memset(zi, 0, sizeof(*zi));
	zi->name = zone->name;
	zi->start_pfn = zone->zone_start_pfn;
	zi->spanned_pages = zone->spanned_pages;
	spin_lock(&zone->lock);
	for (int o = 0; o < NR_PAGE_ORDERS; o++)
		for (int mt = 0; mt < MIGRATE_TYPES; mt++)
			zi->free[o][mt] =
				list_length(&zone->free_area[o].free_list[mt]);
	/* deferred boot blocks are free MAX_PAGE_ORDER blocks not yet listed */
	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		zi->free[MAX_PAGE_ORDER][mt] +=
			(zone->deferred[mt].end - zone->deferred[mt].start) >>
			MAX_PAGE_ORDER;
	for (b = zone->zone_start_pfn;
	     b < zone->zone_start_pfn + zone->spanned_pages;
	     b += pageblock_nr_pages)
		zi->blocks[machine->pageblock_mt[b >> pageblock_order]]++;
	spin_unlock(&zone->lock);
	return 0;
}

/* ---- pageblocks ---- */

static unsigned long ram_pageblocks(void)
{
	return machine->ram_pages >> pageblock_order;
}

unsigned long inspect_nr_pageblocks(void)
{
	if (!machine)
		return 0;
	return ram_pageblocks() +
	       (machine->dax_pages + pageblock_nr_pages - 1) / pageblock_nr_pages;
}

/* Whole pageblock inside a deferred boot range or a larger free block. */
static bool pageblock_wholly_free(struct zone *zone, unsigned long pfn)
{
	unsigned long head = pfn & ~((1UL << MAX_PAGE_ORDER) - 1);
	struct page *page;

	for (int mt = 0; mt < MIGRATE_TYPES; mt++)
		if (pfn >= zone->deferred[mt].start &&
		    pfn < zone->deferred[mt].end)
			return true;
	if (head == pfn)
		return false;
	page = pfn_to_page(head);
	return PageBuddy(page) && READ_ONCE(page->private) == MAX_PAGE_ORDER;
}

/*
 * Counts the folio that maps pfn, for its pages inside [pfn, end); returns
 * how many pages it covered. A device page is free at refcount 0.
 */
static unsigned long count_folio(struct pageblock_info *pb, unsigned long pfn,
				 unsigned long end)
{
	struct folio *folio = pfn_folio(pfn);
	unsigned long n = folio_pfn(folio) + folio_nr_pages(folio) - pfn;

	if (n > end - pfn)
		n = end - pfn;
	if (folio_ref_count(folio) == 0 && pb->place == PB_DEVICE) {
		pb->nr_free += n;
		return n;
	}
	if (atomic_load(&folio->page._debug_pins) > 0)
		pb->nr_pinned += n;
	if (atomic_load(&folio->page._debug_lt_pins) > 0)
		pb->nr_longterm += n;
	if (folio_test_large(folio) && folio_order(folio) >= pageblock_order)
		pb->nr_huge += n;
	return n;
}

static void scan_pageblock(struct pageblock_info *pb, unsigned long end)
{
	unsigned long pfn = pb->start_pfn;

	while (pfn < end) {
		struct page *page = pfn_to_page(pfn);
		unsigned long n;

		if (pb->place != PB_DEVICE && PageBuddy(page)) {
			n = 1UL << READ_ONCE(page->private);
			if (n > end - pfn)
				n = end - pfn;
			pb->nr_free += n;
		} else {
			n = count_folio(pb, pfn, end);
		}
		pfn += n;
	}
}

int pageblock_info_get(unsigned long idx, struct pageblock_info *pb)
{
	unsigned long pfn, end;
	struct zone *zone;

	if (idx >= inspect_nr_pageblocks())
		return -ENOENT;
	memset(pb, 0, sizeof(*pb));
	if (idx >= ram_pageblocks()) {
		pfn = machine->dax_start_pfn +
		      (idx - ram_pageblocks()) * pageblock_nr_pages;
		end = machine->dax_start_pfn + machine->dax_pages;
		if (end > pfn + pageblock_nr_pages)
			end = pfn + pageblock_nr_pages;
		pb->start_pfn = pfn;
		pb->place = PB_DEVICE;
		pb->migratetype = -1;
		pb->nr_pages = end - pfn;
		scan_pageblock(pb, end);
		return 0;
	}
	pfn = idx << pageblock_order;
	zone = page_zone(pfn_to_page(pfn));
	pb->start_pfn = pfn;
	pb->nr_pages = pageblock_nr_pages;
	spin_lock(&zone->lock);
	pb->migratetype = machine->pageblock_mt[idx];
	pb->place = zone->idx == ZONE_MOVABLE ? PB_MOVABLE :
		    cma_area && pfn >= cma_area->base_pfn &&
		    pfn < cma_area->base_pfn + cma_area->count ? PB_CMA :
		    PB_NORMAL;
	if (pageblock_wholly_free(zone, pfn))
		pb->nr_free = pageblock_nr_pages;
	else
		scan_pageblock(pb, pfn + pageblock_nr_pages);
	spin_unlock(&zone->lock);
	return 0;
}
