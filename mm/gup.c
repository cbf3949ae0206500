// SPDX-License-Identifier: GPL-2.0
/*
 * get_user_pages / pin_user_pages: the slow path.
 *
 * The slow path walks the page tables of one VMA at a time with the
 * mmap_lock held for read, takes the page table lock for each entry it
 * reads, and faults in (handle_mm_fault) whatever is missing, read-only or
 * must be unshared, then looks again. References are taken while the ptl
 * is held, so a page cannot be unmapped and freed between the lookup and
 * the grab.
 *
 * FOLL_GET takes plain references (released with put_page()); FOLL_PIN
 * takes pins (released with unpin_user_page*()). A pin counts
 * GUP_PIN_COUNTING_BIAS references on a small folio and one reference plus
 * one _pincount on a large folio; the shared zero page is never pinned.
 *
 * FOLL_LONGTERM pins must not stay in CMA or ZONE_MOVABLE: such folios are
 * migrated away first (__gup_longterm_locked).
 */
#include "api_check.h"
#include "gup_legacy.h"
#include "explain.h"
#include "trace.h"

/*
 * Retries of one address without progress before giving up. The kernel
 * loops until the fault handler made the entry usable; a bound keeps a
 * model bug from hanging a test, and reports it.
 */
#define GUP_MAX_FAULT_RETRIES		1000
/*
 * Rounds of "pin, migrate unpinnable folios, pin again" for FOLL_LONGTERM
 * after which one call is reported as possibly live-locked. The kernel's
 * loop has no bound: a folio that another thread keeps isolated (a
 * concurrent cma_alloc(), compaction) makes it go round until that ends.
 * So the model goes on too; the report is a model safeguard, not a
 * failure of the call and not a broken invariant.
 */
#define GUP_LONGTERM_ROUNDS_REPORT	(1U << 16)

/* ---- taking and dropping references (the pin bookkeeping: page_ref.h) ---- */

static void mm_set_has_pinned_flag(struct mm_struct *mm)
{
	if (!(atomic_load(&mm->flags) & (1UL << MMF_HAS_PINNED)))
		atomic_fetch_or(&mm->flags, 1UL << MMF_HAS_PINNED);
}

/*
 * try_grab_folio() - takes refs references of the kind flags asks for.
 * The caller holds a reference or the lock that keeps the folio mapped,
 * so the folio cannot be freed under us. Neither FOLL_GET nor FOLL_PIN:
 * nothing to take (a pure fault-in).
 */
int try_grab_folio(struct folio *folio, int refs, unsigned int flags)
{
	if (VM_WARN(folio_ref_count(folio) <= 0,
		    "try_grab_folio: folio pfn %#lx with refcount %d",
		    folio_pfn(folio), folio_ref_count(folio)))
		return -ENOMEM;

	if (flags & FOLL_GET) {
		folio_ref_add(folio, refs);
	} else if (flags & FOLL_PIN) {
		/*
		 * The zero page never goes away: from 6.5 pinning it is
		 * pretended. Before, it was pinned like any small page: its
		 * refcount took the pin's references (one in 5.6, the bias
		 * from 5.7) and the pin was counted. The model keeps no
		 * exact pin count on it (it is never migrated or freed).
		 */
		if (is_zero_page(&folio->page)) {
			mod_vmstat(GUPSIM_ZERO_PAGE_PIN, refs);
			if (kernel_has(ZERO_PAGE_NOT_PINNED))
				return 0;
			folio_ref_add(folio, folio_pin_refs(false, refs));
			mod_vmstat(NR_FOLL_PIN_ACQUIRED, refs);
			return 0;
		}
		folio_ref_add_pins(folio, refs);
		folio_add_pincount(folio, refs, flags & FOLL_LONGTERM);
		mod_vmstat(NR_FOLL_PIN_ACQUIRED, refs);
	}
	return 0;
}

/*
 * Drops refs pins without counting them in nr_foll_pin_released: the
 * number of pins released (0 for the zero page from 6.5, or a refused
 * unpin).
 */
static int __gup_unpin_folio(struct folio *folio, int refs)
{
	if (unlikely(folio == (struct folio *)machine->zero_page)) {
		if (kernel_has(ZERO_PAGE_NOT_PINNED))
			return 0;
		/* its boot reference keeps it above zero */
		folio_ref_sub_and_test(folio, folio_pin_refs(false, refs));
		return refs;
	}
	return folio_put_pins(folio, refs);
}

/* gup_put_folio() - drops what try_grab_folio() took. */
void gup_put_folio(struct folio *folio, int refs, unsigned int flags)
{
	if (flags & FOLL_PIN) {
		refs = __gup_unpin_folio(folio, refs);
		if (refs)
			mod_vmstat(NR_FOLL_PIN_RELEASED, refs);
		return;
	}
	folio_put_refs(folio, refs);
}

/*
 * gup_must_unshare() - must a R/O pin of page break COW first?
 * Only a FOLL_PIN without FOLL_WRITE asks (a write pin faults the page
 * writable, hence exclusive, anyway). An anonymous page may be pinned only
 * if it is exclusive to this process. Other pages (page cache, the zero
 * page) only matter for long-term pins in a private writable mapping,
 * where a later write would COW away from the pinned page; without the
 * VMA (GUP-fast) we cannot tell, so the answer is "yes, go slow".
 */
