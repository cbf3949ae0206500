// SPDX-License-Identifier: GPL-2.0
/*
 * powerpc IOMMU memory preregistration (VFIO_IOMMU_SPAPR_REGISTER_MEMORY):
 * tce_iommu_register_pages() -> mm_iommu_new() -> mm_iommu_do_alloc()
 * (arch/powerpc/mm/book3s64/iommu_api.c) as in Linux 6.18. This is the
 * caller whose long-term pins of CMA pages (KVM guests' RAM) made
 * FOLL_LONGTERM migrate pages out of CMA before pinning.
 *
 *  - address and size must be page aligned (-EINVAL), size non-zero;
 *  - accounting first: account_locked_vm(mm, entries) against
 *    RLIMIT_MEMLOCK unless CAP_IPC_LOCK (-ENOMEM);
 *  - pin_user_pages(FOLL_WRITE | FOLL_LONGTERM) under mmap_read_lock, in
 *    chunks of (PAGE_SIZE << MAX_PAGE_ORDER) / sizeof(pointer) entries,
 *    stopping at the first short chunk. If not everything was pinned,
 *    what was pinned is unpinned and the charge taken back; the result
 *    is then -EFAULT only when the last call returned 0 or an error;
 *    after a short positive count the kernel returns that (positive)
 *    count although nothing stays registered. Modelled as is: such a
 *    registration reports the count and holds nothing;
 *  - a region overlapping one already registered -> -EINVAL (the model
 *    keeps one region per handle, so this cannot happen here);
 *  - release (mm_iommu_put): one unpin per page, dirtied only if the
 *    device wrote it (the TCE code marks entries dirty on DMA write),
 *    then account_locked_vm(-entries).
 *
 * Older releases (kernel-version profiles): until 5.6 the pages were
 * FOLL_GET references (5.1: get_user_pages_longterm(), 5.2, the seed
 * series: get_user_pages(FOLL_WRITE | FOLL_LONGTERM)), given back with
 * put_page() (and SetPageDirty()); 5.2 also had its own
 * mm_iommu_adjust_locked_vm() instead of account_locked_vm(), charging
 * the same locked_vm (not modelled apart).
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define PPC_MAX_PAGE_ORDER	10

struct mm_iommu_mem {
	struct drv_gup gup;		/* how this release pins */
	struct mm_struct *mm;
	struct page **hpages;
	unsigned long entries;
	unsigned long locked_entries;
};

static long mm_iommu_do_alloc(struct mm_iommu_mem *mem, unsigned long ua)
{
	unsigned long chunk, entry;
	long ret, pinned = 0;

	ret = account_locked_vm(mem->mm, mem->entries, true);
	if (ret)
		return ret;
	mem->locked_entries = mem->entries;
	mem->hpages = calloc(mem->entries, sizeof(*mem->hpages));
	if (!mem->hpages) {
		ret = -ENOMEM;
		goto unlock_exit;
	}
	mmap_read_lock(mem->mm);
	chunk = (PAGE_SIZE << PPC_MAX_PAGE_ORDER) / sizeof(void *);
	if (chunk > mem->entries)
		chunk = mem->entries;
	for (entry = 0; entry < mem->entries; entry += chunk) {
		unsigned long n = mem->entries - entry < chunk ?
				  mem->entries - entry : chunk;

		ret = drv_gup_pages(&mem->gup, ua + (entry << PAGE_SHIFT), n,
				    FOLL_WRITE | FOLL_LONGTERM,
				    mem->hpages + entry);
		if (ret == (long)n) {
			pinned += n;
			continue;
		}
		if (ret > 0)
			pinned += ret;
		break;
	}
	mmap_read_unlock(mem->mm);
	if (pinned == (long)mem->entries)
		return 0;
	if (!ret)
		ret = -EFAULT;
	drv_gup_release(&mem->gup, mem->hpages, pinned, false);
	free(mem->hpages);
	mem->hpages = NULL;
unlock_exit:
	account_locked_vm(mem->mm, mem->locked_entries, false);
	return ret;
}

static long ppc_iommu_reg(struct drv_handle *h)
{
	struct mm_iommu_mem *mem;
	long ret;

	if ((h->start & ~PAGE_MASK) || (h->len & ~PAGE_MASK) || !h->len)
		return -EINVAL;
	mem = calloc(1, sizeof(*mem));
	if (!mem)
		return -ENOMEM;
	mem->mm = task_mm(current);
	mem->gup = (struct drv_gup){ .pin = kernel_has(PPC_IOMMU_PIN) };
	mem->entries = h->len >> PAGE_SHIFT;
	ret = mm_iommu_do_alloc(mem, h->start);
	if (ret)
		goto out;
	ret = drv_set_view_pages(h, mem->hpages, mem->entries, 0, h->len);
	h->nr_pinned = mem->entries;
	h->priv = mem;
	return ret;
out:
	free(mem);
	return ret;
}

static void ppc_iommu_release(struct drv_handle *h)
{
	struct mm_iommu_mem *mem = h->priv;

	for (unsigned long i = 0; i < mem->entries; i++)
		drv_gup_release(&mem->gup, &mem->hpages[i], 1,
				h->dev_written && h->dev_written[i]);
	account_locked_vm(mem->mm, mem->entries, false);
	free(mem->hpages);
	free(mem);
	h->priv = NULL;
}

const struct driver_ops ppc_iommu_driver = {
	.name = "ppc_iommu",
	.reg = ppc_iommu_reg,
	.release = ppc_iommu_release,
};
