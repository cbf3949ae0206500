// SPDX-License-Identifier: GPL-2.0
/*
 * QLogic InfiniPath (qib) expected-receive TID buffers: qib_tid_update()
 * -> qib_get_user_pages() / qib_release_user_pages()
 * (drivers/infiniband/hw/qib/qib_user_pages.c) as in Linux 6.18.
 *
 *  - accounting first: the pages are added to current->mm->pinned_vm;
 *    past RLIMIT_MEMLOCK without CAP_IPC_LOCK -> -ENOMEM (taken back);
 *  - pin_user_pages(FOLL_LONGTERM | FOLL_WRITE) under mmap_read_lock in
 *    a loop that asks again for whatever is left after a short count, so
 *    a hole or a read-only page comes back as its error on the next call;
 *    then everything pinned is unpinned (not dirtied), pinned_vm given
 *    back and the error returned;
 *  - release: unpin_user_pages_dirty_lock(dirty), pinned_vm -= pages.
 *    The per-context TID count limit of the hardware is not modelled.
 *
 * Older releases (kernel-version profiles): FOLL_FORCE was asked too
 * until 6.2; until 5.6 the pages were FOLL_GET references (5.1:
 * get_user_pages_longterm(), 5.2: get_user_pages(FOLL_LONGTERM)) given
 * back with put_page(). The seed series also gave qib's SDMA path
 * get_user_pages_fast(FOLL_LONGTERM) (5.1: plain get_user_pages_fast()),
 * which is not modelled here.
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

struct qib_tid_buf {
	struct drv_gup gup;		/* how this release pins */
	struct mm_struct *mm;
	struct page **pages;
	unsigned long num_pages;
};

static long qib_get_user_pages(struct qib_tid_buf *b, unsigned long start)
{
	unsigned int gup_flags = FOLL_LONGTERM | FOLL_WRITE;
	unsigned long got;
	long ret = 0, locked;

	if (!kernel_has(QIB_NO_FORCE))
		gup_flags |= FOLL_FORCE;

	locked = mm_pinned_vm_add(b->mm, (long)b->num_pages);
	if ((unsigned long)locked > drv_memlock_pages() && !capable_ipc_lock()) {
		ret = explain_err(-ENOMEM, "qib_get_user_pages",
				  "mm->pinned_vm would be %ld pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK",
				  locked, drv_memlock_pages());
		goto bail;
	}
	mmap_read_lock(b->mm);
	for (got = 0; got < b->num_pages; got += ret) {
		ret = drv_gup_pages(&b->gup, start + got * PAGE_SIZE,
				    b->num_pages - got, gup_flags,
				    b->pages + got);
		if (ret < 0) {
			mmap_read_unlock(b->mm);
			drv_gup_release(&b->gup, b->pages, got, false);
			goto bail;
		}
	}
	mmap_read_unlock(b->mm);
	return 0;
bail:
	mm_pinned_vm_add(b->mm, -(long)b->num_pages);
	return ret;
}

static long qib_reg(struct drv_handle *h)
{
	struct qib_tid_buf *b = calloc(1, sizeof(*b));
	long ret;

	if (!b)
		return -ENOMEM;
	b->mm = task_mm(current);
	b->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN) };
	b->num_pages = drv_nr_pages(h->start, h->len);
	ret = -EFAULT;			/* qib_tid_update(): no TIDs asked */
	if (!b->num_pages)
		goto out;
	b->pages = calloc(b->num_pages, sizeof(*b->pages));
	ret = -ENOMEM;
	if (!b->pages)
		goto out;
	ret = qib_get_user_pages(b, h->start & PAGE_MASK);
	if (ret)
		goto out;
	ret = drv_set_view_pages(h, b->pages, b->num_pages,
				 h->start & ~PAGE_MASK, h->len);
	h->nr_pinned = b->num_pages;
	h->priv = b;
	return ret;
out:
	free(b->pages);
	free(b);
	return ret;
}

static void qib_release(struct drv_handle *h)
{
	struct qib_tid_buf *b = h->priv;

	drv_gup_release(&b->gup, b->pages, b->num_pages, true);
	mm_pinned_vm_add(b->mm, -(long)b->num_pages);
	free(b->pages);
	free(b);
	h->priv = NULL;
}

const struct driver_ops qib_driver = {
	.name = "qib",
	.reg = qib_reg,
	.release = qib_release,
};
