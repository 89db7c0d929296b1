// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: implements include/rkm_abi.h on the real kernel API. Compiled by
 * Kbuild into every rkm module, against the target kernel's own headers, as
 * one translation unit so that KBUILD_MODNAME and THIS_MODULE are the module's.
 */
#include <linux/compiler.h>
#ifdef CONFIG_X86
#include <asm/ibt.h>
#else
#define __noendbr
#endif

/*
 * For glue functions that only Rust calls, and only directly: no ENDBR (no
 * indirect call reaches them) and no ftrace entry, so that each costs Rust
 * one call and one jump more than C's inline code, nothing else.
 */
#define RKM_LEAF notrace __noendbr

#include "print.c"
#include "alloc.c"
#include "common.c"
#include "param.c"
#include "sync.c"
#include "file.c"
#include "fileops.c"
#include "device.c"
#include "dma.c"
#include "pci.c"
#include "platform.c"
#include "chrdev.c"
#include "miscattr.c"
#include "workqueue.c"
#include "timer.c"
#include "hrtimer.c"
#include "debugfs.c"
#include "kthread.c"
#include "watchdog.c"
#include "blk.c"
#include "configfs.c"
#include "ring.c"
#include "net.c"
#include "module.c"
