// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim bench on the model: gup_test's loop (take every page of the
 * buffer, nr_per_call pages per GUP call, then release them all) on a
 * fresh simulated machine, through the public API only, as a driver would.
 *
 * Threads share the one task (one mm, `current` set in each), each taking
 * its own disjoint part of the buffer, as the threads of a process
 * registering buffers at the same time. Workers persist across repeats and
 * meet the timing thread at barriers, so thread start-up and liburcu
 * registration stay out of the figures.
 *
 * Every run ends with the invariant checker and the leak check: a benchmark
 * that broke the model reports it instead of a figure.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>

#include "bench.h"
#include "bench_util.h"

#define MiB		(1UL << 20)
/* What the model needs besides the buffer: page tables, the zero page. */
#define MODEL_HEADROOM	(256 * MiB)
#define LAYOUT_UNIT	(4 * MiB)

static inline unsigned long min_t_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

struct worker {
	struct bench_model *run;
	pthread_t tid;
	unsigned long first, nr;	/* pages of the buffer it takes */
	long taken;
	int err;
	uint64_t get_start, get_end, put_start, put_end;
	uint64_t get_cpu;		/* CPU time of the take phase */
};

struct bench_model {
	struct bench_opts opts;
	struct task_struct *task;
	unsigned long addr;
	unsigned long nr_pages;
	struct page **pages;
	struct worker *workers;
	int nr_workers;
	pthread_barrier_t barrier;
	bool stop;
};

static size_t layout_align(size_t bytes)
{
	return (bytes + LAYOUT_UNIT - 1) & ~(LAYOUT_UNIT - 1);
}

static unsigned int mode_flags(const struct bench_opts *o)
{
	unsigned int flags = o->write ? FOLL_WRITE : 0;

	if (o->mode == BM_LONGTERM || o->mode == BM_LONGTERM_FAST)
		flags |= FOLL_LONGTERM;
	return flags;
}

static bool mode_pins(enum bench_mode mode)
{
	if (mode == BM_LONGTERM && !kernel_has(FOLL_PIN))
		return false;
	return mode != BM_GET && mode != BM_GET_FAST;
}

static bool mode_locked(enum bench_mode mode)
{
	return mode == BM_GET || mode == BM_PIN || mode == BM_LONGTERM;
}

/*
 * Before 5.6 (no FOLL_PIN) gup_benchmark's GUP_LONGTERM_BENCHMARK took
 * references: get_user_pages(FOLL_LONGTERM) from 5.2, 5.1's
 * get_user_pages_longterm() before. Only this mode exists in both.
 */
static long gup_call_longterm_get(unsigned long addr, unsigned long nr,
				  unsigned int flags, struct page **pages)
{
	if (kernel_has(FOLL_LONGTERM))
		return get_user_pages(addr, nr, flags, pages);
	return get_user_pages_longterm(addr, nr, flags & ~FOLL_LONGTERM,
				       pages);
}

/* One GUP call of the mode: pages taken, or -errno. */
static long gup_call(enum bench_mode mode, unsigned long addr,
		     unsigned long nr, unsigned int flags, struct page **pages)
{
	switch (mode) {
	case BM_GET:
		return get_user_pages(addr, nr, flags, pages);
	case BM_GET_FAST:
		return get_user_pages_fast(addr, (int)nr, flags, pages);
	case BM_LONGTERM:
		if (!kernel_has(FOLL_PIN))
			return gup_call_longterm_get(addr, nr, flags, pages);
		return pin_user_pages(addr, nr, flags, pages);
	case BM_PIN:
		return pin_user_pages(addr, nr, flags, pages);
	case BM_PIN_FAST:
	case BM_LONGTERM_FAST:
		return pin_user_pages_fast(addr, (int)nr, flags, pages);
	default:
		return -EINVAL;
	}
}

