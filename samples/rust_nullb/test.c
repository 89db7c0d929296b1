// SPDX-License-Identifier: GPL-2.0
/*
 * rust_nullb test: one program for the Rust block driver and for the
 * kernel's own null_blk.ko (manifest 'kernel-module null_blk'). Each
 * scenario runs once per driver (ktest_twins(): load, run, unload) and the
 * two transcripts must be identical: configfs, module parameters, block I/O
 * and their errors are null_blk's interface, and rust_nullb implements it.
 * What differs between the twins is in blk_twins[]: the configfs directory
 * and the disks' name prefix; nothing else a scenario records names a twin.
 *
 * Real Debian userspace runs in the guest (manifest 'program'): fio
 * (crc32c-verified random I/O), mkfs.ext4 and e2fsck, blkdiscard, and
 * dash running the null_blk compatibility script (compat_sh below, which
 * uses null_blk's names only and loads the module with modprobe).
 *
 * Selecting twins: the environment variable RKM_NULLB_TWINS (a comma list
 * of module names), e.g. `rkm test samples/rust_nullb --append
 * RKM_NULLB_TWINS=null_blk` (the kernel hands unknown NAME=VALUE words of
 * its command line to init, whose environment the test inherits).
 * RKM_NULLB_TRANSCRIPT=1 prints each twin's transcript;
 * RKM_NULLB_FAILSLAB_POWER=1 walks failslab over power-on too (see failslab()).
 */
#include "ktest.h"

#include <linux/fs.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>

struct blk_twin {
	const char *module;	/* the module name */
	const char *configfs;	/* its configfs subsystem */
	const char *prefix;	/* the name of its disks from nr_devices: PREFIX0, PREFIX1... */
};

static const struct blk_twin blk_twins[] = {
	{ "rust_nullb", "/sys/kernel/config/rust_nullb", "rust_nullb" },
	{ "null_blk", "/sys/kernel/config/nullb", "nullb" },
};

static const char *twins[3];

#define MiB (1024 * 1024)
#define OUT "/tmp/rkm-nullb.out"

/* The table entry of the twin being run. */
static const struct blk_twin *tw(void)
{
	size_t i;

	for (i = 0; i < sizeof(blk_twins) / sizeof(blk_twins[0]); i++)
		if (!strcmp(blk_twins[i].module, ktest_twin))
			return &blk_twins[i];
	printf("# %s: not in blk_twins[]\n", ktest_twin);
	exit(1);
}

/* Runs argv (PATH searched), its output to OUT; the exit status, or -1. */
static int run(char *const argv[])
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		printf("exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The output of the last run(), as "# " lines (the last lines up to max). */
static void show_output(int max)
{
	char *lines[400] = { 0 }, buf[512];
	int n = 0, i;
	FILE *f = fopen(OUT, "r");

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		free(lines[n % 400]);
		lines[n % 400] = strdup(buf);
		n++;
	}
	fclose(f);
	for (i = n > max ? n - max : 0; i < n; i++)
		printf("#   | %s", lines[i % 400]);
	for (i = 0; i < 400; i++)
		free(lines[i]);
}

/* run() recorded in the transcript under label; its output shown if it fails. */
static int tr_run(int want, const char *label, char *const argv[])
{
	int r = run(argv);

	tr_printf("%s -> exit %d", label, r);
	if (r != want) {
		printf("# %s: %s: exit %d, expected %d\n", ktest_twin, label, r, want);
		show_output(40);
		ktest_failed = 1;
	}
	return r;
}

/* An open(2) recorded: "label -> fd" (its number is not recorded) or its errno. */
static int tr_open(const char *label, int fd)
{
	int e = errno;

	TR_CHECK(1, label, fd >= 0 ? 1 : -1, e);
	return fd;
}

/* ---- configfs devices ---- */

static char *cfs(const char *dev, const char *attr)
{
	static char path[4][256];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s%s%s", tw()->configfs, dev, attr ? "/" : "",
		 attr ?: "");
	return path[k];
}

/* write_file() of an attribute: 0, or -1 and errno. */
static int attr_set(const char *dev, const char *attr, const char *val)
{
	return write_file(cfs(dev, attr), val);
}

/* An attribute's value, its newline dropped ("" if it cannot be read). */
static const char *attr_get(const char *dev, const char *attr)
{
	static char buf[4096];
	ssize_t n = read_file(cfs(dev, attr), buf, sizeof(buf));

	if (n < 0)
		return "";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The names in /sys/block, for power_on() to find the new one. */
static int block_names(char names[][64], int max)
{
	DIR *d = opendir("/sys/block");
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) && n < max)
		if (e->d_name[0] != '.')
			snprintf(names[n++], 64, "%.63s", e->d_name);
	if (d)
		closedir(d);
	return n;
}

/*
 * Powers configfs device dev on and finds its disk, the one /sys/block did
 * not have before: disk gets "/dev/NAME". 0, or -1 and errno.
 */
static int power_on(const char *dev, char *disk, size_t len)
{
	static char before[128][64], after[128][64];
	int nb, na, i, j;

	nb = block_names(before, 128);
	if (attr_set(dev, "power", "1"))
		return -1;
	na = block_names(after, 128);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && strcmp(before[j], after[i]); j++)
			;
		if (j == nb) {
			snprintf(disk, len, "/dev/%s", after[i]);
			return 0;
		}
	}
	printf("# %s: %s powered on, but no new disk in /sys/block\n", ktest_twin, dev);
	errno = ENODEV;
	return -1;
}

struct attr {
	const char *name, *val;
};

/* mkdir, each attribute, power on: 0 and /dev/DISK in disk, or -1. Recorded. */
static int create(const char *dev, const struct attr *attrs, char *disk, size_t len)
{
	char label[128];

	if (TR_CALL_AS(0, "mkdir device", mkdir(cfs(dev, NULL), 0755)))
		return -1;
	for (; attrs && attrs->name; attrs++) {
		snprintf(label, sizeof(label), "set %s=%s", attrs->name, attrs->val);
		if (TR_CALL_AS(0, label, attr_set(dev, attrs->name, attrs->val)))
			return -1;
	}
	return TR_CALL_AS(0, "power on", power_on(dev, disk, len)) ? -1 : 0;
}

static void destroy(const char *dev)
{
	TR_CALL_AS(0, "power off", attr_set(dev, "power", "0"));
	TR_CALL_AS(0, "rmdir device", rmdir(cfs(dev, NULL)));
}

/* /sys/block/NAME/queue/ATTR of disk "/dev/NAME", newline dropped ("(none)" if absent). */
static const char *sysfs_queue(const char *disk, const char *attr)
{
	static char buf[256];
	char path[192];

	snprintf(path, sizeof(path), "/sys/block/%s/queue/%s", strrchr(disk, '/') + 1, attr);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return "(none)";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static unsigned char *aligned(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, n))
		return NULL;
	return p;
}

static void pattern(unsigned char *b, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i * 31 + seed * 7 + (i >> 9));
}

