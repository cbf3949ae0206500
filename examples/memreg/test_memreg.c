// SPDX-License-Identifier: GPL-2.0
/*
 * The memreg driver's own test (TAP), run on a fresh simulated machine
 * per case, each ending with the model's invariant check and a leak check
 * at machine_destroy().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>
#include <gupsim/version.h>

#include "memreg.h"

#define MiB	(1UL << 20)

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		return 1;						\
	}								\
} while (0)

static unsigned long map_anon(struct task_struct *t, unsigned long len)
{
	return (unsigned long)vm_mmap(t, 0, len, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, NULL, 0);
}

/* A buffer in CMA is migrated out before the pin, keeps its data, and
 * the device and the task see each other's writes through the MR. */
static int mr_moves_out_of_cma_and_shares_data(void)
{
	struct task_struct *t = task_create("app", 8 * MiB, false);
	unsigned long buf = map_anon(t, 2 * MiB);
	struct drv_handle *mr;
	char c = 0;

	CHECK(vm_set_place(t, buf, PLACE_CMA) == 0);
	CHECK(user_memset(t, buf, 'u', 2 * MiB) == UACCESS_OK);
	CHECK(user_range_zone(t, buf, 2 * MiB) == PZ_CMA);
	CHECK(memreg_register(t, buf, 2 * MiB, true, &mr) == 0);
	CHECK(user_range_zone(t, buf, 2 * MiB) == PZ_NORMAL);
	CHECK(mr->nr_pinned == 512);
	CHECK(mm_pinned_vm(task_mm(t)) == 512);
	CHECK(driver_dev_access(mr, 4096, &c, 1, false) == 0 && c == 'u');
	c = 'd';
	CHECK(driver_dev_access(mr, 8192, &c, 1, true) == 0);
	CHECK(user_read(t, buf + 8192, &c, 1) == UACCESS_OK && c == 'd');
	CHECK(driver_dev_access(mr, 2 * MiB, &c, 1, false) == -EFAULT);
	driver_release(mr);
	CHECK(mm_pinned_vm(task_mm(t)) == 0);
	task_exit(t);
	return 0;
}

/* Past RLIMIT_MEMLOCK the registration fails and holds nothing. */
static int mr_over_memlock_fails_clean(void)
{
	struct task_struct *t = task_create("app", 64 * 1024, false);
	unsigned long buf = map_anon(t, 128 * 1024);
	long pins = vmstat_get("nr_foll_pin_acquired");
	struct drv_handle *mr;

	CHECK(memreg_register(t, buf, 128 * 1024, true, &mr) == -ENOMEM);
	CHECK(mr == NULL);
	CHECK(mm_pinned_vm(task_mm(t)) == 0);
	CHECK(vmstat_get("nr_foll_pin_acquired") == pins);
	/* exactly at the limit is fine */
	CHECK(memreg_register(t, buf, 64 * 1024, true, &mr) == 0);
	driver_release(mr);
	task_exit(t);
	return 0;
}

/* CAP_IPC_LOCK lifts the limit; RLIMIT_MEMLOCK 0 without it is EPERM. */
static int mr_memlock_capability(void)
{
	struct task_struct *cap = task_create("cap", 0, true);
	struct task_struct *nocap = task_create("nocap", 0, false);
	unsigned long a = map_anon(cap, MiB), b = map_anon(nocap, MiB);
	struct drv_handle *mr;

	CHECK(memreg_register(cap, a, MiB, false, &mr) == 0);
	CHECK(mm_pinned_vm(task_mm(cap)) == 256);
	driver_release(mr);
	CHECK(memreg_register(nocap, b, MiB, false, &mr) == -EPERM);
	task_exit(cap);
	task_exit(nocap);
	return 0;
}

/* A hole in the range: EFAULT, and what was pinned before it is undone. */
static int mr_hole_unwinds(void)
{
	struct task_struct *t = task_create("app", RLIM_INFINITY, false);
	unsigned long buf = map_anon(t, 3 * 4096);
	struct drv_handle *mr;

	CHECK(vm_munmap(t, buf + 4096, 4096) == 0);
	CHECK(memreg_register(t, buf, 3 * 4096, true, &mr) == -EFAULT);
	CHECK(mr == NULL);
	CHECK(mm_pinned_vm(task_mm(t)) == 0);
	CHECK(vmstat_get("nr_foll_pin_acquired") ==
	      vmstat_get("nr_foll_pin_released"));
	task_exit(t);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "mr_moves_out_of_cma_and_shares_data",
	  mr_moves_out_of_cma_and_shares_data },
	{ "mr_over_memlock_fails_clean", mr_over_memlock_fails_clean },
	{ "mr_memlock_capability", mr_memlock_capability },
	{ "mr_hole_unwinds", mr_hole_unwinds },
};

int main(void)
{
	const struct machine_config cfg = { .mem = 256 * MiB, .cma = 64 * MiB };
	int n = sizeof(tests) / sizeof(tests[0]);
	char msg[512];

	printf("# gupsim %s\n1..%d\n", GUPSIM_VERSION, n);
	for (int i = 0; i < n; i++) {
		int bad = machine_create(&cfg) != 0;

		if (!bad)
			bad = tests[i].fn();
		if (!bad && check_invariants(msg, sizeof(msg))) {
			fprintf(stderr, "# invariant: %s\n", msg);
			bad = 1;
		}
		if (machine_destroy(msg, sizeof(msg))) {
			fprintf(stderr, "# leak: %s\n", msg);
			bad = 1;
		}
		printf("%sok %d - %s\n", bad ? "not " : "", i + 1,
		       tests[i].name);
		failures += bad;
	}
	return failures ? 1 : 0;
}
