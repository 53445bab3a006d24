/*
 * Storage procedures: decode the arguments of vireo-protocol(7) 100-149,
 * call the storage driver, fill the reply. Errors are the driver's (or the
 * decoder's), reported once; the dispatcher turns them into the reply.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "pool-def.h"
#include "proc-storage.h"
#include "rpc.h"
#include "util.h"
#include "vol-def.h"
#include "xmalloc.h"

static const struct vr_storage_driver *stg;

void
vd_proc_storage_init(const struct vr_storage_driver *d)
{
	stg = d;
}

/* Nothing to answer with when vireod runs without a storage driver. */
static int
stg_missing(void)
{
	if (stg != NULL)
		return 0;
	vr_error(VR_ERR_UNSUPPORTED, "this vireod has no storage driver");
	return -1;
}

static void
pool_info_to_json(const struct vr_pool_info *info, struct json_object *o)
{
	char uuid[VR_UUID_BUFLEN];

	vr_uuid_format(info->uuid, uuid);
	rpc_set_string(o, "name", info->name);
	rpc_set_string(o, "uuid", uuid);
	rpc_set_string(o, "type", pool_type_to_string(info->type));
	rpc_set_string(o, "state", vr_pool_state_name(info->state));
	rpc_set_bool(o, "persistent", info->persistent);
	rpc_set_bool(o, "autostart", info->autostart);
	rpc_set_i64(o, "capacity", (int64_t)info->capacity);
	rpc_set_i64(o, "allocation", (int64_t)info->allocation);
	rpc_set_i64(o, "available", (int64_t)info->available);
	rpc_set_i64(o, "volumes", (int64_t)info->volumes);
}

/* Members of a vol info, in wire order (vol-list's "fields"). */
enum vol_field {
	VF_NAME, VF_POOL, VF_KEY, VF_PATH, VF_TYPE, VF_FORMAT, VF_CAPACITY,
	VF_ALLOCATION, VF_PHYSICAL, VF_BACKING, VF_LAST
};

static const char *const vol_fields[VF_LAST] = {
	"name", "pool", "key", "path", "type", "format", "capacity",
	"allocation", "physical", "backing",
};

static struct json_object *
vol_value(const struct vr_vol_info *info, int field)
{
	switch ((enum vol_field)field) {
	case VF_NAME:
		return json_object_new_string(info->name);
	case VF_POOL:
		return json_object_new_string(info->pool);
	case VF_KEY:
	case VF_PATH:
		return json_object_new_string(info->path);
	case VF_TYPE:
		return json_object_new_string(vol_type_to_string(info->type));
	case VF_FORMAT:
		return json_object_new_string(
		    vol_format_to_string(info->format));
	case VF_CAPACITY:
		return json_object_new_int64((int64_t)info->capacity);
	case VF_ALLOCATION:
		return json_object_new_int64((int64_t)info->allocation);
	case VF_PHYSICAL:
		return json_object_new_int64((int64_t)info->physical);
	case VF_BACKING:
		return info->backing != NULL ?
		    json_object_new_string(info->backing) : NULL;
	case VF_LAST:
		break;
	}
	return NULL;
}

static void
vol_info_to_json(const struct vr_vol_info *info, struct json_object *o)
{
	int k;

	for (k = 0; k < VF_LAST; k++)
		json_object_object_add(o, vol_fields[k], vol_value(info, k));
}

/* The selected members as an array, in vol_fields order. */
static struct json_object *
vol_info_to_row(const struct vr_vol_info *info, unsigned int mask)
{
	struct json_object *row = json_object_new_array_ext(
	    __builtin_popcount(mask));
	int k;

	for (k = 0; k < VF_LAST; k++)
		if (mask & 1u << k)
			json_object_array_add(row, vol_value(info, k));
	return row;
}

/* A volume call's result: its info in ret, then cleared. */
static int
vol_reply(int rc, struct vr_vol_info *info, struct json_object *ret)
{
	if (rc < 0)
		return -1;
	vol_info_to_json(info, ret);
	vr_vol_info_clear(info);
	return 0;
}

