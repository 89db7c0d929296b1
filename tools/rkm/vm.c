// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: boot a kernel in QEMU with an initramfs of rkm-init, modules and test
 * programs, stream its KTAP, keep the logs, and judge the result.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rkm.h"
#include "../fuzz_defaults.h"

/* ---- initramfs: cpio "newc", written directly ---- */

static void cpio_pad(struct cpio *c)
{
	while (c->off % 4) {
		fputc(0, c->f);
		c->off++;
	}
}

void cpio_entry(struct cpio *c, const char *name, unsigned int mode, unsigned int rdev,
		const void *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	c->off += fprintf(c->f, "070701%08lX%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
			  ++c->ino, mode, 0, 0, 1, 0, size, 0, 0, major(rdev), minor(rdev),
			  namesize, 0);
	fwrite(name, 1, namesize, c->f);
	c->off += namesize;
	cpio_pad(c);
	if (size) {
		fwrite(data, 1, size, c->f);
		c->off += size;
		cpio_pad(c);
	}
}

void cpio_file(struct cpio *c, const char *name, const char *path, unsigned int mode)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		die("cannot read %s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc(size ? size : 1);
	if (!buf || fread(buf, 1, size, f) != (size_t)size)
		die("cannot read %s", path);
	fclose(f);
	cpio_entry(c, name, S_IFREG | mode, 0, buf, size);
	free(buf);
}

/* ---- the skip list: "KERNEL TEST REASON..." lines, a reason required ---- */

char *skips_for(const char *skiplist, const char *kernel)
{
	char line[512], k[64], t[128];
	size_t cap = 4096, len = 0;
	char *out = calloc(1, cap);
	FILE *f;
	int lineno = 0, used;

	if (!skiplist || !(f = fopen(skiplist, "r")))
		return out;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[strspn(line, " \t")])
			continue;
		if (sscanf(line, "%63s %127s %n", k, t, &used) < 2 || !line[used])
			die("%s:%d: a skip needs a kernel, a test and a reason: '%s'", skiplist,
			    lineno, line);
		if (strcmp(k, kernel) && strcmp(k, "*"))
			continue;
		len += snprintf(out + len, cap - len, "skip %s %s\n", t, line + used);
		if (len >= cap)
			die("%s: too many skips", skiplist);
	}
	fclose(f);
	return out;
}

/* ---- boot and judge ---- */

struct ktap {
	FILE *log;
	char pending[16384];	/* nested lines since the last top-level result */
	size_t plen;
	char failures[65536];	/* what to show for each failed test */
	size_t flen;
	int planned;		/* -1 until "1..N" */
	int seen, passed, failed, skipped;
	bool quiet;
	char partial[4096];
	size_t partlen;
	double reset_announced;	/* when a test said "# rkm-expect-reset N" (issue 16) */
	int reset_within;	/* its N: seconds */
};

struct ktap *ktap_new(FILE *log, bool quiet)
{
	struct ktap *t = calloc(1, sizeof(*t));

	if (!t)
		die("out of memory");
	t->log = log;
	t->quiet = quiet;
	t->planned = -1;
	return t;
}

void ktap_counts(const struct ktap *t, int *planned, int *passed, int *failed, int *skipped,
		 const char **failures)
{
	*planned = t->planned;
	*passed = t->passed;
	*failed = t->failed;
	*skipped = t->skipped;
	*failures = t->failures;
}

void ktap_line(struct ktap *t, const char *line)
{
	int n;

	fprintf(t->log, "%s\n", line);
	if (!t->quiet) {
		demangle_fputs(line, stdout);
		putchar('\n');
	}
	/* A test's "# rkm-expect-reset N": a watchdog reset must follow within N s. */
	if (sscanf(line + strspn(line, " "), "# rkm-expect-reset %d", &n) == 1 && n > 0 &&
	    !t->reset_announced) {
		t->reset_announced = now();
		t->reset_within = n;
	}
	if (sscanf(line, "1..%d", &n) == 1) {
		t->planned = n;
		t->plen = 0;
		return;
	}
	if (!strncmp(line, "ok ", 3) || !strncmp(line, "not ok ", 7)) {
		t->seen++;
		if (line[0] == 'n') {
			t->failed++;
			t->flen += snprintf(t->failures + t->flen, sizeof(t->failures) - t->flen,
					    "%.*s%s\n", (int)t->plen, t->pending, line);
			if (t->flen >= sizeof(t->failures))
				t->flen = sizeof(t->failures) - 1;
		} else if (strstr(line, "# SKIP")) {
			t->skipped++;
		} else {
			t->passed++;
		}
		t->plen = 0;
		return;
	}
	if (line[0] == ' ' || line[0] == '#') {
		size_t l = strlen(line);

		if (t->plen + l + 2 < sizeof(t->pending)) {
			memcpy(t->pending + t->plen, line, l);
			t->plen += l;
			t->pending[t->plen++] = '\n';
		}
	}
}

static void ktap_feed(struct ktap *t, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (c == '\r')
			continue;
		if (c == '\n' || t->partlen == sizeof(t->partial) - 1) {
			t->partial[t->partlen] = '\0';
			ktap_line(t, t->partial);
			t->partlen = 0;
			if (c == '\n')
				continue;
		}
		t->partial[t->partlen++] = c;
	}
}

/*
 * The console log's last lines; where the kernel reported an oops, a BUG or
 * a panic, its first report from its start (up to 60 lines) instead, so the
 * fault's kind, address and call trace are shown, not only the panic's end.
 */
static void print_tail(const char *path, int lines)
{
	static const char *const reports[] = { "Oops: ", "BUG: ", "general protection fault",
					       "kernel BUG at", "int3: 0000 [#", "invalid opcode:",
					       "Kernel panic - not syncing" };
	FILE *f = fopen(path, "r");
	char *all[256] = { 0 }, *first[60] = { 0 }, buf[1024];
	int n = 0, nfirst = 0, i;
	size_t r;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		if (nfirst && nfirst < 60)
			first[nfirst++] = strdup(buf);
		for (r = 0; !nfirst && r < sizeof(reports) / sizeof(reports[0]); r++)
			if (strstr(buf, reports[r]))
				first[nfirst++] = strdup(buf);
		free(all[n % 256]);
		all[n % 256] = strdup(buf);
		n++;
	}
	fclose(f);
	if (nfirst) {
		for (i = 0; i < nfirst; i++) {
			fputs("    | ", stderr);
			demangle_fputs(first[i], stderr);
			free(first[i]);
		}
	} else {
		for (i = n > lines ? n - lines : 0; i < n; i++) {
			fputs("    | ", stderr);
			demangle_fputs(all[i % 256], stderr);
		}
	}
	for (i = 0; i < 256; i++)
		free(all[i]);
}

/* %k in a module path stands for the kernel's matrix name. */
static void kernel_path(char *out, size_t len, const char *path, const struct kernel *k)
{
	const char *sub = strstr(path, "%k");

	if (sub)
		snprintf(out, len, "%.*s%s%s", (int)(sub - path), path, k->name, sub + 2);
	else
		snprintf(out, len, "%s", path);
}

