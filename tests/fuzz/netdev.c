// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-fuzz's network-device pass (model "netdev", for any Ethernet driver):
 * the interface a network driver gives user space is not a device node but
 * the socket ioctls and ethtool, on the links it registers. run_device() in
 * fuzz.c loads the module (a PCI driver binds its NICs as it loads) and calls
 * fuzz_netdev(); the links are the ones whose device's driver has the
 * module's name, at least two (QEMU joins them on one hub), all up.
 *
 * Two passes, each in its own process: root, then uid 65534 (its packet
 * sockets opened before it drops root). In a pass, one thread sends
 * Ethernet frames of random sizes (runt, up to the MTU, oversize) from each
 * link and reads what the others receive, checking every received frame
 * byte for byte against what was sent; the other threads issue random
 * ethtool commands (known ones with plausible and hostile fields, unknown
 * numbers, bad ifr_data pointers) and random interface ioctls (MTU, flags
 * up/down/promiscuous/all-multicast, MAC address, multicast list, queue
 * length, MII, SIOCDEVPRIVATE) on random links, each result checked against
 * what the kernel's ethtool and dev_ioctl code promise (an errno from the
 * command's set; EPERM for every setting without CAP_NET_ADMIN). A
 * supervisor signals the threads every TICK_MS so that waits end.
 *
 * After the passes every link is put back (MAC, MTU, rings, flags,
 * multicast list, queue length) and must work: carrier within 10 s, 32
 * frames each way of sizes up to 1514 arrive intact, and a frame to
 * another unicast address is filtered out. The engine then unloads the
 * module and reads the kernel log. Never sent: commands that write the
 * device's EEPROM or flash, or the PHY's registers (SIOCSMIIREG: it can
 * turn the link off for good, which no driver is asked to survive), and
 * the offline self-test's register writes are left to a rare draw.
 */
#include "ktest.h"
#include "netns.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/ethtool.h>
#include <linux/if_arp.h>
#include <linux/if_packet.h>
#include <linux/mii.h>
#include <linux/sockios.h>
#include <net/ethernet.h>

#include "fuzz_model.h"

#define NET_MAX 4	/* links of the module */
#define NET_THREADS 17	/* the sender and up to 16 ioctl threads */
#define ETH_P_RKMFUZZ 0x88b5	/* IEEE 802 local experimental */
#define FRAME_MAX 16384
#define MAGIC 0x726b6d66	/* "rkmf" */
#define TICK_MS 20
#define MAX_FAILURES 5
#define NMC 24		/* the multicast addresses a pass adds and removes */
#define ARG_BYTES 16384	/* an ethtool argument's buffer: the largest reply fits */

struct nlink {
	char name[IFNAMSIZ];
	int index, pkt;	/* pkt: a packet socket bound to it, ETH_P_RKMFUZZ */
	unsigned char mac[ETH_ALEN];
	struct ethtool_ringparam ring;
	int txqlen;
};

struct npass {
	const char *module, *who;
	bool root;
	struct nlink l[NET_MAX];
	int n, sock;	/* sock: AF_INET datagram, for the ioctls */
	long long deadline;
	long max_ops, issued;	/* the ioctl threads' calls */
	int stop, failures, callers, callers_done;
	long sent, received, ioctls, ok;
	long ms;	/* the pass's time */
	char *none;	/* a PROT_NONE page */
	uint64_t seed;
};

struct nworker {
	pthread_t t;
	struct npass *p;
	uint64_t rng;
	int id, done;
	long ops;
	char *arg;	/* ARG_BYTES */
};

static uint64_t nrand(struct nworker *w)
{
	return fuzz_next_rand(&w->rng);
}

static uint64_t nrnd(struct nworker *w, uint64_t n)
{
	return n ? nrand(w) % n : 0;
}

static bool nchance(struct nworker *w, int percent)
{
	return (int)nrnd(w, 100) < percent;
}

__attribute__((format(printf, 6, 7)))
static bool ncheck(struct nworker *w, bool ok, long long r, int e, const char *why,
		   const char *fmt, ...)
{
	struct npass *p = w->p;
	char call[256];
	va_list ap;

	if (ok)
		return true;
	va_start(ap, fmt);
	vsnprintf(call, sizeof(call), fmt, ap);
	va_end(ap);
	if (__atomic_fetch_add(&p->failures, 1, __ATOMIC_SEQ_CST) < MAX_FAILURES) {
		if (r == -1)
			printf("# %s (%s) thread %d call %ld: %s -> -1 %s: %s (seed %llu)\n",
			       p->module, p->who, w->id, w->ops, call, ktest_errname(e), why,
			       (unsigned long long)fuzz_seed);
		else
			printf("# %s (%s) thread %d call %ld: %s -> %lld: %s (seed %llu)\n",
			       p->module, p->who, w->id, w->ops, call, r, why,
			       (unsigned long long)fuzz_seed);
	}
	if (__atomic_load_n(&p->failures, __ATOMIC_SEQ_CST) >= MAX_FAILURES)
		__atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
	return false;
}

/* ---- the frames: what the sender sends, and what a receiver checks ---- */

/* A frame of len bytes: the header, then MAGIC, sequence, length and bytes from the sequence. */
static void make_frame(unsigned char *f, const unsigned char *dst, const unsigned char *src,
		       uint32_t seq, size_t len)
{
	uint32_t w[3] = { htonl(MAGIC), htonl(seq), htonl((uint32_t)len) }, v = seq * 2654435761u;
	size_t i;

	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = ETH_P_RKMFUZZ >> 8;
	f[13] = ETH_P_RKMFUZZ & 0xff;
	if (len < ETH_HLEN + 12)
		return;
	memcpy(f + ETH_HLEN, w, 12);
	for (i = ETH_HLEN + 12; i < len; i++) {
		v = v * 1103515245u + 12345u;
		f[i] = (unsigned char)(v >> 16);
	}
}

