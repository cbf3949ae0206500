// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 IOMMU DMA mapping: VFIO_IOMMU_MAP_DMA -> vfio_dma_do_map()
 * -> vfio_pin_map_dma() -> vfio_pin_pages_remote() -> vaddr_get_pfns(),
 * and VFIO_IOMMU_UNMAP_DMA (drivers/vfio/vfio_iommu_type1.c) as in Linux
 * 6.18, for a container with an IOMMU-backed domain (pages are pinned at
 * map time). The iova is taken equal to the user address.
 *
 *  - size 0, or size / vaddr not aligned to the IOMMU page size (4 KiB
 *    here), or vaddr + size wrapping -> -EINVAL. The device always reads;
 *    `write` adds IOMMU_WRITE;
 *  - the mapping records current (its group leader), current->mm and
 *    whether current has CAP_IPC_LOCK (lock_cap), once, at map time;
 *    a registration of another task's mapping (driver_register_mm(),
 *    the scenario's `driver vfio ... mm=OTHER`) records that owner and
 *    its mm instead and pins them from current's context,: the whole
 *    mapping goes through vaddr_get_pfns()' remote branch, the one a
 *    vendor driver's vfio_pin_pages() takes from another context;
 *  - pinning: batches of PAGE_SIZE / sizeof(struct page *) = 512 pages
 *    through pin_user_pages_remote(dma->mm, FOLL_LONGTERM, plus
 *    FOLL_WRITE with IOMMU_WRITE) under mmap_read_lock of that mm (the
 *    "remote" call is used for the owner's own mm too). The pages are
 *    consumed in physically contiguous runs, each run one IOMMU mapping;
 *  - VM_PFNMAP fall-back: when the pin fails and the address lies in a
 *    VM_PFNMAP VMA, the frame is looked up in the page table
 *    (follow_pfnmap) and, if it has no struct page to pin (MMIO), mapped
 *    unpinned and unaccounted; a frame with a struct page there, or a
 *    write through a read-only PFN entry -> -EFAULT. Reserved and pinned
 *    frames never share a run;
 *  - accounting per page, before each is taken: without lock_cap,
 *    mm->locked_vm + pages so far must stay within the owner's
 *    RLIMIT_MEMLOCK (-ENOMEM); each run is then charged with
 *    __account_locked_vm(mm, n, task, lock_cap);
 *  - any failure unpins everything (dirtied when IOMMU_WRITE), gives the
 *    charge back and returns the error; nothing stays mapped;
 *  - unmap: unpin_user_pages_dirty_lock(dirty = IOMMU_WRITE) per frame
 *    that was pinned, and __account_locked_vm(-pinned).
 *
 * The external (mdev) path, vfio_pin_pages(): a vendor driver running in
 * any context pins single pages of a mapping in dma->mm, which need not
 * be current's, through the same vaddr_get_pfns(); with an IOMMU-backed
 * domain these are not charged again.
 *
 * Older releases (kernel-version profiles): before 5.6 vaddr_get_pfn()
 * took FOLL_GET references, with get_user_pages(FOLL_LONGTERM) (5.1:
 * get_user_pages_longterm()) when mm == current->mm and with
 * get_user_pages_remote() without FOLL_LONGTERM otherwise, refusing
 * fs-DAX itself on that path (see vfio_gup()), released with put_page().
 * Until 6.0 the zero page's pin (a R/O long-term pin takes it before
 * 6.2) leaked: mapped as a reserved frame, uncharged, never unpinned.
 * Not modelled: it pinned one page at a time until 5.12's batches (the
 * same answers), and did the RLIMIT check by hand in vfio_lock_acct().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define VFIO_BATCH_MAX	((int)(PAGE_SIZE / sizeof(struct page *)))
#define IOMMU_PGSIZE	PAGE_SIZE

struct vfio_batch {
	struct page *pages[VFIO_BATCH_MAX];
	int size;			/* pinned pages not yet consumed */
	int offset;			/* first of them */
};

