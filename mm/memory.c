// SPDX-License-Identifier: GPL-2.0
/*
 * Page faults and zap.
 *
 * handle_mm_fault() resolves one fault at one address: it allocates the
 * missing page tables, lets huge_memory.c try a PMD-sized anonymous folio,
 * and otherwise decides at PTE level: zero page, fresh anonymous page, a
 * page-cache page from the file's ->fault, COW copy or reuse, unshare.
 *
 * Locking: the caller holds mmap_lock (read or write), so no page table we
 * walk can be freed under us (tables go only under mmap_write_lock). Every
 * entry is re-read under mm->page_table_lock (the ptl) before it is changed,
 * and nothing is allocated while the ptl is held. GUP-fast reads entries
 * without any lock: it takes its reference with folio_try_get() and then
 * re-checks the entry, so replacing or clearing an entry under the ptl and
 * dropping the mapping's reference afterwards is enough.
 */
#include <sched.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "../lib/sched_point.h"

gfp_t vma_place_gfp(const struct vm_area_struct *vma)
{
	switch (vma->place) {
	case PLACE_NORMAL:
		return __GFP_PLACE_NORMAL;
	case PLACE_MOVABLE:
		return __GFP_PLACE_MOVABLE;
	case PLACE_CMA:
		return __GFP_PLACE_CMA;
	default:
		return 0;
	}
}

atomic_long *mm_counter(struct mm_struct *mm, const struct folio *folio)
{
	if (folio_test_anon(folio))
		return &mm->rss_anon;
	if (folio_test_swapbacked(folio))
		return &mm->rss_shmem;
	return &mm->rss_file;
}

struct page *vm_normal_page(struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte) || is_zero_pfn(pfn))
		return NULL;
	if (VM_WARN(!pfn_valid(pfn), "pte %#llx maps no page at %#lx",
		    (unsigned long long)pte, addr))
		return NULL;
	return pfn_to_page(pfn);
}

/* ---------------------------------------------------------------------
 * Migration entries
 * --------------------------------------------------------------------- */

/*
 * Spins (yielding) while *entryp still holds the migration entry it held on
 * entry. The ptl must not be held: migration needs it to put the final
 * entry back. Returns false if the wait timed out, which means a migration
 * never finished: a bug worth a warning rather than a hang.
 */
static bool wait_on_migration_entry(uint64_t *entryp)
{
	uint64_t orig = entry_get(entryp);
	struct timespec start, now;
	unsigned long spins = 0;

	if (!is_migration_entry(orig))
		return true;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (entry_get(entryp) == orig) {
		SCHED_YIELD("wait for the migration entry");
		sched_yield();
		if (++spins % 4096)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 20) {
			VM_WARN(true, "migration entry %#llx never replaced",
				(unsigned long long)orig);
			return false;
		}
	}
	return true;
}

void migration_entry_wait(struct mm_struct *mm, pte_t *ptep)
{
	wait_on_migration_entry(ptep);
}

/* ---------------------------------------------------------------------
 * Mapping new pages
 * --------------------------------------------------------------------- */

/* The zero page, read-only and special: no reference, no mapcount. */
static vm_fault_t do_anonymous_zero_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t entry;

	entry = pfn_pte(page_to_pfn(machine->zero_page), vma->vm_flags);
	entry = pte_wrprotect(entry) | _PAGE_SPECIAL;
	ptl_lock(mm);
	if (pte_none(ptep_get(vmf->pte)))
		set_pte(vmf->pte, entry);
	ptl_unlock(mm);
	return 0;
}

/* Installs a fresh exclusive anon folio at vmf->pte; ptl held. */
static void map_new_anon_page(struct vm_fault *vmf, struct folio *folio,
			      bool writable)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	folio_set_swapbacked(folio);
	folio_add_new_anon_rmap(folio, vma, vmf->address, RMAP_EXCLUSIVE);
	atomic_fetch_add(&vma->vm_mm->rss_anon, 1);
	entry = pte_mkyoung(mk_pte(&folio->page, vma->vm_flags));
	if (writable)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	else
		entry = pte_wrprotect(entry);
	set_pte(vmf->pte, entry);
	/* On the LRU only once mapped: migration may take it from here on. */
	folio_set_lru(folio);
}

/*
 * Maps a fresh anon folio at vmf->pte unless a racing fault filled the slot
 * first: then the folio is dropped and the caller's access simply retries.
 */
static bool map_anon_if_none(struct vm_fault *vmf, struct folio *folio)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	bool none;

	ptl_lock(mm);
	none = pte_none(ptep_get(vmf->pte));
	if (none)
		map_new_anon_page(vmf, folio, true);
	ptl_unlock(mm);
	if (!none)
		folio_put(folio);
	return none;
}

