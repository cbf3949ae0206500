// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the scenario language: every input is parsed and,
 * when it parses, run on the model backend from the first statement to
 * the teardown, exactly as `gupsim run` would run it.
 *
 * The interpreter builds a whole simulated machine per input. Simulated
 * memory is MAP_NORESERVE and the allocator never walks free memory page
 * by page, so a big machine costs what the scenario touches, not its
 * size: memory is fuzzed up to FUZZ_MEM_MAX (1 GiB, like the API fuzzer;
 * a scenario that writes all of a bigger one would only find
 * libFuzzer's RSS limit). CMA and ZONE_MOVABLE are kept to a share of it,
 * the hugetlb pool and the fs-DAX device to a few pages. A scenario
 * without a `machine` statement gets an explicit 64M one instead of the
 * 256M default. Mappings and files keep their sizes: the parser has checked
 * every range against them, and what they cannot get from the small
 * machine (ENOMEM, SIGBUS on a fault) is behaviour worth fuzzing too.
 *
 * Output goes to /dev/null. A run may legitimately end with status 0, 1
 * (an expectation failed) or 3 (the model reports a broken invariant:
 * that is a finding, so it aborts here and libFuzzer saves the input).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../scenario/scenario.h"
#include "../backend/backend.h"

#define FUZZ_MEM_MAX		(1ULL << 30)
#define FUZZ_MEM_DEFAULT	(64ULL << 20)
#define FUZZ_DEVICE_MAX		(8ULL << 20)
#define FUZZ_HUGETLB_MAX	8

static FILE *devnull;

static uint64_t clamp(uint64_t v, uint64_t max)
{
	return v > max ? max : v;
}

/* Keeps a `machine` statement's layout valid but small. */
static void shrink_machine(struct stmt *st)
{
	struct machine_args *a = &st->machine;

	if (!a->mem)
		a->mem = FUZZ_MEM_DEFAULT;
	else if (a->mem > FUZZ_MEM_MAX)
		a->mem = FUZZ_MEM_MAX;
	/*
	 * Leave room for ZONE_NORMAL: a layout the model rejects (-EINVAL)
	 * only ends the run early, which tells the fuzzer nothing.
	 */
	a->cma = clamp(a->cma, a->mem / 4);
	a->movable = clamp(a->movable, a->mem / 4);
	a->hugetlb = clamp(a->hugetlb, FUZZ_HUGETLB_MAX);
	/* the `device=` extension; 0 is the model's 64M */
	a->device = a->device ? clamp(a->device, FUZZ_DEVICE_MAX) :
		    FUZZ_DEVICE_MAX;
}

/*
 * Puts an explicit small `machine` first when the scenario has none. The
 * statement text is heap memory because scn_free() frees every text.
 */
static int add_machine(struct program *prog)
{
	struct stmt *stmts = calloc(prog->nr_stmts + 1, sizeof(*stmts));
	struct stmt *st = &stmts[0];

	if (!stmts)
		return -1;
	st->text = strdup("machine");
	if (!st->text) {
		free(stmts);
		return -1;
	}
	st->kind = ST_MACHINE;
	st->task = -1;
	memcpy(stmts + 1, prog->stmts, prog->nr_stmts * sizeof(*stmts));
	free(prog->stmts);
	prog->stmts = stmts;
	prog->nr_stmts++;
	prog->has_machine = true;
	return 0;
}

/* Bounds what an input may ask of the machine and of the files. */
static void shrink(struct program *prog)
{
	for (int i = 0; i < prog->nr_stmts; i++) {
		struct stmt *st = &prog->stmts[i];

		if (st->kind == ST_MACHINE)
			shrink_machine(st);
		/* `show map FILE` may name any file: draw into /dev/null */
		if (st->kind == ST_SHOW && st->show.path) {
			free(st->show.path);
			st->show.path = strdup("/dev/null");
		}
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	devnull = fopen("/dev/null", "w");
	if (!devnull) {
		perror("/dev/null");
		exit(1);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_options opts = { .backend = &model_backend_ops };
	struct scn_error err;
	struct program *prog;
	int status;

	prog = scn_parse("fuzz.scn", (const char *)data, size, &err);
	if (!prog) {
		/* The error report must cope with any bytes, too. */
		scn_print_error(devnull, "fuzz.scn", (const char *)data, size,
				&err);
		return 0;
	}
	if (!prog->has_machine && add_machine(prog)) {
		scn_free(prog);
		return 0;
	}
	shrink(prog);
	status = scn_run(prog, &opts, devnull, devnull);
	scn_free(prog);
	if (status == 3) {
		fprintf(stderr, "fuzz: the model broke an invariant or leaked (exit 3)\n");
		abort();
	}
	if (status != 0 && status != 1) {
		fprintf(stderr, "fuzz: unexpected run status %d\n", status);
		abort();
	}
	return 0;
}
