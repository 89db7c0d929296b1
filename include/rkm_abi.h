/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rkm_abi.h - the contract between the C glue and Rust code built with rkm.
 *
 * Plain C types, opaque handles and rkm-owned constants only: no kernel struct
 * layout and no kernel constant whose value drifts between versions crosses
 * this line, so one Rust object can link against the glue of any kernel.
 * Functions named rkm_rust_* are implemented by the Rust side and called by
 * the glue; every other function is implemented by the glue.
 *
 * Handles are typed: every object that one side owns and the other only
 * passes back is a distinct incomplete struct, declared here and never
 * defined here (struct rkm_mutex;), so that a mutex cannot be passed where a
 * wait queue is expected. The glue defines each one around the kernel
 * object (struct rkm_mutex { struct mutex mutex; };), or, where the pointer
 * is the kernel's own object (the struct file the VFS passes), converts it
 * in one helper. Memory whose type only Rust knows (buffers, per-open state,
 * driver data) stays void *. rust/src/abi.rs declares the same items by
 * hand: constants without RKM_ (RKM_POLLIN is POLLIN), types in CamelCase
 * without rkm_ (struct rkm_file_ops is FileOps, struct rkm_mutex is Mutex,
 * made by opaque!), functions with their C names; tests/abi_drift.sh checks
 * it against this header with bindgen.
 */
#ifndef RKM_ABI_H
#define RKM_ABI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

/*
 * Bumped on every incompatible change. The glue defines the symbol
 * rkm_abi_version_<N>; the rkm crate of the same version references it, so a
 * Rust object built for another version leaves that symbol undefined and
 * modpost stops the build, naming it.
 */
#define RKM_ABI_VERSION 5

/*
 * The glue defines RKM_LEAF (no ENDBR, no ftrace entry) for the functions
 * that only Rust calls, and only directly; the attribute is part of the type.
 */
#ifndef RKM_LEAF
#define RKM_LEAF
#endif

extern const int rkm_abi_version_5;

/* Log levels, in kernel order; mapped to KERN_* strings by the glue. */
enum rkm_log_level {
	RKM_LOG_EMERG = 0,
	RKM_LOG_ALERT = 1,
	RKM_LOG_CRIT = 2,
	RKM_LOG_ERR = 3,
	RKM_LOG_WARNING = 4,
	RKM_LOG_NOTICE = 5,
	RKM_LOG_INFO = 6,
	RKM_LOG_DEBUG = 7,
};

/**
 * rkm_log() - print one line to the kernel log, prefixed "<modname>: ".
 * @level: an enum rkm_log_level; out-of-range values print at KERN_ERR.
 * @msg: the text, not NUL-terminated, without trailing newline.
 * @len: its length in bytes; the glue prints at most RKM_LOG_LINE_MAX of it.
 */
void rkm_log(int level, const char *msg, size_t len);

/* Longest text rkm_log() prints in one line; the crate splits longer ones. */
#define RKM_LOG_LINE_MAX 256

/**
 * rkm_debug_enabled() - whether this module's debug messages are printed.
 *
 * True when dynamic debug has enabled the module's one debug call site
 * (echo 'module NAME +p' > <debugfs>/dynamic_debug/control), or when the
 * kernel has no dynamic debug and the glue was built with DEBUG.
 */
bool rkm_debug_enabled(void);

/* Allocation flags: rkm's own values, mapped to GFP_* by the glue. */
#define RKM_ALLOC_KERNEL 0x0u	/* may sleep: GFP_KERNEL */
#define RKM_ALLOC_ATOMIC 0x1u	/* never sleeps, may use reserves: GFP_ATOMIC */
#define RKM_ALLOC_NOWAIT 0x2u	/* never sleeps, no reserves: GFP_NOWAIT */
#define RKM_ALLOC_ZERO 0x100u	/* zero the memory: __GFP_ZERO */

/**
 * rkm_realloc() - allocate, grow or shrink a block of kernel memory.
 * @ptr: NULL to allocate, or a block from rkm_realloc() to resize.
 * @size: the new size in bytes, not 0.
 * @align: the alignment needed, a power of two.
 * @flags: RKM_ALLOC_* values; unknown bits fail the call.
 *
 * Return: the block, or NULL on failure (too large, no memory, an injected
 * failure), in which case @ptr is left untouched. Never warns.
 */
