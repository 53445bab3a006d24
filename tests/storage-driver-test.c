/*
 * The storage driver without the daemon: a private root, real qemu-img.
 * Pools (define, start refused without its directory, build, start,
 * refresh, destroy, undefine, restart from status), volumes (create-as
 * raw and qcow2 with a backing volume, XML, clone, resize, wipe, delete),
 * refusals (names, in use by a domain), and qcow2 headers read without
 * qemu-img.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "err.h"
#include "golden.h"
#include "log.h"
#include "pool-def.h"
#include "spawn.h"
#include "util.h"
#include "vol-def.h"
#include "xml-util.h"
#include "xmalloc.h"

static const struct vr_storage_driver *drv = &stg_storage_driver;
static char root[] = "/tmp/vireo-stg-test.XXXXXX";
static char *pooldir;
static struct vr_driver_env env;

/* The hypervisor's answer: "busy.raw" is used by domain "vm1". */
static int
fake_volume_user(const char *pool, const char *vol, const char *path,
    char *dom, size_t len)
{
	(void)pool;
	(void)path;
	if (strcmp(vol, "busy.raw") != 0)
		return 0;
	snprintf(dom, len, "vm1");
	return 1;
}

/* check(ok) and, when it failed, the error. */
static void
check_rc(int rc, const char *what)
{
	check(rc == 0, "%s", what);
	if (rc != 0)
		printf("#   %s\n", vr_error_message());
}

/* The call failed with code and a message containing text. */
static void
check_fails(int rc, int code, const char *text, const char *what)
{
	bool ok = rc < 0 && vr_error_code() == code &&
	    strstr(vr_error_message(), text) != NULL;

	check(ok, "%s", what);
	if (!ok)
		printf("#   rc %d, [%s] %s\n", rc,
		    vr_error_code_name(vr_error_code()), vr_error_message());
}

static void
env_free(void)
{
	free((char *)env.config_dir);
	free((char *)env.state_dir);
	free((char *)env.run_dir);
	free((char *)env.log_dir);
}

static void
driver_init(void)
{
	env_free();
	env.config_dir = xprintf("%s/etc", root);
	env.state_dir = xprintf("%s/lib", root);
	env.run_dir = xprintf("%s/run", root);
	env.log_dir = xprintf("%s/log", root);
	env.job_wait_ms = 2000;
	env.volume_user = fake_volume_user;
	check_rc(drv->init(&env), "init");
}

static void
test_pools(void)
{
	VR_AUTOFREE char *xml = xprintf("<pool type='dir'><name>p</name>"
	    "<target><path>%s</path><permissions><mode>0750</mode>"
	    "</permissions></target></pool>", pooldir);
	VR_AUTOFREE char *dump = NULL;
	struct vr_pool_info info;
	struct stat st;

	check_rc(drv->pool_define(xml, &info), "pool-define");
	check(info.state == VR_POOL_INACTIVE && info.persistent,
	    "defined pool is inactive and persistent");
	check_fails(drv->pool_start("p"), VR_ERR_OPERATION_INVALID,
	    "does not exist; create it with 'vireo pool-build p'",
	    "pool-start without its directory says how to fix it");
	check_rc(drv->pool_build("p"), "pool-build");
	check(stat(pooldir, &st) == 0 && (st.st_mode & 07777) == 0750,
	    "pool-build made the directory with its mode");
	check_rc(drv->pool_start("p"), "pool-start");
	check_fails(drv->pool_start("p"), VR_ERR_OPERATION_INVALID,
	    "already active", "pool-start twice is refused");
	check_rc(drv->pool_get_info("p", &info), "pool-info");
	check(info.state == VR_POOL_RUNNING && info.capacity > 0 &&
	    info.volumes == 0, "active pool: running, sizes, no volumes");
	dump = drv->pool_get_xml("p", 0);
	check(dump != NULL && strstr(dump, "<capacity unit='bytes'>0<") ==
	    NULL, "live pool XML has its sizes");
	check_fails(drv->pool_define(xml, NULL), VR_ERR_EXISTS,
	    "already exists with uuid", "the same name with another uuid");
	check_fails(drv->pool_get_info("nope", &info), VR_ERR_NO_POOL,
	    "storage pool not found", "unknown pool");
}

static void
create_as(const char *name, unsigned long long cap, int format,
    const char *backing, struct vr_vol_info *info)
{
	struct vr_vol_create_args a = {
		.name = name, .capacity = cap, .format = format,
		.backing = backing, .backing_format = -1,
	};
	char what[128];

	snprintf(what, sizeof what, "vol-create-as %s", name);
	memset(info, 0, sizeof *info);
	check_rc(drv->vol_create_as("p", &a, info), what);
}

