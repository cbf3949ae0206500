// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the GUP slow path: argument and VMA checks, the walk, faulting,
 * unsharing, the zero page, large folios and the pin accounting.
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "../../mm/testing.h"

/* Broken-invariant warnings plus reports of the caller's misuse. */
static int nr_warnings(void)
{
	char buf[4096];

	return mm_warnings(buf, sizeof(buf)) + mm_misuse_count();
}

static bool mm_has_pinned(struct task_struct *t)
{
	return atomic_load(&task_mm(t)->flags) & (1UL << MMF_HAS_PINNED);
}

/* ---- is_valid_gup_args() and what each entry point returns ---- */

TEST(args_internal_flags_refused)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };
	int locked = 1;

	t_fill(t, addr, 0x5a, PAGE_SIZE);
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_PIN, pages), -EINVAL);
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_TOUCH, pages), -EINVAL);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_REMOTE, pages), 0);
	ASSERT_EQ(get_user_pages_fast(addr, 1, FOLL_FAST_ONLY, pages),
		  -EINVAL);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_PIN, pages), -EINVAL);
	ASSERT_EQ(get_user_pages_unlocked(addr, 1, pages, FOLL_UNLOCKABLE),
		  -EINVAL);
	ASSERT_EQ(pin_user_pages_unlocked(addr, 1, pages, FOLL_TRIED), 0);
	mmap_read_lock(task_mm(t));
	ASSERT_EQ(pin_user_pages_remote(task_mm(t), addr, 1, FOLL_TOUCH,
					pages, &locked), 0);
	mmap_read_unlock(task_mm(t));
	ASSERT_NULL(pages[0]);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), 0);
	ASSERT_GT(nr_warnings(), 0);
	mm_warnings_clear();
	task_exit(t);
}

TEST(args_get_and_pin_exclusive)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };

	t_fill(t, addr, 0x5a, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_GET, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_GET, pages), -EINVAL);
	ASSERT_EQ(pin_user_pages_unlocked(addr, 1, pages, FOLL_GET), 0);
	ASSERT_NULL(pages[0]);
	/* FOLL_GET is what get_user_pages*() mean anyway: accepted. */
	ASSERT_EQ(get_user_pages_fast(addr, 1, FOLL_GET, pages), 1);
	put_page(pages[0]);
	mm_warnings_clear();
	task_exit(t);
}

TEST(args_longterm_needs_pin)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };

	t_fill(t, addr, 0x5a, PAGE_SIZE);
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_LONGTERM, pages), -EINVAL);
	ASSERT_EQ(get_user_pages_fast(addr, 1, FOLL_LONGTERM, pages),
		  -EINVAL);
	ASSERT_EQ(get_user_pages_unlocked(addr, 1, pages, FOLL_LONGTERM),
		  -EINVAL);
	ASSERT_NULL(pages[0]);
	ASSERT_GT(nr_warnings(), 0);
	mm_warnings_clear();
	/* With a pin it is fine. */
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM, pages), 1);
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(args_pages_array_required)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);

	ASSERT_EQ(t_gup(t, addr, 1, FOLL_GET, NULL), -EINVAL);
	ASSERT_EQ(t_pin(t, addr, 1, 0, NULL), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, NULL), -EINVAL);
	ASSERT_EQ(get_user_pages_fast(addr, 1, 0, NULL), -EINVAL);
	mm_warnings_clear();
	/* Without GET, a NULL array is a plain fault-in. */
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_WRITE, NULL), 1);
	ASSERT_NOT_NULL(t_page(t, addr));
	task_exit(t);
}

TEST(args_longterm_p2pdma_refused)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];
	unsigned int f = FOLL_LONGTERM | FOLL_PCI_P2PDMA;

	t_fill(t, addr, 1, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, f, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, f, pages), -EINVAL);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), 0);
	mm_warnings_clear();
	task_exit(t);
}

