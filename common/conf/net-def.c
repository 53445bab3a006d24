/*
 * Network definitions: parse, validate and format libvirt's network XML.
 *
 * As for domains (dom-def.c), each net_parse_*() reads what it supports
 * through the xml-util getters; whatever is left unread is refused by
 * vr_xml_check_consumed() with its name and line.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dom-def.h"
#include "err.h"
#include "net-def.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(net_forward, NET_FORWARD_LAST, NULL, "nat", "route", "open",
    "bridge")

/* Append a zeroed element to array arr of n elements; evaluates to it. */
#define NET_APPEND(arr, n)						\
	((arr) = xreallocarray((arr), (n) + 1, sizeof *(arr)),		\
	    memset(&(arr)[(n)], 0, sizeof *(arr)), &(arr)[(n)++])

/* Addresses */

int
net_ip_parse(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ip = ntohl(a.s_addr);
	return 0;
}

void
net_ip_format(uint32_t ip, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
}

uint32_t
net_prefix_mask(unsigned int prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffU :
	    ~((1U << (32 - prefix)) - 1);
}

int
net_ip6_parse(const char *s, unsigned char ip6[16])
{
	return s != NULL && inet_pton(AF_INET6, s, ip6) == 1 ? 0 : -1;
}

void
net_ip6_format(const unsigned char ip6[16], char buf[46])
{
	if (inet_ntop(AF_INET6, ip6, buf, 46) == NULL)
		snprintf(buf, 46, "::");
}

void
net_ip6_subnet(const unsigned char ip6[16], unsigned int prefix,
    unsigned char out[16])
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (prefix >= 8 * (i + 1))
			out[i] = ip6[i];
		else if (prefix > 8 * i)
			out[i] = ip6[i] & (unsigned char)(0xff <<
			    (8 - (prefix - 8 * i)));
		else
			out[i] = 0;
	}
}

/* ip6 lies in subnet/prefix. */
static bool
net_ip6_in(const unsigned char ip6[16], const unsigned char subnet[16],
    unsigned int prefix)
{
	unsigned char a[16], b[16];

	net_ip6_subnet(ip6, prefix, a);
	net_ip6_subnet(subnet, prefix, b);
	return memcmp(a, b, 16) == 0;
}

/* An IPv6 attribute: 1 present, 0 absent, -1 invalid (reported). */
static int
net_attr_ip6(xmlNode *n, const char *name, bool required,
    unsigned char ip6[16])
{
	const char *s = required ? vr_xml_attr_req(n, name) :
	    vr_xml_attr(n, name);

	if (s == NULL)
		return required ? -1 : 0;
	if (net_ip6_parse(s, ip6) < 0) {
		vr_xml_attr_invalid(n, name, s, "expected an IPv6 address "
		    "like 2001:db8:ca2:2::1");
		return -1;
	}
	return 1;
}

/* An IPv4 attribute: 1 present, 0 absent, -1 invalid (reported). */
static int
net_attr_ip(xmlNode *n, const char *name, bool required, uint32_t *ip)
{
	const char *s = required ? vr_xml_attr_req(n, name) :
	    vr_xml_attr(n, name);

	if (s == NULL)
		return required ? -1 : 0;
	if (net_ip_parse(s, ip) < 0) {
		vr_xml_attr_invalid(n, name, s, "expected an IPv4 address "
		    "like 192.168.122.1");
		return -1;
	}
	return 1;
}

static int
net_attr_mac(xmlNode *n, const char *name, bool required,
    unsigned char mac[6])
{
	const char *s = required ? vr_xml_attr_req(n, name) :
	    vr_xml_attr(n, name);

	if (s == NULL)
		return required ? -1 : 0;
	if (dom_mac_parse(s, mac) < 0) {
		vr_xml_attr_invalid(n, name, s, "expected a MAC address like "
		    "52:54:00:12:34:56");
		return -1;
	}
	return 1;
}

/* Parsing */

static int
net_parse_header(struct net_def *def, xmlNode *root)
{
	VR_AUTOFREE char *uuid = NULL;
	xmlNode *n;

	if ((n = vr_xml_child_req(root, "name")) == NULL)
		return -1;
	def->name = vr_xml_text(n);
	if ((n = vr_xml_child(root, "uuid")) != NULL) {
		uuid = vr_xml_text(n);
		if (vr_uuid_parse(uuid, def->uuid) < 0) {
			vr_xml_error(n, "invalid value '%s' for <uuid>: "
			    "expected a UUID like "
			    "8f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b", uuid);
			return -1;
		}
	} else
		vr_uuid_generate(def->uuid);
	return 0;
}

