// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of transparent huge pages: PMD-mapped anonymous faults, when THP is
 * allowed, write-protect faults on a PMD, and splitting a PMD into PTEs
 * (partial munmap, mprotect, COW) with data and counts kept.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness.h"
#include "../../mm/testing.h"

/* The folio a PMD leaf maps at addr, or NULL. */
static struct folio *t_thp(struct task_struct *t, unsigned long addr)
{
	pmd_t e = t_pmd(t, addr);

	return pmd_leaf(e) ? pfn_folio(pmd_pfn(e)) : NULL;
}

/* A 2 MiB-aligned anonymous rw area of len bytes (len >= 2 MiB). */
static unsigned long t_mmap_thp_area(struct task_struct *t, size_t len)
{
	unsigned long addr = t_mmap_anon(t, len);

	ASSERT_TRUE(IS_ALIGNED(addr, PMD_SIZE));
	return addr;
}

/* Writes page i of the 2 MiB range with byte (i + seed). */
static void fill_pattern(struct task_struct *t, unsigned long addr, int seed)
{
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		t_fill(t, addr + i * PAGE_SIZE, (int)((i + seed) & 0xff),
		       PAGE_SIZE);
}

static bool holds_pattern(struct task_struct *t, unsigned long addr,
			  unsigned long first, unsigned long last, int seed)
{
	for (unsigned long i = first; i <= last; i++)
		if (!t_holds(t, addr + i * PAGE_SIZE, (int)((i + seed) & 0xff),
			     PAGE_SIZE))
			return false;
	return true;
}

TEST_CFG(thp_write_fault_maps_one_pmd_folio, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 4 * MiB);
	long allocs = vmstat_get("thp_fault_alloc");
	struct folio *folio;
	pmd_t e;

	ASSERT_EQ(user_write(t, addr + 12345, "thp", 3), UACCESS_OK);
	e = t_pmd(t, addr);
	ASSERT_TRUE(pmd_leaf(e));
	ASSERT_TRUE(pmd_write(e));
	ASSERT_TRUE(pmd_dirty(e));
	folio = t_thp(t, addr);
	ASSERT_EQ(folio_order(folio), HPAGE_PMD_ORDER);
	ASSERT_TRUE(folio_test_anon(folio));
	ASSERT_TRUE(folio_test_lru(folio));
	ASSERT_EQ(folio_ref_count(folio), 1);
	ASSERT_EQ(folio_entire_mapcount(folio), 1);
	ASSERT_EQ(folio_mapcount(folio), 1);
	ASSERT_TRUE(PageAnonExclusive(folio_page(folio, 0)));
	ASSERT_TRUE(PageAnonExclusive(folio_page(folio, 511)));
	ASSERT_EQ(page_mapcount(folio_page(folio, 3)), 0);
	ASSERT_EQ(vmstat_get("thp_fault_alloc"), allocs + 1);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), HPAGE_PMD_NR);
	ASSERT_TRUE(t_holds(t, addr, 0, 12345));
	ASSERT_TRUE(t_holds(t, addr + 12345, 't', 1));
	ASSERT_TRUE(t_holds(t, addr + 12348, 0, 2 * MiB - 12348));
	/* the second 2 MiB was never touched */
	ASSERT_TRUE(pmd_none(t_pmd(t, addr + 2 * MiB)));
	ASSERT_INVARIANTS();
}

TEST(thp_madvise_mode_needs_madv_hugepage)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 4 * MiB);

	/* default mode is madvise: no THP without MADV_HUGEPAGE */
	t_fill(t, addr, 1, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_TRUE(pte_present(t_pte(t, addr)));

	ASSERT_EQ(vm_madvise(t, addr + 2 * MiB, 2 * MiB, MADV_HUGEPAGE), 0);
	t_fill(t, addr + 2 * MiB + 7 * PAGE_SIZE, 2, 1);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, addr + 2 * MiB)));
	ASSERT_NOT_NULL(t_thp(t, addr + 2 * MiB));
}

TEST_CFG(thp_never_mode_and_nohugepage, .thp = THP_NEVER)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);

	ASSERT_EQ(vm_madvise(t, addr, 2 * MiB, MADV_HUGEPAGE), 0);
	t_fill(t, addr, 1, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
}

