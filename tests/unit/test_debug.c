// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the invariant checker, the warning log, dump_page and
 * user_range_zone. Each checker test breaks one rule on purpose, checks
 * that it is reported, then repairs it so the after-test check passes.
 */
#include "harness.h"
#include "../../mm/testing.h"

static char buf[8192];

/* The checker must fail and mention every string given. */
static void expect_violation(const char *what, const char *detail)
{
	ASSERT_EQ(check_invariants(buf, sizeof(buf)), -EUCLEAN);
	if (!strstr(buf, what))
		harness_fail(__FILE__, __LINE__, "no \"%s\" in: %s", what, buf);
	if (detail && !strstr(buf, detail))
		harness_fail(__FILE__, __LINE__, "no \"%s\" in: %s", detail,
			     buf);
}

TEST(clean_machine_passes)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 16 * PAGE_SIZE);

	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	ASSERT_STREQ(buf, "");
	t_fill(t, addr, 1, 16 * PAGE_SIZE);
	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	task_exit(t);
}

TEST(detects_wrong_mapcount)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	char pfn[32];

	t_fill(t, addr, 1, PAGE_SIZE);
	page = t_normal_page(t, addr);
	snprintf(pfn, sizeof(pfn), "pfn=%#lx", page_to_pfn(page));
	atomic_fetch_add(&page->_mapcount, 1);
	expect_violation("mapcount 2 but 1 PTEs map it", pfn);
	atomic_fetch_sub(&page->_mapcount, 1);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST(detects_refcount_too_low)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;

	t_fill(t, addr, 1, PAGE_SIZE);
	page = t_normal_page(t, addr);
	/* a pin recorded without its GUP_PIN_COUNTING_BIAS references */
	atomic_fetch_add(&page->_debug_pins, 1);
	expect_violation("refcount below", "pins=1");
	folio_ref_add(page_folio(page), GUP_PIN_COUNTING_BIAS);
	ASSERT_INVARIANTS();
	atomic_fetch_sub(&page->_debug_pins, 1);
	folio_put_refs(page_folio(page), GUP_PIN_COUNTING_BIAS);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST_CFG(detects_longterm_pin_in_cma, .mem = 256 << 20, .cma = 32 << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct folio *folio;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 1, PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, addr, PAGE_SIZE), PZ_CMA);
	folio = page_folio(t_normal_page(t, addr));
	folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
	atomic_fetch_add(&folio->page._debug_pins, 1);
	ASSERT_INVARIANTS();		/* a short-term pin in CMA is fine */
	atomic_fetch_add(&folio->page._debug_lt_pins, 1);
	expect_violation("not longterm pinnable", "mt=CMA");
	atomic_fetch_sub(&folio->page._debug_lt_pins, 1);
	atomic_fetch_sub(&folio->page._debug_pins, 1);
	folio_put_refs(folio, GUP_PIN_COUNTING_BIAS);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST(detects_lost_page)
{
	struct page *page = alloc_pages(GFP_KERNEL, 0);

	ASSERT_NOT_NULL(page);
	ASSERT_INVARIANTS();		/* allocated, refcount 1: fine */
	/* refcount dropped to zero without freeing: the frame is lost */
	atomic_store(&page->_refcount, 0);
	expect_violation("neither free nor in use", "refcount=0");
	atomic_store(&page->_refcount, 1);
	__free_pages(page, 0);
	ASSERT_INVARIANTS();
}

TEST_CFG(detects_wrong_thp_mapcount, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, HPAGE_PMD_SIZE);
	struct folio *folio;

	t_fill(t, addr, 1, HPAGE_PMD_SIZE);
	folio = page_folio(t_normal_page(t, addr));
	ASSERT_EQ(folio_order(folio), HPAGE_PMD_ORDER);
	ASSERT_INVARIANTS();
	atomic_fetch_add(&folio->page._entire_mapcount, 1);
	expect_violation("entire mapcount 2 but 1 PMDs", "order=9");
	atomic_fetch_sub(&folio->page._entire_mapcount, 1);
	atomic_fetch_add(&folio->page._pincount, 1);
	expect_violation("_pincount 1 != 0 pins", NULL);
	atomic_fetch_sub(&folio->page._pincount, 1);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST(warnings_are_violations)
{
	char log[512];

	ASSERT_EQ(mm_warnings(log, sizeof(log)), 0);
	VM_WARN(1, "deliberate warning %d", 42);
	ASSERT_EQ(mm_warnings(log, sizeof(log)), 1);
	ASSERT_TRUE(strstr(log, "deliberate warning 42") != NULL);
	ASSERT_TRUE(strstr(log, "test_debug.c") != NULL);
	expect_violation("model warning", "deliberate warning 42");
	mm_warnings_clear();
	ASSERT_EQ(mm_warnings(log, sizeof(log)), 0);
	ASSERT_INVARIANTS();
}

TEST(dump_page_format)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	char line[512], want[64];

	t_fill(t, addr, 1, PAGE_SIZE);
	page = t_normal_page(t, addr);
	ASSERT_GT(dump_page(line, sizeof(line), page), 0);
	snprintf(want, sizeof(want), "page pfn=%#lx refcount=1 mapcount=1 ",
		 page_to_pfn(page));
	ASSERT_TRUE(strncmp(line, want, strlen(want)) == 0);
	ASSERT_TRUE(strstr(line, "pins=0 (lt 0) mapping=anon") != NULL);
	ASSERT_TRUE(strstr(line, "order=0 zone=") != NULL);
	ASSERT_TRUE(strstr(line, "anon_exclusive") != NULL);
	ASSERT_TRUE(strstr(line, "lru") != NULL);
	task_exit(t);
}

TEST_CFG(range_zone_kinds, .mem = 256 << 20, .cma = 32 << 20,
	 .movable = 64 << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);

	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_NONE);
	ASSERT_EQ(vm_set_place(t, addr, PLACE_NORMAL), 0);
	t_fill(t, addr, 1, 2 * PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_NORMAL);
	ASSERT_EQ(vm_set_place(t, addr, PLACE_MOVABLE), 0);
	t_fill(t, addr + 2 * PAGE_SIZE, 1, PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, addr + 2 * PAGE_SIZE, PAGE_SIZE),
		  PZ_MOVABLE);
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_MIXED);
	task_exit(t);
}

/* Pool folios (refcount 0), hugetlb PMD mappings and device pages. */
TEST_CFG(checker_accepts_hugetlb_and_dax, .hugetlb = 4)
{
	struct task_struct *t = t_task("t");
	struct file *dax = file_create("dax", FS_DAX, 4 * PAGE_SIZE);
	long h, d;

	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	h = vm_mmap(t, 0, HPAGE_PMD_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, NULL, 0);
	ASSERT_GT(h, 0);
	t_fill(t, h, 0x2f, HPAGE_PMD_SIZE);
	ASSERT_NOT_NULL(dax);
	d = vm_mmap(t, 0, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    dax, 0);
	ASSERT_GT(d, 0);
	t_fill(t, d, 0x30, 4 * PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, d, 4 * PAGE_SIZE), PZ_DEVICE);
	ASSERT_EQ(check_invariants(buf, sizeof(buf)), 0);
	/* a device page's mapcount is checked too */
	atomic_fetch_add(&t_normal_page(t, d)->_mapcount, 1);
	expect_violation("mapcount 2 but 1 PTEs", "zone=Device");
	atomic_fetch_sub(&t_normal_page(t, d)->_mapcount, 1);
	task_exit(t);
	fput(dax);
}
