// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb: pools of 2 MiB and 1 GiB folios taken at boot
 * (hugetlb_pool_init), and hugetlbfs, whose page cache holds them. Free pool
 * folios have refcount 0 and PG_hugetlb; a folio whose last reference goes
 * comes back here through __folio_put() -> free_huge_folio().
 *
 * Mappings are PMD leaves (_PAGE_PSE) for 2 MiB pages, PUD leaves for
 * 1 GiB pages: the entry's format is the same at both levels, so the code
 * below works on "the huge entry" (huge_pte_offset()) whatever its level,
 * as the kernel's does. MAP_PRIVATE faults give anon
 * hugetlb folios (no zero page: a read fault allocates too); MAP_SHARED
 * faults map the page-cache folio. A private mapping of a file whose
 * cache already holds the folio maps it read-only, and the first write
 * copies it.
 */
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "explain.h"

/*
 * One pool per huge page size (the kernel's struct hstate): 2 MiB pages
 * come from the buddy allocator, 1 GiB pages ("gigantic", beyond the
 * buddy's largest order) from alloc_contig_range() of an aligned range
 * of ZONE_NORMAL, as the kernel's boot-time reservation does.
 */
struct hstate {
	unsigned int order;
	pthread_mutex_t lock;
	struct list_head free;		/* through page.lru of the head */
	unsigned long nr_total;		/* pool folios, free or in use */
	unsigned long nr_free;
	bool active;			/* between init and destroy */
};

static struct hstate hstates[HUGETLB_NR_SIZES] = {
	{ .order = HPAGE_PMD_ORDER, .lock = PTHREAD_MUTEX_INITIALIZER,
	  .free = LIST_HEAD_INIT(hstates[0].free) },
	{ .order = HPAGE_PUD_ORDER, .lock = PTHREAD_MUTEX_INITIALIZER,
	  .free = LIST_HEAD_INIT(hstates[1].free) },
};

/* The pool of pages of that order; NULL when there is no such size. */
static struct hstate *order_hstate(unsigned int order)
{
	for (int i = 0; i < HUGETLB_NR_SIZES; i++)
		if (hstates[i].order == order)
			return &hstates[i];
	return NULL;
}

bool hugetlb_order_valid(unsigned int order)
{
	return order_hstate(order) != NULL;
}

/* Serialises hugetlb faults (the kernel's per-index fault mutex). */
static pthread_mutex_t hugetlb_fault_mutex = PTHREAD_MUTEX_INITIALIZER;

static vm_fault_t hugetlb_vm_op_fault(struct vm_fault *vmf)
{
	vm_fault_t ret = hugetlb_fault(vmf->vma, vmf->address, vmf->flags);

	return ret ? ret : VM_FAULT_NOPAGE;
}

const struct vm_operations_struct hugetlb_vm_ops = {
	.name = "hugetlb",
	.fault = hugetlb_vm_op_fault,
};

struct file *hugetlb_file_setup(const char *name, size_t size,
				unsigned int order)
{
	struct file *file = hugetlbfs_file_create(name, size,
						  PAGE_SIZE << order);

	if (file)
		file->anon_hugetlb = true;
	return file;
}

struct file *hugetlbfs_file_create(const char *name, size_t size,
				   unsigned long page_size)
{
	unsigned int order = (unsigned int)__builtin_ctzl(page_size) -
			     PAGE_SHIFT;
	if (!page_size || (page_size & (page_size - 1)) ||
	    page_size < PAGE_SIZE || !hugetlb_order_valid(order))
		return NULL;
	return __file_create(name, FS_HUGETLBFS, size, order);
}

bool is_file_hugepages(const struct file *file)
{
	return file && file->fs == FS_HUGETLBFS;
}

bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}

unsigned int huge_page_order(const struct vm_area_struct *vma)
{
	return vma->vm_file ? vma->vm_file->huge_order : HPAGE_PMD_ORDER;
}

unsigned long huge_page_size(const struct vm_area_struct *vma)
{
	return PAGE_SIZE << huge_page_order(vma);
}

/* ---- the pools ---- */