static bool all_zero(const unsigned char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- configfs: features, defaults, bad values, a powered device ---- */

static const char *const attr_names[] = { "size", "blocksize", "memory_backed", "irqmode",
					  "completion_nsec", "submit_queues", "hw_queue_depth",
					  "discard", "power" };
#define NATTRS (sizeof(attr_names) / sizeof(attr_names[0]))

/* Every attribute of dev in the transcript: "name = value". */
static void record_attrs(const char *dev)
{
	size_t i;

	for (i = 0; i < NATTRS; i++)
		tr_printf("%s = %s", attr_names[i], attr_get(dev, attr_names[i]));
}

/*
 * Values each write takes but a power-on refuses or adjusts (the same on
 * 6.1, 6.12 and 6.12-rt): recorded, and shown for the driver's author.
 */
static void power_on_checks(void)
{
	static const struct attr cases[][2] = {
		{ { "blocksize", "3000" }, { NULL, NULL } },
		{ { "blocksize", "8192" }, { NULL, NULL } },
		{ { "blocksize", "256" }, { NULL, NULL } },
		{ { "size", "0" }, { NULL, NULL } },
		{ { "submit_queues", "0" }, { NULL, NULL } },
		{ { "submit_queues", "64" }, { NULL, NULL } },
		{ { "hw_queue_depth", "0" }, { NULL, NULL } },
		{ { "irqmode", "7" }, { NULL, NULL } },
	};
	char disk[64], text[512];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct attr *a = cases[i];
		int w, p, e = 0;

		if (mkdir(cfs("kd", NULL), 0755))
			continue;
		attr_set("kd", "size", "4");
		errno = 0;
		w = attr_set("kd", a->name, a->val);
		if (w)
			e = errno;
		p = w ? 0 : power_on("kd", disk, sizeof(disk));
		snprintf(text, sizeof(text), "%s=%s: write %s, power on %s", a->name, a->val,
			 w ? ktest_errname(e) : "ok", w ? "-" : p ? ktest_errname(errno) : "ok");
		if (!w && !p)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 " (reads back %s=%s)", a->name, attr_get("kd", a->name));
		printf("# %s: power-on check: %s\n", ktest_twin, text);
		tr_printf("%s", text);
		rmdir(cfs("kd", NULL));
	}
}

/* BLKDISCARD of the first 4 KiB of disk, recorded under label (want: its result). */
static void tr_discard(long long want, const char *label, const char *disk)
{
	unsigned long long range[2] = { 0, 4096 };
	int fd = open(disk, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("# %s: open %s: %s\n", ktest_twin, disk, strerror(errno));
		ktest_failed = 1;
		return;
	}
	TR_CALL_AS(want, label, ioctl(fd, BLKDISCARD, range));
	close(fd);
}

/*
 * discard=1 on a device without memory backing: taken, then cleared by its
 * power-on (null_blk's null_config_discard(): "discard option is ignored
 * without memory backing"), so it reads 0 powered and after; no discard.
 */
static void discard_without_memory(void)
{
	const struct attr setup[] = { { "size", "4" }, { "memory_backed", "0" },
				      { "discard", "1" }, { NULL, NULL } };
	char disk[64];

	tr_printf("not memory-backed, discard=1:");
	if (create("nd", setup, disk, sizeof(disk)))
		return;
	tr_printf("powered: discard = %s", attr_get("nd", "discard"));
	tr_printf("discard_max_bytes %s", sysfs_queue(disk, "discard_max_bytes"));
	tr_discard(-EOPNOTSUPP, "BLKDISCARD without memory backing", disk);
	TR_CALL_AS(0, "power off", attr_set("nd", "power", "0"));
	tr_printf("powered off: discard = %s", attr_get("nd", "discard"));
	TR_CALL_AS(0, "rmdir device", rmdir(cfs("nd", NULL)));
}

/*
 * A power-on refused late (a zero depth: its tag set) keeps what it had
 * adjusted before (null_blk's null_add_dev(): null_validate_conf() first).
 * Not a bad block size: 6.1's null_validate_conf() refuses it before
 * adjusting anything, 6.12's queue limits after (rust_nullb does as 6.12).
 */
static void refused_power_on(void)
{
	static const struct attr cases[][5] = {
		{ { "irqmode", "9" }, { "submit_queues", "0" }, { "discard", "1" },
		  { "hw_queue_depth", "0" }, { NULL, NULL } },
	};
	char label[160], disk[64];
	const struct attr *a;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (TR_CALL_AS(0, "mkdir device", mkdir(cfs("rp", NULL), 0755)))
			return;
		for (a = cases[i]; a->name; a++) {
			snprintf(label, sizeof(label), "set %s=%s", a->name, a->val);
			TR_CALL_AS(0, label, attr_set("rp", a->name, a->val));
		}
		TR_CALL_AS(-EINVAL, "power on", power_on("rp", disk, sizeof(disk)));
		record_attrs("rp");
		TR_CALL_AS(0, "rmdir device", rmdir(cfs("rp", NULL)));
	}
}

static void configfs_attrs(void)
{
	static const struct { const char *attr, *val; int err; } bad[] = {
		{ "size", "abc", EINVAL }, { "size", "-1", EINVAL },
		{ "size", "16M", EINVAL }, { "blocksize", "x", EINVAL },
		{ "blocksize", "-512", EINVAL }, { "memory_backed", "2", EINVAL },
		{ "memory_backed", "maybe", EINVAL }, { "irqmode", "abc", EINVAL },
		{ "completion_nsec", "1e3", EINVAL }, { "submit_queues", "-3", EINVAL },
		{ "hw_queue_depth", "1.5", EINVAL }, { "discard", "5", EINVAL },
		{ "power", "2", EINVAL },
		{ "blocksize", "99999999999999999999", ERANGE },
		{ "size", "999999999999999999999999", ERANGE },
	};
	static const struct { const char *attr, *val; } busy[] = {
		{ "size", "32" }, { "blocksize", "4096" }, { "memory_backed", "0" },
		{ "irqmode", "2" }, { "completion_nsec", "5000" }, { "hw_queue_depth", "8" },
		{ "discard", "0" },
	};
	const struct attr setup[] = { { "size", "16" }, { "memory_backed", "1" }, { NULL, NULL } };
	char feat[4096] = "", item[64], label[160], before[256], disk[64];
	size_t i;

	/* features: the names we need (its exact text differs between kernels). */
	TR_EXPECT(read_file(cfs("features", NULL), feat, sizeof(feat) - 1) > 0);
	memmove(feat + 1, feat, strlen(feat) + 1);
	feat[0] = ',';
	feat[strcspn(feat, "\n")] = ',';
	for (i = 0; i < NATTRS; i++) {
		snprintf(item, sizeof(item), ",%s,", attr_names[i]);
		tr_printf("features names %s: %s", attr_names[i], strstr(feat, item) ? "yes" : "NO");
		if (!strstr(feat, item)) {
			printf("# %s: features lacks %s: %s\n", ktest_twin, attr_names[i], feat);
			ktest_failed = 1;
		}
	}
	TR_CALL(0, mkdir(cfs("cfg", NULL), 0755));
	TR_CALL_AS(-EEXIST, "mkdir the same device again", mkdir(cfs("cfg", NULL), 0755));
	tr_printf("defaults:");
	record_attrs("cfg");
	/* Bad values: refused, and the attribute keeps its value. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(before, sizeof(before), "%s", attr_get("cfg", bad[i].attr));
		snprintf(label, sizeof(label), "set %s='%s'", bad[i].attr, bad[i].val);
		TR_CALL_AS(-bad[i].err, label, attr_set("cfg", bad[i].attr, bad[i].val));
		snprintf(label, sizeof(label), "%s unchanged", bad[i].attr);
		if (strcmp(before, attr_get("cfg", bad[i].attr))) {
			printf("# %s: %s: '%s' became '%s'\n", ktest_twin, label, before,
			       attr_get("cfg", bad[i].attr));
			ktest_failed = 1;
		}
	}
	TR_CALL(0, rmdir(cfs("cfg", NULL)));
	/* A powered device: its geometry and modes cannot change (EBUSY). */
	if (create("busy", setup, disk, sizeof(disk)))
		return;
	for (i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		snprintf(before, sizeof(before), "%s", attr_get("busy", busy[i].attr));
		snprintf(label, sizeof(label), "powered: set %s=%s", busy[i].attr, busy[i].val);
		TR_CALL_AS(-EBUSY, label, attr_set("busy", busy[i].attr, busy[i].val));
		if (strcmp(before, attr_get("busy", busy[i].attr))) {
			printf("# %s: %s changed\n", ktest_twin, label);
			ktest_failed = 1;
		}
	}
	TR_CALL_AS(0, "powered: set power=1 again", attr_set("busy", "power", "1"));
	tr_printf("powered:");
	record_attrs("busy");
	/* rmdir of a powered device removes its disk. */
	TR_CALL_AS(0, "rmdir a powered device", rmdir(cfs("busy", NULL)));
	TR_EXPECT(access(disk, F_OK) != 0);
	discard_without_memory();
	refused_power_on();
	power_on_checks();
}