struct vfio_dma {
	struct drv_gup gup;		/* how this release pins */
	struct task_struct *task;
	struct mm_struct *mm;
	bool lock_cap, write;
	unsigned long vaddr, npages;
	/* per page of the mapping: its frame, and its page when pinned */
	unsigned long *pfns;
	struct page **pages;
	unsigned long nr_mapped;	/* pages[0 .. nr_mapped) are set */
	unsigned long nr_runs;		/* IOMMU mappings made */
	long locked;			/* pages charged to mm->locked_vm */
	/* external (mdev) pins: per page, how many */
	unsigned int *ext_refs;
	struct page **ext_pages;
};

static void vfio_batch_unpin(struct vfio_dma *dma, struct vfio_batch *b)
{
	while (b->size) {
		drv_gup_release(&dma->gup, &b->pages[b->offset++], 1,
				dma->write);
		b->size--;
	}
}

/* vfio_lock_acct(): charges (npage > 0) or uncharges the owner's mm. */
static int vfio_lock_acct(struct vfio_dma *dma, long npage)
{
	int ret;

	if (!npage)
		return 0;
	mmap_write_lock(dma->mm);
	ret = __account_locked_vm(dma->mm, npage > 0 ? npage : -npage,
				  npage > 0, dma->task, dma->lock_cap);
	mmap_write_unlock(dma->mm);
	if (!ret)
		dma->locked += npage;
	return ret;
}

/*
 * Before 5.6 the remote path checked fs-DAX itself, after the pin, on the
 * VMA of each page it got (vma_is_fsdax(vmas[0])): put the pages back and
 * -EOPNOTSUPP. "mm: fix get_user_pages_remote()'s handling of
 * FOLL_LONGTERM" moved the check into GUP.
 */
static long vfio_remote_dax_check(struct vfio_dma *dma, unsigned long vaddr,
				  long ret, struct page **pages)
{
	for (long i = 0; i < ret; i++) {
		if (vma_backing(dma->mm, vaddr + i * PAGE_SIZE, NULL) !=
		    VMA_BACKING_DAX)
			continue;
		drv_gup_release(&dma->gup, pages, ret, false);
		return explain_err(-EOPNOTSUPP, "vaddr_get_pfn",
				   "page at %#lx of another mm lies in an fs-DAX VMA (vfio's own check before 5.6)",
				   vaddr + i * PAGE_SIZE);
	}
	return ret;
}

/*
 * The pin call of the running release. From 5.6 pin_user_pages_remote()
 * with FOLL_LONGTERM for any mm. Before, get_user_pages(FOLL_LONGTERM)
 * (5.1: get_user_pages_longterm()) when the mm is current's, and
 * get_user_pages_remote() without FOLL_LONGTERM for another mm: those
 * pages were not moved out of CMA, and fs-DAX was refused by vfio's own
 * check. c4237f8b1f4f (5.6) let the remote call take FOLL_LONGTERM and
 * vfio pass it. Caller holds mmap_read_lock(dma->mm).
 */
static long vfio_gup(struct vfio_dma *dma, unsigned long vaddr, long n,
		     unsigned int flags, struct page **pages)
{
	bool remote = !current || task_mm(current) != dma->mm;
	long ret;

	if (remote && !kernel_has(REMOTE_LONGTERM)) {
		ret = get_user_pages_remote(dma->mm, vaddr, n,
					    flags & ~FOLL_LONGTERM, pages,
					    NULL);
		return ret > 0 ? vfio_remote_dax_check(dma, vaddr, ret, pages)
			       : ret;
	}
	if (dma->gup.pin)
		return pin_user_pages_remote(dma->mm, vaddr, n, flags, pages,
					     NULL);
	if (!remote)
		return drv_gup_pages(&dma->gup, vaddr, n, flags, pages);
	/* c4237f8b1f4f without the FOLL_PIN conversion (both are 5.6) */
	return get_user_pages_remote(dma->mm, vaddr, n, flags, pages, NULL);
}

