// SPDX-License-Identifier: GPL-2.0
/*
 * net_pair test: rkm::net from userspace with Debian's own tools (ip, ping,
 * ethtool, iperf3, shipped by rkm.manifest). npair1 goes into a new network
 * namespace (a child's unshare(CLONE_NEWNET), then `ip link set DEV netns
 * PID`), addresses come from 198.18.0.0/15, and everything crosses the
 * pair through NAPI: ping of several sizes, a TCP transfer, statistics
 * (ip's, ethtool -S), ethtool -i/-g/-G, MTU changes in and out of range
 * (jumbo frames, oversize frames dropped and counted), MAC changes valid
 * and invalid, promiscuous mode; rmmod with the interfaces up and
 * configured; load/unload cycles; every allocation of init failing.
 */
#include "ktest.h"

#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#define MOD "net_pair"
#define A "npair0"
#define B "npair1"
#define IP_A "198.18.0.1"
#define IP_B "198.18.0.2"

/* The peer's namespace, entered by children that run commands there. */
static int peer_ns = -1;

/*
 * Runs argv (in the peer's namespace if @in_peer), its output (stdout and
 * stderr) into @out (NUL-terminated, cut to @len); returns its exit status,
 * or -1 if it could not run or was killed.
 */
static int runv(bool in_peer, char *out, size_t len, char *const argv[])
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;
	char sink[512];
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (in_peer && setns(peer_ns, CLONE_NEWNET))
			_exit(126);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		char *dst = out && n + 1 < len ? out + n : sink;
		size_t room = out && n + 1 < len ? len - 1 - n : sizeof(sink);

		r = read(fds[0], dst, room);
		if (r <= 0)
			break;
		if (dst != sink)
			n += r;
	}
	close(fds[0]);
	if (out && len)
		out[n] = 0;
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define RUN(peer, out, ...) \
	runv(peer, out, sizeof(out), (char *const[]){ __VA_ARGS__, NULL })
#define RUNQ(peer, ...) runv(peer, NULL, 0, (char *const[]){ __VA_ARGS__, NULL })
#define IP "/usr/sbin/ip"
#define ETHTOOL "/usr/sbin/ethtool"
#define PING "/usr/bin/ping"
#define IPERF3 "/usr/bin/iperf3"

/* /sys/class/net/DEV/statistics/NAME, or -1 (in this namespace only). */
static long long stat_of(const char *dev, const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", dev, name);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atoll(buf);
}

/* The value of "NAME: N" in ethtool -S DEV's output, or -1. */
static long long ethtool_stat(bool peer, const char *dev, const char *name)
{
	char out[4096], key[64], *p;

	if (RUN(peer, out, ETHTOOL, "-S", (char *)dev))
		return -1;
	snprintf(key, sizeof(key), " %s: ", name);
	p = strstr(out, key);
	return p ? atoll(p + strlen(key)) : -1;
}

static void load(void)
{
	ktest_need_module(MOD);
	ASSERT_EQ(0, load_module(MOD, NULL));
	ASSERT_EQ(0, access("/sys/class/net/" A, F_OK));
	ASSERT_EQ(0, access("/sys/class/net/" B, F_OK));
}

