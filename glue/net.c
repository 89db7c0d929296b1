// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: Ethernet devices (net_device, NAPI, ethtool), their packets
 * (sk_buff) and the streaming DMA mappings of packets. Compiled only into a
 * module whose Rust object calls rkm_net_* or rkm_skb_* (kbuild/glue.mk
 * defines RKM_GLUE_NET then).
 */
#ifdef RKM_GLUE_NET
#if !IS_ENABLED(CONFIG_NET)
#error "rkm: this driver registers network devices (rkm::net), but the kernel was built without CONFIG_NET"
#endif
#include <generated/utsrelease.h>
#include <linux/dma-mapping.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip6_checksum.h>

#include "rkm_abi.h"

static_assert(RKM_NET_ALEN == ETH_ALEN);
static_assert(RKM_NET_NAME_MAX == IFNAMSIZ - 1);
static_assert(RKM_NET_GSTRING_LEN == ETH_GSTRING_LEN);

/**
 * struct rkm_netdev - one Rust-driven net_device, and the handle Rust keeps
 * @ref: references: the registration's, each Rust handle's, each mapping's
 * @live: the device while rkm_net_h_* may reach it (RCU)
 * @ndev: the device, from rkm_net_register() to rkm_net_unregister()
 * @b: the parent's binding (referenced): DMA goes to its device
 * @ops, @data: the Rust callbacks and their first argument
 * @napi: the NAPI context, if @has_napi
 * @napi_lock: serialises enable and disable (@napi_on)
 * @bql_lock: serialises completions of the queue's byte accounting with
 *	each other (dql_completed() BUGs on more completed than queued: the
 *	glue clamps under this lock); the queued side is start_xmit's, which
 *	the transmit lock serialises
 * @n_stats: ethtool statistics
 * @node: in rkm_netdevs while registered
 */
struct rkm_netdev {
	struct kref ref;
	struct net_device __rcu *live;
	struct net_device *ndev;
	struct rkm_binding *b;
	const struct rkm_net_ops *ops;
	const void *data;
	struct napi_struct napi;
	bool has_napi;
	struct mutex napi_lock;
	bool napi_on;
	spinlock_t bql_lock;
	u32 n_stats;
	struct list_head node;
	struct ethtool_ops et;
};

/* This module's registered devices, to unregister leaked ones at exit. */
static LIST_HEAD(rkm_netdevs);
static DEFINE_MUTEX(rkm_netdevs_lock);

/* A struct rkm_skb is the kernel's struct sk_buff: converted here only. */
static struct sk_buff *rkm_kskb(struct rkm_skb *skb)
{
	return (struct sk_buff *)skb;
}

static struct rkm_netdev *rkm_nd(struct net_device *ndev)
{
	return *(struct rkm_netdev **)netdev_priv(ndev);
}

static void rkm_net_release(struct kref *ref)
{
	struct rkm_netdev *nd = container_of(ref, struct rkm_netdev, ref);

	rkm_binding_put(nd->b);
	kfree(nd);
}

RKM_LEAF void rkm_net_get(struct rkm_netdev *nd)
{
	kref_get(&nd->ref);
}

RKM_LEAF void rkm_net_put(struct rkm_netdev *nd)
{
	kref_put(&nd->ref, rkm_net_release);
}

/* --- net_device_ops --- */

static int rkm_ndo_open(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return nd->ops->open(nd->data, nd);
}

/*
 * After the driver's stop: NAPI off and the byte accounting reset, whatever
 * the driver did, so that a later open starts clean (a second napi_enable()
 * BUGs on 6.1) and nothing it still reports can underflow the queue's.
 */
static int rkm_ndo_stop(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	nd->ops->stop(nd->data, nd);
	rkm_net_napi_disable(nd);
	rkm_net_reset_queue(nd);
	return 0;
}

/*
 * The software transmit timestamp (SOF_TIMESTAMPING_TX_SOFTWARE, which
 * get_ts_info offers) is taken here, as the packet reaches the driver: a C
 * driver calls skb_tx_timestamp() just before its device gets the packet,
 * and once Rust has it the packet may be sent and freed before it returns.
 * A packet sent back (busy) and retried is stamped again.
 */
static netdev_tx_t rkm_ndo_start_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	skb_tx_timestamp(skb);
	if (nd->ops->start_xmit(nd->data, nd, (struct rkm_skb *)skb) == RKM_NET_TX_OK)
		return NETDEV_TX_OK;
	/* Busy: the packet goes back to the qdisc, which retries once woken. */
	netif_stop_queue(ndev);
	return NETDEV_TX_BUSY;
}

static void rkm_ndo_get_stats64(struct net_device *ndev, struct rtnl_link_stats64 *s)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	struct rkm_net_stats st = {};

	if (nd->ops->get_stats64)
		nd->ops->get_stats64(nd->data, nd, &st);
	s->rx_packets = st.rx_packets;
	s->tx_packets = st.tx_packets;
	s->rx_bytes = st.rx_bytes;
	s->tx_bytes = st.tx_bytes;
	s->rx_errors = st.rx_errors;
	s->tx_errors = st.tx_errors;
	s->rx_dropped = st.rx_dropped;
	s->tx_dropped = st.tx_dropped;
	s->multicast = st.multicast;
	s->collisions = st.collisions;
	s->rx_length_errors = st.rx_length_errors;
	s->rx_over_errors = st.rx_over_errors;
	s->rx_crc_errors = st.rx_crc_errors;
	s->rx_frame_errors = st.rx_frame_errors;
	s->rx_fifo_errors = st.rx_fifo_errors;
	s->rx_missed_errors = st.rx_missed_errors;
	s->tx_aborted_errors = st.tx_aborted_errors;
	s->tx_carrier_errors = st.tx_carrier_errors;
	s->tx_fifo_errors = st.tx_fifo_errors;
	/* The core's own drop counters (rkm_net_receive()'s runts) are added by dev_get_stats(). */
}

static int rkm_ndo_set_mac_address(struct net_device *ndev, void *p)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	struct sockaddr *sa = p;
	int err;

	if (!is_valid_ether_addr(sa->sa_data))
		return -EADDRNOTAVAIL;
	if (nd->ops->set_mac_address) {
		err = nd->ops->set_mac_address(nd->data, nd, (const u8 *)sa->sa_data);
		if (err)
			return err;
	}
	eth_hw_addr_set(ndev, sa->sa_data);
	return 0;
}

/* The core checked min_mtu <= @mtu <= max_mtu (dev_validate_mtu()). */
static int rkm_ndo_change_mtu(struct net_device *ndev, int mtu)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	int err = nd->ops->change_mtu ? nd->ops->change_mtu(nd->data, nd, mtu) : 0;

	if (!err)
		WRITE_ONCE(ndev->mtu, mtu);
	return err;
}

static void rkm_ndo_tx_timeout(struct net_device *ndev, unsigned int txqueue)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	if (nd->ops->tx_timeout)
		nd->ops->tx_timeout(nd->data, nd, txqueue);
}

/*
 * Under netif_addr_lock_bh (atomic): the multicast list is copied for Rust.
 * Without memory for the copy, all multicast is asked for instead.
 */
