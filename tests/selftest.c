// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-selftest: the whole test suite, run by `make test`.
 *
 * Each case is a command run from the rkm tree with an expected exit status
 * (0, or "fails") and strings its output must contain. The cases cover the
 * samples on every kernel of the matrix, then the tester itself: broken
 * modules, the objtool negative test, host-side errors and bad inputs.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXPECT 12

struct tcase {
	const char *name;
	const char *cmd;	/* sh -c, from the rkm tree */
	bool fails;		/* expect a non-zero exit */
	const char *expect[MAX_EXPECT];	/* substrings of stdout+stderr */
	const char *reject[MAX_EXPECT];	/* must not appear */
	bool stream;		/* show the output as it comes */
};

#define RKM "build/bin/rkm "
#define SAMPLES "samples/*"
#define BROKEN(m) "tests/broken/" m "/build/%k/" m ".ko"
/* A scratch copy, so a deliberately failing build leaves the sample alone. */
#define SCRATCH "rm -rf build/selftest/rust_minimal && mkdir -p build/selftest && " \
	"cp -r samples/rust_minimal build/selftest/ && rm -rf build/selftest/rust_minimal/build && "

/* The in-guest reliability programs, run beside the samples' own tests. */
#define RUST_SAMPLES "rust_minimal rust_params rust_print rust_echo rust_semaphore rust_sync"
#define FUZZ_ARGS "--seconds 8"
#define FUZZ "--test 'rkm-fuzz=build/bin/rkm-fuzz " FUZZ_ARGS "' "
#define CYCLES "--test 'rkm-cycles=build/bin/rkm-cycles --cycles 200 " RUST_SAMPLES "' " \
	"--test 'rkm-cycles-edu=build/bin/rkm-cycles --cycles 50 rust_edu' "
#define FAILSLAB "--test 'rkm-failslab=build/bin/rkm-failslab rust_minimal rust_params rust_print " \
	"rust_echo:rust_echo c_echo:c_echo rust_semaphore:rust_semaphore c_semaphore:c_semaphore " \
	"rust_sync:rust_sync c_sync:c_sync rust_edu:rust_edu:files c_edu:c_edu:files' "
#define CF_CMD "samples/rust_minimal/build/6.12/.rust_minimal-rust.a.cmd"

