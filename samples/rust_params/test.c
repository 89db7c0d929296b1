// SPDX-License-Identifier: GPL-2.0
/*
 * rust_params test: every parameter type through insmod arguments and sysfs,
 * and the refusal of bad values with a clear errno and log line. The
 * twin scenarios run the same loads and writes on rust_params and c_params
 * (the kernel's own param_ops_*) and require identical transcripts.
 */
#include "ktest.h"

#define P "/sys/module/rust_params/parameters/"

static void expect_param(const char *name, const char *want)
{
	char path[128], buf[256];

	snprintf(path, sizeof(path), P "%s", name);
	ASSERT_TRUE(read_file(path, buf, sizeof(buf)) >= 0);
	buf[strcspn(buf, "\n")] = '\0';
	if (strcmp(buf, want))
		printf("# %s is '%s', expected '%s'\n", name, buf, want);
	EXPECT_EQ(0, strcmp(buf, want));
}

TEST(defaults_show_in_sysfs_and_reach_rust)
{
	int fd = kmsg_open();
	char line[512];

	ASSERT_EQ(0, load_module("rust_params", NULL));
	expect_param("enable", "Y");
	expect_param("level", "-3");
	expect_param("count", "8");
	expect_param("offset", "-5000000000");
	expect_param("big", "18446744073709551615");
	expect_param("name", "rkm");
	expect_param("ids", "1,-2,3");
	expect_param("masks", "");
	ASSERT_TRUE(kmsg_wait(fd, "rust_params: init: enable=true level=-3 count=8 offset=-5000000000 "
			      "big=18446744073709551615 name=rkm ids=[1, -2, 3] masks=[]", 2000, line, sizeof(line)));
	printf("# log: %s\n", line);
	ASSERT_EQ(0, unload_module("rust_params"));
}

TEST(insmod_arguments_set_every_type)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_params", "enable=0 level=-10 count=4294967295 offset=1 big=0 "
				 "name=abc ids=7 masks=255,0"));
	expect_param("enable", "N");
	expect_param("level", "-10");
	expect_param("count", "4294967295");
	expect_param("offset", "1");
	expect_param("big", "0");
	expect_param("name", "abc");
	expect_param("ids", "7");
	expect_param("masks", "255,0");
	EXPECT_TRUE(kmsg_wait(fd, "init: enable=false level=-10 count=4294967295 offset=1 big=0 name=abc "
			      "ids=[7] masks=[255, 0]", 2000, NULL, 0));
	ASSERT_EQ(0, unload_module("rust_params"));
}

TEST(sysfs_writes_reach_rust_and_bad_writes_change_nothing)
{
	int fd = kmsg_open();

	ASSERT_EQ(0, load_module("rust_params", NULL));
	ASSERT_EQ(0, write_file(P "level", "7\n"));
	ASSERT_EQ(0, write_file(P "enable", "n\n"));
	ASSERT_EQ(0, write_file(P "name", "hello\n"));
	ASSERT_EQ(0, write_file(P "ids", "4,5,-6,7\n"));
	ASSERT_ERRNO(ERANGE, write_file(P "level", "11"));
	ASSERT_ERRNO(EINVAL, write_file(P "count", "-1"));
	ASSERT_ERRNO(ENOSPC, write_file(P "name", "0123456789abcdefX"));
	ASSERT_ERRNO(EINVAL, write_file(P "ids", "1,2,3,4,5"));
	ASSERT_ERRNO(ERANGE, write_file(P "masks", "1,256"));
	/* Read-only for everybody, root included: no store method. */
	ASSERT_ERRNO(EACCES, write_file(P "offset", "2"));
	expect_param("level", "7");
	expect_param("name", "hello");
	expect_param("ids", "4,5,-6,7");
	expect_param("masks", "");
	ASSERT_EQ(0, unload_module("rust_params"));
	EXPECT_TRUE(kmsg_wait(fd, "exit: enable=false level=7 count=8 offset=-5000000000 "
			      "big=18446744073709551615 name=hello ids=[4, 5, -6, 7] masks=[]", 2000, NULL, 0));
}

