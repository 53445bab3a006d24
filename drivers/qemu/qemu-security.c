/*
 * QEMU runs as an unprivileged user (vireod.conf "user"/"group", default
 * vireo-qemu). Before a start, every file QEMU opens itself is checked:
 * its directories must be searchable by that user (otherwise the error
 * names the directory), and a file it cannot read or write by its mode is
 * given to that user; the previous owner is recorded (also in the status
 * file) and put back when the domain stops. Files the daemon opens and
 * hands over (monitor socket, log, taps) need nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "image.h"
#include "log.h"
#include "qemu-domain.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.security");

#define WANT_R	4
#define WANT_W	2
#define WANT_X	1

int
qemu_security_ids(struct qemu_ids *ids)
{
	char buf[4096];
	struct passwd pw, *pwp = NULL;
	struct group gr, *grp = NULL;
	int n = (int)nitems(ids->groups);

	memset(ids, 0, sizeof *ids);
	if (strcmp(qemu_drv.env.qemu_user, "root") == 0) {
		ids->root = true;
		return 0;
	}
	if (getpwnam_r(qemu_drv.env.qemu_user, &pw, buf, sizeof buf,
	    &pwp) != 0 || pwp == NULL) {
		vr_error(VR_ERR_SYSTEM, "QEMU's user '%s' does not exist: "
		    "create it (useradd --system --no-create-home --shell "
		    "/usr/sbin/nologin %s) or set \"user\" in vireod.conf",
		    qemu_drv.env.qemu_user, qemu_drv.env.qemu_user);
		return -1;
	}
	ids->uid = pw.pw_uid;
	if (getgrnam_r(qemu_drv.env.qemu_group, &gr, buf, sizeof buf,
	    &grp) != 0 || grp == NULL) {
		vr_error(VR_ERR_SYSTEM, "QEMU's group '%s' does not exist: "
		    "create it or set \"group\" in vireod.conf",
		    qemu_drv.env.qemu_group);
		return -1;
	}
	ids->gid = gr.gr_gid;
	/* Supplementary groups (e.g. kvm), resolved here: not after fork. */
	if (getgrouplist(qemu_drv.env.qemu_user, ids->gid, ids->groups,
	    &n) < 0)
		n = (int)nitems(ids->groups);
	ids->ngroups = (size_t)n;
	return 0;
}

static bool
in_groups(const struct qemu_ids *ids, gid_t g)
{
	size_t i;

	if (g == ids->gid)
		return true;
	for (i = 0; i < ids->ngroups; i++)
		if (ids->groups[i] == g)
			return true;
	return false;
}

static bool
perm_ok(const struct stat *st, const struct qemu_ids *ids, int want)
{
	unsigned int bits;

	if (st->st_uid == ids->uid)
		bits = (st->st_mode >> 6) & 7;
	else if (in_groups(ids, st->st_gid))
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	return ((int)bits & want) == want;
}