static void write_plan(struct cpio *c, const struct kernel *k, const struct plan *p)
{
	size_t cap = 65536, len = 0;
	char *text = malloc(cap), *skips;
	int i;

	len += snprintf(text + len, cap - len, "kernel %s\ntimeout %d\n", k->name, p->test_timeout);
	for (i = 0; i < p->nmodules; i++) {
		char path[PATH_MAX];
		const char *params = strchr(p->modules[i], ' ');
		char *name = strndup(p->modules[i], params ? (size_t)(params - p->modules[i]) : strlen(p->modules[i]));
		char *guest;

		kernel_path(path, sizeof(path), name, k);
		guest = xasprintf("lib/rkm/%s", base_name(path));
		cpio_file(c, guest, path, 0644);
		len += snprintf(text + len, cap - len, "module /%s%s\n", guest, params ? params : "");
		free(guest);
		free(name);
	}
	for (i = 0; i < p->nship; i++) {
		char path[PATH_MAX], *guest;

		kernel_path(path, sizeof(path), p->ship[i], k);
		guest = xasprintf("lib/rkm/%s", base_name(path));
		cpio_file(c, guest, path, 0644);
		free(guest);
	}
	if (p->nship_as)
		cpio_entry(c, "lib/rkm/as", S_IFDIR | 0755, 0, NULL, 0);
	for (i = 0; i < p->nship_as; i++) {
		char *guest = xasprintf("lib/rkm/as/%s", base_name(p->ship_as[i]));

		cpio_file(c, guest, p->ship_as[i], 0644);
		free(guest);
	}
	for (i = 0; i < p->ntests; i++) {
		const char *eq = strchr(p->tests[i], '='), *args;
		char *name, *prog, *guest;

		if (!eq)
			die("a test is NAME=PROGRAM [ARGS]: '%s'", p->tests[i]);
		name = strndup(p->tests[i], eq - p->tests[i]);
		args = strchrnul(eq + 1, ' ');
		prog = strndup(eq + 1, args - (eq + 1));
		guest = xasprintf("bin/%s", name);
		cpio_file(c, guest, prog, 0755);
		len += snprintf(text + len, cap - len, "test %s /%s%s\n", name, guest, args);
		free(name);
		free(prog);
		free(guest);
	}
	for (i = 0; i < p->nfails; i++)
		len += snprintf(text + len, cap - len, "fail %s\n", p->fails[i]);
	skips = skips_for(p->skiplist, k->name);
	len += snprintf(text + len, cap - len, "%s", skips);
	if (len >= cap)
		die("the guest plan is too long");
	cpio_entry(c, "rkm/plan", S_IFREG | 0644, 0, text, len);
	free(skips);
	free(text);
}

/* build/bin/PROG (build/arm64/bin/PROG for an arm64 kernel), built by 'make tools'. */
static char *guest_program(const char *prog, const struct kernel *k)
{
	char *path = xasprintf("%s/build/%s/%s", rkm_root, k->arm64 ? "arm64/bin" : "bin", prog);

	if (!is_file(path))
		die("no %s: run 'make tools' first%s", path,
		    k->arm64 ? " (arm64: after 'make setup', which installs the cross compiler)" : "");
	return path;
}

static void build_initramfs(const char *path, const struct kernel *k, const struct plan *p)
{
	static const char *const dirs[] = { "bin", "dev", "lib", "lib/rkm", "proc", "rkm",
					    "sys", "tmp" };
	struct cpio c = { .f = fopen(path, "wb") };
	char *init = guest_program("rkm-init", k);
	size_t i;

	if (!c.f)
		die("cannot write %s: %s", path, strerror(errno));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (!guest_base_dir(&c, p, dirs[i]))
			cpio_entry(&c, dirs[i], S_IFDIR | 0755, 0, NULL, 0);
	/* The kernel opens /dev/console for init before devtmpfs is mounted. */
	cpio_entry(&c, "dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
	cpio_file(&c, "init", init, 0755);
	write_plan(&c, k, p);
	if (p->nprograms)
		guest_userspace(&c, k, p, xasprintf("%s.modroot", path));
	cpio_entry(&c, "TRAILER!!!", 0, 0, NULL, 0);
	if (fclose(c.f))
		die("cannot write %s", path);
	free(init);
}

/*
 * ---- watchdog resets (issue 16) ----
 *
 * A boot that must end in a watchdog reset (plan->expect_reset) runs QEMU
 * with a QMP socket: QEMU reports the watchdog firing (event WATCHDOG,
 * action "reset") before -no-reboot turns the reset into its exit, and why
 * it stopped (SHUTDOWN's reason). So the host tells a reset the test
 * announced ("# rkm-expect-reset N" in its output) from a crash (a panic
 * resets too, but with no WATCHDOG event) and from a normal poweroff, and
 * a reset that never comes ends the boot N s (plus slack) after the
 * announcement.
 */
#define RESET_SLACK_S 20

struct qmp {
	int fd;
	char *sock;
	FILE *log;
	char line[4096];
	size_t len;
	bool watchdog_reset;	/* WATCHDOG event, action reset */
	char shutdown[64];	/* SHUTDOWN event's reason, or "" */
};

static void qmp_try_connect(struct qmp *q)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	static const char caps[] = "{\"execute\": \"qmp_capabilities\"}\r\n";
	int fd;

	if (q->fd >= 0 || strlen(q->sock) >= sizeof(a.sun_path))
		return;
	strcpy(a.sun_path, q->sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    write(fd, caps, sizeof(caps) - 1) != (ssize_t)(sizeof(caps) - 1)) {
		close(fd);
		return;
	}
	q->fd = fd;
}

static void qmp_line(struct qmp *q, const char *l)
{
	const char *r;

	fprintf(q->log, "%s\n", l);
	if (strstr(l, "\"WATCHDOG\"") && strstr(l, "\"reset\""))
		q->watchdog_reset = true;
	if (strstr(l, "\"SHUTDOWN\"") && (r = strstr(l, "\"reason\": \"")))
		snprintf(q->shutdown, sizeof(q->shutdown), "%.*s", (int)strcspn(r + 11, "\""),
			 r + 11);
}

/* Reads what QMP sent; false once it closed. */
static bool qmp_read(struct qmp *q)
{
	char buf[4096];
	ssize_t n = read(q->fd, buf, sizeof(buf)), i;

	if (n <= 0) {
		close(q->fd);
		q->fd = -2;	/* closed: no reconnecting */
		return false;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == '\n' || q->len == sizeof(q->line) - 1) {
			q->line[q->len] = '\0';
			qmp_line(q, q->line);
			q->len = 0;
		} else if (buf[i] != '\r') {
			q->line[q->len++] = buf[i];
		}
	}
	return true;
}

/*
 * The verdict on a boot that had to end in a watchdog reset: one KTAP line
 * and the result counts. Returns 0 if the reset came as announced.
 */
static int reset_verdict(const struct kernel *k, const struct plan *p, struct ktap *t,
			 struct qmp *q, bool timed_out, struct result *r)
{
	const char *test = p->ntests ? p->tests[0] : "?", *args = strchrnul(test, ' ');
	char *name = xasprintf("%.*s%s", (int)strcspn(test, "="), test, args);
	double after = t->reset_announced ? now() - t->reset_announced : 0;
	char *why = NULL;

	/* Events QEMU sent as it exited. */
	while (q->fd >= 0 && qmp_read(q))
		;
	if (t->flen)
		why = xasprintf("the test failed before the reset");
	else if (!t->reset_announced && q->watchdog_reset)
		why = xasprintf("a watchdog reset before the test announced one");
	else if (!t->reset_announced)
		why = xasprintf("the test never announced a reset (QEMU stopped: %s)",
				q->shutdown[0] ? q->shutdown : timed_out ? "host timeout" : "?");
	else if (timed_out)
		why = xasprintf("no watchdog reset within %d s of the announcement (+%d s slack)",
				t->reset_within, RESET_SLACK_S);
	else if (!q->watchdog_reset)
		why = xasprintf("QEMU stopped without a watchdog reset (reason: %s): a crash or a "
				"poweroff, see the console", q->shutdown[0] ? q->shutdown : "unknown");
	r->passed = t->passed;
	r->skipped = t->skipped;
	r->failed = t->failed;
	if (why) {
		ktap_line(t, xasprintf("not ok - %s: watchdog reset: %s", name, why));
		fprintf(stderr, "rkm: FAIL on %s: %s: %s\n", k->name, name, why);
		r->failed++;
	} else {
		ktap_line(t, xasprintf("ok - %s: watchdog reset %.1f s after the announcement "
				       "(QMP: WATCHDOG action reset, SHUTDOWN %s)", name, after,
				       q->shutdown));
		r->passed++;
	}
	free(name);
	return why ? 1 : 0;
}