/*
 * Zeroes a huge folio. A gigantic one's backing goes back to the host
 * instead (MADV_DONTNEED: private anonymous memory reads zeroes after),
 * so that a 1 GiB page costs the host only what was written to it.
 */
void hugetlb_zero_folio(struct folio *folio)
{
	if (folio_order(folio) <= MAX_PAGE_ORDER ||
	    madvise(folio_address(folio), folio_size(folio), MADV_DONTNEED))
		memset(folio_address(folio), 0, folio_size(folio));
}

/* Gives a folio with refcount 0 back to the page allocator. */
static void hugetlb_free_to_buddy(struct folio *folio)
{
	unsigned int order = folio_order(folio);

	folio_clear_hugetlb(folio);
	if (order <= MAX_PAGE_ORDER) {
		folio_ref_unfreeze(folio, 1);
		folio_put(folio);
		return;
	}
	/* gigantic: back to order-0 pages, one reference each */
	folio_undo_compound(folio);
	for (unsigned long i = 0; i < (1UL << order); i++)
		atomic_store(&folio_page(folio, i)->_refcount, 1);
	free_contig_range(folio_pfn(folio), 1UL << order);
}

/*
 * A 1 GiB page: the highest free aligned range of ZONE_NORMAL below end
 * (the kernel reserves gigantic pages at boot, before anything else is
 * allocated; so does hugetlb_gigantic_init()).
 */
static struct page *alloc_gigantic_page(unsigned int order,
					unsigned long end)
{
	struct zone *zone = &machine->zones[ZONE_NORMAL];
	unsigned long nr = 1UL << order;
	unsigned long pfn;

	end = min(end, zone->zone_start_pfn + zone->spanned_pages);
	for (pfn = ALIGN_DOWN(end, nr); pfn >= zone->zone_start_pfn + nr;
	     pfn -= nr) {
		if (alloc_contig_range(pfn - nr, pfn, MIGRATE_MOVABLE))
			continue;
		prep_compound_page(pfn_to_page(pfn - nr), order);
		return pfn_to_page(pfn - nr);
	}
	return NULL;
}

static struct page *alloc_pool_page(unsigned int order, unsigned long end)
{
	if (order > MAX_PAGE_ORDER)
		return alloc_gigantic_page(order, end);
	return alloc_pages(GFP_KERNEL | __GFP_COMP, order);
}

/* nr pages into h's pool; a gigantic page comes from below end_pfn. */
static int hstate_init(struct hstate *h, unsigned long nr,
		       unsigned long end_pfn)
{
	spin_lock(&h->lock);
	VM_WARN(h->nr_total, "hugetlb_pool_init: pool not empty");
	h->active = true;
	spin_unlock(&h->lock);

	for (unsigned long i = 0; i < nr; i++) {
		struct page *page = alloc_pool_page(h->order, end_pfn);

		if (!page)
			return -ENOMEM;
		end_pfn = page_to_pfn(page);	/* the next one goes below */
		count_vm_event(HTLB_BUDDY_ALLOC_SUCCESS);
		SetPagehugetlb(page);
		folio_ref_unfreeze(page_folio(page), 0);
		spin_lock(&h->lock);
		list_add_tail(&page->lru, &h->free);
		h->nr_total++;
		h->nr_free++;
		spin_unlock(&h->lock);
	}
	return 0;
}

int hugetlb_gigantic_init(unsigned long nr, unsigned long end_pfn)
{
	if (hstate_init(&hstates[1], nr, end_pfn)) {
		hugetlb_pool_destroy();
		return -ENOMEM;
	}
	return 0;
}

int hugetlb_pool_init(unsigned long nr)
{
	if (hstate_init(&hstates[0], nr, 0)) {
		hugetlb_pool_destroy();
		return -ENOMEM;
	}
	return 0;
}

