// SPDX-License-Identifier: GPL-2.0
/*
 * Files and the page cache.
 *
 * A struct file here is inode and open file in one: it carries the
 * address_space whose i_pages array is the page cache (one slot per page
 * index; a large folio fills every slot it covers). Files live on
 * machine->files until their last reference goes.
 *
 * Reference rules (see page_ref.h): the page cache holds folio_nr_pages()
 * references on each folio it contains; lookups hand out one more.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "explain.h"

static vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf);

/* ext4: a disk filesystem, so shared writable mappings track dirt. */
static const struct vm_operations_struct ext4_file_vm_ops = {
	.name = "ext4",
	.fault = filemap_fault,
	.page_mkwrite = filemap_page_mkwrite,
};

static void mapping_init(struct address_space *mapping, struct file *file)
{
	mapping->host = file;
	mapping->fs = file->fs;
	pthread_mutex_init(&mapping->i_pages_lock, NULL);
	pthread_rwlock_init(&mapping->i_mmap_rwsem, NULL);
	INIT_LIST_HEAD(&mapping->i_mmap);
	/*
	 * mapping_can_writeback(): ext4 (DAX or not) sits on a block device
	 * with writeback; tmpfs and hugetlbfs have none.
	 */
	mapping->can_writeback = file->fs == FS_EXT4 || file->fs == FS_DAX;
	mapping->nrpages = 0;
}

static const struct vm_operations_struct *fs_vm_ops(enum fs_type fs)
{
	switch (fs) {
	case FS_EXT4:
		return &ext4_file_vm_ops;
	case FS_TMPFS:
		return &shmem_vm_ops;
	case FS_DAX:
		return &dax_vm_ops;
	case FS_HUGETLBFS:
		return &hugetlb_vm_ops;
	}
	return NULL;
}

struct file *__file_create(const char *name, enum fs_type fs, size_t size,
			   unsigned int huge_order)
{
	struct file *file;

	if (VM_WARN(fs > FS_HUGETLBFS, "file_create: bad fs type %d", fs))
		return NULL;
	if (fs == FS_HUGETLBFS)
		size = ALIGN_UP(size, PAGE_SIZE << huge_order);

	file = calloc(1, sizeof(*file));
	if (!file)
		return NULL;
	snprintf(file->name, sizeof(file->name), "%s", name ? name : "");
	file->fs = fs;
	file->huge_order = fs == FS_HUGETLBFS ? huge_order : 0;
	file->size = size;
	atomic_init(&file->f_count, 1);
	file->vm_ops = fs_vm_ops(fs);
	mapping_init(&file->f_mapping, file);

	/* fs-DAX has no page cache: its pages are the device's. */
	file->f_mapping.nr_slots = file_nr_pages(file);
	if (fs != FS_DAX && file->f_mapping.nr_slots) {
		file->f_mapping.i_pages = calloc(file->f_mapping.nr_slots,
						 sizeof(struct folio *));
		if (!file->f_mapping.i_pages)
			goto out_free;
	}
	if (fs == FS_DAX && dax_file_setup(file))
		goto out_free;

	mutex_lock(&machine->lists_lock);
	list_add_tail(&file->files, &machine->files);
	mutex_unlock(&machine->lists_lock);
	return file;

out_free:
	free(file->f_mapping.i_pages);
	free(file);
	return NULL;
}

struct file *file_create(const char *name, enum fs_type fs, size_t size)
{
	return __file_create(name, fs, size, HPAGE_PMD_ORDER);
}

struct file *memfd_file_create(const char *name, size_t size)
{
	char buf[64];

	/* As /proc/<pid>/maps shows it: "memfd:<name>". */
	snprintf(buf, sizeof(buf), "memfd:%s", name ? name : "");
	return shmem_file_setup(buf, size);
}

