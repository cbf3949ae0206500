// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim explore: runs a scenario once per interleaving of its race
 * blocks' threads at the model's schedule points (<gupsim/explore.h>),
 * checking in every schedule each expectation, inside and after the
 * blocks, and the invariant checker (the model backend's close).
 *
 * Each schedule runs the whole file on a fresh machine: what comes before
 * a block is set up again every time, which is what makes a schedule
 * replayable from its id alone.
 *
 * A failure is told apart from another by what failed (the expectation's
 * line and the result it got, an invariant, a deadlock), not by the
 * schedule; the first schedule of each is replayed once more to draw it
 * with every statement's result.
 *
 * Exit status as `run`: 0 every schedule held, 1 one failed, 2 usage or
 * syntax, 3 an invariant broke.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gupsim/explore.h>
#include <gupsim/profile.h>

#include "../scenario/scenario.h"
#include "../backend/backend.h"
#include "explore.h"
#include "kernel_opt.h"
#include "source.h"

#define MAX_FAILURES	16	/* distinct failures reported */

struct xopts {
	struct explore_config cfg;
	bool json;
	const struct kernel_profile *kernel;
	const char *file;
};

struct failure {
	char *sig;		/* what failed, to tell failures apart */
	char *id;
	int status;
	long nr;		/* schedules that failed this way */
};

struct session {
	const struct program *prog;
	const struct xopts *o;
	struct failure fail[MAX_FAILURES];
	int nr_fail;
	long nr_failed;		/* schedules that failed */
	int status;
};

static void usage(FILE *out)
{
	fputs("usage: gupsim explore [--preemptions N] [--random N [--seed S]]\n"
	      "                      [--shard I/N] [--schedule ID] [--json]\n"
	      "                      [--kernel VERSION] FILE\n"
	      "\n"
	      "Runs FILE once per interleaving of its race blocks' threads at the\n"
	      "model's schedule points, and checks in every schedule each\n"
	      "expectation and the model's invariants. Prints the number of\n"
	      "schedules, whether the bounded space was covered, and the first\n"
	      "schedule of each distinct failure, drawn one column per thread.\n"
	      "\n"
	      "options:\n"
	      "  -p, --preemptions N  at most N preemptions per schedule (default 2);\n"
	      "                       a switch where a thread waits is free\n"
	      "  -r, --random N       N random schedules instead (PCT priorities, with\n"
	      "                       --preemptions priority changes each)\n"
	      "  -s, --seed S         the random schedules' seed (default 1)\n"
	      "      --shard I/N      run the I-th (1..N) of N disjoint parts; together\n"
	      "                       they are exactly the unsharded run\n"
	      "      --schedule ID    replay that schedule, print it and its results\n"
	      "  -j, --json           one JSON object\n"
	      "  -k, --kernel VERSION behave as Linux VERSION, whatever kernel= says\n"
	      "  -h, --help           show this help\n"
	      "\n"
	      "exit status: 0 every schedule held, 1 one failed, 2 usage or syntax\n"
	      "error, 3 a model invariant was violated.\n", out);
}

/* A whole decimal number in [min, max]; false after saying why not. */
static bool number(const char *opt, const char *v, long min, long max,
		   long *out)
{
	char *end;
	long n;

	if (!v) {
		fprintf(stderr, "gupsim explore: %s needs a number\n", opt);
		return false;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < min || n > max) {
		fprintf(stderr, "gupsim explore: %s %s: expected a number from %ld to %ld\n",
			opt, v, min, max);
		return false;
	}
	*out = n;
	return true;
}

static bool shard(const char *v, struct explore_config *cfg)
{
	long i, n;
	char *slash = v ? strchr(v, '/') : NULL;

	if (!slash) {
		fprintf(stderr, "gupsim explore: --shard %s: expected I/N, e.g. 2/8\n",
			v ? v : "");
		return false;
	}
	*slash = 0;
	if (!number("--shard", v, 1, 1000000, &i) ||
	    !number("--shard", slash + 1, 1, 1000000, &n))
		return false;
	if (i > n) {
		fprintf(stderr, "gupsim explore: --shard %ld/%ld: I is past N\n", i, n);
		return false;
	}
	cfg->shard = (int)i - 1;
	cfg->nr_shards = (int)n;
	return true;
}

/* The value of --name=V or of the next argument. */
static char *value(char *a, int argc, char **argv, int *i)
{
	char *eq = strchr(a, '=');

	if (a[1] == '-' && eq)
		return eq + 1;
	return *i + 1 < argc ? argv[++*i] : NULL;
}

static bool is(const char *a, const char *s, const char *l)
{
	size_t n = strlen(l);

	return !strcmp(a, s) || (!strncmp(a, l, n) && (!a[n] || a[n] == '='));
}

/* 0: run; 1: help printed; 2: bad usage, said why. */
static int parse_args(int argc, char **argv, struct xopts *o)
{
	long n;

	o->cfg.preemptions = 2;
	o->cfg.seed = 1;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];

		if (a[0] != '-' || !a[1]) {
			if (o->file) {
				fprintf(stderr, "gupsim explore: one FILE at a time\n");
				return 2;
			}
			o->file = a;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			o->json = true;
		} else if (is(a, "-p", "--preemptions")) {
			if (!number(a, value(a, argc, argv, &i), 0, 64, &n))
				return 2;
			o->cfg.preemptions = (int)n;
		} else if (is(a, "-r", "--random")) {
			if (!number(a, value(a, argc, argv, &i), 1, 1L << 40,
				    &o->cfg.random))
				return 2;
		} else if (is(a, "-s", "--seed")) {
			if (!number(a, value(a, argc, argv, &i), 0, LONG_MAX, &n))
				return 2;
			o->cfg.seed = (uint64_t)n;
		} else if (is(a, "--shard", "--shard")) {
			if (!shard(value(a, argc, argv, &i), &o->cfg))
				return 2;
		} else if (is(a, "--schedule", "--schedule")) {
			o->cfg.schedule = value(a, argc, argv, &i);
			if (!o->cfg.schedule) {
				fprintf(stderr, "gupsim explore: --schedule needs an id\n");
				return 2;
			}
		} else if (is(a, "-k", "--kernel")) {
			o->kernel = kernel_opt_parse("explore",
						     value(a, argc, argv, &i));
			if (!o->kernel)
				return 2;
		} else {
			fprintf(stderr, "gupsim explore: unknown option '%s'\n", a);
			return 2;
		}
	}
	if (!o->file) {
		fprintf(stderr, "gupsim explore: no scenario file given\n");
		return 2;
	}
	return 0;
}

