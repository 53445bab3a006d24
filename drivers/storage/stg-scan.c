/*
 * Scanning a dir pool: one volume per regular file. Refresh must stay
 * cheap for pools of 10,000 volumes (under 1 s), so no qemu-img here:
 * each file costs an open, an fstat and one read of its first 4 KiB, in
 * which a qcow2 header gives the capacity and the backing file.
 *
 * qcow2 header (big-endian): magic "QFI\xfb" at 0, version at 4, backing
 * file offset (8 bytes) at 8 and size (4) at 16, virtual size (8) at 24;
 * version 3 has its header length (4) at 100 (version 2: 72 bytes), then
 * extensions: type (4), length (4), data padded to 8; type 0xe2792aca
 * names the backing file's format.
 *
 * Format probing is a trap: a guest writing a qcow2 header (with a
 * backing file of its choice) into a raw volume would make it look like
 * qcow2. Volumes we create therefore carry their format in the extended
 * attribute trusted.vireo.format (only root sets trusted.*; a guest can
 * only write the file's data), and a volume recorded as raw is never
 * probed. Files found without it (put there by the administrator) are
 * probed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "stg-pool.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("storage.scan");

#define QCOW2_MAGIC		0x514649fbU
#define QCOW2_EXT_BACKING_FMT	0xe2792acaU
#define HEADER_READ		4096
#define BACKING_MAX		1023	/* qcow2's limit on the name */

struct stg_vol *
stg_vol_new(const char *name)
{
	struct stg_vol *v = xcalloc(1, sizeof *v);

	v->name = xstrdup(name);
	v->backing_format = -1;
	return v;
}

void
stg_vol_free(struct stg_vol *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->backing);
	free(v);
}

