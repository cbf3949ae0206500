// SPDX-License-Identifier: GPL-2.0
/*
 * Page migration: move the contents and every mapping of a folio to a new
 * folio, unless someone holds a reference the mappings and caches do not
 * explain (a pin, a GET, a driver): such a folio must stay where it is.
 *
 * One folio moves in these steps (the kernel's migrate_pages_batch for a
 * single folio, synchronous mode):
 *  1. the folio is isolated (PG_lru clear, one isolation reference) and
 *     locked; the destination is allocated and locked;
 *  2. try_to_migrate: each PTE/PMD mapping it becomes a migration entry,
 *     dropping that mapping's rmap and reference. Faults and GUP that meet
 *     a migration entry wait until it is gone;
 *  3. the refcount is frozen at what is expected (page cache + isolation).
 *     The freeze is the decisive test: GUP-fast takes references with
 *     inc-not-zero, so after it nobody can gain one; before it, any extra
 *     reference makes it fail and the mappings are restored as they were;
 *  4. contents and state are copied, the page cache slot is switched, and
 *     the migration entries become mappings of the destination.
 */
#include <sched.h>

#include "internal.h"

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
			pthread_mutex_unlock(&mm->page_table_lock);
			break;
		}
		unmap_one(folio, vma, entryp, page, false);
		pthread_mutex_unlock(&mm->page_table_lock);
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

	new = pte_wrprotect(pfn_pte(page_to_pfn(page), vma->vm_flags));
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
			pthread_mutex_unlock(&mm->page_table_lock);
			if (is_pmd)
				break;
			continue;
		}
		if (is_pmd) {
			remap_one(ra->dst, vma, addr, entryp, &ra->dst->page,
				  true);
			pthread_mutex_unlock(&mm->page_table_lock);
			break;
		}
		remap_one(ra->dst, vma, addr, entryp, folio_page(ra->dst, i),
			  false);
		pthread_mutex_unlock(&mm->page_table_lock);
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

/* ---- one folio ---- */

static void copy_folio_state(struct folio *dst, struct folio *src)
{
	unsigned long nr = folio_nr_pages(src), i;

	folio_copy(dst, src);
	for (i = 0; i < nr; i++)
		if (PageAnonExclusive(folio_page(src, i)))
			SetPageAnonExclusive(folio_page(dst, i));
	if (folio_test_dirty(src))
		folio_set_dirty(dst);
	if (folio_test_uptodate(src))
		folio_set_uptodate(dst);
	if (folio_test_swapbacked(src))
		folio_set_swapbacked(dst);
	dst->page.index = src->page.index;
	WRITE_ONCE(dst->page.mapping, src->page.mapping);
}

static bool folio_migratable(struct folio *folio)
{
	return !folio_test_hugetlb(folio) &&
	       page_zonenum(&folio->page) != ZONE_DEVICE &&
	       !Pagereserved(&folio->page);
}

/* Gives up a destination that was never used. */
static void discard_dst(struct folio *dst)
{
	folio_unlock(dst);
	folio_put(dst);
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

/*
 * 0: moved (src freed, off the list); -EAGAIN: busy, try again later;
 * -EBUSY: never movable; -ENOMEM: no destination.
 */
static int migrate_folio_one(struct folio *src, new_folio_t get_new_folio,
			     unsigned long priv)
{
	struct address_space *mapping;
	struct anon_vma *av = NULL;
	struct folio *dst;
	int expected;

	if (!folio_migratable(src))
		return -EBUSY;
	if (!folio_trylock(src))
		return -EAGAIN;
	if (folio_ref_count(src) == 1 && !folio_mapped(src) &&
	    !folio_mapping(src)) {
		/* everyone else let go: the isolation reference is the last */
		list_del(&src->page.lru);
		WRITE_ONCE(src->page.mapping, NULL);
		folio_unlock(src);
		folio_put(src);
		return 0;
	}
	dst = get_new_folio(src, priv);
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

	mapping = folio_mapping(src);
	expected = folio_expected_ref_count(src) + 1;
	if (folio_mapped(src) || !folio_ref_freeze(src, expected)) {
		/* a pin, a GET or a racing user: put everything back */
		remove_migration_ptes(src, src, av);
		anon_vma_put(av);
		discard_dst(dst);
		folio_unlock(src);
		return -EAGAIN;
	}

	copy_folio_state(dst, src);
	if (mapping)
		filemap_replace_folio(mapping, src, dst);
	remove_migration_ptes(src, dst, av);
	anon_vma_put(av);

	list_del(&src->page.lru);
	folio_set_lru(dst);
	folio_unlock(dst);
	/* the allocation reference; mappings and the cache hold their own */
	folio_put(dst);
	release_src(src);
	return 0;
}

int migrate_pages(struct list_head *from, new_folio_t get_new_folio,
		  unsigned long priv, enum migrate_reason reason,
		  unsigned int *nr_succeeded)
{
	unsigned int succeeded = 0, failed_pages = 0;
	int pass, nr_failed = 0, rc = 0, retry = 1;
	struct folio *folio, *next;
	LIST_HEAD(failed);

	for (pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && retry; pass++) {
		retry = 0;
		list_for_each_entry_safe(folio, next, from, page.lru) {
			unsigned long nr = folio_nr_pages(folio);

			switch (migrate_folio_one(folio, get_new_folio, priv)) {
			case 0:
				succeeded++;
				mod_vmstat(PGMIGRATE_SUCCESS, nr);
				break;
			case -EAGAIN:
				retry++;
				break;
			case -ENOMEM:
				rc = -ENOMEM;
				goto out;
			default:
				/* permanent: keep it out of later passes */
				list_move_tail(&folio->page.lru, &failed);
				nr_failed++;
				failed_pages += nr;
				break;
			}
		}
		if (retry)
			sched_yield();
	}
	/* whatever is still busy after the last pass has failed */
	list_for_each_entry(folio, from, page.lru) {
		nr_failed++;
		failed_pages += folio_nr_pages(folio);
	}
	rc = nr_failed;
out:
	list_splice_init(&failed, from);
	if (rc == -ENOMEM) {
		list_for_each_entry(folio, from, page.lru)
			failed_pages += folio_nr_pages(folio);
	}
	mod_vmstat(PGMIGRATE_FAIL, failed_pages);
	if (nr_succeeded)
		*nr_succeeded = succeeded;
	return rc;
}
