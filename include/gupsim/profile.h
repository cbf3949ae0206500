/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version profiles: the model can behave as a given release from
 * 5.1 to 6.18 had it.
 *
 * KERNEL_ENTRIES below is the one list of behaviour changes the model
 * knows, oldest first: each entry names one upstream commit (its subject,
 * its short id where known) and the release that first shipped it. A
 * profile is the set of entries up to its release; code that behaves
 * differently across releases asks for an entry by name,
 *
 *	if (kernel_has(FOLL_PIN)) ...
 *
 * and never compares version numbers where it decides. Without an entry
 * the model does what 5.1 did.
 *
 * The profile points (the releases a profile exists for) are 5.1, every
 * release with an entry, and 6.18; any MAJOR.MINOR from 5.1 to 6.18
 * selects the latest point at or below it.
 */
#ifndef GUPSIM_PROFILE_H
#define GUPSIM_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * KERNEL_ENTRY(NAME, MAJOR, MINOR, "commit subject", "short id")
 * Releases marked "believed" in the project's kernel-versions notes are
 * listed in docs/profiles.md with what confirms them.
 */
#define KERNEL_ENTRIES(KERNEL_ENTRY)					\
	KERNEL_ENTRY(FOLL_LONGTERM, 5, 2,				\
		"mm/gup: Replace get_user_pages_longterm() with FOLL_LONGTERM", \
		"932f4a630a69")						\
	KERNEL_ENTRY(GUP_FAST_FLAGS, 5, 2,				\
		"mm/gup: Change GUP fast to use flags rather than a write 'bool'", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_LONGTERM, 5, 2,				\
		"mm/gup: Add FOLL_LONGTERM capability to GUP fast", "")	\
	KERNEL_ENTRY(HFI1_LONGTERM, 5, 2,				\
		"IB/hfi1: Use the new FOLL_LONGTERM flag to get_user_pages_fast()", \
		"")							\
	KERNEL_ENTRY(QIB_SDMA_LONGTERM, 5, 2,				\
		"IB/qib: Use the new FOLL_LONGTERM flag to get_user_pages_fast()", \
		"")							\
	KERNEL_ENTRY(MTHCA_LONGTERM, 5, 2,				\
		"IB/mthca: Use the new FOLL_LONGTERM flag to get_user_pages_fast()", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_VALIDATE_FLAGS, 5, 3,			\
		"mm: validate get_user_pages_fast flags", "817be129e6f2") \
	KERNEL_ENTRY(FOLL_PIN, 5, 6,					\
		"mm/gup: introduce pin_user_pages*() and FOLL_PIN",	\
		"eddb1c228f79")						\
	KERNEL_ENTRY(REMOTE_LONGTERM, 5, 6,				\
		"mm: fix get_user_pages_remote()'s handling of FOLL_LONGTERM", \
		"c4237f8b1f4f")						\
	KERNEL_ENTRY(GUP_FAST_FORCE, 5, 6,				\
		"mm/gup: allow FOLL_FORCE for get_user_pages_fast()",	\
		"f4000fdf435b")						\
	KERNEL_ENTRY(IB_UMEM_GUP_FAST, 5, 6,				\
		"IB/umem: use get_user_pages_fast() to pin DMA pages", "") \
	KERNEL_ENTRY(IB_PIN, 5, 6,					\
		"IB/{core,hw,umem}: set FOLL_PIN via pin_user_pages*(), fix up ODP", \
		"")							\
	KERNEL_ENTRY(IO_URING_PIN, 5, 6,				\
		"fs/io_uring: set FOLL_PIN via pin_user_pages()", "")	\
	KERNEL_ENTRY(XDP_PIN, 5, 6,					\
		"net/xdp: set FOLL_PIN via pin_user_pages()", "")	\
	KERNEL_ENTRY(VIDEOBUF_PIN, 5, 6,				\
		"media/v4l2-core: pin_user_pages (FOLL_PIN) and put_user_page() conversion", \
		"")							\
	KERNEL_ENTRY(VFIO_PIN, 5, 6,					\
		"vfio, mm: pin_user_pages (FOLL_PIN) and put_user_page() conversion", \
		"")							\
	KERNEL_ENTRY(PPC_IOMMU_PIN, 5, 6,				\
		"powerpc: book3s64: convert to pin_user_pages() and put_user_page()", \
		"")							\
	KERNEL_ENTRY(PIN_COUNTING_BIAS, 5, 7,				\
		"mm/gup: track FOLL_PIN pages", "3faa52c03f44")		\
	KERNEL_ENTRY(GUP_FAST_PIN_CMA_CHECK, 5, 7,			\
		"mm/gup: fix omission of check on FOLL_LONGTERM in gup fast path", \
		"df3a0a21b698")						\
	KERNEL_ENTRY(GUP_COW_BREAK, 5, 8,				\
		"gup: document and work around \"COW can break either way\" issue", \
		"17839856fd58")						\
	KERNEL_ENTRY(WP_PAGE_COUNT, 5, 9,				\
		"mm: do_wp_page() simplification", "09854ba94c6a")	\
	KERNEL_ENTRY(GUP_COW_BREAK_REMOVED, 5, 9,			\
		"mm/gup: Remove enfornced COW mechanism", "a308c71bf1e6") \
	KERNEL_ENTRY(IO_URING_PINNED_VM, 5, 9,				\
		"io_uring: report pinned memory usage", "309758254ea6")	\
	KERNEL_ENTRY(FORK_EARLY_COW, 5, 9,				\
		"mm: Do early cow for pinned pages during fork() for ptes", \
		"70e806e4e645")						\
	KERNEL_ENTRY(IO_URING_HUGE_ACCT, 5, 10,				\
		"io_uring: improve registered buffer accounting for huge pages", \
		"de2939388be5")						\
	KERNEL_ENTRY(DAX_CHECK_VMA_FLAGS, 5, 11,			\
		"mm/gup: remove the vma allocation from gup_longterm_locked()", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_FORK_SEQ, 5, 11,				\
		"mm/gup: prevent gup_fast from racing with COW during fork", \
		"57efa1fe5957")						\
	KERNEL_ENTRY(LONGTERM_MIGRATE_MOVABLE, 5, 13,			\
		"mm/gup: migrate pinned pages out of movable zone", "")	\
	KERNEL_ENTRY(LONGTERM_MIGRATE_ENOMEM, 5, 13,			\
		"mm/gup: return an error on migration failure", "")	\
	KERNEL_ENTRY(IO_URING_SHMEM, 5, 14,				\
		"io_uring: shmem/memfd-backed registered buffers (subject not found)", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_SPLIT_RECHECK, 5, 14,			\
		"mm/gup: fix try_grab_compound_head() race with split_huge_page()", \
		"c24d37322548")						\
	KERNEL_ENTRY(THP_COW_FIX, 5, 18,				\
		"mm/huge_memory: streamline COW logic in do_huge_pmd_wp_page()", \
		"")							\
	KERNEL_ENTRY(ANON_EXCLUSIVE, 5, 19,				\
		"mm: remember exclusively mapped anonymous pages with PG_anon_exclusive", \
		"")							\
	KERNEL_ENTRY(GUP_UNSHARE, 5, 19,				\
		"mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a possibly shared anonymous page", \
		"")							\
	KERNEL_ENTRY(VFIO_UNPIN_ZERO_PAGE, 6, 0,			\
		"vfio/type1: Unpin zero pages", "873aefb376bb")		\
	KERNEL_ENTRY(MPROTECT_ANON_WRITABLE, 6, 0,			\
		"mm/mprotect: allow clean exclusive anon pages to be writable", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_PMD_RECHECK, 6, 0,			\
		"mm: gup: fix the fast GUP race against THP collapse",	\
		"70cbc3cc78a9")						\
	KERNEL_ENTRY(MADV_COLLAPSE, 6, 1,				\
		"mm/madvise: introduce MADV_COLLAPSE sync hugepage collapse", \
		"7d8faaf15545")						\
	KERNEL_ENTRY(LONGTERM_NEEDS_PIN, 6, 1,				\
		"mm/gup.c: Don't pass gup_flags to check_and_migrate_movable_pages()", \
		"")							\
	KERNEL_ENTRY(RO_LONGTERM_UNSHARE, 6, 2,				\
		"mm/gup: reliable R/O long-term pinning in COW mappings", \
		"84209e87c696")						\
	KERNEL_ENTRY(HUGETLB_NO_FORCE_WRITE, 6, 2,			\
		"mm/gup: disallow FOLL_FORCE|FOLL_WRITE on hugetlb mappings", \
		"")							\
	KERNEL_ENTRY(IB_UMEM_NO_FORCE, 6, 2,				\
		"RDMA/umem: remove FOLL_FORCE usage", "")		\
	KERNEL_ENTRY(USNIC_NO_FORCE, 6, 2,				\
		"RDMA/usnic: remove FOLL_FORCE usage", "")		\
	KERNEL_ENTRY(VIDEOBUF_NO_FORCE, 6, 2,				\
		"media: videobuf-dma-sg: remove FOLL_FORCE usage", "")	\
	KERNEL_ENTRY(QIB_NO_FORCE, 6, 2,				\
		"RDMA/hw/qib/qib_user_pages: remove FOLL_FORCE usage", "") \
	KERNEL_ENTRY(COLLAPSE_PIN_EAGAIN, 6, 2,				\
		"MADV_COLLAPSE: EAGAIN for an unexpected page refcount (subject not found)", \
		"")							\
	KERNEL_ENTRY(VALID_GUP_ARGS, 6, 3,				\
		"mm/gup: simplify the external interface functions and consolidate invariants", \
		"b8f81054dc36")						\
	KERNEL_ENTRY(IO_URING_MULTI_SOURCE, 6, 3,			\
		"io_uring/rsrc: disallow multi-source reg buffers",	\
		"edd478269640")						\
	KERNEL_ENTRY(IO_URING_MULTI_SOURCE_REVERTED, 6, 4,		\
		"Revert \"io_uring/rsrc: disallow multi-source reg buffers\"", \
		"3c85cc43c8e7")						\
	KERNEL_ENTRY(LONGTERM_NO_FILE_WRITE, 6, 5,			\
		"mm/gup: disallow FOLL_LONGTERM GUP-nonfast writing to file-backed mappings", \
		"")							\
	KERNEL_ENTRY(GUP_FAST_LONGTERM_NO_FILE_WRITE, 6, 5,		\
		"mm/gup: disallow FOLL_LONGTERM GUP-fast writing to file-backed mappings", \
		"")							\
	KERNEL_ENTRY(ZERO_PAGE_NOT_PINNED, 6, 5,			\
		"mm: Don't pin ZERO_PAGE in pin_user_pages()", "c8070b787519") \
	KERNEL_ENTRY(IO_URING_GUP_FILE_CHECK, 6, 5,			\
		"io_uring: rsrc: delegate VMA file-backed check to GUP", "") \
	KERNEL_ENTRY(ANON_MTHP, 6, 8,					\
		"mm: thp: support allocation of anonymous multi-size THP", \
		"19eaf44954df")						\
	KERNEL_ENTRY(IO_URING_PIN_FAST, 6, 10,				\
		"io_uring: unify io_pin_pages()", "")			\
	KERNEL_ENTRY(IO_URING_COALESCE, 6, 10,				\
		"io_uring/rsrc: enable multi-hugepage buffer coalescing", "") \
	KERNEL_ENTRY(COLLAPSE_READ_ONLY, 6, 18,				\
		"khugepaged: collapse read-only anonymous ranges too (subject not found)", \
		"")

