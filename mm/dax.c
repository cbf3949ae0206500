// SPDX-License-Identifier: GPL-2.0
/*
 * fs-DAX: files whose blocks are device memory (ZONE_DEVICE pages outside
 * the buddy allocator, pfns [dax_start_pfn, dax_start_pfn + dax_pages)).
 * There is no page cache: a fault maps the device page of the file offset
 * directly. Each device page is an order-0 folio whose mapping is the
 * file's address_space; it has refcount 0 while idle, and every mapping and
 * GUP reference counts on it as on a page-cache page (6.15+ refcounted DAX
 * pages).
 *
 * A private mapping's write fault returns the device folio (locked, with a
 * reference) and lets memory.c copy it into an anon page, as for any file.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BITS_PER_LONG	(8 * sizeof(unsigned long))

/* The device pages handed out to files; one bit per page. */
static struct {
	pthread_mutex_t lock;
	unsigned long *bitmap;
	unsigned long nbits;
	struct machine *owner;
} dax = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool dax_test(unsigned long i)
{
	return dax.bitmap[i / BITS_PER_LONG] & (1UL << (i % BITS_PER_LONG));
}

static void dax_assign(unsigned long i, bool set)
{
	if (set)
		dax.bitmap[i / BITS_PER_LONG] |= 1UL << (i % BITS_PER_LONG);
	else
		dax.bitmap[i / BITS_PER_LONG] &= ~(1UL << (i % BITS_PER_LONG));
}

/* Called with dax.lock: the bitmap of the current machine, made lazily. */
static int dax_bitmap_get(void)
{
	if (dax.bitmap && dax.owner == machine &&
	    dax.nbits == machine->dax_pages)
		return 0;
	free(dax.bitmap);
	dax.nbits = machine->dax_pages;
	dax.owner = machine;
	dax.bitmap = calloc((dax.nbits + BITS_PER_LONG - 1) / BITS_PER_LONG + 1,
			    sizeof(unsigned long));
	return dax.bitmap ? 0 : -ENOMEM;
}

/* First fit: fs-DAX files are contiguous on the device. */
int dax_alloc_range(unsigned long nr_pages, unsigned long *pfn)
{
	unsigned long i, run = 0;
	int err;

	if (!nr_pages)
		return -EINVAL;
	mutex_lock(&dax.lock);
	err = dax_bitmap_get();
	if (err)
		goto out;
	err = -ENOMEM;
	for (i = 0; i < dax.nbits; i++) {
		run = dax_test(i) ? 0 : run + 1;
		if (run == nr_pages) {
			unsigned long first = i + 1 - nr_pages, j;

			for (j = first; j <= i; j++)
				dax_assign(j, true);
			*pfn = machine->dax_start_pfn + first;
			err = 0;
			break;
		}
	}
out:
	mutex_unlock(&dax.lock);
	return err;
}

void dax_free_range(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long first = pfn - machine->dax_start_pfn, i;

	mutex_lock(&dax.lock);
	if (VM_WARN(!dax.bitmap || pfn < machine->dax_start_pfn ||
		    first + nr_pages > dax.nbits,
		    "dax_free_range: pfn %#lx +%lu outside the device",
		    pfn, nr_pages))
		goto out;
	for (i = first; i < first + nr_pages; i++) {
		VM_WARN(!dax_test(i), "dax_free_range: pfn %#lx not in use",
			machine->dax_start_pfn + i);
		dax_assign(i, false);
	}
out:
	mutex_unlock(&dax.lock);
}

void dax_release_all(void)
{
	mutex_lock(&dax.lock);
	free(dax.bitmap);
	dax.bitmap = NULL;
	dax.nbits = 0;
	dax.owner = NULL;
	mutex_unlock(&dax.lock);
}

int dax_file_setup(struct file *file)
{
	unsigned long nr = file_nr_pages(file), i;
	int err;

	if (!nr)
		return 0;
	err = dax_alloc_range(nr, &file->dax_pfn);
	if (err)
		return err;
	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(file->dax_pfn + i);

		/* A new file reads as zeroes, whatever the device held. */
		memset(page_address(page), 0, PAGE_SIZE);
	}
	return 0;
}

