// SPDX-License-Identifier: GPL-2.0
/*
 * A host backend worker: the real process behind one scenario task. It
 * waits on its socket for one request at a time from the controller,
 * performs it on its own address space with real system calls and real
 * loads and stores, and answers. A load or store that faults takes a real
 * SIGSEGV or SIGBUS, which the handler turns into the statement's result;
 * nothing is probed from outside.
 *
 * `fork` is a real fork(): the child takes the socket the controller sent
 * along and serves the new task from then on. `exit` is a real _exit().
 * When the controller goes away, the socket reads EOF and the worker
 * exits: nothing is left running.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include "host.h"
#include "../scenario/program.h"

int host_send(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

ssize_t host_recv(int sock, void *buf, size_t len, int *fd, int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf) };
	struct pollfd pfd = { .fd = sock, .events = POLLIN };
	struct cmsghdr *c;
	ssize_t n;
	int ret;

	if (fd)
		*fd = -1;
	do {
		ret = poll(&pfd, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	do {
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int got;

			memcpy(&got, CMSG_DATA(c), sizeof(int));
			if (fd && *fd < 0)
				*fd = got;
			else
				close(got);
		}
	}
	return n;
}

static void set_errno(struct host_rep *rep, int err, const char *what)
{
	rep->kind = RES_ERRNO;
	rep->value = err;
	snprintf(rep->msg, sizeof(rep->msg), "%s: %s", what, strerror(err));
}

/* ---- credentials ---- */

static int set_caps(bool ipc_lock_effective)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	d[0].permitted = 1U << CAP_IPC_LOCK;
	if (ipc_lock_effective)
		d[0].effective = 1U << CAP_IPC_LOCK;
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static bool privileged;	/* we switched to nobody and kept CAP_IPC_LOCK */
static bool ipc_lock;	/* the task's cap_ipc_lock */

/*
 * RLIMIT_MEMLOCK, then the identity of an ordinary user of its own (so
 * io_uring charges a user of this task's, not root's) with CAP_IPC_LOCK kept
 * in the permitted set only: effective when the task has cap_ipc_lock,
 * and raised for a moment when a `pin` creates its ring, because
 * pin_user_pages() itself charges nothing.
 */
static void do_setup(const struct host_req *rq, struct host_rep *rep)
{
	struct rlimit rl;
	uid_t uid;

	rl.rlim_cur = rl.rlim_max = rq->memlock == UINT64_MAX ? RLIM_INFINITY :
				    (rlim_t)rq->memlock;
	ipc_lock = rq->cap_ipc_lock;
	if (setrlimit(RLIMIT_MEMLOCK, &rl)) {
		struct rlimit hard;

		/*
		 * Above the hard limit without CAP_SYS_RESOURCE: take the
		 * hard limit and say so (value 1); the controller skips
		 * what the limit decides.
		 */
		if (errno != EPERM || getrlimit(RLIMIT_MEMLOCK, &hard)) {
			set_errno(rep, errno, "setrlimit(RLIMIT_MEMLOCK)");
			return;
		}
		hard.rlim_cur = hard.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &hard);
		rep->value = HOST_SETUP_MEMLOCK_SHORT;
		snprintf(rep->msg, sizeof(rep->msg),
			 "RLIMIT_MEMLOCK capped at the hard limit, %llu bytes (no CAP_SYS_RESOURCE)",
			 (unsigned long long)hard.rlim_max);
	}
	if (geteuid() != 0) {
		rep->value |= HOST_SETUP_UNPRIVILEGED;
		snprintf(rep->msg, sizeof(rep->msg),
			 "not root: every task is charged to this user's RLIMIT_MEMLOCK, without CAP_IPC_LOCK");
		return;
	}
	uid = HOST_UID_BASE + getpid();
	if (prctl(PR_SET_KEEPCAPS, 1) || setgroups(0, NULL) ||
	    setresgid(HOST_NOGROUP, HOST_NOGROUP, HOST_NOGROUP) ||
	    setresuid(uid, uid, uid) ||
	    set_caps(ipc_lock)) {
		rep->kind = RES_ERRNO;
		rep->value = errno;
		snprintf(rep->msg, sizeof(rep->msg), "dropping privileges: %s",
			 strerror(errno));
		return;
	}
	privileged = true;
}

