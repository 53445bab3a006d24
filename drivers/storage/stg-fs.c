/*
 * fs pools: a file system on a device or an image file, mounted on the
 * pool's directory while the pool is active; its volumes are the files
 * there, as in a dir pool. mount, umount, blkid and mkfs run through
 * vr_run (argv only, never a shell).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "err.h"
#include "log.h"
#include "spawn.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.fs");

#define MOUNT		"/bin/mount"
#define UMOUNT		"/bin/umount"
#define BLKID		"/sbin/blkid"
#define MKFS		"/sbin/mkfs"
#define MOUNTINFO_MAX	(4 * 1024 * 1024)

/* A mount point as mountinfo writes it: space, tab, \ and \n octal. */
static void
mountinfo_escape(const char *s, char *out, size_t len)
{
	size_t o = 0;

	for (; *s != '\0' && o + 5 < len; s++) {
		if (strchr(" \t\n\\", *s) != NULL)
			o += (size_t)snprintf(out + o, len - o, "\\%03o",
			    (unsigned char)*s);
		else
			out[o++] = *s;
	}
	out[o] = '\0';
}

int
stg_fs_mounted(const char *target)
{
	VR_AUTOFREE char *info = vr_file_read("/proc/self/mountinfo",
	    MOUNTINFO_MAX, NULL);
	char want[4096 + 8];
	const char *line, *p;
	int field;

	if (info == NULL)
		return -1;
	mountinfo_escape(target, want, sizeof want);
	for (line = info; *line != '\0'; line = p + (*p == '\n')) {
		/* Field 5 is the mount point. */
		for (p = line, field = 1; field < 5 && *p != '\n' &&
		    *p != '\0'; p++)
			field += *p == ' ';
		if (field == 5 && strncmp(p, want, strlen(want)) == 0 &&
		    p[strlen(want)] == ' ')
			return 1;
		p = strchrnul(p, '\n');
	}
	return 0;
}

int
stg_fs_mount(const struct pool_def *def)
{
	const char *argv[7];
	struct stat st;
	int n = 0, m;

	if ((m = stg_fs_mounted(def->target_path)) != 0)
		return m < 0 ? -1 : 0;
	if (stat(def->source_device, &st) < 0) {
		vr_error_system(errno, "cannot start storage pool '%s': "
		    "cannot use its device '%s'", def->name,
		    def->source_device);
		return -1;
	}
	argv[n++] = MOUNT;
	if (def->source_format != POOL_FS_AUTO) {
		argv[n++] = "-t";
		argv[n++] = pool_fs_format_to_string(def->source_format);
	}
	argv[n++] = def->source_device;
	argv[n++] = def->target_path;
	argv[n] = NULL;
	if (stg_run("cannot mount storage pool", def->name, argv) < 0)
		return -1;
	log_info("storage pool '%s': mounted %s on %s", def->name,
	    def->source_device, def->target_path);
	return 0;
}

int
stg_fs_umount(const struct pool_def *def)
{
	const char *argv[] = { UMOUNT, def->target_path, NULL };
	int m;

	if ((m = stg_fs_mounted(def->target_path)) <= 0)
		return m;
	if (stg_run("cannot unmount storage pool", def->name, argv) < 0)
		return -1;
	log_info("storage pool '%s': unmounted %s", def->name,
	    def->target_path);
	return 0;
}

/* mkfs for a device with no file system yet: never over an existing one. */
int
stg_fs_build(const struct pool_def *def)
{
	const char *probe[] = { BLKID, "-p", "-o", "value", "-s", "TYPE",
	    def->source_device, NULL };
	const char *fmt = pool_fs_format_to_string(def->source_format);
	const char *argv[8];
	VR_AUTOFREE char *out = NULL;
	int n = 0, rc;

	if ((rc = vr_run(probe, &out, NULL)) < 0)
		return -1;
	if (rc == 0) {
		log_info("storage pool '%s': %s already has a file system "
		    "(%.*s), kept", def->name, def->source_device,
		    (int)strcspn(out, "\n"), out);
		return 0;
	}
	if (def->source_format == POOL_FS_AUTO) {
		vr_error(VR_ERR_INVALID_ARG, "cannot build storage pool '%s': "
		    "'%s' has no file system and the pool's <format> is auto; "
		    "say which one to make", def->name, def->source_device);
		return -1;
	}
	argv[n++] = MKFS;
	argv[n++] = "-t";
	argv[n++] = fmt;
	if (strncmp(fmt, "ext", 3) == 0)
		argv[n++] = "-F";	/* an image file: no question */
	if (strncmp(fmt, "ext", 3) == 0 || strcmp(fmt, "xfs") == 0)
		argv[n++] = "-q";
	argv[n++] = def->source_device;
	argv[n] = NULL;
	if (stg_run("cannot build storage pool", def->name, argv) < 0)
		return -1;
	log_info("storage pool '%s': made a %s file system on %s", def->name,
	    fmt, def->source_device);
	return 0;
}
