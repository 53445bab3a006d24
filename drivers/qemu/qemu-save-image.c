/*
 * Save images: header encoding, checks of images read back, and new
 * images written under a temporary name and renamed once complete.
 *
 * The daemon reads and writes these files as root for a client, so paths
 * are checked: absolute, no "." or ".." components; a new image is
 * created with O_EXCL | O_NOFOLLOW next to its final name and renamed
 * with RENAME_NOREPLACE, so a save never follows a symbolic link or
 * overwrites a file. For a client other than root (unix_sock_group), the
 * file and the directory are opened with the client's file-system
 * credentials, so the kernel checks its access along the whole path.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "driver.h"
#include "err.h"
#include "log.h"
#include "qemu-save-image.h"
#include "util.h"
#include "xmalloc.h"

VR_LOG_MODULE("qemu.save");

static const char save_magic[16] = "VireoSaveImage\n";

#define TMP_MARK	".vireo-save-"

static void
put_le32(unsigned char *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put_le64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t
get_le32(const unsigned char *p)
{
	uint32_t v = 0;
	int i;

	for (i = 3; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t
get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/*
 * This thread's file-system credentials, switched to a client's and back:
 * setfsuid/setfsgid and the raw setgroups system call (glibc's wrapper
 * would change every thread) affect the calling thread only. The client
 * keeps only its primary group; root's file capabilities are dropped by
 * the kernel while the fsuid is not 0.
 */
struct fs_creds {
	bool		 changed;
	uid_t		 uid;
	gid_t		 gid;
	gid_t		 groups[64];
	int		 ngroups;
};

static void
creds_leave(struct fs_creds *saved)
{
	if (!saved->changed)
		return;
	setfsuid(saved->uid);
	setfsgid(saved->gid);
	if (syscall(SYS_setgroups, (size_t)saved->ngroups, saved->groups) < 0)
		fatal("cannot restore the daemon's groups");
	saved->changed = false;
}

static int
creds_enter(const struct vr_caller *who, struct fs_creds *saved)
{
	memset(saved, 0, sizeof *saved);
	if (who == NULL || who->uid == 0)
		return 0;
	saved->uid = (uid_t)setfsuid((uid_t)-1);
	saved->gid = (gid_t)setfsgid((gid_t)-1);
	if ((saved->ngroups = getgroups((int)nitems(saved->groups),
	    saved->groups)) < 0) {
		vr_error_system(errno, "getgroups");
		return -1;
	}
	saved->changed = true;
	if (syscall(SYS_setgroups, (size_t)1, &who->gid) < 0) {
		vr_error_system(errno, "setgroups");
		creds_leave(saved);
		return -1;
	}
	setfsgid(who->gid);
	setfsuid(who->uid);
	if ((uid_t)setfsuid((uid_t)-1) != who->uid ||
	    (gid_t)setfsgid((gid_t)-1) != who->gid) {
		creds_leave(saved);
		vr_error(VR_ERR_SYSTEM, "cannot take the credentials of uid "
		    "%u", (unsigned int)who->uid);
		return -1;
	}
	return 0;
}

int
save_path_check(const char *path, const char *what)
{
	const char *p, *q;
	size_t len;

	if (path == NULL || *path == '\0') {
		vr_error(VR_ERR_INVALID_ARG, "no %s given", what);
		return -1;
	}
	if (path[0] != '/') {
		vr_error(VR_ERR_INVALID_ARG, "%s '%s' must be an absolute "
		    "path", what, path);
		return -1;
	}
	len = strlen(path);
	if (len >= PATH_MAX || path[len - 1] == '/') {
		vr_error(VR_ERR_INVALID_ARG, "%s '%s' is not a file name",
		    what, path);
		return -1;
	}
	for (p = path; *p != '\0'; p = q) {
		while (*p == '/')
			p++;
		q = p + strcspn(p, "/");
		if ((q - p == 1 && p[0] == '.') ||
		    (q - p == 2 && p[0] == '.' && p[1] == '.')) {
			vr_error(VR_ERR_INVALID_ARG, "%s '%s' must not contain "
			    "'.' or '..' components", what, path);
			return -1;
		}
	}
	return 0;
}

bool
save_tmp_name(const char *name)
{
	return name[0] == '.' && strstr(name, TMP_MARK) != NULL;
}

