/*
 * The one dispatcher: checks the envelope (type, version, id, procedure),
 * refuses mutations on the read-only socket, decodes arguments, calls the
 * driver and turns its result or error into the reply. Fast read-only
 * procedures run on the loop thread; everything else on a worker.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "dispatch.h"
#include "driver.h"
#include "err.h"
#include "log.h"
#include "node.h"
#include "proc-device.h"
#include "proc-guest.h"
#include "proc-migrate.h"
#include "proc-net.h"
#include "proc-stats.h"
#include "proc-save.h"
#include "proc-snapshot.h"
#include "proc-storage.h"
#include "rpc.h"
#include "server.h"
#include "stream.h"
#include "proc-stream.h"
#include "util.h"
#include "workers.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon.dispatch");

/* Handlers: fill *ret (an object created for them) or fail with vr_error. */
typedef int (*proc_fn)(struct vd_client *, struct json_object *args,
    struct json_object *ret);

/* Handlers that open a data stream also get the call's id (stream.h). */
typedef int (*stream_proc_fn)(struct vd_client *, uint64_t id,
    struct json_object *args, struct json_object *ret);

#define PROC_RW		0x1	/* mutates: refused on the read-only socket */
#define PROC_INLINE	0x2	/* cheap and non-blocking: run on the loop */

struct proc_entry {
	const char	*name;
	proc_fn		 fn;
	unsigned int	 flags;
	stream_proc_fn	 stream_fn;	/* instead of fn */
};

static const struct vr_dom_driver *drv;

struct call {
	struct vd_client	*client;
	uint64_t		 id;
	const struct proc_entry	*proc;
	struct json_object	*args;
};

/* Fields of a domain info object, in wire order. */
enum info_field {
	F_ID, F_NAME, F_UUID, F_STATE, F_REASON, F_MAX_MEM, F_MEM, F_VCPUS,
	F_CPU_TIME, F_PERSISTENT, F_AUTOSTART, F_OS_TYPE, F_VIRT, F_LAST
};

static const char *const info_fields[F_LAST] = {
	"id", "name", "uuid", "state", "reason", "max_mem_kib", "mem_kib",
	"vcpus", "cpu_time_ns", "persistent", "autostart", "os_type", "virt",
};

#define INFO_ALL	((1u << F_LAST) - 1)

static struct json_object *
info_value(const struct vr_dom_info *info, int field)
{
	char uuid[VR_UUID_BUFLEN];

	switch ((enum info_field)field) {
	case F_ID:
		return json_object_new_int64(info->id);
	case F_NAME:
		return json_object_new_string(info->name);
	case F_UUID:
		vr_uuid_format(info->uuid, uuid);
		return json_object_new_string(uuid);
	case F_STATE:
		return json_object_new_string(vr_dom_state_name(info->state));
	case F_REASON:
		return json_object_new_string(info->reason);
	case F_MAX_MEM:
		return json_object_new_int64((int64_t)info->max_mem_kib);
	case F_MEM:
		return json_object_new_int64((int64_t)info->mem_kib);
	case F_VCPUS:
		return json_object_new_int64(info->vcpus);
	case F_CPU_TIME:
		return json_object_new_int64((int64_t)info->cpu_time_ns);
	case F_PERSISTENT:
		return json_object_new_boolean(info->persistent);
	case F_AUTOSTART:
		return json_object_new_boolean(info->autostart);
	case F_OS_TYPE:
		return json_object_new_string("hvm");
	case F_VIRT:
		return json_object_new_string(info->virt == 1 ? "kvm" :
		    "qemu");
	case F_LAST:
		break;
	}
	return NULL;
}

static void
info_to_json(const struct vr_dom_info *info, struct json_object *o,
    unsigned int mask)
{
	int k;

	for (k = 0; k < F_LAST; k++)
		if (mask & 1u << k)
			json_object_object_add(o, info_fields[k],
			    info_value(info, k));
}

void
vd_dom_info_to_json(const struct vr_dom_info *info, struct json_object *o)
{
	info_to_json(info, o, INFO_ALL);
}

/* The selected members as an array, in info_fields order. */
static struct json_object *
info_to_row(const struct vr_dom_info *info, unsigned int mask)
{
	struct json_object *row = json_object_new_array_ext(F_LAST);
	int k;

	for (k = 0; k < F_LAST; k++)
		if (mask & 1u << k)
			json_object_array_add(row, info_value(info, k));
	return row;
}

