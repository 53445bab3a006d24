/*
 * Status files: run/qemu/NAME.status describes a running domain well
 * enough for a restarted daemon to take it back (pid and its start time,
 * monitor socket, id, state, the live definition). Rewritten atomically at
 * every state change while the domain runs; removed when it stops.
 *
 * On start the daemon reads them (qemu_status_load) and the domains are
 * active at once with their recorded state; reconnecting to each monitor
 * (qemu_status_reconnect) happens on threads once the event loop runs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "event.h"
#include "log.h"
#include "qemu-domain.h"
#include "qmp.h"
#include "rpc.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.status");

#define STATUS_VERSION	1

static char *
status_path(const char *name)
{
	return xprintf("%s/%s.status", qemu_drv.mon_dir, name);
}

/* Locked. Called on every state change of an active domain. */
void
qemu_status_write_locked(struct qemu_dom *d)
{
	VR_AUTOFREE char *path = NULL;
	VR_AUTOFREE char *xml = NULL;
	struct json_object *o;
	const char *text;
	size_t len;

	if (d->pid == 0 || d->live == NULL)
		return;
	path = status_path(d->name);
	xml = dom_def_format(d->live, d->id, DOM_FORMAT_SECURE);
	o = json_object_new_object();
	rpc_set_i64(o, "version", STATUS_VERSION);
	rpc_set_i64(o, "pid", d->pid);
	rpc_set_i64(o, "start_ticks", (int64_t)d->start_ticks);
	rpc_set_string(o, "monitor", d->monitor_path);
	rpc_set_i64(o, "id", d->id);
	rpc_set_i64(o, "state", d->state);
	rpc_set_string(o, "reason", d->reason);
	rpc_set_i64(o, "balloon_kib", (int64_t)d->balloon_kib);
	rpc_set_bool(o, "running_phase", d->job_phase_running);
	rpc_set_string(o, "xml", xml);
	if (d->nowned > 0) {
		struct json_object *arr = json_object_new_array();
		size_t i;

		for (i = 0; i < d->nowned; i++) {
			struct json_object *e = json_object_new_object();

			rpc_set_string(e, "path", d->owned[i].path);
			rpc_set_i64(e, "uid", d->owned[i].uid);
			rpc_set_i64(e, "gid", d->owned[i].gid);
			json_object_array_add(arr, e);
		}
		json_object_object_add(o, "owned", arr);
	}
	text = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN,
	    &len);
	if (vr_file_replace(path, text, len, 0600) < 0)
		log_error("domain '%s': cannot write status: %s", d->name,
		    vr_error_message());
	json_object_put(o);
}

void
qemu_status_remove(const char *name)
{
	VR_AUTOFREE char *path = status_path(name);

	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", path);
}

/* Reasons are static strings in the driver: map a saved one back. */
static const char *
reason_intern(const char *r)
{
	static const char *const known[] = { "booted", "unpaused", "user",
	    "unknown", "starting up", "migrated", "restored", "migration" };
	size_t i;

	for (i = 0; i < nitems(known); i++)
		if (r != NULL && strcmp(r, known[i]) == 0)
			return known[i];
	return "unknown";
}