/* ---- user accesses ---- */

static sigjmp_buf fault_env;
static volatile sig_atomic_t in_access;

static void fault_handler(int sig)
{
	if (in_access) {
		in_access = 0;
		siglongjmp(fault_env, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* What a read found so far; static: they must survive a siglongjmp. */
static int fold_first;
static bool fold_mixed;

static void fold(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n && !fold_mixed; i++) {
		if (fold_first < 0)
			fold_first = p[i];
		else if (p[i] != fold_first)
			fold_mixed = true;
	}
}

/*
 * The worker's loads and stores may fault on purpose (that is the result
 * the scenario asks for), at any address, NULL included: byte by byte
 * through volatile pointers, so that neither a sanitizer's checks of
 * memcpy()/memset() arguments nor its shadow memory get in the way of the
 * fault the kernel delivers.
 */
#define USER_ACCESS __attribute__((no_sanitize("address", "undefined", \
						   "thread")))

static USER_ACCESS void user_store(uint64_t addr, int byte, size_t n)
{
	volatile unsigned char *p = (volatile unsigned char *)(uintptr_t)addr;

	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)byte;
}

static USER_ACCESS void user_load(unsigned char *dst, uint64_t addr,
				  size_t n)
{
	const volatile unsigned char *p =
		(const volatile unsigned char *)(uintptr_t)addr;

	for (size_t i = 0; i < n; i++)
		dst[i] = p[i];
}

/*
 * Stores or loads page by page, in address order, like the model's user
 * copy: a fault stops the access at the page that faulted.
 */
static void do_access(const struct host_req *rq, struct host_rep *rep,
		      bool write)
{
	static unsigned char chunk[4096];
	static uint64_t pos;
	int sig;

	fold_first = -1;
	fold_mixed = false;
	pos = rq->addr;
	sig = sigsetjmp(fault_env, 1);
	if (sig) {
		rep->kind = RES_SIGNAL;
		rep->value = sig;
		return;
	}
	in_access = 1;
	while (pos < rq->addr + rq->len) {
		uint64_t next = (pos | 4095) + 1, end = rq->addr + rq->len;
		size_t n = (next < end ? next : end) - pos;

		if (write) {
			user_store(pos, rq->byte, n);
		} else {
			user_load(chunk, pos, n);
			fold(chunk, n);
		}
		pos += n;
	}
	in_access = 0;
	rep->kind = write ? RES_OK : fold_mixed ? RES_MIXED : RES_BYTE;
	rep->value = write ? 0 : fold_first;
}

/* ---- address space ---- */


static void do_mmap(const struct host_req *rq, int fd, struct host_rep *rep)
{
	int flags = rq->shared ? MAP_SHARED : MAP_PRIVATE;
	void *p;

	switch (rq->source) {
	case HSRC_ANON:
		flags |= MAP_ANONYMOUS;
		break;
	case HSRC_HUGETLB:
		flags |= MAP_ANONYMOUS | MAP_HUGETLB |
			 (int)(rq->huge_shift << MAP_HUGE_SHIFT);
		break;
	case HSRC_MEMFD:
		fd = memfd_create("gupsim", MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, (off_t)rq->len)) {
			set_errno(rep, errno, "memfd");
			goto out;
		}
		break;
	case HSRC_FD:
		break;
	}
	if (rq->populate)
		flags |= MAP_POPULATE;
	p = mmap(NULL, rq->len, rq->prot, flags, fd, (off_t)rq->off);
	if (p == MAP_FAILED) {
		set_errno(rep, errno, "mmap");
		goto out;
	}
	rep->addr = (uintptr_t)p;
	if (rq->thp && madvise(p, rq->len, MADV_HUGEPAGE))
		set_errno(rep, errno, "madvise(MADV_HUGEPAGE)");