void *rkm_realloc(void *ptr, size_t size, size_t align, uint32_t flags);

/**
 * rkm_free() - free a block from rkm_realloc(); NULL is ignored.
 * @ptr: the block.
 */
void rkm_free(void *ptr);

/*
 * Module parameters. A Rust driver declares them in module!; the build turns
 * the declarations (section .rkm_params of the Rust object: per parameter, 8
 * NUL-terminated fields: name, type, permissions, default, min, max, maximum
 * length, description) into C that registers them with the kernel. Values
 * live in the glue; Rust reads them by name.
 */

/**
 * rkm_param_get() - read a parameter's current value.
 * @name: the parameter's name, not NUL-terminated.
 * @name_len: its length.
 * @vals: where the value goes: a scalar in vals[0] (bool 0/1; integers as
 *        their 64-bit two's complement bits), array elements in order.
 * @nvals: room in @vals (in elements).
 * @str: for a string parameter, where its bytes go (not NUL-terminated).
 * @str_cap: room in @str.
 *
 * Return: the number of elements (1 for a scalar) or string bytes copied,
 * or -ENOENT if the module has no such parameter.
 */
long rkm_param_get(const char *name, size_t name_len, int64_t *vals, size_t nvals,
		   char *str, size_t str_cap);

/*
 * Locks and condition variables. The kernel objects are allocated and owned
 * by the glue, so they never move; Rust holds an opaque pointer. Each
 * constructor takes a lockdep class key: RKM_LOCK_KEY_SIZE bytes of static
 * storage (one per declaration site in Rust) and a static NUL-terminated name.
 */
#define RKM_LOCK_KEY_SIZE 64
/*
 * Lockdep subclasses a lock may be taken with (mutex_lock_nested(),
 * spin_lock_nested()): 0 for a plain lock, 1.. for locks of the same class
 * nested inside it in a fixed order.
 */
#define RKM_LOCK_SUBCLASSES 8
struct rkm_lock_key;
struct rkm_mutex;
struct rkm_spinlock;
struct rkm_condvar;

/** rkm_mutex_new() - a new struct mutex; NULL if out of memory. */
struct rkm_mutex *rkm_mutex_new(const char *name, struct rkm_lock_key *key);
/** rkm_mutex_free() - destroy and free a mutex; one still held (a forgotten guard) is leaked instead. */
void rkm_mutex_free(struct rkm_mutex *mutex);
/** rkm_mutex_lock() - mutex_lock_nested(); @subclass < RKM_LOCK_SUBCLASSES. */
RKM_LEAF void rkm_mutex_lock(struct rkm_mutex *mutex, unsigned int subclass);
/** rkm_mutex_lock_interruptible() - mutex_lock_interruptible(): 0 or -EINTR. */
int rkm_mutex_lock_interruptible(struct rkm_mutex *mutex);
/** rkm_mutex_unlock() - mutex_unlock(). */
RKM_LEAF void rkm_mutex_unlock(struct rkm_mutex *mutex);

/** rkm_spinlock_new() - a new spinlock_t (sleeping on PREEMPT_RT); NULL if out of memory. */
struct rkm_spinlock *rkm_spinlock_new(const char *name, struct rkm_lock_key *key);
/** rkm_spinlock_free() - free a spinlock; one still held (a forgotten guard) is leaked instead. */
void rkm_spinlock_free(struct rkm_spinlock *lock);
/** rkm_spin_lock() - spin_lock_nested(); @subclass < RKM_LOCK_SUBCLASSES. */
RKM_LEAF void rkm_spin_lock(struct rkm_spinlock *lock, unsigned int subclass);
/** rkm_spin_unlock() - spin_unlock(). */
RKM_LEAF void rkm_spin_unlock(struct rkm_spinlock *lock);
/**
 * rkm_spin_lock_irq() - spin_lock_nested() with local interrupts off (not on
 * PREEMPT_RT, as spin_lock_irqsave()). The interrupt state is counted per
 * CPU, not saved per call: it is restored when the last such lock of the CPU
 * is released, in whatever order the locks are released.
 */
