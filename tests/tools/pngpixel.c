// SPDX-License-Identifier: GPL-2.0
/*
 * pngpixel FILE.png X Y: prints the colour of pixel (X, Y) as RRGGBB, for
 * tests/scripts/map.sh, which checks a rendered `show map` picture. Reads
 * the PNG with cairo (the library `show map` draws with).
 */
#include <stdio.h>
#include <stdlib.h>

#include <cairo.h>

int main(int argc, char **argv)
{
	cairo_surface_t *s;
	unsigned char *data;
	unsigned int px, a, r, g, b;
	int x, y, stride;

	if (argc != 4) {
		fprintf(stderr, "usage: pngpixel FILE.png X Y\n");
		return 2;
	}
	s = cairo_image_surface_create_from_png(argv[1]);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "pngpixel: %s: cannot read\n", argv[1]);
		return 1;
	}
	x = atoi(argv[2]);
	y = atoi(argv[3]);
	if (x < 0 || y < 0 || x >= cairo_image_surface_get_width(s) ||
	    y >= cairo_image_surface_get_height(s)) {
		fprintf(stderr, "pngpixel: (%d, %d) is outside\n", x, y);
		cairo_surface_destroy(s);
		return 1;
	}
	cairo_surface_flush(s);
	data = cairo_image_surface_get_data(s);
	stride = cairo_image_surface_get_stride(s);
	/* CAIRO_FORMAT_ARGB32 or RGB24: one native-endian word per pixel */
	px = *(unsigned int *)(data + y * stride + x * 4);
	a = cairo_image_surface_get_format(s) == CAIRO_FORMAT_ARGB32 ?
	    px >> 24 : 255;
	r = (px >> 16) & 0xff;
	g = (px >> 8) & 0xff;
	b = px & 0xff;
	if (a && a != 255) {	/* premultiplied */
		r = r * 255 / a;
		g = g * 255 / a;
		b = b * 255 / a;
	}
	printf("%02x%02x%02x\n", r, g, b);
	cairo_surface_destroy(s);
	return 0;
}
