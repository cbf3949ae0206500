// SPDX-License-Identifier: GPL-2.0
/*
 * 1 GiB hugetlb pages: the pool (gigantic pages from an aligned range of
 * ZONE_NORMAL), MAP_HUGETLB|MAP_HUGE_1GB and hugetlbfs files with that
 * page size, PUD leaves in faults, fork, GUP (slow and fast), mprotect,
 * munmap and the user accesses. Only what a test writes is backed by the
 * host (a page is zeroed by giving its backing back), so the tests touch
 * a few pages of each gigabyte.
 */
#include <sys/mman.h>
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#endif

#include "harness.h"
#include "../../mm/testing.h"

#define GiB		(1UL << 30)
#define HUGE_1GB	(30UL << 26)	/* MAP_HUGE_1GB */

static pud_t t_pud(struct task_struct *t, unsigned long addr)
{
	pud_t *pud, e = 0;

	mmap_read_lock(task_mm(t));
	ptl_lock(task_mm(t));
	pud = mm_find_pud(task_mm(t), addr);
	if (pud)
		e = pmdp_get(pud);
	ptl_unlock(task_mm(t));
	mmap_read_unlock(task_mm(t));
	return e;
}

static struct folio *t_folio_of(struct task_struct *t, unsigned long addr)
{
	struct page *page = t_page(t, addr);

	return page ? page_folio(page) : NULL;
}

static long t_map_1g(struct task_struct *t, int flags)
{
	return vm_mmap(t, 0, GiB, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS | MAP_HUGETLB | HUGE_1GB, NULL, 0);
}

TEST_CFG(hugetlb_1g_pool_takes_aligned_gigantic_folios, .mem = 4 * GiB,
	 .hugetlb = 2, .hugetlb_1g = 2)
{
	struct folio *a = alloc_hugetlb_folio_order(HPAGE_PUD_ORDER);
	long free_before = (long)nr_free_pages();

	ASSERT_NOT_NULL(a);
	ASSERT_EQ(folio_order(a), HPAGE_PUD_ORDER);
	ASSERT_TRUE(IS_ALIGNED(folio_pfn(a), HPAGE_PUD_NR));
	ASSERT_TRUE(folio_test_hugetlb(a));
	ASSERT_EQ(hugetlb_total_pages_order(HPAGE_PUD_ORDER), 2);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 1);
	/* the 2 MiB pool is its own */
	ASSERT_EQ(hugetlb_free_pages(), 2);
	ASSERT_EQ(hugetlb_reserve_pages_order(HPAGE_PUD_ORDER, 2), -ENOMEM);
	folio_put(a);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 2);
	ASSERT_EQ((long)nr_free_pages(), free_before);
	ASSERT_INVARIANTS();
}

TEST_CFG(hugetlb_1g_fault_maps_a_pud_leaf, .mem = 4 * GiB, .hugetlb_1g = 1)
{
	struct task_struct *t = t_task("t");
	long addr = t_map_1g(t, MAP_PRIVATE);
	struct folio *folio;
	pud_t pud;

	ASSERT_GT(addr, 0);
	ASSERT_TRUE(IS_ALIGNED(addr, GiB));
	/* MAP_HUGE_1GB with no 1 GiB pages left: the fault gets SIGBUS */
	ASSERT_EQ(vm_mmap(t, 0, PMD_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
			  (21UL << 26), NULL, 0), -ENOMEM);
	ASSERT_EQ(vm_mmap(t, 0, GiB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
			  MAP_HUGETLB | (25UL << 26), NULL, 0), -EINVAL);
	t_fill(t, addr + GiB - PAGE_SIZE, 'z', PAGE_SIZE);
	pud = t_pud(t, addr);
	ASSERT_TRUE(pmd_leaf(pud));
	ASSERT_TRUE(pte_write(pud));
	folio = pfn_folio(pmd_pfn(pud));
	ASSERT_EQ(folio_order(folio), HPAGE_PUD_ORDER);
	ASSERT_EQ(folio_entire_mapcount(folio), 1);
	ASSERT_TRUE(PageAnonExclusive(&folio->page));
	ASSERT_TRUE(t_page(t, addr + 5 * PAGE_SIZE) == folio_page(folio, 5));
	ASSERT_TRUE(t_holds(t, addr, 0, PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, addr + GiB - PAGE_SIZE, 'z', PAGE_SIZE));
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 0);
	ASSERT_INVARIANTS();
	ASSERT_EQ(vm_munmap(t, addr, GiB), 0);
	ASSERT_EQ(pmd_leaf(t_pud(t, addr)), false);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 1);
	ASSERT_INVARIANTS();
}