RKM_LEAF void rkm_spin_lock_irq(struct rkm_spinlock *lock, unsigned int subclass);
/** rkm_spin_unlock_irq() - release a lock taken by rkm_spin_lock_irq(). */
RKM_LEAF void rkm_spin_unlock_irq(struct rkm_spinlock *lock);
/** rkm_irqs_disabled() - irqs_disabled(), for the crate's tests. */
bool rkm_irqs_disabled(void);

/** rkm_condvar_new() - a new wait queue head; NULL if out of memory. */
struct rkm_condvar *rkm_condvar_new(const char *name, struct rkm_lock_key *key);
/** rkm_condvar_free() - free a wait queue nobody waits on. */
void rkm_condvar_free(struct rkm_condvar *cv);
/**
 * rkm_condvar_wait_mutex() - sleep on @cv, interruptibly, with @mutex
 * released; it is held again on return, taken with @subclass as before.
 * Return: 0 after a wakeup (or a spurious one), -ERESTARTSYS if a signal is pending.
 */
int rkm_condvar_wait_mutex(struct rkm_condvar *cv, struct rkm_mutex *mutex, unsigned int subclass);
/** rkm_condvar_notify_all() - wake every waiter and poller of @cv. */
RKM_LEAF void rkm_condvar_notify_all(struct rkm_condvar *cv);

/* Reference counts: a refcount_t, 4 bytes of Rust memory used only here. */
struct rkm_refcount;
/** rkm_refcount_set() - refcount_set(). */
void rkm_refcount_set(struct rkm_refcount *ref, unsigned int n);
/** rkm_refcount_inc() - refcount_inc() (saturates and warns on overflow). */
RKM_LEAF void rkm_refcount_inc(struct rkm_refcount *ref);
/** rkm_refcount_dec_and_test() - refcount_dec_and_test(). */
RKM_LEAF bool rkm_refcount_dec_and_test(struct rkm_refcount *ref);
/** rkm_refcount_read() - refcount_read(). */
unsigned int rkm_refcount_read(struct rkm_refcount *ref);

/* The calling task. */
/** rkm_signal_pending() - whether the current task has a signal pending. */
bool rkm_signal_pending(void);
/** rkm_cond_resched() - cond_resched(). */
void rkm_cond_resched(void);
/** rkm_msleep_interruptible() - msleep_interruptible(): 0, or the ms left if a signal came. */
unsigned long rkm_msleep_interruptible(unsigned int ms);
/* Capabilities, rkm values (equal to the UAPI's). */
#define RKM_CAP_NET_ADMIN 12
#define RKM_CAP_SYS_ADMIN 21
/** rkm_capable() - capable(); unknown values are never granted. */
bool rkm_capable(unsigned int cap);

/*
 * User memory: user addresses travel as integers and are dereferenced only
 * here. Each returns what the kernel's function returns.
 */
/** rkm_copy_from_user() - copy_from_user(); returns the bytes NOT copied. */
RKM_LEAF size_t rkm_copy_from_user(void *dst, uintptr_t src, size_t len);
/** rkm_copy_to_user() - copy_to_user(); returns the bytes NOT copied. */
RKM_LEAF size_t rkm_copy_to_user(uintptr_t dst, const void *src, size_t len);
/** rkm_check_zeroed_user() - check_zeroed_user(): 1 all zero, 0 not, -EFAULT. */
int rkm_check_zeroed_user(uintptr_t src, size_t len);
/**
 * rkm_copy_from_user_fixed(), rkm_copy_to_user_fixed() - the same, for a
 * length that is a compile-time constant on the Rust side (one Pod value):
 * like C's constant-size copies, without the run-time hardened-usercopy check.
 */
