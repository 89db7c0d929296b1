// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-bench: the in-guest benchmark of each Rust sample against its C twin.
 *
 *   bench [-s PERCENT] [-r RUNS] [-i] [-p] WORKLOAD...
 *                  (iteration counts in percent of the defaults;
 *                   -i: the guest clock is QEMU's -icount;
 *                   -p: marks for rkm bench --profile, prof_mark())
 *
 * The workloads are the ones the drivers' manifests name (bench workload
 * lines, gathered by rkm bench). For RUNS rounds, each runs on the C and the
 * Rust device, C first on even rounds and Rust first on odd ones, and prints
 * one line per measurement:  # BENCH <workload> <c|rust> <round> <ns per op>
 * The first one also runs once on both before, as a warm-up. Time is
 * CLOCK_MONOTONIC: wall time normally, instructions under QEMU's -icount.
 * The echo workloads expect rust_echo and c_echo loaded, the semaphore ones
 * rust_semaphore and c_semaphore with instances=2, the edu ones rust_edu and
 * c_edu, each bound to one of two edu devices; the net ones rust_e1000 and
 * the kernel's e1000 with four e1000 NICs on two hubs (net_setup()).
 *
 * Under -icount the guest clock stops while the vCPU idles and jumps to the
 * next timer, so work done by a host thread of QEMU in real time (edu's
 * factorial unit) is not measured, and can even outlast a request's
 * timeout: -i skips those workloads.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../samples/rust_echo/echo.h"
#include "../../samples/rust_edu/edu.h"
#include "../lib/netns.h"

struct impl {
	const char *name;	/* c or rust */
	const char *echo;
	const char *sem[2];
	const char *edu;
	const char *blk_cfs;	/* null_blk-style configfs subsystem */
	const char *nic;	/* the e1000 driver (net_*) */
};

static const struct impl impls[] = {
	{ "c", "/dev/c_echo", { "/dev/c_semaphore", "/dev/c_semaphore1" }, "/dev/c_edu",
	  "/sys/kernel/config/nullb", "e1000" },
	{ "rust", "/dev/rust_echo", { "/dev/rust_semaphore", "/dev/rust_semaphore1" }, "/dev/rust_edu",
	  "/sys/kernel/config/rust_nullb", "rust_e1000" },
};

static long scale = 100;
static bool profile;	/* -p */
static long ops;	/* the measurement's operations, where it counts them (prof_mark) */

/*
 * rkm bench --profile: the QEMU plugin (tools/tcgprof.c) starts a segment of
 * its instruction counts each time the guest runs rkm_prof_mark(), which
 * rkm bench links at an address of its own (PROF_MARK, tools/rkm/bench.c:
 * no other guest program has code there). Mark n starts segment n.
 */
__attribute__((noinline, section(".rkm_mark"))) void rkm_prof_mark(void)
{
	__asm__ volatile("" ::: "memory");
}

static int prof_mark(void)
{
	static int marks;

	if (profile)
		rkm_prof_mark();
	return ++marks;
}

/*
 * The kernel's event counts a profile prints beside a measurement's
 * instructions (/proc/stat): a ratio that moves with how often the CPU
 * switches tasks, takes interrupts or runs NET_RX shows here.
 */
struct prof_events {
	unsigned long long ctxt, intr, net_rx;
};

static void prof_events(struct prof_events *e)
{
	FILE *f = fopen("/proc/stat", "r");
	char line[4096];

	memset(e, 0, sizeof(*e));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "ctxt %llu", &e->ctxt);
		sscanf(line, "intr %llu", &e->intr);
		/* softirq: total, HI, TIMER, NET_TX, NET_RX */
		sscanf(line, "softirq %*u %*u %*u %*u %llu", &e->net_rx);
	}
	fclose(f);
}

/* The kernel's code symbols with their addresses (rkm bench --profile resolves the counts). */
static void prof_symbols(void)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], type, name[256], mod[128];
	unsigned long long addr;

	if (!f) {
		printf("# bench: /proc/kallsyms: %s\n", strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		mod[0] = 0;
		/* Not the padding before each function (__pfx_), which never runs. */
		if (sscanf(line, "%llx %c %255s %127s", &addr, &type, name, mod) >= 3 &&
		    (type == 't' || type == 'T') && addr && strncmp(name, "__pfx_", 6))
			printf("# KSYM %llx %s %s\n", addr, name, mod);
	}
	fclose(f);
}

