/*
 * Migration procedures (issue 6). The source side opens a connection to
 * the destination daemon (peer.c) and hands the driver a vr_migrate_peer;
 * the destination side keeps, per client connection, the incoming
 * domains it prepared: FINISH must come on that same connection, and if
 * the connection closes first the incoming QEMU is killed (on a worker:
 * the loop thread never waits for a process).
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "err.h"
#include "log.h"
#include "peer.h"
#include "proc-migrate.h"
#include "rpc.h"
#include "server.h"
#include "workers.h"
#include "xmalloc.h"

VR_LOG_MODULE("daemon.migrate");

static const struct vr_dom_driver *drv;

/* Incoming domains by the connection that prepared them. */
struct incoming {
	struct vd_client	*client;	/* compared only, never used */
	char			 name[65];
	struct incoming		*next;
};

static pthread_mutex_t incoming_lock = PTHREAD_MUTEX_INITIALIZER;
static struct incoming *incomings;

/* Take the entry of (c, name) out of the list; NULL if none. */
static struct incoming *
incoming_take(struct vd_client *c, const char *name)
{
	struct incoming **pp, *e;

	pthread_mutex_lock(&incoming_lock);
	for (pp = &incomings; (e = *pp) != NULL; pp = &e->next) {
		if (e->client == c &&
		    (name == NULL || strcmp(e->name, name) == 0)) {
			*pp = e->next;
			break;
		}
	}
	pthread_mutex_unlock(&incoming_lock);
	return e;
}

static void
incoming_abandon_work(void *arg)
{
	struct incoming *e = arg;

	vr_error_reset();
	log_info("domain '%s': the source went away before the migration "
	    "finished: killing the incoming QEMU", e->name);
	if (drv->migrate_finish(e->name, false, false, NULL) < 0)
		log_error("domain '%s': %s", e->name, vr_error_message());
	free(e);
}

/* Loop thread: a connection closed; abandon what it prepared. */
static void
incoming_client_closed(struct vd_client *c)
{
	struct incoming *e;

	while ((e = incoming_take(c, NULL)) != NULL)
		vd_workers_submit(incoming_abandon_work, e);
}

void
vd_proc_migrate_init(const struct vr_dom_driver *d)
{
	drv = d;
	vd_server_on_client_close(incoming_client_closed);
}

/* Source */

int
vd_proc_dom_migrate(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_migrate_args a = { 0 };
	struct vr_migrate_peer ops;
	struct vd_peer *peer;
	const char *dom, *desturi, *muri = NULL;
	bool live = false, persistent = false, undef = false, suspend = false;
	bool unsafe = false;
	uint64_t timeout = 0, bw = 0;
	int rc;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_string(args, "desturi", true, &desturi) < 0 ||
	    rpc_get_bool(args, "live", false, &live) < 0 ||
	    rpc_get_bool(args, "persistent", false, &persistent) < 0 ||
	    rpc_get_bool(args, "undefinesource", false, &undef) < 0 ||
	    rpc_get_bool(args, "suspend", false, &suspend) < 0 ||
	    rpc_get_bool(args, "unsafe", false, &unsafe) < 0 ||
	    rpc_get_u64(args, "timeout", false, &timeout) < 0 ||
	    rpc_get_string(args, "migrateuri", false, &muri) < 0 ||
	    rpc_get_u64(args, "bandwidth", false, &bw) < 0)
		return -1;
	if (timeout > 86400 * 365 || bw > 1024 * 1024) {
		vr_error(VR_ERR_INVALID_ARG, "%s out of range",
		    timeout > 86400 * 365 ? "timeout" : "bandwidth");
		return -1;
	}
	a.flags = (live ? VR_MIGRATE_LIVE : 0) |
	    (persistent ? VR_MIGRATE_PERSIST_DEST : 0) |
	    (undef ? VR_MIGRATE_UNDEFINE_SOURCE : 0) |
	    (suspend ? VR_MIGRATE_PAUSED : 0) |
	    (unsafe ? VR_MIGRATE_UNSAFE : 0);
	a.timeout_s = (unsigned int)timeout;
	a.bandwidth_mib = bw;
	a.migrate_uri = muri;
	if ((peer = vd_peer_connect(desturi)) == NULL) {
		vr_error_prefix("cannot migrate domain '%s'", dom);
		return -1;
	}
	vd_peer_migrate_ops(peer, &ops);
	rc = drv->migrate_perform(dom, &a, &ops);
	vd_peer_close(peer);
	return rc;
}

