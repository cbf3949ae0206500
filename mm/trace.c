// SPDX-License-Identifier: GPL-2.0
/*
 * The tracing core behind mm/trace.h: formats an event's fields and hands
 * the record to the sink (gupsim/trace.h). Events from several threads
 * are serialised by one lock, so a sink sees whole records in the order
 * they were emitted; each thread gets a "cpu" number the first time it
 * traces, which is what a trace viewer draws as its track.
 */
#include <stdarg.h>
#include <time.h>

#include "internal.h"
#include "trace.h"

atomic_bool trace_active;

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static trace_sink_t trace_sink;
static void *trace_arg;
static struct timespec trace_epoch;
static int trace_next_cpu;
static __thread int trace_cpu = -1;

void trace_set_sink(trace_sink_t sink, void *arg)
{
	pthread_mutex_lock(&trace_lock);
	trace_sink = sink;
	trace_arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &trace_epoch);
	atomic_store(&trace_active, sink != NULL);
	pthread_mutex_unlock(&trace_lock);
}

static uint64_t trace_clock(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(now.tv_sec - trace_epoch.tv_sec) * 1000000000ULL +
	       (uint64_t)(now.tv_nsec - trace_epoch.tv_nsec);
}

static void trace_vemit(const char *event, const char *fmt, va_list ap)
{
	struct task_struct *task = current;
	struct trace_record rec;
	char fields[256];

	vsnprintf(fields, sizeof(fields), fmt, ap);
	rec.event = event;
	rec.comm = task ? task->comm : "<idle>";
	rec.pid = task ? task->pid : 0;
	rec.fields = fields;
	pthread_mutex_lock(&trace_lock);
	if (trace_cpu < 0)
		trace_cpu = trace_next_cpu++;
	rec.cpu = trace_cpu;
	rec.ns = trace_clock();
	if (trace_sink)
		trace_sink(trace_arg, &rec);
	pthread_mutex_unlock(&trace_lock);
}

void __trace_emit(const char *event, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	trace_vemit(event, fmt, ap);
	va_end(ap);
}

void trace_mark(const char *event, const char *fmt, ...)
{
	va_list ap;

	if (!atomic_load_explicit(&trace_active, memory_order_relaxed))
		return;
	va_start(ap, fmt);
	trace_vemit(event, fmt, ap);
	va_end(ap);
}
