// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm new NAME [--dir PARENT]`: a driver project outside the rkm tree,
 * ready for `rkm test`: a misc device in safe Rust, its Kbuild, a Makefile,
 * an in-guest C test and a README.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rkm.h"

/* The templates; @NAME@ is the module name, @RKM@ the rkm tree. */

static const char tmpl_rs[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"//! @NAME@: /dev/@NAME@ keeps the last message written to it (up to 256\n"
	"//! bytes); reading returns it from the file position. Started by `rkm new`.\n"
	"#![no_std]\n"
	"#![forbid(unsafe_code)]\n"
	"\n"
	"use rkm::prelude::*;\n"
	"\n"
	"const MAX: usize = 256;\n"
	"\n"
	"/// Shared by every opener.\n"
	"struct Device {\n"
	"    message: Mutex<KVec<u8>>,\n"
	"}\n"
	"\n"
	"/// One open file.\n"
	"struct Open {\n"
	"    dev: Arc<Device>,\n"
	"}\n"
	"\n"
	"#[rkm::vtable]\n"
	"impl FileOperations for Open {\n"
	"    type Device = Device;\n"
	"\n"
	"    fn open(dev: &Arc<Device>, _file: &OpenFile) -> Result<Self> {\n"
	"        Ok(Open { dev: dev.clone() })\n"
	"    }\n"
	"\n"
	"    fn read(&self, _file: &File, mut out: UserSliceWriter, pos: &mut i64) -> Result<usize> {\n"
	"        let msg = self.dev.message.lock();\n"
	"        let start = usize::try_from(*pos)?;\n"
	"        let copied = out.write_partial(msg.get(start..).unwrap_or(&[]))?;\n"
	"        *pos += copied as i64;\n"
	"        Ok(copied)\n"
	"    }\n"
	"\n"
	"    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {\n"
	"        if input.len() > MAX {\n"
	"            return Err(EINVAL);\n"
	"        }\n"
	"        // Copy in before taking the lock: a fault changes nothing.\n"
	"        let mut new = KVec::new();\n"
	"        new.try_resize(input.len(), 0)?;\n"
	"        input.read_slice(&mut new)?;\n"
	"        let n = new.len();\n"
	"        *self.dev.message.lock() = new;\n"
	"        pr_info!(\"stored {} bytes\\n\", n);\n"
	"        Ok(n)\n"
	"    }\n"
	"}\n"
	"\n"
	"struct Driver {\n"
	"    _dev: MiscDevice<Open>,\n"
	"}\n"
	"\n"
	"impl Module for Driver {\n"
	"    fn init() -> Result<Self> {\n"
	"        let dev = Arc::try_new(Device { message: new_mutex!(KVec::new())? })?;\n"
	"        pr_info!(\"ready\\n\");\n"
	"        Ok(Driver { _dev: MiscDevice::register(\"@NAME@\", 0o666, dev)? })\n"
	"    }\n"
	"}\n"
	"\n"
	"module! {\n"
	"    type: Driver,\n"
	"    name: \"@NAME@\",\n"
	"    authors: [\"you\"],\n"
	"    description: \"@NAME@: keeps the last message written to /dev/@NAME@\",\n"
	"    license: \"GPL\",\n"
	"}\n";

static const char tmpl_test[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"/* @NAME@'s test: runs inside the guest (rkm test), as root. */\n"
	"#include \"ktest.h\"\n"
	"\n"
	"#include <sys/ioctl.h>\n"
	"\n"
	"TEST(stores_and_returns_the_last_message)\n"
	"{\n"
	"\tchar buf[300] = \"\";\n"
	"\tint fd;\n"
	"\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tfd = open(\"/dev/@NAME@\", O_RDWR);\n"
	"\tASSERT_TRUE(fd >= 0);\n"
	"\tASSERT_EQ(5, write(fd, \"hello\", 5));\n"
	"\tASSERT_EQ(5, pread(fd, buf, sizeof(buf), 0));\n"
	"\tEXPECT_EQ(0, memcmp(buf, \"hello\", 5));\n"
	"\tASSERT_EQ(2, pread(fd, buf, sizeof(buf), 3));\n"
	"\tEXPECT_EQ(0, memcmp(buf, \"lo\", 2));\n"
	"\tclose(fd);\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"}\n"
	"\n"
	"TEST(bad_input_gets_a_clean_error)\n"
	"{\n"
	"\tchar big[257] = { 0 };\n"
	"\tint fd;\n"
	"\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tfd = open(\"/dev/@NAME@\", O_RDWR);\n"
	"\tASSERT_TRUE(fd >= 0);\n"
	"\tASSERT_ERRNO(EINVAL, write(fd, big, sizeof(big)));\n"
	"\tASSERT_ERRNO(EFAULT, write(fd, KTEST_KERNEL_ADDR, 4));\n"
	"\tASSERT_ERRNO(ENOTTY, ioctl(fd, 0x1234, 0));\n"
	"\tclose(fd);\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\treturn ktest_run();\n"
	"}\n";

static const char tmpl_kbuild[] = "include @RKM@/kbuild/rkm.mk\n";

static const char tmpl_makefile[] =
	"# SPDX-License-Identifier: GPL-2.0\n"
	"# @NAME@: build and test with rkm (@RKM@).\n"
	"RKM ?= @RKM@\n"
	"\n"
	".PHONY: all test clean\n"
	"all:\n"
	"\t$(RKM)/build/bin/rkm build .\n"
	"test:\n"
	"\t$(RKM)/build/bin/rkm test .\n"
	"clean:\n"
	"\trm -rf build\n";

static const char tmpl_readme[] =
	"# @NAME@\n"
	"\n"
	"A Linux driver in safe Rust, built with rkm (@RKM@) for stock kernels.\n"
	"\n"
	"- `@NAME@.rs`: the driver: a misc device, `/dev/@NAME@`, that keeps the last\n"
	"  message written to it. `#![forbid(unsafe_code)]`: the `rkm` crate holds all\n"
	"  the unsafe code.\n"
	"- `test.c`: its test, a C program rkm runs inside each kernel as root\n"
	"  (`ktest.h`: `TEST()`, `ASSERT_*`, `load_module()`...).\n"
	"- `Kbuild`: one line; `make -C /lib/modules/$(uname -r)/build M=$PWD` builds\n"
	"  `@NAME@.ko` for the running kernel.\n"
	"- `rkm.manifest`: what rkm needs to test it (QEMU devices, a C twin,\n"
	"  load/unload cycles, failslab), read by `rkm test`.\n"
	"\n"
	"```sh\n"
	"make          # build for every kernel of rkm's matrix: build/<kernel>/@NAME@.ko\n"
	"make test     # boot each kernel in QEMU, run test.c, check the kernel log\n"
	"```\n";

static const char tmpl_manifest[] =
	"# What rkm needs to test @NAME@ (rkm's README, \"Manifests\"); one keyword a line.\n"
	"# qemu      -device pci-testdev      # QEMU devices the driver binds, in every boot\n"
	"# twin      c_@NAME@                 # a C twin in c_@NAME@/, built and shipped beside it\n"
	"# failslab  @NAME@:@NAME@            # debug kernel: fail each allocation of load and file calls\n"
	"cycles    200                        # insmod/rmmod cycles of rkm test --reliability\n";

static void put(const char *dir, const char *file, const char *tmpl, const char *name)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = fill_template(tmpl, (const char *const[]){ "@NAME@", name, "@RKM@", rkm_root,
								NULL });
	FILE *f = fopen(path, "wx");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
	printf("  NEW     %s\n", path);
	free(text);
	free(path);
}

