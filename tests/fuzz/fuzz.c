// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-fuzz: a fuzzer of device interfaces, run inside the guest.
 *
 * For each MODULE:MODEL[:DEVICE][:configfs=SUBSYS] of its command line (rkm
 * test --reliability passes the fuzz lines of the drivers' manifests), MODEL
 * being the interface the device implements (one model per header, beside
 * its sample: samples/NAME/fuzz_model.c, see fuzz_model.h), it loads the
 * modules the model needs, then /lib/rkm/MODULE.ko or .ko.xz (a PCI driver
 * binds its QEMU device as it loads), makes /dev/DEVICE (default MODULE)
 * 0666 and runs two passes, each in its own process: one as root, one as uid 65534
 * (no capabilities). In a pass, --threads workers issue random open, close,
 * dup, read, write, pread, pwrite, lseek, ioctl and poll calls with random
 * sizes, offsets, ioctl numbers and buffers (valid, NULL, unmapped,
 * read-only, PROT_NONE, kernel, non-canonical, straddling the end of a
 * mapping or of user space), on their own fds and on fds shared between
 * threads, until --ops calls were made or --seconds went by; a supervisor
 * thread signals them every TICK_MS so that blocked calls end (a slow
 * model's calls sometimes run with the signal blocked, so that they can
 * finish). Each result is checked against the device's header, through its
 * model; after each pass the device's counters must be consistent; at the
 * end the module must unload (no leaked reference) and the kernel log must
 * hold no report. A block device's model (block) also gets O_DIRECT opens
 * and sector-sized counts and positions around the disk's size. With
 * configfs=SUBSYS, a third pass fuzzes /sys/kernel/config/SUBSYS as
 * null_blk's (cfs_pass()). A network driver (model netdev) has no device
 * node: its links' ethtool and interface ioctls are fuzzed instead, with
 * traffic between them (tests/fuzz/netdev.c).
 *
 * Replaying: each thread draws from its own generator, seeded from --seed,
 * the device's name, the pass and the thread. With --threads 1, `--seed N
 * --only NAME` makes the same calls again; with more threads, what a thread
 * finds in the shared fd slots also depends on how the threads interleave.
 *
 *   rkm-fuzz [--seed N] [--ops N] [--seconds S] [--threads N] [--only MODULE]
 *            MODULE:MODEL[:DEVICE][:configfs=SUBSYS]...
 */
#include "ktest.h"
#include "kreport.h"
#include "fuzz_defaults.h"

#include <stdarg.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "fuzz_model.h"

/* Handled by the VFS before the driver (fs/ioctl.c); 6.1's headers lack the last two. */
#ifndef FS_IOC_GETFSUUID
#define FS_IOC_GETFSUUID _IOC(_IOC_READ, 0x15, 0, 17)
#endif
#ifndef FS_IOC_GETFSSYSFSPATH
#define FS_IOC_GETFSSYSFSPATH _IOC(_IOC_READ, 0x15, 1, 129)
#endif

#define ARENA (64 * KTEST_PAGE)	/* each thread's valid buffer */
#define ARG_ROOM 8192		/* a valid ioctl argument has this much arena after it */
#define MAX_THREADS 16
#define NOWN 6			/* fds a thread owns */
#define NSHARED 8		/* fds all threads may use */
#define MAX_FAILURES 5		/* per pass: then it stops */
#define TICK_MS 20		/* the supervisor's signal period */
#define LEN_EDGE (1 << 20)	/* counts and positions around these unless the model says */
#define POS_EDGE 4096
#define MAX_MODELS 32
#define MAX_CMDS 128

uint64_t fuzz_seed;
static long opt_ops = RKM_FUZZ_OPS;
static double opt_seconds = RKM_FUZZ_SECONDS;
static int opt_threads = 4;
static const char *opt_only;

/* ---- the interface models (fuzz_model.h), registered before main() ---- */

/* By name, whatever the link order: the draws from all_cmds follow from the seed. */
static const struct fuzz_model *models[MAX_MODELS];
static int nmodels;

/* Every model's commands, sent to the other devices too. */
static unsigned int all_cmds[MAX_CMDS];
static int nall_cmds;

void fuzz_register(const struct fuzz_model *m)
{
	int at;

	if (nmodels == MAX_MODELS) {
		fprintf(stderr, "rkm-fuzz: more than %d models\n", MAX_MODELS);
		exit(2);
	}
	for (at = 0; at < nmodels && strcmp(models[at]->name, m->name) < 0; at++)
		;
	memmove(&models[at + 1], &models[at], (nmodels - at) * sizeof(models[0]));
	models[at] = m;
	nmodels++;
}

static void collect_cmds(void)
{
	int i, k;

	for (i = 0; i < nmodels; i++) {
		for (k = 0; k < models[i]->ncmds; k++) {
			if (nall_cmds == MAX_CMDS) {
				fprintf(stderr, "rkm-fuzz: more than %d commands\n", MAX_CMDS);
				exit(2);
			}
			all_cmds[nall_cmds++] = models[i]->cmds[k].nr;
		}
	}
}

struct device {
	const char *name;	/* the module */
	const struct fuzz_model *m;
	const char *node;	/* /dev/NODE */
	const char *subsys;	/* configfs subsystem, or NULL */
};

static long long disk_size;	/* a block device's, in the pass's process */

long long fuzz_disk_size(void)
{
	return disk_size;
}

#define MAX_DEVICES 32
static struct device devices[MAX_DEVICES];
static int ndevices;

/* Never sent: the VFS answers them itself (e.g. FIONBIO would change what a fd expects). */
static const unsigned int vfs_cmds[] = {
	FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC, FIOQSIZE, FIFREEZE, FITHAW, FS_IOC_FIEMAP,
	FIGETBSZ, FICLONE, FICLONERANGE, FIDEDUPERANGE, FS_IOC_GETFLAGS, FS_IOC_SETFLAGS,
	FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR, FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH,
};

/* ---- state of a pass ---- */

struct slot {
	int fd;		/* -1: empty */
	int flags;	/* as opened */
};

/* A fd for one call; flags -1: not known (shared, may be closed or reused meanwhile). */
struct fdref {
	int fd;
	int flags;
	const char *how;
};

struct pass;

struct fuzz_worker {
	pthread_t thread;
	struct pass *ps;
	int id;
	uint64_t rng;
	char *arena;	/* ARENA random bytes between PROT_NONE guard pages */
	char *edge;	/* a page followed by a hole */
	char *top;	/* thread 0: the last page of user space, or NULL */
	struct slot own[NOWN];
	long ops, eintr;
	void *model;	/* the model's state of this thread */
	int done;
};

struct pass {
	const struct device *dev;
	const char *who;
	bool root;
	char path[64];
	long max_ops;
	long long deadline;
	long issued;
	int stop, failures;
	pthread_mutex_t lock;	/* the shared slots only: never held across a call */
	struct slot shared[NSHARED];
	char *ro, *none, *hole;	/* read-only and PROT_NONE pages (guarded), a hole */
	void *model;	/* the model's state of the device (shared memory) */
	int timeout_waits;	/* calls left that may wait for a whole timeout, signal blocked */
	int nthreads;
	struct fuzz_worker w[MAX_THREADS];
};

/* What a pass process reports to the device test (shared memory). */
struct pass_result {
	long ops, eintr, ms;
	int failures;
};

/* ---- randomness: splitmix64, one state per thread ---- */

uint64_t fuzz_next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t fuzz_rand(struct fuzz_worker *w)
{
	return fuzz_next_rand(&w->rng);
}

uint64_t fuzz_rnd(struct fuzz_worker *w, uint64_t n)
{
	return n ? fuzz_rand(w) % n : 0;
}

bool fuzz_chance(struct fuzz_worker *w, int percent)
{
	return fuzz_rnd(w, 100) < (uint64_t)percent;
}

uint32_t fuzz_prefix(struct fuzz_worker *w, uint32_t base)
{
	switch (fuzz_rnd(w, 10)) {
	case 0: case 1: case 2: case 3: case 4: return base;
	case 5: return base + 1 + fuzz_rnd(w, 64);
	case 6: return fuzz_rnd(w, base);
	case 7: return 4096;
	case 8: return 4097 + fuzz_rnd(w, 100);
	default: return (uint32_t)fuzz_rand(w);
	}
}

/* ---- what a model sees of a thread ---- */

bool fuzz_root(struct fuzz_worker *w)
{
	return w->ps->root;
}

void *fuzz_device(struct fuzz_worker *w)
{
	return w->ps->model;
}

void *fuzz_thread(struct fuzz_worker *w)
{
	return w->model;
}

/* ---- checking results ---- */

/* Stops the pass after MAX_FAILURES. */
bool fuzz_check(struct fuzz_worker *w, bool ok, long long r, int e, const char *why,
		const char *fmt, ...)
{
	struct pass *ps = w->ps;
	const char *name;
	char call[256], res[48];
	va_list ap;

	if (ok)
		return true;
	name = strerrorname_np(e);
	va_start(ap, fmt);
	vsnprintf(call, sizeof(call), fmt, ap);
	va_end(ap);
	if (r != -1)
		snprintf(res, sizeof(res), "%lld", r);
	else
		snprintf(res, sizeof(res), "-1 %s (%d)", name ? name : "?", e);
	if (__atomic_fetch_add(&ps->failures, 1, __ATOMIC_SEQ_CST) < MAX_FAILURES)
		printf("# %s (%s) thread %d call %ld: %s -> %s: %s (%s; seed %llu)\n",
		       ps->dev->name, ps->who, w->id, w->ops, call, res, why, ps->dev->m->spec,
		       (unsigned long long)fuzz_seed);
	if (__atomic_load_n(&ps->failures, __ATOMIC_SEQ_CST) >= MAX_FAILURES)
		__atomic_store_n(&ps->stop, 1, __ATOMIC_SEQ_CST);
	return false;
}

/* Errnos allowed on f: EBADF if f may be gone; EAGAIN/EINTR only as its O_NONBLOCK allows. */
static errmask errs_for(const struct fdref *f, errmask mask, bool blocking)
{
	if (f->flags < 0)
		return mask | M(EBADF);
	if (blocking)
		mask &= ~(f->flags & O_NONBLOCK ? M(EINTR) : M(EAGAIN));
	return mask;
}

bool fuzz_errno_in(errmask mask, int e)
{
	return e > 0 && e < 128 && (mask & M(e));
}

/* ---- buffers ---- */

enum buf_kind {
	B_VALID, B_EDGE, B_EDGE_HOLE, B_TOP, B_NULL, B_HOLE, B_RO, B_NONE, B_KERNEL, B_NONCANON,
	B_WRAP, NKINDS
};
static const char *const kind_names[NKINDS] = {
	"valid", "edge+PROT_NONE", "edge+hole", "edge+TASK_SIZE", "NULL", "hole", "read-only",
	"PROT_NONE", "kernel", "non-canonical", "address space end",
};

#define TOP_PAGE ((1UL << 47) - 2 * KTEST_PAGE)	/* the last page below TASK_SIZE_MAX */

/*
 * A buffer of n bytes of the given kind. A valid one ends before the arena's
 * guard page unless n is larger than the arena; an edge one starts 1..n-1
 * bytes before a PROT_NONE page, a hole or the end of user space. Nothing
 * here points at memory the program uses, so a kernel that writes too far
 * faults instead of corrupting it.
 */
static char *buf_of_kind(struct fuzz_worker *w, int kind, size_t n)
{
	struct pass *ps = w->ps;
	size_t k = n < ARENA ? n : ARENA;
	size_t d = 1 + fuzz_rnd(w, n > 1 ? (fuzz_chance(w, 50) && k > 64 ? 64 : k - 1) : 1);

	if (d > KTEST_PAGE)
		d = KTEST_PAGE;
	switch (kind) {
	case B_VALID:
		if (ps->dev->m->block && fuzz_chance(w, 60))	/* O_DIRECT wants alignment */
			return w->arena + 512 * fuzz_rnd(w, (ARENA - k) / 512 + 1);
		return w->arena + fuzz_rnd(w, ARENA - k + 1);
	case B_EDGE:
		return w->arena + ARENA - d;
	case B_EDGE_HOLE:
		return w->edge + KTEST_PAGE - d;
	case B_TOP:
		return w->top + KTEST_PAGE - d;
	case B_NULL:
		return NULL;
	case B_HOLE:
		return ps->hole + fuzz_rnd(w, KTEST_PAGE);
	case B_RO:
		return ps->ro + fuzz_rnd(w, KTEST_PAGE);
	case B_NONE:
		return ps->none + fuzz_rnd(w, KTEST_PAGE);
	case B_KERNEL:
		return (char *)KTEST_KERNEL_ADDR + fuzz_rnd(w, KTEST_PAGE);
	case B_NONCANON:
		return (char *)(1UL << 47) + fuzz_rnd(w, KTEST_PAGE);
	default:
		return (char *)(~0UL - fuzz_rnd(w, 64));	/* pointer + length wraps */
	}
}

/* Mostly valid buffers, often at an edge, else any kind. */
static int pick_kind(struct fuzz_worker *w)
{
	int r = fuzz_rnd(w, 100), k;

	k = r < 55 ? B_VALID : r < 63 ? B_EDGE : r < 68 ? B_EDGE_HOLE : r < 73 ? B_TOP :
		B_NULL + (int)fuzz_rnd(w, NKINDS - B_NULL);
	return k == B_TOP && !w->top ? B_EDGE : k;	/* one thread owns the top page */
}

/* Counts: empty, tiny, struct-sized, page-sized, around the model's limit, huge. */
static size_t pick_size(struct fuzz_worker *w)
{
	size_t edge = w->ps->dev->m->len_edge ? w->ps->dev->m->len_edge : LEN_EDGE;

	if (w->ps->dev->m->block && fuzz_chance(w, 40)) {	/* whole sectors, mostly */
		size_t n = 512 * (1 + fuzz_rnd(w, fuzz_chance(w, 80) ? 16 : 256));

		return fuzz_chance(w, 85) ? n : n + fuzz_rnd(w, 3) - 1;
	}
	switch (fuzz_rnd(w, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2 + fuzz_rnd(w, 63);
	case 3: return 16 + fuzz_rnd(w, 48);
	case 4: return KTEST_PAGE - 1 + fuzz_rnd(w, 3);
	case 5: return edge - 2 + fuzz_rnd(w, 5);
	case 6: return fuzz_rnd(w, ARENA + 1);
	case 7: return 1UL << 30;
	case 8: return SIZE_MAX / 2;
	case 9: return SIZE_MAX - fuzz_rnd(w, 2);
	default: return 1 + fuzz_rnd(w, 512);
	}
}

/* Positions: start, near the model's edge and LEN_EDGE, negative, near the top, anything. */
static long long pick_off(struct fuzz_worker *w)
{
	long long cap = w->ps->dev->m->pos_edge ? w->ps->dev->m->pos_edge : POS_EDGE;

	if (w->ps->dev->m->block && fuzz_chance(w, 40)) {	/* sectors, the disk's end */
		long long s = disk_size > 512 ? disk_size : 512;
		long long o = fuzz_chance(w, 70) ? 512 * (long long)fuzz_rnd(w, 64) :
			      s - 512 * (long long)fuzz_rnd(w, 16) + 512 * (long long)fuzz_rnd(w, 3);

		return fuzz_chance(w, 85) ? o : o + (long long)fuzz_rnd(w, 511) + 1;
	}
	switch (fuzz_rnd(w, 10)) {
	case 0: return 0;
	case 1: return fuzz_rnd(w, 64);
	case 2: return cap - 4 + (long long)fuzz_rnd(w, 9);
	case 3: return LEN_EDGE - 4 + (long long)fuzz_rnd(w, 9);
	case 4: return -1 - (long long)fuzz_rnd(w, 4096);
	case 5: return LLONG_MAX - (long long)fuzz_rnd(w, 4096);
	case 6: return LLONG_MIN + (long long)fuzz_rnd(w, 16);
	case 7: return (long long)fuzz_rand(w);
	default: return fuzz_rnd(w, 2 * POS_EDGE);
	}
}

/* ---- fds ---- */

static int pick_flags(struct fuzz_worker *w, bool block)
{
	/* Mostly O_RDWR; O_ACCMODE (3) opens for ioctls only. */
	static const int acc[] = { O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY, 3 };
	int f = acc[fuzz_rnd(w, 7)] | O_CLOEXEC;

	if (fuzz_chance(w, 50))
		f |= O_NONBLOCK;
	if (block && fuzz_chance(w, 35))
		f |= O_DIRECT;
	return f;
}

static struct slot *free_own(struct fuzz_worker *w)
{
	int i;

	for (i = 0; i < NOWN; i++)
		if (w->own[i].fd < 0)
			return &w->own[i];
	return NULL;
}

/* Picks a fd: mostly one of the thread's own, sometimes a shared one or a bad number. */
static bool pick_fd(struct fuzz_worker *w, struct fdref *f)
{
	/* The same draws whatever the tables hold: a thread's choices follow from the seed. */
	int r = fuzz_rnd(w, 100), i = fuzz_rnd(w, NSHARED), start = fuzz_rnd(w, NOWN);

	f->flags = -1;
	if (r < 4) {
		f->fd = r < 2 ? -1 : 1 << 20;
		f->how = "bad";
		return true;
	}
	if (r < 30) {
		pthread_mutex_lock(&w->ps->lock);
		f->fd = w->ps->shared[i].fd;
		pthread_mutex_unlock(&w->ps->lock);
		f->how = "shared";
		if (f->fd >= 0)
			return true;
	}
	for (i = 0; i < NOWN; i++) {
		struct slot *s = &w->own[(start + i) % NOWN];

		if (s->fd >= 0) {
			f->fd = s->fd;
			f->flags = s->flags;
			f->how = "own";
			return true;
		}
	}
	return false;
}

static bool can_read(int flags)
{
	return (flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR;
}

static bool can_write(int flags)
{
	return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

/* ---- slow models: calls that must be able to finish ---- */

/*
 * Some of a slow model's calls (percent) run with SIGUSR1 blocked, so that
 * a request longer than TICK_MS can finish; the signal comes when it is
 * unblocked. Returns whether it is blocked (then no EINTR). timeout: the
 * header says the call ends with ETIMEDOUT.
 */
static bool quiet_begin(struct fuzz_worker *w, int percent, bool timeout)
{
	sigset_t set;

	if (!w->ps->dev->m->slow || !fuzz_chance(w, percent))
		return false;
	/* Such a call waits for the whole timeout: a few times a pass. */
	if (timeout && __atomic_fetch_sub(&w->ps->timeout_waits, 1, __ATOMIC_RELAXED) <= 0)
		return false;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	return true;
}

static void quiet_end(bool quiet)
{
	sigset_t set;

	if (!quiet)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

/* ---- the operations ---- */

static void op_open(struct fuzz_worker *w)
{
	struct slot *s = free_own(w);
	int flags = pick_flags(w, w->ps->dev->m->block), fd, e, want = 0;

	if (!s) {
		s = &w->own[fuzz_rnd(w, NOWN)];
		errno = 0;
		fd = close(s->fd);
		fuzz_check(w, fd == 0, fd, errno, "closing an own fd must succeed", "close(%d)",
			   s->fd);
		s->fd = -1;
	}
	/* Now and then flags that must fail before the driver is reached. */
	if (fuzz_chance(w, 3)) {
		flags |= O_DIRECTORY;
		want = ENOTDIR;
	} else if (fuzz_chance(w, 3)) {
		flags |= O_CREAT | O_EXCL;
		want = EEXIST;
	}
	errno = 0;
	fd = open(w->ps->path, flags, 0600);
	e = errno;
	if (want) {
		fuzz_check(w, fd == -1 && e == want, fd, e, "the VFS refuses these flags",
			   "open(%s, %#x)", w->ps->path, flags);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!fuzz_check(w, fd >= 0 || e == ENOMEM, fd, e, "open must succeed", "open(%s, %#x)",
			w->ps->path, flags))
		return;
	if (fd >= 0)
		*s = (struct slot){ fd, flags };
}

static void op_close(struct fuzz_worker *w)
{
	struct slot *s = &w->own[fuzz_rnd(w, NOWN)];
	struct slot got = { -1, 0 };
	int r;

	if (fuzz_chance(w, 30)) {
		/* Take a shared fd out under the lock: nobody else can close it then. */
		int i = fuzz_rnd(w, NSHARED);

		pthread_mutex_lock(&w->ps->lock);
		got = w->ps->shared[i];
		w->ps->shared[i].fd = -1;
		pthread_mutex_unlock(&w->ps->lock);
	} else if (s->fd >= 0) {
		got = *s;
		s->fd = -1;
	}
	if (got.fd < 0)
		return;
	errno = 0;
	r = close(got.fd);
	fuzz_check(w, r == 0, r, errno, "closing a fd no one else closes must succeed", "close(%d)",
		   got.fd);
}

static void op_dup(struct fuzz_worker *w)
{
	struct slot *s = free_own(w), *from = &w->own[fuzz_rnd(w, NOWN)];
	int fd, e;

	if (!s || from->fd < 0)
		return;
	errno = 0;
	fd = dup(from->fd);
	e = errno;
	if (fuzz_check(w, fd >= 0, fd, e, "dup of an own fd must succeed", "dup(%d)", from->fd))
		*s = (struct slot){ fd, from->flags };
}

/* Swaps an own slot with a shared one: fds move between threads. */
static void op_share(struct fuzz_worker *w)
{
	struct slot *s = &w->own[fuzz_rnd(w, NOWN)], tmp;
	int i = fuzz_rnd(w, NSHARED);

	pthread_mutex_lock(&w->ps->lock);
	tmp = w->ps->shared[i];
	w->ps->shared[i] = *s;
	*s = tmp;
	pthread_mutex_unlock(&w->ps->lock);
}

/* read, write, pread, pwrite: counts never above the request, the model's values. */
static void op_rw(struct fuzz_worker *w, bool is_write, bool positional)
{
	const struct fuzz_model *m = w->ps->dev->m;
	struct fdref f;
	size_t n = pick_size(w);
	int kind = pick_kind(w), e;
	char *buf = buf_of_kind(w, kind, n);
	long long off = positional ? pick_off(w) : 0, r;
	errmask mask;
	const char *name = is_write ? (positional ? "pwrite" : "write") :
				      (positional ? "pread" : "read");
	bool ok, quiet;

	if (!pick_fd(w, &f)) {
		op_open(w);
		return;
	}
	mask = errs_for(&f, is_write ? m->write_errs : m->read_errs,
			!is_write && !m->ignores_nonblock);
	quiet = quiet_begin(w, 75, false);	/* others may leave the device busy */
	if (quiet)
		mask &= ~M(EINTR);
	errno = 0;
	if (positional)
		r = syscall(is_write ? SYS_pwrite64 : SYS_pread64, f.fd, buf, n, off);
	else
		r = syscall(is_write ? SYS_write : SYS_read, f.fd, buf, n);
	e = errno;
	quiet_end(quiet);
	if (r == -1 && e == EINTR)
		w->eintr++;
	if (positional && off < 0)	/* refused before the fd is looked at */
		ok = r == -1 && e == EINVAL;
	else if (f.flags >= 0 && !(is_write ? can_write(f.flags) : can_read(f.flags)))
		ok = r == -1 && e == EBADF;
	else if (m->rw_ok)
		ok = m->rw_ok(w, is_write, positional ? off : -1, n, r, e, mask);
	else if (r < 0)
		ok = r == -1 && fuzz_errno_in(mask, e);
	else
		ok = (unsigned long long)r <= n;
	fuzz_check(w, ok, r, e, "not allowed", positional ? "%s(%d %s %#x, %p %s, %zu, %lld)%s" :
		   "%s(%d %s %#x, %p %s, %zu)%.0lld%s", name, f.fd, f.how, f.flags, buf,
		   kind_names[kind], n, off, quiet ? " SIGUSR1 blocked" : "");
}

static void op_lseek(struct fuzz_worker *w)
{
	/* Every whence up to SEEK_MAX, those above it, negative and large ones; -2: random. */
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_SET, SEEK_CUR, SEEK_END,
				       SEEK_DATA, SEEK_HOLE, SEEK_MAX + 1, -1, INT_MIN, INT_MAX,
				       1 << 16, -2 };
	const struct fuzz_model *m = w->ps->dev->m;
	struct fdref f;
	long long off = pick_off(w), r;
	int whence = whences[fuzz_rnd(w, sizeof(whences) / sizeof(whences[0]))], e;
	bool ok;

	if (whence == -2)
		whence = (int)fuzz_rand(w);

	if (!pick_fd(w, &f)) {
		op_open(w);
		return;
	}
	errno = 0;
	r = lseek(f.fd, off, whence);
	e = errno;
	if (r == -1 && e == EBADF)
		ok = f.flags < 0;
	else if ((unsigned int)whence > SEEK_MAX)	/* the VFS's, before any driver */
		ok = r == -1 && e == EINVAL;
	else if (m->lseek_ok)
		ok = m->lseek_ok(off, whence, r, e);
	else	/* no llseek */
		ok = r == -1 && e == ESPIPE;
	fuzz_check(w, ok, r, e, "not allowed", "lseek(%d %s, %lld, %d)", f.fd, f.how, off, whence);
}

static bool is_vfs_cmd(unsigned int c)
{
	size_t i;

	for (i = 0; i < sizeof(vfs_cmds) / sizeof(vfs_cmds[0]); i++)
		if (vfs_cmds[i] == c)
			return true;
	return false;
}

/* The device's commands, with wrong sizes and directions, other numbers, anything. */
static unsigned int pick_cmd(struct fuzz_worker *w)
{
	const struct fuzz_model *m = w->ps->dev->m;
	unsigned int c;

	do {
		unsigned int real = m->cmds[fuzz_rnd(w, m->ncmds)].nr;

		switch (fuzz_rnd(w, 10)) {
		case 0: case 1: case 2: case 3:
			c = real;
			break;
		case 4: case 5:
			c = _IOC(fuzz_rnd(w, 4), _IOC_TYPE(real), _IOC_NR(real),
				 fuzz_rnd(w, 1 << _IOC_SIZEBITS));
			break;
		case 6:
			c = _IOC(fuzz_rnd(w, 4), _IOC_TYPE(real), fuzz_rnd(w, 256),
				 fuzz_rnd(w, 64));
			break;
		case 7:
			c = all_cmds[fuzz_rnd(w, nall_cmds)];
			break;
		case 8:
			c = _IOC(fuzz_rnd(w, 4), fuzz_rnd(w, 256), fuzz_rnd(w, 256),
				 fuzz_rnd(w, 1 << _IOC_SIZEBITS));
			break;
		default:
			c = (unsigned int)fuzz_rand(w);
		}
	} while (is_vfs_cmd(c));
	return c;
}

/* Command c of model m, or NULL. */
static const struct fuzz_cmd *find_cmd(const struct fuzz_model *m, unsigned int c)
{
	int i;

	for (i = 0; i < m->ncmds; i++)
		if (m->cmds[i].nr == c)
			return &m->cmds[i];
	return NULL;
}

/* The model whose command c is (any model's: commands go to the other devices too). */
static const struct fuzz_model *owner_of(unsigned int c)
{
	int i;

	for (i = 0; i < nmodels; i++)
		if (find_cmd(models[i], c))
			return models[i];
	return NULL;
}

static void op_ioctl(struct fuzz_worker *w)
{
	struct pass *ps = w->ps;
	unsigned int c = pick_cmd(w);
	const struct fuzz_model *m = ps->dev->m, *owner = owner_of(c);
	const struct fuzz_cmd *known = find_cmd(m, c), *any = owner ? find_cmd(owner, c) : NULL;
	size_t base = any ? any->reply : 0, len = 0, room = 0, tail_len = 0;
	char s[4096], tail[32], *p = NULL;
	const char *kind;
	struct fdref f;
	unsigned long arg;
	errmask errs;
	int want, k, e;
	long long r;
	bool ok, quiet;

	if (!pick_fd(w, &f)) {
		op_open(w);
		return;
	}
	/* What the header says the call gives, -1 if it does not say (not a command). */
	want = owner && owner->make_arg ? owner->make_arg(w, c, s, &len) : -1;
	k = fuzz_chance(w, 60) ? B_VALID : pick_kind(w);
	/* Valid, or ending right at TASK_SIZE: the header says the result. */
	if (k == B_VALID) {
		p = w->arena + fuzz_rnd(w, ARENA - ARG_ROOM);
		room = ARG_ROOM;
	} else if (k == B_TOP) {
		size_t need = len > base ? len : base;

		p = w->top + KTEST_PAGE - need - (need + 4 <= KTEST_PAGE ? fuzz_rnd(w, 4) : 0);
		room = w->top + KTEST_PAGE - p;
	} else {	/* cut short by a fault, or no memory at all */
		p = buf_of_kind(w, k, 64);
		room = k == B_EDGE ? (size_t)(w->arena + ARENA - p) :
		       k == B_EDGE_HOLE ? (size_t)(w->edge + KTEST_PAGE - p) : 0;
		want = -1;
	}
	memcpy(p, s, len < room ? len : room);
	if (want >= 0 && room > base) {	/* what a query must leave alone */
		tail_len = room - base < sizeof(tail) ? room - base : sizeof(tail);
		memcpy(tail, p + base, tail_len);
	}
	arg = (unsigned long)p;
	kind = kind_names[k];
	if (owner && owner->by_value && owner->by_value(c) && len >= sizeof(arg)) {
		memcpy(&arg, s, sizeof(arg));
		kind = "value";
		k = B_VALID;
	}
	if (fuzz_chance(w, 10)) {
		arg = fuzz_rnd(w, 4096);
		kind = "small";
		want = -1;
	}
	quiet = quiet_begin(w, 50, known && want == ETIMEDOUT);
	errno = 0;
	r = syscall(SYS_ioctl, f.fd, c, arg);
	e = errno;
	quiet_end(quiet);
	if (r == -1 && e == EINTR)
		w->eintr++;
	if (known && m->ioctl_done)
		m->ioctl_done(w, c, r, e);
	errs = known ? known->errs & ~(quiet ? M(EINTR) : 0) : 0;
	if (r == -1 && e == EBADF && f.flags < 0)
		ok = true;
	else if (!known)
		ok = r == -1 && e == ENOTTY;
	else if (known->priv && !ps->root)
		ok = r == -1 && e == EPERM;
	else if (want >= 0 && !(m->transient && m->transient(c, want, e, quiet)))
		ok = want ? r == -1 && e == want :	/* the header says exactly */
		     r == 0 && (!m->reply_ok || m->reply_ok(w, c, p, s, tail, tail_len));
	else
		ok = r == 0 || (r == -1 && fuzz_errno_in(errs, e));
	fuzz_check(w, ok, r, e, known && want >= 0 ? "not what the argument asks" : "not allowed",
		   "ioctl(%d %s, %#x, %#lx %s)%s%s%s", f.fd, f.how, c, arg, kind,
		   want >= 0 ? " expecting " : "", want > 0 ? strerrorname_np(want) : want ? "" : "0",
		   quiet ? " SIGUSR1 blocked" : "");
}

static void op_poll(struct fuzz_worker *w)
{
	static const short evs[] = {
		POLLIN | POLLRDNORM, POLLOUT | POLLWRNORM, POLLIN | POLLOUT, POLLPRI,
		POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM,
	};
	const struct fuzz_model *m = w->ps->dev->m;
	struct pollfd pf[3];
	struct fdref f[3];
	int n = 1 + fuzz_rnd(w, 3), timeout, i, e, ready = 0, k = -1;
	void *arr = pf;
	long long r;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (!pick_fd(w, &f[i]))
			f[i] = (struct fdref){ -1, -1, "none" };
		pf[i] = (struct pollfd){ f[i].fd, evs[fuzz_rnd(w, 5)], 0 };
	}
	timeout = fuzz_chance(w, 60) ? 0 : fuzz_chance(w, 75) ? (int)fuzz_rnd(w, 20) : -1;
	if (fuzz_chance(w, 5)) {
		k = B_NULL + (int)fuzz_rnd(w, NKINDS - B_NULL);
		arr = buf_of_kind(w, k, n * sizeof(struct pollfd));
	}
	errno = 0;
#ifdef SYS_poll
	r = syscall(SYS_poll, arr, n, timeout);
#else
	/* arm64 has only ppoll: the same do_sys_poll(), the timeout as a timespec. */
	{
		struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

		r = syscall(SYS_ppoll, arr, n, timeout < 0 ? NULL : &ts, NULL, 0);
	}
#endif
	e = errno;
	if (r == -1 && e == EINTR)
		w->eintr++;
	if (k >= 0)
		ok = r == -1 && (e == EFAULT || e == EINTR);
	else if (r < 0)
		ok = r == -1 && e == EINTR;
	for (i = 0; r >= 0 && i < n; i++) {
		short got = pf[i].revents;

		ready += got != 0;
		if (got & ~(pf[i].events | POLLERR | POLLHUP | POLLNVAL))
			ok = false;
		if (f[i].flags >= 0 && (got & POLLNVAL))
			ok = false;	/* an own fd is open */
		if (f[i].flags >= 0 && m->poll_ok && !m->poll_ok(pf[i].events, got))
			ok = false;
		if (f[i].flags >= 0 && m->no_poll &&	/* the VFS's DEFAULT_POLLMASK */
		    got != (pf[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)))
			ok = false;
	}
	if (r >= 0 && r != ready)
		ok = false;
	fuzz_check(w, ok, r, e, "not allowed", "poll(%s n=%d [%d %s %#x -> %#x, ...], %d)",
		   k >= 0 ? kind_names[k] : "valid", n, f[0].fd, f[0].how, pf[0].events,
		   pf[0].revents, timeout);
}

/* ---- a pass: threads, supervisor, the process ---- */

enum { OP_OPEN, OP_CLOSE, OP_DUP, OP_SHARE, OP_READ, OP_WRITE, OP_PREAD, OP_PWRITE, OP_LSEEK,
       OP_IOCTL, OP_POLL, NOPS };
static const int op_weight[NOPS] = { 6, 5, 2, 3, 12, 12, 4, 4, 8, 30, 8 };

static void one_op(struct fuzz_worker *w)
{
	int i, r, total = 0;

	for (i = 0; i < NOPS; i++)
		total += op_weight[i];
	r = fuzz_rnd(w, total);
	for (i = 0; i < NOPS - 1 && r >= op_weight[i]; i++)
		r -= op_weight[i];
	switch (i) {
	case OP_OPEN: op_open(w); break;
	case OP_CLOSE: op_close(w); break;
	case OP_DUP: op_dup(w); break;
	case OP_SHARE: op_share(w); break;
	case OP_READ: op_rw(w, false, false); break;
	case OP_WRITE: op_rw(w, true, false); break;
	case OP_PREAD: op_rw(w, false, true); break;
	case OP_PWRITE: op_rw(w, true, true); break;
	case OP_LSEEK: op_lseek(w); break;
	case OP_IOCTL: op_ioctl(w); break;
	default: op_poll(w); break;
	}
}

static void *worker_main(void *p)
{
	struct fuzz_worker *w = p;
	struct pass *ps = w->ps;
	int i;

	while (!__atomic_load_n(&ps->stop, __ATOMIC_RELAXED) &&
	       __atomic_fetch_add(&ps->issued, 1, __ATOMIC_RELAXED) < ps->max_ops) {
		one_op(w);
		w->ops++;
	}
	for (i = 0; i < NOWN; i++)
		if (w->own[i].fd >= 0)
			fuzz_check(w, close(w->own[i].fd) == 0, -1, errno, "must succeed",
				   "close(%d)", w->own[i].fd);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* len bytes of random data between two PROT_NONE pages; NULL on failure. */
static char *guarded(size_t len, uint64_t *rng)
{
	char *p = mmap(NULL, len + 2 * KTEST_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	if (p == MAP_FAILED || mprotect(p + KTEST_PAGE, len, PROT_READ | PROT_WRITE))
		return NULL;
	for (i = 0; i < len; i += 8) {
		uint64_t v = fuzz_next_rand(rng);

		memcpy(p + KTEST_PAGE + i, &v, 8);
	}
	return p + KTEST_PAGE;
}

void fuzz_privileged(struct fuzz_worker *w, int fd, unsigned int c, void *arg, const char *name)
{
	int want = w->ps->root ? 0 : EPERM;
	long r;

	errno = 0;
	r = ioctl(fd, c, arg);
	fuzz_check(w, want ? r == -1 && errno == want : r == 0, r, errno, "the privileged command",
		   "probe ioctl(%d, %s)", fd, name);
}

/* Once per pass, in order, before the threads: the model's known sequence, if it has one. */
static void probe(struct pass *ps, struct fuzz_worker *w)
{
	int fd = open(ps->path, O_RDWR | O_CLOEXEC);

	if (!fuzz_check(w, fd >= 0, fd, errno, "open must succeed", "open(%s)", ps->path))
		return;
	if (ps->dev->m->probe)
		ps->dev->m->probe(w, fd);
	close(fd);
}

/* FNV-1a: a device's own seed does not depend on its place in the list. */
uint64_t fuzz_name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void run_pass(int di, bool root, struct pass_result *res, uint64_t seed, void *model)
{
	static struct pass ps;
	uint64_t rng = seed;
	char *top;
	long long t0;
	int i, done;

	if (!root && ktest_become_nobody()) {
		printf("# %s: cannot become uid 65534: %s\n", devices[di].name, strerror(errno));
		exit(1);
	}
	ps.dev = &devices[di];
	ps.model = model;
	ps.root = root;
	ps.who = root ? "root" : "uid 65534";
	snprintf(ps.path, sizeof(ps.path), "/dev/%s", ps.dev->node);
	if (ps.dev->m->block) {
		int fd = open(ps.path, O_RDONLY | O_CLOEXEC);
		uint64_t b = 0;

		if (fd < 0 || ioctl(fd, BLKGETSIZE64, &b)) {
			printf("# %s: no size of %s: %s\n", ps.dev->name, ps.path, strerror(errno));
			exit(1);
		}
		close(fd);
		disk_size = (long long)b;
	}
	ps.max_ops = opt_ops;
	ps.nthreads = opt_threads;
	ps.timeout_waits = 1;
	pthread_mutex_init(&ps.lock, NULL);
	for (i = 0; i < NSHARED; i++)
		ps.shared[i].fd = -1;
	/* Special pages live between PROT_NONE pages: a copy past them faults. */
	ps.ro = guarded(2 * KTEST_PAGE, &rng);
	ps.hole = ktest_hole();
	if (!ps.ro || !ps.hole || mprotect(ps.ro, KTEST_PAGE, PROT_READ) ||
	    mprotect(ps.ro + KTEST_PAGE, KTEST_PAGE, PROT_NONE)) {
		printf("# %s: cannot map the test buffers\n", ps.dev->name);
		exit(1);
	}
	ps.none = ps.ro + KTEST_PAGE;
	for (i = 0; i < ps.nthreads; i++) {
		struct fuzz_worker *w = &ps.w[i];

		w->ps = &ps;
		w->id = i;
		w->rng = seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(1 + i + 64 * !root)) ^
			 fuzz_name_hash(ps.dev->name);
		fuzz_rand(w);
		w->arena = guarded(ARENA, &w->rng);
		w->edge = ktest_page_before_hole();
		w->model = calloc(1, ps.dev->m->thread_size + 1);
		if (!w->arena || !w->edge || !w->model) {
			printf("# %s: cannot map the test buffers\n", ps.dev->name);
			exit(1);
		}
		memset(w->edge, 0x5a, KTEST_PAGE);
		memset(w->own, -1, sizeof(w->own));
	}
	/* The last user page, if free: only thread 0 uses it, so its contents stay known. */
	top = mmap((void *)TOP_PAGE, KTEST_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (top == (char *)TOP_PAGE)
		ps.w[0].top = top;
	probe(&ps, &ps.w[0]);
	/* Blocked calls must end: SIGUSR1 without SA_RESTART turns them into EINTR. */
	ktest_catch(SIGUSR1, false);
	t0 = ktest_ms();
	ps.deadline = t0 + (long long)(opt_seconds * 1000);
	for (i = 0; i < ps.nthreads; i++) {
		if (pthread_create(&ps.w[i].thread, NULL, worker_main, &ps.w[i])) {
			printf("# %s: pthread_create failed\n", ps.dev->name);
			exit(1);
		}
	}
	do {
		usleep(TICK_MS * 1000);
		if (ktest_ms() >= ps.deadline)
			__atomic_store_n(&ps.stop, 1, __ATOMIC_SEQ_CST);
		for (i = 0, done = 0; i < ps.nthreads; i++) {
			if (__atomic_load_n(&ps.w[i].done, __ATOMIC_SEQ_CST))
				done++;
			else
				pthread_kill(ps.w[i].thread, SIGUSR1);
		}
	} while (done < ps.nthreads);
	for (i = 0; i < ps.nthreads; i++) {
		pthread_join(ps.w[i].thread, NULL);
		res->ops += ps.w[i].ops;
		res->eintr += ps.w[i].eintr;
	}
	for (i = 0; i < NSHARED; i++)
		if (ps.shared[i].fd >= 0)
			fuzz_check(&ps.w[0], close(ps.shared[i].fd) == 0, -1, errno, "must succeed",
				   "close(%d)", ps.shared[i].fd);
	res->ms = ktest_ms() - t0;
	res->failures = ps.failures;
	fflush(stdout);
	exit(ps.failures ? 1 : 0);
}

/* ---- per device: load, two passes, invariants, unload, kernel log ---- */

void fuzz_expect(bool ok, bool fatal, const char *file, int line, const char *what)
{
	if (ok)
		return;
	printf("# %s:%d: expected %s\n", file, line, what);
	ktest_failed = 1;
	if (fatal)
		exit(1);
}

/*
 * The device's own view (no file open) at load or after a pass (ops -1: it
 * did not end normally): its counters must agree.
 */
static void check_device(const struct device *d, void *model, const char *path, const char *who,
			 long ops)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint64_t b = 0;

	ASSERT_TRUE(fd >= 0);
	if (d->m->block && !ioctl(fd, BLKGETSIZE64, &b))
		disk_size = (long long)b;
	if (d->m->check)
		d->m->check(model, d->name, fd, who, ops);
	close(fd);
}

/* Prints and counts the reports logged since fd was opened. */
static int kernel_reports(int fd, const char *name)
{
	char rec[8192];	/* a record longer than the buffer fails the read */
	int reports = 0;

	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return reports;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		msg[strcspn(msg, "\n")] = '\0';
		kmsg_unescape(msg);
		if (kernel_report(msg) && reports++ < 20)
			printf("# %s: kernel: %s\n", name, msg);
	}
}

/* The modules the model needs, before the device's: loaded, or built in (not shipped). */
static void load_needs(const struct device *d)
{
	const char *const *n;

	for (n = d->m->needs; n && *n; n++) {
		errno = 0;
		if (load_module(*n, NULL) && errno != EEXIST && errno != ENOENT) {
			printf("# %s: cannot load %s, which it needs: %s\n", d->name, *n,
			       strerror(errno));
			ktest_failed = 1;
			exit(1);
		}
	}
	if (d->subsys && access("/sys/kernel/config", F_OK) == 0 &&
	    mount("none", "/sys/kernel/config", "configfs", 0, NULL) && errno != EBUSY) {
		printf("# %s: cannot mount configfs: %s\n", d->name, strerror(errno));
		exit(1);
	}
}

/* ---- the configfs pass (configfs=SUBSYS): a subsystem of null_blk's kind ---- */

#define CFS_ITEMS 6	/* fz0..fz5, fuzzed; fzio: the data-check disk */
#define CFS_ATTRS 64
#define CFS_IO_BUF (256 * 1024)

struct cfs_item {
	pthread_mutex_t lock;	/* mkdir, rmdir, power: the fields below */
	bool exists, powered;
	char node[96];	/* its disk while powered */
};

struct cfs {
	const struct device *d;
	char dir[96];
	char wattrs[CFS_ATTRS][48], rattrs[CFS_ATTRS][48];	/* but power */
	int nwattrs, nrattrs;
	struct cfs_item item[CFS_ITEMS];
	long long deadline;
	int failures;
	long writes, writes_ok, powers, powers_ok, ios, ios_ok, checks;
};

struct cfs_thread {
	pthread_t t;
	struct cfs *c;
	uint64_t rng;
	int id;
};

static uint64_t cr(struct cfs_thread *t, uint64_t n)
{
	return n ? fuzz_next_rand(&t->rng) % n : 0;
}

__attribute__((format(printf, 2, 3)))
static void cfs_fail(struct cfs *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (__atomic_fetch_add(&c->failures, 1, __ATOMIC_SEQ_CST) < MAX_FAILURES)
		printf("# %s (configfs %s): %s (seed %llu)\n", c->d->name, c->d->subsys, msg,
		       (unsigned long long)fuzz_seed);
}

static bool cfs_errno_ok(int e, errmask allowed)
{
	return fuzz_errno_in(allowed, e);
}

/* Writes len bytes of v to ITEM/ATTR: the write's result, errno in *e. */
static long cfs_write(struct cfs *c, const char *item, const char *attr, const char *v,
		      size_t len, int *e)
{
	char path[192];
	int fd;
	long r;

	snprintf(path, sizeof(path), "%s/%s/%s", c->dir, item, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		*e = errno;
		return -2;	/* the open failed */
	}
	errno = 0;
	r = write(fd, v, len);
	*e = errno;
	if (close(fd) && r >= 0) {	/* configfs stores at the write, not the close */
		*e = errno;
		r = -1;
	}
	return r;
}

static long cfs_read(struct cfs *c, const char *item, const char *attr, char *buf, size_t cap,
		     int *e)
{
	char path[192];
	int fd;
	long r;

	snprintf(path, sizeof(path), "%s/%s/%s", c->dir, item, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*e = errno;
		return -2;
	}
	errno = 0;
	r = read(fd, buf, cap - 1);
	*e = errno;
	close(fd);
	if (r >= 0)
		buf[r] = '\0';
	return r;
}

/* Random bytes, huge, empty, out of range, negative, hex, trailing junk, "1\n", plausible. */
static size_t cfs_value(struct cfs_thread *t, char *b, size_t cap)
{
	static const char *const fixed[] = {
		"4294967296", "18446744073709551616", "-1", "1\n", "0", "1", "y", "n", "true",
		"0\n", "512", "4096", "1024\n", " 1", "1 ", "99999999999999999999999",
	};
	size_t n, i;

	switch (cr(t, 10)) {
	case 0:
		n = 1 + cr(t, 64);
		for (i = 0; i < n; i++)
			b[i] = (char)cr(t, 256);
		return n;
	case 1:
		n = cap - 1 - cr(t, 2);
		memset(b, '1' + (char)cr(t, 9), n);
		return n;
	case 2:
		return 0;
	case 3:
		return (size_t)snprintf(b, cap, "0x%llx", (unsigned long long)fuzz_next_rand(&t->rng) >>
								     cr(t, 64));
	case 4:
		return (size_t)snprintf(b, cap, "%llu%s", (unsigned long long)cr(t, 5000),
					cr(t, 2) ? "abc" : "\n\n");
	case 5:
		return (size_t)snprintf(b, cap, "%c%llu-%llu", cr(t, 2) ? '+' : '-',
					(unsigned long long)cr(t, 4096),
					(unsigned long long)cr(t, 8192));
	case 6:
		return (size_t)snprintf(b, cap, "-%llu", (unsigned long long)cr(t, 1UL << 40));
	case 7:
		return (size_t)snprintf(b, cap, "%llu", (unsigned long long)cr(t, 300));
	default:
		return (size_t)snprintf(b, cap, "%s", fixed[cr(t, sizeof(fixed) / sizeof(fixed[0]))]);
	}
}

/* Before a power on: every capped attribute within its cap. */
static void cfs_cap(struct cfs_thread *t, const char *item)
{
	const struct fuzz_cfs *m = t->c->d->m->cfs;
	char v[32];
	int i, e;

	for (i = 0; i < m->ncaps; i++) {
		snprintf(v, sizeof(v), "%lu", m->caps[i].lo + (unsigned long)cr(t, m->caps[i].hi -
									       m->caps[i].lo + 1));
		cfs_write(t->c, item, m->caps[i].attr, v, strlen(v), &e);
	}
}

/* A powered item's disk: /dev/ITEM (6.x null_blk) or /dev/SUBSYS<index>. */
static bool cfs_node(struct cfs *c, const char *item, char *node, size_t cap)
{
	char idx[64];
	struct stat st;
	int e;

	snprintf(node, cap, "/dev/%s", item);
	if (!stat(node, &st))
		return S_ISBLK(st.st_mode);
	if (cfs_read(c, item, "index", idx, sizeof(idx), &e) <= 0)
		return false;
	snprintf(node, cap, "/dev/%s%ld", c->d->subsys, strtol(idx, NULL, 10));
	return !stat(node, &st) && S_ISBLK(st.st_mode);
}

#define CFS_STORE_ERRS (M(EINVAL) | M(EBUSY) | M(ENOMEM) | M(ERANGE) | M(ENOSPC) | M(EEXIST))

/* Under the item's lock: power on (caps first) or off, checked. */
static void cfs_power(struct cfs_thread *t, int k, bool on)
{
	struct cfs *c = t->c;
	struct cfs_item *it = &c->item[k];
	char name[16];
	long r;
	int e;

	snprintf(name, sizeof(name), "fz%d", k);
	if (on)
		cfs_cap(t, name);
	r = cfs_write(c, name, "power", on ? "1" : "0\n", on ? 1 : 2, &e);
	__atomic_fetch_add(&c->powers, 1, __ATOMIC_RELAXED);
	if (!on) {
		if (r != 2)
			cfs_fail(c, "%s power 0 -> %ld %s: powering off must succeed", name, r,
				 strerrorname_np(e));
		it->powered = false;
		return;
	}
	if (r == 1) {
		__atomic_fetch_add(&c->powers_ok, 1, __ATOMIC_RELAXED);
		it->powered = true;
		if (!cfs_node(c, name, it->node, sizeof(it->node)))
			cfs_fail(c, "%s powered on, but no block device node (%s)", name, it->node);
	} else if (r != -1 || !cfs_errno_ok(e, CFS_STORE_ERRS)) {
		cfs_fail(c, "%s power 1 -> %ld %s: not allowed", name, r, strerrorname_np(e));
	}
}

static void cfs_mutate(struct cfs_thread *t)
{
	struct cfs *c = t->c;
	int k = (int)cr(t, CFS_ITEMS), a = (int)cr(t, 100), e, i;
	struct cfs_item *it = &c->item[k];
	char name[16], path[160], v[8192];
	long r;

	snprintf(name, sizeof(name), "fz%d", k);
	snprintf(path, sizeof(path), "%s/%s", c->dir, name);
	if (a < 8) {	/* mkdir */
		pthread_mutex_lock(&it->lock);
		errno = 0;
		r = mkdir(path, 0755);
		e = errno;
		if (it->exists ? !(r == -1 && e == EEXIST) : !(r == 0 || e == ENOMEM))
			cfs_fail(c, "mkdir %s -> %ld %s: not allowed", name, r, strerrorname_np(e));
		if (r == 0)
			it->exists = true;
		pthread_mutex_unlock(&it->lock);
	} else if (a < 13) {	/* rmdir, powered or not */
		pthread_mutex_lock(&it->lock);
		if (it->powered && cr(t, 2))
			cfs_power(t, k, false);
		errno = 0;
		r = rmdir(path);
		e = errno;
		if (it->exists ? r != 0 : !(r == -1 && e == ENOENT))
			cfs_fail(c, "rmdir %s -> %ld %s: not allowed", name, r, strerrorname_np(e));
		if (r == 0)
			it->exists = it->powered = false;
		pthread_mutex_unlock(&it->lock);
	} else if (a < 25) {	/* power */
		pthread_mutex_lock(&it->lock);
		if (it->exists)
			cfs_power(t, k, !it->powered || !cr(t, 3));
		pthread_mutex_unlock(&it->lock);
	} else if (a < 85 && c->nwattrs) {	/* an attribute: anything */
		const char *attr = c->wattrs[cr(t, c->nwattrs)];
		const struct fuzz_cfs *m = c->d->m->cfs;
		size_t n = cfs_value(t, v, sizeof(v));

		for (i = 0; i < m->ncaps; i++)
			if (m->caps[i].always && !strcmp(m->caps[i].attr, attr))
				n = (size_t)snprintf(v, sizeof(v), "%lu", m->caps[i].lo +
						     (unsigned long)cr(t, m->caps[i].hi -
								       m->caps[i].lo + 1));

		r = cfs_write(c, name, attr, v, n, &e);
		__atomic_fetch_add(&c->writes, 1, __ATOMIC_RELAXED);
		if (r >= 0 && (size_t)r <= n)
			__atomic_fetch_add(&c->writes_ok, 1, __ATOMIC_RELAXED);
		else if (!(r == -2 && e == ENOENT) &&	/* no such item (now) */
			 !(r == -1 && e == EFAULT && n == 0) &&	/* configfs: nothing copied */
			 !(r == -1 && cfs_errno_ok(e, CFS_STORE_ERRS | M(ENOENT))))
			cfs_fail(c, "%s %s: write of %zu bytes%s -> %ld %s: not allowed", name, attr, n,
				 n == 0 ? " (empty)" : "", r, strerrorname_np(e));
	} else {	/* every readable attribute */
		for (i = 0; i < c->nrattrs; i++) {
			r = cfs_read(c, name, c->rattrs[i], v, sizeof(v), &e);
			if (r < 0 && e != ENOENT)
				cfs_fail(c, "%s %s: read -> %ld %s: not allowed", name, c->rattrs[i], r,
					 strerrorname_np(e));
		}
	}
}

/* I/O on a powered fuzzed disk, which may go away meanwhile: errors, but no report. */
#define CFS_IO_ERRS (M(EIO) | M(EINVAL) | M(ENOSPC) | M(ENXIO) | M(ENODEV) | M(EPERM) |	\
		     M(EOPNOTSUPP) | M(EAGAIN) | M(ENOMEM) | M(ETIMEDOUT) | M(EILSEQ) |	\
		     M(EREMOTEIO) | M(ENODATA) | M(EBUSY) | M(ETOOMANYREFS) | M(EOVERFLOW) |	\
		     M(ENOLINK) | M(EBADE) | M(ENOMEDIUM))

static void cfs_io(struct cfs_thread *t, char *buf)
{
	struct cfs *c = t->c;
	struct cfs_item *it = &c->item[cr(t, CFS_ITEMS)];
	char node[96];
	int fd, i, n = 1 + (int)cr(t, 8), e;
	bool direct = cr(t, 2);

	pthread_mutex_lock(&it->lock);
	snprintf(node, sizeof(node), "%s", it->powered ? it->node : "");
	pthread_mutex_unlock(&it->lock);
	if (!node[0]) {
		usleep(1000);
		return;
	}
	fd = open(node, O_RDWR | O_CLOEXEC | (direct ? O_DIRECT : 0));
	if (fd < 0) {
		if (!cfs_errno_ok(errno, CFS_IO_ERRS | M(ENOENT)))
			cfs_fail(c, "open(%s) -> %s: not allowed", node, strerrorname_np(errno));
		return;
	}
	for (i = 0; i < n; i++) {
		size_t len = cr(t, 4) ? 512 * (1 + cr(t, 128)) : 1 + cr(t, 8192);
		long long off = cr(t, 4) ? 512 * (long long)cr(t, 1 << 16) : (long long)cr(t, 1 << 26);
		uint64_t range[2] = { (uint64_t)off & ~511ULL, len & ~511UL };
		long r;

		errno = 0;
		switch (cr(t, 5)) {
		case 0: case 1:
			r = pread(fd, buf, len, off);
			break;
		case 2: case 3:
			r = pwrite(fd, buf, len, off);
			break;
		default:
			r = ioctl(fd, cr(t, 2) ? BLKDISCARD : BLKZEROOUT, range);
			break;
		}
		e = errno;
		__atomic_fetch_add(&c->ios, 1, __ATOMIC_RELAXED);
		if (r >= 0)
			__atomic_fetch_add(&c->ios_ok, 1, __ATOMIC_RELAXED);
		else if (!cfs_errno_ok(e, CFS_IO_ERRS))
			cfs_fail(c, "I/O on %s (len %zu, off %lld) -> %s: not allowed", node, len, off,
				 strerrorname_np(e));
	}
	close(fd);
}

/* The io_setup disk, this thread's alone: what is written reads back; discards give zeroes. */
static void cfs_data(struct cfs_thread *t, char *buf)
{
	const struct fuzz_cfs *m = t->c->d->m->cfs;
	struct cfs *c = t->c;
	char node[192], *back = buf + CFS_IO_BUF / 2, v[128];
	const char *const *s;
	uint64_t size = 0;
	int fd, bfd, e;
	long r;

	snprintf(node, sizeof(node), "%s/fzio", c->dir);
	if (mkdir(node, 0755)) {
		cfs_fail(c, "mkdir fzio: %s", strerror(errno));
		return;
	}
	for (s = m->io_setup; *s; s++) {
		const char *eq = strchr(*s, '=');
		char attr[48];

		snprintf(attr, sizeof(attr), "%.*s", (int)(eq - *s), *s);
		snprintf(v, sizeof(v), "%s", eq + 1);
		r = cfs_write(c, "fzio", attr, v, strlen(v), &e);
		if (r != (long)strlen(v))
			cfs_fail(c, "fzio: %s -> %ld %s: the data disk's setup must succeed", *s, r,
				 strerrorname_np(e));
	}
	if (!cfs_node(c, "fzio", node, sizeof(node))) {
		cfs_fail(c, "fzio powered on, but no block device node (%s)", node);
		return;
	}
	fd = open(node, O_RDWR | O_CLOEXEC | O_DIRECT);
	bfd = open(node, O_RDWR | O_CLOEXEC);
	if (fd < 0 || bfd < 0 || ioctl(fd, BLKGETSIZE64, &size) || size < (1 << 20)) {
		cfs_fail(c, "fzio: cannot open %s or get its size: %s", node, strerror(errno));
		return;
	}
	while (ktest_ms() < c->deadline) {
		size_t len = 512 * (1 + cr(t, 128)), i;
		long long off = 512 * (long long)cr(t, size / 512 - 128);
		int how = (int)cr(t, 10);
		uint64_t range[2] = { (uint64_t)off, len };
		bool zero = false;

		for (i = 0; i < len; i += 8) {
			uint64_t x = fuzz_next_rand(&t->rng);

			memcpy(buf + i, &x, 8);
		}
		if (how < 2) {	/* buffered, unaligned, then written back */
			size_t skew = cr(t, 511);

			r = pwrite(bfd, buf + skew, len - skew, off + (long long)skew);
			if (r != (long)(len - skew) || fsync(bfd))
				cfs_fail(c, "fzio: buffered pwrite(%zu, %lld) -> %ld %s", len - skew,
					 off + (long long)skew, r, strerrorname_np(errno));
			r = pread(fd, back, len, off);
			if (r == (long)len && memcmp(back + skew, buf + skew, len - skew))
				cfs_fail(c, "fzio: %zu bytes at %lld written (buffered, fsync) read back "
					 "different (O_DIRECT)", len - skew, off + (long long)skew);
			c->checks++;
			continue;
		}
		if (how < 4 && m->discard_zeroes) {
			r = ioctl(fd, how == 2 ? BLKDISCARD : BLKZEROOUT, range);
			zero = true;
		} else if (how < 4) {
			r = ioctl(fd, BLKZEROOUT, range);
			zero = true;
		} else {
			r = pwrite(fd, buf, len, off);
			r = r == (long)len ? 0 : -1;
		}
		if (r) {
			cfs_fail(c, "fzio: %s(%zu bytes at %lld) -> %s", zero ? "discard/zeroout" :
				 "O_DIRECT pwrite", len, off, strerrorname_np(errno));
			continue;
		}
		r = pread(fd, back, len, off);
		if (r != (long)len) {
			cfs_fail(c, "fzio: O_DIRECT pread(%zu, %lld) -> %ld %s", len, off, r,
				 strerrorname_np(errno));
			continue;
		}
		if (zero) {
			for (i = 0; i < len && !back[i]; i++)
				;
			if (i < len)
				cfs_fail(c, "fzio: byte %zu of %zu at %lld not zero after %s", i, len,
					 off, how == 2 ? "BLKDISCARD" : "BLKZEROOUT");
		} else if (memcmp(back, buf, len)) {
			cfs_fail(c, "fzio: %zu bytes at %lld read back different", len, off);
		}
		c->checks++;
	}
	close(fd);
	close(bfd);
}

/* Thread 0: the data disk; thread 1: I/O on the fuzzed disks; the others: configfs. */
static void *cfs_thread_main(void *p)
{
	struct cfs_thread *t = p;
	char *buf = NULL;

	if (t->id < 2 && posix_memalign((void **)&buf, 4096, CFS_IO_BUF)) {
		cfs_fail(t->c, "no memory for the I/O buffer");
		return NULL;
	}
	if (t->id == 0)
		cfs_data(t, buf);
	while (t->id && ktest_ms() < t->c->deadline) {
		if (t->id == 1)
			cfs_io(t, buf);
		else
			cfs_mutate(t);
	}
	free(buf);
	return NULL;
}

/* The attribute files of a fresh item: written ones (but power), read ones. */
static void cfs_list_attrs(struct cfs *c)
{
	char path[192];
	struct dirent *de;
	struct stat st;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/fz0", c->dir);
	ASSERT_EQ(0, mkdir(path, 0755));
	c->item[0].exists = true;
	dir = opendir(path);
	ASSERT_TRUE(dir != NULL);
	while ((de = readdir(dir))) {
		char f[512];

		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		if (de->d_name[0] == '.' || stat(f, &st) || !S_ISREG(st.st_mode) ||
		    strlen(de->d_name) >= sizeof(c->wattrs[0]))
			continue;
		if ((st.st_mode & S_IWUSR) && strcmp(de->d_name, "power") && c->nwattrs < CFS_ATTRS)
			snprintf(c->wattrs[c->nwattrs++], sizeof(c->wattrs[0]), "%s", de->d_name);
		if ((st.st_mode & S_IRUSR) && c->nrattrs < CFS_ATTRS)
			snprintf(c->rattrs[c->nrattrs++], sizeof(c->rattrs[0]), "%s", de->d_name);
	}
	closedir(dir);
}

/* Every item powered off and removed: each must be. */
static void cfs_cleanup(struct cfs *c)
{
	char path[192], name[16];
	struct dirent *de;
	DIR *dir;
	long r;
	int k, e;

	for (k = 0; k <= CFS_ITEMS; k++) {
		if (k < CFS_ITEMS)
			snprintf(name, sizeof(name), "fz%d", k);
		else
			snprintf(name, sizeof(name), "fzio");
		snprintf(path, sizeof(path), "%s/%s", c->dir, name);
		if (access(path, F_OK))
			continue;
		r = cfs_write(c, name, "power", "0", 1, &e);
		if (r != 1)
			cfs_fail(c, "after the pass: %s power 0 -> %ld %s", name, r, strerrorname_np(e));
		if (rmdir(path))
			cfs_fail(c, "after the pass: rmdir %s: %s", name, strerror(errno));
	}
	dir = opendir(c->dir);
	if (!dir) {
		cfs_fail(c, "%s: %s", c->dir, strerror(errno));
		return;
	}
	while ((de = readdir(dir)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			cfs_fail(c, "after the pass: %s/%s is left", c->dir, de->d_name);
	closedir(dir);
}

/* The pass, in its own process (root), then cleanup; exit status: failures. */
static void cfs_pass(const struct device *d)
{
	static struct cfs c;
	static struct cfs_thread t[MAX_THREADS + 2];
	int i, n = opt_threads + 2;
	long long t0 = ktest_ms();

	c.d = d;
	snprintf(c.dir, sizeof(c.dir), "/sys/kernel/config/%s", d->subsys);
	if (access(c.dir, F_OK)) {
		printf("# %s: no configfs subsystem %s\n", d->name, c.dir);
		exit(1);
	}
	for (i = 0; i < CFS_ITEMS; i++)
		pthread_mutex_init(&c.item[i].lock, NULL);
	cfs_list_attrs(&c);
	c.deadline = t0 + (long long)(opt_seconds * 1000);
	for (i = 0; i < n; i++) {
		t[i] = (struct cfs_thread){ .c = &c, .id = i };
		t[i].rng = fuzz_seed ^ fuzz_name_hash(d->name) ^ (0xc0ffee1234ULL * (uint64_t)(i + 1));
		ASSERT_EQ(0, pthread_create(&t[i].t, NULL, cfs_thread_main, &t[i]));
	}
	for (i = 0; i < n; i++)
		pthread_join(t[i].t, NULL);
	cfs_cleanup(&c);
	printf("# %s (configfs %s): %ld attribute writes (%ld taken), %ld power writes (%ld on), "
	       "%ld I/Os (%ld done), %ld data checks, %lld ms, %d failure(s)\n", d->name, d->subsys,
	       c.writes, c.writes_ok, c.powers, c.powers_ok, c.ios, c.ios_ok, c.checks,
	       ktest_ms() - t0, c.failures);
	fflush(stdout);
	exit(c.failures ? 1 : 0);
}

static void cfs_run(const struct device *d)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0)
		cfs_pass(d);
	status = ktest_wait_child(pid, (long long)(opt_seconds * 1000) + 60000);
	if (status == -1)
		printf("# %s (configfs): the pass did not end in time\n", d->name);
	else if (WIFSIGNALED(status))
		printf("# %s (configfs): the pass was killed by signal %d\n", d->name,
		       WTERMSIG(status));
	else if (WEXITSTATUS(status))
		printf("# %s (configfs): check(s) failed; replay with --seed %llu --only %s\n",
		       d->name, (unsigned long long)fuzz_seed, d->name);
	EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void run_device(int di)
{
	const struct device *d = &devices[di];
	struct pass_result *res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long long t0 = ktest_ms(), ms;
	/* The model's state of the device, which the passes update (+ 1: never 0 bytes). */
	void *model = mmap(NULL, d->m->device_size + 1, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char path[64];
	int pass, kmsg, reports;

	if (opt_only && strcmp(opt_only, d->name))
		SKIP("not chosen by --only");
	if (ktest_module_file(d->name, path, sizeof(path)) && access(path, F_OK)) {
		printf("# SKIP /lib/rkm/%s.ko is not there\n", d->name);
		exit(4);
	}
	ASSERT_TRUE(res != MAP_FAILED && model != MAP_FAILED);
	kmsg = kmsg_open();
	ASSERT_TRUE(kmsg >= 0);
	load_needs(d);
	ASSERT_EQ(0, load_module(d->name, NULL));
	if (d->m->netdev) {
		long ops[2] = { 0 }, pass_ms[2] = { 0 };

		EXPECT_TRUE(fuzz_netdev(d->name, opt_ops, opt_seconds, opt_threads, ops, pass_ms));
		for (pass = 0; pass < 2; pass++)
			res[pass] = (struct pass_result){ .ops = ops[pass], .ms = pass_ms[pass] };
		goto unload;
	}
	snprintf(path, sizeof(path), "/dev/%s", d->node);
	/* So that uid 65534 gets past open to the ioctl permission checks. */
	EXPECT_EQ(0, chmod(path, 0666));
	if (d->m->check_load)
		check_device(d, model, path, "load", 0);
	for (pass = 0; pass < 2; pass++) {
		const char *who = pass ? "uid 65534" : "root";
		int status;
		pid_t pid;

		memset(&res[pass], 0, sizeof(res[pass]));
		fflush(stdout);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0)
			run_pass(di, !pass, &res[pass], fuzz_seed, model);
		status = ktest_wait_child(pid, (long long)(opt_seconds * 1000) + 20000);
		if (status == -1)
			printf("# %s (%s): the pass did not end in time\n", d->name, who);
		else if (WIFSIGNALED(status))
			printf("# %s (%s): the pass was killed by signal %d\n", d->name, who,
			       WTERMSIG(status));
		else if (WEXITSTATUS(status))
			printf("# %s (%s): %d check(s) failed; replay with --seed %llu --only %s\n",
			       d->name, who, res[pass].failures, (unsigned long long)fuzz_seed,
			       d->name);
		EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
		printf("# %s (%s): %ld ops in %ld ms, %ld interrupted by the supervisor's signal\n",
		       d->name, who, res[pass].ops, res[pass].ms, res[pass].eintr);
		check_device(d, model, path, who,
			     status != -1 && WIFEXITED(status) ? res[pass].ops : -1);
	}
	if (d->subsys)
		cfs_run(d);
unload:
	if (ktest_unload_wait(d->name, 5000)) {
		printf("# %s: does not unload (a leaked reference?): %s\n", d->name,
		       strerror(errno));
		ktest_failed = 1;
	}
	reports = kernel_reports(kmsg, d->name);
	if (reports)
		printf("# %s: %d kernel report(s); seed %llu\n", d->name, reports,
		       (unsigned long long)fuzz_seed);
	EXPECT_EQ(0, reports);
	ms = ktest_ms() - t0;
	printf("# %s: %ld ops (root %ld, uid 65534 %ld), seed %llu, %lld ms, %.0f ops/s\n", d->name,
	       res[0].ops + res[1].ops, res[0].ops, res[1].ops, (unsigned long long)fuzz_seed, ms,
	       (res[0].ms + res[1].ms) ? (res[0].ops + res[1].ops) * 1000.0 /
		       (res[0].ms + res[1].ms) : 0.0);
}

/* One ktest entry per device of the command line: ktest's tests take no argument. */
#define SLOT(n) static void fuzz_slot##n(void) { run_device(n); }
SLOT(0) SLOT(1) SLOT(2) SLOT(3) SLOT(4) SLOT(5) SLOT(6) SLOT(7) SLOT(8) SLOT(9) SLOT(10) SLOT(11)
SLOT(12) SLOT(13) SLOT(14) SLOT(15) SLOT(16) SLOT(17) SLOT(18) SLOT(19) SLOT(20) SLOT(21)
SLOT(22) SLOT(23) SLOT(24) SLOT(25) SLOT(26) SLOT(27) SLOT(28) SLOT(29) SLOT(30) SLOT(31)
static void (*const slots[MAX_DEVICES])(void) = {
	fuzz_slot0, fuzz_slot1, fuzz_slot2, fuzz_slot3, fuzz_slot4, fuzz_slot5, fuzz_slot6,
	fuzz_slot7, fuzz_slot8, fuzz_slot9, fuzz_slot10, fuzz_slot11, fuzz_slot12, fuzz_slot13,
	fuzz_slot14, fuzz_slot15, fuzz_slot16, fuzz_slot17, fuzz_slot18, fuzz_slot19, fuzz_slot20,
	fuzz_slot21, fuzz_slot22, fuzz_slot23, fuzz_slot24, fuzz_slot25, fuzz_slot26, fuzz_slot27,
	fuzz_slot28, fuzz_slot29, fuzz_slot30, fuzz_slot31,
};

static void usage(void)
{
	int m;

	fprintf(stderr, "usage: rkm-fuzz [--seed N] [--ops N] [--seconds S] [--threads N] "
		"[--only MODULE] MODULE:MODEL[:DEVICE][:configfs=SUBSYS]... (models:");
	for (m = 0; m < nmodels; m++)
		fprintf(stderr, " %s", models[m]->name);
	fprintf(stderr, ")\n");
	exit(2);
}

/* A name of a module, a device node or a configfs subsystem: no '/', nothing odd. */
static bool plain_name(const char *s)
{
	return *s && strlen(s) < 48 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					      "0123456789_-.") == strlen(s) && s[0] != '.';
}

/*
 * MODULE:MODEL[:DEVICE][:configfs=SUBSYS]: the device /dev/DEVICE (default
 * /dev/MODULE) of module MODULE, checked against MODEL; SUBSYS: its configfs
 * subsystem, fuzzed too (a model with a configfs interface only).
 */
static void add_device(const char *arg)
{
	char *copy = strdup(arg), *f[4] = { NULL }, *save = NULL, *t;
	const char *subsys = NULL, *node;
	int m, n = 0;

	for (t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (n == 4)
			usage();
		f[n++] = t;
	}
	if (n < 2 || ndevices == MAX_DEVICES || nktests == KTEST_MAX || !plain_name(f[0]))
		usage();
	for (m = 0; m < nmodels && strcmp(f[1], models[m]->name); m++)
		;
	if (m == nmodels) {
		fprintf(stderr, "rkm-fuzz: %s: no model '%s'\n", arg, f[1]);
		usage();
	}
	node = f[0];
	for (int i = 2; i < n; i++) {
		if (!strncmp(f[i], "configfs=", 9) && !subsys)
			subsys = f[i] + 9;
		else if (i == 2)
			node = f[i];
		else
			usage();
	}
	if (!plain_name(node) || (subsys && !plain_name(subsys))) {
		fprintf(stderr, "rkm-fuzz: %s: not a plain device or subsystem name\n", arg);
		usage();
	}
	if (subsys && !models[m]->cfs) {
		fprintf(stderr, "rkm-fuzz: %s: model '%s' has no configfs interface\n", arg, f[1]);
		usage();
	}
	devices[ndevices] = (struct device){ f[0], models[m], node, subsys };
	ktests[nktests++] = (struct ktest){ devices[ndevices].name, slots[ndevices] };
	ndevices++;
}

int main(int argc, char **argv)
{
	bool seeded = false;
	int i, j;

	collect_cmds();
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;

		if (a[0] != '-') {
			add_device(a);
			continue;
		}
		if (!v)
			usage();
		i++;
		errno = 0;
		if (!strcmp(a, "--seed")) {
			fuzz_seed = strtoull(v, &end, 0);
			seeded = true;
		} else if (!strcmp(a, "--ops")) {
			opt_ops = strtol(v, &end, 0);
		} else if (!strcmp(a, "--seconds")) {
			opt_seconds = strtod(v, &end);
		} else if (!strcmp(a, "--threads")) {
			opt_threads = (int)strtol(v, &end, 0);
		} else if (!strcmp(a, "--only")) {
			opt_only = v;
			end = (char *)v + strlen(v);
		} else {
			usage();
		}
		if (errno || !end || *end || opt_ops < 0 || opt_seconds <= 0 || opt_threads < 1 ||
		    opt_threads > MAX_THREADS)
			usage();
	}
	if (!ndevices)
		usage();
	for (j = 0; opt_only && j < ndevices && strcmp(opt_only, devices[j].name); j++)
		;
	if (opt_only && j == ndevices) {
		fprintf(stderr, "rkm-fuzz: --only %s: not a device of the command line\n", opt_only);
		usage();
	}
	if (!seeded) {
		struct timespec t;
		uint64_t s;

		clock_gettime(CLOCK_REALTIME, &t);
		s = (uint64_t)t.tv_sec * 1000000000ULL + t.tv_nsec + ((uint64_t)getpid() << 32);
		fuzz_seed = fuzz_next_rand(&s) >> 16;	/* short enough to type */
	}
	printf("# seed %llu (replay: --seed %llu)\n", (unsigned long long)fuzz_seed,
	       (unsigned long long)fuzz_seed);
	printf("# %ld ops, %g s, %d threads per device and pass\n", opt_ops, opt_seconds,
	       opt_threads);
	return ktest_run();
}