/*
 * QEMU's command line for one boot. The guest's only network is what the
 * manifests ask for ('nic': hub ports on hub 0); -nodefaults and -nic none
 * keep QEMU from adding a NIC of its own (and its user-mode network).
 */
static char **qemu_argv(const struct kernel *k, const struct plan *p, const char *cpio,
			const char *ktap, const char *qmp_sock)
{
	/*
	 * -icount: the guest clock counts instructions (1 ns each), so
	 * timings repeat exactly; cryptomgr.notests and a fixed virtual
	 * RTC keep boot-time work from leaking into them (FIELD-NOTES).
	 * icount is single-threaded TCG anyway, and 6.1 hangs at SMP
	 * bring-up with two vCPUs under it: one vCPU.
	 */
	size_t i, cap = 64;
	char **argv;
	/*
	 * Debian programs (manifest 'program') make the initramfs about
	 * 100 MB, held twice while it unpacks: on the debug kernel
	 * (KASAN's shadow, kmemleak) 512 MB left about 200 MB for that.
	 */
	const char *mem = p->nprograms ? "1G" : "512M";
	const char *const fixed[] = {
		k->arm64 ? "qemu-system-aarch64" : "qemu-system-x86_64", "-accel", "tcg", "-m", mem,
		"-smp", p->icount ? "1" : "2",
		"-nodefaults", "-nic", "none", "-display", "none", "-no-reboot",
		"-serial", "stdio",
		"-kernel", k->vmlinuz, "-initrd", cpio,
		/* The log is judged at the end: all of it must fit. */
		"-append", xasprintf("console=%s panic=-1 cryptomgr.notests log_buf_len=16M%s%s",
				     k->arm64 ? "ttyAMA0" : "ttyS0", p->append ? " " : "",
				     p->append ? p->append : ""),
		"-rtc", "base=2025-01-01T00:00:00,clock=vm",
	};
	int n = 0;

	for (i = 0; i < (size_t)p->nqemu; i++)
		cap += strlen(p->qemu[i]);	/* more than its words */
	argv = calloc(cap, sizeof(*argv));
	if (!argv)
		die("out of memory");
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		argv[n++] = (char *)fixed[i];
	if (k->arm64) {
		/*
		 * QEMU's virt board with a PCI host bridge, the kernel's console
		 * on its PL011, KTAP on a PCI 16550 (rkm-init's ttyS0). -cpu max
		 * has pointer authentication, which both kernels use; its
		 * IMPDEF algorithm boots in 3 s where the architected one takes
		 * 7.
		 */
		const char *const arm64[] = { "-M", "virt", "-cpu", "max,pauth-impdef=on",
					      "-chardev", xasprintf("file,id=rkmktap,path=%s", ktap),
					      "-device", "pci-serial,chardev=rkmktap" };

		for (i = 0; i < sizeof(arm64) / sizeof(arm64[0]); i++)
			argv[n++] = (char *)arm64[i];
	} else {
		/* KTAP on the second UART, rkm-init's ttyS1. */
		argv[n++] = "-serial";
		argv[n++] = xasprintf("file:%s", ktap);
	}
	if (p->icount) {
		argv[n++] = "-icount";
		argv[n++] = "shift=0,align=off,sleep=off";
	}
	/* The drivers' devices, from their manifests and --qemu. */
	for (i = 0; i < (size_t)p->nqemu; i++) {
		char *save, *w, *line = strdup(p->qemu[i]);

		for (w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
			argv[n++] = w;
	}
	if (p->expect_reset) {
		argv[n++] = "-qmp";
		argv[n++] = xasprintf("unix:%s,server=on,wait=off", qmp_sock);
	} else {
		/*
		 * A watchdog device that fires where no test announced a reset
		 * was left running by a test or a driver: QEMU says so on its stderr
		 * (WATCHDOG_FIRED, found in the console log afterwards) and the
		 * guest goes on, rather than ending in a silent reset mid-test.
		 */
		argv[n++] = "-action";
		argv[n++] = "watchdog=debug";
	}
	argv[n] = NULL;
	return argv;
}

/* What QEMU prints when a watchdog fires under -action watchdog=debug. */
#define WATCHDOG_FIRED "watchdog: timer fired"

/* Whether the file at path holds a line that starts with text. */
static bool file_has_line(const char *path, const char *text)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	bool has = false;

	while (f && !has && fgets(line, sizeof(line), f))
		has = !strncmp(line, text, strlen(text));
	if (f)
		fclose(f);
	return has;
}

/*
 * Whether the console holds an int3 Oops (6.1: "int3: 0000 [#1]", 6.12:
 * "Oops: int3: ...") whose Code: line shows no int3 (cc) before the trap
 * address: the trap came from an instruction the kernel's text no longer
 * holds. Multi-threaded TCG does that now and then: a vCPU runs a stale
 * translation of a site that text_poke_bp() is patching (int3 first, the
 * new instruction last) after the patch completed, e.g. "66 <90>" (the
 * 2-byte NOP) at sched_clock_cpu+0x9 in early boot. A real int3 (the
 * padding after a ret, a corrupted return address) shows "cc <..>".
 */
bool stale_int3(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	bool oops = false, stale = false;

	while (f && !stale && fgets(line, sizeof(line), f)) {
		const char *code = strstr(line, "Code: "), *lt = strchr(line, '<');

		if (strstr(line, "int3: 0000 [#"))
			oops = true;
		else if (oops && code && lt && lt - code >= 9) {
			stale = lt[-1] == ' ' && strncmp(lt - 3, "cc", 2);
			oops = false;
		}
	}
	if (f)
		fclose(f);
	return stale;
}

/* The command line, a word a line, in the boot's logs (rkm-selftest reads it). */
static void write_cmdline(const char *path, char *const *argv)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot write %s: %s", path, strerror(errno));
	for (; *argv; argv++)
		fprintf(f, "%s\n", *argv);
	if (fclose(f))
		die("cannot write %s", path);
}

/*
 * What of QEMU's open files reaches outside the guest's hub (issue 19): an
 * AF_INET or AF_INET6 socket (its inode in QEMU's /proc/PID/net/{tcp,udp,
 * raw}[6]), /dev/net/tun (a tap) or /dev/vhost-net. Appends each to why
 * (at most len bytes); returns how many, or -1 if QEMU's fds could not be
 * read (it exited).
 */
static int qemu_outside_fds(pid_t pid, char *why, size_t len)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6", "raw", "raw6",
					      "udplite", "udplite6" };
	char path[300], link[256], line[512];
	unsigned long inodes[256];
	int ninodes = 0, found = 0, i;
	struct dirent *e;
	size_t t, used = strlen(why);
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		unsigned long ino;
		ssize_t n;

		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) == 1 && ninodes < 256)
			inodes[ninodes++] = ino;
		if ((!strcmp(link, "/dev/net/tun") || !strcmp(link, "/dev/vhost-net")) && used < len) {
			used += snprintf(why + used, len - used, " fd %s %s;", e->d_name, link);
			found++;
		}
	}
	closedir(d);
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)pid, tables[t]);
		f = fopen(path, "r");
		if (!f)
			continue;	/* udplite, raw6: not in every kernel */
		while (fgets(line, sizeof(line), f)) {
			unsigned long ino;

			/* sl local remote st queues timer retrnsmt uid timeout inode */
			if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %lu", &ino) != 1)
				continue;
			for (i = 0; i < ninodes; i++)
				if (inodes[i] == ino && used < len) {
					used += snprintf(why + used, len - used,
							 " an AF_INET%s %s socket (inode %lu);",
							 strchr(tables[t], '6') ? "6" : "", tables[t], ino);
					found++;
				}
		}
		fclose(f);
	}
	return found;
}

