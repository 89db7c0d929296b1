// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-check-crate: source checks that rustc does not make.
 *
 *   rkm-check-crate CRATE_SRC_DIR DRIVER_DIR...
 *
 * In the crate: every `unsafe` block and `unsafe impl` has a `// SAFETY:`
 * comment right above it (or on its line); every `unsafe fn` / `unsafe trait`
 * documents `# Safety`; every public fn, struct, enum, trait, type and
 * exported macro has a doc comment with an example (a ``` block), unless
 * #[doc(hidden)]. (That every public item has a summary at all is rustc's
 * `missing_docs`, denied in lib.rs.) In drivers: `#![forbid(unsafe_code)]`
 * and no `unsafe` at all. Prints each violation and their count.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINES 8192

static int violations;

static char **read_lines(const char *path, int *n)
{
	FILE *f = fopen(path, "r");
	char **lines = calloc(MAX_LINES, sizeof(*lines)), *l = NULL;
	size_t cap = 0;

	*n = 0;
	if (!f) {
		printf("# cannot read %s\n", path);
		violations++;
		return lines;
	}
	while (*n < MAX_LINES && getline(&l, &cap, f) > 0) {
		l[strcspn(l, "\n")] = '\0';
		lines[(*n)++] = strdup(l);
	}
	free(l);
	fclose(f);
	return lines;
}

static const char *skip_ws(const char *s)
{
	return s + strspn(s, " \t");
}

static bool is_comment(const char *s)
{
	return !strncmp(skip_ws(s), "//", 2);
}

/* The comment/attribute block right above line i, as one string. */
static void block_above(char **lines, int i, char *out, size_t len, bool *hidden)
{
	int j = i - 1;

	out[0] = '\0';
	*hidden = false;
	while (j >= 0 && (is_comment(lines[j]) || skip_ws(lines[j])[0] == '#'))
		j--;
	for (j++; j < i; j++) {
		if (strstr(lines[j], "#[doc(hidden)]"))
			*hidden = true;
		strncat(out, lines[j], len - strlen(out) - 2);
		strcat(out, "\n");
	}
}

static void report(const char *path, int line, const char *what)
{
	printf("# %s:%d: %s\n", path, line + 1, what);
	violations++;
}

static void check_crate_file(const char *path)
{
	static const char *const items[] = { "pub fn ", "pub const fn ", "pub struct ", "pub enum ",
					     "pub trait ", "pub type ", "pub unsafe fn " };
	char block[8192];
	int n, i;
	size_t k;
	bool hidden, in_tests = false;
	char **lines = read_lines(path, &n);

	for (i = 0; i < n; i++) {
		const char *s = skip_ws(lines[i]);

		if (is_comment(s))
			continue;
		/* Unit tests (#[cfg(rkm_ktest)]) are not public API. */
		if (strstr(s, "#[cfg(rkm_ktest)]"))
			in_tests = true;
		block_above(lines, i, block, sizeof(block), &hidden);
		/* `let x =\n unsafe { ... }` (as rustfmt wraps it): the comment is above the let. */
		if (strstr(s, "unsafe {") && !strstr(block, "SAFETY:") && i > 0) {
			const char *prev = skip_ws(lines[i - 1]);
			size_t pl = strlen(prev);

			while (pl && (prev[pl - 1] == '\n' || prev[pl - 1] == ' '))
				pl--;
			if (pl && !is_comment(prev) && strchr("=(,", prev[pl - 1]))
				block_above(lines, i - 1, block, sizeof(block), &hidden);
		}
		if ((strstr(s, "unsafe {") || strstr(s, "unsafe impl")) &&
		    !strstr(block, "SAFETY:") && !strstr(s, "SAFETY:"))
			report(path, i, "unsafe without a // SAFETY: comment above it");
		/* Public unsafe fns and traits; impls refer to the trait's section. */
		if ((strstr(s, "pub unsafe fn ") || strstr(s, "pub unsafe trait ")) &&
		    !strstr(s, "extern") && !strstr(block, "# Safety") && !in_tests &&
		    i > 0 && !strstr(lines[i - 1], "unsafe extern"))
			if (strncmp(s, "pub(crate) fn", 13))
				report(path, i, "unsafe fn/trait without a # Safety section");
		/* Hidden items, and items a macro generates (with $metavariables). */
		if (in_tests || hidden || strchr(s, '$'))
			continue;
		for (k = 0; k < sizeof(items) / sizeof(items[0]); k++)
			if (!strncmp(s, items[k], strlen(items[k])) && !strstr(block, "```"))
				report(path, i, "public item without an example in its doc comment");
		if (!strncmp(s, "macro_rules!", 12) && strstr(block, "#[macro_export]") &&
		    !strstr(block, "```"))
			report(path, i, "exported macro without an example in its doc comment");
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void check_driver_file(const char *path)
{
	int n, i;
	bool forbids = false;
	char **lines = read_lines(path, &n);

	for (i = 0; i < n; i++) {
		if (strstr(lines[i], "#![forbid(unsafe_code)]"))
			forbids = true;
		else if (!is_comment(lines[i]) && strstr(lines[i], "unsafe"))
			report(path, i, "a driver uses unsafe");
	}
	if (!forbids)
		report(path, 0, "a driver without #![forbid(unsafe_code)]");
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void for_each_rs(const char *dir, void (*fn)(const char *))
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *p;

		if (l < 4 || strcmp(e->d_name + l - 3, ".rs"))
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			exit(2);
		fn(p);
		free(p);
		files++;
	}
	if (d)
		closedir(d);
	if (!files) {
		printf("# no .rs files in %s\n", dir);
		violations++;
	}
}

int main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: rkm-check-crate CRATE_SRC_DIR [DRIVER_DIR...]\n");
		return 2;
	}
	for_each_rs(argv[1], check_crate_file);
	for (i = 2; i < argc; i++)
		for_each_rs(argv[i], check_driver_file);
	printf("rkm-check-crate: %d violation(s)\n", violations);
	return violations ? 1 : 0;
}
