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
#define RKM_ABI_VERSION 10

/*
 * The glue defines RKM_LEAF (no ENDBR, no ftrace entry) for the functions
 * that only Rust calls, and only directly; the attribute is part of the type.
 */
#ifndef RKM_LEAF
#define RKM_LEAF
#endif

extern const int rkm_abi_version_10;

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
/** rkm_msleep() - msleep(): the whole ms, whatever signals come. */
void rkm_msleep(unsigned int ms);
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
struct rkm_vma;

struct rkm_file_ops {
	/* @file: the file being opened, for its flags and rkm_file_stream_open(). */
	int (*open)(const void *dev, struct rkm_file *file, void **state);
	void (*release)(void *state);
	/*
	 * read, write, ioctl and poll become the kernel's own file
	 * operations: they get its struct file, opaque (rkm_file_state(),
	 * rkm_file_flags()), for read and write its position for this call,
	 * private to it, and poll returns the kernel's EPOLL* bits (each
	 * RKM_POLL* is its value; IN and OUT with their NORM).
	 */
	long (*read)(struct rkm_file *file, uintptr_t buf, size_t len, int64_t *pos);
	long (*write)(struct rkm_file *file, uintptr_t buf, size_t len, int64_t *pos);
	int64_t (*llseek)(void *state, struct rkm_file *file, int64_t pos, int64_t off, int whence);
	long (*ioctl)(struct rkm_file *file, uint32_t cmd, uintptr_t arg);
	uint32_t (*poll)(struct rkm_file *file, struct rkm_poll_table *table);
	/* Issue 16: flush at every close(2) of a descriptor; fasync's queue of the file. */
	int (*flush)(void *state, struct rkm_file *file);
	struct rkm_fasync *(*fasync_queue)(void *state);
	int (*mmap)(void *state, struct rkm_file *file, struct rkm_vma *vma);
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

/* rkm_pci_register_ids() registers one (below, issue 16). */
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
 * rkm_pci_iomap() - request BAR @bar, memory or I/O ports (rkm_bar_kind()),
 * and map it whole (pci_iomap()).
 * @min_len: fail with -EINVAL if the BAR is shorter (or not implemented).
 * @len: the BAR's length.
 * Return: a handle for rkm_bar_*() and rkm_pci_iounmap(), or NULL with *err
 * set. A mapping still held when the device is unbound (after @drop) is
 * revoked then: unmapped, reads give all ones, writes are dropped.
 */
struct rkm_bar *rkm_pci_iomap(struct rkm_binding *binding, unsigned int bar, size_t min_len,
			      size_t *len, int *err);
/** rkm_pci_iounmap() - unmap and release a BAR (if not revoked), free the handle. */
void rkm_pci_iounmap(struct rkm_bar *bar);

/* Register access through a rkm_pci_iomap() handle, at an offset the caller checked. */
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

/**
 * rkm_module_name() - the module's name (KBUILD_MODNAME: what the build
 * named it, e.g. a driver built under the name of the C driver it
 * replaces), @len bytes, not NUL-terminated for Rust. Any context.
 */
const char *rkm_module_name(size_t *len);

/* --- device kinds: platform, char-device regions, misc attributes (issue 16) --- */
/*
 * Platform drivers (glue/platform.c) on the device core, matched by name, and
 * platform devices a module creates itself. Char-device regions
 * (glue/chrdev.c): @count minors with the misc devices' file operations, a
 * class and device nodes NAME0..NAME(count-1). Sysfs attributes of a misc
 * device (glue/miscattr.c).
 */
struct rkm_platform_driver;
struct rkm_platform_device;
struct rkm_chrdev;

/**
 * rkm_platform_register() - register a platform driver that binds the
 * platform devices named like it (@desc->name).
 * @desc: name, attributes and callbacks (copied, but @desc->ops and
 *        @desc->drv must outlive the registration).
 * @err: the negative errno on failure.
 * Return: a handle, or NULL. Probe may run before this returns.
 */
struct rkm_platform_driver *rkm_platform_register(const struct rkm_driver_desc *desc, int *err);
/**
 * rkm_platform_unregister() - unbind every device and unregister the
 * driver. A driver never unregistered (its owner leaked) is at module exit.
 */
void rkm_platform_unregister(struct rkm_platform_driver *driver);
/**
 * rkm_platform_device_new() - platform_device_register_simple(@name, @id):
 * the device "NAME.ID" on the platform bus, no resources.
 * Return: a handle, or NULL with *err set: -EINVAL for a bad name (see
 * rkm_miscdev_register(); at most 31 bytes), -EEXIST if that device exists.
 */
struct rkm_platform_device *rkm_platform_device_new(const char *name, size_t name_len,
						    uint32_t id, int *err);
/**
 * rkm_platform_device_free() - unregister it (unbinding its driver first).
 * One never freed (its owner leaked) is unregistered at module exit.
 */
void rkm_platform_device_free(struct rkm_platform_device *pdev);

/**
 * rkm_chrdev_register() - a char-device region of @count minors (1 to 64):
 * alloc_chrdev_region(), one cdev, a class NAME and device nodes NAMEi
 * (devtmpfs: /dev/NAMEi) of mode @mode.
 * @ops: the file callbacks; must outlive the module. @ops->open gets
 *       @devs[i] for minor i.
 * @devs: @count pointers (copied); each must stay valid until
 *        rkm_chrdev_unregister() returns.
 * Return: a handle, or NULL with *err set: -EINVAL for a bad name (as
 * rkm_miscdev_register(), at most 31 bytes) or count, -EEXIST if the class
 * exists. Opens before the module's init succeeded fail with -ENODEV.
 */
struct rkm_chrdev *rkm_chrdev_register(const char *name, size_t name_len, uint32_t count,
				       uint16_t mode, const struct rkm_file_ops *ops,
				       const void *const *devs, int *err);
/**
 * rkm_chrdev_unregister() - no new opens (of @ops->open) after this returns;
 * nodes, class, cdev and region are gone. Files still open keep their state
 * and callbacks until closed (the module cannot be unloaded before).
 */
void rkm_chrdev_unregister(struct rkm_chrdev *cd);

/**
 * struct rkm_misc_attr_ops - sysfs attribute callbacks of a misc device;
 * @dev is the misc device's @dev (valid: the files are removed before
 * rkm_miscdev_deregister() returns). As rkm_driver_ops' attr_show/attr_store.
 */
struct rkm_misc_attr_ops {
	long (*show)(const void *dev, unsigned int idx, char *buf, size_t cap);
	int (*store)(const void *dev, unsigned int idx, const char *buf, size_t len);
};
/**
 * rkm_miscdev_register_attrs() - rkm_miscdev_register() with @nattrs (at
 * most 64) sysfs attributes on the device (/sys/class/misc/NAME/ATTR),
 * checked as a driver's (rkm_attr), and not "dev", "uevent", "power" or
 * "subsystem" (-EINVAL).
 * @attr_ops: must outlive the module.
 */
struct rkm_miscdev *rkm_miscdev_register_attrs(const char *name, size_t name_len, uint16_t mode,
					       const struct rkm_file_ops *ops, const void *dev,
					       const struct rkm_attr *attrs, size_t nattrs,
					       const struct rkm_misc_attr_ops *attr_ops, int *err);

/* --- kernel services (issue 16) --- */
/*
 * Workqueues, timers, kernel threads and debugfs (glue/workqueue.c,
 * timer.c, kthread.c, debugfs.c). Every object is allocated by the glue and
 * never moves; callbacks get the Rust owner's data pointer, valid until the
 * object is freed, and freeing cancels or stops synchronously. Objects a
 * driver leaked are cancelled, stopped or removed at module exit.
 */
/* Longest name of a workqueue, kernel thread or debugfs entry. */
#define RKM_NAME_MAX 64
/* Work and timer delays in ms are capped at this (30 days). */
#define RKM_DELAY_MAX_MS 2592000000u
/* An hrtimer's restart period is at least this (10 us): no interrupt storm. */
#define RKM_HRTIMER_MIN_NS 10000ull
/* An hrtimer's start delay is capped at this (30 days). */
#define RKM_HRTIMER_MAX_NS 2592000000000000ull
/* alloc_workqueue() flags: rkm values. */
#define RKM_WQ_UNBOUND 0x1u
#define RKM_WQ_HIGHPRI 0x2u

struct rkm_wq;
struct rkm_work;
/**
 * rkm_wq_alloc() - alloc_workqueue() named @name (not NUL-terminated).
 * @flags: RKM_WQ_*; unknown bits fail with -EINVAL, as an empty or long name.
 * Return: a handle holding one reference, or NULL with *err set. Process context.
 */
struct rkm_wq *rkm_wq_alloc(const char *name, size_t name_len, uint32_t flags, int *err);
/** rkm_wq_put() - drop a reference; the last destroys (drains) it. Sleeps. */
void rkm_wq_put(struct rkm_wq *wq);
/** rkm_wq_flush() - flush_workqueue(). Sleeps. */
void rkm_wq_flush(struct rkm_wq *wq);
/**
 * rkm_work_new() - a work item (a delayed_work) running @fn(@data) in
 * process context on @wq (referenced until freed) or, if NULL, system_wq.
 * Return: NULL if out of memory.
 */
struct rkm_work *rkm_work_new(struct rkm_wq *wq, void (*fn)(void *data), void *data);
/** rkm_work_queue() - queue_delayed_work() in @ms (0: now); false if already pending. Any context. */
RKM_LEAF bool rkm_work_queue(struct rkm_work *work, unsigned int ms);
/** rkm_work_mod() - mod_delayed_work(): (re)set the delay; false if it was idle. Any context. */
RKM_LEAF bool rkm_work_mod(struct rkm_work *work, unsigned int ms);
/** rkm_work_pending() - delayed_work_pending(). */
RKM_LEAF bool rkm_work_pending(struct rkm_work *work);
/** rkm_work_cancel_sync() - cancel_delayed_work_sync(): true if it was pending. Sleeps. */
bool rkm_work_cancel_sync(struct rkm_work *work);
/** rkm_work_flush() - flush_delayed_work(): wait for the pending or running callback. Sleeps. */
void rkm_work_flush(struct rkm_work *work);
/** rkm_work_free() - refuse queueing, cancel synchronously, free. Sleeps. */
void rkm_work_free(struct rkm_work *work);

struct rkm_hrtimer;
/**
 * rkm_hrtimer_new() - a CLOCK_MONOTONIC relative hrtimer calling @fn(@data)
 * in hard interrupt context (softirq thread on PREEMPT_RT); @fn returns 0,
 * or the ns until it runs again (at least RKM_HRTIMER_MIN_NS).
 * Return: NULL if out of memory.
 */
struct rkm_hrtimer *rkm_hrtimer_new(uint64_t (*fn)(void *data), void *data);
/** rkm_hrtimer_start() - hrtimer_start() @ns from now (capped); restarts a pending one. Any context. */
RKM_LEAF void rkm_hrtimer_start(struct rkm_hrtimer *timer, uint64_t ns);
/** rkm_hrtimer_try_cancel() - hrtimer_try_to_cancel(): 0 idle, 1 cancelled, -1 running. Any context. */
RKM_LEAF int rkm_hrtimer_try_cancel(struct rkm_hrtimer *timer);
/** rkm_hrtimer_active() - hrtimer_active(): pending or running. */
RKM_LEAF bool rkm_hrtimer_active(struct rkm_hrtimer *timer);
/** rkm_hrtimer_free() - refuse restarts, hrtimer_cancel(), free. Sleeps on PREEMPT_RT. */
void rkm_hrtimer_free(struct rkm_hrtimer *timer);

struct rkm_timer;
/**
 * rkm_timer_new() - a timer_list calling @fn(@data) in softirq context; @fn
 * returns 0, or the ms until it runs again. Return: NULL if out of memory.
 */
struct rkm_timer *rkm_timer_new(uint32_t (*fn)(void *data), void *data);
/** rkm_timer_start() - mod_timer() @ms from now (capped). Any context. */
RKM_LEAF void rkm_timer_start(struct rkm_timer *timer, unsigned int ms);
/** rkm_timer_cancel() - del_timer(): true if it was pending. Any context. */
RKM_LEAF bool rkm_timer_cancel(struct rkm_timer *timer);
/** rkm_timer_pending() - timer_pending(). */
RKM_LEAF bool rkm_timer_pending(struct rkm_timer *timer);
/** rkm_timer_free() - refuse re-arming, del_timer_sync(), free. Process context. */
void rkm_timer_free(struct rkm_timer *timer);

struct rkm_kthread;
/**
 * rkm_kthread_run() - kthread_run() named @name (not NUL-terminated), calling
 * @fn(@k, @data) unless stopped first.
 * Return: a handle, or NULL with *err set (-EINVAL: empty or long name). Sleeps.
 */
struct rkm_kthread *rkm_kthread_run(const char *name, size_t name_len,
				    void (*fn)(struct rkm_kthread *k, void *data), void *data,
				    int *err);
/** rkm_kthread_wake() - make the thread's current or next rkm_kthread_sleep() return 1. Any context. */
RKM_LEAF void rkm_kthread_wake(struct rkm_kthread *k);
/** rkm_kthread_should_stop() - kthread_should_stop(), in the thread. */
bool rkm_kthread_should_stop(void);
/** rkm_kthread_sleep() - in thread @k: sleep up to @ms; 1 if woken, 0 on timeout or stop. */
int rkm_kthread_sleep(struct rkm_kthread *k, unsigned int ms);
/** rkm_kthread_stop() - kthread_stop(): wait for the thread to end; whether @fn ran. Sleeps. */
bool rkm_kthread_stop(struct rkm_kthread *k);
/** rkm_kthread_free() - free a stopped thread's handle. */
void rkm_kthread_free(struct rkm_kthread *k);

/*
 * debugfs: a directory at the debugfs root, with files whose callbacks get
 * the struct rkm_debugfs_entry given at creation (Rust's, starting with the
 * table), the user buffer and the position, as misc devices' read and write.
 */
struct rkm_debugfs_dir;
struct rkm_debugfs_entry;
struct rkm_debugfs_ops {
	long (*read)(struct rkm_debugfs_entry *entry, uintptr_t buf, size_t len, int64_t *pos);
	long (*write)(struct rkm_debugfs_entry *entry, uintptr_t buf, size_t len, int64_t *pos);
};
struct rkm_debugfs_entry {
	const struct rkm_debugfs_ops *ops;
};
/**
 * rkm_debugfs_dir_new() - debugfs_create_dir() at the root.
 * Return: a handle, or NULL with *err: -EINVAL (bad name), -EEXIST, -ENODEV
 * (no debugfs in this kernel) or -EPERM (debugfs disabled at boot). Sleeps.
 */
struct rkm_debugfs_dir *rkm_debugfs_dir_new(const char *name, size_t name_len, int *err);
/**
 * rkm_debugfs_file_new() - a file in @dir with @mode (at most 0666; write
 * bits only with a write callback; read is required) and @entry, which
 * must stay valid until rkm_debugfs_dir_remove(). 0 or -errno. Sleeps.
 */
int rkm_debugfs_file_new(struct rkm_debugfs_dir *dir, const char *name, size_t name_len,
			 uint16_t mode, struct rkm_debugfs_entry *entry);
/** rkm_debugfs_dir_remove() - remove @dir and its files, waiting for callers inside them. Sleeps. */
void rkm_debugfs_dir_remove(struct rkm_debugfs_dir *dir);

/* --- file operations and CondVar (issue 16) --- */
/* More of rkm_file_flags(): */
#define RKM_O_APPEND 0x2u	/* the file is O_APPEND */
/* rkm_file_mode(): how the file was opened (the kernel's FMODE_READ, FMODE_WRITE). */
#define RKM_FMODE_READ 0x1u
#define RKM_FMODE_WRITE 0x2u
/* More poll bits, each the kernel's EPOLL* value (the glue checks). */
#define RKM_POLLPRI 0x2u
#define RKM_POLLHUP 0x10u
#define RKM_POLLRDNORM 0x40u
#define RKM_POLLWRNORM 0x100u
#define RKM_POLLRDHUP 0x2000u
/* SIGIO bands for rkm_fasync_kill(): the kernel's POLL_* si_codes. */
#define RKM_POLL_IN 1
#define RKM_POLL_OUT 2
#define RKM_POLL_MSG 3
#define RKM_POLL_ERR 4
#define RKM_POLL_PRI 5
#define RKM_POLL_HUP 6
struct rkm_fasync;

/** rkm_file_mode() - RKM_FMODE_* of an open file. */
RKM_LEAF uint32_t rkm_file_mode(struct rkm_file *file);
/**
 * rkm_file_stream_open() - stream_open() on a file being opened: no
 * position (pread/pwrite/lseek fail with ESPIPE). Only from the open callback.
 */
void rkm_file_stream_open(struct rkm_file *file);
/** rkm_file_nonseekable_open() - nonseekable_open(), only from the open callback. */
void rkm_file_nonseekable_open(struct rkm_file *file);
/** rkm_fasync_new() - an empty fasync queue; NULL if out of memory. */
struct rkm_fasync *rkm_fasync_new(void);
/** rkm_fasync_free() - free an empty queue (a non-empty one is leaked, with a warning). */
void rkm_fasync_free(struct rkm_fasync *q);
/** rkm_fasync_kill() - kill_fasync(SIGIO, @band): any context. */
RKM_LEAF void rkm_fasync_kill(struct rkm_fasync *q, int band);
/**
 * rkm_condvar_wait_timeout() - sleep on @cv, interruptibly, with @mutex
 * (held, of lockdep @subclass) released, at most @timeout_ms (0: no
 * limit); exclusively if @exclusive (woken one at a
 * time by rkm_condvar_notify_one()).
 * Return: 0 when woken (*@left_ms: what remains of the timeout), -ETIMEDOUT,
 * or -ERESTARTSYS on a signal; @mutex held again in every case.
 */
int rkm_condvar_wait_timeout(struct rkm_condvar *cv, struct rkm_mutex *mutex,
			     unsigned int subclass, bool exclusive, uint64_t timeout_ms,
			     uint64_t *left_ms);
/** rkm_condvar_notify_one() - wake_up(): every non-exclusive waiter and poller, one exclusive waiter. */
RKM_LEAF void rkm_condvar_notify_one(struct rkm_condvar *cv);

/*
 * Buffers user space can mmap: page-granular, zeroed (vmalloc_user()),
 * reference-counted: one reference for the owner, one for each VMA mapping
 * it (taken at mapping, at fork, split and mremap; dropped at unmap), so the
 * pages stay until the owner dropped it and the last mapping is gone.
 */
struct rkm_mmap_buf;
/* rkm_vma_flags(): */
#define RKM_VMA_WRITE 0x1u	/* VM_WRITE */
#define RKM_VMA_SHARED 0x2u	/* VM_SHARED */
/** rkm_mmap_buf_new() - @size bytes rounded up to pages; NULL if out of memory. */
struct rkm_mmap_buf *rkm_mmap_buf_new(size_t size);
/** rkm_mmap_buf_get() - take another owner reference. */
void rkm_mmap_buf_get(struct rkm_mmap_buf *b);
/** rkm_mmap_buf_put() - drop an owner's reference. */
void rkm_mmap_buf_put(struct rkm_mmap_buf *b);
/** rkm_mmap_buf_size() - its size in bytes (whole pages). */
RKM_LEAF size_t rkm_mmap_buf_size(struct rkm_mmap_buf *b);
/** rkm_mmap_buf_read() - copy @len bytes at @off (within the size) to @dst. */
void rkm_mmap_buf_read(struct rkm_mmap_buf *b, size_t off, void *dst, size_t len);
/** rkm_mmap_buf_write() - copy @len bytes from @src to @off (within the size). */
void rkm_mmap_buf_write(struct rkm_mmap_buf *b, size_t off, const void *src, size_t len);
/**
 * rkm_vma_map_buf() - map @b into @vma from the VMA's page offset on
 * (remap_vmalloc_range()): -EINVAL if the VMA reaches past the buffer.
 */
int rkm_vma_map_buf(struct rkm_vma *vma, struct rkm_mmap_buf *b);
/** rkm_vma_len() - the VMA's length in bytes. */
RKM_LEAF size_t rkm_vma_len(struct rkm_vma *vma);
/** rkm_vma_pgoff() - its offset in the file, in pages. */
RKM_LEAF uint64_t rkm_vma_pgoff(struct rkm_vma *vma);
/** rkm_vma_flags() - RKM_VMA_*. */
RKM_LEAF uint32_t rkm_vma_flags(struct rkm_vma *vma);
/** rkm_vma_deny_write() - clear VM_MAYWRITE: mprotect(PROT_WRITE) fails with EACCES. */
void rkm_vma_deny_write(struct rkm_vma *vma);

/* --- PCI for driver authors (issue 16) --- */

/* In struct rkm_pci_id: matches any value of that field. */
#define RKM_PCI_ANY_ID 0xffffffffu
/* Most entries an id table may have. */
#define RKM_PCI_IDS_MAX 1024

/**
 * struct rkm_pci_id - one entry of a PCI driver's id table, as struct
 * pci_device_id without driver_data (the glue sets it to the index + 1).
 * No entry may have vendor, subvendor and class_mask all 0 (the kernel's
 * table terminator).
 */
struct rkm_pci_id {
	uint32_t vendor;
	uint32_t device;
	uint32_t subvendor;
	uint32_t subdevice;
	uint32_t class;
	uint32_t class_mask;
};

/**
 * rkm_pci_register_ids() - register a PCI driver.
 * @desc: name, attributes and callbacks (copied, but @desc->ops and
 *        @desc->drv must outlive the registration).
 * @ids: @nids entries (1..RKM_PCI_IDS_MAX, none all-zero), copied.
 * @vector_irq: the hard handler (atomic context) of the vectors of
 *              rkm_pci_irq_vectors(), with the binding's data and the
 *              vector's index: RKM_IRQ_HANDLED or RKM_IRQ_NONE.
 * @err: the negative errno on failure (-EINVAL for a bad table).
 * Return: a handle, or NULL. Probe may run before this returns. A device
 * added through the driver's new_id file binds only with a driver_data
 * naming an entry (its index + 1): it then probes as that entry.
 */
struct rkm_pci_driver *rkm_pci_register_ids(const struct rkm_driver_desc *desc,
					    const struct rkm_pci_id *ids, size_t nids,
					    int (*vector_irq)(void *data, unsigned int vector),
					    int *err);
/**
 * rkm_pci_id_index() - during probe, on its binding: the index of the id
 * table entry the device matched, or -ENOENT.
 */
int rkm_pci_id_index(struct rkm_binding *binding);

/* BAR kinds (rkm_bar_kind()). */
#define RKM_BAR_MEM 1		/* memory-mapped: readX()/writeX() */
#define RKM_BAR_IO 2		/* I/O ports: inX()/outX() through ioreadX()/iowriteX() */
/** rkm_bar_kind() - RKM_BAR_MEM or RKM_BAR_IO; any context. */
RKM_LEAF int rkm_bar_kind(struct rkm_bar *bar);

/* Interrupt types (rkm_pci_irq_vectors()): which to try, and which it got. */
#define RKM_PCI_IRQ_INTX 1
#define RKM_PCI_IRQ_MSI 2
#define RKM_PCI_IRQ_MSIX 4
/* Most vectors rkm_pci_irq_vectors() allocates. */
#define RKM_PCI_VECTORS_MAX 32
/**
 * rkm_pci_irq_vectors() - during probe: pci_alloc_irq_vectors() of @min to
 * @max (1..RKM_PCI_VECTORS_MAX) vectors of the RKM_PCI_IRQ_* @types (MSI-X
 * tried first, then MSI, then INTx). Each is requested with the driver's
 * @vector_irq once probe has succeeded (a failure then unbinds the device
 * and fails the probe), freed at unbind before the data is dropped, highest
 * index first. *@kind: the type it got.
 * Return: the number of vectors; -EINVAL (bad arguments), -EBUSY (vectors
 * already allocated by this call or rkm_pci_irq_vector()), -ENOSPC or
 * another error of pci_alloc_irq_vectors().
 */
int rkm_pci_irq_vectors(struct rkm_binding *binding, unsigned int min, unsigned int max,
			unsigned int types, unsigned int *kind);

/* Streaming DMA directions (rkm_stream_map()). */
#define RKM_DMA_BIDIRECTIONAL 0
#define RKM_DMA_TO_DEVICE 1
#define RKM_DMA_FROM_DEVICE 2
/*
 * Streaming DMA buffers, on a binding while its data exists; each is a
 * struct rkm_dma freed by rkm_dma_free() (which unmaps it if mapped; if the
 * device was ever given it, not before bus mastering is off for good).
 */
/**
 * rkm_stream_alloc() - @size bytes (not 0) of zeroed kernel memory for
 * streaming DMA, not mapped, from ZONE_DMA if the device's DMA mask is under
 * 32 bits; *@cpu its address. NULL if out of memory.
 * Process context (sleeps).
 */
struct rkm_dma *rkm_stream_alloc(struct rkm_binding *binding, size_t size, void **cpu);
/**
 * rkm_stream_map() - dma_map_single() the whole buffer in direction @dir
 * (RKM_DMA_*); *@addr its device address. 0, -EINVAL (bad @dir), -EBUSY
 * (already mapped) or -ENOMEM (mapping failed). Any context.
 */
int rkm_stream_map(struct rkm_dma *dma, int dir, uint64_t *addr);
/** rkm_stream_unmap() - dma_unmap_single() it if mapped. Any context. */
RKM_LEAF void rkm_stream_unmap(struct rkm_dma *dma);
/** rkm_stream_sync_for_cpu() - dma_sync_single_for_cpu() if mapped. Any context. */
RKM_LEAF void rkm_stream_sync_for_cpu(struct rkm_dma *dma);
/** rkm_stream_sync_for_device() - dma_sync_single_for_device() if mapped. Any context. */
RKM_LEAF void rkm_stream_sync_for_device(struct rkm_dma *dma);

/* --- watchdog and PCI config space (issue 16) --- */

/*
 * PCI configuration space (glue/pci.c): a handle on a binding's device,
 * tracked like a BAR mapping and revoked at unbind (reads then give all
 * ones, writes -ENODEV). Writes reach only the device's own registers: the
 * standard header, the capabilities the kernel owns (every capability's
 * header, vendor-specific bodies excepted) and the extended space (but the
 * bodies of vendor-specific extended capabilities) are -EPERM, decided by a
 * map of the device's capability list made once at get. Accesses take the
 * PCI config lock (a raw spinlock): any context.
 */
struct rkm_pci_config;
/**
 * rkm_pci_config_get() - a config-space handle for a PCI binding being probed.
 * @size: set to the config space's size (256 or 4096 bytes).
 * @err: set to a negative errno on failure.
 *
 * Process context: walks the capability lists.
 */
struct rkm_pci_config *rkm_pci_config_get(struct rkm_binding *binding, size_t *size, int *err);
/** rkm_pci_config_put() - free the handle (untracking it if not revoked). */
void rkm_pci_config_put(struct rkm_pci_config *cfg);
/* pci_{read,write}_config_*() at an offset the caller checked (inside, aligned). */
uint8_t rkm_pci_config_readb(struct rkm_pci_config *cfg, size_t off);
uint16_t rkm_pci_config_readw(struct rkm_pci_config *cfg, size_t off);
uint32_t rkm_pci_config_readl(struct rkm_pci_config *cfg, size_t off);
/* 0; -EPERM if a byte written is protected (nothing written); -ENODEV if revoked. */
int rkm_pci_config_writeb(struct rkm_pci_config *cfg, size_t off, uint8_t val);
int rkm_pci_config_writew(struct rkm_pci_config *cfg, size_t off, uint16_t val);
int rkm_pci_config_writel(struct rkm_pci_config *cfg, size_t off, uint32_t val);

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

/* --- scatter-gather streaming DMA (issue 16) --- */

/* The most chunks one rkm_sg_alloc() buffer may have. */
#define RKM_SG_MAX_CHUNKS 4096
/* One mapped segment of a scatter-gather buffer (a cursor for rkm_sg_seg()). */
struct rkm_sg_seg;
/**
 * rkm_sg_alloc() - a streaming buffer of @size bytes (not 0) made of
 * separate zeroed kmalloc()ed chunks of @chunk bytes (not 0; the last one
 * is shorter if @chunk does not divide @size), at most RKM_SG_MAX_CHUNKS,
 * from ZONE_DMA if the device's DMA mask is under 32 bits; not mapped.
 * Freed by rkm_dma_free(); unmapped and synced by rkm_stream_unmap() and
 * rkm_stream_sync_for_*().
 * @err: set to -EINVAL (a zero size or chunk, too many chunks) or -ENOMEM.
 * Process context (sleeps).
 */
struct rkm_dma *rkm_sg_alloc(struct rkm_binding *binding, size_t size, size_t chunk, int *err);
/** rkm_sg_chunk() - the CPU address of chunk @i; NULL if there is none. Any context. */
RKM_LEAF void *rkm_sg_chunk(struct rkm_dma *dma, size_t i);
/**
 * rkm_sg_map() - dma_map_sgtable() the buffer in direction @dir (RKM_DMA_*);
 * *@nsegs: how many device segments it got (fewer than its chunks where an
 * IOMMU merged some). 0, -EINVAL (bad @dir), -EBUSY (mapped, or not a
 * scatter-gather buffer), -ENODEV (the binding is gone) or -ENOMEM
 * (mapping failed). Any context.
 */
int rkm_sg_map(struct rkm_dma *dma, int dir, size_t *nsegs);
/**
 * rkm_sg_seg() - mapped segment @i: its device address and length. @prev
 * is what the call for segment @i - 1 returned (NULL for @i 0). NULL once
 * @i reaches the count rkm_sg_map() gave, or if the buffer is not mapped.
 * Any context.
 */
RKM_LEAF const struct rkm_sg_seg *rkm_sg_seg(struct rkm_dma *dma, const struct rkm_sg_seg *prev,
					     size_t i, uint64_t *addr, size_t *len);

/* --- block devices: blk-mq disks, requests, a sparse page store (issue 18) --- */

/*
 * A disk with its own blk-mq tag set. Built into a module only if its Rust
 * object calls rkm_blk_* (kbuild/rkm.mk); such a module needs CONFIG_BLOCK.
 */
struct rkm_blk_disk;
/* A started request, between queue_rq and its end (blk_mq_end_request). */
struct rkm_blk_request;
/* A sparse store of pages indexed by byte position (an xarray). */
struct rkm_blk_store;

/* rkm_blk_disk_desc.flags */
#define RKM_BLK_ROTATIONAL 0x1u	/* a rotating disk (queue/rotational 1) */
#define RKM_BLK_BLOCKING 0x2u	/* queue_rq may sleep (BLK_MQ_F_BLOCKING) */
#define RKM_BLK_WRITE_CACHE 0x4u	/* a volatile write cache: flushes reach queue_rq */

/* rkm_blk_rq_info.op: the operations queue_rq gets (others end with BLK_STS_NOTSUPP). */
#define RKM_BLK_OP_READ 0u
#define RKM_BLK_OP_WRITE 1u
#define RKM_BLK_OP_FLUSH 2u
#define RKM_BLK_OP_DISCARD 3u
#define RKM_BLK_OP_WRITE_ZEROES 4u

/* rkm_blk_rq_info.flags */
#define RKM_BLK_RQ_FUA 0x1u	/* forced unit access (REQ_FUA) */

/* The deepest tag set (BLK_MQ_MAX_DEPTH). */
#define RKM_BLK_MAX_DEPTH 10240
/* The longest disk name (DISK_NAME_LEN - 1). */
#define RKM_BLK_NAME_MAX 31

/**
 * struct rkm_blk_rq_info - what queue_rq tells Rust about a request
 * @op: RKM_BLK_OP_*
 * @flags: RKM_BLK_RQ_*
 * @sector: the first 512-byte sector (blk_rq_pos)
 * @bytes: its length in bytes (blk_rq_bytes; 0 for a flush)
 * @tag: unique among the disk's requests in flight: hardware queue number
 *	times the queue depth plus the request's tag (below nr_hw_queues *
 *	queue_depth of the disk's descriptor)
 */
struct rkm_blk_rq_info {
	uint32_t op;
	uint32_t flags;
	uint64_t sector;
	uint32_t bytes;
	uint32_t tag;
};

/**
 * struct rkm_blk_ops - the Rust driver's callbacks
 * @queue_rq: a started request, now owned by Rust, which ends it exactly
 *	once (rkm_blk_rq_end() or rkm_blk_rq_complete()), from any context.
 *	@data is the pointer given to rkm_blk_disk_add(); @may_sleep is 1 if
 *	the disk is RKM_BLK_BLOCKING. Atomic context unless @may_sleep.
 */
struct rkm_blk_ops {
	void (*queue_rq)(const void *data, struct rkm_blk_request *rq,
			 const struct rkm_blk_rq_info *info, int may_sleep);
};

/**
 * struct rkm_blk_disk_desc - a disk and its tag set
 * @name, @name_len: the disk's name (1 to RKM_BLK_NAME_MAX bytes, no '/', not
 *	"." or "..")
 * @capacity: in 512-byte sectors, at most S64_MAX >> 9
 * @logical_block_size, @physical_block_size: powers of two, 512 to 4096;
 *	physical at least logical
 * @max_discard_sectors, @max_write_zeroes_sectors: 0: not supported
 * @nr_hw_queues: 1 to the number of possible CPUs (more: clamped)
 * @queue_depth: 1 to RKM_BLK_MAX_DEPTH
 * @flags: RKM_BLK_*
 * @poll_queues: hardware queues for polled I/O (io_uring IOPOLL, RWF_HIPRI),
 *	after the others, at most the CPUs: their requests reach queue_rq like
 *	any other, and end as the driver ends them (the poll finds them done)
 */
struct rkm_blk_disk_desc {
	const char *name;
	size_t name_len;
	uint64_t capacity;
	uint32_t logical_block_size;
	uint32_t physical_block_size;
	uint32_t max_discard_sectors;
	uint32_t max_write_zeroes_sectors;
	uint32_t nr_hw_queues;
	uint32_t queue_depth;
	uint32_t flags;
	uint32_t poll_queues;
};

/**
 * rkm_blk_disk_add() - allocate a tag set and a disk, add the disk
 * (/dev/NAME, no partitions). Opens are refused (ENXIO) until the module's
 * init has succeeded.
 * @err: set to -EINVAL (a bad descriptor), -EEXIST (this module has a disk
 * of that name), -ENOMEM, or what the block layer returned.
 * Process context.
 */
struct rkm_blk_disk *rkm_blk_disk_add(const struct rkm_blk_disk_desc *desc,
				      const struct rkm_blk_ops *ops, const void *data, int *err);
/**
 * rkm_blk_disk_del() - remove the disk: new I/O fails, requests in flight
 * are waited for (del_gendisk), then the disk and its tag set are freed;
 * no queue_rq runs after it returns. Process context.
 */
void rkm_blk_disk_del(struct rkm_blk_disk *disk);
/** rkm_blk_disk_queues() - its hardware queues for normal I/O (the descriptor's, at most the CPUs). */
RKM_LEAF uint32_t rkm_blk_disk_queues(struct rkm_blk_disk *disk);
/** rkm_blk_rq_end() - end @rq now with -errno @err (0: success). Any context. */
RKM_LEAF void rkm_blk_rq_end(struct rkm_blk_request *rq, int err);
/**
 * rkm_blk_rq_complete() - end @rq with @err through the block layer's
 * completion (softirq, on the submitting CPU): blk_mq_complete_request().
 * Any context.
 */
RKM_LEAF void rkm_blk_rq_complete(struct rkm_blk_request *rq, int err);
/**
 * rkm_blk_rq_copy() - copy @len bytes between @buf and the request's data
 * at byte @offset: into the request if @to_rq, else out of it. 0, or
 * -EINVAL if the range is not within the request's data. Any context.
 */
RKM_LEAF int rkm_blk_rq_copy(struct rkm_blk_request *rq, uint64_t offset, void *buf, size_t len,
			     int to_rq);
/** rkm_blk_store_new() - an empty store; NULL if out of memory. Process context. */
struct rkm_blk_store *rkm_blk_store_new(void);
/** rkm_blk_store_free() - free the store and all its pages. Process context. */
void rkm_blk_store_free(struct rkm_blk_store *store);
/**
 * rkm_blk_store_rw() - transfer @rq's data (a read or a write, at its
 * sector) from or to the store: a read of a page never written gives
 * zeroes; a write allocates missing pages (GFP_NOIO if @may_sleep, else
 * GFP_NOWAIT). 0, or -ENOSPC if a page could not be allocated (the pages
 * before it are written), -EINVAL if @rq is neither a read nor a write.
 * Any context (sleeps only if @may_sleep).
 */
RKM_LEAF int rkm_blk_store_rw(struct rkm_blk_store *store, struct rkm_blk_request *rq,
			      int may_sleep);
/**
 * rkm_blk_store_discard() - the bytes [@pos, @pos + @len) read as zeroes
 * from now on: pages wholly inside are freed, others zeroed in part.
 * Any context.
 */
RKM_LEAF void rkm_blk_store_discard(struct rkm_blk_store *store, uint64_t pos, uint64_t len);
/** rkm_blk_store_pages() - how many pages the store holds. Any context. */
RKM_LEAF uint64_t rkm_blk_store_pages(struct rkm_blk_store *store);

/* --- hrtimer slots and configfs (issue 18) --- */
/*
 * hrtimer slots (glue/hrtimer.c): a CLOCK_MONOTONIC relative hrtimer that
 * runs @fn(@data) once per start and never re-arms by itself; the Rust side
 * keeps the value handed to it. Modes (rkm values):
 * RKM_HRSLOT_SOFT: HRTIMER_MODE_REL_SOFT, softirq (ktimers thread on RT);
 * RKM_HRSLOT_IRQ: HRTIMER_MODE_REL, hard interrupt (soft on PREEMPT_RT).
 */
#define RKM_HRSLOT_SOFT 0u
#define RKM_HRSLOT_IRQ 1u
struct rkm_hrslot;
/**
 * rkm_hrslot_new() - a stopped slot calling @fn(@data) at each expiry.
 * Return: NULL with *err set: -EINVAL (bad @mode), -ENOMEM, -ENODEV (module
 * exit has begun). Sleeps.
 */
struct rkm_hrslot *rkm_hrslot_new(void (*fn)(void *data), void *data, uint32_t mode, int *err);
/** rkm_hrslot_start() - hrtimer_start() @ns from now (capped); false once freeing began. Any context. */
RKM_LEAF bool rkm_hrslot_start(struct rkm_hrslot *slot, uint64_t ns);
/** rkm_hrslot_try_cancel() - hrtimer_try_to_cancel(): 0 idle, 1 cancelled, -1 running. Any context. */
RKM_LEAF int rkm_hrslot_try_cancel(struct rkm_hrslot *slot);
/** rkm_hrslot_cancel() - hrtimer_cancel(): waits for a running callback; 1 if it was pending. Sleeps on RT. */
int rkm_hrslot_cancel(struct rkm_hrslot *slot);
/** rkm_hrslot_active() - hrtimer_active(): pending or running. */
RKM_LEAF bool rkm_hrslot_active(struct rkm_hrslot *slot);
/** rkm_hrslot_free() - refuse starts, hrtimer_cancel(), free. Process context. */
void rkm_hrslot_free(struct rkm_hrslot *slot);
/** rkm_hrtimer_cancel() - hrtimer_cancel() on an rkm_hrtimer: waits for its callback. Process context. */
bool rkm_hrtimer_cancel(struct rkm_hrtimer *timer);

/*
 * Text to number, as the kernel's kstrtou64/kstrtos64 (base 0: 0x.., 0..
 * octal, a leading + or -, one trailing newline) and kstrtobool, on @len
 * bytes (not NUL-terminated; at most RKM_KSTR_MAX). 0, -EINVAL or -ERANGE.
 */
#define RKM_KSTR_MAX 64
int rkm_kstrtou64(const char *s, size_t len, uint64_t *out);
int rkm_kstrtos64(const char *s, size_t len, int64_t *out);
int rkm_kstrtobool(const char *s, size_t len, bool *out);

/*
 * configfs (glue/configfs.c, compiled only into a module whose Rust object
 * calls rkm_cfs_*: configfs is configfs.ko on the stock kernels): one
 * subsystem named at run time, whose root group has @nroot attributes and
 * makes items on mkdir, each with the same @nitem attributes. Names: 1 to
 * RKM_NAME_MAX - 1 bytes, no '/' or NUL, not "." or "..", attribute names
 * unique. Flags RKM_CFS_READ / RKM_CFS_WRITE give a file 0444 / 0200 (both:
 * 0644). Callbacks run in process context (may sleep): make_item and
 * drop_item under the subsystem's mutex; show and store never after the
 * item's rmdir began (configfs' fragment lock); release after the last
 * reference, once rmdir is done.
 */
#define RKM_CFS_MAX_ATTRS 64
#define RKM_CFS_MAX_ROOT_ATTRS 16
#define RKM_CFS_READ 0x1u
#define RKM_CFS_WRITE 0x2u
/* What a show callback may write into configfs' page. */
#define RKM_CFS_SHOW_MAX 4095
struct rkm_cfs_subsys;
struct rkm_cfs_attr {
	const char *name;
	size_t name_len;
	uint32_t flags;
};
/**
 * struct rkm_cfs_ops - the Rust side of a subsystem
 * @make_item: mkdir @name (@name_len bytes): the item's data, or NULL and *err.
 * @drop_item: rmdir of @item began; @item is released after.
 * @release: the item's last reference is gone: free @item.
 * @show: write attribute @idx of @item into @page (RKM_CFS_SHOW_MAX bytes at
 *	most): the length or -errno.
 * @store: @len bytes written to attribute @idx: 0 or -errno.
 * @root_show, @root_store: the same for the root group's attributes (@state).
 * @release_state: at module exit, free the @state of a subsystem whose
 *	rkm_cfs_unregister() found items and left it to the glue.
 */
struct rkm_cfs_ops {
	void *(*make_item)(const void *state, const char *name, size_t name_len, int *err);
	void (*drop_item)(const void *state, void *item);
	void (*release)(void *item);
	long (*show)(const void *item, uint32_t idx, char *page);
	long (*store)(const void *item, uint32_t idx, const char *buf, size_t len);
	long (*root_show)(const void *state, uint32_t idx, char *page);
	long (*root_store)(const void *state, uint32_t idx, const char *buf, size_t len);
	void (*release_state)(void *state);
};
/**
 * rkm_cfs_register() - configfs_register_subsystem() named @name, with the
 * attributes described above; @ops (static) and @state stay valid until
 * rkm_cfs_unregister() returns true, or until release_state.
 * Return: a handle, or NULL with *err set: -EINVAL (a bad name, flags or
 * count), -ENOMEM, -EEXIST (the name is taken), -ENODEV (module exit began).
 * Sleeps.
 */
struct rkm_cfs_subsys *rkm_cfs_register(const char *name, size_t name_len,
					const struct rkm_cfs_attr *root_attrs, size_t nroot,
					const struct rkm_cfs_attr *item_attrs, size_t nitem,
					const struct rkm_cfs_ops *ops, const void *state, int *err);
/**
 * rkm_cfs_unregister() - refuse further mkdir; if no item exists,
 * configfs_unregister_subsystem() and return true. Otherwise return false:
 * the subsystem stays (its items keep working, mkdir fails with ENODEV)
 * until module exit, which unregisters it and calls release_state(@state).
 * Sleeps.
 */
bool rkm_cfs_unregister(struct rkm_cfs_subsys *subsys);

/* Descriptor rings (glue/ring.c, compiled in only if the Rust object calls them): */
/** rkm_ring_dma_wmb() - dma_wmb(): earlier CPU writes to coherent memory reach the device first. */
RKM_LEAF void rkm_ring_dma_wmb(void);
/** rkm_ring_dma_rmb() - dma_rmb(): later CPU reads of coherent memory see what came before. */
RKM_LEAF void rkm_ring_dma_rmb(void);

/* --- network devices (issue 19) --- */
/*
 * Ethernet devices (glue/net.c, compiled only into a module whose Rust
 * object calls rkm_net_*). A struct rkm_netdev is the glue's handle of one
 * net_device: counted (rkm_net_get/put), it outlives the net_device, and
 * every rkm_net_h_* call on it does nothing once the device is
 * unregistered. A struct rkm_skb is the kernel's struct sk_buff, owned by
 * exactly one Rust value at a time.
 */
#define RKM_NET_TX_OK 0
#define RKM_NET_TX_BUSY 1
#define RKM_NET_RX_PROMISC 0x1u
#define RKM_NET_RX_ALLMULTI 0x2u
#define RKM_NET_NAME_MAX 15
#define RKM_NET_ALEN 6
#define RKM_NET_GSTRING_LEN 32
#define RKM_NET_MAX_STATS 256
#define RKM_NET_CSUM_NONE 0
#define RKM_NET_CSUM_UNNECESSARY 1
#define RKM_NET_CSUM_OTHER 2
/* Offloads (NETIF_F_*), in rkm_netdev_desc and rkm_net_feature(). */
#define RKM_NET_F_SG 0x1u	   /* page fragments: rkm_skb_map_tx()'s table */
#define RKM_NET_F_HW_CSUM 0x2u /* CHECKSUM_PARTIAL packets (rkm_skb_tx_offload()) */
#define RKM_NET_F_TSO 0x4u	   /* TCP/IPv4 segmentation (rkm_skb_tx_offload()) */
#define RKM_NET_F_RXCSUM 0x8u  /* the driver reports verified checksums */
struct rkm_netdev;
struct rkm_skb;
/** struct rkm_net_stats - what get_stats64 fills (copied to rtnl_link_stats64). */
struct rkm_net_stats {
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
	uint64_t rx_errors, tx_errors, rx_dropped, tx_dropped;
	uint64_t multicast, collisions;
	uint64_t rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors;
	uint64_t rx_fifo_errors, rx_missed_errors;
	uint64_t tx_aborted_errors, tx_carrier_errors, tx_fifo_errors;
};
/**
 * struct rkm_net_link_modes - the port as ethtool DEV shows it
 * @supported, @advertised: ethtool's legacy SUPPORTED_* bits (uapi)
 * @autoneg: auto-negotiation on
 * @phy_address: the PHY's MDIO address (PHYAD)
 * @mdix: -1 unknown, 0 MDI, 1 MDI-X (asked with the carrier on only)
 * @mdix_auto: crossover chosen automatically
 */
struct rkm_net_link_modes {
	uint32_t supported, advertised;
	uint8_t autoneg, phy_address, mdix_auto;
	int8_t mdix;
};
/** struct rkm_net_ring - ethtool's ring sizes: maxima, then current. */
struct rkm_net_ring {
	uint32_t rx_max, tx_max, rx, tx;
};
/**
 * struct rkm_net_ops - the Rust side of a net device; @data is the
 * registration's. Every callback may be NULL but open, stop, start_xmit.
 * @open, @stop, @set_mac_address, @change_mtu, @get_*ring*, @get_link,
 * @get_ethtool_stats, @stat_name, @get_eeprom*, @get_link_modes, @*_wol,
 * @*_msglevel, @nway_reset: process context, RTNL held.
 * @start_xmit: BH off (atomic); RKM_NET_TX_BUSY leaves @skb to the glue.
 * @get_stats64, @tx_timeout: atomic. @set_rx_mode: atomic, the device's
 * address lock held; @mc is @n addresses of RKM_NET_ALEN bytes.
 * @poll: softirq, NAPI: the work done (<= @budget); @completed is set if
 * the glue completed NAPI with that work (rkm_net_napi_complete_done()).
 */
struct rkm_net_ops {
	int (*open)(const void *data, struct rkm_netdev *nd);
	void (*stop)(const void *data, struct rkm_netdev *nd);
	int (*start_xmit)(const void *data, struct rkm_netdev *nd, struct rkm_skb *skb);
	void (*get_stats64)(const void *data, struct rkm_netdev *nd, struct rkm_net_stats *st);
	int (*set_mac_address)(const void *data, struct rkm_netdev *nd, const uint8_t *addr);
	int (*change_mtu)(const void *data, struct rkm_netdev *nd, uint32_t mtu);
	void (*tx_timeout)(const void *data, struct rkm_netdev *nd, uint32_t queue);
	void (*set_rx_mode)(const void *data, struct rkm_netdev *nd, uint32_t flags,
			    const uint8_t *mc, size_t n);
	int (*poll)(const void *data, struct rkm_netdev *nd, int budget);
	uint32_t (*get_link)(const void *data, struct rkm_netdev *nd);
	void (*get_ringparam)(const void *data, struct rkm_netdev *nd, struct rkm_net_ring *r);
	int (*set_ringparam)(const void *data, struct rkm_netdev *nd, const struct rkm_net_ring *r);
	void (*get_ethtool_stats)(const void *data, struct rkm_netdev *nd, uint64_t *vals,
				  size_t n);
	void (*stat_name)(uint32_t idx, char *buf);
	/* issue 19, rust_e1000: ethtool's speed and duplex (process, RTNL):
	 * true with *speed (Mb/s) and *full set, false: unknown. */
	bool (*get_link_speed)(const void *data, struct rkm_netdev *nd, uint32_t *speed,
			       bool *full);
	/* ethtool -e (process, RTNL): the EEPROM's size in bytes (0: none);
	 * @len bytes from byte @offset into @buf (within the size: the glue
	 * checks), with *@magic the value ethtool -E must give back. */
	uint32_t (*get_eeprom_len)(const void *data, struct rkm_netdev *nd);
	int (*get_eeprom)(const void *data, struct rkm_netdev *nd, uint32_t offset, uint8_t *buf,
			  size_t len, uint32_t *magic);
	/* ethtool DEV's port; Wake-on-LAN (uapi WAKE_* bits: what the device
	 * can, what is on; set: -EOPNOTSUPP if it cannot); the message level
	 * (netif_msg bits); ethtool -r (restart auto-negotiation). Each one
	 * absent (NULL) is not offered to ethtool at all. */
	void (*get_link_modes)(const void *data, struct rkm_netdev *nd,
			       struct rkm_net_link_modes *m);
	void (*get_wol)(const void *data, struct rkm_netdev *nd, uint32_t *supported,
			uint32_t *enabled);
	int (*set_wol)(const void *data, struct rkm_netdev *nd, uint32_t enabled);
	uint32_t (*get_msglevel)(const void *data, struct rkm_netdev *nd);
	void (*set_msglevel)(const void *data, struct rkm_netdev *nd, uint32_t level);
	int (*nway_reset)(const void *data, struct rkm_netdev *nd);
};
/**
 * struct rkm_netdev_desc - a new Ethernet device
 * @name: @name_len bytes, a name or a pattern with one %d ("eth%d" if 0)
 * @mac: its MAC address, or all zeroes for a random one
 * @min_mtu, @max_mtu, @mtu: 68..ETH_DATA_LEN if zero
 * @napi_weight: 0 for no NAPI context, else its weight
 * @n_stats: how many ethtool statistics (names from stat_name)
 * @tx_queue_len: 0 for the default
 * @features: offloads on at registration (RKM_NET_F_*)
 * @hw_features: offloads the user may turn on and off (ethtool -K)
 */
struct rkm_netdev_desc {
	const char *name;
	size_t name_len;
	uint8_t mac[RKM_NET_ALEN];
	uint32_t min_mtu, max_mtu, mtu;
	uint32_t napi_weight;
	uint32_t n_stats;
	uint32_t tx_queue_len;
	uint32_t features, hw_features;
};
/**
 * rkm_net_register() - alloc_etherdev(), parent @binding's device, @desc
 * applied, register_netdev(). Callbacks may run before this returns; @ops
 * (static) and @data stay valid until rkm_net_unregister() returns.
 * Return: the handle (one reference) or NULL with *err: -EINVAL (bad desc
 * or MAC), -ENOMEM, -EEXIST (name taken), -ENODEV (module exit began), or
 * register_netdev()'s error. Process context.
 */
struct rkm_netdev *rkm_net_register(struct rkm_binding *binding,
				    const struct rkm_netdev_desc *desc,
				    const struct rkm_net_ops *ops, const void *data, int *err);
/**
 * rkm_net_unregister() - unregister_netdev() (closing it: stop runs; waits
 * for callbacks in flight), NAPI disabled and deleted, free_netdev(), then
 * drops the reference of rkm_net_register(). A device whose owner was
 * leaked is unregistered at module exit; its owner's later call only drops
 * the reference. Process context.
 */
void rkm_net_unregister(struct rkm_netdev *nd);
/** rkm_net_get() - one more reference to the handle. Any context. */
RKM_LEAF void rkm_net_get(struct rkm_netdev *nd);
/** rkm_net_put() - drop a reference. Any context. */
RKM_LEAF void rkm_net_put(struct rkm_netdev *nd);
/*
 * On a registered device (inside its callbacks, or with a registration
 * held); any context unless said otherwise.
 */
RKM_LEAF void rkm_net_carrier(struct rkm_netdev *nd, bool on);
RKM_LEAF bool rkm_net_carrier_ok(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_queue_stop(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_queue_wake(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_queue_start(struct rkm_netdev *nd);
RKM_LEAF bool rkm_net_queue_stopped(struct rkm_netdev *nd);
/**
 * rkm_net_tx_disable() - netif_tx_disable(): stopped, no start_xmit in
 * progress once it returns; true. RTNL held; where it cannot wait (atomic,
 * interrupts off, an RCU read side) it only stops the queues: false.
 */
bool rkm_net_tx_disable(struct rkm_netdev *nd);
/**
 * rkm_net_sent_queue() - __netdev_tx_sent_queue(): BQL, @bytes queued to
 * the device; in start_xmit only (its transmit lock serialises it). True
 * if the device's tail may wait: netdev_xmit_more() and the queue not
 * stopped (rkm_net_xmit_more()).
 */
RKM_LEAF bool rkm_net_sent_queue(struct rkm_netdev *nd, uint32_t bytes);
/** rkm_net_completed_queue() - netdev_completed_queue(): may wake the queue. */
RKM_LEAF void rkm_net_completed_queue(struct rkm_netdev *nd, uint32_t pkts, uint32_t bytes);
/** rkm_net_xmit_more() - in start_xmit: netdev_xmit_more() and the queue not stopped (netif_xmit_stopped). */
RKM_LEAF bool rkm_net_xmit_more(struct rkm_netdev *nd);
/** rkm_net_reset_queue() - netdev_reset_queue() under the transmit lock; where it may not wait (atomic), what is in flight completes. */
RKM_LEAF void rkm_net_reset_queue(struct rkm_netdev *nd);
/** rkm_net_mac() - the current MAC address into @out (RKM_NET_ALEN bytes). */
RKM_LEAF void rkm_net_mac(struct rkm_netdev *nd, uint8_t *out);
/** rkm_net_set_mac() - a new MAC address: 0, -EINVAL if not valid unicast. RTNL held. */
int rkm_net_set_mac(struct rkm_netdev *nd, const uint8_t *addr);
RKM_LEAF uint32_t rkm_net_mtu(struct rkm_netdev *nd);
/** rkm_net_feature() - whether every offload of @f (RKM_NET_F_*) is on now. */
RKM_LEAF bool rkm_net_feature(struct rkm_netdev *nd, uint32_t f);
/** rkm_net_name() - the interface name into @out (IFNAMSIZ bytes, NUL-terminated). */
void rkm_net_name(struct rkm_netdev *nd, char *out);
/** rkm_net_napi_enable() - napi_enable() unless enabled. Sleeps. */
void rkm_net_napi_enable(struct rkm_netdev *nd);
/** rkm_net_napi_disable() - napi_disable() (waits for a poll) unless disabled. Sleeps. */
void rkm_net_napi_disable(struct rkm_netdev *nd);
/** rkm_net_napi_complete_done() - napi_complete_done(): false if polling must go on. Poll only. */
RKM_LEAF bool rkm_net_napi_complete_done(struct rkm_netdev *nd, int work);
/*
 * Through a counted handle whose device may be gone: each does nothing (or
 * returns false) once rkm_net_unregister() has begun. Any context.
 */
/** rkm_net_h_napi_schedule() - napi_schedule(): true if it was scheduled now. */
RKM_LEAF bool rkm_net_h_napi_schedule(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_h_queue_wake(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_h_carrier(struct rkm_netdev *nd, bool on);
/**
 * rkm_net_h_rtnl_lock() - rtnl_lock(), then true if the device is still
 * registered (keep the lock: rkm_net_rtnl_unlock()), else unlock and
 * false. Sleeps; not under RTNL.
 */
bool rkm_net_h_rtnl_lock(struct rkm_netdev *nd);
/** rkm_net_rtnl_unlock() - rtnl_unlock(). */
void rkm_net_rtnl_unlock(void);
/*
 * issue 19, rust_e1000: the registration's state through a counted handle.
 * rkm_net_h_rcu_data() - rcu_read_lock(), then the @data of
 * rkm_net_register() if the device is still registered (keep the read
 * lock: rkm_net_h_rcu_unlock()), else unlock and NULL. Any context.
 * rkm_net_h_data() - that @data, for a caller holding RTNL after
 * rkm_net_h_rtnl_lock() returned true.
 */
RKM_LEAF const void *rkm_net_h_rcu_data(struct rkm_netdev *nd);
RKM_LEAF void rkm_net_h_rcu_unlock(void);
RKM_LEAF const void *rkm_net_h_data(struct rkm_netdev *nd);

/*
 * Packets. Allocation: @nd's device, GFP_ATOMIC, NET_IP_ALIGN headroom
 * (napi_alloc_skb() in poll when @in_napi, else netdev_alloc_skb_ip_align());
 * NULL if out of memory. Freeing: rkm_skb_free() (dev_kfree_skb_any: a
 * drop), rkm_skb_consume() (dev_consume_skb_any), rkm_skb_napi_consume()
 * (napi_consume_skb, poll only). Any context unless said otherwise.
 */
RKM_LEAF struct rkm_skb *rkm_skb_alloc(struct rkm_netdev *nd, uint32_t len, bool in_napi);
RKM_LEAF void rkm_skb_free(struct rkm_skb *skb);
RKM_LEAF void rkm_skb_consume(struct rkm_skb *skb);
RKM_LEAF void rkm_skb_napi_consume(struct rkm_skb *skb, int budget);
/** rkm_skb_info() - the length, head length, headroom, tailroom and page fragments. */
RKM_LEAF void rkm_skb_info(struct rkm_skb *skb, uint32_t *len, uint32_t *headlen,
			   uint32_t *headroom, uint32_t *tailroom, uint32_t *nr_frags);
/** rkm_skb_data() - the linear data (headlen bytes). */
RKM_LEAF uint8_t *rkm_skb_data(struct rkm_skb *skb);
/** rkm_skb_put() - skb_put_data() of @len bytes of @src (zeroes if NULL); -ENOSPC past the tailroom. */
RKM_LEAF int rkm_skb_put(struct rkm_skb *skb, const void *src, uint32_t len);
/** rkm_skb_put_mapped() - skb_put() of @len bytes the device wrote (-ENOSPC past the tailroom). */
RKM_LEAF int rkm_skb_put_mapped(struct rkm_skb *skb, uint32_t len);
/** rkm_skb_pull() - skb_pull(): -EINVAL if @len is more than the head length. */
RKM_LEAF int rkm_skb_pull(struct rkm_skb *skb, uint32_t len);
/** rkm_skb_trim() - pskb_trim() to @len: -EINVAL if longer, -ENOMEM. */
RKM_LEAF int rkm_skb_trim(struct rkm_skb *skb, uint32_t len);
/** rkm_skb_copy() - skb_copy_bits() to @buf, or skb_store_bits() from it if @to_skb (made writable first): 0, -EINVAL, -ENOMEM. */
RKM_LEAF int rkm_skb_copy(struct rkm_skb *skb, uint32_t off, void *buf, uint32_t len,
			  bool to_skb);
/** rkm_skb_writable() - skb_ensure_writable() of the whole packet, linearised: 0 or -ENOMEM. */
RKM_LEAF int rkm_skb_writable(struct rkm_skb *skb);
RKM_LEAF void rkm_skb_set_csum(struct rkm_skb *skb, int csum);
RKM_LEAF int rkm_skb_csum(struct rkm_skb *skb);
/** rkm_skb_protocol() - skb->protocol, host order. */
RKM_LEAF uint16_t rkm_skb_protocol(struct rkm_skb *skb);
/**
 * rkm_net_receive() - eth_type_trans() then napi_gro_receive() (@in_napi)
 * or netif_receive_skb() / netif_rx() (not in softirq); consumes @skb.
 * A packet shorter than an Ethernet header is dropped (rx_length_errors).
 */
RKM_LEAF void rkm_net_receive(struct rkm_netdev *nd, struct rkm_skb *skb, bool in_napi);
/** struct rkm_skb_seg - one mapped part of a packet: device address, bytes. */
struct rkm_skb_seg {
	uint64_t addr;
	uint32_t len;
	uint32_t reserved;
};
/* A packet's mapped page fragments, in order: the glue's table. */
struct rkm_skb_frags;
/** rkm_skb_frags_segs() - the table's segments, *@n of them. */
RKM_LEAF const struct rkm_skb_seg *rkm_skb_frags_segs(const struct rkm_skb_frags *frags,
						       uint32_t *n);
/**
 * rkm_skb_map() - dma_map_single() of @len bytes at the skb's data (its
 * head only; -EINVAL past headlen + tailroom, or if @len is 0) for @nd's
 * parent device, in direction @dir (RKM_DMA_*); one that the device writes
 * is made private first (skb_unclone). 0 with *addr, -ENODEV once the
 * parent can no longer master the bus, -ENOMEM.
 */
RKM_LEAF int rkm_skb_map(struct rkm_netdev *nd, struct rkm_skb *skb, uint32_t len, int dir,
			 uint64_t *addr);
/**
 * rkm_skb_map_tx() - maps the whole packet for the device to read
 * (DMA_TO_DEVICE): its head, *addr and *len (skb_headlen(), not mapped if
 * 0), and each page fragment into a table the glue allocates (*frags, NULL
 * if none; the stack gives fragments only to a device with NETIF_F_SG); a
 * frag list is made linear first. Errors as rkm_skb_map(), -EINVAL for an
 * empty packet.
 */
RKM_LEAF int rkm_skb_map_tx(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t *addr,
			    uint32_t *len, struct rkm_skb_frags **frags);
/**
 * rkm_skb_copy_rx() - the first @len bytes the device wrote into @skb,
 * mapped by rkm_skb_map() for it to write (RKM_DMA_FROM_DEVICE, @maplen
 * bytes at @addr), copied into a new packet allocated as rkm_skb_alloc()
 * does: synced for the CPU, copied, synced back for the device, which
 * keeps the mapping. NULL if out of memory, or @len is 0 or past @maplen.
 */
RKM_LEAF struct rkm_skb *rkm_skb_copy_rx(struct rkm_netdev *nd, struct rkm_skb *skb,
					 uint64_t addr, uint32_t maplen, uint32_t len,
					 bool in_napi);
/* rkm_skb_receive_copy()'s @flags. */
#define RKM_NET_RX_NAPI 1
#define RKM_NET_RX_CSUM_UNNECESSARY 2
/**
 * rkm_skb_receive_copy() - rkm_skb_copy_rx() (@flags & RKM_NET_RX_NAPI: as
 * @in_napi), its checksum status set (RKM_NET_RX_CSUM_UNNECESSARY), then
 * rkm_net_receive() with the same @in_napi, in one call: @nd's poll hands
 * a short frame to the stack and keeps its buffer. 0; -EINVAL (@len 0 or
 * past @maplen) or -ENOMEM: nothing received, the buffer unchanged.
 */
RKM_LEAF int rkm_skb_receive_copy(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
				  uint32_t maplen, uint32_t len, uint32_t flags);
/**
 * rkm_skb_receive_mapped() - a receive buffer @skb, mapped by rkm_skb_map()
 * for @nd's device to write (@maplen bytes at @addr), unmapped; the @len
 * bytes written become its data (as rkm_skb_put_mapped()), its checksum
 * status as @flags says, and it goes to @nd's stack as rkm_net_receive()
 * does (RKM_NET_RX_NAPI: as @in_napi); the mapping's reference on @nd
 * dropped. 0; -EINVAL (@len past the buffer: the packet freed).
 */
RKM_LEAF int rkm_skb_receive_mapped(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
				    uint32_t maplen, uint32_t len, uint32_t flags);
/** rkm_skb_unmap() - undoes rkm_skb_map() or rkm_skb_map_tx() (@frags freed). */
RKM_LEAF void rkm_skb_unmap(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
			    uint32_t len, int dir, struct rkm_skb_frags *frags);
/**
 * rkm_skb_unmap_free() - a mapped skb dropped: unmapped and freed at once
 * if the parent can no longer master the bus, else once it cannot (its
 * unbind's quiesce). Any context.
 */
RKM_LEAF void rkm_skb_unmap_free(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
				 uint32_t len, int dir, struct rkm_skb_frags *frags);
/* What the device is to do to a packet it sends (rkm_skb_tx_offload()). */
#define RKM_NET_OFFLOAD_NONE 0
#define RKM_NET_OFFLOAD_CSUM 1
#define RKM_NET_OFFLOAD_TSO4 2
#define RKM_NET_OFFLOAD_TSO6 3
/**
 * struct rkm_net_offload - offsets from the packet's data
 * @kind: RKM_NET_OFFLOAD_*
 * @l3, @l3_csum: the IP header and (TSO4) its checksum field
 * @l4, @l4_csum: where the checksum starts and where it goes
 * @hdr_len: TSO: every header's bytes; @mss: TSO: payload per segment
 * @payload: TSO: the bytes after the headers; @segs: TSO: gso_segs
 * @tcp: the L4 protocol is TCP
 */
struct rkm_net_offload {
	uint32_t kind;
	uint32_t payload;
	uint16_t l3, l3_csum, l4, l4_csum;
	uint16_t hdr_len, mss;
	uint8_t tcp;
	uint8_t reserved;
	uint16_t segs;
};
/**
 * rkm_skb_tx_offload() - what the stack asks of the device for @skb, into
 * *@o: nothing, a checksum (CHECKSUM_PARTIAL), or TCP segmentation, for
 * which the headers are made private (skb_cow_head) and prepared as the
 * device wants them (IPv4 length and checksum zeroed, the TCP checksum
 * seeded with the pseudo-header). 0, -EINVAL (headers past the head),
 * -ENOMEM. Any context.
 */
RKM_LEAF int rkm_skb_tx_offload(struct rkm_skb *skb, struct rkm_net_offload *o);
/**
 * rkm_skb_map_tx_offload() - rkm_skb_tx_offload() then, if it succeeded,
 * rkm_skb_map_tx(): a transmit path's two calls in one crossing. Errors as
 * those; nothing is mapped on error (TSO headers may be prepared: preparing
 * them again gives the same bytes).
 */
RKM_LEAF int rkm_skb_map_tx_offload(struct rkm_netdev *nd, struct rkm_skb *skb,
				    struct rkm_net_offload *o, uint64_t *addr, uint32_t *len,
				    struct rkm_skb_frags **frags);
/** rkm_skb_checksum_help() - skb_checksum_help(): the CHECKSUM_PARTIAL sum in software; 0, -EINVAL, -ENOMEM. */
RKM_LEAF int rkm_skb_checksum_help(struct rkm_skb *skb);

/*
 * Network soundness review (session 27): probes for the crate's in-kernel
 * tests of the glue's refusals, nothing a driver reaches.
 */
/** rkm_net_ktest_tx_sharing() - whether the stack may hand @nd shared skbs (IFF_TX_SKB_SHARING). */
RKM_LEAF bool rkm_net_ktest_tx_sharing(struct rkm_netdev *nd);
/**
 * rkm_net_ktest_eeprom() - ethtool's EEPROM read of @len bytes at @offset
 * into @buf, as the core calls the device's ethtool table (under RTNL,
 * which it takes): the size in *@size, the driver's magic in *@magic, its
 * status; -EOPNOTSUPP with size 0 if the table offers no EEPROM.
 */
RKM_LEAF int rkm_net_ktest_eeprom(struct rkm_netdev *nd, uint32_t offset, uint32_t len,
				  uint8_t *buf, uint32_t *size, uint32_t *magic);
/** rkm_skb_ktest_clone() - skb_clone(GFP_ATOMIC): a second skb sharing @skb's data, or NULL. */
RKM_LEAF struct rkm_skb *rkm_skb_ktest_clone(struct rkm_skb *skb);
/** rkm_skb_ktest_add_frag() - a page fragment of @len bytes (<= PAGE_SIZE) appended: 0 or -errno. */
RKM_LEAF int rkm_skb_ktest_add_frag(struct rkm_skb *skb, uint32_t len);
/**
 * rkm_skb_ktest_offload() - marks @skb as the stack would: @kind 0, a
 * checksum to fill in from @start, stored @offset further (CHECKSUM_PARTIAL);
 * 1, TCP/IPv4 segmentation (mss 1000) with the IP header at 14 and TCP at
 * @start; 2, UDP segmentation, which no rkm device offers.
 */
RKM_LEAF void rkm_skb_ktest_offload(struct rkm_skb *skb, int kind, uint32_t start,
				    uint32_t offset);

#endif /* RKM_ABI_H */