static void race_runner(void *arg, int n, void (*fn)(void *ctx, int i),
			void *ctx)
{
	explore_threads(arg, n, fn, ctx);
}

/* One schedule of prog under ex: its exit status; out and err in memory. */
static int run_schedule(const struct program *prog, struct explore *ex,
			bool quiet, char **out, char **err)
{
	struct run_options ro = { .quiet = quiet, .backend = &model_backend_ops,
				  .race = race_runner, .race_arg = ex };
	size_t olen, elen;
	FILE *o = open_memstream(out, &olen), *e = open_memstream(err, &elen);
	int status;

	if (!o || !e) {
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		*out = *err = NULL;
		return 2;
	}
	status = scn_run(prog, &ro, o, e);
	fclose(o);
	fclose(e);
	if (explore_anomaly(ex) && status == 0)
		status = 1;
	return status;
}

/*
 * What failed, without what only this schedule says (addresses, pfns):
 * each error line up to its first digit after the line number.
 */
static char *signature(const char *err, const char *anomaly)
{
	size_t len = strlen(err) + 64;
	char *sig = malloc(len), *p = sig;

	if (!sig)
		return NULL;
	p += snprintf(p, len, "%s\n", anomaly ? anomaly : "");
	for (const char *l = err; *l;) {
		const char *nl = strchr(l, '\n'), *end = nl ? nl : l + strlen(l);
		const char *colon = strstr(l, "invariant");

		if (colon && colon < end)
			end = colon;
		memcpy(p, l, end - l);
		p += end - l;
		*p++ = '\n';
		l = nl ? nl + 1 : end;
	}
	*p = 0;
	return sig;
}