/* gup_test's get loop over one worker's part; the lock as gup_test. */
static void worker_get(struct worker *w)
{
	struct bench_model *run = w->run;
	const struct bench_opts *o = &run->opts;
	unsigned long per_call = o->nr_per_call ? o->nr_per_call : w->nr;
	unsigned int flags = mode_flags(o);
	struct mm_struct *mm = task_mm(run->task);
	unsigned long i = 0;

	if (mode_locked(o->mode))
		mmap_read_lock(mm);
	while (i < w->nr) {
		unsigned long nr = min_t_ul(per_call, w->nr - i);
		long got = gup_call(o->mode, run->addr +
				    ((w->first + i) << PAGE_SHIFT), nr, flags,
				    run->pages + w->first + i);

		if (got <= 0) {
			w->err = got ? (int)got : -EFAULT;
			break;
		}
		i += got;
	}
	if (mode_locked(o->mode))
		mmap_read_unlock(mm);
	w->taken = i;
}

static void worker_put(struct worker *w)
{
	struct bench_model *run = w->run;
	struct page **pages = run->pages + w->first;

	if (mode_pins(run->opts.mode)) {
		unpin_user_pages(pages, w->taken);
	} else {
		for (long i = 0; i < w->taken; i++)
			put_page(pages[i]);
	}
}

/*
 * Three barriers per repeat: go, everything taken, everything released.
 * Each worker reads the clock itself: the thread that waits on the
 * barriers may get a CPU only after the workers are done.
 */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct bench_model *run = w->run;

	current = run->task;
	for (;;) {
		pthread_barrier_wait(&run->barrier);
		if (__atomic_load_n(&run->stop, __ATOMIC_ACQUIRE))
			break;
		w->get_cpu = bench_thread_cpu_ns();
		w->get_start = bench_now_ns();
		worker_get(w);
		w->get_end = bench_now_ns();
		w->get_cpu = bench_thread_cpu_ns() - w->get_cpu;
		pthread_barrier_wait(&run->barrier);
		w->put_start = bench_now_ns();
		worker_put(w);
		w->put_end = bench_now_ns();
		pthread_barrier_wait(&run->barrier);
	}
	return NULL;
}

/* The buffer, mapped and populated; in CMA when asked (untimed). */
static int map_buffer(struct bench_model *run)
{
	const struct bench_opts *o = &run->opts;
	unsigned long flags = MAP_PRIVATE | MAP_ANONYMOUS;
	long addr;
	int ret;

	if (o->hugetlb)
		flags |= MAP_HUGETLB;
	addr = vm_mmap(run->task, 0, o->size, PROT_READ | PROT_WRITE, flags,
		       NULL, 0);
	if (addr < 0)
		return (int)addr;
	run->addr = addr;
	if (o->cma) {
		ret = vm_set_place(run->task, addr, PLACE_CMA);
		if (ret)
			return ret;
	}
	if (o->thp) {
		ret = vm_madvise(run->task, addr, o->size, MADV_HUGEPAGE);
		if (ret)
			return ret;
	}
	ret = vm_populate(run->task, addr, o->size, true);
	if (ret)
		return ret;
	if (o->cma && user_range_zone(run->task, addr, o->size) != PZ_CMA) {
		fprintf(stderr, "gupsim bench: the buffer did not land in CMA\n");
		return -ENOMEM;
	}
	return 0;
}

static struct machine_config run_config(const struct bench_opts *o)
{
	size_t buf = layout_align(o->size);
	struct machine_config cfg = {
		.mem = buf + MODEL_HEADROOM,
		.thp = THP_MADVISE,
		.kernel = o->kernel,
		/* the kernel's RAM is there: no host fault in a timed phase */
		.prefault = true,
	};

	if (o->cma) {
		/* The area holds the buffer; NORMAL holds where it moves. */
		cfg.cma = buf + 64 * MiB;
		cfg.mem = cfg.cma + buf + MODEL_HEADROOM;
	}
	if (o->hugetlb)
		cfg.hugetlb = (o->size + (2 * MiB - 1)) / (2 * MiB);
	return cfg;
}

static void stop_workers(struct bench_model *run, int started)
{
	__atomic_store_n(&run->stop, true, __ATOMIC_RELEASE);
	if (started == run->nr_workers)
		pthread_barrier_wait(&run->barrier);
	for (int i = 0; i < started; i++)
		pthread_join(run->workers[i].tid, NULL);
}

