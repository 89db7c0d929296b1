// SPDX-License-Identifier: GPL-2.0
/* rkm-fuzz's model of semaphore.h (tests/fuzz/fuzz_model.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rust_semaphore/semaphore.h"
#include "fuzz_model.h"

#define MAX_RW 0x7ffff000UL	/* MAX_RW_COUNT: the VFS clamps read/write counts to it */

static const struct fuzz_cmd sem_cmds[] = {
	{ SEM_IOC_STATS, false, M(EFAULT) | M(EINVAL) | M(E2BIG), 40 },
	{ SEM_IOC_RESET, true, 0, 0 },
};

static int sem_make_arg(struct fuzz_worker *w, unsigned int c, char *s, size_t *len)
{
	uint32_t size;

	if (c != SEM_IOC_STATS)
		return 0;
	size = fuzz_prefix(w, 40);
	memcpy(s, &size, *len = 4);
	return size < 40 ? EINVAL : size > 4096 ? E2BIG : 0;
}

static bool sem_reply_ok(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			 const char *tail, size_t tail_len)
{
	struct sem_stats ss;

	if (c != SEM_IOC_STATS)
		return true;
	memcpy(&ss, p, sizeof(ss));
	return ss.size == 40 && ss.version == SEM_VERSION && !memcmp(p + 40, tail, tail_len);
}

/* A read takes a unit and returns 0; a write returns n. */
static bool sem_rw_ok(struct fuzz_worker *w, bool is_write, long long off, size_t n,
		      long long r, int e, errmask mask)
{
	if (r < 0)
		return r == -1 && fuzz_errno_in(mask, e);
	if ((unsigned long long)r > n)
		return false;
	return is_write ? (size_t)r == (n < MAX_RW ? n : MAX_RW) : r == 0;
}

/* Always writable. */
static bool sem_poll_ok(short events, short got)
{
	return !(events & POLLOUT) || (got & POLLOUT);
}

static void sem_probe(struct fuzz_worker *w, int fd)
{
	fuzz_privileged(w, fd, SEM_IOC_RESET, NULL, "SEM_IOC_RESET");
}

static void sem_check(void *device, const char *name, int fd, const char *who, long ops)
{
	struct sem_stats ss = { .size = sizeof(ss) };

	FUZZ_EXPECT(ioctl(fd, SEM_IOC_STATS, &ss) == 0);
	printf("# %s after %s: count %llu, reads %llu, writes %llu, waiters %llu\n", name, who,
	       (unsigned long long)ss.count, (unsigned long long)ss.reads,
	       (unsigned long long)ss.writes, (unsigned long long)ss.waiters);
	FUZZ_EXPECT(ss.waiters == 0 && ss.count == ss.writes - ss.reads);
}

/* EAGAIN and EINTR only as the fd's O_NONBLOCK allows; EINVAL: a bad pread/pwrite position. */
static const struct fuzz_model sem_model = {
	.name = "semaphore",
	.spec = "semaphore.h",
	.cmds = sem_cmds,
	.ncmds = 2,
	.read_errs = M(EAGAIN) | M(EINTR) | M(EFAULT) | M(EINVAL),
	.write_errs = M(EFAULT) | M(EINVAL),
	.make_arg = sem_make_arg,
	.reply_ok = sem_reply_ok,
	.rw_ok = sem_rw_ok,
	.poll_ok = sem_poll_ok,
	.probe = sem_probe,
	.check = sem_check,
};
FUZZ_MODEL(sem_model)
