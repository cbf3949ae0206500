// SPDX-License-Identifier: GPL-2.0
/*
 * ns per page against buffer size (issue 14): the long-term pin
 * (pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM)) of a populated buffer
 * of 4 KiB .. 1 GiB in powers of 4, on 4 KiB pages, THP and (the model
 * only) CMA, beside the host kernel's io_uring registration of a buffer
 * of the same size and backing; the CMA rows beside a host memcpy() of
 * the same bytes, the least a migration of them costs (the host cannot
 * put a user buffer in CMA). THP rows start at 4 MiB, the first size
 * that holds a whole PMD.
 *
 * Each point is the median of a few samples, model and host alternating
 * (A B A B); small buffers get more samples, their figures are a
 * microsecond or two. The standard run writes the table into the results
 * and the points, one line a size, into a data file beside them, which
 * `make bench` draws with gnuplot (tools/bench-plot.gp).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_util.h"

#define KiB		(1UL << 10)
#define MiB		(1UL << 20)
#define THP_MIN		(4 * MiB)

static const char *const sweep_names[BENCH_SWEEP_SERIES] = {
	[SW_MODEL_4K]	= "model 4 KiB pages",
	[SW_MODEL_THP]	= "model THP",
	[SW_MODEL_CMA]	= "model CMA (migrates)",
	[SW_HOST_4K]	= "host 4 KiB pages",
	[SW_HOST_THP]	= "host THP",
	[SW_HOST_MEMCPY] = "host memcpy",
};

/* Samples per point: enough pages in all that the median settles. */
static int sweep_repeats(size_t size)
{
	if (size <= MiB)
		return 31;
	if (size <= 16 * MiB)
		return 11;
	return size <= 256 * MiB ? 5 : 3;
}

/*
 * One size of one backing: the model's buffer and the host's beside it,
 * samples alternating; the medians (ns per page) into model and host.
 */
static int sweep_point(size_t size, bool thp, bool cma, double *model,
		       double *host, FILE *log)
{
	struct bench_opts o = {
		.size = size, .repeats = sweep_repeats(size), .write = true,
		.thp = thp, .cma = cma, .mode = BM_LONGTERM_FAST,
		.threads = 1, .host = true,
	};
	double m[64], h[64];
	struct bench_hbuf buf = { 0 }, src = { 0 };
	struct bench_ring *ring = NULL;
	struct bench_model *run;
	int i, n = 0, ret;

	ret = bench_host_buf_alloc(&buf, size, thp || cma, false);
	if (!ret && cma)
		ret = bench_host_buf_alloc(&src, size, true, false);
	if (!ret && !cma && !(ring = bench_ring_create()))
		ret = -ENODEV;
	run = ret ? NULL : bench_model_create(&o);
	if (!ret && !run)
		ret = -EINVAL;
	for (i = 0; !ret && i < o.repeats; i++) {
		struct bench_sample ms, hs;
		double cpu;

		ret = bench_model_sample(run, &ms);
		if (!ret && cma)
			hs.get_ns = bench_memcpy_ns(&buf, &src, &cpu);
		else if (!ret)
			ret = bench_ring_sample(ring, &buf, &hs);
		if (ret)
			break;
		m[n] = ms.get_ns / bench_pages(size);
		h[n++] = hs.get_ns / bench_pages(size);
	}
	if (run && bench_model_destroy(run) && !ret)
		ret = -EUCLEAN;
	bench_ring_destroy(ring);
	bench_host_buf_free(&buf);
	bench_host_buf_free(&src);
	*model = ret ? 0 : bench_median(m, n);
	*host = ret ? 0 : bench_median(h, n);
	fprintf(log, "%8zu KiB %-4s model %8.2f ns/page, %s %8.2f ns/page (%d pairs)%s%s\n",
		size / KiB, cma ? "CMA" : thp ? "THP" : "4K", *model,
		cma ? "memcpy" : "host", *host, n, ret ? ": " : "",
		ret ? strerror(-ret) : "");
	return ret;
}