TEST_CFG(thp_not_for_small_or_nohugepage_vmas, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long small = t_mmap_anon(t, 1 * MiB);
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);

	t_fill(t, small, 1, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, small)));
	ASSERT_EQ(vm_madvise(t, addr, 2 * MiB, MADV_NOHUGEPAGE), 0);
	t_fill(t, addr, 1, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
}

TEST_CFG(thp_read_fault_maps_zero_page_at_pte_level, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	pte_t e;

	ASSERT_TRUE(t_holds(t, addr, 0, 64));
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	e = t_pte(t, addr);
	ASSERT_TRUE(is_zero_pfn(pte_pfn(e)));
	/* a later write stays at PTE level (no huge zero page to replace) */
	t_fill(t, addr + PAGE_SIZE, 1, 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
}

TEST_CFG(thp_split_on_partial_munmap_keeps_data, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	long splits = vmstat_get("thp_split_pmd");
	struct folio *folio;

	fill_pattern(t, addr, 0x40);
	folio = t_thp(t, addr);
	ASSERT_NOT_NULL(folio);
	folio_get(folio);		/* to look at it after the split */

	/* unmap pages 100..199: the PMD must be split first */
	ASSERT_EQ(vm_munmap(t, addr + 100 * PAGE_SIZE, 100 * PAGE_SIZE), 0);
	ASSERT_EQ(vmstat_get("thp_split_pmd"), splits + 1);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_PTR_EQ(page_folio(pfn_to_page(pte_pfn(t_pte(t, addr)))), folio);
	ASSERT_EQ(folio_order(folio), HPAGE_PMD_ORDER);
	ASSERT_EQ(folio_entire_mapcount(folio), 0);
	ASSERT_EQ(folio_mapcount(folio), HPAGE_PMD_NR - 100);
	ASSERT_EQ(folio_ref_count(folio), HPAGE_PMD_NR - 100 + 1);
	ASSERT_EQ(page_mapcount(folio_page(folio, 0)), 1);
	ASSERT_EQ(page_mapcount(folio_page(folio, 150)), 0);
	ASSERT_TRUE(PageAnonExclusive(folio_page(folio, 300)));
	ASSERT_TRUE(pte_write(t_pte(t, addr + 300 * PAGE_SIZE)));
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), HPAGE_PMD_NR - 100);
	ASSERT_TRUE(holds_pattern(t, addr, 0, 99, 0x40));
	ASSERT_TRUE(holds_pattern(t, addr, 200, HPAGE_PMD_NR - 1, 0x40));
	/* the unmapped part's bytes still sit in the (large) folio */
	ASSERT_TRUE(page_holds(folio_page(folio, 150), (150 + 0x40) & 0xff));
	ASSERT_INVARIANTS();

	folio_put(folio);
	ASSERT_EQ(vm_munmap(t, addr, 2 * MiB), 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
}

TEST_CFG(thp_whole_munmap_needs_no_split, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	long splits = vmstat_get("thp_split_pmd");
	struct folio *folio;

	t_fill(t, addr, 9, PAGE_SIZE);
	folio = t_thp(t, addr);
	folio_get(folio);
	ASSERT_EQ(vm_munmap(t, addr, 2 * MiB), 0);
	ASSERT_EQ(vmstat_get("thp_split_pmd"), splits);
	ASSERT_EQ(folio_mapcount(folio), 0);
	ASSERT_EQ(folio_ref_count(folio), 1);
	folio_put(folio);
}

TEST_CFG(thp_partial_mprotect_splits, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);

	fill_pattern(t, addr, 1);
	ASSERT_EQ(vm_mprotect(t, addr + 5 * PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr + 5 * PAGE_SIZE)));
	ASSERT_TRUE(pte_write(t_pte(t, addr + 4 * PAGE_SIZE)));
	ASSERT_TRUE(pte_write(t_pte(t, addr + 6 * PAGE_SIZE)));
	ASSERT_EQ(user_write(t, addr + 5 * PAGE_SIZE, "x", 1), UACCESS_SIGSEGV);
	ASSERT_TRUE(holds_pattern(t, addr, 0, HPAGE_PMD_NR - 1, 1));
	ASSERT_INVARIANTS();
}

