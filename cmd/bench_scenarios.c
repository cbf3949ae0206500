// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim bench: how many scenarios the model runs, in one process, as
 * `gupsim run FILE...` runs them (parse, run on the model backend with
 * its checker and leak check at the end, free), and how much of the wall
 * time is the process's own CPU time.
 *
 * Wall time above CPU time is waiting: either the process sleeps (a grace
 * period, a lock) or another process holds the CPU. The voluntary context
 * switches (getrusage) tell the two apart: a run that never sleeps has a
 * handful, whatever the load; one that waits for RCU at every teardown
 * had hundreds.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_scenarios.h"
#include "bench_util.h"
#include "../scenario/scenario.h"
#include "../backend/backend.h"

struct scn_file {
	const char *path;
	char *buf;
	size_t len;
};

static uint64_t cpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static long voluntary_switches(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_nvcsw;
}

/* One file, parsed and run on the model; its exit status (2: no parse). */
static int run_file(const struct scn_file *f, FILE *devnull)
{
	struct run_options opts = { .quiet = true,
				    .backend = &model_backend_ops };
	struct scn_error err;
	struct program *prog;
	int status;

	prog = scn_parse(f->path, f->buf, f->len, &err);
	if (!prog)
		return 2;
	status = scn_run(prog, &opts, devnull, devnull);
	scn_free(prog);
	return status;
}

/*
 * Runs every file `rounds` times over (file order, round after round)
 * and fills out. A file that does not parse, or breaks the model (exit
 * status 2 or 3), fails the measurement: -EINVAL.
 */
static int run_files(struct scn_file *files, int nr, int rounds,
		     struct bench_scn_rate *out)
{
	FILE *devnull = fopen("/dev/null", "w");
	uint64_t w0, c0;
	long v0;
	int r, i, bad = 0;

	if (!devnull)
		return -errno;
	v0 = voluntary_switches();
	c0 = cpu_now_ns();
	w0 = bench_now_ns();
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nr; i++)
			if (run_file(&files[i], devnull) >= 2 && !bad++)
				fprintf(stderr, "gupsim bench: %s failed\n",
					files[i].path);
	out->wall_ns = (double)(bench_now_ns() - w0);
	out->cpu_ns = (double)(cpu_now_ns() - c0);
	out->voluntary = voluntary_switches() - v0;
	out->runs = (long)rounds * nr;
	fclose(devnull);
	return bad ? -EINVAL : 0;
}

static void free_files(struct scn_file *files, int nr)
{
	for (int i = 0; i < nr; i++)
		free(files[i].buf);
	free(files);
}

int bench_scenarios(const char *const *paths, int nr, int rounds,
		    struct bench_scn_rate *out)
{
	struct scn_file *files = calloc(nr, sizeof(*files));
	int i, ret;

	if (!files)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		files[i].path = paths[i];
		ret = scn_read_file(paths[i], &files[i].buf, &files[i].len);
		if (ret) {
			fprintf(stderr, "gupsim bench: cannot read %s\n",
				paths[i]);
			free_files(files, nr);
			return ret < 0 ? ret : -EIO;
		}
	}
	ret = run_files(files, nr, rounds, out);
	free_files(files, nr);
	return ret;
}

int bench_corpus(const char *dir, int rounds, struct bench_scn_rate *out)
{
	char pattern[4096];
	glob_t g;
	int ret;

	snprintf(pattern, sizeof(pattern), "%s/*.scn", dir);
	if (glob(pattern, 0, NULL, &g) || !g.gl_pathc) {
		fprintf(stderr, "gupsim bench: no scenarios in %s\n", dir);
		return -ENOENT;
	}
	ret = bench_scenarios((const char *const *)g.gl_pathv,
			      (int)g.gl_pathc, rounds, out);
	globfree(&g);
	return ret;
}
