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
 * The seed series (v5.2) differed: get_user_pages_fast(uaddr, 1,
 * FOLL_WRITE, ...) was taught FOLL_LONGTERM by the series; release was
 * put_page().
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define MTHCA_ICM_PAGE_SIZE	4096UL

struct mthca_db_page {
	struct page *page;
};

static long mthca_map_user_db(struct drv_handle *h)
{
	struct mthca_db_page *db;
	int ret;

	if (h->start & (MTHCA_ICM_PAGE_SIZE - 1))
		return -EINVAL;
	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	ret = pin_user_pages_fast(h->start & PAGE_MASK, 1,
				  FOLL_WRITE | FOLL_LONGTERM, &db->page);
	if (ret < 0) {
		free(db);
		return ret;
	}
	ret = drv_set_view_pages(h, &db->page, 1, 0, MTHCA_ICM_PAGE_SIZE);
	if (ret) {
		unpin_user_page(db->page);
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

	unpin_user_page(db->page);
	free(db);
	h->priv = NULL;
}

const struct driver_ops mthca_driver = {
	.name = "mthca",
	.reg = mthca_map_user_db,
	.release = mthca_release,
};
