// SPDX-License-Identifier: GPL-2.0
/*
 * The model backend's trace sink: each event of the model (mm/trace.h)
 * as a line of ftrace's text output under its statement,
 *
 *	           A-1       [000]   0.000123: mm_page_alloc: page=... pfn=0x...
 *
 * and as a Chrome trace-event object (Perfetto, chrome://tracing open
 * them): an instant event on the track of the thread that emitted it,
 * its fields as args, and each statement a B/E pair around its events.
 */
#include <string.h>

#include <gupsim/trace.h>

#include "backend.h"
#include "model_trace.h"

static void json_str(FILE *out, const char *s, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* "k=v k2=v2" as JSON members "k":"v","k2":"v2". */
static void json_fields(FILE *out, const char *fields)
{
	const char *p = fields;

	while (*p) {
		const char *end = strchr(p, ' '), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', len);
		if (eq) {
			fputc(',', out);
			json_str(out, p, eq - p);
			fputc(':', out);
			json_str(out, eq + 1, len - (eq - p) - 1);
		}
		p += len;
		while (*p == ' ')
			p++;
	}
}

/*
 * Names a thread's track the first time it emits ("thread 1: A"). The
 * sink runs under the tracing lock, so the set needs no lock of its own;
 * it spans the whole command, as the JSON file does.
 */
static void name_track(FILE *out, const struct trace_record *rec)
{
	static unsigned long long seen;

	if (rec->cpu < 0 || rec->cpu >= 64 || (seen & (1ULL << rec->cpu)))
		return;
	seen |= 1ULL << rec->cpu;
	fprintf(out, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%d,\"args\":{\"name\":\"thread %d\"}},\n",
		rec->cpu, rec->cpu);
}

static void trace_json(FILE *out, const struct trace_record *rec)
{
	bool begin = !strcmp(rec->event, "gupsim_statement_begin");
	bool end = !strcmp(rec->event, "gupsim_statement_end");

	fprintf(out, "{\"name\":");
	if (begin || end)
		json_str(out, rec->fields, strlen(rec->fields));
	else
		json_str(out, rec->event, strlen(rec->event));
	fprintf(out, ",\"cat\":\"%s\",\"ph\":\"%s\",%s\"ts\":%.3f,\"pid\":1,\"tid\":%d,\"args\":{\"comm\":",
		strncmp(rec->event, "gupsim_", 7) ? "kernel" : "gupsim",
		begin ? "B" : end ? "E" : "i", begin || end ? "" : "\"s\":\"t\",",
		rec->ns / 1000.0, rec->cpu);
	json_str(out, rec->comm, strlen(rec->comm));
	fprintf(out, ",\"pid\":%d", rec->pid);
	if (!begin && !end)
		json_fields(out, rec->fields);
	fputs("}},\n", out);
}

void model_trace_sink(void *arg, const struct trace_record *rec)
{
	struct backend *be = arg;

	if (be->trace && strncmp(rec->event, "gupsim_statement_", 17))
		fprintf(be->trace, "%16s-%-7d [%03d] %5llu.%06llu: %s: %s\n",
			rec->comm, rec->pid, rec->cpu,
			(unsigned long long)(rec->ns / 1000000000ULL),
			(unsigned long long)(rec->ns / 1000 % 1000000ULL),
			rec->event, rec->fields);
	if (be->trace_json) {
		name_track(be->trace_json, rec);
		trace_json(be->trace_json, rec);
	}
}