/* A received frame of ours (n bytes, possibly padded to 60): intact, or why not. */
static const char *frame_bad(const unsigned char *f, size_t n)
{
	static unsigned char want[FRAME_MAX];
	uint32_t w[3];
	size_t len, i;

	if (n < ETH_HLEN + 12)
		return NULL;	/* a runt or a cut frame: nothing to check it against */
	memcpy(w, f + ETH_HLEN, 12);
	if (ntohl(w[0]) != MAGIC)
		return "no magic: another frame's bytes";
	len = ntohl(w[2]);
	if (len > FRAME_MAX || len > n || (n > len && n > 60))
		return "its length differs from the length it was sent with";
	make_frame(want, f, f + ETH_ALEN, ntohl(w[1]), len);
	if (memcmp(want + ETH_HLEN, f + ETH_HLEN, len - ETH_HLEN))
		return "its bytes differ from the bytes sent";
	for (i = len; i < n; i++)
		if (f[i])
			return "padding is not zero";
	return NULL;
}

static const unsigned char bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int link_mtu(const struct npass *p, int k)
{
	struct ifreq r = { 0 };

	snprintf(r.ifr_name, IFNAMSIZ, "%s", p->l[k].name);
	return ioctl(p->sock, SIOCGIFMTU, &r) ? 1500 : r.ifr_mtu;
}

/* Reads every frame waiting on link k's socket; returns how many were ours and intact. Thread 0. */
static int drain(struct nworker *w, int k)
{
	static unsigned char f[FRAME_MAX + 64];
	int got = 0;

	for (;;) {
		ssize_t n = recv(w->p->l[k].pkt, f, sizeof(f), MSG_DONTWAIT | MSG_TRUNC);
		const char *bad;

		if (n < 0) {
			ncheck(w, errno == EAGAIN || errno == EINTR || errno == ENETDOWN, n, errno,
			       "a packet socket's receive ends so", "recv(%s)", w->p->l[k].name);
			return got;
		}
		bad = frame_bad(f, (size_t)n < sizeof(f) ? (size_t)n : sizeof(f));
		ncheck(w, !bad, n, 0, bad ? bad : "", "frame received on %s", w->p->l[k].name);
		got += !bad;
	}
}

/* Thread 0: frames from each link to the others' broadcast, sizes from runt to oversize. */
static void send_one(struct nworker *w)
{
	static unsigned char f[FRAME_MAX + 64];
	static uint32_t seq;
	struct npass *p = w->p;
	int k = (int)nrnd(w, p->n), mtu = link_mtu(p, k);
	size_t len, limit = (size_t)mtu + ETH_HLEN;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = p->l[k].index,
				  .sll_halen = ETH_ALEN };
	ssize_t r;
	int pick = (int)nrnd(w, 100);

	/* Mostly sizes any receiver takes at its default MTU: the others' may be smaller. */
	if (pick < 3)
		len = nrnd(w, ETH_HLEN);			/* runt: no whole header */
	else if (pick < 8)
		len = limit + 1 + nrnd(w, 64);			/* oversize */
	else if (pick < 30)
		len = ETH_HLEN + 12 + nrnd(w, 60);		/* short: padded */
	else if (pick < 45)
		len = ETH_HLEN + 12 + nrnd(w, limit - ETH_HLEN - 11);
	else
		len = ETH_HLEN + 12 + nrnd(w, (limit < 1514 ? limit : 1514) - ETH_HLEN - 11);
	if (len > FRAME_MAX)
		len = FRAME_MAX;
	memcpy(to.sll_addr, bcast, ETH_ALEN);
	make_frame(f, bcast, p->l[k].mac, ++seq ^ (uint32_t)w->rng, len);
	r = sendto(p->l[k].pkt, f, len, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
	if (r >= 0) {
		ncheck(w, (size_t)r == len, r, 0, "a sent frame goes whole", "send %zu on %s", len,
		       p->l[k].name);
		p->sent++;
	} else {
		/* Too long for the MTU it had then; down, or a full queue; a runt. */
		errmask ok = M(EMSGSIZE) | M(ENETDOWN) | M(ENXIO) | M(ENOBUFS) | M(EAGAIN) |
			     M(EINTR) | M(EINVAL);

		ncheck(w, fuzz_errno_in(ok, errno) && (errno != EINVAL || len < ETH_HLEN), r, errno,
		       "an errno of a packet socket's send", "send %zu on %s", len, p->l[k].name);
	}
	/* Time for the frames to arrive, and for the other threads to run. */
	if (!(seq % 8)) {
		struct pollfd pf[NET_MAX];

		for (k = 0; k < p->n; k++)
			pf[k] = (struct pollfd){ .fd = p->l[k].pkt, .events = POLLIN };
		poll(pf, (nfds_t)p->n, 2);
	}
	for (k = 0; k < p->n; k++)
		p->received += drain(w, k);
}

/* ---- the ioctls ---- */

static int set_req(struct nworker *w, struct ifreq *r)
{
	int k = (int)nrnd(w, w->p->n);

	memset(r, 0, sizeof(*r));
	snprintf(r->ifr_name, IFNAMSIZ, "%s", w->p->l[k].name);
	return k;
}

/* What ifr_data points at: the thread's buffer mostly; NULL, unmapped, PROT_NONE, kernel. */
static void *data_ptr(struct nworker *w)
{
	switch (nrnd(w, 40)) {
	case 0: return NULL;
	case 1: return (void *)0x10;
	case 2: return w->p->none;
	case 3: return (void *)0xffffffff81000000UL;
	case 4: return w->arg + ARG_BYTES - 4;	/* the command fits, its struct does not */
	default: return w->arg;
	}
}