RKM_LEAF size_t rkm_copy_from_user_fixed(void *dst, uintptr_t src, size_t len);
RKM_LEAF size_t rkm_copy_to_user_fixed(uintptr_t dst, const void *src, size_t len);
/** rkm_get_user_uN() - get_user(): 0, or -EFAULT with *val = 0. */
RKM_LEAF int rkm_get_user_u8(uintptr_t src, uint8_t *val);
RKM_LEAF int rkm_get_user_u16(uintptr_t src, uint16_t *val);
RKM_LEAF int rkm_get_user_u32(uintptr_t src, uint32_t *val);
RKM_LEAF int rkm_get_user_u64(uintptr_t src, uint64_t *val);
/** rkm_put_user_uN() - put_user(): 0 or -EFAULT. */
RKM_LEAF int rkm_put_user_u8(uintptr_t dst, uint8_t val);
RKM_LEAF int rkm_put_user_u16(uintptr_t dst, uint16_t val);
RKM_LEAF int rkm_put_user_u32(uintptr_t dst, uint32_t val);
RKM_LEAF int rkm_put_user_u64(uintptr_t dst, uint64_t val);
/**
 * rkm_copy_from_user_keep() - copy up to @len bytes, stopping at the first
 * fault; unlike copy_from_user(), the bytes of @dst after the copied ones
 * are left as they were. Returns the bytes copied.
 */
RKM_LEAF size_t rkm_copy_from_user_keep(void *dst, uintptr_t src, size_t len);

/*
 * Misc devices. Rust passes a table of callbacks (NULL: not implemented, and
 * then not set in the kernel's file_operations, which always has .owner).
 * open gets the device data given at registration and returns the per-open
 * state that every other callback gets; release frees it. Callbacks return
 * a count or a negative errno. read and write get the kernel's position for
 * this call (private to it) and move it by what they transfer. llseek gets
 * every whence the kernel passes, unchecked (lseek(2) refuses those above
 * RKM_SEEK_HOLE itself; in-kernel callers may pass others): the callback
 * decides, as a C driver's .llseek does.
 */
#define RKM_O_NONBLOCK 0x1u	/* the file is O_NONBLOCK */
#define RKM_SEEK_SET 0
#define RKM_SEEK_CUR 1
#define RKM_SEEK_END 2
#define RKM_SEEK_DATA 3
#define RKM_SEEK_HOLE 4
#define RKM_POLLIN 0x1u		/* POLLIN | POLLRDNORM */
#define RKM_POLLOUT 0x4u	/* POLLOUT | POLLWRNORM */
#define RKM_POLLERR 0x8u
struct rkm_miscdev;
struct rkm_file;
struct rkm_poll_table;

struct rkm_file_ops {
	int (*open)(const void *dev, void **state);
	void (*release)(void *state);
	/*
	 * read, write and ioctl become the kernel's own file operations: they
	 * get its struct file, opaque (rkm_file_state(), rkm_file_flags()), and
	 * for read and write its position for this call, private to it.
	 */
	long (*read)(struct rkm_file *file, uintptr_t buf, size_t len, int64_t *pos);
	long (*write)(struct rkm_file *file, uintptr_t buf, size_t len, int64_t *pos);
	int64_t (*llseek)(void *state, struct rkm_file *file, int64_t pos, int64_t off, int whence);
	long (*ioctl)(struct rkm_file *file, uint32_t cmd, uintptr_t arg);
	uint32_t (*poll)(void *state, struct rkm_file *file, struct rkm_poll_table *table,
			 int64_t pos);
};

/** rkm_file_state() - the per-open state that open returned, of an open file. */
RKM_LEAF void *rkm_file_state(struct rkm_file *file);
/** rkm_file_flags() - RKM_O_* flags of an open file. */
RKM_LEAF uint32_t rkm_file_flags(struct rkm_file *file);
/** rkm_file_pos() - the file position of an open file (f_pos). */
RKM_LEAF int64_t rkm_file_pos(struct rkm_file *file);

/**
 * rkm_miscdev_register() - register a misc device with a dynamic minor.
 * @name: its name (not NUL-terminated), copied.
 * @name_len: the name's length.
 * @mode: the device node's mode, e.g. 0600.
 * @ops: the callbacks; must outlive the module.
 * @dev: passed to @ops->open; must stay valid until rkm_miscdev_deregister().
 * @err: the negative errno on failure.
 * Return: a handle, or NULL on failure.
 */
struct rkm_miscdev *rkm_miscdev_register(const char *name, size_t name_len, uint16_t mode,
					 const struct rkm_file_ops *ops, const void *dev, int *err);
