/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GUP as older releases had it (mm/gup_legacy.c), for the kernel-version
 * profiles. Only mm/ includes this.
 */
#ifndef GUPSIM_MM_GUP_LEGACY_H
#define GUPSIM_MM_GUP_LEGACY_H

#include <gupsim/profile.h>

struct folio;
struct mm_struct;
struct page;

/* May a long-term pin stay on this folio, in the selected release? */
bool gup_folio_longterm_pinnable(struct folio *folio);

/* __gup_longterm_locked() of 5.1 .. 5.12 (FOLL_LONGTERM calls only). */
long legacy_gup_longterm_locked(struct mm_struct *mm, unsigned long start,
				unsigned long nr_pages, struct page **pages,
				int *locked, unsigned int gup_flags);

struct vm_area_struct;
/* 5.8: must a R/O GUP in this VMA break COW as a write would? */
bool gup_must_break_cow(struct vm_area_struct *vma, unsigned int flags);
/* 5.8: GUP-fast takes FOLL_GET/FOLL_PIN pages only from writable PTEs. */
bool gup_fast_needs_writable(unsigned int flags);

/* The walk with the API's lock protocol (mm/gup.c). */
long __get_user_pages_locked(struct mm_struct *mm, unsigned long start,
			     unsigned long nr_pages, struct page **pages,
			     int *locked, unsigned int flags);

#endif /* GUPSIM_MM_GUP_LEGACY_H */
