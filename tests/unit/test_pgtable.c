// SPDX-License-Identifier: GPL-2.0
/* Page tables: entry encoding, allocation, walks and freeing (pgtable.c). */
#include "harness.h"
#include "../../mm/testing.h"

static long nr_pagetables(void)
{
	return vmstat_get("nr_page_table_pages");
}

TEST(pte_encoding_follows_vm_flags)
{
	unsigned long pfn = 0x1234;
	pte_t pte;

	/* private writable: read-only until a fault decides (COW) */
	pte = pfn_pte(pfn, VM_READ | VM_WRITE | VM_MAYWRITE);
	ASSERT_TRUE(pte_present(pte));
	ASSERT_FALSE(pte_protnone(pte));
	ASSERT_FALSE(pte_write(pte));
	ASSERT_EQ(pte_pfn(pte), pfn);
	/* shared writable: writable at once */
	pte = pfn_pte(pfn, VM_READ | VM_WRITE | VM_SHARED);
	ASSERT_TRUE(pte_write(pte));
	/* no access: PROT_NONE entry, present for the kernel only */
	pte = pfn_pte(pfn, VM_MAYREAD);
	ASSERT_TRUE(pte_present(pte));
	ASSERT_TRUE(pte_protnone(pte));
	ASSERT_EQ(pte_pfn(pte), pfn);

	/* pte_modify keeps pfn, dirty, special; swaps the protection */
	pte = pte_mkdirty(pfn_pte(pfn, VM_READ | VM_WRITE | VM_SHARED)) |
	      _PAGE_SPECIAL;
	pte = pte_modify(pte, VM_READ | VM_SHARED);
	ASSERT_FALSE(pte_write(pte));
	ASSERT_TRUE(pte_dirty(pte));
	ASSERT_TRUE(pte_special(pte));
	ASSERT_EQ(pte_pfn(pte), pfn);
	pte = pte_modify(pte, VM_NONE);
	ASSERT_TRUE(pte_protnone(pte));
	ASSERT_EQ(pte_pfn(pte), pfn);
	/* migration entries carry no protection: unchanged */
	pte = make_migration_entry(pfn, SWP_MIGRATION_READ);
	ASSERT_EQ(pte_modify(pte, VM_READ), pte);
}

TEST(pgtable_alloc_walk_free)
{
	struct task_struct *t = t_task("pgt");
	struct mm_struct *mm = task_mm(t);
	const unsigned long addr = 0x7f1234567000UL;
	long free0 = vmstat_get("nr_free_pages");
	long tables0 = nr_pagetables();
	pmd_t *pmd;
	pte_t *pte;
	uint64_t e;

	/* the PGD is the one table every mm has */
	ASSERT_GE(tables0, 1);
	mmap_write_lock(mm);
	ASSERT_NULL(mm_find_pmd(mm, addr));
	pmd = mm_alloc_pmd(mm, addr);
	ASSERT_NOT_NULL(pmd);
	ASSERT_EQ(nr_pagetables(), tables0 + 2);	/* PUD + PMD */
	ASSERT_PTR_EQ(mm_find_pmd(mm, addr), pmd);
	ASSERT_NULL(pte_offset(pmd, addr));
	pte = pte_alloc(mm, pmd, addr);
	ASSERT_NOT_NULL(pte);
	ASSERT_EQ(nr_pagetables(), tables0 + 3);
	ASSERT_PTR_EQ(pte_offset(pmd, addr), pte);
	ASSERT_TRUE(pte_none(ptep_get(pte)));
	/* a second alloc finds the installed tables */
	ASSERT_PTR_EQ(mm_alloc_pmd(mm, addr), pmd);
	ASSERT_PTR_EQ(pte_alloc(mm, pmd, addr), pte);
	ASSERT_EQ(nr_pagetables(), tables0 + 3);
	/* the neighbour page shares the PTE table */
	ASSERT_PTR_EQ(pte_alloc(mm, pmd, addr + PAGE_SIZE), pte + 1);

	/* the entries point at PG_table pages, level by level */
	e = entry_get(&mm->pgd[pgd_index(addr)]);
	ASSERT_TRUE(e & _PAGE_PRESENT);
	ASSERT_TRUE(PageTable(pfn_to_page(pte_pfn(e))));
	e = pmdp_get(pmd);
	ASSERT_FALSE(pmd_leaf(e));
	ASSERT_PTR_EQ(table_entry_target(e) + pte_index(addr), pte);
	ASSERT_TRUE(PageTable(pfn_to_page(pte_pfn(e))));

	/* a range that does not cover the PTE table's whole span frees nothing */
	free_pgtables(mm, addr, addr + PAGE_SIZE);
	ASSERT_EQ(nr_pagetables(), tables0 + 3);
	ASSERT_PTR_EQ(pte_offset(pmd, addr), pte);
	/* the whole 2 MiB: the PTE table goes, PMD and PUD stay */
	free_pgtables(mm, addr & PMD_MASK, (addr & PMD_MASK) + PMD_SIZE);
	ASSERT_EQ(nr_pagetables(), tables0 + 2);
	ASSERT_TRUE(pmd_none(pmdp_get(pmd)));
	/* everything: back to the PGD alone */
	free_pgtables(mm, 0, TASK_SIZE);
	ASSERT_EQ(nr_pagetables(), tables0);
	ASSERT_NULL(mm_find_pmd(mm, addr));
	mmap_write_unlock(mm);

	/* the pages come back after the grace period */
	mm_rcu_barrier();
	ASSERT_EQ(vmstat_get("nr_free_pages"), free0);
	task_exit(t);
	mm_rcu_barrier();
	ASSERT_EQ(nr_pagetables(), 0);
}

