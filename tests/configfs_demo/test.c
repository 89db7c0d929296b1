// SPDX-License-Identifier: GPL-2.0
/*
 * configfs_demo test: rkm::configfs from userspace. The subsystem and its
 * root attributes, mkdir/rmdir of items, reading and writing their
 * attributes (bad values refused with EINVAL, nothing changed), rmmod while
 * a directory or an attribute file is open (refused), files used after
 * their rmdir, mkdir/rmdir cycles, concurrent writers and rmdir, bad
 * subsystem names, and every allocation of mkdir failing (rkm_fail_nth).
 */
#include "ktest.h"

#include <pthread.h>
#include <sys/mount.h>
#include <sys/stat.h>

#define MOD "configfs_demo"
#define CFG "/sys/kernel/config"
#define ROOT CFG "/" MOD

/* configfs.ko loaded (shipped by the manifest) and mounted. */
static void need_configfs(void)
{
	ktest_need_module(MOD);
	if (access(CFG, F_OK)) {
		errno = 0;
		if (load_module("configfs", NULL) && errno != EEXIST) {
			printf("# SKIP configfs.ko does not load: %s\n", strerror(errno));
			exit(4);
		}
	}
	if (access(CFG "/.", F_OK) == 0 && mount("none", CFG, "configfs", 0, NULL) && errno != EBUSY) {
		printf("# mount configfs: %s\n", strerror(errno));
		exit(1);
	}
}

static void load(void)
{
	need_configfs();
	ASSERT_EQ(0, load_module(MOD, NULL));
	ASSERT_EQ(0, access(ROOT, F_OK));
}

static void unload(void)
{
	ASSERT_EQ(0, ktest_unload_wait(MOD, 5000));
	EXPECT_TRUE(access(ROOT, F_OK) != 0);
}

/* Reads ROOT/rel without its trailing newline into buf; -1 on error. */
static ssize_t rd(const char *rel, char *buf, size_t len)
{
	char path[256];
	ssize_t n;

	snprintf(path, sizeof(path), ROOT "/%s", rel);
	n = read_file(path, buf, len);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return n;
}

static long long rdnum(const char *rel)
{
	char buf[64];

	return rd(rel, buf, sizeof(buf)) > 0 ? strtoll(buf, NULL, 0) : -1;
}

/* One write() of text to ROOT/rel: 0, or -1 with errno. */
static int wr(const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), ROOT "/%s", rel);
	return write_file(path, text);
}

static int mk(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), ROOT "/%s", name);
	return mkdir(path, 0755);
}

static int rm(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), ROOT "/%s", name);
	return rmdir(path);
}

