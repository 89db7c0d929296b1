// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-selftest: the whole test suite, run by `make test`; its check tier is
 * `make check`.
 *
 * Each case is a command run from the rkm tree with an expected exit status
 * (0, or "fails") and patterns its output must and must not contain. The
 * cases cover the samples on every kernel of the matrix, then the tester
 * itself: broken modules, the objtool negative test, host-side errors and bad
 * inputs.
 *
 * Nothing here names a kernel release or pins a count the tree decides:
 * commands and patterns carry placeholders, expanded at run time from the
 * kernel matrix ($RKM_CACHE/kernels, written by tools/setup.sh) and the tree:
 *
 *   {K}       each kernel of the case (.kernels: the whole matrix, "stock", or
 *             names): a pattern with {K} is one pattern per kernel
 *   {REL}     the release of that kernel (implies {K}); {REL:NAME} of kernel NAME
 *   {S}       each sample with a test (samples/NAME/ with Kbuild and test.c)
 *   {W}       each benchmark workload the samples' manifests declare (a grid,
 *             NAME_grid, as its cells' prefix NAME_)
 *             ("bench workload NAME..." in samples/NAME/rkm.manifest)
 *   {NT}      each twin-compared test of rust_nullb against null_blk
 *             (a line "BLK_TEST(NAME, ...)" of samples/rust_nullb/test.c)
 *   {FUZZ}    the module of each "fuzz MODULE ..." line of samples/NAME/rkm.manifest
 *   {CYCLES}  each sample whose manifest does not say "cycles 0"
 *   {FAILSLAB} the module of each "failslab MODULE[:...]..." spec of those manifests
 *             (what rkm test --reliability runs over the samples: rkm-fuzz, rkm-cycles
 *             and rkm-failslab each print a "# MODULE: ..." summary per item)
 *   {NAMES}   the matrix's kernel names; {STOCK} its stock kernels; {NSTOCK} their count
 *   {ABI}     RKM_ABI_VERSION of include/rkm_abi.h; {ABI+1} the next version
 *   {NCF}     the number of compile-fail cases (tests/compile_fail/NAME.rs)
 *
 * In a pattern '*' matches any text within a line, a leading '^' the start
 * of a line (where KTAP results start), and "in NAME: PATTERN"
 * must match within the output of kernel NAME's boot (the text up to its
 * "# NAME: ... (boot to power-off ...)" line).
 *
 * Tiers: CHECK cases boot no guest and need only `make setup`; the others
 * boot kernels, need the debug kernel, or build for long (DKMS packages for
 * fabricated kernels, two checkouts, rkm new's Makefiles, dozens of user
 * kernels), keeping `make check` under 5 minutes. A whole run does the check tier
 * first and ends with the time per case and per kernel.
 *
 *   rkm-selftest [--tier check|boot] [-j N] [--expand] [WORD]
 *
 * runs the cases of that tier whose name contains WORD, up to N at a time
 * (lanes: -j, else RKM_SELFTEST_JOBS, else one per CPU; -j 1 runs them one
 * after another, in order); --expand prints their expanded commands and
 * patterns instead of running them.
 *
 * A new case: an entry in cases[], .tier = CHECK if it boots nothing and
 * needs only `make setup`; a release, a count of samples or cases, or the ABI
 * version is a placeholder, never a literal (a check case greps the tree for
 * Debian point releases); a check case gets .uses (see "Lanes" below) once
 * every file it writes, or reads that another case writes, is known.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXPECT 16
#define MAX_KERNELS 16

enum tier { BOOT, CHECK };

struct tcase {
	const char *name;
	enum tier tier;
	const char *kernels;	/* what {K} ranges over: NULL (the matrix), "stock" or names */
	const char *cmd;	/* sh -c, from the rkm tree */
	bool fails;		/* expect a non-zero exit */
	const char *expect[MAX_EXPECT];	/* patterns of stdout+stderr */
	const char *reject[MAX_EXPECT];	/* must not appear */
	bool stream;		/* show the output as it comes (a case that runs alone) */
	/*
	 * With lanes (-j N): what the case touches that another case also
	 * touches, as keys (below); NULL: it runs alone; "": nothing shared.
	 */
	const char *uses;
	bool early;		/* with lanes, started before the others: a long case */
};

/*
 * Lanes: rkm-selftest -j N runs up to N cases of a tier at once, each in a
 * process of its own, and prints each case's lines whole when it ends (KTAP
 * results numbered in the order printed). Two cases whose .uses have a key
 * in common never run at once, and keep their order in cases[]; a case
 * without .uses runs alone, and no case after it starts before it: the boot
 * cases that boot every kernel two at a time already, those that watch the
 * host (sockets, apt, wall-clock benchmarks), and any case not known to be
 * safe. A boot case in a lane boots one guest at a time (RKM_JOBS=1), so
 * two lanes run two guests, as one case booting two kernels does; with
 * lanes, the boot cases that share go first, pairing guests with builds,
 * then those that run alone. The keys name what is written by more than one
 * case (or read by one while another writes it):
 *
 *   samples   samples/NAME/build (rkm build, lint and lint --panics of a
 *             sample; CF_CMD and the librkm.rlib it names)
 *   scratch   build/selftest/rust_minimal (SCRATCH)
 *   ucache    build/selftest/ucache (UCACHE)
 *   fakecache build/fakecache
 *   doc       build/doc, build/crate-host (rkm doc without --driver)
 *   broken    tests/broken/NAME/build
 *   setup     tools/setup.sh on the host's apt
 *   logs-run, logs-test  rkm run's and rkm test's default logs, build/logs/run
 *             and build/logs/test (console logs, initramfs)
 *   arm64     samples/NAME/build/arm64-* and samples/NAME/build/arm64 (arm64
 *             builds: modules, test programs)
 *   NAME      tests/NAME or tests/broken/NAME/build, or build/selftest/NAME, of
 *             a boot case and those that use what it builds there
 *
 * A case's own $(mktemp -d) or build/selftest/NAME is no key; neither are
 * RKM_CACHE's sysroots (built under flock), crates, glue and probes
 * (entries renamed into place), shared by every build, nor the sources cases copy and never
 * write. The crate-cache case runs alone: it looks at the newest entry. The
 * cases marked .early (the longest) start first: each must need nothing the
 * cases before it make; those that run alone go first of all.
 */

#define RKM "build/bin/rkm "
#define SAMPLES "samples/*"
#define BROKEN(m) "tests/broken/" m "/build/%k/" m ".ko"
/*
 * A scratch copy, so a deliberately failing build leaves the sample alone;
 * without samples/rust_minimal/build, which a "samples" case may be writing.
 */
#define SCRATCH "rm -rf build/selftest/rust_minimal && mkdir -p build/selftest && " \
	"tar -C samples --exclude=rust_minimal/build -cf - rust_minimal | tar -C build/selftest -xf - && "
/*
 * A fabricated cache for the user-kernel cases, exported as RKM_CACHE and $c:
 * the real matrix, no user kernels, the real cache's core/alloc builds and
 * unpacked arm64 kernels linked (setup there then fetches nothing).
 */
#define UCACHE "real=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm} && c=$PWD/build/selftest/ucache && " \
	"rm -rf $c && mkdir -p $c && cp $real/kernels $c/ && ln -s $real/arm64 $c/arm64 && for s in $real/sysroot-*; do " \
	"case $s in *.lock) ;; *) ln -s $s $c/ ;; esac; done && export RKM_CACHE=$c && "
#define CF_CMD "samples/rust_minimal/build/6.12/.rust_minimal-rust.a.cmd"
/*
 * A Debian point release (6.1.0-NN-amd64, 6.12.NNN+deb12, 6.12.NNN-1~deb12u1,
 * 6.12.NNN-rkm-debug): never in the tree. Fabricated ones are 0 or 900 and up.
 */
#define POINT_RELEASE "(^|[^0-9.])6\\.(1|12)\\.(0-)?([1-9][0-9]?|[1-8][0-9][0-9])([^0-9.]|$)"
#define FAKE_61 "6.1.0-900-amd64"
#define FAKE_612 "6.12.901"