static int
net_parse_forward(struct net_def *def, xmlNode *root)
{
	xmlNode *n, *nat, *port, *a;
	int v;

	if ((n = vr_xml_child(root, "forward")) == NULL)
		return 0;
	/* <forward/> without a mode is NAT, as in libvirt's default.xml */
	if ((v = vr_xml_attr_enum(n, "mode", VR_XML_ENUM(net_forward,
	    NET_FORWARD_LAST), VR_XML_ALL, NET_FORWARD_NAT)) < 0)
		return -1;
	def->forward = v;
	def->forward_dev = vr_xml_attr_dup(n, "dev");
	if (def->forward != NET_FORWARD_NAT ||
	    (nat = vr_xml_child(n, "nat")) == NULL)
		return 0;
	if ((a = vr_xml_child(nat, "address")) != NULL) {
		if (net_attr_ip(a, "start", true, &def->nat_addr_start) < 0)
			return -1;
		def->nat_addr_end = def->nat_addr_start;
		if (net_attr_ip(a, "end", false, &def->nat_addr_end) < 0)
			return -1;
		if (def->nat_addr_start == 0 ||
		    def->nat_addr_end < def->nat_addr_start) {
			vr_xml_error(a, "invalid NAT address range");
			return -1;
		}
	}
	if ((port = vr_xml_child(nat, "port")) == NULL)
		return 0;
	if (vr_xml_attr_req(port, "start") == NULL ||
	    vr_xml_attr_req(port, "end") == NULL ||
	    vr_xml_attr_uint(port, "start", 10, 65535,
	    &def->nat_port_start) < 0 ||
	    vr_xml_attr_uint(port, "end", 10, 65535, &def->nat_port_end) < 0)
		return -1;
	if (def->nat_port_start == 0 ||
	    def->nat_port_start > def->nat_port_end) {
		vr_xml_error(port, "invalid NAT port range %u-%u",
		    def->nat_port_start, def->nat_port_end);
		return -1;
	}
	return 0;
}

static int
net_parse_bridge(struct net_def *def, xmlNode *root)
{
	xmlNode *n;

	def->stp = true;
	if ((n = vr_xml_child(root, "bridge")) != NULL) {
		def->bridge = vr_xml_attr_dup(n, "name");
		if (vr_xml_attr_bool(n, "stp", VR_XML_ONOFF, &def->stp) < 0 ||
		    vr_xml_attr_uint(n, "delay", 10, 600, &def->delay) < 0)
			return -1;
	}
	if ((n = vr_xml_child(root, "mtu")) != NULL &&
	    (vr_xml_attr_req(n, "size") == NULL ||
	    vr_xml_attr_uint(n, "size", 10, 65535, &def->mtu) < 0))
		return -1;
	if ((n = vr_xml_child(root, "mac")) != NULL) {
		if (net_attr_mac(n, "address", true, def->mac) < 0)
			return -1;
		def->has_mac = true;
	}
	if (!def->has_mac && def->forward != NET_FORWARD_BRIDGE) {
		/* QEMU's OUI and three random bytes, as libvirt does */
		unsigned char rnd[16];

		vr_uuid_generate(rnd);
		def->mac[0] = 0x52;
		def->mac[1] = 0x54;
		def->mac[2] = 0x00;
		memcpy(def->mac + 3, rnd, 3);
		def->has_mac = true;
	}
	return 0;
}

static int
net_parse_dns_host(struct net_def *def, xmlNode *n)
{
	struct net_dns_host *h = NET_APPEND(def->dns_hosts, def->ndns_hosts);
	xmlNode *c;

	if (net_attr_ip(n, "ip", true, &h->ip) < 0)
		return -1;
	for (c = vr_xml_first(n); c != NULL; c = vr_xml_next(c)) {
		if (!vr_xml_is(c, "hostname"))
			continue;
		vr_xml_mark(c);
		*NET_APPEND(h->hostnames, h->nhostnames) = vr_xml_text(c);
	}
	if (h->nhostnames == 0) {
		vr_xml_error(n, "missing element <hostname> in <host>");
		return -1;
	}
	return 0;
}

/* <forwarder addr= domain=/>: at least one of them. */
static int
net_parse_dns_forwarder(struct net_def *def, xmlNode *n)
{
	struct net_dns_forwarder *f = NET_APPEND(def->forwarders,
	    def->nforwarders);
	int has;

	if ((has = net_attr_ip(n, "addr", false, &f->addr)) < 0)
		return -1;
	f->has_addr = has == 1;
	f->domain = vr_xml_attr_dup(n, "domain");
	if (!f->has_addr && f->domain == NULL) {
		vr_xml_error(n, "<forwarder> needs an addr or a domain");
		return -1;
	}
	return 0;
}

