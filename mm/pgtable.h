/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Page-table entries and their accessors (the kernel's pgtable.h,
 * swapops.h and the page-table helpers of mm.h), the calls that walk and
 * allocate tables (mm/pgtable.c) and the PMD-range walker (mm/memory.c).
 */
#ifndef GUPSIM_MM_PGTABLE_H
#define GUPSIM_MM_PGTABLE_H

#include "mm_types.h"

/*
 * Entries are 64-bit words in page-table pages that live in simulated
 * memory. All access goes through the accessors below (atomic loads and
 * stores), since GUP-fast reads them without a lock.
 */

#define _PAGE_PRESENT	(1ULL << 0)
#define _PAGE_RW	(1ULL << 1)
#define _PAGE_USER	(1ULL << 2)
#define _PAGE_ACCESSED	(1ULL << 5)
#define _PAGE_DIRTY	(1ULL << 6)
#define _PAGE_PSE	(1ULL << 7)	/* pmd: maps a 2 MiB folio */
#define _PAGE_PROTNONE	(1ULL << 8)	/* present for the kernel, not user */
#define _PAGE_SPECIAL	(1ULL << 9)	/* no struct page to refcount (VM_PFNMAP) */
#define _PAGE_DEVMAP	(1ULL << 10)	/* fs-DAX device page */
#define _PAGE_PFN_SHIFT	12
#define _PAGE_PFN_MASK	(((1ULL << 40) - 1) << _PAGE_PFN_SHIFT)

/* Non-present, non-zero entries are swap-style entries: type and pfn. */
#define SWP_TYPE_SHIFT	1
#define SWP_TYPE_MASK	(0xfULL << SWP_TYPE_SHIFT)
enum swp_type {
	SWP_NONE = 0,
	SWP_MIGRATION_READ,
	SWP_MIGRATION_READ_EXCLUSIVE,	/* anon page was PageAnonExclusive */
	SWP_MIGRATION_WRITE,		/* was writable (implies exclusive) */
	SWP_SWAPFILE,			/* swapped out: pfn field = slot */
	SWP_SWAPFILE_EXCLUSIVE,		/* ... of a PageAnonExclusive page */
};

