/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Basic types and the page geometry of the simulated machine (x86-64 like:
 * 4 KiB base pages, 2 MiB PMD pages, 4-level page tables).
 */
#ifndef GUPSIM_TYPES_H
#define GUPSIM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * <sys/user.h> defines the same three names with the same values on
 * x86-64: spelled token for token as glibc does, so including both, in
 * either order, is not a redefinition.
 */
#ifndef PAGE_SHIFT
#define PAGE_SHIFT	12
#endif
#ifndef PAGE_SIZE
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#endif
#ifndef PAGE_MASK
#define PAGE_MASK	(~(PAGE_SIZE-1))
#endif
/* The model's pages are 4 KiB whatever a system header said first. */
#ifdef __cplusplus
static_assert(PAGE_SIZE == 4096 && PAGE_SHIFT == 12, "gupsim pages are 4 KiB");
#else
_Static_assert(PAGE_SIZE == 4096 && PAGE_SHIFT == 12, "gupsim pages are 4 KiB");
#endif

#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_SHIFT	30
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PUD_MASK	(~(PUD_SIZE - 1))
#define PGDIR_SHIFT	39
#define PGDIR_SIZE	(1UL << PGDIR_SHIFT)
#define PGDIR_MASK	(~(PGDIR_SIZE - 1))

#define PTRS_PER_PTE	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_PGD	512

#define HPAGE_PMD_SHIFT	PMD_SHIFT
#define HPAGE_PMD_SIZE	PMD_SIZE
#define HPAGE_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR	(1UL << HPAGE_PMD_ORDER)

/* User address space: [mmap_min_addr, TASK_SIZE), as on x86-64 4-level. */
#define TASK_SIZE	((1UL << 47) - PAGE_SIZE)

#define PAGE_ALIGN(x)		(((x) + PAGE_SIZE - 1) & PAGE_MASK)
#define PAGE_ALIGNED(x)		(((x) & (PAGE_SIZE - 1)) == 0)
#define ALIGN_DOWN(x, a)	((x) & ~((unsigned long)(a) - 1))
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((unsigned long)(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((unsigned long)(a) - 1)) == 0)

typedef unsigned long pgoff_t;
typedef unsigned int gfp_t;

struct page;
struct folio;
struct mm_struct;
struct task_struct;
struct vm_area_struct;
struct file;

#endif /* GUPSIM_TYPES_H */
