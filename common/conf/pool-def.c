/*
 * Storage pool definitions: parse, validate and format libvirt's pool XML
 * (see pool-def.h). The getters of xml-util mark what they read; whatever
 * is left is refused by vr_xml_check_consumed() with its name and line.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "pool-def.h"
#include "util.h"
#include "xml-util.h"
#include "xmalloc.h"

VR_ENUM_IMPL(pool_type, POOL_TYPE_LAST, "dir", "fs", "logical")
VR_ENUM_IMPL(pool_fs_format, POOL_FS_LAST, "auto", "ext2", "ext3", "ext4",
    "xfs", "vfat")

static char *pool_schema_dir;

void
pool_def_set_schema_dir(const char *dir)
{
	free(pool_schema_dir);
	pool_schema_dir = xstrdup(dir);
}

char *
pool_schema_path(const char *file)
{
	return xprintf("%s/%s", pool_schema_dir != NULL ? pool_schema_dir :
	    VR_SCHEMADIR, file);
}

int
pool_name_check(int code, const char *what, const char *name)
{
	if (vr_name_valid(name) && strstr(name, "..") == NULL)
		return 0;
	vr_error(code, "invalid %s name '%s': expected 1 to 64 of A-Z a-z 0-9 "
	    "_ . + - :, not starting with '.' or '-', without '..'", what,
	    name != NULL ? name : "");
	return -1;
}

/* <owner> or <group>: a number, or -1 as libvirt writes "unset". */
static int
perms_parse_id(xmlNode *parent, const char *name, long long *id)
{
	xmlNode *n = vr_xml_child(parent, name);
	VR_AUTOFREE char *s = NULL;
	unsigned long long v;

	if (n == NULL)
		return 0;
	s = vr_xml_text(n);
	if (strcmp(s, "-1") == 0) {
		*id = -1;
		return 0;
	}
	if (vr_parse_ull(s, &v) < 0 || v > UINT_MAX - 1) {
		vr_xml_error(n, "invalid value '%s' for <%s>: expected a "
		    "numeric id", s, name);
		return -1;
	}
	*id = (long long)v;
	return 0;
}

int
pool_perms_parse(xmlNode *parent, struct pool_perms *p)
{
	xmlNode *perms = vr_xml_child(parent, "permissions"), *n;
	VR_AUTOFREE char *s = NULL;
	char *end;
	unsigned long v;

	p->mode = -1;
	p->owner = -1;
	p->group = -1;
	if (perms == NULL)
		return 0;
	if ((n = vr_xml_child(perms, "mode")) != NULL) {
		s = vr_xml_text(n);
		v = strtoul(s, &end, 8);
		if (*s < '0' || *s > '7' || *end != '\0' || v > 07777) {
			vr_xml_error(n, "invalid value '%s' for <mode>: "
			    "expected an octal mode like 0755", s);
			return -1;
		}
		p->mode = (int)v;
	}
	if (perms_parse_id(perms, "owner", &p->owner) < 0 ||
	    perms_parse_id(perms, "group", &p->group) < 0)
		return -1;
	return 0;
}

void
pool_perms_format(struct vr_buf *b, const struct pool_perms *p)
{
	if (p->mode < 0 && p->owner < 0 && p->group < 0)
		return;
	vr_buf_line(b, "<permissions>");
	b->indent++;
	if (p->mode >= 0)
		vr_buf_line(b, "<mode>%04o</mode>", (unsigned int)p->mode);
	if (p->owner >= 0)
		vr_buf_line(b, "<owner>%lld</owner>", p->owner);
	if (p->group >= 0)
		vr_buf_line(b, "<group>%lld</group>", p->group);
	vr_xml_fmt_close(b, "permissions");
}

static int
pool_parse_header(struct pool_def *def, xmlNode *root)
{
	int v;

	if ((v = vr_xml_attr_enum(root, "type",
	    VR_XML_ENUM(pool_type, POOL_TYPE_LAST),
	    VR_XML_BIT(POOL_TYPE_DIR) | VR_XML_BIT(POOL_TYPE_FS),
	    VR_XML_REQUIRED)) < 0)
		return -1;
	def->type = v;
	return vr_xml_name_uuid(root, &def->name, def->uuid);
}

/* The sizes an active pool reports; read so that our output parses. */
static int
pool_parse_sizes(struct pool_def *def, xmlNode *root)
{
	static const char *const names[] = { "capacity", "allocation",
	    "available" };
	unsigned long long *vals[] = { &def->capacity, &def->allocation,
	    &def->available };
	xmlNode *n;
	size_t i;

	for (i = 0; i < nitems(names); i++) {
		if ((n = vr_xml_child(root, names[i])) != NULL &&
		    vr_xml_text_bytes(n, "bytes", vals[i]) < 0)
			return -1;
	}
	return 0;
}

/* "/a//b/" -> "/a/b"; refuses "." and ".." components. */
static int
pool_path_normalize(char *path)
{
	char *r = path, *w = path;

	while (*r != '\0') {
		if (r[0] == '/' && (r[1] == '/' || (r[1] == '\0' && w > path))) {
			r++;
			continue;
		}
		if (r[0] == '/' && r[1] == '.' && (r[2] == '/' ||
		    r[2] == '\0' || (r[2] == '.' && (r[3] == '/' ||
		    r[3] == '\0'))))
			return -1;
		*w++ = *r++;
	}
	*w = '\0';
	return 0;
}