/* The ethtool commands drawn by number: every one the kernel had in 6.1 but flash/EEPROM writes. */
static const uint32_t eth_cmds[] = {
	ETHTOOL_GSET, ETHTOOL_SSET, ETHTOOL_GDRVINFO, ETHTOOL_GREGS, ETHTOOL_GWOL, ETHTOOL_SWOL,
	ETHTOOL_GMSGLVL, ETHTOOL_SMSGLVL, ETHTOOL_NWAY_RST, ETHTOOL_GLINK, ETHTOOL_GEEPROM,
	ETHTOOL_GCOALESCE, ETHTOOL_SCOALESCE, ETHTOOL_GRINGPARAM, ETHTOOL_SRINGPARAM,
	ETHTOOL_GPAUSEPARAM, ETHTOOL_SPAUSEPARAM, ETHTOOL_GRXCSUM, ETHTOOL_SRXCSUM,
	ETHTOOL_GTXCSUM, ETHTOOL_STXCSUM, ETHTOOL_GSG, ETHTOOL_SSG, ETHTOOL_TEST,
	ETHTOOL_GSTRINGS, ETHTOOL_PHYS_ID, ETHTOOL_GSTATS, ETHTOOL_GTSO, ETHTOOL_STSO,
	ETHTOOL_GPERMADDR, ETHTOOL_GUFO, ETHTOOL_SUFO, ETHTOOL_GGSO, ETHTOOL_SGSO,
	ETHTOOL_GFLAGS, ETHTOOL_SFLAGS, ETHTOOL_GPFLAGS, ETHTOOL_SPFLAGS, ETHTOOL_GRXFH,
	ETHTOOL_SRXFH, ETHTOOL_GGRO, ETHTOOL_SGRO, ETHTOOL_GRXRINGS, ETHTOOL_GRXCLSRLCNT,
	ETHTOOL_GRXCLSRULE, ETHTOOL_GRXCLSRLALL, ETHTOOL_SRXCLSRLDEL, ETHTOOL_SRXCLSRLINS,
	ETHTOOL_RESET, ETHTOOL_SRXNTUPLE, ETHTOOL_GSSET_INFO, ETHTOOL_GRXFHINDIR,
	ETHTOOL_SRXFHINDIR, ETHTOOL_GFEATURES, ETHTOOL_SFEATURES, ETHTOOL_GCHANNELS,
	ETHTOOL_SCHANNELS, ETHTOOL_SET_DUMP, ETHTOOL_GET_DUMP_FLAG, ETHTOOL_GET_DUMP_DATA,
	ETHTOOL_GET_TS_INFO, ETHTOOL_GMODULEINFO, ETHTOOL_GMODULEEEPROM, ETHTOOL_GEEE,
	ETHTOOL_SEEE, ETHTOOL_GRSSH, ETHTOOL_SRSSH, ETHTOOL_GTUNABLE, ETHTOOL_STUNABLE,
	ETHTOOL_GPHYSTATS, ETHTOOL_PERQUEUE, ETHTOOL_GLINKSETTINGS, ETHTOOL_SLINKSETTINGS,
	ETHTOOL_PHY_GTUNABLE, ETHTOOL_PHY_STUNABLE, ETHTOOL_GFECPARAM, ETHTOOL_SFECPARAM,
};

/* The ones uid 65534 may call (net/ethtool/ioctl.c, the same list since 4.x): all others EPERM. */
static const uint32_t eth_ungated[] = {
	ETHTOOL_GSET, ETHTOOL_GDRVINFO, ETHTOOL_GMSGLVL, ETHTOOL_GLINK, ETHTOOL_GCOALESCE,
	ETHTOOL_GRINGPARAM, ETHTOOL_GPAUSEPARAM, ETHTOOL_GRXCSUM, ETHTOOL_GTXCSUM, ETHTOOL_GSG,
	ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS, ETHTOOL_GSTATS, ETHTOOL_GPHYSTATS, ETHTOOL_GTSO,
	ETHTOOL_GPERMADDR, ETHTOOL_GUFO, ETHTOOL_GGSO, ETHTOOL_GGRO, ETHTOOL_GFLAGS,
	ETHTOOL_GPFLAGS, ETHTOOL_GRXFH, ETHTOOL_GRXRINGS, ETHTOOL_GRXCLSRLCNT,
	ETHTOOL_GRXCLSRULE, ETHTOOL_GRXCLSRLALL, ETHTOOL_GRXFHINDIR, ETHTOOL_GRSSH,
	ETHTOOL_GFEATURES, ETHTOOL_GCHANNELS, ETHTOOL_GET_TS_INFO, ETHTOOL_GEEE,
	ETHTOOL_GTUNABLE, ETHTOOL_PHY_GTUNABLE, ETHTOOL_GLINKSETTINGS, ETHTOOL_GFECPARAM,
};

static bool listed(const uint32_t *v, size_t n, uint32_t c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == c)
			return true;
	return false;
}

/* A ring size: in range, the edges, beyond them, anything. */
static uint32_t ring_size(struct nworker *w, uint32_t max)
{
	switch (nrnd(w, 8)) {
	case 0: return 0;
	case 1: return max;
	case 2: return max + 1;
	case 3: return (uint32_t)nrand(w);
	default: return 1 + (uint32_t)nrnd(w, max ? max : 1);
	}
}

