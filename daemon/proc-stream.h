/*
 * The data stream procedures (140-149 of rpc-proto.h): vol-upload,
 * vol-download and the console. Each opens its driver's end and hands it
 * to stream.c; the dispatcher starts the stream after the ok reply.
 */
#ifndef VD_PROC_STREAM_H
#define VD_PROC_STREAM_H

#include <stdint.h>

struct json_object;
struct vd_client;
struct vr_dom_driver;
struct vr_storage_driver;

/* Either driver may be NULL: its procedures then fail. */
void	 vd_proc_stream_init(const struct vr_dom_driver *,
	    const struct vr_storage_driver *);

#define VD_STREAM_PROC(name)						\
	int name(struct vd_client *, uint64_t id, struct json_object *args, \
	    struct json_object *ret)

VD_STREAM_PROC(vd_proc_vol_upload);
VD_STREAM_PROC(vd_proc_vol_download);
VD_STREAM_PROC(vd_proc_dom_open_console);

#undef VD_STREAM_PROC

#endif
