/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model backend's /proc-like views (model_inspect.c): `show status`,
 * `show pagetypeinfo`, `show buddyinfo` and `show map`, in the formats the
 * kernel's files have, written to out. They read the model only through
 * gupsim/inspect.h.
 */
#ifndef GUPSIM_MODEL_INSPECT_H
#define GUPSIM_MODEL_INSPECT_H

#include <stdio.h>

struct task_struct;

/* 0, or -ESRCH when the task is gone. */
int show_task_status(FILE *out, struct task_struct *task, const char *name);
void show_pagetypeinfo(FILE *out);
void show_buddyinfo(FILE *out);

#endif /* GUPSIM_MODEL_INSPECT_H */
