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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rkm.h"

/* ---- initramfs: cpio "newc", written directly ---- */

struct cpio {
	FILE *f;
	unsigned long ino;
	unsigned long off;
};

static void cpio_pad(struct cpio *c)
{
	while (c->off % 4) {
		fputc(0, c->f);
		c->off++;
	}
}

static void cpio_entry(struct cpio *c, const char *name, unsigned int mode, unsigned int rdev,
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

static void cpio_file(struct cpio *c, const char *name, const char *path, unsigned int mode)
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

static char *skips_for(const char *skiplist, const char *kernel)
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
};

static void ktap_line(struct ktap *t, const char *line)
{
	int n;

	fprintf(t->log, "%s\n", line);
	if (!t->quiet)
		printf("%s\n", line);
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

static void print_tail(const char *path, int lines)
{
	FILE *f = fopen(path, "r");
	char *all[256] = { 0 }, buf[1024];
	int n = 0, i;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		free(all[n % 256]);
		all[n % 256] = strdup(buf);
		n++;
	}
	fclose(f);
	for (i = n > lines ? n - lines : 0; i < n; i++)
		fprintf(stderr, "    | %s", all[i % 256]);
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

static void build_initramfs(const char *path, const struct kernel *k, const struct plan *p)
{
	static const char *const dirs[] = { "bin", "dev", "lib", "lib/rkm", "proc", "rkm",
					    "sys", "tmp" };
	struct cpio c = { .f = fopen(path, "wb") };
	char *init = xasprintf("%s/build/bin/rkm-init", rkm_root);
	size_t i;

	if (!c.f)
		die("cannot write %s: %s", path, strerror(errno));
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		cpio_entry(&c, dirs[i], S_IFDIR | 0755, 0, NULL, 0);
	/* The kernel opens /dev/console for init before devtmpfs is mounted. */
	cpio_entry(&c, "dev/console", S_IFCHR | 0600, makedev(5, 1), NULL, 0);
	cpio_file(&c, "init", init, 0755);
	write_plan(&c, k, p);
	cpio_entry(&c, "TRAILER!!!", 0, 0, NULL, 0);
	if (fclose(c.f))
		die("cannot write %s", path);
	free(init);
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
	char *serial1 = xasprintf("file:%s", fifo);
	int items = p->nmodules + p->ntests + p->nfails + 3;
	int host_timeout = p->host_timeout ? p->host_timeout
					   : items * (p->test_timeout + 5) + 150;
	struct ktap *t = calloc(1, sizeof(*t));
	FILE *con;
	int out[2], kfd, status = 0, rc = 0;
	bool timed_out = false, qemu_open = true;
	double start, deadline;
	pid_t pid;

	mkdirs(logdir);
	build_initramfs(cpio, k, p);
	unlink(fifo);
	if (mkfifo(fifo, 0600))
		die("mkfifo %s: %s", fifo, strerror(errno));
	/* Held open read-write: never EOF, so the loop ends with QEMU itself. */
	kfd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	con = fopen(conpath, "w");
	t->log = fopen(ktappath, "w");
	t->planned = -1;
	t->quiet = p->quiet;
	if (kfd < 0 || !con || !t->log || pipe2(out, O_CLOEXEC))
		die("cannot set up the logs in %s", logdir);

	printf("# rkm: booting %s (%s)\n", k->name, k->release);
	fflush(stdout);
	start = now();
	deadline = start + host_timeout;
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		/*
		 * -icount: the guest clock counts instructions (1 ns each), so
		 * timings repeat exactly; cryptomgr.notests and a fixed virtual
		 * RTC keep boot-time work from leaking into them (FIELD-NOTES).
		 * icount is single-threaded TCG anyway, and 6.1 hangs at SMP
		 * bring-up with two vCPUs under it: one vCPU.
		 */
		char *argv[40] = {
			"qemu-system-x86_64", "-accel", "tcg", "-m", "512M", "-smp", p->icount ? "1" : "2",
			"-nodefaults", "-display", "none", "-no-reboot",
			"-serial", "stdio", "-serial", serial1,
			"-kernel", (char *)k->vmlinuz, "-initrd", cpio,
			/* The log is judged at the end: all of it must fit. */
			"-append", xasprintf("console=ttyS0 panic=-1 cryptomgr.notests log_buf_len=16M%s%s",
					     p->append ? " " : "", p->append ? p->append : ""),
			"-rtc", "base=2025-01-01T00:00:00,clock=vm",
			/* QEMU's educational PCI device, for samples/rust_edu. */
			"-device", "edu",
		};
		int n = 0;

		while (argv[n])
			n++;
		if (p->two_edu) {
			argv[n++] = "-device";
			argv[n++] = "edu";
		}
		if (p->icount) {
			argv[n++] = "-icount";
			argv[n++] = "shift=0,align=off,sleep=off";
		}
		argv[n] = NULL;
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
		struct pollfd fds[2] = { { .fd = out[0], .events = POLLIN },
					 { .fd = kfd, .events = POLLIN } };
		int left = (int)((deadline - now()) * 1000);
		char buf[4096];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(fds, 2, left > 1000 ? 1000 : left) <= 0)
			continue;
		if (fds[0].revents) {
			n = read(out[0], buf, sizeof(buf));
			if (n <= 0)
				qemu_open = false;
			else {
				fwrite(buf, 1, n, con);
				if (p->verbose)
					fwrite(buf, 1, n, stdout);
			}
		}
		if (fds[1].revents & POLLIN) {
			n = read(kfd, buf, sizeof(buf));
			if (n > 0)
				ktap_feed(t, buf, n);
		}
	}
	waitpid(pid, &status, 0);
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

	r->passed = t->passed;
	r->failed = t->failed;
	r->skipped = t->skipped;
	if (t->flen) {
		fprintf(stderr, "rkm: FAIL on %s:\n%s", k->name, t->failures);
		rc = 1;
	}
	if (timed_out) {
		fprintf(stderr, "rkm: FAIL on %s: host timeout: QEMU killed after %d s\n", k->name,
			host_timeout);
		r->failed++;
		rc = 1;
	} else if (t->planned < 0 && !t->seen && !t->flen) {
		rc = 2;
	} else if (t->planned < 0 || t->seen < t->planned) {
		fprintf(stderr, "rkm: FAIL on %s: the guest stopped after %d of %d results (QEMU exit status %d)\n",
			k->name, t->seen, t->planned, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		r->failed++;
		rc = 1;
	}
	if (rc == 2) {
		fprintf(stderr, "rkm: FAIL on %s: the guest died before its init started (QEMU exit status %d)\n",
			k->name, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		r->failed++;
	}
	if (rc) {
		fprintf(stderr, "rkm: console log tail (%s):\n", conpath);
		print_tail(conpath, 25);
		fprintf(stderr, "rkm: full logs: %s, %s\n", conpath, ktappath);
	}
	printf("# %s: %d passed, %d failed, %d skipped (boot to power-off %.1f s)\n", k->name,
	       r->passed, r->failed, r->skipped, r->seconds);
	fflush(stdout);
	free(t);
	free(cpio);
	free(fifo);
	free(conpath);
	free(ktappath);
	free(serial1);
	return rc;
}

/*
 * Boots, and boots once more if the kernel crashed before init ran: under
 * multi-threaded TCG, early-boot text patching (int3 breakpoints) now and then
 * races with the other vCPU (seen as "Oops: int3" in early boot, on stock
 * kernels with no module loaded). A crash after init started never retries.
 */
int vm_run(const struct kernel *k, const struct plan *p, const char *logdir, struct result *r)
{
	int rc = vm_boot(k, p, logdir, r);

	if (rc == 2) {
		char *from = xasprintf("%s/console.log", logdir);
		char *to = xasprintf("%s/console.early-crash.log", logdir);

		rename(from, to);
		printf("# rkm: %s crashed in early boot, before init (kept in %s); booting once more\n",
		       k->name, to);
		memset(r, 0, sizeof(*r));
		rc = vm_boot(k, p, logdir, r);
		free(from);
		free(to);
	}
	return rc ? 1 : 0;
}

/* ---- rkm run / rkm test ---- */

static const char *usage_run =
	"usage: rkm run [--kernel NAME]... [--module PATH[:PARAMS]]... [--ship PATH]... [--test NAME=PROGRAM]...\n"
	"               [--test-timeout S] [--timeout S] [--skip FILE] [--logs DIR] [--verbose]\n"
	"       rkm test DRIVER_DIR... [same options]";

static int parse_common(int argc, char **argv, struct plan *p, const char **names, int *nnames,
			const char **logs, const char **dirs, int *ndirs)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has = i + 1 < argc;

		if (!strcmp(a, "--kernel") && has && *nnames < RKM_MAX_KERNELS)
			names[(*nnames)++] = argv[++i];
		else if (!strcmp(a, "--module") && has && p->nmodules < RKM_MAX_ITEMS) {
			/* PATH:PARAMS -> "PATH PARAMS" for the plan */
			char *m = strdup(argv[++i]), *colon = strchr(m, ':');

			if (colon)
				*colon = ' ';
			p->modules[p->nmodules++] = m;
		} else if (!strcmp(a, "--ship") && has && p->nship < RKM_MAX_ITEMS)
			p->ship[p->nship++] = argv[++i];
		else if (!strcmp(a, "--test") && has && p->ntests < RKM_MAX_ITEMS)
			p->tests[p->ntests++] = argv[++i];
		else if (!strcmp(a, "--test-timeout") && has)
			p->test_timeout = atoi(argv[++i]);
		else if (!strcmp(a, "--timeout") && has)
			p->host_timeout = atoi(argv[++i]);
		else if (!strcmp(a, "--skip") && has)
			p->skiplist = argv[++i];
		else if (!strcmp(a, "--append") && has)
			p->append = argv[++i];
		else if (!strcmp(a, "--logs") && has)
			*logs = argv[++i];
		else if (!strcmp(a, "--verbose") || !strcmp(a, "-v"))
			p->verbose = true;
		else if (a[0] != '-' && dirs && *ndirs < RKM_MAX_ITEMS)
			dirs[(*ndirs)++] = a;
		else
			die("%s", usage_run);
	}
	if (p->test_timeout <= 0)
		p->test_timeout = 60;
	return 0;
}