static void
job_info_to_json(const struct vr_dom_job_info *ji, struct json_object *o)
{
	rpc_set_string(o, "type", ji->type);
	rpc_set_string(o, "operation", ji->operation);
	rpc_set_i64(o, "elapsed_ms", (int64_t)ji->elapsed_ms);
	rpc_set_i64(o, "data_total", (int64_t)ji->data_total);
	rpc_set_i64(o, "data_processed", (int64_t)ji->data_processed);
	rpc_set_i64(o, "data_remaining", (int64_t)ji->data_remaining);
	rpc_set_i64(o, "mem_bps", (int64_t)ji->mem_bps);
	rpc_set_i64(o, "expected_downtime_ms",
	    (int64_t)ji->expected_downtime_ms);
	rpc_set_i64(o, "downtime_ms", (int64_t)ji->downtime_ms);
	rpc_set_i64(o, "setup_time_ms", (int64_t)ji->setup_time_ms);
	rpc_set_i64(o, "stream_ms", (int64_t)ji->stream_ms);
	rpc_set_i64(o, "dirty_syncs", (int64_t)ji->dirty_syncs);
}

int
vd_proc_dom_get_job_info(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct vr_dom_job_info ji;
	const char *dom;
	bool completed = false;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "completed", false, &completed) < 0 ||
	    drv->job_info(dom, completed, &ji) < 0)
		return -1;
	job_info_to_json(&ji, ret);
	return 0;
}

int
vd_proc_dom_abort_job(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	const char *dom;

	if (rpc_get_string(args, "dom", true, &dom) < 0)
		return -1;
	return drv->job_abort(dom);
}

/* Destination */

int
vd_proc_migrate_prepare(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	VR_AUTOFREE char *uri_out = NULL;
	struct incoming *e;
	const char *xml, *uri = NULL;
	uint64_t boot = 0;
	char name[65];

	if (rpc_get_string(args, "xml", true, &xml) < 0 ||
	    rpc_get_string(args, "uri", false, &uri) < 0 ||
	    rpc_get_u64(args, "boot_vcpus", false, &boot) < 0)
		return -1;
	if (boot > UINT32_MAX) {
		vr_error(VR_ERR_INVALID_ARG, "boot_vcpus %llu is out of range",
		    (unsigned long long)boot);
		return -1;
	}
	if (drv->migrate_prepare(xml, uri, (uint32_t)boot, &uri_out, name,
	    sizeof name) < 0)
		return -1;
	e = xcalloc(1, sizeof *e);
	e->client = c;
	snprintf(e->name, sizeof e->name, "%s", name);
	pthread_mutex_lock(&incoming_lock);
	e->next = incomings;
	incomings = e;
	pthread_mutex_unlock(&incoming_lock);
	/* Closed meanwhile: its hook may have run before we added it. */
	if (vd_client_closed(c) && (e = incoming_take(c, name)) != NULL) {
		incoming_abandon_work(e);
		vr_error(VR_ERR_RPC, "the source closed the connection");
		return -1;
	}
	rpc_set_string(ret, "dom", name);
	rpc_set_string(ret, "uri", uri_out);
	return 0;
}

int
vd_proc_migrate_finish(struct vd_client *c, struct json_object *args,
    struct json_object *ret)
{
	struct incoming *e;
	const char *dom, *pxml = NULL;
	bool ok = false, paused = false;
	int rc;

	if (rpc_get_string(args, "dom", true, &dom) < 0 ||
	    rpc_get_bool(args, "ok", true, &ok) < 0 ||
	    rpc_get_bool(args, "paused", false, &paused) < 0 ||
	    rpc_get_string(args, "persistent_xml", false, &pxml) < 0)
		return -1;
	if ((e = incoming_take(c, dom)) == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "no incoming migration of "
		    "domain '%s' on this connection", dom);
		return -1;
	}
	rc = drv->migrate_finish(e->name, ok, paused, pxml);
	free(e);
	return rc;
}
