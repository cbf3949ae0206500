// SPDX-License-Identifier: GPL-2.0
/* Tests of migration: isolation, moving anon/file/THP folios, refusals. */
#include "harness.h"
#include "../../mm/testing.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif

/* Isolates the folio mapped at addr onto list (the test's reference is
 * taken and dropped around it, as a GUP caller would). */
static struct folio *isolate_at(struct task_struct *t, unsigned long addr,
				struct list_head *list)
{
	struct page *page = t_normal_page(t, addr);
	struct folio *folio;

	if (!page)
		harness_fail(__FILE__, __LINE__, "nothing mapped at %#lx", addr);
	folio = page_folio(page);
	folio_get(folio);
	if (!folio_isolate_lru(folio))
		harness_fail(__FILE__, __LINE__, "folio not on the LRU");
	folio_put(folio);
	list_add_tail(&folio->page.lru, list);
	return folio;
}

TEST(isolate_and_putback)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct folio *folio;
	LIST_HEAD(list);

	t_fill(t, addr, 1, PAGE_SIZE);
	folio = isolate_at(t, addr, &list);
	ASSERT_FALSE(folio_test_lru(folio));
	ASSERT_EQ(folio_ref_count(folio), 2);
	ASSERT_FALSE(folio_isolate_lru(folio));	/* only once */
	ASSERT_EQ(folio_expected_ref_count(folio), 1);
	putback_movable_pages(&list);
	ASSERT_TRUE(list_empty(&list));
	ASSERT_TRUE(folio_test_lru(folio));
	ASSERT_EQ(folio_ref_count(folio), 1);
	task_exit(t);
}

TEST(migrate_anon_page)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	long ok = vmstat_get("pgmigrate_success");
	struct folio *old, *new;
	unsigned int moved = 0;
	LIST_HEAD(list);
	uint64_t e;
	long anon;

	t_fill(t, addr, 0x5a, 2 * PAGE_SIZE);
	anon = vmstat_get("nr_anon_pages");
	old = isolate_at(t, addr, &list);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				&moved), 0);
	ASSERT_EQ(moved, 1);
	ASSERT_TRUE(list_empty(&list));
	new = page_folio(t_normal_page(t, addr));
	ASSERT_TRUE(new != old);
	/* the old frame went back to the allocator */
	ASSERT_EQ(folio_ref_count(old), 0);
	ASSERT_NULL(old->page.mapping);
	/* the new one took over everything */
	ASSERT_EQ(folio_ref_count(new), 1);
	ASSERT_EQ(folio_mapcount(new), 1);
	ASSERT_TRUE(folio_test_anon(new));
	ASSERT_TRUE(folio_test_lru(new));
	ASSERT_FALSE(folio_test_locked(new));
	ASSERT_TRUE(PageAnonExclusive(&new->page));
	ASSERT_EQ(new->page.index, addr >> PAGE_SHIFT);
	e = t_entry(t, addr);
	ASSERT_TRUE(pte_write(e));
	ASSERT_TRUE(page_holds(&new->page, 0x5a));
	ASSERT_TRUE(t_holds(t, addr, 0x5a, 2 * PAGE_SIZE));
	ASSERT_EQ(vmstat_get("pgmigrate_success"), ok + 1);
	ASSERT_EQ(vmstat_get("nr_anon_pages"), anon);
	/* still exclusive and writable: a write does not copy again */
	t_fill(t, addr, 0x6b, 1);
	ASSERT_PTR_EQ(t_normal_page(t, addr), &new->page);
	ASSERT_INVARIANTS();
	task_exit(t);
}

/*
 * folio_migrate_flags(): the flags that describe the data move with it,
 * set or clear as they were, one folio's not leaking into the other's.
 *
 *   addr      addr + 4K
 *   | a: referenced, dirty, uptodate | b: not referenced |
 *
 * (b ends up dirty all the same: its PTE is dirty, and the unmap hands
 * that to the folio before the flags are copied, as try_to_migrate_one()
 * does.)
 */
