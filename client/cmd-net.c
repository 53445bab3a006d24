/*
 * Virtual networks: net-define, net-undefine, net-create, net-start,
 * net-destroy, net-autostart, net-update, net-list, net-info, net-dumpxml,
 * net-uuid, net-name, net-dhcp-leases. Outputs and messages are virsh's;
 * with --json each prints the daemon's ret.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "xmalloc.h"

#define OPT_NETWORK \
	{ "network", CMD_OPT_ARG, CMD_OPT_REQ, "network name or uuid" }

static const struct cmd_opt net_opts[] = {
	OPT_NETWORK,
	{ NULL }
};

static struct json_object *
net_args(const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object();

	rpc_set_string(o, "net", cmd_get(args, "network"));
	return o;
}

/* Print ret as JSON, or "Network NAME what". */
static enum cmd_retval
net_done(struct cmd_ctx *ctx, struct json_object *ret, const char *name,
    const char *what)
{
	if (ret == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else
		printf("Network %s %s\n", name, what);
	json_object_put(ret);
	return CMD_OK;
}

/* net-define FILE, net-create FILE */

static const struct cmd_opt file_opts[] = {
	{ "file", CMD_OPT_ARG, CMD_OPT_REQ, "file containing an XML network "
	  "description" },
	{ NULL }
};

static enum cmd_retval
net_from_file(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    const char *what)
{
	const char *file = cmd_get(args, "file"), *name = NULL;
	VR_AUTOFREE char *xml = NULL, *msg = NULL;
	struct json_object *o, *ret;

	if ((xml = cmd_read_xml(file, "network")) == NULL)
		return CMD_ERR;
	o = json_object_new_object();
	rpc_set_string(o, "xml", xml);
	if ((ret = cmd_call(ctx, proc, o)) == NULL)
		return CMD_ERR;
	if (!ctx->json && cmd_reply_str(ret, "name", &name) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	msg = xprintf("%s from %s", what, file);
	return net_done(ctx, ret, name, msg);
}

static enum cmd_retval
cmd_net_define_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_from_file(ctx, args, RPC_PROC_NET_DEFINE, "defined");
}

const struct cmd_entry cmd_net_define_entry = {
	.name = "net-define", .summary = "define an inactive persistent "
	    "virtual network from an XML file",
	.desc = "Define a persistent network from libvirt's network XML; it "
	    "stays inactive until net-start. Without <bridge name=...> a free "
	    "virbrN is chosen.",
	.opts = file_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_define_exec,
};

static enum cmd_retval
cmd_net_create_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_from_file(ctx, args, RPC_PROC_NET_CREATE, "created");
}

const struct cmd_entry cmd_net_create_entry = {
	.name = "net-create", .summary = "create a network from an XML file",
	.desc = "Create and start a transient network: it disappears when "
	    "destroyed.",
	.opts = file_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_create_exec,
};

/* A call on {"net":N} and its message. */
static enum cmd_retval
net_simple(struct cmd_ctx *ctx, const struct cmd_args *args, int proc,
    struct json_object *o, const char *what)
{
	return net_done(ctx, cmd_call(ctx, proc, o), cmd_get(args, "network"),
	    what);
}

static enum cmd_retval
cmd_net_undefine_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_simple(ctx, args, RPC_PROC_NET_UNDEFINE, net_args(args),
	    "has been undefined");
}

const struct cmd_entry cmd_net_undefine_entry = {
	.name = "net-undefine", .summary = "undefine a persistent network",
	.desc = "Remove a network's persistent definition. An active network "
	    "stays up, transient, until destroyed.",
	.opts = net_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_undefine_exec,
};

static enum cmd_retval
cmd_net_start_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_simple(ctx, args, RPC_PROC_NET_START, net_args(args),
	    "started");
}

