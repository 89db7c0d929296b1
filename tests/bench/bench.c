// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-bench: the in-guest benchmark of each Rust sample against its C twin.
 *
 *   bench [-s PERCENT] [-r RUNS] [-i] WORKLOAD...
 *                  (iteration counts in percent of the defaults;
 *                   -i: the guest clock is QEMU's -icount)
 *
 * The workloads are the ones the drivers' manifests name (bench workload
 * lines, gathered by rkm bench). For RUNS rounds, each runs on the C and the
 * Rust device, C first on even rounds and Rust first on odd ones, and prints
 * one line per measurement:  # BENCH <workload> <c|rust> <round> <ns per op>
 * The first one also runs once on both before, as a warm-up. Time is
 * CLOCK_MONOTONIC: wall time normally, instructions under QEMU's -icount.
 * The echo workloads expect rust_echo and c_echo loaded, the semaphore ones
 * rust_semaphore and c_semaphore with instances=2, the edu ones rust_edu and
 * c_edu, each bound to one of two edu devices.
 *
 * Under -icount the guest clock stops while the vCPU idles and jumps to the
 * next timer, so work done by a host thread of QEMU in real time (edu's
 * factorial unit) is not measured, and can even outlast a request's
 * timeout: -i skips those workloads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../samples/rust_echo/echo.h"
#include "../../samples/rust_edu/edu.h"

struct impl {
	const char *name;	/* c or rust */
	const char *echo;
	const char *sem[2];
	const char *edu;
	const char *blk_cfs;	/* null_blk-style configfs subsystem */
};

static const struct impl impls[] = {
	{ "c", "/dev/c_echo", { "/dev/c_semaphore", "/dev/c_semaphore1" }, "/dev/c_edu",
	  "/sys/kernel/config/nullb" },
	{ "rust", "/dev/rust_echo", { "/dev/rust_semaphore", "/dev/rust_semaphore1" }, "/dev/rust_edu",
	  "/sys/kernel/config/rust_nullb" },
};

static long scale = 100;

/* n iterations at the current scale, at least one. */
static long iters(long n)
{
	return n * scale / 100 > 0 ? n * scale / 100 : 1;
}
static char bulk[64 * 1024];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int xopen(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		printf("# bench: open %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void check(long got, long want, const char *what)
{
	if (got != want) {
		printf("# bench: %s returned %ld (%s), expected %ld\n", what, got, strerror(errno), want);
		exit(1);
	}
}

/* 64-byte write then read at offset 0: a small round trip. */
static double echo_rt(const struct impl *im)
{
	long i, n = iters(20000);
	char buf[64] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde";
	int fd = xopen(im->echo);
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		check(pwrite(fd, buf, 64, 0), 64, "pwrite 64");
		check(pread(fd, buf, 64, 0), 64, "pread 64");
	}
	t0 = now_ns() - t0;
	close(fd);
	return t0 / n;
}

static void echo_resize(int fd, __u64 cap)
{
	struct echo_resize r = { .size = sizeof(r), .version = 1, .cap = cap };

	check(ioctl(fd, ECHO_IOC_RESIZE, &r), 0, "ECHO_IOC_RESIZE");
}

/* 64 KiB write then read: bulk copies. */
static double echo_bulk(const struct impl *im)
{
	long i, n = iters(300);
	int fd = xopen(im->echo);
	double t0;

	echo_resize(fd, sizeof(bulk));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		check(pwrite(fd, bulk, sizeof(bulk), 0), sizeof(bulk), "pwrite 64K");
		check(pread(fd, bulk, sizeof(bulk), 0), sizeof(bulk), "pread 64K");
	}
	t0 = now_ns() - t0;
	echo_resize(fd, ECHO_DEFAULT_CAP);
	close(fd);
	return t0 / n;
}

/* The size-prefixed query ioctl in a loop. */
static double echo_ioctl(const struct impl *im)
{
	long i, n = iters(20000);
	struct echo_info info;
	int fd = xopen(im->echo);
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		info.size = sizeof(info);
		check(ioctl(fd, ECHO_IOC_INFO, &info), 0, "ECHO_IOC_INFO");
	}
	t0 = now_ns() - t0;
	close(fd);
	return t0 / n;
}

/* Two threads hand a token back and forth through two semaphores. */
struct pong {
	int fd[2];
	long rounds;
	int use_poll;
};