/* pread of exactly len bytes; 0, or -1 with errno (EPIPE: end of file). */
static int
pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static char *
read_xml(int fd, uint64_t off, uint32_t len)
{
	char *s = xmalloc((size_t)len + 1);

	if (pread_all(fd, s, len, off) < 0) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

static int
image_check(const char *path, struct save_image *img, uint64_t size)
{
	unsigned char h[SAVE_IMAGE_HEADER];
	size_t got = size < sizeof h ? (size_t)size : sizeof h;
	uint32_t version, xml_len, inactive_len;

	if (got > 0 && pread_all(img->fd, h, got, 0) < 0) {
		vr_error_system(errno, "cannot read save image '%s'", path);
		return -1;
	}
	if (got == 0 || memcmp(h, save_magic, got < 16 ? got : 16) != 0) {
		vr_error(VR_ERR_INVALID_ARG, "'%s' is not a Vireo save image",
		    path);
		return -1;
	}
	if (got < sizeof h) {
		vr_error(VR_ERR_INVALID_ARG, "save image '%s' is truncated: "
		    "%llu bytes, shorter than its header", path,
		    (unsigned long long)size);
		return -1;
	}
	version = get_le32(h + 16);
	if (version != SAVE_IMAGE_VERSION) {
		vr_error(VR_ERR_UNSUPPORTED, "save image '%s' has version %u; "
		    "this daemon reads version %d", path, version,
		    SAVE_IMAGE_VERSION);
		return -1;
	}
	img->flags = get_le32(h + 20);
	xml_len = get_le32(h + 24);
	inactive_len = get_le32(h + 28);
	img->data_off = get_le64(h + 32);
	img->data_len = get_le64(h + 40);
	if (xml_len == 0 || xml_len > SAVE_IMAGE_XML_MAX ||
	    inactive_len > SAVE_IMAGE_XML_MAX ||
	    img->data_off % SAVE_IMAGE_ALIGN != 0 ||
	    img->data_off < SAVE_IMAGE_HEADER + (uint64_t)xml_len +
	    inactive_len) {
		vr_error(VR_ERR_INVALID_ARG, "save image '%s' has a corrupt "
		    "header", path);
		return -1;
	}
	if (img->data_len == 0) {
		vr_error(VR_ERR_INVALID_ARG, "save image '%s' is incomplete: "
		    "its save never finished", path);
		return -1;
	}
	if (size < img->data_off + img->data_len) {
		vr_error(VR_ERR_INVALID_ARG, "save image '%s' is truncated: "
		    "%llu of %llu bytes", path, (unsigned long long)size,
		    (unsigned long long)(img->data_off + img->data_len));
		return -1;
	}
	if ((img->xml = read_xml(img->fd, SAVE_IMAGE_HEADER, xml_len)) ==
	    NULL || (inactive_len > 0 && (img->inactive = read_xml(img->fd,
	    SAVE_IMAGE_HEADER + (uint64_t)xml_len, inactive_len)) == NULL)) {
		vr_error_system(errno, "cannot read save image '%s'", path);
		return -1;
	}
	if (strlen(img->xml) != xml_len || (img->inactive != NULL &&
	    strlen(img->inactive) != inactive_len)) {
		vr_error(VR_ERR_INVALID_ARG, "save image '%s' has a corrupt "
		    "definition", path);
		return -1;
	}
	if (lseek(img->fd, (off_t)img->data_off, SEEK_SET) < 0) {
		vr_error_system(errno, "cannot seek in '%s'", path);
		return -1;
	}
	return 0;
}

int
save_image_open(const char *path, const struct vr_caller *who,
    struct save_image *img)
{
	struct fs_creds creds;
	struct stat st;
	int err;

	memset(img, 0, sizeof *img);
	if (creds_enter(who, &creds) < 0)
		return -1;
	/* O_NONBLOCK: a FIFO must not hang the open. */
	img->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	err = errno;
	creds_leave(&creds);
	if (img->fd < 0) {
		vr_error_system(err, "cannot open save image '%s'", path);
		return -1;
	}
	if (fstat(img->fd, &st) < 0) {
		vr_error_system(errno, "cannot stat '%s'", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		vr_error(VR_ERR_INVALID_ARG, "'%s' is not a regular file",
		    path);
		goto fail;
	}
	if (fcntl(img->fd, F_SETFL, 0) < 0) {
		vr_error_system(errno, "fcntl '%s'", path);
		goto fail;
	}
	if (image_check(path, img, (uint64_t)st.st_size) < 0)
		goto fail;
	return 0;
fail:
	save_image_close(img);
	return -1;
}

void
save_image_close(struct save_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
	free(img->xml);
	free(img->inactive);
	img->xml = img->inactive = NULL;
}

/*
 * Split path into a directory fd and the final name; checks both. With
 * the caller's credentials (creds_enter).
 */
static int
target_dir_open(struct save_target *t, const char *path)
{
	VR_AUTOFREE char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	struct stat st;

	t->base = xstrdup(slash + 1);
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((t->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			vr_error(VR_ERR_INVALID_ARG, "cannot save to '%s': "
			    "directory '%s' does not exist", path, dir);
		else
			vr_error_system(errno, "cannot save to '%s': cannot "
			    "open directory '%s'", path, dir);
		return -1;
	}
	if (!t->replace && fstatat(t->dirfd, t->base, &st,
	    AT_SYMLINK_NOFOLLOW) == 0) {
		vr_error(VR_ERR_EXISTS, "cannot save to '%s': the file "
		    "already exists", path);
		return -1;
	}
	return 0;
}

/* The temporary file, as the caller: it must be able to create it. */
static int
target_tmp_open(struct save_target *t, const struct vr_caller *who)
{
	static unsigned int counter;
	struct fs_creds creds;
	int rc = -1;

	if (creds_enter(who, &creds) < 0)
		return -1;
	if (target_dir_open(t, t->path) < 0)
		goto out;
	t->tmp = xprintf(".%s%s%d-%u", t->base, TMP_MARK, (int)getpid(),
	    __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST));
	if ((t->fd = openat(t->dirfd, t->tmp, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		vr_error_system(errno, "cannot save to '%s'", t->path);
		free(t->tmp);
		t->tmp = NULL;
		goto out;
	}
	rc = 0;
out:
	creds_leave(&creds);
	return rc;
}

int
save_target_create(struct save_target *t, const char *path,
    const struct vr_caller *who, bool replace, uint32_t flags,
    const char *xml, const char *inactive)
{
	VR_AUTOFREE unsigned char *head = NULL;
	size_t xml_len = strlen(xml);
	size_t inactive_len = inactive != NULL ? strlen(inactive) : 0;
	uint64_t off;

	memset(t, 0, sizeof *t);
	t->dirfd = t->fd = -1;
	t->replace = replace;
	t->path = xstrdup(path);
	if (xml_len > SAVE_IMAGE_XML_MAX || inactive_len > SAVE_IMAGE_XML_MAX) {
		vr_error(VR_ERR_INVALID_ARG, "the domain definition is too "
		    "large for a save image");
		goto fail;
	}
	if (target_tmp_open(t, who) < 0)
		goto fail;
	off = SAVE_IMAGE_HEADER + xml_len + inactive_len;
	off = (off + SAVE_IMAGE_ALIGN - 1) / SAVE_IMAGE_ALIGN *
	    SAVE_IMAGE_ALIGN;
	t->data_off = off;
	head = xcalloc(1, (size_t)off);
	memcpy(head, save_magic, sizeof save_magic);
	put_le32(head + 16, SAVE_IMAGE_VERSION);
	put_le32(head + 20, flags);
	put_le32(head + 24, (uint32_t)xml_len);
	put_le32(head + 28, (uint32_t)inactive_len);
	put_le64(head + 32, off);
	put_le64(head + 40, 0);
	memcpy(head + SAVE_IMAGE_HEADER, xml, xml_len);
	if (inactive_len > 0)
		memcpy(head + SAVE_IMAGE_HEADER + xml_len, inactive,
		    inactive_len);
	if (vr_write_all(t->fd, head, (size_t)off) < 0) {
		vr_error_system(errno, "cannot write to '%s'", path);
		goto fail;
	}
	return 0;
fail:
	save_target_close(t);
	return -1;
}

int
save_target_commit(struct save_target *t)
{
	unsigned char len[8];
	struct stat st;
	uint64_t data_len;

	if (fstat(t->fd, &st) < 0) {
		vr_error_system(errno, "cannot stat the image of '%s'",
		    t->path);
		return -1;
	}
	if ((uint64_t)st.st_size <= t->data_off) {
		vr_error(VR_ERR_QEMU, "QEMU wrote nothing to '%s'", t->path);
		return -1;
	}
	data_len = (uint64_t)st.st_size - t->data_off;
	put_le64(len, data_len);
	if (pwrite(t->fd, len, sizeof len, 40) != (ssize_t)sizeof len ||
	    fdatasync(t->fd) < 0) {
		vr_error_system(errno, "cannot write to '%s'", t->path);
		return -1;
	}
	if (t->replace) {
		if (renameat(t->dirfd, t->tmp, t->dirfd, t->base) < 0) {
			vr_error_system(errno, "cannot rename the image to "
			    "'%s'", t->path);
			return -1;
		}
	} else if (renameat2(t->dirfd, t->tmp, t->dirfd, t->base,
	    RENAME_NOREPLACE) < 0) {
		/* File systems without RENAME_NOREPLACE: link refuses too. */
		if (errno != EINVAL || linkat(t->dirfd, t->tmp, t->dirfd,
		    t->base, 0) < 0) {
			if (errno == EEXIST)
				vr_error(VR_ERR_EXISTS, "cannot save to '%s': "
				    "the file already exists", t->path);
			else
				vr_error_system(errno, "cannot rename the "
				    "image to '%s'", t->path);
			return -1;
		}
		unlinkat(t->dirfd, t->tmp, 0);
	}
	free(t->tmp);
	t->tmp = NULL;
	if (fsync(t->dirfd) < 0)
		log_warn("cannot sync the directory of '%s'", t->path);
	return 0;
}

void
save_target_close(struct save_target *t)
{
	if (t->tmp != NULL && t->dirfd >= 0 &&
	    unlinkat(t->dirfd, t->tmp, 0) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s' next to '%s'", t->tmp, t->path);
	if (t->fd >= 0)
		close(t->fd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	t->fd = t->dirfd = -1;
	free(t->tmp);
	free(t->base);
	free(t->path);
	t->tmp = t->base = t->path = NULL;
}
