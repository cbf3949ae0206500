// SPDX-License-Identifier: GPL-2.0
/*
 * The model backend: runs scenario statements on the simulated kernel
 * through its public API only (gupsim/machine.h, gupsim/gup.h), the way a
 * process and a driver would use the real one.
 *
 * It keeps one table per namespace, indexed by the ids the parser handed
 * out: the task pointers, each mapping's current address (a mapping that
 * failed to map has address 0, where nothing is ever mapped), the pages a
 * handle holds, the CMA ranges taken. The address-space layout the public
 * API does not expose (for `show maps`) is tracked here from the
 * statements that change it.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>

#include <gupsim/explain.h>
#include <gupsim/inspect.h>
#include <gupsim/trace.h>

#include "backend.h"
#include "model_inspect.h"
#include "model_trace.h"
#include "../drivers/driver.h"

/*
 * <sys/mman.h> only has these with _GNU_SOURCE, which would also declare
 * glibc's memfd_create() over the model's; the values are Linux UAPI.
 */
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#endif
#ifndef MREMAP_FIXED
#define MREMAP_FIXED	2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

/* Pages one pin statement may ask for; beyond that no array is allocated. */
#define MAX_PIN_PAGES	(1UL << 22)

struct seg {
	unsigned long start, end;
	int prot;
};

struct var_state {
	bool valid;		/* mmap succeeded at some point */
	unsigned long addr;
	uint64_t size;
	int prot;
	bool shared;
	enum scn_source source;
	int file;
	uint64_t src_off;
	struct seg *segs;	/* what is still mapped, for `show maps` */
	int nr_segs;
};

struct handle_state {
	bool live;
	enum handle_kind kind;
	int task;
	unsigned int flags;	/* PIN_* */
	struct page **pages;
	long nr_held;
	unsigned long first_off;	/* of the range in its first page */
	uint64_t len;
	struct drv_handle *drv;	/* a driver registration (drivers/) */
};

struct cma_state {
	bool held;
	unsigned long pfn, nr;
};

struct model {
	struct machine_config cfg;
	struct task_struct **tasks;
	struct var_state *vars;
	struct file **files;
	struct handle_state *handles;
	struct cma_state *cmas;
	bool tracing;		/* our trace sink is set */
};

static struct model *M(struct backend *be)
{
	return be->priv;
}

static void *zalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

static int model_open(struct backend *be, char *buf, size_t len)
{
	const struct program *prog = be->prog;
	struct model *m = calloc(1, sizeof(*m));

	if (!m)
		goto nomem;
	m->tasks = zalloc(prog->nr_tasks, sizeof(*m->tasks));
	m->vars = zalloc(prog->nr_vars, sizeof(*m->vars));
	m->files = zalloc(prog->nr_files, sizeof(*m->files));
	m->handles = zalloc(prog->nr_handles, sizeof(*m->handles));
	m->cmas = zalloc(prog->nr_cmas, sizeof(*m->cmas));
	be->priv = m;
	if (!m->tasks || !m->vars || !m->files || !m->handles || !m->cmas)
		goto nomem;
	if (machine_exists()) {
		snprintf(buf, len, "a machine exists already");
		return -EBUSY;
	}
	return 0;
nomem:
	snprintf(buf, len, "out of memory");
	return -ENOMEM;
}

static struct result from_errno(long ret, const char *what)
{
	if (ret >= 0)
		return res_ok();
	return res_errno((int)-ret, "%s", what ? what : "");
}

/* ---- machine, files, tasks ---- */

static struct result model_machine(struct backend *be, const struct stmt *st)
{
	const struct machine_args *a = &st->machine;
	struct machine_config *cfg = &M(be)->cfg;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mem = a->mem;
	cfg->cma = a->cma;
	cfg->movable = a->movable;
	cfg->device = a->device;
	cfg->hugetlb = a->hugetlb;
	cfg->hugetlb_1g = a->hugetlb_1g;
	cfg->swap = a->swap;
	cfg->thp = a->thp == SCN_THP_ALWAYS ? THP_ALWAYS :
		   a->thp == SCN_THP_NEVER ? THP_NEVER : THP_MADVISE;
	cfg->kernel = a->kernel;
	cfg->thp_orders = a->thp_orders;
	ret = machine_create(cfg);
	return from_errno(ret, ret ? "machine_create failed" : NULL);
}

static struct result model_file(struct backend *be, const struct stmt *st)
{
	const struct file_args *a = &st->file;
	static const enum fs_type fs[] = {
		[SCN_FS_EXT4] = FS_EXT4, [SCN_FS_TMPFS] = FS_TMPFS,
		[SCN_FS_DAX] = FS_DAX, [SCN_FS_HUGETLBFS] = FS_HUGETLBFS,
	};
	struct file *f = a->fs == SCN_FS_MEMFD ?
			 memfd_file_create(a->name, a->size) :
			 a->fs == SCN_FS_HUGETLBFS ?
			 hugetlbfs_file_create(a->name, a->size, a->pagesize) :
			 file_create(a->name, fs[a->fs], a->size);

	M(be)->files[a->file] = f;
	if (!f)
		return res_errno(ENOMEM, "file_create failed");
	return res_ok();
}

/* fallocate FILE: vfs_fallocate() on the model's file */
static struct result model_fallocate(struct backend *be,
				     const struct stmt *st)
{
	const struct fallocate_args *a = &st->fallocate;
	struct file *f = M(be)->files[a->file];
	int ret;

	if (!f)
		return res_errno(ENOENT, "file %s was not created",
				 be->prog->file_names[a->file]);
	ret = vfs_fallocate(f, a->off, a->len);
	return from_errno(ret, ret ? "fallocate failed" : NULL);
}

static struct result model_task(struct backend *be, const struct stmt *st)
{
	const struct task_args *a = &st->task_new;
	unsigned long memlock = a->memlock == UINT64_MAX ? RLIM_INFINITY :
				(unsigned long)a->memlock;
	struct task_struct *t = task_create(a->name, memlock,
					    a->cap_ipc_lock);

	M(be)->tasks[st->task] = t;
	if (!t)
		return res_errno(ENOMEM, "task_create failed");
	return res_ok();
}

/* The acting task; NULL (and *r set) when its creation failed. */
static struct task_struct *get_task(struct backend *be, int id,
				    struct result *r)
{
	struct task_struct *t = id >= 0 ? M(be)->tasks[id] : NULL;

	*r = res_ok();
	if (!t)
		*r = res_errno(ESRCH, "task %s does not exist",
			       id >= 0 ? be->prog->task_names[id] : "?");
	return t;
}

/* ---- the layout we know of, for show maps ---- */

/*
 * The statements of a race block run at once (`gupsim run`): two of them
 * may change one mapping's segments (munmap and mprotect of one buffer),
 * so every change and copy of a segment array is under this lock.
 */
