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
#include <sys/stat.h>

#include "rkm.h"

#define RUSTC "/usr/bin/rustc"

static void version_line(const char *line, void *ctx)
{
	/* "rustc 1.96.0 (...)" */
	if (sscanf(line, "rustc %63s", (char *)ctx) != 1)
		((char *)ctx)[0] = '\0';
}

static void sysroot_line(const char *line, void *ctx)
{
	snprintf(ctx, PATH_MAX, "%s", line);
}

/*
 * rust-analyzer expands #[rkm::vtable] by loading the crate's procedural
 * macros, a host library: build it beside the driver's builds (rkm build
 * leaves one per kernel build directory; this one does not depend on a
 * kernel). It needs no kernel, only the host rustc.
 */
static char *build_macros(const char *rustc, const char *dir)
{
	char *out_dir = xasprintf("%s/build", dir), *out = xasprintf("%s/librkm_macros.so", out_dir);
	char *src = xasprintf("%s/rust/macros/lib.rs", rkm_root);

	if (mkdir(out_dir, 0755) && errno != EEXIST)
		die("cannot create %s: %s", out_dir, strerror(errno));
	if (run_cmd((char *[]){ (char *)rustc, "--edition", "2021", "--crate-type", "proc-macro",
				"--crate-name", "rkm_macros", "-Cstrip=debuginfo", "-o", out, src,
				NULL },
		    NULL, NULL))
		die("%s could not build the crate's procedural macros (%s)", rustc, src);
	return out;
}

int cmd_rust_project(int argc, char **argv)
{
	static const struct option opts[] = { OPT_HELP, { 0 } };
	char dir[PATH_MAX], version[64] = "", sysroot[PATH_MAX] = "";
	const char *name, *rustc = getenv("RKM_RUSTC") ? getenv("RKM_RUSTC") : RUSTC;
	char *lib, *rs, *path, *tmp, *macros;
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
	 * The sysroot is the host rustc's: rust-analyzer runs its
	 * proc-macro server from there. Crates by index: 0 rkm_macros, 1 rkm,
	 * 2 the driver. core and alloc come from sysroot_src, which rust-analyzer adds
	 * to every crate's dependencies; listing them again as crates would
	 * give primitives no methods (their inherent impls are looked up in the
	 * sysroot's core).
	 */
	if (run_cmd((char *[]){ (char *)rustc, "--print", "sysroot", NULL }, sysroot_line, sysroot) ||
	    !sysroot[0])
		die("%s --print sysroot failed", rustc);
	macros = build_macros(rustc, dir);
	fprintf(f,
		"{\n"
		"  \"sysroot\": \"%s\",\n"
		"  \"sysroot_src\": \"%s\",\n"
		"  \"crates\": [\n"
		"    { \"display_name\": \"rkm_macros\", \"root_module\": \"%s/rust/macros/lib.rs\",\n"
		"      \"edition\": \"2021\", \"deps\": [], \"cfg\": [], \"is_proc_macro\": true,\n"
		"      \"proc_macro_dylib_path\": \"%s\",\n"
		"      \"is_workspace_member\": false },\n"
		"    { \"display_name\": \"rkm\", \"root_module\": \"%s/rust/src/lib.rs\", \"edition\": \"2021\",\n"
		"      \"deps\": [{ \"crate\": 0, \"name\": \"rkm_macros\" }], \"cfg\": [], \"is_workspace_member\": true },\n"
		"    { \"display_name\": \"%s\", \"root_module\": \"%s\", \"edition\": \"2021\",\n"
		"      \"deps\": [{ \"crate\": 1, \"name\": \"rkm\" }], \"cfg\": [],\n"
		"      \"env\": { \"RKM_MODNAME\": \"%s\" }, \"is_workspace_member\": true }\n"
		"  ]\n"
		"}\n",
		sysroot, lib, rkm_root, macros, rkm_root, name, rs, name);
	if (fclose(f) || rename(tmp, path))
		die("cannot write %s: %s", path, strerror(errno));
	printf("rkm: %s (rustc %s, core and alloc from %s)\n", path, version, lib);
	return 0;
}
