// SPDX-License-Identifier: GPL-2.0
/*
 * The GUP-fast races that kernel fixes closed, each forced by a schedule
 * written out by hand, as the fixes' commit messages draw them: under the
 * release before the fix the race happens (the pin is left on a page the
 * task no longer maps), under the release with it, or with the fix's
 * profile entry added to the old release, it cannot.
 *
 * The scheduler here is a test's stand-in for `gupsim explore`: a
 * struct sched_hooks that runs one registered thread at a time and
 * passes control only where a script says. A script is a list of steps
 * "run thread T until it reaches point FUNC: STEP" (or, with no point,
 * until T ends); after the last step every thread runs freely. A thread
 * that stops reaching points while it holds the turn (it waits for a lock
 * another, parked thread holds) is noticed after 100 ms without a point, and the
 * rest of the script is dropped: from then on the threads run freely,
 * which cannot change the outcome the script was written for, since the
 * blocked thread cannot move until the other lets go.
 *
 * At the end, GUP-fast against fork, munmap, mprotect, MADV_DONTNEED,
 * mremap, migration, MADV_COLLAPSE and split_huge_page() is swept over
 * every schedule with one preemption under 6.18 (none may fail), and the
 * same sweep finds the fork race under 5.10. The collapse and split
 * races need two preemptions: their scripts above are the schedules.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include <gupsim/profile.h>

#include "harness.h"
#include "../../mm/testing.h"
#include "../../lib/sched_point.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif

#define RACE_THREADS	2
#define PG(n)		((unsigned long)(n) * PAGE_SIZE)

struct race_step {
	int thread;
	const char *func;	/* NULL: until the thread ends (or nth) */
	const char *step;
	int nth;		/* func NULL: until the thread's nth point */
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct race_step *script;
	int nr_steps, cur;
	int turn;		/* the thread that may run; -1: all */
	unsigned long progress;	/* points passed by registered threads */
	bool done[RACE_THREADS];
	int reached;		/* script steps that ended at their point */
	int hits[RACE_THREADS];	/* points each thread passed */
	bool dropped;		/* a thread blocked: the script was given up */
} rs = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };

static __thread int rs_self = -1;

/* The script is over: everyone runs. Called with rs.lock held. */
static void rs_free_run(void)
{
	rs.cur = rs.nr_steps;
	rs.turn = -1;
	pthread_cond_broadcast(&rs.cond);
}

/* The next step's thread gets the turn. Called with rs.lock held. */
static void rs_next_step(void)
{
	if (++rs.cur >= rs.nr_steps)
		rs_free_run();
	else
		rs.turn = rs.script[rs.cur].thread;
	pthread_cond_broadcast(&rs.cond);
}

/*
 * Waits for our turn. If the thread holding it passes no point for
 * 100 ms it is blocked on something we hold: give the script up.
 */
static void rs_wait_turn(void)
{
	while (rs.turn != -1 && rs.turn != rs_self) {
		unsigned long seen = rs.progress;
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&rs.cond, &rs.lock, &ts) ==
		    ETIMEDOUT && rs.progress == seen && rs.turn != -1 &&
		    rs.turn != rs_self && !rs.done[rs.turn]) {
			rs.dropped = true;
			rs_free_run();
		}
	}
}

static void rs_point(const struct sched_point *sp)
{
	const struct race_step *s;

	if (rs_self < 0)
		return;
	pthread_mutex_lock(&rs.lock);
	rs.progress++;
	rs.hits[rs_self]++;
	if (rs.cur < rs.nr_steps) {
		s = &rs.script[rs.cur];
		if (s->thread == rs_self &&
		    (s->func ? !strcmp(s->func, sp->func) &&
			       !strcmp(s->step, sp->step) :
			       s->nth == rs.hits[rs_self])) {
			rs.reached++;
			rs_next_step();
		}
	}
	rs_wait_turn();
	pthread_mutex_unlock(&rs.lock);
}

/* A blocked thread under a script: the script cannot go on as written. */
static void rs_block(const void *obj, const struct sched_point *sp)
{
	(void)obj;
	(void)sp;
	if (rs_self < 0)
		return;
	pthread_mutex_lock(&rs.lock);
	if (rs.turn != -1) {
		rs.dropped = true;
		rs_free_run();
	}
	pthread_mutex_unlock(&rs.lock);
}

static void rs_wake(const void *obj)
{
	(void)obj;
}

