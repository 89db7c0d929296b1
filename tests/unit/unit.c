// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-unit: unit tests of the host tool's parsers, linked with the tool's sources
 * (all but main.c): KTAP lines, the skip list, manifests, integer options,
 * and each command's --help against its usage text in README.md. KTAP out;
 * the last line is "rkm-unit: N passed, M failed".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rkm.h"

static int failures;	/* in the current test */
static const char *root;
static char *tmp;	/* a scratch directory, removed at the end */

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			printf("# %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);				\
			printf("\n");					\
			failures++;					\
		}							\
	} while (0)

/* Runs fn(arg) in a child; its stderr into err. Returns its exit status (0 if fn returned). */
static int in_child(void (*fn)(void *), void *arg, char *err, size_t len)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		fn(arg);
		exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], err + got, len - 1 - got)) > 0)
		got += n;
	err[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write %s", path);
}

/* Runs cmd with sh; stdout into out. Returns its exit status. */
static int capture(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	size_t len = 0, cap = 0;
	char buf[4096];
	size_t n;
	int status;

	*out = NULL;
	while (p && (n = fread(buf, 1, sizeof(buf), p)) > 0) {
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			*out = realloc(*out, cap);
		}
		memcpy(*out + len, buf, n);
		len += n;
	}
	if (!*out)
		*out = calloc(1, 1);
	(*out)[len] = '\0';
	status = p ? pclose(p) : -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- KTAP ---- */

static void test_ktap_line(void)
{
	static const char *const lines[] = {
		"KTAP version 1", "1..4", "ok 1 first", "    # why the second fails",
		"    not ok 3 nested", "not ok 2 second", "ok 3 third # SKIP no device",
		"# a comment", "ok 4 fourth",
	};
	FILE *log = fopen("/dev/null", "w");
	struct ktap *t = ktap_new(log, true);
	int planned, passed, failed, skipped;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ktap_line(t, lines[i]);
	ktap_counts(t, &planned, &passed, &failed, &skipped, &why);
	CHECK(planned == 4, "planned %d", planned);
	CHECK(passed == 2 && failed == 1 && skipped == 1, "%d passed, %d failed, %d skipped",
	      passed, failed, skipped);
	CHECK(!strcmp(why, "    # why the second fails\n    not ok 3 nested\nnot ok 2 second\n"),
	      "failures '%s'", why);
	fclose(log);
}

/*
 * The int3 Oops rkm boots once more for (vm.c, stale_int3): one from a
 * console log of this machine (6.12, early boot: "66 <90>", the patched
 * NOP), the same on 6.1's wording, and a genuine int3 ("cc <..>": the
 * padding after a ret), which must fail at once.
 */
static void test_stale_int3(void)
{
	static const struct {
		const char *log;
		bool stale;
	} cases[] = {
		{ "[    2.842445] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
		  "[    2.845344] RIP: 0010:sched_clock_cpu+0x9/0x190\n"
		  "[    2.846026] Code: 90 90 f3 0f 1e fa 41 54 55 53 66 <90> e8 71 ad f0 ff 48 03\n"
		  "[    2.853256] Code: 22 d7 c3 cc cc cc cc 0f 1f 40 00 fb f4 <c3> cc cc cc cc\n", true },
		{ "[    3.1] int3: 0000 [#1] PREEMPT SMP NOPTI\n"
		  "[    3.2] Code: 0f 1f 44 00 00 e9 <12> 34 56 78\n", true },
		{ "[    3.1] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
		  "[    3.2] Code: 5d 41 5c c3 cc <cc> cc cc 0f 1f 44 00 00\n", false },
		{ "[    3.1] Oops: general protection fault: 0000 [#1] PREEMPT SMP NOPTI\n"
		  "[    3.2] Code: 90 90 66 <90> e8 71\n", false },
		{ "[    3.2] Code: 90 90 66 <90> e8 71\n", false },
	};
	char *path = xasprintf("%s/console.log", tmp);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *f = fopen(path, "w");

		fputs(cases[i].log, f);
		fclose(f);
		CHECK(stale_int3(path) == cases[i].stale, "case %zu: expected %s", i,
		      cases[i].stale ? "stale" : "not stale");
	}
	CHECK(!stale_int3("/nonexistent/console.log"), "a missing log is no stale int3");
	free(path);
}

