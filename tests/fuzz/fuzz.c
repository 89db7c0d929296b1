// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-fuzz: a fuzzer of device interfaces, run inside the guest.
 *
 * For each NAME:MODEL of its command line (rkm test --reliability passes the
 * fuzz lines of the drivers' manifests), MODEL being the interface the
 * device implements (echo, semaphore, sync, edu: one model per header), it
 * loads /lib/rkm/NAME.ko (a PCI driver binds its QEMU device as it loads),
 * makes /dev/NAME 0666 and runs two
 * passes, each in its own process: one as root, one as uid 65534 (no
 * capabilities). In a pass, --threads workers issue random open, close, dup,
 * read, write, pread, pwrite, lseek, ioctl and poll calls with random sizes,
 * offsets, ioctl numbers and buffers (valid, NULL, unmapped, read-only,
 * PROT_NONE, kernel, non-canonical, straddling the end of a mapping or of user
 * space), on their own fds and on fds shared between threads, until --ops
 * calls were made or --seconds went by; a supervisor thread signals them
 * every TICK_MS so that blocked calls end. Each result is checked against the
 * device's header (echo.h, semaphore.h, sync.h, edu.h); after each pass the
 * device's counters must be consistent; at the end the module must unload (no
 * leaked reference) and the kernel log must hold no report.
 *
 * The edu devices are slow: a DMA transfer (every read or write that moves
 * bytes) takes 100 ms of the device's time, longer than TICK_MS, so most of
 * their reads and writes (and half of their ioctls) run with the supervisor's
 * signal blocked and may finish (no EINTR then); the others end with EINTR
 * and leave the device busy, and requests fail with EBUSY until it is done.
 * Reads and writes at a known position (pread, pwrite) must move exactly
 * min(len, EDU_BUF_SIZE - pos) bytes, lseek must land exactly, a factorial
 * must give n! mod 2^32, the liveness register the inverse. EDU_FACT_NOIRQ
 * always waits for edu_timeout_ms (1 s) and ends with ETIMEDOUT: it is rare,
 * and only one a pass waits with the signal blocked. Each pass starts with a
 * known sequence (a factorial, the liveness register, a pwrite read back by
 * pread, the counters); every thread's EDU_IOC_INFO must show counters that
 * never go back and that count at least its own successes; after the pass
 * the binding's counters (it stays bound from load to unload; they start at
 * 0) must match the pass's results: timeouts exactly, factorials and DMA
 * transfers between the calls that succeeded and those that may have done the
 * work before failing with EFAULT.
 *
 * Replaying: each thread draws from its own generator, seeded from --seed,
 * the device's name, the pass and the thread. With --threads 1, `--seed N
 * --only NAME` makes the same calls again; with more threads, what a thread
 * finds in the shared fd slots also depends on how the threads interleave.
 *
 *   rkm-fuzz [--seed N] [--ops N] [--seconds S] [--threads N] [--only NAME] NAME:MODEL...
 */
#include "ktest.h"
#include "kreport.h"

#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>

#include "rust_echo/echo.h"
#include "rust_semaphore/semaphore.h"
#include "rust_sync/sync.h"
#include "rust_edu/edu.h"

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
#define MAX_RW 0x7ffff000UL	/* MAX_RW_COUNT: the VFS clamps read/write counts to it */
typedef unsigned __int128 errmask;	/* a set of errnos: every errno used here is below 128 */
#define M(e) ((errmask)1 << (e))
#define EDU_ID 0x010000ed	/* edu.h: edu_info.id */

static uint64_t opt_seed;
static long opt_ops = 50000;
static double opt_seconds = 8;
static int opt_threads = 4;
static const char *opt_only;

/* ---- the interface models, as their headers specify them ---- */

enum kind { ECHO, SEM, SYNC, EDU };

struct cmd {
	unsigned int nr;
	bool priv;			/* CAP_SYS_ADMIN: uid 65534 gets EPERM, checked first */
	errmask errs;	/* errnos the header allows besides success */
};

static const struct cmd echo_cmds[] = {
	{ ECHO_IOC_INFO, false, M(EFAULT) | M(EINVAL) | M(E2BIG) },
	{ ECHO_IOC_RESIZE, true, M(EFAULT) | M(EINVAL) | M(E2BIG) | M(ENOMEM) },
};
static const struct cmd sem_cmds[] = {
	{ SEM_IOC_STATS, false, M(EFAULT) | M(EINVAL) | M(E2BIG) },
	{ SEM_IOC_RESET, true, 0 },
};
static const struct cmd sync_cmds[] = {
	{ SYNC_IOC_RUN, false, M(EFAULT) | M(EINVAL) | M(EINTR) },
	{ SYNC_IOC_STATS, false, M(EFAULT) },
};
/* EDU_IOC_INFO does not wait: no EINTR. */
static const struct cmd edu_cmds[] = {
	{ EDU_IOC_INFO, false, M(EFAULT) },
	{ EDU_IOC_LIVE, false, M(EFAULT) | M(EINTR) },
	{ EDU_IOC_FACT, false, M(EFAULT) | M(EINVAL) | M(EINTR) | M(ETIMEDOUT) | M(EBUSY) },
};

struct device {
	const char *name;
	const char *spec;
	enum kind kind;
	const struct cmd *cmds;
	int ncmds;
	errmask read_errs, write_errs;
};

/* EAGAIN and EINTR only as the fd's O_NONBLOCK allows; EINVAL: a bad pread/pwrite position. */
#define BLOCKING_READ (M(EAGAIN) | M(EINTR) | M(EFAULT) | M(EINVAL))
#define ECHO_WRITE (M(ENOSPC) | M(EFAULT) | M(EINVAL))
#define SEM_WRITE (M(EFAULT) | M(EINVAL))
/* Any request may end by a signal, the timer or a device busy with an abandoned one. */
#define EDU_READ (M(EFAULT) | M(EINVAL) | M(EINTR) | M(ETIMEDOUT) | M(EBUSY))
#define EDU_WRITE (EDU_READ | M(ENOSPC))

/* By model name; a device of the command line copies its model and takes its own name. */
static const struct device models[] = {
	{ "echo", "echo.h", ECHO, echo_cmds, 2, BLOCKING_READ, ECHO_WRITE },
	{ "semaphore", "semaphore.h", SEM, sem_cmds, 2, BLOCKING_READ, SEM_WRITE },
	{ "sync", "sync.h", SYNC, sync_cmds, 2, M(EINVAL), M(EINVAL) },	/* no read/write */
	{ "edu", "edu.h", EDU, edu_cmds, 3, EDU_READ, EDU_WRITE },
};
#define NMODELS (int)(sizeof(models) / sizeof(models[0]))

#define MAX_DEVICES 32
static struct device devices[MAX_DEVICES];
static int ndevices;

/* Every real command, sent to the other devices too. */
static const unsigned int all_cmds[] = {
	ECHO_IOC_INFO, ECHO_IOC_RESIZE, SEM_IOC_STATS, SEM_IOC_RESET, SYNC_IOC_RUN, SYNC_IOC_STATS,
	EDU_IOC_INFO, EDU_IOC_LIVE, EDU_IOC_FACT,
};

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

/* What reached an edu device, as the results of the calls tell (edu_info's counters). */
struct edu_count {
	long facts_ok;		/* factorials that succeeded */
	long facts_maybe;	/* EFAULT: perhaps computed, then not copied out */
	long dmas_ok;		/* reads and writes that moved bytes */
	long dmas_maybe;	/* reads that failed with EFAULT: perhaps after the transfer */
	long timeouts;		/* ETIMEDOUT results */
};

struct worker {
	pthread_t thread;
	struct pass *ps;
	int id;
	uint64_t rng;
	char *arena;	/* ARENA random bytes between PROT_NONE guard pages */
	char *edge;	/* a page followed by a hole */
	char *top;	/* thread 0: the last page of user space, or NULL */
	struct slot own[NOWN];
	long ops, eintr;
	struct edu_count edu;
	struct edu_info seen;	/* the last EDU_IOC_INFO this thread got */
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
	struct edu_count probe;	/* the edu probe's calls */
	struct edu_info edu_base;	/* the counters after the probe, before the threads */
	int noirq_waits;	/* EDU_FACT_NOIRQ calls left that may wait for the timeout */
	int nthreads;
	struct worker w[MAX_THREADS];
};

/* What a pass process reports to the device test (shared memory). */
struct pass_result {
	long ops, eintr, ms;
	int failures;
	struct edu_count edu;
};

/* ---- randomness: splitmix64, one state per thread ---- */

static uint64_t next_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct worker *w, uint64_t n)
{
	return n ? next_rand(&w->rng) % n : 0;
}

static bool chance(struct worker *w, int percent)
{
	return rnd(w, 100) < (uint64_t)percent;
}

/* ---- checking results ---- */

/* Records a failed check (the call as fmt) and stops the pass after MAX_FAILURES. */
__attribute__((format(printf, 6, 7)))
static bool check(struct worker *w, bool ok, long long r, int e, const char *why,
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
		       ps->dev->name, ps->who, w->id, w->ops, call, res, why, ps->dev->spec,
		       (unsigned long long)opt_seed);
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

static bool errno_in(errmask mask, int e)
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
static char *buf_of_kind(struct worker *w, int kind, size_t n)
{
	struct pass *ps = w->ps;
	size_t k = n < ARENA ? n : ARENA;
	size_t d = 1 + rnd(w, n > 1 ? (chance(w, 50) && k > 64 ? 64 : k - 1) : 1);

	if (d > KTEST_PAGE)
		d = KTEST_PAGE;
	switch (kind) {
	case B_VALID:
		return w->arena + rnd(w, ARENA - k + 1);
	case B_EDGE:
		return w->arena + ARENA - d;
	case B_EDGE_HOLE:
		return w->edge + KTEST_PAGE - d;
	case B_TOP:
		return w->top + KTEST_PAGE - d;
	case B_NULL:
		return NULL;
	case B_HOLE:
		return ps->hole + rnd(w, KTEST_PAGE);
	case B_RO:
		return ps->ro + rnd(w, KTEST_PAGE);
	case B_NONE:
		return ps->none + rnd(w, KTEST_PAGE);
	case B_KERNEL:
		return (char *)KTEST_KERNEL_ADDR + rnd(w, KTEST_PAGE);
	case B_NONCANON:
		return (char *)(1UL << 47) + rnd(w, KTEST_PAGE);
	default:
		return (char *)(~0UL - rnd(w, 64));	/* pointer + length wraps */
	}
}

/* Mostly valid buffers, often at an edge, else any kind. */
static int pick_kind(struct worker *w)
{
	int r = rnd(w, 100), k;

	k = r < 55 ? B_VALID : r < 63 ? B_EDGE : r < 68 ? B_EDGE_HOLE : r < 73 ? B_TOP :
		B_NULL + (int)rnd(w, NKINDS - B_NULL);
	return k == B_TOP && !w->top ? B_EDGE : k;	/* one thread owns the top page */
}

/* Counts: empty, tiny, struct-sized, page-sized, around both capacities, huge. */
static size_t pick_size(struct worker *w)
{
	switch (rnd(w, 12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 2 + rnd(w, 63);
	case 3: return 16 + rnd(w, 48);
	case 4: return KTEST_PAGE - 1 + rnd(w, 3);
	case 5: return (w->ps->dev->kind == EDU ? EDU_BUF_SIZE : ECHO_MAX_CAP) - 2 + rnd(w, 5);
	case 6: return rnd(w, ARENA + 1);
	case 7: return 1UL << 30;
	case 8: return SIZE_MAX / 2;
	case 9: return SIZE_MAX - rnd(w, 2);
	default: return 1 + rnd(w, 512);
	}
}

/* Positions: start, near both capacities (edu: its end), negative, near the top, anything. */
static long long pick_off(struct worker *w)
{
	long long cap = w->ps->dev->kind == EDU ? EDU_BUF_SIZE : ECHO_DEFAULT_CAP;

	switch (rnd(w, 10)) {
	case 0: return 0;
	case 1: return rnd(w, 64);
	case 2: return cap - 4 + (long long)rnd(w, 9);
	case 3: return ECHO_MAX_CAP - 4 + (long long)rnd(w, 9);
	case 4: return -1 - (long long)rnd(w, 4096);
	case 5: return LLONG_MAX - (long long)rnd(w, 4096);
	case 6: return LLONG_MIN + (long long)rnd(w, 16);
	case 7: return (long long)next_rand(&w->rng);
	default: return rnd(w, 2 * ECHO_DEFAULT_CAP);
	}
}

/* ---- fds ---- */

static int pick_flags(struct worker *w)
{
	/* Mostly O_RDWR; O_ACCMODE (3) opens for ioctls only. */
	static const int acc[] = { O_RDWR, O_RDWR, O_RDWR, O_RDWR, O_RDONLY, O_WRONLY, 3 };
	int f = acc[rnd(w, 7)] | O_CLOEXEC;

	if (chance(w, 50))
		f |= O_NONBLOCK;
	return f;
}

static struct slot *free_own(struct worker *w)
{
	int i;

	for (i = 0; i < NOWN; i++)
		if (w->own[i].fd < 0)
			return &w->own[i];
	return NULL;
}

/* Picks a fd: mostly one of the thread's own, sometimes a shared one or a bad number. */
static bool pick_fd(struct worker *w, struct fdref *f)
{
	/* The same draws whatever the tables hold: a thread's choices follow from the seed. */
	int r = rnd(w, 100), i = rnd(w, NSHARED), start = rnd(w, NOWN);

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

/* ---- edu: slow requests, results to compute, counters to keep ---- */

/*
 * Some of an edu device's calls (percent) run with SIGUSR1 blocked, so that
 * a request longer than TICK_MS (a DMA transfer: 100 ms) can finish; the
 * signal comes when it is unblocked. Returns whether it is blocked (then no
 * EINTR). noirq: an EDU_FACT_NOIRQ factorial.
 */
static bool quiet_begin(struct worker *w, int percent, bool noirq)
{
	sigset_t set;

	if (w->ps->dev->kind != EDU || !chance(w, percent))
		return false;
	/* EDU_FACT_NOIRQ waits for the whole timeout (1 s): a few times a pass. */
	if (noirq && __atomic_fetch_sub(&w->ps->noirq_waits, 1, __ATOMIC_RELAXED) <= 0)
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

/* n! mod 2^32 (edu.h); 0 from 34! on, so quick for any n. */
static uint32_t ref_fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1 && r)
		r *= n--;
	return r;
}

/*
 * A read or write of n bytes at off (-1: at the fd's position, somewhere in
 * [0, EDU_BUF_SIZE]) gave r, errno e: what edu.h allows, mask being the
 * errnos the fd may give. Counts what reached the device.
 */
static bool edu_rw_ok(struct worker *w, bool is_write, long long off, size_t n, long long r,
		      int e, errmask mask)
{
	bool at_end = off >= EDU_BUF_SIZE, may_end = off < 0 || at_end;
	size_t room = off < 0 ? EDU_BUF_SIZE : at_end ? 0 : (size_t)(EDU_BUF_SIZE - off);
	size_t want = n < room ? n : room;	/* exactly that when off is known */

	if (r < 0) {
		w->edu.timeouts += e == ETIMEDOUT;
		w->edu.dmas_maybe += e == EFAULT && !is_write;
		if (r != -1 || !errno_in(mask, e))
			return false;
		if (e == ENOSPC)
			return is_write && may_end && n;
		/* Without a transfer to do, nothing waits: only the VFS's EFAULT and EINVAL. */
		if ((!n || at_end) && (e == EINTR || e == ETIMEDOUT || e == EBUSY))
			return false;
		return true;
	}
	w->edu.dmas_ok += r > 0;
	if (!n)
		return r == 0;
	if (off >= 0)
		return !(is_write && at_end) && (size_t)r == want;
	return (size_t)r <= want && (r > 0 || !is_write);
}

/* An EDU_IOC_INFO as edu.h describes it, its counters never going back. */
static bool edu_info_ok(struct worker *w, const struct edu_info *i)
{
	const struct edu_info *b = &w->ps->edu_base, *s = &w->seen;
	bool ok = i->id == EDU_ID && (i->irq == EDU_IRQ_MSI || i->irq == EDU_IRQ_INTX) &&
		  i->facts >= s->facts && i->dmas >= s->dmas && i->timeouts >= s->timeouts &&
		  i->facts >= b->facts + w->edu.facts_ok && i->dmas >= b->dmas + w->edu.dmas_ok &&
		  i->timeouts >= b->timeouts + w->edu.timeouts;

	w->seen = *i;
	return ok;
}

/* Whether an edu command may end with e instead of as its argument asks (want). */
static bool edu_transient(unsigned int c, int want, int e, bool quiet)
{
	if (c == EDU_IOC_LIVE)
		return e == EINTR && !quiet;
	if (c != EDU_IOC_FACT || want == EINVAL)
		return false;
	return (e == EINTR && !quiet) || e == ETIMEDOUT || e == EBUSY;
}

static void edu_count_add(struct edu_count *to, const struct edu_count *c)
{
	to->facts_ok += c->facts_ok;
	to->facts_maybe += c->facts_maybe;
	to->dmas_ok += c->dmas_ok;
	to->dmas_maybe += c->dmas_maybe;
	to->timeouts += c->timeouts;
}

/* ---- the operations ---- */

static void op_open(struct worker *w)
{
	struct slot *s = free_own(w);
	int flags = pick_flags(w), fd, e, want = 0;

	if (!s) {
		s = &w->own[rnd(w, NOWN)];
		errno = 0;
		fd = close(s->fd);
		check(w, fd == 0, fd, errno, "closing an own fd must succeed", "close(%d)", s->fd);
		s->fd = -1;
	}
	/* Now and then flags that must fail before the driver is reached. */
	if (chance(w, 3)) {
		flags |= O_DIRECTORY;
		want = ENOTDIR;
	} else if (chance(w, 3)) {
		flags |= O_CREAT | O_EXCL;
		want = EEXIST;
	}
	errno = 0;
	fd = open(w->ps->path, flags, 0600);
	e = errno;
	if (want) {
		check(w, fd == -1 && e == want, fd, e, "the VFS refuses these flags",
		      "open(%s, %#x)", w->ps->path, flags);
		if (fd >= 0)
			close(fd);
		return;
	}
	if (!check(w, fd >= 0 || e == ENOMEM, fd, e, "open must succeed", "open(%s, %#x)",
		   w->ps->path, flags))
		return;
	if (fd >= 0)
		*s = (struct slot){ fd, flags };
}

static void op_close(struct worker *w)
{
	struct slot *s = &w->own[rnd(w, NOWN)];
	struct slot got = { -1, 0 };
	int r;

	if (chance(w, 30)) {
		/* Take a shared fd out under the lock: nobody else can close it then. */
		int i = rnd(w, NSHARED);

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
	check(w, r == 0, r, errno, "closing a fd no one else closes must succeed", "close(%d)",
	      got.fd);
}

static void op_dup(struct worker *w)
{
	struct slot *s = free_own(w), *from = &w->own[rnd(w, NOWN)];
	int fd, e;

	if (!s || from->fd < 0)
		return;
	errno = 0;
	fd = dup(from->fd);
	e = errno;
	if (check(w, fd >= 0, fd, e, "dup of an own fd must succeed", "dup(%d)", from->fd))
		*s = (struct slot){ fd, from->flags };
}

/* Swaps an own slot with a shared one: fds move between threads. */
static void op_share(struct worker *w)
{
	struct slot *s = &w->own[rnd(w, NOWN)], tmp;
	int i = rnd(w, NSHARED);

	pthread_mutex_lock(&w->ps->lock);
	tmp = w->ps->shared[i];
	w->ps->shared[i] = *s;
	*s = tmp;
	pthread_mutex_unlock(&w->ps->lock);
}

/* read, write, pread, pwrite: counts never above the request, per-device values. */
static void op_rw(struct worker *w, bool is_write, bool positional)
{
	const struct device *d = w->ps->dev;
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
	/* The edu drivers ignore O_NONBLOCK: their waits may always end with EINTR. */
	mask = errs_for(&f, is_write ? d->write_errs : d->read_errs, !is_write && d->kind != EDU);
	quiet = quiet_begin(w, 75, false);	/* others leave the device busy for 100 ms */
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
	else if (d->kind == EDU)	/* min(n, size - pos) bytes; 0 or ENOSPC at the end */
		ok = edu_rw_ok(w, is_write, positional ? off : -1, n, r, e, mask);
	else if (r < 0)
		ok = r == -1 && errno_in(mask, e);
	else if ((unsigned long long)r > n)
		ok = false;
	else if (d->kind == ECHO)	/* 0 only for 0 bytes: a first-byte fault is EFAULT */
		ok = (r == 0) == (n == 0) && r <= ECHO_MAX_CAP;
	else if (d->kind == SEM)	/* read takes a unit and returns 0; write returns n */
		ok = is_write ? (size_t)r == (n < MAX_RW ? n : MAX_RW) : r == 0;
	else
		ok = false;		/* sync has no read or write */
	check(w, ok, r, e, "not allowed", positional ? "%s(%d %s %#x, %p %s, %zu, %lld)%s" :
	      "%s(%d %s %#x, %p %s, %zu)%.0lld%s", name, f.fd, f.how, f.flags, buf, kind_names[kind],
	      n, off, quiet ? " SIGUSR1 blocked" : "");
}

static void op_lseek(struct worker *w)
{
	static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_SET, SEEK_CUR, SEEK_END,
				       SEEK_DATA, SEEK_HOLE, 5, -1, INT_MAX };
	const struct device *d = w->ps->dev;
	struct fdref f;
	long long off = pick_off(w), r, to;
	int whence = whences[rnd(w, sizeof(whences) / sizeof(whences[0]))], e;
	bool ok;

	if (!pick_fd(w, &f)) {
		op_open(w);
		return;
	}
	errno = 0;
	r = lseek(f.fd, off, whence);
	e = errno;
	if (r == -1 && e == EBADF)
		ok = f.flags < 0;
	else if (d->kind == ECHO)	/* the new position, within the capacity */
		ok = r >= 0 ? whence >= SEEK_SET && whence <= SEEK_END && r <= ECHO_MAX_CAP :
			      r == -1 && e == EINVAL;
	else if (d->kind == EDU && whence == SEEK_CUR)	/* somewhere in [0, EDU_BUF_SIZE] */
		ok = r >= 0 ? r <= EDU_BUF_SIZE : r == -1 && e == EINVAL;
	else if (d->kind == EDU && (whence == SEEK_SET || whence == SEEK_END))	/* exactly */
		ok = __builtin_add_overflow(off, whence == SEEK_END ? EDU_BUF_SIZE : 0, &to) ||
		     to < 0 || to > EDU_BUF_SIZE ? r == -1 && e == EINVAL : r == to;
	else if (d->kind == EDU)	/* any other whence */
		ok = r == -1 && e == EINVAL;
	else	/* no llseek: ESPIPE, once the VFS has checked whence */
		ok = r == -1 && e == (whence >= 0 && whence <= SEEK_MAX ? ESPIPE : EINVAL);
	check(w, ok, r, e, "not allowed", "lseek(%d %s, %lld, %d)", f.fd, f.how, off, whence);
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
static unsigned int pick_cmd(struct worker *w)
{
	const struct device *d = w->ps->dev;
	unsigned int c;

	do {
		unsigned int real = d->cmds[rnd(w, d->ncmds)].nr;

		switch (rnd(w, 10)) {
		case 0: case 1: case 2: case 3:
			c = real;
			break;
		case 4: case 5:
			c = _IOC(rnd(w, 4), _IOC_TYPE(real), _IOC_NR(real),
				 rnd(w, 1 << _IOC_SIZEBITS));
			break;
		case 6:
			c = _IOC(rnd(w, 4), _IOC_TYPE(real), rnd(w, 256), rnd(w, 64));
			break;
		case 7:
			c = all_cmds[rnd(w, sizeof(all_cmds) / sizeof(all_cmds[0]))];
			break;
		case 8:
			c = _IOC(rnd(w, 4), rnd(w, 256), rnd(w, 256), rnd(w, 1 << _IOC_SIZEBITS));
			break;
		default:
			c = (unsigned int)next_rand(&w->rng);
		}
	} while (is_vfs_cmd(c));
	return c;
}

static const struct cmd *find_cmd(const struct device *d, unsigned int c)
{
	int i;

	for (i = 0; i < d->ncmds; i++)
		if (d->cmds[i].nr == c)
			return &d->cmds[i];
	return NULL;
}

/* A size prefix around base: exact, larger, smaller, the limits, anything. */
static uint32_t pick_prefix(struct worker *w, uint32_t base)
{
	switch (rnd(w, 10)) {
	case 0: case 1: case 2: case 3: case 4: return base;
	case 5: return base + 1 + rnd(w, 64);
	case 6: return rnd(w, base);
	case 7: return 4096;
	case 8: return 4097 + rnd(w, 100);
	default: return (uint32_t)next_rand(&w->rng);
	}
}

/*
 * Builds a plausible argument for command c in s (*len bytes) and returns
 * what the header says the call gives if all of it is readable and the reply
 * writable: 0, an errno, or -1 if it does not say (another device's command).
 */
static int make_arg(struct worker *w, unsigned int c, char *s, size_t *len)
{
	uint32_t size, version = chance(w, 90) ? 1 : (uint32_t)rnd(w, 3), iters;
	uint64_t cap, reserved = chance(w, 90) ? 0 : next_rand(&w->rng);
	int want = -1;

	*len = 0;

	switch (c) {
	case ECHO_IOC_INFO:
	case SEM_IOC_STATS: {
		uint32_t base = c == ECHO_IOC_INFO ? 24 : 40;

		size = pick_prefix(w, base);
		memcpy(s, &size, *len = 4);
		want = size < base ? EINVAL : size > 4096 ? E2BIG : 0;
		break;
	}
	case ECHO_IOC_RESIZE: {
		struct echo_resize r;
		bool dirty = false;

		size = pick_prefix(w, 24);
		cap = chance(w, 70) ? 1 + rnd(w, 2 * ECHO_DEFAULT_CAP) :
		      chance(w, 50) ? ECHO_MAX_CAP + rnd(w, 3) - 1 :
				      next_rand(&w->rng) >> rnd(w, 64);
		r = (struct echo_resize){ size, version, cap, reserved };
		memcpy(s, &r, *len = sizeof(r));
		if (size > 24 && size <= 4096) {	/* the tail must be zero */
			memset(s + 24, 0, size - 24);
			*len = size;
			if (chance(w, 20)) {
				s[24 + rnd(w, size - 24)] = 1;
				dirty = true;
			}
		}
		if (size < 24)
			want = EINVAL;
		else if (size > 4096 || dirty)
			want = E2BIG;
		else
			want = version != 1 || reserved || !cap || cap > ECHO_MAX_CAP ? EINVAL : 0;
		break;
	}
	case SYNC_IOC_RUN: {
		struct sync_run r;

		iters = chance(w, 60) ? rnd(w, 200) : chance(w, 50) ? rnd(w, 100000) :
			chance(w, 50) ? 1000000 + (uint32_t)rnd(w, 2) :
					(uint32_t)next_rand(&w->rng);
		r = (struct sync_run){ version, iters };
		memcpy(s, &r, *len = sizeof(r));
		want = version != 1 || iters > 1000000 ? EINVAL : 0;
		break;
	}
	case SYNC_IOC_STATS:
	case SEM_IOC_RESET:
	case EDU_IOC_INFO:
		want = 0;
		break;
	case EDU_IOC_LIVE: {
		uint32_t v = (uint32_t)next_rand(&w->rng);

		memcpy(s, &v, *len = sizeof(v));
		want = 0;
		break;
	}
	case EDU_IOC_FACT: {
		/* n mostly small (the device makes n multiplications); NOIRQ costs a timeout. */
		struct edu_fact f = {
			.n = chance(w, 60) ? rnd(w, 40) : chance(w, 60) ? rnd(w, 3000) :
			     chance(w, 50) ? EDU_FACT_MAX - 2 + (uint32_t)rnd(w, 5) :
			     chance(w, 70) ? (uint32_t)rnd(w, EDU_FACT_MAX + 1000) :
					     (uint32_t)next_rand(&w->rng),
			.flags = chance(w, 96) ? 0 : chance(w, 40) ? EDU_FACT_NOIRQ :
				 chance(w, 50) ? 1U << rnd(w, 32) : (uint32_t)next_rand(&w->rng),
			.result = (uint32_t)next_rand(&w->rng),
			.pad = chance(w, 95) ? 0 : chance(w, 50) ? 1 : (uint32_t)next_rand(&w->rng),
		};

		memcpy(s, &f, *len = sizeof(f));
		want = f.flags & ~EDU_FACT_NOIRQ || f.pad || f.n > EDU_FACT_MAX ? EINVAL :
		       f.flags ? ETIMEDOUT : 0;
		break;
	}
	}
	return want;
}

/* Bytes a successful command writes at its argument. */
static size_t reply_size(unsigned int c)
{
	return c == ECHO_IOC_INFO ? 24 : c == SEM_IOC_STATS ? 40 :
	       c == SYNC_IOC_STATS ? sizeof(struct sync_stats) :
	       c == EDU_IOC_INFO ? sizeof(struct edu_info) : c == EDU_IOC_LIVE ? sizeof(uint32_t) :
	       c == EDU_IOC_FACT ? sizeof(struct edu_fact) : 0;
}

/*
 * After a successful command on valid memory (p, which held the argument
 * in): the reply as the header describes it.
 */
static bool query_ok(struct worker *w, unsigned int c, const char *p, const char *in,
		     const char *tail_before, size_t tail_len)
{
	struct echo_info ei;
	struct sem_stats ss;
	struct sync_stats ys;
	struct edu_info info;
	struct edu_fact fi, fo;
	uint32_t vi, vo;

	switch (c) {
	case ECHO_IOC_INFO:	/* the bytes beyond the reply are left alone */
		memcpy(&ei, p, sizeof(ei));
		return ei.size == 24 && ei.version == ECHO_VERSION && ei.cap >= 1 &&
		       ei.cap <= ECHO_MAX_CAP && ei.len <= ei.cap &&
		       !memcmp(p + 24, tail_before, tail_len);
	case SEM_IOC_STATS:
		memcpy(&ss, p, sizeof(ss));
		return ss.size == 40 && ss.version == SEM_VERSION &&
		       !memcmp(p + 40, tail_before, tail_len);
	case SYNC_IOC_STATS:
		memcpy(&ys, p, sizeof(ys));
		return ys.violations == 0 && ys.refs >= 1;
	case EDU_IOC_INFO:
		memcpy(&info, p, sizeof(info));
		return edu_info_ok(w, &info) && !memcmp(p + sizeof(info), tail_before, tail_len);
	case EDU_IOC_LIVE:	/* the device answers the bitwise inverse */
		memcpy(&vi, in, sizeof(vi));
		memcpy(&vo, p, sizeof(vo));
		return vo == ~vi && !memcmp(p + sizeof(vo), tail_before, tail_len);
	case EDU_IOC_FACT:	/* copied back whole, with n! mod 2^32 */
		memcpy(&fi, in, sizeof(fi));
		memcpy(&fo, p, sizeof(fo));
		return fo.n == fi.n && fo.flags == fi.flags && fo.pad == fi.pad &&
		       fo.result == ref_fact(fi.n) && !memcmp(p + sizeof(fo), tail_before, tail_len);
	}
	return true;
}

static void op_ioctl(struct worker *w)
{
	struct pass *ps = w->ps;
	unsigned int c = pick_cmd(w);
	const struct cmd *known = find_cmd(ps->dev, c);
	size_t base = reply_size(c), len, room = 0, tail_len = 0;
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
	want = make_arg(w, c, s, &len);
	k = chance(w, 60) ? B_VALID : pick_kind(w);
	/* Valid, or ending right at TASK_SIZE: the header says the result. */
	if (k == B_VALID) {
		p = w->arena + rnd(w, ARENA - ARG_ROOM);
		room = ARG_ROOM;
	} else if (k == B_TOP) {
		size_t need = len > reply_size(c) ? len : reply_size(c);

		p = w->top + KTEST_PAGE - need - (need + 4 <= KTEST_PAGE ? rnd(w, 4) : 0);
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
	if (chance(w, 10)) {
		arg = rnd(w, 4096);
		kind = "small";
		want = -1;
	}
	quiet = quiet_begin(w, 50, known && c == EDU_IOC_FACT && want == ETIMEDOUT);
	errno = 0;
	r = syscall(SYS_ioctl, f.fd, c, arg);
	e = errno;
	quiet_end(quiet);
	if (r == -1 && e == EINTR)
		w->eintr++;
	if (ps->dev->kind == EDU && known) {
		w->edu.facts_ok += c == EDU_IOC_FACT && r == 0;
		w->edu.facts_maybe += c == EDU_IOC_FACT && r == -1 && e == EFAULT;
		w->edu.timeouts += r == -1 && e == ETIMEDOUT;
	}
	errs = known ? known->errs & ~(quiet ? M(EINTR) : 0) : 0;
	if (r == -1 && e == EBADF && f.flags < 0)
		ok = true;
	else if (!known)
		ok = r == -1 && e == ENOTTY;
	else if (known->priv && !ps->root)
		ok = r == -1 && e == EPERM;
	else if (want >= 0 && !(c == SYNC_IOC_RUN && e == EINTR) &&
		 !(c == ECHO_IOC_RESIZE && e == ENOMEM) &&
		 !edu_transient(c, want, e, quiet))	/* the header says exactly */
		ok = want ? r == -1 && e == want : r == 0 && query_ok(w, c, p, s, tail, tail_len);
	else
		ok = r == 0 || (r == -1 && errno_in(errs, e));
	check(w, ok, r, e, known && want >= 0 ? "not what the argument asks" : "not allowed",
	      "ioctl(%d %s, %#x, %#lx %s)%s%s%s", f.fd, f.how, c, arg, kind,
	      want >= 0 ? " expecting " : "", want > 0 ? strerrorname_np(want) : want ? "" : "0",
	      quiet ? " SIGUSR1 blocked" : "");
}

static void op_poll(struct worker *w)
{
	static const short evs[] = {
		POLLIN | POLLRDNORM, POLLOUT | POLLWRNORM, POLLIN | POLLOUT, POLLPRI,
		POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM,
	};
	const struct device *d = w->ps->dev;
	struct pollfd pf[3];
	struct fdref f[3];
	int n = 1 + rnd(w, 3), timeout, i, e, ready = 0, k = -1;
	void *arr = pf;
	long long r;
	bool ok = true;

	for (i = 0; i < n; i++) {
		if (!pick_fd(w, &f[i]))
			f[i] = (struct fdref){ -1, -1, "none" };
		pf[i] = (struct pollfd){ f[i].fd, evs[rnd(w, 5)], 0 };
	}
	timeout = chance(w, 60) ? 0 : chance(w, 75) ? (int)rnd(w, 20) : -1;
	if (chance(w, 5)) {
		k = B_NULL + (int)rnd(w, NKINDS - B_NULL);
		arr = buf_of_kind(w, k, n * sizeof(struct pollfd));
	}
	errno = 0;
	r = syscall(SYS_poll, arr, n, timeout);
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
		if (f[i].flags >= 0 && d->kind == SEM && (pf[i].events & POLLOUT) &&
		    !(got & POLLOUT))
			ok = false;	/* always writable */
		if (f[i].flags >= 0 && (d->kind == SYNC || d->kind == EDU) &&	/* no .poll */
		    got != (pf[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)))
			ok = false;
	}
	if (r >= 0 && r != ready)
		ok = false;
	check(w, ok, r, e, "not allowed", "poll(%s n=%d [%d %s %#x -> %#x, ...], %d)",
	      k >= 0 ? kind_names[k] : "valid", n, f[0].fd, f[0].how, pf[0].events,
	      pf[0].revents, timeout);
}

/* ---- a pass: threads, supervisor, the process ---- */

enum { OP_OPEN, OP_CLOSE, OP_DUP, OP_SHARE, OP_READ, OP_WRITE, OP_PREAD, OP_PWRITE, OP_LSEEK,
       OP_IOCTL, OP_POLL, NOPS };
static const int op_weight[NOPS] = { 6, 5, 2, 3, 12, 12, 4, 4, 8, 30, 8 };

static void one_op(struct worker *w)
{
	int i, r, total = 0;

	for (i = 0; i < NOPS; i++)
		total += op_weight[i];
	r = rnd(w, total);
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
	struct worker *w = p;
	struct pass *ps = w->ps;
	int i;

	while (!__atomic_load_n(&ps->stop, __ATOMIC_RELAXED) &&
	       __atomic_fetch_add(&ps->issued, 1, __ATOMIC_RELAXED) < ps->max_ops) {
		one_op(w);
		w->ops++;
	}
	for (i = 0; i < NOWN; i++)
		if (w->own[i].fd >= 0)
			check(w, close(w->own[i].fd) == 0, -1, errno, "must succeed", "close(%d)",
			      w->own[i].fd);
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
		uint64_t v = next_rand(rng);

		memcpy(p + KTEST_PAGE + i, &v, 8);
	}
	return p + KTEST_PAGE;
}

/* An edu probe call ('r' pread, 'w' pwrite or a command), again while EBUSY (the last pass's). */
static long edu_call(int fd, unsigned int op, void *arg, size_t n, off_t off)
{
	int tries = 0;
	long r;

	do {
		errno = 0;
		r = op == 'r' ? pread(fd, arg, n, off) : op == 'w' ? pwrite(fd, arg, n, off) :
		    ioctl(fd, op, arg);
	} while (r == -1 && errno == EBUSY && ++tries < 200 && !usleep(10000));
	return r;
}

/*
 * Once per pass, before the threads (no signal comes): an edu device
 * computes a factorial, answers on its liveness register, keeps what a
 * pwrite sent for a pread, and shows its counters (the pass's base).
 */
static void edu_probe(struct pass *ps, struct worker *w, int fd)
{
	struct edu_fact f = { .n = 13, .result = 0xa5a5a5a5 };
	struct edu_info *i = &ps->edu_base;
	uint32_t v = (uint32_t)opt_seed ^ (ps->root ? 0x5a5a5a5a : 0xa5a5a5a5), live = v;
	unsigned char out[64], in[64];
	off_t off = (off_t)(opt_seed % (EDU_BUF_SIZE - sizeof(out) + 1));
	size_t k;
	long r;
	int e;

	r = edu_call(fd, EDU_IOC_FACT, &f, 0, 0);
	e = errno;
	ps->probe.facts_ok += r == 0;
	ps->probe.facts_maybe += r == -1 && e == EFAULT;
	ps->probe.timeouts += r == -1 && e == ETIMEDOUT;
	check(w, r == 0 && f.n == 13 && !f.flags && !f.pad && f.result == 1932053504, r, e,
	      "13! is 1932053504 mod 2^32", "probe ioctl(%d, EDU_IOC_FACT, 13) -> result %u", fd,
	      f.result);
	r = edu_call(fd, EDU_IOC_LIVE, &live, 0, 0);
	e = errno;
	check(w, r == 0 && live == ~v, r, e, "the inverse", "probe ioctl(%d, EDU_IOC_LIVE, %#x) -> %#x",
	      fd, v, live);
	for (k = 0; k < sizeof(out); k++)
		out[k] = (unsigned char)(opt_seed + 7 * k + ps->root);
	r = edu_call(fd, 'w', out, sizeof(out), off);
	e = errno;
	ps->probe.dmas_ok += r > 0;
	ps->probe.timeouts += r == -1 && e == ETIMEDOUT;
	check(w, r == sizeof(out), r, e, "must write all", "probe pwrite(%d, %zu, %lld)", fd,
	      sizeof(out), (long long)off);
	memset(in, 0, sizeof(in));
	r = edu_call(fd, 'r', in, sizeof(in), off);
	e = errno;
	ps->probe.dmas_ok += r > 0;
	ps->probe.dmas_maybe += r == -1 && e == EFAULT;
	ps->probe.timeouts += r == -1 && e == ETIMEDOUT;
	check(w, r == sizeof(in) && !memcmp(in, out, sizeof(in)), r, e,
	      "must read back what was written", "probe pread(%d, %zu, %lld)", fd, sizeof(in),
	      (long long)off);
	errno = 0;
	r = ioctl(fd, EDU_IOC_INFO, i);
	e = errno;
	check(w, r == 0 && i->id == EDU_ID && (i->irq == EDU_IRQ_MSI || i->irq == EDU_IRQ_INTX), r,
	      e, "id 0x010000ed, irq 1 or 2", "probe ioctl(%d, EDU_IOC_INFO) -> id %#x irq %u", fd,
	      i->id, i->irq);
}

/* Once per pass, in order: a privileged command does what the caller's rights allow (edu: none). */
static void privileged_probe(struct pass *ps, struct worker *w)
{
	struct echo_resize rs = { 24, ECHO_VERSION, ECHO_DEFAULT_CAP, 0 };
	struct fdref f = { open(ps->path, O_RDWR | O_CLOEXEC), O_RDWR, "probe" };
	int want = ps->root ? 0 : EPERM;
	long r = -1;

	if (!check(w, f.fd >= 0, f.fd, errno, "open must succeed", "open(%s)", ps->path))
		return;
	if (ps->dev->kind == EDU)	/* nothing privileged */
		edu_probe(ps, w, f.fd);
	errno = 0;
	if (ps->dev->kind == ECHO)
		r = ioctl(f.fd, ECHO_IOC_RESIZE, &rs);
	else if (ps->dev->kind == SEM)
		r = ioctl(f.fd, SEM_IOC_RESET);
	if (ps->dev->kind == ECHO || ps->dev->kind == SEM)
		check(w, want ? r == -1 && errno == want : r == 0, r, errno,
		      "the privileged command", "probe ioctl(%d, %s)", f.fd,
		      ps->dev->kind == ECHO ? "ECHO_IOC_RESIZE cap 4096" : "SEM_IOC_RESET");
	close(f.fd);
}

/* FNV-1a: a device's own seed does not depend on its place in the list. */
static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static void run_pass(int di, bool root, struct pass_result *res, uint64_t seed)
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
	ps.root = root;
	ps.who = root ? "root" : "uid 65534";
	snprintf(ps.path, sizeof(ps.path), "/dev/%s", ps.dev->name);
	ps.max_ops = opt_ops;
	ps.nthreads = opt_threads;
	ps.noirq_waits = 1;
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
		struct worker *w = &ps.w[i];

		w->ps = &ps;
		w->id = i;
		w->rng = seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(1 + i + 64 * !root)) ^
			 name_hash(ps.dev->name);
		next_rand(&w->rng);
		w->arena = guarded(ARENA, &w->rng);
		w->edge = ktest_page_before_hole();
		if (!w->arena || !w->edge) {
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
	privileged_probe(&ps, &ps.w[0]);
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
		edu_count_add(&res->edu, &ps.w[i].edu);
	}
	edu_count_add(&res->edu, &ps.probe);
	for (i = 0; i < NSHARED; i++)
		if (ps.shared[i].fd >= 0)
			check(&ps.w[0], close(ps.shared[i].fd) == 0, -1, errno, "must succeed",
			      "close(%d)", ps.shared[i].fd);
	res->ms = ktest_ms() - t0;
	res->failures = ps.failures;
	fflush(stdout);
	exit(ps.failures ? 1 : 0);
}

/* ---- per device: load, two passes, invariants, unload, kernel log ---- */

/*
 * An edu binding's counters after a pass (res: its results, NULL if it did
 * not end normally), against *prev, those before it; then *prev = them.
 */
static void check_edu(const struct device *d, int fd, const char *who,
		      const struct pass_result *res, struct edu_info *prev)
{
	const struct edu_count *c = res ? &res->edu : NULL;
	struct edu_info i;

	memset(&i, 0xa5, sizeof(i));
	ASSERT_EQ(0, ioctl(fd, EDU_IOC_INFO, &i));
	printf("# %s after %s: id %#010x, irq %u, facts %llu, dmas %llu, timeouts %llu", d->name, who,
	       i.id, i.irq, (unsigned long long)i.facts, (unsigned long long)i.dmas,
	       (unsigned long long)i.timeouts);
	if (c && res->ops)
		printf(" (the pass: %ld factorials + %ld EFAULT, %ld transfers + %ld EFAULT reads, "
		       "%ld ETIMEDOUT)", c->facts_ok, c->facts_maybe, c->dmas_ok, c->dmas_maybe,
		       c->timeouts);
	printf("\n");
	EXPECT_TRUE(i.id == EDU_ID && (i.irq == EDU_IRQ_MSI || i.irq == EDU_IRQ_INTX));
	EXPECT_TRUE(i.facts >= prev->facts && i.dmas >= prev->dmas && i.timeouts >= prev->timeouts);
	if (c) {
		EXPECT_TRUE(i.facts >= prev->facts + c->facts_ok);
		EXPECT_TRUE(i.facts <= prev->facts + c->facts_ok + c->facts_maybe);
		EXPECT_TRUE(i.dmas >= prev->dmas + c->dmas_ok);
		EXPECT_TRUE(i.dmas <= prev->dmas + c->dmas_ok + c->dmas_maybe);
		EXPECT_EQ(prev->timeouts + c->timeouts, i.timeouts);
	}
	*prev = i;
}

/* The device's own view after a pass (no file open): its counters must agree. */
static void check_device(const struct device *d, const char *path, const char *who,
			 const struct pass_result *res, struct edu_info *edu)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	struct echo_info ei = { .size = sizeof(ei) };
	struct sem_stats ss = { .size = sizeof(ss) };
	struct sync_stats ys;

	ASSERT_TRUE(fd >= 0);
	if (d->kind == ECHO) {
		EXPECT_EQ(0, ioctl(fd, ECHO_IOC_INFO, &ei));
		printf("# %s after %s: len %llu, cap %llu\n", d->name, who,
		       (unsigned long long)ei.len, (unsigned long long)ei.cap);
		EXPECT_TRUE(ei.cap >= 1 && ei.cap <= ECHO_MAX_CAP && ei.len <= ei.cap);
	} else if (d->kind == SEM) {
		EXPECT_EQ(0, ioctl(fd, SEM_IOC_STATS, &ss));
		printf("# %s after %s: count %llu, reads %llu, writes %llu, waiters %llu\n",
		       d->name, who, (unsigned long long)ss.count, (unsigned long long)ss.reads,
		       (unsigned long long)ss.writes, (unsigned long long)ss.waiters);
		EXPECT_TRUE(ss.waiters == 0 && ss.count == ss.writes - ss.reads);
	} else if (d->kind == EDU) {
		check_edu(d, fd, who, res, edu);
	} else {
		EXPECT_EQ(0, ioctl(fd, SYNC_IOC_STATS, &ys));
		printf("# %s after %s: rounds %llu, runs %llu, refs %llu, violations %llu\n",
		       d->name, who, (unsigned long long)ys.mutex_count,
		       (unsigned long long)ys.runs, (unsigned long long)ys.refs,
		       (unsigned long long)ys.violations);
		EXPECT_TRUE(ys.spin_count == ys.mutex_count && ys.irq_count == ys.mutex_count &&
			    ys.arc_gets == ys.mutex_count && ys.refs == 1 && ys.violations == 0);
	}
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

static void fuzz_device(int di)
{
	const struct device *d = &devices[di];
	struct pass_result *res = mmap(NULL, 2 * sizeof(*res), PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long long t0 = ktest_ms(), ms;
	struct edu_info edu = { 0 };	/* a fresh binding's counters */
	char path[64];
	int pass, kmsg, reports;

	if (opt_only && strcmp(opt_only, d->name))
		SKIP("not chosen by --only");
	ktest_need_module(d->name);
	ASSERT_TRUE(res != MAP_FAILED);
	kmsg = kmsg_open();
	ASSERT_TRUE(kmsg >= 0);
	ASSERT_EQ(0, load_module(d->name, NULL));
	snprintf(path, sizeof(path), "/dev/%s", d->name);
	/* So that uid 65534 gets past open to the ioctl permission checks. */
	EXPECT_EQ(0, chmod(path, 0666));
	if (d->kind == EDU)	/* loading bound the device: its counters start at 0 */
		check_device(d, path, "load", &(struct pass_result){ 0 }, &edu);
	for (pass = 0; pass < 2; pass++) {
		const char *who = pass ? "uid 65534" : "root";
		int status;
		pid_t pid;

		memset(&res[pass], 0, sizeof(res[pass]));
		fflush(stdout);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0)
			run_pass(di, !pass, &res[pass], opt_seed);
		status = ktest_wait_child(pid, (long long)(opt_seconds * 1000) + 20000);
		if (status == -1)
			printf("# %s (%s): the pass did not end in time\n", d->name, who);
		else if (WIFSIGNALED(status))
			printf("# %s (%s): the pass was killed by signal %d\n", d->name, who,
			       WTERMSIG(status));
		else if (WEXITSTATUS(status))
			printf("# %s (%s): %d check(s) failed; replay with --seed %llu --only %s\n",
			       d->name, who, res[pass].failures, (unsigned long long)opt_seed,
			       d->name);
		EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
		printf("# %s (%s): %ld ops in %ld ms, %ld interrupted by the supervisor's signal\n",
		       d->name, who, res[pass].ops, res[pass].ms, res[pass].eintr);
		check_device(d, path, who, status != -1 && WIFEXITED(status) ? &res[pass] : NULL,
			     &edu);
	}
	if (ktest_unload_wait(d->name, 5000)) {
		printf("# %s: does not unload (a leaked reference?): %s\n", d->name,
		       strerror(errno));
		ktest_failed = 1;
	}
	reports = kernel_reports(kmsg, d->name);
	if (reports)
		printf("# %s: %d kernel report(s); seed %llu\n", d->name, reports,
		       (unsigned long long)opt_seed);
	EXPECT_EQ(0, reports);
	ms = ktest_ms() - t0;
	printf("# %s: %ld ops (root %ld, uid 65534 %ld), seed %llu, %lld ms, %.0f ops/s\n", d->name,
	       res[0].ops + res[1].ops, res[0].ops, res[1].ops, (unsigned long long)opt_seed, ms,
	       (res[0].ms + res[1].ms) ? (res[0].ops + res[1].ops) * 1000.0 /
		       (res[0].ms + res[1].ms) : 0.0);
}

/* One ktest entry per device of the command line: ktest's tests take no argument. */
#define SLOT(n) static void fuzz_slot##n(void) { fuzz_device(n); }
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
		"[--only NAME] NAME:MODEL... (models:");
	for (m = 0; m < NMODELS; m++)
		fprintf(stderr, " %s", models[m].name);
	fprintf(stderr, ")\n");
	exit(2);
}

/* NAME:MODEL: the device /dev/NAME of module NAME, checked against MODEL. */
static void add_device(const char *arg)
{
	const char *colon = strchr(arg, ':');
	int m;

	if (!colon || colon == arg || ndevices == MAX_DEVICES || nktests == KTEST_MAX)
		usage();
	for (m = 0; m < NMODELS && strcmp(colon + 1, models[m].name); m++)
		;
	if (m == NMODELS) {
		fprintf(stderr, "rkm-fuzz: %s: no model '%s'\n", arg, colon + 1);
		usage();
	}
	devices[ndevices] = models[m];
	devices[ndevices].name = strndup(arg, colon - arg);
	ktests[nktests++] = (struct ktest){ devices[ndevices].name, slots[ndevices] };
	ndevices++;
}

int main(int argc, char **argv)
{
	bool seeded = false;
	int i, j;

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
			opt_seed = strtoull(v, &end, 0);
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
		opt_seed = next_rand(&s) >> 16;	/* short enough to type */
	}
	printf("# seed %llu (replay: --seed %llu)\n", (unsigned long long)opt_seed,
	       (unsigned long long)opt_seed);
	printf("# %ld ops, %g s, %d threads per device and pass\n", opt_ops, opt_seconds,
	       opt_threads);
	return ktest_run();
}
