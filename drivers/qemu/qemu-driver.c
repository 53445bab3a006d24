/*
 * The QEMU driver: domain table, persistent definitions, jobs, and the
 * vr_dom_driver entry points.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "err.h"
#include "log.h"
#include "qemu-argv.h"
#include "qemu-domain.h"
#include "qmp.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.driver");

struct qemu_driver_state qemu_drv;

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct vr_hash *by_name;
static struct vr_hash *by_uuid;
static struct vr_hash *by_id;		/* active domains */
static int next_id = 1;
static pthread_mutex_t id_lock = PTHREAD_MUTEX_INITIALIZER;

/* Domain objects */

static struct qemu_dom *
dom_new(const char *name, const unsigned char uuid[16])
{
	struct qemu_dom *d = xcalloc(1, sizeof *d);

	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->refs = 1;			/* the table's */
	d->name = xstrdup(name);
	memcpy(d->uuid, uuid, 16);
	d->id = -1;
	d->state = VR_DOM_SHUTOFF;
	d->reason = "unknown";
	d->pidfd = -1;
	d->pidfd_watch = -1;
	return d;
}

static void
dom_ref(struct qemu_dom *d)
{
	__atomic_add_fetch(&d->refs, 1, __ATOMIC_SEQ_CST);
}

void
qemu_dom_unref(struct qemu_dom *d)
{
	if (d == NULL || __atomic_sub_fetch(&d->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return;
	dom_def_free(d->def);
	dom_def_free(d->live);
	qemu_migrate_free(d->mig);
	free(d->monitor_path);
	free(d->name);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->cond);
	free(d);
}

struct qemu_dom *
qemu_dom_lookup(const char *key)
{
	struct qemu_dom *d;

	if (key == NULL || *key == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no domain name given");
		return NULL;
	}
	pthread_rwlock_rdlock(&table_lock);
	d = vr_hash_get_name_uuid(by_name, by_uuid, key);
	if (d == NULL)
		d = vr_hash_get(by_id, key);
	if (d != NULL)
		dom_ref(d);
	pthread_rwlock_unlock(&table_lock);
	if (d == NULL)
		vr_error(VR_ERR_NO_DOMAIN, "domain not found: no domain with "
		    "matching name, uuid or id '%s'", key);
	return d;
}

/* Add to the table; takes the table's reference. Table write-locked. */
static void
table_add_locked(struct qemu_dom *d)
{
	char ukey[VR_UUID_BUFLEN];

	vr_uuid_format(d->uuid, ukey);
	vr_hash_add(by_name, d->name, d);
	vr_hash_add(by_uuid, ukey, d);
}

static void
table_remove_locked(struct qemu_dom *d)
{
	char ukey[VR_UUID_BUFLEN];

	vr_uuid_format(d->uuid, ukey);
	vr_hash_remove(by_name, d->name);
	vr_hash_remove(by_uuid, ukey);
	pthread_mutex_lock(&d->lock);
	d->removed = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static void
table_set_id(struct qemu_dom *d, int old_id, int new_id)
{
	char key[16];

	pthread_rwlock_wrlock(&table_lock);
	if (old_id > 0) {
		snprintf(key, sizeof key, "%d", old_id);
		vr_hash_remove(by_id, key);
	}
	if (new_id > 0) {
		snprintf(key, sizeof key, "%d", new_id);
		vr_hash_add(by_id, key, d);
	}
	pthread_rwlock_unlock(&table_lock);
}

int
qemu_dom_alloc_id(void)
{
	int id;

	pthread_mutex_lock(&id_lock);
	id = next_id++;
	if (next_id == INT_MAX)
		next_id = 1;
	pthread_mutex_unlock(&id_lock);
	return id;
}

void
qemu_dom_set_id(struct qemu_dom *d, int id)
{
	int old;

	pthread_mutex_lock(&d->lock);
	old = d->id;
	d->id = id;
	pthread_mutex_unlock(&d->lock);
	table_set_id(d, old, id);
}

void
qemu_dom_remove_if_transient(struct qemu_dom *d)
{
	bool transient;

	pthread_mutex_lock(&d->lock);
	transient = d->def == NULL && d->live == NULL && !d->removed;
	pthread_mutex_unlock(&d->lock);
	if (!transient)
		return;
	pthread_rwlock_wrlock(&table_lock);
	if (!d->removed) {
		table_remove_locked(d);
		pthread_rwlock_unlock(&table_lock);
		qemu_dom_unref(d);	/* the table's */
		return;
	}
	pthread_rwlock_unlock(&table_lock);
}

/* Jobs */

int
qemu_dom_job_begin(struct qemu_dom *d, const char *job)
{
	struct timespec deadline;
	int rc = 0;

	vr_deadline_after_ms(&deadline, qemu_drv.env.job_wait_ms);
	pthread_mutex_lock(&d->lock);
	while (d->job != NULL && !d->removed && rc == 0)
		rc = pthread_cond_clockwait(&d->cond, &d->lock,
		    CLOCK_MONOTONIC, &deadline);
	if (d->removed) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_NO_DOMAIN, "domain '%s' no longer exists",
		    d->name);
		return -1;
	}
	if (d->job != NULL) {
		uint64_t held = vr_time_ms() - d->job_start_ms;

		vr_error(VR_ERR_BUSY, "cannot run '%s' on domain '%s': job "
		    "'%s' has held it for %llu.%03llu s (waited %u ms)", job,
		    d->name, d->job, (unsigned long long)held / 1000,
		    (unsigned long long)held % 1000,
		    qemu_drv.env.job_wait_ms);
		pthread_mutex_unlock(&d->lock);
		return -1;
	}
	d->job = job;
	d->job_start_ms = vr_time_ms();
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void
qemu_dom_job_end(struct qemu_dom *d)
{
	pthread_mutex_lock(&d->lock);
	d->job = NULL;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

void
qemu_dom_set_state(struct qemu_dom *d, int state, const char *reason)
{
	d->state = state;
	d->reason = reason;
	if (state == VR_DOM_SHUTOFF)
		qemu_status_remove(d->name);
	else if (!d->reconnecting)
		qemu_status_write_locked(d);
}

void
qemu_dom_bump_id(int id)
{
	pthread_mutex_lock(&id_lock);
	if (id >= next_id && id < INT_MAX - 1)
		next_id = id + 1;
	pthread_mutex_unlock(&id_lock);
}

bool
qemu_dom_find_pid(pid_t pid)
{
	size_t i = 0;
	void *v;
	bool found = false;

	pthread_rwlock_rdlock(&table_lock);
	while (!found && vr_hash_next(by_name, &i, NULL, &v)) {
		struct qemu_dom *d = v;

		pthread_mutex_lock(&d->lock);
		found = d->pid == pid;
		pthread_mutex_unlock(&d->lock);
	}
	pthread_rwlock_unlock(&table_lock);
	return found;
}

struct qemu_dom *
qemu_dom_attach_live(struct dom_def *live, pid_t pid)
{
	struct qemu_dom *d;

	pthread_rwlock_wrlock(&table_lock);
	d = vr_hash_get(by_name, live->name);
	if (d != NULL && memcmp(d->uuid, live->uuid, 16) != 0) {
		pthread_rwlock_unlock(&table_lock);
		log_error("running domain '%s' (pid %d) has another UUID than "
		    "its definition; leaving it alone", live->name, (int)pid);
		dom_def_free(live);
		return NULL;
	}
	if (d == NULL) {
		d = dom_new(live->name, live->uuid);	/* transient */
		table_add_locked(d);
	}
	dom_ref(d);
	pthread_rwlock_unlock(&table_lock);
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->live);
	d->live = live;
	d->pid = pid;
	pthread_mutex_unlock(&d->lock);
	return d;
}

void
qemu_dom_emit(struct qemu_dom *d, const char *type, const char *detail)
{
	if (qemu_drv.env.emit_event != NULL)
		qemu_drv.env.emit_event("lifecycle", d->name, type, detail);
}

/* Persistence */

static char *
conf_path(const char *name)
{
	return xprintf("%s/%s.xml", qemu_drv.conf_dir, name);
}

static char *
autostart_path(const char *name)
{
	return xprintf("%s/%s.xml", qemu_drv.autostart_dir, name);
}

static int
dom_save_config(const struct dom_def *def)
{
	VR_AUTOFREE char *xml = dom_def_format(def, -1, DOM_FORMAT_SECURE);
	VR_AUTOFREE char *path = conf_path(def->name);

	return vr_file_write_atomic(path, xml, strlen(xml), 0600);
}

int
qemu_dom_save_config(const struct dom_def *def)
{
	return dom_save_config(def);
}

static int
dom_delete_config(const char *name)
{
	VR_AUTOFREE char *path = conf_path(name);
	VR_AUTOFREE char *link = autostart_path(name);

	if (unlink(link) < 0 && errno != ENOENT)
		log_warn("cannot remove autostart link '%s'", link);
	if (unlink(path) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", path);
		return -1;
	}
	return 0;
}

/* Parse files[lo..hi) into defs[]; one slice per loader thread. */
struct load_slice {
	char		**files;
	struct dom_def	**defs;
	size_t		  lo, hi;
};

static void *
load_slice_run(void *arg)
{
	struct load_slice *sl = arg;
	size_t i;

	for (i = sl->lo; i < sl->hi; i++) {
		VR_AUTOFREE char *path = xprintf("%s/%s", qemu_drv.conf_dir,
		    sl->files[i]);

		if ((sl->defs[i] = dom_def_parse_file(path, 0)) == NULL)
			log_error("ignoring '%s': %s", path,
			    vr_error_message());
	}
	return NULL;
}

/* Add a loaded definition under its file name; false if refused. */
static bool
load_add(const char *file, struct dom_def *def)
{
	VR_AUTOFREE char *link = NULL;
	char ukey[VR_UUID_BUFLEN];
	size_t len = strlen(file);
	struct qemu_dom *d;

	if (strlen(def->name) + 4 != len ||
	    strncmp(def->name, file, len - 4) != 0) {
		log_error("ignoring '%s/%s': it defines domain '%s'",
		    qemu_drv.conf_dir, file, def->name);
		return false;
	}
	vr_uuid_format(def->uuid, ukey);
	if (vr_hash_get(by_uuid, ukey) != NULL) {
		log_error("ignoring '%s/%s': UUID %s already used",
		    qemu_drv.conf_dir, file, ukey);
		return false;
	}
	d = dom_new(def->name, def->uuid);
	d->def = def;
	link = autostart_path(def->name);
	d->autostart = access(link, F_OK) == 0;
	table_add_locked(d);
	return true;
}

/*
 * Load every definition at startup. Parsing dominates (1000 domains), so
 * it is spread over the CPUs; the tables are filled in one thread after.
 */
static void
load_configs(void)
{
	struct load_slice slices[8];
	pthread_t threads[8];
	struct dom_def **defs;
	char **files = NULL;
	size_t nfiles = 0, cap = 0, n = 0, i, nthreads;
	struct dirent *de;
	uint64_t t0 = vr_time_us();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	DIR *dir;

	if ((dir = opendir(qemu_drv.conf_dir)) == NULL) {
		log_warn("cannot open '%s'", qemu_drv.conf_dir);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strstr(de->d_name, ".xml.tmp.") != NULL) {
			/* A write interrupted by a crash: never acknowledged. */
			VR_AUTOFREE char *path = xprintf("%s/%s",
			    qemu_drv.conf_dir, de->d_name);

			log_info("removing stale temporary file '%s'", path);
			unlink(path);
			continue;
		}
		if (len < 5 || strcmp(de->d_name + len - 4, ".xml") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (nfiles == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			files = xreallocarray(files, cap, sizeof *files);
		}
		files[nfiles++] = xstrdup(de->d_name);
	}
	closedir(dir);

	defs = xcalloc(nfiles + 1, sizeof *defs);
	nthreads = nfiles < 64 || ncpu < 2 ? 1 :
	    (size_t)(ncpu > 8 ? 8 : ncpu);
	for (i = 0; i < nthreads; i++) {
		slices[i].files = files;
		slices[i].defs = defs;
		slices[i].lo = nfiles * i / nthreads;
		slices[i].hi = nfiles * (i + 1) / nthreads;
		if (i == 0 || pthread_create(&threads[i], NULL,
		    load_slice_run, &slices[i]) != 0)
			threads[i] = 0;
	}
	for (i = 0; i < nthreads; i++)
		if (threads[i] == 0)
			load_slice_run(&slices[i]);
	for (i = 1; i < nthreads; i++)
		if (threads[i] != 0)
			pthread_join(threads[i], NULL);

	pthread_rwlock_wrlock(&table_lock);
	for (i = 0; i < nfiles; i++) {
		if (defs[i] != NULL && load_add(files[i], defs[i]))
			n++;
		else
			dom_def_free(defs[i]);
		free(files[i]);
	}
	pthread_rwlock_unlock(&table_lock);
	free(files);
	free(defs);
	log_info("loaded %zu domain definitions in %llu us (%zu threads)", n,
	    (unsigned long long)(vr_time_us() - t0), nthreads);
}

/* Driver entry points */

static int
qemu_init(const struct vr_driver_env *env)
{
	qemu_drv.env = *env;
	qemu_drv.conf_dir = xprintf("%s/qemu", env->config_dir);
	qemu_drv.autostart_dir = xprintf("%s/qemu/autostart",
	    env->config_dir);
	qemu_drv.mon_dir = xprintf("%s/qemu", env->run_dir);
	qemu_drv.log_dir = xprintf("%s/qemu", env->log_dir);
	if (vr_mkdir_p(qemu_drv.autostart_dir, 0700) < 0 ||
	    vr_mkdir_p(qemu_drv.mon_dir, 0700) < 0 ||
	    vr_mkdir_p(qemu_drv.log_dir, 0700) < 0)
		return -1;
	by_name = vr_hash_new();
	by_uuid = vr_hash_new();
	by_id = vr_hash_new();
	qemu_host_probe();
	load_configs();
	qemu_status_load();
	if (qemu_save_init() < 0)
		return -1;
	return 0;
}

static void
qemu_cleanup(void)
{
	/* Running QEMU processes keep running: only forget them. */
}

static void
dom_fill_info(struct qemu_dom *d, struct vr_dom_info *info)
{
	const struct dom_def *def;

	memset(info, 0, sizeof *info);
	pthread_mutex_lock(&d->lock);
	def = d->live != NULL ? d->live : d->def;
	info->id = d->id;
	snprintf(info->name, sizeof info->name, "%s", d->name);
	memcpy(info->uuid, d->uuid, 16);
	info->state = d->state;
	snprintf(info->reason, sizeof info->reason, "%s", d->reason);
	info->persistent = d->def != NULL;
	info->autostart = d->autostart;
	if (def != NULL) {
		info->max_mem_kib = def->mem_kib;
		info->mem_kib = def->cur_mem_kib;
		info->vcpus = def->vcpus_current;
		info->virt = def->virt;
	}
	if (d->live != NULL) {
		if (d->balloon_kib != 0)
			info->mem_kib = d->balloon_kib;
		info->cpu_time_ns = qemu_process_cpu_time(d->pid);
	}
	pthread_mutex_unlock(&d->lock);
}

void
qemu_dom_fill_info(struct qemu_dom *d, struct vr_dom_info *info)
{
	dom_fill_info(d, info);
}

static int
qemu_list(unsigned int flags, struct vr_dom_info **infos, size_t *n)
{
	struct qemu_dom **doms;
	size_t i = 0, cnt, out = 0;
	void *v;

	if ((flags & (VR_DOM_LIST_ACTIVE | VR_DOM_LIST_INACTIVE)) == 0)
		flags |= VR_DOM_LIST_ACTIVE | VR_DOM_LIST_INACTIVE;
	pthread_rwlock_rdlock(&table_lock);
	cnt = vr_hash_count(by_name);
	doms = xcalloc(cnt + 1, sizeof *doms);
	cnt = 0;
	while (vr_hash_next(by_name, &i, NULL, &v)) {
		doms[cnt] = v;
		dom_ref(doms[cnt++]);
	}
	pthread_rwlock_unlock(&table_lock);
	*infos = xcalloc(cnt + 1, sizeof **infos);
	for (i = 0; i < cnt; i++) {
		struct vr_dom_info *info = &(*infos)[out];

		dom_fill_info(doms[i], info);
		qemu_dom_unref(doms[i]);
		if (info->id >= 0 ? (flags & VR_DOM_LIST_ACTIVE) :
		    (flags & VR_DOM_LIST_INACTIVE))
			out++;
	}
	free(doms);
	*n = out;
	return 0;
}

struct snap {
	struct qemu_dom	*d;
	int		 id;
};

/* virsh's order: running domains by id, then the others by name. */
static int
snapshot_cmp(const void *a, const void *b)
{
	const struct snap *x = a, *y = b;

	if (x->id >= 0 && y->id >= 0)
		return x->id < y->id ? -1 : x->id > y->id;
	if (x->id >= 0 || y->id >= 0)
		return x->id >= 0 ? -1 : 1;
	return strcmp(x->d->name, y->d->name);
}

struct qemu_dom **
qemu_dom_snapshot(unsigned int flags, size_t *n)
{
	VR_AUTOFREE struct snap *snaps = NULL;
	struct qemu_dom **doms;
	size_t i = 0, cnt = 0;
	void *v;

	if ((flags & (VR_DOM_LIST_ACTIVE | VR_DOM_LIST_INACTIVE)) == 0)
		flags |= VR_DOM_LIST_ACTIVE | VR_DOM_LIST_INACTIVE;
	pthread_rwlock_rdlock(&table_lock);
	snaps = xcalloc(vr_hash_count(by_name) + 1, sizeof *snaps);
	while (vr_hash_next(by_name, &i, NULL, &v)) {
		struct qemu_dom *d = v;
		int id;

		pthread_mutex_lock(&d->lock);
		id = d->id;
		pthread_mutex_unlock(&d->lock);
		if (!(flags & (id >= 0 ? VR_DOM_LIST_ACTIVE :
		    VR_DOM_LIST_INACTIVE)))
			continue;
		dom_ref(d);
		snaps[cnt].d = d;
		snaps[cnt++].id = id;
	}
	pthread_rwlock_unlock(&table_lock);
	qsort(snaps, cnt, sizeof *snaps, snapshot_cmp);
	doms = xcalloc(cnt + 1, sizeof *doms);
	for (i = 0; i < cnt; i++)
		doms[i] = snaps[i].d;
	*n = cnt;
	return doms;
}

static int
qemu_get_info(const char *key, struct vr_dom_info *info)
{
	struct qemu_dom *d;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	dom_fill_info(d, info);
	qemu_dom_unref(d);
	return 0;
}

/* dumpxml waits no longer for the backing chains: shown without. */
#define CHAIN_QUERY_MS	2000

/*
 * Locked, live: the backing chains of query-block's answer into the
 * disks of live, for one formatting (dom_disk_backing_clear after).
 */
static void
chains_set(struct dom_def *live, struct json_object *blocks)
{
	VR_AUTOFREE char (*aliases)[40] = NULL;
	struct json_object *e, *img;
	size_t i;

	if (blocks == NULL || live->ndisks == 0)
		return;
	aliases = xcalloc(live->ndisks, sizeof *aliases);
	if (qemu_argv_disk_aliases(live, aliases) < 0) {
		vr_error_reset();
		return;
	}
	for (i = 0; i < live->ndisks; i++) {
		struct dom_disk *disk = &live->disks[i];

		if ((e = qemu_block_find(blocks, aliases[i])) == NULL ||
		    !json_object_object_get_ex(e, "inserted", &img) ||
		    !json_object_object_get_ex(img, "image", &img))
			continue;
		disk->chain_known = true;
		while (json_object_object_get_ex(img, "backing-image", &img)) {
			struct json_object *f, *fmt;

			if (!json_object_object_get_ex(img, "filename", &f) ||
			    !json_object_object_get_ex(img, "format", &fmt))
				break;
			disk->backing = xreallocarray(disk->backing,
			    disk->nbacking + 1, sizeof *disk->backing);
			disk->backing[disk->nbacking].path =
			    xstrdup(json_object_get_string(f));
			disk->backing[disk->nbacking++].format =
			    xstrdup(json_object_get_string(fmt));
		}
	}
}

/* Locked. Does dumpxml with these flags show the live definition? */
static bool
xml_live_locked(const struct qemu_dom *d, unsigned int flags)
{
	return d->live != NULL && !(flags & VR_DOM_XML_INACTIVE && d->def);
}

static char *
qemu_get_xml(const char *key, unsigned int flags)
{
	struct qemu_dom *d;
	struct json_object *blocks = NULL;
	char *xml;
	unsigned int fmt = (flags & VR_DOM_XML_SECURE) ? DOM_FORMAT_SECURE : 0;
	bool live;
	size_t i;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return NULL;
	/* QEMU set up (not starting, not a stream coming in) answers at once. */
	pthread_mutex_lock(&d->lock);
	live = xml_live_locked(d, flags) && d->mon != NULL &&
	    d->job_phase_running;
	pthread_mutex_unlock(&d->lock);
	/* The disks' backing chains, as QEMU has them open (best effort). */
	if (live && qemu_process_qmp_fd(d, "query-block", NULL, -1, &blocks,
	    CHAIN_QUERY_MS) < 0)
		vr_error_reset();
	pthread_mutex_lock(&d->lock);
	if (xml_live_locked(d, flags)) {
		unsigned long long cur = d->live->cur_mem_kib;

		if (d->balloon_kib != 0)
			d->live->cur_mem_kib = d->balloon_kib;
		chains_set(d->live, blocks);
		xml = dom_def_format(d->live, d->id, fmt);
		d->live->cur_mem_kib = cur;
		for (i = 0; i < d->live->ndisks; i++)
			dom_disk_backing_clear(&d->live->disks[i]);
	} else {
		xml = dom_def_format(d->def, -1, fmt);
	}
	pthread_mutex_unlock(&d->lock);
	json_object_put(blocks);
	qemu_dom_unref(d);
	return xml;
}

static char **
qemu_xml_to_argv(const char *xml)
{
	VR_AUTO(dom_def) def = NULL;
	VR_AUTO(dom_def) resolved = NULL;
	struct qemu_argv_ctx ctx = { 0 };
	VR_AUTOFREE char *mon = NULL;

	if ((def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE)) == NULL ||
	    qemu_volumes_resolve(def, &resolved) < 0)
		return NULL;
	mon = xprintf("%s/%s.monitor", qemu_drv.mon_dir, def->name);
	ctx.emulator = qemu_drv.env.qemu_binary;
	ctx.monitor_path = mon;
	ctx.monitor_fd = -1;
	ctx.kvm_usable = qemu_drv.kvm_usable;
	return qemu_argv_build(resolved != NULL ? resolved : def, &ctx);
}

