/*
 * Device hotplug procedures: attach, detach and update a <disk> or
 * <interface>, change a cdrom's medium. The driver does the work
 * (drivers/qemu/qemu-hotplug.c); here only the arguments are decoded.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "proc-device.h"
#include "rpc.h"

static const struct vr_dom_driver *drv;

void
vd_proc_device_init(const struct vr_dom_driver *d)
{
	drv = d;
}

/* {"dom","live","config","persistent"}: the domain and VR_DOM_AFFECT_*. */
static int
device_args(struct json_object *args, const char **dom, unsigned int *flags)
{
	bool live = false, config = false, persistent = false;

	if (rpc_get_string(args, "dom", true, dom) < 0 ||
	    rpc_get_bool(args, "live", false, &live) < 0 ||
	    rpc_get_bool(args, "config", false, &config) < 0 ||
	    rpc_get_bool(args, "persistent", false, &persistent) < 0)
		return -1;
	*flags = (live ? VR_DOM_AFFECT_LIVE : 0) |
	    (config ? VR_DOM_AFFECT_CONFIG : 0) |
	    (persistent ? VR_DOM_AFFECT_PERSISTENT : 0);
	return 0;
}

static int
device_call(struct json_object *args,
    int (*fn)(const char *, const char *, unsigned int))
{
	const char *dom, *xml;
	unsigned int flags;

	if (fn == NULL) {
		vr_error(VR_ERR_UNSUPPORTED, "the hypervisor driver has no "
		    "device hotplug");
		return -1;
	}
	if (device_args(args, &dom, &flags) < 0 ||
	    rpc_get_string(args, "xml", true, &xml) < 0)
		return -1;
	return fn(dom, xml, flags);
}

int
vd_proc_dom_attach_device(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return device_call(args, drv->attach_device);
}

int
vd_proc_dom_detach_device(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return device_call(args, drv->detach_device);
}

int
vd_proc_dom_update_device(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return device_call(args, drv->update_device);
}

int
vd_proc_dom_change_media(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom, *target, *source = NULL;
	unsigned int flags;
	bool force = false;

	if (drv->change_media == NULL) {
		vr_error(VR_ERR_UNSUPPORTED, "the hypervisor driver has no "
		    "device hotplug");
		return -1;
	}
	if (device_args(args, &dom, &flags) < 0 ||
	    rpc_get_string(args, "target", true, &target) < 0 ||
	    rpc_get_string(args, "source", false, &source) < 0 ||
	    rpc_get_bool(args, "force", false, &force) < 0)
		return -1;
	return drv->change_media(dom, target, source, flags, force);
}
