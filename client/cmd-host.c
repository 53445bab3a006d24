/* Host and connection: version, uri, hostname, nodeinfo, capabilities. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "conn.h"
#include "err.h"
#include "output.h"
#include "rpc.h"
#include "transport.h"
#include "xmalloc.h"

static const struct cmd_opt no_opts[] = {
	{ NULL }
};

/* Print ret as JSON, or call print on it. */
static enum cmd_retval
host_show(struct cmd_ctx *ctx, int proc,
    enum cmd_retval (*print)(struct json_object *))
{
	struct json_object *ret;
	enum cmd_retval rv = CMD_OK;

	if ((ret = cmd_call(ctx, proc, NULL)) == NULL)
		return CMD_ERR;
	if (ctx->json)
		cmd_print_json(ret);
	else
		rv = print(ret);
	json_object_put(ret);
	return rv;
}

/* version [--daemon] */

static const struct cmd_opt version_opts[] = {
	{ "daemon", CMD_OPT_BOOL, 0, "report daemon version too" },
	{ NULL }
};

static enum cmd_retval
cmd_version_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct json_object *ret;
	const char *daemon = NULL, *hv = "QEMU", *hv_version = NULL;

	if ((ret = cmd_call(ctx, RPC_PROC_CONNECT_GET_VERSION, NULL)) == NULL)
		return CMD_ERR;
	if (ctx->json) {
		cmd_print_json(ret);
		json_object_put(ret);
		return CMD_OK;
	}
	if (cmd_reply_str(ret, "daemon", &daemon) < 0 ||
	    cmd_reply_opt_str(ret, "hypervisor", &hv) < 0 ||
	    cmd_reply_opt_str(ret, "hypervisor_version", &hv_version) < 0) {
		json_object_put(ret);
		return CMD_ERR;
	}
	printf("Compiled against library: vireo %s\n", PACKAGE_VERSION);
	printf("Using library: vireo %s\n", PACKAGE_VERSION);
	printf("Using API: %s %s\n", hv, PACKAGE_VERSION);
	if (hv_version != NULL)
		printf("Running hypervisor: %s %s\n", hv, hv_version);
	else
		printf("Running hypervisor: %s (version unknown)\n", hv);
	if (cmd_has(args, "daemon"))
		printf("Running against daemon: %s\n", daemon);
	json_object_put(ret);
	return CMD_OK;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version", .summary = "show version",
	.desc = "Print the versions of vireo, of the hypervisor and, with "
	    "--daemon, of vireod.",
	.opts = version_opts, .flags = CMD_RO, .group = CMD_GROUP_HOST,
	.exec = cmd_version_exec,
};

/* uri: needs no daemon */

static enum cmd_retval
cmd_uri_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct vr_uri *u;
	struct json_object *o;

	(void)args;
	if ((u = vr_uri_parse(ctx->uri)) == NULL)
		return CMD_ERR;
	vr_uri_free(u);
	if (ctx->json) {
		o = json_object_new_object();
		rpc_set_string(o, "uri", ctx->uri);
		cmd_print_json(o);
		json_object_put(o);
	} else
		printf("%s\n", ctx->uri);
	return CMD_OK;
}

const struct cmd_entry cmd_uri_entry = {
	.name = "uri", .summary = "print the hypervisor canonical URI",
	.desc = "Print the connection URI in use (from -c, VIREO_DEFAULT_URI "
	    "or the default vireo:///system) without connecting.",
	.opts = no_opts, .flags = CMD_RO, .group = CMD_GROUP_HOST,
	.exec = cmd_uri_exec,
};

/* hostname */

static enum cmd_retval
hostname_print(struct json_object *ret)
{
	const char *name;

	if (cmd_reply_str(ret, "hostname", &name) < 0)
		return CMD_ERR;
	printf("%s\n", name);
	return CMD_OK;
}

static enum cmd_retval
cmd_hostname_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	(void)args;
	return host_show(ctx, RPC_PROC_CONNECT_GET_HOSTNAME, hostname_print);
}

const struct cmd_entry cmd_hostname_entry = {
	.name = "hostname", .summary = "print the hypervisor hostname",
	.desc = "Print the host name of the machine vireod runs on.",
	.opts = no_opts, .flags = CMD_RO, .group = CMD_GROUP_HOST,
	.exec = cmd_hostname_exec,
};