static pthread_mutex_t layout_lock = PTHREAD_MUTEX_INITIALIZER;

static void segs_set(struct var_state *v, unsigned long start,
		     unsigned long end, int prot, bool remove)
{
	struct seg *n;
	int k = 0;

	pthread_mutex_lock(&layout_lock);
	n = calloc(v->nr_segs * 2 + 1, sizeof(*n));
	if (!n)
		goto out;
	for (int i = 0; i < v->nr_segs; i++) {
		struct seg s = v->segs[i];

		if (s.end <= start || s.start >= end) {
			n[k++] = s;
			continue;
		}
		if (s.start < start)
			n[k++] = (struct seg){ s.start, start, s.prot };
		if (!remove)
			n[k++] = (struct seg){ s.start > start ? s.start : start,
					       s.end < end ? s.end : end, prot };
		if (s.end > end)
			n[k++] = (struct seg){ end, s.end, s.prot };
	}
	free(v->segs);
	v->segs = n;
	v->nr_segs = k;
out:
	pthread_mutex_unlock(&layout_lock);
}

/* ---- mappings ---- */

static unsigned long mmap_flags(const struct mmap_args *a, struct file **file)
{
	unsigned long flags = a->shared ? MAP_SHARED : MAP_PRIVATE;

	switch (a->source) {
	case SRC_ANON:
		return flags | MAP_ANONYMOUS;
	case SRC_HUGETLB:
		/* MAP_HUGE_1GB, MAP_HUGE_2MB: log2 of the size at bit 26 */
		return flags | MAP_ANONYMOUS | MAP_HUGETLB |
		       ((unsigned long)__builtin_ctzll(a->pagesize) << 26);
	case SRC_DEVZERO:
		return flags | MAP_GUPSIM_DEVZERO;
	case SRC_IO:
		return flags | MAP_GUPSIM_IO;
	case SRC_FILE:
	case SRC_MEMFD:
		break;
	}
	(void)file;
	return flags;
}

static struct result model_mmap(struct backend *be, const struct stmt *st)
{
	static const enum place_hint place[] = {
		[PLACE_R_ANY] = PLACE_ANY, [PLACE_R_NORMAL] = PLACE_NORMAL,
		[PLACE_R_MOVABLE] = PLACE_MOVABLE, [PLACE_R_CMA] = PLACE_CMA,
	};
	const struct mmap_args *a = &st->mmap;
	struct var_state *v = &M(be)->vars[a->var];
	struct result r = res_ok();
	struct task_struct *t = get_task(be, st->task, &r);
	bool hints = a->place != PLACE_R_ANY || a->thp_advise;
	struct file *file = NULL, *memfd = NULL;
	unsigned long flags;
	long addr;

	v->size = a->size;
	v->prot = a->prot;
	v->shared = a->shared;
	v->source = a->source;
	v->file = a->file;
	v->src_off = a->src_off;
	if (!t)
		return r;
	flags = mmap_flags(a, &file);
	if (a->source == SRC_FILE) {
		file = M(be)->files[a->file];
		if (!file)
			return res_errno(EBADF, "file %s does not exist",
					 be->prog->file_names[a->file]);
	} else if (a->source == SRC_MEMFD) {
		memfd = memfd_file_create(a->name, PAGE_ALIGN(a->size));
		if (!memfd)
			return res_errno(ENOMEM, "memfd_create failed");
		file = memfd;
	}
	if (a->populate && !hints)
		flags |= MAP_POPULATE;
	addr = vm_mmap(t, 0, a->size, a->prot, flags, file, a->src_off);
	/* like close(fd) after mmap(): the mapping keeps its own reference */
	if (memfd)
		fput(memfd);
	if (addr < 0)
		return res_errno((int)-addr, "mmap failed");
	v->valid = true;
	v->addr = addr;
	pthread_mutex_lock(&layout_lock);
	free(v->segs);
	v->segs = calloc(1, sizeof(*v->segs));
	if (v->segs) {
		v->segs[0] = (struct seg){ addr, addr + PAGE_ALIGN(a->size),
					   a->prot };
		v->nr_segs = 1;
	}
	pthread_mutex_unlock(&layout_lock);
	if (a->place != PLACE_R_ANY) {
		int ret = vm_set_place(t, addr, place[a->place]);

		if (ret)
			return res_errno(-ret, "vm_set_place failed");
	}
	if (a->thp_advise) {
		int ret = vm_madvise(t, addr, a->size, MADV_HUGEPAGE);

		if (ret)
			return res_errno(-ret, "madvise(MADV_HUGEPAGE) failed");
	}
	if (a->populate && hints) {
		bool write = !a->shared && (a->prot & PROT_WRITE);
		int ret = vm_populate(t, addr, a->size, write);

		if (ret)
			return res_errno(-ret, "populate failed");
	}
	return r;
}

static unsigned long range_addr(struct backend *be, const struct range *rg)
{
	const struct var_state *v = &M(be)->vars[rg->var];

	return v->valid ? v->addr + rg->off : rg->off;
}

static struct result uaccess_result(enum uaccess_result u)
{
	struct result r = res_ok();

	if (u == UACCESS_SIGSEGV) {
		r.kind = RES_SIGNAL;
		r.value = SIGSEGV;
	} else if (u == UACCESS_SIGBUS) {
		r.kind = RES_SIGNAL;
		r.value = SIGBUS;
	} else if (u != UACCESS_OK) {
		r = res_errno(EINVAL, "unknown uaccess result %d", (int)u);
	}
	return r;
}

static struct result model_write(struct backend *be, const struct stmt *st)
{
	const struct write_args *a = &st->write;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);

	if (!t)
		return r;
	return uaccess_result(user_memset(t, range_addr(be, &a->range),
					  a->byte, a->range.len));
}

/* Folds a buffer into "all one byte so far" or mixed. */
/*
 * Folds n bytes into the answer of a read: the first byte seen, and
 * whether any other differs. Reads of whole buffers go through here, so
 * it compares eight bytes at a time (a loop the compiler vectorizes).
 */
static void fold_bytes(const unsigned char *p, size_t n, int *first,
		       bool *mixed)
{
	uint64_t pat, diff = 0;
	size_t i = 0;

	if (!n || *mixed)
		return;
	if (*first < 0)
		*first = p[0];
	pat = 0x0101010101010101ULL * (unsigned char)*first;
	for (; i + sizeof(pat) <= n; i += sizeof(pat)) {
		uint64_t w;

		memcpy(&w, p + i, sizeof(w));
		diff |= w ^ pat;
	}
	for (; i < n; i++)
		diff |= p[i] ^ (unsigned char)*first;
	if (diff)
		*mixed = true;
}

static struct result byte_result(int first, bool mixed)
{
	struct result r = { .kind = mixed ? RES_MIXED : RES_BYTE,
			    .value = first };

	return r;
}

