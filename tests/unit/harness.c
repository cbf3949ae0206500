// SPDX-License-Identifier: GPL-2.0
/* The TAP harness: registration, running, failure reporting. */
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gupsim/profile.h>

#include "harness.h"
#include "../../mm/testing.h"

static struct test_case *tests, **tests_tail = &tests;
static const char *running_test;
static void print_diag(const char *text);

/* Seconds a test may run, and its teardown after a failed assertion. */
#define TEST_TIMEOUT		300
#define FAILED_TEARDOWN_TIMEOUT	10
static jmp_buf test_jmp;
static char fail_msg[20480];

void harness_register(struct test_case *tc)
{
	*tests_tail = tc;
	tests_tail = &tc->next;
}

void harness_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(fail_msg, sizeof(fail_msg), "%s:%d: ", file, line);
	va_start(ap, fmt);
	vsnprintf(fail_msg + n, sizeof(fail_msg) - n, fmt, ap);
	va_end(ap);
	longjmp(test_jmp, 1);
}

void harness_note(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static void print_diag(const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("#   %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

/*
 * A test that hangs must fail, not stall the suite. A failed assertion
 * longjmps out of the test, possibly with an mmap_lock or page table lock
 * still held, so the teardown that follows may block: it runs under a
 * short alarm.
 */
static void test_timed_out(int sig)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
			 "not ok - %s timed out (a lock left held by a failed "
			 "assertion, or a hang)\n",
			 running_test ? running_test : "?");

	(void)sig;
	if (write(STDOUT_FILENO, msg, n) < 0)
		_exit(2);
	if (fail_msg[0]) {
		print_diag(fail_msg);
		fflush(stdout);
	}
	_exit(1);
}

/* Runs one test: 1 on success. Invariants and leaks count as failures. */
static int run_one(struct test_case *tc)
{
	static char buf[16384];
	volatile int ok = 1;
	struct machine_config cfg = tc->cfg;

	fail_msg[0] = 0;
	if (!tc->no_machine) {
		int err = machine_create(&cfg);

		if (err) {
			snprintf(fail_msg, sizeof(fail_msg),
				 "machine_create: %d", err);
			return 0;
		}
	}
	running_test = tc->name;
	alarm(TEST_TIMEOUT);
	if (setjmp(test_jmp) == 0) {
		tc->fn();
	} else {
		ok = 0;
		alarm(FAILED_TEARDOWN_TIMEOUT);
	}
	if (!machine_exists()) {
		alarm(0);
		return ok;
	}
	if (ok && check_invariants(buf, sizeof(buf))) {
		snprintf(fail_msg, sizeof(fail_msg), "invariants after test:\n%s",
			 buf);
		ok = 0;
	}
	if (machine_destroy(buf, sizeof(buf)) && ok) {
		snprintf(fail_msg, sizeof(fail_msg), "leak check:\n%s", buf);
		ok = 0;
	}
	alarm(0);
	return ok;
}

int main(int argc, char **argv)
{
	struct test_case *tc;
	int n = 0, i = 0, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, test_timed_out);
	for (tc = tests; tc; tc = tc->next)
		if (argc < 2 || !strcmp(argv[1], tc->name))
			n++;
	printf("1..%d\n", n);
	for (tc = tests; tc; tc = tc->next) {
		if (argc >= 2 && strcmp(argv[1], tc->name))
			continue;
		i++;
		if (run_one(tc)) {
			printf("ok %d - %s\n", i, tc->name);
		} else {
			printf("not ok %d - %s\n", i, tc->name);
			print_diag(fail_msg);
			failed++;
		}
	}
	return failed ? 1 : 0;
}

/* ---- helpers ---- */

void t_boot(const char *release, struct machine_config cfg)
{
	ASSERT_EQ(kernel_profile_parse(release, strlen(release),
				       &cfg.kernel), 0);
	ASSERT_EQ(machine_create(&cfg), 0);
	ASSERT_STREQ(kernel_profile_name(machine_kernel()),
		     kernel_profile_name(cfg.kernel));
}

void t_shutdown(void)
{
	char buf[2048];

	ASSERT_INVARIANTS();
	current = NULL;
	if (machine_destroy(buf, sizeof(buf)))
		harness_fail(__FILE__, __LINE__, "leak: %s", buf);
}

struct task_struct *t_task(const char *comm)
{
	struct task_struct *t = task_create(comm, 8UL << 20, false);

	if (!t)
		harness_fail(__FILE__, __LINE__, "task_create(%s) failed", comm);
	current = t;
	return t;
}

unsigned long t_mmap_off(struct task_struct *t, size_t len, unsigned long prot,
			 unsigned long flags, struct file *file,
			 unsigned long off)
{
	long addr = vm_mmap(t, 0, len, prot, flags, file, off);

	if (addr <= 0)
		harness_fail(__FILE__, __LINE__, "vm_mmap: %ld", addr);
	return (unsigned long)addr;
}

unsigned long t_mmap(struct task_struct *t, size_t len, unsigned long prot,
		     unsigned long flags, struct file *file)
{
	return t_mmap_off(t, len, prot, flags, file, 0);
}

unsigned long t_mmap_anon(struct task_struct *t, size_t len)
{
	return t_mmap(t, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, NULL);
}

long t_pin(struct task_struct *t, unsigned long addr, unsigned long nr,
	   unsigned int flags, struct page **pages)
{
	long ret;

	mmap_read_lock(task_mm(t));
	ret = pin_user_pages(addr, nr, flags, pages);
	mmap_read_unlock(task_mm(t));
	return ret;
}

