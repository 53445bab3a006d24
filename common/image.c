#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "image.h"
#include "xmalloc.h"

#define BACKING_MAX	4096

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

char *
vr_image_backing_path(const char *path)
{
	unsigned char h[32];
	char name[BACKING_MAX + 1];
	const char *slash;
	uint64_t off;
	uint32_t size;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	/* qcow2: "QFI\xfb", version, backing offset (8), size (16). */
	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, "QFI\xfb", 4) != 0) {
		close(fd);
		return NULL;
	}
	off = (uint64_t)be32(h + 8) << 32 | be32(h + 12);
	size = be32(h + 16);
	if (off == 0 || size == 0 || size > BACKING_MAX ||
	    pread(fd, name, size, (off_t)off) != (ssize_t)size) {
		close(fd);
		return NULL;
	}
	close(fd);
	name[size] = '\0';
	if (strlen(name) != size)
		return NULL;
	if (name[0] == '/' || (slash = strrchr(path, '/')) == NULL)
		return xstrdup(name);
	return xprintf("%.*s/%s", (int)(slash - path), path, name);
}
