// SPDX-License-Identifier: GPL-2.0
/*
 * c_scull: the C twin of rust_scull (scull.h), with the kernel's C API: a
 * platform driver whose probe creates a char-device region of four buffer
 * devices, /dev/c_scull0..3, a platform device the module creates, and the
 * misc control device /dev/c_scull_ctl with the sysfs attribute cap.
 */
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/rwsem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "scull.h"

#define NAME "c_scull"

static DEFINE_MUTEX(cap_lock);
static size_t cap = SCULL_DEFAULT_CAP;

struct scull_dev;

struct scull_buf {
	struct scull_dev *dev;
	struct mutex lock;
	u8 *data;
	size_t len;
};

/*
 * One binding's state: referenced by the binding and by each open file;
 * @gate and @live make files opened before an unbind fail with ENODEV.
 */
struct scull_dev {
	struct kref ref;
	struct rw_semaphore gate;
	bool live;
	dev_t base;
	struct cdev *cdev;
	struct class *class;
	struct scull_buf bufs[SCULL_MINORS];
};

/* The bound device, for open (under open_lock). */
static DEFINE_MUTEX(open_lock);
static struct scull_dev *bound;

static void scull_release_dev(struct kref *ref)
{
	struct scull_dev *d = container_of(ref, struct scull_dev, ref);
	int i;

	for (i = 0; i < SCULL_MINORS; i++)
		kfree(d->bufs[i].data);
	kfree(d);
}

static int scull_open(struct inode *inode, struct file *file)
{
	int err = -ENODEV;

	mutex_lock(&open_lock);
	if (bound && MAJOR(inode->i_rdev) == MAJOR(bound->base) &&
	    MINOR(inode->i_rdev) - MINOR(bound->base) < SCULL_MINORS) {
		kref_get(&bound->ref);
		file->private_data = &bound->bufs[MINOR(inode->i_rdev) - MINOR(bound->base)];
		err = 0;
	}
	mutex_unlock(&open_lock);
	return err;
}

static int scull_release(struct inode *inode, struct file *file)
{
	struct scull_buf *b = file->private_data;

	kref_put(&b->dev->ref, scull_release_dev);
	return 0;
}

/* Enters the device (and locks the buffer): false if it is unbound. */
static bool scull_enter(struct scull_buf *b)
{
	down_read(&b->dev->gate);
	if (!b->dev->live) {
		up_read(&b->dev->gate);
		return false;
	}
	mutex_lock(&b->lock);
	return true;
}

static void scull_leave(struct scull_buf *b)
{
	mutex_unlock(&b->lock);
	up_read(&b->dev->gate);
}

static ssize_t scull_read(struct file *file, char __user *buf, size_t n, loff_t *pos)
{
	struct scull_buf *b = file->private_data;
	ssize_t ret = 0;
	size_t k, left;

	if (!scull_enter(b))
		return -ENODEV;
	if (n && *pos >= 0 && *pos < b->len) {
		k = min_t(size_t, n, b->len - *pos);
		left = copy_to_user(buf, b->data + *pos, k);
		ret = k - left ? (ssize_t)(k - left) : -EFAULT;
		if (ret > 0)
			*pos += ret;
	}
	scull_leave(b);
	return ret;
}

static ssize_t scull_write(struct file *file, const char __user *buf, size_t n, loff_t *pos)
{
	struct scull_buf *b = file->private_data;
	size_t c, k, left, end;
	ssize_t ret;
	u8 *chunk;

	mutex_lock(&cap_lock);
	c = cap;
	mutex_unlock(&cap_lock);
	if (!scull_enter(b))
		return -ENODEV;
	ret = 0;
	if (!n)
		goto out;
	ret = -EINVAL;
	if (*pos < 0)
		goto out;
	ret = -ENOSPC;
	if (*pos >= c)
		goto out;
	k = min_t(size_t, n, c - *pos);
	ret = -ENOMEM;
	chunk = kmalloc(k, GFP_KERNEL);
	if (!chunk)
		goto out;
	left = copy_from_user(chunk, buf, k);
	ret = -EFAULT;
	if (left == k)
		goto free;
	k -= left;
	end = *pos + k;
	if (b->len < end) {
		u8 *data = krealloc(b->data, end, GFP_KERNEL);

		ret = -ENOMEM;
		if (!data)
			goto free;
		memset(data + b->len, 0, end - b->len);
		b->data = data;
		b->len = end;
	}
	memcpy(b->data + *pos, chunk, k);
	*pos += k;
	ret = k;
free:
	kfree(chunk);
out:
	scull_leave(b);
	return ret;
}

static long scull_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct scull_buf *b = file->private_data;
	long ret;

	if (!scull_enter(b))
		return -ENODEV;
	switch (cmd) {
	case SCULL_IOC_LEN:
		ret = b->len;
		break;
	case SCULL_IOC_CLEAR:
		kfree(b->data);
		b->data = NULL;
		b->len = 0;
		ret = 0;
		break;
	default:
		ret = -ENOTTY;
	}
	scull_leave(b);
	return ret;
}

