// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: misc devices whose file operations are implemented in Rust, user
 * memory access and capability checks.
 */
#ifdef RKM_GLUE_MISC
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/version.h>

#include "rkm_abi.h"

/*
 * read, write and ioctl are installed as Rust functions whose C types name
 * struct file struct rkm_file: fine for the x86-64 calling convention, but a
 * clang kCFI kernel checks the exact type on every indirect call.
 */
static_assert(!IS_ENABLED(CONFIG_CFI_CLANG), "rkm: kCFI kernels are not supported yet");

struct rkm_miscdev {
	struct miscdevice misc;
	struct file_operations fops;
	const struct rkm_file_ops *ops;
	const void *dev;
	bool registered;
	struct list_head node;	/* in rkm_miscdevs until module exit */
	struct rkm_misc_attrs *attrs;	/* its sysfs attributes (miscattr.c), or NULL */
};

/* Sysfs attributes of a misc device (miscattr.c). */
struct rkm_misc_attrs;
static const struct attribute_group **rkm_misc_attrs_groups(struct rkm_misc_attrs *a);
static void rkm_misc_attrs_free(struct rkm_misc_attrs *a);

/*
 * An open file points at its device's fops, and a driver may drop its
 * registration while files are still open: so a struct rkm_miscdev is freed
 * only at module exit, when no file of this module can be open (.owner).
 */
static LIST_HEAD(rkm_miscdevs);
static DEFINE_MUTEX(rkm_miscdevs_lock);

static struct rkm_miscdev *rkm_file_dev(struct file *file)
{
	return container_of(file->f_op, struct rkm_miscdev, fops);
}

/*
 * A struct rkm_file is the kernel's struct file itself (read, write and
 * ioctl get it from the VFS), and a struct rkm_poll_table its poll_table:
 * converted here only.
 */
static struct file *rkm_kfile(struct rkm_file *file)
{
	return (struct file *)file;
}

static struct rkm_file *rkm_file(struct file *file)
{
	return (struct rkm_file *)file;
}

static struct poll_table_struct *rkm_kpoll_table(struct rkm_poll_table *table)
{
	return (struct poll_table_struct *)table;
}

RKM_LEAF void *rkm_file_state(struct rkm_file *file)
{
	return rkm_kfile(file)->private_data;
}

RKM_LEAF u32 rkm_file_flags(struct rkm_file *file)
{
	unsigned int f = rkm_kfile(file)->f_flags;

	return (f & O_NONBLOCK ? RKM_O_NONBLOCK : 0) | (f & O_APPEND ? RKM_O_APPEND : 0);
}

RKM_LEAF s64 rkm_file_pos(struct rkm_file *file)
{
	return rkm_kfile(file)->f_pos;
}

static int rkm_fop_open(struct inode *inode, struct file *file)
{
	/* misc_open() set private_data to our miscdevice, under misc_mtx. */
	struct rkm_miscdev *md = container_of(file->private_data, struct rkm_miscdev, misc);
	void *state = NULL;
	int err;

	if (!smp_load_acquire(&rkm_module_live))
		return -ENODEV;
	/*
	 * Under misc_mtx (misc_open()): the callback may sleep, but every other
	 * misc open and (de)registration of the system waits for it.
	 */
	err = md->ops->open(md->dev, rkm_file(file), &state);
	if (err)
		return err;
	file->private_data = state;
	return 0;
}

static int rkm_fop_release(struct inode *inode, struct file *file)
{
	rkm_file_dev(file)->ops->release(file->private_data);
	return 0;
}

