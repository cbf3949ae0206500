// SPDX-License-Identifier: GPL-2.0
/*
 * Reverse mapping: from a folio back to every page-table entry that maps it.
 *
 * Anonymous memory: one anon_vma per fork family. Every VMA that may map an
 * anonymous folio of the family is on anon_vma->vmas; a folio records its
 * anon_vma in ->mapping (tagged PAGE_MAPPING_ANON) and its linear index in
 * ->index, so its address in any VMA of the family is
 * vma_address_of(vma, folio->index). (The kernel builds a tree of anon_vmas
 * per fork generation to prune the walk; one list per family finds the same
 * mappings, only with more VMAs to look at.)
 *
 * File memory: the address_space's i_mmap list, under i_mmap_rwsem.
 *
 * Lock order: folio lock -> anon_vma->lock / i_mmap_rwsem ->
 * mm->page_table_lock.
 *
 * Mapcounts are 0-based in the model (see internal.h). The rmap add/remove
 * calls run under the ptl of the page table they change, but a folio can be
 * mapped by many mms at once, so every count is an atomic and the "first" /
 * "last" transitions are decided by the value the atomic op returns.
 */
#include <stdlib.h>

#include "internal.h"

/* ---- anon_vma lifetime ---- */

static struct anon_vma *anon_vma_alloc(void)
{
	struct anon_vma *av = calloc(1, sizeof(*av));

	if (!av)
		return NULL;
	av->root = av;
	atomic_init(&av->refcount, 1);
	pthread_mutex_init(&av->lock, NULL);
	INIT_LIST_HEAD(&av->vmas);
	return av;
}

static void anon_vma_free_rcu(void *arg)
{
	struct anon_vma *av = arg;

	pthread_mutex_destroy(&av->lock);
	free(av);
}

/*
 * The refcount is the number of VMAs on the list plus temporary holds
 * (rmap walkers, migration). A walker finds the anon_vma through a folio's
 * ->mapping without any lock, so the memory is freed only after an RCU
 * grace period: inside mm_rcu_read_lock() an inc-not-zero is always safe.
 */
static void put_anon_vma(struct anon_vma *av)
{
	if (atomic_fetch_sub(&av->refcount, 1) == 1)
		mm_call_rcu(anon_vma_free_rcu, av);
}

static bool get_anon_vma_not_zero(struct anon_vma *av)
{
	int old = atomic_load(&av->refcount);

	do {
		if (old <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&av->refcount, &old, old + 1));
	return true;
}

/* Adds vma to av's list; the list membership holds one reference. */
static void anon_vma_chain_link(struct vm_area_struct *vma,
				struct anon_vma *av)
{
	mutex_lock(&av->lock);
	atomic_fetch_add(&av->refcount, 1);
	list_add_tail(&vma->anon_node, &av->vmas);
	mutex_unlock(&av->lock);
}

int anon_vma_prepare(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *av;

	if (likely(READ_ONCE(vma->anon_vma)))
		return 0;
	av = anon_vma_alloc();
	if (!av)
		return -ENOMEM;
	/*
	 * Two faults in the same VMA may race here under mmap_read_lock:
	 * the ptl decides which anon_vma the VMA gets, as in the kernel.
	 * The new anon_vma is private until published, so taking its lock
	 * under the ptl cannot invert the lock order with anyone.
	 */
	ptl_lock(mm);
	if (!vma->anon_vma) {
		list_add_tail(&vma->anon_node, &av->vmas);
		WRITE_ONCE(vma->anon_vma, av);
		av = NULL;
	}
	ptl_unlock(mm);
	if (av) {
		/* lost the race: nobody else ever saw this one */
		pthread_mutex_destroy(&av->lock);
		free(av);
	}
	return 0;
}

/*
 * The child's VMA joins the parent's anon_vma. This is also the model's
 * anon_vma_clone(): split_vma() and mremap() call it so that a VMA made from
 * another one finds the same anonymous folios.
 */
int anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *av = READ_ONCE(pvma->anon_vma);

	/* vm_area_dup() copied the parent's list node: it is not ours. */
	INIT_LIST_HEAD(&vma->anon_node);
	vma->anon_vma = NULL;
	if (!av)
		return 0;
	anon_vma_chain_link(vma, av);
	vma->anon_vma = av;
	return 0;
}

void unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;

	if (!av)
		return;
	mutex_lock(&av->lock);
	list_del_init(&vma->anon_node);
	mutex_unlock(&av->lock);
	vma->anon_vma = NULL;
	put_anon_vma(av);
}

/* ---- mapcount bookkeeping ---- */

/*
 * Statistics follow the kernel without per-page mapcounts
 * (CONFIG_NO_PAGE_MAPCOUNT): a folio counts in nr_anon_pages with all its
 * pages from its first mapping to its last, and a PMD-mapped THP counts once
 * in nr_anon_transparent_hugepages (the unit /proc/vmstat shows).
 */
static void anon_stat_mapped(struct folio *folio, int sign)
{
	if (folio_test_hugetlb(folio))
		return;
	mod_vmstat(NR_ANON_MAPPED, sign * (long)folio_nr_pages(folio));
}

static void anon_stat_pmd(struct folio *folio, int sign)
{
	if (folio_test_hugetlb(folio))
		return;
	mod_vmstat(NR_ANON_THPS, sign);
}

static void set_exclusive(struct folio *folio, struct page *page, int nr,
			  int flags)
{
	int i;

	if (!(flags & RMAP_EXCLUSIVE))
		return;
	for (i = 0; i < nr; i++)
		SetPageAnonExclusive(page + i);
}

static bool page_in_folio(struct folio *folio, struct page *page, int nr)
{
	struct page *first = &folio->page;

	return page >= first && page + nr <= first + folio_nr_pages(folio);
}

void folio_add_new_anon_rmap(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags)
{
	struct anon_vma *av = vma->anon_vma;
	unsigned long nr = folio_nr_pages(folio);

	if (VM_WARN(!av, "new anon rmap in a VMA without anon_vma (%#lx)",
		    address))
		return;
	VM_WARN(folio_mapped(folio), "new anon rmap on a mapped folio");
	address = ALIGN_DOWN(address, folio_size(folio));
	folio->page.index = linear_page_index(vma, address);
	WRITE_ONCE(folio->page.mapping,
		   (void *)((unsigned long)av | PAGE_MAPPING_ANON));
	folio_set_swapbacked(folio);
	if (!folio_test_large(folio)) {
		atomic_store(&folio->page._mapcount, 1);
	} else if (folio_order(folio) < HPAGE_PMD_ORDER) {
		/*
		 * An mTHP arrives mapped by one PTE per page (the caller
		 * sets all nr of them), each with a mapcount of its own.
		 */
		for (unsigned long i = 0; i < nr; i++)
			atomic_store(&folio_page(folio, i)->_mapcount, 1);
		atomic_store(&folio->page._large_mapcount, (int)nr);
	} else {
		/* a new PMD-sized anon folio arrives PMD-mapped */
		atomic_store(&folio->page._entire_mapcount, 1);
		atomic_store(&folio->page._large_mapcount, 1);
		anon_stat_pmd(folio, 1);
	}
	set_exclusive(folio, &folio->page, nr, flags);
	anon_stat_mapped(folio, 1);
}

/* PTE mappings of nr pages; returns true if the folio was unmapped before. */
static bool __folio_add_rmap_ptes(struct folio *folio, struct page *page,
				  int nr)
{
	bool first = false;
	int i;

	for (i = 0; i < nr; i++)
		if (atomic_fetch_add(&page[i]._mapcount, 1) == 0)
			first = true;
	if (!folio_test_large(folio))
		return first;
	return atomic_fetch_add(&folio->page._large_mapcount, nr) == 0;
}

static bool __folio_add_rmap_pmd(struct folio *folio, bool *first_pmd)
{
	*first_pmd = atomic_fetch_add(&folio->page._entire_mapcount, 1) == 0;
	return atomic_fetch_add(&folio->page._large_mapcount, 1) == 0;
}

static void check_anon_mapping(struct folio *folio,
			       struct vm_area_struct *vma)
{
	VM_WARN(!folio_test_anon(folio),
		"anon rmap of a folio that is not anonymous (pfn %#lx)",
		folio_pfn(folio));
	VM_WARN(!vma->anon_vma, "anon rmap in a VMA without anon_vma");
}

