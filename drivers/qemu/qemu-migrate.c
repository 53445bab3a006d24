/*
 * Live migration (issue 6), in libvirt's peer-to-peer shape: the source's
 * driver holds the domain's job from start to end and drives both sides;
 * the destination daemon is reached through a struct vr_migrate_peer.
 *
 *   source                              destination
 *   job "migrate-out", format the XML
 *   peer prepare ---------------------> check disks, QEMU -incoming defer,
 *                                       migrate-incoming, job "migrate-in"
 *   migrate-set-*, migrate; follow
 *   MIGRATION events and query-migrate
 *   completed: peer finish(ok) -------> cont (unless paused), persist
 *   kill QEMU here ("migrated")
 *   failed: peer finish(!ok) ---------> kill QEMU; cont here if we paused
 *
 * Whatever fails, the guest runs in exactly one place: the source kills
 * its QEMU only once the destination said the guest runs there, and the
 * destination kills its QEMU on any error (or when the source's
 * connection goes: daemon/proc-migrate.c).
 *
 * Progress lives in struct qemu_mig under the domain's mutex, so
 * domjobinfo never waits; domjobabort sends migrate_cancel while the job
 * is held, and the source's loop sees the "cancelled" status.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.migrate");

#define MIG_POLL_MS		100	/* query-migrate while no event */
#define MIG_FINISH_WAIT_MS	30000	/* destination: stream fully loaded */
#define MIG_START_WAIT_MS	30000	/* source: "migrate" to a first sign */
/* "Unlimited" bandwidth: 1 TiB/s, under QEMU's own maximum. */
#define MIG_BANDWIDTH_MAX	(1024ULL * 1024 * 1024 * 1024)

/* Locked (the domain's mutex). */
struct qemu_mig {
	bool		 active;	/* an outgoing migration runs */
	bool		 abort_requested;
	bool		 woken;		/* an event since the last look */
	bool		 event_seen;	/* a MIGRATION event since "migrate" */
	uint64_t	 start_ms;
	uint64_t	 paused_ms;	/* when we paused the guest; 0: not */
	struct vr_dom_job_info cur;
	struct vr_dom_job_info last;	/* type "none": no result yet */
};

void
qemu_migrate_free(struct qemu_mig *m)
{
	free(m);
}

/* Locked. */
static struct qemu_mig *
mig_get_locked(struct qemu_dom *d)
{
	if (d->mig == NULL) {
		d->mig = xcalloc(1, sizeof *d->mig);
		snprintf(d->mig->last.type, sizeof d->mig->last.type, "none");
	}
	return d->mig;
}

void
qemu_migrate_event_locked(struct qemu_dom *d, struct json_object *data)
{
	struct json_object *v;

	if (data != NULL && json_object_object_get_ex(data, "status", &v))
		log_debug("domain '%s': migration %s", d->name,
		    json_object_get_string(v));
	if (d->mig != NULL && d->mig->active) {
		d->mig->event_seen = true;
		d->mig->woken = true;
		pthread_cond_broadcast(&d->cond);
	}
}

static uint64_t
json_u64(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_double))
		return (uint64_t)json_object_get_double(v);
	return (uint64_t)json_object_get_int64(v);
}

static const char *
json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* query-migrate's answer into info (figures QEMU gave; the rest kept). */
static void
mig_info_from_qmp(struct json_object *r, struct vr_dom_job_info *info)
{
	struct json_object *ram = NULL;

	json_object_object_get_ex(r, "ram", &ram);
	if (ram != NULL) {
		info->data_total = json_u64(ram, "total");
		info->data_processed = json_u64(ram, "transferred");
		info->data_remaining = json_u64(ram, "remaining");
		/* "mbps": megabits per second */
		info->mem_bps = json_u64(ram, "mbps") * 1000000 / 8;
		info->dirty_syncs = json_u64(ram, "dirty-sync-count");
	}
	info->expected_downtime_ms = json_u64(r, "expected-downtime");
	info->downtime_ms = json_u64(r, "downtime");
	info->setup_time_ms = json_u64(r, "setup-time");
	info->stream_ms = json_u64(r, "total-time");
}

