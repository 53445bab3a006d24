/*
 * QEMU processes: start (spawn + QMP handshake), stop, exit detection
 * through a pidfd on the event loop, and QMP events turned into domain
 * states.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "event.h"
#include "log.h"
#include "qemu-argv.h"
#include "qemu-domain.h"
#include "qmp.h"
#include "spawn.h"
#include "util.h"
#include "vol-def.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.process");

#define QMP_TIMEOUT_MS		30000
#define KILL_WAIT_MS		10000
#define KILL_FORCE_WAIT_MS	5000

uint64_t
qemu_process_cpu_time(pid_t pid)
{
	unsigned long long t[2];	/* utime, stime */

	if (vr_proc_stat(pid, 14, t, 2) < 0)
		return 0;
	return (uint64_t)(t[0] + t[1]) * (1000000000ULL /
	    (uint64_t)sysconf(_SC_CLK_TCK));
}

static void
log_append(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
log_append(int fd, const char *fmt, ...)
{
	char when[64];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	VR_AUTOFREE char *msg = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	va_start(ap, fmt);
	msg = xvprintf(fmt, ap);
	va_end(ap);
	dprintf(fd, "%s.%03ld+0000: %s\n", when, ts.tv_nsec / 1000000, msg);
}

static char *
log_path(const char *name)
{
	return xprintf("%s/%s.log", qemu_drv.log_dir, name);
}

const char *
qemu_pause_reason(const char *pending, const char *job)
{
	static const struct {
		const char	*prefix;	/* of the job's name */
		const char	*reason;
	} jobs[] = {
		{ "suspend", "user" },
		{ "migrate", "migration" },
		{ "managedsave", "save" },
		{ "save", "save" },
		{ "snapshot", "snapshot" },
		{ "dump", "dump" },
	};
	size_t i;

	if (pending != NULL)
		return pending;
	for (i = 0; job != NULL && i < nitems(jobs); i++)
		if (strncmp(job, jobs[i].prefix, strlen(jobs[i].prefix)) == 0)
			return jobs[i].reason;
	return "unknown";
}

const char *
qemu_pause_reason_status(const char *status)
{
	static const char *const map[][2] = {
		{ "io-error", "io-error" },
		{ "watchdog", "watchdog" },
		{ "finish-migrate", "migration" },
		{ "inmigrate", "migration" },
		{ "postmigrate", "migration" },
		{ "save-vm", "save" },
		{ "restore-vm", "from snapshot" },
		{ "prelaunch", "user" },
		{ "paused", "unknown" },
		{ "suspended", "unknown" },
		{ "debug", "unknown" },
	};
	size_t i;

	for (i = 0; i < nitems(map); i++)
		if (strcmp(status, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* BLOCK_IO_ERROR (loop thread, locked): log it; remember why QEMU stops. */
static void
block_io_error_locked(struct qemu_dom *d, struct json_object *data)
{
	struct json_object *v;
	const char *node = "", *op = "", *action = "", *why = "";
	char disk[64];
	size_t n;

	if (data == NULL)
		return;
	if (json_object_object_get_ex(data, "node-name", &v))
		node = json_object_get_string(v);
	if (node[0] == '\0' && json_object_object_get_ex(data, "device", &v))
		node = json_object_get_string(v);
	if (json_object_object_get_ex(data, "operation", &v))
		op = json_object_get_string(v);
	if (json_object_object_get_ex(data, "action", &v))
		action = json_object_get_string(v);
	if (json_object_object_get_ex(data, "reason", &v))
		why = json_object_get_string(v);
	/* Our node names are ALIAS-format / ALIAS-storage. */
	snprintf(disk, sizeof disk, "%s", node);
	n = strlen(disk);
	if (n > 7 && strcmp(disk + n - 7, "-format") == 0)
		disk[n - 7] = '\0';
	else if (n > 8 && strcmp(disk + n - 8, "-storage") == 0)
		disk[n - 8] = '\0';
	log_warnx("domain '%s': I/O error on disk %s (%s): %s; QEMU's action: "
	    "%s", d->name, disk, op, why, action);
	if (strcmp(action, "stop") == 0)
		d->pause_reason = "io-error";
}

/* A line in the domain's log (log/qemu/NAME.log). Any thread. */
void
qemu_process_log(struct qemu_dom *d, const char *fmt, ...)
{
	VR_AUTOFREE char *lp = log_path(d->name);
	VR_AUTOFREE char *msg = NULL;
	VR_AUTOCLOSE int fd = -1;
	va_list ap;

	va_start(ap, fmt);
	msg = xvprintf(fmt, ap);
	va_end(ap);
	if ((fd = open(lp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		log_warn("domain '%s': cannot open log '%s'", d->name, lp);
		return;
	}
	log_append(fd, "%s", msg);
}

/* Lifecycle events from the monitor (loop thread). */
static void
mon_event(struct qmp_mon *mon, const char *event, struct json_object *data,
    void *opaque)
{
	struct qemu_dom *d = opaque;
	struct json_object *v;
	bool fake_reboot = false;
	const char *emit = NULL, *detail = NULL;
	int crash_action = -1;

	pthread_mutex_lock(&d->lock);
	if (d->mon != mon) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	if (strcmp(event, "SHUTDOWN") == 0) {
		if (d->fake_reboot) {
			fake_reboot = true;
			d->fake_reboot = false;
		} else if (d->stop_reason == NULL ||
		    strcmp(d->stop_reason, "shutdown") == 0) {
			/* Guest powered off (destroy set its own reason). */
			d->stop_reason = "shutdown";
			qemu_dom_set_state(d, VR_DOM_SHUTDOWN, "user");
			emit = "shutdown";
			detail = "finished";
		}
	} else if (strcmp(event, "STOP") == 0) {
		/* After GUEST_PANICKED the domain stays "crashed". */
		if (d->job_phase_running && d->state != VR_DOM_CRASHED) {
			if (d->state != VR_DOM_PAUSED)
				qemu_dom_set_state(d, VR_DOM_PAUSED,
				    qemu_pause_reason(d->pause_reason,
				    d->job));
			d->pause_reason = NULL;
			/* Not while start runs the vCPUs for the first time. */
			if (d->id > 0) {
				emit = "suspended";
				detail = d->reason;
			}
		}
	} else if (strcmp(event, "RESUME") == 0) {
		if (d->job_phase_running) {
			if (d->state != VR_DOM_RUNNING)
				qemu_dom_set_state(d, VR_DOM_RUNNING,
				    "unpaused");
			if (d->id > 0) {
				emit = "resumed";
				detail = "unpaused";
			}
		}
	} else if (strcmp(event, "BLOCK_IO_ERROR") == 0) {
		block_io_error_locked(d, data);
	} else if (strcmp(event, "BALLOON_CHANGE") == 0) {
		if (data != NULL && json_object_object_get_ex(data, "actual",
		    &v))
			d->balloon_kib = (unsigned long long)
			    json_object_get_int64(v) / 1024;
	} else if (strcmp(event, "GUEST_PANICKED") == 0) {
		/* QEMU paused the guest (-action panic=pause): on_crash. */
		if (d->live != NULL && !d->panic_handled) {
			d->panic_handled = true;
			qemu_dom_set_state(d, VR_DOM_CRASHED, "panicked");
			emit = "crashed";
			detail = "panicked";
			crash_action = d->live->on_crash;
		}
	} else if (strcmp(event, "MIGRATION") == 0) {
		qemu_migrate_event_locked(d, data);
	} else if (strcmp(event, "RESET") == 0) {
		if (d->state == VR_DOM_RUNNING)
			d->reason = "booted";
	} else if (strcmp(event, "DEVICE_DELETED") == 0) {
		qemu_hotplug_device_deleted_locked(d, data);
	}
	pthread_mutex_unlock(&d->lock);
	if (emit != NULL)
		qemu_dom_emit(d, emit, detail);
	if (crash_action >= 0)
		qemu_process_on_crash(d, crash_action);
	if (fake_reboot)
		qemu_process_finish_reboot(d);
}

static void
mon_eof(struct qmp_mon *mon, void *opaque)
{
	struct qemu_dom *d = opaque;

	log_debug("domain '%s': monitor closed", d->name);
}

/*
 * Locked. Release what the process held; returns the id it had. The
 * caller updates the id table (which needs the table lock) afterwards.
 */
static int
process_release_locked(struct qemu_dom *d, const char *reason)
{
	int old_id = d->id;

	if (d->pidfd_watch > 0)
		vr_loop_remove_fd(qemu_drv.env.loop, d->pidfd_watch);
	d->pidfd_watch = -1;
	if (d->pidfd >= 0)
		close(d->pidfd);
	d->pidfd = -1;
	d->pid = 0;
	if (d->mon != NULL) {
		qmp_close(d->mon);
		d->mon = NULL;
	}
	if (d->monitor_path != NULL) {
		unlink(d->monitor_path);
		free(d->monitor_path);
		d->monitor_path = NULL;
	}
	qemu_security_restore(d);
	qemu_net_release(d->name, d->live);
	qemu_hotplug_forget_locked(d);
	dom_def_free(d->live);
	d->live = NULL;
	d->balloon_kib = 0;
	d->fake_reboot = false;
	d->job_phase_running = false;
	d->reconnecting = false;
	d->panic_handled = false;
	d->pause_reason = NULL;
	qemu_dom_set_state(d, VR_DOM_SHUTOFF, reason);
	d->stop_reason = NULL;
	pthread_cond_broadcast(&d->cond);
	return old_id;
}

/* pidfd readable: QEMU exited (loop thread). */
static void
process_exited(int fd, int events, void *opaque)
{
	struct qemu_dom *d = opaque;
	const char *reason;
	char desc[128];
	int status = 0, old_id;
	bool restart;
	pid_t pid;

	pthread_mutex_lock(&d->lock);
	pid = d->pid;
	if (pid == 0 || d->pidfd != fd) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	if (waitpid(pid, &status, WNOHANG) == pid)
		vr_wait_status_str(status, desc, sizeof desc);
	else
		snprintf(desc, sizeof desc, "exited (not our child)");
	reason = d->stop_reason != NULL ? d->stop_reason : "crashed";
	log_info("domain '%s': QEMU pid %d %s; shut off (%s)", d->name,
	    (int)pid, desc, reason);
	{
		VR_AUTOFREE char *lp = log_path(d->name);
		int lfd = open(lp, O_WRONLY | O_APPEND | O_CLOEXEC);

		if (lfd >= 0) {
			log_append(lfd, "QEMU pid %d %s (%s)", (int)pid, desc,
			    reason);
			close(lfd);
		}
	}
	restart = strcmp(reason, "shutdown") == 0 && d->live != NULL &&
	    d->def != NULL && d->live->on_poweroff == DOM_LIFECYCLE_RESTART;
	old_id = process_release_locked(d, reason);
	pthread_mutex_unlock(&d->lock);
	qemu_dom_set_id(d, -1);
	(void)old_id;
	qemu_dom_emit(d, "stopped", reason);
	if (restart)
		qemu_process_async(d, "on_poweroff", false);
	qemu_dom_remove_if_transient(d);
	qemu_dom_unref(d);	/* the watch's reference */
}

static int
monitor_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "monitor socket path '%s' is "
		    "too long (max %zu)", path, sizeof sa.sun_path - 1);
		return -1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		vr_error_system(errno, "socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(fd, 4) < 0) {
		vr_error_system(errno, "cannot listen on '%s'", path);
		close(fd);
		return -1;
	}
	return fd;
}

int
qemu_monitor_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path) {
		vr_error(VR_ERR_INVALID_ARG, "monitor socket path '%s' is "
		    "too long", path);
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

/* Error for a failed start, quoting QEMU's last lines from its log. */
static void
start_error_from_log(struct qemu_dom *d, const char *what)
{
	VR_AUTOFREE char *lp = log_path(d->name);
	VR_AUTOFREE char *tail = vr_file_tail(lp, 3);
	char msg[4096];

	snprintf(msg, sizeof msg, "%s", what);
	if (tail != NULL && *tail != '\0')
		vr_error(VR_ERR_QEMU, "failed to start domain '%s': %s; QEMU "
		    "said: %s", d->name, msg, tail);
	else
		vr_error(VR_ERR_QEMU, "failed to start domain '%s': %s",
		    d->name, msg);
}

static int
kvm_check(const struct dom_def *def)
{
	if (def->virt != DOM_VIRT_KVM || qemu_drv.kvm_usable)
		return 0;
	if (qemu_drv.kvm_module != NULL)
		vr_error(VR_ERR_UNSUPPORTED, "domain '%s' has type='kvm' but "
		    "KVM is not usable on this host (module %s loaded, "
		    "neither kvm_intel nor kvm_amd); use type='qemu' for "
		    "TCG", def->name, qemu_drv.kvm_module);
	else
		vr_error(VR_ERR_UNSUPPORTED, "domain '%s' has type='kvm' but "
		    "this host has no KVM; use type='qemu' for TCG",
		    def->name);
	return -1;
}

int
qemu_volumes_resolve(const struct dom_def *def, struct dom_def **resolved)
{
	VR_AUTO(dom_def) copy = NULL;
	struct dom_disk *disk;
	size_t i;
	int fmt;

	*resolved = NULL;
	for (i = 0; i < def->ndisks; i++) {
		if (def->disks[i].type != DOM_DISK_TYPE_VOLUME)
			continue;
		if (qemu_drv.env.volume_path == NULL) {
			vr_error(VR_ERR_UNSUPPORTED, "disk '%s': volume disks "
			    "need the storage driver",
			    def->disks[i].target_dev);
			return -1;
		}
		if (copy == NULL)
			copy = dom_def_copy(def);
		disk = &copy->disks[i];
		free(disk->src_path);
		disk->src_path = NULL;
		if (qemu_drv.env.volume_path(disk->src_pool, disk->src_volume,
		    &disk->src_path, &fmt) < 0) {
			vr_error_prefix("disk '%s'", disk->target_dev);
			return -1;
		}
		if (disk->format == DOM_DISK_FORMAT_DEFAULT)
			disk->format = fmt == VOL_FORMAT_QCOW2 ?
			    DOM_DISK_FORMAT_QCOW2 : DOM_DISK_FORMAT_RAW;
	}
	*resolved = vr_steal(&copy);
	return 0;
}

/* After the handshake: balloon settings, then run the vCPUs. */
static int
process_setup(struct qemu_dom *d, const struct dom_def *def, bool paused)
{
	struct json_object *args;

	if (def->balloon.model == DOM_BALLOON_VIRTIO &&
	    def->balloon.stats_period != 0) {
		args = json_object_new_object();
		json_object_object_add(args, "path",
		    json_object_new_string("/machine/peripheral/balloon0"));
		json_object_object_add(args, "property",
		    json_object_new_string("guest-stats-polling-interval"));
		json_object_object_add(args, "value",
		    json_object_new_int((int)def->balloon.stats_period));
		if (qemu_process_qmp(d, "qom-set", args, NULL) < 0)
			return -1;
	}
	if (def->balloon.model == DOM_BALLOON_VIRTIO &&
	    def->cur_mem_kib < def->mem_kib) {
		args = json_object_new_object();
		json_object_object_add(args, "value",
		    json_object_new_int64((int64_t)def->cur_mem_kib * 1024));
		if (qemu_process_qmp(d, "balloon", args, NULL) < 0)
			return -1;
	}
	if (def->balloon.model == DOM_BALLOON_VIRTIO) {
		struct json_object *r = NULL, *v;

		/* The guest's view from now on comes from BALLOON_CHANGE. */
		if (qemu_process_qmp(d, "query-balloon", NULL, &r) < 0)
			return -1;
		pthread_mutex_lock(&d->lock);
		if (json_object_object_get_ex(r, "actual", &v))
			d->balloon_kib = (unsigned long long)
			    json_object_get_int64(v) / 1024;
		pthread_mutex_unlock(&d->lock);
		json_object_put(r);
	}
	if (qemu_hotplug_setup_links(d, def) < 0 ||
	    qemu_vcpu_apply_pins(d, def) < 0)	/* <cputune> */
		return -1;
	pthread_mutex_lock(&d->lock);
	d->job_phase_running = true;
	pthread_mutex_unlock(&d->lock);
	if (!paused && qemu_process_qmp(d, "cont", NULL, NULL) < 0)
		return -1;
	return 0;
}

static int
process_start(struct qemu_dom *d, bool paused, bool incoming)
{
	const struct dom_def *def = d->live;	/* stable: we hold the job */
	VR_AUTO(dom_def) resolved = NULL;	/* volumes as paths, for argv */
	struct vr_spawn_opts so = VR_SPAWN_OPTS_INIT;
	struct qemu_argv_ctx ctx = { 0 };
	struct qemu_ids ids;
	VR_AUTOFREE char *env_run = NULL;
	const char *envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
	    "LC_ALL=C", "HOME=/", NULL, NULL };
	VR_AUTOFREE char *mon_path = NULL;
	VR_AUTOFREE char *lp = NULL;
	VR_AUTOFREE char *argv_text = NULL;
	VR_AUTOCLOSE int lfd = -1;
	VR_AUTOCLOSE int logfd = -1;
	VR_AUTOFREE int *keep = NULL;
	char **argv = NULL;
	int *net_fds = NULL, *vhost_fds = NULL;
	size_t nnet = 0, nkeep = 0, i;
	int cfd = -1, pidfd = -1, id;
	uint64_t t0 = vr_time_us();
	struct qmp_mon *mon;
	pid_t pid;

	if (kvm_check(def) < 0)
		goto fail_early;
	ctx.emulator = qemu_drv.env.qemu_binary;
	if (access(def->emulator != NULL ? def->emulator : ctx.emulator,
	    X_OK) < 0) {
		vr_error_system(errno, "cannot use emulator '%s'",
		    def->emulator != NULL ? def->emulator : ctx.emulator);
		goto fail_early;
	}
	/* Volumes become paths first: QEMU's user must reach those too. */
	if (qemu_volumes_resolve(def, &resolved) < 0 ||
	    qemu_security_ids(&ids) < 0 ||
	    qemu_security_prepare(d, resolved != NULL ? resolved : def,
	    &ids) < 0)
		goto fail_early;
	mon_path = xprintf("%s/%s.monitor", qemu_drv.mon_dir, def->name);
	if ((lfd = monitor_listen(mon_path)) < 0)
		goto fail_early;
	ctx.monitor_path = mon_path;
	ctx.monitor_fd = lfd;
	ctx.kvm_usable = qemu_drv.kvm_usable;
	if (qemu_net_open(d, &net_fds, &nnet) < 0)
		goto fail_early;
	ctx.net_fds = net_fds;
	ctx.nnet_fds = nnet;
	if (qemu_net_open_vhost(def, net_fds, nnet, &vhost_fds) < 0)
		goto fail_early;
	ctx.vhost_fds = vhost_fds;
	ctx.nvhost_fds = vhost_fds != NULL ? nnet : 0;
	ctx.incoming = incoming;
	if ((argv = qemu_argv_build(resolved != NULL ? resolved : def,
	    &ctx)) == NULL)
		goto fail_early;
	keep = xcalloc(2 * nnet + 1, sizeof *keep);
	keep[nkeep++] = lfd;
	for (i = 0; i < nnet; i++) {
		if (net_fds[i] >= 0)
			keep[nkeep++] = net_fds[i];
		if (vhost_fds != NULL && vhost_fds[i] >= 0)
			keep[nkeep++] = vhost_fds[i];
	}

	lp = log_path(def->name);
	if ((logfd = open(lp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) < 0) {
		vr_error_system(errno, "cannot open log '%s'", lp);
		goto fail_early;
	}
	argv_text = qemu_argv_format(argv);
	log_append(logfd, "starting up (accelerator %s, user %s)",
	    def->virt == DOM_VIRT_KVM ? "kvm" : "tcg",
	    ids.root ? "root" : qemu_drv.env.qemu_user);
	dprintf(logfd, "%s\n", argv_text);

	/* The environment marks the QEMUs of this daemon (kill_orphans). */
	env_run = xprintf("VIREO_RUN_DIR=%s", qemu_drv.env.run_dir);
	envp[3] = env_run;
	so.envp = envp;
	so.argv = (const char *const *)argv;
	so.stdout_fd = logfd;
	so.stderr_fd = logfd;
	so.keep_fds = keep;
	so.nkeep = nkeep;
	so.setsid = true;
	if (!ids.root) {
		so.uid = ids.uid;
		so.gid = ids.gid;
		so.groups = ids.groups;
		so.ngroups = ids.ngroups;
	}
	if ((pid = vr_spawn(&so, &pidfd)) < 0)
		goto fail_early;
	qemu_argv_free(argv);
	argv = NULL;
	/* QEMU holds the taps now: each lives as long as QEMU does */
	qemu_net_close_fds(net_fds, nnet);
	net_fds = NULL;
	qemu_net_close_fds(vhost_fds, nnet);
	vhost_fds = NULL;

	/* QEMU inherited the listening socket; queue our connection. */
	cfd = qemu_monitor_connect(mon_path);
	close(lfd);
	lfd = -1;

	pthread_mutex_lock(&d->lock);
	d->pid = pid;
	d->start_us = vr_time_us();
	d->start_ticks = vr_proc_start_ticks(pid);
	d->monitor_path = vr_steal(&mon_path);
	d->stop_reason = "failed";
	d->job_phase_running = false;
	qemu_dom_set_state(d, VR_DOM_PAUSED, "starting up");
	pthread_mutex_unlock(&d->lock);

	if (qemu_process_watch(d, pidfd) < 0 || cfd < 0)
		goto fail_kill;
	if ((mon = qemu_process_attach_monitor(d, cfd)) == NULL)
		goto fail_kill;
	if (qmp_handshake(mon, QMP_TIMEOUT_MS) < 0)
		goto fail_kill;
	/* Not fatal: open_console asks again when it needs the pty. */
	if (qemu_console_record(d) < 0)
		log_warnx("domain '%s': cannot learn its console ptys: %s",
		    d->name, vr_error_message());
	if (incoming) {
		id = qemu_dom_alloc_id();
		qemu_dom_set_id(d, id);
		pthread_mutex_lock(&d->lock);
		qemu_dom_set_state(d, VR_DOM_PAUSED, "migration");
		pthread_mutex_unlock(&d->lock);
		log_info("domain '%s' waiting for incoming migration as id "
		    "%d, QEMU pid %d (%s, %llu us)", d->name, id, (int)pid,
		    def->virt == DOM_VIRT_KVM ? "kvm" : "tcg",
		    (unsigned long long)(vr_time_us() - t0));
		return 0;
	}
	if (process_setup(d, def, paused) < 0)
		goto fail_kill;

	id = qemu_dom_alloc_id();
	qemu_dom_set_id(d, id);
	pthread_mutex_lock(&d->lock);
	d->stop_reason = NULL;
	if (paused)
		qemu_dom_set_state(d, VR_DOM_PAUSED, "user");
	else
		qemu_dom_set_state(d, VR_DOM_RUNNING, "booted");
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s' started as id %d, QEMU pid %d (%s, %llu us)",
	    d->name, id, (int)pid,
	    def->virt == DOM_VIRT_KVM ? "kvm" : "tcg",
	    (unsigned long long)(vr_time_us() - t0));
	qemu_dom_emit(d, "started", paused ? "paused" : "booted");
	return 0;

fail_kill:
	{
		char what[2048];

		snprintf(what, sizeof what, "%s", vr_error_message());
		qemu_process_kill(d, false, "failed");
		start_error_from_log(d, what);
	}
	return -1;

fail_early:
	qemu_argv_free(argv);
	qemu_net_close_fds(net_fds, nnet);
	qemu_net_close_fds(vhost_fds, nnet);
	pthread_mutex_lock(&d->lock);
	qemu_security_restore(d);
	qemu_net_release(d->name, d->live);
	dom_def_free(d->live);
	d->live = NULL;
	pthread_mutex_unlock(&d->lock);
	return -1;
}

int
qemu_process_start(struct qemu_dom *d, bool paused)
{
	return process_start(d, paused, false);
}

int
qemu_process_start_incoming(struct qemu_dom *d)
{
	return process_start(d, true, true);
}

int
qemu_process_finish_incoming(struct qemu_dom *d, bool paused,
    const char *detail)
{
	if (process_setup(d, d->live, paused) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	d->stop_reason = NULL;
	if (paused)
		qemu_dom_set_state(d, VR_DOM_PAUSED, "user");
	else
		qemu_dom_set_state(d, VR_DOM_RUNNING, detail);
	pthread_mutex_unlock(&d->lock);
	qemu_dom_emit(d, "started", detail);
	return 0;
}

static int
wait_exit_locked(struct qemu_dom *d, pid_t pid, int ms)
{
	struct timespec deadline;
	int rc = 0;

	vr_deadline_after_ms(&deadline, (unsigned int)ms);
	while (d->pid == pid && rc == 0)
		rc = pthread_cond_clockwait(&d->cond, &d->lock,
		    CLOCK_MONOTONIC, &deadline);
	return d->pid == pid ? -1 : 0;
}

int
qemu_process_kill(struct qemu_dom *d, bool graceful, const char *reason)
{
	pid_t pid;
	int pidfd;

	pthread_mutex_lock(&d->lock);
	if ((pid = d->pid) == 0) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pidfd = d->pidfd;
	d->stop_reason = reason;
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) < 0 &&
	    errno != ESRCH)
		log_warn("domain '%s': cannot signal QEMU", d->name);
	if (wait_exit_locked(d, pid, KILL_WAIT_MS) == 0) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	if (graceful) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_TIMEOUT, "domain '%s' did not stop within %d "
		    "ms of SIGTERM", d->name, KILL_WAIT_MS);
		return -1;
	}
	log_warnx("domain '%s': QEMU ignored SIGTERM, sending SIGKILL",
	    d->name);
	syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
	if (wait_exit_locked(d, pid, KILL_FORCE_WAIT_MS) < 0) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_TIMEOUT, "domain '%s': QEMU pid %d survived "
		    "SIGKILL", d->name, (int)pid);
		return -1;
	}
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int
qemu_process_qmp(struct qemu_dom *d, const char *cmd,
    struct json_object *args, struct json_object **ret)
{
	return qemu_process_qmp_fd(d, cmd, args, -1, ret, QMP_TIMEOUT_MS);
}