static const struct sched_hooks rs_hooks = {
	.point = rs_point, .block = rs_block, .wake = rs_wake,
};

struct race_thread {
	int id;
	struct task_struct *task;	/* current while it runs */
	void (*fn)(struct race_thread *rt);
	unsigned long addr;
	long ret;
	struct page *pages[1];
	struct task_struct *child;	/* what a fork made */
};

static void *rs_thread(void *arg)
{
	struct race_thread *rt = arg;

	rs_self = rt->id;
	current = rt->task;
	pthread_mutex_lock(&rs.lock);
	rs_wait_turn();
	pthread_mutex_unlock(&rs.lock);

	rt->fn(rt);

	pthread_mutex_lock(&rs.lock);
	rs.done[rt->id] = true;
	rs.progress++;
	if (rs.cur < rs.nr_steps && rs.script[rs.cur].thread == rt->id) {
		/* a step "until it ends" is done; one with a point never was */
		if (!rs.script[rs.cur].func && !rs.script[rs.cur].nth)
			rs.reached++;
		rs_next_step();
	} else if (rs.turn == rt->id) {
		rs_free_run();
	}
	pthread_mutex_unlock(&rs.lock);
	rs_self = -1;
	return NULL;
}

/*
 * Runs the threads under the script. Returns how many steps ended where
 * the script said (a test asserts all did, or knows why not).
 */
static int race_run(struct race_thread *t, const struct race_step *script,
		    int nr_steps)
{
	pthread_t tid[RACE_THREADS];

	rs.script = script;
	rs.nr_steps = nr_steps;
	rs.cur = 0;
	rs.turn = script[0].thread;
	rs.progress = 0;
	rs.reached = 0;
	rs.dropped = false;
	for (int i = 0; i < RACE_THREADS; i++) {
		rs.done[i] = false;
		rs.hits[i] = 0;
		t[i].id = i;
	}
	__atomic_store_n(&sched_hooks, &rs_hooks, __ATOMIC_RELEASE);
	for (int i = 0; i < RACE_THREADS; i++)
		ASSERT_EQ(pthread_create(&tid[i], NULL, rs_thread, &t[i]), 0);
	for (int i = 0; i < RACE_THREADS; i++)
		pthread_join(tid[i], NULL);
	__atomic_store_n(&sched_hooks, NULL, __ATOMIC_RELEASE);
	return rs.reached;
}

/* ---- machines under a release ---- */

static void boot_cma(const char *release, enum thp_mode thp, size_t cma)
{
	t_boot(release, (struct machine_config){ .mem = 128 * MiB,
						 .thp = thp, .cma = cma });
	ASSERT_STREQ(kernel_profile_name(machine_kernel()), release);
}

static void boot(const char *release, enum thp_mode thp)
{
	boot_cma(release, thp, 0);
}

/* The device's side: a FOLL_PIN|FOLL_WRITE GUP-fast of one page. */
static void pin_write_fast(struct race_thread *rt)
{
	rt->ret = pin_user_pages_fast(rt->addr, 1, FOLL_WRITE, rt->pages);
}

static void fork_task(struct race_thread *rt)
{
	rt->child = task_fork(rt->task, "child");
}

/*
 * After the race: did the pin survive? The task writes its page; the
 * pin still holds the page the task maps if the device sees the write.
 */
static bool pin_sees_task_writes(struct task_struct *t, unsigned long addr,
				 struct page *pinned, int byte)
{
	t_fill(t, addr, byte, PAGE_SIZE);
	return pinned == t_page(t, addr) && page_holds(pinned, byte);
}

/* ---- fork against GUP-fast (57efa1fe5957, 5.11) ---- */

/*
 *   fork (copy_present_pte)              GUP-fast (pin, write)
 *   page_maybe_dma_pinned(): false
 *                                        read pte (writable)
 *                                        try_grab_folio_fast(): pinned
 *                                        re-check pte: unchanged
 *   write-protect the parent's pte
 *   ...
 *   parent writes: the page is shared and pinned: COW copies it away
 */
static const struct race_step fork_script[] = {
	{ 0, "copy_present_pte", "page_maybe_dma_pinned() false", 0 },
	{ 1, NULL, NULL, 0 },
};

