// SPDX-License-Identifier: GPL-2.0
/*
 * fork(): the child gets a copy of the parent's address space (dup_mmap)
 * whose private pages are shared copy-on-write (copy_page_range).
 *
 * The rule that matters for pinning: an anon page that may be pinned
 * (the mm has used FOLL_PIN, MMF_HAS_PINNED, and folio_maybe_dma_pinned())
 * cannot be shared, since the parent's next write would COW away from the
 * page the device holds. It is copied for the child at once instead, and
 * the parent keeps the pinned page exclusive and writable. GUP-fast, which
 * runs without mmap_lock, notices a concurrent fork through the parent's
 * write_protect_seq and backs off.
 *
 * Also here, as in the kernel's kernel/fork.c: the life cycle of an
 * mm_struct (mm_alloc, mmget, mmput) and of a task (task_create,
 * task_exit), and current.
 */
#include <stdlib.h>
#include <string.h>

#include "api_check.h"
#include "../lib/sched_point.h"

/* Where the top-down search for free address space starts. */
#define MMAP_BASE		0x7f0000000000UL

__thread struct task_struct *current;

static void mm_counter_add(struct mm_struct *mm, struct folio *folio, long nr)
{
	if (folio_test_anon(folio))
		atomic_fetch_add(&mm->rss_anon, nr);
	else if (folio_test_swapbacked(folio))
		atomic_fetch_add(&mm->rss_shmem, nr);
	else
		atomic_fetch_add(&mm->rss_file, nr);
}

/* Both page table locks: the parent's first (the two mms differ). */
static void ptl_lock_both(struct mm_struct *src_mm, struct mm_struct *dst_mm)
{
	ptl_lock(src_mm);
	ptl_lock(dst_mm);
}

static void ptl_unlock_both(struct mm_struct *src_mm, struct mm_struct *dst_mm)
{
	ptl_unlock(dst_mm);
	ptl_unlock(src_mm);
}

/* folio_needs_cow_for_dma(): sharing could hide the parent's writes. */
static bool folio_needs_cow_for_dma(struct vm_area_struct *vma,
				    struct folio *folio)
{
	if (!is_cow_mapping(vma->vm_flags))
		return false;
	if (!(atomic_load(&vma->vm_mm->flags) & (1UL << MMF_HAS_PINNED)))
		return false;
	if (!folio_maybe_dma_pinned(folio))
		return false;
	/* Before 5.9 fork shared every anon page, pinned or not. */
	return kernel_has(FORK_EARLY_COW);
}

/*
 * A migration entry is copied as it is, except that in a COW mapping a
 * writable or exclusive one becomes a plain read entry in both mms: the
 * page will be shared once migration puts it back.
 */
static uint64_t copy_migration_entry(uint64_t *src, uint64_t entry,
				     bool is_cow)
{
	if (is_cow && swp_type(entry) != SWP_MIGRATION_READ) {
		entry = (entry & ~SWP_TYPE_MASK) |
			((uint64_t)SWP_MIGRATION_READ << SWP_TYPE_SHIFT);
		set_pte(src, entry);
	}
	return entry;
}

/*
 * The child's private copy of a maybe-pinned page: a new exclusive anon
 * page with the same bytes, writable if the VMA is.
 */
static void copy_present_page(struct vm_area_struct *dst_vma, pte_t *dst_pte,
			      unsigned long addr, struct page *page,
			      struct folio *new)
{
	pte_t entry;

	memcpy(folio_address(new), page_address(page), PAGE_SIZE);
	folio_set_uptodate(new);
	folio_set_swapbacked(new);
	folio_add_new_anon_rmap(new, dst_vma, addr, RMAP_EXCLUSIVE);
	SetPageAnonExclusive(&new->page);
	folio_set_lru(new);
	entry = pte_mkdirty(mk_pte(&new->page, dst_vma->vm_flags));
	if (dst_vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry);
	set_pte(dst_pte, entry);
	atomic_fetch_add(&dst_vma->vm_mm->rss_anon, 1);
	count_vm_event(GUPSIM_FORK_EARLY_COPY);
}

/*
 * copy_present_pte(): a present PTE, both ptls held. -EAGAIN: the page
 * must be copied and *prealloc is empty (the caller allocates without
 * the locks and retries).
 *
 * The window GUP-fast raced before 5.11: the pin check below and the
 * write-protect of the parent's PTE are two steps; a pin taken between
 * them (GUP-fast holds no lock fork excludes) lands on a page both mms
 * now share. write_protect_seq (copy_page_range()) closes it.
 */
