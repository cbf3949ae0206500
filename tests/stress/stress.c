// SPDX-License-Identifier: GPL-2.0
/*
 * gupsim stress: every kind of GUP caller and every kind of address-space
 * change, at once, on one machine, for a given time.
 *
 * Threads of one process (tasks sharing one mm, as clone(CLONE_VM) makes)
 * pin and unpin (GUP-fast and the slow path, short and long term), take
 * and put references, map and unmap, change protections, drop pages with
 * MADV_DONTNEED, mremap a region to and fro and fork, while another
 * thread allocates and releases CMA ranges under the long-term pinners'
 * feet. Every call's result is counted by operation and errno and
 * printed at the end. The run fails (exit 1) when a result is impossible
 * (a page returned unpinned, a long-term pin left in CMA, more pages than
 * asked), when pins and unpins do not balance, when the invariant checker
 * objects, or when the machine's teardown finds a leak.
 *
 *	stress [-t SECONDS] [--tap]
 *
 * --tap prints one TAP test (`make test` runs five seconds of it). The
 * seconds default to $STRESS_SECONDS, else 60.
 */
#define _GNU_SOURCE	/* strerrorname_np() */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>

/* Model internals only for threads (a task sharing an mm) and vmstat. */
#include "../../mm/testing.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif

#define MAIN_PAGES	256	/* the region everybody pins */
#define CMA_PAGES_RGN	64	/* its first pages are placed in CMA */
#define MOVE_PAGES	32	/* the region mremap moves */
#define MAX_PIN		16
#define MAX_ERRNO	134

/* ---- counting ---- */

#define STRESS_OPS(X)							\
	X(PIN_FAST, "pin_user_pages_fast")				\
	X(PIN_FAST_LT, "pin_user_pages_fast(LONGTERM)")			\
	X(PIN_SLOW_LT, "pin_user_pages(LONGTERM, CMA)")			\
	X(GUP, "get_user_pages")					\
	X(GUP_FAST, "get_user_pages_fast")				\
	X(MMAP, "mmap(MAP_FIXED)")					\
	X(MUNMAP, "munmap")						\
	X(MPROTECT, "mprotect")						\
	X(DONTNEED, "madvise(MADV_DONTNEED)")				\
	X(MREMAP, "mremap")						\
	X(FORK, "fork")							\
	X(TOUCH, "user write")						\
	X(CMA_ALLOC, "cma_alloc")					\
	X(CMA_RELEASE, "cma_release")

#define X_ENUM(id, name) OP_##id,
enum stress_op { STRESS_OPS(X_ENUM) NR_OPS };
#define X_NAME(id, name) name,
static const char *const op_names[NR_OPS] = { STRESS_OPS(X_NAME) };

/* counts[op][0]: successes; counts[op][e]: failures with errno e. */
static atomic_long counts[NR_OPS][MAX_ERRNO + 1];
static atomic_long bad;			/* impossible results */
static atomic_int stop;

static void count(enum stress_op op, long ret)
{
	long e = ret < 0 ? -ret : 0;

	if (e > MAX_ERRNO)
		e = MAX_ERRNO;
	atomic_fetch_add_explicit(&counts[op][e], 1, memory_order_relaxed);
}

static void fail(const char *what, long value)
{
	if (atomic_fetch_add(&bad, 1) < 10)
		fprintf(stderr, "stress: %s (%ld)\n", what, value);
}

/* ---- the process ---- */

struct proc {
	struct task_struct *leader;
	unsigned long main;	/* MAIN_PAGES, the first CMA_PAGES_RGN in CMA */
	unsigned long move[2];	/* the MOVE_PAGES region: here or there */
	atomic_int where;	/* which of move[] holds it now */
};

static struct proc proc;

/* A thread of the process: its own task on the shared mm. */
static struct task_struct *thread_task(void)
{
	struct task_struct *t;

	mmget(proc.leader->mm);
	t = task_alloc("thread", proc.leader->mm);
	if (!t) {
		mmput(proc.leader->mm);
		fail("thread task", -ENOMEM);
	}
	return t;
}

static unsigned long rnd(unsigned int *seed, unsigned long n)
{
	return (unsigned long)rand_r(seed) % n;
}

