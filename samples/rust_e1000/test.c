// SPDX-License-Identifier: GPL-2.0
/*
 * rust_e1000 test on QEMU's e1000 (82540EM; the manifest's nic line gives
 * two, MACs 52:54:00:12:34:50 and :51, on a hub port each). The hardware
 * layer: the driver must bind, read the MAC address from the EEPROM, find
 * the EEPROM checksum good, bring the link up, set up both descriptor
 * rings (empty until the interface is up: head == tail == 0), handle the
 * interrupt causes raised through e1000_ics once up (and refuse bad ones),
 * and do it all again after an unbind and a bind through sysfs, and after
 * each reload. The network device: up with carrier, the ring filled, ping
 * to the second NIC in another namespace, and bad inputs refused with the
 * kernel's errors (MAC addresses, MTUs, ring sizes); interface down, MTU
 * change, unbind and rmmod while traffic flows; every allocation of the
 * load and a probe failing in turn, each cleanly; a failed receive-buffer
 * allocation in an open, an MTU change or a ring change leaves the device
 * usable. (tests/net_e1000 compares it with the kernel's e1000.)
 */
#include "ktest.h"
#include "netns.h"

#include <net/ethernet.h>
#include <net/if.h>
#include <linux/if_packet.h>

#define DRV "rust_e1000"
#define E1000_VENDOR 0x8086
#define E1000_DEVICE 0x100e
#define MAC "52:54:00:12:34:50"
#define MAC_B "52:54:00:12:34:51"
#define ICR_LSC 0x4
#define ADDR_A "198.18.0.1"
#define ADDR_B "198.18.0.2"
#define FAIL_NTH "/sys/module/" DRV "/parameters/rkm_fail_nth"

static char bdf[64];
static char sysdir[128];

/* The attribute's text, its last newline dropped, or "" if unreadable. */
static const char *attr(const char *name)
{
	static char buf[256];
	char path[192];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	n = read_file(path, buf, sizeof(buf));
	if (n <= 0)
		return "";
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

static int attr_write(const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return write_file(path, text);
}

/* Waits up to 2 s for the attribute to read @want. */
static bool attr_becomes(const char *name, const char *want)
{
	long long end = ktest_ms() + 2000;

	while (strcmp(attr(name), want)) {
		if (ktest_ms() > end)
			return false;
		usleep(10000);
	}
	return true;
}

/* Interrupts handled so far, and the causes seen (or-ed); false if unreadable. */
static bool irqs(unsigned long *n, unsigned long *causes)
{
	return sscanf(attr("e1000_irqs"), "%lu causes %lx", n, causes) == 2;
}

/* Waits up to 2 s for more than @n interrupts, one with the link-status cause. */
static bool irq_after(unsigned long n)
{
	long long end = ktest_ms() + 2000;
	unsigned long now, causes;

	for (;;) {
		if (irqs(&now, &causes) && now > n && (causes & ICR_LSC))
			return true;
		if (ktest_ms() > end)
			return false;
		usleep(10000);
	}
}

static char dev_a[IFNAMSIZ], dev_b[IFNAMSIZ];
static char out[16384];

/* The name of the network device with @mac, if rust_e1000 drives it; false if not. */
static bool netdev_of(const char *mac, char *name)
{
	struct net_nic nic;

	if (!net_nic_by_mac(mac, &nic) || strcmp(nic.driver, DRV))
		return false;
	snprintf(name, IFNAMSIZ, "%s", nic.name);
	return true;
}

/* The PCI device of the NIC with MAC (A's), and both netdevs. */
static void find_bound(void)
{
	char path[300], link[300] = "";
	ssize_t n;

	ASSERT_TRUE(netdev_of(MAC, dev_a));
	ASSERT_TRUE(netdev_of(MAC_B, dev_b));
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev_a);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_TRUE(n > 0);
	snprintf(bdf, sizeof(bdf), "%s", strrchr(link, '/') + 1);
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", bdf);
}