static void
test_create(void)
{
	struct vr_vol_info info;
	VR_AUTOFREE char *xml = NULL;
	struct vr_vol_create_args bad = { .name = "../x", .capacity = 1,
	    .backing_format = -1 };

	create_as("base.raw", 4 << 20, VOL_FORMAT_RAW, NULL, &info);
	check(info.capacity == 4 << 20 && info.format == VOL_FORMAT_RAW &&
	    info.allocation < info.capacity, "raw volume: sparse, 4 MiB");
	vr_vol_info_clear(&info);
	create_as("top.qcow2", 16 << 20, VOL_FORMAT_QCOW2, "base.raw", &info);
	check(info.capacity == 16 << 20 && info.format == VOL_FORMAT_QCOW2 &&
	    info.backing != NULL && strstr(info.backing, "/base.raw") != NULL,
	    "qcow2 volume over a backing volume: capacity from its header");
	vr_vol_info_clear(&info);
	xml = drv->vol_get_xml("p", "top.qcow2");
	check(xml != NULL && strstr(xml, "<format type='qcow2'/>") != NULL &&
	    strstr(xml, "<backingStore>") != NULL &&
	    strstr(xml, "<format type='raw'/>\n  </backingStore>") != NULL,
	    "vol-dumpxml shows the backing store and its format");
	if (xml != NULL && strstr(xml, "<backingStore>") == NULL)
		printf("%s", xml);
	check_fails(drv->vol_create_as("p", &bad, &info), VR_ERR_INVALID_ARG,
	    "invalid volume name '../x'", "a name with '..' or '/' is refused");
	bad.name = "base.raw";
	check_fails(drv->vol_create_as("p", &bad, &info), VR_ERR_EXISTS,
	    "already exists", "an existing name is refused");
	bad.name = "x.raw";
	bad.backing = "nothere";
	bad.format = VOL_FORMAT_QCOW2;
	check_fails(drv->vol_create_as("p", &bad, &info), VR_ERR_NO_VOLUME,
	    "no backing volume 'nothere'", "an unknown backing volume");
	free(xml);
	xml = xprintf("%s/x.raw", pooldir);
	check(access(xml, F_OK) < 0, "nothing left behind");
}

static void
test_jobs(void)
{
	struct vr_vol_info info;
	char buf[4096];
	int fd;

	check_rc(drv->vol_clone("p", "top.qcow2", "copy.qcow2", &info),
	    "vol-clone");
	check(info.format == VOL_FORMAT_QCOW2 && info.capacity == 16 << 20,
	    "the clone has the format and size of its source");
	vr_vol_info_clear(&info);
	check_rc(drv->vol_resize("p", "base.raw", 1 << 20, VR_VOL_RESIZE_DELTA,
	    &info), "vol-resize --delta 1M");
	check(info.capacity == 5 << 20, "raw volume grew to 5 MiB");
	vr_vol_info_clear(&info);
	check_fails(drv->vol_resize("p", "base.raw", 1 << 20, 0, NULL),
	    VR_ERR_INVALID_ARG, "without --shrink", "shrinking needs --shrink");
	check_rc(drv->vol_resize("p", "copy.qcow2", 32 << 20, 0, &info),
	    "vol-resize of a qcow2 volume");
	check(info.capacity == 32 << 20, "qcow2 capacity follows");
	vr_vol_info_clear(&info);

	snprintf(buf, sizeof buf, "%s/base.raw", pooldir);
	fd = open(buf, O_WRONLY);
	memset(buf, 'x', sizeof buf);
	check(fd >= 0 && pwrite(fd, buf, sizeof buf, 8192) == sizeof buf,
	    "write data into the raw volume");
	close(fd);
	check_rc(drv->vol_wipe("p", "base.raw"), "vol-wipe raw");
	snprintf(buf, sizeof buf, "%s/base.raw", pooldir);
	fd = open(buf, O_RDONLY);
	memset(buf, 'x', sizeof buf);
	check(fd >= 0 && pread(fd, buf, sizeof buf, 8192) == sizeof buf &&
	    buf[0] == 0 && buf[4095] == 0, "the wiped volume reads zeros");
	close(fd);
	check_rc(drv->vol_wipe("p", "copy.qcow2"), "vol-wipe qcow2");
	check(drv->vol_get_info("p", "copy.qcow2", &info) == 0 &&
	    info.format == VOL_FORMAT_QCOW2 && info.capacity == 32 << 20,
	    "a wiped qcow2 volume keeps its format and size");
	vr_vol_info_clear(&info);
}

