// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-check-crate: the one source check of the crate that no compiler lint
 * makes yet.
 *
 *   rkm-check-crate CRATE_SRC_DIR
 *
 * Every public fn, struct, enum, trait, type and exported macro has a doc
 * comment with an example (a ``` block), unless #[doc(hidden)]; `rkm doc`
 * compiles the examples. What moved to the compiler: that every public item
 * has a summary at all is rustc's `missing_docs` (denied in lib.rs); `//
 * SAFETY:` comments on unsafe blocks and impls and `# Safety` sections on
 * unsafe fns and traits are clippy's undocumented_unsafe_blocks and
 * missing_safety_doc (`rkm lint`); drivers cannot contain unsafe code at all
 * (-Funsafe_code in kbuild/rkm.mk). rustdoc's missing_doc_code_examples would
 * replace this check, but it is unstable, and it also asks for an example on
 * every module, constant, variant and trait method, and counts an `ignore`d
 * example as missing. Prints each item without an example and their count.
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

/* The .rs files under dir, subdirectories included (sync/). */
static int check_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int files = 0;

	while (d && (e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char *p;

		if (e->d_name[0] == '.')
			continue;
		if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			exit(2);
		if (e->d_type == DT_DIR) {
			files += check_dir(p);
		} else if (l > 3 && !strcmp(e->d_name + l - 3, ".rs")) {
			check_crate_file(p);
			files++;
		}
		free(p);
	}
	if (d)
		closedir(d);
	return files;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: rkm-check-crate CRATE_SRC_DIR\n");
		return 2;
	}
	if (!check_dir(argv[1])) {
		printf("# no .rs files in %s\n", argv[1]);
		violations++;
	}
	printf("rkm-check-crate: %d violation(s)\n", violations);
	return violations ? 1 : 0;
}
