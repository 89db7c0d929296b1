// SPDX-License-Identifier: GPL-2.0
/*
 * hostile test: each attempt of hostile.rs against the kernel must be
 * harmless (see there). Kernel reports (KASAN, Oops, a "Call Trace" from a
 * sysfs duplicate name, lockdep) fail the run through rkm-init's kernel-log
 * check; this program checks what each attempt answers.
 */
#include "ktest.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>

#define NAME "hostile"

static bool module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/" NAME, &st) == 0;
}

/* Devices bound to driver @drv: entries of its sysfs directory named like a PCI address. */
static int bound_devices(const char *drv)
{
	char path[128];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", drv);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strchr(e->d_name, ':') != NULL;
	closedir(d);
	return n;
}

/*
 * Opens /dev/hostile in a loop until @stop (a pipe) is closed. Exit status:
 * bit 0 an open succeeded, bit 1 an open gave ENODEV, bit 2 another error
 * than ENOENT or ENODEV. A file opened is read once init has ended.
 */
static void opener(int stop)
{
	int status = 0, fd = -1;
	char c;

	fcntl(stop, F_SETFL, O_NONBLOCK);
	while (read(stop, &c, 1) < 0 && errno == EAGAIN) {
		int f = open("/dev/" NAME, O_RDONLY | O_CLOEXEC);

		if (f >= 0) {
			status |= 1;
			if (fd < 0)
				fd = f;
			else
				close(f);
		} else if (errno == ENODEV) {
			status |= 2;
		} else if (errno != ENOENT) {
			printf("# open during init: %s\n", strerror(errno));
			status |= 4;
		}
		usleep(1000);
	}
	if (fd >= 0) {
		printf("# a file opened during init is still open after init failed: reading it\n");
		fflush(stdout);
		read(fd, &c, 1);
		close(fd);
	}
	_exit(status);
}

TEST(opens_during_a_failing_init_are_refused)
{
	int stop[2], status;
	pid_t pid;

	ASSERT_EQ(0, pipe(stop));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		close(stop[1]);
		opener(stop[0]);
	}
	close(stop[0]);
	ASSERT_ERRNO(ENXIO, load_module(NAME, "hold_ms=2000 fail_init=1"));
	close(stop[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	printf("# opener: %s%s%s\n", WEXITSTATUS(status) & 1 ? "opened " : "",
	       WEXITSTATUS(status) & 2 ? "ENODEV " : "", WEXITSTATUS(status) & 4 ? "other" : "");
	EXPECT_EQ(2, WEXITSTATUS(status));
	EXPECT_TRUE(!module_loaded());
	EXPECT_TRUE(access("/dev/" NAME, F_OK) != 0);
}

TEST(opens_after_a_successful_init_work)
{
	int fd;

	ASSERT_EQ(0, load_module(NAME, "hold_ms=1"));
	fd = open("/dev/" NAME, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	EXPECT_EQ(0, unload_module(NAME));
}

/* A misc device of the kernel's own (not ours): its name, or NULL. */
static const char *kernel_misc_device(void)
{
	static char name[256];
	DIR *d = opendir("/sys/class/misc");
	struct dirent *e;

	name[0] = '\0';
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.' && strcmp(e->d_name, NAME) && strlen(e->d_name) < 60)
			snprintf(name, sizeof(name), "%s", e->d_name);
	if (d)
		closedir(d);
	return name[0] ? name : NULL;
}

TEST(misc_name_clashes_are_refused_before_the_kernel_sees_them)
{
	const char *theirs = kernel_misc_device();
	struct {
		const char *name;
		int err;
	} cases[] = {
		{ NAME, EEXIST },	/* its own /dev/hostile */
		{ theirs, EEXIST },	/* one of the kernel's */
		{ "a/b", EINVAL },
		{ "..", EINVAL },
	};
	char params[128], path[300];
	size_t i;

	ASSERT_TRUE(theirs != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		snprintf(params, sizeof(params), "second=%s", cases[i].name);
		errno = 0;
		r = load_module(NAME, params);
		printf("# %s: %s\n", params, r ? strerror(errno) : "loaded");
		EXPECT_EQ(-1, r);
		EXPECT_EQ(cases[i].err, errno);
		if (!r)
			unload_module(NAME);
		EXPECT_TRUE(!module_loaded());
		EXPECT_TRUE(access("/dev/" NAME, F_OK) != 0);
	}
	snprintf(path, sizeof(path), "/sys/class/misc/%s", theirs);
	EXPECT_TRUE(access(path, F_OK) == 0);
}

TEST(an_attribute_named_like_the_pci_core_s_is_refused_at_probe)
{
	int kmsg = kmsg_open();

	ASSERT_EQ(0, load_module(NAME, "vendor_attr=1"));
	EXPECT_TRUE(kmsg_wait(kmsg, "hostile_vendor: attribute 'vendor' is already a sysfs file", 5000,
			      NULL, 0));
	EXPECT_EQ(0, bound_devices("hostile_vendor"));
	EXPECT_EQ(0, unload_module(NAME));
	close(kmsg);
}

TEST(a_registration_in_an_arc_cycle_unloads)
{
	int kmsg = kmsg_open();

	ASSERT_EQ(0, load_module(NAME, "cycle=1"));
	EXPECT_EQ(1, bound_devices("hostile_cycle"));
	EXPECT_EQ(0, unload_module(NAME));
	EXPECT_TRUE(kmsg_wait(kmsg, "driver hostile_cycle leaked by the driver, unregistered at unload",
			      5000, NULL, 0));
	EXPECT_TRUE(!module_loaded());
	/* Unregistered for real: no PCI driver left behind in freed module memory. */
	EXPECT_EQ(-1, bound_devices("hostile_cycle"));
	close(kmsg);
}

TEST(scatter_gather_sizes_are_checked)
{
	int kmsg = kmsg_open();

	ASSERT_EQ(0, load_module(NAME, "sg_limits=1"));
	EXPECT_TRUE(kmsg_wait(kmsg, "hostile_sg: all checks passed", 5000, NULL, 0));
	EXPECT_EQ(1, bound_devices("hostile_sg"));
	EXPECT_EQ(0, unload_module(NAME));
	close(kmsg);
}

int main(void)
{
	return ktest_run();
}
