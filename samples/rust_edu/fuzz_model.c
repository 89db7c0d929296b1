// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-fuzz's model of edu.h (tests/fuzz/fuzz_model.h): slow requests,
 * results to compute, counters to keep.
 *
 * The edu devices are slow: a DMA transfer (every read or write that moves
 * bytes) takes 100 ms of the device's time, longer than the supervisor's
 * tick, so most of their reads and writes (and half of their ioctls) run
 * with the supervisor's signal blocked and may finish (no EINTR then); the
 * others end with EINTR and leave the device busy, and requests fail with
 * EBUSY until it is done. Reads and writes at a known position (pread,
 * pwrite) must move exactly min(len, EDU_BUF_SIZE - pos) bytes, lseek must
 * land exactly, a factorial must give n! mod 2^32, the liveness register the
 * inverse. EDU_FACT_NOIRQ always waits for edu_timeout_ms (1 s) and ends with
 * ETIMEDOUT: it is rare, and only one a pass waits with the signal blocked.
 * Each pass starts with a known sequence (a factorial, the liveness
 * register, a pwrite read back by pread, the counters); every thread's
 * EDU_IOC_INFO must show counters that never go back and that count at least
 * its own successes; after the pass the binding's counters (it stays bound
 * from load to unload; they start at 0) must match the pass's results:
 * timeouts exactly, factorials and DMA transfers between the calls that
 * succeeded and those that may have done the work before failing with EFAULT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "rust_edu/edu.h"
#include "fuzz_model.h"

#define EDU_ID 0x010000ed	/* edu_info.id */

/* EDU_IOC_INFO does not wait: no EINTR. */
static const struct fuzz_cmd edu_cmds[] = {
	{ EDU_IOC_INFO, false, M(EFAULT), sizeof(struct edu_info) },
	{ EDU_IOC_LIVE, false, M(EFAULT) | M(EINTR), sizeof(uint32_t) },
	{ EDU_IOC_FACT, false, M(EFAULT) | M(EINVAL) | M(EINTR) | M(ETIMEDOUT) | M(EBUSY),
	  sizeof(struct edu_fact) },
};

/* What reached an edu device, as the results of the calls tell (edu_info's counters). */
struct edu_count {
	long facts_ok;		/* factorials that succeeded */
	long facts_maybe;	/* EFAULT: perhaps computed, then not copied out */
	long dmas_ok;		/* reads and writes that moved bytes */
	long dmas_maybe;	/* reads that failed with EFAULT: perhaps after the transfer */
	long timeouts;		/* ETIMEDOUT results */
};

/* A device, shared by the pass processes and the device's test. */
struct edu_device {
	struct edu_info prev;	/* the counters after the last pass (a fresh binding's: 0) */
	struct edu_info base;	/* the counters after the probe, before the threads */
	struct edu_count pass;	/* the pass's calls, its threads' and the probe's */
};

struct edu_thread {
	struct edu_count count;	/* this thread's calls */
	struct edu_info seen;	/* the last EDU_IOC_INFO this thread got */
};

/* Counts d to the pass and, but for the probe (own NULL), to the thread. */
static void edu_add(struct fuzz_worker *w, struct edu_count *own, const struct edu_count *d)
{
	struct edu_count *p = &((struct edu_device *)fuzz_device(w))->pass;

	__atomic_fetch_add(&p->facts_ok, d->facts_ok, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->facts_maybe, d->facts_maybe, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->dmas_ok, d->dmas_ok, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->dmas_maybe, d->dmas_maybe, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->timeouts, d->timeouts, __ATOMIC_RELAXED);
	if (!own)
		return;
	own->facts_ok += d->facts_ok;
	own->facts_maybe += d->facts_maybe;
	own->dmas_ok += d->dmas_ok;
	own->dmas_maybe += d->dmas_maybe;
	own->timeouts += d->timeouts;
}

