// SPDX-License-Identifier: GPL-2.0
/*
 * QLogic InfiniPath (qib) user SDMA: the pages of a packet a process
 * hands the send engine, qib_user_sdma_pin_pages() and the packet's
 * release (drivers/infiniband/hw/qib/qib_user_sdma.c) as in Linux 6.18.
 * The second qib caller the seed series converted (its patch 6/7); the
 * TID path is drivers/qib.c.
 *
 *  - the device only reads (it sends the data): no FOLL_WRITE, whatever
 *    the registration asks;
 *  - pin_user_pages_fast(FOLL_LONGTERM) in chunks of eight pages (the
 *    kernel's on-stack pages[8]); a chunk that comes back short, or an
 *    error, makes the whole packet fail with -ENOMEM, whatever GUP said
 *    (fs-DAX's -EOPNOTSUPP included): the chunk's pages are unpinned at
 *    once, the earlier chunks' when the packet is freed;
 *  - no RLIMIT_MEMLOCK accounting (the queue's packet limit is not
 *    modelled);
 *  - release (the packet completes): unpin_user_page() per page, no
 *    dirtying.
 *
 * Older releases (kernel-version profiles): 5.1 called plain
 * get_user_pages_fast(addr, j, 0, pages), pinning fs-DAX pages and
 * leaving CMA pages in CMA; the seed series (5.2) added FOLL_LONGTERM;
 * the pages were FOLL_GET references given back with put_page() until
 * 5.6 brought pin_user_pages_fast().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define QIB_SDMA_CHUNK	8UL	/* struct page *pages[8] on the stack */

struct qib_sdma_pkt {
	struct drv_gup gup;		/* how this release pins */
	struct page **pages;
	unsigned long npages;		/* pinned so far, all held */
};

static unsigned int qib_sdma_gup_flags(void)
{
	return kernel_has(QIB_SDMA_LONGTERM) ? FOLL_LONGTERM : 0;
}

/* Pins every page of the packet, eight at a time; 0 or -ENOMEM. */
static long qib_user_sdma_pin_pages(struct qib_sdma_pkt *pkt,
				    unsigned long addr, unsigned long npages)
{
	while (pkt->npages < npages) {
		unsigned long left = npages - pkt->npages;
		unsigned long j = left < QIB_SDMA_CHUNK ? left : QIB_SDMA_CHUNK;
		struct page **chunk = pkt->pages + pkt->npages;
		long ret = drv_gup_pages(&pkt->gup, addr, j,
					 qib_sdma_gup_flags(), chunk);

		if (ret != (long)j) {
			if (ret > 0)
				drv_gup_release(&pkt->gup, chunk, ret, false);
			return explain_err(-ENOMEM, "qib_user_sdma_pin_pages",
					   "pin_user_pages_fast() gave %ld of %lu pages: the packet fails with -ENOMEM whatever the cause",
					   ret, j);
		}
		pkt->npages += j;
		addr += j * PAGE_SIZE;
	}
	return 0;
}

static long qib_sdma_reg(struct drv_handle *h)
{
	struct qib_sdma_pkt *pkt = calloc(1, sizeof(*pkt));
	unsigned long npages = drv_nr_pages(h->start, h->len);
	long ret = -ENOMEM;

	if (!pkt)
		return -ENOMEM;
	pkt->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN), .fast = true };
	pkt->pages = calloc(npages ? npages : 1, sizeof(*pkt->pages));
	if (!pkt->pages)
		goto out;
	ret = qib_user_sdma_pin_pages(pkt, h->start & PAGE_MASK, npages);
	if (!ret)
		ret = drv_set_view_pages(h, pkt->pages, npages,
					 h->start & ~PAGE_MASK, h->len);
	if (ret)
		goto out;
	h->nr_pinned = npages;
	h->priv = pkt;
	return 0;
out:
	/* qib_user_sdma_free_pkt_frag(): the chunks pinned before */
	if (pkt->npages)
		drv_gup_release(&pkt->gup, pkt->pages, pkt->npages, false);
	free(pkt->pages);
	free(pkt);
	return ret;
}

static void qib_sdma_release(struct drv_handle *h)
{
	struct qib_sdma_pkt *pkt = h->priv;

	drv_gup_release(&pkt->gup, pkt->pages, pkt->npages, false);
	free(pkt->pages);
	free(pkt);
	h->priv = NULL;
}

const struct driver_ops qib_sdma_driver = {
	.name = "qib_sdma",
	.reg = qib_sdma_reg,
	.release = qib_sdma_release,
};
