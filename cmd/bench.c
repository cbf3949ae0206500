// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim bench: the kernel's gup_test benchmark (mm/gup_test.c and
 * tools/testing/selftests/mm/gup_test.c) on the model, side by side with
 * the host kernel measured in the same run.
 *
 * Model and host runs alternate (A B A B) and each pair gives a ratio, so
 * that a slow moment of the machine (another process, frequency changes)
 * touches both sides of a pair; the reported ratio is the median of the
 * pairs' ratios.
 *
 * liburcu's call_rcu thread does not survive fork(): everything that forks
 * (the start-up children, the host fork figures) runs before the first
 * model call of this process.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gupsim/profile.h>

#include "bench.h"
#include "bench_scenarios.h"
#include "bench_util.h"
#include "kernel_opt.h"

#define MiB		(1UL << 20)
#define GiB		(1UL << 30)
#define MAX_REPEATS	1000

static const char *const mode_names[BM_NR_MODES] = {
	[BM_GET]		= "get",
	[BM_GET_FAST]		= "get-fast",
	[BM_PIN]		= "pin",
	[BM_PIN_FAST]		= "pin-fast",
	[BM_LONGTERM]		= "longterm",
	[BM_LONGTERM_FAST]	= "longterm-fast",
};

const char *bench_mode_name(enum bench_mode mode)
{
	return (unsigned int)mode < BM_NR_MODES ? mode_names[mode] : "?";
}

/* ---- series of samples ---- */

struct series {
	int n;
	double load[2];		/* 1-minute load average before, after */
	double model_get[MAX_REPEATS], model_put[MAX_REPEATS];
	double host_get[MAX_REPEATS], host_put[MAX_REPEATS];
	double ratio_get[MAX_REPEATS], ratio_put[MAX_REPEATS];
	double ratio_cpu[MAX_REPEATS];	/* the take phase on CPU time */
};

struct summary {
	double model_get, model_put, host_get, host_put;
	double ratio_get, ratio_put;	/* median of per-pair host/model */
	double ratio_get_lo, ratio_get_hi;	/* the pairs' extremes */
	/* ratio_get on CPU time (0: not measured), and its extremes */
	double ratio_cpu, ratio_cpu_lo, ratio_cpu_hi;
	int pairs;
	bool has_host;
	double load[2];		/* the series' load before, after */
};

static void summarize(struct series *s, bool has_host, struct summary *out)
{
	out->has_host = has_host;
	out->pairs = s->n;
	out->load[0] = s->load[0];
	out->load[1] = s->load[1];
	out->ratio_cpu_lo = out->ratio_cpu_hi = s->n ? s->ratio_cpu[0] : 0;
	for (int i = 1; i < s->n; i++) {
		if (s->ratio_cpu[i] < out->ratio_cpu_lo)
			out->ratio_cpu_lo = s->ratio_cpu[i];
		if (s->ratio_cpu[i] > out->ratio_cpu_hi)
			out->ratio_cpu_hi = s->ratio_cpu[i];
	}
	out->ratio_cpu = has_host ? bench_median(s->ratio_cpu, s->n) : 0;
	out->ratio_get_lo = out->ratio_get_hi = s->n ? s->ratio_get[0] : 0;
	for (int i = 1; i < s->n; i++) {
		if (s->ratio_get[i] < out->ratio_get_lo)
			out->ratio_get_lo = s->ratio_get[i];
		if (s->ratio_get[i] > out->ratio_get_hi)
			out->ratio_get_hi = s->ratio_get[i];
	}
	out->model_get = bench_median(s->model_get, s->n);
	out->model_put = bench_median(s->model_put, s->n);
	out->host_get = has_host ? bench_median(s->host_get, s->n) : 0;
	out->host_put = has_host ? bench_median(s->host_put, s->n) : 0;
	out->ratio_get = has_host ? bench_median(s->ratio_get, s->n) : 0;
	out->ratio_put = has_host ? bench_median(s->ratio_put, s->n) : 0;
}

static void print_rate(FILE *out, const char *who, const char *what,
		       double ns, unsigned long pages)
{
	fprintf(out, "%s %s: %.0f us, %.1f M pages/s, %.2f ns/page\n", who,
		what, ns / 1e3, pages / ns * 1e3, ns / pages);
}

/* ---- one benchmark, gup_test style ---- */

/*
 * What each model sample is set against, in the same loop: nothing, the
 * host's io_uring registration of the same buffer, the host's memcpy of
 * it, or the model itself with one thread (the model sample then runs
 * with o->threads).
 */
enum yardstick { YARD_NONE, YARD_URING, YARD_MEMCPY, YARD_ONE_THREAD };

struct yard {
	enum yardstick kind;
	int threads;			/* the model's, for YARD_ONE_THREAD */
	struct bench_model *run;	/* the model under measure */
	struct bench_ring *ring;
	struct bench_hbuf buf, src;
	double memcpy_ns[2];	/* YARD_MEMCPY: the copies before, after */
	double memcpy_cpu[2];	/* and their CPU times */
};

/* Labels of the log lines: the model sample's, and the yardstick's. */
static const char *const yard_model_label[] = {
	[YARD_NONE] = "model", [YARD_URING] = "model",
	[YARD_MEMCPY] = "model", [YARD_ONE_THREAD] = "T=N",
};
static const char *const yard_name[] = {
	[YARD_NONE] = "none", [YARD_URING] = "host",
	[YARD_MEMCPY] = "host memcpy", [YARD_ONE_THREAD] = "model, 1 thread",
};

static int yard_init(struct yard *y, const struct bench_opts *o,
		     enum yardstick kind)
{
	int ret;

	memset(y, 0, sizeof(*y));
	y->kind = kind;
	y->threads = o->threads;
	if (kind == YARD_NONE || kind == YARD_ONE_THREAD)
		return 0;
	/*
	 * memcpy() between huge pages: the kernel's migration copies through
	 * its direct map (huge pages), and the model's RAM is in host huge
	 * pages too; 4 KiB buffers would slow the yardstick, not the model.
	 */
	ret = bench_host_buf_alloc(&y->buf, o->size,
				   o->thp || kind == YARD_MEMCPY, o->hugetlb);
	if (ret) {
		fprintf(stderr, "gupsim bench: host buffer of %zu MiB%s: %s\n",
			o->size >> 20, o->hugetlb ? " (hugetlb: are pages "
			"reserved in /proc/sys/vm/nr_hugepages?)" : "",
			strerror(-ret));
		return ret;
	}
	if (kind == YARD_MEMCPY)
		return bench_host_buf_alloc(&y->src, o->size, true, false);
	y->ring = bench_ring_create();
	return y->ring ? 0 : -ENODEV;
}

static void yard_fini(struct yard *y)
{
	bench_ring_destroy(y->ring);
	bench_host_buf_free(&y->buf);
	bench_host_buf_free(&y->src);
}