/* Free pool folios go back to the buddy; folios in use stay (leaks). */
void hugetlb_pool_destroy(void)
{
	for (int i = 0; i < HUGETLB_NR_SIZES; i++) {
		struct hstate *h = &hstates[i];
		struct page *page, *next;
		LIST_HEAD(dead);

		spin_lock(&h->lock);
		h->active = false;
		list_splice_init(&h->free, &dead);
		h->nr_total -= h->nr_free;
		h->nr_free = 0;
		spin_unlock(&h->lock);

		list_for_each_entry_safe(page, next, &dead, lru) {
			list_del_init(&page->lru);
			hugetlb_free_to_buddy(page_folio(page));
		}
	}
}

struct folio *alloc_hugetlb_folio_order(unsigned int order)
{
	struct hstate *h = order_hstate(order);
	struct page *page = NULL;

	if (!h)
		return NULL;
	spin_lock(&h->lock);
	if (!list_empty(&h->free)) {
		page = list_first_entry(&h->free, struct page, lru);
		list_del_init(&page->lru);
		h->nr_free--;
	}
	spin_unlock(&h->lock);
	if (!page)
		return NULL;
	folio_ref_unfreeze(page_folio(page), 1);
	return page_folio(page);
}

struct folio *alloc_hugetlb_folio(void)
{
	return alloc_hugetlb_folio_order(HPAGE_PMD_ORDER);
}

/*
 * A free gigantic page gives the host its backing back (its bytes are
 * nobody's now, and the next user zeroes it anyway): a run that maps
 * 1 GiB pages one after another holds the host's memory for the ones in
 * use only. Called before the folio is on the free list.
 */
static void hugetlb_release_backing(struct folio *folio)
{
	if (folio_order(folio) > MAX_PAGE_ORDER)
		madvise(folio_address(folio), folio_size(folio),
			MADV_DONTNEED);
}

/* The last reference went (__folio_put): clean the folio and pool it. */
void free_huge_folio(struct folio *folio)
{
	const unsigned long keep = (1UL << PG_head) | (1UL << PG_hugetlb);
	struct hstate *h = order_hstate(folio_order(folio));
	unsigned long i;

	VM_WARN(!folio_test_hugetlb(folio) || !h,
		"free_huge_folio: not hugetlb");
	VM_WARN(folio_mapped(folio) ||
		atomic_load(&folio->page._pincount),
		"free_huge_folio: pfn %#lx still mapped or pinned",
		folio_pfn(folio));
	WRITE_ONCE(folio->page.mapping, NULL);
	atomic_fetch_and(&folio->page.flags, keep);
	for (i = 0; i < folio_nr_pages(folio); i++) {
		ClearPageAnonExclusive(folio_page(folio, i));
		folio_page(folio, i)->index = 0;
	}

	hugetlb_release_backing(folio);
	spin_lock(&h->lock);
	if (!h->active) {
		/* Came back after hugetlb_pool_destroy(): to the buddy. */
		h->nr_total--;
		spin_unlock(&h->lock);
		hugetlb_free_to_buddy(folio);
		return;
	}
	list_add(&folio->page.lru, &h->free);
	h->nr_free++;
	spin_unlock(&h->lock);
}

unsigned long hugetlb_free_pages_order(unsigned int order)
{
	struct hstate *h = order_hstate(order);
	unsigned long nr;

	if (!h)
		return 0;
	spin_lock(&h->lock);
	nr = h->nr_free;
	spin_unlock(&h->lock);
	return nr;
}

unsigned long hugetlb_total_pages_order(unsigned int order)
{
	struct hstate *h = order_hstate(order);
	unsigned long nr;

	if (!h)
		return 0;
	spin_lock(&h->lock);
	nr = h->nr_total;
	spin_unlock(&h->lock);
	return nr;
}

unsigned long hugetlb_free_pages(void)
{
	return hugetlb_free_pages_order(HPAGE_PMD_ORDER);
}

unsigned long hugetlb_total_pages(void)
{
	return hugetlb_total_pages_order(HPAGE_PMD_ORDER);
}

/*
 * The model does not keep reservations: mmap only checks that enough free
 * huge pages exist now (the kernel's -ENOMEM for an unsatisfiable one).
 */
