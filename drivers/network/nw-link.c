/*
 * Host interfaces through rtnetlink (libnl) and /dev/net/tun (nw-link.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "err.h"
#include "log.h"
#include "nw-link.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("network.link");

static struct nl_sock *
nl_open(void)
{
	struct nl_sock *sk;
	int err;

	if ((sk = nl_socket_alloc()) == NULL) {
		vr_error(VR_ERR_SYSTEM, "cannot allocate a netlink socket");
		return NULL;
	}
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		vr_error(VR_ERR_SYSTEM, "cannot connect to rtnetlink: %s",
		    nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

static void
nl_closep(struct nl_sock **sk)
{
	if (*sk != NULL)
		nl_socket_free(*sk);
}
#define NW_AUTO_SOCK	__attribute__((cleanup(nl_closep))) struct nl_sock *

/* The kernel's view of one link; -NLE_* when absent or on error. */
static int
link_get(struct nl_sock *sk, const char *name, struct rtnl_link **link)
{
	*link = NULL;
	return rtnl_link_get_kernel(sk, 0, name, link);
}

static bool
nl_absent(int err)
{
	return err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV;
}

int
nw_link_get(const char *name, char *alias, size_t len)
{
	NW_AUTO_SOCK sk = nl_open();
	struct rtnl_link *link;
	const char *a;
	int err;

	if (sk == NULL)
		return -1;
	if ((err = link_get(sk, name, &link)) < 0) {
		if (nl_absent(err))
			return 0;
		vr_error(VR_ERR_SYSTEM, "cannot look up interface '%s': %s",
		    name, nl_geterror(err));
		return -1;
	}
	a = rtnl_link_get_ifalias(link);
	if (alias != NULL)
		snprintf(alias, len, "%s", a != NULL ? a : "");
	rtnl_link_put(link);
	return 1;
}

/*
 * RTM_NEWLINK for a bridge with its STP options: libnl has no setters for
 * IFLA_BR_*, so the message is built with libnl's attribute helpers.
 */
int
nw_bridge_create(const char *name, const struct nw_bridge_opts *o)
{
	NW_AUTO_SOCK sk = nl_open();
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct nlattr *info, *data;
	struct nl_msg *msg;
	int err = -NLE_NOMEM;

	if (sk == NULL)
		return -1;
	if ((msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE |
	    NLM_F_EXCL)) == NULL)
		goto fail;
	if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, name) < 0 ||
	    (o->mac != NULL && nla_put(msg, IFLA_ADDRESS, 6, o->mac) < 0) ||
	    (o->mtu != 0 && nla_put_u32(msg, IFLA_MTU, o->mtu) < 0) ||
	    (info = nla_nest_start(msg, IFLA_LINKINFO)) == NULL ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
	    (data = nla_nest_start(msg, IFLA_INFO_DATA)) == NULL ||
	    /* clock_t: hundredths of a second */
	    nla_put_u32(msg, IFLA_BR_FORWARD_DELAY, o->delay * 100) < 0 ||
	    nla_put_u32(msg, IFLA_BR_STP_STATE, o->stp ? 1 : 0) < 0)
		goto fail;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	err = nl_send_sync(sk, msg);	/* frees msg */
	msg = NULL;
	if (err >= 0) {
		log_debug("bridge '%s' created", name);
		return 0;
	}
fail:
	nlmsg_free(msg);
	vr_error(err == -NLE_EXIST ? VR_ERR_EXISTS : VR_ERR_SYSTEM,
	    "cannot create bridge '%s': %s", name, nl_geterror(err));
	return -1;
}

int
nw_link_delete(const char *name)
{
	NW_AUTO_SOCK sk = nl_open();
	struct rtnl_link *link;
	int err;

	if (sk == NULL)
		return -1;
	link = rtnl_link_alloc();
	rtnl_link_set_name(link, name);
	err = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	if (err < 0 && !nl_absent(err)) {
		vr_error(VR_ERR_SYSTEM, "cannot delete interface '%s': %s",
		    name, nl_geterror(err));
		return -1;
	}
	if (err == 0)
		log_debug("interface '%s' deleted", name);
	return 0;
}

/* Apply change to the link name (fetched first, as libnl wants). */
static int
link_change(struct nl_sock *sk, const char *name, struct rtnl_link *change,
    const char *what)
{
	struct rtnl_link *orig;
	int err;

	if ((err = link_get(sk, name, &orig)) >= 0) {
		err = rtnl_link_change(sk, orig, change, 0);
		rtnl_link_put(orig);
	}
	if (err < 0) {
		vr_error(VR_ERR_SYSTEM, "cannot %s interface '%s': %s", what,
		    name, nl_geterror(err));
		return -1;
	}
	return 0;
}