/*
 * One model sample, with the thread count the yardstick compares to. A
 * memcpy yardstick copies just before it and just after (yard_sample()):
 * the pair's memcpy is the mean of the two, so that a slow moment of the
 * machine on one side of the model's sample weighs on both sides of the
 * ratio (a 256 MiB memcpy alone varied by 30% between pairs under load).
 */
static int yard_model_sample(struct yard *y, struct bench_sample *m)
{
	if (y->kind == YARD_ONE_THREAD)
		bench_model_set_threads(y->run, y->threads);
	if (y->kind == YARD_MEMCPY)
		y->memcpy_ns[0] = bench_memcpy_ns(&y->buf, &y->src,
						  &y->memcpy_cpu[0]);
	return bench_model_sample(y->run, m);
}

/* The yardstick's sample beside it (zeros for YARD_NONE). */
static int yard_sample(struct yard *y, struct bench_sample *x)
{
	*x = (struct bench_sample){ 0, 0, 0 };
	switch (y->kind) {
	case YARD_URING:
		return bench_ring_sample(y->ring, &y->buf, x);
	case YARD_MEMCPY:
		y->memcpy_ns[1] = bench_memcpy_ns(&y->buf, &y->src,
						  &y->memcpy_cpu[1]);
		x->get_ns = (y->memcpy_ns[0] + y->memcpy_ns[1]) / 2;
		x->get_cpu_ns = (y->memcpy_cpu[0] + y->memcpy_cpu[1]) / 2;
		return 0;
	case YARD_ONE_THREAD:
		bench_model_set_threads(y->run, 1);
		return bench_model_sample(y->run, x);
	default:
		return 0;
	}
}

static void yard_log_sample(const struct yard *y, FILE *log,
			    const struct bench_sample *m,
			    const struct bench_sample *x, double ratio_get,
			    double ratio_put)
{
	fprintf(log, "%-6s get: %.0f us, put: %.0f us\n",
		yard_model_label[y->kind], m->get_ns / 1e3, m->put_ns / 1e3);
	if (y->kind == YARD_ONE_THREAD)
		fprintf(log, "%-6s get: %.0f us, put: %.0f us   1T/NT: get %.2fx\n",
			"T=1", x->get_ns / 1e3, x->put_ns / 1e3, ratio_get);
	else if (y->kind == YARD_URING)
		fprintf(log, "%-6s get: %.0f us, put: %.0f us   host/model: get %.1fx, put %.1fx\n",
			"host", x->get_ns / 1e3, x->put_ns / 1e3, ratio_get,
			ratio_put);
	else if (y->kind == YARD_MEMCPY)
		fprintf(log, "%-6s memcpy: %.0f us (before the model %.0f, "
			"after %.0f)   pin speed = %.0f%% of memcpy\n", "host",
			x->get_ns / 1e3, y->memcpy_ns[0] / 1e3,
			y->memcpy_ns[1] / 1e3, 100 * ratio_get);
}

static void log_summary(const struct yard *y, FILE *log, struct series *s,
			unsigned long pages)
{
	struct series copy = *s;
	struct summary sum;

	summarize(&copy, y->kind != YARD_NONE, &sum);
	print_rate(log, "model", "get median", sum.model_get, pages);
	print_rate(log, "model", "put median", sum.model_put, pages);
	if (y->kind == YARD_MEMCPY)
		fprintf(log, "pin speed (median of %d pairs): %.0f%% of "
			"memcpy, pairs %.0f-%.0f%% (spread %.0f points); on "
			"CPU time %.0f%%, pairs %.0f-%.0f%%\n", s->n,
			100 * sum.ratio_get, 100 * sum.ratio_get_lo,
			100 * sum.ratio_get_hi,
			100 * (sum.ratio_get_hi - sum.ratio_get_lo),
			100 * sum.ratio_cpu, 100 * sum.ratio_cpu_lo,
			100 * sum.ratio_cpu_hi);
	/*
	 * On CPU time, one thread's take phase against all N threads' CPU
	 * time together: 1.0 when the threads slow one another down in
	 * nothing (memory, shared lines), whatever else runs. Where the
	 * machine gives each thread a CPU of its own, the speedup is N
	 * times that.
	 */
	if (y->kind == YARD_ONE_THREAD)
		fprintf(log, "%d threads vs 1 (median of %d pairs): %.2fx, "
			"pairs %.2f-%.2fx; on CPU time each thread worked at "
			"%.2f of one thread alone (pairs %.2f-%.2f)\n",
			y->threads, s->n, sum.ratio_get, sum.ratio_get_lo,
			sum.ratio_get_hi, sum.ratio_cpu, sum.ratio_cpu_lo,
			sum.ratio_cpu_hi);
	if (y->kind == YARD_URING) {
		print_rate(log, "host ", "get median", sum.host_get, pages);
		print_rate(log, "host ", "put median", sum.host_put, pages);
		fprintf(log, "host/model (median of %d pairs): get %.1fx "
			"(pairs %.1f-%.1fx), put %.1fx; get on CPU time %.1fx "
			"(pairs %.1f-%.1fx)\n", s->n, sum.ratio_get,
			sum.ratio_get_lo, sum.ratio_get_hi, sum.ratio_put,
			sum.ratio_cpu, sum.ratio_cpu_lo, sum.ratio_cpu_hi);
	}
	fprintf(log, "load average (1 min): %.2f before the series, %.2f "
		"after\n", s->load[0], s->load[1]);
}

/* The 1-minute load average: other processes share the two CPUs. */
static double load_now(void)
{
	double load = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	return load;
}

/* One pair: the model's sample, then the yardstick's. */
static int run_pair(struct yard *y, const struct bench_opts *o,
		    struct bench_sample *m, struct bench_sample *x)
{
	int ret = yard_model_sample(y, m);

	if (ret) {
		fprintf(stderr, "gupsim bench: model %s: %s\n",
			bench_mode_name(o->mode), strerror(-ret));
		return ret;
	}
	ret = yard_sample(y, x);
	if (ret)
		fprintf(stderr, "gupsim bench: %s: %s\n", yard_name[y->kind],
			strerror(-ret));
	return ret;
}

/*
 * Runs o->repeats pairs (the model, then the yardstick) into s; the
 * yardstick's figures go in the "host" columns. A first pair warms both
 * sides up (the host's io_uring and page tables, the model's caches and
 * the caller's pages[]) and is logged, not counted: its model sample ran
 * 2-10 times as long as the next ones, its host sample up to 6 times.
 */
static int run_series(const struct bench_opts *o, enum yardstick kind,
		      struct series *s, FILE *log)
{
	struct bench_sample m, x;
	struct yard y;
	int i, ret;