static void take(int fd, int use_poll)
{
	char c;

	if (use_poll) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		check(poll(&p, 1, -1), 1, "poll");
	}
	check(read(fd, &c, 1), 0, "semaphore read");
}

static void *pong_thread(void *arg)
{
	struct pong *p = arg;
	long i;

	for (i = 0; i < p->rounds; i++) {
		take(p->fd[0], p->use_poll);
		check(write(p->fd[1], "x", 1), 1, "semaphore write");
	}
	return NULL;
}

static double pingpong(const struct impl *im, int use_poll)
{
	struct pong p = { .rounds = iters(1000), .use_poll = use_poll };
	pthread_t t;
	double t0;
	long i;

	p.fd[0] = xopen(im->sem[0]);
	p.fd[1] = xopen(im->sem[1]);
	t0 = now_ns();
	pthread_create(&t, NULL, pong_thread, &p);
	for (i = 0; i < p.rounds; i++) {
		check(write(p.fd[0], "x", 1), 1, "semaphore write");
		take(p.fd[1], use_poll);
	}
	pthread_join(t, NULL);
	t0 = now_ns() - t0;
	close(p.fd[0]);
	close(p.fd[1]);
	return t0 / p.rounds;
}

static double sem_pingpong(const struct impl *im)
{
	return pingpong(im, 0);
}

static double poll_wakeup(const struct impl *im)
{
	return pingpong(im, 1);
}

/*
 * One factorial through the device: ioctl, device computes (in a QEMU host
 * thread: wall clock only), MSI, threaded half, completion (requests per
 * second = 1e9 / ns per request).
 */
static double edu_fact(const struct impl *im)
{
	long i, n = iters(2000);
	int fd = xopen(im->edu);
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		struct edu_fact f = { .n = 12 };

		check(ioctl(fd, EDU_IOC_FACT, &f), 0, "EDU_IOC_FACT");
		check(f.result, 479001600, "12!");
	}
	t0 = now_ns() - t0;
	close(fd);
	return t0 / n;
}

/*
 * A DMA round trip of the whole reachable buffer: pwrite (copy in, DMA to
 * the device) then pread (DMA back, copy out); throughput in bytes per
 * second = 2 * EDU_BUF_SIZE * 1e9 / ns per round trip. QEMU's edu device
 * takes 100 ms of guest time per transfer, which dominates.
 */
static double edu_dma(const struct impl *im)
{
	static char out[EDU_BUF_SIZE];
	long i, n = iters(10);
	int fd = xopen(im->edu);
	double t0 = now_ns();

	for (i = 0; i < n; i++) {
		bulk[0] = (char)i;
		check(pwrite(fd, bulk, EDU_BUF_SIZE, 0), EDU_BUF_SIZE, "edu pwrite");
		check(pread(fd, out, EDU_BUF_SIZE, 0), EDU_BUF_SIZE, "edu pread");
		check(memcmp(out, bulk, EDU_BUF_SIZE), 0, "edu round trip bytes");
	}
	t0 = now_ns() - t0;
	close(fd);
	return t0 / n;
}


/*
 * Block cells (rust_nullb against the kernel's null_blk): fio, shipped from
 * Debian's package, on a fresh device of each driver made through configfs,
 * named blk_RW_BSk_qdQ_jJ_iIRQMODE_mMEMORY_BACKED (io_uring, 4 KiB blocks,
 * 128 MiB). One figure per run: fio's own I/Os per second over a fixed time
 * of I/O (time_based, after a ramp), as ns per I/O — under -icount,
 * instructions per I/O (and the idle time to a timer's expiry, irqmode 2).
 * blk_grid is every cell of the grid (with -s below 100, every
 * (100 / s)-th one: a smoke run has one).
 */
struct blk_cell {
	char rw[16];
	int bs_k, qd, jobs, irq, mem;
};

static bool blk_parse(const char *name, struct blk_cell *c)
{
	int n = -1;

	if (sscanf(name, "blk_%15[a-z]_%dk_qd%d_j%d_i%d_m%d%n", c->rw, &c->bs_k, &c->qd, &c->jobs,
		   &c->irq, &c->mem, &n) != 6 || n != (int)strlen(name))
		return false;
	return (!strcmp(c->rw, "randread") || !strcmp(c->rw, "randwrite")) && c->bs_k > 0 &&
	       c->bs_k <= 1024 && c->qd > 0 && c->qd <= 128 && c->jobs > 0 && c->jobs <= 8 &&
	       c->irq >= 0 && c->irq <= 2 && (c->mem == 0 || c->mem == 1);
}

