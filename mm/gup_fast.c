// SPDX-License-Identifier: GPL-2.0
/*
 * GUP-fast: get_user_pages_fast() / pin_user_pages_fast().
 *
 * The fast part walks the current mm's page tables without mmap_lock and
 * without the page table lock, inside an RCU read-side section: that is
 * what keeps page-table pages alive under us (they are freed through
 * pte_free_deferred(), after a grace period). Each entry is read once;
 * after taking a reference on the folio it maps, the entry is read again,
 * and if it changed the reference is dropped and the walk stops. The walk
 * also stops at anything it cannot decide without the VMA (a R/O pin that
 * may need unsharing, a long-term pin of an unpinnable or file-backed
 * folio, a missing or read-only entry...): the slow path, with the VMA and
 * the locks, does the rest.
 *
 * FOLL_PIN against fork: fork write-protects anon pages and decides which
 * pinned ones to copy inside a write_protect_seq section. A pin taken
 * concurrently might be missed by fork's check, so if the sequence moved
 * while we walked, every pin taken here is dropped again and the slow
 * path (which fork excludes with mmap_lock) is used instead.
 */
#include <string.h>

#include "api_check.h"
#include "../lib/sched_point.h"
#include "gup_legacy.h"
#include "explain.h"
#include "trace.h"

/*
 * --explain: why the walk stopped, recorded where it stops; a false
 * either way, so a check reads `return fast_stop("...")`.
 */
#define fast_stop(why)							\
	(explain_on() ? (explain_fallback("%s", why), false) : false)

static inline unsigned long gup_addr_end(unsigned long addr, unsigned long end,
					 unsigned long size)
{
	unsigned long boundary = (addr + size) & ~(size - 1);

	return boundary - 1 < end - 1 ? boundary : end;
}

/* pte_access_permitted(): user-accessible, and writable if asked. */
static bool entry_access_permitted(uint64_t entry, bool write)
{
	uint64_t need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);

	return (entry & need) == need;
}

/*
 * Reads an entry again after the grab. Sequentially consistent, so that
 * it cannot be ordered before the reference counts we just raised (a
 * full barrier, as smp_mb__after_atomic() in the kernel).
 */