/* The kernel's vfs_fallocate(): the filesystem's own ->fallocate. */
int vfs_fallocate(struct file *file, unsigned long off, unsigned long len)
{
	if (!file || !len || off + len < off)
		return explain_err(-EINVAL, "vfs_fallocate",
				   "length 0, or offset %#lx + length %#lx wraps around",
				   off, len);
	/* the kernel's limit is s_maxbytes; the model's files do not grow */
	if (off + len > file->size)
		return explain_err(-EFBIG, "vfs_fallocate",
				   "[%#lx, %#lx) goes past the file's size %#lx (the model's files do not grow)",
				   off, off + len, file->size);
	switch (file->fs) {
	case FS_TMPFS:
		return shmem_fallocate(file, off, len);
	case FS_HUGETLBFS:
		return hugetlbfs_fallocate(file, off, len);
	case FS_EXT4:
	case FS_DAX:
		break;
	}
	return 0;
}

struct file *get_file(struct file *file)
{
	if (!file)
		return NULL;
	VM_WARN(atomic_load(&file->f_count) <= 0,
		"get_file: file %s has no reference", file->name);
	atomic_fetch_add(&file->f_count, 1);
	return file;
}

/* The inode goes: page cache, device pages, the structure. */
static void file_free(struct file *file)
{
	struct address_space *mapping = &file->f_mapping;

	filemap_drop_all(mapping);
	if (file->fs == FS_DAX)
		dax_file_release(file);
	free(mapping->i_pages);
	pthread_mutex_destroy(&mapping->i_pages_lock);
	pthread_rwlock_destroy(&mapping->i_mmap_rwsem);
	free(file);
}

void fput(struct file *file)
{
	int old;

	if (!file)
		return;
	old = atomic_fetch_sub(&file->f_count, 1);
	if (VM_WARN(old <= 0, "fput: file %s has no reference", file->name))
		return;
	if (old != 1)
		return;
	/* Every VMA holds a reference: none maps the file any more. */
	VM_WARN(!list_empty(&file->f_mapping.i_mmap),
		"fput: file %s still mapped", file->name);
	mutex_lock(&machine->lists_lock);
	list_del(&file->files);
	mutex_unlock(&machine->lists_lock);
	file_free(file);
}

void destroy_all_files(void)
{
	struct file *file, *next;
	LIST_HEAD(dead);

	if (!machine)
		return;
	mutex_lock(&machine->lists_lock);
	list_splice_init(&machine->files, &dead);
	mutex_unlock(&machine->lists_lock);

	/* Tasks are gone by now: whatever count is left belongs to nobody. */
	list_for_each_entry_safe(file, next, &dead, files) {
		list_del(&file->files);
		file_free(file);
	}
	dax_release_all();
}

/* ---- the page cache ---- */

static void cache_account(struct address_space *mapping, long nr)
{
	mapping->nrpages += nr;
	mod_vmstat(NR_FILE_PAGES, nr);
	if (mapping->fs == FS_TMPFS)
		mod_vmstat(NR_SHMEM, nr);
}

/*
 * Takes a reference on the folio in a slot. A folio that migration has
 * frozen (refcount 0 while it swaps the cache slot) must not be revived
 * with a plain get: wait until the slot holds the new folio, as the
 * kernel's lookups retry on a failed folio_try_get().
 */
struct folio *filemap_get_folio(struct address_space *mapping, pgoff_t index)
{
	struct folio *folio;

	if (!mapping || index >= mapping->nr_slots || !mapping->i_pages)
		return NULL;
	for (;;) {
		spin_lock(&mapping->i_pages_lock);
		folio = mapping->i_pages[index];
		if (!folio || folio_try_get(folio)) {
			spin_unlock(&mapping->i_pages_lock);
			return folio;
		}
		spin_unlock(&mapping->i_pages_lock);
		/* the folio is being freed: its freer must run first */
		SCHED_YIELD("wait for a folio being freed");
		sched_yield();
	}
}

/*
 * Puts folio (refcount held by the caller) in slots [index, index + nr):
 * -EEXIST if any is taken. The flags a cache folio carries are set under
 * the lock, before anyone can look it up.
 */
static int filemap_add_folio(struct address_space *mapping,
			     struct folio *folio, pgoff_t index)
{
	unsigned long nr = folio_nr_pages(folio), i;
	int err = 0;