static int edu_make_arg(struct fuzz_worker *w, unsigned int c, char *s, size_t *len)
{
	uint32_t v;
	struct edu_fact f;

	if (c == EDU_IOC_LIVE) {
		v = (uint32_t)fuzz_rand(w);
		memcpy(s, &v, *len = sizeof(v));
		return 0;
	}
	if (c != EDU_IOC_FACT)
		return 0;
	/* n mostly small (the device makes n multiplications); NOIRQ costs a timeout. */
	f = (struct edu_fact){
		.n = fuzz_chance(w, 60) ? fuzz_rnd(w, 40) : fuzz_chance(w, 60) ? fuzz_rnd(w, 3000) :
		     fuzz_chance(w, 50) ? EDU_FACT_MAX - 2 + (uint32_t)fuzz_rnd(w, 5) :
		     fuzz_chance(w, 70) ? (uint32_t)fuzz_rnd(w, EDU_FACT_MAX + 1000) :
					  (uint32_t)fuzz_rand(w),
		.flags = fuzz_chance(w, 96) ? 0 : fuzz_chance(w, 40) ? EDU_FACT_NOIRQ :
			 fuzz_chance(w, 50) ? 1U << fuzz_rnd(w, 32) : (uint32_t)fuzz_rand(w),
		.result = (uint32_t)fuzz_rand(w),
		.pad = fuzz_chance(w, 95) ? 0 : fuzz_chance(w, 50) ? 1 : (uint32_t)fuzz_rand(w),
	};
	memcpy(s, &f, *len = sizeof(f));
	return f.flags & ~EDU_FACT_NOIRQ || f.pad || f.n > EDU_FACT_MAX ? EINVAL :
	       f.flags ? ETIMEDOUT : 0;
}

/* n! mod 2^32 (edu.h); 0 from 34! on, so quick for any n. */
static uint32_t ref_fact(uint32_t n)
{
	uint32_t r = 1;

	while (n > 1 && r)
		r *= n--;
	return r;
}

/* An EDU_IOC_INFO as edu.h describes it, its counters never going back. */
static bool edu_info_ok(struct fuzz_worker *w, const struct edu_info *i)
{
	const struct edu_info *b = &((struct edu_device *)fuzz_device(w))->base;
	struct edu_thread *t = fuzz_thread(w);
	const struct edu_info *s = &t->seen;
	bool ok = i->id == EDU_ID && (i->irq == EDU_IRQ_MSI || i->irq == EDU_IRQ_INTX) &&
		  i->facts >= s->facts && i->dmas >= s->dmas && i->timeouts >= s->timeouts &&
		  i->facts >= b->facts + t->count.facts_ok &&
		  i->dmas >= b->dmas + t->count.dmas_ok &&
		  i->timeouts >= b->timeouts + t->count.timeouts;

	t->seen = *i;
	return ok;
}

static bool edu_reply_ok(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			 const char *tail, size_t tail_len)
{
	struct edu_info info;
	struct edu_fact fi, fo;
	uint32_t vi, vo;

	switch (c) {
	case EDU_IOC_INFO:
		memcpy(&info, p, sizeof(info));
		return edu_info_ok(w, &info) && !memcmp(p + sizeof(info), tail, tail_len);
	case EDU_IOC_LIVE:	/* the device answers the bitwise inverse */
		memcpy(&vi, in, sizeof(vi));
		memcpy(&vo, p, sizeof(vo));
		return vo == ~vi && !memcmp(p + sizeof(vo), tail, tail_len);
	case EDU_IOC_FACT:	/* copied back whole, with n! mod 2^32 */
		memcpy(&fi, in, sizeof(fi));
		memcpy(&fo, p, sizeof(fo));
		return fo.n == fi.n && fo.flags == fi.flags && fo.pad == fi.pad &&
		       fo.result == ref_fact(fi.n) && !memcmp(p + sizeof(fo), tail, tail_len);
	}
	return true;
}

static bool edu_transient(unsigned int c, int want, int e, bool quiet)
{
	if (c == EDU_IOC_LIVE)
		return e == EINTR && !quiet;
	if (c != EDU_IOC_FACT || want == EINVAL)
		return false;
	return (e == EINTR && !quiet) || e == ETIMEDOUT || e == EBUSY;
}

static void edu_ioctl_done(struct fuzz_worker *w, unsigned int c, long long r, int e)
{
	struct edu_count d = {
		.facts_ok = c == EDU_IOC_FACT && r == 0,
		.facts_maybe = c == EDU_IOC_FACT && r == -1 && e == EFAULT,
		.timeouts = r == -1 && e == ETIMEDOUT,
	};

	edu_add(w, &((struct edu_thread *)fuzz_thread(w))->count, &d);
}

/*
 * min(n, size - pos) bytes; 0 or ENOSPC at the end. off -1: at the fd's
 * position, somewhere in [0, EDU_BUF_SIZE]. Counts what reached the device.
 */
