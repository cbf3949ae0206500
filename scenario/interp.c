// SPDX-License-Identifier: GPL-2.0
/*
 * The interpreter: runs a parsed program statement by statement through a
 * backend, compares each result with its expectation and reports.
 *
 * Output, per statement: the line number, the statement as written, its
 * result, and ok/FAIL when there was an expectation; then a summary. A
 * failed expectation is also reported as `FILE:LINE: expected X, got Y`
 * on the error stream. With --json every statement is one JSON object
 * (and the summary one more), for tools.
 *
 * The exit status: 0 all held, 1 an expectation failed, 3 the backend
 * found its model broken (`check`, the final invariant and leak checks).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"
#include "../backend/backend.h"

void scn_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

struct run_state {
	const struct program *prog;
	const struct run_options *opts;
	FILE *out, *err;
	int nr_run, nr_expect, nr_failed;
	int nr_not_run;		/* expectations after an early stop */
	bool stopped;		/* the run ended before its end: a failure */
	bool broken;
};

/* "  12  A where buf        => cma      ok  # message", no trailing blanks */
/* SGR sequences of a status word, for a terminal that asked for colour. */
static const char *status_color(const char *status)
{
	if (!strcmp(status, "FAIL"))
		return "\033[1;31m";
	if (!strcmp(status, "ok"))
		return "\033[32m";
	if (!strcmp(status, "skip"))
		return "\033[2m";
	return NULL;
}

static void print_line(FILE *out, const struct stmt *st, const char *got,
		       const char *status, const char *msg, bool color)
{
	const char *sgr = color ? status_color(status) : NULL;
	char line[1024];
	int n;

	/* the padding stays outside the colour, so trailing blanks trim */
	n = snprintf(line, sizeof(line), "%4d  %-44s => %-10s %s%s%s%*s%s%s",
		     st->line, st->text, got, sgr ? sgr : "", status,
		     sgr ? "\033[0m" : "", 4 - (int)strlen(status), "",
		     *msg ? "  # " : "", msg);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	while (n > 0 && line[n - 1] == ' ')
		line[--n] = 0;
	fprintf(out, "%s\n", line);
}

/* What `show` printed, indented under its statement. */
static void print_output(FILE *out, const char *text)
{
	while (*text) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);

		fprintf(out, "      %.*s\n", len, text);
		text += len + (nl ? 1 : 0);
	}
}

/*
 * --explain says why for every errno and skip, every failed expectation
 * and every statement where a rule decided something (a pin that
 * migrated or unshared pages): the backend's lines, "KIND\tTEXT".
 */
static bool explain_wanted(const struct result *r, bool failed,
			   const char *why)
{
	if (!why || !*why)
		return r->kind == RES_ERRNO || r->kind == RES_SKIP || failed;
	if (r->kind == RES_ERRNO || r->kind == RES_SKIP || failed)
		return true;
	return !strncmp(why, "rule\t", 5) || strstr(why, "\nrule\t");
}

/* Calls fn(kind, text) for each line of the backend's why text. */
static void why_for_each(const char *why,
			 void (*fn)(FILE *, const char *, int, const char *,
				    int, bool),
			 FILE *out)
{
	bool first = true;

	while (why && *why) {
		const char *nl = strchr(why, '\n');
		const char *tab = strchr(why, '\t');
		int len = nl ? (int)(nl - why) : (int)strlen(why);

		if (tab && tab < why + len)
			fn(out, why, (int)(tab - why), tab + 1,
			   (int)(why + len - tab - 1), first);
		first = false;
		why += len + (nl ? 1 : 0);
	}
}

static void why_text(FILE *out, const char *kind, int klen, const char *text,
		     int tlen, bool first)
{
	(void)first;
	if (klen == 4 && !strncmp(kind, "rule", 4))
		fprintf(out, "      because %.*s\n", tlen, text);
	else if (klen == 6 && !strncmp(kind, "object", 6))
		fprintf(out, "        %.*s\n", tlen, text);
	else
		fprintf(out, "      %.*s: %.*s\n", klen, kind, tlen, text);
}

static void why_json(FILE *out, const char *kind, int klen, const char *text,
		     int tlen, bool first)
{
	char *k = strndup(kind, klen), *t = strndup(text, tlen);

	fprintf(out, "%s{\"kind\":", first ? "" : ",");
	scn_json_string(out, k);
	fprintf(out, ",\"text\":");
	scn_json_string(out, t);
	fputc('}', out);
	free(k);
	free(t);
}