/* ---- block I/O: data, the end of the disk, O_DIRECT alignment, discard, zeroes, flush ---- */

static void block_io(void)
{
	const struct attr setup[] = { { "size", "16" }, { "blocksize", "512" },
				      { "memory_backed", "1" }, { "discard", "1" }, { NULL, NULL } };
	const struct attr nodiscard[] = { { "size", "4" }, { "memory_backed", "1" },
					  { NULL, NULL } };
	unsigned char *w = aligned(MiB), *r = aligned(MiB);
	unsigned long long size = 0, range[2];
	char disk[64], off[32];
	int fd, dfd, v;
	off_t end = 16 * MiB;

	ASSERT_TRUE(w && r);
	if (create("io", setup, disk, sizeof(disk)))
		return;
	fd = tr_open("open", open(disk, O_RDWR | O_CLOEXEC));
	dfd = tr_open("open O_DIRECT", open(disk, O_RDWR | O_DIRECT | O_CLOEXEC));
	if (fd < 0 || dfd < 0)
		return;
	TR_CALL(0, ioctl(fd, BLKGETSIZE64, &size));
	tr_printf("size %llu", size);
	TR_CALL(0, ioctl(fd, BLKSSZGET, &v));
	tr_printf("logical block size %d", v);
	/* Data: buffered and direct, each read back both ways. */
	pattern(w, 65536, 1);
	TR_CALL(65536, pwrite(fd, w, 65536, MiB));
	TR_CALL(0, fsync(fd));
	TR_CALL(65536, pread(dfd, r, 65536, MiB));
	expect_bytes("direct read of a buffered write", r, w, 65536);
	pattern(w, MiB, 2);
	TR_CALL(MiB, pwrite(dfd, w, MiB, 2 * MiB));
	TR_CALL(0, ioctl(fd, BLKFLSBUF, 0));
	TR_CALL(MiB, pread(fd, r, MiB, 2 * MiB));
	expect_bytes("buffered read of a direct write", r, w, MiB);
	/* The end of the disk. */
	TR_CALL(0, pread(fd, r, 4096, end));
	TR_CALL(512, pread(fd, r, 4096, end - 512));
	TR_CALL(-ENOSPC, pwrite(fd, w, 512, end));
	TR_CALL(512, pwrite(fd, w, 4096, end - 512));
	TR_CALL(0, pread(dfd, r, 4096, end));
	TR_CALL(512, pread(dfd, r, 4096, end - 512));
	TR_CALL(-ENOSPC, pwrite(dfd, w, 512, end));
	/* O_DIRECT needs logical-block alignment of buffer, length and offset. */
	TR_CALL(-EINVAL, pread(dfd, r + 1, 512, 0));
	TR_CALL(-EINVAL, pread(dfd, r, 100, 0));
	TR_CALL(-EINVAL, pread(dfd, r, 512, 100));
	TR_CALL(-EINVAL, pwrite(dfd, w + 3, 512, 0));
	TR_CALL(512, pread(dfd, r + 512, 512, 512));
	/* Discard: the range reads back as zeroes. */
	pattern(w, 65536, 3);
	TR_CALL(65536, pwrite(dfd, w, 65536, 4 * MiB));
	range[0] = 4 * MiB;
	range[1] = 65536;
	TR_CALL(0, ioctl(fd, BLKDISCARD, range));
	TR_CALL(65536, pread(dfd, r, 65536, 4 * MiB));
	TR_EXPECT(all_zero(r, 65536));
	range[0] = 1;
	range[1] = 512;
	TR_CALL_AS(-EINVAL, "BLKDISCARD of an unaligned range", ioctl(fd, BLKDISCARD, range));
	range[0] = end;
	range[1] = 4096;
	TR_CALL_AS(-EINVAL, "BLKDISCARD past the end", ioctl(fd, BLKDISCARD, range));
	TR_CALL(65536, pwrite(dfd, w, 65536, 5 * MiB));
	snprintf(off, sizeof(off), "%d", 5 * MiB);
	tr_run(0, "blkdiscard -o 5M -l 64K",
	       (char *const[]){ "blkdiscard", "-o", off, "-l", "65536", disk, NULL });
	TR_CALL(65536, pread(dfd, r, 65536, 5 * MiB));
	TR_EXPECT(all_zero(r, 65536));
	/* Write zeroes: BLKZEROOUT, blkdiscard -z, fallocate. */
	TR_CALL(65536, pwrite(dfd, w, 65536, 6 * MiB));
	range[0] = 6 * MiB;
	range[1] = 65536;
	TR_CALL(0, ioctl(fd, BLKZEROOUT, range));
	TR_CALL(65536, pread(dfd, r, 65536, 6 * MiB));
	TR_EXPECT(all_zero(r, 65536));
	TR_CALL(65536, pwrite(dfd, w, 65536, 7 * MiB));
	snprintf(off, sizeof(off), "%d", 7 * MiB);
	tr_run(0, "blkdiscard -z -o 7M -l 64K",
	       (char *const[]){ "blkdiscard", "-z", "-o", off, "-l", "65536", disk, NULL });
	TR_CALL(65536, pread(dfd, r, 65536, 7 * MiB));
	TR_EXPECT(all_zero(r, 65536));
	TR_CALL(65536, pwrite(dfd, w, 65536, 8 * MiB));
	TR_CALL(0, fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 8 * MiB, 65536));
	TR_CALL(65536, pread(dfd, r, 65536, 8 * MiB));
	TR_EXPECT(all_zero(r, 65536));
	TR_CALL(-EOPNOTSUPP, fallocate(fd, 0, 8 * MiB, 65536));
	TR_CALL(-EINVAL, fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 1, 512));
	/* Flush. */
	TR_CALL(0, fsync(fd));
	TR_CALL(0, fdatasync(dfd));
	TR_CALL(0, ioctl(fd, BLKFLSBUF, 0));
	TR_CALL(0, close(dfd));
	TR_CALL(0, close(fd));
	destroy("io");
	/* Without discard=1, no discard. */
	if (create("nd", nodiscard, disk, sizeof(disk)))
		return;
	fd = tr_open("open", open(disk, O_RDWR | O_CLOEXEC));
	range[0] = 0;
	range[1] = 4096;
	TR_CALL_AS(-EOPNOTSUPP, "BLKDISCARD without discard", ioctl(fd, BLKDISCARD, range));
	TR_CALL(0, close(fd));
	destroy("nd");
	free(w);
	free(r);
}

