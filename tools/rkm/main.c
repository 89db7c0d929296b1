// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: build safe-Rust drivers for stock kernels and test them in QEMU.
 * The commands, their usage and their handlers: the table in cli.c.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

/* The rkm tree: RKM_ROOT, or two levels above this program (build/bin/rkm). */
static const char *find_root(void)
{
	char exe[PATH_MAX];
	ssize_t n;
	char *s;
	int i;

	if (getenv("RKM_ROOT"))
		return getenv("RKM_ROOT");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		die("cannot find the rkm tree: set RKM_ROOT");
	exe[n] = '\0';
	for (i = 0; i < 3; i++) {
		s = strrchr(exe, '/');
		if (!s)
			die("cannot find the rkm tree: set RKM_ROOT");
		*s = '\0';
	}
	return strdup(exe);
}

static const char *find_cache(void)
{
	if (getenv("RKM_CACHE"))
		return getenv("RKM_CACHE");
	if (getenv("XDG_CACHE_HOME"))
		return xasprintf("%s/rkm", getenv("XDG_CACHE_HOME"));
	if (getenv("HOME"))
		return xasprintf("%s/.cache/rkm", getenv("HOME"));
	die("set HOME or RKM_CACHE");
}

static void list_commands(FILE *f)
{
	const struct command *c;

	fputs("usage: rkm COMMAND [ARGS...]   (rkm COMMAND --help: its usage)\n", f);
	for (c = rkm_commands; c->name; c++)
		fprintf(f, "  %-13s %s\n", c->name, c->summary);
}

int main(int argc, char **argv)
{
	const struct command *c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		list_commands(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	c = command_find(argv[1]);
	if (!c) {
		fprintf(stderr, "rkm: unknown command '%s'\n", argv[1]);
		list_commands(stderr);
		return 2;
	}
	/* Its usage needs no rkm tree. */
	if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))
		usage_exit(c->name, 0);
	rkm_root = find_root();
	rkm_cache = find_cache();
	if (!is_file(xasprintf("%s/kbuild/rkm.mk", rkm_root)))
		die("%s is not the rkm tree (no kbuild/rkm.mk): set RKM_ROOT", rkm_root);
	return c->run(argc - 1, argv + 1);
}
