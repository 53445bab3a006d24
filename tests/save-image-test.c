/*
 * Save images without QEMU (drivers/qemu/qemu-save-image.c): paths a
 * client may name, an image written and read back, the refusals of files
 * that are not complete images (garbage, cut in the header, truncated
 * stream, unfinished save, other version, corrupt header), a FIFO, a
 * failed or abandoned save leaving nothing behind, and (as root) a client
 * other than root limited to files it could open itself.
 */
#include "config.h"

#include <dirent.h>
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
#include "qemu-save-image.h"
#include "spawn.h"
#include "util.h"
#include "xmalloc.h"

static char root[] = "/tmp/vireo-save-image-test.XXXXXX";

#define XML		"<domain type='qemu'><name>vm1</name></domain>"
#define INACTIVE	"<domain type='qemu'><name>vm1</name><!-- p --></domain>"
#define STREAM_LEN	10000

/* The call failed with a message containing text. */
static void
check_fails(int rc, const char *text, const char *what)
{
	bool ok = rc < 0 && strstr(vr_error_message(), text) != NULL;

	check(ok, "%s", what);
	if (!ok)
		printf("#   rc %d, error: %s\n", rc, vr_error_message());
	vr_error_reset();
}

/* Files in root whose name contains s. */
static int
count_files(const char *dir, const char *s)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, s) != NULL)
			n++;
	if (d != NULL)
		closedir(d);
	return n;
}

/* A complete image at path with a stream of STREAM_LEN bytes. */
static int
make_image(const char *path, const struct vr_caller *who)
{
	struct save_target t;
	char stream[STREAM_LEN];
	int rc;

	memset(stream, 'Q', sizeof stream);
	if (save_target_create(&t, path, who, false, SAVE_IMAGE_RUNNING, XML,
	    INACTIVE) < 0)
		return -1;
	rc = vr_write_all(t.fd, stream, sizeof stream) < 0 ? -1 :
	    save_target_commit(&t);
	save_target_close(&t);
	return rc;
}

/* Copy src to dst, keeping len bytes (-1: all), then patch bytes. */
static void
copy_file(const char *src, const char *dst, long len, long off,
    const void *patch, size_t plen)
{
	size_t n;
	VR_AUTOFREE char *data = vr_file_read(src, 1 << 20, &n);
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (data == NULL || fd < 0)
		abort();
	if (len >= 0 && (size_t)len < n)
		n = (size_t)len;
	if (patch != NULL)
		memcpy(data + off, patch, plen);
	if (n > 0 && vr_write_all(fd, data, n) < 0)
		abort();
	close(fd);
}

static int
open_image(const char *path, const struct vr_caller *who)
{
	struct save_image img;

	if (save_image_open(path, who, &img) < 0)
		return -1;
	save_image_close(&img);
	return 0;
}

static void
test_paths(void)
{
	check(save_path_check("/a/b.save", "save file") == 0, "absolute path");
	check(save_path_check("//a//b.save", "save file") == 0,
	    "doubled slashes");
	check_fails(save_path_check("b.save", "save file"), "must be an "
	    "absolute path", "relative path refused");
	check_fails(save_path_check("/a/../b", "save file"), "'.' or '..'",
	    "'..' refused");
	check_fails(save_path_check("/a/./b", "save file"), "'.' or '..'",
	    "'.' refused");
	check_fails(save_path_check("/a/..", "save file"), "'.' or '..'",
	    "final '..' refused");
	check_fails(save_path_check("/a/b/", "save file"), "not a file name",
	    "trailing slash refused");
	check_fails(save_path_check("", "save file"), "no save file",
	    "empty path refused");
	check(save_tmp_name(".x.save.vireo-save-12-3"), "temporary name");
	check(!save_tmp_name("x.save"), "image name is not temporary");
}

static void
test_round_trip(void)
{
	VR_AUTOFREE char *path = xprintf("%s/a.save", root);
	VR_AUTOFREE char *link = xprintf("%s/link.save", root);
	VR_AUTOFREE char *missing = xprintf("%s/nodir/x.save", root);
	struct save_target t;
	struct save_image img;
	struct stat st;

	check(make_image(path, NULL) == 0, "an image is written");
	check(stat(path, &st) == 0 && st.st_size == 4096 + STREAM_LEN &&
	    (st.st_mode & 0777) == 0600, "header padded to 4096, mode 0600");
	check(count_files(root, "vireo-save") == 0, "no temporary file left");
	if (save_image_open(path, NULL, &img) < 0) {
		check(false, "the image reads back: %s", vr_error_message());
		return;
	}
	check(strcmp(img.xml, XML) == 0, "live definition read back");
	check(img.inactive != NULL && strcmp(img.inactive, INACTIVE) == 0,
	    "persistent definition read back");
	check(img.flags == SAVE_IMAGE_RUNNING, "flags read back");
	check(img.data_off == 4096 && img.data_len == STREAM_LEN,
	    "stream offset and length");
	check(lseek(img.fd, 0, SEEK_CUR) == 4096, "fd left at the stream");
	check(img.boot_vcpus == 0, "no boot vCPU count by default");
	save_image_close(&img);

	/* The vCPUs QEMU booted with, when some were hot-plugged. */
	unlink(path);
	if (save_target_create(&t, path, NULL, false, 0, XML, NULL) == 0) {
		check(save_target_set_boot_vcpus(&t, 3) == 0 &&
		    vr_write_all(t.fd, "QEMU", 4) == 4 &&
		    save_target_commit(&t) == 0, "boot vCPUs recorded");
		save_target_close(&t);
	}
	check(save_image_open(path, NULL, &img) == 0 &&
	    img.boot_vcpus == 3 && img.inactive == NULL && img.data_len == 4,
	    "boot vCPUs read back (transient, 4-byte stream)");
	save_image_close(&img);
	unlink(path);
	check(make_image(path, NULL) == 0, "image written again");

	check_fails(make_image(path, NULL), "already exists",
	    "an existing file is never replaced");
	check(symlink("/etc/passwd", link) == 0, "symlink made");
	check_fails(make_image(link, NULL), "already exists",
	    "a symbolic link is not followed");
	check_fails(make_image(missing, NULL), "does not exist",
	    "a missing directory is refused");
	check(count_files(root, "vireo-save") == 0,
	    "refusals leave no temporary file");

	/* An abandoned save (QEMU failed): nothing left at all. */
	unlink(path);
	check(save_target_create(&t, path, NULL, false, 0, XML, NULL) == 0 &&
	    count_files(root, "vireo-save") == 1, "save in progress: a "
	    "temporary file");
	save_target_close(&t);
	check(access(path, F_OK) < 0 && count_files(root, "vireo-save") == 0,
	    "an abandoned save leaves nothing");
	check(make_image(path, NULL) == 0, "image written again");
}

