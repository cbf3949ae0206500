// SPDX-License-Identifier: GPL-2.0
/*
 * What `--explain` and `--trace` cost when nobody asks for them (issue
 * 14). Every site where the model explains or traces is a predicted
 * branch on a thread-local pointer or a relaxed load of one flag; the
 * question is whether those branches, compiled in and off, cost anything
 * a run can measure.
 *
 * The comparison: A is the same tree built with -DGUPSIM_NO_HOOKS
 * (`make bench` builds it in $(BUILD)/nohooks/), where explain_on() and
 * trace_on() are constant false and the sites compile to nothing; B is
 * this binary (every site compiled in, off, as in any run without
 * --explain or --trace). B / A above 1 is what the sites cost. Each workload runs in a child process of either binary,
 * A B A B, BENCH_HOOKS_PAIRS pairs, and reports its own figure (a
 * median over its in-process samples, or CPU time); the load average
 * before and after is written beside, since a busy machine moves
 * single runs by more than the hooks could.
 *
 * Left in B: trace_mark() per statement (a function call that tests
 * the flag), and the per-thread explain record's storage.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_util.h"

extern char **environ;

struct hooks_work {
	const char *what, *unit;
	const char *argv[10];		/* after the binary */
	const char *pattern;		/* sscanf of the figure's line */
};

static const struct hooks_work works[BENCH_HOOKS_WORKS] = {
	{ "pin, slow path, 4 KiB pages (`bench --no-host -m 256 -r 15 -F get`)",
	  "ns/page", { "bench", "--no-host", "-m", "256", "-r", "15", "-F",
		       "get", NULL },
	  "model get median: %*f us, %*f M pages/s, %lf ns/page" },
	{ "long-term pin out of CMA, migration (`bench --no-host -m 64 -r 9 -c -F longterm`)",
	  "ns/page", { "bench", "--no-host", "-m", "64", "-r", "9", "-c",
		       "-F", "longterm", NULL },
	  "model get median: %*f us, %*f M pages/s, %lf ns/page" },
	{ "the tour 500 times in one process (`bench --scenarios`)",
	  "ms CPU", { "bench", "--scenarios", NULL },
	  "tour: %*d runs in %*f ms (%*f/s), CPU %lf ms" },
};

static void read_loadavg(char *buf, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");

	if (!f || !fgets(buf, (int)len, f))
		snprintf(buf, len, "unknown");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

/* Runs bin with the work's arguments; its figure, or -errno. */
static int hooks_run(const char *bin, const struct hooks_work *w,
		     double *figure)
{
	const char *argv[12] = { bin };
	posix_spawn_file_actions_t fa;
	char line[512];
	int fds[2], status, found = 0;
	pid_t pid;
	FILE *f;

	for (int i = 0; w->argv[i]; i++)
		argv[i + 1] = w->argv[i];
	if (pipe(fds))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	status = posix_spawn(&pid, bin, &fa, NULL, (char **)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (status) {
		close(fds[0]);
		return -status;
	}
	f = fdopen(fds[0], "r");
	while (f && fgets(line, sizeof(line), f))
		found |= sscanf(line, w->pattern, figure) == 1;
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	return found ? 0 : -ENODATA;
}

static void hooks_row(const char *off_bin, const struct hooks_work *w,
		      struct bench_hooks_row *row, FILE *log)
{
	memset(row, 0, sizeof(*row));
	row->what = w->what;
	row->unit = w->unit;
	for (int i = 0; i < BENCH_HOOKS_PAIRS; i++) {
		double a, b, r;
		int ret = hooks_run(off_bin, w, &a);

		if (!ret)
			ret = hooks_run("/proc/self/exe", w, &b);
		if (ret) {
			snprintf(row->why, sizeof(row->why), "run %d: %s", i + 1,
				 strerror(-ret));
			return;
		}
		row->a[i] = a;
		row->b[i] = b;
		r = a ? b / a : 0;
		row->ratio_lo = !i || r < row->ratio_lo ? r : row->ratio_lo;
		row->ratio_hi = !i || r > row->ratio_hi ? r : row->ratio_hi;
		row->pairs = i + 1;
		fprintf(log, "%-42.42s A (out) %9.2f  B (in, off) %9.2f %s  B/A %.3f\n",
			w->what, a, b, w->unit, r);
	}
}

void bench_hooks_measure(struct bench_hooks *h, FILE *log)
{
	if (!h->off_bin)
		return;
	fprintf(log, "\n== explain and trace when off: %s (A) vs %s (B) ==\n",
		h->off_bin, "this binary");
	read_loadavg(h->load_before, sizeof(h->load_before));
	for (int i = 0; i < BENCH_HOOKS_WORKS; i++)
		hooks_row(h->off_bin, &works[i], &h->row[i], log);
	read_loadavg(h->load_after, sizeof(h->load_after));
}

static double hooks_median(const double *v, int n)
{
	double copy[BENCH_HOOKS_PAIRS];

	memcpy(copy, v, n * sizeof(*v));
	return bench_median(copy, n);
}

void bench_hooks_write(FILE *out, const struct bench_hooks *h)
{
	if (!h->off_bin)
		return;
	fprintf(out, "\n## What --explain and --trace cost when off (issue 14)\n\n"
		"A: the same tree built with -DGUPSIM_NO_HOOKS, every explain "
		"and trace site compiled out. B: this gupsim, every site "
		"compiled in and off (no --explain, no --trace). Each run is a "
		"child process of A or of B, alternating A B A B, %d pairs; a "
		"figure is the run's own median (or CPU time). B / A above 1 "
		"is what the sites cost. Load average before: %s; after: "
		"%s.\n\n"
		"| workload | A: sites out (median) | B: sites in, off (median) "
		"| B / A, median of pairs | B / A, pairs' range |\n"
		"| --- | --- | --- | --- | --- |\n", BENCH_HOOKS_PAIRS,
		h->load_before, h->load_after);
	for (int i = 0; i < BENCH_HOOKS_WORKS; i++) {
		const struct bench_hooks_row *r = &h->row[i];
		double ratio[BENCH_HOOKS_PAIRS];

		if (!r->pairs) {
			fprintf(out, "| %s | not measured (%s) | | | |\n",
				r->what, r->why);
			continue;
		}
		for (int p = 0; p < r->pairs; p++)
			ratio[p] = r->a[p] ? r->b[p] / r->a[p] : 0;
		fprintf(out, "| %s | %.2f %s | %.2f %s | %.3f | %.3f .. %.3f |\n",
			r->what, hooks_median(r->a, r->pairs), r->unit,
			hooks_median(r->b, r->pairs), r->unit,
			bench_median(ratio, r->pairs), r->ratio_lo,
			r->ratio_hi);
	}
}