bool gup_must_unshare(struct vm_area_struct *vma, unsigned int flags,
		      struct page *page)
{
	if ((flags & (FOLL_WRITE | FOLL_PIN)) != FOLL_PIN)
		return false;
	if (!folio_test_anon(page_folio(page))) {
		if (!(flags & FOLL_LONGTERM) || !kernel_has(RO_LONGTERM_UNSHARE))
			return false;
		if (!vma)
			return true;
		return is_cow_mapping(vma->vm_flags);
	}
	/* An acquire load: pairs with fork/unshare clearing the flag. */
	if (PageAnonExclusive(page))
		return false;
	/* Before 5.19 a R/O pin took a shared anon page as it was. */
	return kernel_has(GUP_UNSHARE);
}

/* ---- VMA checks ---- */

/*
 * A long-term writable pin of a file page whose filesystem tracks dirty
 * pages would let the device write behind writeback's back.
 */
static bool writable_file_mapping_allowed(struct vm_area_struct *vma,
					  unsigned int gup_flags)
{
	if ((gup_flags & (FOLL_PIN | FOLL_LONGTERM)) !=
	    (FOLL_PIN | FOLL_LONGTERM))
		return true;
	if (!kernel_has(LONGTERM_NO_FILE_WRITE))
		return true;
	return !vma_needs_dirty_tracking(vma);
}

static int check_vma_flags(struct vm_area_struct *vma, unsigned int gup_flags)
{
	unsigned long vm_flags = vma->vm_flags;
	bool write = gup_flags & FOLL_WRITE;
	bool anon = vma_is_anonymous(vma);

	if (vm_flags & (VM_IO | VM_PFNMAP))
		return explain_vma_err(-EFAULT, vma, "check_vma_flags",
				       "VM_IO|VM_PFNMAP: no struct page to take");
	if ((gup_flags & FOLL_ANON) && !anon)
		return explain_vma_err(-EFAULT, vma, "check_vma_flags",
				       "FOLL_ANON on a mapping that is not anonymous");
	/* Before, the VMAs of the whole range were checked after the walk. */
	if ((gup_flags & FOLL_LONGTERM) && vma_is_fsdax(vma) &&
	    kernel_has(DAX_CHECK_VMA_FLAGS))
		return explain_vma_err_since(-EOPNOTSUPP, vma, "DAX_CHECK_VMA_FLAGS",
				       "check_vma_flags",
				       "FOLL_LONGTERM on fs-DAX: the filesystem may not wait for the pin");
	if ((gup_flags & FOLL_SPLIT_PMD) && is_vm_hugetlb_page(vma))
		return explain_vma_err(-EOPNOTSUPP, vma, "check_vma_flags",
				       "FOLL_SPLIT_PMD on hugetlb");

	if (write) {
		if (!anon && !writable_file_mapping_allowed(vma, gup_flags))
			return explain_vma_err_since(-EFAULT, vma,
					       "LONGTERM_NO_FILE_WRITE",
					       "check_vma_flags",
					       "FOLL_LONGTERM|FOLL_WRITE on a shared file mapping that needs dirty tracking (writable_file_mapping_allowed())");
		if (!(vm_flags & VM_WRITE)) {
			if (!(gup_flags & FOLL_FORCE))
				return explain_vma_err(-EFAULT, vma, "check_vma_flags",
						       "FOLL_WRITE on a mapping without VM_WRITE, no FOLL_FORCE");
			if (is_vm_hugetlb_page(vma) &&
			    kernel_has(HUGETLB_NO_FORCE_WRITE))
				return explain_vma_err_since(-EFAULT, vma,
						       "HUGETLB_NO_FORCE_WRITE",
						       "check_vma_flags",
						       "FOLL_FORCE write to read-only hugetlb");
			/* Forced writes only ever COW; never into a file. */
			if (!is_cow_mapping(vm_flags))
				return explain_vma_err(-EFAULT, vma, "check_vma_flags",
						       "FOLL_FORCE write to a read-only shared mapping (only a COW mapping may be forced)");
		}
	} else if (!(vm_flags & VM_READ)) {
		if (!(gup_flags & FOLL_FORCE))
			return explain_vma_err(-EFAULT, vma, "check_vma_flags",
					       "read of a mapping without VM_READ, no FOLL_FORCE");
		if (!(vm_flags & VM_MAYREAD))
			return explain_vma_err(-EFAULT, vma, "check_vma_flags",
					       "FOLL_FORCE read of a mapping without VM_MAYREAD");
	}
	return 0;
}

/* ---- following the page tables ---- */

struct follow_page_context {
	unsigned long nr_left;	/* in: pages still wanted from here */
	struct page *page;	/* out: the page mapped at the address */
	unsigned long nr;	/* out: pages covered, references taken */
};

/*
 * What to report for an address with no page table or an empty entry:
 * fault it in, except that a core dump (FOLL_DUMP) skips holes that would
 * read as zeroes anyway.
 */
static int no_page_table(struct vm_area_struct *vma, unsigned int flags)
{
	if ((flags & FOLL_DUMP) &&
	    (vma_is_anonymous(vma) || !vma->vm_ops->fault))
		return -EFAULT;
	return -ENOENT;
}

/* NUMA-hinting PROT_NONE entries are followed unless asked not to. */
static bool gup_can_follow_protnone(struct vm_area_struct *vma,
				    unsigned int flags)
{
	if (!(flags & FOLL_HONOR_NUMA_FAULT))
		return true;
	return !(vma->vm_flags & VM_ACCESS_FLAGS);
}

static bool gup_cow_break_era(void);

