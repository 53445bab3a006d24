/*
 * Storage volume definitions: libvirt's volume XML, parsed into struct
 * vol_def and formatted back (parse and format are mirrors).
 *
 *   <volume type='file'>
 *     <name>vm1.qcow2</name>
 *     <key>/pool/vm1.qcow2</key>                 (written by vireod)
 *     <capacity unit='bytes'>N</capacity>        (unit= any libvirt unit)
 *     <allocation unit='bytes'>N</allocation>
 *     <physical unit='bytes'>N</physical>        (written by vireod)
 *     <target>
 *       <path>/pool/vm1.qcow2</path>             (written by vireod)
 *       <format type='qcow2'/>                   (raw or qcow2)
 *       <permissions>...</permissions>
 *     </target>
 *     <backingStore>
 *       <path>/pool/base.qcow2</path>            (or a volume name)
 *       <format type='qcow2'/>
 *     </backingStore>
 *   </volume>
 *
 * key, physical and target path are state: accepted so that vireod's own
 * output parses, ignored when creating (the pool decides the path).
 */
#ifndef VR_VOL_DEF_H
#define VR_VOL_DEF_H

#include <stdbool.h>

#include "pool-def.h"
#include "util.h"
#include "xmalloc.h"

enum vol_type {
	VOL_TYPE_FILE,
	VOL_TYPE_LAST
};
VR_ENUM_DECL(vol_type);

enum vol_format {
	VOL_FORMAT_RAW,
	VOL_FORMAT_QCOW2,
	VOL_FORMAT_LAST
};
VR_ENUM_DECL(vol_format);

struct vol_def {
	enum vol_type	 type;
	char		*name;
	char		*key;		/* NULL: not given */
	unsigned long long capacity;	/* bytes */
	bool		 has_capacity;	/* absent: the backing store's */
	unsigned long long allocation;	/* bytes */
	bool		 has_allocation;
	unsigned long long physical;	/* bytes */
	bool		 has_physical;
	char		*target_path;	/* NULL: not given */
	enum vol_format	 format;	/* absent: raw */
	struct pool_perms perms;
	char		*backing_path;	/* NULL: no backing store */
	enum vol_format	 backing_format;
	bool		 has_backing_format;
};

/* vol_def_parse flags */
#define VOL_PARSE_VALIDATE	0x1	/* RelaxNG (storagevol.rng) */

/* NULL with VR_ERR_XML "line N: ..." on error; runs vol_def_validate. */
struct vol_def	*vol_def_parse_string(const char *xml, unsigned int flags);
int		 vol_def_validate(const struct vol_def *);
char		*vol_def_format(const struct vol_def *);
struct vol_def	*vol_def_copy(const struct vol_def *);
void		 vol_def_free(struct vol_def *);
VR_DEFINE_AUTO(vol_def)

#endif