TEST_CFG(hugetlb_1g_fork_shares_then_cow_copies, .mem = 4 * GiB,
	 .hugetlb_1g = 2)
{
	struct task_struct *p = t_task("parent"), *c;
	long addr = t_map_1g(p, MAP_PRIVATE);
	struct folio *folio;

	t_fill(p, addr + 7 * PAGE_SIZE, 'a', PAGE_SIZE);
	folio = t_folio_of(p, addr);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_TRUE(t_folio_of(c, addr) == folio);
	ASSERT_EQ(folio_mapcount(folio), 2);
	ASSERT_FALSE(pte_write(t_pud(p, addr)));
	t_fill(p, addr + 7 * PAGE_SIZE, 'p', 1);
	ASSERT_TRUE(t_folio_of(p, addr) != folio);
	ASSERT_EQ(folio_order(t_folio_of(p, addr)), HPAGE_PUD_ORDER);
	ASSERT_TRUE(t_holds(c, addr + 7 * PAGE_SIZE, 'a', PAGE_SIZE));
	ASSERT_TRUE(t_holds(p, addr + 7 * PAGE_SIZE + 1, 'a', PAGE_SIZE - 1));
	ASSERT_EQ(folio_mapcount(folio), 1);
	task_exit(c);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 1);
	ASSERT_INVARIANTS();
}

TEST_CFG(hugetlb_1g_gup_slow_and_fast_find_the_subpages, .mem = 4 * GiB,
	 .hugetlb_1g = 1)
{
	struct task_struct *t = t_task("t");
	long addr = t_map_1g(t, MAP_PRIVATE);
	unsigned long off = GiB / 2 + 3 * PAGE_SIZE;
	struct page *pages[4], *fast[4];
	struct folio *folio;

	ASSERT_EQ(t_pin(t, addr + off, 4, FOLL_WRITE | FOLL_LONGTERM, pages),
		  4);
	folio = page_folio(pages[0]);
	ASSERT_EQ(folio_order(folio), HPAGE_PUD_ORDER);
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(pages[i] == folio_page(folio,
					(off >> PAGE_SHIFT) + (unsigned)i));
	current = t;
	ASSERT_EQ(pin_user_pages_fast(addr + off, 4, FOLL_WRITE, fast), 4);
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(fast[i] == pages[i]);
	ASSERT_EQ(atomic_load(&folio->page._pincount), 8);
	t_fill(t, addr + off, 'w', PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 'w'));
	unpin_user_pages(fast, 4);
	unpin_user_pages(pages, 4);
	ASSERT_INVARIANTS();
}

TEST_CFG(hugetlb_1g_mprotect_and_mremap, .mem = 4 * GiB, .hugetlb_1g = 1)
{
	struct task_struct *t = t_task("t");
	long addr = t_map_1g(t, MAP_PRIVATE);

	t_fill(t, addr, 1, 1);
	ASSERT_EQ(vm_mprotect(t, addr, GiB, PROT_READ), 0);
	ASSERT_FALSE(pte_write(t_pud(t, addr)));
	ASSERT_EQ(user_memset(t, addr, 2, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(vm_mprotect(t, addr, PMD_SIZE, PROT_READ | PROT_WRITE),
		  -EINVAL);	/* a 1 GiB page cannot be cut */
	ASSERT_EQ(vm_mprotect(t, addr, GiB, PROT_READ | PROT_WRITE), 0);
	t_fill(t, addr, 3, 1);
	ASSERT_TRUE(t_holds(t, addr, 3, 1));
	/* the model does not move 1 GiB hugetlb page tables */
	ASSERT_EQ(vm_mremap(t, addr, GiB, GiB, MREMAP_MAYMOVE, 0), -EINVAL);
	ASSERT_INVARIANTS();
}

TEST_CFG(hugetlbfs_1g_file_shared_between_tasks, .mem = 4 * GiB,
	 .hugetlb_1g = 1)
{
	struct task_struct *a = t_task("a"), *b = t_task("b");
	struct file *f = hugetlbfs_file_create("big", GiB, GiB);
	long pa, pb;

	ASSERT_NOT_NULL(f);
	ASSERT_NULL(hugetlbfs_file_create("odd", GiB, 4 * PMD_SIZE));
	ASSERT_EQ(vfs_fallocate(f, 0, GiB), 0);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 0);
	pa = vm_mmap(a, 0, GiB, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	pb = vm_mmap(b, 0, GiB, PROT_READ, MAP_SHARED, f, 0);
	ASSERT_GT(pa, 0);
	ASSERT_GT(pb, 0);
	t_fill(a, pa + GiB / 4, 's', PAGE_SIZE);
	ASSERT_TRUE(t_holds(b, pb + GiB / 4, 's', PAGE_SIZE));
	ASSERT_TRUE(pmd_leaf(t_pud(b, pb)));
	task_exit(a);
	task_exit(b);
	fput(f);
	ASSERT_EQ(hugetlb_free_pages_order(HPAGE_PUD_ORDER), 1);
	ASSERT_INVARIANTS();
}
