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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
/*
 * The value checks evaluate each argument once, in order (exp, then got), and
 * report errno only when got is -1 (a failed call): a check of a plain value,
 * or of a call that returned something else, says nothing of an errno left
 * over from earlier. errno is not cleared first: got may be errno itself.
 */
static inline void ktest_report_eq(const char *file, int line, int fatal, const char *what,
				   long long got, long long exp, int err)
{
	if (got == -1 && err)
		printf("# %s:%d: %s == %lld, expected %lld (%s)\n", file, line, what, got, exp,
		       strerror(err));
	else
		printf("# %s:%d: %s == %lld, expected %lld\n", file, line, what, got, exp);
	ktest_failed = 1;
	if (fatal)
		exit(1);
}
#define KTEST_EQ(exp, got, fatal) do {					\
		long long exp_ = (long long)(exp);			\
		long long got_ = (long long)(got);			\
		int err_ = errno;					\
		if (exp_ != got_)					\
			ktest_report_eq(__FILE__, __LINE__, fatal, #got, got_, exp_, err_); \
	} while (0)
#define ASSERT_EQ(exp, got) KTEST_EQ(exp, got, 1)
#define EXPECT_EQ(exp, got) KTEST_EQ(exp, got, 0)
/* A call that must fail with exactly -1 and errno e; errno shown only if it failed. */
#define ASSERT_ERRNO(e, call) do {					\
		int want_ = (e);					\
		errno = 0;						\
		long long r_ = (long long)(call);			\
		int err_ = errno;					\
		if (r_ == -1)						\
			KTEST_CHECK(err_ == want_, 1, "%s == -1 errno %d (%s), expected -1 errno %d (%s)", \
				    #call, err_, strerror(err_), want_, strerror(want_)); \
		else							\
			KTEST_CHECK(0, 1, "%s == %lld, expected -1 errno %d (%s)", \
				    #call, r_, want_, strerror(want_));	\
	} while (0)
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

/*
 * /lib/rkm/NAME.ko, or NAME.ko.xz (a stock kernel's own module, manifest
 * 'kernel-module': the kernel decompresses it). Returns finit_module's flags.
 */
static inline int ktest_module_file(const char *name, char *path, size_t len)
{
	snprintf(path, len, "/lib/rkm/%s.ko", name);
	if (!access(path, F_OK))
		return 0;
	snprintf(path, len, "/lib/rkm/%s.ko.xz", name);
	return 4;	/* MODULE_INIT_COMPRESSED_FILE */
}

static inline int load_module(const char *name, const char *params)
{
	char path[256];
	int fd, r, flags = ktest_module_file(name, path, sizeof(path));

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, params ? params : "", flags);
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

/*
 * The first PCI device vendor:device in dir_path (/sys/bus/pci/devices, or a
 * driver's directory, whose device links are named by address): its address
 * in out, or false.
 */
static inline bool ktest_pci_find(const char *dir_path, unsigned long vendor,
				  unsigned long device, char *out, size_t len)
{
	DIR *dir = opendir(dir_path);
	struct dirent *e;
	bool found = false;

	while (dir && !found && (e = readdir(dir))) {
		char path[320], v[32], d[32];

		if (!strchr(e->d_name, ':'))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (read_file(path, v, sizeof(v)) <= 0 || strtoul(v, NULL, 16) != vendor)
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (read_file(path, d, sizeof(d)) > 0 && strtoul(d, NULL, 16) == device) {
			snprintf(out, len, "%.63s", e->d_name);
			found = true;
		}
	}
	if (dir)
		closedir(dir);
	return found;
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

/*
 * Walks every allocation of one operation on a loaded module: with the
 * module's rkm_fail_nth set to 1, 2, ... the operation (op(ctx): 0 or -1
 * with errno) must fail with ENOMEM, until it succeeds without using the
 * injected failure (which then reads back unconsumed). Returns the number of
 * allocation sites failed, or -1 (and a diagnostic).
 */
static inline int fail_nth_walk_op(const char *name, int (*op)(void *ctx), void *ctx)
{
	char path[128], val[32];
	int n;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/rkm_fail_nth", name);
	for (n = 1; n < 1000; n++) {
		snprintf(val, sizeof(val), "%d", n);
		if (write_file(path, val)) {
			printf("# %s: cannot set rkm_fail_nth: %s\n", name, strerror(errno));
			return -1;
		}
		errno = 0;
		if (op(ctx) == 0) {
			bool unused = read_file(path, val, sizeof(val)) > 0 && atoi(val) != 0;

			write_file(path, "0");
			if (!unused) {
				printf("# %s: allocation %d was failed, yet the operation succeeded\n", name, n);
				return -1;
			}
			return n - 1;
		}
		if (errno != ENOMEM) {
			printf("# %s: allocation %d failed: the operation gave %s, not ENOMEM\n", name, n,
			       strerror(errno));
			write_file(path, "0");
			return -1;
		}
	}
	return -1;
}

/* ---- device helpers shared by the sample tests ---- */

/* poll() of one fd: its revents, 0 on timeout, -1 on error. */
static inline long long poll_revents(int fd, short events, int timeout)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout);

	return r < 0 ? -1 : r == 0 ? 0 : p.revents;
}

