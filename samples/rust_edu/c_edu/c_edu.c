// SPDX-License-Identifier: GPL-2.0
/* c_edu: the C twin of rust_edu, a driver for QEMU's educational PCI device (edu.h). */

#include <linux/atomic.h>
#include <linux/build_bug.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/kstrtox.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pci.h>
#include <linux/rwsem.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include "edu.h"

#define EDU_TIMEOUT_MS_DEFAULT 1000

/* Newer kernels name PCI_IRQ_LEGACY PCI_IRQ_INTX; 6.1 has only the old name. */
#ifndef PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

static_assert(sizeof(struct edu_info) == 32);
static_assert(sizeof(struct edu_fact) == 16);

/**
 * struct edu_dev - one binding of the driver to an edu device
 * @ref: references: the binding holds one until remove, each open file one
 * @gate: taken for reading by every file operation, for writing by remove
 *        to close it
 * @live: whether the gate lets callers in (under @gate)
 * @gone: remove has started: requests end with ENODEV
 * @lock: serialises requests (and the device registers they use)
 * @done: completed by the interrupt, the timer and remove
 * @timer: the request timeout
 * @timed_out: set by @timer for the request in progress
 * @pending: interrupt status bits seen since the request in progress started
 * @bar: BAR 0, the registers
 * @buf: the coherent DMA buffer, EDU_BUF_SIZE bytes
 * @buf_dma: its device address
 * @dev: the PCI device's struct device, for the streaming mappings
 * @sbuf: dma_mode 1: the streaming buffer (EDU_BUF_SIZE bytes), mapped for
 *        each transfer; NULL until first used (or after a failed mapping)
 * @mbuf: dma_mode 2: the streaming buffer mapped both ways until remove
 * @mbuf_dma: its device address
 * @sgt: dma_mode 3: the scatter-gather buffer (EDU_BUF_SIZE bytes in
 *       EDU_SG_CHUNK-byte chunks), mapped for each transfer; no table (no
 *       sgl) until first used (or after a failed mapping)
 * @irq_mode: EDU_IRQ_MSI or EDU_IRQ_INTX
 * @timeout_ms: the request timeout, 1..EDU_TIMEOUT_MS_MAX (sysfs edu_timeout_ms)
 * @facts: factorials completed
 * @dmas: DMA transfers completed
 * @timeouts: requests ended by @timer
 * @irqs_lock: protects @irqs
 * @irqs: interrupts handled, counted by the threaded handler
 *
 * Open files outlive an unbind: what they may touch afterwards (@gate,
 * @live) stays until the last reference goes; everything else is torn down
 * by remove once the gate is closed.
 */
struct edu_dev {
	struct kref ref;
	struct rw_semaphore gate;
	bool live;
	bool gone;
	struct mutex lock;
	struct completion done;
	struct timer_list timer;
	bool timed_out;
	atomic_t pending;
	void __iomem *bar;
	void *buf;
	dma_addr_t buf_dma;
	struct device *dev;
	void *sbuf;
	void *mbuf;
	dma_addr_t mbuf_dma;
	struct sg_table sgt;
	u32 irq_mode;
	unsigned int timeout_ms;
	atomic64_t facts;
	atomic64_t dmas;
	atomic64_t timeouts;
	struct mutex irqs_lock;
	u64 irqs;
};

/*
 * dma_mode (edu.h): 0 the coherent buffer, 1 streaming mapped per transfer,
 * 2 mapped once, 3 scatter-gather mapped per transfer.
 */
#define EDU_DMA_STREAM_MAP 1
#define EDU_DMA_STREAM_SYNC 2
#define EDU_DMA_SG 3
static unsigned int dma_mode;

/* As rkm's u32 parameters with a range: not a number -> EINVAL, out of range -> ERANGE. */
static int dma_mode_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int err = kstrtouint(val, 0, &v);

	if (err)
		return err;
	if (v > EDU_DMA_SG)
		return -ERANGE;
	WRITE_ONCE(*(unsigned int *)kp->arg, v);
	return 0;
}

static const struct kernel_param_ops dma_mode_ops = {
	.set = dma_mode_set,
	.get = param_get_uint,
};
module_param_cb(dma_mode, &dma_mode_ops, &dma_mode, 0644);
MODULE_PARM_DESC(dma_mode,
		 "DMA buffer: 0 coherent, 1 streaming mapped per transfer, 2 streaming mapped once, 3 scatter-gather mapped per transfer");