const struct cmd_entry cmd_net_start_entry = {
	.name = "net-start", .summary = "start a (previously defined) "
	    "inactive network",
	.desc = "Create the network's bridge and address, its nftables table "
	    "(nat, route and isolated networks) and its dnsmasq (DHCP and "
	    "DNS). Refused when the bridge name is in use or the subnet "
	    "overlaps an active network or a host route.",
	.opts = net_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_start_exec,
};

static const struct cmd_opt destroy_opts[] = {
	OPT_NETWORK,
	{ "force", CMD_OPT_BOOL, 0, "destroy it even if running domains use "
	  "it" },
	{ NULL }
};

static enum cmd_retval
cmd_net_destroy_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = net_args(args);

	rpc_set_bool(o, "force", cmd_has(args, "force"));
	return net_simple(ctx, args, RPC_PROC_NET_DESTROY, o, "destroyed");
}

const struct cmd_entry cmd_net_destroy_entry = {
	.name = "net-destroy", .summary = "destroy (stop) a network",
	.desc = "Stop an active network: its dnsmasq, nftables table and "
	    "bridge are removed. Refused while running domains have "
	    "interfaces on it, unless --force.",
	.opts = destroy_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_destroy_exec,
};

static const struct cmd_opt autostart_opts[] = {
	OPT_NETWORK,
	{ "disable", CMD_OPT_BOOL, 0, "disable autostarting" },
	{ NULL }
};

static enum cmd_retval
cmd_net_autostart_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = net_args(args);
	bool on = !cmd_has(args, "disable");

	rpc_set_bool(o, "autostart", on);
	return net_simple(ctx, args, RPC_PROC_NET_SET_AUTOSTART, o, on ?
	    "marked as autostarted" : "unmarked as autostarted");
}

const struct cmd_entry cmd_net_autostart_entry = {
	.name = "net-autostart", .summary = "autostart a network",
	.desc = "Start the network when vireod starts (before the domains), "
	    "or with --disable no longer.",
	.opts = autostart_opts, .flags = CMD_RW, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_autostart_exec,
};

/* net-update NETWORK COMMAND SECTION XML [--config] [--live] [--current] */

static const struct cmd_opt update_opts[] = {
	OPT_NETWORK,
	{ "command", CMD_OPT_ARG, CMD_OPT_REQ, "type of update (add-first, "
	  "add-last (add), delete)" },
	{ "section", CMD_OPT_ARG, CMD_OPT_REQ, "which section of network "
	  "configuration to update (ip-dhcp-host)" },
	{ "xml", CMD_OPT_ARG, CMD_OPT_REQ, "name of file containing xml (or, "
	  "if it starts with '<', the complete text of the xml element) to "
	  "add/delete" },
	{ "config", CMD_OPT_BOOL, 0, "affect next network startup" },
	{ "live", CMD_OPT_BOOL, 0, "affect running network" },
	{ "current", CMD_OPT_BOOL, 0, "affect current state of network" },
	{ NULL }
};

static const char *const update_excl[][2] = {
	{ "current", "live" },
	{ "current", "config" },
	{ NULL, NULL }
};

static enum cmd_retval
cmd_net_update_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *xmlarg = cmd_get(args, "xml");
	bool live = cmd_has(args, "live"), config = cmd_has(args, "config");
	VR_AUTOFREE char *xml = NULL;
	struct json_object *o;
	const char *what;

	if (xmlarg[0] == '<')
		xml = xstrdup(xmlarg);
	else if ((xml = cmd_read_xml(xmlarg, "network")) == NULL)
		return CMD_ERR;
	o = net_args(args);
	rpc_set_string(o, "command", cmd_get(args, "command"));
	rpc_set_string(o, "section", cmd_get(args, "section"));
	rpc_set_string(o, "xml", xml);
	rpc_set_bool(o, "live", live);
	rpc_set_bool(o, "config", config);
	what = live && config ? "live state and persistent config" :
	    config ? "persistent config" : live ? "live state" :
	    "current state";
	o = cmd_call(ctx, RPC_PROC_NET_UPDATE, o);
	if (o == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(o);
	else
		printf("Updated network %s %s\n", cmd_get(args, "network"),
		    what);
	json_object_put(o);
	return CMD_OK;
}

