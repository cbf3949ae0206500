/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GUP API as a driver sees it: get_user_pages*() / pin_user_pages*()
 * and the FOLL_* flags, with today's kernel signatures (no vmas argument).
 * Every call acts on `current` (see gupsim/machine.h), as in the kernel.
 */
#ifndef GUPSIM_GUP_H
#define GUPSIM_GUP_H

#include <gupsim/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Flags a caller may pass (the kernel's values). */
enum {
	FOLL_WRITE		= 1 << 0,  /* check the pte is writable */
	FOLL_GET		= 1 << 1,  /* take a reference (get_user_pages) */
	FOLL_DUMP		= 1 << 2,  /* error out on the zero page */
	FOLL_FORCE		= 1 << 3,  /* ptrace-style access to !VM_WRITE */
	FOLL_NOWAIT		= 1 << 4,
	FOLL_NOFAULT		= 1 << 5,  /* never fault pages in */
	FOLL_HWPOISON		= 1 << 6,
	FOLL_ANON		= 1 << 7,  /* anonymous VMAs only */
	FOLL_LONGTERM		= 1 << 8,  /* pin lifetime is in user hands */
	FOLL_SPLIT_PMD		= 1 << 9,
	FOLL_PCI_P2PDMA		= 1 << 10,
	FOLL_INTERRUPTIBLE	= 1 << 11,
	FOLL_HONOR_NUMA_FAULT	= 1 << 12,
	__NR_FOLL_FLAGS		= 13,
};

/* Flags only the GUP core sets; callers passing them are refused. */
enum {
	FOLL_TOUCH		= 1 << (__NR_FOLL_FLAGS + 0),
	FOLL_TRIED		= 1 << (__NR_FOLL_FLAGS + 1),
	FOLL_REMOTE		= 1 << (__NR_FOLL_FLAGS + 2),
	FOLL_PIN		= 1 << (__NR_FOLL_FLAGS + 3),
	FOLL_FAST_ONLY		= 1 << (__NR_FOLL_FLAGS + 4),
	FOLL_UNLOCKABLE		= 1 << (__NR_FOLL_FLAGS + 5),
	FOLL_MADV_POPULATE	= 1 << (__NR_FOLL_FLAGS + 6),
};

#define INTERNAL_GUP_FLAGS (FOLL_TOUCH | FOLL_TRIED | FOLL_REMOTE | FOLL_PIN | \
			    FOLL_FAST_ONLY | FOLL_UNLOCKABLE | \
			    FOLL_MADV_POPULATE)

/* Each FOLL_PIN of a small folio adds this much to its refcount. */
#define GUP_PIN_COUNTING_BIAS	(1U << 10)

/*
 * The slow-path calls expect the caller to hold mmap_read_lock(mm) (the
 * _unlocked and _fast variants take it themselves). Results: the number of
 * pages pinned (possibly fewer than asked: the count before the first
 * failure), or a negative errno when none was.
 */
long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags);
int get_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);
int get_user_pages_fast_only(unsigned long start, int nr_pages,
			     unsigned int gup_flags, struct page **pages);

long pin_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked);
long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags);
int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages);

/*
 * Linux 5.1's long-term call (FOLL_LONGTERM came in 5.2 and replaced it):
 * get_user_pages() that refuses fs-DAX and moves pages out of CMA first.
 * Only under the 5.1 kernel-version profile (gupsim/profile.h); under any
 * other it warns and returns -ENOSYS. Caller holds mmap_read_lock.
 */
long get_user_pages_longterm(unsigned long start, unsigned long nr_pages,
			     unsigned int gup_flags, struct page **pages);

void unpin_user_page(struct page *page);
void unpin_user_pages(struct page **pages, unsigned long npages);
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages,
				 bool make_dirty);
void put_page(struct page *page);
void get_page(struct page *page);

/* What a driver may look at through a pinned page. */
void *page_address(const struct page *page);
unsigned long page_to_pfn(const struct page *page);
bool page_maybe_dma_pinned(struct page *page);
bool set_page_dirty_lock(struct page *page);
bool page_is_longterm_pinnable(struct page *page);

void mmap_read_lock(struct mm_struct *mm);
void mmap_read_unlock(struct mm_struct *mm);
void mmap_write_lock(struct mm_struct *mm);
void mmap_write_unlock(struct mm_struct *mm);

#ifdef __cplusplus
}
#endif

#endif /* GUPSIM_GUP_H */
