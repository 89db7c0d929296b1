// SPDX-License-Identifier: GPL-2.0
/*
 * rkm_ktest test: loads the crate's in-kernel unit tests and relays their
 * KTAP from the kernel log; fails on any "not ok" or a missing result.
 */
#include "ktest.h"

int main(void)
{
	char line[512];
	int fd = kmsg_open(), failed = -1, lines = 0, not_ok = 0;
	bool started = false;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (fd < 0 || load_module("rkm_ktest", NULL)) {
		printf("# cannot load rkm_ktest: %s\n", strerror(errno));
		return 1;
	}
	while (kmsg_wait(fd, "rkm_ktest: ", 5000, line, sizeof(line))) {
		const char *ktap = line + strlen("rkm_ktest: ");

		if (sscanf(ktap, "# ktest done: %d failed", &failed) == 1)
			break;
		/* The module's own lines before KTAP (taint notices) are not relayed. */
		started = started || !strncmp(ktap, "KTAP version", 12);
		if (!started)
			continue;
		puts(ktap);
		lines++;
		not_ok += strstr(ktap, "not ok") != NULL;
	}
	unload_module("rkm_ktest");
	if (failed != 0 || not_ok || lines < 4) {
		printf("# %d failed cases, %d not-ok lines, %d lines\n", failed, not_ok, lines);
		return 1;
	}
	return 0;
}