/* Adopt one status file: the domain becomes active, not yet connected. */
static void
status_adopt(const char *file)
{
	VR_AUTOFREE char *path = xprintf("%s/%s", qemu_drv.mon_dir, file);
	VR_AUTOFREE char *text = NULL;
	struct json_object *o = NULL, *v;
	const char *xml = NULL, *mon = NULL, *reason = NULL;
	struct dom_def *live = NULL;
	int64_t pid = 0, ticks = 0, id = -1, state = 0, balloon = 0;
	bool running_phase = true;
	struct qemu_dom *d;

	if ((text = vr_file_read(path, 16 * 1024 * 1024, NULL)) == NULL ||
	    (o = json_tokener_parse(text)) == NULL ||
	    rpc_get_i64(o, "pid", true, &pid) < 0 ||
	    rpc_get_i64(o, "start_ticks", true, &ticks) < 0 ||
	    rpc_get_string(o, "monitor", true, &mon) < 0 ||
	    rpc_get_i64(o, "id", true, &id) < 0 ||
	    rpc_get_i64(o, "state", true, &state) < 0 ||
	    rpc_get_string(o, "reason", false, &reason) < 0 ||
	    rpc_get_i64(o, "balloon_kib", false, &balloon) < 0 ||
	    rpc_get_bool(o, "running_phase", false, &running_phase) < 0 ||
	    rpc_get_string(o, "xml", true, &xml) < 0 ||
	    (live = dom_def_parse_string(xml, 0)) == NULL) {
		log_error("ignoring status file '%s': %s", path,
		    o == NULL ? "unreadable" : vr_error_message());
		json_object_put(o);
		unlink(path);
		return;
	}
	d = qemu_dom_attach_live(live, (pid_t)pid);
	if (d == NULL) {
		json_object_put(o);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (json_object_object_get_ex(o, "owned", &v) &&
	    json_object_is_type(v, json_type_array)) {
		size_t i, n = json_object_array_length(v);

		d->owned = xcalloc(n + 1, sizeof *d->owned);
		for (i = 0; i < n; i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			const char *op = NULL;
			int64_t uid = 0, gid = 0;

			if (rpc_get_string(e, "path", true, &op) < 0 ||
			    rpc_get_i64(e, "uid", true, &uid) < 0 ||
			    rpc_get_i64(e, "gid", true, &gid) < 0)
				continue;
			d->owned[d->nowned].path = xstrdup(op);
			d->owned[d->nowned].uid = (uid_t)uid;
			d->owned[d->nowned].gid = (gid_t)gid;
			d->nowned++;
		}
	}
	d->start_ticks = (unsigned long long)ticks;
	d->monitor_path = xstrdup(mon);
	d->state = (int)state;
	d->reason = reason_intern(reason);
	d->balloon_kib = (unsigned long long)balloon;
	d->job_phase_running = running_phase;
	d->reconnecting = true;
	d->job = "reconnect";
	d->job_start_ms = vr_time_ms();
	pthread_mutex_unlock(&d->lock);
	qemu_dom_set_id(d, (int)id);
	qemu_dom_bump_id((int)id);
	log_info("domain '%s': found QEMU pid %lld from a previous daemon",
	    d->name, (long long)pid);
	qemu_dom_unref(d);
	json_object_put(o);
}

/*
 * A QEMU started by this daemon carries VIREO_RUN_DIR in its environment.
 * One that has no status file was spawned by a daemon killed before it
 * could record it: its start was never acknowledged. Kill it.
 */
static void
kill_orphans(void)
{
	VR_AUTOFREE char *marker = xprintf("VIREO_RUN_DIR=%s",
	    qemu_drv.env.run_dir);
	struct dirent *de;
	DIR *proc;

	if ((proc = opendir("/proc")) == NULL)
		return;
	while ((de = readdir(proc)) != NULL) {
		char path[64], comm[32] = "";
		VR_AUTOFREE char *env = NULL;
		size_t len = 0, off;
		pid_t pid;
		int fd;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atoi(de->d_name);
		snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		n = read(fd, comm, sizeof comm - 1);
		close(fd);
		if (n <= 0 || strncmp(comm, "qemu-system", 11) != 0)
			continue;
		snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
		if ((env = vr_file_read(path, 1024 * 1024, &len)) == NULL) {
			vr_error_reset();
			continue;
		}
		for (off = 0; off < len; off += strlen(env + off) + 1) {
			if (strcmp(env + off, marker) != 0)
				continue;
			if (!qemu_dom_find_pid(pid)) {
				log_warnx("killing QEMU pid %d: started by a "
				    "daemon that died before recording it",
				    (int)pid);
				kill(pid, SIGKILL);
			}
			break;
		}
	}
	closedir(proc);
}

void
qemu_status_load(void)
{
	DIR *dir;
	struct dirent *de;

	if ((dir = opendir(qemu_drv.mon_dir)) == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strstr(de->d_name, ".status.tmp.") != NULL) {
			VR_AUTOFREE char *p = xprintf("%s/%s",
			    qemu_drv.mon_dir, de->d_name);

			unlink(p);
			continue;
		}
		if (len > 7 && strcmp(de->d_name + len - 7, ".status") == 0)
			status_adopt(de->d_name);
	}
	closedir(dir);
	kill_orphans();
}

/*
 * A QEMU still loading a stream from a socket it listens on: an incoming
 * migration (a restore from a save image reads a file descriptor).
 */