/*
 * Check that def may take the name/uuid: returns the existing domain with
 * that name (referenced) in *existing, or fails if the UUID belongs to
 * another name or the name to another UUID.
 */
static int
dom_check_unique_locked(const struct dom_def *def, struct qemu_dom **existing)
{
	char ukey[VR_UUID_BUFLEN];
	struct qemu_dom *by_n, *by_u;

	vr_uuid_format(def->uuid, ukey);
	by_n = vr_hash_get(by_name, def->name);
	by_u = vr_hash_get(by_uuid, ukey);
	*existing = NULL;
	if (by_n != NULL && memcmp(by_n->uuid, def->uuid, 16) != 0) {
		char other[VR_UUID_BUFLEN];

		vr_uuid_format(by_n->uuid, other);
		vr_error(VR_ERR_EXISTS, "domain '%s' already exists with uuid "
		    "%s", def->name, other);
		return -1;
	}
	if (by_u != NULL && by_n == NULL) {
		vr_error(VR_ERR_EXISTS, "domain '%s' already exists with uuid "
		    "%s", by_u->name, ukey);
		return -1;
	}
	if (by_n != NULL) {
		dom_ref(by_n);
		*existing = by_n;
	}
	return 0;
}

struct qemu_dom *
qemu_dom_claim_inactive(struct dom_def *def, const char *job)
{
	struct qemu_dom *d = NULL;

	pthread_rwlock_wrlock(&table_lock);
	if (dom_check_unique_locked(def, &d) < 0) {
		pthread_rwlock_unlock(&table_lock);
		dom_def_free(def);
		return NULL;
	}
	if (d == NULL) {
		d = dom_new(def->name, def->uuid);	/* transient */
		d->job = job;
		d->job_start_ms = vr_time_ms();
		d->live = def;
		table_add_locked(d);
		dom_ref(d);
		pthread_rwlock_unlock(&table_lock);
		return d;
	}
	pthread_rwlock_unlock(&table_lock);
	if (qemu_dom_job_begin(d, job) < 0) {
		qemu_dom_unref(d);
		dom_def_free(def);
		return NULL;
	}
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is already "
		    "active", d->name);
		qemu_dom_job_end(d);
		qemu_dom_unref(d);
		dom_def_free(def);
		return NULL;
	}
	d->live = def;
	pthread_mutex_unlock(&d->lock);
	return d;
}

