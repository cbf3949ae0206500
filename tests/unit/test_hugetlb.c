// SPDX-License-Identifier: GPL-2.0
/* hugetlb: the pool, hugetlbfs faults, exhaustion, fork. */
#include "harness.h"
#include "../../mm/testing.h"

static struct folio *t_huge_folio(struct task_struct *t, unsigned long addr)
{
	pmd_t pmd = t_pmd(t, addr);

	if (!pmd_leaf(pmd))
		return NULL;
	return pfn_folio(pmd_pfn(pmd));
}

static long t_map_huge(struct task_struct *t, size_t len, int flags)
{
	return vm_mmap(t, 0, len, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS | MAP_HUGETLB, NULL, 0);
}

TEST_CFG(hugetlb_pool_counts, .hugetlb = 4)
{
	struct folio *a, *b;

	ASSERT_EQ(hugetlb_total_pages(), 4);
	ASSERT_EQ(hugetlb_free_pages(), 4);
	ASSERT_EQ(vmstat_get("htlb_buddy_alloc_success"), 4);
	a = alloc_hugetlb_folio();
	b = alloc_hugetlb_folio();
	ASSERT_NOT_NULL(a);
	ASSERT_NOT_NULL(b);
	ASSERT_EQ(folio_order(a), HPAGE_PMD_ORDER);
	ASSERT_TRUE(folio_test_hugetlb(a));
	ASSERT_EQ(folio_ref_count(a), 1);
	ASSERT_EQ(hugetlb_free_pages(), 2);
	ASSERT_EQ(hugetlb_reserve_pages(2), 0);
	ASSERT_EQ(hugetlb_reserve_pages(3), -ENOMEM);
	folio_put(a);		/* back through free_huge_folio() */
	ASSERT_EQ(hugetlb_free_pages(), 3);
	ASSERT_EQ(folio_ref_count(a), 0);
	folio_put(b);
	ASSERT_EQ(hugetlb_free_pages(), 4);
	ASSERT_EQ(hugetlb_total_pages(), 4);
}

TEST_CFG(hugetlb_private_fault_maps_2m_folio, .hugetlb = 2)
{
	struct task_struct *t = t_task("t");
	long addr = t_map_huge(t, 2 * PMD_SIZE, MAP_PRIVATE);
	struct folio *folio;

	ASSERT_GT(addr, 0);
	ASSERT_TRUE(IS_ALIGNED(addr, PMD_SIZE));
	ASSERT_TRUE(is_vm_hugetlb_page(vma_lookup(task_mm(t), addr)));
	/* A read fault allocates too (no huge zero page), read-only. */
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	folio = t_huge_folio(t, addr);
	ASSERT_NOT_NULL(folio);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_FALSE(pte_write(t_pmd(t, addr)));
	ASSERT_EQ(folio_order(folio), HPAGE_PMD_ORDER);
	ASSERT_TRUE(folio_test_anon(folio));
	ASSERT_TRUE(PageAnonExclusive(&folio->page));
	ASSERT_EQ(hugetlb_free_pages(), 1);
	/* The write reuses the exclusive folio. */
	t_fill(t, addr + PMD_SIZE - PAGE_SIZE, 0xab, PAGE_SIZE);
	ASSERT_PTR_EQ(t_huge_folio(t, addr), folio);
	ASSERT_TRUE(pte_write(t_pmd(t, addr)));
	ASSERT_TRUE(page_holds(folio_page(folio, HPAGE_PMD_NR - 1), 0xab));
	ASSERT_EQ(folio_ref_count(folio), 1);
	ASSERT_EQ(folio_mapcount(folio), 1);
	t_fill(t, addr + PMD_SIZE, 0xcd, PMD_SIZE);
	ASSERT_EQ(hugetlb_free_pages(), 0);
	ASSERT_INVARIANTS();
	ASSERT_EQ(vm_munmap(t, addr, 2 * PMD_SIZE), 0);
	ASSERT_EQ(hugetlb_free_pages(), 2);
	task_exit(t);
}

