# SPDX-License-Identifier: GPL-2.0
# rkm: which glue a module compiles in (kbuild/rkm.mk and the DKMS package's
# Kbuild). Glue that makes the module depend on another module (the watchdog
# core, configfs) or on a kernel option (the block layer) is compiled in only
# if the Rust object calls it: PREFIX:MACRO, one unit a word.
rkm-glue-by-need := rkm_watchdog_:RKM_GLUE_WATCHDOG rkm_blk_:RKM_GLUE_BLK rkm_cfs_:RKM_GLUE_CONFIGFS rkm_net_:RKM_GLUE_NET rkm_skb_:RKM_GLUE_NET
filechk_rkm_glue = { undef=$$($(NM) -u $(obj)/$(RKM_NAME)-rust.o); \
	for u in $(rkm-glue-by-need); do \
		printf '%s\n' "$$undef" | grep -q " $${u%%:*}" && echo "\#define $${u\#*:} 1"; \
	done; echo '\#include "$(RKM_DIR)/glue/rkm_glue.c"'; }