static int
qemu_define(const char *xml, struct vr_dom_info *info)
{
	struct dom_def *def;
	struct qemu_dom *d = NULL;
	bool created = false;

	if ((def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE)) == NULL)
		return -1;
	pthread_rwlock_wrlock(&table_lock);
	if (dom_check_unique_locked(def, &d) < 0) {
		pthread_rwlock_unlock(&table_lock);
		dom_def_free(def);
		return -1;
	}
	if (d == NULL) {
		/* Reserve the name now so concurrent defines conflict. */
		d = dom_new(def->name, def->uuid);
		d->job = "define";
		d->job_start_ms = vr_time_ms();
		table_add_locked(d);
		dom_ref(d);
		created = true;
	}
	pthread_rwlock_unlock(&table_lock);
	if (!created && qemu_dom_job_begin(d, "define") < 0) {
		qemu_dom_unref(d);
		dom_def_free(def);
		return -1;
	}
	if (dom_save_config(def) < 0) {
		dom_def_free(def);
		if (created) {
			pthread_rwlock_wrlock(&table_lock);
			table_remove_locked(d);
			pthread_rwlock_unlock(&table_lock);
			qemu_dom_unref(d);
		}
		qemu_dom_job_end(d);
		qemu_dom_unref(d);
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->def);
	d->def = def;
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s' %s", def->name, created ? "defined" : "updated");
	qemu_dom_emit(d, "defined", created ? "added" : "updated");
	qemu_dom_job_end(d);
	if (info != NULL)
		dom_fill_info(d, info);
	qemu_dom_unref(d);
	return 0;
}