static loff_t rkm_fop_llseek(struct file *file, loff_t off, int whence)
{
	s64 pos;

	/*
	 * Every whence goes to the driver, as to a C driver's .llseek: the VFS
	 * has refused those above SEEK_MAX for lseek(2), and the driver answers
	 * the rest (EINVAL for what it does not support, ENODEV once unbound...).
	 * The SEEK_* values are UAPI, equal to RKM_SEEK_*.
	 */
	static_assert(SEEK_SET == RKM_SEEK_SET && SEEK_CUR == RKM_SEEK_CUR &&
		      SEEK_END == RKM_SEEK_END && SEEK_DATA == RKM_SEEK_DATA &&
		      SEEK_HOLE == RKM_SEEK_HOLE);
	pos = rkm_file_dev(file)->ops->llseek(file->private_data, rkm_file(file), file->f_pos, off,
					      whence);
	if (pos >= 0)
		file->f_pos = pos;
	return pos;
}

#ifdef CONFIG_COMPAT
static long rkm_fop_compat_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return rkm_file_dev(file)->ops->ioctl(rkm_file(file), cmd, (unsigned long)compat_ptr(arg));
}
#endif

static_assert(RKM_POLLIN == (__force u32)EPOLLIN && RKM_POLLOUT == (__force u32)EPOLLOUT &&
	      RKM_POLLERR == (__force u32)EPOLLERR && RKM_POLLPRI == (__force u32)EPOLLPRI &&
	      RKM_POLLHUP == (__force u32)EPOLLHUP && RKM_POLLRDNORM == (__force u32)EPOLLRDNORM &&
	      RKM_POLLWRNORM == (__force u32)EPOLLWRNORM && RKM_POLLRDHUP == (__force u32)EPOLLRDHUP);

static int rkm_fop_flush(struct file *file, fl_owner_t id)
{
	return rkm_file_dev(file)->ops->flush(file->private_data, rkm_file(file));
}

struct rkm_fasync {
	struct fasync_struct *head;
};

/*
 * fcntl(F_SETFL, FASYNC), FIOASYNC, and __fput() (fasync(-1, file, 0) before
 * release when FASYNC is set): the file joins or leaves the queue its state
 * names (the Rust side names the same queue for every call on one file), so
 * no file is left on a queue once it is released.
 */
static int rkm_fop_fasync(int fd, struct file *file, int on)
{
	struct rkm_fasync *q = rkm_file_dev(file)->ops->fasync_queue(file->private_data);

	/* No queue named (and none joined): refused, and nothing to leave. */
	if (!q)
		return on ? -EINVAL : 0;
	return fasync_helper(fd, file, on, &q->head);
}

/* A struct rkm_vma is the kernel's vm_area_struct, converted here only. */
static int rkm_fop_mmap(struct file *file, struct vm_area_struct *vma)
{
	return rkm_file_dev(file)->ops->mmap(file->private_data, rkm_file(file),
					     (struct rkm_vma *)vma);
}

void rkm_poll_wait(struct rkm_file *file, struct rkm_poll_table *table, struct rkm_condvar *cv)
{
	poll_wait(rkm_kfile(file), &cv->wq, rkm_kpoll_table(table));
}

/*
 * Whether a misc device called @name exists: misc_register() would fail in
 * sysfs with a duplicate-name stack dump. The class directory is the one
 * view of every misc device's name outside misc.c (its list and class are
 * private); a device registered concurrently by another module can still
 * race with this check, and then the kernel's own report remains.
 */
static bool rkm_misc_name_taken(const char *name)
{
	return rkm_sysfs_taken("/sys/class/misc/%s", name);
}

/*
 * The file operations of a device whose callbacks are @ops: only what the
 * driver implements; .owner makes rmmod wait for files. Shared by misc
 * devices and char-device regions (chrdev.c, which replaces .open).
 */