/* What bg_poll() polls, for ktest_bg_start(). */
struct pl {
	int fd;
	short events;
	int timeout;
};

static inline long long bg_poll(void *p)
{
	struct pl *q = p;

	return poll_revents(q->fd, q->events, q->timeout);
}

/* Opens and closes path: 0, or -1 with errno (for fail_nth_walk_op()). */
static inline int open_close(void *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* ---- the allocation-failure walks as test bodies ---- */

/* SKIP unless rkm test shipped NAME's module (e.g. while only a twin exists). */
static inline void ktest_need_module(const char *name)
{
	char ko[128];

	snprintf(ko, sizeof(ko), "/lib/rkm/%s.ko", name);
	if (access(ko, F_OK)) {
		printf("# SKIP %s is not there\n", ko);
		exit(4);
	}
}

/* Every allocation of NAME's init (with PARAMS) fails cleanly. */
static inline void expect_init_walk(const char *name, const char *params)
{
	int sites;

	ktest_need_module(name);
	sites = fail_nth_walk_init(name, params);
	ASSERT_TRUE(sites >= 0);
	printf("# %s%s%s: %d allocation site(s) in init, each failed with ENOMEM\n", name,
	       params ? " " : "", params ? params : "", sites);
}

/* Every allocation of opening DEV of the loaded module NAME fails cleanly. */
static inline void expect_open_walk(const char *name, const char *dev)
{
	int opens;

	ktest_need_module(name);
	ASSERT_EQ(0, load_module(name, NULL));
	opens = fail_nth_walk_op(name, open_close, (void *)dev);
	EXPECT_EQ(0, unload_module(name));
	ASSERT_TRUE(opens >= 1);
	printf("# %s: open: %d allocation site(s), each failed with ENOMEM\n", name, opens);
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

/* ---- twins: one scenario run against a driver and its C twin ---- */
/*
 * A sample with a C twin (rust_echo and c_echo, ...) runs each scenario once
 * per twin: ktest_twins() loads the twin, runs the scenario in a child
 * process (under a time limit) on /dev/NAME, unloads it, and then requires
 * the transcripts of all twins to be identical. The scenario records what it
 * does with TR_CALL(want, call), which appends "call -> result" (a value or
 * an errno name) to the transcript and checks the result against the spec:
 * want is the value, or -ERRNO for a call that must fail with -1 and ERRNO,
 * or KTEST_ANY to record without checking (behaviour the spec leaves open:
 * the twins must still agree). tr_printf() adds a free-form line.
 *
 * A twin whose /lib/rkm/NAME.ko is not there is reported and skipped; the
 * test then ends as SKIP (unless another twin failed). Only the twin runner
 * treats EEXIST from the load as "already loaded" (rkm run --module).
 */
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/stat.h>

#define KTEST_ANY LLONG_MIN
#define KTEST_TR_MAX (512 * 1024)
#define KTEST_TWINS_MAX 4
#define KTEST_KERNEL_ADDR ((void *)0xffffffff81000000UL)
#define KTEST_PAGE 4096

struct ktest_tr {
	size_t len;
	int overflow;
	char text[KTEST_TR_MAX];
};

static struct ktest_tr *ktest_tr __attribute__((unused));	/* in a twin's scenario */
static const char *ktest_twin __attribute__((unused)) = "";	/* its name */
static char ktest_dev[128] __attribute__((unused));		/* /dev/NAME */
static int ktest_twin_timeout_s __attribute__((unused)) = 15;	/* per twin */
static volatile sig_atomic_t ktest_signals __attribute__((unused));

static inline long long ktest_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline const char *ktest_errname(int e)
{
	static char buf[16];
	const char *n = e ? strerrorname_np(e) : "0";

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* Appends a line to the transcript of the twin being run. */
__attribute__((format(printf, 1, 2)))
static inline void tr_printf(const char *fmt, ...)
{
	struct ktest_tr *t = ktest_tr;
	va_list ap;
	int n;

	if (!t || t->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->text + t->len, KTEST_TR_MAX - t->len - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= KTEST_TR_MAX - t->len - 2) {
		t->overflow = 1;
		t->text[t->len] = '\0';
		return;
	}
	t->len += n;
	t->text[t->len++] = '\n';
	t->text[t->len] = '\0';
}

static inline void ktest_want_str(long long want, char *buf, size_t len)
{
	if (want >= 0)
		snprintf(buf, len, "%lld", want);
	else
		snprintf(buf, len, "%s", ktest_errname((int)-want));
}

/* Records "text -> result" and checks it against want (see above). */
static inline bool ktest_tr_check(const char *file, int line, const char *text, long long want,
				  long long r, int e)
{
	char got[32], exp[32];
	bool ok;

	if (r == -1 && e)
		snprintf(got, sizeof(got), "%s", ktest_errname(e));
	else
		snprintf(got, sizeof(got), "%lld", r);
	tr_printf("%s -> %s", text, got);
	if (want == KTEST_ANY)
		return true;
	ok = want >= 0 ? r == want : (r == -1 && e == -want);
	if (!ok) {
		ktest_want_str(want, exp, sizeof(exp));
		printf("# %s:%d: %s: %s -> %s, expected %s\n", file, line, ktest_twin, text, got, exp);
		ktest_failed = 1;
	}
	return ok;
}

/* Runs call, records it, checks it; evaluates to its result. */
#define TR_CALL(want, call) ({ errno = 0; long long r_ = (long long)(call); int e_ = errno; \
	ktest_tr_check(__FILE__, __LINE__, #call, (want), r_, e_); r_; })
/* The same, recorded under a label built at run time (a loop's). */
#define TR_CALL_AS(want, label, call) ({ errno = 0; long long r_ = (long long)(call); int e_ = errno; \
	ktest_tr_check(__FILE__, __LINE__, (label), (want), r_, e_); r_; })
/*
 * A copy that faults part-way: the call reports what it copied. x86's copy
 * routines stop exactly at the fault; arm64's copy in blocks and may stop
 * up to a block before it (at least one byte copied when the first is
 * reachable, as the kernel requires of every architecture).
 * TR_SHORT(n, call) wants n where faults are exact, else 1 to n, records the
 * count (the twins must agree on it) and evaluates to it.
 */
#ifdef __x86_64__
#define KTEST_EXACT_FAULTS 1
#else
#define KTEST_EXACT_FAULTS 0
#endif
#define TR_SHORT(n, call) ({ errno = 0; long long r_ = (long long)(call); int e_ = errno; \
	long long w_ = (n); if (!KTEST_EXACT_FAULTS && r_ >= 1 && r_ <= w_) w_ = r_; \
	ktest_tr_check(__FILE__, __LINE__, #call, w_, r_, e_); r_; })
/* The same for a result obtained elsewhere (another thread). */
#define TR_CHECK(want, text, r, e) ktest_tr_check(__FILE__, __LINE__, (text), (want), (r), (e))
/*
 * lseek(2) on fd with each whence above SEEK_MAX: the VFS's EINVAL before
 * any driver runs (whence is unsigned to it), recorded as lseek(fd, 0, W).
 */
#define TR_LSEEK_ABOVE_SEEK_MAX(fd) do {					\
	static const struct { int w; const char *name; } ws_[] = {		\
		{ 5, "5" }, { -1, "-1" }, { INT_MIN, "INT_MIN" }, { INT_MAX, "INT_MAX" } };	\
	char l_[64];								\
	for (size_t i_ = 0; i_ < sizeof(ws_) / sizeof(ws_[0]); i_++) {		\
		snprintf(l_, sizeof(l_), "lseek(fd, 0, %s)", ws_[i_].name);	\
		TR_CALL_AS(-EINVAL, l_, lseek((fd), 0, ws_[i_].w));		\
	}									\
} while (0)
/* A device without llseek: ESPIPE for every whence the VFS passes on. */
#define TR_LSEEK_NONE(fd) do {							\
	TR_CALL_AS(-ESPIPE, "lseek(fd, 0, SEEK_SET)", lseek((fd), 0, SEEK_SET));	\
	TR_CALL_AS(-ESPIPE, "lseek(fd, 0, SEEK_CUR)", lseek((fd), 0, SEEK_CUR));	\
	TR_CALL_AS(-ESPIPE, "lseek(fd, -1, SEEK_END)", lseek((fd), -1, SEEK_END));	\
	TR_CALL_AS(-ESPIPE, "lseek(fd, 0, SEEK_DATA)", lseek((fd), 0, SEEK_DATA));	\
	TR_CALL_AS(-ESPIPE, "lseek(fd, 0, SEEK_HOLE)", lseek((fd), 0, SEEK_HOLE));	\
	TR_LSEEK_ABOVE_SEEK_MAX(fd);						\
} while (0)
/* An EXPECT that also goes into the transcript. */
#define TR_EXPECT(cond) ({ bool c_ = (cond); tr_printf("%s: %s", #cond, c_ ? "yes" : "NO"); \
	KTEST_CHECK(c_, 0, "%s: expected %s", ktest_twin, #cond); c_; })

/* Records whether n bytes at got are those at exp (the first difference if not). */
static inline void ktest_expect_bytes(const char *file, int line, const char *what, const void *got,
				      const void *exp, size_t n)
{
	const unsigned char *g = got, *w = exp;
	size_t i = 0;

	while (i < n && g[i] == w[i])
		i++;
	if (i == n) {
		tr_printf("%s: the %zu bytes expected", what, n);
		return;
	}
	tr_printf("%s: byte %zu is %#x, expected %#x", what, i, g[i], w[i]);
	printf("# %s:%d: %s: %s: byte %zu of %zu is %#x, expected %#x\n", file, line, ktest_twin,
	       what, i, n, g[i], w[i]);
	ktest_failed = 1;
}
#define expect_bytes(what, got, exp, n) ktest_expect_bytes(__FILE__, __LINE__, what, got, exp, n)

/*
 * A size-prefixed ioctl struct (echo.h, semaphore.h) given each of sizes[]
 * in buf (len bytes, the rest 0xa5) must fail with err and leave everything
 * after the size field alone.
 */
static inline void tr_size_refused(int fd, unsigned long cmd, const char *name,
				   const unsigned int *sizes, size_t n, int err, unsigned char *buf,
				   size_t len)
{
	unsigned char *want = malloc(len);
	char label[64];
	size_t k;

	ASSERT_TRUE(want != NULL);
	memset(want, 0xa5, len);
	for (k = 0; k < n; k++) {
		snprintf(label, sizeof(label), "%s with size %u", name, sizes[k]);
		memset(buf, 0xa5, len);
		*(unsigned int *)buf = sizes[k];
		TR_CALL_AS(-err, label, ioctl(fd, cmd, buf));
		expect_bytes("a refused struct is left alone", buf + 4, want + 4, len - 4);
	}
	free(want);
}

static inline void ktest_print_diff(const char *na, const char *a, const char *nb, const char *b)
{
	int line = 1, shown = 0;

	while ((*a || *b) && shown < 12) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");

		if (la != lb || memcmp(a, b, la)) {
			printf("# transcripts differ at line %d:\n#   %s: %.*s\n#   %s: %.*s\n", line,
			       na, (int)la, *a ? a : "(end)", nb, (int)lb, *b ? b : "(end)");
			shown++;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
		line++;
	}
}

/*
 * Waits for a child up to timeout_ms; kills it on timeout, then waits at
 * most 3 s more for it to die (a task stuck in the kernel never does).
 * Returns its wait status or -1.
 */
static inline int ktest_wait_child(pid_t pid, long long timeout_ms)
{
	long long end = ktest_ms() + timeout_ms;
	int status, i;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (r < 0)
			return -1;
		if (ktest_ms() > end)
			break;
		usleep(5000);
	}
	kill(pid, SIGKILL);
	for (i = 0; i < 300 && waitpid(pid, &status, WNOHANG) != pid; i++)
		usleep(10000);
	return -1;
}

/* Unloads a module, waiting up to timeout_ms for its users to go; 0 if it is gone. */
static inline int ktest_unload_wait(const char *name, int timeout_ms)
{
	long long end = ktest_ms() + timeout_ms;
	char sys[160];

	snprintf(sys, sizeof(sys), "/sys/module/%s", name);
	for (;;) {
		if (access(sys, F_OK))
			return 0;
		errno = 0;
		if (unload_module(name) == 0 || errno == ENOENT)
			return 0;
		if ((errno != EAGAIN && errno != EBUSY) || ktest_ms() > end)
			return -1;
		usleep(10000);
	}
}

/*
 * How ktest_twins() loads and unloads a twin: by default the module of
 * that name; a test may set its own (tests/net_e1000: two drivers sharing
 * a device class, one NIC each). load returns 0, or -1 with errno (ENOENT:
 * not shipped, the twin is skipped); unload returns 0 or -1 with errno.
 */
static int (*ktest_twin_load)(const char *name) __attribute__((unused));
static int (*ktest_twin_unload)(const char *name) __attribute__((unused));

/* Runs scenario once per twin (names: NULL-terminated); see above. */
static inline void ktest_twins(const char *const *names, void (*scenario)(void))
{
	char *tr[KTEST_TWINS_MAX];
	const char *ran[KTEST_TWINS_MAX];
	int i, n = 0, skipped = 0, failed = 0;
	struct ktest_tr *shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_TRUE(shared != MAP_FAILED);
	for (i = 0; names[i] && n < KTEST_TWINS_MAX; i++) {
		char ko[200];
		int status;
		pid_t pid;

		ktest_module_file(names[i], ko, sizeof(ko));
		if (!ktest_twin_load && access(ko, F_OK)) {
			printf("# SKIP %s: %s is not there\n", names[i], ko);
			skipped++;
			continue;
		}
		errno = 0;
		if (ktest_twin_load ? ktest_twin_load(names[i]) :
		    load_module(names[i], NULL) && errno != EEXIST) {
			if (ktest_twin_load && errno == ENOENT) {
				printf("# SKIP %s: not shipped\n", names[i]);
				skipped++;
				continue;
			}
			printf("# %s: load: %s\n", names[i], strerror(errno));
			failed++;
			continue;
		}
		shared->len = 0;
		shared->overflow = 0;
		shared->text[0] = '\0';
		fflush(stdout);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (pid == 0) {
			ktest_tr = shared;
			ktest_twin = names[i];
			snprintf(ktest_dev, sizeof(ktest_dev), "/dev/%s", names[i]);
			ktest_failed = 0;
			scenario();
			exit(ktest_failed);
		}
		status = ktest_wait_child(pid, ktest_twin_timeout_s * 1000LL);
		if (status == -1) {
			printf("# %s: the scenario did not finish in %d s\n", names[i], ktest_twin_timeout_s);
			failed++;
		} else if (WIFSIGNALED(status)) {
			printf("# %s: the scenario was killed by signal %d\n", names[i], WTERMSIG(status));
			failed++;
		} else if (WEXITSTATUS(status)) {
			printf("# %s: the scenario failed\n", names[i]);
			failed++;
		}
		if (shared->overflow) {
			printf("# %s: transcript overflow\n", names[i]);
			failed++;
		}
		if (ktest_twin_unload ? ktest_twin_unload(names[i]) : ktest_unload_wait(names[i], 5000)) {
			printf("# %s: does not unload: %s\n", names[i], strerror(errno));
			failed++;
		}
		tr[n] = strdup(shared->text);
		ran[n++] = names[i];
	}
	for (i = 1; i < n; i++) {
		if (strcmp(tr[0], tr[i])) {
			printf("# %s and %s do not give the same results\n", ran[0], ran[i]);
			ktest_print_diff(ran[0], tr[0], ran[i], tr[i]);
			failed++;
		}
	}
	if (n > 0 && !failed) {
		int lines = 0;
		const char *q;

		for (q = tr[0]; *q; q++)
			lines += *q == '\n';
		printf("# %d twin(s) ran, identical transcripts of %d lines\n", n, lines);
	}
	for (i = 0; i < n; i++)
		free(tr[i]);
	munmap(shared, sizeof(*shared));
	if (failed) {
		ktest_failed = 1;
		exit(1);
	}
	if (skipped)
		SKIP("not every twin is built");
}

/* ---- the kernel's per-thread fault injection (/proc/thread-self/fail-nth) ---- */

static int fail_nth_fd __attribute__((unused)) = -1;	/* opened by the test */

/* The thread's n-th allocation from now fails (0: none); exits if it cannot. */
static inline void fail_nth_set(int n)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", n);
	if (pwrite(fail_nth_fd, v, strlen(v), 0) < 0) {
		printf("# fail-nth: %s\n", strerror(errno));
		exit(1);
	}
}