TEST(args_locked_must_be_one)
{
	struct task_struct *t = t_task("t");
	struct mm_struct *mm = task_mm(t);
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];
	int locked = 0;

	t_fill(t, addr, 1, PAGE_SIZE);
	mmap_read_lock(mm);
	ASSERT_EQ(get_user_pages_remote(mm, addr, 1, 0, pages, &locked),
		  -EINVAL);
	ASSERT_EQ(pin_user_pages_remote(mm, addr, 1, 0, pages, &locked), 0);
	mm_warnings_clear();
	locked = 1;
	ASSERT_EQ(pin_user_pages_remote(mm, addr, 1, 0, pages, &locked), 1);
	ASSERT_EQ(locked, 1);
	mmap_read_unlock(mm);
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(args_fast_flag_mask_and_ranges)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[2];

	/* FOLL_DUMP is a valid GUP flag, but not one GUP-fast takes. */
	ASSERT_EQ(get_user_pages_fast(addr, 1, FOLL_DUMP, pages), -EINVAL);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_ANON, pages), -EINVAL);
	mm_warnings_clear();
	ASSERT_EQ(pin_user_pages_fast(~0UL & PAGE_MASK, 2, 0, pages),
		  -EOVERFLOW);
	ASSERT_EQ(pin_user_pages_fast(TASK_SIZE - PAGE_SIZE, 2, 0, pages),
		  -EFAULT);
	ASSERT_EQ(nr_warnings(), 0);
	task_exit(t);
}

TEST(args_zero_pages_is_zero)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };

	ASSERT_EQ(t_pin(t, addr, 0, 0, pages), 0);
	ASSERT_EQ(t_gup(t, addr, 0, 0, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 0, 0, pages), 0);
	ASSERT_EQ(get_user_pages_fast(addr, 0, 0, pages), 0);
	ASSERT_EQ(pin_user_pages_unlocked(addr, 0, pages, 0), 0);
	ASSERT_NULL(pages[0]);
	ASSERT_NULL(t_page(t, addr));
	ASSERT_EQ(nr_warnings(), 0);
	task_exit(t);
}

TEST(unaligned_start_is_aligned_down)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2];

	t_fill(t, addr, 0x11, PAGE_SIZE);
	t_fill(t, addr + PAGE_SIZE, 0x22, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr + 100, 2, 0, pages), 2);
	ASSERT_PTR_EQ(pages[0], t_page(t, addr));
	ASSERT_PTR_EQ(pages[1], t_page(t, addr + PAGE_SIZE));
	ASSERT_TRUE(page_holds(pages[1], 0x22));
	unpin_user_pages(pages, 2);
	ASSERT_EQ(pin_user_pages_fast(addr + PAGE_SIZE + 7, 1, 0, pages), 1);
	ASSERT_PTR_EQ(pages[0], t_page(t, addr + PAGE_SIZE));
	unpin_user_page(pages[0]);
	task_exit(t);
}

/* ---- check_vma_flags() ---- */

TEST(vma_missing_is_efault)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];

	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	ASSERT_EQ(t_pin(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	task_exit(t);
}

TEST(vma_io_pfnmap_is_efault)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_GUPSIM_IO, NULL);
	struct page *pages[1];

	ASSERT_EQ(t_pin(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, addr, 1, 0, NULL), -EFAULT);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	task_exit(t);
}

TEST(vma_foll_anon_needs_anon)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_EXT4, PAGE_SIZE);
	unsigned long fa = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE, f);
	unsigned long aa = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];

	ASSERT_EQ(t_gup(t, fa, 1, FOLL_ANON, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, aa, 1, FOLL_ANON, pages), 1);
	put_page(pages[0]);
	task_exit(t);
	fput(f);
}

TEST(vma_write_needs_vm_write_or_force_cow)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_TMPFS, PAGE_SIZE);
	unsigned long ro = t_mmap(t, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	unsigned long sh = t_mmap(t, PAGE_SIZE, PROT_READ, MAP_SHARED, f);
	struct page *pages[1];
	unsigned char *p;

	ASSERT_EQ(t_pin(t, ro, 1, FOLL_WRITE, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, ro, 1, FOLL_WRITE, pages), -EFAULT);
	/* A shared mapping is no COW mapping: FOLL_FORCE does not help. */
	ASSERT_EQ(t_pin(t, sh, 1, FOLL_WRITE | FOLL_FORCE, pages), -EFAULT);

	/* ptrace-style poke: COWs into an exclusive anon page, R/O PTE. */
	ASSERT_EQ(t_gup(t, ro, 1, FOLL_WRITE | FOLL_FORCE, pages), 1);
	ASSERT_TRUE(folio_test_anon(page_folio(pages[0])));
	ASSERT_TRUE(PageAnonExclusive(pages[0]));
	p = page_address(pages[0]);
	p[0] = 0x77;
	ASSERT_PTR_EQ(t_page(t, ro), pages[0]);
	ASSERT_TRUE(t_holds(t, ro, 0x77, 1));
	put_page(pages[0]);
	/* A second forced write follows the R/O PTE to the same page. */
	ASSERT_EQ(t_gup(t, ro, 1, FOLL_WRITE | FOLL_FORCE, pages), 1);
	ASSERT_PTR_EQ(t_page(t, ro), pages[0]);
	put_page(pages[0]);
	task_exit(t);
	fput(f);
}

