// SPDX-License-Identifier: GPL-2.0
/* Files: ext4 page cache and dirty tracking, tmpfs/memfd, fs-DAX. */
#include "harness.h"
#include "../../mm/testing.h"

static long t_map(struct task_struct *t, struct file *file, size_t len,
		  int flags, unsigned long off)
{
	return t_mmap_off(t, len, PROT_READ | PROT_WRITE, flags, file, off);
}

TEST(ext4_shared_write_marks_folio_dirty)
{
	struct task_struct *t = t_task("t");
	struct file *file = file_create("data", FS_EXT4, 2 * PAGE_SIZE);
	struct folio *folio;
	long addr;

	ASSERT_NOT_NULL(file);
	addr = t_map(t, file, 2 * PAGE_SIZE, MAP_SHARED, 0);
	/* A read maps it read-only: the first write must be noticed. */
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_TRUE(pte_present(t_pte(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr)));
	folio = filemap_get_folio(&file->f_mapping, 0);
	ASSERT_NOT_NULL(folio);
	ASSERT_FALSE(folio_test_dirty(folio));
	ASSERT_TRUE(folio_test_uptodate(folio));
	ASSERT_TRUE(folio_test_lru(folio));
	ASSERT_PTR_EQ(folio_mapping(folio), &file->f_mapping);
	/* cache (1) + mapping (1) + ours (1) */
	ASSERT_EQ(folio_ref_count(folio), 3);

	t_fill(t, addr, 0x5e, PAGE_SIZE);
	ASSERT_TRUE(folio_test_dirty(folio));
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_TRUE(page_holds(&folio->page, 0x5e));
	ASSERT_EQ(file->f_mapping.nrpages, 1);
	ASSERT_EQ(vmstat_get("nr_file_pages"), 1);
	folio_put(folio);

	ASSERT_TRUE(vma_needs_dirty_tracking(vma_lookup(task_mm(t), addr)));
	ASSERT_EQ(vm_munmap(t, addr, 2 * PAGE_SIZE), 0);
	task_exit(t);
	fput(file);
	ASSERT_EQ(vmstat_get("nr_file_pages"), 0);
}

TEST(private_file_mapping_cows)
{
	struct task_struct *t = t_task("t");
	struct file *file = file_create("data", FS_EXT4, PAGE_SIZE);
	struct folio *folio;
	long shared, priv;

	ASSERT_NOT_NULL(file);
	shared = t_map(t, file, PAGE_SIZE, MAP_SHARED, 0);
	priv = t_map(t, file, PAGE_SIZE, MAP_PRIVATE, 0);
	t_fill(t, shared, 0x33, PAGE_SIZE);
	ASSERT_TRUE(t_holds(t, priv, 0x33, PAGE_SIZE));
	folio = filemap_get_folio(&file->f_mapping, 0);
	ASSERT_NOT_NULL(folio);
	/* Both map the cache page; the private one read-only. */
	ASSERT_EQ(pte_pfn(t_pte(t, priv)), folio_pfn(folio));
	ASSERT_FALSE(pte_write(t_pte(t, priv)));

	t_fill(t, priv, 0x44, PAGE_SIZE);
	ASSERT_TRUE(t_holds(t, priv, 0x44, PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, shared, 0x33, PAGE_SIZE));
	ASSERT_TRUE(page_holds(&folio->page, 0x33));
	ASSERT_TRUE(pte_pfn(t_pte(t, priv)) != folio_pfn(folio));
	/* Private writes never dirty tracking. */
	ASSERT_FALSE(vma_needs_dirty_tracking(vma_lookup(task_mm(t), priv)));
	folio_put(folio);
	task_exit(t);
	fput(file);
}

TEST(tmpfs_memfd_shared_between_tasks)
{
	struct task_struct *a = t_task("a"), *b = t_task("b");
	struct file *file = memfd_file_create("buf", 3 * PAGE_SIZE);
	struct folio *folio;
	long pa, pb;

	ASSERT_NOT_NULL(file);
	ASSERT_STREQ(file->name, "memfd:buf");
	pa = t_map(a, file, 3 * PAGE_SIZE, MAP_SHARED, 0);
	pb = t_map(b, file, 2 * PAGE_SIZE, MAP_SHARED, PAGE_SIZE);
	t_fill(a, pa + PAGE_SIZE, 0x77, PAGE_SIZE);
	ASSERT_TRUE(t_holds(b, pb, 0x77, PAGE_SIZE));
	t_fill(b, pb + PAGE_SIZE, 0x78, PAGE_SIZE);
	ASSERT_TRUE(t_holds(a, pa + 2 * PAGE_SIZE, 0x78, PAGE_SIZE));
	/* tmpfs: writable from the first fault, no dirty tracking. */
	ASSERT_TRUE(pte_write(t_pte(a, pa + PAGE_SIZE)));
	ASSERT_FALSE(vma_needs_dirty_tracking(vma_lookup(task_mm(a), pa)));
	ASSERT_TRUE(vma_is_shmem(vma_lookup(task_mm(a), pa)));
	folio = filemap_get_folio(&file->f_mapping, 1);
	ASSERT_NOT_NULL(folio);
	ASSERT_TRUE(folio_test_swapbacked(folio));
	ASSERT_EQ(vmstat_get("nr_shmem"), 2);
	folio_put(folio);
	fput(file);		/* the mappings keep it alive */
	ASSERT_TRUE(t_holds(b, pb, 0x77, PAGE_SIZE));
	task_exit(a);
	task_exit(b);
	ASSERT_EQ(vmstat_get("nr_shmem"), 0);
}