static void expect_refused(const char *args, int err, const char *why)
{
	int fd = kmsg_open();
	char line[512];

	errno = 0;
	EXPECT_EQ(-1, load_module("rust_params", args));
	EXPECT_EQ(err, errno);
	EXPECT_TRUE(access("/sys/module/rust_params", F_OK) != 0);
	if (!kmsg_wait(fd, why, 2000, line, sizeof(line))) {
		printf("# no log line containing \"%s\" for %s\n", why, args);
		EXPECT_TRUE(false);
	} else {
		printf("# %s -> %s; log: %s\n", args, strerror(err), line);
	}
}

TEST(bad_insmod_arguments_are_refused_with_a_reason)
{
	expect_refused("level=11", ERANGE, "parameter level: '11' is out of range [-10, 10]");
	expect_refused("level=-2147483649", ERANGE, "parameter level: '-2147483649' is out of range [-10, 10]");
	expect_refused("count=4294967296", ERANGE, "parameter count: '4294967296' is not a valid u32");
	expect_refused("count=abc", EINVAL, "parameter count: 'abc' is not a valid u32");
	expect_refused("big=-1", EINVAL, "parameter big: '-1' is not a valid u64");
	expect_refused("enable=maybe", EINVAL, "parameter enable: 'maybe' is not a valid bool");
	expect_refused("name=0123456789abcdefX", ENOSPC, "parameter name: 17 bytes is longer than its maximum, 16");
	expect_refused("ids=1,2,3,4,5", EINVAL, "parameter ids: more than 4 elements");
	expect_refused("ids=1,x", EINVAL, "parameter ids: 'x' is not a valid i32");
	expect_refused("count", EINVAL, "parameter count needs a value");
}

/* ---- the same loads and writes on rust_params and its C twin ---- */

static const char *const twins[] = { "rust_params", "c_params", NULL };
static const char *const all_params[] = { "enable", "level", "count", "offset", "big",
					  "name", "ids", "masks", NULL };

/* Records a parameter of the twin being run exactly as sysfs shows it. */
static void tr_param(const char *param)
{
	char path[160], buf[256], esc[600];
	ssize_t n, i;
	size_t o = 0;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", ktest_twin, param);
	n = read_file(path, buf, sizeof(buf));
	if (n < 0) {
		tr_printf("%s: %s", param, ktest_errname(errno));
		return;
	}
	for (i = 0; i < n && o < sizeof(esc) - 5; i++) {
		unsigned char c = buf[i];

		if (c == '\n')
			o += snprintf(esc + o, sizeof(esc) - o, "\\n");
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(esc + o, sizeof(esc) - o, "\\x%02x", c);
		else
			esc[o++] = c;
	}
	esc[o] = '\0';
	tr_printf("  %s = \"%s\"", param, esc);
}

static void tr_params(void)
{
	int i;

	for (i = 0; all_params[i]; i++)
		tr_param(all_params[i]);
}

