// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: debugfs directories and files for the crate's debugfs module.
 *
 * A file's inode data is a Rust struct rkm_debugfs_entry (its first field
 * the callback table), valid until its directory is removed. debugfs wraps
 * these file operations in its proxy, which counts the callers inside each
 * file: debugfs_remove() waits for them, and callers on files still open
 * afterwards get -EIO without reaching the callbacks (6.1 and 6.12 alike).
 * The proxy takes a reference to this module for every open file (.owner),
 * so the module cannot be unloaded while one is open. Directories are
 * listed until removed; a leaked one is removed at module exit.
 */
#ifdef RKM_GLUE_DEBUGFS
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "rkm_abi.h"

/**
 * struct rkm_debugfs_dir - a debugfs directory
 * @dentry: the directory
 * @node: in rkm_debugfs_dirs until removed
 */
struct rkm_debugfs_dir {
	struct dentry *dentry;
	struct list_head node;
};

static LIST_HEAD(rkm_debugfs_dirs);

/* debugfs names: not empty, no '/', not "." or "..", at most RKM_NAME_MAX bytes. */
static char *rkm_debugfs_name(const char *name, size_t len, int *err)
{
	char *s;

	*err = -EINVAL;
	if (!len || len > RKM_NAME_MAX || memchr(name, '/', len) || memchr(name, '\0', len) ||
	    (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return NULL;
	*err = -ENOMEM;
	if (rkm_fail_injected())
		return NULL;
	s = kmemdup_nul(name, len, GFP_KERNEL);
	if (s)
		*err = 0;
	return s;
}

struct rkm_debugfs_dir *rkm_debugfs_dir_new(const char *name, size_t name_len, int *err)
{
	struct rkm_debugfs_dir *d;
	struct dentry *dentry;
	char *s = rkm_debugfs_name(name, name_len, err);

	if (!s)
		return NULL;
	*err = -ENOMEM;
	d = rkm_kzalloc(sizeof(*d));
	if (!d)
		goto out;
	dentry = debugfs_create_dir(s, NULL);
	if (IS_ERR_OR_NULL(dentry)) {
		*err = dentry ? PTR_ERR(dentry) : -ENODEV;
		kfree(d);
		d = NULL;
		goto out;
	}
	d->dentry = dentry;
	if (!rkm_svc_list_add(&d->node, &rkm_debugfs_dirs)) {
		debugfs_remove(dentry);
		kfree(d);
		d = NULL;
		*err = -ENODEV;
		goto out;
	}
	*err = 0;
out:
	kfree(s);
	return d;
}

void rkm_debugfs_dir_remove(struct rkm_debugfs_dir *d)
{
	rkm_svc_list_del(&d->node);
	/* Recursive; waits for the callers inside its files. */
	debugfs_remove(d->dentry);
	kfree(d);
}

static struct rkm_debugfs_entry *rkm_debugfs_entry(struct file *file)
{
	return file->private_data;
}

static ssize_t rkm_debugfs_read(struct file *file, char __user *buf, size_t len, loff_t *ppos)
{
	struct rkm_debugfs_entry *e = rkm_debugfs_entry(file);
	int64_t pos = *ppos;
	long r = e->ops->read(e, (uintptr_t)buf, len, &pos);

	if (r >= 0)
		*ppos = pos;
	return r;
}

static ssize_t rkm_debugfs_write(struct file *file, const char __user *buf, size_t len,
				 loff_t *ppos)
{
	struct rkm_debugfs_entry *e = rkm_debugfs_entry(file);
	int64_t pos = *ppos;
	long r = e->ops->write(e, (uintptr_t)buf, len, &pos);

	if (r >= 0)
		*ppos = pos;
	return r;
}

/*
 * As rkm_fop_open(): no open before the module's init succeeded. A failed
 * init frees the module at once, while the proxy of an open file would
 * still put the module's reference and read these fops at close.
 */
static int rkm_debugfs_open(struct inode *inode, struct file *file)
{
	if (!smp_load_acquire(&rkm_module_live))
		return -ENODEV;
	return simple_open(inode, file);
}

static const struct file_operations rkm_debugfs_ro_fops = {
	.owner = THIS_MODULE,
	.open = rkm_debugfs_open,
	.read = rkm_debugfs_read,
	.llseek = default_llseek,
};

static const struct file_operations rkm_debugfs_rw_fops = {
	.owner = THIS_MODULE,
	.open = rkm_debugfs_open,
	.read = rkm_debugfs_read,
	.write = rkm_debugfs_write,
	.llseek = default_llseek,
};

int rkm_debugfs_file_new(struct rkm_debugfs_dir *d, const char *name, size_t name_len,
			 uint16_t mode, struct rkm_debugfs_entry *entry)
{
	struct dentry *dentry;
	int err;
	char *s;

	/* Write bits need a write callback; no execute, setuid or type bits. */
	if ((mode & ~0666) || (!entry->ops->write && (mode & 0222)) || !entry->ops->read)
		return -EINVAL;
	s = rkm_debugfs_name(name, name_len, &err);
	if (!s)
		return err;
	dentry = debugfs_create_file(s, S_IFREG | mode, d->dentry, entry,
				     entry->ops->write ? &rkm_debugfs_rw_fops : &rkm_debugfs_ro_fops);
	kfree(s);
	if (IS_ERR_OR_NULL(dentry))
		return dentry ? PTR_ERR(dentry) : -ENODEV;
	return 0;
}

/* At module exit: remove the directories a driver leaked. */
static void rkm_debugfs_free(void)
{
	struct rkm_debugfs_dir *d, *tmp;

	list_for_each_entry_safe(d, tmp, &rkm_debugfs_dirs, node) {
		pr_warn(KBUILD_MODNAME ": debugfs directory leaked by the driver, removed at unload\n");
		rkm_debugfs_dir_remove(d);
	}
}
#else
static void rkm_debugfs_free(void)
{
}
#endif /* RKM_GLUE_DEBUGFS */
