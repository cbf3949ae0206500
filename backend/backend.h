/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend/: what executes a parsed program, statement by statement.
 *
 *   model.c		on the model, through its public API only
 *			(include/gupsim/), as a process and a driver would
 *   host*.c		on the running kernel: one real worker process per
 *			scenario task (host_worker.c), io_uring helpers
 *			(host_uring.c), a janitor that undoes what a run
 *			changed on the host (host_janitor.c)
 *
 * Backends only: the commands that drive them (run, diff, bench) live in
 * cmd/. A backend reads the parsed program (scenario/program.h) and never
 * the parser.
 *
 * The interface: a table of operations indexed by statement kind
 * (`[ST_PIN] = model_pin`). Every operation returns a struct result
 * speaking the language's terms only; nothing of the model leaks through
 * it, so a backend running statements on the host kernel fills the same
 * table. An operation a backend cannot perform returns RES_SKIP; a kind
 * without an operation (NULL) is answered RES_SKIP by the interpreter.
 */
#ifndef GUPSIM_BACKEND_H
#define GUPSIM_BACKEND_H

#include <stdio.h>

#include "../scenario/program.h"

struct backend {
	const struct backend_ops *ops;
	const struct program *prog;
	FILE *out;		/* where `show` prints */
	/*
	 * --explain: where the backend says why each statement answered as
	 * it did, one line per item, "KIND\tTEXT" with KIND one of rule
	 * (the function and check that decided), object (what it looked
	 * at), pin (how a pin found its pages), note. NULL: not asked.
	 */
	FILE *why;
	/*
	 * --trace: where the backend writes the model's events under the
	 * statement, in ftrace's text format; --trace-json: the same as
	 * Chrome trace-event objects, each followed by ",\n". NULL: off.
	 */
	FILE *trace;
	FILE *trace_json;
	void *priv;
};

typedef struct result (*backend_op_t)(struct backend *be,
				      const struct stmt *st);

struct backend_ops {
	const char *name;
	/* Sets up be->priv for prog; 0 or -errno (message in buf). */
	int (*open)(struct backend *be, char *buf, size_t len);
	/*
	 * After the last statement: checks the model's invariants, releases
	 * every handle still held, tears the machine down. 0, or -EUCLEAN
	 * with a description (invariant violated, memory leaked) in buf.
	 */
	int (*close)(struct backend *be, char *buf, size_t len);
	/*
	 * Optional, around every operation when be->why, be->trace or
	 * be->trace_json is set: start recording, then write what was
	 * recorded (r is the statement's result).
	 */
	void (*stmt_begin)(struct backend *be, const struct stmt *st);
	void (*stmt_end)(struct backend *be, const struct stmt *st,
			 const struct result *r);
	/*
	 * Its operations may run at once in several threads (a race block).
	 * false: op[ST_RACE], if any, decides per block: RES_OK, the block's
	 * statements run at once, each operation in a thread of its own;
	 * otherwise (or without it) each statement answers skip, with the
	 * race operation's reason.
	 */
	bool concurrent;
	/* one operation per statement kind; NULL: the kind is skipped */
	backend_op_t op[NR_STMT_KINDS];
};

extern const struct backend_ops model_backend_ops;

#endif /* GUPSIM_BACKEND_H */