/* ---- fio: crc32c-verified random writes, 512 B to 1 MiB, several jobs ---- */

static void fio_verify(void)
{
	const struct attr setup[] = { { "size", "32" }, { "blocksize", "512" },
				      { "memory_backed", "1" }, { "submit_queues", "2" },
				      { "hw_queue_depth", "32" }, { NULL, NULL } };
	char disk[64], fn[80];

	if (create("fio", setup, disk, sizeof(disk)))
		return;
	snprintf(fn, sizeof(fn), "--filename=%s", disk);
	/* 4 jobs, each on its own 4 MiB, random offsets and sizes, verified. */
	tr_run(0, "fio io_uring randwrite 512-1M x4 verify=crc32c",
	       (char *const[]){ "fio", "--name=verify", fn, "--direct=1", "--ioengine=io_uring",
				"--iodepth=8", "--rw=randwrite", "--bsrange=512-1m", "--size=4m",
				"--numjobs=4", "--offset_increment=4m", "--verify=crc32c",
				"--verify_fatal=1", "--randseed=1", "--group_reporting", NULL });
	tr_run(0, "fio libaio randwrite 4k-128k x2 verify=crc32c",
	       (char *const[]){ "fio", "--name=aio", fn, "--direct=1", "--ioengine=libaio",
				"--iodepth=4", "--rw=randwrite", "--bssplit=4k/50:64k/30:128k/20",
				"--size=4m", "--numjobs=2", "--offset=16m", "--offset_increment=4m",
				"--verify=crc32c", "--verify_fatal=1", "--randseed=2", NULL });
	tr_run(0, "fio psync randwrite 512 buffered verify=crc32c",
	       (char *const[]){ "fio", "--name=psync", fn, "--ioengine=psync", "--rw=randwrite",
				"--bs=512", "--size=1m", "--offset=28m", "--verify=crc32c",
				"--verify_fatal=1", "--randseed=3", NULL });
	destroy("fio");
}

/* ---- ext4: mkfs, fsck, files written, remounted, read back ---- */

static void ext4(void)
{
	const struct attr setup[] = { { "size", "64" }, { "blocksize", "4096" },
				      { "memory_backed", "1" }, { NULL, NULL } };
	static const size_t sizes[] = { 1, 4096, 12345, 65536, 1 << 20 };
	unsigned char *w = aligned(MiB), *r = aligned(MiB);
	char disk[64], path[64];
	size_t i;
	int fd;

	ASSERT_TRUE(w && r);
	if (create("fs", setup, disk, sizeof(disk)))
		return;
	tr_run(0, "mkfs.ext4", (char *const[]){ "mkfs.ext4", "-q", "-F", disk, NULL });
	tr_run(0, "e2fsck -f -n", (char *const[]){ "e2fsck", "-f", "-n", disk, NULL });
	mkdir("/tmp/mnt", 0755);
	if (TR_CALL(0, mount(disk, "/tmp/mnt", "ext4", 0, NULL)))
		return;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(path, sizeof(path), "/tmp/mnt/f%zu", i);
		pattern(w, sizes[i], i);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		TR_CALL_AS((long long)sizes[i], "write a file", write(fd, w, sizes[i]));
		TR_CALL_AS(0, "fsync it", fsync(fd));
		close(fd);
	}
	TR_CALL(0, mkdir("/tmp/mnt/dir", 0755));
	TR_CALL(0, umount("/tmp/mnt"));
	TR_CALL(0, mount(disk, "/tmp/mnt", "ext4", 0, NULL));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		snprintf(path, sizeof(path), "/tmp/mnt/f%zu", i);
		pattern(w, sizes[i], i);
		fd = open(path, O_RDONLY);
		TR_CALL_AS((long long)sizes[i], "read it back", read(fd, r, MiB));
		expect_bytes("its data", r, w, sizes[i]);
		close(fd);
	}
	TR_EXPECT(access("/tmp/mnt/dir", F_OK) == 0);
	TR_CALL(0, umount("/tmp/mnt"));
	tr_run(0, "e2fsck -f -n after", (char *const[]){ "e2fsck", "-f", "-n", disk, NULL });
	destroy("fs");
	free(w);
	free(r);
}

/* ---- power-off and rmdir with I/O in flight ---- */

/* Reads in a loop until the disk goes (or 3 s); the number of reads. */
static int reader(const char *disk)
{
	unsigned char *b = aligned(65536);
	long long end = ktest_ms() + 3000;
	int fd = open(disk, O_RDWR | O_DIRECT), n = 0;

	if (fd < 0 || !b)
		return 0;
	while (ktest_ms() < end && pread(fd, b, 65536, (n % 64) * 65536) > 0)
		n++;
	close(fd);
	return n;
}

static void inflight(void)
{
	/* Timer completions 2 ms later: requests are in flight most of the time. */
	const struct attr setup[] = { { "size", "8" }, { "irqmode", "2" },
				      { "completion_nsec", "2000000" }, { "submit_queues", "2" },
				      { NULL, NULL } };
	static const char *const how[] = { "power off", "rmdir powered" };
	char disk[64];
	int k, i;

	for (k = 0; k < 2; k++) {
		pid_t pids[4];

		if (create("fly", setup, disk, sizeof(disk)))
			return;
		for (i = 0; i < 4; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				_exit(reader(disk) > 0 ? 0 : 1);
		}
		usleep(300000);
		if (k == 0) {
			TR_CALL_AS(0, how[k], attr_set("fly", "power", "0"));
			TR_CALL_AS(0, "rmdir", rmdir(cfs("fly", NULL)));
		} else {
			TR_CALL_AS(0, how[k], rmdir(cfs("fly", NULL)));
		}
		for (i = 0; i < 4; i++) {
			int st = ktest_wait_child(pids[i], 10000);

			TR_EXPECT(st != -1);
		}
		TR_EXPECT(access(disk, F_OK) != 0);
	}
}

/* ---- 200 create/remove cycles ---- */

static void cycles(void)
{
	char disk[64], label[64];
	int i, bad = 0;

	for (i = 0; i < 200 && !bad; i++) {
		snprintf(label, sizeof(label), "c%d", i % 7);
		if (mkdir(cfs(label, NULL), 0755) || attr_set(label, "size", "4") ||
		    (i % 2 && attr_set(label, "memory_backed", "1")) ||
		    power_on(label, disk, sizeof(disk))) {
			printf("# %s: cycle %d: %s\n", ktest_twin, i, strerror(errno));
			bad = 1;
		}
		if (i % 3 == 0 && attr_set(label, "power", "0")) {
			printf("# %s: cycle %d: power off: %s\n", ktest_twin, i, strerror(errno));
			bad = 1;
		}
		if (rmdir(cfs(label, NULL)) || !access(disk, F_OK)) {
			printf("# %s: cycle %d: rmdir: %s\n", ktest_twin, i, strerror(errno));
			bad = 1;
		}
	}
	tr_printf("200 create/remove cycles: %s", bad ? "FAILED" : "ok");
	ktest_failed |= bad;
}

