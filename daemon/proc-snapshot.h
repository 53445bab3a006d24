/*
 * The snapshot procedures (200-219 of rpc-proto.h, issue 7): argument
 * decoding and replies around the domain driver's snapshot entries.
 */
#ifndef VD_PROC_SNAPSHOT_H
#define VD_PROC_SNAPSHOT_H

struct json_object;
struct vd_client;
struct vr_dom_driver;

void	 vd_proc_snapshot_init(const struct vr_dom_driver *);

#define VD_PROC(name)							\
	int name(struct vd_client *, struct json_object *args,		\
	    struct json_object *ret)

VD_PROC(vd_proc_snapshot_create);
VD_PROC(vd_proc_snapshot_revert);
VD_PROC(vd_proc_snapshot_delete);
VD_PROC(vd_proc_snapshot_forget_all);
VD_PROC(vd_proc_snapshot_list);
VD_PROC(vd_proc_snapshot_get_xml);

#undef VD_PROC

#endif