static void rkm_ndo_set_rx_mode(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	u32 flags = 0;
	struct netdev_hw_addr *ha;
	u8 *mc = NULL;
	size_t n = 0;

	if (!nd->ops->set_rx_mode)
		return;
	if (ndev->flags & IFF_PROMISC)
		flags |= RKM_NET_RX_PROMISC;
	if (ndev->flags & IFF_ALLMULTI)
		flags |= RKM_NET_RX_ALLMULTI;
	if (netdev_mc_count(ndev)) {
		mc = kmalloc_array(netdev_mc_count(ndev), ETH_ALEN, GFP_ATOMIC);
		if (mc) {
			netdev_for_each_mc_addr(ha, ndev)
				ether_addr_copy(mc + ETH_ALEN * n++, ha->addr);
		} else {
			flags |= RKM_NET_RX_ALLMULTI;
		}
	}
	nd->ops->set_rx_mode(nd->data, nd, flags, mc, n);
	kfree(mc);
}

static const struct net_device_ops rkm_net_ndo = {
	.ndo_open = rkm_ndo_open,
	.ndo_stop = rkm_ndo_stop,
	.ndo_start_xmit = rkm_ndo_start_xmit,
	.ndo_get_stats64 = rkm_ndo_get_stats64,
	.ndo_set_mac_address = rkm_ndo_set_mac_address,
	.ndo_change_mtu = rkm_ndo_change_mtu,
	.ndo_tx_timeout = rkm_ndo_tx_timeout,
	.ndo_set_rx_mode = rkm_ndo_set_rx_mode,
	.ndo_validate_addr = eth_validate_addr,
};

/* --- ethtool --- */

static void rkm_et_get_drvinfo(struct net_device *ndev, struct ethtool_drvinfo *info)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->version, UTS_RELEASE, sizeof(info->version));
	strscpy(info->bus_info, dev_name(nd->b->dev), sizeof(info->bus_info));
}

static u32 rkm_et_get_link(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	if (nd->ops->get_link)
		return nd->ops->get_link(nd->data, nd);
	return ethtool_op_get_link(ndev);
}

static void rkm_et_get_ringparam(struct net_device *ndev, struct ethtool_ringparam *ring,
				 struct kernel_ethtool_ringparam *kring,
				 struct netlink_ext_ack *extack)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	struct rkm_net_ring r = {};

	if (nd->ops->get_ringparam)
		nd->ops->get_ringparam(nd->data, nd, &r);
	ring->rx_max_pending = r.rx_max;
	ring->tx_max_pending = r.tx_max;
	ring->rx_pending = min(r.rx, r.rx_max);
	ring->tx_pending = min(r.tx, r.tx_max);
}

/* The core refused more than the maxima get_ringparam gave. */
static int rkm_et_set_ringparam(struct net_device *ndev, struct ethtool_ringparam *ring,
				struct kernel_ethtool_ringparam *kring,
				struct netlink_ext_ack *extack)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	struct rkm_net_ring r = {
		.rx_max = ring->rx_max_pending, .tx_max = ring->tx_max_pending,
		.rx = ring->rx_pending, .tx = ring->tx_pending,
	};

	if (!nd->ops->set_ringparam)
		return -EOPNOTSUPP;
	if (ring->rx_mini_pending || ring->rx_jumbo_pending)
		return -EINVAL;
	return nd->ops->set_ringparam(nd->data, nd, &r);
}

static int rkm_et_get_sset_count(struct net_device *ndev, int sset)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return sset == ETH_SS_STATS ? nd->n_stats : -EOPNOTSUPP;
}

static void rkm_et_get_strings(struct net_device *ndev, u32 sset, u8 *data)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	u32 i;

	if (sset != ETH_SS_STATS)
		return;
	memset(data, 0, nd->n_stats * ETH_GSTRING_LEN);
	for (i = 0; i < nd->n_stats; i++)
		nd->ops->stat_name(i, data + i * ETH_GSTRING_LEN);
}

static void rkm_et_get_ethtool_stats(struct net_device *ndev, struct ethtool_stats *stats,
				     u64 *data)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	memset(data, 0, nd->n_stats * sizeof(*data));
	if (nd->ops->get_ethtool_stats)
		nd->ops->get_ethtool_stats(nd->data, nd, data, nd->n_stats);
}

/*
 * issue 19: speed and duplex, if the driver knows them; its port's link
 * modes, if it says them (a driver with neither has no get_link_ksettings).
 */
static int rkm_et_get_link_ksettings(struct net_device *ndev, struct ethtool_link_ksettings *ks)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	struct rkm_net_link_modes m = { .mdix = -1 };
	uint32_t speed = 0;
	bool full = false;

	ethtool_link_ksettings_zero_link_mode(ks, supported);
	ethtool_link_ksettings_zero_link_mode(ks, advertising);
	ks->base.speed = SPEED_UNKNOWN;
	ks->base.duplex = DUPLEX_UNKNOWN;
	ks->base.port = PORT_TP;
	ks->base.eth_tp_mdix = ETH_TP_MDI_INVALID;
	ks->base.eth_tp_mdix_ctrl = ETH_TP_MDI_INVALID;
	if (nd->ops->get_link_speed && netif_carrier_ok(ndev) &&
	    nd->ops->get_link_speed(nd->data, nd, &speed, &full)) {
		ks->base.speed = speed;
		ks->base.duplex = full ? DUPLEX_FULL : DUPLEX_HALF;
	}
	if (!nd->ops->get_link_modes)
		return 0;
	nd->ops->get_link_modes(nd->data, nd, &m);
	ethtool_convert_legacy_u32_to_link_mode(ks->link_modes.supported, m.supported);
	ethtool_convert_legacy_u32_to_link_mode(ks->link_modes.advertising, m.advertised);
	ks->base.autoneg = m.autoneg ? AUTONEG_ENABLE : AUTONEG_DISABLE;
	ks->base.port = m.supported & SUPPORTED_FIBRE ? PORT_FIBRE : PORT_TP;
	ks->base.phy_address = m.phy_address;
	/* As e1000 tells them: the crossover only with the carrier on. */
	if (m.mdix >= 0 && netif_carrier_ok(ndev))
		ks->base.eth_tp_mdix = m.mdix ? ETH_TP_MDI_X : ETH_TP_MDI;
	ks->base.eth_tp_mdix_ctrl = m.mdix_auto ? ETH_TP_MDI_AUTO : ETH_TP_MDI_INVALID;
	return 0;
}

static void rkm_et_get_wol(struct net_device *ndev, struct ethtool_wolinfo *wol)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	u32 supported = 0, enabled = 0;

	nd->ops->get_wol(nd->data, nd, &supported, &enabled);
	wol->supported = supported;
	wol->wolopts = enabled & supported;
}

/* The core refused options the device does not support (get_wol's). */
static int rkm_et_set_wol(struct net_device *ndev, struct ethtool_wolinfo *wol)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return nd->ops->set_wol ? nd->ops->set_wol(nd->data, nd, wol->wolopts) : -EOPNOTSUPP;
}

static u32 rkm_et_get_msglevel(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return nd->ops->get_msglevel(nd->data, nd);
}

static void rkm_et_set_msglevel(struct net_device *ndev, u32 level)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	if (nd->ops->set_msglevel)
		nd->ops->set_msglevel(nd->data, nd, level);
}

static int rkm_et_nway_reset(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return nd->ops->nway_reset(nd->data, nd);
}

/* issue 19: the EEPROM (ethtool -e); 0 bytes: EOPNOTSUPP (the core's). */
static int rkm_et_get_eeprom_len(struct net_device *ndev)
{
	struct rkm_netdev *nd = rkm_nd(ndev);

	return min_t(u32, nd->ops->get_eeprom_len(nd->data, nd), INT_MAX);
}