void folio_add_anon_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma,
			      unsigned long address, int flags)
{
	if (VM_WARN(!page_in_folio(folio, page, nr_pages),
		    "anon rmap: pages outside the folio"))
		return;
	check_anon_mapping(folio, vma);
	if (__folio_add_rmap_ptes(folio, page, nr_pages))
		anon_stat_mapped(folio, 1);
	set_exclusive(folio, page, nr_pages, flags);
}

void folio_add_anon_rmap_pmd(struct folio *folio, struct vm_area_struct *vma,
			     unsigned long address, int flags)
{
	bool first_pmd;

	if (VM_WARN(!folio_test_large(folio), "PMD rmap of a small folio"))
		return;
	check_anon_mapping(folio, vma);
	if (__folio_add_rmap_pmd(folio, &first_pmd))
		anon_stat_mapped(folio, 1);
	if (first_pmd)
		anon_stat_pmd(folio, 1);
	set_exclusive(folio, &folio->page, folio_nr_pages(folio), flags);
}

void folio_add_file_rmap_ptes(struct folio *folio, struct page *page,
			      int nr_pages, struct vm_area_struct *vma)
{
	if (VM_WARN(!page_in_folio(folio, page, nr_pages),
		    "file rmap: pages outside the folio"))
		return;
	__folio_add_rmap_ptes(folio, page, nr_pages);
}

void folio_add_file_rmap_pmd(struct folio *folio, struct vm_area_struct *vma)
{
	bool first_pmd;

	if (VM_WARN(!folio_test_large(folio), "PMD rmap of a small folio"))
		return;
	__folio_add_rmap_pmd(folio, &first_pmd);
}

/*
 * Removing the last mapping keeps folio->mapping: a pinned anonymous folio
 * outlives its mappings and is freed by the last put, as in the kernel.
 */
void folio_remove_rmap_ptes(struct folio *folio, struct page *page,
			    int nr_pages, struct vm_area_struct *vma)
{
	bool last;
	int i;

	if (VM_WARN(!page_in_folio(folio, page, nr_pages),
		    "remove rmap: pages outside the folio"))
		return;
	for (i = 0; i < nr_pages; i++) {
		int old = atomic_fetch_sub(&page[i]._mapcount, 1);

		VM_WARN(old <= 0, "mapcount underflow on pfn %#lx",
			page_to_pfn(page + i));
	}
	if (!folio_test_large(folio)) {
		last = atomic_load(&page->_mapcount) == 0;
	} else {
		int old = atomic_fetch_sub(&folio->page._large_mapcount,
					   nr_pages);

		VM_WARN(old < nr_pages, "large mapcount underflow (pfn %#lx)",
			folio_pfn(folio));
		last = old == nr_pages;
	}
	if (last && folio_test_anon(folio))
		anon_stat_mapped(folio, -1);
}

void folio_remove_rmap_pmd(struct folio *folio, struct vm_area_struct *vma)
{
	int old_entire, old_large;

	if (VM_WARN(!folio_test_large(folio), "PMD unmap of a small folio"))
		return;
	old_entire = atomic_fetch_sub(&folio->page._entire_mapcount, 1);
	old_large = atomic_fetch_sub(&folio->page._large_mapcount, 1);
	VM_WARN(old_entire <= 0 || old_large <= 0,
		"entire mapcount underflow (pfn %#lx)", folio_pfn(folio));
	if (!folio_test_anon(folio))
		return;
	if (old_entire == 1)
		anon_stat_pmd(folio, -1);
	if (old_large == 1)
		anon_stat_mapped(folio, -1);
}

/* ---- walking ---- */

/*
 * Does vma cover any page of the folio, given the folio's offset pgoff in
 * the VMA's linear space? (A large folio may be mapped only in part, after
 * munmap or mremap of some of its pages.)
 */
static bool vma_covers(struct vm_area_struct *vma, pgoff_t pgoff,
		       unsigned long nr)
{
	unsigned long vma_pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

	return pgoff + nr > vma->vm_pgoff && pgoff < vma->vm_pgoff + vma_pages;
}

