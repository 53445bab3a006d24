/*
 * RPC procedures of networks: decode the arguments, call the network
 * driver, encode its result (rpc-proto.h documents each).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "proc-net.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

static const struct vr_net_driver *ndrv;

void
vd_proc_net_init(const struct vr_net_driver *d)
{
	ndrv = d;
}

/* Every procedure needs the driver: the daemon may run without one. */
static int
need_driver(void)
{
	if (ndrv != NULL)
		return 0;
	vr_error(VR_ERR_UNSUPPORTED, "this daemon has no network driver");
	return -1;
}

static void
netinfo_to_json(const struct vr_net_info *info, struct json_object *o)
{
	char uuid[VR_UUID_BUFLEN];

	vr_uuid_format(info->uuid, uuid);
	rpc_set_string(o, "name", info->name);
	rpc_set_string(o, "uuid", uuid);
	rpc_set_bool(o, "active", info->active);
	rpc_set_bool(o, "persistent", info->persistent);
	rpc_set_bool(o, "autostart", info->autostart);
	rpc_set_string(o, "bridge", info->bridge);
}

/* {"xml"} -> netinfo, for define and create. */
static int
net_from_xml(struct json_object *args, struct json_object *ret,
    int (*fn)(const char *, struct vr_net_info *))
{
	struct vr_net_info info;
	const char *xml;

	if (need_driver() < 0 || rpc_get_string(args, "xml", true, &xml) < 0 ||
	    fn(xml, &info) < 0)
		return -1;
	netinfo_to_json(&info, ret);
	return 0;
}

int
vd_proc_net_define(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return net_from_xml(args, ret, ndrv != NULL ? ndrv->define : NULL);
}

int
vd_proc_net_create(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return net_from_xml(args, ret, ndrv != NULL ? ndrv->create : NULL);
}

static int
net_arg(struct json_object *args, const char **net)
{
	if (need_driver() < 0)
		return -1;
	return rpc_get_string(args, "net", true, net);
}

int
vd_proc_net_undefine(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *net;

	if (net_arg(args, &net) < 0)
		return -1;
	return ndrv->undefine(net);
}

int
vd_proc_net_start(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_net_info info;
	const char *net;

	if (net_arg(args, &net) < 0 || ndrv->start(net, &info) < 0)
		return -1;
	netinfo_to_json(&info, ret);
	return 0;
}

int
vd_proc_net_destroy(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *net;
	bool force = false;

	if (net_arg(args, &net) < 0 ||
	    rpc_get_bool(args, "force", false, &force) < 0)
		return -1;
	return ndrv->destroy(net, force);
}

int
vd_proc_net_set_autostart(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *net;
	bool on;

	if (net_arg(args, &net) < 0 ||
	    rpc_get_bool(args, "autostart", true, &on) < 0)
		return -1;
	return ndrv->set_autostart(net, on);
}

int
vd_proc_net_update(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	static const struct {
		const char	*name;
		int		 cmd;
	} cmds[] = {
		{ "add", VR_NET_UPDATE_ADD_LAST },
		{ "add-last", VR_NET_UPDATE_ADD_LAST },
		{ "add-first", VR_NET_UPDATE_ADD_FIRST },
		{ "delete", VR_NET_UPDATE_DELETE },
	};
	const char *net, *command, *section, *xml;
	bool live = false, config = false;
	size_t i;

	if (net_arg(args, &net) < 0 ||
	    rpc_get_string(args, "command", true, &command) < 0 ||
	    rpc_get_string(args, "section", true, &section) < 0 ||
	    rpc_get_string(args, "xml", true, &xml) < 0 ||
	    rpc_get_bool(args, "live", false, &live) < 0 ||
	    rpc_get_bool(args, "config", false, &config) < 0)
		return -1;
	for (i = 0; i < nitems(cmds); i++)
		if (strcmp(cmds[i].name, command) == 0)
			break;
	if (i == nitems(cmds)) {
		vr_error(VR_ERR_UNSUPPORTED, "net-update command '%s' is not "
		    "supported: expected add, add-first, add-last or delete",
		    command);
		return -1;
	}
	return ndrv->update(net, cmds[i].cmd, section, xml,
	    (live ? VR_NET_UPDATE_LIVE : 0) |
	    (config ? VR_NET_UPDATE_CONFIG : 0));
}

static int
netinfo_cmp(const void *a, const void *b)
{
	return strcmp(((const struct vr_net_info *)a)->name,
	    ((const struct vr_net_info *)b)->name);
}

int
vd_proc_net_list(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE struct vr_net_info *infos = NULL;
	struct json_object *arr, *o;
	bool active = false, inactive = false;
	size_t n, i;

	if (need_driver() < 0 ||
	    rpc_get_bool(args, "active", false, &active) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0 ||
	    ndrv->list((active ? VR_NET_LIST_ACTIVE : 0) |
	    (inactive ? VR_NET_LIST_INACTIVE : 0), &infos, &n) < 0)
		return -1;
	qsort(infos, n, sizeof *infos, netinfo_cmp);
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		netinfo_to_json(&infos[i], o);
		json_object_array_add(arr, o);
	}
	json_object_object_add(ret, "networks", arr);
	return 0;
}

int
vd_proc_net_get_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_net_info info;
	const char *net;

	if (net_arg(args, &net) < 0 || ndrv->get_info(net, &info) < 0)
		return -1;
	netinfo_to_json(&info, ret);
	return 0;
}

int
vd_proc_net_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	const char *net;
	bool inactive = false;

	if (net_arg(args, &net) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0 ||
	    (xml = ndrv->get_xml(net, inactive ? VR_NET_XML_INACTIVE :
	    0)) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}

static void
json_set_opt_string(struct json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, s[0] != '\0' ?
	    json_object_new_string(s) : NULL);
}

int
vd_proc_net_get_dhcp_leases(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE struct vr_net_lease *l = NULL;
	struct json_object *arr, *o;
	const char *net, *mac = NULL;
	size_t n, i;

	if (net_arg(args, &net) < 0 ||
	    rpc_get_string(args, "mac", false, &mac) < 0 ||
	    ndrv->dhcp_leases(net, mac, &l, &n) < 0)
		return -1;
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		rpc_set_i64(o, "expiry", l[i].expiry);
		rpc_set_string(o, "mac", l[i].mac);
		rpc_set_string(o, "type", l[i].ipv6 ? "ipv6" : "ipv4");
		rpc_set_string(o, "ip", l[i].ip);
		rpc_set_i64(o, "prefix", l[i].prefix);
		json_set_opt_string(o, "hostname", l[i].hostname);
		json_set_opt_string(o, "client_id", l[i].client_id);
		json_object_array_add(arr, o);
	}
	json_object_object_add(ret, "leases", arr);
	return 0;
}