	memset(s, 0, sizeof(*s));
	ret = yard_init(&y, o, kind);
	if (ret)
		goto out;
	y.run = bench_model_create(o);
	if (!y.run) {
		ret = -EINVAL;
		goto out;
	}
	s->load[0] = load_now();
	ret = run_pair(&y, o, &m, &x);
	if (!ret && log) {
		fprintf(log, "warm-up pair, not counted:\n");
		yard_log_sample(&y, log, &m, &x,
				m.get_ns ? x.get_ns / m.get_ns : 0,
				m.put_ns ? x.put_ns / m.put_ns : 0);
	}
	for (i = 0; !ret && i < o->repeats && i < MAX_REPEATS; i++) {
		ret = run_pair(&y, o, &m, &x);
		if (ret)
			break;
		s->model_get[i] = m.get_ns;
		s->model_put[i] = m.put_ns;
		s->host_get[i] = x.get_ns;
		s->host_put[i] = x.put_ns;
		s->ratio_get[i] = m.get_ns ? x.get_ns / m.get_ns : 0;
		s->ratio_put[i] = m.put_ns ? x.put_ns / m.put_ns : 0;
		s->ratio_cpu[i] = m.get_cpu_ns ? x.get_cpu_ns / m.get_cpu_ns :
				  0;
		s->n = i + 1;
		if (log)
			yard_log_sample(&y, log, &m, &x, s->ratio_get[i],
					s->ratio_put[i]);
	}
	s->load[1] = load_now();
	if (bench_model_destroy(y.run) && !ret)
		ret = -EUCLEAN;
	if (!ret && log && s->n)
		log_summary(&y, log, s, bench_pages(o->size));
out:
	yard_fini(&y);
	return ret;
}

/* ---- start-up and fork ---- */

struct startup_result {
	int ret;
	double ns;
	long rss_before, rss_after;
};

/*
 * machine_create() in a child of its own, so that each size starts from
 * a process that never held a machine: its RSS is the machine's cost.
 * Runs before this process touches the model (see the top).
 */
static int startup_in_child(size_t mem, struct startup_result *res)
{
	int fds[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(fds))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		struct startup_result r;

		close(fds[0]);
		r.ret = bench_model_startup(mem, &r.ns, &r.rss_after,
				      &r.rss_before);
		n = write(fds[1], &r, sizeof(r));
		_exit(n == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(fds[1]);
	n = read(fds[0], res, sizeof(*res));
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(*res))
		return -EPIPE;
	return res->ret;
}

#define STARTUP_RUNS	3

struct startup_row {
	size_t mem;
	double ns;		/* median */
	long rss_after, rss_before;	/* of the median run */
};

static int measure_startup(size_t mem, struct startup_row *row, FILE *log)
{
	struct startup_result r[STARTUP_RUNS];
	double t[STARTUP_RUNS];
	int i, ret;

	for (i = 0; i < STARTUP_RUNS; i++) {
		ret = startup_in_child(mem, &r[i]);
		if (ret) {
			fprintf(stderr, "gupsim bench: start-up of %zu GiB: %s\n",
				mem >> 30, strerror(-ret));
			return ret;
		}
		t[i] = r[i].ns;
	}
	row->mem = mem;
	row->ns = bench_median(t, STARTUP_RUNS);
	for (i = 0; i < STARTUP_RUNS; i++) {
		if (r[i].ns == row->ns) {
			row->rss_after = r[i].rss_after;
			row->rss_before = r[i].rss_before;
		}
	}
	if (log)
		fprintf(log, "start-up %3zu GiB: %.1f ms, RSS %.1f MiB "
			"(%.1f MiB before machine_create)\n", mem >> 30,
			row->ns / 1e6, row->rss_after / 1024.0,
			row->rss_before / 1024.0);
	return 0;
}

#define FORK_RUNS	3

struct fork_row {
	double host_pinned, host_plain, model_pinned, model_plain;
};

/* Host part first: it forks, which the model's threads would not survive. */
static int measure_fork_host(size_t size, struct fork_row *row)
{
	double v[FORK_RUNS];
	int ret;

	ret = bench_host_fork_ns(size, true, FORK_RUNS, v);
	if (ret)
		return ret;
	row->host_pinned = bench_median(v, FORK_RUNS);
	ret = bench_host_fork_ns(size, false, FORK_RUNS, v);
	if (ret)
		return ret;
	row->host_plain = bench_median(v, FORK_RUNS);
	return 0;
}

static int measure_fork_model(size_t size, struct fork_row *row)
{
	double v[FORK_RUNS];
	int ret;

	ret = bench_model_fork_ns(size, true, FORK_RUNS, v);
	if (ret)
		return ret;
	row->model_pinned = bench_median(v, FORK_RUNS);
	ret = bench_model_fork_ns(size, false, FORK_RUNS, v);
	if (ret)
		return ret;
	row->model_plain = bench_median(v, FORK_RUNS);
	return 0;
}

static void print_fork(FILE *log, size_t size, const struct fork_row *r)
{
	fprintf(log, "fork, %zu MiB populated: model %.1f ms pinned, %.1f ms "
		"not pinned; host %.1f ms pinned, %.1f ms not pinned\n",
		size >> 20, r->model_pinned / 1e6, r->model_plain / 1e6,
		r->host_pinned / 1e6, r->host_plain / 1e6);
}

/* ---- the standard set (make bench) ---- */

static void read_first(const char *path, const char *key, char *out,
		       size_t len)
{
	FILE *f = fopen(path, "r");
	char line[512];
	size_t klen = key ? strlen(key) : 0;

	snprintf(out, len, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = line;

		if (key) {
			if (strncmp(line, key, klen))
				continue;
			v = strchr(line, ':');
			if (!v)
				continue;
			v++;
			while (*v == ' ' || *v == '\t')
				v++;
		}
		v[strcspn(v, "\n")] = 0;
		if (strlen(v) >= len)
			v[len - 1] = 0;
		memcpy(out, v, strlen(v) + 1);
		break;
	}
	fclose(f);
}