enum kernel_entry {
#define KERNEL_ENTRY_ENUM(name, maj, min, subject, id) KE_##name,
	KERNEL_ENTRIES(KERNEL_ENTRY_ENUM)
#undef KERNEL_ENTRY_ENUM
	NR_KERNEL_ENTRIES
};

/* A version as one number: 6.18 is KERNEL_VERSION(6, 18). */
#define KERNEL_VERSION(maj, min)	((maj) * 256U + (min))
#define KERNEL_VERSION_MAJOR(v)		((v) / 256U)
#define KERNEL_VERSION_MINOR(v)		((v) % 256U)
#define KERNEL_VERSION_FIRST		KERNEL_VERSION(5, 1)
#define KERNEL_VERSION_LAST		KERNEL_VERSION(6, 18)
#define KERNEL_5_LAST_MINOR		19	/* 6.0 followed 5.19 */

struct kernel_profile;

/* What one entry says about itself. */
struct kernel_entry_info {
	const char *name;	/* without the KE_ prefix */
	unsigned int version;
	const char *subject;
	const char *commit;	/* short id, "" when not known */
};

const struct kernel_entry_info *kernel_entry_info(enum kernel_entry e);

/* The profile points, oldest first; *nr gets how many there are. */
const struct kernel_profile *const *kernel_profile_points(int *nr);
/* The point a profile stands for, and its name ("5.13"). */
unsigned int kernel_profile_version(const struct kernel_profile *p);
const char *kernel_profile_name(const struct kernel_profile *p);
/* The profile without kernel=: the newest, 6.18. */
const struct kernel_profile *kernel_profile_default(void);

