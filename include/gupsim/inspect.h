/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the machine as /proc does: a task's memory accounting
 * (/proc/PID/status), the buddy allocator's free lists per order and
 * migratetype (/proc/buddyinfo, /proc/pagetypeinfo), and the state of each
 * pageblock (what `show map` draws). Read-only snapshots: each call takes
 * the locks it needs, and a machine changing under it may be seen half
 * way, as /proc shows a running kernel.
 */
#ifndef GUPSIM_INSPECT_H
#define GUPSIM_INSPECT_H

#include <gupsim/types.h>

/* ---- a task's accounting (/proc/PID/status) ---- */

struct task_status {
	long locked_vm;		/* mm->locked_vm, pages (VmLck) */
	long pinned_vm;		/* mm->pinned_vm, pages (VmPin) */
	long rss_anon, rss_file, rss_shmem;	/* pages (RssAnon, ...) */
	long user_locked_vm;	/* the task's user_struct: io_uring, xdp */
};

/* 0, or -ESRCH when the task has no mm (it exited). */
int task_status_get(struct task_struct *task, struct task_status *st);

/* ---- the buddy allocator's free lists ---- */

#define INSPECT_NR_ORDERS	11	/* orders 0 .. MAX_PAGE_ORDER */
/* Unmovable, Movable, Reclaimable, CMA, Isolate */
#define INSPECT_NR_MT		5

/* The kernel's /proc/pagetypeinfo name of a migratetype ("Unmovable"). */
const char *migratetype_name(int mt);

struct zone_freeinfo {
	const char *name;	/* "Normal", "Movable" as /proc spells them */
	unsigned long start_pfn, spanned_pages;
	unsigned long free[INSPECT_NR_ORDERS][INSPECT_NR_MT]; /* blocks */
	unsigned long blocks[INSPECT_NR_MT];	/* pageblocks a type */
};

/* Pageblock order and the number of zones that have a buddy allocator. */
unsigned int inspect_pageblock_order(void);
int inspect_nr_buddy_zones(void);
/* Zone i (0 .. inspect_nr_buddy_zones() - 1): 0, or -ENOENT if empty. */
int zone_freeinfo_get(int i, struct zone_freeinfo *zi);

/* ---- pageblocks (RAM, then fs-DAX device memory) ---- */

enum pageblock_place { PB_NORMAL, PB_CMA, PB_MOVABLE, PB_DEVICE };

struct pageblock_info {
	unsigned long start_pfn;
	enum pageblock_place place;	/* zone, CMA area, device memory */
	int migratetype;		/* as migratetype_name(); -1 device */
	unsigned int nr_pages;
	unsigned int nr_free;		/* in the buddy allocator */
	unsigned int nr_pinned;		/* in a folio with a pin */
	unsigned int nr_longterm;	/* ... with a FOLL_LONGTERM pin */
	unsigned int nr_huge;		/* in a folio of pageblock order+ */
};

unsigned long inspect_nr_pageblocks(void);
/* 0, or -ENOENT past the last pageblock. */
int pageblock_info_get(unsigned long idx, struct pageblock_info *pb);

#endif /* GUPSIM_INSPECT_H */
