/*
 * RPC procedures of save and restore: decode the arguments, call the
 * domain driver, encode its result (rpc-proto.h documents each).
 */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "dispatch.h"
#include "driver.h"
#include "err.h"
#include "proc-save.h"
#include "rpc.h"
#include "server.h"
#include "xmalloc.h"

static const struct vr_dom_driver *drv;

void
vd_proc_save_init(const struct vr_dom_driver *d)
{
	drv = d;
}

static struct vr_caller
caller(struct vd_client *c)
{
	struct vr_caller who = { vd_client_uid(c), vd_client_gid(c) };

	return who;
}

/* {"running","paused"} -> VR_DOM_SAVE_* */
static int
save_flags(struct json_object *args, unsigned int *flags)
{
	bool running = false, paused = false;

	if (rpc_get_bool(args, "running", false, &running) < 0 ||
	    rpc_get_bool(args, "paused", false, &paused) < 0)
		return -1;
	*flags = (running ? VR_DOM_SAVE_RUNNING : 0) |
	    (paused ? VR_DOM_SAVE_PAUSED : 0);
	return 0;
}

int
vd_proc_dom_save(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_caller who;
	const char *dom, *file;
	unsigned int flags;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "file", true, &file) < 0 ||
	    save_flags(args, &flags) < 0)
		return -1;
	who = caller(c);
	return drv->save(dom, file, flags, &who);
}

int
vd_proc_dom_restore(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_info info;
	struct vr_caller who = caller(c);
	const char *file;
	unsigned int flags;

	if (rpc_get_string(args, "file", true, &file) < 0 ||
	    save_flags(args, &flags) < 0 ||
	    drv->restore(file, flags, &who, &info) < 0)
		return -1;
	vd_dom_info_to_json(&info, ret);
	return 0;
}

int
vd_proc_dom_managed_save(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	unsigned int flags;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    save_flags(args, &flags) < 0)
		return -1;
	return drv->managed_save(dom, flags);
}

int
vd_proc_dom_managed_save_remove(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;

	if (rpc_get_string(args, "dom", true, &dom) < 0)
		return -1;
	return drv->managed_save_remove(dom);
}

int
vd_proc_dom_has_managed_save(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	int has;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    (has = drv->has_managed_save(dom)) < 0)
		return -1;
	rpc_set_bool(ret, "managed_save", has == 1);
	return 0;
}

int
vd_proc_dom_save_image_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	struct vr_caller who = caller(c);
	const char *file;
	bool secure = false;

	if (rpc_get_string(args, "file", true, &file) < 0 ||
	    rpc_get_bool(args, "secure", false, &secure) < 0 ||
	    (xml = drv->save_image_get_xml(file, secure ?
	    VR_DOM_SAVE_XML_SECURE : 0, &who)) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}

int
vd_proc_dom_undefine_flags(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	bool managed = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "managed_save", false, &managed) < 0)
		return -1;
	return drv->undefine_flags(dom, managed ?
	    VR_DOM_UNDEFINE_MANAGED_SAVE : 0);
}
