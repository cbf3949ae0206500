// SPDX-License-Identifier: GPL-2.0
/*
 * cmd/: every command, and nothing a command does not need: gupsim.c (run,
 * demo and the dispatch), diff.c (gupsim diff: host against model),
 * bench*.c (gupsim bench). Commands drive the parser and interpreter
 * (scenario/scenario.h) and pick a backend (backend/backend.h); they hold
 * no model or host logic of their own.
 *
 * gupsim: the command. `gupsim run FILE...` runs scenarios on a backend;
 * `gupsim demo` runs the built-in demo (also what plain `gupsim` does).
 *
 * Exit status: 0 every expectation held; 1 an expectation failed; 2 usage
 * or syntax error (nothing ran); 3 a model invariant was violated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gupsim/profile.h>
#include <gupsim/version.h>

#include "../scenario/scenario.h"
#include "../backend/backend.h"
#include "../backend/host.h"
#include "../backend/host_kernel.h"
#include "kernel_opt.h"
#include "versions.h"
#include "bench.h"
#include "color.h"
#include "diff.h"
#include "explore.h"
#include "source.h"

static const char demo_text[] =
"# gupsim demo: FOLL_LONGTERM pins, CMA, fs-DAX and fork.\n"
"machine mem=256M cma=64M\n"
"task A\n"
"\n"
"# 1. A buffer in CMA registered for RDMA (ib_umem_get(): FOLL_LONGTERM):\n"
"#    GUP migrates it out of CMA first, so the CMA area stays allocatable.\n"
"A mmap buf 2M anon place=cma\n"
"A write buf 'x'\n"
"A where buf                    => cma\n"
"A driver ib_umem mr buf write  => ok\n"
"A where buf                    => normal\n"
"dev mr read                    => 'x'\n"
"cma_alloc big 64M              => ok\n"
"cma_free big\n"
"release mr\n"
"\n"
"# 2. Pinned short-term (direct I/O style), the page stays in CMA and\n"
"#    cma_alloc() cannot move it until the pin is gone.\n"
"A mmap io 2M anon place=cma\n"
"A write io 'y'\n"
"A pin dio io write             => ok\n"
"A where io                     => cma\n"
"cma_alloc big2 64M             => EBUSY\n"
"unpin dio\n"
"cma_alloc big3 64M             => ok\n"
"cma_free big3\n"
"\n"
"# 3. fs-DAX pages belong to the filesystem: a long-term pin is refused.\n"
"file pmem fs=dax size=2M\n"
"A mmap dax 2M file:pmem shared\n"
"A write dax 'd'\n"
"A driver ib_umem dx dax write  => EOPNOTSUPP\n"
"\n"
"# 4. fork: a pinned anonymous page stays with the parent, the child\n"
"#    gets its own copy at fork time.\n"
"A mmap p 4K anon\n"
"A write p 'p'\n"
"A pin pp p longterm write      => ok\n"
"A fork B\n"
"B write p 'c'\n"
"dev pp write 'D'\n"
"A read p                       => 'D'\n"
"B read p                       => 'c'\n"
"unpin pp\n";


static void usage(FILE *out)
{
	fputs("usage: gupsim [--help] [--version] <command> [<args>]\n"
	      "\n"
	      "Run scenarios on a userspace model of Linux page pinning\n"
	      "(get_user_pages / pin_user_pages with FOLL_LONGTERM).\n"
	      "\n"
	      "commands:\n"
	      "  run [--quiet] [--json] [--explain] [--trace] [--backend NAME]\n"
	      "      [--kernel VERSION] FILE...\n"
	      "                      run scenario files (see 'gupsim run --help')\n"
	      "  diff [--quiet] FILE...\n"
	      "                      run scenarios on the host kernel and the model,\n"
	      "                      and show where they disagree\n"
	      "  versions [--json] FILE...\n"
	      "                      every statement's result under every kernel\n"
	      "                      release profile, 5.1 .. 6.18\n"
	      "  explore [--preemptions N] [--random N --seed S] [--shard I/N]\n"
	      "      [--schedule ID] [--json] FILE\n"
	      "                      run a scenario once per interleaving of its race\n"
	      "                      blocks' threads (see 'gupsim explore --help')\n"
	      "  demo [--print]      run the built-in demo, or print its text\n"
	      "  bench [OPTIONS]     the gup_test benchmark, model vs host kernel\n"
	      "\n"
	      "With no command, gupsim runs the demo. A FILE of '-' is standard\n"
	      "input.\n"
	      "\n"
	      "exit status: 0 all expectations held, 1 an expectation failed,\n"
	      "2 usage or syntax error, 3 a model invariant was violated.\n",
	      out);
}

static void run_usage(FILE *out)
{
	fputs("usage: gupsim run [--quiet] [--json] [--explain] [--trace] [--trace-json FILE]\n"
	      "                  [--map FILE.svg] [--color[=WHEN]] [--backend NAME]\n"
	      "                  [--kernel VERSION] FILE...\n"
	      "\n"
	      "Runs each scenario file on a fresh machine and prints one line per\n"
	      "statement (line, statement, result, ok/FAIL) and a summary. Every\n"
	      "file is parsed before anything runs; a syntax error is reported as\n"
	      "FILE:LINE:COL: error: ... and nothing is executed. A FILE of '-'\n"
	      "is standard input.\n"
	      "\n"
	      "options:\n"
	      "  -q, --quiet         print only failures and the summary\n"
	      "  -j, --json          print one JSON object per statement\n"
	      "  -e, --explain       say why: the rule behind every errno and skip, every\n"
	      "                      failed expectation, every pin that migrated or\n"
	      "                      unshared pages (the kernel function and check, the\n"
	      "                      VMA and pages it looked at, how a pin found its pages)\n"
	      "  -t, --trace         print the model's events under each statement, in\n"
	      "                      ftrace's format (mm_page_alloc, mm_migrate_pages, ...)\n"
	      "      --trace-json FILE  write them as Chrome trace-event JSON (Perfetto)\n"
	      "      --color[=WHEN]  colour FAIL, ok, skip: auto (a terminal, NO_COLOR\n"
	      "                      unset; the default), always, never\n"
	      "      --map FILE.svg  draw physical memory by pageblock after the last\n"
	      "                      statement (of the last FILE)\n"
	      "  -b, --backend NAME  where to run: model (default), or host:\n"
	      "                      the machine's own kernel (see docs/host-backend.md)\n"
	      "  -k, --kernel VERSION  behave as Linux VERSION (5.1 .. 6.18; see\n"
	      "                      docs/profiles.md), whatever kernel= the files say\n"
	      "  -h, --help          show this help\n"
	      "\n"
	      "exit status: 0 all expectations held, 1 an expectation failed,\n"
	      "2 usage or syntax error, 3 a model invariant was violated.\n",
	      out);
}

static const struct backend_ops *find_backend(const char *name)
{
	if (!strcmp(name, "model"))
		return &model_backend_ops;
	if (!strcmp(name, "host"))
		return &host_backend_ops;
	return NULL;
}

static int run_sources(struct source *src, int n, struct run_options *opts,
		       bool owned, const struct kernel_profile *kernel)
{
	int status = sources_parse(src, n);

	/* The host runs its own kernel only: refuse before anything runs. */
	for (int i = 0; !status && i < n; i++)
		if (opts->backend == &host_backend_ops)
			status = host_kernel_check("run", src[i].prog, kernel);
	machine_kernel_force(status ? NULL : kernel);

	for (int i = 0; !status && i < n; i++) {
		int ret;

		if (i && !opts->json && !opts->quiet)
			putchar('\n');
		ret = scn_run(src[i].prog, opts, stdout, stderr);
		if (ret == 2 || (ret > status && status != 2))
			status = ret;
		if (ret == 3 || status == 3)
			status = 3;
	}
	machine_kernel_force(NULL);
	for (int i = 0; i < n; i++) {
		scn_free(src[i].prog);
		if (owned)
			free(src[i].buf);
	}
	return status;
}

