// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim bench, scenario scale: how the time to parse and run a scenario
 * grows with its length. Each workload is generated at N statements and
 * at 10 N into a temporary file and run by this very binary as
 * `gupsim run --quiet FILE` in a child process, the path a user takes,
 * timed from spawn to exit. Linear growth reads as a 10N/N ratio near
 * 10; a lookup that scans every name so far makes it near 100.
 *
 * The child is spawned (posix_spawn: no fork of this process, whose
 * model threads would not survive one). When N statements already take
 * more than SCALE_SLOW_S, 10 N is not run (it would take a hundred times
 * longer if the growth is quadratic) and the row says so. 10 N is killed
 * once it has taken SCALE_KILL_X times as long as N (linear growth needs
 * 10), and then the row gives that bound: the bench stays short while
 * growth is worse than linear.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench_util.h"

#define SCALE_SLOW_S	10
#define SCALE_KILL_X	30
#define SCALE_KILL_MIN_S 10	/* however fast N was: noise, start-up */
#define SCALE_KILL_N_S	300	/* N itself */

extern char **environ;

/* Writes a scenario of about n statements; returns how many it wrote. */
typedef unsigned long (*gen_fn)(FILE *f, unsigned long n);

/* Tasks that come and go: every name is new, nothing piles up in memory. */
static unsigned long gen_tasks(FILE *f, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n / 2; i++)
		fprintf(f, "task T%lu\nT%lu exit\n", i, i);
	return 2 * i;
}

/* One page pinned and unpinned again and again, each pin a new handle. */
static unsigned long gen_pins(FILE *f, unsigned long n)
{
	unsigned long i;

	fprintf(f, "task A\nA mmap b 4K anon\nA write b 'x'\n");
	for (i = 0; i < (n - 3) / 2; i++)
		fprintf(f, "A pin p%lu b longterm write\nunpin p%lu\n", i, i);
	return 3 + 2 * i;
}

/* A round of everything common: map, touch, pin, device read, unmap. */
static unsigned long gen_mixed(FILE *f, unsigned long n)
{
	unsigned long i;

	fprintf(f, "machine mem=64M\ntask A\n");
	for (i = 0; i < (n - 2) / 6; i++)
		fprintf(f, "A mmap m%lu 4K anon\nA write m%lu 'a'\n"
			"A pin p%lu m%lu longterm write\ndev p%lu read\n"
			"unpin p%lu\nA munmap m%lu\n", i, i, i, i, i, i, i);
	return 2 + 6 * i;
}

static const struct {
	const char *what;
	gen_fn gen;
} workloads[BENCH_SCALE_KINDS] = {
	{ "`task` + `exit` pairs", gen_tasks },
	{ "pin + unpin of one page", gen_pins },
	{ "mixed (mmap, write, pin, dev read, unpin, munmap)", gen_mixed },
};

/*
 * The scenario in a temporary file, already unlinked (nothing is left
 * behind however the bench ends): an fd the child inherits, or -errno.
 * The child reads it as /dev/fd/FD.
 */