int bench_model_set_threads(struct bench_model *run, int active)
{
	unsigned long per;
	int i;

	if (active < 1 || active > run->nr_workers)
		return -EINVAL;
	per = run->nr_pages / active;
	for (i = 0; i < run->nr_workers; i++) {
		struct worker *w = &run->workers[i];

		w->first = i < active ? per * i : 0;
		w->nr = i >= active ? 0 :
			i == active - 1 ? run->nr_pages - w->first : per;
	}
	return 0;
}

static int start_workers(struct bench_model *run)
{
	int i;

	if (pthread_barrier_init(&run->barrier, NULL, run->nr_workers + 1))
		return -ENOMEM;
	bench_model_set_threads(run, run->nr_workers);
	for (i = 0; i < run->nr_workers; i++) {
		struct worker *w = &run->workers[i];

		w->run = run;
		if (pthread_create(&w->tid, NULL, worker_main, w))
			break;
	}
	if (i < run->nr_workers) {
		/* The barrier counts every worker: none may wait on it. */
		fprintf(stderr, "gupsim bench: cannot start thread %d\n", i);
		exit(1);
	}
	return 0;
}

/*
 * The caller's pages[] (gup_test's kvcalloc'ed array), backed by the host
 * before anything is timed: calloc() leaves a large array unfaulted, and
 * the first repeat then paid ~500 host page faults for it (2 MiB for
 * 1 GiB of 4 KiB pages), which is neither the model's work nor the host
 * yardstick's.
 */
