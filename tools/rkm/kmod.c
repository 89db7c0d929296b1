// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: a module of the target kernel itself (manifest 'kernel-module NAME'),
 * shipped unloaded in the guest's /lib/rkm with the modules it depends on,
 * as the kernel's module tree has them (6.12's .ko.xz stay compressed: the
 * kernel decompresses them, MODULE_INIT_COMPRESSED_FILE). A stock kernel's
 * tree is /lib/modules/RELEASE (modules.dep); the debug kernel's is its
 * build directory (modules.order). Dependencies: modinfo's "depends". A
 * module built into the kernel (modules.builtin) ships nothing.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rkm.h"

/* NAME of a module path: its base name without .ko[.xz|.zst|.gz] or .o, '-' as '_'. */
static char *kmod_name(const char *path)
{
	char *n = strdup(base_name(path)), *dot = strstr(n, ".ko"), *p;

	if (!dot && (dot = strrchr(n, '.')) && strcmp(dot, ".o"))
		dot = NULL;
	if (dot)
		*dot = '\0';
	for (p = n; *p; p++)
		if (*p == '-')
			*p = '_';
	return n;
}

/* The path of module NAME in kernel k's module tree, or NULL. */
static char *kmod_find(const struct kernel *k, const char *name)
{
	/* A kernel built in a tree (rkm's debug kernel, a user's) has its modules there. */
	bool tree;
	const char *root = kernel_modroot(k, &tree);
	const char *list = tree ? "modules.order" : "modules.dep";
	char *path = xasprintf("%s/%s", root, list), *line = NULL, *found = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while (!found && getline(&line, &cap, f) > 0) {
		char *n;

		line[strcspn(line, ":\n")] = '\0';
		n = kmod_name(line);
		if (!strcmp(n, name)) {
			size_t l = strlen(line);

			/* modules.order names the .o (6.12) or the .ko. */
			if (l > 2 && !strcmp(line + l - 2, ".o"))
				line[l - 2] = '\0';
			found = xasprintf("%s/%s%s", root, line, strstr(line, ".ko") ? "" : ".ko");
		}
		free(n);
	}
	fclose(f);
	free(line);
	return found && is_file(found) ? found : NULL;
}

/* Whether module NAME is built into kernel k (its tree's modules.builtin). */
static bool kmod_builtin(const struct kernel *k, const char *name)
{
	bool tree;
	char *path = xasprintf("%s/modules.builtin", kernel_modroot(k, &tree));
	char *line = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f = fopen(path, "r");

	while (f && !found && getline(&line, &cap, f) > 0) {
		char *n;

		line[strcspn(line, "\n")] = '\0';
		n = kmod_name(line);
		found = !strcmp(n, name);
		free(n);
	}
	if (f)
		fclose(f);
	free(line);
	free(path);
	return found;
}

static void depends_line(const char *line, void *ctx)
{
	char **out = ctx;

	if (!*out)
		*out = strdup(line);
}

/*
 * Adds module NAME of kernel k and, first, those it depends on to the
 * plan's shipped modules (once each). Returns 0, or -1 and a message in *why.
 */
static int ship_one(const struct kernel *k, const char *name, struct plan *p, int depth,
		    char **why)
{
	char *path = kmod_find(k, name), *deps = NULL, *save, *d;
	char *argv[] = { "modinfo", "-F", "depends", path, NULL };
	int i;

	/* Built in (ext4 on the debug kernel): nothing to ship, it is there. */
	if (!path && kmod_builtin(k, name))
		return 0;
	if (!path) {
		*why = xasprintf("%s has no module %s", k->name, name);
		return -1;
	}
	if (depth > 8) {
		*why = xasprintf("%s: dependency loop at %s", k->name, name);
		return -1;
	}
	for (i = 0; i < p->nship; i++)
		if (!strcmp(p->ship[i], path))
			return 0;
	if (run_cmd(argv, depends_line, &deps)) {
		*why = xasprintf("modinfo %s failed", path);
		return -1;
	}
	for (d = deps ? strtok_r(deps, ",", &save) : NULL; d; d = strtok_r(NULL, ",", &save))
		if (*d && ship_one(k, d, p, depth + 1, why))
			return -1;
	if (p->nship == RKM_MAX_ITEMS) {
		*why = xasprintf("more than %d shipped modules", RKM_MAX_ITEMS);
		return -1;
	}
	p->ship[p->nship++] = path;
	return 0;
}

int ship_kernel_module(const struct kernel *k, const char *name, struct plan *p, char **why)
{
	return ship_one(k, name, p, 0, why);
}
