// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-failslab: the kernel's own allocation-failure injection (failslab,
 * through /proc/thread-self/fail-nth) across each sample's load and file
 * operations. Unlike the glue's rkm_fail_nth, this fails every slab
 * allocation made with the module's code on the stack: the module's own and
 * those of the kernel functions it calls (misc device core, sysfs, lockdep,
 * kobjects) or that call it (the VFS around its open).
 *
 * For each step n = 1, 2, ...: the n-th slab allocation made on behalf of the
 * module (see failslab_setup) in the call fails.
 * The call must fail cleanly (an errno, nothing left registered or open) or
 * succeed (the kernel tolerated that failure); the walk ends when the call
 * succeeds without the injected failure being used. Kernel reports (KASAN,
 * lockdep, WARN...) are judged by rkm-init's kernel-log check; leaks by the
 * kmemleak scan at the end.
 *
 *   rkm-failslab MODULE[:DEVICE[:files]]...
 *
 * ":files" walks the file operations only (the module is loaded once,
 * without injection): for PCI drivers, whose load fails the kernel's own
 * allocations inside pci_register_driver() and request_irq(), where two
 * kernel-core error paths are not clean on 6.12 (module_add_driver()
 * returns EINVAL, not ENOMEM, when the driver's module link cannot be made;
 * a failed /proc/irq entry WARNs in remove_proc_entry() at free_irq()).
 * Their own probe error paths are walked with rkm_fail_nth by the sample's
 * test instead.
 *
 * Needs CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS and
 * CONFIG_FAULT_INJECTION_STACKTRACE_FILTER (the debug kernel); elsewhere every
 * item is skipped.
 */
#include "ktest.h"

#include <sys/ioctl.h>

#define MAX_STEPS 5000

/* The end of the kernel image: modules are loaded above it. */
static unsigned long kernel_end(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], sym[128], type;
	unsigned long addr, end = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, "_end")) {
			end = addr;
			break;
		}
	if (f)
		fclose(f);
	return end;
}

/*
 * The failslab attributes: fail GFP_KERNEL allocations too, quietly, and
 * only allocations with module code on the stack (up to 32 frames deep): the
 * module's own, and the kernel's on its behalf (misc_register, the VFS
 * calling its open), not the module loader's, which are the same for any
 * module. With no other module loaded, module code is the module under test.
 */
static int failslab_setup(void)
{
	char start[32];
	const char *const attrs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/failslab/probability", "0" },
		{ "/sys/kernel/debug/failslab/stacktrace-depth", "32" },
		{ "/sys/kernel/debug/failslab/require-start", start },
		{ "/sys/kernel/debug/failslab/require-end", "0xffffffffff000000" },
	};
	unsigned long end = kernel_end();
	size_t i;

	if (!end) {
		printf("# no _end in /proc/kallsyms\n");
		return -1;
	}
	snprintf(start, sizeof(start), "%#lx", end);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (write_file(attrs[i][0], attrs[i][1])) {
			printf("# %s: %s\n", attrs[i][0], strerror(errno));
			return -1;
		}
	return 0;
}

struct walk {
	int steps;	/* failures injected */
	int failed;	/* calls that failed */
	int tolerated;	/* calls that succeeded despite the failure */
	int errnos[8];	/* the errnos seen, for the report */
	int nerrnos;
};

static void walk_errno(struct walk *w, int e)
{
	int i;

	for (i = 0; i < w->nerrnos; i++)
		if (w->errnos[i] == e)
			return;
	if (w->nerrnos < 8)
		w->errnos[w->nerrnos++] = e;
}

static void walk_report(const char *what, const struct walk *w)
{
	int i;

	printf("#   %s: %d allocation(s) failed in turn: %d call(s) failed, %d tolerated; errnos:",
	       what, w->steps, w->failed, w->tolerated);
	for (i = 0; i < w->nerrnos; i++)
		printf(" %s", ktest_errname(w->errnos[i]));
	printf("%s\n", w->nerrnos ? "" : " none");
}

/* A failed allocation must surface as ENOMEM, nothing else. */
static bool clean_errno(int e)
{
	return e == ENOMEM;
}

static bool registered(const char *name, const char *dev)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	if (access(path, F_OK) == 0)
		return true;
	snprintf(path, sizeof(path), "/sys/class/misc/%s", dev);
	return dev[0] && access(path, F_OK) == 0;
}

