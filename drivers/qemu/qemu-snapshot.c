/*
 * Domain snapshots (issue 7).
 *
 * Metadata: one libvirt domainsnapshot XML per snapshot in
 * STATE/qemu/snapshot/DOMAIN/NAME.xml, written atomically, and the name of
 * the current snapshot in .../DOMAIN/current (qemu-snapshot-meta.c). The
 * files are the truth: reads parse them and never wait behind a job;
 * every change holds the domain's job.
 *
 * Internal snapshots (all writable disks qcow2): a running domain's with
 * its memory through QEMU's snapshot-save job (tag, vmstate on the first
 * disk, the disks' top nodes), reverted with snapshot-load and removed
 * with snapshot-delete; an inactive domain's disks only, with qemu-img
 * snapshot -c/-a/-d. Reverting an inactive domain to a snapshot with
 * memory starts it from that state.
 *
 * External disk-only snapshots: each writable disk gets a qcow2 overlay
 * (IMAGE without its extension + ".NAME") on its current image; a running
 * domain switches to it with blockdev-add + blockdev-snapshot, an inactive
 * one just in its definition. The live and persistent definitions then
 * name the overlay. Reverting to an external snapshot is refused.
 *
 * Deleting never removes an image something still needs: an external
 * snapshot's overlay is unlinked only if no domain (its disks and their
 * backing chains, running or not), no other snapshot and no volume of an
 * active pool (nor a volume's backing chain) uses it; otherwise it is
 * kept and the reply says why. Base images are never deleted.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-domain.h"
#include "qemu-snapshot.h"
#include "snap-def.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.snapshot");

#define QEMU_IMG		"/usr/bin/qemu-img"
#define SNAP_JOB_TIMEOUT_MS	600000

/* Running programs */

/* Run qemu-img; the error is "what: " and its own first line. */
static int
run_qemu_img(const char *what, const char *const *argv)
{
	VR_AUTOFREE char *err = NULL;
	int rc;

	if ((rc = vr_run(argv, NULL, &err)) < 0) {
		vr_error_prefix("%s", what);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (err != NULL) {
		char *p = err;

		if (strncmp(p, "qemu-img: ", 10) == 0)
			p += 10;
		p[strcspn(p, "\n")] = '\0';
		vr_error(VR_ERR_QEMU, "%s: %s", what, p);
	} else
		vr_error(VR_ERR_QEMU, "%s: qemu-img exited with status %d",
		    what, rc);
	return -1;
}

static int
img_snapshot(const char *op, const char *tag, const char *path)
{
	const char *argv[] = { QEMU_IMG, "snapshot", op, tag, path, NULL };
	VR_AUTOFREE char *what = xprintf("%s internal snapshot '%s' of '%s'",
	    strcmp(op, "-c") == 0 ? "cannot create" : strcmp(op, "-a") == 0 ?
	    "cannot apply" : "cannot delete", tag, path);

	return run_qemu_img(what, argv);
}

/* QMP */

/*
 * Run a QMP job command (snapshot-save/-load/-delete) and wait until it
 * concludes; the job is dismissed. args are consumed.
 */
static int
qmp_job_run(struct qemu_dom *d, const char *cmd, struct json_object *args)
{
	static unsigned int seq;
	char id[48];
	uint64_t deadline = vr_time_ms() + SNAP_JOB_TIMEOUT_MS;
	struct json_object *ret = NULL, *o;
	int rc = -1;

	/* Unique: a job left behind by a failed wait never blocks the next. */
	snprintf(id, sizeof id, "vireo-snapshot-%u",
	    __atomic_add_fetch(&seq, 1, __ATOMIC_SEQ_CST));
	json_object_object_add(args, "job-id", json_object_new_string(id));
	if (qemu_process_qmp(d, cmd, args, NULL) < 0)
		return -1;
	for (;;) {
		const char *status = NULL, *error = NULL;
		size_t i;

		if (qemu_process_qmp(d, "query-jobs", NULL, &ret) < 0)
			return -1;
		for (i = 0; ret != NULL && i < json_object_array_length(ret);
		    i++) {
			struct json_object *j = json_object_array_get_idx(ret,
			    i);

			if (!json_object_object_get_ex(j, "id", &o) ||
			    strcmp(json_object_get_string(o), id) != 0)
				continue;
			if (json_object_object_get_ex(j, "status", &o))
				status = json_object_get_string(o);
			if (json_object_object_get_ex(j, "error", &o))
				error = json_object_get_string(o);
		}
		if (status == NULL) {
			vr_error(VR_ERR_QEMU, "domain '%s': %s: the job "
			    "disappeared", d->name, cmd);
			break;
		}
		if (strcmp(status, "concluded") == 0) {
			if (error != NULL)
				vr_error(VR_ERR_QEMU, "domain '%s': %s: %s",
				    d->name, cmd, error);
			else
				rc = 0;
			break;
		}
		if (vr_time_ms() > deadline) {
			vr_error(VR_ERR_TIMEOUT, "domain '%s': %s did not "
			    "finish within %d s", d->name, cmd,
			    SNAP_JOB_TIMEOUT_MS / 1000);
			json_object_put(ret);
			return -1;
		}
		json_object_put(ret);
		ret = NULL;
		nanosleep(&(struct timespec){ 0, 50 * 1000 * 1000 }, NULL);
	}
	json_object_put(ret);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(id));
	if (qemu_process_qmp(d, "job-dismiss", o, NULL) < 0 && rc == 0)
		return -1;
	return rc;
}

