/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's WARN_ON_ONCE(): VM_WARN() for a broken rule of the model,
 * VM_WARN_MISUSE() for a caller's misuse that the kernel answers with a
 * warning and an errno (the kernel's include/linux/mmdebug.h).
 */
#ifndef GUPSIM_MM_MMDEBUG_H
#define GUPSIM_MM_MMDEBUG_H

#include <stdbool.h>

#include "../lib/compiler.h"

/*
 * Reports a broken rule of the model (a bug, or API misuse such as unpinning
 * a page that was not pinned). It prints once per site and records the
 * message so check_invariants() fails; it never aborts, as WARN_ON_ONCE().
 */
void mm_warn(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define VM_WARN(cond, ...)						\
	({ bool __c = !!(cond);						\
	   if (unlikely(__c)) mm_warn(__FILE__, __LINE__, __VA_ARGS__); \
	   __c; })

/*
 * Reports a caller's misuse of the API that the kernel answers with a
 * warning and an errno (bad gup_flags, say): printed once per site, but
 * not a broken invariant, so check_invariants() still passes.
 */
void mm_warn_misuse(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* How many misuse reports there were (tests assert on it). */
int mm_misuse_count(void);
#define VM_WARN_MISUSE(cond, ...)					\
	({ bool __c = !!(cond);						\
	   if (unlikely(__c))						\
		mm_warn_misuse(__FILE__, __LINE__, __VA_ARGS__);	\
	   __c; })

#endif /* GUPSIM_MM_MMDEBUG_H */