static int
qemu_undefine_flags(const char *key, unsigned int flags)
{
	struct qemu_dom *d;
	bool active;
	int ret = -1, nsnap;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "undefine") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL;
	if (d->def == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "cannot undefine transient "
		    "domain '%s'", d->name);
		goto end;
	}
	pthread_mutex_unlock(&d->lock);
	/* Snapshots (issue 7): their metadata would outlive the domain. */
	if ((nsnap = qemu_snapshot_count(d->name)) != 0) {
		if (nsnap > 0)
			vr_error(VR_ERR_OPERATION_INVALID, "cannot undefine "
			    "domain '%s': it has %d snapshots; delete them, or "
			    "undefine with --snapshots-metadata to drop their "
			    "metadata (images are kept)", d->name, nsnap);
		goto end;
	}
	if (qemu_save_undefine_check(d, flags) < 0 ||
	    dom_delete_config(d->name) < 0)
		goto end;
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->def);
	d->def = NULL;
	d->autostart = false;
	pthread_mutex_unlock(&d->lock);
	if (!active) {
		pthread_rwlock_wrlock(&table_lock);
		table_remove_locked(d);
		pthread_rwlock_unlock(&table_lock);
		qemu_dom_unref(d);	/* the table's */
	}
	log_info("domain '%s' undefined%s", d->name,
	    active ? " (still running, now transient)" : "");
	qemu_dom_emit(d, "undefined", "removed");
	ret = 0;
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