/* Whether the plan gives the guest NICs (-netdev in its QEMU arguments). */
static bool plan_has_nics(const struct plan *p)
{
	for (int i = 0; i < p->nqemu; i++)
		if (strstr(p->qemu[i], "-netdev"))
			return true;
	return false;
}

/*
 * One boot. Returns 0 if every result passed, 1 on a failure, 2 if the
 * guest died before its init said anything (an early-boot crash).
 */
static int vm_boot(const struct kernel *k, const struct plan *p, const char *logdir,
		   struct result *r)
{
	char *cpio = xasprintf("%s/initramfs.cpio", logdir);
	char *fifo = xasprintf("%s/ktap.fifo", logdir);
	char *conpath = xasprintf("%s/console.log", logdir);
	char *ktappath = xasprintf("%s/ktap.log", logdir);
	int items = p->nmodules + p->ntests + p->nfails + 3;
	int host_timeout = p->host_timeout ? p->host_timeout
					   : items * (p->test_timeout + 5) + 150;
	struct ktap *t;
	FILE *con;
	int out[2], kfd, status = 0, rc = 0;
	bool timed_out = false, qemu_open = true;
	double start, deadline;
	/* Not in logdir: a socket's path is limited to 107 bytes. */
	struct qmp q = { .fd = -1, .sock = xasprintf("/tmp/rkm-qmp.%d.%ld", (int)getpid(),
						     (long)(now() * 1000)) };
	pid_t pid;
	char **argv, outside[1024] = "";
	int looks = 0;
	double next_look = 0;

	mkdirs(logdir);
	if (p->dry_run) {
		/* rkm run/test --dry-run: the command line, no initramfs, no boot. */
		argv = qemu_argv(k, p, cpio, fifo, q.sock);
		write_cmdline(xasprintf("%s/qemu.cmdline", logdir), argv);
		printf("# rkm: %s: would run:", k->name);
		for (; *argv; argv++)
			printf(" %s", *argv);
		printf("\n");
		fflush(stdout);
		memset(r, 0, sizeof(*r));
		return 0;
	}
	build_initramfs(cpio, k, p);
	unlink(fifo);
	if (mkfifo(fifo, 0600))
		die("mkfifo %s: %s", fifo, strerror(errno));
	/* Held open read-write: never EOF, so the loop ends with QEMU itself. */
	kfd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	con = fopen(conpath, "w");
	t = ktap_new(fopen(ktappath, "w"), p->quiet);
	if (kfd < 0 || !con || !t->log || pipe2(out, O_CLOEXEC))
		die("cannot set up the logs in %s", logdir);

