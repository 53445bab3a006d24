/*
 * Another vireod, seen from this one: the destination of a migration.
 * Blocking calls on a connection of our own; any worker thread (one
 * connection per migration, never shared).
 */
#ifndef VD_PEER_H
#define VD_PEER_H

#include <json-c/json.h>

#include "driver.h"

struct vd_peer;

/* Any URI of transport.h; NULL with vr_error in plain words. */
struct vd_peer	*vd_peer_connect(const char *uri);
void		 vd_peer_close(struct vd_peer *);
/* One call; takes args (NULL: {}); the reply's "ret" or NULL. */
struct json_object *vd_peer_call(struct vd_peer *, int proc,
		    struct json_object *args);
/* The migration interface for drivers, valid while the peer is. */
void		 vd_peer_migrate_ops(struct vd_peer *,
		    struct vr_migrate_peer *);

#endif
