// SPDX-License-Identifier: GPL-2.0
/*
 * Debugging aids: the model-warning log (mm_warn), page dumps and the
 * invariant checker that DESIGN.md "Invariants" describes.
 *
 * The checker is meant for quiet moments (the end of a test, the `check`
 * statement): it takes the locks it needs to read consistent structures,
 * but a page changing state while it runs can be reported falsely.
 *
 * It must stay cheap on big machines: free memory is never visited page by
 * page. Free blocks come from the buddy free lists (one entry per block),
 * allocated memory is walked folio by folio, and the page tables of every
 * mm give the mappings, which are sorted once and then matched against the
 * folios in pfn order.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

/* ---- the warning log ---- */

#define WARN_LOG_MAX	64
#define WARN_MSG_LEN	256
#define WARN_SITES_MAX	256

static pthread_mutex_t warn_lock = PTHREAD_MUTEX_INITIALIZER;
static char warn_log[WARN_LOG_MAX][WARN_MSG_LEN];
static int warn_count;			/* recorded since the last clear */
static struct { const char *file; int line; } warn_sites[WARN_SITES_MAX];
static int nr_warn_sites;

/* True the first time a site warns (the printing of WARN_ON_ONCE). */
static bool warn_site_first(const char *file, int line)
{
	int i;

	for (i = 0; i < nr_warn_sites; i++)
		if (warn_sites[i].line == line &&
		    !strcmp(warn_sites[i].file, file))
			return false;
	if (nr_warn_sites < WARN_SITES_MAX) {
		warn_sites[nr_warn_sites].file = file;
		warn_sites[nr_warn_sites].line = line;
		nr_warn_sites++;
	}
	return true;
}

static int misuse_count;	/* mm_warn_misuse() calls, under warn_lock */

static void warn_format(char *msg, size_t len, const char *file, int line,
			const char *fmt, va_list ap)
{
	int n = snprintf(msg, len, "%s:%d: ", file, line);

	if (n < 0 || (size_t)n >= len)
		n = 0;
	vsnprintf(msg + n, len - n, fmt, ap);
}

void mm_warn(const char *file, int line, const char *fmt, ...)
{
	char msg[WARN_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	warn_format(msg, sizeof(msg), file, line, fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&warn_lock);
	if (warn_count < WARN_LOG_MAX)
		memcpy(warn_log[warn_count], msg, sizeof(msg));
	warn_count++;
	if (warn_site_first(file, line))
		fprintf(stderr, "gupsim: WARNING: %s\n", msg);
	pthread_mutex_unlock(&warn_lock);
}

/*
 * A caller broke the API's rules (flags the kernel refuses with a
 * WARN_ON_ONCE and an errno): said once per site, but not logged as a
 * broken model invariant, since the model itself is consistent.
 */
void mm_warn_misuse(const char *file, int line, const char *fmt, ...)
{
	char msg[WARN_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	warn_format(msg, sizeof(msg), file, line, fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&warn_lock);
	misuse_count++;
	if (warn_site_first(file, line))
		fprintf(stderr, "gupsim: WARNING (caller): %s\n", msg);
	pthread_mutex_unlock(&warn_lock);
}

int mm_misuse_count(void)
{
	int n;

	pthread_mutex_lock(&warn_lock);
	n = misuse_count;
	pthread_mutex_unlock(&warn_lock);
	return n;
}

/* Writes the log into buf (one message a line); returns how many there were. */
int mm_warnings(char *buf, size_t len)
{
	size_t pos = 0;
	int i, count;

	pthread_mutex_lock(&warn_lock);
	count = warn_count;
	if (len)
		buf[0] = 0;
	for (i = 0; i < min(count, WARN_LOG_MAX) && pos + 1 < len; i++) {
		int n = snprintf(buf + pos, len - pos, "%s\n", warn_log[i]);

		if (n < 0)
			break;
		pos += (size_t)n;
	}
	if (count > WARN_LOG_MAX && pos + 1 < len)
		snprintf(buf + pos, len - pos, "... %d more warnings\n",
			 count - WARN_LOG_MAX);
	pthread_mutex_unlock(&warn_lock);
	return count;
}

void mm_warnings_clear(void)
{
	pthread_mutex_lock(&warn_lock);
	warn_count = 0;
	misuse_count = 0;
	pthread_mutex_unlock(&warn_lock);
}

/* ---- dump_page ---- */

static const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_NORMAL] = "Normal", [ZONE_MOVABLE] = "Movable",
	[ZONE_DEVICE] = "Device",
};

