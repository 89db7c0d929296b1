// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm lint DIR...` (rustfmt --check and clippy over drivers and the
 * crate, and each driver's panic report, panics.c), and what it shares with
 * `rkm doc` (doc.c).
 *
 * Both run the tool with the very command line the kernel build used for
 * rustc (read from Kbuild's .cmd file of a build for the 6.12 kernel), so the
 * target, the sysroot of core/alloc, the cfgs and the flags are the real
 * ones: one place decides them, kbuild/rkm.mk.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

#define CLIPPY RUST_TOOL("RKM_CLIPPY", "/usr/bin/clippy-driver")
#define RUSTFMT RUST_TOOL("RKM_RUSTFMT", "/usr/bin/rustfmt")

/* The command of a Kbuild .cmd file ("cmd_OUT := CMD" or "savedcmd_OUT := CMD"), whole. */
char *kbuild_cmd_whole(const char *cmdfile)
{
	FILE *f = fopen(cmdfile, "r");
	char *line = NULL, *cmd = NULL;
	size_t cap = 0;

	if (!f)
		die("no %s: the driver was not built", cmdfile);
	while (!cmd && getline(&line, &cap, f) > 0) {
		char *eq = strstr(line, " := ");

		if (eq && (!strncmp(line, "cmd_", 4) || !strncmp(line, "savedcmd_", 9))) {
			eq[4 + strcspn(eq + 4, "\n")] = '\0';
			cmd = strdup(eq + 4);
		}
	}
	fclose(f);
	free(line);
	if (!cmd)
		die("%s holds no Kbuild command", cmdfile);
	return cmd;
}

/* The compiler's command of a Kbuild .cmd file: the crate's runs under kbuild/rkm-cache. */
char *kbuild_cmd(const char *cmdfile)
{
	char *cmd = kbuild_cmd_whole(cmdfile);

	/* The compiler's part follows " -- ". */
	if (strstr(cmd, "/kbuild/rkm-cache ") && strstr(cmd, " -- ")) {
		char *tail = strdup(strstr(cmd, " -- ") + 4);

		free(cmd);
		cmd = tail;
	}
	return cmd;
}

/*
 * Returns cmd with the compiler (the word after kbuild/rustc-kernel) replaced
 * by tool, and the word after " -o " by out.
 */
char *swap_tool(const char *cmd, const char *tool, const char *out)
{
	const char *w = strstr(cmd, "/kbuild/rustc-kernel "), *rc, *rc_end, *o, *o_end;

	if (!w)
		die("not an rkm rustc command: %.60s...", cmd);
	rc = w + strlen("/kbuild/rustc-kernel ");
	rc_end = rc + strcspn(rc, " ");
	o = strstr(rc_end, " -o ");
	if (!o)
		die("no -o in the rustc command");
	o += 4;
	o_end = o + strcspn(o, " ");
	return xasprintf("%.*s%s%.*s%s%s", (int)(rc - cmd), cmd, tool, (int)(o - rc_end), rc_end,
			 out, o_end);
}

void need_tool(const char *path, const char *package)
{
	if (access(path, X_OK))
		die("no %s: apt-get install %s (or run 'make setup')", path, package);
}

/* Runs cmd with sh in dir; its output goes to line_cb. */
int run_sh(const char *dir, const char *cmd, void (*line_cb)(const char *, void *), void *ctx)
{
	char *script = xasprintf("cd '%s' && %s", dir, cmd);
	char *argv[] = { "sh", "-c", script, NULL };
	int rc = run_cmd(argv, line_cb, ctx);

	free(script);
	return rc;
}

/*
 * Counts what the tool shows: each diagnostic ("warning: ...", "error[E...]:
 * ...") and each rustfmt difference ("Diff in FILE:LINE:"); not rustc's
 * closing lines, which count the others ("error: aborting due to 1 previous
 * error; 1 warning emitted").
 */
void count_line(const char *line, void *ctx)
{
	int n;

	puts(line);
	if (!strncmp(line, "error: aborting due to ", 23) ||
	    (sscanf(line, "warning: %d warning", &n) == 1 && strstr(line, " emitted")))
		return;
	if (!strncmp(line, "warning:", 8) || !strncmp(line, "warning[", 8) ||
	    !strncmp(line, "error:", 6) || !strncmp(line, "error[", 6) || !strncmp(line, "Diff in ", 8))
		(*(int *)ctx)++;
}

/*
 * Over the crate, on top of the default set: every unsafe block and unsafe
 * impl has a `// SAFETY:` comment, every public unsafe fn and trait a
 * `# Safety` section, and no safe code carries either. (Drivers need none:
 * the build forbids unsafe code in them, see kbuild/rkm.mk.) rust/clippy.toml
 * extends the `# Safety` rule to private unsafe fns.
 */
#define CRATE_LINTS                                                                   \
	" -Wclippy::undocumented_unsafe_blocks -Wclippy::missing_safety_doc"          \
	" -Wclippy::unnecessary_safety_comment -Wclippy::unnecessary_safety_doc"

/*
 * Clippy's lints run in the analysis, before code generation: metadata is
 * all it needs to emit (cargo clippy's way), half the time of a build.
 * Errors found only after monomorphisation are the build's to find, and
 * lint builds the driver first.
 */
#define CLIPPY_EMIT " --emit=metadata"

/* The 6.12 kernel of the matrix: its build gives the stock flag set. */
void stock_kernel(struct kernel *k)
{
	const char *name = "6.12";

	kernels_select(&name, 1, k);
}

/* A driver's build directory for k, built (or rkm stops). */
static char *lint_build(const char *arg, const struct kernel *k, char *dir, const char **name)
{
	char ko[PATH_MAX];

	if (!realpath(arg, dir))
		die("no driver directory %s", arg);
	*name = base_name(dir);
	if (build_driver(dir, k, ko, sizeof(ko)))
		die("%s does not build for %s: fix that first", *name, k->name);
	return xasprintf("%s/build/%s", dir, k->name);
}

/*
 * parallel_each()'s call: clippy, rustfmt and the panic report (panics.c)
 * over one driver, built once; its problems.
 */
static int lint_driver(const char *arg, void *kp)
{
	const struct kernel *k = kp;
	char dir[PATH_MAX];
	const char *name;
	char *bdir = lint_build(arg, k, dir, &name), *out = xasprintf("%s/clippy", bdir), *cmd;
	int found = 0, problems = 0, rc;

	mkdirs(out);
	printf("  CLIPPY  %s\n", name);
	cmd = swap_tool(kbuild_cmd(xasprintf("%s/.%s-rust.a.cmd", bdir, name)), CLIPPY,
			xasprintf("%s/%s-rust.a", out, name));
	cmd = xasprintf("%s" CLIPPY_EMIT, cmd);
	/* Clippy's -L path to the crate is this build's, the one lint checked. */
	rc = run_sh(bdir, cmd, count_line, &found);
	problems += found + (rc != 0 && !found);
	found = 0;
	printf("  RUSTFMT %s\n", name);
	rc = run_cmd((char *[]){ (char *)RUSTFMT, "--check", "--config-path",
				 xasprintf("%s/rustfmt.toml", rkm_root),
				 xasprintf("%s/%s.rs", dir, name), NULL },
		     count_line, &found);
	problems += found + (rc != 0 && !found);
	problems += panics_report(dir, k);
	free(bdir);
	free(out);
	return problems;
}

int cmd_lint(int argc, char **argv)
{
	struct kernel k;
	char dir[PATH_MAX];
	const char *name;
	char *bdir, *out, *cmd;
	int i, found = 0, problems = 0, rc;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--panics"))
			return cmd_lint_panics(argc, argv);
	while (cmd_getopt(argc, argv, "h", (const struct option[]){ OPT_HELP, { 0 } }) != -1)
		;
	if (optind == argc)
		usage_exit(argv[0], 2);
	need_tool(CLIPPY, "rust-web-clippy");
	need_tool(RUSTFMT, "rustfmt-web");
	stock_kernel(&k);
	/* The crate once (every driver compiles the same one), with the first driver's command. */
	bdir = lint_build(argv[optind], &k, dir, &name);
	out = xasprintf("%s/clippy", bdir);
	mkdirs(out);
	printf("  CLIPPY  rkm crate\n");
	cmd = xasprintf("CLIPPY_CONF_DIR='%s/rust' %s" CRATE_LINTS CLIPPY_EMIT, rkm_root,
			swap_tool(kbuild_cmd(xasprintf("%s/.librkm.rlib.cmd", bdir)), CLIPPY,
				  xasprintf("%s/librkm.rlib", out)));
	rc = run_sh(bdir, cmd, count_line, &found);
	problems += found + (rc != 0 && !found);
	found = 0;
	printf("  RUSTFMT rkm crate\n");
	rc = run_cmd((char *[]){ (char *)RUSTFMT, "--check", "--config-path",
				 xasprintf("%s/rustfmt.toml", rkm_root),
				 xasprintf("%s/rust/src/lib.rs", rkm_root), NULL },
		     count_line, &found);
	problems += found + (rc != 0 && !found);
	/* Then the drivers, one per CPU at a time, each one's output whole. */
	problems += parallel_each(argv + optind, argc - optind, lint_driver, &k);
	printf("rkm lint: %d problem(s)\n", problems);
	return problems ? 1 : 0;
}