TEST_CFG(vma_force_write_on_hugetlb_refused, .hugetlb = 2)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap(t, HPAGE_PMD_SIZE, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				    NULL);
	struct page *pages[1];

	ASSERT_EQ(t_gup(t, addr, 1, FOLL_WRITE | FOLL_FORCE, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, addr, 1, 0, pages), 1);
	put_page(pages[0]);
	task_exit(t);
}

TEST(vma_read_needs_vm_read_or_force)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];

	t_fill(t, addr, 0x3c, PAGE_SIZE);
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_NONE), 0);
	ASSERT_EQ(t_gup(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(t_pin(t, addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	/* VM_MAYREAD is still set: a forced read sees the data. */
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_FORCE, pages), 1);
	ASSERT_TRUE(page_holds(pages[0], 0x3c));
	put_page(pages[0]);
	task_exit(t);
}

TEST(vma_fsdax_longterm_refused)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("dax", FS_DAX, 4 * PAGE_SIZE);
	unsigned long addr;
	struct page *pages[4];

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      f);
	ASSERT_EQ(t_pin(t, addr, 4, FOLL_LONGTERM | FOLL_WRITE, pages),
		  -EOPNOTSUPP);
	ASSERT_EQ(t_pin(t, addr, 4, FOLL_LONGTERM, pages), -EOPNOTSUPP);
	ASSERT_EQ(pin_user_pages_fast(addr, 4, FOLL_LONGTERM, pages),
		  -EOPNOTSUPP);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	/* A short-term pin of device memory is fine. */
	ASSERT_EQ(t_pin(t, addr, 4, FOLL_WRITE, pages), 4);
	ASSERT_EQ(page_zone_kind(pages[0]), PZ_DEVICE);
	unpin_user_pages(pages, 4);
	task_exit(t);
	fput(f);
}

/*
 * Writable long-term pins of file pages: refused only where the
 * filesystem tracks dirty pages (ext4 MAP_SHARED), as gup_longterm.c
 * expects.
 */
static long lt_pin_file(enum fs_type fs, unsigned long mflags,
			unsigned int gflags, bool fast)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", fs, HPAGE_PMD_SIZE);
	unsigned long addr;
	struct page *pages[1];
	long ret;

	ASSERT_NOT_NULL(f);
	addr = t_mmap(t, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE, mflags, f);
	t_fill(t, addr, 0, PAGE_SIZE);
	if (fast)
		ret = pin_user_pages_fast(addr, 1, gflags, pages);
	else
		ret = t_pin(t, addr, 1, gflags, pages);
	if (ret == 1)
		unpin_user_page(pages[0]);
	task_exit(t);
	fput(f);
	return ret;
}

TEST_CFG(vma_writable_longterm_file_pins, .hugetlb = 2)
{
	unsigned int rw = FOLL_LONGTERM | FOLL_WRITE;

	for (int fast = 0; fast < 2; fast++) {
		ASSERT_EQ(lt_pin_file(FS_EXT4, MAP_SHARED, rw, fast), -EFAULT);
		ASSERT_EQ(lt_pin_file(FS_EXT4, MAP_PRIVATE, rw, fast), 1);
		ASSERT_EQ(lt_pin_file(FS_EXT4, MAP_SHARED, FOLL_LONGTERM,
				      fast), 1);
		ASSERT_EQ(lt_pin_file(FS_TMPFS, MAP_SHARED, rw, fast), 1);
		ASSERT_EQ(lt_pin_file(FS_HUGETLBFS, MAP_SHARED, rw, fast), 1);
		ASSERT_EQ(lt_pin_file(FS_HUGETLBFS, MAP_PRIVATE, rw, fast), 1);
		/* Short-term write pins of ext4 are allowed. */
		ASSERT_EQ(lt_pin_file(FS_EXT4, MAP_SHARED, FOLL_WRITE, fast),
			  1);
	}
}

