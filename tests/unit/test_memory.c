// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of page faults (zero page, anonymous, file, COW, reuse, unshare),
 * zap, mprotect and user-space access.
 */
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

/* ---- helpers: look at a task's page tables directly ---- */

/* Write-protects a PTE behind the task's back (as clear_refs would). */
static void t_wrprotect(struct task_struct *t, unsigned long addr)
{
	struct mm_struct *mm = task_mm(t);
	pmd_t *pmd = mm_find_pmd(mm, addr);
	pte_t *p = pmd ? pte_offset(pmd, addr) : NULL;

	ASSERT_NOT_NULL(p);
	pthread_mutex_lock(&mm->page_table_lock);
	set_pte(p, pte_wrprotect(ptep_get(p)));
	pthread_mutex_unlock(&mm->page_table_lock);
}

/* handle_mm_fault as GUP calls it: under mmap_read_lock. */
static vm_fault_t t_fault(struct task_struct *t, unsigned long addr,
			  unsigned int flags)
{
	struct mm_struct *mm = task_mm(t);
	struct vm_area_struct *vma;
	vm_fault_t ret;

	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	ret = vma ? handle_mm_fault(vma, addr, flags) : VM_FAULT_SIGSEGV;
	mmap_read_unlock(mm);
	return ret;
}

/* ---- anonymous faults ---- */

TEST(anon_read_maps_zero_page_then_write_gets_fresh_page)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	long faults = vmstat_get("pgfault");
	unsigned char buf[PAGE_SIZE];
	struct page *page;
	pte_t e;

	memset(buf, 0xaa, sizeof(buf));
	ASSERT_EQ(user_read(t, addr, buf, sizeof(buf)), UACCESS_OK);
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(buf[i], 0);
	e = t_pte(t, addr);
	ASSERT_TRUE(pte_present(e));
	ASSERT_TRUE(is_zero_pfn(pte_pfn(e)));
	ASSERT_TRUE(pte_special(e));
	ASSERT_FALSE(pte_write(e));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
	ASSERT_EQ(vmstat_get("pgfault"), faults + 1);

	ASSERT_EQ(user_write(t, addr + 100, "hello", 5), UACCESS_OK);
	e = t_pte(t, addr);
	ASSERT_FALSE(is_zero_pfn(pte_pfn(e)));
	ASSERT_TRUE(pte_write(e));
	ASSERT_TRUE(pte_dirty(e));
	page = t_normal_page(t, addr);
	ASSERT_NOT_NULL(page);
	ASSERT_TRUE(PageAnonExclusive(page));
	ASSERT_TRUE(folio_test_anon(page_folio(page)));
	ASSERT_TRUE(folio_test_lru(page_folio(page)));
	ASSERT_EQ(page_ref_count(page), 1);
	ASSERT_EQ(page_mapcount(page), 1);
	ASSERT_EQ(memcmp((char *)page_address(page) + 100, "hello", 5), 0);
	ASSERT_EQ(((unsigned char *)page_address(page))[99], 0);
	ASSERT_EQ(((unsigned char *)page_address(page))[105], 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 1);
	/* the zero page took no reference and no mapcount */
	ASSERT_EQ(page_mapcount(machine->zero_page), 0);
	ASSERT_INVARIANTS();
}

TEST(write_fault_on_untouched_page_maps_writable_zeroed)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *p;

	ASSERT_EQ(t_fault(t, addr + PAGE_SIZE, FAULT_FLAG_WRITE), 0);
	ASSERT_TRUE(pte_write(t_pte(t, addr + PAGE_SIZE)));
	ASSERT_TRUE(page_holds(t_normal_page(t, addr + PAGE_SIZE), 0));
	ASSERT_TRUE(pte_none(t_pte(t, addr)));
	/* populate calls it again on a mapped page: nothing changes */
	p = t_normal_page(t, addr + PAGE_SIZE);

	ASSERT_EQ(t_fault(t, addr + PAGE_SIZE, FAULT_FLAG_WRITE), 0);
	ASSERT_EQ(t_fault(t, addr + PAGE_SIZE, 0), 0);
	ASSERT_PTR_EQ(t_normal_page(t, addr + PAGE_SIZE), p);
	ASSERT_EQ(page_ref_count(p), 1);
	ASSERT_EQ(page_mapcount(p), 1);
}