TEST(read_beyond_eof_is_sigbus)
{
	struct task_struct *t = t_task("t");
	struct file *file = file_create("small", FS_EXT4, 100);
	unsigned char c;
	long addr;

	ASSERT_NOT_NULL(file);
	addr = t_map(t, file, 2 * PAGE_SIZE, MAP_SHARED, 0);
	ASSERT_EQ(user_read(t, addr + 50, &c, 1), UACCESS_OK);
	/* The rest of the last page is still in the file's page. */
	ASSERT_EQ(user_read(t, addr + 200, &c, 1), UACCESS_OK);
	ASSERT_EQ(user_read(t, addr + PAGE_SIZE, &c, 1), UACCESS_SIGBUS);
	task_exit(t);
	fput(file);
}

TEST(fsdax_maps_device_pages)
{
	struct task_struct *t = t_task("t");
	struct file *file = file_create("pmem", FS_DAX, 4 * PAGE_SIZE);
	struct page *page;
	long addr, priv;

	ASSERT_NOT_NULL(file);
	addr = t_map(t, file, 4 * PAGE_SIZE, MAP_SHARED, 0);
	ASSERT_TRUE(t_holds(t, addr, 0, 4 * PAGE_SIZE));
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_DEVICE);
	ASSERT_TRUE(pte_devmap(t_pte(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr)));	/* dirty tracking */
	ASSERT_TRUE(vma_is_fsdax(vma_lookup(task_mm(t), addr)));
	ASSERT_TRUE(vma_needs_dirty_tracking(vma_lookup(task_mm(t), addr)));

	page = pfn_to_page(pte_pfn(t_pte(t, addr)));
	ASSERT_EQ(page_to_pfn(page), file->dax_pfn);
	ASSERT_EQ(page_ref_count(page), 1);
	ASSERT_PTR_EQ(folio_mapping(page_folio(page)), &file->f_mapping);

	t_fill(t, addr, 0x9d, PAGE_SIZE);
	ASSERT_TRUE(page_holds(page, 0x9d));
	ASSERT_TRUE(pte_write(t_pte(t, addr)));
	ASSERT_TRUE(PageDirty(page));

	/* A private mapping reads the device and COWs into RAM. */
	priv = t_map(t, file, PAGE_SIZE, MAP_PRIVATE, 0);
	ASSERT_TRUE(t_holds(t, priv, 0x9d, PAGE_SIZE));
	t_fill(t, priv, 0x9e, PAGE_SIZE);
	ASSERT_TRUE(page_holds(page, 0x9d));
	ASSERT_EQ(user_range_zone(t, priv, PAGE_SIZE), PZ_NORMAL);

	/* Long-term pins of fs-DAX are refused. */
	{
		struct page *p = NULL;

		ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_LONGTERM, &p),
			  -EOPNOTSUPP);
	}
	/* The private mapping holds its copy, not the device page. */
	ASSERT_EQ(vm_munmap(t, addr, 4 * PAGE_SIZE), 0);
	ASSERT_EQ(page_ref_count(page), 0);	/* idle device page */
	ASSERT_NULL(folio_mapping(page_folio(page)));
	/* Mapped again, it is tied to its file again. */
	addr = t_map(t, file, PAGE_SIZE, MAP_SHARED, 0);
	ASSERT_TRUE(t_holds(t, addr, 0x9d, PAGE_SIZE));
	ASSERT_PTR_EQ(folio_mapping(page_folio(page)), &file->f_mapping);
	task_exit(t);
	ASSERT_EQ(page_ref_count(page), 0);
	fput(file);
}