/*
 * --trace-json FILE: a JSON array of Chrome trace events. The backend
 * writes each event followed by ",\n"; the array opens here and closes
 * with a metadata event naming the process, so no comma dangles.
 */
static int trace_json_open(struct run_options *opts, const char *path)
{
	opts->trace_json = fopen(path, "we");
	if (!opts->trace_json) {
		fprintf(stderr, "gupsim run: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs("[\n", opts->trace_json);
	return 0;
}

static int trace_json_close(struct run_options *opts, const char *path)
{
	FILE *f = opts->trace_json;

	fputs("{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"gupsim\"}}\n]\n",
	      f);
	opts->trace_json = NULL;
	if (ferror(f) | fclose(f)) {
		fprintf(stderr, "gupsim run: %s: write error\n", path);
		return -1;
	}
	return 0;
}

/*
 * The value of option a: after its '=' (--name=VALUE, len is the length of
 * "--name") or the next argument; NULL after saying it is missing.
 */
static const char *opt_value(const char *a, size_t len, int argc,
			     char **argv, int *i)
{
	const char *v = a[len] == '=' ? a + len + 1 :
			*i + 1 < argc ? argv[++*i] : NULL;

	if (!v)
		fprintf(stderr, "gupsim run: %s needs a file name\n", a);
	return v;
}

static bool is_opt(const char *a, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(a, name, len) && (a[len] == 0 || a[len] == '=');
}

/*
 * The options that say why and show more: --explain, --trace,
 * --trace-json FILE, --map FILE.svg, --color[=WHEN]. 1 when argv[*i]
 * was one of them, 0 when it was not, -1 after an error.
 */
static int say_why_option(int argc, char **argv, int *i,
			  struct run_options *opts, const char **trace_json)
{
	const char *a = argv[*i];

	if (!strcmp(a, "-e") || !strcmp(a, "--explain")) {
		opts->explain = true;
	} else if (!strcmp(a, "-t") || !strcmp(a, "--trace")) {
		opts->trace = true;
	} else if (is_opt(a, "--color")) {
		if (color_parse("gupsim run", a[7] ? a + 8 : NULL, 1,
				&opts->color))
			return -1;
	} else if (is_opt(a, "--map")) {
		opts->map = opt_value(a, 5, argc, argv, i);
		if (!opts->map)
			return -1;
	} else if (is_opt(a, "--trace-json")) {
		*trace_json = opt_value(a, 12, argc, argv, i);
		if (!*trace_json)
			return -1;
	} else {
		return 0;
	}
	return 1;
}

/* A FILE of '-' reads standard input, which can be read only once. */
static bool stdin_given_twice(const struct source *src, int n)
{
	int i, uses = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(src[i].name, "-") && ++uses > 1) {
			fprintf(stderr, "gupsim run: '-' (standard input) given twice\n");
			return true;
		}
	return false;
}

static int cmd_run(int argc, char **argv)
{
	struct run_options opts = { .backend = &model_backend_ops,
				    .color = color_auto(1) };
	const struct kernel_profile *kernel = NULL;
	const char *trace_json = NULL;
	struct source *src;
	int i, n = 0, ret, rc;
	bool dashdash = false;

	src = calloc(argc, sizeof(*src));
	if (!src)
		return 2;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			src[n++].name = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			run_usage(stdout);
			free(src);
			return 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			opts.quiet = true;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			opts.json = true;
		} else if (!strcmp(a, "-k") || !strcmp(a, "--kernel") ||
			   !strncmp(a, "--kernel=", 9)) {
			const char *v = a[2] == 'k' && a[8] == '=' ? a + 9 :
					(i + 1 < argc ? argv[++i] : NULL);

			if (!(kernel = kernel_opt_parse("run", v)))
				goto usage;
		} else if ((rc = say_why_option(argc, argv, &i, &opts,
						&trace_json))) {
			if (rc < 0)
				goto usage;
		} else if (!strcmp(a, "-b") || !strcmp(a, "--backend") ||
			   !strncmp(a, "--backend=", 10)) {
			const char *name = a[2] == 'b' && a[9] == '=' ? a + 10 :
					   (i + 1 < argc ? argv[++i] : NULL);

			if (!name) {
				fprintf(stderr, "gupsim run: %s needs a backend name\n", a);
				goto usage;
			}
			opts.backend = find_backend(name);
			if (!opts.backend) {
				fprintf(stderr, "gupsim run: unknown backend '%s' (available: model, host)\n",
					name);
				free(src);
				return 2;
			}
		} else {
			fprintf(stderr, "gupsim run: unknown option '%s'\n", a);
			goto usage;
		}
	}
	if (!n) {
		fprintf(stderr, "gupsim run: no scenario file given\n");
		goto usage;
	}
	if (stdin_given_twice(src, n))
		goto usage;
	if (trace_json && trace_json_open(&opts, trace_json)) {
		free(src);
		return 2;
	}
	ret = run_sources(src, n, &opts, true, kernel);
	if (trace_json && trace_json_close(&opts, trace_json) && !ret)
		ret = 2;
	free(src);
	return ret;
usage:
	fprintf(stderr, "Try 'gupsim run --help' for more information.\n");
	free(src);
	return 2;
}