/*
 * The node name of the block node whose image is path: with top, the top
 * node of a device (query-block), else any format node in a chain
 * (query-named-block-nodes). Caller frees; NULL with an error.
 */
static char *
node_of_path(struct qemu_dom *d, const char *path, bool top)
{
	struct json_object *ret = NULL, *o, *f, *nn;
	char *node = NULL;
	size_t i;

	if (top) {
		if (qemu_process_qmp(d, "query-block", NULL, &ret) < 0)
			return NULL;
	} else {
		o = json_object_new_object();
		json_object_object_add(o, "flat",
		    json_object_new_boolean(true));
		if (qemu_process_qmp(d, "query-named-block-nodes", o,
		    &ret) < 0)
			return NULL;
	}
	for (i = 0; node == NULL && i < json_object_array_length(ret); i++) {
		o = json_object_array_get_idx(ret, i);
		if (top && !json_object_object_get_ex(o, "inserted", &o))
			continue;
		if (!top && (!json_object_object_get_ex(o, "drv", &f) ||
		    strcmp(json_object_get_string(f), "file") == 0))
			continue;
		if (json_object_object_get_ex(o, "file", &f) &&
		    json_object_object_get_ex(o, "node-name", &nn) &&
		    qemu_snap_same_file(json_object_get_string(f), path))
			node = xstrdup(json_object_get_string(nn));
	}
	json_object_put(ret);
	if (node == NULL)
		vr_error(VR_ERR_QEMU, "domain '%s': QEMU has no block node for "
		    "'%s'", d->name, path);
	return node;
}

static int
check_no_block_jobs(struct qemu_dom *d)
{
	struct json_object *ret = NULL, *o;
	int rc = 0;

	if (qemu_process_qmp(d, "query-block-jobs", NULL, &ret) < 0)
		return -1;
	if (json_object_array_length(ret) > 0) {
		o = json_object_array_get_idx(ret, 0);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has a block "
		    "job running on '%s': wait for it or abort it", d->name,
		    json_object_object_get_ex(o, "device", &o) ?
		    json_object_get_string(o) : "?");
		rc = -1;
	}
	json_object_put(ret);
	return rc;
}

/* Disks */

/* Does the disk take part in a snapshot (writable, with an image)? */
static bool
disk_snapshottable(const struct dom_disk *disk)
{
	return disk->src_path != NULL && !disk->readonly &&
	    !disk->shareable && disk->device != DOM_DISK_DEVICE_CDROM;
}

/*
 * The writable disks of def for an internal snapshot, all qcow2; their
 * paths in paths[] (borrowed from def). -1 naming a raw disk.
 */
static int
internal_disks(const struct dom_def *def, const char ***paths,
    const char ***devs, size_t *n)
{
	size_t i;

	*paths = xcalloc(def->ndisks + 1, sizeof **paths);
	*devs = xcalloc(def->ndisks + 1, sizeof **devs);
	*n = 0;
	for (i = 0; i < def->ndisks; i++) {
		const struct dom_disk *disk = &def->disks[i];

		if (!disk_snapshottable(disk))
			continue;
		if (disk->format != DOM_DISK_FORMAT_QCOW2) {
			vr_error(VR_ERR_OPERATION_INVALID, "disk '%s' is raw: "
			    "internal snapshots need qcow2 (use --disk-only "
			    "for an external snapshot)", disk->target_dev);
			free(*paths);
			free(*devs);
			*paths = *devs = NULL;
			return -1;
		}
		(*paths)[*n] = disk->src_path;
		(*devs)[(*n)++] = disk->target_dev;
	}
	return 0;
}

/* The top nodes of paths, as a JSON array; NULL with an error. */
static struct json_object *
nodes_of_paths(struct qemu_dom *d, const char **paths, size_t n,
    char **first)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		char *node = node_of_path(d, paths[i], true);

		if (node == NULL) {
			json_object_put(arr);
			return NULL;
		}
		if (i == 0 && first != NULL)
			*first = xstrdup(node);
		json_object_array_add(arr, json_object_new_string(node));
		free(node);
	}
	return arr;
}

/* snapshot-save/-load/-delete over the disks at paths. */
static int
qmp_internal(struct qemu_dom *d, const char *cmd, const char *tag,
    const char **paths, size_t n)
{
	VR_AUTOFREE char *vmstate = NULL;
	struct json_object *args, *devs;

	if ((devs = nodes_of_paths(d, paths, n, &vmstate)) == NULL)
		return -1;
	args = json_object_new_object();
	json_object_object_add(args, "tag", json_object_new_string(tag));
	if (strcmp(cmd, "snapshot-delete") != 0)
		json_object_object_add(args, "vmstate",
		    json_object_new_string(vmstate));
	json_object_object_add(args, "devices", devs);
	return qmp_job_run(d, cmd, args);
}

/* Definitions */

static int
save_config(const struct dom_def *def)
{
	VR_AUTOFREE char *xml = dom_def_format(def, -1, DOM_FORMAT_SECURE);
	VR_AUTOFREE char *path = xprintf("%s/%s.xml", qemu_drv.conf_dir,
	    def->name);

	return vr_file_write_atomic(path, xml, strlen(xml), 0600);
}

/* The disk of def named dev, or NULL. */
static struct dom_disk *
def_disk(const struct dom_def *def, const char *dev)
{
	size_t i;

	for (i = 0; def != NULL && i < def->ndisks; i++)
		if (strcmp(def->disks[i].target_dev, dev) == 0)
			return &def->disks[i];
	return NULL;
}

