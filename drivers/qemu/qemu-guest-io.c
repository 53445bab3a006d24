/*
 * Talking to a running guest's display, keyboard and monitor directly:
 * screenshot (QMP screendump into a descriptor we pass), send-key, and
 * qemu-monitor-command (raw QMP or HMP, which taints the domain).
 * Each takes the domain's job: they reach QEMU's monitor like any
 * mutation and must not interleave with a start or a stop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "driver.h"
#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "qemu-keymap.h"
#include "qmp.h"
#include "rpc-proto.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.guest-io");

#define GUEST_IO_QMP_MS		30000
/*
 * A screenshot travels base64-encoded (4/3 larger) in one reply frame,
 * with room for the envelope: 3008 KiB.
 */
#define SCREENSHOT_MAX		(RPC_MAX_FRAME / 4 * 3 - 64 * 1024)
#define SEND_KEY_MAX		16
#define HOLDTIME_MAX_MS		10000

/* Look up, take the job, require a running QEMU. Referenced, job held. */
static struct qemu_dom *
active_begin(const char *key, const char *job)
{
	struct qemu_dom *d;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return NULL;
	if (qemu_dom_job_begin(d, job) < 0) {
		qemu_dom_unref(d);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	if (d->live == NULL || d->pid == 0 || d->mon == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		qemu_dom_job_end(d);
		qemu_dom_unref(d);
		return NULL;
	}
	pthread_mutex_unlock(&d->lock);
	return d;
}

static void
active_end(struct qemu_dom *d)
{
	qemu_dom_job_end(d);
	qemu_dom_unref(d);
}

/*
 * Job held: does the running definition have a display device? (QEMU
 * may have died meanwhile: the loop thread drops live without the job.)
 */
static bool
has_video(struct qemu_dom *d)
{
	bool yes;

	pthread_mutex_lock(&d->lock);
	yes = d->live != NULL && d->live->nvideos > 0 &&
	    d->live->videos[0].model != DOM_VIDEO_NONE;
	pthread_mutex_unlock(&d->lock);
	return yes;
}

/*
 * QEMU writes the PNG into a file of ours, through a descriptor in an
 * fdset ("/dev/fdset/N"): QEMU's user needs no access to any directory.
 */
static int
screendump_fd(struct qemu_dom *d, int wfd)
{
	struct json_object *args, *ret = NULL, *v;
	struct qmp_mon *mon;
	char path[64], err[1024];
	int64_t fdset;
	int rc = -1, code = VR_ERR_QEMU;

	pthread_mutex_lock(&d->lock);
	mon = d->mon != NULL ? qmp_ref(d->mon) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (mon == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		return -1;
	}
	if (qmp_command_fd(mon, "add-fd", NULL, wfd, &ret,
	    GUEST_IO_QMP_MS) < 0)
		goto out;
	if (ret == NULL || !json_object_object_get_ex(ret, "fdset-id", &v)) {
		vr_error(VR_ERR_QEMU, "domain '%s': add-fd gave no fdset-id",
		    d->name);
		goto out;
	}
	fdset = json_object_get_int64(v);
	snprintf(path, sizeof path, "/dev/fdset/%lld", (long long)fdset);
	args = json_object_new_object();
	json_object_object_add(args, "filename", json_object_new_string(path));
	json_object_object_add(args, "format", json_object_new_string("png"));
	rc = qmp_command(mon, "screendump", args, NULL, GUEST_IO_QMP_MS);
	if (rc < 0) {
		code = vr_error_code();
		snprintf(err, sizeof err, "%s", vr_error_message());
	}
	/* QEMU closed its copy; drop the set (and ours) either way */
	args = json_object_new_object();
	json_object_object_add(args, "fdset-id", json_object_new_int64(fdset));
	if (qmp_command(mon, "remove-fd", args, NULL, GUEST_IO_QMP_MS) < 0)
		log_warnx("domain '%s': remove-fd %lld: %s", d->name,
		    (long long)fdset, vr_error_message());
	if (rc < 0)
		vr_error(code, "%s", err);
	else
		vr_error_reset();
out:
	json_object_put(ret);
	qmp_unref(mon);
	return rc;
}

int
qemu_screenshot(const char *key, unsigned char **png, size_t *lenp)
{
	struct qemu_dom *d;
	VR_AUTOFREE char *path = NULL;
	VR_AUTOFREE unsigned char *buf = NULL;
	VR_AUTOCLOSE int rfd = -1;
	VR_AUTOCLOSE int wfd = -1;
	struct stat st;
	int ret = -1;

	if ((d = active_begin(key, "screenshot")) == NULL)
		return -1;
	if (!has_video(d)) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no video "
		    "device: add a <video> to take screenshots", d->name);
		goto out;
	}
	/* A file only we can reach, unlinked at once: two descriptors. */
	path = xprintf("%s/%s.screenshot.XXXXXX", qemu_drv.mon_dir, d->name);
	if ((rfd = mkostemp(path, O_CLOEXEC)) < 0) {
		vr_error_system(errno, "cannot create '%s'", path);
		goto out;
	}
	wfd = open(path, O_WRONLY | O_CLOEXEC);
	unlink(path);
	if (wfd < 0) {
		vr_error_system(errno, "cannot open '%s'", path);
		goto out;
	}
	if (screendump_fd(d, wfd) < 0)
		goto out;
	if (fstat(rfd, &st) < 0) {
		vr_error_system(errno, "cannot stat the screenshot");
		goto out;
	}
	if (st.st_size < 8 || st.st_size > SCREENSHOT_MAX) {
		vr_error(VR_ERR_QEMU, "domain '%s': the screenshot has %lld "
		    "bytes (expected 8 to %d)", d->name,
		    (long long)st.st_size, SCREENSHOT_MAX);
		goto out;
	}
	buf = xmalloc((size_t)st.st_size);
	if (pread(rfd, buf, (size_t)st.st_size, 0) != st.st_size) {
		vr_error_system(errno, "cannot read the screenshot");
		goto out;
	}
	log_info("domain '%s': screenshot of %lld bytes", d->name,
	    (long long)st.st_size);
	*lenp = (size_t)st.st_size;
	*png = vr_steal(&buf);
	ret = 0;