/*
 * Progress of an outgoing stream, a migration's or a save's, for
 * domjobinfo (which never waits) and domjobabort (which sends
 * migrate_cancel and sets abort_requested). Job held.
 */
void
qemu_job_progress_start(struct qemu_dom *d, const char *operation)
{
	pthread_mutex_lock(&d->lock);
	mig_get_locked(d);
	memset(&d->mig->cur, 0, sizeof d->mig->cur);
	snprintf(d->mig->cur.type, sizeof d->mig->cur.type, "unbounded");
	snprintf(d->mig->cur.operation, sizeof d->mig->cur.operation, "%s",
	    operation);
	d->mig->active = true;
	d->mig->abort_requested = false;
	d->mig->woken = false;
	d->mig->start_ms = vr_time_ms();
	d->mig->paused_ms = 0;
	pthread_mutex_unlock(&d->lock);
}

/* "stop" for the job: the guest's downtime runs from here. */
static int
mig_pause(struct qemu_dom *d)
{
	if (qemu_process_qmp(d, "stop", NULL, NULL) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	d->mig->paused_ms = vr_time_ms();
	pthread_mutex_unlock(&d->lock);
	return 0;
}

bool
qemu_job_progress_update(struct qemu_dom *d, struct json_object *r)
{
	bool abort_req;

	pthread_mutex_lock(&d->lock);
	mig_info_from_qmp(r, &d->mig->cur);
	d->mig->cur.elapsed_ms = vr_time_ms() - d->mig->start_ms;
	abort_req = d->mig->abort_requested;
	pthread_mutex_unlock(&d->lock);
	return abort_req;
}

void
qemu_job_progress_end(struct qemu_dom *d, bool ok)
{
	pthread_mutex_lock(&d->lock);
	d->mig->cur.elapsed_ms = vr_time_ms() - d->mig->start_ms;
	d->mig->last = d->mig->cur;
	snprintf(d->mig->last.type, sizeof d->mig->last.type, "%s", ok ?
	    "completed" : d->mig->abort_requested ? "cancelled" : "failed");
	d->mig->active = false;
	pthread_mutex_unlock(&d->lock);
}

static struct json_object *
caps_events(void)
{
	struct json_object *args = json_object_new_object();
	struct json_object *caps = json_object_new_array();
	struct json_object *c = json_object_new_object();

	json_object_object_add(c, "capability",
	    json_object_new_string("events"));
	json_object_object_add(c, "state", json_object_new_boolean(true));
	json_object_array_add(caps, c);
	json_object_object_add(args, "capabilities", caps);
	return args;
}

/* "tcp:HOST:PORT", HOST a name, an IPv4 or a [IPv6] address. */
static int
mig_uri_check(const char *uri)
{
	const char *p, *colon;
	char *end;
	unsigned long port;

	if (strncmp(uri, "tcp:", 4) != 0 ||
	    (colon = strrchr(uri + 4, ':')) == NULL || colon == uri + 4)
		goto bad;
	for (p = uri + 4; p < colon; p++)
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
			goto bad;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
		goto bad;
	return 0;
bad:
	vr_error(VR_ERR_INVALID_ARG, "invalid migration URI '%s' (expected "
	    "tcp:HOST:PORT)", uri);
	return -1;
}

/* Source */

/* Locked: the XML the destination runs, and what it may persist. */
static void
mig_format_locked(struct qemu_dom *d, unsigned int flags, char **xml,
    char **persist_xml)
{
	unsigned long long cur = d->live->cur_mem_kib;

	if (d->balloon_kib != 0)
		d->live->cur_mem_kib = d->balloon_kib;
	*xml = dom_def_format(d->live, -1, DOM_FORMAT_SECURE);
	d->live->cur_mem_kib = cur;
	*persist_xml = NULL;
	if (flags & VR_MIGRATE_PERSIST_DEST)
		*persist_xml = dom_def_format(d->def != NULL ? d->def :
		    d->live, -1, DOM_FORMAT_SECURE);
}

static int
mig_set_params(struct qemu_dom *d, const struct vr_migrate_args *a)
{
	struct json_object *args = json_object_new_object();
	unsigned long long bw = a->bandwidth_mib != 0 &&
	    a->bandwidth_mib < MIG_BANDWIDTH_MAX / (1024 * 1024) ?
	    a->bandwidth_mib * 1024 * 1024 : MIG_BANDWIDTH_MAX;

	if (qemu_process_qmp(d, "migrate-set-capabilities", caps_events(),
	    NULL) < 0)
		return -1;
	json_object_object_add(args, "max-bandwidth",
	    json_object_new_int64((int64_t)bw));
	return qemu_process_qmp(d, "migrate-set-parameters", args, NULL);
}

static void
mig_wait_event(struct qemu_dom *d, unsigned int ms)
{
	struct timespec deadline;
	int rc = 0;

	vr_deadline_after_ms(&deadline, ms);
	pthread_mutex_lock(&d->lock);
	while (!d->mig->woken && d->pid != 0 && rc == 0)
		rc = pthread_cond_clockwait(&d->cond, &d->lock,
		    CLOCK_MONOTONIC, &deadline);
	d->mig->woken = false;
	pthread_mutex_unlock(&d->lock);
}

/*
 * Completed: QEMU's migration thread sets total-time and downtime just
 * after the status, so a query at the event may still see zeros. QEMU's
 * downtime runs from its own stop; when we paused the guest earlier (not
 * live, --timeout) it was down from then until it ran there, now.
 */
static void
mig_final_figures(struct qemu_dom *d)
{
	int i;

	for (i = 0; i < 50; i++) {
		struct json_object *r = NULL;
		bool done;

		if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
			break;
		done = json_u64(r, "total-time") != 0;
		if (done) {
			pthread_mutex_lock(&d->lock);
			mig_info_from_qmp(r, &d->mig->cur);
			pthread_mutex_unlock(&d->lock);
		}
		json_object_put(r);
		if (done)
			break;
		usleep(2000);
	}
	pthread_mutex_lock(&d->lock);
	if (d->mig->paused_ms != 0)
		d->mig->cur.downtime_ms = vr_time_ms() - d->mig->paused_ms;
	pthread_mutex_unlock(&d->lock);
}

/* A status of the outgoing side, not a leftover of an earlier one. */
static bool
mig_status_running(const char *status)
{
	static const char *const running[] = { "setup", "active", "device",
	    "pre-switchover", "wait-unplug", "postcopy-active",
	    "postcopy-paused", "postcopy-recover" };
	size_t i;

	for (i = 0; i < nitems(running); i++)
		if (strcmp(status, running[i]) == 0)
			return true;
	return false;
}

/*
 * Follow the migration until QEMU says completed (0) or failed or
 * cancelled (-1, error set). --timeout: pause the guest once it passed.
 *
 * Until the outgoing side shows up (a MIGRATION event, or a running
 * status), query-migrate may still answer for an earlier migration: a
 * QEMU that came in by migration says "completed" for that one.
 */
static int
mig_follow(struct qemu_dom *d, const struct vr_migrate_args *a,
    const struct vr_migrate_peer *peer, bool *paused_by_us, bool was_paused)
{
	uint64_t t0 = vr_time_ms();
	bool cancel_sent = false, peer_gone = false, started = false;

	for (;;) {
		struct json_object *r = NULL;
		const char *status, *desc;
		bool abort_req;

		if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
			return -1;
		status = json_str(r, "status");
		if (status == NULL)
			status = "none";
		abort_req = qemu_job_progress_update(d, r);
		pthread_mutex_lock(&d->lock);
		started = started || d->mig->event_seen ||
		    mig_status_running(status);
		pthread_mutex_unlock(&d->lock);
		if (!started) {
			json_object_put(r);
			if (vr_time_ms() - t0 > MIG_START_WAIT_MS) {
				vr_error(VR_ERR_QEMU, "migration of domain "
				    "'%s' did not start", d->name);
				return -1;
			}
			mig_wait_event(d, 10);
			continue;
		}
		if (strcmp(status, "completed") == 0) {
			json_object_put(r);
			return 0;
		}
		if (strcmp(status, "failed") == 0 ||
		    strcmp(status, "cancelled") == 0) {
			desc = json_str(r, "error-desc");
			if (peer_gone)
				vr_error(VR_ERR_RPC, "migration of domain '%s' "
				    "cancelled: the destination daemon went "
				    "away", d->name);
			else if (abort_req)
				vr_error(VR_ERR_OPERATION_INVALID, "migration "
				    "of domain '%s' was cancelled by "
				    "domjobabort", d->name);
			else
				vr_error(VR_ERR_QEMU, "migration of domain "
				    "'%s' %s%s%s", d->name, status,
				    desc != NULL ? ": " : "",
				    desc != NULL ? desc : "");
			json_object_put(r);
			return -1;
		}
		json_object_put(r);
		if (!peer_gone && peer->alive != NULL &&
		    !peer->alive(peer->opaque)) {
			log_error("domain '%s': the destination daemon went "
			    "away: cancelling the migration", d->name);
			peer_gone = abort_req = true;
		}
		if (abort_req && !cancel_sent) {
			cancel_sent = true;
			if (qemu_process_qmp(d, "migrate_cancel", NULL,
			    NULL) < 0)
				return -1;
		}
		if (a->timeout_s != 0 && !*paused_by_us && !was_paused &&
		    vr_time_ms() - t0 >= (uint64_t)a->timeout_s * 1000) {
			log_info("domain '%s': migration still running after "
			    "%u s: pausing the guest", d->name, a->timeout_s);
			if (mig_pause(d) < 0)
				return -1;
			*paused_by_us = true;
		}
		mig_wait_event(d, MIG_POLL_MS);
	}
}

/* After a failure: the guest runs here again, as before. */
static void
mig_recover(struct qemu_dom *d, bool resume, bool was_paused)
{
	struct json_object *r = NULL;
	const char *status;

	/* A QMP error mid-way: stop the stream if it still flows. */
	if (qemu_process_qmp(d, "query-migrate", NULL, &r) == 0 &&
	    (status = json_str(r, "status")) != NULL &&
	    (strcmp(status, "active") == 0 || strcmp(status, "setup") == 0 ||
	    strcmp(status, "device") == 0 ||
	    strcmp(status, "pre-switchover") == 0))
		qemu_process_qmp(d, "migrate_cancel", NULL, NULL);
	json_object_put(r);
	if (resume && qemu_process_qmp(d, "cont", NULL, NULL) < 0)
		log_error("domain '%s': cannot resume after the failed "
		    "migration: %s", d->name, vr_error_message());
	pthread_mutex_lock(&d->lock);
	if (d->pid != 0 && was_paused)
		qemu_dom_set_state(d, VR_DOM_PAUSED, "user");
	pthread_mutex_unlock(&d->lock);
}

int
qemu_migrate_perform(const char *key, const struct vr_migrate_args *a,
    const struct vr_migrate_peer *peer)
{
	VR_AUTOFREE char *xml = NULL;
	VR_AUTOFREE char *persist_xml = NULL;
	VR_AUTOFREE char *uri = NULL;
	struct json_object *args;
	struct qemu_dom *d;
	bool was_paused, paused_by_us = false, completed = false;
	int ret = -1, rc;

	if (a->migrate_uri != NULL && mig_uri_check(a->migrate_uri) < 0)
		return -1;
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "migrate-out") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (d->live == NULL || d->pid == 0 || (d->state != VR_DOM_RUNNING &&
	    d->state != VR_DOM_PAUSED)) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto end;
	}
	was_paused = d->state == VR_DOM_PAUSED;
	/*
	 * QEMU 7.2's TCG loses guest writes that race with the dirty page
	 * tracking of a live migration: a guest that writes memory while it
	 * is copied arrives with stale pages (bench/migrate-soak.sh finds
	 * them on the first move, QEMU alone as well as here), and its
	 * kernel may crash there. Copied paused, nothing can race.
	 */
	if ((a->flags & VR_MIGRATE_LIVE) && !(a->flags & VR_MIGRATE_UNSAFE) &&
	    !was_paused && d->live->virt == DOM_VIRT_QEMU) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_UNSUPPORTED, "domain '%s' cannot migrate live: "
		    "it runs under TCG, and QEMU's TCG loses guest writes "
		    "made while its memory is copied (the guest may crash "
		    "on arrival); migrate it without --live (paused while "
		    "copied), or add --unsafe", d->name);
		goto end;
	}
	mig_format_locked(d, a->flags, &xml, &persist_xml);
	pthread_mutex_unlock(&d->lock);
	qemu_job_progress_start(d, "outgoing migration");

	log_info("domain '%s': migration starts", d->name);
	if (peer->prepare(peer->opaque, xml, a->migrate_uri,
	    qemu_vcpu_boot_count(d, d->live), &uri) < 0) {
		vr_error_prefix("cannot migrate domain '%s'", d->name);
		goto fail_unprepared;
	}
	if (mig_uri_check(uri) < 0 || mig_set_params(d, a) < 0)
		goto fail;
	if (!(a->flags & VR_MIGRATE_LIVE) && !was_paused) {
		if (mig_pause(d) < 0)
			goto fail;
		paused_by_us = true;
	}
	pthread_mutex_lock(&d->lock);
	d->mig->event_seen = false;
	pthread_mutex_unlock(&d->lock);
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string(uri));
	if (qemu_process_qmp(d, "migrate", args, NULL) < 0 ||
	    mig_follow(d, a, peer, &paused_by_us, was_paused) < 0)
		goto fail;
	completed = true;
	/* Gone before finish: nobody can have resumed it there. */
	if (peer->alive != NULL && !peer->alive(peer->opaque)) {
		vr_error(VR_ERR_RPC, "migration of domain '%s' failed: the "
		    "destination daemon went away; it keeps running here",
		    d->name);
		goto fail;
	}
	/* All state is there and the guest paused here: run it there. */
	if ((rc = peer->finish(peer->opaque, d->name, true, was_paused ||
	    (a->flags & VR_MIGRATE_PAUSED), persist_xml)) == -2) {
		/* It may run there: resuming here could make two. */
		vr_error_prefix("domain '%s': the destination did not "
		    "confirm the end of the migration; the guest is left "
		    "paused here: check the destination before resuming it",
		    d->name);
		goto fail_unprepared;
	}
	if (rc < 0) {
		vr_error_prefix("domain '%s' could not run on the "
		    "destination; it keeps running here", d->name);
		goto fail;
	}
	/* The guest runs there: now the figures, then stop QEMU here. */
	mig_final_figures(d);
	qemu_job_progress_end(d, true);
	if (qemu_process_kill(d, false, "migrated") < 0)
		log_error("domain '%s' runs on the destination but its QEMU "
		    "here did not stop: %s", d->name, vr_error_message());
	if ((a->flags & VR_MIGRATE_UNDEFINE_SOURCE) &&
	    qemu_dom_unpersist(d) < 0)
		log_error("domain '%s' migrated but not undefined here: %s",
		    d->name, vr_error_message());
	log_info("domain '%s' migrated (%llu ms, stream %llu ms, downtime "
	    "%llu ms, %llu KiB sent)", d->name,
	    (unsigned long long)d->mig->last.elapsed_ms,
	    (unsigned long long)d->mig->last.stream_ms,
	    (unsigned long long)d->mig->last.downtime_ms,
	    (unsigned long long)d->mig->last.data_processed / 1024);
	ret = 0;
	goto end;

