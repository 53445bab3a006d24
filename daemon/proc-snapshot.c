/*
 * Snapshot procedures: decode the arguments of vireo-protocol(7) 200-219,
 * call the domain driver, fill the reply.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "proc-snapshot.h"
#include "rpc.h"
#include "server.h"
#include "snap-def.h"
#include "util.h"
#include "xmalloc.h"

static const struct vr_dom_driver *drv;

void
vd_proc_snapshot_init(const struct vr_dom_driver *d)
{
	drv = d;
}

static int
dom_snap_args(struct json_object *args, const char **dom, const char **snap)
{
	return rpc_get_string(args, "dom", true, dom) < 0 ||
	    rpc_get_string(args, "snap", true, snap) < 0 ? -1 : 0;
}

int
vd_proc_snapshot_create(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_snap_create_args a = { 0 };
	VR_AUTOFREE char *name = NULL;
	const char *dom;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "name", false, &a.name) < 0 ||
	    rpc_get_string(args, "description", false, &a.description) < 0 ||
	    rpc_get_bool(args, "disk_only", false, &a.disk_only) < 0 ||
	    drv->snapshot_create(dom, &a, &name) < 0)
		return -1;
	rpc_set_string(ret, "name", name);
	return 0;
}

int
vd_proc_snapshot_revert(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom, *snap;

	if (dom_snap_args(args, &dom, &snap) < 0)
		return -1;
	return drv->snapshot_revert(dom, snap);
}

int
vd_proc_snapshot_delete(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	bool children = false, children_only = false, metadata = false;
	struct json_object *arr;
	const char *dom, *snap;
	char **notes = NULL;
	size_t i;
	int rc;

	if (dom_snap_args(args, &dom, &snap) < 0 ||
	    rpc_get_bool(args, "children", false, &children) < 0 ||
	    rpc_get_bool(args, "children_only", false, &children_only) < 0 ||
	    rpc_get_bool(args, "metadata", false, &metadata) < 0)
		return -1;
	if (children && children_only) {
		vr_error(VR_ERR_INVALID_ARG, "\"children\" and "
		    "\"children_only\" cannot be used together");
		return -1;
	}
	rc = drv->snapshot_delete(dom, snap,
	    (children ? VR_SNAP_DELETE_CHILDREN : 0) |
	    (children_only ? VR_SNAP_DELETE_CHILDREN_ONLY : 0) |
	    (metadata ? VR_SNAP_DELETE_METADATA : 0), &notes);
	arr = json_object_new_array();
	for (i = 0; notes != NULL && notes[i] != NULL; i++) {
		json_object_array_add(arr, json_object_new_string(notes[i]));
		free(notes[i]);
	}
	free(notes);
	if (rc < 0) {
		json_object_put(arr);
		return -1;
	}
	json_object_object_add(ret, "notes", arr);
	return 0;
}

int
vd_proc_snapshot_forget_all(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;

	if (rpc_get_string(args, "dom", true, &dom) < 0)
		return -1;
	return drv->snapshot_forget_all(dom);
}

int
vd_proc_snapshot_list(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE struct vr_snap_info *infos = NULL;
	struct json_object *arr;
	const char *dom;
	size_t n, i;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    drv->snapshot_list(dom, &infos, &n) < 0)
		return -1;
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		rpc_set_string(o, "name", infos[i].name);
		json_object_object_add(o, "parent", infos[i].parent[0] != '\0' ?
		    json_object_new_string(infos[i].parent) : NULL);
		rpc_set_i64(o, "creation_time", infos[i].creation_time);
		rpc_set_string(o, "state", snap_state_to_string(
		    infos[i].state));
		rpc_set_bool(o, "current", infos[i].current);
		rpc_set_string(o, "location", infos[i].external ? "external" :
		    "internal");
		rpc_set_bool(o, "memory", infos[i].memory);
		json_object_array_add(arr, o);
	}
	json_object_object_add(ret, "snapshots", arr);
	return 0;
}

int
vd_proc_snapshot_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	const char *dom, *snap;
	bool secure = false;

	if (dom_snap_args(args, &dom, &snap) < 0 ||
	    rpc_get_bool(args, "secure", false, &secure) < 0)
		return -1;
	if (secure && vd_client_readonly(c)) {
		vr_error(VR_ERR_OPERATION_DENIED, "--security-info is not "
		    "allowed on a read-only connection");
		return -1;
	}
	if ((xml = drv->snapshot_get_xml(dom, snap, secure ?
	    VR_DOM_XML_SECURE : 0)) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}
