/* SPDX-License-Identifier: GPL-2.0 */
/* rkm: the host tool (kernels, build, run, test, bench...): shared declarations. */
#ifndef RKM_H
#define RKM_H

#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <limits.h>
#include <stddef.h>

/* Kernels one command takes at once (the lists themselves have no limit). */
#define RKM_MAX_KERNELS 32
#define RKM_MAX_ITEMS 64
/* NICs a manifest may ask for ('nic MODEL COUNT'): MACs 52:54:00:12:34:50..57. */
#define RKM_MAX_NICS 8

enum kernel_list {
	KERNEL_MATRIX,		/* $RKM_CACHE/kernels, written by make setup */
	KERNEL_USER,		/* $RKM_CACHE/user-kernels, rkm kernels add */
	KERNEL_INSTALLED,	/* a release named as it is: /lib/modules/RELEASE/build */
	KERNEL_ARM64,		/* $RKM_CACHE/kernels-arm64, make setup: cross-built for */
};

struct kernel {
	char *name;		/* 6.1, 6.12, 6.12-rt, debug; a user's; or the release */
	char *release;		/* uname -r */
	char *vmlinuz;		/* the image to boot (may be missing), or NULL: none */
	char *headers;		/* Kbuild directory (KDIR) */
	bool built;		/* built by rkm (the debug kernel), not a distribution's */
	bool arm64;		/* an arm64 kernel (CONFIG_ARM64): cross-built, booted under qemu-system-aarch64 */
	bool reference;		/* rkm test: the kernel that runs the reliability programs in full */
	enum kernel_list from;
	char *file;		/* the list and line it comes from */
	int line;
};

/* What one guest boot does: modules to load, tests to run, skips. */
struct plan {
	const char *modules[RKM_MAX_ITEMS];	/* "path [params]", loaded by init */
	int nmodules;
	const char *ship[RKM_MAX_ITEMS];	/* .ko put in /lib/rkm, not loaded */
	int nship;
	const char *ship_as[RKM_MAX_ITEMS];	/* manifest 'build-as': .ko put in /lib/rkm/as */
	int nship_as;
	const char *tests[RKM_MAX_ITEMS];	/* "name=path [args]" */
	int ntests;
	const char *fails[RKM_MAX_ITEMS];	/* "name reason": reported failed */
	int nfails;
	int test_timeout;	/* seconds, per item, enforced in the guest */
	int host_timeout;	/* seconds, whole boot; 0: derived */
	const char *skiplist;	/* file of "KERNEL TEST REASON..." lines */
	bool verbose;		/* stream the console too */
	bool icount;		/* guest clock counts instructions (-icount) */
	bool quiet;		/* do not echo the guest's KTAP */
	bool dry_run;		/* print QEMU's command line, boot nothing (--dry-run) */
	const char *qemu[RKM_MAX_ITEMS];	/* more QEMU arguments, a line each (split at spaces) */
	int nqemu;
	const char *append;	/* more kernel command-line words, or NULL */
	/* Watchdog resets (issue 16): a boot each, after this plan's (vm.c). */
	const char *reset_tests[RKM_MAX_ITEMS];	/* "name=path ARGS" */
	int nreset_tests;
	bool expect_reset;	/* this boot must end in a watchdog reset the test announced */
	/* Host programs (manifest 'program'), shipped at their paths with their libraries. */
	const char *programs[RKM_MAX_ITEMS];	/* absolute host paths */
	int nprograms;
};

/* What a driver directory declares in DIR/rkm.manifest (README, "Manifests"). */
#define RKM_MANIFEST "rkm.manifest"
#define RKM_DEFAULT_CYCLES 200
/* The largest 'bench code-limit BYTES': 1 MiB. */
#define RKM_MAX_CODE_LIMIT (1 << 20)