/*
 * Maps the swap cache folio of entry (a reference held by the caller that
 * the PTE takes over) at vmf->pte; ptl held. The page is exclusive if the
 * entry said so, or if nobody else can see the folio any more (no slot
 * left for it and no other reference): then a write fault maps it
 * writable at once.
 */
static bool map_swapped_folio(struct vm_fault *vmf, struct folio *folio,
			      pte_t entry)
{
	struct vm_area_struct *vma = vmf->vma;
	bool exclusive = pte_swp_exclusive(entry);
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pte_t pte;

	swap_free(swp_offset_pfn(entry));
	if (!exclusive && !folio_test_swapcache(folio) &&
	    folio_ref_count(folio) == 1)
		exclusive = true;
	if (!folio_test_anon(folio))
		folio_add_new_anon_rmap(folio, vma, vmf->address,
					exclusive ? RMAP_EXCLUSIVE : 0);
	else
		folio_add_anon_rmap_ptes(folio, &folio->page, 1, vma,
					 vmf->address,
					 exclusive ? RMAP_EXCLUSIVE : 0);
	atomic_fetch_add(&vma->vm_mm->rss_anon, 1);
	pte = pte_mkyoung(mk_pte(&folio->page, vma->vm_flags));
	pte = pte_wrprotect(pte);
	if (write && exclusive)
		pte = maybe_mkwrite(pte_mkdirty(pte), vma);
	set_pte(vmf->pte, pte);
	folio_set_lru(folio);
	return !write || exclusive;
}

/*
 * Swap-in: the swap cache's folio for the entry, or a new one read from
 * the device, is mapped where the entry was. A write fault on a page that
 * is not exclusive walks again and meets do_wp_page(), which copies it
 * (another page table still refers to the slot).
 *
 * The entry is checked under the ptl before the slot is read or a cached
 * folio used: while it is there the slot stays in use, so its bytes are
 * this entry's. A folio found before taking the ptl must still be the
 * slot's cached one then, or the slot was freed and used again meanwhile.
 */
vm_fault_t do_swap_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t entry = vmf->orig_pte;
	unsigned long slot = swp_offset_pfn(entry);
	struct folio *folio, *new = NULL;
	bool done = false;

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = swap_cache_lookup(slot);
	if (!folio) {
		new = folio_alloc(GFP_HIGHUSER_MOVABLE | vma_place_gfp(vma), 0);
		if (!new)
			return VM_FAULT_OOM;
	}
	ptl_lock(mm);
	if (ptep_get(vmf->pte) != entry ||
	    (folio && !swap_cache_is(slot, folio)))
		goto out;	/* swapped in, zapped or reused: walk again */
	if (!folio)
		folio = swap_cache_add_read(slot, new);
	if (folio == new)
		new = NULL;	/* the PTE takes its reference */
	done = map_swapped_folio(vmf, folio, entry);
	folio = NULL;
out:
	ptl_unlock(mm);
	if (folio)
		folio_put(folio);
	if (new)
		folio_put(new);
	return done ? 0 : VM_FAULT_RETRY;
}

/* Are the nr entries from pte on all none? Under the ptl or not. */
static bool pte_range_none(pte_t *pte, unsigned long nr)
{
	for (unsigned long i = 0; i < nr; i++)
		if (!pte_none(ptep_get(pte + i)))
			return false;
	return true;
}

/* The first of the PTEs that map folio if it is placed for vmf. */
static pte_t *folio_first_pte(struct vm_fault *vmf, unsigned long nr)
{
	unsigned long addr = ALIGN_DOWN(vmf->address, nr << PAGE_SHIFT);

	return vmf->pte - ((vmf->address - addr) >> PAGE_SHIFT);
}

/*
 * The kernel's alloc_anon_folio(): the largest enabled order below the
 * PMD's whose naturally aligned range around the fault lies inside the
 * VMA with every PTE still none, a smaller one when that allocation
 * fails, and a base page last. The range is looked at without the ptl;
 * the caller looks again under it. (A 2 MiB THP was tried before: it is
 * PMD-mapped, see __handle_mm_fault().) Before 6.8 an anonymous fault
 * had no size between a base page and the PMD's: the per-size sysfs
 * controls did not exist, so the sizes a machine enables are not there.
 */