static void test_ktap_plan_resets_pending(void)
{
	FILE *log = fopen("/dev/null", "w");
	struct ktap *t = ktap_new(log, true);
	int planned, passed, failed, skipped;
	const char *why;

	ktap_line(t, "# boot noise");
	ktap_line(t, "1..1");
	ktap_line(t, "not ok 1 only");
	ktap_counts(t, &planned, &passed, &failed, &skipped, &why);
	CHECK(planned == 1 && failed == 1, "planned %d failed %d", planned, failed);
	CHECK(!strcmp(why, "not ok 1 only\n"), "failures '%s'", why);
	fclose(log);
}

/* ---- the skip list ---- */

static void skips_bad(void *path)
{
	skips_for(path, "6.12");
}

static void test_skiplist(void)
{
	char *path = xasprintf("%s/skips", tmp), err[1024];
	char *s;

	write_text(path, "# kernel test reason\n\n6.12 rust_echo-test needs a fix upstream\n"
			 "* rkm-fuzz\tslow everywhere\n6.1 other not this kernel\n");
	s = skips_for(path, "6.12");
	CHECK(!strcmp(s, "skip rust_echo-test needs a fix upstream\nskip rkm-fuzz slow everywhere\n"),
	      "got '%s'", s);
	s = skips_for(path, "debug");
	CHECK(!strcmp(s, "skip rkm-fuzz slow everywhere\n"), "got '%s'", s);
	s = skips_for(xasprintf("%s/none", tmp), "6.12");
	CHECK(!strcmp(s, ""), "no file: got '%s'", s);
	write_text(path, "6.1 ok a reason\n6.12 rust_echo-test\n");
	CHECK(in_child(skips_bad, path, err, sizeof(err)) == 2, "a line without a reason is refused");
	CHECK(strstr(err, xasprintf("rkm: %s:2: a skip needs a kernel, a test and a reason: "
				    "'6.12 rust_echo-test'", path)), "stderr '%s'", err);
}

/* ---- manifests ---- */

static char *driver_dir(const char *name, const char *manifest)
{
	char *dir = xasprintf("%s/%s", tmp, name);

	mkdirs(xasprintf("%s/c_twin", dir));
	write_text(xasprintf("%s/c_twin/Kbuild", dir), "obj-m := c_twin.o\n");
	if (manifest)
		write_text(xasprintf("%s/%s", dir, RKM_MANIFEST), manifest);
	return dir;
}

static void test_manifest_good(void)
{
	char *dir = driver_dir("drv", "# a comment line\n"
				      "qemu  -device pci-testdev   # trailing comment\n"
				      "qemu -drive if=none,id=d0,driver=null-co -device virtio-blk,drive=d0\n"
				      "fuzz drv echo\n"
				      "fuzz c_twin echo\n"
				      "fuzz null_blk nullb nullb0 configfs=nullb\n"
				      "fuzz drv echo configfs=drv_cfs\n"
				      "twin c_twin\n"
				      "kernel-module null_blk\n"
				      "\tcycles 50\n"
				      "failslab drv:drv c_twin:c_twin:files\n"
				      "bench qemu -device pci-testdev\n"
				      "bench pair drv c_twin\n"
				      "bench params instances=2 x=1\n"
				      "bench workload w1 w2\n"
				      "bench workload w3\n"
				      "bench alternate-load-order\n"
				      "bench code-limit 2048\n"
				      "variant intx pci=nomsi\n"
				      "variant noapic noapic nolapic\n"
				      "kernel-args iomem=relaxed quiet\n");
	struct manifest m;

	manifest_load(dir, &m);
	CHECK(!strcmp(m.name, "drv"), "name %s", m.name);
	CHECK(m.nqemu == 2 && !strcmp(m.qemu[0], "-device pci-testdev") &&
	      !strcmp(m.qemu[1], "-drive if=none,id=d0,driver=null-co -device virtio-blk,drive=d0"),
	      "qemu %d", m.nqemu);
	CHECK(m.ntwins == 1 && !strcmp(m.twins[0], "c_twin"), "twins %d", m.ntwins);
	CHECK(m.nfuzz == 4 && !strcmp(m.fuzz[0], "drv:echo") && !strcmp(m.fuzz[1], "c_twin:echo") &&
	      !strcmp(m.fuzz[2], "null_blk:nullb:nullb0:configfs=nullb") &&
	      !strcmp(m.fuzz[3], "drv:echo:configfs=drv_cfs"), "fuzz %d", m.nfuzz);
	CHECK(m.cycles == 50, "cycles %d", m.cycles);
	CHECK(m.nfailslab == 2 && !strcmp(m.failslab[1], "c_twin:c_twin:files"), "failslab %d",
	      m.nfailslab);
	CHECK(m.bench_c && !strcmp(m.bench_c, "c_twin"), "bench pair");
	CHECK(m.bench_params && !strcmp(m.bench_params, "instances=2 x=1"), "bench params");
	CHECK(m.nbench_qemu == 1 && !strcmp(m.bench_qemu[0], "-device pci-testdev"), "bench qemu");
	CHECK(m.nworkloads == 3 && !strcmp(m.workloads[2], "w3"), "workloads %d", m.nworkloads);
	CHECK(m.alternate, "alternate-load-order");
	CHECK(m.code_limit == 2048, "code-limit %ld", m.code_limit);
	CHECK(m.nvariants == 2 && !strcmp(manifest_variant(&m, "intx"), "pci=nomsi") &&
	      !strcmp(manifest_variant(&m, "noapic"), "noapic nolapic") &&
	      !manifest_variant(&m, "nomsi"), "variants %d", m.nvariants);
	CHECK(m.kernel_args && !strcmp(m.kernel_args, "iomem=relaxed quiet"), "kernel-args");
}

