// SPDX-License-Identifier: GPL-2.0
/*
 * vmstat: the machine-wide event and state counters, readable by their
 * /proc/vmstat names.
 *
 * Every counter is a relaxed C11 atomic: the counters are statistics, and
 * no code may use them to synchronise. nr_free_pages and nr_free_cma are
 * not stored here: they are computed from the zones when read, so they are
 * exact by construction (the zones keep their own counts under zone->lock).
 *
 * As the kernel keeps per-CPU differentials, each thread that counts keeps
 * its own (vmstat_thread): an update is a load and a store to a line no
 * other thread writes, not a locked add on a line every thread shares
 * (one per page of a slow-path pin, an allocation, a migration). A read
 * sums the machine-wide value and every thread's differential under
 * vmstat_threads_lock; a thread that exits folds its differential into the
 * machine-wide value under the same lock, so a read counts it once.
 * vmstat_reset() zeroes both; it runs when a machine is created, while no
 * other thread counts.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static atomic_long vm_stat[NR_VM_STAT_ITEMS];

struct vmstat_thread {
	atomic_long diff[NR_VM_STAT_ITEMS];	/* written by its thread only */
	struct list_head node;			/* on vmstat_threads */
};

static pthread_mutex_t vmstat_threads_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(vmstat_threads);
static pthread_key_t vmstat_key;
static pthread_once_t vmstat_key_once = PTHREAD_ONCE_INIT;
static __thread struct vmstat_thread *this_vmstat;
static __thread bool vmstat_no_thread;	/* no memory: count globally */

/* Thread exit: the differential joins the machine-wide counts. */
static void vmstat_thread_exit(void *arg)
{
	struct vmstat_thread *vt = arg;
	int i;

	pthread_mutex_lock(&vmstat_threads_lock);
	for (i = 0; i < NR_VM_STAT_ITEMS; i++)
		atomic_fetch_add_explicit(&vm_stat[i],
					  atomic_load_explicit(&vt->diff[i],
							       memory_order_relaxed),
					  memory_order_relaxed);
	list_del(&vt->node);
	pthread_mutex_unlock(&vmstat_threads_lock);
	free(vt);
	this_vmstat = NULL;
}

static void vmstat_key_init(void)
{
	if (pthread_key_create(&vmstat_key, vmstat_thread_exit))
		mm_warn(__FILE__, __LINE__, "vmstat: no pthread key");
}

static struct vmstat_thread *vmstat_thread_register(void)
{
	struct vmstat_thread *vt;

	pthread_once(&vmstat_key_once, vmstat_key_init);
	vt = calloc(1, sizeof(*vt));
	if (!vt || pthread_setspecific(vmstat_key, vt)) {
		free(vt);
		vmstat_no_thread = true;
		return NULL;
	}
	pthread_mutex_lock(&vmstat_threads_lock);
	list_add(&vt->node, &vmstat_threads);
	pthread_mutex_unlock(&vmstat_threads_lock);
	this_vmstat = vt;
	return vt;
}

/* In enum vm_stat_item order, which is also /proc/vmstat order. */
static const char *const vmstat_text[NR_VM_STAT_ITEMS] = {
	[NR_FREE_PAGES]			= "nr_free_pages",
	[NR_FREE_CMA_PAGES]		= "nr_free_cma",
	[NR_ANON_MAPPED]		= "nr_anon_pages",
	[NR_FILE_PAGES]			= "nr_file_pages",
	[NR_SHMEM]			= "nr_shmem",
	[NR_PAGETABLE]			= "nr_page_table_pages",
	[NR_ANON_THPS]			= "nr_anon_transparent_hugepages",
	[NR_FOLL_PIN_ACQUIRED]		= "nr_foll_pin_acquired",
	[NR_FOLL_PIN_RELEASED]		= "nr_foll_pin_released",
	[PGALLOC]			= "pgalloc",
	[PGFREE]			= "pgfree",
	[PGFAULT]			= "pgfault",
	[PGMIGRATE_SUCCESS]		= "pgmigrate_success",
	[PGMIGRATE_FAIL]		= "pgmigrate_fail",
	[THP_FAULT_ALLOC]		= "thp_fault_alloc",
	[THP_FAULT_FALLBACK]		= "thp_fault_fallback",
	[THP_SPLIT_PMD]			= "thp_split_pmd",
	[CMA_ALLOC_SUCCESS]		= "cma_alloc_success",
	[CMA_ALLOC_FAIL]		= "cma_alloc_fail",
	[HTLB_BUDDY_ALLOC_SUCCESS]	= "htlb_buddy_alloc_success",
	[GUPSIM_GUP_FAST_FALLBACK]	= "gupsim_gup_fast_fallback",
	[GUPSIM_LONGTERM_MIGRATE_RETRY]	= "gupsim_longterm_migrate_retry",
	[GUPSIM_UNSHARE_FAULT]		= "gupsim_unshare_fault",
	[GUPSIM_COW_COPY]		= "gupsim_cow_copy",
	[GUPSIM_COW_REUSE]		= "gupsim_cow_reuse",
	[GUPSIM_FORK_EARLY_COPY]	= "gupsim_fork_early_copy",
	[GUPSIM_ZERO_PAGE_PIN]		= "gupsim_zero_page_pin",
	[PSWPIN]			= "pswpin",
	[PSWPOUT]			= "pswpout",
};