out:
	active_end(d);
	return ret;
}

int
qemu_send_key(const char *key, const char *codeset, const char *const *names,
    size_t n, unsigned int holdtime_ms)
{
	struct json_object *args, *arr, *v;
	struct qemu_dom *d;
	size_t i;
	int ret;

	if (n == 0 || n > SEND_KEY_MAX) {
		vr_error(VR_ERR_INVALID_ARG, "send-key takes 1 to %d keys, "
		    "not %zu", SEND_KEY_MAX, n);
		return -1;
	}
	if (holdtime_ms > HOLDTIME_MAX_MS) {
		vr_error(VR_ERR_INVALID_ARG, "hold time %u ms is longer than "
		    "%d ms", holdtime_ms, HOLDTIME_MAX_MS);
		return -1;
	}
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		if ((v = qemu_keymap_key(codeset, names[i])) == NULL) {
			json_object_put(arr);
			return -1;
		}
		json_object_array_add(arr, v);
	}
	args = json_object_new_object();
	json_object_object_add(args, "keys", arr);
	if (holdtime_ms > 0)
		json_object_object_add(args, "hold-time",
		    json_object_new_int((int)holdtime_ms));
	if ((d = active_begin(key, "send-key")) == NULL) {
		json_object_put(args);
		return -1;
	}
	ret = qemu_process_qmp(d, "send-key", args, NULL);
	active_end(d);
	return ret;
}

/*
 * A QMP command as the user wrote it: {"execute":NAME} with optional
 * "arguments" (an object) and "id" (ignored: ours is used).
 */
static int
monitor_parse(const char *cmd, const char **exec, struct json_object **msgp,
    struct json_object **args)
{
	struct json_object *msg, *v;

	*args = NULL;
	if ((msg = json_tokener_parse(cmd)) == NULL ||
	    !json_object_is_type(msg, json_type_object)) {
		json_object_put(msg);
		vr_error(VR_ERR_INVALID_ARG, "the monitor command is not a "
		    "JSON object: use {\"execute\":\"NAME\"} or --hmp");
		return -1;
	}
	json_object_object_foreach(msg, k, val) {
		(void)val;
		if (strcmp(k, "execute") != 0 && strcmp(k, "arguments") != 0 &&
		    strcmp(k, "id") != 0) {
			vr_error(VR_ERR_INVALID_ARG, "the monitor command has "
			    "an unknown member '%s'", k);
			json_object_put(msg);
			return -1;
		}
	}
	if (!json_object_object_get_ex(msg, "execute", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		vr_error(VR_ERR_INVALID_ARG, "the monitor command needs "
		    "\"execute\" (a string)");
		json_object_put(msg);
		return -1;
	}
	*exec = json_object_get_string(v);
	if (json_object_object_get_ex(msg, "arguments", &v)) {
		if (!json_object_is_type(v, json_type_object)) {
			vr_error(VR_ERR_INVALID_ARG, "\"arguments\" of the "
			    "monitor command must be an object");
			json_object_put(msg);
			return -1;
		}
		*args = json_object_get(v);
	}
	*msgp = msg;
	return 0;
}

char *
qemu_monitor_command(const char *key, const char *cmd, bool hmp)
{
	struct json_object *msg = NULL, *args = NULL, *ret = NULL, *reply;
	struct qemu_dom *d;
	const char *exec;
	char *text = NULL;
	int id;

	if (hmp) {
		exec = "human-monitor-command";
		args = json_object_new_object();
		json_object_object_add(args, "command-line",
		    json_object_new_string(cmd));
	} else if (monitor_parse(cmd, &exec, &msg, &args) < 0)
		return NULL;
	if ((d = active_begin(key, "qemu-monitor-command")) == NULL) {
		json_object_put(args);
		json_object_put(msg);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	id = d->id;
	pthread_mutex_unlock(&d->lock);
	/* Once per command: names only, arguments may hold secrets. */
	log_info("domain '%s' is tainted: custom-monitor (%s)", d->name,
	    exec);
	qemu_process_log(d, "Domain id=%d is tainted: custom-monitor (%s)",
	    id, exec);
	if (qemu_process_qmp(d, exec, args, &ret) == 0) {
		if (hmp)
			text = xstrdup(ret != NULL &&
			    json_object_is_type(ret, json_type_string) ?
			    json_object_get_string(ret) : "");
		else {
			reply = json_object_new_object();
			json_object_object_add(reply, "return", ret != NULL ?
			    json_object_get(ret) : json_object_new_object());
			text = xstrdup(json_object_to_json_string_ext(reply,
			    JSON_C_TO_STRING_PLAIN |
			    JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(reply);
		}
	}
	/* it must fit one reply frame, escaped: half of one is plenty */
	if (text != NULL && strlen(text) > RPC_MAX_FRAME / 2) {
		vr_error(VR_ERR_UNSUPPORTED, "QEMU's reply to '%s' has %zu "
		    "bytes: more than a reply can carry (%d)", exec,
		    strlen(text), RPC_MAX_FRAME / 2);
		free(text);
		text = NULL;
	}
	json_object_put(ret);
	json_object_put(msg);	/* exec points into it */
	active_end(d);
	return text;
}