/* ---- rmmod of a module in use ---- */

static void rmmod_busy(void)
{
	const struct attr setup[] = { { "size", "4" }, { NULL, NULL } };
	char disk[64];
	int fd;

	if (create("held", setup, disk, sizeof(disk)))
		return;
	fd = tr_open("open the disk", open(disk, O_RDONLY | O_CLOEXEC));
	TR_CALL_AS(-EAGAIN, "unload while the disk is open", unload_module(ktest_twin));
	TR_CALL(0, close(fd));
	TR_CALL_AS(-EAGAIN, "unload while a configfs device is there",
		   unload_module(ktest_twin));
	TR_CALL(0, attr_set("held", "power", "0"));
	TR_CALL_AS(-EAGAIN, "unload while a powered-off configfs device is there",
		   unload_module(ktest_twin));
	TR_CALL(0, rmdir(cfs("held", NULL)));
	TR_CALL_AS(0, "unload", unload_module(ktest_twin));
	TR_CALL_AS(0, "load again", load_module(ktest_twin, NULL));
}

/* ---- module parameters ---- */

/* The value of /sys/block/DISK/ATTR, newline dropped. */
static const char *sysblk(const char *disk, const char *attr)
{
	static char bufs[4][256];
	static int k;
	char path[160], *buf = bufs[k = (k + 1) % 4];

	snprintf(path, sizeof(path), "/sys/block/%s/%s", disk, attr);
	if (read_file(path, buf, sizeof(bufs[0])) < 0)
		return "(none)";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Entries of /sys/block/DISK/mq: the hardware queues. */
static int hw_queues(const char *disk)
{
	char path[160];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/block/%s/mq", disk);
	d = opendir(path);
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/*
 * discard=1 without memory_backed: the module's disk has no discard, but a
 * configfs device starts with discard=1 (null_blk's dev->discard =
 * g_discard), and made memory-backed it discards.
 */
static void params_discard(void)
{
	const struct attr setup[] = { { "size", "4" }, { "memory_backed", "1" }, { NULL, NULL } };
	char disk[64];

	if (!ktest_twin_reload("nr_devices=1 gb=1 discard=1"))
		return;
	snprintf(disk, sizeof(disk), "/dev/%s0", tw()->prefix);
	tr_printf("disk 0: discard_max_bytes %s", sysfs_queue(disk, "discard_max_bytes"));
	tr_discard(-EOPNOTSUPP, "disk 0: BLKDISCARD", disk);
	TR_CALL_AS(0, "mkdir device", mkdir(cfs("pd", NULL), 0755));
	tr_printf("new device: discard = %s", attr_get("pd", "discard"));
	tr_printf("new device: memory_backed = %s", attr_get("pd", "memory_backed"));
	TR_CALL_AS(0, "rmdir device", rmdir(cfs("pd", NULL)));
	if (create("pd", setup, disk, sizeof(disk)))
		return;
	tr_printf("memory-backed: discard = %s, discard_max_bytes %s", attr_get("pd", "discard"),
		  sysfs_queue(disk, "discard_max_bytes"));
	tr_discard(0, "memory-backed: BLKDISCARD", disk);
	destroy("pd");
}

static void params(void)
{
	static const struct { const char *params; int ndev; bool mem; } sets[] = {
		{ "nr_devices=2 gb=1 bs=4096 irqmode=0 submit_queues=2 hw_queue_depth=16", 2, false },
		{ "nr_devices=1 gb=1 irqmode=1 completion_nsec=1000 memory_backed=1", 1, true },
		{ "nr_devices=1 gb=2 bs=512 irqmode=2 completion_nsec=100000 memory_backed=1", 1, true },
		{ "nr_devices=3 gb=1 submit_queues=1 hw_queue_depth=1", 3, false },
		{ "nr_devices=0", 0, false },
	};
	static const char *const bad[] = { "irqmode=5", "irqmode=x", "nr_devices=-1", "gb=z",
					   "memory_backed=7", "bs=abc" };
	unsigned char *w = aligned(65536), *r = aligned(65536);
	char disk[64], path[80], list[512];
	size_t i;
	int d, fd;

	ASSERT_TRUE(w && r);
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		if (!ktest_twin_reload(sets[i].params))
			continue;
		for (d = 0; d < sets[i].ndev + 1; d++) {
			snprintf(disk, sizeof(disk), "%s%d", tw()->prefix, d);
			if (d == sets[i].ndev) {
				snprintf(path, sizeof(path), "/sys/block/%s", disk);
				TR_CALL_AS(-ENOENT, "no more disks", access(path, F_OK));
				continue;
			}
			tr_printf("disk %d: size %s, logical block %s, hw queues %d", d,
				  sysblk(disk, "size"), sysblk(disk, "queue/logical_block_size"),
				  hw_queues(disk));
			snprintf(path, sizeof(path), "/dev/%s", disk);
			fd = tr_open("open", open(path, O_RDWR | O_DIRECT | O_CLOEXEC));
			pattern(w, 65536, d + i);
			TR_CALL_AS(65536, "write", pwrite(fd, w, 65536, 65536));
			TR_CALL_AS(65536, "read", pread(fd, r, 65536, 65536));
			if (sets[i].mem)
				expect_bytes("memory-backed data", r, w, 65536);
			close(fd);
		}
	}
	params_discard();
	ktest_unload_wait(ktest_twin, 5000);
	/* Bad parameters: the load fails (the value each kernel gives is recorded). */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(list, sizeof(list), "load with %s", bad[i]);
		if (TR_CALL_AS(KTEST_ANY, list, load_module(ktest_twin, bad[i])) == 0)
			ktest_unload_wait(ktest_twin, 5000);
	}
	TR_CALL_AS(0, "load again", load_module(ktest_twin, NULL));
	free(w);
	free(r);
}

/* ---- failslab (the debug kernel): allocations of mkdir, attribute writes, power ---- */

static bool failslab_setup(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[256], sym[128], type, start[32] = "";
	unsigned long addr;
	const char *const attrs[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/failslab/probability", "0" },
		{ "/sys/kernel/debug/failslab/stacktrace-depth", "32" },
		{ "/sys/kernel/debug/failslab/require-start", start },
		{ "/sys/kernel/debug/failslab/require-end", "0xffffffffff000000" },
	};
	size_t i;

	/* Only allocations with module code (configfs, the driver) on the stack. */
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, "_end"))
			snprintf(start, sizeof(start), "%#lx", addr);
	if (f)
		fclose(f);
	if (!start[0])
		return false;
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (write_file(attrs[i][0], attrs[i][1]))
			return false;
	fail_nth_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	return fail_nth_fd >= 0;
}

/*
 * Walks op's allocations: the n-th fails, for n = 1, 2, ... until op
 * succeeds without using the failure. A failed op must leave things as
 * they were (undo() checks and cleans up a success). Returns the steps.
 */
