/*
 * Save and restore through QEMU's migration stream (libvirt's
 * virDomainSave/Restore and managed save).
 *
 * save: pause the guest, write the image header (qemu-save-image.c), hand
 * the file to QEMU ("getfd") and migrate to it ("fd:" URI: QEMU 7.2 has
 * no file: URI), poll query-migrate until completed, rename the image to
 * its final name, stop QEMU: shut off (saved). On any failure the guest
 * runs on as before and no file is left.
 *
 * restore: check the image, take or create the domain, start QEMU with
 * "-incoming defer", hand it the file positioned at the stream,
 * "migrate-incoming", wait, then run the vCPUs (or not).
 *
 * managed save: the image is STATE_DIR/qemu/save/NAME.save, chosen here;
 * start resumes from it and deletes it once the guest runs.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "qemu-save-image.h"
#include "qmp.h"
#include "rpc.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.save");

#define SAVE_QMP_TIMEOUT_MS	30000
#define SAVE_FDNAME		"vireo-save"
#define RESTORE_FDNAME		"vireo-restore"
/* Unlimited, as libvirt does for save (QEMU's default is 32 MiB/s). */
#define SAVE_BANDWIDTH		(1LL << 40)

/* Suffix of a managed image being restored (start). */
#define RESTORING		".restoring"

static char *save_dir;		/* STATE_DIR/qemu/save, set at init */

static char *
managed_path(const char *name)
{
	return xprintf("%s/%s.save", save_dir, name);
}

bool
qemu_save_has_managed(const char *name)
{
	VR_AUTOFREE char *path = managed_path(name);

	return access(path, F_OK) == 0;
}

/*
 * At init: NAME.save.restoring is the image of a start from managed save
 * that the daemon did not see through. If that QEMU still runs, it holds
 * the stream and the image is stale: remove it. Otherwise nothing ran
 * from it: it is the managed save image again.
 */
static void
managed_interrupted(DIR *dir, const char *file)
{
	VR_AUTOFREE char *name = xstrndup(file, strlen(file) -
	    strlen(".save" RESTORING));
	VR_AUTOFREE char *saved = xprintf("%s.save", name);
	struct qemu_dom *d;
	bool alive = false;

	if ((d = qemu_dom_lookup(name)) != NULL) {
		pthread_mutex_lock(&d->lock);
		alive = d->live != NULL && d->pid > 0 &&
		    vr_proc_start_ticks(d->pid) == d->start_ticks;
		pthread_mutex_unlock(&d->lock);
		qemu_dom_unref(d);
	}
	vr_error_reset();
	if (alive) {
		log_info("domain '%s' runs from its managed save image: "
		    "removing '%s/%s'", name, save_dir, file);
		unlinkat(dirfd(dir), file, 0);
	} else if (renameat(dirfd(dir), file, dirfd(dir), saved) < 0)
		log_warn("cannot rename '%s/%s'", save_dir, file);
	else
		log_info("domain '%s': start from its managed save image was "
		    "interrupted; the image is kept", name);
}

int
qemu_save_init(void)
{
	struct dirent *de;
	DIR *dir;

	save_dir = xprintf("%s/qemu/save", qemu_drv.env.state_dir);
	if (vr_mkdir_p(save_dir, 0700) < 0)
		return -1;
	if ((dir = opendir(save_dir)) == NULL) {
		vr_error_system(errno, "cannot open '%s'", save_dir);
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name), sfx = strlen(".save" RESTORING);

		if (len > sfx && de->d_name[0] != '.' &&
		    strcmp(de->d_name + len - sfx, ".save" RESTORING) == 0)
			managed_interrupted(dir, de->d_name);
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);
		struct qemu_dom *d;
		char name[256];

		if (save_tmp_name(de->d_name)) {
			/* A managed save interrupted by a crash. */
			log_info("removing unfinished image '%s/%s'", save_dir,
			    de->d_name);
			unlinkat(dirfd(dir), de->d_name, 0);
			continue;
		}
		if (len < 6 || strcmp(de->d_name + len - 5, ".save") != 0 ||
		    de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(len - 5),
		    de->d_name);
		if ((d = qemu_dom_lookup(name)) == NULL) {
			vr_error_reset();
			log_warnx("managed save image '%s/%s' has no domain",
			    save_dir, de->d_name);
			continue;
		}
		pthread_mutex_lock(&d->lock);
		if (d->live == NULL && strcmp(d->name, name) == 0)
			d->reason = "saved";
		pthread_mutex_unlock(&d->lock);
		qemu_dom_unref(d);
	}
	closedir(dir);
	return 0;
}