static int copy_present_pte(struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma, pte_t *dst_pte,
			    pte_t *src_pte, pte_t pte, unsigned long addr,
			    struct folio **prealloc)
{
	bool is_cow = is_cow_mapping(src_vma->vm_flags);
	unsigned long pfn = pte_pfn(pte);
	struct folio *folio;
	struct page *page;

	if (pte_special(pte) || !pfn_valid(pfn) || is_zero_pfn(pfn))
		goto set;		/* no struct page to account */

	page = pfn_to_page(pfn);
	folio = page_folio(page);
	if (folio_test_anon(folio)) {
		if (PageAnonExclusive(page) &&
		    folio_needs_cow_for_dma(src_vma, folio)) {
			if (!*prealloc)
				return -EAGAIN;
			copy_present_page(dst_vma, dst_pte, addr, page,
					  *prealloc);
			*prealloc = NULL;
			return 0;
		}
		SCHED_POINT("page_maybe_dma_pinned() false");
		/* Shared from now on: neither side may reuse it on write. */
		ClearPageAnonExclusive(page);
		folio_get(folio);
		folio_add_anon_rmap_ptes(folio, page, 1, dst_vma, addr, 0);
	} else {
		folio_get(folio);
		folio_add_file_rmap_ptes(folio, page, 1, dst_vma);
	}
	mm_counter_add(dst_vma->vm_mm, folio, 1);

set:
	if (is_cow && pte_write(pte)) {
		set_pte(src_pte, pte_wrprotect(pte));
		pte = pte_wrprotect(pte);
		SCHED_POINT("parent pte write-protected");
	}
	if (src_vma->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte &= ~_PAGE_ACCESSED;
	set_pte(dst_pte, pte);
	return 0;
}

/* Copies one PTE, both ptls held; -EAGAIN as copy_present_pte(). */
static int copy_one_pte(struct vm_area_struct *dst_vma,
			struct vm_area_struct *src_vma, pte_t *dst_pte,
			pte_t *src_pte, unsigned long addr,
			struct folio **prealloc)
{
	bool is_cow = is_cow_mapping(src_vma->vm_flags);
	pte_t pte = ptep_get(src_pte);
	struct folio *folio;

	if (pte_none(pte))
		return 0;
	if (pte_present(pte))
		return copy_present_pte(dst_vma, src_vma, dst_pte, src_pte,
					pte, addr, prealloc);
	if (is_swapfile_entry(pte)) {
		/* both share the slot now: neither is exclusive */
		swap_duplicate(swp_offset_pfn(pte));
		pte = make_swap_entry(swp_offset_pfn(pte), false);
		set_pte(src_pte, pte);
	}
	if (is_migration_entry(pte)) {
		pte = copy_migration_entry(src_pte, pte, is_cow);
		folio = pfn_folio(swp_offset_pfn(pte));
		mm_counter_add(dst_vma->vm_mm, folio, 1);
	}
	set_pte(dst_pte, pte);
	return 0;
}

static int copy_pte_range(struct vm_area_struct *dst_vma,
			  struct vm_area_struct *src_vma, pmd_t *src_pmd,
			  unsigned long addr, unsigned long end)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	struct folio *prealloc = NULL;
	pmd_t *dst_pmd;
	int ret = 0;

	dst_pmd = mm_alloc_pmd(dst_mm, addr);
	if (!dst_pmd || !pte_alloc(dst_mm, dst_pmd, addr))
		return -ENOMEM;
again:
	ptl_lock_both(src_mm, dst_mm);
	/* Under mmap write lock only a THP split could change the pmd. */
	if (pmd_leaf(pmdp_get(src_pmd)) || pmd_none(pmdp_get(src_pmd))) {
		VM_WARN(1, "copy_pte_range: pmd changed at %#lx", addr);
		goto unlock;
	}
	for (; addr < end; addr += PAGE_SIZE) {
		ret = copy_one_pte(dst_vma, src_vma,
				   pte_offset(dst_pmd, addr),
				   pte_offset(src_pmd, addr), addr, &prealloc);
		if (ret == -EAGAIN) {
			ptl_unlock_both(src_mm, dst_mm);
			prealloc = folio_alloc(GFP_HIGHUSER_MOVABLE |
					       vma_place_gfp(dst_vma), 0);
			if (!prealloc)
				return -ENOMEM;
			ret = 0;
			goto again;
		}
		if (ret)
			break;
	}
unlock:
	ptl_unlock_both(src_mm, dst_mm);
	if (prealloc)
		folio_put(prealloc);
	return ret;
}

