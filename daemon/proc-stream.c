/*
 * Data stream procedures: decode the arguments, open the driver's end (a
 * pipe to the storage driver's copying thread, a guest's pty) and hand it
 * to stream.c, which pumps it once the ok reply is on its way.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "proc-stream.h"
#include "rpc.h"
#include "stream.h"
#include "util.h"

static const struct vr_dom_driver *dom_drv;
static const struct vr_storage_driver *stg_drv;

void
vd_proc_stream_init(const struct vr_dom_driver *d,
    const struct vr_storage_driver *sd)
{
	dom_drv = d;
	stg_drv = sd;
}

static int
vol_stream_finish(void *handle, bool abort)
{
	return stg_drv->vol_stream_finish(handle, abort);
}

static const struct vd_stream_ops vol_stream_ops = {
	.finish = vol_stream_finish,
};

static int
vol_stream(struct vd_client *c, uint64_t id, struct json_object *args,
    struct json_object *ret, bool upload)
{
	const char *pool = NULL, *vol;
	uint64_t offset = 0, length = 0;
	unsigned long long total;
	void *handle;
	int fd;

	if (stg_drv == NULL || stg_drv->vol_stream_open == NULL) {
		vr_error(VR_ERR_UNSUPPORTED, "this vireod has no storage "
		    "driver");
		return -1;
	}
	if (rpc_get_string(args, "pool", false, &pool) < 0 ||
	    rpc_get_string(args, "vol", true, &vol) < 0 ||
	    rpc_get_u64(args, "offset", false, &offset) < 0 ||
	    rpc_get_u64(args, "length", false, &length) < 0)
		return -1;
	if (stg_drv->vol_stream_open(pool, vol, upload, offset, length, &fd,
	    &total, &handle) < 0)
		return -1;
	if (vd_stream_open(c, id, fd, upload ? VD_STREAM_RECV :
	    VD_STREAM_SEND, &vol_stream_ops, handle, NULL, NULL, false) < 0)
		return -1;
	rpc_set_i64(ret, "length", (int64_t)total);
	return 0;
}

int
vd_proc_vol_upload(struct vd_client *c, uint64_t id, struct json_object *args,
    struct json_object *ret)
{
	return vol_stream(c, id, args, ret, true);
}

int
vd_proc_vol_download(struct vd_client *c, uint64_t id,
    struct json_object *args, struct json_object *ret)
{
	return vol_stream(c, id, args, ret, false);
}

int
vd_proc_dom_open_console(struct vd_client *c, uint64_t id,
    struct json_object *args, struct json_object *ret)
{
	const char *dom, *devname = NULL;
	char name[65], alias[64], holder[160], what[200];
	bool force = false;
	int fd;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "devname", false, &devname) < 0 ||
	    rpc_get_bool(args, "force", false, &force) < 0)
		return -1;
	if (dom_drv->open_console == NULL) {
		vr_error(VR_ERR_UNSUPPORTED, "this hypervisor driver has no "
		    "consoles");
		return -1;
	}
	if (dom_drv->open_console(dom, devname, &fd, name, sizeof name, alias,
	    sizeof alias) < 0)
		return -1;
	snprintf(holder, sizeof holder, "console %s %s", name, alias);
	snprintf(what, sizeof what, "the console '%s' of domain '%s'", alias,
	    name);
	if (vd_stream_open(c, id, fd, VD_STREAM_SEND | VD_STREAM_RECV, NULL,
	    NULL, holder, what, force) < 0)
		return -1;
	rpc_set_string(ret, "name", name);
	rpc_set_string(ret, "devname", alias);
	return 0;
}