static inline uint64_t entry_get(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void entry_set(uint64_t *p, uint64_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint64_t entry_xchg(uint64_t *p, uint64_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_ACQ_REL);
}

#define ptep_get(p)		entry_get(p)
#define pmdp_get(p)		entry_get(p)
#define set_pte(p, v)		entry_set(p, v)
#define set_pmd(p, v)		entry_set(p, v)
#define ptep_get_and_clear(p)	entry_xchg(p, 0)
#define pmdp_get_and_clear(p)	entry_xchg(p, 0)

static inline bool pte_none(pte_t pte) { return pte == 0; }
static inline bool pte_present(pte_t pte)
{
	return pte & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline bool pte_protnone(pte_t pte)
{
	return (pte & (_PAGE_PRESENT | _PAGE_PROTNONE)) == _PAGE_PROTNONE;
}
static inline bool pte_write(pte_t pte) { return pte & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte & _PAGE_DIRTY; }
static inline bool pte_young(pte_t pte) { return pte & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t pte) { return pte & _PAGE_SPECIAL; }
static inline bool pte_devmap(pte_t pte) { return pte & _PAGE_DEVMAP; }
static inline unsigned long pte_pfn(pte_t pte)
{
	return (pte & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT;
}
static inline pte_t pte_mkwrite(pte_t pte) { return pte | _PAGE_RW; }
static inline pte_t pte_wrprotect(pte_t pte) { return pte & ~_PAGE_RW; }
static inline pte_t pte_mkdirty(pte_t pte) { return pte | _PAGE_DIRTY; }
static inline pte_t pte_mkclean(pte_t pte) { return pte & ~_PAGE_DIRTY; }
static inline pte_t pte_mkyoung(pte_t pte) { return pte | _PAGE_ACCESSED; }

/*
 * A present entry for pfn with the protection vm_get_page_prot() gives
 * vm_flags: no access bit -> PROT_NONE entry; writable only for a shared
 * writable mapping (private writable mappings start read-only: COW; the
 * fault path makes exclusive pages writable, and write-protects shared
 * mappings that want write-notify).
 */
pte_t pfn_pte(unsigned long pfn, unsigned long vm_flags);
static inline pte_t mk_pte(struct page *page, unsigned long vm_flags)
{
	return pfn_pte(page_to_pfn(page), vm_flags);
}
/* Rewrites the protection bits of a present entry for new vm_flags. */
pte_t pte_modify(pte_t pte, unsigned long vm_flags);

static inline bool pmd_none(pmd_t pmd) { return pmd == 0; }
static inline bool pmd_present(pmd_t pmd)
{
	return pmd & (_PAGE_PRESENT | _PAGE_PROTNONE);
}
static inline bool pmd_leaf(pmd_t pmd)
{
	return pmd_present(pmd) && (pmd & _PAGE_PSE);
}
static inline bool pmd_trans_huge(pmd_t pmd) { return pmd_leaf(pmd); }
static inline unsigned long pmd_pfn(pmd_t pmd) { return pte_pfn(pmd); }
#define pmd_write(p)	pte_write(p)
#define pmd_dirty(p)	pte_dirty(p)
#define pmd_protnone(p)	pte_protnone(p)
#define pmd_devmap(p)	pte_devmap(p)
static inline pmd_t pmd_mkhuge(pmd_t pmd) { return pmd | _PAGE_PSE; }

static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}
static inline enum swp_type swp_type(pte_t pte)
{
	return (enum swp_type)((pte & SWP_TYPE_MASK) >> SWP_TYPE_SHIFT);
}
static inline unsigned long swp_offset_pfn(pte_t pte) { return pte_pfn(pte); }
static inline bool is_migration_entry(pte_t pte)
{
	return is_swap_pte(pte) && swp_type(pte) >= SWP_MIGRATION_READ &&
	       swp_type(pte) <= SWP_MIGRATION_WRITE;
}
/* A page on the swap device (mm/swapfile.c): the slot in the pfn field. */
static inline bool is_swapfile_entry(pte_t pte)
{
	return is_swap_pte(pte) && (swp_type(pte) == SWP_SWAPFILE ||
				    swp_type(pte) == SWP_SWAPFILE_EXCLUSIVE);
}
static inline bool pte_swp_exclusive(pte_t pte)
{
	return swp_type(pte) == SWP_SWAPFILE_EXCLUSIVE;
}
static inline pte_t make_swap_entry(unsigned long slot, bool exclusive)
{
	enum swp_type t = exclusive ? SWP_SWAPFILE_EXCLUSIVE : SWP_SWAPFILE;

	return ((uint64_t)slot << _PAGE_PFN_SHIFT) |
	       ((uint64_t)t << SWP_TYPE_SHIFT);
}
static inline bool is_writable_migration_entry(pte_t pte)
{
	return is_migration_entry(pte) && swp_type(pte) == SWP_MIGRATION_WRITE;
}
static inline pte_t make_migration_entry(unsigned long pfn, enum swp_type type)
{
	return ((uint64_t)pfn << _PAGE_PFN_SHIFT) |
	       ((uint64_t)type << SWP_TYPE_SHIFT);
}
/* A PMD-level migration entry carries _PAGE_PSE too. */

static inline unsigned long pgd_index(unsigned long a)
{
	return (a >> PGDIR_SHIFT) & (PTRS_PER_PGD - 1);
}
static inline unsigned long pud_index(unsigned long a)
{
	return (a >> PUD_SHIFT) & (PTRS_PER_PUD - 1);
}
static inline unsigned long pmd_index(unsigned long a)
{
	return (a >> PMD_SHIFT) & (PTRS_PER_PMD - 1);
}
static inline unsigned long pte_index(unsigned long a)
{
	return (a >> PAGE_SHIFT) & (PTRS_PER_PTE - 1);
}

/* A table entry (pgd/pud/pmd) pointing at the next-level table page. */
uint64_t mk_table_entry(struct page *table);
/* The table page an upper entry points at (entry must be present). */
uint64_t *table_entry_target(uint64_t entry);

int pgd_alloc(struct mm_struct *mm);
void pgd_free(struct mm_struct *mm);
/*
 * Walks to the PMD entry for addr: NULL if an upper level is missing (the
 * _alloc variant allocates missing tables, NULL then means -ENOMEM).
 * Callers hold mmap_lock; allocation takes mm->page_table_lock.
 */
pmd_t *mm_find_pmd(struct mm_struct *mm, unsigned long addr);
pmd_t *mm_alloc_pmd(struct mm_struct *mm, unsigned long addr);
/* The same one level up: the PUD entry for addr (a table or a leaf). */
pud_t *mm_find_pud(struct mm_struct *mm, unsigned long addr);
pud_t *mm_alloc_pud(struct mm_struct *mm, unsigned long addr);
/*
 * The entry that maps a hugetlb page of size (PMD_SIZE or PUD_SIZE) at
 * addr: a PMD or a PUD entry, as the kernel's huge_pte_offset() and
 * huge_pte_alloc(). Leaves of both levels have the same format.
 */
uint64_t *huge_pte_offset(struct mm_struct *mm, unsigned long addr,
			  unsigned long size);
uint64_t *huge_pte_alloc(struct mm_struct *mm, unsigned long addr,
			 unsigned long size);
/* The PTE for addr under a PMD that points at a PTE table, or NULL. */
pte_t *pte_offset(pmd_t *pmd, unsigned long addr);
/* Same, allocating the PTE table when the PMD is none (NULL: -ENOMEM). */
pte_t *pte_alloc(struct mm_struct *mm, pmd_t *pmd, unsigned long addr);
/* Frees page tables wholly inside [floor, ceiling) that map nothing. */
void free_pgtables(struct mm_struct *mm, unsigned long floor,
		   unsigned long ceiling);
/* Frees a table page after every lockless walker is done (call_rcu). */
void pte_free_deferred(struct page *table);

/* ---- page-table walking helpers                         (mm/memory.c) ---- */

/*
 * The ptl: the model has one page-table lock per mm (the kernel's split
 * PTE/PMD locks collapse into mm->page_table_lock). Macros, because
 * struct mm_struct is only defined further down this header.
 */
#define ptl_lock(mm)	spin_lock_point(&(mm)->page_table_lock, "ptl")
#define ptl_unlock(mm)	spin_unlock_point(&(mm)->page_table_lock, "ptl")

/* A PMD entry handled as one unit: a huge leaf or its migration entry. */
static inline bool pmd_is_huge(pmd_t pmd)
{
	return pmd_leaf(pmd) || (is_migration_entry(pmd) && (pmd & _PAGE_PSE));
}

/*
 * Takes the ptl and returns the PTE for addr if *pmd still points at a PTE
 * table; otherwise (none, or a huge entry installed or split meanwhile)
 * returns NULL with the ptl not held. Callers hold mmap_lock, so the table
 * cannot be freed while they use the pointer.
 */
pte_t *pte_offset_map_lock(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr);

/*
 * What walk_pmd_range() does at each PMD step of a VMA's range.
 * ->huge_entry: a huge PMD entry covers the whole step (or the VMA is
 *   hugetlb, whose leaves are never split); haddr is the step's PMD-aligned
 *   start; the ptl is not held. It returns false when, under the ptl, the
 *   entry was no longer huge: the step is then walked at PTE level.
 * ->pte_range: [addr, end) within one PTE table (or where one may be: it
 *   must look under the ptl, pte_offset_map_lock()).
 */
struct pmd_walk_ops {
	bool (*huge_entry)(struct vm_area_struct *vma, pmd_t *pmd,
			   unsigned long haddr, void *private);
	void (*pte_range)(struct vm_area_struct *vma, pmd_t *pmd,
			  unsigned long addr, unsigned long end, void *private);
};

/*
 * Walks [start, end), clamped to vma, one PMD at a time: empty steps are
 * skipped, a huge entry that covers only part of a step is split first.
 * Callers hold mmap_lock (read is enough: every decision is re-checked
 * under the ptl by the ops, and tables go only under the write lock).
 */
void walk_pmd_range(struct vm_area_struct *vma, unsigned long start,
		    unsigned long end, const struct pmd_walk_ops *ops,
		    void *private);

/* An upper entry that points at a lower table (not none, not a leaf). */
static inline bool pmd_is_table(pmd_t pmd)
{
	return pmd_present(pmd) && !(pmd & _PAGE_PSE);
}
static inline bool is_pmd_migration_entry(pmd_t pmd)
{
	return is_migration_entry(pmd) && (pmd & _PAGE_PSE);
}
static inline bool pte_same(pte_t a, pte_t b) { return a == b; }

/* Makes the entry writable if the VMA has VM_WRITE. */
static inline pte_t maybe_mkwrite(pte_t pte, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

#endif /* GUPSIM_MM_PGTABLE_H */