/*
 * A PMD-mapped anon THP (or PMD migration entry). -EAGAIN: the source pmd
 * was split (a maybe-pinned THP) and must be copied at PTE level.
 */
static int copy_huge_pmd(struct vm_area_struct *dst_vma,
			 struct vm_area_struct *src_vma, pmd_t *src_pmd,
			 unsigned long addr)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	bool is_cow = is_cow_mapping(src_vma->vm_flags);
	struct folio *folio;
	struct page *page;
	pmd_t *dst_pmd, pmd;
	unsigned long i;

	dst_pmd = mm_alloc_pmd(dst_mm, addr);
	if (!dst_pmd)
		return -ENOMEM;
	ptl_lock_both(src_mm, dst_mm);
	pmd = pmdp_get(src_pmd);
	if (is_swap_pte(pmd)) {
		if (is_migration_entry(pmd)) {
			pmd = copy_migration_entry(src_pmd, pmd, is_cow);
			folio = pfn_folio(swp_offset_pfn(pmd));
			mm_counter_add(dst_mm, folio, HPAGE_PMD_NR);
		}
		set_pmd(dst_pmd, pmd);
		goto unlock;
	}
	if (!pmd_leaf(pmd)) {
		ptl_unlock_both(src_mm, dst_mm);
		return -EAGAIN;
	}
	page = pfn_to_page(pmd_pfn(pmd));
	folio = page_folio(page);
	if (pte_special(pmd) || is_zero_page(page)) {
		/* the huge zero page */
		set_pmd(dst_pmd, pte_wrprotect(pmd));
		goto unlock;
	}
	if (!folio_test_anon(folio))
		goto unlock;	/* file THP: the child faults it in later */

	if (PageAnonExclusive(page) &&
	    folio_needs_cow_for_dma(src_vma, folio)) {
		/* Maybe pinned: early-copy the subpages at PTE level. */
		ptl_unlock_both(src_mm, dst_mm);
		split_huge_pmd(src_vma, src_pmd, addr);
		return -EAGAIN;
	}
	SCHED_POINT("page_maybe_dma_pinned() false");
	for (i = 0; i < folio_nr_pages(folio); i++)
		ClearPageAnonExclusive(folio_page(folio, i));
	folio_get(folio);
	folio_add_anon_rmap_pmd(folio, dst_vma, addr, 0);
	mm_counter_add(dst_mm, folio, HPAGE_PMD_NR);
	if (is_cow && pmd_write(pmd)) {
		set_pmd(src_pmd, pte_wrprotect(pmd));
		pmd = pte_wrprotect(pmd);
		SCHED_POINT("parent pmd write-protected");
	}
	set_pmd(dst_pmd, pmd & ~_PAGE_ACCESSED);
unlock:
	ptl_unlock_both(src_mm, dst_mm);
	return 0;
}

static int copy_normal_range(struct vm_area_struct *dst_vma,
			     struct vm_area_struct *src_vma)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	unsigned long addr, next, end = src_vma->vm_end;
	int ret = 0;

	for (addr = src_vma->vm_start; addr < end; addr = next) {
		pmd_t *src_pmd;
		bool split_tried = false;

		next = min((addr & PMD_MASK) + PMD_SIZE, end);
		src_pmd = mm_find_pmd(src_mm, addr);
		if (!src_pmd)
			continue;
again:
		if (pmd_none(pmdp_get(src_pmd)))
			continue;
		if (is_swap_pte(pmdp_get(src_pmd)) ||
		    pmd_leaf(pmdp_get(src_pmd))) {
			VM_WARN(next - addr != PMD_SIZE,
				"fork: huge pmd not covering %#lx-%#lx",
				addr, next);
			ret = copy_huge_pmd(dst_vma, src_vma, src_pmd, addr);
			if (ret == -EAGAIN) {
				if (VM_WARN(split_tried && pmd_leaf(
						pmdp_get(src_pmd)),
					    "fork: THP at %#lx did not split",
					    addr))
					return -ENOMEM;
				split_tried = true;
				goto again;
			}
		} else {
			ret = copy_pte_range(dst_vma, src_vma, src_pmd, addr,
					     next);
		}
		if (ret)
			break;
	}
	return ret;
}