static int
net_parse_dns(struct net_def *def, xmlNode *root)
{
	xmlNode *n, *c;

	if ((n = vr_xml_child(root, "domain")) != NULL) {
		if (vr_xml_attr_req(n, "name") == NULL)
			return -1;
		def->domain = vr_xml_attr_dup(n, "name");
		if (vr_xml_attr_bool(n, "localOnly", VR_XML_YESNO,
		    &def->domain_local_only) < 0)
			return -1;
	}
	def->forward_plain_names = true;
	if ((n = vr_xml_child(root, "dns")) == NULL)
		return 0;
	if (vr_xml_attr_bool(n, "forwardPlainNames", VR_XML_YESNO,
	    &def->forward_plain_names) < 0)
		return -1;
	for (c = vr_xml_first(n); c != NULL; c = vr_xml_next(c)) {
		if (vr_xml_is(c, "host")) {
			vr_xml_mark(c);
			if (net_parse_dns_host(def, c) < 0)
				return -1;
		} else if (vr_xml_is(c, "forwarder")) {
			vr_xml_mark(c);
			if (net_parse_dns_forwarder(def, c) < 0)
				return -1;
		}
		/* txt, srv: left unread, refused */
	}
	return 0;
}

/* <host mac= name= ip=/> of <dhcp>. */
static int
net_parse_dhcp_host_node(xmlNode *n, struct net_dhcp_host *h)
{
	int has_mac;

	if ((has_mac = net_attr_mac(n, "mac", false, h->mac)) < 0)
		return -1;
	h->has_mac = has_mac == 1;
	h->name = vr_xml_attr_dup(n, "name");
	if (net_attr_ip(n, "ip", true, &h->ip) < 0)
		return -1;
	if (!h->has_mac && h->name == NULL) {
		vr_xml_error(n, "<host> needs a mac or a name");
		return -1;
	}
	return 0;
}

static int
net_parse_dhcp(struct net_def *def, xmlNode *ip)
{
	struct net_dhcp_range *r;
	xmlNode *n, *c;

	if ((n = vr_xml_child(ip, "dhcp")) == NULL)
		return 0;
	for (c = vr_xml_first(n); c != NULL; c = vr_xml_next(c)) {
		if (vr_xml_is(c, "range")) {
			vr_xml_mark(c);
			r = NET_APPEND(def->ranges, def->nranges);
			if (net_attr_ip(c, "start", true, &r->start) < 0 ||
			    net_attr_ip(c, "end", true, &r->end) < 0)
				return -1;
		} else if (vr_xml_is(c, "host")) {
			vr_xml_mark(c);
			if (net_parse_dhcp_host_node(c, NET_APPEND(def->hosts,
			    def->nhosts)) < 0)
				return -1;
		}
	}
	return 0;
}

/* A netmask must be contiguous ones: returns its prefix, or -1. */
static int
net_mask_prefix(uint32_t mask)
{
	unsigned int p = 0;

	while (p < 32 && (mask & (0x80000000U >> p)))
		p++;
	return net_prefix_mask(p) == mask ? (int)p : -1;
}

/* <ip family='ipv6' address= prefix=> with DHCPv6 ranges. */
static int
net_parse_ip6(struct net_def *def, xmlNode *n)
{
	struct net_dhcp_range6 *r;
	xmlNode *dhcp, *c;
	int has_prefix;

	def->has_ip6 = true;
	if (net_attr_ip6(n, "address", true, def->ip6) < 0 ||
	    (has_prefix = vr_xml_attr_uint(n, "prefix", 10, 128,
	    &def->prefix6)) < 0)
		return -1;
	if (!has_prefix) {
		vr_xml_error(n, "an IPv6 <ip> needs a prefix");
		return -1;
	}
	if ((dhcp = vr_xml_child(n, "dhcp")) == NULL)
		return 0;
	for (c = vr_xml_first(dhcp); c != NULL; c = vr_xml_next(c)) {
		if (!vr_xml_is(c, "range"))
			continue;	/* DHCPv6 hosts: refused */
		vr_xml_mark(c);
		r = NET_APPEND(def->ranges6, def->nranges6);
		if (net_attr_ip6(c, "start", true, r->start) < 0 ||
		    net_attr_ip6(c, "end", true, r->end) < 0)
			return -1;
	}
	return 0;
}