static const struct tcase cases[] = {
	{
		.name = "samples, fuzzer, load/unload cycles and failslab pass on every kernel of the matrix",
		.cmd = RKM "test " SAMPLES " --test-timeout 900 " FUZZ CYCLES FAILSLAB,
		.expect = { "# 6.1: 13 passed, 0 failed", "# 6.12: 13 passed, 0 failed",
			    "# 6.12-rt: 13 passed, 0 failed", "# debug: 14 passed, 0 failed",
			    "# kmemleak: 0 unreferenced object(s) after ",
			    "# failslab: ", " rkm-fuzz #", " rust_semaphore-test #", " rust_edu-test #" },
		.reject = { "not ok" },
		.stream = true,
	},
	{
		.name = "the debug kernel's Rust code is KASAN-instrumented: a Rust out-of-bounds read is reported",
		.cmd = "RKM_KTEST=1 " RKM "build tests/rkm_ktest --kernel debug && " RKM "run --kernel debug "
		       "--module tests/rkm_ktest/build/debug/rkm_ktest.ko:kasan_probe=1",
		.fails = true,
		.expect = { "BUG: KASAN: slab-out-of-bounds in _RN", "ktest11kasan_probe", "[rkm_ktest]",
			    "flags: B" },
	},
	{
		.name = "the cycle test catches a module that leaks: slab growth on 6.12, kmemleak on debug",
		.cmd = RKM "build tests/broken/rkm_leak --kernel 6.12 --kernel debug && "
		       RKM "run --kernel 6.12 --kernel debug --ship 'tests/broken/rkm_leak/build/%k/rkm_leak.ko' "
		       "--test-timeout 300 --test 'rkm-cycles=build/bin/rkm-cycles --cycles 100 rkm_leak'",
		.fails = true,
		.expect = { "objects (kmalloc-64)", "#   kmalloc-64: +", "more cycles: a leak",
			    "not ok 1 rkm_leak", "unreferenced object", "suspected memory leaks",
			    "# 6.12: 2 passed, 1 failed", "# debug: 1 passed, 3 failed" },
	},
	{
		.name = "failslab reaches the module's own allocations: an unchecked kmalloc Oopses",
		.cmd = RKM "build tests/broken/rkm_nocheck --kernel debug && "
		       RKM "run --kernel debug --ship 'tests/broken/rkm_nocheck/build/%k/rkm_nocheck.ko' "
		       "--test 'rkm-failslab=build/bin/rkm-failslab rkm_nocheck'",
		.fails = true,
		.expect = { "KASAN: null-ptr-deref", "rkm_nocheck_init", "not ok 1 rkm-failslab",
			    "flags: D" },
	},
	{
		.name = "the safe API refuses misuse at compile time (tests/compile_fail)",
		.cmd = RKM "build samples/rust_minimal --kernel 6.12 >/dev/null && "
		       "build/bin/rkm-compile-fail " CF_CMD " tests/compile_fail",
		.expect = { "compile-fail: 106 cases, 106 passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "the compile-fail runner refuses a case that fails with another error",
		.cmd = "rm -rf build/selftest/cf && mkdir -p build/selftest/cf && "
		       "sed 's/E0277/E0308/' tests/compile_fail/guard_not_send.rs > build/selftest/cf/guard_not_send.rs && "
		       "build/bin/rkm-compile-fail " CF_CMD " build/selftest/cf",
		.fails = true,
		.expect = { "not ok 1 guard_not_send # expected E0308 at 15; got E0277 at 15",
			    "compile-fail: 1 cases, 0 passed, 1 failed" },
	},
	{
		.name = "the compile-fail runner: a missing librkm.rlib is one clear line",
		.cmd = "mkdir -p build/selftest && sed 's#librkm.rlib#librkm-missing.rlib#' " CF_CMD
		       " > build/selftest/cf.cmd && build/bin/rkm-compile-fail build/selftest/cf.cmd tests/compile_fail",
		.fails = true,
		.expect = { "librkm-missing.rlib: No such file or directory (build a driver first" },
	},
	{
		.name = "rkm new: the scaffold, outside the rkm tree, passes rkm test on every kernel",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_rkm --dir $d && make -C $d/hello_rkm test; "
		       "rc=$?; rm -rf $d; exit $rc",
		.expect = { "NEW     ", "hello_rkm.rs", "# 6.1: 3 passed, 0 failed", "# 6.12: 3 passed, 0 failed",
			    "# 6.12-rt: 3 passed, 0 failed", "# debug: 4 passed, 0 failed",
			    "ok 1 stores_and_returns_the_last_message", "ok 2 bad_input_gets_a_clean_error" },
		.reject = { "not ok" },
	},
	{
		.name = "rkm new refuses a name that cannot be a module's, and never overwrites",
		.cmd = "d=$(mktemp -d) && mkdir $d/taken && " RKM "new Bad-Name --dir $d; "
		       RKM "new taken --dir $d; rc=$?; rm -rf $d; exit $rc",
		.fails = true,
		.expect = { "'Bad-Name' cannot be a module name: use lower-case letters",
			    "/taken: File exists (rkm new never overwrites" },
	},
	{
		.name = "rkm lint: rustfmt --check and clippy are clean over the crate and every sample",
		.cmd = RKM "lint " SAMPLES,
		.expect = { "CLIPPY  rkm crate", "CLIPPY  rust_echo", "RUSTFMT rust_sync", "rkm lint: 0 problem(s)" },
	},
	{
		.name = "rkm lint catches a clippy warning and a formatting difference",
		.cmd = "rm -rf build/selftest/lint_bad && mkdir -p build/selftest/lint_bad && "
		       "sed 's/rust_minimal/lint_bad/g; s/let first = /let _ = 3u32.clone();  let first  = /' "
		       "samples/rust_minimal/rust_minimal.rs > build/selftest/lint_bad/lint_bad.rs && "
		       RKM "lint build/selftest/lint_bad",
		.fails = true,
		.expect = { "clippy::clone-on-copy", "Diff in ", "lint_bad.rs" },
		.reject = { "rkm lint: 0 problem(s)" },
	},
	{
		.name = "rkm doc builds the crate's rustdoc HTML with no rustdoc warning",
		.cmd = "rm -rf build/doc && " RKM "doc && test -s build/doc/rkm/index.html && "
		       "ls build/doc/rkm/miscdev/struct.MiscDevice.html",
		.expect = { "DOCTEST rkm", "test result: ok.", "rkm doc: ", "struct.MiscDevice.html" },
	},
	{
		.name = "rkm rust-project: rust-analyzer resolves core, alloc and rkm for a new driver",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_ra --dir $d >/dev/null && " RKM "rust-project $d/hello_ra && "
		       "/usr/bin/rust-analyzer diagnostics $d/hello_ra > $d/ra.log 2>&1; echo ra-exit=$?; "
		       "echo ra-errors=$(tr '\\r' '\\n' < $d/ra.log | grep -c 'Error Rustc'); "
		       /* and it does see errors: one planted */
		       "printf 'fn f() { let _ = no_such_fn(); }\\n' >> $d/hello_ra/hello_ra.rs; "
		       "/usr/bin/rust-analyzer diagnostics $d/hello_ra 2>&1 | tr '\\r' '\\n' | "
		       "grep -q 'E0425' && echo planted-error-found; rm -rf $d",
		.expect = { "rust-project.json (rustc ", "ra-exit=0", "ra-errors=0", "planted-error-found" },
	},
	{
		.name = "rkm sign: the kernel's sign-file signs with the user's key; the signed module loads",
		.cmd = "d=build/selftest/sign && rm -rf $d && mkdir -p $d/m/build/6.1 $d/m/build/6.12 && "
		       "openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 -subj /CN=rkm-selftest/ "
		       "-outform DER -out $d/cert.der -keyout $d/key.pem 2>/dev/null && "
		       "for k in 6.1 6.12; do cp samples/rust_minimal/build/$k/rust_minimal.ko $d/m/build/$k/; done && "
		       RKM "sign --key $d/key.pem --cert $d/cert.der $d/m/build/6.1/rust_minimal.ko "
		       "$d/m/build/6.12/rust_minimal.ko && modinfo $d/m/build/6.12/rust_minimal.ko && "
		       RKM "run --kernel 6.1 --kernel 6.12 --module $d/m/build/%k/rust_minimal.ko",
		.expect = { "SIGNED  build/selftest/sign/m/build/6.1/rust_minimal.ko (6.1, sha256)",
			    "signer:         rkm-selftest", "sig_hashalgo:   sha256",
			    "# 6.1: 3 passed, 0 failed", "# 6.12: 3 passed, 0 failed" },
	},
	{
		.name = "rkm sign: a missing key or module is one line that says what to do",
		.cmd = RKM "sign --key /nonexistent/key.pem --cert /nonexistent/cert.der "
		       "samples/rust_minimal/build/6.12/rust_minimal.ko; "
		       "d=build/selftest/sign && " RKM "sign --key $d/key.pem --cert $d/cert.der /nonexistent/x.ko",
		.fails = true,
		.expect = { "cannot read the private key /nonexistent/key.pem: No such file or directory; "
			    "make one with: openssl req", "no module /nonexistent/x.ko: build it first" },
	},
	{
		.name = "a missing clippy, rustfmt, rustdoc or rustc is one line naming the package",
		.cmd = "RKM_CLIPPY=/nonexistent/clippy-driver " RKM "lint samples/rust_minimal; "
		       "RKM_RUSTFMT=/nonexistent/rustfmt " RKM "lint samples/rust_minimal; "
		       "RKM_RUSTDOC=/nonexistent/rustdoc " RKM "doc; "
		       "RKM_RUSTC=/nonexistent/rustc " RKM "rust-project samples/rust_minimal",
		.fails = true,
		.expect = { "no /nonexistent/clippy-driver: apt-get install rust-web-clippy",
			    "no /nonexistent/rustfmt: apt-get install rustfmt-web",
			    "no /nonexistent/rustdoc: apt-get install rustc-web",
			    "no Rust compiler at /nonexistent/rustc: apt-get install rustc-web" },
	},
	{
		.name = "a kernel of the matrix without headers is named, with the command that fixes it",
		.cmd = "mkdir -p build/fakecache && printf 'debug 6.12.0-rkm-debug %s /nonexistent/kdir\\n' "
		       "\"$(ls /boot/vmlinuz-6.12.*-amd64 | head -n 1)\" > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "build samples/rust_minimal --kernel debug",
		.fails = true,
		.expect = { "no headers for kernel 6.12.0-rkm-debug: /nonexistent/kdir is missing; "
			    "run 'make setup-debug'" },
	},
	{
		.name = "rkm dkms packages a driver: the stock object and the debug kernel's KASAN object",
		.cmd = SCRATCH RKM "dkms build/selftest/rust_minimal --version 0.9 && "
		       "cat build/selftest/rust_minimal/build/dkms/rust_minimal-0.9/prebuilt/*/rkm-object",
		.expect = { "DKMS    ", "rust_minimal-0.9",
			    "profile 'ibt retpoline rethunk sls padding16' (stock kernels)",
			    "profile 'ibt retpoline rethunk sls padding16 kasan' (debug kernel)", "abi=", "sha256=" },
	},
	{
		.name = "rkm dkms: no driver directory, or a C driver, is a one-line error",
		.cmd = RKM "dkms samples/no_such_driver; " RKM "dkms samples/rust_echo/c_echo",
		.fails = true,
		.expect = { "no driver directory samples/no_such_driver", "is not a Rust driver: no c_echo.rs" },
	},
	{
		.name = "rkm dkms writes no package for a driver that does not build",
		.cmd = SCRATCH "echo 'fn broken( {' >> build/selftest/rust_minimal/rust_minimal.rs && "
		       RKM "dkms build/selftest/rust_minimal",
		.fails = true,
		.expect = { "rust_minimal does not build for kernel 6.12: no package written" },
		.reject = { "DKMS    " },
	},
	{
		.name = "rkm dkms needs the 6.12 kernel in the matrix",
		.cmd = "mkdir -p build/fakecache && printf '6.1 6.1.0-0-none\\n' > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "dkms samples/rust_minimal",
		.fails = true,
		.expect = { "no 6.12 kernel in the matrix" },
	},
	{
		.name = "DKMS round trip: one Rust object, dkms builds without rustc for every kernel, "
			"the modules pass their tests, mismatches fail",
		.cmd = "tests/dkms/roundtrip.sh",
		.expect = { "ok dkms rust_echo 6.1.0-", "ok dkms rust_semaphore 6.12.117-rkm-debug",
			    "-rt-amd64: using ibt-retpoline-rethunk-sls-padding16 sha256 ",
			    "ok one object for 3 stock kernels: rust_echo", "ok one object for 3 stock kernels: rust_semaphore",
			    "ok negative relabelled", "ok negative replaced", "ok negative abi",
			    "# debug: 4 passed, 0 failed", "rkm: 13 passed, 0 failed" },
		.reject = { "not ok", "FAIL:" },
		.stream = true,
	},
	{
		.name = "a parameter descriptor that smuggles C into rkm-params.c fails the build",
		.cmd = "rm -rf build/selftest/param_inject && mkdir -p build/selftest/param_inject && "
		       "cp samples/rust_minimal/rust_minimal.rs build/selftest/param_inject/param_inject.rs && "
		       "sed -i 's/name: \"rust_minimal\"/name: \"param_inject\"/' build/selftest/param_inject/param_inject.rs && "
		       /* a good build first: the refused one must not link a stale object */
		       RKM "build build/selftest/param_inject --kernel 6.12 >/dev/null && "
		       "printf 'rkm::__param!(@desc x, \"u32\", 0o644, \"0,.type=5\", \"\", \"\", \"0\", \"d\");\n' "
		       ">> build/selftest/param_inject/param_inject.rs && "
		       RKM "build build/selftest/param_inject --kernel 6.12",
		.fails = true,
		.expect = { "rkm: .rkm_params: bad default \"0,.type=5\"", "build failed" },
		.reject = { "KO      " },
	},
	{
		.name = "benchmark smoke run: both clocks, table, CSV, JSON and chart",
		.cmd = "rm -rf build/bench-smoke && " RKM "bench --kernel 6.12 --boots 1 --runs 1 --scale 1 "
		       "--no-costs --out build/bench-smoke && test -s build/bench-smoke/bench.png && "
		       "grep -c ',rust,' build/bench-smoke/bench.csv",
		.expect = { "# clock wall:", "# clock icount:", "echo_rt_64B", "echo_bulk_64KiB",
			    "echo_ioctl", "sem_pingpong", "poll_wakeup", "edu_fact", "edu_dma_4095B",
			    "# chart: " },
	},
	{
		.name = "broken modules build",
		.cmd = RKM "build tests/broken/rkm_warn tests/broken/rkm_taint tests/broken/rkm_hang"
		       " --kernel 6.1 --kernel 6.12",
	},
	{
		.name = "a module that WARNs fails the kernel-log and taint checks",
		.cmd = RKM "run --kernel 6.1 --kernel 6.12 --module " BROKEN("rkm_warn"),
		.fails = true,
		.expect = { "not ok 2 kernel-log", "# kernel: WARNING: CPU:", "flags: W",
			    "# 6.1: 1 passed, 2 failed", "# 6.12: 1 passed, 2 failed",
			    "rkm: FAIL on 6.12" },
	},
	{
		.name = "a module that taints silently fails the taint check",
		.cmd = RKM "run --kernel 6.12 --module " BROKEN("rkm_taint"),
		.fails = true,
		.expect = { "ok 2 kernel-log", "not ok 3 taint", "flags: U", "full logs:" },
	},
	{
		.name = "a module that hangs is ended by the guest init's per-item timeout",
		.cmd = RKM "run --kernel 6.12 --test-timeout 8 --module " BROKEN("rkm_hang"),
		.fails = true,
		.expect = { "timed out after 8 s", "not ok 1 load rkm_hang.ko", "TIMEOUT",
			    "ok 3 taint" },
	},
	{
		.name = "a guest that never finishes is killed by the host timeout",
		.cmd = RKM "run --kernel 6.12 --test-timeout 600 --timeout 20 --module "
		       BROKEN("rkm_hang"),
		.fails = true,
		.expect = { "host timeout: QEMU killed after 20 s", "console log tail" },
	},
	{
		.name = "a Rust panic prints message and location, BUGs with a Rust stack trace",
		.cmd = RKM "build tests/broken/rust_panic --kernel 6.1 --kernel 6.12 && "
		       RKM "run --kernel 6.1 --kernel 6.12 --module " BROKEN("rust_panic"),
		.fails = true,
		.expect = { "rust_panic: rust panic: deliberate panic for the harness self-test, mode 0 at ",
			    "rust_panic.rs:15:13", "kernel BUG at", "Call Trace:", "flags: D",
			    "# 6.1: 0 passed, 3 failed" },
	},
	{
		.name = "RKM_DEBUG=1 builds check integer overflow: a panic, not a wrap",
		.cmd = "RKM_DEBUG=1 " RKM "build tests/broken/rust_panic --kernel 6.12 && "
		       RKM "run --kernel 6.12 --module " BROKEN("rust_panic") ":mode=1",
		.fails = true,
		.expect = { "rust panic: attempt to add with overflow at ", "kernel BUG at" },
	},
	{
		.name = "release builds wrap (no overflow checks), as the kernel's C does",
		.cmd = RKM "build tests/broken/rust_panic --kernel 6.12 && "
		       RKM "run --kernel 6.12 --module " BROKEN("rust_panic") ":mode=1",
		.expect = { "ok 1 load rust_panic.ko", "ok 2 kernel-log", "ok 3 taint" },
	},
	{
		.name = "rust_edu and c_edu on the legacy INTx line (pci=nomsi; shared-IRQ checks on debug)",
		.cmd = RKM "test samples/rust_edu --kernel 6.12 --kernel debug --append pci=nomsi",
		.expect = { "irq mode intx", "# 6.12: 3 passed, 0 failed", "# debug: 4 passed, 0 failed" },
		.reject = { "not ok", "irq mode msi" },
	},
	{
		.name = "a safe driver keeping its BAR past unbind and dropping a DMA buffer mid-transfer is made harmless",
		.cmd = RKM "test tests/pci_escape --kernel 6.12 --kernel debug",
		.expect = { "coherent allocations of 0000:", "after the buffer was dropped: 1",
			    "# 6.12: 3 passed, 0 failed", "# debug: 4 passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "the crate's unit tests pass inside every kernel (KTAP)",
		.cmd = "RKM_KTEST=1 " RKM "test tests/rkm_ktest",
		.expect = { "ok 1 alloc", "ok 2 error", "ok 3 print", "ok 4 param", "ok 5 pci", "ok 6 sync", "ok 7 user",
			    "# 6.12-rt: 3 passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "a skip list entry with a reason skips the item",
		.cmd = "printf '6.12 rkm_taint.ko known to taint, for the self-test\\n' > build/skip.ok && "
		       RKM "run --kernel 6.12 --skip build/skip.ok --module " BROKEN("rkm_taint"),
		.expect = { "# SKIP known to taint, for the self-test", "ok 3 taint",
			    "# 6.12: 2 passed, 0 failed, 1 skipped" },
	},
	{
		.name = "a skip list entry without a reason is refused",
		.cmd = "printf '6.12 rkm_taint.ko\\n' > build/skip.bad && "
		       RKM "run --kernel 6.12 --skip build/skip.bad --module " BROKEN("rkm_taint"),
		.fails = true,
		.expect = { "a skip needs a kernel, a test and a reason" },
		.reject = { "booting" },
	},
	{
		.name = "objtool rejects a Rust object built without mitigations (6.1: on the object)",
		.cmd = SCRATCH "RKM_NO_MITIGATIONS=1 " RKM "build build/selftest/rust_minimal --kernel 6.1",
		.fails = true,
		.expect = { "warning: objtool:", "missing int3 after ret", "objtool warnings are errors" },
	},
	{
		.name = "objtool rejects a Rust object built without mitigations (6.12: on the module)",
		.cmd = SCRATCH "RKM_NO_MITIGATIONS=1 " RKM "build build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "warning: objtool:", "relocation to !ENDBR", "objtool warnings are errors" },
	},
	{
		.name = "the same scratch driver with mitigations builds cleanly",
		.cmd = SCRATCH RKM "build build/selftest/rust_minimal --kernel 6.1 --kernel 6.12",
		.expect = { "build/6.1/rust_minimal.ko", "build/6.12/rust_minimal.ko" },
		.reject = { "warning", "WARNING" },
	},
	{
		.name = "a Rust object built for another ABI version fails the build, saying so",
		.cmd = SCRATCH "rm -rf build/selftest/rust-abi4 && cp -r rust build/selftest/rust-abi4 && "
		       "sed -i 's/rkm_abi_version_3/rkm_abi_version_4/; s/ABI_VERSION: c_int = 3/ABI_VERSION: c_int = 4/' "
		       "build/selftest/rust-abi4/src/abi.rs && "
		       "RKM_CRATE=$PWD/build/selftest/rust-abi4 " RKM "build build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "\"rkm_abi_version_4\"", "undefined",
			    "built for rkm ABI 4, this glue implements ABI 3" },
	},
	{
		.name = "a module! name that differs from the module's file name fails the build",
		.cmd = "rm -rf build/selftest/wrong_name && mkdir -p build/selftest/wrong_name && "
		       "cp samples/rust_minimal/rust_minimal.rs build/selftest/wrong_name/wrong_name.rs && "
		       RKM "build build/selftest/wrong_name --kernel 6.12",
		.fails = true,
		.expect = { "module! name differs from the module's file name (KBUILD_MODNAME)" },
	},
	{
		.name = "a missing rustc is a one-line error naming the package",
		.cmd = "RKM_RUSTC=/nonexistent/rustc " RKM "build samples/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "no Rust compiler at /nonexistent/rustc: apt-get install rustc-web" },
	},
	{
		.name = "a missing Rust library source is an error naming rust-web-src",
		.cmd = "RKM_RUST_LIB=/nonexistent " RKM "build samples/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "install rust-web-src" },
	},
	{
		.name = "an unknown kernel is refused with the list of known ones",
		.cmd = RKM "build samples/rust_minimal --kernel 5.10",
		.fails = true,
		.expect = { "unknown kernel '5.10' (the matrix has: 6.1 6.12 6.12-rt debug)" },
	},
	{
		.name = "a matrix without the debug kernel says how to build it",
		.cmd = "mkdir -p build/fakecache && printf '6.1 6.1.0-0-none\\n' > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel debug",
		.fails = true,
		.expect = { "the debug kernel is not in the matrix: run 'make setup-debug'" },
	},
	{
		.name = "a debug kernel in the matrix whose build is gone says how to rebuild it",
		.cmd = "mkdir -p build/fakecache && printf 'debug 6.12.0-rkm-debug /nonexistent/bzImage /nonexistent\\n' "
		       "> build/fakecache/kernels && RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel debug",
		.fails = true,
		.expect = { "kernel debug (6.12.0-rkm-debug) is not installed: /nonexistent/bzImage is missing; "
			    "run 'make setup-debug'" },
	},
	{
		.name = "a kernel of the matrix that is not installed is named",
		.cmd = "mkdir -p build/fakecache && printf '6.1 6.1.0-0-none\\n' > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel 6.1",
		.fails = true,
		.expect = { "kernel 6.1 (6.1.0-0-none) is not installed", "make setup" },
	},
	{
		.name = "no kernel matrix at all says to run setup",
		.cmd = "RKM_CACHE=$PWD/build/nocache " RKM "kernels",
		.fails = true,
		.expect = { "no kernel matrix", "make setup" },
	},
	{
		.name = "modinfo shows what module! declared: license, authors, alias, parameters",
		.cmd = "for k in 6.1 6.12 6.12-rt; do modinfo samples/rust_params/build/$k/rust_params.ko; done",
		.expect = { "license:        GPL", "author:         rkm developers",
			    "alias:          rkm-params-sample", "parm:           level:A signed level (i32)",
			    "parm:           ids:Up to four ids (i32[4])",
			    "vermagic:       6.1.", "-rt-amd64 SMP" },
	},
	{
		.name = "every unsafe in the crate has a SAFETY comment, every public item an example, drivers forbid unsafe",
		.cmd = "build/bin/rkm-check-crate rust/src",
		.expect = { "rkm-check-crate: 0 violation(s)" },
	},
	{
		.name = "the source check catches a missing SAFETY comment and unsafe in a driver",
		.cmd = "rm -rf build/selftest/check && mkdir -p build/selftest/check && "
		       "printf '/// Doc.\\npub fn f() {}\\n' > build/selftest/check/a.rs && "
		       "build/bin/rkm-check-crate build/selftest/check",
		.fails = true,
		.expect = { "a.rs:2: public item without an example", "1 violation(s)" },
	},
	{
		.name = "rkm kernels lists release, vmlinuz, headers and profile, the debug kernel's with kasan",
		.cmd = RKM "kernels",
		.expect = { "/boot/vmlinuz-", "/usr/src/linux-headers-", "retpoline rethunk sls",
			    "ibt retpoline rethunk sls padding16", "-rkm-debug",
			    "ibt retpoline rethunk sls padding16 kasan" },
	},
	{
		.name = "rkm kernels stock: the distribution kernels only",
		.cmd = RKM "kernels stock",
		.expect = { "6.12-rt " },
		.reject = { "rkm-debug" },
	},
	{
		.name = "setup: a package missing from the archive is one clear line",
		.cmd = "RKM_EXTRA_PACKAGES=rkm-no-such-package tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: package rkm-no-such-package is not in the apt archive" },
	},
	{
		.name = "setup: not root, with something to install, says to use sudo",
		.cmd = "RKM_EXTRA_PACKAGES=hello setpriv --reuid=65534 --regid=65534 --clear-groups "
		       "env HOME=/tmp RKM_CACHE=/tmp/rkm-selftest-cache tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: must be root to install: hello (run: sudo make setup)" },
	},
	{
		.name = "setup: no apt is one clear line",
		.cmd = "RKM_APT_GET=/nonexistent/apt-get tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: /nonexistent/apt-get not found: rkm needs a Debian 12 host with apt" },
	},
	{
		.name = "setup: already installed and built, it does nothing and prints nothing",
		.cmd = "out=$(tools/setup.sh --debug 2>&1) && [ -z \"$out\" ] && echo quiet",
		.expect = { "quiet" },
	},
};