/* Pools */

/* {"xml"} -> pool info, for define and create. */
static int
pool_from_xml(struct json_object *args, struct json_object *ret,
    int (*fn)(const char *, struct vr_pool_info *))
{
	struct vr_pool_info info;
	const char *xml;

	if (rpc_get_string(args, "xml", true, &xml) < 0 || fn(xml, &info) < 0)
		return -1;
	pool_info_to_json(&info, ret);
	return 0;
}

int
vd_proc_pool_define(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return stg_missing() < 0 ? -1 :
	    pool_from_xml(args, ret, stg->pool_define);
}

int
vd_proc_pool_create(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	return stg_missing() < 0 ? -1 :
	    pool_from_xml(args, ret, stg->pool_create);
}

/* The procedures that take just a pool. */
#define POOL_ONLY_PROC(fname, member)					\
int									\
fname(struct vd_client *c, struct json_object *args,			\
    struct json_object *ret)						\
{									\
	const char *pool;						\
									\
	if (stg_missing() < 0 ||					\
	    rpc_get_string(args, "pool", true, &pool) < 0)		\
		return -1;						\
	return stg->member(pool);					\
}

POOL_ONLY_PROC(vd_proc_pool_undefine, pool_undefine)
POOL_ONLY_PROC(vd_proc_pool_build, pool_build)
POOL_ONLY_PROC(vd_proc_pool_start, pool_start)
POOL_ONLY_PROC(vd_proc_pool_destroy, pool_destroy)
POOL_ONLY_PROC(vd_proc_pool_delete, pool_delete)
POOL_ONLY_PROC(vd_proc_pool_refresh, pool_refresh)

int
vd_proc_pool_set_autostart(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *pool;
	bool on;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    rpc_get_bool(args, "autostart", true, &on) < 0)
		return -1;
	return stg->pool_set_autostart(pool, on);
}

static int
pool_info_cmp(const void *a, const void *b)
{
	const struct vr_pool_info *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int
vd_proc_pool_list(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE struct vr_pool_info *infos = NULL;
	struct json_object *arr, *o;
	bool active = false, inactive = false;
	size_t n, i;

	if (stg_missing() < 0 ||
	    rpc_get_bool(args, "active", false, &active) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0)
		return -1;
	if (stg->pool_list((active ? VR_POOL_LIST_ACTIVE : 0) |
	    (inactive ? VR_POOL_LIST_INACTIVE : 0), &infos, &n) < 0)
		return -1;
	qsort(infos, n, sizeof *infos, pool_info_cmp);
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		pool_info_to_json(&infos[i], o);
		json_object_array_add(arr, o);
	}
	json_object_object_add(ret, "pools", arr);
	return 0;
}

int
vd_proc_pool_get_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_pool_info info;
	const char *pool;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    stg->pool_get_info(pool, &info) < 0)
		return -1;
	pool_info_to_json(&info, ret);
	return 0;
}

int
vd_proc_pool_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	const char *pool;
	bool inactive = false;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0 ||
	    (xml = stg->pool_get_xml(pool, inactive ?
	    VR_POOL_XML_INACTIVE : 0)) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}

/* Volumes */

/* "pool" (optional) and "vol" (required). */
static int
vol_args(struct json_object *args, const char **pool, const char **vol)
{
	*pool = NULL;
	return stg_missing() < 0 ||
	    rpc_get_string(args, "pool", false, pool) < 0 ||
	    rpc_get_string(args, "vol", true, vol) < 0 ? -1 : 0;
}

int
vd_proc_vol_create(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_info info;
	const char *pool, *xml;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    rpc_get_string(args, "xml", true, &xml) < 0)
		return -1;
	return vol_reply(stg->vol_create(pool, xml, &info), &info, ret);
}

/* An optional format argument: -1 when absent (dflt), else the value. */
static int
format_arg(struct json_object *args, const char *key, int dflt, int *fmt)
{
	const char *s = NULL;

	*fmt = dflt;
	if (rpc_get_string(args, key, false, &s) < 0)
		return -1;
	if (s != NULL && (*fmt = vol_format_from_string(s)) < 0) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported volume format '%s': "
		    "expected raw or qcow2", s);
		return -1;
	}
	return 0;
}