/* Walks the module's load; leaves it loaded. Returns 0 or -1. */
static int walk_load(const char *name, const char *dev, struct walk *w)
{
	char path[256];
	int fd, r, e, n;

	snprintf(path, sizeof(path), "/lib/rkm/%s.ko", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (n = 1; n < MAX_STEPS; n++) {
		fail_nth_set(n);
		errno = 0;
		r = syscall(SYS_finit_module, fd, "", 0);
		e = errno;
		if (fail_nth_unused()) {
			if (r) {
				printf("# %s: load failed with no failure injected: %s\n", name,
				       strerror(e));
				break;
			}
			close(fd);
			return 0;
		}
		w->steps++;
		if (r == 0) {
			w->tolerated++;
			if (unload_module(name)) {
				printf("# %s: unload after step %d: %s\n", name, n, strerror(errno));
				break;
			}
			continue;
		}
		w->failed++;
		walk_errno(w, e);
		if (!clean_errno(e)) {
			printf("# %s: load with allocation %d failed gave %s\n", name, n, strerror(e));
			break;
		}
		if (registered(name, dev)) {
			printf("# %s: load with allocation %d failed left the module registered\n",
			       name, n);
			break;
		}
	}
	close(fd);
	return -1;
}

/*
 * Runs operation op on path with the n-th allocation failing: open itself,
 * or an operation on a file opened beforehand without injection. Returns 0,
 * -1 with errno, or -2 if that prior open failed.
 */
static int run_op(const char *path, int (*op)(int fd), int n)
{
	int fd, r, e;

	if (!op) {
		fail_nth_set(n);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		return fd < 0 ? -1 : close(fd);
	}
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -2;
	fail_nth_set(n);
	errno = 0;
	r = op(fd);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

static int do_write(int fd)
{
	char buf[64] = "failslab";

	return write(fd, buf, sizeof(buf)) < 0 && errno != EINVAL ? -1 : 0;
}

static int do_read(int fd)
{
	char buf[64];

	return read(fd, buf, sizeof(buf)) < 0 && errno != EAGAIN && errno != EINVAL ? -1 : 0;
}

static int do_poll(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	return poll(&p, 1, 0) < 0 ? -1 : 0;
}

/* A size-prefixed query (echo INFO, semaphore STATS) or sync STATS. */
static int do_ioctl(int fd)
{
	static const unsigned long cmds[] = {
		_IOWR('e', 1, char[24]), _IOWR('s', 1, char[40]), _IOR('y', 2, char[64]),
	};
	unsigned char arg[4096] = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		*(unsigned int *)arg = _IOC_SIZE(cmds[i]);
		if (ioctl(fd, cmds[i], arg) < 0 && errno != ENOTTY)
			return -1;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int fd);	/* NULL: open itself */
} file_ops[] = {
	{ "open", NULL }, { "write", do_write }, { "read", do_read }, { "poll", do_poll },
	{ "ioctl", do_ioctl },
};

/* Walks open, then each operation on an open file. Returns 0 or -1. */
static int walk_file(const char *name, const char *dev, struct walk *w)
{
	char path[256];
	size_t i;
	int n, r, e;

	snprintf(path, sizeof(path), "/dev/%s", dev);
	for (i = 0; i < sizeof(file_ops) / sizeof(file_ops[0]); i++) {
		for (n = 1; n < MAX_STEPS; n++) {
			errno = 0;
			r = run_op(path, file_ops[i].fn, n);
			e = errno;
			if (r == -2) {
				printf("# %s: open %s: %s\n", name, path, strerror(e));
				return -1;
			}
			if (fail_nth_unused()) {
				if (r) {
					printf("# %s: %s failed with no failure injected: %s\n", name,
					       file_ops[i].name, strerror(e));
					return -1;
				}
				break;
			}
			w->steps++;
			w->failed += r != 0;
			w->tolerated += r == 0;
			if (r) {
				walk_errno(w, e);
				if (!clean_errno(e)) {
					printf("# %s: %s with allocation %d failed gave %s\n", name,
					       file_ops[i].name, n, strerror(e));
					return -1;
				}
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, failed = 0, steps = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: rkm-failslab MODULE[:DEVICE[:files]]...\n");
		return 2;
	}
	printf("KTAP version 1\n1..%d\n", argc - 1);
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_nth_fd < 0 || access("/sys/kernel/debug/failslab", F_OK)) {
		for (i = 1; i < argc; i++)
			printf("ok %d %s # SKIP no failslab in this kernel\n", i, argv[i]);
		return 0;
	}
	if (failslab_setup())
		return 1;
	for (i = 1; i < argc; i++) {
		char *name = strdup(argv[i]), *dev = strchr(name, ':');
		struct walk load = { 0 }, file = { 0 };
		long long t0 = ktest_ms();
		int r;

		bool files_only = false;

		if (dev)
			*dev++ = '\0';
		if (dev && strchr(dev, ':')) {
			files_only = !strcmp(strchr(dev, ':'), ":files");
			*strchr(dev, ':') = '\0';
			if (!files_only) {
				printf("# %s: unknown option (only :files)\n", argv[i]);
				return 2;
			}
		}
		if (files_only) {
			r = load_module(name, "");
			if (r)
				printf("# %s: load: %s\n", name, strerror(errno));
			else
				printf("#   load: not walked (:files)\n");
		} else {
			r = walk_load(name, dev ? dev : "", &load);
			walk_report("load", &load);
		}
		if (!r && dev) {
			r = walk_file(name, dev, &file);
			walk_report("open and file operations", &file);
		}
		if (!r && unload_module(name)) {
			printf("# %s: unload: %s\n", name, strerror(errno));
			r = -1;
		}
		steps += load.steps + file.steps;
		printf("# %s: %d allocation failures injected in %lld ms\n", name,
		       load.steps + file.steps, ktest_ms() - t0);
		printf("%s %d %s\n", r ? "not ok" : "ok", i, name);
		failed += r != 0;
		free(name);
	}
	printf("# failslab: %d allocation failures injected, %d module(s) failed\n", steps, failed);
	return failed ? 1 : 0;
}