/* 'nic MODEL COUNT': a hub port and a device a NIC, numbered over the manifest's nic lines. */
static void test_manifest_nics(void)
{
	char *dir = driver_dir("nics", "nic e1000 2\nqemu -device pci-testdev\nnic e1000e 1\n");
	struct manifest m;

	manifest_load(dir, &m);
	CHECK(m.nnics == 3 && m.nqemu == 4, "nics %d, qemu lines %d", m.nnics, m.nqemu);
	CHECK(!strcmp(m.qemu[0], "-netdev hubport,id=rkmn0,hubid=0 "
			  "-device e1000,netdev=rkmn0,mac=52:54:00:12:34:50") &&
	      !strcmp(m.qemu[1], "-netdev hubport,id=rkmn1,hubid=0 "
			  "-device e1000,netdev=rkmn1,mac=52:54:00:12:34:51") &&
	      !strcmp(m.qemu[3], "-netdev hubport,id=rkmn2,hubid=0 "
			  "-device e1000e,netdev=rkmn2,mac=52:54:00:12:34:52"),
	      "qemu lines '%s' '%s' '%s'", m.qemu[0], m.qemu[1], m.qemu[3]);
}

static void test_manifest_absent(void)
{
	char *dir = driver_dir("plain", NULL);
	struct manifest m;

	manifest_load(dir, &m);
	CHECK(!strcmp(m.name, "plain") && !m.nqemu && !m.ntwins && !m.nfuzz && !m.nfailslab &&
	      !m.bench_c && m.cycles == RKM_DEFAULT_CYCLES && m.code_limit == -1, "defaults");
}

static void manifest_child(void *dir)
{
	struct manifest m;

	manifest_load(dir, &m);
}