static int cmd_demo(int argc, char **argv)
{
	struct run_options opts = { .backend = &model_backend_ops };
	struct source src = { .name = "demo.scn", .buf = (char *)demo_text,
			      .len = sizeof(demo_text) - 1 };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--print") || !strcmp(argv[i], "-p")) {
			fputs(demo_text, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: gupsim demo [--print]\n\n"
			     "Runs the built-in demo scenario; --print prints its text\n"
			     "(save it as a .scn file and 'gupsim run' it).");
			return 0;
		}
		fprintf(stderr, "gupsim demo: unknown option '%s'\n"
			"Try 'gupsim demo --help' for more information.\n",
			argv[i]);
		return 2;
	}
	return run_sources(&src, 1, &opts, false, NULL);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		return cmd_demo(1, argv);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		/* The release the model answers for when a file names none. */
		printf("gupsim %s\ndefault kernel profile %s\n", GUPSIM_VERSION,
		       kernel_profile_name(kernel_profile_default()));
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "demo"))
		return cmd_demo(argc - 1, argv + 1);
	if (!strcmp(argv[1], "diff"))
		return host_diff_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "versions"))
		return cmd_versions(argc - 1, argv + 1);
	if (!strcmp(argv[1], "explore"))
		return cmd_explore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench") && argc > 2 &&
	    !strcmp(argv[2], "--explore"))
		return cmd_bench_explore(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "gupsim: unknown command '%s'\n"
		"Try 'gupsim --help' for more information.\n", argv[1]);
	return 2;
}