static const struct tcase cases[] = {
	{
		.name = "samples, fuzzer, load/unload cycles and failslab pass on every kernel of the matrix",
		.early = true,
		/* Its own logs: later cases boot with rkm test's default ones. */
		.cmd = RKM "test " SAMPLES " --test-timeout 900 --reliability --logs build/selftest/samples-logs",
		/* and every item of the manifests ran: each program's summary line per item */
		.expect = { "# {K}: * passed, 0 failed", "in {K}: ^ok * {S}-test #", "in {K}: ^ok * rkm-fuzz",
			    "in {K}: ^ok * rkm-cycles", "in debug: ^ok * rkm-failslab", "in {K}: ^ok * kernel-log",
			    "in {K}: # {FUZZ}: * ops (root ", "in {K}: # {CYCLES}: * load/unload cycles in ",
			    "in debug: # {FAILSLAB}: * allocation failures injected in ",
			    "in {K}: ^ok * taint", "in debug: ^ok * kmemleak # 0 unreferenced",
			    "# kmemleak: 0 unreferenced object(s) after ", "# failslab: ",
			    /* rust_nullb: each twin test ran both (a skipped twin is "ok" too) */
			    "in {K}: # {NT}: 2 twin(s) ran (rust_nullb null_blk), identical transcripts",
			    "in {K}: # null_blk compat script against rust_nullb built as null_blk: ok" },
		.reject = { "not ok", "rkm: FAIL" },
		.stream = true,
	},
	{
		.name = "the debug kernel's Rust code is KASAN-instrumented: a Rust out-of-bounds read is reported",
		.uses = "rkm_ktest logs-run",
		.cmd = "RKM_KTEST=1 " RKM "build tests/rkm_ktest --kernel debug && " RKM "run --kernel debug "
		       "--module tests/rkm_ktest/build/debug/rkm_ktest.ko:kasan_probe=1",
		.fails = true,
		.expect = { "BUG: KASAN: slab-out-of-bounds in rkm::", "kasan_probe+", "[rkm_ktest]",
			    "flags: B" },
		.reject = { "in _RN" },
	},
	{
		.name = "the cycle test catches a module that leaks: slab growth on 6.12, kmemleak on debug",
		.uses = "rkm_leak logs-run",
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
		.uses = "rkm_nocheck logs-run",
		.cmd = RKM "build tests/broken/rkm_nocheck --kernel debug && "
		       RKM "run --kernel debug --ship 'tests/broken/rkm_nocheck/build/%k/rkm_nocheck.ko' "
		       "--test 'rkm-failslab=build/bin/rkm-failslab rkm_nocheck'",
		.fails = true,
		.expect = { "KASAN: null-ptr-deref", "rkm_nocheck_init", "not ok 1 rkm-failslab",
			    "flags: D" },
	},
	{
		.name = "the safe API refuses misuse at compile time (tests/compile_fail)",
		.tier = CHECK,
		.uses = "samples",
		.early = true,
		.cmd = RKM "build samples/rust_minimal --kernel 6.12 >/dev/null && "
		       "build/bin/rkm-compile-fail -j $(nproc) " CF_CMD " tests/compile_fail",
		.expect = { "compile-fail: {NCF} cases, {NCF} passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "rkm bench --sizes: the code ratio, where the Rust module's code comes from, and its "
			"largest functions, without booting",
		.tier = CHECK,
		.uses = "samples",
		.cmd = RKM "bench samples/rust_minimal --sizes --kernel 6.12 --symbols 10",
		.expect = { "rust_minimal * c_minimal * > C + 2048 B",
			    "# where each Rust module's code comes from (bytes; *), 6.12",
			    "driver * glue * driver * rkm * core::fmt *core+alloc * padding",
			    "rust_minimal * * * * * * *",
			    "# rust_minimal's 10 largest functions (bytes, origin)",
			    "  * glue       rkm_param_set", "  * rkm        <rkm::print::LineWriter>::print_parts" },
		/* Its messages print without core::fmt (print_parts!). */
		.reject = { "core::fmt  " },
	},
	{
		.name = "rkm bench on a pair without workloads: sizes and cold, first, clean and warm "
			"build times against the C twin's warm build, without booting",
		.tier = CHECK,
		.uses = "samples",
		.cmd = RKM "bench samples/rust_minimal --kernel 6.12 --out build/selftest/bench-costs",
		.expect = { "module * text * data * bss * cold * first * clean * warm",
			    "rust_minimal * * * * *.* *.* *.* *.*", "c_minimal * * * * *.* *.* *.* *.*",
			    "# build time, Rust/C: each Rust build against the C twin's warm build, 6.12",
			    "driver * twin * cold * first * clean * warm",
			    "rust_minimal * c_minimal * *.* *.* *.* *.*" },
		.reject = { "booting", "does not build" },
	},
	{
		.name = "the compile-fail runner refuses a case that fails with another error",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "rm -rf build/selftest/cf && mkdir -p build/selftest/cf && "
		       "sed 's/E0277/E0308/' tests/compile_fail/guard_not_send.rs > build/selftest/cf/guard_not_send.rs && "
		       "build/bin/rkm-compile-fail " CF_CMD " build/selftest/cf",
		.fails = true,
		.expect = { "not ok 1 guard_not_send # expected E0308 at 15; got E0277 at 15",
			    "compile-fail: 1 cases, 0 passed, 1 failed" },
	},
	{
		.name = "the compile-fail runner: a bad -j is one clear line",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "build/bin/rkm-compile-fail -j 0 " CF_CMD " tests/compile_fail; "
		       "build/bin/rkm-compile-fail -j 2x " CF_CMD " tests/compile_fail",
		.fails = true,
		.expect = { "rkm-compile-fail: -j: '0' is not an integer in 1..256",
			    "rkm-compile-fail: -j: '2x' is not an integer in 1..256" },
		.reject = { "usage:" },
	},
	{
		.name = "the compile-fail runner: a missing librkm.rlib is one clear line",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "mkdir -p build/selftest && sed 's#librkm.rlib#librkm-missing.rlib#' " CF_CMD
		       " > build/selftest/cf.cmd && build/bin/rkm-compile-fail build/selftest/cf.cmd tests/compile_fail",
		.fails = true,
		.expect = { "librkm-missing.rlib: No such file or directory (build a driver first" },
	},
	{
		.name = "rkm new: the scaffold, outside the rkm tree, passes rkm test on every kernel",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_rkm --dir $d && PATH=$PWD/build/bin:$PATH make -C $d/hello_rkm test; "
		       "rc=$?; rm -rf $d; exit $rc",
		.expect = { "NEW     ", "hello_rkm.rs", "# {K}: * passed, 0 failed", "in {K}: ^ok * hello_rkm-test #",
			    "ok 1 stores_and_returns_the_last_message", "ok 2 bad_input_gets_a_clean_error" },
		.reject = { "not ok" },
	},
	{
		.name = "rkm new refuses a name that cannot be a module's, a bad PCI id or QEMU model, and never overwrites",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=$(mktemp -d) && mkdir $d/taken && " RKM "new Bad-Name --dir $d; "
		       RKM "new p1 --pci 12345:1 --dir $d; " RKM "new p2 --pci 1234 --dir $d; "
		       RKM "new p3 --pci ffff:1 --dir $d; " RKM "new p4 --qemu-device edu --dir $d; "
		       RKM "new p5 --pci 1234:11e8 --qemu-device 'edu x' --dir $d; "
		       "ls $d | grep -x 'p[0-9]' | sed 's/^/created /'; "
		       RKM "new taken --dir $d; rc=$?; rm -rf $d; exit $rc",
		.fails = true,
		.expect = { "'Bad-Name' cannot be a module name: use lower-case letters",
			    "rkm: --pci: '12345:1' is not VENDOR:DEVICE, two hexadecimal ids of 1 to 4 digits",
			    "rkm: --pci: '1234' is not VENDOR:DEVICE",
			    "rkm: --pci: vendor ffff is no vendor",
			    "rkm: --qemu-device: only with --pci VENDOR:DEVICE",
			    "rkm: --qemu-device: 'edu x' is not a QEMU device model",
			    "/taken: File exists (rkm new never overwrites" },
		.reject = { "created " },
	},
	{
		.name = "rkm new --pci: the scaffold builds for any vendor:device; without --qemu-device its qemu line is a comment",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=$(mktemp -d) && " RKM "new any_pci --pci 1B36:5 --dir $d >/dev/null && "
		       "grep -c '^qemu' $d/any_pci/rkm.manifest; grep '^# qemu ' $d/any_pci/rkm.manifest && "
		       "grep -o 'DeviceId::new(0x1b36, 0x0005)' $d/any_pci/any_pci.rs && "
		       RKM "build $d/any_pci --kernel 6.12; rc=$?; rm -rf $d; exit $rc",
		.expect = { "^0", "# qemu    -device MODEL", "the QEMU device with ids 1b36:0005",
			    "DeviceId::new(0x1b36, 0x0005)", "KO      */any_pci/build/6.12/any_pci.ko" },
		.reject = { "warning" },
	},
	{
		.name = "rkm lint: rustfmt --check and clippy are clean over the crate and every sample, "
			"and no sample can panic (its built object calls no panic from the driver's code)",
		.tier = CHECK,
		.uses = "samples",
		.early = true,
		.cmd = RKM "lint " SAMPLES,
		.expect = { "CLIPPY  rkm crate", "CLIPPY  {S}", "RUSTFMT {S}", "PANICS  {S}",
			    "{S}: 0 place(s) in the driver can panic", "rkm lint: 0 problem(s)" },
		.reject = { "can panic: ", "differs with line tables" },
	},
	{
		.name = "rkm lint catches a clippy warning and a formatting difference, and its count of "
			"problems is the number of diagnostics, differences and panic places it shows",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/lint_bad && rm -rf $d && mkdir -p $d && "
		       "sed 's/rust_minimal/lint_bad/g; s/let first = /let _ = 3u32.clone();  let first  = /; "
		       "s/let errno = params::fail_with();/let errno = [0, 1][params::fail_with() as usize];/' "
		       "samples/rust_minimal/rust_minimal.rs > $d/lint_bad.rs && "
		       RKM "lint $d > $d.log 2>&1; rc=$?; cat $d.log; "
		       "n=$(grep -E '^(error|warning)(\\[[A-Z0-9]+\\])?: |^Diff in |: can panic: ' $d.log | "
		       "grep -vcE '^error: aborting due to|^warning: [0-9]+ warnings? emitted'); "
		       "grep -q \"^rkm lint: $n problem(s)$\" $d.log && echo \"count matches what is shown: $n\"; "
		       "exit $rc",
		.fails = true,
		.expect = { "clippy::clone-on-copy", "Diff in ", "lint_bad.rs:38: can panic: index out of bounds",
			    "count matches what is shown: 3" },
		.reject = { "rkm lint: 0 problem(s)" },
	},
	{
		.name = "rkm doc builds the crate's rustdoc HTML with no rustdoc warning",
		.tier = CHECK,
		.uses = "doc",
		.early = true,
		.cmd = "rm -rf build/doc && mkdir -p build/selftest && " RKM "doc > build/selftest/doc.log 2>&1; "
		       "rc=$?; cat build/selftest/doc.log; [ $rc = 0 ] && test -s build/doc/rkm/index.html && "
		       "ls build/doc/rkm/miscdev/struct.MiscDevice.html && "
		       "grep -qE '^rkm doc: [1-9][0-9]* examples compiled \\([1-9][0-9]* as modules of one crate' "
		       "build/selftest/doc.log && echo examples-compiled",
		.expect = { "DOCTEST rkm", "examples compiled (", "): 0 failed, 0 ignored, ", "rkm doc: ",
			    "struct.MiscDevice.html", "examples-compiled" },
	},
	{
		.name = "rkm doc fails on a crate example that no longer compiles",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/doc_bad && rm -rf $d && mkdir -p $d/doc_bad && cp -r rust $d/rust && "
		       "sed 's/rust_minimal/doc_bad/g' samples/rust_minimal/rust_minimal.rs > $d/doc_bad/doc_bad.rs && "
		       "sed -i 's|^/// assert_eq!(\\*b, 42);|/// let _: u8 = *b;|' $d/rust/src/alloc.rs && "
		       /* and an example that compiles, marked compile_fail */
		       "perl -0pi -e 's|(    /// )```(\\n    /// # use rkm::prelude::\\*;\\n    /// let b = KBox::try_new\\(\\[0u8)|"
		       "$1```compile_fail$2|' $d/rust/src/alloc.rs && grep -q '```compile_fail' $d/rust/src/alloc.rs && "
		       /* all examples, as modules of one crate: the two are named, alone */
		       "(RKM_CRATE=$PWD/$d/rust " RKM "doc --driver $d/doc_bad --out $d/html > $d/merged.log 2>&1; "
		       "echo merged-rc=$?; cat $d/merged.log; n=$(grep -n 'let _: u8 = [*]b;' $d/rust/src/alloc.rs | cut -d: -f1); "
		       "grep -q \"src/alloc.rs:$n:\" $d/merged.log && echo the-broken-line-named) && "
		       /* rustdoc --test, the broken example's module only */
		       "RKM_CRATE=$PWD/$d/rust " RKM "doc --driver $d/doc_bad --out $d/html --examples alloc::KBox",
		.fails = true,
		.expect = { "merged-rc=2", "--- ", "alloc::KBox<T>::try_new (line",
			    "(marked compile_fail: it compiles)", "alloc::KBox (line",
			    "error[E0308]: mismatched types", "): 2 failed, 0 ignored, ",
			    "the-broken-line-named",
			    "alloc::KBox (line", "error[E0308]: mismatched types",
			    "an example in the crate's documentation does not compile" },
	},
	{
		.name = "rkm doc --examples: a name no example has is one line, not a pass",
		.tier = CHECK,
		.uses = "doc",
		.cmd = RKM "doc --out build/selftest/doc_none --examples no::such::item",
		.fails = true,
		.expect = { "rkm: --examples 'no::such::item': no example of the crate has that in its name" },
		.reject = { "rkm doc: " },
	},
	{
		.name = "rkm lint: an unsafe block without SAFETY comment, an unsafe fn without # Safety (clippy)",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/lint_safety && rm -rf $d && mkdir -p $d/lint_safety && cp -r rust $d/rust && "
		       "sed 's/rust_minimal/lint_safety/g' samples/rust_minimal/rust_minimal.rs > $d/lint_safety/lint_safety.rs && "
		       "sed -i '0,/\\/\\/ SAFETY:/s//\\/\\/ Nothing./; 0,/\\/\\/\\/ # Safety/s//\\/\\/\\/ # Notes/' $d/rust/src/alloc.rs && "
		       "RKM_CRATE=$PWD/$d/rust " RKM "lint $d/lint_safety",
		.fails = true,
		.expect = { "unsafe block missing a safety comment",
			    "unsafe function's docs are missing a `# Safety` section" },
		.reject = { "rkm lint: 0 problem(s)" },
	},
	{
		.name = "a driver from rkm new that drops #![forbid(unsafe_code)] and uses unsafe does not build",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_unsafe --dir $d >/dev/null && "
		       "sed -i '/^#!\\[forbid(unsafe_code)\\]$/d' $d/hello_unsafe/hello_unsafe.rs && "
		       "! grep -q forbid $d/hello_unsafe/hello_unsafe.rs && "
		       "printf 'pub fn peek(addr: usize) -> u8 {\\n    unsafe { *(addr as *const u8) }\\n}\\n' "
		       ">> $d/hello_unsafe/hello_unsafe.rs && " RKM "build $d/hello_unsafe --kernel 6.12; "
		       "rc=$?; rm -rf $d; exit $rc",
		.fails = true,
		.expect = { "error: usage of an `unsafe` block", "`-F unsafe-code`",
			    "hello_unsafe for 6.12: build failed" },
	},
	{
		.name = "rkm rust-project: rust-analyzer resolves core, alloc, rkm and #[rkm::vtable] for a new driver",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_ra --dir $d >/dev/null && " RKM "rust-project $d/hello_ra && "
		       /* cargo (run on the sysroot) would retry the unreachable registry for minutes */
		       "export CARGO_NET_OFFLINE=true; "
		       /* one error planted: it is found, and it is the only one (one run, not two) */
		       "printf 'fn f() { let _ = no_such_fn(); }\\n' >> $d/hello_ra/hello_ra.rs; "
		       "l=$(wc -l < $d/hello_ra/hello_ra.rs); "
		       "/usr/bin/rust-analyzer diagnostics $d/hello_ra > $d/ra.log 2>&1; echo ra-exit=$?; "
		       "tr '\\r' '\\n' < $d/ra.log > $d/ra.lines; "
		       "echo ra-errors=$(grep -c 'Error Rustc' $d/ra.lines); "
		       "grep -q \"Error RustcHardError(\\\"E0425\\\") from LineCol { line: $((l - 1)),\" $d/ra.lines && "
		       "echo planted-error-found; rm -rf $d",
		.expect = { "rust-project.json (rustc ", "ra-exit=1", "ra-errors=1", "planted-error-found" },
	},
	{
		.name = "rkm sign: the kernel's sign-file signs with the user's key; the signed module loads",
		.uses = "sign samples logs-run",
		.cmd = "d=build/selftest/sign && rm -rf $d && mkdir -p $d/m/build/6.1 $d/m/build/6.12 && "
		       "openssl req -new -nodes -utf8 -sha256 -days 1 -batch -x509 -subj /CN=rkm-selftest/ "
		       "-outform DER -out $d/cert.der -keyout $d/key.pem 2>/dev/null && "
		       "for k in 6.1 6.12; do cp samples/rust_minimal/build/$k/rust_minimal.ko $d/m/build/$k/; done && "
		       RKM "sign --key $d/key.pem --cert $d/cert.der $d/m/build/6.1/rust_minimal.ko "
		       "$d/m/build/6.12/rust_minimal.ko && modinfo $d/m/build/6.12/rust_minimal.ko && "
		       RKM "run --kernel 6.1 --kernel 6.12 --module $d/m/build/%k/rust_minimal.ko",
		.expect = { "SIGNED  build/selftest/sign/m/build/6.1/rust_minimal.ko (6.1, sha256)",
			    "signer:         rkm-selftest", "sig_hashalgo:   sha256",
			    "# 6.1: * passed, 0 failed", "# 6.12: * passed, 0 failed" },
	},
	{
		.name = "rkm sign: a missing key or module is one line that says what to do",
		.uses = "sign",
		.cmd = RKM "sign --key /nonexistent/key.pem --cert /nonexistent/cert.der "
		       "samples/rust_minimal/build/6.12/rust_minimal.ko; "
		       "d=build/selftest/sign && " RKM "sign --key $d/key.pem --cert $d/cert.der /nonexistent/x.ko",
		.fails = true,
		.expect = { "cannot read the private key /nonexistent/key.pem: No such file or directory; "
			    "make one with: openssl req", "no module /nonexistent/x.ko: build it first" },
	},
	{
		.name = "a missing clippy, rustfmt, rustdoc or rustc is one line naming the package",
		.tier = CHECK,
		.uses = "",
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
		.tier = CHECK,
		.uses = "fakecache",
		.cmd = "mkdir -p build/fakecache && printf 'debug 6.12.0-rkm-debug %s /nonexistent/kdir\\n' "
		       "\"$(ls /boot/vmlinuz-6.12.*-amd64 | head -n 1)\" > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "build samples/rust_minimal --kernel debug",
		.fails = true,
		.expect = { "no headers for kernel 6.12.0-rkm-debug: /nonexistent/kdir is missing; "
			    "run 'make setup-debug'" },
	},
	{
		.name = "rkm dkms packages a driver: the stock object and the debug kernel's KASAN object",
		.uses = "scratch",
		.cmd = SCRATCH RKM "dkms build/selftest/rust_minimal --version 0.9 && "
		       "cat build/selftest/rust_minimal/build/dkms/rust_minimal-0.9/prebuilt/*/rkm-object",
		.expect = { "DKMS    ", "rust_minimal-0.9",
			    "profile 'ibt retpoline rethunk sls padding16', for {STOCK}",
			    "profile 'ibt retpoline rethunk sls padding16 kasan', for debug", "abi=", "sha256=" },
	},
	{
		.name = "rkm dkms: no driver directory, or a C driver, is a one-line error",
		.tier = CHECK,
		.uses = "",
		.cmd = RKM "dkms samples/no_such_driver; " RKM "dkms samples/rust_echo/c_echo",
		.fails = true,
		.expect = { "no driver directory samples/no_such_driver", "is not a Rust driver: no c_echo.rs" },
	},
	{
		.name = "rkm dkms writes no package for a driver that does not build",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "echo 'fn broken( {' >> build/selftest/rust_minimal/rust_minimal.rs && "
		       RKM "dkms build/selftest/rust_minimal",
		.fails = true,
		.expect = { "rust_minimal does not build for kernel 6.12: no package written" },
		.reject = { "DKMS    " },
	},
	{
		.name = "rkm dkms on fabricated user kernels: without retpoline, refused from the profile whatever "
			"the object's symbols, with the command that packages for it; a package for every kernel "
			"known has an object for it, which links there; a missing export is named; clang kCFI is "
			"refused by the build and the package",
		.uses = "samples profiles",
		.cmd = "tests/dkms/profiles.sh",
		.expect = { "rust_minimal: its object calls * retpoline thunk(s)",
			    "rust_echo: its object calls 0 retpoline thunk(s)",
			    "refused rust_minimal on noretp: rkm: rust_minimal for 6.12.0-900-noretp: kernel profile "
			    "'ibt rethunk sls padding16' needs a Rust object this package does not ship: "
			    "'ibt retpoline rethunk sls padding16' (object is built for retpoline, kernel is not",
			    "refused rust_echo on noretp: * (object is built for retpoline, kernel is not",
			    "`rkm dkms DIR --kernel 6.12 --kernel 6.12.0-900-noretp` (DIR: the source of rust_echo)",
			    "profile 'ibt retpoline rethunk sls padding16', for {STOCK}",
			    "profile 'ibt rethunk sls padding16', for noretp",
			    "module for noretp: 6.12.0-900-noretp * using ibt-rethunk-sls-padding16 sha256 ",
			    "refused rust_minimal on noexport: rkm: rust_minimal for 6.12.0-901-noexport: kernel does "
			    "not export __x86_return_thunk, which the Rust object ibt-retpoline-rethunk-sls-padding16 "
			    "needs; its profile fits this kernel, so rebuilding the package cannot help (kernels that "
			    "export it: {REL:6.12})",
			    "refused rust_minimal on kcfi: rkm: rust_minimal for 6.12.0-902-kcfi: kernel uses clang "
			    "kCFI (CONFIG_CFI_CLANG), which rkm does not support yet",
			    "no module for kcfi: rkm: rust_echo for 6.12.0-902-kcfi: kernel uses clang kCFI",
			    "*** rkm: this kernel uses clang kCFI (CONFIG_CFI_CLANG), which rkm does not support yet",
			    "rust_minimal does not build for kernel kcfi: no package written" },
		.reject = { "FAIL:", "accepted ", "rust_minimal: its object calls 0 ", "on noexport: * does not ship",
			    "^module for kcfi: " },
	},
	{
		.name = "reproducible builds: one sample from two checkout directories gives identical objects, "
			"module and DKMS package",
		.uses = "repro",
		.cmd = "tests/dkms/reproducible.sh",
		.expect = { "ok identical: samples/rust_echo/build/6.12/rust_echo-rust.o ",
			    "ok identical: samples/rust_echo/build/6.12/rust_echo.ko ", "ok identical: pkg.tar ",
			    "reproducible: 5 files identical in two checkouts" },
		.reject = { "FAIL:" },
	},
	{
		.name = "DKMS round trip: one Rust object, dkms builds without rustc for every kernel, "
			"the modules pass their tests, mismatches fail",
		.cmd = "tests/dkms/roundtrip.sh",
		.expect = { "ok dkms rust_echo {REL}: using ", "ok dkms rust_semaphore {REL}: using ",
			    "-rt-amd64: using ibt-retpoline-rethunk-sls-padding16 sha256 ",
			    "ok one object for {NSTOCK} stock kernels: rust_echo",
			    "ok one object for {NSTOCK} stock kernels: rust_semaphore",
			    "ok negative relabelled", "ok negative replaced",
			    "ok negative abi: *was built for rkm ABI {ABI} *, the glue in this package implements ABI 999",
			    "# {K}: * passed, 0 failed", "in {K}: ^ok * rust_echo-test #",
			    "in {K}: ^ok * rust_semaphore-test #" },
		.reject = { "not ok", "FAIL:", "rkm: FAIL" },
		.stream = true,
	},
	{
		.name = "a parameter descriptor that smuggles C into rkm-params.c fails the build",
		.tier = CHECK,
		.uses = "",
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
		.name = "benchmark smoke run: both clocks, table, CSV, JSON and chart, the profile",
		.cmd = "rm -rf build/bench-smoke && " RKM "bench --kernel 6.12 --boots 1 --runs 1 --scale 1 "
		       "--no-costs --profile --out build/bench-smoke && test -s build/bench-smoke/bench.png && "
		       "grep -c ',rust,' build/bench-smoke/bench.csv",
		/* --profile: instructions per module and function, Rust names demangled, events. */
		.expect = { "# clock wall:", "# clock icount:", "{W}", "# chart: ",
			    "# profile: echo_rt_64B, instructions per operation",
			    "* [rust_echo]", "* [c_echo]", "* total (Rust/C *)", "* context switches",
			    "<rkm::miscdev::Trampolines<rust_echo::EchoFile>>::write [rust_echo]" },
	},
	{
		.name = "broken modules build",
		.uses = "rkm_warn rkm_taint rkm_hang",
		.cmd = RKM "build tests/broken/rkm_warn tests/broken/rkm_taint tests/broken/rkm_hang"
		       " --kernel 6.1 --kernel 6.12",
	},
	{
		.name = "a module that WARNs fails the kernel-log and taint checks",
		.uses = "rkm_warn logs-run",
		.cmd = RKM "run --kernel 6.1 --kernel 6.12 --module " BROKEN("rkm_warn"),
		.fails = true,
		.expect = { "not ok 2 kernel-log", "# kernel: WARNING: CPU:", "flags: W",
			    "# 6.1: 1 passed, 2 failed", "# 6.12: 1 passed, 2 failed",
			    "rkm: FAIL on 6.12" },
	},
	{
		.name = "a module that taints silently fails the taint check",
		.uses = "rkm_taint logs-run",
		.cmd = RKM "run --kernel 6.12 --module " BROKEN("rkm_taint"),
		.fails = true,
		.expect = { "ok 2 kernel-log", "not ok 3 taint", "flags: U", "full logs:" },
	},
	{
		.name = "a watchdog left running where no reset is expected fails the boot, named, and the guest "
			"goes on (QEMU's -action watchdog=debug)",
		.uses = "watchdog_left",
		.cmd = RKM "test tests/broken/watchdog_left --kernel 6.12 --logs build/selftest/watchdog_left",
		.fails = true,
		.expect = { "ok 1 watchdog_left_running", "ok 3 taint", "rkm: FAIL on 6.12: the watchdog "
			    "fired in a boot that expected no reset", "# 6.12: 3 passed, 1 failed" },
	},
	{
		.name = "a module that hangs is ended by the guest init's per-item timeout",
		.uses = "rkm_hang logs-run",
		.cmd = RKM "run --kernel 6.12 --test-timeout 8 --module " BROKEN("rkm_hang"),
		.fails = true,
		.expect = { "timed out after 8 s", "not ok 1 load rkm_hang.ko", "TIMEOUT",
			    "ok 3 taint" },
	},
	{
		.name = "a guest that never finishes is killed by the host timeout",
		.uses = "rkm_hang logs-run",
		.cmd = RKM "run --kernel 6.12 --test-timeout 600 --timeout 20 --module "
		       BROKEN("rkm_hang"),
		.fails = true,
		.expect = { "host timeout: QEMU killed after 20 s", "console log tail" },
	},
	{
		.name = "a Rust panic prints message and location, BUGs with a Rust stack trace",
		.uses = "rust_panic logs-run",
		.cmd = RKM "build tests/broken/rust_panic --kernel 6.1 --kernel 6.12 && "
		       RKM "run --kernel 6.1 --kernel 6.12 --module " BROKEN("rust_panic"),
		.fails = true,
		.expect = { "rust_panic: rust panic: deliberate panic for the harness self-test, mode 0 at ",
			    "rust_panic.rs:15:13", "kernel BUG at", "Call Trace:", "flags: D",
			    "# 6.1: 0 passed, 3 failed" },
	},
	{
		.name = "RKM_DEBUG=1 builds check integer overflow: a panic, not a wrap",
		.uses = "rust_panic logs-run",
		.cmd = "RKM_DEBUG=1 " RKM "build tests/broken/rust_panic --kernel 6.12 && "
		       RKM "run --kernel 6.12 --module " BROKEN("rust_panic") ":mode=1",
		.fails = true,
		.expect = { "rust panic: attempt to add with overflow at ", "kernel BUG at" },
	},
	{
		.name = "release builds wrap (no overflow checks), as the kernel's C does",
		.uses = "rust_panic logs-run",
		.cmd = RKM "build tests/broken/rust_panic --kernel 6.12 && "
		       RKM "run --kernel 6.12 --module " BROKEN("rust_panic") ":mode=1",
		.expect = { "ok 1 load rust_panic.ko", "ok 2 kernel-log", "ok 3 taint" },
	},
	{
		.name = "the samples' variant intx: the drivers that declare it, booted with pci=nomsi "
			"(the legacy INTx line; shared-IRQ checks on debug)",
		.kernels = "6.12 debug",
		.cmd = RKM "test " SAMPLES " --variant intx --kernel 6.12 --kernel debug",
		.expect = { "# variant intx: ", "(kernel arguments: pci=nomsi)", "# {K}: * passed, 0 failed",
			    "in {K}: ^ok *-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "a safe driver keeping its BAR past unbind and dropping a DMA buffer mid-transfer is made harmless",
		.uses = "pci_escape logs-test",
		.cmd = RKM "test tests/pci_escape --kernel 6.12 --kernel debug",
		.expect = { "coherent allocations of 0000:", "after the buffer was dropped: 1",
			    "# 6.12: * passed, 0 failed", "# debug: * passed, 0 failed",
			    "in 6.12: ^ok * pci_escape-test #", "in debug: ^ok * pci_escape-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "a safe driver's attacks (open during a failing init, name clashes, an Arc cycle) are harmless on every kernel",
		.cmd = RKM "test tests/hostile",
		.expect = { "in {K}: ok * opens_during_a_failing_init_are_refused",
			    "in {K}: ok * misc_name_clashes_are_refused_before_the_kernel_sees_them",
			    "in {K}: ok * an_attribute_named_like_the_pci_core_s_is_refused_at_probe",
			    "in {K}: ok * a_registration_in_an_arc_cycle_unloads",
			    "# {K}: * passed, 0 failed", "in {K}: ^ok * hostile-test #" },
		.reject = { "not ok" },
	},
	{
		/* Issue 18: every kernel (the debug kernel's configfs is a module, as stock). */
		.name = "configfs: a subsystem named at load, mkdir'd items with attributes, bad values refused, "
			"rmmod refused while a directory or file exists, concurrent writers, mkdir's allocations failed",
		.cmd = RKM "test tests/configfs_demo",
		.expect = { "in {K}: ok * item_attributes", "in {K}: ok * files_after_rmdir",
			    "in {K}: ok * concurrent_writers_and_rmdir", "in {K}: ok * mkdir_allocations_fail_cleanly",
			    "# {K}: * passed, 0 failed", "in {K}: ^ok * configfs_demo-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "the crate's unit tests pass inside every kernel (KTAP)",
		.cmd = "RKM_KTEST=1 " RKM "test tests/rkm_ktest",
		.expect = { "ok * alloc", "ok * error", "ok * print", "ok * param", "ok * driver", "ok * sync", "ok * user",
			    "ok * spinlock_irq_guards_drop_in_any_order", "ok * nested_locks_of_one_class",
			    "ok * hrtimer", "ok * oneshot_cancel_while_running", "ok * configfs", "ok * dma",
			    "ok * net",
			    "# {K}: * passed, 0 failed", "in {K}: ^ok * rkm_ktest-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "network devices without hardware: two Ethernet devices joined through NAPI, driven by "
			"Debian's ip, ping, ethtool and iperf3 across namespaces (tests/net_pair)",
		.cmd = RKM "test tests/net_pair --test-timeout 300 --logs build/selftest/net_pair",
		.expect = { "in {K}: ok * ping_across_namespaces", "in {K}: ok * tcp_transfer_with_iperf3",
			    "in {K}: ok * ethtool_info_rings_stats", "in {K}: ok * mtu_limits_and_jumbo_frames",
			    "in {K}: ok * mac_address_changes", "in {K}: ok * promiscuous_mode",
			    "in {K}: ok * rmmod_while_up", "in {K}: ok * load_unload_cycles",
			    "in {K}: ok * init_allocations_fail_cleanly", "# {K}: * passed, 0 failed",
			    "in {K}: ^ok * net_pair-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "a skip list entry with a reason skips the item",
		.uses = "rkm_taint skip logs-run",
		.cmd = "printf '6.12 rkm_taint.ko known to taint, for the self-test\\n' > build/skip.ok && "
		       RKM "run --kernel 6.12 --skip build/skip.ok --module " BROKEN("rkm_taint"),
		.expect = { "# SKIP known to taint, for the self-test", "ok 3 taint",
			    "# 6.12: 2 passed, 0 failed, 1 skipped" },
	},
	{
		.name = "a skip list entry without a reason is refused",
		.uses = "rkm_taint skip logs-run",
		.cmd = "printf '6.12 rkm_taint.ko\\n' > build/skip.bad && "
		       RKM "run --kernel 6.12 --skip build/skip.bad --module " BROKEN("rkm_taint"),
		.fails = true,
		.expect = { "a skip needs a kernel, a test and a reason" },
		.reject = { "booting" },
	},
	{
		.name = "objtool rejects a Rust object built without mitigations (6.1: on the object)",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "RKM_NO_MITIGATIONS=1 " RKM "build build/selftest/rust_minimal --kernel 6.1",
		.fails = true,
		.expect = { "warning: objtool:", "missing int3 after ret", "objtool warnings are errors" },
	},
	{
		.name = "objtool rejects a Rust object built without mitigations (6.12: on the module)",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "RKM_NO_MITIGATIONS=1 " RKM "build build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "warning: objtool:", "relocation to !ENDBR", "objtool warnings are errors" },
	},
	{
		.name = "arm64: samples cross-build for Debian's arm64 6.1 and 6.12 with one Rust object for "
			"both, its return addresses signed as the kernels' (PAC); rkm kernels lists them",
		.tier = CHECK,
		.uses = "samples arm64",
		.cmd = RKM "kernels arm64 && " RKM "build samples/rust_minimal samples/rust_echo samples/rust_edu "
		       "samples/rust_e1000 --kernel arm64 >/dev/null && for s in rust_minimal rust_echo rust_edu "
		       "rust_e1000; do b=samples/$s/build; cmp $b/arm64-6.1/$s-rust.o $b/arm64-6.12/$s-rust.o && "
		       "echo \"$s: one Rust object for both\"; for k in arm64-6.1 arm64-6.12; do "
		       "echo \"$s $k: $(/sbin/modinfo -F vermagic $b/$k/$s.ko | awk '{ print $NF }'),"
		       " $(readelf -n $b/$k/$s-rust.o | sed -n 's/.*AArch64 feature: //p')\"; done; done",
		.expect = { "arm64-6.1 * arm64 * build+boot arm64 * pac", "arm64-6.12 * arm64 * build+boot arm64 * pac",
			    "rust_minimal: one Rust object for both", "rust_echo: one Rust object for both",
			    "rust_edu: one Rust object for both", "rust_e1000: one Rust object for both",
			    "rust_echo arm64-6.1: aarch64, PAC", "rust_e1000 arm64-6.12: aarch64, PAC" },
	},
	{
		.name = "arm64: kbuild/arm64-check refuses a Rust object without pointer authentication, "
			"naming each function that does not sign its return address",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "RKM_NO_MITIGATIONS=1 " RKM "build build/selftest/rust_minimal --kernel arm64-6.12",
		.fails = true,
		.expect = { "rust_minimal-rust.o: no PAC in its GNU property note (none), while the kernel has "
			    "CONFIG_ARM64_PTR_AUTH_KERNEL",
			    "rust_minimal-rust.o: function rkm_rust_init does not sign its return address (no paciasp)",
			    "build failed" },
	},
	{
		.name = "arm64: every sample but edu (QEMU's edu reaches 28 bits of DMA, virt's RAM starts at "
			"1 GiB) and those with Debian programs passes on Debian's arm64 6.1 and 6.12 under "
			"qemu-system-aarch64, with the fuzzer, load/unload cycles and watchdog resets",
		.uses = "samples arm64",
		.cmd = RKM "test samples/rust_echo samples/rust_i6300esb samples/rust_minimal samples/rust_params "
		       "samples/rust_pcitest samples/rust_pipe samples/rust_print samples/rust_scull "
		       "samples/rust_semaphore samples/rust_sync samples/rust_ticker samples/rust_vectors "
		       "--kernel arm64 --reliability --test-timeout 900 --logs build/selftest/arm64",
		.expect = { "# arm64-6.1: * passed, 0 failed", "# arm64-6.12: * passed, 0 failed",
			    "^ok * rust_echo-test", "^ok * rust_semaphore-test", "^ok * rkm-fuzz",
			    "^ok * rkm-cycles", "^ok * taint",
			    "# arm64-6.12: 1 passed, 0 failed, 0 skipped (boot to reset " },
		.reject = { "not ok", "rkm: FAIL" },
	},
	{
		.name = "a Rust function with a 16 KiB stack frame fails the build at each kernel's own CONFIG_FRAME_WARN",
		.kernels = "stock",
		.tier = CHECK,
		.uses = "broken",
		.cmd = "for k in {STOCK}; do w=$(sed -n 's/^CONFIG_FRAME_WARN=//p' \"$(" RKM "kernels | "
		       "awk -v k=$k '$1 == k { print $4 }')/include/config/auto.conf\"); "
		       "out=$(" RKM "build tests/broken/rkm_bigframe --kernel $k 2>&1); printf '%s\\n' \"$out\"; "
		       "[ -n \"$w\" ] && printf '%s\\n' \"$out\" | grep -qF \"more than the kernel's CONFIG_FRAME_WARN=$w\" && "
		       "echo \"$k: refused at its own CONFIG_FRAME_WARN=$w\"; done",
		.expect = { "rkm: rkm_bigframe-rust.o: function 'rkm_bigframe::Big::sum_on_stack' uses a *-byte "
			    "stack frame, more than the kernel's CONFIG_FRAME_WARN=",
			    "rkm_bigframe for {K}: build failed", "{K}: refused at its own CONFIG_FRAME_WARN=" },
		.reject = { "KO      " },
	},
	{
		.name = "the crate's own objects are checked too: a 16 KiB frame in an rkm function no driver calls",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "rm -rf build/selftest/rust-bigframe && cp -r rust build/selftest/rust-bigframe && "
		       "printf '\\n/// Broken on purpose (selftest): a 16 KiB frame in the crate.\\n#[inline(never)]\\n"
		       "pub fn big_frame(seed: u8) -> u8 {\\n    let buf = core::hint::black_box([seed; 16 * 1024]);\\n"
		       "    buf[usize::from(seed)]\\n}\\n' >> build/selftest/rust-bigframe/src/lib.rs && "
		       "RKM_CRATE=$PWD/build/selftest/rust-bigframe " RKM "build build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "rkm: librkm.rlib: function 'rkm::big_frame' uses a *-byte stack frame, more than the "
			    "kernel's CONFIG_FRAME_WARN=", "rust_minimal for 6.12: build failed" },
		.reject = { "KO      " },
	},
	{
		.name = "rkm-stack-check: CONFIG_FRAME_WARN=0 is no limit; a bad limit or a non-object is one line",
		.tier = CHECK,
		.uses = "broken samples",
		.cmd = RKM "build tests/broken/rkm_bigframe --kernel 6.12 >/dev/null 2>&1; "
		       RKM "build samples/rust_minimal --kernel 6.12 >/dev/null && "
		       "b=tests/broken/rkm_bigframe/build/6.12; $b/rkm-stack-check -v 0 $b/rkm_bigframe-rust.a && "
		       "echo no-limit-passes; $b/rkm-stack-check 2k $b/rkm_bigframe-rust.a; "
		       "$b/rkm-stack-check 2048 tests/broken/rkm_bigframe/Kbuild; "
		       "$b/rkm-stack-check 2048 samples/rust_minimal/build/6.12/rust_minimal-rust.o",
		.fails = true,
		.expect = { "largest stack frame * bytes in 'rkm_bigframe::Big::sum_on_stack' (CONFIG_FRAME_WARN=0)",
			    "no-limit-passes", "rkm: bad CONFIG_FRAME_WARN '2k': expected a number of bytes (0: no limit)",
			    "rkm: tests/broken/rkm_bigframe/Kbuild: not an ELF object or an archive of them",
			    "rust_minimal-rust.o: no .stack_sizes section: compile it with rustc -Zemit-stack-sizes" },
	},
	{
		.name = "the same scratch driver with mitigations builds cleanly",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH RKM "build build/selftest/rust_minimal --kernel 6.1 --kernel 6.12",
		.expect = { "build/6.1/rust_minimal.ko", "build/6.12/rust_minimal.ko" },
		.reject = { "warning", "WARNING" },
	},
	{
		.name = "rkm-cc: a compiler probe runs once, its answer replayed exactly (status, output, "
			"object); another input is another probe; a real compile always runs",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=$PWD/build/selftest/rkm-cc && rm -rf $d && mkdir -p $d && "
		       "printf '#!/bin/sh\\necho run >> %s/runs\\nexec gcc \"$@\"\\n' $d > $d/cc && "
		       "chmod +x $d/cc && export RKM_PROBES=$d/probes && for i in 1 2; do "
		       "build/bin/rkm-cc $d/cc -Werror -fno-rkm-no-such-flag -c -x c /dev/null -o $d/no$i.o "
		       "> $d/no$i.log 2>&1; echo \"unknown flag: exit $?\"; printf 'nop\\n' | "
		       "build/bin/rkm-cc $d/cc -c -x assembler-with-cpp -o $d/as$i.o -; "
		       "echo \"as-instr: exit $?\"; done; cat $d/no2.log; "
		       "cmp $d/no1.log $d/no2.log && cmp $d/as1.o $d/as2.o && test ! -e $d/no2.o && "
		       "echo replayed-exactly; printf 'rkm_no_such_insn\\n' | build/bin/rkm-cc $d/cc -c "
		       "-x assembler-with-cpp -o $d/bad.o - 2>/dev/null; echo \"bad instruction: exit $?\"; "
		       "echo \"compiler runs: $(wc -l < $d/runs)\"; "
		       "printf 'int f(void) { return 1; }\\n' > $d/f.c && for i in 1 2; do "
		       "build/bin/rkm-cc $d/cc -c $d/f.c -o $d/f.o || exit 1; done; "
		       "echo \"after two real compiles: $(wc -l < $d/runs)\"",
		.expect = { "unknown flag: exit 1", "as-instr: exit 0", "unrecognized command-line option",
			    "replayed-exactly", "bad instruction: exit 1", "compiler runs: 3",
			    "after two real compiles: 5" },
		.reject = { "unknown flag: exit 0", "as-instr: exit 1" },
	},
	{
		.name = "the crate cache: a second driver takes the crate and its macros from RKM_CACHE/crates "
			"(same inode, same bytes); a changed crate source is a new entry",
		.tier = CHECK,
		.early = true,
		/*
		 * A crate copy with a unique line: its keys are this run's own. Its
		 * entry is found by its bytes, not as the newest: a case in another
		 * lane may store a crate meanwhile.
		 */
		.cmd = "d=$PWD/build/selftest/crate_cache && rm -rf $d && mkdir -p $d && cp -r rust $d/rust && "
		       "echo \"// $(date +%s%N)\" >> $d/rust/src/lib.rs && "
		       "for n in cc_a cc_b; do mkdir -p $d/$n && sed \"s/rust_minimal/$n/g\" samples/rust_minimal/rust_minimal.rs "
		       "> $d/$n/$n.rs; done && c=${RKM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rkm}/crates && export RKM_CRATE=$d/rust && "
		       "entry() { for f in $c/*-librkm.rlib; do cmp -s $f $1 && basename $f && return; done; }; "
		       RKM "build $d/cc_a --kernel 6.12 >/dev/null && "
		       "e=$(entry $d/cc_a/build/6.12/librkm.rlib) && [ -n \"$e\" ] && "
		       "echo stored && i=$(stat -c %i $c/$e) && t=$(stat -c %y $c/$e) && "
		       RKM "build $d/cc_b --kernel 6.12 >/dev/null && cmp $c/$e $d/cc_b/build/6.12/librkm.rlib && "
		       /* a hit touches the entry (same inode, a new time); a miss writes a new file */
		       "[ \"$(stat -c %i $c/$e)\" = \"$i\" ] && [ \"$(stat -c %y $c/$e)\" != \"$t\" ] && "
		       "echo second-driver-hit && "
		       "echo '// changed' >> $d/rust/src/lib.rs && " RKM "build $d/cc_a --kernel 6.12 >/dev/null && "
		       "f=$(entry $d/cc_a/build/6.12/librkm.rlib) && [ -n \"$f\" ] && [ \"$f\" != \"$e\" ] && "
		       "echo changed-source-new-entry",
		.expect = { "stored", "second-driver-hit", "changed-source-new-entry" },
	},
	{
		.name = "the glue cache: the same driver built again in an empty directory takes its glue "
			"object from RKM_CACHE/glue with its dependencies, objtool still run on it; a changed "
			"file the compile read is a new entry",
		.tier = CHECK,
		.uses = "",
		/*
		 * Its own cache, so the entries are this case's. A marker symbol
		 * added to the cached object proves that a module holds the
		 * cached one; the 6.1 kernels run objtool on each object, which
		 * adds .orc_unwind after a hit too (the entry is gcc's output).
		 */
		.cmd = "d=$PWD/build/selftest/glue_cache && rm -rf $d && mkdir -p $d/gc && "
		       "export RKM_GLUE_CACHE=$d/glue && "
		       "sed 's/rust_minimal/gc/g' samples/rust_minimal/rust_minimal.rs > $d/gc/gc.rs && "
		       RKM "build $d/gc --kernel 6.1 >/dev/null && "
		       "echo \"entries: $(ls $d/glue | sed 's/^[0-9a-f]*-//' | sort | tr '\\n' ' ')\" && "
		       "e=$(ls $d/glue/*-rkm-glue.o) && ! readelf -S $e | grep -q orc_unwind && "
		       "objcopy --add-symbol rkm_cached_glue=.text:0,local $e && "
		       "rm -rf $d/gc/build && " RKM "build $d/gc --kernel 6.1 >/dev/null && b=$d/gc/build/6.1 && "
		       "nm $b/gc.ko | grep -q rkm_cached_glue && echo module-holds-the-cached-glue && "
		       "readelf -S $b/rkm-glue.o | grep -q orc_unwind && echo objtool-ran && "
		       "grep -q 'include/linux/slab.h' $b/.rkm-glue.o.cmd && echo dependencies-restored && "
		       /* rkm-params.c, included by rkm-glue.c: same command, other content */
		       "sed -i 's/Fail init with this errno/Fail init with that errno/' $d/gc/gc.rs && "
		       "rm -rf $d/gc/build && " RKM "build $d/gc --kernel 6.1 >/dev/null && "
		       "! nm $b/gc.ko | grep -q rkm_cached_glue && "
		       "echo \"changed parameters: $(ls $d/glue/*-rkm-glue.o | wc -l) objects\"",
		.expect = { "entries: rkm-glue.o rkm-glue.o.d rkm-glue.o.list ", "module-holds-the-cached-glue",
			    "objtool-ran", "dependencies-restored", "changed parameters: 2 objects" },
	},
	{
		.name = "glue linked by need: a driver compiles in only the glue units its Rust object calls "
			"(no PCI glue without PCI); each unit compiles alone on the oldest and newest kernel",
		.tier = CHECK,
		.uses = "samples",
		.early = true,
		.cmd = "for d in rust_minimal rust_echo rust_i6300esb; do "
		       RKM "build samples/$d --kernel 6.12 >/dev/null || exit 1; b=samples/$d/build/6.12; "
		       "echo \"$d units: $(sed -n 's/^#define RKM_GLUE_\\(.*\\) 1$/\\1/p' $b/rkm-glue.c | tr '\\n' ' ')."
		       " $(nm $b/$d.ko | grep -c ' rkm_pci_') rkm_pci_ symbol(s), depends: $(/sbin/modinfo -F depends $b/$d.ko).\"; "
		       "done; tests/glue_units.sh 6.1 6.12",
		.expect = { "rust_minimal units: . 0 rkm_pci_ symbol(s), depends: .",
			    "rust_echo units: MISC . 0 rkm_pci_ symbol(s), depends: .",
			    "rust_i6300esb units: DEVICE WATCHDOG . * rkm_pci_ symbol(s), depends: watchdog.",
			    "ok glue units alone for 6.1: none", "ok glue units alone for 6.12: none" },
		.reject = { "not ok" },
	},
	{
		.name = "a Rust object built for another ABI version fails the build, saying so",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "rm -rf build/selftest/rust-abi-next && cp -r rust build/selftest/rust-abi-next && "
		       "sed -i 's/rkm_abi_version_{ABI}/rkm_abi_version_{ABI+1}/; "
		       "s/ABI_VERSION: c_int = {ABI}/ABI_VERSION: c_int = {ABI+1}/' "
		       "build/selftest/rust-abi-next/src/abi.rs && "
		       "RKM_CRATE=$PWD/build/selftest/rust-abi-next " RKM "build build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "\"rkm_abi_version_{ABI+1}\"", "undefined",
			    "built for rkm ABI {ABI+1}, this glue implements ABI {ABI}" },
	},
	{
		.name = "abi.rs matches include/rkm_abi.h item by item (bindgen); a drifted constant, "
			"argument type or missing function is caught",
		.tier = CHECK,
		.uses = "",
		.cmd = "tests/abi_drift.sh && d=build/selftest/abi_drift && rm -rf $d && mkdir -p $d && "
		       "sed 's/ABI_VERSION: c_int = {ABI}/ABI_VERSION: c_int = {ABI+1}/' rust/src/abi.rs > $d/const.rs && "
		       "sed 's/fn rkm_mutex_lock(m: \\*mut Mutex,/fn rkm_mutex_lock(m: *mut Condvar,/' rust/src/abi.rs > $d/arg.rs && "
		       "sed '/fn rkm_cond_resched/d' rust/src/abi.rs > $d/missing.rs && "
		       "for f in const arg missing; do ! tests/abi_drift.sh $d/$f.rs || exit 1; done",
		.expect = { "abi drift: 0 difference(s)",
			    "RKM_ABI_VERSION: header has const {ABI}, abi.rs has const {ABI+1}",
			    "abi drift: rkm_mutex_lock: header has fn(*mut rkm_mutex, c_uint), abi.rs has fn(*mut rkm_condvar, c_uint)",
			    "abi drift: rkm_cond_resched: header has fn(), abi.rs has nothing" },
	},
	{
		.name = "a module! name that differs from the module's file name fails the build",
		.tier = CHECK,
		.uses = "",
		.cmd = "rm -rf build/selftest/wrong_name && mkdir -p build/selftest/wrong_name && "
		       "cp samples/rust_minimal/rust_minimal.rs build/selftest/wrong_name/wrong_name.rs && "
		       RKM "build build/selftest/wrong_name --kernel 6.12",
		.fails = true,
		.expect = { "module! name differs from the module's file name (KBUILD_MODNAME)" },
	},
	{
		.name = "a missing rustc is a one-line error naming the package",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "RKM_RUSTC=/nonexistent/rustc " RKM "build samples/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "no Rust compiler at /nonexistent/rustc: apt-get install rustc-web" },
	},
	{
		.name = "a missing Rust library source is an error naming rust-web-src",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "RKM_RUST_LIB=/nonexistent " RKM "build samples/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "install rust-web-src" },
	},
	{
		.name = "an unknown kernel is refused with the list of known ones",
		.tier = CHECK,
		.uses = "",
		.cmd = RKM "build samples/rust_minimal --kernel 5.10",
		.fails = true,
		.expect = { "unknown kernel '5.10' (the matrix has: {NAMES})" },
	},
	{
		.name = "a user kernel: rkm kernels add, listed with profile and use, built for, kept by make setup, removed",
		.tier = CHECK,
		.uses = "ucache setup",
		.cmd = UCACHE "h=$(" RKM "kernels 6.12 | awk 'NR == 2 { print $4 }') && "
		       RKM "kernels add my-headers $h && " RKM "kernels add my-612 {REL:6.12} && " RKM "kernels && "
		       RKM "build samples/rust_minimal --kernel my-headers --kernel my-612 && "
		       /* a line added by hand to setup's file, as before user-kernels existed */
		       "echo 'by-hand {REL:6.1}' >> $c/kernels && tools/setup.sh && "
		       "echo \"user lines after setup: $(grep -c . $c/user-kernels)\" && " RKM "kernels by-hand && "
		       RKM "kernels remove my-headers && ! grep -q '^my-headers ' $c/user-kernels && echo removed-from-file && "
		       RKM "kernels user",
		.expect = { "ADDED   my-headers ({REL:6.12}) to *user-kernels: headers ",
			    "my-headers ({REL:6.12}) * can only be built for (no image)",
			    "ADDED   my-612 ({REL:6.12}) * boots /boot/vmlinuz-{REL:6.12}",
			    "^my-headers *{REL:6.12} * - * user * build-only x86_64 *ibt retpoline rethunk sls padding16",
			    "^my-612 *{REL:6.12} * /boot/vmlinuz-{REL:6.12} * user * build+boot x86_64 *ibt retpoline rethunk sls padding16",
			    "^6.12 *{REL:6.12} * matrix * build+boot ",
			    "KO      */build/my-headers/rust_minimal.ko", "KO      */build/my-612/rust_minimal.ko",
			    "rkm setup: moved your kernel 'by-hand {REL:6.1}' from ", "user lines after setup: 3",
			    "^by-hand *{REL:6.1} * user * build+boot x86_64 *retpoline rethunk sls",
			    "REMOVED my-headers from ", "removed-from-file", "^my-612 *user " },
	},
	{
		.name = "rkm kernels add and remove: each bad input is one line saying what to do",
		.tier = CHECK,
		.uses = "ucache",
		.cmd = UCACHE "one() { out=$(\"$@\" 2>&1) && echo \"unexpected success: $*\"; printf '%s\\n' \"$out\"; "
		       "[ \"$(printf '%s\\n' \"$out\" | wc -l)\" = 1 ] || echo \"not one line: $*\"; }; "
		       RKM "kernels add taken {REL:6.12} >/dev/null && "
		       "one " RKM "kernels add 6.12 {REL:6.1}; one " RKM "kernels add taken {REL:6.1}; "
		       "one " RKM "kernels add other {REL:6.1} /nonexistent/bzImage; "
		       "one " RKM "kernels add other 9.9.9-none; one " RKM "kernels add other build/selftest; "
		       "one " RKM "kernels add stock {REL:6.1}; one " RKM "kernels add 'no/slash' {REL:6.1}; "
		       "one " RKM "kernels add {REL:6.1} {REL:6.1}; "
		       "one " RKM "kernels remove 6.1; one " RKM "kernels remove nothing-here; "
		       "one " RKM "build samples/rust_minimal --kernel 9.9.9-none; "
		       /* a malformed line in either list, and a user line naming a matrix kernel */
		       "printf 'three fields here\\n' >> $c/user-kernels && one " RKM "kernels; "
		       "sed -i '$d' $c/user-kernels && printf '6.1 {REL:6.1}\\n' >> $c/user-kernels && one " RKM "kernels; "
		       "sed -i '$d' $c/user-kernels && sed -i '1s/$/ extra/' $c/kernels && one " RKM "kernels",
		.expect = { "rkm: '6.12' is a kernel of the matrix ({REL:6.12}): choose another name",
			    "rkm: a user kernel 'taken' exists ({REL:6.12}, *): remove it first with 'rkm kernels remove taken'",
			    "rkm: /nonexistent/bzImage is not a file: give the kernel image to boot",
			    "rkm: no headers for release 9.9.9-none: /lib/modules/9.9.9-none/build is missing; install linux-headers-9.9.9-none",
			    "rkm: build/selftest has no Makefile: give a kernel build directory (KDIR",
			    "rkm: 'stock' is a word rkm gives a meaning",
			    "rkm: 'no/slash' cannot be a kernel name: use letters, digits and . _ + -",
			    "rkm: '{REL:6.1}' is the release of kernel 6.1: choose a name that is not a release",
			    "rkm: '6.1' is a kernel of the matrix, which 'make setup' writes: only user kernels are removed",
			    "rkm: no user kernel 'nothing-here' (user kernels: taken)",
			    "rkm: unknown kernel '9.9.9-none' (the matrix has: {NAMES}) (user kernels: taken): "
			    "no release of that name has headers in /lib/modules; add one with 'rkm kernels add NAME RELEASE|KDIR [VMLINUZ]'",
			    "user-kernels:2: 'three fields here' is not 'NAME RELEASE' or 'NAME RELEASE VMLINUZ KDIR'; fix or delete that line",
			    "user-kernels:2: the name '6.1' is taken by *kernels:1; remove yours with 'rkm kernels remove 6.1'",
			    "/kernels:1: '6.1 {REL:6.1} extra' is not 'NAME RELEASE' or *; run 'make setup' to rewrite the file" },
		.reject = { "unexpected success", "not one line" },
	},
	{
		.name = "a kernel that can only be built for: it builds; rkm run says why it cannot boot, "
			"and a user's never hears of make setup-debug",
		.tier = CHECK,
		.uses = "ucache",
		.cmd = UCACHE "h=$(" RKM "kernels 6.12 | awk 'NR == 2 { print $4 }') && "
		       RKM "kernels add hdr-only $h && " RKM "build samples/rust_minimal --kernel hdr-only && "
		       RKM "run --kernel hdr-only; " RKM "run --kernel user; "
		       "printf 'gone {REL:6.12} /nonexistent/bzImage /nonexistent/kdir\\n' >> $c/user-kernels && "
		       RKM "build samples/rust_minimal --kernel gone; " RKM "run --kernel gone",
		.fails = true,
		.expect = { "KO      */build/hdr-only/rust_minimal.ko",
			    "rkm: kernel hdr-only ({REL:6.12}) can only be built for: no image (none given); "
			    "give one with 'rkm kernels remove hdr-only' then 'rkm kernels add hdr-only * VMLINUZ'",
			    "none of the kernels named can boot",
			    "rkm: no headers for kernel gone ({REL:6.12}): /nonexistent/kdir/Makefile is missing; "
			    "install linux-headers-{REL:6.12}, or drop the kernel with 'rkm kernels remove gone'" },
		.reject = { "make setup-debug", "booting" },
	},
	{
		.name = "any release with headers installed is a target without an entry; the lists have no limit "
			"on entries or name length; more than RKM_MAX_KERNELS at once is refused, naming it",
		.uses = "ucache samples",
		.cmd = UCACHE "grep -v '^6.12-rt ' $c/kernels > $c/k && mv $c/k $c/kernels && "
		       RKM "kernels {REL:6.12-rt} && " RKM "build samples/rust_minimal --kernel {REL:6.12-rt} && "
		       "max=$(sed -n 's/^#define RKM_MAX_KERNELS //p' tools/rkm/rkm.h) && i=0 && "
		       "while [ $i -lt $max ]; do i=$((i + 1)); " RKM "kernels add extra-$i {REL:6.12} >/dev/null || exit 1; done && "
		       "long=a-kernel-name-forty-characters-long-1234 && " RKM "kernels add $long {REL:6.12} >/dev/null && "
		       "echo \"name length ${#long}\" && "
		       "[ $(" RKM "kernels user | wc -l) = $((max + 2)) ] && echo all-user-kernels-listed && "
		       RKM "build samples/rust_minimal --kernel extra-$max --kernel $long && "
		       RKM "build samples/rust_minimal --kernel all",
		.fails = true,
		.expect = { "^{REL:6.12-rt} *{REL:6.12-rt} * /boot/vmlinuz-{REL:6.12-rt} * installed *build+boot x86_64 *ibt ",
			    "KO      */build/{REL:6.12-rt}/rust_minimal.ko", "name length 40", "all-user-kernels-listed",
			    "KO      */build/a-kernel-name-forty-characters-long-1234/rust_minimal.ko",
			    "KO      */build/extra-*/rust_minimal.ko",
			    "kernels named, more than the * a command takes at once (RKM_MAX_KERNELS): name fewer with --kernel" },
	},
	{
		.name = "a self-built kernel entered as a user kernel (the debug kernel's tree, its bzImage found) boots and passes rkm test",
		.uses = "ucache samples logs-test",
		.kernels = "debug",
		.cmd = UCACHE "d=$(" RKM "kernels debug | awk 'NR == 2 { print $4 }') && " RKM "kernels add my-tree $d && "
		       RKM "test samples/rust_minimal --kernel my-tree",
		.expect = { "ADDED   my-tree ({REL:debug}) * boots */arch/x86/boot/bzImage",
			    "# my-tree: * passed, 0 failed", "in my-tree: ^ok * rust_minimal-test #" },
		.reject = { "not ok" },
	},
	{
		.name = "RKM_JOBS that is not a number of parallel boots is one line, before any boot",
		.tier = CHECK,
		.uses = "",
		.cmd = "RKM_JOBS=0 " RKM "run --kernel 6.12; RKM_JOBS=two " RKM "run --kernel 6.12",
		.fails = true,
		.expect = { "RKM_JOBS=0: give a number of parallel boots from 1 to 64",
			    "RKM_JOBS=two: give a number of parallel boots from 1 to 64" },
		.reject = { "booting" },
	},
	{
		.name = "a matrix without the debug kernel says how to build it",
		.tier = CHECK,
		.uses = "fakecache",
		.cmd = "mkdir -p build/fakecache && printf '6.1 6.1.0-0-none\\n' > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel debug",
		.fails = true,
		.expect = { "the debug kernel is not in the matrix: run 'make setup-debug'" },
	},
	{
		.name = "a debug kernel in the matrix whose build is gone says how to rebuild it",
		.tier = CHECK,
		.uses = "fakecache",
		.cmd = "mkdir -p build/fakecache && printf 'debug 6.12.0-rkm-debug /nonexistent/bzImage /nonexistent\\n' "
		       "> build/fakecache/kernels && RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel debug",
		.fails = true,
		.expect = { "kernel debug (6.12.0-rkm-debug) is not installed: /nonexistent/bzImage is missing; "
			    "run 'make setup-debug'" },
	},
	{
		.name = "a kernel of the matrix that is not installed is named",
		.tier = CHECK,
		.uses = "fakecache",
		.cmd = "mkdir -p build/fakecache && printf '6.1 6.1.0-0-none\\n' > build/fakecache/kernels && "
		       "RKM_CACHE=$PWD/build/fakecache " RKM "run --kernel 6.1",
		.fails = true,
		.expect = { "kernel 6.1 (6.1.0-0-none) is not installed", "make setup" },
	},
	{
		.name = "no kernel matrix at all says to run setup",
		.tier = CHECK,
		.uses = "",
		.cmd = "RKM_CACHE=$PWD/build/nocache " RKM "kernels",
		.fails = true,
		.expect = { "no kernel matrix", "make setup" },
	},
	{
		.name = "modinfo shows what module! declared: license, authors, alias, parameters",
		.kernels = "stock",
		.tier = CHECK,
		.uses = "samples",
		.cmd = RKM "build samples/rust_params --kernel stock >/dev/null && "
		       "for k in {STOCK}; do modinfo samples/rust_params/build/$k/rust_params.ko; done",
		.expect = { "license:        GPL", "author:         rkm developers",
			    "alias:          rkm-params-sample", "parm:           level:A signed level (i32)",
			    "parm:           ids:Up to four ids (i32[4])", "vermagic:       {REL} SMP" },
	},
	{
		.name = "every public item of the crate has an example (tests/check_crate.c)",
		.tier = CHECK,
		.uses = "",
		.cmd = "build/bin/rkm-check-crate rust/src",
		.expect = { "rkm-check-crate: 0 violation(s)" },
	},
	{
		.name = "the source check catches a public item without an example",
		.tier = CHECK,
		.uses = "",
		.cmd = "rm -rf build/selftest/check && mkdir -p build/selftest/check && "
		       "printf '/// Doc.\\npub fn f() {}\\n' > build/selftest/check/a.rs && "
		       "build/bin/rkm-check-crate build/selftest/check",
		.fails = true,
		.expect = { "a.rs:2: public item without an example", "1 violation(s)" },
	},
	{
		.name = "rkm kernels lists release, vmlinuz, headers and profile, the debug kernel's with kasan",
		.cmd = RKM "kernels",
		.expect = { "{K} * {REL} ", "/boot/vmlinuz-", "/usr/src/linux-headers-", "retpoline rethunk sls",
			    "ibt retpoline rethunk sls padding16", "debug * {REL:debug} ",
			    "ibt retpoline rethunk sls padding16 kasan" },
	},
	{
		.name = "rkm test: a manifest's program not installed on the host is one line naming it and its package",
		.tier = CHECK,
		.uses = "scratch",
		.cmd = SCRATCH "printf 'cycles 0\\nprogram rkm-no-such-pkg rkm-no-such-program\\n' > "
		       "build/selftest/rust_minimal/rkm.manifest && "
		       RKM "test build/selftest/rust_minimal --kernel 6.12",
		.fails = true,
		.expect = { "rkm: build/selftest/rust_minimal/rkm.manifest:2: program 'rkm-no-such-program' "
			    "is not installed on this host: apt-get install rkm-no-such-pkg (or make setup)" },
		.reject = { "booting" },
	},
	{
		.name = "manifest 'program': host programs run in the guest with their libraries, modprobe finds "
			"the shipped module, nothing undeclared is shipped",
		.uses = "scratch",
		.kernels = "6.12",
		.cmd = SCRATCH "cp tests/guest_programs/test.c tests/guest_programs/rkm.manifest "
		       "build/selftest/rust_minimal/ && "
		       RKM "test build/selftest/rust_minimal --kernel 6.12 --logs build/selftest/progs && "
		       "echo \"initramfs $(($(stat -c %s build/selftest/progs/6.12/initramfs.cpio) / 1024)) KiB\"",
		.expect = { "ok 1 sh_runs_at_the_host_path", "ok 2 modprobe_finds_the_shipped_module",
			    "ok 3 nothing_else_is_shipped", "# {K}: * passed, 0 failed", "initramfs " },
		.reject = { "not ok" },
	},
	{
		/* issue 19: the guest's network is QEMU's hub and nothing else */
		.name = "QEMU's command line: manifest NICs are hub ports only, no default NIC, no host backend "
			"(with NICs and without)",
		.tier = CHECK,
		.uses = "samples",	/* rkm test builds its driver, samples/rust_e1000 */
		.cmd = RKM "test tests/net_e1000 --kernel 6.12 --dry-run --logs build/selftest/netcmd >/dev/null && "
		       RKM "run --kernel 6.12 --dry-run --logs build/selftest/nonet >/dev/null && "
		       "for f in build/selftest/netcmd/6.12/qemu.cmdline build/selftest/nonet/6.12/qemu.cmdline; do "
		       "awk 'p == \"-netdev\" && $0 !~ /^hubport,/ { print \"bad: -netdev \" $0 } "
		       "(p == \"-nic\" || p == \"-net\") && $0 != \"none\" { print \"bad: \" p \" \" $0 } "
		       "/(^|[,=])(user|tap|socket|bridge|vde|stream|dgram|l2tpv3|vhost-user|vhost-vdpa|netmap|af-xdp)(,|$)/ "
		       "{ print \"bad: host backend \" $0 } "
		       "p == \"-netdev\" { n++ } p == \"-device\" && /netdev=/ { d++ } "
		       "p == \"-nic\" && $0 == \"none\" { none++ } $0 == \"-nodefaults\" { nd++ } { p = $0 } "
		       "END { printf \"%s: %d -netdev (each a hub port), %d NICs on them, -nic none %d, -nodefaults %d\\n\", "
		       "FILENAME, n, d, none, nd }' $f; done",
		.expect = { "netcmd/6.12/qemu.cmdline: 2 -netdev (each a hub port), 2 NICs on them, -nic none 1, -nodefaults 1",
			    "nonet/6.12/qemu.cmdline: 0 -netdev (each a hub port), 0 NICs on them, -nic none 1, -nodefaults 1" },
		.reject = { "bad: ", "booting" },
	},
	{
		.name = "rkm test: drivers booted together with different 'nic' lines is one line",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/nics && rm -rf $d && mkdir -p $d/nic_a $d/nic_b && "
		       "printf 'int main(void) { return 0; }\\n' > $d/nic_a/test.c && cp $d/nic_a/test.c $d/nic_b/ && "
		       "echo 'nic e1000 1' > $d/nic_a/rkm.manifest && echo 'nic e1000e 1' > $d/nic_b/rkm.manifest && "
		       RKM "test $d/nic_a $d/nic_b --kernel 6.12 --dry-run",
		.fails = true,
		.expect = { "rkm: */build/selftest/nics/nic_b: its 'nic' lines differ from another driver's of the "
			    "same rkm test: netdev rkmn0 would be two devices (test them in separate calls)" },
		.reject = { "would run" },
	},
	{
		.name = "network: rust_e1000 against the kernel's e1000 over two hub NICs (namespace, ping, "
			"iperf3, MTU, MAC, ethtool, rmmod while up), identical transcripts, and the two "
			"drivers on one wire each way round; QEMU opened no inet socket",
		.cmd = RKM "test tests/net_e1000 --test-timeout 480 --logs build/selftest/net",
		.expect = { "# {K}: * passed, 0 failed", "in {K}: ^ok * net_e1000-test #",
			    "in {K}: ok 1 e1000_scenarios", "in {K}: # e1000: iperf3 TCP ",
			    "in {K}: # rust_e1000: iperf3 TCP ",
			    "in {K}: # 2 twin(s) ran, identical transcripts of ", "in {K}: ok * mixed_pairs",
			    "in {K}: ^ok * kernel-log",
			    "# rkm: {K}: QEMU's NICs are on its hub only: no AF_INET/AF_INET6 socket" },
		.reject = { "not ok", "rkm: FAIL" },
		.stream = true,
	},
	{
		.name = "network: a QEMU backend that opens a host socket fails the boot (the inet socket check)",
		.kernels = "6.12",
		.cmd = RKM "run --kernel 6.12 --logs build/selftest/netleak --qemu \"-netdev "
		       "socket,id=s0,listen=127.0.0.1:$((40000 + $$ % 20000)) -device e1000,netdev=s0\"",
		.fails = true,
		.expect = { "rkm: FAIL on 6.12: QEMU's network reaches outside the guest's hub: an AF_INET tcp socket" },
	},
	{
		.name = "rkm test --variant: a variant no driver declares is one line",
		.tier = CHECK,
		.uses = "samples",
		.cmd = RKM "test samples/rust_minimal --variant no_such_variant",
		.fails = true,
		.expect = { "rkm: no driver of those given declares 'variant no_such_variant' in its rkm.manifest" },
	},
	{
		.name = "rkm kernels stock: the distribution kernels only",
		.kernels = "stock",
		.tier = CHECK,
		.uses = "",
		.cmd = RKM "kernels stock",
		.expect = { "{K} * {REL} * /boot/vmlinuz-{REL} " },
		.reject = { "rkm-debug" },
	},
	{
		.name = "setup: a package missing from the archive is one clear line",
		.tier = CHECK,
		.uses = "setup",
		.cmd = "RKM_EXTRA_PACKAGES=rkm-no-such-package tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: package rkm-no-such-package is not in the apt archive" },
	},
	{
		.name = "setup: not root, with something to install, says to use sudo",
		.tier = CHECK,
		.uses = "setup",
		.cmd = "RKM_EXTRA_PACKAGES=hello setpriv --reuid=65534 --regid=65534 --clear-groups "
		       "env HOME=/tmp RKM_CACHE=/tmp/rkm-selftest-cache tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: must be root to install: hello (run: sudo make setup)" },
	},
	{
		.name = "setup: no apt is one clear line",
		.tier = CHECK,
		.uses = "setup",
		.cmd = "RKM_APT_GET=/nonexistent/apt-get tools/setup.sh",
		.fails = true,
		.expect = { "rkm setup: /nonexistent/apt-get not found: rkm needs a Debian 12 host with apt" },
	},
	{
		.name = "setup: already installed and built, it does nothing and prints nothing",
		.cmd = "out=$(tools/setup.sh --debug 2>&1) && [ -z \"$out\" ] && echo quiet",
		.expect = { "quiet" },
	},
	{
		.name = "setup resolves the matrix from fabricated apt archives (newer, older, incomplete point releases)",
		.tier = CHECK,
		.uses = "",
		.cmd = "tests/setup/resolve.sh",
		.expect = { "setup resolve: * passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "the host tools' unit tests: KTAP parser, skip list, manifests",
		.tier = CHECK,
		.uses = "",
		.cmd = "build/bin/rkm-unit",
		.expect = { "rkm-unit: * passed, 0 failed" },
		.reject = { "not ok" },
	},
	{
		.name = "the suite's expectations follow the matrix: expanded for a fabricated one, no real release is left",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/fakematrix && rm -rf $d && mkdir -p $d && "
		       "printf '6.1 " FAKE_61 "\\n6.12 " FAKE_612 "+deb12-amd64\\n6.12-rt " FAKE_612 "+deb12-rt-amd64\\n"
		       "debug " FAKE_612 "-rkm-debug /nonexistent/bzImage /nonexistent/kdir\\n' > $d/kernels && "
		       "RKM_CACHE=$PWD/$d build/bin/rkm-selftest --expand > $d/all && "
		       /* the boot tier: not this case, whose own text would match */
		       "RKM_CACHE=$PWD/$d build/bin/rkm-selftest --expand --tier boot && "
		       "n=0; for r in $(" RKM "kernels | awk 'NR > 1 { print $2 }'); do n=$((n + 1)); "
		       "grep -qF -- \"$r\" $d/all && echo \"the real release $r is in the expansion\"; done; "
		       "echo \"real releases checked: $n\"; "
		       "grep -E '[^$][{][A-Z][A-Z0-9+:.-]*[}]' $d/all && echo 'a placeholder is left'; true",
		.expect = { "expect: ok dkms rust_echo " FAKE_61 ": using ",
			    "expect: ok dkms rust_semaphore " FAKE_612 "-rkm-debug: using ",
			    "expect: # 6.12-rt: * passed, 0 failed", "expect: in debug: ^ok * rkm-failslab",
			    "expect: 6.12-rt * " FAKE_612 "+deb12-rt-amd64 ", "expect: debug * " FAKE_612 "-rkm-debug " },
		.reject = { "the real release ", "a placeholder is left", "cannot expand",
			    "real releases checked: 0" },
	},
	{
		.name = "the reliability case expects every fuzz, cycles and failslab item of the manifests: expanded for a fabricated tree",
		.tier = CHECK,
		.uses = "",
		.cmd = "r=$PWD && d=build/selftest/faketree && rm -rf $d && "
		       "for s in drv_a drv_b drv_c; do mkdir -p $d/samples/$s && touch $d/samples/$s/Kbuild $d/samples/$s/test.c; done && "
		       "mkdir -p $d/samples/rust_nullb && echo 'BLK_TEST(t1, 5)' > $d/samples/rust_nullb/test.c && "
		       "printf 'twin c_a\\nfuzz drv_a echo\\nfuzz  c_a echo configfs=x # two\\nfailslab drv_a:drv_a c_a:c_a:files\\n"
		       "cycles 0\\n' > $d/samples/drv_a/rkm.manifest && "
		       "printf '\\tcycles 20 x=1 # each\\nfailslab drv_c\\n' > $d/samples/drv_c/rkm.manifest && "
		       "printf '6.12 " FAKE_612 "+deb12-amd64\\ndebug " FAKE_612 "-rkm-debug /nonexistent/bzImage /nonexistent/kdir\\n' "
		       "> $d/kernels && cd $d && RKM_CACHE=$PWD $r/build/bin/rkm-selftest --expand 'samples, fuzzer'",
		.expect = { "expect: in 6.12: # drv_a: * ops (root ", "expect: in 6.12: # c_a: * ops (root ",
			    "expect: in debug: # c_a: * ops (root ",
			    "expect: in 6.12: # drv_b: * load/unload cycles in ",
			    "expect: in debug: # drv_c: * load/unload cycles in ",
			    "expect: in debug: # drv_a: * allocation failures injected in ",
			    "expect: in debug: # c_a: * allocation failures injected in ",
			    "expect: in debug: # drv_c: * allocation failures injected in ",
			    "expect: in 6.12: # t1: 2 twin(s) ran (rust_nullb null_blk)" },
		.reject = { "# rust_nullb: *", "# drv_a: * load/unload", "# drv_b: * ops", "# drv_c: * ops", "# drv_b: * allocation",
			    "in 6.12: # drv_c: * allocation", "cannot expand", "# two", "# each" },
	},
	{
		.name = "rkm-selftest: a bad -j or RKM_SELFTEST_JOBS is one line, before any case runs",
		.tier = CHECK,
		.uses = "",
		.cmd = "build/bin/rkm-selftest -j 0 none; build/bin/rkm-selftest -j 2x none; "
		       "build/bin/rkm-selftest none -j; RKM_SELFTEST_JOBS=all build/bin/rkm-selftest none",
		.fails = true,
		.expect = { "rkm-selftest: -j 0: give a number of lanes from 1 to 256",
			    "rkm-selftest: -j 2x: give a number of lanes from 1 to 256",
			    "rkm-selftest: -j: give a number of lanes from 1 to 256",
			    "rkm-selftest: RKM_SELFTEST_JOBS=all: give a number of lanes from 1 to 256" },
		.reject = { "KTAP", "usage:" },
	},
	{
		.name = "no file in the tree names a Debian point release (the matrix is resolved from the archive)",
		.tier = CHECK,
		.uses = "",
		.cmd = "git ls-files | grep -qx Makefile && echo file-list-ok; "
		       "git ls-files -co --exclude-standard -z | xargs -0 grep -sInE '" POINT_RELEASE "' && "
		       "echo 'a Debian point release is named above: use a placeholder (6.12.N)'; "
		       /* and the pattern does see one */
		       "printf 'linux-image-6.12.%s+deb12-amd64\\n' $((100 + 1)) | grep -qE '" POINT_RELEASE "' && echo pattern-works",
		.expect = { "pattern-works", "file-list-ok" },
		.reject = { "a Debian point release is named" },
	},
	{
		.name = "errors: error.rs names every errno of the matrix's kernel headers with its value; "
			"a missing, wrong or unknown name is caught",
		.tier = CHECK,
		.uses = "",
		.cmd = "tests/errno_names.sh && d=build/selftest/errno && rm -rf $d && mkdir -p $d && "
		       "sed '/^    EHWPOISON = /d; s/^    ENOTTY = [0-9]*,/    ENOTTY = 26,/; "
		       "s/^    EPROBE_DEFER = /    EPROBE_DEFERRED = /' rust/src/error.rs > $d/error.rs && "
		       "! tests/errno_names.sh $d/error.rs",
		.expect = { "errno names: 0 difference(s) (", "EHWPOISON: * has 133 (pub), error.rs has nothing",
			    "ENOTTY: * has 25 (pub), error.rs has 26 (pub)",
			    "EPROBE_DEFER: * has 517 (crate), error.rs has nothing",
			    "EPROBE_DEFERRED: error.rs has 517, * has nothing" },
	},
	{
		.name = "errors: ktest.h failure lines show errno only for a failed call, and evaluate arguments once",
		.tier = CHECK,
		.uses = "",
		.cmd = "mkdir -p build/selftest && cc -O2 -Wall -Wextra -Werror -Itests/lib -o build/selftest/ktest_report "
		       "tests/ktest_report/ktest_report.c && build/selftest/ktest_report",
		.fails = true,
		.expect = { "ktest_report.c:*: 1 + 1 == 2, expected 3",
			    "open(\"/nonexistent/ktest\", 00) == -1, expected 0 (No such file or directory)",
			    "getpid() > 0 == 1, expected 7", "# evaluations: exp 2 got 2",
			    "getpid() * 0 == 0, expected -1 errno 2 (No such file or directory)",
			    "# 0 passed, 5 failed" },
		.reject = { "expected 3 (", "expected 7 (", "errno 16", "Device or resource busy", "Success" },
	},
	{
		.name = "errors: a failed build's closing count of rustc warnings counts only the warnings it shows",
		.tier = CHECK,
		.uses = "",
		.cmd = "d=build/selftest/warn_drv && rm -rf $d && mkdir -p $d && "
		       "sed 's/rust_minimal/warn_drv/g; s/let first = Part/let unused_thing = 3;\\n        let first = Part/' "
		       "samples/rust_minimal/rust_minimal.rs > $d/warn_drv.rs && " RKM "build $d --kernel 6.12; "
		       /* rustc's own count, with the SLS warnings rustc-kernel drops and a real one it keeps */
		       "printf 'fn main() { let x = 1; }\\n' > $d/w.rs && kbuild/rustc-kernel /usr/bin/rustc "
		       "-Ctarget-feature=+harden-sls-ret,+harden-sls-ijmp --edition 2021 -o $d/w $d/w.rs",
		.expect = { "error: unused variable: `unused_thing`", "error: aborting due to 1 previous error",
			    "warn_drv for 6.12: build failed", "warning: unused variable: `x`", "warning: 1 warning emitted" },
		.reject = { "harden-sls", "aborting due to 1 previous error;", "warnings emitted" },
	},
	{
		.name = "errors: the kernel's BTF notice (headers without vmlinux, as 6.1's) is labelled as the kernel's",
		.tier = CHECK,
		.uses = "scratch",
		.kernels = "6.1",
		.cmd = SCRATCH "h=$(" RKM "kernels | awk '$1 == \"6.1\" { print $4 }') && "
		       "[ ! -e $h/vmlinux ] && echo \"no vmlinux in the 6.1 headers\"; "
		       RKM "build build/selftest/rust_minimal --kernel 6.1",
		.expect = { "no vmlinux in the 6.1 headers", "BTF     skipped by the kernel's build: its headers ship no vmlinux",
			    "KO      *build/6.1/rust_minimal.ko" },
		.reject = { "Skipping BTF generation" },
	},
	{
		.name = "errors: rkm decode demangles every Rust symbol of a built module (v0) and a legacy one, "
			"keeping offsets and module names",
		.tier = CHECK,
		.uses = "samples",
		.cmd = "d=build/selftest/demangle && rm -rf $d && mkdir -p $d && "
		       RKM "build samples/rust_minimal --kernel 6.12 >/dev/null && "
		       /* every Rust symbol of the module, as a backtrace line prints it */
		       "nm samples/rust_minimal/build/6.12/rust_minimal.ko | "
		       "awk '$3 ~ /^_R/ { print \" \" $3 \"+0x2a/0x80 [rust_minimal]\"; "
		       "print \" ? __pfx_\" $3 \"+0x10/0x10 [rust_minimal]\" }' > $d/trace && "
		       "n=$(wc -l < $d/trace) && [ $n -gt 0 ] && " RKM "decode $d/trace > $d/out && cat $d/out && "
		       RKM "decode < $d/trace | cmp - $d/out && echo 'stdin: the same' && "
		       "echo \"left mangled: $(grep -cE '^ _R|__pfx__R' $d/out)\" && "
		       "[ $(grep -cE '^ ([?] __pfx_)?[^_].*::.*[+]0x(2a/0x80|10/0x10) \\[rust_minimal\\]$' $d/out) = $n ] && "
		       "echo \"demangled, offset and module kept: all $n\" && "
		       /* a legacy symbol (_ZN...17h<hash>E) from rustc */
		       "printf 'pub fn hello(x: u32) -> u32 { x + 1 }\\n' > $d/legacy_demo.rs && "
		       "RUSTC_BOOTSTRAP=1 /usr/bin/rustc -Zunstable-options -Csymbol-mangling-version=legacy "
		       "--crate-type lib --emit obj -o $d/legacy_demo.o $d/legacy_demo.rs && "
		       "nm $d/legacy_demo.o | awk '$3 ~ /^_ZN/ { print \"[    1.5]  ? \" $3 \"+0x1/0x2 [legacy_demo]\" }' | "
		       RKM "decode",
		.expect = { "rust_minimal::", "rkm::print::", "stdin: the same", "left mangled: 0",
			    "demangled, offset and module kept: all ", "[    1.5]  ? legacy_demo::hello+0x1/0x2 [legacy_demo]" },
		.reject = { "_ZN11legacy_demo" },
	},
	{
		.name = "errors: a Rust panic's stack trace shows demangled names (rkm run --verbose)",
		.uses = "rust_panic logs-run",
		.kernels = "6.1 6.12",
		.cmd = RKM "build tests/broken/rust_panic --kernel 6.1 --kernel 6.12 && "
		       RKM "run -v --kernel 6.1 --kernel 6.12 --module " BROKEN("rust_panic"),
		.fails = true,
		.expect = { "in {K}: kernel BUG at", "in {K}: Call Trace:", "in {K}: ]  rkm::print::panic+0x* [rust_panic]",
			    "in {K}: ]  core::panicking::panic_fmt+0x* [rust_panic]" },
		.reject = { "_RN", "_ZN" },
	},
	{
		.name = "rkm lint --panics names each kind of panic at the driver's line (tests/broken/rkm_panics)",
		.tier = CHECK,
		.uses = "broken",
		.cmd = "RKM_DEBUG=1 " RKM "lint --panics tests/broken/rkm_panics",
		.fails = true,
		.expect = { "rkm_panics.rs:17: can panic: index out of bounds",
			    "rkm_panics.rs:20: can panic: slice range out of bounds",
			    "rkm_panics.rs:23: can panic: arithmetic overflow check",
			    "rkm_panics.rs:26: can panic: division by zero",
			    "rkm_panics.rs:29: can panic: unwrap on None",
			    "rkm_panics.rs:32: can panic: expect on None",
			    "rkm_panics.rs:35: can panic: explicit panic!",
			    "rkm_panics.rs:38: can panic: unreachable!",
			    "rkm_panics.rs:41: can panic: assert!",
			    "rkm_panics.rs:45: can panic: unwrap/expect on Err",
			    "rkm lint --panics: 10 place(s) can panic" },
	},
	{
		.name = "rkm new and rkm new --pci: both build with their Makefile (rkm on PATH); no file names a path of this machine",
		.uses = "",
		.cmd = "d=$(mktemp -d) && export PATH=$PWD/build/bin:$PATH && "
		       "rkm new tmpl_misc --dir $d && rkm new tmpl_pci --pci 1234:11e8 --qemu-device edu --dir $d && "
		       "for p in \"$PWD\" \"$d\" \"$HOME\" \"$RKM_CACHE\"; do [ -n \"$p\" ] && "
		       "grep -rlF \"$p\" $d | sed 's/^/an absolute path in /'; done; "
		       "grep -qx rust-project.json $d/tmpl_pci/.gitignore && grep -qx rust-project.json $d/tmpl_misc/.gitignore && "
		       "echo gitignore-ok; PATH=/usr/bin:/bin make -C $d/tmpl_pci 2>&1 | grep -F \"no 'rkm' command\"; "
		       "rkm build $d/tmpl_misc --kernel 6.12 && make -C $d/tmpl_pci; rc=$?; rm -rf $d; exit $rc",
		.expect = { "gitignore-ok", "KO      */tmpl_misc/build/6.12/tmpl_misc.ko", "KO      */tmpl_pci/build/{K}/tmpl_pci.ko",
			    "Makefile:*: *** no 'rkm' command: put the rkm tree's build/bin on PATH" },
		.reject = { "an absolute path in ", "warning" },
	},
	{
		.name = "rkm new --pci: the PCI scaffold binds QEMU's edu device and passes rkm test on every kernel",
		.cmd = "d=$(mktemp -d) && " RKM "new hello_pci --pci 1234:11e8 --qemu-device edu --dir $d && PATH=$PWD/build/bin:$PATH make -C $d/hello_pci test; "
		       "rc=$?; rm -rf $d; exit $rc",
		.expect = { "# {K}: * passed, 0 failed", "in {K}: ^ok * hello_pci-test #",
			    "ok 1 binds_the_device_and_shows_its_id", "ok 2 bad_input_gets_a_clean_error" },
		.reject = { "not ok" },
	},
	{
		/* Not on debug: the leaked Rust data stays allocated (kmemleak), as a C leak would. */
		.name = "leaked timers, work, threads, and threads that own registrations or create objects once stopped: all stopped at unload",
		.uses = "svc_leak logs-test",
		.kernels = "stock",
		.cmd = RKM "test tests/svc_leak --kernel stock",
		.expect = { "in {K}: ok * leaked_services_stop_at_unload", "# {K}: * passed, 0 failed" },
		.reject = { "not ok" },
	},
};

struct kernel {
	char name[32], release[128];
	bool built;		/* by rkm (the debug kernel), not a distribution kernel */
};

/* What the placeholders expand to. */
static struct {
	struct kernel k[MAX_KERNELS];
	int nk;
	char *matrix;		/* the kernels file */
	char **samples;
	int nsamples;
	char **workloads;
	int nworkloads;
	char **nullb_tests;
	int nnullb_tests;
	/* What rkm test --reliability runs over the samples: a module name each. */
	char **fuzz, **cycles, **failslab;
	int nfuzz, ncycles, nfailslab;
	int abi;		/* -1: not found */
	int ncf;
} tree = { .abi = -1 };

static void load_matrix(void)
{
	const char *cache = getenv("RKM_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
	char line[8192], a[4096], b[4096];
	FILE *f;

	if (cache)
		tree.matrix = strdup(cache);
	else if (xdg)
		asprintf(&tree.matrix, "%s/rkm", xdg);
	else
		asprintf(&tree.matrix, "%s/.cache/rkm", getenv("HOME") ? getenv("HOME") : "");
	asprintf(&tree.matrix, "%s/kernels", tree.matrix);
	f = fopen(tree.matrix, "r");
	while (f && tree.nk < MAX_KERNELS && fgets(line, sizeof(line), f)) {
		struct kernel *k = &tree.k[tree.nk];
		int n = sscanf(line, "%31s %127s %4095s %4095s", k->name, k->release, a, b);

		if (n < 2)
			continue;
		k->built = n == 4;
		tree.nk++;
	}
	if (f)
		fclose(f);
}

/* Appends a copy of name to the list. */
static void add_name(char ***list, int *n, const char *name)
{
	*list = realloc(*list, (*n + 1) * sizeof(char *));
	if (!*list)
		exit(2);
	(*list)[(*n)++] = strdup(name);
}

static void load_tree(void)
{
	char line[256];
	glob_t g;
	size_t i;
	FILE *f;

	load_matrix();
	f = fopen("include/rkm_abi.h", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "#define RKM_ABI_VERSION %d", &tree.abi) == 1)
			break;
	if (f)
		fclose(f);
	if (!glob("tests/compile_fail/*.rs", 0, NULL, &g))
		tree.ncf = g.gl_pathc;
	globfree(&g);
	/*
	 * Each sample directory's manifest (rkm test reads those of all samples):
	 * "bench workload NAME...", the module of each "fuzz MODULE ..." line and
	 * of each "failslab MODULE[:...]..." spec, and the driver unless it says
	 * "cycles 0" (no line: the default count). A sample is a directory with
	 * a Kbuild, as for {S}.
	 */
	if (!glob("samples/*/Kbuild", 0, NULL, &g)) {
		for (i = 0; i < g.gl_pathc; i++) {
			char *dir = strndup(g.gl_pathv[i], strlen(g.gl_pathv[i]) - strlen("/Kbuild"));
			char *path, *w, *save;
			bool cycled = true;

			asprintf(&path, "%s/rkm.manifest", dir);
			f = fopen(path, "r");
			while (f && fgets(line, sizeof(line), f)) {
				line[strcspn(line, "#\n")] = '\0';
				w = strtok_r(line, " \t", &save);
				if (!w)
					continue;
				if (!strcmp(w, "cycles")) {
					w = strtok_r(NULL, " \t", &save);
					cycled = !w || strcmp(w, "0");
				} else if (!strcmp(w, "fuzz")) {
					if ((w = strtok_r(NULL, " \t", &save)))
						add_name(&tree.fuzz, &tree.nfuzz, w);
				} else if (!strcmp(w, "failslab")) {
					while ((w = strtok_r(NULL, " \t", &save))) {
						w[strcspn(w, ":")] = '\0';
						add_name(&tree.failslab, &tree.nfailslab, w);
					}
				} else if (!strcmp(w, "bench") && (w = strtok_r(NULL, " \t", &save)) &&
					   !strcmp(w, "workload")) {
					while ((w = strtok_r(NULL, " \t", &save))) {
						size_t n = strlen(w);

						/* A grid (NAME_grid) reports its cells, NAME_...: the prefix. */
						if (n > 5 && !strcmp(w + n - 5, "_grid"))
							w[n - 4] = '\0';
						add_name(&tree.workloads, &tree.nworkloads, w);
					}
				}
			}
			if (f)
				fclose(f);
			if (cycled)
				add_name(&tree.cycles, &tree.ncycles, strrchr(dir, '/') + 1);
			free(path);
			free(dir);
		}
	}
	globfree(&g);
	/* rust_nullb's twin-compared tests: "BLK_TEST(NAME, TIMEOUT)" at a line's start */
	f = fopen("samples/rust_nullb/test.c", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char name[128];

		if (sscanf(line, "BLK_TEST(%127[A-Za-z0-9_],", name) != 1)
			continue;
		add_name(&tree.nullb_tests, &tree.nnullb_tests, name);
	}
	if (f)
		fclose(f);
	if (glob("samples/*/Kbuild", 0, NULL, &g))
		return;
	tree.samples = calloc(g.gl_pathc, sizeof(char *));
	for (i = 0; i < g.gl_pathc; i++) {
		char *dir = strndup(g.gl_pathv[i], strlen(g.gl_pathv[i]) - strlen("/Kbuild")), *test;

		asprintf(&test, "%s/test.c", dir);
		if (!access(test, F_OK))
			tree.samples[tree.nsamples++] = strdup(dir + strlen("samples/"));
		free(test);
		free(dir);
	}
	globfree(&g);
}

static const struct kernel *find_kernel(const char *name)
{
	int i;

	for (i = 0; i < tree.nk; i++)
		if (!strcmp(tree.k[i].name, name))
			return &tree.k[i];
	return NULL;
}

/* s with each "from" replaced by "to" (a new string). */
static char *replace(const char *s, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to), n = 1;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += lf)
		n++;
	out = o = malloc(strlen(s) + n * lt + 1);
	while ((p = strstr(s, from))) {
		o = mempcpy(o, s, p - s);
		o = mempcpy(o, to, lt);
		s = p + lf;
	}
	strcpy(o, s);
	return out;
}

struct strv {
	char **v;
	int n;
};

static void push(struct strv *sv, char *s)
{
	sv->v = realloc(sv->v, (sv->n + 1) * sizeof(char *));
	sv->v[sv->n++] = s;
}

static void strv_free(struct strv *sv)
{
	while (sv->n)
		free(sv->v[--sv->n]);
	free(sv->v);
	sv->v = NULL;
}

/* The kernels {K} ranges over in case c; NULL and *err if one is not in the matrix. */
static const struct kernel **case_kernels(const struct tcase *c, int *n, char **err)
{
	const struct kernel **ks = calloc(MAX_KERNELS, sizeof(*ks));
	char *names = strdup(c->kernels ? c->kernels : ""), *save, *w;
	int i;

	*n = 0;
	if (!tree.nk)
		asprintf(err, "no kernel matrix in %s: run 'make setup'", tree.matrix);
	for (i = 0; i < tree.nk && (!c->kernels || !strcmp(c->kernels, "stock")); i++)
		if (!c->kernels || !tree.k[i].built)
			ks[(*n)++] = &tree.k[i];
	for (w = strtok_r(names, " ", &save); w && tree.nk && strcmp(w, "stock");
	     w = strtok_r(NULL, " ", &save)) {
		if (!(ks[*n] = find_kernel(w))) {
			asprintf(err, "no kernel %s in the matrix %s", w, tree.matrix);
			break;
		}
		(*n)++;
	}
	free(names);
	if (!*err && !*n)
		asprintf(err, "no kernel of the matrix %s is a %s kernel", tree.matrix, c->kernels);
	if (*err) {
		free(ks);
		return NULL;
	}
	return ks;
}

/* The value of placeholder {p}; NULL and *err if unknown or unknowable. */
static char *scalar(const char *p, char **err)
{
	const struct kernel *k;
	char *v = NULL;
	int i;

	if (!strcmp(p, "ABI") || !strcmp(p, "ABI+1")) {
		if (tree.abi < 0)
			asprintf(err, "no #define RKM_ABI_VERSION in include/rkm_abi.h");
		else
			asprintf(&v, "%d", tree.abi + (p[3] == '+'));
	} else if (!strcmp(p, "NCF")) {
		asprintf(&v, "%d", tree.ncf);
	} else if (!strcmp(p, "NAMES") || !strcmp(p, "STOCK") || !strcmp(p, "NSTOCK")) {
		bool all = !strcmp(p, "NAMES");
		size_t len = 0;
		FILE *f = open_memstream(&v, &len);
		int n = 0;

		for (i = 0; i < tree.nk; i++) {
			if (!all && tree.k[i].built)
				continue;
			if (strcmp(p, "NSTOCK"))
				fprintf(f, "%s%s", n ? " " : "", tree.k[i].name);
			n++;
		}
		if (!strcmp(p, "NSTOCK"))
			fprintf(f, "%d", n);
		fclose(f);
		if (!n)
			asprintf(err, "no kernel matrix in %s: run 'make setup'", tree.matrix);
	} else if (!strncmp(p, "REL:", 4)) {
		if ((k = find_kernel(p + 4)))
			v = strdup(k->release);
		else
			asprintf(err, "{%s}: no kernel %s in the matrix %s", p, p + 4, tree.matrix);
	} else {
		asprintf(err, "unknown placeholder {%s}", p);
	}
	if (*err) {
		free(v);
		return NULL;
	}
	return v;
}

/* s with its scalar placeholders expanded; "${" is the shell's. */
static char *expand_scalars(const char *s, char **err)
{
	char *out = NULL, *name, *v;
	const char *p = s, *e;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	while (*p) {
		if (*p == '{' && (p == s || p[-1] != '$') && p[1] >= 'A' && p[1] <= 'Z' &&
		    (e = strchr(p, '}'))) {
			name = strndup(p + 1, e - p - 1);
			v = scalar(name, err);
			free(name);
			if (!v)
				break;
			fputs(v, f);
			free(v);
			p = e + 1;
			continue;
		}
		fputc(*p++, f);
	}
	fclose(f);
	if (*err) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Appends to out every expansion of s in case c: one per kernel with {K} or
 * {REL}, per sample with {S}, per workload with {W}, per rust_nullb twin test with {NT}.
 */
static int expand(const struct tcase *c, const char *s, struct strv *out, char **err)
{
	/* The placeholders that stand for each item of a list of the tree. */
	static const struct {
		const char *ph;
		char **const *items;
		const int *n;
		const char *none;
	} lists[] = {
		{ "{S}", &tree.samples, &tree.nsamples, "no sample with a test in samples/" },
		{ "{W}", &tree.workloads, &tree.nworkloads,
		  "no benchmark workload in samples/*/rkm.manifest" },
		{ "{NT}", &tree.nullb_tests, &tree.nnullb_tests,
		  "no BLK_TEST(NAME, ...) line in samples/rust_nullb/test.c" },
		{ "{FUZZ}", &tree.fuzz, &tree.nfuzz, "no fuzz line in samples/*/rkm.manifest" },
		{ "{CYCLES}", &tree.cycles, &tree.ncycles, "no sample with load/unload cycles" },
		{ "{FAILSLAB}", &tree.failslab, &tree.nfailslab,
		  "no failslab spec in samples/*/rkm.manifest" },
	};
	int i, n, rc = 0;
	size_t l;
	char *t, *u;

	if (strstr(s, "{K}") || strstr(s, "{REL}")) {
		const struct kernel **ks = case_kernels(c, &n, err);

		for (i = 0; ks && i < n && !rc; i++) {
			t = replace(s, "{K}", ks[i]->name);
			u = replace(t, "{REL}", ks[i]->release);
			rc = expand(c, u, out, err);
			free(t);
			free(u);
		}
		free(ks);
		return ks ? rc : -1;
	}
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		if (!strstr(s, lists[l].ph))
			continue;
		if (!*lists[l].n) {
			asprintf(err, "%s", lists[l].none);
			return -1;
		}
		for (i = 0; i < *lists[l].n && !rc; i++) {
			t = replace(s, lists[l].ph, (*lists[l].items)[i]);
			rc = expand(c, t, out, err);
			free(t);
		}
		return rc;
	}
	if (!(t = expand_scalars(s, err)))
		return -1;
	push(out, t);
	return 0;
}

/* Case c's command, expected and rejected patterns; -1 and *err if one cannot be expanded. */
static int expand_case(const struct tcase *c, char **cmd, struct strv *expect, struct strv *reject,
		       char **err)
{
	int j;

	*err = NULL;
	if (!(*cmd = expand_scalars(c->cmd, err)))
		return -1;
	for (j = 0; j < MAX_EXPECT && c->expect[j]; j++)
		if (expand(c, c->expect[j], expect, err))
			return -1;
	for (j = 0; j < MAX_EXPECT && c->reject[j]; j++)
		if (expand(c, c->reject[j], reject, err))
			return -1;
	return 0;
}

/* Whether pattern p occurs in [text, end): '*' matches any text within a line, a leading '^' a line start. */
static bool match(const char *text, const char *end, const char *p)
{
	bool bol = *p == '^';
	const char *star, *at;
	size_t l0;

	p += bol;
	p += strspn(p, "*");
	star = strchr(p, '*');
	l0 = star ? (size_t)(star - p) : strlen(p);
	if (!l0)
		return true;
	for (at = text; at < end && (at = memmem(at, end - at, p, l0)); at++) {
		const char *pos = at + l0, *q = star;

		if (bol && at > text && at[-1] != '\n')
			continue;
		while (q) {
			const char *piece = q + 1, *next = strchr(piece, '*');
			size_t l = next ? (size_t)(next - piece) : strlen(piece);
			const char *f = memmem(pos, end - pos, piece, l);

			if (!f || memchr(pos, '\n', f - pos))
				break;
			pos = f + l;
			q = next;
		}
		if (!q)
			return true;
	}
	return false;
}

/* A "# NAME: N passed, N failed, N skipped (boot to power-off X s)" line of rkm. */
static bool boot_line(const char *l, const char *e, char *name, double *seconds)
{
	char *line = strndup(l, e - l);
	int p, f, s;
	bool yes = sscanf(line, "# %31[^: ]: %d passed, %d failed, %d skipped (boot to power-off %lf s)",
			  name, &p, &f, &s, seconds) == 5;

	free(line);
	return yes;
}

/* Whether pattern p ("in NAME: PATTERN": within kernel NAME's boots) occurs in out. */
static bool found(const char *out, const char *p)
{
	const char *colon = strstr(p, ": "), *seg = out, *line = out, *e;
	char want[32], name[32];
	double secs;

	if (strncmp(p, "in ", 3) || !colon || memchr(p + 3, ' ', colon - p - 3) ||
	    colon - p - 3 >= (int)sizeof(want))
		return match(out, out + strlen(out), p);
	snprintf(want, sizeof(want), "%.*s", (int)(colon - p - 3), p + 3);
	for (; *line; line = *e ? e + 1 : e) {
		e = strchrnul(line, '\n');
		if (!boot_line(line, e, name, &secs))
			continue;
		if (!strcmp(name, want) && match(seg, e, colon + 2))
			return true;
		seg = *e ? e + 1 : e;
	}
	return false;
}

static char *run(const struct tcase *c, const char *command, int *status)
{
	char *buf = NULL, line[4096];
	size_t len = 0;
	char *cmd;
	FILE *p;

	if (asprintf(&cmd, "( %s ) 2>&1", command) < 0)
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

/*
 * Why a case failed, in a few lines: its "rkm: FAIL" and "not ok" lines and
 * the console tails rkm printed. Printed again at the very end, since a
 * long run's log is often read from its tail only (CI keeps the tail).
 */
#define DIGEST_LINES 40

static char *digest(const char *out)
{
	char *d = NULL;
	size_t len = 0;
	int lines = 0, tail = 0;
	const char *s, *e;

	for (s = out; *s && lines < DIGEST_LINES; s = *e ? e + 1 : e) {
		e = strchrnul(s, '\n');
		if (memmem(s, e - s, "rkm: console log tail", 21))
			tail = 26;
		else if (tail)
			tail--;
		if (tail || (memmem(s, e - s, "rkm: FAIL", 9) && e - s < 1000) ||
		    (!strncmp(s, "not ok", 6)) || memmem(s, e - s, "# not ok", 8)) {
			d = realloc(d, len + (e - s) + 8);
			len += sprintf(d + len, "#   | %.*s\n", (int)(e - s > 200 ? 200 : e - s), s);
			lines++;
		}
	}
	return d;
}

/* Boot time per kernel over the whole run, from rkm's per-boot lines. */
static struct {
	char name[32];
	int boots;
	double seconds;
} boots[MAX_KERNELS];

static void add_boots(const char *name, int n, double secs)
{
	int i;

	for (i = 0; i < MAX_KERNELS && boots[i].name[0] && strcmp(boots[i].name, name); i++)
		;
	if (i == MAX_KERNELS)
		return;
	snprintf(boots[i].name, sizeof(boots[i].name), "%s", name);
	boots[i].boots += n;
	boots[i].seconds += secs;
}

static void count_boots(const char *out)
{
	const char *line, *e;
	char name[32];
	double secs;

	for (line = out; *line; line = *e ? e + 1 : e) {
		e = strchrnul(line, '\n');
		if (boot_line(line, e, name, &secs))
			add_boots(name, 1, secs);
	}
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* The CPU time (user and system) of this process's waited-for children, in seconds. */
static double children_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/*
 * Runs case c, printing why it fails (not its result line); returns whether
 * it passed, its time in *secs, the CPU time it took in *cpu (the tier is
 * CPU-bound: this is what a case costs the others), why not in *why.
 */
static bool run_case(const struct tcase *c, double *secs, double *cpu, char **why)
{
	struct strv expect = { 0 }, reject = { 0 };
	double t0 = now(), c0 = children_cpu();
	char *cmd = NULL, *err = NULL, *out = NULL;
	int status, code, j;
	bool ok = false;

	if (expand_case(c, &cmd, &expect, &reject, &err)) {
		printf("    # cannot expand the case: %s\n", err);
		goto out;
	}
	out = run(c, cmd, &status);
	count_boots(out);
	code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	ok = c->fails ? code != 0 : code == 0;
	if (!ok)
		printf("    # exit status %d, expected %s\n", code, c->fails ? "non-zero" : "0");
	/* 127: the command itself was not found: never an expected failure. */
	if (code == 127) {
		printf("    # command not found\n");
		ok = false;
	}
	for (j = 0; j < expect.n; j++)
		if (!found(out, expect.v[j])) {
			printf("    # missing from the output: \"%s\"\n", expect.v[j]);
			ok = false;
		}
	for (j = 0; j < reject.n; j++)
		if (found(out, reject.v[j])) {
			printf("    # must not appear in the output: \"%s\"\n", reject.v[j]);
			ok = false;
		}
	if (!ok && !c->stream)
		show_tail(out, 30);
	if (!ok)
		*why = digest(out);
out:
	*secs = now() - t0;
	*cpu = children_cpu() - c0;
	strv_free(&expect);
	strv_free(&reject);
	free(cmd);
	free(err);
	free(out);
	return ok;
}

/* Case c's KTAP result line, number k. */
static void print_result(const struct tcase *c, bool ok, int k, double secs)
{
	printf("%s %d %s # %.0f s\n", ok ? "ok" : "not ok", k, c->name, secs);
}

/* --expand: what case c would run and look for. */
static bool print_case(const struct tcase *c)
{
	struct strv expect = { 0 }, reject = { 0 };
	char *cmd = NULL, *err = NULL;
	bool ok = !expand_case(c, &cmd, &expect, &reject, &err);
	int j;

	printf("case: %s (%s)\n", c->name, c->tier == CHECK ? "check" : "boot");
	if (ok)
		printf("  cmd: %s\n", cmd);
	for (j = 0; j < expect.n; j++)
		printf("  expect: %s\n", expect.v[j]);
	for (j = 0; j < reject.n; j++)
		printf("  reject: %s\n", reject.v[j]);
	if (!ok)
		printf("  cannot expand: %s\n", err);
	strv_free(&expect);
	strv_free(&reject);
	free(cmd);
	free(err);
	return ok;
}

/* Whether the space-separated keys a and b have one in common. */
static bool share_key(const char *a, const char *b)
{
	const char *p, *q;
	size_t l, m;

	for (p = a; *(p += strspn(p, " ")); p += l) {
		l = strcspn(p, " ");
		for (q = b; *(q += strspn(q, " ")); q += m) {
			m = strcspn(q, " ");
			if (l == m && !memcmp(p, q, l))
				return true;
		}
	}
	return false;
}

/* Whether cases c and d may not run at once. */
static bool conflict(const struct tcase *c, const struct tcase *d)
{
	return !c->uses || !d->uses || share_key(c->uses, d->uses);
}

/* A case running in a process of its own: its lines and its result, in files. */
struct lane {
	pid_t pid;		/* 0: free */
	int i;			/* the case's index in order[] */
	FILE *out, *res;
	double t0;
};

/*
 * Starts case c in lane l. The process prints what run_case() prints into
 * l->out, and writes into l->res: "PASSED SECONDS", "boot NAME BOOTS SECONDS"
 * per kernel it booted, "why", then the digest of why it failed.
 */
static void start_lane(struct lane *l, const struct tcase *c, int i)
{
	char *why = NULL;
	double secs, cpu;
	bool ok;
	int j;

	fflush(stdout);
	l->out = tmpfile();
	l->res = tmpfile();
	if (!l->out || !l->res) {
		perror("rkm-selftest: tmpfile");
		exit(2);
	}
	l->i = i;
	l->t0 = now();
	l->pid = fork();
	if (l->pid < 0) {
		perror("rkm-selftest: fork");
		exit(2);
	}
	if (l->pid)
		return;
	if (dup2(fileno(l->out), STDOUT_FILENO) < 0)
		_exit(3);
	/* A boot case in a lane boots one guest at a time: a lane, a guest. */
	if (c->tier == BOOT)
		setenv("RKM_JOBS", "1", 1);
	memset(boots, 0, sizeof(boots));
	ok = run_case(c, &secs, &cpu, &why);
	fprintf(l->res, "%d %f %f\n", ok, secs, cpu);
	for (j = 0; j < MAX_KERNELS && boots[j].name[0]; j++)
		fprintf(l->res, "boot %s %d %f\n", boots[j].name, boots[j].boots, boots[j].seconds);
	fprintf(l->res, "why\n%s", why ? why : "");
	_exit(fflush(stdout) || fflush(l->res) ? 3 : 0);
}

/*
 * The case of lane l ended with status: prints its lines and its result as
 * KTAP result k; returns whether it passed, its time in *secs, why not in *why.
 */
static bool end_lane(struct lane *l, const struct tcase *c, int status, int k, double *secs,
		     double *cpu, char **why)
{
	char buf[4096], name[32], *res = NULL, *p, *w = NULL;
	size_t n = 0;
	int ok = 0, nb;
	double bs;
	bool got;

	rewind(l->out);
	while ((n = fread(buf, 1, sizeof(buf), l->out)) > 0)
		fwrite(buf, 1, n, stdout);
	rewind(l->res);
	if (getdelim(&res, &n, '\0', l->res) < 0) {
		free(res);
		res = NULL;
	}
	got = WIFEXITED(status) && !WEXITSTATUS(status) && res &&
	      sscanf(res, "%d %lf %lf", &ok, secs, cpu) == 3 && (w = strstr(res, "\nwhy\n"));
	for (p = res; got && (p = strchr(p, '\n')) && p++ < w;)
		if (sscanf(p, "boot %31s %d %lf", name, &nb, &bs) == 3)
			add_boots(name, nb, bs);
	if (got && w[5])
		*why = strdup(w + 5);
	free(res);
	if (!got) {
		ok = 0;
		*secs = now() - l->t0;
		if (WIFSIGNALED(status))
			asprintf(why, "#   | the case's process was killed by signal %d (%s)\n",
				 WTERMSIG(status), strsignal(WTERMSIG(status)));
		else
			asprintf(why, "#   | the case's process ended (status %d), no result\n",
				 WIFEXITED(status) ? WEXITSTATUS(status) : status);
		printf("    # %s", *why + strlen("#   | "));
	}
	print_result(c, ok, k, *secs);
	fclose(l->out);
	fclose(l->res);
	l->pid = 0;
	return ok;
}

/*
 * Runs the cases sel[0..m) (indexes in order[]) in nlanes lanes, as KTAP
 * results from *k + 1 on: the first pending case that can start does, in the
 * order of sel; one that runs alone runs in this process when nothing else
 * runs (its output streamed if it asks for it).
 */
static void run_lanes(const int *order, const int *sel, int m, int nlanes, bool *passed,
		      double *secs, double *cpu, char **why, int *k)
{
	struct lane *lanes = calloc(nlanes, sizeof(*lanes));
	bool *started = calloc(m, sizeof(bool));
	int left = m, running = 0, j, e, l, status;
	pid_t pid;

	while (left) {
		for (j = 0; j < m && running < nlanes; j++) {
			const struct tcase *c = &cases[order[sel[j]]];
			bool blocked = false;

			if (started[j])
				continue;
			for (e = 0; e < j && !blocked; e++)
				blocked = !started[e] && conflict(c, &cases[order[sel[e]]]);
			for (l = 0; l < nlanes && !blocked; l++)
				blocked = lanes[l].pid && conflict(c, &cases[order[lanes[l].i]]);
			if (blocked)
				continue;
			started[j] = true;
			if (!c->uses) {
				passed[sel[j]] = run_case(c, &secs[sel[j]], &cpu[sel[j]], &why[sel[j]]);
				print_result(c, passed[sel[j]], ++*k, secs[sel[j]]);
				left--;
				j = -1;
				continue;
			}
			for (l = 0; lanes[l].pid; l++)
				;
			start_lane(&lanes[l], c, sel[j]);
			running++;
		}
		if (!running)
			continue;
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			perror("rkm-selftest: waitpid");
			exit(2);
		}
		for (l = 0; l < nlanes && lanes[l].pid != pid; l++)
			;
		if (l == nlanes)
			continue;
		j = lanes[l].i;
		passed[j] = end_lane(&lanes[l], &cases[order[j]], status, ++*k, &secs[j], &cpu[j],
				     &why[j]);
		running--;
		left--;
	}
	free(lanes);
	free(started);
}

/*
 * With lanes, when case c starts: 0 a long one that runs alone, 1 another
 * long one, 2 the rest that can share, 3 those that run alone (boot cases:
 * the lanes fill with the others first).
 */
enum { PASSES = 4 };	/* start_pass()'s values */

static int start_pass(const struct tcase *c)
{
	return c->early ? (c->uses ? 1 : 0) : c->uses ? 2 : 3;
}

/* The number of lanes s (given as what, sep, s), from 1 to 256; 0 and a line saying so. */
static int parse_lanes(const char *s, const char *what, const char *sep)
{
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;

	if (!s || !*s || *end || v < 1 || v > 256) {
		fprintf(stderr, "rkm-selftest: %s%s%s: give a number of lanes from 1 to 256\n",
			what, s ? sep : "", s ? s : "");
		return 0;
	}
	return v;
}

int main(int argc, char **argv)
{
	static const char usage[] =
		"usage: rkm-selftest [--tier check|boot] [-j N] [--expand] [WORD]\n";
	int n = sizeof(cases) / sizeof(cases[0]), i, t, failed = 0, planned = 0, k = 0, tier = -1;
	const char *word = NULL, *env = getenv("RKM_SELFTEST_JOBS");
	bool expand_only = false, *passed;
	double *secs, *cpu, tier_secs[2] = { 0 }, tier_cpu[2] = { 0 }, wall[2] = { 0 };
	int *order, *sel, tier_n[2] = { 0 }, nlanes = 0, m, pass;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char **why;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "-j", 2)) {
			const char *v = argv[i][2] ? argv[i] + 2 : i + 1 < argc ? argv[++i] : NULL;

			if (!(nlanes = parse_lanes(v, "-j", " ")))
				return 2;
			continue;
		}
		if (!strcmp(argv[i], "--tier") && i + 1 < argc) {
			i++;
			tier = !strcmp(argv[i], "check") ? CHECK : !strcmp(argv[i], "boot") ? BOOT : -2;
		} else if (!strcmp(argv[i], "--expand")) {
			expand_only = true;
		} else if (argv[i][0] != '-' && !word) {
			word = argv[i];
		} else {
			tier = -2;
		}
		if (tier == -2) {
			fputs(usage, stderr);
			return 2;
		}
	}
	/* Lanes: -j N, else RKM_SELFTEST_JOBS, else one per CPU. */
	if (!nlanes && env && !(nlanes = parse_lanes(env, "RKM_SELFTEST_JOBS", "=")))
		return 2;
	if (!nlanes)
		nlanes = ncpu < 1 ? 1 : ncpu > 256 ? 256 : ncpu;
	load_tree();
	/* The check tier first: it needs no guest and fails fast. */
	order = calloc(n, sizeof(int));
	for (t = CHECK; t >= BOOT; t--)
		for (i = 0; i < n; i++)
			if (cases[i].tier == (enum tier)t && (tier < 0 || tier == t) &&
			    (!word || strstr(cases[i].name, word)))
				order[planned++] = i;
	if (expand_only) {
		for (i = 0; i < planned; i++)
			failed += !print_case(&cases[order[i]]);
		return failed ? 1 : 0;
	}
	passed = calloc(n, sizeof(bool));
	secs = calloc(n, sizeof(double));
	cpu = calloc(n, sizeof(double));
	why = calloc(n, sizeof(char *));
	sel = calloc(n, sizeof(int));
	printf("KTAP version 1\n1..%d\n", planned);
	for (t = CHECK; t >= BOOT; t--) {
		double t0 = now();
		int total = 0;

		/* One lane: the cases in order, each in this process. Lanes: by start_pass(). */
		for (pass = 0, m = 0; pass < PASSES; pass++)
			for (i = 0; i < planned; i++)
				if (cases[order[i]].tier == (enum tier)t &&
				    (nlanes == 1 ? 2 : start_pass(&cases[order[i]])) == pass)
					sel[m++] = i;
		for (i = 0; i < planned; i++)
			total += cases[order[i]].tier == (enum tier)t;
		/* Every case of the tier in exactly one pass: none left out unseen. */
		if (m != total) {
			fprintf(stderr, "rkm-selftest: the passes of the %s tier do not hold each "
				"case once (start_pass)\n", t == CHECK ? "check" : "boot");
			return 2;
		}
		if (!m)
			continue;
		if (nlanes == 1) {
			for (i = 0; i < m; i++) {
				const struct tcase *c = &cases[order[sel[i]]];

				passed[sel[i]] = run_case(c, &secs[sel[i]], &cpu[sel[i]], &why[sel[i]]);
				print_result(c, passed[sel[i]], ++k, secs[sel[i]]);
			}
		} else {
			run_lanes(order, sel, m, nlanes, passed, secs, cpu, why, &k);
		}
		wall[t] = now() - t0;
		tier_n[t] = m;
		for (i = 0; i < m; i++) {
			failed += !passed[sel[i]];
			tier_secs[t] += secs[sel[i]];
			tier_cpu[t] += cpu[sel[i]];
		}
	}
	printf("# time per case, seconds (check tier %.0f, boot tier %.0f, total %.0f), "
	       "and the CPU time it took:\n",
	       tier_secs[CHECK], tier_secs[BOOT], tier_secs[CHECK] + tier_secs[BOOT]);
	for (i = 0; i < planned; i++)
		printf("#   %6.0f %6.0f cpu  %-6s %-5s  %.70s\n", secs[i], cpu[i],
		       passed[i] ? "ok" : "not ok", cases[order[i]].tier == CHECK ? "check" : "boot",
		       cases[order[i]].name);
	for (t = CHECK; t >= BOOT; t--)
		if (tier_n[t])
			printf("# %s tier: %d case(s) in %.0f s wall (sum of case times %.0f s, "
			       "CPU %.0f s), %d lane(s)\n", t == CHECK ? "check" : "boot", tier_n[t],
			       wall[t], tier_secs[t], tier_cpu[t], nlanes);
	if (boots[0].name[0])
		printf("# time per kernel, seconds from boot to power-off:\n");
	for (i = 0; i < MAX_KERNELS && boots[i].name[0]; i++)
		printf("#   %-8s %6.0f in %d boot(s)\n", boots[i].name, boots[i].seconds, boots[i].boots);
	for (i = 0; i < planned; i++)
		if (!passed[i])
			printf("# failed: %s\n%s", cases[order[i]].name, why[i] ? why[i] : "");
	printf("selftest: %d passed, %d failed\n", planned - failed, failed);
	return failed ? 1 : 0;
}
