// SPDX-License-Identifier: GPL-2.0
/*
 * AF_XDP umem registration: setsockopt(XDP_UMEM_REG) -> xdp_umem_reg()
 * (net/xdp/xdp_umem.c) as in Linux 6.18, in aligned-chunk mode with the
 * default chunk (frame) size of 4096 bytes and no headroom.
 *
 *  - the area must start on a page boundary, hold at least one chunk and
 *    a whole number of chunks, and not wrap: otherwise -EINVAL;
 *  - accounting first, per user: without CAP_IPC_LOCK the pages are
 *    added to the user_struct's locked_vm by compare-and-swap, refused
 *    past RLIMIT_MEMLOCK with -ENOBUFS (not -ENOMEM); with the cap
 *    nothing is charged;
 *  - one pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) call over the whole
 *    area under mmap_read_lock: the umem is always writable, whatever
 *    the socket will do with it. A short count is unpinned (and
 *    dirtied, as the same helper serves release) and becomes -ENOMEM;
 *    an error is returned as is; the charge is then taken back;
 *  - release: unpin_user_pages_dirty_lock(dirty), then uncharge.
 *
 * Older releases (kernel-version profiles): until 5.6 the pages were
 * FOLL_GET references (5.1: get_user_pages_longterm(FOLL_WRITE), 5.2:
 * get_user_pages(FOLL_WRITE | FOLL_LONGTERM)) under mmap_sem, released
 * with set_page_dirty_lock() + put_page() per page.
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define XDP_CHUNK_SIZE	4096UL

struct xdp_umem {
	struct drv_gup gup;		/* how this release pins */
	struct user_struct *user;	/* charged; NULL with CAP_IPC_LOCK */
	struct page **pgs;
	unsigned long npgs;
};

static int xdp_umem_account_pages(struct xdp_umem *umem)
{
	if (capable_ipc_lock())
		return 0;
	umem->user = get_current_user();
	if (!umem->user)
		return -ENOBUFS;
	if (user_locked_vm_charge(umem->user, umem->npgs,
				  drv_memlock_pages())) {
		free_uid(umem->user);
		umem->user = NULL;
		return explain_err(-ENOBUFS, "xdp_umem_account_pages",
				   "the user's locked_vm charge was refused: AF_XDP says ENOBUFS");
	}
	return 0;
}

static void xdp_umem_unaccount_pages(struct xdp_umem *umem)
{
	if (!umem->user)
		return;
	user_locked_vm_uncharge(umem->user, umem->npgs);
	free_uid(umem->user);
	umem->user = NULL;
}

static int xdp_umem_pin_pages(struct xdp_umem *umem, unsigned long address)
{
	struct mm_struct *mm = task_mm(current);
	long npgs;

	umem->pgs = calloc(umem->npgs, sizeof(*umem->pgs));
	if (!umem->pgs)
		return -ENOMEM;
	mmap_read_lock(mm);
	npgs = drv_gup_pages(&umem->gup, address, umem->npgs,
			     FOLL_WRITE | FOLL_LONGTERM, umem->pgs);
	mmap_read_unlock(mm);
	if (npgs == (long)umem->npgs)
		return 0;
	if (npgs > 0)
		drv_gup_release(&umem->gup, umem->pgs, npgs, true);
	free(umem->pgs);
	umem->pgs = NULL;
	return npgs >= 0 ? -ENOMEM : (int)npgs;
}

static long xdp_umem_reg(struct drv_handle *h)
{
	unsigned long addr = h->start, size = h->len, end;
	struct xdp_umem *umem;
	int err;

	if (!PAGE_ALIGNED(addr) || __builtin_add_overflow(addr, size, &end))
		return -EINVAL;
	if (size / XDP_CHUNK_SIZE == 0 || size % XDP_CHUNK_SIZE)
		return -EINVAL;
	if (drv_nr_pages(addr, size) > UINT32_MAX)
		return -EINVAL;
	umem = calloc(1, sizeof(*umem));
	if (!umem)
		return -ENOMEM;
	umem->npgs = drv_nr_pages(addr, size);
	umem->gup = (struct drv_gup){ .pin = kernel_has(XDP_PIN) };
	err = xdp_umem_account_pages(umem);
	if (err)
		goto out_free;
	err = xdp_umem_pin_pages(umem, addr);
	if (err)
		goto out_account;
	/* xdp_umem_addr_map(): the kernel vmap()s the pages; so does the view */
	err = drv_set_view_pages(h, umem->pgs, umem->npgs, 0, size);
	if (err) {
		drv_gup_release(&umem->gup, umem->pgs, umem->npgs, true);
		free(umem->pgs);
		goto out_account;
	}
	h->nr_pinned = umem->npgs;
	h->priv = umem;
	return 0;
out_account:
	xdp_umem_unaccount_pages(umem);
out_free:
	free(umem);
	return err;
}

static void xdp_umem_release(struct drv_handle *h)
{
	struct xdp_umem *umem = h->priv;

	drv_gup_release(&umem->gup, umem->pgs, umem->npgs, true);
	free(umem->pgs);
	xdp_umem_unaccount_pages(umem);
	free(umem);
	h->priv = NULL;
}

const struct driver_ops xdp_driver = {
	.name = "xdp",
	.reg = xdp_umem_reg,
	.release = xdp_umem_release,
};
