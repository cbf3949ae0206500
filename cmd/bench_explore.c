// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim bench --explore: the rows of issue 13, apart from the standard
 * set so either can change without the other.
 *
 *  - explore throughput: schedules per second of `gupsim explore` on the
 *    fork-vs-GUP-fast race of a 4 KiB buffer, on one CPU (the explorer
 *    runs one thread at a time; the process is pinned to the CPU it
 *    started on). Each schedule sets a machine up, runs the file and
 *    tears the machine down, so 1 / rate bounds that cost.
 *  - the cost of schedule points when no explorer runs: this gupsim
 *    against one built with -DGUPSIM_NO_SCHED_POINTS (--baseline PATH;
 *    `make bench` builds it), running the same fork- and pin-heavy
 *    scenario, alternately (A B A B), the median of per-pair ratios.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"
#include "explore.h"

#define EXPLORE_SECS	3.0
#define AB_PAIRS	21
#define AB_ROUNDS	6000	/* fork/pin rounds of the A/B scenario */

static const char fork_race[] =
	"machine mem=16M\n"
	"task A\n"
	"A mmap buf 4K anon\n"
	"A write buf 'x'\n"
	"race\n"
	"  A pin p buf write fast => ok\n"
	"  A fork B\n"
	"end\n"
	"A write buf 'y'\n"
	"dev p read => 'y'\n";

struct explore_row {
	double rate;		/* schedules per second */
	long schedules;
	double ab_ratio;	/* with points / without, median of pairs */
	double with_ms, without_ms;
	bool ab_measured;
};

/* The A/B scenario: rounds of pin, fork, the child's exit, unpin. */
static int write_ab_scenario(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs("machine mem=64M\ntask A\nA mmap buf 64K anon populate\n", f);
	for (int i = 0; i < AB_ROUNDS; i++)
		fprintf(f, "A pin p%d buf len=4K write fast => ok\nA fork C%d\n"
			"C%d write buf 'c'\nC%d exit\nunpin p%d\n"
			"A munmap buf+4K len=4K\nA write buf 'a'\n",
			i, i, i, i, i);
	return fclose(f) ? -errno : 0;
}

/*
 * CPU time (user + system) of `bin run -q path`, in ns; 0 if it did not
 * exit 0. CPU time, not wall time: the machine is shared, and what the
 * points cost is instructions, not waiting.
 */
static double run_once(const char *bin, const char *path)
{
	struct rusage ru;
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			_exit(127);
		execl(bin, bin, "run", "-q", path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		return 0;
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
}

static void measure_ab(const char *self, const char *baseline,
		       struct explore_row *r, FILE *log)
{
	char path[] = "/tmp/gupsim-points-XXXXXX";
	double ratio[AB_PAIRS], with[AB_PAIRS], without[AB_PAIRS];
	int fd = mkstemp(path), n = 0;

	if (fd < 0)
		return;
	close(fd);
	if (write_ab_scenario(path))
		goto out;
	for (int i = 0; i < AB_PAIRS; i++) {
		double a = run_once(self, path), b = run_once(baseline, path);

		if (!a || !b)
			continue;
		with[n] = a;
		without[n] = b;
		ratio[n++] = a / b;
		fprintf(log, "  pair %d: with points %.1f ms CPU, without %.1f ms\n",
			i + 1, a / 1e6, b / 1e6);
	}
	if (n) {
		r->ab_ratio = bench_median(ratio, n);
		r->with_ms = bench_median(with, n) / 1e6;
		r->without_ms = bench_median(without, n) / 1e6;
		r->ab_measured = true;
	}
out:
	unlink(path);
}

/* The explorer on one CPU: the one this process runs on now. */
static void measure_rate(struct explore_row *r)
{
	cpu_set_t old, one;
	int cpu = sched_getcpu();
	bool pinned = false;

	if (cpu >= 0 && !sched_getaffinity(0, sizeof(old), &old)) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pinned = !sched_setaffinity(0, sizeof(one), &one);
	}
	r->rate = explore_rate(fork_race, 1L << 30, EXPLORE_SECS, &r->schedules);
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
}

static void write_rows(FILE *out, const struct explore_row *r)
{
	fprintf(out, "\n## Schedule exploration (issue 13)\n\n"
		"| what | figure | |\n| --- | --- | --- |\n");
	fprintf(out, "| `gupsim explore`, fork against GUP-fast of a 4 KiB "
		"buffer, one CPU: >= 2,000 schedules/s | %.0f schedules/s "
		"(%ld schedules, %.0f us each, machine set-up and tear-down "
		"included) | %s |\n", r->rate, r->schedules,
		r->rate > 0 ? 1e6 / r->rate : 0,
		r->rate >= 2000 ? "met" : "**not met**");
	if (r->ab_measured)
		fprintf(out, "| schedule points without an explorer, A B A B "
			"against a build without them (`gupsim run` of %d "
			"pin/fork/exit/unpin/munmap rounds, %d pairs) | "
			"%.3fx (CPU time %.1f ms with, %.1f ms without) | %s |\n",
			AB_ROUNDS, AB_PAIRS, r->ab_ratio, r->with_ms,
			r->without_ms, r->ab_ratio <= 1.02 ?
			"not measurably slower" : "**slower**");
	else
		fprintf(out, "| schedule points without an explorer, A B A B | "
			"not measured (no --baseline build) | |\n");
}

static void explore_usage(FILE *out)
{
	fputs("usage: gupsim bench --explore [--baseline PATH] [-o FILE]\n\n"
	      "The schedule explorer's rows: schedules per second of the\n"
	      "fork-vs-GUP-fast race, and, with --baseline (a gupsim built with\n"
	      "-DGUPSIM_NO_SCHED_POINTS), the cost of schedule points, A B A B.\n"
	      "-o appends the rows to FILE (make bench: bench/results.md).\n",
	      out);
}

int cmd_bench_explore(int argc, char **argv)
{
	struct explore_row r = { 0 };
	const char *baseline = NULL, *path = NULL;
	char self[4096];
	ssize_t n;
	FILE *out = stdout;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--explore"))
			continue;
		if (!strcmp(argv[i], "--baseline") && i + 1 < argc) {
			baseline = argv[++i];
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			path = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			explore_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "gupsim bench --explore: unexpected '%s'\n",
				argv[i]);
			explore_usage(stderr);
			return 2;
		}
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return 1;
	self[n] = 0;
	measure_rate(&r);
	printf("explore: %.0f schedules/s (%ld schedules)\n", r.rate, r.schedules);
	if (baseline)
		measure_ab(self, baseline, &r, stdout);
	if (path && !(out = fopen(path, "a"))) {
		fprintf(stderr, "gupsim bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	write_rows(out, &r);
	if (out != stdout)
		fclose(out);
	return r.rate > 0 ? 0 : 1;
}