/* True if the injected failure was not used (the counter did not reach 0); disarms it. */
static inline bool fail_nth_unused(void)
{
	char v[16] = "";
	bool unused = pread(fail_nth_fd, v, sizeof(v) - 1, 0) > 0 && atoi(v) > 0;

	fail_nth_set(0);
	return unused;
}

/* In a twin scenario: reloads the twin under test with params (recorded); false if it failed. */
static inline bool ktest_twin_reload(const char *params)
{
	char label[160];

	if (ktest_unload_wait(ktest_twin, 5000)) {
		printf("# %s: does not unload: %s\n", ktest_twin, strerror(errno));
		ktest_failed = 1;
		return false;
	}
	snprintf(label, sizeof(label), "load with %s", params);
	return TR_CALL_AS(0, label, load_module(ktest_twin, params)) == 0;
}

/* ---- processes, threads, signals, memory ---- */

/* read/write without glibc's object-size checks: for NULL, huge or bogus buffers. */
static inline long raw_read(int fd, const void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

static inline long raw_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

/* Runs fn(arg) in a child process; returns 0 if it passed (no failed check). */
static inline int ktest_in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		ktest_failed = 0;
		fn(arg);
		exit(ktest_failed);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Becomes nobody (65534), with no supplementary groups and so no capabilities. */
static inline int ktest_become_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return -1;
	return geteuid() == 65534 && getegid() == 65534 ? 0 : -1;
}

