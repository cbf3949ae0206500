// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring fixed buffers: IORING_REGISTER_BUFFERS of one iovec on a ring
 * of its own (io_uring/rsrc.c io_sqe_buffer_register(), io_pin_pages() in
 * io_uring/memmap.c), as in Linux 6.18.
 *
 *  - validation: iov_len 0 or above 1 GiB -> -EFAULT; base + len
 *    overflowing -> -EOVERFLOW;
 *  - one pin_user_pages_fast(FOLL_WRITE | FOLL_LONGTERM) call over every
 *    page of the buffer: a short count is unpinned and becomes -EFAULT, an
 *    error is returned as is (a PROT_READ buffer, a hole: -EFAULT; a
 *    shared ext4 mapping: -EFAULT, since GUP refuses writable long-term
 *    pins of dirty-tracked file pages; fs-DAX: -EOPNOTSUPP);
 *  - a buffer made of equal large folios is coalesced: one pin per folio
 *    is kept, the other pins are dropped at once;
 *  - accounting after pinning, by compound page: a small page counts 1,
 *    a huge page counts all its base pages once however little of it the
 *    buffer covers. Charged to the ring creator's user_struct locked_vm
 *    against RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK (-ENOMEM, and the
 *    pins are dropped), and always added to mm->pinned_vm;
 *  - the ring itself: io_uring_setup() allocates its SQ/CQ ring and SQE
 *    regions and, without CAP_IPC_LOCK, charges their pages to the same
 *    user locked_vm (io_create_region()) before any buffer is registered.
 *    A handle here is one small ring (4 SQ entries, 8 CQ entries, as the
 *    host backend creates): one page of rings and one of SQEs;
 *  - release: unaccount, then one unpin per kept entry; pages are not
 *    dirtied here (the I/O that wrote through the buffer did that); the
 *    ring's pages are uncharged when the ring goes.
 *
 * Older releases (kernel-version profiles), as modelled: until 6.10
 * ("io_uring: unify io_pin_pages()") the pages were taken under
 * mmap_read_lock by the slow call; until 6.5 every VMA of the buffer was
 * looked at too: one with a file but hugetlbfs (from 5.14 also
 * shmem/memfd) failed the registration with -EOPNOTSUPP (5.2 code; the
 * exact 5.14 commit was not found), and in 6.3 alone (reverted for 6.4)
 * VMAs of different files (anonymous memory counts as one) -EINVAL.
 * Until 5.6 they were FOLL_GET references (5.1: get_user_pages_longterm(),
 * 5.2, the seed series: get_user_pages(FOLL_WRITE | FOLL_LONGTERM)) given
 * back with put_page(). Folio coalescing is modelled from 6.10. Until
 * 5.10 each 4 KiB page was charged, BEFORE the pin call (so a buffer over
 * the limit was -ENOMEM whatever GUP would have said); mm->pinned_vm only
 * from 5.9. Not modelled: 5.9's charge of the ring's pages to
 * mm->locked_vm (ring pages here are charged to the user only).
 */
#include <errno.h>
#include <stdlib.h>

#include "driver.h"

#define IO_URING_MAX_BUF_LEN	(1UL << 30)	/* SZ_1G */
/* Pages of the rings and SQE regions of a 4-entry ring. */
#define IO_URING_RING_PAGES	2UL

struct io_uring_buf {
	struct drv_gup gup;		/* how this release pins */
	struct user_struct *user;	/* NULL: CAP_IPC_LOCK, not charged */
	struct mm_struct *mm_account;
	struct page **pages;		/* one pin each */
	unsigned long nr_pages;
	unsigned long acct_pages;
};

static long io_validate_user_buf_range(unsigned long base, unsigned long len)
{
	unsigned long end;

	if (!len || len > IO_URING_MAX_BUF_LEN)
		return explain_err(-EFAULT, "io_validate_user_buf_range",
				   "length %#lx is 0 or over 1 GiB", len);
	if (__builtin_add_overflow(base, PAGE_ALIGN(len), &end))
		return explain_err(-EOVERFLOW, "io_validate_user_buf_range",
				   "%#lx + %#lx wraps around", base, len);
	return 0;
}