/* n iterations at the current scale, at least one. */
static long iters(long n)
{
	return n * scale / 100 > 0 ? n * scale / 100 : 1;
}
static char bulk[64 * 1024];

/* A measurement of n operations that took ns: ns per operation, and n for the profile. */
static double per_op(double ns, long n)
{
	ops = n;
	return ns / n;
}

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
	return per_op(t0, n);
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
	return per_op(t0, n);
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
	return per_op(t0, n);
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
	return per_op(t0, p.rounds);
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
	return per_op(t0, n);
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
	return per_op(t0, n);
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

/*
 * Network cells (rust_e1000 against the kernel's own e1000), in the same
 * boot, both drivers loaded. Each driver has a pair of 82540EMs to itself:
 * four NICs, hub 0's two (MACs 52:54:00:12:34:50 and :51, the manifest's
 * nic line) and hub 1's two (52:54:00:12:35:50 and :51, its bench qemu
 * lines); a hub's frames reach only its other port. Whichever driver init
 * loaded first binds all four and keeps hub 0's; hub 1's are unbound from
 * it and bound to the other through sysfs (bench alternate-load-order swaps
 * the first one every boot). Both pairs stay up for the whole program, so
 * the runs of the two drivers alternate as every workload's do, with no
 * reload or link bring-up (seconds under TCG) between them, and no traffic
 * of one pair reaches the other's NICs. Each NIC is alone in a network
 * namespace of its own (A: the sender or client, B: the receiver or
 * server), so every packet crosses the hub: sent by the driver under test
 * on one NIC, received by it on the other. Addresses are 198.18.HUB.1 (A)
 * and .2 (B), neighbours static, IPv6 off: no ARP, router solicitations or
 * MLD reports during the runs.
 *
 *   net_udp64  64-byte UDP payloads from A to B as fast as sendmmsg goes
 *              (flow control: the socket's send buffer); ns per packet
 *              received, from the first send to the last one received; the
 *              receiver is a SCHED_BATCH task (net_udp_sink says why)
 *   net_tcp    iperf3 TCP from A to B (-n bytes): ns per KiB received,
 *              from iperf3's own receiver figures (bytes, seconds)
 *   net_rr     a 64-byte UDP request from A, the same back from B's echo
 *              server, one at a time: ns per round trip
 *
 * net_grid is the three (with -s below 100, every (100 / s)-th: a smoke
 * run has net_udp64 alone, no iperf3 to start).
 *
 * Under -icount, everything (both stacks, both drivers, the sockets) runs
 * on the one vCPU, so the figures are instructions per packet, KiB or round
 * trip, plus any time the vCPU idles waiting for a timer: QEMU's e1000
 * delays interrupts as the driver's ITR register says (net_rr is mostly
 * that wait). The pc machine routes its PCI interrupt links to two lines
 * (IRQs 10 and 11), so four NICs share them: as QEMU places them, each of a
 * pair's NICs shares its line with one of the other pair's, and each
 * driver's runs also call the other's handler for its idle NIC (a read of
 * ICR, IRQ_NONE: some tens of instructions an interrupt, both ways). Each
 * NIC's IRQ is printed as a comment.
 */
#define NET_NICS 4
#define NET_UDP_PORT 5301
#define NET_RR_PORT 5302
#define NET_BATCH 32

static const char *const net_macs[NET_NICS] = { "52:54:00:12:34:50", "52:54:00:12:34:51",
						"52:54:00:12:35:50", "52:54:00:12:35:51" };

struct net_pair {
	int hub;
	struct netns ns[2];		/* A, B */
	char dev[2][IFNAMSIZ];
	char addr[2][16];
};

static struct net_pair net_pairs[2];	/* by impls[] index */
static bool net_ready;
static char net_out[65536];

