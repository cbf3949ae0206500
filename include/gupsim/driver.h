/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver API: how a modelled in-kernel caller of the GUP API (a
 * "driver") registers a user range, hands the frames to its "device" and
 * releases them. The eleven drivers gupsim ships (io_uring fixed buffers,
 * ib_umem, vfio type1, AF_XDP umem, videobuf-dma-sg, qib, hfi1, usnic,
 * mthca, ppc_iommu, qib's SDMA) use exactly this, and so can one
 * written out of tree.
 *
 * A driver is a struct driver_ops (reg and release); a registration is a
 * struct drv_handle that tells the device which frames it may reach
 * (pfns[], in the order of the user range) and keeps the driver's own
 * state in priv. Drivers see only the public API (gupsim/gup.h,
 * gupsim/machine.h), as a real driver sees only what the kernel exports.
 */
#ifndef GUPSIM_DRIVER_H
#define GUPSIM_DRIVER_H

#include <gupsim/explain.h>
#include <gupsim/gup.h>
#include <gupsim/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

struct drv_handle;

struct driver_ops {
	const char *name;
	/*
	 * Registers [h->start, h->start + h->len) of h->mm (h->task's
	 * address space), with `current` set to h->task, or to the task
	 * driver_register_ops_mm() names. Returns 0 when the whole
	 * range was registered, a positive page count when the driver keeps
	 * a partial registration (hfi1), or -errno. A driver that holds
	 * anything sets h->priv (the registry frees a handle whose priv is
	 * NULL at once); one that keeps pages even though it failed
	 * (videobuf) leaves them described in h and returns the error;
	 * release undoes them.
	 */
	long (*reg)(struct drv_handle *h);
	/* Undoes everything reg kept: unpin (dirtying where the kernel
	 * does), unaccount. Called with `current` = h->task. */
	void (*release)(struct drv_handle *h);
};

struct drv_handle {
	const struct driver_ops *ops;
	struct task_struct *task;	/* registered it (owns it) */
	struct mm_struct *mm;		/* its mm at registration */
	unsigned long start, len;	/* the range asked for */
	bool write;			/* the device may write */

	/* What the device reaches: byte i of the registration is byte
	 * offset + i of frame pfns[(offset + i) / PAGE_SIZE]. */
	unsigned long *pfns;
	unsigned long nr_pfns;
	unsigned long offset;
	unsigned long dev_len;		/* bytes the device may touch */
	unsigned char *dev_written;	/* per frame: the device wrote it */
	/* pages the registration holds pinned (for `show pins`) */
	unsigned long nr_pinned;

	void *priv;			/* the driver's own state */
};

/* Every driver kind gupsim ships, in the scenario contract's order;
 * NULL-terminated. */
extern const struct driver_ops *const driver_kinds[];

/* The shipped driver called kind, or NULL. */
const struct driver_ops *driver_lookup(const char *kind);

/*
 * Registers a range for task through ops (any driver, shipped or not).
 * Returns as ops->reg does; *out is the handle when the driver holds
 * anything (so also after a failure that kept pages), NULL otherwise.
 * -EINVAL without a task, -ENOMEM when no handle could be allocated.
 */
long driver_register_ops(const struct driver_ops *ops,
			 struct task_struct *task, unsigned long start,
			 unsigned long len, bool write,
			 struct drv_handle **out);
/* The same through the shipped driver called kind (-EINVAL if none). */
long driver_register(const char *kind, struct task_struct *task,
		     unsigned long start, unsigned long len, bool write,
		     struct drv_handle **out);
/*
 * A registration that belongs to owner (h->task, h->mm: its range, its
 * charge, its release) while task runs the pinning as `current`, as when
 * the kernel pins a vfio mapping from another process's context. Only a
 * driver that pins in h->mm rather than current's may be asked: of the
 * shipped ones, vfio (the others: -EINVAL). owner == task is
 * driver_register_ops().
 */
long driver_register_ops_mm(const struct driver_ops *ops,
			    struct task_struct *task, struct task_struct *owner,
			    unsigned long start, unsigned long len, bool write,
			    struct drv_handle **out);
long driver_register_mm(const char *kind, struct task_struct *task,
			struct task_struct *owner, unsigned long start,
			unsigned long len, bool write, struct drv_handle **out);
/* Releases a handle (safe on NULL). The task must still exist. */
void driver_release(struct drv_handle *h);

/*
 * A device access of len bytes at off into the registration, as DMA
 * through the frames the driver handed to the device. 0 or -EFAULT when
 * the access leaves what the driver mapped.
 */
int driver_dev_access(struct drv_handle *h, unsigned long off, void *buf,
		      size_t len, bool write);

/* ---- helpers for the drivers ---- */

/* Sets the device's view to npages frames starting at offset in pages[0]. */
int drv_set_view_pages(struct drv_handle *h, struct page **pages,
		       unsigned long npages, unsigned long offset,
		       unsigned long dev_len);
/* Same from raw frame numbers (vfio's VM_PFNMAP ranges). */
int drv_set_view_pfns(struct drv_handle *h, const unsigned long *pfns,
		      unsigned long npfns, unsigned long offset,
		      unsigned long dev_len);
void drv_clear_view(struct drv_handle *h);
/* Pages [first, last] of the user range, as the kernel's formulas give. */
static inline unsigned long drv_nr_pages(unsigned long start,
					 unsigned long len)
{
	return (ALIGN_UP(start + len, PAGE_SIZE) - ALIGN_DOWN(start, PAGE_SIZE))
	       >> PAGE_SHIFT;
}

/* RLIMIT_MEMLOCK of current in pages, as rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT. */
static inline unsigned long drv_memlock_pages(void)
{
	return rlimit_memlock() >> PAGE_SHIFT;
}

/* can_do_mlock(): a non-zero RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
static inline bool can_do_mlock(void)
{
	return rlimit_memlock() != 0 || capable_ipc_lock();
}

#ifdef __cplusplus
}
#endif

#endif /* GUPSIM_DRIVER_H */
