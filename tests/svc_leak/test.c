// SPDX-License-Identifier: GPL-2.0
/*
 * svc_leak test: a driver leaks running timers, a work item, its workqueue,
 * a thread and a debugfs directory, and threads that own registrations or
 * create objects once stopped; unloading must stop them all (each reported), remove the directory, and leave a kernel that keeps running
 * (an expiry into the unloaded module would oops: the kernel-log check).
 */
#include "ktest.h"

#include <dirent.h>

static long long num(const char *file)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/kernel/debug/svc_leak/%s", file);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static bool thread_running(const char *name)
{
	struct dirent *d;
	bool found = false;
	DIR *proc = opendir("/proc");

	while (proc && !found && (d = readdir(proc))) {
		char path[300], comm[64];

		snprintf(path, sizeof(path), "/proc/%s/comm", d->d_name);
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9' &&
		    read_file(path, comm, sizeof(comm)) > 0) {
			comm[strcspn(comm, "\n")] = '\0';
			found = !strcmp(comm, name);
		}
	}
	if (proc)
		closedir(proc);
	return found;
}

TEST(leaked_services_stop_at_unload)
{
	/* In the order the glue reports them. */
	static const char *const what[] = { "kthread", "misc device svc_late", "debugfs directory",
					     "hrtimer", "timer", "work item", "workqueue" };
	static const char *const threads[] = { "svc_leak", "svc_owner", "svc_owned", "svc_late",
						"svc_late_thread" };
	static const char *const files[] = { "hrtimer", "timer", "work", "thread" };
	long long before[4];
	int fd = kmsg_open(), i, round;

	ASSERT_TRUE(fd >= 0);
	for (round = 0; round < 3; round++) {
		ASSERT_EQ(0, load_module("svc_leak", NULL));
		for (i = 0; i < 4; i++)
			before[i] = num(files[i]);
		usleep(100 * 1000);
		for (i = 0; i < 4; i++)
			EXPECT_TRUE(num(files[i]) > before[i]);
		EXPECT_TRUE(thread_running("svc_leak"));
		EXPECT_TRUE(thread_running("svc_owner"));
		EXPECT_TRUE(thread_running("svc_owned"));
		EXPECT_TRUE(access("/dev/svc_leak_owned", F_OK) == 0);
		ASSERT_EQ(0, unload_module("svc_leak"));
		for (i = 0; i < 7; i++) {
			char needle[128];

			snprintf(needle, sizeof(needle), "svc_leak: %s leaked by the driver", what[i]);
			EXPECT_TRUE(kmsg_wait(fd, needle, 2000, NULL, 0));
		}
		EXPECT_TRUE(access("/sys/kernel/debug/svc_leak", F_OK) != 0);
		/* The owned device went with its owner; the late one with the sweep. */
		EXPECT_TRUE(access("/dev/svc_leak_owned", F_OK) != 0);
		EXPECT_TRUE(access("/dev/svc_late", F_OK) != 0);
		for (i = 0; i < 5; i++) {
			int n;

			for (n = 0; n < 100 && thread_running(threads[i]); n++)
				usleep(10000);
			EXPECT_TRUE(!thread_running(threads[i]));
		}
		/* Expiries would have come every 1 ms into the freed module. */
		usleep(100 * 1000);
	}
}

int main(void)
{
	return ktest_run();
}
