// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm doc`: the crate's rustdoc HTML, and the examples of its
 * documentation compiled for the kernel target as a driver's code is: no_std,
 * no unsafe code, only the feature module! needs (kbuild/rkm.mk,
 * cmd_rkm_driver). Like rkm lint, it runs the tools with the crate's own rustc
 * command from a driver's Kbuild build.
 *
 * rustdoc --test gives each example to rustc as a crate of its own. For this
 * crate's ~580 examples that took 110 s on 2 CPUs, nearly all of it rustc
 * loading core, alloc and rkm once per example. So rkm asks rustdoc for the
 * examples instead (--output-format=doctest: each one's code and the wrapper
 * rustdoc puts around it), writes each as a module of one crate and compiles
 * that crate once: 2 s. Why that checks what rustdoc checks:
 *  - each example is the very text rustdoc would compile, wrapper included
 *    (its fn main, or the fn returning Result for `?`), under the same flags
 *    (the crate's target and code generation, the set below, --emit=metadata
 *    as rustdoc --no-run: type and borrow checking done in full);
 *  - each module sees nothing of the others (no glob of super::), so no
 *    example can take a name from another, and their names cannot clash;
 *  - rustdoc's crate-level lines, the same for every ordinary example, are
 *    written once; an example with lines of its own (#![...], extern crate),
 *    an edition of its own, compile_fail, standalone_crate or test_harness is
 *    compiled alone, as rustdoc would;
 *  - when the crate does not compile, each example its errors point into is
 *    compiled alone, exactly as rustdoc would, and judged by that; the rest are
 *    compiled together again. An example that only fails beside the others
 *    (a #[macro_export] clash) is judged alone, as rustdoc judges it.
 * --examples TEXT keeps rustdoc --test itself, for a few examples.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

#define RUSTDOC RUST_TOOL("RKM_RUSTDOC", "/usr/bin/rustdoc")

/* What rustdoc passes each example on top of the crate's flags (--doctest-build-arg). */
static const char *const example_flags[] = {
	"-Zcrate-attr=no_std",
	"-Zcrate-attr=feature(used_with_arg)",
	"-Zallow-features=used_with_arg",
	"-Funsafe_code",
};

/* The lines rustdoc puts above every example of crate rkm. */
#define COMMON_CRATE_LEVEL \
	"#![allow(unused)]\n#[allow(unused_extern_crates)]\nextern crate r#rkm;\n"

/*
 * The smallest driver, written under build/: its build gives the crate's
 * rustc command and librkm.rlib to rustdoc.
 */
static const char *crate_host(void)
{
	static const char src[] =
		"// SPDX-License-Identifier: GPL-2.0\n"
		"//! Built by rkm doc for the crate's rustc command; does nothing.\n"
		"#![no_std]\n"
		"use rkm::prelude::*;\n"
		"struct Host;\n"
		"impl Module for Host {\n"
		"    fn init() -> Result<Self> {\n"
		"        Ok(Host)\n"
		"    }\n"
		"}\n"
		"module! { type: Host, name: \"rkm_crate_host\", authors: [\"rkm\"], "
		"description: \"rkm doc\", license: \"GPL\" }\n";
	const char *dir = xasprintf("%s/build/crate-host/rkm_crate_host", rkm_root);
	char *path = xasprintf("%s/rkm_crate_host.rs", dir);

	mkdirs(dir);
	write_file(path, src);
	free(path);
	return dir;
}

/* example_flags, each word quoted for sh and behind prefix. */
static char *flag_words(const char *prefix)
{
	char *s = strdup(""), *t;
	size_t i;

	for (i = 0; i < sizeof(example_flags) / sizeof(example_flags[0]); i++) {
		t = xasprintf("%s '%s%s'", s, prefix, example_flags[i]);
		free(s);
		s = t;
	}
	return s;
}

/* One example of rustdoc's list. */
struct example {
	const char *name;		/* "rkm/rust/src/alloc.rs - alloc::KBox (line 81)" */
	const char *file;		/* "rkm/rust/src/alloc.rs" */
	int line;			/* its opening fence's line there */
	const char *crate_level, *before, *code, *after;
	const char *edition;		/* its own, or NULL */
	const struct json *error_codes;	/* compile_fail's expected codes */
	bool alone, compile_fail;
	bool failed;
	int first, last;		/* its lines in the merged crate */
};

struct examples {
	struct example *e;
	int n, ignored;
	const char *bdir;		/* the crate's build directory: rustc runs there */
	const char *work;		/* BDIR/examples: what rkm writes */
	char *rustc_head;		/* the crate's rustc command up to --crate-type */
	char *edition;			/* the crate's */
};

/* Reads rustdoc's list; false if it lacks something the merge needs (rustdoc --test is used). */
static bool examples_load(struct examples *x, const struct json *root)
{
	const struct json *list = json_get(root, "doctests");
	int i;

	if (!list || list->type != JSON_ARR)
		return false;
	x->e = calloc(list->n ? list->n : 1, sizeof(*x->e));
	if (!x->e)
		die("out of memory");
	for (i = 0; i < list->n; i++) {
		const struct json *t = &list->items[i], *a = json_get(t, "doctest_attributes");
		const struct json *code = json_get(t, "doctest_code"), *w = json_get(code, "wrapper");
		struct example *e = &x->e[x->n];
		const char *ignore = json_str(a, "ignore");

		if (!a || !json_true(a, "rust"))
			continue;
		/* rustdoc's "None": not ignored; a list of targets, or "All": ignored. */
		if (!ignore || strcmp(ignore, "None")) {
			x->ignored++;
			continue;
		}
		e->name = json_str(t, "name");
		e->file = json_str(t, "file");
		e->line = json_get(t, "line") && json_get(t, "line")->type == JSON_NUM ?
			  atoi(json_get(t, "line")->str) : 0;
		e->crate_level = json_str(code, "crate_level");
		e->code = json_str(code, "code");
		if (!e->name || !e->file || !e->crate_level || !e->code || !w)
			return false;
		if (w->type == JSON_NULL) {
			/* The example wrote its own fn main: rustdoc adds nothing. */
			e->before = e->after = "";
		} else {
			e->before = json_str(w, "before");
			e->after = json_str(w, "after");
			if (!e->before || !e->after)
				return false;
		}
		e->edition = json_str(a, "edition");
		e->error_codes = json_get(a, "error_codes");
		e->compile_fail = json_true(a, "compile_fail");
		e->alone = e->compile_fail || e->edition || json_true(a, "standalone_crate") ||
			   json_true(a, "test_harness") || strcmp(e->crate_level, COMMON_CRATE_LEVEL);
		x->n++;
	}
	return true;
}

/* The rustc command compiling src as crate name of crate type for the examples. */
static char *example_rustc(const struct examples *x, const struct example *e, const char *type,
			   const char *name, const char *src)
{
	char *flags = flag_words("");
	char *cmd = xasprintf("%s --crate-type %s --crate-name %s --emit=metadata -L . "
			      "--extern rkm=librkm.rlib%s -o examples/%s.rmeta %s",
			      x->rustc_head, type, name, flags, name, src);

	if (e && e->edition)
		cmd = replace_once(cmd, xasprintf(" --edition %s ", x->edition),
				   xasprintf(" --edition %s ", e->edition));
	free(flags);
	return cmd;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

struct captured {
	char *text;
	size_t len;
};

static void capture_line(const char *line, void *ctx)
{
	struct captured *c = ctx;
	size_t n = strlen(line);

	c->text = realloc(c->text, c->len + n + 2);
	if (!c->text)
		die("out of memory");
	memcpy(c->text + c->len, line, n);
	c->len += n;
	c->text[c->len++] = '\n';
	c->text[c->len] = '\0';
}

/* Compiles e alone, as rustdoc would; prints why when it is judged failed. */
static bool example_alone(struct examples *x, struct example *e)
{
	char *src = xasprintf("%s/rkm-example.rs", x->work);
	char *text = xasprintf("%s%s%s%s", e->crate_level, e->before, e->code, e->after);
	struct captured out = { 0 };
	bool ok;
	int rc, i;

	write_file(src, text);
	/*
	 * From standard input, with rustdoc's two variables: rustc's messages
	 * then name the crate's file and line, not rkm-example.rs.
	 */
	rc = run_sh(x->bdir, strchr(e->file, '\'') ? example_rustc(x, e, "bin", "rkm_example", src) :
		    xasprintf("UNSTABLE_RUSTDOC_TEST_PATH='%s' UNSTABLE_RUSTDOC_TEST_LINE=%d %s < %s",
			      e->file, e->line - count_lines(e->crate_level) - count_lines(e->before),
			      example_rustc(x, e, "bin", "rkm_example", "-"), src),
		    capture_line, &out);
	ok = !rc;
	if (e->compile_fail) {
		ok = rc == 1;
		for (i = 0; ok && e->error_codes && i < e->error_codes->n; i++) {
			const char *code = json_str(&e->error_codes->items[i], NULL);

			ok = code && out.text && strstr(out.text, xasprintf("error[%s]", code));
		}
	}
	if (!ok) {
		printf("--- %s ---\n%s", e->name, out.text ? out.text : "");
		if (e->compile_fail)
			printf("(marked compile_fail: it %s)\n",
			       rc == 0 ? "compiles" : rc == 1 ? "fails without each expected error code" :
			       "crashed the compiler");
	}
	free(out.text);
	free(text);
	free(src);
	return ok;
}

/* The example whose module holds line n of the merged crate, or NULL. */
static struct example *at_line(struct examples *x, int n)
{
	int i;

	for (i = 0; i < x->n; i++)
		if (!x->e[i].alone && x->e[i].first <= n && n <= x->e[i].last)
			return &x->e[i];
	return NULL;
}

/*
 * Compiles the examples not yet judged as one crate. On failure, those its
 * errors point into are compiled alone (and judged), and the rest again.
 * Returns the number of examples that failed.
 */
static int examples_merged(struct examples *x)
{
	char *src = xasprintf("%s/rkm-examples.rs", x->work), *text, *t, *p;
	int i, line, failed = 0, left;

	for (;;) {
		struct captured out = { 0 };

		text = strdup(COMMON_CRATE_LEVEL);
		line = count_lines(text) + 1;
		left = 0;
		for (i = 0; i < x->n; i++) {
			struct example *e = &x->e[i];

			if (e->alone)
				continue;
			t = xasprintf("%s// %s\nmod __rkm_example_%d {\n%s%s%s\n}\n", text, e->name, i,
				      e->before, e->code, e->after);
			e->first = line + 2;
			line += count_lines(t) - count_lines(text);
			e->last = line - 2;
			free(text);
			text = t;
			left++;
		}
		if (!left)
			break;
		write_file(src, text);
		free(text);
		if (!run_sh(x->bdir, example_rustc(x, NULL, "lib", "rkm_examples", src), capture_line,
			    &out))
			break;
		/* rustc's "--> rkm/.../rkm-examples.rs:LINE:COL" lines name the examples. */
		left = 0;
		for (p = out.text; p && (p = strstr(p, "rkm-examples.rs:")); p++) {
			struct example *e = at_line(x, atoi(p + strlen("rkm-examples.rs:")));

			if (e && !e->alone) {
				e->alone = true;
				left++;
				failed += !example_alone(x, e);
			}
		}
		if (!left) {
			/* Errors that point at no example: each alone, as rustdoc would. */
			printf("%s", out.text ? out.text : "");
			for (i = 0; i < x->n; i++)
				if (!x->e[i].alone) {
					x->e[i].alone = true;
					failed += !example_alone(x, &x->e[i]);
				}
		}
		free(out.text);
	}
	free(src);
	return failed;
}

/* rustdoc --test's output, shown; how many examples it compiled ("running N tests"). */
static void doctest_line(const char *line, void *ctx)
{
	puts(line);
	sscanf(line, "running %d test", (int *)ctx);
}

/*
 * The examples through rustdoc's list. Returns 1 if they were compiled (and
 * all compile), 0 if the list lacks what the merge needs; dies on a failure.
 */
static int examples_fast(const char *bdir, const char *rustdoc_cmd, const char *crate_cmd)
{
	struct examples x = { .bdir = bdir, .work = xasprintf("%s/examples", bdir) };
	char *json_path = xasprintf("%s/rkm-examples.json", x.work), *head, *ed;
	struct json root;
	const char *err;
	int found = 0, rc, i, alone = 0, failed = 0;
	double t0 = now();

	mkdirs(x.work);
	rc = run_sh(bdir, xasprintf("%s --output-format=doctest > '%s'", rustdoc_cmd, json_path),
		    count_line, &found);
	if (rc || found)
		die("rustdoc could not list the crate's examples (%d warning/error line(s))", found);
	if (json_parse(read_file(json_path, NULL), &root, &err))
		die("rustdoc's list of examples (%s): %s", json_path, err);
	if (!examples_load(&x, &root)) {
		printf("rkm doc: rustdoc's list of examples lacks their code: rustdoc --test compiles them\n");
		return 0;
	}
	if (!x.n)
		die("rustdoc listed no example of the crate");
	/* The crate's command, up to its crate type: "... --crate-type rlib --crate-name rkm ...". */
	head = strstr(crate_cmd, " --crate-type rlib --crate-name rkm ");
	ed = strstr(crate_cmd, " --edition ");
	if (!head || !ed)
		die("not the crate's rustc command: %.60s...", crate_cmd);
	x.rustc_head = strndup(crate_cmd, head - crate_cmd);
	x.edition = strndup(ed + 11, strcspn(ed + 11, " "));
	/* rustdoc gives the examples none of the crate's lint flags: a warning is no failure. */
	if (strstr(x.rustc_head, " -Dwarnings"))
		x.rustc_head = replace_once(x.rustc_head, " -Dwarnings", "");
	for (i = 0; i < x.n; i++)
		if (x.e[i].alone) {
			alone++;
			failed += !example_alone(&x, &x.e[i]);
		}
	failed += examples_merged(&x);
	printf("rkm doc: %d examples compiled (%d as modules of one crate, %d alone): %d failed, "
	       "%d ignored, %.1f s\n", x.n, x.n - alone, alone, failed, x.ignored, now() - t0);
	if (failed)
		die("an example in the crate's documentation does not compile");
	json_free(&root);
	return 1;
}

int cmd_doc(int argc, char **argv)
{
	const char *driver = NULL, *examples = NULL;
	const char *outdir = xasprintf("%s/build/doc", rkm_root);
	struct kernel k;
	char ko[PATH_MAX], dir[PATH_MAX], *bdir, *crate, *cmd, *flags;
	int c, found = 0, rc;

	while ((c = cmd_getopt(argc, argv, "h", (const struct option[]){
					{ "out", required_argument, NULL, 'o' },
					{ "driver", required_argument, NULL, 'd' },
					{ "examples", required_argument, NULL, 'e' }, OPT_HELP,
					{ 0 } })) != -1) {
		if (c == 'o')
			outdir = optarg;
		else if (c == 'e')
			examples = optarg;
		else
			driver = optarg;
	}
	/* rustdoc splits --test-args at white space, and a leading '-' is a libtest option. */
	if (examples && (!*examples || *examples == '-' || strpbrk(examples, "' \t\n")))
		die("--examples '%s': give part of one example's name: no quote, space or leading '-'",
		    examples);
	if (optind != argc)
		usage_exit(argv[0], 2);
	/* rustdoc runs in the build directory. */
	if (outdir[0] != '/' && getcwd(dir, sizeof(dir)))
		outdir = xasprintf("%s/%s", dir, outdir);
	need_tool(RUSTDOC, "rustc-web");
	stock_kernel(&k);
	if (!driver)
		driver = crate_host();
	/*
	 * Any driver's build gives the crate's rustc command: rkm_crate_host's,
	 * or that of --driver DIR (built with RKM_CRATE= for another crate).
	 */
	if (!realpath(driver, dir))
		die("no driver directory %s", driver);
	driver = dir;
	if (build_driver(driver, &k, ko, sizeof(ko)))
		die("%s does not build for %s", base_name(dir), k.name);
	bdir = xasprintf("%s/build/%s", driver, k.name);
	crate = kbuild_cmd(xasprintf("%s/.librkm.rlib.cmd", bdir));
	/*
	 * rustdoc drops -Zretpoline-external-thunk, then refuses core and
	 * alloc built with it; documentation generates no code, so the ABI
	 * check is moot here. rustdoc takes the crate's --remap-path-prefix
	 * (reproducible objects, kbuild/rkm.mk) only with -Zunstable-options,
	 * and has no --remap-path-scope.
	 */
	cmd = xasprintf("%s -Cunsafe-allow-abi-mismatch=retpoline,retpoline-external-thunk -Zunstable-options",
			replace_once(swap_tool(crate, RUSTDOC, outdir), " --remap-path-scope=object", ""));
	printf("  RUSTDOC rkm -> %s/rkm/index.html\n", outdir);
	rc = run_sh(bdir, cmd, count_line, &found);
	if (rc || found)
		die("rustdoc failed (%d warning/error line(s))", found);
	printf("  DOCTEST rkm\n");
	if (!examples && examples_fast(bdir, cmd, crate)) {
		printf("rkm doc: %s/rkm/index.html\n", outdir);
		return 0;
	}
	/* rustdoc's test names: "src/alloc.rs - alloc::KBox (line 12)"; a filter keeps those with it. */
	flags = flag_words("--doctest-build-arg=");
	cmd = xasprintf("%s --test --no-run --test-args=--quiet%s -L . --extern rkm=librkm.rlib%s",
			cmd, examples ? xasprintf(" '--test-args=%s'", examples) : "", flags);
	found = -1;
	rc = run_sh(bdir, cmd, doctest_line, &found);
	if (rc)
		die("an example in the crate's documentation does not compile");
	if (found <= 0 && examples)
		die("--examples '%s': no example of the crate has that in its name", examples);
	if (found <= 0)
		die("rustdoc compiled no example of the crate");
	printf("rkm doc: %s/rkm/index.html\n", outdir);
	return 0;
}