/* Boots each kernel in turn, never stopping at the first failure. */
static int run_kernels(struct kernel *k, int nk, struct plan *plans, const char *logs)
{
	struct result total = { 0 }, r;
	int i, failed_kernels = 0;

	for (i = 0; i < nk; i++) {
		char *dir = xasprintf("%s/%s", logs, k[i].name);

		memset(&r, 0, sizeof(r));
		if (vm_run(&k[i], &plans[i], dir, &r))
			failed_kernels++;
		total.passed += r.passed;
		total.failed += r.failed;
		total.skipped += r.skipped;
		free(dir);
	}
	printf("# rkm: %d kernel(s), %d failed\n", nk, failed_kernels);
	printf("rkm: %d passed, %d failed, %d skipped\n", total.passed, total.failed,
	       total.skipped);
	return failed_kernels ? 1 : 0;
}

int cmd_run(int argc, char **argv)
{
	const char *names[RKM_MAX_KERNELS], *logs = NULL;
	struct kernel k[RKM_MAX_KERNELS];
	struct plan p = { 0 }, plans[RKM_MAX_KERNELS];
	int nnames = 0, nk, i;

	parse_common(argc, argv, &p, names, &nnames, &logs, NULL, NULL);
	nk = kernels_select(names, nnames, k);
	for (i = 0; i < nk; i++)
		plans[i] = p;
	return run_kernels(k, nk, plans, logs ? logs : xasprintf("%s/build/logs/run", rkm_root));
}

