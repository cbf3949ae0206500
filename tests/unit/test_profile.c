// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the kernel-version profiles: the points derived from the list
 * of entries, version parsing, and which entries each profile holds.
 */
#include <errno.h>

#include <gupsim/profile.h>

#include "harness.h"

static const struct kernel_profile *parse(const char *s, int *err)
{
	const struct kernel_profile *p = NULL;

	*err = kernel_profile_parse(s, strlen(s), &p);
	return p;
}

static const char *point_of(const char *s)
{
	int err;
	const struct kernel_profile *p = parse(s, &err);

	return err ? "error" : kernel_profile_name(p);
}

TEST_NO_MACHINE(profile_points_are_first_last_and_every_entry_release)
{
	int nr;
	const struct kernel_profile *const *pts = kernel_profile_points(&nr);

	ASSERT_GE(nr, 2);
	ASSERT_EQ(kernel_profile_version(pts[0]), KERNEL_VERSION(5, 1));
	ASSERT_EQ(kernel_profile_version(pts[nr - 1]), KERNEL_VERSION(6, 18));
	for (int i = 1; i < nr; i++)
		ASSERT_LT(kernel_profile_version(pts[i - 1]),
			  kernel_profile_version(pts[i]));
	/* Every entry's release is a point, and every point but the two
	 * ends has an entry of its own. */
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++) {
		const struct kernel_entry_info *ki = kernel_entry_info(e);
		bool found = false;

		for (int i = 0; i < nr; i++)
			found |= kernel_profile_version(pts[i]) == ki->version;
		ASSERT_TRUE(found);
	}
	for (int i = 1; i < nr - 1; i++) {
		bool own = false;

		for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
			own |= kernel_entry_info(e)->version ==
			       kernel_profile_version(pts[i]);
		ASSERT_TRUE(own);
	}
}

TEST_NO_MACHINE(profile_holds_exactly_the_entries_up_to_its_release)
{
	int nr;
	const struct kernel_profile *const *pts = kernel_profile_points(&nr);

	for (int i = 0; i < nr; i++)
		for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
			ASSERT_EQ(kernel_profile_has(pts[i], e),
				  kernel_entry_info(e)->version <=
				  kernel_profile_version(pts[i]));
	/* 5.1 is the model's floor: no entry at all. */
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++)
		ASSERT_FALSE(kernel_profile_has(pts[0], e));
	ASSERT_TRUE(profile_has(kernel_profile_default(), FOLL_PIN));
	ASSERT_FALSE(profile_has(pts[0], FOLL_LONGTERM));
}

TEST_NO_MACHINE(profile_version_between_points_takes_the_one_below)
{
	int nr;
	const struct kernel_profile *const *pts = kernel_profile_points(&nr);

	/* Every release from 5.1 to 6.18 selects the last point at or
	 * below it. */
	for (unsigned int maj = 5; maj <= 6; maj++) {
		for (unsigned int min = maj == 5 ? 1 : 0;
		     min <= (maj == 5 ? 19U : 18U); min++) {
			unsigned int v = KERNEL_VERSION(maj, min);
			const struct kernel_profile *want = NULL;
			char buf[16];
			int err;

			for (int i = 0; i < nr; i++)
				if (kernel_profile_version(pts[i]) <= v)
					want = pts[i];
			snprintf(buf, sizeof(buf), "%u.%u", maj, min);
			ASSERT_PTR_EQ(parse(buf, &err), want);
		}
	}
	ASSERT_STREQ(point_of("5.1"), "5.1");
	ASSERT_STREQ(point_of("5.2"), "5.2");
	ASSERT_STREQ(point_of("5.4"), "5.3");	/* nothing in 5.4 */
	ASSERT_STREQ(point_of("6.18"), "6.18");
}

TEST_NO_MACHINE(profile_parse_refuses_bad_and_out_of_range_versions)
{
	static const char *const bad[] = {
		"", "5", "5.", ".1", "5.1.0", "v5.2", "5.02", "05.2", "5.x",
		"+5.2", "5 .2", "5.1000", "-5.2",
	};
	static const char *const range[] = {
		"5.0", "4.20", "6.19", "7.0", "3.10", "9.255", "5.256",
	};
	static const char *const never[] = { "5.20", "5.99", "5.255" };
	int err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ASSERT_NULL(parse(bad[i], &err));
		ASSERT_EQ(err, -EINVAL);
	}
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++) {
		ASSERT_NULL(parse(range[i], &err));
		ASSERT_EQ(err, -ERANGE);
	}
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		ASSERT_NULL(parse(never[i], &err));
		ASSERT_EQ(err, -ENOENT);
	}
	/* len bounds the text: "6.185" cut after four bytes is 6.18. */
	{
		const struct kernel_profile *p = NULL;

		ASSERT_EQ(kernel_profile_parse("6.185", 4, &p), 0);
		ASSERT_STREQ(kernel_profile_name(p), "6.18");
	}
}

TEST_NO_MACHINE(profile_entries_name_a_subject_and_a_release)
{
	for (int e = 0; e < NR_KERNEL_ENTRIES; e++) {
		const struct kernel_entry_info *ki = kernel_entry_info(e);

		ASSERT_NOT_NULL(ki->name);
		ASSERT_GT(strlen(ki->subject), 10);
		ASSERT_GE(ki->version, KERNEL_VERSION(5, 2));
		ASSERT_LE(ki->version, KERNEL_VERSION(6, 18));
		/* Oldest first: the list reads as history. */
		if (e)
			ASSERT_LE(kernel_entry_info(e - 1)->version,
				  ki->version);
	}
	ASSERT_NULL(kernel_entry_info(NR_KERNEL_ENTRIES));
}

TEST(profile_default_machine_runs_the_newest_kernel)
{
	kernel_consulted_reset();
	ASSERT_PTR_EQ(machine_kernel(), kernel_profile_default());
	ASSERT_FALSE(kernel_consulted(KE_FOLL_PIN));
	ASSERT_TRUE(kernel_has(FOLL_PIN));
	ASSERT_TRUE(kernel_consulted(KE_FOLL_PIN));
	ASSERT_FALSE(kernel_consulted(KE_FOLL_LONGTERM));
}