/* One write(2) of n bytes, NULs included, to a parameter of the twin being run. */
static ssize_t param_write(const char *param, const char *data, size_t n)
{
	char path[160];
	ssize_t r;
	int fd, e;

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", ktest_twin, param);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, data, n);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* Writes a string literal (its NULs included) and records the result and the value. */
#define TR_WRITE(want, param, lit) do { \
	TR_CALL_AS((want), "write " param " " #lit, param_write(param, lit, sizeof(lit) - 1)); \
	tr_param(param); \
} while (0)

/* (Re)loads the twin being run with args; records the result and, if loaded, every value. */
static void tr_load(long long want, const char *args)
{
	char label[400];

	ktest_unload_wait(ktest_twin, 5000);
	snprintf(label, sizeof(label), "load '%s'", args);
	if (TR_CALL_AS(want, label, load_module(ktest_twin, args)) == 0)
		tr_params();
}

#define LONG_ZEROS "00000000000000000000000000000000000000"	/* 38 */

static void load_arguments(void)
{
	/* A few: each load costs about 0.25 s on the debug kernel; sysfs_writes() has them all. */
	static const char *const bools[] = { "off", "t", "yes", "2", "", NULL };
	char args[64];
	int i;

	/* Every occurrence is parsed in order; the last one wins... */
	tr_load(0, "level=5 level=2");
	tr_load(0, "count=9 count=2 count=0x10");
	tr_load(0, "ids=5 ids=6,7 name=abc name=0123456789abcdef enable=0 enable");
	/* ...and one out of range fails the load, as with param_set_uint_minmax(). */
	tr_load(-ERANGE, "level=11 level=2");
	tr_load(-ERANGE, "level=2 level=11");
	/* Bases, signs and limits as kstrto*(..., 0, ...) take them. */
	tr_load(0, "count=010 level=+7 big=0xffffffffffffffff offset=-9223372036854775808");
	tr_load(0, "level=-0 count=0X1f big=0");
	tr_load(-EINVAL, "count=-1");
	tr_load(-EINVAL, "big=-0");
	tr_load(-ERANGE, "count=4294967296");
	tr_load(-ERANGE, "level=-2147483649");
	tr_load(-ERANGE, "offset=9223372036854775808");
	tr_load(-ERANGE, "big=18446744073709551616");
	tr_load(-EINVAL, "count=");
	tr_load(-EINVAL, "count=08");
	/* A bare name: true for a bool, EINVAL for every other kind. */
	tr_load(-EINVAL, "count");
	tr_load(-EINVAL, "level");
	tr_load(-EINVAL, "name");
	tr_load(-EINVAL, "ids");
	tr_load(-EINVAL, "masks");
	/* An empty value: an empty string, but one invalid array element. */
	tr_load(0, "name=");
	tr_load(-EINVAL, "ids=");
	tr_load(-EINVAL, "ids=1,");
	tr_load(-EINVAL, "ids=1,,2");
	/* Array elements of any length (32 and more characters). */
	tr_load(0, "ids=" LONG_ZEROS "7,-" LONG_ZEROS "1,+" LONG_ZEROS "10 masks=" LONG_ZEROS "255");
	tr_load(-EINVAL, "ids=1,2,3,4,5");
	tr_load(-ERANGE, "masks=1,256");
	tr_load(-ENOSPC, "name=0123456789abcdefX");
	/* The bool forms: whatever this kernel's kstrtobool() takes, the same for both. */
	for (i = 0; bools[i]; i++) {
		snprintf(args, sizeof(args), "enable=%s", bools[i]);
		ktest_unload_wait(ktest_twin, 5000);
		if (TR_CALL_AS(KTEST_ANY, args, load_module(ktest_twin, args)) == 0)
			tr_param("enable");
	}
}

static void sysfs_writes(void)
{
	static const char *const bools[] = { "y", "Y", "n", "N", "1", "0", "on", "off", "ON", "oFF",
					     "t", "f", "T", "F", "true", "false", "yes", "no", "2", "x",
					     "o", "of", "0junk", "y\n", "n\n", "\n", "", NULL };
	int i;

	tr_params();	/* the defaults; an empty array shows as nothing, not "\n" */
	/* A write ends at its first NUL, as kstrto*() and strlen() see it. */
	TR_WRITE(6, "count", "5\0junk");
	TR_WRITE(5, "level", "3\0 99");
	TR_WRITE(8, "name", "hi\0there");
	TR_WRITE(4, "ids", "3\0,4");
	/* One trailing newline (echo's), nothing else. */
	TR_WRITE(2, "count", "7\n");
	TR_WRITE(-EINVAL, "count", "7\n\n");
	TR_WRITE(-EINVAL, "count", " 7");
	TR_WRITE(-EINVAL, "count", "7 ");
	TR_WRITE(2, "count", "+9");
	TR_WRITE(4, "count", "0x10");
	TR_WRITE(-EINVAL, "count", "-1");
	TR_WRITE(-ERANGE, "count", "4294967296");
	TR_WRITE(-EINVAL, "count", "\n");
	TR_WRITE(-ERANGE, "level", "11");
	TR_WRITE(-ERANGE, "level", "-11\n");
	TR_WRITE(6, "name", "hello\n");
	TR_WRITE(4, "name", "a\nb\n");
	TR_WRITE(17, "name", "0123456789abcdef\n");
	TR_WRITE(-ENOSPC, "name", "0123456789abcdefX");
	TR_WRITE(1, "name", "\n");
	/* Arrays: split at commas only; each element takes its own newline. */
	TR_WRITE(9, "ids", "4,5,-6,7\n");
	TR_WRITE(6, "ids", "1,2\n,3");
	TR_WRITE(2, "ids", "8\n");
	TR_WRITE(-EINVAL, "ids", "9,x");
	TR_WRITE(-EINVAL, "ids", "1,2,3,4,5");
	TR_WRITE(-EINVAL, "ids", "\n");
	TR_WRITE(-EINVAL, "ids", "1,,2");
	TR_WRITE(41, "ids", LONG_ZEROS "12\n");
	TR_WRITE(-ERANGE, "masks", "1,256");
	TR_WRITE(4, "masks", "255\n");
	/* Bools: whatever this kernel's kstrtobool() takes, the same for both. */
	for (i = 0; bools[i]; i++) {
		char label[64];

		snprintf(label, sizeof(label), "write enable \"%s\"", bools[i]);
		TR_CALL_AS(KTEST_ANY, label, param_write("enable", bools[i], strlen(bools[i])));
		tr_param("enable");
	}
	TR_WRITE(-EACCES, "offset", "2");
}

TEST(load_arguments_parse_as_for_c) { ktest_twins(twins, load_arguments); }
TEST(sysfs_writes_parse_as_for_c) { ktest_twins(twins, sysfs_writes); }

/*
 * Hostile values at random (a fixed seed: both twins get the same ones):
 * sysfs writes of bytes that include NULs, newlines, commas, signs, bases and
 * long runs of zeros, and loads with several occurrences of each parameter.
 * Nothing is expected but that C and Rust give the same results and values.
 */
static unsigned long long fuzz_state;

static unsigned int fuzz_next(unsigned int n)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return (unsigned int)(fuzz_state % n);
}