/* 6.3 only: every VMA of the buffer must have the first one's vm_file. */
static bool io_multi_source_refused(void)
{
	return kernel_has(IO_URING_MULTI_SOURCE) &&
	       !kernel_has(IO_URING_MULTI_SOURCE_REVERTED);
}

/*
 * Before 6.5 io_sqe_buffer_register() looked at every VMA of the buffer
 * itself (vmas[] from the pin call, under the same mmap_read_lock): one
 * with a file, unless hugetlbfs (or from 5.14 shmem), is refused; in 6.3
 * a VMA whose file is not the first VMA's (anonymous memory next to a
 * memfd, say) is -EINVAL, whichever comes first in the buffer.
 */
static long io_check_vmas(unsigned long start, unsigned long nr)
{
	struct mm_struct *mm = task_mm(current);
	unsigned long addr = start, end = start + (nr << PAGE_SHIFT), vm_end;
	const void *file = vma_file_identity(mm, start);

	while (addr < end) {
		if (io_multi_source_refused() &&
		    vma_file_identity(mm, addr) != file)
			return explain_err_since(-EINVAL,
						 "IO_URING_MULTI_SOURCE",
						 "io_sqe_buffer_register",
						 "the VMA at %#lx has another vm_file than the buffer's first VMA",
						 addr);
		switch (vma_backing(mm, addr, &vm_end)) {
		case VMA_BACKING_ANON:
		case VMA_BACKING_HUGETLBFS:
			break;
		case VMA_BACKING_SHMEM:
			if (kernel_has(IO_URING_SHMEM))
				break;
			return explain_err_until(-EOPNOTSUPP, "IO_URING_SHMEM",
						 "io_sqe_buffer_register",
						 "the buffer's VMA at %#lx is shmem/memfd, which this release refuses",
						 addr);
		case VMA_BACKING_NONE:
			return explain_err(-EFAULT, "io_sqe_buffer_register",
					   "no VMA at %#lx", addr);
		default:
			return explain_err_until(-EOPNOTSUPP,
						 "IO_URING_GUP_FILE_CHECK",
						 "io_sqe_buffer_register",
						 "the buffer's VMA at %#lx has a file that is not hugetlbfs%s",
						 addr, kernel_has(IO_URING_SHMEM) ?
						 " nor shmem" : "");
		}
		addr = vm_end;
	}
	return 0;
}

