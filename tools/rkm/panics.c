// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm lint --panics DIR...`, and the last part of `rkm lint DIR...`:
 * every place in a driver's own code from which its built object can still
 * panic (a kernel oops: rkm's panic handler is BUG()), with its source line
 * and kind.
 *
 * The object analysed is the one the module links: the driver is compiled
 * again with its exact Kbuild command (and the crate with its own), plus
 * -Cdebuginfo=line-tables-only, into DIR/build/6.12/panics/; every code
 * section of that object is compared byte for byte with the built
 * NAME-rust.o (line tables change no code; if they ever did the report says
 * so and fails). The module itself keeps -Cdebuginfo=0.
 *
 * The object is linked alone (undefined symbols left at 0) so that every
 * call has a resolved target, disassembled with objdump, and each call or
 * jump to a panic entry point of core or alloc (panic_bounds_check,
 * slice_index_fail, panic_const_*, unwrap_failed, panic_fmt...) is placed
 * with addr2line -i: its chain of inlined frames, innermost first. The first
 * frame outside Rust's library decides whose panic it is:
 *
 *   - a file of the driver directory: the driver's, reported at that line
 *     (a bounds check inlined from core into the driver's line is the
 *     driver's line);
 *   - the rkm crate: the crate's own check (an invariant of the crate, not
 *     something the driver wrote). Listed under "in the rkm crate" with the
 *     driver line it was inlined into, and not counted: the crate's panics
 *     are the crate's to remove, and its tests cover them;
 *   - no such frame: inside core's own panic machinery; ignored.
 *
 * Calls into functions that are not inlined are not followed (a driver
 * function that is not inlined is analysed itself; a core function such as
 * fmt::write is core's).
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

#define PANICS_ADDR2LINE "addr2line"
#define PANICS_OBJDUMP "objdump"
#define SCOPE_OBJECT "--remap-path-scope=object"
#define SCOPE_MACRO "--remap-path-scope=macro"

/* Panic entry points (demangled, hash-free names) and what reaching them means. */
static const struct {
	const char *prefix;
	const char *kind;
} panic_entries[] = {
	{ "core::panicking::panic_bounds_check", "index out of bounds" },
	{ "core::slice::index::", "slice range out of bounds" },
	{ "core::str::slice_error_fail", "str slice range out of bounds" },
	{ "core::panicking::panic_const::panic_const_div_by_zero", "division by zero" },
	{ "core::panicking::panic_const::panic_const_rem_by_zero", "division by zero (remainder)" },
	{ "core::panicking::panic_const::", "arithmetic overflow check" },
	{ "core::option::unwrap_failed", "unwrap on None" },
	{ "core::option::expect_failed", "expect on None" },
	{ "core::result::unwrap_failed", "unwrap/expect on Err" },
	{ "core::panicking::assert_failed", "assert_eq!/assert_ne!" },
	{ "core::cell::panic_already", "RefCell already borrowed" },
	{ "alloc::raw_vec::", "allocation capacity overflow" },
	{ "alloc::alloc::handle_alloc_error", "allocation failure" },
	{ "core::panicking::panic_nounwind", "core's unsafe-precondition check (debug assertions)" },
	{ "core::panicking::", "panic" },
	{ "rust_begin_unwind", "panic" },
	{ "__rustc::rust_begin_unwind", "panic" },
};

struct site {
	unsigned long addr;
	const char *callee;
	const char *kind;
	char *file;	/* the driver's (or crate's) file and line, from addr2line */
	int line;
	char *via;	/* crate panic: the driver line it was inlined into, or NULL */
	bool crate;
	bool keep;
};

struct scan {
	struct site *s;
	int n, cap;
	int cur;	/* addr2line: the site being read, -1 before the first */
	const char *dir;	/* the driver directory, with a trailing '/' */
	char *func;	/* addr2line: the function line before a file:line line */
};

static const char *panic_kind(const char *sym)
{
	size_t i;

	for (i = 0; i < sizeof(panic_entries) / sizeof(panic_entries[0]); i++)
		if (!strncmp(sym, panic_entries[i].prefix, strlen(panic_entries[i].prefix)))
			return panic_entries[i].kind;
	return NULL;
}

/* objdump -d: "  401497:\tcall   401040 <core::slice::index::slice_index_fail>" */
static void objdump_line(const char *line, void *ctx)
{
	struct scan *sc = ctx;
	const char *tab = strchr(line, '\t'), *lt, *gt;
	char *sym;
	const char *kind;

	if (!tab || !strchr(line, ':'))
		return;
	tab++;
	if (!strncmp(tab, "cs ", 3))
		tab += 3;
	if (tab[0] != 'j' && strncmp(tab, "call", 4))
		return;
	lt = strchr(tab, '<');
	gt = lt ? strrchr(lt, '>') : NULL;
	if (!gt)
		return;
	sym = strndup(lt + 1, gt - lt - 1);
	/* A jump inside a function names it with +0x...: not an entry. */
	if (strstr(sym, "+0x") || !(kind = panic_kind(sym))) {
		free(sym);
		return;
	}
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 64;
		sc->s = realloc(sc->s, sc->cap * sizeof(*sc->s));
		if (!sc->s)
			die("out of memory");
	}
	sc->s[sc->n++] = (struct site){ .addr = strtoul(line, NULL, 16), .callee = sym,
					.kind = kind };
}

static bool rust_library(const char *file)
{
	return strstr(file, "/library/core/") || strstr(file, "/library/alloc/") ||
	       file[0] == '?' || strstr(file, ":?");
}

/*
 * addr2line -i -f -a: "0xADDR", then per frame (innermost first) a function
 * line and a "FILE:LINE" line.
 */
static void addr2line_line(const char *line, void *ctx)
{
	struct scan *sc = ctx;
	struct site *s;
	const char *colon;

	if (!strncmp(line, "0x", 2)) {
		unsigned long a = strtoul(line, NULL, 16);

		while (++sc->cur < sc->n && sc->s[sc->cur].addr != a)
			;
		free(sc->func);
		sc->func = NULL;
		return;
	}
	if (sc->cur < 0 || sc->cur >= sc->n)
		return;
	if (!sc->func) {
		sc->func = strdup(line);
		return;
	}
	free(sc->func);
	sc->func = NULL;
	s = &sc->s[sc->cur];
	colon = strrchr(line, ':');
	if (!colon || rust_library(line))
		return;
	if (!strncmp(line, sc->dir, strlen(sc->dir))) {
		/* The driver's frame: the site's line, or the line a crate check was inlined into. */
		if (!s->file) {
			s->file = strndup(line, colon - line);
			s->line = atoi(colon + 1);
			s->keep = true;
		} else if (s->crate && !s->via) {
			s->via = strdup(line + strlen(sc->dir));
			s->keep = true;
		}
	} else if (!s->file) {
		s->file = strndup(line, colon - line);
		s->line = atoi(colon + 1);
		s->crate = true;
	}
}

/* The source text of FILE:LINE, or "". */
static char *source_line(const char *file, int line)
{
	FILE *f = fopen(file, "r");
	char *buf = NULL;
	size_t cap = 0;
	int n = 0;

	while (f && getline(&buf, &cap, f) > 0)
		if (++n == line)
			break;
	if (f)
		fclose(f);
	if (n != line || !buf) {
		free(buf);
		return strdup("");
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* A generic core::panicking entry, named after the macro on the line. */
static const char *refine_kind(const struct site *s)
{
	static const struct {
		const char *word, *kind;
	} words[] = {
		{ "unreachable!", "unreachable!" },     { "todo!", "todo!" },
		{ "unimplemented!", "unimplemented!" }, { "assert", "assert!" },
		{ "panic!", "explicit panic!" },        { ".expect(", "expect" },
		{ ".unwrap(", "unwrap" },
	};
	char *text;
	const char *kind = s->kind;
	size_t i;

	if (strcmp(s->kind, "panic"))
		return kind;
	text = source_line(s->file, s->line);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(text, words[i].word)) {
			kind = words[i].kind;
			break;
		}
	free(text);
	return kind;
}

static int by_line(const void *a, const void *b)
{
	const struct site *x = a, *y = b;
	int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");

	return c ? c : x->line - y->line;
}

static int sh(const char *cmd)
{
	return run_cmd((char *[]){ "sh", "-c", (char *)cmd, NULL }, NULL, NULL);
}

/* cmd with the word after " -o " replaced by out, and --extern rkm=... by rlib (if set). */
static char *retarget(const char *cmd, const char *out, const char *rlib)
{
	const char *o = strstr(cmd, " -o "), *e, *o_end;
	char *r;

	if (!o)
		die("no -o in the rustc command");
	o_end = o + 4 + strcspn(o + 4, " ");
	r = xasprintf("%.*s -o %s%s", (int)(o - cmd), cmd, out, o_end);
	if (rlib) {
		e = strstr(r, "--extern rkm=");
		if (!e)
			die("no --extern rkm= in the driver's rustc command");
		r = xasprintf("%.*s--extern rkm=%s%s", (int)(e - r), r, rlib,
			      e + strlen("--extern rkm=") + strcspn(e + strlen("--extern rkm="), " "));
	}
	return r;
}

/*
 * The driver's object with line tables, linked alone, as PDIR/NAME.elf;
 * false (and a message) if its code differs from the built object's.
 */
static bool line_table_object(const char *bdir, const char *pdir, const char *name)
{
	/*
	 * The crate with line tables is the same for every driver of the
	 * profile: under the build's kbuild/rkm-cache, kept, which names its
	 * output too ("rkm-cache DIR OUT ... -- rustc ... -o OUT").
	 */
	char *built = xasprintf("%s/librkm.rlib", bdir), *rlib = xasprintf("%s/librkm.rlib", pdir);
	char *crate = retarget(kbuild_cmd_whole(xasprintf("%s/.librkm.rlib.cmd", bdir)), rlib, NULL);
	char *drv = retarget(kbuild_cmd(xasprintf("%s/.%s-rust.a.cmd", bdir, name)),
			     xasprintf("%s/%s-rust.a", pdir, name), rlib);
	char *cmd;

	/*
	 * kbuild/rkm.mk maps the checkout out of the object (reproducible
	 * builds): the panic locations keep the map, which gives the same code,
	 * and the line tables get the real paths.
	 */
	crate = replace_once(crate, SCOPE_OBJECT, SCOPE_MACRO);
	drv = replace_once(drv, SCOPE_OBJECT, SCOPE_MACRO);
	if (strstr(crate, built))
		crate = replace_once(crate, built, rlib);
	if (sh(xasprintf("cd '%s' && %s -Cdebuginfo=line-tables-only", bdir, crate)) ||
	    sh(xasprintf("cd '%s' && %s -Cdebuginfo=line-tables-only", bdir, drv)))
		die("%s: the build with line tables failed", name);
	/* The staticlib's driver object (not compiler_builtins'), then each code section. */
	cmd = xasprintf(
		"cd '%s' && rm -rf obj && mkdir obj && cd obj && ar x ../%s-rust.a && "
		"o=$(ls | grep -v '^libcompiler_builtins' | head -1) && mv \"$o\" ../%s-lines.o && "
		"cd .. && rm -rf obj && "
		"ld -static --unresolved-symbols=ignore-all -e 0 -o %s.elf %s-lines.o && "
		"for s in $(readelf -SW ../%s-rust.o | sed -n 's/^ *\\[ *[0-9]*\\] //p' | "
		"awk '$7 ~ /X/ {print $1}'); do "
		"objcopy -O binary -j \"$s\" ../%s-rust.o built.bin && "
		"objcopy -O binary -j \"$s\" %s-lines.o lines.bin && "
		"cmp -s built.bin lines.bin || { echo \"rkm: section $s of %s-rust.o differs with line tables\"; exit 3; }; "
		"done; rm -f built.bin lines.bin",
		pdir, name, name, name, name, name, name, name, name);
	return sh(cmd) == 0;
}

/*
 * The report over a driver already built for k (in DIR/build/K): the
 * number of places in the driver's own code that can panic.
 */
int panics_report(const char *dir, const struct kernel *k)
{
	const char *name = base_name(dir);
	char *bdir, *pdir, *elf;
	struct scan sc = { .cur = -1 };
	int i, own = 0, crate = 0;
	char **argv;

	bdir = xasprintf("%s/build/%s", dir, k->name);
	pdir = xasprintf("%s/panics", bdir);
	mkdirs(pdir);
	printf("  PANICS  %s\n", name);
	if (!line_table_object(bdir, pdir, name))
		die("%s: its code changes with line tables: no report", name);
	elf = xasprintf("%s/%s.elf", pdir, name);
	if (run_cmd((char *[]){ PANICS_OBJDUMP, "-d", "-C", "--no-show-raw-insn", elf, NULL },
		    objdump_line, &sc))
		die("objdump -d %s failed", elf);
	sc.dir = xasprintf("%s/", dir);
	if (sc.n) {
		argv = calloc(sc.n + 7, sizeof(*argv));
		argv[0] = PANICS_ADDR2LINE;
		argv[1] = "-i";
		argv[2] = "-f";
		argv[3] = "-a";
		argv[4] = "-e";
		argv[5] = elf;
		for (i = 0; i < sc.n; i++)
			argv[6 + i] = xasprintf("0x%lx", sc.s[i].addr);
		if (run_cmd(argv, addr2line_line, &sc))
			die("addr2line -e %s failed", elf);
	}
	qsort(sc.s, sc.n, sizeof(*sc.s), by_line);
	for (i = 0; i < sc.n; i++) {
		struct site *s = &sc.s[i];
		const char *kind;

		if (!s->keep || s->crate)
			continue;
		kind = refine_kind(s);
		/* One line per source line and kind. */
		if (i && sc.s[i - 1].keep && !sc.s[i - 1].crate && sc.s[i - 1].line == s->line &&
		    !strcmp(sc.s[i - 1].file, s->file) && !strcmp(refine_kind(&sc.s[i - 1]), kind))
			continue;
		printf("%s:%d: can panic: %s (%s)\n", s->file, s->line, kind, s->callee);
		own++;
	}
	for (i = 0; i < sc.n; i++) {
		struct site *s = &sc.s[i];

		if (!s->keep || !s->crate)
			continue;
		if (!crate++)
			printf("  in the rkm crate, inlined into %s (the crate's own checks, not counted):\n",
			       name);
		printf("    %s:%d: %s, from %s\n", s->file, s->line, refine_kind(s), s->via);
	}
	printf("%s: %d place(s) in the driver can panic\n", name, own);
	free(bdir);
	free(pdir);
	return own;
}

/* parallel_each()'s call: one driver directory, built, then its report. */
static int report_one(const char *arg, void *k)
{
	char dir[PATH_MAX], ko[PATH_MAX];

	if (!realpath(arg, dir))
		die("no driver directory %s", arg);
	if (build_driver(dir, k, ko, sizeof(ko)))
		die("%s does not build for %s: fix that first", base_name(dir),
		    ((const struct kernel *)k)->name);
	return panics_report(dir, k);
}

int cmd_lint_panics(int argc, char **argv)
{
	const char *kname = "6.12";
	struct kernel k[RKM_MAX_KERNELS];
	char dir[PATH_MAX];
	int i, c, total = 0;
	bool no_fail = false;

	optind = 1;
	while ((c = cmd_getopt(argc, argv, "h",
			       (const struct option[]){
				       { "panics", no_argument, NULL, 'p' },
				       { "kernel", required_argument, NULL, 'k' },
				       { "no-fail", no_argument, NULL, 'n' }, OPT_HELP, { 0 } })) != -1) {
		if (c == 'k')
			kname = optarg;
		else if (c == 'n')
			no_fail = true;
	}
	if (optind == argc)
		usage_exit(argv[0], 2);
	if (kernels_select(&kname, 1, k) != 1)
		die("--kernel %s: name one kernel, not a group", kname);
	for (i = optind; i < argc; i++)
		if (!realpath(argv[i], dir))
			die("no driver directory %s", argv[i]);
	/* Each driver is built by report_one(), two at a time on two CPUs. */
	total = parallel_each(argv + optind, argc - optind, report_one, k);
	printf("rkm lint --panics: %d place(s) can panic\n", total);
	return total && !no_fail ? 1 : 0;
}