static void cfs_set(const char *dir, const char *attr, const char *val)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val)) {
		printf("# bench: %s = %s: %s\n", path, val, strerror(errno));
		exit(1);
	}
	close(fd);
}

/* fio's terse (v3) line: field 8 is the read IOPS, 49 the write IOPS. */
static double fio_iops(char *out)
{
	char *line, *f;
	double iops = 0;
	int i;

	while ((line = strsep(&out, "\n")))
		if (!strncmp(line, "3;fio-", 6))
			break;
	for (i = 0; line && (f = strsep(&line, ";")); i++)
		if (i == 7 || i == 48)
			iops += strtod(f, NULL);
	return iops;
}

/*
 * ns per I/O of a cell on a fresh device of the driver: fio's own I/Os per
 * second over ms milliseconds of I/O (after a ramp it does not count; its
 * start and exit are outside), all jobs together.
 */
static double blk_run(const struct impl *im, const struct blk_cell *c, long ms)
{
	char dir[128], val[32], opt[6][48], out[8192], shown[301];
	char *argv[32];
	int pipefd[2], status, n = 0, a = 0;
	ssize_t got;
	double iops;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/rkmbench", im->blk_cfs);
	if (access("/sys/kernel/config/nullb", F_OK) &&
	    mount("configfs", "/sys/kernel/config", "configfs", 0, NULL) && errno != EBUSY) {
		printf("# bench: mount configfs: %s\n", strerror(errno));
		exit(1);
	}
	if (mkdir(dir, 0755)) {
		printf("# bench: mkdir %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	cfs_set(dir, "size", "128");
	cfs_set(dir, "blocksize", "4096");
	snprintf(val, sizeof(val), "%d", c->irq);
	cfs_set(dir, "irqmode", val);
	cfs_set(dir, "memory_backed", c->mem ? "1" : "0");
	cfs_set(dir, "power", "1");

	argv[a++] = "/usr/bin/fio";
	argv[a++] = "--name=bench";
	/* Both drivers name a configfs device's disk after its directory. */
	argv[a++] = "--filename=/dev/rkmbench";
	argv[a++] = "--direct=1";
	argv[a++] = "--ioengine=io_uring";
	argv[a++] = "--randrepeat=1";
	argv[a++] = "--norandommap";
	argv[a++] = "--group_reporting";
	argv[a++] = "--time_based";
	argv[a++] = "--ramp_time=100ms";
	argv[a++] = "--output-format=terse";
	argv[a++] = "--terse-version=3";
	snprintf(opt[0], 48, "--rw=%s", c->rw);
	snprintf(opt[1], 48, "--bs=%dk", c->bs_k);
	snprintf(opt[2], 48, "--iodepth=%d", c->qd);
	snprintf(opt[3], 48, "--numjobs=%d", c->jobs);
	snprintf(opt[4], 48, "--runtime=%ldms", ms);
	for (n = 0; n < 5; n++)
		argv[a++] = opt[n];
	argv[a] = NULL;

	if (pipe(pipefd) || (pid = fork()) < 0) {
		printf("# bench: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (!pid) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		execv(argv[0], argv);
		printf("# bench: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	for (n = 0; n < (int)sizeof(out) - 1 && (got = read(pipefd[0], out + n, sizeof(out) - 1 - n)) > 0;)
		n += got;
	out[n] = '\0';
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# bench: fio failed (status %d): %.300s\n", status, out);
		exit(1);
	}
	/* fio_iops() cuts out into fields. */
	memcpy(shown, out, sizeof(shown) - 1);
	shown[sizeof(shown) - 1] = '\0';
	iops = fio_iops(out);
	if (rmdir(dir)) {
		printf("# bench: rmdir %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	if (!(iops > 0)) {
		printf("# bench: no IOPS in fio's output: %s\n", shown);
		exit(1);
	}
	return 1e9 / iops;
}

struct workload {
	const char *name;
	double (*fn)(const struct impl *im);
	bool wall_only;		/* timed by QEMU's host threads: not under -icount */
};

static const struct workload workloads[] = {
	{ "echo_rt_64B", echo_rt, false },
	{ "echo_bulk_64KiB", echo_bulk, false },
	{ "echo_ioctl", echo_ioctl, false },
	{ "sem_pingpong", sem_pingpong, false },
	{ "poll_wakeup", poll_wakeup, false },
	{ "edu_fact", edu_fact, true },
	{ "edu_dma_4095B", edu_dma, false },
};
#define NWORKLOADS (int)(sizeof(workloads) / sizeof(workloads[0]))
#define MAX_JOBS 128

static int usage(void)
{
	int w;

	printf("# bench: usage: bench [-s PERCENT] [-r RUNS] [-i] WORKLOAD... (");
	for (w = 0; w < NWORKLOADS; w++)
		printf("%s ", workloads[w].name);
	printf("blk_grid blk_RW_BSk_qdQ_jJ_iIRQ_mMEM)\n");
	return 2;
}

static int positive(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && *s && !*end && *out > 0 && *out <= 1000000;
}

/* A workload to run: a function of the table, or a block cell. */
struct job {
	const struct workload *w;	/* NULL: a block cell */
	struct blk_cell cell;
	char name[32];
};

static double run_job(const struct job *j, const struct impl *im)
{
	/*
	 * A cell: 400 ms of I/O (guest time: 400 million instructions under
	 * -icount); a smoke run's at least 50 ms, room for some I/Os.
	 */
	return j->w ? j->w->fn(im) : blk_run(im, &j->cell, iters(400) < 50 ? 50 : iters(400));
}

static int add_job(struct job *jobs, int n, const char *name)
{
	static const char *const rw[] = { "randread", "randwrite" };
	static const int bs[] = { 4, 64 }, qd[] = { 1, 32 }, nj[] = { 1, 2 }, irq[] = { 0, 2 };
	int w, i;

	/* A smoke run (-s below 100) thins the grid: every (100 / s)-th cell. */
	if (!strcmp(name, "blk_grid")) {
		for (i = 0; i < 64; i += scale < 100 ? 100 / scale : 1) {
			char cell[32];

			snprintf(cell, sizeof(cell), "blk_%s_%dk_qd%d_j%d_i%d_m%d", rw[i >> 5 & 1],
				 bs[i >> 4 & 1], qd[i >> 3 & 1], nj[i >> 2 & 1], irq[i >> 1 & 1], i & 1);
			if ((n = add_job(jobs, n, cell)) < 0)
				return -1;
		}
		return n;
	}
	if (n == MAX_JOBS)
		return -1;
	memset(&jobs[n], 0, sizeof(jobs[n]));
	for (w = 0; w < NWORKLOADS && strcmp(workloads[w].name, name); w++)
		;
	if (w < NWORKLOADS)
		jobs[n].w = &workloads[w];
	else if (!blk_parse(name, &jobs[n].cell))
		return -1;
	snprintf(jobs[n].name, sizeof(jobs[n].name), "%s", name);
	return n + 1;
}

int main(int argc, char **argv)
{
	static struct job jobs[MAX_JOBS];
	int opt, r, w, k, n = 0;
	long runs = 5;
	bool icount = false;

	while ((opt = getopt(argc, argv, "s:r:i")) != -1) {
		if ((opt == 's' && !positive(optarg, &scale)) ||
		    (opt == 'r' && !positive(optarg, &runs)) || opt == '?')
			return usage();
		if (opt == 'i')
			icount = true;
	}
	for (; optind < argc; optind++)
		if ((n = add_job(jobs, n, argv[optind])) < 0) {
			printf("# bench: unknown workload '%s' (or more than %d)\n", argv[optind],
			       MAX_JOBS);
			return usage();
		}
	if (!n)
		return usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(bulk, 'b', sizeof(bulk));
	/* Warm up both: first-touch costs stay out of the numbers. */
	for (k = 0; k < 2 && !(icount && jobs[0].w && jobs[0].w->wall_only); k++)
		run_job(&jobs[0], &impls[k]);
	for (r = 0; r < runs; r++)
		for (w = 0; w < n; w++)
			for (k = 0; k < 2 && !(icount && jobs[w].w && jobs[w].w->wall_only); k++) {
				const struct impl *im = &impls[(k + r) % 2];

				printf("# BENCH %s %s %d %.1f\n", jobs[w].name, im->name, r,
				       run_job(&jobs[w], im));
			}
	return 0;
}