static struct result model_read(struct backend *be, const struct stmt *st)
{
	const struct range_args *a = &st->read;
	static unsigned char chunk[65536];
	unsigned long addr = range_addr(be, &a->range);
	uint64_t left = a->range.len;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	bool mixed = false;
	int first = -1;

	if (!t)
		return r;
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
		enum uaccess_result u = user_read(t, addr, chunk, n);

		if (u != UACCESS_OK)
			return uaccess_result(u);
		fold_bytes(chunk, n, &first, &mixed);
		addr += n;
		left -= n;
	}
	return byte_result(first, mixed);
}

static struct result model_munmap(struct backend *be, const struct stmt *st)
{
	const struct range_args *a = &st->munmap;
	unsigned long addr = range_addr(be, &a->range);
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	int ret;

	if (!t)
		return r;
	ret = vm_munmap(t, addr, a->range.len);
	if (ret)
		return res_errno(-ret, "munmap failed");
	segs_set(&M(be)->vars[a->range.var], addr & PAGE_MASK,
		 PAGE_ALIGN(addr + a->range.len), 0, true);
	return r;
}

/* TASK mlock RANGE / munlock RANGE: mlock(2) and munlock(2) on the model */
static struct result model_mlock(struct backend *be, const struct stmt *st)
{
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);

	if (!t)
		return r;
	return from_errno(vm_mlock(t, range_addr(be, &st->mlock.range),
				   st->mlock.range.len), "mlock failed");
}

static struct result model_munlock(struct backend *be, const struct stmt *st)
{
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);

	if (!t)
		return r;
	return from_errno(vm_munlock(t, range_addr(be, &st->munlock.range),
				     st->munlock.range.len), "munlock failed");
}

static struct result model_mprotect(struct backend *be, const struct stmt *st)
{
	const struct mprotect_args *a = &st->mprotect;
	unsigned long addr = range_addr(be, &a->range);
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	int ret;

	if (!t)
		return r;
	ret = vm_mprotect(t, addr, a->range.len, a->prot);
	if (ret)
		return res_errno(-ret, "mprotect failed");
	segs_set(&M(be)->vars[a->range.var], addr & PAGE_MASK,
		 PAGE_ALIGN(addr + a->range.len), a->prot, false);
	return r;
}

static struct result model_madvise(struct backend *be, const struct stmt *st)
{
	const struct madvise_args *a = &st->madvise;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	int ret;

	if (!t)
		return r;
	ret = vm_madvise(t, range_addr(be, &a->range), a->range.len,
			 a->advice);
	return from_errno(ret, ret ? "madvise failed" : NULL);
}

/*
 * mremap to "a new address": reserve a free range of the same size the
 * way user space does (a PROT_NONE mapping), then move onto it with
 * MREMAP_FIXED, which replaces the reservation.
 */
/*
 * After mremap(2) of [old, old + old_len) to [addr, addr + new_len): what
 * the task's mappings still map, for `show maps`. The new place was
 * unmapped first (MREMAP_FIXED), the old range is gone unless it stayed
 * (in place, or MREMAP_DONTUNMAP, which leaves it mapped but empty).
 */
static void segs_after_mremap(struct backend *be, const struct mremap_args *a,
			      unsigned long old, unsigned long addr)
{
	struct model *m = M(be);
	int task = be->prog->var_task[a->var];
	unsigned long old_end = old + PAGE_ALIGN(a->range.len);
	unsigned long end = addr + PAGE_ALIGN(a->new_len);

	for (int i = 0; i < be->prog->nr_vars; i++) {
		if (i == a->new_var || be->prog->var_task[i] != task ||
		    !m->vars[i].valid)
			continue;
		if (addr != old && !(a->flags & MREMAP_DONTUNMAP))
			segs_set(&m->vars[i], old, old_end, 0, true);
		else if (addr == old && end < old_end)
			segs_set(&m->vars[i], end, old_end, 0, true);
		segs_set(&m->vars[i], addr, end, 0, true);
	}
}

/* TASK mremap RANGE NEW ...: mremap(2) of the range, the result is NEW */
static struct result model_mremap_range(struct backend *be,
					const struct stmt *st)
{
	const struct mremap_args *a = &st->mremap;
	struct var_state *v = &M(be)->vars[a->var];
	struct var_state *nv = &M(be)->vars[a->new_var];
	unsigned long old = range_addr(be, &a->range), new_addr = 0;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	long ret;

	if (!t)
		return r;
	if (a->fixed_var >= 0)
		new_addr = M(be)->vars[a->fixed_var].addr + a->fixed_off;
	ret = vm_mremap(t, old, a->range.len, a->new_len, a->flags, new_addr);
	if (ret < 0)
		return res_errno((int)-ret, "mremap failed");
	segs_after_mremap(be, a, old, (unsigned long)ret);
	*nv = (struct var_state){
		.valid = true, .addr = ret, .size = a->new_len, .prot = v->prot,
		.shared = v->shared, .source = v->source, .file = v->file,
		.src_off = v->src_off + a->range.off,
	};
	nv->segs = calloc(1, sizeof(*nv->segs));
	if (nv->segs) {
		nv->segs[0] = (struct seg){ ret, ret + PAGE_ALIGN(a->new_len),
					    v->prot };
		nv->nr_segs = 1;
	}
	return r;
}

static struct result model_mremap(struct backend *be, const struct stmt *st)
{
	int var = st->mremap.var;
	struct var_state *v = &M(be)->vars[var];
	unsigned long len = PAGE_ALIGN(v->size), delta;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	long dst, ret;

	if (!t)
		return r;
	if (!v->valid)
		return res_errno(EFAULT, "mapping %s was never mapped",
				 be->prog->var_names[var]);
	if (st->mremap.partial)
		return model_mremap_range(be, st);
	dst = vm_mmap(t, 0, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      NULL, 0);
	if (dst < 0)
		return res_errno((int)-dst, "no room for the new address");
	ret = vm_mremap(t, v->addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			dst);
	if (ret < 0) {
		vm_munmap(t, dst, len);
		return res_errno((int)-ret, "mremap failed");
	}
	delta = (unsigned long)ret - v->addr;
	pthread_mutex_lock(&layout_lock);
	for (int i = 0; i < v->nr_segs; i++) {
		v->segs[i].start += delta;
		v->segs[i].end += delta;
	}
	pthread_mutex_unlock(&layout_lock);
	v->addr = ret;
	return r;
}

