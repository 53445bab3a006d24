#ifndef VD_DISPATCH_H
#define VD_DISPATCH_H

#include <stdbool.h>

#include <stddef.h>

struct json_object;
struct vd_client;
struct vr_dom_driver;
struct vr_dom_info;
struct vr_storage_driver;

/* The storage driver may be NULL: its procedures then fail. */
void	 vd_dispatch_init(const struct vr_dom_driver *,
	    const struct vr_storage_driver *, unsigned int workers);
/* A complete frame from a client (loop thread). body is consumed. */
void	 vd_dispatch_frame(struct vd_client *, char *body, size_t len);
/* For tests: proc has a dispatch entry. */
bool	 vd_dispatch_has(int proc);
/* A domain info object's members into o (for proc-*.c). */
void	 vd_dom_info_to_json(const struct vr_dom_info *,
	    struct json_object *o);

#endif