int
nw_link_up(const char *name, const char *alias)
{
	NW_AUTO_SOCK sk = nl_open();
	struct rtnl_link *change;
	int rc;

	if (sk == NULL)
		return -1;
	change = rtnl_link_alloc();
	if (alias != NULL)
		rtnl_link_set_ifalias(change, alias);
	rtnl_link_set_flags(change, IFF_UP);
	rc = link_change(sk, name, change, "bring up");
	rtnl_link_put(change);
	return rc;
}

static struct nl_addr *
nl_addr_ipv4(uint32_t ip, unsigned int prefix)
{
	uint32_t be = htonl(ip);
	struct nl_addr *a = nl_addr_build(AF_INET, &be, 4);

	if (a != NULL)
		nl_addr_set_prefixlen(a, (int)prefix);
	return a;
}

/* Add local (and bcast, if not NULL) to ifname; takes both. */
static int
addr_add(const char *ifname, struct nl_addr *local, struct nl_addr *bcast,
    int flags)
{
	NW_AUTO_SOCK sk = nl_open();
	struct rtnl_link *link = NULL;
	struct rtnl_addr *addr;
	int err = 0;

	if (sk == NULL || local == NULL ||
	    (err = link_get(sk, ifname, &link)) < 0) {
		if (err < 0)
			vr_error(VR_ERR_SYSTEM, "cannot look up interface "
			    "'%s': %s", ifname, nl_geterror(err));
		else if (sk != NULL)
			vr_error(VR_ERR_SYSTEM, "out of memory");
		nl_addr_put(local);
		nl_addr_put(bcast);
		return -1;
	}
	addr = rtnl_addr_alloc();
	rtnl_addr_set_ifindex(addr, rtnl_link_get_ifindex(link));
	rtnl_link_put(link);
	rtnl_addr_set_local(addr, local);
	if (bcast != NULL)
		rtnl_addr_set_broadcast(addr, bcast);
	if (flags != 0)
		rtnl_addr_set_flags(addr, (unsigned int)flags);
	err = rtnl_addr_add(sk, addr, 0);
	nl_addr_put(local);
	nl_addr_put(bcast);
	rtnl_addr_put(addr);
	if (err < 0) {
		vr_error(VR_ERR_SYSTEM, "cannot add an address to '%s': %s",
		    ifname, nl_geterror(err));
		return -1;
	}
	return 0;
}

int
nw_addr_add(const char *ifname, uint32_t ip, unsigned int prefix)
{
	uint32_t mask = prefix == 0 ? 0 : ~((1U << (32 - prefix)) - 1);

	return addr_add(ifname, nl_addr_ipv4(ip, prefix),
	    nl_addr_ipv4(prefix < 31 ? (ip | ~mask) : ip, 32), 0);
}

int
nw_addr_add6(const char *ifname, const unsigned char ip6[16],
    unsigned int prefix)
{
	struct nl_addr *a = nl_addr_build(AF_INET6, ip6, 16);

	if (a != NULL)
		nl_addr_set_prefixlen(a, (int)prefix);
	/* No duplicate address detection: the bridge is ours and new. */
	return addr_add(ifname, a, NULL, IFA_F_NODAD);
}

/* Routes */

struct route_scan {
	int		 family;
	unsigned char	 addr[16];	/* network order */
	unsigned int	 plen;
	const char	*skip_dev;
	struct nl_cache	*links;
	char		*buf;
	size_t		 len;
	bool		 found;
};

/* The first bits of a and b agree. */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b,
    unsigned int bits)
{
	unsigned int whole = bits / 8, rest = bits % 8;
	unsigned char m = (unsigned char)(0xff << (8 - rest));

	if (memcmp(a, b, whole) != 0)
		return false;
	return rest == 0 || ((a[whole] ^ b[whole]) & m) == 0;
}