/* Runs a command (ns NULL: the initial namespace) with {A}/{B} given; its status. */
__attribute__((format(printf, 2, 3)))
static int sh(const struct netns *ns, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return net_cmd(ns, out, sizeof(out), "%s", cmd);
}

/* Waits up to @ms for LOWER_UP on @dev in @ns. */
static bool carrier(const struct netns *ns, const char *dev, int ms)
{
	long long end = ktest_ms() + ms;

	do {
		if (!sh(ns, "ip -o link show dev %s", dev) && strstr(out, "LOWER_UP"))
			return true;
		usleep(50000);
	} while (ktest_ms() < end);
	return false;
}

static void check_bound(void)
{
	unsigned long n, causes;
	unsigned int th, tt, rh, rt;

	EXPECT_TRUE(!strcmp(attr("e1000_mac"), MAC));
	EXPECT_TRUE(!strcmp(attr("e1000_eeprom"), "checksum ok"));
	EXPECT_TRUE(attr_becomes("e1000_link", "up"));
	/* Down: the rings are empty and the interrupt masked. */
	EXPECT_TRUE(!strcmp(attr("e1000_rings"),
			    "tx 256 4096 head 0 tail 0\nrx 256 4096 head 0 tail 0"));
	ASSERT_TRUE(irqs(&n, &causes));
	EXPECT_EQ(0, n);
	/* Up: the receive ring filled (all but one), a raised cause handled. */
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s up", dev_a));
	EXPECT_TRUE(carrier(NULL, dev_a, 5000));
	EXPECT_EQ(4, sscanf(attr("e1000_rings"), "tx 256 4096 head %u tail %u\nrx 256 4096 head %u tail %u",
			    &th, &tt, &rh, &rt));
	EXPECT_TRUE(rt != rh);
	ASSERT_TRUE(irqs(&n, &causes));
	EXPECT_EQ(0, attr_write("e1000_ics", "4"));
	EXPECT_TRUE(irq_after(n));
	printf("# %s: irqs %s\n", bdf, attr("e1000_irqs"));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s down", dev_a));
	EXPECT_TRUE(!strcmp(attr("e1000_rings"),
			    "tx 256 4096 head 0 tail 0\nrx 256 4096 head 0 tail 0"));
}

static int drv_file(const char *what)
{
	char path[192];

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", DRV, what);
	return write_file(path, bdf);
}

TEST(binds_reads_eeprom_and_rings)
{
	char line[512];
	int kmsg = kmsg_open();

	ASSERT_TRUE(kmsg >= 0);
	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	EXPECT_TRUE(kmsg_wait(kmsg, "82540EM " MAC ", EEPROM checksum ok", 2000, line,
			      sizeof(line)));
	printf("# %s\n", line);
	check_bound();

	/* Unbind quiesces the device and frees the rings; a bind does it all again. */
	ASSERT_EQ(0, drv_file("unbind"));
	EXPECT_TRUE(!*attr("e1000_mac"));
	ASSERT_EQ(0, drv_file("bind"));
	find_bound();
	check_bound();
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	close(kmsg);
}

/*
 * The interrupt count once it stopped moving: 300 ms without one, within
 * 5 s (the link coming up interrupts, late on a slow kernel); false if not.
 */
static bool irqs_settled(unsigned long *n)
{
	long long end = ktest_ms() + 5000;
	unsigned long prev, causes;

	if (!irqs(&prev, &causes))
		return false;
	for (;;) {
		usleep(300000);
		if (!irqs(n, &causes))
			return false;
		if (*n == prev)
			return true;
		if (ktest_ms() > end)
			return false;
		prev = *n;
	}
}

