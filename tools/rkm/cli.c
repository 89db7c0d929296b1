// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: the command table (name, handler, summary, usage), getopt_long for
 * every command, and checked integer options. README.md holds each usage
 * text verbatim; rkm-unit compares them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rkm.h"

#define RUN_OPTIONS \
	"  --kernel NAME          a kernel of 'rkm kernels' (matrix or user), a release, or a\n" \
	"                         group: 'stock', 'user', 'all', 'arm64' (repeatable; default: the\n" \
	"                         matrix).\n" \
	"                         Booting needs an image: a kernel named without one is an\n" \
	"                         error; in a group, it is named and left out\n" \
	"  --module PATH[:PARAMS] load this module at boot, with parameters (%k in PATH: the kernel)\n" \
	"  --ship PATH            put this module in the guest's /lib/rkm, not loaded\n" \
	"  --test 'NAME=PROGRAM [ARGS]'  run this static program in the guest (nested KTAP)\n" \
	"  --qemu 'ARGS'          more QEMU arguments, split at spaces ('-device NAME,...')\n" \
	"  --append 'ARGS'        more kernel command-line words (e.g. pci=nomsi)\n" \
	"  --test-timeout S       seconds per module or test in the guest (1..86400; default 60)\n" \
	"  --timeout S            seconds for the whole boot, host side (1..86400; default: derived)\n" \
	"  -v, --verbose          stream the guest's console too\n" \
	"  --dry-run              print each kernel's QEMU command line (also in its logs'\n" \
	"                         qemu.cmdline); build, but boot nothing\n"

/* kernels.c takes its names as they are: only --help to parse here. */
static int kernels_main(int argc, char **argv)
{
	static const struct option opts[] = { OPT_HELP, { 0 } };

	while (cmd_getopt(argc, argv, "h", opts) != -1)
		;
	return cmd_kernels(argc - optind + 1, argv + optind - 1);
}

