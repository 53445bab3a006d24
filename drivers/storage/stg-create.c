/*
 * Creating volumes: from volume XML (vol-create), from arguments
 * (vol-create-as) or as a copy of another (vol-clone), always with
 * qemu-img (argv only). The name is reserved in the pool first (readers
 * do not see it yet) and the file claimed with O_EXCL, so that neither
 * two creations nor a file someone else made are ever overwritten; on
 * failure both go away again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "spawn.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.create");

/* What to create. */
struct create_req {
	const char	*name;
	enum vol_format	 format;
	bool		 has_capacity;
	unsigned long long capacity;
	bool		 falloc;	/* raw: allocate it all */
	bool		 prealloc_metadata;
	const char	*backing;	/* a volume of the pool or a path */
	int		 backing_format; /* -1: from the volume or probed */
	struct pool_perms perms;
	const char	*clone;		/* clone: the source volume's name */
};

/* Resolved while the name is reserved. */
struct create_job {
	struct stg_pool	*pool;
	struct stg_vol	*vol;		/* the reservation */
	char		*path;
	char		*dir;
	char		*backing;	/* absolute path */
	int		 backing_format;
	char		*src;		/* clone source path */
	enum vol_format	 src_format;
	bool		 claimed;	/* we created the file */
};

/* A program's complaint on one line, without its "prog: " prefixes. */
static void
run_words(struct vr_buf *b, const char *prog, const char *err)
{
	const char *p = err, *e, *base = strrchr(prog, '/');
	size_t len, blen;

	base = base != NULL ? base + 1 : prog;
	blen = strlen(base);
	while (*p != '\0') {
		e = strchr(p, '\n');
		len = e != NULL ? (size_t)(e - p) : strlen(p);
		if (len > blen + 1 && strncmp(p, base, blen) == 0 &&
		    strncmp(p + blen, ": ", 2) == 0) {
			p += blen + 2;
			len -= blen + 2;
		}
		if (len > 0) {
			if (b->len > 0)
				vr_buf_puts(b, "; ");
			vr_buf_add(b, p, len);
		}
		p += len;
		if (*p == '\n')
			p++;
	}
}

int
stg_run(const char *what, const char *name, const char **argv)
{
	VR_AUTOFREE char *err = NULL;
	struct vr_buf b = { 0 };
	int rc;

	if ((rc = vr_run(argv, NULL, &err)) < 0) {
		if (access(argv[0], X_OK) < 0)
			vr_error(VR_ERR_UNSUPPORTED, "%s '%s': %s is not "
			    "installed", what, name, argv[0]);
		else
			vr_error_prefix("%s '%s'", what, name);
		return -1;
	}
	if (rc == 0)
		return 0;
	run_words(&b, argv[0], err != NULL ? err : "");
	if (b.len == 0)
		vr_buf_printf(&b, "%s exited with status %d", argv[0], rc);
	vr_error(strcmp(argv[0], STG_QEMU_IMG) == 0 ? VR_ERR_QEMU :
	    VR_ERR_SYSTEM, "%s '%s': %s", what, name,
	    vr_buf_str(&b));
	vr_buf_free(&b);
	return -1;
}

/* The format of an image outside the pool, from qemu-img info. */
static int
probe_format(const char *path, int *format)
{
	const char *argv[] = { STG_QEMU_IMG, "info", "--output=json",
	    "--force-share", path, NULL };
	VR_AUTOFREE char *out = NULL, *err = NULL;
	struct json_object *o, *f;
	int rc;

	if ((rc = vr_run(argv, &out, &err)) != 0) {
		if (rc > 0)
			vr_error(VR_ERR_INVALID_ARG, "cannot use backing file "
			    "'%s': %s", path, err != NULL ? err : "");
		return -1;
	}
	o = json_tokener_parse(out);
	if (o != NULL && json_object_object_get_ex(o, "format", &f))
		*format = vol_format_from_string(json_object_get_string(f));
	else
		*format = -1;
	json_object_put(o);
	if (*format < 0) {
		vr_error(VR_ERR_UNSUPPORTED, "cannot use backing file '%s': "
		    "its format is neither raw nor qcow2", path);
		return -1;
	}
	return 0;
}

/* Locked: the backing store and clone source, from the pool's volumes. */
static int
resolve_locked(struct create_job *j, const struct create_req *rq)
{
	struct stg_pool *p = j->pool;
	struct stg_vol *v;

	j->backing_format = rq->backing_format;
	if (rq->backing != NULL && rq->backing[0] == '/')
		j->backing = xstrdup(rq->backing);
	else if (rq->backing != NULL) {
		v = vr_hash_get(p->vols, rq->backing);
		if (v == NULL || (v->job && strcmp(v->job, "create") == 0)) {
			vr_error(VR_ERR_NO_VOLUME, "storage volume not found: "
			    "no backing volume '%s' in pool '%s'", rq->backing,
			    p->name);
			return -1;
		}
		j->backing = stg_vol_path(p, v->name);
		if (j->backing_format < 0)
			j->backing_format = v->format;
	}
	if (rq->clone != NULL) {
		v = vr_hash_get(p->vols, rq->clone);
		if (v == NULL || (v->job && strcmp(v->job, "create") == 0)) {
			vr_error(VR_ERR_NO_VOLUME, "storage volume not found: "
			    "no volume '%s' in pool '%s'", rq->clone, p->name);
			return -1;
		}
		j->src = stg_vol_path(p, v->name);
		j->src_format = v->format;
	}
	return 0;
}