/* npair1 into a new namespace, held by peer_ns. */
static void split(void)
{
	char path[64], pidbuf[16];
	int ready[2];
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET))
			_exit(1);
		c = 1;
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(1, read(ready[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	peer_ns = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_TRUE(peer_ns >= 0);
	snprintf(pidbuf, sizeof(pidbuf), "%d", pid);
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", B, "netns", pidbuf));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_TRUE(access("/sys/class/net/" B, F_OK) != 0);
}

/* Both ends addressed and up, npair1 in the peer namespace. */
static void setup(void)
{
	load();
	split();
	ASSERT_EQ(0, RUNQ(false, IP, "addr", "add", IP_A "/24", "dev", A));
	ASSERT_EQ(0, RUNQ(false, IP, "link", "set", A, "up"));
	ASSERT_EQ(0, RUNQ(true, IP, "addr", "add", IP_B "/24", "dev", B));
	ASSERT_EQ(0, RUNQ(true, IP, "link", "set", "lo", "up"));
	ASSERT_EQ(0, RUNQ(true, IP, "link", "set", B, "up"));
}

static int ping(const char *size)
{
	char out[2048];
	int r = RUN(false, out, PING, "-c", "2", "-i", "0.2", "-W", "5", "-s", (char *)size, IP_B);

	if (r)
		printf("# ping -s %s: %d: %s\n", size, r, out);
	return r;
}

TEST(ping_across_namespaces)
{
	long long tx, rx;

	setup();
	tx = stat_of(A, "tx_packets");
	rx = stat_of(A, "rx_packets");
	EXPECT_EQ(0, ping("56"));
	EXPECT_EQ(0, ping("0"));
	EXPECT_EQ(0, ping("1472"));	/* a full 1500-byte frame */
	EXPECT_TRUE(stat_of(A, "tx_packets") >= tx + 6);
	EXPECT_TRUE(stat_of(A, "rx_packets") >= rx + 6);
	EXPECT_TRUE(stat_of(A, "tx_bytes") > 0);
	EXPECT_TRUE(ethtool_stat(true, B, "rx_packets") >= 6);
	EXPECT_TRUE(ethtool_stat(false, A, "tx_packets") >= 6);
	EXPECT_EQ(0, unload_module(MOD));
}

TEST(tcp_transfer_with_iperf3)
{
	char out[8192];
	int srv;
	pid_t pid;

	if (access(IPERF3, X_OK))
		SKIP("iperf3 not shipped");
	setup();
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (pid == 0) {
		char sink[256];

		_exit(runv(true, sink, sizeof(sink),
			   (char *const[]){ IPERF3, "-s", "-1", "-B", IP_B, NULL }));
	}
	/* The server listens within a few seconds under emulation. */
	srv = -1;
	for (int i = 0; i < 50 && srv; i++) {
		usleep(200000);
		srv = RUN(false, out, IPERF3, "-c", IP_B, "-t", "2", "-f", "m");
	}
	EXPECT_EQ(0, srv);
	if (srv)
		printf("# iperf3: %s\n", out);
	EXPECT_TRUE(strstr(out, "receiver") != NULL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	EXPECT_TRUE(stat_of(A, "tx_bytes") > 1000000);
	EXPECT_EQ(0, unload_module(MOD));
}

TEST(ethtool_info_rings_stats)
{
	char out[4096];

	load();
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, "-i", A));
	EXPECT_TRUE(strstr(out, "driver: " MOD "\n") != NULL);
	EXPECT_TRUE(strstr(out, "bus-info: " MOD ".0\n") != NULL);
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, "-g", A));
	EXPECT_TRUE(strstr(out, "RX:\t\t4096") != NULL);
	EXPECT_TRUE(strstr(out, "RX:\t\t256") != NULL);
	EXPECT_EQ(0, RUNQ(false, ETHTOOL, "-G", A, "rx", "512", "tx", "1024"));
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, "-g", A));
	EXPECT_TRUE(strstr(out, "RX:\t\t512") != NULL);
	EXPECT_TRUE(strstr(out, "TX:\t\t1024") != NULL);
	/* Above the maximum (the core refuses), below the driver's minimum. */
	EXPECT_TRUE(RUNQ(false, ETHTOOL, "-G", A, "rx", "4097") != 0);
	EXPECT_TRUE(RUNQ(false, ETHTOOL, "-G", A, "rx", "10") != 0);
	EXPECT_TRUE(RUNQ(false, ETHTOOL, "-G", A, "rx-mini", "1") != 0);
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, "-g", A));
	EXPECT_TRUE(strstr(out, "RX:\t\t512") != NULL);
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, "-S", A));
	EXPECT_TRUE(strstr(out, "NIC statistics:") != NULL);
	EXPECT_TRUE(strstr(out, "     rx_mode_changes: ") != NULL);
	EXPECT_TRUE(strstr(out, "     tx_packets: 0\n") != NULL);
	/* Link: down until both ends are up. */
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, A));
	EXPECT_TRUE(strstr(out, "Link detected: no") != NULL);
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "up"));
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", B, "up"));
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, A));
	EXPECT_TRUE(strstr(out, "Link detected: yes") != NULL);
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", B, "down"));
	ASSERT_EQ(0, RUN(false, out, ETHTOOL, A));
	EXPECT_TRUE(strstr(out, "Link detected: no") != NULL);
	EXPECT_EQ(0, unload_module(MOD));
}

static long mtu_of(const char *dev)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/class/net/%s/mtu", dev);
	return read_file(path, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

TEST(mtu_limits_and_jumbo_frames)
{
	setup();
	EXPECT_TRUE(RUNQ(false, IP, "link", "set", A, "mtu", "9001") != 0);
	EXPECT_TRUE(RUNQ(false, IP, "link", "set", A, "mtu", "67") != 0);
	EXPECT_EQ(1500, mtu_of(A));
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "mtu", "68"));
	EXPECT_EQ(68, mtu_of(A));
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "mtu", "9000"));
	EXPECT_EQ(9000, mtu_of(A));
	EXPECT_EQ(0, RUNQ(true, IP, "link", "set", B, "mtu", "9000"));
	EXPECT_EQ(0, ping("8972"));	/* a 9000-byte IP packet, unfragmented */
	/* Frames above the receiver's MTU are dropped there and counted. */
	EXPECT_EQ(0, RUNQ(true, IP, "link", "set", B, "mtu", "1500"));
	EXPECT_TRUE(RUNQ(false, PING, "-c", "1", "-W", "1", "-M", "do", "-s", "3000", IP_B) != 0);
	EXPECT_TRUE(ethtool_stat(true, B, "rx_oversize") >= 1);
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "mtu", "1500"));
	EXPECT_EQ(0, ping("1472"));
	EXPECT_EQ(0, unload_module(MOD));
}