TEST(zero_page_write_copies_into_anon_page)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	long copies = vmstat_get("gupsim_cow_copy");

	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	t_fill(t, addr, 0x5a, PAGE_SIZE);
	ASSERT_TRUE(t_holds(t, addr, 0x5a, PAGE_SIZE));
	ASSERT_TRUE(page_holds(t_normal_page(t, addr), 0x5a));
	ASSERT_TRUE(page_holds(machine->zero_page, 0));
	ASSERT_EQ(vmstat_get("gupsim_cow_copy"), copies + 1);
	ASSERT_TRUE(PageAnonExclusive(t_normal_page(t, addr)));
}

/* ---- COW, reuse ---- */

TEST(cow_after_fork_copies_for_writer_and_reuses_for_last)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *old, *np;
	long copies, reuses;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	old = t_normal_page(t, addr);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_PTR_EQ(t_normal_page(c, addr), old);
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(c, addr)));
	ASSERT_FALSE(PageAnonExclusive(old));
	ASSERT_EQ(page_mapcount(old), 2);
	ASSERT_EQ(page_ref_count(old), 2);

	copies = vmstat_get("gupsim_cow_copy");
	reuses = vmstat_get("gupsim_cow_reuse");
	t_fill(t, addr, 0x22, PAGE_SIZE);
	np = t_normal_page(t, addr);
	ASSERT_TRUE(np != old);
	ASSERT_TRUE(PageAnonExclusive(np));
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_TRUE(page_holds(np, 0x22));
	ASSERT_TRUE(page_holds(old, 0x11));
	ASSERT_TRUE(t_holds(c, addr, 0x11, PAGE_SIZE));
	ASSERT_EQ(page_mapcount(old), 1);
	ASSERT_EQ(page_ref_count(old), 1);
	ASSERT_EQ(vmstat_get("gupsim_cow_copy"), copies + 1);

	/* the child is the last user: it reuses the old page in place */
	t_fill(c, addr, 0x33, 16);
	ASSERT_PTR_EQ(t_normal_page(c, addr), old);
	ASSERT_TRUE(PageAnonExclusive(old));
	ASSERT_TRUE(pte_write(t_pte(c, addr)));
	ASSERT_EQ(vmstat_get("gupsim_cow_reuse"), reuses + 1);
	ASSERT_TRUE(t_holds(t, addr, 0x22, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(c);
	current = t;
}

TEST(shared_page_with_extra_reference_is_copied)
{
	/* vmsplice case: a GET reference on a shared page forces a copy */
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *old;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	old = t_normal_page(t, addr);
	task_exit(c);
	current = t;
	/* mapped once again, but not exclusive, and someone holds a ref */
	ASSERT_EQ(page_mapcount(old), 1);
	ASSERT_FALSE(PageAnonExclusive(old));
	folio_get(page_folio(old));
	t_fill(t, addr, 0x44, PAGE_SIZE);
	ASSERT_TRUE(t_normal_page(t, addr) != old);
	ASSERT_TRUE(page_holds(old, 0x11));	/* the reference sees old data */
	ASSERT_EQ(page_mapcount(old), 0);
	folio_put(page_folio(old));
}

TEST(exclusive_page_is_reused_despite_extra_references)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	long reuses;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	page = t_normal_page(t, addr);
	/* like a long-term R/W pin: extra references on an exclusive page */
	folio_ref_add(page_folio(page), 3);
	t_wrprotect(t, addr);
	reuses = vmstat_get("gupsim_cow_reuse");
	t_fill(t, addr, 0x66, PAGE_SIZE);
	ASSERT_PTR_EQ(t_normal_page(t, addr), page);
	ASSERT_TRUE(page_holds(page, 0x66));
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_EQ(vmstat_get("gupsim_cow_reuse"), reuses + 1);
	folio_put_refs(page_folio(page), 3);
}

TEST(pinned_exclusive_page_sees_later_writes)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pin = NULL;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				      &pin), 1);
	t_wrprotect(t, addr);
	t_fill(t, addr, 0x77, PAGE_SIZE);
	ASSERT_PTR_EQ(t_normal_page(t, addr), pin);
	ASSERT_TRUE(page_holds(pin, 0x77));
	unpin_user_page(pin);
}