/* ---- the walk ---- */

TEST(gup_faults_in_and_takes_references)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	struct page *pages[4];
	int before[4];

	ASSERT_EQ(t_gup(t, addr, 4, FOLL_WRITE, pages), 4);
	for (int i = 0; i < 4; i++) {
		ASSERT_PTR_EQ(pages[i], t_page(t, addr + i * PAGE_SIZE));
		before[i] = page_ref_count(pages[i]);
		/* mapping + our FOLL_GET */
		ASSERT_EQ(before[i], 2);
		memset(page_address(pages[i]), 0x40 + i, PAGE_SIZE);
	}
	for (int i = 0; i < 4; i++) {
		ASSERT_TRUE(t_holds(t, addr + i * PAGE_SIZE, 0x40 + i,
				    PAGE_SIZE));
		put_page(pages[i]);
		ASSERT_EQ(page_ref_count(pages[i]), before[i] - 1);
	}
	ASSERT_FALSE(mm_has_pinned(t));
	task_exit(t);
}

TEST(pin_accounting_small_folio)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	long acq = vmstat_read(NR_FOLL_PIN_ACQUIRED);
	long rel = vmstat_read(NR_FOLL_PIN_RELEASED);
	struct page *pages[3];
	int ref;

	t_fill(t, addr, 0x12, 2 * PAGE_SIZE);
	ref = page_ref_count(t_page(t, addr));
	ASSERT_FALSE(mm_has_pinned(t));
	ASSERT_EQ(t_pin(t, addr, 2, FOLL_WRITE, pages), 2);
	ASSERT_TRUE(mm_has_pinned(t));
	ASSERT_EQ(page_ref_count(pages[0]), ref + GUP_PIN_COUNTING_BIAS);
	ASSERT_TRUE(page_maybe_dma_pinned(pages[0]));
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 1);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_lt_pins), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), acq + 2);
	ASSERT_INVARIANTS();
	unpin_user_pages(pages, 2);
	ASSERT_EQ(page_ref_count(pages[0]), ref);
	ASSERT_FALSE(page_maybe_dma_pinned(pages[0]));
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 0);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_RELEASED), rel + 2);

	/*
	 * Long-term pins are counted apart. unpin_user_page() cannot tell
	 * which pin it drops, so it drops a long-term one first: the count
	 * is a lower bound (never above the long-term pins held).
	 */
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_EQ(t_pin(t, addr, 1, 0, pages + 1), 1);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM, pages + 2), 1);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 3);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_lt_pins), 2);
	unpin_user_page(pages[1]);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 2);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_lt_pins), 1);
	unpin_user_page(pages[0]);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_lt_pins), 0);
	unpin_user_page(pages[2]);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 0);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_lt_pins), 0);
	ASSERT_EQ(page_ref_count(pages[0]), ref);
	task_exit(t);
}

TEST(unpin_of_unpinned_page_is_reported)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	long rel = vmstat_read(NR_FOLL_PIN_RELEASED);
	int ref;

	t_fill(t, addr, 1, PAGE_SIZE);
	page = t_page(t, addr);
	ref = page_ref_count(page);
	ASSERT_EQ(nr_warnings(), 0);
	unpin_user_page(page);
	ASSERT_EQ(page_ref_count(page), ref);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_RELEASED), rel);
	ASSERT_GT(nr_warnings(), 0);
	{
		char buf[8];

		/* The check would fail on the recorded warning. */
		ASSERT_NE(check_invariants(buf, sizeof(buf)), 0);
	}
	mm_warnings_clear();
	task_exit(t);
}