/* QMP with a file descriptor ("getfd" fdname). */
static int
qmp_getfd(struct qemu_dom *d, const char *fdname, int fd)
{
	struct json_object *args;
	struct qmp_mon *mon;
	int rc;

	pthread_mutex_lock(&d->lock);
	if (d->mon == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		return -1;
	}
	mon = qmp_ref(d->mon);
	pthread_mutex_unlock(&d->lock);
	args = json_object_new_object();
	rpc_set_string(args, "fdname", fdname);
	rc = qmp_command_fd(mon, "getfd", args, fd, NULL,
	    SAVE_QMP_TIMEOUT_MS);
	qmp_unref(mon);
	return rc;
}

static struct json_object *
uri_args(const char *fdname)
{
	struct json_object *args = json_object_new_object();
	VR_AUTOFREE char *uri = xprintf("fd:%s", fdname);

	rpc_set_string(args, "uri", uri);
	return args;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Poll query-migrate until the stream completed (0) or failed (-1, with
 * QEMU's reason). Before the stream starts there may be no status yet.
 * With progress (a save), domjobinfo sees the figures and a domjobabort
 * (which sent migrate_cancel) is named as the reason.
 */
static int
migrate_wait(struct qemu_dom *d, bool progress)
{
	unsigned int delay = 2;

	for (;;) {
		struct json_object *r = NULL, *v;
		bool aborted;
		VR_AUTOFREE char *status = NULL;
		VR_AUTOFREE char *desc = NULL;

		if (qemu_process_qmp(d, "query-migrate", NULL, &r) < 0)
			return -1;
		if (json_object_object_get_ex(r, "status", &v))
			status = xstrdup(json_object_get_string(v));
		if (json_object_object_get_ex(r, "error-desc", &v))
			desc = xstrdup(json_object_get_string(v));
		aborted = progress && qemu_job_progress_update(d, r);
		json_object_put(r);
		if (status != NULL && strcmp(status, "completed") == 0)
			return 0;
		if (status != NULL && (strcmp(status, "failed") == 0 ||
		    strcmp(status, "cancelled") == 0)) {
			if (aborted) {
				vr_error(VR_ERR_OPERATION_INVALID, "the save "
				    "was cancelled by domjobabort");
				return -1;
			}
			vr_error(VR_ERR_QEMU, "QEMU's migration stream %s%s%s",
			    status, desc != NULL ? ": " : "",
			    desc != NULL ? desc : "");
			return -1;
		}
		sleep_ms(delay);
		if (delay < 50)
			delay *= 2;
	}
}

/*
 * The definition for the image, locked: the running one with the
 * balloon's actual size, without the tap names we chose (libvirt's
 * "vnetN"), which another guest may hold by the time of the restore.
 */
static char *
image_xml_locked(struct qemu_dom *d)
{
	VR_AUTO(dom_def) copy = dom_def_copy(d->live);
	const struct dom_def *def = d->def;
	size_t i;

	if (d->balloon_kib != 0 && d->balloon_kib <= copy->mem_kib)
		copy->cur_mem_kib = d->balloon_kib;
	for (i = 0; i < copy->nnets; i++) {
		struct dom_net *n = &copy->nets[i];
		bool given = def != NULL && def->nnets == copy->nnets &&
		    def->nets[i].target_dev != NULL;

		if ((n->type == DOM_NET_NETWORK || n->type == DOM_NET_BRIDGE) &&
		    !given && n->target_dev != NULL &&
		    strncmp(n->target_dev, "vnet", 4) == 0) {
			free(n->target_dev);
			n->target_dev = NULL;
		}
	}
	return dom_def_format(copy, -1, DOM_FORMAT_SECURE);
}

/* After a failed save: drop the stream, run the guest again if it ran. */
static void
save_undo(struct qemu_dom *d, bool migrating, bool was_running,
    const char *reason, long long bandwidth)
{
	struct json_object *args;
	VR_AUTOFREE char *err = xstrdup(vr_error_message());
	int code = vr_error_code();

	if (migrating) {
		qemu_process_qmp(d, "migrate_cancel", NULL, NULL);
		migrate_wait(d, false);	/* until QEMU let go of the file */
	}
	args = json_object_new_object();
	rpc_set_string(args, "fdname", SAVE_FDNAME);
	qemu_process_qmp(d, "closefd", args, NULL);
	if (bandwidth > 0) {
		args = json_object_new_object();
		rpc_set_i64(args, "max-bandwidth", bandwidth);
		qemu_process_qmp(d, "migrate-set-parameters", args, NULL);
	}
	if (was_running) {
		if (qemu_process_qmp(d, "cont", NULL, NULL) < 0)
			log_error("domain '%s': cannot resume after the failed "
			    "save: %s", d->name, vr_error_message());
		else {
			pthread_mutex_lock(&d->lock);
			if (d->live != NULL)
				qemu_dom_set_state(d, VR_DOM_RUNNING, reason);
			pthread_mutex_unlock(&d->lock);
		}
	}
	vr_error(code != VR_ERR_OK ? code : VR_ERR_INTERNAL, "%s", err);
}

static long long
bandwidth_get(struct qemu_dom *d)
{
	struct json_object *r = NULL, *v;
	long long bw = 0;

	if (qemu_process_qmp(d, "query-migrate-parameters", NULL, &r) == 0 &&
	    json_object_object_get_ex(r, "max-bandwidth", &v))
		bw = json_object_get_int64(v);
	json_object_put(r);
	vr_error_reset();
	return bw;
}

/*
 * Job held, domain active: write its state to path (a new file, or the
 * managed image when replace) and stop it. flags: VR_DOM_SAVE_*.
 */
static int
save_run(struct qemu_dom *d, const char *path, const struct vr_caller *who,
    bool replace, unsigned int flags)
{
	struct save_target t;
	VR_AUTOFREE char *xml = NULL;
	VR_AUTOFREE char *inactive = NULL;
	struct json_object *args;
	const char *old_reason;
	bool was_running, migrating = false, progress = false;
	long long bw = 0;
	uint32_t hflags, boot;
	uint64_t t0 = vr_time_us();

	pthread_mutex_lock(&d->lock);
	xml = image_xml_locked(d);
	if (d->def != NULL)
		inactive = dom_def_format(d->def, -1, DOM_FORMAT_SECURE);
	was_running = d->state == VR_DOM_RUNNING;
	old_reason = d->reason;
	pthread_mutex_unlock(&d->lock);
	hflags = (flags & VR_DOM_SAVE_RUNNING) || (was_running &&
	    !(flags & VR_DOM_SAVE_PAUSED)) ? SAVE_IMAGE_RUNNING : 0;

	if (save_target_create(&t, path, who, replace, hflags, xml,
	    inactive) < 0)
		return -1;
	if ((boot = qemu_vcpu_boot_count(d, d->live)) != 0 &&
	    save_target_set_boot_vcpus(&t, boot) < 0)
		goto fail;
	/* Pause first: a consistent image, and no pages dirtied again. */
	if (was_running) {
		if (qemu_process_qmp(d, "stop", NULL, NULL) < 0)
			goto fail;
		pthread_mutex_lock(&d->lock);
		qemu_dom_set_state(d, VR_DOM_PAUSED, "saving");
		pthread_mutex_unlock(&d->lock);
	}
	bw = bandwidth_get(d);
	args = json_object_new_object();
	rpc_set_i64(args, "max-bandwidth", SAVE_BANDWIDTH);
	if (qemu_process_qmp(d, "migrate-set-parameters", args, NULL) < 0 ||
	    qmp_getfd(d, SAVE_FDNAME, t.fd) < 0)
		goto fail;
	qemu_job_progress_start(d, "save");
	progress = true;
	if (qemu_process_qmp(d, "migrate", uri_args(SAVE_FDNAME), NULL) < 0)
		goto fail;
	migrating = true;
	if (migrate_wait(d, true) < 0)
		goto fail;
	migrating = false;
	/* The stream is whole: too late to abort (a failed commit still
	 * turns the result into "failed" below). */
	qemu_job_progress_end(d, true);
	if (save_target_commit(&t) < 0)
		goto fail;
	log_info("domain '%s' saved to '%s' (%llu ms)", d->name, path,
	    (unsigned long long)(vr_time_us() - t0) / 1000);
	save_target_close(&t);
	/* The image is complete: QEMU may go. */
	if (qemu_process_kill(d, false, "saved") < 0)
		log_error("domain '%s': saved, but QEMU did not stop: %s",
		    d->name, vr_error_message());
	vr_error_reset();
	return 0;
fail:
	if (progress)
		qemu_job_progress_end(d, false);
	vr_error_prefix("cannot save domain '%s'", d->name);
	save_undo(d, migrating, was_running, old_reason, bw);
	save_target_close(&t);
	return -1;
}

static int
save_flags_check(unsigned int flags)
{
	if ((flags & VR_DOM_SAVE_RUNNING) && (flags & VR_DOM_SAVE_PAUSED)) {
		vr_error(VR_ERR_INVALID_ARG, "--running and --paused are "
		    "mutually exclusive");
		return -1;
	}
	return 0;
}

/* Look up, take the job, check the domain runs (and is persistent). */
static struct qemu_dom *
save_begin(const char *key, const char *job, bool managed)
{
	struct qemu_dom *d;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return NULL;
	if (qemu_dom_job_begin(d, job) < 0) {
		qemu_dom_unref(d);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	if (d->live == NULL || d->pid == 0) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto fail;
	}
	if (managed && d->def == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "cannot do a managed save "
		    "of transient domain '%s'", d->name);
		goto fail;
	}
	pthread_mutex_unlock(&d->lock);
	return d;
fail:
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
	return NULL;
}

int
qemu_save_dom(const char *key, const char *path, unsigned int flags,
    const struct vr_caller *who)
{
	struct qemu_dom *d;
	int ret;

	if (save_flags_check(flags) < 0 ||
	    save_path_check(path, "save file") < 0 ||
	    (d = save_begin(key, "save", false)) == NULL)
		return -1;
	ret = save_run(d, path, who, false, flags);
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
	return ret;
}

int
qemu_save_managed(const char *key, unsigned int flags)
{
	VR_AUTOFREE char *path = NULL;
	struct qemu_dom *d;
	int ret;

	if (save_flags_check(flags) < 0 ||
	    (d = save_begin(key, "managedsave", true)) == NULL)
		return -1;
	path = managed_path(d->name);
	ret = save_run(d, path, NULL, true, flags);
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
	return ret;
}

/* Error for a failed restore, quoting QEMU's log if it said something. */
static void
restore_error(struct qemu_dom *d, const char *what)
{
	VR_AUTOFREE char *lp = xprintf("%s/%s.log", qemu_drv.log_dir,
	    d->name);
	VR_AUTOFREE char *tail = vr_file_tail(lp, 2);

	if (tail != NULL && *tail != '\0')
		vr_error(VR_ERR_QEMU, "QEMU could not load the saved state "
		    "(%s); QEMU said: %s", what, tail);
	else
		vr_error(VR_ERR_QEMU, "QEMU could not load the saved state "
		    "(%s)", what);
}

/*
 * Job held, d->live the image's definition, domain inactive: start QEMU
 * on the image's stream, then run or leave paused. On failure QEMU is
 * gone and live is cleared.
 */
static int
restore_run(struct qemu_dom *d, struct save_image *img, bool paused)
{
	VR_AUTOFREE char *what = NULL;
	uint64_t t0 = vr_time_us();

	/* Boot as the saved QEMU did. */
	if (qemu_vcpu_start_incoming(d, img->boot_vcpus) < 0)
		return -1;
	if (qmp_getfd(d, RESTORE_FDNAME, img->fd) < 0 ||
	    qemu_process_qmp(d, "migrate-incoming", uri_args(RESTORE_FDNAME),
	    NULL) < 0 || migrate_wait(d, false) < 0)
		goto fail;
	if (qemu_process_finish_incoming(d, paused, "restored") < 0)
		goto fail;
	log_info("domain '%s' restored (%s, %llu ms)", d->name,
	    paused ? "paused" : "running",
	    (unsigned long long)(vr_time_us() - t0) / 1000);
	return 0;
fail:
	what = xstrdup(vr_error_message());
	qemu_process_kill(d, false, "failed");
	restore_error(d, what);
	return -1;
}

static bool
restore_paused(unsigned int flags, const struct save_image *img)
{
	if (flags & VR_DOM_SAVE_PAUSED)
		return true;
	if (flags & VR_DOM_SAVE_RUNNING)
		return false;
	return !(img->flags & SAVE_IMAGE_RUNNING);
}

int
qemu_save_restore(const char *path, unsigned int flags,
    const struct vr_caller *who, struct vr_dom_info *info)
{
	struct save_image img;
	struct dom_def *def;
	struct qemu_dom *d;
	int ret;

	if (save_flags_check(flags) < 0 ||
	    save_path_check(path, "save file") < 0 ||
	    save_image_open(path, who, &img) < 0)
		return -1;
	if ((def = dom_def_parse_string(img.xml, DOM_PARSE_VALIDATE)) == NULL) {
		vr_error_prefix("save image '%s'", path);
		save_image_close(&img);
		return -1;
	}
	if ((d = qemu_dom_claim_inactive(def, "restore")) == NULL) {
		vr_error_prefix("cannot restore from '%s'", path);
		save_image_close(&img);
		return -1;
	}
	if (qemu_save_has_managed(d->name)) {
		/* Its next start would resume from the older image. */
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has a managed "
		    "save image: start it, or remove the image with "
		    "'managedsave-remove' first", d->name);
		pthread_mutex_lock(&d->lock);
		dom_def_free(d->live);
		d->live = NULL;
		pthread_mutex_unlock(&d->lock);
		ret = -1;
	} else
		ret = restore_run(d, &img, restore_paused(flags, &img));
	save_image_close(&img);
	if (ret < 0)
		vr_error_prefix("cannot restore domain '%s' from '%s'",
		    d->name, path);
	else if (info != NULL)
		qemu_dom_fill_info(d, info);
	qemu_dom_job_end(d);
	if (ret < 0)
		qemu_dom_remove_if_transient(d);
	qemu_dom_unref(d);
	return ret;
}

