/*
 * The storage procedures (100-149 of rpc-proto.h): argument decoding and
 * replies around the storage driver. The dispatcher's table names them.
 */
#ifndef VD_PROC_STORAGE_H
#define VD_PROC_STORAGE_H

struct json_object;
struct vd_client;
struct vr_storage_driver;

void	 vd_proc_storage_init(const struct vr_storage_driver *);

#define VD_PROC(name)							\
	int name(struct vd_client *, struct json_object *args,		\
	    struct json_object *ret)

VD_PROC(vd_proc_pool_define);
VD_PROC(vd_proc_pool_undefine);
VD_PROC(vd_proc_pool_create);
VD_PROC(vd_proc_pool_build);
VD_PROC(vd_proc_pool_start);
VD_PROC(vd_proc_pool_destroy);
VD_PROC(vd_proc_pool_delete);
VD_PROC(vd_proc_pool_refresh);
VD_PROC(vd_proc_pool_set_autostart);
VD_PROC(vd_proc_pool_list);
VD_PROC(vd_proc_pool_get_info);
VD_PROC(vd_proc_pool_get_xml);
VD_PROC(vd_proc_vol_create);
VD_PROC(vd_proc_vol_create_as);
VD_PROC(vd_proc_vol_clone);
VD_PROC(vd_proc_vol_delete);
VD_PROC(vd_proc_vol_wipe);
VD_PROC(vd_proc_vol_resize);
VD_PROC(vd_proc_vol_list);
VD_PROC(vd_proc_vol_get_info);
VD_PROC(vd_proc_vol_get_xml);

#undef VD_PROC

#endif