/*
 * Private hugetlb: early copy from the pool (none: the fork fails). The
 * entries are PMDs', or PUDs' for 1 GiB pages: same format.
 */
static int copy_hugetlb_pmd(struct vm_area_struct *dst_vma,
			    struct vm_area_struct *src_vma, pmd_t *src_pmd,
			    pmd_t *dst_pmd, unsigned long addr,
			    struct folio **prealloc)
{
	bool is_cow = is_cow_mapping(src_vma->vm_flags);
	pmd_t pmd = pmdp_get(src_pmd);
	struct folio *folio, *new;

	if (pmd_none(pmd))
		return 0;
	if (is_swap_pte(pmd)) {
		if (is_migration_entry(pmd))
			pmd = copy_migration_entry(src_pmd, pmd, is_cow);
		set_pmd(dst_pmd, pmd);
		return 0;
	}
	if (VM_WARN(!pmd_leaf(pmd), "fork: lower table in hugetlb VMA at %#lx",
		    addr))
		return 0;
	folio = pfn_folio(pmd_pfn(pmd));
	if (!folio_test_anon(folio)) {
		folio_get(folio);
		folio_add_file_rmap_pmd(folio, dst_vma);
	} else if (PageAnonExclusive(&folio->page) &&
		   folio_needs_cow_for_dma(src_vma, folio)) {
		if (!*prealloc)
			return -EAGAIN;
		new = *prealloc;
		*prealloc = NULL;
		memcpy(folio_address(new), folio_address(folio),
		       folio_size(folio));
		folio_set_uptodate(new);
		folio_add_new_anon_rmap(new, dst_vma, addr, RMAP_EXCLUSIVE);
		SetPageAnonExclusive(&new->page);
		set_pmd(dst_pmd, make_huge_pmd(new, dst_vma,
					       dst_vma->vm_flags & VM_WRITE));
		count_vm_event(GUPSIM_FORK_EARLY_COPY);
		return 0;
	} else {
		ClearPageAnonExclusive(&folio->page);
		folio_get(folio);
		folio_add_anon_rmap_pmd(folio, dst_vma, addr, 0);
	}
	if (is_cow && pmd_write(pmd)) {
		set_pmd(src_pmd, pte_wrprotect(pmd));
		pmd = pte_wrprotect(pmd);
		SCHED_POINT("parent pmd write-protected");
	}
	set_pmd(dst_pmd, pmd & ~_PAGE_ACCESSED);
	return 0;
}

static int copy_hugetlb_range(struct vm_area_struct *dst_vma,
			      struct vm_area_struct *src_vma)
{
	struct mm_struct *dst_mm = dst_vma->vm_mm;
	struct mm_struct *src_mm = src_vma->vm_mm;
	unsigned long hsize = huge_page_size(src_vma);
	struct folio *prealloc = NULL;
	unsigned long addr;
	int ret = 0;

	/* each huge entry is a PMD's, or a PUD's for 1 GiB pages */
	for (addr = src_vma->vm_start; addr < src_vma->vm_end; addr += hsize) {
		pmd_t *src_pmd = huge_pte_offset(src_mm, addr, hsize), *dst_pmd;

		if (!src_pmd || pmd_none(pmdp_get(src_pmd)))
			continue;
		dst_pmd = huge_pte_alloc(dst_mm, addr, hsize);
		if (!dst_pmd) {
			ret = -ENOMEM;
			break;
		}
again:
		ptl_lock_both(src_mm, dst_mm);
		ret = copy_hugetlb_pmd(dst_vma, src_vma, src_pmd, dst_pmd,
				       addr, &prealloc);
		ptl_unlock_both(src_mm, dst_mm);
		if (ret == -EAGAIN) {
			prealloc = alloc_hugetlb_folio_order(
				huge_page_order(src_vma));
			if (!prealloc) {
				ret = -ENOMEM;
				break;
			}
			goto again;
		}
		if (ret)
			break;
	}
	if (prealloc)
		folio_put(prealloc);
	return ret;
}

