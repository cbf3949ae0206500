// SPDX-License-Identifier: GPL-2.0
/*
 * Mellanox InfiniHost (mthca) user doorbell pages in mem-free mode:
 * mthca_map_user_db() / mthca_cleanup_user_db_tab()
 * (drivers/infiniband/hw/mthca/mthca_memfree.c) as in Linux 6.18.
 *
 * A doorbell record lives in one user page; the driver gets only its
 * address, never a length, so the registration pins exactly the page the
 * range starts in, whatever len says:
 *  - the address must be 4 KiB aligned (-EINVAL);
 *  - pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) of one page: the
 *    HCA writes doorbell records. Errors are returned as is;
 *  - no RLIMIT_MEMLOCK accounting;
 *  - release (table cleanup): unpin_user_page(), no dirtying.
 *
 * Older releases (kernel-version profiles): 5.1 called plain
 * get_user_pages_fast(uaddr, 1, write): fs-DAX and CMA pages were pinned
 * as they were; the seed series (5.2) added FOLL_LONGTERM; release was
 * put_page() until 5.6 brought pin_user_pages_fast().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define MTHCA_ICM_PAGE_SIZE	4096UL

struct mthca_db_page {
	struct drv_gup gup;		/* how this release pins */
	struct page *page;
};

/* The doorbell page is written by the HCA; FOLL_LONGTERM from 5.2. */
static unsigned int mthca_gup_flags(void)
{
	return FOLL_WRITE | (kernel_has(MTHCA_LONGTERM) ? FOLL_LONGTERM : 0);
}

static long mthca_map_user_db(struct drv_handle *h)
{
	struct mthca_db_page *db;
	int ret;

	if (h->start & (MTHCA_ICM_PAGE_SIZE - 1))
		return -EINVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->gup = (struct drv_gup){ .pin = kernel_has(IB_PIN), .fast = true };
	ret = drv_gup_pages(&db->gup, h->start & PAGE_MASK, 1,
			    mthca_gup_flags(), &db->page);
	if (ret < 0) {
		free(db);
		return ret;
	}
	ret = drv_set_view_pages(h, &db->page, 1, 0, MTHCA_ICM_PAGE_SIZE);
	if (ret) {
		drv_gup_release(&db->gup, &db->page, 1, false);
		free(db);
		return ret;
	}
	h->nr_pinned = 1;
	h->priv = db;
	return 0;
}

static void mthca_release(struct drv_handle *h)
{
	struct mthca_db_page *db = h->priv;

	drv_gup_release(&db->gup, &db->page, 1, false);
	free(db);
	h->priv = NULL;
}

const struct driver_ops mthca_driver = {
	.name = "mthca",
	.reg = mthca_map_user_db,
	.release = mthca_release,
};