static int
qemu_undefine(const char *key)
{
	return qemu_undefine_flags(key, 0);
}

static int
qemu_start(const char *key, bool paused, struct vr_dom_info *info)
{
	struct qemu_dom *d;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "start") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is already "
		    "active", d->name);
		goto end;
	}
	pthread_mutex_unlock(&d->lock);
	/* After managedsave: resume from the image. */
	if (qemu_save_has_managed(d->name)) {
		ret = qemu_save_start_managed(d, paused);
		goto started;
	}
	pthread_mutex_lock(&d->lock);
	d->live = dom_def_copy(d->def);
	pthread_mutex_unlock(&d->lock);
	ret = qemu_process_start(d, paused);
started:
	if (ret == 0 && info != NULL)
		dom_fill_info(d, info);
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

int
qemu_dom_restart_locked_job(struct qemu_dom *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->live != NULL || d->def == NULL) {
		bool transient = d->def == NULL;

		pthread_mutex_unlock(&d->lock);
		if (transient)
			log_info("domain '%s' is transient: not restarted",
			    d->name);
		return 0;
	}
	d->live = dom_def_copy(d->def);
	pthread_mutex_unlock(&d->lock);
	return qemu_process_start(d, false);
}

static int
qemu_create(const char *xml, bool paused, struct vr_dom_info *info)
{
	struct dom_def *def;
	struct qemu_dom *d = NULL;
	int ret;

	if ((def = dom_def_parse_string(xml, DOM_PARSE_VALIDATE)) == NULL)
		return -1;
	pthread_rwlock_wrlock(&table_lock);
	if (dom_check_unique_locked(def, &d) < 0) {
		pthread_rwlock_unlock(&table_lock);
		dom_def_free(def);
		return -1;
	}
	if (d != NULL) {
		pthread_rwlock_unlock(&table_lock);
		vr_error(VR_ERR_EXISTS, "domain '%s' already exists; use "
		    "'start' to run a defined domain", def->name);
		qemu_dom_unref(d);
		dom_def_free(def);
		return -1;
	}
	d = dom_new(def->name, def->uuid);
	d->job = "create";
	d->job_start_ms = vr_time_ms();
	d->live = def;
	table_add_locked(d);
	dom_ref(d);
	pthread_rwlock_unlock(&table_lock);
	ret = qemu_process_start(d, paused);
	if (ret == 0 && info != NULL)
		dom_fill_info(d, info);
	qemu_dom_job_end(d);
	if (ret < 0)
		qemu_dom_remove_if_transient(d);
	qemu_dom_unref(d);
	return ret;
}