	if (p->expect_reset) {
		unlink(q.sock);
		q.log = fopen(xasprintf("%s/qmp.log", logdir), "w");
		if (!q.log)
			die("cannot set up the logs in %s", logdir);
	}
	printf("# rkm: booting %s (%s)%s\n", k->name, k->release,
	       p->expect_reset ? ", expecting a watchdog reset" : "");
	fflush(stdout);
	start = now();
	deadline = start + host_timeout;
	argv = qemu_argv(k, p, cpio, fifo, q.sock);
	write_cmdline(xasprintf("%s/qemu.cmdline", logdir), argv);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		setpgid(0, 0);
		execvp(argv[0], argv);
		fprintf(stderr, "rkm: cannot run qemu-system-x86_64: %s (run 'make setup')\n",
			strerror(errno));
		_exit(127);
	}
	close(out[1]);

	while (qemu_open) {
		struct pollfd fds[3] = { { .fd = out[0], .events = POLLIN },
					 { .fd = kfd, .events = POLLIN },
					 { .fd = -1, .events = POLLIN } };
		/* In seconds: a long --test-timeout overflows an int of milliseconds. */
		double secs = deadline - now();
		int left = secs > 1 ? 1000 : (int)(secs * 1000);
		char buf[4096];
		ssize_t n;

		if (p->expect_reset) {
			qmp_try_connect(&q);
			fds[2].fd = q.fd;
			if (t->reset_announced &&
			    t->reset_announced + t->reset_within + RESET_SLACK_S < deadline)
				deadline = t->reset_announced + t->reset_within + RESET_SLACK_S;
		}
		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		/* A guest with NICs: every 2 s, nothing of QEMU's reaches outside the hub. */
		if (plan_has_nics(p) && now() >= next_look && !outside[0]) {
			if (qemu_outside_fds(pid, outside, sizeof(outside)) >= 0)
				looks++;
			next_look = now() + 2;
		}
		if (poll(fds, 3, left > 1000 ? 1000 : left) <= 0)
			continue;
		if (fds[2].fd >= 0 && fds[2].revents)
			qmp_read(&q);
		if (fds[0].revents) {
			n = read(out[0], buf, sizeof(buf));
			if (n <= 0)
				qemu_open = false;
			else {
				fwrite(buf, 1, n, con);
				if (p->verbose)
					demangle_write(buf, n, stdout);
			}
		}
		if (fds[1].revents & POLLIN) {
			n = read(kfd, buf, sizeof(buf));
			if (n > 0)
				ktap_feed(t, buf, n);
		}
	}
	waitpid(pid, &status, 0);
	if (p->verbose)
		demangle_flush(stdout);
	r->seconds = now() - start;
	for (;;) {
		char buf[4096];
		ssize_t n = read(kfd, buf, sizeof(buf));

		if (n <= 0)
			break;
		ktap_feed(t, buf, n);
	}
	if (t->partlen)
		ktap_feed(t, "\n", 1);
	close(kfd);
	close(out[0]);
	fclose(con);
	fclose(t->log);
	unlink(fifo);

	if (p->expect_reset) {
		/* The verdict goes into the KTAP log too. */
		t->log = fopen(ktappath, "a");
		if (!t->log)
			die("cannot append to %s", ktappath);
		if (t->planned < 0 && !t->seen && !t->flen && !t->reset_announced && !timed_out) {
			/* An early-boot crash: vm_run boots once more. */
			rc = 2;
		} else {
			rc = reset_verdict(k, p, t, &q, timed_out, r);
		}
		fclose(t->log);
		if (q.fd >= 0)
			close(q.fd);
		fclose(q.log);
		unlink(q.sock);
		if (rc) {
			fprintf(stderr, "rkm: console log tail (%s):\n", conpath);
			print_tail(conpath, 25);
		}
		printf("# %s: %d passed, %d failed, %d skipped (boot to reset %.1f s)\n", k->name,
		       r->passed, r->failed, r->skipped, r->seconds);
		fflush(stdout);
		free(t);
		return rc;
	}
	r->passed = t->passed;
	r->failed = t->failed;
	r->skipped = t->skipped;
	if (t->flen) {
		fprintf(stderr, "rkm: FAIL on %s:\n", k->name);
		demangle_fputs(t->failures, stderr);
		rc = 1;
	}
	if (outside[0]) {
		fprintf(stderr, "rkm: FAIL on %s: QEMU's network reaches outside the guest's hub:%s\n",
			k->name, outside);
		r->failed++;
		rc = 1;
	} else if (plan_has_nics(p)) {
		printf("# rkm: %s: QEMU's NICs are on its hub only: no AF_INET/AF_INET6 socket, tap or "
		       "vhost-net among its files (%d looks)\n", k->name, looks);
	}
	if (file_has_line(conpath, WATCHDOG_FIRED)) {
		fprintf(stderr, "rkm: FAIL on %s: the watchdog fired in a boot that expected no reset "
			"(a test or driver left it running; QEMU: \"%s\", the guest went on)\n",
			k->name, WATCHDOG_FIRED);
		r->failed++;
		rc = 1;
	}
	if (timed_out) {
		fprintf(stderr, "rkm: FAIL on %s: host timeout: QEMU killed after %d s\n", k->name,
			host_timeout);
		r->failed++;
		rc = 1;
	} else if (t->planned < 0 && !t->seen && !t->flen) {
		rc = 2;
		printf("# rkm: %s: the guest died before its init started (QEMU exit status %d)\n",
		       k->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (t->planned < 0 || t->seen < t->planned) {
		if (!rc && stale_int3(conpath)) {
			rc = 2;
			printf("# rkm: %s: the guest died after %d result(s) on an int3 trap where its "
			       "text holds no int3 (multi-threaded TCG ran a stale translation of a "
			       "patched instruction)\n", k->name, t->seen);
		} else {
			fprintf(stderr, "rkm: FAIL on %s: the guest stopped after %d of %d results "
				"(QEMU exit status %d)\n", k->name, t->seen, t->planned,
				WIFEXITED(status) ? WEXITSTATUS(status) : -1);
			r->failed++;
			rc = 1;
		}
	}
	/* rc 2 is not a failure yet: vm_run boots once more, and fails if that one dies too. */
	if (rc == 2)
		r->failed++;
	if (rc) {
		fprintf(stderr, "rkm: console log tail (%s):\n", conpath);
		print_tail(conpath, 25);
		fprintf(stderr, "rkm: full logs: %s, %s\n", conpath, ktappath);
	}
	/* A boot vm_run retries must not end this kernel's output for the suite. */
	printf("# %s: %d passed, %d failed, %d skipped (boot to %s %.1f s)\n", k->name,
	       r->passed, r->failed, r->skipped, rc == 2 ? "a crash, retried" : "power-off",
	       r->seconds);
	fflush(stdout);
	free(t);
	free(cpio);
	free(fifo);
	free(conpath);
	free(ktappath);
	return rc;
}

/*
 * Boots, and boots once more if the kernel crashed before init ran, or
 * after it on a stale int3 with no result failed before (stale_int3):
 * under multi-threaded TCG, text patching (int3 breakpoints) now and then
 * races with the other vCPU (seen as "Oops: int3" in early boot, on stock
 * kernels with no module loaded). Any other crash after init started
 * fails at once, and so does a second crash.
 */
int vm_run(const struct kernel *k, const struct plan *p, const char *logdir, struct result *r)
{
	int rc = vm_boot(k, p, logdir, r);

	if (rc == 2) {
		char *from = xasprintf("%s/console.log", logdir);
		char *to = xasprintf("%s/console.crash-retried.log", logdir);

		rename(from, to);
		printf("# rkm: %s crashed (kept in %s); booting once more\n", k->name, to);
		memset(r, 0, sizeof(*r));
		rc = vm_boot(k, p, logdir, r);
		if (rc == 2)
			fprintf(stderr, "rkm: FAIL on %s: the guest crashed twice, as above\n",
				k->name);
		free(from);
		free(to);
	}
	return rc ? 1 : 0;
}

/* ---- rkm run / rkm test ---- */

/* The options rkm run and rkm test share; rkm test adds its own. */
#define RUN_OPTS									\
	{ "kernel", required_argument, NULL, 'k' },					\
	{ "module", required_argument, NULL, 'm' },					\
	{ "ship", required_argument, NULL, 's' },					\
	{ "test", required_argument, NULL, 't' },					\
	{ "qemu", required_argument, NULL, 'q' },					\
	{ "append", required_argument, NULL, 'a' },					\
	{ "test-timeout", required_argument, NULL, 'T' },				\
	{ "timeout", required_argument, NULL, 'O' },					\
	{ "skip", required_argument, NULL, 'S' },					\
	{ "logs", required_argument, NULL, 'l' },					\
	{ "verbose", no_argument, NULL, 'v' },						\
	{ "dry-run", no_argument, NULL, 'n' },						\
	OPT_HELP
static const struct option run_opts[] = { RUN_OPTS, { 0 } };
static const struct option test_opts[] = {
	RUN_OPTS,
	{ "reliability", no_argument, NULL, 'r' },
	{ "variant", required_argument, NULL, 'V' },
	{ 0 }
};

struct run_args {
	struct plan plan;
	const char *names[RKM_MAX_KERNELS];
	int nnames;
	const char *logs;
	const char *dirs[RKM_MAX_ITEMS];	/* rkm test's driver directories */
	int ndirs;
	bool reliability;
	const char *variant;	/* rkm test --variant NAME */
};

static void add_item(const char **list, int *n, const char *item, const char *what)
{
	if (*n == RKM_MAX_ITEMS)
		die("at most %d %s", RKM_MAX_ITEMS, what);
	list[(*n)++] = item;
}

static void parse_run(int argc, char **argv, struct run_args *a, bool test)
{
	struct plan *p = &a->plan;
	int c;

	while ((c = cmd_getopt(argc, argv, "hv", test ? test_opts : run_opts)) != -1) {
		switch (c) {
		case 'k':
			if (a->nnames == RKM_MAX_KERNELS)
				die("at most %d --kernel options at once (RKM_MAX_KERNELS)", RKM_MAX_KERNELS);
			a->names[a->nnames++] = optarg;
			break;
		case 'm': {
			/* PATH:PARAMS -> "PATH PARAMS" for the plan */
			char *m = strdup(optarg), *colon = strchr(m, ':');

			if (colon)
				*colon = ' ';
			add_item(p->modules, &p->nmodules, m, "modules");
			break;
		}
		case 's':
			add_item(p->ship, &p->nship, optarg, "shipped modules");
			break;
		case 't':
			if (!strchr(optarg, '='))
				die("--test: '%s' is not NAME=PROGRAM [ARGS]", optarg);
			add_item(p->tests, &p->ntests, optarg, "tests");
			break;
		case 'q':
			plan_add_qemu(p, optarg, false);
			break;
		case 'a':
			p->append = optarg;
			break;
		case 'T':
			p->test_timeout = opt_int("--test-timeout", optarg, 1, 86400);
			break;
		case 'O':
			p->host_timeout = opt_int("--timeout", optarg, 1, 86400);
			break;
		case 'S':
			p->skiplist = optarg;
			break;
		case 'l':
			a->logs = optarg;
			break;
		case 'v':
			p->verbose = true;
			break;
		case 'n':
			p->dry_run = true;
			break;
		case 'r':
			a->reliability = true;
			break;
		case 'V':
			a->variant = optarg;
			break;
		}
	}
	for (; optind < argc; optind++) {
		if (!test) {
			fprintf(stderr, "rkm %s: unexpected argument '%s'\n", argv[0], argv[optind]);
			usage_exit(argv[0], 2);
		}
		add_item(a->dirs, &a->ndirs, argv[optind], "driver directories");
	}
	if (!p->test_timeout)
		p->test_timeout = 60;
}

/* Boots each kernel in turn, never stopping at the first failure. */
/* One kernel's boots: the plan's, then each watchdog reset test's. Returns whether one failed. */
/*
 * What rkm test builds for a kernel, done in that kernel's own job: one
 * kernel's builds (a Kbuild run per driver, C twin and name) then overlap
 * another kernel's boot, instead of every build of every kernel waiting
 * before the first boot. NULL for rkm run (its modules are built).
 */
struct prep {
	struct manifest *ms;
	int ndirs;
	char **progs;	/* "NAME=PATH" of each directory's test program, or NULL */
	char **progs_arm64;	/* the same for arm64 guests (NULL: none booted) */
	bool reliability;
};

static void add_reliability(const struct manifest *ms, int n, const struct kernel *k,
			    struct plan *p);

/* Builds what the manifests name for k into plan; returns the failed builds. */
static int prepare_plan(const struct prep *pr, const struct kernel *k, struct plan *plan)
{
	char **progs = k->arm64 ? pr->progs_arm64 : pr->progs;
	int j, failures = 0;

	for (j = 0; j < pr->ndirs; j++) {
		if (build_all(&pr->ms[j], k, plan)) {
			failures++;
			continue;
		}
		if (progs[j])
			add_item(plan->tests, &plan->ntests, progs[j], "tests");
		for (int n = 0; progs[j] && n < pr->ms[j].nresets; n++)
			add_item(plan->reset_tests, &plan->nreset_tests,
				 xasprintf("%s %s", progs[j], pr->ms[j].resets[n]), "reset tests");
	}
	if (pr->reliability)
		add_reliability(pr->ms, pr->ndirs, k, plan);
	fflush(stdout);
	return failures;
}

static bool run_kernel(const struct kernel *k, struct plan *plan, const struct prep *pr,
		       const char *logs, struct result *total, int *build_failures)
{
	char *dir = xasprintf("%s/%s", logs, k->name);
	struct result r = { 0 };
	bool kfail;
	int j;

	if (pr)
		*build_failures += prepare_plan(pr, k, plan);
	kfail = vm_run(k, plan, dir, &r) != 0;
	total->passed += r.passed;
	total->failed += r.failed;
	total->skipped += r.skipped;
	free(dir);
	/* Watchdog resets (issue 16): a boot each, that one test alone. */
	for (j = 0; j < plan->nreset_tests; j++) {
		struct plan rp = *plan;

		rp.tests[0] = plan->reset_tests[j];
		rp.ntests = 1;
		rp.nfails = 0;
		rp.nreset_tests = 0;
		rp.expect_reset = true;
		dir = xasprintf("%s/%s/reset-%d", logs, k->name, j + 1);
		memset(&r, 0, sizeof(r));
		if (vm_run(k, &rp, dir, &r))
			kfail = true;
		total->passed += r.passed;
		total->failed += r.failed;
		total->skipped += r.skipped;
		free(dir);
	}
	return kfail;
}

/*
 * How many kernels boot at once: RKM_JOBS, or one per CPU. A TCG guest
 * keeps about one host CPU busy (its second vCPU mostly idles), so on 2
 * CPUs two kernels take little more wall time than one.
 */
static int run_jobs(int nk)
{
	const char *env = getenv("RKM_JOBS");
	char *end = NULL;
	long n = env && *env ? strtol(env, &end, 10) : sysconf(_SC_NPROCESSORS_ONLN);

	if (env && *env && (*end || n < 1 || n > 64))
		die("RKM_JOBS=%s: give a number of parallel boots from 1 to 64", env);
	return n < 1 ? 1 : n > nk ? nk : (int)n;
}

/* Copies the file at path to stdout (nothing if it is missing). */
static void cat_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	if (!f)
		return;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
}

