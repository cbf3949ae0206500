// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim versions [--json] FILE...: every statement's result under every
 * profile point, so a reader sees at which release each answer changed,
 * and below the table the profile entries that explain each change.
 *
 * Each file is parsed once and run on the model once per point, with the
 * point overriding the file's kernel=. Expectations are ignored (the run's
 * own output is discarded); a run that finds the model broken is reported
 * and makes the exit status 3.
 *
 * Which entries explain a change at release V: the entries of V that the
 * changed statements consulted when run under V (kernel_has() was asked
 * about them while the statement ran). A change can surface in a
 * statement after the one that consulted the entry (fork copies, a later
 * read sees it): when the changed statements consulted none of V's
 * entries, those the whole run under V consulted are listed, and when it
 * consulted none either, all of V's entries.
 */
#include <stdlib.h>
#include <string.h>

#include <gupsim/profile.h>

#include "../scenario/scenario.h"
#include "../backend/backend.h"
#include "versions.h"
#include "source.h"

#define RESULT_MAX	64	/* longest result as the language writes it */

/* One statement's results, one per point. */
struct vrow {
	int line;
	const char *text;
	char (*res)[RESULT_MAX];
	/* per point: the entries this statement consulted there */
	bool (*consulted)[NR_KERNEL_ENTRIES];
};

struct vfile {
	const char *name;
	const struct program *prog;
	struct vrow *rows;
	int nr_rows;
	int point;			/* the point being run */
	/* per point: the entries its run consulted */
	bool (*consulted)[NR_KERNEL_ENTRIES];
	bool broken;
};

static struct vrow *row_of(struct vfile *vf, int line)
{
	for (int i = 0; i < vf->nr_rows; i++)
		if (vf->rows[i].line == line)
			return &vf->rows[i];
	return NULL;
}

static void collect(void *arg, const struct stmt *st, const struct result *r)
{
	struct vfile *vf = arg;
	struct vrow *row = row_of(vf, st->line);
	char buf[64];

	if (!row)
		return;
	result_format(r, buf, sizeof(buf));
	snprintf(row->res[vf->point], RESULT_MAX, "%s", buf);
	/* What was asked since the last statement is this one's. */
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++) {
		row->consulted[vf->point][e] = kernel_consulted(e);
		vf->consulted[vf->point][e] |= kernel_consulted(e);
	}
	kernel_consulted_reset();
}

/* Runs vf->prog under every point; 0, or 3 if a run found the model broken. */
static int run_points(struct vfile *vf, const struct kernel_profile *const *pts,
		      int nr_pts)
{
	struct run_options opts = { .quiet = true,
				    .backend = &model_backend_ops,
				    .on_result = collect, .arg = vf };
	int status = 0;

	for (int p = 0; p < nr_pts; p++) {
		char *errtext = NULL;
		size_t errlen = 0;
		FILE *out = fopen("/dev/null", "w");
		FILE *err = open_memstream(&errtext, &errlen);
		int ret;

		if (!out || !err) {
			if (out)
				fclose(out);
			if (err)
				fclose(err);
			free(errtext);
			return 2;
		}
		vf->point = p;
		machine_kernel_force(pts[p]);
		kernel_consulted_reset();
		ret = scn_run(vf->prog, &opts, out, err);
		machine_kernel_force(NULL);
		fclose(out);
		fclose(err);
		if (ret == 3 || ret == 2) {
			fprintf(stderr, "gupsim versions: %s under %s:\n%s",
				vf->name, kernel_profile_name(pts[p]),
				errtext ? errtext : "");
			status = ret > status ? ret : status;
		}
		free(errtext);
	}
	return status;
}

static bool row_changes(const struct vrow *row, int p)
{
	return strcmp(row->res[p], row->res[p - 1]) != 0;
}

/* Did a statement that changed at point p consult entry e there? */
static bool changed_rows_consulted(const struct vfile *vf, int p, int e)
{
	for (int i = 0; i < vf->nr_rows; i++)
		if (row_changes(&vf->rows[i], p) &&
		    vf->rows[i].consulted[p][e])
			return true;
	return false;
}

static void print_entries_of(const struct vfile *vf, int p,
			     const struct kernel_profile *pt)
{
	bool any = false;

	/* What the changed statements asked, else the run, else all. */
	for (int pass = 0; pass < 3 && !any; pass++) {
		for (int e = 0; e < NR_KERNEL_ENTRIES; e++) {
			const struct kernel_entry_info *ki = kernel_entry_info(e);

			if (ki->version != kernel_profile_version(pt))
				continue;
			if (pass == 0 && !changed_rows_consulted(vf, p, e))
				continue;
			if (pass == 1 && !vf->consulted[p][e])
				continue;
			printf("        %s%s%s%s\n", ki->subject,
			       ki->commit[0] ? " (" : "", ki->commit,
			       ki->commit[0] ? ")" : "");
			any = true;
		}
	}
}