/**
 * rkm_miscdev_deregister() - no new opens after this returns; files still
 * open keep their state and callbacks until they are closed (the module
 * cannot be unloaded before). A device never deregistered (its Rust owner
 * leaked) is deregistered at module exit.
 */
void rkm_miscdev_deregister(struct rkm_miscdev *misc);
/** rkm_poll_wait() - poll_wait() on @cv for a poll callback's @file and @table. */
void rkm_poll_wait(struct rkm_file *file, struct rkm_poll_table *table, struct rkm_condvar *cv);

/*
 * Completions: a glue-owned struct completion (for interrupt-driven waits;
 * complete() is safe in any context).
 */
struct rkm_completion;
/** rkm_completion_new() - a new completion, not done; NULL if out of memory. */
struct rkm_completion *rkm_completion_new(void);
/** rkm_completion_free() - free a completion nobody waits on. */
void rkm_completion_free(struct rkm_completion *c);
/** rkm_completion_reinit() - reinit_completion(). */
RKM_LEAF void rkm_completion_reinit(struct rkm_completion *c);
/** rkm_completion_complete() - complete(): wake one waiter, or the next. */
RKM_LEAF void rkm_completion_complete(struct rkm_completion *c);
/** rkm_completion_wait() - wait_for_completion_interruptible(): 0 or -ERESTARTSYS. */
int rkm_completion_wait(struct rkm_completion *c);

/*
 * The device core, shared by every bus (glue/device.c). A bus registers a
 * driver with a struct rkm_driver_desc and, per bound device, the glue keeps
 * a "binding": a reference-counted object holding the device, the Rust
 * driver data (from probe until drop), the interrupt, one timer and a gate
 * (an rw_semaphore) that callers outside the driver core pass through to
 * reach the data. Unbinding closes the gate (waiting for those inside), then
 * tears down in a fixed order (see rkm_driver_ops).
 */
struct rkm_binding;
struct rkm_dma;

/* What a hard interrupt handler returns. */
#define RKM_IRQ_NONE 0		/* not this device's interrupt */
#define RKM_IRQ_HANDLED 1
#define RKM_IRQ_WAKE_THREAD 2	/* run the threaded handler */
/* Interrupt kinds (rkm_binding_irq_kind(), rkm_pci_irq_vector()). */
#define RKM_IRQ_MSI 1		/* message-signalled: never shared */
#define RKM_IRQ_INTX 2		/* a legacy line, possibly shared */

/**
 * struct rkm_driver_ops - the Rust driver's callbacks; @data is what probe returned.
 * @probe: with @binding (valid until probe returns, for the bus's probe
 *         calls below): 0 and *data set, or a negative errno.
 * @unbind: unbind has started: end waits (the gate is still open; others may
 *          be inside). Any context.
 * @remove: the gate is closed and empty; interrupt and timer still live.
 * @drop: interrupt freed, timer stopped, bus mastering off: free @data
 *        (DMA buffers dropped earlier are freed just before).
 * @irq: the hard interrupt handler (atomic context): RKM_IRQ_*.
 * @irq_thread: the threaded handler (process context).
 * @timer: the binding's timer expired (atomic context).
 * @attr_show: sysfs attribute @idx read: @buf is the page of @cap bytes
 *             sysfs gives; writes at most @cap - 1 bytes to it (sysfs cuts
 *             a count of @cap to @cap - 1); the count or a negative errno.
 * @attr_store: sysfs attribute @idx written with @len bytes: 0 or -errno.
 */
struct rkm_driver_ops {
	int (*probe)(const void *drv, struct rkm_binding *binding, void **data);
	void (*unbind)(void *data);
	void (*remove)(void *data);
	void (*drop)(void *data);
	int (*irq)(void *data);
	void (*irq_thread)(void *data);
	void (*timer)(void *data);
	long (*attr_show)(void *data, unsigned int idx, char *buf, size_t cap);
	int (*attr_store)(void *data, unsigned int idx, const char *buf, size_t len);
};

