// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the explain record (gupsim/explain.h): the model writes the
 * rule that decided where it decides, counts how a pin found its pages,
 * names the page a migration could not move, and asks the profile hook
 * for the entry that brought a rule; a thread that did not ask records
 * nothing.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <gupsim/explain.h>

#include "harness.h"

/* Does a line of kind start with prefix? */
static bool has_line(const struct explain *ex, enum explain_kind kind,
		     const char *prefix)
{
	for (int i = 0; i < ex->nr_lines; i++)
		if (ex->line[i].kind == kind &&
		    !strncmp(ex->line[i].text, prefix, strlen(prefix)))
			return true;
	return false;
}

TEST(refused_write_pin_names_check_vma_flags)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	struct page *page;
	struct explain ex;

	explain_begin(&ex);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, &page), -EFAULT);
	explain_end();
	ASSERT_TRUE(has_line(&ex, EXPLAIN_RULE,
			     "check_vma_flags(): FOLL_WRITE on a mapping without VM_WRITE"));
	ASSERT_TRUE(has_line(&ex, EXPLAIN_OBJECT, "vma "));
	ASSERT_EQ(ex.nr_rules, 1);
}

TEST(nothing_recorded_without_begin)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap(t, PAGE_SIZE, PROT_READ,
				    MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	struct page *page;

	ASSERT_NULL(explain_current);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, &page), -EFAULT);
	ASSERT_NULL(explain_current);
}

static const char *stub_describe(const char *entry, char *buf,
				 unsigned long len)
{
	snprintf(buf, len, "stub %s", entry);
	return buf;
}

/* A long-term pin of CMA pages migrates them, counted and explained. */
TEST_CFG(longterm_migration_counted_and_since_hook, .mem = 256UL << 20,
	 .cma = 64UL << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	struct page *pages[4];
	struct explain ex;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 'c', 4 * PAGE_SIZE);
	explain_describe_fn *real = explain_entry_describe;

	ASSERT_TRUE(real != NULL);
	explain_entry_describe = stub_describe;
	explain_begin(&ex);
	ASSERT_EQ(t_pin(t, addr, 4, FOLL_LONGTERM | FOLL_WRITE, pages), 4);
	explain_end();
	explain_entry_describe = real;
	unpin_user_pages(pages, 4);
	ASSERT_TRUE(has_line(&ex, EXPLAIN_RULE,
			     "check_and_migrate_movable_pages(): FOLL_LONGTERM: 4 folio(s)"));
	ASSERT_TRUE(has_line(&ex, EXPLAIN_SINCE,
			     "stub LONGTERM_MIGRATE_MOVABLE"));
	ASSERT_EQ(ex.pin.migrated, 4);
	ASSERT_EQ(ex.pin.slow, 4);
	ASSERT_EQ(ex.pin.fast, 0);
}

/* The profiles' describer names the entry's release and commit subject. */
TEST_CFG(since_line_names_profile_entry, .mem = 256UL << 20,
	 .cma = 64UL << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *page;
	struct explain ex;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 'c', PAGE_SIZE);
	explain_begin(&ex);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_LONGTERM | FOLL_WRITE, &page), 1);
	explain_end();
	unpin_user_pages(&page, 1);
	ASSERT_TRUE(has_line(&ex, EXPLAIN_SINCE,
			     "5.13: mm/gup: migrate pinned pages out of movable zone, profile entry LONGTERM_MIGRATE_MOVABLE"));
}

/* cma_alloc over a pinned page: the page and its refcount are named. */
TEST_CFG(cma_busy_page_named, .mem = 256UL << 20, .cma = 64UL << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE), pfn;
	struct page *page;
	struct explain ex;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 'p', PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, &page), 1);
	explain_begin(&ex);
	ASSERT_EQ(cma_alloc_range((64UL << 20) >> PAGE_SHIFT, &pfn), -EBUSY);
	explain_end();
	unpin_user_pages(&page, 1);
	ASSERT_TRUE(ex.has_busy_pfn);
	ASSERT_EQ(ex.busy_pfn, page_to_pfn(page));
	ASSERT_TRUE(has_line(&ex, EXPLAIN_RULE, "isolate_migratepages_range(): refcount"));
	ASSERT_TRUE(has_line(&ex, EXPLAIN_RULE, "alloc_contig_range(): "));
}