TEST(migrate_keeps_data_flags)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	struct folio *a, *b;
	unsigned int moved = 0;
	LIST_HEAD(list);

	t_fill(t, addr, 0x11, 2 * PAGE_SIZE);
	a = isolate_at(t, addr, &list);
	b = isolate_at(t, addr + PAGE_SIZE, &list);
	folio_set_referenced(a);
	folio_set_dirty(a);
	folio_set_uptodate(a);
	folio_clear_referenced(b);
	ASSERT_TRUE(folio_test_swapbacked(a));
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				&moved), 0);
	ASSERT_EQ(moved, 2);
	a = page_folio(t_normal_page(t, addr));
	b = page_folio(t_normal_page(t, addr + PAGE_SIZE));
	ASSERT_TRUE(folio_test_referenced(a));
	ASSERT_TRUE(folio_test_dirty(a));
	ASSERT_TRUE(folio_test_uptodate(a));
	ASSERT_TRUE(folio_test_swapbacked(a));
	ASSERT_TRUE(folio_test_swapbacked(b));
	ASSERT_FALSE(folio_test_referenced(b));
	/* the target's own state: unlocked, on the LRU */
	ASSERT_FALSE(folio_test_locked(a));
	ASSERT_TRUE(folio_test_lru(a));
	ASSERT_TRUE(t_holds(t, addr, 0x11, 2 * PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST(pinned_page_does_not_migrate)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	long fail = vmstat_get("pgmigrate_fail");
	struct folio *folio;
	unsigned int moved = 7;
	LIST_HEAD(list);

	t_fill(t, addr, 0x77, PAGE_SIZE);
	folio = page_folio(t_normal_page(t, addr));
	/* a FOLL_PIN, as gup.c takes it on a small folio */
	folio_ref_add(folio, GUP_PIN_COUNTING_BIAS);
	atomic_fetch_add(&folio->page._debug_pins, 1);
	isolate_at(t, addr, &list);

	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				&moved), 1);
	ASSERT_EQ(moved, 0);
	ASSERT_FALSE(list_empty(&list));
	ASSERT_PTR_EQ(list_first_entry(&list, struct folio, page.lru), folio);
	ASSERT_EQ(vmstat_get("pgmigrate_fail"), fail + 1);
	/* still mapped where it was, PTE restored writable */
	ASSERT_PTR_EQ(t_normal_page(t, addr), &folio->page);
	ASSERT_EQ(folio_mapcount(folio), 1);
	ASSERT_TRUE(PageAnonExclusive(&folio->page));
	ASSERT_FALSE(folio_test_locked(folio));
	putback_movable_pages(&list);
	ASSERT_EQ(folio_ref_count(folio), 1 + GUP_PIN_COUNTING_BIAS);
	ASSERT_INVARIANTS();

	/* the pin's owner sees the user's writes: it is the same page */
	t_fill(t, addr, 0x78, PAGE_SIZE);
	ASSERT_TRUE(page_holds(&folio->page, 0x78));
	atomic_fetch_sub(&folio->page._debug_pins, 1);
	folio_put_refs(folio, GUP_PIN_COUNTING_BIAS);
	task_exit(t);
}

TEST(migrate_shared_anon_after_fork)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct folio *old, *new;
	LIST_HEAD(list);

	t_fill(p, addr, 0x21, PAGE_SIZE);
	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	old = isolate_at(p, addr, &list);
	ASSERT_EQ(folio_mapcount(old), 2);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	new = page_folio(t_normal_page(p, addr));
	ASSERT_TRUE(new != old);
	ASSERT_PTR_EQ(t_normal_page(c, addr), &new->page);
	ASSERT_EQ(folio_mapcount(new), 2);
	ASSERT_EQ(folio_ref_count(new), 2);
	ASSERT_FALSE(PageAnonExclusive(&new->page));
	ASSERT_FALSE(pte_write(t_entry(p, addr)));
	ASSERT_FALSE(pte_write(t_entry(c, addr)));
	ASSERT_INVARIANTS();
	/* COW still separates them */
	t_fill(c, addr, 0x22, PAGE_SIZE);
	ASSERT_TRUE(t_holds(p, addr, 0x21, PAGE_SIZE));
	ASSERT_TRUE(t_holds(c, addr, 0x22, PAGE_SIZE));
	task_exit(c);
	task_exit(p);
}