/* Only enabled causes (IMS_ENABLE_MASK 0x9d), in kstrtou32 syntax. */
TEST(ics_refuses_bad_causes)
{
	static const char *const bad[] = { "0", "0x2", "0x100", "0xffffffff", "4294967300",
					   "-4", "abc", "4x", "4\n\n" };
	unsigned long n, causes, after;
	char path[128];
	size_t i;

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	/* No traffic of the stack's own (IPv6 DAD, router solicitation) to interrupt. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", dev_a);
	if (!access(path, F_OK))
		ASSERT_EQ(0, write_file(path, "1"));
	ASSERT_EQ(0, sh(NULL, "ip link set dev %s up", dev_a));
	ASSERT_TRUE(irqs_settled(&n));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, attr_write("e1000_ics", bad[i]));
		EXPECT_EQ(EINVAL, errno);
		if (errno != EINVAL)
			printf("# e1000_ics '%s' was not refused\n", bad[i]);
	}
	ASSERT_TRUE(irqs(&after, &causes));
	EXPECT_EQ(n, after);
	EXPECT_EQ(0, attr_write("e1000_ics", "0x4\n"));
	EXPECT_TRUE(irq_after(n));
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
}

TEST(reads_eeprom_each_load)
{
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, load_module(DRV, NULL));
		find_bound();
		EXPECT_TRUE(!strcmp(attr("e1000_mac"), MAC));
		EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	}
}

/* A and B up, B in a namespace, addresses on both: false if not. */
static bool pair_up(struct netns *ns)
{
	char why[256];

	if (sh(NULL, "ip link set dev %s up", dev_a) || sh(NULL, "ip link set dev %s up", dev_b) ||
	    netns_new(ns) || netns_move(ns, dev_b, why, sizeof(why)) ||
	    sh(ns, "ip link set dev %s up", dev_b) ||
	    sh(NULL, "ip addr add " ADDR_A "/24 dev %s", dev_a) ||
	    sh(ns, "ip addr add " ADDR_B "/24 dev %s", dev_b))
		return false;
	return carrier(NULL, dev_a, 10000) && carrier(ns, dev_b, 10000);
}

/* Traffic A -> B in the background: a flood ping, until killed. */
static pid_t flood(void)
{
	return net_spawn(NULL, "ping -f -q -s 1000 " ADDR_B);
}

static void stop_flood(pid_t p)
{
	if (p > 0) {
		kill(p, SIGKILL);
		ktest_wait_child(p, 5000);
	}
}

TEST(netdev_traffic_and_bad_inputs)
{
	struct netns ns = { .fd = -1 };
	pid_t p;

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	ASSERT_TRUE(pair_up(&ns));
	/*
	 * Ping of small, full-size and jumbo frames, unfragmented. Each ping
	 * here waits up to 10 s for its replies (-w), sending meanwhile: carrier
	 * is not yet traffic, and under load both e1000 and rust_e1000 have
	 * been seen to answer nothing for over 5 s just after a down/up.
	 */
	EXPECT_EQ(0, sh(NULL, "ping -c 3 -i 0.2 -w 10 -s 56 " ADDR_B));
	EXPECT_EQ(0, sh(NULL, "ping -c 3 -i 0.2 -w 10 -s 1472 -M do " ADDR_B));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 16110", dev_a));
	EXPECT_EQ(0, sh(&ns, "ip link set dev %s mtu 9000", dev_b));
	EXPECT_TRUE(carrier(NULL, dev_a, 10000) && carrier(&ns, dev_b, 10000));
	EXPECT_EQ(0, sh(NULL, "ping -c 3 -i 0.2 -w 10 -s 8972 -M do " ADDR_B));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 1500", dev_a));
	EXPECT_EQ(0, sh(&ns, "ip link set dev %s mtu 1500", dev_b));

	/* Bad inputs: the kernel's own refusals, the device unchanged. */
	EXPECT_EQ(2, sh(NULL, "ip link set dev %s mtu 16111", dev_a));
	EXPECT_TRUE(strstr(out, "mtu greater than device maximum") != NULL);
	EXPECT_EQ(2, sh(NULL, "ip link set dev %s mtu 45", dev_a));
	EXPECT_TRUE(strstr(out, "mtu less than device minimum") != NULL);
	/* Below 68 IPv4 takes the address away: given back after. */
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 46", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 1500", dev_a));
	sh(NULL, "ip addr add " ADDR_A "/24 dev %s", dev_a);
	EXPECT_EQ(2, sh(NULL, "ip link set dev %s address 01:00:5e:00:00:01", dev_a));
	EXPECT_EQ(2, sh(NULL, "ip link set dev %s address 00:00:00:00:00:00", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip -o link show dev %s", dev_a));
	EXPECT_TRUE(strstr(out, "link/ether " MAC " ") != NULL);
	EXPECT_TRUE(sh(NULL, "ethtool -G %s rx 4097", dev_a) != 0);
	EXPECT_EQ(0, sh(NULL, "ethtool -G %s rx 100 tx 4096", dev_a));
	EXPECT_EQ(0, sh(NULL, "ethtool -g %s", dev_a));
	/* 100 rounded up to a multiple of 8, as e1000. */
	EXPECT_EQ(104, (long)net_value(strstr(out, "Current") ? strstr(out, "Current") : "", "RX:", 0));
	EXPECT_EQ(0, sh(NULL, "ethtool -G %s rx 256 tx 256", dev_a));
	EXPECT_TRUE(carrier(NULL, dev_a, 10000));
	/* A new address is the device's: the peer's replies come to it. */
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s address 52:54:00:12:34:60", dev_a));
	EXPECT_EQ(0, sh(NULL, "ping -c 2 -i 0.2 -w 10 " ADDR_B));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s address " MAC, dev_a));
	/* Promiscuous mode and a multicast group. */
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s promisc on", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip maddr add 01:00:5e:01:02:03 dev %s", dev_a));
	EXPECT_EQ(0, sh(NULL, "ping -c 2 -i 0.2 -w 10 " ADDR_B));
	EXPECT_EQ(0, sh(NULL, "ip maddr del 01:00:5e:01:02:03 dev %s", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s promisc off", dev_a));
	EXPECT_EQ(0, sh(NULL, "ethtool %s", dev_a));
	EXPECT_TRUE(strstr(out, "Speed: 1000Mb/s") && strstr(out, "Duplex: Full") &&
		    strstr(out, "Link detected: yes"));
	EXPECT_EQ(0, sh(NULL, "ethtool -S %s", dev_a));
	EXPECT_TRUE(net_value(out, "tx_packets:", 0) > 0 && net_value(out, "rx_packets:", 0) > 0);

	/* Down, MTU changes, up again while a flood ping runs. */
	p = flood();
	EXPECT_TRUE(p > 0);
	usleep(500000);
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s down", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s up", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 9000", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 1500", dev_a));
	EXPECT_EQ(0, sh(&ns, "ip link set dev %s down", dev_b));
	EXPECT_EQ(0, sh(&ns, "ip link set dev %s up", dev_b));
	usleep(500000);
	stop_flood(p);
	EXPECT_TRUE(carrier(NULL, dev_a, 10000) && carrier(&ns, dev_b, 10000));
	EXPECT_EQ(0, sh(NULL, "ping -c 2 -i 0.2 -w 10 " ADDR_B));

	/* rmmod while up, with traffic and B in another namespace: both go. */
	p = flood();
	usleep(500000);
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	stop_flood(p);
	EXPECT_TRUE(sh(&ns, "ip link show dev %s", dev_b) != 0);
	netns_free(&ns);
}