/* A child's outcome, in its log directory. */
static char *job_file(const char *logs, const struct kernel *k, const char *what)
{
	return xasprintf("%s/%s/%s", logs, k->name, what);
}

/*
 * Several kernels, several at a time: each kernel's boots run in a child
 * whose output goes to LOGS/KERNEL/run.out, printed whole and in matrix
 * order as each ends, so the output reads as a sequential run's. The
 * longest runs start first: the kernel built by rkm (the debug one,
 * several times slower), the reference kernel (run_share()), then the
 * others newest first (the matrix is oldest first; 6.12-rt's runs were
 * measured longer than 6.1's).
 */
static void run_parallel(struct kernel *k, int nk, struct plan *plans, const struct prep *pr,
			 const char *logs, int jobs, struct result *total, int *failed_kernels,
			 int *build_failures)
{
	pid_t pids[RKM_MAX_KERNELS] = { 0 };
	bool done[RKM_MAX_KERNELS] = { false };
	int order[RKM_MAX_KERNELS], no = 0, next = 0, running = 0, shown = 0, i;

	for (i = 0; i < nk; i++)
		if (k[i].built)
			order[no++] = i;
	for (i = 0; i < nk; i++)
		if (k[i].reference)
			order[no++] = i;
	for (i = nk - 1; i >= 0; i--)
		if (!k[i].built && !k[i].reference)
			order[no++] = i;
	printf("# rkm: %d kernels, %d at a time (RKM_JOBS); each kernel's output follows when it ends\n",
	       nk, jobs);
	fflush(stdout);
	while (shown < nk) {
		while (running < jobs && next < nk) {
			int x = order[next++];
			char *out = job_file(logs, &k[x], "run.out");
			pid_t pid;

			mkdirs(xasprintf("%s/%s", logs, k[x].name));
			pid = fork();
			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				struct result r = { 0 };
				int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
				int builds = 0;
				bool kfail;
				FILE *f;

				if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
					_exit(3);
				setvbuf(stdout, NULL, _IOLBF, 0);
				kfail = run_kernel(&k[x], &plans[x], pr, logs, &r, &builds);
				fflush(stdout);
				f = fopen(job_file(logs, &k[x], "run.result"), "w");
				if (!f)
					_exit(3);
				fprintf(f, "%d %d %d %d %d\n", r.passed, r.failed, r.skipped, kfail, builds);
				_exit(fclose(f) ? 3 : 0);
			}
			pids[x] = pid;
			running++;
			free(out);
		}
		{
			int status;
			pid_t pid = wait(&status);

			if (pid < 0)
				die("wait: %s", strerror(errno));
			for (i = 0; i < nk; i++)
				if (pids[i] == pid)
					done[i] = true;
			running--;
		}
		/* Print, in matrix order, every kernel whose predecessors are printed. */
		while (shown < nk && done[shown]) {
			const struct kernel *ks = &k[shown];
			char *path = job_file(logs, ks, "run.result");
			FILE *f = fopen(path, "r");
			int p = 0, fl = 0, sk = 0, kf = 1, b = 0;

			cat_file(job_file(logs, ks, "run.out"));
			if (!f || fscanf(f, "%d %d %d %d %d", &p, &fl, &sk, &kf, &b) != 5) {
				fprintf(stderr, "rkm: FAIL on %s: its run ended without a result (%s)\n",
					ks->name, path);
				kf = 1;
			}
			if (f)
				fclose(f);
			total->passed += p;
			total->failed += fl;
			total->skipped += sk;
			*failed_kernels += kf != 0;
			*build_failures += b;
			free(path);
			shown++;
		}
		fflush(stdout);
	}
}

/*
 * Each failed result of a kernel's KTAP log, with the comment lines just above
 * it (a test's reason), again at the end: a long run's tail names what failed.
 */
