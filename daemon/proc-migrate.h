/* Migration procedures (issue 6): source and destination sides. */
#ifndef VD_PROC_MIGRATE_H
#define VD_PROC_MIGRATE_H

#include <json-c/json.h>

struct vd_client;
struct vr_dom_driver;

void	 vd_proc_migrate_init(const struct vr_dom_driver *);
int	 vd_proc_dom_migrate(struct vd_client *, struct json_object *,
	    struct json_object *);
int	 vd_proc_dom_get_job_info(struct vd_client *, struct json_object *,
	    struct json_object *);
int	 vd_proc_dom_abort_job(struct vd_client *, struct json_object *,
	    struct json_object *);
int	 vd_proc_migrate_prepare(struct vd_client *, struct json_object *,
	    struct json_object *);
int	 vd_proc_migrate_finish(struct vd_client *, struct json_object *,
	    struct json_object *);

#endif