int
qemu_process_qmp_fd(struct qemu_dom *d, const char *cmd,
    struct json_object *args, int fd, struct json_object **ret,
    int timeout_ms)
{
	struct qmp_mon *mon;
	int rc;

	pthread_mutex_lock(&d->lock);
	if (d->mon == NULL) {
		pthread_mutex_unlock(&d->lock);
		json_object_put(args);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		return -1;
	}
	mon = qmp_ref(d->mon);
	pthread_mutex_unlock(&d->lock);
	rc = qmp_command_fd(mon, cmd, args, fd, ret, timeout_ms);
	qmp_unref(mon);
	return rc;
}

/*
 * reboot: ACPI power button with QEMU told to pause instead of powering
 * off; the SHUTDOWN event then resets and resumes the guest.
 */
static struct json_object *
shutdown_action(const char *action)
{
	struct json_object *args = json_object_new_object();

	json_object_object_add(args, "shutdown",
	    json_object_new_string(action));
	return args;
}

int
qemu_process_reboot(struct qemu_dom *d)
{
	if (qemu_process_qmp(d, "set-action", shutdown_action("pause"),
	    NULL) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	d->fake_reboot = true;
	pthread_mutex_unlock(&d->lock);
	if (qemu_process_qmp(d, "system_powerdown", NULL, NULL) < 0) {
		pthread_mutex_lock(&d->lock);
		d->fake_reboot = false;
		pthread_mutex_unlock(&d->lock);
		qemu_process_qmp(d, "set-action",
		    shutdown_action("poweroff"), NULL);
		return -1;
	}
	log_info("domain '%s': reboot requested (ACPI)", d->name);
	return 0;
}

static void *
finish_reboot_thread(void *arg)
{
	struct qemu_dom *d = arg;

	if (qemu_process_qmp(d, "system_reset", NULL, NULL) < 0 ||
	    qemu_process_qmp(d, "set-action", shutdown_action("poweroff"),
	    NULL) < 0 || qemu_process_qmp(d, "cont", NULL, NULL) < 0)
		log_error("domain '%s': reboot failed: %s", d->name,
		    vr_error_message());
	else
		log_info("domain '%s' rebooted", d->name);
	qemu_dom_unref(d);
	return NULL;
}

/* Loop thread: the guest has shut down for a reboot; finish it elsewhere. */
void
qemu_process_finish_reboot(struct qemu_dom *d)
{
	pthread_t t;

	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	if (pthread_create(&t, NULL, finish_reboot_thread, d) != 0) {
		log_error("domain '%s': cannot finish reboot", d->name);
		qemu_dom_unref(d);
		return;
	}
	pthread_detach(t);
}

void
qemu_process_forget(struct qemu_dom *d, const char *reason)
{
	pthread_mutex_lock(&d->lock);
	process_release_locked(d, reason);
	pthread_mutex_unlock(&d->lock);
	qemu_dom_set_id(d, -1);
	qemu_dom_emit(d, "stopped", reason);
	qemu_dom_remove_if_transient(d);
}

int
qemu_process_watch(struct qemu_dom *d, int pidfd)
{
	int watch;

	pthread_mutex_lock(&d->lock);
	d->pidfd = pidfd;
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);	/* watch's */
	watch = d->pidfd_watch = vr_loop_add_fd(qemu_drv.env.loop, pidfd,
	    VR_EV_READ, process_exited, d);
	pthread_mutex_unlock(&d->lock);
	/* Not d->pidfd_watch: the process may already have been reaped. */
	if (watch < 0) {
		qemu_dom_unref(d);
		vr_error(VR_ERR_INTERNAL, "cannot watch QEMU's pidfd");
		return -1;
	}
	return 0;
}

