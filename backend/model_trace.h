/* SPDX-License-Identifier: GPL-2.0 */
/* The model backend's trace sink (model_trace.c); arg is the backend. */
#ifndef GUPSIM_MODEL_TRACE_H
#define GUPSIM_MODEL_TRACE_H

struct trace_record;

void model_trace_sink(void *arg, const struct trace_record *rec);

#endif /* GUPSIM_MODEL_TRACE_H */