static void
test_refusals(void)
{
	VR_AUTOFREE char *good = xprintf("%s/a.save", root);
	VR_AUTOFREE char *bad = xprintf("%s/bad.save", root);
	VR_AUTOFREE char *fifo = xprintf("%s/fifo.save", root);
	VR_AUTOFREE char *msg = NULL;
	unsigned char zero8[8] = { 0 }, v2[4] = { 2, 0, 0, 0 };
	unsigned char big[4] = { 0xff, 0xff, 0xff, 0x7f };
	unsigned char odd[8] = { 0x01, 0x10, 0, 0, 0, 0, 0, 0 };

	check(open_image(good, NULL) == 0, "the good image opens");
	copy_file("/etc/hostname", bad, -1, 0, NULL, 0);
	check_fails(open_image(bad, NULL), "is not a Vireo save image",
	    "a text file is not an image");
	copy_file(good, bad, 0, 0, NULL, 0);
	check_fails(open_image(bad, NULL), "is not a Vireo save image",
	    "an empty file is not an image");
	copy_file(good, bad, 5, 0, NULL, 0);
	check_fails(open_image(bad, NULL), "is truncated", "cut in the magic");
	copy_file(good, bad, 40, 0, NULL, 0);
	check_fails(open_image(bad, NULL), "shorter than its header",
	    "cut in the header");
	copy_file(good, bad, 5000, 0, NULL, 0);
	msg = xprintf("is truncated: 5000 of %d bytes", 4096 + STREAM_LEN);
	check_fails(open_image(bad, NULL), msg, "cut in the stream");
	copy_file(good, bad, -1, 40, zero8, sizeof zero8);
	check_fails(open_image(bad, NULL), "its save never finished",
	    "no stream length: an unfinished save");
	copy_file(good, bad, -1, 16, v2, sizeof v2);
	check_fails(open_image(bad, NULL), "has version 2; this daemon reads "
	    "version 1", "another version");
	copy_file(good, bad, -1, 24, big, sizeof big);
	check_fails(open_image(bad, NULL), "corrupt header",
	    "a huge definition length");
	copy_file(good, bad, -1, 32, odd, sizeof odd);
	check_fails(open_image(bad, NULL), "corrupt header",
	    "a stream offset not aligned");
	copy_file(good, bad, -1, 64 + 3, zero8, 1);
	check_fails(open_image(bad, NULL), "corrupt definition",
	    "a NUL inside the definition");
	check(mkfifo(fifo, 0600) == 0, "fifo made");
	check_fails(open_image(fifo, NULL), "not a regular file",
	    "a FIFO is refused without hanging");
	check_fails(open_image(root, NULL), "not a regular file",
	    "a directory is refused");
}

/* As root: a client other than root gets its own access rights. */
static void
test_caller(void)
{
	struct vr_caller nobody = { 65534, 65534 };
	VR_AUTOFREE char *good = xprintf("%s/a.save", root);
	VR_AUTOFREE char *mine = xprintf("%s/nobody", root);
	VR_AUTOFREE char *path = xprintf("%s/nobody/n.save", root);
	VR_AUTOFREE char *there = xprintf("%s/n.save", root);
	struct stat st;

	if (geteuid() != 0) {
		printf("# not root: client credentials not tested\n");
		return;
	}
	chmod(root, 0755);
	check_fails(open_image(good, &nobody), "Permission denied",
	    "a client cannot read root's 0600 image");
	check_fails(make_image(there, &nobody), "Permission denied",
	    "a client cannot create files in root's directory");
	check(access(there, F_OK) < 0 && count_files(root, "vireo-save") == 0,
	    "nothing was created there");
	check(mkdir(mine, 0700) == 0 && chown(mine, 65534, 65534) == 0,
	    "the client's directory");
	check(make_image(path, &nobody) == 0, "a client saves in its own "
	    "directory");
	check(stat(path, &st) == 0 && st.st_uid == 65534 &&
	    st.st_gid == 65534, "its image belongs to it");
	check(open_image(path, &nobody) == 0, "and it reads it back");
	check(open_image(path, NULL) == 0 && access(good, R_OK) == 0,
	    "root's credentials are back");
}

int
main(void)
{
	const char *rm[] = { "/bin/rm", "-rf", root, NULL };

	vr_log_init("save-image-test", VR_LOG_ERROR, false);
	if (mkdtemp(root) == NULL)
		return 1;
	test_paths();
	test_round_trip();
	test_refusals();
	test_caller();
	vr_run(rm, NULL, NULL);
	return test_done();
}