struct manifest {
	char dir[PATH_MAX];	/* the driver directory (real path) */
	const char *name;	/* the driver's module name: the directory's */
	const char *qemu[RKM_MAX_ITEMS];	/* QEMU argument lines for every boot */
	int nqemu;
	const char *twins[RKM_MAX_ITEMS];	/* C twin subdirectories (module names) */
	int ntwins;
	const char *fuzz[RKM_MAX_ITEMS];	/* "MODULE:MODEL[:DEVICE][:configfs=SUBSYS]" for rkm-fuzz */
	int nfuzz;
	int cycles;		/* load/unload cycles of the driver for rkm-cycles; 0: none */
	const char *cycles_params;	/* its module parameters in those cycles, or NULL */
	const char *failslab[RKM_MAX_ITEMS];	/* "MODULE[:DEVICE[:files]]" for rkm-failslab */
	int nfailslab;
	/* The benchmark: the driver against one of its twins. */
	const char *bench_c;	/* the twin it is compared with, or NULL: no benchmark */
	const char *bench_params;	/* module parameters of both when benchmarked, or NULL */
	const char *bench_qemu[RKM_MAX_ITEMS];	/* QEMU argument lines for benchmark boots */
	int nbench_qemu;
	const char *workloads[RKM_MAX_ITEMS];	/* tests/bench/bench.c workload names */
	int nworkloads;
	bool alternate;		/* swap the pair's load order every boot */
	long code_limit;	/* 'bench code-limit BYTES': the driver's code at most its twin's
				 * + BYTES (-1: at most 1.5 times the twin's) */
	const char *variants[RKM_MAX_ITEMS];	/* "NAME KERNEL-ARGS...": rkm test --variant NAME */
	int nvariants;
	const char *kernel_args;	/* 'kernel-args ARGS...': every boot of its tests has them */
	const char *kmods[RKM_MAX_ITEMS];	/* 'kernel-module NAME': the target kernel's own */
	int nkmods;
	const char *resets[RKM_MAX_ITEMS];	/* 'reset-test ARGS...': test.c ARGS must reset the guest */
	int nresets;
	const char *programs[RKM_MAX_ITEMS];	/* 'program PACKAGE PROGRAM...': "PACKAGE PROGRAM" */
	const char *program_at[RKM_MAX_ITEMS];	/* the "FILE:LINE" that declared each */
	int nprograms;
	const char *build_as[RKM_MAX_ITEMS];	/* 'build-as NAME': the driver built as NAME too */
	int nbuild_as;
	int nnics;		/* 'nic MODEL COUNT': NICs on QEMU hub 0, in qemu[] */
	/* 'driver DIR': other drivers built and shipped too (real paths, named after their dirs) */
	const char *drivers[RKM_MAX_ITEMS];
	int ndrivers;
};

struct result {
	int passed, failed, skipped;
	double seconds;
};

/* cli.c: the command table, option parsing, checked integers */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;	/* one line, for rkm --help */
	const char *usage;	/* printed by rkm NAME --help; README.md holds it verbatim */
};
extern const struct command rkm_commands[];
const struct command *command_find(const char *name);
void usage_exit(const char *cmd, int status) __attribute__((noreturn));
#define OPT_HELP { "help", no_argument, NULL, 'h' }
/* getopt_long for command argv[0]: --help prints its usage and exits 0; a bad option exits 2. */
int cmd_getopt(int argc, char **argv, const char *shortopts, const struct option *opts);
/* 0 and *out if s is a whole decimal integer in min..max, else -1. */
int parse_int(const char *s, long min, long max, long *out);
/* parse_int or die: "rkm: --boots: 'x' is not an integer in 1..100". */
int opt_int(const char *opt, const char *s, long min, long max);

/* util.c */
extern const char *rkm_root;
extern const char *rkm_cache;
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *fill_template(const char *tmpl, const char *const *subst);
void mkdirs(const char *path);
int parallel_each(char *const *items, int n, int (*fn)(const char *item, void *ctx), void *ctx);
void write_file(const char *path, const char *text);
char *read_file(const char *path, size_t *len);
bool is_file(const char *path);
bool is_dir(const char *path);
double now(void);
const char *base_name(const char *path);
/* s with its first occurrence of old replaced by new; dies if there is none. */
char *replace_once(const char *s, const char *old, const char *new);
bool valid_module_name(const char *name);
/* Runs argv, its output to line_cb (or inherited if NULL); returns its exit status. */
int run_cmd(char *const argv[], void (*line_cb)(const char *line, void *ctx), void *ctx);

/*
 * kernels.c: out[] holds RKM_MAX_KERNELS. kernels_select: the kernels named
 * (no name: the matrix) whose headers are installed, to build for;
 * kernels_bootable: those that can also boot (an image), to run.
 */
int kernels_load(struct kernel *k, int max);
int kernels_select(const char **names, int nnames, struct kernel *out);
int kernels_bootable(const char **names, int nnames, struct kernel *out);
char *kernel_modroot(const struct kernel *k, bool *tree);
void kernels_not_arm64(const struct kernel *k, int n, const char *what);
/* Debian's arm64 cross toolchain: CROSS_COMPILE for Kbuild, PREFIXgcc for test programs. */
#define RKM_ARM64_CROSS "aarch64-linux-gnu-"
int cmd_kernels(int argc, char **argv);

/* build.c */
int build_driver(const char *dir, const struct kernel *k, char *ko, size_t kolen);
/* Later builds keep probes and the rkm crate in DIR instead of RKM_CACHE (NULL: back). */
void build_caches(const char *dir, bool all);
int build_driver_as(const char *dir, const struct kernel *k, const char *modname, char *ko,
		    size_t kolen);
int build_test_program(const char *dir, bool arm64, char *out, size_t outlen);
int cmd_build(int argc, char **argv);

