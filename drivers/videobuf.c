// SPDX-License-Identifier: GPL-2.0
/*
 * V4L2 videobuf-dma-sg user-pointer buffers: videobuf_dma_init_user()
 * and videobuf_dma_free() (drivers/media/v4l2-core/videobuf-dma-sg.c).
 * The old videobuf framework is no longer in the kernel (it was removed
 * after all its drivers moved to videobuf2); this models its last
 * version, where it used pin_user_pages().
 *
 *  - the pages from the one holding the first byte to the one holding
 *    the last are pinned in one pin_user_pages() call under
 *    mmap_read_lock, with FOLL_LONGTERM, plus FOLL_WRITE when the device
 *    writes into the buffer (DMA_FROM_DEVICE, a capture: `write`);
 *  - no RLIMIT_MEMLOCK accounting at all;
 *  - a short count is -EINVAL, but the pages that were pinned stay
 *    pinned, recorded in the buffer, until the buffer is freed: the
 *    handle survives the failed registration and `release` frees it;
 *  - release (videobuf_dma_free): unpin_user_pages_dirty_lock(), dirty
 *    when the device wrote (DMA_FROM_DEVICE).
 *
 * Older releases (kernel-version profiles): FOLL_FORCE was asked too
 * until 6.2; until 5.6 the pages were FOLL_GET references (5.1:
 * get_user_pages_longterm(), 5.2: get_user_pages(FOLL_LONGTERM)),
 * released with set_page_dirty_lock() and put_page() page by page.
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

struct videobuf_dmabuf {
	struct drv_gup gup;		/* how this release pins */
	struct page **pages;
	unsigned long nr_pages;
	bool from_device;		/* DMA_FROM_DEVICE */
};

static long videobuf_dma_init_user(struct drv_handle *h)
{
	struct mm_struct *mm = task_mm(current);
	unsigned int gup_flags = FOLL_LONGTERM;
	struct videobuf_dmabuf *dma;
	unsigned long first, last;
	long err;

	if (!h->len)
		return -EINVAL;
	dma = calloc(1, sizeof(*dma));
	if (!dma)
		return -ENOMEM;
	dma->from_device = h->write;
	if (dma->from_device)
		gup_flags |= FOLL_WRITE;
	if (!kernel_has(VIDEOBUF_NO_FORCE))
		gup_flags |= FOLL_FORCE;
	dma->gup = (struct drv_gup){ .pin = kernel_has(VIDEOBUF_PIN) };
	first = h->start >> PAGE_SHIFT;
	last = (h->start + h->len - 1) >> PAGE_SHIFT;
	dma->nr_pages = last - first + 1;
	dma->pages = calloc(dma->nr_pages, sizeof(*dma->pages));
	if (!dma->pages) {
		free(dma);
		return -ENOMEM;
	}
	mmap_read_lock(mm);
	err = drv_gup_pages(&dma->gup, h->start & PAGE_MASK, dma->nr_pages,
			    gup_flags, dma->pages);
	mmap_read_unlock(mm);
	if (err == (long)dma->nr_pages) {
		err = drv_set_view_pages(h, dma->pages, dma->nr_pages,
					 h->start & ~PAGE_MASK, h->len);
		h->nr_pinned = dma->nr_pages;
		h->priv = dma;
		return err;
	}
	dma->nr_pages = err > 0 ? (unsigned long)err : 0;
	if (!dma->nr_pages) {
		free(dma->pages);
		free(dma);
		return err < 0 ? err : -EINVAL;
	}
	/* kept until videobuf_dma_free(); the device may not use them */
	h->nr_pinned = dma->nr_pages;
	h->priv = dma;
	return err < 0 ? err : -EINVAL;
}

static void videobuf_dma_free(struct drv_handle *h)
{
	struct videobuf_dmabuf *dma = h->priv;

	drv_gup_release(&dma->gup, dma->pages, dma->nr_pages,
			dma->from_device);
	free(dma->pages);
	free(dma);
	h->priv = NULL;
}

const struct driver_ops videobuf_driver = {
	.name = "videobuf",
	.reg = videobuf_dma_init_user,
	.release = videobuf_dma_free,
};