const struct cmd_entry cmd_net_update_entry = {
	.name = "net-update", .summary = "update parts of an existing network's "
	    "configuration",
	.desc = "Add or delete a static DHCP host (<host mac=... name=... "
	    "ip=.../>, section ip-dhcp-host) in the live network (dnsmasq "
	    "rereads its hosts at once), its persistent definition, or both.",
	.opts = update_opts, .excl = update_excl, .flags = CMD_RW,
	.group = CMD_GROUP_NETWORK, .exec = cmd_net_update_exec,
};

/* net-list [--inactive] [--all] [--name] [--uuid] */

static const struct cmd_opt list_opts[] = {
	{ "inactive", CMD_OPT_BOOL, 0, "list inactive networks" },
	{ "all", CMD_OPT_BOOL, 0, "list inactive & active networks" },
	{ "name", CMD_OPT_BOOL, 0, "list network names only" },
	{ "uuid", CMD_OPT_BOOL, 0, "list uuid's only" },
	{ NULL }
};

static enum cmd_retval
net_list_print(struct json_object *nets, bool names, bool uuids)
{
	static const char *const header[] = { "Name", "State", "Autostart",
	    "Persistent" };
	struct cmd_tab *tab = NULL;
	const char *name, *uuid = "", *row[4];
	bool active, autostart, persistent;
	size_t i, n = json_object_array_length(nets);
	struct json_object *o;

	if (!names && !uuids)
		tab = cmd_tab_new(4, header);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(nets, i);
		active = autostart = persistent = false;
		if (cmd_reply_str(o, "name", &name) < 0 ||
		    cmd_reply_opt_str(o, "uuid", &uuid) < 0 ||
		    cmd_reply_opt_bool(o, "active", &active) < 0 ||
		    cmd_reply_opt_bool(o, "autostart", &autostart) < 0 ||
		    cmd_reply_opt_bool(o, "persistent", &persistent) < 0) {
			cmd_tab_free(tab);
			return CMD_ERR;
		}
		if (tab == NULL) {
			if (uuids)
				printf("%s%s", uuid, names ? " " : "");
			printf("%s\n", names ? name : "");
			continue;
		}
		row[0] = name;
		row[1] = active ? "active" : "inactive";
		row[2] = autostart ? "yes" : "no";
		row[3] = persistent ? "yes" : "no";
		cmd_tab_add(tab, row);
	}
	if (tab != NULL)
		cmd_tab_print(tab);
	cmd_tab_free(tab);
	return CMD_OK;
}

static enum cmd_retval
cmd_net_list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = json_object_new_object(), *ret, *nets;
	bool all = cmd_has(args, "all"), inactive = cmd_has(args, "inactive");
	enum cmd_retval rv = CMD_OK;

	rpc_set_bool(o, "active", all || !inactive);
	rpc_set_bool(o, "inactive", all || inactive);
	if ((ret = cmd_call(ctx, RPC_PROC_NET_LIST, o)) == NULL)
		return CMD_ERR;
	if (!json_object_object_get_ex(ret, "networks", &nets) ||
	    !json_object_is_type(nets, json_type_array)) {
		json_object_put(ret);
		vr_error(VR_ERR_RPC, "the daemon's reply has no 'networks'");
		return CMD_ERR;
	}
	if (ctx->json)
		cmd_print_json(ret);
	else
		rv = net_list_print(nets, cmd_has(args, "name"),
		    cmd_has(args, "uuid"));
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_net_list_entry = {
	.name = "net-list", .summary = "list networks",
	.desc = "List the active networks (with --inactive the inactive ones, "
	    "with --all both) by name.",
	.opts = list_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_list_exec,
};

