// SPDX-License-Identifier: GPL-2.0
/*
 * The explain record (gupsim/explain.h) and the model's descriptions of
 * the objects a rule looked at: a VMA as /proc/PID/maps would show it with
 * its backing, a page with the counts that decide whether it may move.
 * A record holds a few lines; what does not fit is counted, not stored.
 */
#include <stdarg.h>
#include <string.h>

#include "internal.h"
#include "explain.h"
#include "kernel_profile.h"

__thread struct explain *explain_current;

/* The profiles' one list of entries names the release and commit. */
explain_describe_fn *explain_entry_describe = kernel_entry_describe;

void __explain_since(const char *entry)
{
	char buf[EXPLAIN_LINE_LEN - 32];
	explain_describe_fn *describe = explain_entry_describe;

	if (describe && describe(entry, buf, sizeof(buf)))
		__explain_line(EXPLAIN_SINCE, "%s, profile entry %s", buf,
			       entry);
}

void __explain_until(const char *entry)
{
	char buf[EXPLAIN_LINE_LEN - 32];
	explain_describe_fn *describe = explain_entry_describe;

	if (describe && describe(entry, buf, sizeof(buf)))
		__explain_line(EXPLAIN_UNTIL, "%s, profile entry %s (the running release predates it)",
			       buf, entry);
}

void explain_begin(struct explain *ex)
{
	memset(ex, 0, sizeof(*ex));
	explain_current = ex;
}

void explain_end(void)
{
	explain_current = NULL;
}

static void explain_vline(enum explain_kind kind, const char *fmt,
			  va_list ap)
{
	struct explain *ex = explain_current;

	if (!ex)
		return;
	if (ex->nr_lines == EXPLAIN_LINES) {
		ex->dropped++;
		return;
	}
	ex->line[ex->nr_lines].kind = kind;
	vsnprintf(ex->line[ex->nr_lines].text, EXPLAIN_LINE_LEN, fmt, ap);
	/* a retry loop deciding the same again says it once */
	for (int i = 0; i < ex->nr_lines; i++)
		if (!strcmp(ex->line[i].text, ex->line[ex->nr_lines].text))
			return;
	ex->nr_lines++;
	ex->nr_rules += kind == EXPLAIN_RULE;
}

void __explain_line(enum explain_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	explain_vline(kind, fmt, ap);
	va_end(ap);
}

void explain_fallback(const char *fmt, ...)
{
	struct explain *ex = explain_current;
	va_list ap;

	if (!ex || ex->pin.fallback[0])
		return;
	va_start(ap, fmt);
	vsnprintf(ex->pin.fallback, sizeof(ex->pin.fallback), fmt, ap);
	va_end(ap);
}

const char *explain_errno_name(int err)
{
	switch (-err) {
	case EFAULT: return "EFAULT";
	case ENOMEM: return "ENOMEM";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	case ENOSPC: return "ENOSPC";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOBUFS: return "ENOBUFS";
	case EOVERFLOW: return "EOVERFLOW";
	case EFBIG: return "EFBIG";
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ESRCH: return "ESRCH";
	default: return "?";
	}
}

/* ---- objects ---- */

static const char *explain_vma_backing(struct vm_area_struct *vma)
{
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return "VM_IO|VM_PFNMAP device memory";
	if (is_vm_hugetlb_page(vma))
		return "hugetlb";
	if (vma_is_fsdax(vma))
		return "fs-DAX file";
	if (vma_is_anonymous(vma))
		return "anonymous";
	if (vma_needs_dirty_tracking(vma))
		return "file with dirty tracking (ext4-like)";
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name;
	return "file";
}

void __explain_vma(struct vm_area_struct *vma)
{
	unsigned long f = vma->vm_flags;

	__explain_line(EXPLAIN_OBJECT,
		       "vma %#lx-%#lx %c%c%c%c vm_flags=%#lx%s%s %s",
		       vma->vm_start, vma->vm_end, f & VM_READ ? 'r' : '-',
		       f & VM_WRITE ? 'w' : '-', f & VM_EXEC ? 'x' : '-',
		       f & VM_SHARED ? 's' : 'p', f,
		       f & VM_LOCKED ? " VM_LOCKED" : "",
		       f & VM_MAYWRITE ? " VM_MAYWRITE" : "",
		       explain_vma_backing(vma));
}

/* The first busy folio speaks for the rest, which are counted. */
static bool explain_first_busy(struct page *page)
{
	struct explain *ex = explain_current;

	ex->nr_busy++;
	if (ex->has_busy_pfn)
		return false;
	ex->has_busy_pfn = true;
	ex->busy_pfn = page_to_pfn(page);
	return true;
}

void __explain_busy_page(struct page *page, int expected)
{
	if (!explain_first_busy(page))
		return;
	__explain_line(EXPLAIN_RULE,
		       "folio_migrate_mapping(): refcount %d, expected %d: a pin or another reference holds the folio, it cannot move",
		       folio_ref_count(page_folio(page)), expected);
	__explain_page("busy page", page);
}

void __explain_pinned_skip(struct page *page)
{
	struct folio *folio = page_folio(page);

	if (!explain_first_busy(page))
		return;
	/* the scanner's own reference is dropped by now */
	__explain_line(EXPLAIN_RULE,
		       "isolate_migratepages_range(): refcount %d beyond mapcount %d: an anonymous folio a pin or GUP reference holds is left in place, the range stays busy",
		       folio_ref_count(folio), folio_mapcount(folio));
	__explain_page("busy page", page);
}

void __explain_page(const char *what, struct page *page)
{
	static const char *const zones[] = { "Normal", "Movable", "Device" };
	struct folio *folio = page_folio(page);

	unsigned long pfn = page_to_pfn(page);
	bool in_cma = cma_area && pfn >= cma_area->base_pfn &&
		      pfn < cma_area->base_pfn + cma_area->count;

	__explain_line(EXPLAIN_OBJECT,
		       "%s pfn %#lx zone %s%s migratetype %s refcount %d mapcount %d pincount %d%s%s",
		       what, pfn, zones[page_zonenum(page)],
		       in_cma ? " (CMA area)" : "",
		       page_zonenum(page) == ZONE_DEVICE ? "-" :
		       migratetype_name(get_pageblock_migratetype(page)),
		       folio_ref_count(folio), folio_mapcount(folio),
		       atomic_load(&folio->page._debug_pins),
		       folio_maybe_dma_pinned(folio) ? " maybe-pinned" : "",
		       atomic_load(&folio->page._debug_lt_pins) ?
		       " (long-term)" : "");
}