long t_gup(struct task_struct *t, unsigned long addr, unsigned long nr,
	   unsigned int flags, struct page **pages)
{
	long ret;

	mmap_read_lock(task_mm(t));
	ret = get_user_pages(addr, nr, flags, pages);
	mmap_read_unlock(task_mm(t));
	return ret;
}

/*
 * Reads the PMD and the PTE that cover addr as one snapshot: the locks keep
 * a fault, a split or a zap from changing one between the two reads.
 */
static void t_read_entries(struct task_struct *t, unsigned long addr,
			   pmd_t *pmdval, pte_t *pteval)
{
	struct mm_struct *mm = task_mm(t);
	pmd_t *pmd;
	pte_t *pte;

	*pmdval = 0;
	*pteval = 0;
	mmap_read_lock(mm);
	pthread_mutex_lock(&mm->page_table_lock);
	pmd = mm_find_pmd(mm, addr);
	/* a PUD leaf (1 GiB hugetlb) stands for the PMD leaf it is like */
	if (mm_find_pud(mm, addr) && pmd_leaf(pmdp_get(mm_find_pud(mm, addr))))
		*pmdval = pmdp_get(mm_find_pud(mm, addr));
	else if (pmd) {
		*pmdval = pmdp_get(pmd);
		pte = pte_offset(pmd, addr);
		if (pte)
			*pteval = ptep_get(pte);
	}
	pthread_mutex_unlock(&mm->page_table_lock);
	mmap_read_unlock(mm);
}

uint64_t t_pmd(struct task_struct *t, unsigned long addr)
{
	pmd_t pmd;
	pte_t pte;

	t_read_entries(t, addr, &pmd, &pte);
	return pmd;
}

uint64_t t_pte(struct task_struct *t, unsigned long addr)
{
	pmd_t pmd;
	pte_t pte;

	t_read_entries(t, addr, &pmd, &pte);
	return pte;
}

uint64_t t_entry(struct task_struct *t, unsigned long addr)
{
	pmd_t pmd;
	pte_t pte;

	t_read_entries(t, addr, &pmd, &pte);
	return pmd_leaf(pmd) ? pmd : pte;
}

/* The page mapped at addr; special entries only if want_special. */
static struct page *mapped_page(struct task_struct *t, unsigned long addr,
				bool want_special)
{
	pmd_t pmd;
	pte_t pte;

	t_read_entries(t, addr, &pmd, &pte);
	if (pmd_leaf(pmd)) {
		if (pte_special(pmd) && !want_special)
			return NULL;
		/* the subpage of the PMD- (or PUD-) mapped folio at addr */
		return pfn_to_page(pmd_pfn(pmd) + ((addr >> PAGE_SHIFT) &
			(folio_nr_pages(pfn_folio(pmd_pfn(pmd))) - 1)));
	}
	if (!pte_present(pte) || (pte_special(pte) && !want_special))
		return NULL;
	return pfn_to_page(pte_pfn(pte));
}

struct page *t_page(struct task_struct *t, unsigned long addr)
{
	return mapped_page(t, addr, true);
}

struct page *t_normal_page(struct task_struct *t, unsigned long addr)
{
	return mapped_page(t, addr, false);
}

void t_fill(struct task_struct *t, unsigned long addr, int byte, size_t len)
{
	enum uaccess_result r = user_memset(t, addr, byte, len);

	if (r != UACCESS_OK)
		harness_fail(__FILE__, __LINE__, "user_memset at %#lx: %d",
			     addr, r);
}

bool t_holds(struct task_struct *t, unsigned long addr, int byte, size_t len)
{
	unsigned char chunk[4096];

	while (len) {
		size_t n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (user_read(t, addr, chunk, n) != UACCESS_OK)
			return false;
		for (size_t i = 0; i < n; i++)
			if (chunk[i] != (unsigned char)byte)
				return false;
		addr += n;
		len -= n;
	}
	return true;
}

bool page_holds(struct page *page, int byte)
{
	const unsigned char *p = page_address(page);

	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i] != (unsigned char)byte)
			return false;
	return true;
}

struct task_struct *t_thread_task(struct task_struct *leader)
{
	struct task_struct *t;

	mmget(leader->mm);
	t = task_alloc("thread", leader->mm);
	if (!t)
		mmput(leader->mm);
	return t;
}

void *t_pinner_thread(void *arg)
{
	struct t_pinner *s = arg;
	struct page *pages[4];
	unsigned int seed = (unsigned int)(uintptr_t)&pages;

	current = t_thread_task(s->task);
	if (!current) {
		atomic_fetch_add(&s->errors, 1);
		return NULL;
	}
	while (!atomic_load(&s->stop)) {
		unsigned long off = (rand_r(&seed) % (s->pages - 4)) * PAGE_SIZE;
		long n = pin_user_pages_fast(s->addr + off, 4, FOLL_LONGTERM,
					     pages);

		if (n < 0 || n > 4) {
			atomic_fetch_add(&s->errors, 1);
			continue;
		}
		for (long i = 0; i < n && s->byte >= 0; i++)
			if (!page_holds(pages[i], s->byte))
				atomic_fetch_add(&s->errors, 1);
		atomic_fetch_add(&s->pinned, n);
		unpin_user_pages(pages, n);
		sched_yield();	/* leave the other side a window */
	}
	task_exit(current);
	return NULL;
}