/*
 * vaddr_get_pfns(): pins up to a batch, or finds one PFNMAP frame.
 * Returns the number of frames (pinned ones land in b), or -errno.
 */
static long vaddr_get_pfns(struct vfio_dma *dma, unsigned long vaddr,
			   unsigned long npages, unsigned long *pfn,
			   struct vfio_batch *b)
{
	unsigned int flags = FOLL_LONGTERM | (dma->write ? FOLL_WRITE : 0);
	long n = npages < (unsigned long)VFIO_BATCH_MAX ? (long)npages :
		 VFIO_BATCH_MAX;
	long ret;

	mmap_read_lock(dma->mm);
	ret = vfio_gup(dma, vaddr, n, flags, b->pages);
	if (ret > 0) {
		*pfn = page_to_pfn(b->pages[0]);
		b->size = (int)ret;
		b->offset = 0;
		goto done;
	}
	if (!ret)
		ret = -EFAULT;
	if (!follow_pfnmap_pfn(dma->mm, vaddr, dma->write, pfn))
		ret = is_invalid_reserved_pfn(*pfn) ? 1 : -EFAULT;
done:
	mmap_read_unlock(dma->mm);
	return ret;
}

/* Gives back pages [first, first + n) of the mapping (pinned ones only). */
static void vfio_unpin_range(struct vfio_dma *dma, unsigned long first,
			     unsigned long n)
{
	for (unsigned long i = first; i < first + n; i++) {
		if (dma->pages[i])
			drv_gup_release(&dma->gup, &dma->pages[i], 1,
					dma->write);
		dma->pages[i] = NULL;
	}
}

/*
 * A pinned page that is reserved is the zero page, which a R/O long-term
 * pin took before 6.2 unshared it: it is mapped like a reserved frame,
 * uncharged, and from 6.0 ("vfio/type1: Unpin zero pages") its pin is
 * dropped at once. Before, put_pfn() skipped reserved frames, at map and
 * at unmap: the pin leaked (the zero page's refcount shows it; it is
 * never freed).
 */
static void vfio_pinned_reserved(struct vfio_dma *dma, struct page **page)
{
	if (kernel_has(VFIO_UNPIN_ZERO_PAGE)) {
		drv_gup_release(&dma->gup, page, 1, false);
		return;
	}
	explain_rule("vfio_pin_pages_remote",
		     "pfn %#lx is reserved (the zero page): mapped uncharged, its pin never dropped (put_pfn() skips reserved frames until 6.0)",
		     page_to_pfn(*page));
}

/*
 * vfio_pin_pages_remote(): one physically contiguous run of frames from
 * page idx on, charged. Returns its length, or -errno with everything
 * this call took given back. Pages pinned past the run stay in b.
 */
