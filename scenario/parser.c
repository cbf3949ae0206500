// SPDX-License-Identifier: GPL-2.0
/*
 * The scenario parser. It reads the whole file before anything runs and
 * checks everything that is known statically: syntax, sizes, options,
 * every name against its namespace (tasks, mappings per task, files,
 * pin/driver handles, CMA allocations), and every range against the size
 * of its mapping (known from `mmap`). The first error stops it; a program
 * is only returned for a file that is correct in all these respects.
 *
 * Names live while the thing they name does: a task until `exit`, its
 * mappings with it (a mapping's name outlives munmap, so a scenario can
 * show what touching the hole does), a handle until `unpin`/`release`
 * (a driver handle also until its task's `exit`, which closes the files
 * registrations hang off), a CMA allocation until `cma_free`. Reusing a
 * live name is an error.
 *
 * Each statement kind is one line of SCN_STMT_KINDS (program.h): its
 * keyword, form, results and options are read from stmt_defs[] below,
 * generated from that line, and its parse_<member>() fills its arguments.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <gupsim/profile.h>

#include "scenario.h"

const char *const scn_driver_names[NR_DRIVER_KINDS] = {
	"io_uring", "ib_umem", "vfio", "xdp", "videobuf", "qib", "hfi1",
	"usnic", "mthca", "ppc_iommu", "qib_sdma",
};

/*
 * The others take current->mm at registration (ppc_iommu's
 * mm_iommu_preregister, io_uring, the RDMA drivers, xdp, videobuf).
 */
const bool scn_driver_remote[NR_DRIVER_KINDS] = {
	[2] = true,			/* vfio */
};

static const char *const stmt_names[NR_STMT_KINDS] = {
#define SCN_KIND_NAME(K, m, a, kw, f, r, o) [ST_##K] = kw,
	SCN_STMT_KINDS(SCN_KIND_NAME)
#undef SCN_KIND_NAME
};

const char *stmt_kind_name(enum stmt_kind kind)
{
	return kind < NR_STMT_KINDS ? stmt_names[kind] : "?";
}

/* ---- symbol tables ---- */

/*
 * A symbol is named by its index in its table, never by a pointer: a
 * table grows (and moves) while a statement is being parsed, e.g. a fork
 * adds the child task and its mappings while the parent is in use.
 * id == index, as ids are handed out in order of creation.
 */
struct sym {
	char name[SCN_NAME_MAX + 1];
	int id;
	bool live;
	int task;		/* mappings: the owner (part of the key) */
	uint64_t size;		/* mappings, files: bytes; handles: range */
	enum handle_kind hkind;	/* handles */
	int line;		/* where it was created / died */
	int hnext;		/* next older symbol in the same hash chain */
	int next_owned;		/* next mapping / driver handle of the task */
	/* tasks: their mappings and driver handles, in creation order */
	int first_var, last_var, first_drv, last_drv;
};

/*
 * Names resolve in O(1): a chained hash of (name, task) whose chains
 * start at the newest symbol. Only the newest symbol of a name can be
 * live (a name is reused only once its holder is dead), so the first
 * match in a chain answers every lookup.
 */
struct symtab {
	struct sym *v;
	int n, cap;
	int *bucket;		/* nr_buckets heads, -1: empty */
	int nr_buckets;		/* a power of two, >= n */
};

struct parser {
	const char *filename;
	struct program *prog;
	struct scn_error *err;
	int line;
	const struct token *t;	/* this line's tokens */
	int nt;			/* ... up to the arrow */
	int arrow;		/* index of the arrow, or -1 */
	int ntotal;
	int machine_line;	/* the `machine` statement, 0 if none */
	bool seen_stmt;
	struct symtab tasks, vars, files, handles, cmas;
	/* the open race block: its `race` statement's index, or -1 */
	int race_at, race_line, race_col;
};

/* Both `dev HANDLE write` and `dev HANDLE read`: the word decides. */
#define parse_dev_write parse_dev
#define parse_dev_read parse_dev

/*
 * One parse function per kind: st->kind and (for the TASK form) st->task
 * are set; it fills st's union member for the kind; 0 or -1 after perr().
 */
#define SCN_KIND_PARSE(K, m, a, kw, f, r, o)				\
	static int parse_##m(struct parser *p, struct stmt *st);
SCN_STMT_KINDS(SCN_KIND_PARSE)
#undef SCN_KIND_PARSE

enum { SCN_FORM_KW, SCN_FORM_TASK };

