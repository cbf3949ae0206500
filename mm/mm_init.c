// SPDX-License-Identifier: GPL-2.0
/*
 * Machine boot and teardown (the kernel's mm/mm_init.c and the parts of
 * start_kernel() the model has): the configuration is checked, the memory
 * map and the page contents are reserved (MAP_NORESERVE, so untouched
 * memory costs nothing), zones and pageblocks are laid out (see the layout
 * at the top of page_alloc.c), RAM is handed to the buddy allocator, and
 * the zero page, CMA and the hugetlb pool are set up. machine_destroy()
 * ends every task and file, then reports every page that is not free.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "kernel_profile.h"

#define MMIO_WINDOW_BYTES	(8UL << 20)
#define DEFAULT_MEM		(256UL << 20)
#define DEFAULT_DEVICE		(64UL << 20)
#define LAYOUT_UNIT		(PAGE_SIZE << MAX_PAGE_ORDER)
#define MIN_PLAIN_NORMAL	(16UL << 20)
#define MAX_MEM			(1UL << 40)

static int check_config(struct machine_config *cfg)
{
	if (!cfg->mem)
		cfg->mem = DEFAULT_MEM;
	if (!cfg->device)
		cfg->device = DEFAULT_DEVICE;
	if (!IS_ALIGNED(cfg->mem, LAYOUT_UNIT) ||
	    !IS_ALIGNED(cfg->cma, LAYOUT_UNIT) ||
	    !IS_ALIGNED(cfg->movable, LAYOUT_UNIT) ||
	    !IS_ALIGNED(cfg->device, LAYOUT_UNIT))
		return -EINVAL;
	/* Page tables, the zero page and kernel allocations need room. */
	if (cfg->mem > MAX_MEM || cfg->mem < MIN_PLAIN_NORMAL ||
	    cfg->cma > MAX_MEM || cfg->movable > MAX_MEM ||
	    cfg->cma + cfg->movable > cfg->mem - MIN_PLAIN_NORMAL)
		return -EINVAL;
	if (cfg->device > MAX_MEM)
		return -EINVAL;
	if (!PAGE_ALIGNED(cfg->swap) || cfg->swap > MAX_MEM)
		return -EINVAL;
	/* anonymous THP orders: 2 (16 KiB) to the PMD's (2 MiB) */
	if (cfg->thp_orders & ~((2u << HPAGE_PMD_ORDER) - 4))
		return -EINVAL;
	return 0;
}

static void init_zone(struct zone *zone, enum zone_type idx, const char *name,
		      unsigned long start, unsigned long pages)
{
	int o, mt;

	zone->name = name;
	zone->idx = idx;
	zone->zone_start_pfn = start;
	zone->spanned_pages = pages;
	zone->managed_pages = idx == ZONE_DEVICE ? 0 : pages;
	pthread_mutex_init(&zone->lock, NULL);
	for (o = 0; o < NR_PAGE_ORDERS; o++) {
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			INIT_LIST_HEAD(&zone->free_area[o].free_list[mt]);
		zone->free_area[o].nr_free = 0;
	}
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		zone->deferred[mt].start = zone->deferred[mt].end = 0;
	atomic_store(&zone->nr_free, 0);
	atomic_store(&zone->nr_free_cma, 0);
}

