// SPDX-License-Identifier: GPL-2.0
/*
 * Address spaces (vma.c, mremap.c, mlock.c): mmap placement, splitting,
 * mprotect, mremap, madvise, MAP_FIXED, error codes, locked_vm accounting
 * and task teardown.
 *
 * Layout drawings follow tools/testing/vma: one character per page,
 * '-' unmapped, letters for VMAs.
 */
#include <stdlib.h>

#include "harness.h"
#include "../../mm/testing.h"

#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif

#define RW		(PROT_READ | PROT_WRITE)
#define ANON		(MAP_PRIVATE | MAP_ANONYMOUS)
#define PG(n)		((unsigned long)(n) * PAGE_SIZE)

static struct vm_area_struct *vma_at(struct task_struct *t, unsigned long a)
{
	return vma_lookup(task_mm(t), a);
}

static int nr_vmas(struct task_struct *t)
{
	return task_mm(t)->map_count;
}

/* Fills page i of [addr, ...) with byte 'A' + i. */
static void fill_pages(struct task_struct *t, unsigned long addr, int n)
{
	for (int i = 0; i < n; i++)
		t_fill(t, addr + PG(i), 'A' + i, PAGE_SIZE);
}

TEST(mmap_top_down_and_aligned)
{
	struct task_struct *t = t_task("mmap");
	unsigned long a, b, c;
	long r;

	/*
	 *          b    a  mmap_base
	 * ... ----BBBBAAAA|
	 */
	a = t_mmap_anon(t, PG(4));
	ASSERT_EQ(a, 0x7f0000000000UL - PG(4));
	b = t_mmap_anon(t, PG(4));
	ASSERT_EQ(b, a - PG(4));
	/* 2 MiB or more: on a PMD boundary, below b */
	c = t_mmap_anon(t, 4UL << 20);
	ASSERT_TRUE(IS_ALIGNED(c, PMD_SIZE));
	ASSERT_LE(c + (4UL << 20), b);
	ASSERT_EQ(nr_vmas(t), 3);

	/* anon private: vm_pgoff is the start page, flags follow prot */
	ASSERT_EQ(vma_at(t, a)->vm_pgoff, a >> PAGE_SHIFT);
	ASSERT_EQ(vma_at(t, a)->vm_flags & (VM_READ | VM_WRITE | VM_EXEC |
					    VM_SHARED | VM_MAYWRITE),
		  VM_READ | VM_WRITE | VM_MAYWRITE);

	/* a free hint is honoured, a taken one is not */
	r = vm_mmap(t, 0x100000000UL, PG(1), RW, ANON, NULL, 0);
	ASSERT_EQ(r, 0x100000000L);
	r = vm_mmap(t, a, PG(1), RW, ANON, NULL, 0);
	ASSERT_GT(r, 0);
	ASSERT_NE(r, (long)a);
	/* MAP_FIXED_NOREPLACE over a mapping */
	r = vm_mmap(t, a, PG(1), RW, ANON | MAP_FIXED_NOREPLACE, NULL, 0);
	ASSERT_EQ(r, -EEXIST);
	/* the first fault sees zero-filled memory */
	ASSERT_TRUE(t_holds(t, b, 0, PG(4)));
}