static int rkm_et_get_eeprom(struct net_device *ndev, struct ethtool_eeprom *ee, u8 *bytes)
{
	struct rkm_netdev *nd = rkm_nd(ndev);
	u32 size = rkm_et_get_eeprom_len(ndev);

	/* The core checked against the size it read; Rust gets what is in it now. */
	if (!size || ee->offset > size || ee->len > size - ee->offset)
		return -EINVAL;
	ee->magic = 0;
	return nd->ops->get_eeprom(nd->data, nd, ee->offset, bytes, ee->len, &ee->magic);
}

static const struct ethtool_ops rkm_net_ethtool = {
	.get_link_ksettings = rkm_et_get_link_ksettings,
	.get_drvinfo = rkm_et_get_drvinfo,
	.get_link = rkm_et_get_link,
	.get_ringparam = rkm_et_get_ringparam,
	.set_ringparam = rkm_et_set_ringparam,
	.get_sset_count = rkm_et_get_sset_count,
	.get_strings = rkm_et_get_strings,
	.get_ethtool_stats = rkm_et_get_ethtool_stats,
	.get_ts_info = ethtool_op_get_ts_info,
	.get_eeprom_len = rkm_et_get_eeprom_len,
	.get_eeprom = rkm_et_get_eeprom,
	.get_wol = rkm_et_get_wol,
	.set_wol = rkm_et_set_wol,
	.get_msglevel = rkm_et_get_msglevel,
	.set_msglevel = rkm_et_set_msglevel,
	.nway_reset = rkm_et_nway_reset,
};

/* --- NAPI --- */

/* The Rust poll completes NAPI itself, only below the budget, at most once. */
static int rkm_napi_poll(struct napi_struct *napi, int budget)
{
	struct rkm_netdev *nd = container_of(napi, struct rkm_netdev, napi);
	int work = nd->ops->poll(nd->data, nd, budget);

	return clamp(work, 0, budget);
}

void rkm_net_napi_enable(struct rkm_netdev *nd)
{
	might_sleep();
	if (!nd->has_napi)
		return;
	mutex_lock(&nd->napi_lock);
	if (!nd->napi_on)
		napi_enable(&nd->napi);
	nd->napi_on = true;
	mutex_unlock(&nd->napi_lock);
}

void rkm_net_napi_disable(struct rkm_netdev *nd)
{
	might_sleep();
	if (!nd->has_napi)
		return;
	mutex_lock(&nd->napi_lock);
	if (nd->napi_on)
		napi_disable(&nd->napi);
	nd->napi_on = false;
	mutex_unlock(&nd->napi_lock);
}

RKM_LEAF bool rkm_net_napi_complete_done(struct rkm_netdev *nd, int work)
{
	return napi_complete_done(&nd->napi, work);
}

/* napi_schedule() returns void before v6.8 (d27e2da94a42 "net: make napi_schedule return bool"). */
static bool rkm_napi_schedule(struct napi_struct *napi)
{
	if (!napi_schedule_prep(napi))
		return false;
	__napi_schedule(napi);
	return true;
}

/* --- registration --- */

static netdev_features_t rkm_net_features(uint32_t f)
{
	return (f & RKM_NET_F_SG ? NETIF_F_SG : 0) | (f & RKM_NET_F_HW_CSUM ? NETIF_F_HW_CSUM : 0) |
	       (f & RKM_NET_F_TSO ? NETIF_F_TSO : 0) | (f & RKM_NET_F_RXCSUM ? NETIF_F_RXCSUM : 0);
}

static bool rkm_net_desc_ok(const struct rkm_netdev_desc *d, const struct rkm_net_ops *ops)
{
	if (d->name_len > RKM_NET_NAME_MAX || (d->name_len && !d->name))
		return false;
	if (!ops->open || !ops->stop || !ops->start_xmit)
		return false;
	if (d->min_mtu < ETH_ZLEN - ETH_HLEN || d->min_mtu > d->max_mtu || d->max_mtu > ETH_MAX_MTU ||
	    d->mtu < d->min_mtu || d->mtu > d->max_mtu)
		return false;
	if (d->napi_weight > NAPI_POLL_WEIGHT || (d->napi_weight && !ops->poll))
		return false;
	if (d->n_stats > RKM_NET_MAX_STATS || (d->n_stats && !ops->stat_name))
		return false;
	if ((d->features | d->hw_features) &
	    ~(RKM_NET_F_SG | RKM_NET_F_HW_CSUM | RKM_NET_F_TSO | RKM_NET_F_RXCSUM))
		return false;
	return true;
}

static void rkm_net_quiesced(struct rkm_binding *b);

/* The network class's part of the device core's unbind. */
static struct rkm_class_hooks rkm_net_class = {
	.node = LIST_HEAD_INIT(rkm_net_class.node),
	.quiesced = rkm_net_quiesced,
};

struct rkm_netdev *rkm_net_register(struct rkm_binding *b, const struct rkm_netdev_desc *d,
				    const struct rkm_net_ops *ops, const void *data, int *err)
{
	static const u8 zero[ETH_ALEN];
	char name[IFNAMSIZ] = "eth%d";
	struct net_device *ndev;
	struct rkm_netdev *nd;

	*err = -EINVAL;
	if (!rkm_net_desc_ok(d, ops))
		return NULL;
	if (d->name_len) {
		memcpy(name, d->name, d->name_len);
		name[d->name_len] = 0;
		if (!dev_valid_name(name))
			return NULL;
	}
	if (memcmp(d->mac, zero, ETH_ALEN) && !is_valid_ether_addr(d->mac))
		return NULL;
	/* Before any packet of @b can wait for its quiesce. */
	rkm_class_hooks_add(&rkm_net_class);
	*err = -ENOMEM;
	nd = rkm_kzalloc(sizeof(*nd));
	if (!nd)
		return NULL;
	ndev = rkm_fail_injected() ? NULL : alloc_netdev(sizeof(nd), name, NET_NAME_USER, ether_setup);
	if (!ndev) {
		kfree(nd);
		return NULL;
	}
	kref_init(&nd->ref);
	INIT_LIST_HEAD(&nd->node);
	mutex_init(&nd->napi_lock);
	spin_lock_init(&nd->bql_lock);
	kref_get(&b->ref);
	nd->b = b;
	nd->ndev = ndev;
	nd->ops = ops;
	nd->data = data;
	nd->n_stats = d->n_stats;
	*(struct rkm_netdev **)netdev_priv(ndev) = nd;
	SET_NETDEV_DEV(ndev, b->dev);
	ndev->netdev_ops = &rkm_net_ndo;
	/* The device's own table: what its driver lacks is not offered at all. */
	nd->et = rkm_net_ethtool;
	if (!ops->get_link_speed && !ops->get_link_modes)
		nd->et.get_link_ksettings = NULL;
	if (!ops->get_eeprom_len || !ops->get_eeprom) {
		nd->et.get_eeprom_len = NULL;
		nd->et.get_eeprom = NULL;
	}
	if (!ops->get_wol) {
		nd->et.get_wol = NULL;
		nd->et.set_wol = NULL;
	}
	if (!ops->get_msglevel) {
		nd->et.get_msglevel = NULL;
		nd->et.set_msglevel = NULL;
	}
	if (!ops->nway_reset)
		nd->et.nway_reset = NULL;
	ndev->ethtool_ops = &nd->et;
	ndev->min_mtu = d->min_mtu;
	ndev->max_mtu = d->max_mtu;
	ndev->mtu = d->mtu;
	ndev->watchdog_timeo = 5 * HZ;
	ndev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	/*
	 * Soundness: ether_setup() lets pktgen hand the device one skb several
	 * times at once (clone_skb, burst: skb->users > 1); an Skb is the only
	 * owner of its sk_buff (it writes, pulls, maps and hands it to the
	 * stack), so the device never accepts shared ones, as veth.
	 */
	ndev->priv_flags &= ~IFF_TX_SKB_SHARING;
	if (d->tx_queue_len)
		ndev->tx_queue_len = d->tx_queue_len;
	ndev->hw_features = rkm_net_features(d->hw_features);
	ndev->features = rkm_net_features(d->features);
	/* A VLAN device above keeps them: its packets' offsets include the tag. */
	ndev->vlan_features = ndev->features & (NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_TSO);
	if (memcmp(d->mac, zero, ETH_ALEN))
		eth_hw_addr_set(ndev, d->mac);
	else
		eth_hw_addr_random(ndev);
	if (d->napi_weight) {
		netif_napi_add_weight(ndev, &nd->napi, rkm_napi_poll, d->napi_weight);
		nd->has_napi = true;
	}
	netif_carrier_off(ndev);
	rcu_assign_pointer(nd->live, ndev);
	*err = register_netdev(ndev);
	if (*err) {
		RCU_INIT_POINTER(nd->live, NULL);
		synchronize_rcu();
		if (nd->has_napi)
			netif_napi_del(&nd->napi);
		free_netdev(ndev);
		rkm_net_put(nd);
		return NULL;
	}
	mutex_lock(&rkm_netdevs_lock);
	list_add(&nd->node, &rkm_netdevs);
	mutex_unlock(&rkm_netdevs_lock);
	return nd;
}