static int walk(const char *what, int (*op)(void), bool (*unchanged)(void), void (*undo)(void))
{
	int n, failed = 0;

	for (n = 1; n < 2000; n++) {
		int r, e;

		fail_nth_set(n);
		r = op();
		e = errno;
		if (fail_nth_unused()) {
			if (r) {
				printf("# %s: %s failed without an injected failure: %s\n", ktest_twin,
				       what, strerror(e));
				ktest_failed = 1;
			}
			undo();
			break;
		}
		if (r) {
			failed++;
			if (!unchanged()) {
				printf("# %s: %s: allocation %d failed (%s), and the state changed\n",
				       ktest_twin, what, n, strerror(e));
				ktest_failed = 1;
				return n;
			}
		} else {
			undo();
		}
	}
	printf("# %s: failslab %s: %d allocation(s) failed in turn, %d call(s) refused\n",
	       ktest_twin, what, n - 1, failed);
	return n;
}

static char fs_disk[64];

static int op_mkdir(void) { return mkdir(cfs("fs", NULL), 0755); }
static bool no_dir(void) { return access(cfs("fs", NULL), F_OK) != 0; }
static void rm_dir(void) { rmdir(cfs("fs", NULL)); }
static int op_size(void) { return attr_set("fs", "size", "8"); }
static bool size_kept(void) { return !strcmp(attr_get("fs", "size"), "4"); }
static void size_back(void) { attr_set("fs", "size", "4"); }
static int op_power(void) { return power_on("fs", fs_disk, sizeof(fs_disk)); }
static bool powered_off(void)
{
	return !strcmp(attr_get("fs", "power"), "0") && access(fs_disk, F_OK);
}
static void power_back(void) { attr_set("fs", "power", "0"); }

static void failslab(void)
{
	if (!failslab_setup()) {
		tr_printf("failslab: not on this kernel");
		return;
	}
	walk("mkdir", op_mkdir, no_dir, rm_dir);
	TR_CALL(0, op_mkdir());
	TR_CALL(0, attr_set("fs", "size", "4"));
	walk("attribute write", op_size, size_kept, size_back);
	/*
	 * Power-on allocates in the block core (blk_mq_alloc_disk and below),
	 * whose failures warn (vmalloc's "Call Trace") and, on the debug 6.12, leak
	 * the hardware contexts blk_mq_realloc_hw_ctxs() had made (kmemleak):
	 * the kernel's, for either driver. Walked only on request.
	 */
	if (getenv("RKM_NULLB_FAILSLAB_POWER")) {
		snprintf(fs_disk, sizeof(fs_disk), "/dev/none");
		walk("power on", op_power, powered_off, power_back);
	}
	TR_CALL(0, rmdir(cfs("fs", NULL)));
	tr_printf("failslab: walked");
}

/* ---- the tests ---- */

/* RKM_NULLB_TRANSCRIPT=1 in the environment: each twin's transcript is printed. */
static void show_transcript(void)
{
	const char *t = ktest_tr ? ktest_tr->text : "";

	if (!getenv("RKM_NULLB_TRANSCRIPT"))
		return;
	while (*t) {
		size_t l = strcspn(t, "\n");

		printf("# %s| %.*s\n", ktest_twin, (int)l, t);
		t += l + (t[l] == '\n');
	}
}

/*
 * A test: the scenario on each twin (timeout s per twin), and its time.
 * ktest_twins() returns only if every twin ran, with identical transcripts
 * (a failure or a twin not built ends the test): the line then names the
 * test and its twins, for rkm-selftest ({NT}).
 */
