/* RPC procedures of device hotplug (150-169 in rpc-proto.h), for dispatch.c. */
#ifndef VD_PROC_DEVICE_H
#define VD_PROC_DEVICE_H

struct json_object;
struct vd_client;
struct vr_dom_driver;

void	 vd_proc_device_init(const struct vr_dom_driver *);

#define VD_PROC_DEVICE(name) int name(struct vd_client *,		\
	    struct json_object *args, struct json_object *ret)
VD_PROC_DEVICE(vd_proc_dom_attach_device);
VD_PROC_DEVICE(vd_proc_dom_detach_device);
VD_PROC_DEVICE(vd_proc_dom_update_device);
VD_PROC_DEVICE(vd_proc_dom_change_media);
#undef VD_PROC_DEVICE

#endif
