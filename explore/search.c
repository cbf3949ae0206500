// SPDX-License-Identifier: GPL-2.0
/*
 * The explorer's decisions: which runnable thread goes on at each point
 * where there is a choice.
 *
 * Depth-first (CHESS's iterative context bounding, without the
 * iteration): the first schedule takes the default everywhere (keep
 * running the running thread, else the lowest-numbered runnable one).
 * Each later schedule repeats the previous one's decisions up to the
 * deepest decision that still has an untried choice within the preemption
 * bound, takes that choice, and goes on with defaults. A choice costs a
 * preemption when the thread that was running could have gone on. The
 * space is covered when no decision has an untried choice left.
 *
 * Shards: the choices at the first key_depth decisions pick a subtree;
 * subtrees are numbered in the order the search meets them (the same in
 * every shard) and subtree k belongs to shard k mod N. A shard searches
 * its own subtrees fully; of another's it runs only the first schedule,
 * which it needs to learn the decisions above it, and does not count it.
 * So the shards' counted schedules are disjoint and together are exactly
 * the unsharded run's.
 *
 * Random (PCT, Burckhardt et al. 2010): each thread gets a random
 * priority; the highest-priority runnable thread runs; at d - 1 randomly
 * chosen decisions the running thread drops below every other. Schedule
 * k's randomness depends only on (seed, k) and on the number of decisions
 * of the default schedule (run first, uncounted, to learn it), so a shard
 * runs the k with k mod N == I and the union is again the whole.
 *
 * An id: "s" then, for each decision that took another than the default,
 * "-AT.THREAD" (AT counts decisions from 0): "s-3.1-9.0". Replaying it
 * takes those choices and defaults elsewhere.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "explore_internal.h"

static int default_choice(unsigned int enabled, int cur)
{
	if (cur >= 0 && (enabled & (1u << cur)))
		return cur;
	return __builtin_ctz(enabled);
}

static bool is_preemption(unsigned int enabled, int cur, int t)
{
	return cur >= 0 && (enabled & (1u << cur)) && t != cur;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* PCT: the highest-priority runnable thread, after a due priority drop. */
static int pct_choice(struct explore *ex, int at, unsigned int enabled,
		      int self)
{
	int best = -1;

	for (int j = 0; j < ex->nr_change; j++)
		if (ex->change[j] == at && self >= 0)
			ex->prio[self] = j;	/* below every initial one */
	for (int t = 0; t < EXPLORE_THREADS_MAX; t++)
		if ((enabled & (1u << t)) &&
		    (best < 0 || ex->prio[t] > ex->prio[best]))
			best = t;
	return best;
}

/* Replay: the id's choice at this decision, if it names one. */
static int replay_choice(struct explore *ex, int at, unsigned int enabled,
			 int cur)
{
	for (int i = 0; i < ex->nr_dev; i++) {
		if (ex->dev[i].at != at)
			continue;
		if (enabled & (1u << ex->dev[i].thread))
			return ex->dev[i].thread;
		ex->anomaly = "nondeterministic";
	}
	return default_choice(enabled, cur);
}

static struct xdecision *push(struct explore *ex)
{
	if (ex->depth == ex->cap) {
		int cap = ex->cap ? ex->cap * 2 : 256;
		struct xdecision *s = realloc(ex->stack, cap * sizeof(*s));

		if (!s)
			return NULL;
		ex->stack = s;
		ex->cap = cap;
	}
	return &ex->stack[ex->depth++];
}

int search_decide(struct explore *ex, unsigned int enabled, int cur, int self)
{
	int at = ex->depth, t;
	struct xdecision *d;

	if (at < ex->replay_len) {
		d = &ex->stack[at];
		ex->depth++;
		if (d->enabled != enabled || d->cur != cur)
			ex->anomaly = "nondeterministic";
		t = enabled & (1u << d->chosen) ? d->chosen :
		    default_choice(enabled, cur);
		ex->preempts += is_preemption(enabled, cur, t);
		return t;
	}
	if (ex->cfg.schedule)
		t = replay_choice(ex, at, enabled, cur);
	else if (ex->cfg.random > 0 && ex->run_no >= 0)
		t = pct_choice(ex, at, enabled, self);
	else
		t = default_choice(enabled, cur);
	d = push(ex);
	if (d)
		*d = (struct xdecision){
			.enabled = enabled, .cur = cur, .chosen = t,
			.tried = 1u << t, .preempts_before = ex->preempts,
		};
	ex->preempts += is_preemption(enabled, cur, t);
	return t;
}

/* PCT: fresh priorities for a block's new threads, d .. d + n - 1. */
void search_block_start(struct explore *ex, int n)
{
	int d = ex->nr_change + 1;

	if (ex->cfg.random <= 0)
		return;
	for (int i = 0; i < n; i++)
		ex->prio[i] = d + i;
	for (int i = n - 1; i > 0; i--) {
		int j = splitmix64(&ex->rng) % (i + 1), tmp = ex->prio[i];

		ex->prio[i] = ex->prio[j];
		ex->prio[j] = tmp;
	}
}