/* Optional "fields": ["id","name",...] selecting info members. */
static int
info_mask(struct json_object *args, unsigned int *mask)
{
	return rpc_get_fields(args, info_fields, F_LAST, mask);
}

/* virsh's order: running domains by id, then the others by name. */
static int
info_cmp(const void *a, const void *b)
{
	const struct vr_dom_info *x = a, *y = b;

	if (x->id >= 0 && y->id >= 0)
		return x->id < y->id ? -1 : x->id > y->id;
	if (x->id >= 0 || y->id >= 0)
		return x->id >= 0 ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Connection and host */

static int
proc_get_version(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	char ver[32];

	drv->hypervisor_version(ver, sizeof ver);
	rpc_set_string(ret, "daemon", PACKAGE_VERSION);
	rpc_set_i64(ret, "protocol", RPC_PROTOCOL_VERSION);
	rpc_set_string(ret, "hypervisor", "QEMU");
	rpc_set_string(ret, "hypervisor_version", ver);
	return 0;
}

static int
proc_get_hostname(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	char host[256];

	if (gethostname(host, sizeof host) < 0) {
		vr_error_system(errno, "gethostname");
		return -1;
	}
	host[sizeof host - 1] = '\0';
	rpc_set_string(ret, "hostname", host);
	return 0;
}

static int
proc_node_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return vd_node_info(ret);
}

static int
proc_capabilities(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = drv->capabilities();

	if (xml == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}

static int
proc_identity(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	rpc_set_bool(ret, "readonly", vd_client_readonly(c));
	rpc_set_i64(ret, "uid", (int64_t)vd_client_uid(c));
	return 0;
}

/* Domains */

static int
proc_dom_define(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_info info;
	const char *xml;

	if (rpc_get_string(args, "xml", true, &xml) < 0 ||
	    drv->define(xml, &info) < 0)
		return -1;
	info_to_json(&info, ret, INFO_ALL);
	return 0;
}

static int
proc_dom_create(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_info info;
	const char *xml;
	bool paused = false;

	if (rpc_get_string(args, "xml", true, &xml) < 0 ||
	    rpc_get_bool(args, "paused", false, &paused) < 0 ||
	    drv->create(xml, paused, &info) < 0)
		return -1;
	info_to_json(&info, ret, INFO_ALL);
	return 0;
}

static int
proc_dom_start(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_info info;
	const char *dom;
	bool paused = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "paused", false, &paused) < 0 ||
	    drv->start(dom, paused, &info) < 0)
		return -1;
	info_to_json(&info, ret, INFO_ALL);
	return 0;
}

/* The procedures that take just a domain. */
#define DOM_ONLY_PROC(fname, call)					\
static int								\
fname(struct vd_client *c, struct json_object *args,			\
    struct json_object *ret)						\
{									\
	const char *dom;						\
									\
	if (rpc_get_string(args, "dom", true, &dom) < 0)		\
		return -1;						\
	return call;							\
}

DOM_ONLY_PROC(proc_dom_undefine, drv->undefine(dom))
DOM_ONLY_PROC(proc_dom_shutdown, drv->shutdown(dom))
DOM_ONLY_PROC(proc_dom_reboot, drv->reboot(dom))
DOM_ONLY_PROC(proc_dom_reset, drv->reset(dom))
DOM_ONLY_PROC(proc_dom_suspend, drv->suspend(dom))
DOM_ONLY_PROC(proc_dom_resume, drv->resume(dom))

static int
proc_dom_destroy(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	bool graceful = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "graceful", false, &graceful) < 0)
		return -1;
	return drv->destroy(dom, graceful);
}

static int
mem_args(struct json_object *args, const char **dom, uint64_t *kib,
    unsigned int *flags)
{
	bool live = false, config = false;

	if (rpc_get_string(args, "dom", true, dom) < 0 ||
	    rpc_get_u64(args, "kib", true, kib) < 0 ||
	    rpc_get_bool(args, "live", false, &live) < 0 ||
	    rpc_get_bool(args, "config", false, &config) < 0)
		return -1;
	*flags = (live ? VR_DOM_AFFECT_LIVE : 0) |
	    (config ? VR_DOM_AFFECT_CONFIG : 0);
	return 0;
}