static void
test_refusals(void)
{
	struct vr_vol_info info;
	VR_AUTOFREE char *key = xprintf("%s/top.qcow2", pooldir);

	create_as("busy.raw", 1 << 20, VOL_FORMAT_RAW, NULL, &info);
	vr_vol_info_clear(&info);
	check_fails(drv->vol_delete("p", "busy.raw"), VR_ERR_OPERATION_INVALID,
	    "in use by running domain 'vm1'", "vol-delete of a volume in use");
	check_fails(drv->vol_wipe("p", "busy.raw"), VR_ERR_OPERATION_INVALID,
	    "in use by running domain 'vm1'", "vol-wipe of a volume in use");
	check_fails(drv->vol_delete("p", "nope"), VR_ERR_NO_VOLUME,
	    "no volume 'nope' in pool 'p'", "unknown volume");
	check_fails(drv->vol_get_info("p", "../../etc/passwd", &info),
	    VR_ERR_NO_VOLUME, "no active pool holds",
	    "a path outside every pool is no volume");
	check_rc(drv->vol_get_info(NULL, key, &info), "lookup by key");
	check(strcmp(info.name, "top.qcow2") == 0 &&
	    strcmp(info.pool, "p") == 0, "the key names pool and volume");
	vr_vol_info_clear(&info);
}

/* Files made behind our back, links and odd names, then a refresh. */
static void
test_refresh(void)
{
	struct vr_vol_info *infos = NULL;
	char path[512];
	size_t n = 0, i;
	int fd;

	snprintf(path, sizeof path, "%s/outside.img", pooldir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	check(fd >= 0 && ftruncate(fd, 12345) == 0, "make a file by hand");
	close(fd);
	snprintf(path, sizeof path, "%s/link", pooldir);
	check(symlink("/etc/passwd", path) == 0, "make a symlink");
	snprintf(path, sizeof path, "%s/odd name", pooldir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	close(fd);
	snprintf(path, sizeof path, "%s/subdir", pooldir);
	mkdir(path, 0700);
	check_rc(drv->pool_refresh("p"), "pool-refresh");
	check_rc(drv->vol_list("p", &infos, &n), "vol-list");
	for (i = 0; i < n; i++)
		printf("#   %s %llu\n", infos[i].name, infos[i].capacity);
	check(n == 5 && strcmp(infos[0].name, "base.raw") == 0 &&
	    strcmp(infos[3].name, "outside.img") == 0 &&
	    infos[3].capacity == 12345, "refresh: regular files with valid "
	    "names, sorted, no links");
	vr_vol_infos_free(infos, n);
	check_rc(drv->vol_delete("p", "outside.img"), "vol-delete");
	check(access(path, F_OK) == 0, "other entries untouched");
}

static void
test_restart(void)
{
	struct vr_pool_info info;
	struct vr_vol_info vinfo;

	drv->cleanup();
	driver_init();
	check(drv->pool_get_info("p", &info) == 0 &&
	    info.state == VR_POOL_RUNNING && info.volumes == 4,
	    "after a restart the pool is active again with its volumes");
	check_rc(drv->pool_destroy("p"), "pool-destroy");
	check_fails(drv->vol_get_info("p", "top.qcow2", &vinfo),
	    VR_ERR_OPERATION_INVALID, "is not active", "volumes of an "
	    "inactive pool");
	check_fails(drv->pool_delete("p"), VR_ERR_OPERATION_INVALID,
	    "not empty", "pool-delete of a directory with volumes");
	check_rc(drv->pool_set_autostart("p", true), "pool-autostart");
	drv->cleanup();
	driver_init();
	drv->autostart();
	check(drv->pool_get_info("p", &info) == 0 && info.autostart &&
	    info.state == VR_POOL_RUNNING, "autostarted after a restart");
	check_rc(drv->pool_destroy("p"), "pool-destroy");
	check_rc(drv->pool_undefine("p"), "pool-undefine");
	check_fails(drv->pool_get_info("p", &info), VR_ERR_NO_POOL,
	    "not found", "undefined pool is gone");
}

int
main(void)
{
	const char *srcdir = getenv("abs_top_srcdir");
	VR_AUTOFREE char *schemas = NULL;
	const char *rm[] = { "/bin/rm", "-rf", root, NULL };

	if (access("/usr/bin/qemu-img", X_OK) < 0) {
		printf("SKIP: no /usr/bin/qemu-img\n");
		return 77;
	}
	schemas = xprintf("%s/xml-schemas", srcdir != NULL ? srcdir : ".");
	pool_def_set_schema_dir(schemas);
	vr_log_init("storage-driver-test", VR_LOG_ERROR, false);
	if (mkdtemp(root) == NULL)
		return 1;
	pooldir = xprintf("%s/images/p", root);
	driver_init();
	test_pools();
	test_create();
	test_jobs();
	test_refusals();
	test_refresh();
	test_restart();
	drv->cleanup();
	vr_xml_cleanup();
	vr_run(rm, NULL, NULL);
	free(pooldir);
	env_free();
	printf("%d passed, %d failed\n", npass, nfail);
	return nfail != 0;
}