static struct page **pages_alloc(unsigned long nr)
{
	void *p = mmap(NULL, nr * sizeof(struct page *), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void pages_free(struct page **pages, unsigned long nr)
{
	if (pages)
		munmap(pages, nr * sizeof(struct page *));
}

struct bench_model *bench_model_create(const struct bench_opts *opts)
{
	struct machine_config cfg = run_config(opts);
	struct bench_model *run;
	int ret;

	if (machine_exists()) {
		fprintf(stderr, "gupsim bench: a machine already exists\n");
		return NULL;
	}
	run = calloc(1, sizeof(*run));
	if (!run)
		return NULL;
	run->opts = *opts;
	run->nr_pages = opts->size >> PAGE_SHIFT;
	run->nr_workers = opts->threads > 0 ? opts->threads : 1;
	run->pages = pages_alloc(run->nr_pages);
	run->workers = calloc(run->nr_workers, sizeof(*run->workers));
	if (!run->pages || !run->workers)
		goto fail_free;
	ret = machine_create(&cfg);
	if (ret) {
		fprintf(stderr, "gupsim bench: machine_create(mem=%zuM): %s\n",
			cfg.mem >> 20, strerror(-ret));
		goto fail_free;
	}
	run->task = task_create("bench", RLIM_INFINITY, true);
	if (!run->task)
		goto fail_machine;
	current = run->task;
	ret = map_buffer(run);
	if (ret) {
		fprintf(stderr, "gupsim bench: mapping %zu MiB: %s\n",
			opts->size >> 20, strerror(-ret));
		goto fail_machine;
	}
	if (start_workers(run))
		goto fail_machine;
	return run;
fail_machine:
	machine_destroy(NULL, 0);
	current = NULL;
fail_free:
	pages_free(run->pages, run->nr_pages);
	free(run->workers);
	free(run);
	return NULL;
}

/* A CMA run moves the buffer out of CMA: put a fresh one back (untimed). */
static int refill_cma(struct bench_model *run)
{
	int ret = vm_munmap(run->task, run->addr, run->opts.size);

	return ret ? ret : map_buffer(run);
}

/* A phase lasts from the first worker's start to the last one's end. */
static void phase_times(struct bench_model *run, struct bench_sample *out)
{
	uint64_t gs = UINT64_MAX, ge = 0, ps = UINT64_MAX, pe = 0, cpu = 0;

	for (int i = 0; i < run->nr_workers; i++) {
		struct worker *w = &run->workers[i];

		if (!w->nr)
			continue;
		gs = w->get_start < gs ? w->get_start : gs;
		ge = w->get_end > ge ? w->get_end : ge;
		ps = w->put_start < ps ? w->put_start : ps;
		pe = w->put_end > pe ? w->put_end : pe;
		cpu += w->get_cpu;
	}
	out->get_ns = (double)(ge - gs);
	out->put_ns = (double)(pe - ps);
	out->get_cpu_ns = (double)cpu;
}

int bench_model_sample(struct bench_model *run, struct bench_sample *out)
{
	long taken = 0;
	int i, err = 0;

	if (run->opts.cma && (err = refill_cma(run)))
		return err;
	pthread_barrier_wait(&run->barrier);
	pthread_barrier_wait(&run->barrier);
	pthread_barrier_wait(&run->barrier);
	phase_times(run, out);
	for (i = 0; i < run->nr_workers; i++) {
		if (run->workers[i].err && !err)
			err = run->workers[i].err;
		run->workers[i].err = 0;
		taken += run->workers[i].taken;
	}
	if (!err && taken != (long)run->nr_pages)
		err = -EFAULT;
	if (!err && run->opts.cma &&
	    user_range_zone(run->task, run->addr, run->opts.size) == PZ_CMA)
		err = -EAGAIN;	/* the long-term pin left pages in CMA */
	return err;
}

/* The checker and the leak check close every run. */
static int finish_machine(void)
{
	static char buf[4096];
	int ret = check_invariants(buf, sizeof(buf));

	if (ret) {
		fprintf(stderr, "gupsim bench: model invariant violated:\n%s",
			buf);
		machine_destroy(NULL, 0);
	} else {
		ret = machine_destroy(buf, sizeof(buf));
		if (ret)
			fprintf(stderr, "gupsim bench: model leak:\n%s", buf);
	}
	current = NULL;
	return ret;
}

int bench_model_destroy(struct bench_model *run)
{
	int ret;

	if (!run)
		return 0;
	stop_workers(run, run->nr_workers);
	pthread_barrier_destroy(&run->barrier);
	ret = finish_machine();
	pages_free(run->pages, run->nr_pages);
	free(run->workers);
	free(run);
	return ret;
}

int bench_model_fork_ns(size_t size, bool pinned, int repeats, double *ns)
{
	unsigned long nr = size >> PAGE_SHIFT;
	struct machine_config cfg = {
		/* The child gets a copy of every pinned page. */
		.mem = 2 * layout_align(size) + MODEL_HEADROOM,
	};
	struct page **pages = calloc(nr, sizeof(*pages));
	struct task_struct *task;
	long addr, got = 0;
	int ret, i;

	if (!pages)
		return -ENOMEM;
	ret = machine_create(&cfg);
	if (ret)
		goto out_free;
	task = task_create("parent", RLIM_INFINITY, true);
	if (!task) {
		ret = -ENOMEM;
		goto out;
	}
	current = task;
	addr = vm_mmap(task, 0, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
	ret = addr < 0 ? (int)addr : vm_populate(task, addr, size, true);
	if (ret)
		goto out;
	if (pinned) {
		got = pin_user_pages_fast(addr, (int)nr,
					  FOLL_WRITE | FOLL_LONGTERM, pages);
		if (got != (long)nr) {
			ret = got < 0 ? (int)got : -EFAULT;
			goto out_unpin;
		}
	}
	for (i = 0; i < repeats; i++) {
		uint64_t t0 = bench_now_ns();
		struct task_struct *child = task_fork(task, "child");

		ns[i] = (double)(bench_now_ns() - t0);
		if (!child) {
			ret = -ENOMEM;
			break;
		}
		task_exit(child);
	}
out_unpin:
	if (got > 0)
		unpin_user_pages(pages, got);
out:
	if (ret)
		fprintf(stderr, "gupsim bench: fork run: %s\n", strerror(-ret));
	if (finish_machine() && !ret)
		ret = -EUCLEAN;
out_free:
	free(pages);
	return ret;
}

int bench_model_startup(size_t mem, double *ns, long *rss_after, long *rss_before)
{
	struct machine_config cfg = { .mem = mem };
	uint64_t t0;
	int ret;

	*rss_before = bench_rss_kib();
	t0 = bench_now_ns();
	ret = machine_create(&cfg);
	*ns = (double)(bench_now_ns() - t0);
	*rss_after = bench_rss_kib();
	if (ret)
		return ret;
	return finish_machine();
}
