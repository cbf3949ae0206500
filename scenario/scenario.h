/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scenario/: the scenario language.
 *
 *   lexer.c	one line -> tokens
 *   parser.c	tokens -> the parsed program (program.h), every name
 *		resolved and everything knowable before running checked, so
 *		a file that does not parse executes nothing
 *   program.h	the parsed program: the one contract between the parser
 *		and what runs it (interpreter, backends); the list of
 *		statement kinds lives there
 *   interp.c	runs a program through a backend's table of operations
 *		(backend/backend.h), compares results with expectations
 *   result.c	results: formatting, matching, errno names
 *
 * This header is the parser's and interpreter's API, for cmd/ and tests;
 * backends include only program.h.
 */
#ifndef GUPSIM_SCENARIO_H
#define GUPSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "program.h"

#define SCN_LINE_MAX	4096		/* longest source line, in bytes */
#define SCN_TOKENS_MAX	64		/* most tokens on one line */
#define SCN_FILE_MAX	(64UL << 20)	/* largest scenario file */

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

/* ---- parser ---- */

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
	/* say why: errnos, skips, failed expectations, pins that migrated */
	bool explain;
	/* print the model's trace events under each statement */
	bool trace;
	/* write them as Chrome trace-event objects, each ending ",\n" */
	FILE *trace_json;
	/* --map FILE.svg: draw physical memory after the last statement */
	const char *map;
	/* colour the status: FAIL red, ok green, skip dim (cmd decides) */
	bool color;
	const struct backend_ops *backend;
	/* called with every statement's result, e.g. to compare backends */
	void (*on_result)(void *arg, const struct stmt *st,
			  const struct result *r);
	void *arg;
	/*
	 * A race block: runs fn(ctx, i) for every i < n at once, each in a
	 * thread of its own, and returns when all have returned. NULL: plain
	 * threads, as the machine schedules them; `gupsim explore` runs
	 * them under its scheduler.
	 */
	void (*race)(void *race_arg, int n, void (*fn)(void *ctx, int i),
		     void *ctx);
	void *race_arg;
};

/* s as a JSON string, quoted and escaped (NULL: ""). */
void scn_json_string(FILE *out, const char *s);

/* Exit status of one run: 0 ok, 1 an expectation failed, 3 model broken. */
int scn_run(const struct program *prog, const struct run_options *opts,
	    FILE *out, FILE *err);

#endif /* GUPSIM_SCENARIO_H */