#define BLK_TEST(name, timeout)						\
	static void name##_tr(void) { name(); show_transcript(); }		\
	TEST(name)							\
	{								\
		long long t0 = ktest_ms();				\
		ktest_twin_timeout_s = (timeout);			\
		ktest_twins(twins, name##_tr);				\
		blk_test_ran(#name, t0);				\
	}

static void blk_test_ran(const char *name, long long t0)
{
	char list[128] = "";
	int n;

	for (n = 0; twins[n]; n++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", n ? " " : "",
			 twins[n]);
	printf("# %s: %d twin(s) ran (%s), identical transcripts, %.1f s\n", name, n, list,
	       (ktest_ms() - t0) / 1000.0);
}

BLK_TEST(configfs_attrs, 30)
BLK_TEST(block_io, 60)
BLK_TEST(fio_verify, 240)
BLK_TEST(ext4, 120)
BLK_TEST(inflight, 60)
BLK_TEST(cycles, 240)
BLK_TEST(rmmod_busy, 30)
BLK_TEST(params, 60)
BLK_TEST(failslab, 240)

/*
 * The null_blk compatibility script: POSIX sh (Debian's dash), null_blk's
 * names only, the module loaded by modprobe from /lib/modules/$(uname -r)
 * (what a user's script does). It runs against the module named null_blk.
 */
static const char compat_sh[] =
	"set -eu\n"
	"fail() { echo \"FAIL: $*\"; exit 1; }\n"
	"C=/sys/kernel/config/nullb\n"
	"modprobe null_blk nr_devices=0\n"
	"[ -d /sys/module/null_blk ] || fail 'modprobe null_blk: no /sys/module/null_blk'\n"
	"# NULLB_EXPECT (optional): which build modprobe must have loaded, rkm or kernel\n"
	"if [ -n \"${NULLB_EXPECT:-}\" ]; then\n"
	"	got=kernel\n"
	"	[ ! -e /sys/module/null_blk/parameters/rkm_fail_nth ] || got=rkm\n"
	"	[ \"$got\" = \"$NULLB_EXPECT\" ] ||\n"
	"		fail \"modprobe loaded the $got's null_blk, not the $NULLB_EXPECT's\"\n"
	"fi\n"
	"[ -d $C ] || fail \"no $C\"\n"
	"[ -z \"$(ls /sys/block | grep '^nullb' || true)\" ] || fail 'nr_devices=0 made a disk'\n"
	"for f in size blocksize memory_backed irqmode completion_nsec submit_queues \\\n"
	"    hw_queue_depth discard power; do\n"
	"	tr , '\\n' < $C/features | grep -qx \"$f\" || fail \"features lacks $f\"\n"
	"done\n"
	"mkdir $C/compat\n"
	"echo 16 > $C/compat/size\n"
	"echo 4096 > $C/compat/blocksize\n"
	"echo 1 > $C/compat/memory_backed\n"
	"echo 2 > $C/compat/irqmode\n"
	"echo 50000 > $C/compat/completion_nsec\n"
	"echo 2 > $C/compat/submit_queues\n"
	"echo 32 > $C/compat/hw_queue_depth\n"
	"echo 1 > $C/compat/discard\n"
	"if echo bogus > $C/compat/size 2>/dev/null; then fail 'size=bogus accepted'; fi\n"
	"[ \"$(cat $C/compat/size)\" = 16 ] || fail 'a refused size changed size'\n"
	"before=$(ls /sys/block)\n"
	"echo 1 > $C/compat/power\n"
	"[ \"$(cat $C/compat/power)\" = 1 ] || fail 'power does not read 1'\n"
	"disk=\n"
	"for d in $(ls /sys/block); do\n"
	"	case \" $(echo $before) \" in *\" $d \"*) ;; *) disk=$d ;; esac\n"
	"done\n"
	"[ -n \"$disk\" ] && [ -b /dev/$disk ] || fail 'power=1 made no disk'\n"
	"if echo 32 > $C/compat/size 2>/dev/null; then fail 'size changed on a powered device'; fi\n"
	"[ \"$(blockdev --getsize64 /dev/$disk)\" = 16777216 ] || fail 'not 16 MiB'\n"
	"[ \"$(blockdev --getss /dev/$disk)\" = 4096 ] || fail 'not 4096-byte blocks'\n"
	"dd if=/dev/urandom of=/tmp/a bs=4096 count=64 2>/dev/null\n"
	"dd if=/tmp/a of=/dev/$disk bs=4096 seek=16 oflag=direct conv=notrunc 2>/dev/null\n"
	"dd if=/dev/$disk of=/tmp/b bs=4096 skip=16 count=64 iflag=direct 2>/dev/null\n"
	"[ \"$(cksum < /tmp/a)\" = \"$(cksum < /tmp/b)\" ] || fail 'read back differs'\n"
	"blkdiscard -o 65536 -l 262144 /dev/$disk\n"
	"dd if=/dev/$disk of=/tmp/b bs=4096 skip=16 count=64 iflag=direct 2>/dev/null\n"
	"dd if=/dev/zero of=/tmp/a bs=4096 count=64 2>/dev/null\n"
	"[ \"$(cksum < /tmp/a)\" = \"$(cksum < /tmp/b)\" ] || fail 'discarded blocks are not zero'\n"
	"if rmmod null_blk 2>/dev/null; then fail 'rmmod with a device'; fi\n"
	"echo 0 > $C/compat/power\n"
	"[ ! -e /dev/$disk ] || fail \"power=0 left /dev/$disk\"\n"
	"rmdir $C/compat\n"
	"rmmod null_blk\n"
	"[ ! -d /sys/module/null_blk ] || fail 'rmmod left null_blk loaded'\n"
	"echo 'null_blk compat: ok'\n";

/*
 * Runs the script against the module modprobe finds as null_blk, which must
 * be the build expect names: "rkm" (rust_nullb built as null_blk: it has the
 * glue's rkm_fail_nth parameter) or "kernel"; 0 if it passed.
 */
static int compat_run(const char *against, const char *expect)
{
	int r;

	if (!access("/sys/module/null_blk", F_OK) && ktest_unload_wait("null_blk", 5000))
		return -1;
	setenv("NULLB_EXPECT", expect, 1);
	r = run((char *const[]){ "sh", "/tmp/nullb_compat.sh", NULL });
	unsetenv("NULLB_EXPECT");
	printf("# null_blk compat script against %s: %s\n", against, r ? "FAILED" : "ok");
	show_output(r ? 40 : 0);
	ktest_unload_wait("null_blk", 5000);
	return r;
}

/*
 * The script, run by the guest's sh: against the kernel's null_blk and, if
 * the driver is also built as null_blk (manifest 'build-as null_blk', in
 * /lib/rkm/as, depmod's updates/: what modprobe null_blk loads first),
 * against it too, then without it (updates/ moved out of the module tree,
 * and /lib/rkm/as too, which depmod also reaches through the rkm/ link; the
 * guest's depmod rerun) against the kernel's. compat_run() checks which build
 * modprobe loaded each time.
 */
TEST(null_blk_compat_sh)
{
	int fd = open("/tmp/nullb_compat.sh", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	char updates[256], off[300];
	const char *as = "/lib/rkm/as", *as_off = "/lib/rkm-as.off";
	struct utsname u;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ((long)sizeof(compat_sh) - 1, (long)write(fd, compat_sh, sizeof(compat_sh) - 1));
	close(fd);
	ASSERT_EQ(0, uname(&u));
	if (access("/lib/rkm/as/null_blk.ko", F_OK)) {
		EXPECT_EQ(0, compat_run("the kernel's null_blk", "kernel"));
		return;
	}
	EXPECT_EQ(0, compat_run("rust_nullb built as null_blk", "rkm"));
	snprintf(updates, sizeof(updates), "/lib/modules/%s/updates", u.release);
	/* Out of the module tree (depmod would search any directory of it), same filesystem. */
	snprintf(off, sizeof(off), "/lib/modules/updates.off");
	ASSERT_EQ(0, rename(updates, off));
	ASSERT_EQ(0, rename(as, as_off));
	ASSERT_EQ(0, run((char *const[]){ "depmod", NULL }));
	EXPECT_EQ(0, compat_run("the kernel's null_blk", "kernel"));
	ASSERT_EQ(0, rename(as_off, as));
	ASSERT_EQ(0, rename(off, updates));
	EXPECT_EQ(0, run((char *const[]){ "depmod", NULL }));
}

/*
 * rust_nullb alone: a page its store cannot allocate (rkm_fail_nth: the glue
 * fails that allocation) ends the write with ENOSPC, as null_blk's; data
 * written and acknowledged before stays.
 */
TEST(store_allocation_failure_is_enospc_and_loses_nothing)
{
	unsigned char *w = aligned(8192), *r = aligned(8192);
	int fd, nth;

	ASSERT_TRUE(w && r);
	memset(w, 0x3c, 8192);
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "memory_backed=1 gb=1"));
	fd = open("/dev/rust_nullb0", O_RDWR | O_DIRECT | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(4096, pwrite(fd, w, 4096, 0));
	nth = open("/sys/module/rust_nullb/parameters/rkm_fail_nth", O_WRONLY | O_CLOEXEC);
	ASSERT_TRUE(nth >= 0);
	ASSERT_EQ(1, write(nth, "1", 1));
	close(nth);
	/* Page 0 exists; page 1 is the first allocation, which fails. */
	ASSERT_ERRNO(ENOSPC, pwrite(fd, w, 8192, 0));
	ASSERT_EQ(4096, pread(fd, r, 4096, 0));
	EXPECT_EQ(0, memcmp(r, w, 4096));
	ASSERT_EQ(8192, pwrite(fd, w, 8192, 0));
	ASSERT_EQ(8192, pread(fd, r, 8192, 0));
	EXPECT_EQ(0, memcmp(r, w, 8192));
	close(fd);
	EXPECT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	free(w);
	free(r);
}

/*
 * rust_nullb alone: configfs=NAME names its configfs subsystem at load
 * (the default's directory is then absent); a name configfs cannot take
 * fails the load with EINVAL (ENOSPC past the parameter's 63 bytes) and a
 * log line, before any disk exists.
 */
/* A call that must fail with errno e (the test goes on if not). */
#define EXPECT_FAILS(e, call) EXPECT_TRUE((call) == -1 && errno == (e))

TEST(configfs_name_is_chosen_at_load)
{
	static const char *const bad[] = { "configfs=a/b", "configfs=.", "configfs=..",
					   "nr_devices=1 configfs=/" };
	char params[160], longname[80];
	size_t i;

	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "nr_devices=0 configfs=rkm_blk"));
	EXPECT_EQ(0, access("/sys/kernel/config/rkm_blk/features", F_OK));
	EXPECT_FAILS(ENOENT, access("/sys/kernel/config/rust_nullb", F_OK));
	ASSERT_EQ(0, mkdir("/sys/kernel/config/rkm_blk/rkmcfs", 0755));
	EXPECT_EQ(0, write_file("/sys/kernel/config/rkm_blk/rkmcfs/size", "4"));
	EXPECT_EQ(0, write_file("/sys/kernel/config/rkm_blk/rkmcfs/power", "1"));
	EXPECT_EQ(0, access("/sys/block/rkmcfs", F_OK));
	EXPECT_EQ(0, write_file("/sys/kernel/config/rkm_blk/rkmcfs/power", "0"));
	EXPECT_EQ(0, rmdir("/sys/kernel/config/rkm_blk/rkmcfs"));
	EXPECT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	EXPECT_FAILS(ENOENT, access("/sys/kernel/config/rkm_blk", F_OK));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_FAILS(EINVAL, load_module("rust_nullb", bad[i]));
		if (!access("/sys/module/rust_nullb", F_OK)) {
			printf("# %s: loaded\n", bad[i]);
			ktest_unload_wait("rust_nullb", 5000);
		}
	}
	EXPECT_FAILS(ENOENT, access("/sys/block/rust_nullb0", F_OK));
	memset(longname, 'n', 64);
	longname[64] = '\0';
	snprintf(params, sizeof(params), "configfs=%s", longname);
	EXPECT_FAILS(ENOSPC, load_module("rust_nullb", params));
	/* 63 bytes: taken. */
	longname[63] = '\0';
	snprintf(params, sizeof(params), "nr_devices=0 configfs=%s", longname);
	EXPECT_EQ(0, load_module("rust_nullb", params));
	snprintf(params, sizeof(params), "/sys/kernel/config/%s", longname);
	EXPECT_EQ(0, access(params, F_OK));
	EXPECT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
}