TEST_CFG(thp_whole_mprotect_keeps_pmd, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);

	t_fill(t, addr, 3, PAGE_SIZE);
	ASSERT_EQ(vm_mprotect(t, addr, 2 * MiB, PROT_READ), 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_FALSE(pmd_write(t_pmd(t, addr)));
	ASSERT_EQ(vm_mprotect(t, addr, 2 * MiB, PROT_NONE), 0);
	ASSERT_TRUE(pmd_protnone(t_pmd(t, addr)));
	ASSERT_EQ(user_read(t, addr, &(char){ 0 }, 1), UACCESS_SIGSEGV);
	/* exclusive: writable again straight away */
	ASSERT_EQ(vm_mprotect(t, addr, 2 * MiB, PROT_READ | PROT_WRITE), 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_TRUE(pmd_write(t_pmd(t, addr)));
	ASSERT_TRUE(t_holds(t, addr, 3, PAGE_SIZE));
}

TEST_CFG(thp_wp_fault_reuses_exclusive_pmd, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	struct mm_struct *mm = task_mm(t);
	struct folio *folio;
	pmd_t *pmd;

	t_fill(t, addr, 3, PAGE_SIZE);
	folio = t_thp(t, addr);
	pmd = mm_find_pmd(mm, addr);
	pthread_mutex_lock(&mm->page_table_lock);
	set_pmd(pmd, pte_wrprotect(pmdp_get(pmd)));
	pthread_mutex_unlock(&mm->page_table_lock);
	t_fill(t, addr + MiB, 4, PAGE_SIZE);
	ASSERT_PTR_EQ(t_thp(t, addr), folio);
	ASSERT_TRUE(pmd_write(t_pmd(t, addr)));
	ASSERT_TRUE(t_holds(t, addr + MiB, 4, PAGE_SIZE));
}

TEST_CFG(thp_cow_after_fork_splits_and_copies_one_page, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	struct folio *folio;

	fill_pattern(t, addr, 7);
	folio = t_thp(t, addr);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_EQ(folio_mapcount(folio), 2);
	t_fill(t, addr + 10 * PAGE_SIZE, 0xee, PAGE_SIZE);
	/* the parent's PMD was split and page 10 copied */
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_TRUE(page_folio(pfn_to_page(pte_pfn(t_pte(t, addr + 10 * PAGE_SIZE))))
		    != folio);
	ASSERT_TRUE(t_holds(t, addr + 10 * PAGE_SIZE, 0xee, PAGE_SIZE));
	ASSERT_TRUE(holds_pattern(c, addr, 0, HPAGE_PMD_NR - 1, 7));
	ASSERT_TRUE(holds_pattern(t, addr, 11, HPAGE_PMD_NR - 1, 7));
	ASSERT_INVARIANTS();
	task_exit(c);
	current = t;
}

TEST_CFG(thp_unshare_of_shared_pmd, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("parent"), *c;
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	struct mm_struct *mm = task_mm(t);
	struct vm_area_struct *vma;

	fill_pattern(t, addr, 9);
	c = task_fork(t, "child");
	ASSERT_NOT_NULL(c);
	mmap_read_lock(mm);
	vma = vma_lookup(mm, addr);
	ASSERT_EQ(handle_mm_fault(vma, addr + PAGE_SIZE, FAULT_FLAG_UNSHARE), 0);
	mmap_read_unlock(mm);
	/* split, and that one page became an exclusive read-only copy */
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr)));
	ASSERT_FALSE(pte_write(t_pte(t, addr + PAGE_SIZE)));
	ASSERT_TRUE(PageAnonExclusive(pfn_to_page(pte_pfn(t_pte(t, addr + PAGE_SIZE)))));
	ASSERT_TRUE(holds_pattern(t, addr, 0, HPAGE_PMD_NR - 1, 9));
	task_exit(c);
	current = t;
}

TEST_CFG(split_huge_pmd_address_is_a_no_op_without_thp, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("thp");
	unsigned long addr = t_mmap_thp_area(t, 2 * MiB);
	long splits = vmstat_get("thp_split_pmd");
	struct mm_struct *mm = task_mm(t);
	struct vm_area_struct *vma;

	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	split_huge_pmd_address(vma, addr);	/* nothing mapped */
	mmap_write_unlock(mm);
	ASSERT_EQ(vmstat_get("thp_split_pmd"), splits);
	t_fill(t, addr, 5, 2 * MiB);
	mmap_write_lock(mm);
	split_huge_pmd_address(vma, addr + 3 * PAGE_SIZE);
	split_huge_pmd_address(vma, addr + 3 * PAGE_SIZE);	/* once */
	mmap_write_unlock(mm);
	ASSERT_EQ(vmstat_get("thp_split_pmd"), splits + 1);
	ASSERT_TRUE(t_holds(t, addr, 5, 2 * MiB));
	ASSERT_INVARIANTS();
}

