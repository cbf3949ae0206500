// SPDX-License-Identifier: GPL-2.0
/*
 * shmem / tmpfs: memory-backed files. Their folios are swap-backed page
 * cache, so no writeback and no page_mkwrite: a shared writable mapping of
 * tmpfs needs no dirty tracking, which is why FOLL_LONGTERM write pins of it
 * are allowed. shmem also backs shared anonymous and /dev/zero mappings and
 * memfd_create().
 */
#include "internal.h"
#include "explain.h"

const struct vm_operations_struct shmem_vm_ops = {
	.name = "shmem",
	.fault = filemap_fault,
};

struct file *shmem_file_setup(const char *name, size_t size)
{
	return file_create(name, FS_TMPFS, size);
}

/*
 * A MAP_SHARED|MAP_ANONYMOUS (or shared /dev/zero) VMA gets its own tmpfs
 * object of the VMA's size, so that fork()ed children share its pages.
 */
int shmem_zero_setup(struct vm_area_struct *vma)
{
	struct file *file;

	file = shmem_file_setup("dev/zero", vma->vm_end - vma->vm_start);
	if (!file)
		return -ENOMEM;
	if (vma->vm_file)
		fput(vma->vm_file);
	vma->vm_file = file;
	vma->vm_ops = &shmem_vm_ops;
	vma->vm_pgoff = 0;
	return 0;
}

bool vma_is_shmem(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->fs == FS_TMPFS;
}

/*
 * fallocate on tmpfs: every page of the range gets a zeroed folio in the
 * page cache now, so a later fault only maps it. The kernel undoes the
 * pages it added when it fails half-way; the model keeps them (the only
 * failure is running out of memory, which scenarios do not reach).
 */
int shmem_fallocate(struct file *file, unsigned long off, unsigned long len)
{
	pgoff_t idx = off >> PAGE_SHIFT;
	pgoff_t end = PAGE_ALIGN(off + len) >> PAGE_SHIFT;

	for (; idx < end; idx++) {
		struct folio *folio = filemap_grab_folio(&file->f_mapping,
							 idx, 0);

		if (!folio)
			return explain_err(-ENOMEM, "shmem_fallocate",
					   "no page for index %lu of the file",
					   idx);
		folio_put(folio);
	}
	return 0;
}
