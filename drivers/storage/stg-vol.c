/*
 * Storage volumes: lookups, lists, XML, and the jobs on existing volumes
 * (delete, wipe, resize). Creation (create, create-as, clone) is in
 * stg-create.c. A volume used by a running domain cannot be deleted,
 * wiped or resized: the hypervisor driver says who uses it through
 * vr_driver_env.volume_user.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.vol");

#define WIPE_CHUNK	(1024 * 1024)

char *
stg_vol_path(const struct stg_pool *p, const char *name)
{
	const char *dir = p->live->target_path;
	size_t dlen = strlen(dir), nlen = strlen(name);
	char *path = xmalloc(dlen + nlen + 2);

	/* vol-list makes 10,000 of these: no printf */
	memcpy(path, dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, name, nlen + 1);
	return path;
}

void
stg_vol_fill_info(const struct stg_pool *p, const struct stg_vol *v,
    struct vr_vol_info *info)
{
	size_t nlen = strlen(v->name), plen = strlen(p->name);

	/* Names are valid, hence short: no printf for 10,000 of them. */
	memset(info, 0, sizeof *info);
	memcpy(info->name, v->name, nlen < sizeof info->name ? nlen :
	    sizeof info->name - 1);
	memcpy(info->pool, p->name, plen < sizeof info->pool ? plen :
	    sizeof info->pool - 1);
	info->path = stg_vol_path(p, v->name);
	info->type = VOL_TYPE_FILE;
	info->format = v->format;
	info->capacity = v->capacity;
	info->allocation = v->allocation;
	info->physical = v->physical;
	info->backing = xstrdup_null(v->backing);
}

/*
 * The pool (referenced) and volume name of (pool, vol): a name in the
 * pool, or with no pool (or a vol with '/') a key or path.
 */
static struct stg_pool *
vol_locate(const char *pool, const char *vol, char **name)
{
	struct stg_pool *p;

	if (vol == NULL || *vol == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no storage volume name given");
		return NULL;
	}
	if (pool == NULL || *pool == '\0' || strchr(vol, '/') != NULL)
		return stg_pool_lookup_path(vol, name);
	if (pool_name_check(VR_ERR_INVALID_ARG, "volume", vol) < 0 ||
	    (p = stg_pool_lookup(pool)) == NULL)
		return NULL;
	*name = xstrdup(vol);
	return p;
}

/* Locked: the volume, or NULL with the error. */
static struct stg_vol *
vol_get_locked(struct stg_pool *p, const char *name)
{
	struct stg_vol *v;

	if (stg_pool_check_active_locked(p) < 0)
		return NULL;
	v = vr_hash_get(p->vols, name);
	if (v == NULL || (v->job != NULL && strcmp(v->job, "create") == 0)) {
		vr_error(VR_ERR_NO_VOLUME, "storage volume not found: no "
		    "volume '%s' in pool '%s'", name, p->name);
		return NULL;
	}
	return v;
}

int
stg_vol_list(const char *pool, struct vr_vol_info **infos, size_t *n)
{
	struct stg_pool *p;
	struct stg_vol **sorted;
	size_t i, cnt = 0, total;

	if ((p = stg_pool_lookup(pool)) == NULL)
		return -1;
	pthread_mutex_lock(&p->lock);
	if (stg_pool_check_active_locked(p) < 0) {
		pthread_mutex_unlock(&p->lock);
		stg_pool_unref(p);
		return -1;
	}
	sorted = stg_pool_vols_sorted_locked(p, &total);
	*infos = xmalloc((total + 1) * sizeof **infos);
	for (i = 0; i < total; i++) {
		if (sorted[i]->job == NULL ||
		    strcmp(sorted[i]->job, "create") != 0)
			stg_vol_fill_info(p, sorted[i], &(*infos)[cnt++]);
	}
	pthread_mutex_unlock(&p->lock);
	stg_pool_unref(p);
	*n = cnt;
	return 0;
}

