// SPDX-License-Identifier: GPL-2.0
/*
 * The driver registry: kind name -> ops, registration and release with
 * `current` set as the kernel would have it (the registering process),
 * and the device's view of a registration (DMA through the frames the
 * driver handed over, never through a page table).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"

const struct driver_ops *const driver_kinds[] = {
	&io_uring_driver, &ib_umem_driver, &vfio_driver, &xdp_driver,
	&videobuf_driver, &qib_driver, &hfi1_driver, &usnic_driver,
	&mthca_driver, &ppc_iommu_driver, &qib_sdma_driver, NULL,
};

const struct driver_ops *driver_lookup(const char *kind)
{
	for (int i = 0; driver_kinds[i]; i++)
		if (!strcmp(driver_kinds[i]->name, kind))
			return driver_kinds[i];
	return NULL;
}

/* Runs fn with current = task, restoring whatever was current before. */
static long with_current(struct task_struct *task,
			 long (*fn)(struct drv_handle *), struct drv_handle *h)
{
	struct task_struct *saved = current;
	long ret;

	current = task;
	ret = fn(h);
	current = saved;
	return ret;
}

static long release_fn(struct drv_handle *h)
{
	h->ops->release(h);
	return 0;
}

static void drv_free(struct drv_handle *h)
{
	drv_clear_view(h);
	free(h);
}

/*
 * The shipped drivers that pin in the mm the handle names rather than in
 * current's: only vfio (vaddr_get_pfns() pins in dma->mm, whoever runs).
 */
static bool pins_other_mm(const struct driver_ops *ops)
{
	for (int i = 0; driver_kinds[i]; i++)
		if (driver_kinds[i] == ops)
			return ops == &vfio_driver;
	return true;		/* out of tree: its author says so */
}

long driver_register_ops_mm(const struct driver_ops *ops,
			    struct task_struct *task, struct task_struct *owner,
			    unsigned long start, unsigned long len, bool write,
			    struct drv_handle **out)
{
	struct drv_handle *h;
	long ret;

	*out = NULL;
	if (!ops || !ops->reg || !ops->release || !task || !owner)
		return -EINVAL;
	if (owner != task && !pins_other_mm(ops))
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->ops = ops;
	h->task = owner;
	h->mm = task_mm(owner);
	h->start = start;
	h->len = len;
	h->write = write;
	ret = with_current(task, ops->reg, h);
	/*
	 * A driver that keeps nothing has nothing to release, whatever it
	 * returned (ppc_iommu may fail with a positive count).
	 */
	if (!h->priv) {
		drv_free(h);
		return ret;
	}
	*out = h;
	return ret;
}

long driver_register_ops(const struct driver_ops *ops,
			 struct task_struct *task, unsigned long start,
			 unsigned long len, bool write,
			 struct drv_handle **out)
{
	return driver_register_ops_mm(ops, task, task, start, len, write, out);
}

long driver_register(const char *kind, struct task_struct *task,
		     unsigned long start, unsigned long len, bool write,
		     struct drv_handle **out)
{
	return driver_register_ops(driver_lookup(kind), task, start, len,
				   write, out);
}

long driver_register_mm(const char *kind, struct task_struct *task,
			struct task_struct *owner, unsigned long start,
			unsigned long len, bool write, struct drv_handle **out)
{
	return driver_register_ops_mm(driver_lookup(kind), task, owner, start,
				      len, write, out);
}

void driver_release(struct drv_handle *h)
{
	if (!h)
		return;
	with_current(h->task, release_fn, h);
	drv_free(h);
}

int driver_dev_access(struct drv_handle *h, unsigned long off, void *buf,
		      size_t len, bool write)
{
	unsigned char *b = buf;
	unsigned long pos;

	if (off > h->dev_len || len > h->dev_len - off)
		return -EFAULT;
	pos = h->offset + off;
	while (len) {
		unsigned long idx = pos >> PAGE_SHIFT, in = pos & ~PAGE_MASK;
		size_t n = PAGE_SIZE - in;
		unsigned char *p;

		if (idx >= h->nr_pfns)
			return -EFAULT;
		p = pfn_to_virt(h->pfns[idx]);
		if (!p)
			return -EFAULT;
		if (n > len)
			n = len;
		if (write) {
			memcpy(p + in, b, n);
			h->dev_written[idx] = 1;
		} else {
			memcpy(b, p + in, n);
		}
		b += n;
		pos += n;
		len -= n;
	}
	return 0;
}

static int view_alloc(struct drv_handle *h, unsigned long n,
		      unsigned long offset, unsigned long dev_len)
{
	drv_clear_view(h);
	h->pfns = calloc(n ? n : 1, sizeof(*h->pfns));
	h->dev_written = calloc(n ? n : 1, 1);
	if (!h->pfns || !h->dev_written) {
		drv_clear_view(h);
		return -ENOMEM;
	}
	h->nr_pfns = n;
	h->offset = offset;
	h->dev_len = dev_len;
	return 0;
}

int drv_set_view_pages(struct drv_handle *h, struct page **pages,
		       unsigned long npages, unsigned long offset,
		       unsigned long dev_len)
{
	int ret = view_alloc(h, npages, offset, dev_len);

	for (unsigned long i = 0; !ret && i < npages; i++)
		h->pfns[i] = page_to_pfn(pages[i]);
	return ret;
}

int drv_set_view_pfns(struct drv_handle *h, const unsigned long *pfns,
		      unsigned long npfns, unsigned long offset,
		      unsigned long dev_len)
{
	int ret = view_alloc(h, npfns, offset, dev_len);

	if (!ret)
		memcpy(h->pfns, pfns, npfns * sizeof(*pfns));
	return ret;
}

void drv_clear_view(struct drv_handle *h)
{
	free(h->pfns);
	free(h->dev_written);
	h->pfns = NULL;
	h->dev_written = NULL;
	h->nr_pfns = 0;
	h->dev_len = 0;
}