static inline uint64_t entry_recheck(uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

/* A reference on page's folio, unless the folio is being freed. */
static struct folio *try_get_folio(struct page *page, int refs)
{
	struct folio *folio;

retry:
	folio = page_folio(page);
	SCHED_POINT("page_folio() read");
	if (!folio_ref_try_add(folio, refs))
		return NULL;
	SCHED_POINT("grabbed");
	/*
	 * The page may have joined or left a folio before our grab (a
	 * split_huge_page(), or a free and a reallocation at another order).
	 * Before 5.14 the reference on the old head was kept.
	 */
	if (unlikely(page_folio(page) != folio &&
		     kernel_has(GUP_FAST_SPLIT_RECHECK))) {
		folio_put_refs(folio, refs);
		goto retry;
	}
	return folio;
}

/*
 * try_grab_folio_fast() - try_grab_folio() for a walk that holds no lock:
 * the folio may be freed under us, so references are taken with
 * inc-not-zero. Long-term pins of folios in CMA or ZONE_MOVABLE are
 * refused here (the slow path migrates them). The caller counts
 * nr_foll_pin_acquired for the whole walk.
 */
static struct folio *try_grab_folio_fast(struct page *page, int refs,
					 unsigned int flags)
{
	struct folio *folio;
	bool large;

	if (VM_WARN(!(flags & (FOLL_GET | FOLL_PIN)),
		    "GUP-fast without FOLL_GET or FOLL_PIN"))
		return NULL;

	if (flags & FOLL_GET)
		return try_get_folio(page, refs);

	/*
	 * The zero page is mapped by special entries, which the walk never
	 * grabs; were one to get here, the slow path pretends the pin.
	 */
	if (unlikely(page == machine->zero_page))
		return NULL;
retry:
	folio = page_folio(page);
	/*
	 * Where the page lies decides, not the folio's state: look before
	 * taking anything, so that a refused folio never shows a pin bias.
	 */
	if (unlikely((flags & FOLL_LONGTERM) &&
		     !gup_folio_longterm_pinnable(folio) &&
		     kernel_has(GUP_FAST_PIN_CMA_CHECK))) {
		fast_stop("FOLL_LONGTERM on a folio in CMA or ZONE_MOVABLE: the slow path migrates it");
		return NULL;
	}
	/*
	 * A small folio gets its whole pin bias in the inc-not-zero itself,
	 * together with the model's debug pin count (one atomic per page),
	 * a large one a reference and a _pincount. The size is read before
	 * the grab; once our references hold the folio it can be neither
	 * freed nor split (the model never splits a folio that is in use),
	 * so if it still has the size we assumed, the references we took
	 * are the right ones.
	 */
	large = folio_test_large(folio);
	SCHED_POINT("page_folio() read");
	/* The model's exact pins come in the same atomic (_ref_pins). */
	if (!folio_ref_try_add_pins(folio, large, refs))
		return NULL;
	SCHED_POINT("pinned");
	/*
	 * c24d37322548 (5.14): a split between our look at the head and
	 * the grab leaves the references on a folio that no longer holds
	 * page. Before it, the grab was trusted: the pins stay on the old
	 * head, sized as the large folio it was.
	 */
	if (unlikely((page_folio(page) != folio ||
		      folio_test_large(folio) != large) &&
		     kernel_has(GUP_FAST_SPLIT_RECHECK))) {
		folio_put_ref_pins(folio, folio_pin_refs(large, refs), refs);
		goto retry;
	}
	/*
	 * The pin (seq_cst read-modify-writes) must be visible before we look
	 * at the entry and the exclusive bit again (entry_recheck()): fork and
	 * unshare clear PageAnonExclusive and then check
	 * folio_maybe_dma_pinned(), in the other order.
	 */
	folio_add_pincount(folio, refs, flags & FOLL_LONGTERM);
	return folio;
}

/*
 * Lets go of a grab the walk decided against. The pin was taken, so it
 * counts as acquired and released, as a slow-path pin dropped again does.
 */
static void gup_fast_undo(struct folio *folio, int refs, unsigned int flags)
{
	SCHED_POINT("undo the grab");
	if (flags & FOLL_PIN)
		mod_vmstat(NR_FOLL_PIN_ACQUIRED, refs);
	gup_put_folio(folio, refs, flags);
}

/* PG_referenced, without a locked write when it is set already. */
static inline void gup_fast_mark_referenced(struct folio *folio)
{
	if (!folio_test_referenced(folio))
		folio_set_referenced(folio);
}

/*
 * gup_fast_folio_allowed() - may this folio be taken without seeing its
 * VMA? Only a long-term writable pin is restricted: it may not land in a
 * file whose filesystem tracks dirty pages. Without the VMA we accept
 * only what surely needs no dirty tracking: anon, hugetlb and shmem.
 * A folio with no mapping (truncated) is left to the slow path.
 */
static bool gup_fast_folio_allowed(struct folio *folio, unsigned int flags)
{
	struct address_space *mapping;
	unsigned long m;

	if ((flags & (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE)) !=
	    (FOLL_PIN | FOLL_LONGTERM | FOLL_WRITE))
		return true;
	if (!kernel_has(GUP_FAST_LONGTERM_NO_FILE_WRITE))
		return true;
	if (folio_test_hugetlb(folio))
		return true;
	m = (unsigned long)READ_ONCE(folio->page.mapping);
	if (!m)
		return false;
	if (m & PAGE_MAPPING_ANON)
		return true;
	mapping = (struct address_space *)m;
	return READ_ONCE(mapping->fs) == FS_TMPFS;
}

/*
 * Before the grab: an entry (PTE or PMD leaf) the walk may take a page
 * from. PROT_NONE entries fail entry_access_permitted() (not present for
 * the user): the slow path checks the VMA's access rights.
 */
static inline bool gup_fast_entry_usable(uint64_t entry, unsigned int flags)
{
	if (!entry_access_permitted(entry, flags & FOLL_WRITE))
		return fast_stop("an entry not present, or not writable for FOLL_WRITE: a fault is needed");
	if (pte_devmap(entry) && (flags & FOLL_LONGTERM) &&
	    kernel_has(GUP_FAST_LONGTERM))
		return fast_stop("a device (devmap) entry with FOLL_LONGTERM");
	/* Special: the zero page or a pfn map, no folio to grab here. */
	if (pte_special(entry) || !pfn_valid(pte_pfn(entry)))
		return fast_stop("a special entry (zero page or pfn map)");
	return true;
}

/*
 * After the grab (and the entry's re-check): what the walk may not accept
 * without the VMA.
 */
static inline bool gup_fast_folio_acceptable(struct folio *folio,
					     struct page *page,
					     uint64_t entry,
					     unsigned int flags)
{
	if (!gup_fast_folio_allowed(folio, flags))
		return fast_stop("gup_fast_folio_allowed(): FOLL_LONGTERM|FOLL_WRITE on a file folio the slow path must check");
	if (!pte_write(entry) && gup_must_unshare(NULL, flags, page))
		return fast_stop("gup_must_unshare(): a R/O pin of a possibly shared anonymous page");
	return true;
}

/*
 * The PTEs of one table: each is read once, its folio grabbed, then the
 * PMD and the PTE are read again; if either changed (unmapped, remapped,
 * split, or the table detached by a collapse) the grab is let go and the
 * walk stops. Any doubt is a false, which ends the fast walk there.
 */
static bool gup_fast_pte_range(pmd_t pmd, pmd_t *pmdp, unsigned long addr,
			       unsigned long end, unsigned int flags,
			       struct page **pages, int *nr)
{
	pte_t *ptep = table_entry_target(pmd) + pte_index(addr);
	struct folio *folio;
	struct page *page;
	pte_t pte;

	do {
		pte = ptep_get(ptep);
		SCHED_POINT("read pte");
		if (!gup_fast_entry_usable(pte, flags))
			return false;
		page = pfn_to_page(pte_pfn(pte));
		folio = try_grab_folio_fast(page, 1, flags);
		if (!folio)
			return fast_stop("try_grab_folio_fast(): no reference to take (the folio is being freed, or a pin would overflow it)");
		/*
		 * 70cbc3cc78a9 (6.0) added the PMD: a collapse clears it and
		 * then checks the refcounts, but leaves the PTEs in place
		 * until it copied, so the PTE alone may not show it.
		 */
		if (unlikely((pmd != entry_recheck(pmdp) &&
			      kernel_has(GUP_FAST_PMD_RECHECK)) ||
			     pte != entry_recheck(ptep))) {
			fast_stop("the entry changed while the walk took its page");
			goto put;
		}
		SCHED_POINT("re-checked pmd and pte");
		if (!gup_fast_folio_acceptable(folio, page, pte, flags))
			goto put;
		gup_fast_mark_referenced(folio);
		pages[(*nr)++] = page;
	} while (ptep++, addr += PAGE_SIZE, addr != end);
	return true;
put:
	gup_fast_undo(folio, 1, flags);
	return false;
}

/*
 * pages[i] = page + i for i < n: the subpages of a huge mapping (a PMD
 * leaf: one grab for all of them, pages[] gets head + offset for each).
 * Filling pages[] is most of a THP pin: 262144 entries for 1 GiB. GCC's
 * cheap vectorizer at -O2 leaves the plain loop one 8-byte store an
 * iteration; one 16-byte vector (SSE2, in the x86-64 baseline) an
 * iteration is bound by its one add chain; four independent vectors, a
 * 64-byte line an iteration, fill 2 MiB in 22-38 us against 53-81 us
 * (a loop alone on this machine, pages[] in and out of the cache).
 */
static void record_subpages(struct page **pages, struct page *page, int n)
{
	typedef uintptr_t ptr2 __attribute__((vector_size(2 * sizeof(uintptr_t))));
	const uintptr_t sz = sizeof(*page);
	const ptr2 step = { 8 * sz, 8 * sz };
	uintptr_t p = (uintptr_t)page;
	ptr2 a = { p, p + sz }, b = { p + 2 * sz, p + 3 * sz };
	ptr2 c = { p + 4 * sz, p + 5 * sz }, d = { p + 6 * sz, p + 7 * sz };
	int i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&pages[i], &a, sizeof(a));
		memcpy(&pages[i + 2], &b, sizeof(b));
		memcpy(&pages[i + 4], &c, sizeof(c));
		memcpy(&pages[i + 6], &d, sizeof(d));
		a += step;
		b += step;
		c += step;
		d += step;
	}
	for (; i < n; i++)
		pages[i] = page + i;
}