/* Fields of the commands that take more than their number, in the thread's buffer. */
static uint32_t ethtool_arg(struct nworker *w, int k)
{
	const struct nlink *l = &w->p->l[k];
	uint32_t c;
	size_t i;

	for (i = 0; i < ARG_BYTES; i += 8) {
		uint64_t v = nrand(w);

		memcpy(w->arg + i, &v, 8);
	}
	c = nchance(w, 90) ? eth_cmds[nrnd(w, sizeof(eth_cmds) / sizeof(eth_cmds[0]))]
			   : (uint32_t)nrnd(w, 0x80) + (nchance(w, 50) ? 0 : (uint32_t)nrand(w));
	if (c == ETHTOOL_SEEPROM || c == ETHTOOL_FLASHDEV)
		c = ETHTOOL_GDRVINFO;	/* never: the file's comment */
	memcpy(w->arg, &c, 4);
	switch (c) {
	case ETHTOOL_SRINGPARAM: {
		struct ethtool_ringparam *r = (void *)w->arg;

		r->rx_mini_pending = nchance(w, 90) ? 0 : (uint32_t)nrand(w);
		r->rx_jumbo_pending = nchance(w, 90) ? 0 : (uint32_t)nrand(w);
		r->rx_pending = ring_size(w, l->ring.rx_max_pending);
		r->tx_pending = ring_size(w, l->ring.tx_max_pending);
		break;
	}
	case ETHTOOL_GSTRINGS: {
		struct ethtool_gstrings *g = (void *)w->arg;

		if (nchance(w, 80))
			g->string_set = (uint32_t)nrnd(w, 20);
		/* 6.12 answers a count that is not the driver's with none at all. */
		if (nchance(w, 70))
			g->len = 0;
		break;
	}
	case ETHTOOL_GSSET_INFO:
		if (nchance(w, 80))
			((struct ethtool_sset_info *)w->arg)->sset_mask = nrand(w) & 0x7ff;
		break;
	case ETHTOOL_GSTATS:
		if (nchance(w, 70))
			((struct ethtool_stats *)w->arg)->n_stats = 0;
		break;
	case ETHTOOL_GEEPROM:
	case ETHTOOL_GMODULEEEPROM: {
		struct ethtool_eeprom *e = (void *)w->arg;

		e->offset = nchance(w, 70) ? (uint32_t)nrnd(w, 300) : (uint32_t)nrand(w);
		e->len = nchance(w, 70) ? (uint32_t)nrnd(w, 300) : (uint32_t)nrand(w);
		break;
	}
	case ETHTOOL_GREGS:
		((struct ethtool_regs *)w->arg)->len = (uint32_t)nrnd(w, 8192);
		break;
	case ETHTOOL_PHYS_ID:
		((struct ethtool_value *)w->arg)->data = (uint32_t)nrnd(w, 3);	/* s; 0: until a signal */
		break;
	case ETHTOOL_TEST:
		((struct ethtool_test *)w->arg)->flags = nchance(w, 50) ? ETH_TEST_FL_OFFLINE : 0;
		break;
	case ETHTOOL_SMSGLVL:
	case ETHTOOL_SWOL:
		((struct ethtool_value *)w->arg)->data = (uint32_t)nrnd(w, 0x10000);
		break;
	}
	return c;
}

/*
 * Whether ethtool command c, given a readable and writable buffer, ended as
 * the kernel allows: an errno of its set (rings: the exact answer).
 */
static bool ethtool_ok(struct nworker *w, int k, uint32_t c, int r, int e, const char **why)
{
	const struct nlink *l = &w->p->l[k];
	const struct ethtool_ringparam *rp = (const void *)w->arg;
	errmask any = M(EOPNOTSUPP) | M(EINVAL) | M(EFAULT) | M(ERANGE) | M(EBUSY) | M(E2BIG) |
		      M(EAGAIN) | M(EINTR) | M(ENODEV) | M(ENETDOWN) | M(ENOSPC) | M(ENOENT) |
		      M(EIO) | M(ENOLINK);

	*why = "an errno ethtool's ioctl gives";
	if (!w->p->root && !listed(eth_ungated, sizeof(eth_ungated) / 4, c)) {
		*why = "EPERM: a setting without CAP_NET_ADMIN";
		return r == -1 && e == EPERM;
	}
	if (c == ETHTOOL_SRINGPARAM) {
		bool fits = !rp->rx_mini_pending && !rp->rx_jumbo_pending &&
			    rp->rx_pending <= l->ring.rx_max_pending &&
			    rp->tx_pending <= l->ring.tx_max_pending;

		*why = fits ? "rings within the maxima the driver reports: must be taken"
			    : "rings beyond what the driver reports: EINVAL";
		return fits ? r == 0 : r == -1 && e == EINVAL;
	}
	if (c == ETHTOOL_GDRVINFO && r == 0) {
		*why = "the driver's name is the module's";
		return !strcmp(((struct ethtool_drvinfo *)w->arg)->driver, w->p->module);
	}
	if (c == ETHTOOL_GRINGPARAM && r == 0) {
		*why = "pending within maxima";
		return rp->rx_pending <= rp->rx_max_pending && rp->tx_pending <= rp->tx_max_pending &&
		       rp->rx_pending && rp->tx_pending;
	}
	return r == 0 || fuzz_errno_in(any, e);
}

static void op_ethtool(struct nworker *w)
{
	struct ifreq r;
	int k = set_req(w, &r), e;
	uint32_t c = ethtool_arg(w, k);
	const char *why = "";
	long ret;

	if (c == ETHTOOL_TEST && nchance(w, 97))
		c = ETHTOOL_GLINK, memcpy(w->arg, &c, 4);	/* seconds each: rare */
	r.ifr_data = data_ptr(w);
	if (r.ifr_data == w->arg + ARG_BYTES - 4)
		memcpy(r.ifr_data, &c, 4);	/* the command, its struct cut by the guard page */
	errno = 0;
	ret = ioctl(w->p->sock, SIOCETHTOOL, &r);
	e = errno;
	if (r.ifr_data != w->arg) {
		/* Not a whole buffer: EFAULT, or whatever comes first (EPERM, an unknown command). */
		errmask bad = M(EFAULT) | M(EPERM) | M(EOPNOTSUPP) | M(EINVAL) | M(EINTR) |
			      M(E2BIG) | M(ENODEV) | M(ENETDOWN) | M(EBUSY) | M(ERANGE) | M(EIO) |
			      M(ENOSPC) | M(ENOLINK);

		ncheck(w, ret == 0 ? r.ifr_data == w->arg + ARG_BYTES - 4 : fuzz_errno_in(bad, e), ret, e,
		       "a bad ifr_data pointer: EFAULT or an earlier refusal",
		       "SIOCETHTOOL %s cmd %#x data %p", r.ifr_name, c, r.ifr_data);
	} else {
		bool ok = ethtool_ok(w, k, c, (int)ret, e, &why);

		ncheck(w, ok, ret, e, why, "SIOCETHTOOL %s cmd %#x", r.ifr_name, c);
	}
	__atomic_fetch_add(&w->p->ok, ret == 0, __ATOMIC_RELAXED);
}

