/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memreg: a small RDMA-like memory-registration driver written outside
 * gupsim, against the installed API only. A registration ("MR") pins a
 * user range long-term, as a NIC that keeps DMA-ing into it would need,
 * and charges it to the owner's mm->pinned_vm against RLIMIT_MEMLOCK.
 */
#ifndef MEMREG_H
#define MEMREG_H

#include <gupsim/driver.h>

extern const struct driver_ops memreg_driver;

/* Registers [addr, addr + len) of task: 0 or -errno (as driver_register). */
static inline long memreg_register(struct task_struct *task,
				   unsigned long addr, unsigned long len,
				   bool write, struct drv_handle **mr)
{
	return driver_register_ops(&memreg_driver, task, addr, len, write, mr);
}

#endif /* MEMREG_H */