static int
proc_dom_set_memory(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	uint64_t kib;
	unsigned int flags;

	if (mem_args(args, &dom, &kib, &flags) < 0)
		return -1;
	return drv->set_memory(dom, kib, flags);
}

static int
proc_dom_set_max_memory(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	uint64_t kib;
	unsigned int flags;

	if (mem_args(args, &dom, &kib, &flags) < 0)
		return -1;
	return drv->set_max_memory(dom, kib, flags);
}

static int
proc_dom_set_autostart(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	bool on;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "autostart", true, &on) < 0)
		return -1;
	return drv->set_autostart(dom, on);
}

static int
proc_dom_list(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE struct vr_dom_info *infos = NULL;
	struct json_object *arr;
	bool active = false, inactive = false;
	size_t n, i;

	unsigned int mask;

	if (rpc_get_bool(args, "active", false, &active) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0 ||
	    info_mask(args, &mask) < 0)
		return -1;
	if (drv->list((active ? VR_DOM_LIST_ACTIVE : 0) |
	    (inactive ? VR_DOM_LIST_INACTIVE : 0), &infos, &n) < 0)
		return -1;
	qsort(infos, n, sizeof *infos, info_cmp);
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		struct json_object *o;

		if (mask != INFO_ALL) {
			json_object_array_add(arr, info_to_row(&infos[i],
			    mask));
			continue;
		}
		o = json_object_new_object();
		info_to_json(&infos[i], o, mask);
		json_object_array_add(arr, o);
	}
	json_object_object_add(ret, "domains", arr);
	return 0;
}

static int
proc_dom_get_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_info info;
	const char *dom;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    drv->get_info(dom, &info) < 0)
		return -1;
	info_to_json(&info, ret, INFO_ALL);
	return 0;
}

static int
proc_dom_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	const char *dom;
	bool inactive = false, secure = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0 ||
	    rpc_get_bool(args, "secure", false, &secure) < 0)
		return -1;
	if (secure && vd_client_readonly(c)) {
		vr_error(VR_ERR_OPERATION_DENIED, "--security-info is not "
		    "allowed on a read-only connection");
		return -1;
	}
	if ((xml = drv->get_xml(dom, (inactive ? VR_DOM_XML_INACTIVE : 0) |
	    (secure ? VR_DOM_XML_SECURE : 0))) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}

static int
proc_dom_xml_to_native(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct json_object *arr;
	const char *xml;
	char **argv;
	size_t i;

	if (rpc_get_string(args, "xml", true, &xml) < 0 ||
	    (argv = drv->xml_to_argv(xml)) == NULL)
		return -1;
	arr = json_object_new_array();
	for (i = 0; argv[i] != NULL; i++) {
		json_object_array_add(arr, json_object_new_string(argv[i]));
		free(argv[i]);
	}
	free(argv);
	json_object_object_add(ret, "argv", arr);
	return 0;
}

static int
proc_event_subscribe(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	vd_client_subscribe(c);
	return 0;
}

