// SPDX-License-Identifier: GPL-2.0
/*
 * GUP against concurrent address-space changes: threads pin and unpin
 * (fast and slow, short and long term) a range while another thread
 * unmaps and remaps it, changes its protection and forks. Each thread is
 * a task of its own sharing the one mm, as threads are. Nothing may
 * crash, every pin taken must be released, and afterwards the invariants
 * hold and nothing leaks. Bounded in iterations so it runs in well under
 * two seconds (and under ThreadSanitizer).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "../../mm/testing.h"
#include "../../lib/sched_point.h"

#define RANGE_PAGES	32
#define PIN_PAGES	8
#define NR_PINNERS	3
#define PIN_LOOPS	1000
#define MUTATE_LOOPS	400

struct stress {
	struct task_struct *task;
	unsigned long addr;
	atomic_int stop;
	atomic_long pinned;		/* pages pinned by the pinners */
	atomic_long errors;		/* unexpected results */
};

static void *pinner(void *arg)
{
	struct stress *s = arg;
	struct page *pages[PIN_PAGES];
	unsigned int seed = (unsigned int)(uintptr_t)&pages;

	current = t_thread_task(s->task);
	if (!current) {
		atomic_fetch_add(&s->errors, 1);
		return NULL;
	}
	for (int i = 0; i < PIN_LOOPS; i++) {
		unsigned long off = (rand_r(&seed) % (RANGE_PAGES - PIN_PAGES))
				    * PAGE_SIZE;
		unsigned int flags = 0;
		long n;

		if (i & 1)
			flags |= FOLL_WRITE;
		if (i % 3 == 0)
			flags |= FOLL_LONGTERM;
		if (i % 4 == 0) {
			mmap_read_lock(s->task->mm);
			n = pin_user_pages(s->addr + off, PIN_PAGES, flags,
					   pages);
			mmap_read_unlock(s->task->mm);
		} else {
			n = pin_user_pages_fast(s->addr + off, PIN_PAGES,
						flags, pages);
		}
		if (n > PIN_PAGES || (n < 0 && n != -EFAULT && n != -ENOMEM)) {
			atomic_fetch_add(&s->errors, 1);
			continue;
		}
		if (n <= 0)
			continue;
		/*
		 * (No device access to the bytes here: the process writes
		 * them concurrently, which is a data race by design.)
		 */
		for (long j = 0; j < n; j++) {
			/* (R/O pins of unpopulated pages get the zero page.) */
			if (!page_maybe_dma_pinned(pages[j]) &&
			    !is_zero_page(pages[j]))
				atomic_fetch_add(&s->errors, 1);
		}
		atomic_fetch_add(&s->pinned, n);
		unpin_user_pages_dirty_lock(pages, n, flags & FOLL_WRITE);
	}
	task_exit(current);
	return NULL;
}

static void *mutator(void *arg)
{
	struct stress *s = arg;
	const size_t half = RANGE_PAGES / 2 * PAGE_SIZE;

	current = s->task;
	for (int i = 0; i < MUTATE_LOOPS; i++) {
		unsigned long at = s->addr + (i & 1 ? half : 0);
		struct task_struct *child;
		long r;

		switch (i % 4) {
		case 0:
			if (vm_munmap(s->task, at, half))
				atomic_fetch_add(&s->errors, 1);
			r = vm_mmap(s->task, at, half, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				    NULL, 0);
			if (r != (long)at)
				atomic_fetch_add(&s->errors, 1);
			break;
		case 1:
			vm_mprotect(s->task, at, half, PROT_READ);
			vm_mprotect(s->task, at, half, PROT_READ | PROT_WRITE);
			break;
		case 2:
			child = task_fork(s->task, "child");
			if (!child) {
				atomic_fetch_add(&s->errors, 1);
				break;
			}
			/* The child writes: COW in both directions. */
			user_memset(child, s->addr, 0x22, PAGE_SIZE);
			task_exit(child);
			current = s->task;
			break;
		default:
			vm_madvise(s->task, at, half, MADV_DONTNEED);
			break;
		}
		user_memset(s->task, s->addr, 0x11, RANGE_PAGES * PAGE_SIZE);
	}
	current = NULL;
	return NULL;
}