/* The pin call and, before 6.5, the check of the VMAs under one lock. */
static long io_gup(const struct drv_gup *g, unsigned long start,
		   unsigned long nr, struct page **pages)
{
	struct mm_struct *mm = task_mm(current);
	long ret;

	if (g->fast)
		return drv_gup_pages(g, start, nr, FOLL_WRITE | FOLL_LONGTERM,
				     pages);
	mmap_read_lock(mm);
	ret = drv_gup_pages(g, start, nr, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (ret == (long)nr && !kernel_has(IO_URING_GUP_FILE_CHECK)) {
		long err = io_check_vmas(start, nr);

		if (err) {
			drv_gup_release(g, pages, nr, false);
			ret = err;
		}
	}
	mmap_read_unlock(mm);
	return ret;
}

/* io_pin_pages(): all pages or nothing. */
static long io_pin_pages(const struct drv_gup *g, unsigned long uaddr,
			 unsigned long len, struct page ***pagesp,
			 unsigned long *npages)
{
	unsigned long nr = drv_nr_pages(uaddr, len);
	struct page **pages;
	long ret;

	if (nr > (unsigned long)INT32_MAX)
		return -EOVERFLOW;
	pages = calloc(nr, sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	ret = io_gup(g, uaddr & PAGE_MASK, nr, pages);
	if (ret == (long)nr) {
		*pagesp = pages;
		*npages = nr;
		return 0;
	}
	if (ret >= 0) {
		if (ret)
			drv_gup_release(g, pages, ret, false);
		ret = -EFAULT;
	}
	free(pages);
	return ret;
}

/*
 * io_check_coalesce_buffer(): the pages run contiguously through folios
 * that all have the same size, the first possibly entered in the middle
 * and the last possibly left early. Returns the number of folios, 0 when
 * the buffer cannot be coalesced.
 */
static unsigned long io_check_coalesce(struct page **pages, unsigned long nr,
				       unsigned long *nr_mid)
{
	struct page *head = page_compound_head(pages[0]);
	unsigned long count = 1, nr_folios = 1;

	*nr_mid = page_compound_nr(head);
	for (unsigned long i = 1; i < nr; i++) {
		struct page *h = page_compound_head(pages[i]);

		if (h == head && page_to_pfn(pages[i]) ==
				 page_to_pfn(pages[i - 1]) + 1) {
			count++;
			continue;
		}
		if (nr_folios == 1) {
			/* the first folio must be left at its last page */
			if (page_to_pfn(pages[i - 1]) - page_to_pfn(head) !=
			    *nr_mid - 1)
				return 0;
		} else if (count != *nr_mid) {
			return 0;
		}
		if (page_compound_nr(h) != *nr_mid || pages[i] != h)
			return 0;
		head = h;
		count = 1;
		nr_folios++;
	}
	return nr_folios;
}

/* Keeps one pin per folio: the first page of each folio's run. */
static int io_coalesce(struct io_uring_buf *buf, unsigned long nr_folios)
{
	struct page **kept = calloc(nr_folios, sizeof(*kept));
	unsigned long i = 0, j = 0;

	if (!kept)
		return -ENOMEM;
	while (i < buf->nr_pages) {
		struct page *head = page_compound_head(buf->pages[i]);

		kept[j++] = buf->pages[i++];
		while (i < buf->nr_pages &&
		       page_compound_head(buf->pages[i]) == head)
			unpin_user_page(buf->pages[i++]);
	}
	free(buf->pages);
	buf->pages = kept;
	buf->nr_pages = nr_folios;
	return 0;
}

/* io_buffer_account_pin(): a huge page counts whole, once. */
static unsigned long io_acct_pages(struct page **pages, unsigned long nr)
{
	struct page *last_hpage = NULL;
	unsigned long acct = 0;

	for (unsigned long i = 0; i < nr; i++) {
		struct page *hpage;
		bool seen = false;

		if (!page_is_compound(pages[i])) {
			acct++;
			continue;
		}
		hpage = page_compound_head(pages[i]);
		if (hpage == last_hpage)
			continue;
		last_hpage = hpage;
		for (unsigned long k = 0; k < i && !seen; k++)
			seen = page_is_compound(pages[k]) &&
			       page_compound_head(pages[k]) == hpage;
		if (!seen)
			acct += page_compound_nr(hpage);
	}
	return acct;
}

/*
 * The user's locked_vm against RLIMIT_MEMLOCK (not with CAP_IPC_LOCK),
 * and from 5.9 ("io_uring: report pinned memory usage") mm->pinned_vm
 * too, always. On failure nothing stays charged and acct_pages is 0.
 */
static int io_account_mem(struct io_uring_buf *buf)
{
	int ret;

	if (!buf->acct_pages)
		return 0;
	if (buf->user) {
		ret = user_locked_vm_charge(buf->user, buf->acct_pages,
					    drv_memlock_pages());
		if (ret) {
			buf->acct_pages = 0;
			return ret;
		}
	}
	if (kernel_has(IO_URING_PINNED_VM))
		mm_pinned_vm_add(buf->mm_account, (long)buf->acct_pages);
	return 0;
}

static void io_unaccount_mem(struct io_uring_buf *buf)
{
	if (!buf->acct_pages)
		return;
	if (buf->user)
		user_locked_vm_uncharge(buf->user, buf->acct_pages);
	if (kernel_has(IO_URING_PINNED_VM))
		mm_pinned_vm_add(buf->mm_account, -(long)buf->acct_pages);
	buf->acct_pages = 0;
}

static void io_unpin_all(struct io_uring_buf *buf)
{
	drv_gup_release(&buf->gup, buf->pages, buf->nr_pages, false);
	free(buf->pages);
	buf->pages = NULL;
	buf->nr_pages = 0;
}

/* io_uring_setup() without CAP_IPC_LOCK: the ring's regions are charged. */
static int io_ring_account(struct io_uring_buf *buf)
{
	if (!buf->user)
		return 0;
	return user_locked_vm_charge(buf->user, IO_URING_RING_PAGES,
				     drv_memlock_pages());
}

static void io_buf_free(struct io_uring_buf *buf)
{
	if (buf->user)
		user_locked_vm_uncharge(buf->user, IO_URING_RING_PAGES);
	free_uid(buf->user);
	free(buf);
}

static long io_uring_reg(struct drv_handle *h)
{
	struct io_uring_buf *buf;
	unsigned long nr_folios = 0, nr_mid = 1;
	long ret;

	ret = io_validate_user_buf_range(h->start, h->len);
	if (ret)
		return ret;
	buf = calloc(1, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	/* io_uring_create(): the user is charged only without the cap */
	if (!capable_ipc_lock())
		buf->user = get_current_user();
	ret = io_ring_account(buf);
	if (ret) {
		free_uid(buf->user);
		free(buf);
		return ret;
	}
	buf->mm_account = h->mm;
	buf->gup = (struct drv_gup){
		.pin = kernel_has(IO_URING_PIN),
		.fast = kernel_has(IO_URING_PIN_FAST) };
	/*
	 * Until 5.10 every 4 KiB page of the buffer was charged before the
	 * pin call: over the limit, -ENOMEM before GUP looked at anything.
	 */
	if (!kernel_has(IO_URING_HUGE_ACCT)) {
		buf->acct_pages = drv_nr_pages(h->start, h->len);
		ret = io_account_mem(buf);
		if (ret) {
			explain_rule("io_sqe_buffer_register",
				     "every 4 KiB page charged before the pin call (until 5.10): refused before GUP looked at the buffer");
			goto out_free;
		}
	}
	ret = io_pin_pages(&buf->gup, h->start, h->len, &buf->pages,
			   &buf->nr_pages);
	if (ret)
		goto out_unaccount;
	/* the device sees every 4 KiB page, coalesced or not */
	ret = drv_set_view_pages(h, buf->pages, buf->nr_pages,
				 h->start & ~PAGE_MASK, h->len);
	if (ret)
		goto out_unpin;
	if (buf->nr_pages > 1 && kernel_has(IO_URING_COALESCE))
		nr_folios = io_check_coalesce(buf->pages, buf->nr_pages,
					      &nr_mid);
	if (nr_folios && nr_mid != 1) {
		ret = io_coalesce(buf, nr_folios);
		if (ret)
			goto out_unpin;
	}
	/* From 5.10: after pinning, a huge page counted whole, once. */
	if (kernel_has(IO_URING_HUGE_ACCT)) {
		buf->acct_pages = io_acct_pages(buf->pages, buf->nr_pages);
		ret = io_account_mem(buf);
		if (ret)
			goto out_unpin;
	}
	h->nr_pinned = h->nr_pfns;
	h->priv = buf;
	return 0;
out_unpin:
	io_unpin_all(buf);
	drv_clear_view(h);
out_unaccount:
	io_unaccount_mem(buf);
out_free:
	io_buf_free(buf);
	return ret;
}

static void io_uring_release(struct drv_handle *h)
{
	struct io_uring_buf *buf = h->priv;

	io_unaccount_mem(buf);
	io_unpin_all(buf);
	io_buf_free(buf);
	h->priv = NULL;
}

const struct driver_ops io_uring_driver = {
	.name = "io_uring",
	.reg = io_uring_reg,
	.release = io_uring_release,
};