static const struct proc_entry procs[RPC_PROC_LAST] = {
	[RPC_PROC_CONNECT_GET_VERSION] = { "connect-get-version",
	    proc_get_version, 0 },
	[RPC_PROC_CONNECT_GET_HOSTNAME] = { "connect-get-hostname",
	    proc_get_hostname, PROC_INLINE },
	[RPC_PROC_NODE_GET_INFO] = { "node-get-info", proc_node_info,
	    PROC_INLINE },
	[RPC_PROC_CONNECT_GET_CAPABILITIES] = { "connect-get-capabilities",
	    proc_capabilities, 0 },
	[RPC_PROC_CONNECT_GET_IDENTITY] = { "connect-get-identity",
	    proc_identity, PROC_INLINE },
	[RPC_PROC_DOM_DEFINE] = { "dom-define", proc_dom_define, PROC_RW },
	[RPC_PROC_DOM_UNDEFINE] = { "dom-undefine", proc_dom_undefine,
	    PROC_RW },
	[RPC_PROC_DOM_CREATE] = { "dom-create", proc_dom_create, PROC_RW },
	[RPC_PROC_DOM_START] = { "dom-start", proc_dom_start, PROC_RW },
	[RPC_PROC_DOM_SHUTDOWN] = { "dom-shutdown", proc_dom_shutdown,
	    PROC_RW },
	[RPC_PROC_DOM_DESTROY] = { "dom-destroy", proc_dom_destroy,
	    PROC_RW },
	[RPC_PROC_DOM_REBOOT] = { "dom-reboot", proc_dom_reboot, PROC_RW },
	[RPC_PROC_DOM_RESET] = { "dom-reset", proc_dom_reset, PROC_RW },
	[RPC_PROC_DOM_SUSPEND] = { "dom-suspend", proc_dom_suspend,
	    PROC_RW },
	[RPC_PROC_DOM_RESUME] = { "dom-resume", proc_dom_resume, PROC_RW },
	[RPC_PROC_DOM_SET_MEMORY] = { "dom-set-memory", proc_dom_set_memory,
	    PROC_RW },
	[RPC_PROC_DOM_SET_MAX_MEMORY] = { "dom-set-max-memory",
	    proc_dom_set_max_memory, PROC_RW },
	[RPC_PROC_DOM_SET_AUTOSTART] = { "dom-set-autostart",
	    proc_dom_set_autostart, PROC_RW },
	[RPC_PROC_DOM_LIST] = { "dom-list", proc_dom_list, PROC_INLINE },
	[RPC_PROC_DOM_GET_INFO] = { "dom-get-info", proc_dom_get_info,
	    PROC_INLINE },
	/* a running domain's asks QEMU for its disks' backing chains */
	[RPC_PROC_DOM_GET_XML] = { "dom-get-xml", proc_dom_get_xml, 0 },
	[RPC_PROC_DOM_XML_TO_NATIVE] = { "dom-xml-to-native",
	    proc_dom_xml_to_native, 0 },
	[RPC_PROC_EVENT_SUBSCRIBE] = { "event-subscribe",
	    proc_event_subscribe, PROC_INLINE },
	[RPC_PROC_NET_DEFINE] = { "net-define", vd_proc_net_define, PROC_RW },
	[RPC_PROC_NET_UNDEFINE] = { "net-undefine", vd_proc_net_undefine,
	    PROC_RW },
	[RPC_PROC_NET_CREATE] = { "net-create", vd_proc_net_create, PROC_RW },
	[RPC_PROC_NET_START] = { "net-start", vd_proc_net_start, PROC_RW },
	[RPC_PROC_NET_DESTROY] = { "net-destroy", vd_proc_net_destroy,
	    PROC_RW },
	[RPC_PROC_NET_SET_AUTOSTART] = { "net-set-autostart",
	    vd_proc_net_set_autostart, PROC_RW },
	[RPC_PROC_NET_UPDATE] = { "net-update", vd_proc_net_update, PROC_RW },
	/* reads wait for the driver lock behind a network change: workers */
	[RPC_PROC_NET_LIST] = { "net-list", vd_proc_net_list, 0 },
	[RPC_PROC_NET_GET_INFO] = { "net-get-info", vd_proc_net_get_info, 0 },
	[RPC_PROC_NET_GET_XML] = { "net-get-xml", vd_proc_net_get_xml, 0 },
	[RPC_PROC_NET_GET_DHCP_LEASES] = { "net-get-dhcp-leases",
	    vd_proc_net_get_dhcp_leases, 0 },
	[RPC_PROC_POOL_DEFINE] = { "pool-define", vd_proc_pool_define,
	    PROC_RW },
	[RPC_PROC_POOL_UNDEFINE] = { "pool-undefine", vd_proc_pool_undefine,
	    PROC_RW },
	[RPC_PROC_POOL_CREATE] = { "pool-create", vd_proc_pool_create,
	    PROC_RW },
	[RPC_PROC_POOL_BUILD] = { "pool-build", vd_proc_pool_build, PROC_RW },
	[RPC_PROC_POOL_START] = { "pool-start", vd_proc_pool_start, PROC_RW },
	[RPC_PROC_POOL_DESTROY] = { "pool-destroy", vd_proc_pool_destroy,
	    PROC_RW },
	[RPC_PROC_POOL_DELETE] = { "pool-delete", vd_proc_pool_delete,
	    PROC_RW },
	[RPC_PROC_POOL_REFRESH] = { "pool-refresh", vd_proc_pool_refresh,
	    PROC_RW },
	[RPC_PROC_POOL_SET_AUTOSTART] = { "pool-set-autostart",
	    vd_proc_pool_set_autostart, PROC_RW },
	[RPC_PROC_POOL_LIST] = { "pool-list", vd_proc_pool_list,
	    PROC_INLINE },
	[RPC_PROC_POOL_GET_INFO] = { "pool-get-info", vd_proc_pool_get_info,
	    PROC_INLINE },
	[RPC_PROC_POOL_GET_XML] = { "pool-get-xml", vd_proc_pool_get_xml,
	    PROC_INLINE },
	[RPC_PROC_VOL_CREATE] = { "vol-create", vd_proc_vol_create, PROC_RW },
	[RPC_PROC_VOL_CREATE_AS] = { "vol-create-as", vd_proc_vol_create_as,
	    PROC_RW },
	[RPC_PROC_VOL_CLONE] = { "vol-clone", vd_proc_vol_clone, PROC_RW },
	[RPC_PROC_VOL_DELETE] = { "vol-delete", vd_proc_vol_delete, PROC_RW },
	[RPC_PROC_VOL_WIPE] = { "vol-wipe", vd_proc_vol_wipe, PROC_RW },
	[RPC_PROC_VOL_RESIZE] = { "vol-resize", vd_proc_vol_resize, PROC_RW },
	/* 10,000 volumes take milliseconds: not on the loop */
	[RPC_PROC_VOL_LIST] = { "vol-list", vd_proc_vol_list, 0 },
	[RPC_PROC_VOL_GET_INFO] = { "vol-get-info", vd_proc_vol_get_info,
	    PROC_INLINE },
	[RPC_PROC_VOL_GET_XML] = { "vol-get-xml", vd_proc_vol_get_xml,
	    PROC_INLINE },
	/* device hotplug */
	[RPC_PROC_DOM_ATTACH_DEVICE] = { "dom-attach-device",
	    vd_proc_dom_attach_device, PROC_RW },
	[RPC_PROC_DOM_DETACH_DEVICE] = { "dom-detach-device",
	    vd_proc_dom_detach_device, PROC_RW },
	[RPC_PROC_DOM_UPDATE_DEVICE] = { "dom-update-device",
	    vd_proc_dom_update_device, PROC_RW },
	[RPC_PROC_DOM_CHANGE_MEDIA] = { "dom-change-media",
	    vd_proc_dom_change_media, PROC_RW },
	/* Data streams: reading a volume or a console is not for read-only
	 * clients either (virsh refuses both). */
	[RPC_PROC_VOL_UPLOAD] = { "vol-upload", NULL, PROC_RW,
	    vd_proc_vol_upload },
	[RPC_PROC_VOL_DOWNLOAD] = { "vol-download", NULL, PROC_RW,
	    vd_proc_vol_download },
	[RPC_PROC_DOM_OPEN_CONSOLE] = { "dom-open-console", NULL, PROC_RW,
	    vd_proc_dom_open_console },
	/* vCPUs and statistics: those asking QEMU run on workers */
	[RPC_PROC_DOM_SET_VCPUS] = { "dom-set-vcpus", vd_proc_dom_set_vcpus,
	    PROC_RW },
	[RPC_PROC_DOM_GET_VCPU_COUNT] = { "dom-get-vcpu-count",
	    vd_proc_dom_get_vcpu_count, PROC_INLINE },
	[RPC_PROC_DOM_GET_VCPU_INFO] = { "dom-get-vcpu-info",
	    vd_proc_dom_get_vcpu_info, 0 },
	[RPC_PROC_DOM_PIN] = { "dom-pin", vd_proc_dom_pin, PROC_RW },
	[RPC_PROC_DOM_GET_PINS] = { "dom-get-pins", vd_proc_dom_get_pins,
	    PROC_INLINE },
	[RPC_PROC_DOM_MEMORY_STATS] = { "dom-memory-stats",
	    vd_proc_dom_memory_stats, 0 },
	[RPC_PROC_DOM_SET_MEMSTAT_PERIOD] = { "dom-set-memstat-period",
	    vd_proc_dom_set_memstat_period, PROC_RW },
	/* volume paths come from the storage driver: not on the loop */
	[RPC_PROC_DOM_GET_DEVICES] = { "dom-get-devices",
	    vd_proc_dom_get_devices, 0 },
	[RPC_PROC_DOM_GET_STATS] = { "dom-get-stats", vd_proc_dom_get_stats,
	    0 },
	/* Save and restore (proc-save.c). */
	[RPC_PROC_DOM_SAVE] = { "dom-save", vd_proc_dom_save, PROC_RW },
	[RPC_PROC_DOM_RESTORE] = { "dom-restore", vd_proc_dom_restore,
	    PROC_RW },
	[RPC_PROC_DOM_MANAGED_SAVE] = { "dom-managed-save",
	    vd_proc_dom_managed_save, PROC_RW },
	[RPC_PROC_DOM_MANAGED_SAVE_REMOVE] = { "dom-managed-save-remove",
	    vd_proc_dom_managed_save_remove, PROC_RW },
	[RPC_PROC_DOM_HAS_MANAGED_SAVE] = { "dom-has-managed-save",
	    vd_proc_dom_has_managed_save, PROC_INLINE },
	/* reads any file as root: not for the read-only socket */
	[RPC_PROC_DOM_SAVE_IMAGE_GET_XML] = { "dom-save-image-get-xml",
	    vd_proc_dom_save_image_get_xml, PROC_RW },
	[RPC_PROC_DOM_UNDEFINE_FLAGS] = { "dom-undefine-flags",
	    vd_proc_dom_undefine_flags, PROC_RW },
	/* Snapshots (issue 7); reads parse files: on workers */
	[RPC_PROC_SNAPSHOT_CREATE] = { "snapshot-create",
	    vd_proc_snapshot_create, PROC_RW },
	[RPC_PROC_SNAPSHOT_REVERT] = { "snapshot-revert",
	    vd_proc_snapshot_revert, PROC_RW },
	[RPC_PROC_SNAPSHOT_DELETE] = { "snapshot-delete",
	    vd_proc_snapshot_delete, PROC_RW },
	[RPC_PROC_SNAPSHOT_FORGET_ALL] = { "snapshot-forget-all",
	    vd_proc_snapshot_forget_all, PROC_RW },
	[RPC_PROC_SNAPSHOT_LIST] = { "snapshot-list", vd_proc_snapshot_list,
	    0 },
	[RPC_PROC_SNAPSHOT_GET_XML] = { "snapshot-get-xml",
	    vd_proc_snapshot_get_xml, 0 },
	/* display, keyboard, monitor: they reach QEMU, so on workers */
	[RPC_PROC_DOM_SCREENSHOT] = { "dom-screenshot",
	    vd_proc_dom_screenshot, PROC_RW },
	[RPC_PROC_DOM_SEND_KEY] = { "dom-send-key", vd_proc_dom_send_key,
	    PROC_RW },
	[RPC_PROC_DOM_MONITOR_COMMAND] = { "dom-monitor-command",
	    vd_proc_dom_monitor_command, PROC_RW },
	/* Migration (issue 6) */
	[RPC_PROC_DOM_MIGRATE] = { "dom-migrate", vd_proc_dom_migrate,
	    PROC_RW },
	[RPC_PROC_DOM_GET_JOB_INFO] = { "dom-get-job-info",
	    vd_proc_dom_get_job_info, PROC_INLINE },
	[RPC_PROC_DOM_ABORT_JOB] = { "dom-abort-job", vd_proc_dom_abort_job,
	    PROC_RW },
	[RPC_PROC_MIGRATE_PREPARE] = { "migrate-prepare",
	    vd_proc_migrate_prepare, PROC_RW },
	[RPC_PROC_MIGRATE_FINISH] = { "migrate-finish",
	    vd_proc_migrate_finish, PROC_RW },
};

