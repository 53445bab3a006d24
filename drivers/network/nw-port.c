/*
 * Guest interfaces (vr_driver_env.net_port_open/close): a tap per
 * interface, attached to the network's bridge (type network), to a host
 * bridge (type bridge) or to nothing (type ethernet). Its alias
 * NW_ALIAS_DOM "DOMAIN" marks it ours; the kernel deletes the tap when its
 * last fd (QEMU's) closes, and close deletes it in case it was made
 * persistent.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "dom-def.h"
#include "err.h"
#include "log.h"
#include "nw-link.h"
#include "nw-network.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("network.port");

/* The bridge an interface of type network goes to; NULL with an error. */
static char *
port_network_bridge(const char *net_name)
{
	struct nw_net *n;
	char *bridge = NULL;

	pthread_mutex_lock(&nw_lock);
	if ((n = nw_net_find(net_name)) == NULL)
		vr_error(VR_ERR_NO_NETWORK, "network not found: no network "
		    "with matching name '%s'", net_name);
	else if (n->live == NULL)
		vr_error(VR_ERR_OPERATION_INVALID, "network '%s' is not "
		    "active: start it with 'vireo net-start %s'", n->name,
		    n->name);
	else
		bridge = xstrdup(n->live->bridge);
	pthread_mutex_unlock(&nw_lock);
	return bridge;
}

static int
port_mac_check(const struct dom_net *net, const char *dom_name)
{
	char ifname[IF_NAMESIZE + 1], mac[18];
	int rc;

	if ((rc = nw_mac_in_use(net->mac, ifname, sizeof ifname)) <= 0)
		return rc;
	dom_mac_format(net->mac, mac);
	vr_error(VR_ERR_EXISTS, "domain '%s': MAC address %s is already used "
	    "on this host (interface %s)", dom_name, mac, ifname);
	return -1;
}

int
nw_port_open(const struct dom_net *net, const char *dom_name, int *tapfd,
    char **tapname)
{
	VR_AUTOFREE char *bridge = NULL;
	VR_AUTOFREE char *alias = xprintf(NW_ALIAS_DOM "%s", dom_name);
	const char *want = net->target_dev != NULL ? net->target_dev :
	    "vnet%d";
	bool vnet_hdr = net->model == DOM_NET_MODEL_DEFAULT ||
	    net->model == DOM_NET_MODEL_VIRTIO;
	char name[IF_NAMESIZE];
	int fd, existing = 0;

	switch (net->type) {
	case DOM_NET_NETWORK:
		if ((bridge = port_network_bridge(net->source)) == NULL)
			return -1;
		break;
	case DOM_NET_BRIDGE:
		bridge = xstrdup(net->source);
		if (nw_link_get(bridge, NULL, 0) != 1) {
			vr_error(VR_ERR_OPERATION_INVALID, "domain '%s': "
			    "bridge '%s' does not exist", dom_name, bridge);
			return -1;
		}
		break;
	case DOM_NET_ETHERNET:
		/* an existing tap is used as it is, and left alone */
		if (net->target_dev != NULL &&
		    (existing = nw_link_get(net->target_dev, NULL, 0)) < 0)
			return -1;
		break;
	case DOM_NET_USER:
	case DOM_NET_LAST:
		vr_error(VR_ERR_INTERNAL, "no port for a user interface");
		return -1;
	}
	if (!existing && port_mac_check(net, dom_name) < 0)
		return -1;
	if (nw_tap_open(want, vnet_hdr, &fd, name) < 0)
		return -1;
	if (existing ? nw_link_up(name, NULL) < 0 :
	    nw_tap_setup(name, net->mac, bridge, alias) < 0) {
		close(fd);
		if (!existing)
			nw_link_delete(name);
		return -1;
	}
	log_info("domain '%s': tap %s%s%s", dom_name, name,
	    bridge != NULL ? " on bridge " : "", bridge != NULL ? bridge : "");
	*tapfd = fd;
	*tapname = xstrdup(name);
	return 0;
}

void
nw_port_close(const struct dom_net *net, const char *dom_name,
    const char *tapname)
{
	VR_AUTOFREE char *mine = xprintf(NW_ALIAS_DOM "%s", dom_name);
	char alias[256];

	(void)net;
	if (tapname == NULL || nw_link_get(tapname, alias, sizeof alias) != 1 ||
	    strcmp(alias, mine) != 0)
		return;
	if (nw_link_delete(tapname) < 0)
		log_error("domain '%s': %s", dom_name, vr_error_message());
}

char *
nw_port_users(const struct nw_net *n)
{
	struct vr_buf b = { 0 };
	char **names, **aliases;
	size_t i, cnt;

	vr_buf_puts(&b, "");
	if (n->live == NULL || nw_bridge_ports(n->live->bridge, &names,
	    &aliases, &cnt) < 0)
		return vr_buf_steal(&b);
	for (i = 0; i < cnt; i++) {
		const char *dom = aliases[i];

		if (strncmp(dom, NW_ALIAS_DOM, strlen(NW_ALIAS_DOM)) != 0)
			continue;
		dom += strlen(NW_ALIAS_DOM);
		vr_buf_printf(&b, "%s%s (%s)", b.len != 0 ? ", " : "", dom,
		    names[i]);
	}
	nw_strv_free(names, cnt);
	nw_strv_free(aliases, cnt);
	return vr_buf_steal(&b);
}