void dax_file_release(struct file *file)
{
	unsigned long nr = file_nr_pages(file), i;

	if (!nr)
		return;
	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(file->dax_pfn + i);

		/*
		 * A GUP reference may outlive the file (the kernel would wait
		 * for it in dax_break_layout()); the page just loses its file.
		 */
		if (folio_ref_count(page_folio(page)))
			WRITE_ONCE(page->mapping, NULL);
	}
	dax_free_range(file->dax_pfn, nr);
}

bool vma_is_fsdax(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->fs == FS_DAX;
}

static struct page *dax_file_page(struct file *file, pgoff_t pgoff)
{
	return pfn_to_page(file->dax_pfn + pgoff);
}

/*
 * Takes a reference on the device page of pgoff and ties it to the file
 * (dax_associate_entry()): an idle device page (refcount 0) has lost its
 * mapping in __folio_put().
 */
static struct folio *dax_get_folio(struct file *file, pgoff_t pgoff)
{
	struct page *page = dax_file_page(file, pgoff);
	struct folio *folio = page_folio(page);

	/* From 0 when idle: folio_try_get() would refuse. */
	folio_ref_add(folio, 1);
	page->index = pgoff;
	WRITE_ONCE(page->mapping, (void *)&file->f_mapping);
	folio_set_uptodate(folio);
	return folio;
}

/*
 * Maps the device page itself (_PAGE_DEVMAP): a shared writable mapping
 * is mapped read-only on a read fault so the first write reaches
 * ->page_mkwrite (dirty tracking), writable and dirty on a write fault.
 */
static vm_fault_t dax_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct file *file = vma->vm_file;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct folio *folio;
	struct page *page;
	pmd_t *pmd;
	pte_t *ptep, entry;

	if (VM_WARN(!file, "dax_fault: no file"))
		return VM_FAULT_SIGBUS;
	if (vmf->pgoff >= file_nr_pages(file))
		return VM_FAULT_SIGBUS;
	page = dax_file_page(file, vmf->pgoff);

	if (write && is_cow_mapping(vma->vm_flags)) {
		/* memory.c copies it into an anon folio (do_cow_fault). */
		folio = dax_get_folio(file, vmf->pgoff);
		folio_lock(folio);
		vmf->folio = folio;
		return VM_FAULT_LOCKED;
	}

	pmd = vmf->pmd ? vmf->pmd : mm_alloc_pmd(mm, vmf->address);
	if (!pmd)
		return VM_FAULT_OOM;
	ptep = pte_alloc(mm, pmd, vmf->address);
	if (!ptep)
		return VM_FAULT_OOM;

	entry = mk_pte(page, vma->vm_flags) | _PAGE_DEVMAP;
	if (write && (vma->vm_flags & VM_WRITE))
		entry = pte_mkdirty(pte_mkwrite(entry));
	else if (vma_wants_writenotify(vma, vma->vm_flags))
		entry = pte_wrprotect(entry);
	entry = pte_mkyoung(entry);

	folio = dax_get_folio(file, vmf->pgoff);
	ptl_lock(mm);
	if (!pte_none(ptep_get(ptep))) {
		ptl_unlock(mm);
		folio_put(folio);
		return VM_FAULT_NOPAGE;
	}
	folio_add_file_rmap_ptes(folio, page, 1, vma);
	set_pte(ptep, entry);
	atomic_fetch_add(&mm->rss_file, 1);
	ptl_unlock(mm);
	if (pte_write(entry))
		folio_set_dirty(folio);
	return VM_FAULT_NOPAGE;
}

static vm_fault_t dax_page_mkwrite(struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct folio *folio = vmf->folio;

	if (!folio) {
		if (vmf->pgoff >= file_nr_pages(file))
			return VM_FAULT_SIGBUS;
		folio = page_folio(dax_file_page(file, vmf->pgoff));
	}
	/* The fs would mark the DAX entry dirty for a later fsync. */
	folio_set_dirty(folio);
	return 0;
}

const struct vm_operations_struct dax_vm_ops = {
	.name = "ext4-dax",
	.fault = dax_fault,
	.page_mkwrite = dax_page_mkwrite,
};