/*
 * May a FOLL_FORCE write go through a read-only entry? Only into a page
 * that a COW already made this process's own: an exclusive anonymous page
 * in a private, may-write, currently not writable mapping. Anything else
 * takes a write fault first. 5.8 dropped FOLL_FORCE from the test
 * (can_follow_write_pte() asked FOLL_COW and a dirty entry only), as its
 * forced COW break of read-only mappings needs it.
 */
static bool can_follow_write_common(struct page *page,
				    struct vm_area_struct *vma,
				    unsigned int flags)
{
	if (!(flags & FOLL_FORCE) && !gup_cow_break_era())
		return false;
	if (vma->vm_flags & (VM_MAYSHARE | VM_SHARED))
		return false;
	if (!(vma->vm_flags & VM_MAYWRITE))
		return false;
	if (vma->vm_flags & VM_WRITE)
		return false;
	return page && folio_test_anon(page_folio(page)) &&
	       PageAnonExclusive(page);
}

static bool can_follow_write_entry(uint64_t entry, struct page *page,
				   struct vm_area_struct *vma,
				   unsigned int flags)
{
	if (pte_write(entry))
		return true;
	return can_follow_write_common(page, vma, flags);
}

/* FOLL_TOUCH: what a user access would have done to the page. */
static void gup_touch_folio(struct folio *folio, uint64_t entry,
			    unsigned int flags)
{
	if (!(flags & FOLL_TOUCH))
		return;
	if ((flags & FOLL_WRITE) && !pte_dirty(entry) &&
	    !folio_test_dirty(folio))
		folio_mark_dirty(folio);
	folio_set_referenced(folio);
}

/*
 * A PMD leaf (a THP or a 2 MiB hugetlb folio) or a 1 GiB hugetlb PUD
 * leaf, which maps its whole folio. Called with the ptl held.
 */
static int follow_huge_pmd(struct vm_area_struct *vma, unsigned long addr,
			   pmd_t *pmd, pmd_t pmdval, unsigned int flags,
			   struct follow_page_context *ctx)
{
	struct page *head = pfn_to_page(pmd_pfn(pmdval));
	struct folio *folio = page_folio(head);
	unsigned long nr = folio_nr_pages(folio);
	unsigned long idx = (addr >> PAGE_SHIFT) & (nr - 1);
	unsigned long refs = min(nr - idx, ctx->nr_left);
	int ret;

	if ((flags & FOLL_WRITE) &&
	    !can_follow_write_entry(pmdval, head, vma, flags))
		return -ENOENT;
	if (pmd_protnone(pmdval) && !gup_can_follow_protnone(vma, flags))
		return -ENOENT;
	if (!pmd_write(pmdval) && gup_must_unshare(vma, flags, head))
		return -EMLINK;
	VM_WARN((flags & FOLL_PIN) && folio_test_anon(folio) &&
		!PageAnonExclusive(head) && kernel_has(GUP_UNSHARE),
		"pinning a shared anonymous THP, pfn %#lx", folio_pfn(folio));

	ret = try_grab_folio(folio, refs, flags);
	if (ret)
		return ret;
	if (flags & FOLL_TOUCH) {
		uint64_t young = _PAGE_ACCESSED;

		if (flags & FOLL_WRITE)
			young |= _PAGE_DIRTY;
		if ((pmdval & young) != young)
			set_pmd(pmd, pmdval | young);
		folio_set_referenced(folio);
	}
	ctx->page = head + idx;
	ctx->nr = refs;
	return 0;
}

/* A PTE. Called with the ptl held; returns with it held. */
static int follow_page_pte(struct vm_area_struct *vma, unsigned long addr,
			   pte_t pte, unsigned int flags,
			   struct follow_page_context *ctx)
{
	struct page *page;
	struct folio *folio;
	int ret;

	if (pte_protnone(pte) && !gup_can_follow_protnone(vma, flags))
		return -ENOENT;

	page = vm_normal_page(vma, addr, pte);
	if ((flags & FOLL_WRITE) &&
	    !can_follow_write_entry(pte, page, vma, flags))
		return -ENOENT;

	if (!page) {
		/* A core dump leaves the zero page (and pfn maps) out. */
		if (flags & FOLL_DUMP)
			return -EFAULT;
		if (!is_zero_pfn(pte_pfn(pte)))
			return -EEXIST;	/* an entry but no struct page */
		page = pfn_to_page(pte_pfn(pte));
	}
	folio = page_folio(page);

	if (!pte_write(pte) && gup_must_unshare(vma, flags, page))
		return -EMLINK;
	VM_WARN((flags & FOLL_PIN) && folio_test_anon(folio) &&
		!PageAnonExclusive(page) && kernel_has(GUP_UNSHARE),
		"pinning a shared anonymous page, pfn %#lx",
		page_to_pfn(page));

	ret = try_grab_folio(folio, 1, flags);
	if (ret)
		return ret;
	gup_touch_folio(folio, pte, flags);
	ctx->page = page;
	ctx->nr = 1;
	return 0;
}

/*
 * follow_page_mask() - the page mapped at addr, with the references flags
 * asks for taken (ctx->nr pages of it: a PMD leaf covers several).
 * Returns 0, or:
 *   -ENOENT	nothing usable mapped: fault it in;
 *   -EMLINK	mapped, but a R/O pin must unshare it first;
 *   -EAGAIN	a migration entry was there and is gone: look again;
 *   -EEXIST	an entry without a struct page;
 *   other	error for the caller.
 */