static void run_stress(void)
{
	struct stress s = { 0 };
	pthread_t th[NR_PINNERS + 1];

	s.task = t_task("stress");
	s.addr = t_mmap_anon(s.task, RANGE_PAGES * PAGE_SIZE);
	t_fill(s.task, s.addr, 0x11, RANGE_PAGES * PAGE_SIZE);

	for (int i = 0; i < NR_PINNERS; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, pinner, &s), 0);
	ASSERT_EQ(pthread_create(&th[NR_PINNERS], NULL, mutator, &s), 0);
	for (int i = 0; i <= NR_PINNERS; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	current = s.task;

	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_GT(atomic_load(&s.pinned), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	ASSERT_INVARIANTS();
	/* The process's view is intact after all of it. */
	ASSERT_TRUE(t_holds(s.task, s.addr, 0x11, RANGE_PAGES * PAGE_SIZE));
	task_exit(s.task);
}

TEST(concurrent_pin_unpin_vs_munmap_mprotect_fork)
{
	run_stress();
}

TEST_CFG(concurrent_pin_unpin_with_thp, .thp = THP_ALWAYS)
{
	run_stress();
}

/*
 * Pins of a page the child shares must make fork copy it or unshare it:
 * a R/O pin taken while forks run is always of the parent's own page.
 */
static void *ro_pinner(void *arg)
{
	struct stress *s = arg;
	struct page *pages[1];

	current = t_thread_task(s->task);
	if (!current) {
		atomic_fetch_add(&s->errors, 1);
		return NULL;
	}
	for (int i = 0; i < PIN_LOOPS; i++) {
		long n = pin_user_pages_fast(s->addr, 1, 0, pages);

		if (n != 1) {
			atomic_fetch_add(&s->errors, 1);
			continue;
		}
		if (!PageAnonExclusive(pages[0]))
			atomic_fetch_add(&s->errors, 1);
		atomic_fetch_add(&s->pinned, 1);
		unpin_user_page(pages[0]);
	}
	task_exit(current);
	return NULL;
}

static void *forker(void *arg)
{
	struct stress *s = arg;

	current = s->task;
	for (int i = 0; i < MUTATE_LOOPS; i++) {
		struct task_struct *child = task_fork(s->task, "child");

		if (!child) {
			atomic_fetch_add(&s->errors, 1);
			continue;
		}
		task_exit(child);
		current = s->task;
	}
	current = NULL;
	return NULL;
}

TEST(concurrent_ro_pins_vs_fork_stay_exclusive)
{
	struct stress s = { 0 };
	pthread_t th[2];

	s.task = t_task("stress");
	s.addr = t_mmap_anon(s.task, PAGE_SIZE);
	t_fill(s.task, s.addr, 0x33, PAGE_SIZE);
	ASSERT_EQ(pthread_create(&th[0], NULL, ro_pinner, &s), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, forker, &s), 0);
	ASSERT_EQ(pthread_join(th[0], NULL), 0);
	ASSERT_EQ(pthread_join(th[1], NULL), 0);
	current = s.task;
	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_EQ(atomic_load(&s.pinned), PIN_LOOPS);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	ASSERT_TRUE(t_holds(s.task, s.addr, 0x33, PAGE_SIZE));
	task_exit(s.task);
}

/*
 * Races make stress-tsan found; these tests reproduce them for make tsan
 * (in a plain build they only check that nothing breaks).
 *
 * 1. split_vma() copies a VMA (vm_area_dup) while a forked child that
 *    shares its anon_vma exits and unlinks its own VMA from the list,
 *    writing the list node of its neighbour, the VMA being copied.
 */
static void *splitter(void *arg)
{
	struct stress *s = arg;

	current = t_thread_task(s->task);
	for (int i = 0; i < 4 * MUTATE_LOOPS && current; i++) {
		unsigned long at = s->addr + (i % RANGE_PAGES) * PAGE_SIZE;

		vm_mprotect(current, at, PAGE_SIZE, PROT_READ);
		vm_mprotect(current, at, PAGE_SIZE, PROT_READ | PROT_WRITE);
	}
	atomic_store(&s->stop, 1);
	task_exit(current);
	return NULL;
}

/* Forks (and the child exits) until the other thread is done. */
static void *fork_until_stop(void *arg)
{
	struct stress *s = arg;

	current = s->task;
	while (!atomic_load(&s->stop)) {
		struct task_struct *child = task_fork(s->task, "child");

		if (!child) {
			atomic_fetch_add(&s->errors, 1);
			break;
		}
		task_exit(child);
		current = s->task;
	}
	current = NULL;
	return NULL;
}

