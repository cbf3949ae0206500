/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic helpers the kernel keeps in include/linux/compiler.h, minmax.h
 * and friends: branch hints, the READ_ONCE()/WRITE_ONCE() of a field that
 * another thread may write or read without the lock that serialises it,
 * min/max and ARRAY_SIZE. Nothing here knows about memory management.
 */
#ifndef GUPSIM_LIB_COMPILER_H
#define GUPSIM_LIB_COMPILER_H


#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* GUPSIM_LIB_COMPILER_H */