static struct result model_fork(struct backend *be, const struct stmt *st)
{
	const struct fork_args *a = &st->fork;
	struct model *m = M(be);
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r), *child;

	if (!t)
		return r;
	pthread_mutex_lock(&layout_lock);
	for (int i = 0; i < a->nr_pairs; i++) {
		struct var_state *pv = &m->vars[a->pairs[i].parent];
		struct var_state *cv = &m->vars[a->pairs[i].child];

		*cv = *pv;
		cv->segs = calloc(pv->nr_segs + 1, sizeof(*cv->segs));
		if (!cv->segs)
			cv->nr_segs = 0;
		else if (pv->nr_segs)	/* a failed mmap has no segments */
			memcpy(cv->segs, pv->segs,
			       pv->nr_segs * sizeof(*cv->segs));
	}
	pthread_mutex_unlock(&layout_lock);
	child = task_fork(t, a->name);
	m->tasks[a->child] = child;
	if (!child)
		return res_errno(ENOMEM, "fork failed");
	return r;
}

static struct result model_exit(struct backend *be, const struct stmt *st)
{
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);

	if (!t)
		return r;
	/*
	 * exit closes the task's files: io_uring rings, verbs contexts,
	 * vfio containers... so its driver registrations (the parser lists
	 * them) are released.
	 */
	for (int i = 0; i < st->exit.nr_drv_handles; i++) {
		struct handle_state *h = &M(be)->handles[st->exit.drv_handles[i]];

		if (h->drv && h->drv->task == t) {
			driver_release(h->drv);
			h->drv = NULL;
		}
	}
	if (current == t)
		current = NULL;
	task_exit(t);
	M(be)->tasks[st->task] = NULL;
	return r;
}

/* ---- pins ---- */

static unsigned int foll_flags(unsigned int pin_flags)
{
	unsigned int f = 0;

	if (pin_flags & PIN_WRITE)
		f |= FOLL_WRITE;
	if (pin_flags & PIN_LONGTERM)
		f |= FOLL_LONGTERM;
	if (pin_flags & PIN_FORCE)
		f |= FOLL_FORCE;
	return f;
}

/*
 * Why the running release has no call for this pin statement, or NULL:
 * pin_user_pages*() came in 5.6, and in 5.1 neither the fast call (a
 * write flag, no gup_flags) nor the remote one could be long-term.
 */
static const char *pin_api_missing(unsigned int pf, bool remote)
{
	if (!(pf & PIN_GET) && !kernel_has(FOLL_PIN))
		return "pin_user_pages*() and FOLL_PIN came in 5.6";
	if ((pf & PIN_GET) && (pf & PIN_FAST) &&
	    (pf & (PIN_LONGTERM | PIN_FORCE)) && !kernel_has(GUP_FAST_FLAGS))
		return "get_user_pages_fast() took a write flag, not gup_flags, before 5.2";
	if ((pf & PIN_GET) && (pf & PIN_LONGTERM) && remote &&
	    !kernel_has(FOLL_LONGTERM))
		return "no long-term get_user_pages_remote() before FOLL_LONGTERM (5.2)";
	return NULL;
}

/*
 * get_user_pages() with FOLL_LONGTERM, or in 5.1, where that flag did not
 * exist, get_user_pages_longterm(). Caller holds mmap_read_lock.
 */
static long get_user_pages_as_release(unsigned long start, unsigned long nr,
				      unsigned int f, struct page **pages)
{
	if ((f & FOLL_LONGTERM) && !kernel_has(FOLL_LONGTERM))
		return get_user_pages_longterm(start, nr, f & ~FOLL_LONGTERM,
					       pages);
	return get_user_pages(start, nr, f, pages);
}

/* One GUP call with `current` set; the slow calls under mmap_read_lock. */
static long do_gup(struct task_struct *t, struct task_struct *other,
		   unsigned int pf, unsigned long start, unsigned long nr,
		   struct page **pages)
{
	unsigned int f = foll_flags(pf);
	bool get = pf & PIN_GET;
	struct mm_struct *mm;
	long ret;

	current = t;
	if (pf & PIN_FAST) {
		ret = get ? get_user_pages_fast(start, (int)nr, f, pages) :
			    pin_user_pages_fast(start, (int)nr, f, pages);
		goto out;
	}
	mm = task_mm(other ? other : t);
	mmap_read_lock(mm);
	if (other)
		ret = get ? get_user_pages_remote(mm, start, nr, f, pages, NULL) :
			    pin_user_pages_remote(mm, start, nr, f, pages, NULL);
	else
		ret = get ? get_user_pages_as_release(start, nr, f, pages) :
			    pin_user_pages(start, nr, f, pages);
	mmap_read_unlock(mm);
out:
	current = NULL;
	return ret;
}

static struct result model_pin(struct backend *be, const struct stmt *st)
{
	const struct pin_args *a = &st->pin;
	struct handle_state *h = &M(be)->handles[a->handle];
	unsigned long addr = range_addr(be, &a->range);
	unsigned long first = addr & PAGE_MASK;
	unsigned long nr = (PAGE_ALIGN(addr + a->range.len) - first) >>
			   PAGE_SHIFT;
	struct task_struct *other = NULL;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	long ret;

	h->live = true;
	h->kind = a->hkind;
	h->task = st->task;
	h->flags = a->flags;
	h->first_off = addr - first;
	h->len = a->range.len;
	if (!t)
		return r;
	if (a->mm >= 0 && !(other = get_task(be, a->mm, &r)))
		return r;
	if (pin_api_missing(a->flags, other)) {
		explain_rule("kernel_has", "%s: the running release (%s) has no such call",
			     pin_api_missing(a->flags, other),
			     kernel_profile_name(machine_kernel()));
		r = (struct result){ .kind = RES_SKIP };
		snprintf(r.msg, sizeof(r.msg), "%s (running %s)",
			 pin_api_missing(a->flags, other),
			 kernel_profile_name(machine_kernel()));
		return r;
	}
	if (nr > MAX_PIN_PAGES || nr > (unsigned long)INT32_MAX)
		return res_errno(ENOMEM, "%lu pages are more than one call may ask for",
				 nr);
	h->pages = calloc(nr, sizeof(*h->pages));
	if (!h->pages)
		return res_errno(ENOMEM, "no memory for the page array");
	ret = do_gup(t, other, a->flags, first, nr, h->pages);
	if (ret < 0)
		return res_errno((int)-ret, NULL);
	if ((unsigned long)ret > nr) {
		r = res_errno(EINVAL, "GUP returned %ld pages of %lu", ret, nr);
		ret = nr;
	}
	h->nr_held = ret;
	if ((unsigned long)ret == nr) {
		r.has_count = true;
		r.count = ret;
		return r;
	}
	r.kind = RES_COUNT;
	r.value = ret;
	snprintf(r.msg, sizeof(r.msg), "%ld of %lu pages", ret, nr);
	return r;
}

static void drop_handle(struct handle_state *h, bool dirty)
{
	if (h->drv) {
		driver_release(h->drv);
		h->drv = NULL;
	}
	if (h->nr_held) {
		if (h->kind == HANDLE_GET) {
			for (long i = 0; i < h->nr_held; i++) {
				if (dirty)
					set_page_dirty_lock(h->pages[i]);
				put_page(h->pages[i]);
			}
		} else if (dirty) {
			unpin_user_pages_dirty_lock(h->pages, h->nr_held, true);
		} else {
			unpin_user_pages(h->pages, h->nr_held);
		}
	}
	free(h->pages);
	h->pages = NULL;
	h->nr_held = 0;
	h->live = false;
}