/* Below the table: each release where a result changed, and why. */
static void print_changes(const struct vfile *vf,
			  const struct kernel_profile *const *pts, int nr_pts)
{
	bool header = false;

	for (int p = 1; p < nr_pts; p++) {
		int nr = 0;

		for (int i = 0; i < vf->nr_rows; i++)
			nr += row_changes(&vf->rows[i], p);
		if (!nr)
			continue;
		if (!header)
			printf("\nchanged at:\n");
		header = true;
		printf("  %-5s line", kernel_profile_name(pts[p]));
		if (nr > 1)
			putchar('s');
		for (int i = 0, n = 0; i < vf->nr_rows; i++)
			if (row_changes(&vf->rows[i], p))
				printf("%s %d", n++ ? "," : "",
				       vf->rows[i].line);
		putchar('\n');
		print_entries_of(vf, p, pts[p]);
	}
	if (!header)
		printf("\nno result changes between %s and %s\n",
		       kernel_profile_name(pts[0]),
		       kernel_profile_name(pts[nr_pts - 1]));
}

static void print_table(const struct vfile *vf,
			const struct kernel_profile *const *pts, int nr_pts)
{
	int textw = 9, w[64];

	for (int i = 0; i < vf->nr_rows; i++) {
		int len = (int)strlen(vf->rows[i].text);

		textw = len > textw ? len : textw;
	}
	textw = textw > 44 ? 44 : textw;
	for (int p = 0; p < nr_pts; p++) {
		w[p] = (int)strlen(kernel_profile_name(pts[p]));
		for (int i = 0; i < vf->nr_rows; i++) {
			int len = (int)strlen(vf->rows[i].res[p]);

			w[p] = len > w[p] ? len : w[p];
		}
	}
	printf("%s\n  line  %-*s", vf->name, textw, "statement");
	for (int p = 0; p < nr_pts; p++)
		printf(p < nr_pts - 1 ? " %-*s" : " %.*s", w[p],
		       kernel_profile_name(pts[p]));
	putchar('\n');
	for (int i = 0; i < vf->nr_rows; i++) {
		const struct vrow *row = &vf->rows[i];
		bool changes = false;
		char line[4096];
		int n;

		for (int p = 1; p < nr_pts; p++)
			changes |= row_changes(row, p);
		n = snprintf(line, sizeof(line), "%c %4d  %-*.*s",
			     changes ? '*' : ' ', row->line, textw, textw,
			     row->text);
		for (int p = 0; p < nr_pts && n < (int)sizeof(line); p++)
			n += snprintf(line + n, sizeof(line) - n, " %-*s",
				      w[p], row->res[p]);
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = 0;
		puts(line);
	}
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json(const struct vfile *vf,
		       const struct kernel_profile *const *pts, int nr_pts)
{
	for (int i = 0; i < vf->nr_rows; i++) {
		const struct vrow *row = &vf->rows[i];

		printf("{\"file\":");
		json_str(vf->name);
		printf(",\"line\":%d,\"statement\":", row->line);
		json_str(row->text);
		printf(",\"results\":{");
		for (int p = 0; p < nr_pts; p++) {
			printf("%s\"%s\":", p ? "," : "",
			       kernel_profile_name(pts[p]));
			json_str(row->res[p]);
		}
		printf("}}\n");
	}
}

static int vfile_init(struct vfile *vf, const char *name,
		      const struct program *prog, int nr_pts)
{
	vf->name = name;
	vf->prog = prog;
	vf->nr_rows = prog->nr_stmts;
	vf->rows = calloc(prog->nr_stmts ? prog->nr_stmts : 1,
			  sizeof(*vf->rows));
	vf->consulted = calloc(nr_pts, sizeof(*vf->consulted));
	if (!vf->rows || !vf->consulted)
		return -1;
	for (int i = 0; i < prog->nr_stmts; i++) {
		vf->rows[i].line = prog->stmts[i].line;
		vf->rows[i].text = prog->stmts[i].text;
		vf->rows[i].res = calloc(nr_pts, RESULT_MAX);
		vf->rows[i].consulted = calloc(nr_pts,
					       sizeof(*vf->rows[i].consulted));
		if (!vf->rows[i].res || !vf->rows[i].consulted)
			return -1;
	}
	return 0;
}

static void vfile_free(struct vfile *vf)
{
	for (int i = 0; vf->rows && i < vf->nr_rows; i++) {
		free(vf->rows[i].res);
		free(vf->rows[i].consulted);
	}
	free(vf->rows);
	free(vf->consulted);
}

/* The list of entries as docs/profiles.md shows it (a test compares). */
static void print_entries_table(void)
{
	int nr_pts;
	const struct kernel_profile *const *pts = kernel_profile_points(&nr_pts);

	printf("| release | entry | commit subject | commit |\n"
	       "| --- | --- | --- | --- |\n");
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++) {
		const struct kernel_entry_info *ki = kernel_entry_info(e);

		printf("| %u.%u | %s | ", KERNEL_VERSION_MAJOR(ki->version),
		       KERNEL_VERSION_MINOR(ki->version), ki->name);
		/* A '|' in a subject would end the table cell. */
		for (const char *c = ki->subject; *c; c++)
			printf(*c == '|' ? "\\|" : "%c", *c);
		printf(" | %s |\n", ki->commit[0] ? ki->commit : "-");
	}
	printf("\nProfile points:");
	for (int p = 0; p < nr_pts; p++)
		printf(" %s", kernel_profile_name(pts[p]));
	printf(".\n");
}