/*
 * Common shape of the simple running-domain operations: look up, take the
 * job, check the domain is active, run op.
 */
static int
with_active_dom(const char *key, const char *job,
    int (*op)(struct qemu_dom *, void *), void *arg)
{
	struct qemu_dom *d;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, job) < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	if (d->live == NULL || d->pid == 0) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto end;
	}
	pthread_mutex_unlock(&d->lock);
	ret = op(d, arg);
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

static int
op_shutdown(struct qemu_dom *d, void *arg)
{
	if (qemu_process_qmp(d, "system_powerdown", NULL, NULL) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	d->stop_reason = "shutdown";
	pthread_mutex_unlock(&d->lock);
	log_info("domain '%s': ACPI power button pressed", d->name);
	return 0;
}

static int
qemu_shutdown(const char *key)
{
	return with_active_dom(key, "shutdown", op_shutdown, NULL);
}

static int
op_destroy(struct qemu_dom *d, void *arg)
{
	return qemu_process_kill(d, *(bool *)arg, "destroyed");
}

static int
qemu_destroy(const char *key, bool graceful)
{
	return with_active_dom(key, "destroy", op_destroy, &graceful);
}

static int
op_reset(struct qemu_dom *d, void *arg)
{
	return qemu_process_qmp(d, "system_reset", NULL, NULL);
}

static int
qemu_reset(const char *key)
{
	return with_active_dom(key, "reset", op_reset, NULL);
}

static int
op_reboot(struct qemu_dom *d, void *arg)
{
	return qemu_process_reboot(d);
}

static int
qemu_reboot(const char *key)
{
	return with_active_dom(key, "reboot", op_reboot, NULL);
}

/* suspend and resume: one QMP command, then the state it leads to. */
struct qmp_state_op {
	const char	*cmd;
	int		 state;
	const char	*reason;
};

static const struct qmp_state_op op_stop = { "stop", VR_DOM_PAUSED, "user" };
static const struct qmp_state_op op_cont = { "cont", VR_DOM_RUNNING,
    "unpaused" };

static int
op_qmp_state(struct qemu_dom *d, void *arg)
{
	const struct qmp_state_op *op = arg;

	if (qemu_process_qmp(d, op->cmd, NULL, NULL) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	qemu_dom_set_state(d, op->state, op->reason);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static int
qemu_suspend(const char *key)
{
	return with_active_dom(key, "suspend", op_qmp_state,
	    (void *)&op_stop);
}

static int
qemu_resume(const char *key)
{
	return with_active_dom(key, "resume", op_qmp_state,
	    (void *)&op_cont);
}

/*
 * setmem / setmaxmem: resolve "current" to live or config, then apply to
 * each. One job covers both.
 */
static int
qemu_set_mem_common(const char *key, unsigned long long kib,
    unsigned int flags, bool max)
{
	struct qemu_dom *d;
	struct dom_def *newdef = NULL;
	bool active;
	int ret = -1;

	if (kib == 0) {
		vr_error(VR_ERR_INVALID_ARG, "memory size must be greater "
		    "than zero");
		return -1;
	}
	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, max ? "setmaxmem" : "setmem") < 0)
		goto out;
	pthread_mutex_lock(&d->lock);
	active = d->live != NULL;
	if ((flags & (VR_DOM_AFFECT_LIVE | VR_DOM_AFFECT_CONFIG)) == 0)
		flags = active ? VR_DOM_AFFECT_LIVE : VR_DOM_AFFECT_CONFIG;
	if ((flags & VR_DOM_AFFECT_LIVE) && !active) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "domain '%s' is not "
		    "running", d->name);
		goto end;
	}
	if ((flags & VR_DOM_AFFECT_CONFIG) && d->def == NULL) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "cannot change the "
		    "persistent config of transient domain '%s'", d->name);
		goto end;
	}
	if (max && (flags & VR_DOM_AFFECT_LIVE)) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_OPERATION_INVALID, "cannot resize the maximum "
		    "memory of running domain '%s'; use --config",
		    d->name);
		goto end;
	}
	if (flags & VR_DOM_AFFECT_CONFIG) {
		newdef = dom_def_copy(d->def);
		if (max) {
			newdef->mem_kib = kib;
			if (newdef->cur_mem_kib > kib)
				newdef->cur_mem_kib = kib;
		} else if (kib > newdef->mem_kib) {
			pthread_mutex_unlock(&d->lock);
			vr_error(VR_ERR_INVALID_ARG, "cannot set memory of "
			    "domain '%s' to %llu KiB: higher than its maximum "
			    "of %llu KiB", d->name, kib, newdef->mem_kib);
			goto end;
		} else {
			newdef->cur_mem_kib = kib;
		}
	}
	if ((flags & VR_DOM_AFFECT_LIVE) && kib > d->live->mem_kib) {
		pthread_mutex_unlock(&d->lock);
		vr_error(VR_ERR_INVALID_ARG, "cannot set memory of domain "
		    "'%s' to %llu KiB: higher than its maximum of %llu KiB",
		    d->name, kib, d->live->mem_kib);
		goto end;
	}
	pthread_mutex_unlock(&d->lock);

	if (flags & VR_DOM_AFFECT_LIVE) {
		struct json_object *args = json_object_new_object();

		json_object_object_add(args, "value",
		    json_object_new_int64((int64_t)(kib * 1024)));
		if (qemu_process_qmp(d, "balloon", args, NULL) < 0)
			goto end;
		pthread_mutex_lock(&d->lock);
		if (d->live != NULL) {
			d->live->cur_mem_kib = kib;
			qemu_status_write_locked(d);
		}
		pthread_mutex_unlock(&d->lock);
	}
	if (newdef != NULL) {
		if (dom_save_config(newdef) < 0)
			goto end;
		pthread_mutex_lock(&d->lock);
		dom_def_free(d->def);
		d->def = vr_steal(&newdef);
		pthread_mutex_unlock(&d->lock);
	}
	ret = 0;
