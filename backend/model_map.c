// SPDX-License-Identifier: GPL-2.0
/*
 * `show map`: physical memory as the kernel lays it out, one cell per
 * pageblock (2 MiB), in four groups: ZONE_NORMAL outside the CMA area,
 * the CMA area, ZONE_MOVABLE, fs-DAX device memory. A group of more than
 * MAP_MAX_CELLS pageblocks draws one cell per run of G of them and says
 * so. A cell shows, most telling first: a long-term pin in it, a pin, a
 * huge folio, how much of it is allocated; in the SVG its background is
 * its migratetype's colour.
 *
 * The SVG layout is fixed so that a reader (and tests/scripts/map.sh)
 * can find a pageblock: the text printed with it gives, per group, the
 * first pfn, G, and the top-left corner of its grid; cell i of the group
 * lies at that corner + (i % MAP_COLS, i / MAP_COLS) * MAP_CELL pixels.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <gupsim/inspect.h>

#ifdef HAVE_CAIRO
#include <cairo.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>
#endif

#include "model_inspect.h"

#define MAP_MAX_CELLS	1024
#define MAP_COLS	32
#define MAP_TEXT_COLS	64
#define MAP_CELL	16	/* pixels, 1 of them the gap */
#define MAP_MARGIN	16
#define MAP_TITLE_H	48
#define MAP_HEADER_H	22
#define MAP_LEGEND_W	230

/* A cell: the sum of its pageblocks. */
struct map_cell {
	int migratetype;		/* of its first pageblock; -1 device */
	unsigned long pages, free, pinned, longterm, huge;
};

struct map_group {
	const char *name;
	enum pageblock_place place;
	unsigned long first_pfn, nr_blocks, per_cell, nr_cells;
	unsigned long pages, free, pinned, longterm, huge;
	struct map_cell *cells;
	double x, y;			/* the grid's corner in the SVG */
};

static const char *const group_names[] = {
	[PB_NORMAL] = "Normal", [PB_MOVABLE] = "Movable",
	[PB_CMA] = "CMA area", [PB_DEVICE] = "Device (fs-DAX)",
};

static void cell_add(struct map_cell *c, const struct pageblock_info *pb,
		     bool first)
{
	if (first)
		c->migratetype = pb->migratetype;
	c->pages += pb->nr_pages;
	c->free += pb->nr_free;
	c->pinned += pb->nr_pinned;
	c->longterm += pb->nr_longterm;
	c->huge += pb->nr_huge;
}

/* Pass one counts each group's pageblocks, pass two fills the cells. */
static int map_collect(struct map_group g[4])
{
	unsigned long n = inspect_nr_pageblocks(), i;
	struct pageblock_info pb;

	for (int k = 0; k < 4; k++)
		g[k] = (struct map_group){ .name = group_names[k], .place = k };
	for (i = 0; i < n && !pageblock_info_get(i, &pb); i++) {
		if (!g[pb.place].nr_blocks++)
			g[pb.place].first_pfn = pb.start_pfn;
	}
	for (int k = 0; k < 4; k++) {
		g[k].per_cell = (g[k].nr_blocks + MAP_MAX_CELLS - 1) /
				MAP_MAX_CELLS;
		if (!g[k].per_cell)
			g[k].per_cell = 1;
		g[k].nr_cells = (g[k].nr_blocks + g[k].per_cell - 1) /
				g[k].per_cell;
		g[k].cells = calloc(g[k].nr_cells ? g[k].nr_cells : 1,
				    sizeof(*g[k].cells));
		if (!g[k].cells)
			return -ENOMEM;
		g[k].nr_blocks = 0;
	}
	for (i = 0; i < n && !pageblock_info_get(i, &pb); i++) {
		struct map_group *grp = &g[pb.place];
		unsigned long b = grp->nr_blocks++;

		cell_add(&grp->cells[b / grp->per_cell], &pb,
			 b % grp->per_cell == 0);
		grp->pages += pb.nr_pages;
		grp->free += pb.nr_free;
		grp->pinned += pb.nr_pinned;
		grp->longterm += pb.nr_longterm;
		grp->huge += pb.nr_huge;
	}
	return 0;
}

static void map_free(struct map_group g[4])
{
	for (int k = 0; k < 4; k++)
		free(g[k].cells);
}

/* The character of a cell in the text form (see the legend). */
static char cell_char(const struct map_cell *c)
{
	if (c->longterm)
		return 'L';
	if (c->pinned)
		return 'p';
	if (c->huge)
		return 'H';
	if (c->free == c->pages)
		return '.';
	return c->free ? ':' : '#';
}

