/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every part of `gupsim bench` measures with: the clock, the median
 * of a series and the process's resident set. A file of its own, so that
 * bench.c (the command), bench_model.c and bench_host.c each depend on it
 * and not on one another.
 */
#ifndef GUPSIM_CMD_BENCH_UTIL_H
#define GUPSIM_CMD_BENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <gupsim/types.h>

/* CLOCK_MONOTONIC, in ns. */
uint64_t bench_now_ns(void);
/*
 * CLOCK_THREAD_CPUTIME_ID, in ns: the calling thread's time on a CPU,
 * which leaves out the time other processes held the CPU.
 */
uint64_t bench_thread_cpu_ns(void);
/* The median of v (v is left sorted); 0 when n <= 0. */
double bench_median(double *v, int n);
/* Resident set of this process in KiB, -1 if unknown. */
long bench_rss_kib(void);

/* Base pages in a buffer of `bytes`. */
static inline unsigned long bench_pages(size_t bytes)
{
	return bytes >> PAGE_SHIFT;
}

#endif /* GUPSIM_CMD_BENCH_UTIL_H */
