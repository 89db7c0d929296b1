# SPDX-License-Identifier: GPL-2.0
# rkm: the kernel's mitigation configuration -> a profile name and rustc flags.
#
# Included by rkm.mk inside Kbuild (CONFIG_* already set), or run on its own to
# print a kernel's profile:  make -s -f profile.mk KCONFIG=<kdir>/include/config/auto.conf
# This is the only place that maps kernel configuration to Rust code generation,
# mirroring what arch/x86/Makefile and arch/arm64/Makefile do for the
# kernel's own C and Rust code.

ifdef KCONFIG
include $(KCONFIG)
endif
comma := ,
space := $(subst ,, )

# 6.1 names the options CONFIG_RETPOLINE/RETHUNK/SLS; 6.9 renamed them
# CONFIG_MITIGATION_* (commit "x86/bugs: Rename CONFIG_RETPOLINE => CONFIG_MITIGATION_RETPOLINE").
rkm-ibt       := $(CONFIG_X86_KERNEL_IBT)
rkm-retpoline := $(or $(CONFIG_MITIGATION_RETPOLINE),$(CONFIG_RETPOLINE))
rkm-rethunk   := $(or $(CONFIG_MITIGATION_RETHUNK),$(CONFIG_RETHUNK))
rkm-sls       := $(or $(CONFIG_MITIGATION_SLS),$(CONFIG_SLS))
rkm-padding   := $(if $(CONFIG_CALL_PADDING),$(CONFIG_FUNCTION_PADDING_BYTES))
# Generic KASAN (the debug kernel): instrument the Rust code as the kernel's
# scripts/Makefile.kasan does for its own C and Rust. Inline checks, as
# CONFIG_KASAN_INLINE; the stack only with CONFIG_KASAN_STACK.
rkm-kasan     := $(CONFIG_KASAN_GENERIC)
# Clang kCFI (and FineIBT on top of it): every indirect call checks a type
# hash placed before its target. rkm cannot give its Rust objects those hashes
# yet, so such a kernel is refused (rkm.mk at build, rkm-check.sh at DKMS
# install), not silently served by objects that opt out of the checks. Newer
# kernels name the option CONFIG_CFI.
rkm-kcfi      := $(or $(CONFIG_CFI_CLANG),$(CONFIG_CFI))
# arm64: return addresses signed (pointer authentication; the kernel signs
# leaf functions too on 6.1, not on 6.12: Rust signs them on both, which
# either kernel runs, so one object serves both), BTI landing pads (only
# with CONFIG_ARM64_BTI_KERNEL, which GCC-built kernels cannot have), and
# the shadow call stack in x18.
rkm-pac       := $(CONFIG_ARM64_PTR_AUTH_KERNEL)
rkm-bti       := $(CONFIG_ARM64_BTI_KERNEL)
rkm-scs       := $(CONFIG_SHADOW_CALL_STACK)

# RKM_NO_MITIGATIONS=1 drops them all: only for the negative test that proves
# objtool rejects such an object.
ifeq ($(RKM_NO_MITIGATIONS),1)
rkm-ibt :=
rkm-retpoline :=
rkm-rethunk :=
rkm-sls :=
rkm-padding :=
rkm-kasan :=
rkm-pac :=
rkm-bti :=
rkm-scs :=
endif

RKM_PROFILE := $(strip $(if $(rkm-ibt),ibt) $(if $(rkm-retpoline),retpoline) \
	$(if $(rkm-rethunk),rethunk) $(if $(rkm-sls),sls) \
	$(if $(rkm-padding),padding$(rkm-padding)) $(if $(rkm-kasan),kasan) $(if $(rkm-kcfi),kcfi) \
	$(if $(rkm-bti),bti) $(if $(rkm-pac),pac) $(if $(rkm-scs),scs))
RKM_PROFILE := $(or $(RKM_PROFILE),none)

RKM_MITIGATION_FLAGS := \
	$(if $(rkm-ibt),-Zcf-protection=branch -Cjump-tables=n) \
	$(if $(rkm-retpoline),-Zretpoline-external-thunk -Zindirect-branch-cs-prefix) \
	$(if $(rkm-rethunk),-Zfunction-return=thunk-extern) \
	$(if $(rkm-sls),-Ctarget-feature=+harden-sls-ijmp$(comma)+harden-sls-ret) \
	$(if $(rkm-padding),-Zpatchable-function-entry=$(rkm-padding)$(comma)$(rkm-padding)) \
	$(if $(rkm-bti)$(rkm-pac),-Zbranch-protection=$(subst $(space),$(comma),$(strip \
		$(if $(rkm-bti),bti) $(if $(rkm-pac),pac-ret leaf)))) \
	$(if $(rkm-scs),-Zfixed-x18 -Zsanitizer=shadow-call-stack) \
	$(if $(rkm-kasan),-Zsanitizer=kernel-address -Zsanitizer-recover=kernel-address \
		-Cllvm-args=-asan-mapping-offset=$(CONFIG_KASAN_SHADOW_OFFSET) \
		-Cllvm-args=-asan-instrumentation-with-call-threshold=$(if $(CONFIG_KASAN_INLINE),10000,0) \
		-Cllvm-args=-asan-stack=$(if $(CONFIG_KASAN_STACK),1,0) \
		-Cllvm-args=-asan-globals=1 -Cllvm-args=-asan-kernel-mem-intrinsic-prefix=1)

ifdef KCONFIG
.PHONY: print-profile print-flags
print-profile:
	@echo '$(RKM_PROFILE)'
print-flags:
	@echo '$(strip $(RKM_MITIGATION_FLAGS))'
endif