/*
 * Unregistration proper; @nd is off rkm_netdevs. The registration's
 * reference stays: rkm_net_unregister() drops it, so a Rust owner dropped
 * after the exit sweep unregistered its device still has a live handle.
 */
static void rkm_net_teardown(struct rkm_netdev *nd)
{
	struct net_device *ndev = nd->ndev;

	/* The handles first: nothing reaches the device through them after this. */
	RCU_INIT_POINTER(nd->live, NULL);
	synchronize_rcu();
	unregister_netdev(ndev);
	rkm_net_napi_disable(nd);
	if (nd->has_napi)
		netif_napi_del(&nd->napi);
	free_netdev(ndev);
	nd->ndev = NULL;
}

void rkm_net_unregister(struct rkm_netdev *nd)
{
	bool listed;

	mutex_lock(&rkm_netdevs_lock);
	listed = !list_empty(&nd->node);
	list_del_init(&nd->node);
	mutex_unlock(&rkm_netdevs_lock);
	/* Else the exit sweep unregistered it already. */
	if (listed)
		rkm_net_teardown(nd);
	rkm_net_put(nd);
}

/*
 * At module exit: devices whose Rust owner was leaked (their state stays
 * allocated: nothing frees it), unregistered before the module's code goes.
 */
static void rkm_net_free(void)
{
	struct rkm_netdev *nd;

	for (;;) {
		mutex_lock(&rkm_netdevs_lock);
		nd = list_first_entry_or_null(&rkm_netdevs, struct rkm_netdev, node);
		if (nd)
			list_del_init(&nd->node);
		mutex_unlock(&rkm_netdevs_lock);
		if (!nd)
			return;
		rkm_net_teardown(nd);
	}
}

/* --- on a registered device --- */

RKM_LEAF void rkm_net_carrier(struct rkm_netdev *nd, bool on)
{
	if (on)
		netif_carrier_on(nd->ndev);
	else
		netif_carrier_off(nd->ndev);
}

RKM_LEAF bool rkm_net_carrier_ok(struct rkm_netdev *nd)
{
	return netif_carrier_ok(nd->ndev);
}

RKM_LEAF void rkm_net_queue_stop(struct rkm_netdev *nd)
{
	netif_stop_queue(nd->ndev);
}

RKM_LEAF void rkm_net_queue_wake(struct rkm_netdev *nd)
{
	netif_wake_queue(nd->ndev);
}

RKM_LEAF void rkm_net_queue_start(struct rkm_netdev *nd)
{
	netif_start_queue(nd->ndev);
}

RKM_LEAF bool rkm_net_queue_stopped(struct rkm_netdev *nd)
{
	return netif_queue_stopped(nd->ndev);
}

/*
 * Whether this context may wait (for RTNL, or a queue's transmit lock),
 * wherever the kernel can tell: preempt_count (interrupts, bottom halves
 * off, and spinlocks: every kernel rkm supports has CONFIG_PREEMPT_COUNT),
 * interrupts off, and an RCU read side (on PREEMPT_RT a spinlock leaves
 * the preempt count alone but holds one).
 */
static bool rkm_net_may_wait(void)
{
	return !in_atomic() && !irqs_disabled() && !rcu_preempt_depth();
}

/*
 * netif_tx_disable(): each queue stopped under its transmit lock, so no
 * start_xmit runs once it returns. It waits only where waiting is allowed
 * (rkm_net_may_wait()): with a spinlock of the driver's held, start_xmit
 * may be waiting for it (a deadlock), and with interrupts off the lock's
 * local_bh_enable() would run softirqs and turn interrupts on. There the
 * queues are only stopped. Whether it waited.
 */
bool rkm_net_tx_disable(struct rkm_netdev *nd)
{
	if (!rkm_net_may_wait()) {
		netif_tx_stop_all_queues(nd->ndev);
		return false;
	}
	netif_tx_disable(nd->ndev);
	return true;
}

/* What the queue's limits count as in flight (0 without BQL). */
static unsigned int rkm_bql_inflight(struct netdev_queue *q)
{
#ifdef CONFIG_BQL
	return READ_ONCE(q->dql.num_queued) - READ_ONCE(q->dql.num_completed);
#else
	return 0;
#endif
}

/*
 * Only in start_xmit (Rust's Xmit): the queue's transmit lock serialises
 * dql_queued(), as in C drivers; a dql_completed() beside it is BQL's design.
 */
RKM_LEAF bool rkm_net_sent_queue(struct rkm_netdev *nd, uint32_t bytes)
{
	struct netdev_queue *q = netdev_get_tx_queue(nd->ndev, 0);

	/* dql_queued() BUGs on a count above DQL_MAX_OBJECT. */
	if (unlikely(bytes > DQL_MAX_OBJECT))
		return netdev_xmit_more() && !netif_xmit_stopped(q);
	/* As drivers call it: true means move the tail now (the queue stopped, or no more). */
	return !__netdev_tx_sent_queue(q, bytes, netdev_xmit_more());
}

RKM_LEAF void rkm_net_completed_queue(struct rkm_netdev *nd, uint32_t pkts, uint32_t bytes)
{
	struct netdev_queue *q = netdev_get_tx_queue(nd->ndev, 0);
	unsigned long flags;

	spin_lock_irqsave(&nd->bql_lock, flags);
	netdev_completed_queue(nd->ndev, pkts, min(bytes, rkm_bql_inflight(q)));
	spin_unlock_irqrestore(&nd->bql_lock, flags);
}

RKM_LEAF bool rkm_net_xmit_more(struct rkm_netdev *nd)
{
	return netdev_xmit_more() && !netif_xmit_stopped(netdev_get_tx_queue(nd->ndev, 0));
}