bool
vd_dispatch_has(int proc)
{
	return proc > 0 && proc < RPC_PROC_LAST &&
	    (procs[proc].fn != NULL || procs[proc].stream_fn != NULL);
}

static void
call_run(struct call *call)
{
	struct json_object *ret = json_object_new_object();
	uint64_t t0 = vr_time_us();

	vr_error_reset();
	if ((call->proc->stream_fn != NULL ? call->proc->stream_fn(
	    call->client, call->id, call->args, ret) :
	    call->proc->fn(call->client, call->args, ret)) < 0) {
		int code = vr_error_code();

		json_object_put(ret);
		log_debug("%s failed (%llu us): %s", call->proc->name,
		    (unsigned long long)(vr_time_us() - t0),
		    vr_error_message());
		vd_client_send(call->client, rpc_reply_error(call->id,
		    code != VR_ERR_OK ? code : VR_ERR_INTERNAL,
		    vr_error_message()));
	} else {
		log_debug("%s done (%llu us)", call->proc->name,
		    (unsigned long long)(vr_time_us() - t0));
		vd_client_send(call->client, rpc_reply_ok(call->id, ret));
		/* The reply is queued first: the stream's data follows it. */
		if (call->proc->stream_fn != NULL)
			vd_stream_start(call->client, call->id);
	}
	vd_client_request_done(call->client);
	vd_client_unref(call->client);
	json_object_put(call->args);
	free(call);
}