TEST(forced_write_into_readonly_private_mapping)
{
	/* FOLL_FORCE: a write fault in a !VM_WRITE COW mapping */
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	struct page *page;

	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_WRITE), 0);
	page = t_normal_page(t, addr);
	ASSERT_NOT_NULL(page);
	ASSERT_TRUE(PageAnonExclusive(page));
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_EQ(user_write(t, addr, "x", 1), UACCESS_SIGSEGV);
}

TEST(impossible_fault_flags_are_refused)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ,
				    MAP_SHARED | MAP_ANONYMOUS, NULL);
	char buf[256];

	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE),
		  VM_FAULT_SIGSEGV);
	/* a forced write into a shared read-only mapping is impossible */
	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_WRITE), VM_FAULT_SIGSEGV);
	ASSERT_GT(mm_warnings(buf, sizeof(buf)), 0);
	mm_warnings_clear();
}

/* ---- unshare ---- */

TEST(unshare_exclusive_is_a_no_op)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	long unshares = vmstat_get("gupsim_unshare_fault");
	struct page *page;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	page = t_normal_page(t, addr);
	t_wrprotect(t, addr);
	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_UNSHARE), 0);
	ASSERT_PTR_EQ(t_normal_page(t, addr), page);
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_EQ(vmstat_get("gupsim_unshare_fault"), unshares + 1);
}

TEST(unshare_shared_anon_copies_read_only)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *old, *np;
	pte_t e;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	old = t_normal_page(t, addr);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_UNSHARE), 0);
	np = t_normal_page(t, addr);
	ASSERT_TRUE(np != old);
	ASSERT_TRUE(PageAnonExclusive(np));
	e = t_pte(t, addr);
	ASSERT_FALSE(pte_write(e));
	ASSERT_TRUE(page_holds(np, 0x11));
	ASSERT_EQ(page_mapcount(old), 1);
	ASSERT_PTR_EQ(t_normal_page(c, addr), old);
	/* a later write reuses the now exclusive page in place */
	t_fill(t, addr, 0x22, 8);
	ASSERT_PTR_EQ(t_normal_page(t, addr), np);
	ASSERT_TRUE(t_holds(c, addr, 0x11, PAGE_SIZE));
	task_exit(c);
	current = t;
}

TEST(unshare_previously_shared_page_claims_it)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *old;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	old = t_normal_page(t, addr);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	task_exit(c);
	current = t;
	ASSERT_FALSE(PageAnonExclusive(old));
	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_UNSHARE), 0);
	ASSERT_PTR_EQ(t_normal_page(t, addr), old);
	ASSERT_TRUE(PageAnonExclusive(old));
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
}

TEST(unshare_zero_page_gives_exclusive_anon_page)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;

	ASSERT_TRUE(t_holds(t, addr, 0, 64));
	ASSERT_EQ(t_fault(t, addr, FAULT_FLAG_UNSHARE), 0);
	page = t_normal_page(t, addr);
	ASSERT_NOT_NULL(page);
	ASSERT_TRUE(PageAnonExclusive(page));
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_TRUE(page_holds(page, 0));
}

/* ---- file mappings ---- */

