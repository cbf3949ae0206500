// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the scenario lexer and parser (no machine needed): what a
 * correct file turns into, where errors are reported, and that no input
 * crashes the parser.
 */
#include <stdlib.h>

#include "../unit/harness.h"
#include "../../scenario/scenario.h"

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
	ASSERT_EQ(s[0].mem, 256 << 20);
	ASSERT_EQ(s[0].cma_size, 64 << 20);
	ASSERT_EQ(s[2].kind, ST_MMAP);
	ASSERT_EQ(s[2].size, 2 << 20);
	ASSERT_EQ(s[2].place, PLACE_R_CMA);
	ASSERT_EQ(s[2].prot, SCN_PROT_R | SCN_PROT_W);
	ASSERT_FALSE(s[2].shared);
	ASSERT_EQ(s[3].kind, ST_WRITE);
	ASSERT_EQ(s[3].byte, 'x');
	ASSERT_EQ(s[3].range.len, 2 << 20);
	ASSERT_EQ(s[4].expect.kind, RES_ZONE);
	ASSERT_EQ(s[4].expect.value, ZONE_R_CMA);
	ASSERT_EQ(s[5].kind, ST_DRIVER);
	ASSERT_STREQ(scn_driver_names[s[5].driver], "ib_umem");
	ASSERT_EQ(s[5].pin_flags, PIN_WRITE);
	ASSERT_EQ(s[6].expect.value, ZONE_R_NORMAL);
	ASSERT_STREQ(s[6].text, "A where buf");
	ASSERT_EQ(s[7].kind, ST_DEV_READ);
	ASSERT_EQ(s[7].handle, s[5].handle);
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
	ASSERT_EQ(s[1].size, 512 * 4096);
	ASSERT_EQ(s[2].size, 0x3000);
	ASSERT_TRUE(s[2].shared && s[2].populate && s[2].thp_advise);
	ASSERT_EQ(s[2].prot, SCN_PROT_R);
	ASSERT_EQ(s[3].size, 4096);
	ASSERT_EQ(s[3].source, SRC_MEMFD);
	ASSERT_EQ(s[4].size, 1ULL << 30);
	ASSERT_EQ(s[4].source, SRC_HUGETLB);
	ASSERT_EQ(s[5].range.off, 4096);
	ASSERT_EQ(s[5].range.len, 8192);
	ASSERT_EQ(s[5].range.var, s[1].var);
	ASSERT_EQ(s[6].range.off, 0x10);
	ASSERT_EQ(s[6].range.len, 512 * 4096 - 0x10);
	ASSERT_EQ(s[7].range.off, 4096);
	ASSERT_EQ(s[7].range.len, 4096);
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
	ASSERT_EQ(s[2].byte, '\'');
	ASSERT_EQ(s[3].byte, 0xff);
	ASSERT_EQ(s[4].byte, ' ');
	ASSERT_EQ(s[5].expect.value, '#');
	ASSERT_EQ(s[6].expect.kind, RES_BYTE);
	ASSERT_EQ(s[6].expect.value, 0);
	ASSERT_EQ(s[7].expect.kind, RES_SIGNAL);
	ASSERT_EQ(s[8].expect.kind, RES_COUNT);
	ASSERT_EQ(s[8].expect.value, 2);
	ASSERT_EQ(s[9].expect.kind, RES_ERRNO);
	ASSERT_EQ(s[9].expect.value, 22);
	/* a handle name is free again after unpin: a new id */
	ASSERT_NE(s[10].handle, s[8].handle);
	ASSERT_EQ(s[10].hkind, HANDLE_GET);
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
	ASSERT_EQ(s[3].nr_pairs, 2);
	ASSERT_EQ(s[3].pairs[1].parent, s[2].var);
	ASSERT_EQ(s[4].range.var, s[3].pairs[1].child);
	ASSERT_EQ(prog->var_task[s[4].range.var], s[3].other);
	ASSERT_NE(s[6].task, s[3].other);
	ASSERT_EQ(s[7].other, s[0].task);
	ASSERT_EQ(s[7].pin_flags, PIN_WRITE | PIN_LONGTERM | PIN_FORCE);
	ASSERT_EQ(s[7].range.len, 4096);
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
