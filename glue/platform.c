// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: the platform bus on the device core (device.c): drivers matched
 * by name, probe and remove through the generic binding; and platform
 * devices a module creates itself (QEMU gives none), owned by a Rust value.
 */
#ifdef RKM_GLUE_PLATFORM
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "rkm_abi.h"

/**
 * struct rkm_platform_driver - a registered platform driver
 * @core: what every bus's driver has (name, attributes, callbacks)
 * @pdrv: the kernel's driver; its name and groups point into @core
 */
struct rkm_platform_driver {
	struct rkm_driver core;
	struct platform_driver pdrv;
};

/*
 * Nothing to quiesce or undo: rkm gives platform drivers no bus resources
 * yet (no MMIO, no interrupt), so no rkm code can have given the device a
 * DMA address. (Platform devices get 32-bit DMA masks by default.)
 */
static void rkm_platform_nop(struct rkm_binding *b)
{
}

static const struct rkm_bus_hooks rkm_platform_hooks = {
	.quiesce = rkm_platform_nop,
	.undo = rkm_platform_nop,
};

static int rkm_platform_probe(struct platform_device *pdev)
{
	struct rkm_platform_driver *d = container_of(to_platform_driver(pdev->dev.driver),
						     struct rkm_platform_driver, pdrv);

	return rkm_binding_probe(&pdev->dev, &d->core, &rkm_platform_hooks);
}

/* .remove returns void from 6.11 on. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void rkm_platform_remove(struct platform_device *pdev)
{
	rkm_binding_unbind(&pdev->dev);
}
#else
static int rkm_platform_remove(struct platform_device *pdev)
{
	rkm_binding_unbind(&pdev->dev);
	return 0;
}
#endif

static void rkm_platform_driver_free(struct rkm_platform_driver *d)
{
	rkm_driver_destroy(&d->core);
	kfree(d);
}

static void rkm_platform_driver_unregister(struct rkm_driver *core)
{
	struct rkm_platform_driver *d = container_of(core, struct rkm_platform_driver, core);

	platform_driver_unregister(&d->pdrv);
	rkm_driver_listed(&d->core, false);
	rkm_platform_driver_free(d);
}

struct rkm_platform_driver *rkm_platform_register(const struct rkm_driver_desc *desc, int *err)
{
	struct rkm_platform_driver *d;

	*err = -ENOMEM;
	d = rkm_kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	*err = rkm_driver_init(&d->core, desc);
	if (*err)
		goto free;
	*err = -EINVAL;
	if (!rkm_sysfs_name_ok(d->core.name, strlen(d->core.name)) ||
	    strlen(d->core.name) != desc->name_len)
		goto free;
	*err = -EEXIST;
	if (rkm_sysfs_taken("/sys/bus/platform/drivers/%s", d->core.name))
		goto free;
	d->pdrv.driver.name = d->core.name;
	d->pdrv.driver.dev_groups = d->core.nattrs ? d->core.groups : NULL;
	d->pdrv.probe = rkm_platform_probe;
	d->pdrv.remove = rkm_platform_remove;
	d->core.unregister = rkm_platform_driver_unregister;
	rkm_driver_listed(&d->core, true);
	*err = platform_driver_register(&d->pdrv);
	if (*err) {
		rkm_driver_listed(&d->core, false);
		goto free;
	}
	return d;
free:
	rkm_platform_driver_free(d);
	return NULL;
}

void rkm_platform_unregister(struct rkm_platform_driver *d)
{
	rkm_driver_unregister(&d->core);
}

/**
 * struct rkm_platform_device - a platform device owned by a Rust value
 * @pdev: the registered device
 * @node: in rkm_platform_devices while registered
 */
struct rkm_platform_device {
	struct platform_device *pdev;
	struct list_head node;
};

static LIST_HEAD(rkm_platform_devices);
static DEFINE_MUTEX(rkm_platform_devices_lock);

struct rkm_platform_device *rkm_platform_device_new(const char *name, size_t name_len,
						    uint32_t id, int *err)
{
	struct rkm_platform_device *p;
	struct platform_device *pdev;
	char *kname;

	*err = -EINVAL;
	if (!rkm_sysfs_name_ok(name, name_len) || name_len >= 32 || id > INT_MAX)
		return NULL;
	*err = -ENOMEM;
	p = rkm_kzalloc(sizeof(*p));
	kname = p ? kmemdup_nul(name, name_len, GFP_KERNEL) : NULL;
	if (!kname)
		goto free;
	/*
	 * Not under a lock: a probe may register (child) devices. Two
	 * registrations of one name racing get the kernel's own -EEXIST.
	 */
	{
		char *full = kasprintf(GFP_KERNEL, "%s.%u", kname, id);

		*err = -ENOMEM;
		if (full) {
			*err = rkm_sysfs_taken("/sys/bus/platform/devices/%s", full) ? -EEXIST : 0;
			kfree(full);
		}
	}
	if (!*err) {
		/* The kernel copies the name; the device's release is the kernel's. */
		pdev = platform_device_register_simple(kname, id, NULL, 0);
		*err = PTR_ERR_OR_ZERO(pdev);
	}
	if (!*err) {
		p->pdev = pdev;
		mutex_lock(&rkm_platform_devices_lock);
		list_add(&p->node, &rkm_platform_devices);
		mutex_unlock(&rkm_platform_devices_lock);
	}
	kfree(kname);
	if (*err)
		goto free;
	return p;
free:
	kfree(p);
	return NULL;
}

void rkm_platform_device_free(struct rkm_platform_device *p)
{
	mutex_lock(&rkm_platform_devices_lock);
	list_del(&p->node);
	mutex_unlock(&rkm_platform_devices_lock);
	platform_device_unregister(p->pdev);
	kfree(p);
}

/* At module exit or after a failed init: devices whose Rust owner leaked. */
static void rkm_platform_devices_free(void)
{
	struct rkm_platform_device *p;

	/* After rkm_drivers_free(): no driver of this module binds them now. */
	for (;;) {
		mutex_lock(&rkm_platform_devices_lock);
		p = list_first_entry_or_null(&rkm_platform_devices, struct rkm_platform_device,
					     node);
		if (p)
			list_del(&p->node);
		mutex_unlock(&rkm_platform_devices_lock);
		if (!p)
			break;
		pr_warn(KBUILD_MODNAME ": platform device %s leaked by the driver, unregistered at unload\n",
			dev_name(&p->pdev->dev));
		platform_device_unregister(p->pdev);
		kfree(p);
	}
}
#else
static void rkm_platform_devices_free(void)
{
}
#endif /* RKM_GLUE_PLATFORM */
