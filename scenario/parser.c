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
 * show what touching the hole does), a handle until `unpin`/`release`, a
 * CMA allocation until `cma_free`. Reusing a live name is an error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

const char *const scn_driver_names[NR_DRIVER_KINDS] = {
	"io_uring", "ib_umem", "vfio", "xdp", "videobuf", "qib", "hfi1",
	"usnic", "mthca", "ppc_iommu",
};

static const char *const stmt_names[NR_STMT_KINDS] = {
	[ST_MACHINE] = "machine", [ST_FILE] = "file", [ST_TASK] = "task",
	[ST_MMAP] = "mmap", [ST_WRITE] = "write", [ST_READ] = "read",
	[ST_MUNMAP] = "munmap", [ST_MPROTECT] = "mprotect",
	[ST_MADVISE] = "madvise", [ST_MREMAP] = "mremap", [ST_FORK] = "fork",
	[ST_EXIT] = "exit", [ST_PIN] = "pin", [ST_UNPIN] = "unpin",
	[ST_DRIVER] = "driver", [ST_RELEASE] = "release",
	[ST_DEV_WRITE] = "dev write", [ST_DEV_READ] = "dev read",
	[ST_CMA_ALLOC] = "cma_alloc", [ST_CMA_FREE] = "cma_free",
	[ST_WHERE] = "where", [ST_CHECK] = "check", [ST_STAT] = "stat",
	[ST_SHOW] = "show",
};

const char *stmt_kind_name(enum stmt_kind kind)
{
	return kind < NR_STMT_KINDS ? stmt_names[kind] : "?";
}

/* Statements that start with a keyword; no task may take these names. */
static const char *const keywords[] = {
	"machine", "file", "task", "unpin", "release", "dev", "cma_alloc",
	"cma_free", "check", "stat", "show",
};

/* Statements that start with a TASK, by their verb. */
static const struct {
	const char *verb;
	enum stmt_kind kind;
} task_verbs[] = {
	{ "mmap", ST_MMAP }, { "write", ST_WRITE }, { "read", ST_READ },
	{ "munmap", ST_MUNMAP }, { "mprotect", ST_MPROTECT },
	{ "madvise", ST_MADVISE }, { "mremap", ST_MREMAP },
	{ "fork", ST_FORK }, { "exit", ST_EXIT }, { "pin", ST_PIN },
	{ "driver", ST_DRIVER }, { "where", ST_WHERE },
};

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
	int owner;		/* driver handles: the registering task */
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
	sym->owner = -1;
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

#define OPT(n, v) { .name = (n), .has_value = (v) }

struct opt {
	const char *name;
	bool has_value;
	/* filled in: */
	bool given;
	const char *val;
	size_t vlen;
	int col, vcol;
};

/*
 * Matches the tokens [from, p->nt) against the statement's options: bare
 * flags (`write`) and key=value pairs (`prot=rw`), each at most once.
 */
