/*
 * What a network's helpers are given, generated from its definition: the
 * dnsmasq configuration and its hosts files, and the nftables ruleset.
 * Pure: no I/O, deterministic (golden tests in tests/netxml2conf).
 */
#ifndef VR_NW_CONF_H
#define VR_NW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net-def.h"

/* Where a network's dnsmasq keeps its files. */
struct nw_dnsmasq_paths {
	const char	*pid_file;
	const char	*lease_file;
	const char	*hosts_file;	/* dhcp-hostsfile */
	const char	*addn_hosts;	/* addn-hosts */
	const char	*user;		/* dnsmasq drops root for this user */
};

/* Whether the network runs a dnsmasq (it has an address). */
bool	 nw_conf_needs_dnsmasq(const struct net_def *);
/* Whether it needs IPv4 forwarding (nat, route, open). */
/* Whether the network needs the host to forward family 4 or 6. */
bool	 nw_conf_needs_forwarding(const struct net_def *, int family);

/* dnsmasq --conf-file contents. Caller frees. */
char	*nw_conf_dnsmasq(const struct net_def *,
	    const struct nw_dnsmasq_paths *);
/* dhcp-hostsfile lines: "MAC,IP[,NAME]" or "NAME,IP". */
char	*nw_conf_dhcp_hosts(const struct net_def *);
/* addn-hosts lines: "IP NAME...". */
char	*nw_conf_addn_hosts(const struct net_def *);

/* "vireo_" + the name with '_' doubled and '+' ':' escaped. */
char	*nw_conf_nft_table(const char *net_name);
/*
 * The ruleset for `nft -f`: replaces table ip vireo_NAME atomically (it
 * is created empty, deleted and created again in one transaction). NULL
 * when the network needs no rules (open, bridge, no address with nat or
 * route).
 */
char	*nw_conf_nft(const struct net_def *);
/* For `nft -f`: removes the table if it exists. */
char	*nw_conf_nft_delete(const char *net_name);

/* One lease of dnsmasq's lease file. */
struct nw_lease {
	long long	 expiry;	/* seconds since the epoch, 0: never */
	char		 mac[18];	/* DHCPv6: from the DUID, "" if none */
	char		 ip[46];
	bool		 ipv6;
	char		 hostname[64];	/* "" if unknown */
	char		 client_id[128];	/* "" if none */
};

/* Parse a lease file's text; leases whose MAC is mac (NULL: all). */
int	 nw_conf_parse_leases(const char *text, const char *mac,
	    struct nw_lease **, size_t *n);

#endif
