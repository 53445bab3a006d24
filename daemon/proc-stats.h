/* RPC procedures of vCPUs and statistics (170-199), for dispatch.c. */
#ifndef VD_PROC_STATS_H
#define VD_PROC_STATS_H

struct json_object;
struct vd_client;
struct vr_dom_driver;

void	 vd_proc_stats_init(const struct vr_dom_driver *);

#define VD_PROC_STATS(name) int name(struct vd_client *,		\
	    struct json_object *args, struct json_object *ret)
VD_PROC_STATS(vd_proc_dom_set_vcpus);
VD_PROC_STATS(vd_proc_dom_get_vcpu_count);
VD_PROC_STATS(vd_proc_dom_get_vcpu_info);
VD_PROC_STATS(vd_proc_dom_pin);
VD_PROC_STATS(vd_proc_dom_get_pins);
VD_PROC_STATS(vd_proc_dom_memory_stats);
VD_PROC_STATS(vd_proc_dom_set_memstat_period);
VD_PROC_STATS(vd_proc_dom_get_devices);
VD_PROC_STATS(vd_proc_dom_get_stats);
#undef VD_PROC_STATS

#endif
