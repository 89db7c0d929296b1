// SPDX-License-Identifier: GPL-2.0
/* rkm-fuzz's model of sync.h (tests/fuzz/fuzz_model.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rust_sync/sync.h"
#include "fuzz_model.h"

static const struct fuzz_cmd sync_cmds[] = {
	{ SYNC_IOC_RUN, false, M(EFAULT) | M(EINVAL) | M(EINTR), 0 },
	{ SYNC_IOC_STATS, false, M(EFAULT), sizeof(struct sync_stats) },
};

static int sync_make_arg(struct fuzz_worker *w, unsigned int c, char *s, size_t *len)
{
	uint32_t version, iters;
	struct sync_run r;

	if (c != SYNC_IOC_RUN)
		return 0;
	version = fuzz_chance(w, 90) ? 1 : (uint32_t)fuzz_rnd(w, 3);
	iters = fuzz_chance(w, 60) ? fuzz_rnd(w, 200) : fuzz_chance(w, 50) ? fuzz_rnd(w, 100000) :
		fuzz_chance(w, 50) ? 1000000 + (uint32_t)fuzz_rnd(w, 2) : (uint32_t)fuzz_rand(w);
	r = (struct sync_run){ version, iters };
	memcpy(s, &r, *len = sizeof(r));
	return version != 1 || iters > 1000000 ? EINVAL : 0;
}

static bool sync_reply_ok(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			  const char *tail, size_t tail_len)
{
	struct sync_stats ys;

	if (c != SYNC_IOC_STATS)
		return true;
	memcpy(&ys, p, sizeof(ys));
	return ys.violations == 0 && ys.refs >= 1;
}

static bool sync_transient(unsigned int c, int want, int e, bool quiet)
{
	return c == SYNC_IOC_RUN && e == EINTR;
}

/* No read or write: EINVAL only. */
static bool sync_rw_ok(struct fuzz_worker *w, bool is_write, long long off, size_t n,
		       long long r, int e, errmask mask)
{
	return r == -1 && fuzz_errno_in(mask, e);
}

static void sync_check(void *device, const char *name, int fd, const char *who, long ops)
{
	struct sync_stats ys;

	FUZZ_EXPECT(ioctl(fd, SYNC_IOC_STATS, &ys) == 0);
	printf("# %s after %s: rounds %llu, runs %llu, refs %llu, violations %llu\n", name, who,
	       (unsigned long long)ys.mutex_count, (unsigned long long)ys.runs,
	       (unsigned long long)ys.refs, (unsigned long long)ys.violations);
	FUZZ_EXPECT(ys.spin_count == ys.mutex_count && ys.irq_count == ys.mutex_count &&
		    ys.arc_gets == ys.mutex_count && ys.refs == 1 && ys.violations == 0);
}

static const struct fuzz_model sync_model = {
	.name = "sync",
	.spec = "sync.h",
	.cmds = sync_cmds,
	.ncmds = 2,
	.read_errs = M(EINVAL),
	.write_errs = M(EINVAL),
	.no_poll = true,
	.make_arg = sync_make_arg,
	.reply_ok = sync_reply_ok,
	.transient = sync_transient,
	.rw_ok = sync_rw_ok,
	.check = sync_check,
};
FUZZ_MODEL(sync_model)