/*
 * dql_reset() beside a dql_queued() in start_xmit, which takes no lock of
 * ours, would lose bytes: the queue's transmit lock keeps start_xmit out,
 * where this context may wait for it (rkm_net_may_wait()). Where
 * it may not (a spinlock of the driver's held, which start_xmit may be
 * waiting for), what is in flight completes instead: nothing is left in
 * flight, and the queue keeps the limit it learnt.
 */
RKM_LEAF void rkm_net_reset_queue(struct rkm_netdev *nd)
{
	struct netdev_queue *q = netdev_get_tx_queue(nd->ndev, 0);
	unsigned long flags;

	if (!rkm_net_may_wait()) {
		spin_lock_irqsave(&nd->bql_lock, flags);
		netdev_completed_queue(nd->ndev, 0, rkm_bql_inflight(q));
		spin_unlock_irqrestore(&nd->bql_lock, flags);
		return;
	}
	__netif_tx_lock_bh(q);
	spin_lock_irqsave(&nd->bql_lock, flags);
	netdev_tx_reset_queue(q);
	spin_unlock_irqrestore(&nd->bql_lock, flags);
	__netif_tx_unlock_bh(q);
}

RKM_LEAF void rkm_net_mac(struct rkm_netdev *nd, uint8_t *out)
{
	ether_addr_copy(out, nd->ndev->dev_addr);
}

int rkm_net_set_mac(struct rkm_netdev *nd, const uint8_t *addr)
{
	ASSERT_RTNL();
	if (!is_valid_ether_addr(addr))
		return -EINVAL;
	eth_hw_addr_set(nd->ndev, addr);
	return 0;
}

RKM_LEAF uint32_t rkm_net_mtu(struct rkm_netdev *nd)
{
	return READ_ONCE(nd->ndev->mtu);
}

RKM_LEAF bool rkm_net_feature(struct rkm_netdev *nd, uint32_t f)
{
	netdev_features_t want = rkm_net_features(f);

	return want && (READ_ONCE(nd->ndev->features) & want) == want;
}

void rkm_net_name(struct rkm_netdev *nd, char *out)
{
	strscpy(out, nd->ndev->name, IFNAMSIZ);
}

/* --- through a handle --- */

/*
 * From process context (a threaded handler, work, PREEMPT_RT's interrupt
 * threads) the raised softirq would wait for the next interrupt: running
 * it at local_bh_enable() is what the kernel's own drivers get from
 * their bottom-half-disabled callers. With interrupts off it cannot run.
 */
RKM_LEAF bool rkm_net_h_napi_schedule(struct rkm_netdev *nd)
{
	bool bh = !in_hardirq() && !irqs_disabled();
	bool done = false;

	if (bh)
		local_bh_disable();
	rcu_read_lock();
	if (rcu_dereference(nd->live) && nd->has_napi)
		done = rkm_napi_schedule(&nd->napi);
	rcu_read_unlock();
	if (bh)
		local_bh_enable();
	return done;
}

RKM_LEAF void rkm_net_h_queue_wake(struct rkm_netdev *nd)
{
	struct net_device *ndev;

	rcu_read_lock();
	ndev = rcu_dereference(nd->live);
	if (ndev)
		netif_wake_queue(ndev);
	rcu_read_unlock();
}

RKM_LEAF void rkm_net_h_carrier(struct rkm_netdev *nd, bool on)
{
	struct net_device *ndev;

	rcu_read_lock();
	ndev = rcu_dereference(nd->live);
	if (ndev && on)
		netif_carrier_on(ndev);
	else if (ndev)
		netif_carrier_off(ndev);
	rcu_read_unlock();
}

/* Unregistration clears @live before it takes RTNL: seen under RTNL, the device stays. */
bool rkm_net_h_rtnl_lock(struct rkm_netdev *nd)
{
	/*
	 * Soundness: an atomic callback (start_xmit, poll, set_rx_mode under a
	 * spinlock, ...) can make an RtnlHandle from its NetDev; taking RTNL
	 * there would sleep in atomic context, and napi_disable() from the
	 * device's own poll would wait for itself. Refused (the device reads
	 * as gone) wherever the kernel can tell sleeping is not allowed.
	 */
	if (!rkm_net_may_wait())
		return false;
	might_sleep();
	rtnl_lock();
	if (rcu_access_pointer(nd->live))
		return true;
	rtnl_unlock();
	return false;
}

void rkm_net_rtnl_unlock(void)
{
	rtnl_unlock();
}

/*
 * issue 19: the state through a handle. Teardown clears @live and waits
 * for RCU before unregistering, and Rust frees the state only after
 * rkm_net_unregister(): seen live under the read lock, @data stays.
 */
RKM_LEAF const void *rkm_net_h_rcu_data(struct rkm_netdev *nd)
{
	rcu_read_lock();
	if (rcu_dereference(nd->live))
		return nd->data;
	rcu_read_unlock();
	return NULL;
}

RKM_LEAF void rkm_net_h_rcu_unlock(void)
{
	rcu_read_unlock();
}

RKM_LEAF const void *rkm_net_h_data(struct rkm_netdev *nd)
{
	return nd->data;
}

/* --- packets --- */

/* rkm_skb_alloc()'s body, inline in the copy of a received frame too. */
static __always_inline struct sk_buff *rkm_skb_alloc_inline(struct rkm_netdev *nd, uint32_t len,
							    bool in_napi)
{
	if (len > SZ_64K || rkm_fail_injected())
		return NULL;
	if (in_napi && nd->has_napi)
		return napi_alloc_skb(&nd->napi, len);
	return netdev_alloc_skb_ip_align(nd->ndev, len);
}

RKM_LEAF struct rkm_skb *rkm_skb_alloc(struct rkm_netdev *nd, uint32_t len, bool in_napi)
{
	return (struct rkm_skb *)rkm_skb_alloc_inline(nd, len, in_napi);
}

RKM_LEAF void rkm_skb_free(struct rkm_skb *skb)
{
	dev_kfree_skb_any(rkm_kskb(skb));
}

RKM_LEAF void rkm_skb_consume(struct rkm_skb *skb)
{
	dev_consume_skb_any(rkm_kskb(skb));
}

RKM_LEAF void rkm_skb_napi_consume(struct rkm_skb *skb, int budget)
{
	napi_consume_skb(rkm_kskb(skb), budget);
}

RKM_LEAF void rkm_skb_info(struct rkm_skb *rskb, uint32_t *len, uint32_t *headlen,
			   uint32_t *headroom, uint32_t *tailroom, uint32_t *nr_frags)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	*len = skb->len;
	*headlen = skb_headlen(skb);
	*headroom = skb_headroom(skb);
	*tailroom = skb_is_nonlinear(skb) ? 0 : skb_tailroom(skb);
	*nr_frags = skb_shinfo(skb)->nr_frags;
}

RKM_LEAF uint8_t *rkm_skb_data(struct rkm_skb *skb)
{
	return rkm_kskb(skb)->data;
}

RKM_LEAF int rkm_skb_put(struct rkm_skb *rskb, const void *src, uint32_t len)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	/* Only a linear, private packet grows at its tail. */
	if (skb_is_nonlinear(skb) || skb_cloned(skb) || len > skb_tailroom(skb))
		return -ENOSPC;
	if (src)
		skb_put_data(skb, src, len);
	else
		skb_put_zero(skb, len);
	return 0;
}

