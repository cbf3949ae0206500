// SPDX-License-Identifier: GPL-2.0
/*
 * GUP under kernel-version profiles, through the C API: the calls that
 * exist only in some releases, and FOLL_LONGTERM as 5.1 .. 5.12 had it.
 * Each test boots its own machine with the release it needs.
 */
#include <errno.h>

#include <gupsim/profile.h>

#include "harness.h"
#include "../../mm/testing.h"

static void boot(const char *release)
{
	t_boot(release, (struct machine_config){ .mem = 128 * MiB,
						 .cma = 16 * MiB });
}

static void shutdown(void)
{
	t_shutdown();
	/* The next machine runs the default again. */
	ASSERT_PTR_EQ(machine_kernel(), kernel_profile_default());
}

/* nr anon pages in the CMA area, page i filled with 0x20 + i. */
static unsigned long cma_pages(struct task_struct *t, int nr)
{
	unsigned long addr = t_mmap_anon(t, nr * PAGE_SIZE);

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	for (int i = 0; i < nr; i++)
		t_fill(t, addr + i * PAGE_SIZE, 0x20 + i, PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, addr, nr * PAGE_SIZE), PZ_CMA);
	return addr;
}

static long longterm_51(struct task_struct *t, unsigned long addr, int nr,
			struct page **pages)
{
	long ret;

	mmap_read_lock(task_mm(t));
	ret = get_user_pages_longterm(addr, nr, FOLL_WRITE, pages);
	mmap_read_unlock(task_mm(t));
	return ret;
}

TEST_NO_MACHINE(get_user_pages_longterm_moves_cma_pages_in_5_1)
{
	struct page *pages[4];
	struct task_struct *t;
	unsigned long addr;

	boot("5.1");
	t = t_task("A");
	addr = cma_pages(t, 4);
	ASSERT_EQ(longterm_51(t, addr, 4, pages), 4);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(page_zone_kind(pages[i]), PZ_NORMAL);
		ASSERT_TRUE(page_holds(pages[i], 0x20 + i));
		/* Plain references: no pin is counted. */
		ASSERT_FALSE(page_maybe_dma_pinned(pages[i]));
	}
	for (int i = 0; i < 4; i++)
		put_page(pages[i]);
	shutdown();
}

TEST_NO_MACHINE(get_user_pages_longterm_is_refused_after_5_1)
{
	struct page *pages[1];
	struct task_struct *t;
	unsigned long addr;
	int misuse;

	boot("5.2");
	misuse = mm_misuse_count();
	t = t_task("A");
	addr = cma_pages(t, 1);
	ASSERT_EQ(longterm_51(t, addr, 1, pages), -ENOSYS);
	ASSERT_EQ(mm_misuse_count(), misuse + 1);
	ASSERT_EQ(user_range_zone(t, addr, PAGE_SIZE), PZ_CMA);
	shutdown();
}

TEST_NO_MACHINE(pin_user_pages_does_not_exist_before_5_6)
{
	struct page *pages[1];
	struct task_struct *t;
	unsigned long addr;
	int misuse;

	boot("5.5");
	misuse = mm_misuse_count();
	t = t_task("A");
	addr = t_mmap_anon(t, PAGE_SIZE);
	t_fill(t, addr, 'x', PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), -EINVAL);
	ASSERT_EQ(mm_misuse_count(), misuse + 2);
	ASSERT_EQ(vmstat_get("nr_foll_pin_acquired"), 0);
	shutdown();
}

/*
 * 5.2: a page that cannot move (another reference holds it) stays pinned
 * in CMA, and the call succeeds; the pages that could move did.
 */
TEST_NO_MACHINE(longterm_migration_failure_succeeds_in_cma_in_5_2)
{
	struct page *hold[1], *pages[4];
	struct task_struct *t;
	unsigned long addr;

	boot("5.2");
	t = t_task("A");
	addr = cma_pages(t, 4);
	ASSERT_EQ(t_gup(t, addr + PAGE_SIZE, 1, 0, hold), 1);
	ASSERT_EQ(t_gup(t, addr, 4, FOLL_WRITE | FOLL_LONGTERM, pages), 4);
	ASSERT_PTR_EQ(pages[1], hold[0]);
	ASSERT_EQ(page_zone_kind(pages[1]), PZ_CMA);
	ASSERT_EQ(page_zone_kind(pages[0]), PZ_NORMAL);
	ASSERT_EQ(page_zone_kind(pages[3]), PZ_NORMAL);
	for (int i = 0; i < 4; i++)
		ASSERT_TRUE(page_holds(pages[i], 0x20 + i));
	for (int i = 0; i < 4; i++)
		put_page(pages[i]);
	put_page(hold[0]);
	shutdown();
}