static void random_mac(struct nworker *w, unsigned char *m)
{
	uint64_t v = nrand(w);

	memcpy(m, &v, ETH_ALEN);
	switch (nrnd(w, 6)) {
	case 0: memset(m, 0, ETH_ALEN); break;	/* not valid */
	case 1: m[0] |= 1; break;		/* multicast: not valid */
	default: m[0] = (m[0] & 0xfe) | 2;	/* locally administered unicast */
	}
}

/* A multicast address of the pass's pool: adds and removes meet. */
static void pool_mac(unsigned int i, unsigned char *m)
{
	const unsigned char base[ETH_ALEN] = { 0x01, 0x00, 0x5e, 0x52, 0x4b, 0 };

	memcpy(m, base, ETH_ALEN);
	m[5] = (unsigned char)i;
}

/* How a root call must end: taken, refused with an errno of its set, or either. */
enum want { TAKEN, REFUSED, EITHER };

static void op_if(struct nworker *w)
{
	struct npass *p = w->p;
	struct ifreq r;
	int e, what = (int)nrnd(w, 100);
	unsigned long cmd;
	long ret;
	enum want want = TAKEN;
	errmask errs = 0;
	bool ungated = false;	/* uid 65534 may call it too: else EPERM */
	char what_s[96];

	set_req(w, &r);
	if (what < 8) {
		static const int edges[] = { 0, 45, 46, 67, 68, 576, 1280, 1500, 1501, 4000,
					     9000, 16110, 16111, 65535, 65536, -1 };
		int mtu = nchance(w, 60) ? edges[nrnd(w, sizeof(edges) / sizeof(edges[0]))]
					 : 68 + (int)nrnd(w, 16110 - 67);

		cmd = SIOCSIFMTU;
		r.ifr_mtu = mtu;
		errs = M(EINVAL);
		/* 68..1500: every Ethernet device's; below 0 or beyond 65535: none's. */
		want = mtu >= 68 && mtu <= 1500 ? TAKEN : mtu < 0 || mtu > 65535 ? REFUSED : EITHER;
		snprintf(what_s, sizeof(what_s), "SIOCSIFMTU %s %d", r.ifr_name, mtu);
	} else if (what < 28) {
		short set = 0;

		if (ioctl(p->sock, SIOCGIFFLAGS, &r))
			return;
		if (nchance(w, 50))
			set |= IFF_PROMISC;
		if (nchance(w, 50))
			set |= IFF_ALLMULTI;
		if (nchance(w, 85))
			set |= IFF_UP;
		r.ifr_flags = (short)((r.ifr_flags & ~(IFF_PROMISC | IFF_ALLMULTI | IFF_UP)) | set);
		cmd = SIOCSIFFLAGS;
		/* An open during e1000's self-test: EBUSY (e1000_open). */
		want = EITHER;
		errs = M(EBUSY);
		snprintf(what_s, sizeof(what_s), "SIOCSIFFLAGS %s %#x", r.ifr_name,
			 (unsigned short)r.ifr_flags);
	} else if (what < 38) {
		unsigned char *m = (unsigned char *)r.ifr_hwaddr.sa_data;

		cmd = SIOCSIFHWADDR;
		r.ifr_hwaddr.sa_family = nchance(w, 95) ? ARPHRD_ETHER : (unsigned short)nrand(w);
		random_mac(w, m);
		if (r.ifr_hwaddr.sa_family != ARPHRD_ETHER)
			want = REFUSED, errs = M(EINVAL);
		else if (m[0] & 1 || !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]))
			want = REFUSED, errs = M(EADDRNOTAVAIL);
		snprintf(what_s, sizeof(what_s), "SIOCSIFHWADDR %s %02x:%02x:%02x:%02x:%02x:%02x "
			 "family %u", r.ifr_name, m[0], m[1], m[2], m[3], m[4], m[5],
			 r.ifr_hwaddr.sa_family);
	} else if (what < 62) {
		bool add = nchance(w, 55);

		cmd = add ? SIOCADDMULTI : SIOCDELMULTI;
		r.ifr_hwaddr.sa_family = AF_UNSPEC;
		pool_mac((unsigned int)nrnd(w, NMC), (unsigned char *)r.ifr_hwaddr.sa_data);
		if (!add)
			want = EITHER, errs = M(ENOENT);	/* not on the list */
		snprintf(what_s, sizeof(what_s), "%s %s", add ? "SIOCADDMULTI" : "SIOCDELMULTI",
			 r.ifr_name);
	} else if (what < 68) {
		cmd = SIOCSIFTXQLEN;
		r.ifr_qlen = nchance(w, 80) ? (int)nrnd(w, 2000) : (int)nrand(w);
		if (r.ifr_qlen < 0)
			want = REFUSED, errs = M(EINVAL);
		else if (r.ifr_qlen > 100000)	/* the qdisc's ring: too large to allocate */
			want = EITHER, errs = M(ERANGE) | M(ENOMEM) | M(EINVAL);
		snprintf(what_s, sizeof(what_s), "SIOCSIFTXQLEN %s %d", r.ifr_name, r.ifr_qlen);
	} else if (what < 80) {
		struct mii_ioctl_data *mii = (void *)&r.ifr_ifru;

		cmd = nchance(w, 30) ? SIOCGMIIPHY : SIOCGMIIREG;
		mii->phy_id = nchance(w, 80) ? 1 : (uint16_t)nrand(w);
		mii->reg_num = (uint16_t)(nchance(w, 80) ? nrnd(w, 32) : nrand(w));
		want = EITHER;
		errs = M(EOPNOTSUPP) | M(EINVAL) | M(EIO) | M(ENODEV) | M(ENETDOWN);
		snprintf(what_s, sizeof(what_s), "%s %s phy %u reg %u",
			 cmd == SIOCGMIIPHY ? "SIOCGMIIPHY" : "SIOCGMIIREG", r.ifr_name,
			 mii->phy_id, mii->reg_num);
	} else if (what < 88) {
		cmd = SIOCDEVPRIVATE + nrnd(w, 16);
		r.ifr_data = data_ptr(w);
		want = REFUSED;	/* neither driver has private ioctls */
		errs = M(EOPNOTSUPP);
		ungated = true;	/* dev_ioctl leaves the check to the driver */
		snprintf(what_s, sizeof(what_s), "SIOCDEVPRIVATE+%lu %s", cmd - SIOCDEVPRIVATE,
			 r.ifr_name);
	} else if (what < 91) {
		if (p->root)
			return;	/* SIOCSMIIREG: never sent as root (the file's comment) */
		cmd = SIOCSMIIREG;
		snprintf(what_s, sizeof(what_s), "SIOCSMIIREG %s", r.ifr_name);
	} else {
		static const unsigned long gets[] = { SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFHWADDR,
						      SIOCGIFTXQLEN, SIOCGIFINDEX, SIOCGIFMAP };

		cmd = gets[nrnd(w, sizeof(gets) / sizeof(gets[0]))];
		ungated = true;
		snprintf(what_s, sizeof(what_s), "get %#lx %s", cmd, r.ifr_name);
	}
	if (!p->root && !ungated)
		want = REFUSED, errs = M(EPERM);
	errno = 0;
	ret = ioctl(p->sock, cmd, &r);
	e = errno;
	if (want == TAKEN)
		ncheck(w, ret == 0, ret, e, "must be taken", "%s", what_s);
	else if (want == REFUSED)
		ncheck(w, ret == -1 && fuzz_errno_in(errs, e), ret, e, "must be refused, with its errno",
		       "%s", what_s);
	else
		ncheck(w, ret == 0 || fuzz_errno_in(errs, e), ret, e, "taken, or an errno of its set", "%s",
		       what_s);
	__atomic_fetch_add(&w->p->ok, ret == 0, __ATOMIC_RELAXED);
}