static struct result model_unpin(struct backend *be, const struct stmt *st)
{
	drop_handle(&M(be)->handles[st->unpin.handle], st->unpin.dirty);
	return res_ok();
}

/*
 * TASK driver KIND HANDLE RANGE [write] [mm=OTHER]: the modelled caller
 * registers the range (OTHER's, pinned from TASK's context, with mm=). "ok" stands for every page the registration holds; a
 * driver that keeps a partial registration (hfi1) answers its page
 * count; a failure answers the driver's errno (a driver that keeps pages
 * after failing, videobuf, still needs `release`).
 */
static struct result model_driver(struct backend *be, const struct stmt *st)
{
	const struct driver_args *a = &st->driver;
	struct handle_state *h = &M(be)->handles[a->handle];
	const char *kind = scn_driver_names[a->driver];
	struct task_struct *owner = NULL;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);
	long ret;

	h->live = true;
	h->kind = HANDLE_DRIVER;
	h->task = a->mm >= 0 ? a->mm : st->task;
	h->len = a->range.len;
	h->flags = a->write ? PIN_WRITE : 0;
	if (!t || !(owner = get_task(be, h->task, &r)))
		return r;
	/* with mm=OTHER the registration is OTHER's, pinned by TASK */
	ret = driver_register_mm(kind, t, owner, range_addr(be, &a->range),
				 a->range.len, a->write, &h->drv);
	if (ret < 0)
		return res_errno((int)-ret, "driver %s failed", kind);
	if (ret > 0) {
		r.kind = RES_COUNT;
		r.value = ret;
		snprintf(r.msg, sizeof(r.msg), "driver %s answered %ld; it holds %lu pages",
			 kind, ret, h->drv ? h->drv->nr_pinned : 0UL);
		return r;
	}
	r.has_count = true;
	r.count = h->drv ? (long)h->drv->nr_pinned : 0;
	return r;
}

static struct result model_release(struct backend *be, const struct stmt *st)
{
	drop_handle(&M(be)->handles[st->release.handle], false);
	return res_ok();
}

/* The device's view of a driver registration (the frames it was given). */
static struct result dev_access_driver(struct backend *be,
				       const struct dev_args *a, bool write)
{
	struct handle_state *h = &M(be)->handles[a->handle];
	unsigned char chunk[4096];
	unsigned long off = a->off;
	uint64_t left;
	bool mixed = false;
	int first = -1;

	if (!h->drv || !h->drv->dev_len) {
		explain_rule("gupsim_dev_access", "the registration failed or holds nothing: the device was given no frames");
		return res_errno(EFAULT, "driver handle %s maps nothing",
				 be->prog->handle_names[a->handle]);
	}
	left = a->len;
	/* a partial registration: without len=, what the driver mapped */
	if (!a->len_set && off < h->drv->dev_len &&
	    left > h->drv->dev_len - off)
		left = h->drv->dev_len - off;
	if (write)
		memset(chunk, a->byte, sizeof(chunk));
	while (left) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		if (driver_dev_access(h->drv, off, chunk, n, write))
			return res_errno(EFAULT, "handle %s maps only %lu bytes",
					 be->prog->handle_names[a->handle],
					 h->drv->dev_len);
		if (!write)
			fold_bytes(chunk, n, &first, &mixed);
		off += n;
		left -= n;
	}
	return write ? res_ok() : byte_result(first, mixed);
}

/*
 * Device access through the pages a handle holds, as DMA would: byte i
 * of the handle is byte first_off + i of its page array.
 */
static struct result dev_access(struct backend *be, const struct dev_args *a,
				bool write)
{
	struct handle_state *h = &M(be)->handles[a->handle];
	uint64_t pos = h->first_off + a->off, end = pos + a->len;
	uint64_t held = (uint64_t)h->nr_held * PAGE_SIZE;
	bool mixed = false;
	int first = -1;

	if (h->kind == HANDLE_DRIVER)
		return dev_access_driver(be, a, write);
	if (!h->nr_held) {
		explain_rule("gupsim_dev_access", "the pin holds no pages: a device may only reach pinned pages");
		return res_errno(EFAULT, "handle %s holds no pages",
				 be->prog->handle_names[a->handle]);
	}
	/* A partial pin: without len=, the device sees what is held. */
	if (!a->len_set && end > held && pos < held)
		end = held;
	if (end > held) {
		explain_rule("gupsim_dev_access", "bytes [%lu, %lu) asked, the pin holds %ld page(s): a device may only reach pinned pages",
			     (unsigned long)pos, (unsigned long)end, h->nr_held);
		return res_errno(EFAULT, "handle %s holds only %ld pages",
				 be->prog->handle_names[a->handle], h->nr_held);
	}
	while (pos < end) {
		unsigned long in = pos & ~PAGE_MASK;
		size_t n = PAGE_SIZE - in;
		unsigned char *p = page_address(h->pages[pos >> PAGE_SHIFT]);

		if (n > end - pos)
			n = end - pos;
		if (!p)
			return res_errno(EFAULT, "page_address() is NULL");
		if (write)
			memset(p + in, a->byte, n);
		else
			fold_bytes(p + in, n, &first, &mixed);
		pos += n;
	}
	return write ? res_ok() : byte_result(first, mixed);
}

static struct result model_dev_write(struct backend *be, const struct stmt *st)
{
	return dev_access(be, &st->dev_write, true);
}

static struct result model_dev_read(struct backend *be, const struct stmt *st)
{
	return dev_access(be, &st->dev_read, false);
}

/* ---- physical memory ---- */

static struct result model_cma_alloc(struct backend *be, const struct stmt *st)
{
	struct cma_state *c = &M(be)->cmas[st->cma_alloc.cma];
	unsigned long pfn = 0, nr = st->cma_alloc.size / PAGE_SIZE;
	int ret = cma_alloc_range(nr, &pfn);

	if (ret)
		return res_errno(-ret, NULL);
	c->held = true;
	c->pfn = pfn;
	c->nr = nr;
	return res_ok();
}

static struct result model_cma_free(struct backend *be, const struct stmt *st)
{
	struct cma_state *c = &M(be)->cmas[st->cma_free.cma];
	int ret = 0;

	if (c->held)
		ret = cma_release_range(c->pfn, c->nr);
	c->held = false;
	return from_errno(ret, ret ? "cma_release failed" : NULL);
}

static struct result zone_result(enum page_zone_kind z)
{
	struct result r = { .kind = RES_ZONE };

