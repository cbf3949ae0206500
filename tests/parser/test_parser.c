// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scenario lexer and parser (no machine needed): what a
 * correct file turns into, where errors are reported, and that no input
 * crashes the parser.
 */
#include <malloc.h>
#include <stdarg.h>
#include <stdlib.h>

#include "../unit/harness.h"
#include "../../scenario/scenario.h"
#include "../../backend/backend.h"

static struct program *parse(const char *text, struct scn_error *err)
{
	return scn_parse("t.scn", text, strlen(text), err);
}

/* Parses text that must be wrong; returns the error. */
static struct scn_error parse_bad(const char *text)
{
	struct scn_error err;
	struct program *prog = parse(text, &err);

	if (prog) {
		scn_free(prog);
		harness_fail(__FILE__, __LINE__, "parsed: %s", text);
	}
	return err;
}

static const char example[] =
	"# A buffer that lives in CMA is registered for RDMA.\n"
	"machine mem=256M cma=64M\n"
	"task A\n"
	"A mmap buf 2M anon place=cma\n"
	"A write buf 'x'\n"
	"A where buf                   => cma\n"
	"A driver ib_umem mr buf write => ok\n"
	"A where buf                   => normal   # moved out of CMA\n"
	"dev mr read                   => 'x'\n"
	"cma_alloc big 64M             => ok       # nothing pinned is left\n";

TEST_NO_MACHINE(contract_example)
{
	struct scn_error err;
	struct program *prog = parse(example, &err);
	struct stmt *s;

	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->nr_stmts, 9);
	ASSERT_TRUE(prog->has_machine);
	s = prog->stmts;
	ASSERT_EQ(s[0].kind, ST_MACHINE);
	ASSERT_EQ(s[0].machine.mem, 256 << 20);
	ASSERT_EQ(s[0].machine.cma, 64 << 20);
	ASSERT_EQ(s[2].kind, ST_MMAP);
	ASSERT_EQ(s[2].mmap.size, 2 << 20);
	ASSERT_EQ(s[2].mmap.place, PLACE_R_CMA);
	ASSERT_EQ(s[2].mmap.prot, SCN_PROT_R | SCN_PROT_W);
	ASSERT_FALSE(s[2].mmap.shared);
	ASSERT_EQ(s[3].kind, ST_WRITE);
	ASSERT_EQ(s[3].write.byte, 'x');
	ASSERT_EQ(s[3].write.range.len, 2 << 20);
	ASSERT_EQ(s[4].expect.kind, RES_ZONE);
	ASSERT_EQ(s[4].expect.value, ZONE_R_CMA);
	ASSERT_EQ(s[5].kind, ST_DRIVER);
	ASSERT_STREQ(scn_driver_names[s[5].driver.driver], "ib_umem");
	ASSERT_TRUE(s[5].driver.write);
	ASSERT_EQ(s[6].expect.value, ZONE_R_NORMAL);
	ASSERT_STREQ(s[6].text, "A where buf");
	ASSERT_EQ(s[7].kind, ST_DEV_READ);
	ASSERT_EQ(s[7].dev_read.handle, s[5].driver.handle);
	ASSERT_EQ(s[7].expect.kind, RES_BYTE);
	ASSERT_EQ(s[7].expect.value, 'x');
	ASSERT_EQ(s[8].kind, ST_CMA_ALLOC);
	ASSERT_EQ(s[8].line, 10);
	scn_free(prog);
}