TEST(fsdax_files_get_disjoint_zeroed_ranges)
{
	struct file *a = file_create("a", FS_DAX, 3 * PAGE_SIZE);
	struct file *b, *c;

	ASSERT_NOT_NULL(a);
	memset(page_address(pfn_to_page(a->dax_pfn)), 0xff, PAGE_SIZE);
	b = file_create("b", FS_DAX, PAGE_SIZE);
	ASSERT_NOT_NULL(b);
	ASSERT_EQ(b->dax_pfn, a->dax_pfn + 3);
	fput(a);
	c = file_create("c", FS_DAX, 2 * PAGE_SIZE);
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(c->dax_pfn, b->dax_pfn - 3);	/* first fit reuses a's */
	ASSERT_TRUE(page_holds(pfn_to_page(c->dax_pfn), 0));
	/* More than the device holds. */
	ASSERT_NULL(file_create("huge", FS_DAX, 1UL << 40));
	fput(b);
	fput(c);
}

TEST(dirty_tracking_truth_table)
{
	struct task_struct *t = t_task("t");
	struct file *ext4 = file_create("e", FS_EXT4, PAGE_SIZE);
	struct file *tmp = file_create("t", FS_TMPFS, PAGE_SIZE);
	struct file *dax = file_create("d", FS_DAX, PAGE_SIZE);
	struct mm_struct *mm = task_mm(t);
	long ro;

#define NEEDS(file, flags) \
	vma_needs_dirty_tracking(vma_lookup(mm, t_map(t, file, PAGE_SIZE, \
						      flags, 0)))
	ASSERT_TRUE(NEEDS(ext4, MAP_SHARED));
	ASSERT_FALSE(NEEDS(ext4, MAP_PRIVATE));
	ASSERT_FALSE(NEEDS(tmp, MAP_SHARED));
	ASSERT_TRUE(NEEDS(dax, MAP_SHARED));
	ASSERT_FALSE(NEEDS(dax, MAP_PRIVATE));
#undef NEEDS
	ro = vm_mmap(t, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, ext4, 0);
	ASSERT_GT(ro, 0);
	ASSERT_FALSE(vma_needs_dirty_tracking(vma_lookup(mm, ro)));
	ASSERT_TRUE(vma_wants_writenotify(vma_lookup(mm, ro),
					  VM_READ | VM_WRITE | VM_SHARED));
	task_exit(t);
	fput(ext4);
	fput(tmp);
	fput(dax);
}

TEST(longterm_write_pin_rules_by_fs)
{
	struct task_struct *t = t_task("t");
	struct file *ext4 = file_create("e", FS_EXT4, PAGE_SIZE);
	struct file *tmp = file_create("t", FS_TMPFS, PAGE_SIZE);
	unsigned int flags = FOLL_WRITE | FOLL_LONGTERM;
	struct page *p = NULL;
	long a = t_map(t, ext4, PAGE_SIZE, MAP_SHARED, 0);
	long b = t_map(t, tmp, PAGE_SIZE, MAP_SHARED, 0);
	long c = t_map(t, ext4, PAGE_SIZE, MAP_PRIVATE, 0);

	t_fill(t, a, 1, PAGE_SIZE);
	t_fill(t, b, 2, PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(a, 1, flags, &p), -EFAULT);
	ASSERT_EQ(pin_user_pages_fast(b, 1, flags, &p), 1);
	unpin_user_page(p);
	ASSERT_EQ(pin_user_pages_fast(c, 1, flags, &p), 1);
	ASSERT_TRUE(page_holds(p, 1));
	unpin_user_page(p);
	task_exit(t);
	fput(ext4);
	fput(tmp);
}

TEST(pinned_cache_folio_outlives_its_file)
{
	struct task_struct *t = t_task("t");
	struct file *file = memfd_file_create("pin", PAGE_SIZE);
	struct page *p = NULL;
	long addr = t_map(t, file, PAGE_SIZE, MAP_SHARED, 0);

	t_fill(t, addr, 0x3c, PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				      &p), 1);
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	fput(file);
	/* Truncated out of the cache, still held by the pin. */
	ASSERT_NULL(folio_mapping(page_folio(p)));
	ASSERT_TRUE(page_maybe_dma_pinned(p));
	ASSERT_TRUE(page_holds(p, 0x3c));
	unpin_user_page(p);	/* the last reference: freed */
	task_exit(t);
}

TEST(file_references_and_cache_release)
{
	struct file *file = file_create("f", FS_EXT4, 8 * PAGE_SIZE);
	unsigned long free_before = nr_free_pages();
	struct folio *folio;
	int i;

	ASSERT_NOT_NULL(file);
	for (i = 0; i < 8; i++) {
		folio = filemap_grab_folio(&file->f_mapping, i, 0);
		ASSERT_NOT_NULL(folio);
		ASSERT_EQ(folio_ref_count(folio), 2);
		folio_put(folio);
	}
	ASSERT_NULL(filemap_grab_folio(&file->f_mapping, 8, 0));
	ASSERT_EQ(nr_free_pages(), free_before - 8);
	ASSERT_PTR_EQ(get_file(file), file);
	fput(file);
	ASSERT_EQ(file->f_mapping.nrpages, 8);
	fput(file);
	ASSERT_EQ(nr_free_pages(), free_before);
}
