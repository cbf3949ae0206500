/* SPDX-License-Identifier: GPL-2.0 */
/* The running machine's profile, set by mm_init.c (mm/kernel_profile.c). */
#ifndef GUPSIM_MM_KERNEL_PROFILE_H
#define GUPSIM_MM_KERNEL_PROFILE_H

#include <gupsim/profile.h>

/* For machine_create() and machine_destroy() only (NULL: the default). */
void machine_kernel_set(const struct kernel_profile *p);

/*
 * explain's describer (gupsim/explain.h): the entry named `entry`
 * ("GUP_UNSHARE") as "VERSION: commit subject (id)" in buf, or NULL
 * when no entry has that name.
 */
const char *kernel_entry_describe(const char *entry, char *buf,
				  unsigned long len);

#endif /* GUPSIM_MM_KERNEL_PROFILE_H */