static int follow_page_mask(struct vm_area_struct *vma, unsigned long addr,
			    unsigned int flags, struct follow_page_context *ctx)
{
	struct mm_struct *mm = vma->vm_mm;
	pmd_t *pmd, pmdval;
	pte_t *ptep, pte;
	uint64_t *entryp;
	int ret;

	/* a hugetlb VMA's huge entry is a PMD's, or a PUD's for 1 GiB */
	pmd = is_vm_hugetlb_page(vma) ?
	      huge_pte_offset(mm, addr, huge_page_size(vma)) :
	      mm_find_pmd(mm, addr);
	if (!pmd)
		return no_page_table(vma, flags);

	ptl_lock(mm);
	pmdval = pmdp_get(pmd);
	if (pmd_none(pmdval)) {
		ret = no_page_table(vma, flags);
		goto out_unlock;
	}
	if (!pmd_present(pmdval)) {
		ret = -ENOENT;
		entryp = pmd;
		if (is_migration_entry(pmdval) && !(flags & FOLL_NOFAULT))
			goto wait_migration;
		goto out_unlock;
	}
	if (pmd_leaf(pmdval)) {
		ret = follow_huge_pmd(vma, addr, pmd, pmdval, flags, ctx);
		goto out_unlock;
	}

	ptep = pte_offset(pmd, addr);
	if (!ptep) {
		ret = no_page_table(vma, flags);
		goto out_unlock;
	}
	pte = ptep_get(ptep);
	if (pte_none(pte)) {
		ret = no_page_table(vma, flags);
		goto out_unlock;
	}
	if (!pte_present(pte)) {
		/* Swap-style entry: migration is waited for, the rest faults. */
		ret = -ENOENT;
		entryp = ptep;
		if (is_migration_entry(pte) && !(flags & FOLL_NOFAULT))
			goto wait_migration;
		goto out_unlock;
	}
	ret = follow_page_pte(vma, addr, pte, flags, ctx);
out_unlock:
	ptl_unlock(mm);
	return ret;

wait_migration:
	ptl_unlock(mm);
	migration_entry_wait(mm, entryp);
	return -EAGAIN;
}

static int vm_fault_to_errno(vm_fault_t ret, unsigned int foll_flags)
{
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & VM_FAULT_HWPOISON)
		return (foll_flags & FOLL_HWPOISON) ? -EHWPOISON : -EFAULT;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
		return -EFAULT;
	return 0;
}

/*
 * faultin_page() - fault addr in as GUP needs it: writable for
 * FOLL_WRITE, unshared (exclusive, still read-only) for a R/O pin that
 * found a possibly shared page.
 */
static int faultin_page(struct vm_area_struct *vma, unsigned long addr,
			unsigned int flags, bool unshare)
{
	unsigned int fault_flags = 0;
	vm_fault_t ret;

	if (flags & FOLL_NOFAULT)
		return explain_err(-EFAULT, "faultin_page",
				   "FOLL_NOFAULT: the page is not present and may not be faulted in");
	if (flags & FOLL_WRITE)
		fault_flags |= FAULT_FLAG_WRITE;
	if (flags & FOLL_REMOTE)
		fault_flags |= FAULT_FLAG_REMOTE;
	if (flags & FOLL_UNLOCKABLE)
		fault_flags |= FAULT_FLAG_KILLABLE;
	if (flags & FOLL_INTERRUPTIBLE)
		fault_flags |= FAULT_FLAG_INTERRUPTIBLE;
	if (flags & FOLL_TRIED)
		fault_flags |= FAULT_FLAG_TRIED;
	if (unshare) {
		/* Unsharing never writes: the two flags exclude each other. */
		VM_WARN(fault_flags & FAULT_FLAG_WRITE,
			"unshare fault with FAULT_FLAG_WRITE");
		fault_flags |= FAULT_FLAG_UNSHARE;
	}

	ret = handle_mm_fault(vma, addr, fault_flags);
	if (ret & VM_FAULT_ERROR) {
		int err = vm_fault_to_errno(ret, flags);

		err = err ? err : -EFAULT;
		explain_rule("faultin_page",
			     "handle_mm_fault() at %#lx returned %s%s%s%s (%s)",
			     addr, ret & VM_FAULT_SIGBUS ? "VM_FAULT_SIGBUS " : "",
			     ret & VM_FAULT_SIGSEGV ? "VM_FAULT_SIGSEGV " : "",
			     ret & VM_FAULT_OOM ? "VM_FAULT_OOM " : "",
			     ret & VM_FAULT_HWPOISON ? "VM_FAULT_HWPOISON " : "",
			     explain_errno_name(err));
		explain_vma(vma);
		return err;
	}
	return 0;
}

/*
 * 5.8 only: "COW can break either way". A R/O reference or pin in a COW
 * mapping (private and may-write, whether or not it is writable now)
 * broke COW as a write would, so that the page taken is the caller's
 * own; 5.9 removed it again (do_wp_page() copies pages others hold
 * instead). The VMA was checked with the caller's flags, so a read-only
 * mapping is not refused: the forced write fault copies the page into a
 * read-only entry, which can_follow_write_common() lets the walk take.
 */
static bool gup_cow_break_era(void)
{
	return kernel_has(GUP_COW_BREAK) && !kernel_has(GUP_COW_BREAK_REMOVED);
}

bool gup_must_break_cow(struct vm_area_struct *vma, unsigned int flags)
{
	if (!gup_cow_break_era())
		return false;
	return (flags & (FOLL_GET | FOLL_PIN)) &&
	       is_cow_mapping(vma->vm_flags);
}

