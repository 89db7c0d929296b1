# SPDX-License-Identifier: GPL-2.0
# rkm: Kbuild fragment for a driver written in Rust with rkm.
#
# A driver directory holds NAME.rs (the crate root; NAME is the directory name
# and the module name) and a one-line Kbuild:
#     include $(src)/<path to rkm>/kbuild/rkm.mk
# then `make -C $KDIR M=$PWD` builds NAME.ko: the rkm glue (C, compiled here
# against this kernel's headers) linked with the driver's Rust object.
# Compiler, rustc and objtool warnings are errors.

RKM_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
RKM_SRC ?= $(src)
RKM_NAME ?= $(notdir $(patsubst %/,%,$(RKM_SRC)))
# The module's name (NAME.ko, KBUILD_MODNAME): the crate's, unless the build
# gives another, RKM_MODULE_NAME=null_blk: the same driver built under the
# name of the C driver it replaces (manifest 'build-as'). The crate root
# stays RKM_NAME.rs and module! still names RKM_NAME.
RKM_MODULE_NAME ?= $(RKM_NAME)
RKM_RUSTC ?= /usr/bin/rustc
RKM_CRATE ?= $(RKM_DIR)/rust
RKM_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/rkm
# The caches of the rkm crate and of the glue (below); rkm bench points
# them at empty directories to time a cold build.
RKM_CRATE_CACHE ?= $(RKM_CACHE)/crates
RKM_GLUE_CACHE ?= $(RKM_CACHE)/glue

include $(RKM_DIR)/kbuild/profile.mk
ifneq ($(rkm-kcfi),)
$(error rkm: this kernel uses clang kCFI (CONFIG_CFI_CLANG), which rkm does not support yet: its Rust objects carry no kCFI type hashes)
endif

# Debian's rustc-web and its own library source; a rustup rustc earlier in
# PATH has neither the matching source nor the same flag set.
rkm-rustc-version := $(shell $(RKM_RUSTC) --version 2>/dev/null)
ifeq ($(rkm-rustc-version),)
$(error rkm: no Rust compiler at $(RKM_RUSTC): apt-get install rustc-web rust-web-src)
endif
RKM_RUST_LIB ?= /usr/src/rustc-$(word 2,$(rkm-rustc-version))/library
ifeq ($(wildcard $(RKM_RUST_LIB)/core/src/lib.rs),)
$(error rkm: no Rust library source for "$(rkm-rustc-version)" in $(RKM_RUST_LIB): apt-get install rust-web-src (same version as rustc-web))
endif

# Code generation for the kernel (see FIELD-NOTES): no red zone, static
# relocations, no unwind tables, plus the mitigations of this kernel's
# profile. x86: the kernel code model, PLT calls for memcpy & co (no
# GOTPCREL). arm64: no floating point or SIMD registers (as the kernel's
# -mgeneral-regs-only), the small code model (the module loader's PLTs
# reach the kernel), no red zone in the target itself.
ifdef CONFIG_ARM64
RKM_RUSTFLAGS := --target aarch64-unknown-none-softfloat -Cpanic=abort \
	-Crelocation-model=static -Cforce-unwind-tables=n \
	-Zfunction-sections=n -Copt-level=2 -Cdebuginfo=0 \
	$(RKM_MITIGATION_FLAGS)
else
RKM_RUSTFLAGS := --target x86_64-unknown-none -Cpanic=abort -Ccode-model=kernel \
	-Crelocation-model=static -Cno-redzone=y -Cforce-unwind-tables=n \
	-Zfunction-sections=n -Zplt=yes -Copt-level=2 -Cdebuginfo=0 \
	$(RKM_MITIGATION_FLAGS)
endif

# Reproducible objects: no checkout path is recorded in them (panic
# locations, __FILE__, debug info; compiler messages keep the real paths).
# rkm's files appear as rkm/..., the driver's as NAME/...; where both match,
# the last map wins (rustc and gcc alike). Not in
# RKM_RUSTFLAGS: core and alloc come from the toolchain's own library source,
# and their cache must not depend on the checkout. `rkm build` gives the same
# maps to the kernel's NAME.mod.c through KCFLAGS (tools/rkm/build.c).
rkm-path-maps := $(RKM_DIR)/=rkm/ $(abspath $(RKM_SRC))/=$(RKM_NAME)/
ccflags-y += $(addprefix -ffile-prefix-map=,$(rkm-path-maps))

# RKM_DEBUG=1: integer overflow checks and debug assertions in the crate and
# the driver (not in core/alloc: these do not change the ABI).
rkm-debug-flags := $(if $(filter 1,$(RKM_DEBUG)),-Coverflow-checks=on -Cdebug-assertions=on)