TEST(unpin_dirty_lock_marks_dirty)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_EXT4, 2 * PAGE_SIZE);
	unsigned long addr = t_mmap(t, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED,
				    f);
	struct page *pages[2];
	char c;

	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	ASSERT_EQ(user_read(t, addr + PAGE_SIZE, &c, 1), UACCESS_OK);
	ASSERT_EQ(t_pin(t, addr, 2, 0, pages), 2);
	ASSERT_FALSE(folio_test_dirty(page_folio(pages[0])));
	ASSERT_FALSE(folio_test_dirty(page_folio(pages[1])));
	unpin_user_pages_dirty_lock(pages, 1, false);
	ASSERT_FALSE(folio_test_dirty(page_folio(pages[0])));
	unpin_user_pages_dirty_lock(pages + 1, 1, true);
	ASSERT_TRUE(folio_test_dirty(page_folio(pages[1])));
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	task_exit(t);
	fput(f);
}

TEST(zero_page_pin_is_a_noop)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2], *zero;
	long zp = vmstat_read(GUPSIM_ZERO_PAGE_PIN);
	long acq = vmstat_read(NR_FOLL_PIN_ACQUIRED);
	int ref;
	char c;

	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	zero = t_page(t, addr);
	ASSERT_TRUE(is_zero_page(zero));
	ref = page_ref_count(zero);
	/* A short-term R/O pin takes the zero page without a reference. */
	ASSERT_EQ(t_pin(t, addr, 1, 0, pages), 1);
	ASSERT_PTR_EQ(pages[0], zero);
	ASSERT_EQ(page_ref_count(zero), ref);
	ASSERT_EQ(vmstat_read(GUPSIM_ZERO_PAGE_PIN), zp + 1);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), acq);
	unpin_user_page(pages[0]);
	ASSERT_EQ(page_ref_count(zero), ref);
	ASSERT_EQ(nr_warnings(), 0);
	/* FOLL_GET does take a reference on it. */
	ASSERT_EQ(t_gup(t, addr, 1, 0, pages), 1);
	ASSERT_PTR_EQ(pages[0], zero);
	ASSERT_EQ(page_ref_count(zero), ref + 1);
	put_page(pages[0]);
	ASSERT_EQ(page_ref_count(zero), ref);
	/* A core dump skips it, and the unpopulated page as well. */
	ASSERT_EQ(t_gup(t, addr, 1, FOLL_DUMP, pages), -EFAULT);
	ASSERT_EQ(t_gup(t, addr + PAGE_SIZE, 1, FOLL_DUMP, pages), -EFAULT);
	ASSERT_NULL(t_page(t, addr + PAGE_SIZE));
	task_exit(t);
}

TEST(longterm_ro_pin_of_zero_page_unshares)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];
	char c;

	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	ASSERT_TRUE(is_zero_page(t_page(t, addr)));
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_FALSE(is_zero_page(pages[0]));
	ASSERT_PTR_EQ(t_page(t, addr), pages[0]);
	ASSERT_TRUE(PageAnonExclusive(pages[0]));
	/* The process's later writes are what the device reads. */
	t_fill(t, addr, 0x99, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x99));
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(partial_pin_stops_at_hole)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	struct page *pages[4] = { NULL };

	t_fill(t, addr, 0x21, 4 * PAGE_SIZE);
	ASSERT_EQ(vm_munmap(t, addr + 2 * PAGE_SIZE, PAGE_SIZE), 0);
	ASSERT_EQ(t_pin(t, addr, 4, FOLL_WRITE, pages), 2);
	ASSERT_NULL(pages[2]);
	ASSERT_EQ(t_pin(t, addr + 2 * PAGE_SIZE, 2, 0, pages + 2), -EFAULT);
	unpin_user_pages(pages, 2);
	ASSERT_EQ(pin_user_pages_fast(addr, 4, 0, pages), 2);
	unpin_user_pages(pages, 2);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	task_exit(t);
}

TEST(sigbus_beyond_eof_is_efault)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_EXT4, PAGE_SIZE);
	unsigned long addr = t_mmap(t, 2 * PAGE_SIZE, PROT_READ, MAP_SHARED,
				    f);
	struct page *pages[2];

	ASSERT_EQ(t_pin(t, addr, 2, 0, pages), 1);
	unpin_user_page(pages[0]);
	ASSERT_EQ(t_pin(t, addr + PAGE_SIZE, 1, 0, pages), -EFAULT);
	task_exit(t);
	fput(f);
}