static void group_header(FILE *out, const struct map_group *g)
{
	fprintf(out, "%s: pfn %#lx, %lu pageblock%s", g->name, g->first_pfn,
		g->nr_blocks, g->nr_blocks == 1 ? "" : "s");
	if (g->per_cell > 1)
		fprintf(out, " (%lu a cell)", g->per_cell);
	fprintf(out, "; pages: %lu free, %lu allocated, %lu pinned, %lu long-term pinned, %lu in huge folios\n",
		g->free, g->pages - g->free, g->pinned, g->longterm, g->huge);
}

static void map_text(FILE *out, struct map_group g[4])
{
	for (int k = 0; k < 4; k++) {
		if (!g[k].nr_blocks)
			continue;
		group_header(out, &g[k]);
		for (unsigned long i = 0; i < g[k].nr_cells; i++) {
			if (i % MAP_TEXT_COLS == 0)
				fputs("  ", out);
			fputc(cell_char(&g[k].cells[i]), out);
			if (i % MAP_TEXT_COLS == MAP_TEXT_COLS - 1 ||
			    i + 1 == g[k].nr_cells)
				fputc('\n', out);
		}
	}
	fputs("legend: . free  : partly allocated  # allocated  H huge folio  p pinned  L long-term pinned\n",
	      out);
}

#ifdef HAVE_CAIRO

struct rgb {
	double r, g, b;
};

#define RGB(x) { ((x) >> 16) / 255.0, (((x) >> 8) & 0xff) / 255.0, \
		 ((x) & 0xff) / 255.0 }

/* Migratetypes in inspect order (Unmovable ... Isolate), then device. */
static const struct rgb mt_colour[INSPECT_NR_MT + 1] = {
	RGB(0xd9c2e9), RGB(0xc7e9c0), RGB(0xfdd0a2), RGB(0x9ecae1),
	RGB(0xd9d9d9), RGB(0xf3e3b5),
};
static const struct rgb allocated_colour = RGB(0x636363);
static const struct rgb pinned_colour = RGB(0xff9f1c);
static const struct rgb longterm_colour = RGB(0xd62728);
static const struct rgb huge_colour = RGB(0x000000);

static void set_rgb(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void draw_text(cairo_t *cr, double x, double y, double size,
		      const char *text)
{
	set_rgb(cr, (struct rgb){ 0, 0, 0 });
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, text);
}

/* One cell: migratetype, allocated share from the bottom, huge, pins. */
static void draw_cell(cairo_t *cr, double x, double y,
		      const struct map_cell *c)
{
	double s = MAP_CELL - 1, used;

	set_rgb(cr, mt_colour[c->migratetype < 0 ? INSPECT_NR_MT :
			      c->migratetype]);
	cairo_rectangle(cr, x, y, s, s);
	cairo_fill(cr);
	used = c->pages ? s * (double)(c->pages - c->free) / c->pages : 0;
	if (used > 0) {
		set_rgb(cr, allocated_colour);
		cairo_rectangle(cr, x, y + s - used, s, used);
		cairo_fill(cr);
	}
	if (c->huge) {
		set_rgb(cr, huge_colour);
		cairo_set_line_width(cr, 2);
		cairo_rectangle(cr, x + 1, y + 1, s - 2, s - 2);
		cairo_stroke(cr);
	}
	if (c->longterm || c->pinned) {
		set_rgb(cr, c->longterm ? longterm_colour : pinned_colour);
		cairo_rectangle(cr, x + 3, y + 3, s - 6, s - 6);
		cairo_fill(cr);
	}
}

static void legend_entry(cairo_t *cr, double x, double y, struct rgb c,
			 const char *text)
{
	set_rgb(cr, c);
	cairo_rectangle(cr, x, y - 10, 12, 12);
	cairo_fill(cr);
	draw_text(cr, x + 18, y, 11, text);
}

static void draw_legend(cairo_t *cr, double x, double y)
{
	static const char *const mt[] = { "Unmovable", "Movable",
		"Reclaimable", "CMA", "Isolate", "device memory" };

	draw_text(cr, x, y, 12, "migratetype (background)");
	for (int i = 0; i <= INSPECT_NR_MT; i++)
		legend_entry(cr, x, y + 18 * (i + 1), mt_colour[i], mt[i]);
	y += 18 * (INSPECT_NR_MT + 2) + 8;
	draw_text(cr, x, y, 12, "pages (foreground)");
	legend_entry(cr, x, y + 18, allocated_colour,
		     "allocated (share, from below)");
	legend_entry(cr, x, y + 36, pinned_colour, "pinned");
	legend_entry(cr, x, y + 54, longterm_colour, "long-term pinned");
	set_rgb(cr, huge_colour);
	cairo_set_line_width(cr, 2);
	cairo_rectangle(cr, x + 1, y + 63, 10, 10);
	cairo_stroke(cr);
	draw_text(cr, x + 18, y + 72, 11, "huge folio (frame)");
}