static int
net_parse_ip4(struct net_def *def, xmlNode *n)
{
	uint32_t mask;
	int has_mask, has_prefix, p;

	def->has_ip = true;
	if (net_attr_ip(n, "address", true, &def->ip) < 0 ||
	    (has_mask = net_attr_ip(n, "netmask", false, &mask)) < 0 ||
	    (has_prefix = vr_xml_attr_uint(n, "prefix", 10, 32,
	    &def->prefix)) < 0)
		return -1;
	if (has_mask && has_prefix) {
		vr_xml_error(n, "<ip> has both netmask and prefix");
		return -1;
	}
	if (has_mask) {
		if ((p = net_mask_prefix(mask)) < 0) {
			vr_xml_attr_invalid(n, "netmask",
			    vr_xml_attr(n, "netmask"), "not a contiguous "
			    "netmask");
			return -1;
		}
		def->prefix = (unsigned int)p;
		def->ip_netmask = true;
	} else if (!has_prefix) {
		vr_xml_error(n, "<ip> needs a netmask or a prefix");
		return -1;
	}
	return net_parse_dhcp(def, n);
}

/* At most one <ip> per family. */
static int
net_parse_ip(struct net_def *def, xmlNode *root)
{
	static const char *const families[] = { "ipv4", "ipv6", NULL };
	xmlNode *n;
	int fam;

	for (n = vr_xml_first(root); n != NULL; n = vr_xml_next(n)) {
		if (!vr_xml_is(n, "ip"))
			continue;
		vr_xml_mark(n);
		if ((fam = vr_xml_attr_choice(n, "family", families, 0)) < 0)
			return -1;
		if (fam == 0 ? def->has_ip : def->has_ip6) {
			vr_xml_error(n, "only one %s <ip> element is supported",
			    families[fam]);
			return -1;
		}
		if ((fam == 0 ? net_parse_ip4(def, n) :
		    net_parse_ip6(def, n)) < 0)
			return -1;
	}
	return 0;
}

static int
net_parse_root(struct net_def *def, xmlNode *root)
{
	if (net_parse_header(def, root) < 0 ||
	    net_parse_forward(def, root) < 0 ||
	    net_parse_bridge(def, root) < 0 ||
	    net_parse_dns(def, root) < 0 ||
	    net_parse_ip(def, root) < 0)
		return -1;
	return vr_xml_check_consumed(root);
}

struct net_def *
net_def_parse_string(const char *xml, unsigned int flags)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTO(net_def) def = NULL;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "network")) == NULL)
		return NULL;
	def = xcalloc(1, sizeof *def);
	if (net_parse_root(def, root) < 0 || net_def_validate(def) < 0)
		return NULL;
	if ((flags & NET_PARSE_VALIDATE) && vr_xml_validate_schema(doc, "network.rng") < 0)
		return NULL;
	return vr_steal(&def);
}

struct net_def *
net_def_parse_file(const char *path, unsigned int flags)
{
	VR_AUTOFREE char *xml = NULL;
	struct net_def *def;

	if ((xml = vr_file_read(path, VR_XML_MAX_LEN, NULL)) == NULL)
		return NULL;
	if ((def = net_def_parse_string(xml, flags)) == NULL)
		vr_error_prefix("%s", path);
	return def;
}

int
net_dhcp_host_parse(const struct net_def *def, const char *xml,
    struct net_dhcp_host *h)
{
	VR_AUTO_XMLDOC doc = NULL;
	xmlNode *root;
	uint32_t mask = net_prefix_mask(def->prefix);

	memset(h, 0, sizeof *h);
	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "host")) == NULL)
		return -1;
	if (net_parse_dhcp_host_node(root, h) < 0 ||
	    vr_xml_check_consumed(root) < 0) {
		net_dhcp_host_clear(h);
		return -1;
	}
	if (!def->has_ip || (h->ip & mask) != (def->ip & mask)) {
		char ip[16];

		net_ip_format(h->ip, ip);
		vr_error(VR_ERR_XML, "DHCP host address %s is outside network "
		    "'%s'", ip, def->name);
		net_dhcp_host_clear(h);
		return -1;
	}
	return 0;
}

void
net_dhcp_host_clear(struct net_dhcp_host *h)
{
	free(h->name);
	h->name = NULL;
}

/* Validation */

/* An interface name: 1..15 of [A-Za-z0-9._-]. */
static bool
net_ifname_valid(const char *s)
{
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) >= IF_NAMESIZE)
		return false;
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("._-", *p) == NULL)
			return false;
	return true;
}