/* net-info, net-uuid, net-name: from the network's info */

/* The info, or NULL when it failed or was printed as JSON (*rv set). */
static struct json_object *
net_info_get(struct cmd_ctx *ctx, const struct cmd_args *args,
    enum cmd_retval *rv)
{
	struct json_object *info = cmd_call(ctx, RPC_PROC_NET_GET_INFO,
	    net_args(args));

	*rv = info != NULL ? CMD_OK : CMD_ERR;
	if (info != NULL && ctx->json) {
		cmd_print_json(info);
		json_object_put(info);
		return NULL;
	}
	return info;
}

#define INFO_LINE(label, fmt, ...) \
	printf("%-15s " fmt "\n", label, __VA_ARGS__)

static enum cmd_retval
cmd_net_info_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *name, *uuid = "", *bridge = "";
	bool active = false, persistent = false, autostart = false;
	enum cmd_retval rv;
	struct json_object *info = net_info_get(ctx, args, &rv);

	if (info == NULL)
		return rv;
	rv = CMD_ERR;
	if (cmd_reply_str(info, "name", &name) == 0 &&
	    cmd_reply_opt_str(info, "uuid", &uuid) == 0 &&
	    cmd_reply_opt_bool(info, "active", &active) == 0 &&
	    cmd_reply_opt_bool(info, "persistent", &persistent) == 0 &&
	    cmd_reply_opt_bool(info, "autostart", &autostart) == 0 &&
	    cmd_reply_opt_str(info, "bridge", &bridge) == 0) {
		INFO_LINE("Name:", "%s", name);
		INFO_LINE("UUID:", "%s", uuid);
		INFO_LINE("Active:", "%s", active ? "yes" : "no");
		INFO_LINE("Persistent:", "%s", persistent ? "yes" : "no");
		INFO_LINE("Autostart:", "%s", autostart ? "yes" : "no");
		INFO_LINE("Bridge:", "%s", bridge);
		rv = CMD_OK;
	}
	json_object_put(info);
	return rv;
}

const struct cmd_entry cmd_net_info_entry = {
	.name = "net-info", .summary = "network information",
	.desc = "Print a network's name, UUID, state, persistence, autostart "
	    "and bridge.",
	.opts = net_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_info_exec,
};

/* One member of the info on a line. */
static enum cmd_retval
net_info_one(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *member)
{
	enum cmd_retval rv;
	struct json_object *info = net_info_get(ctx, args, &rv);
	const char *s;

	if (info == NULL)
		return rv;
	rv = CMD_ERR;
	if (cmd_reply_str(info, member, &s) == 0) {
		printf("%s\n", s);
		rv = CMD_OK;
	}
	json_object_put(info);
	return rv;
}

static enum cmd_retval
cmd_net_uuid_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_info_one(ctx, args, "uuid");
}

const struct cmd_entry cmd_net_uuid_entry = {
	.name = "net-uuid", .summary = "convert a network name to network "
	    "UUID",
	.desc = "Print the UUID of a network given by name.",
	.opts = net_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_uuid_exec,
};

static enum cmd_retval
cmd_net_name_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return net_info_one(ctx, args, "name");
}

const struct cmd_entry cmd_net_name_entry = {
	.name = "net-name", .summary = "convert a network UUID to network "
	    "name",
	.desc = "Print the name of a network given by UUID.",
	.opts = net_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_name_exec,
};

/* net-dumpxml NETWORK [--inactive] */

static const struct cmd_opt dumpxml_opts[] = {
	OPT_NETWORK,
	{ "inactive", CMD_OPT_BOOL, 0, "show inactive defined XML" },
	{ NULL }
};