/*
 * A PMD leaf (THP or hugetlb) or a PUD leaf (1 GiB hugetlb) of size bytes:
 * one grab for all the subpages of the range it covers, pages[] gets
 * head + offset for each.
 */
static bool gup_fast_pmd_leaf(pmd_t orig, pmd_t *pmdp, unsigned long addr,
			      unsigned long end, unsigned long size,
			      unsigned int flags, struct page **pages, int *nr)
{
	struct folio *folio;
	struct page *head, *page;
	int refs;

	if (!gup_fast_entry_usable(orig, flags))
		return false;
	head = pfn_to_page(pmd_pfn(orig));

	/* The subpages of the range are consecutive struct pages. */
	refs = (int)((end - addr) >> PAGE_SHIFT);
	page = head + ((addr & (size - 1)) >> PAGE_SHIFT);
	record_subpages(pages + *nr, page, refs);

	folio = try_grab_folio_fast(head, refs, flags);
	if (!folio)
		return fast_stop("try_grab_folio_fast(): no reference to take (the folio is being freed, or a pin would overflow it)");
	if (unlikely(orig != entry_recheck(pmdp))) {
		fast_stop("the PMD changed while the walk took its folio");
		goto put;
	}
	SCHED_POINT("re-checked pmd");
	if (!gup_fast_folio_acceptable(folio, &folio->page, orig, flags))
		goto put;

	gup_fast_mark_referenced(folio);
	*nr += refs;
	return true;
put:
	gup_fast_undo(folio, refs, flags);
	return false;
}