/* A's bytes in flight for the byte queue limits (BQL), or -1. */
static long bql_inflight(void)
{
	char path[128], v[32];

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues/tx-0/byte_queue_limits/inflight",
		 dev_a);
	return read_file(path, v, sizeof(v)) > 0 ? strtol(v, NULL, 10) : -1;
}

/*
 * Frames from A as fast as its queue takes them (1000-byte broadcasts of a
 * local experimental type, which B drops), until killed: unlike a ping,
 * the transmit ring is never empty for long.
 */
static pid_t blast(void)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = ETH_ALEN };
	unsigned char f[1000];
	pid_t p = fork();
	int s;

	if (p)
		return p;
	memset(f, 0xff, ETH_ALEN);
	memset(f + ETH_ALEN, 0x02, ETH_ALEN);
	f[12] = 0x88;
	f[13] = 0xb5;
	memset(f + 14, 0x5a, sizeof(f) - 14);
	memset(to.sll_addr, 0xff, ETH_ALEN);
	s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	for (;;) {
		to.sll_ifindex = (int)if_nametoindex(dev_a);	/* again after each reopen */
		if (s < 0 || sendto(s, f, sizeof(f), MSG_DONTWAIT, (struct sockaddr *)&to,
				    sizeof(to)) < 0)
			usleep(1000);
	}
}