static void net_die(const char *what)
{
	printf("# bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void net_sysfs(const char *driver, const char *op, const char *bdf)
{
	char dir[96];

	snprintf(dir, sizeof(dir), "/sys/bus/pci/drivers/%s", driver);
	cfs_set(dir, op, bdf);
}

/* A command in ns that must succeed. */
#define NET_RUN(ns, ...)                                                                  \
	do {                                                                              \
		if (net_cmd((ns), net_out, sizeof(net_out), __VA_ARGS__)) {               \
			printf("# bench: failed: " __VA_ARGS__);                          \
			printf(": %.300s\n", net_out);                                    \
			exit(1);                                                          \
		}                                                                         \
	} while (0)

static int net_irq(const char *bdf)
{
	char path[128];
	int irq = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/irq", bdf);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &irq) != 1)
			irq = -1;
		fclose(f);
	}
	return irq;
}

/*
 * Whether dev in ns is up with its carrier (IFF_RUNNING), asked through a
 * socket there: no ip to start under emulation at every look.
 */
static bool net_running(const struct netns *ns, const char *dev)
{
	int fd = netns_socket(ns, AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	bool up;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	up = fd >= 0 && !ioctl(fd, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_RUNNING);
	if (fd >= 0)
		close(fd);
	return up;
}

static void net_rr_run(const struct net_pair *p, long n, long *lost);
static void net_udp_run(const struct net_pair *p, long n, long *got, double *ns);

/* Both pairs bound, in their namespaces, up with carrier, and warm. */
static void net_setup(void)
{
	struct net_nic nic[NET_NICS];
	const char *first, *other;
	long long t0 = net_ms();
	int i, k, s;

	if (net_ready)
		return;
	for (i = 0; i < NET_NICS; i++)
		if (!net_nic_by_mac(net_macs[i], &nic[i])) {
			printf("# bench: no NIC with MAC %s (manifest nic and bench qemu lines)\n",
			       net_macs[i]);
			exit(1);
		}
	first = nic[0].driver;
	other = !strcmp(first, impls[0].nic) ? impls[1].nic : impls[0].nic;
	if (strcmp(first, impls[0].nic) && strcmp(first, impls[1].nic)) {
		printf("# bench: NIC %s has driver '%s', not %s or %s\n", nic[0].bdf, first,
		       impls[0].nic, impls[1].nic);
		exit(1);
	}
	for (i = 2; i < NET_NICS; i++) {
		if (!strcmp(nic[i].driver, other))
			continue;
		if (nic[i].driver[0])
			net_sysfs(nic[i].driver, "unbind", nic[i].bdf);
		net_sysfs(other, "bind", nic[i].bdf);
	}
	for (i = 0; i < NET_NICS; i++)
		if (!net_nic_by_mac(net_macs[i], &nic[i]) ||
		    strcmp(nic[i].driver, i < 2 ? first : other)) {
			printf("# bench: NIC %s is not %s's after the rebinding\n", net_macs[i],
			       i < 2 ? first : other);
			exit(1);
		}
	for (k = 0; k < 2; k++) {
		struct net_pair *p = &net_pairs[k];

		p->hub = strcmp(impls[k].nic, first) ? 1 : 0;
		for (s = 0; s < 2; s++) {
			const struct net_nic *c = &nic[2 * p->hub + s];
			char sysctl[80];

			snprintf(p->dev[s], IFNAMSIZ, "%s", c->name);
			snprintf(p->addr[s], sizeof(p->addr[s]), "198.18.%d.%d", p->hub, s + 1);
			if (netns_new(&p->ns[s]))
				net_die("a network namespace");
			if (netns_move(&p->ns[s], c->name, net_out, sizeof(net_out))) {
				printf("# bench: %s into a namespace: %.300s\n", c->name, net_out);
				exit(1);
			}
			snprintf(sysctl, sizeof(sysctl), "net/ipv6/conf/%s/disable_ipv6", c->name);
			if (netns_sysctl(&p->ns[s], sysctl, "1") && errno != ENOENT)
				net_die(sysctl);
			NET_RUN(&p->ns[s], "ip link set dev lo up");
			NET_RUN(&p->ns[s], "ip link set dev %s up", c->name);
			NET_RUN(&p->ns[s], "ip addr add %s/24 dev %s", p->addr[s], c->name);
		}
		for (s = 0; s < 2; s++)
			NET_RUN(&p->ns[s], "ip neigh replace %s lladdr %s dev %s nud permanent",
				p->addr[!s], net_macs[2 * p->hub + !s], p->dev[s]);
		printf("# bench: net: %s on hub %d: %s (IRQ %d) and %s (IRQ %d)\n", impls[k].nic,
		       p->hub, nic[2 * p->hub].bdf, net_irq(nic[2 * p->hub].bdf),
		       nic[2 * p->hub + 1].bdf, net_irq(nic[2 * p->hub + 1].bdf));
	}
	/* Carrier on all four (e1000's link watchdog: seconds under TCG). */
	for (k = 0; k < 2; k++)
		for (s = 0; s < 2; s++) {
			long long end = net_ms() + 30000;

			while (!net_running(&net_pairs[k].ns[s], net_pairs[k].dev[s])) {
				if (net_ms() > end) {
					printf("# bench: no carrier on %s (%s) in 30 s\n",
					       net_pairs[k].dev[s], impls[k].nic);
					exit(1);
				}
				usleep(50000);
			}
		}
	net_ready = true;
	/* Warm: sockets, slabs, the rings' first pass, on both pairs. */
	for (k = 0; k < 2; k++) {
		long lost, got;
		double ns;

		net_rr_run(&net_pairs[k], iters(100), &lost);
		net_udp_run(&net_pairs[k], iters(1000), &got, &ns);
	}
	printf("# bench: net: both pairs up and warm in %.1f s\n", (net_ms() - t0) / 1000.0);
}

static const struct net_pair *net_pair(const struct impl *im)
{
	net_setup();
	return &net_pairs[im == &impls[0] ? 0 : 1];
}

static struct sockaddr_in net_sin(const char *addr, int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &sin.sin_addr);
	return sin;
}

/* A UDP socket in side s of p; bound to its address and port if bind. */
static int net_udp_socket(const struct net_pair *p, int s, int port, bool bind_it)
{
	struct sockaddr_in sin = net_sin(p->addr[s], port);
	int fd = netns_socket(&p->ns[s], AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		net_die("UDP socket");
	if (bind_it && bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		net_die("bind");
	return fd;
}

static void net_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		net_die("SO_RCVTIMEO");
}

static void net_connect(int fd, const struct net_pair *p, int port)
{
	struct sockaddr_in sin = net_sin(p->addr[1], port);

	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		net_die("connect");
}

/* Waits for child pid, up to ms, then kills it. */
static void net_reap(pid_t pid, int ms)
{
	long long end = net_ms() + ms;

	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (net_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		usleep(10000);
	}
}

struct net_count {
	long packets;
	double last;
};

/* B's side of net_udp64: counts 'D' packets until an 'S' one, then reports. */
static void __attribute__((noreturn)) net_udp_sink(const struct net_pair *p, int ready, int res)
{
	static char bufs[NET_BATCH][2048];
	struct mmsghdr m[NET_BATCH];
	struct iovec iov[NET_BATCH];
	struct net_count c = { 0, 0 };
	int fd = net_udp_socket(p, 1, NET_UDP_PORT, true), size = 8 << 20, i, n;

	/* Drops at the socket would count the reader, not the drivers. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	/*
	 * A batch task: woken by a packet, it waits for the sender's slice to
	 * end instead of preempting it. Sender and receiver share the one
	 * vCPU; with wakeup preemption, how many packets the receiver found
	 * each time it ran (so how often it slept and was woken: up to 4% of
	 * the instructions a packet) followed the scheduler's lag arithmetic,
	 * and swung by half between builds that differed by a few
	 * instructions a packet. Measured both ways, for both drivers.
	 */
	if (sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){ 0 }))
		_exit(1);
	net_timeout(fd, 60000);
	if (write(ready, "y", 1) != 1)
		_exit(1);
	for (;;) {
		for (i = 0; i < NET_BATCH; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i],
							      .msg_iovlen = 1 } };
		}
		n = recvmmsg(fd, m, NET_BATCH, 0, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (bufs[i][0] == 'S') {
				c.last = c.last ? c.last : now_ns();
				if (write(res, &c, sizeof(c)) != sizeof(c))
					_exit(1);
				_exit(0);
			}
			c.packets++;
		}
		c.last = now_ns();
	}
	_exit(1);
}

