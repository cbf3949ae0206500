// SPDX-License-Identifier: GPL-2.0
/* Tests of the reverse mapping: anon_vma families, mapcounts, rmap walks. */
#include "harness.h"
#include "../../mm/testing.h"

#define MAX_HITS 8

struct hits {
	int nr;
	struct mm_struct *mm[MAX_HITS];
	unsigned long addr[MAX_HITS];
	int walked;			/* VMAs offered, mapped or not */
};

/* Records each VMA where the folio's first page really is mapped. */
static bool record_hit(struct folio *folio, struct vm_area_struct *vma,
		       unsigned long address, void *arg)
{
	struct hits *h = arg;
	uint64_t *entry;
	bool is_pmd;

	h->walked++;
	entry = page_vma_mapped(&folio->page, vma, address, false, &is_pmd);
	if (!entry)
		return true;
	pthread_mutex_unlock(&vma->vm_mm->page_table_lock);
	if (h->nr < MAX_HITS) {
		h->mm[h->nr] = vma->vm_mm;
		h->addr[h->nr] = address;
	}
	h->nr++;
	return true;
}

static struct hits walk(struct folio *folio)
{
	struct hits h = { 0 };
	struct rmap_walk_control rwc = { .arg = &h, .rmap_one = record_hit };

	folio_lock(folio);
	rmap_walk(folio, &rwc);
	folio_unlock(folio);
	return h;
}