/* An fs pool's <source>: the device (or image file) and its format. */
static int
pool_parse_source(struct pool_def *def, xmlNode *root)
{
	xmlNode *src = vr_xml_child(root, "source"), *n;
	const char *path;
	int v = POOL_FS_AUTO;

	/* A dir pool has an empty <source>: anything in it is refused. */
	if (def->type != POOL_TYPE_FS)
		return 0;
	if (src == NULL)
		src = vr_xml_child_req(root, "source");
	if (src == NULL || (n = vr_xml_child_req(src, "device")) == NULL ||
	    (path = vr_xml_attr_req(n, "path")) == NULL)
		return -1;
	if (path[0] != '/') {
		vr_xml_attr_invalid(n, "path", path, "expected an absolute "
		    "path");
		return -1;
	}
	def->source_device = xstrdup(path);
	if ((n = vr_xml_child(src, "format")) != NULL &&
	    (v = vr_xml_attr_enum(n, "type", VR_XML_ENUM(pool_fs_format,
	    POOL_FS_LAST), VR_XML_ALL, VR_XML_REQUIRED)) < 0)
		return -1;
	def->source_format = v;
	return 0;
}

static int
pool_parse_target(struct pool_def *def, xmlNode *root)
{
	xmlNode *target, *n;

	if (pool_parse_source(def, root) < 0)
		return -1;
	if ((target = vr_xml_child_req(root, "target")) == NULL ||
	    (n = vr_xml_child_req(target, "path")) == NULL)
		return -1;
	def->target_path = vr_xml_text(n);
	if (def->target_path[0] != '/' ||
	    pool_path_normalize(def->target_path) < 0) {
		vr_xml_error(n, "invalid target path '%s': expected an "
		    "absolute path without '.' or '..' components",
		    def->target_path);
		return -1;
	}
	return pool_perms_parse(target, &def->perms);
}

static int
pool_parse_root(struct pool_def *def, xmlNode *root)
{
	if (pool_parse_header(def, root) < 0 ||
	    pool_parse_sizes(def, root) < 0 ||
	    pool_parse_target(def, root) < 0)
		return -1;
	return vr_xml_check_consumed(root);
}

int
pool_def_validate(const struct pool_def *def)
{
	if (pool_name_check(VR_ERR_XML, "pool", def->name) < 0)
		return -1;
	if (def->target_path == NULL || def->target_path[0] != '/' ||
	    strcmp(def->target_path, "/") == 0) {
		vr_error(VR_ERR_XML, "pool '%s': target path '%s' must be an "
		    "absolute path to a directory other than /", def->name,
		    def->target_path != NULL ? def->target_path : "");
		return -1;
	}
	if (strlen(def->target_path) > PATH_MAX - 80) {
		vr_error(VR_ERR_XML, "pool '%s': target path is too long",
		    def->name);
		return -1;
	}
	return 0;
}

struct pool_def *
pool_def_parse_string(const char *xml, unsigned int flags)
{
	VR_AUTO_XMLDOC doc = NULL;
	VR_AUTO(pool_def) def = NULL;
	VR_AUTOFREE char *schema = NULL;
	xmlNode *root;

	if ((doc = vr_xml_parse_string(xml)) == NULL ||
	    (root = vr_xml_root(doc, "pool")) == NULL)
		return NULL;
	def = xcalloc(1, sizeof *def);
	if (pool_parse_root(def, root) < 0)
		return NULL;
	if (pool_def_validate(def) < 0)
		return NULL;
	schema = pool_schema_path("storagepool.rng");
	if ((flags & POOL_PARSE_VALIDATE) && vr_xml_validate(doc, schema) < 0)
		return NULL;
	return vr_steal(&def);
}

VR_XML_PARSE_FILE_IMPL(pool_def)

char *
pool_def_format(const struct pool_def *def)
{
	struct vr_buf b = { 0 };
	char uuid[VR_UUID_BUFLEN];

	vr_buf_line(&b, "<pool type='%s'>", pool_type_to_string(def->type));
	b.indent++;
	vr_xml_fmt_text(&b, "name", def->name);
	vr_uuid_format(def->uuid, uuid);
	vr_buf_line(&b, "<uuid>%s</uuid>", uuid);
	vr_xml_fmt_bytes(&b, "capacity", def->capacity);
	vr_xml_fmt_bytes(&b, "allocation", def->allocation);
	vr_xml_fmt_bytes(&b, "available", def->available);
	vr_buf_line(&b, "<source>");
	if (def->source_device != NULL) {
		b.indent++;
		vr_xml_fmt_start(&b, "device");
		vr_xml_buf_attr(&b, "path", def->source_device);
		vr_xml_fmt_end(&b, false);
		vr_buf_line(&b, "<format type='%s'/>",
		    pool_fs_format_to_string(def->source_format));
		b.indent--;
	}
	vr_buf_line(&b, "</source>");
	vr_buf_line(&b, "<target>");
	b.indent++;
	vr_xml_fmt_text(&b, "path", def->target_path);
	pool_perms_format(&b, &def->perms);
	vr_xml_fmt_close(&b, "target");
	vr_xml_fmt_close(&b, "pool");
	return vr_buf_steal(&b);
}

struct pool_def *
pool_def_copy(const struct pool_def *src)
{
	struct pool_def *def = xmalloc(sizeof *def);

	*def = *src;
	def->name = xstrdup_null(src->name);
	def->source_device = xstrdup_null(src->source_device);
	def->target_path = xstrdup_null(src->target_path);
	return def;
}

void
pool_def_free(struct pool_def *def)
{
	if (def == NULL)
		return;
	free(def->name);
	free(def->source_device);
	free(def->target_path);
	free(def);
}