static void
route_check(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct route_scan *rs = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	unsigned int plen, alen = rs->family == AF_INET ? 4 : 16;
	char dev[IF_NAMESIZE] = "?", text[INET6_ADDRSTRLEN];

	if (rs->found || dst == NULL || rtnl_route_get_table(r) !=
	    RT_TABLE_MAIN || rtnl_route_get_family(r) != rs->family ||
	    nl_addr_get_len(dst) != alen ||
	    rtnl_route_get_type(r) != RTN_UNICAST)
		return;
	if ((plen = nl_addr_get_prefixlen(dst)) == 0)
		return;		/* a default route overlaps everything */
	if (plen > 8 * alen)
		plen = 8 * alen;
	/* the shorter prefix decides */
	if (!prefix_equal(nl_addr_get_binary_addr(dst), rs->addr,
	    plen < rs->plen ? plen : rs->plen))
		return;
	if (rtnl_route_get_nnexthops(r) > 0 &&
	    (nh = rtnl_route_nexthop_n(r, 0)) != NULL)
		rtnl_link_i2name(rs->links, rtnl_route_nh_get_ifindex(nh), dev,
		    sizeof dev);
	if (rs->skip_dev != NULL && strcmp(dev, rs->skip_dev) == 0)
		return;
	inet_ntop(rs->family, nl_addr_get_binary_addr(dst), text,
	    sizeof text);
	snprintf(rs->buf, rs->len, "%s/%u dev %s", text, plen, dev);
	rs->found = true;
}

static int
route_overlap(int family, const void *addr, unsigned int prefix,
    const char *skip_dev, char *buf, size_t len)
{
	NW_AUTO_SOCK sk = nl_open();
	struct nl_cache *routes = NULL;
	struct route_scan rs = { 0 };
	int err;

	if (sk == NULL)
		return -1;
	rs.family = family;
	memcpy(rs.addr, addr, family == AF_INET ? 4 : 16);
	rs.plen = prefix;
	rs.skip_dev = skip_dev;
	rs.buf = buf;
	rs.len = len;
	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &rs.links)) < 0 ||
	    (err = rtnl_route_alloc_cache(sk, family, 0, &routes)) < 0) {
		if (rs.links != NULL)
			nl_cache_free(rs.links);
		vr_error(VR_ERR_SYSTEM, "cannot read the routing table: %s",
		    nl_geterror(err));
		return -1;
	}
	nl_cache_foreach(routes, route_check, &rs);
	nl_cache_free(routes);
	nl_cache_free(rs.links);
	return rs.found ? 1 : 0;
}

int
nw_route_overlap(uint32_t ip, unsigned int prefix, const char *skip_dev,
    char *buf, size_t len)
{
	uint32_t be = htonl(ip);

	return route_overlap(AF_INET, &be, prefix, skip_dev, buf, len);
}

int
nw_route_overlap6(const unsigned char ip6[16], unsigned int prefix,
    const char *skip_dev, char *buf, size_t len)
{
	return route_overlap(AF_INET6, ip6, prefix, skip_dev, buf, len);
}

/* A default IPv6 route learned from a router advertisement. */
struct ra_scan {
	struct nl_cache	*links;
	char		*dev;
	size_t		 len;
	bool		 found;
};

static void
ra_check(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct ra_scan *rs = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	char path[128], dev[IF_NAMESIZE] = "";
	VR_AUTOFREE char *v = NULL;

	if (rs->found || rtnl_route_get_protocol(r) != RTPROT_RA ||
	    (dst != NULL && nl_addr_get_prefixlen(dst) != 0) ||
	    rtnl_route_get_nnexthops(r) == 0 ||
	    (nh = rtnl_route_nexthop_n(r, 0)) == NULL ||
	    rtnl_link_i2name(rs->links, rtnl_route_nh_get_ifindex(nh), dev,
	    sizeof dev) == NULL)
		return;
	snprintf(path, sizeof path, "/proc/sys/net/ipv6/conf/%s/accept_ra",
	    dev);
	if ((v = vr_file_read(path, 16, NULL)) != NULL && v[0] == '2')
		return;		/* RAs honoured even when forwarding */
	snprintf(rs->dev, rs->len, "%s", dev);
	rs->found = true;
}

int
nw_ra_default_route(char *dev, size_t len)
{
	NW_AUTO_SOCK sk = nl_open();
	struct nl_cache *routes = NULL;
	struct ra_scan rs = { .dev = dev, .len = len };
	int err;

	if (sk == NULL)
		return -1;
	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, &rs.links)) < 0 ||
	    (err = rtnl_route_alloc_cache(sk, AF_INET6, 0, &routes)) < 0) {
		if (rs.links != NULL)
			nl_cache_free(rs.links);
		vr_error(VR_ERR_SYSTEM, "cannot read the routing table: %s",
		    nl_geterror(err));
		return -1;
	}
	nl_cache_foreach(routes, ra_check, &rs);
	nl_cache_free(routes);
	nl_cache_free(rs.links);
	return rs.found ? 1 : 0;
}

/* Links */

static int
link_cache(struct nl_sock *sk, struct nl_cache **cache)
{
	int err;

	if ((err = rtnl_link_alloc_cache(sk, AF_UNSPEC, cache)) < 0) {
		vr_error(VR_ERR_SYSTEM, "cannot list interfaces: %s",
		    nl_geterror(err));
		return -1;
	}
	return 0;
}

