/*
 * Save images: the file format and the files themselves, with nothing of
 * QEMU. An image is a header carrying the domain's definition, then
 * QEMU's migration stream from an aligned offset:
 *
 *   0   magic "VireoSaveImage\n" and a NUL (16 bytes)
 *   16  u32 version (1)
 *   20  u32 flags: SAVE_IMAGE_RUNNING (the guest runs after restore)
 *   24  u32 length of the live XML
 *   28  u32 length of the persistent XML (0: transient domain)
 *   32  u64 offset of QEMU's stream (a multiple of 4096)
 *   40  u64 length of QEMU's stream (0 until the save completed)
 *   48  16 bytes reserved (zero)
 *   64  the live XML, then the persistent XML, zeros up to the stream
 *
 * Integers are little-endian. The stream length is written last, once
 * QEMU is done; an image under its final name always has it.
 */
#ifndef VR_QEMU_SAVE_IMAGE_H
#define VR_QEMU_SAVE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vr_caller;

#define SAVE_IMAGE_VERSION	1
#define SAVE_IMAGE_RUNNING	0x1
#define SAVE_IMAGE_HEADER	64
#define SAVE_IMAGE_ALIGN	4096
#define SAVE_IMAGE_XML_MAX	(4 * 1024 * 1024)

/* An image open for reading. */
struct save_image {
	int		 fd;		/* at the stream's start */
	uint32_t	 flags;
	char		*xml;		/* live definition */
	char		*inactive;	/* persistent; NULL: transient */
	uint64_t	 data_off;
	uint64_t	 data_len;
};

/*
 * A new image being written: a temporary file in the target's directory,
 * renamed to its final name once complete (never over an existing file
 * unless replace), so that no failed or interrupted save leaves a partial
 * file under that name.
 */
struct save_target {
	int		 dirfd;
	int		 fd;		/* the temporary file */
	char		*path;		/* final path, for messages */
	char		*base;		/* final name in dirfd */
	char		*tmp;		/* temporary name or NULL */
	bool		 replace;
	uint64_t	 data_off;
};

/*
 * A path given by a client: absolute, no "." or ".." component, not
 * ending in '/'. what names it in errors ("save file").
 */
int		 save_path_check(const char *path, const char *what);

/*
 * Open and check an image; errors name the path and what is wrong. who
 * (NULL: root) must be able to open it itself.
 */
int		 save_image_open(const char *path, const struct vr_caller *who,
		    struct save_image *);
void		 save_image_close(struct save_image *);

/*
 * Create the temporary file of path (in an existing directory) and write
 * the header; the fd is left at the stream's offset. Nothing is left
 * behind on failure. who (NULL: root) must be able to create the file
 * itself, and owns it.
 */
int		 save_target_create(struct save_target *, const char *path,
		    const struct vr_caller *who, bool replace, uint32_t flags,
		    const char *xml, const char *inactive);
/* QEMU is done: record the stream's length, sync, rename. */
int		 save_target_commit(struct save_target *);
/* Remove the temporary file (if any) and close everything. */
void		 save_target_close(struct save_target *);

/* Is name one of our temporary files (for clean-up at start)? */
bool		 save_tmp_name(const char *name);

#endif
