// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb: a pool of 2 MiB folios taken from the buddy allocator at boot
 * (hugetlb_pool_init), and hugetlbfs, whose page cache holds them. Free pool
 * folios have refcount 0 and PG_hugetlb; a folio whose last reference goes
 * comes back here through __folio_put() -> free_huge_folio().
 *
 * Mappings are PMD leaves (_PAGE_PSE). MAP_PRIVATE faults give anon
 * hugetlb folios (no zero page: a read fault allocates too); MAP_SHARED
 * faults map the page-cache folio. A private mapping of a file whose
 * cache already holds the folio maps it read-only, and the first write
 * copies it.
 */
#include <string.h>

#include "internal.h"
#include "explain.h"

static struct {
	pthread_mutex_t lock;
	struct list_head free;		/* through page.lru of the head */
	unsigned long nr_total;		/* pool folios, free or in use */
	unsigned long nr_free;
	bool active;			/* between init and destroy */
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.free = LIST_HEAD_INIT(pool.free),
};

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

struct file *hugetlb_file_setup(const char *name, size_t size)
{
	struct file *file = file_create(name, FS_HUGETLBFS, size);

	if (file)
		file->anon_hugetlb = true;
	return file;
}

bool is_file_hugepages(const struct file *file)
{
	return file && file->fs == FS_HUGETLBFS;
}

bool is_vm_hugetlb_page(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_HUGETLB;
}

/* ---- the pool ---- */

/* Gives a folio with refcount 0 back to the buddy allocator. */
static void hugetlb_free_to_buddy(struct folio *folio)
{
	folio_clear_hugetlb(folio);
	folio_ref_unfreeze(folio, 1);
	folio_put(folio);
}

int hugetlb_pool_init(unsigned long nr)
{
	unsigned long i;

	spin_lock(&pool.lock);
	VM_WARN(pool.nr_total, "hugetlb_pool_init: pool not empty");
	pool.active = true;
	spin_unlock(&pool.lock);

	for (i = 0; i < nr; i++) {
		struct page *page = alloc_pages(GFP_KERNEL | __GFP_COMP,
						HPAGE_PMD_ORDER);

		if (!page) {
			hugetlb_pool_destroy();
			return -ENOMEM;
		}
		count_vm_event(HTLB_BUDDY_ALLOC_SUCCESS);
		SetPagehugetlb(page);
		folio_ref_unfreeze(page_folio(page), 0);
		spin_lock(&pool.lock);
		list_add_tail(&page->lru, &pool.free);
		pool.nr_total++;
		pool.nr_free++;
		spin_unlock(&pool.lock);
	}
	return 0;
}

/* Free pool folios go back to the buddy; folios in use stay (leaks). */
void hugetlb_pool_destroy(void)
{
	struct page *page, *next;
	LIST_HEAD(dead);

	spin_lock(&pool.lock);
	pool.active = false;
	list_splice_init(&pool.free, &dead);
	pool.nr_total -= pool.nr_free;
	pool.nr_free = 0;
	spin_unlock(&pool.lock);

	list_for_each_entry_safe(page, next, &dead, lru) {
		list_del_init(&page->lru);
		hugetlb_free_to_buddy(page_folio(page));
	}
}

struct folio *alloc_hugetlb_folio(void)
{
	struct page *page = NULL;

	spin_lock(&pool.lock);
	if (!list_empty(&pool.free)) {
		page = list_first_entry(&pool.free, struct page, lru);
		list_del_init(&page->lru);
		pool.nr_free--;
	}
	spin_unlock(&pool.lock);
	if (!page)
		return NULL;
	folio_ref_unfreeze(page_folio(page), 1);
	return page_folio(page);
}

/* The last reference went (__folio_put): clean the folio and pool it. */
void free_huge_folio(struct folio *folio)
{
	const unsigned long keep = (1UL << PG_head) | (1UL << PG_hugetlb);
	unsigned long i;

	VM_WARN(!folio_test_hugetlb(folio), "free_huge_folio: not hugetlb");
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

	spin_lock(&pool.lock);
	if (!pool.active) {
		/* Came back after hugetlb_pool_destroy(): to the buddy. */
		pool.nr_total--;
		spin_unlock(&pool.lock);
		hugetlb_free_to_buddy(folio);
		return;
	}
	list_add(&folio->page.lru, &pool.free);
	pool.nr_free++;
	spin_unlock(&pool.lock);
}

