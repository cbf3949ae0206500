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
/*
 * The pageblock map (model_map.c): the text form without a path, else an
 * SVG written to path and, on out, where each group's grid lies in it.
 * 0, -EOPNOTSUPP (built without cairo), -EIO, -ENOMEM.
 */
int show_map(FILE *out, const char *path, const char *caption);

#endif /* GUPSIM_MODEL_INSPECT_H */
