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
	    "unknown", "starting up", "migrated", "restored" };
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
	(void)v;
	d = qemu_dom_attach_live(live, (pid_t)pid);
	if (d == NULL) {
		json_object_put(o);
		return;
	}
	pthread_mutex_lock(&d->lock);
	d->start_ticks = (unsigned long long)ticks;
	d->monitor_path = xstrdup(mon);
	d->state = (int)state;
	d->reason = reason_intern(reason);
	d->balloon_kib = (unsigned long long)balloon;
	d->job_phase_running = running_phase;
	d->reconnecting = true;
	pthread_mutex_unlock(&d->lock);
	qemu_dom_set_id(d, (int)id);
	qemu_dom_bump_id((int)id);
	log_info("domain '%s': found QEMU pid %lld from a previous daemon",
	    d->name, (long long)pid);
	qemu_dom_unref(d);
	json_object_put(o);
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
}

static int
monitor_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "monitor path too long");
		return -1;
	}
	strcpy(sa.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		vr_error_system(errno, "socket");
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		vr_error_system(errno, "cannot connect to '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
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
	const char *status;
	int pidfd, fd;
	pid_t pid;
	bool prelaunch;

	pthread_mutex_lock(&d->lock);
	pid = d->pid;
	pthread_mutex_unlock(&d->lock);
	if (vr_proc_start_ticks(pid) != d->start_ticks ||
	    (pidfd = vr_pidfd_open(pid)) < 0) {
		log_info("domain '%s': QEMU pid %d is gone", d->name,
		    (int)pid);
		qemu_process_forget(d, "crashed");
		return;
	}
	if (qemu_process_watch(d, pidfd) < 0 ||
	    (fd = monitor_connect(d->monitor_path)) < 0 ||
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
	status = json_object_get_string(v);
	prelaunch = strcmp(status, "prelaunch") == 0;
	pthread_mutex_lock(&d->lock);
	d->reconnecting = false;
	if (!prelaunch && d->job_phase_running) {
		if (strcmp(status, "running") == 0) {
			if (d->state != VR_DOM_RUNNING)
				qemu_dom_set_state(d, VR_DOM_RUNNING,
				    "unpaused");
		} else if (d->state != VR_DOM_PAUSED) {
			qemu_dom_set_state(d, VR_DOM_PAUSED, "unknown");
		}
		qemu_status_write_locked(d);
	}
	pthread_mutex_unlock(&d->lock);
	if (prelaunch || !d->job_phase_running) {
		/* The start never completed: nobody was told it succeeded. */
		json_object_put(r);
		log_info("domain '%s': start was interrupted; stopping QEMU",
		    d->name);
		qemu_process_kill(d, false, "failed");
		return;
	}
	log_info("domain '%s': reconnected to QEMU pid %d (%s)", d->name,
	    (int)pid, status);
	json_object_put(r);	/* status is its string */
}

static void *
reconnect_thread(void *arg)
{
	struct qemu_dom *d = arg;

	if (qemu_dom_job_begin(d, "reconnect") == 0) {
		reconnect_one(d);
		qemu_dom_job_end(d);
	}
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
		qemu_dom_unref(d);
		return;
	}
	pthread_detach(t);
}
