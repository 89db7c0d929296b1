// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm rust-project DIR`: DIR/rust-project.json, so that rust-analyzer
 * resolves core, alloc and the rkm crate for the driver DIR/NAME.rs as the
 * kernel build compiles them: the Rust library source of Debian's rustc,
 * the kernel target, no std, and the environment module! reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rkm.h"

#define RUSTC "/usr/bin/rustc"

static void version_line(const char *line, void *ctx)
{
	/* "rustc 1.96.0 (...)" */
	if (sscanf(line, "rustc %63s", (char *)ctx) != 1)
		((char *)ctx)[0] = '\0';
}

int cmd_rust_project(int argc, char **argv)
{
	static const struct option opts[] = { OPT_HELP, { 0 } };
	char dir[PATH_MAX], version[64] = "";
	const char *name, *rustc = getenv("RKM_RUSTC") ? getenv("RKM_RUSTC") : RUSTC;
	char *lib, *rs, *path, *tmp;
	FILE *f;

	while (cmd_getopt(argc, argv, "h", opts) != -1)
		;
	if (optind != argc - 1)
		usage_exit(argv[0], 2);
	if (!realpath(argv[optind], dir))
		die("no driver directory %s", argv[optind]);
	name = base_name(dir);
	rs = xasprintf("%s/%s.rs", dir, name);
	if (!is_file(rs))
		die("%s is not a Rust driver: no %s", dir, rs);
	if (run_cmd((char *[]){ (char *)rustc, "--version", NULL }, version_line, version) ||
	    !version[0])
		die("no Rust compiler at %s: apt-get install rustc-web rust-web-src", rustc);
	lib = getenv("RKM_RUST_LIB") ? strdup(getenv("RKM_RUST_LIB"))
				     : xasprintf("/usr/src/rustc-%s/library", version);
	if (!is_file(xasprintf("%s/core/src/lib.rs", lib)))
		die("no Rust library source for rustc %s in %s: apt-get install rust-web-src", version,
		    lib);
	path = xasprintf("%s/rust-project.json", dir);
	tmp = xasprintf("%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die("cannot write %s: %s", tmp, strerror(errno));
	/*
	 * Crates by index: 0 rkm, 1 the driver. core and alloc come from
	 * sysroot_src, which rust-analyzer adds to every crate's dependencies;
	 * listing them again as crates would give primitives no methods (their
	 * inherent impls are looked up in the sysroot's core).
	 */
	fprintf(f,
		"{\n"
		"  \"sysroot_src\": \"%s\",\n"
		"  \"crates\": [\n"
		"    { \"display_name\": \"rkm\", \"root_module\": \"%s/rust/src/lib.rs\", \"edition\": \"2021\",\n"
		"      \"deps\": [], \"cfg\": [], \"is_workspace_member\": true },\n"
		"    { \"display_name\": \"%s\", \"root_module\": \"%s\", \"edition\": \"2021\",\n"
		"      \"deps\": [{ \"crate\": 0, \"name\": \"rkm\" }], \"cfg\": [],\n"
		"      \"env\": { \"RKM_MODNAME\": \"%s\" }, \"is_workspace_member\": true }\n"
		"  ]\n"
		"}\n",
		lib, rkm_root, name, rs, name);
	if (fclose(f) || rename(tmp, path))
		die("cannot write %s: %s", path, strerror(errno));
	printf("rkm: %s (rustc %s, core and alloc from %s)\n", path, version, lib);
	return 0;
}