static inline void ktest_count_signal(int sig)
{
	(void)sig;
	ktest_signals++;
}

/* Counts sig in ktest_signals; restart: SA_RESTART. */
static inline int ktest_catch(int sig, bool restart)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ktest_count_signal;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* A fresh page mapped with prot. */
static inline void *ktest_page(int prot)
{
	void *p = mmap(NULL, KTEST_PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * n read-write pages low in the address space (below a static program's
 * 0x400000), where the kernel never places an mmap without a hint: a page
 * unmapped there stays a hole for the rest of the test.
 */
static inline char *ktest_low_pages(int n)
{
	static unsigned long next = 0x100000;
	char *p;

	for (; next + (n + 1) * KTEST_PAGE <= 0x3f0000; next += KTEST_PAGE) {
		p = mmap((void *)next, n * KTEST_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED)
			continue;
		if (p != (char *)next) {
			munmap(p, n * KTEST_PAGE);
			continue;
		}
		next += (n + 1) * KTEST_PAGE;
		return p;
	}
	return NULL;
}

/* An address with nothing mapped: a page mapped, then unmapped. */
static inline void *ktest_hole(void)
{
	char *p = ktest_low_pages(1);

	if (p)
		munmap(p, KTEST_PAGE);
	return p;
}

/* A read-write page followed by a hole (an unmapped page): returns the page. */
static inline char *ktest_page_before_hole(void)
{
	char *p = ktest_low_pages(2);

	if (p)
		munmap(p + KTEST_PAGE, KTEST_PAGE);
	return p;
}

/*
 * A call run on another thread, so that the test can watch it block:
 * ktest_bg_start(&b, fn, arg); ktest_bg_sleeping(&b, SYS_read, 5000); ...
 * ktest_bg_join(&b, 5000); then b.ret and b.err.
 */
struct ktest_bg {
	pthread_t thread;
	long long (*fn)(void *);
	void *arg;
	long long ret;
	int err;
	int tid;
	int state;	/* 0 starting, 1 calling fn, 2 done, 3 joined */
};

static inline void *ktest_bg_main(void *p)
{
	struct ktest_bg *b = p;

	__atomic_store_n(&b->tid, (int)gettid(), __ATOMIC_SEQ_CST);
	__atomic_store_n(&b->state, 1, __ATOMIC_SEQ_CST);
	errno = 0;
	b->ret = b->fn(b->arg);
	b->err = errno;
	__atomic_store_n(&b->state, 2, __ATOMIC_SEQ_CST);
	return NULL;
}

static inline int ktest_bg_start(struct ktest_bg *b, long long (*fn)(void *), void *arg)
{
	memset(b, 0, sizeof(*b));
	b->fn = fn;
	b->arg = arg;
	return pthread_create(&b->thread, NULL, ktest_bg_main, b) ? -1 : 0;
}

static inline bool ktest_bg_done(struct ktest_bg *b)
{
	return __atomic_load_n(&b->state, __ATOMIC_SEQ_CST) >= 2;
}

/*
 * Waits up to timeout_ms for the thread to be asleep (interruptibly, state S)
 * in system call nr (-1: any), and to stay so for a moment.
 */
static inline bool ktest_bg_sleeping(struct ktest_bg *b, long nr, int timeout_ms)
{
	long long end = ktest_ms() + timeout_ms;
	int seen = 0;

	while (ktest_ms() < end) {
		char path[96], buf[512], *p;
		bool asleep = false;

		if (ktest_bg_done(b))
			return false;
		if (__atomic_load_n(&b->state, __ATOMIC_SEQ_CST) == 1) {
			snprintf(path, sizeof(path), "/proc/self/task/%d/stat", b->tid);
			if (read_file(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')) &&
			    p[1] == ' ' && p[2] == 'S') {
				asleep = true;
				snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", b->tid);
				if (nr >= 0 && read_file(path, buf, sizeof(buf)) > 0 &&
				    (buf[0] < '0' || buf[0] > '9' || atol(buf) != nr))
					asleep = false;
			}
		}
		seen = asleep ? seen + 1 : 0;
		if (seen >= 3)
			return true;
		usleep(2000);
	}
	return false;
}

/* Joins the thread if it ends within timeout_ms; true if it did. */
static inline bool ktest_bg_join(struct ktest_bg *b, int timeout_ms)
{
	long long end = ktest_ms() + timeout_ms;

	if (b->state == 3)
		return true;
	while (!ktest_bg_done(b)) {
		if (ktest_ms() > end)
			return false;
		usleep(1000);
	}
	pthread_join(b->thread, NULL);
	b->state = 3;
	return true;
}

#endif