static void report(struct run_state *rs, const struct stmt *st,
		   const struct result *r, const char *output,
		   const char *why, const char *trace)
{
	char got[64], exp[64];
	/* a statement the backend could not run has nothing to compare */
	bool skipped = r->kind == RES_SKIP;
	bool failed = st->has_expect && !skipped &&
		      !result_matches(&st->expect, r);
	const char *status = !st->has_expect ? "" : skipped ? "skip" :
			     failed ? "FAIL" : "ok";

	result_format(r, got, sizeof(got));
	exp[0] = 0;
	if (st->has_expect)
		result_format(&st->expect, exp, sizeof(exp));
	if (rs->opts->on_result)
		rs->opts->on_result(rs->opts->arg, st, r);
	rs->nr_run++;
	rs->nr_expect += st->has_expect;
	rs->nr_failed += failed;
	if (rs->opts->json) {
		fprintf(rs->out, "{\"file\":");
		scn_json_string(rs->out, rs->prog->filename);
		fprintf(rs->out, ",\"line\":%d,\"statement\":", st->line);
		scn_json_string(rs->out, st->text);
		fprintf(rs->out, ",\"result\":");
		scn_json_string(rs->out, got);
		fprintf(rs->out, ",\"expected\":");
		if (st->has_expect)
			scn_json_string(rs->out, exp);
		else
			fputs("null", rs->out);
		fprintf(rs->out, ",\"status\":\"%s\"",
			!st->has_expect ? "none" : skipped ? "skip" :
			failed ? "fail" : "ok");
		if (r->msg[0]) {
			fprintf(rs->out, ",\"message\":");
			scn_json_string(rs->out, r->msg);
		}
		if (output && *output) {
			fprintf(rs->out, ",\"output\":");
			scn_json_string(rs->out, output);
		}
		if (rs->opts->explain && explain_wanted(r, failed, why)) {
			fprintf(rs->out, ",\"explain\":[");
			why_for_each(why, why_json, rs->out);
			fputc(']', rs->out);
		}
		if (trace && *trace) {
			fprintf(rs->out, ",\"trace\":");
			scn_json_string(rs->out, trace);
		}
		fputs("}\n", rs->out);
	} else if (!rs->opts->quiet || failed) {
		print_line(rs->out, st, got, status, r->msg, rs->opts->color);
		if (output && *output && !rs->opts->quiet)
			print_output(rs->out, output);
		if (rs->opts->explain && explain_wanted(r, failed, why))
			why_for_each(why, why_text, rs->out);
		if (trace && *trace && !rs->opts->quiet)
			print_output(rs->out, trace);
	}
	if (failed) {
		fflush(rs->out);
		fprintf(rs->err, "%s:%d: expected %s, got %s\n",
			rs->prog->filename, st->line, exp, got);
	}
	if (r->broken) {
		rs->broken = true;
		fflush(rs->out);
		fprintf(rs->err, "%s:%d: model invariant violated: %s\n",
			rs->prog->filename, st->line, r->msg);
	}
}

/*
 * `show` and anything else a backend prints go through a memory stream;
 * so does what it says about why (*why, --explain only).
 */
static struct result run_one(struct backend *be, const struct stmt *st,
			     char **output, char **why, char **trace)
{
	backend_op_t op = st->kind < NR_STMT_KINDS ? be->ops->op[st->kind] :
			  NULL;
	struct result r;
	size_t size = 0, wsize = 0, tsize = 0;
	bool hooks;

	*output = NULL;
	if (why && !op) {
		*why = malloc(256);
		if (*why)
			snprintf(*why, 256,
				 "rule\tthe %s backend has no operation for '%s'\n",
				 be->ops->name, stmt_kind_name(st->kind));
	}
	if (!op) {
		r = (struct result){ .kind = RES_SKIP };
		snprintf(r.msg, sizeof(r.msg), "the %s backend cannot run '%s'",
			 be->ops->name, stmt_kind_name(st->kind));
		return r;
	}
	be->out = open_memstream(output, &size);
	if (why)
		be->why = open_memstream(why, &wsize);
	if (trace)
		be->trace = open_memstream(trace, &tsize);
	hooks = be->why || be->trace || be->trace_json;
	if (hooks && be->ops->stmt_begin)
		be->ops->stmt_begin(be, st);
	r = op(be, st);
	if (hooks && be->ops->stmt_end)
		be->ops->stmt_end(be, st, &r);
	/* a skip's reason is the backend's decision, said where it decided */
	if (be->why && r.kind == RES_SKIP)
		fprintf(be->why, "rule\tthe %s backend skips it: %s\n",
			be->ops->name, r.msg[0] ? r.msg : "no reason given");
	if (be->why)
		fclose(be->why);
	if (be->trace)
		fclose(be->trace);
	be->why = be->trace = NULL;
	if (be->out)
		fclose(be->out);
	be->out = NULL;
	return r;
}