TEST_CFG(hugetlb_exhaustion, .hugetlb = 1)
{
	struct task_struct *t = t_task("t");
	long addr;

	/* mmap checks the reservation. */
	ASSERT_EQ(t_map_huge(t, 2 * PMD_SIZE, MAP_PRIVATE), -ENOMEM);
	/* Without one, the fault finds the pool empty: SIGBUS. */
	addr = t_map_huge(t, 2 * PMD_SIZE, MAP_PRIVATE | MAP_NORESERVE);
	ASSERT_GT(addr, 0);
	t_fill(t, addr, 1, PAGE_SIZE);
	ASSERT_EQ(user_memset(t, addr + PMD_SIZE, 2, PAGE_SIZE),
		  UACCESS_SIGBUS);
	ASSERT_EQ(hugetlb_free_pages(), 0);
	task_exit(t);
	ASSERT_EQ(hugetlb_free_pages(), 1);
}

TEST_CFG(hugetlbfs_shared_between_tasks, .hugetlb = 2)
{
	struct task_struct *a = t_task("a"), *b = t_task("b");
	struct file *file = file_create("huge", FS_HUGETLBFS, 100);
	struct folio *folio;
	long pa, pb;

	ASSERT_NOT_NULL(file);
	ASSERT_EQ(file->size, PMD_SIZE);
	ASSERT_EQ(vm_mmap(a, 0, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			  file, PAGE_SIZE), -EINVAL);
	pa = vm_mmap(a, 0, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     file, 0);
	pb = vm_mmap(b, 0, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     file, 0);
	ASSERT_GT(pa, 0);
	ASSERT_GT(pb, 0);
	t_fill(a, pa + 12345, 0x12, 100);
	ASSERT_TRUE(t_holds(b, pb + 12345, 0x12, 100));
	folio = t_huge_folio(a, pa);
	ASSERT_PTR_EQ(t_huge_folio(b, pb), folio);
	ASSERT_FALSE(folio_test_anon(folio));
	ASSERT_TRUE(pte_write(t_pmd(a, pa)));
	ASSERT_FALSE(vma_needs_dirty_tracking(vma_lookup(task_mm(a), pa)));
	/* cache (512) + two PMD mappings */
	ASSERT_EQ(folio_ref_count(folio), HPAGE_PMD_NR + 2);
	ASSERT_EQ(folio_mapcount(folio), 2);
	ASSERT_EQ(hugetlb_free_pages(), 1);
	task_exit(a);
	task_exit(b);
	/* The file still holds the folio in its cache. */
	ASSERT_EQ(hugetlb_free_pages(), 1);
	fput(file);
	ASSERT_EQ(hugetlb_free_pages(), 2);
}

TEST_CFG(hugetlbfs_private_mapping_cows, .hugetlb = 3)
{
	struct task_struct *t = t_task("t");
	struct file *file = file_create("huge", FS_HUGETLBFS, PMD_SIZE);
	long shared, priv;
	struct folio *cache;

	ASSERT_NOT_NULL(file);
	shared = vm_mmap(t, 0, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 file, 0);
	priv = vm_mmap(t, 0, PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE,
		       file, 0);
	ASSERT_GT(shared, 0);
	ASSERT_GT(priv, 0);
	t_fill(t, shared, 0x21, PAGE_SIZE);
	cache = t_huge_folio(t, shared);
	/* Read: the cache folio, read-only. */
	ASSERT_TRUE(t_holds(t, priv, 0x21, PAGE_SIZE));
	ASSERT_PTR_EQ(t_huge_folio(t, priv), cache);
	ASSERT_FALSE(pte_write(t_pmd(t, priv)));
	/* Write: an anon copy. */
	t_fill(t, priv, 0x22, PAGE_SIZE);
	ASSERT_TRUE(t_huge_folio(t, priv) != cache);
	ASSERT_TRUE(folio_test_anon(t_huge_folio(t, priv)));
	ASSERT_TRUE(t_holds(t, shared, 0x21, PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, priv, 0x22, PAGE_SIZE));
	ASSERT_EQ(folio_mapcount(cache), 1);
	ASSERT_EQ(hugetlb_free_pages(), 1);
	task_exit(t);
	fput(file);
	ASSERT_EQ(hugetlb_free_pages(), 3);
}

