// SPDX-License-Identifier: GPL-2.0
/*
 * The schedule explorer (explore/, <gupsim/explore.h>) on races small
 * enough to count by hand, with schedule points placed in the test:
 *
 *	thread 0			thread 1
 *	v = counter
 *	  -- point "read counter" --
 *					v = counter
 *					  -- point --
 *					counter = v + 1
 *	counter = v + 1			(an update is lost)
 *
 * The lost update needs a switch away from a thread that could go on: a
 * preemption. With 0 preemptions only the two serial orders run.
 */
#include <stdlib.h>
#include <string.h>

#include <gupsim/explore.h>

#include "harness.h"
#include "../../mm/testing.h"

static int counter;

static void incr(void *ctx, int i)
{
	int v = READ_ONCE(counter);

	SCHED_POINT("read counter");
	WRITE_ONCE(counter, v + 1);
	SCHED_POINT("wrote counter");
}

struct outcome {
	long schedules, failures;
	bool covered;
	char first_fail[256];
	char **ids;		/* every counted schedule's id */
	long nr_ids;
};

static void outcome_free(struct outcome *o)
{
	for (long i = 0; i < o->nr_ids; i++)
		free(o->ids[i]);
	free(o->ids);
}

/* Explores n threads of incr() as cfg says; fails the test on an anomaly. */
static struct outcome explore_incr(const struct explore_config *cfg, int n)
{
	struct outcome o = { 0 };
	char err[128];
	struct explore *ex = explore_create(cfg, err, sizeof(err));

	ASSERT_TRUE(ex != NULL);
	while (explore_begin(ex)) {
		counter = 0;
		explore_threads(ex, n, incr, NULL);
		explore_end(ex);
		ASSERT_TRUE(explore_anomaly(ex) == NULL);
		if (!explore_counted(ex))
			continue;
		o.ids = realloc(o.ids, (o.nr_ids + 1) * sizeof(*o.ids));
		o.ids[o.nr_ids++] = strdup(explore_schedule_id(ex));
		if (counter != n && !o.failures++)
			snprintf(o.first_fail, sizeof(o.first_fail), "%s",
				 explore_schedule_id(ex));
	}
	o.schedules = explore_nr_schedules(ex);
	o.covered = explore_covered(ex);
	explore_destroy(ex);
	return o;
}

TEST_NO_MACHINE(dfs_finds_lost_update_with_one_preemption)
{
	struct explore_config cfg = { .preemptions = 1 };
	struct outcome o = explore_incr(&cfg, 2);

	harness_note("%ld schedules, %ld lose an update, first %s",
		     o.schedules, o.failures, o.first_fail);
	ASSERT_TRUE(o.covered);
	ASSERT_TRUE(o.failures > 0);
	ASSERT_EQ(o.schedules, o.nr_ids);
	outcome_free(&o);
}