/* Point disk at the qcow2 overlay. */
static void
disk_switch(struct dom_disk *disk, const char *overlay)
{
	free(disk->src_path);
	free(disk->src_pool);
	free(disk->src_volume);
	disk->src_pool = disk->src_volume = NULL;
	disk->src_path = xstrdup(overlay);
	disk->type = DOM_DISK_TYPE_FILE;
	disk->format = DOM_DISK_FORMAT_QCOW2;
	disk->has_driver = true;
}

/* Same source: the same file, or the same volume. */
static bool
disk_same_source(const struct dom_disk *a, const struct dom_disk *b)
{
	if (a->type == DOM_DISK_TYPE_VOLUME || b->type == DOM_DISK_TYPE_VOLUME)
		return a->type == b->type &&
		    strcmp(a->src_pool, b->src_pool) == 0 &&
		    strcmp(a->src_volume, b->src_volume) == 0;
	return qemu_snap_same_file(a->src_path, b->src_path);
}

/* IMAGE without its extension + ".NAME", as libvirt names overlays. */
static char *
overlay_path(const char *image, const char *name)
{
	const char *slash = strrchr(image, '/');
	const char *dot = strrchr(image, '.');

	if (dot != NULL && (slash == NULL || dot > slash + 1))
		return xprintf("%.*s.%s", (int)(dot - image), image, name);
	return xprintf("%s.%s", image, name);
}

/* Create an overlay on image (format fmt); refuses an existing file. */
static int
overlay_create(const char *overlay, const char *image, int fmt)
{
	const char *argv[] = { QEMU_IMG, "create", "-q", "-f", "qcow2",
	    "-b", image, "-F", fmt == DOM_DISK_FORMAT_QCOW2 ? "qcow2" : "raw",
	    overlay, NULL };
	VR_AUTOFREE char *what = xprintf("cannot create overlay '%s'",
	    overlay);
	struct stat st;

	if (lstat(overlay, &st) == 0) {
		vr_error(VR_ERR_EXISTS, "cannot create overlay '%s': the file "
		    "exists", overlay);
		return -1;
	}
	return run_qemu_img(what, argv);
}

/* Give the overlay to QEMU's user (recorded: given back at stop). */
static int
overlay_grant(struct qemu_dom *d, const char *overlay)
{
	struct dom_def tmp = { 0 };
	struct dom_disk disk = { 0 };
	struct qemu_ids ids;
	int rc;

	disk.src_path = (char *)overlay;
	disk.device = DOM_DISK_DEVICE_DISK;
	tmp.disks = &disk;
	tmp.ndisks = 1;
	if (qemu_security_ids(&ids) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	rc = qemu_security_prepare(d, &tmp, &ids);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* blockdev-add the overlay, then make it the top of the disk's node. */
static int
overlay_attach(struct qemu_dom *d, const char *base, const char *overlay,
    const char *dev)
{
	VR_AUTOFREE char *top = NULL;
	struct json_object *args, *file;
	char node[32];

	if ((top = node_of_path(d, base, true)) == NULL)
		return -1;
	/* Node names are at most 31 characters and must be unique. */
	snprintf(node, sizeof node, "snap%llx-%.8s",
	    (unsigned long long)(vr_time_us() & 0xffffffffffULL), dev);
	args = json_object_new_object();
	file = json_object_new_object();
	json_object_object_add(file, "driver", json_object_new_string("file"));
	json_object_object_add(file, "filename",
	    json_object_new_string(overlay));
	json_object_object_add(args, "driver", json_object_new_string("qcow2"));
	json_object_object_add(args, "node-name",
	    json_object_new_string(node));
	json_object_object_add(args, "file", file);
	json_object_object_add(args, "backing", NULL);
	if (qemu_process_qmp(d, "blockdev-add", args, NULL) < 0)
		return -1;
	args = json_object_new_object();
	json_object_object_add(args, "node", json_object_new_string(top));
	json_object_object_add(args, "overlay", json_object_new_string(node));
	if (qemu_process_qmp(d, "blockdev-snapshot", args, NULL) < 0) {
		args = json_object_new_object();
		json_object_object_add(args, "node-name",
		    json_object_new_string(node));
		qemu_process_qmp(d, "blockdev-del", args, NULL);
		return -1;
	}
	return 0;
}

/* Create */

struct create_ctx {
	struct qemu_dom		*d;
	const struct vr_snap_create_args *args;
	struct snap_def		*snap;
	struct dom_def		*def;		/* copy: live or persistent */
	bool			 active;
	bool			 paused;
};

static int
create_internal(struct create_ctx *c)
{
	VR_AUTO(dom_def) copy = NULL;
	VR_AUTOFREE const char **paths = NULL;
	VR_AUTOFREE const char **devs = NULL;
	const struct dom_def *r;
	size_t n, i, j;

	if ((r = qemu_snap_resolved_def(c->def, &copy)) == NULL ||
	    internal_disks(r, &paths, &devs, &n) < 0)
		return -1;
	if (n == 0) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no "
		    "writable qcow2 disk to hold an internal snapshot",
		    c->d->name);
		return -1;
	}
	c->snap->disks = xcalloc(r->ndisks + 1, sizeof *c->snap->disks);
	for (i = 0; i < r->ndisks; i++) {
		struct snap_disk *sd = &c->snap->disks[c->snap->ndisks++];

		sd->name = xstrdup(r->disks[i].target_dev);
		sd->snapshot = disk_snapshottable(&r->disks[i]) ?
		    SNAP_LOC_INTERNAL : SNAP_LOC_NO;
	}
	if (c->active) {
		c->snap->memory = SNAP_LOC_INTERNAL;
		return qmp_internal(c->d, "snapshot-save", c->snap->name,
		    paths, n);
	}
	c->snap->memory = SNAP_LOC_NO;
	for (i = 0; i < n; i++)
		if (img_snapshot("-c", c->snap->name, paths[i]) < 0) {
			char what[1024];

			snprintf(what, sizeof what, "%s", vr_error_message());
			for (j = 0; j < i; j++)
				img_snapshot("-d", c->snap->name, paths[j]);
			vr_error(VR_ERR_QEMU, "%s", what);
			return -1;
		}
	return 0;
}