static const struct stmt_def {
	const char *keyword;
	int form;		/* SCN_FORM_* */
	unsigned int results;	/* RS_* besides RS_ALWAYS */
	uint64_t opts;		/* 1 << enum scn_opt */
	int (*parse)(struct parser *p, struct stmt *st);
} stmt_defs[NR_STMT_KINDS] = {
#define SCN_KIND_DEF(K, m, a, kw, f, r, o)				\
	[ST_##K] = { kw, SCN_FORM_##f, r, o, parse_##m },
	SCN_STMT_KINDS(SCN_KIND_DEF)
#undef SCN_KIND_DEF
};

static int perr(struct parser *p, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, int col, const char *fmt, ...)
{
	va_list ap;

	p->err->line = p->line;
	p->err->col = col;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* A token's text for a message, shortened when long. */
static const char *tok_str(const char *s, size_t len, char *buf, size_t size)
{
	if (len > 40)
		snprintf(buf, size, "%.37s...", s);
	else
		snprintf(buf, size, "%.*s", (int)len, s);
	return buf;
}

#define TOKS(t) tok_str((t)->s, (t)->len, tb, sizeof(tb))

static bool tok_is(const struct token *t, const char *word)
{
	return t->type == TOK_WORD && strlen(word) == t->len &&
	       !memcmp(t->s, word, t->len);
}

static bool span_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && !memcmp(s, word, len);
}

static void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size);

	if (!p) {
		fputs("gupsim: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

/* FNV-1a over the name, mixed with the owning task. */
static unsigned int sym_hash(const char *s, size_t len, int task)
{
	uint32_t h = 2166136261u ^ (uint32_t)task;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void sym_rehash(struct symtab *tab)
{
	int nb = tab->nr_buckets ? tab->nr_buckets * 2 : 64;

	tab->bucket = xrealloc(tab->bucket, nb * sizeof(*tab->bucket));
	tab->nr_buckets = nb;
	for (int i = 0; i < nb; i++)
		tab->bucket[i] = -1;
	/* oldest first, so each chain starts at its newest symbol */
	for (int i = 0; i < tab->n; i++) {
		struct sym *sym = &tab->v[i];
		unsigned int b = sym_hash(sym->name, strlen(sym->name),
					  sym->task) & (nb - 1);

		sym->hnext = tab->bucket[b];
		tab->bucket[b] = i;
	}
}

/*
 * The newest symbol called s (of task, for mappings; -1 otherwise), or
 * -1; with live_only, -1 as well when that symbol is dead.
 */
static int sym_find(struct symtab *tab, const char *s, size_t len, int task,
		    bool live_only)
{
	int i;

	if (!tab->nr_buckets)
		return -1;
	i = tab->bucket[sym_hash(s, len, task) & (tab->nr_buckets - 1)];
	for (; i >= 0; i = tab->v[i].hnext) {
		struct sym *sym = &tab->v[i];

		if (sym->task == task && strlen(sym->name) == len &&
		    !memcmp(sym->name, s, len))
			return live_only && !sym->live ? -1 : i;
	}
	return -1;
}

/* Room for element n of a doubling array of *cap elements of size. */
static void *grow(void *v, int n, int *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, *cap * size);
}

/*
 * Adds a symbol and records its name in the program's table for kind.
 * Returns its index; pointers into tab are stale afterwards.
 */
static int sym_add(struct symtab *tab, char ***names, int *nr,
		   const char *s, size_t len, int task)
{
	struct sym *sym;
	int names_cap = tab->cap;

	tab->v = grow(tab->v, tab->n, &tab->cap, sizeof(*tab->v));
	/* the program's names array has the table's capacity */
	if (tab->cap != names_cap)
		*names = xrealloc(*names, tab->cap * sizeof(char *));
	sym = &tab->v[tab->n++];
	memset(sym, 0, sizeof(*sym));
	memcpy(sym->name, s, len);
	sym->name[len] = 0;
	sym->live = true;
	sym->task = task;
	sym->next_owned = sym->first_var = sym->last_var = -1;
	sym->first_drv = sym->last_drv = -1;
	sym->id = (*nr)++;
	(*names)[sym->id] = strdup(sym->name);
	if (tab->n > tab->nr_buckets) {
		sym_rehash(tab);
	} else {
		unsigned int b = sym_hash(s, len, task) & (tab->nr_buckets - 1);

		sym->hnext = tab->bucket[b];
		tab->bucket[b] = sym->id;
	}
	return sym->id;
}

/* Appends symbol i of tab to a task's list (first/last are the task's). */
static void sym_own(struct symtab *tab, int i, int *first, int *last)
{
	if (*last >= 0)
		tab->v[*last].next_owned = i;
	else
		*first = i;
	*last = i;
}

/* ---- lexical checks of words ---- */

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static int check_name(struct parser *p, const char *s, size_t len, int col)
{
	char tb[64];

	if (!len)
		return perr(p, col, "missing name");
	if (!is_name_start(s[0]))
		return perr(p, col, "invalid name '%s'", tok_str(s, len, tb, sizeof(tb)));
	for (size_t i = 1; i < len; i++)
		if (!is_name_char(s[i]))
			return perr(p, col + (int)i, "invalid character '%c' in name",
				    s[i]);
	if (len > SCN_NAME_MAX)
		return perr(p, col, "name is too long (at most %d characters)",
			    SCN_NAME_MAX);
	return 0;
}

/*
 * An unsigned number: decimal or 0x hex, optionally with a size suffix.
 * Reports overflow instead of wrapping.
 */
static int parse_number(struct parser *p, const char *s, size_t len, int col,
			bool suffix, uint64_t *out)
{
	char tb[64];
	uint64_t v = 0, mult = 1;
	size_t i = 0, end = len;
	int base = 10;

	if (!len)
		return perr(p, col, "missing %s", suffix ? "size" : "number");
	if (suffix) {
		switch (s[len - 1]) {
		case 'K': mult = 1ULL << 10; end--; break;
		case 'M': mult = 1ULL << 20; end--; break;
		case 'G': mult = 1ULL << 30; end--; break;
		case 'P': mult = SCN_PAGE_SIZE; end--; break;
		default: break;
		}
	}
	if (end >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == end)
		goto bad;
	for (; i < end; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else if (suffix && i == end - 1 && i > 0 && is_name_start(c))
			return perr(p, col + (int)i,
				    "invalid size suffix '%c' (use K, M, G or P)",
				    c);
		else
			goto bad;
		if (v > (UINT64_MAX - d) / base)
			goto overflow;
		v = v * base + d;
	}
	if (v > UINT64_MAX / mult)
		goto overflow;
	*out = v * mult;
	return 0;
overflow:
	return perr(p, col, "%s '%s' is too large", suffix ? "size" : "number",
		    tok_str(s, len, tb, sizeof(tb)));
bad:
	return perr(p, col, "invalid %s '%s'", suffix ? "size" : "number",
		    tok_str(s, len, tb, sizeof(tb)));
}

/* "2M", "12K", "4097": a size as a user would write it, for messages. */
static const char *fmt_size(uint64_t v, char *buf, size_t len)
{
	if (v && !(v & ((1ULL << 30) - 1)))
		snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	else if (v && !(v & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	else if (v && !(v & ((1ULL << 10) - 1)))
		snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static int parse_byte_tok(struct parser *p, const struct token *t, int *out)
{
	char tb[64];
	uint64_t v;

	if (t->type == TOK_BYTE) {
		*out = t->byte;
		return 0;
	}
	if (t->type == TOK_WORD && t->len > 2 && t->s[0] == '0' &&
	    (t->s[1] == 'x' || t->s[1] == 'X')) {
		if (parse_number(p, t->s, t->len, t->col, false, &v))
			return -1;
		if (v > 0xff)
			return perr(p, t->col, "byte '%s' is out of range (0x00..0xff)",
				    TOKS(t));
		*out = (int)v;
		return 0;
	}
	return perr(p, t->col, "expected a byte ('c' or 0xNN), got '%s'",
		    TOKS(t));
}

static int parse_prot(struct parser *p, const char *s, size_t len, int col,
		      int *prot)
{
	static const struct { const char *name; int prot; } prots[] = {
		{ "none", 0 }, { "r", SCN_PROT_R },
		{ "rw", SCN_PROT_R | SCN_PROT_W }, { "rx", SCN_PROT_R | SCN_PROT_X },
		{ "rwx", SCN_PROT_R | SCN_PROT_W | SCN_PROT_X },
	};
	char tb[64];

	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		if (span_is(s, len, prots[i].name)) {
			*prot = prots[i].prot;
			return 0;
		}
	}
	return perr(p, col, "invalid protection '%s' (use none, r, rw, rx or rwx)",
		    tok_str(s, len, tb, sizeof(tb)));
}

/* ---- options ---- */

static const struct opt_def {
	const char *name;
	bool has_value;
} opt_defs[NR_OPTS] = {
#define SCN_OPT_DEF(id, spelling, value) [OPT_##id] = { spelling, value },
	SCN_OPTIONS(SCN_OPT_DEF)
#undef SCN_OPT_DEF
};

/* An option as given on the line, indexed by enum scn_opt. */
struct opt {
	const char *name;
	bool given;
	const char *val;
	size_t vlen;
	int col, vcol;
};

/* The option of kind spelt s (of klen bytes), or NR_OPTS. */
static int opt_lookup(enum stmt_kind kind, const char *s, size_t klen)
{
	for (int j = 0; j < NR_OPTS; j++)
		if ((stmt_defs[kind].opts & (1ULL << j)) &&
		    span_is(s, klen, opt_defs[j].name))
			return j;
	return NR_OPTS;
}

/*
 * Matches the tokens [from, p->nt) against the options of st's kind (its
 * line in SCN_STMT_KINDS): bare flags (`write`) and key=value pairs
 * (`prot=rw`), each at most once. o has NR_OPTS entries.
 */
static int parse_opts(struct parser *p, int from, const struct stmt *st,
		      struct opt *o)
{
	char tb[64], what[16];

	sscanf(stmt_kind_name(st->kind), "%15s", what);
	for (int j = 0; j < NR_OPTS; j++)
		o[j] = (struct opt){ .name = opt_defs[j].name };
	for (int i = from; i < p->nt; i++) {
		const struct token *t = &p->t[i];
		const char *eq;
		size_t klen;
		int j;

		if (t->type != TOK_WORD)
			return perr(p, t->col, "unexpected '%s' in %s", TOKS(t),
				    what);
		eq = memchr(t->s, '=', t->len);
		klen = eq ? (size_t)(eq - t->s) : t->len;
		j = opt_lookup(st->kind, t->s, klen);
		if (j == NR_OPTS)
			return perr(p, t->col, "unknown option '%s' for %s",
				    tok_str(t->s, klen ? klen : t->len, tb,
					    sizeof(tb)), what);
		if (o[j].given)
			return perr(p, t->col, "duplicate option '%s'", o[j].name);
		if (opt_defs[j].has_value && !eq)
			return perr(p, t->col + (int)klen,
				    "option '%s' needs a value (%s=...)",
				    o[j].name, o[j].name);
		if (!opt_defs[j].has_value && eq)
			return perr(p, t->col + (int)klen,
				    "option '%s' takes no value", o[j].name);
		o[j].given = true;
		o[j].col = t->col;
		if (eq) {
			o[j].val = eq + 1;
			o[j].vlen = t->len - klen - 1;
			o[j].vcol = t->col + (int)klen + 1;
			if (!o[j].vlen)
				return perr(p, o[j].vcol,
					    "missing value after '%s='",
					    o[j].name);
		}
	}
	return 0;
}

/* Where a conflict between two given options is reported: the later. */
static int later_col(const struct opt *a, const struct opt *b)
{
	return a->col > b->col ? a->col : b->col;
}

static int opt_size(struct parser *p, struct opt *o, uint64_t *out)
{
	return parse_number(p, o->val, o->vlen, o->vcol, true, out);
}

/* Picks one of names[] for an option value; -1 after an error. */
static int opt_choice(struct parser *p, struct opt *o,
		      const char *const *names, int n, const char *hint)
{
	char tb[64];

	for (int i = 0; i < n; i++)
		if (span_is(o->val, o->vlen, names[i]))
			return i;
	return perr(p, o->vcol, "invalid value '%s' for %s (use %s)",
		    tok_str(o->val, o->vlen, tb, sizeof(tb)), o->name, hint);
}

/* ---- arguments ---- */

/* Requires token i to exist (a positional argument called what). */
static int need(struct parser *p, int i, const char *what)
{
	const struct token *last;

	if (i < p->nt)
		return 0;
	last = &p->t[p->nt - 1];
	return perr(p, last->col + (int)last->len, "missing %s", what);
}

static int need_word(struct parser *p, int i, const char *what)
{
	char tb[64];

	if (need(p, i, what))
		return -1;
	if (p->t[i].type != TOK_WORD)
		return perr(p, p->t[i].col, "expected %s, got '%s'", what,
			    TOKS(&p->t[i]));
	return 0;
}

/*
 * The statements of a race block run in any order: one cannot use what
 * another one of the block makes (a forked child, a new mapping or pin).
 */
static bool born_in_race(const struct parser *p, int line)
{
	return p->race_at >= 0 && line > p->race_line && line < p->line;
}

static int race_born(struct parser *p, const struct token *t,
		     const char *what, int line)
{
	char tb[64];

	return perr(p, t->col,
		    "%s '%s' is made by line %d of this race block: use it after 'end'",
		    what, TOKS(t), line);
}

/* A live task named by t: its index, or -1 after an error. */
static int find_task(struct parser *p, const struct token *t)
{
	char tb[64];
	int i;

	if (check_name(p, t->s, t->len, t->col))
		return -1;
	i = sym_find(&p->tasks, t->s, t->len, -1, false);
	if (i < 0)
		return perr(p, t->col, "unknown task '%s'", TOKS(t));
	if (!p->tasks.v[i].live)
		return perr(p, t->col, "task '%s' has exited (line %d)", TOKS(t),
			    p->tasks.v[i].line);
	if (born_in_race(p, p->tasks.v[i].line))
		return race_born(p, t, "task", p->tasks.v[i].line);
	return i;
}

static int find_live(struct parser *p, struct symtab *tab,
		     const struct token *t, const char *what)
{
	char tb[64];
	int i;

	if (check_name(p, t->s, t->len, t->col))
		return -1;
	i = sym_find(tab, t->s, t->len, -1, false);
	if (i < 0)
		return perr(p, t->col, "unknown %s '%s'", what, TOKS(t));
	if (!tab->v[i].live)
		return perr(p, t->col, "%s '%s' no longer exists (gone at line %d)",
			    what, TOKS(t), tab->v[i].line);
	if (born_in_race(p, tab->v[i].line))
		return race_born(p, t, what, tab->v[i].line);
	return i;
}

/* A new name in a namespace: valid, and not live already. */
static int new_name(struct parser *p, struct symtab *tab,
		    const struct token *t, int task, const char *what)
{
	char tb[64];
	int i;

	if (t->type != TOK_WORD)
		return perr(p, t->col, "expected a %s name, got '%s'", what,
			    TOKS(t));
	if (check_name(p, t->s, t->len, t->col))
		return -1;
	i = sym_find(tab, t->s, t->len, task, true);
	if (i >= 0)
		return perr(p, t->col, "%s '%s' already exists (line %d)", what,
			    TOKS(t), tab->v[i].line);
	return 0;
}

/* A mapping of task: its symbol (valid until the next add), or NULL. */
static struct sym *find_var(struct parser *p, int task, const char *s,
			    size_t len, int col)
{
	char tb[64];
	int v;

	if (check_name(p, s, len, col))
		return NULL;
	v = sym_find(&p->vars, s, len, task, true);
	if (v < 0) {
		perr(p, col, "unknown mapping '%s' in task %s",
		     tok_str(s, len, tb, sizeof(tb)), p->tasks.v[task].name);
		return NULL;
	}
	if (born_in_race(p, p->vars.v[v].line)) {
		perr(p, col, "mapping '%s' is made by line %d of this race block: use it after 'end'",
		     tok_str(s, len, tb, sizeof(tb)), p->vars.v[v].line);
		return NULL;
	}
	return &p->vars.v[v];
}

/*
 * RANGE: VAR or VAR+OFF at token i, then optionally len=SIZE at i+1.
 * Returns the number of tokens used, or -1.
 */
static int parse_range(struct parser *p, int i, int task,
		       struct range *r)
{
	const struct token *t;
	const char *plus;
	char b1[32], b2[32];
	struct sym *v;
	size_t nlen;
	uint64_t len;
	int used = 1;

	if (need_word(p, i, "mapping"))
		return -1;
	t = &p->t[i];
	plus = memchr(t->s, '+', t->len);
	nlen = plus ? (size_t)(plus - t->s) : t->len;
	v = find_var(p, task, t->s, nlen, t->col);
	if (!v)
		return -1;
	r->var = v->id;
	r->off = 0;
	if (plus && parse_number(p, plus + 1, t->len - nlen - 1,
				 t->col + (int)nlen + 1, true, &r->off))
		return -1;
	if (r->off >= v->size)
		return perr(p, plus ? t->col + (int)nlen + 1 : t->col,
			    "offset %s is past the end of mapping '%s' (size %s)",
			    fmt_size(r->off, b1, sizeof(b1)), v->name,
			    fmt_size(v->size, b2, sizeof(b2)));
	len = v->size - r->off;
	if (i + 1 < p->nt && p->t[i + 1].type == TOK_WORD &&
	    p->t[i + 1].len >= 4 && !memcmp(p->t[i + 1].s, "len=", 4)) {
		const struct token *lt = &p->t[i + 1];

		if (lt->len == 4)
			return perr(p, lt->col + 4, "missing value after 'len='");
		if (parse_number(p, lt->s + 4, lt->len - 4, lt->col + 4, true,
				 &len))
			return -1;
		if (!len)
			return perr(p, lt->col + 4, "len must not be zero");
		if (len > v->size - r->off)
			return perr(p, lt->col + 4,
				    "len=%s at offset %s runs past the end of mapping '%s' (size %s)",
				    fmt_size(len, b1, sizeof(b1)),
				    fmt_size(r->off, b2, sizeof(b2)), v->name,
				    fmt_size(v->size, b2 + 16, 16));
		used++;
	}
	r->len = len;
	return used;
}

/* Nothing may follow the positional arguments of a simple statement. */
static int no_more(struct parser *p, int i, const char *what)
{
	char tb[64];

	if (i < p->nt)
		return perr(p, p->t[i].col, "unexpected '%s' after %s",
			    TOKS(&p->t[i]), what);
	return 0;
}

/* ---- statements ---- */

/* machine [mem=SIZE] [cma=SIZE] [movable=SIZE] [hugetlb=N] [thp=MODE] [device=SIZE] ... */
/* kernel=MAJOR.MINOR: the profile of that release (5.1 .. 6.18). */
static int opt_kernel(struct parser *p, const struct opt *o,
		      const struct kernel_profile **out)
{
	int ret = kernel_profile_parse(o->val, o->vlen, out);

	if (ret)
		return perr(p, o->vcol, "kernel=%.*s %s", (int)o->vlen, o->val,
			    kernel_profile_strerror(ret));
	return 0;
}

/*
 * thp_sizes=SIZE[,SIZE...]: the anonymous THP sizes whose
 * hugepages-<size>kB/enabled follows thp= ("inherit"); the rest are
 * "never". Each a power of two from 16K to 2M, once (an anonymous
 * folio of order 1, 8K, cannot be a THP: the kernel has no
 * hugepages-8kB/enabled).
 */
static int opt_thp_sizes(struct parser *p, const struct opt *o,
			 unsigned int *orders)
{
	size_t i = 0;

	*orders = 0;
	while (i <= o->vlen) {
		size_t j = i;
		uint64_t v;
		unsigned int order;
		int col = o->vcol + (int)i;

		while (j < o->vlen && o->val[j] != ',')
			j++;
		if (parse_number(p, o->val + i, j - i, col, true, &v))
			return -1;
		if (v < (16ULL << 10) || v > (2ULL << 20) || (v & (v - 1)))
			return perr(p, col,
				    "thp_sizes: %.*s is no anonymous THP size (a power of two from 16K to 2M)",
				    (int)(j - i), o->val + i);
		order = (unsigned int)__builtin_ctzll(v) - 12;
		if (*orders & (1u << order))
			return perr(p, col, "thp_sizes: %.*s given twice",
				    (int)(j - i), o->val + i);
		*orders |= 1u << order;
		i = j + 1;
	}
	return 0;
}

/* A hugetlb page size: 2M or 1G (the sizes x86-64 has). */
static int parse_hpage_size(struct parser *p, const char *s, size_t len,
			    int col, uint64_t *out)
{
	if (parse_number(p, s, len, col, true, out))
		return -1;
	if (*out != (2ULL << 20) && *out != (1ULL << 30))
		return perr(p, col, "%.*s is no hugetlb page size (2M or 1G)",
			    (int)len, s);
	return 0;
}

/*
 * hugetlb=N (N 2 MiB pages) or hugetlb=SIZE:N[,SIZE:N]: the pools of
 * /sys/kernel/mm/hugepages/hugepages-<size>kB/nr_hugepages.
 */
static int opt_hugetlb(struct parser *p, const struct opt *o,
		       struct machine_args *a)
{
	size_t i = 0;

	if (!memchr(o->val, ':', o->vlen))
		return parse_number(p, o->val, o->vlen, o->vcol, false,
				    &a->hugetlb);
	while (i <= o->vlen) {
		size_t j = i, c;
		uint64_t size, n;

		while (j < o->vlen && o->val[j] != ',')
			j++;
		for (c = i; c < j && o->val[c] != ':'; c++)
			;
		if (c == j)
			return perr(p, o->vcol + (int)i,
				    "hugetlb=: expected SIZE:N, e.g. 1G:2");
		if (parse_hpage_size(p, o->val + i, c - i, o->vcol + (int)i,
				     &size) ||
		    parse_number(p, o->val + c + 1, j - c - 1,
				 o->vcol + (int)c + 1, false, &n))
			return -1;
		*(size == (1ULL << 30) ? &a->hugetlb_1g : &a->hugetlb) = n;
		i = j + 1;
	}
	return 0;
}

static int parse_machine(struct parser *p, struct stmt *st)
{
	static const char *const thp[] = { "madvise", "always", "never" };
	struct machine_args *a = &st->machine;
	struct opt o[NR_OPTS];
	int r;

	if (p->machine_line)
		return perr(p, p->t[0].col, "'machine' given twice (first at line %d)",
			    p->machine_line);
	if (p->seen_stmt)
		return perr(p, p->t[0].col,
			    "'machine' must come before every other statement");
	p->machine_line = p->line;
	p->prog->has_machine = true;
	if (parse_opts(p, 1, st, o))
		return -1;
	a->mem = 256ULL << 20;
	if (o[OPT_MEM].given && opt_size(p, &o[OPT_MEM], &a->mem))
		return -1;
	if (o[OPT_CMA].given && opt_size(p, &o[OPT_CMA], &a->cma))
		return -1;
	if (o[OPT_MOVABLE].given && opt_size(p, &o[OPT_MOVABLE], &a->movable))
		return -1;
	if (o[OPT_HUGETLB].given && opt_hugetlb(p, &o[OPT_HUGETLB], a))
		return -1;
	if (o[OPT_THP_MODE].given) {
		r = opt_choice(p, &o[OPT_THP_MODE], thp, 3,
			       "always, madvise or never");
		if (r < 0)
			return -1;
		a->thp = r;
	}
	if (o[OPT_DEVICE].given && opt_size(p, &o[OPT_DEVICE], &a->device))
		return -1;
	if (o[OPT_KERNEL].given && opt_kernel(p, &o[OPT_KERNEL], &a->kernel))
		return -1;
	p->prog->kernel = a->kernel;
	if (o[OPT_SWAP].given && opt_size(p, &o[OPT_SWAP], &a->swap))
		return -1;
	if (o[OPT_THP_SIZES].given &&
	    opt_thp_sizes(p, &o[OPT_THP_SIZES], &a->thp_orders))
		return -1;
	return 0;
}

/* file NAME fs=FS [size=SIZE] */
static int parse_file(struct parser *p, struct stmt *st)
{
	static const char *const fs[] = { "ext4", "tmpfs", "dax", "hugetlbfs",
					  "memfd" };
	struct file_args *a = &st->file;
	struct opt o[NR_OPTS];
	int r, id;

	if (need(p, 1, "file name") ||
	    new_name(p, &p->files, &p->t[1], -1, "file"))
		return -1;
	if (parse_opts(p, 2, st, o))
		return -1;
	if (!o[OPT_FS].given)
		return perr(p, p->t[p->nt - 1].col + (int)p->t[p->nt - 1].len,
			    "missing fs= (ext4, tmpfs, dax, hugetlbfs or memfd)");
	r = opt_choice(p, &o[OPT_FS], fs, 5,
		       "ext4, tmpfs, dax, hugetlbfs or memfd");
	if (r < 0)
		return -1;
	a->fs = r;
	a->size = 2ULL << 20;
	if (o[OPT_SIZE].given && opt_size(p, &o[OPT_SIZE], &a->size))
		return -1;
	a->pagesize = 2ULL << 20;
	if (o[OPT_PAGESIZE].given) {
		if (a->fs != SCN_FS_HUGETLBFS)
			return perr(p, o[OPT_PAGESIZE].col,
				    "pagesize= is for fs=hugetlbfs only");
		if (parse_hpage_size(p, o[OPT_PAGESIZE].val,
				     o[OPT_PAGESIZE].vlen,
				     o[OPT_PAGESIZE].vcol, &a->pagesize))
			return -1;
	}
	id = sym_add(&p->files, &p->prog->file_names, &p->prog->nr_files,
		     p->t[1].s, p->t[1].len, -1);
	p->files.v[id].size = a->size;
	p->files.v[id].line = p->line;
	a->file = id;
	snprintf(a->name, sizeof(a->name), "%s", p->files.v[id].name);
	return 0;
}

/* The first kind of form whose keyword starts with the word s. */
static enum stmt_kind kind_of(const char *s, size_t len, int form)
{
	for (int k = 0; k < NR_STMT_KINDS; k++) {
		const char *kw = stmt_defs[k].keyword;
		size_t n = strcspn(kw, " ");

		if (stmt_defs[k].form == form && n == len && !memcmp(kw, s, n))
			return k;
	}
	return NR_STMT_KINDS;
}

/* Statements that start with a keyword; no task may take these names. */
static bool is_keyword(const char *s, size_t len)
{
	return kind_of(s, len, SCN_FORM_KW) != NR_STMT_KINDS;
}

/* A new task: its index, or -1 after an error. */
static int add_task(struct parser *p, const struct token *t)
{
	char tb[64];
	int i;

	if (new_name(p, &p->tasks, t, -1, "task"))
		return -1;
	if (is_keyword(t->s, t->len))
		return perr(p, t->col,
			    "'%s' is a statement keyword and cannot name a task",
			    TOKS(t));
	i = sym_add(&p->tasks, &p->prog->task_names, &p->prog->nr_tasks,
		    t->s, t->len, -1);
	p->tasks.v[i].line = p->line;
	return i;
}

/* task NAME [memlock=SIZE|unlimited] [cap_ipc_lock] */
static int parse_task_new(struct parser *p, struct stmt *st)
{
	struct task_args *a = &st->task_new;
	struct opt o[NR_OPTS];
	int s;

	if (need(p, 1, "task name"))
		return -1;
	if (parse_opts(p, 2, st, o))
		return -1;
	a->memlock = 8ULL << 20;
	if (o[OPT_MEMLOCK].given) {
		if (span_is(o[OPT_MEMLOCK].val, o[OPT_MEMLOCK].vlen, "unlimited"))
			a->memlock = UINT64_MAX;
		else if (opt_size(p, &o[OPT_MEMLOCK], &a->memlock))
			return -1;
	}
	a->cap_ipc_lock = o[OPT_CAP_IPC_LOCK].given;
	s = add_task(p, &p->t[1]);
	if (s < 0)
		return -1;
	st->task = s;
	snprintf(a->name, sizeof(a->name), "%s", p->tasks.v[s].name);
	return 0;
}

/* A new mapping of task: its index (pointers into p->vars go stale). */
static int add_var(struct parser *p, int task, const char *name, size_t len,
		   uint64_t size)
{
	struct program *prog = p->prog;
	int cap = p->vars.cap;
	int v = sym_add(&p->vars, &prog->var_names, &prog->nr_vars, name, len,
			task);
	struct sym *t = &p->tasks.v[task];

	p->vars.v[v].size = size;
	p->vars.v[v].line = p->line;
	if (p->vars.cap != cap) {
		prog->var_size = xrealloc(prog->var_size,
					  p->vars.cap * sizeof(*prog->var_size));
		prog->var_task = xrealloc(prog->var_task,
					  p->vars.cap * sizeof(*prog->var_task));
	}
	prog->var_size[v] = size;
	prog->var_task[v] = task;
	sym_own(&p->vars, v, &t->first_var, &t->last_var);
	return v;
}

static int parse_source(struct parser *p, const struct token *t,
			struct mmap_args *a)
{
	static const struct { const char *name; enum scn_source src; } srcs[] = {
		{ "anon", SRC_ANON }, { "memfd", SRC_MEMFD },
		{ "hugetlb", SRC_HUGETLB }, { "devzero", SRC_DEVZERO },
		{ "io", SRC_IO },
	};
	const char *plus;
	char tb[64];
	size_t nlen;
	int f;

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		if (tok_is(t, srcs[i].name)) {
			a->source = srcs[i].src;
			return 0;
		}
	}
	if (t->type != TOK_WORD || t->len < 5 || memcmp(t->s, "file:", 5))
		return perr(p, t->col,
			    "invalid source '%s' (use anon, file:NAME[+OFF], memfd, hugetlb, devzero or io)",
			    TOKS(t));
	a->source = SRC_FILE;
	plus = memchr(t->s + 5, '+', t->len - 5);
	nlen = plus ? (size_t)(plus - t->s - 5) : t->len - 5;
	if (check_name(p, t->s + 5, nlen, t->col + 5))
		return -1;
	f = sym_find(&p->files, t->s + 5, nlen, -1, true);
	if (f < 0)
		return perr(p, t->col + 5, "unknown file '%s'",
			    tok_str(t->s + 5, nlen, tb, sizeof(tb)));
	a->file = f;
	if (plus && parse_number(p, plus + 1, t->len - 5 - nlen - 1,
				 t->col + 5 + (int)nlen + 1, true, &a->src_off))
		return -1;
	return 0;
}

/* TASK mmap NAME SIZE SOURCE [private|shared] [prot=PROT] [populate] [thp] [place=P] */
static int parse_mmap(struct parser *p, struct stmt *st)
{
	static const char *const place[] = { "normal", "movable", "cma" };
	struct mmap_args *a = &st->mmap;
	struct opt o[NR_OPTS];
	int v, r;

	if (need(p, 2, "mapping name") ||
	    new_name(p, &p->vars, &p->t[2], st->task, "mapping"))
		return -1;
	if (need_word(p, 3, "size") ||
	    parse_number(p, p->t[3].s, p->t[3].len, p->t[3].col, true, &a->size))
		return -1;
	a->file = -1;
	if (need(p, 4, "source (anon, file:NAME, memfd, hugetlb, devzero or io)") ||
	    parse_source(p, &p->t[4], a))
		return -1;
	if (parse_opts(p, 5, st, o))
		return -1;
	if (o[OPT_PRIVATE].given && o[OPT_SHARED].given)
		return perr(p, later_col(&o[OPT_PRIVATE], &o[OPT_SHARED]),
			    "'private' and 'shared' conflict");
	a->shared = o[OPT_SHARED].given;
	a->prot = SCN_PROT_R | SCN_PROT_W;
	if (o[OPT_PROT].given &&
	    parse_prot(p, o[OPT_PROT].val, o[OPT_PROT].vlen, o[OPT_PROT].vcol,
		       &a->prot))
		return -1;
	a->populate = o[OPT_POPULATE].given;
	a->thp_advise = o[OPT_THP].given;
	a->pagesize = 2ULL << 20;
	if (o[OPT_PAGESIZE].given) {
		if (a->source != SRC_HUGETLB)
			return perr(p, o[OPT_PAGESIZE].col,
				    "pagesize= is for the hugetlb source only");
		if (parse_hpage_size(p, o[OPT_PAGESIZE].val,
				     o[OPT_PAGESIZE].vlen,
				     o[OPT_PAGESIZE].vcol, &a->pagesize))
			return -1;
	}
	if (o[OPT_PLACE].given) {
		r = opt_choice(p, &o[OPT_PLACE], place, 3, "normal, movable or cma");
		if (r < 0)
			return -1;
		a->place = PLACE_R_NORMAL + r;
	}
	v = add_var(p, st->task, p->t[2].s, p->t[2].len, a->size);
	a->var = v;
	snprintf(a->name, sizeof(a->name), "%s", p->vars.v[v].name);
	return 0;
}

/* TASK write RANGE BYTE */
static int parse_write(struct parser *p, struct stmt *st)
{
	int n = parse_range(p, 2, st->task, &st->write.range);

	if (n < 0 || need(p, 2 + n, "byte to write"))
		return -1;
	if (parse_byte_tok(p, &p->t[2 + n], &st->write.byte))
		return -1;
	return no_more(p, 3 + n, "the byte");
}

/* TASK verb RANGE, for every kind whose arguments are struct range_args */
static int parse_range_only(struct parser *p, struct stmt *st,
			    struct range_args *a)
{
	int n = parse_range(p, 2, st->task, &a->range);

	if (n < 0)
		return -1;
	return no_more(p, 2 + n, "the range");
}

static int parse_read(struct parser *p, struct stmt *st)
{
	return parse_range_only(p, st, &st->read);
}

static int parse_munmap(struct parser *p, struct stmt *st)
{
	return parse_range_only(p, st, &st->munmap);
}

static int parse_where(struct parser *p, struct stmt *st)
{
	return parse_range_only(p, st, &st->where);
}

/* TASK mlock RANGE, TASK munlock RANGE */
static int parse_mlock(struct parser *p, struct stmt *st)
{
	return parse_range_only(p, st, &st->mlock);
}

static int parse_munlock(struct parser *p, struct stmt *st)
{
	return parse_range_only(p, st, &st->munlock);
}

/* TASK mprotect RANGE PROT */
static int parse_mprotect(struct parser *p, struct stmt *st)
{
	struct mprotect_args *a = &st->mprotect;
	int n = parse_range(p, 2, st->task, &a->range);

	if (n < 0 || need_word(p, 2 + n, "protection (none, r, rw, rx or rwx)"))
		return -1;
	if (parse_prot(p, p->t[2 + n].s, p->t[2 + n].len, p->t[2 + n].col,
		       &a->prot))
		return -1;
	return no_more(p, 3 + n, "the protection");
}

/*
 * advice values are <sys/mman.h>'s (MADV_DONTNEED 4, DONTFORK 10, DOFORK
 * 11, HUGEPAGE 14, NOHUGEPAGE 15, PAGEOUT 21, COLLAPSE 25)
 */
static int parse_madvise(struct parser *p, struct stmt *st)
{
	static const struct { const char *name; int advice; } adv[] = {
		{ "dontneed", 4 }, { "hugepage", 14 }, { "nohugepage", 15 },
		{ "dontfork", 10 }, { "dofork", 11 }, { "collapse", 25 },
		{ "pageout", 21 },
	};
	struct madvise_args *a = &st->madvise;
	char tb[64];
	int n = parse_range(p, 2, st->task, &a->range);
	const struct token *t;

	if (n < 0 || need_word(p, 2 + n, "advice (dontneed)"))
		return -1;
	t = &p->t[2 + n];
	a->advice = -1;
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++)
		if (tok_is(t, adv[i].name))
			a->advice = adv[i].advice;
	if (a->advice < 0)
		return perr(p, t->col,
			    "unknown advice '%s' (use dontneed, hugepage, nohugepage, dontfork, dofork, collapse or pageout)",
			    TOKS(t));
	return no_more(p, 3 + n, "the advice");
}

/* fixed=VAR[+OFF]: a mapping of the same task, as the target address */
static int parse_fixed(struct parser *p, struct opt *o, int task,
		       struct mremap_args *a)
{
	const char *plus = memchr(o->val, '+', o->vlen);
	size_t nlen = plus ? (size_t)(plus - o->val) : o->vlen;
	char b1[32], b2[32];
	struct sym *v = find_var(p, task, o->val, nlen, o->vcol);

	if (!v)
		return -1;
	a->fixed_var = v->id;
	a->fixed_off = 0;
	if (plus && parse_number(p, plus + 1, o->vlen - nlen - 1,
				 o->vcol + (int)nlen + 1, true, &a->fixed_off))
		return -1;
	if (a->fixed_off >= v->size)
		return perr(p, o->vcol, "offset %s is past the end of mapping '%s' (size %s)",
			    fmt_size(a->fixed_off, b1, sizeof(b1)), v->name,
			    fmt_size(v->size, b2, sizeof(b2)));
	return 0;
}

/*
 * TASK mremap VAR
 * TASK mremap RANGE NEW [size=SIZE] [maymove] [fixed=VAR[+OFF]] [dontunmap]
 */
static int parse_mremap(struct parser *p, struct stmt *st)
{
	struct mremap_args *a = &st->mremap;
	struct opt o[NR_OPTS];
	struct sym *v;
	int n;

	if (need_word(p, 2, "mapping"))
		return -1;
	if (p->nt == 3 && !memchr(p->t[2].s, '+', p->t[2].len)) {
		v = find_var(p, st->task, p->t[2].s, p->t[2].len, p->t[2].col);
		if (!v)
			return -1;
		a->var = v->id;
		if (!v->size)
			return perr(p, p->t[2].col, "mapping '%s' is empty",
				    v->name);
		return 0;
	}
	n = parse_range(p, 2, st->task, &a->range);
	if (n < 0 || need(p, 2 + n, "name of the remapped part") ||
	    new_name(p, &p->vars, &p->t[2 + n], st->task, "mapping"))
		return -1;
	if (parse_opts(p, 3 + n, st, o))
		return -1;
	a->partial = true;
	a->var = a->range.var;
	a->new_len = a->range.len;
	if (o[OPT_SIZE].given && opt_size(p, &o[OPT_SIZE], &a->new_len))
		return -1;
	if (!a->new_len)
		return perr(p, o[OPT_SIZE].vcol, "size must not be zero");
	a->flags = (o[OPT_MAYMOVE].given ? 1 : 0) |
		   (o[OPT_FIXED].given ? 2 : 0) |
		   (o[OPT_DONTUNMAP].given ? 4 : 0);
	a->fixed_var = -1;
	if (o[OPT_FIXED].given && parse_fixed(p, &o[OPT_FIXED], st->task, a))
		return -1;
	a->new_var = add_var(p, st->task, p->t[2 + n].s, p->t[2 + n].len,
			     a->new_len);
	snprintf(a->name, sizeof(a->name), "%s", p->vars.v[a->new_var].name);
	return 0;
}

/* TASK fork CHILD */
static int parse_fork(struct parser *p, struct stmt *st)
{
	struct fork_args *a = &st->fork;
	int child;

	if (need(p, 2, "child task name"))
		return -1;
	if (no_more(p, 3, "the child's name"))
		return -1;
	child = add_task(p, &p->t[2]);
	if (child < 0)
		return -1;
	a->child = child;
	snprintf(a->name, sizeof(a->name), "%s", p->tasks.v[child].name);
	/*
	 * The child knows the parent's mappings by the same names. Its own
	 * list is new and empty, so the walk ends at the parent's last one.
	 */
	for (int i = p->tasks.v[st->task].first_var; i >= 0;
	     i = p->vars.v[i].next_owned) {
		char name[SCN_NAME_MAX + 1];
		int c;

		if (!p->vars.v[i].live)
			continue;
		snprintf(name, sizeof(name), "%s", p->vars.v[i].name);
		c = add_var(p, child, name, strlen(name), p->vars.v[i].size);
		a->pairs = xrealloc(a->pairs,
				    (a->nr_pairs + 1) * sizeof(*a->pairs));
		a->pairs[a->nr_pairs].parent = i;
		a->pairs[a->nr_pairs].child = c;
		a->nr_pairs++;
	}
	return 0;
}

/*
 * TASK exit: ends the task, its mappings and its driver registrations
 * (the files they hang off are closed), listed for the backends; pin
 * handles stay until `unpin`.
 */
static int parse_exit(struct parser *p, struct stmt *st)
{
	struct sym *t = &p->tasks.v[st->task];
	struct exit_args *a = &st->exit;

	if (no_more(p, 2, "exit"))
		return -1;
	t->live = false;
	t->line = p->line;
	for (int i = t->first_var; i >= 0; i = p->vars.v[i].next_owned)
		p->vars.v[i].live = false;
	for (int i = t->first_drv; i >= 0; i = p->handles.v[i].next_owned) {
		struct sym *h = &p->handles.v[i];

		if (!h->live)
			continue;
		h->live = false;
		h->line = p->line;
		a->drv_handles = xrealloc(a->drv_handles,
					  (a->nr_drv_handles + 1) * sizeof(int));
		a->drv_handles[a->nr_drv_handles++] = i;
	}
	return 0;
}

/* A new handle: its index (pointers into p->handles go stale). */
static int add_handle(struct parser *p, const struct token *t,
		      enum handle_kind kind, uint64_t len)
{
	int i = sym_add(&p->handles, &p->prog->handle_names,
			&p->prog->nr_handles, t->s, t->len, -1);
	struct sym *h = &p->handles.v[i];

	h->hkind = kind;
	h->size = len;
	h->line = p->line;
	return i;
}

/*
 * The options of a statement whose RANGE starts at token `at` and whose
 * mm=OTHER decides whose mapping RANGE names: parsed before the RANGE
 * (which is one token, or two with len=). *mm_task is OTHER with mm=,
 * else the acting task. 0, or -1 after an error.
 */
static int parse_range_opts(struct parser *p, int at, const struct stmt *st,
			    struct opt *o, int *mm_task)
{
	struct opt *mm = &o[OPT_MM];
	int n = (p->nt > at + 1 && p->t[at + 1].type == TOK_WORD &&
		 p->t[at + 1].len >= 4 && !memcmp(p->t[at + 1].s, "len=", 4)) ?
		2 : 1;

	if (parse_opts(p, at + n, st, o))
		return -1;
	*mm_task = st->task;
	if (mm->given) {
		struct token t = { TOK_WORD, mm->val, mm->vlen, mm->vcol, 0 };

		*mm_task = find_task(p, &t);
		if (*mm_task < 0)
			return -1;
	}
	return 0;
}

/* TASK pin HANDLE RANGE [write] [longterm] [fast] [get] [force] [mm=OTHER] */
static int parse_pin(struct parser *p, struct stmt *st)
{
	static const struct { int opt; unsigned int bit; } bits[] = {
		{ OPT_WRITE, PIN_WRITE }, { OPT_LONGTERM, PIN_LONGTERM },
		{ OPT_FAST, PIN_FAST }, { OPT_GET, PIN_GET },
		{ OPT_FORCE, PIN_FORCE },
	};
	struct pin_args *a = &st->pin;
	struct opt o[NR_OPTS];
	int mm_task, h;

	if (need(p, 2, "handle name") ||
	    new_name(p, &p->handles, &p->t[2], -1, "handle"))
		return -1;
	if (need_word(p, 3, "mapping"))
		return -1;
	if (parse_range_opts(p, 3, st, o, &mm_task))
		return -1;
	if (o[OPT_FAST].given && o[OPT_MM].given)
		return perr(p, later_col(&o[OPT_FAST], &o[OPT_MM]),
			    "'fast' cannot be combined with 'mm=' (there is no remote GUP-fast call)");
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (o[bits[i].opt].given)
			a->flags |= bits[i].bit;
	a->mm = o[OPT_MM].given ? mm_task : -1;
	if (parse_range(p, 3, mm_task, &a->range) < 0)
		return -1;
	a->hkind = o[OPT_GET].given ? HANDLE_GET : HANDLE_PIN;
	h = add_handle(p, &p->t[2], a->hkind, a->range.len);
	a->handle = h;
	snprintf(a->name, sizeof(a->name), "%s", p->handles.v[h].name);
	return 0;
}

/* The driver kind named by token i: its index, or -1 after an error. */
static int find_driver_kind(struct parser *p, int i)
{
	char tb[64];

	if (need_word(p, i, "driver kind"))
		return -1;
	for (int k = 0; k < NR_DRIVER_KINDS; k++)
		if (tok_is(&p->t[i], scn_driver_names[k]))
			return k;
	return perr(p, p->t[i].col,
		    "unknown driver '%s' (io_uring, ib_umem, vfio, xdp, videobuf, qib, hfi1, usnic, mthca, ppc_iommu or qib_sdma)",
		    TOKS(&p->t[i]));
}

/*
 * TASK driver KIND HANDLE RANGE [write] [mm=OTHER]: with mm=, the
 * registration is OTHER's (RANGE names OTHER's mapping, OTHER's exit
 * ends it) while TASK runs the pinning; only a kind whose kernel driver
 * pins in another mm than current's takes it.
 */
static int parse_driver(struct parser *p, struct stmt *st)
{
	struct driver_args *a = &st->driver;
	struct opt o[NR_OPTS];
	struct sym *t;
	int owner, h;

	a->driver = find_driver_kind(p, 2);
	if (a->driver < 0)
		return -1;
	if (need(p, 3, "handle name") ||
	    new_name(p, &p->handles, &p->t[3], -1, "handle"))
		return -1;
	if (need_word(p, 4, "mapping") ||
	    parse_range_opts(p, 4, st, o, &owner))
		return -1;
	if (o[OPT_MM].given && !scn_driver_remote[a->driver])
		return perr(p, o[OPT_MM].col,
			    "driver %s pins only current's memory: 'mm=' is for vfio",
			    scn_driver_names[a->driver]);
	a->mm = o[OPT_MM].given ? owner : -1;
	if (parse_range(p, 4, owner, &a->range) < 0)
		return -1;
	a->write = o[OPT_WRITE].given;
	h = add_handle(p, &p->t[3], HANDLE_DRIVER, a->range.len);
	a->handle = h;
	snprintf(a->name, sizeof(a->name), "%s", p->handles.v[h].name);
	/* exit of the owner ends the registration: it keeps a list of them */
	t = &p->tasks.v[owner];
	sym_own(&p->handles, h, &t->first_drv, &t->last_drv);
	return 0;
}

/* The live handle named by token i (valid until the next add), or NULL. */
static struct sym *find_handle(struct parser *p, int i)
{
	int h;

	if (need_word(p, i, "handle"))
		return NULL;
	h = find_live(p, &p->handles, &p->t[i], "handle");
	return h < 0 ? NULL : &p->handles.v[h];
}

/* unpin HANDLE [dirty] */
static int parse_unpin(struct parser *p, struct stmt *st)
{
	struct opt o[NR_OPTS];
	struct sym *h = find_handle(p, 1);

	if (!h)
		return -1;
	if (h->hkind == HANDLE_DRIVER)
		return perr(p, p->t[1].col,
			    "handle '%s' belongs to a driver; use 'release'",
			    h->name);
	if (parse_opts(p, 2, st, o))
		return -1;
	st->unpin.dirty = o[OPT_DIRTY].given;
	st->unpin.handle = h->id;
	st->unpin.hkind = h->hkind;
	h->live = false;
	h->line = p->line;
	return 0;
}

/* release HANDLE */
static int parse_release(struct parser *p, struct stmt *st)
{
	struct sym *h = find_handle(p, 1);

	if (!h)
		return -1;
	if (h->hkind != HANDLE_DRIVER)
		return perr(p, p->t[1].col,
			    "handle '%s' is a pin handle; use 'unpin'", h->name);
	if (no_more(p, 2, "the handle"))
		return -1;
	st->release.handle = h->id;
	h->live = false;
	h->line = p->line;
	return 0;
}

/* off= and len= of dev, against the size of what the handle holds */
static int dev_window(struct parser *p, struct opt *o, const struct sym *h,
		      struct dev_args *a)
{
	char tb[64], b1[32], b2[32];

	if (o[OPT_OFF].given && opt_size(p, &o[OPT_OFF], &a->off))
		return -1;
	if (a->off >= h->size)
		return perr(p, o[OPT_OFF].vcol,
			    "off=%s is past the end of handle '%s' (%s)",
			    fmt_size(a->off, b1, sizeof(b1)), h->name,
			    fmt_size(h->size, b2, sizeof(b2)));
	a->len = h->size - a->off;
	if (!o[OPT_LEN].given)
		return 0;
	a->len_set = true;
	if (opt_size(p, &o[OPT_LEN], &a->len))
		return -1;
	if (!a->len)
		return perr(p, o[OPT_LEN].vcol, "len must not be zero");
	if (a->len > h->size - a->off)
		return perr(p, o[OPT_LEN].vcol,
			    "len=%s at off=%s runs past the end of handle '%s' (%s)",
			    fmt_size(a->len, b1, sizeof(b1)),
			    fmt_size(a->off, b2, sizeof(b2)), h->name,
			    fmt_size(h->size, tb, sizeof(tb)));
	return 0;
}

/* dev HANDLE write BYTE [off=SIZE] [len=SIZE] / dev HANDLE read [...] */
static int parse_dev(struct parser *p, struct stmt *st)
{
	struct dev_args a = { 0 };
	struct opt o[NR_OPTS];
	char tb[64];
	struct sym *h = find_handle(p, 1);
	int next;

	if (!h)
		return -1;
	a.handle = h->id;
	a.hkind = h->hkind;
	if (need_word(p, 2, "'read' or 'write'"))
		return -1;
	if (tok_is(&p->t[2], "write")) {
		st->kind = ST_DEV_WRITE;
		if (need(p, 3, "byte to write") ||
		    parse_byte_tok(p, &p->t[3], &a.byte))
			return -1;
		next = 4;
	} else if (tok_is(&p->t[2], "read")) {
		st->kind = ST_DEV_READ;
		next = 3;
	} else {
		return perr(p, p->t[2].col, "expected 'read' or 'write', got '%s'",
			    TOKS(&p->t[2]));
	}
	if (parse_opts(p, next, st, o) || dev_window(p, o, h, &a))
		return -1;
	if (st->kind == ST_DEV_WRITE)
		st->dev_write = a;
	else
		st->dev_read = a;
	return 0;
}

/*
 * fallocate FILE [off=SIZE] [len=SIZE]: the window must lie inside the
 * file's size (the model's files do not grow), so it is checked here.
 */
static int parse_fallocate(struct parser *p, struct stmt *st)
{
	struct fallocate_args *a = &st->fallocate;
	struct opt o[NR_OPTS];
	char tb[64], b1[32], b2[32];
	const struct sym *f;
	int id;

	if (need_word(p, 1, "file name") ||
	    check_name(p, p->t[1].s, p->t[1].len, p->t[1].col))
		return -1;
	id = sym_find(&p->files, p->t[1].s, p->t[1].len, -1, true);
	if (id < 0)
		return perr(p, p->t[1].col, "unknown file '%s'",
			    tok_str(p->t[1].s, p->t[1].len, tb, sizeof(tb)));
	f = &p->files.v[id];
	a->file = id;
	if (parse_opts(p, 2, st, o))
		return -1;
	if (o[OPT_OFF].given && opt_size(p, &o[OPT_OFF], &a->off))
		return -1;
	if (a->off >= f->size)
		return perr(p, o[OPT_OFF].given ? o[OPT_OFF].vcol : p->t[1].col,
			    "offset %s is past the end of file '%s' (size %s)",
			    fmt_size(a->off, b1, sizeof(b1)), f->name,
			    fmt_size(f->size, b2, sizeof(b2)));
	a->len = f->size - a->off;
	if (o[OPT_LEN].given) {
		if (opt_size(p, &o[OPT_LEN], &a->len))
			return -1;
		if (!a->len)
			return perr(p, o[OPT_LEN].vcol, "len must not be zero");
		if (a->len > f->size - a->off)
			return perr(p, o[OPT_LEN].vcol,
				    "len=%s at offset %s runs past the end of file '%s' (size %s; files do not grow)",
				    fmt_size(a->len, b1, sizeof(b1)),
				    fmt_size(a->off, b2, sizeof(b2)), f->name,
				    fmt_size(f->size, tb, sizeof(tb)));
	}
	return 0;
}

/* cma_alloc NAME SIZE */
static int parse_cma_alloc(struct parser *p, struct stmt *st)
{
	struct cma_alloc_args *a = &st->cma_alloc;
	char b1[32];
	int c;

	if (need(p, 1, "allocation name") ||
	    new_name(p, &p->cmas, &p->t[1], -1, "cma allocation"))
		return -1;
	if (need_word(p, 2, "size") ||
	    parse_number(p, p->t[2].s, p->t[2].len, p->t[2].col, true, &a->size))
		return -1;
	if (!a->size || a->size % SCN_PAGE_SIZE)
		return perr(p, p->t[2].col,
			    "cma_alloc size %s is not a positive multiple of the page size",
			    fmt_size(a->size, b1, sizeof(b1)));
	if (no_more(p, 3, "the size"))
		return -1;
	c = sym_add(&p->cmas, &p->prog->cma_names, &p->prog->nr_cmas,
		    p->t[1].s, p->t[1].len, -1);
	p->cmas.v[c].line = p->line;
	a->cma = c;
	snprintf(a->name, sizeof(a->name), "%s", p->cmas.v[c].name);
	return 0;
}

/* cma_free NAME */
static int parse_cma_free(struct parser *p, struct stmt *st)
{
	int c;

	if (need_word(p, 1, "allocation name"))
		return -1;
	c = find_live(p, &p->cmas, &p->t[1], "cma allocation");
	if (c < 0 || no_more(p, 2, "the name"))
		return -1;
	p->cmas.v[c].live = false;
	p->cmas.v[c].line = p->line;
	st->cma_free.cma = c;
	return 0;
}

/* race: opens a block; its statements run at once (program.h) */
static int parse_race(struct parser *p, struct stmt *st)
{
	if (p->race_at >= 0)
		return perr(p, p->t[0].col,
			    "race blocks do not nest (the block of line %d has no 'end' yet)",
			    p->race_line);
	if (no_more(p, 1, "race"))
		return -1;
	p->race_at = (int)(st - p->prog->stmts);
	p->race_line = p->line;
	p->race_col = p->t[0].col;
	p->prog->nr_races++;
	return 0;
}

/* end: closes the open block, which must hold 2 .. SCN_RACE_MAX statements */
static int parse_end(struct parser *p, struct stmt *st)
{
	int nr = (int)(st - p->prog->stmts) - p->race_at - 1;

	if (p->race_at < 0)
		return perr(p, p->t[0].col, "'end' without 'race'");
	if (no_more(p, 1, "end"))
		return -1;
	if (nr < 2)
		return perr(p, p->t[0].col,
			    "a race block needs 2 to %d statements, the block of line %d has %d",
			    SCN_RACE_MAX, p->race_line, nr);
	p->prog->stmts[p->race_at].race.nr = nr;
	p->race_at = -1;
	return 0;
}

/*
 * What may not run inside a race block: what sets up or inspects the
 * whole machine, and what ends a name another thread could be using.
 */
static int race_allows(struct parser *p, const struct stmt *st, int col)
{
	static const enum stmt_kind banned[] = {
		ST_MACHINE, ST_CHECK, ST_STAT, ST_SHOW, ST_EXIT, ST_UNPIN,
		ST_RELEASE, ST_CMA_FREE,
	};
	int nr = p->prog->nr_stmts - p->race_at - 1;

	if (p->race_at < 0 || st->kind == ST_RACE || st->kind == ST_END)
		return 0;
	for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (st->kind == banned[i])
			return perr(p, col, "'%s' cannot run inside a race block",
				    stmt_kind_name(st->kind));
	if (nr > SCN_RACE_MAX)
		return perr(p, col,
			    "a race block holds at most %d statements (the block of line %d)",
			    SCN_RACE_MAX, p->race_line);
	return 0;
}

static int parse_check(struct parser *p, struct stmt *st)
{
	(void)st;
	return no_more(p, 1, "check");
}

static const char *const task_counter_names[] = {
	[TC_NONE] = "",
#define SCN_TC_NAME(id, name) [TC_##id] = name,
	SCN_TASK_COUNTERS(SCN_TC_NAME)
#undef SCN_TC_NAME
};

static const char *const page_counter_names[] = {
	[PC_NONE] = "",
#define SCN_PC_NAME(id, name) [PC_##id] = name,
	SCN_PAGE_COUNTERS(SCN_PC_NAME)
#undef SCN_PC_NAME
};

/* stat refcount|mapcount TASK VAR[+OFF]: the page mapped there */
static int parse_stat_page(struct parser *p, struct stat_args *a)
{
	int t, n;

	if (p->nt < 4)
		return perr(p, p->t[1].col + (int)p->t[1].len,
			    "%s is a counter of a page: stat %s TASK VAR[+OFF]",
			    a->counter, a->counter);
	t = find_task(p, &p->t[2]);
	if (t < 0)
		return -1;
	a->task = t;
	n = parse_range(p, 3, t, &a->range);
	if (n < 0)
		return -1;
	if (n > 1)
		return perr(p, p->t[4].col,
			    "stat %s reads one page: VAR[+OFF], no len=",
			    a->counter);
	a->range.off &= ~(SCN_PAGE_SIZE - 1);
	a->range.len = SCN_PAGE_SIZE;
	return no_more(p, 4, "the page's address");
}

/*
 * stat COUNTER, or stat COUNTER TASK for a counter of one task (its mm's
 * locked_vm or pinned_vm, its user's locked_vm): those need the task, and
 * a machine-wide counter takes none; stat COUNTER TASK VAR[+OFF] for a
 * counter of the page mapped there (refcount, mapcount).
 */
static int parse_stat(struct parser *p, struct stmt *st)
{
	struct stat_args *a = &st->stat;
	int i, t;

	if (need_word(p, 1, "counter name") ||
	    check_name(p, p->t[1].s, p->t[1].len, p->t[1].col))
		return -1;
	memcpy(a->counter, p->t[1].s, p->t[1].len);
	a->counter[p->t[1].len] = 0;
	a->task = -1;
	a->task_counter = TC_NONE;
	a->page_counter = PC_NONE;
	for (i = 1; i < (int)(sizeof(page_counter_names) /
			      sizeof(page_counter_names[0])); i++)
		if (!strcmp(a->counter, page_counter_names[i]))
			a->page_counter = i;
	if (a->page_counter != PC_NONE)
		return parse_stat_page(p, a);
	for (i = 1; i < (int)(sizeof(task_counter_names) /
			      sizeof(task_counter_names[0])); i++)
		if (!strcmp(a->counter, task_counter_names[i]))
			a->task_counter = i;
	if (a->task_counter == TC_NONE)
		return no_more(p, 2, "the counter name");
	if (p->nt < 3)
		return perr(p, p->t[1].col + (int)p->t[1].len,
			    "%s is a counter of a task: stat %s TASK",
			    a->counter, a->counter);
	t = find_task(p, &p->t[2]);
	if (t < 0)
		return -1;
	a->task = t;
	return no_more(p, 3, "the task");
}

const char *const scn_show_names[NR_SHOW_KINDS] = {
#define SCN_SHOW_NAME(id, word, arg) [SHOW_##id] = word,
	SCN_SHOW_KINDS(SCN_SHOW_NAME)
#undef SCN_SHOW_NAME
};

enum show_arg { SHOW_ARG_NONE, SHOW_ARG_TASK, SHOW_ARG_FILE };

static const enum show_arg show_args_of[NR_SHOW_KINDS] = {
#define SCN_SHOW_ARG(id, word, arg) [SHOW_##id] = SHOW_ARG_##arg,
	SCN_SHOW_KINDS(SCN_SHOW_ARG)
#undef SCN_SHOW_ARG
};

#define SHOW_WHAT "meminfo, vmstat, pins, maps TASK, status TASK, " \
		  "pagetypeinfo, buddyinfo or map [FILE.svg]"

/* show WHAT [TASK | FILE] */
static int parse_show(struct parser *p, struct stmt *st)
{
	struct show_args *a = &st->show;
	char tb[64];
	int i, t;

	if (need_word(p, 1, "what to show (" SHOW_WHAT ")"))
		return -1;
	for (i = 0; i < NR_SHOW_KINDS; i++)
		if (tok_is(&p->t[1], scn_show_names[i]))
			break;
	if (i == NR_SHOW_KINDS)
		return perr(p, p->t[1].col, "cannot show '%s' (use " SHOW_WHAT ")",
			    TOKS(&p->t[1]));
	a->what = i;
	a->task = -1;
	a->path = NULL;
	switch (show_args_of[i]) {
	case SHOW_ARG_NONE:
		return no_more(p, 2, scn_show_names[i]);
	case SHOW_ARG_FILE:
		if (p->nt < 3)
			return 0;
		if (need_word(p, 2, "a file name") ||
		    no_more(p, 3, "the file name"))
			return -1;
		a->path = strndup(p->t[2].s, p->t[2].len);
		return a->path ? 0 : perr(p, p->t[2].col, "out of memory");
	case SHOW_ARG_TASK:
		break;
	}
	if (need_word(p, 2, "task"))
		return -1;
	t = find_task(p, &p->t[2]);
	if (t < 0)
		return -1;
	a->task = t;
	return no_more(p, 3, "the task");
}

/* ---- expectations ---- */

static const char *const res_kind_names[] = {
	[RES_OK] = "ok", [RES_COUNT] = "a count", [RES_ERRNO] = "an errno",
	[RES_SIGNAL] = "a signal", [RES_BYTE] = "a byte", [RES_MIXED] = "mixed",
	[RES_ZONE] = "a zone", [RES_SKIP] = "skip",
};

static int parse_expect(struct parser *p, struct stmt *st)
{
	static const struct { const char *w; enum res_kind k; long v; } words[] = {
		{ "ok", RES_OK, 0 }, { "mixed", RES_MIXED, 0 },
		{ "skip", RES_SKIP, 0 }, { "SIGSEGV", RES_SIGNAL, 11 },
		{ "SIGBUS", RES_SIGNAL, 7 },
		{ "normal", RES_ZONE, ZONE_R_NORMAL },
		{ "movable", RES_ZONE, ZONE_R_MOVABLE },
		{ "cma", RES_ZONE, ZONE_R_CMA },
		{ "device", RES_ZONE, ZONE_R_DEVICE },
		{ "none", RES_ZONE, ZONE_R_NONE },
	};
	const struct token *arrow = &p->t[p->arrow], *t;
	struct result *r = &st->expect;
	char tb[64];
	uint64_t v;
	int b;

	if (p->arrow + 1 >= p->ntotal)
		return perr(p, arrow->col + 2, "missing result after '=>'");
	t = &p->t[p->arrow + 1];
	if (p->arrow + 2 < p->ntotal)
		return perr(p, p->t[p->arrow + 2].col,
			    "unexpected '%s' after the result",
			    TOKS(&p->t[p->arrow + 2]));
	st->has_expect = true;
	if (t->type == TOK_ARROW)
		return perr(p, t->col, "missing result after '=>'");
	if (t->type == TOK_BYTE ||
	    (t->len > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X'))) {
		if (parse_byte_tok(p, t, &b))
			return -1;
		r->kind = RES_BYTE;
		r->value = b;
		goto check;
	}
	if (t->s[0] >= '0' && t->s[0] <= '9') {
		if (parse_number(p, t->s, t->len, t->col, false, &v))
			return -1;
		if (v > INT64_MAX / 2)
			return perr(p, t->col, "number '%s' is too large", TOKS(t));
		r->kind = RES_COUNT;
		r->value = (long)v;
		goto check;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (tok_is(t, words[i].w)) {
			r->kind = words[i].k;
			r->value = words[i].v;
			goto check;
		}
	}
	if (t->len > 1 && t->s[0] == 'E') {
		int e = errno_from_name(t->s, t->len);

		if (!e)
			return perr(p, t->col, "unknown errno name '%s'", TOKS(t));
		r->kind = RES_ERRNO;
		r->value = e;
		goto check;
	}
	return perr(p, t->col, "invalid result '%s'", TOKS(t));
check:
	if (!((stmt_defs[st->kind].results | RS_ALWAYS) & (1u << r->kind)))
		return perr(p, t->col, "'%s' cannot produce %s",
			    stmt_kind_name(st->kind), res_kind_names[r->kind]);
	return 0;
}

/* ---- lines ---- */

/* An unknown statement: say whether the task or the verb is wrong. */
static int unknown_statement(struct parser *p)
{
	const struct token *t0 = &p->t[0];
	char tb[64];

	if (sym_find(&p->tasks, t0->s, t0->len, -1, true) < 0)
		return perr(p, t0->col, "unknown statement '%s'", TOKS(t0));
	if (p->nt < 2)
		return perr(p, t0->col + (int)t0->len,
			    "missing task statement after '%s'", TOKS(t0));
	return perr(p, p->t[1].col, "unknown task statement '%s'",
		    TOKS(&p->t[1]));
}

/* `KEYWORD ...` or `TASK keyword ...`: the kind's line says which. */
static int parse_statement(struct parser *p, struct stmt *st)
{
	const struct token *t0 = &p->t[0];
	char tb[64];

	st->task = -1;
	if (t0->type != TOK_WORD)
		return perr(p, t0->col, "expected a statement, got '%s'", TOKS(t0));
	st->kind = kind_of(t0->s, t0->len, SCN_FORM_KW);
	if (st->kind == NR_STMT_KINDS) {
		if (p->nt < 2 || p->t[1].type != TOK_WORD)
			return unknown_statement(p);
		st->kind = kind_of(p->t[1].s, p->t[1].len, SCN_FORM_TASK);
		if (st->kind == NR_STMT_KINDS)
			return unknown_statement(p);
		st->task = find_task(p, t0);
		if (st->task < 0)
			return -1;
	}
	if (race_allows(p, st, st->task >= 0 ? p->t[1].col : t0->col))
		return -1;
	if (stmt_defs[st->kind].parse(p, st))
		return -1;
	if (p->arrow >= 0 && (st->kind == ST_RACE || st->kind == ST_END))
		return perr(p, p->t[p->arrow].col, "'%s' takes no result",
			    stmt_kind_name(st->kind));
	if (p->arrow >= 0)
		return parse_expect(p, st);
	return 0;
}

static struct stmt *new_stmt(struct program *prog, int *cap)
{
	struct stmt *st;

	if (prog->nr_stmts == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		prog->stmts = xrealloc(prog->stmts, *cap * sizeof(*prog->stmts));
	}
	st = &prog->stmts[prog->nr_stmts++];
	memset(st, 0, sizeof(*st));
	return st;
}

static int parse_line(struct parser *p, const char *line, size_t len,
		      int *cap)
{
	struct token toks[SCN_TOKENS_MAX];
	const struct token *last;
	struct stmt *st;
	int n;

	if (len > SCN_LINE_MAX)
		return perr(p, SCN_LINE_MAX + 1, "line is too long (more than %d bytes)",
			    SCN_LINE_MAX);
	n = scn_lex_line(line, len, p->line, toks, SCN_TOKENS_MAX, p->err);
	if (n <= 0)
		return n;
	p->t = toks;
	p->ntotal = n;
	p->nt = n;
	p->arrow = -1;
	for (int i = 0; i < n; i++) {
		if (toks[i].type == TOK_ARROW) {
			p->arrow = i;
			p->nt = i;
			break;
		}
	}
	if (p->nt == 0)
		return perr(p, toks[0].col, "'=>' without a statement");
	st = new_stmt(p->prog, cap);
	st->line = p->line;
	last = &toks[p->nt - 1];
	st->text = strndup(toks[0].s, last->s + last->len - toks[0].s);
	if (!st->text)
		return perr(p, 1, "out of memory");
	if (parse_statement(p, st))
		return -1;
	p->seen_stmt = true;
	if (st->kind == ST_END) {
		/* the block's length is in its `race`; `end` leaves nothing */
		free(st->text);
		p->prog->nr_stmts--;
	}
	return 0;
}

static void symtab_free(struct symtab *tab)
{
	free(tab->v);
	free(tab->bucket);
}

struct program *scn_parse(const char *filename, const char *buf, size_t len,
			  struct scn_error *err)
{
	struct parser p = { .filename = filename, .err = err, .race_at = -1 };
	size_t pos = 0;
	int cap = 0;

	memset(err, 0, sizeof(*err));
	p.prog = calloc(1, sizeof(*p.prog));
	if (!p.prog)
		return NULL;
	p.prog->filename = strdup(filename);
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (buf + pos)) : len - pos;

		p.line++;
		/* CRLF files: the CR is part of the line ending */
		if (l && buf[pos + l - 1] == '\r')
			l--;
		if (parse_line(&p, buf + pos, l, &cap))
			goto fail;
		pos += (nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos);
	}
	if (!p.prog->nr_stmts) {
		p.line = 1;
		perr(&p, 1, "empty scenario: no statements");
		goto fail;
	}
	if (p.race_at >= 0) {
		p.line = p.race_line;
		perr(&p, p.race_col, "race block without 'end'");
		goto fail;
	}
	goto out;
fail:
	scn_free(p.prog);
	p.prog = NULL;
out:
	symtab_free(&p.tasks);
	symtab_free(&p.vars);
	symtab_free(&p.files);
	symtab_free(&p.handles);
	symtab_free(&p.cmas);
	return p.prog;
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

void scn_free(struct program *prog)
{
	if (!prog)
		return;
	for (int i = 0; i < prog->nr_stmts; i++) {
		struct stmt *st = &prog->stmts[i];

		free(st->text);
		if (st->kind == ST_FORK)
			free(st->fork.pairs);
		else if (st->kind == ST_EXIT)
			free(st->exit.drv_handles);
		else if (st->kind == ST_SHOW)
			free(st->show.path);
	}
	free(prog->stmts);
	free_names(prog->task_names, prog->nr_tasks);
	free_names(prog->var_names, prog->nr_vars);
	free_names(prog->file_names, prog->nr_files);
	free_names(prog->handle_names, prog->nr_handles);
	free_names(prog->cma_names, prog->nr_cmas);
	free(prog->var_size);
	free(prog->var_task);
	free(prog->filename);
	free(prog);
}

/* ---- reporting ---- */

/*
 * Prints the line with every byte that is not printable ASCII shown as '?'
 * (one byte, one column, so the caret stays aligned), and a window around
 * the column when the line is long.
 */
void scn_print_error(FILE *out, const char *filename, const char *buf,
		     size_t len, const struct scn_error *err)
{
	const size_t width = 100;
	const char *line = buf;
	size_t l, start = 0, end, col;
	int n;

	fprintf(out, "%s:%d:%d: error: %s\n", filename, err->line,
		err->col ? err->col : 1, err->msg);
	for (n = 1; n < err->line && line; n++) {
		const char *nl = memchr(line, '\n', len - (line - buf));

		line = nl ? nl + 1 : NULL;
	}
	if (!line || line > buf + len)
		line = buf + len;
	{
		const char *nl = memchr(line, '\n', len - (line - buf));

		l = nl ? (size_t)(nl - line) : len - (line - buf);
	}
	if (l && line[l - 1] == '\r')
		l--;
	col = err->col ? err->col - 1 : 0;
	if (col > l)
		col = l;
	if (l > width) {
		start = col > width / 2 ? col - width / 2 : 0;
		if (start > l - width)
			start = l - width;
	}
	end = start + width < l ? start + width : l;
	fputs("    ", out);
	if (start)
		fputs("...", out);
	for (size_t i = start; i < end; i++) {
		unsigned char c = line[i];

		fputc(c == '\t' || (c >= 0x20 && c < 0x7f) ? c : '?', out);
	}
	if (end < l)
		fputs("...", out);
	fputs("\n    ", out);
	if (start)
		fputs("   ", out);
	for (size_t i = start; i < col; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}

/* Closes what scn_read_file() opened: standard input stays open. */
static void scn_close_input(FILE *f)
{
	if (f != stdin)
		fclose(f);
}

/* path "-" is standard input, read to its end. */
int scn_read_file(const char *path, char **bufp, size_t *lenp)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 65536, len = 0;
	char *buf;

	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		scn_close_input(f);
		return -ENOMEM;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			if (cap >= SCN_FILE_MAX) {
				free(buf);
				scn_close_input(f);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(buf);
		scn_close_input(f);
		return -e;
	}
	scn_close_input(f);
	*bufp = buf;
	*lenp = len;
	return 0;
}