/* Returns whether the pin still sees the parent's writes. */
static bool fork_race(const char *release)
{
	struct race_thread rt[RACE_THREADS] = {
		{ .fn = fork_task }, { .fn = pin_write_fast },
	};
	struct task_struct *parent;
	unsigned long addr;
	bool kept;

	boot(release, THP_NEVER);
	parent = t_task("parent");
	addr = t_mmap_anon(parent, PAGE_SIZE);
	t_fill(parent, addr, 0x11, PAGE_SIZE);
	rt[0].task = rt[1].task = parent;
	rt[1].addr = addr;
	/* the window was open: fork stopped between its check and wrprotect */
	ASSERT_TRUE(race_run(rt, fork_script, 2) >= 1);
	current = parent;
	ASSERT_TRUE(rt[0].child != NULL);
	ASSERT_EQ(rt[1].ret, 1);
	kept = pin_sees_task_writes(parent, addr, rt[1].pages[0], 0x22);
	/* a lost pin comes only from the schedule as drawn */
	ASSERT_TRUE(kept || (rs.reached == 2 && !rs.dropped));
	/* the child keeps what was there at fork */
	ASSERT_TRUE(t_holds(rt[0].child, addr, 0x11, PAGE_SIZE));
	unpin_user_pages(rt[1].pages, 1);
	t_shutdown();
	return kept;
}

TEST_NO_MACHINE(fork_race_loses_the_pin_before_5_11)
{
	ASSERT_FALSE(fork_race("5.10"));
	/* the fix alone closes it */
	ASSERT_TRUE(fork_race("5.10+GUP_FAST_FORK_SEQ"));
}

TEST_NO_MACHINE(fork_race_keeps_the_pin_from_5_11)
{
	ASSERT_TRUE(fork_race("5.11"));
	ASSERT_TRUE(fork_race("6.18"));
	/* and 6.18 without it has the race again */
	ASSERT_FALSE(fork_race("6.18-GUP_FAST_FORK_SEQ"));
}

/* ---- collapse against GUP-fast (70cbc3cc78a9, 6.0) ---- */

static void collapse(struct race_thread *rt)
{
	rt->ret = vm_madvise(rt->task, rt->addr, 2 * MiB, MADV_COLLAPSE);
}

/*
 *   MADV_COLLAPSE                        GUP-fast (pin, write)
 *                                        read pmd, read pte
 *   pmdp_collapse_flush(): pmd cleared
 *   isolate: refcount == mapcount
 *                                        try_grab_folio_fast(): pinned
 *                                        re-check pte: unchanged
 *                                        (6.0: re-check pmd: changed)
 *   copy the page, clear the pte
 *   install the huge pmd
 *   the pin is on the old page, which the task no longer maps
 */
static const struct race_step collapse_script[] = {
	{ 1, "gup_fast_pte_range", "read pte", 0 },
	{ 0, "collapse_huge_page", "isolated: refcount == mapcount", 0 },
	{ 1, NULL, NULL, 0 },
};

static bool collapse_race(const char *release)
{
	struct race_thread rt[RACE_THREADS] = {
		{ .fn = collapse }, { .fn = pin_write_fast },
	};
	struct task_struct *t;
	unsigned long a;
	bool kept;

	boot(release, THP_NEVER);
	t = t_task("t");
	a = t_mmap_anon(t, 2 * MiB);
	ASSERT_TRUE(IS_ALIGNED(a, PMD_SIZE));
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		t_fill(t, a + PG(i), 0x30, PAGE_SIZE);
	rt[0].task = rt[1].task = t;
	rt[0].addr = a;
	rt[1].addr = a + PG(5);
	/* both GUP-fast's read and collapse's check happened as drawn */
	ASSERT_TRUE(race_run(rt, collapse_script, 3) >= 2);
	current = t;
	ASSERT_EQ(rt[0].ret, 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, a)));
	ASSERT_EQ(rt[1].ret, 1);
	kept = pin_sees_task_writes(t, a + PG(5), rt[1].pages[0], 0x31);
	ASSERT_TRUE(kept || (rs.reached == 3 && !rs.dropped));
	unpin_user_pages(rt[1].pages, 1);
	t_shutdown();
	return kept;
}

/* MADV_COLLAPSE came in 6.1: the old GUP-fast is 6.18 without the fix. */
TEST_NO_MACHINE(collapse_race_loses_the_pin_without_the_pmd_recheck)
{
	ASSERT_FALSE(collapse_race("6.18-GUP_FAST_PMD_RECHECK"));
}

