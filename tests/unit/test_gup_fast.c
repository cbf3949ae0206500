// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of GUP-fast: what the lockless walk takes by itself, and each case
 * where it must leave the rest to the slow path.
 */
#include "harness.h"
#include "../../mm/testing.h"

static long fallbacks(void)
{
	return vmstat_read(GUPSIM_GUP_FAST_FALLBACK);
}

TEST(fast_pins_populated_pages_without_fallback)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 8 * PAGE_SIZE);
	long fb = fallbacks();
	struct page *pages[8];
	int ref;

	t_fill(t, addr, 0x44, 8 * PAGE_SIZE);
	ref = page_ref_count(t_page(t, addr));
	ASSERT_EQ(pin_user_pages_fast(addr, 8, FOLL_WRITE, pages), 8);
	ASSERT_EQ(fallbacks(), fb);
	for (int i = 0; i < 8; i++)
		ASSERT_PTR_EQ(pages[i], t_page(t, addr + i * PAGE_SIZE));
	ASSERT_EQ(page_ref_count(pages[0]), ref + GUP_PIN_COUNTING_BIAS);
	ASSERT_EQ(atomic_load(&pages[0]->_debug_pins), 1);
	ASSERT_TRUE(atomic_load(&task_mm(t)->flags) & (1UL << MMF_HAS_PINNED));
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), 8);
	ASSERT_INVARIANTS();
	unpin_user_pages(pages, 8);
	ASSERT_EQ(page_ref_count(pages[0]), ref);

	ASSERT_EQ(get_user_pages_fast(addr, 8, 0, pages), 8);
	ASSERT_EQ(fallbacks(), fb);
	ASSERT_EQ(page_ref_count(pages[0]), ref + 1);
	for (int i = 0; i < 8; i++)
		put_page(pages[i]);
	task_exit(t);
}

TEST(fast_falls_back_to_fault_in)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	long fb = fallbacks();
	struct page *pages[4];

	t_fill(t, addr, 0x45, 2 * PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 4, FOLL_WRITE, pages), 4);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_PTR_EQ(pages[3], t_page(t, addr + 3 * PAGE_SIZE));
	ASSERT_TRUE(page_holds(pages[1], 0x45));
	ASSERT_TRUE(page_holds(pages[2], 0));
	unpin_user_pages(pages, 4);
	task_exit(t);
}

TEST(fast_only_never_falls_back)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	long fb = fallbacks();
	struct page *pages[4];

	ASSERT_EQ(get_user_pages_fast_only(addr, 4, 0, pages), 0);
	ASSERT_NULL(t_page(t, addr));
	t_fill(t, addr, 0x46, 2 * PAGE_SIZE);
	ASSERT_EQ(get_user_pages_fast_only(addr, 4, FOLL_WRITE, pages), 2);
	ASSERT_EQ(fallbacks(), fb);
	put_page(pages[0]);
	put_page(pages[1]);
	ASSERT_NULL(t_page(t, addr + 2 * PAGE_SIZE));
	task_exit(t);
}

TEST(fast_write_to_ro_pte_falls_back)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	long fb = fallbacks();
	struct page *pages[1];
	char c;

	/* Read fault: the zero page, special and R/O. */
	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	ASSERT_EQ(get_user_pages_fast_only(addr, 1, 0, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_FALSE(is_zero_page(pages[0]));
	ASSERT_PTR_EQ(t_page(t, addr), pages[0]);
	unpin_user_page(pages[0]);
	task_exit(t);
}

TEST(fast_ro_pin_of_shared_anon_falls_back_and_unshares)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct page *pages[1], *shared;
	long fb;

	t_fill(p, addr, 0x47, PAGE_SIZE);
	c = task_fork(p, "child");
	current = p;
	shared = t_page(p, addr);
	fb = fallbacks();
	/* A FOLL_GET reference needs no unsharing: fast. */
	ASSERT_EQ(get_user_pages_fast(addr, 1, 0, pages), 1);
	ASSERT_PTR_EQ(pages[0], shared);
	ASSERT_EQ(fallbacks(), fb);
	put_page(pages[0]);
	/* A R/O pin of a shared anon page must not be taken fast. */
	ASSERT_EQ(get_user_pages_fast_only(addr, 1, 0, pages), 1);
	put_page(pages[0]);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_TRUE(pages[0] != shared);
	ASSERT_TRUE(PageAnonExclusive(pages[0]));
	t_fill(p, addr, 0x48, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pages[0], 0x48));
	ASSERT_TRUE(t_holds(c, addr, 0x47, PAGE_SIZE));
	unpin_user_page(pages[0]);
	task_exit(c);
	task_exit(p);
}