int cmd_new(int argc, char **argv)
{
	static const struct option opts[] = { { "dir", required_argument, NULL, 'd' }, OPT_HELP,
					      { 0 } };
	const char *name, *parent = ".";
	char *dir;
	int c;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1)
		if (c == 'd')
			parent = optarg;
	if (optind != argc - 1)
		usage_exit(argv[0], 2);
	name = argv[optind];
	if (!valid_module_name(name))
		die("'%s' cannot be a module name: use lower-case letters, digits and '_', "
		    "starting with a letter, at most 55 characters", name);
	dir = xasprintf("%s/%s", parent, name);
	if (mkdir(dir, 0755))
		die("cannot create %s: %s%s", dir, strerror(errno),
		    errno == EEXIST ? " (rkm new never overwrites: pick another name or --dir)" : "");
	put(dir, xasprintf("%s.rs", name), tmpl_rs, name);
	put(dir, "test.c", tmpl_test, name);
	put(dir, "Kbuild", tmpl_kbuild, name);
	put(dir, "Makefile", tmpl_makefile, name);
	put(dir, "README.md", tmpl_readme, name);
	put(dir, "rkm.manifest", tmpl_manifest, name);
	put(dir, ".gitignore", "build/\n", name);
	printf("rkm: new driver %s in %s: 'make -C %s test' builds it and tests it on every kernel\n",
	       name, dir, dir);
	free(dir);
	return 0;
}
