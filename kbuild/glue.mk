# SPDX-License-Identifier: GPL-2.0
# rkm: which glue a module compiles in (kbuild/rkm.mk and the DKMS package's
# Kbuild). Every module gets the core (print, alloc, common, param, sync,
# module); a unit, FILE:NAME (glue/FILE.c, compiled under RKM_GLUE_NAME),
# only if the Rust object calls a function that glue/FILE.c defines. So a
# driver without PCI carries no PCI glue, and one without configfs or a
# watchdog does not depend on configfs.ko or watchdog.ko. The units of one
# NAME call each other; NEED:NAME pairs give a unit the others it calls
# (one level of pairs deep: listed twice to follow a chain of two).
# The module's parameters, rkm-params.c (written from the Rust object), are
# compiled in the same translation unit: the kernel's headers parsed once.
rkm-glue-units := device:DEVICE dma:DEVICE pci:DEVICE platform:PLATFORM \
	file:MISC fileops:MISC miscattr:MISC chrdev:CHRDEV debugfs:DEBUGFS \
	workqueue:SERVICES timer:SERVICES hrtimer:SERVICES kthread:SERVICES \
	watchdog:WATCHDOG blk:BLK configfs:CONFIGFS ring:RING net:NET
rkm-glue-needs := PLATFORM:DEVICE WATCHDOG:DEVICE NET:DEVICE CHRDEV:MISC DEBUGFS:MISC DEBUGFS:SERVICES
# A glue function is a line `TYPE rkm_NAME(` at the start of a line.
filechk_rkm_glue = { undef=" $$($(NM) -u $(obj)/$(RKM_NAME)-rust.o | awk '{print $$2}' | tr '\n' ' ') "; \
	on=; for u in $(rkm-glue-units); do \
		for f in $$(sed -n 's/^[A-Za-z_][^(]*[ *]\(rkm_[a-z0-9_]*\)(.*/\1/p' $(RKM_DIR)/glue/$${u%%:*}.c); do \
			case "$$undef" in *" $$f "*) on="$$on $${u\#*:}"; break;; esac; \
		done; \
	done; \
	$(rkm-glue-defines); \
	echo '\#include "$(RKM_DIR)/glue/rkm_glue.c"'; \
	echo '\#include "rkm-params.c"'; \
	$(rkm-glue-visible); }
# Shell: the units named in $on, with those they need, as #define lines
# (also tests/glue_units.sh's, which compiles each unit alone).
rkm-glue-defines = for n in $(rkm-glue-needs) $(rkm-glue-needs); do \
		case " $$on " in *" $${n%%:*} "*) on="$$on $${n\#*:}";; esac; \
	done; \
	for m in $$(printf '%s\n' $$on | sort -u); do echo "\#define RKM_GLUE_$$m 1"; done

# Within the units, by function: rkm-glue.o is compiled with -fwhole-program,
# so GCC treats every global of the translation unit as static and drops each
# function no one calls (a driver that never waits on a condition variable
# carries no rkm_condvar_wait_timeout). What other objects use stays global:
# the glue functions the Rust object calls (its undefined symbols that
# include/rkm_abi.h declares, ABI version included: an object built for
# another ABI names a version the header does not, and the link says so),
# and the module's entry points, which the kernel's NAME.mod.c names. Data in a
# kernel section (__param, .modinfo, __jump_table, ...) is __used and stays.
# A function reached only through inline asm would be dropped and the link
# would fail on it (an undefined symbol), never a silent loss. GCC only.
rkm-glue-visible = echo '\#ifndef __clang__'; \
	abi=" $$(grep -ohw 'rkm_[a-z0-9_]*' $(RKM_DIR)/include/rkm_abi.h | sort -u | tr '\n' ' ') "; \
	for f in $$(for u in $$undef; do case "$$abi" in *" $$u "*) echo $$u;; esac; done) \
		init_module cleanup_module; do \
		echo "extern __typeof__($$f) $$f __attribute__((externally_visible));"; \
	done; \
	echo '\#endif'
ifndef CONFIG_CC_IS_CLANG
CFLAGS_rkm-glue.o += -fwhole-program
endif