TEST_NO_MACHINE(sizes_and_ranges)
{
	struct scn_error err;
	struct program *prog = parse(
		"task A\n"
		"A mmap a 512P anon\n"
		"A mmap b 0x3000 anon shared prot=r populate thp\n"
		"A mmap c 4096 memfd\n"
		"A mmap d 1G hugetlb\n"
		"A read a+4K len=8K\n"
		"A read a+0x10\n"
		"A munmap b+1P len=1P\n", &err);
	struct stmt *s;

	ASSERT_NOT_NULL(prog);
	s = prog->stmts;
	ASSERT_EQ(s[1].mmap.size, 512 * 4096);
	ASSERT_EQ(s[2].mmap.size, 0x3000);
	ASSERT_TRUE(s[2].mmap.shared && s[2].mmap.populate && s[2].mmap.thp_advise);
	ASSERT_EQ(s[2].mmap.prot, SCN_PROT_R);
	ASSERT_EQ(s[3].mmap.size, 4096);
	ASSERT_EQ(s[3].mmap.source, SRC_MEMFD);
	ASSERT_EQ(s[4].mmap.size, 1ULL << 30);
	ASSERT_EQ(s[4].mmap.source, SRC_HUGETLB);
	ASSERT_EQ(s[5].read.range.off, 4096);
	ASSERT_EQ(s[5].read.range.len, 8192);
	ASSERT_EQ(s[5].read.range.var, s[1].mmap.var);
	ASSERT_EQ(s[6].read.range.off, 0x10);
	ASSERT_EQ(s[6].read.range.len, 512 * 4096 - 0x10);
	ASSERT_EQ(s[7].munmap.range.off, 4096);
	ASSERT_EQ(s[7].munmap.range.len, 4096);
	scn_free(prog);
}

TEST_NO_MACHINE(bytes_and_results)
{
	struct scn_error err;
	struct program *prog = parse(
		"task A\n"
		"A mmap a 8K anon\n"
		"A write a '\\''\n"
		"A write a 0xff\n"
		"A write a ' '\n"
		"A read a => '#'   # a quoted hash is no comment\n"
		"A read a => 0x00\n"
		"A read a => SIGSEGV\n"
		"A pin h a => 2\n"
		"unpin h => EINVAL\n"
		"A pin h a get=>ok\n"
		"stat nr_foll_pin_acquired => 2\n"
		"A where a => mixed\n", &err);
	struct stmt *s;

	ASSERT_NOT_NULL(prog);
	s = prog->stmts;
	ASSERT_EQ(s[2].write.byte, '\'');
	ASSERT_EQ(s[3].write.byte, 0xff);
	ASSERT_EQ(s[4].write.byte, ' ');
	ASSERT_EQ(s[5].expect.value, '#');
	ASSERT_EQ(s[6].expect.kind, RES_BYTE);
	ASSERT_EQ(s[6].expect.value, 0);
	ASSERT_EQ(s[7].expect.kind, RES_SIGNAL);
	ASSERT_EQ(s[8].expect.kind, RES_COUNT);
	ASSERT_EQ(s[8].expect.value, 2);
	ASSERT_EQ(s[9].expect.kind, RES_ERRNO);
	ASSERT_EQ(s[9].expect.value, 22);
	/* a handle name is free again after unpin: a new id */
	ASSERT_NE(s[10].pin.handle, s[8].pin.handle);
	ASSERT_EQ(s[10].pin.hkind, HANDLE_GET);
	ASSERT_EQ(s[12].expect.kind, RES_MIXED);
	scn_free(prog);
}

TEST_NO_MACHINE(fork_copies_names_and_exit_frees_them)
{
	struct scn_error err;
	struct program *prog = parse(
		"task A\n"
		"A mmap a 8K anon\n"
		"A mmap b 8K anon\n"
		"A fork B\n"
		"B write b 'c'\n"
		"B exit\n"
		"task B\n"
		"A pin h a+4K mm=A write longterm force\n", &err);
	struct stmt *s;

	ASSERT_NOT_NULL(prog);
	s = prog->stmts;
	ASSERT_EQ(s[3].fork.nr_pairs, 2);
	ASSERT_EQ(s[3].fork.pairs[1].parent, s[2].mmap.var);
	ASSERT_EQ(s[4].write.range.var, s[3].fork.pairs[1].child);
	ASSERT_EQ(prog->var_task[s[4].write.range.var], s[3].fork.child);
	ASSERT_NE(s[6].task, s[3].fork.child);
	ASSERT_EQ(s[7].pin.mm, s[0].task);
	ASSERT_EQ(s[7].pin.flags, PIN_WRITE | PIN_LONGTERM | PIN_FORCE);
	ASSERT_EQ(s[7].pin.range.len, 4096);
	scn_free(prog);
	/* B's mappings died with it */
	parse_bad("task A\nA mmap a 8K anon\nA fork B\nB exit\ntask B\nB read a\n");
}

