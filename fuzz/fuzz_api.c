// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the C API: each input is decoded into a machine
 * (up to 1 GiB, with or without CMA, ZONE_MOVABLE, hugetlb pages and each
 * THP mode) and a sequence of calls on it: tasks created, forked and
 * exited; mappings of every kind (anonymous private and shared, ext4,
 * tmpfs, memfd, fs-DAX, hugetlbfs, MAP_HUGETLB, /dev/zero, VM_IO) made,
 * unmapped, protected, advised, moved and touched; every GUP entry point
 * called with arbitrary flags, its pages released in any order later;
 * CMA ranges allocated and released. At the end the invariant checker
 * runs (with every pin still held), then everything is released and the
 * machine's teardown checks for leaks: a violation or a leak aborts (a
 * finding).
 *
 * Misuse the API reports as the caller's (bad flags) is fine: the fuzzer
 * passes arbitrary flags on purpose. A broken invariant (mm_warn) is not.
 *
 * Input format: one byte picks the operation, the bytes after it its
 * arguments; a read past the end gives zeroes, which ends the sequence.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif

#define MAX_OPS		256
#define NR_TASKS	6
#define NR_MAPS		12
#define NR_HOLDS	16
#define NR_FILES	4
#define NR_CMA		4
#define MAX_GUP		64

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static unsigned long min_ul(unsigned long a, unsigned long b)
{
	return a < b ? a : b;
}

struct input {
	const uint8_t *p;
	size_t left;
};

struct map {
	int task;			/* -1: free slot */
	unsigned long addr, len;
};

struct hold {				/* the result of one GUP call */
	struct page *pages[MAX_GUP];
	long nr;			/* 0: free slot */
	bool pin;
};

struct state {
	struct task_struct *tasks[NR_TASKS];
	struct map maps[NR_MAPS];
	struct hold holds[NR_HOLDS];
	struct file *files[NR_FILES];
	struct { unsigned long pfn, nr; } cma[NR_CMA];
};