const struct command rkm_commands[] = {
	{ "kernels", kernels_main, "the kernels to build for and boot: list, add, remove",
	  "usage: rkm kernels [NAME|RELEASE|GROUP]...\n"
	  "       rkm kernels add NAME RELEASE|KDIR [VMLINUZ]\n"
	  "       rkm kernels remove NAME\n"
	  "Lists kernels (default: all, and arm64) with release, vmlinuz, headers, list (matrix,\n"
	  "arm64, user, installed), use (build+boot; build-only: no image), architecture\n"
	  "and code-generation profile. GROUP: 'matrix' (what 'make setup' installs), 'stock'\n"
	  "(its distribution kernels), 'user' (those added), 'all' (these), 'arm64' (Debian's\n"
	  "arm64 kernels 'make setup' unpacks: cross-built, booted under qemu-system-aarch64).\n"
	  "A RELEASE with /lib/modules/RELEASE/build needs no entry.\n"
	  "add: names a kernel in $RKM_CACHE/user-kernels, whose lines 'make setup' keeps:\n"
	  "an installed RELEASE (image: /boot/vmlinuz-RELEASE if present) or a kernel build\n"
	  "directory KDIR (image: KDIR/arch/x86/boot/bzImage if present), or the image\n"
	  "VMLINUZ given. Building needs only the headers; booting needs the image.\n"
	  "remove: drops user kernel NAME.\n" },
	{ "build", cmd_build, "build drivers (Kbuild) for kernels",
	  "usage: rkm build DIR... [--kernel NAME]...\n"
	  "Builds each driver (DIR/NAME.rs, or a C module's Kbuild) into DIR/build/KERNEL/NAME.ko;\n"
	  "compiler, rustc, objtool and modpost warnings are errors.\n"
	  "  --kernel NAME   a kernel of 'rkm kernels', a release with headers installed, or a\n"
	  "                  group: 'stock', 'user', 'all', 'arm64' (repeatable; default: the matrix)\n" },
	{ "run", cmd_run, "boot kernels with modules and tests",
	  "usage: rkm run [--kernel NAME]... [--module PATH[:PARAMS]]... [--ship PATH]...\n"
	  "               [--test 'NAME=PROGRAM [ARGS]']... [--qemu 'ARGS']... [options]\n"
	  "Boots each kernel in QEMU with these modules and test programs, prints the guest's\n"
	  "KTAP and fails on any kernel report or taint.\n" RUN_OPTIONS
	  "  --skip FILE            KERNEL TEST REASON... lines: skips, each with its reason\n"
	  "  --logs DIR             the logs, per kernel (default build/logs/run)\n"
	  "Kernels boot RKM_JOBS at a time (default: one per CPU); each one's output is shown\n"
	  "when it ends, in matrix order.\n" },
	{ "test", cmd_test, "build drivers and run their tests",
	  "usage: rkm test DIR... [--reliability] [--variant NAME] [rkm run's options]\n"
	  "Builds each driver, the C twins its DIR/rkm.manifest declares and its DIR/test.c;\n"
	  "boots each kernel with all of them, and the QEMU devices the manifests ask for, and\n"
	  "runs the tests.\n"
	  "  --reliability          also run rkm-fuzz (the manifests' fuzz lines), rkm-cycles (each\n"
	  "                         driver's cycles, default 200) and, on the debug kernel,\n"
	  "                         rkm-failslab (failslab lines)\n"
	  "  --variant NAME         only the drivers whose manifest declares variant NAME, booted\n"
	  "                         with its kernel arguments\n" RUN_OPTIONS
	  "  --skip FILE            KERNEL TEST REASON... lines (default tests/skiplist)\n"
	  "  --logs DIR             the logs, per kernel (default build/logs/test)\n"
	  "Kernels boot RKM_JOBS at a time (default: one per CPU); each one's output is shown\n"
	  "when it ends, in matrix order.\n" },
	{ "bench", cmd_bench, "Rust drivers against their C twins",
	  "usage: rkm bench [DIR...] [--kernel NAME]... [--boots N] [--runs N] [--scale PERCENT]\n"
	  "                 [--wall-only | --icount-only] [--profile] [--no-costs] [--sizes]\n"
	  "                 [--symbols N] [--singlestep] [--out DIR]\n"
	  "Each driver against its C twin, as the bench lines of DIR/rkm.manifest declare\n"
	  "(default: every sample that has them), in the same boots, under wall time and\n"
	  "QEMU's -icount; prints Rust/C ratios, writes CSV, JSON and a chart.\n"
	  "  --kernel NAME    a kernel of the matrix (repeatable; default: all)\n"
	  "  --boots N        boots per kernel and clock (1..100; default 3)\n"
	  "  --runs N         rounds of every workload in a boot (1..1000; default 5)\n"
	  "  --scale PERCENT  iterations, in percent of the defaults (1..10000; default 100)\n"
	  "  --wall-only      wall time only, no -icount boots\n"
	  "  --icount-only    -icount boots only (instructions, not disturbed by a busy host)\n"
	  "  --profile        the -icount boots' instructions counted by a QEMU plugin per kernel\n"
	  "                   function: each workload's Rust/C per module and its 40 functions\n"
	  "                   with the largest gap, per operation\n"
	  "  --singlestep     the wall-clock boots run one guest instruction per translated\n"
	  "                   block (QEMU -singlestep): a gap that the code's shape makes\n"
	  "                   under emulation, against one in the instructions\n"
	  "  --no-costs       no module sizes and build times\n"
	  "  --sizes          only each pair's code size and Rust/C ratio, and where the Rust\n"
	  "                   module's code comes from (glue, driver, rkm, core::fmt,\n"
	  "                   core+alloc, padding): one build, no boot\n"
	  "  --symbols N      also list each Rust module's N largest functions and their origin\n"
	  "  --out DIR        bench.csv, bench.json, bench.png (default build/bench)\n" },
	{ "new", cmd_new, "start a driver project outside the rkm tree",
	  "usage: rkm new NAME [--dir PARENT] [--pci VENDOR:DEVICE [--qemu-device MODEL]]\n"
	  "Starts a driver in PARENT/NAME (default ./NAME): NAME.rs, Kbuild, Makefile, test.c,\n"
	  "rkm.manifest, README.md; never overwrites. No file names the rkm tree: rkm is found\n"
	  "on PATH.\n"
	  "  --pci VENDOR:DEVICE  a PCI driver for that device (hex ids, as lspci -n prints\n"
	  "                       them) instead of a misc device\n"
	  "  --qemu-device MODEL  the QEMU device its tests boot with (rkm.manifest's qemu line;\n"
	  "                       without it, the line is there commented out, to fill in)\n" },
	{ "lint", cmd_lint, "rustfmt --check, clippy and panics, drivers and crate",
	  "usage: rkm lint DIR...\n"
	  "       rkm lint --panics [--kernel NAME] [--no-fail] DIR...\n"
	  "rustfmt --check (rustfmt.toml) and clippy over each driver and the rkm crate, with\n"
	  "the 6.12 kernel build's rustc command line, then each driver's panic report (each\n"
	  "place that can panic is a problem).\n"
	  "--panics: the panic report alone: every source line of each driver from which its\n"
	  "built object can still panic, and the kind (bounds check, unwrap, overflow\n"
	  "check...); fails if any (--no-fail: reports only). The crate's own checks are\n"
	  "listed apart, not counted.\n" },
	{ "doc", cmd_doc, "the crate's API documentation (rustdoc)",
	  "usage: rkm doc [--out DIR] [--driver DIR] [--examples TEXT]\n"
	  "The rkm crate's API documentation, DIR/rkm/index.html (default build/doc), and its\n"
	  "examples compiled for the kernel target: as modules of one crate (rustdoc's list of\n"
	  "them, each wrapped as rustdoc wraps it); one that fails, or must stand alone\n"
	  "(compile_fail...), is compiled alone, as rustdoc would, and named.\n"
	  "  --driver DIR     the driver whose build gives the crate's rustc command (one built\n"
	  "                   with RKM_CRATE= documents that crate)\n"
	  "  --examples TEXT  compile only the examples whose name has TEXT (\"src/sync/lock/mutex.rs\",\n"
	  "                   \"alloc::KBox\"), each with rustdoc --test itself\n" },
	{ "rust-project", cmd_rust_project, "rust-project.json for rust-analyzer",
	  "usage: rkm rust-project DIR\n"
	  "Writes DIR/rust-project.json: rust-analyzer resolves core, alloc and rkm for DIR/NAME.rs.\n" },
	{ "sign", cmd_sign, "sign modules with the kernel's sign-file",
	  "usage: rkm sign --key KEY.pem --cert CERT.der [--kernel NAME] KO...\n"
	  "Signs modules with the kernel's own sign-file and module-signing hash; the kernel is\n"
	  "read from the path (DIR/build/KERNEL/NAME.ko) unless --kernel names it.\n" },
	{ "dkms", cmd_dkms, "a DKMS package: prebuilt Rust object, no Rust on the target",
	  "usage: rkm dkms DIR [--kernel K]... [--version V] [--out OUTDIR]\n"
	  "A DKMS source package of the driver for the kernels named (default: every kernel\n"
	  "of 'rkm kernels'): one prebuilt Rust object per profile they need, checked against\n"
	  "each of them (default version 0.1, in DIR/build/dkms/NAME-V).\n" },
	{ "decode", cmd_decode, "demangle the Rust symbols of a kernel log",
	  "usage: rkm decode [FILE]\n"
	  "Prints FILE (default: standard input), a kernel log or stack trace, with every Rust\n"
	  "symbol (v0 _R..., legacy _ZN...E) demangled; offsets and module names stay.\n" },
	{ NULL },
};