/* nodeinfo */

#define NODE_LINE(label, fmt, ...) \
	printf("%-20s " fmt "\n", label, __VA_ARGS__)

static void
nodeinfo_kvm(struct json_object *ret)
{
	const char *module = NULL, *reason = NULL;
	bool usable = false;

	if (cmd_reply_opt_str(ret, "kvm_module", &module) < 0 ||
	    cmd_reply_opt_bool(ret, "kvm_usable", &usable) < 0 ||
	    cmd_reply_opt_str(ret, "kvm_reason", &reason) < 0)
		vr_error_reset();
	if (module == NULL) {
		NODE_LINE("KVM:", "%s", "not available (no kvm module "
		    "loaded)");
		return;
	}
	if (usable) {
		NODE_LINE("KVM:", "%s (usable)", module);
		return;
	}
	if (reason == NULL)
		reason = strcmp(module, "kvm_pvm") == 0 ?
		    "paravirtual nested KVM" : "/dev/kvm is not usable";
	NODE_LINE("KVM:", "%s (not usable for guests: %s)", module, reason);
}

static enum cmd_retval
nodeinfo_print(struct json_object *ret)
{
	const char *model = "";
	int64_t cpus = 0, mhz = 0, sockets = 0, cores = 0, threads = 0;
	int64_t nodes = 0, mem = 0;

	if (cmd_reply_opt_str(ret, "model", &model) < 0 ||
	    cmd_reply_i64(ret, "cpus", &cpus) < 0 ||
	    cmd_reply_opt_i64(ret, "mhz", &mhz) < 0 ||
	    cmd_reply_opt_i64(ret, "sockets", &sockets) < 0 ||
	    cmd_reply_opt_i64(ret, "cores", &cores) < 0 ||
	    cmd_reply_opt_i64(ret, "threads", &threads) < 0 ||
	    cmd_reply_opt_i64(ret, "nodes", &nodes) < 0 ||
	    cmd_reply_i64(ret, "memory_kib", &mem) < 0)
		return CMD_ERR;
	NODE_LINE("CPU model:", "%s", model);
	NODE_LINE("CPU(s):", "%lld", (long long)cpus);
	if (mhz != 0)
		NODE_LINE("CPU frequency:", "%lld MHz", (long long)mhz);
	NODE_LINE("CPU socket(s):", "%lld", (long long)sockets);
	NODE_LINE("Core(s) per socket:", "%lld", (long long)cores);
	NODE_LINE("Thread(s) per core:", "%lld", (long long)threads);
	NODE_LINE("NUMA cell(s):", "%lld", (long long)nodes);
	NODE_LINE("Memory size:", "%lld KiB", (long long)mem);
	nodeinfo_kvm(ret);
	return CMD_OK;
}

static enum cmd_retval
cmd_nodeinfo_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	(void)args;
	return host_show(ctx, RPC_PROC_NODE_GET_INFO, nodeinfo_print);
}

const struct cmd_entry cmd_nodeinfo_entry = {
	.name = "nodeinfo", .summary = "node information",
	.desc = "Print the host's CPUs, memory and NUMA cells, and whether "
	    "KVM can run guests.",
	.opts = no_opts, .flags = CMD_RO, .group = CMD_GROUP_HOST,
	.exec = cmd_nodeinfo_exec,
};

/* capabilities */

static enum cmd_retval
capabilities_print(struct json_object *ret)
{
	const char *xml;

	if (cmd_reply_str(ret, "xml", &xml) < 0)
		return CMD_ERR;
	cmd_print_text(xml);
	return CMD_OK;
}

static enum cmd_retval
cmd_capabilities_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	(void)args;
	return host_show(ctx, RPC_PROC_CONNECT_GET_CAPABILITIES,
	    capabilities_print);
}

const struct cmd_entry cmd_capabilities_entry = {
	.name = "capabilities", .summary = "capabilities",
	.desc = "Print the capabilities of the host and hypervisor as XML.",
	.opts = no_opts, .flags = CMD_RO, .group = CMD_GROUP_HOST,
	.exec = cmd_capabilities_exec,
};