/* Reserve the name in an active pool and resolve what it refers to. */
static int
create_begin(const char *pool, const struct create_req *rq,
    struct create_job *j)
{
	memset(j, 0, sizeof *j);
	if ((j->pool = stg_pool_lookup(pool)) == NULL)
		return -1;
	if (stg_vol_jobs_begin_locked(j->pool, "create") < 0) {
		stg_pool_unref(j->pool);
		j->pool = NULL;
		return -1;
	}
	if (vr_hash_get(j->pool->vols, rq->name) != NULL) {
		vr_error(VR_ERR_EXISTS, "storage volume '%s' already exists in "
		    "pool '%s'", rq->name, j->pool->name);
		pthread_mutex_unlock(&j->pool->lock);
		return -1;
	}
	if (resolve_locked(j, rq) < 0) {
		pthread_mutex_unlock(&j->pool->lock);
		return -1;
	}
	j->vol = stg_vol_new(rq->name);
	j->vol->job = "create";
	stg_pool_vol_add_locked(j->pool, j->vol);
	j->path = stg_vol_path(j->pool, rq->name);
	j->dir = xstrdup(j->pool->live->target_path);
	pthread_mutex_unlock(&j->pool->lock);
	return 0;
}

/* Publish the volume (ok) or withdraw it; ends the job. */
static void
create_end(struct create_job *j, bool ok)
{
	if (j->pool == NULL)
		return;
	if (!ok && j->claimed && unlink(j->path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", j->path);
	pthread_mutex_lock(&j->pool->lock);
	if (j->vol != NULL && ok)
		j->vol->job = NULL;
	else if (j->vol != NULL)
		stg_pool_vol_remove_locked(j->pool, j->vol);
	pthread_mutex_unlock(&j->pool->lock);
	if (!ok)
		stg_vol_free(j->vol);
	stg_vol_jobs_end(j->pool);
	stg_pool_unref(j->pool);
	free(j->path);
	free(j->dir);
	free(j->backing);
	free(j->src);
}

/* Create the file ourselves: never over someone else's. */
static int
create_claim(struct create_job *j)
{
	int fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST)
			vr_error(VR_ERR_EXISTS, "cannot create storage volume "
			    "'%s': the file '%s' already exists (refresh the "
			    "pool to see it)", j->vol->name, j->path);
		else
			vr_error_system(errno, "cannot create '%s'", j->path);
		return -1;
	}
	close(fd);
	j->claimed = true;
	return 0;
}

static int
create_qemu_img(const struct create_job *j, const struct create_req *rq)
{
	char size[32];
	const char *argv[16];
	int n = 0;

	argv[n++] = STG_QEMU_IMG;
	if (j->src != NULL) {
		argv[n++] = "convert";
		argv[n++] = "-q";
		argv[n++] = "-f";
		argv[n++] = vol_format_to_string(j->src_format);
		argv[n++] = "-O";
		argv[n++] = vol_format_to_string(rq->format);
		if (rq->prealloc_metadata)
			argv[n++] = "-o";
		if (rq->prealloc_metadata)
			argv[n++] = "preallocation=metadata";
		argv[n++] = j->src;
		argv[n++] = j->path;
		argv[n] = NULL;
		return stg_run("cannot clone into storage volume",
		    rq->name, argv);
	}
	argv[n++] = "create";
	argv[n++] = "-q";
	argv[n++] = "-f";
	argv[n++] = vol_format_to_string(rq->format);
	if (rq->prealloc_metadata || rq->falloc) {
		argv[n++] = "-o";
		argv[n++] = rq->falloc ? "preallocation=falloc" :
		    "preallocation=metadata";
	}
	if (j->backing != NULL) {
		argv[n++] = "-b";
		argv[n++] = j->backing;
		argv[n++] = "-F";
		argv[n++] = vol_format_to_string(j->backing_format);
	}
	argv[n++] = j->path;
	if (rq->has_capacity) {
		snprintf(size, sizeof size, "%llu", rq->capacity);
		argv[n++] = size;
	}
	argv[n] = NULL;
	return stg_run("cannot create storage volume", rq->name, argv);
}