static void *map_noreserve(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Host huge pages where the host allows them: the first touch of
	 * simulated memory (an anonymous fault's clear, a migration target)
	 * then costs one host fault per 2 MiB instead of one per 4 KiB, and
	 * the model's walks over struct pages and page contents miss the
	 * host TLB less. Untouched memory still costs nothing. Advice only:
	 * without THP on the host the model runs the same, slower.
	 */
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE	23
#endif

/*
 * Writes every host page of RAM and of its struct pages once (zeroes:
 * what an untouched page reads anyway). MADV_POPULATE_WRITE faults them in
 * without a loop of ours; a host without it gets the loop.
 */
static void prefault_ram(struct machine *m)
{
	size_t map = m->ram_pages * sizeof(struct page);
	size_t ram = m->ram_pages * PAGE_SIZE;

	if (!madvise(m->mem_map, map, MADV_POPULATE_WRITE) &&
	    !madvise(m->phys_base, ram, MADV_POPULATE_WRITE))
		return;
	for (size_t off = 0; off < map; off += 4096)
		((volatile char *)m->mem_map)[off] = 0;
	for (size_t off = 0; off < ram; off += 4096)
		((volatile char *)m->phys_base)[off] = 0;
}

/*
 * The page contents of the last machine destroyed are kept for the next
 * machine of the same size. The kernel's RAM holds whatever its last user
 * left: the allocator clears only for __GFP_ZERO, faults clear their
 * pages, and so does the model on every path that hands a page to a user
 * or a device; nothing may read what it did not write. Keeping the host
 * memory saves the next machine the host's fault and 2 MiB clear on each
 * first touch, and this one the munmap (a fifth of a small scenario's
 * time). The memory map is not kept: struct pages must start zeroed, and
 * clearing the touched ones would cost what the host's clear does.
 * One spare of at most SPARE_PHYS_MAX bytes of mapping; a process keeps
 * it mapped (and its touched part resident) until exit.
 */
#define SPARE_PHYS_MAX	(4UL << 30)

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	void *base;
	size_t bytes;
} spare_phys;			/* under spare_lock */

static void *phys_map(size_t bytes)
{
	void *p = NULL;

	mutex_lock(&spare_lock);
	if (spare_phys.base && spare_phys.bytes == bytes) {
		p = spare_phys.base;
		spare_phys.base = NULL;
	}
	mutex_unlock(&spare_lock);
	return p ? p : map_noreserve(bytes);
}

static void phys_unmap(void *p, size_t bytes)
{
	void *old = NULL;
	size_t old_bytes = 0;

	if (bytes <= SPARE_PHYS_MAX) {
		mutex_lock(&spare_lock);
		old = spare_phys.base;
		old_bytes = spare_phys.bytes;
		spare_phys.base = p;
		spare_phys.bytes = bytes;
		mutex_unlock(&spare_lock);
		p = old;
		bytes = old_bytes;
	}
	if (p)
		munmap(p, bytes);
}

static void machine_free(struct machine *m)
{
	int i;

	if (m->mem_map)
		munmap(m->mem_map, m->mem_map_bytes);
	if (m->phys_base)
		phys_unmap(m->phys_base, m->phys_bytes);
	free(m->pageblock_mt);
	for (i = 0; i < MAX_NR_ZONES; i++)
		pthread_mutex_destroy(&m->zones[i].lock);
	pthread_mutex_destroy(&m->lists_lock);
	free(m);
}

static int machine_layout(struct machine *m, const struct machine_config *cfg)
{
	unsigned long movable = cfg->movable >> PAGE_SHIFT;
	unsigned long normal;

	m->cfg = *cfg;
	m->ram_pages = cfg->mem >> PAGE_SHIFT;
	normal = m->ram_pages - movable;
	m->mmio_start_pfn = m->ram_pages;
	m->mmio_pages = MMIO_WINDOW_BYTES >> PAGE_SHIFT;
	m->dax_start_pfn = m->mmio_start_pfn + m->mmio_pages;
	m->dax_pages = cfg->device >> PAGE_SHIFT;
	m->total_pfns = m->dax_start_pfn + m->dax_pages;
	init_zone(&m->zones[ZONE_NORMAL], ZONE_NORMAL, "Normal", 0, normal);
	init_zone(&m->zones[ZONE_MOVABLE], ZONE_MOVABLE, "Movable", normal,
		  movable);
	init_zone(&m->zones[ZONE_DEVICE], ZONE_DEVICE, "Device",
		  m->mmio_start_pfn, m->total_pfns - m->mmio_start_pfn);
	pthread_mutex_init(&m->lists_lock, NULL);
	INIT_LIST_HEAD(&m->tasks);
	INIT_LIST_HEAD(&m->mms);
	INIT_LIST_HEAD(&m->files);
	m->next_pid = 1;
	m->thp = cfg->thp;
	m->thp_orders = cfg->thp_orders ? cfg->thp_orders :
			1u << HPAGE_PMD_ORDER;

	m->mem_map_bytes = m->total_pfns * sizeof(struct page);
	m->phys_bytes = m->total_pfns * PAGE_SIZE;
	m->mem_map = map_noreserve(m->mem_map_bytes);
	m->phys_base = phys_map(m->phys_bytes);
	m->pageblock_mt = malloc(m->ram_pages >> pageblock_order);
	if (!m->mem_map || !m->phys_base || !m->pageblock_mt)
		return -ENOMEM;
	if (cfg->prefault)
		prefault_ram(m);
	/* Boot memory is movable; the CMA area ends ZONE_NORMAL. */
	memset(m->pageblock_mt, MIGRATE_MOVABLE,
	       m->ram_pages >> pageblock_order);
	memset(m->pageblock_mt + ((normal - (cfg->cma >> PAGE_SHIFT)) >>
				  pageblock_order),
	       MIGRATE_CMA, cfg->cma >> PAGE_SHIFT >> pageblock_order);
	return 0;
}

int machine_create(const struct machine_config *cfg)
{
	struct machine_config c = cfg ? *cfg : (struct machine_config){ 0 };
	struct machine *m;
	int ret;

	if (machine)
		return -EBUSY;
	ret = check_config(&c);
	if (ret)
		return ret;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	ret = machine_layout(m, &c);
	if (ret) {
		machine_free(m);
		return ret;
	}
	/* Before any task exists: every reader sees the one profile. */
	machine_kernel_set(c.kernel);
	machine = m;
	free_all_ram(m);
	vmstat_reset();
	mm_warnings_clear();

	/* 1 GiB pages first, as the kernel's boot-time reservation: below
	 * where the CMA area goes, before anything else takes memory. */
	ret = hugetlb_gigantic_init(c.hugetlb_1g,
				    m->zones[ZONE_NORMAL].spanned_pages -
				    (c.cma >> PAGE_SHIFT));
	if (ret)
		goto fail;

	m->zero_page = alloc_pages(GFP_KERNEL | __GFP_ZERO, 0);
	if (!m->zero_page) {
		ret = -ENOMEM;
		goto fail;
	}
	SetPagereserved(m->zero_page);
	SetPagezero(m->zero_page);
	if (c.cma) {
		unsigned long cma_pages = c.cma >> PAGE_SHIFT;

		ret = cma_init_area(m->zones[ZONE_NORMAL].spanned_pages -
				    cma_pages, cma_pages);
		if (ret)
			goto fail;
	}
	ret = hugetlb_pool_init(c.hugetlb);
	if (ret)
		goto fail;
	ret = swap_init(c.swap);
	if (ret) {
		hugetlb_pool_destroy();
		goto fail;
	}
	return 0;
fail:
	cma_destroy_area();
	machine = NULL;
	machine_kernel_set(NULL);
	machine_free(m);
	return ret;
}

bool machine_exists(void)
{
	return machine != NULL;
}

/* Pages of the deferred (free) range starting at pfn, or 0. */
static unsigned long deferred_skip(unsigned long pfn)
{
	int z, mt;

	for (z = ZONE_NORMAL; z <= ZONE_MOVABLE; z++) {
		struct zone *zone = &machine->zones[z];

		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			if (pfn >= zone->deferred[mt].start &&
			    pfn < zone->deferred[mt].end)
				return zone->deferred[mt].end - pfn;
	}
	return 0;
}

/* Describes up to a few leaked pages into buf; returns how many leaked. */
static unsigned long leak_check(char *buf, size_t len)
{
	unsigned long pfn = 0, leaked = 0;
	size_t off = 0;
	int shown = 0;

	if (buf && len)
		buf[0] = 0;
	while (pfn < machine->ram_pages) {
		struct page *page = pfn_to_page(pfn);
		unsigned long skip = deferred_skip(pfn);

		if (skip) {
			pfn += skip;
			continue;
		}
		if (Pagebuddy(page) && page->private <= MAX_PAGE_ORDER) {
			pfn += 1UL << page->private;
			continue;
		}
		if (page != machine->zero_page) {
			leaked++;
			if (buf && off + 1 < len && shown < 8) {
				int n = dump_page(buf + off, len - off, page);

				if (n > 0)
					off = min(off + (size_t)n, len - 1);
				if (off + 1 < len) {
					buf[off++] = '\n';
					buf[off] = 0;
				}
				shown++;
			}
		}
		pfn++;
	}
	if (leaked && buf && off + 1 < len)
		snprintf(buf + off, len - off, "%lu pages leaked\n", leaked);
	return leaked;
}

int machine_destroy(char *buf, size_t len)
{
	struct machine *m = machine;
	unsigned long leaked, slots;

	if (!m)
		return 0;
	exit_all_tasks();
	destroy_all_files();
	hugetlb_pool_destroy();
	/* every swap entry went with its page table: no slot is in use */
	slots = swap_destroy();
	mm_rcu_barrier();
	leaked = leak_check(buf, len);
	if (slots && buf && len > strlen(buf))
		snprintf(buf + strlen(buf), len - strlen(buf),
			 "%lu swap slots leaked\n", slots);
	leaked += slots;
	cma_destroy_area();
	machine = NULL;
	machine_kernel_set(NULL);
	machine_free(m);
	return leaked ? -EUCLEAN : 0;
}
