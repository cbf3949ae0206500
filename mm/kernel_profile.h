/* SPDX-License-Identifier: GPL-2.0 */
/* The running machine's profile, set by mm_init.c (mm/kernel_profile.c). */
#ifndef GUPSIM_MM_KERNEL_PROFILE_H
#define GUPSIM_MM_KERNEL_PROFILE_H

#include <gupsim/profile.h>

/* For machine_create() and machine_destroy() only (NULL: the default). */
void machine_kernel_set(const struct kernel_profile *p);

/*
 * The references one pin takes on a small folio in the running profile:
 * GUP_PIN_COUNTING_BIAS from 5.7, 1 before (PIN_COUNTING_BIAS). Kept
 * with the profile (set with it, while no machine runs) so that the pin
 * and unpin hot paths read one word instead of asking for the entry.
 */
extern unsigned int machine_pin_refs;

/*
 * explain's describer (gupsim/explain.h): the entry named `entry`
 * ("GUP_UNSHARE") as "VERSION: commit subject (id)" in buf, or NULL
 * when no entry has that name.
 */
const char *kernel_entry_describe(const char *entry, char *buf,
				  unsigned long len);

#endif /* GUPSIM_MM_KERNEL_PROFILE_H */
