/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model's tracepoints (`gupsim run --trace`): the kernel's events
 * where the kernel has them, with its names and fields (mm_page_alloc,
 * mm_page_free, mm_migrate_pages_start, mm_migrate_pages, cma_alloc_start,
 * cma_alloc_finish), and gupsim_* events for the GUP steps the kernel does
 * not trace. The list is mm/trace.h.
 *
 * A sink receives every event, from whichever thread emits it, one at a
 * time (the sink is called under a lock). Without a sink, a tracepoint
 * costs one load of a flag and a branch predicted not taken.
 */
#ifndef GUPSIM_TRACE_H
#define GUPSIM_TRACE_H

#include <stdint.h>

struct trace_record {
	const char *event;	/* "mm_page_alloc" */
	const char *comm;	/* current's comm, "<idle>" without a task */
	int pid;		/* current's pid, 0 without a task */
	int cpu;		/* the emitting thread, numbered from 0 */
	uint64_t ns;		/* since the sink was set */
	const char *fields;	/* "pfn=0x1234 order=0 ...", as the kernel prints */
};

typedef void (*trace_sink_t)(void *arg, const struct trace_record *rec);

/* Sets the sink (NULL: tracing off) and restarts the clock. */
void trace_set_sink(trace_sink_t sink, void *arg);

/* An event of the caller's own (a scenario statement starting). */
void trace_mark(const char *event, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* GUPSIM_TRACE_H */