unsigned long hugetlb_free_pages(void)
{
	unsigned long nr;

	spin_lock(&pool.lock);
	nr = pool.nr_free;
	spin_unlock(&pool.lock);
	return nr;
}

unsigned long hugetlb_total_pages(void)
{
	unsigned long nr;

	spin_lock(&pool.lock);
	nr = pool.nr_total;
	spin_unlock(&pool.lock);
	return nr;
}

/*
 * The model does not keep reservations: mmap only checks that enough free
 * huge pages exist now (the kernel's -ENOMEM for an unsatisfiable one).
 */
int hugetlb_reserve_pages(unsigned long nr)
{
	if (hugetlb_free_pages() < nr)
		return explain_err(-ENOMEM, "hugetlb_reserve_pages",
				   "%lu huge pages wanted, %lu free in the hugetlb pool",
				   nr, hugetlb_free_pages());
	return 0;
}

void hugetlb_unreserve_pages(unsigned long nr)
{
}

int hugetlbfs_file_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	unsigned long need = 0;
	pgoff_t idx;

	if (!IS_ALIGNED(vma->vm_start, HPAGE_PMD_SIZE) ||
	    !IS_ALIGNED(len, HPAGE_PMD_SIZE) ||
	    !IS_ALIGNED(vma->vm_pgoff, HPAGE_PMD_NR))
		return -EINVAL;
	vm_flags_set(vma, VM_HUGETLB | VM_DONTEXPAND);
	vma->vm_ops = &hugetlb_vm_ops;
	if (vma->vm_flags & VM_NORESERVE)
		return 0;
	/* A shared mapping needs pages only for holes in the cache. */
	for (idx = vma->vm_pgoff; idx < vma->vm_pgoff + (len >> PAGE_SHIFT);
	     idx += HPAGE_PMD_NR) {
		struct folio *folio = NULL;

		if (vma->vm_flags & VM_SHARED)
			folio = filemap_get_folio(&file->f_mapping, idx);
		if (folio)
			folio_put(folio);
		else
			need++;
	}
	return hugetlb_reserve_pages(need);
}

/*
 * fallocate on hugetlbfs: every huge page the range touches is taken from
 * the pool into the page cache. Pages added before the pool ran dry stay
 * (as in the kernel), and the call answers -ENOSPC.
 */
int hugetlbfs_fallocate(struct file *file, unsigned long off,
			unsigned long len)
{
	pgoff_t idx = ALIGN_DOWN(off, HPAGE_PMD_SIZE) >> PAGE_SHIFT;
	pgoff_t end = ALIGN_UP(off + len, HPAGE_PMD_SIZE) >> PAGE_SHIFT;

	for (; idx < end; idx += HPAGE_PMD_NR) {
		struct folio *folio = filemap_grab_folio(&file->f_mapping, idx,
							 HPAGE_PMD_ORDER);

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

/* Installs a new exclusive anon folio (ref held by caller) at haddr. */
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
	struct folio *dst = alloc_hugetlb_folio();

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
		folio = filemap_grab_folio(mapping, pgoff, HPAGE_PMD_ORDER);
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
		new = alloc_hugetlb_folio();
		if (!new)
			return VM_FAULT_SIGBUS;
		memset(folio_address(new), 0, folio_size(new));
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
	unsigned long haddr = address & PMD_MASK;
	vm_fault_t ret = 0;
	pmd_t *pmd, entry;

	if (VM_WARN(!vma->vm_file || !is_vm_hugetlb_page(vma),
		    "hugetlb_fault: not a hugetlb VMA"))
		return VM_FAULT_SIGBUS;
	pmd = mm_alloc_pmd(mm, haddr);
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
		VM_WARN(1, "hugetlb_fault: PTE table in a hugetlb VMA at %#lx",
			haddr);
		ret = VM_FAULT_SIGBUS;
	} else if (flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		ret = hugetlb_wp(vma, pmd, haddr, entry, flags);
	}
	mutex_unlock(&hugetlb_fault_mutex);
	return ret;
}
