// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-compile-fail: proves that the safe rkm API refuses misuse at compile
 * time. Each case in tests/compile_fail/ is a small driver crate:
 *
 *   NAME.rs     must fail to compile with exactly the errors its annotations
 *               name (codes, lines, message text), and no other error;
 *   ok_NAME.rs  must compile (so failures are not due to a broken setup).
 *
 * Annotations, in comments of the case (compiletest style):
 *
 *   //~ ERROR E0382              an error with this code on this line
 *   //~^ ERROR E0382             ... on the line above (one ^ per line)
 *   //~ ERROR E0080: some text   ... whose message or labels contain the text
 *   //~ ERROR unsafe_code        a denied or forbidden lint, by name
 *   //~ ERROR: some text         an error without a code, by its text
 *   //~? ERROR E0080: text       an error that points at no line of the case,
 *                                matched by code and text. (A failed
 *                                assertion evaluated inside rkm after
 *                                monomorphisation is at the case's line that
 *                                instantiated it: rustc's "encountered while
 *                                instantiating" note.)
 *   //~ TODO reason              a known unsoundness: the case compiles today
 *                                and should not; reported "not ok ... # TODO",
 *                                not counted as failed (once it passes, the
 *                                runner says to remove the line)
 *
 * A line may hold several annotations. Every error must match an annotation
 * (code, line of its primary span or of the macro call that produced it,
 * text) and every annotation an error, so a case cannot pass because of a
 * typo, a missing import or a warning (-Dwarnings makes warnings errors).
 *
 * Every case is compiled with the very command the kernel build used for a
 * driver's Rust object, read from its Kbuild .cmd file (the single source of
 * the flags, sysroot and librkm.rlib): only the output and the source are
 * swapped, RKM_MODNAME is the case's name, and diagnostics are JSON. So an
 * ok_ case is exactly what the kernel build accepts, and errors found after
 * monomorphisation count too. -m checks an rlib's metadata only (no code
 * generation; the same verdicts for these cases). Prints KTAP; exits 1 if a
 * case failed, 2 on a setup error.
 *
 * Usage: rkm-compile-fail [-j JOBS] [-m] [-v] CMDFILE CASE.rs|DIR...
 *   e.g. rkm-compile-fail samples/rust_minimal/build/6.12/.rust_minimal-rust.a.cmd \
 *            tests/compile_fail
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

/* The line of an expectation from //~? (no line of the case). */
#define ANY_LINE (-1)
#define PROG "rkm-compile-fail"
#define HINT "build a driver first: build/bin/rkm build samples/rust_minimal --kernel 6.12"
#define MAX_SHOW 40	/* lines of compiler output shown for a failed case */

static bool verbose;
static bool metadata;	/* -m: type and borrow check only, no code generation */

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die("out of memory");
	return d;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);

	if (!d)
		die("out of memory");
	return d;
}

/* A growable string. */
struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static char *read_file(const char *path, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	if (!b.s)
		b.s = xstrdup("");
	if (len)
		*len = b.len;
	return b.s;
}

/* ---- Cases, annotations and diagnostics. ---- */

struct expect {
	int line;
	char *code;	/* "E0382", a lint name, or NULL: an error without a code */
	char *text;	/* substring of the message or labels, or NULL */
	bool seen;
};

struct diag {
	char *code;	/* as struct expect */
	char *message;
	char *text;	/* message, labels and notes: what annotations match */
	char *rendered;
	int *lines;	/* in the case file: primary spans and their macro call sites */
	int nlines;
	bool matched;
};

struct tcase {
	char *path, *name;
	bool ok;		/* ok_NAME.rs: must compile */
	char *todo;		/* known unsoundness */
	struct expect *exp;
	int nexp;
	char *bad;		/* malformed annotations */
	pid_t pid;
	int status;
	bool done;
	double seconds;
	struct timespec start;
};

static char *tmpdir;

static void add_expect(struct tcase *c, int line, const char *code, size_t codelen,
		       const char *text)
{
	struct expect *e;

	c->exp = xrealloc(c->exp, (c->nexp + 1) * sizeof(*c->exp));
	e = &c->exp[c->nexp++];
	e->line = line;
	e->code = codelen ? xstrndup(code, codelen) : NULL;
	e->text = text && *text ? xstrdup(text) : NULL;
	e->seen = false;
}