TEST_NO_MACHINE(collapse_race_keeps_the_pin_with_the_pmd_recheck)
{
	ASSERT_TRUE(collapse_race("6.18"));
	ASSERT_TRUE(collapse_race("6.1"));
}

/* ---- split_huge_page() against GUP-fast (c24d37322548, 5.14) ---- */

static void split_thp(struct race_thread *rt)
{
	struct folio *folio = page_folio(t_page(rt->task, rt->addr));

	folio_get(folio);
	folio_lock(folio);
	rt->ret = split_huge_page(folio);
	folio_unlock(folio);
	folio_put(folio);
}

/*
 *   GUP-fast (pin, write)                split_huge_page()
 *   read pte
 *   head = page_folio(page): the THP
 *                                        unmap, freeze, split, remap
 *   grab head (now a small folio)
 *   re-check pte: unchanged
 *   (5.14: page_folio(page) != head: let go, grab page's own folio)
 *   the pin is on the head; the page returned has none
 */
static const struct race_step split_script[] = {
	{ 1, "try_grab_folio_fast", "page_folio() read", 0 },
	{ 0, NULL, NULL, 0 },
	{ 1, NULL, NULL, 0 },
};

/* Returns whether the page GUP-fast returned is the page it pinned. */
static bool split_race(const char *release)
{
	struct race_thread rt[RACE_THREADS] = {
		{ .fn = split_thp }, { .fn = pin_write_fast },
	};
	struct task_struct *t;
	struct folio *head, *got;
	unsigned long a;
	bool right;

	boot(release, THP_ALWAYS);
	t = t_task("t");
	a = t_mmap_anon(t, 2 * MiB);
	t_fill(t, a, 0x40, 2 * MiB);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, a)));
	head = page_folio(t_page(t, a));
	/* PTE-mapped, still one large folio: what split_huge_page() takes */
	mmap_write_lock(task_mm(t));
	split_huge_pmd_address(find_vma(task_mm(t), a), a);
	mmap_write_unlock(task_mm(t));
	ASSERT_TRUE(folio_test_large(page_folio(t_page(t, a + PG(5)))));
	rt[0].task = rt[1].task = t;
	rt[0].addr = a;
	rt[1].addr = a + PG(5);
	ASSERT_EQ(race_run(rt, split_script, 3), 3);
	ASSERT_FALSE(rs.dropped);
	ASSERT_EQ(rt[0].ret, 0);
	ASSERT_EQ(rt[1].ret, 1);
	ASSERT_PTR_EQ(rt[1].pages[0], t_page(t, a + PG(5)));
	got = page_folio(rt[1].pages[0]);
	ASSERT_FALSE(folio_test_large(got));
	right = folio_maybe_dma_pinned(got);
	if (right) {
		unpin_user_pages(rt[1].pages, 1);
	} else {
		/* the pin went to the old head, counted as a large folio's */
		ASSERT_EQ(atomic_load(&head->page._debug_pins), 1);
		ASSERT_EQ(folio_put_ref_pins(head, 1, 1), 0);
	}
	current = t;
	t_shutdown();
	return right;
}

TEST_NO_MACHINE(split_race_pins_the_wrong_page_before_5_14)
{
	ASSERT_FALSE(split_race("5.13"));
	ASSERT_TRUE(split_race("5.13+GUP_FAST_SPLIT_RECHECK"));
}

TEST_NO_MACHINE(split_race_pins_the_right_page_from_5_14)
{
	ASSERT_TRUE(split_race("5.14"));
	ASSERT_TRUE(split_race("6.18"));
	ASSERT_FALSE(split_race("6.18-GUP_FAST_SPLIT_RECHECK"));
}

/* ---- the pieces the races use ---- */