	switch (z) {
	case PZ_NORMAL: r.value = ZONE_R_NORMAL; break;
	case PZ_MOVABLE: r.value = ZONE_R_MOVABLE; break;
	case PZ_CMA: r.value = ZONE_R_CMA; break;
	case PZ_DEVICE: r.value = ZONE_R_DEVICE; break;
	case PZ_MIXED: r.kind = RES_MIXED; break;
	default:
		r.value = ZONE_R_NONE;
		snprintf(r.msg, sizeof(r.msg), "no page is mapped");
		break;
	}
	return r;
}

static struct result model_where(struct backend *be, const struct stmt *st)
{
	const struct range_args *a = &st->where;
	struct result r;
	struct task_struct *t = get_task(be, st->task, &r);

	if (!t)
		return r;
	return zone_result(user_range_zone(t, range_addr(be, &a->range),
					   a->range.len));
}

/* ---- inspection ---- */

static struct result model_check(struct backend *be, const struct stmt *st)
{
	char buf[sizeof(((struct result *)0)->msg)];
	struct result r;

	if (!check_invariants(buf, sizeof(buf)))
		return res_ok();
	r = res_errno(EUCLEAN, "%s", buf);
	r.broken = true;
	return r;
}

/* stat COUNTER TASK: a counter of the task's mm or of its user, in pages */
static struct result stat_task(struct backend *be, const struct stmt *st)
{
	struct task_struct *task = M(be)->tasks[st->stat.task];
	struct result r = { .kind = RES_COUNT };
	struct task_status ts;

	if (!task || task_status_get(task, &ts))
		return res_errno(ESRCH, "task %s has no mm",
				 be->prog->task_names[st->stat.task]);
	switch (st->stat.task_counter) {
	case TC_LOCKED_VM:
		r.value = ts.locked_vm;
		break;
	case TC_PINNED_VM:
		r.value = ts.pinned_vm;
		break;
	case TC_USER_LOCKED_VM:
	default:
		r.value = ts.user_locked_vm;
		break;
	}
	return r;
}

/*
 * stat refcount|mapcount TASK VAR[+OFF]: the counts of the page mapped
 * there. No page (never touched, swapped out, unmapped): ENOENT.
 */
static struct result stat_page(struct backend *be, const struct stmt *st)
{
	const struct stat_args *a = &st->stat;
	const char *var = be->prog->var_names[a->range.var];
	struct result r = { .kind = RES_COUNT };
	struct user_page_counts c;
	struct task_struct *t = get_task(be, a->task, &r);
	int ret;

	if (!t)
		return r;
	r = (struct result){ .kind = RES_COUNT };
	ret = user_page_counts(t, range_addr(be, &a->range), &c);
	if (ret == -ENOENT)
		return res_errno(ENOENT, "no page is mapped at %s+%#llx", var,
				 (unsigned long long)a->range.off);
	if (ret)
		return res_errno(-ret, "task %s has no mm",
				 be->prog->task_names[a->task]);
	r.value = a->page_counter == PC_MAPCOUNT ? c.mapcount : c.refcount;
	return r;
}

static struct result model_stat(struct backend *be, const struct stmt *st)
{
	long v;
	struct result r = { .kind = RES_COUNT };

	if (st->stat.page_counter != PC_NONE)
		return stat_page(be, st);
	if (st->stat.task_counter != TC_NONE)
		return stat_task(be, st);
	v = vmstat_get(st->stat.counter);
	if (v < 0)
		return res_errno(ENOENT, "no counter named %s", st->stat.counter);
	r.value = v;
	return r;
}

static void show_vmstat_one(const char *name, long value, void *arg)
{
	fprintf(arg, "%s %ld\n", name, value);
}

static void meminfo_line(FILE *out, const char *name, long kb)
{
	if (kb >= 0)
		fprintf(out, "%-16s%8ld kB\n", name, kb);
}

static long pages_kb(const char *counter)
{
	long v = vmstat_get(counter);

	return v < 0 ? -1 : v * (long)(PAGE_SIZE / 1024);
}

static void show_meminfo(struct backend *be, FILE *out)
{
	const struct machine_config *cfg = &M(be)->cfg;
	long mem = cfg->mem ? (long)(cfg->mem >> 10) : 256L << 10;

	meminfo_line(out, "MemTotal:", mem);
	meminfo_line(out, "MemFree:", pages_kb("nr_free_pages"));
	meminfo_line(out, "AnonPages:", pages_kb("nr_anon_pages"));
	meminfo_line(out, "FilePages:", pages_kb("nr_file_pages"));
	meminfo_line(out, "Shmem:", pages_kb("nr_shmem"));
	meminfo_line(out, "PageTables:", pages_kb("nr_page_table_pages"));
	meminfo_line(out, "AnonHugePages:", vmstat_get("nr_anon_transparent_hugepages") < 0 ? -1 :
		     vmstat_get("nr_anon_transparent_hugepages") * (long)(PMD_SIZE >> 10));
	meminfo_line(out, "CmaTotal:", (long)(cfg->cma >> 10));
	meminfo_line(out, "CmaFree:", pages_kb("nr_free_cma"));
	fprintf(out, "%-16s%8lu\n", "HugePages_Total:", cfg->hugetlb);
	meminfo_line(out, "Hugepagesize:", (long)(PMD_SIZE >> 10));
}

static const char *zone_name(enum page_zone_kind z)
{
	switch (z) {
	case PZ_NORMAL: return "normal";
	case PZ_MOVABLE: return "movable";
	case PZ_CMA: return "cma";
	case PZ_DEVICE: return "device";
	case PZ_MIXED: return "mixed";
	default: return "none";
	}
}

/* A driver registration: its kind as FLAGS, the frames its device uses. */
static void show_driver_pin(struct backend *be, int i, FILE *out)
{
	const struct handle_state *h = &M(be)->handles[i];
	const struct drv_handle *d = h->drv;
	char flags[64];

	snprintf(flags, sizeof(flags), "%s%s", d ? d->ops->name : "-",
		 d && d->write ? ",write" : "");
	fprintf(out, "%-12s %-6s %-10s %-22s %8llu %8ld ",
		be->prog->handle_names[i], "driver",
		be->prog->task_names[h->task], flags,
		(unsigned long long)h->len, d ? (long)d->nr_pinned : 0L);
	if (d && d->nr_pfns)
		fprintf(out, "%#-12lx %s\n", d->pfns[0],
			is_invalid_reserved_pfn(d->pfns[0]) ? "device" : "-");
	else
		fprintf(out, "%-12s %s\n", "-", "-");
}