static struct folio *alloc_anon_folio(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	gfp_t place = vma_place_gfp(vma);
	unsigned int orders = kernel_has(ANON_MTHP) ?
			      thp_vma_allowable_orders(vma) &
			      ((1u << HPAGE_PMD_ORDER) - 1) : 0;
	struct folio *folio;

	while (orders) {
		unsigned int order = 31 - (unsigned int)__builtin_clz(orders);
		unsigned long nr = 1UL << order;
		unsigned long addr = ALIGN_DOWN(vmf->address, nr << PAGE_SHIFT);

		orders &= ~(1u << order);
		if (addr < vma->vm_start || addr + (nr << PAGE_SHIFT) >
		    vma->vm_end ||
		    !pte_range_none(folio_first_pte(vmf, nr), nr))
			continue;
		folio = folio_alloc(GFP_TRANSHUGE | __GFP_ZERO | place, order);
		if (folio)	/* (thp_fault_* count 2 MiB THPs only) */
			return folio;
	}
	return folio_alloc(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | place, 0);
}

/*
 * Maps a new large anon folio with one writable PTE per page, unless a
 * racing fault filled one of its slots meanwhile: then the folio is
 * dropped and the access retries (it will find a smaller range empty).
 * Every PTE holds a reference, as after a PMD split.
 */
static void map_anon_folio_if_none(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long nr = folio_nr_pages(folio);
	pte_t *pte = folio_first_pte(vmf, nr);
	bool none;

	ptl_lock(mm);
	none = pte_range_none(pte, nr);
	if (none) {
		folio_ref_add(folio, (int)nr - 1);
		folio_add_new_anon_rmap(folio, vma, vmf->address,
					RMAP_EXCLUSIVE);
		atomic_fetch_add(&mm->rss_anon, (long)nr);
		for (unsigned long i = 0; i < nr; i++) {
			pte_t entry = mk_pte(folio_page(folio, i),
					     vma->vm_flags);

			entry = pte_mkyoung(pte_mkdirty(entry));
			set_pte(pte + i, maybe_mkwrite(entry, vma));
		}
		folio_set_lru(folio);
	}
	ptl_unlock(mm);
	if (!none)
		folio_put(folio);
}

static vm_fault_t do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;

	if (VM_WARN(vma->vm_flags & VM_SHARED,
		    "shared VMA %#lx without vm_ops", vma->vm_start))
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_anonymous_zero_page(vmf);

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	folio = alloc_anon_folio(vmf);
	if (!folio)
		return VM_FAULT_OOM;
	if (folio_test_large(folio))
		map_anon_folio_if_none(vmf, folio);
	else
		map_anon_if_none(vmf, folio);
	return 0;
}

/*
 * ->fault: either a locked, referenced folio in vmf->folio, or the entry
 * was installed by the filesystem (VM_FAULT_NOPAGE), or an error.
 */
static vm_fault_t __do_fault(struct vm_fault *vmf)
{
	const struct vm_operations_struct *ops = vmf->vma->vm_ops;
	vm_fault_t ret;

	if (!ops->fault)
		return VM_FAULT_SIGBUS;
	vmf->folio = NULL;
	ret = ops->fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (VM_WARN(!vmf->folio, "%s ->fault returned no folio",
		    ops->name ? ops->name : "?"))
		return VM_FAULT_SIGBUS;
	return ret;
}

/* The page of vmf->folio that vmf->pgoff names (folios may be large). */
static struct page *fault_page(struct vm_fault *vmf)
{
	struct folio *folio = vmf->folio;
	unsigned long nr = folio_nr_pages(folio);

	if (nr > 1 && vmf->pgoff >= folio->page.index &&
	    vmf->pgoff < folio->page.index + nr)
		return folio_page(folio, vmf->pgoff - folio->page.index);
	return &folio->page;
}

/*
 * Maps a page-cache page at vmf->pte (finish_fault). The fault's reference
 * becomes the mapping's. Returns false if the slot was filled meanwhile.
 * A read fault of a mapping that wants write-notify maps read-only so that
 * the first write reaches ->page_mkwrite.
 */
static bool finish_fault(struct vm_fault *vmf, struct page *page, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = page_folio(page);
	pte_t entry;

	entry = pte_mkyoung(mk_pte(page, vma->vm_flags));
	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	else if (!(vma->vm_flags & VM_SHARED) ||
		 vma_wants_writenotify(vma, vma->vm_flags))
		entry = pte_wrprotect(entry);

	ptl_lock(mm);
	if (!pte_none(ptep_get(vmf->pte))) {
		ptl_unlock(mm);
		return false;
	}
	folio_add_file_rmap_ptes(folio, page, 1, vma);
	atomic_fetch_add(mm_counter(mm, folio), 1);
	set_pte(vmf->pte, entry);
	ptl_unlock(mm);
	return true;
}

static vm_fault_t do_read_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = __do_fault(vmf);
	struct folio *folio = vmf->folio;
	bool mapped;

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	mapped = finish_fault(vmf, fault_page(vmf), false);
	folio_unlock(folio);
	/* if mapped, the fault's reference became the mapping's */
	if (!mapped)
		folio_put(folio);
	return 0;
}