fail:
	{
		char msg[2048];
		int code = vr_error_code();

		snprintf(msg, sizeof msg, "%s", vr_error_message());
		/* After a refused finish the destination already cleaned. */
		if (!completed)
			peer->finish(peer->opaque, d->name, false, false,
			    NULL);
		mig_recover(d, paused_by_us || (completed && !was_paused),
		    was_paused);
		vr_error(code, "%s", msg);
	}
fail_unprepared:
	qemu_job_progress_end(d, false);
	log_error("domain '%s': %s", d->name, vr_error_message());
end:
	qemu_dom_job_end(d);
	qemu_dom_remove_if_transient(d);
out:
	qemu_dom_unref(d);
	return ret;
}

int
qemu_migrate_job_info(const char *key, bool completed,
    struct vr_dom_job_info *info)
{
	struct qemu_dom *d;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	memset(info, 0, sizeof *info);
	snprintf(info->type, sizeof info->type, "none");
	pthread_mutex_lock(&d->lock);
	if (d->mig != NULL && completed) {
		*info = d->mig->last;
	} else if (d->mig != NULL && d->mig->active) {
		*info = d->mig->cur;
		info->elapsed_ms = vr_time_ms() - d->mig->start_ms;
	}
	pthread_mutex_unlock(&d->lock);
	qemu_dom_unref(d);
	return 0;
}