TEST_CFG(split_huge_page_maps_each_page_by_its_own_folio, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long a = t_mmap_anon(t, 2 * MiB);
	struct folio *folio;
	struct page *pages[1];

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		t_fill(t, a + PG(i), (int)(i & 0xff), PAGE_SIZE);
	mmap_write_lock(task_mm(t));
	split_huge_pmd_address(find_vma(task_mm(t), a), a);
	mmap_write_unlock(task_mm(t));
	folio = page_folio(t_page(t, a));
	/* a pin is a reference beyond the mappings: no split */
	ASSERT_EQ(t_pin(t, a + PG(7), 1, FOLL_WRITE, pages), 1);
	folio_get(folio);
	folio_lock(folio);
	ASSERT_EQ(split_huge_page(folio), -EAGAIN);
	unpin_user_pages(pages, 1);
	ASSERT_EQ(split_huge_page(folio), 0);
	folio_unlock(folio);
	folio_put(folio);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		struct page *p = t_page(t, a + PG(i));

		ASSERT_PTR_EQ(p, &folio->page + i);
		ASSERT_FALSE(folio_test_large(page_folio(p)));
		ASSERT_EQ(page_ref_count(p), 1);
		ASSERT_TRUE(t_holds(t, a + PG(i), (int)(i & 0xff), PAGE_SIZE));
	}
	t_fill(t, a + PG(3), 0x77, PAGE_SIZE);
	ASSERT_PTR_EQ(t_page(t, a + PG(3)), &folio->page + 3);
	ASSERT_INVARIANTS();
}

TEST_NO_MACHINE(profile_variants_add_and_take_entries)
{
	const struct kernel_profile *p, *q;
	const char *s = "5.10+GUP_FAST_FORK_SEQ-FORK_EARLY_COW";

	ASSERT_EQ(kernel_profile_parse(s, strlen(s), &p), 0);
	ASSERT_STREQ(kernel_profile_name(p), s);
	ASSERT_EQ(kernel_profile_version(p), KERNEL_VERSION(5, 10));
	ASSERT_TRUE(profile_has(p, GUP_FAST_FORK_SEQ));
	ASSERT_FALSE(profile_has(p, FORK_EARLY_COW));
	ASSERT_TRUE(profile_has(p, WP_PAGE_COUNT));
	/* the same spelling, the same profile */
	ASSERT_EQ(kernel_profile_parse(s, strlen(s), &q), 0);
	ASSERT_PTR_EQ(p, q);
	ASSERT_EQ(kernel_profile_parse("6.18-NOPE", 9, &p), -ESRCH);
	ASSERT_EQ(kernel_profile_parse("6.18-", 5, &p), -ESRCH);
	ASSERT_EQ(kernel_profile_parse("6.18*X", 6, &p), -EINVAL);
	ASSERT_EQ(kernel_profile_parse("4.19-FOLL_PIN", 13, &p), -ERANGE);
}

TEST_CFG(pageout_splits_a_pte_mapped_thp, .thp = THP_ALWAYS, .swap = 8 * MiB)
{
	struct task_struct *t = t_task("t");
	unsigned long a = t_mmap_anon(t, 2 * MiB);

	t_fill(t, a, 0x42, 2 * MiB);
	mmap_write_lock(task_mm(t));
	split_huge_pmd_address(find_vma(task_mm(t), a), a);
	mmap_write_unlock(task_mm(t));
	ASSERT_TRUE(folio_test_large(page_folio(t_page(t, a + PG(5)))));
	ASSERT_EQ(vm_madvise(t, a + PG(1), PAGE_SIZE, MADV_PAGEOUT), 0);
	ASSERT_TRUE(t_page(t, a + PG(1)) == NULL);
	ASSERT_FALSE(folio_test_large(page_folio(t_page(t, a + PG(5)))));
	ASSERT_TRUE(t_holds(t, a, 0x42, 2 * MiB));
	ASSERT_INVARIANTS();
}

/* ---- every schedule with one preemption ---- */

/*
 * A race as a unit test can sweep it: setup() makes the task and its
 * memory on a fresh machine and fills in the threads; holds() judges
 * the outcome (and lets go of any pin). sweep() runs, for each thread
 * first, "run it until its k-th point, then the other to its end, then
 * both freely" for every k: every schedule with at most one preemption
 * (the explorer's bound is 2; this is what a test can afford).
 */
struct race_case {
	enum thp_mode thp;
	size_t cma;
	void (*setup)(struct race_thread *rt);
	bool (*holds)(struct race_thread *rt);
};

struct sweep_result {
	int schedules, failed;
};

static struct sweep_result sweep(const struct race_case *c,
				 const char *release)
{
	struct sweep_result r = { 0, 0 };

	for (int first = 0; first < RACE_THREADS; first++) {
		for (int k = 1;; k++) {
			struct race_thread rt[RACE_THREADS] = { { 0 } };
			struct race_step script[2] = {
				{ first, NULL, NULL, k },
				{ !first, NULL, NULL, 0 },
			};
			bool last;

			boot_cma(release, c->thp, c->cma);
			c->setup(rt);
			race_run(rt, script, 2);
			last = rs.hits[first] < k;
			current = rt[0].task;
			r.schedules++;
			if (!c->holds(rt))
				r.failed++;
			t_shutdown();
			if (last)
				break;
		}
	}
	return r;
}