/* A DNS name: labels of [A-Za-z0-9-] joined by dots, at most 253. */
static bool
net_dns_name_valid(const char *s)
{
	const char *p;
	size_t label = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 253 || *s == '.')
		return false;
	for (p = s; *p != '\0'; p++) {
		if (*p == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (isalnum((unsigned char)*p) || *p == '-') {
			if (++label > 63)
				return false;
		} else
			return false;
	}
	return true;
}

static int
net_validate_names(const struct net_def *def)
{
	size_t i, j;

	if (!vr_name_valid(def->name)) {
		vr_error(VR_ERR_XML, "invalid network name '%s': expected 1 "
		    "to 64 of A-Z a-z 0-9 _ . + - :, not starting with '.' or "
		    "'-'", def->name != NULL ? def->name : "");
		return -1;
	}
	if (def->bridge != NULL && !net_ifname_valid(def->bridge)) {
		vr_error(VR_ERR_XML, "network '%s': bridge name '%s' is not a "
		    "valid interface name", def->name, def->bridge);
		return -1;
	}
	if (def->forward_dev != NULL && !net_ifname_valid(def->forward_dev)) {
		vr_error(VR_ERR_XML, "network '%s': forward dev '%s' is not a "
		    "valid interface name", def->name, def->forward_dev);
		return -1;
	}
	if (def->domain != NULL && !net_dns_name_valid(def->domain)) {
		vr_error(VR_ERR_XML, "network '%s': invalid domain name '%s'",
		    def->name, def->domain);
		return -1;
	}
	for (i = 0; i < def->ndns_hosts; i++)
		for (j = 0; j < def->dns_hosts[i].nhostnames; j++)
			if (!net_dns_name_valid(
			    def->dns_hosts[i].hostnames[j])) {
				vr_error(VR_ERR_XML, "network '%s': invalid "
				    "DNS hostname '%s'", def->name,
				    def->dns_hosts[i].hostnames[j]);
				return -1;
			}
	for (i = 0; i < def->nhosts; i++)
		if (def->hosts[i].name != NULL &&
		    !net_dns_name_valid(def->hosts[i].name)) {
			vr_error(VR_ERR_XML, "network '%s': invalid DHCP host "
			    "name '%s'", def->name, def->hosts[i].name);
			return -1;
		}
	return 0;
}

/* Bridge mode: the host's bridge, nothing of ours on it. */
static int
net_validate_bridge_mode(const struct net_def *def)
{
	const char *what = NULL;

	if (def->bridge == NULL)
		what = "needs <bridge name=...>";
	else if (def->has_ip || def->has_ip6)
		what = "cannot have an <ip>";
	else if (def->has_mac)
		what = "cannot have a <mac>";
	else if (def->mtu != 0)
		what = "cannot have an <mtu>";
	else if (def->domain != NULL || def->ndns_hosts != 0)
		what = "cannot have <domain> or <dns>";
	else if (def->forward_dev != NULL)
		what = "cannot have <forward dev=...>";
	if (what == NULL)
		return 0;
	vr_error(VR_ERR_XML, "network '%s' with forward mode 'bridge' %s",
	    def->name, what);
	return -1;
}

/* addr in the subnet and neither its network nor broadcast address. */
static bool
net_in_subnet(const struct net_def *def, uint32_t addr)
{
	uint32_t mask = net_prefix_mask(def->prefix);

	if ((addr & mask) != (def->ip & mask))
		return false;
	if (def->prefix <= 30 && ((addr & ~mask) == 0 ||
	    (addr & ~mask) == ~mask))
		return false;
	return true;
}

static int
net_validate_dhcp(const struct net_def *def)
{
	char a[16], b[16];
	size_t i, j;

	for (i = 0; i < def->nranges; i++) {
		const struct net_dhcp_range *r = &def->ranges[i];

		net_ip_format(r->start, a);
		net_ip_format(r->end, b);
		if (r->start > r->end) {
			vr_error(VR_ERR_XML, "network '%s': DHCP range start "
			    "%s is after its end %s", def->name, a, b);
			return -1;
		}
		if (!net_in_subnet(def, r->start) ||
		    !net_in_subnet(def, r->end)) {
			vr_error(VR_ERR_XML, "network '%s': DHCP range %s - %s "
			    "is not inside the network's subnet", def->name,
			    a, b);
			return -1;
		}
	}
	for (i = 0; i < def->nhosts; i++) {
		const struct net_dhcp_host *h = &def->hosts[i];

		net_ip_format(h->ip, a);
		if (!net_in_subnet(def, h->ip)) {
			vr_error(VR_ERR_XML, "network '%s': DHCP host address "
			    "%s is outside the network's subnet", def->name, a);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (def->hosts[j].ip == h->ip ||
			    (h->has_mac && def->hosts[j].has_mac &&
			    memcmp(def->hosts[j].mac, h->mac, 6) == 0)) {
				vr_error(VR_ERR_XML, "network '%s': DHCP host "
				    "%s is defined twice", def->name, a);
				return -1;
			}
		}
	}
	return 0;
}