const struct command *command_find(const char *name)
{
	const struct command *c;

	for (c = rkm_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void usage_exit(const char *cmd, int status)
{
	const struct command *c = command_find(cmd);

	fputs(c ? c->usage : "", status ? stderr : stdout);
	exit(status);
}

int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *opts)
{
	char optstring[32];
	int c;

	/* ':' first: a missing value is told apart from an unknown option. */
	snprintf(optstring, sizeof(optstring), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, optstring, opts, NULL);
	if (c == 'h')
		usage_exit(argv[0], 0);
	if (c == '?' || c == ':') {
		const char *what = argv[optind - 1];
		char shortopt[3] = { '-', (char)optopt, '\0' };

		/*
		 * A short option: name the letter (inside a group, getopt has not
		 * moved optind past it yet). A long one: the word getopt passed.
		 */
		if (optopt)
			what = shortopt;
		/* A long option with no letter of its own: its name, not its value's letter. */
		for (const struct option *o = opts; optopt && o->name; o++)
			if (o->val == optopt && !o->flag && !strchr(shortopts, optopt))
				what = xasprintf("--%s", o->name);
		fprintf(stderr, "rkm %s: %s '%s'\n", argv[0],
			c == ':' ? "missing value for option" : "unknown option", what);
		usage_exit(argv[0], 2);
	}
	return c;
}

int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (!s || !*s || (*s != '-' && (*s < '0' || *s > '9')))
		return -1;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int opt_int(const char *opt, const char *s, long min, long max)
{
	long v;

	if (parse_int(s, min, max, &v))
		die("%s: '%s' is not an integer in %ld..%ld", opt, s, min, max);
	return (int)v;
}