/* One task, len bytes of anon memory filled with 0x11; thread 1 pins. */
static void setup_memory(struct race_thread *rt, unsigned long len)
{
	struct task_struct *t = t_task("t");

	rt[0].task = rt[1].task = t;
	rt[0].addr = rt[1].addr = t_mmap_anon(t, len);
	t_fill(t, rt[0].addr, 0x11, len);
	rt[1].fn = pin_write_fast;
}

/* A pin that was taken must hold the page the task maps at addr. */
static bool pin_follows(struct race_thread *rt, unsigned long addr)
{
	bool ok = rt[1].ret != 1 ||
		  pin_sees_task_writes(rt[1].task, addr, rt[1].pages[0], 0x22);
	char buf[256];

	if (rt[1].ret == 1)
		unpin_user_pages(rt[1].pages, 1);
	return ok && !check_invariants(buf, sizeof(buf));
}

static void setup_fork(struct race_thread *rt)
{
	setup_memory(rt, PAGE_SIZE);
	rt[0].fn = fork_task;
}

static bool holds_fork(struct race_thread *rt)
{
	return pin_follows(rt, rt[1].addr) &&
	       t_holds(rt[0].child, rt[0].addr, 0x11, PAGE_SIZE);
}

static void race_munmap(struct race_thread *rt)
{
	rt->ret = vm_munmap(rt->task, rt->addr, PAGE_SIZE);
}

static void setup_munmap(struct race_thread *rt)
{
	setup_memory(rt, PAGE_SIZE);
	rt[0].fn = race_munmap;
}

/* The page is gone from the task: a pin keeps its own copy alive. */
static bool holds_munmap(struct race_thread *rt)
{
	bool ok = rt[1].ret != 1 || page_holds(rt[1].pages[0], 0x11);
	char buf[256];

	if (rt[1].ret == 1)
		unpin_user_pages(rt[1].pages, 1);
	return ok && rt[0].ret == 0 && !check_invariants(buf, sizeof(buf));
}

static void race_mprotect_ro(struct race_thread *rt)
{
	rt->ret = vm_mprotect(rt->task, rt->addr, PAGE_SIZE, PROT_READ);
}

static void setup_mprotect(struct race_thread *rt)
{
	setup_memory(rt, PAGE_SIZE);
	rt[0].fn = race_mprotect_ro;
}

static bool holds_mprotect(struct race_thread *rt)
{
	ASSERT_EQ(vm_mprotect(rt->task, rt->addr, PAGE_SIZE,
			      PROT_READ | PROT_WRITE), 0);
	return pin_follows(rt, rt[0].addr);
}

static void race_dontneed(struct race_thread *rt)
{
	rt->ret = vm_madvise(rt->task, rt->addr, PAGE_SIZE, MADV_DONTNEED);
}

static void setup_dontneed(struct race_thread *rt)
{
	setup_memory(rt, PAGE_SIZE);
	rt[0].fn = race_dontneed;
}

static bool holds_dontneed(struct race_thread *rt)
{
	bool zero = t_holds(rt[0].task, rt[0].addr, 0, PAGE_SIZE);
	bool ok = rt[1].ret != 1 || page_holds(rt[1].pages[0], 0x11) ||
		  page_holds(rt[1].pages[0], 0);
	char buf[256];

	if (rt[1].ret == 1)
		unpin_user_pages(rt[1].pages, 1);
	return zero && ok && !check_invariants(buf, sizeof(buf));
}

/* rt[0].ret: the second half of the mapping, where the page moves to. */
static void race_mremap(struct race_thread *rt)
{
	unsigned long to = rt->addr + PG(8);

	rt->ret = vm_mremap(rt->task, rt->addr, PAGE_SIZE, PAGE_SIZE,
			    MREMAP_MAYMOVE | MREMAP_FIXED, to);
}

static void setup_mremap(struct race_thread *rt)
{
	setup_memory(rt, PG(16));
	rt[0].fn = race_mremap;
}

static bool holds_mremap(struct race_thread *rt)
{
	ASSERT_EQ(rt[0].ret, (long)(rt[0].addr + PG(8)));
	return pin_follows(rt, rt[0].addr + PG(8));
}

