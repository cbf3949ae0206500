/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Catching API misuse at the point of misuse (mm/api_check.c): a task or
 * an mm used after it went away, a page pointer from a machine that no
 * longer exists. The kernel never sees these (current is always alive, a
 * struct page never goes away); a model driven by a C caller must report
 * them instead of reading freed memory.
 */
#ifndef GUPSIM_MM_API_CHECK_H
#define GUPSIM_MM_API_CHECK_H

#include "internal.h"

/*
 * task_struct and mm_struct memory is type-stable: freed objects are
 * marked dead and kept (never handed back to libc), and reused only after
 * a quarantine of many later frees, so a stale pointer reads a dead
 * object (reported) rather than freed memory. Objects come zeroed.
 */
struct task_struct *task_struct_alloc(void);
void task_struct_free(struct task_struct *task);
struct mm_struct *mm_struct_alloc(void);
void mm_struct_free(struct mm_struct *mm);

/* True for a task that exited / an mm torn down (and not reused yet). */
bool task_is_dead(const struct task_struct *task);
bool mm_is_dead(const struct mm_struct *mm);

/*
 * current's mm for a GUP entry point, or NULL: no current, or a current
 * that has exited (reported as misuse, naming caller).
 */
struct mm_struct *current_mm_checked(const char *caller);
/* False, with a misuse report naming caller, for a dead or NULL mm. */
bool mm_usable(const struct mm_struct *mm, const char *caller);
/*
 * False, with a misuse report naming caller and the pointer, when page is
 * not a struct page of the machine that exists now (none exists, or it
 * came from one that was destroyed).
 */
bool page_of_machine(const struct page *page, const char *caller);

#endif /* GUPSIM_MM_API_CHECK_H */