static void describe_machine(FILE *out)
{
	char cpu[256], mem[64], thp[128], date[64];
	struct utsname u;
	time_t now = time(NULL);

	read_first("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	read_first("/proc/meminfo", "MemTotal", mem, sizeof(mem));
	read_first("/sys/kernel/mm/transparent_hugepage/enabled", NULL, thp,
		   sizeof(thp));
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&now));
	uname(&u);
	fprintf(out, "- date: %s\n", date);
	fprintf(out, "- CPU: %s, %ld online CPUs\n", cpu,
		sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(out, "- memory: %s\n", mem);
	fprintf(out, "- kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	fprintf(out, "- host THP: %s\n", thp);
	fprintf(out, "- compiler: gcc %s\n", __VERSION__);
	/* Other processes share the CPUs: the thread figures depend on it. */
	read_first("/proc/loadavg", NULL, mem, sizeof(mem));
	fprintf(out, "- load average when written: %s\n", mem);
}

static const char *met(bool ok)
{
	return ok ? "met" : "**not met**";
}

static double per_page(double ns, size_t size)
{
	return ns / (double)bench_pages(size);
}

static double mpages(double ns, size_t size)
{
	return (double)bench_pages(size) / ns * 1e3;
}

#define STD_STARTUPS	4	/* 4, 16, 64 and 256 GiB */
#define STD_TOUR	"tests/scenarios/tour.scn"
#define STD_TOUR_RUNS	500
#define STD_CORPUS	"tests/scenarios"
#define STD_CORPUS_RUNS	5

struct std_results {
	struct summary s4k, sthp, sthreads, scma, scma1g;
	double spin_x;			/* the control of the 2-thread row */
	struct fork_row fork;
	struct startup_row startup[STD_STARTUPS];
	bool scn_ok;			/* tour and corpus measured */
	struct bench_scn_rate tour, corpus;
	char scn_load[64];		/* the load average meanwhile */
	size_t fork_size;
	int repeats;
	unsigned long scale_n;		/* 0: not measured */
	struct bench_scale_row scale[BENCH_SCALE_KINDS];
	struct bench_sweep sweep;	/* ns per page against size */
	struct bench_hooks hooks;	/* explain and trace when off */
};

/* --hooks-off: the GUPSIM_NO_HOOKS build the hooks row compares with. */
static const char *hooks_off_bin;
/* Beside the results: the sweep's points, and the picture of them. */
#define SWEEP_DATA	"ns-per-page.dat"
#define SWEEP_SVG	"ns-per-page.svg"

static void write_pin_row(FILE *out, const char *name, size_t size,
			  const struct summary *s)
{
	fprintf(out, "| %s | %.0f us (%.2f ns/page, %.0f M pages/s) | %.0f us "
		"(%.2f ns/page) | %.0f us (%.1f ns/page) | %.0f us "
		"(%.1f ns/page) | %.1fx | %.1fx |\n", name, s->model_get / 1e3,
		per_page(s->model_get, size), mpages(s->model_get, size),
		s->model_put / 1e3, per_page(s->model_put, size),
		s->host_get / 1e3, per_page(s->host_get, size),
		s->host_put / 1e3, per_page(s->host_put, size), s->ratio_get,
		s->ratio_put);
}

static double scn_per_s(const struct bench_scn_rate *t)
{
	return t->wall_ns ? t->runs / (t->wall_ns / 1e9) : 0;
}

static double scn_wall_cpu(const struct bench_scn_rate *t)
{
	return t->cpu_ns ? t->wall_ns / t->cpu_ns : 0;
}

static void write_scenarios(FILE *out, const struct std_results *r)
{
	const struct bench_scn_rate *t = &r->tour, *c = &r->corpus;

	if (!r->scn_ok)
		return;
	fprintf(out, "\n## Scenarios in one process (`gupsim run` without "
		"the process start-up)\n\nLoad average meanwhile: %s. Wall "
		"time above CPU time is either sleeping (voluntary context "
		"switches) or another process holding the CPU.\n\n"
		"| what | runs | wall | CPU | per second (wall) | wall / CPU "
		"| voluntary switches |\n| --- | --- | --- | --- | --- | --- "
		"| --- |\n", r->scn_load);
	fprintf(out, "| %s, %d times | %ld | %.0f ms | %.0f ms | %.0f | "
		"%.2fx | %ld |\n", STD_TOUR, STD_TOUR_RUNS, t->runs,
		t->wall_ns / 1e6, t->cpu_ns / 1e6, scn_per_s(t),
		scn_wall_cpu(t), t->voluntary);
	fprintf(out, "| %s/*.scn, %d times over | %ld | %.0f ms | %.0f ms | "
		"%.0f | %.2fx | %ld |\n", STD_CORPUS, STD_CORPUS_RUNS, c->runs,
		c->wall_ns / 1e6, c->cpu_ns / 1e6, scn_per_s(c),
		scn_wall_cpu(c), c->voluntary);
}

/*
 * The scale rows meet "1M statements, linear, < 10 s" when every workload
 * ran its 10 N (about 1M: a generator rounds to whole rounds of its
 * statements) in < 10 s at <= 15x the time of N.
 */
static bool scale_met(const struct std_results *r, double *worst_s,
		      double *worst_x)
{
	bool ok = r->scale_n > 0;

	*worst_s = *worst_x = 0;
	for (int i = 0; i < BENCH_SCALE_KINDS; i++) {
		const struct bench_scale_row *row = &r->scale[i];
		double x = bench_scale_ratio(row);

		if (!row->ns[1] || row->n[1] < 990000 || !x) {
			ok = false;
			continue;
		}
		*worst_s = row->ns[1] / 1e9 > *worst_s ? row->ns[1] / 1e9 :
							 *worst_s;
		*worst_x = x > *worst_x ? x : *worst_x;
		if (row->ns[1] >= 10e9 || x > 15)
			ok = false;
	}
	return ok;
}

static void write_targets(FILE *out, const struct std_results *r,
			  double thp_x)
{
	const struct startup_row *big = &r->startup[STD_STARTUPS - 1];
	const struct summary *cma = &r->scma;
	double spread = 100 * (cma->ratio_get_hi - cma->ratio_get_lo);
	double worst_s, worst_x;
	bool scale_ok = scale_met(r, &worst_s, &worst_x);

	fprintf(out, "\n## Targets (issue 16)\n\nEach ratio is the median "
		"of per-pair ratios measured side by side in this run (A B A "
		"B) against what the row names.\n\n| target | measured | |\n"
		"| --- | --- | --- |\n");
	fprintf(out, "| long-term pin 1 GiB, 4 KiB pages >= 10x host io_uring "
		"registration | %.1fx (pairs %.1f-%.1fx; load %.1f-%.1f) | %s "
		"|\n", r->s4k.ratio_get, r->s4k.ratio_get_lo,
		r->s4k.ratio_get_hi, r->s4k.load[0], r->s4k.load[1],
		met(r->s4k.ratio_get >= 10));
	fprintf(out, "| unpin of the same >= 5x host unregistration | %.1fx "
		"| %s |\n", r->s4k.ratio_put, met(r->s4k.ratio_put >= 5));
	fprintf(out, "| THP pin >= 10x host THP registration | %.1fx (pairs "
		"%.1f-%.1fx; load %.1f-%.1f) | %s |\n", r->sthp.ratio_get,
		r->sthp.ratio_get_lo, r->sthp.ratio_get_hi, r->sthp.load[0],
		r->sthp.load[1], met(r->sthp.ratio_get >= 10));
	fprintf(out, "| 2 threads >= 1.8x 1 thread on disjoint halves | %.2fx "
		"(pairs %.2f-%.2fx; a spin loop got %.2fx; on CPU time each "
		"thread worked at %.2f of one alone; load %.1f-%.1f) | %s |\n",
		r->sthreads.ratio_get, r->sthreads.ratio_get_lo,
		r->sthreads.ratio_get_hi, r->spin_x, r->sthreads.ratio_cpu,
		r->sthreads.load[0], r->sthreads.load[1],
		met(r->sthreads.ratio_get >= 1.8));
	fprintf(out, "| long-term pin 256 MiB out of CMA >= 50%% of memcpy, "
		"pairs within 10 points | %.0f%% (pairs %.0f-%.0f%%, %d pairs; "
		"on CPU time %.0f%%, pairs %.0f-%.0f%%; load %.1f-%.1f) | %s "
		"|\n", 100 * cma->ratio_get, 100 * cma->ratio_get_lo,
		100 * cma->ratio_get_hi, cma->pairs, 100 * cma->ratio_cpu,
		100 * cma->ratio_cpu_lo, 100 * cma->ratio_cpu_hi, cma->load[0],
		cma->load[1],
		met(cma->ratio_get >= 0.5 && spread <= 10 && cma->pairs >= 5));
	if (r->scn_ok) {
		fprintf(out, "| small scenarios per second in one process (the "
			"tour) >= 1,000 | %.0f | %s |\n", scn_per_s(&r->tour),
			met(scn_per_s(&r->tour) >= 1000));
		fprintf(out, "| wall / CPU time of the corpus run in one "
			"process <= 1.5x | %.2fx | %s |\n",
			scn_wall_cpu(&r->corpus),
			met(scn_wall_cpu(&r->corpus) <= 1.5));
	} else {
		fprintf(out, "| small scenarios per second (the tour) >= 1,000 "
			"| not measured (no %s) | **not met** |\n", STD_TOUR);
		fprintf(out, "| wall / CPU time of the corpus run <= 1.5x | "
			"not measured | **not met** |\n");
	}
	if (r->scale_n)
		fprintf(out, "| parse and run 1M statements: linear, < 10 s | "
			"slowest 10 N: %.1f s, worst 10 N / N: %.1fx | %s |\n",
			worst_s, worst_x, met(scale_ok));
	fprintf(out, "| start-up of a %zu GiB machine < 100 ms | %.1f ms "
		"| %s |\n", big->mem >> 30, big->ns / 1e6,
		met(big->ns < 100e6));
	fprintf(out, "| start-up of a %zu GiB machine: RSS < 64 MiB | %.1f "
		"MiB | %s |\n", big->mem >> 30, big->rss_after / 1024.0,
		met(big->rss_after < 64 * 1024));
	fprintf(out, "| model THP pin >= 8x its 4 KiB pin (issue 6) | %.1fx "
		"| %s |\n", thp_x, met(thp_x >= 8));
}

static void write_results(FILE *out, const struct std_results *r)
{
	double thp_x = r->sthp.model_get ? r->s4k.model_get /
					   r->sthp.model_get : 0;
	int i;

	fprintf(out, "# gupsim bench results\n\n"
		"Written by `make bench` (`gupsim bench --standard`). Medians "
		"of %d repeats; model and host runs alternate (A B A B) and "
		"each ratio is the median of the per-pair ratios. Host = this "
		"machine's kernel: io_uring buffer registration "
		"(pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM)) and "
		"unregistration (unpin).\n\n", r->repeats);
	describe_machine(out);

	fprintf(out, "\n## Long-term pin of 1 GiB, populated, one call "
		"(pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM))\n\n"
		"| backing | model pin | model unpin | host register | "
		"host unregister | host/model pin | host/model unpin |\n"
		"| --- | --- | --- | --- | --- | --- | --- |\n");
	write_pin_row(out, "4 KiB pages", GiB, &r->s4k);
	write_pin_row(out, "THP", GiB, &r->sthp);

	fprintf(out, "\n## Other figures\n\n| what | figure |\n| --- | --- |\n");
	fprintf(out, "| model THP vs 4 KiB pin | %.1fx faster |\n", thp_x);
	fprintf(out, "| model, 2 threads on disjoint halves vs 1 thread "
		"(1 GiB) | %.2fx (2 threads: %.0f us, 1 thread: %.0f us); "
		"a plain spin loop, measured just before: %.2fx |\n",
		r->sthreads.ratio_get, r->sthreads.model_get / 1e3,
		r->sthreads.host_get / 1e3, r->spin_x);
	fprintf(out, "| long-term pin of 256 MiB in CMA (migration) | %.1f ms "
		"(%.0f ns/page); memcpy of 256 MiB %.1f ms: pin at %.0f%% of "
		"memcpy speed |\n", r->scma.model_get / 1e6,
		per_page(r->scma.model_get, 256 * MiB),
		r->scma.host_get / 1e6, 100 * r->scma.ratio_get);
	fprintf(out, "| long-term pin of 1 GiB in CMA (migration) | %.1f ms "
		"(%.0f ns/page); memcpy of 1 GiB %.1f ms: %.0f%% |\n",
		r->scma1g.model_get / 1e6,
		per_page(r->scma1g.model_get, GiB),
		r->scma1g.host_get / 1e6, 100 * r->scma1g.ratio_get);
	fprintf(out, "| fork, %zu MiB populated, long-term pinned | model "
		"%.1f ms, host %.1f ms |\n", r->fork_size >> 20,
		r->fork.model_pinned / 1e6, r->fork.host_pinned / 1e6);
	fprintf(out, "| fork, %zu MiB populated, not pinned | model %.1f ms, "
		"host %.1f ms |\n", r->fork_size >> 20,
		r->fork.model_plain / 1e6, r->fork.host_plain / 1e6);
	for (i = 0; i < STD_STARTUPS; i++)
		fprintf(out, "| start-up of a %zu GiB machine | %.1f ms, process "
			"RSS %.1f MiB (%.1f MiB before) |\n",
			r->startup[i].mem >> 30, r->startup[i].ns / 1e6,
			r->startup[i].rss_after / 1024.0,
			r->startup[i].rss_before / 1024.0);

	fprintf(out, "\nNotes: io_uring keeps a THP buffer as one bvec per "
		"huge folio, so its unregistration unpins 512 folios; the "
		"model's unpin_user_pages() walks the 262144 entries of "
		"pages[]. The two-thread figure needs two idle CPUs: see the "
		"load average above. Profiles and what would close each gap: "
		"docs/bench.md.\n");
	if (r->scale_n)
		bench_scale_write(out, r->scale);
	write_scenarios(out, r);
	bench_sweep_write(out, &r->sweep, SWEEP_SVG);
	bench_hooks_write(out, &r->hooks);
	write_targets(out, r, thp_x);
}

/* The sweep's points go beside the results, as SWEEP_DATA. */
static int write_sweep_data(const char *results, const struct bench_sweep *sw)
{
	const char *slash = strrchr(results, '/');
	int dir = slash ? (int)(slash - results + 1) : 0;
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%.*s%s", dir, results, SWEEP_DATA);
	ret = bench_sweep_write_data(sw, path);
	if (ret)
		fprintf(stderr, "gupsim bench: %s: %s\n", path, strerror(-ret));
	else
		printf("wrote %s\n", path);
	return ret;
}

static int std_series(const char *title, struct bench_opts *o,
		      enum yardstick yard, struct summary *sum)
{
	static struct series s;
	int ret;

	printf("\n== %s ==\n", title);
	ret = run_series(o, yard, &s, stdout);
	if (ret)
		return ret;
	summarize(&s, true, sum);
	return 0;
}

/*
 * The tour, STD_TOUR_RUNS times, and the corpus, STD_CORPUS_RUNS times
 * over, in this process. Not measured (and said so in the results) when
 * the files are not where `make bench` runs; a scenario that breaks the
 * model fails the bench.
 */
static int std_scenarios(struct std_results *r)
{
	const char *tour = STD_TOUR;
	FILE *f;
	int ret;

	printf("\n== scenarios in one process ==\n");
	if (access(tour, R_OK)) {
		printf("%s not found: not measured\n", tour);
		return 0;
	}
	ret = bench_scenarios(&tour, 1, STD_TOUR_RUNS, &r->tour);
	if (!ret)
		ret = bench_corpus(STD_CORPUS, STD_CORPUS_RUNS, &r->corpus);
	if (ret)
		return ret;
	f = fopen("/proc/loadavg", "r");
	if (!f || !fgets(r->scn_load, sizeof(r->scn_load), f))
		snprintf(r->scn_load, sizeof(r->scn_load), "unknown");
	if (f)
		fclose(f);
	r->scn_load[strcspn(r->scn_load, "\n")] = 0;
	r->scn_ok = true;
	printf("tour: %ld runs in %.0f ms (%.0f/s), CPU %.0f ms, %ld voluntary "
	       "switches\n", r->tour.runs, r->tour.wall_ns / 1e6,
	       scn_per_s(&r->tour), r->tour.cpu_ns / 1e6, r->tour.voluntary);
	printf("corpus: %ld runs in %.0f ms, CPU %.0f ms: wall/CPU %.2fx, %ld "
	       "voluntary switches (load %s)\n", r->corpus.runs,
	       r->corpus.wall_ns / 1e6, r->corpus.cpu_ns / 1e6,
	       scn_wall_cpu(&r->corpus), r->corpus.voluntary, r->scn_load);
	return 0;
}

#define SPIN_LOOPS	50000000UL

static void *spin(void *arg)
{
	volatile unsigned long x = 0;

	for (unsigned long i = 0; i < SPIN_LOOPS; i++)
		x += i;
	return NULL;
}

/*
 * The control of the two-thread row: how much faster two threads of a
 * loop that shares nothing finish twice the work of one, right now. On an
 * idle two-core machine ~2x; when other processes hold a CPU it drops,
 * and the model's figure with it, whatever the model does.
 */
static double spin_control(void)
{
	pthread_t th[2];
	uint64_t t0, one, two;
	int i, n = 0;

	t0 = bench_now_ns();
	spin(NULL);
	one = bench_now_ns() - t0;
	t0 = bench_now_ns();
	for (i = 0; i < 2; i++)
		n += !pthread_create(&th[i], NULL, spin, NULL);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	two = bench_now_ns() - t0;
	return n == 2 && two ? 2.0 * one / two : 0;
}

/* Start-up and fork: everything that forks comes first (see the top). */
static int std_forking(struct std_results *r)
{
	static const size_t sizes[STD_STARTUPS] = { 4 * GiB, 16 * GiB,
						    64 * GiB, 256 * GiB };
	int i, ret;

	printf("== start-up ==\n");
	for (i = 0; i < STD_STARTUPS; i++) {
		ret = measure_startup(sizes[i], &r->startup[i], stdout);
		if (ret)
			return ret;
	}
	printf("\n== fork ==\n");
	ret = measure_fork_host(r->fork_size, &r->fork);
	if (ret) {
		fprintf(stderr, "gupsim bench: host fork: %s\n",
			strerror(-ret));
		return ret;
	}
	ret = measure_fork_model(r->fork_size, &r->fork);
	if (ret)
		return ret;
	print_fork(stdout, r->fork_size, &r->fork);
	return 0;
}

static int run_standard(const char *path, int repeats,
			unsigned long scale_n)
{
	struct bench_opts o = {
		.size = GiB, .repeats = repeats, .write = true,
		.mode = BM_LONGTERM_FAST, .threads = 1, .host = true,
	};
	struct std_results r;
	FILE *out;
	int ret;

	memset(&r, 0, sizeof(r));
	r.repeats = repeats;
	r.fork_size = GiB;
	r.scale_n = scale_n;
	ret = std_forking(&r);
	if (ret)
		return ret;

	ret = std_series("1 GiB, 4 KiB pages, longterm-fast write", &o,
			 YARD_URING, &r.s4k);
	if (ret)
		return ret;
	o.thp = true;
	ret = std_series("1 GiB, THP, longterm-fast write", &o, YARD_URING,
			 &r.sthp);
	if (ret)
		return ret;
	o.thp = false;
	o.threads = 2;
	r.spin_x = spin_control();
	printf("\ncontrol: two threads of a spin loop run %.2fx as fast as one\n",
	       r.spin_x);
	ret = std_series("1 GiB, 4 KiB pages, 2 threads vs 1", &o,
			 YARD_ONE_THREAD, &r.sthreads);
	if (ret)
		return ret;
	o.threads = 1;
	o.cma = true;
	o.size = 256 * MiB;
	ret = std_series("256 MiB in CMA, longterm-fast write, vs memcpy",
			 &o, YARD_MEMCPY, &r.scma);
	if (ret)
		return ret;
	o.size = GiB;
	o.repeats = repeats > 3 ? 3 : repeats;
	ret = std_series("1 GiB in CMA, longterm-fast write, vs memcpy", &o,
			 YARD_MEMCPY, &r.scma1g);
	if (ret)
		return ret;
	if (scale_n) {
		printf("\n== parse and run of long scenarios ==\n");
		bench_scale_measure(scale_n, r.scale, stdout);
	}
	ret = std_scenarios(&r);
	if (!ret)
		ret = bench_sweep_measure(&r.sweep, stdout);
	if (ret)
		return ret;
	r.hooks.off_bin = hooks_off_bin;
	bench_hooks_measure(&r.hooks, stdout);

	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "gupsim bench: %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	write_results(out, &r);
	fclose(out);
	printf("\nwrote %s\n", path);
	return write_sweep_data(path, &r.sweep);
}

/* ---- the command ---- */

static void bench_usage(FILE *out)
{
	fputs("usage: gupsim bench [options]\n"
	      "       gupsim bench --standard [-r N] [-o FILE]\n"
	      "       gupsim bench --startup [-m MB] | --fork [-m MB]\n"
	      "       gupsim bench --scale [--statements N]\n"
	      "       gupsim bench --scenarios\n"
	      "\n"
	      "The kernel's gup_test benchmark on the model: every page of a\n"
	      "populated buffer is taken (-n pages per call), then released;\n"
	      "each repeat prints 'get: N us, put: N us'. The host kernel is\n"
	      "measured in the same run, alternating with the model: io_uring\n"
	      "buffer registration of a buffer of the same size and backing\n"
	      "(its pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM)); with -c,\n"
	      "a memcpy of the same bytes.\n"
	      "\n"
	      "options:\n"
	      "  -m MB        buffer size in MiB (default 1024)\n"
	      "  -n N         pages per GUP call, 0 = all at once (default 0)\n"
	      "  -r N         repeats (default 5)\n"
	      "  -w / -W      FOLL_WRITE on (default) / off\n"
	      "  -t           THP-backed buffer (MADV_HUGEPAGE)\n"
	      "  -H           hugetlb buffer (MAP_HUGETLB; the host needs\n"
	      "               pages in /proc/sys/vm/nr_hugepages)\n"
	      "  -c           the model's buffer starts in CMA (long-term\n"
	      "               pins migrate it); host yardstick: memcpy\n"
	      "  -F MODE      get, get-fast, pin, pin-fast, longterm or\n"
	      "               longterm-fast (default)\n"
	      "  -u / -a / -L as gup_test: get-fast / pin-fast / longterm\n"
	      "  -T N         threads, each on its own part of the buffer\n"
	      "  --no-host    the model only\n"
	      "  --vs-one-thread  with -T N: each sample set against one\n"
	      "               thread doing the whole buffer (the standard\n"
	      "               set's thread row), no host\n"
	      "  --kernel VERSION  the model as Linux VERSION (5.1 .. 6.18); before\n"
	      "               5.6, gup_benchmark's modes: get-fast\n"
	      "               (GUP_FAST_BENCHMARK), longterm (GUP_LONGTERM_BENCHMARK,\n"
	      "               the default) and get (GUP_BENCHMARK); no host figures\n"
	      "  --standard   the standard set, written as markdown to -o\n"
	      "               FILE (default bench/results.md), with the\n"
	      "               points of ns per page against buffer size\n"
	      "               beside it (ns-per-page.dat)\n"
	      "  --hooks-off BIN  with --standard: compare with BIN, this\n"
	      "               tree built with -DGUPSIM_NO_HOOKS (what\n"
	      "               --explain and --trace cost when off)\n"
	      "  --startup    machine start-up time and RSS (4, 16, 64,\n"
	      "               256 GiB, or -m MB)\n"
	      "  --fork       fork of a populated buffer, pinned and not\n"
	      "  --scale      `gupsim run` of generated scenarios of N and\n"
	      "               10 N statements: time per statement, growth\n"
	      "  --statements N  N for --scale and --standard (default\n"
	      "               100000; 0 leaves the scale row out of\n"
	      "               --standard); 10 N is skipped when N takes\n"
	      "               over 10 s\n"
	      "  --scenarios  tests/scenarios/tour.scn 500 times and the\n"
	      "               corpus tests/scenarios/*.scn 5 times, in this\n"
	      "               process: runs per second, wall / CPU time\n"
	      "  -h, --help   this help\n"
	      "\n"
	      "exit status: 0 done, 1 a run failed, 2 usage error.\n", out);
}

static int parse_mode(const char *s, enum bench_mode *mode)
{
	for (int i = 0; i < BM_NR_MODES; i++) {
		if (!strcmp(s, mode_names[i])) {
			*mode = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v > max)
		return -EINVAL;
	return 0;
}

enum {
	OPT_NO_HOST = 256, OPT_STANDARD, OPT_STARTUP, OPT_FORK, OPT_SCALE,
	OPT_STATEMENTS, OPT_SCENARIOS, OPT_KERNEL, OPT_HOOKS_OFF, OPT_VS_ONE,
};

struct bench_cmd {
	struct bench_opts o;
	bool standard, startup, fork, scale, scenarios;
	bool vs_one;		/* -T N measured against -T 1, no host */
	bool size_given, mode_given;
	unsigned long statements;	/* N of the scale row */
	const char *out;
};

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "gupsim bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'gupsim bench --help' for more information.\n");
	return 2;
}