static uint8_t u8(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static uint32_t u32(struct input *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | u8(in);
	return v;
}

/* ---- the machine ---- */

static int make_machine(struct input *in)
{
	uint8_t b = u8(in);
	unsigned long pbs = 2UL << 20;	/* pageblock: the layout's unit */
	struct machine_config cfg = {
		.mem = (1 + (unsigned long)(b & 0x7f)) * 8 * pbs, /* <= 1 GiB */
		.device = 8UL << 20,
	};

	b = u8(in);
	cfg.cma = cfg.mem / 8 * (b & 3);
	cfg.movable = cfg.mem / 8 * ((b >> 2) & 3);
	cfg.cma -= cfg.cma % pbs;
	cfg.movable -= cfg.movable % pbs;
	cfg.thp = (enum thp_mode)((b >> 4) % 3);
	cfg.hugetlb = (b >> 6) * 2;
	return machine_create(&cfg);
}

/* ---- tasks and files ---- */

static struct task_struct *pick_task(struct state *s, struct input *in)
{
	return s->tasks[u8(in) % NR_TASKS];
}

static void op_task(struct state *s, struct input *in)
{
	uint8_t b = u8(in);
	int slot = (b >> 2) % NR_TASKS;
	struct task_struct *t;

	switch (b & 3) {
	case 0:
		if (!s->tasks[slot])
			s->tasks[slot] = task_create("t", (b & 0x80) ?
						     RLIM_INFINITY : 1UL << 20,
						     b & 0x40);
		break;
	case 1:
		t = pick_task(s, in);
		if (t && !s->tasks[slot])
			s->tasks[slot] = task_fork(t, "child");
		break;
	default:
		if (!s->tasks[slot])
			break;
		task_exit(s->tasks[slot]);
		s->tasks[slot] = NULL;
		for (int i = 0; i < NR_MAPS; i++)
			if (s->maps[i].task == slot)
				s->maps[i].task = -1;
		break;
	}
}

static struct file *new_file(struct input *in)
{
	static const enum fs_type fs[] = { FS_EXT4, FS_TMPFS, FS_DAX,
					   FS_HUGETLBFS };
	uint8_t b = u8(in);
	size_t size = ((size_t)u8(in) + 1) * PAGE_SIZE;

	if ((b & 7) == 4)
		return memfd_file_create("memfd", size);
	if (fs[b & 3] == FS_HUGETLBFS)
		size = ALIGN_UP(size, PMD_SIZE);
	return file_create("f", fs[b & 3], size);
}

static void op_file(struct state *s, struct input *in)
{
	int slot = u8(in) % NR_FILES;

	if (s->files[slot]) {
		fput(s->files[slot]);
		s->files[slot] = NULL;
	} else {
		s->files[slot] = new_file(in);
	}
}

/* ---- mappings ---- */

static int free_map_slot(struct state *s)
{
	for (int i = 0; i < NR_MAPS; i++)
		if (s->maps[i].task < 0)
			return i;
	return -1;
}

/* One mapping of the kind the input picks; its place hint too. */
static void op_mmap(struct state *s, struct input *in)
{
	uint8_t b = u8(in), t = u8(in) % NR_TASKS, pr = u8(in);
	unsigned long len = ((unsigned long)u8(in) + 1) * PAGE_SIZE;
	unsigned long prot = pr & (PROT_READ | PROT_WRITE | PROT_EXEC);
	unsigned long flags = MAP_PRIVATE | MAP_ANONYMOUS;
	struct file *file = NULL;
	int slot = free_map_slot(s);
	long addr;

	if (slot < 0 || !s->tasks[t])
		return;
	switch (b & 7) {
	case 1:
		flags = MAP_SHARED | MAP_ANONYMOUS;
		break;
	case 2:
		file = s->files[(b >> 3) % NR_FILES];
		if (!file)
			return;
		flags = (b & 0x80) ? MAP_SHARED : MAP_PRIVATE;
		break;
	case 3:
		flags |= MAP_HUGETLB;
		len = ALIGN_UP(len, PMD_SIZE);
		break;
	case 4:
		flags = MAP_PRIVATE | MAP_GUPSIM_DEVZERO;
		break;
	case 5:
		flags = MAP_SHARED | MAP_GUPSIM_IO;
		break;
	case 6:		/* room for THPs */
		len = ((unsigned long)(b >> 3) + 1) * PMD_SIZE;
		break;
	}
	addr = vm_mmap(s->tasks[t], 0, len, prot, flags, file, 0);
	if (addr < 0)
		return;
	if (pr & 0x80)
		vm_set_place(s->tasks[t], addr,
			     (enum place_hint)((pr >> 4) & 3));
	if (pr & 0x40)
		vm_madvise(s->tasks[t], addr, len, MADV_HUGEPAGE);
	s->maps[slot] = (struct map){ .task = t, .addr = addr, .len = len };
}

/* [*start, *start + *len) inside mapping m, from two input bytes. */
static struct map *pick_range(struct state *s, struct input *in,
			      unsigned long *start, unsigned long *len)
{
	struct map *m = &s->maps[u8(in) % NR_MAPS];
	unsigned long pages, first;

	if (m->task < 0 || !s->tasks[m->task])
		return NULL;
	pages = m->len / PAGE_SIZE;
	first = u8(in) % pages;
	*start = m->addr + first * PAGE_SIZE;
	*len = (1 + u8(in) % (pages - first)) * PAGE_SIZE;
	return m;
}

static void op_change(struct state *s, struct input *in)
{
	static const int advice[] = { MADV_DONTNEED, MADV_HUGEPAGE,
				      MADV_NOHUGEPAGE, MADV_DONTFORK,
				      MADV_DOFORK, MADV_WIPEONFORK };
	uint8_t b = u8(in);
	unsigned long start, len;
	struct map *m = pick_range(s, in, &start, &len);
	struct task_struct *t;
	long r;

	if (!m)
		return;
	t = s->tasks[m->task];
	switch (b % 6) {
	case 0:
		vm_munmap(t, start, len);	/* the slot may now map less */
		break;
	case 1:
		vm_mprotect(t, start, len, (b >> 3) & 7);
		break;
	case 2:
		vm_madvise(t, start, len, advice[(b >> 3) % ARRAY_LEN(advice)]);
		break;
	case 3:
		/* Moves the whole mapping somewhere the model picks. */
		r = vm_mremap(t, m->addr, m->len, m->len + (b >> 7) * PAGE_SIZE,
			      MREMAP_MAYMOVE, 0);
		if (r >= 0) {
			m->len += (b >> 7) * PAGE_SIZE;
			m->addr = r;
		}
		break;
	case 4:
		vm_populate(t, start, len, b & 0x80);
		break;
	default:
		if (b & 0x80) {
			user_memset(t, start, b, len);
		} else {
			char buf[256];

			user_read(t, start, buf, min_ul(len, sizeof(buf)));
		}
		break;
	}
}

/* ---- GUP ---- */

enum gup_call {
	GUP, GUP_FAST, GUP_FAST_ONLY, GUP_UNLOCKED, GUP_REMOTE,
	PIN, PIN_FAST, PIN_UNLOCKED, PIN_REMOTE, NR_GUP_CALLS
};

/* Calls entry point `call` as t: the slow calls under t's mmap_lock. */
static long gup_call(enum gup_call call, struct task_struct *t,
		     unsigned long start, unsigned long nr,
		     unsigned int flags, struct page **pages)
{
	struct mm_struct *mm = task_mm(t);
	long r;

	current = t;
	switch (call) {
	case GUP_FAST:
		return get_user_pages_fast(start, nr, flags, pages);
	case GUP_FAST_ONLY:
		return get_user_pages_fast_only(start, nr, flags, pages);
	case GUP_UNLOCKED:
		return get_user_pages_unlocked(start, nr, pages, flags);
	case PIN_FAST:
		return pin_user_pages_fast(start, nr, flags, pages);
	case PIN_UNLOCKED:
		return pin_user_pages_unlocked(start, nr, pages, flags);
	default:
		break;
	}
	mmap_read_lock(mm);
	if (call == GUP)
		r = get_user_pages(start, nr, flags, pages);
	else if (call == GUP_REMOTE)
		r = get_user_pages_remote(mm, start, nr, flags, pages, NULL);
	else if (call == PIN)
		r = pin_user_pages(start, nr, flags, pages);
	else
		r = pin_user_pages_remote(mm, start, nr, flags, pages, NULL);
	mmap_read_unlock(mm);
	return r;
}

static void op_gup(struct state *s, struct input *in)
{
	enum gup_call call = (enum gup_call)(u8(in) % NR_GUP_CALLS);
	uint8_t fb = u8(in);
	unsigned int flags;
	unsigned long start, len, nr;
	struct map *m = pick_range(s, in, &start, &len);
	struct hold *h = &s->holds[u8(in) % NR_HOLDS];
	long r;

	/* Mostly the flags callers pass; now and then any 32 bits. */
	flags = (fb & 0x80) ? u32(in) : (fb & 0x3f) |
		((fb & 0x40) ? FOLL_LONGTERM : 0);
	if (!m || h->nr)
		return;
	nr = min_ul(len / PAGE_SIZE, MAX_GUP);
	r = gup_call(call, s->tasks[m->task], start, nr, flags, h->pages);
	current = NULL;
	if (r > (long)nr)
		abort();		/* more pages than asked */
	if (r > 0) {
		h->nr = r;
		h->pin = call >= PIN;
	}
}

/* Releases a GUP call's pages: unpin, unpin dirty, or put_page. */
static void release(struct hold *h, uint8_t how)
{
	if (!h->nr)
		return;
	if (!h->pin) {
		for (long i = 0; i < h->nr; i++)
			put_page(h->pages[i]);
	} else if (how & 1) {
		unpin_user_pages_dirty_lock(h->pages, h->nr, how & 2);
	} else if (how & 2) {
		for (long i = h->nr - 1; i >= 0; i--)
			unpin_user_page(h->pages[i]);
	} else {
		unpin_user_pages(h->pages, h->nr);
	}
	h->nr = 0;
}

/* ---- CMA ---- */

static void op_cma(struct state *s, struct input *in)
{
	uint8_t b = u8(in);
	int slot = b % NR_CMA;

	if (s->cma[slot].nr) {
		cma_release_range(s->cma[slot].pfn, s->cma[slot].nr);
		s->cma[slot].nr = 0;
	} else {
		/*
		 * Up to 12,496 pages (~49 MiB). A cma_alloc() that fails
		 * retries every aligned offset of the area, emptying the
		 * candidate range each time (as the kernel does): with
		 * counts of 100k+ pages one input took 15-30 s under the
		 * sanitizers, which libFuzzer calls a hang. Larger counts
		 * are the scenario fuzzer's and make stress's.
		 */
		unsigned long nr = 1 + u8(in) * (1 + (b >> 6) * 16UL);

		if (!cma_alloc_range(nr, &s->cma[slot].pfn))
			s->cma[slot].nr = nr;
	}
}

/* ---- one input ---- */

static void run_ops(struct state *s, struct input *in)
{
	for (int n = 0; n < MAX_OPS && in->left; n++) {
		uint8_t op = u8(in);

		switch (op % 8) {
		case 0:
			op_task(s, in);
			break;
		case 1:
			op_file(s, in);
			break;
		case 2:
		case 3:
			op_mmap(s, in);
			break;
		case 4:
			op_change(s, in);
			break;
		case 5:
			op_gup(s, in);
			break;
		case 6:
			release(&s->holds[u8(in) % NR_HOLDS], op >> 3);
			break;
		default:
			op_cma(s, in);
			break;
		}
	}
}

/* Gives back everything still held, checks, tears down: 0 when clean. */
static int teardown(struct state *s)
{
	static char buf[16384];
	int ret = 0;

	/* While the pins are held: they are what the checker counts. */
	if (check_invariants(buf, sizeof(buf))) {
		fprintf(stderr, "fuzz-api: invariant: %s\n", buf);
		ret = -1;
	}
	for (int i = 0; i < NR_HOLDS; i++)
		release(&s->holds[i], (uint8_t)i);
	for (int i = 0; i < NR_CMA; i++)
		if (s->cma[i].nr)
			cma_release_range(s->cma[i].pfn, s->cma[i].nr);
	for (int i = 0; i < NR_TASKS; i++)
		if (s->tasks[i])
			task_exit(s->tasks[i]);
	for (int i = 0; i < NR_FILES; i++)
		if (s->files[i])
			fput(s->files[i]);
	if (machine_destroy(buf, sizeof(buf))) {
		fprintf(stderr, "fuzz-api: leak: %s\n", buf);
		ret = -1;
	}
	return ret;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static struct state s;

	if (make_machine(&in))
		return 0;
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < NR_MAPS; i++)
		s.maps[i].task = -1;
	run_ops(&s, &in);
	current = NULL;
	if (teardown(&s))
		abort();
	return 0;
}