/* Only a linear, private packet takes what was mapped into its tail room. */
static __always_inline bool rkm_skb_can_put_mapped(struct sk_buff *skb, uint32_t len)
{
	return !skb_is_nonlinear(skb) && !skb_cloned(skb) && len <= skb_tailroom(skb);
}

RKM_LEAF int rkm_skb_put_mapped(struct rkm_skb *rskb, uint32_t len)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	if (!rkm_skb_can_put_mapped(skb, len))
		return -ENOSPC;
	skb_put(skb, len);
	return 0;
}

RKM_LEAF int rkm_skb_pull(struct rkm_skb *rskb, uint32_t len)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	if (len > skb_headlen(skb))
		return -EINVAL;
	__skb_pull(skb, len);
	return 0;
}

RKM_LEAF int rkm_skb_trim(struct rkm_skb *rskb, uint32_t len)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	if (len > skb->len)
		return -EINVAL;
	return pskb_trim(skb, len) ? -ENOMEM : 0;
}

RKM_LEAF int rkm_skb_copy(struct rkm_skb *rskb, uint32_t off, void *buf, uint32_t len,
			  bool to_skb)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	if (off > skb->len || len > skb->len - off)
		return -EINVAL;
	if (!to_skb)
		return skb_copy_bits(skb, off, buf, len) ? -EINVAL : 0;
	/* Shared data (a clone's, a page a socket still holds) is copied first. */
	if (skb_ensure_writable(skb, skb->len) || skb_linearize(skb))
		return -ENOMEM;
	return skb_store_bits(skb, off, buf, len) ? -EINVAL : 0;
}

RKM_LEAF int rkm_skb_writable(struct rkm_skb *rskb)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	return 0;
}

RKM_LEAF void rkm_skb_set_csum(struct rkm_skb *skb, int csum)
{
	rkm_kskb(skb)->ip_summed = csum == RKM_NET_CSUM_UNNECESSARY ? CHECKSUM_UNNECESSARY :
				   CHECKSUM_NONE;
}

RKM_LEAF int rkm_skb_csum(struct rkm_skb *skb)
{
	switch (rkm_kskb(skb)->ip_summed) {
	case CHECKSUM_NONE:
		return RKM_NET_CSUM_NONE;
	case CHECKSUM_UNNECESSARY:
		return RKM_NET_CSUM_UNNECESSARY;
	default:
		return RKM_NET_CSUM_OTHER;
	}
}

RKM_LEAF uint16_t rkm_skb_protocol(struct rkm_skb *skb)
{
	return ntohs(rkm_kskb(skb)->protocol);
}

/* rkm_net_receive()'s body, inline in rkm_skb_receive_copy() too. */
static __always_inline void rkm_net_receive_inline(struct rkm_netdev *nd, struct sk_buff *skb,
						   bool in_napi)
{
	/* eth_type_trans() reads a whole header from the linear part. */
	if (unlikely(skb_headlen(skb) < ETH_HLEN)) {
		dev_core_stats_rx_dropped_inc(nd->ndev);
		dev_kfree_skb_any(skb);
		return;
	}
	/*
	 * Soundness: netif_rx() out of interrupt context enables bottom halves
	 * again and runs the softirqs, which turn interrupts on: with interrupts
	 * off there (a SpinLockIrq held in a process-context callback or
	 * with_rtnl, netpoll's zero-budget poll) the caller's critical section
	 * would be opened to interrupts. Dropped and counted instead: C cannot
	 * do it either (__local_bh_enable_ip() warns).
	 */
	if (unlikely(!(in_napi && nd->has_napi) && irqs_disabled() && !in_interrupt())) {
		dev_core_stats_rx_dropped_inc(nd->ndev);
		dev_kfree_skb_any(skb);
		return;
	}
	skb->protocol = eth_type_trans(skb, nd->ndev);
	if (in_napi && nd->has_napi)
		napi_gro_receive(&nd->napi, skb);
	else
		netif_rx(skb);
}

RKM_LEAF void rkm_net_receive(struct rkm_netdev *nd, struct rkm_skb *skb, bool in_napi)
{
	rkm_net_receive_inline(nd, rkm_kskb(skb), in_napi);
}

/* --- DMA of packets --- */

/* Where a mapped packet dropped early waits for its device's quiesce. */
struct rkm_skb_cb {
	struct rkm_binding *b;
	struct rkm_skb_frags *frags;
	dma_addr_t addr;
	u32 len;
	enum dma_data_direction dir;
};
static_assert(sizeof(struct rkm_skb_cb) <= sizeof_field(struct sk_buff, cb));

static DEFINE_SPINLOCK(rkm_skb_deferred_lock);
static struct sk_buff *rkm_skb_deferred;

RKM_LEAF int rkm_skb_map(struct rkm_netdev *nd, struct rkm_skb *rskb, uint32_t len, int dir,
			 uint64_t *addr)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	struct device *dev = nd->b->dev;
	enum dma_data_direction d;
	dma_addr_t a;

	if (rkm_dma_dir(dir, &d))
		return -EINVAL;
	/*
	 * Soundness: the device writes what is mapped for it to write; a packet
	 * the stack handed over may share its data with clones (TCP's
	 * retransmit queue, a packet socket's copy), which must never see that
	 * write: made private first, as every CPU write path does.
	 */
	if (d != DMA_TO_DEVICE && skb_unclone(skb, GFP_ATOMIC))
		return -ENOMEM;
	if (!len || len > skb_headlen(skb) + (skb_is_nonlinear(skb) ? 0 : skb_tailroom(skb)))
		return -EINVAL;
	if (READ_ONCE(nd->b->quiesced))
		return -ENODEV;
	a = dma_map_single(dev, skb->data, len, d);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	rkm_net_get(nd);
	*addr = a;
	return 0;
}

/* rkm_skb_copy_rx()'s body, inline in rkm_skb_receive_copy() too. */
static __always_inline struct sk_buff *rkm_skb_copy_rx_inline(struct rkm_netdev *nd,
							      struct sk_buff *src, uint64_t addr,
							      uint32_t maplen, uint32_t len,
							      bool in_napi)
{
	struct device *dev = nd->b->dev;
	struct sk_buff *dst;

	if (!len || len > maplen)
		return NULL;
	dst = rkm_skb_alloc_inline(nd, len, in_napi);
	if (!dst)
		return NULL;
	dma_sync_single_for_cpu(dev, addr, len, DMA_FROM_DEVICE);
	skb_put_data(dst, src->data, len);
	dma_sync_single_for_device(dev, addr, len, DMA_FROM_DEVICE);
	return dst;
}

RKM_LEAF struct rkm_skb *rkm_skb_copy_rx(struct rkm_netdev *nd, struct rkm_skb *skb,
					 uint64_t addr, uint32_t maplen, uint32_t len,
					 bool in_napi)
{
	return (struct rkm_skb *)rkm_skb_copy_rx_inline(nd, rkm_kskb(skb), addr, maplen, len,
							in_napi);
}

/* rkm_skb_receive_copy()'s body: @in_napi a constant in each caller. */
static __always_inline int rkm_skb_receive_copy_inline(struct rkm_netdev *nd, struct sk_buff *src,
						       uint64_t addr, uint32_t maplen, uint32_t len,
						       uint32_t flags, bool in_napi)
{
	struct sk_buff *dst = rkm_skb_copy_rx_inline(nd, src, addr, maplen, len, in_napi);

	if (!dst)
		return -ENOMEM;
	if (flags & RKM_NET_RX_CSUM_UNNECESSARY)
		dst->ip_summed = CHECKSUM_UNNECESSARY;
	rkm_net_receive_inline(nd, dst, in_napi);
	return 0;
}