/* A private file mapping's write: copy into an exclusive anon page. */
static vm_fault_t do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *new, *src;
	vm_fault_t ret;

	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	new = folio_alloc(GFP_HIGHUSER_MOVABLE | vma_place_gfp(vma), 0);
	if (!new)
		return VM_FAULT_OOM;
	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		folio_put(new);
		return ret;
	}
	src = vmf->folio;
	memcpy(folio_address(new), page_address(fault_page(vmf)), PAGE_SIZE);
	folio_unlock(src);
	folio_put(src);
	if (map_anon_if_none(vmf, new))
		count_vm_event(GUPSIM_COW_COPY);
	return 0;
}

/* Calls ->page_mkwrite; on success the folio is returned locked. */
static vm_fault_t do_page_mkwrite(struct vm_fault *vmf, struct folio *folio)
{
	unsigned int old_flags = vmf->flags;
	vm_fault_t ret;

	vmf->flags = FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE;
	vmf->folio = folio;
	ret = vmf->vma->vm_ops->page_mkwrite(vmf);
	vmf->flags = old_flags;
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE))
		return ret;
	if (!(ret & VM_FAULT_LOCKED)) {
		folio_lock(folio);
		ret |= VM_FAULT_LOCKED;
	}
	return ret;
}

static bool vma_has_mkwrite(const struct vm_area_struct *vma)
{
	return vma->vm_ops && vma->vm_ops->page_mkwrite &&
	       vma_wants_writenotify(vma, vma->vm_flags);
}

static vm_fault_t do_shared_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct folio *folio;
	vm_fault_t ret, tmp;

	ret = __do_fault(vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	folio = vmf->folio;
	if (vma_has_mkwrite(vma)) {
		folio_unlock(folio);
		tmp = do_page_mkwrite(vmf, folio);
		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			folio_put(folio);
			return tmp;
		}
		vmf->folio = folio;
	}
	if (!finish_fault(vmf, fault_page(vmf), true)) {
		folio_unlock(folio);
		folio_put(folio);
		return 0;
	}
	/* The data may change from now on: writeback must see it dirty. */
	folio_mark_dirty(folio);
	folio_unlock(folio);
	return 0;
}

static vm_fault_t do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma->vm_ops || !vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* ---------------------------------------------------------------------
 * Write (and unshare) faults on present read-only entries
 * --------------------------------------------------------------------- */

/*
 * Reuses the mapped page in place: a write makes the entry writable (if
 * VM_WRITE) and dirty, an unshare leaves it read-only. ptl held; dropped.
 */
static vm_fault_t wp_page_reuse(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	pte_t entry = vmf->orig_pte;

	if (!(vmf->flags & FAULT_FLAG_UNSHARE)) {
		entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(entry)),
				      vmf->vma);
		set_pte(vmf->pte, entry);
		count_vm_event(GUPSIM_COW_REUSE);
	}
	ptl_unlock(mm);
	return 0;
}

/*
 * Copies the mapped page (or zeroes, for the zero page) into a new
 * exclusive anon page and replaces the entry. ptl held on entry, dropped.
 * old is the normal folio mapped there, NULL for special entries.
 */
static vm_fault_t wp_page_copy(struct vm_fault *vmf, struct folio *old,
			       struct page *oldpage)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	unsigned long src_pfn = pte_pfn(vmf->orig_pte);
	bool zero = is_zero_pfn(src_pfn);
	struct folio *new;

	if (old)
		folio_get(old);
	ptl_unlock(mm);

	if (anon_vma_prepare(vma))
		goto oom;
	new = folio_alloc(GFP_HIGHUSER_MOVABLE | vma_place_gfp(vma) |
			  (zero ? __GFP_ZERO : 0), 0);
	if (!new)
		goto oom;
	if (!zero)
		memcpy(folio_address(new), page_address(pfn_to_page(src_pfn)),
		       PAGE_SIZE);

	ptl_lock(mm);
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		ptl_unlock(mm);
		folio_put(new);
		if (old)
			folio_put(old);
		return 0;
	}
	if (old) {
		folio_remove_rmap_ptes(old, oldpage, 1, vma);
		atomic_fetch_sub(mm_counter(mm, old), 1);
	}
	/* an unshare leaves the copy read-only, like the page it replaces */
	map_new_anon_page(vmf, new, !unshare);
	ptl_unlock(mm);

	if (old) {
		folio_put(old);		/* the old mapping's reference */
		folio_put(old);		/* ours */
	}
	if (!unshare)
		count_vm_event(GUPSIM_COW_COPY);
	return 0;
oom:
	if (old)
		folio_put(old);
	return VM_FAULT_OOM;
}