static int parse_opts(struct parser *p, int from, struct opt *opts, int nopts,
		      const char *what)
{
	char tb[64];

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
		for (j = 0; j < nopts; j++)
			if (span_is(t->s, klen, opts[j].name))
				break;
		if (j == nopts)
			return perr(p, t->col, "unknown option '%s' for %s",
				    tok_str(t->s, klen ? klen : t->len, tb,
					    sizeof(tb)), what);
		if (opts[j].given)
			return perr(p, t->col, "duplicate option '%s'",
				    opts[j].name);
		if (opts[j].has_value && !eq)
			return perr(p, t->col + (int)klen,
				    "option '%s' needs a value (%s=...)",
				    opts[j].name, opts[j].name);
		if (!opts[j].has_value && eq)
			return perr(p, t->col + (int)klen,
				    "option '%s' takes no value", opts[j].name);
		opts[j].given = true;
		opts[j].col = t->col;
		if (eq) {
			opts[j].val = eq + 1;
			opts[j].vlen = t->len - klen - 1;
			opts[j].vcol = t->col + (int)klen + 1;
			if (!opts[j].vlen)
				return perr(p, opts[j].vcol,
					    "missing value after '%s='",
					    opts[j].name);
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

static int parse_machine(struct parser *p, struct stmt *st)
{
	static const char *const thp[] = { "madvise", "always", "never" };
	struct opt o[] = {
		OPT("mem", true), OPT("cma", true), OPT("movable", true),
		OPT("hugetlb", true), OPT("thp", true), OPT("device", true),
	};
	int r;

	if (p->machine_line)
		return perr(p, p->t[0].col, "'machine' given twice (first at line %d)",
			    p->machine_line);
	if (p->seen_stmt)
		return perr(p, p->t[0].col,
			    "'machine' must come before every other statement");
	p->machine_line = p->line;
	p->prog->has_machine = true;
	if (parse_opts(p, 1, o, 6, "machine"))
		return -1;
	st->mem = 256ULL << 20;
	if (o[0].given && opt_size(p, &o[0], &st->mem))
		return -1;
	if (o[1].given && opt_size(p, &o[1], &st->cma_size))
		return -1;
	if (o[2].given && opt_size(p, &o[2], &st->movable))
		return -1;
	if (o[3].given && parse_number(p, o[3].val, o[3].vlen, o[3].vcol, false,
				       &st->hugetlb))
		return -1;
	if (o[4].given) {
		r = opt_choice(p, &o[4], thp, 3, "always, madvise or never");
		if (r < 0)
			return -1;
		st->thp = r;
	}
	if (o[5].given && opt_size(p, &o[5], &st->size))
		return -1;
	return 0;
}

static int parse_file(struct parser *p, struct stmt *st)
{
	static const char *const fs[] = { "ext4", "tmpfs", "dax", "hugetlbfs" };
	struct opt o[] = { OPT("fs", true), OPT("size", true) };
	struct sym *s;
	int r, id;

	if (need(p, 1, "file name") ||
	    new_name(p, &p->files, &p->t[1], -1, "file"))
		return -1;
	if (parse_opts(p, 2, o, 2, "file"))
		return -1;
	if (!o[0].given)
		return perr(p, p->t[p->nt - 1].col + (int)p->t[p->nt - 1].len,
			    "missing fs= (ext4, tmpfs, dax or hugetlbfs)");
	r = opt_choice(p, &o[0], fs, 4, "ext4, tmpfs, dax or hugetlbfs");
	if (r < 0)
		return -1;
	st->fs = r;
	st->size = 2ULL << 20;
	if (o[1].given && opt_size(p, &o[1], &st->size))
		return -1;
	id = sym_add(&p->files, &p->prog->file_names, &p->prog->nr_files,
		     p->t[1].s, p->t[1].len, -1);
	s = &p->files.v[id];
	s->size = st->size;
	s->line = p->line;
	st->file = s->id;
	snprintf(st->name, sizeof(st->name), "%s", s->name);
	return 0;
}

static bool is_keyword(const char *s, size_t len)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (span_is(s, len, keywords[i]))
			return true;
	return false;
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

static int parse_task(struct parser *p, struct stmt *st)
{
	struct opt o[] = { OPT("memlock", true), OPT("cap_ipc_lock", false) };
	int s;

	if (need(p, 1, "task name"))
		return -1;
	if (parse_opts(p, 2, o, 2, "task"))
		return -1;
	st->memlock = 8ULL << 20;
	if (o[0].given) {
		if (span_is(o[0].val, o[0].vlen, "unlimited"))
			st->memlock = UINT64_MAX;
		else if (opt_size(p, &o[0], &st->memlock))
			return -1;
	}
	st->cap_ipc_lock = o[1].given;
	s = add_task(p, &p->t[1]);
	if (s < 0)
		return -1;
	st->task = s;
	snprintf(st->name, sizeof(st->name), "%s", p->tasks.v[s].name);
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
			struct stmt *st)
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
			st->source = srcs[i].src;
			return 0;
		}
	}
	if (t->type != TOK_WORD || t->len < 5 || memcmp(t->s, "file:", 5))
		return perr(p, t->col,
			    "invalid source '%s' (use anon, file:NAME[+OFF], memfd, hugetlb, devzero or io)",
			    TOKS(t));
	st->source = SRC_FILE;
	plus = memchr(t->s + 5, '+', t->len - 5);
	nlen = plus ? (size_t)(plus - t->s - 5) : t->len - 5;
	if (check_name(p, t->s + 5, nlen, t->col + 5))
		return -1;
	f = sym_find(&p->files, t->s + 5, nlen, -1, true);
	if (f < 0)
		return perr(p, t->col + 5, "unknown file '%s'",
			    tok_str(t->s + 5, nlen, tb, sizeof(tb)));
	st->file = f;
	if (plus && parse_number(p, plus + 1, t->len - 5 - nlen - 1,
				 t->col + 5 + (int)nlen + 1, true, &st->src_off))
		return -1;
	return 0;
}