static bool vmstat_valid(enum vm_stat_item item)
{
	return (unsigned int)item < NR_VM_STAT_ITEMS;
}

void mod_vmstat(enum vm_stat_item item, long delta)
{
	if (VM_WARN(!vmstat_valid(item), "mod_vmstat: bad item %d", item))
		return;
	struct vmstat_thread *vt = this_vmstat;

	/* The free counts are derived from the zones; nothing to store. */
	if (item == NR_FREE_PAGES || item == NR_FREE_CMA_PAGES)
		return;
	if (unlikely(!vt) && !vmstat_no_thread)
		vt = vmstat_thread_register();
	if (unlikely(!vt)) {
		atomic_fetch_add_explicit(&vm_stat[item], delta,
					  memory_order_relaxed);
		return;
	}
	/* Only this thread writes it: no locked instruction needed. */
	atomic_store_explicit(&vt->diff[item],
			      atomic_load_explicit(&vt->diff[item],
						   memory_order_relaxed) + delta,
			      memory_order_relaxed);
}

/* The machine-wide value plus every live thread's differential. */
static long vmstat_sum(enum vm_stat_item item)
{
	struct vmstat_thread *vt;
	long sum;

	pthread_mutex_lock(&vmstat_threads_lock);
	sum = atomic_load_explicit(&vm_stat[item], memory_order_relaxed);
	list_for_each_entry(vt, &vmstat_threads, node)
		sum += atomic_load_explicit(&vt->diff[item],
					    memory_order_relaxed);
	pthread_mutex_unlock(&vmstat_threads_lock);
	return sum;
}

static long zones_free(bool cma_only)
{
	long sum = 0;
	int i;

	if (!machine)
		return 0;
	for (i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &machine->zones[i];

		sum += atomic_load_explicit(cma_only ? &zone->nr_free_cma :
					    &zone->nr_free,
					    memory_order_relaxed);
	}
	return sum;
}

long vmstat_read(enum vm_stat_item item)
{
	if (VM_WARN(!vmstat_valid(item), "vmstat_read: bad item %d", item))
		return 0;
	if (item == NR_FREE_PAGES)
		return zones_free(false);
	if (item == NR_FREE_CMA_PAGES)
		return zones_free(true);
	return vmstat_sum(item);
}

/* A new machine starts with every event counter at zero. */
void vmstat_reset(void)
{
	struct vmstat_thread *vt;
	int i;

	pthread_mutex_lock(&vmstat_threads_lock);
	for (i = 0; i < NR_VM_STAT_ITEMS; i++)
		atomic_store_explicit(&vm_stat[i], 0, memory_order_relaxed);
	list_for_each_entry(vt, &vmstat_threads, node)
		for (i = 0; i < NR_VM_STAT_ITEMS; i++)
			atomic_store_explicit(&vt->diff[i], 0,
					      memory_order_relaxed);
	pthread_mutex_unlock(&vmstat_threads_lock);
}

long vmstat_get(const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < NR_VM_STAT_ITEMS; i++)
		if (!strcmp(name, vmstat_text[i]))
			return vmstat_read(i);
	return -1;
}

void vmstat_for_each(void (*fn)(const char *name, long value, void *arg),
		     void *arg)
{
	int i;

	if (!fn)
		return;
	for (i = 0; i < NR_VM_STAT_ITEMS; i++)
		fn(vmstat_text[i], vmstat_read(i), arg);
}
