// SPDX-License-Identifier: GPL-2.0
/*
 * API misuse checks (see api_check.h) and the type-stable memory of
 * task_struct and mm_struct they rely on.
 *
 * Each object is preceded by a small header that outlives it: its state
 * (live or dead) and the link of the free queue. Freed objects join the
 * tail of a FIFO queue and are reused from its head only once more than
 * QUARANTINE objects wait, so a pointer kept after task_exit() or the
 * last mmput() finds a dead object for that long, and a valid object of
 * the same type (never foreign memory) after. The queues live as long as
 * the process: they span machines, which is what makes a `current` left
 * over from a destroyed machine detectable. Memory is bounded by the
 * largest number of live objects plus QUARANTINE per type.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "api_check.h"

#define QUARANTINE	1024

enum { OBJ_LIVE = 0x4c495645, OBJ_DEAD = 0x44454144 };

struct obj_head {
	struct obj_head *next;		/* free queue */
	atomic_uint state;		/* OBJ_LIVE or OBJ_DEAD */
	alignas(max_align_t) unsigned char obj[];
};

struct obj_pool {
	pthread_mutex_t lock;
	struct obj_head *head, *tail;	/* dead objects, oldest first */
	unsigned long nr_dead;
	size_t size;
};

static struct obj_pool task_pool = {
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, sizeof(struct task_struct)
};
static struct obj_pool mm_pool = {
	PTHREAD_MUTEX_INITIALIZER, NULL, NULL, 0, sizeof(struct mm_struct)
};

static struct obj_head *obj_head(const void *obj)
{
	return (struct obj_head *)((const unsigned char *)obj -
				   offsetof(struct obj_head, obj));
}

static void *pool_alloc(struct obj_pool *pool)
{
	struct obj_head *h = NULL;

	pthread_mutex_lock(&pool->lock);
	if (pool->nr_dead > QUARANTINE) {
		h = pool->head;
		pool->head = h->next;
		if (!pool->head)
			pool->tail = NULL;
		pool->nr_dead--;
	}
	pthread_mutex_unlock(&pool->lock);
	if (!h) {
		h = malloc(sizeof(*h) + pool->size);
		if (!h)
			return NULL;
	}
	h->next = NULL;
	memset(h->obj, 0, pool->size);
	atomic_store(&h->state, OBJ_LIVE);
	return h->obj;
}

/* The object is zeroed: a stale user reads NULL pointers, not old ones. */
static void pool_free(struct obj_pool *pool, void *obj)
{
	struct obj_head *h = obj_head(obj);

	memset(h->obj, 0, pool->size);
	atomic_store(&h->state, OBJ_DEAD);
	pthread_mutex_lock(&pool->lock);
	h->next = NULL;
	if (pool->tail)
		pool->tail->next = h;
	else
		pool->head = h;
	pool->tail = h;
	pool->nr_dead++;
	pthread_mutex_unlock(&pool->lock);
}

struct task_struct *task_struct_alloc(void)
{
	return pool_alloc(&task_pool);
}

void task_struct_free(struct task_struct *task)
{
	pool_free(&task_pool, task);
}

struct mm_struct *mm_struct_alloc(void)
{
	return pool_alloc(&mm_pool);
}

void mm_struct_free(struct mm_struct *mm)
{
	pool_free(&mm_pool, mm);
}

bool task_is_dead(const struct task_struct *task)
{
	return atomic_load(&obj_head(task)->state) != OBJ_LIVE;
}

bool mm_is_dead(const struct mm_struct *mm)
{
	return atomic_load(&obj_head(mm)->state) != OBJ_LIVE;
}

struct mm_struct *current_mm_checked(const char *caller)
{
	struct task_struct *task = current;

	if (!task)
		return NULL;
	if (VM_WARN_MISUSE(task_is_dead(task),
			   "%s: current (%p) is a task that has exited",
			   caller, (void *)task))
		return NULL;
	return task->mm;
}

bool mm_usable(const struct mm_struct *mm, const char *caller)
{
	if (VM_WARN_MISUSE(!mm, "%s: no mm", caller))
		return false;
	return !VM_WARN_MISUSE(mm_is_dead(mm),
			       "%s: mm %p was torn down (its last user exited)",
			       caller, (const void *)mm);
}

bool page_of_machine(const struct page *page, const char *caller)
{
	if (VM_WARN_MISUSE(!machine,
			   "%s: page %p after machine_destroy(): no machine "
			   "exists", caller, (const void *)page))
		return false;
	return !VM_WARN_MISUSE(page < machine->mem_map ||
			       page >= machine->mem_map + machine->total_pfns,
			       "%s: %p is not a struct page of this machine "
			       "(one from a destroyed machine?)",
			       caller, (const void *)page);
}