TEST(root_attributes)
{
	char buf[128];
	int fd;

	load();
	ASSERT_TRUE(rd("features", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!strcmp(buf, "size,power,label"));
	EXPECT_EQ(0, rdnum("live"));
	/* Read-only: no opening for writing, even as root. */
	fd = open(ROOT "/features", O_WRONLY);
	EXPECT_TRUE(fd < 0 && errno == EACCES);
	if (fd >= 0)
		close(fd);
	unload();
}

TEST(item_attributes)
{
	char buf[128];
	struct stat st;

	load();
	ASSERT_EQ(0, mk("disk0"));
	EXPECT_EQ(1, rdnum("live"));
	EXPECT_EQ(0, rdnum("disk0/index"));
	EXPECT_EQ(0, stat(ROOT "/disk0/index", &st));
	EXPECT_EQ(0444, st.st_mode & 0777);
	EXPECT_EQ(0, stat(ROOT "/disk0/size", &st));
	EXPECT_EQ(0644, st.st_mode & 0777);

	/* u64 */
	EXPECT_EQ(0, rdnum("disk0/size"));
	EXPECT_EQ(0, wr("disk0/size", "4096\n"));
	EXPECT_EQ(4096, rdnum("disk0/size"));
	EXPECT_EQ(0, wr("disk0/size", "0x10"));
	EXPECT_EQ(16, rdnum("disk0/size"));
	ASSERT_ERRNO(EINVAL, wr("disk0/size", "abc"));
	ASSERT_ERRNO(EINVAL, wr("disk0/size", "-1"));
	ASSERT_ERRNO(EINVAL, wr("disk0/size", "12 34"));
	ASSERT_ERRNO(ERANGE, wr("disk0/size", "99999999999999999999999"));
	ASSERT_ERRNO(EINVAL, wr("disk0/size", "2199023255553"));	/* over 1 TiB */
	EXPECT_EQ(16, rdnum("disk0/size"));
	EXPECT_EQ(0, wr("disk0/size", "1099511627776"));	/* exactly 1 TiB */
	EXPECT_EQ(1099511627776LL, rdnum("disk0/size"));

	/* bool */
	EXPECT_EQ(0, rdnum("disk0/power"));
	ASSERT_ERRNO(EINVAL, wr("disk0/power", "maybe"));
	ASSERT_ERRNO(EINVAL, wr("disk0/power", "2"));
	EXPECT_EQ(0, rdnum("disk0/power"));
	EXPECT_EQ(0, wr("disk0/power", "1\n"));
	EXPECT_EQ(1, rdnum("disk0/power"));
	/* the driver's own rule: no resize while powered */
	ASSERT_ERRNO(EBUSY, wr("disk0/size", "512"));
	EXPECT_EQ(1099511627776LL, rdnum("disk0/size"));
	EXPECT_EQ(0, wr("disk0/power", "off"));
	EXPECT_EQ(0, rdnum("disk0/power"));

	/* string */
	ASSERT_TRUE(rd("disk0/label", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!strcmp(buf, "disk0"));
	EXPECT_EQ(0, wr("disk0/label", "fast disk\n"));
	ASSERT_TRUE(rd("disk0/label", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!strcmp(buf, "fast disk"));
	ASSERT_ERRNO(EINVAL, wr("disk0/label", "0123456789012345678901234567890123456789"));
	ASSERT_ERRNO(EINVAL, wr("disk0/label", "\xff\xfe"));
	ASSERT_ERRNO(EINVAL, wr("disk0/label", "two\nlines\n"));
	ASSERT_TRUE(rd("disk0/label", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!strcmp(buf, "fast disk"));

	/* mkdir errors: the driver's errno, an existing name */
	ASSERT_ERRNO(EINVAL, mk("bad0"));
	ASSERT_ERRNO(EEXIST, mk("disk0"));
	EXPECT_EQ(1, rdnum("live"));
	ASSERT_EQ(0, mk("disk1"));
	EXPECT_EQ(1, rdnum("disk1/index"));	/* bad0 made no item */
	EXPECT_EQ(0, rdnum("disk1/size"));	/* items are independent */
	EXPECT_EQ(2, rdnum("live"));

	/* A directory pins the module. */
	errno = 0;
	EXPECT_TRUE(unload_module(MOD) != 0 && (errno == EWOULDBLOCK || errno == EBUSY));
	EXPECT_EQ(0, access(ROOT "/disk0/size", F_OK));
	EXPECT_EQ(0, rm("disk0"));
	errno = 0;
	EXPECT_TRUE(unload_module(MOD) != 0 && (errno == EWOULDBLOCK || errno == EBUSY));
	EXPECT_EQ(0, rm("disk1"));
	ASSERT_ERRNO(ENOENT, rm("disk1"));
	EXPECT_EQ(0, rdnum("live"));
	unload();
}

TEST(files_after_rmdir)
{
	char buf[64];
	int rfd, wfd;

	load();
	ASSERT_EQ(0, mk("x"));
	rfd = open(ROOT "/x/size", O_RDONLY);
	wfd = open(ROOT "/x/size", O_WRONLY);
	ASSERT_TRUE(rfd >= 0 && wfd >= 0);
	ASSERT_EQ(0, rm("x"));
	/* The item is gone: its open files reach no callback. */
	errno = 0;
	EXPECT_TRUE(read(rfd, buf, sizeof(buf)) < 0 && errno == ENOENT);
	errno = 0;
	EXPECT_TRUE(write(wfd, "5", 1) < 0 && errno == ENOENT);
	/* An open attribute file pins the module. */
	errno = 0;
	EXPECT_TRUE(unload_module(MOD) != 0 && (errno == EWOULDBLOCK || errno == EBUSY));
	close(rfd);
	close(wfd);
	unload();
}

TEST(mkdir_rmdir_cycles)
{
	int i;

	load();
	for (i = 0; i < 200; i++) {
		ASSERT_EQ(0, mk("c"));
		ASSERT_EQ(i, rdnum("c/index"));
		ASSERT_EQ(0, wr("c/size", "7"));
		ASSERT_EQ(0, rm("c"));
	}
	EXPECT_EQ(0, rdnum("live"));
	unload();
}

static volatile int stop_all;

/* Writes size and label of item arg until stopped; counts unexpected errors. */
static void *writer(void *arg)
{
	const char *item = arg;
	char rel[64], val[32];
	long bad = 0;
	int i;

	for (i = 0; !stop_all && i < 3000; i++) {
		snprintf(rel, sizeof(rel), "%s/size", item);
		snprintf(val, sizeof(val), "%d", i);
		if (wr(rel, val) && errno != ENOENT)
			bad++;
		snprintf(rel, sizeof(rel), "%s/label", item);
		if (wr(rel, (i & 1) ? "odd" : "even") && errno != ENOENT)
			bad++;
		snprintf(rel, sizeof(rel), "%s/size", item);
		rdnum(rel);
	}
	return (void *)bad;
}

/* mkdir/rmdir of item arg in a loop until stopped. */
static void *churn(void *arg)
{
	const char *item = arg;
	long bad = 0;

	while (!stop_all) {
		if (mk(item) && errno != EEXIST)
			bad++;
		if (rm(item) && errno != ENOENT)
			bad++;
	}
	return (void *)bad;
}

TEST(concurrent_writers_and_rmdir)
{
	pthread_t w[4], c[2];
	char buf[64];
	void *r;
	int i;

	load();
	ASSERT_EQ(0, mk("shared"));
	stop_all = 0;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&w[i], NULL, writer, "shared"));
	/* Writers on an item being made and removed under them. */
	for (i = 2; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&w[i], NULL, writer, "churned"));
	ASSERT_EQ(0, pthread_create(&c[0], NULL, churn, "churned"));
	ASSERT_EQ(0, pthread_create(&c[1], NULL, churn, "other"));
	usleep(1500 * 1000);
	stop_all = 1;
	for (i = 0; i < 4; i++) {
		pthread_join(w[i], &r);
		EXPECT_EQ(0, (long)r);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(c[i], &r);
		EXPECT_EQ(0, (long)r);
	}
	ASSERT_TRUE(rd("shared/label", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!strcmp(buf, "odd") || !strcmp(buf, "even"));
	rm("churned");
	rm("other");
	EXPECT_EQ(0, rm("shared"));
	EXPECT_EQ(0, rdnum("live"));
	unload();
}

TEST(subsystem_names)
{
	char params[160];

	need_configfs();
	/* The name is the driver's parameter: refused names fail the load. */
	errno = 0;
	EXPECT_TRUE(load_module(MOD, "subsys=a/b") != 0 && errno == EINVAL);
	errno = 0;
	EXPECT_TRUE(load_module(MOD, "subsys=..") != 0 && errno == EINVAL);
	errno = 0;
	EXPECT_TRUE(load_module(MOD, "subsys=") != 0 && errno == EINVAL);
	snprintf(params, sizeof(params), "subsys=%064d", 0);
	errno = 0;
	EXPECT_TRUE(load_module(MOD, params) != 0 && errno == EINVAL);
	EXPECT_TRUE(access("/sys/module/" MOD, F_OK) != 0);
	/* Another name works. */
	ASSERT_EQ(0, load_module(MOD, "subsys=rust_nullb"));
	EXPECT_EQ(0, access(CFG "/rust_nullb/features", F_OK));
	EXPECT_EQ(0, mkdir(CFG "/rust_nullb/nullb0", 0755));
	EXPECT_EQ(0, rmdir(CFG "/rust_nullb/nullb0"));
	ASSERT_EQ(0, ktest_unload_wait(MOD, 5000));
	EXPECT_TRUE(access(CFG "/rust_nullb", F_OK) != 0);
}

static int mkdir_rmdir(void *ctx)
{
	(void)ctx;
	if (mk("f"))
		return -1;
	return rm("f");
}

TEST(mkdir_allocations_fail_cleanly)
{
	int sites;

	load();
	sites = fail_nth_walk_op(MOD, mkdir_rmdir, NULL);
	ASSERT_TRUE(sites >= 1);
	printf("# mkdir: %d allocation site(s), each failed with ENOMEM\n", sites);
	EXPECT_EQ(0, rdnum("live"));
	EXPECT_TRUE(access(ROOT "/f", F_OK) != 0);
	unload();
}

TEST(init_allocations_fail_cleanly)
{
	need_configfs();
	expect_init_walk(MOD, NULL);
	EXPECT_TRUE(access(ROOT, F_OK) != 0);
}

int main(void)
{
	return ktest_run();
}