static void race_cma_alloc(struct race_thread *rt)
{
	unsigned long pfn;

	rt->ret = cma_alloc_range(4 * MiB / PAGE_SIZE, &pfn);
	if (!rt->ret)
		cma_release_range(pfn, 4 * MiB / PAGE_SIZE);
}

static void setup_cma(struct race_thread *rt)
{
	struct task_struct *t = t_task("t");

	rt[0].task = rt[1].task = t;
	rt[1].addr = t_mmap_anon(t, PAGE_SIZE);
	ASSERT_EQ(vm_set_place(t, rt[1].addr, PLACE_CMA), 0);
	t_fill(t, rt[1].addr, 0x11, PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, rt[1].addr, PAGE_SIZE), PZ_CMA);
	rt[0].fn = race_cma_alloc;
	rt[1].fn = pin_write_fast;
}

static bool holds_cma(struct race_thread *rt)
{
	return (rt[0].ret == 0 || rt[0].ret == -EBUSY) &&
	       pin_follows(rt, rt[1].addr);
}

/* A 2 MiB block (rt[0].addr) of 0x11; thread 1 pins its page 5. */
static void setup_block(struct race_thread *rt)
{
	setup_memory(rt, 2 * MiB);
	rt[1].addr = rt[0].addr + PG(5);
}

static void setup_collapse(struct race_thread *rt)
{
	setup_block(rt);
	rt[0].fn = collapse;
}

static bool holds_collapse(struct race_thread *rt)
{
	return (rt[0].ret == 0 || rt[0].ret == -EAGAIN) &&
	       pin_follows(rt, rt[1].addr);
}

static void setup_split(struct race_thread *rt)
{
	struct mm_struct *mm;

	setup_block(rt);
	mm = task_mm(rt[0].task);
	mmap_write_lock(mm);
	split_huge_pmd_address(find_vma(mm, rt[0].addr), rt[0].addr);
	mmap_write_unlock(mm);
	rt[0].fn = split_thp;
}

/* The pin is on the folio of the page GUP-fast returned. */
static bool holds_split(struct race_thread *rt)
{
	bool right = rt[1].ret != 1 ||
		     folio_maybe_dma_pinned(page_folio(rt[1].pages[0]));

	if (!right)	/* leave the machine sane for the leak check */
		return false;
	return (rt[0].ret == 0 || rt[0].ret == -EAGAIN) &&
	       pin_follows(rt, rt[1].addr);
}

static const struct race_case fork_case = {
	THP_NEVER, 0, setup_fork, holds_fork };
static const struct race_case munmap_case = {
	THP_NEVER, 0, setup_munmap, holds_munmap };
static const struct race_case mprotect_case = {
	THP_NEVER, 0, setup_mprotect, holds_mprotect };
static const struct race_case dontneed_case = {
	THP_NEVER, 0, setup_dontneed, holds_dontneed };
static const struct race_case mremap_case = {
	THP_NEVER, 0, setup_mremap, holds_mremap };
static const struct race_case cma_case = {
	THP_NEVER, 4 * MiB, setup_cma, holds_cma };
static const struct race_case collapse_case = {
	THP_NEVER, 0, setup_collapse, holds_collapse };
static const struct race_case split_case = {
	THP_ALWAYS, 0, setup_split, holds_split };

TEST_NO_MACHINE(gup_fast_races_hold_under_6_18_with_one_preemption)
{
	static const struct { const char *name; const struct race_case *c; }
	cases[] = {
		{ "fork", &fork_case }, { "munmap", &munmap_case },
		{ "mprotect", &mprotect_case },
		{ "madvise dontneed", &dontneed_case },
		{ "mremap", &mremap_case },
		{ "cma_alloc migration", &cma_case },
		{ "MADV_COLLAPSE", &collapse_case },
		{ "split_huge_page", &split_case },
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sweep_result r = sweep(cases[i].c, "6.18");

		harness_note("GUP-fast vs %s: %d schedules, %d failed",
			     cases[i].name, r.schedules, r.failed);
		ASSERT_EQ(r.failed, 0);
	}
}

TEST_NO_MACHINE(fork_race_found_by_the_sweep_in_5_10)
{
	struct sweep_result r = sweep(&fork_case, "5.10");

	harness_note("5.10: %d schedules, %d failed", r.schedules, r.failed);
	ASSERT_TRUE(r.failed > 0);
}