/*
 * Parses "MAJOR.MINOR" (len bytes of s, no sign, no spaces, no leading
 * zeroes). Returns 0 and the profile of the latest point at or below it,
 * -EINVAL when s is not of that form, -ERANGE when it is outside
 * 5.1 .. 6.18, -ENOENT for a release that never was (5.20 .. 5.255).
 *
 * A variant follows the version with entries added or taken away,
 * "6.18-GUP_FAST_PMD_RECHECK" or "5.10+GUP_FAST_FORK_SEQ": that release
 * with one fix more or less, to see what the fix alone changes (its
 * name is the spelling given). -ESRCH: no entry has that name; -ENOSPC:
 * too many distinct variants (32) in one program.
 */
int kernel_profile_parse(const char *s, size_t len,
			 const struct kernel_profile **out);
/*
 * What a kernel_profile_parse() error means, as the end of a message
 * that starts with the spelling given: "is out of range: releases 5.1 to
 * 6.18 are modelled", "names an entry no profile has: ...", ...
 */
const char *kernel_profile_strerror(int err);

/* Is the entry in the profile? */
bool kernel_profile_has(const struct kernel_profile *p, enum kernel_entry e);
#define profile_has(p, name)	kernel_profile_has((p), KE_##name)

/*
 * The running machine's profile (the default when no machine or no
 * kernel= was chosen), and the test asked at the point of decision.
 * kernel_has() also notes that the entry was consulted (below).
 */
const struct kernel_profile *machine_kernel(void);
/*
 * A tool's --kernel: machines run profile p whatever their configuration
 * asks (NULL: each runs its own again). Set it only while no machine runs.
 */
void machine_kernel_force(const struct kernel_profile *p);
bool machine_kernel_has(enum kernel_entry e);
#define kernel_has(name)	machine_kernel_has(KE_##name)

/*
 * Which entries kernel_has() was asked about since the last reset: a
 * tool that shows why a result changed between releases (`gupsim
 * versions`) lists the entries the run consulted.
 */
void kernel_consulted_reset(void);
bool kernel_consulted(enum kernel_entry e);

#endif /* GUPSIM_PROFILE_H */
