/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's tracepoints, one line each, as the kernel keeps them in
 * include/trace/events/: E(name, (prototype), "format", arguments). The
 * kernel's own events keep its names and fields so that a reader (or a
 * script) that knows ftrace output reads these the same way; page=
 * prints where the page would be in a vmemmap (0xffffea0000000000 +
 * pfn * 64), a stable stand-in for the kernel's hashed pointer. Events
 * the kernel does not have are named gupsim_*.
 *
 * Each line becomes a static inline trace_<name>(prototype) that does
 * nothing (one predicted branch) unless a sink is set; the arguments
 * after the format are computed inside that branch, so a call site passes
 * what it has at hand (a struct page) and pays nothing for the rest.
 */
#ifndef GUPSIM_MM_TRACE_H
#define GUPSIM_MM_TRACE_H

#include <stdatomic.h>

#include <gupsim/trace.h>

#define TP_VMEMMAP(pfn)	(0xffffea0000000000UL + (unsigned long)(pfn) * 64)

#define GUPSIM_TRACEPOINTS(E)						\
	E(mm_page_alloc,						\
	  (struct page *page, unsigned int order, int migratetype,	\
	   unsigned int gfp),						\
	  "page=%#lx pfn=0x%lx order=%u migratetype=%d gfp_flags=%#x",	\
	  TP_VMEMMAP(page_to_pfn(page)), page_to_pfn(page), order,	\
	  migratetype, gfp)						\
	E(mm_page_free, (unsigned long pfn, unsigned int order),	\
	  "page=%#lx pfn=0x%lx order=%u", TP_VMEMMAP(pfn), pfn, order)	\
	E(mm_migrate_pages_start, (const char *reason),			\
	  "mode=MIGRATE_SYNC reason=%s", reason)			\
	E(mm_migrate_pages,						\
	  (unsigned long succeeded, unsigned long failed,		\
	   unsigned long thp_succeeded, unsigned long thp_failed,	\
	   const char *reason),						\
	  "nr_succeeded=%lu nr_failed=%lu nr_thp_succeeded=%lu nr_thp_failed=%lu nr_thp_split=0 nr_split=0 mode=MIGRATE_SYNC reason=%s", \
	  succeeded, failed, thp_succeeded, thp_failed, reason)	\
	E(cma_alloc_start, (unsigned long count, unsigned int align),	\
	  "name=cma count=%lu align=%u", count, align)			\
	E(cma_alloc_finish,						\
	  (struct page *page, unsigned long count, unsigned int align,	\
	   int err),							\
	  "name=cma pfn=0x%lx page=%#lx count=%lu align=%u errorno=%d",	\
	  page ? page_to_pfn(page) : 0UL,				\
	  page ? TP_VMEMMAP(page_to_pfn(page)) : 0UL, count, align, err) \
	E(gupsim_gup_fast,						\
	  (unsigned long start, unsigned long nr_pages,			\
	   unsigned long nr_pinned, unsigned int gup_flags),		\
	  "start=%#lx nr_pages=%lu nr_pinned=%lu gup_flags=%#x",	\
	  start, nr_pages, nr_pinned, gup_flags)			\
	E(gupsim_gup_slow,						\
	  (unsigned long start, unsigned long nr_pages,			\
	   unsigned int gup_flags),					\
	  "start=%#lx nr_pages=%lu gup_flags=%#x", start, nr_pages,	\
	  gup_flags)							\
	E(gupsim_gup_fault,						\
	  (unsigned long address, int write, int unshare),		\
	  "address=%#lx write=%d unshare=%d", address, write, unshare)	\
	E(gupsim_unpin_user_pages,					\
	  (struct page *first, unsigned long npages),			\
	  "first_pfn=0x%lx npages=%lu",					\
	  first && machine_exists() ? page_to_pfn(first) : 0UL, npages)	\
	E(gupsim_longterm_migrate, (unsigned long nr_folios),		\
	  "nr_folios=%lu", nr_folios)

extern atomic_bool trace_active;

void __trace_emit(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Is a sink set? One relaxed load, predicted false. Under GUPSIM_NO_HOOKS
 * (`make bench`'s comparison build, see gupsim/explain.h) constant false:
 * every tracepoint compiles to nothing.
 */
#ifdef GUPSIM_NO_HOOKS
#define trace_on()	0
#else
#define trace_on()							\
	__builtin_expect(atomic_load_explicit(&trace_active,		\
					      memory_order_relaxed), 0)
#endif

#define TP_PROTO_UNWRAP(...)	__VA_ARGS__
#define GUPSIM_DEFINE_TRACE(name, proto, fmt, ...)			\
	static inline void trace_##name(TP_PROTO_UNWRAP proto)		\
	{								\
		if (trace_on())						\
			__trace_emit(#name, fmt, __VA_ARGS__);		\
	}
GUPSIM_TRACEPOINTS(GUPSIM_DEFINE_TRACE)
#undef GUPSIM_DEFINE_TRACE

#endif /* GUPSIM_MM_TRACE_H */