static void failures_again(const struct kernel *k, const char *logs)
{
	FILE *f = fopen(job_file(logs, k, "ktap.log"), "r");
	char line[1024], notes[6][1024];
	int n = 0, i, shown = 0;

	while (f && fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " ");

		if (*s == '#') {
			snprintf(notes[n++ % 6], sizeof(notes[0]), "%s", line);
			continue;
		}
		if (!strncmp(s, "not ok ", 7) && shown++ < 20) {
			if (shown == 1)
				printf("# rkm: what failed on %s (%s/%s/ktap.log):\n", k->name, logs,
				       k->name);
			/* Rust symbols in a kernel report demangled, as in the console's tail. */
			for (i = n > 6 ? n - 6 : 0; i < n; i++) {
				fputs("#   ", stdout);
				demangle_fputs(notes[i % 6], stdout);
			}
			fputs("#   ", stdout);
			demangle_fputs(line, stdout);
		}
		n = 0;
	}
	if (f)
		fclose(f);
}

static int run_kernels(struct kernel *k, int nk, struct plan *plans, const struct prep *pr,
		       const char *logs)
{
	struct result total = { 0 };
	int i, failed_kernels = 0, build_failures = 0, jobs = run_jobs(nk);

	if (jobs > 1)
		run_parallel(k, nk, plans, pr, logs, jobs, &total, &failed_kernels,
			     &build_failures);
	else
		for (i = 0; i < nk; i++)
			failed_kernels += run_kernel(&k[i], &plans[i], pr, logs, &total,
						     &build_failures);
	if (failed_kernels)
		for (i = 0; i < nk; i++)
			failures_again(&k[i], logs);
	printf("# rkm: %d kernel(s), %d failed\n", nk, failed_kernels);
	if (build_failures)
		printf("# rkm: %d driver build(s) failed\n", build_failures);
	printf("rkm: %d passed, %d failed, %d skipped\n", total.passed, total.failed,
	       total.skipped);
	return failed_kernels || build_failures ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	static struct run_args a;
	struct kernel k[RKM_MAX_KERNELS];
	struct plan plans[RKM_MAX_KERNELS];
	int nk, i;

	parse_run(argc, argv, &a, false);
	nk = kernels_bootable(a.names, a.nnames, k);
	for (i = 0; i < nk; i++)
		plans[i] = a.plan;
	return run_kernels(k, nk, plans, NULL,
			   a.logs ? a.logs : xasprintf("%s/build/logs/run", rkm_root));
}

/*
 * Builds the module of directory dir (what: "the C twin", ...) for k and
 * ships it in p, or records a failed build:NAME item; returns 1 if it failed.
 */
static int build_ship(const char *dir, const char *what, const struct kernel *k, struct plan *p)
{
	char path[PATH_MAX];

	if (build_driver(dir, k, path, sizeof(path))) {
		add_item(p->fails, &p->nfails,
			 xasprintf("build:%s %s does not build for %s", base_name(dir), what, k->name),
			 "failures");
		return 1;
	}
	add_item(p->ship, &p->nship, strdup(path), "shipped modules");
	return 0;
}

/*
 * Builds the driver of manifest m and its C twins for kernel k and ships
 * the modules in p (in /lib/rkm), with the QEMU arguments the manifest asks
 * for. A build failure is recorded in p, to be reported in that kernel's
 * KTAP. Returns the number of failed builds.
 */
int build_all(const struct manifest *m, const struct kernel *k, struct plan *p)
{
	char path[PATH_MAX];
	int i, failed = 0;

	for (i = 0; i < m->nqemu; i++)
		plan_add_qemu(p, m->qemu[i], true);
	/* 'nic' lines: drivers booted together must ask for the same NICs (one hub). */
	for (i = 0; i < p->nqemu; i++)
		for (int j = i + 1; j < p->nqemu; j++) {
			const char *a = strstr(p->qemu[i], "id=rkmn"), *b = strstr(p->qemu[j], "id=rkmn");

			if (a && b && a - p->qemu[i] == b - p->qemu[j] &&
			    !strncmp(a, b, strcspn(a, ",")))
				die("%s: its 'nic' lines differ from another driver's of the same rkm test: "
				    "netdev %.*s would be two devices (test them in separate calls)", m->dir,
				    (int)strcspn(a + 3, ","), a + 3);
		}
	if (k->arm64 && m->nprograms) {
		add_item(p->fails, &p->nfails,
			 xasprintf("programs:%s its Debian programs are not shipped to arm64 guests yet",
				   m->name), "failures");
		return 1;
	}
	plan_add_programs(m, p);
	/*
	 * A test-only directory (a test.c, neither NAME.rs nor a
	 * Kbuild) builds nothing of its own: its test runs against the
	 * kernel's modules and twins its manifest names.
	 */
	if (!is_file(xasprintf("%s/%s.rs", m->dir, m->name)) &&
	    !is_file(xasprintf("%s/Kbuild", m->dir)) && is_file(xasprintf("%s/test.c", m->dir))) {
		;
	} else if (build_driver(m->dir, k, path, sizeof(path))) {
		add_item(p->fails, &p->nfails,
			 xasprintf("build:%s the driver does not build for %s (see above)", m->name,
				   k->name), "failures");
		return 1;
	} else {
		add_item(p->ship, &p->nship, strdup(path), "shipped modules");
	}
	/* 'build-as NAME': the same driver as module NAME, in /lib/rkm/as (issue 18). */
	for (i = 0; i < m->nbuild_as; i++) {
		if (build_driver_as(m->dir, k, m->build_as[i], path, sizeof(path))) {
			add_item(p->fails, &p->nfails,
				 xasprintf("build:%s the driver does not build as %s for %s", m->name,
					   m->build_as[i], k->name), "failures");
			failed++;
		} else {
			add_item(p->ship_as, &p->nship_as, strdup(path), "modules built as another");
		}
	}
	for (i = 0; i < m->ntwins; i++) {
		char *twin = xasprintf("%s/%s", m->dir, m->twins[i]);

		failed += build_ship(twin, "the C twin", k, p);
		free(twin);
	}
	/* 'driver DIR': another driver directory's module (issue 19). */
	for (i = 0; i < m->ndrivers; i++)
		failed += build_ship(m->drivers[i], "the driver", k, p);
	/* The target kernel's own modules (issue 16), with their dependencies. */
	for (i = 0; i < m->nkmods; i++) {
		char *why = NULL;

		if (ship_kernel_module(k, m->kmods[i], p, &why)) {
			add_item(p->fails, &p->nfails,
				 xasprintf("kernel-module:%s %s", m->kmods[i], why), "failures");
			failed++;
		}
	}
	return failed;
}

/* "NAME=PROGRAM" and one argument per item: a guest test for the plan. */
static char *guest_test(const char *prog, const struct kernel *k, const char *const *items, int n)
{
	char *t = xasprintf("%s=%s", prog, guest_program(prog, k));
	int i;

	for (i = 0; i < n; i++)
		t = xasprintf("%s %s", t, items[i]);
	return t;
}

/* rkm-cycles' NAME:PARAM=VALUE,...: one argument (init splits at spaces). */
static const char *cycles_arg(const struct manifest *m)
{
	char *arg = xasprintf("%s:%s", m->name, m->cycles_params), *p;

	for (p = arg; *p; p++)
		if (*p == ' ')
			*p = ',';
	return arg;
}

/*
 * The reliability programs' repetition on kernel k: all of it (each
 * manifest's cycles, rkm-fuzz's default ops and seconds) on one kernel of
 * the run, the reference: the newest stock kernel, the first of that
 * version; a quarter elsewhere, at least floor (10 cycles or ops, 1 s; or
 * all, if fewer): on the kernel rkm built
 * (KASAN, kmemleak, lockdep; several times slower: kmemleak names a leak of
 * any size after one cycle), on a stock kernel of the same version
 * (6.12-rt beside 6.12: the same driver code, other locking) and on older
 * ones (6.1: the glue's other branches, which a quarter of the runs
 * reaches as well). The slab-growth check scales with the count: a leak
 * of an object a cycle shows at any count, and the busy caches' noise is
 * re-checked. This keeps make test in its time budget without dropping a
 * program or a kernel.
 */