static void test_manifest_bad_lines(void)
{
	static const char *const cases[][2] = {
		{ "twin c_twin\nqmeu -device x\n",
		  ":2: unknown keyword 'qmeu' (qemu, twin, fuzz, cycles, failslab, bench, variant, kernel-args, kernel-module, reset-test, program, build-as, nic, driver)" },
		{ "variant intx\n", ":1: expected 'variant NAME KERNEL-ARGS...'" },
		{ "variant Intx pci=nomsi\n", ":1: 'Intx' is not a variant name" },
		{ "variant intx pci=nomsi\nvariant intx nosmp\n", ":2: a second 'variant intx'" },
		{ "qemu\n", ":1: expected 'qemu ARGS...'" },
		{ "kernel-module\n", ":1: expected 'kernel-module NAME...'" },
		{ "kernel-module i6300ESB\n", ":1: 'i6300ESB' is not a module name" },
		{ "reset-test\n", ":1: expected 'reset-test ARGS...'" },
		{ "program fio\n", ":1: expected 'program PACKAGE PROGRAM...'" },
		{ "program Fio fio\n", ":1: 'Fio' is not a Debian package name" },
		{ "program fio /usr/bin/fio\n", ":1: '/usr/bin/fio' is not a program name" },
		{ "program fio ..\n", ":1: '..' is not a program name" },
		{ "build-as\n", ":1: expected 'build-as NAME...'" },
		{ "driver\n", ":1: expected 'driver DIR'" },
		{ "driver no_such_dir\n", ":1: driver no_such_dir: no directory" },
		{ "driver .\n", ":1: driver .: the manifest's own directory" },
		{ "build-as null-blk\n", ":1: 'null-blk' is not a module name" },
		{ "build-as bad\n", ":1: 'bad' is the driver's own name" },
		{ "reset-test reset 'x y'\n", ":1: no quoting: test arguments are split at spaces ('\'x')" },
		{ "qemu -device 'a b'\n", ":1: no quoting: QEMU arguments are split at spaces" },
		{ "qemu -kernel /boot/other\n", ":1: QEMU option '-kernel': a manifest adds devices only" },
		{ "qemu -device pci-testdev -append init=/x\n", ":1: QEMU option '-append'" },
		{ "qemu pci-testdev\n", ":1: 'pci-testdev': a QEMU option first" },
		{ "qemu -drive if=none,file=/etc/shadow\n", ":1: '-drive if=none,file=/etc/shadow': drives are" },
		{ "qemu -netdev user,id=n0\n", ":1: '-netdev user,id=n0': drives are" },
		{ "variant x init=/bin/sh\n", ":1: kernel argument 'init=/bin/sh': rkm sets it itself" },
		{ "kernel-args console=ttyS1\n", ":1: kernel argument 'console=ttyS1': rkm sets it itself" },
		{ "kernel-args\n", ":1: expected 'kernel-args KERNEL-ARGS...'" },
		{ "kernel-args a\nkernel-args b\n", ":2: a second 'kernel-args'" },
		{ "twin c_none\n", ":1: twin c_none: no " },
		{ "twin Bad-Name\n", ":1: twin 'Bad-Name' is not a module name" },
		{ "twin\n", ":1: expected 'twin DIR'" },
		{ "fuzz drv\n", ":1: expected 'fuzz MODULE MODEL [DEVICE] [configfs=SUBSYS]'" },
		{ "fuzz bad echo a b c\n", ":1: expected 'fuzz MODULE MODEL [DEVICE] [configfs=SUBSYS]'" },
		{ "fuzz bad echo Dev0\n", ":1: 'Dev0' is not a device name" },
		{ "fuzz bad echo configfs=a/b\n", ":1: 'a/b' is not a configfs subsystem name" },
		{ "fuzz bad echo d0 d1\n", ":1: 'd1': after MODEL, a device name and configfs=SUBSYS" },
		{ "fuzz bad echo configfs=a configfs=b\n", ":1: 'configfs=b': after MODEL" },
		{ "fuzz null_blk nullb\n", ":1: 'null_blk' is neither the driver (bad) nor a twin" },
		{ "fuzz other echo\n", ":1: 'other' is neither the driver (bad) nor a twin" },
		{ "fuzz bad Echo.h\n", ":1: 'Echo.h' is not a fuzz model name" },
		{ "cycles x\n", ":1: cycles: 'x' is not 0 (none) or an integer in 2..100000" },
		{ "cycles 1\n", ":1: cycles: '1' is not 0 (none)" },
		{ "cycles 5\n# again\ncycles 6\n", ":3: a second 'cycles' line" },
		{ "cycles\n", ":1: expected 'cycles N [PARAM=VALUE...]'" },
		{ "cycles 20 x\n", ":1: cycles: 'x' is not a module parameter" },
		{ "failslab\n", ":1: expected 'failslab MODULE[:DEVICE[:files]]...'" },
		{ "failslab bad:bad:all\n", ":1: 'bad:bad:all': the only option is ':files'" },
		{ "failslab c_twin\n", ":1: 'c_twin' is neither the driver (bad) nor a twin" },
		{ "bench workload w\n", ":1: bench lines need a 'bench pair DRIVER TWIN' line" },
		{ "twin c_twin\nbench pair c_twin bad\n", ":2: bench pair: the first module is the driver, bad" },
		{ "twin c_twin\nbench pair bad bad\n", ":2: bench pair: the second module is a twin" },
		{ "twin c_twin\nbench pair bad c_twin\nbench pair bad c_twin\n",
		  ":3: a second 'bench pair'" },
		{ "twin c_twin\nbench pair bad c_twin\nbench fast\n", ":3: unknown bench line 'fast'" },
		{ "twin c_twin\nbench pair bad c_twin\nbench alternate-load-order\n",
		  ":2: bench lines without a 'bench workload' line" },
		{ "twin c_twin\nbench pair bad c_twin\nbench qemu\n", ":3: expected 'bench qemu ARGS...'" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit\n",
		  ":3: expected 'bench code-limit BYTES'" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit 2 KiB\n",
		  ":3: expected 'bench code-limit BYTES'" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit 2k\n",
		  ":3: bench code-limit: '2k' is not a number of bytes in 0..1048576" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit -1\n",
		  ":3: bench code-limit: '-1' is not a number of bytes in 0..1048576" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit 1048577\n",
		  ":3: bench code-limit: '1048577' is not a number of bytes" },
		{ "twin c_twin\nbench pair bad c_twin\nbench code-limit 10\nbench code-limit 20\n",
		  ":4: a second 'bench code-limit'" },
		{ "bench code-limit 2048\n", ":1: bench lines need a 'bench pair DRIVER TWIN' line" },
		/* 'nic MODEL COUNT' (issue 19) */
		{ "nic e1000\n", ":1: expected 'nic MODEL COUNT'" },
		{ "nic\n", ":1: expected 'nic MODEL COUNT'" },
		{ "nic e1000 2 3\n", ":1: expected 'nic MODEL COUNT'" },
		{ "nic e1001 2\n", ":1: nic: unknown NIC model 'e1001' (e1000, e1000-82544gc, " },
		{ "nic e1000 0\n", ":1: nic: '0' is not a count of NICs in 1..8" },
		{ "nic e1000 9\n", ":1: nic: '9' is not a count of NICs in 1..8" },
		{ "nic e1000 99999999999999999999\n", ":1: nic: '99999999999999999999' is not a count" },
		{ "nic e1000 two\n", ":1: nic: 'two' is not a count of NICs in 1..8" },
		{ "nic e1000 -1\n", ":1: nic: '-1' is not a count of NICs in 1..8" },
		{ "nic e1000 6\nnic e1000e 3\n", ":2: nic: more than 8 NICs in all" },
		{ "qemu -netdev socket,id=n0\n", ":1: '-netdev socket,id=n0': drives are" },
		{ "qemu -nic user\n", ":1: QEMU option '-nic': a manifest adds devices only" },
		{ "qemu -net none\n", ":1: QEMU option '-net': a manifest adds devices only" },
	};
	char err[2048];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *dir = driver_dir("bad", cases[i][0]);
		char *want = xasprintf("rkm: %s/%s%s", dir, RKM_MANIFEST, cases[i][1]);
		int rc = in_child(manifest_child, dir, err, sizeof(err));

		CHECK(rc == 2 && !strncmp(err, want, strlen(want)) && strchr(err, '\n') &&
		      !strchr(err, '\n')[1],
		      "case %zu: exit %d, stderr '%s', expected '%s...'", i + 1, rc, err, want);
	}
}