/* Outside a NAPI poll (netpoll's zero budget): out of the poll's path. */
static noinline int rkm_skb_receive_copy_slow(struct rkm_netdev *nd, struct sk_buff *src,
					      uint64_t addr, uint32_t maplen, uint32_t len,
					      uint32_t flags)
{
	return rkm_skb_receive_copy_inline(nd, src, addr, maplen, len, flags,
					   flags & RKM_NET_RX_NAPI);
}

/*
 * Every short frame of a poll comes here: the length checked first
 * (EINVAL), then the NAPI path with in_napi a constant, so that its
 * branches fold and it saves no more registers than it uses.
 */
RKM_LEAF int rkm_skb_receive_copy(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
				  uint32_t maplen, uint32_t len, uint32_t flags)
{
	if (unlikely(!len || len > maplen))
		return -EINVAL;
	if (unlikely(!(flags & RKM_NET_RX_NAPI) || !nd->has_napi))
		return rkm_skb_receive_copy_slow(nd, rkm_kskb(skb), addr, maplen, len, flags);
	return rkm_skb_receive_copy_inline(nd, rkm_kskb(skb), addr, maplen, len, flags, true);
}

/* The glue's table of a packet's mapped fragments. */
struct rkm_skb_frags {
	u32 n;
	struct rkm_skb_seg seg[];
};

RKM_LEAF const struct rkm_skb_seg *rkm_skb_frags_segs(const struct rkm_skb_frags *frags,
						       uint32_t *n)
{
	*n = frags->n;
	return frags->seg;
}

static void rkm_skb_unmap_frags(struct device *dev, struct rkm_skb_frags *f, u32 n)
{
	while (n--)
		dma_unmap_page(dev, f->seg[n].addr, f->seg[n].len, DMA_TO_DEVICE);
	kfree(f);
}

/* rkm_skb_map_tx()'s body, inline in rkm_skb_map_tx_offload() too (one call a packet). */
static __always_inline int rkm_skb_map_tx_inline(struct rkm_netdev *nd, struct rkm_skb *rskb,
						 uint64_t *addr, uint32_t *len,
						 struct rkm_skb_frags **frags)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	struct device *dev = nd->b->dev;
	struct skb_shared_info *sh;
	struct rkm_skb_frags *f = NULL;
	u32 head, i;
	dma_addr_t a = 0;

	if (!skb->len)
		return -EINVAL;
	/* A frag list (the stack's only with NETIF_F_FRAGLIST, never offered). */
	if (skb_has_frag_list(skb) && skb_linearize(skb))
		return -ENOMEM;
	if (READ_ONCE(nd->b->quiesced))
		return -ENODEV;
	sh = skb_shinfo(skb);
	head = skb_headlen(skb);
	if (head) {
		a = dma_map_single(dev, skb->data, head, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, a))
			return -ENOMEM;
	}
	if (sh->nr_frags) {
		f = kmalloc(struct_size(f, seg, sh->nr_frags), GFP_ATOMIC);
		if (!f)
			goto unmap;
		f->n = sh->nr_frags;
		for (i = 0; i < sh->nr_frags; i++) {
			const skb_frag_t *frag = &sh->frags[i];
			dma_addr_t fa = skb_frag_dma_map(dev, frag, 0, skb_frag_size(frag),
							 DMA_TO_DEVICE);

			if (dma_mapping_error(dev, fa)) {
				rkm_skb_unmap_frags(dev, f, i);
				goto unmap;
			}
			f->seg[i].addr = fa;
			f->seg[i].len = skb_frag_size(frag);
			f->seg[i].reserved = 0;
		}
	}
	rkm_net_get(nd);
	*addr = a;
	*len = head;
	*frags = f;
	return 0;
unmap:
	if (head)
		dma_unmap_single(dev, a, head, DMA_TO_DEVICE);
	return -ENOMEM;
}

RKM_LEAF int rkm_skb_map_tx(struct rkm_netdev *nd, struct rkm_skb *rskb, uint64_t *addr,
			    uint32_t *len, struct rkm_skb_frags **frags)
{
	return rkm_skb_map_tx_inline(nd, rskb, addr, len, frags);
}

static void rkm_skb_unmap_all(struct device *dev, dma_addr_t addr, u32 len,
			      enum dma_data_direction d, struct rkm_skb_frags *frags)
{
	if (len)
		dma_unmap_single(dev, addr, len, d);
	if (frags)
		rkm_skb_unmap_frags(dev, frags, frags->n);
}

RKM_LEAF int rkm_skb_receive_mapped(struct rkm_netdev *nd, struct rkm_skb *rskb, uint64_t addr,
				    uint32_t maplen, uint32_t len, uint32_t flags)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	int err = 0;

	dma_unmap_single(nd->b->dev, addr, maplen, DMA_FROM_DEVICE);
	/* Only what the device could write becomes data (as SkbMapping::unmap_rx). */
	if (unlikely(len > maplen || skb->len > maplen - len ||
		     !rkm_skb_can_put_mapped(skb, len))) {
		dev_kfree_skb_any(skb);
		err = -EINVAL;
	} else {
		skb_put(skb, len);
		skb->ip_summed = flags & RKM_NET_RX_CSUM_UNNECESSARY ? CHECKSUM_UNNECESSARY :
								       CHECKSUM_NONE;
		rkm_net_receive_inline(nd, skb, flags & RKM_NET_RX_NAPI);
	}
	/* The mapping's reference, after the last use of @nd here. */
	rkm_net_put(nd);
	return err;
}

RKM_LEAF void rkm_skb_unmap(struct rkm_netdev *nd, struct rkm_skb *skb, uint64_t addr,
			    uint32_t len, int dir, struct rkm_skb_frags *frags)
{
	enum dma_data_direction d = DMA_BIDIRECTIONAL;

	rkm_dma_dir(dir, &d);
	rkm_skb_unmap_all(nd->b->dev, addr, len, d, frags);
	rkm_net_put(nd);
}

RKM_LEAF void rkm_skb_unmap_free(struct rkm_netdev *nd, struct rkm_skb *rskb, uint64_t addr,
				 uint32_t len, int dir, struct rkm_skb_frags *frags)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	struct rkm_skb_cb *cb = (struct rkm_skb_cb *)skb->cb;
	struct rkm_binding *b = nd->b;
	unsigned long flags;

	/* Read under the lock: the device core sets it before rkm_net_quiesced() takes it. */
	spin_lock_irqsave(&rkm_skb_deferred_lock, flags);
	if (!READ_ONCE(b->quiesced)) {
		kref_get(&b->ref);
		cb->b = b;
		cb->frags = frags;
		cb->addr = addr;
		cb->len = len;
		cb->dir = DMA_BIDIRECTIONAL;
		rkm_dma_dir(dir, &cb->dir);
		skb->next = rkm_skb_deferred;
		rkm_skb_deferred = skb;
		spin_unlock_irqrestore(&rkm_skb_deferred_lock, flags);
		rkm_net_put(nd);
		return;
	}
	spin_unlock_irqrestore(&rkm_skb_deferred_lock, flags);
	rkm_skb_unmap(nd, rskb, addr, len, dir, frags);
	dev_kfree_skb_any(skb);
}

/* --- transmit offloads --- */

