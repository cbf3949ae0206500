// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough io_uring for the host backend, by raw system calls: a ring
 * whose only use is one fixed buffer. IORING_REGISTER_BUFFERS pins the
 * buffer with FOLL_WRITE | FOLL_LONGTERM, which is how the host backend
 * takes a long-term pin from user space; IORING_OP_READ_FIXED and
 * WRITE_FIXED then move bytes to and from exactly the pinned pages, as a
 * device doing DMA would, whatever has become of the page tables since.
 *
 * The ring is created by the task's worker (the pin is of its mm, the
 * accounting against its user) and then handed to the controller, which
 * maps it and submits; no SINGLE_ISSUER, so any process may submit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "host.h"
#include "../lib/uring_sys.h"

#define RING_ENTRIES	4
#define RW_TIMEOUT_S	10

int host_ring_create(struct io_uring_params *p)
{
	int fd;

	memset(p, 0, sizeof(*p));
	fd = sys_io_uring_setup(RING_ENTRIES, p);
	return fd < 0 ? -errno : fd;
}

int host_ring_register(int fd, uint64_t addr, uint64_t len)
{
	struct iovec iov = { (void *)(uintptr_t)addr, len };

	return sys_io_uring_register(fd, IORING_REGISTER_BUFFERS, &iov, 1) ?
	       -errno : 0;
}

int host_ring_unregister(int fd)
{
	return sys_io_uring_register(fd, IORING_UNREGISTER_BUFFERS, NULL, 0) ?
	       -errno : 0;
}

int host_ring_map(struct host_ring *r, int fd, const struct io_uring_params *p)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->p = *p;
	r->sq_len = p->sq_off.array + p->sq_entries * sizeof(__u32);
	r->cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct io_uring_cqe);
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		if (r->cq_len > r->sq_len)
			r->sq_len = r->cq_len;
		r->cq_len = r->sq_len;
	}
	r->sq = mmap(NULL, r->sq_len, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
	if (r->sq == MAP_FAILED)
		goto fail;
	if (p->features & IORING_FEAT_SINGLE_MMAP) {
		r->cq = r->sq;
	} else {
		r->cq = mmap(NULL, r->cq_len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_CQ_RING);
		if (r->cq == MAP_FAILED)
			goto fail;
	}
	r->sqes_len = p->sq_entries * sizeof(struct io_uring_sqe);
	r->sqes = mmap(NULL, r->sqes_len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (r->sqes == MAP_FAILED)
		goto fail;
	return 0;
fail:
	{
		int err = errno;

		if (r->sq == MAP_FAILED)
			r->sq = NULL;
		if (r->cq == MAP_FAILED)
			r->cq = NULL;
		r->sqes = NULL;
		host_ring_unmap(r);
		r->fd = fd;
		return -err;
	}
}

void host_ring_unmap(struct host_ring *r)
{
	if (r->sqes)
		munmap(r->sqes, r->sqes_len);
	if (r->cq && r->cq != r->sq)
		munmap(r->cq, r->cq_len);
	if (r->sq)
		munmap(r->sq, r->sq_len);
	r->sq = r->cq = NULL;
	r->sqes = NULL;
}

#define RING_U32(base, off)	((unsigned int *)((char *)(base) + (off)))

long host_ring_rw_fixed(struct host_ring *r, bool to_memory, int file_fd,
			uint64_t addr, uint32_t len)
{
	const struct io_uring_params *p = &r->p;
	unsigned int *sq_tail = RING_U32(r->sq, p->sq_off.tail);
	unsigned int *sq_mask = RING_U32(r->sq, p->sq_off.ring_mask);
	unsigned int *sq_array = RING_U32(r->sq, p->sq_off.array);
	unsigned int *cq_head = RING_U32(r->cq, p->cq_off.head);
	unsigned int *cq_tail = RING_U32(r->cq, p->cq_off.tail);
	unsigned int *cq_mask = RING_U32(r->cq, p->cq_off.ring_mask);
	struct io_uring_cqe *cqes = (void *)((char *)r->cq + p->cq_off.cqes);
	struct __kernel_timespec ts = { RW_TIMEOUT_S, 0 };
	struct io_uring_getevents_arg arg = {
		.sigmask_sz = _NSIG / 8, .ts = (uintptr_t)&ts,
	};
	unsigned int tail = __atomic_load_n(sq_tail, __ATOMIC_ACQUIRE);
	unsigned int idx = tail & *sq_mask, head;
	struct io_uring_sqe *sqe = &r->sqes[idx];
	long res;
	int ret;

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = to_memory ? IORING_OP_READ_FIXED : IORING_OP_WRITE_FIXED;
	sqe->fd = file_fd;
	sqe->addr = addr;
	sqe->len = len;
	sqe->off = 0;
	sqe->buf_index = 0;
	sqe->user_data = 1;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);

	ret = sys_io_uring_enter(r->fd, 1, 1, IORING_ENTER_GETEVENTS |
			(p->features & IORING_FEAT_EXT_ARG ?
			 IORING_ENTER_EXT_ARG : 0),
			p->features & IORING_FEAT_EXT_ARG ? &arg : NULL,
			p->features & IORING_FEAT_EXT_ARG ? sizeof(arg) : 0);
	if (ret < 0 && errno != ETIME)
		return -errno;
	head = __atomic_load_n(cq_head, __ATOMIC_ACQUIRE);
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		return -ETIMEDOUT;
	res = cqes[head & *cq_mask].res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

int host_uring_probe(char *why, size_t len)
{
	struct io_uring_params p;
	int fd = host_ring_create(&p);

	if (fd < 0) {
		snprintf(why, len, "io_uring is not available: %s%s",
			 strerror(-fd), fd == -EPERM ?
			 " (kernel.io_uring_disabled?)" : "");
		return fd;
	}
	close(fd);
	return 0;
}