/* "s-3.1-9.0" -> the choices; 0 or -EINVAL with a message. */
static int parse_id(struct explore *ex, const char *id, char *err, size_t len)
{
	const char *s = id;

	if (*s++ != 's')
		goto bad;
	while (*s) {
		char *end;
		long at, t;

		if (*s++ != '-')
			goto bad;
		at = strtol(s, &end, 10);
		if (end == s || *end != '.' || at < 0 || at > 1L << 30)
			goto bad;
		s = end + 1;
		t = strtol(s, &end, 10);
		if (end == s || t < 0 || t >= EXPLORE_THREADS_MAX)
			goto bad;
		s = end;
		ex->dev = realloc(ex->dev, (ex->nr_dev + 1) * sizeof(*ex->dev));
		if (!ex->dev)
			goto bad;
		ex->dev[ex->nr_dev].at = (int)at;
		ex->dev[ex->nr_dev++].thread = (int)t;
	}
	return 0;
bad:
	snprintf(err, len, "'%s' is not a schedule id (s, then -AT.THREAD for each choice)",
		 id);
	return -EINVAL;
}

int search_create(struct explore *ex, char *err, size_t len)
{
	int n = ex->cfg.nr_shards, bits = 0;

	while ((1 << bits) < n)
		bits++;
	/* enough subtrees that N shards get about the same share */
	ex->key_depth = n > 1 ? min(4 + 2 * bits, 40) : 0;
	ex->counted = ex->cfg.shard == 0 || ex->cfg.random > 0;
	ex->run_no = ex->cfg.random > 0 ? -1 : 0;	/* -1: the probe */
	if (ex->cfg.schedule)
		return parse_id(ex, ex->cfg.schedule, err, len);
	return 0;
}

void search_destroy(struct explore *ex)
{
	free(ex->stack);
	free(ex->change);
	free(ex->dev);
	free(ex->id);
}

/* PCT: schedule run_no's seed, and its d - 1 priority-change decisions. */
static bool random_begin(struct explore *ex)
{
	int d1 = ex->cfg.preemptions > 0 ? ex->cfg.preemptions : 0;

	if (ex->run_no < 0) {
		ex->counted = false;	/* the default schedule, to measure */
		return true;
	}
	for (;;) {
		if (ex->run_no >= ex->cfg.random)
			return false;
		if (ex->run_no % ex->cfg.nr_shards == ex->cfg.shard)
			break;
		ex->run_no++;
	}
	ex->rng = ex->cfg.seed ^ ((uint64_t)ex->run_no * 0xd1b54a32d192ed03ULL);
	splitmix64(&ex->rng);
	free(ex->change);
	ex->change = calloc(d1 ? d1 : 1, sizeof(*ex->change));
	ex->nr_change = ex->change ? d1 : 0;
	for (int j = 0; j < ex->nr_change; j++)
		ex->change[j] = splitmix64(&ex->rng) % ex->est_depth;
	ex->counted = true;
	return true;
}

bool search_begin(struct explore *ex)
{
	if (ex->done)
		return false;
	ex->depth = 0;
	ex->preempts = 0;
	if (ex->cfg.random > 0 && !ex->cfg.schedule)
		return random_begin(ex);
	ex->run_no = 0;
	if (ex->cfg.schedule) {
		if (ex->started)
			return false;
		ex->counted = true;
	}
	ex->started = true;
	return true;
}

/* Builds the id of the schedule just run. */
static void make_id(struct explore *ex)
{
	size_t need = 2 + (size_t)ex->depth * 24, n;

	if (need > ex->id_cap) {
		char *id = realloc(ex->id, need);

		if (!id)
			return;
		ex->id = id;
		ex->id_cap = need;
	}
	n = snprintf(ex->id, ex->id_cap, "s");
	for (int i = 0; i < ex->depth; i++) {
		const struct xdecision *d = &ex->stack[i];

		if (d->chosen != default_choice(d->enabled, d->cur))
			n += snprintf(ex->id + n, ex->id_cap - n, "-%d.%d", i,
				      d->chosen);
	}
}

/*
 * The next DFS schedule: the deepest decision with an untried choice in
 * budget. Outside its own subtree a shard does not descend past the key.
 */
static bool backtrack(struct explore *ex)
{
	int from = ex->counted ? ex->depth : min(ex->depth, ex->key_depth);

	for (int i = from - 1; i >= 0; i--) {
		struct xdecision *d = &ex->stack[i];

		for (int t = 0; t < EXPLORE_THREADS_MAX; t++) {
			unsigned int bit = 1u << t;

			if (!(d->enabled & bit) || (d->tried & bit))
				continue;
			d->tried |= bit;
			if (d->preempts_before +
			    is_preemption(d->enabled, d->cur, t) >
			    ex->cfg.preemptions)
				continue;
			d->chosen = t;
			ex->replay_len = i + 1;
			if (i < ex->key_depth) {
				ex->keyno++;
				ex->counted = ex->keyno % ex->cfg.nr_shards ==
					      ex->cfg.shard;
			}
			return true;
		}
	}
	return false;
}

void search_end(struct explore *ex)
{
	make_id(ex);
	if (ex->counted)
		ex->nr_counted++;
	if (ex->cfg.schedule) {
		ex->done = true;
		return;
	}
	if (ex->cfg.random > 0) {
		if (ex->run_no < 0)
			ex->est_depth = max(ex->depth, 1);
		ex->run_no++;
		return;
	}
	if (!backtrack(ex)) {
		ex->done = true;
		ex->covered = true;
	}
}

long explore_nr_schedules(const struct explore *ex)
{
	return ex->nr_counted;
}

bool explore_covered(const struct explore *ex)
{
	return ex->covered;
}

bool explore_counted(const struct explore *ex)
{
	return ex->counted;
}

const char *explore_schedule_id(const struct explore *ex)
{
	return ex->id ? ex->id : "s";
}

int explore_preemptions(const struct explore *ex)
{
	return ex->preempts;
}