static void show_pins(struct backend *be, FILE *out)
{
	static const char *const kinds[] = { "pin", "get", "driver" };
	struct model *m = M(be);

	fprintf(out, "%-12s %-6s %-10s %-22s %8s %8s %-12s %s\n", "HANDLE",
		"KIND", "TASK", "FLAGS", "BYTES", "PAGES", "FIRST_PFN", "ZONE");
	for (int i = 0; i < be->prog->nr_handles; i++) {
		struct handle_state *h = &m->handles[i];
		enum page_zone_kind z = PZ_NONE;
		char flags[64] = "";

		if (!h->live)
			continue;
		if (h->kind == HANDLE_DRIVER) {
			show_driver_pin(be, i, out);
			continue;
		}
		for (long j = 0; j < h->nr_held; j++) {
			enum page_zone_kind pz = page_zone_kind(h->pages[j]);

			z = (j == 0 || pz == z) ? pz : PZ_MIXED;
		}
		snprintf(flags, sizeof(flags), "%s%s%s%s%s",
			 h->flags & PIN_WRITE ? "write," : "",
			 h->flags & PIN_LONGTERM ? "longterm," : "",
			 h->flags & PIN_FAST ? "fast," : "",
			 h->flags & PIN_FORCE ? "force," : "",
			 h->kind == HANDLE_GET ? "get," : "");
		if (flags[0])
			flags[strlen(flags) - 1] = 0;
		else
			snprintf(flags, sizeof(flags), "-");
		fprintf(out, "%-12s %-6s %-10s %-22s %8llu %8ld ",
			be->prog->handle_names[i], kinds[h->kind],
			be->prog->task_names[h->task], flags,
			(unsigned long long)h->len, h->nr_held);
		if (h->nr_held)
			fprintf(out, "%#-12lx %s\n", page_to_pfn(h->pages[0]),
				zone_name(z));
		else
			fprintf(out, "%-12s %s\n", "-", "-");
	}
}

struct map_line {
	struct seg seg;
	int var;
};

static int map_line_cmp(const void *a, const void *b)
{
	const struct map_line *x = a, *y = b;

	return x->seg.start < y->seg.start ? -1 : x->seg.start > y->seg.start;
}

static void map_path(struct backend *be, int var, char *buf, size_t len)
{
	static const char *const fs[] = { "ext4", "tmpfs", "dax", "hugetlbfs",
					  "memfd" };
	const struct var_state *v = &M(be)->vars[var];
	const struct program *prog = be->prog;
	int fsk = 0;

	for (int i = 0; i < prog->nr_stmts; i++)
		if (prog->stmts[i].kind == ST_FILE &&
		    prog->stmts[i].file.file == v->file)
			fsk = prog->stmts[i].file.fs;
	switch (v->source) {
	case SRC_FILE:
		if (fsk == SCN_FS_MEMFD)
			snprintf(buf, len, "/memfd:%s (deleted)",
				 prog->file_names[v->file]);
		else
			snprintf(buf, len, "/mnt/%s/%s", fs[fsk],
				 prog->file_names[v->file]);
		break;
	case SRC_MEMFD:
		snprintf(buf, len, "/memfd:%s (deleted)", prog->var_names[var]);
		break;
	case SRC_HUGETLB:
		snprintf(buf, len, "/anon_hugepage (deleted)");
		break;
	case SRC_DEVZERO:
		snprintf(buf, len, "/dev/zero");
		break;
	case SRC_IO:
		snprintf(buf, len, "[io]");
		break;
	default:
		buf[0] = 0;
	}
}

/*
 * /proc/PID/maps as far as the statements tell: the public API has no VMA
 * iterator, so these are the mappings the scenario made, with what it did
 * to them (munmap, mprotect, mremap), one line per piece; the mapping's
 * name follows as a comment.
 */
static void show_maps(struct backend *be, const struct stmt *st, FILE *out)
{
	const struct program *prog = be->prog;
	struct map_line *lines = NULL;
	int n = 0;

	for (int i = 0; i < prog->nr_vars; i++) {
		const struct var_state *v = &M(be)->vars[i];

		if (prog->var_task[i] != st->show.task || !v->valid)
			continue;
		lines = realloc(lines, (n + v->nr_segs) * sizeof(*lines));
		if (!lines)
			return;
		for (int j = 0; j < v->nr_segs; j++)
			lines[n++] = (struct map_line){ v->segs[j], i };
	}
	if (n)
		qsort(lines, n, sizeof(*lines), map_line_cmp);
	for (int i = 0; i < n; i++) {
		const struct var_state *v = &M(be)->vars[lines[i].var];
		const struct seg *s = &lines[i].seg;
		unsigned long off = v->source == SRC_FILE ? v->src_off : 0;
		char path[128];

		off += s->start - v->addr;
		map_path(be, lines[i].var, path, sizeof(path));
		fprintf(out, "%012lx-%012lx %c%c%c%c %08lx 00:00 0 %-28s # %s\n",
			s->start, s->end, s->prot & PROT_READ ? 'r' : '-',
			s->prot & PROT_WRITE ? 'w' : '-',
			s->prot & PROT_EXEC ? 'x' : '-', v->shared ? 's' : 'p',
			v->source == SRC_FILE || v->source == SRC_MEMFD ? off : 0,
			path, prog->var_names[lines[i].var]);
	}
	free(lines);
}

/* show map [FILE.svg], drawn after the statement before it. */
static struct result model_show_map(struct backend *be, const struct stmt *st,
				    FILE *out)
{
	const struct program *prog = be->prog;
	bool in_prog = st >= prog->stmts && st < prog->stmts + prog->nr_stmts;
	/* a statement of the file: the one before it; --map: the last */
	const struct stmt *prev = in_prog ? (st > prog->stmts ? st - 1 : NULL) :
				  prog->nr_stmts ?
				  &prog->stmts[prog->nr_stmts - 1] : NULL;
	char caption[512];
	int ret;

	if (prev)
		snprintf(caption, sizeof(caption), "%s, after line %d: %s",
			 be->prog->filename, prev->line, prev->text);
	else
		snprintf(caption, sizeof(caption), "%s, at the end",
			 be->prog->filename);
	ret = show_map(out, st->show.path, caption);
	if (ret == -EOPNOTSUPP)
		return res_errno(EOPNOTSUPP,
				 "gupsim was built without cairo: no SVG (show map without a file prints text)");
	if (ret)
		return res_errno(-ret, "show map: cannot write %s",
				 st->show.path ? st->show.path : "the map");
	return res_ok();
}

static struct result model_show(struct backend *be, const struct stmt *st)
{
	FILE *out = be->out ? be->out : stdout;

	switch (st->show.what) {
	case SHOW_MEMINFO:
		show_meminfo(be, out);
		break;
	case SHOW_VMSTAT:
		vmstat_for_each(show_vmstat_one, out);
		break;
	case SHOW_PINS:
		show_pins(be, out);
		break;
	case SHOW_MAPS:
		show_maps(be, st, out);
		break;
	case SHOW_STATUS:
		if (show_task_status(out, M(be)->tasks[st->show.task],
				     be->prog->task_names[st->show.task]))
			return res_errno(ESRCH, "task %s has no mm",
					 be->prog->task_names[st->show.task]);
		break;
	case SHOW_PAGETYPEINFO:
		show_pagetypeinfo(out);
		break;
	case SHOW_BUDDYINFO:
		show_buddyinfo(out);
		break;
	case SHOW_MAP:
		return model_show_map(be, st, out);
	case NR_SHOW_KINDS:
		break;
	}
	return res_ok();
}

