/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scenario language: a lexer, a parser that resolves every name and
 * checks everything that can be known before running (so a file that does
 * not parse executes nothing), and an interpreter that runs the resulting
 * program through a backend (backend/backend.h).
 *
 * The program the parser builds knows no model internals: tasks, mappings,
 * files, handles and CMA allocations are named by small integer ids that
 * the parser hands out in order of creation (an id is never reused, even
 * when a name is), so a backend keeps plain arrays indexed by them.
 */
#ifndef GUPSIM_SCENARIO_H
#define GUPSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SCN_NAME_MAX	63		/* longest NAME */
#define SCN_LINE_MAX	4096		/* longest source line, in bytes */
#define SCN_TOKENS_MAX	64		/* most tokens on one line */
#define SCN_FILE_MAX	(64UL << 20)	/* largest scenario file */
#define SCN_PAGE_SIZE	4096UL

/* ---- lexer ---- */

enum tok_type { TOK_WORD, TOK_BYTE, TOK_ARROW };

struct token {
	enum tok_type type;
	const char *s;		/* points into the line; not NUL terminated */
	size_t len;
	int col;		/* 1-based byte column */
	int byte;		/* TOK_BYTE: the value */
};

struct scn_error {
	int line, col;		/* 1-based; col 0: no column */
	char msg[256];
};

/*
 * Splits one line (without its '\n') into tokens, stopping at a comment.
 * Returns the number of tokens, or -1 with *err filled in.
 */
int scn_lex_line(const char *line, size_t len, int lineno,
		 struct token *toks, int max, struct scn_error *err);

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

/* ---- statements ---- */

enum stmt_kind {
	ST_MACHINE, ST_FILE, ST_TASK, ST_MMAP, ST_WRITE, ST_READ, ST_MUNMAP,
	ST_MPROTECT, ST_MADVISE, ST_MREMAP, ST_FORK, ST_EXIT, ST_PIN, ST_UNPIN,
	ST_DRIVER, ST_RELEASE, ST_DEV_WRITE, ST_DEV_READ, ST_CMA_ALLOC,
	ST_CMA_FREE, ST_WHERE, ST_CHECK, ST_STAT, ST_SHOW, NR_STMT_KINDS
};

enum scn_thp { SCN_THP_MADVISE = 0, SCN_THP_ALWAYS, SCN_THP_NEVER };
enum scn_fs { SCN_FS_EXT4, SCN_FS_TMPFS, SCN_FS_DAX, SCN_FS_HUGETLBFS };
enum scn_source { SRC_ANON, SRC_FILE, SRC_MEMFD, SRC_HUGETLB, SRC_DEVZERO,
		  SRC_IO };
enum scn_place { PLACE_R_ANY = 0, PLACE_R_NORMAL, PLACE_R_MOVABLE,
		 PLACE_R_CMA };
/* PROT bits as <sys/mman.h> spells them (PROT_READ 1, WRITE 2, EXEC 4) */
enum { SCN_PROT_R = 1, SCN_PROT_W = 2, SCN_PROT_X = 4 };
/* pin options */
enum { PIN_WRITE = 1, PIN_LONGTERM = 2, PIN_FAST = 4, PIN_GET = 8,
       PIN_FORCE = 16 };
enum scn_show { SHOW_MEMINFO, SHOW_VMSTAT, SHOW_PINS, SHOW_MAPS };
enum handle_kind { HANDLE_PIN, HANDLE_GET, HANDLE_DRIVER };

/* The driver kinds of the contract, in order (drivers/ will model them). */
extern const char *const scn_driver_names[];
#define NR_DRIVER_KINDS 10

/* A byte range of a mapping, resolved: [off, off + len) of mapping `var`. */
struct range {
	int var;
	uint64_t off, len;
};

struct var_pair {
	int parent, child;
};

struct stmt {
	enum stmt_kind kind;
	int line;
	char *text;		/* the statement as written, no comment/result */
	bool has_expect;
	struct result expect;

	int task;		/* the acting TASK, or -1 */
	int other;		/* fork: child; pin: mm=OTHER; show maps: TASK */
	int var;		/* mmap, mremap, where: the mapping */
	int file;		/* file; mmap of file:NAME */
	int handle;		/* pin, unpin, driver, release, dev */
	int cma;		/* cma_alloc, cma_free */
	char name[SCN_NAME_MAX + 1];	/* what the statement creates/names */
	struct range range;

	uint64_t size;		/* mmap, file, cma_alloc */
	/* machine */
	uint64_t mem, cma_size, movable, hugetlb;
	enum scn_thp thp;
	/* file */
	enum scn_fs fs;
	/* task */
	uint64_t memlock;	/* UINT64_MAX: unlimited */
	bool cap_ipc_lock;
	/* mmap */
	enum scn_source source;
	uint64_t src_off;
	bool shared, populate, thp_advise;
	int prot;		/* mmap, mprotect */
	enum scn_place place;
	/* write, dev write */
	int byte;
	/* fork */
	struct var_pair *pairs;
	int nr_pairs;
	/* pin */
	unsigned int pin_flags;
	bool dirty;		/* unpin */
	int driver;		/* driver kind index */
	enum handle_kind hkind;
	/* dev */
	uint64_t dev_off, dev_len;
	bool dev_len_set;	/* without len=, a partial pin's held part */
	/* stat */
	char counter[SCN_NAME_MAX + 1];
	/* show */
	enum scn_show show;
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
};

const char *stmt_kind_name(enum stmt_kind kind);

/*
 * Parses a whole scenario. buf need not be NUL terminated and may hold any
 * bytes. Returns a program, or NULL with *err filled in (line, column and
 * message; the caller prints it with scn_print_error()).
 */
struct program *scn_parse(const char *filename, const char *buf, size_t len,
			  struct scn_error *err);
void scn_free(struct program *prog);
/* Prints FILE:LINE:COL: error: MSG, the source line and a caret line. */
void scn_print_error(FILE *out, const char *filename, const char *buf,
		     size_t len, const struct scn_error *err);
/* Reads a file (at most SCN_FILE_MAX bytes): 0 or -errno. */
int scn_read_file(const char *path, char **buf, size_t *len);

/* ---- interpreter ---- */

struct backend_ops;

struct run_options {
	bool quiet;
	bool json;
	const struct backend_ops *backend;
	/* called with every statement's result, e.g. to compare backends */
	void (*on_result)(void *arg, const struct stmt *st,
			  const struct result *r);
	void *arg;
};

/* Exit status of one run: 0 ok, 1 an expectation failed, 3 model broken. */
int scn_run(const struct program *prog, const struct run_options *opts,
	    FILE *out, FILE *err);

#endif /* GUPSIM_SCENARIO_H */