static void rmap_walk_list(struct folio *folio, struct list_head *head,
			   size_t node_offset, struct rmap_walk_control *rwc)
{
	pgoff_t pgoff = folio->page.index;
	unsigned long nr = folio_nr_pages(folio);
	struct list_head *pos;

	list_for_each(pos, head) {
		struct vm_area_struct *vma =
			(struct vm_area_struct *)((char *)pos - node_offset);

		if (!vma_covers(vma, pgoff, nr))
			continue;
		if (!rwc->rmap_one(folio, vma, vma_address_of(vma, pgoff),
				   rwc->arg))
			break;
	}
}

/* The anon_vma of a mapped anonymous folio, with a reference; or NULL. */
struct anon_vma *folio_get_anon_vma(struct folio *folio)
{
	struct anon_vma *av = NULL;

	mm_rcu_read_lock();
	if (!folio_mapped(folio))
		goto out;
	av = folio_anon_vma(folio);
	if (!av)
		goto out;
	if (!get_anon_vma_not_zero(av)) {
		av = NULL;
		goto out;
	}
	/* unmapped meanwhile: the anon_vma may be an unrelated reuse */
	if (!folio_mapped(folio)) {
		put_anon_vma(av);
		av = NULL;
	}
out:
	mm_rcu_read_unlock();
	return av;
}

void anon_vma_put(struct anon_vma *av)
{
	if (av)
		put_anon_vma(av);
}

void rmap_walk_anon_vma(struct folio *folio, struct anon_vma *av,
			struct rmap_walk_control *rwc)
{
	mutex_lock(&av->lock);
	rmap_walk_list(folio, &av->vmas,
		       offsetof(struct vm_area_struct, anon_node), rwc);
	mutex_unlock(&av->lock);
}

static void rmap_walk_file(struct folio *folio, struct rmap_walk_control *rwc)
{
	struct address_space *mapping = folio_mapping(folio);

	if (!mapping)
		return;
	down_read(&mapping->i_mmap_rwsem);
	rmap_walk_list(folio, &mapping->i_mmap,
		       offsetof(struct vm_area_struct, shared), rwc);
	up_read(&mapping->i_mmap_rwsem);
}

/*
 * Calls rwc->rmap_one for every VMA that may map a page of the folio, with
 * the address of the folio's first page in that VMA (which lies outside
 * the VMA when only a later part of a large folio is mapped there). The
 * caller should hold the folio lock, so the folio keeps its mapping.
 */
void rmap_walk(struct folio *folio, struct rmap_walk_control *rwc)
{
	struct anon_vma *av;

	if (!folio_test_anon(folio)) {
		rmap_walk_file(folio, rwc);
		return;
	}
	av = folio_get_anon_vma(folio);
	if (!av)
		return;
	rmap_walk_anon_vma(folio, av, rwc);
	put_anon_vma(av);
}

static bool pte_maps_page(pte_t pte, unsigned long pfn, bool migration)
{
	if (pte_present(pte))
		return !pte_special(pte) && pte_pfn(pte) == pfn;
	return migration && is_migration_entry(pte) &&
	       swp_offset_pfn(pte) == pfn;
}

/* A PMD leaf (or PMD migration entry) maps pfn at address. */
static bool pmd_maps_page(pmd_t pmd, unsigned long pfn, unsigned long address,
			  bool migration)
{
	unsigned long expect = pmd_pfn(pmd) + pte_index(address);

	if (pmd_leaf(pmd))
		return pfn == expect;
	return migration && is_migration_entry(pmd) && (pmd & _PAGE_PSE) &&
	       pfn == expect;
}

uint64_t *page_vma_mapped(struct page *page, struct vm_area_struct *vma,
			  unsigned long address, bool migration,
			  bool *is_pmd)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = page_to_pfn(page);
	pmd_t *pmd;
	pte_t *pte;
	pmd_t pmdval;

	*is_pmd = false;
	if (address < vma->vm_start || address >= vma->vm_end)
		return NULL;
	ptl_lock(mm);
	/* tables are only freed under mmap write lock after the rmap unlink */
	if (!mm->pgd)
		goto none;
	pmd = mm_find_pmd(mm, address);
	if (!pmd)
		goto none;
	pmdval = pmdp_get(pmd);
	if (pmd_maps_page(pmdval, pfn, address, migration)) {
		*is_pmd = true;
		return pmd;
	}
	pte = pte_offset(pmd, address);
	if (pte && pte_maps_page(ptep_get(pte), pfn, migration))
		return pte;
none:
	ptl_unlock(mm);
	return NULL;
}
