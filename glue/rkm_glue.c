// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: implements include/rkm_abi.h on the real kernel API. Compiled by
 * Kbuild into every rkm module, against the target kernel's own headers, as
 * one translation unit so that KBUILD_MODNAME and THIS_MODULE are the module's.
 */
#include "print.c"
#include "alloc.c"
#include "param.c"
#include "sync.c"
#include "file.c"
#include "module.c"
