// SPDX-License-Identifier: GPL-2.0
/*
 * The host backend: runs a scenario on the machine's own kernel, so the
 * model can be held to what Linux really does.
 *
 * This process is the controller. Each scenario task is a real process,
 * a worker (host_worker.c), reached over a socketpair; the controller
 * keeps the tables (mapping addresses, files, handles) and the workers do
 * the system calls, loads and stores on their own address spaces. Pins
 * are io_uring fixed buffers: the worker creates a ring and registers the
 * range (FOLL_WRITE | FOLL_LONGTERM), then hands the ring to the
 * controller, which does the device accesses with READ_FIXED/WRITE_FIXED
 * through a scratch memfd, so a pin outlives its task as it would in the
 * kernel. A janitor process (host_janitor.c) removes the temporary files
 * and restores the hugetlb pool whatever way the run ends.
 *
 * What the host cannot do answers `skip` with the reason: other pin flag
 * sets than `write longterm [fast]`, other drivers than io_uring, dax and
 * io mappings, `where`, `cma_alloc`, `stat`, `check`, and whatever needs
 * something the machine lacks (io_uring, huge pages, a disk filesystem).
 * A statement on a mapping or handle whose creation was skipped is
 * skipped too. A race block runs at once, one controller thread per
 * statement, when its statements are of distinct tasks and only use the
 * shared tables read-only (host_race); any other block is skipped.
 *
 * It must never run in a process where the model has run: liburcu's
 * call_rcu thread makes fork() unsafe there (see `gupsim diff`).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "backend.h"
#include "host.h"

#define HPAGE_SIZE	(2UL << 20)
#define GIGANTIC_SIZE	(1UL << 30)
#ifndef MFD_HUGE_1GB
#define MFD_HUGE_1GB	(30U << 26)	/* log2 of the size, MFD_HUGE_SHIFT */
#endif
#define DEV_CHUNK	(1U << 20)
#define REAP_WAIT_MS	5000

struct htask {
	pid_t pid;
	int pidfd;		/* names this very process, never a reused pid */
	int sock;		/* -1: no worker (exited, died, never made) */
	bool memlock_short;	/* RLIMIT_MEMLOCK is lower than asked */
	bool cap_ipc_lock;
	bool unprivileged;	/* not root: no user of its own, no caps */
	char why[160];
	/* made by a statement the host skipped (a race block's fork) */
	const char *skipped;
};

struct hvar {
	bool valid;		/* mapped at some point */
	uint64_t addr;
	uint64_t size;
	bool skipped;
	char why[160];
};

struct hfile {
	int fd;
	enum scn_fs fs;
	bool skipped;
	char why[160];
};

struct hhandle {
	bool skipped;
	bool has_ring;
	struct host_ring ring;
	uint64_t buf_addr;	/* what was registered starts here */
	uint64_t first_off;	/* the range's start inside it */
	uint64_t held;		/* bytes the device may touch */
	char why[160];
};

struct host {
	struct htask *tasks;
	struct hvar *vars;
	struct hfile *files;
	struct hhandle *handles;
	struct host_janitor janitor;
	char ext4_dir[64], shm_dir[64];
	bool ext4_ok, shm_ok;
	char ext4_why[160];
	int uring_err;
	char uring_why[160];
	bool uses_hugetlb;
	long huge_want, huge_got;
	int huge_err;
	char huge_why[160];
	/* 1 GiB pages: used from the host's pool, never raised here */
	long huge1g_want;
	char huge1g_why[160];
	int scratch;
	const char *diverged;	/* why memory differs from the model's */
	/*
	 * Pins and registrations the model may hold but the host skipped
	 * (never unpinned on the host): while there are any, what depends
	 * on a page's extra references (MADV_COLLAPSE) cannot be compared.
	 */
	int skipped_held;
};

static struct host *H(struct backend *be)
{
	return be->priv;
}

static struct result res_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static struct result res_skip(const char *fmt, ...)
{
	struct result r = { .kind = RES_SKIP };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.msg, sizeof(r.msg), fmt, ap);
	va_end(ap);
	return r;
}

