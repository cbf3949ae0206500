/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parsed program: the contract between the parser (scenario/parser.c),
 * which produces it, and what consumes it, the interpreter
 * (scenario/interp.c) and the backends (backend/). Nothing here knows the
 * lexer or the parser's symbol tables, nor any model internals.
 *
 * Tasks, mappings, files, handles and CMA allocations are named by small
 * integer ids the parser hands out in order of creation (an id is never
 * reused, even when a name is), so a backend keeps plain arrays indexed by
 * them.
 *
 * Every statement kind is one line of SCN_STMT_KINDS below; the enum, the
 * keyword, the parse function, the results a statement may produce, the
 * options it takes and the union member holding its arguments all come
 * from that line. Adding a statement: one line there, its parse function
 * (parser.c) and one operation per backend (an operation a backend lacks
 * answers `skip`).
 */
#ifndef GUPSIM_PROGRAM_H
#define GUPSIM_PROGRAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SCN_NAME_MAX	63		/* longest NAME */
#define SCN_PAGE_SIZE	4096UL

/* A kernel-version profile (gupsim/profile.h); NULL: the default, 6.18. */
struct kernel_profile;

/* ---- results ---- */

enum res_kind {
	RES_NONE = 0,	/* no result (no expectation given) */
	RES_OK,
	RES_COUNT,	/* a number: pages pinned, a counter */
	RES_ERRNO,	/* value: a positive errno */
	RES_SIGNAL,	/* value: SIGSEGV or SIGBUS */
	RES_BYTE,	/* value: 0..255 */
	RES_MIXED,
	RES_ZONE,	/* value: enum scn_zone */
	RES_SKIP,
};

/* What an expectation may name, as a mask of 1 << enum res_kind. */
#define RS_OK		(1u << RES_OK)
#define RS_COUNT	(1u << RES_COUNT)
#define RS_SIG		(1u << RES_SIGNAL)
#define RS_BYTE		(1u << RES_BYTE)
#define RS_MIXED	(1u << RES_MIXED)
#define RS_ZONE		(1u << RES_ZONE)
/* every statement may fail with an errno or be skipped by a backend */
#define RS_ALWAYS ((1u << RES_ERRNO) | (1u << RES_SKIP))

enum scn_zone { ZONE_R_NONE = 0, ZONE_R_NORMAL, ZONE_R_MOVABLE, ZONE_R_CMA,
		ZONE_R_DEVICE };

struct result {
	enum res_kind kind;
	long value;
	/* RES_OK of a pin or driver: how many pages that "ok" stands for */
	bool has_count;
	long count;
	/* a model invariant does not hold (`check`): the run exits 3 */
	bool broken;
	char msg[512];
};