/* manifest.c */
void manifest_load(const char *dir, struct manifest *m);
const char *manifest_variant(const struct manifest *m, const char *name);
bool manifest_kmod(const struct manifest *m, const char *name);
void plan_add_qemu(struct plan *p, const char *line, bool dedup);

/* vm.c */
char *skips_for(const char *skiplist, const char *kernel);
struct ktap;
struct ktap *ktap_new(FILE *log, bool quiet);
void ktap_line(struct ktap *t, const char *line);
bool stale_int3(const char *path);
void ktap_counts(const struct ktap *t, int *planned, int *passed, int *failed, int *skipped,
		 const char **failures);
int build_all(const struct manifest *m, const struct kernel *k, struct plan *p);
int vm_run(const struct kernel *k, const struct plan *p, const char *logdir, struct result *r);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);

/* vm.c: the initramfs, a cpio "newc" archive written directly */
struct cpio {
	FILE *f;
	unsigned long ino;
	unsigned long off;
	char **paths;		/* guest paths written (userspace.c: each once) */
	size_t npaths;
};
void cpio_entry(struct cpio *c, const char *name, unsigned int mode, unsigned int rdev,
		const void *data, size_t size);
void cpio_file(struct cpio *c, const char *name, const char *path, unsigned int mode);

/*
 * userspace.c: host programs in the guest (manifest 'program'), at their
 * own paths with their shared libraries and loader, and the guest's
 * /lib/modules/RELEASE (modules.dep by the host's depmod) for their modprobe.
 */
char *program_path(const char *name);
void plan_add_programs(const struct manifest *m, struct plan *p);
bool guest_base_dir(struct cpio *c, const struct plan *p, const char *dir);
void guest_userspace(struct cpio *c, const struct kernel *k, const struct plan *p,
		     const char *staging);

/* kmod.c: module NAME of kernel k and its dependencies into p->ship; -1 and *why if not */
int ship_kernel_module(const struct kernel *k, const char *name, struct plan *p, char **why);

/* bench.c */
int cmd_bench(int argc, char **argv);
/* profile.c: rkm bench --profile's tables, from a boot's ktap.log and the plugin's counts */
void profile_report(FILE *out, const char *ktap, const char *counts, int top);

/* codesize.c: where an rkm module's code comes from (rkm bench's size tables) */
enum { ORIGIN_GLUE, ORIGIN_DRIVER, ORIGIN_CRATE, ORIGIN_FMT, ORIGIN_CORE, ORIGIN_PADDING,
       NORIGINS };
extern const char *const code_origin_names[NORIGINS];
int code_origin_of(const char *demangled, const char *driver);
/* KO's code bytes per origin (code: its executable sections' bytes); false: no NAME-rust.o beside it. */
bool code_origins(const char *ko, long code, long bytes[NORIGINS], int top);

/* new.c */
int cmd_new(int argc, char **argv);

/* lint.c: rkm lint, and what it shares with rkm doc and rkm lint --panics */
int cmd_lint(int argc, char **argv);
/* Debian's Rust tools (not a rustup one earlier in PATH); RKM_CLIPPY & co override. */
#define RUST_TOOL(env, path) (getenv(env) ? getenv(env) : (path))
/* The command of a Kbuild .cmd file; kbuild_cmd without the kbuild/rkm-cache wrapper. */
char *kbuild_cmd(const char *cmdfile);
char *kbuild_cmd_whole(const char *cmdfile);
/* cmd (an rkm rustc command) with tool for rustc and out for the -o path. */
char *swap_tool(const char *cmd, const char *tool, const char *out);
void need_tool(const char *path, const char *package);
/* sh -c "cd dir && cmd", its output (stdout and stderr) to line_cb. */
int run_sh(const char *dir, const char *cmd, void (*line_cb)(const char *, void *), void *ctx);
/* run_cmd's line_cb: prints the line; counts diagnostics and rustfmt differences in *(int *)ctx. */
void count_line(const char *line, void *ctx);
/* The matrix's 6.12 kernel: its build gives the stock flag set. */
void stock_kernel(struct kernel *k);
/* panics.c: rkm lint --panics, and the panic report of rkm lint */
int cmd_lint_panics(int argc, char **argv);
int panics_report(const char *dir, const struct kernel *k);
/* doc.c */
int cmd_doc(int argc, char **argv);

/* project.c */
int cmd_rust_project(int argc, char **argv);

/* sign.c */
int cmd_sign(int argc, char **argv);

/* dkms.c */
int cmd_dkms(int argc, char **argv);

/* demangle.c: Rust symbols (v0 and legacy) in kernel logs, demangled */
char *demangle_text(const char *text);
void demangle_fputs(const char *text, FILE *f);
void demangle_write(const char *buf, size_t n, FILE *f);	/* whole lines; the rest waits */
void demangle_flush(FILE *f);
int cmd_decode(int argc, char **argv);

#include "json.h"

#endif