	spin_lock(&mapping->i_pages_lock);
	for (i = 0; i < nr; i++) {
		if (mapping->i_pages[index + i]) {
			err = -EEXIST;
			goto out;
		}
	}
	folio_set_uptodate(folio);
	if (mapping->fs == FS_TMPFS)
		folio_set_swapbacked(folio);
	/* hugetlb folios are never on an LRU. */
	if (!folio_test_hugetlb(folio))
		folio_set_lru(folio);
	for (i = 0; i < nr; i++) {
		folio_page(folio, i)->index = index + i;
		mapping->i_pages[index + i] = folio;
	}
	WRITE_ONCE(folio->page.mapping, (void *)mapping);
	folio_ref_add(folio, nr);
	cache_account(mapping, nr);
out:
	spin_unlock(&mapping->i_pages_lock);
	return err;
}

static struct folio *filemap_alloc_folio(struct address_space *mapping,
					 gfp_t gfp, unsigned int order)
{
	struct folio *folio;

	if (mapping->fs != FS_HUGETLBFS)
		return folio_alloc(gfp | __GFP_ZERO | (order ? __GFP_COMP : 0),
				   order);
	folio = alloc_hugetlb_folio_order(order);
	if (folio)
		hugetlb_zero_folio(folio);
	return folio;
}

/* filemap_grab_folio() with the gfp of the faulting mapping. */
static struct folio *__filemap_grab_folio(struct address_space *mapping,
					  pgoff_t index, unsigned int order,
					  gfp_t gfp)
{
	struct folio *folio;

	if (!mapping || !mapping->i_pages || index >= mapping->nr_slots)
		return NULL;
	if (mapping->fs == FS_HUGETLBFS)
		order = mapping->host->huge_order;
	for (;;) {
		pgoff_t start;

		folio = filemap_get_folio(mapping, index);
		if (folio)
			return folio;
		start = ALIGN_DOWN(index, 1UL << order);
		if (order && start + (1UL << order) > mapping->nr_slots) {
			if (mapping->fs == FS_HUGETLBFS)
				return NULL;	/* size is page-size aligned */
			order = 0;
			start = index;
		}
		folio = filemap_alloc_folio(mapping, gfp, order);
		if (!folio)
			return NULL;
		if (!filemap_add_folio(mapping, folio, start))
			return folio;
		/* Lost a race (or a smaller folio sits there): retry. */
		folio_put(folio);
		if (order && mapping->fs != FS_HUGETLBFS)
			order = 0;
	}
}

struct folio *filemap_grab_folio(struct address_space *mapping,
				 pgoff_t index, unsigned int order)
{
	return __filemap_grab_folio(mapping, index, order,
				    GFP_HIGHUSER_MOVABLE);
}

void filemap_replace_folio(struct address_space *mapping, struct folio *old,
			   struct folio *new)
{
	unsigned long nr = folio_nr_pages(old), i;
	pgoff_t index = old->page.index;

	if (VM_WARN(folio_nr_pages(new) != nr,
		    "filemap_replace_folio: order %u vs %u",
		    folio_order(old), folio_order(new)))
		return;
	spin_lock(&mapping->i_pages_lock);
	for (i = 0; i < nr; i++) {
		pgoff_t slot = index + i;

		if (VM_WARN(slot >= mapping->nr_slots ||
			    mapping->i_pages[slot] != old,
			    "filemap_replace_folio: slot %lu not old", slot))
			continue;
		mapping->i_pages[slot] = new;
		folio_page(new, i)->index = slot;
	}
	WRITE_ONCE(new->page.mapping, (void *)mapping);
	if (folio_test_uptodate(old))
		folio_set_uptodate(new);
	if (folio_test_swapbacked(old))
		folio_set_swapbacked(new);
	if (folio_test_dirty(old))
		folio_set_dirty(new);
	folio_ref_add(new, nr);
	spin_unlock(&mapping->i_pages_lock);
}

/* The first folio in the cache at or after *index (with a reference). */
static struct folio *filemap_next_folio(struct address_space *mapping,
					pgoff_t *index)
{
	for (; *index < mapping->nr_slots; (*index)++) {
		struct folio *folio = filemap_get_folio(mapping, *index);

		if (folio)
			return folio;
	}
	return NULL;
}