/* 'program' lines: each into the plan once, at its host path; a missing one is one line. */
static void plan_programs_child(void *dir)
{
	struct manifest m;
	struct plan p = { 0 };

	manifest_load(dir, &m);
	plan_add_programs(&m, &p);
}

static void test_manifest_programs(void)
{
	char *dir = driver_dir("progs", "program coreutils cat ls\nprogram coreutils cat\n");
	char *bad = driver_dir("noprog", "# comment\nprogram rkm-no-such-pkg rkm-no-such-program\n");
	char *want = xasprintf("rkm: %s/%s:2: program 'rkm-no-such-program' is not installed on "
			       "this host: apt-get install rkm-no-such-pkg (or make setup)\n", bad,
			       RKM_MANIFEST);
	struct manifest m;
	struct plan p = { 0 };
	char err[2048];
	int rc;

	manifest_load(dir, &m);
	CHECK(m.nprograms == 3 && !strcmp(m.programs[0], "coreutils cat") &&
	      !strcmp(m.programs[1], "coreutils ls") && strstr(m.program_at[2], ":2"),
	      "programs %d", m.nprograms);
	plan_add_programs(&m, &p);
	CHECK(p.nprograms == 2 && !strcmp(base_name(p.programs[0]), "cat") &&
	      p.programs[0][0] == '/', "plan programs %d", p.nprograms);
	rc = in_child(plan_programs_child, bad, err, sizeof(err));
	CHECK(rc == 2 && !strcmp(err, want), "exit %d, stderr '%s', expected '%s'", rc, err, want);
}

