/*
 * Network definitions: libvirt's network XML, parsed into struct net_def and
 * formatted back. Parse and format are mirrors; whatever the XML holds that
 * we do not support is refused with its name and line (xml-util.h).
 *
 * Supported: <name>, <uuid>, <forward mode= dev=> (nat, route, open,
 * bridge; absent: an isolated network) with <nat><port start= end=/>,
 * <bridge name= stp= delay=>, <mtu size=>, <mac address=>,
 * <domain name= localOnly=>, <dns><host ip=><hostname>..., and one IPv4
 * <ip address= netmask=|prefix=> with <dhcp><range start= end=/> and
 * <host mac= name= ip=/>, plus one <ip family='ipv6' address= prefix=>
 * with <dhcp><range start= end=/> (router advertisements always; DHCPv6
 * for the ranges).
 *
 * IPv4 addresses are kept as numbers in host byte order, IPv6 ones as
 * 16 bytes in network order.
 */
#ifndef VR_NET_DEF_H
#define VR_NET_DEF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "util.h"
#include "xmalloc.h"

enum net_forward {
	NET_FORWARD_NONE,	/* no <forward>: isolated */
	NET_FORWARD_NAT,
	NET_FORWARD_ROUTE,
	NET_FORWARD_OPEN,
	NET_FORWARD_BRIDGE,	/* an existing host bridge */
	NET_FORWARD_LAST
};
VR_ENUM_DECL(net_forward);

struct net_dhcp_range {
	uint32_t	 start;
	uint32_t	 end;
};

struct net_dhcp_range6 {
	unsigned char	 start[16];
	unsigned char	 end[16];
};

struct net_dhcp_host {
	bool		 has_mac;
	unsigned char	 mac[6];
	char		*name;		/* NULL: none */
	uint32_t	 ip;
};

struct net_dns_host {
	uint32_t	 ip;
	char		**hostnames;
	size_t		 nhostnames;
};

/* <forwarder domain= addr=/>: neither NULL/unset both. */
struct net_dns_forwarder {
	char		*domain;	/* NULL: every name */
	bool		 has_addr;	/* false: domain answered locally */
	uint32_t	 addr;
};

struct net_def {
	char			*name;
	unsigned char		 uuid[16];	/* generated if absent */

	enum net_forward	 forward;
	char			*forward_dev;	/* <forward dev=> */
	unsigned int		 nat_port_start;	/* 0: unset */
	unsigned int		 nat_port_end;
	uint32_t		 nat_addr_start;	/* 0: masquerade */
	uint32_t		 nat_addr_end;

	char			*bridge;	/* NULL: the driver picks */
	bool			 stp;		/* default on */
	unsigned int		 delay;		/* forward delay, seconds */
	unsigned int		 mtu;		/* 0: unset */
	bool			 has_mac;
	unsigned char		 mac[6];	/* generated unless bridge mode */

	char			*domain;	/* DNS domain */
	bool			 domain_local_only;
	struct net_dns_host	*dns_hosts;
	size_t			 ndns_hosts;
	struct net_dns_forwarder *forwarders;
	size_t			 nforwarders;
	bool			 forward_plain_names;	/* default yes */

	bool			 has_ip;
	bool			 ip_netmask;	/* written as netmask=, not prefix= */
	uint32_t		 ip;		/* the bridge's address */
	unsigned int		 prefix;
	struct net_dhcp_range	*ranges;
	size_t			 nranges;
	struct net_dhcp_host	*hosts;
	size_t			 nhosts;

	bool			 has_ip6;
	unsigned char		 ip6[16];	/* the bridge's IPv6 address */
	unsigned int		 prefix6;
	struct net_dhcp_range6	*ranges6;
	size_t			 nranges6;
};

/* net_def_parse_string flags */
#define NET_PARSE_VALIDATE	0x1	/* network.rng, see vr_xml_set_schema_dir */

/*
 * Parse a network from a string; NULL with vr_error set (VR_ERR_XML, with
 * the line, as for domains). Generates the UUID and, except in bridge
 * mode, the bridge MAC when absent; runs net_def_validate().
 */
struct net_def	*net_def_parse_string(const char *xml, unsigned int flags);
struct net_def	*net_def_parse_file(const char *path, unsigned int flags);
int		 net_def_validate(const struct net_def *);
/* Caller frees. */
char		*net_def_format(const struct net_def *);
struct net_def	*net_def_copy(const struct net_def *);
void		 net_def_free(struct net_def *);
VR_DEFINE_AUTO(net_def)

/*
 * One DHCP <host mac= name= ip=/> element, as net-update passes it; the
 * address must lie in def's subnet. 0 or -1 with VR_ERR_XML.
 */
int		 net_dhcp_host_parse(const struct net_def *def,
		    const char *xml, struct net_dhcp_host *);
void		 net_dhcp_host_clear(struct net_dhcp_host *);
void		 net_dhcp_host_format(struct vr_buf *,
		    const struct net_dhcp_host *);

/* IPv4 text <-> host-order number. Parse returns 0 or -1 (no error set). */
int		 net_ip_parse(const char *, uint32_t *);
void		 net_ip_format(uint32_t, char buf[16]);
/* The netmask of a prefix length (0..32). */
uint32_t	 net_prefix_mask(unsigned int prefix);
/* IPv6 text <-> 16 bytes; the text is inet_ntop's canonical form. */
int		 net_ip6_parse(const char *, unsigned char ip6[16]);
void		 net_ip6_format(const unsigned char ip6[16], char buf[46]);
/* ip6 with the bits past prefix cleared (the subnet's address). */
void		 net_ip6_subnet(const unsigned char ip6[16], unsigned int prefix,
		    unsigned char out[16]);

#endif
