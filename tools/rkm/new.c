// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm new NAME [--dir PARENT] [--pci VENDOR:DEVICE [--qemu-device MODEL]]`:
 * a driver project outside the rkm tree, ready for `rkm test`: a misc device
 * (or a PCI driver for any vendor:device) in safe Rust, its Kbuild, a
 * Makefile, an in-guest C test, a manifest and a README.
 */
#define _GNU_SOURCE
#include <ctype.h>
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
	"//! @NAME@: a PCI driver for device @VID@:@DID@ (vendor:device, as `lspci -n`\n"
	"//! prints them): probe enables the device and reads its configuration\n"
	"//! space, and each bound device shows its ids in sysfs, as\n"
	"//! /sys/bus/pci/devices/<device>/@NAME@_id. Started by `rkm new --pci`:\n"
	"//! map the device's registers with `dev.iomap::<SIZE>(BAR)` (an\n"
	"//! `rkm::io::Bar`, its offsets checked at compile time) and go on from there.\n"
	"#![no_std]\n"
	"#![forbid(unsafe_code)]\n"
	"\n"
	"use core::fmt::Write;\n"
	"use rkm::driver;\n"
	"use rkm::pci::{self, Attr, AttrBuf, Bound, Config};\n"
	"use rkm::prelude::*;\n"
	"\n"
	"/// The devices this driver binds: vendor 0x@VID@, device 0x@DID@.\n"
	"const IDS: &[pci::DeviceId] = &[pci::DeviceId::new(0x@VID@, 0x@DID@)];\n"
	"/// Configuration space: vendor id, device id, revision.\n"
	"const CFG_VENDOR: usize = 0x00;\n"
	"const CFG_DEVICE: usize = 0x02;\n"
	"const CFG_REVISION: usize = 0x08;\n"
	"\n"
	"struct Dev;\n"
	"\n"
	"impl driver::Driver for Dev {\n"
	"    const NAME: &'static str = \"@NAME@\";\n"
	"    const ATTRS: &'static [Attr<Self>] = &[Attr::ro(\"@NAME@_id\", show_id)];\n"
	"    /// What an interrupt handler would see: the configuration space (and,\n"
	"    /// once mapped, the device's registers: `(Config, Bar<SIZE>)`).\n"
	"    type Hw = Config;\n"
	"    /// The rest of the per-device state: none.\n"
	"    type Data = ();\n"
	"}\n"
	"\n"
	"impl pci::Driver for Dev {\n"
	"    const IDS: &'static [pci::DeviceId] = IDS;\n"
	"\n"
	"    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Config, ())> {\n"
	"        dev.enable()?;\n"
	"        let cfg = dev.config()?;\n"
	"        let (vendor, device) = (cfg.read16::<CFG_VENDOR>(), cfg.read16::<CFG_DEVICE>());\n"
	"        let revision = cfg.read8::<CFG_REVISION>();\n"
	"        dev_info!(dev, \"{vendor:04x}:{device:04x} revision {revision}\\n\");\n"
	"        Ok((cfg, ()))\n"
	"    }\n"
	"}\n"
	"\n"
	"fn show_id(dev: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result {\n"
	"    let cfg = dev.hw();\n"
	"    let (vendor, device) = (cfg.read16::<CFG_VENDOR>(), cfg.read16::<CFG_DEVICE>());\n"
	"    writeln!(out, \"{vendor:04x}:{device:04x}\").map_err(|_| EFBIG)\n"
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
	"    description: \"@NAME@: a PCI driver for device @VID@:@DID@\",\n"
	"    license: \"GPL\",\n"
	"}\n";