int
stg_vol_get_info(const char *pool, const char *vol, struct vr_vol_info *info)
{
	VR_AUTOFREE char *name = NULL;
	struct stg_pool *p;
	struct stg_vol *v;
	int ret = -1;

	if ((p = vol_locate(pool, vol, &name)) == NULL)
		return -1;
	pthread_mutex_lock(&p->lock);
	if ((v = vol_get_locked(p, name)) != NULL) {
		stg_vol_fill_info(p, v, info);
		ret = 0;
	}
	pthread_mutex_unlock(&p->lock);
	stg_pool_unref(p);
	return ret;
}

/* The volume as libvirt's XML; locked. */
static char *
vol_format_xml_locked(const struct stg_pool *p, const struct stg_vol *v)
{
	VR_AUTOFREE char *path = stg_vol_path(p, v->name);
	struct vol_def def = {
		.type = VOL_TYPE_FILE, .name = v->name, .key = path,
		.capacity = v->capacity, .has_capacity = true,
		.allocation = v->allocation, .has_allocation = true,
		.physical = v->physical, .has_physical = true,
		.target_path = path, .format = v->format,
		.perms = { .mode = (int)v->mode, .owner = v->uid,
		    .group = v->gid },
		.backing_path = v->backing,
		.backing_format = v->backing_format >= 0 ?
		    v->backing_format : VOL_FORMAT_RAW,
		.has_backing_format = v->backing_format >= 0,
	};

	return vol_def_format(&def);
}

