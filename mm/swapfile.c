// SPDX-License-Identifier: GPL-2.0
/*
 * One swap device and its swap cache (the kernel's swapfile.c and
 * swap_state.c in one): `machine swap=SIZE` slots of a page each.
 *
 * A slot is in use while swap entries in page tables refer to it (its
 * count, the kernel's swap_map) or a folio sits in the swap cache for it.
 * A swapped-in folio stays in the swap cache (holding one reference)
 * while other page tables, a forked child's, still hold entries for the
 * slot, so that they fault in the same folio; the last swap_free() of the
 * slot drops the cache's reference and frees the slot.
 *
 * The data area is an anonymous MAP_NORESERVE mapping, like physical
 * memory: unused slots cost nothing. Everything here is under one lock;
 * the slot lookups are linear, which is plenty for scenarios.
 *
 * Left out: swap entries at PMD level (a THP is split before it is paged
 * out, and swapped back in page by page), readahead, zswap, swap
 * priorities and several devices.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

static struct swap_info {
	unsigned long nr;		/* slots */
	unsigned char *count;		/* swap entries referring to a slot */
	struct folio **cache;		/* the swap cache: slot -> folio */
	unsigned char *data;		/* nr pages of stored bytes */
	unsigned long used;		/* slots in use */
	pthread_mutex_t lock;
} si = { .lock = PTHREAD_MUTEX_INITIALIZER };

int swap_init(size_t bytes)
{
	unsigned long nr = bytes >> PAGE_SHIFT;

	if (!nr)
		return 0;
	si.count = calloc(nr, 1);
	si.cache = calloc(nr, sizeof(*si.cache));
	si.data = mmap(NULL, nr << PAGE_SHIFT, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (!si.count || !si.cache || si.data == MAP_FAILED) {
		if (si.data == MAP_FAILED)
			si.data = NULL;
		swap_destroy();
		return -ENOMEM;
	}
	si.nr = nr;
	si.used = 0;
	return 0;
}

/* Called after every task exited: nothing may still use a slot. */
unsigned long swap_destroy(void)
{
	unsigned long used = si.used;

	if (si.data)
		munmap(si.data, si.nr << PAGE_SHIFT);
	free(si.count);
	free(si.cache);
	si = (struct swap_info){ .lock = si.lock };
	return used;
}

bool swap_enabled(void)
{
	return si.nr;
}

/*
 * A free slot with a count of one (for the entry the caller is about to
 * install), or -ENOSPC.
 */
long get_swap_slot(void)
{
	long slot = -ENOSPC;

	spin_lock(&si.lock);
	for (unsigned long i = 0; i < si.nr; i++) {
		if (si.count[i] || si.cache[i])
			continue;
		si.count[i] = 1;
		si.used++;
		slot = (long)i;
		break;
	}
	spin_unlock(&si.lock);
	return slot;
}

/* The page's bytes go to the slot (the page is unmapped: they are stable). */
void swap_writepage(unsigned long slot, struct page *page)
{
	memcpy(si.data + (slot << PAGE_SHIFT), page_address(page), PAGE_SIZE);
	count_vm_event(PSWPOUT);
}

/* fork: one more page table refers to the slot. */
void swap_duplicate(unsigned long slot)
{
	spin_lock(&si.lock);
	VM_WARN(slot >= si.nr || !si.count[slot] || si.count[slot] == 255,
		"swap_duplicate: bad slot %lu", slot);
	if (slot < si.nr && si.count[slot] < 255)
		si.count[slot]++;
	spin_unlock(&si.lock);
}

/* An entry for the slot went away; the last one frees it. */
void swap_free(unsigned long slot)
{
	struct folio *cached = NULL;

	spin_lock(&si.lock);
	if (VM_WARN(slot >= si.nr || !si.count[slot],
		    "swap_free: slot %lu not in use", slot)) {
		spin_unlock(&si.lock);
		return;
	}
	if (!--si.count[slot]) {
		cached = si.cache[slot];
		si.cache[slot] = NULL;
		si.used--;
	}
	spin_unlock(&si.lock);
	if (cached) {
		folio_clear_swapcache(cached);
		folio_put(cached);
	}
}

/* The swap cache's folio for slot, with a reference, or NULL. */
struct folio *swap_cache_lookup(unsigned long slot)
{
	struct folio *folio;

	spin_lock(&si.lock);
	folio = slot < si.nr ? si.cache[slot] : NULL;
	if (folio)
		folio_get(folio);
	spin_unlock(&si.lock);
	return folio;
}

/* Is folio still the swap cache's folio for slot? */
bool swap_cache_is(unsigned long slot, struct folio *folio)
{
	bool is;

	spin_lock(&si.lock);
	is = slot < si.nr && si.cache[slot] == folio;
	spin_unlock(&si.lock);
	return is;
}

/*
 * Reads slot into new and adds it to the swap cache (which takes a
 * reference of its own), unless a folio is cached already: then that one
 * comes back with a reference and new stays the caller's. The caller
 * holds the ptl of a page table whose entry for slot it has just seen:
 * so the slot is in use and nobody writes it.
 */
struct folio *swap_cache_add_read(unsigned long slot, struct folio *new)
{
	struct folio *folio;

	spin_lock(&si.lock);
	folio = si.cache[slot];
	if (folio) {
		folio_get(folio);
	} else {
		memcpy(folio_address(new), si.data + (slot << PAGE_SHIFT),
		       PAGE_SIZE);
		folio_set_swapbacked(new);
		folio_set_swapcache(new);
		folio_get(new);			/* the cache's reference */
		si.cache[slot] = new;
		folio = new;
		count_vm_event(PSWPIN);
	}
	spin_unlock(&si.lock);
	return folio;
}

/* Swap entries still referring to slot (0 when it is free). */
int swap_count(unsigned long slot)
{
	int n;

	spin_lock(&si.lock);
	n = slot < si.nr ? si.count[slot] : 0;
	spin_unlock(&si.lock);
	return n;
}
