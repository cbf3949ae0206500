// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the driver models through their C interface (drivers/driver.h),
 * for what a scenario cannot say: the counters each driver charges
 * (user->locked_vm, mm->pinned_vm, mm->locked_vm) and vfio's external
 * (mdev) pins made from another context in the mapping owner's mm.
 */
#include <errno.h>
#include <sys/mman.h>

#include "../unit/harness.h"
#include "../../drivers/driver.h"

/* The user's locked_vm as the task's own io_uring would see it. */
static long user_locked_of(struct task_struct *t)
{
	struct task_struct *saved = current;
	struct user_struct *u;
	long v;

	current = t;
	u = get_current_user();
	v = user_locked_vm(u);
	free_uid(u);
	current = saved;
	return v;
}

TEST(io_uring_charges_user_and_pinned_vm)
{
	struct task_struct *t = task_create("a", 8 * MiB, false);
	unsigned long addr = t_mmap_anon(t, MiB);
	struct drv_handle *h;

	ASSERT_EQ(driver_register("io_uring", t, addr + 100, 5000, true, &h),
		  0);
	ASSERT_NOT_NULL(h);
	ASSERT_EQ(h->nr_pinned, 2);		/* 5000 bytes from +100 */
	/* the buffer's 2 pages and the ring's 2 (rings + SQEs) */
	ASSERT_EQ(user_locked_of(t), 2 + 2);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 2);
	ASSERT_EQ(mm_locked_vm(task_mm(t)), 0);
	driver_release(h);
	ASSERT_EQ(user_locked_of(t), 0);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 0);
	task_exit(t);
}

TEST(io_uring_cap_ipc_lock_skips_the_user)
{
	struct task_struct *t = task_create("a", 0, true);
	unsigned long addr = t_mmap_anon(t, MiB);
	struct drv_handle *h;

	ASSERT_EQ(driver_register("io_uring", t, addr, MiB, true, &h), 0);
	ASSERT_EQ(user_locked_of(t), 0);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 256);	/* always charged */
	driver_release(h);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 0);
	task_exit(t);
}

TEST(vfio_and_ppc_charge_locked_vm)
{
	struct task_struct *t = task_create("a", 8 * MiB, false);
	unsigned long addr = t_mmap_anon(t, 2 * MiB);
	struct drv_handle *v, *p;

	ASSERT_EQ(driver_register("vfio", t, addr, MiB, true, &v), 0);
	ASSERT_EQ(mm_locked_vm(task_mm(t)), 256);
	ASSERT_EQ(driver_register("ppc_iommu", t, addr + MiB, MiB, true, &p),
		  0);
	ASSERT_EQ(mm_locked_vm(task_mm(t)), 512);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 0);
	driver_release(v);
	driver_release(p);
	ASSERT_EQ(mm_locked_vm(task_mm(t)), 0);
	task_exit(t);
}

TEST(ib_umem_failure_gives_everything_back)
{
	struct task_struct *t = task_create("a", 64 * MiB, false);
	unsigned long addr = t_mmap_anon(t, 4 * MiB);
	struct drv_handle *h;
	long acq;

	ASSERT_EQ(vm_populate(t, addr, 4 * MiB, true), 0);
	ASSERT_EQ(vm_munmap(t, addr + 3 * MiB, PAGE_SIZE), 0);
	acq = vmstat_get("nr_foll_pin_acquired");
	ASSERT_EQ(driver_register("ib_umem", t, addr, 4 * MiB, true, &h),
		  -EFAULT);
	ASSERT_NULL(h);
	/* 768 pages were pinned in two chunks, then all were unpinned */
	ASSERT_EQ(vmstat_get("nr_foll_pin_acquired") - acq, 768);
	ASSERT_EQ(vmstat_get("nr_foll_pin_released") -
		  vmstat_get("nr_foll_pin_acquired"), 0);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 0);
	task_exit(t);
}

TEST(usnic_failure_leaves_the_pinned_part_charged)
{
	struct task_struct *t = task_create("a", 64 * MiB, false);
	unsigned long addr = t_mmap_anon(t, 4 * MiB);
	struct drv_handle *h;

	ASSERT_EQ(vm_populate(t, addr, 4 * MiB, true), 0);
	ASSERT_EQ(vm_munmap(t, addr + 3 * MiB, PAGE_SIZE), 0);
	ASSERT_EQ(driver_register("usnic", t, addr, 4 * MiB, true, &h),
		  -EFAULT);
	ASSERT_EQ(mm_pinned_vm(task_mm(t)), 768);	/* as the kernel */
	mm_pinned_vm_add(task_mm(t), -768);
	task_exit(t);
}

/*
 * The remote path: a vendor driver (current is another task, with its
 * own mm) pins pages of A's DMA mapping; they are A's pages, the same the
 * IOMMU mapping holds, and the device sees A's data through them.
 */