int
vd_proc_vol_create_as(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_create_args a = { 0 };
	struct vr_vol_info info;
	const char *pool;
	uint64_t cap;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    rpc_get_string(args, "name", true, &a.name) < 0 ||
	    rpc_get_u64(args, "capacity", true, &cap) < 0 ||
	    format_arg(args, "format", VOL_FORMAT_RAW, &a.format) < 0 ||
	    rpc_get_string(args, "backing_vol", false, &a.backing) < 0 ||
	    format_arg(args, "backing_format", -1, &a.backing_format) < 0 ||
	    rpc_get_bool(args, "prealloc_metadata", false,
	    &a.prealloc_metadata) < 0)
		return -1;
	a.capacity = cap;
	return vol_reply(stg->vol_create_as(pool, &a, &info), &info, ret);
}

int
vd_proc_vol_clone(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_info info;
	const char *pool, *vol, *name;

	if (vol_args(args, &pool, &vol) < 0 ||
	    rpc_get_string(args, "name", true, &name) < 0)
		return -1;
	return vol_reply(stg->vol_clone(pool, vol, name, &info), &info, ret);
}

/* The procedures that take just a volume. */
#define VOL_ONLY_PROC(fname, member)					\
int									\
fname(struct vd_client *c, struct json_object *args,			\
    struct json_object *ret)						\
{									\
	const char *pool, *vol;						\
									\
	if (vol_args(args, &pool, &vol) < 0)				\
		return -1;						\
	return stg->member(pool, vol);					\
}

VOL_ONLY_PROC(vd_proc_vol_delete, vol_delete)
VOL_ONLY_PROC(vd_proc_vol_wipe, vol_wipe)

int
vd_proc_vol_resize(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_info info;
	const char *pool, *vol;
	bool delta = false, shrink = false;
	uint64_t cap;

	if (vol_args(args, &pool, &vol) < 0 ||
	    rpc_get_u64(args, "capacity", true, &cap) < 0 ||
	    rpc_get_bool(args, "delta", false, &delta) < 0 ||
	    rpc_get_bool(args, "shrink", false, &shrink) < 0)
		return -1;
	return vol_reply(stg->vol_resize(pool, vol, cap,
	    (delta ? VR_VOL_RESIZE_DELTA : 0) |
	    (shrink ? VR_VOL_RESIZE_SHRINK : 0), &info), &info, ret);
}

int
vd_proc_vol_list(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_info *infos = NULL;
	struct json_object *arr, *o;
	const char *pool;
	unsigned int mask;
	bool rows;
	size_t n, i;

	if (stg_missing() < 0 ||
	    rpc_get_string(args, "pool", true, &pool) < 0 ||
	    rpc_get_fields(args, vol_fields, VF_LAST, &mask) < 0 ||
	    stg->vol_list(pool, &infos, &n) < 0)
		return -1;
	rows = json_object_object_get_ex(args, "fields", NULL);
	arr = json_object_new_array_ext((int)n);
	for (i = 0; i < n; i++) {
		if (rows) {
			json_object_array_add(arr,
			    vol_info_to_row(&infos[i], mask));
			continue;
		}
		o = json_object_new_object();
		vol_info_to_json(&infos[i], o);
		json_object_array_add(arr, o);
	}
	vr_vol_infos_free(infos, n);
	json_object_object_add(ret, "volumes", arr);
	return 0;
}

int
vd_proc_vol_get_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_vol_info info;
	const char *pool, *vol;

	if (vol_args(args, &pool, &vol) < 0)
		return -1;
	return vol_reply(stg->vol_get_info(pool, vol, &info), &info, ret);
}

int
vd_proc_vol_get_xml(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *xml = NULL;
	const char *pool, *vol;

	if (vol_args(args, &pool, &vol) < 0 ||
	    (xml = stg->vol_get_xml(pool, vol)) == NULL)
		return -1;
	rpc_set_string(ret, "xml", xml);
	return 0;
}