/* A reason, cut to fit. */
static void set_why(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

/* ---- setting up ---- */

static bool program_uses_hugetlb(const struct program *prog)
{
	for (int i = 0; i < prog->nr_stmts; i++) {
		const struct stmt *st = &prog->stmts[i];

		if ((st->kind == ST_MACHINE && st->machine.hugetlb) ||
		    (st->kind == ST_MMAP && st->mmap.source == SRC_HUGETLB) ||
		    (st->kind == ST_FILE && st->file.fs == SCN_FS_HUGETLBFS))
			return true;
	}
	return false;
}

/* A directory for files of one kind, on a filesystem of that kind. */
static bool make_dir(char *dir, size_t size, const char *base,
		     const long *magic, int nr_magic, char *why, size_t len)
{
	struct statfs sf;

	const char *tag = getenv("GUPSIM_HOST_TAG");

	/* a tag lets a test find exactly the directories of its own run */
	snprintf(dir, size, "%s/gupsim-host.%.16s%sXXXXXX", base,
		 tag ? tag : "", tag ? "." : "");
	if (!mkdtemp(dir)) {
		snprintf(why, len, "cannot create a directory in %s: %s", base,
			 strerror(errno));
		dir[0] = 0;
		return false;
	}
	if (statfs(dir, &sf)) {
		snprintf(why, len, "statfs %s: %s", dir, strerror(errno));
		return false;
	}
	for (int i = 0; i < nr_magic; i++)
		if ((long)sf.f_type == magic[i])
			return true;
	snprintf(why, len, "%s is on a filesystem of type %#lx, not the kind needed",
		 base, (long)sf.f_type);
	return false;
}

static int host_open(struct backend *be, char *buf, size_t len)
{
	/* disk filesystems with writeback: GUP treats them all alike */
	static const long disk[] = { EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC,
				     BTRFS_SUPER_MAGIC };
	static const long shm[] = { TMPFS_MAGIC };
	const struct program *prog = be->prog;
	struct host *h = calloc(1, sizeof(*h));
	const char *dirs[2];
	char why[160];
	int nr = 0;

	be->priv = h;
	if (!h)
		goto nomem;
	h->scratch = -1;
	h->tasks = calloc(prog->nr_tasks + 1, sizeof(*h->tasks));
	h->vars = calloc(prog->nr_vars + 1, sizeof(*h->vars));
	h->files = calloc(prog->nr_files + 1, sizeof(*h->files));
	h->handles = calloc(prog->nr_handles + 1, sizeof(*h->handles));
	if (!h->tasks || !h->vars || !h->files || !h->handles)
		goto nomem;
	for (int i = 0; i < prog->nr_tasks; i++)
		h->tasks[i].sock = h->tasks[i].pidfd = -1;
	for (int i = 0; i < prog->nr_files; i++)
		h->files[i].fd = -1;
	/* orphaned workers (their parent task exited) come back to us */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* the root filesystem: /var/tmp lives on it on a usual install */
	h->ext4_ok = make_dir(h->ext4_dir, sizeof(h->ext4_dir), "/var/tmp",
			      disk, 3, h->ext4_why, sizeof(h->ext4_why));
	h->shm_ok = make_dir(h->shm_dir, sizeof(h->shm_dir), "/dev/shm", shm,
			     1, why, sizeof(why));
	if (h->ext4_dir[0])
		dirs[nr++] = h->ext4_dir;
	if (h->shm_dir[0])
		dirs[nr++] = h->shm_dir;
	if (host_janitor_start(&h->janitor, dirs, nr, buf, len))
		return -EAGAIN;
	h->uring_err = host_uring_probe(h->uring_why, sizeof(h->uring_why));
	h->uses_hugetlb = program_uses_hugetlb(prog);
	h->scratch = memfd_create("gupsim-dev", MFD_CLOEXEC);
	if (h->scratch < 0) {
		snprintf(buf, len, "memfd_create: %s", strerror(errno));
		return -errno;
	}
	return 0;
nomem:
	snprintf(buf, len, "out of memory");
	return -ENOMEM;
}

/* ---- talking to workers ---- */

static int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/*
 * Waits until the worker has exited (a pidfd polls readable then, child
 * of ours or not), killing it at the deadline; reaps it if it is ours.
 */
static void task_wait(struct htask *t, int ms)
{
	struct pollfd pfd = { .fd = t->pidfd, .events = POLLIN };

	if (t->pidfd < 0)
		return;
	if (poll(&pfd, 1, ms) <= 0) {
		syscall(SYS_pidfd_send_signal, t->pidfd, SIGKILL, NULL, 0);
		poll(&pfd, 1, 1000);
	}
	waitpid(t->pid, NULL, WNOHANG);
	close(t->pidfd);
	t->pidfd = -1;
}

static void task_gone(struct htask *t)
{
	if (t->sock >= 0)
		close(t->sock);
	t->sock = -1;
}

/*
 * One request, one answer, within the timeout. A worker that does not
 * answer is killed: the run goes on without that task.
 */
static struct result call(struct backend *be, int task, struct host_req *rq,
			  int send_fd, struct host_rep *rep, int *recv_fd)
{
	struct htask *t = task >= 0 ? &H(be)->tasks[task] : NULL;
	struct result r = { .kind = RES_OK };
	ssize_t n;

	memset(rep, 0, sizeof(*rep));
	if (recv_fd)
		*recv_fd = -1;
	if (t && t->skipped)
		return res_skip("task %s was not made on the host: %s",
				be->prog->task_names[task], t->skipped);
	if (!t || t->sock < 0)
		return res_errno(ESRCH, "task %s does not exist",
				 task >= 0 ? be->prog->task_names[task] : "?");
	if (host_send(t->sock, rq, sizeof(*rq), send_fd)) {
		task_gone(t);
		return res_errno(ESRCH, "the worker of %s is gone",
				 be->prog->task_names[task]);
	}
	n = host_recv(t->sock, rep, sizeof(*rep), recv_fd, HOST_REPLY_TIMEOUT_MS);
	if (n != sizeof(*rep)) {
		task_gone(t);
		task_wait(t, 0);
		return res_errno(n == -ETIMEDOUT ? ETIMEDOUT : EIO,
				 "the worker of %s %s", be->prog->task_names[task],
				 n == -ETIMEDOUT ? "did not answer in time" :
				 "died");
	}
	r.kind = rep->kind;
	r.value = rep->value;
	r.has_count = rep->has_count;
	r.count = rep->count;
	snprintf(r.msg, sizeof(r.msg), "%s", rep->msg);
	return r;
}

static struct result simple(struct backend *be, const struct stmt *st,
			    struct host_req *rq)
{
	struct host_rep rep;

	return call(be, st->task, rq, -1, &rep, NULL);
}

/* ---- machine, files, tasks ---- */

/*
 * 1 GiB pages come only from what the host's pool has free: raising it
 * would take a gigabyte of the machine from everyone else (and from
 * other runs, which share the pool). Empty: enough of them.
 */
static void host_check_1g_pool(struct host *h, long want)
{
	const char *path =
		"/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages";
	long free = -1;
	FILE *f = fopen(path, "r");

	h->huge1g_want = want;
	if (f) {
		if (fscanf(f, "%ld", &free) != 1)
			free = -1;
		fclose(f);
	}
	if (free < 0)
		snprintf(h->huge1g_why, sizeof(h->huge1g_why),
			 "the host has no 1 GiB huge pages");
	else if (free < want)
		snprintf(h->huge1g_why, sizeof(h->huge1g_why),
			 "the host has %ld free 1 GiB huge pages, %ld wanted (the host backend does not raise that pool)",
			 free, want);
}

static struct result host_machine(struct backend *be, const struct stmt *st)
{
	struct host *h = H(be);
	struct result r = res_ok();

	host_check_1g_pool(h, (long)st->machine.hugetlb_1g);
	if (!h->uses_hugetlb)
		return r;
	/* the lock is taken even for 0 pages: the pool is not ours alone */
	h->huge_want = (long)st->machine.hugetlb;
	h->huge_err = host_janitor_hugetlb(&h->janitor, h->huge_want,
					   &h->huge_got, h->huge_why,
					   sizeof(h->huge_why));
	if (h->huge_err && !h->huge_why[0])
		set_why(h->huge_why, sizeof(h->huge_why), strerror(-h->huge_err));
	snprintf(r.msg, sizeof(r.msg), "hugetlb pool: %ld of %ld pages added%s%s",
		 h->huge_got, h->huge_want, h->huge_why[0] ? ": " : "",
		 h->huge_why);
	return r;
}

static struct result host_file(struct backend *be, const struct stmt *st)
{
	const struct file_args *a = &st->file;
	struct hfile *f = &H(be)->files[a->file];
	struct host *h = H(be);
	uint64_t size = a->size;
	char path[PATH_MAX];

	f->fs = a->fs;
	switch (a->fs) {
	case SCN_FS_DAX:
		f->skipped = true;
		snprintf(f->why, sizeof(f->why), "no fs-DAX filesystem on the host");
		return res_skip("%s", f->why);
	case SCN_FS_HUGETLBFS:
		if (a->pagesize == GIGANTIC_SIZE) {
			if (h->huge1g_why[0] || !h->huge1g_want) {
				f->skipped = true;
				set_why(f->why, sizeof(f->why), h->huge1g_why[0] ?
					h->huge1g_why : "no 1 GiB pool wanted");
				return res_skip("%s", f->why);
			}
			f->fd = memfd_create(a->name, MFD_CLOEXEC |
					     MFD_HUGETLB | MFD_HUGE_1GB);
			size = (size + GIGANTIC_SIZE - 1) &
			       ~(GIGANTIC_SIZE - 1);
			break;
		}
		if (h->huge_err || h->huge_got < h->huge_want) {
			f->skipped = true;
			set_why(f->why, sizeof(f->why), h->huge_why[0] ?
				h->huge_why : "no hugetlb pool");
			return res_skip("%s", f->why);
		}
		f->fd = memfd_create(a->name, MFD_CLOEXEC | MFD_HUGETLB);
		size = (size + HPAGE_SIZE - 1) & ~(HPAGE_SIZE - 1);
		break;
	case SCN_FS_MEMFD:
		f->fd = memfd_create(a->name, MFD_CLOEXEC);
		break;
	case SCN_FS_EXT4:
	case SCN_FS_TMPFS:
		if (a->fs == SCN_FS_EXT4 ? !h->ext4_ok : !h->shm_ok) {
			f->skipped = true;
			set_why(f->why, sizeof(f->why), a->fs == SCN_FS_EXT4 ? h->ext4_why :
				 "/dev/shm is not a tmpfs");
			return res_skip("%s", f->why);
		}
		snprintf(path, sizeof(path), "%s/%s",
			 a->fs == SCN_FS_EXT4 ? h->ext4_dir : h->shm_dir,
			 a->name);
		f->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		break;
	}
	if (f->fd < 0 || ftruncate(f->fd, (off_t)size)) {
		int err = errno;

		f->skipped = true;
		snprintf(f->why, sizeof(f->why), "cannot create the file: %s",
			 strerror(err));
		return res_skip("%s", f->why);
	}
	return res_ok();
}

static void __attribute__((noreturn)) worker_start(int sock)
{
	/* only the socket stays open; the controller's ends would keep
	 * other workers from seeing EOF when the controller dies */
	if (dup2(sock, 3) < 0)
		_exit(1);
	close_range(4, ~0U, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	host_worker_main(3);
}

/* fallocate(2), mode 0, on the controller's descriptor of the file */
static struct result host_fallocate(struct backend *be, const struct stmt *st)
{
	const struct fallocate_args *a = &st->fallocate;
	const struct hfile *f = &H(be)->files[a->file];

	if (f->skipped)
		return res_skip("%s", f->why);
	if (fallocate(f->fd, 0, (off_t)a->off, (off_t)a->len))
		return res_errno(errno, "fallocate: %s", strerror(errno));
	return res_ok();
}

static struct result host_task(struct backend *be, const struct stmt *st)
{
	struct htask *t = &H(be)->tasks[st->task];
	struct host_req rq = { .op = HOP_SETUP, .memlock = st->task_new.memlock,
			       .cap_ipc_lock = st->task_new.cap_ipc_lock };
	struct host_rep rep;
	struct result r;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return res_errno(errno, "socketpair");
	fflush(NULL);
	t->pid = fork();
	if (t->pid < 0) {
		close(sv[0]);
		close(sv[1]);
		return res_errno(errno, "fork");
	}
	if (!t->pid)
		worker_start(sv[1]);
	close(sv[1]);
	t->sock = sv[0];
	t->pidfd = pidfd_of(t->pid);
	r = call(be, st->task, &rq, -1, &rep, NULL);
	t->cap_ipc_lock = st->task_new.cap_ipc_lock;
	if (r.kind == RES_OK && rep.value) {
		t->memlock_short = rep.value & HOST_SETUP_MEMLOCK_SHORT;
		t->unprivileged = rep.value & HOST_SETUP_UNPRIVILEGED;
		set_why(t->why, sizeof(t->why), rep.msg);
		r.value = 0;
	}
	return r;
}

/* ---- mappings ---- */

static uint64_t range_addr(struct backend *be, const struct range *rg)
{
	const struct hvar *v = &H(be)->vars[rg->var];

	return v->valid ? v->addr + rg->off : rg->off;
}

/* Skipped when its mapping's creation was. */
static bool var_skipped(struct backend *be, int var, struct result *r)
{
	const struct hvar *v = var >= 0 ? &H(be)->vars[var] : NULL;

	if (!v || !v->skipped)
		return false;
	*r = res_skip("%s was not mapped on the host: %s",
		      be->prog->var_names[var], v->why);
	return true;
}

static struct result skip_var(struct hvar *v, const char *why)
{
	v->skipped = true;
	set_why(v->why, sizeof(v->why), why);
	return res_skip("%s", why);
}

static struct result host_mmap(struct backend *be, const struct stmt *st)
{
	const struct mmap_args *a = &st->mmap;
	struct host *h = H(be);
	struct hvar *v = &h->vars[a->var];
	struct host_req rq = { .op = HOP_MMAP, .len = a->size,
			       .off = a->src_off, .prot = a->prot,
			       .shared = a->shared, .populate = a->populate,
			       .thp = a->thp_advise };
	struct host_rep rep;
	struct result r;
	int fd = -1;

	v->size = a->size;
	switch (a->source) {
	case SRC_ANON:
		rq.source = HSRC_ANON;
		break;
	case SRC_MEMFD:
		rq.source = HSRC_MEMFD;
		break;
	case SRC_HUGETLB:
		rq.source = HSRC_HUGETLB;
		if (a->pagesize != GIGANTIC_SIZE)
			break;
		if (h->huge1g_why[0] || !h->huge1g_want)
			return skip_var(v, h->huge1g_why[0] ? h->huge1g_why :
					"no 1 GiB pool wanted");
		rq.huge_shift = 30;
		break;
	case SRC_IO:
		return skip_var(v, "no VM_IO|VM_PFNMAP device to map on the host");
	case SRC_DEVZERO:
		rq.source = HSRC_FD;
		fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return skip_var(v, "cannot open /dev/zero");
		break;
	case SRC_FILE:
		if (h->files[a->file].skipped)
			return skip_var(v, h->files[a->file].why);
		rq.source = HSRC_FD;
		fd = h->files[a->file].fd;
		break;
	}
	r = call(be, st->task, &rq, fd, &rep, NULL);
	if (a->source == SRC_DEVZERO)
		close(fd);
	if (r.kind == RES_ERRNO && r.value == ENOMEM &&
	    a->source == SRC_HUGETLB &&
	    (h->huge_err || h->huge_got < h->huge_want))
		return skip_var(v, h->huge_why[0] ? h->huge_why :
				"the hugetlb pool could not be filled");
	if (r.kind == RES_OK || rep.addr) {
		v->valid = true;
		v->addr = rep.addr;
	}
	return r;
}

/* A request on a range of st's task: rq with the range's address filled. */
static struct result range_op(struct backend *be, const struct stmt *st,
			      struct host_req rq, const struct range *rg)
{
	struct result r;

	if (var_skipped(be, rg->var, &r))
		return r;
	rq.addr = range_addr(be, rg);
	rq.len = rg->len;
	return simple(be, st, &rq);
}

static struct result host_write(struct backend *be, const struct stmt *st)
{
	struct host_req rq = { .op = HOP_WRITE, .byte = st->write.byte };

	return range_op(be, st, rq, &st->write.range);
}

static bool contents_unknown(struct backend *be, struct result *r);

static struct result host_read(struct backend *be, const struct stmt *st)
{
	struct result r;

	if (contents_unknown(be, &r))
		return r;
	return range_op(be, st, (struct host_req){ .op = HOP_READ },
			&st->read.range);
}

static struct result host_munmap(struct backend *be, const struct stmt *st)
{
	return range_op(be, st, (struct host_req){ .op = HOP_MUNMAP },
			&st->munmap.range);
}

static struct result host_mprotect(struct backend *be, const struct stmt *st)
{
	struct host_req rq = { .op = HOP_MPROTECT, .prot = st->mprotect.prot };

	return range_op(be, st, rq, &st->mprotect.range);
}

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE	25	/* Linux 6.1; glibc 2.36's headers lack it */
#endif

static struct result host_madvise(struct backend *be, const struct stmt *st)
{
	struct host_req rq = { .op = HOP_MADVISE,
			       .advice = st->madvise.advice };

	/* collapse refuses pages with extra references: the model's pins */
	if (st->madvise.advice == MADV_COLLAPSE && H(be)->skipped_held)
		return res_skip("a pin the model may hold was skipped on the "
				"host: collapse would see other references");

	return range_op(be, st, rq, &st->madvise.range);
}

/*
 * mlock(2)/munlock(2) in the task's worker, with its RLIMIT_MEMLOCK and
 * CAP_IPC_LOCK; a limit the host capped (no CAP_SYS_RESOURCE) would
 * answer differently, so mlock is skipped then.
 */
static struct result host_mlock(struct backend *be, const struct stmt *st)
{
	const struct htask *t = &H(be)->tasks[st->task];

	/* not root, cap_ipc_lock cannot be given: the limit would decide */
	if ((t->memlock_short && !t->cap_ipc_lock) ||
	    (t->unprivileged && t->cap_ipc_lock))
		return res_skip("%s", t->why);
	return range_op(be, st, (struct host_req){ .op = HOP_MLOCK },
			&st->mlock.range);
}

static struct result host_munlock(struct backend *be, const struct stmt *st)
{
	return range_op(be, st, (struct host_req){ .op = HOP_MUNLOCK },
			&st->munlock.range);
}

/* TASK mremap RANGE NEW ...: the real mremap(2); NEW is what it returns */
static struct result host_mremap_range(struct backend *be,
				       const struct stmt *st)
{
	const struct mremap_args *a = &st->mremap;
	struct host *h = H(be);
	struct host_req rq = { .op = HOP_MREMAP_RANGE,
			       .addr = h->vars[a->var].addr + a->range.off,
			       .len = a->range.len, .new_len = a->new_len,
			       .flags = a->flags };
	struct host_rep rep;
	struct result r;

	if (var_skipped(be, a->var, &r) ||
	    (a->fixed_var >= 0 && var_skipped(be, a->fixed_var, &r)))
		return skip_var(&h->vars[a->new_var], r.msg);
	if (a->fixed_var >= 0) {
		rq.new_addr = h->vars[a->fixed_var].addr + a->fixed_off;
	}
	r = call(be, st->task, &rq, -1, &rep, NULL);
	if (r.kind == RES_OK)
		h->vars[a->new_var] = (struct hvar){ .valid = true,
			.addr = rep.addr, .size = a->new_len };
	return r;
}

static struct result host_mremap(struct backend *be, const struct stmt *st)
{
	int var = st->mremap.var;
	struct hvar *v = &H(be)->vars[var];
	struct host_req rq = { .op = HOP_MREMAP, .addr = v->addr,
			       .len = (v->size + 4095) & ~4095ULL };
	struct host_rep rep;
	struct result r;

	if (var_skipped(be, var, &r))
		return r;
	if (!v->valid)
		return res_errno(EFAULT, "mapping %s was never mapped",
				 be->prog->var_names[var]);
	if (st->mremap.partial)
		return host_mremap_range(be, st);
	r = call(be, st->task, &rq, -1, &rep, NULL);
	if (r.kind == RES_OK)
		v->addr = rep.addr;
	return r;
}

static struct result host_fork(struct backend *be, const struct stmt *st)
{
	struct host *h = H(be);
	const struct fork_args *a = &st->fork;
	struct htask *child = &h->tasks[a->child];
	struct host_req rq = { .op = HOP_FORK };
	struct host_rep rep;
	struct result r;
	int sv[2];

	for (int i = 0; i < a->nr_pairs; i++)
		h->vars[a->pairs[i].child] = h->vars[a->pairs[i].parent];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return res_errno(errno, "socketpair");
	r = call(be, st->task, &rq, sv[1], &rep, NULL);
	close(sv[1]);
	if (r.kind != RES_OK) {
		close(sv[0]);
		return r;
	}
	child->pid = rep.pid;
	child->sock = sv[0];
	child->memlock_short = h->tasks[st->task].memlock_short;
	child->cap_ipc_lock = h->tasks[st->task].cap_ipc_lock;
	child->unprivileged = h->tasks[st->task].unprivileged;
	memcpy(child->why, h->tasks[st->task].why, sizeof(child->why));
	/* it waits for its first request: it cannot be gone yet */
	child->pidfd = pidfd_of(rep.pid);
	return r;
}

static struct result host_exit(struct backend *be, const struct stmt *st)
{
	struct htask *t = &H(be)->tasks[st->task];
	struct host_req rq = { .op = HOP_EXIT };
	struct result r = simple(be, st, &rq);

	if (r.kind == RES_OK) {
		task_gone(t);
		task_wait(t, 2000);
	}
	return r;
}

/* ---- pins: io_uring fixed buffers ---- */

static bool handle_skipped(struct backend *be, int handle, struct result *r)
{
	const struct hhandle *hd = &H(be)->handles[handle];

	if (!hd->skipped)
		return false;
	*r = res_skip("handle %s was not created on the host: %s",
		      be->prog->handle_names[handle], hd->why);
	return true;
}

static struct result skip_handle(struct backend *be, struct hhandle *hd,
				 const char *why)
{
	hd->skipped = true;
	H(be)->skipped_held++;
	set_why(hd->why, sizeof(hd->why), why);
	return res_skip("%s", why);
}

/*
 * Copies fd `wfd` out of the task's worker (pidfd_getfd: an io_uring file
 * cannot go over a socket), then has the worker close its own.
 */
static int take_fd(struct backend *be, int task, int wfd)
{
	struct htask *t = &H(be)->tasks[task];
	struct host_req rq = { .op = HOP_CLOSE, .byte = wfd };
	struct host_rep rep;
	int fd = (int)syscall(SYS_pidfd_getfd, t->pidfd, wfd, 0);
	int err = errno;

	call(be, task, &rq, -1, &rep, NULL);
	return fd < 0 ? -err : fd;
}

/*
 * What a statement of a race block would make in the tables every thread
 * of the controller shares (tasks, mappings, handles, files): NULL when
 * it makes nothing there.
 */
static const char *race_makes(enum stmt_kind kind)
{
	switch (kind) {
	case ST_FORK:
	case ST_TASK:
		return "a task";
	case ST_MMAP:
	case ST_MREMAP:
		return "a mapping";
	case ST_PIN:
	case ST_DRIVER:
		return "a handle";
	case ST_FILE:
		return "a file";
	default:
		return NULL;
	}
}

/*
 * Whether the host runs a block's statements as threads of the controller,
 * each talking to its task's worker (a process of its own, over its own
 * socket), so that the kernel sees them at once. It can when every
 * statement is one of the kinds below, of a distinct task: those only read
 * the shared tables (the mapping's address and skip state, `diverged`,
 * `skipped_held`) and write nothing but their own task's socket, and no
 * thread writes what another reads. NULL: it can; else why not, in why.
 */
static const char *race_unsafe(const struct program *prog,
			       const struct stmt *sts, int n,
			       char *why, size_t size)
{
	for (int i = 0; i < n; i++) {
		const struct stmt *s = &sts[i];
		const char *makes = race_makes(s->kind);

		switch (s->kind) {
		case ST_READ: case ST_WRITE: case ST_MADVISE: case ST_MPROTECT:
		case ST_MUNMAP: case ST_MLOCK: case ST_MUNLOCK:
			break;
		default:
			if (makes)
				snprintf(why, size, "'%s' (line %d) makes %s "
					 "in the tables the host's threads share",
					 stmt_kind_name(s->kind), s->line, makes);
			else
				snprintf(why, size, "the host does not run "
					 "'%s' (line %d) at once with others",
					 stmt_kind_name(s->kind), s->line);
			return why;
		}
		for (int j = 0; j < i; j++) {
			if (sts[j].task != s->task)
				continue;
			snprintf(why, size, "the host worker runs one request "
				 "at a time per task (%s on lines %d and %d)",
				 prog->task_names[s->task], sts[j].line,
				 s->line);
			return why;
		}
	}
	return NULL;
}

/*
 * A race block: OK when the host can run it at once (race_unsafe), and the
 * interpreter then runs each statement's operation in a thread of its own.
 * Otherwise every statement is skipped, and what they would have made is
 * skipped in turn; memory may differ from the model's from here on.
 */
static struct result host_race(struct backend *be, const struct stmt *st)
{
	static const char skipped[] = "it was in a race block the host skipped";
	struct host *h = H(be);
	char why[sizeof(((struct result *)0)->msg)];

	if (!race_unsafe(be->prog, st + 1, st->race.nr, why, sizeof(why)))
		return res_ok();
	for (int i = 1; i <= st->race.nr; i++) {
		const struct stmt *s = &st[i];

		if (s->kind == ST_FORK)
			h->tasks[s->fork.child].skipped = skipped;
		else if (s->kind == ST_MMAP)
			skip_var(&h->vars[s->mmap.var], skipped);
		else if (s->kind == ST_MREMAP && s->mremap.partial)
			skip_var(&h->vars[s->mremap.new_var], skipped);
		else if (s->kind == ST_PIN)
			skip_handle(be, &h->handles[s->pin.handle], skipped);
		else if (s->kind == ST_DRIVER)
			skip_handle(be, &h->handles[s->driver.handle], skipped);
	}
	h->diverged = "a race block was skipped";
	return res_skip("%s", why);
}

/*
 * Registers [start, start + len) in the task's worker and takes the
 * ring; pin: a `pin` statement (page-aligned, no accounting, partial
 * pins counted) rather than a driver.
 */
static struct result do_register(struct backend *be, const struct stmt *st,
				 int handle, int var, uint64_t start,
				 uint64_t len, bool pin)
{
	struct host *h = H(be);
	struct hhandle *hd = &h->handles[handle];
	struct host_req rq = { .op = HOP_REGISTER, .addr = start, .len = len,
			       .pin = pin };
	struct host_rep rep;
	struct result r;
	int fd, ret;

	if (var_skipped(be, var, &r))
		return skip_handle(be, hd, r.msg);
	if (h->uring_err)
		return skip_handle(be, hd, h->uring_why);
	if (len > HOST_MAX_BUF)
		return skip_handle(be, hd, "io_uring registers at most 1G at once");
	r = call(be, st->task, &rq, -1, &rep, NULL);
	if (r.kind != RES_OK && r.kind != RES_COUNT)
		return r;
	fd = take_fd(be, st->task, rep.fd);
	if (fd < 0)
		return res_errno(-fd, "cannot take the ring from the worker");
	ret = host_ring_map(&hd->ring, fd, &rep.params);
	if (ret) {
		host_ring_unregister(fd);
		close(fd);
		return res_errno(-ret, "cannot map the ring");
	}
	hd->has_ring = true;
	hd->buf_addr = start;
	hd->held = r.kind == RES_OK ? len : (uint64_t)r.value * 4096;
	return r;
}

static struct result host_pin(struct backend *be, const struct stmt *st)
{
	const struct pin_args *a = &st->pin;
	struct hhandle *hd = &H(be)->handles[a->handle];
	uint64_t addr = range_addr(be, &a->range), first = addr & ~4095ULL;
	uint64_t end = (addr + a->range.len + 4095) & ~4095ULL;

	if ((a->flags & ~PIN_FAST) != (PIN_WRITE | PIN_LONGTERM))
		return skip_handle(be, hd, "the host pins only as io_uring does: write longterm [fast]");
	if (a->mm >= 0)
		return skip_handle(be, hd, "io_uring cannot pin another process's memory (mm=)");
	/* only a kept CAP_IPC_LOCK spares the pin io_uring's charge */
	if (H(be)->tasks[st->task].unprivileged) {
		H(be)->diverged = "an earlier write pin was skipped";
		return skip_handle(be, hd, H(be)->tasks[st->task].why);
	}
	hd->first_off = addr - first;
	return do_register(be, st, a->handle, a->range.var, first,
			   end - first, true);
}

static struct result host_driver(struct backend *be, const struct stmt *st)
{
	const struct driver_args *a = &st->driver;
	struct hhandle *hd = &H(be)->handles[a->handle];
	struct htask *t = &H(be)->tasks[st->task];

	if (a->mm >= 0)
		return skip_handle(be, hd, "mm=: pinning another process's memory through a vfio container needs an IOMMU group and a vendor driver; the host runs only the io_uring driver");
	if (strcmp(scn_driver_names[a->driver], "io_uring"))
		return skip_handle(be, hd, "the host runs only the io_uring driver");
	if (t->memlock_short && !t->cap_ipc_lock)
		return skip_handle(be, hd, t->why);
	/* one account for every task: the model's per-task charges differ */
	if (t->unprivileged) {
		H(be)->diverged = "an earlier registration was skipped";
		return skip_handle(be, hd, t->why);
	}
	hd->first_off = 0;
	return do_register(be, st, a->handle, a->range.var,
			   range_addr(be, &a->range), a->range.len, false);
}

static void drop_handle(struct hhandle *hd)
{
	if (!hd->has_ring)
		return;
	/* synchronous: the pages are unpinned before the next statement */
	host_ring_unregister(hd->ring.fd);
	host_ring_unmap(&hd->ring);
	close(hd->ring.fd);
	hd->has_ring = false;
	hd->held = 0;
}

static struct result put_handle(struct backend *be, int handle)
{
	struct result r;

	if (handle_skipped(be, handle, &r)) {
		H(be)->skipped_held--;
		return r;
	}
	drop_handle(&H(be)->handles[handle]);
	return res_ok();
}

static struct result host_unpin(struct backend *be, const struct stmt *st)
{
	return put_handle(be, st->unpin.handle);
}

static struct result host_release(struct backend *be, const struct stmt *st)
{
	return put_handle(be, st->release.handle);
}

static int fill(int fd, int byte, uint32_t n)
{
	static unsigned char buf[65536];
	uint32_t done = 0;

	memset(buf, byte, sizeof(buf));
	while (done < n) {
		uint32_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		if (pwrite(fd, buf, k, done) != (ssize_t)k)
			return -EIO;
		done += k;
	}
	return 0;
}

static int fold_file(int fd, uint32_t n, int *first, bool *mixed)
{
	static unsigned char buf[65536];
	uint32_t done = 0;

	while (done < n && !*mixed) {
		uint32_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		if (pread(fd, buf, k, done) != (ssize_t)k)
			return -EIO;
		for (uint32_t i = 0; i < k && !*mixed; i++) {
			if (*first < 0)
				*first = buf[i];
			else if (buf[i] != *first)
				*mixed = true;
		}
		done += k;
	}
	return 0;
}

/*
 * The device through the pinned pages: WRITE_FIXED copies them to the
 * scratch file (a device read), READ_FIXED fills them from it (a device
 * write). Offsets as the model's: from the start of the range, and a
 * partial pin without len= reaches what is held.
 */
static struct result dev_access(struct backend *be, const struct dev_args *a,
				bool write)
{
	struct host *h = H(be);
	struct hhandle *hd = &h->handles[a->handle];
	uint64_t pos = hd->first_off + a->off, end = pos + a->len;
	struct result r;
	bool mixed = false;
	int first = -1;

	if (handle_skipped(be, a->handle, &r))
		return r;
	if (!hd->has_ring || !hd->held)
		return res_errno(EFAULT, "handle %s holds no pages",
				 be->prog->handle_names[a->handle]);
	if (!a->len_set && end > hd->held && pos < hd->held)
		end = hd->held;
	if (end > hd->held)
		return res_errno(EFAULT, "handle %s holds only %llu bytes",
				 be->prog->handle_names[a->handle],
				 (unsigned long long)hd->held);
	while (pos < end) {
		uint32_t n = end - pos < DEV_CHUNK ? end - pos : DEV_CHUNK;
		long ret;

		if (write && fill(h->scratch, a->byte, n))
			return res_errno(EIO, "scratch file");
		ret = host_ring_rw_fixed(&hd->ring, write, h->scratch,
					 hd->buf_addr + pos, n);
		if (ret != (long)n)
			return res_errno(ret < 0 ? (int)-ret : EIO,
					 "%s_FIXED moved %ld of %u bytes",
					 write ? "READ" : "WRITE", ret, n);
		if (!write && fold_file(h->scratch, n, &first, &mixed))
			return res_errno(EIO, "scratch file");
		pos += n;
	}
	if (ftruncate(h->scratch, 0))
		return res_errno(errno, "scratch file");
	if (write)
		return res_ok();
	r = (struct result){ .kind = mixed ? RES_MIXED : RES_BYTE,
			     .value = first };
	return r;
}

/*
 * A device write the host could not do, or a write pin it could not take
 * (the pin breaks COW on a private mapping), leaves memory other than the
 * model's: from then on no read can be compared.
 */
static bool contents_unknown(struct backend *be, struct result *r)
{
	if (!H(be)->diverged)
		return false;
	*r = res_skip("%s: memory differs", H(be)->diverged);
	return true;
}

static struct result host_dev_write(struct backend *be, const struct stmt *st)
{
	struct result r = dev_access(be, &st->dev_write, true);

	if (r.kind == RES_SKIP)
		H(be)->diverged = "an earlier device write was skipped";
	return r;
}

static struct result host_dev_read(struct backend *be, const struct stmt *st)
{
	struct result r;

	if (contents_unknown(be, &r))
		return r;
	return dev_access(be, &st->dev_read, false);
}

/* ---- inspection: what /proc tells, printed, never compared ---- */

static void cat(FILE *out, const char *path)
{
	char line[512];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fputs(line, out);
	fclose(f);
}

/*
 * stat: the host's counters are machine-wide and move with everything
 * else running, so none is compared; a page's refcount cannot be read
 * from user space at all (/proc/kpagecount is the mapcount, and root's).
 */
static struct result host_stat(struct backend *be, const struct stmt *st)
{
	(void)be;
	if (st->stat.page_counter != PC_NONE)
		return res_skip("a page's %s cannot be read from user space on the host",
				st->stat.counter);
	return res_skip("the host's counters move with everything else it runs");
}

static struct result host_show(struct backend *be, const struct stmt *st)
{
	FILE *out = be->out ? be->out : stdout;
	char path[64];

	int task = st->show.task;

	switch (st->show.what) {
	case SHOW_MEMINFO:
		cat(out, "/proc/meminfo");
		break;
	case SHOW_VMSTAT:
		cat(out, "/proc/vmstat");
		break;
	case SHOW_MAPS:
	case SHOW_STATUS:
		if (H(be)->tasks[task].sock < 0)
			return res_errno(ESRCH, "task %s does not exist",
					 be->prog->task_names[task]);
		snprintf(path, sizeof(path), "/proc/%d/%s",
			 (int)H(be)->tasks[task].pid,
			 st->show.what == SHOW_MAPS ? "maps" : "status");
		cat(out, path);
		break;
	case SHOW_PAGETYPEINFO:
		cat(out, "/proc/pagetypeinfo");
		break;
	case SHOW_BUDDYINFO:
		cat(out, "/proc/buddyinfo");
		break;
	case SHOW_PINS:
		return res_skip("the host keeps no table of pins");
	case SHOW_MAP:
	case NR_SHOW_KINDS:
		return res_skip("the host has no map of its physical memory");
	}
	return res_ok();
}

/* ---- the end ---- */

static int host_close(struct backend *be, char *buf, size_t len)
{
	const struct program *prog = be->prog;
	struct host *h = H(be);
	buf[0] = 0;
	if (!h)
		return 0;
	for (int i = 0; h->handles && i < prog->nr_handles; i++)
		drop_handle(&h->handles[i]);
	/* a worker reads EOF and exits */
	for (int i = 0; h->tasks && i < prog->nr_tasks; i++)
		task_gone(&h->tasks[i]);
	for (int i = 0; h->tasks && i < prog->nr_tasks; i++)
		task_wait(&h->tasks[i], REAP_WAIT_MS);
	/* orphans we inherited as subreaper, already gone */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	for (int i = 0; h->files && i < prog->nr_files; i++)
		if (h->files[i].fd >= 0)
			close(h->files[i].fd);
	if (h->scratch >= 0)
		close(h->scratch);
	host_janitor_stop(&h->janitor);
	free(h->tasks);
	free(h->vars);
	free(h->files);
	free(h->handles);
	free(h);
	be->priv = NULL;
	return 0;
}

const struct backend_ops host_backend_ops = {
	.name = "host",
	.open = host_open,
	.close = host_close,
	.op = {
		[ST_MACHINE] = host_machine,
		[ST_FILE] = host_file,
		[ST_TASK] = host_task,
		[ST_MMAP] = host_mmap,
		[ST_WRITE] = host_write,
		[ST_READ] = host_read,
		[ST_MUNMAP] = host_munmap,
		[ST_MPROTECT] = host_mprotect,
		[ST_MADVISE] = host_madvise,
		[ST_MREMAP] = host_mremap,
		[ST_FORK] = host_fork,
		[ST_EXIT] = host_exit,
		[ST_RACE] = host_race,
		[ST_PIN] = host_pin,
		[ST_UNPIN] = host_unpin,
		[ST_DRIVER] = host_driver,
		[ST_RELEASE] = host_release,
		[ST_DEV_WRITE] = host_dev_write,
		[ST_DEV_READ] = host_dev_read,
		[ST_STAT] = host_stat,
		[ST_SHOW] = host_show,
		[ST_MLOCK] = host_mlock,
		[ST_MUNLOCK] = host_munlock,
		[ST_FALLOCATE] = host_fallocate,
	},
};
