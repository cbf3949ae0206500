/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gupsim bench: the gup_test benchmark on the model, with the host kernel
 * measured in the same run as the yardstick. cmd/bench.c (options,
 * reports, the standard set) calls cmd/bench_model.c (runs on the model)
 * and cmd/bench_host.c (runs on the host kernel); all three measure with
 * cmd/bench_util.h.
 */
#ifndef GUPSIM_CMD_BENCH_H
#define GUPSIM_CMD_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kernel_profile;

/* What one repeat of the benchmark calls, as gup_test's commands. */
enum bench_mode {
	BM_GET,			/* get_user_pages() under mmap_read_lock */
	BM_GET_FAST,		/* get_user_pages_fast() */
	BM_PIN,			/* pin_user_pages() under mmap_read_lock */
	BM_PIN_FAST,		/* pin_user_pages_fast() */
	BM_LONGTERM,		/* pin_user_pages(FOLL_LONGTERM) */
	BM_LONGTERM_FAST,	/* pin_user_pages_fast(FOLL_LONGTERM) */
	BM_NR_MODES
};

struct bench_opts {
	size_t size;			/* bytes of the buffer */
	unsigned long nr_per_call;	/* pages per GUP call, 0: all */
	int repeats;
	bool write;			/* FOLL_WRITE */
	bool thp;			/* MADV_HUGEPAGE on the buffer */
	bool hugetlb;			/* MAP_HUGETLB buffer */
	bool cma;			/* the model's buffer starts in CMA */
	enum bench_mode mode;
	int threads;			/* disjoint parts, one per thread */
	bool host;			/* measure the host yardstick too */
	/* --kernel: the release the model behaves as (NULL: 6.18) */
	const struct kernel_profile *kernel;
};

/* One repeat: time to take every page and to release them, in ns. */
struct bench_sample {
	double get_ns;
	double put_ns;
	/*
	 * The take phase's CPU time (all threads' together; 0: not
	 * measured): on a loaded machine wall time also holds the time
	 * other processes had the CPU, and CPU time does not.
	 */
	double get_cpu_ns;
};

const char *bench_mode_name(enum bench_mode mode);

/* ---- the model (bench_model.c) ---- */

struct bench_model;

/*
 * A fresh machine with one task and a populated buffer as opts describe;
 * NULL and a message on stderr on failure.
 */
struct bench_model *bench_model_create(const struct bench_opts *opts);
/* One repeat: every page taken and released again, timed. 0 or -errno. */
int bench_model_sample(struct bench_model *run, struct bench_sample *out);
/* Splits the buffer among the first `active` threads only (1..threads). */
int bench_model_set_threads(struct bench_model *run, int active);
/* Tears the machine down; -EUCLEAN (and a message) if a check failed. */
int bench_model_destroy(struct bench_model *run);

/*
 * fork() of a task whose buffer of `size` bytes is populated and, if
 * pinned, long-term pinned: the time task_fork() takes.
 */
int bench_model_fork_ns(size_t size, bool pinned, int repeats, double *ns);

/* machine_create() of `mem` bytes: its time and the process RSS after. */
int bench_model_startup(size_t mem, double *ns, long *rss_kib_after,
		  long *rss_kib_before);

/* ---- the host kernel (bench_host.c) ---- */

struct bench_hbuf {
	void *addr;
	size_t len;
	void *map;		/* what was mmap()ed (addr is aligned in it) */
	size_t map_len;
};

/* Raises RLIMIT_MEMLOCK so that registrations of any size may pin. */
void bench_host_init(void);
/* A populated buffer: 4 KiB pages, THP (MADV_HUGEPAGE) or hugetlb. */
int bench_host_buf_alloc(struct bench_hbuf *buf, size_t len, bool thp, bool hugetlb);
void bench_host_buf_free(struct bench_hbuf *buf);
/* Bytes of buf that sit in THPs (from /proc/self/smaps), -1 unknown. */
long bench_host_buf_thp_bytes(const struct bench_hbuf *buf);

struct bench_ring;
struct bench_ring *bench_ring_create(void);
void bench_ring_destroy(struct bench_ring *ring);
/*
 * io_uring buffer registration of buf (register = pin, with the kernel's
 * pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM)), and unregistration
 * (unpin). 0 or -errno.
 */