static int
net_validate_ip6(const struct net_def *def)
{
	unsigned char sub[16];
	char a[46], b[46];
	size_t i;

	if (!def->has_ip6)
		return 0;
	net_ip6_format(def->ip6, a);
	net_ip6_subnet(def->ip6, def->prefix6, sub);
	if (def->prefix6 < 8 || def->prefix6 > 126 ||
	    (def->nranges6 != 0 && def->prefix6 != 64)) {
		vr_error(VR_ERR_XML, "network '%s': prefix /%u of %s is not "
		    "supported: expected 8 to 126 (64 with DHCPv6 ranges, as "
		    "router advertisements and SLAAC want)", def->name,
		    def->prefix6, a);
		return -1;
	}
	/* Not the subnet itself, link-local, multicast, loopback. */
	if (memcmp(sub, def->ip6, 16) == 0 || def->ip6[0] == 0xff ||
	    (def->ip6[0] == 0xfe && (def->ip6[1] & 0xc0) == 0x80) ||
	    (memcmp(def->ip6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 15) == 0)) {
		vr_error(VR_ERR_XML, "network '%s': %s/%u is not a usable host "
		    "address", def->name, a, def->prefix6);
		return -1;
	}
	for (i = 0; i < def->nranges6; i++) {
		const struct net_dhcp_range6 *r = &def->ranges6[i];

		net_ip6_format(r->start, a);
		net_ip6_format(r->end, b);
		if (!net_ip6_in(r->start, def->ip6, def->prefix6) ||
		    !net_ip6_in(r->end, def->ip6, def->prefix6) ||
		    memcmp(r->start, r->end, 16) > 0) {
			vr_error(VR_ERR_XML, "network '%s': DHCPv6 range "
			    "%s - %s is reversed or outside the network's "
			    "subnet", def->name, a, b);
			return -1;
		}
	}
	return 0;
}

static int
net_validate_ip(const struct net_def *def)
{
	char a[16];

	if (!def->has_ip) {
		if (def->nranges != 0 || def->nhosts != 0) {
			vr_error(VR_ERR_XML, "network '%s': DHCP needs an <ip>",
			    def->name);
			return -1;
		}
		return net_validate_ip6(def);
	}
	net_ip_format(def->ip, a);
	if (def->prefix < 8 || def->prefix > 30) {
		vr_error(VR_ERR_XML, "network '%s': prefix /%u of %s is not "
		    "supported: expected 8 to 30", def->name, def->prefix, a);
		return -1;
	}
	if (!net_in_subnet(def, def->ip) || (def->ip >> 24) == 0 ||
	    (def->ip >> 24) == 127 || (def->ip >> 28) >= 14) {
		vr_error(VR_ERR_XML, "network '%s': %s/%u is not a usable host "
		    "address", def->name, a, def->prefix);
		return -1;
	}
	if (net_validate_dhcp(def) < 0)
		return -1;
	return net_validate_ip6(def);
}

int
net_def_validate(const struct net_def *def)
{
	if (net_validate_names(def) < 0)
		return -1;
	if (def->forward == NET_FORWARD_BRIDGE)
		return net_validate_bridge_mode(def);
	if (def->has_mac && (def->mac[0] & 1)) {
		vr_error(VR_ERR_XML, "network '%s': bridge MAC must be "
		    "unicast", def->name);
		return -1;
	}
	if (def->mtu != 0 && def->mtu < 68) {
		vr_error(VR_ERR_XML, "network '%s': MTU %u is below 68",
		    def->name, def->mtu);
		return -1;
	}
	return net_validate_ip(def);
}

/* Formatting */

void
net_dhcp_host_format(struct vr_buf *b, const struct net_dhcp_host *h)
{
	char mac[18], ip[16];

	vr_buf_puts(b, "<host");
	if (h->has_mac) {
		dom_mac_format(h->mac, mac);
		vr_buf_printf(b, " mac='%s'", mac);
	}
	vr_xml_buf_attr(b, "name", h->name);
	net_ip_format(h->ip, ip);
	vr_buf_printf(b, " ip='%s'/>", ip);
}