/*
 * A driver's C twin lives in DIR/c_NAME (a plain Kbuild module): built for
 * the same kernel and shipped beside it. Returns the number that failed.
 */
static int ship_twins(const char *dir, const struct kernel *k, struct plan *p)
{
	char path[PATH_MAX];
	DIR *d = opendir(dir);
	struct dirent *e;
	int failed = 0;

	while (d && (e = readdir(d))) {
		char *twin;

		if (strncmp(e->d_name, "c_", 2))
			continue;
		twin = xasprintf("%s/%s", dir, e->d_name);
		if (!is_file(xasprintf("%s/Kbuild", twin))) {
			free(twin);
			continue;
		}
		if (build_driver(twin, k, path, sizeof(path))) {
			p->fails[p->nfails++] = xasprintf("build:%s the C twin does not build for %s",
							  e->d_name, k->name);
			failed++;
		} else {
			p->ship[p->nship++] = strdup(path);
		}
		free(twin);
	}
	if (d)
		closedir(d);
	return failed;
}

/*
 * Builds the driver in DIR and its C twins for kernel k and ships the
 * modules in p (in /lib/rkm). A build failure is recorded in p, to be
 * reported in that kernel's KTAP. Returns the number of failed builds.
 */
int build_all(const char *dir, const struct kernel *k, struct plan *p)
{
	char path[PATH_MAX];

	if (build_driver(dir, k, path, sizeof(path))) {
		p->fails[p->nfails++] = xasprintf("build:%s the driver does not build for %s (see above)",
						  base_name(dir), k->name);
		return 1;
	}
	p->ship[p->nship++] = strdup(path);
	return ship_twins(dir, k, p);
}