/** struct rkm_attr - a sysfs attribute of the bound devices. */
struct rkm_attr {
	const char *name;	/* not NUL-terminated, copied */
	size_t name_len;
	uint16_t mode;		/* 0444, 0644, 0400, 0600 or 0200 */
};

/**
 * struct rkm_driver_desc - what a bus's register call needs of any driver.
 * @name: the driver's name (not NUL-terminated), copied.
 * @name_len: its length.
 * @attrs: @nattrs attributes created on every bound device (at most 64).
 * @ops: the callbacks; must outlive the registration.
 * @drv: passed to @ops->probe; must outlive the registration.
 */
struct rkm_driver_desc {
	const char *name;
	size_t name_len;
	const struct rkm_attr *attrs;
	size_t nattrs;
	const struct rkm_driver_ops *ops;
	const void *drv;
};

/* During probe only, on its @binding: */
/** rkm_binding_dma_mask() - dma_set_mask_and_coherent(DMA_BIT_MASK(@bits)); 0 or -errno. */
int rkm_binding_dma_mask(struct rkm_binding *binding, unsigned int bits);

/* On a binding, while its data exists (from inside probe to @drop): */
/**
 * rkm_dma_alloc() - dma_alloc_coherent() of @size bytes for the device.
 * @cpu: the CPU address; @addr: the device (bus) address.
 * Return: a handle for rkm_dma_free(), holding a reference to the binding;
 * NULL if out of memory.
 */
struct rkm_dma *rkm_dma_alloc(struct rkm_binding *binding, size_t size, void **cpu,
			      uint64_t *addr);
/**
 * rkm_dma_free() - free a rkm_dma_alloc() buffer: now if bus mastering is
 * off for good (the device is unbinding or unbound), else when it is.
 */
void rkm_dma_free(struct rkm_dma *dma);
/** rkm_binding_timer_arm() - (re)arm the binding's timer @ms milliseconds from now. */
RKM_LEAF void rkm_binding_timer_arm(struct rkm_binding *binding, unsigned int ms);
/** rkm_binding_timer_cancel() - stop it and wait for a running callback (process context). */
void rkm_binding_timer_cancel(struct rkm_binding *binding);
/** rkm_binding_irq_kind() - RKM_IRQ_MSI, RKM_IRQ_INTX, or 0 if none. */
RKM_LEAF int rkm_binding_irq_kind(struct rkm_binding *binding);
/** rkm_dev_log() - rkm_log() through dev_printk() for the binding's device. */
void rkm_dev_log(struct rkm_binding *binding, int level, const char *msg, size_t len);

/* Any time: */
/** rkm_binding_get() - take a reference to a binding (it outlives the device's unbind). */
RKM_LEAF void rkm_binding_get(struct rkm_binding *binding);
/** rkm_binding_put() - drop one. */
void rkm_binding_put(struct rkm_binding *binding);
/**
 * rkm_binding_enter() - pass the gate (down_read): the driver data, or NULL
 * (not passed) if the binding is no longer, or not yet, live. Sleeps.
 */
void *rkm_binding_enter(struct rkm_binding *binding);
/** rkm_binding_leave() - leave the gate after a successful rkm_binding_enter(). */
RKM_LEAF void rkm_binding_leave(struct rkm_binding *binding);

/*
 * PCI drivers (glue/pci.c), on the device core: an id table, and probe-time
 * calls to enable the device, bus mastering, one interrupt vector and BARs.
 */
struct rkm_pci_driver;
struct rkm_bar;

/**
 * rkm_pci_register() - register a PCI driver.
 * @desc: name, attributes and callbacks (copied, but @desc->ops and
 *        @desc->drv must outlive the registration).
 * @ids: @nids (vendor, device) pairs, flattened.
 * @err: the negative errno on failure.
 * Return: a handle, or NULL. Probe may run before this returns.
 */
struct rkm_pci_driver *rkm_pci_register(const struct rkm_driver_desc *desc, const uint16_t *ids,
					size_t nids, int *err);
/**
 * rkm_pci_unregister() - unbind every device and unregister the driver. A
 * driver never unregistered (its Rust owner leaked) is at module exit.
 */
void rkm_pci_unregister(struct rkm_pci_driver *driver);