/*
 * The reopens of an MTU or ring change release the packets still in the
 * transmit ring: their bytes must leave BQL's count with them (as
 * e1000_clean_tx_ring's netdev_reset_queue). Before, they stayed in flight,
 * and after a few such reopens under traffic the byte limits stopped the
 * queue for good (found by rkm-fuzz's netdev model).
 */
TEST(reopens_under_traffic_leave_no_bytes_in_flight)
{
	struct netns ns = { .fd = -1 };
	long left;
	pid_t p;
	int i, mtu = 0, tx = 0;

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	ASSERT_TRUE(pair_up(&ns));
	p = blast();
	EXPECT_TRUE(p > 0);
	usleep(300000);
	/* Each a change, so each a reopen (an unchanged value is not passed to the driver). */
	for (i = 0; i < 12; i++) {
		if (i % 3 == 2)
			EXPECT_EQ(0, sh(NULL, "ethtool -G %s tx %d", dev_a, tx++ % 2 ? 256 : 248));
		else
			EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu %d", dev_a,
					mtu++ % 2 ? 1500 : 1400));
		usleep(50000);
	}
	stop_flood(p);
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 1500", dev_a));
	EXPECT_TRUE(carrier(NULL, dev_a, 10000));
	EXPECT_EQ(0, sh(NULL, "ping -c 3 -i 0.2 -w 10 " ADDR_B));
	/* Every reply came: nothing is in flight once the last send is cleaned. */
	for (i = 0; i < 50 && (left = bql_inflight()) != 0; i++)
		usleep(20000);
	EXPECT_EQ(0, left);
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	netns_free(&ns);
}

/* Unbind through sysfs while up with traffic; bind again: it works. */
TEST(unbind_while_traffic)
{
	struct netns ns = { .fd = -1 };
	pid_t p;

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	ASSERT_TRUE(pair_up(&ns));
	p = flood();
	usleep(500000);
	EXPECT_EQ(0, drv_file("unbind"));
	stop_flood(p);
	EXPECT_TRUE(sh(NULL, "ip link show dev %s", dev_a) != 0);
	/* A again (B stays in its namespace, still up). */
	EXPECT_EQ(0, drv_file("bind"));
	ASSERT_TRUE(netdev_of(MAC, dev_a));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s up", dev_a));
	EXPECT_EQ(0, sh(NULL, "ip addr add " ADDR_A "/24 dev %s", dev_a));
	EXPECT_TRUE(carrier(NULL, dev_a, 10000));
	EXPECT_EQ(0, sh(NULL, "ping -c 2 -i 0.2 -w 10 " ADDR_B));
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	netns_free(&ns);
}

/*
 * Every allocation of the load and of one probe fails cleanly (the glue's
 * rkm_fail_nth: Rust's, the glue's own, the coherent rings among them). A
 * failure before the driver is registered fails the load with ENOMEM and
 * leaves nothing; one in a probe leaves that NIC unbound, with no network
 * device left behind, and a bind through sysfs then works. The two NICs
 * are probed in turn: the walk ends when the failure moves from the first
 * probe to the second, every site of a probe having failed once. Kernel
 * reports and leaks are judged by rkm-init (KASAN, lockdep, DMA_API_DEBUG
 * and kmemleak on the debug kernel).
 */