/* A random sub-range of [MAIN_PAGES] or of the mremap region. */
static unsigned long pick(unsigned int *seed, int *nr)
{
	*nr = 1 + (int)rnd(seed, MAX_PIN);
	if (rnd(seed, 4) == 0) {
		int w = atomic_load(&proc.where);

		return proc.move[w] + rnd(seed, MOVE_PAGES - MAX_PIN) *
		       PAGE_SIZE;
	}
	return proc.main + rnd(seed, MAIN_PAGES - MAX_PIN) * PAGE_SIZE;
}

/* Checks what a pin call gave back, then releases it. */
static void check_and_unpin(struct page **pages, long n, int nr,
			    unsigned int flags)
{
	if (n > nr) {
		fail("more pages than asked", n);
		n = nr;
	}
	for (long i = 0; i < n; i++) {
		if (!page_maybe_dma_pinned(pages[i]) &&
		    !is_zero_page(pages[i]))
			fail("a returned page is not pinned",
			     (long)page_to_pfn(pages[i]));
		if ((flags & FOLL_LONGTERM) &&
		    !page_is_longterm_pinnable(pages[i]))
			fail("a long-term pin in CMA or ZONE_MOVABLE",
			     (long)page_to_pfn(pages[i]));
	}
	if (n > 0)
		unpin_user_pages_dirty_lock(pages, n, flags & FOLL_WRITE);
}

static void *pinner(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct page *pages[MAX_PIN];

	current = thread_task();
	while (current && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		int nr;
		unsigned long addr = pick(&seed, &nr);
		unsigned int flags = rnd(&seed, 2) ? FOLL_WRITE : 0;
		bool lt = rnd(&seed, 3) == 0;
		long n;

		if (lt)
			flags |= FOLL_LONGTERM;
		n = pin_user_pages_fast(addr, nr, flags, pages);
		count(lt ? OP_PIN_FAST_LT : OP_PIN_FAST, n);
		check_and_unpin(pages, n, nr, flags);
	}
	task_exit(current);
	return NULL;
}

/* Long-term pins of the CMA part through the slow path. */
static void *longterm_pinner(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct page *pages[MAX_PIN];

	current = thread_task();
	while (current && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		int nr = 1 + (int)rnd(&seed, MAX_PIN);
		unsigned long addr = proc.main +
				     rnd(&seed, CMA_PAGES_RGN) * PAGE_SIZE;
		unsigned int flags = FOLL_LONGTERM |
				     (rnd(&seed, 2) ? FOLL_WRITE : 0);
		long n;

		mmap_read_lock(current->mm);
		n = pin_user_pages(addr, nr, flags, pages);
		mmap_read_unlock(current->mm);
		count(OP_PIN_SLOW_LT, n);
		check_and_unpin(pages, n, nr, flags);
	}
	task_exit(current);
	return NULL;
}

static void put_pages(struct page **pages, long n, int nr)
{
	if (n > nr) {
		fail("more pages than asked", n);
		n = nr;
	}
	for (long i = 0; i < n; i++)
		put_page(pages[i]);
}

/* FOLL_GET references, slow and fast, released with put_page(). */
static void *getter(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct page *pages[MAX_PIN];

	current = thread_task();
	while (current && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		int nr;
		unsigned long addr = pick(&seed, &nr);
		unsigned int flags = rnd(&seed, 2) ? FOLL_WRITE : 0;
		long n;

		if (rnd(&seed, 2)) {
			mmap_read_lock(current->mm);
			n = get_user_pages(addr, nr, flags, pages);
			mmap_read_unlock(current->mm);
			count(OP_GUP, n);
		} else {
			n = get_user_pages_fast(addr, nr, flags, pages);
			count(OP_GUP_FAST, n);
		}
		put_pages(pages, n, nr);
	}
	task_exit(current);
	return NULL;
}

/* Remaps a stretch of the main region (the CMA part goes back to CMA). */
static void remap_stretch(struct task_struct *t, unsigned int *seed)
{
	unsigned long pg = rnd(seed, MAIN_PAGES - 16);
	unsigned long at = proc.main + pg * PAGE_SIZE, len = 16 * PAGE_SIZE;
	long r;

	count(OP_MUNMAP, vm_munmap(t, at, len));
	r = vm_mmap(t, at, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, NULL, 0);
	count(OP_MMAP, r < 0 ? r : 0);
	if (r != (long)at)
		fail("mmap(MAP_FIXED) moved or failed", r);
	else if (pg < CMA_PAGES_RGN)
		vm_set_place(t, at, PLACE_CMA);
}

