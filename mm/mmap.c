// SPDX-License-Identifier: GPL-2.0
/*
 * mmap and munmap: creating mappings (do_mmap, the unmapped-area search,
 * the backing of each kind of mapping), populating them (MAP_POPULATE),
 * removing them (do_munmap, exit_mmap), and the calls a test or a backend
 * makes, which take the mmap_lock themselves (vm_mmap, vm_munmap).
 */
#include <stdlib.h>
#include <string.h>

#include "vma.h"
#include "explain.h"

/* ---- page population ---- */

/* Is addr mapped the way a fault would leave it (writable if write)? */
static bool addr_populated(struct mm_struct *mm, unsigned long addr,
			   bool write, unsigned long *huge)
{
	pud_t *pud = mm_find_pud(mm, addr);
	pmd_t *pmd = mm_find_pmd(mm, addr);
	pte_t *pte, e;

	*huge = 0;
	if (pud && pmd_leaf(pmdp_get(pud))) {	/* 1 GiB hugetlb */
		e = pmdp_get(pud);
		*huge = PUD_SIZE;
		return !pmd_protnone(e) && (!write || pmd_write(e));
	}
	if (!pmd)
		return false;
	e = pmdp_get(pmd);
	if (pmd_leaf(e)) {
		*huge = PMD_SIZE;
		return !pmd_protnone(e) && (!write || pmd_write(e));
	}
	pte = pte_offset(pmd, addr);
	if (!pte)
		return false;
	e = ptep_get(pte);
	return pte_present(e) && !pte_protnone(e) && (!write || pte_write(e));
}

static int fault_to_errno(vm_fault_t ret)
{
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON))
		return -EFAULT;
	return 0;
}

/*
 * populate_vma_page_range(): faults every page of [start, end) in. Private
 * writable mappings get write faults (COW is broken now, not later), all
 * others read faults. Caller holds the mmap_lock.
 */
int populate_vma_range(struct vm_area_struct *vma, unsigned long start,
		       unsigned long end, bool write)
{
	unsigned long addr = start;

	while (addr < end) {
		unsigned long huge;
		vm_fault_t ret;

		if (!addr_populated(vma->vm_mm, addr, write, &huge)) {
			ret = handle_mm_fault(vma, addr,
					      write ? FAULT_FLAG_WRITE : 0);
			if (ret & VM_FAULT_ERROR)
				return fault_to_errno(ret);
			addr_populated(vma->vm_mm, addr, write, &huge);
		}
		addr = huge ? ALIGN_DOWN(addr, huge) + huge : addr + PAGE_SIZE;
	}
	return 0;
}

/* MAP_POPULATE: errors are ignored, as mm_populate() does. */
static void mm_populate(struct mm_struct *mm, unsigned long start,
			unsigned long len)
{
	unsigned long end = start + len;
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, start); vma && vma->vm_start < end;
	     vma = vma_next(mm, vma)) {
		bool write = (vma->vm_flags & (VM_WRITE | VM_SHARED)) ==
			     VM_WRITE;

		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (!(vma->vm_flags & VM_ACCESS_FLAGS))
			continue;
		populate_vma_range(vma, max(start, vma->vm_start),
				   min(end, vma->vm_end), write);
	}
}

/* ---- mmap ---- */

