// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-init: the guest's /init. Mounts what tests need, loads modules, runs
 * test programs under a timeout, checks the kernel log and the taint flags,
 * reports everything as KTAP on the second serial port and powers off.
 *
 * The plan comes from /rkm/plan, written by the VM runner, one item a line:
 *   kernel NAME                 name of this kernel in the matrix
 *   timeout SECONDS             per module load and per test
 *   module PATH [PARAMS...]     loaded with finit_module, one KTAP test each
 *   test NAME PATH [ARGS...]    run as a child; its output is nested KTAP
 *   skip NAME REASON...         report NAME as skipped, with the reason
 *   fail NAME REASON...         report NAME as failed (it did not build)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kreport.h"

#define MAX_ITEMS 128
#define MAX_ARGS 256	/* a suite boot's rkm-cycles and rkm-fuzz lines name every driver */
#define LINE_MAX_LEN 1024

enum item_kind { ITEM_MODULE, ITEM_TEST, ITEM_FAIL };

struct item {
	enum item_kind kind;
	char *name;
	char *argv[MAX_ARGS + 1];
	const char *skip_reason;
	const char *fail_reason;
};

static struct item items[MAX_ITEMS];
static int nitems;
static int timeout_s = 60;
static const char *kernel_name = "unknown";
static FILE *ktap;

static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(ktap, fmt, ap);
	va_end(ap);
	fflush(ktap);
}

static void power_off(void)
{
	sync();
	/* Without ACPI (the debug kernel) power-off cannot stop QEMU; the
	 * runner starts it with -no-reboot, so a reboot ends it too. */
	if (access("/sys/firmware/acpi", F_OK) == 0)
		reboot(RB_POWER_OFF);
	reboot(RB_AUTOBOOT);
	for (;;)
		pause();
}

static void watchdog_fired(int sig)
{
	static const char msg[] = "# rkm-init: guest watchdog expired, powering off\n";

	(void)sig;
	if (write(fileno(ktap), msg, sizeof(msg) - 1) < 0)
		_exit(1);
	power_off();
}

static void setup_mounts(void)
{
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mkdir("/dev", 0755);
	mkdir("/tmp", 01777);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
	/* Not every kernel has debugfs; tests that need it skip. */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

/*
 * KTAP goes to a serial port of its own so the kernel's console never splits
 * a line: x86's second UART, ttyS1 (the console is ttyS0); on arm64 (QEMU's
 * virt board, console on its PL011, ttyAMA0) a PCI 16550, the first ttyS.
 */
#ifdef __aarch64__
#define KTAP_TTY "/dev/ttyS0"
#else
#define KTAP_TTY "/dev/ttyS1"
#endif

static void open_ktap(void)
{
	int fd = open(KTAP_TTY, O_WRONLY | O_NOCTTY);
	struct termios t;

	if (fd >= 0 && tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	ktap = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!ktap)
		ktap = stdout;
}

static char *next_word(char **s)
{
	char *w = *s + strspn(*s, " \t");

	if (!*w)
		return NULL;
	*s = w + strcspn(w, " \t");
	if (**s)
		*(*s)++ = '\0';
	return w;
}

/* Why the plan was refused, beyond its errno: one line for the KTAP result. */
static char plan_why[128];

/* A plan's integer: decimal, in min..max, or -EINVAL with plan_why saying so. */
static int plan_int(const char *key, const char *s, long min, long max, int *out)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9')
		goto bad;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		goto bad;
	*out = (int)v;
	return 0;
bad:
	snprintf(plan_why, sizeof(plan_why), "%s '%s' is not an integer in %ld..%ld", key,
		 s ?: "", min, max);
	return -EINVAL;
}

static int read_plan(const char *path)
{
	static char buf[64 * 1024];
	char *line, *save, *word;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *rest = line;
		char *key = next_word(&rest);

		if (!key)
			continue;
		if (!strcmp(key, "kernel")) {
			kernel_name = next_word(&rest);
		} else if (!strcmp(key, "timeout")) {
			int err = plan_int("timeout", next_word(&rest), 1, 86400, &timeout_s);

			if (err)
				return err;
		} else if (!strcmp(key, "module") || !strcmp(key, "test")) {
			struct item *it = &items[nitems];
			int argc = 0;

			if (nitems == MAX_ITEMS)
				return -E2BIG;
			it->kind = key[0] == 'm' ? ITEM_MODULE : ITEM_TEST;
			if (it->kind == ITEM_TEST)
				it->name = next_word(&rest);
			while (argc < MAX_ARGS && (word = next_word(&rest)))
				it->argv[argc++] = word;
			/* More words than room: never run a cut command line. */
			if (!argc || next_word(&rest))
				return argc ? -E2BIG : -EINVAL;
			if (it->kind == ITEM_MODULE) {
				char *base = strrchr(it->argv[0], '/');

				it->name = base ? base + 1 : it->argv[0];
			}
			nitems++;
		} else if (!strcmp(key, "fail")) {
			if (nitems == MAX_ITEMS)
				return -E2BIG;
			items[nitems].kind = ITEM_FAIL;
			items[nitems].name = next_word(&rest);
			items[nitems].fail_reason = rest;
			if (!items[nitems].name)
				return -EINVAL;
			nitems++;
		} else if (!strcmp(key, "skip")) {
			char *name = next_word(&rest);
			int i;

			for (i = 0; name && i < nitems; i++)
				if (!strcmp(items[i].name, name))
					items[i].skip_reason = rest;
		}
	}
	return 0;
}