TEST(private_file_mapping_cow_leaves_page_cache_alone)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("data", FS_EXT4, 2 * PAGE_SIZE);
	unsigned long shared, priv;
	struct folio *cache;
	struct page *page;

	ASSERT_NOT_NULL(f);
	shared = t_mmap(t, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	t_fill(t, shared, 'A', 2 * PAGE_SIZE);
	priv = t_mmap(t, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, f);

	/* a read maps the page-cache page itself, read-only */
	ASSERT_TRUE(t_holds(t, priv, 'A', PAGE_SIZE));
	cache = filemap_get_folio(&f->f_mapping, 0);
	ASSERT_NOT_NULL(cache);
	ASSERT_PTR_EQ(t_normal_page(t, priv), &cache->page);
	ASSERT_FALSE(pte_write(t_pte(t, priv)));
	ASSERT_EQ(page_mapcount(&cache->page), 2);

	/* a write copies it into an exclusive anon page */
	t_fill(t, priv, 'B', 10);
	page = t_normal_page(t, priv);
	ASSERT_TRUE(page != &cache->page);
	ASSERT_TRUE(folio_test_anon(page_folio(page)));
	ASSERT_TRUE(PageAnonExclusive(page));
	ASSERT_TRUE(pte_write(t_pte(t, priv)));
	ASSERT_EQ(page_mapcount(&cache->page), 1);
	ASSERT_TRUE(page_holds(&cache->page, 'A'));
	ASSERT_TRUE(t_holds(t, shared, 'A', PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, priv, 'B', 10));
	ASSERT_TRUE(t_holds(t, priv + 10, 'A', PAGE_SIZE - 10));

	/* a write to a never-read page COWs straight from the cache */
	t_fill(t, priv + PAGE_SIZE, 'C', 1);
	ASSERT_TRUE(t_holds(t, priv + PAGE_SIZE + 1, 'A', PAGE_SIZE - 1));
	ASSERT_TRUE(t_holds(t, shared + PAGE_SIZE, 'A', PAGE_SIZE));
	folio_put(cache);
	ASSERT_INVARIANTS();
	ASSERT_EQ(vm_munmap(t, priv, 2 * PAGE_SIZE), 0);
	ASSERT_EQ(vm_munmap(t, shared, 2 * PAGE_SIZE), 0);
	fput(f);
}

TEST(shared_ext4_write_goes_through_page_mkwrite)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("data", FS_EXT4, PAGE_SIZE);
	struct folio *cache;
	unsigned long addr;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	cache = filemap_get_folio(&f->f_mapping, 0);
	ASSERT_NOT_NULL(cache);
	/* read fault of a write-notify mapping: read-only, clean */
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_FALSE(folio_test_dirty(cache));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_file), 1);

	t_fill(t, addr, 'w', 4);
	ASSERT_PTR_EQ(t_normal_page(t, addr), &cache->page);
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_TRUE(pte_dirty(t_pte(t, addr)));
	ASSERT_TRUE(folio_test_dirty(cache));
	ASSERT_EQ(memcmp(folio_address(cache), "wwww", 4), 0);
	folio_put(cache);
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_file), 0);
	fput(f);
}

/* ->page_mkwrite wrapped to count its calls */
static const struct vm_operations_struct *real_ops;
static int mkwrite_calls;

static vm_fault_t counting_page_mkwrite(struct vm_fault *vmf)
{
	mkwrite_calls++;
	ASSERT_TRUE(vmf->flags & FAULT_FLAG_MKWRITE);
	ASSERT_NOT_NULL(vmf->folio);
	return real_ops->page_mkwrite(vmf);
}

TEST(page_mkwrite_called_once_per_first_write)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("data", FS_EXT4, 2 * PAGE_SIZE);
	static struct vm_operations_struct ops;
	struct vm_area_struct *vma;
	unsigned long addr;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	vma = vma_lookup(task_mm(t), addr);
	real_ops = vma->vm_ops;
	ASSERT_NOT_NULL(real_ops->page_mkwrite);
	ops = *real_ops;
	ops.page_mkwrite = counting_page_mkwrite;
	vma->vm_ops = &ops;
	mkwrite_calls = 0;

	t_fill(t, addr, 'a', 1);		/* write fault on none */
	ASSERT_EQ(mkwrite_calls, 1);
	t_fill(t, addr, 'b', 1);		/* writable now: no fault */
	ASSERT_EQ(mkwrite_calls, 1);
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0, 1));	/* read */
	ASSERT_EQ(mkwrite_calls, 1);
	t_fill(t, addr + PAGE_SIZE, 'c', 1);	/* write on read-only PTE */
	ASSERT_EQ(mkwrite_calls, 2);
	vma->vm_ops = real_ops;
	ASSERT_EQ(vm_munmap(t, addr, 2 * PAGE_SIZE), 0);
	fput(f);
}

