// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-version profiles (gupsim/profile.h): the profile points derived
 * from the one list of entries, version parsing, and the membership test
 * the model asks at each point where releases differ.
 *
 * The points are built once, on first use, from KERNEL_ENTRIES: 5.1,
 * every release that has an entry, 6.18, sorted and without repeats. A
 * profile holds the bitmap of the entries up to its release, so the test
 * at the point of decision is one bit, and "a profile is the set of its
 * entries" holds literally. Profiles are never freed: they are constants
 * of the program, shared by every machine and thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gupsim/gup.h>

#include "kernel_profile.h"

#define ENTRY_WORDS	((NR_KERNEL_ENTRIES + 63) / 64)
/* 5.1, 6.18 and at most one point per entry. */
#define MAX_POINTS	(NR_KERNEL_ENTRIES + 2)

struct kernel_profile {
	unsigned int version;
	char name[160];		/* "6.18", "6.18-GUP_FAST_PMD_RECHECK" */
	uint64_t entries[ENTRY_WORDS];	/* bit e: entry e is in */
};

static const struct kernel_entry_info entry_info[NR_KERNEL_ENTRIES] = {
#define KERNEL_ENTRY_INFO(n, maj, min, subj, id)			\
	[KE_##n] = { .name = #n, .version = KERNEL_VERSION(maj, min),	\
		     .subject = subj, .commit = id },
	KERNEL_ENTRIES(KERNEL_ENTRY_INFO)
#undef KERNEL_ENTRY_INFO
};

const char *kernel_entry_describe(const char *entry, char *buf,
				  unsigned long len)
{
	for (unsigned int e = 0; e < NR_KERNEL_ENTRIES; e++) {
		const struct kernel_entry_info *i = &entry_info[e];

		if (strcmp(i->name, entry))
			continue;
		snprintf(buf, len, "%u.%u: %s%s%s%s",
			 KERNEL_VERSION_MAJOR(i->version),
			 KERNEL_VERSION_MINOR(i->version), i->subject,
			 i->commit[0] ? " (" : "", i->commit,
			 i->commit[0] ? ")" : "");
		return buf;
	}
	return NULL;
}

static struct kernel_profile points[MAX_POINTS];
static const struct kernel_profile *point_ptrs[MAX_POINTS];
static int nr_points;
static pthread_once_t points_once = PTHREAD_ONCE_INIT;

const struct kernel_entry_info *kernel_entry_info(enum kernel_entry e)
{
	if ((unsigned int)e >= NR_KERNEL_ENTRIES)
		return NULL;
	return &entry_info[e];
}

/* Inserts v into the sorted list of point versions, unless it is there. */
static void add_point_version(unsigned int *vers, int *nr, unsigned int v)
{
	int i = 0;

	while (i < *nr && vers[i] < v)
		i++;
	if (i < *nr && vers[i] == v)
		return;
	memmove(&vers[i + 1], &vers[i], (*nr - i) * sizeof(*vers));
	vers[i] = v;
	(*nr)++;
}

static void build_points(void)
{
	unsigned int vers[MAX_POINTS];
	int nr = 0;

	add_point_version(vers, &nr, KERNEL_VERSION_FIRST);
	add_point_version(vers, &nr, KERNEL_VERSION_LAST);
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
		add_point_version(vers, &nr, entry_info[e].version);

	for (int i = 0; i < nr; i++) {
		struct kernel_profile *p = &points[i];

		p->version = vers[i];
		snprintf(p->name, sizeof(p->name), "%u.%u",
			 KERNEL_VERSION_MAJOR(vers[i]),
			 KERNEL_VERSION_MINOR(vers[i]));
		for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
			if (entry_info[e].version <= vers[i])
				p->entries[e / 64] |= 1ULL << (e % 64);
		point_ptrs[i] = p;
	}
	nr_points = nr;
}