static int parse_mmap(struct parser *p, int task, struct stmt *st)
{
	static const char *const place[] = { "normal", "movable", "cma" };
	struct opt o[] = {
		OPT("private", false), OPT("shared", false), OPT("prot", true),
		OPT("populate", false), OPT("thp", false), OPT("place", true),
	};
	int v, r;

	if (need(p, 2, "mapping name") ||
	    new_name(p, &p->vars, &p->t[2], task, "mapping"))
		return -1;
	if (need_word(p, 3, "size") ||
	    parse_number(p, p->t[3].s, p->t[3].len, p->t[3].col, true, &st->size))
		return -1;
	if (need(p, 4, "source (anon, file:NAME, memfd, hugetlb, devzero or io)") ||
	    parse_source(p, &p->t[4], st))
		return -1;
	if (parse_opts(p, 5, o, 6, "mmap"))
		return -1;
	if (o[0].given && o[1].given)
		return perr(p, later_col(&o[0], &o[1]),
			    "'private' and 'shared' conflict");
	st->shared = o[1].given;
	st->prot = SCN_PROT_R | SCN_PROT_W;
	if (o[2].given && parse_prot(p, o[2].val, o[2].vlen, o[2].vcol, &st->prot))
		return -1;
	st->populate = o[3].given;
	st->thp_advise = o[4].given;
	if (o[5].given) {
		r = opt_choice(p, &o[5], place, 3, "normal, movable or cma");
		if (r < 0)
			return -1;
		st->place = PLACE_R_NORMAL + r;
	}
	v = add_var(p, task, p->t[2].s, p->t[2].len, st->size);
	st->var = v;
	snprintf(st->name, sizeof(st->name), "%s", p->vars.v[v].name);
	return 0;
}

/* TASK write RANGE BYTE */
static int parse_write(struct parser *p, int task, struct stmt *st)
{
	int n = parse_range(p, 2, task, &st->range);

	if (n < 0 || need(p, 2 + n, "byte to write"))
		return -1;
	if (parse_byte_tok(p, &p->t[2 + n], &st->byte))
		return -1;
	return no_more(p, 3 + n, "the byte");
}

static int parse_range_only(struct parser *p, int task,
			    struct stmt *st)
{
	int n = parse_range(p, 2, task, &st->range);

	if (n < 0)
		return -1;
	return no_more(p, 2 + n, "the range");
}

static int parse_mprotect(struct parser *p, int task, struct stmt *st)
{
	int n = parse_range(p, 2, task, &st->range);

	if (n < 0 || need_word(p, 2 + n, "protection (none, r, rw, rx or rwx)"))
		return -1;
	if (parse_prot(p, p->t[2 + n].s, p->t[2 + n].len, p->t[2 + n].col,
		       &st->prot))
		return -1;
	return no_more(p, 3 + n, "the protection");
}

/* advice values are <sys/mman.h>'s (MADV_DONTNEED 4, HUGEPAGE 14, NO 15) */
static int parse_madvise(struct parser *p, int task, struct stmt *st)
{
	static const struct { const char *name; int advice; } adv[] = {
		{ "dontneed", 4 }, { "hugepage", 14 }, { "nohugepage", 15 },
	};
	char tb[64];
	int n = parse_range(p, 2, task, &st->range);
	const struct token *t;

	if (n < 0 || need_word(p, 2 + n, "advice (dontneed)"))
		return -1;
	t = &p->t[2 + n];
	st->byte = -1;
	for (size_t i = 0; i < sizeof(adv) / sizeof(adv[0]); i++)
		if (tok_is(t, adv[i].name))
			st->byte = adv[i].advice;
	if (st->byte < 0)
		return perr(p, t->col,
			    "unknown advice '%s' (use dontneed, hugepage or nohugepage)",
			    TOKS(t));
	return no_more(p, 3 + n, "the advice");
}

static int parse_var_stmt(struct parser *p, int task, struct stmt *st)
{
	struct sym *v;

	if (need_word(p, 2, "mapping"))
		return -1;
	v = find_var(p, task, p->t[2].s, p->t[2].len, p->t[2].col);
	if (!v)
		return -1;
	st->var = v->id;
	st->range.var = v->id;
	st->range.off = 0;
	st->range.len = v->size;
	if (!v->size)
		return perr(p, p->t[2].col, "mapping '%s' is empty", v->name);
	return no_more(p, 3, "the mapping");
}