/* During probe only, on its @binding: */
/** rkm_pci_enable() - pci_enable_device(); 0 or -errno. Undone at unbind. */
int rkm_pci_enable(struct rkm_binding *binding);
/** rkm_pci_set_master() - enable bus mastering; cleared at unbind before @drop. */
void rkm_pci_set_master(struct rkm_binding *binding);
/**
 * rkm_pci_irq_vector() - allocate one interrupt vector, MSI if the device
 * has it, INTx otherwise; the glue requests it once probe has succeeded
 * (shared if INTx) and frees it at unbind before @drop.
 * Return: RKM_IRQ_MSI, RKM_IRQ_INTX or a negative errno.
 */
int rkm_pci_irq_vector(struct rkm_binding *binding);
/**
 * rkm_pci_iomap() - request BAR @bar and map it whole.
 * @min_len: fail with -EINVAL if the BAR is shorter.
 * @len: the BAR's length.
 * Return: a handle for rkm_bar_*() and rkm_pci_iounmap(), or NULL with *err
 * set. A mapping still held when the device is unbound (after @drop) is
 * revoked then: unmapped, reads give all ones, writes are dropped.
 */
struct rkm_bar *rkm_pci_iomap(struct rkm_binding *binding, unsigned int bar, size_t min_len,
			      size_t *len, int *err);
/** rkm_pci_iounmap() - unmap and release a BAR (if not revoked), free the handle. */
void rkm_pci_iounmap(struct rkm_bar *bar);

/* MMIO through a rkm_pci_iomap() handle, at an offset the caller checked. */
RKM_LEAF uint8_t rkm_bar_readb(struct rkm_bar *bar, size_t off);
RKM_LEAF uint16_t rkm_bar_readw(struct rkm_bar *bar, size_t off);
RKM_LEAF uint32_t rkm_bar_readl(struct rkm_bar *bar, size_t off);
RKM_LEAF uint64_t rkm_bar_readq(struct rkm_bar *bar, size_t off);
RKM_LEAF void rkm_bar_writeb(struct rkm_bar *bar, size_t off, uint8_t val);
RKM_LEAF void rkm_bar_writew(struct rkm_bar *bar, size_t off, uint16_t val);
RKM_LEAF void rkm_bar_writel(struct rkm_bar *bar, size_t off, uint32_t val);
RKM_LEAF void rkm_bar_writeq(struct rkm_bar *bar, size_t off, uint64_t val);

/**
 * rkm_panic() - report a Rust panic and BUG().
 * @msg: the formatted panic message and location, not NUL-terminated.
 * @len: its length in bytes.
 *
 * Does not return; declared returning so callers follow it with a trap.
 */
void rkm_panic(const char *msg, size_t len);

/**
 * rkm_rust_init() - the module's Rust init, called once from module_init.
 *
 * Return: 0, or a negative errno that fails the module load.
 */
int rkm_rust_init(void);

/**
 * rkm_rust_exit() - the module's Rust exit, called once from module_exit
 * after a successful rkm_rust_init().
 */
void rkm_rust_exit(void);

/* --- watchdog and PCI config space (issue 16) --- */

/*
 * PCI configuration space (glue/pci.c): a handle on a binding's device,
 * tracked like a BAR mapping and revoked at unbind (reads then give all
 * ones, writes are dropped). Accesses take the PCI config lock (a raw
 * spinlock): any context.
 */
struct rkm_pci_config;
/**
 * rkm_pci_config_get() - a config-space handle for a PCI binding being probed.
 * @size: set to the config space's size (256 or 4096 bytes).
 * @err: set to a negative errno on failure.
 */
struct rkm_pci_config *rkm_pci_config_get(struct rkm_binding *binding, size_t *size, int *err);
/** rkm_pci_config_put() - free the handle (untracking it if not revoked). */
void rkm_pci_config_put(struct rkm_pci_config *cfg);
/* pci_{read,write}_config_*() at an offset the caller checked (inside, aligned). */
uint8_t rkm_pci_config_readb(struct rkm_pci_config *cfg, size_t off);
uint16_t rkm_pci_config_readw(struct rkm_pci_config *cfg, size_t off);
uint32_t rkm_pci_config_readl(struct rkm_pci_config *cfg, size_t off);
void rkm_pci_config_writeb(struct rkm_pci_config *cfg, size_t off, uint8_t val);
void rkm_pci_config_writew(struct rkm_pci_config *cfg, size_t off, uint16_t val);
void rkm_pci_config_writel(struct rkm_pci_config *cfg, size_t off, uint32_t val);