static void versions_usage(FILE *out)
{
	fputs("usage: gupsim versions [--json] FILE...\n"
	      "\n"
	      "Runs each scenario on the model under every kernel-version profile\n"
	      "point (5.1 .. 6.18, see docs/profiles.md) and prints every\n"
	      "statement's result per release, then the profile entries (commit\n"
	      "subject, release) behind each change. Expectations in the files\n"
	      "are ignored; kernel= in a file is overridden.\n"
	      "\n"
	      "options:\n"
	      "  -j, --json   one JSON object per statement, then the points\n"
	      "  --entries    print the profile entries (docs/profiles.md) and exit\n"
	      "  -h, --help   show this help\n"
	      "\n"
	      "exit status: 0 done, 2 usage or syntax error, 3 a model invariant\n"
	      "was violated under some release.\n", out);
}

/* One parsed file: run under every point, print. 0, 2 or 3. */
static int versions_file(const struct source *src, bool json,
			 const struct kernel_profile *const *pts, int nr_pts)
{
	struct vfile vf = { 0 };
	int ret;

	if (vfile_init(&vf, src->name, src->prog, nr_pts)) {
		fprintf(stderr, "gupsim versions: out of memory\n");
		vfile_free(&vf);
		return 2;
	}
	ret = run_points(&vf, pts, nr_pts);
	if (json) {
		print_json(&vf, pts, nr_pts);
	} else {
		print_table(&vf, pts, nr_pts);
		print_changes(&vf, pts, nr_pts);
	}
	vfile_free(&vf);
	return ret;
}

static void print_points_json(const struct kernel_profile *const *pts,
			      int nr_pts)
{
	printf("{\"profile_points\":[");
	for (int p = 0; p < nr_pts; p++)
		printf("%s\"%s\"", p ? "," : "", kernel_profile_name(pts[p]));
	printf("]}\n");
}

int cmd_versions(int argc, char **argv)
{
	const struct kernel_profile *const *pts;
	struct source *src;
	int nr_pts, status, n = 0;
	bool json = false, dashdash = false;

	pts = kernel_profile_points(&nr_pts);
	src = calloc(argc, sizeof(*src));
	if (!src)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (dashdash || a[0] != '-' || !a[1]) {
			src[n++].name = a;
		} else if (!strcmp(a, "--")) {
			dashdash = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			versions_usage(stdout);
			free(src);
			return 0;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			json = true;
		} else if (!strcmp(a, "--entries")) {
			print_entries_table();
			free(src);
			return 0;
		} else {
			fprintf(stderr, "gupsim versions: unknown option '%s'\n", a);
			goto usage;
		}
	}
	if (!n) {
		fprintf(stderr, "gupsim versions: no scenario file given\n");
		goto usage;
	}
	status = sources_parse(src, n);
	for (int i = 0; !status && i < n; i++) {
		int ret;

		if (!json && i)
			putchar('\n');
		ret = versions_file(&src[i], json, pts, nr_pts);
		status = ret > status ? ret : status;
	}
	if (json && status != 2)
		print_points_json(pts, nr_pts);
	for (int i = 0; i < n; i++) {
		scn_free(src[i].prog);
		free(src[i].buf);
	}
	free(src);
	return status;
usage:
	fprintf(stderr, "Try 'gupsim versions --help' for more information.\n");
	free(src);
	return 2;
}