static int parse_where(struct parser *p, int task, struct stmt *st)
{
	int n = parse_range(p, 2, task, &st->range);

	if (n < 0)
		return -1;
	st->var = st->range.var;
	return no_more(p, 2 + n, "the range");
}

static int parse_fork(struct parser *p, int task, struct stmt *st)
{
	int child;

	if (need(p, 2, "child task name"))
		return -1;
	if (no_more(p, 3, "the child's name"))
		return -1;
	child = add_task(p, &p->t[2]);
	if (child < 0)
		return -1;
	st->other = child;
	snprintf(st->name, sizeof(st->name), "%s", p->tasks.v[child].name);
	/*
	 * The child knows the parent's mappings by the same names. Its own
	 * list is new and empty, so the walk ends at the parent's last one.
	 */
	for (int i = p->tasks.v[task].first_var; i >= 0;
	     i = p->vars.v[i].next_owned) {
		char name[SCN_NAME_MAX + 1];
		int c;

		if (!p->vars.v[i].live)
			continue;
		snprintf(name, sizeof(name), "%s", p->vars.v[i].name);
		c = add_var(p, child, name, strlen(name), p->vars.v[i].size);
		st->pairs = xrealloc(st->pairs,
				     (st->nr_pairs + 1) * sizeof(*st->pairs));
		st->pairs[st->nr_pairs].parent = i;
		st->pairs[st->nr_pairs].child = c;
		st->nr_pairs++;
	}
	return 0;
}

/*
 * exit ends the task, its mappings and its driver registrations (the
 * files they hang off are closed); pin handles stay until `unpin`.
 */