TEST(nofault_does_not_fault)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2];

	ASSERT_EQ(t_pin(t, addr, 1, FOLL_NOFAULT, pages), -EFAULT);
	ASSERT_NULL(t_page(t, addr));
	t_fill(t, addr, 0x31, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 2, FOLL_NOFAULT | FOLL_WRITE, pages), 1);
	ASSERT_NULL(t_page(t, addr + PAGE_SIZE));
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(write_to_ro_pte_faults_cow)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct page *pages[1], *old;

	t_fill(p, addr, 0x41, PAGE_SIZE);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	current = p;
	old = t_page(p, addr);
	ASSERT_PTR_EQ(t_page(c, addr), old);
	/* The PTE is R/O and the page shared: a write pin COWs first. */
	ASSERT_EQ(t_pin(p, addr, 1, FOLL_WRITE, pages), 1);
	ASSERT_NE((long)(uintptr_t)pages[0], (long)(uintptr_t)old);
	ASSERT_PTR_EQ(t_page(p, addr), pages[0]);
	ASSERT_PTR_EQ(t_page(c, addr), old);
	memset(page_address(pages[0]), 0x42, PAGE_SIZE);
	ASSERT_TRUE(t_holds(p, addr, 0x42, PAGE_SIZE));
	ASSERT_TRUE(t_holds(c, addr, 0x41, PAGE_SIZE));
	unpin_user_page(pages[0]);
	task_exit(c);
	task_exit(p);
}

TEST(ro_pin_of_shared_anon_unshares)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct page *pages[1], *shared;

	t_fill(p, addr, 0x51, PAGE_SIZE);
	c = task_fork(p, "child");
	current = p;
	shared = t_page(p, addr);
	ASSERT_FALSE(PageAnonExclusive(shared));
	ASSERT_TRUE(gup_must_unshare(NULL, FOLL_PIN, shared));
	ASSERT_FALSE(gup_must_unshare(NULL, FOLL_PIN | FOLL_WRITE, shared));
	ASSERT_FALSE(gup_must_unshare(NULL, FOLL_GET, shared));

	ASSERT_EQ(t_pin(p, addr, 1, 0, pages), 1);
	ASSERT_TRUE(PageAnonExclusive(pages[0]));
	ASSERT_PTR_EQ(t_page(p, addr), pages[0]);
	/* Later writes of the parent reach the pinned page... */
	t_fill(p, addr, 0x52, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x52));
	/* ...and the child keeps its data. */
	ASSERT_TRUE(t_holds(c, addr, 0x51, PAGE_SIZE));
	unpin_user_page(pages[0]);
	/* A FOLL_GET reference does not unshare. */
	task_exit(c);
	task_exit(p);
}

TEST(gup_must_unshare_non_anon)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_EXT4, PAGE_SIZE);
	unsigned long priv = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, f);
	unsigned long shr = t_mmap(t, PAGE_SIZE, PROT_READ, MAP_SHARED, f);
	struct vm_area_struct *pv, *sv;
	struct page *page;
	char c;

	ASSERT_EQ(user_read(t, priv, &c, 1), UACCESS_OK);
	page = t_page(t, priv);
	ASSERT_FALSE(folio_test_anon(page_folio(page)));
	mmap_read_lock(task_mm(t));
	pv = vma_lookup(task_mm(t), priv);
	sv = vma_lookup(task_mm(t), shr);
	ASSERT_FALSE(gup_must_unshare(pv, FOLL_PIN, page));
	ASSERT_TRUE(gup_must_unshare(pv, FOLL_PIN | FOLL_LONGTERM, page));
	ASSERT_FALSE(gup_must_unshare(pv, FOLL_PIN | FOLL_LONGTERM |
				      FOLL_WRITE, page));
	ASSERT_FALSE(gup_must_unshare(sv, FOLL_PIN | FOLL_LONGTERM, page));
	ASSERT_TRUE(gup_must_unshare(NULL, FOLL_PIN | FOLL_LONGTERM, page));
	mmap_read_unlock(task_mm(t));
	task_exit(t);
	fput(f);
}

