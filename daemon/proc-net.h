/* RPC procedures of networks (50-99 in rpc-proto.h), for dispatch.c. */
#ifndef VD_PROC_NET_H
#define VD_PROC_NET_H

struct json_object;
struct vd_client;
struct vr_net_driver;

void	 vd_proc_net_init(const struct vr_net_driver *);

#define VD_PROC_NET(name) int name(struct vd_client *,			\
	    struct json_object *args, struct json_object *ret)
VD_PROC_NET(vd_proc_net_define);
VD_PROC_NET(vd_proc_net_undefine);
VD_PROC_NET(vd_proc_net_create);
VD_PROC_NET(vd_proc_net_start);
VD_PROC_NET(vd_proc_net_destroy);
VD_PROC_NET(vd_proc_net_set_autostart);
VD_PROC_NET(vd_proc_net_update);
VD_PROC_NET(vd_proc_net_list);
VD_PROC_NET(vd_proc_net_get_info);
VD_PROC_NET(vd_proc_net_get_xml);
VD_PROC_NET(vd_proc_net_get_dhcp_leases);
#undef VD_PROC_NET

#endif