int hugetlb_reserve_pages_order(unsigned int order, unsigned long nr)
{
	unsigned long free = hugetlb_free_pages_order(order);

	if (free < nr)
		return explain_err(-ENOMEM, "hugetlb_reserve_pages",
				   "%lu huge pages of %lu kB wanted, %lu free in their hugetlb pool",
				   nr, (PAGE_SIZE << order) >> 10, free);
	return 0;
}

int hugetlb_reserve_pages(unsigned long nr)
{
	return hugetlb_reserve_pages_order(HPAGE_PMD_ORDER, nr);
}

void hugetlb_unreserve_pages(unsigned long nr)
{
}

int hugetlbfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long hsize = PAGE_SIZE << file->huge_order;
	unsigned long need = 0;
	pgoff_t idx;

	if (!IS_ALIGNED(vma->vm_start, hsize) || !IS_ALIGNED(len, hsize) ||
	    !IS_ALIGNED(vma->vm_pgoff, hsize >> PAGE_SHIFT))
		return -EINVAL;
	vm_flags_set(vma, VM_HUGETLB | VM_DONTEXPAND);
	vma->vm_ops = &hugetlb_vm_ops;
	if (vma->vm_flags & VM_NORESERVE)
		return 0;
	/* A shared mapping needs pages only for holes in the cache. */
	for (idx = vma->vm_pgoff; idx < vma->vm_pgoff + (len >> PAGE_SHIFT);
	     idx += hsize >> PAGE_SHIFT) {
		struct folio *folio = NULL;

		if (vma->vm_flags & VM_SHARED)
			folio = filemap_get_folio(&file->f_mapping, idx);
		if (folio)
			folio_put(folio);
		else
			need++;
	}
	return hugetlb_reserve_pages_order(file->huge_order, need);
}

/*
 * fallocate on hugetlbfs: every huge page the range touches is taken from
 * the pool into the page cache. Pages added before the pool ran dry stay
 * (as in the kernel), and the call answers -ENOSPC.
 */
int hugetlbfs_fallocate(struct file *file, unsigned long off,
			unsigned long len)
{
	unsigned int order = file->huge_order;
	unsigned long hsize = PAGE_SIZE << order;
	pgoff_t idx = ALIGN_DOWN(off, hsize) >> PAGE_SHIFT;
	pgoff_t end = ALIGN_UP(off + len, hsize) >> PAGE_SHIFT;

	for (; idx < end; idx += 1UL << order) {
		struct folio *folio = filemap_grab_folio(&file->f_mapping, idx,
							 order);

		if (!folio)
			return explain_err(-ENOSPC, "hugetlbfs_fallocate",
					   "the huge page pool has no free page for index %lu (pages before it stay in the file)",
					   idx);
		folio_put(folio);
	}
	return 0;
}

/* ---- faults ---- */

pmd_t make_huge_pmd(struct folio *folio, struct vm_area_struct *vma,
		    bool writable)
{
	pmd_t entry = pfn_pte(folio_pfn(folio), vma->vm_flags);

	entry = pmd_mkhuge(entry);
	if (writable)
		entry = pte_mkdirty(pte_mkwrite(entry));
	else
		entry = pte_wrprotect(entry);
	return pte_mkyoung(entry);
}

/*
 * Installs a new exclusive anon folio (ref held by caller) at haddr. Here
 * and below, pmd is the huge entry: a PMD's or, for 1 GiB pages, a PUD's.
 */