/*
 * __get_user_pages() - the walk, with mmap_lock held for read.
 * Returns the number of pages done (filled into pages[] with their
 * references when pages is given), or the error when not even the first
 * page could be done.
 */
static long __get_user_pages(struct mm_struct *mm, unsigned long start,
			     unsigned long nr_pages, unsigned int gup_flags,
			     struct page **pages)
{
	struct vm_area_struct *vma = NULL;
	struct follow_page_context ctx;
	unsigned int tries, foll_flags = gup_flags;
	long ret = 0, i = 0;

	if (!nr_pages)
		return 0;
	start &= PAGE_MASK;
	trace_gupsim_gup_slow(start, nr_pages, gup_flags);

	VM_WARN(!!pages != !!(gup_flags & (FOLL_GET | FOLL_PIN)),
		"__get_user_pages: pages array without GET/PIN or vice versa");

	do {
		if (!vma || start >= vma->vm_end) {
			vma = vma_lookup(mm, start);
			if (!vma) {
				ret = explain_err(-EFAULT, "__get_user_pages",
						  "no VMA at %#lx (a hole)", start);
				goto out;
			}
			ret = check_vma_flags(vma, gup_flags);
			if (ret)
				goto out;
			foll_flags = gup_flags;
			if (gup_must_break_cow(vma, gup_flags))
				foll_flags |= FOLL_WRITE;
		}

		for (tries = 0;; tries++) {
			if (VM_WARN(tries >= GUP_MAX_FAULT_RETRIES,
				    "gup: no progress at %#lx after %u faults",
				    start, tries)) {
				ret = -EFAULT;
				goto out;
			}
			ctx.nr_left = nr_pages;
			ctx.page = NULL;
			ctx.nr = 1;
			ret = follow_page_mask(vma, start, foll_flags, &ctx);
			if (ret == -EAGAIN)
				continue;
			if (ret != -ENOENT && ret != -EMLINK)
				break;
			trace_gupsim_gup_fault(start, !!(gup_flags & FOLL_WRITE),
					       ret == -EMLINK);
			explain_pin_add(faulted, 1);
			if (ret == -EMLINK) {
				explain_pin_add(unshared, 1);
				explain_rule("gup_must_unshare",
					     "a R/O FOLL_PIN found a possibly shared anonymous page: an unshare fault (FAULT_FLAG_UNSHARE) gives the pin an exclusive one");
				if (explain_on())
					__explain_since("GUP_UNSHARE");
			}
			ret = faultin_page(vma, start, foll_flags,
					   ret == -EMLINK);
			if (ret)
				goto out;
		}

		if (ret == -EEXIST) {
			/* No struct page to hand out: only fault-in may go on. */
			if (pages)
				goto out;
			ctx.nr = 1;
		} else if (ret) {
			goto out;
		}

		if (pages) {
			for (unsigned long j = 0; j < ctx.nr; j++)
				pages[i + j] = ctx.page + j;
		}
		i += ctx.nr;
		start += ctx.nr << PAGE_SHIFT;
		nr_pages -= ctx.nr;
	} while (nr_pages);
	ret = 0;
out:
	return i ? i : ret;
}

/*
 * __get_user_pages_locked() - __get_user_pages() with the lock protocol of
 * the API: *locked == 1, the caller holds mmap_read_lock; *locked == 0,
 * we take it and drop it again before returning (*locked is 0 then).
 */
long __get_user_pages_locked(struct mm_struct *mm, unsigned long start,
			     unsigned long nr_pages, struct page **pages,
			     int *locked, unsigned int flags)
{
	bool must_unlock = false;
	long ret;

	if (!nr_pages)
		return 0;

	if (!*locked) {
		mmap_read_lock(mm);
		must_unlock = true;
		*locked = 1;
	} else {
		mmap_assert_locked(mm);
	}

	if (flags & FOLL_PIN)
		mm_set_has_pinned_flag(mm);

	/* get_user_pages() with a pages array always meant FOLL_GET. */
	if (pages && !(flags & FOLL_PIN))
		flags |= FOLL_GET;

	ret = __get_user_pages(mm, start, nr_pages, flags, pages);

	if (must_unlock && *locked) {
		mmap_read_unlock(mm);
		*locked = 0;
	}
	return ret;
}

/* ---- FOLL_LONGTERM: no pins in CMA or ZONE_MOVABLE ---- */

/*
 * The folio of pages[i] and how many entries in a row belong to it. The
 * caller holds references on every folio of pages[], so none can be split
 * or freed: a page belongs to the folio exactly when it lies in the
 * folio's range of struct pages, which needs no look at the page itself
 * (unpinning 1 GiB of THPs would otherwise read 262144 struct pages).
 */
static struct folio *gup_folio_next(struct page **pages, unsigned long npages,
				    unsigned long i, unsigned long *ntails)
{
	struct folio *folio = page_folio(pages[i]);
	struct page *first = &folio->page;
	struct page *last = first + folio_nr_pages(folio) - 1;
	unsigned long nr = 1;

	while (i + nr < npages && pages[i + nr] >= first &&
	       pages[i + nr] <= last)
		nr++;
	*ntails = nr;
	return folio;
}


/*
 * Isolates every folio of pages[] that may not be pinned long-term onto
 * movable. Returns how many such folios there were (isolated or not: one
 * that could not be isolated now is tried again on the next round).
 */
