/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gupsim bench: scenarios per second and wall/CPU time of scenario runs in
 * one process (cmd/bench_scenarios.c).
 */
#ifndef GUPSIM_CMD_BENCH_SCENARIOS_H
#define GUPSIM_CMD_BENCH_SCENARIOS_H

struct bench_scn_rate {
	long runs;		/* scenarios run */
	double wall_ns;		/* elapsed */
	double cpu_ns;		/* this process's CPU time, all threads */
	long voluntary;		/* voluntary context switches: sleeps */
};

/* Every file of paths, rounds times over, in this process; 0 or -errno. */
int bench_scenarios(const char *const *paths, int nr, int rounds,
		    struct bench_scn_rate *out);
/* The same for every .scn file directly in dir, as `gupsim run` takes it. */
int bench_corpus(const char *dir, int rounds, struct bench_scn_rate *out);

#endif /* GUPSIM_CMD_BENCH_SCENARIOS_H */