TEST(longterm_ro_pin_of_private_file_page_breaks_cow)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_EXT4, PAGE_SIZE);
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, f);
	struct page *pages[1], *cache;
	char c;

	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	cache = t_page(t, addr);
	/* A short-term R/O pin may take the page cache page. */
	ASSERT_EQ(t_pin(t, addr, 1, 0, pages), 1);
	ASSERT_PTR_EQ(pages[0], cache);
	unpin_user_page(pages[0]);
	/* A long-term one gets the anon copy the process will write to. */
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_TRUE(pages[0] != cache);
	ASSERT_TRUE(folio_test_anon(page_folio(pages[0])));
	t_fill(t, addr, 0x6b, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x6b));
	ASSERT_FALSE(page_holds(cache, 0x6b));
	unpin_user_page(pages[0]);
	task_exit(t);
	fput(f);
}

TEST_CFG(thp_pin_one_folio, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long map = t_mmap_anon(t, 2 * HPAGE_PMD_SIZE);
	unsigned long addr = ALIGN_UP(map, HPAGE_PMD_SIZE);
	static struct page *pages[HPAGE_PMD_NR];
	struct folio *folio;
	int ref;

	t_fill(t, addr, 0x7e, HPAGE_PMD_SIZE);
	folio = page_folio(t_page(t, addr));
	ASSERT_TRUE(folio_test_large(folio));
	ASSERT_EQ(folio_nr_pages(folio), HPAGE_PMD_NR);
	ref = folio_ref_count(folio);
	ASSERT_EQ(t_pin(t, addr, HPAGE_PMD_NR, FOLL_WRITE, pages), HPAGE_PMD_NR);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		ASSERT_PTR_EQ(page_folio(pages[i]), folio);
		ASSERT_PTR_EQ(pages[i], folio_page(folio, i));
	}
	ASSERT_EQ(atomic_load(&folio->page._pincount), HPAGE_PMD_NR);
	ASSERT_EQ(folio_ref_count(folio), ref + HPAGE_PMD_NR);
	ASSERT_TRUE(folio_maybe_dma_pinned(folio));
	ASSERT_INVARIANTS();
	unpin_user_pages(pages, HPAGE_PMD_NR);
	ASSERT_EQ(atomic_load(&folio->page._pincount), 0);
	ASSERT_EQ(folio_ref_count(folio), ref);

	/* From the middle of the THP: the pages from there on. */
	ASSERT_EQ(t_pin(t, addr + 10 * PAGE_SIZE, 3, 0, pages), 3);
	ASSERT_PTR_EQ(pages[0], folio_page(folio, 10));
	ASSERT_PTR_EQ(pages[2], folio_page(folio, 12));
	ASSERT_EQ(atomic_load(&folio->page._pincount), 3);
	unpin_user_pages(pages, 3);
	/* FOLL_GET on a large folio: plain references, no pincount. */
	ASSERT_EQ(t_gup(t, addr, 4, 0, pages), 4);
	ASSERT_EQ(folio_ref_count(folio), ref + 4);
	ASSERT_EQ(atomic_load(&folio->page._pincount), 0);
	for (int i = 0; i < 4; i++)
		put_page(pages[i]);
	task_exit(t);
}

TEST_CFG(hugetlb_pin_subpages, .hugetlb = 2)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap(t, HPAGE_PMD_SIZE,
				    PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
				    NULL);
	static struct page *pages[HPAGE_PMD_NR];
	struct folio *folio;

	ASSERT_EQ(t_pin(t, addr + PAGE_SIZE, HPAGE_PMD_NR - 1, FOLL_WRITE,
		      pages), HPAGE_PMD_NR - 1);
	folio = page_folio(pages[0]);
	ASSERT_TRUE(folio_test_hugetlb(folio));
	ASSERT_PTR_EQ(pages[0], folio_page(folio, 1));
	ASSERT_PTR_EQ(pages[HPAGE_PMD_NR - 2],
		      folio_page(folio, HPAGE_PMD_NR - 1));
	ASSERT_EQ(atomic_load(&folio->page._pincount), HPAGE_PMD_NR - 1);
	memset(page_address(pages[5]), 0x3a, PAGE_SIZE);
	ASSERT_TRUE(t_holds(t, addr + 6 * PAGE_SIZE, 0x3a, PAGE_SIZE));
	unpin_user_pages(pages, HPAGE_PMD_NR - 1);
	ASSERT_EQ(atomic_load(&folio->page._pincount), 0);
	task_exit(t);
}

