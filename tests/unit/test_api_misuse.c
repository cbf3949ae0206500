// SPDX-License-Identifier: GPL-2.0
/*
 * API misuse is reported where it happens, with the kernel's errno where
 * the kernel has an answer and a warning naming the misuse otherwise, and
 * never crashes: unknown FOLL_* bits, put_page() of a pin, unpinning
 * after machine_destroy(), and tasks or mms used after they exited.
 */
#include "harness.h"
#include "../../mm/testing.h"

/* Broken-invariant warnings: misuse must never count as one. */
static int nr_broken(void)
{
	char buf[2048];

	return mm_warnings(buf, sizeof(buf));
}

/*
 * The kernel's slow path checks only the internal flags, so a bit that
 * names no flag passes (is_valid_gup_args()); GUP-fast refuses it with
 * -EINVAL. The model keeps both answers and reports the slow one.
 */
TEST(unknown_foll_bits_reported)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };
	int misuse = mm_misuse_count();

	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE | (1U << 31), pages), 1);
	ASSERT_EQ(mm_misuse_count(), misuse + 1);
	unpin_user_page(pages[0]);
	ASSERT_EQ(t_gup(t, addr, 1, 1U << 30, pages), 1);
	ASSERT_EQ(mm_misuse_count(), misuse + 2);
	put_page(pages[0]);
	ASSERT_EQ(pin_user_pages_fast(addr, 1, 1U << 31, pages), -EINVAL);
	ASSERT_GE(mm_misuse_count(), misuse + 3);
	ASSERT_EQ(nr_broken(), 0);
	task_exit(t);
}

/*
 * put_page() of a page that only a pin holds: the kernel would drop a
 * reference the pin owns. The model refuses, says so, and the later
 * unpin_user_page() still releases the page cleanly.
 */
TEST(put_page_of_pin_refused)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1];
	int misuse = mm_misuse_count();
	long ref;

	t_fill(t, addr, 0x42, PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, pages), 1);
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	ref = page_ref_count(pages[0]);
	ASSERT_EQ(ref, GUP_PIN_COUNTING_BIAS);
	put_page(pages[0]);
	ASSERT_EQ(mm_misuse_count(), misuse + 1);
	ASSERT_EQ(page_ref_count(pages[0]), ref);
	ASSERT_INVARIANTS();
	unpin_user_page(pages[0]);
	ASSERT_EQ(nr_broken(), 0);
	task_exit(t);
}

/* A plain reference next to the pin is still put as usual. */
TEST(put_page_next_to_pin_allowed)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pin[1], *ref[1];
	int misuse = mm_misuse_count();

	ASSERT_EQ(t_pin(t, addr, 1, FOLL_WRITE, pin), 1);
	ASSERT_EQ(t_gup(t, addr, 1, 0, ref), 1);
	ASSERT_EQ(vm_munmap(t, addr, PAGE_SIZE), 0);
	put_page(ref[0]);
	ASSERT_EQ(mm_misuse_count(), misuse);
	ASSERT_EQ(page_ref_count(pin[0]), GUP_PIN_COUNTING_BIAS);
	unpin_user_page(pin[0]);
	task_exit(t);
}

/*
 * Pages pinned on a machine that was destroyed point into memory that
 * no longer exists: unpinning them is reported and does nothing. (Once
 * a new machine exists, its struct pages may lie at the same addresses:
 * a stale pointer then names one of its pages, as in the kernel.)
 */
TEST_NO_MACHINE(unpin_after_machine_destroy_reported)
{
	struct machine_config cfg = { .mem = 64 << 20 };
	struct page *pages[2];
	struct task_struct *t;
	char buf[4096];
	unsigned long addr;
	int misuse;

	ASSERT_EQ(machine_create(&cfg), 0);
	t = t_task("t");
	addr = t_mmap_anon(t, 2 * PAGE_SIZE);
	ASSERT_EQ(t_pin(t, addr, 2, FOLL_WRITE, pages), 2);
	/* The pins are still held: the leak check says so. */
	ASSERT_NE(machine_destroy(buf, sizeof(buf)), 0);

	misuse = mm_misuse_count();
	unpin_user_pages(pages, 2);
	unpin_user_page(pages[0]);
	put_page(pages[1]);
	unpin_user_pages_dirty_lock(pages, 2, true);
	ASSERT_EQ(mm_misuse_count(), misuse + 6);
}

/*
 * A `current` left pointing at a task that exited (another thread ran
 * task_exit(), or the machine went): GUP answers -EFAULT, as for no
 * current mm, and says why.
 */
TEST(stale_current_reported)
{
	struct task_struct *t = t_task("t");
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };
	int misuse;

	task_exit(t);
	ASSERT_NULL(current);
	current = t;			/* the misuse: a dangling current */
	misuse = mm_misuse_count();
	ASSERT_EQ(pin_user_pages_fast(addr, 1, FOLL_WRITE, pages), -EFAULT);
	ASSERT_EQ(get_user_pages_fast(addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(get_user_pages(addr, 1, 0, pages), -EFAULT);
	ASSERT_EQ(pin_user_pages_unlocked(addr, 1, pages, 0), -EFAULT);
	ASSERT_GE(mm_misuse_count(), misuse + 4);
	ASSERT_NULL(pages[0]);
	current = NULL;
	ASSERT_EQ(nr_broken(), 0);
}

/*
 * An exited task, or the mm of one, handed to the address-space calls,
 * to fork, to user access or to the remote GUP calls: reported, refused
 * with an errno (or SIGSEGV for a user access), never read after free.
 */
TEST(exited_task_and_mm_reported)
{
	struct task_struct *t = t_task("t"), *keep = t_task("keep");
	struct mm_struct *mm = task_mm(t);
	unsigned long addr = t_mmap_anon(t, PAGE_SIZE);
	struct page *pages[1] = { NULL };
	char byte = 1;
	int misuse;

	task_exit(t);
	current = keep;
	misuse = mm_misuse_count();
	ASSERT_LT(vm_mmap(t, 0, PAGE_SIZE, PROT_READ, MAP_PRIVATE |
			  MAP_ANONYMOUS, NULL, 0), 0);
	ASSERT_LT(vm_munmap(t, addr, PAGE_SIZE), 0);
	ASSERT_LT(vm_mprotect(t, addr, PAGE_SIZE, PROT_READ), 0);
	ASSERT_LT(vm_madvise(t, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	ASSERT_NULL(task_mm(t));
	ASSERT_NULL(task_fork(t, "child"));
	ASSERT_EQ(user_write(t, addr, &byte, 1), UACCESS_SIGSEGV);
	ASSERT_EQ(get_user_pages_remote(mm, addr, 1, 0, pages, NULL), -EFAULT);
	ASSERT_EQ(pin_user_pages_remote(mm, addr, 1, 0, pages, NULL), -EFAULT);
	mmap_read_lock(mm);
	mmap_read_unlock(mm);
	task_exit(t);
	ASSERT_GE(mm_misuse_count(), misuse + 12);
	ASSERT_NULL(pages[0]);
	ASSERT_EQ(nr_broken(), 0);
	task_exit(keep);
}
