// SPDX-License-Identifier: GPL-2.0
/*
 * `gupsim diff FILE...`: runs each scenario on the host kernel and on the
 * model and compares them statement by statement.
 *
 * Each backend run happens in a child process of its own, forked before
 * anything of the model has run here: the model starts liburcu's call_rcu
 * thread, after which fork() is not safe, and the host backend forks a
 * process per task. The children send every statement's result back over
 * a pipe; this process only parses, compares and prints.
 *
 * A statement agrees when the host's result equals the model's and, if
 * the statement states an expectation, satisfies it: the expectation is
 * the scenario author's claim about Linux, and the host is the referee.
 * A statement the host skips (it cannot run it) counts as skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../scenario/scenario.h"
#include "../backend/backend.h"
#include "../backend/host.h"
#include "../backend/host_kernel.h"
#include "color.h"
#include "diff.h"

#define RUN_TIMEOUT_MS	300000

struct record {
	int idx;
	struct result r;
};

struct side {
	struct result *res;	/* per statement; RES_NONE: not reported */
	int status;		/* the run's exit status; -1: killed */
};

struct diff_opts {
	bool quiet;
	bool json;		/* a JSON object a statement, a summary */
	bool color;
	int agreed, disagreed, skipped;
};

static int out_fd;

static void send_result(void *arg, const struct stmt *st,
			const struct result *r)
{
	const struct program *prog = arg;
	struct record rec = { .idx = (int)(st - prog->stmts), .r = *r };
	const char *p = (const char *)&rec;
	size_t left = sizeof(rec);

	if (rec.idx < 0 || rec.idx >= prog->nr_stmts)
		return;	/* the implicit default machine */
	while (left) {
		ssize_t n = write(out_fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(4);
		p += n;
		left -= n;
	}
}

static void __attribute__((noreturn))
child_run(const struct program *prog, const struct backend_ops *ops, int fd)
{
	struct run_options opts = { .quiet = true, .backend = ops,
				    .on_result = send_result,
				    .arg = (void *)prog };
	FILE *null = fopen("/dev/null", "w");
	int status;

	out_fd = fd;
	if (!null)
		_exit(2);
	status = scn_run(prog, &opts, null, null);
	fclose(null);
	close(fd);
	_exit(status);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Runs prog on one backend in a child; fills s. 0, or -errno. */
static int run_side(const struct program *prog,
		    const struct backend_ops *ops, struct side *s)
{
	struct record rec;
	struct timespec t0;
	size_t have = 0;
	int pfd[2], wstatus;
	pid_t pid;

	s->res = calloc(prog->nr_stmts + 1, sizeof(*s->res));
	s->status = -1;
	if (!s->res || pipe2(pfd, O_CLOEXEC))
		return -ENOMEM;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (!pid) {
		close(pfd[0]);
		child_run(prog, ops, pfd[1]);
	}
	close(pfd[1]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		long left = RUN_TIMEOUT_MS - ms_since(&t0);
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(pfd[0], (char *)&rec + have, sizeof(rec) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += n;
		if (have < sizeof(rec))
			continue;
		have = 0;
		if (rec.idx >= 0 && rec.idx < prog->nr_stmts)
			s->res[rec.idx] = rec.r;
	}
	close(pfd[0]);
	/* the pipe closes when the run ends, so this wait is short */
	if (waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus))
		s->status = WEXITSTATUS(wstatus);
	return 0;
}

/* The same result: what the language prints, and the page count of ok. */
static bool same(const struct result *a, const struct result *b)
{
	if (a->kind == RES_COUNT || b->kind == RES_COUNT)
		return a->kind == RES_COUNT ? result_matches(a, b) :
		       result_matches(b, a);
	if (a->kind != b->kind)
		return false;
	if (a->kind == RES_OK)
		return !a->has_count || !b->has_count || a->count == b->count;
	return result_matches(a, b);
}

static void cell(const struct result *r, char *buf, size_t len)
{
	if (r->kind == RES_NONE)
		snprintf(buf, len, "(not run)");
	else
		result_format(r, buf, len);
}

static void json_statement(const struct program *prog, const struct stmt *st,
			   const char *model, const char *host,
			   const char *expected, const char *verdict,
			   const char *why)
{
	printf("{\"file\":");
	scn_json_string(stdout, prog->filename);
	printf(",\"line\":%d,\"statement\":", st->line);
	scn_json_string(stdout, st->text);
	printf(",\"model\":");
	scn_json_string(stdout, model);
	printf(",\"host\":");
	scn_json_string(stdout, host);
	printf(",\"expected\":");
	if (expected)
		scn_json_string(stdout, expected);
	else
		fputs("null", stdout);
	printf(",\"verdict\":\"%s\"",
	       !strcmp(verdict, "DIFFER") ? "differ" : verdict);
	if (*why) {
		printf(",\"message\":");
		scn_json_string(stdout, why);
	}
	puts("}");
}

/* DIFFER red, agree green, skip dim; the padding outside the colour. */
static void print_verdict(const struct stmt *st, const char *mb,
			  const char *hb, const char *verdict, const char *why,
			  bool color)
{
	const char *sgr = !color ? "" : !strcmp(verdict, "DIFFER") ?
			  "\033[1;31m" : !strcmp(verdict, "agree") ?
			  "\033[32m" : "\033[2m";

	printf("%4d  %-40s %-10s %-10s %s%s%s%*s%s%s\n", st->line, st->text,
	       mb, hb, sgr, verdict, *sgr ? "\033[0m" : "",
	       6 - (int)strlen(verdict), "", *why ? "  # " : "", why);
}

static void compare(const struct program *prog, const struct side *model,
		    const struct side *host, struct diff_opts *o)
{
	for (int i = 0; i < prog->nr_stmts; i++) {
		const struct stmt *st = &prog->stmts[i];
		const struct result *m = &model->res[i], *h = &host->res[i];
		char mb[64], hb[64], eb[64] = "";
		const char *verdict, *why = "";

		cell(m, mb, sizeof(mb));
		cell(h, hb, sizeof(hb));
		if (st->has_expect)
			result_format(&st->expect, eb, sizeof(eb));
		if (st->kind == ST_RACE) {
			/* a block's head: no result of its own, nothing to count */
			if (o->json || o->quiet)
				continue;
			printf("%4d  race: the next %d statements run at once\n",
			       st->line, st->race.nr);
			continue;
		}
		if (h->kind == RES_SKIP || h->kind == RES_NONE) {
			verdict = "skip";
			why = h->kind == RES_SKIP ? h->msg :
			      "the host run stopped before it";
			o->skipped++;
		} else if (!same(m, h) ||
			   (st->has_expect && !result_matches(&st->expect, h))) {
			verdict = "DIFFER";
			o->disagreed++;
			fprintf(stderr, "%s:%d: %s: model %s, host %s%s%s%s%s\n",
				prog->filename, st->line, st->text, mb, hb,
				st->has_expect ? ", expected " : "", eb,
				h->msg[0] ? "; host: " : "", h->msg);
		} else {
			verdict = "agree";
			o->agreed++;
		}
		if (o->json) {
			json_statement(prog, st, mb, hb,
				       st->has_expect ? eb : NULL, verdict, why);
			continue;
		}
		if (o->quiet && strcmp(verdict, "DIFFER"))
			continue;
		print_verdict(st, mb, hb, verdict, why, o->color);
	}
}

static int diff_file(const char *file, struct diff_opts *o)
{
	/* "-" is standard input, named so in what is printed. */
	const char *path = strcmp(file, "-") ? file : "<stdin>";
	struct side model = { 0 }, host = { 0 };
	struct program *prog;
	struct scn_error err;
	char *buf;
	size_t len;
	int ret, before = o->disagreed;

	ret = scn_read_file(file, &buf, &len);
	if (ret) {
		fprintf(stderr, "gupsim diff: %s: %s\n", path, strerror(-ret));
		return 2;
	}
	prog = scn_parse(path, buf, len, &err);
	if (!prog) {
		scn_print_error(stderr, path, buf, len, &err);
		free(buf);
		return 2;
	}
	/* The host runs its own release only: say so, run nothing. */
	if (host_kernel_check("diff", prog, NULL)) {
		scn_free(prog);
		free(buf);
		return 2;
	}
	ret = run_side(prog, &host_backend_ops, &host);
	if (!ret)
		ret = run_side(prog, &model_backend_ops, &model);
	if (ret) {
		fprintf(stderr, "gupsim diff: %s: %s\n", path, strerror(-ret));
	} else {
		if (!o->quiet && !o->json)
			printf("%s\n%4s  %-40s %-10s %-10s %s\n", path, "LINE",
			       "STATEMENT", "MODEL", "HOST", "VERDICT");
		compare(prog, &model, &host, o);
		if (model.status == 3 || model.status < 0)
			fprintf(stderr, "%s: the model run %s\n", path,
				model.status < 0 ? "was killed or timed out" :
				"found a model invariant violated");
		if (host.status < 0 || host.status == 2)
			fprintf(stderr, "%s: the host run %s\n", path,
				host.status < 0 ? "was killed or timed out" :
				"could not start");
	}
	free(model.res);
	free(host.res);
	scn_free(prog);
	free(buf);
	if (ret)
		return 2;
	return o->disagreed > before ? 1 : 0;
}

static void diff_usage(FILE *out)
{
	fputs("usage: gupsim diff [--quiet] [--json] [--color[=WHEN]] FILE...\n"
	      "\n"
	      "Runs each scenario on the host kernel and on the model, each in a\n"
	      "process of its own, and prints every statement with both results:\n"
	      "agree, DIFFER (results differ, or the host does not meet the\n"
	      "statement's expectation) or skip (the host cannot run it; the\n"
	      "reason follows). A disagreement is also reported on stderr as\n"
	      "FILE:LINE: STATEMENT: model X, host Y.\n"
	      "\n"
	      "options:\n"
	      "  -q, --quiet   print only disagreements and the summary\n"
	      "  -j, --json    one JSON object per statement, then a summary\n"
	      "                object (docs/json.md)\n"
	      "  --color[=WHEN] colour the verdicts: auto (a terminal, NO_COLOR\n"
	      "                unset; the default), always, never\n"
	      "  -h, --help    show this help\n"
	      "\n"
	      "exit status: 0 every statement the host ran agrees, 1 a\n"
	      "disagreement, 2 usage, syntax or I/O error.\n", out);
}

int host_diff_main(int argc, char **argv)
{
	struct diff_opts o = { .color = color_auto(1) };
	int status = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			diff_usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			o.quiet = true;
		} else if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			o.json = true;
		} else if (!strcmp(argv[i], "--color") ||
			   !strncmp(argv[i], "--color=", 8)) {
			if (color_parse("gupsim diff",
					argv[i][7] ? argv[i] + 8 : NULL, 1,
					&o.color))
				return 2;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "gupsim diff: unknown option '%s'\n"
				"Try 'gupsim diff --help' for more information.\n",
				argv[i]);
			return 2;
		}
	}
	for (int i = 1; i < argc; i++) {
		int ret;

		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if (n++ && !o.quiet && !o.json)
			putchar('\n');
		ret = diff_file(argv[i], &o);
		if (ret > status)
			status = ret;
	}
	if (!n) {
		fprintf(stderr, "gupsim diff: no scenario file given\n"
			"Try 'gupsim diff --help' for more information.\n");
		return 2;
	}
	if (o.json)
		printf("{\"summary\":{\"agreed\":%d,\"disagreed\":%d,\"skipped\":%d,\"exit\":%d}}\n",
		       o.agreed, o.disagreed, o.skipped, status);
	else
		printf("%d agreed / %d disagreed / %d skipped\n", o.agreed,
		       o.disagreed, o.skipped);
	return status;
}