end:
	dom_def_free(newdef);
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

static int
qemu_set_memory(const char *key, unsigned long long kib, unsigned int flags)
{
	return qemu_set_mem_common(key, kib, flags, false);
}

static int
qemu_set_max_memory(const char *key, unsigned long long kib,
    unsigned int flags)
{
	return qemu_set_mem_common(key, kib, flags, true);
}

static int
qemu_set_autostart(const char *key, bool on)
{
	struct qemu_dom *d;
	VR_AUTOFREE char *link = NULL;
	VR_AUTOFREE char *target = NULL;
	int ret = -1;

	if ((d = qemu_dom_lookup(key)) == NULL)
		return -1;
	if (qemu_dom_job_begin(d, "autostart") < 0)
		goto out;
	if (d->def == NULL) {
		vr_error(VR_ERR_OPERATION_INVALID, "cannot set autostart for "
		    "transient domain '%s'", d->name);
		goto end;
	}
	link = autostart_path(d->name);
	target = conf_path(d->name);
	if (on) {
		if (symlink(target, link) < 0 && errno != EEXIST) {
			vr_error_system(errno, "cannot create '%s'", link);
			goto end;
		}
	} else if (unlink(link) < 0 && errno != ENOENT) {
		vr_error_system(errno, "cannot remove '%s'", link);
		goto end;
	}
	pthread_mutex_lock(&d->lock);
	d->autostart = on;
	pthread_mutex_unlock(&d->lock);
	ret = 0;
end:
	qemu_dom_job_end(d);
out:
	qemu_dom_unref(d);
	return ret;
}

static void *
autostart_one(void *arg)
{
	char *name = arg;

	if (qemu_start(name, false, NULL) < 0)
		log_error("autostart of domain '%s' failed: %s", name,
		    vr_error_message());
	else
		log_info("domain '%s' autostarted", name);
	free(name);
	return NULL;
}

static void
qemu_autostart(void)
{
	size_t i = 0;
	void *v;
	const char *name;

	pthread_rwlock_rdlock(&table_lock);
	while (vr_hash_next(by_name, &i, &name, &v)) {
		struct qemu_dom *d = v;
		bool adopted;

		pthread_mutex_lock(&d->lock);
		adopted = d->reconnecting;
		pthread_mutex_unlock(&d->lock);
		if (adopted)
			qemu_status_reconnect(d);
	}
	i = 0;
	while (vr_hash_next(by_name, &i, &name, &v)) {
		struct qemu_dom *d = v;
		pthread_t t;
		bool want;

		pthread_mutex_lock(&d->lock);
		want = d->autostart && d->live == NULL;
		pthread_mutex_unlock(&d->lock);
		if (!want)
			continue;
		if (pthread_create(&t, NULL, autostart_one,
		    xstrdup(name)) == 0)
			pthread_detach(t);
	}
	pthread_rwlock_unlock(&table_lock);
}