/*
 * Truncates the whole cache: each folio leaves with mapping = NULL and the
 * cache's references dropped. A pinned folio lives on until unpinned.
 * Each folio is locked first (truncate_inode_pages()), so a migration
 * that holds the folio lock while it swaps cache slots is never torn.
 */
void filemap_drop_all(struct address_space *mapping)
{
	struct folio *folio;
	pgoff_t index = 0;

	if (!mapping->i_pages)
		return;
	while ((folio = filemap_next_folio(mapping, &index))) {
		unsigned long nr = folio_nr_pages(folio), j;
		pgoff_t start = folio->page.index;
		bool removed = false;

		folio_lock(folio);
		spin_lock(&mapping->i_pages_lock);
		for (j = 0; j < nr && start + j < mapping->nr_slots; j++) {
			if (mapping->i_pages[start + j] == folio) {
				mapping->i_pages[start + j] = NULL;
				removed = true;
			}
		}
		if (removed) {
			cache_account(mapping, -(long)nr);
			WRITE_ONCE(folio->page.mapping, NULL);
		}
		spin_unlock(&mapping->i_pages_lock);
		folio_unlock(folio);
		/* Migrated meanwhile: the new folio is found next round. */
		folio_put_refs(folio, removed ? nr + 1 : 1);
		if (removed)
			index = max(index, start + nr);
	}
}

/* ---- faults ---- */

vm_fault_t filemap_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct folio *folio;
	gfp_t gfp;

	if (VM_WARN(!file, "filemap_fault: no file"))
		return VM_FAULT_SIGBUS;
	/* Access beyond EOF is SIGBUS (the mapping may be longer). */
	if (vmf->pgoff >= file_nr_pages(file))
		return VM_FAULT_SIGBUS;
	gfp = GFP_HIGHUSER_MOVABLE | vma_place_gfp(vma);
	folio = __filemap_grab_folio(&file->f_mapping, vmf->pgoff, 0, gfp);
	if (!folio)
		return VM_FAULT_OOM;
	folio_lock(folio);
	vmf->folio = folio;
	return VM_FAULT_LOCKED;
}

/*
 * The first write through a shared mapping: the filesystem learns the
 * folio is dirty (this is why writable long-term pins of such mappings are
 * refused: the fs cannot see writes made through a pin).
 */
static vm_fault_t filemap_page_mkwrite(struct vm_fault *vmf)
{
	struct address_space *mapping = &vmf->vma->vm_file->f_mapping;
	struct folio *folio = vmf->folio;
	bool put = false;

	if (!folio) {
		folio = filemap_get_folio(mapping, vmf->pgoff);
		put = true;
	}
	if (!folio)
		return VM_FAULT_NOPAGE;		/* truncated: retry */
	if (folio_mapping(folio) != mapping) {
		if (put)
			folio_put(folio);
		return VM_FAULT_NOPAGE;
	}
	folio_mark_dirty(folio);
	if (put)
		folio_put(folio);
	return 0;
}

/* ---- mmap ---- */

int file_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (VM_WARN(!file, "file_mmap: no file"))
		return -EINVAL;
	vma->vm_ops = file->vm_ops;
	if (is_file_hugepages(file))
		return hugetlbfs_file_mmap(file, vma);
	return 0;
}

static bool vma_fs_can_writeback(const struct vm_area_struct *vma)
{
	return vma->vm_file && vma->vm_file->f_mapping.can_writeback;
}

/*
 * Does a mapping with these flags have to be write-protected so that the
 * first write faults (page_mkwrite / dirty accounting)? Only a shared
 * writable one, and only if its filesystem wants to know.
 */
bool vma_wants_writenotify(const struct vm_area_struct *vma,
			   unsigned long vm_flags)
{
	if ((vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_ops && vma->vm_ops->page_mkwrite)
		return true;
	if (vm_flags & VM_PFNMAP)
		return false;
	return vma_fs_can_writeback(vma);
}

bool vma_needs_dirty_tracking(const struct vm_area_struct *vma)
{
	return vma_wants_writenotify(vma, vma->vm_flags);
}