TEST_CFG(fast_longterm_cma_falls_back, .mem = 256 << 20, .cma = 64 << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1], *old;
	long fb;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 0x49, PAGE_SIZE);
	old = t_page(t, addr);
	ASSERT_EQ(page_zone_kind(old), PZ_CMA);
	fb = fallbacks();
	/* A short-term pin of CMA is fine fast. */
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), 1);
	ASSERT_EQ(fallbacks(), fb);
	ASSERT_PTR_EQ(pages[0], old);
	unpin_user_page(pages[0]);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_EQ(page_zone_kind(pages[0]), PZ_NORMAL);
	ASSERT_TRUE(page_holds(pages[0], 0x49));
	unpin_user_page(pages[0]);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	task_exit(t);
}

TEST(fast_longterm_write_file_pins)
{
	struct task_struct *t = t_task("t");
	struct file *ext4 = file_create("e", FS_EXT4, PAGE_SIZE);
	struct file *shm = file_create("s", FS_TMPFS, PAGE_SIZE);
	unsigned long ea = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED, ext4);
	unsigned long sa = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				  MAP_SHARED, shm);
	unsigned int f = FOLL_LONGTERM | FOLL_WRITE;
	struct page *pages[1];
	long fb;

	t_fill(t, ea, 0x4a, PAGE_SIZE);
	t_fill(t, sa, 0x4b, PAGE_SIZE);
	fb = fallbacks();
	/* ext4: refused by GUP-fast, and by the slow path with -EFAULT. */
	ASSERT_EQ(pin_user_pages_fast(ea, 1, f, pages), -EFAULT);
	ASSERT_EQ(fallbacks(), fb + 1);
	/* Without FOLL_LONGTERM or FOLL_WRITE it is taken fast. */
	ASSERT_EQ(pin_user_pages_fast(ea, 1, FOLL_WRITE, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	unpin_user_page(pages[0]);
	/* shmem needs no dirty tracking: fast. */
	ASSERT_EQ(pin_user_pages_fast(sa, 1, f, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_TRUE(page_holds(pages[0], 0x4b));
	unpin_user_page(pages[0]);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED),
		  vmstat_read(NR_FOLL_PIN_RELEASED));
	task_exit(t);
	fput(ext4);
	fput(shm);
}

TEST(fast_longterm_ro_private_file_falls_back)
{
	struct task_struct *t = t_task("t");
	struct file *f = file_create("f", FS_TMPFS, PAGE_SIZE);
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE, f);
	struct page *pages[1], *cache;
	long fb;
	char c;

	ASSERT_EQ(user_read(t, addr, &c, 1), UACCESS_OK);
	cache = t_page(t, addr);
	fb = fallbacks();
	/* No VMA in GUP-fast: a R/O long-term pin of a file page goes slow. */
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_LONGTERM, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_TRUE(pages[0] != cache);
	ASSERT_TRUE(folio_test_anon(page_folio(pages[0])));
	unpin_user_page(pages[0]);
	task_exit(t);
	fput(f);
}

TEST(fast_protnone_falls_back)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];
	long fb;

	t_fill(t, addr, 0x4c, PAGE_SIZE);
	ASSERT_EQ(vm_mprotect(t, addr, PAGE_SIZE, PROT_NONE), 0);
	fb = fallbacks();
	ASSERT_EQ(get_user_pages_fast_only(addr, 1, 0, pages), 0);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(fallbacks(), fb + 1);
	task_exit(t);
}

TEST(fast_write_protect_seq_forces_slow_pin)
{
	struct task_struct *t = t_task("t");
	struct mm_struct *mm = task_mm(t);
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2];
	long fb;

	t_fill(t, addr, 0x4d, 2 * PAGE_SIZE);
	fb = fallbacks();
	/* As if fork were write-protecting right now. */
	atomic_fetch_add(&mm->write_protect_seq, 1);
	ASSERT_EQ(get_user_pages_fast_only(addr, 2, 0, pages), 2);
	put_page(pages[0]);
	put_page(pages[1]);
	ASSERT_EQ(pin_user_pages_fast(addr, 2, 0, pages), 2);
	ASSERT_EQ(fallbacks(), fb + 1);
	atomic_fetch_add(&mm->write_protect_seq, 1);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), 2);
	unpin_user_pages(pages, 2);
	ASSERT_EQ(pin_user_pages_fast(addr, 2, 0, pages), 2);
	ASSERT_EQ(fallbacks(), fb + 1);
	unpin_user_pages(pages, 2);
	task_exit(t);
}

/* A whole fork (write_protect_seq += 2) between the walk and its check. */
static void fork_ran_during_walk(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->write_protect_seq, 2);
}