/*
 * vma_needs_copy(): page tables a fault cannot rebuild. A VMA without
 * anon_vma has only page-cache pages (or none): the child faults them in.
 */
static bool vma_needs_copy(struct vm_area_struct *dst_vma,
			   struct vm_area_struct *src_vma)
{
	if (src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	return src_vma->anon_vma != NULL;
}

int copy_page_range(struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma)
{
	struct mm_struct *src_mm = src_vma->vm_mm;
	bool is_cow = is_cow_mapping(src_vma->vm_flags);
	int ret;

	if (!vma_needs_copy(dst_vma, src_vma))
		return 0;
	/*
	 * write_protect_seq is odd while COW mappings are being
	 * write-protected: a GUP-fast pin taken meanwhile could land on a
	 * page the child now shares, so GUP-fast sees the change and backs
	 * off (raw_write_seqcount_begin/end in the kernel).
	 */
	if (is_cow) {
		mmap_assert_write_locked(src_mm);
		/* 57efa1fe5957: 5.10 had no write_protect_seq at all */
		if (kernel_has(GUP_FAST_FORK_SEQ))
			atomic_fetch_add(&src_mm->write_protect_seq, 1);
		SCHED_POINT("raw_write_seqcount_begin");
	}
	if (is_vm_hugetlb_page(src_vma))
		ret = copy_hugetlb_range(dst_vma, src_vma);
	else
		ret = copy_normal_range(dst_vma, src_vma);
	if (is_cow) {
		if (kernel_has(GUP_FAST_FORK_SEQ))
			atomic_fetch_add(&src_mm->write_protect_seq, 1);
		SCHED_POINT("raw_write_seqcount_end");
	}
	return ret;
}

static int dup_mmap(struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt, *tmp;
	int err = 0;

	mmap_write_lock(oldmm);
	/* Nobody else knows the new mm; lock it for the helpers' asserts. */
	mmap_write_lock(mm);
	mm->mmap_base = oldmm->mmap_base;
	list_for_each_entry(mpnt, &oldmm->mmap, vm_list) {
		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		tmp = vm_area_dup(mpnt);
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		tmp->vm_mm = mm;
		/* mlock is not inherited. */
		vm_flags_clear(tmp, VM_LOCKED);
		tmp->anon_vma = NULL;
		/* VM_WIPEONFORK: a clean slate, anon_vma at first fault. */
		if (!(tmp->vm_flags & VM_WIPEONFORK)) {
			err = anon_vma_fork(tmp, mpnt);
			if (err) {
				vm_area_free(tmp);
				break;
			}
		}
		if (tmp->vm_file)
			get_file(tmp->vm_file);
		vma_link(mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK)) {
			err = copy_page_range(tmp, mpnt);
			if (err)
				break;
		}
	}
	mmap_write_unlock(mm);
	mmap_write_unlock(oldmm);
	return err;
}

struct task_struct *task_fork(struct task_struct *parent, const char *comm)
{
	struct task_struct *child;
	struct mm_struct *mm;

	if (VM_WARN_MISUSE(!parent, "task_fork: no parent") ||
	    VM_WARN_MISUSE(task_is_dead(parent),
			   "task_fork: parent %p has exited", (void *)parent) ||
	    VM_WARN(!parent->mm, "task_fork: no parent mm"))
		return NULL;
	mm = mm_alloc();
	if (!mm)
		return NULL;
	child = task_alloc(comm ? comm : parent->comm, mm);
	if (!child) {
		mmput(mm);
		return NULL;
	}
	child->rlimit_memlock = parent->rlimit_memlock;
	child->cap_ipc_lock = parent->cap_ipc_lock;
	child->user = parent->user ? get_uid(parent->user) : NULL;
	/* MMF_HAS_PINNED stays with the parent: mm_alloc() starts clean. */

	mutex_lock(&machine->lists_lock);
	list_add_tail(&child->tasks, &machine->tasks);
	mutex_unlock(&machine->lists_lock);

	if (dup_mmap(mm, parent->mm)) {
		/* What was copied is consistent: exit tears it down. */
		task_exit(child);
		return NULL;
	}
	return child;
}