RKM_LEAF int rkm_skb_tx_offload(struct rkm_skb *rskb, struct rkm_net_offload *o)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	unsigned int type, hdr, l3, l4;
	int err;

	memset(o, 0, sizeof(*o));
	if (skb->ip_summed != CHECKSUM_PARTIAL)
		return 0;
	l3 = skb_network_offset(skb);
	l4 = skb_checksum_start_offset(skb);
	if (!skb_is_gso(skb)) {
		__be16 proto = vlan_get_protocol(skb);

		if (l4 + skb->csum_offset + sizeof(__sum16) > skb->len)
			return -EINVAL;
		o->kind = RKM_NET_OFFLOAD_CSUM;
		o->l3 = l3;
		o->l4 = l4;
		o->l4_csum = l4 + skb->csum_offset;
		/* As e1000_tx_csum() tells TCP from the rest; headers in the head only. */
		if (proto == htons(ETH_P_IP) && l3 + sizeof(struct iphdr) <= skb_headlen(skb))
			o->tcp = ip_hdr(skb)->protocol == IPPROTO_TCP;
		else if (proto == htons(ETH_P_IPV6) && l3 + sizeof(struct ipv6hdr) <= skb_headlen(skb))
			o->tcp = ipv6_hdr(skb)->nexthdr == IPPROTO_TCP;
		return 0;
	}
	type = skb_shinfo(skb)->gso_type;
	if (!(type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)))
		return -EINVAL;
	/* The TCP header's own length (doff) is read from the head only. */
	if (l4 != skb_transport_offset(skb) || l4 + sizeof(struct tcphdr) > skb_headlen(skb))
		return -EINVAL;
	hdr = skb_tcp_all_headers(skb);
	if (hdr > skb_headlen(skb) || hdr >= skb->len ||
	    ((type & SKB_GSO_TCPV4) && l3 + sizeof(struct iphdr) > l4))
		return -EINVAL;
	/* Soundness: the headers written below may be shared with clones (TCP's retransmit queue). */
	err = skb_cow_head(skb, 0);
	if (err)
		return err;
	if (type & SKB_GSO_TCPV4) {
		struct iphdr *iph = ip_hdr(skb);

		iph->tot_len = 0;
		iph->check = 0;
		tcp_hdr(skb)->check = ~csum_tcpudp_magic(iph->saddr, iph->daddr, 0, IPPROTO_TCP, 0);
		o->kind = RKM_NET_OFFLOAD_TSO4;
		o->l3_csum = l3 + offsetof(struct iphdr, check);
	} else {
		tcp_v6_gso_csum_prep(skb);
		o->kind = RKM_NET_OFFLOAD_TSO6;
	}
	o->l3 = l3;
	o->l4 = l4;
	o->l4_csum = l4 + offsetof(struct tcphdr, check);
	o->hdr_len = hdr;
	o->mss = skb_shinfo(skb)->gso_size;
	o->payload = skb->len - hdr;
	o->segs = skb_shinfo(skb)->gso_segs;
	o->tcp = 1;
	return 0;
}

RKM_LEAF int rkm_skb_map_tx_offload(struct rkm_netdev *nd, struct rkm_skb *skb,
				    struct rkm_net_offload *o, uint64_t *addr, uint32_t *len,
				    struct rkm_skb_frags **frags)
{
	int err = rkm_skb_tx_offload(skb, o);

	return err ? err : rkm_skb_map_tx_inline(nd, skb, addr, len, frags);
}

RKM_LEAF int rkm_skb_checksum_help(struct rkm_skb *skb)
{
	return skb_checksum_help(rkm_kskb(skb));
}

/*
 * rkm_net_class's hook: @b can no longer master the bus (device.c's quiesce):
 * free what waited for it.
 */
static void rkm_net_quiesced(struct rkm_binding *b)
{
	struct sk_buff *skb, **p, *mine = NULL;
	unsigned long flags;

	spin_lock_irqsave(&rkm_skb_deferred_lock, flags);
	for (p = &rkm_skb_deferred; (skb = *p);) {
		if (((struct rkm_skb_cb *)skb->cb)->b == b) {
			*p = skb->next;
			skb->next = mine;
			mine = skb;
		} else {
			p = &skb->next;
		}
	}
	spin_unlock_irqrestore(&rkm_skb_deferred_lock, flags);
	while ((skb = mine)) {
		struct rkm_skb_cb *cb = (struct rkm_skb_cb *)skb->cb;

		mine = skb->next;
		skb->next = NULL;
		rkm_skb_unmap_all(b->dev, cb->addr, cb->len, cb->dir, cb->frags);
		memset(skb->cb, 0, sizeof(skb->cb));
		dev_kfree_skb_any(skb);
		rkm_binding_put(b);
	}
}

/* --- probes for the crate's in-kernel tests (rust/src/net/hostile_ktests.rs) --- */

RKM_LEAF bool rkm_net_ktest_tx_sharing(struct rkm_netdev *nd)
{
	return nd->ndev->priv_flags & IFF_TX_SKB_SHARING;
}

RKM_LEAF int rkm_net_ktest_eeprom(struct rkm_netdev *nd, uint32_t offset, uint32_t len,
				  uint8_t *buf, uint32_t *size, uint32_t *magic)
{
	const struct ethtool_ops *et = nd->ndev->ethtool_ops;
	struct ethtool_eeprom ee = { .cmd = ETHTOOL_GEEPROM, .offset = offset, .len = len };
	int r;

	/* Through the device's own table, as the core: none there, EOPNOTSUPP. */
	if (!et->get_eeprom_len || !et->get_eeprom) {
		*size = 0;
		*magic = 0;
		return -EOPNOTSUPP;
	}
	rtnl_lock();
	*size = et->get_eeprom_len(nd->ndev);
	r = et->get_eeprom(nd->ndev, &ee, buf);
	rtnl_unlock();
	*magic = ee.magic;
	return r;
}

RKM_LEAF struct rkm_skb *rkm_skb_ktest_clone(struct rkm_skb *skb)
{
	return (struct rkm_skb *)skb_clone(rkm_kskb(skb), GFP_ATOMIC);
}

RKM_LEAF int rkm_skb_ktest_add_frag(struct rkm_skb *rskb, uint32_t len)
{
	struct sk_buff *skb = rkm_kskb(rskb);
	struct page *page;

	if (len > PAGE_SIZE || skb_shinfo(skb)->nr_frags >= MAX_SKB_FRAGS)
		return -EINVAL;
	page = alloc_page(GFP_ATOMIC | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, 0, len, PAGE_SIZE);
	return 0;
}

RKM_LEAF void rkm_skb_ktest_offload(struct rkm_skb *rskb, int kind, uint32_t start,
				    uint32_t offset)
{
	struct sk_buff *skb = rkm_kskb(rskb);

	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + start;
	skb->csum_offset = kind ? offsetof(struct tcphdr, check) : offset;
	skb_set_network_header(skb, ETH_HLEN);
	skb_set_transport_header(skb, start);
	if (kind) {
		skb->protocol = htons(ETH_P_IP);
		skb_shinfo(skb)->gso_size = 1000;
		skb_shinfo(skb)->gso_segs = DIV_ROUND_UP(skb->len - start - sizeof(struct tcphdr), 1000);
		skb_shinfo(skb)->gso_type = kind == 1 ? SKB_GSO_TCPV4 : SKB_GSO_UDP_L4;
	}
}
#else
static inline void rkm_net_free(void)
{
}
#endif /* RKM_GLUE_NET */
