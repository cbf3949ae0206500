// SPDX-License-Identifier: GPL-2.0
/*
 * Four-level page tables, x86-64 style: PGD -> PUD -> PMD -> PTE, 512
 * 64-bit entries per level, each table one page of simulated memory.
 *
 * Concurrency rules every function here relies on:
 *  - a table is installed (none -> table entry) only under
 *    mm->page_table_lock, after re-checking that nobody installed one
 *    meanwhile; the store has release semantics, so a lockless GUP-fast
 *    walker that sees the entry also sees the zeroed table;
 *  - a table is removed only with the mmap_lock held for write (munmap,
 *    exit), cleared under the ptl, and its page is freed after an RCU grace
 *    period (pte_free_deferred), because a GUP-fast walker may still be
 *    reading it inside mm_rcu_read_lock().
 */
#include <string.h>

#include "internal.h"
#include "../lib/sched_point.h"

/* End of the user half: TASK_SIZE leaves its last page unmapped (guard). */
#define USER_SPACE_END	(1UL << 47)

/* The bits pte_modify() keeps: what the entry maps and its history. */
#define _PAGE_CHG_MASK	(_PAGE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | \
			 _PAGE_PSE | _PAGE_SPECIAL | _PAGE_DEVMAP)
/* x86's _PAGE_TABLE: what an upper-level entry pointing at a table has. */
#define _PAGE_TABLE	(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

/*
 * vm_get_page_prot(): the hardware protection a fresh entry of a VMA with
 * vm_flags gets. Private writable mappings get no _PAGE_RW (COW: the fault
 * path decides); no access bit at all gives a PROT_NONE entry, which the
 * kernel still considers present but user space cannot touch.
 */
static uint64_t vm_page_prot(unsigned long vm_flags)
{
	uint64_t prot;

	if (!(vm_flags & VM_ACCESS_FLAGS))
		return _PAGE_PROTNONE | _PAGE_ACCESSED;
	prot = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;
	if ((vm_flags & (VM_SHARED | VM_WRITE)) == (VM_SHARED | VM_WRITE))
		prot |= _PAGE_RW;
	return prot;
}

pte_t pfn_pte(unsigned long pfn, unsigned long vm_flags)
{
	return ((uint64_t)pfn << _PAGE_PFN_SHIFT) | vm_page_prot(vm_flags);
}

pte_t pte_modify(pte_t pte, unsigned long vm_flags)
{
	/* Swap-style entries (migration) carry no protection to change. */
	if (!pte_present(pte))
		return pte;
	return (pte & _PAGE_CHG_MASK) | vm_page_prot(vm_flags);
}

uint64_t mk_table_entry(struct page *table)
{
	return ((uint64_t)page_to_pfn(table) << _PAGE_PFN_SHIFT) | _PAGE_TABLE;
}

uint64_t *table_entry_target(uint64_t entry)
{
	return page_address(pfn_to_page(pte_pfn(entry)));
}

/* An upper-level entry that points at a next-level table (not a leaf). */
static inline bool entry_is_table(uint64_t entry)
{
	return (entry & _PAGE_PRESENT) && !(entry & _PAGE_PSE);
}

/* pagetable_alloc() + ctor: a zeroed page, marked and counted. */
static struct page *table_alloc(void)
{
	struct page *page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);

	if (!page)
		return NULL;
	/* Cheap insurance: a stale word would be walked as a table entry. */
	memset(page_address(page), 0, PAGE_SIZE);
	SetPagetable(page);
	mod_vmstat(NR_PAGETABLE, 1);
	return page;
}

/* pagetable_dtor(): from here on the page is no table for the counters. */
static void table_dtor(struct page *page)
{
	ClearPagetable(page);
	mod_vmstat(NR_PAGETABLE, -1);
}

static void table_free_rcu(void *arg)
{
	__free_pages(arg, 0);
}

void pte_free_deferred(struct page *table)
{
	SCHED_POINT("tlb_remove_table()");
	table_dtor(table);
	mm_call_rcu(table_free_rcu, table);
}

/*
 * Makes *entry point at a table, allocating one if it is none. Returns
 * false only when the allocation failed. Another thread may install a
 * table between our check and the lock: then ours goes back unused.
 */
static bool table_install(struct mm_struct *mm, uint64_t *entry)
{
	struct page *page;

	if (!pte_none(entry_get(entry)))
		return true;
	page = table_alloc();
	if (!page)
		return false;
	ptl_lock(mm);
	if (pte_none(entry_get(entry))) {
		entry_set(entry, mk_table_entry(page));
		page = NULL;
	}
	ptl_unlock(mm);
	if (page) {
		table_dtor(page);
		__free_pages(page, 0);
	}
	return true;
}

int pgd_alloc(struct mm_struct *mm)
{
	struct page *page = table_alloc();

	if (!page)
		return -ENOMEM;
	mm->pgd_page = page;
	mm->pgd = page_address(page);
	return 0;
}

/*
 * Frees a table and, recursively, the tables below it, whatever they still
 * map (only pgd_free() does this, for tables free_pgtables() left).
 */
static void table_free_tree(uint64_t *table, int level)
{
	for (int i = 0; level > 1 && i < PTRS_PER_PTE; i++) {
		uint64_t e = entry_get(&table[i]);

		if (entry_is_table(e)) {
			uint64_t *lower = table_entry_target(e);

			table_free_tree(lower, level - 1);
			pte_free_deferred(pfn_to_page(pte_pfn(e)));
		}
	}
}