/* The other half of the process: every address-space change. */
static void *mutator(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct task_struct *t = thread_task();

	current = t;
	while (t && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned long at = proc.main + rnd(&seed, MAIN_PAGES - 16) *
				   PAGE_SIZE;
		int w = atomic_load(&proc.where);
		long r;

		switch (rnd(&seed, 5)) {
		case 0:
			remap_stretch(t, &seed);
			break;
		case 1:
			count(OP_MPROTECT, vm_mprotect(t, at, 16 * PAGE_SIZE,
						       PROT_READ));
			count(OP_MPROTECT, vm_mprotect(t, at, 16 * PAGE_SIZE,
						       PROT_READ | PROT_WRITE));
			break;
		case 2:
			count(OP_DONTNEED, vm_madvise(t, at, 16 * PAGE_SIZE,
						      MADV_DONTNEED));
			break;
		case 3:
			r = vm_mremap(t, proc.move[w], MOVE_PAGES * PAGE_SIZE,
				      MOVE_PAGES * PAGE_SIZE,
				      MREMAP_MAYMOVE | MREMAP_FIXED,
				      proc.move[!w]);
			count(OP_MREMAP, r < 0 ? r : 0);
			if (r == (long)proc.move[!w])
				atomic_store(&proc.where, !w);
			else
				fail("mremap", r);
			break;
		default:
			count(OP_TOUCH, -(long)user_memset(t, at, 0x5a,
							  16 * PAGE_SIZE));
			break;
		}
	}
	task_exit(t);
	return NULL;
}

static void *forker(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	struct task_struct *t = thread_task();

	current = t;
	while (t && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		struct task_struct *child = task_fork(t, "child");

		count(OP_FORK, child ? 0 : -ENOMEM);
		if (!child)
			continue;
		/* The child writes: COW both ways, pinned pages copied. */
		user_memset(child, proc.main + rnd(&seed, MAIN_PAGES) *
			    PAGE_SIZE, 0x33, PAGE_SIZE);
		task_exit(child);
		current = t;
	}
	task_exit(t);
	return NULL;
}

/* CMA users racing the long-term pinners for the same pageblocks. */
static void *cma_user(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		unsigned long pfn, nr = 1 + rnd(&seed, 64);
		int r = cma_alloc_range(nr, &pfn);

		count(OP_CMA_ALLOC, r);
		if (!r)
			count(OP_CMA_RELEASE, cma_release_range(pfn, nr));
	}
	return NULL;
}

/* ---- setup, run, report ---- */