TEST(zap_moves_pte_dirty_bit_to_the_folio)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("data", FS_EXT4, PAGE_SIZE);
	struct folio *cache;
	unsigned long addr;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	t_fill(t, addr, 'z', PAGE_SIZE);
	cache = filemap_get_folio(&f->f_mapping, 0);
	ASSERT_NOT_NULL(cache);
	/* as if writeback had cleaned the folio but not yet the PTE */
	folio_clear_dirty(cache);
	ASSERT_TRUE(pte_dirty(t_pte(t, addr)));
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	ASSERT_TRUE(folio_test_dirty(cache));
	ASSERT_TRUE(page_holds(&cache->page, 'z'));
	folio_put(cache);
	fput(f);
}

TEST(shared_tmpfs_read_maps_writable)
{
	struct task_struct *t = t_task("file");
	struct file *f = memfd_file_create("mem", PAGE_SIZE);
	unsigned long addr;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	ASSERT_TRUE(t_holds(t, addr, 0, 16));
	/* no dirty tracking on shmem: no write-notify */
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_shmem), 1);
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	fput(f);
}

/* ---- zap ---- */

TEST(zap_drops_mapcount_and_frees)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	struct folio *folio;

	t_fill(t, addr, 0x11, 4 * PAGE_SIZE);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 4);
	folio = page_folio(t_normal_page(t, addr + PAGE_SIZE));
	folio_get(folio);	/* keep it alive to look at it */
	ASSERT_EQ(vm_munmap(t, addr, 4 * PAGE_SIZE), 0);
	ASSERT_EQ(folio_mapcount(folio), 0);
	ASSERT_EQ(folio_ref_count(folio), 1);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
	ASSERT_TRUE(page_holds(&folio->page, 0x11));
	folio_put(folio);
	ASSERT_EQ(folio_ref_count(folio), 0);
	ASSERT_INVARIANTS();
}

TEST(dontneed_then_read_gives_zeroes)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);

	t_fill(t, addr, 0x11, 2 * PAGE_SIZE);
	ASSERT_EQ(vm_madvise(t, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	ASSERT_TRUE(pte_none(t_pte(t, addr)));
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0x11, PAGE_SIZE));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 1);
}

TEST(zap_of_pinned_page_keeps_it_for_the_pin)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pin = NULL;

	t_fill(t, addr, 0x11, PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, &pin), 1);
	ASSERT_EQ(vm_madvise(t, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	ASSERT_EQ(page_mapcount(pin), 0);
	ASSERT_TRUE(page_holds(pin, 0x11));
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_INVARIANTS();
	unpin_user_page(pin);
}

/* ---- mprotect ---- */

TEST(mprotect_none_then_access_segfaults)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	char c;

	t_fill(t, addr, 0x11, 2 * PAGE_SIZE);
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_NONE), 0);
	ASSERT_TRUE(pte_protnone(t_pte(t, addr)));
	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(user_write(t, addr, &c, 1), UACCESS_SIGSEGV);
	/* the neighbour page is untouched */
	ASSERT_TRUE(pte_write(t_pte(t, addr + PAGE_SIZE)));
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0x11, PAGE_SIZE));

	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_READ), 0);
	ASSERT_TRUE(t_holds(t, addr, 0x11, PAGE_SIZE));
	ASSERT_EQ(user_write(t, addr, &c, 1), UACCESS_SIGSEGV);
	ASSERT_FALSE(pte_write(t_pte(t, addr)));

	/* back to RW: the exclusive page is writable again at once */
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	/* and straight from PROT_NONE too */
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_NONE), 0);
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_READ | PROT_WRITE), 0);
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_FALSE(pte_protnone(t_pte(t, addr)));
	ASSERT_TRUE(t_holds(t, addr, 0x11, PAGE_SIZE));
}

TEST(mprotect_rw_keeps_shared_pages_read_only)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);

	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0, 1));	/* zero page */
	t_fill(t, addr, 0x11, PAGE_SIZE);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(vm_mprotect(t, addr, 2 * PAGE_SIZE, PROT_READ), 0);
	ASSERT_EQ(vm_mprotect(t, addr, 2 * PAGE_SIZE,
			      PROT_READ | PROT_WRITE), 0);
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr + PAGE_SIZE)));
	t_fill(t, addr, 0x22, PAGE_SIZE);
	ASSERT_TRUE(t_holds(c, addr, 0x11, PAGE_SIZE));
	task_exit(c);
	current = t;
}