char *
stg_vol_get_xml(const char *pool, const char *vol)
{
	VR_AUTOFREE char *name = NULL;
	struct stg_pool *p;
	struct stg_vol *v;
	char *xml = NULL;

	if ((p = vol_locate(pool, vol, &name)) == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if ((v = vol_get_locked(p, name)) != NULL)
		xml = vol_format_xml_locked(p, v);
	pthread_mutex_unlock(&p->lock);
	stg_pool_unref(p);
	return xml;
}

int
stg_volume_path(const char *pool, const char *vol, char **path, int *format)
{
	struct stg_pool *p;
	struct stg_vol *v;
	int ret = -1;

	if ((p = stg_pool_lookup(pool)) == NULL)
		return -1;
	pthread_mutex_lock(&p->lock);
	if ((v = vol_get_locked(p, vol)) != NULL && v->job != NULL &&
	    strcmp(v->job, "upload") == 0) {
		vr_error(VR_ERR_BUSY, "storage volume '%s' is busy: 'upload' "
		    "is in progress", v->name);
	} else if (v != NULL) {
		*path = stg_vol_path(p, v->name);
		*format = v->format;
		ret = 0;
	}
	pthread_mutex_unlock(&p->lock);
	stg_pool_unref(p);
	return ret;
}

/* Jobs on existing volumes */

/* Tell who uses the volume, if anyone: -1 with "cannot WHAT ...". */
static int
vol_check_unused(const struct stg_vol_job *j, const char *what)
{
	char dom[128];

	if (stg_drv.env.volume_user == NULL ||
	    stg_drv.env.volume_user(j->pool->name, j->vol->name, j->path, dom,
	    sizeof dom) <= 0)
		return 0;
	vr_error(VR_ERR_OPERATION_INVALID, "cannot %s storage volume '%s': "
	    "it is in use by running domain '%s'", what, j->vol->name, dom);
	return -1;
}

/* Take a job on an existing, idle volume; refuses if a domain uses it. */
int
stg_vol_job_begin(const char *pool, const char *vol, const char *job,
    struct stg_vol_job *j)
{
	VR_AUTOFREE char *name = NULL;
	struct stg_vol *v;

	memset(j, 0, sizeof *j);
	if ((j->pool = vol_locate(pool, vol, &name)) == NULL)
		return -1;
	if (stg_vol_jobs_begin_locked(j->pool, job) < 0) {
		stg_pool_unref(j->pool);
		return -1;
	}
	if ((v = vol_get_locked(j->pool, name)) != NULL && v->job != NULL) {
		vr_error(VR_ERR_BUSY, "storage volume '%s' is busy: '%s' is in "
		    "progress", name, v->job);
		v = NULL;
	}
	if (v == NULL) {
		pthread_mutex_unlock(&j->pool->lock);
		stg_vol_jobs_end(j->pool);
		stg_pool_unref(j->pool);
		return -1;
	}
	v->job = job;
	j->vol = v;
	j->snap = *v;
	j->snap.backing = xstrdup_null(v->backing);
	j->path = stg_vol_path(j->pool, v->name);
	j->dir = xstrdup(j->pool->live->target_path);
	pthread_mutex_unlock(&j->pool->lock);
	if (vol_check_unused(j, job) < 0) {
		stg_vol_job_end(j);
		return -1;
	}
	return 0;
}

/* Probe the file again and publish what it is now. */
int
stg_vol_job_update(struct stg_vol_job *j, struct vr_vol_info *info)
{
	struct stg_vol *tmp = stg_vol_new(j->vol->name);
	struct stg_pool *p = j->pool;

	if (stg_vol_probe(j->dir, tmp) < 0) {
		stg_vol_free(tmp);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	stg_vol_take_state(j->vol, tmp);
	if (info != NULL)
		stg_vol_fill_info(p, j->vol, info);
	pthread_mutex_unlock(&p->lock);
	stg_vol_free(tmp);
	return 0;
}

void
stg_vol_job_end(struct stg_vol_job *j)
{
	pthread_mutex_lock(&j->pool->lock);
	if (j->vol != NULL)
		j->vol->job = NULL;
	pthread_mutex_unlock(&j->pool->lock);
	stg_vol_jobs_end(j->pool);
	stg_pool_unref(j->pool);
	free(j->snap.backing);
	free(j->path);
	free(j->dir);
}

int
stg_vol_delete(const char *pool, const char *vol)
{
	struct stg_vol_job j;
	int ret = -1;

	if (stg_vol_job_begin(pool, vol, "delete", &j) < 0)
		return -1;
	if (unlink(j.path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot delete storage volume '%s'",
		    j.path);
	} else {
		pthread_mutex_lock(&j.pool->lock);
		stg_pool_vol_remove_locked(j.pool, j.vol);
		pthread_mutex_unlock(&j.pool->lock);
		log_info("storage volume '%s' deleted", j.path);
		stg_vol_free(j.vol);
		j.vol = NULL;
		ret = 0;
	}
	stg_vol_job_end(&j);
	return ret;
}

/* Zeros over [0, size): punch a hole, or write them where we cannot. */
static int
wipe_raw(const char *path, unsigned long long size)
{
	VR_AUTOCLOSE int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	VR_AUTOFREE char *zeros = NULL;
	unsigned long long off = 0;
	size_t n;

	if (fd < 0) {
		vr_error_system(errno, "cannot open '%s'", path);
		return -1;
	}
	if (size > 0 && fallocate(fd, FALLOC_FL_PUNCH_HOLE |
	    FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0) {
		if (errno != EOPNOTSUPP) {
			vr_error_system(errno, "cannot wipe '%s'", path);
			return -1;
		}
		zeros = xcalloc(1, WIPE_CHUNK);
		for (; off < size; off += n) {
			n = size - off < WIPE_CHUNK ? (size_t)(size - off) :
			    WIPE_CHUNK;
			if (vr_write_all(fd, zeros, n) < 0) {
				vr_error_system(errno, "cannot wipe '%s'",
				    path);
				return -1;
			}
		}
	}
	if (fsync(fd) < 0) {
		vr_error_system(errno, "cannot wipe '%s'", path);
		return -1;
	}
	return 0;
}

/* qcow2: a fresh image of the same size and backing store. */
static int
wipe_qcow2(const struct stg_vol_job *j)
{
	const struct stg_vol *v = &j->snap;
	const char *fmt = v->backing_format >= 0 ?
	    vol_format_to_string(v->backing_format) : NULL;
	char size[32];
	const char *argv[12];
	int n = 0;

	snprintf(size, sizeof size, "%llu", v->capacity);
	argv[n++] = STG_QEMU_IMG;
	argv[n++] = "create";
	argv[n++] = "-q";
	argv[n++] = "-f";
	argv[n++] = "qcow2";
	if (v->backing != NULL) {
		if (fmt == NULL) {
			vr_error(VR_ERR_UNSUPPORTED, "cannot wipe storage "
			    "volume '%s': the format of its backing file is "
			    "not recorded in it", v->name);
			return -1;
		}
		argv[n++] = "-b";
		argv[n++] = v->backing;
		argv[n++] = "-F";
		argv[n++] = fmt;
	}
	argv[n++] = j->path;
	argv[n++] = size;
	argv[n] = NULL;
	return stg_run("cannot wipe storage volume", v->name, argv);
}

int
stg_vol_wipe(const char *pool, const char *vol)
{
	struct stg_vol_job j;
	int ret;

	if (stg_vol_job_begin(pool, vol, "wipe", &j) < 0)
		return -1;
	if (j.snap.format == VOL_FORMAT_QCOW2)
		ret = wipe_qcow2(&j);
	else
		ret = wipe_raw(j.path, j.snap.physical);
	if (ret == 0) {
		log_info("storage volume '%s' wiped", j.path);
		ret = stg_vol_job_update(&j, NULL);
	}
	stg_vol_job_end(&j);
	return ret;
}

/* The new capacity, or -1 if the request is refused. */
static int
resize_target(const struct stg_vol *v, unsigned long long cap,
    unsigned int flags, unsigned long long *target)
{
	unsigned long long cur = v->capacity;

	if ((flags & VR_VOL_RESIZE_DELTA) && cap > ~0ULL - cur) {
		vr_error(VR_ERR_INVALID_ARG, "cannot resize storage volume "
		    "'%s': the new size is too large", v->name);
		return -1;
	}
	*target = (flags & VR_VOL_RESIZE_DELTA) ? cur + cap : cap;
	if (*target == 0) {
		vr_error(VR_ERR_INVALID_ARG, "cannot resize storage volume "
		    "'%s' to 0 bytes", v->name);
		return -1;
	}
	if (*target < cur && !(flags & VR_VOL_RESIZE_SHRINK)) {
		vr_error(VR_ERR_INVALID_ARG, "cannot shrink storage volume "
		    "'%s' from %llu to %llu bytes without --shrink (the data "
		    "past the new end is lost)", v->name, cur, *target);
		return -1;
	}
	return 0;
}

int
stg_vol_resize(const char *pool, const char *vol, unsigned long long cap,
    unsigned int flags, struct vr_vol_info *info)
{
	struct stg_vol_job j;
	unsigned long long target;
	char size[32];
	const char *argv[9];
	int n = 0, ret = -1;

	if (stg_vol_job_begin(pool, vol, "resize", &j) < 0)
		return -1;
	if (resize_target(&j.snap, cap, flags, &target) < 0)
		goto out;
	snprintf(size, sizeof size, "%llu", target);
	argv[n++] = STG_QEMU_IMG;
	argv[n++] = "resize";
	argv[n++] = "-q";
	argv[n++] = "-f";
	argv[n++] = vol_format_to_string(j.snap.format);
	if (target < j.snap.capacity)
		argv[n++] = "--shrink";
	argv[n++] = j.path;
	argv[n++] = size;
	argv[n] = NULL;
	if (stg_run("cannot resize storage volume", j.snap.name,
	    argv) < 0)
		goto out;
	log_info("storage volume '%s' resized from %llu to %llu bytes",
	    j.path, j.snap.capacity, target);
	ret = stg_vol_job_update(&j, info);
out:
	stg_vol_job_end(&j);
	return ret;
}