/* A statistics file of sysfs, which asks the driver (get_stats64). */
static void op_sysfs(struct nworker *w)
{
	static const char *const files[] = { "statistics/rx_packets", "statistics/tx_bytes",
					     "statistics/rx_dropped", "carrier", "speed", "duplex",
					     "operstate", "mtu" };
	char path[128], buf[64];
	int k = (int)nrnd(w, w->p->n), fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", w->p->l[k].name,
		 files[nrnd(w, sizeof(files) / sizeof(files[0]))]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (!ncheck(w, fd >= 0, fd, errno, "the file is there", "open %s", path))
		return;
	n = read(fd, buf, sizeof(buf));
	/* carrier, speed, duplex of a link that is down: EINVAL; interrupted: EINTR. */
	ncheck(w, n > 0 || (n < 0 && (errno == EINVAL || errno == EINTR)), n, errno,
	       "a value, or EINVAL while down", "read %s", path);
	close(fd);
}

static void *worker_main(void *arg)
{
	struct nworker *w = arg;
	struct npass *p = w->p;

	if (w->id == 0) {
		/* The sender: until the others are done; its frames are not in --ops. */
		while (!__atomic_load_n(&p->stop, __ATOMIC_RELAXED) &&
		       __atomic_load_n(&p->callers_done, __ATOMIC_RELAXED) < p->callers) {
			send_one(w);
			w->ops++;
		}
	}
	while (w->id && !__atomic_load_n(&p->stop, __ATOMIC_RELAXED) &&
	       __atomic_fetch_add(&p->issued, 1, __ATOMIC_RELAXED) < p->max_ops) {
		int pick = (int)nrnd(w, 10);

		if (pick < 5)
			op_ethtool(w);
		else if (pick < 9)
			op_if(w);
		else
			op_sysfs(w);
		__atomic_fetch_add(&p->ioctls, 1, __ATOMIC_RELAXED);
		w->ops++;
	}
	if (w->id)
		__atomic_fetch_add(&p->callers_done, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* ---- the links: found, brought up, put back, checked ---- */

static int ifreq_io(int sock, unsigned long cmd, const char *name, struct ifreq *r)
{
	snprintf(r->ifr_name, IFNAMSIZ, "%s", name);
	return ioctl(sock, cmd, r);
}

static int ring_io(int sock, const char *name, struct ethtool_ringparam *rp, bool set)
{
	struct ifreq r = { 0 };

	rp->cmd = set ? ETHTOOL_SRINGPARAM : ETHTOOL_GRINGPARAM;
	r.ifr_data = (void *)rp;
	return ifreq_io(sock, SIOCETHTOOL, name, &r);
}

static int set_flags(int sock, const char *name, short on, short off)
{
	struct ifreq r = { 0 };

	if (ifreq_io(sock, SIOCGIFFLAGS, name, &r))
		return -1;
	r.ifr_flags = (short)((r.ifr_flags | on) & ~off);
	return ifreq_io(sock, SIOCSIFFLAGS, name, &r);
}

/* The module's links, in name order: at least two, or the pass cannot send between them. */
static int find_links(struct npass *p)
{
	struct dirent **de;
	int n = scandir("/sys/class/net", &de, NULL, alphasort), i;

	p->n = 0;
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		char path[300], link[300];
		ssize_t m;

		snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", de[i]->d_name);
		m = readlink(path, link, sizeof(link) - 1);
		if (m > 0 && p->n < NET_MAX && strlen(de[i]->d_name) < IFNAMSIZ) {
			link[m] = '\0';
			if (!strcmp(net_base_of(link), p->module))
				snprintf(p->l[p->n++].name, IFNAMSIZ, "%.15s", de[i]->d_name);
		}
		free(de[i]);
	}
	free(de);
	return p->n;
}

static bool setup_links(struct npass *p)
{
	int k;

	p->sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (p->sock < 0 || find_links(p) < 2) {
		printf("# %s: %d link(s) of its own, not two: the manifest gives it two NICs\n",
		       p->module, p->n);
		return false;
	}
	for (k = 0; k < p->n; k++) {
		struct nlink *l = &p->l[k];
		struct ifreq r = { 0 };

		if (ifreq_io(p->sock, SIOCGIFHWADDR, l->name, &r) ||
		    (memcpy(l->mac, r.ifr_hwaddr.sa_data, ETH_ALEN), 0) ||
		    ifreq_io(p->sock, SIOCGIFINDEX, l->name, &r) || (l->index = r.ifr_ifindex, 0) ||
		    ifreq_io(p->sock, SIOCGIFTXQLEN, l->name, &r) || (l->txqlen = r.ifr_qlen, 0) ||
		    ring_io(p->sock, l->name, &l->ring, false) ||
		    set_flags(p->sock, l->name, IFF_UP, 0)) {
			printf("# %s: cannot read or bring up %s: %s\n", p->module, l->name,
			       strerror(errno));
			return false;
		}
	}
	return true;
}

static int packet_socket(const struct nlink *l)
{
	struct sockaddr_ll a = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_RKMFUZZ),
				 .sll_ifindex = l->index };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_RKMFUZZ));

	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a))) {
		close(s);
		s = -1;
	}
	return s;
}