static const struct file_operations scull_fops = {
	.owner = THIS_MODULE,
	.open = scull_open,
	.release = scull_release,
	.read = scull_read,
	.write = scull_write,
	.unlocked_ioctl = scull_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
static char *scull_devnode(const struct device *dev, umode_t *mode)
#else
static char *scull_devnode(struct device *dev, umode_t *mode)
#endif
{
	if (mode)
		*mode = 0666;
	return NULL;
}

static void scull_teardown(struct scull_dev *d, int nodes)
{
	int i;

	for (i = 0; i < nodes; i++)
		device_destroy(d->class, d->base + i);
	if (d->cdev)
		cdev_del(d->cdev);
	if (!IS_ERR_OR_NULL(d->class))
		class_destroy(d->class);
	if (d->base)
		unregister_chrdev_region(d->base, SCULL_MINORS);
}

static int scull_probe(struct platform_device *pdev)
{
	struct scull_dev *d = kzalloc(sizeof(*d), GFP_KERNEL);
	int err, i = 0;

	if (!d)
		return -ENOMEM;
	kref_init(&d->ref);
	init_rwsem(&d->gate);
	for (i = 0; i < SCULL_MINORS; i++) {
		d->bufs[i].dev = d;
		mutex_init(&d->bufs[i].lock);
	}
	i = 0;
	err = alloc_chrdev_region(&d->base, 0, SCULL_MINORS, NAME);
	if (err) {
		d->base = 0;
		goto free;
	}
	err = -ENOMEM;
	d->cdev = cdev_alloc();
	if (!d->cdev)
		goto undo;
	d->cdev->owner = THIS_MODULE;
	d->cdev->ops = &scull_fops;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
	d->class = class_create(NAME);
#else
	d->class = class_create(THIS_MODULE, NAME);
#endif
	err = PTR_ERR_OR_ZERO(d->class);
	if (err)
		goto undo;
	d->class->devnode = scull_devnode;
	d->live = true;
	mutex_lock(&open_lock);
	bound = d;
	mutex_unlock(&open_lock);
	err = cdev_add(d->cdev, d->base, SCULL_MINORS);
	if (err) {
		kobject_put(&d->cdev->kobj);
		d->cdev = NULL;
		goto undo;
	}
	for (i = 0; i < SCULL_MINORS; i++) {
		struct device *dev = device_create(d->class, NULL, d->base + i, NULL, NAME "%d", i);

		err = PTR_ERR_OR_ZERO(dev);
		if (err)
			goto undo;
	}
	platform_set_drvdata(pdev, d);
	dev_info(&pdev->dev, "%d minors\n", SCULL_MINORS);
	return 0;
undo:
	mutex_lock(&open_lock);
	bound = NULL;
	mutex_unlock(&open_lock);
	scull_teardown(d, i);
free:
	kref_put(&d->ref, scull_release_dev);
	return err;
}

static void scull_unbind(struct platform_device *pdev)
{
	struct scull_dev *d = platform_get_drvdata(pdev);

	down_write(&d->gate);
	d->live = false;
	up_write(&d->gate);
	mutex_lock(&open_lock);
	bound = NULL;
	mutex_unlock(&open_lock);
	scull_teardown(d, SCULL_MINORS);
	kref_put(&d->ref, scull_release_dev);
}

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
static void scull_remove(struct platform_device *pdev)
{
	scull_unbind(pdev);
}
#else
static int scull_remove(struct platform_device *pdev)
{
	scull_unbind(pdev);
	return 0;
}
#endif

static struct platform_driver scull_driver = {
	.driver.name = NAME,
	.probe = scull_probe,
	.remove = scull_remove,
};

static ssize_t cap_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	size_t c;

	mutex_lock(&cap_lock);
	c = cap;
	mutex_unlock(&cap_lock);
	return sysfs_emit(buf, "%zu\n", c);
}

static ssize_t cap_store(struct device *dev, struct device_attribute *attr, const char *buf,
			 size_t count)
{
	unsigned long v;
	size_t n = count;
	char tmp[24];
	int i;

	if (n && buf[n - 1] == '\n')
		n--;
	if (!n || n >= sizeof(tmp))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (buf[i] < '0' || buf[i] > '9')
			return -EINVAL;
	memcpy(tmp, buf, n);
	tmp[n] = '\0';
	if (kstrtoul(tmp, 10, &v) || !v || v > SCULL_MAX_CAP)
		return -EINVAL;
	mutex_lock(&cap_lock);
	cap = v;
	mutex_unlock(&cap_lock);
	return count;
}
static DEVICE_ATTR_RW(cap);

static struct attribute *ctl_attrs[] = { &dev_attr_cap.attr, NULL };
ATTRIBUTE_GROUPS(ctl);

static int ctl_open(struct inode *inode, struct file *file)
{
	return 0;
}

static const struct file_operations ctl_fops = {
	.owner = THIS_MODULE,
	.open = ctl_open,
};

static struct miscdevice ctl_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = NAME "_ctl",
	.fops = &ctl_fops,
	.mode = 0666,
	.groups = ctl_groups,
};

static struct platform_device *scull_pdev;

static int __init scull_init(void)
{
	int err = misc_register(&ctl_misc);

	if (err)
		return err;
	err = platform_driver_register(&scull_driver);
	if (err)
		goto misc;
	scull_pdev = platform_device_register_simple(NAME, 0, NULL, 0);
	err = PTR_ERR_OR_ZERO(scull_pdev);
	if (err)
		goto drv;
	return 0;
drv:
	platform_driver_unregister(&scull_driver);
misc:
	misc_deregister(&ctl_misc);
	return err;
}

static void __exit scull_exit(void)
{
	platform_device_unregister(scull_pdev);
	platform_driver_unregister(&scull_driver);
	misc_deregister(&ctl_misc);
}

module_init(scull_init);
module_exit(scull_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_scull");
