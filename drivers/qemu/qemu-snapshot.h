/*
 * Snapshots (issue 7): what qemu-snapshot.c (the operations) takes from
 * qemu-snapshot-meta.c (the metadata store, who still needs an image).
 * The driver entry points are in qemu-domain.h. Any thread; the callers
 * that change a domain's snapshots hold its job.
 */
#ifndef VR_QEMU_SNAPSHOT_H
#define VR_QEMU_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

struct dom_def;
struct snap_def;

/* All snapshots of a domain, by creation time (then name). */
struct qemu_snap_set {
	struct snap_def	**defs;
	size_t		  n;
	char		 *current;	/* NULL: none */
};

/* Read every snapshot of domain dom; no directory is no snapshots. */
int		 qemu_snap_set_load(const char *dom, struct qemu_snap_set *);
void		 qemu_snap_set_clear(struct qemu_snap_set *);
struct snap_def	*qemu_snap_set_find(const struct qemu_snap_set *,
		    const char *name);
/* STATE/qemu/snapshot/DOM and .../DOM/NAME.xml (caller frees). */
char		*qemu_snap_dir(const char *dom);
char		*qemu_snap_file(const char *dom, const char *name);
/* Write a snapshot's file atomically. */
int		 qemu_snap_save(const char *dom, const struct snap_def *);
/* Record the current snapshot (NULL: none). */
int		 qemu_snap_set_current(const char *dom, const char *name);

/* The same file (name, or device and inode). */
bool		 qemu_snap_same_file(const char *a, const char *b);
/* def with its volume disks as paths; *copy is the caller's. */
const struct dom_def *qemu_snap_resolved_def(const struct dom_def *,
		    struct dom_def **copy);

/*
 * 1 and why (a phrase: "disk 'vda' of running domain 'vm'") if anything
 * but the snapshots skip (NULL-terminated names) of domain dom needs the
 * image at path; 0 if nothing does (a missing file is unused).
 */
int		 qemu_snap_image_user(const char *path, const char *dom,
		    char *const *skip, char *why, size_t len);
/*
 * 1 and why if the image at path is in the backing chain (not the top)
 * of a domain's disk, a snapshot's overlay or a volume.
 */
int		 qemu_snap_image_backing_user(const char *path,
		    const char *dom, char *why, size_t len);

#endif