static void
net_format_forward(struct vr_buf *b, const struct net_def *def)
{
	if (def->forward == NET_FORWARD_NONE)
		return;
	bool nat = def->nat_port_start != 0 || def->nat_addr_start != 0;
	char s[16], e[16];

	vr_buf_line(b, "<forward mode='%s'%s%s%s%s",
	    net_forward_to_string(def->forward),
	    def->forward_dev != NULL ? " dev='" : "",
	    def->forward_dev != NULL ? def->forward_dev : "",
	    def->forward_dev != NULL ? "'" : "", nat ? ">" : "/>");
	if (!nat)
		return;
	b->indent++;
	vr_buf_line(b, "<nat>");
	b->indent++;
	if (def->nat_addr_start != 0) {
		net_ip_format(def->nat_addr_start, s);
		net_ip_format(def->nat_addr_end, e);
		vr_buf_line(b, "<address start='%s' end='%s'/>", s, e);
	}
	if (def->nat_port_start != 0)
		vr_buf_line(b, "<port start='%u' end='%u'/>",
		    def->nat_port_start, def->nat_port_end);
	b->indent--;
	vr_buf_line(b, "</nat>");
	b->indent--;
	vr_buf_line(b, "</forward>");
}

static void
net_format_bridge(struct vr_buf *b, const struct net_def *def)
{
	char mac[18];

	if (def->forward == NET_FORWARD_BRIDGE) {
		vr_buf_line(b, "<bridge name='%s'/>", def->bridge);
		return;
	}
	vr_buf_line(b, "<bridge%s%s%s stp='%s' delay='%u'/>",
	    def->bridge != NULL ? " name='" : "",
	    def->bridge != NULL ? def->bridge : "",
	    def->bridge != NULL ? "'" : "", def->stp ? "on" : "off",
	    def->delay);
	if (def->mtu != 0)
		vr_buf_line(b, "<mtu size='%u'/>", def->mtu);
	if (def->has_mac) {
		dom_mac_format(def->mac, mac);
		vr_buf_line(b, "<mac address='%s'/>", mac);
	}
}

static void
net_format_dns(struct vr_buf *b, const struct net_def *def)
{
	char ip[16];
	size_t i, j;

	if (def->domain != NULL)
		vr_buf_line(b, "<domain name='%s'%s/>", def->domain,
		    def->domain_local_only ? " localOnly='yes'" : "");
	if (def->ndns_hosts == 0 && def->nforwarders == 0 &&
	    def->forward_plain_names)
		return;
	vr_buf_line(b, "<dns%s>", def->forward_plain_names ? "" :
	    " forwardPlainNames='no'");
	b->indent++;
	for (i = 0; i < def->nforwarders; i++) {
		const struct net_dns_forwarder *f = &def->forwarders[i];
		struct vr_buf t = { 0 };

		vr_buf_puts(&t, "<forwarder");
		vr_xml_buf_attr(&t, "domain", f->domain);
		if (f->has_addr) {
			net_ip_format(f->addr, ip);
			vr_buf_printf(&t, " addr='%s'", ip);
		}
		vr_buf_puts(&t, "/>");
		vr_buf_line(b, "%s", vr_buf_str(&t));
		vr_buf_free(&t);
	}
	for (i = 0; i < def->ndns_hosts; i++) {
		net_ip_format(def->dns_hosts[i].ip, ip);
		vr_buf_line(b, "<host ip='%s'>", ip);
		b->indent++;
		for (j = 0; j < def->dns_hosts[i].nhostnames; j++)
			vr_buf_line(b, "<hostname>%s</hostname>",
			    def->dns_hosts[i].hostnames[j]);
		b->indent--;
		vr_buf_line(b, "</host>");
	}
	b->indent--;
	vr_buf_line(b, "</dns>");
}

static void
net_format_ip(struct vr_buf *b, const struct net_def *def)
{
	char a[16], c[16];
	size_t i;

	if (!def->has_ip)
		return;
	net_ip_format(def->ip, a);
	if (def->ip_netmask) {
		net_ip_format(net_prefix_mask(def->prefix), c);
		vr_buf_line(b, "<ip address='%s' netmask='%s'%s", a, c,
		    def->nranges + def->nhosts != 0 ? ">" : "/>");
	} else
		vr_buf_line(b, "<ip address='%s' prefix='%u'%s", a,
		    def->prefix, def->nranges + def->nhosts != 0 ? ">" : "/>");
	if (def->nranges + def->nhosts == 0)
		return;
	b->indent++;
	vr_buf_line(b, "<dhcp>");
	b->indent++;
	for (i = 0; i < def->nranges; i++) {
		net_ip_format(def->ranges[i].start, a);
		net_ip_format(def->ranges[i].end, c);
		vr_buf_line(b, "<range start='%s' end='%s'/>", a, c);
	}
	for (i = 0; i < def->nhosts; i++) {
		struct vr_buf h = { 0 };

		net_dhcp_host_format(&h, &def->hosts[i]);
		vr_buf_line(b, "%s", vr_buf_str(&h));
		vr_buf_free(&h);
	}
	b->indent--;
	vr_buf_line(b, "</dhcp>");
	b->indent--;
	vr_buf_line(b, "</ip>");
}