static char *run(const struct tcase *c, int *status)
{
	char *buf = NULL, line[4096];
	size_t len = 0;
	char *cmd;
	FILE *p;

	if (asprintf(&cmd, "( %s ) 2>&1", c->cmd) < 0)
		exit(2);
	p = popen(cmd, "r");
	if (!p)
		exit(2);
	while (fgets(line, sizeof(line), p)) {
		size_t l = strlen(line);

		buf = realloc(buf, len + l + 1);
		memcpy(buf + len, line, l + 1);
		len += l;
		if (c->stream)
			printf("    %s", line);
	}
	*status = pclose(p);
	free(cmd);
	return buf ? buf : strdup("");
}

static void show_tail(const char *out, int lines)
{
	const char *s = out + strlen(out);
	int n = 0;

	while (s > out && n <= lines)
		if (*--s == '\n')
			n++;
	if (s != out)
		s++;
	while (*s) {
		const char *e = strchrnul(s, '\n');

		printf("    # | %.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
}

/* rkm-selftest [WORD]: every case, or those whose name contains WORD. */
int main(int argc, char **argv)
{
	int n = sizeof(cases) / sizeof(cases[0]), i, j, failed = 0, planned = 0, k = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++)
		planned += argc < 2 || strstr(cases[i].name, argv[1]);
	printf("KTAP version 1\n1..%d\n", planned);
	for (i = 0; i < n; i++) {
		const struct tcase *c = &cases[i];
		time_t t0 = time(NULL);
		int status, code;
		char *out;
		bool ok;

		if (argc >= 2 && !strstr(c->name, argv[1]))
			continue;
		out = run(c, &status);

		code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		ok = c->fails ? code != 0 : code == 0;
		if (!ok)
			printf("    # exit status %d, expected %s\n", code, c->fails ? "non-zero" : "0");
		/* 127: the command itself was not found: never an expected failure. */
		if (code == 127) {
			printf("    # command not found\n");
			ok = false;
		}
		for (j = 0; j < MAX_EXPECT && c->expect[j]; j++)
			if (!strstr(out, c->expect[j])) {
				printf("    # missing from the output: \"%s\"\n", c->expect[j]);
				ok = false;
			}
		for (j = 0; j < MAX_EXPECT && c->reject[j]; j++)
			if (strstr(out, c->reject[j])) {
				printf("    # must not appear in the output: \"%s\"\n", c->reject[j]);
				ok = false;
			}
		if (!ok && !c->stream)
			show_tail(out, 30);
		printf("%s %d %s # %ld s\n", ok ? "ok" : "not ok", ++k, c->name,
		       (long)(time(NULL) - t0));
		failed += !ok;
		free(out);
	}
	printf("selftest: %d passed, %d failed\n", planned - failed, failed);
	return failed ? 1 : 0;
}
