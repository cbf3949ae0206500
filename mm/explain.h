/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's side of gupsim/explain.h: describing the mm objects a rule
 * looked at. Each costs a predicted-not-taken branch when nobody explains.
 */
#ifndef GUPSIM_MM_EXPLAIN_H
#define GUPSIM_MM_EXPLAIN_H

#include <gupsim/explain.h>
#include <gupsim/inspect.h>

struct vm_area_struct;
struct page;

void __explain_vma(struct vm_area_struct *vma);
void __explain_page(const char *what, struct page *page);
void __explain_busy_page(struct page *page, int expected);
/* A pinned anonymous folio compaction's scanner left in place. */
void __explain_pinned_skip(struct page *page);

#define explain_vma(vma)						\
	do {								\
		if (explain_on())					\
			__explain_vma(vma);				\
	} while (0)

#define explain_page(what, page)					\
	do {								\
		if (explain_on())					\
			__explain_page(what, page);			\
	} while (0)

/* explain_err() that also names the VMA the rule looked at. */
#define explain_vma_err(err, vma, func, fmt, ...)			\
	explain_vma_err_since(err, vma, NULL, func, fmt, ##__VA_ARGS__)

/* ... and the profile entry that brought the rule (NULL: none). */
#define explain_vma_err_since(err, vma, entry, func, fmt, ...)		\
	({								\
		if (explain_on()) {					\
			__explain_line(EXPLAIN_RULE, func "(): " fmt " (%s)", \
				       ##__VA_ARGS__, explain_errno_name(err)); \
			if (entry)					\
				__explain_since(entry);			\
			__explain_vma(vma);				\
		}							\
		(err);							\
	})

#endif /* GUPSIM_MM_EXPLAIN_H */
