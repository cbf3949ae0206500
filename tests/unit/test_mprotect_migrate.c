// SPDX-License-Identifier: GPL-2.0
/*
 * mprotect against migration of a page in the VMA it changes. mprotect
 * writes vma->vm_flags with the mmap_lock held for write; migration puts
 * the page's entry back from the reverse map, holding no mmap_lock, and
 * reads vm_flags for the entry's protection. Both sides must keep the
 * READ_ONCE()/WRITE_ONCE() discipline, or ThreadSanitizer (make tsan)
 * reports a data race between them. A few thousand rounds keep it short
 * under TSan; afterwards the entry honours the last mprotect, the data is
 * intact and the invariants hold.
 */
#include <pthread.h>
#include <sched.h>

#include "harness.h"
#include "../../mm/testing.h"

#define MIGRATE_ROUNDS	2000

struct race {
	struct task_struct *task;
	unsigned long addr;
	atomic_int stop;
	atomic_long errors;
	atomic_long rounds;		/* mprotect calls made */
	bool writable;			/* what the last one asked */
};

/* Flips the page between read-only and read-write until told to stop. */
static void *mprotector(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		r->writable = !r->writable;
		if (vm_mprotect(r->task, r->addr, PAGE_SIZE, r->writable ?
				PROT_READ | PROT_WRITE : PROT_READ))
			atomic_fetch_add(&r->errors, 1);
		atomic_fetch_add(&r->rounds, 1);
	}
	return NULL;
}

/* Moves the page mapped at addr to another frame: 1 moved, 0 not. */
static unsigned int migrate_at(struct task_struct *t, unsigned long addr)
{
	unsigned int moved = 0;
	struct folio *folio;
	struct page *page;
	LIST_HEAD(list);

	if (t_gup(t, addr, 1, FOLL_GET, &page) != 1)
		return 0;
	folio = page_folio(page);
	if (!folio_isolate_lru(folio)) {
		put_page(page);
		return 0;
	}
	put_page(page);
	list_add_tail(&folio->page.lru, &list);
	if (migrate_pages(&list, alloc_migration_target, 0, MR_SYSCALL,
			  &moved) < 0 || !list_empty(&list))
		putback_movable_pages(&list);
	return moved;
}

TEST(mprotect_races_migration_of_its_page)
{
	struct race r = { .task = t_task("t"), .writable = true };
	unsigned long moved = 0, i;
	pthread_t thread;

	r.addr = t_mmap_anon(r.task, PAGE_SIZE);
	t_fill(r.task, r.addr, 0x3c, PAGE_SIZE);
	ASSERT_EQ(pthread_create(&thread, NULL, mprotector, &r), 0);
	while (!atomic_load(&r.rounds))
		sched_yield();
	/* Both sides make MIGRATE_ROUNDS calls at least, overlapping. */
	for (i = 0; i < MIGRATE_ROUNDS ||
		    atomic_load(&r.rounds) < MIGRATE_ROUNDS; i++)
		moved += migrate_at(r.task, r.addr);
	atomic_store(&r.stop, 1);
	pthread_join(thread, NULL);
	harness_note("%lu of %lu migrations moved the page, %ld mprotects",
		     moved, i, atomic_load(&r.rounds));
	ASSERT_EQ(atomic_load(&r.errors), 0);
	ASSERT_GT(moved, 0);
	/*
	 * The last mprotect's protection holds. Read-only leaves no writable
	 * entry. Read-write may leave a read-only one, as in the kernel: an
	 * entry put back from a read migration entry after mprotect passed
	 * it; the first write then reuses the page, which stayed exclusive.
	 */
	ASSERT_TRUE(pte_present(t_entry(r.task, r.addr)));
	if (!r.writable) {
		ASSERT_FALSE(pte_write(t_entry(r.task, r.addr)));
	} else {
		struct page *page = t_normal_page(r.task, r.addr);

		t_fill(r.task, r.addr, 0x3c, 1);
		ASSERT_TRUE(pte_write(t_entry(r.task, r.addr)));
		ASSERT_PTR_EQ(t_normal_page(r.task, r.addr), page);
	}
	ASSERT_TRUE(t_holds(r.task, r.addr, 0x3c, PAGE_SIZE));
	ASSERT_INVARIANTS();
	task_exit(r.task);
}