/*
 * rkm test: builds each driver and its test program for each kernel, then
 * boots each kernel once with all of them. A driver that fails to build
 * fails its test on that kernel; the other kernels still run.
 */
int cmd_test(int argc, char **argv)
{
	const char *names[RKM_MAX_KERNELS], *logs = NULL, *dirs[RKM_MAX_ITEMS];
	struct kernel k[RKM_MAX_KERNELS];
	struct plan p = { 0 }, plans[RKM_MAX_KERNELS];
	char *progs[RKM_MAX_ITEMS];
	int nnames = 0, ndirs = 0, nk, i, j, build_failures = 0, rc;
	char path[PATH_MAX];

	parse_common(argc, argv, &p, names, &nnames, &logs, dirs, &ndirs);
	if (!ndirs)
		die("%s", usage_run);
	if (!p.skiplist)
		p.skiplist = xasprintf("%s/tests/skiplist", rkm_root);
	nk = kernels_select(names, nnames, k);
	for (j = 0; j < ndirs; j++) {
		if (build_test_program(dirs[j], path, sizeof(path)))
			die("test program of %s does not build", dirs[j]);
		/* The program is DIR/build/NAME-test: its name is the test's. */
		progs[j] = path[0] ? xasprintf("%s=%s", base_name(path), path) : NULL;
	}
	for (i = 0; i < nk; i++) {
		plans[i] = p;
		for (j = 0; j < ndirs; j++) {
			if (build_all(dirs[j], &k[i], &plans[i])) {
				build_failures++;
				continue;
			}
			if (progs[j])
				plans[i].tests[plans[i].ntests++] = progs[j];
		}
	}
	rc = run_kernels(k, nk, plans, logs ? logs : xasprintf("%s/build/logs/test", rkm_root));
	if (build_failures)
		printf("# rkm: %d driver build(s) failed\n", build_failures);
	return rc || build_failures ? 1 : 0;
}
