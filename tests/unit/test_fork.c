// SPDX-License-Identifier: GPL-2.0
/* fork(): COW sharing, early copy of pinned pages, write_protect_seq. */
#include <sched.h>

#include "harness.h"
#include "../../mm/testing.h"

TEST(fork_shares_anon_write_protected_then_cow)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_mmap_anon(parent, 4 * PAGE_SIZE);
	struct page *page;

	t_fill(parent, addr, 0xaa, 4 * PAGE_SIZE);
	page = t_page(parent, addr);
	ASSERT_NOT_NULL(page);
	ASSERT_TRUE(pte_write(t_entry(parent, addr)));
	ASSERT_TRUE(PageAnonExclusive(page));

	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	/* Shared, read-only in both, no longer exclusive. */
	ASSERT_PTR_EQ(t_page(child, addr), page);
	ASSERT_FALSE(pte_write(t_entry(parent, addr)));
	ASSERT_FALSE(pte_write(t_entry(child, addr)));
	ASSERT_FALSE(PageAnonExclusive(page));
	ASSERT_EQ(folio_mapcount(page_folio(page)), 2);
	ASSERT_EQ(folio_ref_count(page_folio(page)), 2);
	ASSERT_EQ(atomic_load(&task_mm(child)->rss_anon), 4);
	ASSERT_TRUE(t_holds(child, addr, 0xaa, 4 * PAGE_SIZE));
	ASSERT_EQ(vmstat_get("gupsim_fork_early_copy"), 0);

	/* The child's write copies; the parent keeps the old bytes. */
	t_fill(child, addr, 0xbb, PAGE_SIZE);
	ASSERT_TRUE(t_page(child, addr) != page);
	ASSERT_TRUE(t_holds(child, addr, 0xbb, PAGE_SIZE));
	ASSERT_TRUE(t_holds(parent, addr, 0xaa, PAGE_SIZE));
	ASSERT_EQ(folio_mapcount(page_folio(page)), 1);

	/* Now the parent's write reuses its page (nobody else has it). */
	t_fill(parent, addr, 0xcc, PAGE_SIZE);
	ASSERT_PTR_EQ(t_page(parent, addr), page);
	ASSERT_TRUE(page_holds(page, 0xcc));
	ASSERT_TRUE(t_holds(child, addr, 0xbb, PAGE_SIZE));
	/* An untouched shared page: the parent's write must not leak. */
	t_fill(parent, addr + PAGE_SIZE, 0x11, PAGE_SIZE);
	ASSERT_TRUE(t_holds(child, addr + PAGE_SIZE, 0xaa, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(child);
	task_exit(parent);
}

TEST(fork_advances_write_protect_seq_by_two)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_mmap_anon(parent, PAGE_SIZE);
	unsigned int seq;

	t_fill(parent, addr, 1, PAGE_SIZE);
	seq = atomic_load(&task_mm(parent)->write_protect_seq);
	ASSERT_EQ(seq & 1, 0);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(atomic_load(&task_mm(parent)->write_protect_seq), seq + 2);
	task_exit(child);
	task_exit(parent);
}

TEST(fork_copies_pinned_page_for_child)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_mmap_anon(parent, 2 * PAGE_SIZE);
	struct page *pinned = NULL, *other;

	t_fill(parent, addr, 0x5a, 2 * PAGE_SIZE);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				      &pinned), 1);
	ASSERT_TRUE(atomic_load(&task_mm(parent)->flags) &
		    (1UL << MMF_HAS_PINNED));
	other = t_page(parent, addr + PAGE_SIZE);

	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	/* The parent keeps its pinned page exclusive and writable. */
	ASSERT_PTR_EQ(t_page(parent, addr), pinned);
	ASSERT_TRUE(pte_write(t_entry(parent, addr)));
	ASSERT_TRUE(PageAnonExclusive(pinned));
	ASSERT_EQ(folio_mapcount(page_folio(pinned)), 1);
	/* The child got its own copy with the same bytes, writable. */
	ASSERT_TRUE(t_page(child, addr) != pinned);
	ASSERT_TRUE(PageAnonExclusive(t_page(child, addr)));
	ASSERT_TRUE(pte_write(t_entry(child, addr)));
	ASSERT_TRUE(page_holds(t_page(child, addr), 0x5a));
	ASSERT_EQ(vmstat_get("gupsim_fork_early_copy"), 1);
	/* The unpinned neighbour is shared as usual. */
	ASSERT_PTR_EQ(t_page(child, addr + PAGE_SIZE), other);
	ASSERT_FALSE(PageAnonExclusive(other));
	/* The child inherits no pin history. */
	ASSERT_FALSE(atomic_load(&task_mm(child)->flags) &
		     (1UL << MMF_HAS_PINNED));

	/* What the parent writes, the device sees; the child does not. */
	t_fill(parent, addr, 0x11, PAGE_SIZE);
	ASSERT_PTR_EQ(t_page(parent, addr), pinned);
	ASSERT_TRUE(page_holds(pinned, 0x11));
	ASSERT_TRUE(t_holds(child, addr, 0x5a, PAGE_SIZE));
	t_fill(child, addr, 0x22, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pinned, 0x11));
	ASSERT_INVARIANTS();

	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
}