struct qmp_mon *
qemu_process_attach_monitor(struct qemu_dom *d, int fd)
{
	struct qmp_mon *mon;

	if ((mon = qmp_open(qemu_drv.env.loop, fd, mon_event, mon_eof,
	    d)) == NULL)
		return NULL;
	pthread_mutex_lock(&d->lock);
	if (d->pid == 0) {
		/* QEMU exited meanwhile and its resources were released. */
		pthread_mutex_unlock(&d->lock);
		qmp_close(mon);
		vr_error(VR_ERR_QEMU, "QEMU exited");
		return NULL;
	}
	d->mon = mon;
	pthread_mutex_unlock(&d->lock);
	return mon;
}

/*
 * Lifecycle actions that need the job and a restart run on a thread of
 * their own: the loop thread never waits for a process.
 */
struct async_action {
	struct qemu_dom	*d;
	const char	*job;
	bool		 kill_first;
	bool		 restart;
	bool		 dump;		/* coredump-*: memory to a file first */
};

int
qemu_process_dump(struct qemu_dom *d, char **pathp)
{
	VR_AUTOFREE char *dir = NULL;
	VR_AUTOFREE char *path = NULL;
	struct json_object *args;
	struct timespec ts;
	struct tm tm;
	char when[32];
	struct stat st;
	uint64_t t0 = vr_time_us();
	int fd, rc;

	dir = xprintf("%s/qemu/dump", qemu_drv.env.state_dir);
	if (vr_mkdir_p(dir, 0700) < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
	path = xprintf("%s/%s-%s.core", dir, d->name, when);
	/* Written by QEMU through our descriptor: it needs no access. */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		vr_error_system(errno, "cannot create dump file '%s'", path);
		return -1;
	}
	args = json_object_new_object();
	json_object_object_add(args, "fdname",
	    json_object_new_string("vireo-dump"));
	rc = qemu_process_qmp_fd(d, "getfd", args, fd, NULL, QMP_TIMEOUT_MS);
	close(fd);
	if (rc == 0) {
		args = json_object_new_object();
		json_object_object_add(args, "paging",
		    json_object_new_boolean(0));
		json_object_object_add(args, "protocol",
		    json_object_new_string("fd:vireo-dump"));
		rc = qemu_process_qmp_fd(d, "dump-guest-memory", args, -1,
		    NULL, 600000);
	}
	if (rc < 0) {
		vr_error_prefix("domain '%s': memory dump", d->name);
		unlink(path);
		return -1;
	}
	log_info("domain '%s': guest memory dumped to %s (%lld bytes, %llu "
	    "ms)", d->name, path, stat(path, &st) == 0 ?
	    (long long)st.st_size : -1LL,
	    (unsigned long long)(vr_time_us() - t0) / 1000);
	if (pathp != NULL)
		*pathp = vr_steal(&path);
	return 0;
}