/* ---- concurrency: faults racing with zap, mprotect and splits ---- */


struct race_arg {
	struct task_struct *task;
	unsigned long addr;
	int id;
	int bad;
};

#define RACE_LEN	(4 * MiB)
#define RACE_ITERS	600

/*
 * Workers store their id in the first byte of random pages and read back
 * pages, which must hold 0 (zapped) or some worker's id: never garbage.
 */
static void *race_worker(void *p)
{
	struct race_arg *a = p;
	unsigned int seed = (unsigned int)a->id * 7919u + 1;
	unsigned char c;

	current = a->task;
	for (int i = 0; i < RACE_ITERS; i++) {
		unsigned long off = (rand_r(&seed) % (RACE_LEN / PAGE_SIZE)) *
				    PAGE_SIZE;

		if (rand_r(&seed) & 1) {
			/* SIGSEGV is fine: the page may be PROT_READ now */
			user_memset(a->task, a->addr + off, a->id, 1);
		} else if (off >= RACE_LEN / 2 &&	/* reads block THPs */
			   user_read(a->task, a->addr + off, &c, 1) ==
			   UACCESS_OK && c > 4) {
			a->bad++;
		}
	}
	return NULL;
}

static void *race_mangler(void *p)
{
	struct race_arg *a = p;
	unsigned int seed = 4242;

	current = a->task;
	/* first, split the THP the test put at 2 MiB, racing the workers */
	vm_madvise(a->task, a->addr + PMD_SIZE + PAGE_SIZE, PAGE_SIZE,
		   MADV_DONTNEED);
	for (int i = 0; i < RACE_ITERS / 4; i++) {
		unsigned long off = (rand_r(&seed) % (RACE_LEN / PAGE_SIZE)) *
				    PAGE_SIZE;
		size_t len = (1 + rand_r(&seed) % 16) * PAGE_SIZE;

		if (off + len > RACE_LEN)
			len = RACE_LEN - off;
		switch (rand_r(&seed) % 4) {
		case 0:	/* a whole PMD: the next write may get a new THP */
			off &= PMD_MASK;
			vm_madvise(a->task, a->addr + off, PMD_SIZE,
				   MADV_DONTNEED);
			break;
		case 1:	/* part of one: splits it */
			vm_madvise(a->task, a->addr + off, len, MADV_DONTNEED);
			break;
		default:
			/* only the last 2 MiB: the rest keeps THP-sized VMAs */
			off = RACE_LEN - PMD_SIZE + (off & ~PMD_MASK);
			if (off + len > RACE_LEN)
				len = RACE_LEN - off;
			vm_mprotect(a->task, a->addr + off, len, PROT_READ);
			vm_mprotect(a->task, a->addr + off, len,
				    PROT_READ | PROT_WRITE);
			break;
		}
	}
	return NULL;
}

TEST_CFG(thp_faults_race_with_zap_and_mprotect, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("race");
	unsigned long addr = t_mmap_thp_area(t, RACE_LEN);
	struct race_arg args[5];
	pthread_t th[5];
	int i;

	t_fill(t, addr, 0, 1);
	t_fill(t, addr + PMD_SIZE, 0, 1);
	ASSERT_NOT_NULL(t_thp(t, addr + PMD_SIZE));
	for (i = 0; i < 5; i++) {
		args[i] = (struct race_arg){ .task = t, .addr = addr,
					     .id = i + 1 };
		pthread_create(&th[i], NULL, i == 4 ? race_mangler : race_worker,
			       &args[i]);
	}
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	current = t;
	for (i = 0; i < 4; i++)
		ASSERT_EQ(args[i].bad, 0);
	harness_note("faults %ld, thp allocs %ld, pmd splits %ld, cow reuses %ld",
		     vmstat_get("pgfault"), vmstat_get("thp_fault_alloc"),
		     vmstat_get("thp_split_pmd"), vmstat_get("gupsim_cow_reuse"));
	ASSERT_GT(vmstat_get("thp_split_pmd"), 0);
	ASSERT_INVARIANTS();
	ASSERT_EQ(vm_munmap(t, addr, RACE_LEN), 0);
	ASSERT_EQ(atomic_load(&task_mm(t)->rss_anon), 0);
}