TEST_CFG(hugetlb_fork_shares_then_cows, .hugetlb = 2)
{
	struct task_struct *parent = t_task("parent"), *child;
	long addr = t_map_huge(parent, PMD_SIZE, MAP_PRIVATE);
	struct folio *folio;

	ASSERT_GT(addr, 0);
	t_fill(parent, addr, 0x51, PMD_SIZE);
	folio = t_huge_folio(parent, addr);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_PTR_EQ(t_huge_folio(child, addr), folio);
	ASSERT_FALSE(pte_write(t_pmd(parent, addr)));
	ASSERT_FALSE(pte_write(t_pmd(child, addr)));
	ASSERT_FALSE(PageAnonExclusive(&folio->page));
	ASSERT_EQ(folio_mapcount(folio), 2);
	t_fill(child, addr, 0x52, PAGE_SIZE);
	ASSERT_TRUE(t_huge_folio(child, addr) != folio);
	ASSERT_TRUE(t_holds(child, addr, 0x52, PAGE_SIZE));
	ASSERT_TRUE(t_holds(child, addr + PAGE_SIZE, 0x51, PAGE_SIZE));
	ASSERT_TRUE(t_holds(parent, addr, 0x51, PMD_SIZE));
	/* The parent is alone again: its write reuses. */
	t_fill(parent, addr, 0x53, PAGE_SIZE);
	ASSERT_PTR_EQ(t_huge_folio(parent, addr), folio);
	ASSERT_INVARIANTS();
	task_exit(child);
	task_exit(parent);
}

TEST_CFG(hugetlb_fork_copies_pinned_or_fails, .hugetlb = 2)
{
	struct task_struct *parent = t_task("parent"), *child;
	long addr = t_map_huge(parent, PMD_SIZE, MAP_PRIVATE);
	struct page *pinned = NULL;
	struct folio *other;

	ASSERT_GT(addr, 0);
	t_fill(parent, addr, 0x61, PMD_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				      &pinned), 1);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(vmstat_get("gupsim_fork_early_copy"), 1);
	ASSERT_PTR_EQ(t_huge_folio(parent, addr), page_folio(pinned));
	ASSERT_TRUE(pte_write(t_pmd(parent, addr)));
	ASSERT_TRUE(t_huge_folio(child, addr) != page_folio(pinned));
	ASSERT_TRUE(t_holds(child, addr, 0x61, PMD_SIZE));
	t_fill(parent, addr, 0x62, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pinned, 0x62));
	ASSERT_TRUE(t_holds(child, addr, 0x61, PAGE_SIZE));
	ASSERT_EQ(hugetlb_free_pages(), 0);

	/* A second fork finds the pool empty: fork fails cleanly. */
	task_exit(child);
	other = alloc_hugetlb_folio();
	ASSERT_NOT_NULL(other);
	ASSERT_NULL(task_fork(parent, "child2"));
	ASSERT_INVARIANTS();
	folio_put(other);
	unpin_user_page(pinned);
	task_exit(parent);
	ASSERT_EQ(hugetlb_free_pages(), 2);
}

TEST_NO_MACHINE(hugetlb_pool_larger_than_ram_fails)
{
	struct machine_config big = { .mem = 64 << 20, .hugetlb = 64 };
	struct machine_config ok = { .mem = 64 << 20, .hugetlb = 8 };
	char buf[1024];

	ASSERT_EQ(machine_create(&big), -ENOMEM);
	ASSERT_FALSE(machine_exists());
	ASSERT_EQ(machine_create(&ok), 0);
	ASSERT_EQ(hugetlb_total_pages(), 8);
	ASSERT_EQ(machine_destroy(buf, sizeof(buf)), 0);
}