int
qemu_migrate_job_abort(const char *key)
{
	struct qemu_dom *d;
	char op[32];
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	if (d->mig == NULL || !d->mig->active) {
		if (d->job != NULL)
			vr_error(VR_ERR_OPERATION_INVALID, "job '%s' of "
			    "domain '%s' cannot be aborted", d->job, d->name);
		else
			vr_error(VR_ERR_OPERATION_INVALID, "no job is running "
			    "on domain '%s'", d->name);
		pthread_mutex_unlock(&d->lock);
		goto out;
	}
	d->mig->abort_requested = true;
	d->mig->woken = true;
	pthread_cond_broadcast(&d->cond);
	snprintf(op, sizeof op, "%s", d->mig->cur.operation);
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s': abort of its %s requested", d->name, op);
	/* Before "migrate" went out, the source's loop cancels it. */
	qemu_process_qmp(d, "migrate_cancel", NULL, NULL);
	ret = 0;
out:
	qemu_dom_unref(d);
	return ret;
}

/* Destination */

static int
mig_check_path(const char *what, const char *name, const char *path)
{
	if (path == NULL || access(path, F_OK) == 0)
		return 0;
	vr_error(VR_ERR_OPERATION_INVALID, "%s '%s': '%s' is not reachable "
	    "on the destination host (%s); migration needs shared storage: "
	    "the same path on both hosts", what, name, path,
	    strerror(errno));
	return -1;
}

