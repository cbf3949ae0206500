// SPDX-License-Identifier: GPL-2.0
/*
 * /proc-like views of the model, in the kernel's own formats so a reader
 * (or a script written for the real files) finds what it expects:
 * /proc/PID/status's memory lines, /proc/pagetypeinfo, /proc/buddyinfo.
 * Where the model has less than the kernel (no HighAtomic migratetype, one
 * node) the lines it has keep their format and the others are left out.
 */
#include <errno.h>

#include <gupsim/inspect.h>
#include <gupsim/machine.h>

#include "model_inspect.h"

#define PAGE_KB	4L

/* The kernel prints these as "Name:\t%8lu kB". */
static void status_kb(FILE *out, const char *name, long pages)
{
	fprintf(out, "%s\t%8ld kB\n", name, pages * PAGE_KB);
}

int show_task_status(FILE *out, struct task_struct *task, const char *name)
{
	struct task_status st;

	if (!task || task_status_get(task, &st))
		return -ESRCH;
	fprintf(out, "Name:\t%s\n", name);
	status_kb(out, "VmLck:", st.locked_vm);
	status_kb(out, "VmPin:", st.pinned_vm);
	status_kb(out, "VmRSS:", st.rss_anon + st.rss_file + st.rss_shmem);
	status_kb(out, "RssAnon:", st.rss_anon);
	status_kb(out, "RssFile:", st.rss_file);
	status_kb(out, "RssShmem:", st.rss_shmem);
	/* not a /proc/PID/status line: io_uring and AF_XDP charge the user */
	status_kb(out, "UserLck:", st.user_locked_vm);
	return 0;
}

void show_pagetypeinfo(FILE *out)
{
	struct zone_freeinfo zi;
	int z, o, mt;

	fprintf(out, "Page block order: %u\n", inspect_pageblock_order());
	fprintf(out, "Pages per block:  %lu\n\n",
		1UL << inspect_pageblock_order());
	fprintf(out, "%-43s ", "Free pages count per migrate type at order");
	for (o = 0; o < INSPECT_NR_ORDERS; o++)
		fprintf(out, "%6d ", o);
	fputc('\n', out);
	for (z = 0; z < inspect_nr_buddy_zones(); z++) {
		if (zone_freeinfo_get(z, &zi))
			continue;
		for (mt = 0; mt < INSPECT_NR_MT; mt++) {
			fprintf(out, "Node %4d, zone %8s, type %12s ", 0,
				zi.name, migratetype_name(mt));
			for (o = 0; o < INSPECT_NR_ORDERS; o++)
				fprintf(out, "%6lu ", zi.free[o][mt]);
			fputc('\n', out);
		}
	}
	fprintf(out, "\n%-23s", "Number of blocks type ");
	for (mt = 0; mt < INSPECT_NR_MT; mt++)
		fprintf(out, "%12s ", migratetype_name(mt));
	fputc('\n', out);
	for (z = 0; z < inspect_nr_buddy_zones(); z++) {
		if (zone_freeinfo_get(z, &zi))
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, zi.name);
		for (mt = 0; mt < INSPECT_NR_MT; mt++)
			fprintf(out, "%12lu ", zi.blocks[mt]);
		fputc('\n', out);
	}
}

void show_buddyinfo(FILE *out)
{
	struct zone_freeinfo zi;

	for (int z = 0; z < inspect_nr_buddy_zones(); z++) {
		if (zone_freeinfo_get(z, &zi))
			continue;
		fprintf(out, "Node %d, zone %8s ", 0, zi.name);
		for (int o = 0; o < INSPECT_NR_ORDERS; o++) {
			unsigned long n = 0;

			for (int mt = 0; mt < INSPECT_NR_MT; mt++)
				n += zi.free[o][mt];
			fprintf(out, "%6lu ", n);
		}
		fputc('\n', out);
	}
}