/*
 * The struct page of the folio a PMD leaf maps is a cache miss per leaf
 * (two lines: the counts, and _pincount), 512 of them back to back for
 * a THP pin of 1 GiB, each waited for in the grab. Fetch the one two
 * leaves ahead (in this table and this range) while this leaf's
 * subpages go into pages[]. Only a hint: nothing is read through it, and
 * the entry may well change before the walk gets there.
 */
static inline void gup_fast_prefetch_leaf(pmd_t *pmdp, unsigned long addr,
					  unsigned long end)
{
	unsigned long ahead = (addr & PMD_MASK) + 2 * PMD_SIZE;
	struct page *head;
	pmd_t pmd;

	if (ahead >= end || pmd_index(ahead) < 2)
		return;
	pmd = pmdp_get(pmdp + 2);
	if (!pmd_present(pmd) || !pmd_leaf(pmd) || !pfn_valid(pmd_pfn(pmd)))
		return;
	head = pfn_to_page(pmd_pfn(pmd));
	__builtin_prefetch(head, 1);
	__builtin_prefetch((char *)head + 64, 1);
}

static bool gup_fast_pmd_range(pud_t pud, unsigned long addr,
			       unsigned long end, unsigned int flags,
			       struct page **pages, int *nr)
{
	pmd_t *pmdp = table_entry_target(pud);
	unsigned long next;

	pmdp += pmd_index(addr);
	do {
		pmd_t pmd = pmdp_get(pmdp);

		SCHED_POINT("read pmd");
		next = gup_addr_end(addr, end, PMD_SIZE);
		if (!pmd_present(pmd) || pmd_protnone(pmd))
			return fast_stop("no page table (PMD not present): a fault is needed");
		if (pmd_leaf(pmd)) {
			gup_fast_prefetch_leaf(pmdp, addr, end);
			if (!gup_fast_pmd_leaf(pmd, pmdp, addr, next, PMD_SIZE,
					       flags, pages, nr))
				return false;
		} else if (!gup_fast_pte_range(pmd, pmdp, addr, next, flags,
					       pages, nr)) {
			return false;
		}
	} while (pmdp++, addr = next, addr != end);
	return true;
}

/* An upper-level entry we can descend through: a table, not a leaf. */
static bool upper_entry_is_table(uint64_t entry)
{
	return (entry & _PAGE_PRESENT) && !(entry & _PAGE_PSE);
}

static bool gup_fast_pud_range(pgd_t pgd, unsigned long addr,
			       unsigned long end, unsigned int flags,
			       struct page **pages, int *nr)
{
	pud_t *pudp = table_entry_target(pgd);
	unsigned long next;

	pudp += pud_index(addr);
	do {
		pud_t pud = entry_get(pudp);

		next = gup_addr_end(addr, end, PUD_SIZE);
		if (pmd_leaf(pud) && !pmd_protnone(pud)) {
			/* a 1 GiB hugetlb page: the PUD maps it whole */
			if (!gup_fast_pmd_leaf(pud, pudp, addr, next, PUD_SIZE,
					       flags, pages, nr))
				return false;
			continue;
		}
		if (!upper_entry_is_table(pud))
			return fast_stop("no page table (PUD not present): a fault is needed");
		if (!gup_fast_pmd_range(pud, addr, next, flags, pages, nr))
			return false;
	} while (pudp++, addr = next, addr != end);
	return true;
}