# core and alloc built with exactly these flags, shared by every driver.
rkm-sysroot := $(RKM_CACHE)/sysroot-$(shell printf '%s' '$(rkm-rustc-version) $(RKM_RUSTFLAGS)' | sha256sum | cut -c1-16)
# -Zemit-stack-sizes: a .stack_sizes section (each function's frame size) for
# rkm-stack-check; it changes no code, and the object loses it before linking.
rkm-rustc = $(RKM_DIR)/kbuild/rustc-kernel $(RKM_RUSTC) $(RKM_RUSTFLAGS) $(rkm-debug-flags) --edition 2021 \
	--sysroot=/dev/null -L $(rkm-sysroot) -Dwarnings -Zemit-stack-sizes \
	$(addprefix --remap-path-prefix=,$(rkm-path-maps)) --remap-path-scope=object

obj-m := $(RKM_MODULE_NAME).o
$(RKM_MODULE_NAME)-y := rkm-glue.o $(RKM_NAME)-rust.o
ccflags-y += -I$(RKM_DIR)/include -I$(RKM_DIR)/glue -Werror
targets += rkm-glue.c rkm-params.c librkm_macros.so librkm.rlib $(RKM_NAME)-rust.a $(RKM_NAME)-rust.o rkm-stack-check

# objtool only warns on stock kernels; make its warnings fail the build.
override objtool := $(RKM_DIR)/kbuild/objtool-strict $(objtree)/tools/objtool/objtool

# The glue is compiled in this module's directory, so KBUILD_MODNAME is right.
include $(RKM_DIR)/kbuild/glue.mk
$(obj)/rkm-glue.c: $(obj)/$(RKM_NAME)-rust.o FORCE
	$(call filechk,rkm_glue)

# What rkm-glue.c holds is decided by the Rust object, so its compile
# cannot start before rustc ends: the longest step of a build in an empty
# directory. It compiles the same for every build of this driver for this
# kernel: kbuild/rkm-cache keeps the object (with the compiler's dependency
# file, for fixdep), keyed by Kbuild's own command, the compiler and the
# content of every file the compile read. objtool, after it, runs on every
# build, as for any object.
$(obj)/rkm-glue.o: private cmd_cc_o_c = $(CONFIG_SHELL) $(RKM_DIR)/kbuild/rkm-cache \
	$(RKM_GLUE_CACHE) $@ '' stat:$(lastword $(CC)) deps:$(depfile) -- \
	$(CC) $(c_flags) -c -o $@ $< $(cmd_ld_single_m) $(cmd_objtool)

$(rkm-sysroot)/liballoc.rlib:
	$(Q)$(CONFIG_SHELL) $(RKM_DIR)/kbuild/sysroot.sh $(rkm-sysroot) \
		"$(RKM_DIR)/kbuild/rustc-kernel $(RKM_RUSTC)" \
		$(RKM_RUST_LIB) $(RKM_CRATE)/compiler_builtins.rs $(RKM_RUSTFLAGS)

