// SPDX-License-Identifier: GPL-2.0
/*
 * Cisco usNIC memory registration: usnic_uiom_reg_get() ->
 * usnic_uiom_get_pages() / usnic_uiom_reg_release()
 * (drivers/infiniband/hw/usnic/usnic_uiom.c) as in Linux 6.18.
 *
 *  - can_do_mlock() false -> -EPERM;
 *  - under mmap_read_lock for the whole registration: the pages are
 *    added to current->mm->pinned_vm first; past RLIMIT_MEMLOCK without
 *    CAP_IPC_LOCK -> -ENOMEM;
 *  - pin_user_pages(FOLL_LONGTERM, plus FOLL_WRITE for a writable
 *    region) in chunks of PAGE_SIZE / sizeof(struct page *) = 512 pages;
 *    a short chunk just moves on, so a hole or read-only page fails on
 *    the next call; then every chunk pinned so far is unpinned (not
 *    dirtied). The kernel then subtracts from pinned_vm only the pages
 *    it had NOT pinned yet (its counter has been decremented by the
 *    loop), so a failure after a partial pin leaves the pinned part
 *    charged to the mm. Modelled as is: `stat`-visible through a later
 *    registration hitting the limit early;
 *  - release (dirty = 1): unpin_user_pages_dirty_lock() page by page,
 *    dirty for a writable region, pinned_vm -= pages.
 *
 * Older releases (kernel-version profiles): until 6.2 FOLL_WRITE was
 * always asked and FOLL_FORCE added for a read-only region (as ib_umem;
 * the exact 5.2 text was not seen); until 5.6 the pages were FOLL_GET
 * references (5.1: get_user_pages_longterm(), 5.2: get_user_pages(
 * FOLL_LONGTERM)) given back with put_page(); the same error-path
 * accounting.
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define USNIC_CHUNK	(PAGE_SIZE / sizeof(struct page *))

struct usnic_uiom_reg {
	struct drv_gup gup;		/* how this release pins */
	struct mm_struct *owning_mm;
	struct page **pages;
	unsigned long npages, nr_pinned;
	bool writable;
};

static long usnic_uiom_get_pages(struct usnic_uiom_reg *r, unsigned long addr)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long npages = r->npages, cur_base = addr & PAGE_MASK;
	struct mm_struct *mm = r->owning_mm;
	long ret = 0, locked;

	if (r->writable || !kernel_has(USNIC_NO_FORCE))
		gup_flags |= FOLL_WRITE;
	if (!r->writable && !kernel_has(USNIC_NO_FORCE))
		gup_flags |= FOLL_FORCE;
	mmap_read_lock(mm);
	locked = mm_pinned_vm_add(mm, (long)npages);
	if ((unsigned long)locked > drv_memlock_pages() && !capable_ipc_lock()) {
		ret = explain_err(-ENOMEM, "usnic_uiom_get_pages",
				  "mm->pinned_vm would be %ld pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK",
				  locked, drv_memlock_pages());
		goto out;
	}
	while (npages) {
		ret = drv_gup_pages(&r->gup, cur_base,
				    npages < USNIC_CHUNK ? npages : USNIC_CHUNK,
				    gup_flags, r->pages + r->nr_pinned);
		if (ret < 0)
			goto out;
		npages -= ret;
		cur_base += ret * PAGE_SIZE;
		r->nr_pinned += ret;
		ret = 0;
	}
out:
	if (ret < 0) {
		drv_gup_release(&r->gup, r->pages, r->nr_pinned, false);
		r->nr_pinned = 0;
		/* npages: what was left to pin, not what was charged */
		mm_pinned_vm_add(mm, -(long)npages);
	}
	mmap_read_unlock(mm);
	return ret;
}

static long usnic_reg(struct drv_handle *h)
{
	struct usnic_uiom_reg *r;
	long ret;

	if (!can_do_mlock())
		return explain_err(-EPERM, "usnic_uiom_reg_get",
				   "can_do_mlock(): RLIMIT_MEMLOCK is 0 and no CAP_IPC_LOCK");
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->owning_mm = task_mm(current);
	r->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN) };
	r->writable = h->write;
	r->npages = drv_nr_pages(h->start, h->len);
	r->pages = calloc(r->npages ? r->npages : 1, sizeof(*r->pages));
	ret = -ENOMEM;
	if (!r->pages)
		goto out;
	ret = usnic_uiom_get_pages(r, h->start);
	if (ret)
		goto out;
	ret = drv_set_view_pages(h, r->pages, r->nr_pinned,
				 h->start & ~PAGE_MASK, h->len);
	h->nr_pinned = r->nr_pinned;
	h->priv = r;
	return ret;
out:
	free(r->pages);
	free(r);
	return ret;
}

static void usnic_release(struct drv_handle *h)
{
	struct usnic_uiom_reg *r = h->priv;

	for (unsigned long i = 0; i < r->nr_pinned; i++)
		drv_gup_release(&r->gup, &r->pages[i], 1, r->writable);
	mm_pinned_vm_add(r->owning_mm, -(long)r->npages);
	free(r->pages);
	free(r);
	h->priv = NULL;
}

const struct driver_ops usnic_driver = {
	.name = "usnic",
	.reg = usnic_reg,
	.release = usnic_release,
};