static void set_bad(struct tcase *c, int line, const char *why)
{
	if (c->bad)
		return;
	if ((line ? asprintf(&c->bad, "line %d: %s", line, why) : asprintf(&c->bad, "%s", why)) < 0)
		die("out of memory");
}

/* Parses one annotation, the text after "//~", found on line n. */
static void parse_annotation(struct tcase *c, int n, char *a)
{
	size_t len;
	int up = 0;
	char *t;

	if (*a == '?') {	/* no line of the case: n - up = ANY_LINE */
		up = n - ANY_LINE;
		a++;
	}
	while (*a == '^') {
		up++;
		a++;
	}
	while (*a == ' ')
		a++;
	if (!strncmp(a, "TODO", 4)) {
		a += 4;
		while (*a == ' ' || *a == ':')
			a++;
		free(c->todo);
		c->todo = xstrdup(*a ? a : "known unsoundness");
		return;
	}
	if (strncmp(a, "ERROR", 5) || (a[5] && a[5] != ' ' && a[5] != ':')) {
		set_bad(c, n, "expected //~ ERROR or //~ TODO");
		return;
	}
	a += 5;
	if (*a == ':') {	/* an error without a code */
		a++;
		while (*a == ' ')
			a++;
		if (!*a)
			set_bad(c, n, "//~ ERROR: needs the message text");
		add_expect(c, n - up, NULL, 0, a);
		return;
	}
	while (*a == ' ')
		a++;
	len = strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	/* E and four digits, or a lint name (lower case). */
	if (!(len == 5 && a[0] == 'E' && strspn(a + 1, "0123456789") >= 4) &&
	    (!len || strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789_") < len)) {
		set_bad(c, n, "//~ ERROR needs an error code (E0123) or a lint name");
		return;
	}
	t = a + len;
	while (*t == ' ')
		t++;
	if (*t == ':') {
		t++;
		while (*t == ' ')
			t++;
	} else if (*t) {
		set_bad(c, n, "text after the code must follow a colon");
	}
	add_expect(c, n - up, a, len, t);
}

/* Reads the //~ annotations of a case. */
static void load_case(struct tcase *c)
{
	char *src = read_file(c->path, NULL), *line, *next;
	int n = 0;

	if (!src) {
		set_bad(c, 0, strerror(errno));
		return;
	}
	for (line = src; *line; line = next) {
		char *a, *end;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		n++;
		/* One or more annotations: each ends where the next begins. */
		for (a = strstr(line, "//~"); a; a = end) {
			char *text;
			size_t len;

			end = strstr(a + 3, "//~");
			len = end ? (size_t)(end - a - 3) : strlen(a + 3);
			while (len && a[3 + len - 1] == ' ')
				len--;
			text = xstrndup(a + 3, len);
			parse_annotation(c, n, text);
			free(text);
		}
	}
	free(src);
	if (c->ok && c->nexp)
		set_bad(c, 0, "an ok_ case may not expect errors");
	if (!c->ok && !c->nexp)
		set_bad(c, 0, "no //~ ERROR annotation");
}

static void diag_free(struct diag *d)
{
	free(d->code);
	free(d->message);
	free(d->text);
	free(d->rendered);
	free(d->lines);
}

static void collect_text(const struct json *j, struct buf *b)
{
	int i;

	if (!j || (j->type != JSON_OBJ && j->type != JSON_ARR))
		return;
	for (i = 0; i < j->n; i++) {
		const char *k = j->keys ? j->keys[i] : NULL;

		if (k && (!strcmp(k, "message") || !strcmp(k, "label")) &&
		    j->items[i].type == JSON_STR) {
			buf_puts(b, j->items[i].str);
			buf_puts(b, "\n");
		} else if (!k || !strcmp(k, "spans") || !strcmp(k, "children")) {
			collect_text(&j->items[i], b);
		}
	}
}

static void add_line(struct diag *d, int line)
{
	d->lines = xrealloc(d->lines, (d->nlines + 1) * sizeof(*d->lines));
	d->lines[d->nlines++] = line;
}

/* Lines of the case file a span points at, following macro call sites. */
static void span_lines(const struct json *span, const char *path, struct diag *d, int depth)
{
	const struct json *exp, *line;
	const char *file;

	if (!span || depth > 32)
		return;
	file = json_str(span, "file_name");
	line = json_get(span, "line_start");
	if (file && !strcmp(file, path) && line && line->type == JSON_NUM)
		add_line(d, atoi(line->str));
	exp = json_get(span, "expansion");
	if (exp)
		span_lines(json_get(exp, "span"), path, d, depth + 1);
}

/*
 * A check that fails after monomorphisation inside rkm (a const block of a
 * generic accessor) has its primary span in rkm or core; rustc follows the
 * error with a note, "the above error was encountered while instantiating
 * `fn ...`", at the driver's line that instantiated it (kbuild/rustc-kernel
 * makes sure it does): that line counts as the error's.
 */
static bool instantiation_note(const char *level, const char *msg)
{
	return level && msg && !strcmp(level, "note") &&
	       !strncmp(msg, "the above error was encountered while instantiating", 51);
}

/* Parses rustc's JSON diagnostics: the errors, and other output lines. */
static struct diag *parse_output(const char *out, const char *path, int *ndiag, struct buf *other)
{
	struct diag *ds = NULL;
	const char *p = out;

	*ndiag = 0;
	while (*p) {
		const char *e = strchrnul(p, '\n');
		char *line = xstrndup(p, e - p);
		struct json root;
		const char *err;
		/* A line that is no JSON object is the compiler's other output. */
		const struct json *j =
			line[0] == '{' && !json_parse(line, &root, &err) ? &root : NULL;
		const char *level = json_str(j, "level"), *msg = json_str(j, "message");

		if (j && *ndiag && instantiation_note(level, msg)) {
			const struct json *spans = json_get(j, "spans");
			int i;

			for (i = 0; spans && spans->type == JSON_ARR && i < spans->n; i++)
				span_lines(&spans->items[i], path, &ds[*ndiag - 1], 0);
		} else if (!j) {
			if (*line) {
				buf_puts(other, line);
				buf_puts(other, "\n");
			}
		} else if (level && !strncmp(level, "error", 5) && msg &&
			   !(strncmp(msg, "aborting due to", 15) == 0 && !json_get(json_get(j, "code"), "code"))) {
			const struct json *spans = json_get(j, "spans");
			struct buf t = { 0 };
			struct diag d = { 0 };
			int i;

			d.code = json_str(json_get(j, "code"), "code") ?
				 xstrdup(json_str(json_get(j, "code"), "code")) : NULL;
			d.message = xstrdup(msg);
			d.rendered = xstrdup(json_str(j, "rendered") ? json_str(j, "rendered") : msg);
			buf_puts(&t, "");
			collect_text(j, &t);
			d.text = t.s;
			for (i = 0; spans && spans->type == JSON_ARR && i < spans->n; i++)
				if (json_true(&spans->items[i], "is_primary"))
					span_lines(&spans->items[i], path, &d, 0);
			ds = xrealloc(ds, (*ndiag + 1) * sizeof(*ds));
			ds[(*ndiag)++] = d;
		}
		if (j)
			json_free(&root);
		free(line);
		p = *e ? e + 1 : e;
	}
	return ds;
}

static bool same_code(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static bool diag_matches(const struct diag *d, const struct expect *e)
{
	int i;

	if (!same_code(d->code, e->code))
		return false;
	if (e->text && !strstr(d->text, e->text))
		return false;
	if (e->line == ANY_LINE)
		return d->nlines == 0 && e->text;
	for (i = 0; i < d->nlines; i++)
		if (d->lines[i] == e->line)
			return true;
	return false;
}

static const char *show_code(const char *code)
{
	return code ? code : "error";
}

static void show_rendered(const char *r, int *budget)
{
	while (*r && *budget > 0) {
		const char *e = strchrnul(r, '\n');

		if (e > r) {
			printf("    # | %.*s\n", (int)(e - r), r);
			(*budget)--;
		}
		r = *e ? e + 1 : e;
	}
}

/* Evaluates a finished case, prints its KTAP line; returns 1 if it failed. */
static int report(const struct tcase *c, int num, int *todo)
{
	char *outpath, *out;
	struct diag *ds;
	struct buf other = { 0 }, got = { 0 }, want = { 0 }, notes = { 0 };
	int nd, i, j, budget = MAX_SHOW;
	bool ok = true, ice, todo_fail;
	int code = WIFEXITED(c->status) ? WEXITSTATUS(c->status) : 128 + WTERMSIG(c->status);
	char tmp[64];

	if (asprintf(&outpath, "%s/%d.json", tmpdir, num) < 0)
		die("out of memory");
	out = read_file(outpath, NULL);
	unlink(outpath);
	free(outpath);
	if (!out)
		out = xstrdup("");
	buf_puts(&other, "");
	buf_puts(&notes, "");
	ds = parse_output(out, c->path, &nd, &other);
	ice = code != 0 && code != 1;

	/* What was expected, what came. */
	buf_puts(&want, "");
	buf_puts(&got, "");
	if (c->ok)
		buf_puts(&want, "compiles");
	for (i = 0; i < c->nexp; i++) {
		if (c->exp[i].line == ANY_LINE)
			snprintf(tmp, sizeof(tmp), "%s%s anywhere", i ? ", " : "",
				 show_code(c->exp[i].code));
		else
			snprintf(tmp, sizeof(tmp), "%s%s at %d", i ? ", " : "",
				 show_code(c->exp[i].code), c->exp[i].line);
		buf_puts(&want, tmp);
	}
	if (!c->ok && !c->nexp)
		buf_puts(&want, "(nothing)");
	if (!nd && code == 0)
		buf_puts(&got, "compiles");
	for (i = 0; i < nd; i++) {
		if (i)
			buf_puts(&got, ", ");
		buf_puts(&got, show_code(ds[i].code));
		if (ds[i].nlines) {
			snprintf(tmp, sizeof(tmp), " at %d", ds[i].lines[0]);
			buf_puts(&got, tmp);
		}
	}
	if (!nd && code != 0)
		buf_puts(&got, ice ? "a compiler crash" : "a failure without diagnostics");

	if (c->bad) {
		ok = false;
		buf_puts(&notes, "    # malformed case: ");
		buf_puts(&notes, c->bad);
		buf_puts(&notes, "\n");
	}
	if (ice) {
		ok = false;
		snprintf(tmp, sizeof(tmp), "    # rustc exit status %d\n", code);
		buf_puts(&notes, tmp);
	}
	if (c->ok && (code != 0 || nd))
		ok = false;
	if (!c->ok && code == 0) {
		ok = false;
		buf_puts(&notes, "    # compiled, but must not\n");
	}
	for (i = 0; i < nd; i++)
		for (j = 0; j < c->nexp; j++)
			if (diag_matches(&ds[i], &c->exp[j]))
				ds[i].matched = c->exp[j].seen = true;
	for (j = 0; j < c->nexp; j++) {
		if (c->exp[j].seen)
			continue;
		ok = false;
		buf_puts(&notes, "    # missing: ");
		buf_puts(&notes, show_code(c->exp[j].code));
		snprintf(tmp, sizeof(tmp), " at line %d", c->exp[j].line);
		buf_puts(&notes, tmp);
		if (c->exp[j].text) {
			buf_puts(&notes, " with \"");
			buf_puts(&notes, c->exp[j].text);
			buf_puts(&notes, "\"");
		}
		buf_puts(&notes, "\n");
	}
	for (i = 0; i < nd; i++) {
		if (ds[i].matched)
			continue;
		ok = false;
		buf_puts(&notes, "    # unexpected: ");
		buf_puts(&notes, show_code(ds[i].code));
		if (ds[i].nlines) {
			snprintf(tmp, sizeof(tmp), " at line %d", ds[i].lines[0]);
			buf_puts(&notes, tmp);
		}
		buf_puts(&notes, ": ");
		buf_puts(&notes, ds[i].message);
		buf_puts(&notes, "\n");
	}

	/* A known unsoundness still fails; a malformed case never counts as one. */
	todo_fail = c->todo && !ok && !c->bad;
	if (ok && c->todo)
		printf("ok %d %s # TODO %s: now refused as expected, remove the //~ TODO line\n",
		       num, c->name, c->todo);
	else if (todo_fail)
		printf("not ok %d %s # TODO %s (expected %s; got %s)\n", num, c->name, c->todo,
		       want.s, got.s);
	else
		printf("%s %d %s # expected %s; got %s (%.1f s)\n", ok ? "ok" : "not ok", num,
		       c->name, want.s, got.s, c->seconds);
	if (!ok && !todo_fail) {
		fputs(notes.s, stdout);
		for (i = 0; i < nd; i++)
			if (!ds[i].matched)
				show_rendered(ds[i].rendered, &budget);
		show_rendered(other.s, &budget);
	} else if (verbose) {
		fputs(notes.s, stdout);
		for (i = 0; i < nd; i++)
			show_rendered(ds[i].rendered, &budget);
	}
	if (todo_fail)
		(*todo)++;
	for (i = 0; i < nd; i++)
		diag_free(&ds[i]);
	free(ds);
	free(out);
	free(other.s);
	free(got.s);
	free(want.s);
	free(notes.s);
	return !ok && !todo_fail;
}

/* ---- The kernel build's command. ---- */

struct cmd {
	char **env;	/* NAME=value assignments before the command */
	int nenv;
	char **argv;
	int argc;
	int src;	/* index of the source file argument */
	int out;	/* index of the -o argument's value */
	int crate_type;	/* index of the --crate-type argument's value */
};

static void push(char ***v, int *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

/* Splits a shell command line of words and quotes (no expansions). */
static char **shell_words(const char *s, int *n, const char *cmdfile)
{
	char **words = NULL;

	*n = 0;
	for (;;) {
		struct buf w = { 0 };

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s || *s == '\n')
			break;
		buf_add(&w, "", 0);
		while (*s && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s == '\'') {
				const char *e = strchr(s + 1, '\'');

				if (!e)
					die("%s: unterminated quote in the command", cmdfile);
				buf_add(&w, s + 1, e - s - 1);
				s = e + 1;
			} else if (*s == '"') {
				for (s++; *s && *s != '"'; s++) {
					if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
						s++;
					else if (*s == '$' || *s == '`')
						die("%s: shell expansion in the command is not supported", cmdfile);
					buf_add(&w, s, 1);
				}
				if (*s != '"')
					die("%s: unterminated quote in the command", cmdfile);
				s++;
			} else if (*s == '\\' && s[1]) {
				buf_add(&w, s + 1, 1);
				s += 2;
			} else if (strchr(";&|<>()$`*?[", *s)) {
				die("%s: unsupported shell syntax '%c' in the command", cmdfile, *s);
			} else {
				buf_add(&w, s, 1);
				s++;
			}
		}
		push(&words, n, w.s);
	}
	return words;
}

static bool is_assignment(const char *w)
{
	const char *eq = strchr(w, '=');
	const char *p;

	if (!eq || eq == w || isdigit((unsigned char)*w))
		return false;
	for (p = w; p < eq; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

static bool executable(const char *prog)
{
	char *path, *dir, *save = NULL, *full;
	bool found = false;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	path = xstrdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	for (dir = strtok_r(path, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		if (asprintf(&full, "%s/%s", dir, prog) < 0)
			die("out of memory");
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(path);
	return found;
}

static void load_cmd(const char *cmdfile, struct cmd *c)
{
	char *text = read_file(cmdfile, NULL), *line, *p, *q, **words;
	bool has_rkm = false;
	int n, i;

	if (!text)
		die("%s: %s (%s)", cmdfile, strerror(errno), HINT);
	/* Kbuild: "cmd_OUT := CMD" (6.1) or "savedcmd_OUT := CMD" (6.12). */
	line = NULL;
	for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, "cmd_", 4) || !strncmp(p, "savedcmd_", 9)) {
			line = p;
			break;
		}
	if (!line || !(p = strstr(line, " := ")))
		die("%s: no Kbuild command line (cmd_... := ...) in it", cmdfile);
	p += 4;
	q = strchrnul(p, '\n');
	*q = '\0';
	/* Make's escapes in .cmd files: $$ and \#. */
	for (q = p; *q; q++)
		if ((q[0] == '$' && q[1] == '$') || (q[0] == '\\' && q[1] == '#'))
			memmove(q, q + 1, strlen(q));
	words = shell_words(p, &n, cmdfile);
	memset(c, 0, sizeof(*c));
	c->src = c->out = c->crate_type = -1;
	for (i = 0; i < n && is_assignment(words[i]); i++)
		push(&c->env, &c->nenv, words[i]);
	for (; i < n; i++)
		push(&c->argv, &c->argc, words[i]);
	free(words);
	free(text);
	if (!c->argc)
		die("%s: empty command", cmdfile);

	for (i = 0; i < c->argc; i++) {
		const char *a = c->argv[i];

		if (!strcmp(a, "-o") && i + 1 < c->argc)
			c->out = ++i;
		else if (!strcmp(a, "--crate-type") && i + 1 < c->argc)
			c->crate_type = ++i;
		else if (!strcmp(a, "--extern") && i + 1 < c->argc) {
			const char *rlib = c->argv[++i];

			if (strncmp(rlib, "rkm=", 4))
				continue;
			has_rkm = true;
			if (access(rlib + 4, R_OK))
				die("%s: %s (%s)", rlib + 4, strerror(errno), HINT);
		} else if (!strcmp(a, "-L") && i + 1 < c->argc) {
			struct stat st;

			if (stat(c->argv[++i], &st) || !S_ISDIR(st.st_mode))
				die("%s: no such library directory, needed by %s (%s)", c->argv[i],
				    cmdfile, HINT);
		}
	}
	c->src = c->argc - 1;
	n = strlen(c->argv[c->src]);
	if (n < 4 || strcmp(c->argv[c->src] + n - 3, ".rs") || c->out < 0 || c->crate_type < 0 ||
	    !has_rkm)
		die("%s: not the rustc command of a driver (-o, --crate-type, --extern rkm=, SOURCE.rs)",
		    cmdfile);
	/* The programs before the first option: the wrapper, and rustc itself. */
	for (i = 0; i < c->argc && c->argv[i][0] != '-'; i++)
		if (!executable(c->argv[i]))
			die("%s: no such program, named by the command in %s (apt-get install rustc-web, then %s)",
			    c->argv[i], cmdfile, HINT);
}

/* ---- Running the cases. ---- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_case(struct tcase **cs, int *n, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct tcase *c;

	*cs = xrealloc(*cs, (*n + 1) * sizeof(**cs));
	c = &(*cs)[(*n)++];
	memset(c, 0, sizeof(*c));
	c->path = xstrdup(path);
	c->name = xstrndup(base, strlen(base) - 3);
	c->ok = !strncmp(c->name, "ok_", 3);
	load_case(c);
}

static void add_arg(struct tcase **cs, int *n, const char *arg)
{
	struct stat st;
	struct dirent *de;
	char **names = NULL;
	int nn = 0, i;
	DIR *d;

	if (stat(arg, &st))
		die("%s: %s", arg, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (!ends_with(arg, ".rs"))
			die("%s: a case is a .rs file", arg);
		add_case(cs, n, arg);
		return;
	}
	d = opendir(arg);
	if (!d)
		die("%s: %s", arg, strerror(errno));
	while ((de = readdir(d)))
		if (ends_with(de->d_name, ".rs") && de->d_name[0] != '.') {
			char *p;

			if (asprintf(&p, "%s%s%s", arg, ends_with(arg, "/") ? "" : "/", de->d_name) < 0)
				die("out of memory");
			push(&names, &nn, p);
		}
	closedir(d);
	if (!nn)
		die("%s: no .rs cases in it", arg);
	qsort(names, nn, sizeof(*names), cmp_str);
	for (i = 0; i < nn; i++) {
		add_case(cs, n, names[i]);
		free(names[i]);
	}
	free(names);
}

static double since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void start(struct tcase *c, int num, const struct cmd *cmd)
{
	char **argv = NULL, *out, *meta, *modname;
	int argc = 0, i, fd;
	pid_t pid;

	if (asprintf(&out, "%s/%d.json", tmpdir, num) < 0 ||
	    asprintf(&meta, "%s/%d.%s", tmpdir, num, metadata ? "rmeta" : "a") < 0 ||
	    asprintf(&modname, "RKM_MODNAME=%s", c->name) < 0)
		die("out of memory");
	for (i = 0; i < cmd->argc; i++) {
		if (i == cmd->crate_type && metadata)
			push(&argv, &argc, "rlib");
		else if (i == cmd->out)
			push(&argv, &argc, meta);
		else if (i == cmd->src)
			push(&argv, &argc, c->path);
		else
			push(&argv, &argc, cmd->argv[i]);
	}
	/* -m: type and borrow checking, const evaluation and lints; no code. */
	if (metadata)
		push(&argv, &argc, "--emit=metadata");
	push(&argv, &argc, "--error-format=json");
	if (verbose && num == 1) {
		printf("# command:");
		for (i = 0; i < cmd->nenv; i++)
			if (strncmp(cmd->env[i], "RKM_MODNAME=", 12))
				printf(" %s", cmd->env[i]);
		printf(" %s", modname);
		for (i = 0; i < argc; i++)
			printf(" %s", argv[i]);
		printf("\n");
	}
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &c->start);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		for (i = 0; i < cmd->nenv; i++)
			putenv(cmd->env[i]);
		/* The module name is the case's file name, as for a driver. */
		putenv(modname);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		close(fd);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	c->pid = pid;
	free(argv);
	free(out);
	free(modname);
	free(meta);
}

static void remove_tmpdir(void)
{
	struct dirent *de;
	DIR *d = opendir(tmpdir);

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
	rmdir(tmpdir);
}

static void usage(void)
{
	fprintf(stderr, "usage: " PROG " [-j JOBS] [-m] [-v] CMDFILE CASE.rs|DIR...\n"
		"  CMDFILE: a driver's Kbuild command file, e.g.\n"
		"           samples/rust_minimal/build/6.12/.rust_minimal-rust.a.cmd\n"
		"  -j JOBS  run JOBS compilers at once (1..256, default 1)\n"
		"  -m       metadata only: an rlib's type and borrow check, no code generation\n"
		"  -v       show the command, and the diagnostics of passing cases\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct tcase *cs = NULL;
	struct cmd cmd;
	int ncase = 0, jobs = 1, running = 0, next = 0, shown = 0, failed = 0, todo = 0, opt, i;
	char tmpl[] = "/tmp/rkm-compile-fail.XXXXXX";
	struct timespec t0;

	while ((opt = getopt(argc, argv, "j:mv")) != -1) {
		switch (opt) {
		case 'm':
			metadata = true;
			break;
		case 'j': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || errno || *end || v < 1 || v > 256) {
				fprintf(stderr, PROG ": -j: '%s' is not an integer in 1..256\n", optarg);
				exit(2);
			}
			jobs = (int)v;
			break;
		}
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	load_cmd(argv[optind], &cmd);
	for (i = optind + 1; i < argc; i++)
		add_arg(&cs, &ncase, argv[i]);
	tmpdir = mkdtemp(tmpl);
	if (!tmpdir)
		die("mkdtemp: %s", strerror(errno));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("KTAP version 1\n# rustc command from %s\n1..%d\n", argv[optind], ncase);
	while (shown < ncase) {
		int status;
		pid_t pid;

		while (running < jobs && next < ncase) {
			start(&cs[next], next + 1, &cmd);
			next++;
			running++;
		}
		pid = wait(&status);
		if (pid < 0)
			die("wait: %s", strerror(errno));
		for (i = 0; i < next; i++)
			if (cs[i].pid == pid && !cs[i].done) {
				cs[i].done = true;
				cs[i].status = status;
				cs[i].seconds = since(&cs[i].start);
				running--;
			}
		while (shown < ncase && cs[shown].done) {
			failed += report(&cs[shown], shown + 1, &todo);
			shown++;
		}
	}
	remove_tmpdir();
	printf("# %.1f s\n", since(&t0));
	printf("compile-fail: %d cases, %d passed, %d failed", ncase, ncase - failed - todo, failed);
	if (todo)
		printf(", %d todo (known unsoundness)", todo);
	printf("\n");
	return failed ? 1 : 0;
}