TEST(mprotect_shared_ext4_keeps_clean_pages_read_only)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("data", FS_EXT4, 2 * PAGE_SIZE);
	unsigned long addr;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	t_fill(t, addr, 'd', 1);			/* dirty */
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0, 1));	/* clean */
	ASSERT_EQ(vm_mprotect(t, addr, 2 * PAGE_SIZE, PROT_READ), 0);
	ASSERT_EQ(vm_mprotect(t, addr, 2 * PAGE_SIZE,
			      PROT_READ | PROT_WRITE), 0);
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr + PAGE_SIZE)));
	ASSERT_EQ(vm_munmap(t, addr, 2 * PAGE_SIZE), 0);
	fput(f);
}

/* ---- user access ---- */

TEST(uaccess_segv_without_vma_or_permission)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	unsigned long ro = t_mmap(t, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	unsigned long wo = t_mmap(t, PAGE_SIZE, PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	char buf[64] = { 0 };

	ASSERT_EQ(vm_munmap(t, addr + PAGE_SIZE, PAGE_SIZE), 0);
	ASSERT_EQ(user_read(t, addr + PAGE_SIZE, buf, 1), UACCESS_SIGSEGV);
	/* a store that runs into the hole faults after the first part */
	ASSERT_EQ(user_memset(t, addr + PAGE_SIZE - 8, 0x7f, 16),
		  UACCESS_SIGSEGV);
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE - 8, 0x7f, 8));
	ASSERT_EQ(user_write(t, ro, buf, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(user_read(t, ro, buf, 1), UACCESS_OK);
	/* x86: a write-only mapping can be read */
	ASSERT_EQ(user_write(t, wo, "abc", 3), UACCESS_OK);
	ASSERT_EQ(user_read(t, wo, buf, 3), UACCESS_OK);
	ASSERT_EQ(memcmp(buf, "abc", 3), 0);
	ASSERT_EQ(user_read(t, 0, buf, 1), UACCESS_SIGSEGV);
}

TEST(uaccess_sigbus_past_end_of_file)
{
	struct task_struct *t = t_task("file");
	struct file *f = file_create("short", FS_EXT4, PAGE_SIZE);
	unsigned long addr;
	char c = 0;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f);
	ASSERT_EQ(user_write(t, addr, "x", 1), UACCESS_OK);
	ASSERT_EQ(user_read(t, addr + PAGE_SIZE, &c, 1), UACCESS_SIGBUS);
	ASSERT_EQ(user_write(t, addr + PAGE_SIZE, &c, 1), UACCESS_SIGBUS);
	ASSERT_EQ(vm_munmap(t, addr, 2 * PAGE_SIZE), 0);
	fput(f);
}

TEST(uaccess_spans_pages_and_vmas)
{
	struct task_struct *t = t_task("anon");
	unsigned long addr = t_mmap_anon(t, 3 * PAGE_SIZE);
	static unsigned char in[3 * PAGE_SIZE], out[3 * PAGE_SIZE];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	/* split the VMA in the middle: the copy crosses two VMAs */
	ASSERT_EQ(vm_mprotect(t, addr + PAGE_SIZE, PAGE_SIZE,
			      PROT_READ | PROT_WRITE | PROT_EXEC), 0);
	ASSERT_EQ(user_write(t, addr + 5, in, sizeof(in) - 5), UACCESS_OK);
	ASSERT_EQ(user_read(t, addr + 5, out, sizeof(out) - 5), UACCESS_OK);
	ASSERT_EQ(memcmp(in, out, sizeof(in) - 5), 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 3);
}

TEST(uaccess_io_mapping_reaches_mmio_window)
{
	struct task_struct *t = t_task("io");
	long addr = vm_mmap(t, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_GUPSIM_IO, NULL, 0);
	unsigned char *mmio;

	ASSERT_GT(addr, 0);
	ASSERT_EQ(user_memset(t, addr, 0x3c, PAGE_SIZE), UACCESS_OK);
	mmio = page_address(pfn_to_page(machine->mmio_start_pfn));
	ASSERT_EQ(mmio[0], 0x3c);
	ASSERT_EQ(mmio[PAGE_SIZE - 1], 0x3c);
	ASSERT_TRUE(pte_special(t_pte(t, addr)));
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
}