TEST_NO_MACHINE(dfs_without_preemptions_runs_only_serial_orders)
{
	struct explore_config cfg = { .preemptions = 0 };
	struct outcome o = explore_incr(&cfg, 2);

	ASSERT_TRUE(o.covered);
	ASSERT_EQ(o.failures, 0);
	/* thread 0 first, or thread 1 first: the first choice is free */
	ASSERT_EQ(o.schedules, 2);
	outcome_free(&o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The shards' schedules: disjoint, and together exactly the whole run's. */
TEST_NO_MACHINE(shards_partition_the_schedules)
{
	struct explore_config cfg = { .preemptions = 2 };
	struct outcome all = explore_incr(&cfg, 3);
	char **merged = NULL;
	long nr = 0;

	for (int s = 0; s < 4; s++) {
		struct explore_config c = { .preemptions = 2, .shard = s,
					    .nr_shards = 4 };
		struct outcome o = explore_incr(&c, 3);

		harness_note("shard %d/4: %ld of %ld schedules", s,
			     o.schedules, all.schedules);
		ASSERT_TRUE(o.covered);
		merged = realloc(merged, (nr + o.nr_ids) * sizeof(*merged));
		for (long i = 0; i < o.nr_ids; i++)
			merged[nr++] = strdup(o.ids[i]);
		outcome_free(&o);
	}
	ASSERT_EQ(nr, all.nr_ids);
	qsort(merged, nr, sizeof(*merged), cmp_str);
	qsort(all.ids, all.nr_ids, sizeof(*all.ids), cmp_str);
	for (long i = 0; i < nr; i++) {
		ASSERT_TRUE(!strcmp(merged[i], all.ids[i]));
		free(merged[i]);
	}
	free(merged);
	outcome_free(&all);
}

/* Draws the last schedule's steps into buf. */
static void steps_text(struct explore *ex, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < explore_nr_steps(ex) && n < len; i++) {
		struct explore_step s;

		explore_get_step(ex, i, &s);
		n += snprintf(buf + n, len - n, "%d %s: %s\n", s.thread,
			      s.func, s.step);
	}
}

TEST_NO_MACHINE(replay_is_deterministic)
{
	struct explore_config cfg = { .preemptions = 1 };
	struct outcome o = explore_incr(&cfg, 2);
	char first[2048], again[2048], err[128];

	ASSERT_TRUE(o.failures > 0);
	for (int i = 0; i < 100; i++) {
		struct explore_config r = { .schedule = o.first_fail };
		struct explore *ex = explore_create(&r, err, sizeof(err));

		ASSERT_TRUE(ex && explore_begin(ex));
		counter = 0;
		explore_threads(ex, 2, incr, NULL);
		explore_end(ex);
		ASSERT_EQ(counter, 1);
		ASSERT_TRUE(!strcmp(explore_schedule_id(ex), o.first_fail));
		steps_text(ex, i ? again : first, sizeof(first));
		if (i)
			ASSERT_TRUE(!strcmp(first, again));
		ASSERT_TRUE(!explore_begin(ex));	/* exactly once */
		explore_destroy(ex);
	}
	outcome_free(&o);
}

TEST_NO_MACHINE(bad_schedule_id_is_refused)
{
	struct explore_config r = { .schedule = "s-1" };
	char err[128];

	ASSERT_TRUE(explore_create(&r, err, sizeof(err)) == NULL);
	ASSERT_TRUE(strstr(err, "schedule id") != NULL);
}

TEST_NO_MACHINE(random_is_reproducible_with_its_seed)
{
	struct explore_config cfg = { .preemptions = 1, .random = 40,
				      .seed = 7 };
	struct outcome a = explore_incr(&cfg, 2), b = explore_incr(&cfg, 2);

	ASSERT_EQ(a.schedules, 40);
	ASSERT_EQ(a.nr_ids, b.nr_ids);
	for (long i = 0; i < a.nr_ids; i++)
		ASSERT_TRUE(!strcmp(a.ids[i], b.ids[i]));
	/* PCT with one priority change finds a depth-2 bug often */
	ASSERT_TRUE(a.failures > 0);
	ASSERT_TRUE(!a.covered);
	outcome_free(&a);
	outcome_free(&b);
}

/*
 * A lock held across a point: the waiter blocks (a free switch) and runs
 * again after the holder's wake, so with 0 preemptions nothing is lost
 * and no schedule deadlocks.
 */
static int lock_word;

static void locked_incr(void *ctx, int i)
{
	while (__atomic_exchange_n(&lock_word, 1, __ATOMIC_ACQUIRE))
		SCHED_BLOCK(&lock_word, "wait for the lock");
	incr(ctx, i);
	__atomic_store_n(&lock_word, 0, __ATOMIC_RELEASE);
	sched_wake(&lock_word);
}

TEST_NO_MACHINE(blocking_switch_is_free_and_wakes)
{
	struct explore_config cfg = { .preemptions = 2 };
	char err[128];
	struct explore *ex = explore_create(&cfg, err, sizeof(err));
	long blocked = 0;

	while (explore_begin(ex)) {
		counter = lock_word = 0;
		explore_threads(ex, 2, locked_incr, NULL);
		explore_end(ex);
		ASSERT_TRUE(explore_anomaly(ex) == NULL);
		ASSERT_EQ(counter, 2);
		for (int i = 0; i < explore_nr_steps(ex); i++) {
			struct explore_step s;

			explore_get_step(ex, i, &s);
			blocked += s.blocked;
		}
	}
	ASSERT_TRUE(explore_covered(ex));
	ASSERT_TRUE(blocked > 0);
	explore_destroy(ex);
}

/* A wait nobody ends is a deadlock, reported, not a hang. */
static void waits_forever(void *ctx, int i)
{
	static int never;

	for (int n = 0; i == 1 && n < 100 && !READ_ONCE(never); n++)
		SCHED_BLOCK(&never, "wait for nothing");
}

TEST_NO_MACHINE(deadlock_is_reported)
{
	struct explore_config cfg = { .preemptions = 0 };
	char err[128];
	struct explore *ex = explore_create(&cfg, err, sizeof(err));

	ASSERT_TRUE(explore_begin(ex));
	explore_threads(ex, 2, waits_forever, NULL);
	explore_end(ex);
	ASSERT_TRUE(explore_anomaly(ex) &&
		    !strcmp(explore_anomaly(ex), "deadlock"));
	explore_destroy(ex);
}

/*
 * The model's own waits under the explorer (mm/lock.h, mm/rcu.c): a
 * grace period waits for a reader the explorer has descheduled inside its
 * section, by blocking rather than sleeping in liburcu, and ends only
 * after the reader's unlock; a thread wanting mmap_lock while another
 * holds it across a point waits for it. No schedule deadlocks.
 */
static int rcu_order[4], rcu_nr;

static void rcu_reader_or_writer(void *ctx, int i)
{
	if (i == 0) {
		mm_rcu_read_lock();
		SCHED_POINT("inside the read section");
		rcu_order[rcu_nr++] = 1;	/* the reader's last access */
		mm_rcu_read_unlock();
	} else {
		mm_synchronize_rcu();
		rcu_order[rcu_nr++] = 2;	/* the grace period ended */
	}
}

TEST_NO_MACHINE(grace_period_waits_for_a_descheduled_reader)
{
	struct explore_config cfg = { .preemptions = 2 };
	char err[128];
	struct explore *ex = explore_create(&cfg, err, sizeof(err));
	long waited = 0;

	while (explore_begin(ex)) {
		rcu_nr = 0;
		explore_threads(ex, 2, rcu_reader_or_writer, NULL);
		explore_end(ex);
		ASSERT_TRUE(explore_anomaly(ex) == NULL);
		ASSERT_EQ(rcu_nr, 2);
		for (int i = 0; i < explore_nr_steps(ex); i++) {
			struct explore_step s;

			explore_get_step(ex, i, &s);
			waited += s.blocked;
		}
		/* a reader inside its section when the writer came is waited for */
		if (rcu_order[0] == 2)
			continue;	/* the writer's grace period came first */
		ASSERT_EQ(rcu_order[1], 2);
	}
	ASSERT_TRUE(explore_covered(ex));
	ASSERT_TRUE(waited > 0);
	explore_destroy(ex);
}

static struct mm_struct *lock_mm;
static int in_write_section, reader_saw_writer;

static void mmap_lock_users(void *ctx, int i)
{
	if (i == 0) {
		mmap_write_lock(lock_mm);
		in_write_section = 1;
		SCHED_POINT("inside the write section");
		in_write_section = 0;
		mmap_write_unlock(lock_mm);
	} else {
		mmap_read_lock(lock_mm);
		reader_saw_writer |= in_write_section;
		mmap_read_unlock(lock_mm);
	}
}

TEST(mmap_lock_waits_under_the_explorer)
{
	struct explore_config cfg = { .preemptions = 2 };
	struct task_struct *t = task_create("A", RLIM_INFINITY, false);
	char err[128];
	struct explore *ex = explore_create(&cfg, err, sizeof(err));

	ASSERT_TRUE(t != NULL);
	lock_mm = task_mm(t);
	while (explore_begin(ex)) {
		explore_threads(ex, 2, mmap_lock_users, NULL);
		explore_end(ex);
		ASSERT_TRUE(explore_anomaly(ex) == NULL);
		ASSERT_EQ(reader_saw_writer, 0);
	}
	ASSERT_TRUE(explore_covered(ex));
	ASSERT_TRUE(explore_nr_schedules(ex) > 2);
	explore_destroy(ex);
	task_exit(t);
}