void
stg_vols_free(struct vr_hash *vols)
{
	size_t i = 0;
	void *v;

	if (vols == NULL)
		return;
	while (vr_hash_next(vols, &i, NULL, &v))
		stg_vol_free(v);
	vr_hash_free(vols);
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const unsigned char *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* The backing format header extension, or -1. */
static int
qcow2_backing_format(const unsigned char *h, size_t len)
{
	size_t off = be32(h + 4) >= 3 && len >= 104 ? be32(h + 100) : 72;
	uint32_t type, elen;
	char fmt[16];

	while (off + 8 <= len) {
		type = be32(h + off);
		elen = be32(h + off + 4);
		off += 8;
		if (type == 0 || elen > len - off)
			break;
		if (type == QCOW2_EXT_BACKING_FMT && elen < sizeof fmt) {
			memcpy(fmt, h + off, elen);
			fmt[elen] = '\0';
			return vol_format_from_string(fmt);
		}
		off += ((size_t)elen + 7) & ~(size_t)7;
	}
	return -1;
}

/* A qcow2 header in h (len bytes read from fd) into v. */
static void
qcow2_probe(int fd, const unsigned char *h, size_t len, struct stg_vol *v)
{
	uint64_t boff = be64(h + 8);
	uint32_t bsize = be32(h + 16);
	char name[BACKING_MAX + 1];

	v->format = VOL_FORMAT_QCOW2;
	v->capacity = be64(h + 24);
	if (boff == 0 || bsize == 0 || bsize > BACKING_MAX)
		return;
	if (boff <= len && bsize <= len - boff)
		memcpy(name, h + boff, bsize);
	else if (pread(fd, name, bsize, (off_t)boff) != (ssize_t)bsize)
		return;
	name[bsize] = '\0';
	if (memchr(name, '\0', bsize) != NULL)
		return;
	v->backing = xstrdup(name);
	v->backing_format = qcow2_backing_format(h, len);
}

int
stg_vol_record_format(const char *path, int format)
{
	const char *f = vol_format_to_string(format);

	if (setxattr(path, STG_FORMAT_XATTR, f, strlen(f), 0) < 0) {
		/* A file system without xattrs: probing it stays. */
		log_warn("storage volume '%s': cannot record its format", path);
		return -1;
	}
	return 0;
}

/* The format recorded on the file: enum vol_format, or -1 if none. */
static int
vol_recorded_format(int fd)
{
	char buf[16];
	ssize_t n;

	if ((n = fgetxattr(fd, STG_FORMAT_XATTR, buf, sizeof buf - 1)) <= 0)
		return -1;
	buf[n] = '\0';
	return vol_format_from_string(buf);
}

/* Fill v from an open file: sizes, owner, format. */
static void
vol_from_fd(int fd, const struct stat *st, struct stg_vol *v)
{
	unsigned char h[HEADER_READ];
	ssize_t n = 0;
	int recorded = vol_recorded_format(fd);

	v->format = VOL_FORMAT_RAW;
	v->capacity = (unsigned long long)st->st_size;
	v->physical = (unsigned long long)st->st_size;
	v->allocation = (unsigned long long)st->st_blocks * 512;
	v->mode = st->st_mode & 07777;
	v->uid = st->st_uid;
	v->gid = st->st_gid;
	free(v->backing);
	v->backing = NULL;
	v->backing_format = -1;
	if (recorded == VOL_FORMAT_RAW)
		return;		/* whatever its data looks like */
	if (st->st_size >= 32)
		n = pread(fd, h, sizeof h, 0);
	if (n >= 32 && be32(h) == QCOW2_MAGIC)
		qcow2_probe(fd, h, (size_t)n, v);
}

void
stg_vol_take_state(struct stg_vol *dst, struct stg_vol *src)
{
	free(dst->backing);
	dst->backing = vr_steal(&src->backing);
	dst->format = src->format;
	dst->capacity = src->capacity;
	dst->allocation = src->allocation;
	dst->physical = src->physical;
	dst->backing_format = src->backing_format;
	dst->mode = src->mode;
	dst->uid = src->uid;
	dst->gid = src->gid;
}

/* Open a pool's file without following links or blocking on FIFOs. */
static int
vol_open(int dirfd, const char *name, struct stat *st)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
stg_vol_probe(const char *dir, struct stg_vol *v)
{
	VR_AUTOCLOSE int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	int fd;

	if (dfd < 0 || (fd = vol_open(dfd, v->name, &st)) < 0) {
		vr_error_system(errno, "cannot read volume '%s/%s'", dir,
		    v->name);
		return -1;
	}
	vol_from_fd(fd, &st, v);
	close(fd);
	return 0;
}

/* The file system's sizes and the directory's permissions into def. */
static int
pool_stat(struct pool_def *def, int dfd)
{
	struct statvfs sv;
	struct stat st;

	if (fstatvfs(dfd, &sv) < 0 || fstat(dfd, &st) < 0) {
		vr_error_system(errno, "cannot stat '%s'", def->target_path);
		return -1;
	}
	def->capacity = (unsigned long long)sv.f_blocks * sv.f_frsize;
	def->available = (unsigned long long)sv.f_bavail * sv.f_frsize;
	def->allocation = (unsigned long long)(sv.f_blocks - sv.f_bfree) *
	    sv.f_frsize;
	def->perms.mode = (int)(st.st_mode & 07777);
	def->perms.owner = st.st_uid;
	def->perms.group = st.st_gid;
	return 0;
}

/* Our temporary files and names no volume may have are not volumes. */
static bool
scan_wanted(const struct dirent *de)
{
	if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
		return false;
	return vr_name_valid(de->d_name) && strstr(de->d_name, "..") == NULL;
}

struct vr_hash *
stg_scan_dir(struct pool_def *def)
{
	struct vr_hash *vols;
	struct dirent *de;
	struct stat st;
	size_t skipped = 0;
	int dfd, fd;
	DIR *d;

	if ((dfd = open(def->target_path, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0 || (d = fdopendir(dfd)) == NULL) {
		vr_error_system(errno, "cannot read storage pool '%s' "
		    "directory '%s'", def->name, def->target_path);
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	if (pool_stat(def, dfd) < 0) {
		closedir(d);
		return NULL;
	}
	vols = vr_hash_new();
	while ((de = readdir(d)) != NULL) {
		struct stg_vol *v;

		if (!scan_wanted(de)) {
			skipped += de->d_name[0] != '.';
			continue;
		}
		if ((fd = vol_open(dfd, de->d_name, &st)) < 0) {
			skipped++;
			continue;
		}
		v = stg_vol_new(de->d_name);
		vol_from_fd(fd, &st, v);
		close(fd);
		vr_hash_add(vols, v->name, v);
	}
	closedir(d);
	if (skipped > 0)
		log_debug("storage pool '%s': %zu entries are not volumes "
		    "(links, directories, odd names)", def->name, skipped);
	return vols;
}