/* Undo the overlays made so far (never used by anything yet). */
static void
overlays_remove(char **made, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (unlink(made[i]) < 0 && errno != ENOENT)
			log_warn("cannot remove overlay '%s'", made[i]);
}

/*
 * Phase 1 of an external snapshot: an overlay for each writable disk,
 * given to QEMU's user when the domain runs. Nothing uses them yet.
 */
static int
create_overlays(struct create_ctx *c)
{
	VR_AUTO(dom_def) copy = NULL;
	VR_AUTOFREE char **made = NULL;
	const struct dom_def *r;
	size_t i, nmade = 0;

	if ((r = qemu_snap_resolved_def(c->def, &copy)) == NULL)
		return -1;
	c->snap->memory = SNAP_LOC_NO;
	c->snap->disks = xcalloc(r->ndisks + 1, sizeof *c->snap->disks);
	made = xcalloc(r->ndisks + 1, sizeof *made);
	for (i = 0; i < r->ndisks; i++) {
		const struct dom_disk *disk = &r->disks[i];
		struct snap_disk *sd = &c->snap->disks[c->snap->ndisks++];

		sd->name = xstrdup(disk->target_dev);
		if (!disk_snapshottable(disk)) {
			sd->snapshot = SNAP_LOC_NO;
			continue;
		}
		if (disk->type == DOM_DISK_TYPE_BLOCK) {
			vr_error(VR_ERR_UNSUPPORTED, "disk '%s' is a block "
			    "device: external snapshots need a file",
			    disk->target_dev);
			goto fail;
		}
		sd->snapshot = SNAP_LOC_EXTERNAL;
		sd->format = DOM_DISK_FORMAT_QCOW2;
		sd->src_path = overlay_path(disk->src_path, c->snap->name);
		if (overlay_create(sd->src_path, disk->src_path,
		    disk->format) < 0)
			goto fail;
		made[nmade++] = sd->src_path;
		if (c->active && overlay_grant(c->d, sd->src_path) < 0)
			goto fail;
	}
	if (nmade == 0) {
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' has no "
		    "writable disk to snapshot", c->d->name);
		goto fail;
	}
	return 0;
fail:
	overlays_remove(made, nmade);
	return -1;
}

/* Point disk back at its source before the snapshot (was). */
static void
disk_switch_back(struct dom_disk *disk, const struct dom_disk *was)
{
	free(disk->src_path);
	free(disk->src_pool);
	free(disk->src_volume);
	disk->src_path = xstrdup_null(was->src_path);
	disk->src_pool = xstrdup_null(was->src_pool);
	disk->src_volume = xstrdup_null(was->src_volume);
	disk->type = was->type;
	disk->format = was->format;
	disk->has_driver = was->has_driver;
}

/*
 * The definitions (live, persistent, status) name the overlays of the
 * external disks from index from on; back: their sources before the
 * snapshot again. The persistent definition changes only where it named
 * the same source.
 */
static int
external_switch_defs(struct create_ctx *c, size_t from, bool back)
{
	VR_AUTO(dom_def) newdef = NULL;
	size_t i;

	pthread_mutex_lock(&c->d->lock);
	if (c->d->def != NULL)
		newdef = dom_def_copy(c->d->def);
	for (i = from; i < c->snap->ndisks; i++) {
		const struct snap_disk *sd = &c->snap->disks[i];
		struct dom_disk *was = def_disk(c->def, sd->name);
		struct dom_disk *ld, *pd;

		if (sd->snapshot != SNAP_LOC_EXTERNAL || was == NULL)
			continue;
		ld = c->active ? def_disk(c->d->live, sd->name) : NULL;
		pd = def_disk(newdef, sd->name);
		if (back) {
			if (ld != NULL)
				disk_switch_back(ld, was);
			if (pd != NULL && qemu_snap_same_file(pd->src_path,
			    sd->src_path))
				disk_switch_back(pd, was);
			continue;
		}
		if (ld != NULL)
			disk_switch(ld, sd->src_path);
		if (pd != NULL && disk_same_source(pd, was))
			disk_switch(pd, sd->src_path);
	}
	if (c->active)
		qemu_status_write_locked(c->d);
	pthread_mutex_unlock(&c->d->lock);
	if (newdef == NULL)
		return 0;
	if (save_config(newdef) < 0)
		return -1;
	pthread_mutex_lock(&c->d->lock);
	dom_def_free(c->d->def);
	c->d->def = vr_steal(&newdef);
	pthread_mutex_unlock(&c->d->lock);
	return 0;
}

/*
 * An external snapshot. The definitions name the overlays before QEMU
 * writes to them: should the daemon die in between, the domain starts
 * on an empty overlay over the image it was writing, which reads the
 * same. Disks QEMU could not switch go back to their images.
 */