int bench_sweep_measure(struct bench_sweep *sw, FILE *log)
{
	int i, ret;

	memset(sw, 0, sizeof(*sw));
	fprintf(log, "\n== ns per page against buffer size ==\n");
	for (i = 0; i < BENCH_SWEEP_SIZES; i++) {
		size_t size = sw->size[i] = (4 * KiB) << (2 * i);

		ret = sweep_point(size, false, false, &sw->ns[SW_MODEL_4K][i],
				  &sw->ns[SW_HOST_4K][i], log);
		if (!ret && size >= THP_MIN)
			ret = sweep_point(size, true, false,
					  &sw->ns[SW_MODEL_THP][i],
					  &sw->ns[SW_HOST_THP][i], log);
		if (!ret)
			ret = sweep_point(size, false, true,
					  &sw->ns[SW_MODEL_CMA][i],
					  &sw->ns[SW_HOST_MEMCPY][i], log);
		if (ret)
			return ret;
	}
	sw->measured = true;
	return 0;
}

/* The points for gnuplot: a size (bytes) and each series, "?" if none. */
int bench_sweep_write_data(const struct bench_sweep *sw, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	/* the header line is data to gnuplot: its titles (columnheader) */
	fprintf(f, "# gupsim bench: ns per page of a long-term pin against buffer size\nbytes");
	for (int s = 0; s < BENCH_SWEEP_SERIES; s++)
		fprintf(f, "\t\"%s\"", sweep_names[s]);
	fputc('\n', f);
	for (int i = 0; i < BENCH_SWEEP_SIZES; i++) {
		fprintf(f, "%zu", sw->size[i]);
		for (int s = 0; s < BENCH_SWEEP_SERIES; s++)
			if (sw->ns[s][i])
				fprintf(f, "\t%.3f", sw->ns[s][i]);
			else
				fprintf(f, "\t?");
		fputc('\n', f);
	}
	return fclose(f) ? -errno : 0;
}

static void sweep_size_name(size_t size, char *buf, size_t len)
{
	if (size >= (1UL << 30))
		snprintf(buf, len, "%zu GiB", size >> 30);
	else if (size >= MiB)
		snprintf(buf, len, "%zu MiB", size >> 20);
	else
		snprintf(buf, len, "%zu KiB", size >> 10);
}

void bench_sweep_write(FILE *out, const struct bench_sweep *sw,
		       const char *svg)
{
	if (!sw->measured)
		return;
	fprintf(out, "\n## ns per page against buffer size\n\n"
		"![ns per page against buffer size](%s)\n\n"
		"Long-term pin (pin_user_pages_fast(FOLL_WRITE|FOLL_LONGTERM)) "
		"of a populated buffer, median ns per 4 KiB page of a few "
		"samples, model and host alternating. Host: io_uring buffer "
		"registration of the same size and backing; beside the CMA "
		"rows (the model migrates every page out of CMA), a host "
		"memcpy() of the same bytes, the least a migration costs. "
		"THP from 4 MiB. The picture is drawn by `make bench` with "
		"gnuplot from the data file beside it.\n\n| size |", svg);
	for (int s = 0; s < BENCH_SWEEP_SERIES; s++)
		fprintf(out, " %s |", sweep_names[s]);
	fprintf(out, "\n| --- |");
	for (int s = 0; s < BENCH_SWEEP_SERIES; s++)
		fprintf(out, " --- |");
	fputc('\n', out);
	for (int i = 0; i < BENCH_SWEEP_SIZES; i++) {
		char name[16];

		sweep_size_name(sw->size[i], name, sizeof(name));
		fprintf(out, "| %s |", name);
		for (int s = 0; s < BENCH_SWEEP_SERIES; s++)
			if (sw->ns[s][i])
				fprintf(out, " %.2f |", sw->ns[s][i]);
			else
				fprintf(out, " - |");
		fputc('\n', out);
	}
}
