// SPDX-License-Identifier: GPL-2.0
/*
 * A schedule drawn the way the kernel's commit messages draw a race: a
 * column per thread, headed by the statement it runs, and a row per
 * schedule point in the order the points were passed, so reading down
 * the page is reading time:
 *
 *   A fork B                          A pin p buf write fast
 *   --------                          ----------------------
 *   mmap_write_lock: lock
 *                                     gup_fast_pte_range: read pte
 *   copy_pte_range: lock ptl
 *
 * A point where the thread could not go on is marked "(waits)".
 */
#include <stdlib.h>
#include <string.h>

#include <gupsim/explore.h>

#include "../lib/compiler.h"
#include "../scenario/scenario.h"
#include "explore.h"

#define COL_MAX	56		/* a column's width, at most */

/* The race statement of block b (counted from 1 in file order). */
static const struct stmt *race_of(const struct program *prog, int b)
{
	for (int i = 0; i < prog->nr_stmts; i++)
		if (prog->stmts[i].kind == ST_RACE && !--b)
			return &prog->stmts[i];
	return NULL;
}

static void cell(FILE *out, int width, const char *text, bool last)
{
	fputs("  ", out);
	if (last)
		fprintf(out, "%.*s", width, text);
	else
		fprintf(out, "%-*.*s", width, width, text);
}

/*
 * One row: text in column t, the columns before it blank. Nothing follows
 * it on its row, so a step longer than the column is never cut.
 */
static void row(FILE *out, int t, int width, const char *text)
{
	fprintf(out, "%*s  %s\n", t * (width + 2), "", text);
}

static void header(FILE *out, const struct stmt *race, int width)
{
	int n = race->race.nr;

	for (int c = 0; c < n; c++)
		cell(out, width, race[1 + c].text, c == n - 1);
	fputc('\n', out);
	for (int c = 0; c < n; c++) {
		int len = (int)strlen(race[1 + c].text);
		char dash[COL_MAX + 1];

		len = len > width ? width : len;
		memset(dash, '-', len);
		dash[len] = 0;
		cell(out, width, dash, c == n - 1);
	}
	fputc('\n', out);
}

/*
 * The columns' width: the longest step, or statement heading a column,
 * of any column but the last (whose text has nothing to its right).
 */
static int column_width(const struct program *prog, const struct explore *ex)
{
	int width = 20, len;
	char text[256];

	for (int i = 0; i < explore_nr_steps(ex); i++) {
		struct explore_step s;
		const struct stmt *race;

		explore_get_step(ex, i, &s);
		race = race_of(prog, s.block);
		if (!race || s.thread >= race->race.nr - 1)
			continue;
		len = snprintf(text, sizeof(text), "%s: %s%s", s.func, s.step,
			       s.blocked ? " (waits)" : "");
		len = max(len, (int)strlen(race[1 + s.thread].text));
		width = max(width, len);
	}
	return min(width, COL_MAX);
}

void explore_draw(FILE *out, const struct program *prog,
		  const struct explore *ex)
{
	int nr = explore_nr_steps(ex), block = 0;
	int width = column_width(prog, ex);
	const struct stmt *race = NULL;
	char text[256];

	for (int i = 0; i < nr; i++) {
		struct explore_step s;

		explore_get_step(ex, i, &s);
		if (s.block != block) {
			block = s.block;
			race = race_of(prog, block);
			if (!race)
				return;
			fprintf(out, "%s  race of line %d\n", i ? "\n" : "",
				race->line);
			header(out, race, width);
		}
		snprintf(text, sizeof(text), "%s: %s%s", s.func, s.step,
			 s.blocked ? " (waits)" : "");
		row(out, s.thread, width, text);
	}
}

void explore_draw_json(FILE *out, const struct explore *ex)
{
	fputc('[', out);
	for (int i = 0; i < explore_nr_steps(ex); i++) {
		struct explore_step s;

		explore_get_step(ex, i, &s);
		fprintf(out, "%s{\"block\":%d,\"thread\":%d,\"func\":", i ? "," : "",
			s.block, s.thread);
		scn_json_string(out, s.func);
		fputs(",\"step\":", out);
		scn_json_string(out, s.step);
		fprintf(out, ",\"waits\":%s}", s.blocked ? "true" : "false");
	}
	fputc(']', out);
}