int
qemu_save_start_managed(struct qemu_dom *d, bool paused)
{
	VR_AUTOFREE char *path = managed_path(d->name);
	VR_AUTOFREE char *busy = NULL;
	struct save_image img;
	struct dom_def *def = NULL;
	int ret = -1;

	if (save_image_open(path, NULL, &img) < 0)
		goto out;
	if ((def = dom_def_parse_string(img.xml, DOM_PARSE_VALIDATE)) == NULL) {
		save_image_close(&img);
		goto out;
	}
	if (strcmp(def->name, d->name) != 0 ||
	    memcmp(def->uuid, d->uuid, 16) != 0) {
		vr_error(VR_ERR_INVALID_ARG, "the image is of domain '%s' "
		    "with another UUID", def->name);
		dom_def_free(def);
		save_image_close(&img);
		goto out;
	}
	/* Set aside while QEMU loads it: see managed_interrupted(). */
	busy = xprintf("%s%s", path, RESTORING);
	if (rename(path, busy) < 0) {
		vr_error_system(errno, "cannot rename '%s'", path);
		dom_def_free(def);
		save_image_close(&img);
		goto out;
	}
	pthread_mutex_lock(&d->lock);
	d->live = def;
	pthread_mutex_unlock(&d->lock);
	ret = restore_run(d, &img, paused || restore_paused(0, &img));
	save_image_close(&img);
	if (ret < 0 && rename(busy, path) < 0)
		log_warn("domain '%s': cannot put back '%s'", d->name, path);
out:
	if (ret < 0) {
		vr_error_prefix("cannot start domain '%s' from its managed "
		    "save image '%s', which is kept ('managedsave-remove' "
		    "discards it)", d->name, path);
		return -1;
	}
	if (unlink(busy) < 0)
		log_warn("domain '%s': cannot remove managed save image '%s'",
		    d->name, busy);
	else
		log_info("domain '%s' resumed from its managed save image",
		    d->name);
	return 0;
}