unsigned long calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) |
	       (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

bool range_is_free(struct mm_struct *mm, unsigned long addr,
		   unsigned long len)
{
	struct vm_area_struct *vma = find_vma(mm, addr);

	return !vma || vma->vm_start >= addr + len;
}

/*
 * Top-down first fit below mmap_base (the kernel's
 * arch_get_unmapped_area_topdown), align a power of two.
 */
static long unmapped_area_topdown(struct mm_struct *mm, unsigned long len,
				  unsigned long align)
{
	unsigned long high = mm->mmap_base;
	struct vm_area_struct *vma;

	list_for_each_entry_reverse(vma, &mm->mmap, vm_list) {
		if (vma->vm_start >= high)
			continue;
		if (vma->vm_end < high && high - vma->vm_end >= len) {
			unsigned long cand = ALIGN_DOWN(high - len, align);

			if (cand >= vma->vm_end && cand >= MMAP_MIN_ADDR)
				return cand;
		}
		high = vma->vm_start;
	}
	if (high >= MMAP_MIN_ADDR + len) {
		unsigned long cand = ALIGN_DOWN(high - len, align);

		if (cand >= MMAP_MIN_ADDR)
			return cand;
	}
	return -ENOMEM;
}

long get_unmapped_area(struct mm_struct *mm, unsigned long hint,
		       unsigned long len, unsigned long align)
{
	long addr;

	if (len > TASK_SIZE - MMAP_MIN_ADDR)
		return explain_err(-ENOMEM, "get_unmapped_area",
				   "%#lx bytes is more than the address space",
				   len);
	/* A hint is honoured when it is free (and suitably aligned). */
	if (hint) {
		hint = PAGE_ALIGN(hint);
		if (IS_ALIGNED(hint, align) && hint >= MMAP_MIN_ADDR &&
		    hint <= TASK_SIZE - len && range_is_free(mm, hint, len))
			return hint;
	}
	addr = unmapped_area_topdown(mm, len, align);
	if (addr < 0)
		explain_err(addr, "vm_unmapped_area",
			    "no free gap of %#lx bytes (aligned to %#lx)",
			    len, align);
	return addr;
}

static vm_fault_t io_fault(struct vm_fault *vmf)
{
	/* Every PTE was installed at mmap time; a hole is a bus error. */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct io_vm_ops = {
	.name = "gupsim_io",
	.fault = io_fault,
};

/* remap_pfn_range(): special PTEs, no refcounts, no rmap. */
static int remap_io_range(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned long pfn = machine->mmio_start_pfn + vma->vm_pgoff;

	for (unsigned long addr = vma->vm_start; addr < vma->vm_end;
	     addr += PAGE_SIZE, pfn++) {
		pmd_t *pmd = mm_alloc_pmd(mm, addr);
		pte_t *pte = pmd ? pte_alloc(mm, pmd, addr) : NULL;

		if (!pte)
			return -ENOMEM;
		ptl_lock(mm);
		set_pte(pte, pfn_pte(pfn, vma->vm_flags) | _PAGE_SPECIAL);
		ptl_unlock(mm);
	}
	return 0;
}

/* What backs the new VMA; vm_file / vm_ops / vm_pgoff are set here. */
static int mmap_setup_backing(struct vm_area_struct *vma, unsigned long flags,
			      struct file *file, unsigned long pgoff,
			      unsigned int hpage_order)
{
	if (flags & MAP_GUPSIM_IO) {
		vm_flags_set(vma, VM_IO | VM_PFNMAP | VM_DONTEXPAND |
			     VM_DONTDUMP | VM_SHARED | VM_MAYSHARE);
		vma->vm_ops = &io_vm_ops;
		vma->vm_pgoff = pgoff;
		return 0;
	}
	if (hpage_order && !file) {
		file = hugetlb_file_setup("anon_hugepage",
					  vma->vm_end - vma->vm_start,
					  hpage_order);
		if (!file)
			return -ENOMEM;
		vma->vm_file = file;	/* the setup's reference */
		vma->vm_pgoff = 0;
		return file_mmap(file, vma);
	}
	if (file) {
		vma->vm_file = get_file(file);
		vma->vm_pgoff = pgoff;
		return file_mmap(file, vma);
	}
	/* anonymous, or /dev/zero (which is anonymous memory too) */
	if (vma->vm_flags & VM_SHARED)
		return shmem_zero_setup(vma);
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	return 0;
}

static unsigned long mmap_vm_flags(unsigned long prot, unsigned long flags,
				   bool shared)
{
	unsigned long vm_flags = calc_vm_prot_bits(prot) |
				 VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

	if (shared)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	/* accountable_mapping(): private writable memory is committed. */
	if (!(flags & MAP_HUGETLB) &&
	    (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE)
		vm_flags |= VM_ACCOUNT;
	return vm_flags;
}

/* MAP_SHARED, MAP_SHARED_VALIDATE or MAP_PRIVATE: 0 or -EINVAL. */
static int mmap_sharing(unsigned long flags, bool *shared)
{
	switch (flags & MAP_SHARED_VALIDATE) {
	case MAP_SHARED_VALIDATE:
		/* validated sharing is for files (/dev/zero is one) only */
		if (flags & (MAP_ANONYMOUS | MAP_GUPSIM_IO))
			return -EINVAL;
		*shared = true;
		return 0;
	case MAP_SHARED:
		*shared = true;
		return 0;
	case MAP_PRIVATE:
		*shared = false;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Where the mapping goes: at addr for MAP_FIXED (unmapping what was
 * there) or MAP_FIXED_NOREPLACE (-EEXIST if taken), else a free range
 * near the hint. Returns the address or -errno.
 */
static long mmap_place(struct mm_struct *mm, unsigned long addr,
		       unsigned long len, unsigned long flags,
		       unsigned long hsize, unsigned long align)
{
	long ret;

	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return get_unmapped_area(mm, addr, len, align);
	if (!IS_ALIGNED(addr, hsize ? hsize : PAGE_SIZE))
		return -EINVAL;
	if (addr > TASK_SIZE - len)
		return -ENOMEM;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (!(flags & MAP_FIXED))
		return range_is_free(mm, addr, len) ? (long)addr : -EEXIST;
	ret = do_munmap(mm, addr, len);
	return ret ? ret : (long)addr;
}

/* mmap_region(): the new VMA over [addr, addr + len), set up and linked. */
static long mmap_region(struct mm_struct *mm, unsigned long addr,
			unsigned long len, unsigned long vm_flags,
			unsigned long flags, struct file *file,
			unsigned long pgoff, unsigned int hpage_order)
{
	struct vm_area_struct *vma = vm_area_alloc(mm);
	int ret;

	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vm_flags_init(vma, vm_flags);
	ret = mmap_setup_backing(vma, flags, file, pgoff, hpage_order);
	if (ret) {
		if (vma->vm_file)
			fput(vma->vm_file);
		vm_area_free(vma);
		return ret;
	}
	vma_link(mm, vma);
	if ((flags & MAP_GUPSIM_IO) && remap_io_range(vma)) {
		do_munmap(mm, addr, len);
		return -ENOMEM;
	}
	return addr;
}

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT	26
#define MAP_HUGE_MASK	0x3f
#endif

/*
 * The hugetlb page order a mapping gets, 0 for none: a hugetlbfs file's,
 * or for MAP_HUGETLB|MAP_ANONYMOUS the size MAP_HUGE_* encodes (log2 of
 * the size in bits 26-31; 0 means the default, 2 MiB). -EINVAL for a
 * size there is no pool for, or MAP_HUGETLB with another file.
 */
static int mmap_hpage_order(unsigned long flags, struct file *file,
			    unsigned int *order)
{
	unsigned int shift = (flags >> MAP_HUGE_SHIFT) & MAP_HUGE_MASK;

	*order = 0;
	if (file && is_file_hugepages(file)) {
		*order = file->huge_order;
		return 0;
	}
	if (!(flags & MAP_HUGETLB))
		return 0;
	if (file || !(flags & MAP_ANONYMOUS))
		return -EINVAL;
	*order = shift ? shift - PAGE_SHIFT : HPAGE_PMD_ORDER;
	if (shift < PAGE_SHIFT || !hugetlb_order_valid(*order))
		return shift ? -EINVAL : 0;
	return 0;
}

long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long pgoff)
{
	unsigned long align = PAGE_SIZE;
	unsigned int hpage_order;
	bool shared;
	long ret;

	mmap_assert_write_locked(mm);
	if (!len)
		return -EINVAL;
	ret = mmap_sharing(flags, &shared);
	if (ret)
		return ret;
	if (flags & (MAP_ANONYMOUS | MAP_GUPSIM_DEVZERO | MAP_GUPSIM_IO))
		file = NULL;	/* the fd is ignored, as for MAP_ANONYMOUS */
	else if (!file)
		return -EBADF;
	ret = mmap_hpage_order(flags, file, &hpage_order);
	if (ret)
		return ret;
	if (hpage_order) {
		align = PAGE_SIZE << hpage_order;
		len = ALIGN_UP(len, align);
	} else {
		len = PAGE_ALIGN(len);
	}
	if (!len || len > TASK_SIZE)
		return -ENOMEM;
	if (pgoff + (len >> PAGE_SHIFT) < pgoff)
		return -EOVERFLOW;
	if ((flags & MAP_GUPSIM_IO) &&
	    pgoff + (len >> PAGE_SHIFT) > machine->mmio_pages)
		return -EINVAL;
	if (mm->map_count >= MAX_MAP_COUNT)
		return -ENOMEM;
	/* thp_get_unmapped_area(): big mappings start on a PMD boundary. */
	if (len >= PMD_SIZE)
		align = max(align, PMD_SIZE);
	ret = mmap_place(mm, addr, len, flags,
			 hpage_order ? PAGE_SIZE << hpage_order : 0, align);
	if (ret < 0)
		return ret;
	return mmap_region(mm, ret, len, mmap_vm_flags(prot, flags, shared),
			   flags, file, pgoff, hpage_order);
}

/* ---- munmap ---- */

/*
 * Removes every VMA inside [start, end) (the caller split at both ends):
 * mappings first, then the links, then the page tables of the hole.
 */
void unmap_region(struct mm_struct *mm, unsigned long start,
		  unsigned long end)
{
	struct vm_area_struct *vma = find_vma(mm, start), *next, *prev;
	unsigned long floor, ceiling;

	if (!vma || vma->vm_start >= end)
		return;
	prev = vma_prev(mm, vma);
	for (next = vma; next && next->vm_start < end;
	     next = vma_next(mm, next))
		zap_page_range_single(next, next->vm_start, next->vm_end);
	while (vma && vma->vm_start < end) {
		next = vma_next(mm, vma);
		vma_locked_vm_add(vma, -(long)((vma->vm_end - vma->vm_start) >>
						PAGE_SHIFT));
		remove_vma(mm, vma);
		vma = next;
	}
	floor = prev ? prev->vm_end : 0;
	ceiling = vma ? vma->vm_start : TASK_SIZE;
	free_pgtables(mm, floor, ceiling);
}

int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	struct vm_area_struct *vma, *last;
	unsigned long end;
	int err;

	mmap_assert_write_locked(mm);
	if (!PAGE_ALIGNED(start) || start > TASK_SIZE ||
	    len > TASK_SIZE - start)
		return explain_err(-EINVAL, "do_vmi_munmap",
				   "[%#lx, +%#lx) is not page aligned or goes past TASK_SIZE",
				   start, len);
	len = PAGE_ALIGN(len);
	if (!len)
		return explain_err(-EINVAL, "do_vmi_munmap", "length 0");
	end = start + len;

	vma = find_vma(mm, start);
	if (!vma || vma->vm_start >= end)
		return 0;
	/* Cutting a hole in one VMA makes one more of them. */
	if (start > vma->vm_start && end < vma->vm_end &&
	    mm->map_count >= MAX_MAP_COUNT)
		return explain_vma_err(-ENOMEM, vma, "do_vmi_align_munmap",
				       "a hole in the VMA would exceed sysctl_max_map_count (%d)",
				       MAX_MAP_COUNT);
	if (start > vma->vm_start) {
		err = split_vma(vma, start);
		if (err)
			return err;
	}
	last = find_vma(mm, end - 1);
	if (last && last->vm_start < end && end < last->vm_end) {
		err = split_vma(last, end);
		if (err)
			return err;
	}
	unmap_region(mm, start, end);
	return 0;
}

/* ---- exit ---- */

void exit_mmap(struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next;

	mmap_write_lock(mm);
	list_for_each_entry(vma, &mm->mmap, vm_list)
		zap_page_range_single(vma, vma->vm_start, vma->vm_end);
	list_for_each_entry_safe(vma, next, &mm->mmap, vm_list)
		remove_vma(mm, vma);
	free_pgtables(mm, 0, TASK_SIZE);
	pgd_free(mm);
	mmap_write_unlock(mm);
}


long vm_mmap(struct task_struct *task, unsigned long addr, unsigned long len,
	     unsigned long prot, unsigned long flags, struct file *file,
	     unsigned long off)
{
	struct mm_struct *mm = task_mm_checked(task);
	long ret;

	if (!mm)
		return -EINVAL;
	if (!PAGE_ALIGNED(off) || off + PAGE_ALIGN(len) < off)
		return explain_err(-EINVAL, "vm_mmap_pgoff",
				   "file offset %#lx is not page aligned (or wraps)",
				   off);
	mmap_write_lock(mm);
	ret = do_mmap(mm, addr, len, prot, flags, file, off >> PAGE_SHIFT);
	mmap_write_unlock(mm);
	if (ret >= 0 && (flags & MAP_POPULATE)) {
		/* like the kernel: populate after the write lock is gone */
		mmap_read_lock(mm);
		mm_populate(mm, ret, PAGE_ALIGN(len));
		mmap_read_unlock(mm);
	}
	return ret;
}

int vm_set_place(struct task_struct *task, unsigned long addr,
		 enum place_hint place)
{
	struct mm_struct *mm = task_mm_checked(task);
	struct vm_area_struct *vma;
	int ret = -ENOMEM;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	if (vma) {
		vma->place = place;
		ret = 0;
	}
	mmap_write_unlock(mm);
	return ret;
}

int vm_munmap(struct task_struct *task, unsigned long start, size_t len)
{
	struct mm_struct *mm = task_mm_checked(task);
	int ret;

	if (!mm)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = do_munmap(mm, start, len);
	mmap_write_unlock(mm);
	return ret;
}