/* Shared storage: every disk, kernel and initrd must be there already. */
static int
mig_check_storage(const struct dom_def *def)
{
	VR_AUTO(dom_def) resolved = NULL;
	const struct dom_def *r;
	size_t i;

	if (qemu_volumes_resolve(def, &resolved) < 0)
		return -1;
	r = resolved != NULL ? resolved : def;
	for (i = 0; i < r->ndisks; i++)
		if (mig_check_path("disk", r->disks[i].target_dev,
		    r->disks[i].src_path) < 0)
			return -1;
	if (mig_check_path("kernel of domain", r->name, r->kernel) < 0 ||
	    mig_check_path("initrd of domain", r->name, r->initrd) < 0)
		return -1;
	return 0;
}

/* The port QEMU listens on, for "tcp:HOST:0". */
static int
mig_incoming_uri(struct qemu_dom *d, const char *uri, char **uri_out)
{
	struct json_object *r = NULL, *addrs, *a;
	const char *colon = strrchr(uri, ':');
	const char *port;

	if (strcmp(colon, ":0") != 0) {
		*uri_out = xstrdup(uri);
		return 0;
	}
	if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
		return -1;
	if (!json_object_object_get_ex(r, "socket-address", &addrs) ||
	    !json_object_is_type(addrs, json_type_array) ||
	    json_object_array_length(addrs) == 0 ||
	    (a = json_object_array_get_idx(addrs, 0)) == NULL ||
	    (port = json_str(a, "port")) == NULL) {
		json_object_put(r);
		vr_error(VR_ERR_QEMU, "domain '%s': QEMU did not say which "
		    "port it listens on for the migration", d->name);
		return -1;
	}
	*uri_out = xprintf("%.*s:%s", (int)(colon - uri), uri, port);
	json_object_put(r);
	return 0;
}