/*
 * A random value of up to max bytes: mostly plausible ones (numbers, lists,
 * bool words, with signs, bases and long runs of zeros), some mutated by a
 * byte of alphabet, some only bytes of alphabet. Returns its length.
 */
static size_t fuzz_value(char *buf, size_t max, const char *alphabet, size_t nalpha)
{
	static const char *const words[] = { "y", "n", "on", "off", "Y", "N", "true", "no", "0x", "-0",
					     "+", "0x7fffffff", "4294967295", "4294967296",
					     "-2147483648", "18446744073709551615", "255", "256", "abc" };
	size_t i = 0, n;
	int elems = fuzz_next(2) ? 1 : 1 + (int)fuzz_next(3);

	if (fuzz_next(6) == 0) {
		n = fuzz_next((unsigned int)max + 1);
		while (i < n)
			buf[i++] = alphabet[fuzz_next((unsigned int)nalpha)];
		return n;
	}
	while (elems-- && i + 41 <= max) {	/* the longest element: 41 bytes */
		unsigned int k = fuzz_next(8);

		if (i)
			buf[i++] = ',';
		if (k == 0) {
			const char *w = words[fuzz_next(sizeof(words) / sizeof(words[0]))];

			memcpy(buf + i, w, strlen(w));
			i += strlen(w);
			continue;
		}
		if (k == 1)
			buf[i++] = fuzz_next(2) ? '-' : '+';
		if (k == 2)
			for (n = fuzz_next(36); n-- > 0;)
				buf[i++] = '0';
		for (n = 1 + fuzz_next(2); n-- > 0;)
			buf[i++] = '0' + fuzz_next(10);
	}
	if (fuzz_next(4) == 0 && i)
		buf[fuzz_next((unsigned int)i)] = alphabet[fuzz_next((unsigned int)nalpha)];
	return i;
}