static void default_machine(struct stmt *st)
{
	memset(st, 0, sizeof(*st));
	st->kind = ST_MACHINE;
	st->text = "machine";
	st->machine.mem = 256ULL << 20;
	st->task = -1;
}

static void summary(struct run_state *rs, int status, const char *why)
{
	if (rs->opts->json) {
		fprintf(rs->out, "{\"file\":");
		scn_json_string(rs->out, rs->prog->filename);
		fprintf(rs->out,
			",\"summary\":{\"statements\":%d,\"expectations\":%d,\"failed\":%d,\"not_run\":%d,\"invariants\":\"%s\",\"exit\":%d}}\n",
			rs->nr_run, rs->nr_expect, rs->nr_failed, rs->nr_not_run,
			rs->broken ? "violated" : "hold", status);
		return;
	}
	fprintf(rs->out, "%s: %d statements, %d expectations, %d failed; %s%s%s",
		rs->prog->filename, rs->nr_run, rs->nr_expect, rs->nr_failed,
		rs->broken ? "MODEL INVARIANTS VIOLATED" : "invariants hold",
		why ? "; " : "", why ? why : "");
	if (rs->stopped)
		fprintf(rs->out, "; %d expectation%s did not run",
			rs->nr_not_run, rs->nr_not_run == 1 ? "" : "s");
	fputc('\n', rs->out);
}

/*
 * The run stops before statement `from` (nothing runs without a machine):
 * counts the expectations that were not checked and says so, as a run
 * that checked less than it was asked to must not pass.
 */
static void stop_early(struct run_state *rs, int from, int line,
		       const char *why)
{
	const struct program *prog = rs->prog;
	int n = 0;

	for (int i = from; i < prog->nr_stmts; i++)
		n += prog->stmts[i].has_expect;
	rs->nr_not_run = n;
	fflush(rs->out);
	if (line)
		fprintf(rs->err, "%s:%d: %s; %d expectation%s did not run\n",
			prog->filename, line, why, n, n == 1 ? "" : "s");
	else
		fprintf(rs->err, "%s: %s; %d expectation%s did not run\n",
			prog->filename, why, n, n == 1 ? "" : "s");
}

/* Runs the default machine when the program has none: false if it failed. */
static bool default_machine_ok(struct run_state *rs, struct backend *be)
{
	struct stmt def;
	struct result r;
	char *output, buf[128];

	if (rs->prog->has_machine)
		return true;
	default_machine(&def);
	r = run_one(be, &def, &output, NULL, NULL);
	free(output);
	if (r.kind == RES_OK || r.kind == RES_SKIP)
		return true;
	result_format(&r, buf, sizeof(buf));
	fprintf(rs->err, "%s: the default machine could not be created: %s %s\n",
		rs->prog->filename, buf, r.msg);
	return false;
}

/* --map FILE.svg: `show map FILE.svg` after the last statement. */
static void draw_map(struct backend *be, const char *path, FILE *err)
{
	struct stmt st = { .kind = ST_SHOW, .text = "show map (--map)",
			   .task = -1 };
	struct result r;
	char *output, got[64];

	st.show.what = SHOW_MAP;
	st.show.task = -1;
	st.show.path = (char *)path;
	r = run_one(be, &st, &output, NULL, NULL);
	free(output);
	if (r.kind == RES_OK)
		return;
	result_format(&r, got, sizeof(got));
	fprintf(err, "%s: --map %s: %s %s\n", be->prog->filename, path, got,
		r.msg);
}

/* ---- race blocks ---- */

struct race_run {
	struct backend *be;
	const struct stmt *sts;		/* the block's statements */
	bool explain;
	struct result r[SCN_RACE_MAX];
	char *output[SCN_RACE_MAX];
	char *why[SCN_RACE_MAX];
};

/*
 * One statement of a block, in its thread: a backend of its own for the
 * streams. --explain follows each thread; --trace's text does not (its
 * events still reach --trace-json, whose writer the run shares).
 */
static void race_one(void *ctx, int i)
{
	struct race_run *rr = ctx;
	struct backend be = *rr->be;

	be.why = be.trace = be.trace_json = NULL;
	rr->r[i] = run_one(&be, &rr->sts[i], &rr->output[i],
			   rr->explain ? &rr->why[i] : NULL, NULL);
}

struct race_thread {
	pthread_t tid;
	void (*fn)(void *ctx, int i);
	void *ctx;
	int i;
};

static void *race_thread(void *arg)
{
	struct race_thread *t = arg;

	t->fn(t->ctx, t->i);
	return NULL;
}