static void migrate_file_page(enum fs_type fs)
{
	struct task_struct *a = t_task("a"), *b = t_task("b");
	struct file *f = file_create("data", fs, PAGE_SIZE);
	struct folio *old, *new, *cached;
	long x, y;
	LIST_HEAD(list);

	ASSERT_NOT_NULL(f);
	x = vm_mmap(a, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	y = vm_mmap(b, 0, PAGE_SIZE, PROT_READ, MAP_SHARED, f, 0);
	ASSERT_GT(x, 0);
	ASSERT_GT(y, 0);
	t_fill(a, x, 0x3c, PAGE_SIZE);
	ASSERT_TRUE(t_holds(b, y, 0x3c, PAGE_SIZE));
	old = isolate_at(a, x, &list);
	ASSERT_EQ(folio_mapcount(old), 2);
	ASSERT_EQ(folio_expected_ref_count(old), 3);	/* 2 PTEs + cache */
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	new = page_folio(t_normal_page(a, x));
	ASSERT_TRUE(new != old);
	ASSERT_PTR_EQ(t_normal_page(b, y), &new->page);
	ASSERT_PTR_EQ(folio_mapping(new), &f->f_mapping);
	ASSERT_EQ(new->page.index, 0);
	ASSERT_TRUE(folio_test_uptodate(new));
	cached = filemap_get_folio(&f->f_mapping, 0);
	ASSERT_PTR_EQ(cached, new);
	folio_put(cached);
	ASSERT_EQ(folio_ref_count(new), 3);
	ASSERT_EQ(folio_ref_count(old), 0);
	ASSERT_TRUE(t_holds(b, y, 0x3c, PAGE_SIZE));
	/* writes through one mapping still reach the other */
	t_fill(a, x, 0x3d, PAGE_SIZE);
	ASSERT_TRUE(t_holds(b, y, 0x3d, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(a);
	task_exit(b);
	fput(f);
}

TEST(migrate_ext4_page_cache_page)
{
	migrate_file_page(FS_EXT4);
}

TEST(migrate_tmpfs_page_cache_page)
{
	migrate_file_page(FS_TMPFS);
}

TEST_CFG(migrate_thp, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, HPAGE_PMD_SIZE);
	long thps = vmstat_get("nr_anon_transparent_hugepages");
	long ok = vmstat_get("pgmigrate_success");
	struct folio *old, *new;
	LIST_HEAD(list);

	t_fill(t, addr, 0x4e, HPAGE_PMD_SIZE);
	t_fill(t, addr + 300 * PAGE_SIZE, 0x4f, PAGE_SIZE);
	old = isolate_at(t, addr, &list);
	ASSERT_EQ(folio_order(old), HPAGE_PMD_ORDER);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	ASSERT_TRUE(pmd_leaf(t_pmd(t, addr)));
	new = page_folio(t_normal_page(t, addr));
	ASSERT_TRUE(new != old);
	ASSERT_EQ(folio_order(new), HPAGE_PMD_ORDER);
	ASSERT_EQ(folio_entire_mapcount(new), 1);
	ASSERT_TRUE(PageAnonExclusive(folio_page(new, 300)));
	ASSERT_TRUE(page_holds(folio_page(new, 299), 0x4e));
	ASSERT_TRUE(page_holds(folio_page(new, 300), 0x4f));
	ASSERT_TRUE(t_holds(t, addr + 301 * PAGE_SIZE, 0x4e, PAGE_SIZE));
	ASSERT_EQ(vmstat_get("pgmigrate_success"), ok + HPAGE_PMD_NR);
	ASSERT_EQ(vmstat_get("nr_anon_transparent_hugepages"), thps + 1);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST_CFG(pinnable_target_leaves_cma, .mem = 256 << 20, .cma = 64 << 20)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	LIST_HEAD(list);
	int i;

	ASSERT_EQ(vm_set_place(t, addr, PLACE_CMA), 0);
	t_fill(t, addr, 0x61, 4 * PAGE_SIZE);
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_CMA);
	for (i = 0; i < 4; i++)
		isolate_at(t, addr + i * PAGE_SIZE, &list);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target_pinnable, 0,
				MR_LONGTERM_PIN, NULL), 0);
	ASSERT_EQ(user_range_zone(t, addr, 4 * PAGE_SIZE), PZ_NORMAL);
	ASSERT_TRUE(t_holds(t, addr, 0x61, 4 * PAGE_SIZE));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(folio_is_longterm_pinnable(
			page_folio(t_normal_page(t, addr + i * PAGE_SIZE))));
	ASSERT_INVARIANTS();
	task_exit(t);
}