int bench_ring_sample(struct bench_ring *ring, struct bench_hbuf *buf,
		     struct bench_sample *out);

/*
 * memcpy() of len bytes between two populated buffers, in ns; its CPU
 * time in *cpu_ns.
 */
double bench_memcpy_ns(struct bench_hbuf *dst, struct bench_hbuf *src,
		       double *cpu_ns);

/*
 * fork() of this process with buf populated and, if pinned, registered
 * with io_uring: the time the fork() call takes in the parent. Must run
 * before any model code (liburcu's threads do not survive a fork).
 */
int bench_host_fork_ns(size_t size, bool pinned, int repeats, double *ns);

/* ---- scenario scale (bench_scale.c) ---- */

#define BENCH_SCALE_DEFAULT	100000	/* N: the sizes are N and 10 N */
#define BENCH_SCALE_KINDS	3	/* tasks, pins, a mixed workload */

/* One workload, at N and at 10 N statements. */
struct bench_scale_row {
	const char *what;
	unsigned long n[2];	/* statements generated */
	double ns[2];		/* `gupsim run` of them, spawn to exit; 0: not run */
	char why[160];		/* why a size was not run or failed */
};

/*
 * Generates each workload at n and 10 n statements and times `gupsim run`
 * on it in a child process; 10 n is left out when n took over 10 s.
 * Progress goes to log.
 */
void bench_scale_measure(unsigned long n, struct bench_scale_row *rows,
			 FILE *log);
/* The 10 N / N time ratio (per statement, times 10); 0 if not run. */
double bench_scale_ratio(const struct bench_scale_row *row);
/* The markdown section of the standard results. */
void bench_scale_write(FILE *out, const struct bench_scale_row *rows);

/* ---- ns per page against buffer size (bench_sweep.c) ---- */

#define BENCH_SWEEP_SIZES	10	/* 4 KiB .. 1 GiB, powers of 4 */

enum bench_sweep_series {
	SW_MODEL_4K, SW_MODEL_THP, SW_MODEL_CMA,
	SW_HOST_4K, SW_HOST_THP, SW_HOST_MEMCPY,
	BENCH_SWEEP_SERIES
};

struct bench_sweep {
	bool measured;
	size_t size[BENCH_SWEEP_SIZES];
	/* median ns per page; 0: not measured (THP below 4 MiB) */
	double ns[BENCH_SWEEP_SERIES][BENCH_SWEEP_SIZES];
};

/* Every size and backing, model and host alternating; progress to log. */
int bench_sweep_measure(struct bench_sweep *sw, FILE *log);
/* The points as gnuplot reads them (tools/bench-plot.gp). 0 or -errno. */
int bench_sweep_write_data(const struct bench_sweep *sw, const char *path);
/* The markdown section: the picture (svg, a path from the results) and the table. */
void bench_sweep_write(FILE *out, const struct bench_sweep *sw,
		       const char *svg);

/* ---- what explain and trace cost when off (bench_hooks.c) ---- */

#define BENCH_HOOKS_WORKS	3
#define BENCH_HOOKS_PAIRS	5

/* One workload, run by both binaries in child processes, A B A B. */
struct bench_hooks_row {
	const char *what, *unit;
	int pairs;
	double a[BENCH_HOOKS_PAIRS];	/* GUPSIM_NO_HOOKS: sites out */
	double b[BENCH_HOOKS_PAIRS];	/* this binary: sites in, off */
	double ratio_lo, ratio_hi;	/* the pairs' b / a */
	char why[160];			/* not measured: why */
};

struct bench_hooks {
	const char *off_bin;		/* the GUPSIM_NO_HOOKS build; NULL: none */
	char load_before[64], load_after[64];
	struct bench_hooks_row row[BENCH_HOOKS_WORKS];
};

/* Runs each workload BENCH_HOOKS_PAIRS times by each binary. */
void bench_hooks_measure(struct bench_hooks *h, FILE *log);
/* The markdown section (nothing when off_bin is NULL). */
void bench_hooks_write(FILE *out, const struct bench_hooks *h);

/* The `gupsim bench` command (argv[0] is "bench"); an exit status. */
int cmd_bench(int argc, char **argv);

#endif /* GUPSIM_CMD_BENCH_H */
