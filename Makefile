# SPDX-License-Identifier: GPL-2.0
# rkm: the two commands of the README, and the pieces they use.
#
#   make demo   build the sample drivers for the stock kernels and run them in QEMU
#   make test   the whole test suite (samples on every kernel, then the harness's own tests)
#   make bench  every sample against its C twin, both clocks, every kernel (not part of make test)
#   make setup  install what is missing (apt) and resolve the kernel matrix

SAMPLES := $(sort $(patsubst %/Kbuild,%,$(wildcard samples/*/Kbuild)))
CFLAGS_TOOLS := -O2 -Wall -Wextra -Werror

RKM := build/bin/rkm
TOOLS := $(RKM) build/bin/rkm-init build/bin/rkm-selftest build/bin/rkm-check-crate

.PHONY: all setup tools demo test bench clean
all: tools

setup:
	@tools/setup.sh

tools: $(TOOLS)

$(RKM): $(wildcard tools/rkm/*.c tools/rkm/*.h) include/rkm_abi.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Iinclude -o $@ $(filter %.c,$^)

# The guest's /init: static, the initramfs has no libc.
build/bin/rkm-init: tools/rkm-init.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -static -o $@ $<

build/bin/rkm-check-crate: tests/check_crate.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $<

build/bin/rkm-selftest: tests/selftest.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $<

demo: setup tools
	@$(RKM) test $(SAMPLES)

test: setup tools
	@build/bin/rkm-selftest

bench: setup tools
	@$(RKM) bench

clean:
	rm -rf build $(addsuffix /build,$(SAMPLES)) tests/broken/*/build