int
qemu_migrate_prepare(const char *xml, const char *uri, uint32_t boot_vcpus,
    char **uri_out, char *name, size_t len)
{
	struct json_object *args;
	struct dom_def *def;
	struct qemu_dom *d;

	*uri_out = NULL;
	if (uri == NULL)
		uri = "tcp:127.0.0.1:0";
	if (mig_uri_check(uri) < 0 ||
	    (def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE)) == NULL)
		return -1;
	if (mig_check_storage(def) < 0) {
		dom_def_free(def);
		return -1;
	}
	snprintf(name, len, "%s", def->name);
	if ((d = qemu_dom_claim_inactive(def, "migrate-in")) == NULL)
		return -1;
	if (qemu_vcpu_start_incoming(d, boot_vcpus) < 0)
		goto fail;
	args = json_object_new_object();
	json_object_object_add(args, "uri", json_object_new_string(uri));
	if (qemu_process_qmp(d, "migrate-set-capabilities", caps_events(),
	    NULL) < 0 ||
	    qemu_process_qmp(d, "migrate-incoming", args, NULL) < 0 ||
	    mig_incoming_uri(d, uri, uri_out) < 0) {
		char msg[2048];
		int code = vr_error_code();

		snprintf(msg, sizeof msg, "%s", vr_error_message());
		qemu_process_kill(d, false, "failed");
		vr_error(code, "%s", msg);
		goto fail;
	}
	log_info("domain '%s': waiting for the incoming migration on %s",
	    d->name, *uri_out);
	qemu_dom_unref(d);	/* the job stays held until finish */
	return 0;