static const char *const mt_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "Unmovable", [MIGRATE_MOVABLE] = "Movable",
	[MIGRATE_RECLAIMABLE] = "Reclaimable", [MIGRATE_CMA] = "CMA",
	[MIGRATE_ISOLATE] = "Isolate",
};

static const char *const flag_names[NR_PAGEFLAGS] = {
	[PG_locked] = "locked", [PG_referenced] = "referenced",
	[PG_uptodate] = "uptodate", [PG_dirty] = "dirty", [PG_lru] = "lru",
	[PG_head] = "head", [PG_reserved] = "reserved",
	[PG_writeback] = "writeback", [PG_swapbacked] = "swapbacked",
	[PG_anon_exclusive] = "anon_exclusive", [PG_buddy] = "buddy",
	[PG_table] = "table", [PG_hugetlb] = "hugetlb", [PG_zero] = "zero",
	[PG_swapcache] = "swapcache",
};

static size_t format_flags(char *buf, size_t len, unsigned long flags)
{
	size_t pos = 0;
	int bit, n;

	if (len)
		buf[0] = 0;
	for (bit = 0; bit < NR_PAGEFLAGS; bit++) {
		if (!(flags & (1UL << bit)))
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "",
			     flag_names[bit]);
		if (n < 0 || pos + n >= len)
			break;
		pos += n;
	}
	if (!pos)
		snprintf(buf, len, "none");
	return pos;
}

static const char *page_mt_name(struct page *page)
{
	int mt;

	if (page_to_pfn(page) >= machine->ram_pages)
		return "-";
	mt = get_pageblock_migratetype(page);
	return (mt >= 0 && mt < MIGRATE_TYPES) ? mt_names[mt] : "?";
}

int dump_page(char *buf, size_t len, struct page *page)
{
	struct folio *folio = page_folio(page);
	unsigned long m = (unsigned long)READ_ONCE(page->mapping);
	const char *mapping = "none";
	enum zone_type zt = page_zonenum(page);
	char flags[192];
	int n;

	/* a tail page has no identity of its own: show its folio's */
	if (PageTail(page))
		m = (unsigned long)READ_ONCE(folio->page.mapping);
	if (m & PAGE_MAPPING_ANON)
		mapping = "anon";
	else if (m)
		mapping = "file";
	format_flags(flags, sizeof(flags), atomic_load(&page->flags));
	n = snprintf(buf, len,
		     "page pfn=%#lx refcount=%d mapcount=%d pins=%d (lt %d) "
		     "mapping=%s index=%#lx order=%u zone=%s mt=%s flags=%s",
		     page_to_pfn(page), folio_ref_count(folio),
		     folio_test_large(folio) && page == &folio->page ?
			folio_mapcount(folio) : page_mapcount(page),
		     atomic_load(&folio->page._debug_pins),
		     atomic_load(&folio->page._debug_lt_pins), mapping,
		     folio->page.index + (unsigned long)(page - &folio->page),
		     folio_order(folio),
		     zt < MAX_NR_ZONES ? zone_names[zt] : "?",
		     page_mt_name(page), flags);
	return n < 0 ? 0 : n;
}

/* ---- the model's exact pin counts (see page_ref.h) ---- */

void report_bad_unpin(struct folio *folio)
{
	char buf[256];

	dump_page(buf, sizeof(buf), &folio->page);
	VM_WARN(true, "unpin of a page that is not pinned: %s", buf);
}

/* ---- the invariant checker ---- */

#define MAX_REPORTED	20

struct pfn_vec {
	unsigned long *v;
	size_t nr, cap;
};

struct free_block {
	unsigned long pfn;
	unsigned int order;
};

struct checker {
	char *buf;
	size_t len, pos;
	int violations;
	bool oom;
	struct pfn_vec pte_maps;	/* pfn of each PTE mapping */
	struct pfn_vec pmd_maps;	/* pfn of each PMD (or PUD) leaf */
	size_t pte_hint, pmd_hint;	/* where the last lookup ended */
	struct free_block *free;
	size_t nr_free, cap_free;
	struct address_space **files;
	size_t nr_files;
};

