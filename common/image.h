/* Disk image headers: what a file needs besides itself (backing files). */
#ifndef VR_IMAGE_H
#define VR_IMAGE_H

/*
 * The backing file named by a qcow2 image's header, resolved against the
 * image's directory when relative; NULL for raw images, qcow2 images
 * without backing file, or unreadable files. Caller frees.
 */
char	*vr_image_backing_path(const char *path);

#endif
