// SPDX-License-Identifier: GPL-2.0
/*
 * Omni-Path hfi1 expected-receive buffers: hfi1_user_exp_rcv_setup() ->
 * pin_rcv_pages() -> hfi1_can_pin_pages() / hfi1_acquire_user_pages()
 * (drivers/infiniband/hw/hfi1/user_exp_rcv.c, user_pages.c) as in Linux
 * 6.18.
 *
 *  - the buffer must start on a page boundary and not be empty (-EINVAL),
 *    and span no more pages than the context has expected TID entries
 *    (modelled as 2048: -EINVAL);
 *  - the limit is checked before pinning, without charging: unless
 *    CAP_IPC_LOCK, mm->pinned_vm + pages must stay within RLIMIT_MEMLOCK,
 *    and the context's pinned total within the TID cache size (the
 *    hfi1 cache_size parameter, 256 MiB); otherwise -ENOMEM;
 *  - one pin_user_pages_fast(FOLL_LONGTERM | FOLL_WRITE): the receive
 *    buffer is always written by the device. A short count is KEPT: hfi1
 *    programs the pages it got and tells user space the shorter length
 *    (the registration's result is that page count). Only the pages
 *    actually pinned are added to pinned_vm;
 *  - release: unpin_user_pages_dirty_lock(dirty), pinned_vm -= pinned.
 *
 * Older releases (kernel-version profiles): 5.1 pinned with plain
 * get_user_pages_fast() (no FOLL_LONGTERM: fs-DAX and CMA pages were
 * pinned as they were); the seed series (5.2) added FOLL_LONGTERM to
 * that call; pin_user_pages_fast() came in 5.6. Before 5.6 the release
 * is put_page().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define HFI1_EXPECTED_COUNT	2048UL
#define HFI1_CACHE_SIZE_MB	256UL

struct hfi1_tid_buf {
	struct drv_gup gup;		/* how this release pins */
	struct mm_struct *mm;
	struct page **pages;
	unsigned long npages;		/* pinned */
};

static bool hfi1_can_pin_pages(struct mm_struct *mm, unsigned long nlocked,
			       unsigned long npages)
{
	unsigned long cache_limit = HFI1_CACHE_SIZE_MB * (1UL << 20) /
				    PAGE_SIZE;

	if (!capable_ipc_lock() &&
	    (unsigned long)mm_pinned_vm(mm) + npages > drv_memlock_pages()) {
		explain_rule("hfi1_can_pin_pages",
			     "mm->pinned_vm %ld + %lu pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK (ENOMEM)",
			     mm_pinned_vm(mm), npages, drv_memlock_pages());
		return false;
	}
	if (nlocked + npages > cache_limit) {
		explain_rule("hfi1_can_pin_pages",
			     "%lu pages would pass the TID cache (%lu pages) (ENOMEM)",
			     nlocked + npages, cache_limit);
		return false;
	}
	return true;
}

/*
 * The receive buffer is written by the device. Before 5.2 hfi1 asked
 * plain get_user_pages_fast(): nothing kept it off fs-DAX or CMA pages.
 */
static unsigned int hfi1_gup_flags(void)
{
	return FOLL_WRITE | (kernel_has(HFI1_LONGTERM) ? FOLL_LONGTERM : 0);
}

static long hfi1_user_exp_rcv_setup(struct drv_handle *h)
{
	unsigned long npages = drv_nr_pages(h->start, h->len);
	struct hfi1_tid_buf *b;
	int pinned;

	if (!PAGE_ALIGNED(h->start) || !h->len)
		return -EINVAL;
	if (npages > HFI1_EXPECTED_COUNT)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->mm = task_mm(current);
	b->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN), .fast = true };
	b->pages = calloc(npages, sizeof(*b->pages));
	if (!b->pages) {
		free(b);
		return -ENOMEM;
	}
	/* one file, one registration: nothing else pinned by this context */
	if (!hfi1_can_pin_pages(b->mm, 0, npages)) {
		pinned = -ENOMEM;
		goto fail;
	}
	pinned = drv_gup_pages(&b->gup, h->start, npages,
			       hfi1_gup_flags(), b->pages);
	if (pinned <= 0) {
		pinned = pinned < 0 ? pinned : -ENOSPC;
		goto fail;
	}
	mm_pinned_vm_add(b->mm, pinned);
	b->npages = pinned;
	if (drv_set_view_pages(h, b->pages, pinned, 0,
			       (unsigned long)pinned * PAGE_SIZE < h->len ?
			       (unsigned long)pinned * PAGE_SIZE : h->len)) {
		drv_gup_release(&b->gup, b->pages, pinned, false);
		mm_pinned_vm_add(b->mm, -(long)pinned);
		pinned = -ENOMEM;
		goto fail;
	}
	h->nr_pinned = pinned;
	h->priv = b;
	return (unsigned long)pinned == npages ? 0 : pinned;
fail:
	free(b->pages);
	free(b);
	return pinned;
}

static void hfi1_release(struct drv_handle *h)
{
	struct hfi1_tid_buf *b = h->priv;

	drv_gup_release(&b->gup, b->pages, b->npages, true);
	mm_pinned_vm_add(b->mm, -(long)b->npages);
	free(b->pages);
	free(b);
	h->priv = NULL;
}

const struct driver_ops hfi1_driver = {
	.name = "hfi1",
	.reg = hfi1_user_exp_rcv_setup,
	.release = hfi1_release,
};