/* A shared mapping's first write: tell the filesystem, then map it RW. */
static vm_fault_t wp_page_shared(struct vm_fault *vmf, struct folio *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	vm_fault_t ret;
	pte_t entry;

	if (!folio || !vma_has_mkwrite(vma)) {
		/* no dirty tracking (shmem, PFN maps): just upgrade */
		entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte)));
		set_pte(vmf->pte, entry);
		ptl_unlock(mm);
		if (folio)
			folio_mark_dirty(folio);
		return 0;
	}

	folio_get(folio);
	ptl_unlock(mm);
	ret = do_page_mkwrite(vmf, folio);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
		folio_put(folio);
		return ret;
	}
	ptl_lock(mm);
	if (pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		entry = pte_mkyoung(pte_mkdirty(pte_mkwrite(vmf->orig_pte)));
		set_pte(vmf->pte, entry);
	}
	ptl_unlock(mm);
	folio_mark_dirty(folio);
	folio_unlock(folio);
	folio_put(folio);
	return 0;
}

/*
 * May a not-exclusive anon page be taken over by this mapping? Only if
 * nobody else holds it: the only reference is this PTE's (no other
 * mapping, no GUP reference or pin, no isolation for migration). The
 * folio lock keeps out anyone who works on it under the lock.
 */
static bool wp_can_reuse_anon_folio(struct folio *folio)
{
	bool reuse;

	if (folio_ref_count(folio) != 1)
		return false;
	if (!folio_trylock(folio))
		return false;
	reuse = folio_ref_count(folio) == 1;
	folio_unlock(folio);
	return reuse;
}

/*
 * The anon write fault of releases before PageAnonExclusive (5.19).
 * Until 5.8 the page was reused when this was its only mapping (mapcount
 * 1), whoever else held it: a GUP reference then saw the process's later
 * writes, or a child's did (CVE-2020-29374). 5.9's do_wp_page()
 * simplification reuses only a page nobody else holds (page_count 1),
 * so a page pinned by this very process is copied away from its pin.
 */
static vm_fault_t wp_anon_before_exclusive(struct vm_fault *vmf,
					   struct folio *folio,
					   struct page *page)
{
	bool reuse;

	if (kernel_has(WP_PAGE_COUNT))
		reuse = wp_can_reuse_anon_folio(folio);
	else
		reuse = !folio_test_large(folio) && folio_mapcount(folio) == 1;
	if (reuse) {
		SetPageAnonExclusive(page);
		return wp_page_reuse(vmf);
	}
	return wp_page_copy(vmf, folio, page);
}

/*
 * Write fault on a read-only present entry, or unshare fault (ptl held,
 * vmf->orig_pte is the entry; returns with the ptl dropped).
 */
static vm_fault_t do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct page *page;
	struct folio *folio = NULL;

	page = vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (page)
		folio = page_folio(page);

	if (!unshare && (vma->vm_flags & VM_SHARED))
		return wp_page_shared(vmf, folio);

	if (folio && folio_test_anon(folio) && !kernel_has(ANON_EXCLUSIVE))
		return wp_anon_before_exclusive(vmf, folio, page);
	if (folio && folio_test_anon(folio)) {
		if (PageAnonExclusive(page))
			return wp_page_reuse(vmf);
		/*
		 * A large folio is reused only when this PTE is its last
		 * mapping and reference: telling whether all other mappings
		 * belong to this mm would need an rmap walk under the ptl.
		 */
		if (wp_can_reuse_anon_folio(folio)) {
			SetPageAnonExclusive(page);
			return wp_page_reuse(vmf);
		}
	}
	/* zero page, page cache, device page, or a shared anon page */
	return wp_page_copy(vmf, folio, page);
}

/* ---------------------------------------------------------------------
 * The fault walk
 * --------------------------------------------------------------------- */

/*
 * A PROT_NONE entry in a VMA that is accessible again (the model has no
 * NUMA hinting, so this only follows a racing mprotect): give the entry
 * the VMA's protection, read-only, and let the access fault again.
 */
static vm_fault_t fix_protnone(struct vm_fault *vmf, uint64_t *entryp)
{
	uint64_t entry = vmf->orig_pte;
	uint64_t huge = entry & _PAGE_PSE;

	entry = pte_wrprotect(pte_modify(entry, vmf->vma->vm_flags)) | huge;
	set_pte(entryp, entry);
	ptl_unlock(vmf->vma->vm_mm);
	return 0;
}

static bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