/* ---- mm_struct ---- */

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = mm_struct_alloc();
	pthread_rwlockattr_t attr;

	if (!mm)
		return NULL;
	if (pgd_alloc(mm)) {
		mm_struct_free(mm);
		return NULL;
	}
	/*
	 * The kernel's rwsem lets a waiting writer block new readers; glibc
	 * prefers readers by default and would starve munmap under a storm
	 * of GUP callers. Like the rwsem, it must not be read-locked twice.
	 */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
			PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&mm->mmap_lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	pthread_mutex_init(&mm->page_table_lock, NULL);
	INIT_LIST_HEAD(&mm->mmap);
	mm->mmap_base = MMAP_BASE;
	atomic_init(&mm->mm_users, 1);
	mutex_lock(&machine->lists_lock);
	list_add_tail(&mm->mm_list, &machine->mms);
	mutex_unlock(&machine->lists_lock);
	return mm;
}

void mmget(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->mm_users, 1);
}

void mmput(struct mm_struct *mm)
{
	int old;

	if (!mm)
		return;
	old = atomic_fetch_sub(&mm->mm_users, 1);
	if (VM_WARN(old <= 0, "mmput: mm_users was %d", old))
		return;
	if (old > 1)
		return;
	exit_mmap(mm);
	mutex_lock(&machine->lists_lock);
	list_del(&mm->mm_list);
	mutex_unlock(&machine->lists_lock);
	pthread_rwlock_destroy(&mm->mmap_lock);
	pthread_mutex_destroy(&mm->page_table_lock);
	mm_struct_free(mm);
}

/* ---- tasks ---- */

struct task_struct *task_alloc(const char *comm, struct mm_struct *mm)
{
	struct task_struct *task = task_struct_alloc();

	if (!task)
		return NULL;
	snprintf(task->comm, sizeof(task->comm), "%s", comm ? comm : "");
	task->mm = mm;
	task->rlimit_memlock = RLIM_INFINITY;
	INIT_LIST_HEAD(&task->tasks);
	mutex_lock(&machine->lists_lock);
	task->pid = ++machine->next_pid;
	mutex_unlock(&machine->lists_lock);
	if (mm && !mm->owner)
		mm->owner = task;
	return task;
}

struct task_struct *task_create(const char *comm, unsigned long memlock,
				bool cap_ipc_lock)
{
	struct task_struct *task;
	struct mm_struct *mm;

	if (VM_WARN(!machine, "task_create without a machine"))
		return NULL;
	mm = mm_alloc();
	if (!mm)
		return NULL;
	task = task_alloc(comm, mm);
	if (!task)
		goto out_mm;
	/* Each task is its own user: charges to one never limit another. */
	task->user = alloc_uid(1000 + task->pid);
	if (!task->user)
		goto out_task;
	task->rlimit_memlock = memlock;
	task->cap_ipc_lock = cap_ipc_lock;
	mutex_lock(&machine->lists_lock);
	list_add_tail(&task->tasks, &machine->tasks);
	mutex_unlock(&machine->lists_lock);
	return task;
out_task:
	task_struct_free(task);
out_mm:
	mmput(mm);
	return NULL;
}

void task_exit(struct task_struct *task)
{
	struct mm_struct *mm;

	if (!task)
		return;
	if (VM_WARN_MISUSE(task_is_dead(task),
			   "task_exit: task %p has already exited",
			   (void *)task))
		return;
	mutex_lock(&machine->lists_lock);
	list_del_init(&task->tasks);
	mutex_unlock(&machine->lists_lock);
	task->flags |= PF_EXITING;
	mm = task->mm;
	if (mm && mm->owner == task)
		mm->owner = NULL;
	task->mm = NULL;
	mmput(mm);
	free_uid(task->user);
	if (current == task)
		current = NULL;
	task_struct_free(task);
}

struct mm_struct *task_mm(struct task_struct *task)
{
	if (!task)
		return NULL;
	if (VM_WARN_MISUSE(task_is_dead(task),
			   "task_mm: task %p has exited", (void *)task))
		return NULL;
	return task->mm;
}

const char *task_comm(const struct task_struct *task)
{
	return task ? task->comm : "";
}

void exit_all_tasks(void)
{
	for (;;) {
		struct task_struct *task = NULL;

		mutex_lock(&machine->lists_lock);
		if (!list_empty(&machine->tasks))
			task = list_first_entry(&machine->tasks,
						struct task_struct, tasks);
		mutex_unlock(&machine->lists_lock);
		if (!task)
			break;
		task_exit(task);
	}
}