const struct kernel_profile *const *kernel_profile_points(int *nr)
{
	pthread_once(&points_once, build_points);
	if (nr)
		*nr = nr_points;
	return point_ptrs;
}

unsigned int kernel_profile_version(const struct kernel_profile *p)
{
	return p->version;
}

const char *kernel_profile_name(const struct kernel_profile *p)
{
	return p->name;
}

const struct kernel_profile *kernel_profile_default(void)
{
	int nr;
	const struct kernel_profile *const *pts = kernel_profile_points(&nr);

	return pts[nr - 1];
}

/* A decimal number of 1-3 digits without a leading zero; -1 if not. */
static int parse_small_number(const char *s, size_t len)
{
	int v = 0;

	if (!len || len > 3 || (s[0] == '0' && len > 1))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int kernel_release_parse(const char *s, size_t len,
				const struct kernel_profile **out);

/* The first of chars in the len bytes of s, or NULL. */
static const char *strpbrk_len(const char *s, size_t len, const char *chars)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] && strchr(chars, s[i]))
			return s + i;
	return NULL;
}

/* ---- variants: a release with some entries added or taken away ---- */

/*
 * "6.18-GUP_FAST_PMD_RECHECK" is 6.18 without that fix, "5.10+X" 5.10
 * with X: what a race explorer needs to show that one entry alone opens
 * or closes a race. Variants are made on first use and, like the points,
 * never freed; the same spelling always gives the same profile.
 */
#define MAX_VARIANTS	32

static struct kernel_profile variants[MAX_VARIANTS];
static int nr_variants;
static pthread_mutex_t variants_lock = PTHREAD_MUTEX_INITIALIZER;

static int entry_by_name(const char *s, size_t len)
{
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
		if (strlen(entry_info[e].name) == len &&
		    !memcmp(entry_info[e].name, s, len))
			return e;
	return -1;
}

/* Applies "+NAME-NAME..." (len bytes of s) to v's entries. */
static int apply_changes(struct kernel_profile *v, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		bool add = *s == '+';
		const char *name = s + 1, *next = name;
		int e;

		if (*s != '+' && *s != '-')
			return -EINVAL;
		while (next < end && *next != '+' && *next != '-')
			next++;
		e = entry_by_name(name, next - name);
		if (e < 0)
			return -ESRCH;
		if (add)
			v->entries[e / 64] |= 1ULL << (e % 64);
		else
			v->entries[e / 64] &= ~(1ULL << (e % 64));
		s = next;
	}
	return 0;
}

static int profile_variant(const struct kernel_profile *base, const char *s,
			   size_t len, const struct kernel_profile **out)
{
	struct kernel_profile v = *base;
	int ret = apply_changes(&v, s, len);

	if (ret)
		return ret;
	if (strlen(base->name) + len >= sizeof(v.name))
		return -EINVAL;
	memcpy(v.name + strlen(base->name), s, len);
	v.name[strlen(base->name) + len] = '\0';
	pthread_mutex_lock(&variants_lock);
	for (int i = 0; i < nr_variants; i++) {
		if (!strcmp(variants[i].name, v.name)) {
			*out = &variants[i];
			goto unlock;
		}
	}
	if (nr_variants == MAX_VARIANTS) {
		ret = -ENOSPC;
		goto unlock;
	}
	variants[nr_variants] = v;
	*out = &variants[nr_variants++];
unlock:
	pthread_mutex_unlock(&variants_lock);
	return ret;
}

int kernel_profile_parse(const char *s, size_t len,
			 const struct kernel_profile **out)
{
	const char *change = s ? strpbrk_len(s, len, "+-") : NULL;
	const struct kernel_profile *base;
	int ret;

	if (!change)
		return kernel_release_parse(s, len, out);
	ret = kernel_release_parse(s, change - s, &base);
	if (ret)
		return ret;
	return profile_variant(base, change, len - (change - s), out);
}