static void test_plan_qemu(void)
{
	struct plan p = { 0 };

	plan_add_qemu(&p, "-device a", true);
	plan_add_qemu(&p, "-device a", true);
	plan_add_qemu(&p, "-device b", true);
	plan_add_qemu(&p, "-device a", false);
	CHECK(p.nqemu == 3 && !strcmp(p.qemu[2], "-device a"), "%d lines", p.nqemu);
}

/* ---- integer options ---- */

static void opt_int_child(void *s)
{
	opt_int("--boots", s, 1, 100);
}

static void test_parse_int(void)
{
	static const char *const bad[] = { "", "x", "5x", " 5", "+5", "0", "101", "1e2", "0x10",
					   "99999999999999999999", "-3" };
	char err[256];
	long v = 0;
	size_t i;

	CHECK(!parse_int("7", 1, 100, &v) && v == 7, "7 -> %ld", v);
	CHECK(!parse_int("100", 1, 100, &v) && v == 100, "100 -> %ld", v);
	CHECK(!parse_int("-5", -10, 10, &v) && v == -5, "-5 -> %ld", v);
	CHECK(!parse_int("010", 1, 100, &v) && v == 10, "010 is decimal: %ld", v);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_int(bad[i], 1, 100, &v), "'%s' accepted", bad[i]);
	CHECK(in_child(opt_int_child, "x", err, sizeof(err)) == 2 &&
	      !strcmp(err, "rkm: --boots: 'x' is not an integer in 1..100\n"), "stderr '%s'", err);
	CHECK(in_child(opt_int_child, "42", err, sizeof(err)) == 0, "42 refused: '%s'", err);
}

/* ---- json.c: rustdoc's JSON read back ---- */

static void test_json(void)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "\"abc", "tru", "[1] x", "\"\\ud800\"",
		"\"\\udc00\"", "\"\\x\"", "\"a\nb\"", "01", "1.", "-", "1e", "{1:2}", "[1 2]",
	};
	const char *text = " {\"doctests\": [ {\"name\": \"a \\\"b\\\" \\\\ \\/\\n\\t\\u00e9\\ud83d\\ude00\","
			   " \"line\": 81, \"f\": -1.5e+3, \"ok\": true, \"no\": false, \"w\": null,"
			   " \"e\": [], \"o\": {}} ], \"format_version\": 2 } ";
	const struct json *list, *t;
	struct json root;
	const char *err;
	char deep[200];
	size_t i;

	CHECK(json_parse(text, &root, &err) == 0, "refused: %s", err);
	list = json_get(&root, "doctests");
	CHECK(list && list->type == JSON_ARR && list->n == 1, "no list of one");
	if (!list || list->n != 1)
		return;
	t = &list->items[0];
	CHECK(!strcmp(json_str(t, "name"), "a \"b\" \\ /\n\t\xc3\xa9\xf0\x9f\x98\x80"), "'%s'",
	      json_str(t, "name"));
	CHECK(json_get(t, "line")->type == JSON_NUM && !strcmp(json_get(t, "line")->str, "81"), "line");
	CHECK(!strcmp(json_get(t, "f")->str, "-1.5e+3"), "%s", json_get(t, "f")->str);
	CHECK(json_true(t, "ok") && !json_true(t, "no") && !json_true(t, "w") && !json_true(t, "x"),
	      "booleans");
	CHECK(json_get(t, "w")->type == JSON_NULL && !json_str(t, "w") && !json_get(t, "x"), "null");
	CHECK(json_get(t, "e")->n == 0 && json_get(t, "o")->type == JSON_OBJ, "empty ones");
	CHECK(!json_get(list, "name") && !json_str(NULL, "name"), "a member of no object");
	json_free(&root);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		CHECK(json_parse(bad[i], &root, &err) == -1 && err && strstr(err, " at offset "),
		      "'%s' taken (%s)", bad[i], err ? err : "no reason");
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	CHECK(json_parse(deep, &root, &err) == -1 && strstr(err, "nested too deep"), "%s", err);
}

/* ---- profile.c: rkm bench --profile's tables from a boot's lines and the plugin's counts ---- */