static int parse_exit(struct parser *p, int task, struct stmt *st)
{
	struct sym *t = &p->tasks.v[task];

	(void)st;
	if (no_more(p, 2, "exit"))
		return -1;
	t->live = false;
	t->line = p->line;
	for (int i = t->first_var; i >= 0; i = p->vars.v[i].next_owned)
		p->vars.v[i].live = false;
	for (int i = t->first_drv; i >= 0; i = p->handles.v[i].next_owned) {
		struct sym *h = &p->handles.v[i];

		if (h->live) {
			h->live = false;
			h->line = p->line;
		}
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

/* TASK pin HANDLE RANGE [write] [longterm] [fast] [get] [force] [mm=OTHER] */
static int parse_pin(struct parser *p, int task, struct stmt *st)
{
	static const unsigned int bits[] = { PIN_WRITE, PIN_LONGTERM, PIN_FAST,
					     PIN_GET, PIN_FORCE };
	struct opt o[] = {
		OPT("write", false), OPT("longterm", false), OPT("fast", false),
		OPT("get", false), OPT("force", false), OPT("mm", true),
		OPT("len", true),
	};
	const struct token *ht;
	int mm_task = task, n, i, h;

	if (need(p, 2, "handle name") ||
	    new_name(p, &p->handles, &p->t[2], -1, "handle"))
		return -1;
	ht = &p->t[2];
	if (need_word(p, 3, "mapping"))
		return -1;
	/* Options first: mm=OTHER decides whose mapping RANGE names. */
	n = (p->nt > 4 && p->t[4].type == TOK_WORD && p->t[4].len >= 4 &&
	     !memcmp(p->t[4].s, "len=", 4)) ? 2 : 1;
	if (parse_opts(p, 3 + n, o, 6, "pin"))
		return -1;
	for (i = 0; i < 5; i++)
		if (o[i].given)
			st->pin_flags |= bits[i];
	st->other = -1;
	if (o[5].given) {
		struct token t = { TOK_WORD, o[5].val, o[5].vlen, o[5].vcol, 0 };

		if (o[2].given)
			return perr(p, later_col(&o[2], &o[5]),
				    "'fast' cannot be combined with 'mm=' (there is no remote GUP-fast call)");
		mm_task = find_task(p, &t);
		if (mm_task < 0)
			return -1;
		st->other = mm_task;
	}
	if (parse_range(p, 3, mm_task, &st->range) < 0)
		return -1;
	st->hkind = o[3].given ? HANDLE_GET : HANDLE_PIN;
	h = add_handle(p, ht, st->hkind, st->range.len);
	st->handle = h;
	snprintf(st->name, sizeof(st->name), "%s", p->handles.v[h].name);
	return 0;
}

/* TASK driver KIND HANDLE RANGE [write] */
static int parse_driver(struct parser *p, int task, struct stmt *st)
{
	struct opt o[] = { OPT("write", false) };
	struct sym *t = &p->tasks.v[task];
	char tb[64];
	int n, h;

	if (need_word(p, 2, "driver kind"))
		return -1;
	st->driver = -1;
	for (int i = 0; i < NR_DRIVER_KINDS; i++)
		if (tok_is(&p->t[2], scn_driver_names[i]))
			st->driver = i;
	if (st->driver < 0)
		return perr(p, p->t[2].col,
			    "unknown driver '%s' (io_uring, ib_umem, vfio, xdp, videobuf, qib, hfi1, usnic, mthca or ppc_iommu)",
			    TOKS(&p->t[2]));
	if (need(p, 3, "handle name") ||
	    new_name(p, &p->handles, &p->t[3], -1, "handle"))
		return -1;
	n = parse_range(p, 4, task, &st->range);
	if (n < 0 || parse_opts(p, 4 + n, o, 1, "driver"))
		return -1;
	if (o[0].given)
		st->pin_flags |= PIN_WRITE;
	st->hkind = HANDLE_DRIVER;
	h = add_handle(p, &p->t[3], HANDLE_DRIVER, st->range.len);
	st->handle = h;
	snprintf(st->name, sizeof(st->name), "%s", p->handles.v[h].name);
	/* exit ends the registration: the task keeps a list of them */
	p->handles.v[h].owner = task;
	sym_own(&p->handles, h, &t->first_drv, &t->last_drv);
	return 0;
}

static int parse_where_stmt(struct parser *p, int task,
			    struct stmt *st)
{
	return parse_where(p, task, st);
}

static int parse_task_stmt(struct parser *p, int task,
			   struct stmt *st)
{
	st->task = task;
	switch (st->kind) {
	case ST_MMAP: return parse_mmap(p, task, st);
	case ST_WRITE: return parse_write(p, task, st);
	case ST_READ: return parse_range_only(p, task, st);
	case ST_MUNMAP: return parse_range_only(p, task, st);
	case ST_MPROTECT: return parse_mprotect(p, task, st);
	case ST_MADVISE: return parse_madvise(p, task, st);
	case ST_MREMAP: return parse_var_stmt(p, task, st);
	case ST_FORK: return parse_fork(p, task, st);
	case ST_EXIT: return parse_exit(p, task, st);
	case ST_PIN: return parse_pin(p, task, st);
	case ST_DRIVER: return parse_driver(p, task, st);
	case ST_WHERE: return parse_where_stmt(p, task, st);
	default: return perr(p, p->t[1].col, "internal error");
	}
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

static int parse_unpin(struct parser *p, struct stmt *st)
{
	struct opt o[] = { OPT("dirty", false) };
	struct sym *h = find_handle(p, 1);

	if (!h)
		return -1;
	if (h->hkind == HANDLE_DRIVER)
		return perr(p, p->t[1].col,
			    "handle '%s' belongs to a driver; use 'release'",
			    h->name);
	if (parse_opts(p, 2, o, 1, "unpin"))
		return -1;
	st->dirty = o[0].given;
	st->handle = h->id;
	st->hkind = h->hkind;
	h->live = false;
	h->line = p->line;
	return 0;
}

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
	st->handle = h->id;
	st->hkind = h->hkind;
	h->live = false;
	h->line = p->line;
	return 0;
}

/* dev HANDLE write BYTE [off=SIZE] [len=SIZE] / dev HANDLE read [...] */
static int parse_dev(struct parser *p, struct stmt *st)
{
	struct opt o[] = { OPT("off", true), OPT("len", true) };
	char tb[64], b1[32], b2[32];
	struct sym *h = find_handle(p, 1);
	int next;

	if (!h)
		return -1;
	st->handle = h->id;
	st->hkind = h->hkind;
	if (need_word(p, 2, "'read' or 'write'"))
		return -1;
	if (tok_is(&p->t[2], "write")) {
		st->kind = ST_DEV_WRITE;
		if (need(p, 3, "byte to write") ||
		    parse_byte_tok(p, &p->t[3], &st->byte))
			return -1;
		next = 4;
	} else if (tok_is(&p->t[2], "read")) {
		st->kind = ST_DEV_READ;
		next = 3;
	} else {
		return perr(p, p->t[2].col, "expected 'read' or 'write', got '%s'",
			    TOKS(&p->t[2]));
	}
	if (parse_opts(p, next, o, 2, "dev"))
		return -1;
	if (o[0].given && opt_size(p, &o[0], &st->dev_off))
		return -1;
	if (st->dev_off >= h->size)
		return perr(p, o[0].vcol,
			    "off=%s is past the end of handle '%s' (%s)",
			    fmt_size(st->dev_off, b1, sizeof(b1)), h->name,
			    fmt_size(h->size, b2, sizeof(b2)));
	st->dev_len = h->size - st->dev_off;
	if (o[1].given) {
		st->dev_len_set = true;
		if (opt_size(p, &o[1], &st->dev_len))
			return -1;
		if (!st->dev_len)
			return perr(p, o[1].vcol, "len must not be zero");
		if (st->dev_len > h->size - st->dev_off)
			return perr(p, o[1].vcol,
				    "len=%s at off=%s runs past the end of handle '%s' (%s)",
				    fmt_size(st->dev_len, b1, sizeof(b1)),
				    fmt_size(st->dev_off, b2, sizeof(b2)),
				    h->name, fmt_size(h->size, tb, sizeof(tb)));
	}
	return 0;
}

static int parse_cma_alloc(struct parser *p, struct stmt *st)
{
	char b1[32];
	int c;

	if (need(p, 1, "allocation name") ||
	    new_name(p, &p->cmas, &p->t[1], -1, "cma allocation"))
		return -1;
	if (need_word(p, 2, "size") ||
	    parse_number(p, p->t[2].s, p->t[2].len, p->t[2].col, true, &st->size))
		return -1;
	if (!st->size || st->size % SCN_PAGE_SIZE)
		return perr(p, p->t[2].col,
			    "cma_alloc size %s is not a positive multiple of the page size",
			    fmt_size(st->size, b1, sizeof(b1)));
	if (no_more(p, 3, "the size"))
		return -1;
	c = sym_add(&p->cmas, &p->prog->cma_names, &p->prog->nr_cmas,
		    p->t[1].s, p->t[1].len, -1);
	p->cmas.v[c].line = p->line;
	st->cma = c;
	snprintf(st->name, sizeof(st->name), "%s", p->cmas.v[c].name);
	return 0;
}

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
	st->cma = c;
	return 0;
}

static int parse_stat(struct parser *p, struct stmt *st)
{
	if (need_word(p, 1, "counter name") ||
	    check_name(p, p->t[1].s, p->t[1].len, p->t[1].col))
		return -1;
	memcpy(st->counter, p->t[1].s, p->t[1].len);
	st->counter[p->t[1].len] = 0;
	return no_more(p, 2, "the counter name");
}

static int parse_show(struct parser *p, struct stmt *st)
{
	static const char *const what[] = { "meminfo", "vmstat", "pins", "maps" };
	char tb[64];
	int i, t;

	if (need_word(p, 1, "what to show (meminfo, vmstat, pins or maps TASK)"))
		return -1;
	for (i = 0; i < 4; i++)
		if (tok_is(&p->t[1], what[i]))
			break;
	if (i == 4)
		return perr(p, p->t[1].col,
			    "cannot show '%s' (use meminfo, vmstat, pins or maps TASK)",
			    TOKS(&p->t[1]));
	st->show = i;
	if (st->show != SHOW_MAPS)
		return no_more(p, 2, what[i]);
	if (need_word(p, 2, "task"))
		return -1;
	t = find_task(p, &p->t[2]);
	if (t < 0)
		return -1;
	st->other = t;
	return no_more(p, 3, "the task");
}

static int parse_keyword_stmt(struct parser *p, struct stmt *st)
{
	switch (st->kind) {
	case ST_MACHINE: return parse_machine(p, st);
	case ST_FILE: return parse_file(p, st);
	case ST_TASK: return parse_task(p, st);
	case ST_UNPIN: return parse_unpin(p, st);
	case ST_RELEASE: return parse_release(p, st);
	case ST_DEV_READ: return parse_dev(p, st);
	case ST_CMA_ALLOC: return parse_cma_alloc(p, st);
	case ST_CMA_FREE: return parse_cma_free(p, st);
	case ST_CHECK: return no_more(p, 1, "check");
	case ST_STAT: return parse_stat(p, st);
	case ST_SHOW: return parse_show(p, st);
	default: return perr(p, p->t[0].col, "internal error");
	}
}

/* ---- expectations ---- */

enum {
	A_OK = 1 << RES_OK, A_COUNT = 1 << RES_COUNT, A_SIG = 1 << RES_SIGNAL,
	A_BYTE = 1 << RES_BYTE, A_MIXED = 1 << RES_MIXED,
	A_ZONE = 1 << RES_ZONE,
	A_ALWAYS = (1 << RES_ERRNO) | (1 << RES_SKIP),
};

static unsigned int allowed_results(enum stmt_kind kind)
{
	switch (kind) {
	case ST_WRITE: return A_OK | A_SIG;
	case ST_READ: return A_BYTE | A_MIXED | A_SIG;
	case ST_PIN:
	case ST_DRIVER: return A_OK | A_COUNT;
	case ST_DEV_READ: return A_BYTE | A_MIXED;
	case ST_WHERE: return A_ZONE | A_MIXED;
	case ST_STAT: return A_COUNT;
	default: return A_OK;
	}
}

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
	if (!((allowed_results(st->kind) | A_ALWAYS) & (1u << r->kind)))
		return perr(p, t->col, "'%s' cannot produce %s",
			    stmt_kind_name(st->kind), res_kind_names[r->kind]);
	return 0;
}

