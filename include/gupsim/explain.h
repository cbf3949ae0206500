/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Why the model answered as it did (`gupsim run --explain`).
 *
 * A caller that wants to know hands this thread an explain record
 * (explain_begin()) and takes it back (explain_end()); in between, the
 * model, the drivers and the backend write into it at the places where
 * they decide: the rule that refused (the kernel function and the check,
 * explain_err()), the objects it looked at (a VMA, a page), and for a pin
 * how its pages were found (GUP-fast or the slow path, faulted in,
 * unshared, migrated). Nothing is inferred afterwards.
 *
 * Off, which is the normal case, each site costs one test of a
 * thread-local pointer, predicted not taken. A thread that never called
 * explain_begin() records nothing, so concurrent callers do not mix.
 */
#ifndef GUPSIM_EXPLAIN_H
#define GUPSIM_EXPLAIN_H

#include <stdbool.h>

#define EXPLAIN_LINES		12
#define EXPLAIN_LINE_LEN	240

enum explain_kind {
	EXPLAIN_RULE,		/* "func(): check" that decided */
	EXPLAIN_OBJECT,		/* a VMA, a page, a handle it concerned */
	EXPLAIN_NOTE,		/* anything else worth saying */
	EXPLAIN_SINCE,		/* the profile entry behind the rule */
	EXPLAIN_UNTIL,		/* the profile entry that lifts the rule */
};

/* What a pin did, page by page (counts of pages). */
struct explain_pin {
	bool used;		/* a GUP call ran */
	long fast;		/* pinned by the lockless GUP-fast walk */
	long slow;		/* by the slow path (__get_user_pages) */
	long faulted;		/* faulted in by faultin_page() */
	long unshared;		/* of them, unshare faults */
	long migrated;		/* moved by FOLL_LONGTERM before pinning */
	char fallback[120];	/* why GUP-fast left pages to the slow path */
};

struct explain {
	int nr_lines;
	int nr_rules;
	int dropped;		/* lines past EXPLAIN_LINES */
	struct {
		enum explain_kind kind;
		char text[EXPLAIN_LINE_LEN];
	} line[EXPLAIN_LINES];
	struct explain_pin pin;
	/* the first page a migration could not move (cma_alloc's EBUSY) */
	bool has_busy_pfn;
	unsigned long busy_pfn;
	long nr_busy;		/* busy folios seen, passes included */
};

/* The record of the calling thread, NULL when it is not explaining. */
extern __thread struct explain *explain_current;

/* Starts recording into ex (zeroed first); explain_end() stops. */
void explain_begin(struct explain *ex);
void explain_end(void);

void __explain_line(enum explain_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * GUPSIM_NO_HOOKS compiles every site out (explain_on() is constant
 * false): only `make bench` builds that way, to measure what the sites
 * cost when nobody explains. Such a build explains nothing.
 */
#ifdef GUPSIM_NO_HOOKS
static inline bool explain_never(void)
{
	return false;
}
#define explain_on()	explain_never()
#else
#define explain_on()	__builtin_expect(explain_current != NULL, 0)
#endif

/* A rule decided: "func(): what it checked" (func: the kernel's name). */
#define explain_rule(func, fmt, ...)					\
	do {								\
		if (explain_on())					\
			__explain_line(EXPLAIN_RULE, func "(): " fmt,	\
				       ##__VA_ARGS__);			\
	} while (0)

/* An object it concerned: a VMA, a page, a handle. */
#define explain_object(fmt, ...)					\
	do {								\
		if (explain_on())					\
			__explain_line(EXPLAIN_OBJECT, fmt, ##__VA_ARGS__); \
	} while (0)

/* `return explain_err(-EFAULT, "check_vma_flags", "...")`: err, recorded. */
#define explain_err(err, func, fmt, ...)				\
	({								\
		if (explain_on())					\
			__explain_line(EXPLAIN_RULE, func "(): " fmt " (%s)", \
				       ##__VA_ARGS__, explain_errno_name(err)); \
		(err);							\
	})

/*
 * HOOK (kernel-version profiles, issue 14): a rule that a profile entry
 * introduced names the entry by its KERNEL_ENTRY name
 * ("LONGTERM_NO_FILE_WRITE"). explain_entry_describe, once the profile
 * layer sets it, writes the entry's release and commit subject into buf
 * ("6.5: mm/gup: disallow ..."), recorded as a `since` line after the
 * rule; while it is NULL nothing is recorded. It starts as the profiles'
 * describer (mm/kernel_profile.c), which reads include/gupsim/profile.h's
 * one list; a test may swap it.
 */
typedef const char *explain_describe_fn(const char *entry, char *buf,
					unsigned long len);
extern explain_describe_fn *explain_entry_describe;
void __explain_since(const char *entry);

/* explain_err() for a rule a profile entry brought (see the HOOK above). */
#define explain_err_since(err, entry, func, fmt, ...)			\
	({								\
		if (explain_on()) {					\
			__explain_line(EXPLAIN_RULE, func "(): " fmt " (%s)", \
				       ##__VA_ARGS__, explain_errno_name(err)); \
			__explain_since(entry);				\
		}							\
		(err);							\
	})

/*
 * A rule that holds only before a profile entry (an older release's
 * refusal the entry lifted, a call it had not yet brought): the `until`
 * line names that entry, as `since` names the one that brought a rule.
 */
void __explain_until(const char *entry);

/* explain_err() for a rule a profile entry later lifted. */
#define explain_err_until(err, entry, func, fmt, ...)			\
	({								\
		if (explain_on()) {					\
			__explain_line(EXPLAIN_RULE, func "(): " fmt " (%s)", \
				       ##__VA_ARGS__, explain_errno_name(err)); \
			__explain_until(entry);				\
		}							\
		(err);							\
	})

/* A pin counter: explain_pin_add(faulted, 1). */
#define explain_pin_add(field, n)					\
	do {								\
		if (explain_on()) {					\
			explain_current->pin.used = true;		\
			explain_current->pin.field += (n);		\
		}							\
	} while (0)

/* Why GUP-fast stopped (the first reason is kept). */
void explain_fallback(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* "-EFAULT" -> "EFAULT" for the errnos the model returns; "?" else. */
const char *explain_errno_name(int err);

#endif /* GUPSIM_EXPLAIN_H */