TEST_NO_MACHINE(error_positions)
{
	struct scn_error e;

	e = parse_bad("task A\n\n  A mmap buf 2Q anon\n");
	ASSERT_EQ(e.line, 3);
	ASSERT_EQ(e.col, 15);
	ASSERT_STREQ(e.msg, "invalid size suffix 'Q' (use K, M, G or P)");
	e = parse_bad("task A\r\nA mmap b 4K anon\r\nA read b+4K\r\n");
	ASSERT_EQ(e.line, 3);
	ASSERT_EQ(e.col, 10);
	e = parse_bad("task A\nA mmap b 4K anon => \n");
	ASSERT_STREQ(e.msg, "missing result after '=>'");
	e = parse_bad("task A\nA mmap b 99999999999999999999K anon\n");
	ASSERT_STREQ(e.msg, "size '99999999999999999999K' is too large");
	e = parse_bad("task A\nA mmap b 0x4000000000000000K anon\n");
	ASSERT_STREQ(e.msg, "size '0x4000000000000000K' is too large");
	e = parse_bad("");
	ASSERT_EQ(e.line, 1);
	e = parse_bad("task A\nA mmap b 8K anon\nA write b 'x\n");
	ASSERT_STREQ(e.msg, "unterminated quote");
	ASSERT_EQ(e.col, 11);
}

TEST_NO_MACHINE(caret_line)
{
	const char *text = "task A\n\tA mmap b 2Q anon\n";
	struct scn_error err;
	char *out = NULL;
	size_t size;
	FILE *f;

	ASSERT_NULL(parse(text, &err));
	f = open_memstream(&out, &size);
	scn_print_error(f, "t.scn", text, strlen(text), &err);
	fclose(f);
	ASSERT_STREQ(out, "t.scn:2:12: error: invalid size suffix 'Q' (use K, M, G or P)\n"
			  "    \tA mmap b 2Q anon\n"
			  "    \t          ^\n");
	free(out);
}

TEST_NO_MACHINE(matching)
{
	struct result full = { .kind = RES_OK, .has_count = true, .count = 4 };
	struct result four = { .kind = RES_COUNT, .value = 4 };
	struct result three = { .kind = RES_COUNT, .value = 3 };
	struct result ok = { .kind = RES_OK };
	struct result eb = { .kind = RES_ERRNO, .value = 16 };
	char buf[32];

	ASSERT_TRUE(result_matches(&four, &full));
	ASSERT_FALSE(result_matches(&three, &full));
	ASSERT_TRUE(result_matches(&ok, &full));
	ASSERT_FALSE(result_matches(&ok, &three));
	ASSERT_FALSE(result_matches(&eb, &ok));
	result_format(&eb, buf, sizeof(buf));
	ASSERT_STREQ(buf, "EBUSY");
	ASSERT_EQ(errno_from_name("EOPNOTSUPP", 10), 95);
}

/* Random bytes and mutations of a good file: errors, never a crash. */
TEST_NO_MACHINE(garbage_never_crashes)
{
	static const char alphabet[] = "ABab_09+=>'#\\ \t\n\r\x00\xff:xKMGP";
	size_t base = strlen(example);
	char buf[2048];
	unsigned int seed = 12345;

	for (int round = 0; round < 20000; round++) {
		struct scn_error err;
		struct program *prog;
		size_t len;

		if (round & 1) {
			len = rand_r(&seed) % sizeof(buf);
			for (size_t i = 0; i < len; i++)
				buf[i] = rand_r(&seed) & 1 ?
					(char)rand_r(&seed) :
					alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		} else {
			len = base;
			memcpy(buf, example, len);
			for (int k = 0; k < 3; k++)
				buf[rand_r(&seed) % len] =
					alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		}
		prog = scn_parse("g.scn", buf, len, &err);
		if (!prog) {
			FILE *f = fopen("/dev/null", "w");

			ASSERT_GT(err.line, 0);
			ASSERT_GT(err.col, 0);
			scn_print_error(f, "g.scn", buf, len, &err);
			fclose(f);
		}
		scn_free(prog);
	}
}

