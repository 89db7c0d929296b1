// SPDX-License-Identifier: GPL-2.0
/* rkm-fuzz's model of echo.h (tests/fuzz/fuzz_model.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "rust_echo/echo.h"
#include "fuzz_model.h"

static const struct fuzz_cmd echo_cmds[] = {
	{ ECHO_IOC_INFO, false, M(EFAULT) | M(EINVAL) | M(E2BIG), 24 },
	{ ECHO_IOC_RESIZE, true, M(EFAULT) | M(EINVAL) | M(E2BIG) | M(ENOMEM), 0 },
};

static int echo_make_arg(struct fuzz_worker *w, unsigned int c, char *s, size_t *len)
{
	uint32_t size, version;
	uint64_t cap, reserved;
	struct echo_resize r;
	bool dirty = false;

	if (c == ECHO_IOC_INFO) {
		size = fuzz_prefix(w, 24);
		memcpy(s, &size, *len = 4);
		return size < 24 ? EINVAL : size > 4096 ? E2BIG : 0;
	}
	version = fuzz_chance(w, 90) ? 1 : (uint32_t)fuzz_rnd(w, 3);
	reserved = fuzz_chance(w, 90) ? 0 : fuzz_rand(w);
	size = fuzz_prefix(w, 24);
	cap = fuzz_chance(w, 70) ? 1 + fuzz_rnd(w, 2 * ECHO_DEFAULT_CAP) :
	      fuzz_chance(w, 50) ? ECHO_MAX_CAP + fuzz_rnd(w, 3) - 1 :
				   fuzz_rand(w) >> fuzz_rnd(w, 64);
	r = (struct echo_resize){ size, version, cap, reserved };
	memcpy(s, &r, *len = sizeof(r));
	if (size > 24 && size <= 4096) {	/* the tail must be zero */
		memset(s + 24, 0, size - 24);
		*len = size;
		if (fuzz_chance(w, 20)) {
			s[24 + fuzz_rnd(w, size - 24)] = 1;
			dirty = true;
		}
	}
	if (size < 24)
		return EINVAL;
	if (size > 4096 || dirty)
		return E2BIG;
	return version != 1 || reserved || !cap || cap > ECHO_MAX_CAP ? EINVAL : 0;
}

/* The bytes beyond the reply are left alone. */
static bool echo_reply_ok(struct fuzz_worker *w, unsigned int c, const char *p, const char *in,
			  const char *tail, size_t tail_len)
{
	struct echo_info ei;

	if (c != ECHO_IOC_INFO)
		return true;
	memcpy(&ei, p, sizeof(ei));
	return ei.size == 24 && ei.version == ECHO_VERSION && ei.cap >= 1 &&
	       ei.cap <= ECHO_MAX_CAP && ei.len <= ei.cap && !memcmp(p + 24, tail, tail_len);
}

static bool echo_transient(unsigned int c, int want, int e, bool quiet)
{
	return c == ECHO_IOC_RESIZE && e == ENOMEM;
}

/* 0 only for 0 bytes: a first-byte fault is EFAULT. */
static bool echo_rw_ok(struct fuzz_worker *w, bool is_write, long long off, size_t n,
		       long long r, int e, errmask mask)
{
	if (r < 0)
		return r == -1 && fuzz_errno_in(mask, e);
	return (unsigned long long)r <= n && (r == 0) == (n == 0) && r <= ECHO_MAX_CAP;
}

/*
 * The new position, within the capacity (SEEK_SET: off itself); EINVAL for
 * SEEK_DATA and SEEK_HOLE and any result outside [0, ECHO_MAX_CAP].
 */
static bool echo_lseek_ok(long long off, int whence, long long r, int e)
{
	if (whence == SEEK_SET && (off < 0 || off > ECHO_MAX_CAP))
		return r == -1 && e == EINVAL;
	if (r < 0)
		return r == -1 && e == EINVAL;
	if (whence == SEEK_SET)
		return r == off;
	return (whence == SEEK_CUR || whence == SEEK_END) && r <= ECHO_MAX_CAP;
}

static void echo_probe(struct fuzz_worker *w, int fd)
{
	struct echo_resize rs = { 24, ECHO_VERSION, ECHO_DEFAULT_CAP, 0 };

	fuzz_privileged(w, fd, ECHO_IOC_RESIZE, &rs, "ECHO_IOC_RESIZE cap 4096");
}

static void echo_check(void *device, const char *name, int fd, const char *who, long ops)
{
	struct echo_info ei = { .size = sizeof(ei) };

	FUZZ_EXPECT(ioctl(fd, ECHO_IOC_INFO, &ei) == 0);
	printf("# %s after %s: len %llu, cap %llu\n", name, who, (unsigned long long)ei.len,
	       (unsigned long long)ei.cap);
	FUZZ_EXPECT(ei.cap >= 1 && ei.cap <= ECHO_MAX_CAP && ei.len <= ei.cap);
}

/* EAGAIN and EINTR only as the fd's O_NONBLOCK allows; EINVAL: a bad pread/pwrite position. */
static const struct fuzz_model echo_model = {
	.name = "echo",
	.spec = "echo.h",
	.cmds = echo_cmds,
	.ncmds = 2,
	.read_errs = M(EAGAIN) | M(EINTR) | M(EFAULT) | M(EINVAL),
	.write_errs = M(ENOSPC) | M(EFAULT) | M(EINVAL),
	.len_edge = ECHO_MAX_CAP,
	.pos_edge = ECHO_DEFAULT_CAP,
	.make_arg = echo_make_arg,
	.reply_ok = echo_reply_ok,
	.transient = echo_transient,
	.rw_ok = echo_rw_ok,
	.lseek_ok = echo_lseek_ok,
	.probe = echo_probe,
	.check = echo_check,
};
FUZZ_MODEL(echo_model)