static vm_fault_t handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t entry;

	ptl_lock(mm);
	entry = ptep_get(vmf->pte);
	vmf->orig_pte = entry;

	if (pte_none(entry)) {
		ptl_unlock(mm);
		if (vma->vm_flags & VM_PFNMAP)
			return VM_FAULT_SIGBUS;
		if (vma_is_anonymous(vma))
			return do_anonymous_page(vmf);
		return do_fault(vmf);
	}
	if (!pte_present(entry)) {
		ptl_unlock(mm);
		if (is_swapfile_entry(entry))
			return do_swap_page(vmf);
		if (!is_migration_entry(entry))
			return VM_FAULT_SIGBUS;
		if (!wait_on_migration_entry(vmf->pte))
			return VM_FAULT_SIGBUS;
		return VM_FAULT_RETRY;	/* internal: walk again */
	}
	if (pte_protnone(entry) && vma_is_accessible(vma))
		return fix_protnone(vmf, vmf->pte);

	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(entry))
			return do_wp_page(vmf);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
	}
	/* Spurious: already mapped as needed (populate, racing faults). */
	set_pte(vmf->pte, pte_mkyoung(entry));
	ptl_unlock(mm);
	return 0;
}

/* A PMD leaf: young/dirty for an access it already allows. */
static vm_fault_t huge_pmd_set_accessed(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	pmd_t entry;

	ptl_lock(mm);
	entry = pmdp_get(vmf->pmd);
	if (pte_same(entry, vmf->orig_pte)) {
		if (pte_protnone(entry) && vma_is_accessible(vmf->vma))
			return fix_protnone(vmf, vmf->pmd);
		entry = pte_mkyoung(entry);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pte_mkdirty(entry);
		set_pmd(vmf->pmd, entry);
	}
	ptl_unlock(mm);
	return 0;
}

/*
 * One pass of the walk. VM_FAULT_RETRY (never returned to callers) means
 * the tables changed under us or a migration finished: walk again.
 */
static vm_fault_t __handle_mm_fault(struct vm_fault *vmf, bool *thp_tried)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	vm_fault_t ret;
	pmd_t pmdval;

	vmf->pmd = mm_alloc_pmd(mm, vmf->address);
	if (!vmf->pmd)
		return VM_FAULT_OOM;
	pmdval = pmdp_get(vmf->pmd);
	vmf->orig_pte = pmdval;

	if (pmd_none(pmdval) && !*thp_tried &&
	    (vmf->flags & FAULT_FLAG_WRITE) &&
	    vma_thp_allowed(vma, vmf->address)) {
		*thp_tried = true;
		ret = do_huge_pmd_anonymous_page(vmf);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
		return VM_FAULT_RETRY;
	}
	if (is_pmd_migration_entry(pmdval)) {
		if (!wait_on_migration_entry(vmf->pmd))
			return VM_FAULT_SIGBUS;
		return VM_FAULT_RETRY;
	}
	if (pmd_leaf(pmdval)) {
		if (pmd_protnone(pmdval) && vma_is_accessible(vma))
			return huge_pmd_set_accessed(vmf);
		if ((vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) &&
		    !pmd_write(pmdval)) {
			ret = do_huge_pmd_wp_page(vmf);
			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
			/* split failed for lack of memory: do not spin */
			if (pte_same(pmdp_get(vmf->pmd), pmdval))
				return VM_FAULT_OOM;
			return VM_FAULT_RETRY;
		}
		return huge_pmd_set_accessed(vmf);
	}
	if (!pmd_none(pmdval) && !pmd_is_table(pmdval))
		return VM_FAULT_SIGBUS;	/* a swap entry: no swap here */

	vmf->pte = pte_alloc(mm, vmf->pmd, vmf->address);
	pmdval = pmdp_get(vmf->pmd);
	if (!pmd_is_table(pmdval))	/* became a THP meanwhile, or no memory */
		return vmf->pte || !pmd_none(pmdval) ? VM_FAULT_RETRY
						     : VM_FAULT_OOM;
	if (!vmf->pte)
		return VM_FAULT_OOM;
	return handle_pte_fault(vmf);
}

/* The kernel's sanitize_fault_flags(): reject impossible combinations. */
static vm_fault_t sanitize_fault_flags(struct vm_area_struct *vma,
				       unsigned int *flags)
{
	if (*flags & FAULT_FLAG_UNSHARE) {
		if (VM_WARN(*flags & FAULT_FLAG_WRITE,
			    "FAULT_FLAG_UNSHARE with FAULT_FLAG_WRITE"))
			return VM_FAULT_SIGSEGV;
		/* only COW mappings unshare; elsewhere it is a read fault */
		if (!is_cow_mapping(vma->vm_flags))
			*flags &= ~FAULT_FLAG_UNSHARE;
	} else if (*flags & FAULT_FLAG_WRITE) {
		if (VM_WARN(!(vma->vm_flags & VM_MAYWRITE),
			    "write fault on a VMA without VM_MAYWRITE"))
			return VM_FAULT_SIGSEGV;
		/* FOLL_FORCE writes !VM_WRITE memory only in COW mappings */
		if (VM_WARN(!(vma->vm_flags & VM_WRITE) &&
			    !is_cow_mapping(vma->vm_flags),
			    "forced write fault on a shared mapping"))
			return VM_FAULT_SIGSEGV;
	}
	return 0;
}