/* The device bound now, for open() (NULL if none), holding the binding's reference. */
static DEFINE_MUTEX(edu_hub_lock);
static struct edu_dev *edu_hub;

static void edu_release(struct kref *ref)
{
	struct edu_dev *d = container_of(ref, struct edu_dev, ref);

	mutex_destroy(&d->irqs_lock);
	mutex_destroy(&d->lock);
	kfree(d);
}

/* ---- requests ---- */

static bool edu_fact_busy(struct edu_dev *d)
{
	return readl(d->bar + EDU_REG_STATUS) & EDU_STATUS_COMPUTING;
}

static bool edu_dma_busy(struct edu_dev *d)
{
	return readq(d->bar + EDU_REG_DMA_CMD) & EDU_DMA_START;
}

/**
 * edu_start() - prepare a request on one of the device's engines.
 * @d: the device, its request mutex held
 * @busy: whether the engine (factorial or DMA) is busy
 *
 * A request that ended by a signal or a timeout may have left its engine
 * busy, and the device ignores commands to a busy engine: such a request
 * fails, without touching the device.
 *
 * Return: 0, -EBUSY, or -ENODEV if the device is being unbound.
 */
static int edu_start(struct edu_dev *d, bool (*busy)(struct edu_dev *d))
{
	if (busy(d))
		return -EBUSY;
	reinit_completion(&d->done);
	atomic_set(&d->pending, 0);
	WRITE_ONCE(d->timed_out, false);
	/* Pairs with edu_remove(): we see gone, or its complete() comes after the reinit. */
	smp_mb();
	if (READ_ONCE(d->gone))
		return -ENODEV;
	return 0;
}

/**
 * edu_wait() - wait for the request the device was just given.
 * @d: the device, its request mutex held
 * @irq: the interrupt status bit that ends the request
 * @busy: whether the device is still working on it
 *
 * Arms the timer, then waits for the interrupt, the timer, unbind or a
 * signal. A wake-up with the device still busy, or without @irq, came from
 * a stale interrupt (of a request that ended early): the wait goes on.
 *
 * Return: 0, -EINTR on a signal, -ENODEV if the device is being unbound,
 * -ETIMEDOUT if the timer fired first.
 */
static int edu_wait(struct edu_dev *d, u32 irq, bool (*busy)(struct edu_dev *d))
{
	int ret;

	mod_timer(&d->timer, jiffies + msecs_to_jiffies(READ_ONCE(d->timeout_ms)));
	for (;;) {
		if (wait_for_completion_interruptible(&d->done)) {
			ret = -EINTR;
			break;
		}
		if (READ_ONCE(d->gone)) {
			ret = -ENODEV;
			break;
		}
		if ((atomic_read(&d->pending) & irq) && !busy(d)) {
			ret = 0;
			break;
		}
		if (READ_ONCE(d->timed_out)) {
			atomic64_inc(&d->timeouts);
			ret = -ETIMEDOUT;
			break;
		}
	}
	timer_delete_sync(&d->timer);
	return ret;
}

/**
 * edu_fact() - have the device compute n! (mod 2^32).
 * @d: the device
 * @f: the request, checked; its result is set on success
 *
 * Return: 0, -EINTR, -EBUSY, -ENODEV or -ETIMEDOUT (always, with
 * EDU_FACT_NOIRQ: the device does not interrupt).
 */