static const char tmpl_pci_test[] =
	"// SPDX-License-Identifier: GPL-2.0\n"
	"/*\n"
	" * @NAME@'s test: runs inside the guest (rkm test, with the QEMU device of\n"
	" * rkm.manifest), as root.\n"
	" */\n"
	"#include \"ktest.h\"\n"
	"\n"
	"#define ID \"@VID@:@DID@\"\n"
	"\n"
	"/* The first device @VID@:@DID@ of the guest, in out: false, saying so, if none. */\n"
	"static bool the_device(char *out, size_t len)\n"
	"{\n"
	"\tif (ktest_pci_find(\"/sys/bus/pci/devices\", 0x@VID@, 0x@DID@, out, len))\n"
	"\t\treturn true;\n"
	"\tprintf(\"# no PCI device \" ID \" in the guest: its 'qemu -device MODEL' line in \"\n"
	"\t       \"rkm.manifest?\\n\");\n"
	"\treturn false;\n"
	"}\n"
	"\n"
	"TEST(binds_the_device_and_shows_its_id)\n"
	"{\n"
	"\tchar dev[64], bound[64], path[160], buf[64] = \"\";\n"
	"\n"
	"\tASSERT_TRUE(the_device(dev, sizeof(dev)));\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tASSERT_TRUE(ktest_pci_find(\"/sys/bus/pci/drivers/@NAME@\", 0x@VID@, 0x@DID@, bound,\n"
	"\t\t\t\t    sizeof(bound)));\n"
	"\tsnprintf(path, sizeof(path), \"/sys/bus/pci/devices/%s/@NAME@_id\", bound);\n"
	"\tASSERT_EQ((ssize_t)strlen(ID \"\\n\"), read_file(path, buf, sizeof(buf)));\n"
	"\tEXPECT_EQ(0, strcmp(buf, ID \"\\n\"));\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"\t/* Unloading unbinds: the attribute is gone with the driver. */\n"
	"\tASSERT_ERRNO(ENOENT, open(path, O_RDONLY));\n"
	"}\n"
	"\n"
	"TEST(bad_input_gets_a_clean_error)\n"
	"{\n"
	"\tchar dev[64], bound[64], path[160];\n"
	"\n"
	"\tASSERT_TRUE(the_device(dev, sizeof(dev)));\n"
	"\tASSERT_EQ(0, load_module(\"@NAME@\", NULL));\n"
	"\tASSERT_TRUE(ktest_pci_find(\"/sys/bus/pci/drivers/@NAME@\", 0x@VID@, 0x@DID@, bound,\n"
	"\t\t\t\t    sizeof(bound)));\n"
	"\t/* A read-only attribute: writing is refused, not ignored. */\n"
	"\tsnprintf(path, sizeof(path), \"/sys/bus/pci/devices/%s/@NAME@_id\", bound);\n"
	"\tASSERT_ERRNO(EACCES, open(path, O_WRONLY));\n"
	"\tASSERT_EQ(0, unload_module(\"@NAME@\"));\n"
	"}\n"
	"\n"
	"int main(void)\n"
	"{\n"
	"\treturn ktest_run();\n"
	"}\n";

/* @QEMU@: the manifest's qemu line, or a commented one without --qemu-device. */
static const char tmpl_pci_manifest[] =
	"# What rkm needs to test @NAME@ (rkm's README, \"Manifests\"); one keyword a line.\n"
	"@QEMU@\n"
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

/* @WHAT@, and with --pci @VID@, @DID@ (4 hex digits each) and @QEMU@. */
static const char *what, *vid = "", *did = "", *qemu_line = "";

static void put(const char *dir, const char *file, const char *tmpl, const char *name)
{
	char *path = xasprintf("%s/%s", dir, file);
	char *text = fill_template(tmpl, (const char *const[]){ "@NAME@", name, "@WHAT@", what,
								"@VID@", vid, "@DID@", did,
								"@QEMU@", qemu_line, NULL });
	FILE *f = fopen(path, "wx");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
	printf("  NEW     %s\n", path);
	free(text);
	free(path);
}

/* One PCI id of VENDOR:DEVICE: 1 to 4 hex digits, as 4 lower-case ones. */
static char *pci_id(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 4)
		return NULL;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return NULL;
	return xasprintf("%04lx", strtoul(xasprintf("%.*s", (int)n, s), NULL, 16));
}