void pgd_free(struct mm_struct *mm)
{
	if (!mm->pgd_page)
		return;
	/* Level 4 is the PGD: its PUD, PMD and PTE tables below it. */
	table_free_tree(mm->pgd, 4);
	pte_free_deferred(mm->pgd_page);
	mm->pgd = NULL;
	mm->pgd_page = NULL;
}

pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr)
{
	uint64_t e;
	pud_t *pud;
	pmd_t *pmd;

	e = entry_get(&mm->pgd[pgd_index(addr)]);
	if (!entry_is_table(e))
		return NULL;
	pud = (pud_t *)table_entry_target(e) + pud_index(addr);
	e = entry_get(pud);
	if (!entry_is_table(e))
		return NULL;
	pmd = (pmd_t *)table_entry_target(e) + pmd_index(addr);
	return pmd;
}

pud_t *mm_find_pud(struct mm_struct *mm, unsigned long addr)
{
	uint64_t e = entry_get(&mm->pgd[pgd_index(addr)]);

	if (!entry_is_table(e))
		return NULL;
	return (pud_t *)table_entry_target(e) + pud_index(addr);
}

pud_t *mm_alloc_pud(struct mm_struct *mm, unsigned long addr)
{
	pgd_t *pgd = &mm->pgd[pgd_index(addr)];

	if (!table_install(mm, pgd))
		return NULL;
	return (pud_t *)table_entry_target(entry_get(pgd)) + pud_index(addr);
}

pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = mm_alloc_pud(mm, addr);

	if (!pud || !table_install(mm, pud))
		return NULL;
	/* a 1 GiB hugetlb leaf (or its migration entry) has no PMD table */
	if (!entry_is_table(entry_get(pud)))
		return NULL;
	return (pmd_t *)table_entry_target(entry_get(pud)) + pmd_index(addr);
}

uint64_t *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
			  unsigned long size)
{
	if (size == PUD_SIZE)
		return mm_find_pud(mm, addr);
	return mm_find_pmd(mm, addr);
}

uint64_t *huge_pte_alloc(struct mm_struct *mm, unsigned long addr,
			 unsigned long size)
{
	if (size == PUD_SIZE)
		return mm_alloc_pud(mm, addr);
	return mm_alloc_pmd(mm, addr);
}

pte_t *pte_offset(pmd_t *pmd, unsigned long addr)
{
	pmd_t e = pmdp_get(pmd);

	/* none, a huge leaf, or a PMD migration entry: no PTE table */
	if (!entry_is_table(e))
		return NULL;
	return (pte_t *)table_entry_target(e) + pte_index(addr);
}

pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	if (!table_install(mm, pmd))
		return NULL;
	return pte_offset(pmd, addr);
}

/* ---- free_pgtables ---- */

static bool table_is_empty(const uint64_t *table)
{
	for (int i = 0; i < PTRS_PER_PTE; i++)
		if (!pte_none(entry_get(&table[i])))
			return false;
	return true;
}

/*
 * Frees the table *entry points at when it maps nothing: the entry is
 * cleared under the ptl (so no fault can be adding to the table while we
 * decide), and the page goes through RCU for the lockless walkers.
 */
static void free_table_at(struct mm_struct *mm, uint64_t *entry,
			  unsigned long start)
{
	uint64_t e = entry_get(entry);
	uint64_t *table = table_entry_target(e);
	bool empty;

	ptl_lock(mm);
	empty = table_is_empty(table);
	if (empty)
		entry_set(entry, 0);
	SCHED_POINT("pmd cleared");
	ptl_unlock(mm);
	if (VM_WARN(!empty, "free_pgtables: table at %#lx still maps entries",
		    start))
		return;
	pte_free_deferred(pfn_to_page(pte_pfn(e)));
}

static inline bool span_inside(unsigned long start, unsigned long size,
			       unsigned long floor, unsigned long ceiling)
{
	return start >= floor && start + size <= ceiling;
}

/* Level sizes, indexed by level: 1 = PTE table entries, ... 4 = PGD. */
static const unsigned long level_entry_size[] = {
	0, PAGE_SIZE, PMD_SIZE, PUD_SIZE, PGDIR_SIZE,
};

/*
 * Walks the table at `level` covering [base, base + 512 * entry size),
 * frees the lower tables wholly inside [floor, ceiling), and returns.
 * Only entries that overlap the range are looked at.
 */
static void free_level(struct mm_struct *mm, uint64_t *table, int level,
		       unsigned long base, unsigned long floor,
		       unsigned long ceiling)
{
	unsigned long size = level_entry_size[level];

	for (int i = 0; i < PTRS_PER_PTE; i++) {
		unsigned long start = base + i * size;
		uint64_t e;

		if (start + size <= floor)
			continue;
		if (start >= ceiling)
			break;
		e = entry_get(&table[i]);
		if (!entry_is_table(e))
			continue;
		if (level > 2)
			free_level(mm, table_entry_target(e), level - 1, start,
				   floor, ceiling);
		if (span_inside(start, size, floor, ceiling))
			free_table_at(mm, &table[i], start);
	}
}

void free_pgtables(struct mm_struct *mm, unsigned long floor,
		   unsigned long ceiling)
{
	/*
	 * The guard page above TASK_SIZE is never mapped, so a ceiling there
	 * means the end of the user half: the last tables may go too.
	 */
	if (ceiling >= TASK_SIZE || !ceiling)
		ceiling = USER_SPACE_END;
	floor = ALIGN_DOWN(floor, PAGE_SIZE);
	if (floor >= ceiling || !mm->pgd)
		return;
	free_level(mm, mm->pgd, 4, 0, floor, ceiling);
}
