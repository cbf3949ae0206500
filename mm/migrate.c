// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration: move the contents and every mapping of a folio to a new
 * folio, unless someone holds a reference the mappings and caches do not
 * explain (a pin, a GET, a driver): such a folio must stay where it is.
 *
 * Folios move in batches of up to 512 pages, each step over the whole
 * batch before the next (the kernel's migrate_pages_batch(), synchronous):
 *  1. the folios are isolated (PG_lru clear, one isolation reference) by
 *     the caller; here each is locked and gets a locked destination (the
 *     small ones from one bulk allocation);
 *  2. try_to_migrate: each PTE/PMD mapping a folio becomes a migration
 *     entry, dropping that mapping's rmap and reference. Faults and GUP
 *     that meet a migration entry wait until it is gone;
 *  3. each refcount is frozen at what is expected (page cache +
 *     isolation). The freeze is the decisive test: GUP-fast takes
 *     references with inc-not-zero, so after it nobody can gain one;
 *     before it, any extra reference makes it fail and that folio's
 *     mappings are restored as they were;
 *  4. the contents of all frozen folios are copied back to back (one
 *     long copy runs at memory speed, a page at a time does not);
 *  5. state is copied, the page cache slot is switched, and the
 *     migration entries become mappings of the destination.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <emmintrin.h>
#include <xmmintrin.h>
#endif

#include "internal.h"
#include "../lib/sched_point.h"
#include "explain.h"
#include "trace.h"

/* A pass over the list retries folios that were busy (the kernel's 10). */
#define NR_MAX_MIGRATE_PAGES_RETRY	10

bool folio_isolate_lru(struct folio *folio)
{
	/* the caller holds a reference, so the folio cannot be freed here */
	if (!page_flag_test_and_clear(&folio->page, PG_lru))
		return false;
	folio_get(folio);
	return true;
}

void folio_putback_lru(struct folio *folio)
{
	VM_WARN(folio_test_lru(folio), "putback of a folio on the LRU");
	folio_set_lru(folio);
	folio_put(folio);
}

void putback_movable_pages(struct list_head *l)
{
	struct folio *folio, *next;

	list_for_each_entry_safe(folio, next, l, page.lru) {
		list_del(&folio->page.lru);
		folio_putback_lru(folio);
	}
}

int folio_expected_ref_count(struct folio *folio)
{
	int refs = folio_mapcount(folio);

	/* a page-cache folio keeps ->mapping exactly while it is cached */
	if (folio_mapping(folio))
		refs += folio_nr_pages(folio);
	return refs;
}

static struct folio *alloc_target(struct folio *src)
{
	gfp_t gfp = GFP_HIGHUSER_MOVABLE;

	if (folio_test_large(src))
		gfp |= __GFP_COMP;
	return folio_alloc(gfp, folio_order(src));
}

struct folio *alloc_migration_target_pinnable(struct folio *src,
					      unsigned long priv)
{
	unsigned int flags = memalloc_pin_save();
	struct folio *dst = alloc_target(src);

	memalloc_pin_restore(flags);
	return dst;
}

struct folio *alloc_migration_target(struct folio *src, unsigned long priv)
{
	return alloc_target(src);
}

/* ---- step 2: mappings -> migration entries ---- */

static uint64_t migration_entry_for(uint64_t old, struct page *page,
				    bool is_pmd)
{
	enum swp_type type;
	uint64_t entry;

	if (pte_write(old))
		type = SWP_MIGRATION_WRITE;
	else if (PageAnonExclusive(page))
		type = SWP_MIGRATION_READ_EXCLUSIVE;
	else
		type = SWP_MIGRATION_READ;
	/* the entry remembers young/dirty, as the kernel's does */
	entry = make_migration_entry(page_to_pfn(page), type);
	entry |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
	if (is_pmd)
		entry |= _PAGE_PSE;
	return entry;
}

static void unmap_one(struct folio *folio, struct vm_area_struct *vma,
		      uint64_t *entryp, struct page *page, bool is_pmd)
{
	uint64_t old = entry_xchg(entryp, 0);

	if (pte_dirty(old))
		folio_mark_dirty(folio);
	entry_set(entryp, migration_entry_for(old, page, is_pmd));
	if (is_pmd)
		folio_remove_rmap_pmd(folio, vma);
	else
		folio_remove_rmap_ptes(folio, page, 1, vma);
	/* the mapping's reference; the isolation reference keeps it alive */
	folio_put(folio);
}

static bool try_to_migrate_one(struct folio *folio, struct vm_area_struct *vma,
			       unsigned long address, void *arg)
{
	unsigned long nr = folio_nr_pages(folio), i;
	struct mm_struct *mm = vma->vm_mm;

	for (i = 0; i < nr; i++) {
		unsigned long addr = address + (i << PAGE_SHIFT);
		struct page *page = folio_page(folio, i);
		uint64_t *entryp;
		bool is_pmd;

		entryp = page_vma_mapped(page, vma, addr, false, &is_pmd);
		if (!entryp)
			continue;
		if (is_pmd) {
			/* the PMD maps the whole folio: move its head */
			unmap_one(folio, vma, entryp, &folio->page, true);
			ptl_unlock(mm);
			break;
		}
		unmap_one(folio, vma, entryp, page, false);
		ptl_unlock(mm);
	}
	return true;
}

static void walk_folio(struct folio *folio, struct anon_vma *av,
		       struct rmap_walk_control *rwc)
{
	if (av)
		rmap_walk_anon_vma(folio, av, rwc);
	else if (!folio_test_anon(folio))
		rmap_walk(folio, rwc);
}

static void try_to_migrate(struct folio *folio, struct anon_vma *av)
{
	struct rmap_walk_control rwc = { .rmap_one = try_to_migrate_one };

	walk_folio(folio, av, &rwc);
}

/* ---- step 4 (or undo): migration entries -> mappings ---- */

struct remap_arg {
	struct folio *src;
	struct folio *dst;
};

static void remap_one(struct folio *dst, struct vm_area_struct *vma,
		      unsigned long addr, uint64_t *entryp, struct page *page,
		      bool is_pmd)
{
	uint64_t old = entry_get(entryp);
	enum swp_type type = swp_type(old);
	bool anon = folio_test_anon(dst);
	int rmap_flags = 0;
	uint64_t new;

	/* No mmap_lock here: mprotect may be changing vm_flags meanwhile. */
	new = pte_wrprotect(pfn_pte(page_to_pfn(page),
				    vm_flags_read_once(vma)));
	if (type == SWP_MIGRATION_WRITE)
		new = pte_mkwrite(new);
	new |= old & (_PAGE_ACCESSED | _PAGE_DIRTY);
	if (is_pmd)
		new = pmd_mkhuge(new);
	if (anon && type != SWP_MIGRATION_READ)
		rmap_flags = RMAP_EXCLUSIVE;
	/* the new mapping's reference and rmap, before the entry is visible */
	folio_get(dst);
	if (is_pmd && anon)
		folio_add_anon_rmap_pmd(dst, vma, addr, rmap_flags);
	else if (is_pmd)
		folio_add_file_rmap_pmd(dst, vma);
	else if (anon)
		folio_add_anon_rmap_ptes(dst, page, 1, vma, addr, rmap_flags);
	else
		folio_add_file_rmap_ptes(dst, page, 1, vma);
	entry_set(entryp, new);
}

static bool remove_migration_pte(struct folio *src, struct vm_area_struct *vma,
				 unsigned long address, void *arg)
{
	struct remap_arg *ra = arg;
	unsigned long nr = folio_nr_pages(src), i;
	struct mm_struct *mm = vma->vm_mm;

	for (i = 0; i < nr; i++) {
		unsigned long addr = address + (i << PAGE_SHIFT);
		uint64_t *entryp;
		bool is_pmd;

		entryp = page_vma_mapped(folio_page(src, i), vma, addr, true,
					 &is_pmd);
		if (!entryp)
			continue;
		/* page_vma_mapped also finds present mappings: leave those */
		if (!is_migration_entry(entry_get(entryp))) {
			ptl_unlock(mm);
			if (is_pmd)
				break;
			continue;
		}
		if (is_pmd) {
			remap_one(ra->dst, vma, addr, entryp, &ra->dst->page,
				  true);
			ptl_unlock(mm);
			break;
		}
		remap_one(ra->dst, vma, addr, entryp, folio_page(ra->dst, i),
			  false);
		ptl_unlock(mm);
	}
	return true;
}

/*
 * Every migration entry for src becomes a mapping of dst (dst == src to
 * undo a failed attempt). The walk goes by src's identity: dst has the
 * same mapping and index by now.
 */
static void remove_migration_ptes(struct folio *src, struct folio *dst,
				  struct anon_vma *av)
{
	struct remap_arg ra = { .src = src, .dst = dst };
	struct rmap_walk_control rwc = {
		.rmap_one = remove_migration_pte,
		.arg = &ra,
	};

	walk_folio(src, av, &rwc);
}

/* ---- split_huge_page(): the same unmap and remap around a split ---- */

/*
 * Gives each page of a frozen large anon folio its own identity: an
 * order-0 folio with the head's anon mapping, its own index, the data
 * flags, and one reference (the kernel's page_ref_unfreeze(tail, 1)),
 * which the caller drops once the page is mapped again. The head keeps
 * the frozen count's place: the caller unfreezes it.
 */
static void __split_huge_page(struct folio *folio)
{
	static const int data_flags[] = {
		PG_uptodate, PG_dirty, PG_referenced, PG_swapbacked, PG_lru,
	};
	struct page *head = &folio->page;
	unsigned long nr = folio_nr_pages(folio), i;

	for (i = 1; i < nr; i++) {
		struct page *tail = head + i;

		WRITE_ONCE(tail->mapping, READ_ONCE(head->mapping));
		tail->index = head->index + i;
		for (unsigned int f = 0; f < ARRAY_SIZE(data_flags); f++)
			if (page_flag_test(head, data_flags[f]))
				page_flag_set(tail, data_flags[f]);
		atomic_store(&tail->_refcount, 1);
		/* last: a lockless reader now sees a small folio of its own */
		WRITE_ONCE(tail->compound_head, 0UL);
	}
	ClearPagehead(head);
	atomic_store(&head->_entire_mapcount, 0);
	atomic_store(&head->_large_mapcount, 0);
	atomic_store(&head->_pincount, 0);
	head->_folio_order = 0;
}

/*
 * split_huge_page() - a PTE-mapped large anon folio becomes small folios
 * (locked, one reference held by the caller, no PMD mapping). Its
 * mappings become migration entries (unmap_folio()), the refcount is
 * frozen so that nobody, GUP-fast included, takes a reference meanwhile,
 * the folio is split, and each page is mapped again by its own folio
 * (remap_page()). -EAGAIN, with nothing changed, when a reference beyond
 * the mappings and the caller's (a pin) exists. The caller's reference
 * and lock stay with the head page.
 */
int split_huge_page(struct folio *folio)
{
	unsigned long nr = folio_nr_pages(folio), i;
	struct anon_vma *av;

	if (!folio_test_large(folio) || !folio_test_anon(folio) ||
	    folio_test_hugetlb(folio) || folio_entire_mapcount(folio))
		return -EINVAL;
	av = folio_get_anon_vma(folio);
	if (!av)
		return -EBUSY;
	try_to_migrate(folio, av);
	SCHED_POINT("unmap_folio()");
	if (folio_mapped(folio) ||
	    !folio_ref_freeze(folio, folio_expected_ref_count(folio) + 1)) {
		remove_migration_ptes(folio, folio, av);
		anon_vma_put(av);
		return -EAGAIN;
	}
	SCHED_POINT("folio_ref_freeze()");
	__split_huge_page(folio);
	folio_ref_unfreeze(folio, 1);
	SCHED_POINT("__split_huge_page()");
	for (i = 0; i < nr; i++) {
		struct folio *small = page_folio(&folio->page + i);

		remove_migration_ptes(small, small, av);
		if (i)
			folio_put(small);	/* the split's reference */
	}
	SCHED_POINT("remap_page()");
	anon_vma_put(av);
	return 0;
}

/* ---- the batch ---- */

/* Pages in flight at once: the kernel's NR_MAX_BATCHED_MIGRATION. */
#define NR_MAX_BATCHED_MIGRATION	HPAGE_PMD_NR

/*
 * The folios of one batch that are unmapped (later: frozen), with their
 * targets, and the targets allocated in bulk for its small folios.
 */
struct migrate_batch {
	unsigned int nr;
	struct folio *src[NR_MAX_BATCHED_MIGRATION];
	struct folio *dst[NR_MAX_BATCHED_MIGRATION];
	struct anon_vma *av[NR_MAX_BATCHED_MIGRATION];
	unsigned int nr_spare, next_spare;
	struct page *spare[NR_MAX_BATCHED_MIGRATION];
};

struct migrate_counts {
	unsigned int succeeded;		/* folios */
	unsigned long thp_succeeded;	/* of them, large folios */
	unsigned long succeeded_pages;
	unsigned int nr_failed;		/* folios that can never move */
	unsigned long failed_pages;
};

static bool folio_migratable(struct folio *folio)
{
	return !folio_test_hugetlb(folio) &&
	       page_zonenum(&folio->page) != ZONE_DEVICE &&
	       !Pagereserved(&folio->page);
}

/*
 * Targets for the batch's small folios in one call, when get_new_folio is
 * one of ours (its choice of memory is then known: order 0, movable, and
 * pinnable under memalloc_pin_save()). A caller's own allocator is asked
 * folio by folio, as before.
 */
static void alloc_spare_targets(struct migrate_batch *b,
				struct list_head *batch,
				new_folio_t get_new_folio)
{
	bool pinnable = get_new_folio == alloc_migration_target_pinnable;
	unsigned int flags = 0, nr = 0;
	struct folio *folio;

	b->nr_spare = b->next_spare = 0;
	if (!pinnable && get_new_folio != alloc_migration_target)
		return;
	list_for_each_entry(folio, batch, page.lru)
		nr += !folio_test_large(folio);
	if (nr < 2)
		return;
	memset(b->spare, 0, nr * sizeof(b->spare[0]));
	if (pinnable)
		flags = memalloc_pin_save();
	b->nr_spare = alloc_pages_bulk(GFP_HIGHUSER_MOVABLE, nr, b->spare);
	if (pinnable)
		memalloc_pin_restore(flags);
}

static void free_spare_targets(struct migrate_batch *b)
{
	while (b->next_spare < b->nr_spare)
		folio_put(page_folio(b->spare[b->next_spare++]));
}

static struct folio *get_target(struct migrate_batch *b, struct folio *src,
				new_folio_t get_new_folio, unsigned long priv)
{
	if (!folio_test_large(src) && b->next_spare < b->nr_spare)
		return page_folio(b->spare[b->next_spare++]);
	return get_new_folio(src, priv);
}

/* Gives up a destination that was never used. */
static void discard_dst(struct folio *dst)
{
	folio_unlock(dst);
	folio_put(dst);
}

/* Result of migrate_folio_unmap() for a folio that went away by itself. */
#define MIGRATE_FOLIO_FREED	1

/*
 * Step 1 and 2 for one folio: lock it, find its target, turn its
 * mappings into migration entries. 0: unmapped, added to the batch;
 * MIGRATE_FOLIO_FREED: everyone else let go, the folio is freed and off
 * the list; -EAGAIN: busy, try again later; -EBUSY: never movable;
 * -ENOMEM: no destination.
 */
static int migrate_folio_unmap(struct migrate_batch *b, struct folio *src,
			       new_folio_t get_new_folio, unsigned long priv)
{
	struct anon_vma *av = NULL;
	struct folio *dst;

	if (!folio_migratable(src))
		return -EBUSY;
	if (!folio_trylock(src))
		return -EAGAIN;
	if (folio_ref_count(src) == 1 && !folio_mapped(src) &&
	    !folio_mapping(src)) {
		/* the isolation reference is the last one */
		list_del(&src->page.lru);
		WRITE_ONCE(src->page.mapping, NULL);
		folio_unlock(src);
		folio_put(src);
		return MIGRATE_FOLIO_FREED;
	}
	dst = get_target(b, src, get_new_folio, priv);
	if (!dst) {
		folio_unlock(src);
		return -ENOMEM;
	}
	if (VM_WARN(folio_nr_pages(dst) != folio_nr_pages(src) ||
		    !folio_trylock(dst), "bad migration target")) {
		folio_put(dst);
		folio_unlock(src);
		return -EBUSY;
	}
	/* hold the anon_vma: the restore walk runs when src is unmapped */
	if (folio_test_anon(src))
		av = folio_get_anon_vma(src);
	try_to_migrate(src, av);
	SCHED_POINT("try_to_migrate(): unmapped");

	b->src[b->nr] = src;
	b->dst[b->nr] = dst;
	b->av[b->nr] = av;
	b->nr++;
	return 0;
}

/* Puts an unmapped folio back as it was; it is busy for this pass. */
static void migrate_folio_undo(struct folio *src, struct folio *dst,
			       struct anon_vma *av)
{
	SCHED_POINT("busy: remapping the source");
	remove_migration_ptes(src, src, av);
	anon_vma_put(av);
	discard_dst(dst);
	folio_unlock(src);
}

/*
 * Step 3 for the batch: every folio must be held by nothing but its
 * isolation and its page cache slot now that its mappings are gone.
 * Those that are (a pin, a GET, a racing user) are put back and moved to
 * busy; the rest are frozen, so nobody gains a reference to them until
 * they are released.
 */
static void migrate_batch_freeze(struct migrate_batch *b,
				 struct list_head *busy)
{
	unsigned int i, kept = 0;

	for (i = 0; i < b->nr; i++) {
		struct folio *src = b->src[i];
		int expected = folio_expected_ref_count(src) + 1;

		if (folio_mapped(src) || !folio_ref_freeze(src, expected)) {
			if (explain_on())
				__explain_busy_page(&src->page, expected);
			migrate_folio_undo(src, b->dst[i], b->av[i]);
			list_move_tail(&src->page.lru, busy);
			continue;
		}
		SCHED_POINT("folio_ref_freeze()");
		b->src[kept] = src;
		b->dst[kept] = b->dst[i];
		b->av[kept] = b->av[i];
		kept++;
	}
	b->nr = kept;
}

#if defined(__x86_64__)
/* Bytes one step of the copy moves from each page (four 16-byte loads). */
#define COPY_STEP		64
/* How far ahead of the copy each source stream is prefetched. */
#define COPY_PREFETCH_DIST	(8 * COPY_STEP)
/* Pages copied side by side. */
#define COPY_WAYS		4

static inline void copy_line_nt(void *dst, const void *src)
{
	__m128i *d = dst;
	const __m128i *s = src;
	__m128i a = _mm_load_si128(s);
	__m128i b = _mm_load_si128(s + 1);
	__m128i c = _mm_load_si128(s + 2);
	__m128i e = _mm_load_si128(s + 3);

	_mm_stream_si128(d, a);
	_mm_stream_si128(d + 1, b);
	_mm_stream_si128(d + 2, c);
	_mm_stream_si128(d + 3, e);
}

/*
 * Copies n (<= COPY_WAYS) pages side by side, one line of each in turn,
 * with non-temporal stores (migration never reads the target again, and
 * a plain store would first read every target line for ownership). A
 * page copied alone starts cold: the hardware prefetcher does not cross
 * a 4 KiB page, so each page pays a full memory latency before its
 * stream runs. Several pages at once keep several streams in flight,
 * and each source is prefetched a few lines ahead of its copy, the next
 * group's pages as this group reaches its end.
 */
static void copy_pages_nt(char *const *d, char *const *s, unsigned int n,
			  char *const *next, unsigned int n_next)
{
	unsigned long off;
	unsigned int k;

	for (off = 0; off < PAGE_SIZE; off += COPY_STEP) {
		unsigned long ahead = off + COPY_PREFETCH_DIST;

		for (k = 0; k < n; k++) {
			if (ahead < PAGE_SIZE)
				_mm_prefetch(s[k] + ahead, _MM_HINT_T0);
			else if (k < n_next)
				_mm_prefetch(next[k] + ahead - PAGE_SIZE,
					     _MM_HINT_T0);
			copy_line_nt(d[k] + off, s[k] + off);
		}
	}
}

/*
 * The batch's data, every page of every folio, back to back: the loop
 * runs over the batch's pages as one list, COPY_WAYS at a time. The
 * stores are fenced once, at the end: the copy is complete before any
 * target is mapped.
 */
static void migrate_batch_copy(struct migrate_batch *b)
{
	char *d[2][COPY_WAYS], *s[2][COPY_WAYS];
	unsigned int i = 0, cur = 0, n[2] = { 0, 0 };
	unsigned long pg = 0;

	/* group g+1 is gathered before group g is copied, for the prefetch */
	for (;;) {
		unsigned int nxt = cur ^ 1;

		n[nxt] = 0;
		while (n[nxt] < COPY_WAYS && i < b->nr) {
			d[nxt][n[nxt]] = (char *)folio_address(b->dst[i]) +
					 (pg << PAGE_SHIFT);
			s[nxt][n[nxt]] = (char *)folio_address(b->src[i]) +
					 (pg << PAGE_SHIFT);
			n[nxt]++;
			if (++pg == folio_nr_pages(b->src[i])) {
				pg = 0;
				i++;
			}
		}
		if (n[cur])
			copy_pages_nt(d[cur], s[cur], n[cur], s[nxt], n[nxt]);
		if (!n[nxt])
			break;
		cur = nxt;
	}
	_mm_sfence();
}
#else
static void migrate_batch_copy(struct migrate_batch *b)
{
	unsigned int i;

	for (i = 0; i < b->nr; i++)
		memcpy(folio_address(b->dst[i]), folio_address(b->src[i]),
		       folio_size(b->src[i]));
}
#endif

/*
 * The state that goes with the data and the folio's identity (the
 * kernel's folio_migrate_flags() and the mapping part of
 * folio_migrate_mapping()).
 */
static void migrate_folio_state(struct folio *dst, struct folio *src)
{
	const unsigned long data_flags = 1UL << PG_uptodate |
		1UL << PG_dirty | 1UL << PG_referenced | 1UL << PG_swapbacked;
	unsigned long nr = folio_nr_pages(src), i, set;

	/*
	 * The flags that go with the data, all in one atomic OR: one locked
	 * instruction a folio instead of one a flag (~3% of a CMA pin). dst
	 * is locked and mapped nowhere yet; the OR leaves its other bits
	 * (PG_locked among them) as it finds them.
	 */
	set = atomic_load_explicit(&src->page.flags, memory_order_acquire) &
	      data_flags;
	if (set)
		atomic_fetch_or_explicit(&dst->page.flags, set,
					 memory_order_release);
	for (i = 0; i < nr; i++)
		if (PageAnonExclusive(folio_page(src, i)))
			SetPageAnonExclusive(folio_page(dst, i));
	dst->page.index = src->page.index;
	WRITE_ONCE(dst->page.mapping, src->page.mapping);
}

/*
 * Releases the source after a successful move: it is frozen at zero, so
 * nobody else can reach it. Its identity goes first so it frees as a
 * plain page, not as a page-cache or anonymous one.
 */
static void release_src(struct folio *src)
{
	unsigned long nr = folio_nr_pages(src), i;

	WRITE_ONCE(src->page.mapping, NULL);
	for (i = 0; i < nr; i++)
		ClearPageAnonExclusive(folio_page(src, i));
	folio_unlock(src);
	folio_ref_unfreeze(src, 1);
	folio_put(src);
}

/* Step 4 for one frozen, copied folio: the target takes its place. */
static void migrate_folio_finish(struct folio *src, struct folio *dst,
				 struct anon_vma *av)
{
	struct address_space *mapping = folio_mapping(src);

	SCHED_POINT("copied");
	migrate_folio_state(dst, src);
	if (mapping)
		filemap_replace_folio(mapping, src, dst);
	remove_migration_ptes(src, dst, av);
	SCHED_POINT("remove_migration_ptes()");
	anon_vma_put(av);

	list_del(&src->page.lru);
	folio_set_lru(dst);
	folio_unlock(dst);
	/* the allocation reference; mappings and the cache hold their own */
	folio_put(dst);
	release_src(src);
}

/*
 * migrate_pages_batch() - one batch (at most NR_MAX_BATCHED_MIGRATION
 * pages) through the steps, each step over the whole batch: targets in
 * bulk, unmap all, freeze all, copy all back to back, finish all. Busy
 * folios go to busy, folios that can never move to failed; what moved
 * or went away leaves the list. -ENOMEM when a target was missing: the
 * folios unmapped before it still move, the rest stay on batch.
 */
static int migrate_pages_batch(struct migrate_batch *b,
			       struct list_head *batch, struct list_head *busy,
			       struct list_head *failed,
			       new_folio_t get_new_folio, unsigned long priv,
			       struct migrate_counts *c)
{
	struct folio *folio, *next;
	unsigned int i;
	int rc = 0;

	b->nr = 0;
	alloc_spare_targets(b, batch, get_new_folio);
	list_for_each_entry_safe(folio, next, batch, page.lru) {
		unsigned long nr = folio_nr_pages(folio);

		switch (migrate_folio_unmap(b, folio, get_new_folio, priv)) {
		case 0:
			break;
		case MIGRATE_FOLIO_FREED:
			c->succeeded++;
			c->succeeded_pages += nr;
			break;
		case -EAGAIN:
			list_move_tail(&folio->page.lru, busy);
			break;
		case -ENOMEM:
			rc = -ENOMEM;
			goto move;
		default:
			/* permanent: keep it out of later passes */
			list_move_tail(&folio->page.lru, failed);
			c->nr_failed++;
			c->failed_pages += nr;
			break;
		}
	}
move:
	free_spare_targets(b);
	migrate_batch_freeze(b, busy);
	migrate_batch_copy(b);
	/* The sources go back as through the per-CPU lists: one lock round. */
	free_pages_batch_begin();
	for (i = 0; i < b->nr; i++) {
		c->succeeded++;
		c->succeeded_pages += folio_nr_pages(b->src[i]);
		c->thp_succeeded += folio_test_large(b->src[i]);
		migrate_folio_finish(b->src[i], b->dst[i], b->av[i]);
	}
	free_pages_batch_end();
	b->nr = 0;
	return rc;
}

/* Moves whole folios from the front of from to batch, at most a batch. */
static void cut_batch(struct list_head *from, struct list_head *batch)
{
	unsigned long pages = 0;

	while (!list_empty(from)) {
		struct folio *folio = list_first_entry(from, struct folio,
						       page.lru);
		unsigned long nr = folio_nr_pages(folio);

		if (pages && pages + nr > NR_MAX_BATCHED_MIGRATION)
			break;
		list_move_tail(&folio->page.lru, batch);
		pages += nr;
	}
}

/* Appends every entry of list to head. */
static void splice_tail(struct list_head *list, struct list_head *head)
{
	list_splice_init(list, head->prev);
}

static unsigned long list_pages(struct list_head *list, unsigned int *nr)
{
	unsigned long pages = 0;
	struct folio *folio;

	list_for_each_entry(folio, list, page.lru) {
		pages += folio_nr_pages(folio);
		(*nr)++;
	}
	return pages;
}

/* The kernel's names of the reasons (include/trace/events/migrate.h). */
static const char *migrate_reason_name(enum migrate_reason reason)
{
	switch (reason) {
	case MR_LONGTERM_PIN: return "longterm_pin";
	case MR_CONTIG_RANGE: return "contig_range";
	case MR_SYSCALL: return "syscall_or_cpuset";
	}
	return "?";
}

/* Large folios on a list, for the trace only (0 when nobody traces). */
static unsigned long count_large(struct list_head *list)
{
	struct folio *folio;
	unsigned long n = 0;

	if (!trace_on())
		return 0;
	list_for_each_entry(folio, list, page.lru)
		n += folio_test_large(folio);
	return n;
}

int migrate_pages(struct list_head *from, new_folio_t get_new_folio,
		  unsigned long priv, enum migrate_reason reason,
		  unsigned int *nr_succeeded)
{
	struct migrate_counts c = { 0 };
	struct migrate_batch *b;
	LIST_HEAD(failed);
	LIST_HEAD(busy);
	int pass, rc = 0;

	trace_mm_migrate_pages_start(migrate_reason_name(reason));
	b = malloc(sizeof(*b));
	if (!b) {
		rc = -ENOMEM;
		goto out;
	}
	for (pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY; pass++) {
		while (!list_empty(from)) {
			LIST_HEAD(batch);

			cut_batch(from, &batch);
			rc = migrate_pages_batch(b, &batch, &busy, &failed,
						 get_new_folio, priv, &c);
			/* list order stays: busy, unprocessed, the rest */
			splice_tail(&batch, &busy);
			if (rc == -ENOMEM) {
				splice_tail(from, &busy);
				break;
			}
		}
		splice_tail(&busy, from);
		if (rc == -ENOMEM || list_empty(from))
			break;
		/* busy folios are retried after the others had a turn */
		sched_yield();
	}
	free(b);
out:
	/* whatever is still busy after the last pass has failed too */
	c.failed_pages += list_pages(from, &c.nr_failed);
	if (!rc)
		rc = c.nr_failed;
	list_splice_init(&failed, from);
	trace_mm_migrate_pages(c.succeeded_pages, c.failed_pages,
			       c.thp_succeeded, count_large(from),
			       migrate_reason_name(reason));
	mod_vmstat(PGMIGRATE_SUCCESS, c.succeeded_pages);
	mod_vmstat(PGMIGRATE_FAIL, c.failed_pages);
	if (nr_succeeded)
		*nr_succeeded = c.succeeded;
	return rc;
}