/* Everything a pass may have changed, as it was; false (and why) if a link refuses. */
static bool restore_links(struct npass *p)
{
	bool good = true;
	int k, i;

	for (k = 0; k < p->n; k++) {
		struct nlink *l = &p->l[k];
		struct ethtool_ringparam rp = l->ring;
		struct ifreq r = { 0 };

		r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
		memcpy(r.ifr_hwaddr.sa_data, l->mac, ETH_ALEN);
		if (ifreq_io(p->sock, SIOCSIFHWADDR, l->name, &r))
			printf("# %s: %s: MAC address back: %s\n", p->module, l->name,
			       strerror(errno)), good = false;
		r.ifr_mtu = 1500;
		if (ifreq_io(p->sock, SIOCSIFMTU, l->name, &r))
			printf("# %s: %s: MTU 1500: %s\n", p->module, l->name, strerror(errno)),
				good = false;
		r.ifr_qlen = l->txqlen;
		if (ifreq_io(p->sock, SIOCSIFTXQLEN, l->name, &r))
			printf("# %s: %s: queue length back: %s\n", p->module, l->name,
			       strerror(errno)), good = false;
		if (ring_io(p->sock, l->name, &rp, true))
			printf("# %s: %s: rings back to %u/%u: %s\n", p->module, l->name,
			       l->ring.rx_pending, l->ring.tx_pending, strerror(errno)), good = false;
		for (i = 0; i < NMC; i++) {
			r.ifr_hwaddr.sa_family = AF_UNSPEC;
			pool_mac((unsigned int)i, (unsigned char *)r.ifr_hwaddr.sa_data);
			while (!ifreq_io(p->sock, SIOCDELMULTI, l->name, &r))
				;
		}
		if (set_flags(p->sock, l->name, IFF_UP, IFF_PROMISC | IFF_ALLMULTI))
			printf("# %s: %s: up, not promiscuous: %s\n", p->module, l->name,
			       strerror(errno)), good = false;
	}
	return good;
}

static bool carrier(const char *name)
{
	char path[96], c[4] = "";

	snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", name);
	return read_file(path, c, sizeof(c)) > 0 && c[0] == '1';
}

/* What sysfs says of a link, for a failure's report. */
static void show_link(const struct npass *p, const struct nlink *l)
{
	static const char *const files[] = { "carrier", "mtu", "flags", "address",
		"statistics/rx_packets", "statistics/tx_packets", "statistics/rx_errors",
		"statistics/rx_dropped", "statistics/rx_missed_errors",
		"statistics/rx_length_errors", "statistics/tx_dropped" };
	char line[512] = "", path[128], v[40];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s/%s", l->name, files[i]);
		if (read_file(path, v, sizeof(v)) <= 0)
			v[0] = '\0';
		v[strcspn(v, "\n")] = '\0';
		snprintf(line + strlen(line), sizeof(line) - strlen(line), " %s=%s",
			 strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i], v);
	}
	printf("# %s: %s:%s\n", p->module, l->name, line);
}

/* Carrier on every link within 10 s (autonegotiation, after an open). */
static bool carriers(const struct npass *p)
{
	long long t0 = ktest_ms();
	int k;

	for (k = 0; k < p->n; k++) {
		while (!carrier(p->l[k].name) && ktest_ms() - t0 < 10000)
			usleep(20000);
		if (!carrier(p->l[k].name)) {
			printf("# %s: %s has no carrier after 10 s up\n", p->module, p->l[k].name);
			return false;
		}
	}
	return true;
}

/*
 * Each link, put back, works: carrier within 10 s; from link 0 to each other
 * and back, 32 frames of sizes up to 1514 to the receiver's own address
 * arrive intact within 5 s; one to another unicast address does not.
 */
static bool links_work(struct npass *p)
{
	static unsigned char f[FRAME_MAX], g[FRAME_MAX + 64];
	const unsigned char other[ETH_ALEN] = { 0x02, 0x52, 0x4b, 0x4d, 0x00, 0x99 };
	int k, dir, i;

	if (!carriers(p))
		return false;
	for (k = 1; k < p->n; k++) {
		for (dir = 0; dir < 2; dir++) {
			struct nlink *a = &p->l[dir ? k : 0], *b = &p->l[dir ? 0 : k];
			struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = a->index,
						  .sll_halen = ETH_ALEN };
			int got = 0, strays = 0;
			long long t1;

			while (recv(b->pkt, g, sizeof(g), MSG_DONTWAIT) >= 0)
				;	/* what the passes left */
			for (i = 0; i <= 32; i++) {
				size_t len = i == 32 ? 100 : ETH_HLEN + 12 + (size_t)i * 47;

				make_frame(f, i == 32 ? other : b->mac, a->mac, 0x10000u + (uint32_t)i,
					   len);
				if (sendto(a->pkt, f, len, 0, (struct sockaddr *)&to,
					   sizeof(to)) != (ssize_t)len) {
					printf("# %s: send on %s after the passes: %s\n", p->module,
					       a->name, strerror(errno));
					return false;
				}
			}
			for (t1 = ktest_ms(); got < 32 && ktest_ms() - t1 < 5000;) {
				struct pollfd pf = { .fd = b->pkt, .events = POLLIN };
				ssize_t n;
				const char *bad;

				if (poll(&pf, 1, 100) <= 0)
					continue;
				n = recv(b->pkt, g, sizeof(g), MSG_DONTWAIT);
				if (n <= 0)
					continue;
				bad = frame_bad(g, (size_t)n);
				if (bad) {
					printf("# %s: %s -> %s after the passes: %s\n", p->module,
					       a->name, b->name, bad);
					return false;
				}
				if (!memcmp(g, other, ETH_ALEN))
					strays++;
				else
					got++;
			}
			usleep(100000);	/* the filtered frame went last: time to show up */
			while (recv(b->pkt, g, sizeof(g), MSG_DONTWAIT) > 0)
				strays += !memcmp(g, other, ETH_ALEN);
			if (got < 32 || strays) {
				printf("# %s: %s -> %s after the passes: %d of 32 frames arrived, "
				       "%d to another address got through\n", p->module, a->name,
				       b->name, got, strays);
				show_link(p, a);
				show_link(p, b);
				return false;
			}
		}
	}
	return true;
}