static struct folio *no_target(struct folio *src, unsigned long priv)
{
	return NULL;
}

TEST(no_target_is_enomem)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct folio *folio;
	LIST_HEAD(list);

	t_fill(t, addr, 0x12, PAGE_SIZE);
	folio = isolate_at(t, addr, &list);
	ASSERT_EQ(migrate_pages(&list, no_target, 0, MR_SYSCALL, NULL),
		  -ENOMEM);
	ASSERT_PTR_EQ(list_first_entry(&list, struct folio, page.lru), folio);
	ASSERT_PTR_EQ(t_normal_page(t, addr), &folio->page);
	putback_movable_pages(&list);
	ASSERT_TRUE(t_holds(t, addr, 0x12, PAGE_SIZE));
	task_exit(t);
}

TEST(real_pin_blocks_migration_until_unpinned)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pinned[1];
	struct folio *folio;
	LIST_HEAD(list);

	t_fill(t, addr, 0x31, PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, pinned), 1);
	folio = isolate_at(t, addr, &list);
	ASSERT_PTR_EQ(&folio->page, pinned[0]);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 1);
	ASSERT_PTR_EQ(t_normal_page(t, addr), pinned[0]);
	putback_movable_pages(&list);
	ASSERT_INVARIANTS();
	unpin_user_page(pinned[0]);

	isolate_at(t, addr, &list);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	ASSERT_TRUE(t_normal_page(t, addr) != pinned[0]);
	ASSERT_TRUE(t_holds(t, addr, 0x31, PAGE_SIZE));
	task_exit(t);
}

/* A VMA split by mprotect and a page moved by mremap keep their rmap. */
TEST(migrate_after_split_and_mremap)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, 4 * PAGE_SIZE);
	long moved_to;
	LIST_HEAD(list);

	t_fill(t, addr, 0x51, 4 * PAGE_SIZE);
	ASSERT_EQ(vm_mprotect(t, addr + PAGE_SIZE, PAGE_SIZE, PROT_READ), 0);
	isolate_at(t, addr + PAGE_SIZE, &list);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	ASSERT_TRUE(t_holds(t, addr + PAGE_SIZE, 0x51, PAGE_SIZE));

	moved_to = vm_mremap(t, addr + 2 * PAGE_SIZE, PAGE_SIZE, PAGE_SIZE,
			     MREMAP_MAYMOVE | MREMAP_FIXED, addr + 64 * PAGE_SIZE);
	ASSERT_EQ(moved_to, (long)(addr + 64 * PAGE_SIZE));
	isolate_at(t, moved_to, &list);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	ASSERT_TRUE(t_holds(t, moved_to, 0x51, PAGE_SIZE));
	t_fill(t, moved_to, 0x52, PAGE_SIZE);
	ASSERT_INVARIANTS();
	task_exit(t);
}

