// SPDX-License-Identifier: GPL-2.0
/*
 * memreg: the registration path of an RDMA-like driver.
 *
 *  - RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK: -EPERM (can_do_mlock());
 *  - the pages are charged to mm->pinned_vm first; past RLIMIT_MEMLOCK,
 *    without CAP_IPC_LOCK, the charge is taken back and the call fails
 *    with -ENOMEM before anything is pinned;
 *  - then pin_user_pages_fast(FOLL_LONGTERM [| FOLL_WRITE]) in chunks of
 *    MEMREG_CHUNK pages: FOLL_LONGTERM moves pages out of CMA and
 *    ZONE_MOVABLE and refuses fs-DAX, so the device can keep them;
 *  - any failure unpins what was pinned and gives the charge back, so a
 *    failed registration holds nothing.
 * Deregistration unpins (dirtying the pages a writable MR exposed to the
 * device) and uncharges.
 */
#include <errno.h>
#include <stdlib.h>

#include "memreg.h"

#define MEMREG_CHUNK	512

struct memreg_mr {
	struct page **pages;
	unsigned long npages;		/* charged to pinned_vm */
	unsigned long nr_pinned;
};

static long memreg_pin(struct drv_handle *h, struct memreg_mr *mr)
{
	unsigned int gup_flags = FOLL_LONGTERM | (h->write ? FOLL_WRITE : 0);
	unsigned long addr = h->start & PAGE_MASK;

	while (mr->nr_pinned < mr->npages) {
		unsigned long left = mr->npages - mr->nr_pinned;
		int n = left < MEMREG_CHUNK ? (int)left : MEMREG_CHUNK;
		int got = pin_user_pages_fast(addr, n, gup_flags,
					      mr->pages + mr->nr_pinned);

		if (got < 0)
			return got;
		if (got == 0)
			return -EFAULT;
		mr->nr_pinned += got;
		addr += (unsigned long)got * PAGE_SIZE;
	}
	return 0;
}

static long memreg_reg(struct drv_handle *h)
{
	struct memreg_mr *mr;
	long ret;

	if (!h->len || h->start + h->len < h->start)
		return -EINVAL;
	if (!can_do_mlock())
		return -EPERM;
	mr = calloc(1, sizeof(*mr));
	if (!mr)
		return -ENOMEM;
	mr->npages = drv_nr_pages(h->start, h->len);
	mr->pages = calloc(mr->npages, sizeof(*mr->pages));
	ret = -ENOMEM;
	if (!mr->pages)
		goto out_free;
	if ((unsigned long)mm_pinned_vm_add(h->mm, (long)mr->npages) >
	    drv_memlock_pages() && !capable_ipc_lock())
		goto out_uncharge;
	ret = memreg_pin(h, mr);
	if (!ret)
		ret = drv_set_view_pages(h, mr->pages, mr->nr_pinned,
					 h->start & ~PAGE_MASK, h->len);
	if (ret)
		goto out_unpin;
	h->nr_pinned = mr->nr_pinned;
	h->priv = mr;
	return 0;
out_unpin:
	unpin_user_pages(mr->pages, mr->nr_pinned);
out_uncharge:
	mm_pinned_vm_add(h->mm, -(long)mr->npages);
out_free:
	free(mr->pages);
	free(mr);
	return ret;
}

static void memreg_release(struct drv_handle *h)
{
	struct memreg_mr *mr = h->priv;

	unpin_user_pages_dirty_lock(mr->pages, mr->nr_pinned, h->write);
	mm_pinned_vm_add(h->mm, -(long)mr->npages);
	free(mr->pages);
	free(mr);
	h->priv = NULL;
}

const struct driver_ops memreg_driver = {
	.name = "memreg",
	.reg = memreg_reg,
	.release = memreg_release,
};
