/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_defaults.h: rkm-fuzz's default repetition, per device and pass: the
 * fuzzer's own defaults (tests/fuzz/fuzz.c) and what rkm test shares out
 * over the kernels of a run (run_share() in tools/rkm/vm.c).
 */
#ifndef RKM_FUZZ_DEFAULTS_H
#define RKM_FUZZ_DEFAULTS_H

#define RKM_FUZZ_OPS 50000	/* calls per identity (root, then an unprivileged uid) */
#define RKM_FUZZ_SECONDS 8	/* at most, per pass: a slow device (edu's DMA, a block device) ends there */

#endif
