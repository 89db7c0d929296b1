/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rkm-fuzz's interface models: what a device header promises, for the engine
 * in tests/fuzz/fuzz.c. A model lives beside its sample
 * (samples/NAME/fuzz_model.c, linked into rkm-fuzz) and registers itself
 * with FUZZ_MODEL(); `rkm-fuzz MODULE:MODEL` picks it by name.
 *
 * The engine makes every call, checks what holds for any character device
 * (errnos from the model's sets, counts never above the request, the VFS's
 * own answers) and asks the model's hooks the rest. A hook left NULL means
 * the model adds nothing there.
 */
#ifndef RKM_FUZZ_MODEL_H
#define RKM_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned __int128 errmask;	/* a set of errnos: every errno used here is below 128 */
#define M(e) ((errmask)1 << (e))

struct fuzz_worker;	/* a thread of a pass */

struct fuzz_cmd {
	unsigned int nr;
	bool priv;	/* CAP_SYS_ADMIN: uid 65534 gets EPERM, checked first */
	errmask errs;	/* errnos the header allows besides success */
	size_t reply;	/* bytes a success writes at the argument */
};

/*
 * A configfs subsystem of null_blk's kind (issue 18): items are disks,
 * their attributes are written at random, "power" adds and removes the
 * disk. Before each power on, every capped attribute gets a value in
 * [lo, hi], so that no disk is made too slow to finish a request.
 */
struct fuzz_cap {
	const char *attr;
	unsigned long lo, hi;
	bool always;	/* random writes stay in [lo, hi] too: no junk, ever */
};

struct fuzz_cfs {
	/* "ATTR=VALUE" written in order to a fresh item: a memory-backed disk for data checks. */
	const char *const *io_setup;
	const struct fuzz_cap *caps;
	int ncaps;
	bool discard_zeroes;	/* the io_setup disk reads zeroes after a discard */
};

struct fuzz_model {
	const char *name;	/* MODEL of DEVICE:MODEL */
	const char *spec;	/* the header it implements, named in failures */
	const struct fuzz_cmd *cmds;
	int ncmds;
	errmask read_errs, write_errs;
	size_t len_edge;	/* counts are drawn around it too (0: 1 MiB) */
	long long pos_edge;	/* and positions (0: 4096) */
	/*
	 * Requests outlast the supervisor's tick: some calls run with its
	 * signal blocked (then may not end with EINTR), and one a pass that
	 * the header says ends with ETIMEDOUT.
	 */
	bool slow;
	bool ignores_nonblock;	/* reads wait (EINTR, never EAGAIN) on O_NONBLOCK fds too */
	bool no_poll;		/* no .poll: the VFS answers the default mask */
	bool check_load;	/* bound as it loads: check() before the passes too */
	/*
	 * A block device: O_DIRECT opens, sector-sized counts and positions
	 * around the disk's size (fuzz_disk_size(), BLKGETSIZE64 at each pass).
	 */
	bool block;
	/*
	 * A network driver: no device node; its links' ioctls and ethtool
	 * are fuzzed instead, with traffic between them (fuzz_netdev()).
	 */
	bool netdev;
	const char *const *needs;	/* modules loaded first (NULL-ended): present or built in */
	const struct fuzz_cfs *cfs;	/* its configfs interface, for configfs=SUBSYS */
	size_t device_size;	/* state of a device, shared by its passes: fuzz_device() */
	size_t thread_size;	/* state of a thread in a pass: fuzz_thread() */

