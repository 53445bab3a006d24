/*
 * Storage pool definitions: libvirt's pool XML, parsed into struct
 * pool_def and formatted back (parse and format are mirrors). Anything we
 * do not support is refused with its name and line.
 *
 *   <pool type='dir'>
 *     <name>default</name>
 *     <uuid>...</uuid>
 *     <capacity unit='bytes'>N</capacity>     (state: written by vireod,
 *     <allocation unit='bytes'>N</allocation>  accepted and ignored on
 *     <available unit='bytes'>N</available>    input)
 *     <source>                                 (type 'fs':
 *     </source>                                 <device path='/dev/sdb1'/>
 *                                               <format type='ext4'/>)
 *     <target>
 *       <path>/var/lib/vireo/images</path>
 *       <permissions><mode>0711</mode><owner>0</owner><group>0</group>
 *       </permissions>
 *     </target>
 *   </pool>
 *
 * Sizes are kept in bytes. Types 'dir' (a directory) and 'fs' (a file
 * system, on a device or an image file, mounted on the target path).
 */
#ifndef VR_POOL_DEF_H
#define VR_POOL_DEF_H

#include <stdbool.h>
#include <libxml/tree.h>

#include "buf.h"
#include "util.h"
#include "xmalloc.h"

enum pool_type {
	POOL_TYPE_DIR,
	POOL_TYPE_FS,
	POOL_TYPE_LOGICAL,	/* not supported yet */
	POOL_TYPE_LAST
};
VR_ENUM_DECL(pool_type);

/* <source><format type=...> of an fs pool: what mount -t is told. */
enum pool_fs_format {
	POOL_FS_AUTO,
	POOL_FS_EXT2,
	POOL_FS_EXT3,
	POOL_FS_EXT4,
	POOL_FS_XFS,
	POOL_FS_VFAT,
	POOL_FS_LAST
};
VR_ENUM_DECL(pool_fs_format);

/* <permissions> of a pool's directory or of a volume; -1: not given. */
struct pool_perms {
	int		 mode;		/* 0 to 07777 */
	long long	 owner;		/* uid */
	long long	 group;		/* gid */
};

struct pool_def {
	enum pool_type	 type;
	char		*name;
	unsigned char	 uuid[16];	/* generated if absent */
	/* State of an active pool; 0 in definitions. */
	unsigned long long capacity;
	unsigned long long allocation;
	unsigned long long available;
	char		*source_device;	/* fs: absolute path; else NULL */
	enum pool_fs_format source_format; /* fs */
	char		*target_path;	/* absolute, normalized */
	struct pool_perms perms;
};

/* Where storagepool.rng lives (default: the installed schema directory). */
void	 pool_def_set_schema_dir(const char *);

/* pool_def_parse flags */
#define POOL_PARSE_VALIDATE	0x1	/* RelaxNG validation */

/* NULL with VR_ERR_XML "line N: ..." on error; runs pool_def_validate. */
struct pool_def	*pool_def_parse_string(const char *xml, unsigned int flags);
struct pool_def	*pool_def_parse_file(const char *path, unsigned int flags);
int		 pool_def_validate(const struct pool_def *);
/* libvirt's layout, sizes in bytes. Caller frees. */
char		*pool_def_format(const struct pool_def *);
struct pool_def	*pool_def_copy(const struct pool_def *);
void		 pool_def_free(struct pool_def *);
VR_DEFINE_AUTO(pool_def)

/*
 * Pool and volume names: vr_name_valid() and no "..". Reports with code
 * "invalid <what> name 'x': expected ..." and returns -1.
 */
int	 pool_name_check(int code, const char *what, const char *name);

/* Shared with vol-def.c: <permissions> inside node, and its mirror. */
int	 pool_perms_parse(xmlNode *parent, struct pool_perms *);
void	 pool_perms_format(struct vr_buf *, const struct pool_perms *);
/* The schema directory set above, for vol-def.c. */
char	*pool_schema_path(const char *file);

#endif