static void hostile_values(void)
{
	static const char sysfs_alpha[] = "0123456789,,,\n\n\0+-xX9aAfFyYnNoOtT \t\377";
	static const char load_alpha[] = "0123456789,,,+-xX9aAfFyYnNoOtT\377";
	static const char *const writable[] = { "enable", "level", "count", "big", "name", "ids",
						"masks", NULL };
	char val[64], args[400], label[600];
	int i, j, k, writes = 0, loads = 0;
	long long t0 = ktest_ms(), t1;

	fuzz_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 200; i++) {
		const char *param = writable[fuzz_next(7)];
		size_t n = fuzz_value(val, sizeof(val) - 2, sysfs_alpha, sizeof(sysfs_alpha) - 1);
		size_t o;

		if (fuzz_next(2))
			val[n++] = '\n';

		o = (size_t)snprintf(label, sizeof(label), "write %s", param);
		for (j = 0; j < (int)n && o < sizeof(label) - 5; j++)
			o += (size_t)snprintf(label + o, sizeof(label) - o, " %02x", (unsigned char)val[j]);
		writes += TR_CALL_AS(KTEST_ANY, label, param_write(param, val, n)) >= 0;
		tr_param(param);
	}
	t1 = ktest_ms();
	for (i = 0; i < 16; i++) {
		size_t o = 0;

		for (k = 1 + fuzz_next(2); k > 0; k--) {
			const char *param = all_params[fuzz_next(8)];
			int bare = fuzz_next(16) == 0;

			for (j = 1 + (fuzz_next(3) == 0); j > 0 && o < sizeof(args) - 70; j--) {
				o += (size_t)snprintf(args + o, sizeof(args) - o, "%s%s%s", o ? " " : "",
						      param, bare ? "" : "=");
				if (!bare) {
					o += fuzz_value(args + o, 60, load_alpha, sizeof(load_alpha) - 1);
					args[o] = '\0';
				}
			}
		}
		ktest_unload_wait(ktest_twin, 5000);
		snprintf(label, sizeof(label), "load '%s'", args);
		if (TR_CALL_AS(KTEST_ANY, label, load_module(ktest_twin, args)) == 0) {
			loads++;
			tr_params();
		}
	}
	printf("# %s: %d of 200 writes (%lld ms) and %d of 16 loads (%lld ms) accepted\n", ktest_twin,
	       writes, t1 - t0, loads, ktest_ms() - t1);
}

TEST(hostile_values_at_random_parse_as_for_c) { ktest_twins(twins, hostile_values); }

/* The glue's own parameter, in every rkm module: an int that cannot go negative. */
TEST(rkm_fail_nth_takes_0_to_int_max)
{
	char buf[64];

	errno = 0;
	if (load_module("rust_params", "rkm_fail_nth=4294967295") == 0) {
		printf("# rkm_fail_nth=4294967295 loaded\n");
		EXPECT_TRUE(false);
		unload_module("rust_params");
	} else {
		EXPECT_EQ(ERANGE, errno);
	}
	ASSERT_EQ(0, load_module("rust_params", NULL));
	ASSERT_ERRNO(ERANGE, write_file(P "rkm_fail_nth", "2147483648"));
	ASSERT_ERRNO(ERANGE, write_file(P "rkm_fail_nth", "4294967295"));
	ASSERT_ERRNO(EINVAL, write_file(P "rkm_fail_nth", "-1"));
	ASSERT_EQ(0, write_file(P "rkm_fail_nth", "2147483647"));
	ASSERT_TRUE(read_file(P "rkm_fail_nth", buf, sizeof(buf)) >= 0);
	EXPECT_EQ(0, strcmp(buf, "2147483647\n"));
	ASSERT_EQ(0, write_file(P "rkm_fail_nth", "0"));
	ASSERT_EQ(0, unload_module("rust_params"));
}

TEST(every_allocation_of_init_fails_cleanly)
{
	expect_init_walk("rust_params", NULL);
}

int main(void)
{
	return ktest_run();
}