static void note_failure(struct session *s, struct explore *ex, int status,
			 const char *err)
{
	char *sig = signature(err ? err : "", explore_anomaly(ex));
	int i;

	s->nr_failed++;
	if (status > s->status)
		s->status = status;
	for (i = 0; sig && i < s->nr_fail; i++)
		if (!strcmp(s->fail[i].sig, sig))
			break;
	if (!sig || i < s->nr_fail) {
		if (sig)
			s->fail[i].nr++;
		free(sig);
		return;
	}
	if (s->nr_fail == MAX_FAILURES) {
		free(sig);
		return;
	}
	s->fail[s->nr_fail++] = (struct failure){
		.sig = sig, .id = strdup(explore_schedule_id(ex)),
		.status = status, .nr = 1,
	};
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Replays schedule id and prints it: the drawing, every statement's
 * result, what failed. Its exit status.
 */
static int show_schedule(FILE *out, const struct session *s, const char *id,
			 bool json)
{
	struct explore_config cfg = { .schedule = id };
	char msg[256], *o = NULL, *e = NULL;
	struct explore *ex = explore_create(&cfg, msg, sizeof(msg));
	int status;

	if (!ex) {
		fprintf(stderr, "gupsim explore: %s\n", msg);
		return 2;
	}
	explore_begin(ex);
	status = run_schedule(s->prog, ex, false, &o, &e);
	explore_end(ex);
	if (json) {
		fprintf(out, "{\"schedule\":");
		scn_json_string(out, id);
		fprintf(out, ",\"preemptions\":%d,\"status\":%d,\"anomaly\":",
			explore_preemptions(ex), status);
		if (explore_anomaly(ex))
			scn_json_string(out, explore_anomaly(ex));
		else
			fputs("null", out);
		fputs(",\"steps\":", out);
		explore_draw_json(out, ex);
		fputs(",\"results\":", out);
		scn_json_string(out, o);
		fputs(",\"errors\":", out);
		scn_json_string(out, e);
		fputc('}', out);
	} else {
		fprintf(out, "schedule %s (%d preemption%s)%s%s\n\n", id,
			explore_preemptions(ex),
			explore_preemptions(ex) == 1 ? "" : "s",
			explore_anomaly(ex) ? ": " : "",
			explore_anomaly(ex) ? explore_anomaly(ex) : "");
		explore_draw(out, s->prog, ex);
		fprintf(out, "\n%s%s", o ? o : "", e ? e : "");
		fprintf(out, "replay: gupsim explore --schedule %s %s\n", id,
			s->o->file);
	}
	free(o);
	free(e);
	explore_destroy(ex);
	return status;
}

static const char *mode_text(const struct explore_config *c, char *buf,
			     size_t len)
{
	if (c->random)
		snprintf(buf, len, "random, seed %llu, %d priority change%s",
			 (unsigned long long)c->seed, c->preemptions,
			 c->preemptions == 1 ? "" : "s");
	else
		snprintf(buf, len, "at most %d preemption%s", c->preemptions,
			 c->preemptions == 1 ? "" : "s");
	return buf;
}

static void report(const struct session *s, const struct explore *ex,
		   double secs)
{
	const struct xopts *o = s->o;
	long n = explore_nr_schedules(ex);
	char mode[96], part[32] = "";

	mode_text(&o->cfg, mode, sizeof(mode));
	if (o->cfg.nr_shards > 1)
		snprintf(part, sizeof(part), "shard %d/%d, ", o->cfg.shard + 1,
			 o->cfg.nr_shards);
	if (o->json) {
		fputs("{\"file\":", stdout);
		scn_json_string(stdout, o->file);
		fprintf(stdout, ",\"mode\":\"%s\",\"preemptions\":%d,\"seed\":%llu,\"shard\":\"%d/%d\",\"schedules\":%ld,\"covered\":%s,\"failed\":%ld,\"seconds\":%.3f,\"failures\":[",
			o->cfg.random ? "random" : "dfs", o->cfg.preemptions,
			(unsigned long long)o->cfg.seed, o->cfg.shard + 1,
			o->cfg.nr_shards, n,
			explore_covered(ex) ? "true" : "false", s->nr_failed,
			secs);
		for (int i = 0; i < s->nr_fail; i++) {
			if (i)
				fputc(',', stdout);
			show_schedule(stdout, s, s->fail[i].id, true);
		}
		fprintf(stdout, "],\"exit\":%d}\n", s->status);
		return;
	}
	for (int i = 0; i < s->nr_fail; i++) {
		printf("=== failure %d of %d (%ld schedule%s) ===\n", i + 1,
		       s->nr_fail, s->fail[i].nr, s->fail[i].nr == 1 ? "" : "s");
		show_schedule(stdout, s, s->fail[i].id, false);
		putchar('\n');
	}
	printf("%s: %ld schedule%s (%s%s), %s; %ld failed (%d distinct); %.0f schedules/s\n",
	       o->file, n, n == 1 ? "" : "s", part, mode,
	       o->cfg.random ? "random sample" :
	       explore_covered(ex) ? "the bounded space covered" :
	       "NOT covered", s->nr_failed, s->nr_fail,
	       secs > 0 ? n / secs : 0.0);
}

static int explore_file(struct session *s)
{
	char msg[256];
	struct explore *ex = explore_create(&s->o->cfg, msg, sizeof(msg));
	double t0 = now();

	if (!ex) {
		fprintf(stderr, "gupsim explore: %s\n", msg);
		return 2;
	}
	while (explore_begin(ex)) {
		char *out = NULL, *err = NULL;
		int status = run_schedule(s->prog, ex, true, &out, &err);

		explore_end(ex);
		if (status && explore_counted(ex))
			note_failure(s, ex, status, err);
		free(out);
		free(err);
		if (status == 2)
			break;
	}
	report(s, ex, now() - t0);
	explore_destroy(ex);
	return s->status;
}

int cmd_explore(int argc, char **argv)
{
	struct xopts o = { 0 };
	struct source src = { 0 };
	struct session s = { .o = &o };
	int ret = parse_args(argc, argv, &o);

	if (ret == 1)
		return 0;
	if (ret) {
		fprintf(stderr, "Try 'gupsim explore --help' for more information.\n");
		return 2;
	}
	src.name = o.file;
	if (sources_parse(&src, 1)) {
		free(src.buf);
		return 2;
	}
	s.prog = src.prog;
	if (!s.prog->nr_races) {
		fprintf(stderr, "gupsim explore: %s has no race block: nothing to explore\n",
			o.file);
		ret = 2;
		goto out;
	}
	machine_kernel_force(o.kernel);
	if (o.cfg.schedule)
		ret = show_schedule(stdout, &s, o.cfg.schedule, o.json);
	else
		ret = explore_file(&s);
	machine_kernel_force(NULL);
	if (o.json && o.cfg.schedule)
		putchar('\n');
out:
	for (int i = 0; i < s.nr_fail; i++) {
		free(s.fail[i].sig);
		free(s.fail[i].id);
	}
	scn_free(src.prog);
	free(src.buf);
	return ret;
}

/* ---- for gupsim bench ---- */

double explore_rate(const char *text, long max, double secs, long *ran)
{
	struct source src = { .name = "bench.scn", .buf = (char *)text,
			      .len = strlen(text) };
	struct explore_config cfg = { .preemptions = 2 };
	char msg[128];
	double t0, t;
	long n = 0;

	if (sources_parse(&src, 1))
		return -1;
	t0 = now();
	/* the whole bounded space, again and again, until time is up */
	while (n < max && now() - t0 < secs) {
		struct explore *ex = explore_create(&cfg, msg, sizeof(msg));

		while (ex && n < max && explore_begin(ex)) {
			char *out, *err;

			run_schedule(src.prog, ex, true, &out, &err);
			explore_end(ex);
			free(out);
			free(err);
			n++;
		}
		explore_destroy(ex);
		if (!ex)
			break;
	}
	t = now() - t0;
	scn_free(src.prog);
	*ran = n;
	return t > 0 ? n / t : 0;
}