/* ---- the end of a run ---- */

static int model_close(struct backend *be, char *buf, size_t len)
{
	const struct program *prog = be->prog;
	struct model *m = M(be);
	int ret = 0;
	size_t used = 0;

	buf[0] = 0;
	if (!m)
		return 0;
	if (m->tracing)
		trace_set_sink(NULL, NULL);
	if (machine_exists()) {
		if (check_invariants(buf, len)) {
			ret = -EUCLEAN;
			used = strlen(buf);
		}
		for (int i = 0; i < prog->nr_handles; i++)
			drop_handle(&m->handles[i], false);
		for (int i = 0; i < prog->nr_cmas; i++)
			if (m->cmas[i].held)
				cma_release_range(m->cmas[i].pfn, m->cmas[i].nr);
		for (int i = 0; i < prog->nr_files; i++)
			if (m->files[i])
				fput(m->files[i]);
		current = NULL;
		if (used + 2 < len) {
			char *leak = buf + used + (used ? 1 : 0);

			if (machine_destroy(leak, len - (leak - buf))) {
				if (used)
					buf[used] = '\n';
				ret = -EUCLEAN;
			} else {
				buf[used] = 0;
			}
		} else {
			machine_destroy(NULL, 0);
		}
	}
	for (int i = 0; i < prog->nr_handles; i++)
		free(m->handles[i].pages);
	for (int i = 0; i < prog->nr_vars; i++)
		free(m->vars[i].segs);
	free(m->tasks);
	free(m->vars);
	free(m->files);
	free(m->handles);
	free(m->cmas);
	free(m);
	be->priv = NULL;
	return ret;
}

/* ---- --explain ---- */

/*
 * The statement's record, one per thread: the statements of a race block
 * run at once, each explained apart.
 */
static __thread struct explain stmt_explain;

static void model_stmt_begin(struct backend *be, const struct stmt *st)
{
	struct model *m = M(be);

	if (be->why)
		explain_begin(&stmt_explain);
	if ((be->trace || be->trace_json) && !m->tracing) {
		trace_set_sink(model_trace_sink, be);
		m->tracing = true;
	}
	trace_mark("gupsim_statement_begin", "%d: %s", st->line, st->text);
}

/* The handles that hold pfn: who pins the page a migration could not move. */
static void explain_holders(struct backend *be, unsigned long pfn)
{
	static const char *const kinds[] = { "pin", "get", "driver" };
	const struct model *m = M(be);

	for (int i = 0; i < be->prog->nr_handles; i++) {
		const struct handle_state *h = &m->handles[i];
		bool holds = false;

		if (!h->live)
			continue;
		for (long j = 0; j < h->nr_held && !holds; j++)
			holds = page_to_pfn(h->pages[j]) == pfn;
		for (unsigned long j = 0; h->drv && !holds &&
					  j < h->drv->nr_pfns; j++)
			holds = h->drv->pfns[j] == pfn;
		if (holds)
			fprintf(be->why, "object\tpfn %#lx is held by %s handle %s of task %s%s\n",
				pfn, kinds[h->kind], be->prog->handle_names[i],
				be->prog->task_names[h->task],
				h->flags & PIN_LONGTERM ? " (FOLL_LONGTERM)" : "");
	}
}

static void explain_pin_line(struct backend *be, const struct explain_pin *p)
{
	if (!p->used && !p->fast)
		return;
	fprintf(be->why,
		"pin\t%ld page(s) by GUP-fast, %ld by the slow path; %ld faulted in, %ld unshared, %ld migrated\n",
		p->fast, p->slow, p->faulted, p->unshared, p->migrated);
	if (p->fallback[0])
		fprintf(be->why, "pin\tGUP-fast fell back to the slow path: %s\n",
			p->fallback);
}

static void model_stmt_end(struct backend *be, const struct stmt *st,
			   const struct result *r)
{
	struct explain *ex = &stmt_explain;
	static const char *const kinds[] = {
		[EXPLAIN_RULE] = "rule", [EXPLAIN_OBJECT] = "object",
		[EXPLAIN_NOTE] = "note", [EXPLAIN_SINCE] = "since",
		[EXPLAIN_UNTIL] = "until",
	};

	trace_mark("gupsim_statement_end", "%d: %s", st->line, st->text);
	if (!be->why)
		return;
	explain_end();
	for (int i = 0; i < ex->nr_lines; i++)
		fprintf(be->why, "%s\t%s\n", kinds[ex->line[i].kind],
			ex->line[i].text);
	if (ex->dropped)
		fprintf(be->why, "note\t%d more line(s) not kept\n",
			ex->dropped);
	if (ex->has_busy_pfn) {
		fprintf(be->why, "note\t%ld busy folio(s) in all, over every pass and range tried\n",
			ex->nr_busy);
		explain_holders(be, ex->busy_pfn);
	}
	if (st->kind == ST_PIN || st->kind == ST_DRIVER)
		explain_pin_line(be, &ex->pin);
	(void)r;
}

const struct backend_ops model_backend_ops = {
	.name = "model",
	.open = model_open,
	.close = model_close,
	.concurrent = true,
	.stmt_begin = model_stmt_begin,
	.stmt_end = model_stmt_end,
	.op = {
		[ST_MACHINE] = model_machine,
		[ST_FILE] = model_file,
		[ST_TASK] = model_task,
		[ST_MMAP] = model_mmap,
		[ST_WRITE] = model_write,
		[ST_READ] = model_read,
		[ST_MUNMAP] = model_munmap,
		[ST_MPROTECT] = model_mprotect,
		[ST_MADVISE] = model_madvise,
		[ST_MREMAP] = model_mremap,
		[ST_FORK] = model_fork,
		[ST_EXIT] = model_exit,
		[ST_PIN] = model_pin,
		[ST_UNPIN] = model_unpin,
		[ST_DRIVER] = model_driver,
		[ST_RELEASE] = model_release,
		[ST_DEV_WRITE] = model_dev_write,
		[ST_DEV_READ] = model_dev_read,
		[ST_CMA_ALLOC] = model_cma_alloc,
		[ST_CMA_FREE] = model_cma_free,
		[ST_WHERE] = model_where,
		[ST_CHECK] = model_check,
		[ST_STAT] = model_stat,
		[ST_SHOW] = model_show,
		[ST_MLOCK] = model_mlock,
		[ST_MUNLOCK] = model_munlock,
		[ST_FALLOCATE] = model_fallocate,
	},
};
