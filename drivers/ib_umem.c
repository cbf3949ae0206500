// SPDX-License-Identifier: GPL-2.0
/*
 * RDMA memory registration: ib_umem_get() / ib_umem_release()
 * (drivers/infiniband/core/umem.c) as in Linux 6.18, for a non-ODP MR.
 *
 *  - addr + size overflowing (or its PAGE_ALIGN) -> -EINVAL;
 *    can_do_mlock() false (RLIMIT_MEMLOCK 0 without CAP_IPC_LOCK) -> -EPERM;
 *    zero pages -> -EINVAL;
 *  - accounting first: every page of the range is added to
 *    mm->pinned_vm; past RLIMIT_MEMLOCK without CAP_IPC_LOCK it is taken
 *    back and the call fails with -ENOMEM. Note the check compares the
 *    mm's whole pinned_vm (io_uring's and others' charges included);
 *  - pinning in chunks of PAGE_SIZE / sizeof(struct page *) = 512 pages,
 *    pin_user_pages_fast(FOLL_LONGTERM, plus FOLL_WRITE for a writable
 *    MR), appending each chunk to the scatterlist. A short chunk is not an
 *    error: the loop continues at the first page not pinned, so a hole or
 *    a read-only page is met again and returns its error then;
 *  - on any error everything pinned so far is unpinned (not dirtied) and
 *    pinned_vm is given back;
 *  - release: unpin_user_page_range_dirty_lock() with dirty for a
 *    writable MR, then pinned_vm -= pages.
 *
 * Older releases (kernel-version profiles): until 6.2 FOLL_WRITE was
 * always asked and FOLL_FORCE added for a read-only MR (to break COW at
 * registration), so a read-only MR of a PROT_READ shared mapping failed
 * with -EFAULT. Until 5.6 the pages were FOLL_GET references taken by
 * get_user_pages() under mmap_sem (5.1: get_user_pages_longterm(), 5.2:
 * FOLL_LONGTERM) and given back with put_page().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define IB_UMEM_CHUNK	(PAGE_SIZE / sizeof(struct page *))

struct ib_umem {
	struct drv_gup gup;		/* how this release pins */
	struct mm_struct *owning_mm;
	struct page **pages;
	unsigned long npages;		/* accounted */
	unsigned long nr_pinned;
	bool writable;
};

static void ib_umem_unpin(struct ib_umem *umem, bool dirty)
{
	drv_gup_release(&umem->gup, umem->pages, umem->nr_pinned,
			dirty && umem->writable);
	umem->nr_pinned = 0;
}

static long ib_umem_pin(struct ib_umem *umem, unsigned long cur_base)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long left = umem->npages;

	if (umem->writable || !kernel_has(IB_UMEM_NO_FORCE))
		gup_flags |= FOLL_WRITE;
	if (!umem->writable && !kernel_has(IB_UMEM_NO_FORCE))
		gup_flags |= FOLL_FORCE;
	while (left) {
		int n = left < IB_UMEM_CHUNK ? (int)left : (int)IB_UMEM_CHUNK;
		long pinned = drv_gup_pages(&umem->gup, cur_base, n, gup_flags,
					    umem->pages + umem->nr_pinned);

		if (pinned < 0)
			return pinned;
		cur_base += (unsigned long)pinned * PAGE_SIZE;
		left -= pinned;
		umem->nr_pinned += pinned;
	}
	return 0;
}

static long ib_umem_get(struct drv_handle *h)
{
	unsigned long addr = h->start, size = h->len, end;
	unsigned long new_pinned;
	struct ib_umem *umem;
	long ret;

	if (__builtin_add_overflow(addr, size, &end) || PAGE_ALIGN(end) < end)
		return -EINVAL;
	if (!can_do_mlock())
		return explain_err(-EPERM, "ib_umem_get",
				   "can_do_mlock(): RLIMIT_MEMLOCK is 0 and no CAP_IPC_LOCK");
	umem = calloc(1, sizeof(*umem));
	if (!umem)
		return -ENOMEM;
	umem->owning_mm = h->mm;
	umem->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN),
				      .fast = kernel_has(IB_UMEM_GUP_FAST),
				      .lock = true };
	umem->writable = h->write;
	umem->npages = drv_nr_pages(addr, size);
	ret = -EINVAL;
	if (!umem->npages || umem->npages > UINT32_MAX)
		goto out_free;
	umem->pages = calloc(umem->npages, sizeof(*umem->pages));
	ret = -ENOMEM;
	if (!umem->pages)
		goto out_free;
	new_pinned = mm_pinned_vm_add(h->mm, (long)umem->npages);
	if (new_pinned > drv_memlock_pages() && !capable_ipc_lock()) {
		explain_rule("ib_umem_get",
			     "mm->pinned_vm would be %lu pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK (ENOMEM)",
			     new_pinned, drv_memlock_pages());
		mm_pinned_vm_add(h->mm, -(long)umem->npages);
		goto out_free;
	}
	ret = ib_umem_pin(umem, addr & PAGE_MASK);
	if (!ret)
		ret = drv_set_view_pages(h, umem->pages, umem->nr_pinned,
					 addr & ~PAGE_MASK, size);
	if (ret) {
		ib_umem_unpin(umem, false);
		mm_pinned_vm_add(h->mm, -(long)umem->npages);
		goto out_free;
	}
	h->nr_pinned = umem->nr_pinned;
	h->priv = umem;
	return 0;
out_free:
	free(umem->pages);
	free(umem);
	return ret;
}

static void ib_umem_release(struct drv_handle *h)
{
	struct ib_umem *umem = h->priv;

	ib_umem_unpin(umem, true);
	mm_pinned_vm_add(umem->owning_mm, -(long)umem->npages);
	free(umem->pages);
	free(umem);
	h->priv = NULL;
}

const struct driver_ops ib_umem_driver = {
	.name = "ib_umem",
	.reg = ib_umem_get,
	.release = ib_umem_release,
};