TEST(fork_shares_get_referenced_page)
{
	/* A FOLL_GET reference is no pin: the page is shared (vmsplice). */
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_mmap_anon(parent, PAGE_SIZE);
	struct page *page = NULL;

	t_fill(parent, addr, 3, PAGE_SIZE);
	ASSERT_EQ(get_user_pages_fast(addr, 1, 0, &page), 1);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_PTR_EQ(t_page(child, addr), page);
	ASSERT_EQ(vmstat_get("gupsim_fork_early_copy"), 0);
	put_page(page);
	task_exit(child);
	task_exit(parent);
}

TEST(fork_dontfork_and_wipeonfork)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long a = t_mmap_anon(parent, PAGE_SIZE);
	unsigned long b = t_mmap_anon(parent, PAGE_SIZE);
	unsigned char c;

	t_fill(parent, a, 7, PAGE_SIZE);
	t_fill(parent, b, 8, PAGE_SIZE);
	ASSERT_EQ(vm_madvise(parent, a, PAGE_SIZE, MADV_DONTFORK), 0);
	ASSERT_EQ(vm_madvise(parent, b, PAGE_SIZE, MADV_WIPEONFORK), 0);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(user_read(child, a, &c, 1), UACCESS_SIGSEGV);
	ASSERT_TRUE(t_holds(child, b, 0, PAGE_SIZE));
	ASSERT_TRUE(t_holds(parent, b, 8, PAGE_SIZE));
	ASSERT_TRUE(t_holds(parent, a, 7, PAGE_SIZE));
	task_exit(child);
	task_exit(parent);
}

TEST(fork_inherits_limits_and_user)
{
	struct task_struct *parent = task_create("p", 12345 * PAGE_SIZE, true);
	struct task_struct *child;

	ASSERT_NOT_NULL(parent);
	current = parent;
	child = task_fork(parent, "c");
	ASSERT_NOT_NULL(child);
	ASSERT_EQ(child->rlimit_memlock, 12345 * PAGE_SIZE);
	ASSERT_TRUE(child->cap_ipc_lock);
	ASSERT_PTR_EQ(child->user, parent->user);
	ASSERT_TRUE(task_mm(child) != task_mm(parent));
	task_exit(parent);
	/* The child lives on with its own copy. */
	task_exit(child);
}

TEST(fork_shared_anon_is_shared)
{
	struct task_struct *parent = t_task("parent"), *child;
	long addr = vm_mmap(parent, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, NULL, 0);

	ASSERT_GT(addr, 0);
	t_fill(parent, addr, 0x42, 2 * PAGE_SIZE);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_TRUE(t_holds(child, addr, 0x42, 2 * PAGE_SIZE));
	t_fill(child, addr, 0x43, PAGE_SIZE);
	ASSERT_TRUE(t_holds(parent, addr, 0x43, PAGE_SIZE));
	ASSERT_PTR_EQ(t_page(child, addr), t_page(parent, addr));
	task_exit(child);
	task_exit(parent);
}

/* A PMD-aligned anon THP range of len in t. */
static unsigned long t_thp_range(struct task_struct *t, size_t len)
{
	unsigned long raw = t_mmap_anon(t, len + PMD_SIZE);
	unsigned long addr = ALIGN_UP(raw, PMD_SIZE);

	ASSERT_EQ(vm_madvise(t, addr, len, MADV_HUGEPAGE), 0);
	return addr;
}