static bool edu_rw_ok(struct fuzz_worker *w, bool is_write, long long off, size_t n,
		      long long r, int e, errmask mask)
{
	bool at_end = off >= EDU_BUF_SIZE, may_end = off < 0 || at_end;
	size_t room = off < 0 ? EDU_BUF_SIZE : at_end ? 0 : (size_t)(EDU_BUF_SIZE - off);
	size_t want = n < room ? n : room;	/* exactly that when off is known */
	struct edu_count d = {
		.dmas_ok = r > 0,
		.dmas_maybe = r == -1 && e == EFAULT && !is_write,
		.timeouts = r == -1 && e == ETIMEDOUT,
	};

	edu_add(w, &((struct edu_thread *)fuzz_thread(w))->count, &d);
	if (r < 0) {
		if (r != -1 || !fuzz_errno_in(mask, e))
			return false;
		if (e == ENOSPC)
			return is_write && may_end && n;
		/* Without a transfer to do, nothing waits: only the VFS's EFAULT and EINVAL. */
		if ((!n || at_end) && (e == EINTR || e == ETIMEDOUT || e == EBUSY))
			return false;
		return true;
	}
	if (!n)
		return r == 0;
	if (off >= 0)
		return !(is_write && at_end) && (size_t)r == want;
	return (size_t)r <= want && (r > 0 || !is_write);
}

/*
 * SEEK_SET and SEEK_END exactly, SEEK_CUR somewhere in [0, EDU_BUF_SIZE];
 * SEEK_DATA and SEEK_HOLE EINVAL (fixed_size_llseek's). The fuzzer does not
 * unbind, so never ENODEV.
 */
static bool edu_lseek_ok(long long off, int whence, long long r, int e)
{
	long long to;

	if (whence == SEEK_CUR)
		return r >= 0 ? r <= EDU_BUF_SIZE : r == -1 && e == EINVAL;
	if (whence != SEEK_SET && whence != SEEK_END)
		return r == -1 && e == EINVAL;
	return __builtin_add_overflow(off, whence == SEEK_END ? EDU_BUF_SIZE : 0, &to) ||
	       to < 0 || to > EDU_BUF_SIZE ? r == -1 && e == EINVAL : r == to;
}

