/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the drivers gupsim ships share beyond the public driver API
 * (gupsim/driver.h): their ops, and vfio's external pinning.
 */
#ifndef GUPSIM_DRIVERS_DRIVER_H
#define GUPSIM_DRIVERS_DRIVER_H

#include <gupsim/driver.h>

extern const struct driver_ops io_uring_driver, ib_umem_driver, vfio_driver,
	xdp_driver, videobuf_driver, qib_driver, hfi1_driver, usnic_driver,
	mthca_driver, ppc_iommu_driver;

/* vfio's external (mdev) pinning: a vendor driver, running in any
 * context, pins pages of a DMA mapping in its owner's mm (drivers/vfio.c). */
long vfio_pin_pages_external(struct drv_handle *h, unsigned long first_page,
			     int npage, bool write, struct page **pages);
void vfio_unpin_pages_external(struct drv_handle *h, unsigned long first_page,
			       int npage);

#endif /* GUPSIM_DRIVERS_DRIVER_H */