static void rkm_fops_init(struct rkm_miscdev *md, const struct rkm_file_ops *ops)
{
	md->ops = ops;
	md->fops.owner = THIS_MODULE;
	md->fops.open = rkm_fop_open;
	md->fops.release = rkm_fop_release;
	/*
	 * read, write, ioctl and poll are Rust functions called by the VFS
	 * itself: their C types differ from the kernel's only in naming struct
	 * file struct rkm_file (the same object), poll_table_struct
	 * rkm_poll_table, loff_t int64_t and __poll_t uint32_t (each RKM_POLL*
	 * its EPOLL* value: checked above), which the x86-64 calling
	 * convention passes alike (stock kernels are built with
	 * GCC: no kCFI type hashes).
	 */
	if (ops->read)
		md->fops.read = (void *)ops->read;
	if (ops->write)
		md->fops.write = (void *)ops->write;
	if (ops->llseek)
		md->fops.llseek = rkm_fop_llseek;
	if (ops->ioctl) {
		md->fops.unlocked_ioctl = (void *)ops->ioctl;
#ifdef CONFIG_COMPAT
		md->fops.compat_ioctl = rkm_fop_compat_ioctl;
#endif
	}
	if (ops->poll)
		md->fops.poll = (void *)ops->poll;
	if (ops->flush)
		md->fops.flush = rkm_fop_flush;
	if (ops->fasync_queue)
		md->fops.fasync = rkm_fop_fasync;
	if (ops->mmap)
		md->fops.mmap = rkm_fop_mmap;
}

/* Takes @attrs (freed with the device, also on failure); its groups go to misc_register(). */
static struct rkm_miscdev *rkm_miscdev_new(const char *name, size_t name_len, uint16_t mode,
					   const struct rkm_file_ops *ops, const void *dev,
					   struct rkm_misc_attrs *attrs, int *err)
{
	struct rkm_miscdev *md;

	*err = -EINVAL;
	/* Permission bits only: no setuid node, no other file type. */
	if (!ops->open || !ops->release || !rkm_sysfs_name_ok(name, name_len) || name_len >= 64 ||
	    (mode & ~0777))
		goto out_free_attrs;
	*err = -ENOMEM;
	md = rkm_kzalloc(sizeof(*md));
	if (!md)
		goto out_free_attrs;
	md->misc.name = rkm_fail_injected() ? NULL : kstrndup(name, name_len, GFP_KERNEL);
	if (!md->misc.name)
		goto out_free_md;
	md->misc.minor = MISC_DYNAMIC_MINOR;
	md->misc.mode = mode;
	md->misc.fops = &md->fops;
	md->misc.groups = rkm_misc_attrs_groups(attrs);
	md->attrs = attrs;
	md->dev = dev;
	rkm_fops_init(md, ops);

	/* Checked and registered under our lock: this module's devices cannot race. */
	mutex_lock(&rkm_miscdevs_lock);
	*err = rkm_misc_name_taken(md->misc.name) ? -EEXIST : misc_register(&md->misc);
	if (*err) {
		mutex_unlock(&rkm_miscdevs_lock);
		goto out_free_name;
	}
	md->registered = true;
	list_add(&md->node, &rkm_miscdevs);
	mutex_unlock(&rkm_miscdevs_lock);
	return md;

out_free_name:
	kfree(md->misc.name);
out_free_md:
	kfree(md);
out_free_attrs:
	rkm_misc_attrs_free(attrs);
	return NULL;
}

struct rkm_miscdev *rkm_miscdev_register(const char *name, size_t name_len, uint16_t mode,
					 const struct rkm_file_ops *ops, const void *dev, int *err)
{
	return rkm_miscdev_new(name, name_len, mode, ops, dev, NULL, err);
}

void rkm_miscdev_deregister(struct rkm_miscdev *md)
{
	misc_deregister(&md->misc);
	md->registered = false;
}

/*
 * Called at module exit after the driver's exit, and after a failed init:
 * no file of this module can be open (.owner). A device whose Rust owner
 * was leaked (mem::forget, an Arc cycle) is still registered: remove it
 * before its memory goes.
 */
static void rkm_miscdevs_free(void)
{
	struct rkm_miscdev *md, *tmp;

	list_for_each_entry_safe(md, tmp, &rkm_miscdevs, node) {
		if (md->registered) {
			pr_warn(KBUILD_MODNAME ": misc device %s leaked by the driver, removed at unload\n",
				md->misc.name);
			misc_deregister(&md->misc);
		}
		list_del(&md->node);
		rkm_misc_attrs_free(md->attrs);
		kfree(md->misc.name);
		kfree(md);
	}
}

