/* RPC procedures of save and restore (220-239 in rpc-proto.h). */
#ifndef VD_PROC_SAVE_H
#define VD_PROC_SAVE_H

struct json_object;
struct vd_client;
struct vr_dom_driver;

void	 vd_proc_save_init(const struct vr_dom_driver *);

#define VD_PROC_SAVE(name) int name(struct vd_client *,		\
	    struct json_object *args, struct json_object *ret)
VD_PROC_SAVE(vd_proc_dom_save);
VD_PROC_SAVE(vd_proc_dom_restore);
VD_PROC_SAVE(vd_proc_dom_managed_save);
VD_PROC_SAVE(vd_proc_dom_managed_save_remove);
VD_PROC_SAVE(vd_proc_dom_has_managed_save);
VD_PROC_SAVE(vd_proc_dom_save_image_get_xml);
VD_PROC_SAVE(vd_proc_dom_undefine_flags);
#undef VD_PROC_SAVE

#endif
