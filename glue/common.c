// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: what several units share, compiled into every module (the
 * units themselves only into modules that call them: kbuild/glue.mk).
 */
#include <linux/kstrtox.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "rkm_abi.h"

/*
 * False until the module's init has returned 0. A device registered by init
 * can be opened before init ends (the module is COMING: its .owner reference
 * can be taken), but if init then fails the kernel frees the module at once,
 * whatever files are open. So opens are refused until init has succeeded;
 * after that the module can only go through rmmod, which waits for files.
 * misc_open() calls our open under misc_mtx, and a failed init deregisters
 * every device (taking misc_mtx) before returning: no open can be half way.
 */
static __maybe_unused bool rkm_module_live;

static __maybe_unused void rkm_module_go_live(void)
{
	smp_store_release(&rkm_module_live, true);
}

/*
 * A sysfs (and /dev) file name: not empty, no '/' (a subdirectory) or NUL,
 * not "." or "..". For misc device names and driver attribute names.
 */
static __maybe_unused bool rkm_sysfs_name_ok(const char *name, size_t len)
{
	return len && !memchr(name, '/', len) && !memchr(name, '\0', len) &&
	       !(len == 1 && name[0] == '.') && !(len == 2 && !memcmp(name, "..", 2));
}

/*
 * Whether the sysfs path @fmt % @name exists: registering a device or class
 * under a taken name fails in sysfs with a duplicate-name stack dump. A
 * concurrent registration by another module can still race with this check.
 */
static __maybe_unused bool rkm_sysfs_taken(const char *fmt, const char *name)
{
	char *path = kasprintf(GFP_KERNEL, fmt, name);
	struct path p;
	bool taken;

	if (!path)
		return false;
	taken = !kern_path(path, 0, &p);
	if (taken)
		path_put(&p);
	kfree(path);
	return taken;
}

/*
 * A sysfs file name (rkm_sysfs_name_ok()), and not the name of another
 * attribute of the driver (sysfs would refuse it with a stack dump at bind).
 */
static __maybe_unused bool rkm_attr_name_ok(const struct rkm_attr *attrs, size_t i)
{
	const char *name = attrs[i].name;
	size_t len = attrs[i].name_len, j;

	if (!rkm_sysfs_name_ok(name, len))
		return false;
	for (j = 0; j < i; j++)
		if (attrs[j].name_len == len && !memcmp(attrs[j].name, name, len))
			return false;
	return true;
}

static __maybe_unused bool rkm_attr_mode_ok(uint16_t mode)
{
	return mode == 0444 || mode == 0644 || mode == 0400 || mode == 0600 || mode == 0200;
}

/* kstrto* on Rust byte strings (sysfs and configfs input). Copies @len bytes to a NUL-terminated buffer for kstrto*: -EINVAL if too long or holding a NUL. */
static __maybe_unused int rkm_kstr_copy(char *buf, const char *s, size_t len)
{
	if (len >= RKM_KSTR_MAX || memchr(s, 0, len))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	return 0;
}

int rkm_kstrtou64(const char *s, size_t len, uint64_t *out)
{
	char buf[RKM_KSTR_MAX];
	unsigned long long v;
	int err = rkm_kstr_copy(buf, s, len);

	if (!err)
		err = kstrtoull(buf, 0, &v);
	if (!err)
		*out = v;
	return err;
}

int rkm_kstrtos64(const char *s, size_t len, int64_t *out)
{
	char buf[RKM_KSTR_MAX];
	long long v;
	int err = rkm_kstr_copy(buf, s, len);

	if (!err)
		err = kstrtoll(buf, 0, &v);
	if (!err)
		*out = v;
	return err;
}

int rkm_kstrtobool(const char *s, size_t len, bool *out)
{
	char buf[RKM_KSTR_MAX];
	int err = rkm_kstr_copy(buf, s, len);

	return err ? err : kstrtobool(buf, out);
}
