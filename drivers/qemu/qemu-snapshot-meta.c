/*
 * Snapshot bookkeeping (issue 7): the metadata store and who still needs
 * an image.
 *
 * Store: STATE/qemu/snapshot/DOMAIN/NAME.xml per snapshot (libvirt's
 * domainsnapshot XML, written atomically) and .../DOMAIN/current naming
 * the current one. Readers parse the files without locks: every write is
 * a rename, so a reader sees a whole file or none.
 *
 * Image users: before an overlay is unlinked, or an image rewound, every
 * domain's disks and backing chains (live and persistent definitions),
 * every snapshot's overlays and definitions, and the storage driver's
 * volumes (env.path_user) are asked. Files are compared by device and
 * inode; a chain is followed through the qcow2 headers, 16 images deep.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "image.h"
#include "log.h"
#include "qemu-domain.h"
#include "qemu-snapshot.h"
#include "snap-def.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.snapshot");

#define CHAIN_MAX	16

/* The same file: the same name, or the same device and inode. */
bool
qemu_snap_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a == NULL || b == NULL)
		return false;
	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

const struct dom_def *
qemu_snap_resolved_def(const struct dom_def *def, struct dom_def **copy)
{
	if (qemu_volumes_resolve(def, copy) < 0)
		return NULL;
	return *copy != NULL ? *copy : def;
}

/* Store */

void
qemu_snap_set_clear(struct qemu_snap_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		snap_def_free(s->defs[i]);
	free(s->defs);
	free(s->current);
	memset(s, 0, sizeof *s);
}

struct snap_def *
qemu_snap_set_find(const struct qemu_snap_set *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->defs[i]->name, name) == 0)
			return s->defs[i];
	return NULL;
}

char *
qemu_snap_dir(const char *dom)
{
	return xprintf("%s/qemu/snapshot/%s", qemu_drv.env.state_dir, dom);
}

char *
qemu_snap_file(const char *dom, const char *name)
{
	return xprintf("%s/qemu/snapshot/%s/%s.xml", qemu_drv.env.state_dir,
	    dom, name);
}