/* A probe call ('r' pread, 'w' pwrite or a command), again while EBUSY (the last pass's). */
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
 * pwrite sent for a pread, and shows its counters (the pass's base). It has
 * no privileged command.
 */
static void edu_probe(struct fuzz_worker *w, int fd)
{
	struct edu_fact f = { .n = 13, .result = 0xa5a5a5a5 };
	struct edu_info *i = &((struct edu_device *)fuzz_device(w))->base;
	bool root = fuzz_root(w);
	uint32_t v = (uint32_t)fuzz_seed ^ (root ? 0x5a5a5a5a : 0xa5a5a5a5), live = v;
	unsigned char out[64], in[64];
	off_t off = (off_t)(fuzz_seed % (EDU_BUF_SIZE - sizeof(out) + 1));
	size_t k;
	long r;
	int e;

	r = edu_call(fd, EDU_IOC_FACT, &f, 0, 0);
	e = errno;
	edu_add(w, NULL, &(struct edu_count){
		.facts_ok = r == 0,
		.facts_maybe = r == -1 && e == EFAULT,
		.timeouts = r == -1 && e == ETIMEDOUT,
	});
	fuzz_check(w, r == 0 && f.n == 13 && !f.flags && !f.pad && f.result == 1932053504, r, e,
		   "13! is 1932053504 mod 2^32", "probe ioctl(%d, EDU_IOC_FACT, 13) -> result %u",
		   fd, f.result);
	r = edu_call(fd, EDU_IOC_LIVE, &live, 0, 0);
	e = errno;
	fuzz_check(w, r == 0 && live == ~v, r, e, "the inverse",
		   "probe ioctl(%d, EDU_IOC_LIVE, %#x) -> %#x", fd, v, live);
	for (k = 0; k < sizeof(out); k++)
		out[k] = (unsigned char)(fuzz_seed + 7 * k + root);
	r = edu_call(fd, 'w', out, sizeof(out), off);
	e = errno;
	edu_add(w, NULL, &(struct edu_count){
		.dmas_ok = r > 0,
		.timeouts = r == -1 && e == ETIMEDOUT,
	});
	fuzz_check(w, r == sizeof(out), r, e, "must write all", "probe pwrite(%d, %zu, %lld)", fd,
		   sizeof(out), (long long)off);
	memset(in, 0, sizeof(in));
	r = edu_call(fd, 'r', in, sizeof(in), off);
	e = errno;
	edu_add(w, NULL, &(struct edu_count){
		.dmas_ok = r > 0,
		.dmas_maybe = r == -1 && e == EFAULT,
		.timeouts = r == -1 && e == ETIMEDOUT,
	});
	fuzz_check(w, r == sizeof(in) && !memcmp(in, out, sizeof(in)), r, e,
		   "must read back what was written", "probe pread(%d, %zu, %lld)", fd, sizeof(in),
		   (long long)off);
	errno = 0;
	r = ioctl(fd, EDU_IOC_INFO, i);
	e = errno;
	fuzz_check(w, r == 0 && i->id == EDU_ID &&
		   (i->irq == EDU_IRQ_MSI || i->irq == EDU_IRQ_INTX), r, e, "id 0x010000ed, irq 1 or 2",
		   "probe ioctl(%d, EDU_IOC_INFO) -> id %#x irq %u", fd, i->id, i->irq);
}

/*
 * The binding's counters after a pass (ops -1: it did not end normally)
 * against those before it; then they are the next pass's.
 */
static void edu_check(void *device, const char *name, int fd, const char *who, long ops)
{
	struct edu_device *d = device;
	const struct edu_count *c = ops >= 0 ? &d->pass : NULL;
	const struct edu_info *prev = &d->prev;
	struct edu_info i;

	memset(&i, 0xa5, sizeof(i));
	FUZZ_ASSERT(ioctl(fd, EDU_IOC_INFO, &i) == 0);
	printf("# %s after %s: id %#010x, irq %u, facts %llu, dmas %llu, timeouts %llu", name, who,
	       i.id, i.irq, (unsigned long long)i.facts, (unsigned long long)i.dmas,
	       (unsigned long long)i.timeouts);
	if (c && ops)
		printf(" (the pass: %ld factorials + %ld EFAULT, %ld transfers + %ld EFAULT reads, "
		       "%ld ETIMEDOUT)", c->facts_ok, c->facts_maybe, c->dmas_ok, c->dmas_maybe,
		       c->timeouts);
	printf("\n");
	FUZZ_EXPECT(i.id == EDU_ID && (i.irq == EDU_IRQ_MSI || i.irq == EDU_IRQ_INTX));
	FUZZ_EXPECT(i.facts >= prev->facts && i.dmas >= prev->dmas && i.timeouts >= prev->timeouts);
	if (c) {
		FUZZ_EXPECT(i.facts >= prev->facts + c->facts_ok);
		FUZZ_EXPECT(i.facts <= prev->facts + c->facts_ok + c->facts_maybe);
		FUZZ_EXPECT(i.dmas >= prev->dmas + c->dmas_ok);
		FUZZ_EXPECT(i.dmas <= prev->dmas + c->dmas_ok + c->dmas_maybe);
		FUZZ_EXPECT(i.timeouts == prev->timeouts + c->timeouts);
	}
	d->prev = i;
	memset(&d->pass, 0, sizeof(d->pass));
}

/* Any request may end by a signal, the timer or a device busy with an abandoned one. */
static const struct fuzz_model edu_model = {
	.name = "edu",
	.spec = "edu.h",
	.cmds = edu_cmds,
	.ncmds = 3,
	.read_errs = M(EFAULT) | M(EINVAL) | M(EINTR) | M(ETIMEDOUT) | M(EBUSY),
	.write_errs = M(EFAULT) | M(EINVAL) | M(EINTR) | M(ETIMEDOUT) | M(EBUSY) | M(ENOSPC),
	.len_edge = EDU_BUF_SIZE,
	.pos_edge = EDU_BUF_SIZE,
	.slow = true,
	.ignores_nonblock = true,
	.no_poll = true,
	.check_load = true,	/* loading bound the device: its counters start at 0 */
	.device_size = sizeof(struct edu_device),
	.thread_size = sizeof(struct edu_thread),
	.make_arg = edu_make_arg,
	.reply_ok = edu_reply_ok,
	.transient = edu_transient,
	.ioctl_done = edu_ioctl_done,
	.rw_ok = edu_rw_ok,
	.lseek_ok = edu_lseek_ok,
	.probe = edu_probe,
	.check = edu_check,
};
FUZZ_MODEL(edu_model)