TEST(every_allocation_of_load_and_probe_fails_cleanly)
{
	const char *const macs[2] = { MAC, MAC_B };
	struct net_nic nics[2], nic;
	char args[64], left[32], name[IFNAMSIZ];
	int n, failed_loads = 0, failed_probes = 0, first = -1, i;

	/* Each NIC's PCI address, from a clean load. */
	ASSERT_EQ(0, load_module(DRV, NULL));
	for (i = 0; i < 2; i++)
		ASSERT_TRUE(net_nic_by_mac(macs[i], &nics[i]));
	ASSERT_EQ(0, ktest_unload_wait(DRV, 5000));

	for (n = 1; n < 1000; n++) {
		int unbound = -1;

		snprintf(args, sizeof(args), "rkm_fail_nth=%d", n);
		errno = 0;
		if (load_module(DRV, args)) {
			ASSERT_EQ(ENOMEM, errno);
			ASSERT_TRUE(access("/sys/module/" DRV, F_OK) != 0);
			failed_loads++;
			continue;
		}
		ASSERT_TRUE(read_file(FAIL_NTH, left, sizeof(left)) > 0);
		ASSERT_EQ(0, atoi(left)); /* two probes always reach a failure */
		for (i = 0; i < 2; i++)
			if (!netdev_of(macs[i], name)) {
				EXPECT_EQ(-1, unbound);
				unbound = i;
			}
		ASSERT_TRUE(unbound >= 0);
		EXPECT_TRUE(!net_nic_by_mac(macs[unbound], &nic));
		if (first < 0)
			first = unbound;
		if (unbound != first) {
			EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
			break;
		}
		failed_probes++;
		/* The NIC whose probe failed binds now. */
		EXPECT_EQ(0, write_file("/sys/bus/pci/drivers/" DRV "/bind", nics[unbound].bdf));
		EXPECT_TRUE(netdev_of(macs[unbound], name));
		ASSERT_EQ(0, ktest_unload_wait(DRV, 5000));
	}
	ASSERT_TRUE(n < 1000);
	EXPECT_TRUE(failed_probes > 0);
	printf("# " DRV ": %d allocation site(s) before registering the driver, %d in a probe; "
	       "each failed cleanly\n", failed_loads, failed_probes);
}