static bool
incoming_from_network(struct qemu_dom *d)
{
	struct json_object *r = NULL, *v;
	bool net;

	if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
		return false;
	net = json_object_object_get_ex(r, "socket-address", &v);
	json_object_put(r);
	return net;
}

/*
 * Reconnect to one adopted domain (its job held): check the pid is still
 * the QEMU we started, watch it, reconnect QMP, and take QEMU's word for
 * the state. A QEMU that is gone, or that never finished starting, leaves
 * the domain shut off.
 */
static void
reconnect_one(struct qemu_dom *d)
{
	struct json_object *r = NULL, *v;
	struct qmp_mon *mon;
	VR_AUTOFREE char *mon_path = NULL;
	char status[64];
	int pidfd, fd;
	pid_t pid;

	pthread_mutex_lock(&d->lock);
	pid = d->pid;
	/* The loop thread frees it if QEMU exits once it is watched. */
	mon_path = xstrdup_null(d->monitor_path);
	pthread_mutex_unlock(&d->lock);
	if (vr_proc_start_ticks(pid) != d->start_ticks ||
	    (pidfd = vr_pidfd_open(pid)) < 0) {
		log_info("domain '%s': QEMU pid %d is gone", d->name,
		    (int)pid);
		qemu_process_forget(d, "crashed");
		return;
	}
	if (qemu_process_watch(d, pidfd) < 0 ||
	    mon_path == NULL ||
	    (fd = qemu_monitor_connect(mon_path)) < 0 ||
	    (mon = qemu_process_attach_monitor(d, fd)) == NULL ||
	    qmp_handshake(mon, 10000) < 0) {
		log_error("domain '%s': cannot reconnect to QEMU pid %d: %s; "
		    "killing it", d->name, (int)pid, vr_error_message());
		qemu_process_kill(d, false, "crashed");
		return;
	}
	if (qemu_process_qmp(d, "query-status", NULL, &r) < 0 ||
	    !json_object_object_get_ex(r, "status", &v)) {
		json_object_put(r);
		qemu_process_kill(d, false, "crashed");
		return;
	}
	snprintf(status, sizeof status, "%s", json_object_get_string(v));
	json_object_put(r);
	/*
	 * Only a start that got its id was acknowledged to anyone; an
	 * incoming migration that had not ended never was either: the
	 * source keeps or resumes the guest.
	 */
	if (strcmp(status, "inmigrate") == 0 && incoming_from_network(d)) {
		log_info("domain '%s': an incoming migration was interrupted; "
		    "stopping QEMU", d->name);
		qemu_process_kill(d, false, "failed");
		return;
	}
	if (d->id <= 0) {
		log_info("domain '%s': start was interrupted; stopping QEMU",
		    d->name);
		qemu_process_kill(d, false, "failed");
		return;
	}
	pthread_mutex_lock(&d->lock);
	d->reconnecting = false;
	d->job_phase_running = true;
	if (strcmp(status, "running") == 0) {
		if (d->state != VR_DOM_RUNNING)
			qemu_dom_set_state(d, VR_DOM_RUNNING, "unpaused");
	} else if (d->state != VR_DOM_CRASHED) {
		/*
		 * Paused while we were away: QEMU's run state says why (an
		 * I/O error...). A plain "paused" keeps the reason we had.
		 */
		const char *why = qemu_pause_reason_status(status);

		if (d->state != VR_DOM_PAUSED)
			qemu_dom_set_state(d, VR_DOM_PAUSED, why != NULL ?
			    why : "unknown");
		else if (why != NULL && strcmp(why, "unknown") != 0 &&
		    strcmp(status, "prelaunch") != 0)
			qemu_dom_set_state(d, VR_DOM_PAUSED, why);
	}
	qemu_status_write_locked(d);
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s': reconnected to QEMU pid %d (%s)", d->name,
	    (int)pid, status);
}

static void *
reconnect_thread(void *arg)
{
	struct qemu_dom *d = arg;

	/* status_adopt() took the job before any client could. */
	reconnect_one(d);
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
	return NULL;
}

/* Once the loop runs: one thread per adopted domain. */
void
qemu_status_reconnect(struct qemu_dom *d)
{
	pthread_t t;

	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	if (pthread_create(&t, NULL, reconnect_thread, d) != 0) {
		log_error("domain '%s': cannot start reconnect", d->name);
		qemu_dom_job_end(d);
		qemu_dom_unref(d);
		return;
	}
	pthread_detach(t);
}
