// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the tracepoints (mm/trace.h): nothing reaches a sink that is
 * not set; a long-term pin's migration reports its page counts as the
 * kernel's mm_migrate_pages does, and its targets' bulk allocation emits
 * mm_page_alloc for each page as alloc_pages() does; events of concurrent
 * threads arrive
 * whole, one at a time, each thread on its own "cpu" (a trace viewer's
 * track), and explaining in one thread records nothing of another's.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <gupsim/explain.h>
#include <gupsim/trace.h>

#include "harness.h"
#include "../../mm/testing.h"

#define MAX_CPUS	8

struct sink {
	long events, per_cpu[MAX_CPUS];
	long gup_fast;			/* gupsim_gup_fast events */
	long page_alloc;		/* mm_page_alloc events */
	char alloc[8][128];		/* the first mm_page_alloc fields */
	char migrate[256];		/* the last mm_migrate_pages fields */
	int inside;			/* > 1: two records at once */
	bool overlap;
};

static void count_event(void *arg, const struct trace_record *rec)
{
	struct sink *s = arg;

	if (++s->inside > 1)
		s->overlap = true;
	s->events++;
	if (rec->cpu >= 0 && rec->cpu < MAX_CPUS)
		s->per_cpu[rec->cpu]++;
	if (!strcmp(rec->event, "gupsim_gup_fast"))
		s->gup_fast++;
	if (!strcmp(rec->event, "mm_page_alloc") && s->page_alloc++ < 8)
		snprintf(s->alloc[s->page_alloc - 1], sizeof(s->alloc[0]),
			 "%s", rec->fields);
	if (!strcmp(rec->event, "mm_migrate_pages"))
		snprintf(s->migrate, sizeof(s->migrate), "%s", rec->fields);
	s->inside--;
}

TEST_CFG(longterm_migration_traced_with_counts, .mem = 256UL << 20,
	 .cma = 64UL << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 8 * PAGE_SIZE);
	struct page *pages[8];
	struct sink s = { 0 };

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 'm', 8 * PAGE_SIZE);
	trace_set_sink(count_event, &s);
	ASSERT_EQ(t_pin(t, addr, 8, FOLL_LONGTERM | FOLL_WRITE, pages), 8);
	trace_set_sink(NULL, NULL);
	unpin_user_pages(pages, 8);
	ASSERT_TRUE(!strncmp(s.migrate,
			     "nr_succeeded=8 nr_failed=0 nr_thp_succeeded=0",
			     strlen("nr_succeeded=8 nr_failed=0 nr_thp_succeeded=0")));
	ASSERT_TRUE(strstr(s.migrate, "reason=longterm_pin") != NULL);
	/* one order-0 target each, from alloc_pages_bulk() */
	ASSERT_EQ(s.page_alloc, 8);
	for (int i = 0; i < 8; i++)
		ASSERT_TRUE(strstr(s.alloc[i], " order=0 ") != NULL);
}

/*
 * alloc_pages_bulk() takes the zone lock once for the lot, but traces
 * each page as alloc_pages() would: the same mm_page_alloc lines, pfn,
 * order, migratetype and gfp_flags, in the same order.
 */
TEST(bulk_alloc_traces_each_page_as_alloc_pages)
{
	struct page *bulk[8] = { 0 }, *single[8];
	struct sink a = { 0 }, b = { 0 };

	trace_set_sink(count_event, &a);
	ASSERT_EQ(alloc_pages_bulk(GFP_HIGHUSER_MOVABLE, 8, bulk), 8);
	trace_set_sink(NULL, NULL);
	for (int i = 7; i >= 0; i--)
		__free_pages(bulk[i], 0);
	trace_set_sink(count_event, &b);
	for (int i = 0; i < 8; i++)
		single[i] = alloc_pages(GFP_HIGHUSER_MOVABLE, 0);
	trace_set_sink(NULL, NULL);
	ASSERT_EQ(a.page_alloc, 8);
	ASSERT_EQ(b.page_alloc, 8);
	for (int i = 0; i < 8; i++) {
		ASSERT_PTR_EQ(single[i], bulk[i]);
		ASSERT_TRUE(!strcmp(a.alloc[i], b.alloc[i]));
		__free_pages(single[i], 0);
	}
}

TEST(no_sink_no_events)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	struct sink s = { 0 };

	trace_set_sink(count_event, &s);
	trace_set_sink(NULL, NULL);
	t_fill(t, addr, 1, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, &page), 1);
	unpin_user_pages(&page, 1);
	ASSERT_EQ(s.events, 0);
}

struct worker {
	struct task_struct *task;
	unsigned long addr;
	bool explain;
	struct explain ex;
	long pinned;
};

#define WORKER_LOOPS	200

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct page *pages[4];

	current = w->task;
	if (w->explain)
		explain_begin(&w->ex);
	for (int i = 0; i < WORKER_LOOPS; i++) {
		long n = pin_user_pages_fast(w->addr, 4, FOLL_WRITE, pages);

		if (n > 0) {
			w->pinned += n;
			unpin_user_pages(pages, n);
		}
	}
	if (w->explain)
		explain_end();
	current = NULL;
	return NULL;
}

TEST(threads_trace_on_their_own_tracks)
{
	struct worker w[2] = { { .task = t_task("a") }, { .task = t_task("b") } };
	pthread_t th[2];
	struct sink s = { 0 };
	int cpus = 0;

	for (int i = 0; i < 2; i++) {
		w[i].addr = t_mmap_anon(w[i].task, 4 * PAGE_SIZE);
		t_fill(w[i].task, w[i].addr, 'a' + i, 4 * PAGE_SIZE);
	}
	w[1].explain = true;
	trace_set_sink(count_event, &s);
	for (int i = 0; i < 2; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, worker, &w[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	trace_set_sink(NULL, NULL);
	ASSERT_EQ(w[0].pinned, 4 * WORKER_LOOPS);
	ASSERT_EQ(w[1].pinned, 4 * WORKER_LOOPS);
	ASSERT_EQ(s.gup_fast, 2 * WORKER_LOOPS);
	ASSERT_FALSE(s.overlap);
	for (int i = 0; i < MAX_CPUS; i++)
		cpus += s.per_cpu[i] > 0;
	ASSERT_GE(cpus, 2);
	/* only the explaining thread's pins were counted */
	ASSERT_EQ(w[1].ex.pin.fast, 4 * WORKER_LOOPS);
}
