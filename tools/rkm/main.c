// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: build safe-Rust drivers for stock kernels and test them in QEMU.
 *
 *   rkm kernels [NAME...]          the kernel matrix
 *   rkm build DIR... [--kernel K]  build drivers (Kbuild) for kernels
 *   rkm run [options]              boot kernels with modules and tests
 *   rkm test DIR... [options]      build drivers and run their tests
 *   rkm bench [options]            Rust samples against their C twins
 *   rkm new NAME [--dir PARENT]    start a driver project outside the rkm tree
 *   rkm lint DIR...                rustfmt --check and clippy, drivers and crate
 *   rkm doc [--out DIR]            the crate's API documentation (rustdoc)
 *   rkm rust-project DIR           rust-project.json for rust-analyzer
 *   rkm sign --key K --cert C KO...  sign modules with the kernel's sign-file
 *   rkm dkms DIR [--version V] [--out OUTDIR]  a DKMS package: prebuilt Rust object, no Rust on the target
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

int main(int argc, char **argv)
{
	static const char usage[] =
		"usage: rkm kernels [NAME...]\n"
		"       rkm build DIR... [--kernel NAME]...\n"
		"       rkm run [--kernel NAME]... [--module PATH[:PARAMS]]... [--ship PATH]... [--test NAME=PROGRAM]... [options]\n"
		"       rkm test DIR... [--kernel NAME]... [options]\n"
		"       rkm bench [--kernel NAME]... [--boots N] [--runs N] [--scale PERCENT] [--wall-only] [--no-costs] [--out DIR]\n"
		"       rkm new NAME [--dir PARENT]\n"
		"       rkm lint DIR...\n"
		"       rkm doc [--out DIR]\n"
		"       rkm rust-project DIR\n"
		"       rkm sign --key KEY.pem --cert CERT.der [--kernel NAME] KO...\n"
		"       rkm dkms DIR [--version V] [--out OUTDIR]\n"
		"options: --test-timeout S (guest, per item; default 60)  --timeout S (host, whole boot)\n"
		"         --skip FILE  --logs DIR  --verbose  --append 'KERNEL ARGS' (e.g. pci=nomsi)\n";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	rkm_root = find_root();
	rkm_cache = find_cache();
	if (!is_file(xasprintf("%s/kbuild/rkm.mk", rkm_root)))
		die("%s is not the rkm tree (no kbuild/rkm.mk): set RKM_ROOT", rkm_root);
	if (!strcmp(argv[1], "kernels"))
		return cmd_kernels(argc - 1, argv + 1);
	if (!strcmp(argv[1], "build"))
		return cmd_build(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test"))
		return cmd_test(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	if (!strcmp(argv[1], "new"))
		return cmd_new(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lint"))
		return cmd_lint(argc - 1, argv + 1);
	if (!strcmp(argv[1], "doc"))
		return cmd_doc(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rust-project"))
		return cmd_rust_project(argc - 1, argv + 1);
	if (!strcmp(argv[1], "sign"))
		return cmd_sign(argc - 1, argv + 1);
	if (!strcmp(argv[1], "dkms"))
		return cmd_dkms(argc - 1, argv + 1);
	fprintf(stderr, "rkm: unknown command '%s'\n%s", argv[1], usage);
	return 2;
}