const char *kernel_profile_strerror(int err)
{
	switch (err) {
	case -ERANGE:
		return "is out of range: releases 5.1 to 6.18 are modelled";
	case -ENOENT:
		return "is no release: 5.19 was followed by 6.0";
	case -ESRCH:
		return "names an entry no profile has: `gupsim versions --entries` lists them";
	case -ENOSPC:
		return "is one variant too many: a program may use 32";
	default:
		return "is not a version: expected MAJOR.MINOR, e.g. 5.2, or a release with entries added or taken away, e.g. 5.10+GUP_FAST_FORK_SEQ";
	}
}

static int kernel_release_parse(const char *s, size_t len,
				const struct kernel_profile **out)
{
	const struct kernel_profile *const *pts;
	const char *dot = s ? memchr(s, '.', len) : NULL;
	int maj, min, nr;
	unsigned int v;

	if (!dot)
		return -EINVAL;
	maj = parse_small_number(s, dot - s);
	min = parse_small_number(dot + 1, len - (dot + 1 - s));
	if (maj < 0 || min < 0)
		return -EINVAL;
	v = KERNEL_VERSION((unsigned int)maj, (unsigned int)min);
	if (min > 255 || v < KERNEL_VERSION_FIRST || v > KERNEL_VERSION_LAST)
		return -ERANGE;
	/* In range but never released: 5.x ended with 5.19. */
	if (maj == 5 && min > KERNEL_5_LAST_MINOR)
		return -ENOENT;

	pts = kernel_profile_points(&nr);
	for (int i = nr - 1; i >= 0; i--) {
		if (pts[i]->version <= v) {
			*out = pts[i];
			return 0;
		}
	}
	return -ERANGE;	/* not reached: 5.1 is a point */
}

bool kernel_profile_has(const struct kernel_profile *p, enum kernel_entry e)
{
	if ((unsigned int)e >= NR_KERNEL_ENTRIES)
		return false;
	return p->entries[e / 64] & (1ULL << (e % 64));
}

/* ---- the running machine's profile ---- */

/*
 * Set by machine_create() before any task exists and reset by
 * machine_destroy() after the last one is gone, so readers (any thread
 * of the machine) never race with a change.
 */
static const struct kernel_profile *running;
/* Wins over running: set by a tool before it creates machines. */
static const struct kernel_profile *forced;

/* Bits of the entries kernel_has() was asked about; see the header. */
static atomic_uint_fast64_t consulted[ENTRY_WORDS];

unsigned int machine_pin_refs = GUP_PIN_COUNTING_BIAS;

static void machine_pin_refs_update(void)
{
	machine_pin_refs = kernel_profile_has(machine_kernel(),
					      KE_PIN_COUNTING_BIAS) ?
			   GUP_PIN_COUNTING_BIAS : 1;
}

void machine_kernel_set(const struct kernel_profile *p)
{
	running = p;
	machine_pin_refs_update();
}

void machine_kernel_force(const struct kernel_profile *p)
{
	forced = p;
	machine_pin_refs_update();
}

const struct kernel_profile *machine_kernel(void)
{
	if (forced)
		return forced;
	return running ? running : kernel_profile_default();
}

bool machine_kernel_has(enum kernel_entry e)
{
	uint64_t bit = 1ULL << (e % 64);

	/* Read first: once set, the hot paths only ever read the word. */
	if (!(atomic_load_explicit(&consulted[e / 64],
				   memory_order_relaxed) & bit))
		atomic_fetch_or_explicit(&consulted[e / 64], bit,
					 memory_order_relaxed);
	return kernel_profile_has(machine_kernel(), e);
}

void kernel_consulted_reset(void)
{
	for (int i = 0; i < ENTRY_WORDS; i++)
		atomic_store(&consulted[i], 0);
}

bool kernel_consulted(enum kernel_entry e)
{
	if ((unsigned int)e >= NR_KERNEL_ENTRIES)
		return false;
	return atomic_load(&consulted[e / 64]) & (1ULL << (e % 64));
}