TEST(vfio_external_pins_use_the_owner_mm)
{
	struct task_struct *a = task_create("a", 8 * MiB, false);
	struct task_struct *vendor = task_create("mdev", 0, false);
	unsigned long addr = t_mmap_anon(a, 64 * 1024);
	struct page *pages[4];
	struct drv_handle *h;
	long acq;

	ASSERT_EQ(user_memset(a, addr, 'q', 64 * 1024), UACCESS_OK);
	ASSERT_EQ(driver_register("vfio", a, addr, 64 * 1024, true, &h), 0);
	acq = vmstat_get("nr_foll_pin_acquired");
	current = vendor;
	ASSERT_EQ(vfio_pin_pages_external(h, 2, 4, true, pages), 4);
	current = NULL;
	ASSERT_EQ(vmstat_get("nr_foll_pin_acquired") - acq, 4);
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(page_to_pfn(pages[i]), h->pfns[2 + i]);
		ASSERT_EQ(((char *)page_address(pages[i]))[0], 'q');
	}
	ASSERT_EQ(mm_locked_vm(task_mm(a)), 16);	/* not charged twice */
	ASSERT_EQ(mm_locked_vm(task_mm(vendor)), 0);
	/* a page pinned twice externally needs two unpins */
	ASSERT_EQ(vfio_pin_pages_external(h, 2, 1, false, pages), 1);
	vfio_unpin_pages_external(h, 2, 4);
	ASSERT_EQ(vmstat_get("nr_foll_pin_released"),
		  vmstat_get("nr_foll_pin_acquired") - 17);
	/* out of the mapping */
	ASSERT_EQ(vfio_pin_pages_external(h, 15, 2, false, pages), -EINVAL);
	driver_release(h);		/* drops the forgotten external pin */
	ASSERT_EQ(vmstat_get("nr_foll_pin_released"),
		  vmstat_get("nr_foll_pin_acquired"));
	ASSERT_EQ(mm_locked_vm(task_mm(a)), 0);
	task_exit(vendor);
	task_exit(a);
}

/*
 * driver_register_mm(): A's mapping registered from B's context. The
 * registration is A's (task, mm, charge, release); B's mm is untouched.
 * Only vfio pins in another mm than current's: other kinds are refused.
 */
TEST(vfio_registration_pinned_from_another_task)
{
	struct task_struct *a = task_create("a", 8 * MiB, false);
	struct task_struct *b = task_create("b", 0, false);
	unsigned long addr = t_mmap_anon(a, 64 * 1024);
	struct drv_handle *h;
	long acq = vmstat_get("nr_foll_pin_acquired");

	t_fill(a, addr, 'r', 64 * 1024);
	ASSERT_EQ(driver_register_mm("io_uring", b, a, addr, 64 * 1024, true,
				     &h), -EINVAL);
	ASSERT_NULL(h);
	ASSERT_EQ(driver_register_mm("vfio", b, a, addr, 64 * 1024, true, &h),
		  0);
	ASSERT_NOT_NULL(h);
	ASSERT_TRUE(h->task == a);
	ASSERT_TRUE(h->mm == task_mm(a));
	ASSERT_EQ(vmstat_get("nr_foll_pin_acquired") - acq, 16);
	ASSERT_EQ(mm_locked_vm(task_mm(a)), 16);
	ASSERT_EQ(mm_locked_vm(task_mm(b)), 0);
	ASSERT_EQ(((char *)pfn_to_virt(h->pfns[3]))[0], 'r');
	task_exit(b);			/* the pinning task is not needed */
	driver_release(h);
	ASSERT_EQ(mm_locked_vm(task_mm(a)), 0);
	ASSERT_EQ(vmstat_get("nr_foll_pin_released"),
		  vmstat_get("nr_foll_pin_acquired"));
	task_exit(a);
}

TEST(unknown_kind_is_einval)
{
	struct task_struct *t = task_create("a", 8 * MiB, false);
	struct drv_handle *h;

	ASSERT_EQ(driver_register("nvme", t, 0x100000, 4096, true, &h),
		  -EINVAL);
	ASSERT_NULL(h);
	task_exit(t);
}

/*
 * Before 5.6 vfio's external (mdev) pins went through
 * get_user_pages_remote() without FOLL_LONGTERM, and vfio refused an
 * fs-DAX page itself. Here the owner maps fs-DAX over part of a DMA
 * mapping after registering it: the vendor driver's pin there fails with
 * -EOPNOTSUPP and holds nothing.
 */
TEST_NO_MACHINE(vfio_remote_pin_refuses_fsdax_itself_before_5_6)
{
	struct machine_config cfg = { .mem = 128 * MiB };
	struct task_struct *a, *vendor;
	struct drv_handle *h;
	struct page *pages[2];
	struct file *f;
	unsigned long addr;
	long acq;
	char buf[1024];

	ASSERT_EQ(kernel_profile_parse("5.2", 3, &cfg.kernel), 0);
	ASSERT_EQ(machine_create(&cfg), 0);
	a = task_create("a", 8 * MiB, false);
	vendor = task_create("mdev", 0, false);
	addr = t_mmap_anon(a, 4 * PAGE_SIZE);
	t_fill(a, addr, 'q', 4 * PAGE_SIZE);
	ASSERT_EQ(driver_register("vfio", a, addr, 4 * PAGE_SIZE, true, &h),
		  0);
	f = file_create("pmem", FS_DAX, 2 * PAGE_SIZE);
	ASSERT_NOT_NULL(f);
	ASSERT_EQ(vm_mmap(a, addr + 2 * PAGE_SIZE, 2 * PAGE_SIZE,
			  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, f, 0),
		  (long)(addr + 2 * PAGE_SIZE));
	t_fill(a, addr + 2 * PAGE_SIZE, 'd', 2 * PAGE_SIZE);
	acq = vmstat_get("nr_foll_pin_acquired");
	current = vendor;
	ASSERT_EQ(vfio_pin_pages_external(h, 0, 1, false, pages), 1);
	ASSERT_EQ(vfio_pin_pages_external(h, 2, 2, false, pages),
		  -EOPNOTSUPP);
	current = NULL;
	ASSERT_EQ(vmstat_get("nr_foll_pin_acquired"), acq);	/* FOLL_GET */
	vfio_unpin_pages_external(h, 0, 1);
	driver_release(h);
	fput(f);
	task_exit(vendor);
	task_exit(a);
	ASSERT_INVARIANTS();
	if (machine_destroy(buf, sizeof(buf)))
		harness_fail(__FILE__, __LINE__, "leak: %s", buf);
}
