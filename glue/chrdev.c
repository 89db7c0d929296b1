// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: char-device regions whose file operations are implemented in
 * Rust, with file.c's trampolines: alloc_chrdev_region() for N minors, one
 * cdev, a class and a device node per minor (devtmpfs makes /dev/NAMEi).
 */
#ifdef RKM_GLUE_CHRDEV
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/version.h>

#include "rkm_abi.h"

#define RKM_CHRDEV_MAX 64

/**
 * struct rkm_chrdev - a char-device region
 * @md: its file operations and callbacks (md.fops, md.ops; md.misc unused):
 *      file.c's trampolines find them from the open file's f_op
 * @lock: serializes opens with unregistration
 * @live: opens reach @md.ops->open (under @lock)
 * @registered: not yet unregistered (its owner may leak it)
 * @name: the name of the class and the node prefix
 * @base: the first device number
 * @count: the number of minors
 * @mode: the nodes' mode
 * @cdev: the cdev (cdev_alloc(): freed by its last reference)
 * @class: the class of the nodes
 * @devs: what @md.ops->open gets, per minor
 * @node: in rkm_chrdevs until module exit
 *
 * Open files point at @md.fops, and __fput() reads fops->owner after
 * release: so, as misc devices, the struct is freed only at module exit,
 * when no file of this module can be open (.owner).
 */
struct rkm_chrdev {
	struct rkm_miscdev md;
	struct mutex lock;
	bool live;
	bool registered;
	char *name;
	dev_t base;
	unsigned int count;
	umode_t mode;
	struct cdev *cdev;
	struct class *class;
	const void **devs;
	struct list_head node;
};

static LIST_HEAD(rkm_chrdevs);
static DEFINE_MUTEX(rkm_chrdevs_lock);

static int rkm_chrdev_open(struct inode *inode, struct file *file)
{
	/* chrdev_open() installed the cdev's fops, ours. */
	struct rkm_chrdev *cd = container_of(file->f_op, struct rkm_chrdev, md.fops);
	unsigned int idx = MINOR(inode->i_rdev) - MINOR(cd->base);
	void *state = NULL;
	int err;

	/* As rkm_fop_open(): no open before the module's init succeeded. */
	if (!smp_load_acquire(&rkm_module_live))
		return -ENODEV;
	mutex_lock(&cd->lock);
	if (!cd->live || MAJOR(inode->i_rdev) != MAJOR(cd->base) || idx >= cd->count)
		err = -ENODEV;
	else
		err = cd->md.ops->open(cd->devs[idx], rkm_file(file), &state);
	mutex_unlock(&cd->lock);
	if (err)
		return err;
	file->private_data = state;
	return 0;
}

/* The nodes' mode, for devtmpfs; the device's drvdata is its region. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *rkm_chrdev_devnode(const struct device *dev, umode_t *mode)
#else
static char *rkm_chrdev_devnode(struct device *dev, umode_t *mode)
#endif
{
	struct rkm_chrdev *cd = dev_get_drvdata(dev);

	if (mode && cd)
		*mode = cd->mode;
	return NULL;
}

/* Undoes a registration from the device nodes on (@n nodes were made). */
static void rkm_chrdev_teardown(struct rkm_chrdev *cd, unsigned int n)
{
	unsigned int i;

	mutex_lock(&cd->lock);
	cd->live = false;
	mutex_unlock(&cd->lock);
	for (i = 0; i < n; i++)
		device_destroy(cd->class, cd->base + i);
	if (cd->cdev)
		cdev_del(cd->cdev);
	if (!IS_ERR_OR_NULL(cd->class))
		class_destroy(cd->class);
	if (cd->base)
		unregister_chrdev_region(cd->base, cd->count);
	cd->registered = false;
}

static void rkm_chrdev_free(struct rkm_chrdev *cd)
{
	kfree(cd->devs);
	kfree(cd->name);
	kfree(cd);
}

struct rkm_chrdev *rkm_chrdev_register(const char *name, size_t name_len, uint32_t count,
				       uint16_t mode, const struct rkm_file_ops *ops,
				       const void *const *devs, int *err)
{
	struct rkm_chrdev *cd;
	unsigned int i = 0;

	*err = -EINVAL;
	if (!ops->open || !ops->release || !rkm_sysfs_name_ok(name, name_len) || name_len >= 32 ||
	    !count || count > RKM_CHRDEV_MAX || (mode & ~0777))
		return NULL;
	*err = -ENOMEM;
	cd = rkm_kzalloc(sizeof(*cd));
	if (!cd)
		return NULL;
	mutex_init(&cd->lock);
	cd->name = kmemdup_nul(name, name_len, GFP_KERNEL);
	cd->devs = kmemdup(devs, count * sizeof(*devs), GFP_KERNEL);
	if (!cd->name || !cd->devs)
		goto free;
	cd->count = count;
	cd->mode = mode;
	rkm_fops_init(&cd->md, ops);
	cd->md.fops.open = rkm_chrdev_open;

	mutex_lock(&rkm_chrdevs_lock);
	*err = -EEXIST;
	if (rkm_sysfs_taken("/sys/class/%s", cd->name))
		goto unlock;
	*err = alloc_chrdev_region(&cd->base, 0, count, cd->name);
	if (*err) {
		cd->base = 0;
		goto unlock;
	}
	cd->registered = true;
	*err = -ENOMEM;
	cd->cdev = cdev_alloc();
	if (!cd->cdev)
		goto undo;
	cd->cdev->owner = THIS_MODULE;
	cd->cdev->ops = &cd->md.fops;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	cd->class = class_create(cd->name);
#else
	cd->class = class_create(THIS_MODULE, cd->name);
#endif
	*err = PTR_ERR_OR_ZERO(cd->class);
	if (*err)
		goto undo;
	cd->class->devnode = rkm_chrdev_devnode;
	/* Live before the nodes appear: opens wait for module init anyway. */
	cd->live = true;
	*err = cdev_add(cd->cdev, cd->base, count);
	if (*err) {
		/* Never added: cdev_del() is only for added cdevs. */
		kobject_put(&cd->cdev->kobj);
		cd->cdev = NULL;
		goto undo;
	}
	for (i = 0; i < count; i++) {
		struct device *dev = device_create(cd->class, NULL, cd->base + i, cd, "%s%u",
						   cd->name, i);

		*err = PTR_ERR_OR_ZERO(dev);
		if (*err)
			goto undo;
	}
	list_add(&cd->node, &rkm_chrdevs);
	mutex_unlock(&rkm_chrdevs_lock);
	return cd;
undo:
	rkm_chrdev_teardown(cd, i);
unlock:
	mutex_unlock(&rkm_chrdevs_lock);
free:
	rkm_chrdev_free(cd);
	return NULL;
}

void rkm_chrdev_unregister(struct rkm_chrdev *cd)
{
	rkm_chrdev_teardown(cd, cd->count);
}

/*
 * At module exit after the driver's exit, and after a failed init: no file
 * of this module can be open. Regions whose owner leaked are torn down.
 */
static void rkm_chrdevs_free(void)
{
	struct rkm_chrdev *cd, *tmp;

	list_for_each_entry_safe(cd, tmp, &rkm_chrdevs, node) {
		if (cd->registered) {
			pr_warn(KBUILD_MODNAME ": char device region %s leaked by the driver, removed at unload\n",
				cd->name);
			rkm_chrdev_teardown(cd, cd->count);
		}
		list_del(&cd->node);
		rkm_chrdev_free(cd);
	}
}
#else
static void rkm_chrdevs_free(void)
{
}
#endif /* RKM_GLUE_CHRDEV */
