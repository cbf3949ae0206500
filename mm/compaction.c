// SPDX-License-Identifier: GPL-2.0
/*
 * The part of compaction the model has: collecting the in-use folios of a
 * pfn range for migration, which alloc_contig_range() (and so CMA) uses to
 * empty the range it wants. The scanner takes a reference before it looks
 * at a folio, since the range is walked without any lock: a folio may be
 * freed, split or reused under it.
 */
#include "internal.h"
#include "explain.h"

/*
 * Isolates from the LRU every in-use folio of [start, end) onto list.
 * -EBUSY when one cannot be moved at all (no LRU: page tables, the zero
 * page, hugetlb pool folios, kernel allocations). A pinned anonymous
 * folio is skipped: the range it is in stays busy.
 */
int isolate_migratepages_range(unsigned long start, unsigned long end,
			       struct list_head *list)
{
	unsigned long pfn = start;

	while (pfn < end) {
		struct page *page = pfn_to_page(pfn);
		struct folio *folio;
		unsigned long next;

		if (Pagebuddy(page)) {
			unsigned long order = READ_ONCE(page->private);

			pfn += order <= MAX_PAGE_ORDER ? 1UL << order : 1;
			continue;
		}
		folio = page_folio(page);
		if (!folio_try_get(folio)) {
			pfn++;		/* free, or being freed */
			continue;
		}
		if (page_folio(page) != folio) {
			folio_put(folio);
			continue;	/* split or reused under us */
		}
		next = folio_pfn(folio) + folio_nr_pages(folio);
		/*
		 * An anonymous folio with references beyond its mappings and
		 * ours (a pin, a GUP reference) would only fail migration's
		 * refcount check, after an unmap and remap of every mapping:
		 * the kernel's scanner leaves it where it is (a racy check),
		 * and the range stays busy.
		 */
		if (folio_test_lru(folio) && !folio_mapping(folio) &&
		    folio_ref_count(folio) - 1 > folio_mapcount(folio)) {
			folio_put(folio);
			if (explain_on())
				__explain_pinned_skip(page);
			pfn = next;
			continue;
		}
		if (!folio_isolate_lru(folio)) {
			folio_put(folio);
			return -EBUSY;
		}
		list_add_tail(&folio->page.lru, list);
		folio_put(folio);
		pfn = next;
	}
	return 0;
}