/* --pci VENDOR:DEVICE into vid and did, or die: one line saying what is wrong. */
static void parse_pci_ids(const char *arg)
{
	const char *colon = strchr(arg, ':');

	if (colon) {
		vid = pci_id(arg, colon - arg);
		did = pci_id(colon + 1, strlen(colon + 1));
	}
	if (!colon || !vid || !did)
		die("--pci: '%s' is not VENDOR:DEVICE, two hexadecimal ids of 1 to 4 digits "
		    "(as lspci -n prints them, e.g. 1b36:0005)", arg);
	if (!strcmp(vid, "ffff"))
		die("--pci: vendor ffff is no vendor (what a read of an absent device returns)");
}

/* --qemu-device MODEL: a QEMU device name, with ,PROP=VALUE if any; no spaces or quotes. */
static void check_qemu_model(const char *model)
{
	if (!isalnum((unsigned char)model[0]) ||
	    model[strspn(model, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"0123456789-_.,=")])
		die("--qemu-device: '%s' is not a QEMU device model (qemu-system-x86_64 -device "
		    "help; letters, digits, '-', '_', '.', and ',PROP=VALUE')", model);
}

int cmd_new(int argc, char **argv)
{
	static const struct option opts[] = { { "dir", required_argument, NULL, 'd' },
					      { "pci", required_argument, NULL, 'p' },
					      { "qemu-device", required_argument, NULL, 'q' },
					      OPT_HELP, { 0 } };
	const char *name, *parent = ".", *pci = NULL, *model = NULL;
	char *dir;
	int c;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1)
		if (c == 'd')
			parent = optarg;
		else if (c == 'p')
			pci = optarg;
		else if (c == 'q')
			model = optarg;
	if (optind != argc - 1)
		usage_exit(argv[0], 2);
	name = argv[optind];
	if (!valid_module_name(name))
		die("'%s' cannot be a module name: use lower-case letters, digits and '_', "
		    "starting with a letter, at most 55 characters", name);
	if (model && !pci)
		die("--qemu-device: only with --pci VENDOR:DEVICE (the device the driver binds)");
	if (pci)
		parse_pci_ids(pci);
	if (model) {
		check_qemu_model(model);
		qemu_line = xasprintf("%-38s # the QEMU device (%s:%s) the driver binds, in every "
				      "boot", xasprintf("qemu      -device %s", model), vid, did);
	} else if (pci) {
		qemu_line = xasprintf("%-38s # the QEMU device with ids %s:%s, in every boot: "
				      "make test needs it", "# qemu    -device MODEL", vid, did);
	}
	dir = xasprintf("%s/%s", parent, name);
	mkdirs(parent);
	if (mkdir(dir, 0755))
		die("cannot create %s: %s%s", dir, strerror(errno),
		    errno == EEXIST ? " (rkm new never overwrites: pick another name or --dir)" : "");
	what = pci ? xasprintf("a PCI driver for device %s:%s; its ids in sysfs", vid, did)
		   : "a misc device, `/dev/@NAME@`, that keeps the last message written to it";
	what = fill_template(what, (const char *const[]){ "@NAME@", name, NULL });
	put(dir, xasprintf("%s.rs", name), pci ? tmpl_pci_rs : tmpl_rs, name);
	put(dir, "test.c", pci ? tmpl_pci_test : tmpl_test, name);
	put(dir, "Kbuild", tmpl_kbuild, name);
	put(dir, "Makefile", tmpl_makefile, name);
	put(dir, "README.md", tmpl_readme, name);
	put(dir, "rkm.manifest", pci ? tmpl_pci_manifest : tmpl_manifest, name);
	put(dir, ".gitignore", "build/\nrust-project.json\n", name);
	printf("rkm: new driver %s in %s: 'make -C %s test' (with rkm on PATH) builds it and tests it "
	       "on every kernel%s\n", name, dir, dir,
	       pci && !model ? " (once rkm.manifest has the device's qemu line)" : "");
	free(dir);
	return 0;
}
