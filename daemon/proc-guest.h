/*
 * RPC procedures on a running guest's display, keyboard and monitor
 * (270-279 in rpc-proto.h), for dispatch.c.
 */
#ifndef VD_PROC_GUEST_H
#define VD_PROC_GUEST_H

struct json_object;
struct vd_client;
struct vr_dom_driver;

void	 vd_proc_guest_init(const struct vr_dom_driver *);

#define VD_PROC_GUEST(name) int name(struct vd_client *,		\
	    struct json_object *args, struct json_object *ret)
VD_PROC_GUEST(vd_proc_dom_screenshot);
VD_PROC_GUEST(vd_proc_dom_send_key);
VD_PROC_GUEST(vd_proc_dom_monitor_command);
#undef VD_PROC_GUEST

#endif