static int
snap_cmp(const void *a, const void *b)
{
	const struct snap_def *x = *(struct snap_def *const *)a;
	const struct snap_def *y = *(struct snap_def *const *)b;

	if (x->creation_time != y->creation_time)
		return x->creation_time < y->creation_time ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Read every snapshot of dom; a missing directory is no snapshots. */
int
qemu_snap_set_load(const char *dom, struct qemu_snap_set *s)
{
	VR_AUTOFREE char *dir = qemu_snap_dir(dom);
	VR_AUTOFREE char *cur_path = NULL;
	struct dirent *de;
	DIR *dp;

	memset(s, 0, sizeof *s);
	if ((dp = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		vr_error_system(errno, "cannot read '%s'", dir);
		return -1;
	}
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		VR_AUTOFREE char *path = NULL;
		struct snap_def *def;

		if (len < 5 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		path = xprintf("%s/%s", dir, de->d_name);
		if ((def = snap_def_parse_file(path, 0)) == NULL) {
			log_error("ignoring snapshot file '%s': %s", path,
			    vr_error_message());
			continue;
		}
		s->defs = xreallocarray(s->defs, s->n + 1, sizeof *s->defs);
		s->defs[s->n++] = def;
	}
	closedir(dp);
	if (s->n > 1)
		qsort(s->defs, s->n, sizeof *s->defs, snap_cmp);
	cur_path = xprintf("%s/current", dir);
	if ((s->current = vr_file_read(cur_path, 256, NULL)) != NULL) {
		s->current[strcspn(s->current, "\n")] = '\0';
		if (qemu_snap_set_find(s, s->current) == NULL) {
			free(s->current);
			s->current = NULL;
		}
	}
	return 0;
}

int
qemu_snap_save(const char *dom, const struct snap_def *def)
{
	VR_AUTOFREE char *dir = qemu_snap_dir(dom);
	VR_AUTOFREE char *path = qemu_snap_file(dom, def->name);
	VR_AUTOFREE char *xml = snap_def_format(def, DOM_FORMAT_SECURE);

	if (vr_mkdir_p(dir, 0700) < 0)
		return -1;
	return vr_file_write_atomic(path, xml, strlen(xml), 0600);
}

/* Record the current snapshot (NULL: none). */
int
qemu_snap_set_current(const char *dom, const char *name)
{
	VR_AUTOFREE char *dir = qemu_snap_dir(dom);
	VR_AUTOFREE char *path = xprintf("%s/current", dir);

	if (name == NULL) {
		if (unlink(path) < 0 && errno != ENOENT) {
			vr_error_system(errno, "cannot remove '%s'", path);
			return -1;
		}
		return 0;
	}
	if (vr_mkdir_p(dir, 0700) < 0)
		return -1;
	return vr_file_write_atomic(path, name, strlen(name), 0600);
}

/* Number of snapshots of domain dom (for undefine); -1 on error. */
int
qemu_snapshot_count(const char *dom)
{
	struct qemu_snap_set s;
	int n;

	if (qemu_snap_set_load(dom, &s) < 0)
		return -1;
	n = (int)s.n;
	qemu_snap_set_clear(&s);
	return n;
}

/* Who still needs an image */

struct users_ctx {
	const char	*path;
	struct stat	 st;
	bool		 backing_only;	/* as a backing file only */
	char		*why;
	size_t		 len;
};

/*
 * Is path, or an image in its backing chain, ctx's file? With
 * ctx->backing_only, only the backing chain counts.
 */
static bool
chain_uses(struct users_ctx *ctx, const char *path)
{
	VR_AUTOFREE char *cur = path != NULL ? xstrdup(path) : NULL;
	struct stat st;
	int depth;

	for (depth = 0; cur != NULL && depth < CHAIN_MAX; depth++) {
		char *next;

		if ((depth > 0 || !ctx->backing_only) && stat(cur, &st) == 0 &&
		    st.st_dev == ctx->st.st_dev && st.st_ino == ctx->st.st_ino)
			return true;
		next = vr_image_backing_path(cur);
		free(cur);
		cur = next;
	}
	return false;
}

static bool
def_uses(struct users_ctx *ctx, const struct dom_def *def, const char *what)
{
	VR_AUTO(dom_def) copy = NULL;
	const struct dom_def *r;
	size_t i;

	if (def == NULL)
		return false;
	if ((r = qemu_snap_resolved_def(def, &copy)) == NULL) {
		/* An inactive pool: compare what can be compared. */
		vr_error_reset();
		r = def;
	}
	for (i = 0; i < r->ndisks; i++)
		if (chain_uses(ctx, r->disks[i].src_path)) {
			snprintf(ctx->why, ctx->len, "disk '%s' of %s",
			    r->disks[i].target_dev, what);
			return true;
		}
	return false;
}

/* Every domain's definitions, live and persistent. */
static bool
domains_use(struct users_ctx *ctx)
{
	struct vr_dom_info *infos = NULL;
	size_t n = 0, i;
	bool found = false;

	if (qemu_dom_driver.list(0, &infos, &n) < 0)
		return false;
	for (i = 0; !found && i < n; i++) {
		struct qemu_dom *d = qemu_dom_lookup(infos[i].name);
		VR_AUTO(dom_def) live = NULL;
		VR_AUTO(dom_def) def = NULL;
		VR_AUTOFREE char *w1 = NULL, *w2 = NULL;

		if (d == NULL) {
			vr_error_reset();
			continue;
		}
		pthread_mutex_lock(&d->lock);
		live = d->live != NULL ? dom_def_copy(d->live) : NULL;
		def = d->def != NULL ? dom_def_copy(d->def) : NULL;
		pthread_mutex_unlock(&d->lock);
		w1 = xprintf("running domain '%s'", d->name);
		w2 = xprintf("domain '%s'", d->name);
		found = def_uses(ctx, live, w1) || def_uses(ctx, def, w2);
		qemu_dom_unref(d);
	}
	free(infos);
	return found;
}

/* Every snapshot of every domain but those named in skip (of dom). */
static bool
snapshots_use(struct users_ctx *ctx, const char *dom, char *const *skip)
{
	VR_AUTOFREE char *top = xprintf("%s/qemu/snapshot",
	    qemu_drv.env.state_dir);
	struct dirent *de;
	bool found = false;
	DIR *dp;

	if ((dp = opendir(top)) == NULL)
		return false;
	while (!found && (de = readdir(dp)) != NULL) {
		struct qemu_snap_set s;
		size_t i, j, k;

		if (de->d_name[0] == '.' ||
		    qemu_snap_set_load(de->d_name, &s) < 0)
			continue;
		for (i = 0; !found && i < s.n; i++) {
			const struct snap_def *sd = s.defs[i];
			VR_AUTOFREE char *what = NULL;
			bool skipped = false;

			for (k = 0; strcmp(de->d_name, dom) == 0 &&
			    skip[k] != NULL; k++)
				if (strcmp(skip[k], sd->name) == 0)
					skipped = true;
			if (skipped)
				continue;
			what = xprintf("snapshot '%s' of domain '%s'",
			    sd->name, de->d_name);
			for (j = 0; !found && j < sd->ndisks; j++)
				if (chain_uses(ctx, sd->disks[j].src_path)) {
					snprintf(ctx->why, ctx->len, "the "
					    "overlay of disk '%s' of %s",
					    sd->disks[j].name, what);
					found = true;
				}
			if (!found)
				found = def_uses(ctx, sd->dom, what);
		}
		qemu_snap_set_clear(&s);
	}
	closedir(dp);
	return found;
}

/*
 * 1 and why (a phrase) if anything but the snapshots skip of dom needs
 * the image at path; 0 if nothing does; a file that is gone is unused.
 */
int
qemu_snap_image_user(const char *path, const char *dom, char *const *skip,
    char *why, size_t len)
{
	struct users_ctx ctx = { .path = path, .why = why, .len = len };

	if (stat(path, &ctx.st) < 0)
		return 0;
	if (domains_use(&ctx) || snapshots_use(&ctx, dom, skip))
		return 1;
	if (qemu_drv.env.path_user != NULL &&
	    qemu_drv.env.path_user(path, why, len) == 1)
		return 1;
	return 0;
}

/*
 * 1 and why if the image at path is the backing file of a domain's disk,
 * a snapshot's overlay or a volume: writing to it (reverting its internal
 * snapshot) would corrupt them.
 */
int
qemu_snap_image_backing_user(const char *path, const char *dom, char *why,
    size_t len)
{
	struct users_ctx ctx = { .path = path, .why = why, .len = len,
	    .backing_only = true };
	char *const none[] = { NULL };

	if (stat(path, &ctx.st) < 0)
		return 0;
	if (domains_use(&ctx) || snapshots_use(&ctx, dom, none))
		return 1;
	if (qemu_drv.env.path_user != NULL &&
	    qemu_drv.env.path_user(path, why, len) == 1 &&
	    strncmp(why, "the backing chain", 17) == 0)
		return 1;
	return 0;
}
