// SPDX-License-Identifier: GPL-2.0
/*
 * c_minimal: the C twin of rust_minimal, a hello world: logs on load and
 * unload, sets up two parts and tears them down in reverse order, and fails
 * init with the errno of its parameter fail_with (0..4095). rkm bench
 * compares the two modules' sizes (no workload, no boot).
 */

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int fail_with;
module_param(fail_with, int, 0444);
MODULE_PARM_DESC(fail_with, "Fail init with this errno (test)");

static const char *const parts[] = { "first", "second" };

static int __init c_minimal_init(void)
{
	pr_info("C minimal sample (init)\n");
	pr_info("setting up %s\n", parts[0]);
	if (fail_with < 0 || fail_with > 4095) {
		pr_info("tearing down %s\n", parts[0]);
		return -EINVAL;
	}
	if (fail_with) {
		pr_info("tearing down %s\n", parts[0]);
		return -fail_with;
	}
	pr_info("setting up %s\n", parts[1]);
	return 0;
}

static void __exit c_minimal_exit(void)
{
	pr_info("C minimal sample (exit), answer %u\n", 42u);
	pr_info("tearing down %s\n", parts[1]);
	pr_info("tearing down %s\n", parts[0]);
}

module_init(c_minimal_init);
module_exit(c_minimal_exit);
MODULE_AUTHOR("rkm developers");
MODULE_DESCRIPTION("C minimal sample: logs on load and unload (the twin of rust_minimal)");
MODULE_LICENSE("GPL");