static unsigned long collect_longterm_unpinnable_folios(
		struct list_head *movable, struct page **pages,
		unsigned long nr_pages)
{
	struct folio *prev = NULL;
	unsigned long collected = 0;

	for (unsigned long i = 0; i < nr_pages; i++) {
		struct folio *folio = page_folio(pages[i]);

		/* pages[] holds each folio's pages in a row: look once. */
		if (folio == prev)
			continue;
		prev = folio;

		if (is_zero_page(&folio->page))
			continue;
		if (gup_folio_longterm_pinnable(folio))
			continue;
		collected++;
		if (!folio_isolate_lru(folio))
			continue;
		list_add_tail(&folio->page.lru, movable);
	}
	return collected;
}

/* --explain only: the pages on a migration list, and its first folio. */
static long list_pages(struct list_head *list)
{
	struct list_head *pos;
	long n = 0;

	for (pos = list->next; pos != list; pos = pos->next)
		n += folio_nr_pages((struct folio *)container_of(pos,
					struct page, lru));
	return n;
}

static void explain_list_head(struct list_head *list)
{
	if (!list_empty(list))
		explain_page("unmovable page",
			     container_of(list->next, struct page, lru));
}

/*
 * check_and_migrate_movable_pages() - 0 if every pinned folio may stay
 * pinned long-term. Otherwise every pin is dropped and the unpinnable
 * folios are migrated to pinnable memory: -EAGAIN (pin again) when that
 * worked, -ENOMEM when a folio would not move (another pin holds it).
 */
static long check_and_migrate_movable_pages(unsigned long nr_pages,
					    struct page **pages,
					    unsigned int gup_flags)
{
	LIST_HEAD(movable);
	unsigned long collected;
	int ret;

	collected = collect_longterm_unpinnable_folios(&movable, pages,
						       nr_pages);
	if (!collected)
		return 0;

	/* A pinned folio cannot migrate: our own pins go first. */
	for (unsigned long i = 0, nr; i < nr_pages; i += nr) {
		struct folio *folio = gup_folio_next(pages, nr_pages, i, &nr);

		gup_put_folio(folio, nr, gup_flags);
	}

	trace_gupsim_longterm_migrate(collected);
	if (!list_empty(&movable)) {
		long nr = explain_on() ? list_pages(&movable) : 0;

		ret = migrate_pages(&movable, alloc_migration_target_pinnable,
				    0, MR_LONGTERM_PIN, NULL);
		if (ret) {
			if (explain_on())
				explain_list_head(&movable);
			putback_movable_pages(&movable);
			return explain_err(-ENOMEM, "check_and_migrate_movable_pages",
					   "%d folio(s) in CMA or ZONE_MOVABLE would not migrate (another reference or pin holds them)",
					   ret);
		}
		explain_pin_add(migrated, nr);
		explain_rule("check_and_migrate_movable_pages",
			     "FOLL_LONGTERM: %lu folio(s) in CMA or ZONE_MOVABLE, unpinned, migrated to pinnable memory, pinned again",
			     collected);
		if (explain_on())
			__explain_since("LONGTERM_MIGRATE_MOVABLE");
	}
	putback_movable_pages(&movable);
	return -EAGAIN;
}

/*
 * Says once per process that a FOLL_LONGTERM call has gone round
 * GUP_LONGTERM_ROUNDS_REPORT times: either contention that lasts (the
 * kernel would spin as well) or a model bug that keeps a folio from ever
 * migrating. Not mm_warn(): nothing is known to be broken.
 */
static void longterm_rounds_report(unsigned long start, unsigned int rounds)
{
	static atomic_bool said;

	if (atomic_exchange(&said, true))
		return;
	fprintf(stderr, "gupsim: note (model safeguard): FOLL_LONGTERM pin at "
		"%#lx still migrating after %u rounds; retrying without a "
		"bound as the kernel does\n", start, rounds);
}

/*
 * __gup_longterm_locked() - __get_user_pages_locked(), and for FOLL_LONGTERM
 * the migration loop: pin, and if any folio sits where long-term pins may
 * not, unpin all, migrate those folios and pin again, for as long as
 * check_and_migrate_movable_pages() answers -EAGAIN (the kernel sets no
 * bound). Allocations in the loop (faults, migration targets) avoid CMA
 * and ZONE_MOVABLE (memalloc_pin_save()), so a round normally suffices.
 */
long __gup_longterm_locked(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, struct page **pages,
			   int *locked, unsigned int gup_flags)
{
	unsigned int pin_flags, rounds = 0;
	long rc, nr_pinned;

	if (!(gup_flags & FOLL_LONGTERM)) {
		rc = __get_user_pages_locked(mm, start, nr_pages, pages,
					     locked, gup_flags);
		explain_pin_add(slow, rc > 0 ? rc : 0);
		return rc;
	}
	/* 6.1: FOLL_GET references may no longer be long-term. */
	if (VM_WARN_MISUSE(!(gup_flags & FOLL_PIN) &&
			   kernel_has(LONGTERM_NEEDS_PIN),
			   "gup: FOLL_LONGTERM without FOLL_PIN"))
		return explain_err_since(-EINVAL, "LONGTERM_NEEDS_PIN",
					 "__gup_longterm_locked",
					 "FOLL_LONGTERM without FOLL_PIN: a long-term reference must be a pin");
	/* Until 5.13's rework (movable zone, errors): v5.2's loop. */
	if (!kernel_has(LONGTERM_MIGRATE_MOVABLE) ||
	    !kernel_has(LONGTERM_MIGRATE_ENOMEM))
		return legacy_gup_longterm_locked(mm, start, nr_pages, pages,
						  locked, gup_flags);

	pin_flags = memalloc_pin_save();
	for (;;) {
		nr_pinned = __get_user_pages_locked(mm, start, nr_pages, pages,
						    locked, gup_flags);
		if (nr_pinned <= 0) {
			rc = nr_pinned;
			break;
		}
		rc = check_and_migrate_movable_pages(nr_pinned, pages,
						     gup_flags);
		if (rc != -EAGAIN) {
			/* the last round's pages are the ones kept */
			explain_pin_add(slow, rc ? 0 : nr_pinned);
			break;
		}
		count_vm_event(GUPSIM_LONGTERM_MIGRATE_RETRY);
		if (unlikely(++rounds == GUP_LONGTERM_ROUNDS_REPORT))
			longterm_rounds_report(start, rounds);
	}
	memalloc_pin_restore(pin_flags);
	return rc ? rc : nr_pinned;
}