static void test_profile(void)
{
	char *ktap = xasprintf("%s/prof.ktap", tmp), *counts = xasprintf("%s/prof.counts", tmp);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	/* Symbols as the guest prints them (indented), one a module's Rust function. */
	write_text(ktap, "    # KSYM ffffffff81000000 _stext \n"
			 "    # KSYM ffffffff81000100 napi_gro_receive \n"
			 "    # KSYM ffffffffc0001000 e1000_xmit_frame [e1000]\n"
			 "    # KSYM ffffffffc0200000 _RNvCs1234_10rust_e100010start_xmit [rust_e1000]\n"
			 "    # PROFILE 1 net_udp64 c 0 100 35000 80 20 20\n"
			 "    # PROFILE 3 net_udp64 rust 0 100 40000 95 26 25\n"
			 "    # PROFILE 5 net_udp64 c 1 100 35000 90 30 20\n");
	/* Segment 2 is between measurements: not counted. Blocks inside a function count for it. */
	/* Blocks run and indirect exits where the plugin gives them (not in every line here). */
	write_text(counts, "S 0\nffffffff81000100 999\nU 5\n"
			   "S 1\nffffffff81000100 1000 100 20 300\nffffffff81000180 1000\nffffffffc0001000 30000\n"
			   "U 200 40 20\n"
			   "S 2\nffffffff81000100 7777 1000 1000\n"
			   "S 3\nffffffff81000100 2000 300 60\nffffffffc0200010 35000\nU 100\n"
			   "ffffffffa0000000 50\n"
			   "S 4\nffffffff81000100 1\n"
			   "S 5\nffffffff81000100 2000\nffffffffc0001000 30000\nU 200\n");
	if (!out)
		die("out of memory");
	profile_report(out, ktap, counts, 10);
	fclose(out);
	CHECK(strstr(text, "# profile: net_udp64, instructions per operation (C: 200 over 2 rounds, "
			   "Rust: 100 over 1)"), "%s", text);
	CHECK(strstr(text, "         0.0      350.0    +350.0  [rust_e1000]") &&
	      strstr(text, "       300.0        0.0    -300.0  [e1000]"), "modules: %s", text);
	CHECK(strstr(text, "        20.0       20.0      +0.0  napi_gro_receive vmlinux") &&
	      strstr(text, "         2.0        1.0      -1.0  user space"), "%s", text);
	CHECK(strstr(text, "rust_e1000::start_xmit [rust_e1000]"), "not demangled: %s", text);
	CHECK(strstr(text, "         0.0        0.5      +0.5  unknown"), "far address: %s", text);
	CHECK(strstr(text, "       322.0      371.5     +49.5  total (Rust/C 1.1537)"), "%s", text);
	CHECK(strstr(text, "        28.0       28.5      +0.5  idle: guest ns not spent on instructions"),
	      "%s", text);
	CHECK(strstr(text, "         0.7        3.0      +2.3  translated blocks run\n"
			   "         0.2        0.6      +0.4  of them ending in an indirect branch (ret, "
			   "jmp/call *)\n"
			   "         1.5        0.0      -1.5  memory accesses\n"),
	      "blocks: %s", text);
	/* The kernel's events a measurement saw (/proc/stat), per operation. */
	CHECK(strstr(text, "      0.8500     0.9500   +0.1000  context switches\n"
			   "      0.2500     0.2600   +0.0100  interrupts\n"
			   "      0.2000     0.2500   +0.0500  NET_RX softirqs\n"), "events: %s", text);
	free(text);
}

/* ---- codesize.c: the origin of a module's function, by its demangled name ---- */