# The crate and its macros compile the same for every driver of a kernel
# profile: kbuild/rkm-cache keeps them in RKM_CACHE/crates, keyed by the
# command and the content of the sources. The driver's own path map changes
# nothing in them unless the crate lies inside the driver's directory.
# The crate's sources: three directory levels deep, every one a .rs file (no
# include_str!); a deeper module must be added here, for make and the cache.
rkm-crate-srcs := $(RKM_CRATE)/src/lib.rs $(wildcard $(addprefix $(RKM_CRATE)/src/,*.rs */*.rs */*/*.rs))
rkm-cache = $(CONFIG_SHELL) $(RKM_DIR)/kbuild/rkm-cache $(RKM_CRATE_CACHE) $@ \
	'$(if $(filter $(abspath $(RKM_SRC))/%,$(abspath $(RKM_CRATE))/),,--remap-path-prefix=$(lastword $(rkm-path-maps)))'

# The crate's procedural macros (#[rkm::vtable]) run inside rustc on this
# host: a host library, built with the host's own std, never linked into the
# module. Without MAKEFLAGS and MFLAGS, as in rustc-kernel: a make -j's
# jobserver is not passed to the recipe, and rustc would warn that it
# cannot reach it.
quiet_cmd_rkm_macros = RUSTC   $@
      cmd_rkm_macros = $(rkm-cache) $< stat:$(RKM_RUSTC) -- \
	env -u MAKEFLAGS -u MFLAGS $(RKM_RUSTC) --edition 2021 --crate-type proc-macro \
	--crate-name rkm_macros -Dwarnings -Cstrip=debuginfo -o $@ $<
$(obj)/librkm_macros.so: $(RKM_CRATE)/macros/lib.rs FORCE
	$(call if_changed,rkm_macros)

# RKM_KTEST=1 compiles the crate's in-kernel unit tests (tests/rkm_ktest).
quiet_cmd_rkm_crate = RUSTC   $@
      cmd_rkm_crate = $(rkm-cache) $(rkm-crate-srcs) $(obj)/librkm_macros.so \
	stat:$(rkm-sysroot)/libcore.rlib stat:$(rkm-sysroot)/liballoc.rlib -- \
	$(rkm-rustc) $(if $(filter 1,$(RKM_KTEST)),--cfg rkm_ktest) \
	--check-cfg 'cfg(rkm_ktest)' --crate-type rlib --crate-name rkm \
	--extern rkm_macros=$(obj)/librkm_macros.so -o $@ $<
$(obj)/librkm.rlib: $(rkm-crate-srcs) $(rkm-sysroot)/liballoc.rlib $(obj)/librkm_macros.so FORCE
	$(call if_changed,rkm_crate)

# One object with LTO: only the core/alloc/rkm code the driver uses.
# A driver is safe Rust whatever its source says: -F (forbid) on the command
# line cannot be lowered by #![allow] (E0453), the crate's macros pass
# through #[allow_internal_unsafe], and -Zallow-features admits only the
# feature the crate's macros need here, so a driver cannot enable
# allow_internal_unsafe (or any other feature) for a macro of its own.
quiet_cmd_rkm_driver = RUSTC   $@
      cmd_rkm_driver = RKM_MODNAME=$(RKM_NAME) $(rkm-rustc) --crate-type staticlib \
	-Clto=fat -Ccodegen-units=1 -Funsafe_code -Zallow-features=used_with_arg \
	-Zcrate-attr='feature(used_with_arg)' -L $(obj) --extern rkm=$(obj)/librkm.rlib -o $@ $<
# The crate root's modules (`mod hw;` is NAME's hw.rs) are prerequisites too.
$(obj)/$(RKM_NAME)-rust.a: $(RKM_SRC)/$(RKM_NAME).rs $(wildcard $(RKM_SRC)/*.rs) $(obj)/librkm.rlib FORCE
	$(call if_changed,rkm_driver)

# C has -Wframe-larger-than=$(CONFIG_FRAME_WARN); Rust has no such limit, so
# rkm-stack-check (a host program, built here) reads the frame sizes rustc
# recorded and names every function over this kernel's CONFIG_FRAME_WARN
# (0: no limit), in the crate's objects and in the driver's LTO object. The
# same for every driver: kept in the crate cache too.
quiet_cmd_rkm_hostcc = HOSTCC  $@
      cmd_rkm_hostcc = $(rkm-cache) $< stat:$(HOSTCC) -- \
	$(HOSTCC) $(KBUILD_HOSTCFLAGS) -Wall -Wextra -Werror $(KBUILD_HOSTLDFLAGS) -o $@ $<
$(obj)/rkm-stack-check: $(RKM_DIR)/kbuild/stack-check.c FORCE
	$(call if_changed,rkm_hostcc)

# The staticlib holds the driver's LTO object and an empty compiler_builtins
# object: keep the first. Kbuild runs commands under `set -e`, which a
# failure inside an && list escapes: one command a step, so that any failure
# (a refused parameter descriptor, a frame too large) stops the build, and no
# stale object stays. The frame sizes are checked on the crate's objects and
# on exactly the object that goes into the module. Its parameter declarations
# become rkm-params.c and leave the object with the LLVM bitcode sections and
# .stack_sizes: the object is byte for byte what it is without
# -Zemit-stack-sizes. On kernels that delay objtool to the module link (IBT),
# cmd_objtool is empty here.
quiet_cmd_rkm_object = OBJ     $@
      cmd_rkm_object = rm -f $@; $(AR) p $< $$($(AR) t $< | grep -v '^libcompiler_builtins') > $@.tmp; \
	$(obj)/rkm-stack-check '$(CONFIG_FRAME_WARN)' -n librkm.rlib $(obj)/librkm.rlib -n $(notdir $@) $@.tmp \
		|| { rm -f $@.tmp; exit 1; }; $(rkm-arm64-check) \
	$(CONFIG_SHELL) $(RKM_DIR)/kbuild/rkm-params.sh $(OBJCOPY) $@.tmp $(obj)/rkm-params.c; \
	$(OBJCOPY) -R .llvmbc -R .llvmcmd -R .rkm_params -R .stack_sizes $@.tmp $@; rm -f $@.tmp $(cmd_objtool)
# arm64 has no objtool: kbuild/arm64-check holds the object to the kernel's
# pointer authentication and BTI instead (the same place, on every build).
ifdef CONFIG_ARM64
rkm-arm64-check = $(CONFIG_SHELL) $(RKM_DIR)/kbuild/arm64-check $(READELF) $(OBJDUMP) \
	'$(CONFIG_ARM64_PTR_AUTH_KERNEL)' '$(CONFIG_ARM64_BTI_KERNEL)' $@.tmp || { rm -f $@.tmp; exit 1; };
endif
$(obj)/$(RKM_NAME)-rust.o: $(obj)/$(RKM_NAME)-rust.a $(obj)/rkm-stack-check $(RKM_DIR)/kbuild/rkm-params.sh FORCE
	$(call if_changed,rkm_object)
$(obj)/rkm-params.c: $(obj)/$(RKM_NAME)-rust.o ;
