/*
 * Host interfaces through rtnetlink (libnl-3, libnl-route-3) and
 * /dev/net/tun: bridges, addresses, link state, taps, routes. Never runs
 * ip(8). Each call opens its own netlink socket, so any thread may call.
 *
 * What we create carries an interface alias (IFLA_IFALIAS) saying whose it
 * is: NW_ALIAS_NET "NAME" on a network's bridge, NW_ALIAS_DOM "NAME" on a
 * guest's tap. The kernel thus tells, even after a daemon crash, which
 * interfaces are ours and which guests sit on a bridge.
 */
#ifndef VR_NW_LINK_H
#define VR_NW_LINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NW_ALIAS_NET	"vireo:net:"
#define NW_ALIAS_DOM	"vireo:dom:"

struct nw_bridge_opts {
	const unsigned char	*mac;	/* NULL: the kernel's */
	unsigned int		 mtu;	/* 0: default */
	bool			 stp;
	unsigned int		 delay;	/* seconds */
};

/* 1 exists (its alias copied, "" if none), 0 absent, -1 error. */
int	 nw_link_get(const char *name, char *alias, size_t len);
int	 nw_bridge_create(const char *name, const struct nw_bridge_opts *);
/* Delete an interface; absent is not an error. */
int	 nw_link_delete(const char *name);
/* Up, with an alias unless NULL (the kernel ignores one at creation). */
int	 nw_link_up(const char *name, const char *alias);
int	 nw_addr_add(const char *ifname, uint32_t ip, unsigned int prefix);
/* The same for IPv6 (no duplicate address detection: usable at once). */
int	 nw_addr_add6(const char *ifname, const unsigned char ip6[16],
	    unsigned int prefix);

/*
 * A route of the host (main table, not a default route, not via skip_dev)
 * overlapping ip/prefix: 1 with its description in buf, 0 none, -1 error.
 */
int	 nw_route_overlap(uint32_t ip, unsigned int prefix,
	    const char *skip_dev, char *buf, size_t len);
/*
 * 1 and its interface when the host's IPv6 default route comes from a
 * router advertisement on an interface that would stop honouring them
 * once forwarding is on (accept_ra != 2); 0 if not, -1 on error.
 */
int	 nw_ra_default_route(char *dev, size_t len);
int	 nw_route_overlap6(const unsigned char ip6[16], unsigned int prefix,
	    const char *skip_dev, char *buf, size_t len);

/* The interfaces enslaved to bridge: names and aliases (caller frees). */
int	 nw_bridge_ports(const char *bridge, char ***names, char ***aliases,
	    size_t *n);
void	 nw_strv_free(char **, size_t);

/*
 * A tap: want_name ("vnet%d" lets the kernel number it) opened with
 * IFF_TAP|IFF_NO_PI (and IFF_VNET_HDR if vnet_hdr); *fd O_CLOEXEC, the
 * kernel's name in name. The tap lives as long as an fd does.
 */
int	 nw_tap_open(const char *want_name, bool vnet_hdr, int *fd,
	    char name[IF_NAMESIZE]);
/*
 * Configure a tap: MAC (the guest's with the first byte 0xfe, as libvirt
 * does, so the bridge never takes it), alias, master bridge (NULL: none)
 * with the bridge's MTU, and up.
 */
int	 nw_tap_setup(const char *tap, const unsigned char guest_mac[6],
	    const char *bridge, const char *alias);
/* An interface with the tap MAC of guest_mac: 1 (its name in buf), 0, -1. */
int	 nw_mac_in_use(const unsigned char guest_mac[6], char *buf,
	    size_t len);

#endif