TEST(munmap_middle_splits_vma)
{
	struct task_struct *t = t_task("split");
	struct vm_area_struct *lo, *hi;
	unsigned long a = t_mmap_anon(t, PG(8));
	char c;

	fill_pages(t, a, 8);
	/*
	 * before:  AAAAAAAA
	 * munmap:     ^^       pages 3 and 4
	 * after:   AAA--BBB    B keeps A's pgoff + 5
	 */
	ASSERT_EQ(vm_munmap(t, a + PG(3), PG(2)), 0);
	ASSERT_EQ(nr_vmas(t), 2);
	lo = vma_at(t, a);
	hi = vma_at(t, a + PG(5));
	ASSERT_NOT_NULL(lo);
	ASSERT_NOT_NULL(hi);
	ASSERT_EQ(lo->vm_start, a);
	ASSERT_EQ(lo->vm_end, a + PG(3));
	ASSERT_EQ(hi->vm_start, a + PG(5));
	ASSERT_EQ(hi->vm_end, a + PG(8));
	ASSERT_EQ(hi->vm_pgoff, lo->vm_pgoff + 5);
	ASSERT_NULL(vma_at(t, a + PG(3)));
	ASSERT_NULL(vma_at(t, a + PG(4)));
	/* the hole faults, the rest kept its bytes */
	ASSERT_EQ(user_read(t, a + PG(3), &c, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(user_read(t, a + PG(4) + 100, &c, 1), UACCESS_SIGSEGV);
	for (int i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			ASSERT_TRUE(t_holds(t, a + PG(i), 'A' + i, PAGE_SIZE));
	ASSERT_TRUE(pte_none(t_pte(t, a + PG(3))));
	ASSERT_INVARIANTS();

	/*
	 * munmap across both and the hole:
	 * before:  AAA--BBB
	 *           ^^^^^
	 * after:   A------B
	 */
	ASSERT_EQ(vm_munmap(t, a + PG(1), PG(6)), 0);
	ASSERT_EQ(nr_vmas(t), 2);
	ASSERT_EQ(vma_at(t, a)->vm_end, a + PG(1));
	ASSERT_EQ(vma_at(t, a + PG(7))->vm_start, a + PG(7));
	ASSERT_TRUE(t_holds(t, a, 'A', PAGE_SIZE));
	ASSERT_TRUE(t_holds(t, a + PG(7), 'A' + 7, PAGE_SIZE));
	/* unmapping nothing is fine */
	ASSERT_EQ(vm_munmap(t, a + PG(2), PG(2)), 0);
}

TEST(mprotect_splits_and_changes_ptes)
{
	struct task_struct *t = t_task("mprot");
	unsigned long a = t_mmap_anon(t, PG(4));
	char c = 'x';

	fill_pages(t, a, 4);
	ASSERT_TRUE(pte_write(t_pte(t, a + PG(1))));
	/*
	 * before:  AAAA  rw
	 * after:   ABBC  B read-only
	 */
	ASSERT_EQ(vm_mprotect(t, a + PG(1), PG(2), PROT_READ), 0);
	ASSERT_EQ(nr_vmas(t), 3);
	ASSERT_EQ(vma_at(t, a + PG(1))->vm_start, a + PG(1));
	ASSERT_EQ(vma_at(t, a + PG(1))->vm_end, a + PG(3));
	ASSERT_EQ(vma_at(t, a + PG(1))->vm_flags & (VM_READ | VM_WRITE),
		  VM_READ);
	ASSERT_EQ(vma_at(t, a)->vm_flags & VM_WRITE, VM_WRITE);
	ASSERT_FALSE(pte_write(t_pte(t, a + PG(1))));
	ASSERT_FALSE(pte_write(t_pte(t, a + PG(2))));
	ASSERT_TRUE(pte_present(t_pte(t, a + PG(2))));
	ASSERT_TRUE(pte_write(t_pte(t, a + PG(3))));
	ASSERT_EQ(user_write(t, a + PG(2), &c, 1), UACCESS_SIGSEGV);
	ASSERT_TRUE(t_holds(t, a + PG(2), 'C', PAGE_SIZE));
	ASSERT_EQ(user_write(t, a + PG(3), &c, 1), UACCESS_OK);

	/* PROT_NONE: no access at all, the bytes stay */
	ASSERT_EQ(vm_mprotect(t, a + PG(1), PG(1), PROT_NONE), 0);
	ASSERT_TRUE(pte_protnone(t_pte(t, a + PG(1))));
	ASSERT_EQ(user_read(t, a + PG(1), &c, 1), UACCESS_SIGSEGV);
	/* back to rw: writes work and the data survived */
	ASSERT_EQ(vm_mprotect(t, a, PG(4), RW), 0);
	ASSERT_TRUE(t_holds(t, a + PG(1), 'B', PAGE_SIZE));
	t_fill(t, a + PG(1), 'z', PG(2));
	ASSERT_TRUE(t_holds(t, a + PG(1), 'z', PG(2)));
	/* identical again: the pieces merge back into one VMA */
	ASSERT_EQ(nr_vmas(t), 1);
	ASSERT_INVARIANTS();
}

TEST(mremap_moves_bytes)
{
	struct task_struct *t = t_task("mremap");
	unsigned long a = t_mmap_anon(t, PG(16));
	unsigned char buf[PAGE_SIZE];
	long r;
	char c;

	for (int i = 0; i < 16; i++) {
		for (size_t j = 0; j < PAGE_SIZE; j++)
			buf[j] = (unsigned char)(i * 31 + j * 7);
		ASSERT_EQ(user_write(t, a + PG(i), buf, PAGE_SIZE), UACCESS_OK);
	}
	/* block growth in place so that it must move */
	ASSERT_EQ(vm_mmap(t, a + PG(16), PG(1), RW, ANON | MAP_FIXED, NULL, 0),
		  (long)(a + PG(16)));
	ASSERT_EQ(vm_mremap(t, a, PG(16), PG(32), 0, 0), -ENOMEM);
	r = vm_mremap(t, a, PG(16), PG(32), MREMAP_MAYMOVE, 0);
	ASSERT_GT(r, 0);
	ASSERT_NE(r, (long)a);
	for (int i = 0; i < 16; i++) {
		unsigned char got[PAGE_SIZE];

		for (size_t j = 0; j < PAGE_SIZE; j++)
			buf[j] = (unsigned char)(i * 31 + j * 7);
		ASSERT_EQ(user_read(t, r + PG(i), got, PAGE_SIZE), UACCESS_OK);
		ASSERT_EQ(memcmp(got, buf, PAGE_SIZE), 0);
	}
	/* the grown part is fresh zero memory; the old range is gone */
	ASSERT_TRUE(t_holds(t, r + PG(16), 0, PG(16)));
	ASSERT_EQ(user_read(t, a, &c, 1), UACCESS_SIGSEGV);
	ASSERT_NULL(vma_at(t, a));
	/* anon pgoff travels with the data (rmap indexes stay valid) */
	ASSERT_EQ(vma_at(t, r)->vm_pgoff, a >> PAGE_SHIFT);
	ASSERT_INVARIANTS();

	/* MREMAP_FIXED of part of it; shrinking in place */
	ASSERT_EQ(vm_mremap(t, r + PG(4), PG(4), PG(4),
			    MREMAP_MAYMOVE | MREMAP_FIXED, 0x200000000UL),
		  0x200000000L);
	ASSERT_EQ(user_read(t, 0x200000000UL, buf, 1), UACCESS_OK);
	ASSERT_EQ(buf[0], (unsigned char)(4 * 31));
	ASSERT_EQ(user_read(t, r + PG(4), &c, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(vm_mremap(t, r, PG(4), PG(1), 0, 0), r);
	ASSERT_EQ(user_read(t, r + PG(1), &c, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(user_read(t, r, buf, 1), UACCESS_OK);
	ASSERT_EQ(buf[0], 0);
	ASSERT_INVARIANTS();
}

TEST(mremap_moves_2m_aligned)
{
	struct task_struct *t = t_task("mremap2m");
	unsigned long a = t_mmap_anon(t, 4UL << 20);
	unsigned long dst = 0x40000000UL;

	ASSERT_EQ(vm_madvise(t, a, 4UL << 20, MADV_HUGEPAGE), 0);
	t_fill(t, a, 0x5a, 2UL << 20);
	t_fill(t, a + (2UL << 20), 0xa5, 2UL << 20);
	ASSERT_EQ(vm_mremap(t, a, 4UL << 20, 4UL << 20,
			    MREMAP_MAYMOVE | MREMAP_FIXED, dst), (long)dst);
	ASSERT_TRUE(t_holds(t, dst, 0x5a, 2UL << 20));
	ASSERT_TRUE(t_holds(t, dst + (2UL << 20), 0xa5, 2UL << 20));
	/* and a move that cuts a 2 MiB extent in two */
	ASSERT_EQ(vm_mremap(t, dst + PG(1), PG(2), PG(2),
			    MREMAP_MAYMOVE | MREMAP_FIXED, 0x80000000UL),
		  0x80000000L);
	ASSERT_TRUE(t_holds(t, 0x80000000UL, 0x5a, PG(2)));
	ASSERT_TRUE(t_holds(t, dst, 0x5a, PG(1)));
	ASSERT_TRUE(t_holds(t, dst + PG(3), 0x5a, (2UL << 20) - PG(3)));
	ASSERT_INVARIANTS();
}

TEST(madvise_dontneed_zero_fills)
{
	struct task_struct *t = t_task("madv");
	unsigned long a = t_mmap_anon(t, PG(4));

	t_fill(t, a, 0x77, PG(4));
	ASSERT_EQ(vm_madvise(t, a + PG(1), PG(2), MADV_DONTNEED), 0);
	ASSERT_TRUE(pte_none(t_pte(t, a + PG(1))));
	ASSERT_TRUE(t_holds(t, a, 0x77, PG(1)));
	ASSERT_TRUE(t_holds(t, a + PG(1), 0, PG(2)));
	ASSERT_TRUE(t_holds(t, a + PG(3), 0x77, PG(1)));
	/* DONTNEED leaves the VMA alone */
	ASSERT_EQ(nr_vmas(t), 1);

	/* a hole: the mapped part is done, then -ENOMEM */
	t_fill(t, a, 0x77, PG(4));
	ASSERT_EQ(vm_munmap(t, a + PG(2), PG(1)), 0);
	ASSERT_EQ(vm_madvise(t, a, PG(4), MADV_DONTNEED), -ENOMEM);
	ASSERT_TRUE(t_holds(t, a, 0, PG(2)));
	ASSERT_TRUE(t_holds(t, a + PG(3), 0, PG(1)));
	ASSERT_EQ(vm_madvise(t, a, PG(1), 12345), -EINVAL);
	ASSERT_EQ(vm_madvise(t, a + 1, PG(1), MADV_DONTNEED), -EINVAL);
	ASSERT_INVARIANTS();
}

TEST(madvise_flags_split)
{
	struct task_struct *t = t_task("madvf");
	unsigned long a = t_mmap_anon(t, PG(4));

	ASSERT_EQ(vm_madvise(t, a + PG(1), PG(1), MADV_DONTFORK), 0);
	ASSERT_EQ(nr_vmas(t), 3);
	ASSERT_TRUE(vma_at(t, a + PG(1))->vm_flags & VM_DONTCOPY);
	ASSERT_FALSE(vma_at(t, a)->vm_flags & VM_DONTCOPY);
	ASSERT_EQ(vm_madvise(t, a, PG(4), MADV_WIPEONFORK), 0);
	ASSERT_TRUE(vma_at(t, a + PG(3))->vm_flags & VM_WIPEONFORK);
	ASSERT_EQ(vm_madvise(t, a, PG(4), MADV_HUGEPAGE), 0);
	ASSERT_TRUE(vma_at(t, a)->vm_flags & VM_HUGEPAGE);
	ASSERT_EQ(vm_madvise(t, a, PG(4), MADV_NOHUGEPAGE), 0);
	ASSERT_TRUE(vma_at(t, a)->vm_flags & VM_NOHUGEPAGE);
	ASSERT_FALSE(vma_at(t, a)->vm_flags & VM_HUGEPAGE);
}

TEST(map_fixed_replaces)
{
	struct task_struct *t = t_task("fixed");
	unsigned long a = t_mmap_anon(t, PG(4));
	long r;

	t_fill(t, a, 0xaa, PG(4));
	/*
	 * before:  AAAA
	 * FIXED:    BB
	 * after:   ABBA   B is fresh zero memory
	 */
	r = vm_mmap(t, a + PG(1), PG(2), RW, ANON | MAP_FIXED, NULL, 0);
	ASSERT_EQ(r, (long)(a + PG(1)));
	ASSERT_EQ(nr_vmas(t), 3);
	ASSERT_TRUE(t_holds(t, a, 0xaa, PG(1)));
	ASSERT_TRUE(t_holds(t, a + PG(1), 0, PG(2)));
	ASSERT_TRUE(t_holds(t, a + PG(3), 0xaa, PG(1)));
	ASSERT_EQ(vma_at(t, a + PG(1))->vm_pgoff, (a + PG(1)) >> PAGE_SHIFT);
	ASSERT_INVARIANTS();
}

TEST(mmap_error_codes)
{
	struct task_struct *t = t_task("errs");
	unsigned long a = t_mmap_anon(t, PG(2));

	ASSERT_EQ(vm_mmap(t, 0, 0, RW, ANON, NULL, 0), -EINVAL);
	ASSERT_EQ(vm_mmap(t, 0x10000123UL, PG(1), RW, ANON | MAP_FIXED,
			  NULL, 0), -EINVAL);
	ASSERT_EQ(vm_mmap(t, 0, PG(1), RW, MAP_ANONYMOUS, NULL, 0), -EINVAL);
	ASSERT_EQ(vm_mmap(t, 0, PG(1), RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS,
			  NULL, 0), -EINVAL);
	ASSERT_EQ(vm_mmap(t, 0, PG(1), RW, MAP_PRIVATE, NULL, 0), -EBADF);
	ASSERT_EQ(vm_mmap(t, 0, PG(1), RW, ANON, NULL, 123), -EINVAL);
	ASSERT_EQ(vm_mmap(t, 0, 1UL << 50, RW, ANON, NULL, 0), -ENOMEM);
	ASSERT_EQ(vm_mmap(t, TASK_SIZE - PG(1), PG(2), RW, ANON | MAP_FIXED,
			  NULL, 0), -ENOMEM);

	ASSERT_EQ(vm_munmap(t, a + 1, PG(1)), -EINVAL);
	ASSERT_EQ(vm_munmap(t, a, 0), -EINVAL);

	ASSERT_EQ(vm_mprotect(t, a + 1, PG(1), PROT_READ), -EINVAL);
	ASSERT_EQ(vm_mprotect(t, a, PG(1), 0x100), -EINVAL);
	ASSERT_EQ(vm_mprotect(t, a, PG(3), PROT_READ), -ENOMEM);
	ASSERT_EQ(vm_mprotect(t, a - PG(8), PG(1), PROT_READ), -ENOMEM);
	ASSERT_EQ(vm_mprotect(t, a, 0, PROT_READ), 0);

	ASSERT_EQ(vm_mremap(t, a - PG(8), PG(1), PG(2), MREMAP_MAYMOVE, 0),
		  -EFAULT);
	ASSERT_EQ(vm_mremap(t, a, PG(1), PG(2), MREMAP_FIXED, 0), -EINVAL);
	ASSERT_EQ(vm_mremap(t, a, PG(1), 0, 0, 0), -EINVAL);
	ASSERT_EQ(vm_mremap(t, a, PG(4), PG(8), MREMAP_MAYMOVE, 0), -EFAULT);
	ASSERT_EQ(vm_mremap(t, a, PG(2), PG(2), MREMAP_MAYMOVE | MREMAP_FIXED,
			    a + PG(1)), -EINVAL);
}

TEST(io_mapping_is_pfnmap)
{
	struct task_struct *t = t_task("io");
	struct vm_area_struct *vma;
	long r;
	pte_t pte;

	r = vm_mmap(t, 0, PG(4), RW, MAP_SHARED | MAP_GUPSIM_IO, NULL, PG(2));
	ASSERT_GT(r, 0);
	vma = vma_at(t, r);
	ASSERT_EQ(vma->vm_flags & (VM_IO | VM_PFNMAP | VM_SHARED),
		  VM_IO | VM_PFNMAP | VM_SHARED);
	pte = t_pte(t, r + PG(1));
	ASSERT_TRUE(pte_present(pte));
	ASSERT_TRUE(pte_special(pte));
	ASSERT_TRUE(pte_write(pte));
	ASSERT_EQ(pte_pfn(pte), machine->mmio_start_pfn + 3);
	ASSERT_EQ(vm_madvise(t, r, PG(1), MADV_DONTNEED), -EINVAL);
	/* past the MMIO window */
	ASSERT_EQ(vm_mmap(t, 0, PG(4), RW, MAP_SHARED | MAP_GUPSIM_IO, NULL,
			  PG(machine->mmio_pages - 2)), -EINVAL);
	ASSERT_EQ(vm_munmap(t, r, PG(4)), 0);
	ASSERT_TRUE(pte_none(t_pte(t, r + PG(1))));
}

TEST(map_populate_faults_in)
{
	struct task_struct *t = t_task("pop");
	long r = vm_mmap(t, 0, PG(8), RW, ANON | MAP_POPULATE, NULL, 0);

	ASSERT_GT(r, 0);
	for (int i = 0; i < 8; i++) {
		pte_t pte = t_pte(t, r + PG(i));

		/* private writable: write faults, COW already broken */
		ASSERT_TRUE(pte_present(pte));
		ASSERT_TRUE(pte_write(pte));
	}
	r = vm_mmap(t, 0, PG(2), PROT_READ, ANON, NULL, 0);
	ASSERT_TRUE(pte_none(t_pte(t, r)));
	ASSERT_EQ(vm_populate(t, r, PG(2), false), 0);
	ASSERT_TRUE(pte_present(t_pte(t, r)));
	ASSERT_EQ(vm_populate(t, r, PG(2), true), -EINVAL);
	ASSERT_EQ(vm_populate(t, r - PG(64), PG(2), false), -ENOMEM);
}

TEST(account_locked_vm_rlimit)
{
	struct task_struct *t = task_create("lock", PG(16), false);
	struct task_struct *cap = task_create("cap", PG(16), true);
	struct mm_struct *mm;

	ASSERT_NOT_NULL(t);
	ASSERT_NOT_NULL(cap);
	current = t;
	mm = task_mm(t);
	ASSERT_FALSE(capable_ipc_lock());
	ASSERT_EQ(rlimit_memlock(), PG(16));
	ASSERT_EQ(account_locked_vm(mm, 10, true), 0);
	ASSERT_EQ(account_locked_vm(mm, 6, true), 0);
	ASSERT_EQ(mm_locked_vm(mm), 16);
	ASSERT_EQ(account_locked_vm(mm, 1, true), -ENOMEM);
	ASSERT_EQ(mm_locked_vm(mm), 16);
	ASSERT_EQ(account_locked_vm(mm, 16, false), 0);
	ASSERT_EQ(mm_locked_vm(mm), 0);
	ASSERT_EQ(account_locked_vm(mm, 17, true), -ENOMEM);

	/* CAP_IPC_LOCK bypasses the limit */
	current = cap;
	mm = task_mm(cap);
	ASSERT_TRUE(capable_ipc_lock());
	ASSERT_EQ(account_locked_vm(mm, 1000, true), 0);
	ASSERT_EQ(mm_locked_vm(mm), 1000);
	ASSERT_EQ(account_locked_vm(mm, 1000, false), 0);

	ASSERT_EQ(mm_pinned_vm_add(mm, 5), 5);
	ASSERT_EQ(mm_pinned_vm_add(mm, -5), 0);
	task_exit(t);
	task_exit(cap);
	ASSERT_NULL(current);
}

TEST(task_exit_frees_everything)
{
	long free0 = vmstat_get("nr_free_pages");
	struct task_struct *t = t_task("exit");
	unsigned long a = t_mmap_anon(t, PG(64)), b;

	ASSERT_STREQ(task_comm(t), "exit");
	t_fill(t, a, 1, PG(64));
	ASSERT_EQ(vm_mprotect(t, a + PG(10), PG(10), PROT_READ), 0);
	ASSERT_EQ(vm_munmap(t, a + PG(30), PG(4)), 0);
	b = t_mmap_anon(t, 4UL << 20);
	t_fill(t, b, 2, 4UL << 20);
	ASSERT_LT(vmstat_get("nr_free_pages"), free0);
	task_exit(t);
	ASSERT_NULL(current);
	mm_rcu_barrier();
	ASSERT_EQ(vmstat_get("nr_page_table_pages"), 0);
	ASSERT_EQ(vmstat_get("nr_free_pages"), free0);
}

TEST_CFG(hugetlb_mapping_rules, .hugetlb = 4)
{
	struct task_struct *t = t_task("htlb");
	long r;

	/* 3 MiB rounds up to two huge pages, on a 2 MiB boundary */
	r = vm_mmap(t, 0, 3UL << 20, RW, ANON | MAP_HUGETLB, NULL, 0);
	ASSERT_GT(r, 0);
	ASSERT_TRUE(IS_ALIGNED(r, PMD_SIZE));
	ASSERT_EQ(vma_at(t, r)->vm_end - r, 4UL << 20);
	ASSERT_TRUE(vma_at(t, r)->vm_flags & VM_HUGETLB);
	t_fill(t, r, 0x3c, 4UL << 20);
	/* a huge page cannot be cut */
	ASSERT_EQ(vm_munmap(t, r + PG(1), PG(1)), -EINVAL);
	ASSERT_EQ(vm_mprotect(t, r, PG(1), PROT_READ), -EINVAL);
	ASSERT_EQ(vm_mmap(t, r + PG(1), PMD_SIZE, RW,
			  ANON | MAP_HUGETLB | MAP_FIXED, NULL, 0), -EINVAL);
	/* on a boundary it can */
	ASSERT_EQ(vm_mprotect(t, r, PMD_SIZE, PROT_READ), 0);
	ASSERT_EQ(nr_vmas(t), 2);
	ASSERT_TRUE(t_holds(t, r, 0x3c, 4UL << 20));
	ASSERT_EQ(vm_munmap(t, r, 4UL << 20), 0);
	ASSERT_EQ(nr_vmas(t), 0);
	ASSERT_INVARIANTS();
}

TEST(shared_anon_and_file_mappings)
{
	struct task_struct *t = t_task("shm");
	struct file *f = file_create("data", FS_EXT4, PG(16));
	long r, s;

	ASSERT_NOT_NULL(f);
	/* shared anonymous memory is shmem */
	r = vm_mmap(t, 0, PG(4), RW, MAP_SHARED | MAP_ANONYMOUS, NULL, 0);
	ASSERT_GT(r, 0);
	ASSERT_TRUE(vma_is_shmem(vma_at(t, r)));
	ASSERT_TRUE(vma_at(t, r)->vm_flags & VM_SHARED);
	t_fill(t, r, 0x42, PG(4));
	ASSERT_EQ(vm_munmap(t, r + PG(1), PG(1)), 0);
	ASSERT_TRUE(t_holds(t, r + PG(2), 0x42, PG(2)));
	ASSERT_EQ(vma_at(t, r + PG(2))->vm_pgoff, 2);

	/* a file at an offset: pgoff, and the bytes live in the page cache */
	r = vm_mmap(t, 0, PG(4), RW, MAP_SHARED, f, PG(8));
	ASSERT_GT(r, 0);
	ASSERT_EQ(vma_at(t, r)->vm_pgoff, 8);
	ASSERT_PTR_EQ(vma_at(t, r)->vm_file, f);
	t_fill(t, r + PG(1), 0x99, PG(1));
	ASSERT_EQ(vm_munmap(t, r, PG(4)), 0);
	s = vm_mmap(t, 0, PG(1), PROT_READ, MAP_SHARED, f, PG(9));
	ASSERT_GT(s, 0);
	ASSERT_TRUE(t_holds(t, s, 0x99, PG(1)));
	/* private /dev/zero is anonymous memory */
	r = vm_mmap(t, 0, PG(2), RW, MAP_PRIVATE | MAP_GUPSIM_DEVZERO, NULL, 0);
	ASSERT_GT(r, 0);
	ASSERT_TRUE(vma_is_anonymous(vma_at(t, r)));
	ASSERT_TRUE(t_holds(t, r, 0, PG(2)));
	fput(f);
	ASSERT_INVARIANTS();
}
