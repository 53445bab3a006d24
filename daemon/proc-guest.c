/*
 * RPC procedures on a running guest's display, keyboard and monitor:
 * decode the arguments, call the domain driver, encode its result
 * (rpc-proto.h documents each). All mutate or expose the guest: the
 * dispatch table marks them read-write.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base64.h"
#include "driver.h"
#include "err.h"
#include "proc-guest.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

static const struct vr_dom_driver *gdrv;

void
vd_proc_guest_init(const struct vr_dom_driver *d)
{
	gdrv = d;
}

int
vd_proc_dom_screenshot(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE unsigned char *png = NULL;
	VR_AUTOFREE char *b64 = NULL;
	const char *dom;
	size_t len;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    gdrv->screenshot(dom, &png, &len) < 0)
		return -1;
	b64 = vr_base64_encode(png, len);
	rpc_set_string(ret, "format", "png");
	rpc_set_i64(ret, "size", (int64_t)len);
	rpc_set_string(ret, "data", b64);
	return 0;
}

int
vd_proc_dom_send_key(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE const char **names = NULL;
	struct json_object *arr, *v;
	const char *dom, *codeset = "linux";
	uint64_t holdtime = 0;
	size_t n, i;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "codeset", false, &codeset) < 0 ||
	    rpc_get_u64(args, "holdtime", false, &holdtime) < 0)
		return -1;
	if (!json_object_object_get_ex(args, "keys", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		vr_error(VR_ERR_RPC, "\"keys\" must be an array of strings");
		return -1;
	}
	n = json_object_array_length(arr);
	names = xcalloc(n + 1, sizeof *names);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(v, json_type_string)) {
			vr_error(VR_ERR_RPC, "\"keys\" must be an array of "
			    "strings");
			return -1;
		}
		names[i] = json_object_get_string(v);
	}
	if (holdtime > UINT32_MAX) {
		vr_error(VR_ERR_INVALID_ARG, "hold time %llu ms is too long",
		    (unsigned long long)holdtime);
		return -1;
	}
	return gdrv->send_key(dom, codeset, names, n, (unsigned int)holdtime);
}

int
vd_proc_dom_monitor_command(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *reply = NULL;
	const char *dom, *cmd;
	bool hmp = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "cmd", true, &cmd) < 0 ||
	    rpc_get_bool(args, "hmp", false, &hmp) < 0 ||
	    (reply = gdrv->monitor_command(dom, cmd, hmp)) == NULL)
		return -1;
	rpc_set_string(ret, "reply", reply);
	return 0;
}