/* n 64-byte packets A to B: *got received, *ns from the first send to the last received. */
static void net_udp_run(const struct net_pair *p, long n, long *got, double *ns)
{
	static char data[64], stop[64];
	struct mmsghdr m[NET_BATCH];
	struct iovec iov[NET_BATCH];
	struct net_count c;
	int ready[2], res[2], fd, i, tries;
	double t0;
	long sent;
	char y;
	pid_t pid;

	memset(data, 'D', sizeof(data));
	memset(stop, 'S', sizeof(stop));
	if (pipe2(ready, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		net_die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		net_die("fork");
	if (!pid)
		net_udp_sink(p, ready[1], res[1]);
	close(ready[1]);
	close(res[1]);
	if (read(ready[0], &y, 1) != 1) {
		printf("# bench: net_udp64: the receiver did not start\n");
		exit(1);
	}
	fd = net_udp_socket(p, 0, 0, false);
	net_connect(fd, p, NET_UDP_PORT);
	for (i = 0; i < NET_BATCH; i++) {
		iov[i] = (struct iovec){ data, sizeof(data) };
		m[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	t0 = now_ns();
	for (sent = 0; sent < n;) {
		int r = sendmmsg(fd, m, n - sent < NET_BATCH ? n - sent : NET_BATCH, 0);

		if (r < 0 && errno != ENOBUFS && errno != EINTR)
			net_die("net_udp64: sendmmsg");
		sent += r > 0 ? r : 0;
	}
	/* The stop packet, again until B reports (it may be dropped too). */
	for (tries = 0; tries < 3000; tries++) {
		struct pollfd pf = { .fd = res[0], .events = POLLIN };

		if (send(fd, stop, sizeof(stop), 0) < 0 && errno != ECONNREFUSED)
			net_die("net_udp64: send");
		if (poll(&pf, 1, 20) == 1)
			break;
	}
	if (read(res[0], &c, sizeof(c)) != sizeof(c) || !c.packets) {
		printf("# bench: net_udp64: nothing received on %s\n", p->dev[1]);
		exit(1);
	}
	net_reap(pid, 5000);
	close(fd);
	close(ready[0]);
	close(res[0]);
	*got = c.packets;
	*ns = c.last - t0;
}

static double net_udp64(const struct impl *im)
{
	const struct net_pair *p = net_pair(im);
	long n = iters(20000), got;
	double ns;

	net_udp_run(p, n, &got, &ns);
	if (got < n)
		printf("# bench: net_udp64 %s: %ld of %ld received\n", im->name, got, n);
	return per_op(ns, got);
}

/* B's side of net_rr: each datagram back to its sender, until an 'S' one. */
static void __attribute__((noreturn)) net_echo(const struct net_pair *p, int ready)
{
	int fd = net_udp_socket(p, 1, NET_RR_PORT, true);
	char buf[2048];

	net_timeout(fd, 60000);
	if (write(ready, "y", 1) != 1)
		_exit(1);
	for (;;) {
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);

		if (n <= 0)
			_exit(1);
		if (buf[0] == 'S')
			_exit(0);
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
	}
}

/* n round trips of 64 bytes, A to B and back; *lost: requests sent again (1 s without reply). */
static void net_rr_run(const struct net_pair *p, long n, long *lost)
{
	char buf[2048], req[64];
	int ready[2], fd;
	long i;
	char y;
	pid_t pid;

	*lost = 0;
	if (pipe2(ready, O_CLOEXEC))
		net_die("pipe");
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		net_die("fork");
	if (!pid)
		net_echo(p, ready[1]);
	close(ready[1]);
	if (read(ready[0], &y, 1) != 1) {
		printf("# bench: net_rr: the echo server did not start\n");
		exit(1);
	}
	close(ready[0]);
	fd = net_udp_socket(p, 0, 0, false);
	net_connect(fd, p, NET_RR_PORT);
	net_timeout(fd, 1000);
	memset(req, 'R', sizeof(req));
	for (i = 0; i < n; i++) {
		memcpy(req + 1, &i, sizeof(i));
		for (;;) {
			ssize_t r;

			if (send(fd, req, sizeof(req), 0) != sizeof(req))
				net_die("net_rr: send");
			do
				r = recv(fd, buf, sizeof(buf), 0);
			while (r == sizeof(req) && memcmp(buf, req, sizeof(req)));
			if (r == sizeof(req))
				break;
			if (r >= 0 || (errno != EAGAIN && errno != EINTR) || ++*lost > 100)
				net_die("net_rr: no reply");
		}
	}
	memset(req, 'S', sizeof(req));
	send(fd, req, sizeof(req), 0);
	net_reap(pid, 5000);
	close(fd);
}

static double net_rr(const struct impl *im)
{
	const struct net_pair *p = net_pair(im);
	long n = iters(2000), lost;
	double t0 = now_ns();

	net_rr_run(p, n, &lost);
	t0 = now_ns() - t0;
	if (lost)
		printf("# bench: net_rr %s: %ld requests sent again\n", im->name, lost);
	return per_op(t0, n);
}

/* iperf3 TCP, A to B, -n bytes: ns per KiB received, from its receiver's bytes and seconds. */
static double net_tcp(const struct impl *im)
{
	const struct net_pair *p = net_pair(im);
	long bytes = iters(32L << 20) < (256L << 10) ? 256L << 10 : iters(32L << 20);
	double got, secs;
	const char *sum;
	int r = -1, tries;
	pid_t server = net_spawn(&p->ns[1], "iperf3 -s -1 -B %s", p->addr[1]);

	if (server < 0)
		net_die("iperf3 -s");
	/* Until the server listens: "Connection refused" before. */
	for (tries = 0; tries < 100; tries++) {
		r = net_cmd(&p->ns[0], net_out, sizeof(net_out), "iperf3 -c %s -n %ld -J",
			    p->addr[1], bytes);
		if (!strstr(net_out, "Connection refused"))
			break;
		usleep(100000);
	}
	net_reap(server, 10000);
	sum = strstr(net_out, "\"sum_received\"");
	got = sum ? net_value(sum, "\"bytes\"", 0) : -1;
	secs = sum ? net_value(sum, "\"seconds\"", 0) : -1;
	if (r || !(got > 0) || !(secs > 0)) {
		printf("# bench: iperf3 -c %s -n %ld failed (%d): %.600s\n", p->addr[1], bytes, r,
		       net_out);
		exit(1);
	}
	return per_op(secs * 1e9, got / 1024);
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
	{ "net_udp64", net_udp64, false },
	{ "net_tcp", net_tcp, false },
	{ "net_rr", net_rr, false },
};
#define NWORKLOADS (int)(sizeof(workloads) / sizeof(workloads[0]))
#define MAX_JOBS 128

static int usage(void)
{
	int w;

	printf("# bench: usage: bench [-s PERCENT] [-r RUNS] [-i] [-p] WORKLOAD... (");
	for (w = 0; w < NWORKLOADS; w++)
		printf("%s ", workloads[w].name);
	printf("blk_grid blk_RW_BSk_qdQ_jJ_iIRQ_mMEM net_grid)\n");
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

	/* A smoke run (-s below 100) thins the grids: every (100 / s)-th cell. */
	if (!strcmp(name, "net_grid")) {
		static const char *const cells[] = { "net_udp64", "net_tcp", "net_rr" };

		for (i = 0; i < 3; i += scale < 100 ? 100 / scale : 1)
			if ((n = add_job(jobs, n, cells[i])) < 0)
				return -1;
		return n;
	}
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

	while ((opt = getopt(argc, argv, "s:r:ip")) != -1) {
		if ((opt == 's' && !positive(optarg, &scale)) ||
		    (opt == 'r' && !positive(optarg, &runs)) || opt == '?')
			return usage();
		if (opt == 'i')
			icount = true;
		if (opt == 'p')
			profile = true;
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
	/*
	 * The kernel's random pool ready before any measurement: the first
	 * blocking getrandom() of a boot (iperf3's) otherwise runs the jitter
	 * entropy collector inside whichever round comes first.
	 */
	if (getrandom(&opt, sizeof(opt), 0) != sizeof(opt))
		printf("# bench: getrandom: %s\n", strerror(errno));
	/* Warm up both: first-touch costs stay out of the numbers. */
	for (k = 0; k < 2 && !(icount && jobs[0].w && jobs[0].w->wall_only); k++)
		run_job(&jobs[0], &impls[k]);
	for (r = 0; r < runs; r++)
		for (w = 0; w < n; w++)
			for (k = 0; k < 2 && !(icount && jobs[w].w && jobs[w].w->wall_only); k++) {
				const struct impl *im = &impls[(k + r) % 2];
				struct prof_events e0, e1;
				int seg;
				double t, v;

				/* Read outside the segment: not counted in it. */
				if (profile)
					prof_events(&e0);
				seg = prof_mark();
				t = now_ns();
				ops = 0;
				v = run_job(&jobs[w], im);
				prof_mark();
				/* Its guest time too: under -icount, instructions plus idle. */
				if (profile) {
					t = now_ns() - t;
					prof_events(&e1);
					printf("# PROFILE %d %s %s %d %ld %.0f %llu %llu %llu\n", seg,
					       jobs[w].name, im->name, r, ops, t, e1.ctxt - e0.ctxt,
					       e1.intr - e0.intr, e1.net_rx - e0.net_rx);
				}
				printf("# BENCH %s %s %d %.1f\n", jobs[w].name, im->name, r, v);
			}
	if (profile)
		prof_symbols();
	return 0;
}