static int
create_external(struct create_ctx *c)
{
	VR_AUTO(dom_def) copy = NULL;
	const struct dom_def *r;
	size_t i, k;

	if (create_overlays(c) < 0)
		return -1;
	if (external_switch_defs(c, 0, false) < 0)
		goto undo;
	if (!c->active)
		return 0;
	if ((r = qemu_snap_resolved_def(c->def, &copy)) == NULL)
		goto undo_defs;
	for (i = 0; i < c->snap->ndisks; i++) {
		const struct snap_disk *sd = &c->snap->disks[i];

		if (sd->snapshot == SNAP_LOC_EXTERNAL &&
		    overlay_attach(c->d, r->disks[i].src_path, sd->src_path,
		    sd->name) < 0)
			goto undo_from;
	}
	return 0;

undo_defs:
	i = 0;
undo_from:
	{
		char what[1024];

		snprintf(what, sizeof what, "%s", vr_error_message());
		if (external_switch_defs(c, i, true) < 0)
			log_error("domain '%s': cannot put back the "
			    "definition: %s", c->d->name, vr_error_message());
		for (k = i; k < c->snap->ndisks; k++)
			if (c->snap->disks[k].snapshot == SNAP_LOC_EXTERNAL)
				overlays_remove(&c->snap->disks[k].src_path, 1);
		if (i > 0)
			log_error("domain '%s': snapshot '%s' failed after "
			    "some disks moved to their overlays; they stay "
			    "there", c->d->name, c->snap->name);
		vr_error(VR_ERR_QEMU, "%s", what);
		return -1;
	}
undo:
	for (k = 0; k < c->snap->ndisks; k++)
		if (c->snap->disks[k].snapshot == SNAP_LOC_EXTERNAL)
			overlays_remove(&c->snap->disks[k].src_path, 1);
	return -1;
}

static int
snapshot_create_job(struct qemu_dom *d, const struct vr_snap_create_args *a,
    char **name)
{
	struct create_ctx c = { .d = d, .args = a };
	struct qemu_snap_set set;
	VR_AUTO(snap_def) snap = NULL;
	VR_AUTO(dom_def) def = NULL;
	int rc;

	pthread_mutex_lock(&d->lock);
	c.active = d->live != NULL && d->pid != 0;
	c.paused = d->state == VR_DOM_PAUSED;
	def = dom_def_copy(c.active ? d->live : d->def);
	pthread_mutex_unlock(&d->lock);
	if (qemu_snap_set_load(d->name, &set) < 0)
		return -1;
	snap = xcalloc(1, sizeof *snap);
	snap->name = a->name != NULL ? xstrdup(a->name) :
	    xprintf("%lld", (long long)time(NULL));
	snap->description = xstrdup_null(a->description);
	snap->creation_time = (long long)time(NULL);
	snap->parent = xstrdup_null(set.current);
	snap->has_state = true;
	if (qemu_snap_set_find(&set, snap->name) != NULL) {
		vr_error(VR_ERR_EXISTS, "domain '%s' already has a snapshot "
		    "named '%s'", d->name, snap->name);
		qemu_snap_set_clear(&set);
		return -1;
	}
	qemu_snap_set_clear(&set);
	if (snap_name_check(VR_ERR_INVALID_ARG, snap->name) < 0)
		return -1;
	if (c.active && check_no_block_jobs(d) < 0)
		return -1;
	/* libvirt's states: disk-snapshot only for a running domain's. */
	snap->state = !c.active ? SNAP_STATE_SHUTOFF : a->disk_only ?
	    SNAP_STATE_DISK_SNAPSHOT : c.paused ? SNAP_STATE_PAUSED :
	    SNAP_STATE_RUNNING;
	c.snap = snap;
	c.def = def;
	rc = a->disk_only ? create_external(&c) : create_internal(&c);
	if (rc < 0)
		return -1;
	snap->dom = vr_steal(&def);
	if (qemu_snap_save(d->name, snap) < 0 ||
	    qemu_snap_set_current(d->name, snap->name) < 0)
		return -1;
	log_info("domain '%s': snapshot '%s' created (%s%s)", d->name,
	    snap->name, a->disk_only ? "external, disks only" : "internal",
	    snap->memory == SNAP_LOC_INTERNAL ? ", with memory" : "");
	*name = xstrdup(snap->name);
	return 0;
}

int
qemu_snapshot_create(const char *key, const struct vr_snap_create_args *a,
    char **name)
{
	struct qemu_dom *d;
	int ret = -1;

	if (a->name != NULL && snap_name_check(VR_ERR_INVALID_ARG,
	    a->name) < 0)
		return -1;
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "snapshot-create") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (d->def == NULL && d->live == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_NO_DOMAIN, "domain '%s' no longer exists",
		    d->name);
		goto end;
	}
	pthread_mutex_unlock(&d->lock);
	ret = snapshot_create_job(d, a, name);
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

/* Reads */

static int
snap_lookup_set(const char *key, struct qemu_snap_set *s, char **dom)
{
	struct qemu_dom *d;
	int rc;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	*dom = xstrdup(d->name);
	qemu_dom_unref(d);
	rc = qemu_snap_set_load(*dom, s);
	if (rc < 0) {
		free(*dom);
		*dom = NULL;
	}
	return rc;
}

static bool
snap_external(const struct snap_def *s)
{
	size_t i;

	for (i = 0; i < s->ndisks; i++)
		if (s->disks[i].snapshot == SNAP_LOC_EXTERNAL)
			return true;
	return false;
}