vm_fault_t handle_mm_fault(struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags)
{
	struct vm_fault vmf;
	bool thp_tried = false;
	vm_fault_t ret;

	if (VM_WARN(!vma || address < vma->vm_start || address >= vma->vm_end,
		    "fault at %#lx outside its VMA", address))
		return VM_FAULT_SIGSEGV;
	count_vm_event(PGFAULT);
	ret = sanitize_fault_flags(vma, &flags);
	if (ret)
		return ret;
	if (flags & FAULT_FLAG_UNSHARE)
		count_vm_event(GUPSIM_UNSHARE_FAULT);
	if (is_vm_hugetlb_page(vma))
		return hugetlb_fault(vma, address, flags);

	do {
		memset(&vmf, 0, sizeof(vmf));
		vmf.vma = vma;
		vmf.address = address & PAGE_MASK;
		vmf.flags = flags;
		vmf.pgoff = linear_page_index(vma, vmf.address);
		ret = __handle_mm_fault(&vmf, &thp_tried);
	} while (ret & VM_FAULT_RETRY);
	return ret;
}

/* ---------------------------------------------------------------------
 * Range walks (zap here, change_protection in mprotect.c)
 * --------------------------------------------------------------------- */

pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr)
{
	ptl_lock(mm);
	if (pmd_is_table(pmdp_get(pmd)))
		return pte_offset(pmd, addr);
	ptl_unlock(mm);
	return NULL;
}

/*
 * A VMA of 1 GiB hugetlb pages: its huge entries are PUDs', which
 * ->huge_entry handles as it does a PMD leaf (the same format), with
 * haddr PUD-aligned. They are never split, so a step is done either way.
 */
static void walk_pud_leaves(struct vm_area_struct *vma, unsigned long start,
			    unsigned long end, const struct pmd_walk_ops *ops,
			    void *private)
{
	unsigned long addr;

	for (addr = ALIGN_DOWN(start, PUD_SIZE); addr < end;
	     addr += PUD_SIZE) {
		pud_t *pud = mm_find_pud(vma->vm_mm, addr);

		if (pud && pmd_is_huge(pmdp_get(pud)))
			ops->huge_entry(vma, pud, addr, private);
	}
}

void walk_pmd_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, const struct pmd_walk_ops *ops,
		    void *private)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long addr, next;
	pmd_t *pmd, entry;

	start = max(start, vma->vm_start);
	end = min(end, vma->vm_end);
	if (is_vm_hugetlb_page(vma) && huge_page_size(vma) == PUD_SIZE) {
		walk_pud_leaves(vma, start, end, ops, private);
		return;
	}
	for (addr = start; addr < end; addr = next) {
		next = min((addr & PMD_MASK) + PMD_SIZE, end);
		pmd = mm_find_pmd(mm, addr);
		if (!pmd)
			continue;
		entry = pmdp_get(pmd);
		if (pmd_none(entry))
			continue;
		if (pmd_is_huge(entry)) {
			bool whole = IS_ALIGNED(addr, PMD_SIZE) &&
				     next - addr == PMD_SIZE;

			/*
			 * A racing split (a COW fault, another walker) may
			 * have turned the entry into a table since we read
			 * it: then the step is done at PTE level after all.
			 */
			if (whole || is_vm_hugetlb_page(vma)) {
				if (ops->huge_entry(vma, pmd, addr & PMD_MASK,
						    private))
					continue;
			} else {
				split_huge_pmd(vma, pmd, addr);
			}
		}
		ops->pte_range(vma, pmd, addr, next, private);
	}
}

/* ---------------------------------------------------------------------
 * zap
 * --------------------------------------------------------------------- */

#define ZAP_BATCH	64

struct zap_batch {
	struct folio *folios[ZAP_BATCH];
	int nr;
};

/* The mapping references are dropped after the ptl is released. */
static void zap_batch_flush(struct zap_batch *b)
{
	int i;

	if (b->nr)
		SCHED_POINT("tlb_finish_mmu(): put folios");
	for (i = 0; i < b->nr; i++)
		folio_put(b->folios[i]);
	b->nr = 0;
}