static enum cmd_retval
cmd_net_dumpxml_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = net_args(args), *ret;
	const char *xml;
	enum cmd_retval rv = CMD_OK;

	rpc_set_bool(o, "inactive", cmd_has(args, "inactive"));
	if ((ret = cmd_call(ctx, RPC_PROC_NET_GET_XML, o)) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else if (cmd_reply_str(ret, "xml", &xml) < 0)
		rv = CMD_ERR;
	else
		cmd_print_text(xml);
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_net_dumpxml_entry = {
	.name = "net-dumpxml", .summary = "network information in XML",
	.desc = "Print the XML of a network: the live one if it is active, "
	    "the persistent one with --inactive.",
	.opts = dumpxml_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_dumpxml_exec,
};

/* net-dhcp-leases NETWORK [--mac MAC] */

static const struct cmd_opt leases_opts[] = {
	OPT_NETWORK,
	{ "mac", CMD_OPT_STRING, 0, "MAC address" },
	{ NULL }
};

static enum cmd_retval
net_leases_print(struct json_object *leases)
{
	static const char *const header[] = { "Expiry Time", "MAC address",
	    "Protocol", "IP address", "Hostname", "Client ID or DUID" };
	size_t i, n = json_object_array_length(leases);
	struct cmd_tab *tab = cmd_tab_new(6, header);
	const char *mac, *ip, *host, *cid, *type, *row[6];
	char when[32], addr[64];
	int64_t expiry, prefix;
	struct json_object *l;
	struct tm tm;
	time_t t;

	for (i = 0; i < n; i++) {
		l = json_object_array_get_idx(leases, i);
		host = cid = "-";
		type = "ipv4";
		expiry = prefix = 0;
		if (cmd_reply_str(l, "mac", &mac) < 0 ||
		    cmd_reply_str(l, "ip", &ip) < 0 ||
		    cmd_reply_opt_i64(l, "expiry", &expiry) < 0 ||
		    cmd_reply_opt_i64(l, "prefix", &prefix) < 0 ||
		    cmd_reply_opt_str(l, "hostname", &host) < 0 ||
		    cmd_reply_opt_str(l, "client_id", &cid) < 0 ||
		    cmd_reply_opt_str(l, "type", &type) < 0) {
			cmd_tab_free(tab);
			return CMD_ERR;
		}
		t = (time_t)expiry;
		if (expiry == 0)
			snprintf(when, sizeof when, "never");
		else
			strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S",
			    localtime_r(&t, &tm));
		snprintf(addr, sizeof addr, "%s/%lld", ip, (long long)prefix);
		row[0] = when;
		row[1] = mac[0] != '\0' ? mac : "-";
		row[2] = type;
		row[3] = addr;
		row[4] = host;
		row[5] = cid;
		cmd_tab_add(tab, row);
	}
	cmd_tab_print(tab);
	cmd_tab_free(tab);
	return CMD_OK;
}

static enum cmd_retval
cmd_net_dhcp_leases_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *o = net_args(args), *ret, *leases;
	enum cmd_retval rv = CMD_OK;

	if (cmd_has(args, "mac"))
		rpc_set_string(o, "mac", cmd_get(args, "mac"));
	if ((ret = cmd_call(ctx, RPC_PROC_NET_GET_DHCP_LEASES, o)) == NULL)
		return CMD_ERR;
	if (!json_object_object_get_ex(ret, "leases", &leases) ||
	    !json_object_is_type(leases, json_type_array)) {
		json_object_put(ret);
		vr_error(VR_ERR_RPC, "the daemon's reply has no 'leases'");
		return CMD_ERR;
	}
	if (ctx->json)
		cmd_print_json(ret);
	else
		rv = net_leases_print(leases);
	json_object_put(ret);
	return rv;
}

const struct cmd_entry cmd_net_dhcp_leases_entry = {
	.name = "net-dhcp-leases", .summary = "print lease info for a given "
	    "network",
	.desc = "Print the DHCP leases dnsmasq handed out on an active "
	    "network, or only those of --mac.",
	.opts = leases_opts, .flags = CMD_RO, .group = CMD_GROUP_NETWORK,
	.exec = cmd_net_dhcp_leases_exec,
};