fail:
	qemu_dom_job_end(d);
	qemu_dom_remove_if_transient(d);
	qemu_dom_unref(d);
	return -1;
}

/* The stream came in whole (the source saw it complete first). */
static int
mig_incoming_wait(struct qemu_dom *d)
{
	uint64_t end = vr_time_ms() + MIG_FINISH_WAIT_MS;

	for (;;) {
		struct json_object *r = NULL;
		const char *status;
		int done;

		if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
			return -1;
		status = json_str(r, "status");
		done = status == NULL ? 0 : strcmp(status, "completed") == 0 ?
		    1 : strcmp(status, "failed") == 0 ? -1 : 0;
		json_object_put(r);
		if (done == 1)
			return 0;
		if (done < 0 || vr_time_ms() > end) {
			vr_error(VR_ERR_QEMU, "domain '%s': the incoming "
			    "migration %s", d->name, done < 0 ? "failed" :
			    "did not complete");
			return -1;
		}
		/* The guest is paused meanwhile: look often. */
		usleep(1000);
	}
}

int
qemu_migrate_finish(const char *key, bool ok, bool paused,
    const char *persist_xml)
{
	struct dom_def *pdef;
	struct qemu_dom *d;
	bool incoming;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	pthread_mutex_lock(&d->lock);
	incoming = d->job != NULL && strcmp(d->job, "migrate-in") == 0;
	pthread_mutex_unlock(&d->lock);
	if (!incoming) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no "
		    "incoming migration", d->name);
		qemu_dom_unref(d);
		return -1;
	}
	if (!ok) {
		log_info("domain '%s': incoming migration abandoned", d->name);
		qemu_process_kill(d, false, "failed");
		ret = 0;
		goto end;
	}
	if (mig_incoming_wait(d) < 0 ||
	    qemu_process_finish_incoming(d, paused, "migrated") < 0)
		goto fail;
	if (persist_xml != NULL) {
		if ((pdef = dom_def_parse_string(persist_xml,
		    DOM_PARSE_VALIDATE)) == NULL ||
		    qemu_dom_persist(d, pdef) < 0)
			log_error("domain '%s' migrated but not defined "
			    "here: %s", d->name, vr_error_message());
	}
	log_info("domain '%s': incoming migration done (%s)", d->name,
	    paused ? "paused" : "running");
	ret = 0;
	goto end;
fail:
	{
		char msg[2048];
		int code = vr_error_code();

		snprintf(msg, sizeof msg, "%s", vr_error_message());
		qemu_process_kill(d, false, "failed");
		vr_error(code, "%s", msg);
	}
end:
	qemu_dom_job_end(d);
	qemu_dom_remove_if_transient(d);
	qemu_dom_unref(d);
	return ret;
}