static void
net_format_ip6(struct vr_buf *b, const struct net_def *def)
{
	char a[46], e[46];
	size_t i;

	if (!def->has_ip6)
		return;
	net_ip6_format(def->ip6, a);
	vr_buf_line(b, "<ip family='ipv6' address='%s' prefix='%u'%s", a,
	    def->prefix6, def->nranges6 != 0 ? ">" : "/>");
	if (def->nranges6 == 0)
		return;
	b->indent++;
	vr_buf_line(b, "<dhcp>");
	b->indent++;
	for (i = 0; i < def->nranges6; i++) {
		net_ip6_format(def->ranges6[i].start, a);
		net_ip6_format(def->ranges6[i].end, e);
		vr_buf_line(b, "<range start='%s' end='%s'/>", a, e);
	}
	b->indent--;
	vr_buf_line(b, "</dhcp>");
	b->indent--;
	vr_buf_line(b, "</ip>");
}

char *
net_def_format(const struct net_def *def)
{
	struct vr_buf b = { 0 };
	char uuid[VR_UUID_BUFLEN];

	vr_buf_puts(&b, "<network>\n");
	b.indent = 1;
	vr_buf_line(&b, "<name>%s</name>", def->name);
	vr_uuid_format(def->uuid, uuid);
	vr_buf_line(&b, "<uuid>%s</uuid>", uuid);
	net_format_forward(&b, def);
	net_format_bridge(&b, def);
	net_format_dns(&b, def);
	net_format_ip(&b, def);
	net_format_ip6(&b, def);
	vr_buf_puts(&b, "</network>\n");
	return vr_buf_steal(&b);
}

/* Copy and free */

#define NET_DUP(arr, n)	xmemdup_array((arr), (n), sizeof *(arr))

struct net_def *
net_def_copy(const struct net_def *src)
{
	struct net_def *def = xmalloc(sizeof *def);
	size_t i, j;

	*def = *src;
	def->name = xstrdup_null(src->name);
	def->forward_dev = xstrdup_null(src->forward_dev);
	def->bridge = xstrdup_null(src->bridge);
	def->domain = xstrdup_null(src->domain);
	def->dns_hosts = NET_DUP(src->dns_hosts, src->ndns_hosts);
	def->forwarders = NET_DUP(src->forwarders, src->nforwarders);
	def->ranges6 = NET_DUP(src->ranges6, src->nranges6);
	for (i = 0; i < def->nforwarders; i++)
		def->forwarders[i].domain =
		    xstrdup_null(src->forwarders[i].domain);
	for (i = 0; i < def->ndns_hosts; i++) {
		struct net_dns_host *h = &def->dns_hosts[i];

		h->hostnames = NET_DUP(h->hostnames, h->nhostnames);
		for (j = 0; j < h->nhostnames; j++)
			h->hostnames[j] = xstrdup(h->hostnames[j]);
	}
	def->ranges = NET_DUP(src->ranges, src->nranges);
	def->hosts = NET_DUP(src->hosts, src->nhosts);
	for (i = 0; i < def->nhosts; i++)
		def->hosts[i].name = xstrdup_null(src->hosts[i].name);
	return def;
}

void
net_def_free(struct net_def *def)
{
	size_t i, j;

	if (def == NULL)
		return;
	free(def->name);
	free(def->forward_dev);
	free(def->bridge);
	free(def->domain);
	for (i = 0; i < def->ndns_hosts; i++) {
		for (j = 0; j < def->dns_hosts[i].nhostnames; j++)
			free(def->dns_hosts[i].hostnames[j]);
		free(def->dns_hosts[i].hostnames);
	}
	free(def->dns_hosts);
	for (i = 0; i < def->nforwarders; i++)
		free(def->forwarders[i].domain);
	free(def->forwarders);
	free(def->ranges);
	free(def->ranges6);
	for (i = 0; i < def->nhosts; i++)
		free(def->hosts[i].name);
	free(def->hosts);
	free(def);
}