static int edu_fact(struct edu_dev *d, struct edu_fact *f)
{
	int ret;

	if (mutex_lock_interruptible(&d->lock))
		return -EINTR;
	ret = edu_start(d, edu_fact_busy);
	if (ret)
		goto out_unlock;
	writel(f->flags & EDU_FACT_NOIRQ ? 0 : EDU_STATUS_IRQFACT, d->bar + EDU_REG_STATUS);
	writel(f->n, d->bar + EDU_REG_FACT);
	/*
	 * Without the interrupt only the timer ends it: a late interrupt of an
	 * abandoned request must not pass for this one's.
	 */
	ret = edu_wait(d, f->flags & EDU_FACT_NOIRQ ? 0 : EDU_IRQ_FACT, edu_fact_busy);
	if (ret)
		goto out_unlock;
	f->result = readl(d->bar + EDU_REG_FACT);
	atomic64_inc(&d->facts);
out_unlock:
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * edu_dma() - move @count bytes between @ram (offset @pos of a DMA buffer)
 * and offset @pos of the device's buffer, with an interrupt at the end.
 * @d: the device, its request mutex held
 * @ram: the device address in RAM
 * @pos: the offset; @pos + @count <= EDU_BUF_SIZE
 * @count: bytes
 * @to_ram: from the device to the coherent buffer, or the other way
 *
 * Return: 0 or edu_start()'s or edu_wait()'s error.
 */
static int edu_dma(struct edu_dev *d, u64 ram, size_t pos, size_t count, bool to_ram)
{
	u64 dev = EDU_DEV_BUF + pos;
	int ret;

	ret = edu_start(d, edu_dma_busy);
	if (ret)
		return ret;
	writeq(to_ram ? dev : ram, d->bar + EDU_REG_DMA_SRC);
	writeq(to_ram ? ram : dev, d->bar + EDU_REG_DMA_DST);
	writeq(count, d->bar + EDU_REG_DMA_COUNT);
	writeq(EDU_DMA_START | EDU_DMA_IRQ | (to_ram ? EDU_DMA_TO_RAM : 0),
	       d->bar + EDU_REG_DMA_CMD);
	ret = edu_wait(d, EDU_IRQ_DMA, edu_dma_busy);
	if (!ret)
		atomic64_inc(&d->dmas);
	return ret;
}

/* dma_mode 1's buffer, allocated on first use: 0 or -ENOMEM. */
static int edu_sbuf(struct edu_dev *d)
{
	/* Under the device's 28-bit DMA mask, as rkm's StreamBuffer: ZONE_DMA. */
	if (!d->sbuf)
		d->sbuf = kzalloc(EDU_BUF_SIZE, GFP_KERNEL | GFP_DMA);
	return d->sbuf ? 0 : -ENOMEM;
}

/* Maps dma_mode 1's buffer in @dir; a failed mapping frees it: 0 or -ENOMEM. */
static int edu_sbuf_map(struct edu_dev *d, enum dma_data_direction dir, dma_addr_t *addr)
{
	*addr = dma_map_single(d->dev, d->sbuf, EDU_BUF_SIZE, dir);
	if (dma_mapping_error(d->dev, *addr)) {
		kfree(d->sbuf);
		d->sbuf = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* dma_mode 2's standing mapping, made on first use: 0 or -ENOMEM. */
static int edu_mbuf(struct edu_dev *d)
{
	void *buf;

	if (d->mbuf)
		return 0;
	buf = kzalloc(EDU_BUF_SIZE, GFP_KERNEL | GFP_DMA);
	if (!buf)
		return -ENOMEM;
	d->mbuf_dma = dma_map_single(d->dev, buf, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(d->dev, d->mbuf_dma)) {
		kfree(buf);
		return -ENOMEM;
	}
	d->mbuf = buf;
	return 0;
}

/* Frees dma_mode 3's chunks and table (none: nothing to do). */
static void edu_sg_free(struct edu_dev *d)
{
	struct scatterlist *sg;
	unsigned int i;

	if (!d->sgt.sgl)
		return;
	for_each_sgtable_sg(&d->sgt, sg, i)
		if (sg_page(sg))
			kfree(sg_virt(sg));
	sg_free_table(&d->sgt);
	d->sgt.sgl = NULL;
}

/* dma_mode 3's buffer, allocated on first use: 0 or -ENOMEM. */
static int edu_sg(struct edu_dev *d)
{
	unsigned int n = DIV_ROUND_UP(EDU_BUF_SIZE, EDU_SG_CHUNK);
	struct scatterlist *sg;
	unsigned int i;

	if (d->sgt.sgl)
		return 0;
	if (sg_alloc_table(&d->sgt, n, GFP_KERNEL)) {
		d->sgt.sgl = NULL;
		return -ENOMEM;
	}
	for_each_sgtable_sg(&d->sgt, sg, i) {
		size_t len = min_t(size_t, EDU_SG_CHUNK, EDU_BUF_SIZE - i * EDU_SG_CHUNK);
		/* Under the device's 28-bit DMA mask, as rkm's SgBuffer: ZONE_DMA. */
		void *chunk = kzalloc(len, GFP_KERNEL | GFP_DMA);

		if (!chunk) {
			edu_sg_free(d);
			return -ENOMEM;
		}
		sg_set_buf(sg, chunk, len);
	}
	return 0;
}

/* Copies @n bytes at offset @pos of dma_mode 3's buffer from or to user memory: 0 or -EFAULT. */
static int edu_sg_copy(struct edu_dev *d, void __user *ubuf, size_t pos, size_t n, bool to_user)
{
	struct scatterlist *sg;
	size_t off = 0;
	unsigned int i;

	for_each_sgtable_sg(&d->sgt, sg, i) {
		size_t lo = max(off, pos), hi = min(off + sg->length, pos + n);
		void *cpu = sg_virt(sg) + (lo - off);
		void __user *u = ubuf + (lo - pos);

		off += sg->length;
		if (lo >= hi)
			continue;
		if (to_user ? copy_to_user(u, cpu, hi - lo) : copy_from_user(cpu, u, hi - lo))
			return -EFAULT;
	}
	return 0;
}

/*
 * Maps dma_mode 3's buffer in @dir (a failed mapping frees it: -ENOMEM) and
 * moves bytes @pos..@pos + @n with one transfer per mapped segment's part.
 */
static int edu_sg_dma(struct edu_dev *d, enum dma_data_direction dir, size_t pos, size_t n)
{
	struct scatterlist *sg;
	size_t off = 0;
	unsigned int i;
	int ret = 0;

	if (dma_map_sgtable(d->dev, &d->sgt, dir, 0)) {
		edu_sg_free(d);
		return -ENOMEM;
	}
	for_each_sgtable_dma_sg(&d->sgt, sg, i) {
		size_t lo = max(off, pos), hi = min(off + sg_dma_len(sg), pos + n);

		if (lo < hi) {
			ret = edu_dma(d, sg_dma_address(sg) + (lo - off), lo, hi - lo,
				      dir == DMA_FROM_DEVICE);
			if (ret)
				break;
		}
		off += sg_dma_len(sg);
	}
	dma_unmap_sgtable(d->dev, &d->sgt, dir, 0);
	return ret;
}

/* A transfer from the device to the caller at @pos, in the current dma_mode. */
static ssize_t edu_read_dma(struct edu_dev *d, char __user *ubuf, size_t pos, size_t n)
{
	dma_addr_t addr;
	int ret;

	switch (READ_ONCE(dma_mode)) {
	case EDU_DMA_STREAM_MAP:
		ret = edu_sbuf(d);
		if (!ret)
			ret = edu_sbuf_map(d, DMA_FROM_DEVICE, &addr);
		if (ret)
			return ret;
		ret = edu_dma(d, addr + pos, pos, n, true);
		dma_unmap_single(d->dev, addr, EDU_BUF_SIZE, DMA_FROM_DEVICE);
		if (!ret && copy_to_user(ubuf, d->sbuf + pos, n))
			ret = -EFAULT;
		return ret;
	case EDU_DMA_SG:
		ret = edu_sg(d);
		if (!ret)
			ret = edu_sg_dma(d, DMA_FROM_DEVICE, pos, n);
		if (!ret)
			ret = edu_sg_copy(d, ubuf, pos, n, true);
		return ret;
	case EDU_DMA_STREAM_SYNC:
		ret = edu_mbuf(d);
		if (!ret)
			ret = edu_dma(d, d->mbuf_dma + pos, pos, n, true);
		if (ret)
			return ret;
		dma_sync_single_for_cpu(d->dev, d->mbuf_dma, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
		if (copy_to_user(ubuf, d->mbuf + pos, n))
			ret = -EFAULT;
		dma_sync_single_for_device(d->dev, d->mbuf_dma, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
		return ret;
	default:
		ret = edu_dma(d, d->buf_dma + pos, pos, n, true);
		if (!ret && copy_to_user(ubuf, d->buf + pos, n))
			ret = -EFAULT;
		return ret;
	}
}

/* A transfer from the caller to the device at @pos, in the current dma_mode. */
static ssize_t edu_write_dma(struct edu_dev *d, const char __user *ubuf, size_t pos, size_t n)
{
	dma_addr_t addr;
	int ret;

	switch (READ_ONCE(dma_mode)) {
	case EDU_DMA_STREAM_MAP:
		ret = edu_sbuf(d);
		if (ret)
			return ret;
		if (copy_from_user(d->sbuf + pos, ubuf, n))
			return -EFAULT;
		ret = edu_sbuf_map(d, DMA_TO_DEVICE, &addr);
		if (ret)
			return ret;
		ret = edu_dma(d, addr + pos, pos, n, false);
		dma_unmap_single(d->dev, addr, EDU_BUF_SIZE, DMA_TO_DEVICE);
		return ret;
	case EDU_DMA_SG:
		ret = edu_sg(d);
		if (!ret)
			ret = edu_sg_copy(d, (void __user *)ubuf, pos, n, false);
		if (!ret)
			ret = edu_sg_dma(d, DMA_TO_DEVICE, pos, n);
		return ret;
	case EDU_DMA_STREAM_SYNC:
		ret = edu_mbuf(d);
		if (ret)
			return ret;
		dma_sync_single_for_cpu(d->dev, d->mbuf_dma, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
		if (copy_from_user(d->mbuf + pos, ubuf, n))
			ret = -EFAULT;
		dma_sync_single_for_device(d->dev, d->mbuf_dma, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
		if (ret)
			return ret;
		return edu_dma(d, d->mbuf_dma + pos, pos, n, false);
	default:
		if (copy_from_user(d->buf + pos, ubuf, n))
			return -EFAULT;
		return edu_dma(d, d->buf_dma + pos, pos, n, false);
	}
}

/* ---- interrupt and timer ---- */

/* The hard half: acknowledge, record what happened, wake the waiter. */
static irqreturn_t edu_irq(int irq, void *data)
{
	struct edu_dev *d = data;
	u32 status = readl(d->bar + EDU_REG_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, d->bar + EDU_REG_IRQ_ACK);
	atomic_or(status, &d->pending);
	complete(&d->done);
	return IRQ_WAKE_THREAD;
}

/* The threaded half, in process context: the count sysfs shows. */
static irqreturn_t edu_irq_thread(int irq, void *data)
{
	struct edu_dev *d = data;

	mutex_lock(&d->irqs_lock);
	d->irqs++;
	mutex_unlock(&d->irqs_lock);
	return IRQ_HANDLED;
}

static void edu_timeout(struct timer_list *t)
{
	struct edu_dev *d = from_timer(d, t, timer);

	WRITE_ONCE(d->timed_out, true);
	complete(&d->done);
}

/* ---- the misc device ---- */

/* Passes the gate of the file's device: the device, or NULL once it is unbound. */
static struct edu_dev *edu_enter(struct file *file)
{
	struct edu_dev *d = file->private_data;

	down_read(&d->gate);
	if (d->live)
		return d;
	up_read(&d->gate);
	return NULL;
}

static void edu_leave(struct edu_dev *d)
{
	up_read(&d->gate);
}

static int edu_open(struct inode *inode, struct file *file)
{
	struct edu_dev *d;

	mutex_lock(&edu_hub_lock);
	d = edu_hub;
	if (d)
		kref_get(&d->ref);
	mutex_unlock(&edu_hub_lock);
	if (!d)
		return -ENODEV;
	file->private_data = d;
	return 0;
}

static int edu_release_file(struct inode *inode, struct file *file)
{
	struct edu_dev *d = file->private_data;

	kref_put(&d->ref, edu_release);
	return 0;
}

/**
 * edu_read() - fetch bytes of the device buffer at *@ppos by DMA.
 * @file: the open file
 * @ubuf: the user buffer
 * @len: its size
 * @ppos: the position in the device buffer, advanced by the bytes read
 *
 * Return: min(@len, EDU_BUF_SIZE - *@ppos) bytes, 0 if @len is 0 or *@ppos is
 * at or past the end, -ENODEV once unbound, -EFAULT if any byte could not be
 * copied out, or edu_dma()'s error.
 */
static ssize_t edu_read(struct file *file, char __user *ubuf, size_t len, loff_t *ppos)
{
	struct edu_dev *d = edu_enter(file);
	loff_t pos = *ppos;
	ssize_t ret = 0;
	size_t n;

	if (!d)
		return -ENODEV;
	if (!len || pos >= EDU_BUF_SIZE)
		goto out_leave;
	n = min_t(size_t, len, EDU_BUF_SIZE - pos);
	if (mutex_lock_interruptible(&d->lock)) {
		ret = -EINTR;
		goto out_leave;
	}
	ret = edu_read_dma(d, ubuf, pos, n);
	if (ret)
		goto out_unlock;
	*ppos = pos + n;
	ret = n;
out_unlock:
	mutex_unlock(&d->lock);
out_leave:
	edu_leave(d);
	return ret;
}

/**
 * edu_write() - send bytes to the device buffer at *@ppos by DMA.
 * @file: the open file
 * @ubuf: the user buffer
 * @len: its size
 * @ppos: the position in the device buffer, advanced by the bytes written
 *
 * Return: min(@len, EDU_BUF_SIZE - *@ppos) bytes, 0 if @len is 0, -ENOSPC if
 * *@ppos is at or past the end, -ENODEV once unbound, -EFAULT if any byte
 * could not be copied in (nothing is sent), or edu_dma()'s error.
 */
static ssize_t edu_write(struct file *file, const char __user *ubuf, size_t len, loff_t *ppos)
{
	struct edu_dev *d = edu_enter(file);
	loff_t pos = *ppos;
	ssize_t ret = 0;
	size_t n;

	if (!d)
		return -ENODEV;
	if (!len)
		goto out_leave;
	if (pos >= EDU_BUF_SIZE) {
		ret = -ENOSPC;
		goto out_leave;
	}
	n = min_t(size_t, len, EDU_BUF_SIZE - pos);
	if (mutex_lock_interruptible(&d->lock)) {
		ret = -EINTR;
		goto out_leave;
	}
	ret = edu_write_dma(d, ubuf, pos, n);
	if (ret)
		goto out_unlock;
	*ppos = pos + n;
	ret = n;
out_unlock:
	mutex_unlock(&d->lock);
out_leave:
	edu_leave(d);
	return ret;
}

/**
 * edu_llseek() - move the file position.
 * @file: the open file
 * @off: the offset
 * @whence: SEEK_SET (from 0), SEEK_CUR (from the position) or SEEK_END
 *          (from EDU_BUF_SIZE)
 *
 * Return: the new position, -ENODEV once unbound (for every @whence), or
 * -EINVAL for another @whence (SEEK_DATA, SEEK_HOLE...), an overflow, or a
 * result outside [0, EDU_BUF_SIZE]: fixed_size_llseek()'s answers.
 */
static loff_t edu_llseek(struct file *file, loff_t off, int whence)
{
	struct edu_dev *d = edu_enter(file);
	loff_t base, pos;

	if (!d)
		return -ENODEV;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = file->f_pos;
		break;
	case SEEK_END:
		base = EDU_BUF_SIZE;
		break;
	default:
		pos = -EINVAL;
		goto out_leave;
	}
	if (check_add_overflow(base, off, &pos) || pos < 0 || pos > EDU_BUF_SIZE)
		pos = -EINVAL;
	else
		file->f_pos = pos;
out_leave:
	edu_leave(d);
	return pos;
}

/**
 * edu_ioctl_info() - EDU_IOC_INFO: the id, the interrupt mode and the counters.
 * @d: the device
 * @uarg: the caller's struct edu_info, written whole
 *
 * Return: 0, or -EFAULT if @uarg is unwritable.
 */
static long edu_ioctl_info(struct edu_dev *d, void __user *uarg)
{
	struct edu_info info = {
		.id = readl(d->bar + EDU_REG_ID),
		.irq = d->irq_mode,
		.facts = atomic64_read(&d->facts),
		.dmas = atomic64_read(&d->dmas),
		.timeouts = atomic64_read(&d->timeouts),
	};

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

/**
 * edu_ioctl_live() - EDU_IOC_LIVE: the device's answer to a value (its inverse).
 * @d: the device
 * @uarg: the value in, the answer out
 *
 * Return: 0, -EFAULT, or -EINTR if a signal came while waiting for the device.
 */
static long edu_ioctl_live(struct edu_dev *d, u32 __user *uarg)
{
	u32 val;

	if (get_user(val, uarg))
		return -EFAULT;
	if (mutex_lock_interruptible(&d->lock))
		return -EINTR;
	writel(val, d->bar + EDU_REG_LIVE);
	val = readl(d->bar + EDU_REG_LIVE);
	mutex_unlock(&d->lock);
	return put_user(val, uarg);
}

/**
 * edu_ioctl_fact() - EDU_IOC_FACT: n! by the device.
 * @d: the device
 * @uarg: the caller's struct edu_fact, read whole, checked, written whole
 *        with the result
 *
 * Return: 0, -EFAULT, -EINVAL for a bad request, or edu_fact()'s error.
 */
static long edu_ioctl_fact(struct edu_dev *d, void __user *uarg)
{
	struct edu_fact f;
	int ret;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	if ((f.flags & ~EDU_FACT_NOIRQ) || f.pad || f.n > EDU_FACT_MAX)
		return -EINVAL;
	ret = edu_fact(d, &f);
	if (ret)
		return ret;
	return copy_to_user(uarg, &f, sizeof(f)) ? -EFAULT : 0;
}

static long edu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct edu_dev *d = edu_enter(file);
	void __user *uarg = (void __user *)arg;
	long ret;

	if (!d)
		return -ENODEV;
	switch (cmd) {
	case EDU_IOC_INFO:
		ret = edu_ioctl_info(d, uarg);
		break;
	case EDU_IOC_LIVE:
		ret = edu_ioctl_live(d, uarg);
		break;
	case EDU_IOC_FACT:
		ret = edu_ioctl_fact(d, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	edu_leave(d);
	return ret;
}

static const struct file_operations edu_fops = {
	.owner = THIS_MODULE,
	.open = edu_open,
	.release = edu_release_file,
	.read = edu_read,
	.write = edu_write,
	.llseek = edu_llseek,
	.unlocked_ioctl = edu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice edu_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "c_edu",
	.fops = &edu_fops,
	.mode = 0600,
};

/* ---- sysfs, on the PCI device: present from after probe to before remove ---- */

static ssize_t edu_id_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_dev *d = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%#010x\n", readl(d->bar + EDU_REG_ID));
}
static DEVICE_ATTR_RO(edu_id);

static ssize_t edu_irq_mode_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_dev *d = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", d->irq_mode == EDU_IRQ_MSI ? "msi" : "intx");
}
static DEVICE_ATTR_RO(edu_irq_mode);

static ssize_t edu_irqs_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_dev *d = dev_get_drvdata(dev);
	u64 irqs;

	mutex_lock(&d->irqs_lock);
	irqs = d->irqs;
	mutex_unlock(&d->irqs_lock);
	return sysfs_emit(buf, "%llu\n", irqs);
}
static DEVICE_ATTR_RO(edu_irqs);

static ssize_t edu_timeout_ms_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	struct edu_dev *d = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(d->timeout_ms));
}

static ssize_t edu_timeout_ms_store(struct device *dev, struct device_attribute *attr,
				    const char *buf, size_t count)
{
	struct edu_dev *d = dev_get_drvdata(dev);
	unsigned int ms;

	if (kstrtouint(buf, 10, &ms) || ms < 1 || ms > EDU_TIMEOUT_MS_MAX)
		return -EINVAL;
	WRITE_ONCE(d->timeout_ms, ms);
	return count;
}
static DEVICE_ATTR_RW(edu_timeout_ms);

static struct attribute *edu_attrs[] = {
	&dev_attr_edu_id.attr,
	&dev_attr_edu_irq_mode.attr,
	&dev_attr_edu_irqs.attr,
	&dev_attr_edu_timeout_ms.attr,
	NULL,
};
ATTRIBUTE_GROUPS(edu);

/* ---- the PCI driver ---- */

/**
 * edu_probe() - bind to an edu device, unless one is bound already (-EBUSY).
 * @pdev: the device
 * @id: its entry in edu_ids
 *
 * The hub's lock is held throughout: a second device waits, then sees the
 * first one.
 *
 * Return: 0 or a negative errno, with everything undone.
 */
static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct edu_dev *d;
	u32 ver;
	int ret;

	mutex_lock(&edu_hub_lock);
	if (edu_hub) {
		ret = -EBUSY;
		goto out_unlock;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	kref_init(&d->ref);
	init_rwsem(&d->gate);
	mutex_init(&d->lock);
	init_completion(&d->done);
	timer_setup(&d->timer, edu_timeout, 0);
	mutex_init(&d->irqs_lock);
	d->timeout_ms = EDU_TIMEOUT_MS_DEFAULT;

	ret = pci_enable_device(pdev);
	if (ret)
		goto out_put;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		goto out_disable;
	if (!(pci_resource_flags(pdev, 0) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, 0) < EDU_BAR_SIZE) {
		ret = -EINVAL;
		goto out_disable;
	}
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto out_disable;
	d->bar = pci_iomap(pdev, 0, 0);
	if (!d->bar) {
		ret = -ENOMEM;
		goto out_release;
	}
	pci_set_master(pdev);
	d->dev = &pdev->dev;
	d->buf = dma_alloc_coherent(&pdev->dev, EDU_BUF_SIZE, &d->buf_dma, GFP_KERNEL);
	if (!d->buf) {
		ret = -ENOMEM;
		goto out_clear_master;
	}
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		goto out_free_buf;
	d->irq_mode = pdev->msi_enabled ? EDU_IRQ_MSI : EDU_IRQ_INTX;
	ret = request_threaded_irq(pci_irq_vector(pdev, 0), edu_irq, edu_irq_thread,
				   d->irq_mode == EDU_IRQ_INTX ? IRQF_SHARED : 0,
				   KBUILD_MODNAME, d);
	if (ret)
		goto out_free_vectors;

	ver = readl(d->bar + EDU_REG_ID);
	dev_info(&pdev->dev, "edu %u.%u, %s interrupt\n", ver >> 24, (ver >> 16) & 0xff,
		 d->irq_mode == EDU_IRQ_MSI ? "MSI" : "INTx");
	pci_set_drvdata(pdev, d);
	d->live = true;
	edu_hub = d;
	mutex_unlock(&edu_hub_lock);
	return 0;

out_free_vectors:
	pci_free_irq_vectors(pdev);
out_free_buf:
	dma_free_coherent(&pdev->dev, EDU_BUF_SIZE, d->buf, d->buf_dma);
out_clear_master:
	pci_clear_master(pdev);
	pci_iounmap(pdev, d->bar);
out_release:
	pci_release_region(pdev, 0);
out_disable:
	pci_disable_device(pdev);
out_put:
	kref_put(&d->ref, edu_release);
out_unlock:
	mutex_unlock(&edu_hub_lock);
	return ret;
}

/**
 * edu_remove() - unbind: no new opens, end the wait in progress, close the
 * gate, then tear down. Open files keep the dead binding until closed.
 * @pdev: the device
 */
static void edu_remove(struct pci_dev *pdev)
{
	struct edu_dev *d = pci_get_drvdata(pdev);

	mutex_lock(&edu_hub_lock);
	edu_hub = NULL;
	mutex_unlock(&edu_hub_lock);
	/* Pairs with edu_start(); the complete() ends a wait in progress now. */
	smp_store_mb(d->gone, true);
	complete(&d->done);
	down_write(&d->gate);
	d->live = false;
	up_write(&d->gate);

	free_irq(pci_irq_vector(pdev, 0), d);
	timer_shutdown_sync(&d->timer);
	/* Before the buffer goes: a transfer still running can no longer reach it. */
	pci_clear_master(pdev);
	dma_free_coherent(&pdev->dev, EDU_BUF_SIZE, d->buf, d->buf_dma);
	if (d->mbuf) {
		dma_unmap_single(d->dev, d->mbuf_dma, EDU_BUF_SIZE, DMA_BIDIRECTIONAL);
		kfree(d->mbuf);
	}
	kfree(d->sbuf);
	edu_sg_free(d);
	pci_iounmap(pdev, d->bar);
	pci_release_region(pdev, 0);
	pci_free_irq_vectors(pdev);
	pci_disable_device(pdev);
	kref_put(&d->ref, edu_release);
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, edu_ids);

static struct pci_driver edu_driver = {
	.name = "c_edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
	.dev_groups = edu_groups,
};

static int __init edu_init(void)
{
	int ret;

	ret = misc_register(&edu_misc);
	if (ret)
		return ret;
	ret = pci_register_driver(&edu_driver);
	if (ret)
		misc_deregister(&edu_misc);
	return ret;
}

static void __exit edu_exit(void)
{
	pci_unregister_driver(&edu_driver);
	misc_deregister(&edu_misc);
}

module_init(edu_init);
module_exit(edu_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("C twin of rust_edu: a driver for QEMU's educational PCI device");
MODULE_AUTHOR("rkm developers");
