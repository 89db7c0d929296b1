// SPDX-License-Identifier: GPL-2.0
/* rkm: the kernel matrix written by the host setup, and `rkm kernels`. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rkm.h"

/*
 * Reads $RKM_CACHE/kernels: "NAME RELEASE" for an installed stock kernel,
 * "NAME RELEASE VMLINUZ KDIR" for one built by rkm (the debug kernel).
 * Returns the count.
 */
int kernels_load(struct kernel *k, int max)
{
	char *path = xasprintf("%s/kernels", rkm_cache);
	FILE *f = fopen(path, "r");
	char line[4 * PATH_MAX], hdr[PATH_MAX];
	int n = 0;

	if (!f)
		die("no kernel matrix in %s: run 'make setup' (as root) first", path);
	while (n < max && fgets(line, sizeof(line), f)) {
		struct kernel *e = &k[n];
		char *h;
		int fields;

		memset(e, 0, sizeof(*e));
		fields = sscanf(line, "%31s %127s %4095s %4095s", e->name, e->release, e->vmlinuz,
				e->headers);
		if (fields == 4) {
			e->built = true;
			n++;
			continue;
		}
		if (fields != 2)
			continue;
		snprintf(e->vmlinuz, sizeof(e->vmlinuz), "/boot/vmlinuz-%s", e->release);
		h = xasprintf("/lib/modules/%s/build", e->release);
		snprintf(e->headers, sizeof(e->headers), "%s", realpath(h, hdr) ? hdr : h);
		free(h);
		n++;
	}
	fclose(f);
	free(path);
	if (!n)
		die("the kernel matrix %s/kernels is empty: run 'make setup'", rkm_cache);
	return n;
}

static void check_installed(const struct kernel *k)
{
	const char *fix = k->built ? "run 'make setup-debug'" : "run 'make setup' (as root)";

	if (!is_file(k->vmlinuz))
		die("kernel %s (%s) is not installed: %s is missing; %s", k->name, k->release,
		    k->vmlinuz, fix);
	if (!is_file(xasprintf("%s/Makefile", k->headers)))
		die("no headers for kernel %s: %s is missing; %s", k->release, k->headers, fix);
}

/*
 * Fills out[] with the kernels named (by matrix name or release; "stock":
 * every distribution kernel of the matrix), or all of the matrix if none is
 * named; checks that each is installed.
 */
int kernels_select(const char **names, int nnames, struct kernel *out)
{
	struct kernel all[RKM_MAX_KERNELS];
	int n = kernels_load(all, RKM_MAX_KERNELS), i, j, m = 0;

	for (i = 0; i < (nnames ? nnames : n); i++) {
		const struct kernel *k = NULL;

		if (nnames && !strcmp(names[i], "stock")) {
			for (j = 0; j < n; j++)
				if (!all[j].built && m < RKM_MAX_KERNELS) {
					check_installed(&all[j]);
					out[m++] = all[j];
				}
			continue;
		}
		for (j = 0; j < n && nnames; j++)
			if (!strcmp(names[i], all[j].name) || !strcmp(names[i], all[j].release))
				k = &all[j];
		if (!nnames)
			k = &all[i];
		if (!k && !strcmp(names[i], "debug"))
			die("the debug kernel is not in the matrix: run 'make setup-debug' (builds it, about 6 minutes)");
		if (!k) {
			char known[RKM_MAX_KERNELS * 34] = "";

			for (j = 0; j < n; j++) {
				strcat(known, " ");
				strcat(known, all[j].name);
			}
			die("unknown kernel '%s' (the matrix has:%s); see 'rkm kernels'",
			    names[i], known);
		}
		check_installed(k);
		if (m == RKM_MAX_KERNELS)
			die("at most %d kernels at once", RKM_MAX_KERNELS);
		out[m++] = *k;
	}
	return m;
}

/* The profile comes from kbuild/profile.mk, the one place that derives it. */
static void profile_line(const char *line, void *ctx)
{
	snprintf(ctx, 128, "%s", line);
}

int cmd_kernels(int argc, char **argv)
{
	struct kernel k[RKM_MAX_KERNELS];
	int n = kernels_select((const char **)argv + 1, argc - 1, k), i;

	printf("%-8s %-28s %-40s %-48s %s\n", "NAME", "RELEASE", "VMLINUZ", "HEADERS",
	       "PROFILE");
	for (i = 0; i < n; i++) {
		char profile[128] = "?";
		char *mk = xasprintf("%s/kbuild/profile.mk", rkm_root);
		char *conf = xasprintf("KCONFIG=%s/include/config/auto.conf", k[i].headers);
		char *args[] = { "make", "-s", "-f", mk, conf, "print-profile", NULL };

		run_cmd(args, profile_line, profile);
		printf("%-8s %-28s %-40s %-48s %s\n", k[i].name, k[i].release, k[i].vmlinuz,
		       k[i].headers, profile);
	}
	return 0;
}