/* The options that set a flag, a mode or a name, and --statements. */
static int parse_simple(int opt, const char *arg, struct bench_cmd *c)
{
	switch (opt) {
	case 'w':
	case 'W':
		c->o.write = opt == 'w';
		break;
	case 't':
		c->o.thp = true;
		break;
	case 'H':
		c->o.hugetlb = true;
		break;
	case 'c':
		c->o.cma = true;
		break;
	case 'u':
		c->o.mode = BM_GET_FAST;
		c->mode_given = true;
		break;
	case 'a':
		c->o.mode = BM_PIN_FAST;
		c->mode_given = true;
		break;
	case 'L':
		c->o.mode = BM_LONGTERM;
		c->mode_given = true;
		break;
	case 'o':
		c->out = arg;
		break;
	case OPT_NO_HOST:
		c->o.host = false;
		break;
	case OPT_STANDARD:
		c->standard = true;
		break;
	case OPT_STARTUP:
		c->startup = true;
		break;
	case OPT_FORK:
		c->fork = true;
		break;
	case OPT_SCALE:
		c->scale = true;
		break;
	case OPT_SCENARIOS:
		c->scenarios = true;
		break;
	case OPT_VS_ONE:
		c->vs_one = true;
		break;
	case OPT_STATEMENTS:
		return parse_ulong(arg, 10000000, &c->statements);
	}
	return 0;
}

