// SPDX-License-Identifier: GPL-2.0
/* rkm glue: module entry and exit, the ABI version symbol (included last). */
#include <linux/init.h>
#include <linux/module.h>

#include "rkm_abi.h"

const int rkm_abi_version_10 = RKM_ABI_VERSION;

const char *rkm_module_name(size_t *len)
{
	*len = strlen(KBUILD_MODNAME);
	return KBUILD_MODNAME;
}

/*
 * After the driver's exit (or its failed init), what its Rust owners leaked
 * is still registered. First drop the state of configfs subsystems whose
 * Registration was dropped while items existed (no item is left now): a
 * live owner, whose disks, devices and timers go as they would at its own
 * drop. Then remove leaked disks (waiting for their
 * requests in flight, which timers or work may still end), then stop what
 * runs on its own (threads, timers, work), whose ends may still drop
 * registrations; then drivers (whose remove
 * drops the devices' data, and anything it owns) before the devices a
 * module created, the char and misc devices and debugfs; last the service
 * objects left (see rkm_services_quiesce()).
 */
static void rkm_sweep_leaks(void)
{
	rkm_cfs_free();
	rkm_blk_disks_free();
	rkm_net_free();
	rkm_services_quiesce();
	rkm_drivers_free();
	rkm_platform_devices_free();
	rkm_chrdevs_free();
	rkm_miscdevs_free();
	rkm_debugfs_free();
	rkm_services_free();
}

static int __init rkm_module_init(void)
{
	int err = rkm_rust_init();

	/* module_exit will not run: free what the failed init left. */
	if (err) {
		rkm_sweep_leaks();
		return err;
	}
	rkm_module_go_live();
	rkm_cfs_go_live();
	return 0;
}

static void __exit rkm_module_exit(void)
{
	rkm_rust_exit();
	rkm_sweep_leaks();
}

module_init(rkm_module_init);
module_exit(rkm_module_exit);