static void test_code_origin(void)
{
	static const struct {
		const char *name;
		int origin;
	} cases[] = {
		{ "<&str as core::fmt::Display>::fmt", ORIGIN_FMT },
		{ "core::fmt::write", ORIGIN_FMT },
		{ "<rkm::print::LineWriter as core::fmt::Write>::write_str", ORIGIN_FMT },
		{ "core::panicking::panic_fmt", ORIGIN_CORE },
		{ "<alloc::vec::Vec<u8>>::reserve", ORIGIN_CORE },
		{ "compiler_builtins::mem::memcpy", ORIGIN_CORE },
		{ "<rkm::miscdev::Trampolines<rust_echo::EchoFile>>::write", ORIGIN_CRATE },
		{ "<rust_echo::EchoFile as rkm::miscdev::FileOps>::read", ORIGIN_DRIVER },
		{ "rust_echo::helper", ORIGIN_DRIVER },
		{ "<&mut rust_echo::EchoFile as rkm::Thing>::f", ORIGIN_DRIVER },
		{ "<*const rust_echo::X as rkm::Y>::g", ORIGIN_DRIVER },
		{ "<[rust_echo::X] as rkm::Y>::g", ORIGIN_DRIVER },
		{ "<dyn rkm::Z>::h", ORIGIN_CRATE },
		{ "rust_echo_x::f", ORIGIN_CRATE },	/* another crate, not a prefix of the driver's */
		{ "rkm_rust_init", ORIGIN_CRATE },	/* #[no_mangle]: module!'s entry point */
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(code_origin_of(cases[i].name, "rust_echo") == cases[i].origin, "%s: %s, not %s",
		      cases[i].name, code_origin_names[code_origin_of(cases[i].name, "rust_echo")],
		      code_origin_names[cases[i].origin]);
}

/* ---- usage texts: rkm CMD --help, the table and README.md agree ---- */

static void test_usage_readme(void)
{
	char *readme = read_file(xasprintf("%s/README.md", root), NULL);
	const struct command *c;
	char *out;
	int rc;

	rc = capture(xasprintf("'%s/build/bin/rkm' --help", root), &out);
	for (c = rkm_commands; c->name; c++)
		CHECK(strstr(out, xasprintf("  %-13s %s\n", c->name, c->summary)),
		      "rkm --help does not list %s", c->name);
	CHECK(rc == 0, "rkm --help: exit %d", rc);
	for (c = rkm_commands; c->name; c++) {
		rc = capture(xasprintf("'%s/build/bin/rkm' %s --help", root, c->name), &out);
		CHECK(rc == 0 && !strcmp(out, c->usage), "rkm %s --help: exit %d, output differs from "
		      "the table (rebuild build/bin/rkm?)", c->name, rc);
		CHECK(strstr(readme, c->usage), "README.md lacks the usage of rkm %s verbatim:\n%s",
		      c->name, c->usage);
		rc = capture(xasprintf("'%s/build/bin/rkm' %s --no-such-option 2>&1 >/dev/null", root,
				       c->name), &out);
		CHECK(rc == 2 && strstr(out, xasprintf("rkm %s: unknown option '--no-such-option'\n%s",
						       c->name, c->usage)),
		      "rkm %s --no-such-option: exit %d, stderr '%s'", c->name, rc, out);
	}
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "ktap_line", test_ktap_line },
	{ "stale_int3", test_stale_int3 },
	{ "ktap_plan_resets_pending", test_ktap_plan_resets_pending },
	{ "skiplist", test_skiplist },
	{ "manifest_good", test_manifest_good },
	{ "manifest_absent", test_manifest_absent },
	{ "manifest_nics", test_manifest_nics },
	{ "manifest_bad_lines", test_manifest_bad_lines },
	{ "manifest_programs", test_manifest_programs },
	{ "plan_qemu_dedup", test_plan_qemu },
	{ "parse_int", test_parse_int },
	{ "json", test_json },
	{ "usage_readme", test_usage_readme },
	{ "profile", test_profile },
	{ "code_origin", test_code_origin },
};

/* The rkm tree: RKM_ROOT, or two levels above this program (build/bin/rkm-unit). */
static const char *find_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int i;

	if (getenv("RKM_ROOT"))
		return getenv("RKM_ROOT");
	if (n <= 0)
		die("cannot find the rkm tree: set RKM_ROOT");
	exe[n] = '\0';
	for (i = 0; i < 3; i++)
		*strrchr(exe, '/') = '\0';
	return strdup(exe);
}

int main(void)
{
	size_t i, n = sizeof(tests) / sizeof(tests[0]);
	int passed = 0, failed = 0;
	char tmpl[] = "/tmp/rkm-unit.XXXXXX";

	setvbuf(stdout, NULL, _IOLBF, 0);
	root = rkm_root = find_root();
	tmp = mkdtemp(tmpl);
	if (!tmp)
		die("mkdtemp: %s", strerror(errno));
	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		failures = 0;
		tests[i].fn();
		printf("%s %zu %s\n", failures ? "not ok" : "ok", i + 1, tests[i].name);
		failures ? failed++ : passed++;
	}
	run_cmd((char *[]){ "rm", "-rf", tmp, NULL }, NULL, NULL);
	printf("rkm-unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