/* A up or down through SIOCSIFFLAGS, in this process: 0, or -1 with errno. */
static int set_up(const char *dev, bool up)
{
	struct ifreq r = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret, e;

	if (fd < 0)
		return -1;
	snprintf(r.ifr_name, sizeof(r.ifr_name), "%s", dev);
	ret = ioctl(fd, SIOCGIFFLAGS, &r);
	if (!ret) {
		r.ifr_flags = (short)(up ? r.ifr_flags | IFF_UP : r.ifr_flags & ~IFF_UP);
		ret = ioctl(fd, SIOCSIFFLAGS, &r);
	}
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

/* rkm_fail_nth as it reads now: 0 once the failure was injected. */
static long fail_nth_left(void)
{
	char v[32];

	return read_file(FAIL_NTH, v, sizeof(v)) > 0 ? strtol(v, NULL, 10) : -1;
}

static long alloc_rx_buff_failed(void)
{
	return sh(NULL, "ethtool -S %s", dev_a) ? -1
						 : (long)net_value(out, "alloc_rx_buff_failed:", 0);
}

/* Waits up to 6 s (the watchdog runs every 2) for A's receive ring to be full: count less one owned. */
static bool rx_ring_full(unsigned int count)
{
	long long end = ktest_ms() + 6000;
	unsigned int n, h, t;

	do {
		const char *rx = strstr(attr("e1000_rings"), "rx ");

		if (rx && sscanf(rx, "rx %u %*u head %u tail %u", &n, &h, &t) == 3 && n == count &&
		    (t + n - h) % n == n - 1)
			return true;
		usleep(50000);
	} while (ktest_ms() < end);
	printf("# %s: rx ring not full: %s\n", dev_a, attr("e1000_rings"));
	return false;
}

/*
 * A failed allocation of a receive buffer (the glue's rkm_fail_nth fails
 * the N-th from then on) leaves the device usable, as e1000's: the open,
 * an MTU change and a ring change all succeed with the buffers there is
 * memory for, alloc_rx_buff_failed counts the failure, and the ring is full
 * again soon after (refilled by the next poll or the watchdog). B stays down
 * meanwhile, so that only A allocates.
 */
TEST(allocation_failures_leave_the_device_usable)
{
	struct netns ns = { .fd = -1 };
	const long nth[] = { 1, 2, 40, 79 };
	const unsigned int count = 80; /* e1000's fewest receive descriptors: 79 buffers */
	long before, left;
	size_t i;
	char v[16];

	ASSERT_EQ(0, load_module(DRV, NULL));
	find_bound();
	EXPECT_EQ(0, sh(NULL, "ethtool -G %s rx %u", dev_a, count));
	for (i = 0; i < sizeof(nth) / sizeof(nth[0]); i++) {
		before = alloc_rx_buff_failed();
		snprintf(v, sizeof(v), "%ld", nth[i]);
		ASSERT_EQ(0, write_file(FAIL_NTH, v));
		EXPECT_EQ(0, set_up(dev_a, true));
		left = fail_nth_left();
		write_file(FAIL_NTH, "0");
		printf("# open with allocation %ld failing: %s, %ld left\n", nth[i],
		       strstr(attr("e1000_rings"), "rx "), left);
		EXPECT_EQ(0, left);
		EXPECT_EQ(before + 1, alloc_rx_buff_failed());
		EXPECT_TRUE(rx_ring_full(count));
		EXPECT_EQ(0, set_up(dev_a, false));
	}
	/* Past the last: the open's allocations are its 79 buffers, no other. */
	ASSERT_EQ(0, write_file(FAIL_NTH, "1000"));
	EXPECT_EQ(0, set_up(dev_a, true));
	left = fail_nth_left();
	write_file(FAIL_NTH, "0");
	EXPECT_EQ(1000 - (long)(count - 1), left);

	/* Up: an MTU change and a ring change, their first buffer failing. */
	before = alloc_rx_buff_failed();
	ASSERT_EQ(0, write_file(FAIL_NTH, "1"));
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s mtu 9000", dev_a));
	EXPECT_EQ(0, fail_nth_left());
	EXPECT_TRUE(rx_ring_full(count));
	ASSERT_EQ(0, write_file(FAIL_NTH, "1"));
	EXPECT_EQ(0, sh(NULL, "ethtool -G %s rx %u", dev_a, count + 8));
	EXPECT_EQ(0, fail_nth_left());
	EXPECT_TRUE(rx_ring_full(count + 8));
	EXPECT_EQ(before + 2, alloc_rx_buff_failed());
	write_file(FAIL_NTH, "0");

	/* And it carries traffic, jumbo frames too. */
	EXPECT_EQ(0, sh(NULL, "ip link set dev %s down", dev_a));
	ASSERT_TRUE(pair_up(&ns));
	EXPECT_EQ(0, sh(&ns, "ip link set dev %s mtu 9000", dev_b));
	EXPECT_TRUE(carrier(NULL, dev_a, 10000) && carrier(&ns, dev_b, 10000));
	EXPECT_EQ(0, sh(NULL, "ping -c 3 -i 0.2 -w 10 -s 8972 -M do " ADDR_B));
	EXPECT_EQ(0, ktest_unload_wait(DRV, 5000));
	netns_free(&ns);
}

int main(void)
{
	return ktest_run();
}
