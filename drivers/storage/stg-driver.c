/*
 * The storage driver: pool table, persistent definitions, pool jobs, and
 * the pool entry points of vr_storage_driver. A pool is a directory whose
 * regular files are the volumes: type 'dir', or 'fs' where a file system
 * is mounted on the directory while the pool is active (stg-fs.c).
 *
 * Files: ROOT/etc/storage/NAME.xml (definitions, written atomically),
 * ROOT/etc/storage/autostart/NAME.xml (links), ROOT/run/storage/NAME.xml
 * (the definition of each active pool, so that a restarted vireod finds
 * its pools active again, transient ones included).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "image.h"
#include "log.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.driver");

struct stg_driver_state stg_drv;

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct vr_hash *by_name;
static struct vr_hash *by_uuid;

/* Pool objects */

static struct stg_pool *
pool_new(const char *name, const unsigned char uuid[16])
{
	struct stg_pool *p = xcalloc(1, sizeof *p);

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->refs = 1;			/* the table's */
	p->name = xstrdup(name);
	memcpy(p->uuid, uuid, 16);
	return p;
}

static void
pool_ref(struct stg_pool *p)
{
	__atomic_add_fetch(&p->refs, 1, __ATOMIC_SEQ_CST);
}

void
stg_pool_unref(struct stg_pool *p)
{
	if (p == NULL || __atomic_sub_fetch(&p->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	pool_def_free(p->def);
	pool_def_free(p->live);
	stg_vols_free(p->vols);
	free(p->sorted);
	free(p->name);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

struct stg_pool *
stg_pool_lookup(const char *key)
{
	struct stg_pool *p;

	if (key == NULL || *key == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no storage pool name given");
		return NULL;
	}
	pthread_rwlock_rdlock(&table_lock);
	p = vr_hash_get_name_uuid(by_name, by_uuid, key);
	if (p != NULL)
		pool_ref(p);
	pthread_rwlock_unlock(&table_lock);
	if (p == NULL)
		vr_error(VR_ERR_NO_POOL, "storage pool not found: no pool with "
		    "matching name or uuid '%s'", key);
	return p;
}

/* The active pool whose directory holds path; *name: the file's name. */
struct stg_pool *
stg_pool_lookup_path(const char *path, char **name)
{
	const char *slash = path != NULL ? strrchr(path, '/') : NULL;
	struct stg_pool *p, *found = NULL;
	size_t i = 0, dirlen;
	void *v;

	if (slash == NULL || slash == path || slash[1] == '\0') {
		vr_error(VR_ERR_NO_VOLUME, "storage volume not found: no "
		    "volume with key or path '%s' (a volume name needs its "
		    "pool: --pool POOL)", path != NULL ? path : "");
		return NULL;
	}
	dirlen = (size_t)(slash - path);
	pthread_rwlock_rdlock(&table_lock);
	while (found == NULL && vr_hash_next(by_name, &i, NULL, &v)) {
		p = v;
		pthread_mutex_lock(&p->lock);
		if (p->live != NULL &&
		    strlen(p->live->target_path) == dirlen &&
		    strncmp(p->live->target_path, path, dirlen) == 0) {
			found = p;
			pool_ref(p);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_rwlock_unlock(&table_lock);
	if (found == NULL) {
		vr_error(VR_ERR_NO_VOLUME, "storage volume not found: no "
		    "active pool holds '%s'", path);
		return NULL;
	}
	*name = xstrdup(slash + 1);
	return found;
}

/* Add to the table; takes the table's reference. Table write-locked. */
static void
table_add_locked(struct stg_pool *p)
{
	char ukey[VR_UUID_BUFLEN];

	vr_uuid_format(p->uuid, ukey);
	vr_hash_add(by_name, p->name, p);
	vr_hash_add(by_uuid, ukey, p);
}

static void
table_remove(struct stg_pool *p)
{
	char ukey[VR_UUID_BUFLEN];
	bool was = false;

	vr_uuid_format(p->uuid, ukey);
	pthread_rwlock_wrlock(&table_lock);
	if (vr_hash_get(by_name, p->name) == p) {
		vr_hash_remove(by_name, p->name);
		vr_hash_remove(by_uuid, ukey);
		was = true;
	}
	pthread_mutex_lock(&p->lock);
	p->removed = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_rwlock_unlock(&table_lock);
	if (was)
		stg_pool_unref(p);	/* the table's */
}

/* Jobs */

/*
 * Mutex held: wait while another job holds the pool (exclusive: also
 * while volume jobs run). 0, or -1 with an error naming the holder.
 */
static int
pool_wait_locked(struct stg_pool *p, bool exclusive, const char *job)
{
	unsigned int ms = stg_drv.env.job_wait_ms;
	struct timespec deadline;
	uint64_t held;
	int rc = 0;

	vr_deadline_after_ms(&deadline, ms);
	while (!p->removed && rc == 0 && (p->job != NULL ||
	    (exclusive && p->vol_jobs > 0)))
		rc = pthread_cond_clockwait(&p->cond, &p->lock,
		    CLOCK_MONOTONIC, &deadline);
	if (p->removed) {
		vr_error(VR_ERR_NO_POOL, "storage pool '%s' no longer exists",
		    p->name);
		return -1;
	}
	if (p->job != NULL) {
		held = vr_time_ms() - p->job_start_ms;
		vr_error(VR_ERR_BUSY, "cannot run '%s' on storage pool '%s': "
		    "job '%s' has held it for %llu.%03llu s (waited %u ms)",
		    job, p->name, p->job, (unsigned long long)held / 1000,
		    (unsigned long long)held % 1000, ms);
		return -1;
	}
	if (exclusive && p->vol_jobs > 0) {
		vr_error(VR_ERR_BUSY, "cannot run '%s' on storage pool '%s': "
		    "%u volume operations still running (waited %u ms)", job,
		    p->name, p->vol_jobs, ms);
		return -1;
	}
	return 0;
}

int
stg_pool_job_begin(struct stg_pool *p, const char *job)
{
	pthread_mutex_lock(&p->lock);
	if (pool_wait_locked(p, true, job) < 0) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	p->job = job;
	p->job_start_ms = vr_time_ms();
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void
stg_pool_job_end(struct stg_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->job = NULL;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

int
stg_pool_check_active_locked(const struct stg_pool *p)
{
	if (p->live != NULL)
		return 0;
	vr_error(VR_ERR_OPERATION_INVALID, "storage pool '%s' is not active; "
	    "start it with 'vireo pool-start %s'", p->name, p->name);
	return -1;
}

void
stg_pool_vol_add_locked(struct stg_pool *p, struct stg_vol *v)
{
	vr_hash_add(p->vols, v->name, v);
	free(p->sorted);
	p->sorted = NULL;
}

void
stg_pool_vol_remove_locked(struct stg_pool *p, struct stg_vol *v)
{
	vr_hash_remove(p->vols, v->name);
	free(p->sorted);
	p->sorted = NULL;
}

static int
vol_name_cmp(const void *a, const void *b)
{
	const struct stg_vol *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

struct stg_vol **
stg_pool_vols_sorted_locked(struct stg_pool *p, size_t *n)
{
	size_t i = 0, cnt = 0;
	void *v;

	*n = vr_hash_count(p->vols);
	if (p->sorted != NULL)
		return p->sorted;
	p->sorted = xcalloc(*n + 1, sizeof *p->sorted);
	while (vr_hash_next(p->vols, &i, NULL, &v))
		p->sorted[cnt++] = v;
	qsort(p->sorted, cnt, sizeof *p->sorted, vol_name_cmp);
	return p->sorted;
}

int
stg_vol_jobs_begin_locked(struct stg_pool *p, const char *job)
{
	pthread_mutex_lock(&p->lock);
	if (pool_wait_locked(p, false, job) < 0 ||
	    stg_pool_check_active_locked(p) < 0) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	p->vol_jobs++;
	return 0;
}

void
stg_vol_jobs_end(struct stg_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->vol_jobs--;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* Persistence */

static char *
conf_path(const char *dir, const char *name)
{
	return xprintf("%s/%s.xml", dir, name);
}

static int
pool_save(const char *dir, const struct pool_def *def)
{
	VR_AUTOFREE char *xml = pool_def_format(def);
	VR_AUTOFREE char *path = conf_path(dir, def->name);

	return vr_file_write_atomic(path, xml, strlen(xml), 0600);
}

void
stg_pool_status_write_locked(struct stg_pool *p)
{
	VR_AUTOFREE char *xml = NULL;
	VR_AUTOFREE char *path = NULL;

	if (p->live == NULL)
		return;
	xml = pool_def_format(p->live);
	path = conf_path(stg_drv.status_dir, p->name);
	if (vr_file_replace(path, xml, strlen(xml), 0600) < 0)
		log_error("storage pool '%s': %s", p->name,
		    vr_error_message());
}

static void
status_remove(const char *name)
{
	VR_AUTOFREE char *path = conf_path(stg_drv.status_dir, name);

	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s'", path);
}

static int
config_delete(const char *name)
{
	VR_AUTOFREE char *path = conf_path(stg_drv.conf_dir, name);
	VR_AUTOFREE char *link = conf_path(stg_drv.autostart_dir, name);

	if (unlink(link) < 0 && errno != ENOENT)
		log_warn("cannot remove autostart link '%s'", link);
	if (unlink(path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", path);
		return -1;
	}
	return 0;
}

/* Activation */

/* The directory must exist: say how to make it if not. */
static int
pool_check_dir(const struct pool_def *def)
{
	struct stat st;

	if (stat(def->target_path, &st) < 0) {
		if (errno == ENOENT) {
			vr_error(VR_ERR_OPERATION_INVALID, "cannot start "
			    "storage pool '%s': directory '%s' does not exist; "
			    "create it with 'vireo pool-build %s'", def->name,
			    def->target_path, def->name);
			return -1;
		}
		vr_error_system(errno, "cannot start storage pool '%s': "
		    "cannot use '%s'", def->name, def->target_path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot start storage pool "
		    "'%s': '%s' is not a directory", def->name,
		    def->target_path);
		return -1;
	}
	return 0;
}

/* Scan cfg's directory and make p active (or refreshed) with it. */
static int
pool_activate(struct stg_pool *p, const struct pool_def *cfg)
{
	VR_AUTO(pool_def) live = pool_def_copy(cfg);
	struct vr_hash *vols, *old;
	uint64_t t0 = vr_time_us();
	bool fs = live->type == POOL_TYPE_FS;
	int mounted = 0;
	size_t n;

	if (pool_check_dir(live) < 0 ||
	    (fs && ((mounted = stg_fs_mounted(live->target_path)) < 0 ||
	    stg_fs_mount(live) < 0)))
		return -1;
	if ((vols = stg_scan_dir(live)) == NULL) {
		if (fs && !mounted)
			stg_fs_umount(live);
		return -1;
	}
	n = vr_hash_count(vols);
	pthread_mutex_lock(&p->lock);
	old = p->vols;
	p->vols = vols;
	free(p->sorted);
	p->sorted = NULL;
	pool_def_free(p->live);
	p->live = vr_steal(&live);
	stg_pool_status_write_locked(p);
	pthread_mutex_unlock(&p->lock);
	stg_vols_free(old);
	log_info("storage pool '%s': %zu volumes (%llu us)", p->name, n,
	    (unsigned long long)(vr_time_us() - t0));
	return 0;
}

/* Unmount an fs pool first: -1 (still active) if it is busy. */
static int
pool_deactivate(struct stg_pool *p)
{
	struct vr_hash *vols;

	if (p->live->type == POOL_TYPE_FS && stg_fs_umount(p->live) < 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	vols = p->vols;
	p->vols = NULL;
	free(p->sorted);
	p->sorted = NULL;
	pool_def_free(p->live);
	p->live = NULL;
	pthread_mutex_unlock(&p->lock);
	stg_vols_free(vols);
	status_remove(p->name);
	return 0;
}

/* Loading at startup */

/* Each NAME.xml of dir, parsed; cb decides. */
static void
load_dir(const char *dir, void (*cb)(const char *file, struct pool_def *))
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		log_warn("cannot open '%s'", dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		VR_AUTOFREE char *path = xprintf("%s/%s", dir, de->d_name);
		size_t len = strlen(de->d_name);
		struct pool_def *def;

		if (strstr(de->d_name, ".xml.tmp.") != NULL) {
			log_info("removing stale temporary file '%s'", path);
			unlink(path);
			continue;
		}
		if (len < 5 || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		if ((def = pool_def_parse_file(path, 0)) == NULL) {
			log_error("ignoring '%s': %s", path,
			    vr_error_message());
			continue;
		}
		if (strlen(def->name) + 4 != len ||
		    strncmp(def->name, de->d_name, len - 4) != 0) {
			log_error("ignoring '%s': it defines pool '%s'", path,
			    def->name);
			pool_def_free(def);
			continue;
		}
		cb(de->d_name, def);
	}
	closedir(d);
}

static void
load_config(const char *file, struct pool_def *def)
{
	VR_AUTOFREE char *link = conf_path(stg_drv.autostart_dir, def->name);
	char ukey[VR_UUID_BUFLEN];
	struct stg_pool *p;

	vr_uuid_format(def->uuid, ukey);
	if (vr_hash_get(by_uuid, ukey) != NULL) {
		log_error("ignoring '%s/%s': UUID %s already used",
		    stg_drv.conf_dir, file, ukey);
		pool_def_free(def);
		return;
	}
	p = pool_new(def->name, def->uuid);
	p->def = def;
	p->autostart = access(link, F_OK) == 0;
	table_add_locked(p);
}

/* An active pool's status: activate it again (transient ones too). */
static void
load_status(const char *file, struct pool_def *live)
{
	struct stg_pool *p = vr_hash_get(by_name, live->name);

	if (p != NULL && memcmp(p->uuid, live->uuid, 16) != 0) {
		log_error("ignoring '%s/%s': pool '%s' has another UUID",
		    stg_drv.status_dir, file, live->name);
		status_remove(live->name);
		pool_def_free(live);
		return;
	}
	if (p == NULL) {
		p = pool_new(live->name, live->uuid);	/* transient */
		table_add_locked(p);
	}
	if (pool_activate(p, live) < 0) {
		log_error("storage pool '%s' was active and cannot be again: "
		    "%s", live->name, vr_error_message());
		status_remove(live->name);
	}
	pool_def_free(live);
}

static void
load_all(void)
{
	pthread_rwlock_wrlock(&table_lock);
	load_dir(stg_drv.conf_dir, load_config);
	load_dir(stg_drv.status_dir, load_status);
	pthread_rwlock_unlock(&table_lock);
	log_info("loaded %zu storage pools", vr_hash_count(by_name));
}

/* Driver entry points: pools */

static int
stg_init(const struct vr_driver_env *env)
{
	stg_drv.env = *env;
	stg_drv.conf_dir = xprintf("%s/storage", env->config_dir);
	stg_drv.autostart_dir = xprintf("%s/storage/autostart",
	    env->config_dir);
	stg_drv.status_dir = xprintf("%s/storage", env->run_dir);
	if (vr_mkdir_p(stg_drv.autostart_dir, 0700) < 0 ||
	    vr_mkdir_p(stg_drv.status_dir, 0700) < 0)
		return -1;
	by_name = vr_hash_new();
	by_uuid = vr_hash_new();
	load_all();
	return 0;
}

static void
stg_cleanup(void)
{
	size_t i = 0;
	void *v;

	pthread_rwlock_wrlock(&table_lock);
	while (vr_hash_next(by_name, &i, NULL, &v))
		stg_pool_unref(v);
	vr_hash_free(by_name);
	vr_hash_free(by_uuid);
	by_name = by_uuid = NULL;
	pthread_rwlock_unlock(&table_lock);
	free(stg_drv.conf_dir);
	free(stg_drv.autostart_dir);
	free(stg_drv.status_dir);
}

static void
pool_fill_info(struct stg_pool *p, struct vr_pool_info *info)
{
	const struct pool_def *def;

	memset(info, 0, sizeof *info);
	pthread_mutex_lock(&p->lock);
	def = p->live != NULL ? p->live : p->def;
	snprintf(info->name, sizeof info->name, "%s", p->name);
	memcpy(info->uuid, p->uuid, 16);
	info->state = p->live != NULL ? VR_POOL_RUNNING : VR_POOL_INACTIVE;
	info->persistent = p->def != NULL;
	info->autostart = p->autostart;
	if (def != NULL) {
		info->type = def->type;
		info->capacity = def->capacity;
		info->allocation = def->allocation;
		info->available = def->available;
	}
	if (p->vols != NULL)
		info->volumes = vr_hash_count(p->vols);
	pthread_mutex_unlock(&p->lock);
}

static int
stg_pool_list(unsigned int flags, struct vr_pool_info **infos, size_t *n)
{
	struct stg_pool **pools;
	size_t i = 0, cnt = 0, out = 0;
	void *v;

	if ((flags & (VR_POOL_LIST_ACTIVE | VR_POOL_LIST_INACTIVE)) == 0)
		flags |= VR_POOL_LIST_ACTIVE | VR_POOL_LIST_INACTIVE;
	pthread_rwlock_rdlock(&table_lock);
	pools = xcalloc(vr_hash_count(by_name) + 1, sizeof *pools);
	while (vr_hash_next(by_name, &i, NULL, &v)) {
		pools[cnt] = v;
		pool_ref(pools[cnt++]);
	}
	pthread_rwlock_unlock(&table_lock);
	*infos = xcalloc(cnt + 1, sizeof **infos);
	for (i = 0; i < cnt; i++) {
		struct vr_pool_info *info = &(*infos)[out];

		pool_fill_info(pools[i], info);
		stg_pool_unref(pools[i]);
		if (info->state != VR_POOL_INACTIVE ?
		    (flags & VR_POOL_LIST_ACTIVE) :
		    (flags & VR_POOL_LIST_INACTIVE))
			out++;
	}
	free(pools);
	*n = out;
	return 0;
}

static int
stg_pool_get_info(const char *key, struct vr_pool_info *info)
{
	struct stg_pool *p;

	if ((p = stg_pool_lookup(key)) == NULL)
		return -1;
	pool_fill_info(p, info);
	stg_pool_unref(p);
	return 0;
}

static char *
stg_pool_get_xml(const char *key, unsigned int flags)
{
	struct stg_pool *p;
	char *xml;

	if ((p = stg_pool_lookup(key)) == NULL)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->live != NULL && !((flags & VR_POOL_XML_INACTIVE) && p->def))
		xml = pool_def_format(p->live);
	else
		xml = pool_def_format(p->def);
	pthread_mutex_unlock(&p->lock);
	stg_pool_unref(p);
	return xml;
}

/*
 * Table write-locked. def may take its name, uuid and directory: returns
 * the pool of that name (referenced) in *existing, or fails if the UUID
 * or the directory belongs to another pool.
 */
static int
pool_check_unique_locked(const struct pool_def *def,
    struct stg_pool **existing)
{
	char ukey[VR_UUID_BUFLEN];
	struct stg_pool *by_n, *by_u, *p;
	size_t i = 0;
	void *v;

	vr_uuid_format(def->uuid, ukey);
	by_n = vr_hash_get(by_name, def->name);
	by_u = vr_hash_get(by_uuid, ukey);
	*existing = NULL;
	if ((by_n != NULL && by_u != by_n) || (by_u != NULL && by_n == NULL)) {
		p = by_n != NULL ? by_n : by_u;
		vr_uuid_format(p->uuid, ukey);
		vr_error(VR_ERR_EXISTS, "storage pool '%s' already exists with "
		    "uuid %s", p->name, ukey);
		return -1;
	}
	while (vr_hash_next(by_name, &i, NULL, &v)) {
		const struct pool_def *other;

		p = v;
		other = p->def != NULL ? p->def : p->live;
		if (p != by_n && other != NULL &&
		    strcmp(other->target_path, def->target_path) == 0) {
			vr_error(VR_ERR_EXISTS, "storage pool '%s' already "
			    "uses directory '%s'", p->name, def->target_path);
			return -1;
		}
	}
	if (by_n != NULL) {
		pool_ref(by_n);
		*existing = by_n;
	}
	return 0;
}

/* A new pool in the table, holding job; referenced. NULL if taken. */
static struct stg_pool *
pool_reserve(const struct pool_def *def, const char *job,
    struct stg_pool **existing)
{
	struct stg_pool *p = NULL;

	pthread_rwlock_wrlock(&table_lock);
	if (pool_check_unique_locked(def, existing) == 0 && *existing == NULL) {
		p = pool_new(def->name, def->uuid);
		p->job = job;
		p->job_start_ms = vr_time_ms();
		table_add_locked(p);
		pool_ref(p);
	}
	pthread_rwlock_unlock(&table_lock);
	return p;
}

static int
stg_pool_define(const char *xml, struct vr_pool_info *info)
{
	VR_AUTO(pool_def) def = NULL;
	struct stg_pool *p, *existing = NULL;

	if ((def = pool_def_parse_string(xml, POOL_PARSE_VALIDATE)) == NULL)
		return -1;
	p = pool_reserve(def, "define", &existing);
	if (p == NULL && existing == NULL)
		return -1;
	if (existing != NULL && stg_pool_job_begin(existing, "define") < 0) {
		stg_pool_unref(existing);
		return -1;
	}
	if (pool_save(stg_drv.conf_dir, def) < 0) {
		if (p != NULL)
			table_remove(p);
		stg_pool_job_end(p != NULL ? p : existing);
		stg_pool_unref(p != NULL ? p : existing);
		return -1;
	}
	if (p == NULL)
		p = existing;
	log_info("storage pool '%s' %s", def->name, existing != NULL ?
	    "updated" : "defined");
	pthread_mutex_lock(&p->lock);
	pool_def_free(p->def);
	p->def = vr_steal(&def);
	pthread_mutex_unlock(&p->lock);
	stg_pool_job_end(p);
	if (info != NULL)
		pool_fill_info(p, info);
	stg_pool_unref(p);
	return 0;
}

static int
stg_pool_create(const char *xml, struct vr_pool_info *info)
{
	VR_AUTO(pool_def) def = NULL;
	struct stg_pool *p, *existing = NULL;
	int ret;

	if ((def = pool_def_parse_string(xml, POOL_PARSE_VALIDATE)) == NULL)
		return -1;
	if ((p = pool_reserve(def, "create", &existing)) == NULL) {
		if (existing != NULL)
			vr_error(VR_ERR_EXISTS, "storage pool '%s' already "
			    "exists; use 'pool-start' to start a defined "
			    "pool", def->name);
		stg_pool_unref(existing);
		return -1;
	}
	if ((ret = pool_activate(p, def)) < 0)
		table_remove(p);
	else
		log_info("storage pool '%s' created", p->name);
	stg_pool_job_end(p);
	if (ret == 0 && info != NULL)
		pool_fill_info(p, info);
	stg_pool_unref(p);
	return ret;
}

/*
 * The simple pool jobs: look up, take the job, check the state (want:
 * 1 active, 0 inactive, -1 either), run op.
 */
static int
with_pool(const char *key, const char *job, int want,
    int (*op)(struct stg_pool *, void *), void *arg)
{
	struct stg_pool *p;
	bool active;
	int ret = -1;

	if ((p = stg_pool_lookup(key)) == NULL)
		return -1;
	if (stg_pool_job_begin(p, job) < 0)
		goto out;
	pthread_mutex_lock(&p->lock);
	active = p->live != NULL;
	pthread_mutex_unlock(&p->lock);
	if (want == 1 && !active)
		vr_error(VR_ERR_OPERATION_INVALID, "storage pool '%s' is not "
		    "active", p->name);
	else if (want == 0 && active)
		vr_error(VR_ERR_OPERATION_INVALID, "storage pool '%s' is "
		    "already active", p->name);
	else
		ret = op(p, arg);
	stg_pool_job_end(p);
out:
	stg_pool_unref(p);
	return ret;
}

static int
op_start(struct stg_pool *p, void *arg)
{
	if (pool_activate(p, p->def) < 0)
		return -1;
	log_info("storage pool '%s' started", p->name);
	return 0;
}

static int
stg_pool_start(const char *key)
{
	return with_pool(key, "start", 0, op_start, NULL);
}

static int
op_destroy(struct stg_pool *p, void *arg)
{
	bool transient;

	if (pool_deactivate(p) < 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	transient = p->def == NULL;
	pthread_mutex_unlock(&p->lock);
	if (transient)
		table_remove(p);
	log_info("storage pool '%s' destroyed", p->name);
	return 0;
}

static int
stg_pool_destroy(const char *key)
{
	return with_pool(key, "destroy", 1, op_destroy, NULL);
}

static int
op_refresh(struct stg_pool *p, void *arg)
{
	VR_AUTO(pool_def) cfg = NULL;

	pthread_mutex_lock(&p->lock);
	cfg = pool_def_copy(p->live);
	pthread_mutex_unlock(&p->lock);
	return pool_activate(p, cfg);
}

static int
stg_pool_refresh(const char *key)
{
	return with_pool(key, "refresh", 1, op_refresh, NULL);
}

/* chown and chmod the pool's directory as its <permissions> say. */
static int
build_perms(const struct pool_def *def, bool created)
{
	const struct pool_perms *pp = &def->perms;

	if ((pp->owner >= 0 || pp->group >= 0) && chown(def->target_path,
	    (uid_t)pp->owner, (gid_t)pp->group) < 0) {
		vr_error_system(errno, "cannot change the owner of '%s'",
		    def->target_path);
		return -1;
	}
	if ((pp->mode >= 0 || created) && chmod(def->target_path,
	    pp->mode >= 0 ? (mode_t)pp->mode : 0711) < 0) {
		vr_error_system(errno, "cannot change the mode of '%s'",
		    def->target_path);
		return -1;
	}
	return 0;
}

static int
op_build(struct stg_pool *p, void *arg)
{
	const struct pool_def *def = p->def;
	VR_AUTOFREE char *parent = xstrdup(def->target_path);
	bool created = true;

	*strrchr(parent, '/') = '\0';
	if (*parent != '\0' && vr_mkdir_p(parent, 0755) < 0)
		return -1;
	if (mkdir(def->target_path, 0700) < 0) {
		struct stat st;

		if (errno != EEXIST || stat(def->target_path, &st) < 0 ||
		    !S_ISDIR(st.st_mode)) {
			vr_error_system(errno == EEXIST ? ENOTDIR : errno,
			    "cannot build storage pool '%s': cannot create "
			    "'%s'", p->name, def->target_path);
			return -1;
		}
		created = false;
	}
	if (build_perms(def, created) < 0 ||
	    (def->type == POOL_TYPE_FS && stg_fs_build(def) < 0))
		return -1;
	log_info("storage pool '%s' built: %s", p->name, def->target_path);
	return 0;
}

static int
stg_pool_build(const char *key)
{
	return with_pool(key, "build", 0, op_build, NULL);
}

static int
op_delete(struct stg_pool *p, void *arg)
{
	const char *dir = p->def->target_path;

	if (rmdir(dir) == 0) {
		log_info("storage pool '%s' deleted: %s", p->name, dir);
		return 0;
	}
	if (errno == ENOTEMPTY || errno == EEXIST)
		vr_error(VR_ERR_OPERATION_INVALID, "cannot delete storage pool "
		    "'%s': directory '%s' is not empty; delete its volumes "
		    "first", p->name, dir);
	else
		vr_error_system(errno, "cannot delete storage pool '%s': "
		    "cannot remove '%s'", p->name, dir);
	return -1;
}

static int
stg_pool_delete(const char *key)
{
	return with_pool(key, "delete", 0, op_delete, NULL);
}

static int
op_undefine(struct stg_pool *p, void *arg)
{
	bool active;

	if (p->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot undefine transient "
		    "storage pool '%s'", p->name);
		return -1;
	}
	if (config_delete(p->name) < 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	pool_def_free(p->def);
	p->def = NULL;
	p->autostart = false;
	active = p->live != NULL;
	pthread_mutex_unlock(&p->lock);
	if (!active)
		table_remove(p);
	log_info("storage pool '%s' undefined%s", p->name,
	    active ? " (still active, now transient)" : "");
	return 0;
}

static int
stg_pool_undefine(const char *key)
{
	return with_pool(key, "undefine", -1, op_undefine, NULL);
}

static int
op_autostart(struct stg_pool *p, void *arg)
{
	bool on = *(bool *)arg;
	VR_AUTOFREE char *link = conf_path(stg_drv.autostart_dir, p->name);
	VR_AUTOFREE char *target = conf_path(stg_drv.conf_dir, p->name);

	if (p->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot set autostart for "
		    "transient storage pool '%s'", p->name);
		return -1;
	}
	if (on && symlink(target, link) < 0 && errno != EEXIST) {
		vr_error_system(errno, "cannot create '%s'", link);
		return -1;
	}
	if (!on && unlink(link) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", link);
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	p->autostart = on;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static int
stg_pool_set_autostart(const char *key, bool on)
{
	return with_pool(key, "autostart", -1, op_autostart, &on);
}

static void
stg_autostart(void)
{
	VR_AUTOFREE char **names = NULL;
	size_t i = 0, n = 0;
	const char *name;
	void *v;

	pthread_rwlock_rdlock(&table_lock);
	names = xcalloc(vr_hash_count(by_name) + 1, sizeof *names);
	while (vr_hash_next(by_name, &i, &name, &v)) {
		struct stg_pool *p = v;

		pthread_mutex_lock(&p->lock);
		if (p->autostart && p->live == NULL)
			names[n++] = xstrdup(name);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_rwlock_unlock(&table_lock);
	for (i = 0; i < n; i++) {
		if (stg_pool_start(names[i]) < 0)
			log_error("autostart of storage pool '%s' failed: %s",
			    names[i], vr_error_message());
		else
			log_info("storage pool '%s' autostarted", names[i]);
		free(names[i]);
	}
}

/*
 * Snapshots (issue 7): is the file at path a volume of an active pool, or
 * in the backing chain of one? Files are compared by device and inode.
 * The pools' tables are read under their locks; chains are read after.
 */
struct path_use {
	char	*who;		/* pool/volume */
	char	*file;		/* the volume's path */
	bool	 backing;	/* it has a backing file */
};

static bool
same_file(const struct stat *st, const char *path)
{
	struct stat o;

	return path != NULL && stat(path, &o) == 0 &&
	    o.st_dev == st->st_dev && o.st_ino == st->st_ino;
}

static void
path_uses_add(struct path_use **uses, size_t *n, const char *pool,
    const char *vol, char *file, bool backing)
{
	*uses = xreallocarray(*uses, *n + 1, sizeof **uses);
	(*uses)[*n].who = xprintf("%s/%s", pool, vol);
	(*uses)[*n].file = file;
	(*uses)[(*n)++].backing = backing;
}

static int
stg_path_user(const char *path, char *who, size_t len)
{
	struct path_use *uses = NULL;
	struct stat st;
	size_t n = 0, i = 0, k;
	int found = 0, depth;
	void *v;

	if (stat(path, &st) < 0)
		return 0;
	pthread_rwlock_rdlock(&table_lock);
	while (vr_hash_next(by_name, &i, NULL, &v)) {
		struct stg_pool *p = v;
		struct stg_vol **vols;
		size_t nv;

		pthread_mutex_lock(&p->lock);
		if (p->live == NULL || p->vols == NULL) {
			pthread_mutex_unlock(&p->lock);
			continue;
		}
		vols = stg_pool_vols_sorted_locked(p, &nv);
		for (k = 0; k < nv; k++) {
			path_uses_add(&uses, &n, p->name, vols[k]->name,
			    stg_vol_path(p, vols[k]->name),
			    vols[k]->backing != NULL);
		}
		pthread_mutex_unlock(&p->lock);
	}
	pthread_rwlock_unlock(&table_lock);
	for (k = 0; k < n; k++) {
		char *cur, *next;

		if (!found && same_file(&st, uses[k].file)) {
			snprintf(who, len, "volume '%s'", uses[k].who);
			found = 1;
		}
		cur = uses[k].backing && !found ?
		    vr_image_backing_path(uses[k].file) : NULL;
		for (depth = 0; !found && cur != NULL && depth < 16; depth++) {
			if (same_file(&st, cur)) {
				snprintf(who, len, "the backing chain of "
				    "volume '%s'", uses[k].who);
				found = 1;
			}
			next = vr_image_backing_path(cur);
			free(cur);
			cur = next;
		}
		free(cur);
		free(uses[k].file);
		free(uses[k].who);
	}
	free(uses);
	return found;
}

const struct vr_storage_driver stg_storage_driver = {
	.name = "storage",
	.init = stg_init,
	.autostart = stg_autostart,
	.cleanup = stg_cleanup,
	.pool_list = stg_pool_list,
	.pool_get_info = stg_pool_get_info,
	.pool_get_xml = stg_pool_get_xml,
	.pool_define = stg_pool_define,
	.pool_undefine = stg_pool_undefine,
	.pool_create = stg_pool_create,
	.pool_build = stg_pool_build,
	.pool_start = stg_pool_start,
	.pool_destroy = stg_pool_destroy,
	.pool_delete = stg_pool_delete,
	.pool_refresh = stg_pool_refresh,
	.pool_set_autostart = stg_pool_set_autostart,
	.vol_list = stg_vol_list,
	.vol_get_info = stg_vol_get_info,
	.vol_get_xml = stg_vol_get_xml,
	.vol_create = stg_vol_create,
	.vol_create_as = stg_vol_create_as,
	.vol_clone = stg_vol_clone,
	.vol_delete = stg_vol_delete,
	.vol_wipe = stg_vol_wipe,
	.vol_resize = stg_vol_resize,
	.volume_path = stg_volume_path,
	/* data streams */
	.vol_stream_open = stg_vol_stream_open,
	.vol_stream_finish = stg_vol_stream_finish,
	.path_user = stg_path_user,
};