int
qemu_save_managed_remove(const char *key)
{
	VR_AUTOFREE char *path = NULL;
	struct qemu_dom *d;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "managedsave-remove") < 0)
		goto out;
	path = managed_path(d->name);
	if (unlink(path) < 0) {
		if (errno == ENOENT)
			vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no "
			    "managed save image", d->name);
		else
			vr_error_system(errno, "cannot remove '%s'", path);
	} else {
		log_info("domain '%s': managed save image removed", d->name);
		ret = 0;
	}
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

int
qemu_save_has_managed_key(const char *key)
{
	struct qemu_dom *d;
	bool has;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	has = qemu_save_has_managed(d->name);
	qemu_dom_unref(d);
	return has ? 1 : 0;
}

int
qemu_save_undefine_check(struct qemu_dom *d, unsigned int flags)
{
	VR_AUTOFREE char *path = managed_path(d->name);

	if (access(path, F_OK) < 0)
		return 0;
	if (!(flags & VR_DOM_UNDEFINE_MANAGED_SAVE)) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot undefine domain "
		    "'%s': it has a managed save image (--managed-save "
		    "removes it too)", d->name);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", path);
		return -1;
	}
	log_info("domain '%s': managed save image removed", d->name);
	return 0;
}

char *
qemu_save_image_xml(const char *path, unsigned int flags,
    const struct vr_caller *who)
{
	struct save_image img;
	VR_AUTO(dom_def) def = NULL;
	char *xml;

	if (save_path_check(path, "save file") < 0 ||
	    save_image_open(path, who, &img) < 0)
		return NULL;
	def = dom_def_parse_string(img.xml, DOM_PARSE_VALIDATE);
	save_image_close(&img);
	if (def == NULL) {
		vr_error_prefix("save image '%s'", path);
		return NULL;
	}
	xml = dom_def_format(def, -1, (flags & VR_DOM_SAVE_XML_SECURE) ?
	    DOM_FORMAT_SECURE : 0);
	return xml;
}
