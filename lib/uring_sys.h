/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The three io_uring system calls, raw (no liburing: the project depends
 * on nothing the kernel does not provide). Each returns what syscall(2)
 * returns: the result, or -1 with errno set.
 *
 * Used where gupsim talks to the host kernel's io_uring: the host backend
 * (backend/host_uring.c), the benchmark's yardstick (cmd/bench_host.c) and
 * the host-vs-model cases (tests/host/io_uring_cases.c). Never by the
 * model itself.
 */
#ifndef GUPSIM_LIB_URING_SYS_H
#define GUPSIM_LIB_URING_SYS_H

#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/io_uring.h>

static inline int sys_io_uring_setup(unsigned int entries,
				     struct io_uring_params *p)
{
	return (int)syscall(__NR_io_uring_setup, entries, p);
}

static inline int sys_io_uring_enter(int fd, unsigned int to_submit,
				     unsigned int min_complete,
				     unsigned int flags, void *arg,
				     size_t argsz)
{
	return (int)syscall(__NR_io_uring_enter, fd, to_submit, min_complete,
			    flags, arg, argsz);
}

static inline int sys_io_uring_register(int fd, unsigned int opcode,
					void *arg, unsigned int nr_args)
{
	return (int)syscall(__NR_io_uring_register, fd, opcode, arg, nr_args);
}

#endif /* GUPSIM_LIB_URING_SYS_H */
