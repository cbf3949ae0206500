/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend interface: one table of operations the interpreter calls,
 * one per statement kind. It speaks the language's terms only (statements
 * with their names resolved to ids, results); nothing of the model leaks
 * through it, so a backend that runs statements on the host kernel can
 * implement the same table.
 *
 * Every operation returns a struct result (scenario/scenario.h). An
 * operation a backend cannot perform returns RES_SKIP. An operation may
 * be NULL in the table: the interpreter then answers RES_SKIP itself.
 */
#ifndef GUPSIM_BACKEND_H
#define GUPSIM_BACKEND_H

#include "../scenario/scenario.h"

struct backend {
	const struct backend_ops *ops;
	const struct program *prog;
	FILE *out;		/* where `show` prints */
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

	backend_op_t machine, file, task, mmap, write, read, munmap, mprotect,
		     madvise, mremap, fork, exit, pin, unpin, driver, release,
		     dev_write, dev_read, cma_alloc, cma_free, where, check,
		     stat, show;
};

extern const struct backend_ops model_backend_ops;

/* The operation of a statement kind in a table (NULL if none). */
backend_op_t backend_op(const struct backend_ops *ops, enum stmt_kind kind);

#endif /* GUPSIM_BACKEND_H */