/* Appends printf output to a growing heap string. */
static void cat(char **buf, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void cat(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*buf = realloc(*buf, *len + n + 1);
	va_start(ap, fmt);
	vsnprintf(*buf + *len, n + 1, fmt, ap);
	va_end(ap);
	*len += n;
}

/*
 * A fork that adds the 17th, 33rd, ... task grows the task table while the
 * parent's entry is in use. Freed memory is scribbled over (M_PERTURB) so
 * that reading it gives wrong answers in the plain build too.
 */
TEST_NO_MACHINE(fork_grows_the_task_table)
{
	struct scn_error err;
	struct program *prog;
	char *text = NULL;
	size_t len = 0;

	mallopt(M_PERTURB, 0xa5);
	cat(&text, &len, "task T0\nT0 mmap a 4K anon\nT0 mmap b 4K anon\n");
	for (int i = 1; i < 70; i++)
		cat(&text, &len, "T%d fork T%d\nT%d write b 'x'\n", i - 1, i, i);
	prog = parse(text, &err);
	mallopt(M_PERTURB, 0);
	if (!prog)
		harness_fail(__FILE__, __LINE__, "line %d:%d: %s", err.line,
			     err.col, err.msg);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->nr_tasks, 70);
	ASSERT_EQ(prog->nr_vars, 140);
	scn_free(prog);
	free(text);
}

/* Every table grows past its first allocation: names keep resolving. */
TEST_NO_MACHINE(many_names_of_every_kind)
{
	struct scn_error err;
	struct program *prog;
	char *text = NULL;
	size_t len = 0;

	mallopt(M_PERTURB, 0xa5);
	for (int i = 0; i < 100; i++)
		cat(&text, &len, "task T%d\nfile f%d fs=tmpfs\nT%d mmap m%d 4K file:f%d\n"
			"T%d pin h%d m%d\nT%d driver io_uring d%d m%d\ncma_alloc c%d 4K\n",
			i, i, i, i, i, i, i, i, i, i, i, i);
	for (int i = 0; i < 100; i++)
		cat(&text, &len, "unpin h%d\nrelease d%d\ncma_free c%d\nT%d exit\n",
		    i, i, i, i);
	prog = parse(text, &err);
	mallopt(M_PERTURB, 0);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->nr_handles, 200);
	ASSERT_EQ(prog->nr_files, 100);
	scn_free(prog);
	free(text);
}

/* exit ends the task's driver registrations; pin handles stay. */
TEST_NO_MACHINE(exit_ends_driver_handles)
{
	struct scn_error e;
	struct program *prog;
	const char *head = "task A\ntask B\nA mmap b 8K anon\nB mmap c 8K anon\n"
			   "A driver io_uring d b\nA pin p b\nA exit\n";
	char text[512];

	snprintf(text, sizeof(text), "%srelease d\n", head);
	e = parse_bad(text);
	ASSERT_EQ(e.line, 8);
	ASSERT_EQ(e.col, 9);
	ASSERT_STREQ(e.msg, "handle 'd' no longer exists (gone at line 7)");
	snprintf(text, sizeof(text), "%sdev d read\n", head);
	e = parse_bad(text);
	ASSERT_EQ(e.col, 5);
	/* the name is free again, and the pin handle is still there */
	snprintf(text, sizeof(text), "%sB driver vfio d c\nrelease d\nunpin p\n",
		 head);
	prog = parse(text, &e);
	ASSERT_NOT_NULL(prog);
	scn_free(prog);
}

/* A conflict is reported at the option that made it: the later one. */
TEST_NO_MACHINE(conflicts_point_at_the_later_option)
{
	struct scn_error e;

	e = parse_bad("task A\nA mmap b 8K anon private shared\n");
	ASSERT_EQ(e.col, 26);
	e = parse_bad("task A\nA mmap b 8K anon shared private\n");
	ASSERT_EQ(e.col, 25);
	ASSERT_STREQ(e.msg, "'private' and 'shared' conflict");
	e = parse_bad("task A\ntask B\nB mmap b 8K anon\nA pin h b fast mm=B\n");
	ASSERT_EQ(e.col, 16);
	e = parse_bad("task A\ntask B\nB mmap b 8K anon\nA pin h b mm=B fast\n");
	ASSERT_EQ(e.col, 16);
}