static int setup(void)
{
	struct machine_config cfg = {
		.mem = 512UL << 20, .cma = 128UL << 20, .movable = 64UL << 20,
		.thp = THP_MADVISE,
	};
	long r;

	if (machine_create(&cfg))
		return -1;
	proc.leader = task_create("stress", RLIM_INFINITY, true);
	if (!proc.leader)
		return -1;
	current = proc.leader;
	r = vm_mmap(proc.leader, 0, MAIN_PAGES * PAGE_SIZE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    NULL, 0);
	if (r < 0)
		return -1;
	proc.main = (unsigned long)r;
	/* The CMA part is its own VMA, so that its placement sticks. */
	if (vm_mprotect(proc.leader, proc.main,
			CMA_PAGES_RGN * PAGE_SIZE, PROT_READ) ||
	    vm_mprotect(proc.leader, proc.main,
			CMA_PAGES_RGN * PAGE_SIZE, PROT_READ | PROT_WRITE))
		return -1;
	vm_set_place(proc.leader, proc.main, PLACE_CMA);
	for (int i = 0; i < 2; i++) {
		r = vm_mmap(proc.leader, 0, MOVE_PAGES * PAGE_SIZE,
			    PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
		if (r < 0)
			return -1;
		proc.move[i] = (unsigned long)r;
	}
	/* Only move[0] is mapped: mremap moves it onto move[1]'s place. */
	if (vm_munmap(proc.leader, proc.move[1], MOVE_PAGES * PAGE_SIZE))
		return -1;
	if (user_memset(proc.leader, proc.main, 0x11, MAIN_PAGES * PAGE_SIZE) ||
	    user_memset(proc.leader, proc.move[0], 0x22,
			MOVE_PAGES * PAGE_SIZE))
		return -1;
	return 0;
}

static const char *errno_label(enum stress_op op, int e, char *buf,
			       size_t len)
{
	if (op == OP_TOUCH)
		return e == UACCESS_SIGSEGV ? "SIGSEGV" :
		       e == UACCESS_SIGBUS ? "SIGBUS" : "?";
	snprintf(buf, len, "%s", strerrorname_np(e) ? strerrorname_np(e) :
		 "E?");
	return buf;
}

static void report(double secs)
{
	char name[32];

	printf("# %-32s %12s  failures by errno\n", "operation", "ok");
	for (int op = 0; op < NR_OPS; op++) {
		printf("# %-32s %12ld ", op_names[op],
		       atomic_load(&counts[op][0]));
		for (int e = 1; e <= MAX_ERRNO; e++) {
			long n = atomic_load(&counts[op][e]);

			if (n)
				printf(" %s=%ld", errno_label(op, e, name,
							      sizeof(name)), n);
		}
		printf("\n");
	}
	printf("# %.1f s; pins acquired %ld, released %ld; long-term "
	       "migration rounds %ld; pages migrated %ld\n", secs,
	       vmstat_get("nr_foll_pin_acquired"),
	       vmstat_get("nr_foll_pin_released"),
	       vmstat_get("gupsim_longterm_migrate_retry"),
	       vmstat_get("pgmigrate_success"));
}

typedef void *(*thread_fn)(void *);

static const thread_fn workers[] = {
	pinner, pinner, longterm_pinner, getter, mutator, forker, cma_user,
};
#define NR_WORKERS	ARRAY_SIZE(workers)

static double elapsed(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static double run(unsigned int secs)
{
	pthread_t th[NR_WORKERS];
	struct timespec a, b, nap = { .tv_sec = 0, .tv_nsec = 50000000 };
	unsigned int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < NR_WORKERS; i++)
		if (pthread_create(&th[i], NULL, workers[i],
				   (void *)(uintptr_t)(i * 7919 + 1)))
			fail("pthread_create", (long)i);
	do {
		nanosleep(&nap, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while (elapsed(&a, &b) < secs);
	atomic_store(&stop, 1);
	for (i = 0; i < NR_WORKERS; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return elapsed(&a, &b);
}

/* Everything the run must leave true; prints what is not. */
static int verdict(void)
{
	static char buf[16384];
	int ok = 1;

	current = proc.leader;
	if (atomic_load(&bad)) {
		printf("# %ld impossible results (first ones on stderr)\n",
		       atomic_load(&bad));
		ok = 0;
	}
	if (vmstat_get("nr_foll_pin_acquired") !=
	    vmstat_get("nr_foll_pin_released")) {
		printf("# pins not balanced\n");
		ok = 0;
	}
	if (check_invariants(buf, sizeof(buf))) {
		printf("# invariants:\n%s\n", buf);
		ok = 0;
	}
	task_exit(proc.leader);
	current = NULL;
	if (machine_destroy(buf, sizeof(buf))) {
		printf("# leak check:\n%s\n", buf);
		ok = 0;
	}
	return ok;
}

int main(int argc, char **argv)
{
	const char *env = getenv("STRESS_SECONDS");
	unsigned int secs = env ? (unsigned int)atoi(env) : 60;
	bool tap = false;
	double took;
	int ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--tap"))
			tap = true;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			secs = (unsigned int)atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [-t SECONDS] [--tap]\n",
				argv[0]);
			return 2;
		}
	}
	if (tap)
		printf("1..1\n");
	if (setup()) {
		printf("%sstress: setup failed\n", tap ? "not ok 1 - " : "# ");
		return 1;
	}
	took = run(secs);
	report(took);
	ok = verdict();
	if (tap)
		printf("%s 1 - stress, %u s, %zu threads\n",
		       ok ? "ok" : "not ok", secs, NR_WORKERS);
	else
		printf("stress: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
