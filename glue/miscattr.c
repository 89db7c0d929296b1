// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: sysfs attributes of a misc device (miscdevice.groups), whose
 * show and store are Rust functions of the device data. Names and modes are
 * checked as a driver's (device.c).
 */
#ifdef RKM_GLUE_MISC
#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "rkm_abi.h"

/** struct rkm_misc_attr - one attribute: @idx is its index for Rust */
struct rkm_misc_attr {
	struct device_attribute da;
	const struct rkm_misc_attr_ops *ops;
	unsigned int idx;
};

/**
 * struct rkm_misc_attrs - a misc device's attributes, freed with the device
 * (module exit: misc_deregister() removed the files before)
 */
struct rkm_misc_attrs {
	struct rkm_misc_attr *attrs;
	size_t nattrs;
	struct attribute **attr_list;
	struct attribute_group group;
	const struct attribute_group *groups[2];
};

/* The device's drvdata is its miscdevice (misc_register()), ours. */
static const void *rkm_misc_attr_dev(struct device *dev)
{
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct rkm_miscdev, misc)->dev;
}

static ssize_t rkm_misc_attr_show(struct device *dev, struct device_attribute *da, char *buf)
{
	struct rkm_misc_attr *a = container_of(da, struct rkm_misc_attr, da);

	return a->ops->show(rkm_misc_attr_dev(dev), a->idx, buf, PAGE_SIZE);
}

static ssize_t rkm_misc_attr_store(struct device *dev, struct device_attribute *da,
				   const char *buf, size_t count)
{
	struct rkm_misc_attr *a = container_of(da, struct rkm_misc_attr, da);
	int err = a->ops->store(rkm_misc_attr_dev(dev), a->idx, buf, count);

	return err ? err : count;
}

static const struct attribute_group **rkm_misc_attrs_groups(struct rkm_misc_attrs *a)
{
	return a ? a->groups : NULL;
}

static void rkm_misc_attrs_free(struct rkm_misc_attrs *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nattrs; i++)
		kfree(a->attrs[i].da.attr.name);
	kfree(a->attrs);
	kfree(a->attr_list);
	kfree(a);
}

/* The files every misc device has already (its class device's). */
static bool rkm_misc_attr_reserved(const struct rkm_attr *src)
{
	static const char *const names[] = { "dev", "uevent", "power", "subsystem" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (src->name_len == strlen(names[i]) && !memcmp(src->name, names[i], src->name_len))
			return true;
	return false;
}

static struct rkm_misc_attrs *rkm_misc_attrs_new(const struct rkm_attr *attrs, size_t nattrs,
						 const struct rkm_misc_attr_ops *ops, int *err)
{
	struct rkm_misc_attrs *a;
	size_t i;

	*err = -EINVAL;
	if (!nattrs || nattrs > 64 || !ops->show || !ops->store)
		return NULL;
	for (i = 0; i < nattrs; i++)
		if (!rkm_attr_name_ok(attrs, i) || !rkm_attr_mode_ok(attrs[i].mode) ||
		    rkm_misc_attr_reserved(&attrs[i]))
			return NULL;
	*err = -ENOMEM;
	a = rkm_kzalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->attrs = kcalloc(nattrs, sizeof(*a->attrs), GFP_KERNEL);
	a->attr_list = kcalloc(nattrs + 1, sizeof(*a->attr_list), GFP_KERNEL);
	if (!a->attrs || !a->attr_list)
		goto free;
	for (i = 0; i < nattrs; i++) {
		struct rkm_misc_attr *m = &a->attrs[i];

		m->da.attr.name = kmemdup_nul(attrs[i].name, attrs[i].name_len, GFP_KERNEL);
		if (!m->da.attr.name)
			goto free;
		a->nattrs = i + 1;
		sysfs_attr_init(&m->da.attr);
		m->da.attr.mode = attrs[i].mode;
		if (attrs[i].mode & 0444)
			m->da.show = rkm_misc_attr_show;
		if (attrs[i].mode & 0222)
			m->da.store = rkm_misc_attr_store;
		m->ops = ops;
		m->idx = i;
		a->attr_list[i] = &m->da.attr;
	}
	a->group.attrs = a->attr_list;
	a->groups[0] = &a->group;
	return a;
free:
	rkm_misc_attrs_free(a);
	return NULL;
}

struct rkm_miscdev *rkm_miscdev_register_attrs(const char *name, size_t name_len, uint16_t mode,
					       const struct rkm_file_ops *ops, const void *dev,
					       const struct rkm_attr *attrs, size_t nattrs,
					       const struct rkm_misc_attr_ops *attr_ops, int *err)
{
	struct rkm_misc_attrs *a = rkm_misc_attrs_new(attrs, nattrs, attr_ops, err);

	if (!a)
		return NULL;
	return rkm_miscdev_new(name, name_len, mode, ops, dev, a, err);
}
#endif /* RKM_GLUE_MISC */