/* Every directory above path must be searchable by QEMU's user. */
static int
check_parents(const char *path, const struct qemu_ids *ids, const char *what)
{
	VR_AUTOFREE char *dir = xstrdup(path);
	struct stat st;
	char *p;

	for (p = strchr(dir + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (stat(dir, &st) == 0 && !perm_ok(&st, ids, WANT_X)) {
			vr_error(VR_ERR_OPERATION_DENIED, "QEMU (user %s) "
			    "cannot reach %s '%s': directory '%s' is not "
			    "searchable by it (chmod o+x '%s', or change "
			    "\"user\" in vireod.conf)", qemu_drv.env.qemu_user,
			    what, path, dir, dir);
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* The status file reads the list under the lock: change it under it. */
static void
owned_add(struct qemu_dom *d, const char *path, uid_t uid, gid_t gid)
{
	pthread_mutex_lock(&d->lock);
	d->owned = xreallocarray(d->owned, d->nowned + 1, sizeof *d->owned);
	d->owned[d->nowned].path = xstrdup(path);
	d->owned[d->nowned].uid = uid;
	d->owned[d->nowned].gid = gid;
	d->nowned++;
	pthread_mutex_unlock(&d->lock);
}

/* Make path usable by QEMU with want (WANT_*), giving it over if needed. */
static int
grant(struct qemu_dom *d, const char *path, int want,
    const struct qemu_ids *ids, const char *what)
{
	struct stat st;

	if (check_parents(path, ids, what) < 0)
		return -1;
	if (stat(path, &st) < 0) {
		vr_error_system(errno, "%s '%s'", what, path);
		return -1;
	}
	if (perm_ok(&st, ids, want))
		return 0;
	if (chown(path, ids->uid, ids->gid) < 0) {
		vr_error_system(errno, "cannot give %s '%s' to QEMU's user %s",
		    what, path, qemu_drv.env.qemu_user);
		return -1;
	}
	owned_add(d, path, st.st_uid, st.st_gid);
	st.st_uid = ids->uid;
	st.st_gid = ids->gid;
	if (!perm_ok(&st, ids, want)) {
		vr_error(VR_ERR_OPERATION_DENIED, "%s '%s' (mode %04o) is not "
		    "%s even by its owner", what, path,
		    (unsigned)st.st_mode & 07777,
		    want & WANT_W ? "writable" : "readable");
		return -1;
	}
	log_debug("gave %s '%s' to uid %d", what, path, (int)ids->uid);
	return 0;
}

/* A file QEMU writes to (serial log): created by us, then granted. */
static int
grant_output(struct qemu_dom *d, const char *path, const struct qemu_ids *ids)
{
	int fd;

	if (check_parents(path, ids, "output file") < 0)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) < 0) {
		vr_error_system(errno, "cannot create output file '%s'", path);
		return -1;
	}
	close(fd);
	return grant(d, path, WANT_R | WANT_W, ids, "output file");
}

/* QEMU opens a qcow2 image's backing chain read-only. */
static int
grant_backing(struct qemu_dom *d, const char *image,
    const struct qemu_ids *ids)
{
	VR_AUTOFREE char *cur = xstrdup(image);
	int depth;

	for (depth = 0; depth < 16; depth++) {
		char *next = vr_image_backing_path(cur);

		if (next == NULL)
			return 0;
		free(cur);
		cur = next;
		if (grant(d, cur, WANT_R, ids, "backing file") < 0)
			return -1;
	}
	vr_error(VR_ERR_INVALID_ARG, "disk '%s': backing chain deeper than "
	    "16 images", image);
	return -1;
}

int
qemu_security_prepare(struct qemu_dom *d, const struct dom_def *def,
    const struct qemu_ids *ids)
{
	size_t i;

	if (ids->root)
		return 0;
	if (def->emulator != NULL &&
	    grant(d, def->emulator, WANT_X, ids, "emulator") < 0)
		return -1;
	if (def->kernel != NULL &&
	    grant(d, def->kernel, WANT_R, ids, "kernel") < 0)
		return -1;
	if (def->initrd != NULL &&
	    grant(d, def->initrd, WANT_R, ids, "initrd") < 0)
		return -1;
	for (i = 0; i < def->ndisks; i++) {
		const struct dom_disk *disk = &def->disks[i];
		bool ro = disk->readonly ||
		    disk->device == DOM_DISK_DEVICE_CDROM;

		if (disk->src_path == NULL)
			continue;
		if (grant(d, disk->src_path, ro ? WANT_R : WANT_R | WANT_W,
		    ids, "disk") < 0 || grant_backing(d, disk->src_path,
		    ids) < 0)
			return -1;
	}
	for (i = 0; i < def->nchrs; i++) {
		const struct dom_chr *c = &def->chrs[i];

		if (c->type == DOM_CHR_FILE && c->path != NULL &&
		    grant_output(d, c->path, ids) < 0)
			return -1;
		if (c->type == DOM_CHR_UNIX && c->path != NULL &&
		    check_parents(c->path, ids, "socket") < 0)
			return -1;
	}
	return 0;
}

void
qemu_security_restore(struct qemu_dom *d)
{
	size_t i;

	for (i = 0; i < d->nowned; i++) {
		if (chown(d->owned[i].path, d->owned[i].uid,
		    d->owned[i].gid) < 0 && errno != ENOENT)
			log_warn("cannot give '%s' back to uid %d",
			    d->owned[i].path, (int)d->owned[i].uid);
		free(d->owned[i].path);
	}
	free(d->owned);
	d->owned = NULL;
	d->nowned = 0;
}

/* Hotplug */

/* Give back and forget entry i of the list. Locked. */
static void
owned_restore_locked(struct qemu_dom *d, size_t i)
{
	if (chown(d->owned[i].path, d->owned[i].uid, d->owned[i].gid) < 0 &&
	    errno != ENOENT)
		log_warn("cannot give '%s' back to uid %d", d->owned[i].path,
		    (int)d->owned[i].uid);
	else
		log_debug("gave '%s' back to uid %d", d->owned[i].path,
		    (int)d->owned[i].uid);
	free(d->owned[i].path);
	memmove(&d->owned[i], &d->owned[i + 1],
	    (d->nowned - i - 1) * sizeof *d->owned);
	d->nowned--;
}

static int
grant_disk(struct qemu_dom *d, const struct dom_disk *disk,
    const struct qemu_ids *ids)
{
	bool ro = disk->readonly || disk->device == DOM_DISK_DEVICE_CDROM;

	if (disk->src_path == NULL)
		return 0;
	if (grant(d, disk->src_path, ro ? WANT_R : WANT_R | WANT_W, ids,
	    "disk") < 0 || grant_backing(d, disk->src_path, ids) < 0)
		return -1;
	return 0;
}

int
qemu_security_grant_disk(struct qemu_dom *d, const struct dom_disk *disk)
{
	struct qemu_ids ids;
	size_t n0;

	if (qemu_security_ids(&ids) < 0)
		return -1;
	if (ids.root)
		return 0;
	pthread_mutex_lock(&d->lock);
	n0 = d->nowned;
	pthread_mutex_unlock(&d->lock);
	if (grant_disk(d, disk, &ids) == 0)
		return 0;
	pthread_mutex_lock(&d->lock);
	while (d->nowned > n0)
		owned_restore_locked(d, d->nowned - 1);
	pthread_mutex_unlock(&d->lock);
	return -1;
}

/* Is path the source, or in the backing chain, of a disk of def but i? */
static bool
path_used_by_others(const struct dom_def *def, size_t skip, const char *path)
{
	size_t i;
	int depth;

	for (i = 0; i < def->ndisks; i++) {
		VR_AUTOFREE char *cur = NULL;

		if (i == skip || def->disks[i].src_path == NULL)
			continue;
		cur = xstrdup(def->disks[i].src_path);
		for (depth = 0; cur != NULL && depth < 17; depth++) {
			char *next;

			if (strcmp(cur, path) == 0)
				return true;
			next = vr_image_backing_path(cur);
			free(cur);
			cur = next;
		}
	}
	return false;
}

void
qemu_security_release_disk(struct qemu_dom *d, const struct dom_def *def,
    size_t idx)
{
	VR_AUTOFREE char *cur = NULL;
	size_t i;
	int depth;

	if (def->disks[idx].src_path == NULL)
		return;
	cur = xstrdup(def->disks[idx].src_path);
	for (depth = 0; cur != NULL && depth < 17; depth++) {
		char *next;

		if (!path_used_by_others(def, idx, cur)) {
			pthread_mutex_lock(&d->lock);
			for (i = d->nowned; i-- > 0;)
				if (strcmp(d->owned[i].path, cur) == 0)
					owned_restore_locked(d, i);
			pthread_mutex_unlock(&d->lock);
		}
		next = vr_image_backing_path(cur);
		free(cur);
		cur = next;
	}
}