TEST(unlocked_and_remote_variants)
{
	struct task_struct *t = t_task("t"), *other;
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2], *ref[1];
	int locked = 1;

	t_fill(t, addr, 0x0f, 2 * PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_unlocked(addr, 2, pages, FOLL_WRITE), 2);
	unpin_user_pages(pages, 2);
	ASSERT_EQ(get_user_pages_unlocked(addr, 2, pages, 0), 2);
	put_page(pages[0]);
	put_page(pages[1]);

	/* Remote: another task's mm, from a different current. */
	other = t_task("other");
	current = other;
	mmap_read_lock(task_mm(t));
	ASSERT_EQ(pin_user_pages_remote(task_mm(t), addr, 2, FOLL_LONGTERM,
					pages, &locked), 2);
	ASSERT_EQ(locked, 1);
	ASSERT_EQ(get_user_pages_remote(task_mm(t), addr + PAGE_SIZE, 1, 0,
					ref, NULL), 1);
	mmap_read_unlock(task_mm(t));
	ASSERT_PTR_EQ(ref[0], pages[1]);
	ASSERT_TRUE(page_holds(pages[0], 0x0f));
	ASSERT_TRUE(mm_has_pinned(t));
	ASSERT_FALSE(mm_has_pinned(other));
	put_page(ref[0]);
	unpin_user_pages(pages, 2);
	task_exit(other);
	current = t;
	task_exit(t);
}

TEST_CFG(fault_oom_is_enomem, .mem = 32 << 20, .device = 8 << 20)
{
	struct task_struct *t = t_task("t");
	const unsigned long nr = (48UL << 20) >> PAGE_SHIFT;
	unsigned long addr = t_mmap_anon(t, nr * PAGE_SIZE);
	struct page **pages = calloc(nr, sizeof(*pages));
	long got;

	ASSERT_NOT_NULL(pages);
	/* More than there is: the pages up to the failure... */
	got = t_pin(t, addr, nr, FOLL_WRITE, pages);
	ASSERT_GT(got, 0);
	ASSERT_LT(got, (long)nr);
	/* ...and then the fault's VM_FAULT_OOM as -ENOMEM. */
	ASSERT_EQ(t_pin(t, addr + got * PAGE_SIZE, 1, FOLL_WRITE, pages + got),
		  -ENOMEM);
	unpin_user_pages(pages, got);
	free(pages);
	task_exit(t);
}

/* ---- migration entries: the walk waits, then pins the page ---- */

struct restore_later {
	struct mm_struct *mm;
	pte_t *ptep;
	pte_t old;
};

/* Plays the migration that finishes while GUP waits on its entry. */
static void *restore_pte_later(void *arg)
{
	struct restore_later *r = arg;

	usleep(50 * 1000);
	ptl_lock(r->mm);
	set_pte(r->ptep, r->old);
	ptl_unlock(r->mm);
	return NULL;
}

TEST(slow_pin_waits_for_migration_entry)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct restore_later r = { .mm = task_mm(t) };
	struct page *pages[1];
	pthread_t thread;

	t_fill(t, addr, 0x61, PAGE_SIZE);
	mmap_read_lock(r.mm);
	r.ptep = pte_offset(mm_find_pmd(r.mm, addr), addr);
	mmap_read_unlock(r.mm);
	ASSERT_NOT_NULL(r.ptep);
	ptl_lock(r.mm);
	r.old = ptep_get(r.ptep);
	set_pte(r.ptep, make_migration_entry(pte_pfn(r.old),
					     SWP_MIGRATION_WRITE));
	ptl_unlock(r.mm);
	ASSERT_EQ(pthread_create(&thread, NULL, restore_pte_later, &r), 0);
	/* Blocks on the migration entry until the "migration" is done. */
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, pages), 1);
	pthread_join(thread, NULL);
	ASSERT_PTR_EQ(pages[0], pfn_to_page(pte_pfn(r.old)));
	ASSERT_TRUE(page_holds(pages[0], 0x61));
	unpin_user_pages(pages, 1);
	task_exit(t);
}