/* Locked: does the running definition use volume pool/vol or path? */
static bool
dom_uses_volume_locked(const struct qemu_dom *d, const char *pool,
    const char *vol, const char *path)
{
	const struct dom_disk *disk;
	size_t i;

	for (i = 0; d->live != NULL && i < d->live->ndisks; i++) {
		disk = &d->live->disks[i];
		if (disk->type == DOM_DISK_TYPE_VOLUME ?
		    strcmp(disk->src_pool, pool) == 0 &&
		    strcmp(disk->src_volume, vol) == 0 :
		    disk->src_path != NULL && path != NULL &&
		    strcmp(disk->src_path, path) == 0)
			return true;
	}
	return false;
}

/* Domains with an id are the running ones: O(running domains). */
static int
qemu_volume_user(const char *pool, const char *vol, const char *path,
    char *dom, size_t len)
{
	size_t i = 0;
	void *v;
	int found = 0;

	pthread_rwlock_rdlock(&table_lock);
	while (!found && vr_hash_next(by_id, &i, NULL, &v)) {
		struct qemu_dom *d = v;

		pthread_mutex_lock(&d->lock);
		if (dom_uses_volume_locked(d, pool, vol, path)) {
			snprintf(dom, len, "%s", d->name);
			found = 1;
		}
		pthread_mutex_unlock(&d->lock);
	}
	pthread_rwlock_unlock(&table_lock);
	return found;
}

/* Migration helpers (issue 6) */


int
qemu_dom_persist(struct qemu_dom *d, struct dom_def *def)
{
	bool added;

	if (dom_save_config(def) < 0) {
		dom_def_free(def);
		return -1;
	}
	pthread_mutex_lock(&d->lock);
	added = d->def == NULL;
	dom_def_free(d->def);
	d->def = def;
	pthread_mutex_unlock(&d->lock);
	qemu_dom_emit(d, "defined", added ? "added" : "updated");
	return 0;
}

int
qemu_dom_unpersist(struct qemu_dom *d)
{
	pthread_mutex_lock(&d->lock);
	if (d->def == NULL) {
		pthread_mutex_unlock(&d->lock);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (dom_delete_config(d->name) < 0)
		return -1;
	pthread_mutex_lock(&d->lock);
	dom_def_free(d->def);
	d->def = NULL;
	d->autostart = false;
	pthread_mutex_unlock(&d->lock);
	qemu_dom_emit(d, "undefined", "removed");
	return 0;
}

static char *
qemu_capabilities(void)
{
	return qemu_host_capabilities();
}

static int
qemu_hypervisor_version(char *buf, size_t len)
{
	return qemu_host_version(buf, len);
}

const struct vr_dom_driver qemu_dom_driver = {
	.name = "qemu",
	.init = qemu_init,
	.autostart = qemu_autostart,
	.cleanup = qemu_cleanup,
	.list = qemu_list,
	.get_info = qemu_get_info,
	.get_xml = qemu_get_xml,
	.xml_to_argv = qemu_xml_to_argv,
	.capabilities = qemu_capabilities,
	.hypervisor_version = qemu_hypervisor_version,
	.define = qemu_define,
	.undefine = qemu_undefine,
	.create = qemu_create,
	.start = qemu_start,
	.shutdown = qemu_shutdown,
	.destroy = qemu_destroy,
	.reboot = qemu_reboot,
	.reset = qemu_reset,
	.suspend = qemu_suspend,
	.resume = qemu_resume,
	.set_memory = qemu_set_memory,
	.set_max_memory = qemu_set_max_memory,
	.set_autostart = qemu_set_autostart,
	.volume_user = qemu_volume_user,
	/* device hotplug (qemu-hotplug.c) */
	.attach_device = qemu_attach_device,
	.detach_device = qemu_detach_device,
	.update_device = qemu_update_device,
	.change_media = qemu_change_media,
	/* console streams */
	.open_console = qemu_dom_open_console,
	/* vCPUs, statistics (issue 7): qemu-vcpu.c, qemu-stats.c */
	.set_vcpus = qemu_set_vcpus,
	.vcpu_count = qemu_vcpu_count,
	.vcpu_info = qemu_vcpu_info,
	.pin = qemu_pin,
	.get_pins = qemu_get_pins,
	.memory_stats = qemu_memory_stats,
	.set_memstat_period = qemu_set_memstat_period,
	.get_devices = qemu_get_devices,
	.get_stats = qemu_get_stats,
	/* Save and restore (qemu-save.c). */
	.save = qemu_save_dom,
	.restore = qemu_save_restore,
	.managed_save = qemu_save_managed,
	.managed_save_remove = qemu_save_managed_remove,
	.has_managed_save = qemu_save_has_managed_key,
	.save_image_get_xml = qemu_save_image_xml,
	.undefine_flags = qemu_undefine_flags,
	/* Snapshots (issue 7): qemu-snapshot.c */
	.snapshot_create = qemu_snapshot_create,
	.snapshot_list = qemu_snapshot_list,
	.snapshot_get_xml = qemu_snapshot_get_xml,
	.snapshot_revert = qemu_snapshot_revert,
	.snapshot_delete = qemu_snapshot_delete,
	.snapshot_forget_all = qemu_snapshot_forget_all,
	/* display, keyboard, monitor: qemu-guest-io.c */
	.screenshot = qemu_screenshot,
	.send_key = qemu_send_key,
	.monitor_command = qemu_monitor_command,
	/* Migration (issue 6) */
	.migrate_perform = qemu_migrate_perform,
	.migrate_prepare = qemu_migrate_prepare,
	.migrate_finish = qemu_migrate_finish,
	.job_info = qemu_migrate_job_info,
	.job_abort = qemu_migrate_job_abort,
};