static int parse_bench(int argc, char **argv, struct bench_cmd *c)
{
	static const struct option longopts[] = {
		{ "no-host", no_argument, NULL, OPT_NO_HOST },
		{ "standard", no_argument, NULL, OPT_STANDARD },
		{ "startup", no_argument, NULL, OPT_STARTUP },
		{ "fork", no_argument, NULL, OPT_FORK },
		{ "scale", no_argument, NULL, OPT_SCALE },
		{ "scenarios", no_argument, NULL, OPT_SCENARIOS },
		{ "statements", required_argument, NULL, OPT_STATEMENTS },
		{ "kernel", required_argument, NULL, OPT_KERNEL },
		{ "hooks-off", required_argument, NULL, OPT_HOOKS_OFF },
		{ "vs-one-thread", no_argument, NULL, OPT_VS_ONE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	int opt;

	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":m:n:r:wWtHcF:uaLT:o:h",
				  longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_ulong(optarg, 1UL << 20, &v) || !v)
				return bad("-m: '%s' is not a size in MiB "
					   "(1..1048576)", optarg);
			c->o.size = v * MiB;
			c->size_given = true;
			break;
		case 'n':
			if (parse_ulong(optarg, 1UL << 30, &v))
				return bad("-n: '%s' is not a page count",
					   optarg);
			c->o.nr_per_call = v;
			break;
		case 'r':
			if (parse_ulong(optarg, MAX_REPEATS, &v) || !v)
				return bad("-r: '%s' is not 1..1000", optarg);
			c->o.repeats = (int)v;
			break;
		case 'F':
			if (parse_mode(optarg, &c->o.mode))
				return bad("-F: unknown mode '%s' (get, get-fast,"
					   " pin, pin-fast, longterm, "
					   "longterm-fast)", optarg);
			c->mode_given = true;
			break;
		case 'T':
			if (parse_ulong(optarg, 64, &v) || !v)
				return bad("-T: '%s' is not 1..64 threads",
					   optarg);
			c->o.threads = (int)v;
			break;
		case 'w': case 'W': case 't': case 'H': case 'c':
		case 'u': case 'a': case 'L': case 'o':
		case OPT_NO_HOST ... OPT_SCENARIOS:
		case OPT_VS_ONE:
			if (parse_simple(opt, optarg, c))
				return bad("--statements: '%s' is not 0..10000000",
					   optarg);
			break;
		case OPT_HOOKS_OFF:
			hooks_off_bin = optarg;
			break;
		case OPT_KERNEL:
			c->o.kernel = kernel_opt_parse("bench", optarg);
			if (!c->o.kernel)
				return 2;
			break;
		case 'h':
			bench_usage(stdout);
			return 1;
		case ':':
			return bad("option '%s' needs a value", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	return 0;
}

/*
 * gup_benchmark as 5.1 .. 5.5 had it (mm/gup_benchmark.c, debugfs
 * gup_benchmark): three ioctls, _IOWR('g', N, struct gup_benchmark),
 * bit 0 of its flags the write flag. NULL for a mode it did not have.
 */
static const char *gup_benchmark_ioctl(const struct bench_opts *o)
{
	switch (o->mode) {
	case BM_GET_FAST:
		return "GUP_FAST_BENCHMARK _IOWR('g', 1): get_user_pages_fast()";
	case BM_LONGTERM:
		return profile_has(o->kernel, FOLL_LONGTERM) ?
		       "GUP_LONGTERM_BENCHMARK _IOWR('g', 2): get_user_pages(FOLL_LONGTERM)" :
		       "GUP_LONGTERM_BENCHMARK _IOWR('g', 2): get_user_pages_longterm()";
	case BM_GET:
		return "GUP_BENCHMARK _IOWR('g', 3): get_user_pages()";
	default:
		return NULL;
	}
}

/* Combinations the model or the benchmark cannot run, with the reason. */
static int check_opts(const struct bench_cmd *c)
{
	const struct bench_opts *o = &c->o;
	bool slow = o->mode == BM_GET || o->mode == BM_PIN ||
		    o->mode == BM_LONGTERM;

	if (c->standard + c->startup + c->fork + c->scale + c->scenarios > 1)
		return bad("%s", "--standard, --startup, --fork, --scale and "
			   "--scenarios exclude each other");
	if (c->scale && !c->statements)
		return bad("%s", "--scale needs --statements of 1 or more");
	if ((o->thp || o->hugetlb) && o->size % (2 * MiB))
		return bad("%s", "-t and -H need a size in whole 2 MiB pages");
	if (o->thp && o->hugetlb)
		return bad("%s", "-t and -H exclude each other");
	if (o->cma && o->hugetlb)
		return bad("%s", "-c: hugetlb pages come from their pool, not "
			   "from CMA");
	if (o->nr_per_call > (1UL << 30) ||
	    (!slow && bench_pages(o->size) > (1UL << 30)))
		return bad("%s", "too many pages for one GUP call");
	/*
	 * Threads share one simulated task; the slow path keeps per-task
	 * state (the memalloc_pin scope) that two threads of one task
	 * would race on, so only GUP-fast runs that never fall back.
	 */
	if (o->threads > 1 && (slow || o->cma))
		return bad("%s", "-T > 1 runs the fast modes only, without -c");
	if (c->vs_one && o->threads < 2)
		return bad("%s", "--vs-one-thread needs -T 2 or more");
	if (o->kernel && (c->standard || c->startup || c->fork || c->scale))
		return bad("%s", "--kernel runs the single benchmark only");
	if (o->kernel && !profile_has(o->kernel, FOLL_PIN) &&
	    !gup_benchmark_ioctl(o))
		return bad("%s", "before 5.6 gup_benchmark had get-fast, "
			   "longterm and get only");
	return 0;
}

static int run_single(const struct bench_opts *o, bool vs_one)
{
	static struct series s;
	enum yardstick yard = vs_one ? YARD_ONE_THREAD :
			      !o->host ? YARD_NONE :
			      o->cma ? YARD_MEMCPY : YARD_URING;

	if (o->kernel) {
		printf("gupsim bench: the model as Linux %s",
		       kernel_profile_name(o->kernel));
		if (!profile_has(o->kernel, FOLL_PIN))
			printf(", gup_benchmark %s", gup_benchmark_ioctl(o));
		printf("\n(no host figures: the host runs its own release)\n");
	}
	printf("gupsim bench: %s%s, %zu MiB, %s pages, %s per call, %d "
	       "thread(s), %d repeats%s\n", bench_mode_name(o->mode),
	       o->write ? " write" : "", o->size >> 20,
	       o->hugetlb ? "hugetlb" : o->thp ? "THP" : "4 KiB",
	       o->nr_per_call ? "n" : "all", o->threads, o->repeats,
	       o->cma ? ", in CMA" : "");
	if (yard == YARD_URING && o->mode != BM_LONGTERM_FAST)
		printf("(the host figures are always io_uring's long-term "
		       "pin_user_pages_fast)\n");
	return run_series(o, yard, &s, stdout) ? 1 : 0;
}

static int run_startup(const struct bench_cmd *c)
{
	static const size_t sizes[] = { 4 * GiB, 16 * GiB, 64 * GiB,
					256 * GiB };
	struct startup_row row;
	size_t i;

	if (c->size_given)
		return measure_startup(c->o.size, &row, stdout) ? 1 : 0;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (measure_startup(sizes[i], &row, stdout))
			return 1;
	return 0;
}

static int run_fork(const struct bench_cmd *c)
{
	struct fork_row row;
	int ret;

	ret = measure_fork_host(c->o.size, &row);
	if (ret) {
		fprintf(stderr, "gupsim bench: host fork: %s\n",
			strerror(-ret));
		return 1;
	}
	if (measure_fork_model(c->o.size, &row))
		return 1;
	print_fork(stdout, c->o.size, &row);
	return 0;
}

static int run_scale(unsigned long n)
{
	struct bench_scale_row rows[BENCH_SCALE_KINDS];

	bench_scale_measure(n, rows, stdout);
	for (int i = 0; i < BENCH_SCALE_KINDS; i++)
		if (!rows[i].ns[0])
			return 1;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	struct bench_cmd c = {
		.o = {
			.size = GiB, .repeats = 5, .write = true,
			.mode = BM_LONGTERM_FAST, .threads = 1, .host = true,
		},
		.out = "bench/results.md",
		.statements = BENCH_SCALE_DEFAULT,
	};
	int ret = parse_bench(argc, argv, &c);

	if (ret)
		return ret == 1 ? 0 : ret;
	/* Before 5.6 the default is gup_benchmark's GUP_LONGTERM_BENCHMARK. */
	if (c.o.kernel && !profile_has(c.o.kernel, FOLL_PIN) && !c.mode_given)
		c.o.mode = BM_LONGTERM;
	if (c.o.kernel)
		c.o.host = false;
	ret = check_opts(&c);
	if (ret)
		return ret;
	bench_host_init();
	if (c.standard)
		return run_standard(c.out, c.o.repeats, c.statements) ? 1 : 0;
	if (c.scale)
		return run_scale(c.statements);
	if (c.scenarios) {
		struct std_results r = { 0 };

		return std_scenarios(&r) || !r.scn_ok ? 1 : 0;
	}
	if (c.startup)
		return run_startup(&c);
	if (c.fork)
		return run_fork(&c);
	return run_single(&c.o, c.vs_one);
}
