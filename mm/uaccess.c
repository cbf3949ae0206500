// SPDX-License-Identifier: GPL-2.0
/*
 * User-space loads and stores: what a CPU does when a task touches its
 * memory. Each page is reached through the task's page tables; an entry
 * that does not allow the access raises a fault (handle_mm_fault with
 * FAULT_FLAG_USER), and the access is retried, as the hardware would.
 *
 * Permissions follow x86-64: a VMA with any of read, write or exec access
 * can be read (there is no write-only or exec-only page without protection
 * keys); writing needs VM_WRITE. No VMA, or no permission: SIGSEGV; a fault
 * the filesystem cannot serve (past EOF): SIGBUS.
 *
 * The bytes are copied with a folio reference held, taken under the ptl
 * while the entry was seen: migration cannot move the page (its refcount
 * check fails) and nothing frees it while we copy.
 */
#include <string.h>

#include "api_check.h"

enum uaccess_op { UA_READ, UA_WRITE, UA_MEMSET };

struct uaccess {
	enum uaccess_op op;
	unsigned char *ubuf;		/* UA_READ: destination */
	const unsigned char *kbuf;	/* UA_WRITE: source */
	int byte;			/* UA_MEMSET */
};

static void copy_chunk(struct uaccess *ua, void *kaddr, size_t done,
		       size_t len)
{
	switch (ua->op) {
	case UA_READ:
		memcpy(ua->ubuf + done, kaddr, len);
		break;
	case UA_WRITE:
		memcpy(kaddr, ua->kbuf + done, len);
		break;
	case UA_MEMSET:
		memset(kaddr, ua->byte, len);
		break;
	}
}

/* Does the entry let the CPU do this access without a fault? */
static bool entry_allows(uint64_t entry, bool write)
{
	if (!pte_present(entry) || pte_protnone(entry))
		return false;
	return !write || pte_write(entry);
}

/*
 * Copies [addr, addr+len) (within one page) if the page tables allow it.
 * Returns false when a fault is needed.
 */
static bool try_access(struct mm_struct *mm, unsigned long addr, size_t len,
		       struct uaccess *ua, size_t done)
{
	bool write = ua->op != UA_READ;
	struct folio *folio = NULL;
	unsigned long pfn;
	uint64_t *entryp, entry;
	pud_t *pud = mm_find_pud(mm, addr);
	pmd_t *pmd = mm_find_pmd(mm, addr);
	pmd_t pmdval;

	/* a PUD leaf (1 GiB hugetlb) maps its whole folio, as a PMD leaf */
	if (pud && pmd_leaf(pmdp_get(pud)))
		pmd = pud;
	if (!pmd)
		return false;
	ptl_lock(mm);
	pmdval = pmdp_get(pmd);
	if (pmd_leaf(pmdval)) {
		entryp = pmd;
		pfn = pmd_pfn(pmdval) +
		      ((addr & (pmd == pud ? ~PUD_MASK : ~PMD_MASK)) >>
		       PAGE_SHIFT);
	} else if (pmd_is_table(pmdval)) {
		entryp = pte_offset(pmd, addr);
		pfn = pte_pfn(ptep_get(entryp));
	} else {
		ptl_unlock(mm);
		return false;
	}
	entry = entry_get(entryp);
	if (!entry_allows(entry, write)) {
		ptl_unlock(mm);
		return false;
	}
	/* The CPU sets the accessed and dirty bits as it goes. */
	entry = pte_mkyoung(entry);
	if (write)
		entry = pte_mkdirty(entry);
	set_pte(entryp, entry);
	if (!pte_special(entry)) {
		folio = pfn_folio(pfn);
		folio_get(folio);
	}
	ptl_unlock(mm);

	/* Special entries: the zero page or an MMIO window; never moved. */
	copy_chunk(ua, (unsigned char *)page_address(pfn_to_page(pfn)) +
			       (addr & ~PAGE_MASK), done, len);
	if (folio)
		folio_put(folio);
	return true;
}

static bool vma_allows(const struct vm_area_struct *vma, bool write)
{
	if (write)
		return vma->vm_flags & VM_WRITE;
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

static enum uaccess_result access_user(struct task_struct *task,
				       unsigned long addr, size_t len,
				       struct uaccess *ua)
{
	bool write = ua->op != UA_READ;
	enum uaccess_result res = UACCESS_OK;
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	size_t done = 0;
	int faults = 0;
	vm_fault_t ret;

	if (!task || VM_WARN_MISUSE(task_is_dead(task),
				    "user access by task %p, which has exited",
				    (void *)task) || !task->mm)
		return UACCESS_SIGSEGV;
	if (addr + len < addr)
		return UACCESS_SIGSEGV;
	mm = task->mm;
	mmap_read_lock(mm);
	while (done < len) {
		unsigned long a = addr + done;
		size_t chunk = min(len - done, PAGE_SIZE - (a & ~PAGE_MASK));

		vma = vma_lookup(mm, a);
		if (!vma || !vma_allows(vma, write)) {
			res = UACCESS_SIGSEGV;
			break;
		}
		if (try_access(mm, a, chunk, ua, done)) {
			done += chunk;
			faults = 0;
			continue;
		}
		/* A fault that "succeeds" forever is a model bug, not a hang. */
		if (VM_WARN(++faults > 1000, "uaccess: fault loop at %#lx", a)) {
			res = UACCESS_SIGBUS;
			break;
		}
		ret = handle_mm_fault(vma, a, FAULT_FLAG_USER |
				      (write ? FAULT_FLAG_WRITE : 0));
		if (ret & VM_FAULT_SIGBUS) {
			res = UACCESS_SIGBUS;
			break;
		}
		if (ret & VM_FAULT_ERROR) {
			res = UACCESS_SIGSEGV;
			break;
		}
	}
	mmap_read_unlock(mm);
	return res;
}

enum uaccess_result user_write(struct task_struct *task, unsigned long addr,
			       const void *buf, size_t len)
{
	struct uaccess ua = { .op = UA_WRITE, .kbuf = buf };

	return access_user(task, addr, len, &ua);
}

enum uaccess_result user_read(struct task_struct *task, unsigned long addr,
			      void *buf, size_t len)
{
	struct uaccess ua = { .op = UA_READ, .ubuf = buf };

	return access_user(task, addr, len, &ua);
}

enum uaccess_result user_memset(struct task_struct *task, unsigned long addr,
				int byte, size_t len)
{
	struct uaccess ua = { .op = UA_MEMSET, .byte = byte };

	return access_user(task, addr, len, &ua);
}