static vm_fault_t hugetlb_install_anon(struct vm_area_struct *vma, pmd_t *pmd,
				       unsigned long haddr, struct folio *folio,
				       pmd_t expected, bool writable)
{
	struct mm_struct *mm = vma->vm_mm;

	if (anon_vma_prepare(vma)) {
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	folio_set_uptodate(folio);
	ptl_lock(mm);
	if (pmdp_get(pmd) != expected) {
		ptl_unlock(mm);
		folio_put(folio);
		return 0;
	}
	folio_add_new_anon_rmap(folio, vma, haddr, RMAP_EXCLUSIVE);
	SetPageAnonExclusive(&folio->page);
	set_pmd(pmd, make_huge_pmd(folio, vma, writable));
	ptl_unlock(mm);
	return 0;
}

/* Maps a page-cache folio (ref held by caller, becomes the mapping's). */
static vm_fault_t hugetlb_install_file(struct vm_area_struct *vma, pmd_t *pmd,
				       struct folio *folio, bool writable)
{
	struct mm_struct *mm = vma->vm_mm;

	ptl_lock(mm);
	if (!pmd_none(pmdp_get(pmd))) {
		ptl_unlock(mm);
		folio_put(folio);
		return 0;
	}
	folio_add_file_rmap_pmd(folio, vma);
	set_pmd(pmd, make_huge_pmd(folio, vma, writable));
	ptl_unlock(mm);
	return 0;
}

static struct folio *hugetlb_copy_folio(struct folio *src)
{
	struct folio *dst = alloc_hugetlb_folio_order(folio_order(src));

	if (dst)
		memcpy(folio_address(dst), folio_address(src),
		       folio_size(src));
	return dst;
}

static vm_fault_t hugetlb_no_page(struct vm_area_struct *vma, pmd_t *pmd,
				  unsigned long haddr, pgoff_t pgoff,
				  unsigned int flags)
{
	struct address_space *mapping = &vma->vm_file->f_mapping;
	bool write = flags & FAULT_FLAG_WRITE;
	struct folio *folio, *new;

	if (pgoff >= file_nr_pages(vma->vm_file))
		return VM_FAULT_SIGBUS;

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		folio = filemap_grab_folio(mapping, pgoff,
					   huge_page_order(vma));
		if (!folio)
			return VM_FAULT_SIGBUS;		/* pool empty */
		return hugetlb_install_file(vma, pmd, folio,
					    vma->vm_flags & VM_WRITE);
	}

	/* Private: the file's folio if the cache has one, read-only. */
	folio = filemap_get_folio(mapping, pgoff);
	if (folio && !write)
		return hugetlb_install_file(vma, pmd, folio, false);
	if (folio) {
		new = hugetlb_copy_folio(folio);
		folio_put(folio);
		if (!new)
			return VM_FAULT_SIGBUS;
		count_vm_event(GUPSIM_COW_COPY);
	} else {
		new = alloc_hugetlb_folio_order(huge_page_order(vma));
		if (!new)
			return VM_FAULT_SIGBUS;
		hugetlb_zero_folio(new);
	}
	/* Exclusive: a read fault maps it read-only, a write fault writable. */
	return hugetlb_install_anon(vma, pmd, haddr, new, 0,
				    write && (vma->vm_flags & VM_WRITE));
}

/* Sets the write bit of a present leaf if it is still what we saw. */
static void hugetlb_mkwrite(struct mm_struct *mm, pmd_t *pmd, pmd_t entry)
{
	ptl_lock(mm);
	if (pmdp_get(pmd) == entry)
		set_pmd(pmd, pte_mkyoung(pte_mkdirty(pte_mkwrite(entry))));
	ptl_unlock(mm);
}

enum hugetlb_reuse { HUGETLB_REUSED, HUGETLB_ENTRY_CHANGED, HUGETLB_MUST_COPY };

/*
 * Decides, under the ptl and on an entry that is still the one the fault
 * saw, whether this anon folio can be reused: the decision reads the
 * mapcount and may mark the folio exclusive, which a concurrent zap (a
 * DONTNEED under the read lock) or migration must not race with, or the
 * flag could land on a folio that was just freed.
 */
static enum hugetlb_reuse hugetlb_try_reuse(struct vm_area_struct *vma,
					    pmd_t *pmd, pmd_t entry,
					    struct folio *folio, bool unshare)
{
	struct mm_struct *mm = vma->vm_mm;
	enum hugetlb_reuse ret = HUGETLB_MUST_COPY;

	ptl_lock(mm);
	if (pmdp_get(pmd) != entry) {
		ret = HUGETLB_ENTRY_CHANGED;
		goto out;
	}
	/* The only mapping left (a fork's child went): ours. */
	if (!PageAnonExclusive(&folio->page) && folio_mapcount(folio) == 1)
		SetPageAnonExclusive(&folio->page);
	if (!PageAnonExclusive(&folio->page))
		goto out;
	if (!unshare && (vma->vm_flags & VM_WRITE)) {
		set_pmd(pmd, pte_mkyoung(pte_mkdirty(pte_mkwrite(entry))));
		count_vm_event(GUPSIM_COW_REUSE);
	}
	ret = HUGETLB_REUSED;
out:
	ptl_unlock(mm);
	return ret;
}

