# SPDX-License-Identifier: GPL-2.0
# rkm: the two commands of the README, and the pieces they use.
#
#   make demo   build the sample drivers for the stock kernels and run them in QEMU
#   make check  the fast tier: every case that boots no guest (host tools' unit tests,
#               setup's resolver, compile-fail, lint, doc, ABI, source checks), a few minutes
#   make test   the whole test suite: the check tier first, then samples, fuzzer,
#               load/unload cycles and failslab on every kernel including the debug
#               kernel, the DKMS round trip and the harness's own tests
#   make bench  every sample against its C twin, both clocks, every kernel (not part of make test)
#   make setup  install what is missing (apt) and resolve the kernel matrix
#   make setup-debug  the same, plus the debug kernel (built once, about 6 minutes)

SAMPLES := $(sort $(patsubst %/Kbuild,%,$(wildcard samples/*/Kbuild)))
CFLAGS_TOOLS := -O2 -Wall -Wextra -Werror

RKM := build/bin/rkm
# In-guest test programs beside the samples' own: static, the guest has no libc.
GUEST := build/bin/rkm-fuzz build/bin/rkm-cycles build/bin/rkm-failslab
TOOLS := $(RKM) build/bin/rkm-cc build/bin/rkm-init build/bin/rkm-selftest build/bin/rkm-check-crate \
	build/bin/rkm-compile-fail build/bin/rkm-unit $(GUEST)
# The same guest programs for arm64 guests, cross-compiled (make setup installs
# gcc-aarch64-linux-gnu and its static libc); without them, arm64 kernels are
# only built for.
CC_ARM64 := aarch64-linux-gnu-gcc
GUEST_ARM64 := build/arm64/bin/rkm-init $(patsubst build/bin/%,build/arm64/bin/%,$(GUEST))
ifeq ($(words $(wildcard /usr/bin/$(CC_ARM64) /usr/aarch64-linux-gnu/lib/libc.a)),2)
TOOLS += $(GUEST_ARM64)
endif
# A guest program's compiler: the cross one for build/arm64/bin.
guest-cc = $(if $(filter build/arm64/%,$@),$(CC_ARM64),$(CC))

.PHONY: all setup setup-debug tools each-tool demo check test bench clean
all: tools

setup:
	@tools/setup.sh

setup-debug:
	@tools/setup.sh --debug

# The tools build in parallel (one job per CPU); setup, before them, alone.
tools:
	@$(MAKE) --no-print-directory -j$$(nproc) each-tool
each-tool: $(TOOLS)
	@:

# libiberty: the Rust demangler (v0 and legacy) of rkm's log output and rkm decode.
LIBIBERTY_CHECK = @test -f /usr/include/libiberty/demangle.h || \
	{ echo "rkm: no libiberty (the Rust demangler): apt-get install libiberty-dev (or run 'make setup')" >&2; exit 1; }

# The host tool's objects, shared by rkm and its unit tests (rkm-unit).
RKM_OBJS := $(patsubst tools/rkm/%.c,build/obj/rkm/%.o,$(wildcard tools/rkm/*.c))
build/obj/rkm/%.o: tools/rkm/%.c $(wildcard tools/rkm/*.h) include/rkm_abi.h tools/fuzz_defaults.h
	$(LIBIBERTY_CHECK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Iinclude -c -o $@ $<

$(RKM): $(RKM_OBJS)
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -liberty

# The guest's /init: static, the initramfs has no libc.
build/bin/rkm-init build/arm64/bin/rkm-init: tools/rkm-init.c tools/kreport.h
	@mkdir -p $(@D)
	$(guest-cc) $(CFLAGS_TOOLS) -static -o $@ $<

# One-file host programs; rkm-cc is the kernel build's compiler prefix
# (Kbuild's probes run once, tools/rkm-cc.c).
HOST_PROGS := build/bin/rkm-cc build/bin/rkm-check-crate build/bin/rkm-selftest
build/bin/rkm-cc: tools/rkm-cc.c
build/bin/rkm-check-crate: tests/check_crate.c
build/bin/rkm-selftest: tests/selftest.c
$(HOST_PROGS):
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -o $@ $<

# rkm-compile-fail reads rustc's JSON diagnostics with rkm's JSON reader (its object).
build/bin/rkm-compile-fail: tests/compile_fail.c build/obj/rkm/json.o tools/rkm/json.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Itools/rkm -o $@ $(filter %.c %.o,$^)

# The host tool's unit tests: its parsers, linked without its main().
build/bin/rkm-unit: tests/unit/unit.c $(filter-out %/main.o,$(RKM_OBJS)) tools/rkm/rkm.h \
		tools/fuzz_defaults.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TOOLS) -Iinclude -Itools/rkm -o $@ $(filter %.c %.o,$^) -liberty

# The engine and every sample's interface model (samples/*/fuzz_model.c). A model's
# hooks take what any model may need: unused parameters, as in the kernel's own build.
build/bin/rkm-fuzz build/arm64/bin/rkm-fuzz: tests/fuzz/fuzz.c tests/fuzz/netdev.c tests/fuzz/fuzz_model.h \
	$(wildcard samples/*/fuzz_model.c)
build/bin/rkm-fuzz build/arm64/bin/rkm-fuzz: CFLAGS_TOOLS += -Wno-unused-parameter
build/bin/rkm-cycles build/arm64/bin/rkm-cycles: tests/cycles/cycles.c
build/bin/rkm-failslab build/arm64/bin/rkm-failslab: tests/failslab/failslab.c
$(GUEST) $(filter-out %/rkm-init,$(GUEST_ARM64)): tests/lib/ktest.h tools/kreport.h tools/fuzz_defaults.h \
		$(wildcard samples/*/*.h)
	@mkdir -p $(@D)
	$(guest-cc) $(CFLAGS_TOOLS) -static -Itests/lib -Itests/fuzz -Itools -Isamples -o $@ $(filter %.c,$^) -lpthread

demo: setup tools
	@$(RKM) test $(SAMPLES) --kernel stock

check: setup tools
	@build/bin/rkm-selftest --tier check

test: setup-debug tools
	@build/bin/rkm-selftest

bench: setup tools
	@$(RKM) bench

clean:
	rm -rf build $(addsuffix /build,$(SAMPLES)) tests/broken/*/build