TEST(concurrent_vma_split_vs_child_exit)
{
	struct stress s = { 0 };
	pthread_t th[2];

	s.task = t_task("stress");
	s.addr = t_mmap_anon(s.task, RANGE_PAGES * PAGE_SIZE);
	t_fill(s.task, s.addr, 0x44, RANGE_PAGES * PAGE_SIZE);
	ASSERT_EQ(pthread_create(&th[0], NULL, splitter, &s), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, fork_until_stop, &s), 0);
	ASSERT_EQ(pthread_join(th[0], NULL), 0);
	ASSERT_EQ(pthread_join(th[1], NULL), 0);
	current = s.task;
	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_TRUE(t_holds(s.task, s.addr, 0x44, RANGE_PAGES * PAGE_SIZE));
	task_exit(s.task);
}

/*
 * 2. Migration (a long-term pin moving a CMA page) restores the PTE
 *    from vm_flags while mprotect changes them under mmap_lock alone.
 */
static void *cma_longterm_pinner(void *arg)
{
	struct stress *s = arg;
	struct page *pages[PIN_PAGES];

	current = t_thread_task(s->task);
	for (int i = 0; i < PIN_LOOPS / 4 && current; i++) {
		long n;

		/* Put the pages back in CMA first: they moved last time. */
		vm_madvise(current, s->addr, PIN_PAGES * PAGE_SIZE,
			   MADV_DONTNEED);
		if (user_memset(current, s->addr, 0x55, PIN_PAGES * PAGE_SIZE))
			atomic_fetch_add(&s->errors, 1);
		n = pin_user_pages_fast(s->addr, PIN_PAGES, FOLL_LONGTERM,
					pages);
		if (n > 0) {
			atomic_fetch_add(&s->pinned, n);
			unpin_user_pages(pages, n);
		}
	}
	task_exit(current);
	return NULL;
}

static void *protector(void *arg)
{
	struct stress *s = arg;

	current = t_thread_task(s->task);
	/* Writable all along: the other thread's stores never fault. */
	while (current && !atomic_load(&s->stop)) {
		vm_mprotect(current, s->addr, PIN_PAGES * PAGE_SIZE,
			    PROT_READ | PROT_WRITE | PROT_EXEC);
		vm_mprotect(current, s->addr, PIN_PAGES * PAGE_SIZE,
			    PROT_READ | PROT_WRITE);
	}
	task_exit(current);
	return NULL;
}

TEST_CFG(concurrent_migration_vs_mprotect, .mem = 128 << 20,
	 .cma = 32 << 20)
{
	struct stress s = { 0 };
	pthread_t th[2];

	s.task = t_task("stress");
	s.addr = t_mmap_anon(s.task, PIN_PAGES * PAGE_SIZE);
	ASSERT_EQ(vm_set_place(s.task, s.addr, PLACE_CMA), 0);
	ASSERT_EQ(pthread_create(&th[0], NULL, protector, &s), 0);
	ASSERT_EQ(pthread_create(&th[1], NULL, cma_longterm_pinner, &s), 0);
	ASSERT_EQ(pthread_join(th[1], NULL), 0);
	atomic_store(&s.stop, 1);
	ASSERT_EQ(pthread_join(th[0], NULL), 0);
	current = s.task;
	ASSERT_EQ(atomic_load(&s.errors), 0);
	ASSERT_EQ(atomic_load(&s.pinned), PIN_LOOPS / 4 * PIN_PAGES);
	ASSERT_EQ(vmstat_read(PGMIGRATE_SUCCESS), PIN_LOOPS / 4 * PIN_PAGES);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	task_exit(s.task);
}

/* ---- vmstat: per-thread differentials ---- */

static void *count_events(void *arg)
{
	for (int i = 0; i < 100000; i++)
		count_vm_event(GUPSIM_COW_COPY);
	/* while this thread lives, a read sees its differential */
	if (vmstat_get("gupsim_cow_copy") < 100000)
		return (void *)1;
	return NULL;
}