static int write_scenario(gen_fn gen, unsigned long n,
			  unsigned long *written)
{
	const char *dir = getenv("TMPDIR");
	char path[256];
	FILE *f = NULL;
	int fd, wfd;

	snprintf(path, sizeof(path), "%s/gupsim-scale.XXXXXX.scn",
		 dir ? dir : "/tmp");
	fd = mkstemps(path, 4);
	if (fd < 0)
		return -errno;
	unlink(path);
	wfd = dup(fd);
	if (wfd >= 0)
		f = fdopen(wfd, "w");
	if (!f) {
		if (wfd >= 0)
			close(wfd);
		close(fd);
		return -ENOMEM;
	}
	*written = gen(f, n);
	if (fclose(f)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

/* Waits for the child at most limit_ns; its status, or -ETIMEDOUT. */
static int wait_child(pid_t pid, double limit_ns)
{
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	uint64_t deadline = bench_now_ns() + (uint64_t)limit_ns;
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0) {
		if (bench_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -ETIMEDOUT;
		}
		nanosleep(&tick, NULL);
	}
	return status;
}

/*
 * `gupsim run --quiet path`, output to /dev/null: its time in *ns; killed
 * after limit_ns (-ETIMEDOUT).
 */
static int run_scenario(const char *path, double limit_ns, double *ns)
{
	char *argv[] = { "gupsim", "run", "--quiet", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	uint64_t t0;
	pid_t pid;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	t0 = bench_now_ns();
	ret = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (ret)
		return -ret;
	ret = wait_child(pid, limit_ns);
	*ns = (double)(bench_now_ns() - t0);
	if (ret < 0)
		return ret;
	/* exit 0: parsed, ran to the end, invariants held, nothing leaked */
	return WIFEXITED(ret) && WEXITSTATUS(ret) == 0 ? 0 : -ECHILD;
}

static int measure(struct bench_scale_row *row, int k, gen_fn gen,
		   unsigned long n, FILE *log)
{
	double limit = k ? row->ns[0] * SCALE_KILL_X : SCALE_KILL_N_S * 1e9;
	int fd = write_scenario(gen, n, &row->n[k]), ret;
	char path[32];

	if (fd < 0)
		return fd;
	if (limit < SCALE_KILL_MIN_S * 1e9)
		limit = SCALE_KILL_MIN_S * 1e9;
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	ret = run_scenario(path, limit, &row->ns[k]);
	close(fd);
	if (ret == -ETIMEDOUT)
		snprintf(row->why, sizeof(row->why),
			 "%lu statements killed after %.0f s: over %.0fx the time of %lu (linear: 10x)",
			 row->n[k], row->ns[k] / 1e9,
			 k ? row->ns[k] / row->ns[0] : 0, row->n[0]);
	else if (ret)
		snprintf(row->why, sizeof(row->why),
			 "gupsim run failed on %lu statements", row->n[k]);
	else
		fprintf(log, "%-52s %8lu statements: %8.3f s, %6.2f us/statement\n",
			row->what, row->n[k], row->ns[k] / 1e9,
			row->ns[k] / 1e3 / row->n[k]);
	fflush(log);
	if (ret)
		row->ns[k] = 0;
	return ret;
}

void bench_scale_measure(unsigned long n, struct bench_scale_row *rows,
			 FILE *log)
{
	for (int i = 0; i < BENCH_SCALE_KINDS; i++) {
		struct bench_scale_row *row = &rows[i];

		memset(row, 0, sizeof(*row));
		row->what = workloads[i].what;
		if (measure(row, 0, workloads[i].gen, n, log))
			goto said;
		if (row->ns[0] > SCALE_SLOW_S * 1e9) {
			snprintf(row->why, sizeof(row->why),
				 "%lu statements not run: %lu took %.1f s (over %d s)",
				 10 * n, row->n[0], row->ns[0] / 1e9,
				 SCALE_SLOW_S);
			goto said;
		}
		if (measure(row, 1, workloads[i].gen, 10 * n, log))
			goto said;
		fprintf(log, "%-52s 10x the statements: %.1fx the time (linear: 10x)\n",
			row->what, bench_scale_ratio(row));
		continue;
said:
		fprintf(log, "%-52s %s\n", row->what, row->why);
		fflush(log);
	}
}

double bench_scale_ratio(const struct bench_scale_row *row)
{
	if (!row->ns[0] || !row->ns[1] || !row->n[0] || !row->n[1])
		return 0;
	/* per-statement times, so that rounding of the sizes cancels out */
	return (row->ns[1] / row->n[1]) / (row->ns[0] / row->n[0]) * 10;
}

void bench_scale_write(FILE *out, const struct bench_scale_row *rows)
{
	fprintf(out, "\n## Parse and run of long scenarios (`gupsim run`)\n\n"
		"| workload | N statements | 10 N statements | 10 N / N time "
		"(linear: 10x) |\n| --- | --- | --- | --- |\n");
	for (int i = 0; i < BENCH_SCALE_KINDS; i++) {
		const struct bench_scale_row *r = &rows[i];

		fprintf(out, "| %s | ", r->what);
		for (int k = 0; k < 2; k++) {
			if (r->ns[k])
				fprintf(out, "%lu: %.2f s (%.2f us each) | ",
					r->n[k], r->ns[k] / 1e9,
					r->ns[k] / 1e3 / r->n[k]);
			else
				fprintf(out, "- | ");
		}
		if (r->why[0])
			fprintf(out, "%s |\n", r->why);
		else
			fprintf(out, "%.1fx |\n", bench_scale_ratio(r));
	}
}