static void
call_work(void *arg)
{
	call_run(arg);
}

static void
reply_error(struct vd_client *c, uint64_t id, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reply_error(struct vd_client *c, uint64_t id, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	vd_client_send(c, rpc_reply_error(id, code, msg));
}

void
vd_dispatch_frame(struct vd_client *c, char *body, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *msg, *v, *args = NULL;
	const char *type = NULL;
	uint64_t id = 0;
	int64_t proc, version;
	struct call *call;

	msg = json_tokener_parse_ex(tok, body, (int)len);
	if (msg != NULL && tok->char_offset != (int)len) {
		json_object_put(msg);
		msg = NULL;
	}
	json_tokener_free(tok);
	free(body);
	if (msg == NULL || !json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		reply_error(c, 0, VR_ERR_RPC, "malformed message: the frame "
		    "is not a JSON object");
		return;
	}
	if (json_object_object_get_ex(msg, "id", &v) &&
	    json_object_is_type(v, json_type_int))
		id = json_object_get_uint64(v);
	if (rpc_get_string(msg, "type", true, &type) == 0 &&
	    strcmp(type, "stream") == 0) {
		const char *status;

		if (rpc_get_string(msg, "status", true, &status) < 0)
			vd_client_send(c, rpc_stream_msg_new((uint32_t)id,
			    "error", VR_ERR_RPC, vr_error_message()));
		else
			vd_stream_message(c, id, status);
		goto out;
	}
	if (type == NULL || strcmp(type, "call") != 0) {
		reply_error(c, id, VR_ERR_RPC, "malformed message: \"type\" "
		    "must be \"call\"");
		goto out;
	}
	if (rpc_get_i64(msg, "version", true, &version) < 0 ||
	    version != RPC_PROTOCOL_VERSION) {
		reply_error(c, id, VR_ERR_RPC, "unsupported protocol version "
		    "(this daemon speaks version %d)", RPC_PROTOCOL_VERSION);
		goto out;
	}
	if (rpc_get_i64(msg, "proc", true, &proc) < 0) {
		reply_error(c, id, VR_ERR_RPC, "%s", vr_error_message());
		goto out;
	}
	if (proc <= 0 || proc >= RPC_PROC_LAST || (procs[proc].fn == NULL &&
	    procs[proc].stream_fn == NULL)) {
		reply_error(c, id, VR_ERR_RPC, "unknown procedure %lld",
		    (long long)proc);
		goto out;
	}
	if ((procs[proc].flags & PROC_RW) && vd_client_readonly(c)) {
		reply_error(c, id, VR_ERR_OPERATION_DENIED, "operation '%s' "
		    "is forbidden on a read-only connection",
		    procs[proc].name);
		goto out;
	}
	if (json_object_object_get_ex(msg, "args", &args) &&
	    !json_object_is_type(args, json_type_object)) {
		reply_error(c, id, VR_ERR_RPC, "malformed message: \"args\" "
		    "must be an object");
		goto out;
	}
	if (!vd_client_request_begin(c)) {
		reply_error(c, id, VR_ERR_BUSY, "too many requests in flight "
		    "on this connection");
		goto out;
	}
	call = xcalloc(1, sizeof *call);
	vd_client_ref(c);
	call->client = c;
	call->id = id;
	call->proc = &procs[proc];
	call->args = args != NULL ? json_object_get(args) :
	    json_object_new_object();
	if (procs[proc].flags & PROC_INLINE)
		call_run(call);
	else
		vd_workers_submit(call_work, call);
out:
	json_object_put(msg);
}

void
vd_dispatch_init(const struct vr_dom_driver *d,
    const struct vr_storage_driver *sd, unsigned int workers)
{
	drv = d;
	vd_proc_device_init(d);
	vd_proc_stats_init(d);
	vd_proc_guest_init(d);
	vd_proc_storage_init(sd);
	vd_proc_stream_init(d, sd);
	vd_proc_save_init(d);
	vd_proc_snapshot_init(d);
	vd_proc_migrate_init(d);
	vd_workers_start(workers);
}