/* Without an explorer: plain threads, whichever order the machine picks. */
static void race_threads(void *unused, int n, void (*fn)(void *ctx, int i),
			 void *ctx)
{
	struct race_thread t[SCN_RACE_MAX];
	bool started[SCN_RACE_MAX];

	for (int i = 0; i < n; i++) {
		t[i] = (struct race_thread){ .fn = fn, .ctx = ctx, .i = i };
		started[i] = !pthread_create(&t[i].tid, NULL, race_thread,
					     &t[i]);
		if (!started[i])
			fn(ctx, i);	/* no thread: run it here, in order */
	}
	for (int i = 0; i < n; i++)
		if (started[i])
			pthread_join(t[i].tid, NULL);
}

/*
 * `race` at stmts[at]: its statements run at once; their expectations
 * are checked after all have finished, in the order they are written.
 */
static void run_race(struct run_state *rs, struct backend *be, int at)
{
	const struct stmt *race = &rs->prog->stmts[at];
	struct race_run rr = { .be = be, .sts = race + 1,
			       .explain = rs->opts->explain };
	int n = race->race.nr;
	struct result why = { .kind = RES_OK };

	if (!rs->opts->json && !rs->opts->quiet)
		fprintf(rs->out, "%4d  race\n", race->line);
	/*
	 * A backend that is not concurrent decides per block with its race
	 * operation, if any: OK, this block's statements may run at once;
	 * else it learns what the block skips and says why.
	 */
	if (!be->ops->concurrent)
		why = be->ops->op[ST_RACE] ? be->ops->op[ST_RACE](be, race) :
		      (struct result){ .kind = RES_SKIP };
	if (why.kind != RES_OK) {
		for (int i = 0; i < n; i++) {
			rr.r[i] = (struct result){ .kind = RES_SKIP };
			snprintf(rr.r[i].msg, sizeof(rr.r[i].msg),
				 "the %s backend cannot run this block at once%s%.400s",
				 be->ops->name, why.msg[0] ? ": " : "", why.msg);
		}
	} else if (rs->opts->race && be->ops->concurrent) {
		rs->opts->race(rs->opts->race_arg, n, race_one, &rr);
	} else {
		race_threads(NULL, n, race_one, &rr);
	}
	for (int i = 0; i < n; i++) {
		report(rs, &rr.sts[i], &rr.r[i], rr.output[i], rr.why[i], NULL);
		free(rr.output[i]);
		free(rr.why[i]);
	}
}

int scn_run(const struct program *prog, const struct run_options *opts,
	    FILE *out, FILE *err)
{
	struct run_state rs = { .prog = prog, .opts = opts, .out = out,
				.err = err };
	struct backend be = { .ops = opts->backend, .prog = prog,
			      .trace_json = opts->trace_json };
	const char *why = NULL;
	char buf[4096];
	int i = 0, status;

	if (be.ops->open(&be, buf, sizeof(buf))) {
		fprintf(err, "%s: backend %s: %s\n", prog->filename,
			be.ops->name, buf);
		return 2;
	}
	if (!default_machine_ok(&rs, &be)) {
		why = "no machine";
		stop_early(&rs, 0, 0, "no machine, nothing ran");
		rs.stopped = true;
		i = prog->nr_stmts;
	}
	for (; i < prog->nr_stmts; i++) {
		const struct stmt *st = &prog->stmts[i];
		struct result r;
		char *output, *why = NULL, *trace = NULL;

		if (st->kind == ST_RACE) {
			run_race(&rs, &be, i);
			i += st->race.nr;
			continue;
		}
		r = run_one(&be, st, &output, opts->explain ? &why : NULL,
			    opts->trace ? &trace : NULL);
		report(&rs, st, &r, output, why, trace);
		free(output);
		free(why);
		free(trace);
		if (st->kind == ST_MACHINE && r.kind != RES_OK &&
		    r.kind != RES_SKIP) {
			/*
			 * Nothing can run without a machine. Only a failure
			 * the scenario expected, at its very end, is a pass.
			 */
			why = "the machine could not be created, nothing else ran";
			stop_early(&rs, i + 1, st->line,
				   "the machine could not be created, nothing else ran");
			if (!st->has_expect || rs.nr_not_run ||
			    i + 1 < prog->nr_stmts)
				rs.stopped = true;
			break;
		}
	}
	if (opts->map && !rs.stopped)
		draw_map(&be, opts->map, err);
	if (be.ops->close(&be, buf, sizeof(buf))) {
		rs.broken = true;
		fflush(out);
		fprintf(err, "%s: at the end of the run: %s\n", prog->filename,
			buf);
	}
	status = rs.broken ? 3 : rs.nr_failed || rs.stopped ? 1 : 0;
	summary(&rs, status, why);
	fflush(out);
	return status;
}