static void gup_fast_pgd_range(struct mm_struct *mm, unsigned long addr,
			       unsigned long end, unsigned int flags,
			       struct page **pages, int *nr)
{
	pgd_t *pgdp = READ_ONCE(mm->pgd);
	unsigned long next;

	if (!pgdp)
		return;
	pgdp += pgd_index(addr);
	do {
		pgd_t pgd = entry_get(pgdp);

		next = gup_addr_end(addr, end, PGDIR_SIZE);
		if (!upper_entry_is_table(pgd))
			return;
		if (!gup_fast_pud_range(pgd, addr, next, flags, pages, nr))
			return;
	} while (pgdp++, addr = next, addr != end);
}

/*
 * Test-only fault injection: called between the walk and the
 * write_protect_seq check, so a test can make a fork land exactly there
 * (a race that threads only hit now and then).
 */
void (*gup_fast_after_walk_hook)(struct mm_struct *mm);

/*
 * gup_fast() - the lockless part: the number of pages taken from start
 * on, in order (it stops at the first page it cannot take).
 */
static unsigned long gup_fast(struct mm_struct *mm, unsigned long start,
			      unsigned long end, unsigned int flags,
			      struct page **pages)
{
	unsigned int seq = 0;
	int nr = 0;

	/*
	 * Before 57efa1fe5957 (5.11) a pin raced fork unnoticed: fork could
	 * find the page not yet pinned (and share it) and write-protect it
	 * after our re-check of the PTE, leaving the pin on a page the
	 * parent's next write copies away.
	 */
	bool fork_seq = (flags & FOLL_PIN) && kernel_has(GUP_FAST_FORK_SEQ);

	if (fork_seq) {
		seq = atomic_load_explicit(&mm->write_protect_seq,
					   memory_order_acquire);
		SCHED_POINT("read write_protect_seq");
		/* fork is write-protecting right now: go slow. */
		if (seq & 1)
			return fast_stop("fork is write-protecting (write_protect_seq odd)");
	}

	/* local_irq_save() in the kernel: page tables stay until we leave */
	mm_rcu_read_lock();
	SCHED_POINT("RCU read section entered");
	/*
	 * 5.8 took pages only from writable entries (the walk alone asks
	 * FOLL_WRITE then: what it takes is released with flags as given).
	 */
	gup_fast_pgd_range(mm, start, end,
			   flags | (gup_fast_needs_writable(flags) ?
				    FOLL_WRITE : 0), pages, &nr);
	mm_rcu_read_unlock();
	SCHED_POINT("RCU read section left");
	if (unlikely(gup_fast_after_walk_hook))
		gup_fast_after_walk_hook(mm);

	/* Every page the walk took is a real pin (see the grab). */
	if ((flags & FOLL_PIN) && nr)
		mod_vmstat(NR_FOLL_PIN_ACQUIRED, nr);
	if (fork_seq) {
		/* seq_cst: ordered after every pin the walk took. */
		if (atomic_load(&mm->write_protect_seq) != seq) {
			/* A fork ran meanwhile: it may have missed our pins. */
			for (int i = 0; i < nr; i++)
				gup_put_folio(page_folio(pages[i]), 1, flags);
			return fast_stop("a fork ran during the walk (write_protect_seq changed)");
		}
	}
	return nr;
}

#define GUP_FAST_ALLOWED_FLAGS						\
	(FOLL_WRITE | FOLL_LONGTERM | FOLL_FORCE | FOLL_PIN | FOLL_GET |	\
	 FOLL_FAST_ONLY | FOLL_NOFAULT | FOLL_PCI_P2PDMA |		\
	 FOLL_HONOR_NUMA_FAULT)

/*
 * The flags GUP-fast accepts in the running release: anything in 5.2
 * (it only looked at FOLL_WRITE and FOLL_LONGTERM), FOLL_WRITE and
 * FOLL_LONGTERM from 5.3 (with the FOLL_GET the entry point adds), and
 * FOLL_FORCE again from 5.6 with the list that grew since.
 */
static unsigned int gup_fast_allowed_flags(void)
{
	if (!kernel_has(GUP_FAST_VALIDATE_FLAGS))
		return ~0U;
	if (!kernel_has(GUP_FAST_FORCE))
		return FOLL_WRITE | FOLL_LONGTERM | FOLL_GET | FOLL_FAST_ONLY;
	return GUP_FAST_ALLOWED_FLAGS;
}