void
nw_strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

int
nw_bridge_ports(const char *bridge, char ***names, char ***aliases,
    size_t *n)
{
	NW_AUTO_SOCK sk = nl_open();
	struct nl_cache *cache;
	struct nl_object *o;
	struct rtnl_link *br, *l;
	const char *a;
	int idx;

	*names = *aliases = NULL;
	*n = 0;
	if (sk == NULL || link_cache(sk, &cache) < 0)
		return -1;
	if ((br = rtnl_link_get_by_name(cache, bridge)) == NULL) {
		nl_cache_free(cache);
		return 0;
	}
	idx = rtnl_link_get_ifindex(br);
	rtnl_link_put(br);
	for (o = nl_cache_get_first(cache); o != NULL;
	    o = nl_cache_get_next(o)) {
		l = (struct rtnl_link *)o;
		if (rtnl_link_get_master(l) != idx)
			continue;
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		*aliases = xreallocarray(*aliases, *n + 1, sizeof **aliases);
		a = rtnl_link_get_ifalias(l);
		(*names)[*n] = xstrdup(rtnl_link_get_name(l));
		(*aliases)[(*n)++] = xstrdup(a != NULL ? a : "");
	}
	nl_cache_free(cache);
	return 0;
}

/* Taps */

int
nw_tap_open(const char *want_name, bool vnet_hdr, int *fdp,
    char name[IF_NAMESIZE])
{
	struct ifreq ifr = { 0 };
	int fd;

	if (strlen(want_name) >= IF_NAMESIZE) {
		vr_error(VR_ERR_INVALID_ARG, "tap name '%s' is too long",
		    want_name);
		return -1;
	}
	if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot open /dev/net/tun");
		return -1;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | (vnet_hdr ? IFF_VNET_HDR : 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", want_name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		vr_error_system(errno, "cannot create tap '%s'", want_name);
		close(fd);
		return -1;
	}
	snprintf(name, IF_NAMESIZE, "%s", ifr.ifr_name);
	*fdp = fd;
	return 0;
}

int
nw_tap_setup(const char *tap, const unsigned char guest_mac[6],
    const char *bridge, const char *alias)
{
	NW_AUTO_SOCK sk = nl_open();
	struct rtnl_link *change, *br = NULL;
	struct nl_addr *addr;
	unsigned char mac[6];
	int rc, err;

	if (sk == NULL)
		return -1;
	if (bridge != NULL && (err = link_get(sk, bridge, &br)) < 0) {
		vr_error(nl_absent(err) ? VR_ERR_NO_NETWORK : VR_ERR_SYSTEM,
		    "bridge '%s' %s", bridge, nl_absent(err) ?
		    "does not exist" : nl_geterror(err));
		return -1;
	}
	memcpy(mac, guest_mac, 6);
	mac[0] = 0xfe;
	change = rtnl_link_alloc();
	addr = nl_addr_build(AF_LLC, mac, 6);
	rtnl_link_set_addr(change, addr);
	if (alias != NULL)
		rtnl_link_set_ifalias(change, alias);
	if (br != NULL) {
		rtnl_link_set_master(change, rtnl_link_get_ifindex(br));
		rtnl_link_set_mtu(change, rtnl_link_get_mtu(br));
		rtnl_link_put(br);
	}
	rtnl_link_set_flags(change, IFF_UP);
	rc = link_change(sk, tap, change, "configure");
	nl_addr_put(addr);
	rtnl_link_put(change);
	return rc;
}

int
nw_mac_in_use(const unsigned char guest_mac[6], char *buf, size_t len)
{
	NW_AUTO_SOCK sk = nl_open();
	struct nl_cache *cache;
	struct nl_object *o;
	struct nl_addr *a;
	unsigned char mac[6];
	int found = 0;

	if (sk == NULL || link_cache(sk, &cache) < 0)
		return -1;
	memcpy(mac, guest_mac, 6);
	mac[0] = 0xfe;
	for (o = nl_cache_get_first(cache); o != NULL && !found;
	    o = nl_cache_get_next(o)) {
		a = rtnl_link_get_addr((struct rtnl_link *)o);
		if (a != NULL && nl_addr_get_len(a) == 6 &&
		    memcmp(nl_addr_get_binary_addr(a), mac, 6) == 0) {
			snprintf(buf, len, "%s",
			    rtnl_link_get_name((struct rtnl_link *)o));
			found = 1;
		}
	}
	nl_cache_free(cache);
	return found;
}