/* Formats a result as the language writes it ("EBUSY", "'x'", "cma"). */
void result_format(const struct result *r, char *buf, size_t len);
/* Does the actual result satisfy the expectation? */
bool result_matches(const struct result *expect, const struct result *got);
/* errno <-> name; NULL / 0 when unknown. */
const char *errno_name(int err);
int errno_from_name(const char *name, size_t len);
struct result res_ok(void);
struct result res_errno(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- argument values ---- */

enum scn_thp { SCN_THP_MADVISE = 0, SCN_THP_ALWAYS, SCN_THP_NEVER };
enum scn_fs { SCN_FS_EXT4, SCN_FS_TMPFS, SCN_FS_DAX, SCN_FS_HUGETLBFS,
	      SCN_FS_MEMFD };
enum scn_source { SRC_ANON, SRC_FILE, SRC_MEMFD, SRC_HUGETLB, SRC_DEVZERO,
		  SRC_IO };
enum scn_place { PLACE_R_ANY = 0, PLACE_R_NORMAL, PLACE_R_MOVABLE,
		 PLACE_R_CMA };
/* PROT bits as <sys/mman.h> spells them (PROT_READ 1, WRITE 2, EXEC 4) */
enum { SCN_PROT_R = 1, SCN_PROT_W = 2, SCN_PROT_X = 4 };
/* pin options */
enum { PIN_WRITE = 1, PIN_LONGTERM = 2, PIN_FAST = 4, PIN_GET = 8,
       PIN_FORCE = 16 };
/*
 * What `show` prints: W(ID, word, argument) with argument NONE, TASK (a
 * task must follow) or FILE (an optional file name may follow).
 */
#define SCN_SHOW_KINDS(W)						\
	W(MEMINFO, "meminfo", NONE) W(VMSTAT, "vmstat", NONE)		\
	W(PINS, "pins", NONE) W(MAPS, "maps", TASK)			\
	W(STATUS, "status", TASK) W(PAGETYPEINFO, "pagetypeinfo", NONE) \
	W(BUDDYINFO, "buddyinfo", NONE) W(MAP, "map", FILE)
enum scn_show {
#define SCN_SHOW_ENUM(id, word, arg) SHOW_##id,
	SCN_SHOW_KINDS(SCN_SHOW_ENUM)
#undef SCN_SHOW_ENUM
	NR_SHOW_KINDS
};
extern const char *const scn_show_names[NR_SHOW_KINDS];

/*
 * Counters `stat` reads of one task rather than of the machine:
 * C(ID, name). `stat locked_vm TASK`.
 */
#define SCN_TASK_COUNTERS(C)						\
	C(LOCKED_VM, "locked_vm") C(PINNED_VM, "pinned_vm")		\
	C(USER_LOCKED_VM, "user_locked_vm")
enum scn_task_counter {
	TC_NONE = 0,
#define SCN_TC_ENUM(id, name) TC_##id,
	SCN_TASK_COUNTERS(SCN_TC_ENUM)
#undef SCN_TC_ENUM
};
/*
 * Counters `stat` reads of one page, the page TASK maps at an address:
 * P(ID, name). `stat refcount TASK VAR[+OFF]`. A backend that cannot
 * read them answers skip, saying why.
 */
#define SCN_PAGE_COUNTERS(P)						\
	P(REFCOUNT, "refcount") P(MAPCOUNT, "mapcount")
enum scn_page_counter {
	PC_NONE = 0,
#define SCN_PC_ENUM(id, name) PC_##id,
	SCN_PAGE_COUNTERS(SCN_PC_ENUM)
#undef SCN_PC_ENUM
};
enum handle_kind { HANDLE_PIN, HANDLE_GET, HANDLE_DRIVER };

/* The driver kinds of the contract, in order (drivers/ models them). */
extern const char *const scn_driver_names[];
/*
 * Per kind: does the kernel driver pin pages of an mm other than
 * current's, so that `driver ... mm=OTHER` means something? (Only vfio:
 * vaddr_get_pfns() pins in the container's mm, whoever runs it.)
 */
extern const bool scn_driver_remote[];
#define NR_DRIVER_KINDS 11

/* A byte range of a mapping, resolved: [off, off + len) of mapping `var`. */
struct range {
	int var;
	uint64_t off, len;
};

struct var_pair {
	int parent, child;
};

/* ---- the arguments of each kind (the union members of struct stmt) ---- */

struct no_args {
	char unused;
};

struct machine_args {
	uint64_t mem, cma, movable, device;
	uint64_t hugetlb;		/* 2 MiB huge pages in their pool */
	uint64_t hugetlb_1g;		/* 1 GiB huge pages in theirs */
	enum scn_thp thp;
	const struct kernel_profile *kernel;	/* kernel=VERSION */
	uint64_t swap;			/* bytes of swap device, 0: none */
	unsigned int thp_orders;	/* thp_sizes=: bit N is 4K << N; 0: 2M */
};

struct file_args {
	int file;
	char name[SCN_NAME_MAX + 1];
	enum scn_fs fs;
	uint64_t size;
	uint64_t pagesize;		/* hugetlbfs: 2M (default) or 1G */
};

/* fallocate FILE [off=SIZE] [len=SIZE]: mode 0, within the file's size */
struct fallocate_args {
	int file;
	uint64_t off, len;
};

/* `task NAME`: the new task's id is stmt.task */
struct task_args {
	char name[SCN_NAME_MAX + 1];
	uint64_t memlock;		/* UINT64_MAX: unlimited */
	bool cap_ipc_lock;
};

struct mmap_args {
	int var;
	char name[SCN_NAME_MAX + 1];
	uint64_t size;
	enum scn_source source;
	int file;			/* SRC_FILE: the file, else -1 */
	uint64_t src_off;
	bool shared, populate, thp_advise;
	uint64_t pagesize;		/* hugetlb: 2M (default) or 1G */
	int prot;
	enum scn_place place;
};

/* read, munmap, where, mlock, munlock: a range and nothing else */
struct range_args {
	struct range range;
};

struct write_args {
	struct range range;
	int byte;
};

struct mprotect_args {
	struct range range;
	int prot;
};

struct madvise_args {
	struct range range;
	int advice;			/* MADV_* as <sys/mman.h> numbers them */
};

/*
 * `TASK mremap VAR` moves the whole mapping and VAR follows (partial is
 * false, only var is set); `TASK mremap RANGE NEW ...` is mremap(2) of the
 * range with the result named NEW, of new_len bytes.
 */
struct mremap_args {
	int var;
	bool partial;
	struct range range;
	int new_var;
	char name[SCN_NAME_MAX + 1];
	uint64_t new_len;
	unsigned int flags;		/* MREMAP_* as <linux/mman.h> */
	int fixed_var;			/* fixed=VAR[+OFF]: the target, or -1 */
	uint64_t fixed_off;
};

struct fork_args {
	int child;
	char name[SCN_NAME_MAX + 1];
	struct var_pair *pairs;		/* parent's mapping -> child's copy */
	int nr_pairs;
};

struct exit_args {
	int *drv_handles;		/* the driver registrations exit ends */
	int nr_drv_handles;
};

struct pin_args {
	int handle;
	char name[SCN_NAME_MAX + 1];
	struct range range;		/* of OTHER's mapping with mm=OTHER */
	unsigned int flags;		/* PIN_* */
	int mm;				/* mm=OTHER: that task, else -1 */
	enum handle_kind hkind;		/* HANDLE_PIN or HANDLE_GET */
};

struct unpin_args {
	int handle;
	enum handle_kind hkind;
	bool dirty;
};

struct driver_args {
	int handle;
	char name[SCN_NAME_MAX + 1];
	int driver;			/* index in scn_driver_names */
	struct range range;		/* of OTHER's mapping with mm=OTHER */
	bool write;
	int mm;				/* mm=OTHER: the registration's owner
					 * (scn_driver_remote kinds), else -1 */
};

struct release_args {
	int handle;
};

/* dev write and dev read */
struct dev_args {
	int handle;
	enum handle_kind hkind;
	int byte;			/* dev write */
	uint64_t off, len;
	bool len_set;	/* without len=, a partial pin's held part */
};

struct cma_alloc_args {
	int cma;
	char name[SCN_NAME_MAX + 1];
	uint64_t size;
};

struct cma_free_args {
	int cma;
};

struct stat_args {
	char counter[SCN_NAME_MAX + 1];
	enum scn_task_counter task_counter;	/* TC_NONE: a vmstat counter */
	enum scn_page_counter page_counter;	/* PC_NONE: not of a page */
	int task;			/* stat COUNTER TASK, else -1 */
	struct range range;		/* a page counter's page: range.off
					 * (range.len is one page) */
};

struct show_args {
	enum scn_show what;
	int task;			/* show maps|status TASK, else -1 */
	char *path;			/* show map FILE: malloc'ed, else NULL */
};

/*
 * `race` ... `end`: the race statement stands before the nr statements of
 * its block (stmts[i + 1 .. i + nr]), which run at once, each in a thread
 * of its own; `end` leaves no statement behind.
 */
struct race_args {
	int nr;				/* 2 .. SCN_RACE_MAX */
};
#define SCN_RACE_MAX	4

/* ---- options ---- */

/*
 * O(ID, spelling, takes a value). One spelling may name two options of
 * different kinds (`thp=MODE` of machine, the `thp` flag of mmap).
 */
#define SCN_OPTIONS(O)							\
	O(MEM, "mem", true) O(CMA, "cma", true)				\
	O(MOVABLE, "movable", true) O(HUGETLB, "hugetlb", true)		\
	O(THP_MODE, "thp", true) O(DEVICE, "device", true)		\
	O(FS, "fs", true) O(SIZE, "size", true)				\
	O(MEMLOCK, "memlock", true) O(CAP_IPC_LOCK, "cap_ipc_lock", false) \
	O(PRIVATE, "private", false) O(SHARED, "shared", false)		\
	O(PROT, "prot", true) O(POPULATE, "populate", false)		\
	O(THP, "thp", false) O(PLACE, "place", true)			\
	O(WRITE, "write", false) O(LONGTERM, "longterm", false)		\
	O(FAST, "fast", false) O(GET, "get", false)			\
	O(FORCE, "force", false) O(MM, "mm", true)			\
	O(DIRTY, "dirty", false) O(OFF, "off", true) O(LEN, "len", true) \
	O(KERNEL, "kernel", true)					\
	O(MAYMOVE, "maymove", false) O(FIXED, "fixed", true)		\
	O(DONTUNMAP, "dontunmap", false) O(SWAP, "swap", true)		\
	O(THP_SIZES, "thp_sizes", true) O(PAGESIZE, "pagesize", true)

enum scn_opt {
#define SCN_OPT_ENUM(id, spelling, value) OPT_##id,
	SCN_OPTIONS(SCN_OPT_ENUM)
#undef SCN_OPT_ENUM
	NR_OPTS
};

/* A set of options, as a statement kind takes them. */
#define OPTS(...)	(0 SCN_OPT_BITS(__VA_ARGS__))
#define SCN_OPT_BIT(id)	| (1ULL << OPT_##id)
#define SCN_OPT_BITS(...) SCN_MAP(SCN_OPT_BIT, __VA_ARGS__)
/* Applies f to each of up to nine arguments. */
#define SCN_MAP(f, ...) SCN_MAP_N(__VA_ARGS__, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0) \
	(f, __VA_ARGS__)
#define SCN_MAP_N(a, b, c, d, e, g, h, i, j, n, ...) SCN_MAP_##n
#define SCN_MAP_0(f, ...)
#define SCN_MAP_1(f, a) f(a)
#define SCN_MAP_2(f, a, ...) f(a) SCN_MAP_1(f, __VA_ARGS__)
#define SCN_MAP_3(f, a, ...) f(a) SCN_MAP_2(f, __VA_ARGS__)
#define SCN_MAP_4(f, a, ...) f(a) SCN_MAP_3(f, __VA_ARGS__)
#define SCN_MAP_5(f, a, ...) f(a) SCN_MAP_4(f, __VA_ARGS__)
#define SCN_MAP_6(f, a, ...) f(a) SCN_MAP_5(f, __VA_ARGS__)
#define SCN_MAP_7(f, a, ...) f(a) SCN_MAP_6(f, __VA_ARGS__)
#define SCN_MAP_8(f, a, ...) f(a) SCN_MAP_7(f, __VA_ARGS__)
#define SCN_MAP_9(f, a, ...) f(a) SCN_MAP_8(f, __VA_ARGS__)

/* ---- statement kinds ---- */

/*
 * X(KIND, member, args, keyword, form, results, options)
 *   KIND	ST_KIND in enum stmt_kind
 *   member	struct stmt's union member (struct args) and parse_member()
 *   keyword	as written; the first word is what the parser matches
 *   form	KW: the keyword starts the line; TASK: `TASK keyword ...`
 *   results	RS_*: what an expectation may name besides RS_ALWAYS
 *   options	OPTS(...): the options it takes, in any order after its
 *		positional arguments (a RANGE's len= is part of the RANGE)
 * Keywords of the KW form cannot name a task.
 */
#define SCN_STMT_KINDS(X)						\
	X(MACHINE, machine, machine_args, "machine", KW, RS_OK,		\
	  OPTS(MEM, CMA, MOVABLE, HUGETLB, THP_MODE, DEVICE, KERNEL, SWAP, \
	       THP_SIZES))						\
	X(FILE, file, file_args, "file", KW, RS_OK, OPTS(FS, SIZE, PAGESIZE)) \
	X(TASK, task_new, task_args, "task", KW, RS_OK,			\
	  OPTS(MEMLOCK, CAP_IPC_LOCK))					\
	X(MMAP, mmap, mmap_args, "mmap", TASK, RS_OK,			\
	  OPTS(PRIVATE, SHARED, PROT, POPULATE, THP, PLACE, PAGESIZE))	\
	X(WRITE, write, write_args, "write", TASK, RS_OK | RS_SIG, 0)	\
	X(READ, read, range_args, "read", TASK, RS_BYTE | RS_MIXED | RS_SIG, 0) \
	X(MUNMAP, munmap, range_args, "munmap", TASK, RS_OK, 0)		\
	X(MPROTECT, mprotect, mprotect_args, "mprotect", TASK, RS_OK, 0)	\
	X(MADVISE, madvise, madvise_args, "madvise", TASK, RS_OK, 0)	\
	X(MREMAP, mremap, mremap_args, "mremap", TASK, RS_OK,		\
	  OPTS(SIZE, MAYMOVE, FIXED, DONTUNMAP))			\
	X(FORK, fork, fork_args, "fork", TASK, RS_OK, 0)			\
	X(EXIT, exit, exit_args, "exit", TASK, RS_OK, 0)			\
	X(PIN, pin, pin_args, "pin", TASK, RS_OK | RS_COUNT,		\
	  OPTS(WRITE, LONGTERM, FAST, GET, FORCE, MM))			\
	X(UNPIN, unpin, unpin_args, "unpin", KW, RS_OK, OPTS(DIRTY))	\
	X(DRIVER, driver, driver_args, "driver", TASK, RS_OK | RS_COUNT,	\
	  OPTS(WRITE, MM))						\
	X(RELEASE, release, release_args, "release", KW, RS_OK, 0)	\
	X(DEV_WRITE, dev_write, dev_args, "dev write", KW, RS_OK,	\
	  OPTS(OFF, LEN))						\
	X(DEV_READ, dev_read, dev_args, "dev read", KW, RS_BYTE | RS_MIXED, \
	  OPTS(OFF, LEN))						\
	X(CMA_ALLOC, cma_alloc, cma_alloc_args, "cma_alloc", KW, RS_OK, 0) \
	X(CMA_FREE, cma_free, cma_free_args, "cma_free", KW, RS_OK, 0)	\
	X(WHERE, where, range_args, "where", TASK, RS_ZONE | RS_MIXED, 0) \
	X(CHECK, check, no_args, "check", KW, RS_OK, 0)			\
	X(STAT, stat, stat_args, "stat", KW, RS_COUNT, 0)		\
	X(SHOW, show, show_args, "show", KW, RS_OK, 0)			\
	X(MLOCK, mlock, range_args, "mlock", TASK, RS_OK, 0)		\
	X(MUNLOCK, munlock, range_args, "munlock", TASK, RS_OK, 0)	\
	X(FALLOCATE, fallocate, fallocate_args, "fallocate", KW, RS_OK,	\
	  OPTS(OFF, LEN))						\
	X(RACE, race, race_args, "race", KW, 0, 0)			\
	X(END, end, no_args, "end", KW, 0, 0)

enum stmt_kind {
#define SCN_KIND_ENUM(K, m, a, kw, f, r, o) ST_##K,
	SCN_STMT_KINDS(SCN_KIND_ENUM)
#undef SCN_KIND_ENUM
	NR_STMT_KINDS
};

/* The keyword of a kind ("dev read"), "?" for a bad kind. */
const char *stmt_kind_name(enum stmt_kind kind);

struct stmt {
	enum stmt_kind kind;
	int line;
	char *text;		/* the statement as written, no comment/result */
	bool has_expect;
	struct result expect;
	int task;		/* the acting TASK (`task`: the new one), or -1 */
	union {
#define SCN_KIND_MEMBER(K, m, a, kw, f, r, o) struct a m;
		SCN_STMT_KINDS(SCN_KIND_MEMBER)
#undef SCN_KIND_MEMBER
	};
};

/* What the parser learnt about the entities, for backends' tables. */
struct program {
	char *filename;
	struct stmt *stmts;
	int nr_stmts;
	int nr_tasks, nr_vars, nr_files, nr_handles, nr_cmas;
	char **task_names, **var_names, **file_names, **handle_names,
	     **cma_names;
	uint64_t *var_size;	/* static size of every mapping */
	int *var_task;		/* the task a mapping belongs to */
	bool has_machine;	/* an explicit `machine` statement (first) */
	/* the machine's kernel= (NULL: the default profile, 6.18) */
	const struct kernel_profile *kernel;
	int nr_races;		/* race blocks */
};

#endif /* GUPSIM_PROGRAM_H */