#define WALK_CFS "/sys/kernel/config/rust_nullb"

/* Entries of /sys/block. */
static int nblock(void)
{
	char names[128][64];

	return block_names(names, 128);
}

/* The text of file path, its newline dropped ("" if it cannot be read). */
static const char *attr_value(const char *path)
{
	static char buf[64];

	if (read_file(path, buf, sizeof(buf)) < 0)
		return "";
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* mkdir of device "walk" for fail_nth_walk_op(): a failed one leaves no directory. */
static int walk_mkdir(void *ctx)
{
	int r = mkdir(WALK_CFS "/walk", 0755), e = errno;

	(void)ctx;
	if (r && !access(WALK_CFS "/walk", F_OK)) {
		printf("# mkdir failed (%s), yet the directory is there\n", strerror(e));
		ktest_failed = 1;
		rmdir(WALK_CFS "/walk");
	}
	errno = e;
	return r;
}

/* power=1 of device "walk": a failed one leaves it off, with no new disk. */
static int walk_power(void *ctx)
{
	int before = nblock(), r = write_file(WALK_CFS "/walk/power", "1"), e = errno;
	char v[16] = "";

	(void)ctx;
	read_file(WALK_CFS "/walk/power", v, sizeof(v));
	if (r && (v[0] != '0' || nblock() != before)) {
		printf("# power on failed (%s), yet power reads %.1s, /sys/block had %d, has %d\n",
		       strerror(e), v, before, nblock());
		ktest_failed = 1;
	}
	errno = e;
	return r;
}

/*
 * rust_nullb alone: each allocation of a configfs device's creation
 * (make_item) and of its power-on (the index, the irqmode-2 timer slots,
 * the page store, the disk) failed in turn (rkm_fail_nth) is ENOMEM, with
 * nothing left behind; the device then powers on and keeps data.
 */
TEST(configfs_allocations_fail_cleanly)
{
	unsigned char *w = aligned(4096), *r = aligned(4096);
	const char *const attrs[][2] = { { "size", "4" }, { "memory_backed", "1" },
					 { "irqmode", "2" }, { "hw_queue_depth", "4" } };
	char path[128];
	size_t i;
	int sites, fd;

	ASSERT_TRUE(w && r);
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "nr_devices=0"));
	sites = fail_nth_walk_op("rust_nullb", walk_mkdir, NULL);
	EXPECT_TRUE(sites >= 1);
	printf("# mkdir: %d allocation site(s), each failed with ENOMEM\n", sites);
	ASSERT_EQ(0, access(WALK_CFS "/walk", F_OK));
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), WALK_CFS "/walk/%s", attrs[i][0]);
		ASSERT_EQ(0, write_file(path, attrs[i][1]));
	}
	sites = fail_nth_walk_op("rust_nullb", walk_power, NULL);
	EXPECT_TRUE(sites >= 3);
	printf("# power on: %d allocation site(s), each failed with ENOMEM\n", sites);
	/* Powered on by the walk's last step, with the lowest index (none kept): the disk works. */
	EXPECT_EQ(0, strcmp(attr_value(WALK_CFS "/walk/index"), "0"));
	fd = open("/dev/walk", O_RDWR | O_DIRECT | O_CLOEXEC);
	EXPECT_TRUE(fd >= 0);
	memset(w, 0x5a, 4096);
	EXPECT_EQ(4096, pwrite(fd, w, 4096, 8192));
	EXPECT_EQ(4096, pread(fd, r, 4096, 8192));
	EXPECT_EQ(0, memcmp(w, r, 4096));
	close(fd);
	EXPECT_EQ(0, write_file(WALK_CFS "/walk/power", "0"));
	EXPECT_EQ(0, rmdir(WALK_CFS "/walk"));
	EXPECT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	free(w);
	free(r);
}

/* irqmode 2: each request ends completion_nsec after queue_rq, on its tag's hrtimer slot. */
TEST(irqmode_timer_delays_each_request)
{
	unsigned char *buf = aligned(4096);
	long long t0;
	int fd, i;

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	ASSERT_EQ(0, load_module("rust_nullb", "irqmode=2 completion_nsec=20000000 hw_queue_depth=2"));
	fd = open("/dev/rust_nullb0", O_RDONLY | O_DIRECT | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	t0 = ktest_ms();
	for (i = 0; i < 5; i++)
		EXPECT_EQ(4096, pread(fd, buf, 4096, (off_t)i * 4096));
	EXPECT_TRUE(ktest_ms() - t0 >= 100);
	close(fd);
	EXPECT_EQ(0, ktest_unload_wait("rust_nullb", 5000));
	free(buf);
}

int main(void)
{
	const char *sel = getenv("RKM_NULLB_TWINS");
	size_t i;
	int n = 0;

	/* Only the twins RKM_NULLB_TWINS names, if set (see the top). */
	for (i = 0; i < sizeof(blk_twins) / sizeof(blk_twins[0]); i++) {
		const char *m = blk_twins[i].module, *p = sel;
		size_t l = strlen(m);

		while (p && (p = strstr(p, m)) && ((p != sel && p[-1] != ',') ||
						   (p[l] && p[l] != ',')))
			p += l;
		if (!sel || p)
			twins[n++] = m;
	}
	twins[n] = NULL;
	if (sel)
		printf("# RKM_NULLB_TWINS=%s: twins", sel);
	for (i = 0; sel && twins[i]; i++)
		printf(" %s", twins[i]);
	if (sel)
		printf("\n");
	/* What the drivers and the ext4 scenario need, where it is a module. */
	if (run((char *const[]){ "modprobe", "-a", "configfs", "ext4", NULL }))
		show_output(10);
	if (mount("configfs", "/sys/kernel/config", "configfs", 0, NULL) && errno != EBUSY)
		printf("# mount configfs: %s\n", strerror(errno));
	return ktest_run();
}