out:
	if (fd >= 0)
		close(fd);
}

/* A PROT_NONE reservation of the same size, then MREMAP_FIXED onto it. */
static void do_mremap(const struct host_req *rq, struct host_rep *rep)
{
	void *dst = mmap(NULL, rq->len, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	if (dst == MAP_FAILED) {
		set_errno(rep, errno, "no room for the new address");
		return;
	}
	p = mremap((void *)(uintptr_t)rq->addr, rq->len, rq->len,
		   MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	if (p == MAP_FAILED) {
		set_errno(rep, errno, "mremap");
		munmap(dst, rq->len);
		return;
	}
	rep->addr = (uintptr_t)p;
}

/* mremap(2) with the statement's lengths, flags and target. */
static void do_mremap_range(const struct host_req *rq, struct host_rep *rep)
{
	void *p = mremap((void *)(uintptr_t)rq->addr, rq->len, rq->new_len,
			 (int)rq->flags, (void *)(uintptr_t)rq->new_addr);

	if (p == MAP_FAILED)
		set_errno(rep, errno, "mremap");
	else
		rep->addr = (uintptr_t)p;
}

/* ---- pins ---- */

/* A ring with [addr, addr + pages) registered; fd or -errno. */
static int ring_with(uint64_t addr, uint64_t pages,
		     struct io_uring_params *p)
{
	int fd, ret;

	if (privileged && !ipc_lock && set_caps(true))
		return -errno;
	fd = host_ring_create(p);
	if (privileged && !ipc_lock)
		set_caps(false);
	if (fd < 0)
		return fd;
	ret = host_ring_register(fd, addr, pages * 4096);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * IORING_REGISTER_BUFFERS is all or nothing: a partial pin is EFAULT.
 * pin_user_pages() would have returned the pages before the one that
 * failed, so for a `pin` that gets EFAULT, find the longest prefix that
 * registers (a failed attempt pins nothing; GUP faults in the same pages
 * on the way) and keep that.
 */
static int register_prefix(uint64_t addr, uint64_t nr, long *held,
			   struct io_uring_params *p)
{
	uint64_t lo = 0, hi = nr;
	int fd, first_err = 0;

	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		fd = ring_with(addr, mid, p);
		if (fd >= 0) {
			close(fd);
			lo = mid;
		} else if (fd == -EFAULT) {
			hi = mid;
		} else {
			return fd;
		}
	}
	if (!lo) {
		fd = ring_with(addr, 1, p);
		first_err = fd;
		if (fd >= 0)	/* the first page alone is fine: nr was 1 */
			lo = 1;
		else
			return first_err;
	} else {
		fd = ring_with(addr, lo, p);
	}
	*held = (long)lo;
	return fd;
}

static int do_register(const struct host_req *rq, struct host_rep *rep)
{
	uint64_t nr = rq->len / 4096;
	struct io_uring_params *p = &rep->params;
	long held = (long)nr;
	int fd;

	if (rq->pin) {
		fd = ring_with(rq->addr, nr, p);
		if (fd == -EFAULT && nr > 1)
			fd = register_prefix(rq->addr, nr, &held, p);
	} else {
		/* a driver: the ring is accounted as the task's */
		fd = host_ring_create(p);
		if (fd >= 0) {
			int ret = host_ring_register(fd, rq->addr, rq->len);

			if (ret) {
				close(fd);
				fd = ret;
			}
		}
	}
	if (fd < 0) {
		/* the ring's own pages are charged to locked_vm at setup */
		set_errno(rep, -fd, "io_uring setup or IORING_REGISTER_BUFFERS");
		return -1;
	}
	if ((uint64_t)held == nr) {
		rep->kind = RES_OK;
		rep->has_count = true;
		rep->count = held;
	} else {
		rep->kind = RES_COUNT;
		rep->value = held;
		snprintf(rep->msg, sizeof(rep->msg), "%ld of %llu pages", held,
			 (unsigned long long)nr);
	}
	return fd;
}

/* ---- the loop ---- */

static int do_fork(int *sock, int child_sock, struct host_rep *rep)
{
	pid_t pid;

	if (child_sock < 0) {
		set_errno(rep, EBADF, "fork: no socket for the child");
		return 0;
	}
	pid = fork();
	if (pid < 0) {
		set_errno(rep, errno, "fork");
		close(child_sock);
		return 0;
	}
	if (!pid) {
		close(*sock);
		*sock = child_sock;
		return 1;	/* the child answers nothing: it waits */
	}
	close(child_sock);
	rep->pid = pid;
	return 0;
}

/*
 * mlock(2) or munlock(2), with the task's own limit and capabilities.
 * The system calls themselves: the sanitizers replace the libc wrappers
 * with ones that do nothing and answer 0.
 */
static void do_mlock(const struct host_req *rq, struct host_rep *rep)
{
	bool lock = rq->op == HOP_MLOCK;

	if (syscall(lock ? SYS_mlock : SYS_munlock, (uintptr_t)rq->addr,
		    (size_t)rq->len))
		set_errno(rep, errno, lock ? "mlock" : "munlock");
}

/*
 * For tests only: each request waits this long, so that a test can kill
 * a run in its middle (tests/host/janitor-killed.sh).
 */
static long test_delay_ms(void)
{
	const char *delay = getenv("GUPSIM_HOST_WORKER_DELAY_MS");

	return delay ? strtol(delay, NULL, 10) : 0;
}

static void worker_signals(void)
{
	struct sigaction sa = { .sa_handler = fault_handler };

	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/* forked tasks are reaped by the kernel; orphans go to the controller */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
}

void host_worker_main(int sock)
{
	long delay_ms = test_delay_ms();

	worker_signals();
	for (;;) {
		struct host_req rq;
		struct host_rep rep;
		int fd;
		ssize_t n = host_recv(sock, &rq, sizeof(rq), &fd, -1);

		if (n <= 0)
			_exit(0);	/* the controller has gone */
		if (delay_ms > 0)
			poll(NULL, 0, (int)delay_ms);
		memset(&rep, 0, sizeof(rep));
		rep.kind = RES_OK;
		if (n != sizeof(rq)) {
			set_errno(&rep, EINVAL, "short request");
			goto answer;
		}
		switch (rq.op) {
		case HOP_SETUP:
			do_setup(&rq, &rep);
			break;
		case HOP_MMAP:
			do_mmap(&rq, fd, &rep);
			fd = -1;
			break;
		case HOP_WRITE:
		case HOP_READ:
			do_access(&rq, &rep, rq.op == HOP_WRITE);
			break;
		case HOP_MUNMAP:
			if (munmap((void *)(uintptr_t)rq.addr, rq.len))
				set_errno(&rep, errno, "munmap");
			break;
		case HOP_MPROTECT:
			if (mprotect((void *)(uintptr_t)rq.addr, rq.len, rq.prot))
				set_errno(&rep, errno, "mprotect");
			break;
		case HOP_MADVISE:
			if (madvise((void *)(uintptr_t)rq.addr, rq.len,
				    rq.advice))
				set_errno(&rep, errno, "madvise");
			break;
		case HOP_MREMAP:
			do_mremap(&rq, &rep);
			break;
		case HOP_MREMAP_RANGE:
			do_mremap_range(&rq, &rep);
			break;
		case HOP_MLOCK:
		case HOP_MUNLOCK:
			do_mlock(&rq, &rep);
			break;
		case HOP_FORK:
			if (do_fork(&sock, fd, &rep))
				continue;
			fd = -1;
			break;
		case HOP_EXIT:
			host_send(sock, &rep, sizeof(rep), -1);
			_exit(0);
		case HOP_REGISTER:
			/* stays open until the controller has its copy */
			rep.fd = do_register(&rq, &rep);
			break;
		case HOP_CLOSE:
			close(rq.byte);
			break;
		default:
			set_errno(&rep, EINVAL, "unknown request");
		}
answer:
		if (fd >= 0)
			close(fd);
		if (host_send(sock, &rep, sizeof(rep), -1))
			_exit(0);
	}
}
