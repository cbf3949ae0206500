/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small TAP test harness. Each TEST() runs on a fresh simulated machine;
 * after it, the invariant checker runs and the machine is destroyed with a
 * leak check: a test passes only if its assertions, the invariants and the
 * leak check all hold.
 *
 *	TEST(pin_counts_bias) { ... ASSERT_EQ(x, 1024); ... }
 *	TEST_CFG(cma_moves, .mem = 256 << 20, .cma = 64 << 20) { ... }
 *	TEST_NO_MACHINE(layouts) { ... creates and destroys machines itself ... }
 *
 * Run one test by name: ./build/tests/test_gup pin_counts_bias
 */
#ifndef GUPSIM_TEST_HARNESS_H
#define GUPSIM_TEST_HARNESS_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gupsim/gup.h>
#include <gupsim/machine.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct machine_config cfg;
	bool no_machine;
	struct test_case *next;
};

void harness_register(struct test_case *tc);
void harness_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Prints a TAP diagnostic line ("# ..."). */
void harness_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define __TEST(tname, nomachine, ...)					\
	static void tname(void);					\
	static struct test_case __tc_##tname = {			\
		.name = #tname, .fn = tname, .no_machine = nomachine,	\
		.cfg = { __VA_ARGS__ } };				\
	__attribute__((constructor)) static void __reg_##tname(void)	\
	{ harness_register(&__tc_##tname); }				\
	static void tname(void)

#define TEST(tname)		__TEST(tname, false, .mem = 0)
#define TEST_CFG(tname, ...)	__TEST(tname, false, __VA_ARGS__)
#define TEST_NO_MACHINE(tname)	__TEST(tname, true, .mem = 0)

#define __ASSERT_CMP(a, op, b, ta)					\
	do {								\
		ta __a = (ta)(a), __b = (ta)(b);			\
		if (!(__a op __b))					\
			harness_fail(__FILE__, __LINE__,		\
				     "%s %s %s: %lld vs %lld", #a, #op, #b, \
				     (long long)__a, (long long)__b);	\
	} while (0)

#define ASSERT_EQ(a, b)	__ASSERT_CMP(a, ==, b, long long)
#define ASSERT_NE(a, b)	__ASSERT_CMP(a, !=, b, long long)
#define ASSERT_LT(a, b)	__ASSERT_CMP(a, <, b, long long)
#define ASSERT_LE(a, b)	__ASSERT_CMP(a, <=, b, long long)
#define ASSERT_GT(a, b)	__ASSERT_CMP(a, >, b, long long)
#define ASSERT_GE(a, b)	__ASSERT_CMP(a, >=, b, long long)
#define ASSERT_TRUE(c)							\
	do { if (!(c)) harness_fail(__FILE__, __LINE__, "%s is false", #c); } \
	while (0)
#define ASSERT_FALSE(c)							\
	do { if (c) harness_fail(__FILE__, __LINE__, "%s is true", #c); } \
	while (0)
#define ASSERT_PTR_EQ(a, b)						\
	do { const void *__a = (a), *__b = (b);				\
	     if (__a != __b) harness_fail(__FILE__, __LINE__,		\
			"%s == %s: %p vs %p", #a, #b, __a, __b); } while (0)
#define ASSERT_NULL(p)		ASSERT_PTR_EQ(p, NULL)
#define ASSERT_NOT_NULL(p)						\
	do { if (!(p)) harness_fail(__FILE__, __LINE__, "%s is NULL", #p); } \
	while (0)
#define ASSERT_STREQ(a, b)						\
	do { const char *__a = (a), *__b = (b);				\
	     if (strcmp(__a, __b)) harness_fail(__FILE__, __LINE__,	\
			"%s == %s: \"%s\" vs \"%s\"", #a, #b, __a, __b); } \
	while (0)
/* The invariant checker, now, in the middle of a test. */
#define ASSERT_INVARIANTS()						\
	do { char __buf[2048];						\
	     if (check_invariants(__buf, sizeof(__buf)))		\
		harness_fail(__FILE__, __LINE__, "invariant: %s", __buf); \
	} while (0)

#define MiB	(1UL << 20)

/*
 * For TEST_NO_MACHINE tests that need a given release: a machine as cfg
 * says, running release ("5.10", "6.18-GUP_FAST_PMD_RECHECK": what
 * kernel_profile_parse() takes); t_shutdown() checks the invariants and
 * destroys it with a leak check.
 */
void t_boot(const char *release, struct machine_config cfg);
void t_shutdown(void);

/* Helpers most tests want. */
struct task_struct *t_task(const char *comm);
/* An anonymous private rw mapping of len bytes; fails the test on error. */
unsigned long t_mmap_anon(struct task_struct *t, size_t len);
/* Fills [addr, addr+len) with byte through the task's page tables. */
void t_fill(struct task_struct *t, unsigned long addr, int byte, size_t len);
/* True if every byte of [addr, addr+len) reads as byte from user space. */
bool t_holds(struct task_struct *t, unsigned long addr, int byte, size_t len);
/* True if every byte of the page is byte (as a device sees it). */
bool page_holds(struct page *page, int byte);

/*
 * A thread of leader's process: a task_struct of its own sharing leader's
 * mm (as clone(CLONE_VM) makes), since per-task state such as the
 * memalloc_pin_save() scope belongs to one thread. NULL if none was made.
 */
struct task_struct *t_thread_task(struct task_struct *leader);

/*
 * t_pinner_thread(): as a thread of task, until stop, pins 4 pages
 * long-term (GUP-fast) at a random place of [addr, addr + pages pages),
 * checks each holds byte (when byte >= 0), unpins them and yields. pinned
 * counts the pages pinned, errors the unexpected results.
 */
struct t_pinner {
	struct task_struct *task;
	unsigned long addr;
	unsigned long pages;
	int byte;
	_Atomic int stop;
	_Atomic long pinned, errors;
};
void *t_pinner_thread(void *arg);
/* vm_mmap() of len bytes at an address of the model's choosing. */
unsigned long t_mmap_off(struct task_struct *t, size_t len, unsigned long prot,
			 unsigned long flags, struct file *file,
			 unsigned long off);
/* The same at file offset 0. */
unsigned long t_mmap(struct task_struct *t, size_t len, unsigned long prot,
		     unsigned long flags, struct file *file);
/* pin_user_pages() / get_user_pages() under t's mmap_lock, as callers must. */
long t_pin(struct task_struct *t, unsigned long addr, unsigned long nr,
	   unsigned int flags, struct page **pages);
long t_gup(struct task_struct *t, unsigned long addr, unsigned long nr,
	   unsigned int flags, struct page **pages);

/*
 * Page-table peeks, read under the mmap_lock and the page_table_lock. The
 * values are pmd_t / pte_t words: tests read them with mm/testing.h.
 */
/* The PMD entry covering addr; 0 when no PMD table covers it. */
uint64_t t_pmd(struct task_struct *t, unsigned long addr);
/* The PTE for addr; 0 when the PMD is none, a leaf or a migration entry. */
uint64_t t_pte(struct task_struct *t, unsigned long addr);
/* The entry that maps addr: the PMD when it is a leaf, else the PTE. */
uint64_t t_entry(struct task_struct *t, unsigned long addr);
/* The page a present entry maps at addr (special ones too), or NULL. */
struct page *t_page(struct task_struct *t, unsigned long addr);
/* Same, but NULL for special entries (the zero page, PFN maps). */
struct page *t_normal_page(struct task_struct *t, unsigned long addr);

#endif /* GUPSIM_TEST_HARNESS_H */