TEST(anon_rmap_walk_finds_parent_and_child)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, 4 * PAGE_SIZE);
	struct folio *folio;
	struct hits h;

	t_fill(p, addr, 0x11, 4 * PAGE_SIZE);
	folio = page_folio(t_normal_page(p, addr + PAGE_SIZE));
	ASSERT_TRUE(folio_test_anon(folio));
	ASSERT_EQ(folio_mapcount(folio), 1);
	ASSERT_EQ(folio->page.index, (addr + PAGE_SIZE) >> PAGE_SHIFT);
	h = walk(folio);
	ASSERT_EQ(h.nr, 1);
	ASSERT_PTR_EQ(h.mm[0], task_mm(p));

	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_PTR_EQ(t_normal_page(c, addr + PAGE_SIZE), &folio->page);
	ASSERT_EQ(folio_mapcount(folio), 2);
	ASSERT_FALSE(PageAnonExclusive(&folio->page));
	h = walk(folio);
	ASSERT_EQ(h.nr, 2);
	ASSERT_TRUE(h.mm[0] != h.mm[1]);
	ASSERT_EQ(h.addr[0], addr + PAGE_SIZE);
	ASSERT_EQ(h.addr[1], addr + PAGE_SIZE);

	/* the child's write breaks COW: the old page is the parent's alone */
	t_fill(c, addr + PAGE_SIZE, 0x22, 1);
	ASSERT_TRUE(t_normal_page(c, addr + PAGE_SIZE) != &folio->page);
	h = walk(folio);
	ASSERT_EQ(h.nr, 1);
	ASSERT_PTR_EQ(h.mm[0], task_mm(p));
	ASSERT_EQ(h.walked, 2);		/* the child's VMA is still offered */
	ASSERT_EQ(folio_mapcount(folio), 1);
	ASSERT_TRUE(t_holds(p, addr + PAGE_SIZE, 0x11, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(c);
	task_exit(p);
}

TEST(anon_vma_family_refcount)
{
	struct task_struct *p = t_task("parent"), *c;
	unsigned long addr = t_mmap_anon(p, PAGE_SIZE);
	struct vm_area_struct *vma;
	struct anon_vma *av;

	t_fill(p, addr, 1, PAGE_SIZE);
	vma = vma_lookup(task_mm(p), addr);
	ASSERT_NOT_NULL(vma);
	av = vma->anon_vma;
	ASSERT_NOT_NULL(av);
	ASSERT_EQ(atomic_load(&av->refcount), 1);
	ASSERT_EQ(anon_vma_prepare(vma), 0);	/* already has one */
	ASSERT_PTR_EQ(vma->anon_vma, av);

	c = task_fork(p, "child");
	ASSERT_NOT_NULL(c);
	ASSERT_PTR_EQ(vma_lookup(task_mm(c), addr)->anon_vma, av);
	ASSERT_EQ(atomic_load(&av->refcount), 2);
	task_exit(c);
	ASSERT_EQ(atomic_load(&av->refcount), 1);
	task_exit(p);
}

TEST(file_rmap_walk_two_tasks)
{
	struct task_struct *a = t_task("a"), *b = t_task("b");
	struct file *f = file_create("shared", FS_EXT4, 2 * PAGE_SIZE);
	long x, y;
	struct folio *folio;
	struct hits h;

	ASSERT_NOT_NULL(f);
	x = vm_mmap(a, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    f, 0);
	y = vm_mmap(b, 0, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		    f, 0);
	ASSERT_GT(x, 0);
	ASSERT_GT(y, 0);
	t_fill(a, x + PAGE_SIZE, 0x33, PAGE_SIZE);
	ASSERT_TRUE(t_holds(b, y + PAGE_SIZE, 0x33, PAGE_SIZE));
	folio = page_folio(t_normal_page(a, x + PAGE_SIZE));
	ASSERT_PTR_EQ(t_normal_page(b, y + PAGE_SIZE), &folio->page);
	ASSERT_FALSE(folio_test_anon(folio));
	ASSERT_EQ(folio->page.index, 1);
	ASSERT_EQ(folio_mapcount(folio), 2);
	h = walk(folio);
	ASSERT_EQ(h.nr, 2);
	ASSERT_EQ(h.addr[0] + h.addr[1], (unsigned long)x + y + 2 * PAGE_SIZE);
	ASSERT_INVARIANTS();
	vm_munmap(b, y, 2 * PAGE_SIZE);
	ASSERT_EQ(folio_mapcount(folio), 1);
	h = walk(folio);
	ASSERT_EQ(h.nr, 1);
	ASSERT_PTR_EQ(h.mm[0], task_mm(a));
	task_exit(a);
	task_exit(b);
	fput(f);
}

TEST(anon_counter_follows_mappings)
{
	struct task_struct *t = t_task("t");
	long before = vmstat_get("nr_anon_pages");
	unsigned long addr = t_mmap_anon(t, 8 * PAGE_SIZE);

	t_fill(t, addr, 7, 8 * PAGE_SIZE);
	ASSERT_EQ(vmstat_get("nr_anon_pages"), before + 8);
	ASSERT_EQ(vm_munmap(t, addr, 3 * PAGE_SIZE), 0);
	ASSERT_EQ(vmstat_get("nr_anon_pages"), before + 5);
	task_exit(t);
	ASSERT_EQ(vmstat_get("nr_anon_pages"), before);
}

TEST_CFG(thp_rmap_counts, .thp = THP_ALWAYS)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, HPAGE_PMD_SIZE);
	long thps = vmstat_get("nr_anon_transparent_hugepages");
	struct folio *folio;
	struct hits h;

	ASSERT_TRUE(IS_ALIGNED(addr, HPAGE_PMD_SIZE));
	t_fill(t, addr, 0x44, HPAGE_PMD_SIZE);
	folio = page_folio(t_normal_page(t, addr + 5 * PAGE_SIZE));
	ASSERT_EQ(folio_order(folio), HPAGE_PMD_ORDER);
	ASSERT_EQ(folio_entire_mapcount(folio), 1);
	ASSERT_EQ(folio_mapcount(folio), 1);
	ASSERT_EQ(page_mapcount(folio_page(folio, 5)), 0);
	ASSERT_TRUE(PageAnonExclusive(folio_page(folio, 511)));
	ASSERT_EQ(vmstat_get("nr_anon_transparent_hugepages"), thps + 1);
	h = walk(folio);
	ASSERT_EQ(h.nr, 1);
	ASSERT_EQ(h.addr[0], addr);
	ASSERT_INVARIANTS();
	task_exit(t);
	ASSERT_EQ(vmstat_get("nr_anon_transparent_hugepages"), thps);
}
