/*
 * Domain snapshot definitions: libvirt's domainsnapshot XML, parsed into
 * struct snap_def and formatted back (parse and format are mirrors).
 *
 *   <domainsnapshot>
 *     <name>s1</name>
 *     <description>before the upgrade</description>
 *     <state>running</state>         (running paused shutoff disk-snapshot)
 *     <parent>
 *       <name>s0</name>
 *     </parent>
 *     <creationTime>1700000000</creationTime>
 *     <memory snapshot='internal'/>  (internal or no)
 *     <disks>
 *       <disk name='vda' snapshot='internal'/>
 *       <disk name='vdb' snapshot='external' type='file'>
 *         <driver type='qcow2'/>
 *         <source file='/images/vdb.s1'/>
 *       </disk>
 *       <disk name='hdc' snapshot='no'/>
 *     </disks>
 *     <domain type='qemu'>...</domain>   (the domain when it was taken)
 *   </domainsnapshot>
 *
 * Everything but <name> is optional on input (a user's file for
 * snapshot-create); vireod writes all of it in its metadata. A disk's
 * external <source file> is the overlay created by the snapshot: the
 * disk's image at snapshot time is the source in <domain>.
 */
#ifndef VR_SNAP_DEF_H
#define VR_SNAP_DEF_H

#include <stdbool.h>
#include <stddef.h>

#include "dom-def.h"
#include "util.h"
#include "xmalloc.h"

enum snap_state {
	SNAP_STATE_RUNNING,
	SNAP_STATE_PAUSED,
	SNAP_STATE_SHUTOFF,
	SNAP_STATE_DISK_SNAPSHOT,
	SNAP_STATE_LAST
};
VR_ENUM_DECL(snap_state);

enum snap_location {
	SNAP_LOC_DEFAULT,		/* attribute absent */
	SNAP_LOC_NO,
	SNAP_LOC_INTERNAL,
	SNAP_LOC_EXTERNAL,
	SNAP_LOC_LAST
};
VR_ENUM_DECL(snap_location);

struct snap_disk {
	char			*name;		/* target dev: vda */
	enum snap_location	 snapshot;
	/* external only */
	char			*src_path;	/* the overlay */
	enum dom_disk_format	 format;	/* of the overlay */
};

struct snap_def {
	char			*name;
	char			*description;	/* NULL: none */
	bool			 has_state;
	enum snap_state		 state;
	char			*parent;	/* NULL: a root */
	long long		 creation_time;	/* seconds; 0: not given */
	enum snap_location	 memory;	/* DEFAULT: absent */
	struct snap_disk	*disks;
	size_t			 ndisks;
	struct dom_def		*dom;		/* NULL: absent */
};

/* snap_def_parse flags */
#define SNAP_PARSE_VALIDATE	0x1	/* RelaxNG (domainsnapshot.rng) */

/* NULL with VR_ERR_XML "line N: ..." on error; runs snap_def_validate. */
struct snap_def	*snap_def_parse_string(const char *xml, unsigned int flags);
struct snap_def	*snap_def_parse_file(const char *path, unsigned int flags);
int		 snap_def_validate(const struct snap_def *);
/* flags: DOM_FORMAT_* for the embedded domain. */
char		*snap_def_format(const struct snap_def *, unsigned int flags);
struct snap_def	*snap_def_copy(const struct snap_def *);
void		 snap_def_free(struct snap_def *);
VR_DEFINE_AUTO(snap_def)

/*
 * A snapshot name: 1 to 64 of A-Z a-z 0-9 _ . + - :, not starting with
 * '.' or '-', without '..' (it names a file and a qcow2 tag). -1 with
 * error code and "invalid snapshot name 'x': ...".
 */
int		 snap_name_check(int code, const char *name);
/* The disk named dev in def, or NULL. */
const struct snap_disk *snap_def_disk(const struct snap_def *,
		    const char *dev);

#endif