/* ---- the API ---- */

/* Every flag a caller may name: bits 0 .. __NR_FOLL_FLAGS - 1. */
#define GUP_CALLER_FLAGS	((1U << __NR_FOLL_FLAGS) - 1)

/*
 * is_valid_gup_args() - refuses flag combinations no caller may ask for
 * (with a warning, as they are bugs) and adds the flags the entry point
 * implies (to_set).
 */
bool is_valid_gup_args(struct page **pages, int *locked,
			      unsigned int *gup_flags_p, unsigned int to_set)
{
	unsigned int gup_flags = *gup_flags_p;

	/*
	 * The kernel checks only the internal flags here: bits that name no
	 * flag at all pass silently (GUP-fast refuses them). Keep that
	 * answer, but say so.
	 */
	VM_WARN_MISUSE(gup_flags & ~(GUP_CALLER_FLAGS | INTERNAL_GUP_FLAGS),
		       "gup: unknown FOLL_* bits %#x passed in (the kernel "
		       "ignores them in the slow path)",
		       gup_flags & ~(GUP_CALLER_FLAGS | INTERNAL_GUP_FLAGS));
	if (VM_WARN_MISUSE(gup_flags & INTERNAL_GUP_FLAGS,
		    "gup: internal flags %#x passed in",
		    gup_flags & INTERNAL_GUP_FLAGS))
		return false;
	gup_flags |= to_set;
	if (locked) {
		if (VM_WARN_MISUSE(*locked != 1, "gup: *locked is %d, not 1",
			    *locked))
			return false;
		gup_flags |= FOLL_UNLOCKABLE;
	}
	if (VM_WARN_MISUSE((gup_flags & (FOLL_PIN | FOLL_GET)) ==
		    (FOLL_PIN | FOLL_GET), "gup: FOLL_GET with FOLL_PIN"))
		return false;
	/* Until 6.3 get_user_pages*() took FOLL_LONGTERM (see below). */
	if (VM_WARN_MISUSE((gup_flags & FOLL_LONGTERM) &&
			   !(gup_flags & FOLL_PIN) && kernel_has(VALID_GUP_ARGS),
		    "gup: FOLL_LONGTERM without FOLL_PIN"))
		return false;
	if (VM_WARN_MISUSE((gup_flags & FOLL_LONGTERM) &&
			   !kernel_has(FOLL_LONGTERM),
		    "gup: FOLL_LONGTERM came in 5.2 (running %s): use get_user_pages_longterm()",
		    kernel_profile_name(machine_kernel())))
		return false;
	if (VM_WARN_MISUSE((to_set & FOLL_PIN) && !kernel_has(FOLL_PIN),
		    "gup: pin_user_pages*() came in 5.6 (running %s)",
		    kernel_profile_name(machine_kernel())))
		return false;
	if (VM_WARN_MISUSE((gup_flags & (FOLL_GET | FOLL_PIN)) && !pages,
		    "gup: FOLL_GET/FOLL_PIN without a pages array"))
		return false;
	if (VM_WARN_MISUSE((gup_flags & FOLL_LONGTERM) &&
		    (gup_flags & FOLL_PCI_P2PDMA),
		    "gup: FOLL_LONGTERM with FOLL_PCI_P2PDMA"))
		return false;
	*gup_flags_p = gup_flags;
	return true;
}

long get_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = current_mm_checked("get_user_pages");
	int locked = 1;

	if (!is_valid_gup_args(pages, NULL, &gup_flags, FOLL_TOUCH))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	if (VM_WARN_MISUSE(!mm, "get_user_pages without a current mm"))
		return -EFAULT;
	return __gup_longterm_locked(mm, start, nr_pages, pages, &locked,
				     gup_flags);
}

/*
 * FOLL_LONGTERM through the remote call: refused in 5.2 .. 5.5 (the
 * fs-DAX check needed the VMAs, which the lock-dropping remote walk
 * could not keep), allowed without `locked` from 5.6, with it from 6.3.
 */
static bool remote_longterm_allowed(unsigned int gup_flags, int *locked)
{
	if (!(gup_flags & FOLL_LONGTERM))
		return true;
	if (!kernel_has(REMOTE_LONGTERM))
		return false;
	return !locked || kernel_has(VALID_GUP_ARGS);
}

