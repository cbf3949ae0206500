// SPDX-License-Identifier: GPL-2.0
/*
 * CMA: one contiguous area of MIGRATE_CMA pageblocks at the end of
 * ZONE_NORMAL. Movable allocations borrow its free pages; cma_alloc()
 * takes a range back by migrating whatever lives there, which fails when a
 * page of the range cannot move (a pin, or a reference nobody will drop).
 * That failure is the reason FOLL_LONGTERM pins must never land in CMA.
 *
 * The bitmap records the ranges handed out by cma_alloc(); it is only
 * touched under cma->lock. The migration itself runs without that lock, so
 * concurrent cma_alloc() calls work on disjoint ranges.
 */
#include <stdlib.h>

#include "internal.h"
#include "explain.h"
#include "trace.h"

struct cma *cma_area;

#define BITS_PER_LONG	(8 * sizeof(unsigned long))

static bool bit_test(const unsigned long *map, unsigned long bit)
{
	return map[bit / BITS_PER_LONG] & (1UL << (bit % BITS_PER_LONG));
}

/*
 * Sets or clears bits [start, start + nr) a word at a time, as the
 * kernel's bitmap_set()/bitmap_clear() do: cma_alloc() assigns and, on
 * -EBUSY, clears a whole candidate range per attempt, and a bit at a time
 * made a failing allocation of a large count in a large area crawl.
 */
static void bits_assign(unsigned long *map, unsigned long start,
			unsigned long nr, bool set)
{
	unsigned long end = start + nr;

	while (start < end) {
		unsigned long shift = start % BITS_PER_LONG;
		unsigned long n = min(BITS_PER_LONG - shift, end - start);
		unsigned long mask = (n == BITS_PER_LONG ? ~0UL :
				      (1UL << n) - 1) << shift;

		if (set)
			map[start / BITS_PER_LONG] |= mask;
		else
			map[start / BITS_PER_LONG] &= ~mask;
		start += n;
	}
}

/* The first set bit in [start, end), or end: a word at a time. */
static unsigned long find_next_set(const unsigned long *map,
				   unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned long word = map[start / BITS_PER_LONG] >>
				     (start % BITS_PER_LONG);

		if (word)
			return min(start + (unsigned long)__builtin_ctzl(word),
				   end);
		start = ALIGN_UP(start + 1, BITS_PER_LONG);
	}
	return end;
}

int cma_init_area(unsigned long base_pfn, unsigned long count)
{
	struct cma *cma;
	size_t words = (count + BITS_PER_LONG - 1) / BITS_PER_LONG;

	if (VM_WARN(cma_area, "cma_init_area: an area exists"))
		return -EBUSY;
	if (VM_WARN(!count || !IS_ALIGNED(base_pfn | count, pageblock_nr_pages),
		    "cma_init_area: [%#lx, +%#lx) not pageblock aligned",
		    base_pfn, count))
		return -EINVAL;
	cma = calloc(1, sizeof(*cma));
	if (!cma)
		return -ENOMEM;
	cma->bitmap = calloc(words, sizeof(unsigned long));
	if (!cma->bitmap) {
		free(cma);
		return -ENOMEM;
	}
	cma->base_pfn = base_pfn;
	cma->count = count;
	pthread_mutex_init(&cma->lock, NULL);
	cma_area = cma;
	return 0;
}

void cma_destroy_area(void)
{
	struct cma *cma = cma_area;

	if (!cma)
		return;
	cma_area = NULL;
	pthread_mutex_destroy(&cma->lock);
	free(cma->bitmap);
	free(cma);
}

/*
 * First clear run of count bits at an aligned offset >= from, or -1.
 * A set bit rules out every candidate that would contain it, so the
 * search resumes past it: each bit is looked at about once, not once per
 * candidate (that made a miss in a big area quadratic).
 */
static long find_zero_area(struct cma *cma, unsigned long from,
			   unsigned long count, unsigned long mask)
{
	unsigned long off = ALIGN_UP(from, mask + 1);

	while (off + count <= cma->count) {
		unsigned long set = find_next_set(cma->bitmap, off, off + count);

		if (set == off + count)
			return (long)off;
		off = ALIGN_UP(set + 1, mask + 1);
	}
	return -1;
}