RKM_LEAF size_t rkm_copy_from_user(void *dst, uintptr_t src, size_t len)
{
	return copy_from_user(dst, (const void __user *)src, len);
}

RKM_LEAF size_t rkm_copy_to_user(uintptr_t dst, const void *src, size_t len)
{
	return copy_to_user((void __user *)dst, src, len);
}

/*
 * Copies of a size fixed at compile time on the Rust side (a Pod value):
 * C's copy_{from,to}_user() of a constant size skip the run-time
 * hardened-usercopy object check too, and so does upstream Rust's read<T>().
 */
/*
 * Where the architecture inlines the copy (arm64: INLINE_COPY_*_USER), the
 * kernel exports no _copy_*_user (unless CONFIG_RUST) and the inline one is
 * _copy_*_user itself until 6.11, _inline_copy_*_user since ("uaccess:
 * always export _copy_[from|to]_user with CONFIG_RUST").
 */
#if defined(INLINE_COPY_FROM_USER) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define rkm_raw_copy_from_user _inline_copy_from_user
#else
#define rkm_raw_copy_from_user _copy_from_user
#endif
#if defined(INLINE_COPY_TO_USER) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define rkm_raw_copy_to_user _inline_copy_to_user
#else
#define rkm_raw_copy_to_user _copy_to_user
#endif

RKM_LEAF size_t rkm_copy_from_user_fixed(void *dst, uintptr_t src, size_t len)
{
	return rkm_raw_copy_from_user(dst, (const void __user *)src, len);
}

RKM_LEAF size_t rkm_copy_to_user_fixed(uintptr_t dst, const void *src, size_t len)
{
	return rkm_raw_copy_to_user((void __user *)dst, src, len);
}

/* get_user()/put_user() of 1, 2, 4 and 8 bytes: 0 or -EFAULT (*val = 0 then). */
#define RKM_GET_PUT_USER(bits)							\
RKM_LEAF int rkm_get_user_u##bits(uintptr_t src, u##bits *val)			\
{										\
	return get_user(*val, (const u##bits __user *)src);			\
}										\
RKM_LEAF int rkm_put_user_u##bits(uintptr_t dst, u##bits val)			\
{										\
	return put_user(val, (u##bits __user *)dst);				\
}
RKM_GET_PUT_USER(8)
RKM_GET_PUT_USER(16)
RKM_GET_PUT_USER(32)
RKM_GET_PUT_USER(64)

/*
 * Like copy_from_user(), but a fault leaves the bytes of @dst after the
 * copied ones as they were (copy_from_user() zeroes them): through a small
 * bounce buffer, stopping at the first fault. Returns the bytes copied.
 */
RKM_LEAF size_t rkm_copy_from_user_keep(void *dst, uintptr_t src, size_t len)
{
	u8 bounce[256];
	size_t done = 0;

	while (done < len) {
		size_t chunk = min_t(size_t, len - done, sizeof(bounce));
		size_t got = chunk - copy_from_user(bounce, (const void __user *)(src + done), chunk);

		memcpy(dst + done, bounce, got);
		done += got;
		if (got < chunk)
			break;
	}
	return done;
}

int rkm_check_zeroed_user(uintptr_t src, size_t len)
{
	return check_zeroed_user((const void __user *)src, len);
}

bool rkm_capable(unsigned int cap)
{
	switch (cap) {
	case RKM_CAP_NET_ADMIN:
		return capable(CAP_NET_ADMIN);
	case RKM_CAP_SYS_ADMIN:
		return capable(CAP_SYS_ADMIN);
	default:
		return false;
	}
}
#else
static void rkm_miscdevs_free(void)
{
}
#endif /* RKM_GLUE_MISC */