static int run_share(const struct kernel *k, int n, int floor)
{
	if (k->reference)
		return n;
	return n / 4 > floor ? n / 4 : n < floor ? n : floor;
}

/* Marks the reference kernel of k[] (run_share()): the first stock kernel of the newest version. */
static void mark_reference(struct kernel *k, int nk)
{
	int i, best = -1, a, b, c, d;

	for (i = 0; i < nk; i++) {
		if (k[i].built || sscanf(k[i].release, "%d.%d", &a, &b) != 2)
			continue;
		if (best < 0 || (sscanf(k[best].release, "%d.%d", &c, &d) == 2 &&
				 (a > c || (a == c && b > d))))
			best = i;
	}
	if (best >= 0)
		k[best].reference = true;
}

/*
 * rkm test --reliability: the in-guest programs over what the manifests
 * declare: rkm-fuzz (every fuzz line), rkm-cycles (each driver with its
 * count, grouped by count) and, on the debug kernel, rkm-failslab.
 */
static void add_reliability(const struct manifest *ms, int n, const struct kernel *k,
			    struct plan *p)
{
	const char *fuzz[RKM_MAX_ITEMS + 1], *cycles[2 * RKM_MAX_ITEMS], *failslab[RKM_MAX_ITEMS];
	int nfuzz = 0, ncycles = 0, nfailslab = 0, i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ms[i].nfuzz; j++)
			add_item(fuzz, &nfuzz, ms[i].fuzz[j], "fuzz lines");
		for (j = 0; j < ms[i].nfailslab; j++)
			add_item(failslab, &nfailslab, ms[i].failslab[j], "failslab specs");
		if (!ms[i].cycles)
			continue;
		/* "--cycles N" applies to the modules after it: one only when N changes. */
		for (j = i - 1; j >= 0 && !ms[j].cycles; j--)
			;
		if (j < 0 || ms[j].cycles != ms[i].cycles)
			cycles[ncycles++] = xasprintf("--cycles %d", run_share(k, ms[i].cycles, 10));
		cycles[ncycles++] = ms[i].cycles_params ? cycles_arg(&ms[i]) : ms[i].name;
	}
	if (nfuzz) {
		memmove(fuzz + 1, fuzz, nfuzz * sizeof(*fuzz));
		fuzz[0] = xasprintf("--ops %d --seconds %d", run_share(k, RKM_FUZZ_OPS, 10),
				    run_share(k, RKM_FUZZ_SECONDS, 1));
		add_item(p->tests, &p->ntests, guest_test("rkm-fuzz", k, fuzz, nfuzz + 1), "tests");
	}
	if (ncycles)
		add_item(p->tests, &p->ntests, guest_test("rkm-cycles", k, cycles, ncycles), "tests");
	if (nfailslab && k->built)
		add_item(p->tests, &p->ntests, guest_test("rkm-failslab", k, failslab, nfailslab),
			 "tests");
}

/*
 * rkm test --variant NAME: keeps the drivers whose manifests declare it,
 * and boots with their kernel arguments after --append's (the arguments
 * several drivers declare alike, once).
 */
/*
 * Kernel arguments v after *args, unless seen[] (the lines added so far)
 * has them: several drivers declaring the same line get it once.
 */
static void args_once(const char **args, const char **seen, int *nseen, const char *v)
{
	int j;

	for (j = 0; j < *nseen && strcmp(seen[j], v); j++)
		;
	if (j < *nseen)
		return;
	seen[(*nseen)++] = v;
	*args = *args ? xasprintf("%s %s", *args, v) : v;
}

static void select_variant(struct run_args *a, struct manifest *ms)
{
	const char *args = a->plan.append, *seen[RKM_MAX_ITEMS];
	char *list = NULL;
	int i, kept = 0, nseen = 0;

	for (i = 0; i < a->ndirs; i++) {
		const char *v = manifest_variant(&ms[i], a->variant);

		if (!v)
			continue;
		args_once(&args, seen, &nseen, v);
		list = list ? xasprintf("%s %s", list, ms[i].name) : strdup(ms[i].name);
		a->dirs[kept] = a->dirs[i];
		if (kept != i) {
			ms[kept] = ms[i];
			/* name points into dir: into this copy's. */
			ms[kept].name = base_name(ms[kept].dir);
		}
		kept++;
	}
	if (!kept)
		die("no driver of those given declares 'variant %s' in its rkm.manifest", a->variant);
	a->ndirs = kept;
	a->plan.append = args;
	printf("# variant %s: %s (kernel arguments: %s)\n", a->variant, list, args);
}

/* The manifests' kernel-args lines, each once, after --append's and the variant's. */
static void add_kernel_args(struct run_args *a, const struct manifest *ms)
{
	const char *args = a->plan.append, *seen[RKM_MAX_ITEMS];
	int i, nseen = 0;

	for (i = 0; i < a->ndirs; i++)
		if (ms[i].kernel_args)
			args_once(&args, seen, &nseen, ms[i].kernel_args);
	if (args != a->plan.append)
		printf("# kernel arguments: %s\n", args);
	a->plan.append = args;
}

/*
 * rkm test: builds each driver, its C twins and its test program for each
 * kernel, then boots each kernel once with all of them. A driver that fails
 * to build fails its test on that kernel; the other kernels still run.
 */
int cmd_test(int argc, char **argv)
{
	static struct run_args a;
	static struct manifest ms[RKM_MAX_ITEMS];
	struct kernel k[RKM_MAX_KERNELS];
	struct plan plans[RKM_MAX_KERNELS];
	char *progs[RKM_MAX_ITEMS], *progs_arm64[RKM_MAX_ITEMS];
	bool x86 = false, arm64 = false;
	struct prep pr;
	int nk, i, j;
	char path[PATH_MAX];

	parse_run(argc, argv, &a, true);
	if (!a.ndirs)
		usage_exit(argv[0], 2);
	if (!a.plan.skiplist)
		a.plan.skiplist = xasprintf("%s/tests/skiplist", rkm_root);
	for (j = 0; j < a.ndirs; j++)
		manifest_load(a.dirs[j], &ms[j]);
	if (a.variant)
		select_variant(&a, ms);
	add_kernel_args(&a, ms);
	nk = kernels_bootable(a.names, a.nnames, k);
	mark_reference(k, nk);
	for (i = 0; i < nk; i++) {
		x86 |= !k[i].arm64;
		arm64 |= k[i].arm64;
	}
	/* The program is DIR/build[/arm64]/NAME-test: its name is the test's. */
	for (j = 0; j < a.ndirs; j++) {
		if (x86 && build_test_program(a.dirs[j], false, path, sizeof(path)))
			die("test program of %s does not build", a.dirs[j]);
		progs[j] = x86 && path[0] ? xasprintf("%s=%s", base_name(path), path) : NULL;
		if (arm64 && build_test_program(a.dirs[j], true, path, sizeof(path)))
			die("test program of %s does not build for arm64", a.dirs[j]);
		progs_arm64[j] = arm64 && path[0] ? xasprintf("%s=%s", base_name(path), path) : NULL;
	}
	for (i = 0; i < nk; i++)
		plans[i] = a.plan;
	pr = (struct prep){ .ms = ms, .ndirs = a.ndirs, .progs = progs,
			    .progs_arm64 = arm64 ? progs_arm64 : NULL, .reliability = a.reliability };
	return run_kernels(k, nk, plans, &pr,
			   a.logs ? a.logs : xasprintf("%s/build/logs/test", rkm_root));
}