static void *
async_action_thread(void *arg)
{
	struct async_action *a = arg;
	struct qemu_dom *d = a->d;

	if (qemu_dom_job_begin(d, a->job) == 0) {
		/* A failed dump is logged; the action goes on regardless. */
		if (a->dump && qemu_process_dump(d, NULL) < 0)
			log_error("%s", vr_error_message());
		if (a->kill_first)
			qemu_process_kill(d, false, "crashed");
		if (a->restart && qemu_dom_restart_locked_job(d) < 0)
			log_error("domain '%s': %s: restart failed: %s",
			    d->name, a->job, vr_error_message());
		qemu_dom_job_end(d);
	}
	qemu_dom_unref(d);
	free(a);
	return NULL;
}

void
qemu_process_async(struct qemu_dom *d, const char *job, bool kill_first)
{
	struct async_action *a = xcalloc(1, sizeof *a);
	pthread_t t;

	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
	a->d = d;
	a->job = job;
	a->kill_first = kill_first;
	a->restart = strstr(job, "destroy") == NULL;
	a->dump = strstr(job, "coredump") != NULL;
	if (pthread_create(&t, NULL, async_action_thread, a) != 0) {
		log_error("domain '%s': cannot run %s", d->name, job);
		qemu_dom_unref(d);
		free(a);
		return;
	}
	pthread_detach(t);
}