static void ck_append(struct checker *ck, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ck_append(struct checker *ck, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ck->pos + 1 >= ck->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(ck->buf + ck->pos, ck->len - ck->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		ck->pos = min(ck->pos + (size_t)n, ck->len - 1);
}

static void violation(struct checker *ck, struct page *page,
		      const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records one broken rule, described with the page it concerns (if any). */
static void violation(struct checker *ck, struct page *page,
		      const char *fmt, ...)
{
	char msg[256], dump[512];
	va_list ap;

	if (++ck->violations > MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (page) {
		dump_page(dump, sizeof(dump), page);
		ck_append(ck, "%s: %s\n", msg, dump);
	} else {
		ck_append(ck, "%s\n", msg);
	}
}

/*
 * Room for one more element in a doubling array of nr used and *cap
 * allocated elements: the array (moved, maybe), or NULL with the old one
 * kept and the checker marked out of memory.
 */
static void *ck_grow(struct checker *ck, void *arr, size_t *cap, size_t nr,
		     size_t size, size_t first)
{
	size_t ncap;
	void *n;

	if (nr < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : first;
	n = realloc(arr, ncap * size);
	if (!n) {
		ck->oom = true;
		return NULL;
	}
	*cap = ncap;
	return n;
}

static void vec_push(struct checker *ck, struct pfn_vec *vec,
		     unsigned long pfn)
{
	unsigned long *v = ck_grow(ck, vec->v, &vec->cap, vec->nr,
				   sizeof(*v), 4096);

	if (!v)
		return;
	vec->v = v;
	vec->v[vec->nr++] = pfn;
}

static int cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Index of the first entry >= pfn. */
static size_t vec_lower_bound(const struct pfn_vec *vec, unsigned long pfn)
{
	size_t lo = 0, hi = vec->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vec->v[mid] < pfn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * How many entries equal pfn, for lookups that mostly go up, as the walk
 * over RAM does: from where the last one ended, entries are skipped one
 * by one (over a whole walk, each once) instead of searched for; a lookup
 * below the hint searches.
 */
static size_t vec_count_hint(const struct pfn_vec *vec, size_t *hint,
			     unsigned long pfn)
{
	size_t i = *hint, n = 0;

	if (i > vec->nr || (i && vec->v[i - 1] >= pfn))
		i = vec_lower_bound(vec, pfn);
	while (i < vec->nr && vec->v[i] < pfn)
		i++;
	while (i < vec->nr && vec->v[i] == pfn) {
		i++;
		n++;
	}
	*hint = i;
	return n;
}

/* How many entries fall in [pfn, pfn + nr). */
static size_t vec_count_range(const struct pfn_vec *vec, unsigned long pfn,
			      unsigned long nr)
{
	return vec_lower_bound(vec, pfn + nr) - vec_lower_bound(vec, pfn);
}

/* ---- step 1: the buddy allocator's free blocks ---- */

static void add_free_block(struct checker *ck, unsigned long pfn,
			   unsigned int order)
{
	struct free_block *f = ck_grow(ck, ck->free, &ck->cap_free, ck->nr_free,
				       sizeof(*f), 1024);

	if (!f)
		return;
	ck->free = f;
	ck->free[ck->nr_free].pfn = pfn;
	ck->free[ck->nr_free].order = order;
	ck->nr_free++;
}

static void check_free_head(struct checker *ck, struct page *page,
			    unsigned int order)
{
	if (!Pagebuddy(page) || page->private != order)
		violation(ck, page, "free block of order %u not marked buddy",
			  order);
	if (atomic_load(&page->_refcount) != 0)
		violation(ck, page, "free page with a refcount");
	if (page_mapcount(page) != 0)
		violation(ck, page, "free page with a mapcount");
	if (atomic_load(&page->_debug_pins) != 0)
		violation(ck, page, "pinned page is free");
}

static void collect_zone_free(struct checker *ck, struct zone *zone)
{
	unsigned int order;
	int mt;

	spin_lock(&zone->lock);
	for (order = 0; order < NR_PAGE_ORDERS; order++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			struct list_head *head =
				&zone->free_area[order].free_list[mt];
			struct list_head *pos;

			if (!head->next)	/* zone never initialised */
				continue;
			list_for_each(pos, head) {
				struct page *page =
					list_entry(pos, struct page, lru);

				check_free_head(ck, page, order);
				add_free_block(ck, page_to_pfn(page), order);
			}
		}
	}
	/*
	 * Deferred boot blocks are free without a buddy head (their struct
	 * pages were never written, and reading them here would not change
	 * that, but there is nothing in them to check).
	 */
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		unsigned long pfn;

		for (pfn = zone->deferred[mt].start;
		     pfn < zone->deferred[mt].end;
		     pfn += 1UL << MAX_PAGE_ORDER)
			add_free_block(ck, pfn, MAX_PAGE_ORDER);
	}
	spin_unlock(&zone->lock);
}

static int cmp_free(const void *a, const void *b)
{
	const struct free_block *x = a, *y = b;

	return x->pfn < y->pfn ? -1 : x->pfn > y->pfn;
}

/* ---- step 2: every mapping in every page table ---- */

static void check_migration_entry(struct checker *ck, uint64_t entry)
{
	unsigned long pfn = swp_offset_pfn(entry);

	if (!pfn_valid(pfn)) {
		violation(ck, NULL, "migration entry to invalid pfn %#lx", pfn);
		return;
	}
	if (!folio_test_locked(pfn_folio(pfn)))
		violation(ck, pfn_to_page(pfn),
			  "migration entry for a folio not under migration");
}

static void collect_pte_table(struct checker *ck, pte_t *table,
			      unsigned long base)
{
	int i;

	for (i = 0; i < PTRS_PER_PTE; i++) {
		pte_t pte = ptep_get(&table[i]);
		unsigned long pfn = pte_pfn(pte);

		if (pte_none(pte))
			continue;
		if (!pte_present(pte)) {
			if (is_migration_entry(pte))
				check_migration_entry(ck, pte);
			continue;
		}
		/* the zero page and PFN maps hold no reference or mapcount */
		if (pte_special(pte))
			continue;
		if (!pfn_valid(pfn)) {
			violation(ck, NULL, "PTE at %#lx maps invalid pfn %#lx",
				  base + ((unsigned long)i << PAGE_SHIFT), pfn);
			continue;
		}
		vec_push(ck, &ck->pte_maps, pfn);
	}
}

static void collect_pmd_table(struct checker *ck, pmd_t *table,
			      unsigned long base)
{
	int i;

	for (i = 0; i < PTRS_PER_PMD; i++) {
		pmd_t pmd = pmdp_get(&table[i]);
		unsigned long addr = base + ((unsigned long)i << PMD_SHIFT);
		unsigned long pfn = pmd_pfn(pmd);

		if (pmd_none(pmd))
			continue;
		if (pmd_leaf(pmd)) {
			if (!pfn_valid(pfn)) {
				violation(ck, NULL, "PMD at %#lx maps invalid pfn %#lx",
					  addr, pfn);
				continue;
			}
			if (folio_pfn(pfn_folio(pfn)) != pfn ||
			    folio_nr_pages(pfn_folio(pfn)) != HPAGE_PMD_NR)
				violation(ck, pfn_to_page(pfn),
					  "PMD at %#lx does not map a whole 2M folio",
					  addr);
			vec_push(ck, &ck->pmd_maps, pfn);
		} else if (is_migration_entry(pmd)) {
			check_migration_entry(ck, pmd);
		} else if (pmd & _PAGE_PRESENT) {
			collect_pte_table(ck, (pte_t *)table_entry_target(pmd),
					  addr);
		}
	}
}

/*
 * A PUD leaf maps a whole 1 GiB hugetlb folio; it counts with the PMD
 * leaves as an entire mapping of its folio.
 */
static void collect_pud_leaf(struct checker *ck, pud_t pud,
			     unsigned long addr)
{
	unsigned long pfn = pmd_pfn(pud);
	struct folio *folio;

	if (!pfn_valid(pfn)) {
		violation(ck, NULL, "PUD at %#lx maps invalid pfn %#lx", addr,
			  pfn);
		return;
	}
	folio = pfn_folio(pfn);
	if (folio_pfn(folio) != pfn || folio_nr_pages(folio) != HPAGE_PUD_NR ||
	    !folio_test_hugetlb(folio))
		violation(ck, pfn_to_page(pfn),
			  "PUD at %#lx does not map a whole 1G hugetlb folio",
			  addr);
	vec_push(ck, &ck->pmd_maps, pfn);
}

static void collect_mm(struct checker *ck, struct mm_struct *mm)
{
	int i, j;

	if (!mm->pgd)
		return;
	for (i = 0; i < PTRS_PER_PGD; i++) {
		uint64_t e = entry_get(&mm->pgd[i]);
		pud_t *pud;

		if (!(e & _PAGE_PRESENT) || (e & _PAGE_PSE))
			continue;
		pud = (pud_t *)table_entry_target(e);
		for (j = 0; j < PTRS_PER_PUD; j++) {
			uint64_t pe = entry_get(&pud[j]);
			unsigned long base = ((unsigned long)i << PGDIR_SHIFT) |
					     ((unsigned long)j << PUD_SHIFT);

			if (pmd_leaf(pe)) {
				collect_pud_leaf(ck, pe, base);
				continue;
			}
			if (!(pe & _PAGE_PRESENT))
				continue;
			collect_pmd_table(ck, (pmd_t *)table_entry_target(pe),
					  base);
		}
	}
}

static bool mm_get_not_zero(struct mm_struct *mm)
{
	int old = atomic_load(&mm->mm_users);

	do {
		if (old <= 0)
			return false;
	} while (!atomic_compare_exchange_weak(&mm->mm_users, &old, old + 1));
	return true;
}

/*
 * mmap_lock nests outside machine->lists_lock (fork allocates the child
 * under the parent's mmap_lock), so take references under the list lock
 * and do the walks after dropping it.
 */
static void collect_mappings(struct checker *ck)
{
	struct mm_struct **mms = NULL, *mm;
	size_t nr = 0, cap = 0, i;

	mutex_lock(&machine->lists_lock);
	list_for_each_entry(mm, &machine->mms, mm_list) {
		struct mm_struct **n = ck_grow(ck, mms, &cap, nr,
					       sizeof(*n), 16);

		if (!n)
			break;
		mms = n;
		if (mm_get_not_zero(mm))
			mms[nr++] = mm;
	}
	mutex_unlock(&machine->lists_lock);

	for (i = 0; i < nr; i++) {
		mm = mms[i];
		mmap_read_lock(mm);
		ptl_lock(mm);
		collect_mm(ck, mm);
		ptl_unlock(mm);
		mmap_read_unlock(mm);
		mmput(mm);
	}
	free(mms);
	if (ck->pte_maps.nr)
		qsort(ck->pte_maps.v, ck->pte_maps.nr, sizeof(unsigned long),
		      cmp_ulong);
	if (ck->pmd_maps.nr)
		qsort(ck->pmd_maps.v, ck->pmd_maps.nr, sizeof(unsigned long),
		      cmp_ulong);
}

static void collect_files(struct checker *ck)
{
	struct file *file;
	size_t n = 0;

	mutex_lock(&machine->lists_lock);
	list_for_each_entry(file, &machine->files, files)
		n++;
	ck->files = calloc(n ? n : 1, sizeof(*ck->files));
	if (!ck->files) {
		ck->oom = true;
		n = 0;
	}
	ck->nr_files = 0;
	list_for_each_entry(file, &machine->files, files) {
		if (ck->nr_files == n)
			break;
		ck->files[ck->nr_files++] = &file->f_mapping;
	}
	mutex_unlock(&machine->lists_lock);
}

/* ---- step 3: every allocated folio ---- */

/* The references the page cache holds on folio (0 if it is not cached). */
static int cache_refs(struct checker *ck, struct folio *folio)
{
	struct address_space *mapping = folio_mapping(folio);
	bool cached = false;
	size_t i;

	if (!mapping)
		return 0;
	for (i = 0; i < ck->nr_files; i++)
		if (ck->files[i] == mapping)
			break;
	/* a mapping we cannot see is trusted: no dereference, no report */
	if (i == ck->nr_files)
		return folio_nr_pages(folio);
	spin_lock(&mapping->i_pages_lock);
	if (folio->page.index < mapping->nr_slots && mapping->i_pages)
		cached = mapping->i_pages[folio->page.index] == folio;
	spin_unlock(&mapping->i_pages_lock);
	return cached ? folio_nr_pages(folio) : 0;
}

static void check_mapcounts(struct checker *ck, struct folio *folio)
{
	unsigned long pfn = folio_pfn(folio), nr = folio_nr_pages(folio), i;
	size_t pmds = vec_count_hint(&ck->pmd_maps, &ck->pmd_hint, pfn);
	size_t ptes_total = 0;

	for (i = 0; i < nr; i++) {
		size_t ptes = vec_count_hint(&ck->pte_maps, &ck->pte_hint,
					     pfn + i);
		int mc = page_mapcount(folio_page(folio, i));

		ptes_total += ptes;
		if ((size_t)mc != ptes || mc < 0)
			violation(ck, folio_page(folio, i),
				  "mapcount %d but %zu PTEs map it", mc, ptes);
	}
	if (!folio_test_large(folio)) {
		if (pmds)
			violation(ck, &folio->page, "small folio mapped by a PMD");
		return;
	}
	if ((size_t)folio_entire_mapcount(folio) != pmds)
		violation(ck, &folio->page,
			  "entire mapcount %d but %zu PMDs map it",
			  folio_entire_mapcount(folio), pmds);
	if ((size_t)folio_mapcount(folio) != ptes_total + pmds)
		violation(ck, &folio->page,
			  "large mapcount %d but %zu PTEs + %zu PMDs map it",
			  folio_mapcount(folio), ptes_total, pmds);
}

static void check_pins(struct checker *ck, struct folio *folio)
{
	int pins = atomic_load(&folio->page._debug_pins);
	int lt = atomic_load(&folio->page._debug_lt_pins);

	if (pins < 0 || lt < 0 || lt > pins)
		violation(ck, &folio->page, "bad pin accounting");
	/* A rule only since 5.13: before, a failed migration left a
	 * long-term pin in CMA, and ZONE_MOVABLE was not checked. */
	if (lt > 0 && kernel_has(LONGTERM_MIGRATE_ENOMEM) &&
	    !folio_is_longterm_pinnable(folio))
		violation(ck, &folio->page,
			  "FOLL_LONGTERM pin on a page that is not longterm pinnable");
	if (folio_test_large(folio) &&
	    atomic_load(&folio->page._pincount) != pins)
		violation(ck, &folio->page, "_pincount %d != %d pins",
			  atomic_load(&folio->page._pincount), pins);
}

static void check_refcount(struct checker *ck, struct folio *folio)
{
	long pins = atomic_load(&folio->page._debug_pins);
	long need;

	pins = folio_pin_refs(folio_test_large(folio), (int)pins);
	need = folio_mapcount(folio) + pins + cache_refs(ck, folio);
	if (folio_ref_count(folio) < need)
		violation(ck, &folio->page,
			  "refcount below mappings + pins + cache (%ld)", need);
}

static void check_folio(struct checker *ck, struct folio *folio)
{
	check_mapcounts(ck, folio);
	check_pins(ck, folio);
	check_refcount(ck, folio);
}

/* A frame not in the buddy allocator: it must belong to a live folio. */
static unsigned long check_allocated(struct checker *ck, unsigned long pfn,
				     unsigned long limit)
{
	struct page *page = pfn_to_page(pfn);
	struct folio *folio;
	unsigned long nr;

	if (PageTail(page)) {
		violation(ck, page, "tail page outside its folio");
		return 1;
	}
	folio = (struct folio *)page;
	nr = folio_nr_pages(folio);
	if (pfn + nr > limit) {
		violation(ck, page, "folio overlaps a free block");
		nr = limit - pfn;
		return nr ? nr : 1;
	}
	if (folio_ref_count(folio) <= 0) {
		/* a free hugetlb pool folio is owned by the pool, not lost */
		if (folio_test_hugetlb(folio)) {
			check_mapcounts(ck, folio);
			if (atomic_load(&page->_debug_pins))
				violation(ck, page, "pinned page is free");
			return nr;
		}
		violation(ck, page,
			  "page neither free nor in use (lost frame)");
		return nr;
	}
	check_folio(ck, folio);
	return nr;
}

static void check_free_range(struct checker *ck, const struct free_block *fb)
{
	unsigned long nr = 1UL << fb->order;

	if (vec_count_range(&ck->pte_maps, fb->pfn, nr) ||
	    vec_count_range(&ck->pmd_maps, fb->pfn, nr))
		violation(ck, pfn_to_page(fb->pfn),
			  "a page table maps free memory in [%#lx, %#lx)",
			  fb->pfn, fb->pfn + nr);
}

static void check_ram(struct checker *ck)
{
	unsigned long pfn = 0, end = machine->ram_pages;
	size_t f = 0;

	if (ck->nr_free)
		qsort(ck->free, ck->nr_free, sizeof(*ck->free), cmp_free);
	while (pfn < end) {
		unsigned long next_free = f < ck->nr_free ? ck->free[f].pfn : end;

		if (next_free < pfn) {
			violation(ck, pfn_to_page(next_free),
				  "free blocks overlap (order %u)",
				  ck->free[f].order);
			f++;
			continue;
		}
		if (next_free == pfn && f < ck->nr_free) {
			check_free_range(ck, &ck->free[f]);
			pfn += 1UL << ck->free[f].order;
			f++;
			continue;
		}
		pfn += check_allocated(ck, pfn, min(next_free, end));
	}
}

/* True when vec holds pfn; *i is a cursor that only moves forward. */
static bool vec_has_next(const struct pfn_vec *vec, size_t *i,
			 unsigned long pfn)
{
	while (*i < vec->nr && vec->v[*i] < pfn)
		(*i)++;
	return *i < vec->nr && vec->v[*i] == pfn;
}

/*
 * Which host pages of the memory map behind [pfn, end) were ever touched:
 * one byte per host page from mincore(), NULL if unknown. The memory map
 * is an anonymous mapping, so a struct page on host pages never touched
 * reads as zeroes: idle, unmapped, no tail. Skipping those, rather than
 * reading them, keeps the checker from faulting in the whole map of a
 * device nobody used (~350 host pages per check of the default 64 MiB).
 */
#define MEM_MAP_HOST_PAGE	4096UL

static unsigned char *mem_map_residency(unsigned long pfn, unsigned long end,
					uintptr_t *base)
{
	uintptr_t hp = MEM_MAP_HOST_PAGE;
	uintptr_t lo = (uintptr_t)pfn_to_page(pfn);
	uintptr_t hi = (uintptr_t)pfn_to_page(end);
	unsigned char *vec;

	/* mincore() counts in host pages; only 4 KiB ones are expected */
	if (end <= pfn || sysconf(_SC_PAGESIZE) != (long)hp)
		return NULL;
	lo &= ~(hp - 1);
	hi = (hi + hp - 1) & ~(hp - 1);
	vec = malloc((hi - lo) / hp);
	if (vec && mincore((void *)lo, hi - lo, vec)) {
		free(vec);
		vec = NULL;
	}
	*base = lo;
	return vec;
}

/* True when the struct page may hold something: a touched host page. */
static bool page_touched(const unsigned char *vec, uintptr_t base,
			 const struct page *page)
{
	uintptr_t a = (uintptr_t)page - base, b = a + sizeof(*page) - 1;

	if (!vec)
		return true;
	return (vec[a / MEM_MAP_HOST_PAGE] | vec[b / MEM_MAP_HOST_PAGE]) & 1;
}

/*
 * Device pages (fs-DAX) are outside the buddy allocator: check every one
 * that is referenced or mapped. The pfns go up, so the sorted mapping
 * vectors are walked with cursors rather than searched once per page.
 */
static void check_device(struct checker *ck)
{
	unsigned long pfn, end = machine->dax_start_pfn + machine->dax_pages;
	size_t pi = vec_lower_bound(&ck->pte_maps, machine->dax_start_pfn);
	size_t mi = vec_lower_bound(&ck->pmd_maps, machine->dax_start_pfn);
	uintptr_t base = 0;
	unsigned char *touched = mem_map_residency(machine->dax_start_pfn,
						   end, &base);

	for (pfn = machine->dax_start_pfn; pfn < end; pfn++) {
		struct page *page = pfn_to_page(pfn);
		/* both cursors advance, whatever the first answers */
		bool pte_mapped = vec_has_next(&ck->pte_maps, &pi, pfn);
		bool pmd_mapped = vec_has_next(&ck->pmd_maps, &mi, pfn);
		bool mapped = pte_mapped || pmd_mapped;

		if (!mapped && !page_touched(touched, base, page))
			continue;
		if (PageTail(page))
			continue;
		if (!folio_ref_count((struct folio *)page) && !mapped &&
		    !page_mapcount(page))
			continue;
		check_folio(ck, (struct folio *)page);
	}
	free(touched);
}

static void check_warnings(struct checker *ck)
{
	char log[2048];
	int n = mm_warnings(log, sizeof(log));

	if (!n)
		return;
	if (++ck->violations <= MAX_REPORTED)
		ck_append(ck, "%d model warning(s) (mm_warn):\n%s", n, log);
}

int check_invariants(char *buf, size_t len)
{
	struct checker ck = { .buf = buf, .len = len };
	int zi;

	if (len)
		buf[0] = 0;
	if (!machine)
		return 0;
	/*
	 * Page tables freed by munmap/exit wait for an RCU grace period: let
	 * those frees finish, or a table page caught half-way between
	 * "in use" and "free" would be reported as lost.
	 */
	mm_rcu_barrier();
	for (zi = 0; zi < MAX_NR_ZONES; zi++)
		collect_zone_free(&ck, &machine->zones[zi]);
	collect_files(&ck);
	collect_mappings(&ck);
	if (!ck.oom) {
		check_ram(&ck);
		check_device(&ck);
	} else {
		violation(&ck, NULL, "checker ran out of memory");
	}
	check_warnings(&ck);
	if (ck.violations > MAX_REPORTED)
		ck_append(&ck, "... %d violations in all\n", ck.violations);
	free(ck.pte_maps.v);
	free(ck.pmd_maps.v);
	free(ck.free);
	free(ck.files);
	return ck.violations ? -EUCLEAN : 0;
}

/* ---- where a range's pages live ---- */

static enum page_zone_kind merge_kind(enum page_zone_kind a,
				      enum page_zone_kind b)
{
	if (a == PZ_NONE)
		return b;
	return a == b ? a : PZ_MIXED;
}

/* The page mapped at addr, or NULL; called under the ptl. */
static struct page *mapped_page(struct mm_struct *mm, unsigned long addr)
{
	pud_t *pud = mm_find_pud(mm, addr);
	pmd_t *pmd = mm_find_pmd(mm, addr);
	pmd_t pmdval;
	pte_t *ptep, pte;

	if (pud && pmd_leaf(pmdp_get(pud)))	/* 1 GiB hugetlb */
		return pfn_to_page(pmd_pfn(pmdp_get(pud)) +
				   ((addr & ~PUD_MASK) >> PAGE_SHIFT));
	if (!pmd)
		return NULL;
	pmdval = pmdp_get(pmd);
	if (pmd_leaf(pmdval))
		return pfn_to_page(pmd_pfn(pmdval) + pte_index(addr));
	ptep = pte_offset(pmd, addr);
	if (!ptep)
		return NULL;
	pte = ptep_get(ptep);
	if (!pte_present(pte) || !pfn_valid(pte_pfn(pte)))
		return NULL;
	/* special entries have no page, except the zero page */
	if (pte_special(pte) && !is_zero_pfn(pte_pfn(pte)))
		return NULL;
	return pfn_to_page(pte_pfn(pte));
}

enum page_zone_kind user_range_zone(struct task_struct *task,
				    unsigned long start, size_t len)
{
	enum page_zone_kind kind = PZ_NONE;
	struct mm_struct *mm = task ? task->mm : NULL;
	unsigned long addr, end;

	if (!mm || !len)
		return PZ_NONE;
	end = start + len;
	mmap_read_lock(mm);
	ptl_lock(mm);
	for (addr = start & PAGE_MASK; addr < end && mm->pgd;
	     addr += PAGE_SIZE) {
		struct page *page = mapped_page(mm, addr);

		if (page)
			kind = merge_kind(kind, page_zone_kind(page));
	}
	ptl_unlock(mm);
	mmap_read_unlock(mm);
	return kind;
}

/* ---- one page's counts, as a kernel developer reads them ---- */

int user_page_counts(struct task_struct *task, unsigned long addr,
		     struct user_page_counts *out)
{
	struct mm_struct *mm = task ? task->mm : NULL;
	struct page *page = NULL;

	if (!mm)
		return -ESRCH;
	/*
	 * What a pin adds to a small folio's refcount changed in 5.7: the
	 * reading shows it, so `gupsim versions` names the entry here.
	 */
	(void)kernel_has(PIN_COUNTING_BIAS);
	mmap_read_lock(mm);
	ptl_lock(mm);
	if (mm->pgd)
		page = mapped_page(mm, addr);
	if (page) {
		/* page_count() and page_mapcount(): the folio's references */
		out->refcount = folio_ref_count(page_folio(page));
		out->mapcount = is_zero_page(page) ? 0 : page_mapcount(page);
	}
	ptl_unlock(mm);
	mmap_read_unlock(mm);
	return page ? 0 : -ENOENT;
}