static long vfio_pin_run(struct vfio_dma *dma, unsigned long idx,
			 unsigned long npage, struct vfio_batch *b)
{
	unsigned long limit = task_rlimit_memlock(dma->task) >> PAGE_SHIFT;
	unsigned long vaddr = dma->vaddr + idx * PAGE_SIZE;
	unsigned long pfn = 0, pfn_base = 0;
	long ret = 0, pinned = 0, lock_acct = 0;
	bool rsvd = false;

	if (b->size) {
		pfn_base = page_to_pfn(b->pages[b->offset]);
		rsvd = is_invalid_reserved_pfn(pfn_base);
	}
	while (npage) {
		if (!b->size) {
			ret = vaddr_get_pfns(dma, vaddr, npage, &pfn, b);
			if (ret < 0)
				goto unpin_out;
			if (!pinned) {
				pfn_base = pfn;
				rsvd = is_invalid_reserved_pfn(pfn);
			}
			if (!b->size) {		/* a PFNMAP frame */
				if (pfn != pfn_base + pinned ||
				    rsvd != is_invalid_reserved_pfn(pfn))
					goto out;
				dma->pfns[idx + pinned] = pfn;
				dma->pages[idx + pinned] = NULL;
				pinned += ret;
				npage -= ret;
				vaddr += ret * PAGE_SIZE;
				continue;
			}
		}
		pfn = page_to_pfn(b->pages[b->offset]);
		if (pfn != pfn_base + pinned ||
		    rsvd != is_invalid_reserved_pfn(pfn))
			goto out;
		/* reserved frames are never charged; pinned ones one by one */
		if (!rsvd && !dma->lock_cap &&
		    (unsigned long)mm_locked_vm(dma->mm) + lock_acct + 1 >
		    limit) {
			ret = explain_err(-ENOMEM, "vfio_pin_pages_remote",
					  "mm->locked_vm %ld + %ld pages > RLIMIT_MEMLOCK %lu pages, no CAP_IPC_LOCK",
					  mm_locked_vm(dma->mm), lock_acct + 1,
					  limit);
			goto unpin_out;
		}
		lock_acct += !rsvd;
		dma->pfns[idx + pinned] = pfn;
		dma->pages[idx + pinned] = rsvd ? NULL : b->pages[b->offset];
		if (rsvd)
			vfio_pinned_reserved(dma, &b->pages[b->offset]);
		pinned++;
		npage--;
		vaddr += PAGE_SIZE;
		b->offset++;
		b->size--;
	}
out:
	ret = vfio_lock_acct(dma, lock_acct);
unpin_out:
	if (ret < 0) {
		vfio_unpin_range(dma, idx, pinned);
		vfio_batch_unpin(dma, b);
		return ret;
	}
	return pinned;
}

/* vfio_unmap_unpin(): every run, then the charge. */
static void vfio_unmap_unpin(struct vfio_dma *dma)
{
	vfio_unpin_range(dma, 0, dma->nr_mapped);
	dma->nr_mapped = 0;
	if (dma->locked)
		vfio_lock_acct(dma, -dma->locked);
}

static long vfio_pin_map_dma(struct vfio_dma *dma)
{
	struct vfio_batch *b = calloc(1, sizeof(*b));
	long ret = 0;

	if (!b)
		return -ENOMEM;
	while (dma->nr_mapped < dma->npages) {
		ret = vfio_pin_run(dma, dma->nr_mapped,
				   dma->npages - dma->nr_mapped, b);
		if (ret <= 0) {
			if (!ret)
				ret = -EFAULT;
			break;
		}
		/* iommu_map() of the run: the model's IOMMU cannot fail */
		dma->nr_mapped += ret;
		dma->nr_runs++;
		ret = 0;
	}
	vfio_batch_unpin(dma, b);
	free(b);
	if (ret)
		vfio_unmap_unpin(dma);
	return ret;
}

static void vfio_dma_free(struct vfio_dma *dma)
{
	free(dma->pfns);
	free(dma->pages);
	free(dma->ext_refs);
	free(dma->ext_pages);
	free(dma);
}

/*
 * CAP_IPC_LOCK as the owner's VFIO_IOMMU_MAP_DMA sampled it. The owner is
 * current, except for a registration pinned from another task's context
 * (driver_register_mm()): the mapping is the owner's all the same.
 */
static bool owner_capable_ipc_lock(struct task_struct *owner)
{
	struct task_struct *saved = current;
	bool cap;

	current = owner;
	cap = capable_ipc_lock();
	current = saved;
	return cap;
}