/*
 * driver ... mm=OTHER: RANGE names OTHER's mapping, the registration is
 * OTHER's (its exit ends it); only vfio takes mm=.
 */
TEST_NO_MACHINE(driver_mm_names_the_owner)
{
	static const char head[] = "task A\ntask B\nB mmap b 8K anon\n";
	struct program *prog;
	struct scn_error e;
	char text[256];

	snprintf(text, sizeof(text), "%sA driver vfio d b write mm=B\n", head);
	prog = parse(text, &e);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[3].task, 0);
	ASSERT_EQ(prog->stmts[3].driver.mm, 1);
	ASSERT_EQ(prog->stmts[3].driver.range.var, 0);
	ASSERT_TRUE(prog->stmts[3].driver.write);
	scn_free(prog);
	/* the owner's exit ends it; the pinning task's does not */
	snprintf(text, sizeof(text), "%sA driver vfio d b mm=B\nA exit\nrelease d\n",
		 head);
	prog = parse(text, &e);
	ASSERT_NOT_NULL(prog);
	scn_free(prog);
	snprintf(text, sizeof(text), "%sA driver vfio d b mm=B\nB exit\nrelease d\n",
		 head);
	e = parse_bad(text);
	ASSERT_EQ(e.line, 6);
	/* without mm=, a plain registration of A's own mapping */
	prog = parse("task A\nA mmap a 8K anon\nA driver vfio d a\n", &e);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[2].driver.mm, -1);
	scn_free(prog);
	snprintf(text, sizeof(text), "%sA driver ib_umem d b mm=B\n", head);
	e = parse_bad(text);
	ASSERT_EQ(e.line, 4);
	ASSERT_EQ(e.col, 22);
	ASSERT_STREQ(e.msg, "driver ib_umem pins only current's memory: 'mm=' is for vfio");
}

/* Runs text on the model backend; returns the exit status and stderr. */
static int run_text(const char *text, char *errbuf, size_t errlen)
{
	struct run_options opts = { .quiet = true,
				    .backend = &model_backend_ops };
	struct scn_error err;
	struct program *prog = parse(text, &err);
	FILE *out = fopen("/dev/null", "w"), *ef = fmemopen(errbuf, errlen, "w");
	int status;

	if (!prog)
		return -1;
	status = scn_run(prog, &opts, out, ef);
	fclose(out);
	fclose(ef);
	scn_free(prog);
	return status;
}

/* A run that stops before its end fails, and says what did not run. */
TEST_NO_MACHINE(run_without_machine_fails)
{
	char err[1024] = "";

	ASSERT_EQ(run_text("machine mem=4K\ntask A => ok\ntask B => ok\n",
			   err, sizeof(err)), 1);
	ASSERT_TRUE(strstr(err, "2 expectations did not run") != NULL);
	memset(err, 0, sizeof(err));
	ASSERT_EQ(run_text("machine hugetlb=100000\ntask A\nA mmap b 4K anon => ok\n",
			   err, sizeof(err)), 1);
	ASSERT_TRUE(strstr(err, "1 expectation did not run") != NULL);
	/* a machine that was expected to fail, with nothing after it */
	ASSERT_EQ(run_text("machine mem=4K => EINVAL\n", err, sizeof(err)), 0);
}

/* A backend answers only what it has an operation for. */
static struct result only_machine(struct backend *be, const struct stmt *st)
{
	(void)be;
	(void)st;
	return res_ok();
}

static int nothing_to_open(struct backend *be, char *buf, size_t len)
{
	(void)be;
	(void)buf;
	(void)len;
	return 0;
}

static const struct backend_ops machine_only_ops = {
	.name = "machine-only",
	.open = nothing_to_open,
	.close = nothing_to_open,
	.op = { [ST_MACHINE] = only_machine },
};