TEST_CFG(fork_shares_thp_pmd, .thp = THP_ALWAYS)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_thp_range(parent, PMD_SIZE);
	struct folio *folio;

	t_fill(parent, addr, 0x61, PMD_SIZE);
	if (!pmd_leaf(t_pmd(parent, addr))) {
		harness_note("no THP: skipping");
		task_exit(parent);
		return;
	}
	folio = page_folio(t_page(parent, addr));
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_TRUE(pmd_leaf(t_pmd(child, addr)));
	ASSERT_FALSE(pte_write(t_pmd(child, addr)));
	ASSERT_FALSE(pte_write(t_pmd(parent, addr)));
	ASSERT_EQ(folio_entire_mapcount(folio), 2);
	ASSERT_FALSE(PageAnonExclusive(&folio->page));
	ASSERT_TRUE(t_holds(child, addr, 0x61, PMD_SIZE));
	t_fill(child, addr, 0x62, PAGE_SIZE);
	ASSERT_TRUE(t_holds(parent, addr, 0x61, PMD_SIZE));
	ASSERT_TRUE(t_holds(child, addr, 0x62, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(child);
	task_exit(parent);
}

TEST_CFG(fork_pinned_thp_is_split_and_copied, .thp = THP_ALWAYS)
{
	struct task_struct *parent = t_task("parent"), *child;
	unsigned long addr = t_thp_range(parent, PMD_SIZE);
	struct page *pinned = NULL;

	t_fill(parent, addr, 0x71, PMD_SIZE);
	if (!pmd_leaf(t_pmd(parent, addr))) {
		harness_note("no THP: skipping");
		task_exit(parent);
		return;
	}
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, &pinned), 1);
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	/* The parent's PMD was split; every subpage was copied. */
	ASSERT_FALSE(pmd_leaf(t_pmd(parent, addr)));
	ASSERT_EQ(vmstat_get("gupsim_fork_early_copy"), (long)HPAGE_PMD_NR);
	ASSERT_PTR_EQ(t_page(parent, addr), pinned);
	ASSERT_TRUE(t_page(child, addr) != pinned);
	ASSERT_TRUE(t_holds(child, addr, 0x71, PMD_SIZE));
	t_fill(parent, addr, 0x72, PAGE_SIZE);
	ASSERT_TRUE(page_holds(pinned, 0x72));
	ASSERT_TRUE(t_holds(child, addr, 0x71, PAGE_SIZE));
	ASSERT_INVARIANTS();
	unpin_user_page(pinned);
	task_exit(child);
	task_exit(parent);
}

TEST(fork_private_file_mapping_keeps_cow)
{
	struct task_struct *parent = t_task("parent"), *child;
	struct file *file = file_create("f", FS_EXT4, 2 * PAGE_SIZE);
	long addr;

	ASSERT_NOT_NULL(file);
	addr = vm_mmap(parent, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE, file, 0);
	ASSERT_GT(addr, 0);
	/* page 0: anon COW copy; page 1: the page-cache page, read-only. */
	t_fill(parent, addr, 0x31, PAGE_SIZE);
	ASSERT_TRUE(t_holds(parent, addr + PAGE_SIZE, 0, PAGE_SIZE));
	child = task_fork(parent, "child");
	ASSERT_NOT_NULL(child);
	ASSERT_PTR_EQ(t_page(child, addr), t_page(parent, addr));
	ASSERT_PTR_EQ(t_page(child, addr + PAGE_SIZE),
		      t_page(parent, addr + PAGE_SIZE));
	ASSERT_FALSE(pte_write(t_entry(child, addr + PAGE_SIZE)));
	t_fill(child, addr, 0x32, PAGE_SIZE);
	t_fill(child, addr + PAGE_SIZE, 0x33, PAGE_SIZE);
	ASSERT_TRUE(t_holds(parent, addr, 0x31, PAGE_SIZE));
	ASSERT_TRUE(t_holds(parent, addr + PAGE_SIZE, 0, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(child);
	task_exit(parent);
	fput(file);
}

struct pinner_arg {
	struct task_struct *task;
	unsigned long addr;
	atomic_int stop;
	atomic_int pins;
	atomic_int bad;
};

static void *pinner(void *p)
{
	struct pinner_arg *arg = p;

	current = arg->task;
	while (!atomic_load(&arg->stop)) {
		struct page *page = NULL;

		if (pin_user_pages_fast(arg->addr, 1, FOLL_WRITE, &page) != 1)
			continue;
		/* A pinned anon page is always exclusive to its mm. */
		if (!PageAnonExclusive(page))
			atomic_fetch_add(&arg->bad, 1);
		atomic_fetch_add(&arg->pins, 1);
		unpin_user_page(page);
	}
	return NULL;
}

TEST(fork_races_with_gup_fast_pins)
{
	struct task_struct *parent = t_task("parent");
	struct pinner_arg arg = { .task = parent };
	pthread_t thread;
	int i;

	arg.addr = t_mmap_anon(parent, PAGE_SIZE);
	t_fill(parent, arg.addr, 0x3e, PAGE_SIZE);
	ASSERT_EQ(pthread_create(&thread, NULL, pinner, &arg), 0);
	while (!atomic_load(&arg.pins))
		sched_yield();
	for (i = 0; i < 200; i++) {
		struct task_struct *child = task_fork(parent, "child");

		ASSERT_NOT_NULL(child);
		if (!t_holds(child, arg.addr, 0x3e, PAGE_SIZE)) {
			atomic_store(&arg.stop, 1);
			pthread_join(thread, NULL);
			ASSERT_TRUE(0);
		}
		task_exit(child);
	}
	atomic_store(&arg.stop, 1);
	pthread_join(thread, NULL);
	ASSERT_EQ(atomic_load(&arg.bad), 0);
	ASSERT_GT(atomic_load(&arg.pins), 0);
	ASSERT_TRUE(t_holds(parent, arg.addr, 0x3e, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(parent);
}
