// SPDX-License-Identifier: GPL-2.0
/* rust_print test: each level and each formatting line, exactly. */
#include "ktest.h"

struct want {
	int level;
	const char *text;
};

static void expect_lines(int fd, const struct want *w, int n)
{
	char line[512];
	int i, level;

	for (i = 0; i < n; i++) {
		level = -1;
		if (!kmsg_wait_level(fd, w[i].text, 3000, line, sizeof(line), &level)) {
			printf("# missing: \"%s\"\n", w[i].text);
			EXPECT_TRUE(false);
			continue;
		}
		if (level != w[i].level)
			printf("# \"%s\" at level %d, expected %d\n", line, level, w[i].level);
		EXPECT_EQ(w[i].level, level);
		/* Whole line, prefix included: nothing added, nothing cut. */
		if (strcmp(line, w[i].text))
			printf("# got \"%s\"\n#  expected \"%s\"\n", line, w[i].text);
		EXPECT_EQ(0, strcmp(line, w[i].text));
	}
}

static const struct want lines[] = {
	{ 0, "rust_print: emerg level" },
	{ 1, "rust_print: alert level" },
	{ 2, "rust_print: crit level" },
	{ 3, "rust_print: err level" },
	{ 4, "rust_print: warning level" },
	{ 5, "rust_print: notice level" },
	{ 6, "rust_print: info level" },
	{ 6, "rust_print: ints: 42 -7 -2147483648 -9223372036854775808 18446744073709551615" },
	{ 6, "rust_print: radix: ff 0xFF 10 0b101" },
	{ 6, "rust_print: width: [    42] [42    ] [  42  ] [-00042] [+42]" },
	{ 6, "rust_print: strings: plain \"quoted\\t\" [   right] ünïcødé" },
	{ 6, "rust_print: slices: [1, 2, 3] [-1, 0, 1] [ab, cd]" },
	{ 6, "rust_print: struct: Point { x: 3, y: -4 }" },
	{ 6, "rust_print: pretty: Circle {" },
	{ 6, "rust_print:     center: Point {" },
	{ 6, "rust_print:         x: 3," },
	{ 6, "rust_print:         y: -4," },
	{ 6, "rust_print:     }," },
	{ 6, "rust_print:     radius: 5," },
	{ 6, "rust_print: }" },
	{ 6, "rust_print: errors: ENOMEM EINVAL Error(200)" },
	{ 6, "rust_print: kstring: squares [0, 1, 4, 9, 16]" },
};

TEST(levels_and_formatting)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_print", NULL));
	expect_lines(fd, lines, sizeof(lines) / sizeof(lines[0]));
	ASSERT_EQ(0, unload_module("rust_print"));
}

/* 6 + 60 * 8 - 6 * 6... built as in rust_print.rs, then split at 256 bytes. */
TEST(long_lines_are_split_not_cut)
{
	char expect[1024] = "long: ", got[1024] = "", line[512];
	int fd = kmsg_open(), i;
	size_t off;

	for (i = 0; i < 60; i++)
		strcat(expect, i % 10 == 9 ? "9|" : "........");
	strcat(expect, "END");
	ASSERT_EQ(0, load_module("rust_print", NULL));
	ASSERT_TRUE(kmsg_wait(fd, "rust_print: long: ", 3000, line, sizeof(line)));
	strcat(got, line + strlen("rust_print: "));
	EXPECT_EQ(256, strlen(line) - strlen("rust_print: "));
	for (off = 256; off < strlen(expect); off += 256) {
		ASSERT_TRUE(kmsg_wait(fd, "rust_print: ", 3000, line, sizeof(line)));
		strcat(got, line + strlen("rust_print: "));
	}
	if (strcmp(got, expect))
		printf("# joined \"%s\"\n# expected \"%s\"\n", got, expect);
	EXPECT_EQ(0, strcmp(got, expect));
	ASSERT_EQ(0, unload_module("rust_print"));
}

TEST(pr_debug_follows_dynamic_debug)
{
	int fd = kmsg_open(), level = -1;
	char line[512];

	ASSERT_EQ(0, load_module("rust_print", NULL));
	EXPECT_TRUE(kmsg_wait(fd, "rust_print: kstring:", 3000, NULL, 0));
	ASSERT_EQ(0, unload_module("rust_print"));
	EXPECT_TRUE(!kmsg_wait(fd, "rust_print: debug level", 300, NULL, 0));

	/* dyndbg= is the kernel's own module parameter for dynamic debug. */
	fd = kmsg_open();
	ASSERT_EQ(0, load_module("rust_print", "dyndbg=+p"));
	ASSERT_TRUE(kmsg_wait_level(fd, "rust_print: debug level, arguments formatted only when enabled",
				    3000, line, sizeof(line), &level));
	EXPECT_EQ(7, level);
	printf("# with dyndbg=+p: %s\n", line);
	ASSERT_EQ(0, unload_module("rust_print"));
}

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_print", NULL);
}

int main(void)
{
	return ktest_run();
}
