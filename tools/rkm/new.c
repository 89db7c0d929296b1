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

/*
 * The templates; @NAME@ is the module name, @WHAT@ what the driver is. Nothing
 * written names the rkm tree: the Makefile and Kbuild find it from `rkm` on
 * PATH, so the project moves and is shared as it is.
 */

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

static const char tmpl_pci_rs[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"//! @NAME@: a PCI driver for QEMU's educational device (\"edu\", `-device edu`,\n"
	"//! QEMU's docs/specs/edu.rst): probe maps BAR 0, checks that the device\n"
	"//! answers, and each bound device shows its id register in sysfs, as\n"
	"//! /sys/bus/pci/devices/<device>/@NAME@_id. Started by `rkm new --pci`:\n"
	"//! put your device's ids and registers in place of edu's.\n"
	"#![no_std]\n"
	"#![forbid(unsafe_code)]\n"
	"\n"
	"use core::fmt::Write;\n"
	"use rkm::driver;\n"
	"use rkm::io::Bar;\n"
	"use rkm::pci::{self, Attr, AttrBuf, Bound};\n"
	"use rkm::prelude::*;\n"
	"\n"
	"/// The devices this driver binds: QEMU's edu (vendor 0x1234, device\n"
	"/// 0x11e8). QEMU's pci-testdev (`-device pci-testdev`) would be\n"
	"/// `pci::DeviceId::new(0x1b36, 0x0005)`.\n"
	"const IDS: &[pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];\n"
	"/// BAR 0 of edu: 1 MiB of registers. An offset past it does not compile.\n"
	"const BAR_SIZE: usize = 0x10_0000;\n"
	"/// Identification, 0xRRrr00ed: major and minor revision.\n"
	"const REG_ID: usize = 0x00;\n"
	"/// Liveness check: reads back the bitwise inverse of what was written.\n"
	"const REG_LIVE: usize = 0x04;\n"
	"\n"
	"struct Dev;\n"
	"\n"
	"impl driver::Driver for Dev {\n"
	"    const NAME: &'static str = \"@NAME@\";\n"
	"    const ATTRS: &'static [Attr<Self>] = &[Attr::ro(\"@NAME@_id\", show_id)];\n"
	"    /// What an interrupt handler would see: the registers.\n"
	"    type Hw = Bar<BAR_SIZE>;\n"
	"    /// The rest of the per-device state: none.\n"
	"    type Data = ();\n"
	"}\n"
	"\n"
	"impl pci::Driver for Dev {\n"
	"    const IDS: &'static [pci::DeviceId] = IDS;\n"
	"\n"
	"    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Bar<BAR_SIZE>, ())> {\n"
	"        dev.enable()?;\n"
	"        let bar = dev.iomap::<BAR_SIZE>(0)?;\n"
	"        bar.write32::<REG_LIVE>(0x1234_5678);\n"
	"        if bar.read32::<REG_LIVE>() != !0x1234_5678 {\n"
	"            dev_err!(dev, \"the device does not answer\\n\");\n"
	"            return Err(ENODEV);\n"
	"        }\n"
	"        let id = bar.read32::<REG_ID>();\n"
	"        dev_info!(dev, \"edu {}.{}\\n\", id >> 24, (id >> 16) & 0xff);\n"
	"        Ok((bar, ()))\n"
	"    }\n"
	"}\n"
	"\n"
	"fn show_id(dev: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result {\n"
	"    writeln!(out, \"{:#010x}\", dev.hw().read32::<REG_ID>()).map_err(|_| EFBIG)\n"
	"}\n"
	"\n"
	"struct Driver {\n"
	"    _pci: pci::Registration<Dev>,\n"
	"}\n"
	"\n"
	"impl Module for Driver {\n"
	"    fn init() -> Result<Self> {\n"
	"        Ok(Driver { _pci: pci::Registration::register(Dev)? })\n"
	"    }\n"
	"}\n"
	"\n"
	"module! {\n"
	"    type: Driver,\n"
	"    name: \"@NAME@\",\n"
	"    authors: [\"you\"],\n"
	"    description: \"@NAME@: a PCI driver for QEMU's edu device\",\n"
	"    license: \"GPL\",\n"
	"}\n";

static const char tmpl_pci_test[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"/* @NAME@'s test: runs inside the guest (rkm test, with -device edu), as root. */\n"
	"#include \"ktest.h\"\n"
	"\n"
	"#include <dirent.h>\n"
	"\n"
	"/* The first device bound to @NAME@: its /sys/bus/pci/devices/BDF, or \"\". */\n"
	"static void bound_device(char *out, size_t len)\n"
	"{\n"
	"\tDIR *d = opendir(\"/sys/bus/pci/drivers/@NAME@\");\n"
	"\tstruct dirent *e;\n"
	"\n"
	"\tout[0] = '\\0';\n"
	"\twhile (d && (e = readdir(d)))\n"
	"\t\tif (!strncmp(e->d_name, \"0000:\", 5)) {\n"
	"\t\t\tsnprintf(out, len, \"/sys/bus/pci/devices/%.16s\", e->d_name);\n"
	"\t\t\tbreak;\n"
	"\t\t}\n"
	"\tif (d)\n"
	"\t\tclosedir(d);\n"
	"}\n"
	"\n"
	"TEST(binds_the_device_and_shows_its_id)\n"
	"{\n"
	"\tchar dev[64], path[160], buf[64] = \"\";\n"
	"\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tbound_device(dev, sizeof(dev));\n"
	"\tASSERT_TRUE(dev[0]);\n"
	"\tsnprintf(path, sizeof(path), \"%s/@NAME@_id\", dev);\n"
	"\tASSERT_EQ(11, read_file(path, buf, sizeof(buf)));\n"
	"\tEXPECT_EQ(0, strcmp(buf, \"0x010000ed\\n\"));\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"\t/* Unloading unbinds: the attribute is gone with the driver. */\n"
	"\tASSERT_ERRNO(ENOENT, open(path, O_RDONLY));\n"
	"}\n"
	"\n"
	"TEST(bad_input_gets_a_clean_error)\n"
	"{\n"
	"\tchar dev[64], path[160];\n"
	"\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tbound_device(dev, sizeof(dev));\n"
	"\tASSERT_TRUE(dev[0]);\n"
	"\t/* A read-only attribute: writing is refused, not ignored. */\n"
	"\tsnprintf(path, sizeof(path), \"%s/@NAME@_id\", dev);\n"
	"\tASSERT_ERRNO(EACCES, open(path, O_WRONLY));\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\treturn ktest_run();\n"
	"}\n";

static const char tmpl_pci_manifest[] =
	"# What rkm needs to test @NAME@ (rkm's README, \"Manifests\"); one keyword a line.\n"
	"qemu      -device edu                  # QEMU's educational PCI device, in every boot\n"
	"# twin      c_@NAME@                 # a C twin in c_@NAME@/, built and shipped beside it\n"
	"cycles    50                           # insmod/rmmod cycles of rkm test --reliability (each binds)\n";

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

static const char tmpl_kbuild[] =
	"# For `make -C /lib/modules/$(uname -r)/build M=$PWD` with rkm on PATH\n"
	"# (rkm build and rkm test write their own); RKM_ROOT=<rkm tree> overrides.\n"
	"RKM_ROOT ?= $(abspath $(dir $(shell readlink -f \"$$(command -v rkm)\"))/../..)\n"
	"include $(RKM_ROOT)/kbuild/rkm.mk\n";

static const char tmpl_makefile[] =
	"# SPDX-License-Identifier: GPL-2.0\n"
	"# @NAME@: build and test with rkm: its build/bin on PATH, or make RKM=<rkm tree>/build/bin/rkm.\n"
	"RKM ?= rkm\n"
	"ifeq ($(shell command -v $(RKM)),)\n"
	"$(error no '$(RKM)' command: put the rkm tree's build/bin on PATH, or run make RKM=<rkm tree>/build/bin/rkm)\n"
	"endif\n"
	"\n"
	".PHONY: all test clean\n"
	"all:\n"
	"\t$(RKM) build .\n"
	"test:\n"
	"\t$(RKM) test .\n"
	"clean:\n"
	"\trm -rf build\n";

static const char tmpl_readme[] =
	"# @NAME@\n"
	"\n"
	"A Linux driver in safe Rust, built with rkm for stock kernels (`rkm`, from\n"
	"rkm's `build/bin`, on PATH).\n"
	"\n"
	"- `@NAME@.rs`: the driver (@WHAT@).\n"
	"  `#![forbid(unsafe_code)]`: the `rkm` crate holds all the unsafe code.\n"
	"- `test.c`: its test, a C program rkm runs inside each kernel as root\n"
	"  (`ktest.h`: `TEST()`, `ASSERT_*`, `load_module()`...).\n"
	"- `Kbuild`: `make -C /lib/modules/$(uname -r)/build M=$PWD` builds\n"
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

static const char *what;

static void put(const char *dir, const char *file, const char *tmpl, const char *name)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = fill_template(tmpl, (const char *const[]){ "@NAME@", name, "@WHAT@", what,
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
	static const struct option opts[] = { { "dir", required_argument, NULL, 'd' },
					      { "pci", no_argument, NULL, 'p' }, OPT_HELP, { 0 } };
	bool pci = false;
	const char *name, *parent = ".";
	char *dir;
	int c;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1)
		if (c == 'd')
			parent = optarg;
		else if (c == 'p')
			pci = true;
	if (optind != argc - 1)
		usage_exit(argv[0], 2);
	name = argv[optind];
	if (!valid_module_name(name))
		die("'%s' cannot be a module name: use lower-case letters, digits and '_', "
		    "starting with a letter, at most 55 characters", name);
	dir = xasprintf("%s/%s", parent, name);
	mkdirs(parent);
	if (mkdir(dir, 0755))
		die("cannot create %s: %s%s", dir, strerror(errno),
		    errno == EEXIST ? " (rkm new never overwrites: pick another name or --dir)" : "");
	what = pci ? "a PCI driver for QEMU's edu device; its id register in sysfs"
		   : "a misc device, `/dev/@NAME@`, that keeps the last message written to it";
	what = fill_template(what, (const char *const[]){ "@NAME@", name, NULL });
	put(dir, xasprintf("%s.rs", name), pci ? tmpl_pci_rs : tmpl_rs, name);
	put(dir, "test.c", pci ? tmpl_pci_test : tmpl_test, name);
	put(dir, "Kbuild", tmpl_kbuild, name);
	put(dir, "Makefile", tmpl_makefile, name);
	put(dir, "README.md", tmpl_readme, name);
	put(dir, "rkm.manifest", pci ? tmpl_pci_manifest : tmpl_manifest, name);
	put(dir, ".gitignore", "build/\nrust-project.json\n", name);
	printf("rkm: new driver %s in %s: 'make -C %s test' (with rkm on PATH) builds it and tests it on every kernel\n",
	       name, dir, dir);
	free(dir);
	return 0;
}