/* Loop thread: the guest panicked and QEMU paused it. */
void
qemu_process_on_crash(struct qemu_dom *d, int action)
{
	switch ((enum dom_lifecycle_action)action) {
	case DOM_LIFECYCLE_PRESERVE:
		log_info("domain '%s' panicked: preserved (crashed, paused)",
		    d->name);
		return;
	case DOM_LIFECYCLE_RESTART:
	case DOM_LIFECYCLE_RENAME_RESTART:
		log_info("domain '%s' panicked: restarting", d->name);
		qemu_process_async(d, "on_crash-restart", true);
		return;
	case DOM_LIFECYCLE_COREDUMP_RESTART:
		log_info("domain '%s' panicked: dumping memory, then "
		    "restarting", d->name);
		qemu_process_async(d, "on_crash-coredump-restart", true);
		return;
	case DOM_LIFECYCLE_COREDUMP_DESTROY:
		log_info("domain '%s' panicked: dumping memory, then "
		    "destroying", d->name);
		qemu_process_async(d, "on_crash-coredump-destroy", true);
		return;
	case DOM_LIFECYCLE_DESTROY:
	case DOM_LIFECYCLE_LAST:
		break;
	}
	log_info("domain '%s' panicked: destroying", d->name);
	qemu_process_async(d, "on_crash-destroy", true);
}