/* From 5.13 the same call fails with -ENOMEM and holds nothing. */
TEST_NO_MACHINE(longterm_migration_failure_is_enomem_from_5_13)
{
	struct page *hold[1], *pages[4];
	struct task_struct *t;
	unsigned long addr;

	boot("5.13");
	t = t_task("A");
	addr = cma_pages(t, 4);
	ASSERT_EQ(t_gup(t, addr + PAGE_SIZE, 1, 0, hold), 1);
	ASSERT_EQ(t_gup(t, addr, 4, FOLL_WRITE | FOLL_LONGTERM, pages),
		  -ENOMEM);
	ASSERT_EQ(folio_ref_count(page_folio(hold[0])), 2);
	put_page(hold[0]);
	shutdown();
}

/*
 * 5.2 checked the VMAs of the whole range after the walk: one fs-DAX
 * page fails the call, every reference taken is dropped. From 5.11 the
 * check is per VMA and the call returns the pages before the fs-DAX VMA.
 */
static void anon_then_dax(const char *release, long want, bool fast)
{
	struct page *pages[4];
	struct task_struct *t;
	struct file *f;
	unsigned long addr;
	long ret;

	boot(release);
	t = t_task("A");
	f = file_create("pmem", FS_DAX, 2 * PAGE_SIZE);
	ASSERT_NOT_NULL(f);
	addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	ASSERT_EQ(vm_mmap(t, addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
			  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, f, 0),
		  (long)(addr + 2 * PAGE_SIZE));
	/* GUP-fast stops at the fs-DAX entries; the slow path does it all. */
	t_fill(t, addr + 2 * PAGE_SIZE, 'a', 2 * PAGE_SIZE);
	if (fast)
		ret = get_user_pages_fast(addr, 4, FOLL_WRITE | FOLL_LONGTERM,
					  pages);
	else
		ret = t_gup(t, addr, 4, FOLL_WRITE | FOLL_LONGTERM, pages);
	ASSERT_EQ(ret, want);
	for (long i = 0; i < ret; i++)
		put_page(pages[i]);
	fput(f);
	shutdown();
}

TEST_NO_MACHINE(longterm_fsdax_fails_the_whole_call_in_5_2)
{
	anon_then_dax("5.2", -EOPNOTSUPP, false);
}

/* The same through GUP-fast's fall-back, which takes mmap_lock itself. */
TEST_NO_MACHINE(longterm_fsdax_fails_the_whole_fast_call_in_5_2)
{
	anon_then_dax("5.2", -EOPNOTSUPP, true);
}

TEST_NO_MACHINE(longterm_fsdax_stops_at_the_vma_from_5_11)
{
	anon_then_dax("5.11", 2, false);
}

/*
 * What one pin adds to the refcount of a small anonymous page and of the
 * zero page: 1 in 5.6 (FOLL_PIN counted like FOLL_GET), the bias from
 * 5.7, and nothing on the zero page from 6.5. The unpin gives it back.
 */
static void pin_refs(const char *release, int anon, int zero)
{
	struct user_page_counts c;
	struct task_struct *t;
	struct page *page;
	unsigned long addr;
	char b;

	boot(release);
	t = t_task("A");
	addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	t_fill(t, addr, 'a', PAGE_SIZE);
	/* a read maps the zero page at the second page */
	ASSERT_EQ(user_read(t, addr + PAGE_SIZE, &b, 1), UACCESS_OK);
	ASSERT_EQ(t_pin(t, addr, 1, 0, &page), 1);
	ASSERT_EQ(user_page_counts(t, addr, &c), 0);
	ASSERT_EQ(c.refcount, 1 + anon);
	ASSERT_EQ(c.mapcount, 1);
	unpin_user_page(page);
	ASSERT_EQ(t_pin(t, addr + PAGE_SIZE, 1, 0, &page), 1);
	ASSERT_EQ(user_page_counts(t, addr + PAGE_SIZE, &c), 0);
	ASSERT_EQ(c.refcount, 1 + zero);
	ASSERT_EQ(c.mapcount, 0);
	unpin_user_page(page);
	ASSERT_EQ(user_page_counts(t, addr + PAGE_SIZE, &c), 0);
	ASSERT_EQ(c.refcount, 1);
	shutdown();
}

TEST_NO_MACHINE(a_pin_is_one_reference_in_5_6)
{
	pin_refs("5.6", 1, 1);
}

TEST_NO_MACHINE(a_pin_is_the_bias_from_5_7)
{
	pin_refs("5.7", 1024, 1024);
}

TEST_NO_MACHINE(the_zero_page_is_not_counted_from_6_5)
{
	pin_refs("6.5", 1024, 0);
}