/* 5.8 only: see gup_must_break_cow(); the slow path breaks COW. */
bool gup_fast_needs_writable(unsigned int flags)
{
	return (flags & (FOLL_GET | FOLL_PIN)) &&
	       kernel_has(GUP_COW_BREAK) && !kernel_has(GUP_COW_BREAK_REMOVED);
}

/*
 * gup_fast_fallback() - the fast walk, then the slow path for what is
 * left (unless FOLL_FAST_ONLY). If the slow path fails after the fast one
 * took pages, those are returned: the caller must release them, so an
 * error would leak them.
 */
static long gup_fast_fallback(unsigned long start, unsigned long nr_pages,
			      unsigned int gup_flags, struct page **pages)
{
	struct mm_struct *mm = current_mm_checked("GUP-fast");
	unsigned long len, end, nr_pinned;
	unsigned int bad = gup_flags & ~gup_fast_allowed_flags();
	int locked = 0;
	long ret;

	if (VM_WARN_MISUSE(bad, "GUP-fast: flags %#x not allowed", bad)) {
		if ((bad & FOLL_FORCE) && !kernel_has(GUP_FAST_FORCE))
			return explain_err_until(-EINVAL, "GUP_FAST_FORCE",
						 "gup_fast_fallback",
						 "flags %#x, FOLL_FORCE among them, are not ones GUP-fast accepts",
						 bad);
		return explain_err_since(-EINVAL, "GUP_FAST_VALIDATE_FLAGS",
					 "gup_fast_fallback",
					 "flags %#x are not ones GUP-fast accepts",
					 bad);
	}
	if (VM_WARN_MISUSE(!mm, "GUP-fast without a current mm"))
		return explain_err(-EFAULT, "gup_fast_fallback",
				   "no current mm");

	if ((gup_flags & FOLL_PIN) &&
	    !(atomic_load(&mm->flags) & (1UL << MMF_HAS_PINNED)))
		atomic_fetch_or(&mm->flags, 1UL << MMF_HAS_PINNED);

	start &= PAGE_MASK;
	len = nr_pages << PAGE_SHIFT;
	if (__builtin_add_overflow(start, len, &end))
		return explain_err(-EOVERFLOW, "gup_fast_fallback",
				   "%#lx + %lu pages wraps around", start,
				   nr_pages);
	if (end > TASK_SIZE)
		return explain_err(-EFAULT, "gup_fast_fallback",
				   "[%#lx, %#lx) goes past TASK_SIZE", start,
				   end);
	if (start == end)
		return 0;

	nr_pinned = gup_fast(mm, start, end, gup_flags, pages);
	trace_gupsim_gup_fast(start, nr_pages, nr_pinned, gup_flags);
	explain_pin_add(fast, nr_pinned);
	if (nr_pinned == nr_pages || (gup_flags & FOLL_FAST_ONLY))
		return nr_pinned;

	count_vm_event(GUPSIM_GUP_FAST_FALLBACK);
	start += nr_pinned << PAGE_SHIFT;
	pages += nr_pinned;
	ret = __gup_longterm_locked(mm, start, nr_pages - nr_pinned, pages,
				    &locked,
				    gup_flags | FOLL_TOUCH | FOLL_UNLOCKABLE);
	if (ret < 0)
		return nr_pinned ? (long)nr_pinned : ret;
	return ret + nr_pinned;
}

/*
 * The pages[] array is required by every fast variant: they always take
 * a reference (FOLL_GET) or a pin. The caller does not hold mmap_lock.
 */
int get_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	if (!is_valid_gup_args(pages, NULL, &gup_flags, FOLL_GET))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	return gup_fast_fallback(start, nr_pages, gup_flags, pages);
}

/* Never falls back, never sleeps: what the fast walk took, maybe 0. */
int get_user_pages_fast_only(unsigned long start, int nr_pages,
			     unsigned int gup_flags, struct page **pages)
{
	if (!is_valid_gup_args(pages, NULL, &gup_flags,
			       FOLL_GET | FOLL_FAST_ONLY))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	return gup_fast_fallback(start, nr_pages, gup_flags, pages);
}

int pin_user_pages_fast(unsigned long start, int nr_pages,
			unsigned int gup_flags, struct page **pages)
{
	if (!is_valid_gup_args(pages, NULL, &gup_flags, FOLL_PIN))
		return explain_err(-EINVAL, "is_valid_gup_args",
				   "a flag combination no caller may ask for (%#x)",
				   gup_flags);
	return gup_fast_fallback(start, nr_pages, gup_flags, pages);
}