/* Loads argv[0] with finit_module, the rest joined as its parameters. */
static int load_module(char **argv)
{
	char params[LINE_MAX_LEN] = "";
	int fd, i, flags = 0;
	size_t n;

	for (i = 1; argv[i]; i++) {
		strncat(params, argv[i], sizeof(params) - strlen(params) - 2);
		strcat(params, " ");
	}
	fd = open(argv[0], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("# open %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	/* A stock kernel's own module stays compressed: the kernel decompresses it. */
	n = strlen(argv[0]);
	if ((n > 3 && !strcmp(argv[0] + n - 3, ".xz")) || (n > 4 && !strcmp(argv[0] + n - 4, ".zst")))
		flags = 4;	/* MODULE_INIT_COMPRESSED_FILE */
	if (syscall(SYS_finit_module, fd, params, flags)) {
		printf("# finit_module %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Runs one item in a child whose output is indented into the KTAP stream.
 * Returns 0 if it passed, 1 if it failed, 2 on timeout.
 */
static int run_item(struct item *it)
{
	int pipefd[2], status = 0;
	double deadline = now() + timeout_s;
	char line[LINE_MAX_LEN];
	size_t len = 0;
	bool open_pipe = true, timed_out = false;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		setvbuf(stdout, NULL, _IOLBF, 0);
		if (it->kind == ITEM_MODULE)
			_exit(load_module(it->argv));
		execv(it->argv[0], it->argv);
		printf("# exec %s: %s\n", it->argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);

	while (open_pipe) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		int left = (int)((deadline - now()) * 1000);
		char buf[512];
		ssize_t n, k;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (poll(&p, 1, left) <= 0)
			continue;
		n = read(pipefd[0], buf, sizeof(buf));
		if (n <= 0) {
			open_pipe = false;
			buf[0] = '\n';
			n = 1;
		}
		for (k = 0; k < n; k++) {
			if (buf[k] == '\n' || len == sizeof(line) - 1) {
				if (len)
					out("    %.*s\n", (int)len, line);
				len = 0;
			}
			if (buf[k] != '\n')
				line[len++] = buf[k];
		}
	}
	close(pipefd[0]);

	while (!timed_out) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			break;
		if (now() > deadline)
			timed_out = true;
		else
			usleep(10000);
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
		/* A child stuck in the kernel may never die: do not wait on it. */
		usleep(100000);
		waitpid(pid, &status, WNOHANG);
		out("    # %s: timed out after %d s\n", it->name, timeout_s);
		return 2;
	}
	if (WIFSIGNALED(status)) {
		out("    # %s: killed by signal %d\n", it->name, WTERMSIG(status));
		return 1;
	}
	return WEXITSTATUS(status) ? 1 : 0;
}

/*
 * Reads every record in the kernel log; prints reports; returns how many.
 * A report is printed with the record before it and the 8 after, up to 40
 * reports: a bare "Call Trace:" (dump_stack() after "page allocation
 * failure" or "sysfs: cannot create duplicate filename") says what it is
 * only in the line before, and the frames after say where.
 */
static int check_kernel_log(void)
{
	char rec[8192], prev[512] = "";
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	int reports = 0, lost = 0, after = 0;
	bool prev_shown = false;

	if (fd < 0) {
		out("    # open /dev/kmsg: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);
		char *msg, *end;

		if (n < 0 && errno == EPIPE) {
			lost++;		/* overwritten before we read them */
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			*end = '\0';
		if (kernel_report(msg)) {
			if (reports < 40) {
				if (prev[0] && !prev_shown)
					out("    # kernel:   (before) %s\n", prev);
				out("    # kernel: %s\n", msg);
				after = 8;
			} else {
				after = 0;
			}
			prev_shown = reports++ < 40;
		} else if (after) {
			out("    # kernel:   %s\n", msg);
			after--;
			prev_shown = true;
		} else {
			prev_shown = false;
		}
		snprintf(prev, sizeof(prev), "%s", msg);
	}
	close(fd);
	/* A report may have been among them: no verdict without the whole log. */
	if (lost) {
		out("    # kernel: the log overflowed, records were lost (the runner sets log_buf_len)\n");
		reports++;
	}
	return reports;
}

static const char kmemleak[] = "/sys/kernel/debug/kmemleak";

/*
 * kmemleak (the debug kernel): a scan before the first item, whose findings
 * (the kernel's own boot-time leaks) are cleared, and two after the last.
 * Objects younger than 5 s are never reported, hence the wait. Returns the
 * number of unreferenced objects found at the end.
 */
static int check_kmemleak(void)
{
	static char buf[4 << 20];
	int fd, n = 0, lines = 0;
	ssize_t len, total = 0;
	char *p, *s;

	sleep(6);
	fd = open(kmemleak, O_RDWR);
	/* Twice: an object that changed since the previous scan is skipped. */
	if (fd < 0 || write(fd, "scan", 4) != 4 || write(fd, "scan", 4) != 4) {
		out("    # kmemleak scan: %s\n", strerror(errno));
		return 1;
	}
	lseek(fd, 0, SEEK_SET);
	while (total < (ssize_t)sizeof(buf) - 1 &&
	       (len = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += len;
	close(fd);
	buf[total] = '\0';
	for (p = buf; (p = strstr(p, "unreferenced object")); p++)
		n++;
	for (s = buf; *s && n && lines++ < 60; ) {
		char *e = strchrnul(s, '\n');

		out("    # %.*s\n", (int)(e - s), s);
		s = *e ? e + 1 : e;
	}
	return n;
}

static void kmemleak_baseline(void)
{
	int fd = open(kmemleak, O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, "scan", 4) != 4 || write(fd, "scan", 4) != 4 || write(fd, "clear", 5) != 5)
		out("# rkm-init: kmemleak baseline: %s\n", strerror(errno));
	close(fd);
}

/* Taint flags other than O (out-of-tree, bit 12) and E (unsigned, bit 13). */
static int check_taint(void)
{
	static const char letters[] = "PFSRMBUDAWCIOELKXTN";
	unsigned long taint = 0, bad;
	char buf[32] = "";
	int fd = open("/proc/sys/kernel/tainted", O_RDONLY);
	int i;

	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) {
		out("    # cannot read /proc/sys/kernel/tainted\n");
		return 1;
	}
	close(fd);
	taint = strtoul(buf, NULL, 10);
	bad = taint & ~((1UL << 12) | (1UL << 13));
	if (!bad)
		return 0;
	out("    # tainted: %lu, flags:", taint);
	for (i = 0; i < (int)sizeof(letters) - 1; i++)
		if (bad & (1UL << i))
			out(" %c", letters[i]);
	out("\n");
	return 1;
}

int main(void)
{
	int i, n = 0, failed = 0, err;
	bool leakcheck;
	double t0;

	setup_mounts();
	open_ktap();
	/* Programs shipped from the host (manifest 'program') are found as a root shell finds them. */
	setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
	err = read_plan("/rkm/plan");

	out("KTAP version 1\n");
	out("# rkm-init: kernel %s\n", kernel_name);
	if (err) {
		out("1..1\nnot ok 1 plan # cannot read /rkm/plan: %s\n",
		    plan_why[0] ? plan_why : strerror(-err));
		power_off();
	}
	/* Guest-side watchdog: everything must end well before the host's. */
	signal(SIGALRM, watchdog_fired);
	alarm((nitems + 3) * (timeout_s + 5) + 30);

	leakcheck = access(kmemleak, F_OK) == 0;
	if (leakcheck)
		kmemleak_baseline();
	out("1..%d\n", nitems + 2 + leakcheck);
	for (i = 0; i < nitems; i++) {
		struct item *it = &items[i];
		const char *what = it->kind == ITEM_MODULE ? "load " : "";
		int r;

		n++;
		if (it->skip_reason) {
			out("ok %d %s%s # SKIP %s\n", n, what, it->name, it->skip_reason);
			continue;
		}
		if (it->kind == ITEM_FAIL) {
			out("not ok %d %s # %s\n", n, it->name, it->fail_reason);
			failed++;
			continue;
		}
		t0 = now();
		r = run_item(it);
		failed += r != 0;
		out("%s %d %s%s # %.2f s%s\n", r ? "not ok" : "ok", n, what, it->name,
		    now() - t0, r == 2 ? " TIMEOUT" : "");
	}
	err = check_kernel_log();
	failed += err != 0;
	out("%s %d kernel-log%s\n", err ? "not ok" : "ok", ++n, err ? " # reports found" : "");
	err = check_taint();
	failed += err != 0;
	out("%s %d taint\n", err ? "not ok" : "ok", ++n);
	if (leakcheck) {
		err = check_kmemleak();
		failed += err != 0;
		out("%s %d kmemleak # %d unreferenced object(s)\n", err ? "not ok" : "ok", ++n, err);
	}
	out("# rkm-init: %d passed, %d failed\n", n - failed, failed);
	power_off();
	return 0;
}