/* A kind a backend has no operation for is skipped, never a failure. */
TEST_NO_MACHINE(missing_operation_answers_skip)
{
	struct run_options opts = { .json = true,
				    .backend = &machine_only_ops };
	struct scn_error err;
	struct program *prog = parse("task A => ok\nA mmap b 4K anon => EBUSY\n"
				     "A mlock b => ok\n", &err);
	char *out = NULL;
	size_t size;
	FILE *f = open_memstream(&out, &size), *ef = fopen("/dev/null", "w");

	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(scn_run(prog, &opts, f, ef), 0);
	fclose(f);
	fclose(ef);
	ASSERT_TRUE(strstr(out, "\"statement\":\"A mlock b\",\"result\":\"skip\"") != NULL);
	ASSERT_TRUE(strstr(out, "\"failed\":0") != NULL);
	free(out);
	scn_free(prog);
}

TEST_NO_MACHINE(thp_sizes_lists_anonymous_thp_sizes)
{
	struct scn_error e;
	struct program *prog;

	prog = parse("machine thp_sizes=16K,2M,64K\n", &e);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[0].machine.thp_orders,
		  (1u << 2) | (1u << 4) | (1u << 9));
	scn_free(prog);
	prog = parse("machine\n", &e);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[0].machine.thp_orders, 0);	/* 2M */
	scn_free(prog);
	/* 8 kB is no anonymous THP size: an order-1 folio cannot be one */
	e = parse_bad("machine swap=4M thp_sizes=64K,8K\n");
	ASSERT_EQ(e.col, 31);
	ASSERT_STREQ(e.msg, "thp_sizes: 8K is no anonymous THP size "
		     "(a power of two from 16K to 2M)");
	e = parse_bad("machine thp_sizes=96K\n");
	ASSERT_EQ(e.col, 19);
	e = parse_bad("machine thp_sizes=4M\n");
	ASSERT_EQ(e.col, 19);
	e = parse_bad("machine thp_sizes=32K,32K\n");
	ASSERT_STREQ(e.msg, "thp_sizes: 32K given twice");
	ASSERT_EQ(e.col, 23);
	e = parse_bad("machine thp_sizes=32K,\n");
	ASSERT_STREQ(e.msg, "missing size");
}

TEST_NO_MACHINE(hugetlb_pools_and_page_sizes)
{
	struct scn_error e;
	struct program *prog;

	prog = parse("machine mem=4G hugetlb=2M:3,1G:2\n"
		     "file f fs=hugetlbfs size=1G pagesize=1G\n"
		     "task T\nT mmap m 1G hugetlb pagesize=1G\n", &e);
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[0].machine.hugetlb, 3);
	ASSERT_EQ(prog->stmts[0].machine.hugetlb_1g, 2);
	ASSERT_EQ(prog->stmts[1].file.pagesize, 1UL << 30);
	ASSERT_EQ(prog->stmts[3].mmap.pagesize, 1UL << 30);
	scn_free(prog);
	prog = parse("machine hugetlb=4\n", &e);	/* N alone: 2 MiB */
	ASSERT_NOT_NULL(prog);
	ASSERT_EQ(prog->stmts[0].machine.hugetlb, 4);
	ASSERT_EQ(prog->stmts[0].machine.hugetlb_1g, 0);
	scn_free(prog);
	e = parse_bad("machine hugetlb=2M:1,4M:1\n");
	ASSERT_STREQ(e.msg, "4M is no hugetlb page size (2M or 1G)");
	ASSERT_EQ(e.col, 22);
	e = parse_bad("machine hugetlb=2M:1,1G\n");
	ASSERT_STREQ(e.msg, "hugetlb=: expected SIZE:N, e.g. 1G:2");
	e = parse_bad("file f fs=memfd pagesize=1G\n");
	ASSERT_STREQ(e.msg, "pagesize= is for fs=hugetlbfs only");
	e = parse_bad("task T\nT mmap m 1G anon pagesize=1G\n");
	ASSERT_STREQ(e.msg, "pagesize= is for the hugetlb source only");
	ASSERT_EQ(e.col, 18);
}