/* Counts from threads that come and go are neither lost nor doubled. */
TEST(vmstat_threads_fold_on_exit)
{
	long before = vmstat_get("gupsim_cow_copy");
	pthread_t th[3];
	void *bad;

	count_vm_event(GUPSIM_COW_COPY);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, count_events, NULL), 0);
	for (int i = 0; i < 3; i++) {
		ASSERT_EQ(pthread_join(th[i], &bad), 0);
		ASSERT_NULL(bad);
	}
	ASSERT_EQ(vmstat_get("gupsim_cow_copy"), before + 1 + 3 * 100000);
	/* and a new machine starts from zero, this thread's part too */
	vmstat_reset();
	ASSERT_EQ(vmstat_get("gupsim_cow_copy"), 0);
}

/*
 * 3. The model's long-term pin count against unpins that do not say what
 *    they drop. unpin_user_page() cannot tell a long-term pin from a
 *    plain one; two of them racing on one page each saw the other's pin
 *    and left the long-term count alone, so the page ended with a
 *    long-term pin counted and no pin at all ("bad pin accounting").
 */
#define MIXED_LOOPS	20000

struct mixed {
	struct task_struct *task;
	unsigned long addr;
	unsigned int flags;
	atomic_long errors;
};

static void *mixed_pinner(void *arg)
{
	struct mixed *m = arg;
	struct page *page;

	current = t_thread_task(m->task);
	for (int i = 0; i < MIXED_LOOPS && current; i++) {
		if (pin_user_pages_fast(m->addr, 1, m->flags, &page) != 1) {
			atomic_fetch_add(&m->errors, 1);
			continue;
		}
		unpin_user_page(page);
	}
	task_exit(current);
	return NULL;
}

TEST(concurrent_longterm_and_plain_unpins_keep_pin_accounting)
{
	struct mixed lt = { 0 }, plain = { 0 };
	pthread_t th[4];

	lt.task = plain.task = t_task("mixed");
	lt.addr = plain.addr = t_mmap_anon(lt.task, PAGE_SIZE);
	ASSERT_EQ(user_memset(lt.task, lt.addr, 0x5a, PAGE_SIZE), 0);
	lt.flags = FOLL_WRITE | FOLL_LONGTERM;
	plain.flags = FOLL_WRITE;
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(pthread_create(&th[i], NULL, mixed_pinner,
					 i & 1 ? &plain : &lt), 0);
	for (int i = 0; i < 4; i++)
		ASSERT_EQ(pthread_join(th[i], NULL), 0);
	current = lt.task;
	ASSERT_EQ(atomic_load(&lt.errors) + atomic_load(&plain.errors), 0);
	/* the page is still mapped: the checker after the test sees it */
	ASSERT_TRUE(t_holds(lt.task, lt.addr, 0x5a, PAGE_SIZE));
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
}

/*
 * The same race, made certain: a schedule-point hook runs the plain pin's
 * unpin at the moment the long-term pin's unpin has read the pin count
 * and not yet dropped its pin. Both unpins then saw two pins; neither may
 * leave the long-term pin counted once both are gone.
 */
struct inject {
	const char *func, *step;
	struct page *page;		/* unpinned when the point is reached */
	bool done;
};

static struct inject inject;

static void inject_point(const struct sched_point *sp)
{
	if (inject.done || strcmp(sp->func, inject.func) ||
	    strcmp(sp->step, inject.step))
		return;
	inject.done = true;
	unpin_user_page(inject.page);
}

static void inject_block(const void *obj, const struct sched_point *sp)
{
	(void)obj;
	(void)sp;
}

static void inject_wake(const void *obj)
{
	(void)obj;
}

static const struct sched_hooks inject_hooks = {
	.point = inject_point, .block = inject_block, .wake = inject_wake,
};

TEST(unpin_racing_unpin_leaves_no_longterm_count)
{
	struct task_struct *t = t_task("inject");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *lt, *plain;

	ASSERT_EQ(user_memset(t, addr, 0x6b, PAGE_SIZE), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				      &lt), 1);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, &plain), 1);
	inject = (struct inject){ "folio_put_pins", "read pins", plain, false };
	__atomic_store_n(&sched_hooks, &inject_hooks, __ATOMIC_RELEASE);
	unpin_user_page(lt);
	__atomic_store_n(&sched_hooks, NULL, __ATOMIC_RELEASE);
	ASSERT_TRUE(inject.done);
	ASSERT_EQ(atomic_load(&page_folio(lt)->page._debug_pins), 0);
	ASSERT_EQ(atomic_load(&page_folio(lt)->page._debug_lt_pins), 0);
}
