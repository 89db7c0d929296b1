// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the memory barriers of descriptor rings in coherent DMA memory
 * (rust/src/dma.rs, DescRing). Compiled in only if the Rust object calls them
 * (kbuild/glue.mk defines RKM_GLUE_RING then), so other modules stay as they
 * were. The kernel's barriers are per architecture (a compiler barrier on
 * x86, dmb oshst/oshld on arm64): the glue is where Rust gets the right one.
 */
#ifdef RKM_GLUE_RING

#include <asm/barrier.h>

RKM_LEAF void rkm_ring_dma_wmb(void)
{
	dma_wmb();
}

RKM_LEAF void rkm_ring_dma_rmb(void)
{
	dma_rmb();
}

#endif /* RKM_GLUE_RING */