static int
create_perms(const struct create_job *j, const struct pool_perms *pp)
{
	if (chmod(j->path, pp->mode >= 0 ? (mode_t)pp->mode : 0600) < 0 ||
	    ((pp->owner >= 0 || pp->group >= 0) && chown(j->path,
	    (uid_t)pp->owner, (gid_t)pp->group) < 0)) {
		vr_error_system(errno, "cannot set the permissions of '%s'",
		    j->path);
		return -1;
	}
	return 0;
}

static int
create_check(const struct create_req *rq)
{
	if (pool_name_check(VR_ERR_INVALID_ARG, "volume", rq->name) < 0)
		return -1;
	if (rq->prealloc_metadata && rq->format != VOL_FORMAT_QCOW2) {
		vr_error(VR_ERR_INVALID_ARG, "metadata preallocation needs "
		    "format qcow2");
		return -1;
	}
	if (rq->backing != NULL && rq->format != VOL_FORMAT_QCOW2) {
		vr_error(VR_ERR_INVALID_ARG, "storage volume '%s': a backing "
		    "store needs format qcow2", rq->name);
		return -1;
	}
	if (!rq->has_capacity && rq->backing == NULL && rq->clone == NULL) {
		vr_error(VR_ERR_INVALID_ARG, "storage volume '%s': no "
		    "capacity given", rq->name);
		return -1;
	}
	return 0;
}

/* Every creation: reserve, claim, qemu-img, permissions, probe. */
static int
vol_build(const char *pool, const struct create_req *rq,
    struct vr_vol_info *info)
{
	struct create_job j;
	struct stg_vol *v;
	uint64_t t0 = vr_time_us();
	int ok;

	if (create_check(rq) < 0)
		return -1;
	if (create_begin(pool, rq, &j) < 0) {
		create_end(&j, false);
		return -1;
	}
	ok = (j.backing == NULL || j.backing_format >= 0 ||
	    probe_format(j.backing, &j.backing_format) == 0) &&
	    create_claim(&j) == 0 && create_qemu_img(&j, rq) == 0 &&
	    create_perms(&j, &rq->perms) == 0;
	if (ok)
		stg_vol_record_format(j.path, rq->format);
	v = stg_vol_new(rq->name);
	if (ok && (ok = stg_vol_probe(j.dir, v) == 0)) {
		pthread_mutex_lock(&j.pool->lock);
		stg_vol_take_state(j.vol, v);
		if (info != NULL)
			stg_vol_fill_info(j.pool, j.vol, info);
		pthread_mutex_unlock(&j.pool->lock);
		log_info("storage volume '%s' created (%s, %llu bytes, %llu "
		    "us)", j.path, vol_format_to_string(v->format),
		    v->capacity, (unsigned long long)(vr_time_us() - t0));
	}
	stg_vol_free(v);
	create_end(&j, ok);
	return ok ? 0 : -1;
}

int
stg_vol_create(const char *pool, const char *xml, struct vr_vol_info *info)
{
	VR_AUTO(vol_def) def = NULL;
	struct create_req rq = { 0 };

	if ((def = vol_def_parse_string(xml, VOL_PARSE_VALIDATE)) == NULL)
		return -1;
	rq.name = def->name;
	rq.format = def->format;
	rq.has_capacity = def->has_capacity;
	rq.capacity = def->capacity;
	rq.falloc = def->format == VOL_FORMAT_RAW && def->has_allocation &&
	    def->allocation >= def->capacity && def->capacity > 0;
	rq.backing = def->backing_path;
	rq.backing_format = def->has_backing_format ?
	    (int)def->backing_format : -1;
	rq.perms = def->perms;
	return vol_build(pool, &rq, info);
}

int
stg_vol_create_as(const char *pool, const struct vr_vol_create_args *a,
    struct vr_vol_info *info)
{
	struct create_req rq = {
		.name = a->name, .has_capacity = true,
		.capacity = a->capacity, .prealloc_metadata =
		a->prealloc_metadata, .backing = a->backing,
		.backing_format = a->backing_format,
		.perms = { .mode = -1, .owner = -1, .group = -1 },
	};

	if (a->format < 0 || a->format >= VOL_FORMAT_LAST ||
	    (a->backing_format < -1 || a->backing_format >= VOL_FORMAT_LAST)) {
		vr_error(VR_ERR_INVALID_ARG, "unsupported volume format: "
		    "expected raw or qcow2");
		return -1;
	}
	rq.format = a->format;
	return vol_build(pool, &rq, info);
}

int
stg_vol_clone(const char *pool, const char *vol, const char *newname,
    struct vr_vol_info *info)
{
	struct create_req rq = {
		.name = newname, .clone = vol,
		.backing_format = -1,
		.perms = { .mode = -1, .owner = -1, .group = -1 },
	};
	struct vr_vol_info src;
	int ret;

	if (stg_vol_get_info(pool, vol, &src) < 0)
		return -1;
	rq.format = src.format;
	rq.clone = src.name;
	ret = vol_build(src.pool, &rq, info);
	vr_vol_info_clear(&src);
	return ret;
}