TEST_CFG(migrate_pte_mapped_thp, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, HPAGE_PMD_SIZE);
	struct folio *old, *new;
	LIST_HEAD(list);

	t_fill(t, addr, 0x19, HPAGE_PMD_SIZE);
	/* unmapping part of it leaves a PTE-mapped large folio */
	ASSERT_EQ(vm_munmap(t, addr, 16 * PAGE_SIZE), 0);
	ASSERT_FALSE(pmd_leaf(t_pmd(t, addr + 100 * PAGE_SIZE)));
	old = isolate_at(t, addr + 100 * PAGE_SIZE, &list);
	ASSERT_EQ(folio_order(old), HPAGE_PMD_ORDER);
	ASSERT_EQ(folio_mapcount(old), HPAGE_PMD_NR - 16);
	ASSERT_EQ(migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
				NULL), 0);
	new = page_folio(t_normal_page(t, addr + 100 * PAGE_SIZE));
	ASSERT_TRUE(new != old);
	ASSERT_EQ(folio_order(new), HPAGE_PMD_ORDER);
	ASSERT_EQ(folio_mapcount(new), HPAGE_PMD_NR - 16);
	ASSERT_EQ(page_mapcount(folio_page(new, 3)), 0);
	ASSERT_PTR_EQ(t_normal_page(t, addr + 16 * PAGE_SIZE), folio_page(new, 16));
	ASSERT_TRUE(t_holds(t, addr + 16 * PAGE_SIZE, 0x19,
			    HPAGE_PMD_SIZE - 16 * PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(t);
}

/* ---- concurrency: a user keeps touching the page while it moves ---- */

struct toucher {
	struct task_struct *t;
	unsigned long addr;
	atomic_bool stop;
	int errors;
};

static void *touch_loop(void *arg)
{
	struct toucher *tc = arg;
	unsigned long i, back;

	current = tc->t;
	for (i = 1; !atomic_load(&tc->stop); i++) {
		if (user_write(tc->t, tc->addr, &i, sizeof(i)) != UACCESS_OK ||
		    user_read(tc->t, tc->addr, &back, sizeof(back)) !=
			    UACCESS_OK || back != i)
			tc->errors++;
	}
	return NULL;
}

/* Isolates whatever is mapped at addr now, taking the reference safely. */
static bool try_isolate(struct task_struct *t, unsigned long addr,
			struct list_head *list)
{
	struct mm_struct *mm = task_mm(t);
	struct folio *folio = NULL;
	bool ok = false;
	pmd_t *pmd;
	pte_t *pte;

	mmap_read_lock(mm);
	pthread_mutex_lock(&mm->page_table_lock);
	pmd = mm_find_pmd(mm, addr);
	pte = pmd ? pte_offset(pmd, addr) : NULL;
	if (pte && pte_present(ptep_get(pte)) && !pte_special(ptep_get(pte))) {
		folio = pfn_folio(pte_pfn(ptep_get(pte)));
		if (!folio_try_get(folio))
			folio = NULL;
	}
	pthread_mutex_unlock(&mm->page_table_lock);
	mmap_read_unlock(mm);
	if (!folio)
		return false;
	if (folio_isolate_lru(folio)) {
		list_add_tail(&folio->page.lru, list);
		ok = true;
	}
	folio_put(folio);
	return ok;
}

TEST(migrate_while_user_writes)
{
	struct task_struct *t = t_task("t");
	struct toucher tc = { .t = t };
	int i, moved = 0;
	pthread_t th;

	tc.addr = t_mmap_anon(t, PAGE_SIZE);
	t_fill(t, tc.addr, 0, PAGE_SIZE);
	ASSERT_EQ(pthread_create(&th, NULL, touch_loop, &tc), 0);
	for (i = 0; i < 300; i++) {
		LIST_HEAD(list);

		if (!try_isolate(t, tc.addr, &list))
			continue;
		if (migrate_pages(&list, alloc_migration_target, 0,
				  MR_SYSCALL, NULL) == 0)
			moved++;
		else
			putback_movable_pages(&list);
	}
	atomic_store(&tc.stop, true);
	pthread_join(th, NULL);
	current = t;
	harness_note("%d of 300 migrations succeeded under load", moved);
	ASSERT_EQ(tc.errors, 0);
	ASSERT_GT(moved, 0);
	ASSERT_INVARIANTS();
	task_exit(t);
}