int
qemu_snapshot_list(const char *key, struct vr_snap_info **infos, size_t *n)
{
	VR_AUTOFREE char *dom = NULL;
	struct qemu_snap_set s;
	size_t i;

	if (snap_lookup_set(key, &s, &dom) < 0)
		return -1;
	*infos = xcalloc(s.n + 1, sizeof **infos);
	for (i = 0; i < s.n; i++) {
		const struct snap_def *sd = s.defs[i];
		struct vr_snap_info *info = &(*infos)[i];

		snprintf(info->name, sizeof info->name, "%s", sd->name);
		snprintf(info->parent, sizeof info->parent, "%s",
		    sd->parent != NULL ? sd->parent : "");
		info->creation_time = sd->creation_time;
		info->state = sd->has_state ? (int)sd->state :
		    SNAP_STATE_SHUTOFF;
		info->current = s.current != NULL &&
		    strcmp(s.current, sd->name) == 0;
		info->external = snap_external(sd);
		info->memory = sd->memory == SNAP_LOC_INTERNAL;
	}
	*n = s.n;
	qemu_snap_set_clear(&s);
	return 0;
}

static struct snap_def *
snap_find_or_fail(const struct qemu_snap_set *s, const char *dom,
    const char *name)
{
	struct snap_def *sd;

	if (name == NULL || *name == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no snapshot name given");
		return NULL;
	}
	if ((sd = qemu_snap_set_find(s, name)) == NULL)
		vr_error(VR_ERR_NO_SNAPSHOT, "domain '%s' has no snapshot "
		    "named '%s'", dom, name);
	return sd;
}

char *
qemu_snapshot_get_xml(const char *key, const char *name, unsigned int flags)
{
	VR_AUTOFREE char *dom = NULL;
	struct qemu_snap_set s;
	struct snap_def *sd;
	char *xml = NULL;

	if (snap_lookup_set(key, &s, &dom) < 0)
		return NULL;
	if ((sd = snap_find_or_fail(&s, dom, name)) != NULL)
		xml = snap_def_format(sd, (flags & VR_DOM_XML_SECURE) ?
		    DOM_FORMAT_SECURE : 0);
	qemu_snap_set_clear(&s);
	return xml;
}

/* Revert */

/* The snapshot's internal disks as paths in its own definition. */
static int
snap_internal_paths(const struct snap_def *sd, struct dom_def **copy,
    const char ***paths, size_t *n)
{
	const struct dom_def *r;
	size_t i;

	*paths = NULL;
	*n = 0;
	if (sd->dom == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "snapshot '%s' has no "
		    "domain definition", sd->name);
		return -1;
	}
	if ((r = qemu_snap_resolved_def(sd->dom, copy)) == NULL)
		return -1;
	*paths = xcalloc(sd->ndisks + 1, sizeof **paths);
	for (i = 0; i < sd->ndisks; i++) {
		const struct dom_disk *disk;

		if (sd->disks[i].snapshot != SNAP_LOC_INTERNAL)
			continue;
		if ((disk = def_disk(r, sd->disks[i].name)) == NULL ||
		    disk->src_path == NULL) {
			vr_error(VR_ERR_OPERATION_INVALID, "snapshot '%s': "
			    "disk '%s' is not in its definition", sd->name,
			    sd->disks[i].name);
			free(*paths);
			*paths = NULL;
			return -1;
		}
		(*paths)[(*n)++] = disk->src_path;
	}
	return 0;
}

/* A running domain must still have those images as its disks' tops. */
static int
live_has_paths(struct qemu_dom *d, const struct snap_def *sd,
    const char **paths, size_t n)
{
	VR_AUTO(dom_def) live = NULL;
	VR_AUTO(dom_def) copy = NULL;
	const struct dom_def *r;
	size_t i, j;

	pthread_mutex_lock(&d->lock);
	live = d->live != NULL ? dom_def_copy(d->live) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (live == NULL || (r = qemu_snap_resolved_def(live, &copy)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < r->ndisks; j++)
			if (qemu_snap_same_file(r->disks[j].src_path, paths[i]))
				found = true;
		if (!found) {
			vr_error(VR_ERR_OPERATION_INVALID, "cannot revert "
			    "running domain '%s' to snapshot '%s': image '%s' "
			    "is no longer one of its disks; shut it down "
			    "first", d->name, sd->name, paths[i]);
			return -1;
		}
	}
	return 0;
}