TEST(mac_address_changes)
{
	char buf[64];

	setup();
	EXPECT_EQ(0, ping("56"));
	ASSERT_TRUE(read_file("/sys/class/net/" A "/address", buf, sizeof(buf)) > 0);
	EXPECT_EQ(0, strcmp(buf, "02:6e:70:00:00:01\n"));
	/* Multicast and all-zero addresses are refused, nothing changes. */
	EXPECT_TRUE(RUNQ(false, IP, "link", "set", A, "address", "01:00:5e:00:00:01") != 0);
	EXPECT_TRUE(RUNQ(false, IP, "link", "set", A, "address", "00:00:00:00:00:00") != 0);
	ASSERT_TRUE(read_file("/sys/class/net/" A "/address", buf, sizeof(buf)) > 0);
	EXPECT_EQ(0, strcmp(buf, "02:6e:70:00:00:01\n"));
	/* A live change: the peer relearns it and the filter follows. */
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "address", "02:11:22:33:44:55"));
	ASSERT_TRUE(read_file("/sys/class/net/" A "/address", buf, sizeof(buf)) > 0);
	EXPECT_EQ(0, strcmp(buf, "02:11:22:33:44:55\n"));
	EXPECT_EQ(0, RUNQ(true, IP, "neigh", "flush", "dev", B));
	EXPECT_EQ(0, ping("56"));
	EXPECT_EQ(0, unload_module(MOD));
}

TEST(promiscuous_mode)
{
	char buf[32];
	long long before, filtered;

	setup();
	EXPECT_EQ(0, ping("56"));
	before = ethtool_stat(false, A, "rx_mode_changes");
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "promisc", "on"));
	ASSERT_TRUE(read_file("/sys/class/net/" A "/flags", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(strtol(buf, NULL, 16) & 0x100);
	EXPECT_TRUE(ethtool_stat(false, A, "rx_mode_changes") > before);
	/* A frame for another MAC: filtered without promisc, taken with it. */
	EXPECT_EQ(0, RUNQ(true, IP, "neigh", "replace", IP_A, "lladdr", "02:99:99:99:99:99",
			  "dev", B));
	filtered = ethtool_stat(false, A, "rx_filtered");
	RUNQ(true, PING, "-c", "1", "-W", "1", IP_A);
	EXPECT_EQ(filtered, ethtool_stat(false, A, "rx_filtered"));
	EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "promisc", "off"));
	ASSERT_TRUE(read_file("/sys/class/net/" A "/flags", buf, sizeof(buf)) > 0);
	EXPECT_TRUE(!(strtol(buf, NULL, 16) & 0x100));
	RUNQ(true, PING, "-c", "1", "-W", "1", IP_A);
	EXPECT_TRUE(ethtool_stat(false, A, "rx_filtered") > filtered);
	EXPECT_EQ(0, unload_module(MOD));
}

/* rmmod with both ends up, addressed, one in another namespace, traffic just sent. */
TEST(rmmod_while_up)
{
	setup();
	EXPECT_EQ(0, ping("56"));
	EXPECT_EQ(0, unload_module(MOD));
	EXPECT_TRUE(access("/sys/module/" MOD, F_OK) != 0);
	EXPECT_TRUE(access("/sys/class/net/" A, F_OK) != 0);
	/* And again: nothing was left registered under these names. */
	load();
	EXPECT_EQ(0, unload_module(MOD));
}

TEST(load_unload_cycles)
{
	for (int i = 0; i < 20; i++) {
		load();
		EXPECT_EQ(0, RUNQ(false, IP, "link", "set", A, "up"));
		EXPECT_EQ(0, RUNQ(false, IP, "link", "set", B, "up"));
		ASSERT_EQ(0, unload_module(MOD));
	}
}

TEST(init_allocations_fail_cleanly)
{
	expect_init_walk(MOD, NULL);
	EXPECT_TRUE(access("/sys/class/net/" A, F_OK) != 0);
}

int main(void)
{
	return ktest_run();
}
