/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one door into the model's internals for tests that peek into it
 * (tests/unit/, tests/stress/): struct page and folio state, page tables,
 * VMAs, the allocator and the invariant checker's helpers. Programs that only use
 * the model (drivers, the scenario backends, the command) include
 * <gupsim/...> headers instead; no file outside mm/ includes any other
 * mm/ header.
 */
#ifndef GUPSIM_MM_TESTING_H
#define GUPSIM_MM_TESTING_H

#include "internal.h"

#endif /* GUPSIM_MM_TESTING_H */