/* ---- a pass, in its own process ---- */

static void pass_main(struct npass *p, int threads)
{
	static struct nworker w[NET_THREADS];
	int i, done, n = threads + 1;
	long long t0 = ktest_ms();

	if (!p->root && ktest_become_nobody()) {
		printf("# %s: cannot become uid 65534: %s\n", p->module, strerror(errno));
		exit(1);
	}
	p->none = ktest_page(PROT_NONE);
	p->callers = threads;
	ktest_catch(SIGUSR1, false);
	for (i = 0; i < n; i++) {
		w[i] = (struct nworker){ .p = p, .id = i };
		w[i].rng = p->seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(1 + i + 64 * !p->root));
		/* A PROT_NONE page after it: an argument cut at its end faults. */
		w[i].arg = mmap(NULL, ARG_BYTES + KTEST_PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (w[i].arg == MAP_FAILED || !p->none ||
		    mprotect(w[i].arg + ARG_BYTES, KTEST_PAGE, PROT_NONE) ||
		    pthread_create(&w[i].t, NULL, worker_main, &w[i])) {
			printf("# %s: cannot start the pass's threads\n", p->module);
			exit(1);
		}
	}
	do {
		usleep(TICK_MS * 1000);
		if (ktest_ms() >= p->deadline)
			__atomic_store_n(&p->stop, 1, __ATOMIC_SEQ_CST);
		for (i = 0, done = 0; i < n; i++) {
			if (__atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST))
				done++;
			else
				pthread_kill(w[i].t, SIGUSR1);
		}
	} while (done < n);
	for (i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
	p->ms = (long)(ktest_ms() - t0);
	printf("# %s (%s): %ld ioctls (%ld taken), %ld frames sent, %ld received intact, "
	       "%ld ms, %d failure(s)\n", p->module, p->who, p->ioctls, p->ok, p->sent,
	       p->received, p->ms, p->failures);
	fflush(stdout);
	exit(p->failures ? 1 : 0);
}

/*
 * The network passes over module's links (fuzz.c's run_device, model
 * "netdev"): true if both passes and the check after them held.
 */
bool fuzz_netdev(const char *module, long ops, double seconds, int threads, long done[2],
		 long ms[2])
{
	static struct npass base;
	uint64_t seed = fuzz_seed ^ fuzz_name_hash(module);
	bool good = true, set_up;
	int pass, k;

	base = (struct npass){ .module = module, .seed = seed, .max_ops = ops, .sock = -1 };
	for (k = 0; k < NET_MAX; k++)
		base.l[k].pkt = -1;
	if (threads > NET_THREADS - 1)
		threads = NET_THREADS - 1;
	set_up = setup_links(&base);
	for (k = 0; set_up && k < base.n; k++) {
		base.l[k].pkt = packet_socket(&base.l[k]);
		if (base.l[k].pkt < 0) {
			printf("# %s: no packet socket on %s: %s\n", module, base.l[k].name,
			       strerror(errno));
			set_up = false;
		}
	}
	if (!set_up) {
		good = false;
		goto out;
	}
	for (pass = 0; good && pass < 2; pass++) {
		struct npass *p;
		int status;
		pid_t pid;

		/* Each pass from the links as they were: the root pass changes everything. */
		if (!restore_links(&base) || !carriers(&base)) {
			good = false;
			break;
		}
		p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
			 0);
		if (p == MAP_FAILED) {
			good = false;
			break;
		}
		*p = base;
		p->root = !pass;
		p->who = pass ? "uid 65534" : "root";
		p->seed = seed ^ (pass ? 0x5bd1e995ULL : 0);
		p->deadline = ktest_ms() + (long long)(seconds * 1000);
		fflush(stdout);
		pid = fork();
		if (pid == 0)
			pass_main(p, threads);
		status = pid < 0 ? -1 : ktest_wait_child(pid, (long long)(seconds * 1000) + 60000);
		if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
			printf("# %s (%s): the pass %s; replay with --seed %llu --only %s\n", module,
			       p->who, status == -1 ? "did not end in time" :
			       WIFSIGNALED(status) ? "was killed by a signal" : "failed",
			       (unsigned long long)fuzz_seed, module);
			good = false;
		}
		done[pass] = p->ioctls + p->sent;
		ms[pass] = p->ms;
		munmap(p, sizeof(*p));
	}
	/* Put back and checked even after a failed pass: the links must work. */
	if (!restore_links(&base) || !links_work(&base))
		good = false;
out:
	for (k = 0; k < base.n; k++)
		if (base.l[k].pkt >= 0)
			close(base.l[k].pkt);
	if (base.sock >= 0)
		close(base.sock);
	return good;
}

static const struct fuzz_model netdev = {
	.name = "netdev",
	.spec = "net/ethtool/ioctl.c, net/core/dev_ioctl.c",
	.netdev = true,
};
FUZZ_MODEL(netdev)