/*
 * Write or unshare fault on a present leaf (hugetlb_wp()): a shared mapping
 * just gets the write bit; in a private one an exclusive anon folio is
 * reused (a pin keeps seeing what the process writes), anything else
 * is copied into a new exclusive anon folio from the pool.
 */
static vm_fault_t hugetlb_wp(struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long haddr, pmd_t entry,
			     unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	bool unshare = flags & FAULT_FLAG_UNSHARE;
	struct folio *folio = pfn_folio(pmd_pfn(entry));
	struct folio *new;

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		if (!unshare && (vma->vm_flags & VM_WRITE) && !pmd_write(entry))
			hugetlb_mkwrite(mm, pmd, entry);
		return 0;
	}
	if (!unshare && pmd_write(entry))
		return 0;

	/* Reused, or the entry changed under us (the fault is retried). */
	if (folio_test_anon(folio) &&
	    hugetlb_try_reuse(vma, pmd, entry, folio, unshare) !=
	    HUGETLB_MUST_COPY)
		return 0;

	/* Hold the old folio while copying without the lock. */
	if (!folio_try_get(folio))
		return 0;
	new = hugetlb_copy_folio(folio);
	if (!new) {
		folio_put(folio);
		return VM_FAULT_SIGBUS;
	}
	if (anon_vma_prepare(vma)) {
		folio_put(new);
		folio_put(folio);
		return VM_FAULT_OOM;
	}
	folio_set_uptodate(new);
	ptl_lock(mm);
	if (pmdp_get(pmd) != entry) {
		ptl_unlock(mm);
		folio_put(new);
		folio_put(folio);
		return 0;
	}
	folio_add_new_anon_rmap(new, vma, haddr, RMAP_EXCLUSIVE);
	SetPageAnonExclusive(&new->page);
	set_pmd(pmd, make_huge_pmd(new, vma,
				   !unshare && (vma->vm_flags & VM_WRITE)));
	folio_remove_rmap_pmd(folio, vma);
	ptl_unlock(mm);
	folio_put(folio);		/* the mapping's reference */
	folio_put(folio);		/* ours */
	if (!unshare)
		count_vm_event(GUPSIM_COW_COPY);
	return 0;
}

vm_fault_t hugetlb_fault(struct vm_area_struct *vma, unsigned long address,
			 unsigned int flags)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long hsize = huge_page_size(vma);
	unsigned long haddr = ALIGN_DOWN(address, hsize);
	vm_fault_t ret = 0;
	pmd_t *pmd, entry;

	if (VM_WARN(!vma->vm_file || !is_vm_hugetlb_page(vma),
		    "hugetlb_fault: not a hugetlb VMA"))
		return VM_FAULT_SIGBUS;
	pmd = huge_pte_alloc(mm, haddr, hsize);
	if (!pmd)
		return VM_FAULT_OOM;

	mutex_lock(&hugetlb_fault_mutex);
	entry = pmdp_get(pmd);
	if (pmd_none(entry)) {
		ret = hugetlb_no_page(vma, pmd, haddr,
				      linear_page_index(vma, haddr), flags);
	} else if (is_swap_pte(entry)) {
		mutex_unlock(&hugetlb_fault_mutex);
		/* Migration in flight: wait, the caller retries. */
		if (is_migration_entry(entry))
			migration_entry_wait(mm, pmd);
		return 0;
	} else if (!pmd_leaf(entry)) {
		VM_WARN(1, "hugetlb_fault: lower table in a hugetlb VMA at %#lx",
			haddr);
		ret = VM_FAULT_SIGBUS;
	} else if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		ret = hugetlb_wp(vma, pmd, haddr, entry, flags);
	}
	mutex_unlock(&hugetlb_fault_mutex);
	return ret;
}