long get_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	int local_locked = 1;

	if (!is_valid_gup_args(pages, locked, &gup_flags,
			       FOLL_TOUCH | FOLL_REMOTE))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	if (!mm_usable(mm, "get_user_pages_remote"))
		return -EFAULT;
	if (VM_WARN_MISUSE(!remote_longterm_allowed(gup_flags, locked),
		    "get_user_pages_remote: FOLL_LONGTERM%s not supported",
		    locked ? " with locked" : "")) {
		if (!kernel_has(REMOTE_LONGTERM))
			return explain_err_until(-EINVAL, "REMOTE_LONGTERM",
						 "get_user_pages_remote",
						 "FOLL_LONGTERM through the remote call: the fs-DAX check needs VMAs the remote walk cannot keep");
		return explain_err_until(-EINVAL, "VALID_GUP_ARGS",
					 "get_user_pages_remote",
					 "FOLL_LONGTERM with a `locked` argument");
	}
	return __gup_longterm_locked(mm, start, nr_pages, pages,
				     locked ? locked : &local_locked,
				     gup_flags);
}

long get_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags)
{
	struct mm_struct *mm = current_mm_checked("get_user_pages_unlocked");
	int locked = 0;

	if (!is_valid_gup_args(pages, NULL, &gup_flags,
			       FOLL_TOUCH | FOLL_UNLOCKABLE))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	if (VM_WARN_MISUSE(!mm, "get_user_pages_unlocked without a current mm"))
		return -EFAULT;
	return __gup_longterm_locked(mm, start, nr_pages, pages, &locked,
				     gup_flags);
}

/*
 * The pin_user_pages*() slow variants return 0, not -EINVAL, for bad
 * arguments, as the kernel does: the caller "pinned nothing".
 */
long pin_user_pages(unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = current_mm_checked("pin_user_pages");
	int locked = 1;

	if (!is_valid_gup_args(pages, NULL, &gup_flags, FOLL_PIN))
		return 0;
	if (VM_WARN_MISUSE(!mm, "pin_user_pages without a current mm"))
		return -EFAULT;
	return __gup_longterm_locked(mm, start, nr_pages, pages, &locked,
				     gup_flags);
}

long pin_user_pages_remote(struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags,
			   struct page **pages, int *locked)
{
	int local_locked = 1;

	if (!is_valid_gup_args(pages, locked, &gup_flags,
			       FOLL_PIN | FOLL_TOUCH | FOLL_REMOTE))
		return 0;
	if (!mm_usable(mm, "pin_user_pages_remote"))
		return -EFAULT;
	return __gup_longterm_locked(mm, start, nr_pages, pages,
				     locked ? locked : &local_locked,
				     gup_flags);
}

long pin_user_pages_unlocked(unsigned long start, unsigned long nr_pages,
			     struct page **pages, unsigned int gup_flags)
{
	struct mm_struct *mm = current_mm_checked("pin_user_pages_unlocked");
	int locked = 0;

	if (!is_valid_gup_args(pages, NULL, &gup_flags,
			       FOLL_PIN | FOLL_TOUCH | FOLL_UNLOCKABLE))
		return 0;
	if (VM_WARN_MISUSE(!mm, "pin_user_pages_unlocked without a current mm"))
		return -EFAULT;
	return __gup_longterm_locked(mm, start, nr_pages, pages, &locked,
				     gup_flags);
}

/* ---- unpinning ---- */

void unpin_user_page(struct page *page)
{
	if (VM_WARN_MISUSE(!page, "unpin_user_page(NULL)") ||
	    !page_of_machine(page, "unpin_user_page"))
		return;
	gup_put_folio(page_folio(page), 1, FOLL_PIN);
}

void unpin_user_pages(struct page **pages, unsigned long npages)
{
	unsigned long i, nr, released = 0;

	if (VM_WARN_MISUSE((long)npages < 0, "unpin_user_pages: npages %ld",
		    (long)npages))
		return;
	trace_gupsim_unpin_user_pages(npages ? pages[0] : NULL, npages);
	for (i = 0; i < npages; i += nr) {
		struct folio *folio;

		if (!pages[i] ||
		    !page_of_machine(pages[i], "unpin_user_pages")) {
			nr = 1;
			continue;
		}
		folio = gup_folio_next(pages, npages, i, &nr);
		released += __gup_unpin_folio(folio, nr);
	}
	/* One update of the shared counter per call, not per page. */
	if (released)
		mod_vmstat(NR_FOLL_PIN_RELEASED, released);
}

/*
 * unpin_user_pages_dirty_lock() - unpin, first marking each folio dirty if
 * make_dirty (the device wrote into it), under the folio lock so that the
 * dirty bit cannot race with writeback's cleaning.
 */
void unpin_user_pages_dirty_lock(struct page **pages, unsigned long npages,
				 bool make_dirty)
{
	unsigned long i, nr;

	if (!make_dirty) {
		unpin_user_pages(pages, npages);
		return;
	}
	if (VM_WARN_MISUSE((long)npages < 0, "unpin_user_pages_dirty_lock: %ld",
		    (long)npages))
		return;
	for (i = 0; i < npages; i += nr) {
		struct folio *folio;

		if (!pages[i] || !page_of_machine(pages[i],
					"unpin_user_pages_dirty_lock")) {
			nr = 1;
			continue;
		}
		folio = gup_folio_next(pages, npages, i, &nr);
		if (!is_zero_page(&folio->page) && !folio_test_dirty(folio)) {
			folio_lock(folio);
			folio_mark_dirty(folio);
			folio_unlock(folio);
		}
		gup_put_folio(folio, nr, FOLL_PIN);
	}
}
