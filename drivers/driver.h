/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the drivers gupsim ships share beyond the public driver API
 * (gupsim/driver.h): their ops, and vfio's external pinning.
 */
#ifndef GUPSIM_DRIVERS_DRIVER_H
#define GUPSIM_DRIVERS_DRIVER_H

#include <gupsim/driver.h>
#include <gupsim/profile.h>

extern const struct driver_ops io_uring_driver, ib_umem_driver, vfio_driver,
	xdp_driver, videobuf_driver, qib_driver, hfi1_driver, usnic_driver,
	mthca_driver, ppc_iommu_driver, qib_sdma_driver;

/*
 * How a driver takes its pages in the running release (kernel-version
 * profiles): with pin_user_pages*() (FOLL_PIN, from 5.6) or
 * get_user_pages*() (FOLL_GET references), fast or not. A driver fills
 * one in at registration from its own profile entries and keeps it for
 * the release, which must undo the same kind.
 */
struct drv_gup {
	bool pin;	/* pin_user_pages*(), else get_user_pages*() */
	bool fast;	/* the _fast variant (takes mmap_lock itself) */
	bool lock;	/* slow call by a driver that holds no mmap_lock:
			 * drv_gup_pages() takes it for read around it */
};

/*
 * The call g names, with gup_flags as the driver of that release passed
 * them. In 5.1 the fast call took only a write flag, and the slow
 * long-term call was get_user_pages_longterm() (no FOLL_LONGTERM yet).
 */
long drv_gup_pages(const struct drv_gup *g, unsigned long start,
		   unsigned long nr_pages, unsigned int gup_flags,
		   struct page **pages);
/* Releases pages taken by drv_gup_pages(), dirtying them first if dirty. */
void drv_gup_release(const struct drv_gup *g, struct page **pages,
		     unsigned long nr_pages, bool dirty);

/* vfio's external (mdev) pinning: a vendor driver, running in any
 * context, pins pages of a DMA mapping in its owner's mm (drivers/vfio.c). */
long vfio_pin_pages_external(struct drv_handle *h, unsigned long first_page,
			     int npage, bool write, struct page **pages);
void vfio_unpin_pages_external(struct drv_handle *h, unsigned long first_page,
			       int npage);

#endif /* GUPSIM_DRIVERS_DRIVER_H */
