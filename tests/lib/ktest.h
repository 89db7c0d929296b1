/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktest.h: a small kselftest-style harness for rkm's in-guest test programs.
 *
 *   TEST(name) { ASSERT_EQ(0, load_module("x")); EXPECT_TRUE(...); }
 *   int main(void) { return ktest_run(); }
 *
 * Each TEST runs in a child process and prints one KTAP result; ASSERT_*
 * ends the test, EXPECT_* records a failure and goes on; SKIP(reason) skips.
 */
#ifndef KTEST_H
#define KTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KTEST_MAX 64

struct ktest {
	const char *name;
	void (*fn)(void);
};

static struct ktest ktests[KTEST_MAX];
static int nktests;
static int ktest_failed;	/* in the child: set by EXPECT */

#define TEST(name)							\
	static void test_##name(void);					\
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		if (nktests < KTEST_MAX)				\
			ktests[nktests++] = (struct ktest){ #name, test_##name }; \
	}								\
	static void test_##name(void)

#define KTEST_CHECK(cond, fatal, fmt, ...)				\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__); \
			ktest_failed = 1;				\
			if (fatal)					\
				exit(1);				\
		}							\
	} while (0)

#define ASSERT_TRUE(c) KTEST_CHECK(c, 1, "expected %s", #c)
#define EXPECT_TRUE(c) KTEST_CHECK(c, 0, "expected %s", #c)
#define ASSERT_EQ(exp, got) KTEST_CHECK((long long)(exp) == (long long)(got), 1, \
	"%s == %lld, expected %lld (%s)", #got, (long long)(got), (long long)(exp), strerror(errno))
#define EXPECT_EQ(exp, got) KTEST_CHECK((long long)(exp) == (long long)(got), 0, \
	"%s == %lld, expected %lld (%s)", #got, (long long)(got), (long long)(exp), strerror(errno))
/* A call that must fail with exactly -1 and errno e. */
#define ASSERT_ERRNO(e, call) do { errno = 0; long long r_ = (call);	\
	KTEST_CHECK(r_ == -1 && errno == (e), 1, "%s == %lld errno %d (%s), expected -1 errno %d (%s)", \
		    #call, r_, errno, strerror(errno), (e), strerror(e)); } while (0)
#define SKIP(reason) do { printf("# SKIP %s\n", reason); exit(4); } while (0)

static inline int ktest_run(void)
{
	int i, failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("KTAP version 1\n1..%d\n", nktests);
	for (i = 0; i < nktests; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			ktests[i].fn();
			exit(ktest_failed);
		}
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
			printf("ok %d %s # SKIP\n", i + 1, ktests[i].name);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %d %s\n", i + 1, ktests[i].name);
		} else {
			if (WIFSIGNALED(status))
				printf("# %s: killed by signal %d\n", ktests[i].name, WTERMSIG(status));
			printf("not ok %d %s\n", i + 1, ktests[i].name);
			failed++;
		}
	}
	printf("# %d passed, %d failed\n", nktests - failed, failed);
	return failed ? 1 : 0;
}

/* ---- modules: the ones rkm test ships in /lib/rkm ---- */

static inline int load_module(const char *name, const char *params)
{
	char path[256];
	int fd, r;

	snprintf(path, sizeof(path), "/lib/rkm/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, params ? params : "", 0);
	close(fd);
	return r;
}

static inline int unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * Walks every allocation of a module's init: loads it with rkm_fail_nth=1, 2,
 * ... (the glue fails that allocation) until a load succeeds. Each failed
 * load must fail with ENOMEM and leave nothing registered. Returns the
 * number of allocation sites failed, or -1 (and a diagnostic) on a bad one.
 */
static inline int fail_nth_walk_init(const char *name, const char *params)
{
	char args[512], sys[128];
	int n;

	snprintf(sys, sizeof(sys), "/sys/module/%s", name);
	for (n = 1; n < 10000; n++) {
		snprintf(args, sizeof(args), "%s rkm_fail_nth=%d", params ? params : "", n);
		errno = 0;
		if (load_module(name, args) == 0) {
			unload_module(name);
			return n - 1;
		}
		if (errno != ENOMEM) {
			printf("# %s: allocation %d failed: load gave %s, not ENOMEM\n", name, n,
			       strerror(errno));
			return -1;
		}
		if (access(sys, F_OK) == 0) {
			printf("# %s: allocation %d failed: the module stayed registered\n", name, n);
			return -1;
		}
	}
	return -1;
}

/* ---- files (sysfs, procfs) ---- */

/* Reads path into buf (NUL-terminated); returns bytes read or -1. */
static inline ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Writes text to path in one write(); returns 0 or -1 with errno. */
static inline int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* ---- the kernel log ---- */

/* Opens /dev/kmsg positioned after the newest record. */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* /dev/kmsg shows unprintable and non-ASCII bytes and '\\' as \xNN: undo it. */
static inline void kmsg_unescape(char *s)
{
	char *o = s;

	while (*s) {
		unsigned int b;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &b) == 1) {
			*o++ = (char)b;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/*
 * Waits up to timeout_ms for a record, after the position of fd, whose text
 * contains needle; copies the text to out (if given) and its log level
 * (0 emerg .. 7 debug) to *level (if given). Returns true if found.
 */
static inline bool kmsg_wait_level(int fd, const char *needle, int timeout_ms, char *out,
				   size_t outlen, int *level)
{
	struct timespec start, t;
	char rec[2048];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg;
		long elapsed;

		if (n > 0) {
			rec[n] = '\0';
			msg = strchr(rec, ';');
			msg = msg ? msg + 1 : rec;
			msg[strcspn(msg, "\n")] = '\0';
			kmsg_unescape(msg);
			if (strstr(msg, needle)) {
				if (out && outlen) {
					size_t l = strlen(msg);

					l = l < outlen - 1 ? l : outlen - 1;
					memcpy(out, msg, l);
					out[l] = '\0';
				}
				if (level)
					*level = atoi(rec) & 7;
				return true;
			}
			continue;
		}
		if (n < 0 && errno == EPIPE)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = (t.tv_sec - start.tv_sec) * 1000 + (t.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed >= timeout_ms)
			return false;
		poll(&p, 1, timeout_ms - elapsed);
	}
}

static inline bool kmsg_wait(int fd, const char *needle, int timeout_ms, char *out, size_t outlen)
{
	return kmsg_wait_level(fd, needle, timeout_ms, out, outlen, NULL);
}

#endif
