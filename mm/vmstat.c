// SPDX-License-Identifier: GPL-2.0
/*
 * vmstat: the machine-wide event and state counters, readable by their
 * /proc/vmstat names.
 *
 * Every counter is a relaxed C11 atomic: the counters are statistics, and
 * no code may use them to synchronise. nr_free_pages and nr_free_cma are
 * not stored here: they are computed from the zones when read, so they are
 * exact by construction (the zones keep their own counts under zone->lock).
 */
#include <string.h>

#include "internal.h"

static atomic_long vm_stat[NR_VM_STAT_ITEMS];

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
};

static bool vmstat_valid(enum vm_stat_item item)
{
	return (unsigned int)item < NR_VM_STAT_ITEMS;
}

void mod_vmstat(enum vm_stat_item item, long delta)
{
	if (VM_WARN(!vmstat_valid(item), "mod_vmstat: bad item %d", item))
		return;
	/* The free counts are derived from the zones; nothing to store. */
	if (item == NR_FREE_PAGES || item == NR_FREE_CMA_PAGES)
		return;
	atomic_fetch_add_explicit(&vm_stat[item], delta, memory_order_relaxed);
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
	return atomic_load_explicit(&vm_stat[item], memory_order_relaxed);
}

/* A new machine starts with every event counter at zero. */
void vmstat_reset(void)
{
	int i;

	for (i = 0; i < NR_VM_STAT_ITEMS; i++)
		atomic_store_explicit(&vm_stat[i], 0, memory_order_relaxed);
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