/*
 * Tries each free, aligned candidate range in turn. A range that cannot be
 * emptied (-EBUSY) is skipped; the answer is -EBUSY if any candidate was
 * busy, and -ENOMEM when the bitmap had no free range at all.
 */
struct page *cma_alloc(struct cma *cma, unsigned long count,
		       unsigned int align, int *err)
{
	unsigned long mask = (1UL << align) - 1, from = 0;
	int ret = -ENOMEM;
	struct page *page = NULL;

	trace_cma_alloc_start(count, align);
	if (!cma || !count || count > cma->count || align > MAX_PAGE_ORDER) {
		ret = cma && count ? -ENOMEM : -EINVAL;
		explain_rule("cma_alloc", "%s (%s)",
			     !cma ? "the machine has no CMA area" :
			     !count ? "a count of 0 pages" :
			     "more pages than the CMA area holds",
			     explain_errno_name(ret));
		goto out;
	}
	for (;;) {
		long off;
		int r;

		mutex_lock(&cma->lock);
		off = find_zero_area(cma, from, count, mask);
		if (off >= 0)
			bits_assign(cma->bitmap, off, count, true);
		mutex_unlock(&cma->lock);
		if (off < 0) {
			if (ret == -ENOMEM)
				explain_rule("cma_alloc",
					     "no free range of %lu pages left in the CMA area (%lu pages) (ENOMEM)",
					     count, cma->count);
			break;
		}
		r = alloc_contig_range(cma->base_pfn + off,
				       cma->base_pfn + off + count,
				       MIGRATE_CMA);
		if (!r) {
			page = pfn_to_page(cma->base_pfn + off);
			break;
		}
		mutex_lock(&cma->lock);
		bits_assign(cma->bitmap, off, count, false);
		mutex_unlock(&cma->lock);
		ret = r;
		if (r != -EBUSY)
			break;
		from = off + mask + 1;
	}
out:
	if (page) {
		ret = 0;
		count_vm_event(CMA_ALLOC_SUCCESS);
	} else {
		count_vm_event(CMA_ALLOC_FAIL);
	}
	trace_cma_alloc_finish(page, count, align, ret);
	if (err)
		*err = ret;
	return page;
}

/* false if pages are not from this area; misuse inside it is reported. */
bool cma_release(struct cma *cma, const struct page *pages,
		 unsigned long count)
{
	unsigned long pfn, off, i;

	if (!cma || !pages)
		return false;
	pfn = page_to_pfn(pages);
	if (pfn < cma->base_pfn || pfn >= cma->base_pfn + cma->count)
		return false;
	off = pfn - cma->base_pfn;
	if (VM_WARN(count > cma->count - off,
		    "cma_release: [%#lx, +%#lx) leaves the area", pfn, count))
		return false;
	mutex_lock(&cma->lock);
	for (i = 0; i < count; i++)
		if (!bit_test(cma->bitmap, off + i))
			break;
	mutex_unlock(&cma->lock);
	if (VM_WARN(i < count, "cma_release: pfn %#lx was not allocated",
		    pfn + i))
		return false;
	free_contig_range(pfn, count);
	mutex_lock(&cma->lock);
	bits_assign(cma->bitmap, off, count, false);
	mutex_unlock(&cma->lock);
	return true;
}

int cma_alloc_range(unsigned long nr_pages, unsigned long *pfn)
{
	struct page *page;
	int err;

	if (!machine || !nr_pages || !pfn)
		return -EINVAL;
	if (!cma_area)
		return -ENOMEM;
	page = cma_alloc(cma_area, nr_pages, 0, &err);
	if (!page)
		return err;
	*pfn = page_to_pfn(page);
	return 0;
}

int cma_release_range(unsigned long pfn, unsigned long nr_pages)
{
	if (!machine || !cma_area || !nr_pages)
		return -EINVAL;
	if (pfn >= machine->total_pfns)
		return -EINVAL;
	return cma_release(cma_area, pfn_to_page(pfn), nr_pages) ? 0 : -EINVAL;
}