/* ---- lines ---- */

static enum stmt_kind keyword_kind(const struct token *t)
{
	static const struct { const char *w; enum stmt_kind k; } kw[] = {
		{ "machine", ST_MACHINE }, { "file", ST_FILE },
		{ "task", ST_TASK }, { "unpin", ST_UNPIN },
		{ "release", ST_RELEASE }, { "dev", ST_DEV_READ },
		{ "cma_alloc", ST_CMA_ALLOC }, { "cma_free", ST_CMA_FREE },
		{ "check", ST_CHECK }, { "stat", ST_STAT }, { "show", ST_SHOW },
	};

	for (size_t i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (tok_is(t, kw[i].w))
			return kw[i].k;
	return NR_STMT_KINDS;
}

static enum stmt_kind verb_kind(const struct token *t)
{
	for (size_t i = 0; i < sizeof(task_verbs) / sizeof(task_verbs[0]); i++)
		if (tok_is(t, task_verbs[i].verb))
			return task_verbs[i].kind;
	return NR_STMT_KINDS;
}

static int parse_statement(struct parser *p, struct stmt *st)
{
	const struct token *t0 = &p->t[0];
	char tb[64];
	int task, ret;

	st->task = st->other = st->var = st->file = st->handle = st->cma = -1;
	if (t0->type != TOK_WORD)
		return perr(p, t0->col, "expected a statement, got '%s'", TOKS(t0));
	st->kind = keyword_kind(t0);
	if (st->kind != NR_STMT_KINDS) {
		ret = parse_keyword_stmt(p, st);
	} else {
		if (p->nt < 2 || verb_kind(&p->t[1]) == NR_STMT_KINDS) {
			if (sym_find(&p->tasks, t0->s, t0->len, -1, true) >= 0) {
				if (p->nt < 2)
					return perr(p, t0->col + (int)t0->len,
						    "missing task statement after '%s'",
						    TOKS(t0));
				return perr(p, p->t[1].col,
					    "unknown task statement '%s'",
					    TOKS(&p->t[1]));
			}
			return perr(p, t0->col, "unknown statement '%s'", TOKS(t0));
		}
		st->kind = verb_kind(&p->t[1]);
		task = find_task(p, t0);
		if (task < 0)
			return -1;
		ret = parse_task_stmt(p, task, st);
	}
	if (ret)
		return ret;
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
	struct parser p = { .filename = filename, .err = err };
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
		free(prog->stmts[i].text);
		free(prog->stmts[i].pairs);
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

int scn_read_file(const char *path, char **bufp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, len = 0;
	char *buf;

	if (!f)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			if (cap >= SCN_FILE_MAX) {
				free(buf);
				fclose(f);
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
		fclose(f);
		return -e;
	}
	fclose(f);
	*bufp = buf;
	*lenp = len;
	return 0;
}