TEST(fast_pins_dropped_when_fork_ran_during_walk)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct page *pages[2];
	long fb;
	int ref;

	t_fill(t, addr, 0x4e, 2 * PAGE_SIZE);
	ref = page_ref_count(t_page(t, addr));
	fb = fallbacks();
	gup_fast_after_walk_hook = fork_ran_during_walk;
	/* The fast walk's pins are undone; the slow path pins instead. */
	ASSERT_EQ(pin_user_pages_fast(addr, 2, FOLL_WRITE, pages), 2);
	gup_fast_after_walk_hook = NULL;
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_EQ(page_ref_count(pages[0]), ref + (int)GUP_PIN_COUNTING_BIAS);
	/* the undone pins count as acquired and released */
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), 4);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_RELEASED), 2);
	unpin_user_pages(pages, 2);
	ASSERT_EQ(page_ref_count(t_page(t, addr)), ref);
	/* FOLL_GET is not fork's business: the walk's references stand. */
	gup_fast_after_walk_hook = fork_ran_during_walk;
	ASSERT_EQ(get_user_pages_fast(addr, 2, 0, pages), 2);
	gup_fast_after_walk_hook = NULL;
	ASSERT_EQ(fallbacks(), fb + 1);
	put_page(pages[0]);
	put_page(pages[1]);
	task_exit(t);
}

TEST(fast_returns_fast_count_when_slow_part_fails)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 3 * PAGE_SIZE);
	struct page *pages[3] = { NULL };
	long fb;

	t_fill(t, addr, 0x4e, 3 * PAGE_SIZE);
	ASSERT_EQ(vm_munmap(t, addr + PAGE_SIZE, PAGE_SIZE), 0);
	fb = fallbacks();
	ASSERT_EQ(pin_user_pages_fast(addr, 3, 0, pages), 1);
	ASSERT_EQ(fallbacks(), fb + 1);
	ASSERT_NULL(pages[1]);
	unpin_user_page(pages[0]);
	ASSERT_EQ(pin_user_pages_fast(addr + PAGE_SIZE, 2, 0, pages), -EFAULT);
	task_exit(t);
}

TEST_CFG(fast_thp_pin_one_grab, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long map = t_mmap_anon(t, 2 * HPAGE_PMD_SIZE);
	unsigned long addr = ALIGN_UP(map, HPAGE_PMD_SIZE);
	static struct page *pages[HPAGE_PMD_NR];
	struct folio *folio;
	long fb;
	int ref;

	t_fill(t, addr, 0x4f, HPAGE_PMD_SIZE);
	folio = page_folio(t_page(t, addr));
	ASSERT_TRUE(folio_test_large(folio));
	ref = folio_ref_count(folio);
	fb = fallbacks();
	ASSERT_EQ(pin_user_pages_fast(addr, HPAGE_PMD_NR, FOLL_WRITE |
				      FOLL_LONGTERM, pages), HPAGE_PMD_NR);
	ASSERT_EQ(fallbacks(), fb);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		ASSERT_PTR_EQ(pages[i], folio_page(folio, i));
	ASSERT_EQ(atomic_load(&folio->page._pincount), HPAGE_PMD_NR);
	ASSERT_EQ(folio_ref_count(folio), ref + HPAGE_PMD_NR);
	ASSERT_EQ(vmstat_read(NR_FOLL_PIN_ACQUIRED), HPAGE_PMD_NR);
	ASSERT_INVARIANTS();
	unpin_user_pages(pages, HPAGE_PMD_NR);
	ASSERT_EQ(folio_ref_count(folio), ref);
	ASSERT_EQ(atomic_load(&folio->page._pincount), 0);

	/* A range that starts inside the THP and runs past it. */
	t_fill(t, addr + HPAGE_PMD_SIZE, 0x50, PAGE_SIZE);
	ASSERT_EQ(get_user_pages_fast(addr + HPAGE_PMD_SIZE - PAGE_SIZE, 2, 0,
				      pages), 2);
	ASSERT_PTR_EQ(pages[0], folio_page(folio, HPAGE_PMD_NR - 1));
	ASSERT_TRUE(page_holds(pages[1], 0x50));
	put_page(pages[0]);
	put_page(pages[1]);
	task_exit(t);
}

TEST_CFG(fast_hugetlb_pin, .hugetlb = 2)
{
	struct task_struct *t = t_task("t");
	long addr = vm_mmap(t, 0, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, NULL, 0);
	struct page *pages[4];
	struct folio *folio;
	long fb;

	ASSERT_GT(addr, 0);
	t_fill(t, addr, 0x51, HPAGE_PMD_SIZE);
	fb = fallbacks();
	ASSERT_EQ(pin_user_pages_fast(addr + 8 * PAGE_SIZE, 4,
				      FOLL_WRITE | FOLL_LONGTERM, pages), 4);
	ASSERT_EQ(fallbacks(), fb);
	folio = page_folio(pages[0]);
	ASSERT_TRUE(folio_test_hugetlb(folio));
	ASSERT_PTR_EQ(pages[3], folio_page(folio, 11));
	ASSERT_EQ(atomic_load(&folio->page._pincount), 4);
	unpin_user_pages(pages, 4);
	task_exit(t);
}