	/*
	 * A plausible argument for command c (one of cmds) in s (*len bytes),
	 * and what the header says the call gives if all of it is readable
	 * and the reply writable: 0 or an errno (-1: it does not say).
	 */
	int (*make_arg)(struct fuzz_worker *w, unsigned int c, char *s, size_t *len);
	/* Whether c's argument is a value, not a pointer: then make_arg's first 8 bytes. */
	bool (*by_value)(unsigned int c);
	/* After c succeeded on valid memory p, which held in: the reply; tail: what followed it. */
	bool (*reply_ok)(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			 const char *tail, size_t tail_len);
	/* Whether c may end with e instead of as its argument asks (want). */
	bool (*transient)(unsigned int c, int want, int e, bool quiet);
	/* c of cmds ended: r, errno e. */
	void (*ioctl_done)(struct fuzz_worker *w, unsigned int c, long long r, int e);
	/*
	 * A read or write of n bytes at off (-1: at the fd's position) that
	 * the fd allows gave r, errno e; mask: the errnos the fd may give.
	 * NULL: an errno of mask or at most n bytes.
	 */
	bool (*rw_ok)(struct fuzz_worker *w, bool is_write, long long off, size_t n,
		      long long r, int e, errmask mask);
	/*
	 * lseek(off, whence) gave r, errno e (not EBADF), whence 0..SEEK_MAX
	 * (the fuzzer itself wants the VFS's EINVAL above). NULL: no llseek,
	 * ESPIPE.
	 */
	bool (*lseek_ok)(long long off, int whence, long long r, int e);
	/* An open fd polled for events got revents got. */
	bool (*poll_ok)(short events, short got);
	/* Once per pass, before the threads, on a fresh O_RDWR fd. */
	void (*probe)(struct fuzz_worker *w, int fd);
	/*
	 * The device after a pass (who), on a fresh fd: its counters must
	 * agree. ops: the pass's calls, -1 if it did not end normally.
	 */
	void (*check)(void *device, const char *name, int fd, const char *who, long ops);
};

void fuzz_register(const struct fuzz_model *m);

/*
 * The network passes over the links module binds (tests/fuzz/netdev.c):
 * true if all held; each pass's calls and frames in done[] (root, uid
 * 65534), its time in ms[].
 */
bool fuzz_netdev(const char *module, long ops, double seconds, int threads, long done[2],
		 long ms[2]);

/* Registers a model before main(): the engine lists no model. */
#define FUZZ_MODEL(model)						\
	__attribute__((constructor)) static void register_##model(void)	\
	{								\
		fuzz_register(&model);					\
	}

extern uint64_t fuzz_seed;	/* --seed */

/* splitmix64 on state *s; FNV-1a of a name (a device's draws do not depend on its place). */
uint64_t fuzz_next_rand(uint64_t *s);
uint64_t fuzz_name_hash(const char *s);

/* A thread's own draws, so that a seed replays its calls. */
uint64_t fuzz_rand(struct fuzz_worker *w);
uint64_t fuzz_rnd(struct fuzz_worker *w, uint64_t n);
bool fuzz_chance(struct fuzz_worker *w, int percent);
/* A size prefix around base: exact, larger, smaller, the limits, anything. */
uint32_t fuzz_prefix(struct fuzz_worker *w, uint32_t base);

bool fuzz_root(struct fuzz_worker *w);
long long fuzz_disk_size(void);	/* a block device's size in bytes, for this pass */
void *fuzz_device(struct fuzz_worker *w);
void *fuzz_thread(struct fuzz_worker *w);
bool fuzz_errno_in(errmask mask, int e);

/* Records a failed check (the call as fmt) and stops the pass after a few. */
__attribute__((format(printf, 6, 7)))
bool fuzz_check(struct fuzz_worker *w, bool ok, long long r, int e, const char *why,
		const char *fmt, ...);
/* Probes privileged command c (name): 0 as root, EPERM as uid 65534. */
void fuzz_privileged(struct fuzz_worker *w, int fd, unsigned int c, void *arg, const char *name);

/* ktest's EXPECT_TRUE and ASSERT_TRUE, for the device's test that check() runs in. */
void fuzz_expect(bool ok, bool fatal, const char *file, int line, const char *what);
#define FUZZ_EXPECT(c) fuzz_expect((c), false, __FILE__, __LINE__, #c)
#define FUZZ_ASSERT(c) fuzz_expect((c), true, __FILE__, __LINE__, #c)

#endif
