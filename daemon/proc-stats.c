/*
 * RPC procedures of vCPUs and statistics: decode the arguments, call the
 * domain driver (rpc-proto.h documents each, 170-199).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "proc-stats.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

#define MAX_STATS_DOMS	100000

static const struct vr_dom_driver *drv;

void
vd_proc_stats_init(const struct vr_dom_driver *d)
{
	drv = d;
}

/* "live" and "config" into VR_DOM_AFFECT_* */
static int
affect_flags(struct json_object *args, unsigned int *flags)
{
	bool live = false, config = false;

	if (rpc_get_bool(args, "live", false, &live) < 0 ||
	    rpc_get_bool(args, "config", false, &config) < 0)
		return -1;
	*flags = (live ? VR_DOM_AFFECT_LIVE : 0) |
	    (config ? VR_DOM_AFFECT_CONFIG : 0);
	return 0;
}

/* A count in 1..max, named what. */
static int
get_count(struct json_object *args, const char *key, bool required,
    uint64_t max, unsigned int *out)
{
	uint64_t v = 0;

	if (rpc_get_u64(args, key, required, &v) < 0)
		return -1;
	if (v > max) {
		vr_error(VR_ERR_INVALID_ARG, "\"%s\" must be at most %llu",
		    key, (unsigned long long)max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

int
vd_proc_dom_set_vcpus(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	unsigned int n, flags;
	bool maximum = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    get_count(args, "count", true, 4096, &n) < 0 ||
	    affect_flags(args, &flags) < 0 ||
	    rpc_get_bool(args, "maximum", false, &maximum) < 0)
		return -1;
	return drv->set_vcpus(dom, n, flags |
	    (maximum ? VR_DOM_VCPU_MAXIMUM : 0));
}

/* The reads taking just a domain. */
#define DOM_READ_PROC(fname, call)					\
int									\
fname(struct vd_client *c, struct json_object *args,			\
    struct json_object *ret)						\
{									\
	const char *dom;						\
									\
	if (rpc_get_string(args, "dom", true, &dom) < 0)		\
		return -1;						\
	return call;							\
}

DOM_READ_PROC(vd_proc_dom_get_vcpu_count, drv->vcpu_count(dom, ret))
DOM_READ_PROC(vd_proc_dom_get_vcpu_info, drv->vcpu_info(dom, ret))
DOM_READ_PROC(vd_proc_dom_memory_stats, drv->memory_stats(dom, ret))

int
vd_proc_dom_pin(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom, *cpuset;
	unsigned int vcpu = 0, flags;
	bool emulator = !json_object_object_get_ex(args, "vcpu", NULL);

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "cpuset", true, &cpuset) < 0 ||
	    (!emulator && get_count(args, "vcpu", true, 4095, &vcpu) < 0) ||
	    affect_flags(args, &flags) < 0)
		return -1;
	return drv->pin(dom, emulator ? -1 : (int)vcpu, cpuset, flags);
}

int
vd_proc_dom_get_pins(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	bool inactive = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0)
		return -1;
	return drv->get_pins(dom, inactive, ret);
}

int
vd_proc_dom_set_memstat_period(struct vd_client *c,
    struct json_object *args, struct json_object *ret)
{
	const char *dom;
	unsigned int period, flags;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    get_count(args, "period", true, 86400, &period) < 0 ||
	    affect_flags(args, &flags) < 0)
		return -1;
	return drv->set_memstat_period(dom, period, flags);
}

int
vd_proc_dom_get_devices(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;
	bool inactive = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0)
		return -1;
	return drv->get_devices(dom, inactive, ret);
}

static const char *const stats_groups[] = {
	"state", "cpu-total", "balloon", "vcpu", "interface", "block",
};

int
vd_proc_dom_get_stats(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE const char **keys = NULL;
	struct json_object *doms = NULL, *groups = NULL, *v;
	unsigned int mask = 0, flags;
	bool active = false, inactive = false;
	size_t n = 0, i, k;

	if (rpc_get_bool(args, "active", false, &active) < 0 ||
	    rpc_get_bool(args, "inactive", false, &inactive) < 0)
		return -1;
	flags = (active ? VR_DOM_LIST_ACTIVE : 0) |
	    (inactive ? VR_DOM_LIST_INACTIVE : 0);
	if (json_object_object_get_ex(args, "groups", &groups)) {
		if (!json_object_is_type(groups, json_type_array)) {
			vr_error(VR_ERR_RPC, "\"groups\" must be an array of "
			    "strings");
			return -1;
		}
		for (i = 0; i < json_object_array_length(groups); i++) {
			const char *g = json_object_get_string(
			    json_object_array_get_idx(groups, i));

			for (k = 0; k < nitems(stats_groups); k++)
				if (g != NULL &&
				    strcmp(g, stats_groups[k]) == 0)
					break;
			if (k == nitems(stats_groups)) {
				vr_error(VR_ERR_INVALID_ARG, "unknown "
				    "statistics group '%s' (state, cpu-total, "
				    "balloon, vcpu, interface, block)",
				    g != NULL ? g : "");
				return -1;
			}
			mask |= 1u << k;
		}
	}
	if (json_object_object_get_ex(args, "doms", &doms)) {
		if (!json_object_is_type(doms, json_type_array) ||
		    (n = json_object_array_length(doms)) > MAX_STATS_DOMS) {
			vr_error(VR_ERR_RPC, "\"doms\" must be an array of at "
			    "most %d domains", MAX_STATS_DOMS);
			return -1;
		}
		keys = xcalloc(n + 1, sizeof *keys);
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(doms, i);
			if (!json_object_is_type(v, json_type_string)) {
				vr_error(VR_ERR_RPC, "\"doms\" must hold "
				    "strings");
				return -1;
			}
			keys[i] = json_object_get_string(v);
		}
	}
	return drv->get_stats(doms != NULL ? keys : NULL, n, mask, flags,
	    ret);
}