/* After snapshot-load: the state the snapshot was taken in. */
static int
revert_set_run_state(struct qemu_dom *d, const struct snap_def *sd)
{
	bool want_paused = sd->state == SNAP_STATE_PAUSED;
	bool paused;

	pthread_mutex_lock(&d->lock);
	paused = d->state == VR_DOM_PAUSED;
	pthread_mutex_unlock(&d->lock);
	if (want_paused && !paused &&
	    qemu_process_qmp(d, "stop", NULL, NULL) < 0)
		return -1;
	if (!want_paused && paused &&
	    qemu_process_qmp(d, "cont", NULL, NULL) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	qemu_dom_set_state(d, want_paused ? VR_DOM_PAUSED : VR_DOM_RUNNING,
	    "from snapshot");
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int
revert_memory(struct qemu_dom *d, const struct snap_def *sd, bool active,
    const char **paths, size_t n)
{
	if (active) {
		if (live_has_paths(d, sd, paths, n) < 0 ||
		    check_no_block_jobs(d) < 0 ||
		    qmp_internal(d, "snapshot-load", sd->name, paths, n) < 0)
			return -1;
		return revert_set_run_state(d, sd);
	}
	/* Start it paused from the snapshot's definition, then load. */
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->live);
	d->live = dom_def_copy(sd->dom);
	pthread_mutex_unlock(&d->lock);
	if (qemu_process_start(d, true) < 0)
		return -1;
	if (qmp_internal(d, "snapshot-load", sd->name, paths, n) < 0 ||
	    revert_set_run_state(d, sd) < 0) {
		char what[1024];

		snprintf(what, sizeof what, "%s", vr_error_message());
		qemu_process_kill(d, false, "failed");
		vr_error(VR_ERR_QEMU, "%s", what);
		return -1;
	}
	return 0;
}

static int
revert_disks(struct qemu_dom *d, const struct snap_def *sd, bool active,
    const char **paths, size_t n)
{
	size_t i;

	/* A snapshot of a shut-off domain: shut it off, as libvirt does. */
	if (active && qemu_process_kill(d, false, "from snapshot") < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (img_snapshot("-a", sd->name, paths[i]) < 0)
			return -1;
	return 0;
}

static int
snapshot_revert_job(struct qemu_dom *d, const char *name)
{
	VR_AUTO(dom_def) copy = NULL;
	VR_AUTOFREE const char **paths = NULL;
	struct qemu_snap_set s;
	struct snap_def *sd;
	char why[512];
	size_t n, i;
	bool active;
	int ret = -1;

	if (qemu_snap_set_load(d->name, &s) < 0)
		return -1;
	if ((sd = snap_find_or_fail(&s, d->name, name)) == NULL)
		goto out;
	if (snap_external(sd)) {
		vr_error(VR_ERR_UNSUPPORTED, "cannot revert domain '%s' to "
		    "snapshot '%s': it is external (disk-only); its disks "
		    "live on in the overlays", d->name, sd->name);
		goto out;
	}
	if (snap_internal_paths(sd, &copy, &paths, &n) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (qemu_snap_image_backing_user(paths[i], d->name, why,
		    sizeof why) == 1) {
			vr_error(VR_ERR_OPERATION_INVALID, "cannot revert "
			    "domain '%s' to snapshot '%s': image '%s' is in "
			    "the backing chain of %s", d->name, sd->name,
			    paths[i], why);
			goto out;
		}
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL && d->pid != 0;
	pthread_mutex_unlock(&d->lock);
	if (sd->memory == SNAP_LOC_INTERNAL)
		ret = revert_memory(d, sd, active, paths, n);
	else
		ret = revert_disks(d, sd, active, paths, n);
	if (ret == 0 && qemu_snap_set_current(d->name, sd->name) < 0)
		ret = -1;
	if (ret == 0)
		log_info("domain '%s' reverted to snapshot '%s'", d->name,
		    sd->name);
out:
	qemu_snap_set_clear(&s);
	return ret;
}

int
qemu_snapshot_revert(const char *key, const char *name)
{
	struct qemu_dom *d;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "snapshot-revert") == 0) {
		ret = snapshot_revert_job(d, name);
		qemu_dom_job_end(d);
	}
	qemu_dom_unref(d);
	return ret;
}

/* Delete */

struct notes {
	char	**v;
	size_t	  n;
};

static void
note_add(struct notes *nt, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
note_add(struct notes *nt, const char *fmt, ...)
{
	va_list ap;

	nt->v = xreallocarray(nt->v, nt->n + 2, sizeof *nt->v);
	va_start(ap, fmt);
	nt->v[nt->n++] = xvprintf(fmt, ap);
	va_end(ap);
	nt->v[nt->n] = NULL;
}

static bool
name_in(char *const *names, const char *name)
{
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Add the descendants of name to *names (NULL-terminated). */
static void
add_descendants(const struct qemu_snap_set *s, const char *name, char ***names,
    size_t *n)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct snap_def *sd = s->defs[i];

		if (sd->parent == NULL || strcmp(sd->parent, name) != 0 ||
		    name_in(*names, sd->name))
			continue;
		*names = xreallocarray(*names, *n + 2, sizeof **names);
		(*names)[(*n)++] = sd->name;
		(*names)[*n] = NULL;
		add_descendants(s, sd->name, names, n);
	}
}

/* Remove the internal snapshot's tags (running: through QEMU). */
static int
delete_tags(struct qemu_dom *d, const struct snap_def *sd)
{
	VR_AUTO(dom_def) copy = NULL;
	VR_AUTOFREE const char **paths = NULL;
	size_t n, i;
	bool active;

	if (snap_internal_paths(sd, &copy, &paths, &n) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL && d->pid != 0;
	pthread_mutex_unlock(&d->lock);
	for (i = 0; i < n; i++) {
		VR_AUTOFREE char *node = NULL;
		struct json_object *args, *devs;

		if (active && (node = node_of_path(d, paths[i], true)) ==
		    NULL) {
			vr_error_reset();
			if ((node = node_of_path(d, paths[i], false)) !=
			    NULL) {
				vr_error(VR_ERR_OPERATION_INVALID, "cannot "
				    "delete internal snapshot '%s' of running "
				    "domain '%s': image '%s' is a backing file "
				    "now (QEMU cannot change it); shut the "
				    "domain off first, or use --metadata",
				    sd->name, d->name, paths[i]);
				return -1;
			}
			vr_error_reset();	/* not open: qemu-img */
		}
		if (node == NULL) {
			if (img_snapshot("-d", sd->name, paths[i]) < 0)
				return -1;
			continue;
		}
		args = json_object_new_object();
		devs = json_object_new_array();
		json_object_array_add(devs, json_object_new_string(node));
		json_object_object_add(args, "tag",
		    json_object_new_string(sd->name));
		json_object_object_add(args, "devices", devs);
		if (qmp_job_run(d, "snapshot-delete", args) < 0)
			return -1;
	}
	return 0;
}

/* An external snapshot's overlays: unlinked only when nothing needs them. */
static void
delete_overlays(struct qemu_dom *d, const struct snap_def *sd,
    char *const *deleting, struct notes *nt)
{
	char why[512];
	size_t i;

	for (i = 0; i < sd->ndisks; i++) {
		const char *path = sd->disks[i].src_path;

		if (sd->disks[i].snapshot != SNAP_LOC_EXTERNAL ||
		    path == NULL || access(path, F_OK) < 0)
			continue;
		if (qemu_snap_image_user(path, d->name, deleting, why,
		    sizeof why) == 1) {
			note_add(nt, "kept '%s': %s uses it", path, why);
			continue;
		}
		if (unlink(path) < 0) {
			note_add(nt, "kept '%s': %s", path, strerror(errno));
			continue;
		}
		note_add(nt, "deleted overlay '%s'", path);
		log_info("domain '%s': snapshot '%s': deleted unused overlay "
		    "'%s'", d->name, sd->name, path);
	}
}

static int
delete_one(struct qemu_dom *d, struct qemu_snap_set *s, struct snap_def *sd,
    unsigned int flags, char *const *deleting, struct notes *nt)
{
	VR_AUTOFREE char *path = qemu_snap_file(d->name, sd->name);
	size_t i;

	if (!(flags & VR_SNAP_DELETE_METADATA) && !snap_external(sd) &&
	    delete_tags(d, sd) < 0)
		return -1;
	/* Children move up to the parent. */
	for (i = 0; i < s->n; i++) {
		struct snap_def *c = s->defs[i];

		if (c->parent == NULL || strcmp(c->parent, sd->name) != 0 ||
		    name_in(deleting, c->name))
			continue;
		free(c->parent);
		c->parent = xstrdup_null(sd->parent);
		if (qemu_snap_save(d->name, c) < 0)
			return -1;
	}
	if (s->current != NULL && strcmp(s->current, sd->name) == 0) {
		if (qemu_snap_set_current(d->name, sd->parent) < 0)
			return -1;
		free(s->current);
		s->current = xstrdup_null(sd->parent);
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", path);
		return -1;
	}
	/* Metadata first: a crash now leaks a file, never loses one. */
	if (!(flags & VR_SNAP_DELETE_METADATA) && snap_external(sd))
		delete_overlays(d, sd, deleting, nt);
	return 0;
}

static int
snapshot_delete_job(struct qemu_dom *d, const char *name, unsigned int flags,
    struct notes *nt)
{
	VR_AUTOFREE char **names = NULL;
	struct qemu_snap_set s;
	struct snap_def *sd;
	size_t n = 0, i;
	int ret = -1;

	if (qemu_snap_set_load(d->name, &s) < 0)
		return -1;
	if ((sd = snap_find_or_fail(&s, d->name, name)) == NULL)
		goto out;
	names = xcalloc(s.n + 2, sizeof *names);
	if (!(flags & VR_SNAP_DELETE_CHILDREN_ONLY))
		names[n++] = sd->name;
	if (flags & (VR_SNAP_DELETE_CHILDREN | VR_SNAP_DELETE_CHILDREN_ONLY))
		add_descendants(&s, sd->name, &names, &n);
	/* Leaves first. */
	for (i = n; i > 0; i--) {
		struct snap_def *one = qemu_snap_set_find(&s, names[i - 1]);

		if (delete_one(d, &s, one, flags, names, nt) < 0)
			goto out;
		note_add(nt, "deleted snapshot '%s'", one->name);
	}
	ret = 0;
out:
	qemu_snap_set_clear(&s);
	return ret;
}

int
qemu_snapshot_delete(const char *key, const char *name, unsigned int flags,
    char ***notes)
{
	struct notes nt = { 0 };
	struct qemu_dom *d;
	int ret = -1;

	*notes = NULL;
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "snapshot-delete") == 0) {
		ret = snapshot_delete_job(d, name, flags, &nt);
		qemu_dom_job_end(d);
	}
	qemu_dom_unref(d);
	if (nt.v == NULL)
		nt.v = xcalloc(1, sizeof *nt.v);
	*notes = nt.v;
	return ret;
}

/* Every snapshot's metadata, images untouched (undefine). */
int
qemu_snapshot_forget_all(const char *key)
{
	VR_AUTOFREE char *dir = NULL;
	struct qemu_dom *d;
	struct qemu_snap_set s;
	size_t i;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "snapshot-delete") < 0)
		goto out;
	if (qemu_snap_set_load(d->name, &s) < 0)
		goto end;
	dir = qemu_snap_dir(d->name);
	ret = qemu_snap_set_current(d->name, NULL);
	for (i = 0; ret == 0 && i < s.n; i++) {
		VR_AUTOFREE char *path = qemu_snap_file(d->name,
		    s.defs[i]->name);

		if (unlink(path) < 0 && errno != ENOENT) {
			vr_error_system(errno, "cannot remove '%s'", path);
			ret = -1;
		}
	}
	if (ret == 0 && rmdir(dir) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", dir);
	if (ret == 0)
		log_info("domain '%s': metadata of %zu snapshots removed",
		    d->name, s.n);
	qemu_snap_set_clear(&s);
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