/* Zaps [addr, end) within one PTE table. */
static void zap_pte_range(struct vm_area_struct *vma, pmd_t *pmd,
			  unsigned long addr, unsigned long end,
			  void *private)
{
	struct mm_struct *mm = vma->vm_mm;
	struct zap_batch batch = { .nr = 0 };
	struct folio *folio;
	struct page *page;
	pte_t *pte, entry;

	while (addr < end) {
		pte = pte_offset_map_lock(mm, pmd, addr);
		if (!pte)
			return;
		for (; addr < end && batch.nr < ZAP_BATCH;
		     addr += PAGE_SIZE, pte++) {
			entry = ptep_get(pte);
			if (pte_none(entry))
				continue;
			entry = ptep_get_and_clear(pte);
			SCHED_POINT("pte zapped");
			if (!pte_present(entry)) {
				/* the slot's page goes with its last entry */
				if (is_swapfile_entry(entry)) {
					swap_free(swp_offset_pfn(entry));
					continue;
				}
				/* migration entries keep counting in rss */
				if (is_migration_entry(entry) &&
				    pfn_valid(swp_offset_pfn(entry)))
					atomic_fetch_sub(mm_counter(mm,
						pfn_folio(swp_offset_pfn(entry))), 1);
				continue;
			}
			page = vm_normal_page(vma, addr, entry);
			if (!page)
				continue;	/* zero page, PFN map */
			folio = page_folio(page);
			if (!folio_test_anon(folio) && pte_dirty(entry))
				folio_mark_dirty(folio);
			folio_remove_rmap_ptes(folio, page, 1, vma);
			atomic_fetch_sub(mm_counter(mm, folio), 1);
			batch.folios[batch.nr++] = folio;
		}
		ptl_unlock(mm);
		zap_batch_flush(&batch);
	}
}

/*
 * Removes a whole PMD leaf (THP or hugetlb) or PMD migration entry; false
 * if the entry is no longer huge (split meanwhile, or zapped by a racing
 * MADV_DONTNEED: both run under the mmap read lock).
 */
static bool zap_huge_pmd(struct vm_area_struct *vma, pmd_t *pmd,
			 unsigned long haddr, void *private)
{
	struct mm_struct *mm = vma->vm_mm;
	struct folio *folio = NULL;
	bool huge = true;
	pmd_t entry;

	ptl_lock(mm);
	entry = pmdp_get(pmd);
	if (pmd_leaf(entry)) {
		pmdp_get_and_clear(pmd);
		SCHED_POINT("pmd zapped");
		folio = pfn_folio(pmd_pfn(entry));
		if (!folio_test_anon(folio) && pmd_dirty(entry))
			folio_mark_dirty(folio);
		folio_remove_rmap_pmd(folio, vma);
		/* hugetlb pages are not counted in rss */
		if (!is_vm_hugetlb_page(vma))
			atomic_fetch_sub(mm_counter(mm, folio),
					 folio_nr_pages(folio));
	} else if (is_pmd_migration_entry(entry)) {
		unsigned long pfn = swp_offset_pfn(entry);

		pmdp_get_and_clear(pmd);
		/* the folio under migration counts in rss; no reference */
		if (!is_vm_hugetlb_page(vma) && pfn_valid(pfn))
			atomic_fetch_sub(mm_counter(mm, pfn_folio(pfn)),
					 folio_nr_pages(pfn_folio(pfn)));
	} else {
		huge = false;
	}
	ptl_unlock(mm);
	if (folio)
		folio_put(folio);
	return huge;
}

static const struct pmd_walk_ops zap_walk_ops = {
	.huge_entry	= zap_huge_pmd,
	.pte_range	= zap_pte_range,
};

void zap_page_range_single(struct vm_area_struct *vma, unsigned long start,
			   unsigned long end)
{
	walk_pmd_range(vma, start, end, &zap_walk_ops, NULL);
}

/* ---- raw frames of VM_PFNMAP mappings, for vfio ---- */

/*
 * follow_pfnmap_start()/_end() folded into one lookup: the frame a
 * VM_PFNMAP mapping maps at addr. Like the kernel, only VM_PFNMAP VMAs
 * are walked, and a write needs a writable entry. The model installs
 * every PFN of such a mapping at mmap time, so there is nothing to fault.
 * The caller holds mmap_read_lock(mm).
 */
int follow_pfnmap_pfn(struct mm_struct *mm, unsigned long addr, bool write,
		      unsigned long *pfn)
{
	struct vm_area_struct *vma = vma_lookup(mm, addr);
	pmd_t *pmd;
	pte_t *ptep, pte;

	if (!vma || !(vma->vm_flags & VM_PFNMAP))
		return -EFAULT;
	pmd = mm_find_pmd(mm, addr);
	if (!pmd || !pmd_is_table(pmdp_get(pmd)))
		return -EFAULT;
	ptep = pte_offset(pmd, addr);
	pte = ptep ? ptep_get(ptep) : 0;
	if (!pte_present(pte) || (write && !pte_write(pte)))
		return -EFAULT;
	*pfn = pte_pfn(pte);
	return 0;
}