/*
 * The watchdog core (glue/watchdog.c, compiled only into modules whose Rust
 * object uses it: it makes the module depend on watchdog.ko). The core calls
 * the ops in process context, serialised by its per-device lock; they may
 * sleep. After rkm_watchdog_unregister() returns none runs any more.
 */
struct rkm_watchdog;

/* rkm_watchdog_desc.flags */
#define RKM_WDT_NOWAYOUT 0x1
#define RKM_WDT_STOP_ON_REBOOT 0x2
#define RKM_WDT_STOP_ON_UNREGISTER 0x4

/**
 * struct rkm_watchdog_ops - the Rust driver's callbacks; @state is the
 * pointer given to rkm_watchdog_register(). Each returns 0 or -errno.
 * @start: start the hardware timer (mandatory)
 * @stop: stop it (mandatory)
 * @ping: reload it; NULL: the core calls @start instead
 * @set_timeout: program a timeout the core checked against min/max; NULL:
 *	the core only records it
 * @get_timeleft: seconds left; NULL: WDIOC_GETTIMELEFT gives EOPNOTSUPP
 */
struct rkm_watchdog_ops {
	int (*start)(const void *state, struct rkm_watchdog *w);
	int (*stop)(const void *state, struct rkm_watchdog *w);
	int (*ping)(const void *state, struct rkm_watchdog *w);
	int (*set_timeout)(const void *state, struct rkm_watchdog *w, unsigned int secs);
	unsigned int (*get_timeleft)(const void *state, struct rkm_watchdog *w);
};

/**
 * struct rkm_watchdog_desc - what struct watchdog_info and watchdog_device get
 * @identity: struct watchdog_info's identity (at most 31 bytes), not NUL-terminated
 * @identity_len: its length
 * @options: WDIOF_* bits the driver supports
 * @firmware_version: struct watchdog_info's firmware_version
 * @min_timeout: the smallest timeout in seconds
 * @max_timeout: the largest timeout in seconds
 * @timeout: the default timeout, in min_timeout..=max_timeout
 * @timeout_param: a module parameter's timeout; 0: none; out of range:
 *	ignored with the core's message (watchdog_init_timeout())
 * @bootstatus: WDIOF_* bits WDIOC_GETBOOTSTATUS reports
 * @flags: RKM_WDT_*
 */
struct rkm_watchdog_desc {
	const char *identity;
	size_t identity_len;
	uint32_t options;
	uint32_t firmware_version;
	unsigned int min_timeout;
	unsigned int max_timeout;
	unsigned int timeout;
	unsigned int timeout_param;
	uint32_t bootstatus;
	uint32_t flags;
};

/**
 * rkm_watchdog_register() - register a watchdog device (/dev/watchdogN)
 * whose parent is @binding's device; programs the initial timeout through
 * @ops->set_timeout (if any) first. Process context.
 * @err: set to a negative errno on failure (EINVAL: a bad descriptor).
 */
struct rkm_watchdog *rkm_watchdog_register(struct rkm_binding *binding,
					   const struct rkm_watchdog_desc *desc,
					   const struct rkm_watchdog_ops *ops, const void *state,
					   int *err);
/** rkm_watchdog_unregister() - unregister (stopping it if flagged), free. Process context. */
void rkm_watchdog_unregister(struct rkm_watchdog *w);
/** rkm_watchdog_timeout() - the current timeout in seconds. */
unsigned int rkm_watchdog_timeout(struct rkm_watchdog *w);
/** rkm_watchdog_nowayout() - 1 if the watchdog cannot be stopped once started. */
int rkm_watchdog_nowayout(struct rkm_watchdog *w);
/** rkm_watchdog_id() - N of /dev/watchdogN. */
int rkm_watchdog_id(struct rkm_watchdog *w);

#endif /* RKM_ABI_H */