/* Places every group's grid; returns the picture's height. */
static double map_layout(struct map_group g[4])
{
	double y = MAP_TITLE_H;

	for (int k = 0; k < 4; k++) {
		if (!g[k].nr_blocks)
			continue;
		g[k].x = MAP_MARGIN;
		g[k].y = y + MAP_HEADER_H;
		y = g[k].y + MAP_CELL * ((g[k].nr_cells + MAP_COLS - 1) /
					 MAP_COLS) + 12;
	}
	return y + MAP_MARGIN;
}

static void draw_group(cairo_t *cr, const struct map_group *g)
{
	char line[256];

	snprintf(line, sizeof(line),
		 "%s: pfn %#lx, %lu pageblocks%s; %lu free, %lu allocated, %lu pinned, %lu long-term",
		 g->name, g->first_pfn, g->nr_blocks,
		 g->per_cell > 1 ? " (grouped)" : "", g->free,
		 g->pages - g->free, g->pinned, g->longterm);
	draw_text(cr, g->x, g->y - 7, 11, line);
	for (unsigned long i = 0; i < g->nr_cells; i++)
		draw_cell(cr, g->x + MAP_CELL * (double)(i % MAP_COLS),
			  g->y + MAP_CELL * (double)(i / MAP_COLS),
			  &g->cells[i]);
}

static int map_svg(const char *path, const char *caption,
		   struct map_group g[4])
{
	double w = 2 * MAP_MARGIN + MAP_COLS * MAP_CELL + MAP_LEGEND_W;
	double h = map_layout(g);
	cairo_surface_t *surface;
	cairo_t *cr;
	int ret;

	if (h < 340)
		h = 340;
	surface = cairo_svg_surface_create(path, w, h);
	cairo_svg_surface_restrict_to_version(surface, CAIRO_SVG_VERSION_1_1);
	cr = cairo_create(surface);
	set_rgb(cr, (struct rgb){ 1, 1, 1 });
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
	draw_text(cr, MAP_MARGIN, 22, 15, "gupsim: physical memory by pageblock");
	draw_text(cr, MAP_MARGIN, 40, 11, caption);
	for (int k = 0; k < 4; k++)
		if (g[k].nr_blocks)
			draw_group(cr, &g[k]);
	draw_legend(cr, w - MAP_LEGEND_W + 10, MAP_TITLE_H + 14);
	cairo_destroy(cr);
	cairo_surface_finish(surface);
	ret = cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS ? 0 : -EIO;
	cairo_surface_destroy(surface);
	/*
	 * Text loaded cairo's font caches and fontconfig's configuration;
	 * both are dropped again, so that a run ends with nothing held (the
	 * leak checks of `make asan`) and the next picture starts afresh.
	 */
	cairo_debug_reset_static_data();
	FcFini();
	return ret;
}

/* Where the grids are, for a reader of the picture. */
static void map_where(FILE *out, const char *path, struct map_group g[4])
{
	fprintf(out, "%s: cells of %d px, %d a row\n", path, MAP_CELL,
		MAP_COLS);
	for (int k = 0; k < 4; k++)
		if (g[k].nr_blocks)
			fprintf(out, "  %s: first pfn %#lx, %lu pageblock%s a cell, grid at (%.0f, %.0f)\n",
				g[k].name, g[k].first_pfn, g[k].per_cell,
				g[k].per_cell == 1 ? "" : "s", g[k].x, g[k].y);
}

#endif /* HAVE_CAIRO */

int show_map(FILE *out, const char *path, const char *caption)
{
	struct map_group g[4];
	int ret = map_collect(g);

	if (ret)
		goto out;
	if (!path) {
		fprintf(out, "%s\n", caption);
		map_text(out, g);
		goto out;
	}
#ifdef HAVE_CAIRO
	ret = map_svg(path, caption, g);
	if (!ret)
		map_where(out, path, g);
#else
	ret = -EOPNOTSUPP;
#endif
out:
	map_free(g);
	return ret;
}
