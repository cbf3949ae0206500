// SPDX-License-Identifier: GPL-2.0
/*
 * The host kernel as the yardstick of gupsim bench.
 *
 * The kernel's own FOLL_LONGTERM pin is reachable from user space through
 * io_uring fixed buffers: IORING_REGISTER_BUFFERS pins every page of each
 * iovec with pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) and
 * IORING_UNREGISTER_BUFFERS unpins them. The raw system calls are used
 * (<linux/io_uring.h>, no liburing): registration needs no rings mapped.
 * What the kernel does besides pinning (the bvec table, coalescing of
 * large folios, accounting) is part of the figure, as it is part of what a
 * driver pays.
 */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "bench_util.h"
#include "../lib/uring_sys.h"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB	0x40000
#endif
#ifndef MADV_HUGEPAGE
#define MADV_HUGEPAGE	14
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE	15
#endif

#define HOST_PMD_SIZE	(2UL << 20)
/* io_uring refuses a single fixed buffer larger than 1 GiB. */
#define URING_MAX_IOV	(1UL << 30)

void bench_host_init(void)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

	/*
	 * Without CAP_SYS_RESOURCE (a container's root) the hard limit
	 * stays: take the soft one up to it. io_uring charges nothing to a
	 * CAP_IPC_LOCK caller anyway; others may see registrations refused.
	 */
	if (!setrlimit(RLIMIT_MEMLOCK, &rl) || getrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_MEMLOCK, &rl);
}

/* Writes every page so that each is present and exclusive before a pin. */
static void touch(void *addr, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += 4096)
		((volatile char *)addr)[off] = (char)(off >> 12);
}

int bench_host_buf_alloc(struct bench_hbuf *buf, size_t len, bool thp, bool hugetlb)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;
	size_t map_len = len;
	char *p;

	memset(buf, 0, sizeof(*buf));
	if (hugetlb)
		flags |= MAP_HUGETLB;
	else if (thp)
		map_len += HOST_PMD_SIZE;	/* room to align to a PMD */
	p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	buf->map = p;
	buf->map_len = map_len;
	buf->addr = p;
	buf->len = len;
	if (thp && !hugetlb) {
		buf->addr = (void *)(((unsigned long)p + HOST_PMD_SIZE - 1) &
				     ~(HOST_PMD_SIZE - 1));
		if (madvise(buf->addr, len, MADV_HUGEPAGE))
			goto fail;
	} else if (!hugetlb) {
		/* 4 KiB pages even where THP is "always". */
		if (madvise(buf->addr, len, MADV_NOHUGEPAGE))
			goto fail;
	}
	touch(buf->addr, len);
	return 0;
fail:
	munmap(buf->map, buf->map_len);
	memset(buf, 0, sizeof(*buf));
	return -errno;
}

void bench_host_buf_free(struct bench_hbuf *buf)
{
	if (buf->map)
		munmap(buf->map, buf->map_len);
	memset(buf, 0, sizeof(*buf));
}

long bench_host_buf_thp_bytes(const struct bench_hbuf *buf)
{
	unsigned long start = (unsigned long)buf->map, s, e;
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[256];
	bool in = false;
	long kib = -1, v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2) {
			in = s <= start && start < e;
			continue;
		}
		if (in && sscanf(line, "AnonHugePages: %ld kB", &v) == 1)
			kib = (kib < 0 ? 0 : kib) + v;
	}
	fclose(f);
	return kib < 0 ? -1 : kib * 1024;
}

struct bench_ring {
	int fd;
};

struct bench_ring *bench_ring_create(void)
{
	struct io_uring_params p;
	struct bench_ring *ring = calloc(1, sizeof(*ring));

	if (!ring)
		return NULL;
	memset(&p, 0, sizeof(p));
	ring->fd = sys_io_uring_setup(4, &p);
	if (ring->fd < 0) {
		fprintf(stderr, "gupsim bench: io_uring_setup: %s\n",
			strerror(errno));
		free(ring);
		return NULL;
	}
	return ring;
}

void bench_ring_destroy(struct bench_ring *ring)
{
	if (!ring)
		return;
	close(ring->fd);
	free(ring);
}

int bench_ring_sample(struct bench_ring *ring, struct bench_hbuf *buf,
		     struct bench_sample *out)
{
	unsigned int nr = (buf->len + URING_MAX_IOV - 1) / URING_MAX_IOV, i;
	struct iovec *iov = calloc(nr, sizeof(*iov));
	uint64_t t0, t1, t2, c0, c1;
	int ret = 0;

	if (!iov)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		size_t off = (size_t)i * URING_MAX_IOV;

		iov[i].iov_base = (char *)buf->addr + off;
		iov[i].iov_len = buf->len - off < URING_MAX_IOV ?
				 buf->len - off : URING_MAX_IOV;
	}
	c0 = bench_thread_cpu_ns();
	t0 = bench_now_ns();
	if (sys_io_uring_register(ring->fd, IORING_REGISTER_BUFFERS, iov,
				  nr) < 0) {
		ret = -errno;
		goto out;
	}
	t1 = bench_now_ns();
	c1 = bench_thread_cpu_ns();
	if (sys_io_uring_register(ring->fd, IORING_UNREGISTER_BUFFERS, NULL,
				  0) < 0) {
		ret = -errno;
		goto out;
	}
	t2 = bench_now_ns();
	out->get_ns = (double)(t1 - t0);
	out->put_ns = (double)(t2 - t1);
	out->get_cpu_ns = (double)(c1 - c0);
out:
	free(iov);
	return ret;
}

double bench_memcpy_ns(struct bench_hbuf *dst, struct bench_hbuf *src,
		       double *cpu_ns)
{
	size_t len = dst->len < src->len ? dst->len : src->len;
	uint64_t c0 = bench_thread_cpu_ns(), t0 = bench_now_ns(), t1;

	memcpy(dst->addr, src->addr, len);
	/* Keep the copy: the compiler may not drop a copy that is read. */
	__asm__ volatile("" : : "r"(dst->addr) : "memory");
	t1 = bench_now_ns();
	*cpu_ns = (double)(bench_thread_cpu_ns() - c0);
	return (double)(t1 - t0);
}

int bench_host_fork_ns(size_t size, bool pinned, int repeats, double *ns)
{
	struct bench_ring *ring = NULL;
	struct bench_hbuf buf;
	struct iovec iov;
	int i, ret;

	ret = bench_host_buf_alloc(&buf, size, false, false);
	if (ret)
		return ret;
	if (pinned) {
		ring = bench_ring_create();
		if (!ring) {
			ret = -ENODEV;
			goto out;
		}
		iov.iov_base = buf.addr;
		iov.iov_len = size;
		if (size > URING_MAX_IOV) {
			ret = -EINVAL;
			goto out;
		}
		if (sys_io_uring_register(ring->fd, IORING_REGISTER_BUFFERS,
					  &iov, 1) < 0) {
			ret = -errno;
			goto out;
		}
	}
	for (i = 0; i < repeats; i++) {
		uint64_t t0 = bench_now_ns();
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		ns[i] = (double)(bench_now_ns() - t0);
		if (pid < 0) {
			ret = -errno;
			break;
		}
		waitpid(pid, NULL, 0);
	}
out:
	bench_ring_destroy(ring);	/* closing the ring unpins */
	bench_host_buf_free(&buf);
	return ret;
}