static long vfio_dma_do_map(struct drv_handle *h)
{
	unsigned long vaddr = h->start, size = h->len, end;
	struct vfio_dma *dma;
	long ret;

	if (!size || ((size | vaddr) & (IOMMU_PGSIZE - 1)))
		return -EINVAL;
	if (__builtin_add_overflow(vaddr, size - 1, &end))
		return -EINVAL;
	dma = calloc(1, sizeof(*dma));
	if (!dma)
		return -ENOMEM;
	dma->task = h->task;
	dma->mm = h->mm;
	dma->gup = (struct drv_gup){ .pin = kernel_has(VFIO_PIN) };
	dma->lock_cap = owner_capable_ipc_lock(h->task);
	dma->write = h->write;
	dma->vaddr = vaddr;
	dma->npages = size >> PAGE_SHIFT;
	dma->pfns = calloc(dma->npages, sizeof(*dma->pfns));
	dma->pages = calloc(dma->npages, sizeof(*dma->pages));
	dma->ext_refs = calloc(dma->npages, sizeof(*dma->ext_refs));
	dma->ext_pages = calloc(dma->npages, sizeof(*dma->ext_pages));
	ret = -ENOMEM;
	if (!dma->pfns || !dma->pages || !dma->ext_refs || !dma->ext_pages)
		goto out;
	ret = vfio_pin_map_dma(dma);
	if (ret)
		goto out;
	ret = drv_set_view_pfns(h, dma->pfns, dma->npages, 0, size);
	if (ret) {
		vfio_unmap_unpin(dma);
		goto out;
	}
	for (unsigned long i = 0; i < dma->npages; i++)
		h->nr_pinned += dma->pages[i] != NULL;
	h->priv = dma;
	return 0;
out:
	vfio_dma_free(dma);
	return ret;
}

static void vfio_dma_unmap(struct drv_handle *h)
{
	struct vfio_dma *dma = h->priv;

	/* the vendor driver must have unpinned; drop what it forgot */
	for (unsigned long i = 0; i < dma->npages; i++)
		while (dma->ext_refs[i])
			vfio_unpin_pages_external(h, i, 1);
	vfio_unmap_unpin(dma);
	vfio_dma_free(dma);
	h->priv = NULL;
}

/*
 * vfio_pin_pages() -> vfio_pin_page_external(): pages [first_page,
 * first_page + npage) of the mapping, pinned in dma->mm whatever current
 * is. A page pinned externally already only gains a reference. Returns
 * npage, or -errno with nothing new held. Not charged: the container's
 * IOMMU domain charged the mapping at map time.
 */
long vfio_pin_pages_external(struct drv_handle *h, unsigned long first_page,
			     int npage, bool write, struct page **pages)
{
	struct vfio_dma *dma = h ? h->priv : NULL;
	struct vfio_batch *b;
	long ret = 0;
	int i;

	if (!dma || npage <= 0 || first_page + npage > dma->npages)
		return -EINVAL;
	if (write && !dma->write)
		return -EPERM;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (i = 0; i < npage; i++) {
		unsigned long idx = first_page + i, pfn;

		if (!dma->ext_refs[idx]) {
			b->size = 0;
			ret = vaddr_get_pfns(dma, dma->vaddr + idx * PAGE_SIZE,
					     1, &pfn, b);
			if (ret != 1) {
				ret = ret < 0 ? ret : -EFAULT;
				break;
			}
			dma->ext_pages[idx] = b->size ? b->pages[0] : NULL;
		}
		dma->ext_refs[idx]++;
		pages[i] = dma->ext_pages[idx];
	}
	free(b);
	if (ret < 0) {
		vfio_unpin_pages_external(h, first_page, i);
		return ret;
	}
	return npage;
}

void vfio_unpin_pages_external(struct drv_handle *h, unsigned long first_page,
			       int npage)
{
	struct vfio_dma *dma = h ? h->priv : NULL;

	if (!dma || npage <= 0 || first_page + npage > dma->npages)
		return;
	for (int i = 0; i < npage; i++) {
		unsigned long idx = first_page + i;

		if (!dma->ext_refs[idx] || --dma->ext_refs[idx])
			continue;
		if (dma->ext_pages[idx])
			drv_gup_release(&dma->gup, &dma->ext_pages[idx], 1,
					dma->write);
		dma->ext_pages[idx] = NULL;
	}
}

const struct driver_ops vfio_driver = {
	.name = "vfio",
	.reg = vfio_dma_do_map,
	.release = vfio_dma_unmap,
};