TEST(free_pgtables_keeps_tables_that_map)
{
	struct task_struct *t = t_task("pgt");
	struct mm_struct *mm = task_mm(t);
	const unsigned long addr = 0x7f0000200000UL;
	long tables0 = nr_pagetables();
	char buf[4096];
	pte_t *pte;

	mmap_write_lock(mm);
	pte = pte_alloc(mm, mm_alloc_pmd(mm, addr), addr);
	ASSERT_NOT_NULL(pte);
	/* an MMIO-style special entry nobody unmapped */
	set_pte(pte + 7, pfn_pte(machine->mmio_start_pfn, VM_READ | VM_SHARED) |
		_PAGE_SPECIAL);
	mm_warnings_clear();
	free_pgtables(mm, 0, TASK_SIZE);
	/* the model warned and kept the table (no use-after-free) */
	ASSERT_GT(mm_warnings(buf, sizeof(buf)), 0);
	ASSERT_TRUE(strstr(buf, "still maps") != NULL);
	ASSERT_PTR_EQ(pte_offset(mm_find_pmd(mm, addr), addr), pte);
	ASSERT_EQ(nr_pagetables(), tables0 + 3);
	mm_warnings_clear();
	set_pte(pte + 7, 0);
	free_pgtables(mm, 0, TASK_SIZE);
	ASSERT_EQ(nr_pagetables(), tables0);
	mmap_write_unlock(mm);
}

/* Every level's tables are freed on exit, however many there were. */
TEST(exit_frees_every_table)
{
	struct task_struct *t = t_task("pgt");
	struct mm_struct *mm = task_mm(t);
	long free0;

	task_exit(t);
	mm_rcu_barrier();
	free0 = vmstat_get("nr_free_pages");
	t = t_task("pgt2");
	mm = task_mm(t);
	mmap_write_lock(mm);
	/* spread over PGD slots, PUDs and PMDs */
	for (unsigned long a = 1UL << 30; a < (1UL << 46); a <<= 1)
		ASSERT_NOT_NULL(pte_alloc(mm, mm_alloc_pmd(mm, a), a));
	mmap_write_unlock(mm);
	ASSERT_GT(nr_pagetables(), 20);
	task_exit(t);
	ASSERT_NULL(current);
	mm_rcu_barrier();
	ASSERT_EQ(nr_pagetables(), 0);
	ASSERT_EQ(vmstat_get("nr_free_pages"), free0);
}
